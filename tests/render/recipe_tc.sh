#!/bin/sh
# recipe_tc.sh - dubstage.tc against timecode worked out independently, in
# Python (exact fractions; the drop-frame label by the classic
# ten-minute-block formula, not the engine's code):
#   - 2,000 frame counts (random, fixed seed, 0 to 24 h, and every minute
#     boundary of the first ten minutes of hour 1) at 29.97 and 59.94 drop
#     frame and at 24: tc.label(f) is the label, tc.frame(label) gives f back;
#   - tc.position of labels at 23.976 (48 kHz) and 29.97 non-drop (44.1 kHz)
#     is round-half-up(frame x rate x 1001 / fps x 1000) samples after the
#     session start's;
#   - tc.add and tc.diff across drop-frame minute boundaries;
#   - reels: a real dialogue line placed with tc.reels' at() at reel 2's own
#     02:00:01:00 in a session joining two reels starts in the render exactly
#     on the sample Python computes (its first non-zero sample, against the
#     same line rendered at sample 0).
T=recipe_tc
. tests/render/lib/common.sh
. "$OLDPWD/tests/render/lib/recipes.sh"
command -v python3 >/dev/null 2>&1 || { echo "not ok - recipe_tc: python3 is missing (make deps)"; exit 1; }

cat > ref.py <<'PY'
import random, sys
from fractions import Fraction
def label(frame, nominal, drop):
    if drop:
        per10 = 10 * 60 * nominal - 9 * drop
        permin = 60 * nominal - drop
        d, m = divmod(frame, per10)
        frame += 9 * drop * d + (drop * ((m - drop) // permin) if m > drop else 0)
    ff = frame % nominal
    s = frame // nominal
    sep = ";" if drop else ":"
    return "%02d:%02d:%02d%s%02d" % (s // 3600 % 24, s // 60 % 60, s % 60, sep, ff)
random.seed(15)
kind = sys.argv[1]
if kind == "labels":
    nominal, drop = int(sys.argv[2]), int(sys.argv[3])
    real_per_day = 24 * 3600 * nominal - (24 * 6 * 9 * drop if drop else 0)
    frames = [random.randrange(real_per_day) for _ in range(2000)]
    frames += [label_f for label_f in range(107892 - 5, 107892 + 10 * 1800, 1798)]
    for f in frames:
        print(f, label(f, nominal, drop))
elif kind == "position":
    rate, num, den, tc = int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4]), sys.argv[5]
    nominal = (num + den - 1) // den
    h, m, s, f = (int(x) for x in tc.replace(";", ":").split(":"))
    frames = ((h * 60 + m) * 60 + s) * nominal + f
    x = Fraction(frames * rate * den, num)
    print(int(x + Fraction(1, 2)))
PY

# labels FPS START NOMINAL DROP: every frame's label and back
labels() {
  python3 ref.py labels "$3" "$4" > want
  { printf 'session { rate = 48000, fps = "%s", start = "%s" }\nlocal tc = require "dubstage.tc"\n' "$1" "$2"
    printf 'for line in io.lines("want") do\n'
    printf '  local f, l = line:match("(%%d+) (%%S+)")\n  f = math.tointeger(tonumber(f))\n'
    printf '  io.write(f, " ", tc.label(f), " ", tc.frame(l), "\\n")\nend\n'; } > labels.lua
  got=$("$DS" info labels.lua 2>&1 | awk 'NF == 3 && $1 ~ /^[0-9]+$/')
  bad=$(printf '%s\n' "$got" | paste -d' ' want - | awk '$2 != $4 || $1 != $5 { print; n++ } END { exit n > 0 }' | head -3)
  n=$(printf '%s\n' "$got" | wc -l)
  if [ -z "$bad" ] && [ "$n" -eq "$(wc -l < want)" ]; then ok "tc.label and tc.frame at $1 ($2): $n frames, every label as Python's and back"
  else notok "tc.label and tc.frame at $1" "$n lines; first differences (frame, want, got, frame back): $bad"; fi
}
labels 29.97 "00:00:00;00" 30 2
labels 59.94 "00:00:00;00" 60 4
labels 24 "00:00:00:00" 24 0

# position RATE FPS NUM DEN START LABEL
position() {
  want=$(( $(python3 ref.py position "$1" "$3" "$4" "$6") - $(python3 ref.py position "$1" "$3" "$4" "$5") ))
  printf 'session { rate = %s, fps = "%s", start = "%s" }\nio.write("POS ", require("dubstage.tc").position("%s"), "\\n")\n' \
    "$1" "$2" "$5" "$6" > pos.lua
  got=$("$DS" info pos.lua 2>&1 | awk '/^POS/ { print $2 }')
  if [ "$got" = "${want}smp" ]; then ok "tc.position(\"$6\") at $2, $1 Hz (start $5) is ${want} samples in"
  else notok "tc.position(\"$6\") at $2, $1 Hz" "got $got, want ${want}smp"; fi
}
position 48000 23.976 24000 1001 "01:00:00:00" "01:00:10:05"
position 44100 29.97 30000 1001 "00:59:00:00" "01:13:27:29"
position 44100 23.976 24000 1001 "00:00:00:00" "10:00:00:01"

cat > arith.lua <<'LUA'
session { rate = 48000, fps = "29.97", start = "00:59:50;00" }
local tc = require "dubstage.tc"
io.write("A ", tc.add("00:59:59;29", 1), " ", tc.add("01:00:59;29", 1), " ", tc.add("01:01:00;02", -1), " ",
  tc.diff("01:00:59;29", "01:01:00;02"), " ", tc.diff("01:00:00;00", "01:10:00;00"), "\n")
LUA
got=$("$DS" info arith.lua 2>&1 | awk '/^A / { $1 = ""; print substr($0, 2) }')
if [ "$got" = "01:00:00;00 01:01:00;02 01:00:59;29 1 17982" ]; then
  ok "tc.add and tc.diff across drop-frame minutes ($got)"
else notok "tc.add and tc.diff across drop-frame minutes" "got '$got'"; fi

# reels: session 00:59:50:00 at 24 fps, reel 1 (own 01:00:00:00) placed at
# 01:00:00:00 for 20 s, a 1 s gap, reel 2 (own 02:00:00:00): reel 2's
# 02:00:01:00 is 10 + 20 + 1 + 1 = 32 s into the session
cat > reels.lua <<'LUA'
session { rate = 48000, fps = "24", start = "00:59:50:00", length = 36 }
local tc = require "dubstage.tc"
local reels = tc.reels { at = "01:00:00:00", gap = 1, { "R1", length = "00:00:20:00" }, { "R2", length = "00:00:10:00" } }
local a, b = bus "A" { channels = 1 }, bus "B" { channels = 1 }
track "DIA" { channels = 1, to = a }:clip { "media/dx/1st-v-ven.ogg", at = reels.at("R2", "02:00:01:00") }
track "REF" { channels = 1, to = b }:clip { "media/dx/1st-v-ven.ogg", at = 0 }
io.write("R2START ", reels.start("R2"), "\n")
output { "out/a.wav", from = a, format = "wav32f" }
output { "out/b.wav", from = b, format = "wav32f" }
LUA
render "tc.reels renders" reels.lua
first() { sox "$1" -t dat - 2>/dev/null | awk 'NR > 2 && $2 != 0 { printf "%d", $1 * 48000 + 0.5; exit }'; }
a=$(first out/a.wav) b=$(first out/b.wav)
want=$(python3 -c 'print(32 * 48000)')
start=$(printf '%s\n' "$out" | awk '/^R2START/ { print $2 }')
if [ -n "$a" ] && [ $((a - b)) -eq "$want" ] && [ "$start" = "$((31 * 48000))smp" ]; then
  ok "tc.reels: reel 2's own 02:00:01:00 is sample $want of the joined session (the line's first sound at $a, $b when at 0); reel 2 starts at $start"
else notok "tc.reels: reel 2's 02:00:01:00 lands on sample $want" "onsets $a and $b, reel 2 starts at '$start'"; fi
