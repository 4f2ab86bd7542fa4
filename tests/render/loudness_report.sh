#!/bin/sh
# loudness_report.sh - what `dubstage render` prints for loudness agrees with
# an independent meter (ARCHITECTURE property 6): ffmpeg's ebur128 filter on
# the files dubstage wrote. The demo (real recordings) is rendered with its
# stems; for each output, integrated loudness within 0.2 LU and true peak
# within 0.3 dB of ffmpeg's readings (ffmpeg prints one decimal, so the
# tolerances are the EBU ones plus its rounding), loudness range within
# 0.5 LU (Tech 3342 allows +-1: ffmpeg picks its percentiles as
# round(0.1 n), we as Tech 3342's round((n - 1) p + 1), which reads up to
# 0.2 LU apart on a sparse fade-out such as the demo's MX stem). Also the
# EBU Tech 3341 case 1 tone, built here with sox: -23.0 LUFS +-0.1.
set -u
DUBSTAGE=${DUBSTAGE:-build/dubstage}
case $DUBSTAGE in /*) ;; *) DUBSTAGE=$(pwd)/$DUBSTAGE ;; esac
ok() { echo "ok - $1"; }
notok() { echo "not ok - $1: $2"; }
for tool in ffmpeg sox; do
  command -v "$tool" >/dev/null 2>&1 || { echo "not ok - loudness report: $tool is missing (make deps)"; exit 1; }
done
tmp=$(mktemp -d "${TMPDIR:-/tmp}/dubstage-loudness.XXXXXX")
trap 'rm -rf "$tmp"' EXIT

# the report's lines: "  PATH  (fmt, N ch)" then "    I -26.7 LUFS  LRA 8.7 LU ... true peak -5.1 dBTP ..."
ours() { # FILE FIELD -> value printed by dubstage for that output
  awk -v f="$1" -v key="$2" '
    index($0, f " ") == 3 { want = 1; next }
    want { for (i = 1; i <= NF; i++) {
             if (key == "I" && $i == "I") print $(i + 1)
             if (key == "LRA" && $i == "LRA") print $(i + 1)
             if (key == "TP" && $i == "true" && $(i + 1) == "peak") print $(i + 2) }
           want = 0 }' "$tmp/report.txt"
}
theirs() { # FILE FIELD -> ffmpeg ebur128 summary value
  ffmpeg -nostats -hide_banner -i "$1" -af ebur128=peak=true -f null - 2>&1 | awk -v key="$2" '
    /Integrated loudness:/ { s = "I" } /Loudness range:/ { s = "LRA" } /True peak:/ { s = "TP" }
    s == key && key == "I" && $1 == "I:" { print $2; exit }
    s == key && key == "LRA" && $1 == "LRA:" { print $2; exit }
    s == key && key == "TP" && $1 == "Peak:" { print $2; exit }'
}
near() { awk -v a="$1" -v b="$2" -v t="$3" 'BEGIN { d = a - b; if (d < 0) d = -d; exit !(a != "" && b != "" && d <= t) }'; }

if [ ! -d scripts/media/dx ]; then
  scripts/make-demo-media.sh > "$tmp/media.log" 2>&1 || { notok "loudness report" "demo media could not be made: $(tail -1 "$tmp/media.log")"; exit 1; }
fi
if ! "$DUBSTAGE" render scripts/demo.lua --out "$tmp" > "$tmp/report.txt" 2>&1; then
  notok "loudness report: demo renders" "$(tail -3 "$tmp/report.txt")"
  exit 1
fi
for f in printmaster DX MX FX; do
  path="$tmp/$f.wav"
  for key in I LRA TP; do
    tol=0.2; [ "$key" = TP ] && tol=0.3; [ "$key" = LRA ] && tol=0.5
    a=$(ours "$path" "$key"); b=$(theirs "$path" "$key")
    name="demo $f.wav: dubstage's $key ($a) matches ffmpeg ebur128 ($b) within $tol"
    if near "$a" "$b" "$tol"; then ok "$name"; else notok "$name" "dubstage '$a', ffmpeg '$b'"; fi
  done
done

# EBU Tech 3341 case 1: stereo 1 kHz at -23 dBFS for 20 s reads -23.0 LUFS
sox -D -R -V1 -r 48000 -c 2 -n -b 24 -e signed-integer "$tmp/tone.wav" synth 960000s sine 1000 gain -23
cat > "$tmp/tone.lua" <<'LUA'
session { rate = 48000 }
local b = bus "B"
track "T" { to = b }:clip { "tone.wav", at = 0 }
output { "out/tone.wav", from = b }
LUA
"$DUBSTAGE" render "$tmp/tone.lua" > "$tmp/report.txt" 2>&1
a=$(ours "$tmp/out/tone.wav" I)
if near "$a" -23.0 0.1; then ok "EBU Tech 3341 case 1 through a render reads -23.0 LUFS ($a)"
else notok "EBU Tech 3341 case 1 through a render reads -23.0 LUFS" "read '$a'"; fi

# Two files of one bus (one signal: read by one meter, vm/render.c
# share_meters) beside a file of another bus 10 dB down, which has a
# meter of its own: each file's report reads its own level (-23.0 and
# -33.0 LUFS +-0.1), and the twins the same numbers.
cat > "$tmp/twins.lua" <<'LUA'
session { rate = 48000 }
local b, c = bus "B", bus "C"
track "T" { to = b }:clip { "tone.wav", at = 0 }
track "U" { to = c, gain = -10 }:clip { "tone.wav", at = 0 }
output { "out/b.wav", from = b }
output { "out/c.wav", from = c }
output { "out/b.flac", from = b, format = "flac24" }
LUA
"$DUBSTAGE" render "$tmp/twins.lua" > "$tmp/report.txt" 2>&1
b1=$(ours "$tmp/out/b.wav" I); c1=$(ours "$tmp/out/c.wav" I); b2=$(ours "$tmp/out/b.flac" I)
t1=$(ours "$tmp/out/b.wav" TP); t2=$(ours "$tmp/out/b.flac" TP)
if near "$b1" -23.0 0.1 && near "$c1" -33.0 0.1 && [ "$b1" = "$b2" ] && [ -n "$t1" ] && [ "$t1" = "$t2" ]; then
  ok "two files of one bus and one of another: $b1 / $b2 and $c1 LUFS, true peaks $t1 / $t2 dBTP"
else
  notok "two files of one bus and one of another read -23.0, -23.0 and -33.0 LUFS" \
    "b.wav '$b1' ($t1 dBTP), b.flac '$b2' ($t2 dBTP), c.wav '$c1': $(tail -3 "$tmp/report.txt")"
fi

# A limiter on a real, hot recording (Battle for Wesnoth's "battle", whose
# inter-sample peaks reach about +3.5 dBTP), raised 6 dB more: ffmpeg's
# true-peak meter reads the output at or under the -1 dBTP ceiling + 0.1 dB.
battle=/usr/share/games/wesnoth/1.16/data/core/music/battle.ogg
if [ ! -r "$battle" ]; then
  notok "limiter on a hot recording" "$battle is missing (package wesnoth-1.16-music: make deps)"
else
  cat > "$tmp/lim.lua" <<LUA
session { rate = 48000, length = 60 }
local pm = bus "PM"
track "SCORE" { to = pm, gain = 6 }:clip { "$battle", at = 0, from = 30 }
pm:limiter { ceiling = -1, lookahead = 0.005, release = 0.05 }
output { "out/lim.wav", from = pm, format = "wav24" }
LUA
  # the same mix without the limiter, as float, for the raw reading
  sed -e 's/^pm:limiter.*$//' -e 's|out/lim.wav", from = pm, format = "wav24"|out/raw.wav", from = pm, format = "wav32f"|' \
    "$tmp/lim.lua" > "$tmp/raw.lua"
  "$DUBSTAGE" render "$tmp/lim.lua" --quiet > "$tmp/lim.txt" 2>&1
  "$DUBSTAGE" render "$tmp/raw.lua" --quiet > "$tmp/raw.txt" 2>&1
  raw=$(theirs "$tmp/out/raw.wav" TP); lim=$(theirs "$tmp/out/lim.wav" TP)
  if awk -v r="$raw" -v l="$lim" 'BEGIN { exit !(r != "" && l != "" && r > 0 && l <= -0.9) }'; then
    ok "limiter at -1 dBTP on a hot recording (raw $raw dBTP): ffmpeg reads $lim dBTP (<= -0.9)"
  else
    notok "limiter at -1 dBTP on a hot recording" "raw '$raw' dBTP, limited '$lim' dBTP (ffmpeg ebur128=peak=true)"
  fi
fi
