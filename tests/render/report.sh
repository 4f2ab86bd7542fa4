#!/bin/sh
# report.sh - `dubstage render --report DIR` (docs/report.md): the JSON's
# series checked against independent readings, the rules for DIR.
#   - the JSON parses (python3 json); one stream per output and per bus no
#     output records, in order;
#   - each output's summary equals `dubstage loudness --json` on the file
#     written (the same meter on the same samples: a 32-bit float output
#     within 0.001, a 24-bit one within 0.01 LU/dB), and the largest S and M
#     of the series are the meter's (10 ms grid) or at most 0.3 LU under;
#   - against ffmpeg's ebur128 (peak=true) on the same file: integrated
#     within 0.2 LU, the largest S of its 100 ms log within 0.2 LU of the
#     series', and point by point: its log line n (t = n * 0.1 s) is our
#     point n - 1, M and S within 0.1 LU where above -70 LUFS, every
#     channel's true peak (its FTPK) where above -60 dBTP: 95 % within
#     0.5 dB and all within 1 dB (its interpolator is not BS.1770's: on
#     pink noise it reads a point up to 0.6 dB apart);
#   - a compressor (threshold -30, ratio 4, RMS detector) on a steady sine
#     of -10 dBFS peak (-13.01 dB RMS): gain -12.74 dB (the static curve,
#     docs/language.md) within 0.05 dB through the steady part; an offline duck of -6 dB:
#     -6 dB while the key speaks, 0 before it;
#   - a deliverable's spec (EBU R 128 on the printmaster: -23.5 .. -22.5 LUFS,
#     -1 dBTP) and the verdict the render prints (FAIL: too loud);
#   - cue markers and clips as the script and the marker file give them;
#   - names holding bytes that are not UTF-8 and control bytes: the page
#     is strict UTF-8 (python3), each such byte a U+FFFD, markup escaped;
#   - the output files are the same bytes with and without --report, and
#     the JSON the same at --block 64 / 1 thread and --block 4096;
#   - DIR refused when it is an input (the script, a clip), when a report
#     file would replace an output, when missing; --report with another
#     command; exit status 1 or 2 and no report file left.
T=report
ROOT=$(pwd)
. tests/render/lib/common.sh
command -v ffmpeg >/dev/null 2>&1 || { echo "not ok - report: ffmpeg is missing (make deps)"; exit 1; }

. "$ROOT/tests/render/lib/report_mix.sh"

out=$("$DS" render mix.lua --report qc 2>&1); rc=$?
if [ $rc -eq 0 ] && [ -f qc/mix.report.json ] && [ -f qc/mix.report.html ] && has "out/pm.wav  spec ebu-r128: FAIL"; then
  ok "render --report qc writes qc/mix.report.json and qc/mix.report.html"
else
  notok "render --report qc" "exit status $rc, files: $(ls qc 2>&1)"
  exit 1
fi
"$DS" loudness --json out/pm.wav out/dx.wav out/mx.wav >loudness.json || notok "dubstage loudness --json" "exit $?"
for f in pm dx mx; do
  ffmpeg -nostats -hide_banner -i out/$f.wav -af ebur128=peak=true -f null - 2>ffmpeg_$f.txt
done

python3 - <<'PY'
import json, math, re
r = json.load(open("qc/mix.report.json", encoding="utf-8"))
def ok(good, name):
    print(("ok - " if good else "not ok - ") + name)
names = [(s["kind"], s["name"]) for s in r["streams"]]
ok(names == [("output", "out/pm.wav"), ("output", "out/dx.wav"), ("output", "out/mx.wav"), ("bus", "FX")],
   "one stream per output, then the bus no output records: %s" % names)
ok(r["interval_s"] == 0.1 and r["points"] == 200 and r["session"]["start"] == "10:00:00:00",
   "100 ms points over the 20 s session: %s points" % r["points"])
for s in r["streams"]:
    n = r["points"]
    ok(len(s["momentary_lufs"]) == n and len(s["short_term_lufs"]) == n
       and len(s["true_peak_dbtp_per_channel"]) == s["channels"]
       and all(len(c) == n for c in s["true_peak_dbtp_per_channel"]), "%s: every series has %d points" % (s["name"], n))

