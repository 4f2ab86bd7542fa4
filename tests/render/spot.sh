#!/bin/sh
# spot.sh - spotting from an edit (docs/conform.md) onto the demo's real
# recordings (Fish Fillets NG dialogue at 22.05 kHz, a 48 kHz stereo effect
# from UFO: Alien Invasion).
#
# A CMX3600 EDL written here (two audio tracks, a cut, a dissolve pair, an
# AA event from a stereo source, black, comments) is spotted with spot();
# the same mix is written by hand as plain clips at the timecodes read off
# the EDL. The two renders must be byte-identical (every clip on its
# sample, the dissolve's fades the same samples), at --block 1 and 4096;
# the dissolve written as a wipe (W001) renders the same.
# The same for an OpenTimelineIO timeline with a centred dissolve (6 frames
# either side of the cut). Also: the clips spot() returns are plain clips
# (a gain set on one is heard in both renders); `dubstage info` lists every
# spotted clip with its event and position, and counts the crossfades
# (a fade in on the samples of another spotted clip's fade out); errors name the script line,
# the edit's line or JSON path, the event and what to do: a speed change
# (M2), missing media (with did-you-mean), a mono track and a source with
# too few channels, an unknown edit track; `false` leaves an event out;
# Avid's PATCH line chooses the source channel a mono track plays.
set -u
T=spot
. tests/render/lib/demo_media.sh

cat > cut.edl <<'EOF'
TITLE: SCENE 3 CUT 2
FCM: NON-DROP FRAME

001  POCKEJ   A     C        00:00:00:00 00:00:02:00 01:00:01:00 01:00:03:00
* FROM CLIP NAME: 1st-m-pockej
002  NETUSIM  A2    C        00:00:00:12 00:00:01:12 01:00:02:00 01:00:03:00
* FROM CLIP NAME: 1st-v-netusim
003  POCKEJ   A     C        00:00:02:00 00:00:02:00 01:00:03:00 01:00:03:00
003  LEBKU    A     D    012 00:00:00:00 00:00:02:00 01:00:03:00 01:00:05:00
* FROM CLIP NAME: 1st-m-pockej
* TO CLIP NAME: k1-m-lebku
004  METAL    AA    C        00:00:00:06 00:00:01:00 01:00:06:00 01:00:06:18
* FROM CLIP NAME: breakmetal02
005  BL       V     C        00:00:00:00 00:00:01:00 01:00:07:00 01:00:08:00
EOF

head='session { rate = 48000, fps = "24", start = "01:00:00:00", length = 8 }
local d1 = track "DIA 1" { channels = 1 }
local d2 = track "DIA 2" { channels = 1 }'
tail='output { "out/d1.wav", from = d1, format = "wav32f" }
output { "out/d2.wav", from = d2, format = "wav32f" }'

cat > spot.lua <<EOF
$head
local cut = edl "cut.edl"
local clips = spot(cut, { tracks = { A1 = d1, A2 = d2 }, media = {
  ["1st-m-pockej"] = "$M/dx/1st-m-pockej.ogg", ["1st-v-netusim"] = "$M/dx/1st-v-netusim.ogg",
  LEBKU = "$M/dx/k1-m-lebku.ogg", breakmetal02 = "$M/fx/breakmetal02.ogg" } })
clips[2].gain = -6 -- a spotted clip is a plain clip
for i, c in ipairs(clips) do io.write(string.format("clip %d at %.6f length %.6f from %.6f\n", i, c.at, c.length, c.from)) end
$tail
EOF
# the same, by hand: every position read off the EDL
cat > hand.lua <<EOF
$head
d1:clip { "$M/dx/1st-m-pockej.ogg", at = "01:00:01:00", length = "00:00:02:00" }
d2:clip { "$M/dx/1st-v-netusim.ogg", at = "01:00:02:00", from = "00:00:00:12", length = "00:00:01:00", gain = -6 }
d1:clip { "$M/dx/1st-m-pockej.ogg", at = "01:00:03:00", from = "00:00:02:00", length = "00:00:00:12",
          fade_out = "00:00:00:12", curve = "equal_power" }
