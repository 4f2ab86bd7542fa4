#!/bin/sh
# lib_path.sh - the recipe search path (docs/recipes-sharing.md): `--lib DIR`
# (repeatable) and DUBSTAGE_LIB (colon-separated) let `require` find a
# studio's modules in folders outside the script's, after the script's
# folder and before the standard library, read-only and under the sandbox's
# rules (docs/sandbox.md).
#
# Checked against what each rule says: which file a name reaches is told by
# a bus each module makes, named after its folder (so `dubstage info` shows
# which copy ran) and by the module list `dubstage info` prints; refusals by
# exit status and message, and by a module outside every allowed folder
# never running (it would print PWNED); read-only by the module's bytes.
# Runs from the repository root; DUBSTAGE is the binary.
T=lib_path
. tests/render/lib/common.sh
mkdir -p proj/media proj/house studio/house studio2/house other/house outside || exit 1
sox -n -r 48000 -b 24 -c 1 proj/media/tone.wav synth 1 sine 440 vol 0.25 || exit 1

# mod DIR: DIR/house/dx.lua, a module that makes a bus named after DIR
mod() {
  printf 'local M = {}\nfunction M.bus() return bus "FROM_%s" end\nreturn M\n' "$1" >"$1/house/dx.lua"
}
mod studio
mod studio2
printf 'local M = {}\nfunction M.bus() return bus "FROM_other" end\nreturn M\n' >other/house/dx.lua
printf 'return { only = function() return bus "STUDIO2_ONLY" end }\n' >studio2/house/extra.lua
printf 'io.write("PWNED\\n")\nreturn {}\n' >outside/evil.lua
cd proj || exit 1
cat >mix.lua <<'EOF'
session { rate = 48000, length = 1 }
local dme = require "dubstage.dme"
local b = dme.stems { folder = "out" }
local from = require("house.dx").bus()
track "T" { to = { b.dx, from } }:clip { "media/tone.wav", at = 0 }
EOF

ds() {
  out=$("$DS" "$@" 2>&1)
  rc=$?
}

# ---- found in --lib, in order, and listed by info ----------------------------------

ds info mix.lua --lib ../studio
if [ $rc -eq 0 ] && has "bus 'FROM_studio'" "modules  4, in the order loaded:" \
  "dubstage.dme" "(the standard library; required at mix.lua:2)" \
  "dubstage.stems" "stdlib/dubstage/stems.lua  (the standard library; required at " "stdlib/dubstage/dme.lua:" \
  "house.dx" "$W/studio/house/dx.lua  (--lib ../studio; required at mix.lua:4)"; then
  ok "--lib: a module in another folder is required; info lists each module, its file and where it came from"
else notok "--lib: a module in another folder is required; info lists it" "exit $rc; lacks '$missing'"; fi

ds info mix.lua --lib ../studio2 --lib ../studio
if [ $rc -eq 0 ] && has "bus 'FROM_studio2'" && ! has "FROM_studio'"; then
  ok "--lib repeated: the folders are searched in the order given, the first holding the module wins"
else notok "--lib repeated: searched in order" "exit $rc"; fi

out=$(DUBSTAGE_LIB="../studio2:../studio" "$DS" info mix.lua 2>&1); rc=$?
if [ $rc -eq 0 ] && has "bus 'FROM_studio2'" "(DUBSTAGE_LIB ../studio2;"; then
  ok "DUBSTAGE_LIB: colon-separated folders, searched in order"
else notok "DUBSTAGE_LIB: colon-separated folders" "exit $rc; lacks '$missing'"; fi

out=$(DUBSTAGE_LIB="::../studio2:" "$DS" info mix.lua --lib ../studio 2>&1); rc=$?
if [ $rc -eq 0 ] && has "bus 'FROM_studio'" "(--lib ../studio;"; then
  ok "--lib folders come before DUBSTAGE_LIB's (empty entries skipped)"
else notok "--lib before DUBSTAGE_LIB" "exit $rc; lacks '$missing'"; fi

cp ../other/house/dx.lua house/dx.lua
ds info mix.lua --lib ../studio
if [ $rc -eq 0 ] && has "bus 'FROM_other'" "house/dx.lua  (the script's folder;"; then
  ok "the script's own folder comes before every --lib folder"
else notok "the script's folder first" "exit $rc; lacks '$missing'"; fi
rm -rf house

mkdir -p ../studio/dubstage
printf 'return { stems = function() return { dx = bus "HOUSE_DX" } end }\n' >../studio/dubstage/dme.lua
ds info mix.lua --lib ../studio
if [ $rc -eq 0 ] && has "bus 'HOUSE_DX'" "$W/studio/dubstage/dme.lua  (--lib ../studio;"; then
  ok "a --lib folder comes before the standard library (a studio's dubstage.dme shadows the shipped one)"