meter = {o["file"]: o for o in json.load(open("loudness.json", encoding="utf-8"))}
for s in r["streams"][:3]:
    m = meter[s["name"]]
    tol = 0.001 if s["name"] == "out/pm.wav" else 0.01
    for key in ("integrated_lufs", "loudness_range_lu", "true_peak_dbtp", "max_momentary_lufs", "max_short_term_lufs"):
        ok(m[key] is not None and s[key] is not None and abs(m[key] - s[key]) <= tol,
           "%s %s: report %s, dubstage loudness %s (within %g)" % (s["name"], key, s[key], m[key], tol))
    for series, key in (("short_term_lufs", "max_short_term_lufs"), ("momentary_lufs", "max_momentary_lufs")):
        top = max(v for v in s[series] if v is not None)
        # the series are written to 0.01 LU, the meter's maxima to 0.001: half a
        # hundredth of rounding on top of the tolerance
        ok(m[key] - 0.3 <= top <= m[key] + tol + 0.005,
           "%s: largest of %s %.2f, the meter's %s %.3f (at most 0.3 under)" % (s["name"], series, top, key, m[key]))
    tp = max(v for c in s["true_peak_dbtp_per_channel"] for v in c if v is not None)
    ok(abs(tp - m["true_peak_dbtp"]) <= 0.02, "%s: largest channel true peak of the series %.3f, the meter's %.3f"
       % (s["name"], tp, m["true_peak_dbtp"]))

def ffmpeg_log(path):
    frames, summary = [], {}
    for line in open(path, encoding="utf-8", errors="replace"):
        m = re.search(r"t: *([0-9.]+) .* M: *(-?[0-9.]+|-?nan|-?inf) S: *(-?[0-9.]+|-?nan|-?inf) .*FTPK:\s*((?:-?[0-9.inf]+\s+)+)dBFS", line)
        if m:
            frames.append((float(m.group(1)), float(m.group(2)), float(m.group(3)),
                           [float(x) for x in m.group(4).split()]))
        m = re.match(r"\s+I:\s+(-?[0-9.]+) LUFS", line)
        if m:
            summary["I"] = float(m.group(1))
    return frames, summary

for s, f in zip(r["streams"][:3], ("pm", "dx", "mx")):
    frames, summary = ffmpeg_log("ffmpeg_%s.txt" % f)
    ok(len(frames) >= r["points"] - 1, "%s: ffmpeg logged %d frames of 100 ms" % (f, len(frames)))
    ok("I" in summary and abs(summary["I"] - s["integrated_lufs"]) <= 0.2,
       "%s: integrated %s, ffmpeg %s (within 0.2)" % (f, s["integrated_lufs"], summary.get("I")))
    their_s = max(fr[2] for fr in frames if math.isfinite(fr[2]))  # ffmpeg says nan for S in silence
    our_s = max(v for v in s["short_term_lufs"] if v is not None)
    ok(abs(their_s - our_s) <= 0.2, "%s: largest S %.2f, ffmpeg's %.2f (within 0.2)" % (f, our_s, their_s))
    bad_ms, bad_tp, compared_ms, compared_tp = [], [], 0, 0
    for t, fm, fs, ftpk in frames:
        k = int(round(t / 0.1)) - 1
        if k < 0 or k >= r["points"]:
            continue
        for ours, theirs in ((s["momentary_lufs"][k], fm), (s["short_term_lufs"][k], fs)):
            if theirs > -70:
                compared_ms += 1
                if ours is None or abs(ours - theirs) > 0.1:
                    bad_ms.append((k, ours, theirs))
        for c, theirs in enumerate(ftpk[:s["channels"]]):
            if theirs > -60:
                compared_tp += 1
                ours = s["true_peak_dbtp_per_channel"][c][k]
                if ours is None or abs(ours - theirs) > 0.5:
                    bad_tp.append((k, c, ours, theirs))
    ok(compared_ms > 100 and not bad_ms, "%s: %d M and S points within 0.1 LU of ffmpeg's log%s"
       % (f, compared_ms, "; off: %s" % bad_ms[:4] if bad_ms else ""))
    ok(compared_tp > 100 and len(bad_tp) <= 0.05 * compared_tp and all(o is not None and abs(o - t) <= 1.0 for k, c, o, t in bad_tp),
       "%s: %d per-channel true peak points, 95 %% within 0.5 dB of ffmpeg's FTPK and all within 1 dB%s"
       % (f, compared_tp, "; over 0.5: %s" % bad_tp[:4] if bad_tp else ""))

