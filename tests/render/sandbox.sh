#!/bin/sh
# sandbox.sh - ARCHITECTURE.md property 8 as a hostile script meets it: a
# script that ships with its own symlinks, hard links and FIFOs, names
# modules by path, reads /proc, aims its outputs at its inputs, or never
# stops. docs/sandbox.md says what is allowed.
#
# Each refusal is checked for the exit status, the words of the message that
# matter (file:line, the name, where a link leads, the other file of an
# alias) and for what must not happen: the files outside the script's folder
# (a text canary, a WAV canary, a module that would print PWNED) keep their
# bytes and their mtimes, no file appears outside, and the inputs inside keep
# their bytes. A render that could block (a FIFO) runs under `timeout`, so a
# hang fails instead of stalling the suite.
# Runs from the repository root; DUBSTAGE is the binary (default build/dubstage).
T=sandbox
. tests/render/lib/common.sh
mkdir -p "$W/proj/media" "$W/proj/lib" "$W/outside" || exit 1
cd "$W/proj" || exit 1

sox -n -r 48000 -b 24 -c 1 media/m.wav synth 1 sine 440 vol 0.25 || exit 1
cp media/m.wav ../outside/canary.wav
echo canary >../outside/canary.txt
printf 'name,timecode\ndoor,00:00:00:12\n' >../outside/cues.csv
printf 'io.write("PWNED\\n")\nreturn {}\n' >../outside/mod.lua
printf 'return { ["B.gain"] = -3 }\n' >../outside/trims.lua
printf 'name,timecode\ndoor,00:00:00:12\n' >cues.csv
printf 'return { go = function() return 1 end }\n' >lib/helper.lua
touch -d '2020-01-02 03:04:05' ../outside/* media/m.wav

# the state of everything outside, and of the inputs inside
snapshot() {
  (cd "$W" && find outside -exec stat -c '%n %s %Y' {} + | sort && md5sum outside/*;
   md5sum proj/media/m.wav proj/cues.csv proj/lib/helper.lua) 2>/dev/null
}
BEFORE=$(snapshot)

# ds ARGS...: runs dubstage (at most 30 s: a FIFO must not block), sets $out and $rc.
ds() {
  out=$(timeout 30 "$DS" "$@" 2>&1)
  rc=$?
}

H1='session { rate = 48000, length = 1 }'
H2='local b = bus "B"'
H3='local t = track "T" { to = b }'
H4='t:clip { "media/m.wav", at = 0 }'
OUT='output { "out/a.wav", from = b }'

# script LINE...: writes k.lua, one line per argument.
script() { printf '%s\n' "$@" >k.lua; }

# refused NAME WORD...: the last run was refused (status 1, not a timeout)
# with every WORD in its message, and nothing outside changed.
refused() {
  name=$1
  shift
  if [ "$rc" -eq 124 ]; then
    notok "$name" "blocked (killed after 30 s)"
    return
  fi
  if [ "$rc" -ne 1 ]; then
    notok "$name" "exit status $rc, expected 1"
  elif ! has "$@"; then
    notok "$name" "message lacks '$missing'"
  elif printf '%s\n' "$out" | grep -q PWNED; then
    notok "$name" "the module outside ran"
  elif [ "$(snapshot)" != "$BEFORE" ]; then
    notok "$name" "a file outside (or an input) changed: $(snapshot | diff - /dev/fd/3 3<<EOF | head -4
$BEFORE
EOF
)"
  else
    ok "$name"
  fi
}

# attack NAME LUA WORD...: a script that does LUA on its line 5, refused with WORDs.
attack() {
  name=$1 lua=$2
  shift 2
  script "$H1" "$H2" "$H3" "$H4" "$lua" "$OUT"
  ds render --quiet k.lua
  refused "$name" "k.lua:5:" "$@"
}

# ---- symlinks: to a file, to a folder, a chain, dangling ---------------------------

ln -s ../outside/canary.txt link_file
ln -s ../outside link_dir
ln -s link_chain2 link_chain
ln -s link_dir/canary.txt link_chain2
ln -s ../outside/made.txt dangling
attack "symlink to a file outside: io.open refused" 'local f = io.open("link_file")' \
  "link_file" "leads to '$W/outside/canary.txt'" "outside the script's folder"
attack "symlink to a file outside: io.open for writing refused" 'io.open("link_file", "w"):write("x")' \
  "link_file" "outside the script's folder"
attack "symlink to a folder outside: io.lines refused" 'for l in io.lines("link_dir/canary.txt") do end' \
  "link_dir/canary.txt" "outside the script's folder"
attack "symlink to a folder outside: a new file there refused" 'io.open("link_dir/new.txt", "w")' \
  "link_dir/new.txt" "outside the script's folder"
attack "a chain of symlinks out: io.open refused" 'local f = io.open("link_chain")' \
  "link_chain" "leads to '$W/outside/canary.txt'"
attack "a dangling symlink: writing through it refused (no file made outside)" 'io.open("dangling", "w")' \
  "dangling" "leads to '$W/outside/made.txt'"
attack "symlink to a folder outside: markers refused" 'local cue = markers "link_dir/cues.csv"' \
  "marker file 'link_dir/cues.csv'" "outside the script's folder"
ln -s ../outside/trims.lua link_trims
attack "symlink to a file outside: trims refused" 'trims "link_trims"' "trims file 'link_trims'" "leads to"
script "$H1" "$H2" "$H3" "$H4" 'output { "link_dir/x.wav", from = b }'
ds render --quiet k.lua
refused "symlink to a folder outside: output refused" "k.lua:5:" "output 'link_dir/x.wav'" "outside the script's folder"

# links that stay inside are fine
ln -s media/m.wav inner.wav
ln -s cues.csv inner_cues
ln -s lib inner_lib
script "$H1" "$H2" "$H3" 't:clip { "inner.wav", at = 0 }' 'local cue = markers "inner_cues"' \
  'assert(io.open("inner_cues"):read("l") == "name,timecode")' 'local h = require "inner_lib.helper"' \
  'assert(h.go() == 1)' "$OUT"
ds render --quiet k.lua
if [ "$rc" -eq 0 ] && [ -s out/a.wav ]; then ok "symlinks whose targets are inside work (clip, markers, io, require)"
else notok "symlinks whose targets are inside work (clip, markers, io, require)" "exit status $rc"; fi
rm -rf out

# ---- require: absolute, dotted, climbing, linked -------------------------------

attack "require of an absolute path refused" "local m = require \"$W/outside/mod\"" \
  "require \"$W/outside/mod\"" "a path is not a module name"
DOTTED=$(printf '%s' "$W/outside/mod" | tr / .)
attack "require of a dotted name that becomes absolute refused" "local m = require \"$DOTTED\"" \
  "require \"$DOTTED\"" "a path is not a module name"
attack "require of a climbing name refused" 'local m = require "../outside/mod"' \
  'require "../outside/mod"' "a path is not a module name"
attack "require of a doubled dot refused" 'local m = require "lib..helper"' "a path is not a module name"
ln -s ../../outside/mod.lua lib/evil.lua
attack "require of a module linked outside refused" 'local m = require "lib.evil"' \
  "module 'lib/evil.lua'" "leads to '$W/outside/mod.lua'" "and the standard library"

# ---- FIFOs: markers, trims, io.open, require, a clip ----------------------------

mkfifo fifo fifo.lua fifo.wav
attack "FIFO as a marker file refused, not waited on" 'local cue = markers "fifo"' "marker file 'fifo'" "FIFO"
attack "FIFO as a trims file refused, not waited on" 'trims "fifo"' "trims file 'fifo'" "FIFO"
attack "FIFO read by io.open refused, not waited on" 'local f = io.open("fifo")' "'fifo'" "FIFO"
attack "FIFO written by io.open refused, not waited on" 'local f = io.open("fifo", "w")' "'fifo'" "FIFO"
attack "FIFO as a module refused, not waited on" 'local m = require "fifo"' "module 'fifo.lua'" "FIFO"
attack "FIFO as a clip refused, not waited on" 't:clip { "fifo.wav", at = 0 }' "fifo.wav" "FIFO"

# ---- /proc and devices ----------------------------------------------------------------

attack "/proc read by io.open refused" 'local f = io.open("/proc/self/environ")' "/proc/self/environ" "outside"
script "$H1" "$H2" "$H3" "$H4" 'local f = io.open("/proc/self/status")' "$OUT"
ds render --quiet --allow-paths k.lua
refused "/proc refused even with --allow-paths" "k.lua:5:" "/proc" "only regular files"
attack "/proc as a clip refused" 't:clip { "/proc/self/environ", at = 0 }' "/proc" "only regular files"
ln -s /proc/self/status proc_link
script "$H1" "$H2" "$H3" "$H4" 'local cue = markers "proc_link"' "$OUT"
ds render --quiet --allow-paths k.lua
refused "/proc through a link as markers refused (--allow-paths)" "k.lua:5:" "'proc_link'" "/proc"
attack "a device as a clip refused" 't:clip { "/dev/zero", at = 0 }' "/dev/zero" "character device"

# ---- hard links out of the folder ------------------------------------------------------

ln ../outside/canary.txt hard.txt
attack "hard link out: io.open 'w' refused" 'io.open("hard.txt", "w"):write("x")' "hard.txt" "hard links"
attack "hard link out: io.open 'a' refused" 'io.open("hard.txt", "a"):write("x")' "hard.txt" "hard links"
attack "hard link out: io.open 'r+' refused" 'io.open("hard.txt", "r+"):write("x")' "hard.txt" "hard links"
# an output over a hard link replaces the name, never the file behind it
ln ../outside/canary.wav hard.wav
script "$H1" "$H2" "$H3" "$H4" 'output { "hard.wav", from = b }'
ds render --quiet k.lua
name="hard link out: an output over it replaces the name, not the file outside"
if [ "$rc" -ne 0 ]; then notok "$name" "exit status $rc"
elif [ "$(snapshot)" != "$BEFORE" ]; then notok "$name" "the file outside changed"
elif [ "$(stat -c %h hard.wav)" != 1 ]; then notok "$name" "hard.wav still has $(stat -c %h hard.wav) names"
else ok "$name"; fi
rm -f hard.wav

# ---- outputs aliasing inputs -------------------------------------------------------------

script "$H1" "$H2" "$H3" "$H4" 'output { "media/m.wav", from = b }'
ds render --quiet k.lua
refused "output over its clip source refused, naming both" "k.lua:5:" "output 'media/m.wav'" \
  "clip source 'media/m.wav' (k.lua:4)" "never replaces an input"
script "$H1" "$H2" "$H3" "$H4" 'output { "out/../media/./m.wav", from = b }'
ds render --quiet k.lua
refused "output over its clip source through '..' refused" "k.lua:5:" "clip source 'media/m.wav'"
ln -s media mlink
script "$H1" "$H2" "$H3" "$H4" 'output { "mlink/m.wav", from = b }'
ds render --quiet k.lua
refused "output over its clip source through a folder link refused" "k.lua:5:" "clip source 'media/m.wav'"
ln media/m.wav m_hard.wav
script "$H1" "$H2" "$H3" "$H4" 'output { "m_hard.wav", from = b }'
ds render --quiet k.lua
refused "output over a hard link to its clip source refused" "k.lua:5:" "clip source 'media/m.wav'"
script "$H1" "$H2" "$H3" 'output { "media/m.wav", from = b }' 't:clip { "media/m.wav", at = 0 }'
ds render --quiet k.lua
refused "a clip source declared after the output over it refused" "k.lua:5:" "output 'media/m.wav' (k.lua:4)"
script "$H1" "$H2" "$H3" "$H4" 'output { "k.lua", from = b }'
ds render --quiet k.lua
refused "output over the script refused" "k.lua:5:" "the script 'k.lua' itself"
ln -s k.lua script_link.wav
script "$H1" "$H2" "$H3" "$H4" 'output { "script_link.wav", from = b }'
ds render --quiet k.lua
refused "output over the script through a link refused" "k.lua:5:" "the script 'k.lua' itself"
[ -L script_link.wav ] || notok "the link to the script survives" "it was replaced"
script "$H1" "$H2" "$H3" "$H4" "$OUT" 'output { "out/../out/a.wav", from = t }'
ds render --quiet k.lua
refused "two outputs through '..' refused" "k.lua:6:" "two outputs write 'out/../out/a.wav'" "k.lua:5"
mkdir -p out2 && ln -s out2 out2link
script "$H1" "$H2" "$H3" "$H4" 'output { "out2/a.wav", from = b }' 'output { "out2link/a.wav", from = t }'
ds render --quiet k.lua
refused "two outputs through a folder link refused" "k.lua:6:" "two outputs write"
script "$H1" "$H2" "$H3" "$H4" 'local cue = markers "cues.csv"' 'output { "cues.csv", from = b }'
ds render --quiet k.lua
refused "output over the marker file refused" "k.lua:6:" "marker file 'cues.csv' (k.lua:5)"
script "$H1" "$H2" "$H3" "$H4" 'local h = require "lib.helper"' 'output { "lib/helper.lua", from = b }'
ds render --quiet k.lua
refused "output over a required module refused" "k.lua:6:" "module 'lib/helper.lua' (k.lua:5)"
attack "io.open writing over the clip source refused" 'io.open("media/m.wav", "w")' \
  "clip source 'media/m.wav' (k.lua:4)" "never overwrites"
attack "io.open writing over the script refused" 'io.open("k.lua", "w")' "the script 'k.lua' itself"

# automation's --csv and --svg are outputs too: never over the script, an
# input, or each other (they were written over the script before)
script "$H1" "$H2" "$H3" "$H4" 't.gain:ramp { at = 0.5, to = -6, over = 0.2 }' "$OUT"
cp k.lua k.lua.orig
ds automation k.lua --csv k.lua
refused "automation --csv over the script refused" "--csv 'k.lua' would replace the script 'k.lua' itself"
cmp -s k.lua k.lua.orig || notok "automation --csv over the script: the script is intact" "it changed"
ds automation k.lua --svg media/m.wav
refused "automation --svg over a clip source refused" "--svg 'media/m.wav' would replace clip source 'media/m.wav' (k.lua:4)"
ds automation k.lua --svg mlink/m.wav
refused "automation --svg over a clip source through a folder link refused" "clip source 'media/m.wav'"
ds automation k.lua --csv cues_out.csv --svg ./cues_out.csv
refused "automation --csv and --svg naming one file refused" "--svg './cues_out.csv' would replace" "(--csv)"
mkdir -p out
ds automation k.lua --csv out
refused "automation --csv naming a folder refused" "--csv 'out' is there and is not a regular file"
ds automation k.lua --csv lanes.csv --svg lanes.svg
if [ "$rc" -eq 0 ] && [ -s lanes.csv ] && [ -s lanes.svg ]; then ok "automation --csv and --svg of other names are written"
else notok "automation --csv and --svg of other names are written" "exit status $rc"; fi
rm -rf out lanes.csv lanes.svg k.lua.orig

# ---- output { "out/" } -------------------------------------------------------------------

for o in "out/" "out/." "media" "media/"; do
  rm -rf out
  script "$H1" "$H2" "$H3" "$H4" "output { \"$o\", from = b }"
  ds render --quiet k.lua
  refused "output { \"$o\" } is refused as a folder" "k.lua:5:" "output '$o' names a folder" "mix.wav"
  if [ -f out ]; then notok "output { \"$o\" } made no file" "a file named 'out' was written"; fi
done

# ---- instruction budget and memory cap --------------------------------------------------

limit() { # NAME FLAGS LUA WORD...: LUA on line 2 onwards of a script with no session
  name=$1 flags=$2
  shift 2
  printf '%s\n' "$H1" "$1" >k.lua
  shift
  ds render --quiet $flags k.lua
  refused "$name" "$@"
}
limit "budget: while true do end stops at its line" "--max-instructions 1e6" 'while true do end' \
  "k.lua:2: instruction budget exhausted (1e6; --max-instructions)"
limit "budget: a pcall in a loop does not swallow it" "--max-instructions 1e6" \
  'while true do pcall(function() for i = 1, 1e9 do end end) end' "instruction budget exhausted"
limit "budget: a loop in a coroutine stops" "--max-instructions 1e6" \
  'coroutine.wrap(function() local x = 0 while true do x = x + 1 end end)()' "k.lua:2:" "instruction budget"
# one C call that never returns to Lua: the hook cannot count it, the
# watch of the thread's CPU time does (2e8 instructions a second: 1e8 is
# half a second); the process ends with the budget's message and the line
limit "budget: a backtracking string pattern (one C call) stops at its line" "--max-instructions 1e8" \
  'local s = ("a"):rep(3000) local i = s:find(("a*"):rep(12) .. "b")' \
  "k.lua:2: instruction budget exhausted (1e8; --max-instructions) inside one call of a library function"
limit "budget: a plain find of a long needle (one C call) stops at its line" "--max-instructions 1e8" \
  'local s = ("a"):rep(5e7) local i = s:find(("a"):rep(2e6) .. "b", 1, true)' \
  "k.lua:2: instruction budget exhausted (1e8" "inside one call"
limit "budget: the same pattern inside a coroutine stops" "--max-instructions 1e8" \
  'coroutine.wrap(function() return ("a"):rep(3000):find(("a*"):rep(12) .. "b") end)()' \
  "k.lua:2: instruction budget exhausted (1e8" "inside one call"
# the mix calls themselves run in C: a loop that makes clips runs ten Lua
# instructions a clip, and its clips are C memory, not the Lua state's;
# both count (before: 10 GB in 100 s, stopped by neither limit)
limit "budget: a loop making clips is stopped by the time it spends in C" "--max-instructions 1e8 --max-memory 0" \
  'local t = track "T" for i = 1, 1e9 do t:clip { "media/m.wav", at = 0, length = 0.001 } end' \
  "k.lua:2: instruction budget exhausted (1e8; --max-instructions)"
limit "memory: a loop making clips is stopped by the memory its clips take" "--max-instructions 0 --max-memory 64" \
  'local t = track "T" for i = 1, 1e9 do t:clip { "media/m.wav", at = 0, length = 0.001 } end' \
  "k.lua:2: memory limit exhausted (64 MiB; --max-memory)"
limit "memory: tracks named with one long string are stopped (C copies of it)" "--max-instructions 0 --max-memory 64" \
  'local n = ("x"):rep(1e6) for i = 1, 1e9 do track(n .. i) end' "k.lua:2: memory limit exhausted (64 MiB"
# Lua runs finalizers (__gc) with hooks off: a loop in one was never
# counted (it ran until killed); the watch counts its CPU time
limit "budget: a loop in a finalizer (no hook runs there) stops at its line" "--max-instructions 1e8" \
  'setmetatable({}, { __gc = function() while true do end end }) collectgarbage()' \
  "k.lua:2: instruction budget exhausted (1e8"
printf 'local x = 0\nwhile true do\n  x = x + 1\nend\n' >lib/loop.lua
limit "budget: a loop in a module names the module's line" "--max-instructions 1e6" 'require "lib.loop"' \
  "lib/loop.lua:3: instruction budget exhausted"
printf '%s\n' "$H1" 'while true do end' >k.lua
ds info --max-instructions 2e6 k.lua
refused "budget: info takes --max-instructions" "k.lua:2: instruction budget exhausted (2e6"
limit "memory: a growing table stops at its line" "--max-memory 64" \
  'local t = {} for i = 1, 1e9 do t[i] = { i } end' "k.lua:2: memory limit exhausted (64 MiB; --max-memory)"
limit "memory: one huge string stops" "--max-memory 64" 'local s = ("x"):rep(300000000)' \
  "k.lua:2: memory limit exhausted (64 MiB"
limit "memory: a pcall in a loop does not swallow it" "--max-memory 64" \
  'while true do pcall(string.rep, "x", 300000000) end' "memory limit exhausted (64 MiB"
script "$H1" "$H2" "$H3" "$H4" 'local x = 0 for i = 1, 3e6 do x = x + i end' "$OUT"
ds render --quiet --max-instructions 0 --max-memory 16 k.lua
if [ "$rc" -eq 0 ] && [ -s out/a.wav ]; then ok "limits: 0 lifts the budget, a small script fits in 16 MiB"
else notok "limits: 0 lifts the budget, a small script fits in 16 MiB" "exit status $rc"; fi
ds render --quiet --max-instructions lots k.lua
if [ "$rc" -eq 2 ] && printf '%s' "$out" | grep -q -- "--max-instructions must be"; then ok "limits: a bad flag value is a usage error"
else notok "limits: a bad flag value is a usage error" "exit status $rc"; fi

[ "$(snapshot)" = "$BEFORE" ] && ok "sandbox: nothing outside the script's folder changed" \
  || notok "sandbox: nothing outside the script's folder changed" "$(ls -la "$W/outside")"
