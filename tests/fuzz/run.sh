#!/bin/sh
# run.sh - runs each libFuzzer target built by `make fuzz` for FUZZ_SECONDS
# seconds under `nice -n 19` and prints its executions and rate.
#
#   FUZZ_SECONDS  seconds per target (default 60)
#   FUZZ_TARGETS  names to run (default: every build-fuzz/fuzzer/fuzz_*)
#   FUZZ_BUILD    the fuzz build folder (default build-fuzz)
#   FUZZ_FORK     N > 1: run each target as N worker processes (libFuzzer's
#                 -fork=N), to use N cores; the executions counted are the
#                 workers' total (default 1: one process)
#
# The working corpus grows in $FUZZ_BUILD/corpus/NAME (seeded from
# tests/fuzz/corpus/NAME); a crash is written to $FUZZ_BUILD/crashes/NAME/
# and makes the script exit non-zero. $FUZZ_BUILD/executions keeps a line per
# run (date, target, seconds, executions, exec/s), so totals across runs
# add up with:  awk '{n[$2] += $4} END {for (t in n) print t, n[t]}' build-fuzz/executions
set -u
cd "$(dirname "$0")/../.."
FB=${FUZZ_BUILD:-build-fuzz}
secs=${FUZZ_SECONDS:-60}
fork=${FUZZ_FORK:-1}
forkopt=
[ "$fork" -gt 1 ] 2>/dev/null && forkopt=-fork=$fork
targets=${FUZZ_TARGETS:-$(ls "$FB"/fuzzer/ 2>/dev/null | sed -n 's/^fuzz_//p')}
[ -n "$targets" ] || { echo "run.sh: no fuzz targets in $FB/fuzzer (run make fuzz)" >&2; exit 2; }
# UBSan reports with their stack (the build already stops at the first)
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}
status=0
for t in $targets; do
  bin=$FB/fuzzer/fuzz_$t
  mkdir -p "$FB/corpus/$t" "$FB/crashes/$t"
  log=$FB/fuzz_$t.log
  seeds=tests/fuzz/corpus/$t
  [ -d "$seeds" ] || seeds=
  # -timeout: an input that runs 10 s is a hang worth a report; leaks are
  # findings (a Lua error longjmp'ing over a C allocation).
  nice -n 19 "$bin" $forkopt -max_total_time="$secs" -timeout=10 -rss_limit_mb=2048 \
    -print_final_stats=1 -artifact_prefix="$FB/crashes/$t/" \
    "$FB/corpus/$t" $seeds >"$log" 2>&1
  rc=$?
  execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -1)
  rate=$(sed -n 's/^stat::average_exec_per_sec: *//p' "$log" | tail -1)
  if [ -n "$forkopt" ]; then # fork mode prints no stat:: lines: its last "#TOTAL: ..." line
    execs=$(sed -n 's/^#\([0-9]*\): .*/\1/p' "$log" | tail -1)
    rate=$(( ${execs:-0} / secs ))
  fi
  echo "$(date -u +%Y-%m-%dT%H:%M:%SZ) $t $secs ${execs:-0} ${rate:-0}" >>"$FB/executions"
  if [ "$rc" -ne 0 ]; then
    echo "fuzz_$t: FOUND a crash after ${execs:-?} executions; input in $FB/crashes/$t/, log $log"
    grep -m1 -E 'ERROR: |runtime error|invariant failed|ALARM|Timeout' "$log" | sed 's/^/    /'
    status=1
  else
    echo "fuzz_$t: ${execs:-0} executions in ${secs} s (${rate:-0} exec/s), no crash"
  fi
done
exit $status