spec = r["streams"][0]["spec"]
ok(spec is not None and spec["name"] == "ebu-r128" and spec["integrated_min_lufs"] == -23.5
   and spec["integrated_max_lufs"] == -22.5 and spec["true_peak_max_dbtp"] == -1.0 and spec["pass"] is False
   and spec["failures"] == 1 and "integrated" in spec["verdict"],
   "out/pm.wav carries its deliverable's spec (EBU R 128) and the render's verdict (integrated too loud): %s" % spec)
ok(all(s["spec"] is None for s in r["streams"][1:]), "the streams no deliverable names have no spec")

gains = {g["name"]: g for g in r["gain_reduction"]}
comp = [g for g in r["gain_reduction"] if g["kind"] == "dyn"]
ok(len(comp) == 1, "one compressor's gain: %s" % list(gains))
if comp:
    steady = comp[0]["gain_db"][5:195]
    want = (1 / 4 - 1) * (-10 - 10 * math.log10(2) + 30)
    ok(all(v is not None and abs(v - want) <= 0.05 for v in steady),
       "compressor on a -10 dBFS sine (threshold -30, ratio 4, RMS): %.2f dB within 0.05 from 0.5 s to 19.5 s (min %%.2f, max %%.2f)" % want
       % (min(steady), max(steady)))
duck = gains.get("FX.duck")
ok(duck is not None and duck["kind"] == "duck lane", "the offline duck's layer FX.duck is there")
if duck:
    g = duck["gain_db"]
    ok(all(abs(v) < 1e-6 for v in g[:18]) and all(abs(v + 6) < 1e-6 for v in g[21:49]) and abs(duck["deepest_db"] + 6) < 1e-6,
       "FX.duck: 0 dB before the first line (2 s), -6 dB through it (2.1-4.9 s)")
ok([(m["name"], m["sample"], m["timecode"]) for m in r["markers"]] ==
   [("logo", 48000, "10:00:01:00"), ("line one", 96000, "10:00:02:00"), ("line two", 576000, "10:00:12:00")],
   "the three cues: %s" % r["markers"])
clips = sorted((c["track"], c["start_sample"], c["end_sample"]) for c in r["clips"])
ok(clips == [("DIA", 96000, 240000), ("DIA", 576000, 720000), ("HITS", 240000, 288000), ("SCORE", 0, 960000)],
   "the four clips with their start and end: %s" % clips)
PY

# ---- the same bytes, the same series ----------------------------------------------
"$DS" render mix.lua --quiet --out plain >/dev/null 2>&1
"$DS" render mix.lua --quiet --out a --block 64 --threads 1 --report qc64 >/dev/null 2>&1
"$DS" render mix.lua --quiet --out a --block 4096 --report qc4096 >/dev/null 2>&1
same=1
for f in pm dx mx; do cmp -s plain/$f.wav out/$f.wav && cmp -s plain/$f.wav a/$f.wav || same=0; done
[ $same = 1 ] && ok "the outputs are the same bytes with and without --report, at --block 64 and 4096" \
  || notok "outputs with and without --report" "files differ"
cmp -s qc64/mix.report.json qc4096/mix.report.json && ok "the JSON is the same at --block 64 (1 thread) and --block 4096" \
  || notok "the JSON at --block 64 and 4096" "$(cmp qc64/mix.report.json qc4096/mix.report.json)"

# The render's own measures with --report (each output read by the meter its
# series come from) are the ones it takes without: its printed lines, and
# the manifest's deliverable measures to the last bit.
"$DS" render mix.lua --out m1 >m1.txt 2>&1
"$DS" render mix.lua --out m2 --report qcm >m2.txt 2>&1
grep -E 'LUFS|dBTP' m1.txt | sed 's#m1/##g' >m1.lines
grep -E 'LUFS|dBTP' m2.txt | sed 's#m2/##g' >m2.lines
if [ -s m1.lines ] && cmp -s m1.lines m2.lines && python3 -c '
import json, sys
a, b = ([d["measures"] for d in json.load(open(f))["deliverables"]] for f in sys.argv[1:])
sys.exit(not (a and a == b))' m1/mix.manifest.json m2/mix.manifest.json; then
  ok "the render's measures are the same with and without --report: $(wc -l <m1.lines) printed lines, the manifest's deliverables"
else
  notok "the render's measures with and without --report" "$(diff m1.lines m2.lines | head -5)"
