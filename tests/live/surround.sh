#!/bin/sh
# surround.sh - offline = live (ARCHITECTURE.md property 3) with moving
# surround pans: a 5.1 printmaster fed by a mono voice flown round the room
# (pan, pan_fr, pan_spread, pan_center and pan_lfe all moving: the
# op_mix_surround stretches) and a stereo track whose width moves, played
# by `dubstage play` through a six-port JACK server (dummy backend),
# recorded by jack_rec at 32-bit (levels kept below full scale: the
# recording is integer), equals the offline render sample for
# sample on all six channels; no xrun caused by dubstage (jack_judge_xruns
# in lib/jack.sh), zero underruns; the malloc trap (build/dubstage-rtcheck)
# never fires.
set -u

BUILD=${BUILD:-build}
RT=$BUILD/dubstage-rtcheck
DS=${DUBSTAGE:-$BUILD/dubstage}
case $RT in /*) ;; *) RT=$(pwd)/$RT ;; esac
case $DS in /*) ;; *) DS=$(pwd)/$DS ;; esac
WAVCMP=$(pwd)/$BUILD/tools/wavcmp
. tests/live/lib/jack.sh
. tests/live/lib/pieces.sh
JACK_PERIOD=${JACK_PERIOD:-1024} # as play.sh: the dummy server runs without realtime priority
JACK_CHANNELS=6
live_prelude "live surround" surround

sox -V1 -n -r 48000 -c 2 "$W/pad.wav" synth 8 sine 220 sine 330 fade 0.5 8 0.5 vol 0.3
cat >"$W/surround.lua" <<LUA
session { rate = 48000, length = 8 }
local pm = bus "PM" { layout = "5.1" }
local v = track "VOICE" { channels = 1, to = pm, pan = -1, pan_fr = 1, pan_lfe = -20, gain = -8 }
v:clip { "$media/dx/1st-m-pockej.ogg", at = 0.2 }
v:clip { "$media/dx/1st-v-netusim.ogg", at = 2.5 }
v.pan:ramp { at = 0.5, to = 1, over = 3 }
v.pan_fr:ramp { at = 1, to = -1, over = 4, shape = "s_curve" }
v.pan_spread:ramp { at = 4, to = 0.6, over = 1.5 }
v.pan_center:ramp { at = 5, to = 0, over = 1 }
v.pan_lfe:ramp { at = 6, to = -6, over = 0.5 }
local m = track "PAD" { channels = 2, to = pm, pan_fr = 0.5, gain = -6 }
m:clip { "pad.wav", at = 0 }
m.pan_width:ramp { at = 2, to = 0.2, over = 3 }
output { "pm.wav", from = pm, format = "wav32f" }
LUA
if ! "$DS" render "$W/surround.lua" --allow-paths --out "$W/ref" --quiet 2>"$W/render.err"; then
  echo "not ok - live surround: the offline render failed: $(head -3 "$W/render.err")"
  exit 1
fi
jack_start "$W" || { echo "not ok - live surround: $jack_error"; exit 1; }

name="play a 5.1 mix with moving surround pans"
if ! jack_record_playback "$W/rec.wav" 17; then
  echo "not ok - $name: $jack_error"
  exit 1
fi
jack_xrun_mark
"$RT" play "$W/surround.lua" --allow-paths --device JACK --to 7 >"$W/play.out" 2>"$W/play.err"
st=$?
jack_record_stop || { echo "not ok - $name: $jack_error"; exit 1; }
if [ $st -ne 0 ]; then
  echo "not ok - $name: dubstage play exited with $st: $(head -5 "$W/play.err")"
  exit 1
fi
if grep -q "malloc in the audio callback" "$W/play.err"; then
  echo "not ok - $name: the malloc trap fired: $(grep malloc "$W/play.err" | head -2)"
else
  echo "ok - $name: the malloc trap never fired"
fi
jack_judge_xruns "$name" "$(grep '^ran' "$W/play.err")"
live_compare "$name" "$W/ref/pm.wav" "$W/rec.wav" 7 17 "the six channels recorded equal the offline render"