d1:clip { "$M/dx/k1-m-lebku.ogg", at = "01:00:03:00", length = "00:00:02:00", fade_in = "00:00:00:12",
          curve = "equal_power" }
d1:clip { "$M/fx/breakmetal02.ogg", at = "01:00:06:00", from = "00:00:00:06", length = "00:00:00:18", channel = 1 }
d2:clip { "$M/fx/breakmetal02.ogg", at = "01:00:06:00", from = "00:00:00:06", length = "00:00:00:18", channel = 2 }
$tail
EOF

same() { # NAME A B: the outputs of two render folders are byte-identical
  if cmp -s "$2/d1.wav" "$3/d1.wav" && cmp -s "$2/d2.wav" "$3/d2.wav"; then ok "$1"
  else out=$(cmp "$2/d1.wav" "$3/d1.wav"; cmp "$2/d2.wav" "$3/d2.wav"); notok "$1" "the renders differ"; fi
}

out=$("$DS" render spot.lua --out r_spot 2>&1); rc=$?
[ $rc -eq 0 ] && ok "an EDL spotted onto real recordings renders" || notok "an EDL spotted onto real recordings renders" "exit $rc"
want="clip 1 at 1.000000 length 2.000000 from 0.000000
clip 2 at 2.000000 length 1.000000 from 0.500000
clip 3 at 3.000000 length 0.500000 from 2.000000
clip 4 at 3.000000 length 2.000000 from 0.000000
clip 5 at 6.000000 length 0.750000 from 0.250000
clip 6 at 6.000000 length 0.750000 from 0.250000"
got=$(printf '%s\n' "$out" | grep '^clip ')
[ "$got" = "$want" ] && ok "spot returns the clips in event order, at the EDL's positions (seconds from the session start)" \
  || { out=$got; notok "spot returns the clips in event order, at the EDL's positions" "see below"; }
"$DS" render hand.lua --out r_hand >/dev/null 2>&1 || notok "the hand-written mix renders" "failed"
same "spotted = written by hand, byte for byte (cuts, a dissolve pair, AA from a stereo source, black skipped)" r_spot r_hand
"$DS" render spot.lua --out r_b1 --block 1 >/dev/null 2>&1
"$DS" render spot.lua --out r_b4096 --block 4096 >/dev/null 2>&1
same "spotted render at --block 1 = the hand-written one" r_b1 r_hand
same "spotted render at --block 4096 = the hand-written one" r_b4096 r_hand

# a wipe (W001) is heard as a crossfade of its length: the same render
sed 's/  D    012 /  W001 012 /' cut.edl > wipe.edl
sed 's/edl "cut.edl"/edl "wipe.edl"/' spot.lua > spot_wipe.lua
"$DS" render spot_wipe.lua --out r_wipe >/dev/null 2>&1
grep -q 'W001 012' wipe.edl && same "a wipe spots as a crossfade of its length (= the dissolve's render)" r_wipe r_hand

out=$("$DS" info spot.lua 2>&1)
if has "spotted  6 clips from edits (spot) on 2 tracks, 1 crossfade (a dissolve or wipe); now clips of their tracks:" \
  "cut.edl:4 event 1 A1 -> track 'DIA 1' 01:00:01:00 to 01:00:03:00, from 0.000 s:" \
  "cut.edl:8 event 3 A1 -> track 'DIA 1' 01:00:03:00 to 01:00:03:12, from 2.000 s, fades 0.000 / 0.500 s:" \
  "cut.edl:9 event 3 A1 -> track 'DIA 1' 01:00:03:00 to 01:00:05:00, from 0.000 s, fades 0.500 / 0.000 s:" \
  "cut.edl:12 event 4 A2 -> track 'DIA 2' 01:00:06:00 to 01:00:06:18, from 0.250 s, channel 2:"; then
  ok "dubstage info lists each spotted clip: event, edit track, mix track, position, fades, channel; counts the tracks and the crossfade (the EDL's one dissolve, on A1)"
