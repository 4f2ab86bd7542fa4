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
# disk underruns of the run, then the machine's own stalls during it
# (stallwatch's realtime probes, reporting wakes over 0.3 ms late). After
# the 64-track line, the same server plays tests/tools/callback_floor: a
# callback doing a fixed piece of work as long as the mix's median
# callback, the same instructions every time, whose tail is the machine's
# alone (docs/live.md "Profiling the callback"). Logs, and the servers'
# logs per line, stay in $DUBSTAGE_BENCH_DIR/live/. The server runs without realtime scheduling, as
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
#   lines, default "film128 film256 film64x64"), DUBSTAGE_BENCH_LIVE_PROFILE=1
#   (each line also records the callback profile, DUBSTAGE_LIVE_PROFILE, and
#   prints its summary), DUBSTAGE, BUILD as in run.sh.
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
# a JACK world of its own (a private /dev/shm), as the live tests have, so a
# test or a developer's JACK running beside the bench cannot take its
# clients' sockets
jack_private "live callback" "$0"
mkdir -p "$material/live" || { echo "$BENCH: cannot create $material/live" >&2; exit 1; }
trap 'jack_stop' EXIT
trap 'exit 1' INT TERM

echo "live: the first $live_seconds s of each mix, through a JACK dummy server (48 kHz, no realtime scheduling)"
# report_line WHAT LOG: one line of figures from a `dubstage play` (or
# callback_floor) exit report in LOG
report_line() {
  cb=$(grep '^callback:' "$2" | tail -1)
  ran=$(grep '^ran ' "$2" | tail -1)
  # callback: 64 frames (1.33 ms); time used, as a fraction of that period: mean 0.8 %,
  #   median 0.5 %, 99th percentile 1.5 %, 99.9th percentile 2.5 %, worst 4.0 % (45000 callbacks)
  # ran 60.03 s: 0 xruns, 0 late callbacks[ (N held up: ...)], 0 disk underruns (frames)[; N more while idle (...)]
  printf '%s\n%s\n' "$cb" "$ran" | awk -v what="$1" '
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
      secs = $2; xruns = $4; late = $6
      # the late count may carry a note in parentheses ("24 late callbacks
      # (5 held up: ...)"): the underruns are found by their words
      under = "?"
      if (match($0, /[0-9]+ disk underruns/)) { under = substr($0, RSTART, RLENGTH); sub(/ .*/, "", under) }
      idle = ""
      if (match($0, /; [0-9]+ more while idle/)) { idle = substr($0, RSTART + 2, RLENGTH - 2) }
    }
    END {
      printf "live callback %4d frames (%s ms), %s: median %s %%, 99th pct %s %%, 99.9th pct %s %%, worst %s %% of the period (mean %s %%); xruns %s, late %s, disk underruns %s (%s callbacks, %s s)%s\n",
        frames, ms, what, p50, p99, p999, worst, mean, xruns, late, under, n, secs, (idle != "" ? "; " idle : "")
    }'
}

# stall_line: the machine's own stalls during the last server's life, as
# stallwatch saw them (a realtime probe on each CPU woken every
# millisecond, here reporting wakes over 0.3 ms late: nothing of lower
# priority, dubstage's callback included, ran on that CPU meanwhile)
stall_line() {
  # shellcheck disable=SC2154 # JACK_LOG is set by jack.sh
  awk '
    NR == 1 { t0 = $1 }
    { t1 = $1 }
    / stall cpu [0-9]+ [0-9.]+ ms$/ {
      d = $(NF - 1) + 0; n++; if (d >= 1) n1++; if (d >= 5) n5++; if (d > worst) worst = d
    }
    END {
      printf "  machine stalls (stallwatch, a realtime probe per CPU) over %.0f s: %d over 0.3 ms, %d over 1 ms, %d over 5 ms, longest %.2f ms\n",
        t1 - t0, n, n1, n5, worst
    }' "$JACK_LOG"
}

