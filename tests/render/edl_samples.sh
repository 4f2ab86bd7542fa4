#!/bin/sh
# edl_samples.sh - real-world CMX3600 lists (tests/data/pycmx: Avid exports
# published by pycmx, MIT) read by `edl`, event by event.
#
# Each list is read by dubstage (a script prints every event of cut.events:
# number, reel, tracks, transition and its length, the four timecodes,
# speed, clip name, source file, untimed, line, Avid's PATCH lines as
# record track -> source channel) and, separately, by a reader
# of the text written here in Python, kept simple: event lines split on
# white space, the comments as docs/conform.md says they attach (FROM CLIP
# NAME to the group's outgoing line, TO CLIP NAME to the line above, SOURCE
# FILE to the event named last, PATCH to the group's lines on its record
# track, of its reel when one is), M2 to the line above with its reel, Avid's
# `>>> SOURCE` table and its comments skipped, a source with no length
# taking the record's. Every field of every event must agree. Then the
# values pycmx's own tests assert (tests/test_parse.py): the event counts
# (287, 466, 376, 120), TEST.edl's event 1 (A2 only, HEAD LEADER MONO,
# OY_HEAD_LEADER.MOV, 01:00:00:00-01:00:08:00), event 3 on A7, event 43's
# dissolve pair, and the ToD list's line numbers (pycmx counts lines from
# 0: 2, 45, 544). Without ignore_timecode_mismatch the dialogue list is an
# error naming its line and event (a sound edit one frame longer in the
# source than in the record).
set -u
T=edl_samples
D=$(pwd)/tests/data/pycmx
. tests/render/lib/common.sh

for f in INS4_R1_DX_092117.edl TEST.edl INS4_R1_010417.edl ToD_R4_LOCK3.1_030618_Video.edl; do
  cp "$D/$f" .
  cat > "read_$f.lua" <<LUA