else notok "a --lib folder before the standard library" "exit $rc; lacks '$missing'"; fi
rm -rf ../studio/dubstage

ds render --quiet mix.lua --lib ../studio
if [ $rc -eq 0 ] && [ -s out/DX.wav ]; then ok "render --lib: renders with the module"
else notok "render --lib: renders with the module" "exit $rc"; fi
rm -rf out

# a module required by a module in a --lib folder is searched for the same way
printf 'local e = require "house.extra"\nreturn { bus = function() return e.only() end }\n' >../studio/house/dx.lua
ds info mix.lua --lib ../studio --lib ../studio2
if [ $rc -eq 0 ] && has "bus 'STUDIO2_ONLY'" "house.extra" "(--lib ../studio2; required at $W/studio/house/dx.lua:1)"; then
  ok "a module's own require searches the same folders, and info says which line required it"
else notok "a module's own require" "exit $rc; lacks '$missing'"; fi
(cd .. && mod studio)

# ---- errors ------------------------------------------------------------------------------

ds info mix.lua
if [ $rc -eq 1 ] && has "mix.lua:4: module 'house.dx' not found" "no file 'house/dx.lua'" "stdlib/house/dx.lua"; then
  ok "without --lib the module is not found: the files tried are listed"
else notok "without --lib: not found" "exit $rc; lacks '$missing'"; fi

ds info mix.lua --lib ../nowhere
if [ $rc -eq 1 ] && has "--lib '../nowhere': no such folder"; then ok "--lib of a missing folder: an error naming it"
else notok "--lib of a missing folder" "exit $rc; lacks '$missing'"; fi

out=$(DUBSTAGE_LIB=../nowhere "$DS" info mix.lua 2>&1); rc=$?
if [ $rc -eq 1 ] && has "DUBSTAGE_LIB '../nowhere': no such folder"; then
  ok "DUBSTAGE_LIB with a missing folder: an error naming the variable and the folder"
else notok "DUBSTAGE_LIB with a missing folder" "exit $rc; lacks '$missing'"; fi

ds info mix.lua --lib mix.lua
if [ $rc -eq 1 ] && has "--lib 'mix.lua' is not a folder"; then ok "--lib of a file: an error"
else notok "--lib of a file" "exit $rc; lacks '$missing'"; fi

ds info mix.lua --lib
if [ $rc -eq 2 ] && has "option --lib needs a folder"; then ok "--lib without a folder: a usage error"
else notok "--lib without a folder" "exit $rc; lacks '$missing'"; fi

ds info mix.lua --lbi ../studio
if [ $rc -eq 2 ] && has "did you mean --lib?"; then ok "a misspelt --lib gets did-you-mean"
else notok "a misspelt --lib" "exit $rc; lacks '$missing'"; fi

# every command that runs a script takes it (play and repl fail on the folder before any device)
for cmd in check automation play repl; do
  ds "$cmd" mix.lua --lib ../nowhere
  if has "--lib '../nowhere': no such folder"; then ok "$cmd takes --lib"
  else notok "$cmd takes --lib" "exit $rc; lacks '$missing'"; fi
done

# ---- the sandbox's rules -------------------------------------------------------------------

ln -s ../../outside/evil.lua ../studio/house/evil.lua
printf 'session { rate = 48000, length = 1 }\nlocal e = require "house.evil"\n' >k.lua
ds info k.lua --lib ../studio
if [ $rc -eq 1 ] && has "k.lua:2:" "leads to '$W/outside/evil.lua'" "the library folders (--lib, DUBSTAGE_LIB)" &&
   ! has PWNED; then
  ok "a module in a --lib folder linked outside every allowed folder is refused (and never runs)"
else notok "a module linked outside every allowed folder" "exit $rc; lacks '$missing'"; fi

ln -s ../../studio2/house/extra.lua ../studio/house/inner.lua
printf 'session { rate = 48000, length = 1 }\nlocal e = require "house.inner"\ne.only()\n' >k.lua
ds info k.lua --lib ../studio --lib ../studio2
if [ $rc -eq 0 ] && has "bus 'STUDIO2_ONLY'"; then
  ok "a module linked from one --lib folder into another is allowed (the file reached is inside)"
else notok "a link between --lib folders" "exit $rc; lacks '$missing'"; fi
ds info k.lua --lib ../studio
if [ $rc -eq 1 ] && has "leads to '$W/studio2/house/extra.lua'"; then
  ok "... and refused when that other folder is not a --lib folder"
else notok "a link into a folder not given" "exit $rc; lacks '$missing'"; fi