# play_line SESSION WHAT PERIOD: one line of figures for SESSION played at
# PERIOD frames (with DUBSTAGE_BENCH_LIVE_PROFILE=1 the callback profile,
# docs/live.md "Profiling the callback", goes to
# $material/live/profile-SESSION-PERIOD.txt and its summary is shown)
play_line() {
  log="$material/live/play-$1-$3.log"
  JACK_PERIOD=$3 # read by jack_start
  # shellcheck disable=SC2154 # jack_error is set by jack.sh
  if ! jack_start "$material/live"; then
    echo "live callback $3 frames, $2: the JACK server did not start: $jack_error"
    return
  fi
  profile=""
  [ "${DUBSTAGE_BENCH_LIVE_PROFILE:-0}" = 1 ] && profile="$material/live/profile-$1-$3.txt"
  DUBSTAGE_LIVE_PROFILE=$profile "$bin" play "$material/$1.lua" --device JACK --to "$live_seconds" >/dev/null 2>"$log"
  st=$?
  jack_stop
  cp "$JACK_LOG" "$material/live/jackd-$1-$3.log" 2>/dev/null
  if [ "$st" -ne 0 ] || ! grep -q '^callback:' "$log" || ! grep -q '^ran ' "$log"; then
    echo "live callback $3 frames, $2: dubstage play exited with $st: $(tr '\r' '\n' <"$log" | grep -v '^[>|] ' | tail -3 | tr '\n' ' ')"
    return
  fi
  report_line "$2" "$log"
  stall_line
  if [ -n "$profile" ] && [ -s "$profile" ]; then
    grep '^# ' "$profile" | sed 's/^# /  profile: /'
    stall_overlap "$profile" "$material/live/jackd-$1-$3.log"
  fi
}

# stall_overlap PROFILE JACKLOG: how many of the profile's callbacks over
# 25 % of the period overlap a stall stallwatch saw on the CPU they ran on
# (a probe woken D ms late at time T: that CPU ran nothing of priority 30
# or below in [T - D, T])
stall_overlap() {
  awk '
    FNR == NR { if ($0 ~ / stall cpu [0-9]+ [0-9.]+ ms$/) { ns++; s_end[ns] = $1; s_cpu[ns] = $(NF - 2); s_len[ns] = $(NF - 1) / 1000 }; next }
    /^# dubstage live profile:/ { for (i = 1; i <= NF; i++) if ($i == "a" && $(i + 1) == "period") period = $(i + 2); sub(/^\(/, "", period) }
    $1 == "cb" && period > 0 && $7 > 0.25 * period {
      slow++; a = $3; b = $3 + $7 / 1e6; hit = 0
      for (k = 1; k <= ns; k++)
        if ((s_cpu[k] == $4 || s_cpu[k] == $5) && s_end[k] - s_len[k] < b && s_end[k] > a) { hit = 1; break }
      hits += hit
    }
    END { printf "  profile: of the %d callbacks over 25 %% of the period, %d overlap a stall stallwatch saw on their CPU\n", slow, hits }
  ' "$2" "$1"
}

# floor_line PERIOD WORK_US: tests/tools/callback_floor at PERIOD frames,
# each callback a fixed WORK_US of work (the mix's median): the tail any
# callback that long has on this machine now
floor_line() {
  case $BUILD in /*) floor=$BUILD/tools/callback_floor ;; *) floor=$root/$BUILD/tools/callback_floor ;; esac
  if [ ! -x "$floor" ]; then
    echo "live callback $1 frames, fixed work: skipped: $floor is not built (make)"
    return
  fi
  log="$material/live/floor-$1.log"
  JACK_PERIOD=$1
  if ! jack_start "$material/live"; then
    echo "live callback $1 frames, fixed work: the JACK server did not start: $jack_error"
    return
  fi
  "$floor" --seconds "$live_seconds" --work-us "$2" >"$log" 2>&1
  st=$?
  jack_stop
  cp "$JACK_LOG" "$material/live/jackd-floor-$1.log" 2>/dev/null
  if [ "$st" -ne 0 ]; then
    echo "live callback $1 frames, fixed work: callback_floor exited with $st: $(tail -2 "$log" | tr '\n' ' ')"
    return
  fi
  report_line "fixed work of $2 us (callback_floor)" "$log"
  stall_line
}

# the film64 line's median callback in microseconds (for floor_line)
median_us() {
  grep '^callback:' "$1" | tail -1 | awk '{
    ms = $4; sub(/^\(/, "", ms)
    for (i = 1; i <= NF; i++) if ($i == "median") p50 = $(i + 1)
    printf "%.1f\n", p50 / 100 * ms * 1000
  }'
}

STALLWATCH_REPORT_MS=0.3
export STALLWATCH_REPORT_MS
for line in $lines; do
  case $line in
    film128) play_line reference_film "film mix, 24 tracks" 128 ;;
    film256) play_line reference_film "film mix, 24 tracks" 256 ;;
    film64x64)
      play_line reference_film64 "film mix, 64 tracks" 64
      echo "  (issue 16's target for the line above: 99.9th pct under 25 % of the period, no xrun)"
      work=$(median_us "$material/live/play-reference_film64-64.log")
      [ -n "$work" ] && floor_line 64 "$work" ;;
    *) echo "$BENCH: unknown line '$line' (film128, film256, film64x64)" >&2 ;;
  esac
done
trap - EXIT INT TERM
exit 0
