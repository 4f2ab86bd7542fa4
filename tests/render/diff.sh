#!/bin/sh
# diff.sh - the render manifest (docs/manifest.md) and `dubstage diff A B`
# (docs/diff.md), on a mix of SoX-made noise and tone at 25 fps from
# 01:00:00:00 with a stereo printmaster and a stem in a subfolder:
#
# - the manifest's hashes (script, media, outputs, the engine) equal
#   coreutils' sha256sum of each file, and each output's channels, rate and
#   length equal what soxi reads; its session is the script's; manifests
#   written by render, by check and with --no-measure are valid against
#   docs/manifest.schema.json (python3-jsonschema);
# - two renders of the same script (--block 1024 and 64) are identical:
#   folders, manifests, files; exit 0, and the JSON says so;
# - a variant with a one-sample -1 dB gain change on the music at sample 168017
#   (01:00:03:12+977) and another 0.2 s later is reported at exactly those
#   samples and timecodes; the peak and RMS of the difference equal SoX's
#   (sox -m -v 1 A -v -1 B -n stats) within 0.01 dB, and the peak equals
#   the formula |x| (1 - 10^(-1/20)) with x the music stem's sample read by
#   SoX; the two changes
#   are one span at the default gap (0.5 s) and two at --gap 0.1; a
#   threshold above the peak exits 0 ("below the threshold");
# - two plain files give seconds, or with --fps 25 the same timecode as
#   the manifest (the start from their BWF time reference), or with --start
#   the timecode from there;
# - a folder pair with an output missing, a shorter file, fewer channels,
#   another rate: each reported, exit 1;
# - a missing file (named), a file that is not audio (named), a usage
#   error: exit 2;
# - memory does not grow with length: a 120 s 5.1 pair diffs in the same
#   peak memory as a 2 s pair (within 2 MiB);
# - a script that reads a module, a marker list, an EDL and its media, an
#   OTIO timeline and a trims file: each in its manifest with the SHA-256
#   sha256sum gives, and --block / --threads as given.
T=diff
. tests/render/lib/common.sh
ROOT=$OLDPWD

sox -V1 -n -r 48000 -b 24 -c 1 noise.wav synth 10 pinknoise gain -18
sox -V1 -n -r 48000 -b 24 -c 1 tone.wav synth 10 sine 440 gain -12
cat > mix.lua <<'EOF'
session { rate = 48000, fps = 25, start = "01:00:00:00", length = 8 }
local pm = bus "PM"
local dx = track "DX" { to = pm }
dx:clip { "noise.wav", at = "01:00:00:05" }
local mx = track "MX" { to = pm, pan = 0.3 }
mx:clip { "tone.wav", at = "01:00:01:00" }
output { "out/PM.wav", from = pm }
output { "out/stems/DX.wav", from = dx, format = "wav32f" }
output { "out/stems/MX.wav", from = mx, format = "wav32f" }
EOF
# the variant: -1 dB on the music for one sample at 168017 and one at 177617
sed 's|^output { "out/PM.wav"|mx.gain:set { at = "168017smp", to = -1 }\nmx.gain:set { at = "168018smp", to = 0 }\nmx.gain:set { at = "177617smp", to = -1 }\nmx.gain:set { at = "177618smp", to = 0 }\n&|' \
  mix.lua > cut2.lua

run() { out=$("$@" 2>&1); rc=$?; }

run "$DS" render --quiet mix.lua
if [ $rc -ne 0 ] || [ ! -f out/mix.manifest.json ]; then notok "render writes out/mix.manifest.json" "exit $rc"; exit 1; fi
ok "render writes out/mix.manifest.json beside its first output"

