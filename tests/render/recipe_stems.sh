#!/bin/sh
# recipe_stems.sh - dubstage.stems on the demo's recordings (dialogue,
# score, ambience, effects), DME in stereo at the default wav24 and DME+ in
# 5.1 at wav32f: the M&E file nulls against the sum of the non-dialogue
# stem files (MX + FX, and FOL + BG in DME+), and the printmaster against
# M&E + DX, both below -120 dBFS peak, summed and measured by SoX (every
# channel); the M&E carries no dialogue (a render with only the dialogue
# track leaves it silent, while the printmaster is not). Levels as the
# demo sets them, under 0 dBFS: SoX reads float files into integers, so a
# sample over full scale would be clipped before the sum. dubstage.dme, built
# on it, still writes its four files.
T=recipe_stems
. tests/render/lib/common.sh
. "$OLDPWD/tests/render/lib/recipes.sh"

# null_db FILE OTHER... : peak dBFS of FILE minus the OTHERs (SoX, every channel)
null_db() {
  first=$1
  shift
  set -- $(for f in "$@"; do printf -- '-v -1 %s ' "$f"; done)
  sox -m -v 1 "$first" "$@" -n stats 2>&1 | awk '/^Pk lev dB/ { v = $4 == "-inf" ? -200 : $4; print v; exit }'
}
mix() { # KIND LAYOUT FORMAT DIALOGUE_ONLY
  cat <<LUA
session { rate = 48000, length = 20 }
local stems = require "dubstage.stems"
local s = stems.layout { "$1", layout = "$2", format = "$3" }
local dia = track "DIA" { channels = 1, to = s.dx }
dia:clip { "media/dx/k1-v-citis.ogg", at = 0.5, gain = -5.5 }
dia:clip { "media/dx/pot-v-plav.ogg", at = 11, gain = -7.5 }
if not $4 then
  track "SCORE" { channels = 2, to = s.mx, gain = -3 }:clip { "media/mx/underground.ogg", at = 0, from = 34, gain = -10 }
  track "HITS" { channels = 2, to = s.fx }:clip { "media/fx/big_explosion.ogg", at = 3, gain = -6 }
  track "STEPS" { channels = 2, to = s.fol or s.fx }:clip { "media/fx/door3-open.ogg", at = 8, gain = -10 }
  track "AMB" { channels = 2, to = s.bg or s.fx }:clip { "media/amb/minepump03.ogg", at = 0, from = 40, gain = -14 }
  s.fx.gain = -2
end
LUA
}
check_nulls() { # NAME NONDIALOGUE_STEMS...
  name=$1
  shift
  files=
  for st in "$@"; do files="$files out/$st.wav"; done
  d=$(null_db out/ME.wav $files)
  if le "$d" -120; then ok "$name: ME - ($*) peaks at $d dBFS (below -120)"
  else notok "$name: ME nulls against $*" "the difference peaks at $d dBFS"; fi
  d=$(null_db out/printmaster.wav out/ME.wav out/DX.wav)
  if le "$d" -120; then ok "$name: printmaster - (ME + DX) peaks at $d dBFS (below -120)"
  else notok "$name: the printmaster nulls against ME + DX" "the difference peaks at $d dBFS"; fi
  me=$(rms_db out/ME.wav) dx=$(rms_db out/DX.wav)
  if ! le "$me" -60 && ! le "$dx" -60; then ok "$name: ME ($me dB RMS) and DX ($dx dB) both carry sound"
  else notok "$name: ME and DX carry sound" "ME $me, DX $dx dB RMS"; fi
}

mix DME stereo wav24 false > dme.lua
render "stems DME stereo renders" dme.lua
check_nulls "DME stereo wav24" MX FX
ch=$(soxi -c out/ME.wav)
[ "$ch" = 2 ] && ok "DME stereo: ME is stereo" || notok "DME stereo: ME is stereo" "$ch channels"

mix DME+ 5.1 wav32f false > dmeplus.lua
render "stems DME+ 5.1 renders" dmeplus.lua
check_nulls "DME+ 5.1 wav32f" MX FX FOL BG
ch=$(soxi -c out/ME.wav)
[ "$ch" = 6 ] && ok "DME+ 5.1: ME has 6 channels" || notok "DME+ 5.1: ME has 6 channels" "$ch channels"

mix DME+ 5.1 wav32f true > dxonly.lua
render "stems with dialogue only renders" dxonly.lua
me=$(sox out/ME.wav -n stats 2>&1 | awk '/^Pk lev dB/ { print $4 }') pm=$(rms_db out/printmaster.wav)
if [ "$me" = "-inf" ] && ! le "$pm" -60; then ok "no dialogue in the M&E: dialogue alone leaves ME silent (printmaster $pm dB RMS)"
else notok "no dialogue in the M&E" "ME peaks at $me dBFS, printmaster $pm dB RMS"; fi

cat > dme_compat.lua <<'LUA'
session { rate = 48000, length = 3 }
local b = require("dubstage.dme").stems { folder = "old", prefix = "R1_" }
track "DIA" { channels = 1, to = b.dx }:clip { "media/dx/1st-v-ven.ogg", at = 0.2 }
LUA
render "dubstage.dme renders" dme_compat.lua
if [ "$(cd old && ls -- *.wav | tr '\n' ' ')" = "R1_DX.wav R1_FX.wav R1_MX.wav R1_printmaster.wav " ] &&
   le "$(null_db old/R1_printmaster.wav old/R1_DX.wav)" -120; then
  ok "dubstage.dme writes its four files as before (no M&E), the printmaster the sum of its stems"
else notok "dubstage.dme writes its four files" "$(cd old && ls -- *.wav | tr '\n' ' ')"; fi
