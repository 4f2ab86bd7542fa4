#!/bin/sh
# editors.sh - the editor files (docs/editors.md) against the engine:
#   - editors/dubstage.luacheckrc is what scripts/make-editor-files.sh makes
#     from the engine now (byte for byte), and its globals are the names the
#     engine gives a script (editors/probe.lua run by build/dubstage);
#   - the language-server stubs (editors/meta/*.lua) parse (luac5.4 -p),
#     declare every global of the language that stock Lua 5.4 lacks, exactly
#     the sandbox's io and os, and each handle's fields and methods as the
#     engine lists them in its own error messages, and no others
#     (tests/render/lib/editor_names.lua);
#   - luacheck with the standard passes scripts/demo.lua, scripts/demo51.lua
#     and the standard library's modules, and on a script with a misspelt
#     global (`trak`), an unused local and `os.execute` names each at its
#     line and column (the doc examples: tests/render/doc_examples.sh).
# Runs from the repository root; DUBSTAGE is the binary.
T=editors
root=$(pwd)
. tests/render/lib/common.sh
for tool in luacheck luac5.4 lua5.4; do
  command -v $tool >/dev/null 2>&1 || { echo "not ok - $T: $tool is missing (make deps: lua-check, lua5.4)"; exit 1; }
done
rc_file=$root/editors/dubstage.luacheckrc

# ---- the luacheck standard is the engine's ----------------------------------------------------

out=$(cd "$root" && DUBSTAGE=$DS scripts/make-editor-files.sh --print 2>&1)
if [ "$out" = "$(cat "$rc_file")" ]; then
  ok "editors/dubstage.luacheckrc is what scripts/make-editor-files.sh makes from the engine now"
else
  out=$(printf '%s\n' "$out" | diff "$rc_file" - | head -8)
  notok "editors/dubstage.luacheckrc is up to date" "it differs from the engine's names (run scripts/make-editor-files.sh)"
fi

cp "$root/editors/probe.lua" .
sox -n -r 48000 -c 2 -b 16 probe.wav synth 0.05 sine 440 vol 0.5 || exit 1
printf 'name,timecode\nA,00:00:00:01\n' >probe.csv
"$DS" info probe.lua 2>/dev/null | grep -E '^(global|field|method) ' >probe.out
if [ "$(grep -c '^global ' probe.out)" -gt 50 ] && grep -q '^global track$' probe.out &&
   grep -q '^method param ramp$' probe.out && grep -q '^field clip finish$' probe.out; then
  ok "the probe lists the engine's globals, fields and methods ($(wc -l <probe.out) names)"
else notok "the probe lists the engine's names" "$(wc -l <probe.out) lines"; fi

# ---- the language-server stubs ----------------------------------------------------------------

for f in "$root"/editors/meta/*.lua; do
  out=$(luac5.4 -p -o /dev/null "$f" 2>&1)
  if [ $? -eq 0 ] && head -1 "$f" | grep -q '^---@meta'; then ok "editors/meta/$(basename "$f") parses and starts with ---@meta"
  else notok "editors/meta/$(basename "$f") parses" "luac5.4 -p failed or no ---@meta line"; fi
done
lua5.4 "$root/tests/render/lib/editor_names.lua" probe.out "$rc_file" "$root"/editors/meta/*.lua

# ---- luacheck with the standard ---------------------------------------------------------------

lint() { out=$(luacheck --no-color --codes --config "$rc_file" "$@" 2>&1); rc=$?; }
lint "$root/scripts/demo.lua" "$root/scripts/demo51.lua" "$root"/stdlib/dubstage/*.lua
if [ $rc -eq 0 ] && has "0 warnings / 0 errors"; then
  ok "luacheck passes the demos and the standard library's modules"
else notok "luacheck passes the demos and the standard library" "exit $rc"; fi

cat >bad.lua <<'EOF'
session { rate = 48000 }
local pm = bus "PM"
local unused = track "X" { to = pm }
trak "DIA" { to = pm }
os.execute("rm -rf /")
output { "out/pm.wav", from = pm, format = "wav24" }
EOF
lint bad.lua
if [ $rc -eq 1 ] && has "bad.lua:3:7: (W211) unused variable 'unused'" "bad.lua:4:1: (W113) accessing undefined variable 'trak'" \
   "bad.lua:5:1: (W143) accessing undefined field 'execute' of global 'os'" "3 warnings"; then
  ok "luacheck flags a misspelt global (trak), an unused local and os.execute, each at its line"
else notok "luacheck flags trak, an unused local and os.execute" "exit $rc; lacks '$missing'"; fi

printf 'session { rate = 48000 }\nsession = nil\n' >assign.lua
lint assign.lua
if [ $rc -eq 1 ] && has "assign.lua:2:1: (W121) setting read-only global variable 'session'"; then
  ok "luacheck flags a script overwriting the language's globals"
else notok "luacheck flags overwriting a global" "exit $rc; lacks '$missing'"; fi
