#!/bin/sh
# check.sh - `dubstage check SCRIPT` (docs/delivery.md) on real recordings
# (tests/render/lib/delivery_mix.sh):
#
# - a deliberately hot mix exits 1 naming the deliverable, the measure, its
#   value and its limit; the value agrees with ffmpeg's ebur128 on the file;
# - the same mix with normalize = true (ebu-r128: a gain; streaming-14: the
#   limiter too) exits 0, and ffmpeg reads the file within 0.1 LU of the
#   target and at or under the ceiling;
# - the mix levelled by its printmaster fader exits 0 with one line;
# - a second check with nothing changed renders nothing: the output's inode
#   and modification time are unchanged and the line says so (a third does
#   not even rewrite the manifest); neither does a touched media file (same contents),
#   nor --block (not an option that changes the bytes);
# - the script edited, a media file's contents changed (also with its size
#   and modification time put back as they were), the output deleted, --out
#   changed: each renders again, saying why;
# - a dialogue-anchored check passes and fails on the dialogue stem, which
#   is not written.
T=check
. tests/render/lib/common.sh
ROOT=$OLDPWD
. "$ROOT/tests/render/lib/delivery_mix.sh"

# identity FILE: inode and modification time to the nanosecond
identity() { stat -c '%i %y' "$1" 2>/dev/null; }
check() { out=$("$DS" check "$@" 2>&1); rc=$?; }

# ---- a hot mix: exit 1, the measure named ----
mix hot.lua 6 0 0 'deliver { "out/PM.wav", from = pm, spec = "ebu-r128", format = "wav32f" }'
check hot.lua
tp=$(judged "true peak")
f_tp=$(ffmpeg_reads out/PM.wav TP)
if [ $rc -ne 1 ]; then notok "hot mix: check exits 1" "exit status $rc"
elif ! has "deliverable out/PM.wav  spec ebu-r128: FAIL" "FAIL  true peak $tp dBTP > -1.0 dBTP" \
        "FAIL  integrated" "check hot.lua: FAIL: 1 of 1 deliverable misses its spec"; then
  notok "hot mix: check exits 1 naming each measure missed" "lacks '$missing'"
elif ! near "$tp" "$f_tp" 0.3; then notok "hot mix: the true peak named agrees with ffmpeg" "dubstage '$tp', ffmpeg '$f_tp'"
else ok "hot mix: check exits 1, 'true peak $tp dBTP > -1.0 dBTP' (ffmpeg reads $f_tp)"; fi
rm -rf out

