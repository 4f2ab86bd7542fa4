#!/bin/sh
# cli.sh - the command line and the error paths of a render, as a user
# meets them (ARCHITECTURE.md property 7: nothing lost; one clear message
# naming the file, the line and the value that was wrong).
#
# Each check looks at the exit status and at the words of the message that
# matter (file:line, the key, the suggestion, the path), never at a whole
# sentence. Audio checks measure with sox, independently of the engine.
# All media is made here with sox in a temporary folder, removed at the end.
# Runs from the repository root; DUBSTAGE is the binary (default build/dubstage).
set -u

bg=
on_exit() {
  if [ -n "$bg" ]; then kill "$bg" 2>/dev/null; wait "$bg" 2>/dev/null; fi
}
T=cli
. tests/render/lib/common.sh

# ---- helpers -------------------------------------------------------------

# ds ARGS...: runs dubstage, sets $out (stdout + stderr) and $rc.
ds() {
  out=$("$DS" "$@" 2>&1)
  rc=$?
}

# expect NAME RC WORD...: the last run exited with RC and its output holds
# every WORD (fixed strings).
expect() {
  name=$1 want=$2
  shift 2
  if [ "$rc" -ne "$want" ]; then
    notok "$name" "exit status $rc, expected $want"
    return
  fi
  for w in "$@"; do
    if ! printf '%s\n' "$out" | grep -F -q -e "$w"; then
      notok "$name" "message lacks '$w'"
      return
    fi
  done
  ok "$name"
}

# script FILE LINE...: writes one line per argument.
script() {
  f=$1
  shift
  printf '%s\n' "$@" >"$f"
}

# stat_field FILE FIELD [EFFECT...]: one number from `sox FILE -n EFFECT... stat`.
stat_field() {
  f=$1 field=$2
  shift 2
  sox "$f" -n "$@" stat 2>&1 | awk -v k="$field" '$0 ~ "^" k {print $NF; exit}'
}

no_part_files() { [ -z "$(find "$1" -name '.*.part-*' 2>/dev/null)" ]; }

# ---- media ------------------------------------------------------------------

mkdir media lib
sox -n -r 48000 -b 24 -c 1 media/m.wav synth 2 sine 440 vol 0.25 || exit 1
sox -n -r 48000 -b 24 -c 2 media/s.wav synth 2 sine 440 sine 660 vol 0.25 || exit 1
sox -n -r 48000 -b 24 -c 1 media/tone.wav synth 3 sine 1000 vol 0.3 || exit 1
sox -n -r 48000 -b 24 -c 2 media/st.wav synth 5 pinknoise vol 0.1 || exit 1
echo "these are notes, not audio" >media/notes.txt
mkdir media/dir.wav
echo "x" >somefile

# the usual head of a script: 4 lines, so the line under test is line 5
H1='session { rate = 48000 }'
H2='local b = bus "B"'
H3='local t = track "T" { to = b }'
H4='output { "out/a.wav", from = b }'

# ---- command line -----------------------------------------------------------

ds --help
expect "--help prints usage" 0 "usage: dubstage" "render SCRIPT" "--block N"
ds --version
expect "--version prints the version and the SIMD path the kernels run" 0 "dubstage " "simd: "
ds rendr mix.lua
expect "unknown command suggests the closest" 2 "rendr" "did you mean 'render'"
ds render --blok 64 mix.lua
expect "unknown option suggests the closest" 2 "--blok" "did you mean --block"
ds render --block 0 mix.lua
expect "--block 0 is rejected" 2 "--block" "'0'" "1 to 8192"
ds render --block 9000 mix.lua
expect "--block 9000 is rejected" 2 "--block" "'9000'" "1 to 8192"
ds render
expect "render without a script" 2 "needs a script"
ds render nope.lua
expect "a missing script is named" 1 "nope.lua" "No such file"

# ---- Lua errors carry file:line -------------------------------------------

script mix.lua "$H1" 'local b = bus "B"' 'local x = = 3'
ds render mix.lua
expect "syntax error names mix.lua:3" 1 "mix.lua:3:" "unexpected symbol"

script k.lua "$H1" "$H2" '' 'local f = nil' 'f()'
ds render k.lua
expect "runtime error names k.lua:5" 1 "k.lua:5:" "attempt to call a nil value"

