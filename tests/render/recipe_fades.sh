#!/bin/sh
# recipe_fades.sh - dubstage.fades.crossfade on real recordings (the
# demo's minepump ambience, a 48 kHz stereo file: no resampling between the
# clips and the reference).
#   - Three edits cut end to end out of one stretch of the recording,
#     crossfaded with "s_curve" and with "linear" at every cut: the gains
#     add up to 1 over each crossfade, so the track nulls against the
#     stretch played straight (SoX: the difference peaks below -120 dBFS):
#     the crossfades are centred on the cuts and the clips meet to the
#     sample.
#   - With "equal_power": each of the first two edits rendered alone (the
#     other's clip gain at -math.huge); over the first crossfade the
#     squares of the two add up to the square of the straight recording
#     (sin^2 + cos^2 = 1), every sample where the recording is above
#     -60 dBFS, within 1e-4; the outgoing clip's last sound is the sample
#     before cut + L/2 and the incoming clip's first the one after cut - L/2
#     (its first sample has gain 0).
T=recipe_fades
. tests/render/lib/common.sh
. "$OLDPWD/tests/render/lib/recipes.sh"

mix() { # CURVE MUTE(0: none, k: only edit k is heard)
  cat <<LUA
session { rate = 48000, length = 12 }
local fades = require "dubstage.fades"
local a, b = bus "A", bus "B"
local xf = track "XF" { channels = 2, to = a }
local f = "media/amb/minepump03.ogg"
local clips = fades.crossfade(xf, {
  { f, at = 1, from = 40, length = 3 },
  { f, from = 43, length = 2.5 },
  { f, from = 45.5, length = 4 },
}, { length = 0.5, curve = "$1" })
for i, c in ipairs(clips) do if $2 ~= 0 and i ~= $2 then c.gain = -math.huge end end
track "STRAIGHT" { channels = 2, to = b }:clip { f, at = 1, from = 40, length = 9.5 }
output { "out/xf.wav", from = a, format = "wav32f" }
output { "out/straight.wav", from = b, format = "wav32f" }
LUA
}
null_db() {
  sox -m -v 1 "$1" -v -1 "$2" -n stats 2>&1 | awk '/^Pk lev dB/ { v = $4 == "-inf" ? -200 : $4; print v; exit }'
}
for curve in s_curve linear; do
  mix $curve 0 > $curve.lua
  render "fades.crossfade $curve renders" $curve.lua
  d=$(null_db out/xf.wav out/straight.wav)
  if le "$d" -120; then ok "fades $curve: three edits of one recording crossfaded at two cuts null against it played straight ($d dBFS)"
  else notok "fades $curve: the crossfaded edits null against the straight recording" "the difference peaks at $d dBFS"; fi
done

# equal power: the first cut is at 4 s = sample 192000, the crossfade 24000 samples
mix equal_power 1 > ep1.lua
render "equal_power, edit 1 alone" ep1.lua
mv out/xf.wav a.wav
mix equal_power 2 > ep2.lua
render "equal_power, edit 2 alone" ep2.lua
mv out/xf.wav b.wav
dat() { sox "$1" -t dat - trim 3.7 0.6 2>/dev/null | awk 'NR > 2 { print $2, $3 }'; } # 3.7 to 4.3 s: the crossfade and 0.05 s each side
dat a.wav > a.dat
dat b.wav > b.dat
dat out/straight.wav > s.dat
res=$(paste a.dat b.dat s.dat | awk '
  { n++; pos = 177600 + n - 1                       # 3.7 s = sample 177600
    if ($1 != 0 || $2 != 0) last_a = pos
    if (!first_b && ($3 != 0 || $4 != 0)) first_b = pos
    for (c = 0; c < 2; c++) {
      x = c ? $6 : $5; ga = c ? $2 : $1; gb = c ? $4 : $3
      if (x * x > 1e-6) { e = (ga * ga + gb * gb) / (x * x) - 1; if (e < 0) e = -e; if (e > worst) worst = e; m++ }
    } }
  END { printf "%d %d %g %d\n", last_a, first_b, worst, m }')
set -- $res
if [ "$1" -eq $((192000 + 12000 - 1)) ] && [ "$2" -eq $((192000 - 12000 + 1)) ]; then
  ok "fades equal_power: the crossfade is centred on the cut (the outgoing clip ends at sample $1, the incoming one sounds from $2)"
else notok "fades equal_power: the crossfade is centred on the cut" "outgoing ends at $1 (want $((192000 + 12000 - 1))), incoming from $2 (want $((192000 - 12000 + 1)))"; fi
if [ "$4" -gt 10000 ] && le "$3" 1e-4; then
  ok "fades equal_power: A^2 + B^2 equals the recording's square over the crossfade (worst relative error $3, $4 samples)"
else notok "fades equal_power: constant power over the crossfade" "worst $3 over $4 samples"; fi
