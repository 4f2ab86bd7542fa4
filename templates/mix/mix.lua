-- mix.lua - the mix of this repository, started by `dubstage new`.
--
--   dubstage render mix.lua      every output, into out/
--   dubstage check mix.lua       judge the deliverable (exit 1 when it misses its spec)
--   dubstage info mix.lua        the graph, and the modules the script loaded
--   luacheck mix.lua             lint (.luacheckrc knows the language)
--
-- The media it reads are listed in media/README.md; the cues in markers.csv.
-- The language: docs/language.md in dubstage; the recipes: docs/recipes.md.
session { rate = 48000, fps = "24", start = "01:00:00:00" }

local stems = require "dubstage.stems"
local dialogue = require "dubstage.dialogue"
local futz = require "dubstage.futz"

local cue = markers "markers.csv"

-- DX, MX and FX stems summed into a printmaster, and the M&E (music and
-- effects: the printmaster without the dialogue) for foreign versions; each
-- is written to out/
local s = stems.layout { "DME", folder = "out", format = "wav24" }

-- production dialogue: the boom's chain (high-pass, body cut, leveler, presence, de-esser)
local dia = track "DIA" { channels = 1, to = s.dx }
dialogue.chain(dia, "boom")
dia:clip { "media/dialogue.wav", at = cue "first line", fade_in = 0.01, fade_out = 0.05 }

-- the other side of a phone call, through the telephone futz
local phone = track "PHONE" { channels = 1, to = s.dx }
futz.telephone(phone)
phone:clip { "media/phone.wav", at = cue "phone call" }

-- the score, ducked under the dialogue
local score = track "SCORE" { to = s.mx, gain = -6 }
score:clip { "media/music.wav", at = "01:00:00:00", fade_out = 1 }
duck { score, under = s.dx, depth = -8 }

track "DOOR" { to = s.fx }:clip { "media/effects.wav", at = cue "door" }

-- judged after every render, and by `dubstage check` (docs/delivery.md)
deliver { s.pm, spec = "ebu-r128" }
