#!/bin/sh
# fuzz_regress.sh - replays every saved fuzz input through its target, built
# by the normal (gcc) build as $BUILD/fuzz/fuzz_NAME with tests/fuzz/replay.c:
# the crashes found so far (tests/fuzz/regress/NAME/) and the seed corpora
# (tests/fuzz/corpus/NAME/). Each input prints "ok - fuzz_NAME: FILE"; a
# crash, a sanitizer report (in `make asan`) or a failed invariant ends the
# runner with a non-zero status, which tests/run.sh reports with the file.
set -u
cd "$(dirname "$0")/../.."
BUILD=${BUILD:-build}
# In `make asan` UBSan only prints by default; here undefined behaviour is
# what the saved inputs found, so it fails the replay.
UBSAN_OPTIONS=${UBSAN_OPTIONS:-halt_on_error=1:print_stacktrace=1}
export UBSAN_OPTIONS
for src in tests/fuzz/fuzz_*.c; do
  name=$(basename "$src" .c)
  t=${name#fuzz_}
  bin=$BUILD/fuzz/$name
  if [ ! -x "$bin" ]; then
    echo "not ok - $name: $bin is not built (make all)"
    continue
  fi
  set --
  for d in tests/fuzz/regress/"$t" tests/fuzz/corpus/"$t"; do
    [ -d "$d" ] && set -- "$@" "$d"
  done
  [ $# -gt 0 ] || { echo "skip - $name: no saved inputs"; continue; }
  "$bin" "$@" || echo "not ok - $name: the replay stopped (status $?)"
done

# The script target's vocabulary reaches delivery: its seed deliver-normalize
# (tests/fuzz/make_script_seeds.py) must still decode to an output with a
# normalize table and a deliver with a spec and normalize = true, and reach
# the normaliser (a 50 ms render is silent: the normaliser says so), so the
# word lists cannot lose those words unnoticed.
seed=tests/fuzz/corpus/script/deliver-normalize
if [ -x "$BUILD/fuzz/fuzz_script" ] && [ -f "$seed" ]; then
  text=$(FUZZ_SCRIPT_PRINT=1 "$BUILD/fuzz/fuzz_script" "$seed" 2>&1)
  if printf '%s\n' "$text" | grep -q 'output({"pm.wav", from = V\[1\], normalize = {integrated = -23, true_peak = -1, stems = false' &&
     printf '%s\n' "$text" | grep -q 'deliver({"out.wav", from = V\[1\], spec = "streaming-14", normalize = true' &&
     printf '%s\n' "$text" | grep -q "cannot normalise .* it is silent"; then
    echo "ok - fuzz_script: the seed deliver-normalize decodes to output { normalize = ... } and deliver { spec, normalize } and reaches the normaliser"
  else
    echo "not ok - fuzz_script: the seed deliver-normalize no longer decodes to deliver and normalize calls:"
    printf '%s\n' "$text" | sed 's/^/    /' | tail -8
  fi
fi
# ... and the edit words: the seed spot-conform reads an EDL, spots it onto
# a track, conforms it to a second cut and renders without an error (those
# calls are outside pcall: an error would stop the script and show here).
seed=tests/fuzz/corpus/script/spot-conform
if [ -x "$BUILD/fuzz/fuzz_script" ] && [ -f "$seed" ]; then
  text=$(FUZZ_SCRIPT_PRINT=1 "$BUILD/fuzz/fuzz_script" "$seed" 2>&1)
  if printf '%s\n' "$text" | grep -q 'V\[2\] = edl("cut.edl")' &&
     printf '%s\n' "$text" | grep -q 'spot(V\[2\], {tracks = {\["A1"\] = V\[1\], }, media = {\["mono"\] = "mono.wav"' &&
     printf '%s\n' "$text" | grep -q 'conform({from = V\[2\], to = V\[4\]' &&
     printf '%s\n' "$text" | grep -qx -- '-> ok'; then
    echo "ok - fuzz_script: the seed spot-conform decodes to edl, spot and conform calls that run without an error"
  else
    echo "not ok - fuzz_script: the seed spot-conform no longer decodes to edl, spot and conform calls that run:"
    printf '%s\n' "$text" | sed 's/^/    /' | tail -12
  fi
fi
