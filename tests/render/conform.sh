#!/bin/sh
# conform.sh - re-conform (docs/conform.md): a mix made against one cut
# follows the new cut, on the demo's real recordings (Fish Fillets NG
# dialogue at 22.05 kHz, UFO: Alien Invasion's 48 kHz stereo ambience and a
# 44.1 kHz door).
#
# The EDL pair (also tests/unit/test_conform.c's): six 4-second shots; the
# new cut inserts a 2 s shot after the first, deletes the third, trims 1 s
# off the fourth's head, moves the sixth before the fifth and brings the
# fifth in on a 12-frame dissolve instead of a cut. The mix: five dialogue
# clips (one untouched, one moved, one in removed picture, one whose head
# was trimmed away, one straddling the moved shots), a 24 s ambience under
# them with fades, a door on a cue, fader and pan moves (one in removed
# picture, one ramp across a change), a duck of the ambience under the
# dialogue, four cues, a session length.
#   - `dubstage conform --json`: every clip part, move and cue, dropped or
#     kept, at the new timecode worked out by hand here, to the sample;
#     the cut's changes (moved, removed, trimmed, transition, inserted);
#   - the text report names what was dropped and the gap to fill; --strict
#     exits 1 (0 without it);
#   - the duck's moves (dubstage automation AMB.duck) follow the dialogue:
#     each breakpoint of the moved line's duck is 2 s later, same value;
#   - the conformed render = a render of the mix written by hand for the
#     new cut (the clips, parts and moves at the positions worked out here),
#     null test below -140 dBFS with dubstage diff, at --block 64 and 4096;
#     the old render against the hand-written one differs (the control);
#     a segment (render --from/--to, the new cut's times) of each is the same;
#   - a dissolve 12 -> 24 frames (EDLs v5x/v6x, spotted): the crossfade's
#     clips follow it, listed with old and new lengths, to the sample; the
#     render null-tests against the new cut's mix written by hand (-140 dBFS,
#     --block 64 and 4096), and not against the crossfade left at 12 frames;
#   - dubstage info's conform line counts what the report counts (clips,
#     parts, crossfades set, gaps, things dropped), its spotted line the
#     crossfades among the spotted clips (1 before the conform and after);
#   - errors name the script line: an edit missing, two conforms, cuts read
#     at two rates.
set -u
T=conform
. tests/render/lib/demo_media.sh
. "$repo/tests/render/lib/conform_cuts.sh"
cat > cues.txt <<'EOF'
01:00:05:00 netusim
01:00:09:00 lebku
01:00:18:00 plav
01:00:21:00 door
EOF

tracks='local dia = track "DIA" { channels = 1 }
local amb = track "AMB" { channels = 2, gain = -12 }
local fx = track "FX" { channels = 2 }
duck { amb, under = dia, depth = -9, attack = 0.05, release = 0.3, hold = 0.1, preroll = 0.1, bridge = 0.2 }'
outputs='output { "out/dia.wav", from = dia, format = "wav32f" }
output { "out/amb.wav", from = amb, format = "wav32f" }
output { "out/fx.wav", from = fx, format = "wav32f" }'

