#!/bin/sh
# feature.sh - a feature's deliverables through `dubstage plan` (issue 17,
# docs/cluster.md): 6 reels x 4 deliverables (tests/render/lib/feature.sh's
# pm, stems, me, ref), each reel a synthetic mix of the bench material (the
# 24 tracks of reference_graph.lua: 8 mono dialogue tracks panned, 8 stereo
# music, 8 stereo effects, through DX/MX/FX into PM), reel R's media cut by
# SoX from the material at (R-1) x the reel's length (from 0 when the
# material is too short) into the reel's media/ folder.
#
# Timed, each as whole processes (wall clock, and user+sys CPU of
# everything they ran):
#   sequential  the 24 renders one after the other, as `dubstage render`
#               runs them by default (2 threads each);
#   per job     the same, one thread each (`--threads 1`, what each job of
#               the job files runs): the per-job times the projection uses;
#   make -j2    the emitted Makefile, `make -j2`, from nothing rendered.
# The make -j2 outputs are checked against the one-thread renders'
# (sha256, every file). Then the projection: the 24 per-job times placed
# longest first on N nodes of 2 cores (one job a core, each job on the
# first free core: LPT list scheduling), for N = 1, 2, 3, 6, 12; N = 1 is
# the model of the measured make -j2, printed beside it.
#
# Usage: tests/bench/feature.sh   (also run by tests/bench/run.sh)
# Environment: DUBSTAGE_BENCH_DIR (default /var/tmp/dubstage-bench; the
#   material must be there, made by run.sh, or is made here),
#   DUBSTAGE_BENCH_SECONDS (the material's length, default 600),
#   DUBSTAGE_FEATURE_REEL_SECONDS (each reel's length, default 60: a real
#   reel is 20 minutes, 1200; see docs/bench.md), DUBSTAGE_FEATURE_REELS
#   (default 6), DUBSTAGE, BUILD as in run.sh.
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

command -v sox >/dev/null 2>&1 || { echo "$BENCH: sox is not installed (make deps)"; exit 1; }
for r in $(seq 1 "$reels"); do
  from=$(( (r - 1) * reel_s ))
  [ $((from + reel_s)) -le "$seconds" ] || from=0
  mkdir -p "$dir/reel$r/media"
  # the reel's own media: its stretch of each track (a reel's media is its
  # own; each job's manifest hashes what its script reads)
  for f in "$base"/dx0?.wav "$base"/mx0?.wav "$base"/fx0?.wav; do
    sox "$f" "$dir/reel$r/media/$(basename "$f")" trim "$from" "$reel_s" || exit 1
  done
  cat > "$dir/reel$r/mix.lua" <<LUA
-- reel $r of the bench feature: the 24 tracks of reference_graph.lua, $from s to $((from + reel_s)) s
return function(opts)
  opts = opts or {}
  session { rate = 48000, length = $reel_s }
  local pm = bus "PM" {}
  local dx = bus "DX" { to = pm }
  local mx = bus "MX" { to = pm }
  local fx = bus "FX" { to = pm }
  for k = 1, 8 do
    if not opts.no_dialogue then
      track(("DX %d"):format(k)) { channels = 1, to = dx, pan = -0.35 + 0.1 * (k - 1), gain = -2 }
        :clip { ("media/dx%02d.wav"):format(k), at = 0 }
    end
    track(("MX %d"):format(k)) { channels = 2, to = mx, gain = -4 }:clip { ("media/mx%02d.wav"):format(k), at = 0 }
    track(("FX %d"):format(k)) { channels = 2, to = fx, gain = -3 }:clip { ("media/fx%02d.wav"):format(k), at = 0 }
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
clean() { rm -rf "$dir"/reel*/out; }
# (the renders read the reels' media from the page cache: it was just written)
# timed LOG CMD...: appends "wall cpu" of the command to LOG
timed() { log=$1; shift; "$TIME" -a -o "$log" -f '%e %U %S' "$@" > /dev/null; }
sum() { awk '{ w += $1; c += $2 + $3 } END { printf "%.2f %.2f\n", w, c }' "$1"; }

echo "feature: $reels reels x 4 deliverables = $jobs jobs, reels of $reel_s s (the bench material's 24 tracks), $(nproc) cores, load $(cut -d' ' -f1-3 /proc/loadavg)"
clean; rm -f "$dir"/seq.t "$dir"/one.t "$dir"/make.t
for s in $scripts; do timed "$dir/seq.t" "$bin" render --quiet "$s" || echo "$BENCH: render $s failed"; done
clean
for s in $scripts; do timed "$dir/one.t" "$bin" render --quiet --threads 1 "$s" || echo "$BENCH: render $s failed"; done
sums_one=$(cd "$dir" && feature_outputs . | xargs sha256sum)
clean
timed "$dir/make.t" make -s -j2 -f "$dir/feature.mk" || echo "$BENCH: make -j2 failed"
sums_make=$(cd "$dir" && feature_outputs . | xargs sha256sum)
if [ "$sums_make" = "$sums_one" ] && [ -n "$sums_one" ]; then same="identical to the one-thread renders (sha256, $(echo "$sums_one" | wc -l) files)"
else same="NOT identical to the one-thread renders"; fi

read -r seq_w seq_c <<EOF
$(sum "$dir/seq.t")
EOF
read -r one_w one_c <<EOF
$(sum "$dir/one.t")
EOF
read -r make_w make_c <<EOF
$(sum "$dir/make.t")
EOF
echo "  sequential, 2 threads a render:  wall $seq_w s, CPU $seq_c s"
echo "  sequential, 1 thread a render:   wall $one_w s, CPU $one_c s (per job: $(awk '{ printf "%s%.2f", (NR > 1 ? " " : ""), $1 }' "$dir/one.t") s)"
echo "  make -j2 (1 thread a job):       wall $make_w s, CPU $make_c s; outputs $same"
awk -v s="$seq_w" -v m="$make_w" 'BEGIN { if (m > 0) printf "  make -j2 against sequential: %.2fx\n", s / m }'
# LPT on N nodes of 2 cores from the one-thread wall times
echo "  projected wall time on N nodes of 2 cores (per-job times above, longest first on the first free core):"
sort -rn "$dir/one.t" | awk -v total="$one_w" '
  { t[NR] = $1 } 
  END {
    split("1 2 3 6 12", nodes, " ")
    for (i = 1; i <= 5; i++) {
      slots = 2 * nodes[i]
      for (k = 1; k <= slots; k++) free[k] = 0
      for (j = 1; j <= NR; j++) { b = 1; for (k = 2; k <= slots; k++) if (free[k] < free[b]) b = k; free[b] += t[j] }
      span = 0; for (k = 1; k <= slots; k++) if (free[k] > span) span = free[k]
      printf "    %2d node%s (%2d cores): %7.2f s, %5.1fx the one-thread sequential\n", nodes[i], (nodes[i] > 1 ? "s" : " "), slots, span, total / span
    }
  }'
