#!/bin/sh
# memory.sh - ARCHITECTURE property 5 (streaming): the peak memory of a
# render does not grow with the length of the programme.
#
# One session, written for a length of MINUTES: four tracks whose clips are
# cut from one-minute sources (48 kHz stereo WAV read as is; 44.1 kHz stereo
# FLAC, 96 kHz mono WAV and 22.05 kHz mono Ogg Vorbis resampled) and repeat
# along the timeline with 2 s crossfades, into a bus tree and a stereo wav24
# output. Rendered at 1 and at 60 minutes; the peak RSS (/usr/bin/time %M)
# of the 60-minute render must be within 10% of the 1-minute one:
#   - as a user runs it, loudness meter on (the default);
#   - meter off (--no-measure): the engine alone, without the loudness meter.
#
# Clip count: a script's description grows with the clips it declares; that
# is the size of the script, not the length of the programme. The clips here
# are 30 s long (516 in the 60-minute session, ~0.3 MB of description), so
# the figure measures streaming. Every track has the same period and the
# crossfades of the four tracks overlap, so the 1-minute session already
# holds the most readers that are ever open at once (8, at about 0:30).
#
# Allocator: glibc's malloc raises its mmap threshold the first time a large
# block is freed, after which the clip readers' large buffers would be placed
# in the heap and its resident size would creep up over the first minutes of
# clip turnover (measured: 10.3 MB at 1 min, 12.2 at 60). dubstage itself
# fixes the threshold at start-up (mallopt in repl/main.c), so this test runs
# the binary exactly as a user does.
#
# Environment: DUBSTAGE (default build/dubstage). Needs sox and /usr/bin/time
# (Debian package "time", in scripts/install-deps.sh). Takes ~40-60 s: the
# long render writes 1 GB.
set -u
DUBSTAGE=${DUBSTAGE:-build/dubstage}
case $DUBSTAGE in /*) ;; *) DUBSTAGE=$(pwd)/$DUBSTAGE ;; esac

if [ -n "${DUBSTAGE_SANITIZED:-}" ]; then
  # AddressSanitizer keeps freed memory in quarantine, so RSS grows with the
  # work done whatever the engine does: the figure means nothing there. The
  # plain build (make test) always runs this test.
  echo "skip - memory: a sanitizer build cannot measure streaming memory (ASan quarantine)"
  exit 0
fi
if ! command -v sox >/dev/null 2>&1; then
  echo "skip - memory: sox is not installed (scripts/install-deps.sh test)"
  exit 0
fi
if [ ! -x /usr/bin/time ]; then
  echo "skip - memory: /usr/bin/time is not installed (Debian package 'time'; scripts/install-deps.sh test)"
  exit 0
fi
tmp=$(mktemp -d "${TMPDIR:-/tmp}/dubstage-memory.XXXXXX") || exit 1
trap 'rm -rf "$tmp"' EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

mkdir "$tmp/media"
(
  cd "$tmp/media" &&
  sox -n -r 48000 -c 2 -b 24 a48.wav synth 60 pinknoise pinknoise vol 0.3 &&
  sox -n -r 44100 -c 2 -b 16 b44.flac synth 60 brownnoise sine 100-4000 vol 0.3 &&
  sox -n -r 96000 -c 1 -b 24 c96.wav synth 60 sine 50-12000 vol 0.3 &&
  sox -n -r 22050 -c 1 d22.ogg synth 60 pinknoise vol 0.3
) >"$tmp/sox.log" 2>&1 || {
  echo "not ok - memory: sox could not make the test media: $(tail -1 "$tmp/sox.log")"
  exit 1
}

cat >"$tmp/mix.lua" <<'EOF'
local MINUTES = 1
session { rate = 48000, fps = "24", start = "01:00:00:00", length = MINUTES * 60 }
local pm = bus "PM"
local efx = bus "EFX" { to = pm, gain = -3 }
local specs = {
  { "AMB", "media/a48.wav", pm },
  { "MX", "media/b44.flac", pm },
  { "FX", "media/c96.wav", efx },
  { "BG", "media/d22.ogg", efx },
}
local LEN, XF = 30, 2
for n, s in ipairs(specs) do
  local t = track(s[1], { to = s[3], pan = (n - 2.5) / 3 })
  local at, k = (n - 1) * 0.5, 0
  while at < MINUTES * 60 do
    t:clip { s[2], at = at, from = (k * 7 + n) % 29, length = LEN, fade_in = XF, fade_out = XF,
             curve = "equal_power", gain = -6 }
    at = at + LEN - XF
    k = k + 1
  end
end
output { "out/pm.wav", from = pm, format = "wav24" }
EOF
sed 's/^local MINUTES = 1$/local MINUTES = 60/' "$tmp/mix.lua" >"$tmp/mix60.lua"

# peak_kb SCRIPT SECONDS [options]: renders SCRIPT, checks that it rendered
# SECONDS of programme, prints the peak RSS in KiB. Fails with a message.
peak_kb() {
  script=$1 secs=$2
  shift 2
  if ! /usr/bin/time -o "$tmp/time.txt" -f %M \
       "$DUBSTAGE" render "$script" --out "$tmp/out" "$@" >"$tmp/render.log" 2>&1; then
    echo "dubstage render $(basename "$script") $* failed: $(tail -1 "$tmp/render.log")"
    return 1
  fi
  rm -rf "$tmp/out"
  if ! grep -q "^rendered .*($secs\.00 s)" "$tmp/render.log"; then
    echo "$(basename "$script") did not render $secs s: $(grep '^rendered' "$tmp/render.log")"
    return 1
  fi
  tail -1 "$tmp/time.txt"
}

# check NAME [options]: one ok / not ok line comparing 60 and 1 minutes.
check() {
  name=$1
  shift
  if ! short=$(peak_kb "$tmp/mix.lua" 60 "$@"); then
    echo "not ok - $name: $short"
    return
  fi
  if ! long=$(peak_kb "$tmp/mix60.lua" 3600 "$@"); then
    echo "not ok - $name: $long"
    return
  fi
  figures=$(awk -v s="$short" -v l="$long" 'BEGIN {
    printf "peak RSS %.1f MiB for 60 min, %.1f MiB for 1 min (%+.1f%%, limit +10%%)", l / 1024, s / 1024, (l - s) * 100 / s }')
  if [ "$((long * 10))" -le "$((short * 11))" ]; then
    echo "ok - $name: $figures"
  else
    echo "not ok - $name: $figures"
  fi
}

check "memory: a 60-minute render in the memory of a 1-minute one (meter on)"
check "memory: a 60-minute render in the memory of a 1-minute one (meter off, --no-measure)" --no-measure
exit 0
