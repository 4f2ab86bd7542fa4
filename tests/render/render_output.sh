#!/bin/sh
# render_output.sh - `dubstage render --output NAME` (vm/output_select.h,
# docs/cluster.md): one deliverable of a script rendered alone.
#
# A 5.1 session with a keyed compressor (MX under DX), a reverb fed by a
# send, a bit crusher, a look-ahead limiter on the printmaster, stems, and
# a 16-bit Lo/Ro fold-down with TPDF dither:
# - each output rendered alone (by its file name, its path's tail, or its
#   name without extension; two at once) is byte for byte (cmp) the same
#   output of the whole render, the dithered fold-down included (its seed
#   is its place among all the outputs), and nothing else is written;
# - the graph is pruned: `dubstage info --output DX` lists no op of the
#   music or effects tracks, the whole graph does; MX alone keeps DX (its
#   compressor's key);
# - a render of one output leaves SCRIPT.NAME.manifest.json recording the
#   selection, and `plan --fresh` judges it: up to date with the same
#   --output, not for the whole script;
# - errors: an unknown name (did you mean, the outputs listed), a name
#   matching two outputs, --output on another command.
T=render_output
. tests/render/lib/common.sh

run() { out=$("$@" 2>&1); rc=$?; }

mkdir media
sox -V1 -n -r 48000 -b 24 -c 1 media/dx.wav synth 5 pinknoise gain -14
sox -V1 -n -r 48000 -b 24 -c 2 media/mx.wav synth 6 sine 220 sine 331 tremolo 3 60 gain -10
sox -V1 -n -r 48000 -b 24 -c 2 media/fx.wav synth 4 brownnoise gain -8
cat > mix.lua <<'EOF'
session { rate = 48000, fps = 24, start = "01:00:00:00", length = 6 }
local pm = bus "PM" { layout = "5.1" }
local dx = bus "DX" { channels = 2, to = pm }
local mx = bus "MX" { channels = 2, to = pm }
local fx = bus "FX" { channels = 2, to = pm }
local room = bus "ROOM" { channels = 2, to = pm }
room:reverb { rt60 = 1.5, size = 10 }
local d = track "DIA" { channels = 1, to = dx }
d:clip { "media/dx.wav", at = 0.5 }
d:eq { "highpass", freq = 80, order = 4 }
d:send(room, -12)
track "MUS" { channels = 2, to = mx }:clip { "media/mx.wav", at = 0 }
mx:compressor { threshold = -30, ratio = 3, knee = 0, attack = 0.005, release = 0.1, key = dx }
local f = track "EFX" { channels = 2, to = fx }
f:clip { "media/fx.wav", at = 1 }
f:bitcrush { bits = 8, rate = 11025 }
pm:limiter { ceiling = -1 }
output { "out/PM.wav", from = pm, format = "wav24" }
output { "out/stems/DX.wav", from = dx, format = "wav24" }
output { "out/stems/MX.wav", from = mx, format = "wav24" }
output { "out/stems/FX.wav", from = fx, format = "wav32f" }
output { "out/PM_LoRo16.wav", from = pm, downmix = "LoRo", format = "wav16" }
EOF
run "$DS" render mix.lua --quiet
[ $rc -eq 0 ] || { notok "the whole render" "exit $rc"; exit 1; }