# ---- the same hot mix, normalize = true: exit 0, read by ffmpeg ----
# (ebu-r128: a gain only; streaming-14: the limiter has to act)
for spec in ebu-r128:-23:-1.0 streaming-14:-14:-1.0; do
  name=${spec%%:*} rest=${spec#*:}
  target=${rest%%:*} ceiling=${rest#*:}
  mix norm.lua 6 0 0 "deliver { \"out/PM.wav\", from = pm, spec = \"$name\", normalize = true }"
  check norm.lua
  f_i=$(ffmpeg_reads out/PM.wav I); f_tp=$(ffmpeg_reads out/PM.wav TP)
  if [ $rc -eq 0 ] && has "check norm.lua: pass" && near "$f_i" "$target" 0.1 &&
     awk -v t="$f_tp" -v c="$ceiling" 'BEGIN { exit !(t != "" && t <= c) }'; then
    ok "hot mix, normalize = true to $name: check exits 0; ffmpeg reads $f_i LUFS, $f_tp dBTP"
  else notok "hot mix, normalize = true to $name: check exits 0, ffmpeg agrees" "exit $rc; ffmpeg I '$f_i' TP '$f_tp'"; fi
  rm -rf out
done
mix norm.lua 6 0 0 'deliver { "out/PM.wav", from = pm, spec = "dialogue-27", dialogue = dx, normalize = true }'
check norm.lua
if [ $rc -eq 1 ] && has "norm.lua:12: deliver 'out/PM.wav': normalize = true aims" "spec 'dialogue-27' gives none"; then
  ok "normalize = true with a dialogue-anchored spec: refused, said why"
else notok "normalize = true with a dialogue-anchored spec: refused" "exit $rc"; fi

# ---- the levelled mix: exit 0, one line ----
cp "$lines/let-m-oko.ogg" line.ogg # a media file of the test's own, to change below
mix level.lua -14 0 0 'deliver { pm, spec = "ebu-r128" }'
"$DS" render level.lua > level.txt 2>&1
out=$(cat level.txt)
pm_db=$(awk -v i="$(judged integrated)" 'BEGIN { printf "%.2f", -23 - i }')
mix ok.lua -14 "$pm_db" 0 'deliver { "out/PM.wav", from = pm, spec = "ebu-r128" }' \
  'track "EXTRA" { channels = 1, to = dx, gain = -30 }:clip { "line.ogg", at = 30 }'
check ok.lua
if [ $rc -eq 0 ] && [ "$(printf '%s\n' "$out" | wc -l)" -eq 1 ] &&
   has "check ok.lua: pass: 1 deliverable meets its spec; rendered in"; then ok "levelled mix: check exits 0 with one line"
else notok "levelled mix: check exits 0 with one line" "exit status $rc"; fi

# ---- nothing changed: no render ----
# (3 s: the files have settled, docs/delivery.md; the second check reads
# them again once, as they had changed less than 2 s before the first one
# looked, and records them; the third reads nothing and writes nothing)
before=$(identity out/PM.wav)
sleep 3
check ok.lua
if [ $rc -eq 0 ] && has "pass" "reused the last render: nothing it depends on changed" &&
   [ "$(identity out/PM.wav)" = "$before" ]; then
  ok "second check, nothing changed: reused, PM.wav untouched (same inode and modification time)"
else notok "second check, nothing changed: reused, PM.wav untouched" "exit $rc; PM.wav $before -> $(identity out/PM.wav)"; fi
manifest=$(identity out/ok.manifest.json)
check ok.lua
if [ $rc -eq 0 ] && has "reused" && [ "$(identity out/PM.wav)" = "$before" ] &&
   [ "$(identity out/ok.manifest.json)" = "$manifest" ]; then ok "third check: reused, the manifest not even rewritten"
else notok "third check: reused, the manifest not rewritten" "exit $rc; manifest $manifest -> $(identity out/ok.manifest.json)"; fi
touch line.ogg
check ok.lua --block 64
if [ $rc -eq 0 ] && has "reused" && [ "$(identity out/PM.wav)" = "$before" ]; then
  ok "a touched media file (same contents) and --block 64: still reused"
else notok "a touched media file and --block 64: still reused" "exit $rc"; fi

# expect_rerender NAME WHY: the last check rendered again, saying WHY, and
# PM.wav is a new file
expect_rerender() {
  if [ $rc -eq 0 ] && has "rendered in" "$2" && [ "$(identity out/PM.wav)" != "$before" ]; then ok "$1: rendered again ($2)"
  else notok "$1: rendered again" "exit $rc; lacks '$missing' or PM.wav unchanged"; fi
  before=$(identity out/PM.wav)
}
echo '-- a comment' >> ok.lua
check ok.lua
expect_rerender "the script edited" "the script changed"

sox -V1 line.ogg -r 48000 -b 24 alt.wav gain -1
sox -V1 line.ogg -r 48000 -b 24 same.wav
cp same.wav line.wav
sed -i 's/"line.ogg"/"line.wav"/' ok.lua
check ok.lua
before=$(identity out/PM.wav)
check ok.lua
if has "reused"; then ok "line.wav in place of line.ogg: reused on the next check"; else notok "line.wav: reused on the next check" "$out"; fi
touch -r line.wav stamp
was=$(stat -c '%s %y' line.wav)
cp alt.wav line.wav   # the same length at 24 bits: the same size, other samples
touch -r stamp line.wav
if [ "$(stat -c '%s %y' line.wav)" = "$was" ] && ! cmp -s alt.wav same.wav; then
  check ok.lua
  expect_rerender "a media file's contents changed, its size and modification time put back" "changed: '"
else notok "a media file changed with its size and time kept" "the size or time differs: $was, $(stat -c '%s %y' line.wav)"; fi

rm out/PM.wav
check ok.lua
expect_rerender "the output deleted" "output 'out/PM.wav' is missing"
check ok.lua --out elsewhere # its manifest is beside its outputs, in elsewhere/
if [ $rc -eq 0 ] && has "rendered in" && [ -f elsewhere/PM.wav ]; then ok "--out elsewhere: rendered again"
else notok "--out elsewhere: rendered again" "exit $rc"; fi
check ok.lua --out elsewhere
if [ $rc -eq 0 ] && has "reused"; then ok "--out elsewhere twice: reused"; else notok "--out elsewhere twice: reused" "exit $rc"; fi
rm -rf out elsewhere

# ---- dialogue-anchored ----
mix dia.lua -14 0 -12 'deliver { "out/PM.wav", from = pm, spec = "dialogue-27", dialogue = dx }'
check dia.lua
if [ $rc -eq 0 ] && has "check dia.lua: pass: 1 deliverable meets its spec" && [ "$(ls out)" = "$(printf "PM.wav\ndia.manifest.json")" ]; then
  ok "dialogue-27 on the unwritten DX bus: check exits 0"
else notok "dialogue-27 on the unwritten DX bus: check exits 0" "exit $rc"; fi
mix dia.lua -14 0 0 'deliver { "out/PM.wav", from = pm, spec = "dialogue-27", dialogue = dx }'
check dia.lua
if [ $rc -eq 1 ] && has "FAIL  dialogue " "LUFS > -25.0 LUFS (on 'DX')" "the script changed"; then
  ok "dialogue-27 with the dialogue 12 dB hotter: check exits 1 naming the dialogue measure"
else notok "dialogue-27 with the dialogue hotter: check exits 1" "exit $rc; lacks '$missing'"; fi

# ---- no deliverable ----
printf 'session { rate = 48000, length = 1 }\noutput { "out/x.wav", from = bus "B" }\n' > none.lua
check none.lua
if [ $rc -eq 1 ] && has "declares no deliverable: add deliver"; then ok "a script without a deliverable: exit 1, said"
else notok "a script without a deliverable: exit 1" "exit $rc"; fi

# ---- the manifest never replaces an output ----
printf 'session { rate = 48000, length = 1 }\ndeliver { "out/clash.manifest.json", from = bus "PM", spec = "ebu-r128" }\n' > clash.lua
for cmd in check render; do
  out=$("$DS" $cmd clash.lua 2>&1); rc=$?
  if [ $rc -eq 1 ] && has "the manifest 'out/clash.manifest.json' is an output of the script" && [ ! -e out/clash.manifest.json ]; then
    ok "$cmd: a manifest that would replace an output: refused, nothing written"
  else notok "$cmd: a manifest that would replace an output: refused" "exit $rc: $out"; fi
done
