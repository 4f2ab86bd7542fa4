#!/bin/sh
# recipe_futz.sh - dubstage.futz on real speech (Fish Fillets NG lines from
# the demo's media): each kind keeps what it promises, that the response
# outside its band is at least `stop` dB down (telephone: outside
# 300-3400 Hz, 30 dB). Measured with SoX, not dubstage: each futzed track
# is compared with a reference track in the same render that has the same
# clips through the same preset's squash (compressor), saturator, bit
# crusher and room (reverb), read from futz.presets, and no band filters;
# the compressor, the saturator and the crusher come first on both, so they
# do the same to both, and what
# is left between the two files is the filters' response. In every third-octave-wide band outside the
# band (from 20 Hz, and up to 11 kHz: the recordings are at 22.05 kHz), the
# futzed file's RMS through SoX's sinc band-pass is at least `stop` dB under
# the reference's (bands where the reference is under -120 dBFS are
# skipped); in the middle of the band (1-2 kHz) it is within 6 dB of it
# (the voice passes).
T=recipe_futz
. tests/render/lib/common.sh
. "$OLDPWD/tests/render/lib/recipes.sh"

for kind in telephone walkie radio tv; do
  cat > $kind.lua <<LUA
session { rate = 48000, length = 22 }
local futz = require "dubstage.futz"
local preset = futz.presets.$kind
local a, b = bus "A" { channels = 1 }, bus "B" { channels = 1 }
local wet = track "WET" { channels = 1, to = a }
local ref = track "REF" { channels = 1, to = b }
for _, t in ipairs { wet, ref } do
  t:clip { "media/dx/k1-v-citis.ogg", at = 0.2 }
  t:clip { "media/dx/pot-v-plav.ogg", at = 10 }
  t:clip { "media/dx/1st-m-pockej.ogg", at = 16 }
  t:clip { "media/dx/k1-m-lebku.ogg", at = 19 }
end
futz.$kind(wet)
if preset.squash then ref:compressor(preset.squash) end
if preset.saturate then ref:saturate(preset.saturate) end
if preset.crush then ref:bitcrush(preset.crush) end
if preset.room then ref:reverb(preset.room) end
output { "out/wet.wav", from = a, format = "wav32f" }
output { "out/ref.wav", from = b, format = "wav32f" }
io.write(("BAND %g %g %g\n"):format(preset.band[1], preset.band[2], preset.stop))
LUA
  render "futz.$kind renders" $kind.lua
  set -- $(printf '%s\n' "$out" | awk '/^BAND/ { print $2, $3, $4 }')
  low=$1 high=$2 stop=$3
  worst=-999 at=
  bands=$(awk -v lo="$low" -v hi="$high" 'BEGIN {
    f = 20; while (f < lo * 0.99) { g = f * 1.26; if (g > lo * 0.99) g = lo * 0.99; printf "%.1f-%.1f\n", f, g; f = g }
    f = hi * 1.006; while (f < 11000) { g = f * 1.26; if (g > 11000) g = 11000; printf "%.1f-%.1f\n", f, g; f = g } }')
  n=0
  for band in $bands; do
    l=${band%-*} h=${band#*-}
    r=$(band_db out/ref.wav "$l" "$h")
    le "$r" -120 && continue
    w=$(band_db out/wet.wav "$l" "$h")
    d=$(awk -v a="$w" -v b="$r" 'BEGIN { printf "%.1f", a - b }')
    n=$((n + 1))
    if awk -v d="$d" -v m="$worst" 'BEGIN { exit !(d > m) }'; then worst=$d at=$band; fi
  done
  if [ $n -ge 8 ] && le "$worst" "-$stop"; then
    ok "futz.$kind: every one of $n bands outside $low-$high Hz is at least $stop dB down (the least: $worst dB at $at Hz)"
  else
    notok "futz.$kind: outside $low-$high Hz at least $stop dB down" "$n bands measured, the least attenuated $worst dB at $at Hz"
  fi
  mid=$(awk -v a="$(band_db out/wet.wav 1000 2000)" -v b="$(band_db out/ref.wav 1000 2000)" 'BEGIN { printf "%.1f", a - b }')
  if within "$mid" 0 6; then ok "futz.$kind: the voice passes at 1-2 kHz ($mid dB against the reference)"
  else notok "futz.$kind: the voice passes at 1-2 kHz" "$mid dB against the reference"; fi
done
