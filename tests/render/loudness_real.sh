#!/bin/sh
# loudness_real.sh - `dubstage loudness --json` on real recordings from
# Debian packages (music, speech, ambience; mono and stereo; 16, 22.05, 44.1
# and 48 kHz) against ffmpeg's ebur128=peak=true on the same files:
# integrated loudness within 0.1 LU, loudness range within 0.5 LU, true
# peak within 0.3 dB (issue 13).
#
# ffmpeg's readings: I and LRA from the metadata of its last 100 ms frame
# (three decimals: its summary prints one, too coarse for 0.1 LU), the true
# peak from its summary (dBFS to one decimal; the metadata's is linear to
# three decimals, 0.09 dB at -20 dBTP). Both meters read the files as they
# ship (Ogg Vorbis through libsndfile here, ffmpeg's own decoder there, at
# the file's rate: BS.1770's filters redesigned for it by both), plus one
# decoded by ffmpeg to 48 kHz 24-bit WAV, where they read the same samples.
# The recordings are read where the packages put them (the ambience out of
# UFO:AI's zip into the test's temporary folder); none is copied into the
# repository. Every file is at least 20 s long: LRA on a few seconds
# depends on each meter's percentile rule more than on its measurement
# (docs/loudness.md).
#
# Sources and licenses (each package's /usr/share/doc/PKG/copyright):
#   wesnoth-1.16-music    Battle for Wesnoth's score                 GPL-2+
#   wordwarvi-sound       Word War vi's mono music mix (Stephen M. Cameron) CC-BY-SA-3.0
#   fillets-ng-data-cs    Fish Fillets NG's Czech voice actors       GPL-2
#   pocketsphinx-testdata a LibriVox reading of Sense and Sensibility
#                         (public domain), five clips read in order  BSD
#   ufoai-sound           UFO: Alien Invasion's ambience beds        GPL-2+
T=loudness_real
. tests/render/lib/common.sh
for tool in ffmpeg python3 unzip; do
  command -v "$tool" >/dev/null 2>&1 || { echo "not ok - $T: $tool is missing (make deps)"; exit 1; }
done

wesnoth=/usr/share/games/wesnoth/1.16/data/core/music
wordwarvi=/usr/share/wordwarvi/sounds
fillets=/usr/share/games/fillets-ng/sound
librivox=/usr/share/pocketsphinx/test/data/librivox
ufoai_pk3=/usr/share/games/ufoai/base/0snd.pk3

# need PATH PACKAGE: the recording, or a failure naming the package
missing_pkgs=""
need() {
  [ -r "$1" ] && return 0
  echo "not ok - $T: $1 is missing (Debian package $2: make deps)"
  missing_pkgs="$missing_pkgs $2"
  return 1
}

# role|kind|path, one per recording (paths outside the folder are absolute)
list=recordings.txt
: > "$list"
add() { printf '%s|%s|%s\n' "$1" "$2" "$3" >> "$list"; }
need "$wesnoth/love_theme.ogg" wesnoth-1.16-music &&
  add music "score, steady bed" "$wesnoth/love_theme.ogg"
need "$wesnoth/revelation.ogg" wesnoth-1.16-music &&
  add music "score, LRA about 22 LU" "$wesnoth/revelation.ogg"
need "$wesnoth/battle.ogg" wesnoth-1.16-music &&
  add music "score, inter-sample peaks above 0 dBFS" "$wesnoth/battle.ogg"
need "$wordwarvi/lucky13-steve-mono-mix.ogg" wordwarvi-sound &&
  add music "mono mix" "$wordwarvi/lucky13-steve-mono-mix.ogg"
need "$fillets/bathyscaph/cs/bat-p-zhov1.ogg" fillets-ng-data-cs &&
  add speech "voice actor, Czech" "$fillets/bathyscaph/cs/bat-p-zhov1.ogg"
if need "$librivox/sense_and_sensibility_01_austen_64kb-0870.wav" pocketsphinx-testdata; then
  # the five clips of the reading, in order, as one file (sox joins them as they are)
  if sox -V1 "$librivox"/sense_and_sensibility_01_austen_64kb-0*.wav librivox-reading.wav; then
    add speech "LibriVox narration, English" "$W/librivox-reading.wav"
  else echo "not ok - $T: sox could not join the LibriVox clips"; fi
fi
if need "$ufoai_pk3" ufoai-sound; then
  if unzip -joq "$ufoai_pk3" sound/ambience/city_abnd_ufoai_atm.ogg sound/ambience/ufo_night_atm.ogg -d amb; then
    add ambience "wind and city" "$W/amb/city_abnd_ufoai_atm.ogg"
    add ambience "crickets at night, quiet" "$W/amb/ufo_night_atm.ogg"
  else echo "not ok - $T: unzip could not extract the ambience from $ufoai_pk3"; fi