else notok "dubstage info lists each spotted clip" "lacks '$missing'"; fi

# OpenTimelineIO: the same scene with a dissolve centred on the cut (6
# frames either side) and the media named by target_url
rt() { printf '{"OTIO_SCHEMA": "RationalTime.1", "value": %s, "rate": 24}' "$1"; }
tr() { printf '{"OTIO_SCHEMA": "TimeRange.1", "start_time": %s, "duration": %s}' "$(rt "$1")" "$(rt "$2")"; }
clip() { printf '{"OTIO_SCHEMA": "Clip.1", "name": "%s", "source_range": %s, "media_reference": {"OTIO_SCHEMA": "ExternalReference.1", "target_url": "file://%s"}}' "$1" "$(tr "$2" "$3")" "$4"; }
gap() { printf '{"OTIO_SCHEMA": "Gap.1", "source_range": %s}' "$(tr 0 "$1")"; }
cat > cut.otio <<EOF
{"OTIO_SCHEMA": "Timeline.1", "name": "scene 3 cut 2", "global_start_time": $(rt 86400),
 "tracks": {"OTIO_SCHEMA": "Stack.1", "children": [
  {"OTIO_SCHEMA": "Track.1", "kind": "Video", "children": [$(gap 192)]},
  {"OTIO_SCHEMA": "Track.1", "kind": "Audio", "children": [
    $(gap 24), $(clip pockej 0 48 "$M/dx/1st-m-pockej.ogg"),
    {"OTIO_SCHEMA": "Transition.1", "transition_type": "SMPTE_Dissolve", "in_offset": $(rt 6), "out_offset": $(rt 6)},
    $(clip lebku 6 42 "$M/dx/k1-m-lebku.ogg"), $(gap 30), $(clip metal 6 18 "$M/fx/breakmetal02.ogg")]},
  {"OTIO_SCHEMA": "Track.1", "kind": "Audio", "children": [
    $(gap 48), $(clip netusim 12 24 "$M/dx/1st-v-netusim.ogg"), $(gap 72), $(clip metal 6 18 "$M/fx/breakmetal02.ogg")]}]}}
EOF
cat > spot_otio.lua <<EOF
$head
spot(otio "cut.otio", { tracks = { A1 = d1, A2 = d2 }, curve = "s_curve" })
$tail
EOF
cat > hand_otio.lua <<EOF
$head
d1:clip { "$M/dx/1st-m-pockej.ogg", at = "01:00:01:00", length = "00:00:02:06", fade_out = "00:00:00:12",
          curve = "s_curve" }
d1:clip { "$M/dx/k1-m-lebku.ogg", at = "01:00:02:18", length = "00:00:02:00", fade_in = "00:00:00:12",
          curve = "s_curve" }
d1:clip { "$M/fx/breakmetal02.ogg", at = "01:00:06:00", from = "00:00:00:06", length = "00:00:00:18", channel = 1 }
d2:clip { "$M/dx/1st-v-netusim.ogg", at = "01:00:02:00", from = "00:00:00:12", length = "00:00:01:00" }
d2:clip { "$M/fx/breakmetal02.ogg", at = "01:00:06:00", from = "00:00:00:06", length = "00:00:00:18", channel = 2 }
$tail
EOF
out=$("$DS" render spot_otio.lua --out r_otio 2>&1); rc=$?
[ $rc -eq 0 ] && ok "an OTIO timeline spotted (media by target_url) renders" || notok "an OTIO timeline spotted renders" "exit $rc"
"$DS" render hand_otio.lua --out r_hand_otio >/dev/null 2>&1
same "OTIO spotted = written by hand, byte for byte (a centred dissolve: the incoming clip starts 6 frames early)" \
  r_otio r_hand_otio

