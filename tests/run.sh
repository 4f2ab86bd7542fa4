#!/bin/sh
# run.sh - runs every dubstage test and prints one closing line:
#   N passed, N failed, N skipped
# Test programs print one line per check: "ok - NAME", "not ok - NAME: why",
# or "skip - NAME: why". C unit tests are build/tests/test_*; render and CLI
# tests are tests/render/*.sh, realtime tests (against JACK's dummy
# backend) tests/live/*.sh.
#
# The unit and render tests run TEST_JOBS at a time (default: the number of
# CPUs this process may use, at most 4); each writes only to its own temporary
# folder and none depends on wall time. The realtime tests run afterwards,
# one at a time, alone on the machine: a busy neighbour makes the JACK
# server's own thread miss its deadlines. A test's summary line is printed
# when it ends (in the order they end), its failures with it, and its wall
# time in seconds; before the closing line, the wall time of each phase and
# the slowest tests.
#
# The slowest unit and render tests (SLOW_FIRST) start first: a long test
# that started last would hold the end of the parallel phase alone while the
# other CPUs stand idle (longest first). The list is of names, in the order
# of their times on a quiet 2-core machine (session 9: plan_slurm 92 s,
# memory 46, layouts 45, loudness_cmd 45, blocksize 36, threads 32,
# normalize 25, report_html 20, faults 16, test_loudness 15,
# loudness_report 14, demo51 13); a name that is gone is ignored, a new
# slow test only starts in its usual place.
#
# Environment: BUILD (default build), DUBSTAGE (default $BUILD/dubstage),
# VERBOSE=1 to list passing checks too, TEST_JOBS=N, TESTS="glob ..." to run
# only the tests whose names match (e.g. TESTS="test_edl spot*").
set -u
cd "$(dirname "$0")/.."
BUILD=${BUILD:-build}
DUBSTAGE=${DUBSTAGE:-$BUILD/dubstage}
export BUILD DUBSTAGE

# run.sh --one DIR NAME COMMAND...: runs one test into DIR/NAME.log and
# DIR/NAME.count ("passed failed skipped") and prints its summary.
if [ "${1:-}" = --one ]; then
  dir=$2 name=$3
  shift 3
  log=$dir/$name.log
  start=$(date +%s.%N)
  if "$@" >"$log" 2>&1 </dev/null; then status=0; else status=$?; fi
  secs=$(awk -v a="$start" -v b="$(date +%s.%N)" 'BEGIN { printf "%.0f", b - a }')
  if [ -n "${VERBOSE:-}" ]; then pat='^(ok|not ok|skip) - '; else pat='^(not ok|skip) - '; fi
  p=$(grep -c '^ok - ' "$log"); f=$(grep -c '^not ok - ' "$log"); s=$(grep -c '^skip - ' "$log")
  {
    grep -E "$pat" "$log" | sed "s|^|[$name] |"
    if [ "$status" -ne 0 ] && [ "$f" -eq 0 ]; then
      echo "[$name] not ok - $name exited with status $status:"; tail -20 "$log" | sed 's/^/    /'
      f=1
    fi
    if [ "$f" -gt 0 ]; then
      echo "[$name] --- output ---"; grep -v -E '^(ok|skip) - ' "$log" | tail -40 | sed 's/^/    /'
    fi
    echo "[$name] $p passed, $f failed, $s skipped ($secs s)"
  } >"$dir/$name.summary"
  echo "$p $f $s $secs" >"$dir/$name.count"
  # one write, so two tests ending together do not interleave their lines
  cat "$dir/$name.summary"
  exit 0
fi

dir=$(mktemp -d "${TMPDIR:-/tmp}/dubstage-tests.XXXXXX")
trap 'rm -rf "$dir"' EXIT
trap 'exit 130' INT TERM

jobs=${TEST_JOBS:-}
if [ -z "$jobs" ]; then
  jobs=$(nproc 2>/dev/null || echo 1)
  [ "$jobs" -gt 4 ] && jobs=4
fi
case $jobs in ''|*[!0-9]*|0) echo "run.sh: TEST_JOBS must be a whole number from 1, not '$jobs'" >&2; exit 2 ;; esac

# selected NAME: true when TESTS is unset or NAME matches one of its globs
selected() {
  [ -z "${TESTS:-}" ] && return 0
  for _g in $TESTS; do
    # shellcheck disable=SC2254
    case $1 in $_g) return 0 ;; esac
  done
  return 1
}

# the job list: one line "NAME COMMAND..." a test (no spaces in the paths),
# the slowest first
SLOW_FIRST="plan_slurm memory layouts loudness_cmd blocksize threads normalize report_html faults test_loudness
  loudness_report demo51"
{
  for t in "$BUILD"/tests/test_*; do
    [ -x "$t" ] || continue
    n=$(basename "$t"); selected "$n" && echo "$n $t"
  done
  for t in tests/render/*.sh; do
    [ -f "$t" ] || continue
    n=$(basename "$t" .sh); selected "$n" && echo "$n sh $t"
  done
} >"$dir/jobs.found"
for n in $SLOW_FIRST; do
  grep "^$n " "$dir/jobs.found"
done >"$dir/jobs"
awk -v slow="$SLOW_FIRST" 'BEGIN { n = split(slow, w); for (i = 1; i <= n; i++) first[w[i]] = 1 }
  !($1 in first)' "$dir/jobs.found" >>"$dir/jobs"
for t in tests/live/*.sh; do
  [ -f "$t" ] || continue
  n=$(basename "$t" .sh); selected "$n" && echo "$n sh $t"
done >"$dir/live"

# xargs -L 1: one test line (NAME COMMAND...) a run
t0=$(date +%s)
if [ -s "$dir/jobs" ]; then
  xargs -L 1 -P "$jobs" sh tests/run.sh --one "$dir" <"$dir/jobs"
fi
t1=$(date +%s)
if [ -s "$dir/live" ]; then
  xargs -L 1 -P 1 sh tests/run.sh --one "$dir" <"$dir/live"
fi
t2=$(date +%s)

passed=0; failed=0; skipped=0
: >"$dir/times"
for job in "$dir/jobs" "$dir/live"; do
  while read -r n _; do
    if [ -f "$dir/$n.count" ]; then
      read -r p f s secs <"$dir/$n.count"
      echo "$secs $n" >>"$dir/times"
    else
      echo "[$n] not ok - $n did not report (interrupted?)"
      p=0 f=1 s=0
    fi
    passed=$((passed + p)); failed=$((failed + f)); skipped=$((skipped + s))
  done <"$job"
done
echo "wall time: unit and render tests $((t1 - t0)) s ($jobs at a time), realtime tests $((t2 - t1)) s;" \
  "slowest: $(sort -rn "$dir/times" | head -6 | awk '{ printf "%s%s %d s", sep, $2, $1; sep = ", " }')"
echo "$passed passed, $failed failed, $skipped skipped"
[ "$failed" -eq 0 ]
