#!/bin/sh
# recipe_checks.sh - the core's checks as a recipe calls them (check_options,
# check_word, did_you_mean: docs/language.md "Checks for recipes"), and every
# recipe module's bad options: the message is the core's (did-you-mean, the
# list of valid names) and names the line of the user's script that called
# the recipe, not a line inside the module.
T=recipe_checks
. tests/render/lib/common.sh
. "$OLDPWD/tests/render/lib/recipes.sh"

# expect_line NAME LINE WORD... : $DS info mix.lua fails with "mix.lua:LINE:" and every WORD
expect_line() {
  name=$1 line=$2
  shift 2
  out=$("$DS" info mix.lua 2>&1)
  rc=$?
  if [ $rc -eq 0 ]; then notok "$name" "the script ran"
  elif ! has "mix.lua:$line:" "$@"; then notok "$name" "message lacks '$missing'"
  else ok "$name"; fi
}

# a module of the user's own, next to the script, checking with the core's rules
cat > house.lua <<'LUA'
local M = {}
function M.chain(strip, opts)
  check_options(opts, { "freq", "gain", "q" }, "house.chain", 2)
  return strip:eq { "peak", freq = opts.freq or 3000, gain = opts.gain or 2 }
end
function M.kind(word) return check_word(word, { "soft", "hard" }, "house.kind", "kind", 2) end
function M.positional(opts) check_options(opts, { "x" }, "house.positional", 2, 1) end
return M
LUA
cat > mix.lua <<'LUA'
local house = require "house"
local t = track "T" { channels = 1 }
house.chain(t, { freq = 2000, gian = 3 })
LUA
expect_line "check_options: an unknown key names the caller's line and the closest option" 3 \
  "unknown option 'gian' for house.chain; did you mean 'gain'? (options: freq, gain, q)"
sed -i 's/gian = 3/qq = 1, gian = 3, zzzzzz = 1/' mix.lua
expect_line "check_options: several unknown keys, sorted, each with its suggestion (the core's message)" 3 \
  "unknown options 'gian' (did you mean 'gain'?), 'qq' (did you mean 'q'?), 'zzzzzz' for house.chain"
printf 'local house = require "house"\nhouse.kind("sfot")\n' > mix.lua
expect_line "check_word: a misspelt word gets the closest one and the list" 2 \
  "house.kind: unknown kind 'sfot'; did you mean 'soft'? (kinds: soft, hard)"
printf 'local house = require "house"\nassert(house.kind("hard") == 2)\nhouse.kind(3)\n' > mix.lua
expect_line "check_word: returns the index of a good word; a non-string is refused" 3 "house.kind: kind must be a string"
printf 'local house = require "house"\nhouse.positional { 1, x = 2 }\nhouse.positional { 1, 2 }\n' > mix.lua
expect_line "check_options: positional values up to the count given" 3 "unexpected value at position 2 in house.positional options"
printf 'local house = require "house"\nhouse.chain(track "T", "loud")\n' > mix.lua
expect_line "check_options: options that are not a table" 2 "house.chain takes a table of options (got string)"
printf 'check_options({ a = 1 }, { "b" }, "x", 0)\n' > mix.lua
out=$("$DS" info mix.lua 2>&1)
if has "unknown option 'a' for x" && ! has "mix.lua:1:"; then ok "check_options: level 0 names no line"
else notok "check_options: level 0 names no line" "got: $out"; fi
printf 'local a, b = did_you_mean("treshold", { "ratio", "threshold" }), did_you_mean("zzz", { "ratio" })\nassert(a == "threshold" and b == nil)\nerror("fine", 0)\n' > mix.lua
out=$("$DS" info mix.lua 2>&1)
if has "fine" && ! has "assertion"; then ok "did_you_mean returns the closest name, or nil when none is close"
else notok "did_you_mean returns the closest name" "got: $out"; fi

# the recipe modules: MODULE CALL WORDS...
recipe_error() {
  name=$1 call=$2
  shift 2
  printf 'session { rate = 48000, length = 1 }\nlocal t = track "T" { channels = 1 }\nlocal b = bus "B"\n%s\n' "$call" > mix.lua
  expect_line "$name" 4 "$@"
}
recipe_error "futz: a misspelt kind" 'require("dubstage.futz").apply(t, "telefone")' \
  "futz.apply: unknown kind 'telefone'; did you mean 'telephone'? (kinds: telephone, radio, walkie, tv)"
recipe_error "futz: a misspelt option" 'require("dubstage.futz").telephone(t, { stpo = 40 })' \
  "unknown option 'stpo' for futz.telephone; did you mean 'stop'?"
recipe_error "futz: a misspelt option in a sub-table" 'require("dubstage.futz").tv(t, { room = { rt06 = 1 } })' \
  "unknown option 'rt06' for futz.tv room; did you mean 'rt60'?"