for name in "../studio/house/dx" "house..dx" ".house.dx" "$W/studio/house/dx"; do
  printf 'session { rate = 48000, length = 1 }\nlocal m = require "%s"\n' "$name" >k.lua
  ds info k.lua --lib ../studio
  if [ $rc -eq 1 ] && has "k.lua:2:" "a path is not a module name"; then ok "require \"$name\" refused with --lib too"
  else notok "require \"$name\" refused" "exit $rc; lacks '$missing'"; fi
done

# read-only: a module file is an input, never written, even with --allow-paths
before=$(md5sum ../studio/house/dx.lua)
printf 'session { rate = 48000, length = 1 }\nlocal m = require "house.dx"\nio.open("%s", "w"):write("x")\n' \
  "$W/studio/house/dx.lua" >k.lua
ds info k.lua --lib ../studio
if [ $rc -eq 1 ] && has "k.lua:3:" "outside the script's folder" && [ "$(md5sum ../studio/house/dx.lua)" = "$before" ]; then
  ok "a --lib module cannot be written by the script"
else notok "a --lib module cannot be written" "exit $rc; lacks '$missing'"; fi
ds info k.lua --lib ../studio --allow-paths
if [ $rc -eq 1 ] && has "k.lua:3:" "it is module" "never overwrites" && [ "$(md5sum ../studio/house/dx.lua)" = "$before" ]; then
  ok "... nor with --allow-paths (it is an input)"
else notok "a --lib module cannot be written with --allow-paths" "exit $rc; lacks '$missing'"; fi
printf 'session { rate = 48000, length = 1 }\nlocal m = require "house.dx"\nlocal b = m.bus()\ntrack "T" { to = b }:clip { "media/tone.wav", at = 0 }\noutput { "%s", from = b }\n' \
  "$W/studio/house/dx.lua" >k.lua
ds render --quiet k.lua --lib ../studio --allow-paths
if [ $rc -eq 1 ] && has "k.lua:5:" "is the file of module" && [ "$(md5sum ../studio/house/dx.lua)" = "$before" ]; then
  ok "an output over a --lib module is refused (--allow-paths)"
else notok "an output over a --lib module" "exit $rc; lacks '$missing'"; fi

# ---- the check manifest hashes the modules ------------------------------------------------------

cat >c.lua <<'EOF'
session { rate = 48000, length = 1 }
local from = require("house.dx").bus()
track "T" { to = from }:clip { "media/tone.wav", at = 0 }
deliver { "out/c.wav", from = from, spec = { name = "any", true_peak = { max = 0 } } }
EOF
ds check c.lua --lib ../studio
first=$rc
sleep 2.1 # past the manifest's settle time, so the second check trusts the identities
ds check c.lua --lib ../studio
if [ $first -eq 0 ] && [ $rc -eq 0 ] && has "reused the last"; then
  printf -- '-- a comment\n' >>../studio/house/dx.lua
  ds check c.lua --lib ../studio
  if [ $rc -eq 0 ] && has "rendered" "changed: '" "studio/house/dx.lua"; then
    ok "check: a --lib module edited makes the next check render again, naming it"
  else notok "check: a --lib module edited renders again" "exit $rc; lacks '$missing'"; fi
  ds check c.lua --lib ../studio2
  if [ $rc -eq 0 ] && has "rendered" "studio2/house/dx.lua"; then
    ok "check: another --lib folder (another module file) renders again"
  else notok "check: another --lib folder renders again" "exit $rc; lacks '$missing'"; fi
else notok "check with a --lib module: reused when nothing changed" "exit $first/$rc"; fi

# ---- the render manifest names each module and hashes its file -------------------------------

ds render --quiet c.lua --lib ../studio
out=$(python3 - "$W/studio/house/dx.lua" "$(sha256sum ../studio/house/dx.lua | cut -d' ' -f1)" <<'PY' 2>&1
import json, sys
m = json.load(open("out/c.manifest.json"))
mods = {x["name"]: x for x in m["modules"]}
ins = {x["path"]: x["sha256"] for x in m["inputs"]}
x = mods.get("house.dx", {})
print("path" if x.get("path") == sys.argv[1] else "PATH %r" % x.get("path"),
      "from" if x.get("found_in") == "--lib ../studio" else "FROM %r" % x.get("found_in"),
      "hash" if ins.get(sys.argv[1]) == sys.argv[2] else "HASH %r" % ins.get(sys.argv[1]))
PY
)
if [ $rc -eq 0 ] && has "path from hash"; then
  ok "the render manifest lists the module, its file and folder, and hashes the file (as sha256sum does)"
else notok "the render manifest lists the module" "exit $rc; $out"; fi
