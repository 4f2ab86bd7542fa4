#!/bin/sh
# delivery.sh - deliver { } and its judging (docs/delivery.md), on real
# recordings from Debian packages: Fish Fillets NG's Czech dialogue
# (fillets-ng-data-cs) over a Battle for Wesnoth score (wesnoth-1.16-music).
#
# - A hot mix (the score raised until its peaks pass 0 dBTP; written as
#   float, which keeps them, as the meter reads the signal before an
#   integer format's rounding and clipping) fails ebu-r128: the report names the measure, its value and its limit,
#   and the values it prints agree with ffmpeg's ebur128 on the file written
#   (integrated 0.2 LU, true peak 0.3 dB: ffmpeg prints one decimal).
# - The same mix with the printmaster's fader set from the first render's
#   reading (-23 - I) passes ebu-r128: a fader shifts BS.1770 loudness by
#   exactly its gain.
# - Dialogue-anchored (dialogue-27): the dialogue bus is measured although
#   no file is written from it, and its reading agrees with ffmpeg's on the
#   DX stem written by the same mix with an output added (0.2 LU).
# - Spec tables: each mistake gives the script line, the field and the
#   accepted range, or the closest name.
T=delivery
. tests/render/lib/common.sh

ROOT=$OLDPWD
. "$ROOT/tests/render/lib/delivery_mix.sh"

# ---- a hot mix fails, naming the measure ----
mix hot.lua 6 0 0 'deliver { "out/PM.wav", from = pm, spec = "ebu-r128", format = "wav32f" }'
out=$("$DS" render hot.lua 2>&1); rc=$?
tp=$(judged "true peak"); i=$(judged integrated)
if [ $rc -ne 0 ]; then notok "hot mix renders" "exit status $rc"
elif ! has "deliverable out/PM.wav  spec ebu-r128: FAIL" "FAIL  true peak +" "dBTP > -1.0 dBTP" \
        "FAIL  integrated " "LUFS > -22.5 LUFS"; then notok "hot mix: the report names each measure missed and its limit" "lacks '$missing'"
else ok "hot mix: ebu-r128 FAIL, true peak $tp dBTP > -1.0 and integrated $i LUFS > -22.5 named"; fi
f_tp=$(ffmpeg_reads out/PM.wav TP); f_i=$(ffmpeg_reads out/PM.wav I)
if near "$tp" "$f_tp" 0.3 && near "$i" "$f_i" 0.2; then ok "hot mix: judged values agree with ffmpeg ebur128 (TP $tp/$f_tp, I $i/$f_i)"
else notok "hot mix: judged values agree with ffmpeg ebur128" "dubstage TP '$tp' I '$i', ffmpeg TP '$f_tp' I '$f_i'"; fi

# ---- the same material brought to -23 LUFS by the printmaster's fader passes ----
mix level.lua -14 0 0 'deliver { pm, spec = "ebu-r128" }'
out=$("$DS" render level.lua 2>&1)
i0=$(judged integrated)
pm_db=$(awk -v i="$i0" 'BEGIN { printf "%.2f", -23 - i }')
mix ok.lua -14 "$pm_db" 0 'deliver { "out/PM.wav", from = pm, spec = "ebu-r128" }'
out=$("$DS" render ok.lua 2>&1); rc=$?
i=$(judged integrated)
if [ $rc -eq 0 ] && has "deliverable out/PM.wav  spec ebu-r128: pass" "pass  integrated" "pass  true peak" &&
   ! has "FAIL"; then ok "PM fader $pm_db dB (from I $i0): ebu-r128 passes at $i LUFS"
else notok "PM fader $pm_db dB (from I $i0): ebu-r128 passes" "exit $rc"; fi
f_i=$(ffmpeg_reads out/PM.wav I)
if near "$i" "$f_i" 0.2 && near "$i" -23 0.5; then ok "the levelled PM reads $i LUFS, ffmpeg $f_i"
else notok "the levelled PM reads about -23 LUFS" "dubstage '$i', ffmpeg '$f_i'"; fi

# ---- dialogue-anchored: the dialogue bus metered without a file ----
mix dia.lua -14 0 -12 'deliver { "out/PM.wav", from = pm, spec = "dialogue-27", dialogue = dx }'
out=$("$DS" render dia.lua 2>&1); rc=$?
dia=$(judged dialogue)
if [ $rc -eq 0 ] && has "spec dialogue-27: pass" "pass  dialogue " "(on 'DX')" "pass  true peak" &&
   [ "$(ls out | grep -v "\.manifest\.json$")" = PM.wav ]; then ok "dialogue-27: DX measured ($dia LUFS) with no DX file written"
else notok "dialogue-27: DX measured with no DX file written" "exit $rc, out/: $(ls out | tr '\n' ' ')"; fi
"$DS" render dia.lua --block 64 --threads 1 > block64.txt 2>&1
if [ "$(grep -E '^ +(pass|FAIL) ' block64.txt)" = "$(printf '%s\n' "$out" | grep -E '^ +(pass|FAIL) ')" ]; then
  ok "the judgement is the same at --block 64 --threads 1 (the meter on DX included)"
