#!/bin/sh
# blocksize.sh - ARCHITECTURE properties 1 (the rendered bytes do not depend
# on the block size) and 2 (same script, same inputs, same engine -> same
# bytes).
#
# A dense session made here: 15 tracks (mono and stereo) over 9 buses nested
# track -> sub-bus -> bus -> PM (one mono bus), ~220 clips from sources at
# 48, 44.1, 96 and 22.05 kHz in WAV (16/24-bit, float), FLAC and Ogg Vorbis,
# with clip gains, source offsets, every fade curve, overlapping clips, bursts
# of clips a few samples long that start and end inside one block, clips
# running past the session end, pans, bus gains, a track feeding two buses,
# a muted track, and a variant with three tracks soloed. Outputs: wav16
# (dithered), wav24, wav32f, flac24 of the printmaster, plus stems (a stereo
# bus, a mono bus, a track). The session is 36.2371 s, an odd number of
# samples, so the last block is short at every size.
#
# Checks: two renders at the default block are byte-identical; renders at
# --block 1, 64, 1000 and 4096, and on one thread (--threads 1, against the
# default two), are byte-identical to it (every output, cmp);
# the same for the solo variant; the demo (scripts/demo.lua) at --block 1,
# 64 and 4096.
#
# Environment: DUBSTAGE (default build/dubstage). Needs sox. Runs from the
# repository root (tests/run.sh does that).
set -u
DUBSTAGE=${DUBSTAGE:-build/dubstage}
case $DUBSTAGE in /*) ;; *) DUBSTAGE=$(pwd)/$DUBSTAGE ;; esac
repo=$(pwd)

if ! command -v sox >/dev/null 2>&1; then
  echo "skip - blocksize: sox is not installed (scripts/install-deps.sh test)"
  exit 0
fi
tmp=$(mktemp -d "${TMPDIR:-/tmp}/dubstage-blocksize.XXXXXX") || exit 1
trap 'rm -rf "$tmp"' EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# ---- media: short synthetic sources in every rate, format and layout --------
mkdir "$tmp/s" "$tmp/s/media"
(
  cd "$tmp/s/media" &&
  sox -n -r 48000 -c 1 -b 24 m48.wav synth 9 pinknoise vol 0.3 &&
  sox -n -r 48000 -c 2 -b 16 s48.wav synth 7 sine 110-1760 sine 220-3520 vol 0.4 &&
  sox -n -r 48000 -c 2 -b 24 s48.flac synth 6 pinknoise sine 600 vol 0.3 &&
  sox -n -r 44100 -c 2 -b 16 s44.flac synth 8 brownnoise sine 80-8000 vol 0.5 &&
  sox -n -r 44100 -c 1 -b 24 m44.flac synth 5 whitenoise vol 0.2 &&
  sox -n -r 96000 -c 1 -e floating-point -b 32 m96.wav synth 6 square 330 vol 0.2 &&
  sox -n -r 22050 -c 1 m22.ogg synth 8 sine 200-2000 vol 0.5 &&
  sox -n -r 48000 -c 2 s48.ogg synth 8 whitenoise pinknoise vol 0.2
) >"$tmp/sox.log" 2>&1 || {
  echo "not ok - blocksize: sox could not make the test media: $(tail -1 "$tmp/sox.log")"
  exit 1
}

# ---- the session ----------------------------------------------------------------
# Positions, lengths, offsets, gains and curves come from a fixed LCG, so the
# script is the same every run (the media are not: sox's noise is random, but
# every render in one run reads the same files).
cat >"$tmp/s/mix.lua" <<'EOF'
local SOLO = false
session { rate = 48000, fps = "25", start = "10:00:00:00", length = 36.2371 }
local seed = 20261122
local function rnd()
  seed = (seed * 1103515245 + 12345) % 2147483648
  return seed / 2147483648
end
local curves = { "linear", "equal_power", "s_curve", "exponential" }
local media = {   -- file, seconds
  m48 = { "media/m48.wav", 9 }, s48 = { "media/s48.wav", 7 }, fl48 = { "media/s48.flac", 6 },
  s44 = { "media/s44.flac", 8 }, m44 = { "media/m44.flac", 5 }, m96 = { "media/m96.wav", 6 },
  m22 = { "media/m22.ogg", 8 }, og48 = { "media/s48.ogg", 8 },
}
local pm = bus "PM"
local dx = bus "DX" { to = pm, gain = -1.5 }
local dxsub = bus "DX SUB" { channels = 1, to = dx, gain = 2, pan = 0.1 }
local fx = bus "FX" { to = pm, gain = -0.5 }
local fxsub = bus "FX SUB" { to = fx, gain = -3, pan = -0.3 }
local fol = bus "FOL" { to = fxsub }
local amb = bus "AMB" { to = fx, gain = -6 }
local mx = bus "MX" { to = pm, gain = -4 }
local verb = bus "VERB" { to = pm, gain = -12 }
-- name, options, sources ({key [, channel]}), clips
local tracks = {
  { "DIA 1", { to = dxsub, gain = -2, solo = SOLO }, { {"m48"}, {"m22"} }, 16 },
  { "DIA 2", { to = { dx, verb }, pan = 0.35 }, { {"m44"}, {"s44", 2} }, 16 },
  { "DIA 3", { to = dx, mute = true }, { {"m48"}, {"fl48", 1} }, 10 },
  { "ADR", { to = dxsub, gain = 3 }, { {"m96"}, {"m22"} }, 14 },
  { "FX 1", { to = fxsub }, { {"s48"}, {"og48"}, {"fl48"} }, 16 },
  { "FX 2", { to = fxsub, pan = 0.6, gain = -1 }, { {"s44"}, {"m96"} }, 16 },
  { "FX 3", { to = fx, pan = -0.8 }, { {"m96"}, {"m48"} }, 14 },
  { "FOL 1", { to = fol, pan = -0.2 }, { {"og48", 2}, {"m22"} }, 16 },
  { "FOL 2", { to = fol, pan = 1 }, { {"m22"}, {"m44"} }, 14 },
  { "AMB 1", { to = amb }, { {"og48"}, {"s44"} }, 12 },
  { "AMB 2", { to = amb, pan = -1, gain = 4 }, { {"s44"}, {"fl48"} }, 12 },
  { "MX 1", { to = mx }, { {"s48"}, {"s44"}, {"og48"} }, 14 },
  { "MX 2", { to = { mx, verb }, gain = -2.5, solo = SOLO }, { {"og48"}, {"m96"} }, 14 },
  { "BG", { to = pm, pan = 0.05 }, { {"m48"}, {"m44"}, {"m22"}, {"m96"} }, 16 },
}
local handles = {}
for _, t in ipairs(tracks) do
  local tr = track(t[1], t[2])
  handles[t[1]] = tr
  for i = 1, t[4] do
    local src = t[3][(i - 1) % #t[3] + 1]
    local file, dur = media[src[1]][1], media[src[1]][2]
    local len
    if i % 7 == 0 then len = 0.0002 + rnd() * 0.004   -- 10 to 200 samples
    else len = 0.05 + rnd() * 2.5 end
    local c = {
      file, at = (i == 1) and 0 or rnd() * 37, from = rnd() * (dur - len - 0.05), length = len,
      gain = -20 + rnd() * 22, fade_in = len * rnd() * 0.45, fade_out = len * rnd() * 0.45,
      channel = src[2],
    }
    local k = math.floor(rnd() * 4) + 1
    if i % 3 == 0 then c.curve = curves[k]
    else c.fade_in_curve, c.fade_out_curve = curves[k], curves[(k + i) % 4 + 1] end
    tr:clip(c)
  end
end
-- Bursts: many clips of a few to a couple of hundred samples, some
-- overlapping, several starting and ending inside one block (resampled ones
-- open their reader mid-block); the second burst runs past the session end.
local clicks = track "CLICKS" { channels = 1, to = fx, pan = 0.25, gain = -3, solo = SOLO }
local burst = { {"m22"}, {"m96"}, {"m48"}, {"s44", 1}, {"og48", 2} }
for b, t0 in ipairs({ 12.0003, 36.2291 }) do
  for j = 0, 11 do
    local src = burst[(j + b) % #burst + 1]
    local len = 0.0003 + rnd() * 0.005
    clicks:clip { media[src[1]][1], channel = src[2], at = t0 + j * 0.0011 + rnd() * 0.0007,
                  from = rnd() * 4, length = len, gain = -6 + rnd() * 6,
                  fade_in = len * 0.3, fade_out = len * 0.4, curve = curves[j % 4 + 1] }
  end
end
output { "out/pm16.wav", from = pm, format = "wav16" }
output { "out/pm24.wav", from = pm, format = "wav24" }
output { "out/pm32f.wav", from = pm, format = "wav32f" }
output { "out/pm24.flac", from = pm, format = "flac24" }
output { "out/dx.wav", from = dx, format = "wav24" }
output { "out/dxsub.wav", from = dxsub, format = "wav32f" }
output { "out/fx3.wav", from = handles["FX 3"], format = "wav32f" }
EOF
sed 's/^local SOLO = false$/local SOLO = true/' "$tmp/s/mix.lua" >"$tmp/s/solo.lua"

# cmp_dirs NAME REF DIR: one ok / not ok line for "every file of REF is in DIR
# with the same bytes". The render manifest (SCRIPT.manifest.json) is not
# compared: it records the options (--block, --threads) and when each file
# was seen (docs/manifest.md), so it differs by design.
cmp_dirs() {
  name=$1 ref=$2 dir=$3 n=0 bad=""
  for f in "$ref"/*; do
    b=$(basename "$f")
    case $b in *.manifest.json) continue ;; esac
    n=$((n + 1))
    if [ ! -f "$dir/$b" ]; then
      bad="$bad, $b missing"
    elif ! msg=$(cmp "$f" "$dir/$b" 2>&1); then
      case $msg in
        *"differ: byte "*) at=${msg#*differ: byte }; bad="$bad, $b from byte ${at%%,*}" ;;
        *) bad="$bad, $b: $(echo "$msg" | sed "s|$tmp/||g")" ;;
      esac
    fi
  done
  if [ "$n" -eq 0 ]; then
    echo "not ok - $name: the reference render wrote no file"
  elif [ -n "$bad" ]; then
    echo "not ok - $name: differs in ${bad#, }"
  else
    echo "ok - $name ($n files)"
  fi
}

# render NAME SCRIPT OUTDIR [options]: renders, or prints not ok and returns 1.
render() {
  name=$1 script=$2 out=$3
  shift 3
  if ! "$DUBSTAGE" render "$script" --out "$out" --quiet "$@" >"$tmp/render.log" 2>&1; then
    echo "not ok - $name: dubstage render $(basename "$script") $* failed: $(tail -1 "$tmp/render.log")"
    return 1
  fi
}

# ---- the dense session -----------------------------------------------------------
info=$("$DUBSTAGE" info "$tmp/s/mix.lua" 2>&1)
strips=$(echo "$info" | sed -n 's/^strips *//p')
case $strips in
  "15 tracks, 9 buses, "*" clips")
    clips=${strips#15 tracks, 9 buses, }; clips=${clips% clips}
    if [ "$clips" -ge 200 ]; then
      echo "ok - dense session compiles: $strips"
    else
      echo "not ok - dense session compiles: only $clips clips"
    fi ;;
  *) echo "not ok - dense session compiles: $(echo "$info" | tail -1)"; exit 1 ;;
