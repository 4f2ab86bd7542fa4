#!/bin/sh
# conform.sh - re-conform at the scale of a feature (issue 14's benchmark:
# target under 1 s): a generated 2-hour EDL pair of 2,000 events each and a
# mix of 5,000 clips and 50,000 automation moves.
#
#   old cut: 2,000 shots of 24 to 148 frames (86 on average: 2 h at 24 fps),
#            each its own reel and clip name, on V and A1/A2;
#   new cut: the old one with every 50th shot deleted, every 40th trimmed by
#            12 frames at its head, a new 2 s shot inserted after every 45th,
#            shots 500-519 moved after shot 1500, shot 1000 on a dissolve:
#            2,000 events again;
#   mix:     20 tracks, 250 clips each (5,000: 3 s from a 10 s tone, one
#            every 1.44 s), 2,500 fader moves on each track (50,000: a
#            1-second ramp every 2.88 s).
# Printed: build/tools/conform_bench's CPU seconds of the conform itself
# (reading the two EDLs, the change list, moving the mix, the JSON report;
# the script's own run is not counted), and `dubstage conform MIX --json`
# as a whole process (the script, 5,000 clips probed, the conform, the
# report), wall and CPU, by /usr/bin/time. One process run; the tool's
# figures are medians of 5.
#
# Usage: tests/bench/conform.sh   (also run by tests/bench/run.sh)
# Environment: DUBSTAGE_BENCH_DIR (default /var/tmp/dubstage-bench), DUBSTAGE,
#   BUILD as in run.sh.
cd "$(dirname "$0")/../.." || exit 1
BENCH="conform bench"
. tests/bench/lib/prologue.sh
dir=${DUBSTAGE_BENCH_DIR:-/var/tmp/dubstage-bench}/conform
tool=$root/$BUILD/tools/conform_bench
[ -x "$tool" ] || { echo "$BENCH: no $tool (make)"; exit 1; }
mkdir -p "$dir" || exit 1
[ -f "$dir/tone.wav" ] || sox -n -r 48000 -c 1 -b 16 "$dir/tone.wav" synth 10 sine 440 vol 0.25 || exit 1

# frames -> HH:MM:SS:FF at 24 fps (awk function shared by both lists)
tc='function tc(f) { return sprintf("%02d:%02d:%02d:%02d", int(f / 86400), int(f / 1440) % 60, int(f / 24) % 60, f % 24) }'
awk "$tc"'BEGIN {
  print "TITLE: FEATURE V1"; print "FCM: NON-DROP FRAME"
  rec = 86400
  for (i = 1; i <= 2000; i++) {
    len = 24 + (i * 37) % 125; src = 36000 * 24
    printf "%04d  R%04d    AA/V  C        %s %s %s %s\n", i, i, tc(src), tc(src + len), tc(rec), tc(rec + len)
    printf "* FROM CLIP NAME: shot%04d\n", i
    rec += len
  }
}' > "$dir/old.edl"
awk "$tc"'BEGIN {
  print "TITLE: FEATURE V2"; print "FCM: NON-DROP FRAME"
  n = 0
  for (i = 1; i <= 2000; i++) if (i < 500 || i > 519) { order[++n] = i; if (i == 1500) for (k = 500; k <= 519; k++) order[++n] = k }
  rec = 86400; e = 0
  for (j = 1; j <= n; j++) {
    i = order[j]
    if (i % 50 == 0) continue
    len = 24 + (i * 37) % 125; src = 36000 * 24
    if (i % 40 == 0) { src += 12; len -= 12 }
    e++
    if (i == 1000)
      printf "%04d  R%04d    AA/V  D    012 %s %s %s %s\n", e, i, tc(src), tc(src + len), tc(rec), tc(rec + len)
    else
      printf "%04d  R%04d    AA/V  C        %s %s %s %s\n", e, i, tc(src), tc(src + len), tc(rec), tc(rec + len)
    printf "* FROM CLIP NAME: shot%04d\n", i
    rec += len
    if (i % 45 == 0) {
      e++
      printf "%04d  N%04d    AA/V  C        %s %s %s %s\n", e, i, tc(3600 * 24), tc(3600 * 24 + 48), tc(rec), tc(rec + 48)
      rec += 48
    }
  }
}' > "$dir/new.edl"

cat > "$dir/mix.lua" <<'LUA'
session { rate = 48000, fps = "24", start = "01:00:00:00", length = 7300 }
local tracks = {}
for k = 1, 20 do
  local t = track("T" .. k) { channels = 1 }
  tracks[k] = t
  for i = 0, 249 do
    local n = i * 20 + k - 1 -- clip n of 5,000
    t:clip { "tone.wav", at = n * 1.44, length = 3 }
  end
  for i = 0, 2499 do
    t.gain:ramp { at = i * 2.88 + k * 0.01, to = (i % 2 == 0) and -3 or 0, over = 1 }
  end
end
output { "out/mix.wav", from = tracks[1] }
LUA
{ cat "$dir/mix.lua"; echo 'conform { from = edl "old.edl", to = edl "new.edl" }'; } > "$dir/mix_conform.lua"

"$tool" "$dir/mix.lua" "$dir/old.edl" "$dir/new.edl" 5 || echo "$BENCH: conform_bench failed"
if (cd "$dir" && "$TIME" -f "%e %U %S %M" -o "$dir/conform.time" "$bin" conform mix_conform.lua --json \
      > "$dir/conform.json" 2> "$dir/conform.err"); then
  read -r wall user sys rss < "$dir/conform.time"
  awk -v w="$wall" -v u="$user" -v s="$sys" -v m="$rss" -v b="$(wc -c < "$dir/conform.json")" 'BEGIN {
    printf "conform dubstage conform --json, the whole process: wall %.2f s, CPU %.2f s, peak RSS %.0f MiB, report %.1f MB\n",
      w, u + s, m / 1024, b / 1e6 }'
else
  echo "$BENCH: dubstage conform failed: $(tail -2 "$dir/conform.err")"
fi
