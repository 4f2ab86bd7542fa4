#!/bin/sh
# recipes.sh - what requiring recipes adds to a script's start (issue 15's
# budget: under 10 ms; docs/recipes-sharing.md).
#
# Two measures, printed side by side:
#   in the script: CPU seconds (os.clock) around `require` of every module of
#     the standard library (stdlib/dubstage/*.lua), each read, judged by the
#     sandbox, compiled and run, in one fresh process; the median of RUNS;
#   whole process: `dubstage info` on a one-track script with and without
#     those requires, RUNS runs each taking turns, median CPU time (user+sys,
#     from perf stat's task-clock when perf works, else /usr/bin/time at its
#     10 ms grain) of each, and the difference.
# The first is the figure to compare with the budget; the second shows that
# nothing outside the requires (the info printing a longer module list)
# grows with them.
#
# Usage: tests/bench/recipes.sh   (also run by tests/bench/run.sh)
# Environment: DUBSTAGE, BUILD as in run.sh; RUNS (default 21).
cd "$(dirname "$0")/../.." || exit 1
BENCH="recipes bench"
. tests/bench/lib/prologue.sh
runs=${RUNS:-21}
dir=$(mktemp -d "${TMPDIR:-/tmp}/dubstage-recipes-bench.XXXXXX") || exit 1
trap 'rm -rf "$dir"' EXIT
sox -n -r 48000 -c 1 -b 16 "$dir/tone.wav" synth 1 sine 440 vol 0.25 || exit 1
mods=$(cd stdlib && ls dubstage/*.lua | sed 's/\.lua$//; s|/|.|g' | sort)
n=$(printf '%s\n' "$mods" | wc -l)
head='session { rate = 48000, length = 1 }'
body='local pm = bus "PM"
track "T" { to = pm }:clip { "tone.wav", at = 0 }
output { "out/pm.wav", from = pm }'
printf '%s\n%s\n' "$head" "$body" >"$dir/plain.lua"
{
  printf '%s\nlocal t0 = os.clock()\n' "$head"
  for m in $mods; do printf 'require "%s"\n' "$m"; done
  printf 'io.write(("require_cpu_s %%.6f\\n"):format(os.clock() - t0))\n%s\n' "$body"
} >"$dir/recipes.lua"

median() { sort -g | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'; }
# cpu FILE: the CPU seconds of one `dubstage info FILE`
if perf stat -x, -e task-clock true >/dev/null 2>&1; then
  cpu() { perf stat -x, -e task-clock "$bin" info "$1" 2>&1 >/dev/null | awk -F, '$3 == "task-clock" { printf "%.6f\n", $1 / 1000 }'; }
  how="perf stat task-clock"
else
  cpu() { "$TIME" -f '%U %S' "$bin" info "$1" 2>&1 >/dev/null | tail -1 | awk '{ printf "%.6f\n", $1 + $2 }'; }
  how="/usr/bin/time, 10 ms grain"
fi

: >"$dir/in_script" ; : >"$dir/with" ; : >"$dir/without"
i=0
while [ $i -lt "$runs" ]; do
  "$bin" info "$dir/recipes.lua" | awk '$1 == "require_cpu_s" { print $2 }' >>"$dir/in_script"
  cpu "$dir/recipes.lua" >>"$dir/with"
  cpu "$dir/plain.lua" >>"$dir/without"
  i=$((i + 1))
done
req=$(median <"$dir/in_script")
with=$(median <"$dir/with")
without=$(median <"$dir/without")
echo "recipes: require of the $n standard-library modules ($(echo $mods | tr ' ' ,)), medians of $runs runs:"
awk -v r="$req" -v w="$with" -v o="$without" -v how="$how" 'BEGIN {
  printf "  in the script (os.clock around the requires): %.2f ms of CPU  (budget 10 ms: %s)\n", r * 1000, r < 0.010 ? "met" : "NOT met"
  printf "  whole process, dubstage info (%s): %.2f ms with, %.2f ms without, +%.2f ms\n", how, w * 1000, o * 1000, (w - o) * 1000 }'