script lib/helper.lua 'local M = {}' 'function M.go()' '  local t = nil' '  return t.x' 'end' 'return M'
script k.lua "$H1" 'local h = require "lib.helper"' 'h.go()'
ds render k.lua
expect "error in a required module names lib/helper.lua:4" 1 "lib/helper.lua:4:" "attempt to index a nil value"

script lib/broken.lua 'local M = {}' 'M.x = )' 'return M'
script k.lua "$H1" 'local h = require "lib.broken"'
ds render k.lua
expect "syntax error in a required module names lib/broken.lua:2" 1 "lib/broken.lua:2:"

# ---- unknown option keys: named, with the closest valid one ------------------

script k.lua 'session { rate = 48000, fsp = "25" }'
ds render k.lua
expect "session key fsp -> fps" 1 "k.lua:1:" "'fsp'" "did you mean 'fps'"
script k.lua "$H1" 'local b = bus "B" { gian = 3 }'
ds render k.lua
expect "bus key gian -> gain" 1 "k.lua:2:" "'gian'" "did you mean 'gain'"
script k.lua "$H1" "$H2" 'local t = track "T" { to = b, pna = 0.5 }'
ds render k.lua
expect "track key pna -> pan" 1 "k.lua:3:" "'pna'" "did you mean 'pan'"
script k.lua "$H1" "$H2" "$H3" "$H4" 't:clip { "media/m.wav", at = 0, fade_ni = 0.1 }'
ds render k.lua
expect "clip key fade_ni -> fade_in" 1 "k.lua:5:" "'fade_ni'" "did you mean 'fade_in'"
script k.lua "$H1" "$H2" "$H3" 't:clip { "media/m.wav", at = 0 }' 'output { "out/a.wav", from = b, fromat = "wav24" }'
ds render k.lua
expect "output key fromat -> format" 1 "k.lua:5:" "'fromat'" "did you mean 'format'"

# same_message NAME WANT: renders k.lua five times; every run must print the
# same message (not one that depends on Lua's hash order), with status 1 and WANT
same_message() {
  first= same=1
  for i in 1 2 3 4 5; do
    ds render k.lua
    [ -z "$first" ] && first=$out
    [ "$out" = "$first" ] || same=0
  done
  if [ "$same" -eq 1 ]; then
    expect "$1" 1 "$2"
  else
    notok "$1" "two runs printed different messages"
  fi
}

# Lua walks a table in an order seeded afresh in every run, so a message
# built during the walk named whichever bad key came first. Five runs of the
# same script must print the same message, naming every unknown key in
# sorted order, each with its suggestion.
script k.lua "$H1" "$H2" "$H3" 't:compressor { key_lo = 300, key_hi = 4000, ration = 4, atack = 0.1 }'
same_message "unknown keys: one message, sorted, every key with its suggestion" \
  "k.lua:4: unknown options 'atack' (did you mean 'attack'?), 'key_hi', 'key_lo', 'ration' (did you mean 'ratio'?) for compressor"

# The same for the standard library's dme.stems (the core's check, called from Lua).
script k.lua "$H1" 'local dme = require "dubstage.dme"' 'local s = dme.stems { fromat = "wav24", fodler = "x", stmes = false }'
same_message "dme.stems unknown keys: one message, sorted" \
  "k.lua:3: unknown options 'fodler' (did you mean 'folder'?), 'fromat' (did you mean 'format'?), 'stmes' (did you mean 'stems'?) for dme.stems"

# ---- automation --csv: every breakpoint gets its row ----------------------------

# 300 ramps at 25 fps (1920 samples a frame) start 624 samples into a frame
# and end 1584 into it: 600 breakpoints off the frame grid, which must all
# appear, in order (a fixed array once kept only a lane's first 256).
script k.lua 'session { rate = 48000, fps = "25", length = 40 }' "$H2" "$H3" \
  'for i = 0, 299 do t.gain:ramp { at = i / 10 + 0.013, to = i % 2 == 0 and -6 or 0, over = 0.02 } end' "$H4"