recipe_error "futz: a core call's range error names the user's line" 'require("dubstage.futz").tv(t, { room = { mix = 400 } })' \
  "reverb on track 'T': 'mix' = 400 is out of range (0 to 100)"
recipe_error "futz: not a strip" 'require("dubstage.futz").radio("T")' \
  "futz.radio: the first value must be a track or bus (got string)"
recipe_error "dialogue: a misspelt preset" 'require("dubstage.dialogue").chain(t, "laav")' \
  "dialogue.chain: unknown preset 'laav'; did you mean 'lav'? (presets: boom, interview, lav)"
recipe_error "dialogue: a misspelt setting of the de-esser" 'require("dubstage.dialogue").chain(t, "boom", { deesser = { treshold = -30 } })' \
  "unknown option 'treshold' for dialogue.chain deesser; did you mean 'threshold'?"
recipe_error "dialogue: a misspelt option" 'require("dubstage.dialogue").chain(t, nil, { presense = false })' \
  "unknown option 'presense' for dialogue.chain; did you mean 'presence'?"
recipe_error "dialogue: a core range error names the user's line" 'require("dubstage.dialogue").chain(t, "lav", { highpass = { freq = 5 } })' \
  "out of range"
recipe_error "key_filter: a misspelt key in the core's key filter" 't:compressor { key_filter = { 5000, 9000, ordr = 8 } }' \
  "unknown option 'ordr' for compressor on track 'T' key_filter; did you mean 'order'?"
recipe_error "key_filter: an order out of range" 't:compressor { key_filter = { 5000, 9000, order = 9 } }' \
  "'order' = 9 is out of range (1 to 8)"
recipe_error "stems: a misspelt option" 'require("dubstage.stems").layout { "DME+", lyaout = "5.1" }' \
  "unknown option 'lyaout' for stems.layout; did you mean 'layout'?"
recipe_error "stems: an unknown kind" 'require("dubstage.stems").layout { "DEM" }' \
  "stems.layout: unknown kind 'DEM'; did you mean 'DME'? (kinds: DME, DME+)"
recipe_error "stems: a misspelt stem in names" 'require("dubstage.stems").layout { names = { dxx = "DIAL" } }' \
  "unknown option 'dxx' for stems.layout names; did you mean 'dx'?"
recipe_error "stems: a core error (a bad format) names the user's line" 'require("dubstage.stems").layout { format = "wav42" }' \
  "unknown format 'wav42'; did you mean 'wav24'?"
recipe_error "dme: a misspelt option" 'require("dubstage.dme").stems { prefx = "R1_" }' \
  "unknown option 'prefx' for dme.stems; did you mean 'prefix'?"
recipe_error "tc: a misspelt reels option" 'require("dubstage.tc").reels { gpa = 1, { "R1", length = 10 } }' \
  "unknown option 'gpa' for tc.reels; did you mean 'gap'?"
recipe_error "tc: a misspelt reel option" 'require("dubstage.tc").reels { { "R1", lenght = 10 } }' \
  "unknown option 'lenght' for tc.reels reel 1; did you mean 'length'?"
recipe_error "tc: an unknown reel" 'local r = require("dubstage.tc").reels { { "R1", length = 10 } } r.at("R11", 0)' \
  "tc.reels at: unknown reel 'R11'; did you mean 'R1'? (reels: R1)"
recipe_error "timebase: not a time" 'timebase.samples("1 minute")' "bad value for 'time' in timebase.samples"
recipe_error "fades: a misspelt curve" 'require("dubstage.fades").crossfade(t, { { "x.wav", at = 0, length = 1 } }, { curve = "s_cruve" })' \
  "fades.crossfade: unknown curve 's_cruve'; did you mean 's_curve'? (curves: equal_power, s_curve, linear)"
recipe_error "fades: a misspelt edit option" 'require("dubstage.fades").crossfade(t, { { "x.wav", at = 0, lenght = 1 } })' \
  "unknown option 'lenght' for fades.crossfade edit 1; did you mean 'length'?"
recipe_error "fades: no handle before an in point" 'require("dubstage.fades").crossfade(t, { { "x.wav", at = 0, length = 1 }, { "x.wav", from = 0.1 } })' \
  "fades.crossfade: edit 2 has 4800 samples of handle before its in point (from), the crossfade needs 12000"
recipe_error "fills: a misspelt option" 'require("dubstage.fills").room_tone(t, {}, { "x.wav", loop = 4, crosfade = 1 })' \
  "unknown option 'crosfade' for fills.room_tone; did you mean 'crossfade'?"
recipe_error "fills: a loop too short for its fades" 'require("dubstage.fills").room_tone(t, {}, { "x.wav", loop = 0.5 })' \
  "fills.room_tone: loop (24000 samples) must be at least 2 x crossfade + overlap (52800 samples)"
recipe_error "fills: checkerboard needs two tracks" 'require("dubstage.fills").checkerboard({ t }, {})' \
  "fills.checkerboard: give two or more tracks"
