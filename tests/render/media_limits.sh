#!/bin/sh
# media_limits.sh - clip files whose headers or samples are out of bounds
# (issue 11; docs/media.md): sample rates outside 1,000 .. 768,000 Hz or
# sharing too small a factor with the session's, channel counts outside
# 1 .. 64, NaN and infinite samples in float files. Each must stop with one
# clear message naming the file and the value, exit 1, and write nothing.
#
# The huge-rate header once made the resampler's set-up allocate 16.8 GB:
# these renders run under a 1 GB address-space limit (not in a sanitized
# build, DUBSTAGE_SANITIZED), so a set-up of that size shows up as a failure
# of its own, not as a slow pass.
#
# Files are made with sox and patched with printf + dd at offsets found in
# the file itself ("fmt " and "data" chunks), so nothing is committed.
# Runs from the repository root; DUBSTAGE is the binary (default build/dubstage).
set -u

T=media_limits
. tests/render/lib/common.sh
mkdir media

# offset FILE TAG: byte offset of the first TAG ("fmt ", "data") in FILE
offset() { grep -obUa "$2" "$1" | head -1 | cut -d: -f1; }

# poke FILE OFFSET OCTAL-BYTES: writes the bytes at OFFSET, in place
poke() { printf "$3" | dd of="$1" bs=1 seek="$2" conv=notrunc 2>/dev/null; }

# le32 N: N as 4 little-endian bytes, in printf's octal escapes
le32() {
  n=$1
  printf '\\%03o\\%03o\\%03o\\%03o' $((n & 255)) $((n >> 8 & 255)) $((n >> 16 & 255)) $((n >> 24 & 255))
}

# with_rate FILE HZ: a copy of a 16-bit mono sox WAV whose header says HZ
with_rate() {
  sox -n -r 48000 -c 1 -b 16 "$1" synth 0.1 sine 440 2>/dev/null
  f=$(offset "$1" "fmt ")
  poke "$1" $((f + 12)) "$(le32 "$2")"              # sample rate
  poke "$1" $((f + 16)) "$(le32 $(($2 * 2 & 0xffffffff)))" # byte rate, kept consistent
}

# render_clip NAME FILE [SESSION_RATE [LENGTH_S]]: renders FILE as the one
# clip of a session; sets $out and $rc. Under a 1 GB address-space limit.
render_clip() {
  cat >"$1.lua" <<EOF
session { rate = ${3:-48000}, length = ${4:-0.2} }
local t = track "T"
t:clip { "$2", at = 0 }
output { "out/$1.wav", from = t, format = "wav32f" }
EOF
  # (a sanitized build reserves terabytes of address space: no limit there)
  out=$( ([ -n "${DUBSTAGE_SANITIZED:-}" ] || ulimit -v 1048576 2>/dev/null; "$DS" render "$1.lua" --quiet) 2>&1)
  rc=$?
}

# expect_rendered NAME: exit 0 and an output made
expect_rendered() {
  if [ "$rc" -eq 0 ] && [ -n "$(find out -type f 2>/dev/null)" ]; then
    ok "$1"
  else
    notok "$1" "exit status $rc"
  fi
  rm -rf out
}

# ---- sample rates ------------------------------------------------------------

for hz in 2147483647 0 1 999 768001; do
  with_rate media/r$hz.wav $hz
  render_clip r$hz media/r$hz.wav
  if [ $hz -eq 0 ]; then
    # libsndfile refuses a 0 Hz header itself: still one clear message
    expect_failed "rate $hz Hz: refused, the file named" "media/r$hz.wav"
  else
    expect_failed "rate $hz Hz: refused, the file, the rate and the range named" "media/r$hz.wav" "$hz Hz" \
      "1000 to 768000 Hz" "r$hz.lua:3"
  fi
done

with_rate media/r768000.wav 768000
render_clip r768000 media/r768000.wav
expect_rendered "rate 768000 Hz (the top of the range): rendered"

# 767,999 Hz shares no factor with 48 kHz: in 64 channels its warm-up
# block would take 670 MB and 3.8 s per clip
sox -n -r 767999 -c 64 -b 16 media/odd64.wav synth 0.01 sine 440 2>/dev/null
render_clip odd64 media/odd64.wav
expect_failed "767999 Hz in 64 channels into 48 kHz: refused at compile time, the ratio named" \
  "media/odd64.wav" "767999 Hz" "48000 Hz" "767999:48000" "64 channels" "odd64.lua:3"