# ---- the manifest against sha256sum and soxi ----
python3 - "$DS" > hashes.txt <<'EOF'
import json, os, subprocess, sys
m = json.load(open("out/mix.manifest.json"))
def real(p): return p if p.startswith("/") else os.path.join(m["root"], p)
bad = []
for kind in ("inputs", "outputs"):
    for f in m[kind]:
        got = subprocess.run(["sha256sum", real(f["path"])], capture_output=True, text=True).stdout.split()[0]
        if got != f["sha256"] or os.path.getsize(real(f["path"])) != f["bytes"]:
            bad.append(f"{kind} {f['path']}: manifest {f['sha256']}, sha256sum {got}")
        if kind == "outputs":
            soxi = [subprocess.run(["soxi", o, real(f["path"])], capture_output=True, text=True).stdout.strip()
                    for o in ("-c", "-r", "-s")]
            if [str(f["channels"]), str(f["rate"]), str(f["length_samples"])] != soxi:
                bad.append(f"{f['path']}: manifest {f['channels']} ch {f['rate']} Hz {f['length_samples']}, soxi {soxi}")
eng = subprocess.run(["sha256sum", os.path.realpath(sys.argv[1])], capture_output=True, text=True).stdout.split()[0]
if eng != m["engine"]["sha256"]:
    bad.append(f"engine: manifest {m['engine']['sha256']}, sha256sum {eng}")
names = [f["path"] for f in m["inputs"]]
se = m["session"]
print("inputs", " ".join(names[:3]))
print("outputs", " ".join(f["path"] for f in m["outputs"]))
print("session", se["rate"], se["fps"], se["start"], se["length_samples"], m["options"]["block"], m["options"]["threads"])
print("checked", len(m["inputs"]) + len(m["outputs"]) + 1)
for b in bad: print("BAD", b)
EOF
out=$(cat hashes.txt)
if grep -q '^BAD' hashes.txt || ! has "inputs mix.lua noise.wav tone.wav" "outputs out/PM.wav out/stems/DX.wav out/stems/MX.wav" \
     "session 48000 25 01:00:00:00 384000 1024 2"; then
  notok "the manifest: hashes equal sha256sum, shapes equal soxi, paths relative to the script's folder" "${missing:-}"
else ok "the manifest: $(sed -n 's/^checked //p' hashes.txt) SHA-256 equal sha256sum's (script, media, outputs, engine); channels, rate, length equal soxi's"; fi

# ---- every file a script reads is in its manifest: the trims file, an EDL,
# an OTIO timeline, a marker list, a module it requires; and the options --
mkdir -p reads && cp tone.wav reads/
printf 'return { ["MX.gain"] = -3 }\n' > reads/mix.trims.lua
printf 'TITLE: R\n001  TONE     A     C        00:00:00:00 00:00:01:00 01:00:00:00 01:00:01:00\n' > reads/cut.edl
printf '{"OTIO_SCHEMA": "Timeline.1", "tracks": {"OTIO_SCHEMA": "Stack.1", "children": [{"OTIO_SCHEMA": "Track.1", "kind": "Audio", "children": [{"OTIO_SCHEMA": "Gap.1", "source_range": {"OTIO_SCHEMA": "TimeRange.1", "start_time": {"OTIO_SCHEMA": "RationalTime.1", "value": 0, "rate": 25}, "duration": {"OTIO_SCHEMA": "RationalTime.1", "value": 25, "rate": 25}}}]}]}}\n' > reads/cut.otio
printf '01:00:00:10 hit\n' > reads/cues.txt
printf 'return { level = -6 }\n' > reads/house.lua
cat > reads/mix.lua <<'EOF'
session { rate = 48000, fps = 25, start = "01:00:00:00", length = 2 }
local house = require "house"
local cue = markers "cues.txt"
local mx = track "MX" { gain = house.level }
spot(edl "cut.edl", { tracks = { A1 = mx }, media = { TONE = "tone.wav" } })
local o = otio "cut.otio"
mx.pan:set { at = cue "hit", to = 0.5 }
trims "mix.trims.lua"
output { "out/MX.wav", from = mx }
EOF
run "$DS" render --quiet reads/mix.lua --block 256 --threads 1
out=$(cd reads && python3 - <<'EOF'
import json, subprocess
m = json.load(open("out/mix.manifest.json"))
ins = {f["path"]: f["sha256"] for f in m["inputs"]}
want = ["mix.lua", "house.lua", "cues.txt", "cut.edl", "tone.wav", "cut.otio", "mix.trims.lua"]
bad = [p for p in want if ins.get(p) != subprocess.run(["sha256sum", p], capture_output=True, text=True).stdout.split()[0]]
o, e = m["options"], m["engine"]
print("missing or wrong:", " ".join(bad) or "none", "| block", o["block"], "threads", o["threads"],
      "| version", bool(e.get("version")), "flags", bool(e.get("flags")), "sha256", len(e.get("sha256", "")))
EOF
)
if [ $rc -eq 0 ] && has "missing or wrong: none | block 256 threads 1 | version True flags True sha256 64"; then
  ok "the manifest lists every file the script read with its SHA-256 (the script, a required module, a marker list, an EDL, its media, an OTIO timeline, the trims file), the engine's version, build flags and hash, --block 256 and --threads 1"
