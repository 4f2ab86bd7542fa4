-- dubstage.futz - a voice heard through something: a telephone, a radio, a
-- walkie-talkie, a television across the room. Inserts on a track or bus
-- (usually a dialogue track of its own: the futzed lines).
--
--   session { rate = 48000, length = 4 }
--   local futz = require "dubstage.futz"
--   local pm = bus "PM"
--   local phone = track "PHONE" { channels = 1, to = pm }
--   phone:clip { "media/dx/1st-v-ven.ogg", at = 0.5 }
--   local f = futz.telephone(phone)                  -- the "telephone" preset
--   futz.apply(track "TV" { channels = 1, to = pm }, "tv", { room = { mix = 40 } })
--   f.squash.threshold:set { at = 2, to = -30 }      -- the nodes are the script's to adjust
--   output { "out/futz.wav", from = pm }
--
-- futz.apply(strip, kind, opts) with kind "telephone", "radio", "walkie" or
-- "tv"; futz.telephone(strip, opts), futz.radio, futz.walkie and futz.tv are
-- the same. The presets are data (futz.presets.telephone ...) and opts
-- override their keys:
--
--   band      { low_hz, high_hz }: outside it the response is at least
--             `stop` dB down (the filters are placed inside the band so that
--             it holds: see docs/recipes.md)
--   stop      the attenuation promised outside `band`, dB (a positive number)
--   order     the Butterworth order of each band edge filter, 1..8
--   stages    how many such filters at each edge (1 or 2)
--   squash    the line's compression: compressor options, or false
--   saturate  the line's distortion: saturator options ({ clip, mix }), or false
--   crush     a digital link's grit: bit crusher options ({ bits, rate }), or false
--   colour    a peak EQ in the band ({ freq, gain, q }), or false
--   room      a small room (the reverb insert's options), or false
--
-- Returns { squash, saturate, crush, low = { ... }, high = { ... }, colour,
-- room }: the compressor, the saturator, the bit crusher, the high-pass and
-- low-pass inserts of each edge, the EQ and the reverb (those present).
-- Order on the strip: squash, saturate, crush, then the band edges, the
-- colour, the room; so the harmonics the saturator makes and the aliases
-- of the crusher's sample-and-hold (and any folded back) are band-limited
-- after them.
local recipe = require "dubstage.recipe"

local M = {}

M.presets = {
  -- the narrowband telephone line (ITU-T G.712's 300-3400 Hz channel)
  telephone = {
    band = { 300, 3400 }, stop = 30, order = 8, stages = 2,
    squash = { threshold = -26, ratio = 6, attack = 0.003, release = 0.12, makeup = 6 },
    saturate = { clip = -16, mix = 100 },
    crush = false,
    colour = { freq = 1700, gain = 3, q = 1.2 },
    room = false,
  },
  -- a small AM or transistor radio speaker
  radio = {
    band = { 150, 5500 }, stop = 24, order = 4, stages = 1,
    squash = { threshold = -24, ratio = 4, attack = 0.005, release = 0.2, makeup = 4 },
    saturate = { clip = -18, mix = 100 },
    crush = { bits = 10, rate = 22050 },  -- a digital stream's small grit
    colour = { freq = 1200, gain = 4, q = 0.9 },
    room = false,
  },
  -- a handheld two-way radio: narrow, hard-squashed and honky
  walkie = {
    band = { 450, 2800 }, stop = 30, order = 8, stages = 2,
    squash = { threshold = -32, ratio = 12, attack = 0.001, release = 0.08, makeup = 10 },
    saturate = { clip = -24, mix = 100 },
    crush = { bits = 8, rate = 8000 },    -- a digital radio link: coarse steps, aliases folded into the band
    colour = { freq = 1500, gain = 6, q = 1.5 },
    room = false,
  },
  -- a television heard across a living room
  tv = {
    band = { 120, 9000 }, stop = 12, order = 2, stages = 1,
    squash = { threshold = -22, ratio = 3, attack = 0.01, release = 0.25, makeup = 2 },
    saturate = false,
    crush = false,
    colour = { freq = 900, gain = 3, q = 0.8 },
    room = { rt60 = 0.45, size = 5, predelay = 0.004, damping = 0.4, mix = 30 },
  },
}

local kinds = { "telephone", "radio", "walkie", "tv" }

-- The corner of `stages` Butterworth filters of `order` at each edge so that
-- an edge of the band is `stop` dB down: stages * 10 log10(1 + r^(2 order))
-- = stop, r the ratio of the edge to the corner.
local function corner_ratio(stop, order, stages)
  return (10 ^ (stop / (10 * stages)) - 1) ^ (1 / (2 * order))
end
M.corner_ratio = corner_ratio

function M.apply(strip, kind, opts)
  recipe.check_strip("futz.apply", strip, 2)
  check_word(kind, kinds, "futz.apply", "kind", 2)
  local n = M._apply(strip, kind, opts, "futz." .. kind, 3) -- not a tail call: it would hide this frame
  return n
end

-- level: of the user's line, counted from here
function M._apply(strip, kind, opts, what, level)
  local o = recipe.options(what, M.presets, kind, opts, level)
  local low, high = o.band[1], o.band[2]
  if type(low) ~= "number" or type(high) ~= "number" or not (low > 0 and high > low) then
    error(what .. ": band must be { low_hz, high_hz } with 0 < low < high", level)
  end
  if type(o.stop) ~= "number" or not (o.stop > 0 and o.stop <= 120) then
    error(what .. ": stop must be 0 to 120 dB (the attenuation outside the band)", level)
  end
  if o.stages ~= 1 and o.stages ~= 2 then
    error(what .. ": stages must be 1 or 2", level)
  end
  local r = corner_ratio(o.stop, o.order, o.stages)
  local nodes = recipe.call(level, function()
    local n = {}
    if o.squash then n.squash = strip:compressor(o.squash) end
    if o.saturate then n.saturate = strip:saturate(o.saturate) end
    if o.crush then n.crush = strip:bitcrush(o.crush) end
    n.low, n.high = {}, {}
    for i = 1, o.stages do
      n.low[i] = strip:eq { "highpass", freq = low * r, order = o.order }
      n.high[i] = strip:eq { "lowpass", freq = high / r, order = o.order }
    end
    if o.colour then
      n.colour = strip:eq { "peak", freq = o.colour.freq, gain = o.colour.gain, q = o.colour.q }
    end
    if o.room then n.room = strip:reverb(o.room) end
    return n
  end)
  return nodes
end

for _, k in ipairs(kinds) do
  M[k] = function(strip, opts)
    recipe.check_strip("futz." .. k, strip, 2)
    local n = M._apply(strip, k, opts, "futz." .. k, 3)
    return n
  end
end

return M
