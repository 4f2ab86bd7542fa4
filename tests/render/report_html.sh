#!/bin/sh
# report_html.sh - the QC report's HTML page (docs/report.md) as headless
# Chromium (Debian's chromium; no display, no user profile: a fresh
# --user-data-dir each run) renders it:
#   - the console stays silent: no message at all (the page has no script;
#     a console line is an error, a blocked or failed load); checked to
#     catch one on a page that logs "boom";
#   - the page is self-contained: no src, no link to anything but its own
#     anchors, no <script>;
#   - the DOM Chromium built (--dump-dom) has the elements the mix calls
#     for: per stream (3 outputs + the FX bus) a loudness plot with 2
#     series and a true-peak plot with one series per channel, the gain
#     plot with one series per gain (compressor and duck), the clips plot
#     with its 4 clips; in every time plot one marker line per cue (3);
#     each polyline at most VM_QC_PLOT_COLUMNS (1000) points;
#   - a screenshot (png_count on its pixels, inside each plot area as
#     Chromium laid it out) shows the series drawn: at least 300 pixels of
#     the series' colours in each loudness, true-peak and gain plot, and
#     none (under 5) in the same areas of the page with its polylines taken
#     out, so the count sees the series, not the grid;
#   - a long programme stays small: 10 minutes (6000 points) give
#     polylines of at most 1000 points and a page under 400 kB.
T=report_html
ROOT=$(pwd)
. tests/render/lib/common.sh
PNG_COUNT=$ROOT/${BUILD:-build}/tools/png_count
command -v chromium >/dev/null 2>&1 || { echo "not ok - report_html: chromium is missing (scripts/install-deps.sh test)"; exit 1; }
[ -x "$PNG_COUNT" ] || { echo "not ok - report_html: no $PNG_COUNT (run make)"; exit 1; }

. "$ROOT/tests/render/lib/chromium.sh"

. "$ROOT/tests/render/lib/report_mix.sh"
out=$("$DS" render mix.lua --report qc 2>&1) || { notok "render --report qc" "exit $?"; exit 1; }
page=$W/qc/mix.report.html

# ---- the console ---------------------------------------------------------------
console_control
if chromium_run report.log --dump-dom "file://$page" >dom.html && [ -s dom.html ]; then
  ok "chromium renders the report headless ($(wc -c <dom.html) bytes of DOM)"
else
  notok "chromium renders the report headless" "exit status $?: $(tail -3 report.log)"
fi
if [ -z "$(console_lines report.log)" ]; then
  ok "no console message while the report loads"
else
  notok "no console message while the report loads" "$(console_lines report.log | head -3)"
fi

# ---- the DOM --------------------------------------------------------------------------
python3 - dom.html "$page" <<'PY'
import sys, re
from html.parser import HTMLParser
def ok(good, name):
    print(("ok - " if good else "not ok - ") + name)

class Plots(HTMLParser):
    def __init__(self):
        super().__init__()
        self.plots, self.cur, self.refs, self.scripts = [], None, [], 0
    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        cls = a.get("class", "")
        if tag == "script":
            self.scripts += 1
        for key in ("src", "href", "xlink:href"):
            if key in a:
                self.refs.append(a[key])
        if tag == "svg" and cls == "plot":
            self.cur = {"kind": a.get("data-kind"), "stream": a.get("data-stream"), "series": [], "markers": 0,
                        "clips": 0, "areas": 0}
            self.plots.append(self.cur)
        elif self.cur is not None:
            if tag == "polyline" and cls == "series":
                self.cur["series"].append(len(a.get("points", "").split()))
            elif tag == "line" and cls == "marker":
                self.cur["markers"] += 1
            elif tag == "rect" and cls == "clip":
                self.cur["clips"] += 1
            elif tag == "rect" and cls == "plot-area":
                self.cur["areas"] += 1
    def handle_endtag(self, tag):
        if tag == "svg":
            self.cur = None

p = Plots()
p.feed(open(sys.argv[1], encoding="utf-8").read())
kinds = [(q["kind"], q["stream"]) for q in p.plots]
want = [("loudness", "0"), ("true-peak", "0"), ("loudness", "1"), ("true-peak", "1"), ("loudness", "2"),
        ("true-peak", "2"), ("loudness", "3"), ("true-peak", "3"), ("gain", "-1"), ("clips", "-1")]
ok(kinds == want, "one loudness and one true-peak plot per stream (3 outputs, the FX bus), the gain and clips plots: %s" % kinds)
for q in p.plots:
    n = {"loudness": 2, "true-peak": 2, "gain": 2, "clips": 0}[q["kind"]]
    ok(len(q["series"]) == n and q["areas"] == 1,
       "%s plot of stream %s: %d series (want %d), one plot area" % (q["kind"], q["stream"], len(q["series"]), n))
    ok(q["markers"] == 3, "%s plot of stream %s: %d cue marker lines (3 cues)" % (q["kind"], q["stream"], q["markers"]))
    ok(all(0 < k <= 1000 for k in q["series"]) or q["kind"] == "clips",
       "%s plot of stream %s: polylines of %s points (1 to 1000)" % (q["kind"], q["stream"], q["series"]))