else notok "the manifest lists every file read and the options" "exit $rc; lacks '${missing:-}'"; fi

# ---- every manifest against the published schema ----
# (one written by render, one by check with a deliverable's measures, one
# by render --no-measure: deliverables null)
sed 's|^output { "out/PM.wav", from = pm }|deliver { "dl/PM.wav", from = pm, spec = "ebu-r128" }|' mix.lua > judged.lua
"$DS" check judged.lua > /dev/null 2>&1
"$DS" render --quiet --no-measure --out nm mix.lua
if ! python3 -c 'import jsonschema' 2>/dev/null; then
  echo "skip - the manifests against docs/manifest.schema.json: python3-jsonschema is not installed"
else
  run python3 - "$ROOT/docs/manifest.schema.json" out/mix.manifest.json dl/judged.manifest.json nm/mix.manifest.json <<'EOF2'
import json, sys, jsonschema
schema = json.load(open(sys.argv[1]))
jsonschema.Draft202012Validator.check_schema(schema)
for path in sys.argv[2:]:
    m = json.load(open(path))
    jsonschema.Draft202012Validator(schema).validate(m)
    print(path, "deliverables", "null" if m["deliverables"] is None else len(m["deliverables"]),
          "measures" if m["deliverables"] and "integrated" in m["deliverables"][0]["measures"] else "")
EOF2
  if [ $rc -eq 0 ] && has "out/mix.manifest.json deliverables 0" "dl/judged.manifest.json deliverables 1 measures" \
       "nm/mix.manifest.json deliverables null"; then
    ok "three manifests (render, check with a deliverable, render --no-measure) valid against docs/manifest.schema.json"
  else notok "the manifests against docs/manifest.schema.json" "exit $rc"; fi
fi

# a checkout at another path: the manifest's paths are relative to the
# script's folder, so check reuses the render there (after hashing again)
mkdir moved && cp -r judged.lua noise.wav tone.wav dl out moved/
run sh -c 'cd moved && "$0" check judged.lua' "$DS"
if [ $rc -eq 1 ] && has "check judged.lua: FAIL" "reused the last render"; then ok "the folder copied to another path: check reuses its render (and fails its loud deliverable again)"
else notok "the folder copied to another path: check reuses its render" "exit $rc"; fi

# ---- identical renders ----
mkdir v1 && cp -r out/. v1/
run "$DS" render --quiet --block 64 --threads 1 mix.lua
run "$DS" diff v1 out
if [ $rc -eq 0 ] && has "PM.wav: identical (2 ch, 384000 samples at 48000 Hz)" "stems/DX.wav: identical" \
     "diff: every output identical (threshold -120.0 dBFS)"; then
  ok "two renders (--block 1024, --block 64 --threads 1), two folders: identical, exit 0"
else notok "two renders: identical, exit 0" "exit $rc; lacks '${missing:-}'"; fi
run "$DS" diff v1/mix.manifest.json out/mix.manifest.json --json
if [ $rc -eq 0 ] && printf '%s' "$out" | python3 -c '
import json, sys
d = json.load(sys.stdin)
assert d["differ"] == 0 and d["compared"] == 3, d
assert all(o["status"] == "identical" for o in d["outputs"]), d
assert all(c["identical"] and c["peak_dbfs"] == "-inf" for o in d["outputs"] for c in o["per_channel"]), d'; then
  ok "two manifests, --json: every output and channel identical, exit 0"