fi

# ---- names that are not UTF-8 -------------------------------------------------------------
# A bus, a track and an output whose names hold bytes that are not UTF-8
# (0xFF, an overlong C0 AF) and control bytes: the page must still be
# well-formed UTF-8 (python3 decodes it strictly), each such byte shown as
# U+FFFD, markup still escaped; the JSON names them with \ufffd and \u escapes.
cat >badnames.lua <<'EOF'
session { rate = 48000, fps = "25" }
local pm = bus "PM"
local b = bus "M\255X<b>\1" { to = pm }
track "T\1\192\175" { to = b }:clip { "music.wav", at = 0, length = 2 }
output { "out/m\255\1.wav", from = pm }
output { "out/b.wav", from = b }
EOF
"$DS" render badnames.lua --quiet --report qcbad >/dev/null 2>&1 || notok "a render with names that are not UTF-8" "exit status $?"
python3 - <<'PY'
import json
def ok(good, name, why=""):
    print(("ok - " if good else "not ok - ") + name + ("" if good else ": " + why))
raw = open("qcbad/badnames.report.html", "rb").read()
try:
    page = raw.decode("utf-8")
except UnicodeDecodeError as e:
    page = None
    ok(False, "the page of a mix whose names are not UTF-8 is well-formed UTF-8", str(e))
if page is not None:
    ok(True, "the page of a mix whose names are not UTF-8 is well-formed UTF-8")
    want = ["out/m\ufffd\ufffd.wav", "M\ufffdX&lt;b&gt;\ufffd", "T\ufffd\ufffd\ufffd"]
    missing = [w for w in want if w not in page]
    ok(not missing, "each invalid or control byte of a name shows as U+FFFD, markup still escaped",
       "missing %s" % missing)
    ok("<b>" not in page and "\x01" not in page, "no raw markup or control byte from a name reaches the page")
r = json.loads(open("qcbad/badnames.report.json", "rb").read().decode("utf-8"))
names = [s["name"] for s in r["streams"]]
ok(names == ["out/m\ufffd\u0001.wav", "out/b.wav"], "the JSON names the streams with U+FFFD and \\u escapes",
   "%s" % names)
PY

# ---- DIR that may not be written --------------------------------------------------------
refused() { # NAME WORD -- ARGS...: exit 1 or 2, WORD in the message, no report file anywhere new
  name=$1; word=$2; shift 3
  before=$(find . -name '*.report.*' | sort)
  out=$("$DS" "$@" 2>&1); rc=$?
  after=$(find . -name '*.report.*' | sort)
  if [ $rc -ne 1 ] && [ $rc -ne 2 ]; then notok "$name" "exit status $rc"
  elif ! has "$word"; then notok "$name" "message lacks '$word'"
  elif [ "$before" != "$after" ]; then notok "$name" "report files appeared"
  else ok "$name"; fi
}
cp mix.lua keep.lua
refused "--report naming the script is refused" "is the script 'mix.lua' itself, not a folder" -- render mix.lua --report mix.lua
cmp -s mix.lua keep.lua && ok "the script is untouched" || notok "the script is untouched" "it changed"
refused "--report naming a clip source is refused" "is clip source 'music.wav'" -- render mix.lua --report music.wav
refused "--report without a folder" "needs a folder" -- render mix.lua --report
refused "--report with info" "--report is an option of render" -- info mix.lua --report qc
sed 's|output { "out/mx.wav"|output { "rep/mix.report.json"|' mix.lua >clash.lua
sed -i 's|mix.report.json|clash.report.json|' clash.lua
refused "a report file that would replace an output is refused" "would replace output 'rep/clash.report.json'" -- render clash.lua --report rep
mkdir -p busy/mix.report.html
refused "a report file that is a folder is refused" "is not a regular file" -- render mix.lua --report busy
rm -rf out
refused "--report naming an output that does not exist yet is refused" "is output 'out/mx.wav'" -- render mix.lua --report out/mx.wav
[ ! -e out ] && ok "no folder was made where the output goes" || notok "no folder was made where the output goes" "out/: $(ls -R out)"
refused "a report folder that cannot be made stops before the render" "cannot create folder '/proc/qc'" -- render mix.lua --report /proc/qc
[ ! -e out ] && ok "nothing was rendered" || notok "nothing was rendered" "out/ exists: $(ls out)"