ds automation k.lua --csv moves.csv
want=$(awk 'BEGIN { for (i = 0; i < 300; i++) print 4800 * i + 624; for (i = 0; i < 300; i++) print 4800 * i + 1584 }' | sort -n)
got=$(awk -F, 'NR > 1 && $3 % 1920 != 0 { print $3 }' moves.csv 2>/dev/null)
if [ "$rc" -ne 0 ]; then
  notok "automation --csv: all 600 breakpoints, in order" "exit status $rc: $out"
elif [ "$got" != "$want" ]; then
  notok "automation --csv: all 600 breakpoints, in order" "$(printf '%s\n' "$got" | wc -l) off-frame rows, or out of order"
else
  ok "automation --csv: all 600 breakpoints, in order"
fi

# A track in 20 VCAs that each move to -1 dB: its effective fader ends at
# -20 dB (the render applies all 20; a fixed array once summed only 14).
{ printf '%s\n' 'session { rate = 48000, length = 2 }' "$H2" "$H3"
  i=1; while [ $i -le 20 ]; do
    printf 'vca "V%d" { members = { t } }.gain:ramp { at = 0.5, to = -1, over = 0.5 }\n' $i; i=$((i + 1)); done
  printf '%s\n' "$H4"; } >k.lua
ds automation k.lua T.fader
expect "automation: a fader in 20 VCAs sums all 20 (-20 dB)" 0 "T.fader" "-20.000"

# A strip's name is the script's: in the SVG it is text, never markup, and in
# the CSV header a quote in it does not end the field (python3's XML and CSV
# parsers read the files back).
script k.lua 'session { rate = 48000, length = 2 }' "$H2" 'local t = track "A<script>x</script>&\"q\"" { to = b }' \
  't.gain:ramp { at = 0.5, to = -6, over = 0.5 }' "$H4"
