#!/bin/sh
# loudness.sh - what the loudness meter costs (issue 13), on the bench
# material (24 tracks of 48 kHz 24-bit WAV, tests/bench/run.sh makes them):
#
#   meter on every stem: the film mix rendered on one thread (--threads 1)
#     with and without --no-measure (and the stems on two threads, the
#     default): reference_film.lua (one metered output,
#     the printmaster) and reference_film_stems.lua (the same mix writing
#     its DX, MX and FX stems too: four metered stereo outputs). Both
#     variants write the same files, so the difference is the meters; it is
#     printed as a share of the unmetered render (target under 5 %), with
#     the meter alone beside it: build/tools/loudness_bench (dsp/loudness on
#     noise of the same length, one thread, wall time), 2 channels for the
#     printmaster, 8 for the four stereo outputs (which the render meters
#     together, dsp_loudness_process_many). Noise is the meter's worst case:
#     its true peak never lets a stretch be skipped.
#   file throughput: the 24 inputs (8 mono, 16 stereo, $seconds s each)
#     measured for integrated loudness, loudness range and true peak by
#       dubstage  `dubstage loudness --json` with every file (one process,
#                 the files in turn, one thread)
#       ffmpeg    `ffmpeg -threads 1 -filter_threads 1 -i FILE -af
#                 ebur128=peak=true -f null -`, one process a file in turn
#       libebur128  build/tools/ebur128_scan (tests/tools/ebur128_scan.c:
#                 libsndfile reads, libebur128 with I | LRA | TRUE_PEAK, as
#                 its loudness-scanner measures) with every file
#     printed: each one's wall and CPU time, speed in multiples of real time
#     (the summed length of the files over the wall time), and dubstage's
#     speed over ffmpeg's and libebur128's (target at least 5x ffmpeg).
#     Then the readings themselves: the largest difference of each peer
#     from dubstage over the 24 files, in I, LRA and true peak, so the
#     three are known to have measured the same thing (ffmpeg prints one
#     decimal; libebur128 takes S every second for LRA, we every 100 ms).
#
# Everything is timed whole by /usr/bin/time, the inputs in the page cache,
# runs taking turns, the median by wall time. Prints figures; checks
# nothing about speed.
#
# Usage: tests/bench/loudness.sh   (also run by tests/bench/run.sh, after the
#   material exists: run that once first, or DUBSTAGE_BENCH_SECONDS=60 make bench)
# Environment: DUBSTAGE_BENCH_DIR (default /var/tmp/dubstage-bench),
#   DUBSTAGE_BENCH_SECONDS (the material's length, default 600),
#   DUBSTAGE_BENCH_RUNS (default 3 here), DUBSTAGE, BUILD as in run.sh.
cd "$(dirname "$0")/../.." || exit 1
BENCH="loudness bench"
. tests/bench/lib/prologue.sh
case $BUILD in /*) tools=$BUILD/tools ;; *) tools=$root/$BUILD/tools ;; esac
material=${DUBSTAGE_BENCH_DIR:-/var/tmp/dubstage-bench}
seconds=${DUBSTAGE_BENCH_SECONDS:-600}
runs=${DUBSTAGE_BENCH_RUNS:-3}
dir=$material/loudness
die() { echo "$BENCH: $*" >&2; exit 1; }
command -v ffmpeg >/dev/null 2>&1 || die "ffmpeg not found (make deps)"
[ -x "$bin" ] || die "$bin not built (make)"
for t in ebur128_scan loudness_bench; do
  [ -x "$tools/$t" ] || die "$tools/$t not built (make all)"
done
files=""
for k in 1 2 3 4 5 6 7 8; do files="$files dx0$k.wav mx0$k.wav fx0$k.wav"; done
for f in $files; do
  [ -s "$material/$f" ] || die "$material/$f is missing: tests/bench/run.sh makes the material"
done
mkdir -p "$dir/run" "$dir/times" "$dir/out" || die "cannot create $dir"
cp tests/bench/reference_graph.lua tests/bench/reference_film_chain.lua tests/bench/reference_film.lua \
  tests/bench/reference_film_stems.lua "$material/" || die "cannot copy the sessions to $material"

q() { printf "'%s'" "$1"; }
# film_stems2: the same on two threads (the default: the meters run on the
# helper, beside the next block's mix)
for s in film film_stems film_stems2; do
  for m in measured unmeasured; do
    flag=""; [ $m = unmeasured ] && flag=" --no-measure"
    threads=1; [ $s = film_stems2 ] && threads=2
    printf 'exec %s render %s --out %s --quiet --threads %d%s\n' "$(q "$bin")" "$(q "$material/reference_${s%2}.lua")" \
      "$(q "$dir/out/$s-$m")" $threads "$flag" > "$dir/run/${s}_$m.sh"
  done
done
printf 'cd %s || exit 1\nexec %s loudness --json %s > %s\n' "$(q "$material")" "$(q "$bin")" "$files" \
  "$(q "$dir/out/dubstage.json")" > "$dir/run/dubstage.sh"
printf 'cd %s || exit 1\nexec %s %s > %s\n' "$(q "$material")" "$(q "$tools/ebur128_scan")" "$files" \
  "$(q "$dir/out/ebur128.txt")" > "$dir/run/libebur128.sh"
{
  printf 'cd %s || exit 1\n' "$(q "$material")"
  for f in $files; do
    printf 'echo "== %s"; ffmpeg -nostdin -hide_banner -nostats -threads 1 -filter_threads 1 -i %s -af ebur128=peak=true -f null - 2>&1 || exit 1\n' "$f" "$f"
  done
} > "$dir/run/ffmpeg.sh"

# Page cache: read every input once.
# shellcheck disable=SC2086
(cd "$material" && cat $files > /dev/null)

# measure NAME...: as run.sh's (runs taking turns, a sync before each, the
# median run by wall time as "wall cpu" in $dir/times/NAME)
measure() {
  n=1
  while [ "$n" -le "$runs" ]; do
    for name in "$@"; do
      sync
      $TIME -f "%e %U %S" -o "$dir/times/$name.$n" sh "$dir/run/$name.sh" > "$dir/times/$name.log" 2>&1 ||
        { echo "loudness bench: $name failed: $(tail -3 "$dir/times/$name.log")"; return 1; }
    done
    n=$((n + 1))
  done
  for name in "$@"; do
    for f in "$dir/times/$name".[0-9]*; do tail -1 "$f"; done | sort -n |
      awk -v m=$(( (runs + 1) / 2 )) 'NR == m { printf "%s %.2f\n", $1, $2 + $3 }' > "$dir/times/$name"
  done
}

echo "loudness meter: $runs runs each, medians; material $seconds s per track in $material"
if measure film_measured film_unmeasured film_stems_measured film_stems_unmeasured film_stems2_measured \
  film_stems2_unmeasured; then
  for s in film film_stems film_stems2; do
    read -r mw mc < "$dir/times/${s}_measured"
    read -r uw uc < "$dir/times/${s}_unmeasured"
    channels=2; what="one thread, printmaster only (reference_film.lua)"
    [ $s = film_stems ] && { channels=8; what="one thread, printmaster + DX, MX, FX stems (reference_film_stems.lua)"; }
    [ $s = film_stems2 ] && { channels=0; what="two threads (the default), printmaster + DX, MX, FX stems"; }
    alone=""
    [ $channels != 0 ] && alone=$("$tools/loudness_bench" "$seconds" $channels | awk '/^dsp\/loudness/ { print $2 }')
    awk -v what="$what" -v mw="$mw" -v mc="$mc" -v uw="$uw" -v uc="$uc" -v ch=$channels -v a="$alone" 'BEGIN {
      printf "meter cost, film mix, %s:\n", what
      printf "  render %.2f s wall / %.2f s CPU measured, %.2f / %.2f with --no-measure: meters %+.1f %% wall, %+.1f %% CPU (target under 5 %%)\n",
        mw, mc, uw, uc, (uw > 0 ? 100 * (mw / uw - 1) : 0), (uc > 0 ? 100 * (mc / uc - 1) : 0)
      if (a != "") printf "  the meter alone on %d channels of noise (loudness_bench): %.3f s, %.1f %% of the unmetered render wall\n",
        ch, a, (uw > 0 ? 100 * a / uw : 0) }'
  done
fi

if measure dubstage ffmpeg libebur128; then
  # the summed length of the inputs: 8 mono and 16 stereo files, all $seconds s
  total=$((24 * seconds))
  echo "loudness of the 24 bench inputs (I, LRA, true peak; 8 mono + 16 stereo, $total s of audio), one core each:"
  for name in dubstage ffmpeg libebur128; do
    read -r w c < "$dir/times/$name"
    awk -v n="$name" -v w="$w" -v c="$c" -v t="$total" \
      'BEGIN { printf "  %-10s wall %7.2f s  CPU %7.2f s  %7.0fx real time\n", n, w, c, (w > 0 ? t / w : 0) }'
  done
  read -r dw dc < "$dir/times/dubstage"
  for name in ffmpeg libebur128; do
    read -r w c < "$dir/times/$name"
    awk -v n="$name" -v dw="$dw" -v dc="$dc" -v w="$w" -v c="$c" -v tgt="$([ $name = ffmpeg ] && echo '; target 5x')" 'BEGIN {
      printf "  dubstage loudness vs %-10s wall %6.1fx  CPU %6.1fx  (faster%s)\n", n, (dw > 0 ? w / dw : 0), (dc > 0 ? c / dc : 0), tgt }'
  done
  # the readings: each peer's largest difference from dubstage's
  python3 - "$dir/out/dubstage.json" "$dir/times/ffmpeg.log" "$dir/out/ebur128.txt" <<'PY'
import json, sys
ours = {o["file"]: o for o in json.load(open(sys.argv[1]))}
keys = ("integrated_lufs", "loudness_range_lu", "true_peak_dbtp")
ff, sec, f = {}, None, None
for line in open(sys.argv[2]):
    w = line.split()
    if line.startswith("== "):
        f = w[1]; ff[f] = {}
    for label, key in (("Integrated loudness:", "I"), ("Loudness range:", "LRA"), ("True peak:", "TP")):
        if label in line:
            sec = key
    if f and len(w) >= 2 and w[0] in ("I:", "LRA:", "Peak:") and sec:
        ff[f].setdefault(sec, float(w[1]))
lib = {}
for line in open(sys.argv[3]):
    w = line.split()
    lib[w[3]] = dict(zip(("I", "LRA", "TP"), map(float, w[:3])))
for name, peer in (("ffmpeg", ff), ("libebur128", lib)):
    worst = []
    for key, pk in zip(keys, ("I", "LRA", "TP")):
        d = [abs(ours[f][key] - peer[f][pk]) for f in ours if f in peer and pk in peer[f] and ours[f][key] is not None]
        worst.append("%s %.3f" % (pk, max(d)) if len(d) == len(ours) else "%s missing for %d files" % (pk, len(ours) - len(d)))
    print("  readings, %s against dubstage, largest difference over the %d files: %s" % (name, len(ours), ", ".join(worst)))
PY
fi