# errors
err_case() { # NAME SCRIPT-BODY WORD...: the script fails (status 1) naming every WORD
  name=$1; body=$2; shift 2
  printf '%s\n%s\n%s\n' "$head" "$body" "$tail" > err.lua
  out=$("$DS" render err.lua --out r_err 2>&1); rc=$?
  expect_failed "$name" "$@"
}
cat > speed.edl <<'EOF'
001  POCKEJ   A     C        00:00:00:00 00:00:02:00 01:00:01:00 01:00:02:00
M2   POCKEJ        048.0                00:00:00:00
EOF
err_case "an M2 speed change is an error naming line and event" \
  "spot(edl \"speed.edl\", { tracks = { A1 = d1 }, media = { POCKEJ = \"$M/dx/1st-m-pockej.ogg\" } })" \
  "err.lua:4: spot: speed.edl:1 event 1 on A1: a speed change (2 times normal speed) cannot be spotted"
err_case "media not found: the keys tried and did-you-mean" \
  "spot(edl \"cut.edl\", { tracks = { A1 = d1 }, media = { [\"1st-m-pockje\"] = \"x.wav\" } })" \
  "err.lua:4: spot: cut.edl:4 event 1 on A1: no media for it: the media table has none of '1st-m-pockej', 'POCKEJ'; did you mean '1st-m-pockje'?"
err_case "a missing media file names the event" \
  "spot(edl \"cut.edl\", { tracks = { A1 = d1 }, media = function(ev) return \"media/\" .. ev.reel .. \".wav\" end })" \
  "err.lua:4: spot: cut.edl:4 event 1 on A1: cannot open 'media/POCKEJ.wav'"
err_case "an unknown edit track, with did-you-mean" \
  "spot(edl \"cut.edl\", { tracks = { a1 = d1 } })" "err.lua:4: spot: unknown edit track 'a1'; did you mean 'A1'?"
printf '001  M  A  C  00:00:00:00 00:00:00:12 01:00:00:00 01:00:00:12\nAUD  3\n' > aud.edl
err_case "a stereo source on a mono track for A3: no channel 3" \
  "local t = track \"T\" { channels = 1 }