esac

# The reference is what a user runs: the default block, meter on. It must
# not be silent, or every comparison below would prove nothing.
if render "dense session: reference render" "$tmp/s/mix.lua" "$tmp/ref"; then
  if "$DUBSTAGE" render "$tmp/s/mix.lua" --out "$tmp/ref2" 2>&1 | grep -q 'peak -inf'; then
    echo "not ok - dense session: an output is silent"
  else
    cmp_dirs "determinism: two renders of the dense session are byte-identical" "$tmp/ref" "$tmp/ref2"
  fi
  rm -rf "$tmp/ref2"
  # The meter only reads the outputs: leave it off to save time.
  for b in 1 64 1000 4096; do
    render "dense session at --block $b" "$tmp/s/mix.lua" "$tmp/b$b" --block "$b" --no-measure &&
      cmp_dirs "block size: dense session at --block $b is byte-identical to --block 1024" "$tmp/ref" "$tmp/b$b"
    rm -rf "$tmp/b$b"
  done
  # one thread against the default two (the tracks' work dealt to two
  # workers, the blocks written while the next is computed)
  render "dense session on one thread" "$tmp/s/mix.lua" "$tmp/t1" --threads 1 &&
    cmp_dirs "threads: the dense session on one thread is byte-identical to two" "$tmp/ref" "$tmp/t1"
  render "dense session on one thread at --block 64" "$tmp/s/mix.lua" "$tmp/t1b" --threads 1 --block 64 --no-measure &&
    cmp_dirs "threads: one thread at --block 64 is byte-identical too" "$tmp/ref" "$tmp/t1b"
  rm -rf "$tmp/t1" "$tmp/t1b"