# alone NAME... -> folder sel_N with only the named outputs
k=0
for sel in "PM.wav" "stems/DX.wav" "MX" "out/stems/FX.wav" "PM_LoRo16" "DX MX"; do
  k=$((k + 1))
  args=
  for s in $sel; do args="$args --output $s"; done
  # shellcheck disable=SC2086
  run "$DS" render mix.lua --quiet --out "sel$k" $args
  want=
  for s in $sel; do
    case $s in PM.wav) f=PM.wav ;; PM_LoRo16) f=PM_LoRo16.wav ;; *) f=$(basename "$s" .wav).wav ;; esac
    want="$want $f"
  done
  got=$(cd "sel$k" 2>/dev/null && ls ./*.wav | sed 's|^\./||' | tr '\n' ' ')
  same=1
  for f in $want; do
    case $f in PM.wav|PM_LoRo16.wav) ref=out/$f ;; *) ref=out/stems/$f ;; esac
    cmp -s "$ref" "sel$k/$f" || same=0
  done
  nwant=$(echo $want | wc -w)
  ngot=$(echo $got | wc -w)
  if [ $rc -eq 0 ] && [ $same -eq 1 ] && [ "$ngot" -eq "$nwant" ]; then
    ok "render --output $(echo $sel | sed 's/ / --output /g'): only$want written, byte for byte the whole render's (cmp)"
  else
    notok "render --output $sel" "exit $rc, same $same, wrote '$got'"
  fi
done

# the pruned graph
# the ops the plan runs: the lines between "ops" and "units" of info
ops() { printf '%s\n' "$out" | sed -n '/^ops /,/^units /p'; }
run "$DS" info mix.lua
whole=$(ops)
run "$DS" info mix.lua --output DX
if [ $rc -eq 0 ] && printf '%s\n' "$whole" | grep -q "'EFX'" && printf '%s\n' "$whole" | grep -q "'MUS'" &&
   ! ops | grep -q "'EFX'" && ! ops | grep -q "'MUS'" && ops | grep -q "'DIA'" && ! has "not heard"; then
  ok "info --output DX: the graph has the dialogue's ops and none of the music's or the effects' (the whole graph has them), no 'not heard' warnings"
else
  notok "info --output DX prunes the graph" "exit $rc"
fi
run "$DS" info mix.lua --output MX
if [ $rc -eq 0 ] && ops | grep -q "'DIA'" && ops | grep -q "'MUS'" && ! ops | grep -q "'EFX'"; then
  ok "info --output MX keeps the dialogue (its compressor's key) and leaves the effects out"
else
  notok "info --output MX keeps the key" "exit $rc"
fi

# the manifest of a selection, and plan --fresh
m=sel2/mix.DX.manifest.json
if [ -f "$m" ] && python3 - "$m" <<'EOF'
import json, sys
m = json.load(open(sys.argv[1]))
assert m["options"]["outputs"] == "DX", m["options"]
assert [o["path"].split("/")[-1] for o in m["outputs"]] == ["DX.wav"], m["outputs"]
EOF
then
  ok "render --output DX leaves mix.DX.manifest.json, recording the selection and its one output"
else
  notok "the manifest of a selection" "$(ls sel2)"
fi
run "$DS" plan --fresh mix.lua --out sel2 --output stems/DX.wav
r1=$rc
run "$DS" plan --fresh mix.lua --out sel2
if [ $r1 -eq 0 ] && [ $rc -eq 1 ] && has "not rendered yet"; then
  ok "plan --fresh --output DX --out sel2: up to date; the whole script into sel2: to render"
else
  notok "plan --fresh judges a selection's render" "exit $r1 and $rc"
fi

# errors
run "$DS" render mix.lua --output DXX --out e
if [ $rc -eq 2 ] && has "--output 'DXX'" "did you mean 'DX'" "PM.wav, DX.wav, MX.wav, FX.wav, PM_LoRo16.wav" && [ ! -e e ]; then
  ok "an unknown --output: did you mean, and the outputs listed; nothing written"
else
  notok "an unknown --output" "exit $rc, message lacks '$missing'"
fi
mkdir twin
cp media/dx.wav twin/
cat > twin/twin.lua <<'EOF'
session { rate = 48000, length = 1 }
local a = bus "A" { channels = 1 }
track "T" { channels = 1, to = a }:clip { "dx.wav", at = 0 }
output { "out/a/PM.wav", from = a }
output { "out/b/PM.wav", from = a, format = "wav16" }
EOF
run "$DS" render twin/twin.lua --output PM.wav
if [ $rc -eq 2 ] && has "names more than one output" "give more of its path" && [ ! -e twin/out ]; then
  ok "a name matching two outputs is refused (give more of its path)"
else
  notok "a name matching two outputs is refused" "exit $rc"
fi
run "$DS" render twin/twin.lua --output b/PM.wav --quiet
if [ $rc -eq 0 ] && [ -f twin/out/b/PM.wav ] && [ ! -e twin/out/a/PM.wav ]; then
  ok "... and b/PM.wav names one of them"
else
  notok "b/PM.wav names one of them" "exit $rc"
fi
run "$DS" check mix.lua --output DX
if [ $rc -eq 2 ] && has "--output is an option of render"; then
  ok "--output on check is refused"
else
  notok "--output on check is refused" "exit $rc"
fi
