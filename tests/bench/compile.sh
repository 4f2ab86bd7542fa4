#!/bin/sh
# compile.sh - how long `dubstage info` (load the script, probe its media,
# compile the plan, print it) takes on two generated mixes, the scale of
# issue 11's compile-time budget (docs/language.md, "Limits"):
#   tracks: 20,000 mono tracks, one clip each, over 16 buses into a stereo
#           mix; every 10th track has an EQ, 2,000 tracks share a VCA and
#           1,000 a mute group;
#   clips:  200,000 clips of half a second, one every 10 ms, all on one
#           track (about 50 playing at once): the per-track work at its worst.
# Printed: wall and CPU (user+sys) seconds of the process, peak RSS, and the
# CPU per track or per clip. One run each (they take seconds, not minutes).
#
# Usage: tests/bench/compile.sh   (also run by tests/bench/run.sh)
# Environment: DUBSTAGE_BENCH_DIR (default /var/tmp/dubstage-bench), DUBSTAGE,
#   BUILD as in run.sh; DUBSTAGE_COMPILE_TRACKS, DUBSTAGE_COMPILE_CLIPS to
#   change the sizes.
cd "$(dirname "$0")/../.." || exit 1
BENCH="compile bench"
. tests/bench/lib/prologue.sh
dir=${DUBSTAGE_BENCH_DIR:-/var/tmp/dubstage-bench}/compile
ntracks=${DUBSTAGE_COMPILE_TRACKS:-20000}
nclips=${DUBSTAGE_COMPILE_CLIPS:-200000}
mkdir -p "$dir" || exit 1
if [ ! -f "$dir/tone.wav" ]; then
  sox -n -r 48000 -c 1 -b 16 "$dir/tone.wav" synth 1 sine 440 vol 0.25 || exit 1
fi
cat > "$dir/tracks.lua" <<LUA
session { rate = 48000, length = 10 }
local mix = bus "MIX" { channels = 2 }
local buses = {}
for b = 1, 16 do buses[b] = bus("B" .. b) { channels = 2, to = mix } end
local v, g = {}, {}
for i = 1, $ntracks do
  local t = track("T" .. i) { channels = 1, to = buses[i % 16 + 1], pan = (i % 7 - 3) / 4 }
  t:clip { "tone.wav", at = i % 9 }
  if i % 10 == 0 then t:eq { "peak", freq = 1000 + i % 500, gain = 2 } end
  if i <= 2000 then v[#v + 1] = t end
  if i > 2000 and i <= 3000 then g[#g + 1] = t end
end
vca "V" { members = v, gain = -3 }
mute_group "G" { members = g }
output { "out/mix.wav", from = mix }
LUA
cat > "$dir/clips.lua" <<LUA
session { rate = 48000, length = 3600 }
local mix = bus "MIX" { channels = 2 }
local t = track "T" { channels = 1, to = mix }
for i = 1, $nclips do
  t:clip { "tone.wav", at = i * 0.01, length = 0.5 }
end
output { "out/mix.wav", from = mix }
LUA
run() { # name count unit (printf "%-6s" pads the word)
  if ! (cd "$dir" && "$TIME" -f "%e %U %S %M" -o "$dir/$1.time" "$bin" info "$1.lua" > "$dir/$1.info" 2> "$dir/$1.err"); then
    echo "compile $1: dubstage info failed: $(tail -2 "$dir/$1.err")"
    return
  fi
  read -r wall user sys rss < "$dir/$1.time"
  awk -v w="$wall" -v u="$user" -v s="$sys" -v m="$rss" -v n="$2" -v what="$3" 'BEGIN {
    printf "compile %6d %-6s  dubstage info: wall %6.2f s, CPU %6.2f s (%.0f us per %s), peak RSS %.0f MiB\n",
      n, what "s", w, u + s, 1e6 * (u + s) / n, what, m / 1024 }'
}
run tracks "$ntracks" track
run clips "$nclips" clip
