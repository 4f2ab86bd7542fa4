#!/bin/sh
# run.sh - runs every dubstage test and prints one closing line:
#   N passed, N failed, N skipped
# Test programs print one line per check: "ok - NAME", "not ok - NAME: why",
# or "skip - NAME: why". C unit tests are build/tests/test_*; render and CLI
# tests are tests/render/*.sh, realtime tests (against JACK's dummy
# backend) tests/live/*.sh. Environment: BUILD (default build),
# DUBSTAGE (default $BUILD/dubstage), VERBOSE=1 to list passing checks too.
set -u
cd "$(dirname "$0")/.."
BUILD=${BUILD:-build}
DUBSTAGE=${DUBSTAGE:-$BUILD/dubstage}
export BUILD DUBSTAGE
log=$(mktemp "${TMPDIR:-/tmp}/dubstage-tests.XXXXXX")
trap 'rm -f "$log"' EXIT

run_one() {
  name=$1; shift
  start=$(date +%s)
  if "$@" >"$log" 2>&1; then status=0; else status=$?; fi
  end=$(date +%s)
  if [ -n "${VERBOSE:-}" ]; then pat='^(ok|not ok|skip) - '; else pat='^(not ok|skip) - '; fi
  grep -E "$pat" "$log" | sed "s|^|[$name] |"
  p=$(grep -c '^ok - ' "$log"); f=$(grep -c '^not ok - ' "$log"); s=$(grep -c '^skip - ' "$log")
  if [ "$status" -ne 0 ] && [ "$f" -eq 0 ]; then
    echo "[$name] not ok - $name exited with status $status:"; tail -20 "$log" | sed 's/^/    /'
    f=1
  fi
  if [ "$f" -gt 0 ]; then
    echo "[$name] --- output ---"; grep -v -E '^(ok|skip) - ' "$log" | tail -40 | sed 's/^/    /'
  fi
  echo "[$name] $p passed, $f failed, $s skipped ($((end - start)) s)"
  passed=$((passed + p)); failed=$((failed + f)); skipped=$((skipped + s))
}

passed=0; failed=0; skipped=0
for t in "$BUILD"/tests/test_*; do
  [ -x "$t" ] || continue
  run_one "$(basename "$t")" "$t"
done
for t in tests/render/*.sh tests/live/*.sh; do
  [ -f "$t" ] || continue
  run_one "$(basename "$t" .sh)" sh "$t"
done
echo "$passed passed, $failed failed, $skipped skipped"
[ "$failed" -eq 0 ]