fi

# ---- the solo variant ----------------------------------------------------------------
if render "solo variant: reference render" "$tmp/s/solo.lua" "$tmp/solo"; then
  if cmp -s "$tmp/solo/pm24.wav" "$tmp/ref/pm24.wav"; then
    echo "not ok - solo variant: the printmaster is the same as without solo"
  else
    for b in 1 64 1000 4096; do
      render "solo variant at --block $b" "$tmp/s/solo.lua" "$tmp/sb$b" --block "$b" --no-measure &&
        cmp_dirs "block size: solo variant at --block $b is byte-identical to --block 1024" "$tmp/solo" "$tmp/sb$b"
      rm -rf "$tmp/sb$b"
    done
  fi
fi
rm -rf "$tmp/ref" "$tmp/solo"

# ---- the demo ------------------------------------------------------------------------
# Rendered where it is when its media are there (scripts/make-demo-media.sh
# has run); otherwise from a copy next to media made here, from the Debian
# packages the demo uses.
demo_media_missing() {
  grep -o '"media/[^"]*"' "$1/demo.lua" | tr -d '"' | sort -u | while read -r f; do
    [ -e "$1/$f" ] || { echo "$f"; break; }
  done
}
if [ ! -f scripts/demo.lua ]; then
  echo "skip - demo at --block 1, 64, 4096: scripts/demo.lua is not there"
  exit 0
fi
demo=$repo/scripts
if [ -n "$(demo_media_missing "$demo")" ]; then
  mkdir "$tmp/demo"
  cp scripts/demo.lua "$tmp/demo/"
  if ! scripts/make-demo-media.sh "$tmp/demo/media" >"$tmp/media.log" 2>&1; then
    echo "not ok - demo at --block 1, 64, 4096: its media are not made and make-demo-media.sh failed: $(tail -1 "$tmp/media.log")"
    exit 1
  fi
  demo=$tmp/demo
fi
if render "demo at --block 4096" "$demo/demo.lua" "$tmp/d4096" --block 4096; then
  for b in 1 64; do
    render "demo at --block $b" "$demo/demo.lua" "$tmp/d$b" --block "$b" --no-measure &&
      cmp_dirs "block size: demo at --block $b is byte-identical to --block 4096" "$tmp/d4096" "$tmp/d$b"
    rm -rf "$tmp/d$b"
  done
fi
exit 0