session { rate = 48000, fps = "23.976" }
local cut = edl("$f", { ignore_timecode_mismatch = true })
local function patch(ev)
  local t = {}
  for k = 1, 16 do if ev.patch["A" .. k] then t[#t + 1] = "A" .. k .. "=" .. ev.patch["A" .. k] end end
  return table.concat(t, ",")
end
for _, ev in ipairs(cut.events) do
  print(table.concat({ ev.number, ev.reel, table.concat(ev.tracks, " "), ev.transition, ev.transition_frames,
                       ev.src_in, ev.src_out, ev.rec_in, ev.rec_out, string.format("%.9f", ev.speed), ev.clip,
                       ev.file, tostring(ev.untimed), ev.where, patch(ev) }, "|"))
end
LUA
  "$DS" info "read_$f.lua" 2>&1 | grep '|' > "got_$f.txt"
done

python3 - "$D" > check.txt 2>&1 <<'PY'
import sys, os, re
D = sys.argv[1]
FPS = 24

def frames(tc):
    h, m, s, f = (int(x) for x in re.split('[:;]', tc))
    return ((h * 60 + m) * 60 + s) * FPS + f

def label(n):
    return '%02d:%02d:%02d:%02d' % (n // (3600 * FPS), n // (60 * FPS) % 60, n // FPS % 60, n % FPS)

def tracks(word, aud):
    out = set()
    for w in word.upper().split('/'):
        if w == 'V': out.add(0)
        elif w == 'A': out.add(1)
        elif w == 'AA': out.update((1, 2))
        elif w == 'B': out.update((0, 1))
        elif w.startswith('A'): out.add(int(w[1:]))
    out.update(aud)
    return ' '.join('V' if k == 0 else 'A%d' % k for k in sorted(out))

def tracks_of(e):
    return [0 if w == 'V' else int(w[1:]) for w in tracks(e['tw'], e['aud']).split()]

def read(name):
    text = open(os.path.join(D, name), encoding='utf-8').read()
    evs, named, group, gfrom, table = [], None, None, None, False
    for no, raw in enumerate(text.split('\n'), 1):
        s = raw.strip()
        if not s or s.upper().startswith(('TITLE:', 'FCM:')): continue
        if s.startswith('>>>'): table = True; continue
        if s.startswith('*'):
            if table or not evs: continue
            body = s[1:].strip(); up = body.upper()
            m = re.match(r'PATCH (\S+):\s+FROM SOURCE (\d+) TO RECORD (\d+)$', body, re.I)
            if m:
                group_evs = evs[gstart:]
                same_reel = [e for e in group_evs if e['reel'] == m.group(1)]
                for e in (same_reel or group_evs):
                    if int(m.group(3)) in set(tracks_of(e)): e['patch'][int(m.group(3))] = int(m.group(2))
                continue
            for key, kind in (('FROM CLIP NAME:', 'from'), ('TO CLIP NAME:', 'to'), ('SOURCE FILE:', 'file'),
                              ('FROM FILE:', 'file'), ('FROM CLIP:', 'file')):
                if up.startswith(key):
                    v = body[len(key):].strip()
                    if kind == 'from': evs[gfrom]['clip'] = v; named = gfrom
                    elif kind == 'to': evs[-1]['clip'] = v; named = len(evs) - 1
                    else: evs[named if named is not None else gfrom]['file'] = v
                    break
            continue
        t = s.split()
        if t[0].upper() == 'M2':
            for e in reversed(evs[gstart:]):
                if e['reel'] == t[1]: e['speed'] = float(t[2]) / FPS; break
            continue
        if t[0].upper() == 'AUD':
            evs[-1]['aud'].update(int(x) for x in t[1:]); continue
        table = False
        num = int(t[0])
        e = dict(number=num, reel=t[1], tw=t[2], trans=t[3], dur=int(t[4]) if len(t) == 9 else 0,
                 src=t[-4:-2], rec=t[-2:], clip='', file='', speed=1.0, aud=set(), line=no, patch={})
        if num != group:
            group, gstart, gfrom = num, len(evs), len(evs)
        named = None
        if e['trans'][0] in 'DW' and e['dur'] > 0:
            if len(evs) > gstart:
                o = len(evs) - 1
            else:
                o = max(i for i, x in enumerate(evs) if x['rec'][1] == e['rec'][0])
            if o < gstart: gfrom = o
        evs.append(e)
    out = []
    for e in evs:
        si, so, ri, ro = frames(e['src'][0]), frames(e['src'][1]), frames(e['rec'][0]), frames(e['rec'][1])
        untimed = si == so and ro > ri and e['speed'] == 1.0
        if e['speed'] == 1.0 and so - si != ro - ri: so = si + (ro - ri)   # untimed, or the record's length
        kind = {'C': 'cut', 'D': 'dissolve'}.get(e['trans'], 'wipe' if e['trans'][0] == 'W' else '?')
        if e['dur'] == 0: kind = 'cut'
        out.append('|'.join(str(x) for x in (e['number'], e['reel'], tracks(e['tw'], e['aud']), kind, e['dur'],
                   label(si), label(so), label(ri), label(ro), '%.9f' % e['speed'], e['clip'], e['file'],
                   'true' if untimed else 'false', '%s:%d' % (name, e['line']),
                   ','.join('A%d=%d' % (k, e['patch'][k]) for k in sorted(e['patch'])))))
    return out

fails = 0
for name in ('INS4_R1_DX_092117.edl', 'TEST.edl', 'INS4_R1_010417.edl', 'ToD_R4_LOCK3.1_030618_Video.edl'):
    want = read(name)
    got = [l.rstrip('\n') for l in open('got_%s.txt' % name, encoding='utf-8')]
    bad = [(i, w, g) for i, (w, g) in enumerate(zip(want, got)) if w != g]
    if len(want) != len(got) or bad:
        fails += 1
        print('FAIL %s: %d events read, %d by the text; %d differ' % (name, len(got), len(want), len(bad)))
        for i, w, g in bad[:3]: print('  want %s\n  got  %s' % (w, g))
    else:
        print('ok %s %d %d' % (name, len(got), len(set(l.split('|')[0] for l in got))))
sys.exit(1 if fails else 0)
PY
rc=$?
out=$(cat check.txt)
for f in INS4_R1_DX_092117.edl TEST.edl INS4_R1_010417.edl ToD_R4_LOCK3.1_030618_Video.edl; do
  line=$(grep " $f " check.txt)
  case $line in
    "ok $f "*) set -- $line; ok "$f: all $3 event lines (event numbers: $4) agree field by field with the reading of the text" ;;
    *) notok "$f: every event, field by field" "$(grep -A6 "$f" check.txt | head -7)" ;;
  esac
