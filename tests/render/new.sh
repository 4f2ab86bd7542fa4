#!/bin/sh
# new.sh - `dubstage new DIR` (docs/recipes-sharing.md): the repository it
# starts is the template folder (templates/mix) byte for byte, with
# luacheck's standard as .luacheckrc and a .luarc.json naming this
# installation's stubs and standard library; its script renders once the
# media its media/README.md lists are there (short tones made with sox
# stand in, each at the name the script gives), loads the standard recipes
# from the standard library, and passes luacheck with the repository's own
# .luacheckrc. A folder that holds anything is refused and left as it was.
# Runs from the repository root; DUBSTAGE is the binary.
T=new
root=$(pwd)
. tests/render/lib/common.sh
template=$root/templates/mix

ds() {
  out=$("$DS" "$@" 2>&1)
  rc=$?
}
# leftovers: hidden folders `new` builds in, anywhere under the work folder
leftovers() { find "$W" -name '.*.new-*' | head -3; }

ds new shows/reel1
if [ $rc -eq 0 ] && has "started a mix repository in shows/reel1" && [ -f shows/reel1/mix.lua ]; then
  ok "new makes the folder and its parents, and says what to do next"
else notok "new makes the folder" "exit $rc; lacks '$missing'"; fi

missing_files=$(cd "$template" && find . -type f | while read -r f; do
  cmp -s "$f" "$W/shows/reel1/$f" || echo "$f"; done)
extra=$(cd shows/reel1 && find . -type f ! -name .luacheckrc ! -name .luarc.json | while read -r f; do
  [ -f "$template/$f" ] || echo "$f"; done)
if [ -z "$missing_files" ] && [ -z "$extra" ] && [ -f shows/reel1/.gitignore ] &&
   [ -f shows/reel1/.github/workflows/delivery.yml ] && [ -f shows/reel1/media/README.md ] && [ -f shows/reel1/markers.csv ]; then
  ok "the repository is the template folder, byte for byte (script, markers, media/README.md, .gitignore, CI job)"
else notok "the repository is the template folder" "differ or missing: $missing_files; extra: $extra"; fi

if cmp -s shows/reel1/.luacheckrc "$root/editors/dubstage.luacheckrc"; then
  ok ".luacheckrc is the shipped luacheck standard"
else notok ".luacheckrc is the shipped standard" "it differs"; fi