else notok "two manifests, --json: identical" "exit $rc"; fi
run "$DS" diff v1/PM.wav out/PM.wav
[ $rc -eq 0 ] && has "identical" && ok "two files: identical, exit 0" || notok "two files: identical, exit 0" "exit $rc"

# ---- a one-sample gain change at a known timecode ----
mkdir c2 && cp noise.wav tone.wav cut2.lua c2/
run "$DS" render --quiet c2/cut2.lua
run "$DS" diff v1 c2/out
tc1="01:00:03:12+977 (sample 168017)"; tc2="01:00:03:17+977 (sample 177617)"
if [ $rc -eq 1 ] && has "PM.wav: differs" "first $tc1, last $tc2" "2 samples above -120.0 dBFS in 1 span:" \
     "$tc1 to $tc2" "stems/DX.wav: identical" "stems/MX.wav: differs" "diff: 2 of 3 outputs differ"; then
  ok "a one-sample -1 dB change at 168017 and 177617: first and last at exactly $tc1 and $tc2, one span, exit 1"
else notok "a one-sample change: reported at its timecode and sample" "exit $rc; lacks '${missing:-}'"; fi
pm_l=$(printf '%s\n' "$out" | sed -n 's/^    ch L    differs: peak \([-0-9.]*\) dBFS at .*, RMS \([-0-9.]*\) dBFS$/\1 \2/p')
pm_r=$(printf '%s\n' "$out" | sed -n 's/^    ch R    differs: peak \([-0-9.]*\) dBFS at .*, RMS \([-0-9.]*\) dBFS$/\1 \2/p')
sox -m -v 1 v1/PM.wav -v -1 c2/out/PM.wav -n stats > sox.txt 2>&1
sox_l=$(awk '/^Max level/ { mx = $4 } /^Min level/ { mn = $4 } /^RMS lev dB/ { r = $5 }
             END { p = mx > -mn ? mx : -mn; printf "%.2f %s", 20 * log(p) / log(10), r }' sox.txt)
sox_r=$(awk '/^Max level/ { mx = $5 } /^Min level/ { mn = $5 } /^RMS lev dB/ { r = $6 }
             END { p = mx > -mn ? mx : -mn; printf "%.2f %s", 20 * log(p) / log(10), r }' sox.txt)
close() { awk -v a="$1" -v b="$2" 'BEGIN { split(a, x, " "); split(b, y, " ");
  exit !(x[1] != "" && y[1] != "" && (x[1] - y[1])^2 <= 0.0001 && (x[2] - y[2])^2 <= 0.0001) }'; }
if close "$pm_l" "$sox_l" && close "$pm_r" "$sox_r"; then
  ok "peak and RMS of the difference agree with SoX (sox -m -v 1 A -v -1 B stats) within 0.01 dB: L $pm_l, R $pm_r"
else notok "peak and RMS agree with SoX" "dubstage L '$pm_l' R '$pm_r'; sox L '$sox_l' R '$sox_r'"; fi
# the formula: where the music is turned down 1 dB for a sample, its stem
# (mono, 32-bit float) differs by |x| (1 - 10^(-1/20)), x its sample there
x1=$(sox v1/stems/MX.wav -t dat - trim 168017s 1s 2>/dev/null | tr -d '\r' | awk '$1 !~ /^;/ && NF == 2 { print $2 }')
x2=$(sox v1/stems/MX.wav -t dat - trim 177617s 1s 2>/dev/null | tr -d '\r' | awk '$1 !~ /^;/ && NF == 2 { print $2 }')
want=$(awk -v a="$x1" -v b="$x2" 'BEGIN { a = a < 0 ? -a : a; b = b < 0 ? -b : b; m = a > b ? a : b;
                                          printf "%.3f", (m > 0 ? 20 * log(m * (1 - 10^(-1/20))) / log(10) : -999) }')
run "$DS" diff v1/stems/MX.wav c2/out/stems/MX.wav --json
got=$(printf '%s' "$out" | python3 -c '
import json, sys
c = json.load(sys.stdin)["outputs"][0]["per_channel"][0]
print(c["peak_dbfs"], c["first"]["sample"], c["last"]["sample"], c["first"]["timecode"], c["samples_above"])')
if [ $rc -eq 1 ] && awk -v g="${got%% *}" -v w="$want" 'BEGIN { exit !((g - w)^2 <= 0.0001) }' &&
   [ "${got#* }" = "168017 177617 None 2" ]; then
  ok "the music stem, two files, --json: peak ${got%% *} dBFS = |x| (1 - 10^(-1/20)) = $want within 0.01 dB; first and last samples; no timecode without a manifest"
else notok "the music stem, --json: the peak against the formula" "got '$got', want peak $want, '168017 177617 None 2'"; fi

run "$DS" diff v1/PM.wav c2/out/PM.wav
if [ $rc -eq 1 ] && has "first 3.500354 s (sample 168017), last 3.700354 s (sample 177617)"; then
  ok "two files without a manifest: positions in seconds and samples"
else notok "two files: seconds and samples" "lacks '${missing:-}'"; fi
run "$DS" diff v1/PM.wav c2/out/PM.wav --fps 25
if [ $rc -eq 1 ] && has "first $tc1, last $tc2"; then ok "two files, --fps 25: the manifest's timecode (the start from the files' BWF time reference)"
else notok "two files, --fps 25: the manifest's timecode" "lacks '${missing:-}'"; fi
run "$DS" diff v1/PM.wav c2/out/PM.wav --fps 25 --start 00:59:59:00
if [ $rc -eq 1 ] && has "first 01:00:02:12+977 (sample 168017)"; then ok "--fps 25 --start 00:59:59:00: the timecode one second earlier"
else notok "--fps 25 --start: the timecode from the start given" "lacks '${missing:-}'"; fi
run "$DS" diff v1 c2/out --gap 0.1
if [ $rc -eq 1 ] && has "2 samples above -120.0 dBFS in 2 spans:" "$tc1 to $tc1" "$tc2 to $tc2"; then
  ok "--gap 0.1: the two changes 0.2 s apart are two spans"
else notok "--gap 0.1: two spans" "lacks '${missing:-}'"; fi
run "$DS" diff v1 c2/out --threshold -20
if [ $rc -eq 0 ] && has "PM.wav: differs only below the threshold" "stems/MX.wav: differs only below the threshold" \
     "diff: every output identical (threshold -20.0 dBFS)"; then
  ok "--threshold -20 (above the difference's peak): exit 0, said to differ only below it"
else notok "--threshold -20: exit 0" "exit $rc; lacks '${missing:-}'"; fi

# ---- a folder pair with an output missing, and files of another shape ----
mkdir v3 v3/stems
cp v1/PM.wav v3/
run "$DS" diff v1 v3
if [ $rc -eq 1 ] && has "PM.wav: identical" "stems/DX.wav: missing in B (not in v3)" "stems/MX.wav: missing in B" \
     "diff: 2 of 3 outputs differ"; then
  ok "a folder without the stem (and without a manifest): the stem missing in B, exit 1"
else notok "a folder pair with a missing output" "exit $rc; lacks '${missing:-}'"; fi
rm c2/out/stems/DX.wav
run "$DS" diff c2/out/cut2.manifest.json v1/mix.manifest.json
if [ $rc -eq 1 ] && has "stems/DX.wav: missing in A (listed, but there is no file c2/out/stems/DX.wav)"; then
  ok "a manifest whose output was deleted: missing in A, the file named"
else notok "a manifest whose output was deleted" "exit $rc; lacks '${missing:-}'"; fi
sox -V1 v1/PM.wav short.wav trim 0 383000s
sox -V1 v1/PM.wav mono.wav remix 1
sox -V1 v1/PM.wav r44.wav rate 44100
run "$DS" diff v1/PM.wav short.wav
if [ $rc -eq 1 ] && has "lengths differ: 384000 samples in A, 383000 in B (1000 more in A): the common part compared" \
     "ch 1    identical"; then ok "a shorter file: lengths named, the common part identical, exit 1"
else notok "a shorter file" "exit $rc; lacks '${missing:-}'"; fi
run "$DS" diff v1/PM.wav mono.wav
[ $rc -eq 1 ] && has "channel counts differ: 2 in A, 1 in B (the first ones compared)" && ok "fewer channels: said, exit 1" ||
  notok "fewer channels" "exit $rc; lacks '${missing:-}'"
run "$DS" diff v1/PM.wav r44.wav
[ $rc -eq 1 ] && has "rates differ: 48000 Hz in A, 44100 Hz in B: not compared" && ok "another rate: said, not compared, exit 1" ||
  notok "another rate" "exit $rc; lacks '${missing:-}'"

# ---- errors: exit 2, the file named ----
run "$DS" diff v1/PM.wav nowhere/PM.wav
[ $rc -eq 2 ] && has "cannot read 'nowhere/PM.wav'" && ok "a missing file: exit 2, its path named" ||
  notok "a missing file: exit 2" "exit $rc"
echo "not audio" > notes.wav
run "$DS" diff v1/PM.wav notes.wav
[ $rc -eq 2 ] && has "'notes.wav' is not an audio file" && ok "a text file: exit 2, 'notes.wav' is not an audio file" ||
  notok "a text file: exit 2" "exit $rc"
run "$DS" diff v1/PM.wav
[ $rc -eq 2 ] && has "needs two renders" && ok "one argument: exit 2, usage said" || notok "one argument: exit 2" "exit $rc"
run "$DS" diff v1 v1/PM.wav
[ $rc -eq 2 ] && has "compare a file with a file" && ok "a folder against a file: exit 2, said" || notok "a folder against a file" "exit $rc"
run "$DS" diff v1 v1 --treshold -100
[ $rc -eq 2 ] && has "did you mean --threshold" && ok "a misspelt option: did you mean --threshold" || notok "a misspelt option" "exit $rc"
run "$DS" dif v1 v1
[ $rc -eq 2 ] && has "unknown command 'dif'; did you mean 'diff'?" && ok "a misspelt command: did you mean 'diff'" ||
  notok "a misspelt command" "exit $rc"
echo '{"dubstage_manifest": 7}' > future.manifest.json
run "$DS" diff future.manifest.json v1/mix.manifest.json
[ $rc -eq 2 ] && has "of version 7; this dubstage reads version 1" && ok "a manifest of a later version: exit 2, said" ||
  notok "a manifest of a later version" "exit $rc"

# ---- streaming: memory does not grow with length ----
if [ -x /usr/bin/time ]; then
  sox -V1 -n -r 48000 -b 24 -c 6 long_a.wav synth 120 whitenoise gain -20
  cp long_a.wav long_b.wav
  sox -V1 long_a.wav -b 24 short_a.wav trim 0 2
  cp short_a.wav short_b.wav
  /usr/bin/time -f '%M %e' -o short.time "$DS" diff short_a.wav short_b.wav > /dev/null
  /usr/bin/time -f '%M %e' -o long.time "$DS" diff long_a.wav long_b.wav > /dev/null
  rc=$?
  s_kb=$(cut -d' ' -f1 short.time); l_kb=$(cut -d' ' -f1 long.time); l_s=$(cut -d' ' -f2 long.time)
  if [ $rc -eq 0 ] && [ $((l_kb - s_kb)) -le 2048 ]; then
    ok "streaming: a 120 s 5.1 pair in $l_kb KiB peak ($l_s s), a 2 s pair in $s_kb KiB"
  else notok "streaming: memory does not grow with length" "exit $rc; 120 s: $l_kb KiB, 2 s: $s_kb KiB"; fi
else
  echo "skip - streaming memory: /usr/bin/time is not installed"
fi
