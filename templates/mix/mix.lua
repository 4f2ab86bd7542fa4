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

local dme = require "dubstage.dme"
local dialogue = require "dubstage.dialogue"
local futz = require "dubstage.futz"

local cue = markers "markers.csv"

-- DX, MX and FX stems summed into a printmaster; each is written to out/
local stems = dme.stems { folder = "out", format = "wav24" }

-- production dialogue: the boom's chain (high-pass, body cut, leveler, presence, de-esser)
local dia = track "DIA" { channels = 1, to = stems.dx }
dialogue.chain(dia, "boom")
dia:clip { "media/dialogue.wav", at = cue "first line", fade_in = 0.01, fade_out = 0.05 }

-- the other side of a phone call, through the telephone futz
local phone = track "PHONE" { channels = 1, to = stems.dx }
futz.telephone(phone)
phone:clip { "media/phone.wav", at = cue "phone call" }

-- the score, ducked under the dialogue
local score = track "SCORE" { to = stems.mx, gain = -6 }
score:clip { "media/music.wav", at = "01:00:00:00", fade_out = 1 }
duck { score, under = stems.dx, depth = -8 }

track "DOOR" { to = stems.fx }:clip { "media/effects.wav", at = cue "door" }

-- judged after every render, and by `dubstage check` (docs/delivery.md)
deliver { stems.pm, spec = "ebu-r128" }