# the mix as it was made against v5
mix_v5="session { rate = 48000, fps = \"24\", start = \"01:00:00:00\", length = 26 }
local cue = markers \"cues.txt\"
$tracks
dia:clip { \"$M/dx/1st-m-pockej.ogg\", at = \"01:00:01:00\", length = 2 }
dia:clip { \"$M/dx/1st-v-netusim.ogg\", at = cue \"netusim\", length = 1.5, fade_out = 0.25 }
dia:clip { \"$M/dx/k1-m-lebku.ogg\", at = cue \"lebku\", length = 2 }
dia:clip { \"$M/dx/k1-v-citis.ogg\", at = \"01:00:12:12\", length = 3 }
dia:clip { \"$M/dx/pot-v-plav.ogg\", at = cue \"plav\", length = 4 }
amb:clip { \"$M/amb/minepump03.ogg\", at = \"01:00:00:00\", length = 24, fade_in = 1, fade_out = 1 }
fx:clip { \"$M/fx/door2-open.ogg\", at = cue \"door\", length = 1 }
dia.gain:ramp { at = \"01:00:05:00\", to = -6, over = 1 }
dia.gain:set { at = \"01:00:10:00\", to = 0 }
dia.gain:ramp { at = \"01:00:19:00\", to = -10, over = 2 }
fx.pan:ramp { at = cue \"door\", from = -1, to = 1, over = 1 }
$outputs"
printf '%s\n' "$mix_v5" > old.lua
printf '%s\nconform { from = edl "v5.edl", to = edl "v6.edl" }\n' "$mix_v5" > conform.lua

# the same mix written by hand for v6: every position worked out from the
# two lists (A002 +2 s, A004's last 3 s -3 s, A005 +1 s, A006 -7 s, after
# the cut -3 s; A003 and A004's first second gone)
cat > hand.lua <<EOF
session { rate = 48000, fps = "24", start = "01:00:00:00", length = 23 }
$tracks
dia:clip { "$M/dx/1st-m-pockej.ogg", at = "01:00:01:00", length = 2 }
dia:clip { "$M/dx/1st-v-netusim.ogg", at = "01:00:07:00", length = 1.5, fade_out = 0.25 }
dia:clip { "$M/dx/k1-v-citis.ogg", at = "01:00:10:00", from = "00:00:00:12", length = "00:00:02:12" }
dia:clip { "$M/dx/pot-v-plav.ogg", at = "01:00:19:00", length = 2 }
dia:clip { "$M/dx/pot-v-plav.ogg", at = "01:00:13:00", from = 2, length = 2 }
amb:clip { "$M/amb/minepump03.ogg", at = "01:00:00:00", length = 4, fade_in = 1 }
amb:clip { "$M/amb/minepump03.ogg", at = "01:00:06:00", from = 4, length = 4 }
amb:clip { "$M/amb/minepump03.ogg", at = "01:00:10:00", from = 13, length = 3 }
amb:clip { "$M/amb/minepump03.ogg", at = "01:00:17:00", from = 16, length = 4 }
amb:clip { "$M/amb/minepump03.ogg", at = "01:00:13:00", from = 20, length = 4, fade_out = 1 }
fx:clip { "$M/fx/door2-open.ogg", at = "01:00:14:00", length = 1 }
dia.gain:ramp { at = "01:00:07:00", to = -6, over = 1 }
dia.gain:set { at = "01:00:10:00", to = 0 }
dia.gain:ramp { at = "01:00:13:00", from = -5, to = -10, over = 1 }
dia.gain:set { at = "01:00:17:00", to = 0 }
dia.gain:ramp { at = "01:00:20:00", to = -10, over = 2 }
dia.gain:set { at = "01:00:21:00", to = -10 } -- after the cut: what the old mix held after its cut's end
fx.pan:ramp { at = "01:00:14:00", from = -1, to = 1, over = 1 }
$outputs
EOF

# ---- the report, item by item ---------------------------------------------
out=$("$DS" conform conform.lua --json 2>&1); rc=$?
if [ $rc -eq 0 ]; then ok "dubstage conform --json runs (exit 0 without --strict)"
else notok "dubstage conform --json runs" "exit $rc"; fi
printf '%s\n' "$out" > report.json
check=$(python3 - report.json <<'EOF'
import json, sys
r = json.load(open(sys.argv[1]))
S = 48000                    # samples a second; a frame is 2000
fails = []
def at(x): return None if x is None else x["samples"]
def items(kind, name=None):
    return [i for i in r["items"] if i["kind"] == kind and (name is None or i["name"] == name)]
def want(label, got, exp):
    if got != exp: fails.append("%s: got %s, want %s" % (label, got, exp))
# clips: (track, clip number, part, parts, old at, old end, new at, new end, source offset) in samples
clips = [("DIA", 1, 1, 1, 1*S, 3*S, 1*S, 3*S, 0),
         ("DIA", 2, 1, 1, 5*S, 6.5*S, 7*S, 8.5*S, 0),
         ("DIA", 4, 1, 1, 13*S, 15.5*S, 10*S, 12.5*S, 12*2000),
         ("DIA", 5, 1, 2, 18*S, 20*S, 19*S, 21*S, 0),
         ("DIA", 5, 2, 2, 20*S, 22*S, 13*S, 15*S, 2*S),
         ("AMB", 1, 1, 5, 0, 4*S, 0, 4*S, 0),
         ("AMB", 1, 2, 5, 4*S, 8*S, 6*S, 10*S, 4*S),
         ("AMB", 1, 3, 5, 13*S, 16*S, 10*S, 13*S, 13*S),
         ("AMB", 1, 4, 5, 16*S, 20*S, 17*S, 21*S, 16*S),
         ("AMB", 1, 5, 5, 20*S, 24*S, 13*S, 17*S, 20*S),
         ("FX", 1, 1, 1, 21*S, 22*S, 14*S, 15*S, 0)]
got = [(i["name"], i["index"], i["part"], i["parts"], at(i["old_at"]), at(i["old_end"]), at(i["new_at"]),
        at(i["new_end"]), i["from_samples"]) for i in items("clip")]
want("clip parts", sorted(got), sorted([tuple(int(v) if isinstance(v, float) else v for v in c) for c in clips]))
# dropped parts: where they were in the old cut, and where the removed picture was in the new one
dropped = [("DIA", 3, 9*S, 11*S, 10*S), ("DIA", 4, 12.5*S, 13*S, 10*S),
           ("AMB", 1, 8*S, 12*S, 10*S), ("AMB", 1, 12*S, 13*S, 10*S)]
got = [(i["name"], i["index"], at(i["old_at"]), at(i["old_end"]), at(i["new_at"])) for i in items("clip_dropped")]
want("clip parts dropped", sorted(got), sorted([tuple(int(v) if isinstance(v, float) else v for v in d) for d in dropped]))
# moves
got = sorted((at(i["old_at"]), at(i["new_at"])) for i in items("move", "DIA.gain"))
want("DIA.gain moves", got, [(5*S, 7*S), (19*S, 20*S)])
got = sorted((at(i["old_at"]), at(i["new_at"])) for i in items("move", "FX.pan"))
want("FX.pan moves (a set and a ramp: from = -1)", got, [(21*S, 14*S), (21*S, 14*S)])
got = [(i["name"], at(i["old_at"]), at(i["new_at"])) for i in items("move_dropped")]
want("moves dropped", got, [("DIA.gain", 10*S, 10*S)])
got = [(i["name"], at(i["old_at"]), at(i["new_at"])) for i in items("move_split")]
want("the ramp across A005|A006 goes on at A006's new place", got, [("DIA.gain", 20*S, 13*S)])
# cues
got = sorted((i["name"], at(i["old_at"]), at(i["new_at"])) for i in items("cue"))
want("cues", got, sorted([("netusim", 5*S, 7*S), ("plav", 18*S, 19*S), ("door", 21*S, 14*S)]))
got = [(i["name"], at(i["old_at"]), at(i["new_at"])) for i in items("cue_dropped")]
want("cues dropped", got, [("lebku", 9*S, 10*S)])
got = [(at(i["old_at"]), at(i["new_at"])) for i in items("length")]
want("session length", got, [(26*S, 23*S)])
# the cut's changes, by event number
ch = [(c["kind"], c["old_event"] and c["old_event"]["number"], c["new_event"] and c["new_event"]["number"],
       c["move_frames"], c["head_frames"]) for c in r["changes"]]
want("changes", ch, [("moved", 2, 3, 48, 0), ("removed", 3, None, 0, 0), ("trimmed", 4, 4, -72, -24),
                     ("moved", 5, 6, 24, 0), ("transition", 5, 6, 0, 0), ("moved", 6, 5, -168, 0),
                     ("inserted", None, 2, 0, 0)])
gaps = [(at(g["new_in"]), at(g["new_out"])) for g in r["ranges"] if g["kind"] == "inserted"]
want("gaps to fill", gaps, [(4*S, 6*S)])
s = r["summary"]
want("summary", (s["clips"], s["clip_parts"], s["clips_split"], s["clip_parts_dropped"], s["moves_dropped"],
                 s["cues_dropped"], s["gaps"], s["dropped"]), (7, 11, 2, 4, 1, 1, 1, 6))
print("\n".join(fails) if fails else "all")
EOF
)
if [ "$check" = all ]; then ok "every clip part, move, cue and the length at the new timecode worked out by hand, to the sample"
else out=$check; notok "every clip part, move and cue at the hand-worked timecode" "see below"; fi

out=$("$DS" conform conform.lua 2>&1); rc=$?
if [ $rc -eq 0 ] && has "moved | event 2 A002 (v5.edl:4) | 01:00:04:00 - 01:00:08:00 | 01:00:06:00 - 01:00:10:00 | +48 frames" \
  "removed | event 3 A003 (v5.edl:5) | 01:00:08:00 - 01:00:12:00" \
  "transition | event 5 A005 (v5.edl:7)" "cut -> dissolve 12 frames" \
  "inserted | event 2 B001 (v6.edl:4)" \
  "01:00:04:00 - 01:00:06:00 | 2.000 s (48 frames) | event 2 B001 (v6.edl:4)" \
  "clip | DIA #3 | conform.lua:9 | 01:00:09:00 - 01:00:11:00 | 01:00:10:00" \
  "move | DIA.gain #2 | conform.lua:14 | 01:00:10:00 | 01:00:10:00" \
  "cue | lebku |" "cues.txt | 01:00:09:00 | 01:00:10:00" \
  "6 things dropped"; then
  ok "the text report: the cut's changes, the gap to fill, what was dropped (with its script line)"
else notok "the text report" "exit $rc, lacks '$missing'"; fi
out=$("$DS" conform conform.lua --strict 2>&1); rc=$?
if [ $rc -eq 1 ] && has "conform --strict: 6 things dropped"; then ok "--strict exits 1 when anything was dropped"
else notok "--strict exits 1 when anything was dropped" "exit $rc"; fi
out=$("$DS" info conform.lua 2>&1); rc=$?
if [ $rc -eq 0 ] && has "conform  moved from v5.edl to v6.edl (conform.lua:21): 7 clips (11 parts placed, 2 split at a change, 4 parts dropped)" \
  "0 crossfades set to a dissolve's new length" "1 gap to fill; 6 things dropped; 'dubstage conform conform.lua' lists every change"; then
  ok "dubstage info's conform line: the clips, parts, crossfades, gaps and things dropped worked out above"
else notok "dubstage info's conform line" "exit $rc, lacks '$missing'"; fi
out=$("$DS" conform old.lua 2>&1); rc=$?
if [ $rc -eq 2 ] && has "old.lua asks for no conform"; then ok "conform on a script without conform {} says so (exit 2)"
else notok "conform on a script without conform {}" "exit $rc"; fi

# ---- the duck follows the dialogue ------------------------------------------
# breakpoints "TC value" of AMB.duck as samples from the session start
duck_points() {
  "$DS" automation "$1" AMB.duck 2>&1 | awk 'NR > 1 && NF == 2 {
    split($1, p, "+"); split(p[1], t, ":"); n = (p[2] == "" ? 0 : p[2])
    print ((t[1] - 1) * 3600 + t[2] * 60 + t[3]) * 48000 + t[4] * 2000 + n, $2 }'
}
duck_points old.lua > duck_old.txt
duck_points conform.lua > duck_new.txt
# the line moved with A002 (old 01:00:04:00-01:00:08:00; the line 01:00:05:00-01:00:06:12 and its
# release): every point 2 s (96000 samples) later (up to 01:00:07:12, before the next line's pre-roll)
awk '$1 >= 4 * 48000 && $1 < 7.5 * 48000 { print $1 + 96000, $2 }' duck_old.txt > want_a002.txt
awk '$1 >= 6 * 48000 && $1 < 9.5 * 48000' duck_new.txt > got_a002.txt
if [ -s want_a002.txt ] && [ "$(wc -l < want_a002.txt)" -ge 2 ] && cmp -s want_a002.txt got_a002.txt; then
  ok "the duck's moves follow the dialogue: the moved line's $(wc -l < want_a002.txt) breakpoints 2 s later, same values"
else out=$(paste want_a002.txt got_a002.txt | head -8); notok "the duck's moves follow the dialogue" "see below"; fi
# the whole duck lane = the one the mix written for the new cut gets (the
# removed line's duck, 01:00:09:00 in the old cut, is gone with it)
duck_points hand.lua > duck_hand.txt
if awk '$1 >= 9 * 48000 && $1 < 11 * 48000' duck_old.txt | grep -q . && [ -s duck_hand.txt ] && \
   cmp -s duck_hand.txt duck_new.txt; then
  ok "the duck of the conformed mix = the duck of the mix written for the new cut, breakpoint for breakpoint"
else out=$(diff duck_hand.txt duck_new.txt | head); notok "the conformed duck = the hand-written one" "see below"; fi

# ---- the null test -----------------------------------------------------------
null_test() { # WHAT CONFORMED.lua HAND.lua: both rendered into r_NAME64 and r_NAME4096 (--block 64
              # and 4096), equal below -140 dBFS (dubstage diff) at each block size
  for b in 64 4096; do
    "$DS" render "$2" --out "r_${2%.lua}$b" --block $b >/dev/null 2>&1 || notok "$1: $2 renders at --block $b" "failed"
    "$DS" render "$3" --out "r_${3%.lua}$b" --block $b >/dev/null 2>&1 || notok "$1: $3 renders at --block $b" "failed"
    out=$("$DS" diff "r_${2%.lua}$b" "r_${3%.lua}$b" --threshold -140 2>&1); rc=$?
    if [ $rc -eq 0 ]; then ok "$1: conformed render = the new cut's mix written by hand, below -140 dBFS, --block $b"
    else notok "$1: conformed render = the new cut's mix written by hand, --block $b" "dubstage diff exit $rc"; fi
  done
}
null_test "the pair" conform.lua hand.lua
"$DS" render old.lua --out r_old --block 4096 >/dev/null 2>&1
out=$("$DS" diff r_old r_hand4096 --threshold -140 2>&1); rc=$?
if [ $rc -eq 1 ]; then ok "the control: the old mix's render differs from the new cut's"
else notok "the control: the old render differs" "dubstage diff exit $rc"; fi
# render --from/--to are the new cut's times: a segment of the conformed mix
# (A006 moved to 01:00:13:00, the door at 01:00:14:00) = the same segment of
# the mix written by hand for the new cut
"$DS" render conform.lua --out r_seg_conform --from 01:00:12:12 --to 01:00:15:00 >/dev/null 2>&1
"$DS" render hand.lua --out r_seg_hand --from 01:00:12:12 --to 01:00:15:00 >/dev/null 2>&1
out=$("$DS" diff r_seg_conform r_seg_hand --threshold -140 2>&1); rc=$?
if [ $rc -eq 0 ] && [ -f r_seg_hand/fx.wav ]; then ok "render --from/--to on a conformed mix: the new cut's times (the segment = the hand-written mix's, below -140 dBFS)"
else notok "render --from/--to on a conformed mix: the new cut's times" "dubstage diff exit $rc"; fi

# ---- a dissolve whose length changed -------------------------------------------
# v5x: k1-v-citis from 00:00:01:00 at 01:00:01:00, dissolving at 01:00:03:00
# over 12 frames into pot-v-plav; v6x: 12 frames trimmed off citis's head
# (everything after it 12 frames earlier) and the dissolve 24 frames long.
# spot() of v5x makes the crossfade (citis's pair line runs on 12 frames
# and fades out, plav fades in); the conform must make it 24 frames:
# worked out by hand (1 frame = 2,000 samples): the pair line at 01:00:02:12,
# 1 s long, fading out over 1 s; plav at 01:00:02:12 (an EDL dissolve starts
# at the cut), fading in over 1 s; citis's first part from 00:00:01:12.
cat > v5x.edl <<'EOF2'
TITLE: DISSOLVE V5
FCM: NON-DROP FRAME
001  CITIS    AA    C        00:00:01:00 00:00:03:00 01:00:01:00 01:00:03:00
* FROM CLIP NAME:  k1-v-citis
002  CITIS    AA    C        00:00:03:00 00:00:03:00 01:00:03:00 01:00:03:00
002  PLAV     AA    D    012 00:00:01:00 00:00:03:00 01:00:03:00 01:00:05:00
* FROM CLIP NAME:  k1-v-citis
* TO CLIP NAME:  pot-v-plav
EOF2
sed -e 's/DISSOLVE V5/DISSOLVE V6/' -e 's/00:00:01:00 00:00:03:00 01:00:01:00 01:00:03:00/00:00:01:12 00:00:03:00 01:00:01:00 01:00:02:12/' \
  -e 's/01:00:03:00 01:00:03:00$/01:00:02:12 01:00:02:12/' -e 's/D    012 00:00:01:00 00:00:03:00 01:00:03:00 01:00:05:00/D    024 00:00:01:00 00:00:03:00 01:00:02:12 01:00:04:12/' \
  v5x.edl > v6x.edl
dx_head='session { rate = 48000, fps = "24", start = "01:00:00:00" }
local dia = track "DIA" { channels = 1 }'
dx_out='output { "out/dia.wav", from = dia, format = "wav32f" }'
cat > dx_old.lua <<EOF2
$dx_head
spot(edl "v5x.edl", { tracks = { A1 = dia }, media = { ["k1-v-citis"] = "$M/dx/k1-v-citis.ogg", ["pot-v-plav"] = "$M/dx/pot-v-plav.ogg" } })
$dx_out
EOF2
sed 's/^output {/conform { from = edl "v5x.edl", to = edl "v6x.edl" }\noutput {/' dx_old.lua > dx_conf.lua
cat > dx_hand.lua <<EOF2
$dx_head
dia:clip { "$M/dx/k1-v-citis.ogg", at = "01:00:01:00", from = "00:00:01:12", length = "00:00:01:12" }
dia:clip { "$M/dx/k1-v-citis.ogg", at = "01:00:02:12", from = "00:00:03:00", length = "00:00:01:00",
           fade_out = "00:00:01:00", curve = "equal_power" }
dia:clip { "$M/dx/pot-v-plav.ogg", at = "01:00:02:12", from = "00:00:01:00", length = "00:00:02:00",
           fade_in = "00:00:01:00", curve = "equal_power" }
$dx_out
EOF2
if grep -q 'D    024 00:00:01:00 00:00:03:00 01:00:02:12 01:00:04:12' v6x.edl && grep -q '^002  CITIS .*01:00:02:12 01:00:02:12$' v6x.edl \
   && grep -q 'conform {' dx_conf.lua; then ok "the dissolve pair v5x/v6x is written"
else notok "the dissolve pair v5x/v6x is written" "sed did not change what it should"; fi
out=$("$DS" conform dx_conf.lua --json 2>&1); rc=$?
printf '%s\n' "$out" > dx_report.json
check=$(python3 - dx_report.json <<'EOF2'
import json, sys
r = json.load(open(sys.argv[1]))
S = 48000
fails = []
def at(x): return None if x is None else x["samples"]
def want(label, got, exp):
    if got != exp: fails.append("%s: got %s, want %s" % (label, got, exp))
x = [(i["name"], i["index"], at(i["old_at"]), at(i["old_end"]), at(i["new_at"]), at(i["new_end"]),
      i["old_fade_samples"], i["new_fade_samples"], i["note"].split(":")[0]) for i in r["items"] if i["kind"] == "crossfade"]
want("crossfades", sorted(x), [("DIA", 2, 3*S, int(3.5*S), int(2.5*S), int(3.5*S), S // 2, S, "fade out"),
                               ("DIA", 3, 3*S, int(3.5*S), int(2.5*S), int(3.5*S), S // 2, S, "fade in")])
clips = [(i["name"], i["index"], at(i["new_at"]), at(i["new_end"]), i["from_samples"]) for i in r["items"] if i["kind"] == "clip"]
want("clip parts", sorted(clips), [("DIA", 1, 1*S, int(2.5*S), int(1.5*S)), ("DIA", 2, int(2.5*S), int(3.5*S), 3*S),
                                   ("DIA", 3, int(2.5*S), int(4.5*S), 1*S)])
ch = [(c["kind"], c["old_event"]["transition"], c["new_event"]["transition"]) for c in r["changes"] if c["kind"] == "transition"]
want("the transition change", ch, [("transition", "dissolve 12 frames", "dissolve 24 frames")])
want("summary crossfades", r["summary"]["crossfades"], 2)
print("\n".join(fails) if fails else "all")
EOF2
)
if [ $rc -eq 0 ] && [ "$check" = all ]; then
  ok "a dissolve 12 -> 24 frames: both crossfade clips onto the new dissolve, old and new lengths listed, to the sample"
else out="exit $rc; $check"; notok "a dissolve 12 -> 24 frames: the crossfade follows" "see below"; fi
out=$("$DS" conform dx_conf.lua 2>&1)
if has "Crossfades set to a dissolve's new length:" \
  "DIA | #2 | dx_conf.lua:3 | 01:00:03:00 - 01:00:03:12 (0.500 s) | 01:00:02:12 - 01:00:03:12 (1.000 s), fade out: the dissolve into event 2 PLAV (v6x.edl:6), 12 frames -> dissolve 24 frames" \
  "2 crossfades set to a dissolve's new length"; then
  ok "the text report lists each crossfade with its old and new timecodes and lengths"
else notok "the text report lists each crossfade" "lacks '$missing'"; fi
out=$("$DS" info dx_old.lua 2>&1); rc=$?
r1=$rc; old_info=$out
out=$("$DS" info dx_conf.lua 2>&1); rc=$?
if [ $r1 -eq 0 ] && [ $rc -eq 0 ] && has "conform  moved from v5x.edl to v6x.edl (dx_conf.lua:4): " \
  "2 crossfades set to a dissolve's new length" "spotted  3 clips from edits (spot) on 1 track, 1 crossfade (a dissolve or wipe)" \
  && printf '%s\n' "$old_info" | grep -q "^spotted  3 clips from edits (spot) on 1 track, 1 crossfade (a dissolve or wipe)" \
  && ! printf '%s\n' "$old_info" | grep -q "^conform "; then
  ok "dubstage info: the spotted dissolve is 1 crossfade before and after the conform, which says it set 2 crossfade clips"
else notok "dubstage info counts the crossfades" "exit $r1 / $rc, lacks '$missing' (or the old mix's info differs)"; fi
null_test "a longer dissolve" dx_conf.lua dx_hand.lua
# the control: with the crossfade left at 12 frames (as before this was done), the renders differ
sed 's/length = "00:00:01:00",$/length = "00:00:00:12",/; s/fade_out = "00:00:01:00"/fade_out = "00:00:00:12"/; s/fade_in = "00:00:01:00"/fade_in = "00:00:00:12"/' \
  dx_hand.lua > dx_short.lua
"$DS" render dx_short.lua --out r_dxs --block 4096 >/dev/null 2>&1
out=$("$DS" diff r_dxs r_dx_hand4096 --threshold -140 2>&1); rc=$?
if [ $rc -eq 1 ] && grep -q '"00:00:00:12"' dx_short.lua; then ok "the control: the crossfade left at 12 frames renders differently"
else notok "the control: the 12-frame crossfade differs" "dubstage diff exit $rc"; fi

# ---- errors --------------------------------------------------------------------
err() { # NAME BODY WORD...
  name=$1; body=$2; shift 2
  printf 'session { rate = 48000, fps = "24", start = "01:00:00:00" }\nlocal t = track "T" { channels = 1 }\n%s\n' "$body" > err.lua
  out=$("$DS" render err.lua --out r_err 2>&1); rc=$?
  expect_failed "$name" "$@"
}
err "conform without an edit names the key" 'conform { from = edl "v5.edl", to = "v6.edl" }' \
  "err.lua:3: conform needs to = an edit (the new cut), got string"
err "conform twice names the first" 'conform { from = edl "v5.edl", to = edl "v6.edl" }
conform { from = edl "v5.edl", to = edl "v6.edl" }' "err.lua:4: conform is asked for twice (first at err.lua:3)"
err "an unknown track, with did-you-mean" 'conform { from = edl "v5.edl", to = edl "v6.edl", track = "a1" }' \
  "err.lua:3: conform: unknown track 'a1'; did you mean 'A1'?"
err "cuts read at two rates: named at the conform line" \
  'conform { from = edl "v5.edl", to = edl("v6.edl", { fps = "25" }) }' \
  "err.lua:3: conform: v5.edl is read at 24 fps and v6.edl at 25 fps"
err "an unknown key, with did-you-mean" 'conform { from = edl "v5.edl", too = edl "v6.edl" }' \
  "err.lua:3: unknown option 'too' for conform; did you mean 'to'?"
exit 0
