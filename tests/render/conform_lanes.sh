#!/bin/sh
# conform_lanes.sh - every kind of automation lane follows a re-cut
# (docs/conform.md "What moves, and how"): a VCA's gain, an EQ band's gain
# (an S-curve ramp) and frequency (a curve by points, running across the
# change), a track's gain (a curve by points wholly after it), its trim (a
# target) and the fader sum.
#
# The cut: three 4 s shots; the new cut trims 1 s off the second's head, so
# from 01:00:04:00 on the new cut is the old one 1 s (24 frames) later and
# 01:00:04:00-01:00:05:00 of the old is gone. `dubstage automation --csv`
# (a row per frame) of the conformed script against the old script's: new
# frame k has old frame k's values before 01:00:04:00 and old frame k + 24's
# after, for every lane, to the printed precision; the report lists the
# moves at their new times and the curve cut by the change to review.
set -u
T=conform_lanes
. tests/render/lib/common.sh
sox -V1 -n -r 48000 -c 1 a.wav synth 13 sine 440 vol 0.3
printf '001  A001     V     C        10:00:00:00 10:00:04:00 01:00:00:00 01:00:04:00\n002  A002     V     C        11:00:00:00 11:00:04:00 01:00:04:00 01:00:08:00\n003  A003     V     C        12:00:00:00 12:00:04:00 01:00:08:00 01:00:12:00\n' > v1.edl
printf '001  A001     V     C        10:00:00:00 10:00:04:00 01:00:00:00 01:00:04:00\n002  A002     V     C        11:00:01:00 11:00:04:00 01:00:04:00 01:00:07:00\n003  A003     V     C        12:00:00:00 12:00:04:00 01:00:07:00 01:00:11:00\n' > v2.edl
cat > old.lua <<'LUA'
session { rate = 48000, fps = "24", start = "01:00:00:00", length = 12 }
local bus = bus "B" { channels = 1 }
local t = track "T" { channels = 1, to = bus }
t:clip { "a.wav", at = "01:00:00:00", length = 12 }
local v = vca "V" { members = { t }, gain = 0 }
local pk = t:eq { "peak", freq = 3000, gain = 3, q = 1 }
v.gain:ramp { at = "01:00:09:00", to = -6, over = 1 }
pk.gain:ramp { at = "01:00:10:00", to = -3, over = 1, shape = "s_curve" }
pk.freq:curve { at = "01:00:03:00", over = 3, values = { 1000, 4000, 2000, 3000 } }
t.gain:curve { at = "01:00:05:12", over = 1, values = { 0, -10, -3 } }
t.trim:target { at = "01:00:06:00", to = -4, tau = 0.2 }
output { "out/m.wav", from = bus }
LUA
{ cat old.lua; echo 'conform { from = edl "v1.edl", to = edl "v2.edl" }'; } > new.lua
"$DS" automation old.lua --csv old.csv >/dev/null 2>&1 || notok "automation --csv of the old mix" "failed"
"$DS" automation new.lua --csv new.csv >/dev/null 2>&1 || notok "automation --csv of the conformed mix" "failed"
out=$(python3 - <<'PY'
import csv
o = list(csv.reader(open('old.csv'))); n = list(csv.reader(open('new.csv')))
ho, hn = o[0], n[0]
lanes = [c for c in hn[3:]]
bad, rows = [], 0
for col in lanes:
    if col not in ho:
        bad.append('%s missing in the old lanes' % col); continue
    ci, co = hn.index(col), ho.index(col)
    for k, row in enumerate(n[1:]):
        ko = k if k < 96 else k + 24
        if ko + 1 >= len(o): break
        rows += 1
        if row[ci] != o[ko + 1][co]:
            bad.append('%s at %s: %s, the old lane at %s: %s' % (col, row[0], row[ci], o[ko + 1][0], o[ko + 1][co]))
print('lanes %s rows %d bad %d' % (' '.join(lanes), rows, len(bad)))
for b in bad[:5]: print(b)
PY
)
case $out in
  "lanes vca:V.gain T.gain T.trim T.eq1.freq T.eq1.gain T.fader rows "*" bad 0")
    ok "every lane (VCA gain, EQ gain s-curve, EQ frequency curve across the change, a gain curve, a trim target, the fader sum) = the old lane at the mapped frame, frame by frame ($(echo "$out" | sed 's/.* rows \([0-9]*\) .*/\1/') lane-frames)" ;;
  *) notok "every lane follows the re-cut" "$out" ;;
esac
out=$("$DS" conform new.lua 2>&1)
has "move across a change | T.eq1.freq #1 | new.lua:9 | 01:00:05:00 | 01:00:04:00: goes on from here through its points" \
    "vca:V.gain | #1 | new.lua:7 | 01:00:09:00 | 01:00:08:00" "T.eq1.gain | #1 | new.lua:8 | 01:00:10:00 | 01:00:09:00" \
    "T.gain | #1 | new.lua:10 | 01:00:05:12 | 01:00:04:12" "T.trim | #1 | new.lua:11 | 01:00:06:00 | 01:00:05:00" &&
  ok "the report: each lane's move at its new time, the curve cut by the change listed to review" ||
  notok "the report lists every lane's move" "lacks '$missing'"
