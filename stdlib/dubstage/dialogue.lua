-- dubstage.dialogue - the production-dialogue chain a dialogue track gets
-- on most shows: a high-pass for rumble, a cut of the mic's boxiness, a
-- leveling compressor, a presence lift, and a de-esser last (a compressor
-- keyed on the 5-9 kHz band, so it acts on sibilance and not on vowels).
--
--   session { rate = 48000, length = 6 }
--   local dialogue = require "dubstage.dialogue"
--   local pm = bus "PM"
--   local boom = track "BOOM" { channels = 1, to = pm, gain = -2 }
--   boom:clip { "media/dx/pot-v-plav.ogg", at = 0.5, gain = -7.5 }
--   local n = dialogue.chain(boom, "boom", { deesser = { threshold = -36 } })
--   n.leveler.ratio:set { at = 3, to = 4 }           -- the nodes are the script's
--   output { "out/boom.wav", from = pm }
--
-- dialogue.chain(strip, preset, opts): preset "interview", "boom" or "lav"
-- (nil: "interview"); the presets are data (dialogue.presets.boom ...) and
-- opts override their keys, a table one setting at a time:
--
--   highpass  { freq, order }: the rumble filter (Butterworth), or false
--   body      { freq, gain, q }: a peak cut of boxiness, or false
--   leveler   compressor options: the leveling compressor, or false
--   presence  { freq, gain, q }: a peak lift for intelligibility, or false
--   deesser   { threshold, ratio, attack, release, band = { low, high }, order }:
--             a compressor whose detector hears only `band` (through
--             Butterworth filters of `order`), or false
--
-- The thresholds assume dialogue at about -24 LUFS into the chain (as the
-- demo's clip gains set it). Returns { highpass, body, leveler, presence,
-- deesser }: the inserts (those present), in that order on the strip.
local recipe = require "dubstage.recipe"

local M = {}

M.presets = {
  -- a seated interview on a close mic: little to fix, a gentle level
  interview = {
    highpass = { freq = 80, order = 4 },
    body = { freq = 250, gain = -1.5, q = 1 },
    leveler = { threshold = -26, ratio = 2.5, knee = 6, attack = 0.01, release = 0.25, makeup = 2 },
    presence = { freq = 4000, gain = 2, q = 1 },
    deesser = { threshold = -34, ratio = 4, attack = 0.0005, release = 0.02, band = { 5000, 9000 }, order = 8 },
  },
  -- a boom over the set: more room and rumble, a thinner top to lift
  boom = {
    highpass = { freq = 100, order = 4 },
    body = false,
    leveler = { threshold = -28, ratio = 3, knee = 6, attack = 0.008, release = 0.2, makeup = 3 },
    presence = { freq = 3000, gain = 3, q = 0.9 },
    deesser = { threshold = -36, ratio = 3, attack = 0.0005, release = 0.02, band = { 5000, 9000 }, order = 8 },
  },
  -- a chest lav: boxy, bright sibilance, clothing noise low down
  lav = {
    highpass = { freq = 120, order = 4 },
    body = { freq = 450, gain = -3, q = 1.2 },
    leveler = { threshold = -26, ratio = 3, knee = 6, attack = 0.008, release = 0.2, makeup = 2 },
    presence = { freq = 5000, gain = 1.5, q = 1 },
    deesser = { threshold = -38, ratio = 5, attack = 0.0005, release = 0.02, band = { 5000, 9000 }, order = 8 },
  },
}

function M.chain(strip, preset, opts)
  recipe.check_strip("dialogue.chain", strip, 2)
  local o = recipe.options("dialogue.chain", M.presets, preset or "interview", opts, 2)
  local nodes = recipe.call(2, function()
    local n = {}
    if o.highpass then
      n.highpass = strip:eq { "highpass", freq = o.highpass.freq, order = o.highpass.order }
    end
    if o.body then n.body = strip:eq { "peak", freq = o.body.freq, gain = o.body.gain, q = o.body.q } end
    if o.leveler then n.leveler = strip:compressor(o.leveler) end
    if o.presence then
      n.presence = strip:eq { "peak", freq = o.presence.freq, gain = o.presence.gain, q = o.presence.q }
    end
    if o.deesser then
      local d = o.deesser
      n.deesser = strip:compressor { threshold = d.threshold, ratio = d.ratio, attack = d.attack,
                                     release = d.release, key_filter = { d.band[1], d.band[2], order = d.order } }
    end
    return n
  end)
  return nodes
end

return M