fi
# the same samples for both meters: ffmpeg decodes and resamples once, both read the WAV
if [ -r "$wesnoth/love_theme.ogg" ]; then
  if ffmpeg -nostdin -v error -y -i "$wesnoth/love_theme.ogg" -ar 48000 -c:a pcm_s24le love_theme-48k.wav; then
    add music "score decoded to 48 kHz 24-bit WAV" "$W/love_theme-48k.wav"
  else echo "not ok - $T: ffmpeg could not decode love_theme.ogg to WAV"; fi
fi

# ffmpeg FILE -> "I LRA TP": I and LRA from the last frame's metadata, TP from the summary
ffmeter() {
  ffmpeg -nostdin -hide_banner -nostats -i "$1" \
    -af "ebur128=peak=true:metadata=1,ametadata=mode=print:file=ff-meta.txt" -f null - > ff-log.txt 2>&1 || return 1
  i=$(grep '^lavfi.r128.I=' ff-meta.txt | tail -1 | cut -d= -f2)
  lra=$(grep '^lavfi.r128.LRA=' ff-meta.txt | tail -1 | cut -d= -f2)
  tp=$(awk '/True peak:/ { s = 1 } s && $1 == "Peak:" { print $2; exit }' ff-log.txt)
  echo "$i $lra $tp"
}
while IFS='|' read -r role kind path; do
  echo "$path|$(ffmeter "$path")"
done < "$list" > ffmpeg.txt
cut -d'|' -f3 "$list" | tr '\n' '\0' | xargs -0 "$DS" loudness --json > ours.json 2> ours.err
rc=$?
out=$(cat ours.err)
[ $rc = 0 ] && ok "$(wc -l < "$list") recordings measured, exit 0" || notok "the recordings measured" "exit status $rc"

python3 - "$list" ffmpeg.txt ours.json <<'PY'
import json, math, os, sys
ours = {o["file"]: o for o in json.load(open(sys.argv[3], encoding="utf-8"))}
theirs = {}
for line in open(sys.argv[2]):
    path, vals = line.rstrip("\n").split("|")
    theirs[path] = vals.split()
kinds = set()
for line in open(sys.argv[1]):
    role, kind, path = line.rstrip("\n").split("|")
    o, t = ours.get(path), theirs.get(path, [])
    name = "%s (%s): %s" % (role, kind, os.path.basename(path))
    if not o or o.get("error") or len(t) != 3:
        print("not ok - %s: ours %s, ffmpeg %s" % (name, o and o.get("error"), t))
        continue
    kinds.add((role, o["channels"]))
    desc = "%d Hz %d ch %.0f s" % (o["sample_rate"], o["channels"], o["duration_s"])
    for key, tol, their, unit in (("integrated_lufs", 0.1, t[0], "LU"), ("loudness_range_lu", 0.5, t[1], "LU"),
                                  ("true_peak_dbtp", 0.3, t[2], "dB")):
        v = o[key]
        good = v is not None and abs(v - float(their)) <= tol
        print("%s - %s, %s: %s ours %s, ffmpeg %s (within %.1f %s)" % ("ok" if good else "not ok", name, desc,
                                                                       key, v, their, tol, unit))
# what the issue asks the recordings to cover
for role in ("music", "speech", "ambience"):
    print(("ok - " if any(r == role for r, _ in kinds) else "not ok - ") + "the recordings include " + role)
for ch, what in ((1, "mono"), (2, "stereo")):
    print(("ok - " if any(c == ch for _, c in kinds) else "not ok - ") + "the recordings include " + what)
PY

# The meter's true peak skips stretches that cannot beat its reading so far
# (dsp/truepeak.h): on every recording, each channel's reading is the same
# bits as the interpolator on every window and the samples' peak
# (build/tools/truepeak_exact).
TPX=$(dirname "$DS")/tools/truepeak_exact
if [ -x "$TPX" ]; then
  cut -d'|' -f3 "$list" | tr '\n' '\0' | xargs -0 "$TPX" > tp_exact.txt 2> tp_exact.err
  rc=$?
  n=$(grep -c ' same ' tp_exact.txt)
  if [ $rc = 0 ] && [ "$n" = "$(wc -l < "$list" | tr -d ' ')" ]; then
    ok "true peak with stretches skipped = every window computed, bit for bit, on all $n recordings"
  else notok "true peak with stretches skipped = every window computed on the recordings" \
    "exit $rc: $(grep -v ' same ' tp_exact.txt | tr '\n' ';') $(head -c 300 tp_exact.err)"; fi
else notok "true peak exactness on the recordings" "$TPX is not built (make)"; fi
