#!/bin/sh
# segments.sh - one programme rendered in segments and joined
# (dubstage render --from/--to/--preroll, dubstage join; docs/segments.md):
#
# - the film bench session (tests/bench/reference_film.lua, its graph: 24
#   tracks, EQ, the DX-keyed compressor, the limiter; on 30 s of the bench
#   material, plus a wav32f tap of the printmaster to see below 24 bits)
#   split into 4 segments with 5 s of pre-roll joins to files whose
#   difference from the whole render peaks under -120 dBFS, measured by
#   `dubstage diff` and by SoX (sox -m -v 1 A -v -1 B -n stats); the same
#   segments rendered without pre-roll differ by more (the filters',
#   compressor's and limiter's state starts cold: what the pre-roll
#   settles), so the comparison can see a difference;
# - a gains-only session (clips with fades, pans, fader rides that cross
#   the cuts, a send, 5.1 and a stereo fold-down, wav16 with TPDF dither
#   and wav24) joins to files identical to the whole render, byte for byte
#   (cmp), headers included; each segment's BWF time reference is the
#   session start plus its start (read from the bext chunk by Python);
# - a segment at --block 64 and 4096 is the same bytes;
# - a reverb whose rt60 (10 s) is longer than the pre-roll (2 s) is
#   warned about, naming the script line, the node, its memory and the
#   pre-roll; --strict refuses it and writes nothing;
# - join refuses a gap, an overlap, another format and a segment given as
#   the output, naming the files and their times, and writes nothing;
# - the manifest records the segment, and validates against
#   docs/manifest.schema.json; `check` does not take a segment's render
#   for the whole one;
# - option errors name the option and its range or form.
T=segments
. tests/render/lib/common.sh
ROOT=$OLDPWD
BUILD=${BUILD:-build}
case $BUILD in /*) ;; *) BUILD=$ROOT/$BUILD ;; esac

run() { out=$("$@" 2>&1); rc=$?; }

# peak of a - b in dBFS by SoX's stats (all channels; "-inf" when identical)
sox_peak() {
  sox -V1 -m -v 1 "$1" -v -1 "$2" -n stats 2>&1 | awk '/^Pk lev dB/ { print $4 }'
}

# the BWF time reference of a WAV file
time_ref() {
  python3 - "$1" <<'EOF'
import struct, sys
b = open(sys.argv[1], 'rb').read()
i = 12
while i + 8 <= len(b):
    cid, size = b[i:i + 4], struct.unpack('<I', b[i + 4:i + 8])[0]
    if cid == b'bext':
        print(struct.unpack('<Q', b[i + 8 + 338:i + 8 + 346])[0])
        break
    i += 8 + size + (size & 1)
EOF
}

# ---- the film bench session ----------------------------------------------
mkdir film
if ! "$BUILD/tools/make_bench_material" film 30 >/dev/null 2>&1; then
  echo "not ok - the bench material: $BUILD/tools/make_bench_material failed"
  exit 1
fi
cp "$ROOT/tests/bench/reference_graph.lua" "$ROOT/tests/bench/reference_film_chain.lua" film/
cat > film/film.lua <<'EOF'
-- reference_film.lua's graph, and the printmaster as float too
local tracks, _, buses = require("reference_graph")()
require("reference_film_chain")(tracks, buses)
output { "printmaster32f.wav", from = buses.pm, format = "wav32f" }
EOF
run "$DS" render film/film.lua --out whole --quiet
[ $rc -eq 0 ] || { notok "the film session renders whole" "exit $rc"; exit 1; }
cuts="01:00:00:00 01:00:07:12 01:00:15:00 01:00:22:12 01:00:30:00"
set -- $cuts
k=0
fail=
while [ $# -ge 2 ]; do
  k=$((k + 1))
  run "$DS" render film/film.lua --from "$1" --to "$2" --preroll 5 --out "seg$k" --quiet
  [ $rc -eq 0 ] || fail="segment $k ($1 to $2): exit $rc"
  run "$DS" render film/film.lua --from "$1" --to "$2" --preroll 0 --out "cold$k" --quiet
  shift
done
if [ -n "$fail" ]; then notok "the film session renders in 4 segments" "$fail"; exit 1; fi
ok "the film session renders in 4 segments with 5 s of pre-roll"
run "$DS" join joined seg1 seg2 seg3 seg4
if [ $rc -ne 0 ] || ! has "joined 4 segments into joined/printmaster.wav" "joined 4 segments into joined/printmaster32f.wav"; then
  notok "join puts the film's 4 segment folders together" "exit $rc"
else
  ok "join puts the film's 4 segment folders together (every output, by name)"
fi
for f in printmaster.wav printmaster32f.wav; do
  run "$DS" diff whole/$f joined/$f --threshold -120 --json
  dpeak=$(printf '%s\n' "$out" | python3 -c '
import json, sys
d = json.load(sys.stdin)
v = [c.get("peak_dbfs") for o in d["outputs"] for c in o["per_channel"]]
v = [x for x in v if isinstance(x, (int, float))]
print(max(v) if v else "-inf")' 2>/dev/null)
  speak=$(sox_peak whole/$f joined/$f)
  if [ $rc -eq 0 ] && awk -v p="$speak" 'BEGIN { exit !(p == "-inf" || p + 0 < -120) }'; then
    ok "film $f: joined = whole within -120 dBFS (peak of the difference: sox $speak dBFS, dubstage diff $dpeak)"
  else
    notok "film $f: joined = whole within -120 dBFS" "diff exit $rc, sox peak $speak dBFS, diff peak $dpeak"
  fi
done
echo "# film: peak of the difference without pre-roll, per segment:"
cold=
for k in 2 3 4; do
  sox -V1 whole/printmaster32f.wav "w$k.wav" trim "$(awk -v k=$k 'BEGIN { print (k - 1) * 7.5 }')" 7.5
  p=$(sox_peak "cold$k/printmaster32f.wav" "w$k.wav")
  echo "#   segment $k: $p dBFS"
  cold="$cold $p"
done
if printf '%s\n' $cold | awk '$1 != "-inf" && $1 + 0 > -120 { found = 1 } END { exit !found }'; then
  ok "without pre-roll the segments differ from the whole render (peaks$cold dBFS): the pre-roll is what settles them"
else
  notok "without pre-roll the segments differ from the whole render" "peaks$cold dBFS (the test's comparison sees nothing)"
fi

# ---- a gains-only session: bit-identical -------------------------------------
mkdir gains gains/media
sox -V1 -n -r 48000 -b 24 -c 1 gains/media/dx.wav synth 9 pinknoise gain -14
sox -V1 -n -r 48000 -b 24 -c 2 gains/media/mx.wav synth 12 sine 220 sine 331 tremolo 3 60 gain -10
sox -V1 -n -r 48000 -b 24 -c 2 gains/media/fx.wav synth 4 brownnoise gain -8
cat > gains/gains.lua <<'EOF'
session { rate = 48000, fps = 25, start = "10:00:00:00", length = 12 }
local pm = bus "PM" { layout = "5.1" }
local dx = bus "DX" { layout = "5.1", to = pm }
local mx = bus "MX" { layout = "5.1", to = pm }
local fx = bus "FX" { channels = 2, to = pm }
local d = track "DIA" { channels = 1, to = dx, gain = -2 }
d:clip { "media/dx.wav", at = 0.5, fade_in = 0.3, fade_out = 1.2 }
d.pan:ramp { at = 2.9, to = 0.6, over = 0.4 }
local m = track "MUS" { channels = 2, to = mx, gain = -4 }
m:clip { "media/mx.wav", at = 0 }
m.gain:ramp { at = 2.8, to = -12, over = 0.5 }           -- across the cut at 3 s
m.gain:ramp { at = 5.5, to = -2, over = 1.5, shape = "s_curve" }
local f = track "EFX" { channels = 2, to = fx, gain = -3 }
f:clip { "media/fx.wav", at = 5.8, fade_in = 0.5 }      -- starts before the cut at 6 s
f:send(dx, -9)
mx.gain:set { at = 9, to = -3 }                          -- on the cut at 9 s
output { "out/PM.wav", from = pm, format = "wav24" }
output { "out/PM_LoRo16.wav", from = pm, downmix = "LoRo", format = "wav16" }
output { "out/FX.wav", from = fx, format = "wav32f" }
EOF
run "$DS" render gains/gains.lua --out gwhole --quiet
[ $rc -eq 0 ] || notok "the gains-only session renders whole" "exit $rc"
set -- 0 3 6 9 12
k=0
refs=
while [ $# -ge 2 ]; do
  k=$((k + 1))
  run "$DS" render gains/gains.lua --from "$1" --to "$2" --preroll 0 --out "g$k" --quiet
  [ $rc -eq 0 ] || notok "gains-only segment $k" "exit $rc"
  refs="$refs $(time_ref "g$k/PM.wav")"
  shift
done
start=$((36000 * 48000))
expect=" $start $((start + 3 * 48000)) $((start + 6 * 48000)) $((start + 9 * 48000))"
if [ "$refs" = "$expect" ]; then
  ok "each segment's BWF time reference is the session start plus its start ($refs)"
else
  notok "each segment's BWF time reference" "got$refs, expected$expect"
fi
run "$DS" join gjoined g1 g2 g3 g4
same=1
for f in PM.wav PM_LoRo16.wav FX.wav; do
  cmp -s "gwhole/$f" "gjoined/$f" || { same=0; echo "# $f differs: $(cmp "gwhole/$f" "gjoined/$f" 2>&1)"; }
done
if [ $rc -eq 0 ] && [ $same -eq 1 ]; then
  ok "gains-only: the joined files are the whole render's byte for byte (cmp: wav24 5.1, wav16 TPDF Lo/Ro, wav32f)"
else
  notok "gains-only: the joined files are the whole render's byte for byte" "join exit $rc"
fi

# ---- block sizes ------------------------------------------------------------
run "$DS" render film/film.lua --from 01:00:10:00 --to 01:00:13:00 --preroll 3 --out b64 --block 64 --quiet
run "$DS" render film/film.lua --from 01:00:10:00 --to 01:00:13:00 --preroll 3 --out b4096 --block 4096 --quiet
if cmp -s b64/printmaster.wav b4096/printmaster.wav && cmp -s b64/printmaster32f.wav b4096/printmaster32f.wav; then
  ok "a film segment at --block 64 and 4096: the same bytes"
else
  notok "a film segment at --block 64 and 4096: the same bytes" "they differ"
fi

# ---- memory longer than the pre-roll ---------------------------------------
mkdir verb
cp gains/media/dx.wav verb/
cat > verb/verb.lua <<'EOF'
session { rate = 48000, fps = 24, start = "01:00:00:00", length = 8 }
local pm = bus "PM"
local room = bus "ROOM" { to = pm }
room:reverb { rt60 = 10, size = 30 }
local d = track "DIA" { channels = 1, to = pm }
d:clip { "dx.wav", at = 0 }
d:send(room, -6)
output { "out/PM.wav", from = pm }
EOF
run "$DS" render verb/verb.lua --from 4 --to 8 --preroll 2 --out v1 --quiet
if [ $rc -eq 0 ] && has "warning: verb/verb.lua:4: reverb bus 'ROOM' rt60 10.00 s" "remembers 10.0" \
   "longer than the pre-roll of 2.00 s" "--preroll 21"; then
  ok "a 10 s reverb with 2 s of pre-roll is warned about (script line, node, memory, pre-roll)"
else
  notok "a 10 s reverb with 2 s of pre-roll is warned about" "exit $rc, message lacks '$missing'"
fi
run "$DS" render verb/verb.lua --from 4 --to 8 --preroll 2 --strict --out v2 --quiet
if [ $rc -eq 1 ] && has "error: verb/verb.lua:4: reverb bus 'ROOM'" "nothing was rendered" && [ ! -e v2/PM.wav ]; then
  ok "--strict refuses it and writes nothing"
else
  notok "--strict refuses it and writes nothing" "exit $rc"
fi
run "$DS" render verb/verb.lua --from 4 --to 8 --preroll 21 --out v3 --quiet
if [ $rc -eq 0 ] && ! has "warning"; then
  ok "no warning with a pre-roll longer than the reverb's memory"
else
  notok "no warning with a pre-roll longer than the reverb's memory" "exit $rc"
fi
run "$DS" render gains/gains.lua --from 3 --to 6 --preroll 0 --strict --out g0 --quiet
if [ $rc -eq 0 ] && ! has "warning"; then
  ok "a gains-only graph has no memory: no pre-roll needed, even with --strict"
else
  notok "a gains-only graph has no memory" "exit $rc"
fi

# ---- join refuses ------------------------------------------------------------
# (expect_failed: exit 1, the words, and nothing written under out/)
run "$DS" join out/gap.wav g1/PM.wav g3/PM.wav --fps 25
expect_failed "join refuses a gap, naming the files and their timecodes" \
  "'g1/PM.wav' ends at 10:00:03:00" "'g3/PM.wav' starts at 10:00:06:00" "a gap of 144000 samples"
run "$DS" join out/overlap.wav g1/PM.wav g2/PM.wav g2/PM.wav
expect_failed "join refuses an overlap" "'g2/PM.wav' ends at 10:00:06.000" "an overlap of 144000 samples"
run "$DS" join out/mixed.wav g1/PM.wav g2/PM_LoRo16.wav
expect_failed "join refuses segments of other formats and layouts" "differ in channel count (6, 2)"
run "$DS" join out/mixed.wav g1/PM_LoRo16.wav v3/PM.wav
expect_failed "join refuses another format" "differ in format (wav16, wav24)"
cp g1/PM.wav first.wav
run "$DS" join first.wav first.wav g2/PM.wav
if [ $rc -eq 1 ] && has "join never writes over a segment" && cmp -s first.wav g1/PM.wav; then
  ok "join refuses to write over a segment (the file is untouched)"
else
  notok "join refuses to write over a segment" "exit $rc"
fi
mkdir g5 && cp g1/PM.wav g5/
run "$DS" join out/gj g1 g5
expect_failed "join refuses folders that hold other outputs" "has no match in"

# ---- the manifest ------------------------------------------------------------
m=g2/gains.manifest.json
if python3 - "$m" <<'EOF'
import json, sys
m = json.load(open(sys.argv[1]))
s = m["segment"]
assert s["from_samples"] == 3 * 48000 and s["to_samples"] == 6 * 48000 and s["preroll_samples"] == 0, s
assert s["from"] == "10:00:03:00" and s["to"] == "10:00:06:00", s
assert all(o["length_samples"] == 3 * 48000 for o in m["outputs"]), m["outputs"]
assert m["deliverables"] is None or m["deliverables"] == [], m["deliverables"]
EOF
then
  ok "the manifest records the segment (samples, timecode, pre-roll) and the outputs' segment length"
else
  notok "the manifest records the segment" "see above"
fi
if ! python3 -c 'import jsonschema' 2>/dev/null; then
  echo "skip - the segment's manifest against docs/manifest.schema.json: python3-jsonschema is not installed"
elif python3 - "$ROOT/docs/manifest.schema.json" "$m" gwhole/gains.manifest.json <<'EOF'
import json, sys, jsonschema
schema = json.load(open(sys.argv[1]))
for f in sys.argv[2:]:
    jsonschema.Draft202012Validator(schema).validate(json.load(open(f)))
EOF
then
  ok "a segment's manifest and a whole render's validate against docs/manifest.schema.json"
else
  notok "the manifests validate against docs/manifest.schema.json" "see above"
fi

# ---- errors ------------------------------------------------------------------
run "$DS" render gains/gains.lua --from 10:00:99:00 --out e
if [ $rc -eq 2 ] && has "--from '10:00:99:00'" "a timecode from 10:00:00:00 to 10:00:12:00"; then
  ok "a --from that is not a time names the option and the accepted range"
else
  notok "a --from that is not a time names the option and the accepted range" "exit $rc"
fi
run "$DS" render gains/gains.lua --from 3 --to 20 --out e
if [ $rc -eq 2 ] && has "--to 20 (10:00:20:00) is outside the session: it must be after 10:00:00:00, up to 10:00:12:00"; then
  ok "a --to past the end names the session's range"
else
  notok "a --to past the end names the session's range" "exit $rc"
fi
run "$DS" render gains/gains.lua --from 6 --to 3 --out e
if [ $rc -eq 2 ] && has "--to (10:00:03:00) must come after --from (10:00:06:00)"; then ok "--to before --from"; else notok "--to before --from" "exit $rc"; fi
run "$DS" render gains/gains.lua --from 3 --preroll -1 --out e
if [ $rc -eq 2 ] && has "--preroll must be seconds from 0 to 3600, such as 5 (got '-1')"; then
  ok "a negative --preroll names the range"
else
  notok "a negative --preroll names the range" "exit $rc"
fi
[ ! -e e ] && ok "nothing written after an option error" || notok "nothing written after an option error" "e/ exists"
