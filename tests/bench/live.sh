#!/bin/sh
# live.sh - the live part of the benchmark: the film mix played by
# `dubstage play --device JACK` through a JACK dummy server of its own
# (tests/live/lib/jack.sh: 48 kHz, `jackd --no-realtime -d dummy -r 48000
# -p PERIOD`), one server per line:
#   reference_film.lua (24 tracks)   at 128 and 256 frames a period;
#   reference_film64.lua (shared/BENCH.md's 64-track variant: 16 mono
#     dialogue, 24 stereo music, 24 stereo effects, the same processing)
#     at 64 frames (1.33 ms), issue 16's target: the callback's 99.9th
#     percentile under 25 % of the period.
# Each line prints the audio callback's execution time as a fraction of the
# buffer period (dubstage play's own report at exit, vm_live_report: median,
# 99th and 99.9th percentiles, each the upper edge of its 0.5 %-of-the-period
# histogram bin, the worst and the mean) and the xruns, late callbacks and
# disk underruns of the run. The server runs without realtime scheduling, as
# in the tests; dubstage's callback thread asks for realtime itself
# (docs/live.md "Scheduling"), and where that is not permitted the tail
# includes the kernel's ordinary scheduling noise. A benchmark: it prints
# figures and judges nothing; on a busy machine the tail says more about the
# machine than about the mix.
#
# Usage: tests/bench/live.sh   (also run by tests/bench/run.sh, after the
#   material exists: run that once first, or DUBSTAGE_BENCH_SECONDS=60 make bench)
# Environment: DUBSTAGE_BENCH_DIR (the material, default
#   /var/tmp/dubstage-bench), DUBSTAGE_BENCH_LIVE_SECONDS (seconds played
#   per line, default 60; 0 skips the part), DUBSTAGE_BENCH_LIVE_LINES (which
#   lines, default "film128 film256 film64x64"), DUBSTAGE, BUILD as in run.sh.
cd "$(dirname "$0")/../.." || exit 1
BENCH="live bench"
. tests/bench/lib/prologue.sh
material=${DUBSTAGE_BENCH_DIR:-/var/tmp/dubstage-bench}
live_seconds=${DUBSTAGE_BENCH_LIVE_SECONDS:-60}
lines=${DUBSTAGE_BENCH_LIVE_LINES:-film128 film256 film64x64}

if [ "$live_seconds" = 0 ]; then
  echo "live callback: skipped (DUBSTAGE_BENCH_LIVE_SECONDS=0)"
  exit 0
fi
if [ ! -x "$bin" ]; then
  echo "live callback: skipped: $bin is not built (make)"
  exit 0
fi
if ! command -v jackd >/dev/null 2>&1; then
  echo "live callback: skipped: jackd is not installed (make deps, or scripts/install-deps.sh test, installs jackd2)"
  exit 0
fi
if ! command -v jack_lsp >/dev/null 2>&1; then
  echo "live callback: skipped: jackd is installed but jack_lsp is not"
  exit 0
fi
for k in 1 2 3 4 5 6 7 8; do
  for f in dx0$k.wav mx0$k.wav fx0$k.wav; do
    [ -s "$material/$f" ] || { echo "live callback: skipped: $material/$f is missing (tests/bench/run.sh makes the material)"; exit 0; }
  done
done
cp tests/bench/reference_graph.lua tests/bench/reference_film_chain.lua tests/bench/reference_film.lua \
  tests/bench/reference_film64.lua "$material/" || { echo "$BENCH: cannot copy the sessions to $material" >&2; exit 1; }
# shellcheck source=tests/live/lib/jack.sh disable=SC1091
. tests/live/lib/jack.sh
mkdir -p "$material/live" || { echo "$BENCH: cannot create $material/live" >&2; exit 1; }
trap 'jack_stop' EXIT
trap 'exit 1' INT TERM

echo "live: the first $live_seconds s of each mix, through a JACK dummy server (48 kHz, no realtime scheduling)"
# play_line SESSION WHAT PERIOD: one line of figures for SESSION played at
# PERIOD frames
play_line() {
  log="$material/live/play-$1-$3.log"
  JACK_PERIOD=$3 # read by jack_start
  # shellcheck disable=SC2154 # jack_error is set by jack.sh
  if ! jack_start "$material/live"; then
    echo "live callback $3 frames, $2: the JACK server did not start: $jack_error"
    return
  fi
  "$bin" play "$material/$1.lua" --device JACK --to "$live_seconds" >/dev/null 2>"$log"
  st=$?
  jack_stop
  cb=$(grep '^callback:' "$log" | tail -1)
  ran=$(grep '^ran ' "$log" | tail -1)
  if [ "$st" -ne 0 ] || [ -z "$cb" ] || [ -z "$ran" ]; then
    echo "live callback $3 frames, $2: dubstage play exited with $st: $(tr '\r' '\n' <"$log" | grep -v '^[>|] ' | tail -3 | tr '\n' ' ')"
    return
  fi
  # callback: 64 frames (1.33 ms); time used, as a fraction of that period: mean 0.8 %,
  #   median 0.5 %, 99th percentile 1.5 %, 99.9th percentile 2.5 %, worst 4.0 % (45000 callbacks)
  # ran 60.03 s: 0 xruns, 0 late callbacks, 0 disk underruns (frames)[; N more while idle (...)]
  printf '%s\n%s\n' "$cb" "$ran" | awk -v what="$2" '
    /^callback:/ {
      frames = $2; ms = $4; sub(/^\(/, "", ms)
      for (i = 1; i <= NF; i++) {
        if ($i == "mean") mean = $(i + 1)
        if ($i == "median") p50 = $(i + 1)
        if ($i == "99th") p99 = $(i + 2)
        if ($i == "99.9th") p999 = $(i + 2)
        if ($i == "worst") worst = $(i + 1)
      }
      n = $(NF - 1); sub(/^\(/, "", n)
    }
    /^ran / {
      secs = $2; xruns = $4; late = $6; under = $9
      idle = ""
      if (match($0, /; [0-9]+ more while idle/)) { idle = substr($0, RSTART + 2, RLENGTH - 2) }
    }
    END {
      printf "live callback %4d frames (%s ms), %s: median %s %%, 99th pct %s %%, 99.9th pct %s %%, worst %s %% of the period (mean %s %%); xruns %s, late %s, disk underruns %s (%s callbacks, %s s)%s\n",
        frames, ms, what, p50, p99, p999, worst, mean, xruns, late, under, n, secs, (idle != "" ? "; " idle : "")
    }'
}

for line in $lines; do
  case $line in
    film128) play_line reference_film "film mix, 24 tracks" 128 ;;
    film256) play_line reference_film "film mix, 24 tracks" 256 ;;
    film64x64)
      play_line reference_film64 "film mix, 64 tracks" 64
      echo "  (issue 16's target for the line above: 99.9th pct under 25 % of the period, no xrun)" ;;
    *) echo "$BENCH: unknown line '$line' (film128, film256, film64x64)" >&2 ;;
  esac
done
trap - EXIT INT TERM
exit 0