clips = [q for q in p.plots if q["kind"] == "clips"]
ok(clips and clips[0]["clips"] == 4, "the clips plot draws the 4 clips")
raw = Plots()
raw.feed(open(sys.argv[2], encoding="utf-8").read())
ok(raw.scripts == 0 and all(r.startswith("#") for r in raw.refs),
   "self-contained: no script, no reference out of the page (%d scripts, references %s)" % (raw.scripts, sorted(set(raw.refs))[:5]))
ok("<table class=\"summary\">" in open(sys.argv[2], encoding="utf-8").read(), "the summary table is there")
PY

# ---- the screenshot ------------------------------------------------------------------
# Where Chromium lays each plot area out: a copy of the page with a script
# at its end that writes the rectangles into its own DOM (the report itself
# has no script), read back with --dump-dom.
cp "$page" probe.html
cat >>probe.html <<'EOF'
<pre id="probe"></pre><script>
var out = [], areas = document.querySelectorAll("svg.plot rect.plot-area");
for (var i = 0; i < areas.length; i++) {
  var r = areas[i].getBoundingClientRect(), svg = areas[i].ownerSVGElement;
  out.push(svg.getAttribute("data-kind") + " " + svg.getAttribute("data-stream") + " " +
           Math.round(r.left + window.scrollX) + "," + Math.round(r.top + window.scrollY) + "," +
           Math.round(r.width) + "," + Math.round(r.height));
}
out.push("height " + document.documentElement.scrollHeight);
document.getElementById("probe").textContent = out.join("\n");
</script>
EOF
chromium_run probe.log --window-size=1200,900 --dump-dom "file://$W/probe.html" >probe_dom.html
sed -n '/<pre id="probe">/,/<\/pre>/p' probe_dom.html | sed 's/<[^>]*>//g' | grep . >rects.txt
height=$(awk '$1 == "height" { print $2 }' rects.txt)
if [ -n "$height" ] && [ "$(grep -c -v '^height' rects.txt)" -eq 10 ]; then
  ok "the probe finds the 10 plot areas laid out on a page ${height} px tall"
else
  notok "the probe finds the plot areas" "$(head -3 rects.txt)"
  exit 1
fi
# the same page without its series: what the plot areas hold besides them
sed 's|<polyline class="series"[^>]*>.*</polyline>||' "$page" >bare.html
chromium_run shot.log --window-size=1200,"$height" --screenshot="$W/shot.png" "file://$page" >/dev/null
chromium_run bare.log --window-size=1200,"$height" --screenshot="$W/bare.png" "file://$W/bare.html" >/dev/null
[ -s shot.png ] && [ -s bare.png ] && ok "screenshots taken (1200 x $height)" || notok "screenshots" "$(tail -3 shot.log)"
colours=0072B2,D55E00,009E73,CC79A7
rects=$(grep -v '^height' rects.txt | grep -v '^clips' | awk '{ print $3 }')
"$PNG_COUNT" shot.png 40 $colours $rects >shot.txt
"$PNG_COUNT" bare.png 40 $colours $rects >bare.txt
grep -v '^height' rects.txt | grep -v '^clips' | paste -d ' ' - shot.txt bare.txt | while read -r kind stream rect r1 nw1 a1 b1 c1 d1 r2 nw2 a2 b2 c2 d2; do
  drawn=$((a1 + b1 + c1 + d1)); bare=$((a2 + b2 + c2 + d2))
  if [ "$drawn" -ge 300 ] && [ "$bare" -lt 5 ]; then
    ok "$kind plot of stream $stream at $rect: $drawn pixels of its series' colours drawn ($bare without the series)"
  else
    notok "$kind plot of stream $stream at $rect" "$drawn pixels of the series' colours (want >= 300), $bare without the series (want < 5)"
  fi
done

# ---- a long programme -----------------------------------------------------------------
sox -n -r 8000 -c 1 -b 16 tone.wav synth 30 sine 500 gain -20
cat >long.lua <<'EOF'
session { rate = 8000, length = 600 }
local pm = bus "PM" { channels = 1 }
track "T" { channels = 1, to = pm }:clip { "tone.wav", at = 300 }
output { "out/long.wav", from = pm }
EOF
if "$DS" render long.lua --quiet --report long >/dev/null 2>&1; then
  python3 - long/long.report.json long/long.report.html <<'PY'
import json, os, re, sys
r = json.load(open(sys.argv[1], encoding="utf-8"))
html = open(sys.argv[2], encoding="utf-8").read()
counts = [len(m.split()) for m in re.findall(r'<polyline class="series"[^>]*points="([^"]*)"', html)]
size = os.path.getsize(sys.argv[2])
good = r["points"] == 6000 and counts and max(counts) <= 1000 and size < 400000
print(("ok - " if good else "not ok - ") + "10 minutes: %d points in the JSON, polylines of at most %d points, a page of %d bytes"
      % (r["points"], max(counts or [0]), size))
PY
else
  notok "a 10-minute render with a report" "exit status $?"
fi