sox -n -r 767999 -c 1 -b 16 media/odd1.wav synth 0.01 sine 440 2>/dev/null
render_clip odd1 media/odd1.wav
expect_rendered "767999 Hz in 1 channel: a set-up of reasonable size, rendered"

# ---- channel counts ------------------------------------------------------------

for ch in 65 200; do
  sox -n -r 48000 -c $ch -b 16 media/c$ch.wav synth 0.05 sine 440 2>/dev/null
  render_clip c$ch media/c$ch.wav
  expect_failed "$ch channels: refused, the file, the count and the range named" "media/c$ch.wav" "$ch channels" \
    "1 to 64 channels" "c$ch.lua:3"
done
sox -n -r 48000 -c 1 -b 16 media/c0.wav synth 0.05 sine 440 2>/dev/null
poke media/c0.wav $(($(offset media/c0.wav "fmt ") + 10)) '\000\000'
render_clip c0 media/c0.wav
expect_failed "0 channels: refused, the file named" "media/c0.wav" "c0.lua:3"
sox -n -r 48000 -c 64 -b 16 media/c64.wav synth 0.05 sine 440 2>/dev/null
render_clip c64 media/c64.wav
expect_rendered "64 channels (the limit): rendered"

# ---- NaN and infinities ----------------------------------------------------------

