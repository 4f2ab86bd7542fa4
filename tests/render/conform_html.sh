#!/bin/sh
# conform_html.sh - the conform report's HTML page (dubstage conform --html;
# docs/conform.md) as headless Chromium (Debian's chromium, a fresh profile
# each run) renders it:
#   - the console stays silent (checked to see a page that logs "boom");
#   - the page is self-contained: no <script>, no src, no link out;
#   - every name from a file is text, never markup: a track, a cue and an
#     EDL clip name written as HTML (<b>, <i>, <script>) come out as text
#     in the DOM Chromium built, with no such element made;
#   - the DOM has what the cut and the mix call for: the diagram with one
#     rect per range and side (7 on the old cut: 5 kept, 2 removed; 6 on the
#     new: 5 kept, 1 inserted), 7 change rows, 1 gap, the dropped parts;
#   - the page is refused over an input of the script (--html onto the EDL).
T=conform_html
. tests/render/lib/demo_media.sh
command -v chromium >/dev/null 2>&1 || { echo "not ok - $T: chromium is missing (scripts/install-deps.sh test)"; exit 1; }
. "$repo/tests/render/lib/chromium.sh"
CLIP_A002='<i>sc1</i>' . "$repo/tests/render/lib/conform_cuts.sh"
printf '01:00:09:00 <script>alert(1)</script>\n01:00:05:00 & "quoted" cue\n' > cues.txt
cat > mix.lua <<EOF
session { rate = 48000, fps = "24", start = "01:00:00:00", length = 24 }
local cue = markers "cues.txt"
local dia = track "<b>DIA</b> & co" { channels = 1 }
dia:clip { "$M/dx/1st-v-netusim.ogg", at = cue '& "quoted" cue', length = 1.5 }
dia:clip { "$M/dx/k1-m-lebku.ogg", at = cue "<script>alert(1)</script>", length = 2 }
dia:clip { "$M/dx/pot-v-plav.ogg", at = "01:00:18:00", length = 4 }
dia.gain:ramp { at = "01:00:10:00", to = -6, over = 1 }
output { "out/dia.wav", from = dia }
conform { from = edl "v5.edl", to = edl "v6.edl" }
EOF
out=$("$DS" conform mix.lua --html report/conform.html 2>&1); rc=$?
page=$W/report/conform.html
if [ $rc -eq 0 ] && [ -s "$page" ]; then ok "dubstage conform --html writes the page"
else notok "dubstage conform --html writes the page" "exit $rc"; exit 1; fi

console_control
if chromium_run page.log --dump-dom "file://$page" >dom.html && [ -s dom.html ]; then
  ok "chromium renders the conform report headless ($(wc -c <dom.html) bytes of DOM)"
else notok "chromium renders the conform report headless" "exit status $?: $(tail -3 page.log)"; fi
if [ -z "$(console_lines page.log)" ]; then ok "no console message while the conform report loads"
else notok "no console message while the conform report loads" "$(console_lines page.log | head -3)"; fi

python3 - dom.html "$page" <<'PY'
import sys
from html.parser import HTMLParser
def ok(good, name):
    print(("ok - " if good else "not ok - ") + name)

class Page(HTMLParser):
    def __init__(self):
        super().__init__()
        self.tags, self.refs, self.ranges, self.table, self.rows, self.text = {}, [], {}, None, {}, []
    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        self.tags[tag] = self.tags.get(tag, 0) + 1
        for key in ("src", "href", "xlink:href"):
            if key in a:
                self.refs.append(a[key])
        if tag == "rect" and a.get("class") == "range":
            k = a.get("data-kind")
            self.ranges[k] = self.ranges.get(k, 0) + 1
        if tag == "table":
            self.table = a.get("class")
        if tag == "tr" and a.get("class") == "item" and self.table:
            self.rows[self.table] = self.rows.get(self.table, 0) + 1
    def handle_endtag(self, tag):
        if tag == "table":
            self.table = None
    def handle_data(self, d):
        self.text.append(d)

dom = Page()
dom.feed(open(sys.argv[1], encoding="utf-8").read())
raw = Page()
raw.feed(open(sys.argv[2], encoding="utf-8").read())
text = "".join(dom.text)
ok(raw.tags.get("script", 0) == 0 and not raw.refs, "self-contained: no script, no reference (%s)" % raw.refs[:3])
ok(dom.tags.get("i", 0) == 0 and dom.tags.get("script", 0) == 0 and dom.tags.get("b", 0) == 2,
   "names from files made no element (<i> %d, <script> %d; <b> %d: the page's own two)"
   % (dom.tags.get("i", 0), dom.tags.get("script", 0), dom.tags.get("b", 0)))
for s in ("<b>DIA</b> & co", "<script>alert(1)</script>", '& "quoted" cue', "<i>sc1</i>"):
    ok(s in text, "shown as text: %s" % s)
ok(dom.ranges == {"kept": 2, "moved": 8, "removed": 2, "inserted": 1},
   "the diagram: A001 kept (old and new), 4 moved ranges on both sides, 2 removed, 1 inserted: %s" % dom.ranges)
ok(dom.rows.get("changes") == 7, "7 changes of the cut (%s)" % dom.rows.get("changes"))
ok(dom.rows.get("gaps") == 1, "1 gap to fill (%s)" % dom.rows.get("gaps"))
# dropped: lebku whole (A003), plav none; the cue on A003; no move dropped (the ramp at 01:00:10:00 is in A003)
ok(dom.rows.get("dropped") == 3, "dropped: the clip in A003, its cue, the move in A003 (%s)" % dom.rows.get("dropped"))
PY

out=$("$DS" conform mix.lua --html v5.edl 2>&1); rc=$?
if [ $rc -ne 0 ] && has "--html" "v5.edl" && grep -q "^TITLE: REEL 1 V5" v5.edl; then
  ok "the page is never written over an input of the script (--html v5.edl refused, the EDL intact)"
else notok "the page is never written over an input" "exit $rc"; fi
exit 0
