#!/bin/sh
# feature.sh - a feature's deliverables through `dubstage plan` (issue 17,
# docs/cluster.md): 6 reels x 4 deliverables (tests/render/lib/feature.sh's
# pm, stems, me, ref), each reel a synthetic mix of the bench material (the
# 24 tracks of reference_graph.lua: 8 mono dialogue tracks panned, 8 stereo
# music, 8 stereo effects, through DX/MX/FX into PM).
#
# The reels play the shared material where it lies (clip sources may be
# anywhere, docs/language.md), reel R of N from (R - 1) / N of the material
# on (so each reel sounds different), looped from its start as often as the
# reel needs (a 20-minute reel on the 10-minute material: twice and a bit).
# Nothing is copied, so 20-minute reels need no disk beyond their outputs
# (about 2.3 GB a reel, 14 GB for 6, removed after each pass). The mix
# costs the same whatever the samples are; what differs from a real
# feature: the material comes from the page cache (3.5 GB; a facility
# reads each reel's own media from storage), and each job's manifest
# hashes the 24 material files whole (3.5 GB a job) where a real 20-minute
# reel's own media would be 6.9 GB.
#
# Timed, each as whole processes (wall clock, and user+sys CPU of
# everything they ran); the passes are DUBSTAGE_FEATURE_PASSES (default
# "seq make"), in that order:
#   seq   the 24 renders one after the other, as `dubstage render` runs
#         them by default (2 threads each): the sequential renders;
#   make  the emitted Makefile, `make -j2`, from nothing rendered (one
#         thread a job), each job's render timed inside it: the per-job
#         times the projection uses (two jobs at a time on the two cores,
#         as on a node of 2 cores);
#   one   (optional) the 24 renders one after the other, one thread each.
# The outputs of every pass after the first are checked against the
# first's (sha256, every file: the bytes depend neither on the threads nor
# on make). Then the projection: the 24 per-job times placed longest first
# on N nodes of 2 cores (one job a core, each job on the first free core:
# LPT list scheduling), for N = 1, 2, 3, 6, 12; N = 1 is the model of the
# measured make -j2, printed beside it.
#
# Usage: tests/bench/feature.sh   (also run by tests/bench/run.sh)
# Environment: DUBSTAGE_BENCH_DIR (default /var/tmp/dubstage-bench; the
#   material must be there, made by run.sh, or is made here),
#   DUBSTAGE_BENCH_SECONDS (the material's length, default 600),
#   DUBSTAGE_FEATURE_REEL_SECONDS (each reel's length, default 60: a real
#   reel is 20 minutes, 1200; see docs/bench.md), DUBSTAGE_FEATURE_REELS
#   (default 6), DUBSTAGE_FEATURE_PASSES (default "seq make"), DUBSTAGE,
#   BUILD as in run.sh.
cd "$(dirname "$0")/../.." || exit 1
BENCH="feature bench"
. tests/bench/lib/prologue.sh
. tests/render/lib/feature.sh
base=${DUBSTAGE_BENCH_DIR:-/var/tmp/dubstage-bench}
seconds=${DUBSTAGE_BENCH_SECONDS:-600}
reel_s=${DUBSTAGE_FEATURE_REEL_SECONDS:-60}
reels=${DUBSTAGE_FEATURE_REELS:-6}
dir=$base/feature
[ -x "$bin" ] || { echo "$BENCH: no binary at $bin (make)"; exit 1; }
command -v make >/dev/null 2>&1 || { echo "$BENCH: make is not installed"; exit 1; }
if [ ! -s "$base/fx08.wav" ]; then
  [ -x "$BUILD/tools/make_bench_material" ] || { echo "$BENCH: no material in $base and no $BUILD/tools/make_bench_material (make)"; exit 1; }
  "$BUILD/tools/make_bench_material" "$base" "$seconds" || exit 1
fi
rm -rf "$dir" && mkdir -p "$dir" || exit 1

for r in $(seq 1 "$reels"); do
  from=$(( (r - 1) * seconds / reels ))
  mkdir -p "$dir/reel$r"
  cat > "$dir/reel$r/mix.lua" <<LUA
-- reel $r of the bench feature: the 24 tracks of reference_graph.lua from the
-- shared material (in $base, $seconds s), from $from s on, looped to $reel_s s
local material, length, first = "$base", $reel_s, $from
-- a track's clips: the material from first on, then again from its start
local function play(t, file)
  local at, from = 0, first
  while at < length do
    local len = math.min($seconds - from, length - at)
    t:clip { material .. "/" .. file, at = at, from = from, length = len }
    at, from = at + len, 0
  end
end
return function(opts)
  opts = opts or {}
  session { rate = 48000, length = length }
  local pm = bus "PM" {}
  local dx = bus "DX" { to = pm }
  local mx = bus "MX" { to = pm }
  local fx = bus "FX" { to = pm }
  for k = 1, 8 do
    if not opts.no_dialogue then
      play(track(("DX %d"):format(k)) { channels = 1, to = dx, pan = -0.35 + 0.1 * (k - 1), gain = -2 },
           ("dx%02d.wav"):format(k))
    end
    play(track(("MX %d"):format(k)) { channels = 2, to = mx, gain = -4 }, ("mx%02d.wav"):format(k))
    play(track(("FX %d"):format(k)) { channels = 2, to = fx, gain = -3 }, ("fx%02d.wav"):format(k))
  end
  return { pm = pm, dx = dx, mx = mx, fx = fx }
end
LUA
  feature_deliverables "$dir/reel$r"