# nonfinite NAME BITS BYTES-PER-SAMPLE PATTERN: a 2 s float file at 48 kHz
# with PATTERN (octal escapes, little-endian) at frame 72000 (1.500 s)
nonfinite() {
  sox -n -r 48000 -c 2 -b "$2" -e floating-point "media/$1.wav" synth 2 sine 440 vol 0.25 2>/dev/null
  d=$(($(offset "media/$1.wav" data) + 8))
  poke "media/$1.wav" $((d + 72000 * 2 * $3 + $3)) "$4" # channel 2
}
nonfinite nan32 32 4 '\000\000\300\177'
nonfinite inf32 32 4 '\000\000\200\177'
nonfinite ninf32 32 4 '\000\000\200\377'
nonfinite nan64 64 8 '\000\000\000\000\000\000\370\177'
for v in nan32:"a NaN" inf32:"+infinity" ninf32:"-infinity" nan64:"a NaN"; do
  f=${v%%:*} what=${v#*:}
  render_clip "$f" "media/$f.wav" 48000 2
  expect_failed "$f: refused at the source, the file, the value and its time named" "media/$f.wav" "$what" \
    "frame 72000, 1.500 s into the file, channel 2" "track 'T' at 00:00:01:12:"
done

# the same NaN through the resampler (a 44.1 kHz session)
render_clip nan32r media/nan32.wav 44100 2
expect_failed "nan32 read at 44.1 kHz: refused the same way" "media/nan32.wav" "a NaN" "1.500 s into the file" \
  "track 'T' at 00:00:01:12:"

# the session timecode is the bad sample's, wherever the clip starts and
# whatever part of the file it plays: from 0.5 s of the file, placed at 10 s
cat >nanat.lua <<'LUA'
session { rate = 48000, length = 12 }
local t = track "T"
t:clip { "media/nan32.wav", at = 10, from = 0.5 }
output { "out/nanat.wav", from = t, format = "wav32f" }
LUA
out=$("$DS" render nanat.lua --quiet 2>&1)
rc=$?
expect_failed "a NaN 1.5 s into a file played from 0.5 s at 10 s: placed at 11 s" "track 'T' at 00:00:11:00:" \
  "frame 72000, 1.500 s into the file"

# ---- a finite mix that leaves the float range on its way ------------------------

# Every source is finite, but the mix is not: never written, never measured
# (before: wav32f files full of +inf, a wav24 file at full scale, and a
# report saying "peak -inf dBFS" for both, exit 0). The render stops,
# naming the output, the value, where it happened and the channel.

# gains FILE LUA: writes LUA, a session of one track playing FILE into a chain of
# 45 buses at +24 dB each (+1080 dB: past 3.4e38 from any sound), with a
# wav32f and a wav24 output of the chain's end
gains() {
  {
    echo 'session { rate = 48000, length = 0.5 }'
    i=0
    while [ $i -lt 45 ]; do echo "local b$i = bus \"B$i\" { gain = 24 }"; i=$((i + 1)); done
    i=1
    while [ $i -lt 45 ]; do echo "b$i:to(b$((i - 1)))"; i=$((i + 1)); done
    echo "local t = track \"T\" { to = b44 }"
    echo "t:clip { \"$1\", at = 0.25 }"
    echo 'output { "out/f.wav", from = b0, format = "wav32f" }'
    echo 'output { "out/i.wav", from = b0, format = "wav24" }'
  } >"$2"
}
sox -n -r 48000 -c 1 -b 16 media/tone.wav synth 0.25 sine 440 vol 0.5 2>/dev/null
gains media/tone.wav gains.lua
out=$("$DS" render gains.lua 2>&1)
rc=$?
expect_failed "45 buses at +24 dB: refused, the output, the value and the time named" "output 'out/f.wav'" \
  "from 'B0'" "infinity at 00:00:00:06" "channel 1" "never writes or measures a NaN or an infinity"
out=$("$DS" render gains.lua --no-measure --quiet 2>&1)
rc=$?
expect_failed "the same without measuring (--no-measure): refused the same way" "infinity at 00:00:00:06"

# a float source holding finite samples (3e38 at 0.1 s, finite, so passed at
# the source), played twice on one track: the sum is +inf
sox -n -r 48000 -c 1 -b 32 -e floating-point media/huge.wav synth 0.2 sine 440 vol 0.25 2>/dev/null
poke media/huge.wav $(($(offset media/huge.wav data) + 8 + 4 * 4800)) '\346\261\141\177' # 3e38
cat >huge.lua <<'LUA'
session { rate = 48000, length = 0.5 }
local mix = bus "MIX" { channels = 1 }
local t = track "T" { to = mix }
t:clip { "media/huge.wav", at = 0 }
local u = track "U" { to = mix }
u:clip { "media/huge.wav", at = 0 }
output { "out/h.wav", from = t, format = "wav32f" }
output { "out/m.wav", from = mix, format = "wav24" }
LUA
out=$("$DS" render huge.lua 2>&1)
rc=$?
expect_failed "finite 3e38 samples summed by the mix: refused, the mix output named, +infinity at 0.1 s" \
  "output 'out/m.wav'" "+infinity at 00:00:00:02+800" "channel 1"
# the track alone carries 3e38, finite: written as it is (float holds it)
sed -i '/out\/m.wav/d' huge.lua
out=$("$DS" render huge.lua --quiet 2>&1)
rc=$?
expect_rendered "the same finite 3e38 on one track, no sum: rendered (finite samples are written)"

# +inf on one bus and -inf on another (a polarity flip), summed: a NaN
cat >nan.lua <<'LUA'
session { rate = 48000, length = 0.5 }
local mix = bus "MIX"
local a = bus "A" { to = mix }
local b = bus "B" { to = mix }
local t = track "T" { to = a }
t:clip { "media/huge.wav", at = 0 }
t:clip { "media/huge.wav", at = 0, gain = 0 }
local u = track "U" { to = b }
u:clip { "media/huge.wav", at = 0 }
u:clip { "media/huge.wav", at = 0 }
u:polarity "all"
output { "out/n.wav", from = mix, format = "wav32f" }
LUA
out=$("$DS" render nan.lua 2>&1)
rc=$?
expect_failed "+inf and -inf summed into a NaN: refused, NaN named" "output 'out/n.wav'" "is NaN at" "channel 1"

# join copies segments as they are: a float segment holding a NaN (edited
# since its render) is never copied into the joined file
cat >seg.lua <<'LUA'
session { rate = 48000, length = 2 }
local t = track "T"
t:clip { "media/tone.wav", at = 0 }
output { "out/s.wav", from = t, format = "wav32f" }
LUA
"$DS" render seg.lua --from 0 --to 1 --out segA --quiet &&
  "$DS" render seg.lua --from 1 --to 2 --out segB --quiet || echo "not ok - join: the segments could not be rendered"
poke segB/s.wav $(($(grep -obUa data segB/s.wav | tail -1 | cut -d: -f1) + 8 + 4 * 100)) '\000\000\300\177'
out=$("$DS" join out/j.wav segA/s.wav segB/s.wav 2>&1)
rc=$?
if [ $rc -ne 2 ] || ! has "'segB/s.wav' holds a NaN at frame 100, channel 1" "never writes a NaN"; then
  notok "join of a float segment holding a NaN: refused, the segment and the frame named" "exit status $rc"
elif [ -n "$(find out -type f 2>/dev/null)" ]; then
  notok "join of a float segment holding a NaN: refused, the segment and the frame named" "files were left"
else
  ok "join of a float segment holding a NaN: refused, the segment and the frame named"
fi