else notok "the judgement is the same at --block 64 --threads 1" "$(grep dialogue block64.txt)"; fi
mix dia_stem.lua -14 0 -12 'output { "out/DX.wav", from = dx }'
"$DS" render dia_stem.lua --quiet
f_dia=$(ffmpeg_reads out/DX.wav I)
if near "$dia" "$f_dia" 0.2; then ok "the unwritten dialogue bus reads $dia LUFS, ffmpeg reads its stem $f_dia"
else notok "the unwritten dialogue bus agrees with ffmpeg on its stem" "dubstage '$dia', ffmpeg '$f_dia'"; fi
mix dia_hot.lua -14 0 0 'deliver { pm, spec = "dialogue-27", dialogue = dx }'
out=$("$DS" render dia_hot.lua 2>&1)
if has "spec dialogue-27: FAIL" "FAIL  dialogue " "LUFS > -25.0 LUFS (on 'DX')"; then ok "dialogue-27: a hot dialogue stem fails, named"
else notok "dialogue-27: a hot dialogue stem fails" "lacks '$missing'"; fi
rm -rf out

# ---- spec mistakes: file:line, the field, the range or the closest name ----
bad() { # NAME DELIVER_LINE WORD...
  name=$1 line=$2
  shift 2
  printf 'session { rate = 48000, length = 1 }\nlocal pm = bus "PM"\nlocal dx = bus "DX" { to = pm }\n%s\n' "$line" > bad.lua
  out=$("$DS" render bad.lua 2>&1); rc=$?
  expect_failed "$name" bad.lua:4: "$@"
}
bad "unknown spec name gets did-you-mean" 'deliver { "out/PM.wav", from = pm, spec = "ebu-r182" }' \
  "unknown spec 'ebu-r182'; did you mean 'ebu-r128'?" "specs: atsc-a85, dialogue-27, ebu-r128"
bad "misspelt measure gets did-you-mean" 'deliver { pm, spec = { name = "house", true_peek = { max = -1 } } }' \
  "spec 'house'" "'true_peek'" "did you mean 'true_peak'?"
bad "a measure given as a number" 'deliver { pm, spec = { true_peak = -1 } }' \
  "true_peak must be a table of limits" "true_peak = { max = -1 }" "(got number)"
bad "tolerance out of range" 'deliver { pm, spec = { integrated = { target = -23, tolerance = 20 } } }' \
  "integrated (LUFS)" "'tolerance' = 20 is out of range (0 to 10)"
bad "true peak limit out of range" 'deliver { pm, spec = { true_peak = { max = 9 } } }' \
  "true_peak (dBTP)" "'max' = 9 is out of range (-60 to 6)"
bad "loudness out of range" 'deliver { pm, spec = { integrated = { min = -90 } } }' \
  "integrated (LUFS)" "'min' = -90 is out of range (-70 to 0)"
bad "target without tolerance" 'deliver { pm, spec = { integrated = { target = -23 } } }' \
  "target = -23 needs a tolerance"
bad "empty window" 'deliver { pm, spec = { integrated = { min = -20, max = -24 } } }' "no value can pass"
bad "a spec that judges nothing" 'deliver { pm, spec = { loudness_range = { note = "reported" } } }' "judges nothing"
bad "dialogue spec without a dialogue stem" 'deliver { pm, spec = "dialogue-27" }' \
  "spec 'dialogue-27' measures the dialogue stem: give dialogue = the dialogue bus"
bad "deliver without a spec" 'deliver { "out/PM.wav", from = pm }' "needs a spec"
bad "misspelt deliver option" 'deliver { "out/PM.wav", from = pm, spec = "ebu-r128", dialouge = dx }' \
  "'dialouge'" "did you mean 'dialogue'?"

# ---- a derived spec ----
printf 'session { rate = 48000, length = 1 }\nlocal pm = bus "PM"\nlocal specs = require "dubstage.specs"\n%s\n' \
  'deliver { pm, spec = specs.derive("ebu-r128", { name = "house", true_peak = { max = -3 } }) }' > derived.lua
out=$("$DS" render derived.lua 2>&1)
if has "spec house: FAIL" "FAIL  integrated below the gate" "pass  true peak -inf dBTP, within <= -3.0 dBTP"; then
  ok "specs.derive: a derived spec is named and judged by its own limits"
else notok "specs.derive: a derived spec is named and judged by its own limits" "lacks '$missing'"; fi

# ---- dubstage info lists each deliverable with its limits ----
mix info.lua -14 0 0 'deliver { "out/PM.wav", from = pm, spec = "dialogue-27", dialogue = dx }'
out=$("$DS" info info.lua 2>&1)
if has "deliver  out/PM.wav  spec dialogue-27 (info.lua:" "dialogue -29.0 .. -25.0 LUFS, true peak <= -2.0 dBTP" \
       "dialogue on 'DX'"; then ok "dubstage info lists the deliverable and its limits"
else notok "dubstage info lists the deliverable and its limits" "lacks '$missing'"; fi