ds automation k.lua --svg lanes.svg --csv lanes.csv
names=$(python3 -c '
import csv, sys, xml.dom.minidom as m
t = m.parse("lanes.svg").getElementsByTagName("text")[0].firstChild.data
print(t + "|" + next(csv.reader(open("lanes.csv")))[3])' 2>&1)
if [ "$rc" -eq 0 ] && [ "$names" = 'A<script>x</script>&"q".gain (dB)|A<script>x</script>&"q".gain' ]; then
  ok "automation: a name with markup and quotes is text in the SVG and one CSV field"
else
  notok "automation: a name with markup and quotes is text in the SVG and one CSV field" "exit $rc, read back: $names"
fi

# ---- clip sources ---------------------------------------------------------------

script k.lua "$H1" "$H2" "$H3" "$H4" 't:clip { "media/nope.wav", at = 0 }'
ds render k.lua
expect "missing clip file names the path" 1 "k.lua:5:" "media/nope.wav" "No such file"
script k.lua "$H1" "$H2" "$H3" "$H4" 't:clip { "media/notes.txt", at = 0 }'
ds render k.lua
expect "text file as a clip is not audio" 1 "k.lua:5:" "media/notes.txt" "not an audio file"
script k.lua "$H1" "$H2" "$H3" "$H4" 't:clip { "media/dir.wav", at = 0 }'
ds render k.lua
expect "directory as a clip names the path" 1 "k.lua:5:" "media/dir.wav" "directory"

# ---- channel layouts ------------------------------------------------------------

script k.lua "$H1" "$H2" "$H3" "$H4" 't:clip { "media/m.wav", at = 0 }' 't:clip { "media/s.wav", at = 2 }'
ds render k.lua
expect "stereo clip on a mono track is refused" 1 "k.lua:6:" "media/s.wav" "mono" "channel ="

script ms.lua "$H1" 'local t = track "T" { channels = 2 }' 't:clip { "media/m.wav", at = 0 }' \
  'output { "out/ms.wav", from = t, format = "wav32f" }'
ds render --quiet ms.lua
name="mono clip on a stereo track feeds both channels"
if [ "$rc" -ne 0 ]; then
  notok "$name" "render failed ($rc)"
else
  nch=$(soxi -c out/ms.wav 2>/dev/null)
  peak=$(stat_field out/ms.wav "Maximum amplitude")
  diff=$(stat_field out/ms.wav "Maximum amplitude" remix 1,2v-1)
  if [ "$nch" != 2 ]; then
    notok "$name" "$nch channels, expected 2"
  elif awk -v p="$peak" -v d="$diff" 'BEGIN { exit !(p > 0.2 && d == 0) }'; then
    ok "$name"
  else
    notok "$name" "peak $peak, left - right peaks at $diff (expected 0)"
  fi
fi

# ---- overlapping clips sum: two identical clips together are +6.02 dB -------------

script ov1.lua "$H1" 'local t = track "T"' 't:clip { "media/m.wav", at = 0.5 }' \
  'output { "out/ov1.wav", from = t, format = "wav32f" }'
script ov2.lua "$H1" 'local t = track "T"' 't:clip { "media/m.wav", at = 0.5 }' 't:clip { "media/m.wav", at = 0.5 }' \
  'output { "out/ov2.wav", from = t, format = "wav32f" }'
name="two identical overlapping clips sum to +6.02 dB (0.05 dB)"
if "$DS" render --quiet ov1.lua >/dev/null 2>&1 && "$DS" render --quiet ov2.lua >/dev/null 2>&1; then
  r1=$(stat_field out/ov1.wav "RMS +amplitude")
  r2=$(stat_field out/ov2.wav "RMS +amplitude")
  d=$(awk -v a="$r1" -v b="$r2" 'BEGIN { if (a > 0 && b > 0) printf "%.4f", 20 * log(b / a) / log(10); else print "nan" }')
  if awk -v d="$d" 'BEGIN { x = d - 20 * log(2) / log(10); exit !(x < 0.05 && x > -0.05) }'; then
    ok "$name"
  else
    out="rms $r1 -> $r2"
    notok "$name" "difference $d dB"
  fi
else
  out=
  notok "$name" "a render failed"
fi

# ---- times that cannot be ------------------------------------------------------

clip_err() { # NAME CLIP-OPTIONS WORD...
  n=$1 opts=$2
  shift 2
  script k.lua "$H1" "$H2" "$H3" "$H4" "t:clip { \"media/m.wav\", $opts }"
  ds render k.lua
  expect "$n" 1 "k.lua:5:" "media/m.wav" "$@"
}
clip_err "zero length is refused" "at = 0, length = 0" "length" "greater than zero"
clip_err "negative length is refused" "at = 0, length = -1" "length" "greater than zero"
clip_err "negative from is refused" "at = 0, from = -1" "from" "negative"
clip_err "from past the end of the file is refused" "at = 0, from = 3" "from" "past the end" "2.000 s"
clip_err "length past the end of the file is refused" "at = 0, from = 1, length = 1.5" "length" "past the end"
clip_err "fades longer than the clip are refused" "at = 0, length = 1, fade_in = 0.6, fade_out = 0.6" "fade" "longer than the clip"
clip_err "a negative fade is refused" "at = 0, fade_in = -0.5" "fade"

script k.lua 'session { rate = 48000, fps = "25", start = "01:00:00:00" }' "$H2" "$H3" "$H4" \
  't:clip { "media/m.wav", at = "00:59:59:00" }'
ds render k.lua
expect "clip before the session start is refused" 1 "k.lua:5:" "00:59:59:00" "before the session start" "01:00:00:00"

# ---- timecode labels ---------------------------------------------------------------

script k.lua 'session { rate = 48000, fps = "25" }' "$H2" "$H3" "$H4" 't:clip { "media/m.wav", at = "00:00:01;00" }'
ds render k.lua
expect "';' at 25 fps names the label" 1 "k.lua:5:" "00:00:01;00" "drop-frame"
script k.lua 'session { rate = 48000, fps = "29.97", start = "01:00:00;00" }' "$H2" "$H3" "$H4" \
  't:clip { "media/m.wav", at = "01:01:00;00" }'
ds render k.lua
expect "dropped DF label 01:01:00;00 at 29.97 is refused" 1 "k.lua:5:" "01:01:00;00" "does not exist"
script k.lua 'session { rate = 48000, fps = "25" }' "$H2" "$H3" "$H4" 't:clip { "media/m.wav", at = "00:00:01:25" }'
ds render k.lua
expect "frame 25 at 25 fps is out of range" 1 "k.lua:5:" "00:00:01:25" "out of range"
script k.lua 'session { rate = 48000, fps = "24", start = "01:00:00:24" }'
ds render k.lua
expect "bad session start names the label" 1 "k.lua:1:" "01:00:00:24" "start"

# ---- routing ---------------------------------------------------------------------------

script k.lua "$H1" 'local a = bus "ALPHA"' 'local c = bus "BRAVO" { to = a }' 'a:to(c)' \
  'local t = track "T" { to = a }' 't:clip { "media/m.wav", at = 0 }' 'output { "out/a.wav", from = a }'
ds render k.lua
expect "routing loop names both buses" 1 "routing loop" "'ALPHA'" "'BRAVO'" "k.lua:"
script k.lua "$H1" 'local t1 = track "T1"' 'local t2 = track "T2" { to = t1 }'
ds render k.lua
expect "routing into a track is refused" 1 "k.lua:3:" "'T2'" "into track 'T1'"
script k.lua "$H1" 'local m = bus "MONO" { channels = 1 }' 'local six = bus "SIX" { channels = 6, to = m }' \
  'local t = track "T" { to = m }' 't:clip { "media/s.wav", at = 0 }' 'output { "out/a.wav", from = m }'
ds render k.lua
expect "a 6-channel bus into a mono bus is refused (stereo folds down, docs/layouts.md)" 1 "'SIX'" \
  "mono bus 'MONO'" "6 plain channels"

# ---- outputs ----------------------------------------------------------------------------

rm -rf out
script k.lua "$H1" "$H2" "$H3" 't:clip { "media/m.wav", at = 0 }' \
  'output { "out/good.wav", from = b }' 'output { "somefile/x.wav", from = b }'
ds render k.lua
name="output under a regular file: error names it, nothing else written"
if [ "$rc" -eq 0 ]; then
  notok "$name" "exit status 0"
elif ! printf '%s\n' "$out" | grep -F -q "somefile/x.wav"; then
  notok "$name" "message lacks the path somefile/x.wav"
elif ! printf '%s\n' "$out" | grep -F -q "k.lua:6"; then
  notok "$name" "message lacks the script line k.lua:6"
elif [ -e out/good.wav ]; then
  notok "$name" "out/good.wav was written although the render failed"
elif ! no_part_files .; then
  notok "$name" "a .part file was left behind"
else
  ok "$name"
fi

script k.lua "$H1" "$H2" "$H3" 't:clip { "media/m.wav", at = 0 }' 'output { "../escape.wav", from = b }'
ds render k.lua
expect "output outside the script's folder is refused" 1 "k.lua:5:" "../escape.wav" "outside the script's folder" "--out"

mkdir elsewhere
ds render --quiet --out "$W/elsewhere" k.lua
name="--out DIR puts the output in DIR"
if [ "$rc" -eq 0 ] && [ -s elsewhere/escape.wav ] && [ ! -e ../escape.wav ]; then
  ok "$name"
else
  notok "$name" "exit status $rc; elsewhere/: $(ls -A elsewhere | tr '\n' ' ')"
fi

# ---- sandbox ------------------------------------------------------------------------------

sandbox_err() { # NAME LUA WORD...
  n=$1 lua=$2
  shift 2
  script k.lua "$H1" "$lua"
  ds render k.lua
  expect "$n" 1 "k.lua:2:" "$@"
}
sandbox_err "sandbox: no os.execute" 'os.execute("touch pwned")' "execute"
sandbox_err "sandbox: no io.popen" 'io.popen("touch pwned")' "popen"
sandbox_err "sandbox: no package.loadlib" 'package.loadlib("libc.so.6", "system")' "package"
sandbox_err "sandbox: no dofile" 'dofile("lib/helper.lua")' "dofile"
sandbox_err "sandbox: no loadfile" 'loadfile("lib/helper.lua")' "loadfile"
sandbox_err "sandbox: io.open of /etc/passwd is refused" 'local f = io.open("/etc/passwd")' \
  "/etc/passwd" "outside the script's folder" "--allow-paths"
sandbox_err "sandbox: no binary chunks through load" 'assert(load(string.dump(function() end)))' "binary chunk"
if [ -e pwned ]; then notok "sandbox: nothing ran" "a command ran and made 'pwned'"; fi

echo "gain=-6" >cfg.txt
script k.lua "$H1" \
  'local f = assert(io.open("cfg.txt"))' 'local s = f:read("l")' 'f:close()' 'assert(s == "gain=-6", s)' \
  'local n = 0' 'for l in io.lines("cfg.txt") do n = n + 1 end' 'assert(n == 1)' \
  'print("io ok")' \
  "$H2" "$H3" 't:clip { "media/m.wav", at = 0, gain = tonumber(s:match("-?%d+")) }' "$H4"
ds render --quiet k.lua
expect "sandbox: io.open and io.lines in the script's folder work" 0 "io ok"
script k.lua "$H1" 'local h = require "lib.helper"' 'assert(type(h.go) == "function")' 'print("require ok")' \
  "$H2" "$H3" 't:clip { "media/m.wav", at = 0 }' "$H4"
ds render --quiet k.lua
expect "sandbox: require of a module in the script's folder works" 0 "require ok"

# ---- interrupting a render -------------------------------------------------------------------

# An hour at --block 1 takes minutes; the render is stopped within a second.
script long.lua 'session { rate = 48000, length = 3600 }' "$H2" "$H3" 't:clip { "media/m.wav", at = 0 }' \
  'output { "out/long.wav", from = b }' 'output { "out/long2.wav", from = t, format = "flac24" }'

# interrupt SIGNAL STATUS: starts the long render, waits until its temporary
# files exist, sends SIGNAL; sets $out, $rc, $parts_seen.
interrupt() {
  rm -rf out
  "$DS" render --quiet --block 1 long.lua >long.log 2>&1 &
  bg=$!
  parts_seen=0 i=0
  while [ $i -lt 50 ]; do
    if [ -d out ] && ! no_part_files out; then parts_seen=1; break; fi
    sleep 0.1
    i=$((i + 1))
  done
  sleep 0.3
  kill -s "$1" "$bg"
  wait "$bg"
  rc=$?
  bg=
  out=$(cat long.log)
}
for sig in INT:130 TERM:143; do  # README: 128 + the signal number
  s=${sig%:*} want=${sig#*:}
  interrupt "$s"
  name="SIG$s during a render: status $want, says interrupted, leaves no file"
  if [ "$parts_seen" -ne 1 ]; then
    notok "$name" "the render never started writing"
  elif [ "$rc" -ne "$want" ]; then
    notok "$name" "exit status $rc"
  elif ! printf '%s\n' "$out" | grep -q "interrupted"; then
    notok "$name" "message does not say interrupted"
  elif [ -e out/long.wav ] || [ -e out/long2.wav ] || ! no_part_files out; then
    notok "$name" "left: $(ls -A out | tr '\n' ' ')"
  else
    ok "$name"
  fi
done

# A script stuck in a loop can still be stopped (the handler that waits for
# the next block is only in place while rendering).
script k.lua "$H1" 'while true do end'
"$DS" render k.lua >/dev/null 2>&1 &
bg=$!
sleep 0.5
kill -s TERM "$bg"
i=0
while kill -0 "$bg" 2>/dev/null && [ $i -lt 30 ]; do sleep 0.1; i=$((i + 1)); done
if kill -0 "$bg" 2>/dev/null; then
  echo "not ok - SIGTERM stops a script stuck in a loop: still running after 3 s"
  kill -s KILL "$bg"
else
  ok "SIGTERM stops a script stuck in a loop"
fi
wait "$bg" 2>/dev/null
bg=
# `play` runs the script before it opens a device (none needed here): its
# Ctrl-C stops the loop through the script's interrupt hook, naming the line.
"$DS" play k.lua >k.log 2>&1 &
bg=$!
sleep 0.5
kill -s INT "$bg"
i=0
while kill -0 "$bg" 2>/dev/null && [ $i -lt 30 ]; do sleep 0.1; i=$((i + 1)); done
name="Ctrl-C stops play's script stuck in a loop: status 130, k.lua:LINE: interrupted"
if kill -0 "$bg" 2>/dev/null; then
  out=
  notok "$name" "still running after 3 s"
  kill -s KILL "$bg"
  wait "$bg" 2>/dev/null
else
  wait "$bg"
  rc=$?
  out=$(cat k.log)
  loop_line=$(grep -n 'while true do end' k.lua | cut -d: -f1)
  if [ "$rc" -ne 130 ]; then
    notok "$name" "exit status $rc"
  elif ! grep -q "k.lua:$loop_line: interrupted" k.log; then
    notok "$name" "the message does not name k.lua:$loop_line"
  else
    ok "$name"
  fi
fi
bg=

# ---- atomic replacement ------------------------------------------------------------------------

script re.lua "$H1" "$H2" "$H3" 't:clip { "media/m.wav", at = 0 }' 'output { "out/long.wav", from = b }'
rm -rf out
name="a second render replaces the file whole, by rename"
if "$DS" render --quiet re.lua >/dev/null 2>&1; then
  ino1=$(ls -i out/long.wav | awk '{print $1}')
  cp out/long.wav first.wav
  ds render --quiet re.lua
  ino2=$(ls -i out/long.wav 2>/dev/null | awk '{print $1}')
  len=$(soxi -D out/long.wav 2>/dev/null)
  if [ "$rc" -ne 0 ]; then
    notok "$name" "second render failed ($rc)"
  elif ! cmp -s first.wav out/long.wav; then
    notok "$name" "the second file differs from the first"
  elif [ "$len" != "2.000000" ]; then
    notok "$name" "file is $len s long, expected 2"
  elif [ "$ino1" = "$ino2" ]; then
    notok "$name" "same inode: the file was rewritten in place"
  elif ! no_part_files out; then
    notok "$name" "a .part file was left"
  else
    ok "$name"
  fi
  # an interrupted render of the same name keeps the old file
  name="an interrupted render leaves the previous file untouched"
  "$DS" render --quiet --block 1 long.lua >long.log 2>&1 &
  bg=$!
  i=0
  while no_part_files out && [ $i -lt 50 ]; do sleep 0.1; i=$((i + 1)); done
  sleep 0.3
  kill -s INT "$bg"
  wait "$bg"
  rc=$?
  bg=
  out=$(cat long.log)
  if [ "$rc" -ne 130 ]; then
    notok "$name" "exit status $rc"
  elif ! cmp -s first.wav out/long.wav; then
    notok "$name" "out/long.wav changed"
  elif ! no_part_files out; then
    notok "$name" "a .part file was left"
  else
    ok "$name"
  fi
else
  out=
  notok "$name" "first render failed"
fi

# ---- determinism and info on the example mix -------------------------------------------------------

script mix.lua 'session { rate = 48000, fps = "23.976", start = "01:00:00:00" }' \
  'local pm = bus "PM"' 'local dx = bus "DX" { to = pm }' \
  'local d1 = track "DIA 1" { to = dx, pan = -0.2, gain = -2 }' \
  'd1:clip { "media/tone.wav", at = "01:00:01:00", fade_in = 0.1, fade_out = 0.5, curve = "equal_power" }' \
  'local amb = track "AMB" { to = pm }' \
  'amb:clip { "media/st.wav", at = "01:00:00:00", gain = -3 }' \
  'output { "out/pm.wav", from = pm, format = "wav16" }' \
  'output { "out/dx.wav", from = dx, format = "flac24" }'
mkdir r1 r2
"$DS" render --quiet --out "$W/r1" mix.lua >/dev/null 2>&1
rc1=$?
"$DS" render --quiet --out "$W/r2" mix.lua >/dev/null 2>&1
rc2=$?
name="two renders give identical bytes"
if [ "$rc1" -ne 0 ] || [ "$rc2" -ne 0 ]; then
  out=
  notok "$name" "render failed ($rc1, $rc2)"
elif cmp -s r1/pm.wav r2/pm.wav && cmp -s r1/dx.wav r2/dx.wav; then
  ok "$name"
else
  out=
  notok "$name" "outputs differ"
fi

ds info mix.lua
name="info prints ops, buffers and outputs"
if [ "$rc" -eq 0 ] && printf '%s\n' "$out" | grep -q '^ops  *[0-9]' &&
  printf '%s\n' "$out" | grep -q '^buffers  *[0-9]' &&
  printf '%s\n' "$out" | grep -q '^outputs  *2' &&
  printf '%s\n' "$out" | grep -F -q "pm.wav" && printf '%s\n' "$out" | grep -F -q "dx.wav"; then
  ok "$name"
else
  notok "$name" "exit status $rc or lines missing"
fi