spot(edl(\"aud.edl\"), { tracks = { A3 = t }, media = { M = \"$M/fx/breakmetal02.ogg\" } })" \
  "spot: aud.edl:1 event 1 on A3: '$M/fx/breakmetal02.ogg' has 2 channels and the track is mono: A3 plays channel 3"
err_case "an EDL error stops the script at the edl call" \
  "edl \"speed.edl\"; edl \"nothing.edl\"" "err.lua:4: cannot open edit decision list 'nothing.edl': No such file"
printf '001  A  A  C  01:00:00:00 01:00:00:1x 01:00:00:00 01:00:00:12\n' > bad.edl
err_case "a malformed EDL: script line, EDL line, event" "edl \"bad.edl\"" \
  "err.lua:4: bad.edl:1: event 1: bad source out '01:00:00:1x'"

printf 'local cut = edl "cut.edl"\nsession { rate = 48000, fps = "25" }\nlocal t = track "T" { channels = 1 }\nspot(cut, { tracks = { A1 = t } })\n' > early.lua
out=$("$DS" render early.lua --out r_err 2>&1); rc=$?
expect_failed "an edit read before session {} at another rate is refused by spot" \
  "early.lua:4: spot: cut.edl was read at 24 fps, but the session runs at 25: read it after session {}"

# drop-frame: a 29.97 DF session, the EDL under FCM: DROP FRAME; the clip
# lands where the SMPTE count says (;00 and ;01 skipped at minute 1: 4 real
# frames), sample = round(frames * 48000 * 1001 / 30000) minus the start's
printf 'FCM: DROP FRAME\n001  DF  A  C  00:00:00:00 00:00:00:04 01:00:59:28 01:01:00:04\n' > df.edl
cat > df.lua <<EOF
session { rate = 48000, fps = "29.97", start = "01:00:00;00", length = 70 }
local d1 = track "DIA 1" { channels = 1 }
local c = spot(edl "df.edl", { tracks = { A1 = d1 }, media = { DF = "$M/dx/1st-m-pockej.ogg" } })[1]
io.write(string.format("df at %.0f length %.0f\\n", c.at * 48000, c.length * 48000))
EOF
out=$("$DS" info df.lua 2>&1)
want=$(awk 'function s(f) { return int((2 * f * 48048000 + 30000) / 60000) }
  BEGIN { f1 = (3600 + 59) * 30 + 28 - 2 * (60 - 6); f2 = (3600 + 60) * 30 + 4 - 2 * (61 - 6)
          printf "df at %d length %d", s(f1) - s(107892), s(f2) - s(f1) }')
if has "$want" "df.edl:2 event 1 A1 -> track 'DIA 1' 01:00:59;28 to 01:01:00;04"; then
  ok "drop-frame EDL in a drop-frame session: the clip's samples by the SMPTE count ($want)"
else notok "drop-frame EDL in a drop-frame session" "lacks '$missing'"; fi

# false leaves events out: only the dissolve pair's incoming clip and METAL
printf '%s\n%s\n%s\n' "$head" "local n = #spot(edl \"cut.edl\", { tracks = { A1 = d1 }, media = function(ev)
  if ev.reel == \"POCKEJ\" or ev.reel == \"NETUSIM\" then return false end
  return ev.reel == \"LEBKU\" and \"$M/dx/k1-m-lebku.ogg\" or \"$M/fx/breakmetal02.ogg\" end })
io.write(\"placed \", n, \"\\n\")" "$tail" > skip.lua
out=$("$DS" info skip.lua 2>&1)
has "placed 2" "spotted  2 clips from edits (spot) on 1 track, 0 crossfades" \
  && ok "a media function returning false leaves the event out (the dissolve's incoming clip fades in from nothing: no crossfade)" \
  || notok "a media function returning false leaves the event out" "lacks '$missing'"

# Avid's PATCH: "* PATCH R: FROM SOURCE 1 TO RECORD 2" puts the recorder's
# channel 1 on A2, so a mono track spotted from A2 plays channel 1 of the
# stereo source (left 440 Hz, right 1 kHz), byte-identical to the clip
# written by hand with channel = 1; without the PATCH line A2 plays channel 2
# (the control differs)
sox -V1 -n -r 48000 -c 1 l.wav synth 2 sine 440 vol 0.5
sox -V1 -n -r 48000 -c 1 r.wav synth 2 sine 1000 vol 0.5
sox -V1 -M l.wav r.wav -b 24 lr.wav
printf '001  LR       A2    C        00:00:00:00 00:00:01:00 01:00:01:00 01:00:02:00\n* PATCH LR:  FROM SOURCE 1 TO RECORD 2\n' > patch.edl
printf '001  LR       A2    C        00:00:00:00 00:00:01:00 01:00:01:00 01:00:02:00\n' > nopatch.edl
for v in patch nopatch hand; do
  if [ $v = hand ]; then body='d:clip { "lr.wav", at = "01:00:01:00", length = 1, channel = 1 }'
  else body="spot(edl \"$v.edl\", { tracks = { A2 = d }, media = { LR = \"lr.wav\" } })"; fi
  printf 'session { rate = 48000, fps = "24", start = "01:00:00:00", length = 3 }\nlocal d = track "D" { channels = 1 }\n%s\noutput { "out_%s/d.wav", from = d, format = "wav32f" }\n' "$body" $v > $v.lua
  "$DS" render $v.lua --quiet >/dev/null 2>&1 || notok "PATCH: $v.lua renders" "failed"
done
if cmp -s out_patch/d.wav out_hand/d.wav && ! cmp -s out_nopatch/d.wav out_hand/d.wav; then
  ok "PATCH FROM SOURCE 1 TO RECORD 2: A2 on a mono track plays the source's channel 1 (= channel = 1 by hand, byte for byte; without the PATCH, channel 2)"
else notok "PATCH: A2 plays the source's channel 1" "the renders do not compare as they should"; fi
out=$("$DS" info patch.lua 2>&1)
has "patch.edl:1 event 1 A2 -> track 'D' 01:00:01:00 to 01:00:02:00, from 0.000 s, channel 1: lr.wav" &&
  ok "PATCH: dubstage info shows the spotted clip on channel 1" || notok "PATCH: info shows channel 1" "lacks '$missing'"
