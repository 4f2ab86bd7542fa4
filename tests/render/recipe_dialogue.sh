#!/bin/sh
# recipe_dialogue.sh - dubstage.dialogue on real speech (the demo's Czech
# Fish Fillets NG lines, at the demo's clip gains): for each preset, the
# de-esser takes 5-9 kHz energy out of sibilant passages and leaves vowels
# alone. Each preset's chain is rendered twice in one session: as shipped
# (WET) and with `deesser = false` (REF). The de-esser is the last insert,
# so WET is REF times the de-esser's gain, and REF is the speech the
# de-esser hears.
#
# How the passages are found (on REF, by analysis, not by hand): REF is
# split by SoX's sinc band-passes into 5-9 kHz (HF) and 200-3000 Hz (LF);
# in 20 ms windows, a window is sibilant when HF is above -50 dBFS and at
# least as strong as LF (a fricative: "s", "sh", "c" in Czech), and a vowel
# when LF is above -40 dBFS and HF at least 25 dB under it, and no window
# with HF above -50 dBFS (where the de-esser may act: its thresholds are
# -34 to -38 dB of peak level) lies within 200 ms (ten times the de-esser's
# 20 ms release: its gain is broadband and recovers over it). Then over
# all windows of each kind, the 5-9 kHz energy of WET against REF (SoX
# again): sibilant passages at least 2 dB down, vowels within 0.05 dB. Each
# kind must have at least 10 windows.
T=recipe_dialogue
. tests/render/lib/common.sh
. "$OLDPWD/tests/render/lib/recipes.sh"

for preset in interview boom lav; do
  cat > $preset.lua <<LUA
session { rate = 48000, length = 30 }
local dialogue = require "dubstage.dialogue"
local a, b = bus "A" { channels = 1 }, bus "B" { channels = 1 }
local wet = track "WET" { channels = 1, to = a }
local ref = track "REF" { channels = 1, to = b }
for _, t in ipairs { wet, ref } do
  t:clip { "media/dx/k1-v-citis.ogg", at = 0.2, gain = -5.5 }
  t:clip { "media/dx/pot-v-plav.ogg", at = 10, gain = -7.5 }
  t:clip { "media/dx/pot-m-zatuch.ogg", at = 16, gain = -7.5 }
  t:clip { "media/dx/k1-m-kolebku.ogg", at = 19, gain = -7.5 }
  t:clip { "media/dx/pot-v-nikdo.ogg", at = 22, gain = -5.5 }
  t:clip { "media/dx/1st-m-pockej.ogg", at = 26, gain = -7.5 }
end
dialogue.chain(wet, "$preset")
dialogue.chain(ref, "$preset", { deesser = false })
output { "out/wet.wav", from = a, format = "wav32f" }
output { "out/ref.wav", from = b, format = "wav32f" }
LUA
  render "dialogue.chain $preset renders" $preset.lua
  # per 20 ms window (960 samples): index, HF dB, LF dB of REF
  for f in ref wet; do
    sox out/$f.wav -t dat - sinc -n 16384 5000-9000 2>/dev/null |
      awk 'NR > 2 { s += $2 * $2; n++; if (n == 960) { printf "%.6g\n", s; s = 0; n = 0 } }' > $f.hf
  done
  sox out/ref.wav -t dat - sinc -n 16384 200-3000 2>/dev/null |
    awk 'NR > 2 { s += $2 * $2; n++; if (n == 960) { printf "%.6g\n", s; s = 0; n = 0 } }' > ref.lf
  paste ref.hf ref.lf wet.hf | awk '
    function db(e) { return e > 0 ? 10 * log(e / 960) / log(10) : -200 }
    { hf[NR] = db($1); lf[NR] = db($2); rh[NR] = $1; wh[NR] = $3; n = NR
      sib[NR] = hf[NR] > -50 && hf[NR] >= lf[NR]; act[NR] = hf[NR] > -50 }
    END {
      for (i = 1; i <= n; i++) {
        if (sib[i]) { ns++; rs += rh[i]; ws += wh[i]; continue }
        if (!(lf[i] > -40 && hf[i] < lf[i] - 25)) continue
        near = 0
        for (j = i - 10; j <= i + 10; j++) if (j >= 1 && j <= n && act[j]) near = 1
        if (near) continue
        nv++; rv += rh[i]; wv += wh[i]
      }
      printf "%d %.3f %d %.4f\n", ns, ns ? 10 * log(ws / rs) / log(10) : 0, nv, nv ? 10 * log(wv / rv) / log(10) : 0
    }' > result
  read ns sd nv vd < result
  if [ "$ns" -ge 10 ] && le "$sd" -2; then
    ok "dialogue $preset: the de-esser takes $sd dB of 5-9 kHz energy out of $ns sibilant windows (20 ms)"
  else
    notok "dialogue $preset: the de-esser reduces sibilance by 2 dB or more" "$ns sibilant windows, $sd dB"
  fi
  if [ "$nv" -ge 10 ] && within "$vd" 0 0.05; then
    ok "dialogue $preset: and leaves $nv vowel windows as they are ($vd dB at 5-9 kHz)"
  else
    notok "dialogue $preset: the de-esser leaves vowels alone" "$nv vowel windows, $vd dB"
  fi
done