out=$(python3 -c '
import json, os, sys
c = json.load(open(sys.argv[1]))
lib = c["workspace.library"]
print("meta" if os.path.samefile(lib[0], sys.argv[2]) else "META?", "stdlib" if os.path.samefile(lib[1], sys.argv[3]) else "STDLIB?",
      c["runtime.version"], c["runtime.builtin"]["os"])' shows/reel1/.luarc.json "$root/editors/meta" "$root/stdlib" 2>&1)
if has "meta stdlib Lua 5.4 disable"; then
  ok ".luarc.json is JSON naming this installation's stubs and standard library"
else notok ".luarc.json names the stubs and the standard library" "$out"; fi

if grep -qx 'out/' shows/reel1/.gitignore; then ok ".gitignore keeps renders (out/) out of git"
else notok ".gitignore keeps out/ out of git" "no line 'out/'"; fi

if python3 -c 'import yaml' 2>/dev/null; then
  out=$(python3 -c '
import sys, yaml
w = yaml.safe_load(open(sys.argv[1]))
runs = " ".join(s.get("run", "") for s in w["jobs"]["check"]["steps"])
print("lint" if "luacheck" in runs else "LINT?", "check" if "dubstage check" in runs else "CHECK?")' \
    shows/reel1/.github/workflows/delivery.yml 2>&1)
  if has "lint check"; then ok "the CI job is YAML whose steps run luacheck and dubstage check"
  else notok "the CI job runs luacheck and dubstage check" "$out"; fi
else
  echo "skip - the CI job's YAML: python3's yaml module is not installed"
fi

# ---- the script renders with stand-in media --------------------------------------------------

cd shows/reel1 || exit 1
names=$(grep -o '"media/[^"]*"' mix.lua | tr -d '"' | sort -u)
for f in $names; do
  grep -q "$(basename "$f")" media/README.md || { notok "media/README.md lists what the script reads" "$f is not in it"; }
  sox -n -r 48000 -c 1 -b 24 "$f" synth 3 sine 1000 vol 0.3 fade 0.01 3 0.01 || exit 1
done
[ -n "$names" ] && ok "the script reads $(echo "$names" | wc -l) media files, each listed in media/README.md"

ds render mix.lua
outputs=$(ls out/*.wav 2>/dev/null | wc -l)
if [ $rc -eq 0 ] && [ "$outputs" -ge 5 ] && has "out/printmaster.wav" "out/ME.wav"; then
  ok "the generated script renders ($outputs outputs)"
else notok "the generated script renders" "exit $rc, $outputs outputs"; fi
silent=""
for f in out/*.wav; do
  rms=$(sox "$f" -n stat 2>&1 | awk '/RMS +amplitude/ { print $3 }')
  awk -v r="$rms" 'BEGIN { exit !(r > 0.001) }' || silent="$silent $f($rms)"
done
if [ -z "$silent" ] && [ "$outputs" -ge 4 ]; then ok "every output carries signal (RMS > -60 dBFS, sox stat)"
else notok "every output carries signal" "silent:$silent"; fi

ds info mix.lua
if [ $rc -eq 0 ] && has "dubstage.stems" "dubstage.dialogue" "dubstage.futz" "(the standard library; required at mix.lua:"; then
  ok "the script uses the standard recipes (stems, dialogue, futz), found in the standard library"
else notok "the script uses the standard recipes" "exit $rc; lacks '$missing'"; fi

if command -v luacheck >/dev/null 2>&1; then
  out=$(luacheck --no-color mix.lua 2>&1); rc=$?
  if [ $rc -eq 0 ] && has "0 warnings / 0 errors"; then ok "luacheck passes the script with the repository's .luacheckrc"
  else notok "luacheck passes the script" "exit $rc"; fi
else
  echo "not ok - luacheck is missing (make deps: lua-check)"
fi
cd "$W" || exit 1

# ---- refusals -----------------------------------------------------------------------------------

mkdir -p full/media && echo keep >full/notes.txt
before=$(cd full && find . | sort; cat notes.txt)
ds new full
if [ $rc -eq 1 ] && has "'full' is not empty" "leaves this one as it is" &&
   [ "$(cd full && find . | sort; cat notes.txt)" = "$before" ] && [ -z "$(leftovers)" ]; then
  ok "a folder that holds anything is refused and left exactly as it was"
else notok "a non-empty folder is refused" "exit $rc; lacks '$missing'; leftovers: $(leftovers)"; fi

mkdir -p hidden && touch hidden/.keep
ds new hidden
if [ $rc -eq 1 ] && has "is not empty"; then ok "a folder holding only a hidden file is not empty either"
else notok "a folder with a hidden file" "exit $rc"; fi

mkdir empty
ds new empty
if [ $rc -eq 0 ] && [ -f empty/mix.lua ] && [ -f empty/.luacheckrc ]; then ok "an empty folder is filled"
else notok "an empty folder is filled" "exit $rc"; fi

echo x >afile
ds new afile
if [ $rc -eq 1 ] && has "'afile' exists and is not a folder" && [ "$(cat afile)" = x ]; then
  ok "a file in the way is refused and kept"
else notok "a file in the way is refused" "exit $rc; lacks '$missing'"; fi

ds new
if [ $rc -eq 2 ] && has "new needs the folder to start"; then ok "new without a folder: a usage error"
else notok "new without a folder" "exit $rc; lacks '$missing'"; fi

ds nwe x
if [ $rc -eq 2 ] && has "did you mean 'new'?"; then ok "a misspelt new gets did-you-mean"
else notok "a misspelt new" "exit $rc; lacks '$missing'"; fi

if [ -z "$(leftovers)" ]; then ok "no hidden build folder is left behind"
else notok "no hidden build folder left" "$(leftovers)"; fi
