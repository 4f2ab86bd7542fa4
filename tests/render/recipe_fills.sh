#!/bin/sh
# recipe_fills.sh - dubstage.fills on the demo's recordings: four dialogue
# lines checkerboarded over two tracks, room tone filled from the start,
# between them and to the finish, looped from a 3 s stretch of the
# droning_long ambience (an 8012 Hz file: after the engine resamples it
# there is nothing in it above 4 kHz).
#   - no gap: in every gap between lines, and from the start to the first
#     and the last to the finish, every 20 ms window of the fill track is
#     within 6 dB of the fill's median window level (SoX), never silent
#     (but for the fill's fade-in at the start and fade-out at the finish);
#     the longest gap (9 s) needs several loop pieces, so their joins are
#     measured too;
#   - no click: a click is broadband, so the fill's energy above 5 kHz
#     (SoX's sinc high-pass) must peak at least 60 dB under the fill's own
#     peak; the same stretch of tone butt-joined without crossfades, in the
#     same render, must come within 40 dB of its peak there (the detector
#     finds a click when there is one);
#   - checkerboard: lines 1 and 3 are on track A and 2 and 4 on B (each
#     track sounds during its own lines and is silent during the others').
T=recipe_fills
. tests/render/lib/common.sh
. "$OLDPWD/tests/render/lib/recipes.sh"

cat > fills.lua <<'LUA'
session { rate = 48000, length = 26 }
local fills = require "dubstage.fills"
local dx = bus "DX" { channels = 1 }
local ta, tb = track "DIA A" { channels = 1, to = dx }, track "DIA B" { channels = 1, to = dx }
local lines = fills.checkerboard({ ta, tb }, {
  { "media/dx/1st-m-cotobylo.ogg", at = 1, fade_in = 0.01, fade_out = 0.05 },
  { "media/dx/1st-v-netusim.ogg", at = 3.6, fade_in = 0.01, fade_out = 0.05 },      -- a 1 s gap
  { "media/dx/1st-v-ven.ogg", at = 5.7, fade_in = 0.01, fade_out = 0.05 },          -- 0.4 s
  { "media/dx/1st-m-pockej.ogg", at = 17, fade_in = 0.01, fade_out = 0.05 },        -- 9 s
})
local tone = track "FILL" { channels = 1 }
local made = fills.room_tone(tone, lines, { "media/amb/droning_long.ogg", channel = 1, from = 5, loop = 3,
                                            gain = -20, crossfade = 0.5, overlap = 0.1, start = 0, finish = 25 })
-- the control: the same tone butt-joined, no fades
local butt = track "BUTT" { channels = 1 }
butt:clip { "media/amb/droning_long.ogg", channel = 1, at = 0, from = 5, length = 3 }
butt:clip { "media/amb/droning_long.ogg", channel = 1, at = 3, from = 5, length = 3 }
for _, c in ipairs(lines) do io.write(("LINE %.6f %.6f\n"):format(c.at, c.finish)) end
io.write("PIECES ", #made, "\n")
output { "out/fill.wav", from = tone, format = "wav32f" }
output { "out/butt.wav", from = butt, format = "wav32f" }
output { "out/a.wav", from = ta, format = "wav32f" }
output { "out/b.wav", from = tb, format = "wav32f" }
LUA
render "fills renders" fills.lua
printf '%s\n' "$out" | awk '/^LINE/ { print $2, $3 }' > lines
pieces=$(printf '%s\n' "$out" | awk '/^PIECES/ { print $2 }')

# the gaps: 0 to line 1, between lines, line 4 to 25 s (less the fill's own
# fade in and out over `overlap` at the start and the finish, where no line
# covers them)
gaps=$(awk 'BEGIN { prev = 0.1 } { printf "%s %s\n", prev, $1; prev = $2 } END { printf "%s 24.9\n", prev }' lines)
sox out/fill.wav -t dat - 2>/dev/null | awk 'NR > 2 { s += $2 * $2; n++; if (n == 960) { print s / 960; s = 0; n = 0 } }' > win
printf '%s\n' "$gaps" | awk -v W=0.02 'NR == FNR { lo[NR] = $1; hi[NR] = $2; ng = NR; next }
  { t = (FNR - 1) * W; for (g = 1; g <= ng; g++) if (t >= lo[g] && t + W <= hi[g]) { print $1; break } }' - win > inside
med=$(sort -g inside | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }')
res=$(awk -v med="$med" '{ n++; d = $1 > 0 ? 10 * log($1 / med) / log(10) : -200; if (n == 1 || d < worst) worst = d }
  END { printf "%d %.2f %.1f\n", n, worst, 10 * log(med) / log(10) }' inside)
set -- $res
if [ "$pieces" -ge 7 ] && [ "$1" -gt 600 ] && le -6 "$2"; then
  ok "fills.room_tone: no gap: $1 windows of 20 ms in the 5 gaps, the quietest $2 dB from the median ($3 dBFS), over $pieces pieces"
else notok "fills.room_tone: no gap" "$pieces pieces, $1 windows, the quietest $2 dB from the median ($3 dBFS)"; fi

# HF above 5 kHz against the file's own peak, dB
hf() {
  awk -v h="$(sox "$1" -n sinc -n 16384 5000 stats 2>&1 | awk '/^Pk lev dB/ { print $4 == "-inf" ? -200 : $4; exit }')" \
      -v p="$(sox "$1" -n stats 2>&1 | awk '/^Pk lev dB/ { print $4; exit }')" 'BEGIN { printf "%.1f", h - p }'
}
f=$(hf out/fill.wav) b=$(hf out/butt.wav)
if le "$f" -60 && ! le "$b" -40; then
  ok "fills.room_tone: no click: the fill above 5 kHz peaks $f dB under its own peak (60 required), a butt join of the same tone $b dB"
else notok "fills.room_tone: no click at the joins" "the fill above 5 kHz peaks $f dB under its peak, the butt join $b dB (the detector must see that one)"; fi

# checkerboard: each line's middle 0.2 s on its own track and not the other
bad=
i=0
while read -r at fin; do
  i=$((i + 1))
  mid=$(awk -v a="$at" -v f="$fin" 'BEGIN { printf "%.3f", (a + f) / 2 - 0.1 }')
  if [ $((i % 2)) -eq 1 ]; then own=a other=b; else own=b other=a; fi
  o=$(rms_db out/$own.wav "$mid" 0.2) x=$(rms_db out/$other.wav "$mid" 0.2)
  if le "$o" -60 || ! le "$x" -150; then bad="$bad line $i ($own $o dB, $other $x dB);"; fi
done < lines
if [ -z "$bad" ] && [ "$i" -eq 4 ]; then ok "fills.checkerboard: lines 1 and 3 on track A, 2 and 4 on B"
else notok "fills.checkerboard: alternate lines on alternate tracks" "$i lines;$bad"; fi
