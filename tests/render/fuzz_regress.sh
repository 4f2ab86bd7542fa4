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