done

# pycmx's own assertions (tests/test_parse.py)
n() { cut -d'|' -f1 "got_$1.txt" | sort -u | wc -l | tr -d ' '; }
counts="$(n INS4_R1_010417.edl) $(n INS4_R1_DX_092117.edl) $(n ToD_R4_LOCK3.1_030618_Video.edl) $(n TEST.edl)"
[ "$counts" = "287 466 376 120" ] && ok "event counts as pycmx's tests: 287, 466, 376, 120" ||
  notok "event counts as pycmx's tests" "got $counts, want 287 466 376 120"
e1=$(sed -n 1p got_TEST.edl.txt)
[ "$e1" = "1|OY_HEAD_|A2|cut|0|00:00:00:00|00:00:08:00|01:00:00:00|01:00:08:00|1.000000000|HEAD LEADER MONO|OY_HEAD_LEADER.MOV|true|TEST.edl:3|A2=1" ] &&
  ok "TEST.edl event 1 as pycmx asserts: OY_HEAD_, A2 (not V, not A1), HEAD LEADER MONO, OY_HEAD_LEADER.MOV, 01:00:00:00-01:00:08:00, a cut; untimed: the source runs the record's 8 s; PATCH: A2 takes source channel 1" ||
  notok "TEST.edl event 1" "$e1"
grep -q '^3|[^|]*|A7|' got_TEST.edl.txt && ok "TEST.edl event 3 on A7 (pycmx: get_audio_channel(7))" ||
  notok "TEST.edl event 3 on A7" "$(grep '^3|' got_TEST.edl.txt)"
e43=$(grep '^43|' got_TEST.edl.txt | cut -d'|' -f1-9,11 | tr '\n' '/')
[ "$e43" = "43|TC_R1_V1|A7|cut|0|00:00:00:00|00:00:00:00|01:08:56:09|01:08:56:09|TC R1 V1.2 TEMP1 FX ST.WAV/43|TC_R1_V6|A7|dissolve|2|00:00:00:00|00:00:00:02|01:08:56:09|01:08:56:11|TC R1 V6 TEMP2 ST FX.WAV/" ] &&
  ok "TEST.edl event 43 as pycmx asserts: two lines on A7, TC_R1_V1 '...TEMP1 FX ST.WAV' 01:08:56:09 (record in = out) dissolving into TC_R1_V6 '...TEMP2 ST FX.WAV' to 01:08:56:11" ||
  notok "TEST.edl event 43" "$e43"
lines=$(awk -F'|' 'NR == 1 || NR == 15 || NR == 181 { sub(/.*:/, "", $14); printf "%s ", $14 }' got_ToD_R4_LOCK3.1_030618_Video.edl.txt)
[ "$lines" = "3 46 545 " ] && ok "ToD list: events 1, 15 and 181 at lines 3, 46, 545 (pycmx's 2, 45, 544 counted from 0)" ||
  notok "ToD list line numbers" "got $lines"

# without ignore_timecode_mismatch: the error names the file, line and event
printf 'session { rate = 48000, fps = "23.976" }\nlocal cut = edl "INS4_R1_DX_092117.edl"\n' > strict.lua
out=$("$DS" info strict.lua 2>&1); rc=$?
[ $rc -ne 0 ] && has "strict.lua:2: INS4_R1_DX_092117.edl:27: event 8: the source runs 00:00:04:08 (104 frames) but the record 00:00:04:07 (103 frames)" "ignore_timecode_mismatch = true" &&
  ok "the dialogue list without ignore_timecode_mismatch: an error naming line 27, event 8, both lengths and the option" ||
  notok "the strict reading's error" "exit $rc; lacks '${missing:-}'"