done
feature_project "$dir/feature.lua" "$reels"
"$bin" plan "$dir/feature.lua" --make > "$dir/feature.mk" || { echo "$BENCH: plan --make failed"; exit 1; }
jobs=$(grep -c '^r[0-9]*\.[a-z]*:$' "$dir/feature.mk")
scripts=$(for r in $(seq 1 "$reels"); do for d in pm stems me ref; do echo "$dir/reel$r/$d.lua"; done; done)
passes=${DUBSTAGE_FEATURE_PASSES:-seq make}
clean() { rm -rf "$dir"/reel*/out; }
# (the renders read the material from the page cache)
# timed LOG CMD...: appends "wall cpu" of the command to LOG
timed() { log=$1; shift; "$TIME" -a -o "$log" -f '%e %U %S' "$@" > /dev/null; }
sum() { awk '{ w += $1; c += $2 + $3 } END { printf "%.2f %.2f\n", w, c }' "$1"; }
# the engine make runs: each render timed into make-jobs.t (the engine's
# own executable runs, so the manifests record the same engine)
cat > "$dir/timed-dubstage" <<SH
#!/bin/sh
[ "\$1" = render ] && exec "$TIME" -a -o "$dir/make-jobs.t" -f '%e %U %S' "$bin" "\$@"
exec "$bin" "\$@"
SH
chmod +x "$dir/timed-dubstage"

echo "feature: $reels reels x 4 deliverables = $jobs jobs, reels of $reel_s s (the bench material's 24 tracks, $seconds s, looped), passes: $passes; $(nproc) cores, load $(cut -d' ' -f1-3 /proc/loadavg), $(date -u +%H:%M:%S) UTC"
rm -f "$dir"/seq.t "$dir"/one.t "$dir"/make.t "$dir"/make-jobs.t
first_sums=
first_pass=
for pass in $passes; do
  clean
  case $pass in
    seq) for s in $scripts; do timed "$dir/seq.t" "$bin" render --quiet "$s" || echo "$BENCH: render $s failed"; done ;;
    one) for s in $scripts; do timed "$dir/one.t" "$bin" render --quiet --threads 1 "$s" || echo "$BENCH: render $s failed"; done ;;
    make) timed "$dir/make.t" make -s -j2 -f "$dir/feature.mk" DUBSTAGE="$dir/timed-dubstage" || echo "$BENCH: make -j2 failed" ;;
    *) echo "$BENCH: unknown pass '$pass' (seq, make, one)"; exit 1 ;;
  esac
  sums=$(cd "$dir" && feature_outputs . | xargs sha256sum)
  n=$(echo "$sums" | wc -l)
  if [ -z "$first_pass" ]; then
    first_sums=$sums first_pass=$pass
    echo "  ($pass done at $(date -u +%H:%M:%S) UTC: $n outputs, $(du -sch "$dir"/reel*/out | tail -1 | cut -f1))"
  elif [ "$sums" = "$first_sums" ] && [ -n "$sums" ]; then
    echo "  ($pass done at $(date -u +%H:%M:%S) UTC: outputs identical to the $first_pass pass's, sha256, $n files)"
  else
    echo "  ($pass done at $(date -u +%H:%M:%S) UTC: outputs NOT identical to the $first_pass pass's)"
  fi
done
clean

line() { # LOG TEXT
  [ -s "$1" ] || return 0
  echo "  $2 wall $(sum "$1" | cut -d' ' -f1) s, CPU $(sum "$1" | cut -d' ' -f2) s"
}
line "$dir/seq.t" "sequential, 2 threads a render (dubstage render's default):"
line "$dir/one.t" "sequential, 1 thread a render:                             "
line "$dir/make.t" "make -j2 (1 thread a job, plus each job's plan --fresh):   "
if [ -s "$dir/make-jobs.t" ]; then
  echo "  per job under make -j2 (wall s): $(awk '{ printf "%s%.2f", (NR > 1 ? " " : ""), $1 }' "$dir/make-jobs.t")"
fi
if [ -s "$dir/seq.t" ] && [ -s "$dir/make.t" ]; then
  awk -v s="$(sum "$dir/seq.t" | cut -d' ' -f1)" -v m="$(sum "$dir/make.t" | cut -d' ' -f1)" \
    'BEGIN { if (m > 0) printf "  make -j2 against the sequential renders: %.2fx\n", s / m }'
fi
# LPT on N nodes of 2 cores from the per-job wall times under make -j2
# (else the one-thread sequential ones)
jobs_t=$dir/make-jobs.t
[ -s "$jobs_t" ] || jobs_t=$dir/one.t
[ -s "$jobs_t" ] || exit 0
echo "  projected wall time on N nodes of 2 cores (per-job times of the $(basename "$jobs_t" .t) pass, longest first on the first free core):"
sort -rn "$jobs_t" | awk -v total="$(sum "$jobs_t" | cut -d' ' -f1)" '
  { t[NR] = $1 }
  END {
    split("1 2 3 6 12", nodes, " ")
    for (i = 1; i <= 5; i++) {
      slots = 2 * nodes[i]
      for (k = 1; k <= slots; k++) free[k] = 0
      for (j = 1; j <= NR; j++) { b = 1; for (k = 2; k <= slots; k++) if (free[k] < free[b]) b = k; free[b] += t[j] }
      span = 0; for (k = 1; k <= slots; k++) if (free[k] > span) span = free[k]
      printf "    %2d node%s (%2d cores): %8.2f s, %5.1fx the jobs one after the other\n", nodes[i], (nodes[i] > 1 ? "s" : " "), slots, span, total / span
    }
  }'
