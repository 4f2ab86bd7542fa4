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
#   join leaves a render's manifest: the joined outputs and the segment
#   files it read, hashed (checked against Python's hashlib), the segment
#   null, --out the joined folder, so `plan --fresh --out` takes it for a
#   render of the whole script (and a file join for one of --output PM),
#   `dubstage diff` pairs it with the whole render's folder; a segment file
#   changed since its render leaves the join without a manifest;
#   `dubstage diff` of two segment folders prints a change at its
#   programme timecode (session start + the segment's start + offset);
# - a bit crusher (cuts off its grid, a moving rate across a cut) joins
#   to the whole render byte for byte with 50 ms of pre-roll, and differs
#   without (tests/unit/test_bitcrush.c checks its grid's arithmetic);
# - a segment at --block 64 and 4096 is the same bytes;
# - a reverb whose rt60 (10 s) is longer than the pre-roll (2 s) is
#   warned about, naming the script line, the node, its memory and the
#   pre-roll; --strict refuses it and writes nothing; so is one whose rt60
#   is cut to 1 s inside the pre-roll (the memory over the pre-roll
#   counts), and its default pre-roll (20.1 s) gives the whole render's
#   samples within -120 dBFS;
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

# render_segments SCRIPT PREFIX OPTIONS CUT...: SCRIPT rendered from each
# CUT to the next (seconds or timecode) into PREFIX1, PREFIX2, ... with
# OPTIONS (words such as "--preroll 5 --strict"), --quiet. A render that
# fails is said (not ok); after it $segs holds the folders in order,
# $segs_failed how many failed and $segs_warned the numbers of those whose
# render printed a warning.
render_segments() {
  seg_script=$1 seg_prefix=$2 seg_opts=$3
  shift 3
  seg_k=0 segs= segs_failed=0 segs_warned=
  while [ $# -ge 2 ]; do
    seg_k=$((seg_k + 1))
    run "$DS" render "$seg_script" --from "$1" --to "$2" $seg_opts --out "$seg_prefix$seg_k" --quiet
    if [ $rc -ne 0 ]; then
      notok "$seg_script renders segment $seg_k ($1 to $2, $seg_opts)" "exit $rc"
      segs_failed=$((segs_failed + 1))
    fi
    if has "warning"; then segs_warned="$segs_warned $seg_k"; fi
    segs="$segs $seg_prefix$seg_k"
    shift
  done
}

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
render_segments film/film.lua cold "--preroll 0" $cuts
render_segments film/film.lua seg "--preroll 5" $cuts
[ $segs_failed -eq 0 ] || exit 1
ok "the film session renders in 4 segments with 5 s of pre-roll"
run "$DS" join joined $segs
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
render_segments gains/gains.lua g "--preroll 0" 0 3 6 9 12
gsegs=$segs
refs=
for seg in $gsegs; do refs="$refs $(time_ref "$seg/PM.wav")"; done
start=$((36000 * 48000))
expect=" $start $((start + 3 * 48000)) $((start + 6 * 48000)) $((start + 9 * 48000))"
if [ "$refs" = "$expect" ]; then
  ok "each segment's BWF time reference is the session start plus its start ($refs)"
else
  notok "each segment's BWF time reference" "got$refs, expected$expect"
fi
run "$DS" join gjoined $gsegs
same=1
for f in PM.wav PM_LoRo16.wav FX.wav; do
  cmp -s "gwhole/$f" "gjoined/$f" || { same=0; echo "# $f differs: $(cmp "gwhole/$f" "gjoined/$f" 2>&1)"; }
done
if [ $rc -eq 0 ] && [ $same -eq 1 ]; then
  ok "gains-only: the joined files are the whole render's byte for byte (cmp: wav24 5.1, wav16 TPDF Lo/Ro, wav32f)"
else
  notok "gains-only: the joined files are the whole render's byte for byte" "join exit $rc"
fi

# the join's manifest: a render's, of the segment files it read
m=gjoined/gains.manifest.json
if [ -f "$m" ] && python3 - "$m" <<'EOF'
import hashlib, json, os, sys
m = json.load(open(sys.argv[1]))
h = lambda p: hashlib.sha256(open(p, 'rb').read()).hexdigest()
root = m["root"]
at = lambda p: p if p.startswith("/") else os.path.join(root, p)
assert m["segment"] is None, m["segment"]
assert at(m["options"]["out_dir"]) == os.path.realpath("gjoined"), m["options"]
outs = {os.path.basename(o["path"]): o for o in m["outputs"]}
assert sorted(outs) == ["FX.wav", "PM.wav", "PM_LoRo16.wav"], sorted(outs)
for name, o in outs.items():
    assert o["sha256"] == h("gjoined/" + name) and o["length_samples"] == 12 * 48000, (name, o)
j = m["joined"]
want = [os.path.realpath("g%d/%s" % (k, n)) for n in ("PM.wav", "PM_LoRo16.wav", "FX.wav") for k in (1, 2, 3, 4)]
assert sorted(at(f["path"]) for f in j) == sorted(want), [f["path"] for f in j]
for f in j:
    assert f["sha256"] == h(at(f["path"])), f
EOF
then
  ok "join writes the manifest of a render into gjoined: its outputs hashed, the 12 segment files it read hashed (joined), no segment (the whole session)"
else
  notok "join writes a manifest" "$(ls gjoined)"
fi
run "$DS" plan --fresh gains/gains.lua --out gjoined
r1=$rc
run "$DS" plan --fresh gains/gains.lua --out g2
if [ $r1 -eq 0 ] && [ $rc -eq 1 ] && has "the last render was a segment"; then
  ok "plan --fresh takes the join for a render of the whole script into gjoined (up to date), not a segment's folder"
else
  notok "plan --fresh on the joined folder" "exit $r1 (joined) and $rc (a segment)"
fi
run "$DS" diff gwhole gjoined
if [ $rc -eq 0 ] && has "PM.wav" "FX.wav"; then
  ok "dubstage diff pairs the whole render's folder and the joined one by their manifests: identical"
else
  notok "diff of the whole and the joined folders" "exit $rc"
fi
mkdir gfile
run "$DS" join gfile/PM.wav g1/PM.wav g2/PM.wav g3/PM.wav g4/PM.wav
r1=$rc
run "$DS" plan --fresh gains/gains.lua --out gfile --output PM
if [ $r1 -eq 0 ] && [ -f gfile/gains.PM.manifest.json ] && [ $rc -eq 0 ]; then
  ok "a join of one output's files leaves gains.PM.manifest.json, which plan --fresh --output PM takes for that render"
else
  notok "a file join's manifest" "join exit $r1, plan --fresh exit $rc"
fi
for k in 1 2 3 4; do cp -r "g$k" "h$k"; done
python3 - h2/PM.wav <<'EOF'
import sys
b = bytearray(open(sys.argv[1], 'rb').read())
b[len(b) // 2] ^= 1  # a sample in the middle
open(sys.argv[1], 'wb').write(bytes(b))
EOF
run "$DS" join hjoined h1 h2 h3 h4
if [ $rc -eq 0 ] && has "no manifest for the joined files" "h2/PM.wav' changed since it was rendered" && [ ! -e hjoined/gains.manifest.json ]; then
  ok "a segment file changed since its render: the join stands, without a manifest, saying why"
else
  notok "a changed segment file: no manifest" "exit $rc, message lacks '$missing'"
fi

# dubstage diff on segment folders: positions in the programme's timecode
# (the session start plus the segment's start), not from the session start
cp gains/gains.lua gains/gains2.lua
echo 'm.gain:set { at = 7.5, to = -20 }                        -- a change inside segment 3' >> gains/gains2.lua
run "$DS" render gains/gains2.lua --from 6 --to 9 --preroll 0 --out g3b --quiet
run "$DS" diff g3 g3b
# the gain moves from 7.5 s on: the first sample that differs is the
# session's 360001 (7.5 s + 1), sample 72001 of the segment's files; at
# 25 fps a frame is 1920 samples, so 360001 = frame 187 (7 s 12 frames) +
# 961 samples: 10:00:07:12+961 (from the segment's start it would read
# 10:00:01:12+961)
if [ $rc -eq 1 ] && has "PM.wav: differs" "first 10:00:07:12+961 (sample 72001)" && ! has "10:00:01:12"; then
  ok "diff of two renders of the segment from 10:00:06:00 puts the change at 7.5 s at 10:00:07:12+961 (sample 72001 of the files)"
else
  notok "diff of segment renders prints the programme's timecode" "exit $rc, message lacks '$missing' or has 10:00:01:12"
fi

# ---- a bit crusher: its takes on the session's grid -------------------------
# cuts off its grid (a take every 6.86 samples at 7000 Hz), its rate moving
# across one: with 50 ms of pre-roll (its memory: one hold, at most 10 ms
# while the rate moves) the join is the whole render byte for byte; without
# pre-roll a segment starts holding 0 until its first take, so it differs
mkdir crush
cp gains/media/mx.wav crush/
cat > crush/crush.lua <<'EOF'
session { rate = 48000, fps = 25, start = "10:00:00:00", length = 12 }
local pm = bus "PM" { channels = 2 }
local t = track "MUS" { channels = 2, to = pm }
t:clip { "mx.wav", at = 0 }
local c = t:bitcrush { bits = 7, rate = 7000 }
c.rate:ramp { at = 5.5, to = 3100, over = 1 }            -- across the cut at 6 s
c.bits:ramp { at = 8, to = 4, over = 2 }
output { "out/PM.wav", from = pm, format = "wav24" }
output { "out/PM32f.wav", from = pm, format = "wav32f" }
EOF
run "$DS" render crush/crush.lua --out cwhole --quiet
[ $rc -eq 0 ] || notok "the bit crusher session renders whole" "exit $rc"
crush_cuts="0 2.99993 6.00011 9.0002 12"
render_segments crush/crush.lua c "--preroll 0.05 --strict" $crush_cuts
warned=$segs_warned
run "$DS" join cjoined $segs
jrc=$rc
render_segments crush/crush.lua c0 "--preroll 0" $crush_cuts
run "$DS" join cjoined0 $segs
same=1
for f in PM.wav PM32f.wav; do
  cmp -s "cwhole/$f" "cjoined/$f" || { same=0; echo "# $f differs: $(cmp "cwhole/$f" "cjoined/$f" 2>&1)"; }
done
if [ $jrc -eq 0 ] && [ $same -eq 1 ] && [ -z "$warned" ]; then
  ok "a bit crusher (cuts off its grid, its rate moving across one) in 4 segments with 50 ms of pre-roll joins to the whole render byte for byte (cmp), no warning"
else
  notok "a bit crusher in segments with pre-roll joins to the whole render byte for byte" "join exit $jrc, same $same, warning in segment $warned"
fi
if [ $rc -eq 0 ] && ! cmp -s cwhole/PM32f.wav cjoined0/PM32f.wav; then
  ok "... and without pre-roll the join differs (a segment holds 0 until its first take): the comparison can see it"
else
  notok "without pre-roll the bit crusher's join differs" "join exit $rc, or identical"
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
# a reverb whose rt60 is cut from 10 s to 1 s half a second before --from:
# the state at --from still holds the 10 s tail of the pre-roll, so the
# memory that counts is the longest over the pre-roll, not the one at --from
cat > verb/moving.lua <<'EOF'
session { rate = 48000, fps = 24, start = "01:00:00:00", length = 34 }
local pm = bus "PM"
local room = bus "ROOM" { to = pm }
local r = room:reverb { rt60 = 10, size = 30 }
r.rt60:set { at = 29.5, to = 1 }
local d = track "DIA" { channels = 1, to = pm }
for _, at in ipairs { 0, 10, 20, 27 } do d:clip { "dx.wav", at = at } end
d:send(room, -6)
output { "out/PM.wav", from = pm, format = "wav32f" }
EOF
run "$DS" render verb/moving.lua --out vmw --quiet
run "$DS" render verb/moving.lua --from 30 --preroll 2 --out vm1 --quiet
if [ $rc -eq 0 ] && has "warning: verb/moving.lua:4: reverb bus 'ROOM'" "remembers 10.0" "longer than the pre-roll of 2.00 s"; then
  ok "a reverb's rt60 cut from 10 s to 1 s inside the 2 s pre-roll: warned (its memory over the pre-roll, not at --from)"
else
  notok "a reverb cut to 1 s inside the pre-roll is warned about" "exit $rc, message lacks '$missing'"
fi
run "$DS" render verb/moving.lua --from 30 --out vm2
sox -V1 vmw/PM.wav vmw30.wav trim 30
mpeak=$(sox_peak vmw30.wav vm2/PM.wav)
if [ $rc -eq 0 ] && has "pre-roll 20.10 s" && ! has "warning" && awk -v p="$mpeak" 'BEGIN { exit !(p == "-inf" || p + 0 < -120) }'; then
  ok "its default pre-roll is twice its longest memory over it (20.10 s): the segment equals the whole render within -120 dBFS (sox: $mpeak dBFS)"
else
  notok "the default pre-roll covers a memory that moved" "exit $rc, peak of the difference $mpeak dBFS; lacks '${missing:-}'"
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
cp gains/gains.lua script.keep && cp gains/media/dx.wav dx.keep
run "$DS" join gains/gains.lua g1/PM.wav g2/PM.wav g3/PM.wav g4/PM.wav
if [ $rc -eq 1 ] && has "'gains/gains.lua' exists and is not a WAV file" && cmp -s gains/gains.lua script.keep; then
  ok "join refuses to write over the script (not a WAV file; the script is untouched)"
else
  notok "join refuses to write over the script" "exit $rc"
fi
run "$DS" join gains/media/dx.wav g1/PM.wav g2/PM.wav g3/PM.wav g4/PM.wav
if [ $rc -eq 1 ] && has "an input of the render that made 'g1/PM.wav'" "join never writes over an input" &&
   cmp -s gains/media/dx.wav dx.keep; then
  ok "join refuses to write over a clip source the segments' render read (named by its manifest; untouched)"
else
  notok "join refuses to write over a clip source" "exit $rc"
fi
ln -s gains/media/dx.wav dx_link.wav
run "$DS" join dx_link.wav g1/PM.wav g2/PM.wav g3/PM.wav g4/PM.wav
if [ $rc -eq 1 ] && has "join never writes over an input" && cmp -s gains/media/dx.wav dx.keep; then
  ok "... and through a symbolic link to it"
else
  notok "join refuses to write over a clip source through a link" "exit $rc"
fi
run "$DS" join again.wav g1/PM.wav g2/PM.wav g3/PM.wav g4/PM.wav
r1=$rc
run "$DS" join again.wav g1/PM.wav g2/PM.wav g3/PM.wav g4/PM.wav
if [ $r1 -eq 0 ] && [ $rc -eq 0 ] && cmp -s again.wav gfile/PM.wav; then
  ok "join run again replaces its own earlier output (a WAV file no render read)"
else
  notok "join run again over its own output" "exit $r1 then $rc"
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
elif python3 - "$ROOT/docs/manifest.schema.json" "$m" gwhole/gains.manifest.json gjoined/gains.manifest.json <<'EOF'
import json, sys, jsonschema
schema = json.load(open(sys.argv[1]))
for f in sys.argv[2:]:
    jsonschema.Draft202012Validator(schema).validate(json.load(open(f)))
EOF
then
  ok "a segment's manifest, a whole render's and a join's validate against docs/manifest.schema.json"
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
