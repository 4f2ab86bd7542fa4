-- dubstage.stems - the stem layouts a delivery asks for, in one call: the
-- stems (DME: dialogue, music, effects; DME+: the effects split further
-- into hard effects, Foley and backgrounds) summed into a printmaster, and
-- the M&E (music and effects, no dialogue: the foreign-version track) built
-- from the same stem buses, so it is exactly the printmaster without the
-- dialogue. An output for each.
--
--   session { rate = 48000, length = 4 }
--   local stems = require "dubstage.stems"
--   local s = stems.layout { "DME+", layout = "5.1", folder = "out", prefix = "R1_" }
--   track "DIA 1" { channels = 1, to = s.dx }:clip { "media/dx/1st-v-ven.ogg", at = 0.5 }
--   track "SCORE" { channels = 2, to = s.mx }:clip { "media/mx/underground.ogg", at = 0, from = 34 }
--   track "AMB" { channels = 2, to = s.bg }:clip { "media/amb/minepump03.ogg", at = 0, from = 40 }
--   s.mx.gain = -3                                   -- the buses are the script's
--   -- writes out/R1_printmaster.wav, out/R1_ME.wav, out/R1_DX.wav, ... (5.1)
--
-- stems.layout { KIND, ... }, KIND "DME" (the default) or "DME+":
--
--   layout   the buses' speakers: "stereo" (default), "5.1", or any layout
--            word a bus takes ("LCR", "7.1", ...); `channels` instead for
--            plain channels
--   folder   where the files go ("out"); prefix before each name ("")
--   format   the outputs' format ("wav24")
--   me       true (default): the ME bus and its file; false: none
--   stems    true (default): a file per stem; false: printmaster and M&E only
--   names    { dx = "DIAL", ... }: other bus and file names
--
-- Returns { pm, me, dx, mx, fx (, fol, bg for DME+), files = { pm = ...,
-- me = ..., dx = ... } }: the buses and the files written from them. The stems are buses
-- that feed the printmaster; every non-dialogue stem also feeds ME. Route
-- tracks into the stems, never straight into PM or ME, or the M&E stops
-- being the printmaster less the dialogue.
local recipe = require "dubstage.recipe"

local M = {}

-- Each kind: its stems in order, each with the bus name and whether it is
-- dialogue (kept out of the M&E).
M.kinds = {
  DME = {
    { key = "dx", name = "DX", dialogue = true },
    { key = "mx", name = "MX" },
    { key = "fx", name = "FX" },
  },
  ["DME+"] = {
    { key = "dx", name = "DX", dialogue = true },
    { key = "mx", name = "MX" },
    { key = "fx", name = "FX" },   -- hard and design effects
    { key = "fol", name = "FOL" }, -- Foley
    { key = "bg", name = "BG" },   -- backgrounds (ambiences)
  },
}
local kind_names = { "DME", "DME+" }
local option_names = { "layout", "channels", "folder", "prefix", "format", "me", "stems", "names" }

function M.layout(opts)
  local r = M.build(opts, "stems.layout", 3) -- not a tail call: its frame counts in the level
  return r
end

-- The work of stems.layout, for a module built on it (dubstage.dme): what
-- names the caller in messages, level the user's line counted from here
-- (1 is this function, 2 its caller, ...).
function M.build(opts, what, level)
  check_options(opts, option_names, what, level, 1)
  opts = opts or {}
  local kind = opts[1] or "DME"
  check_word(kind, kind_names, what, "kind", level)
  local stems = M.kinds[kind]
  local keys = { "pm", "me" }
  for _, st in ipairs(stems) do keys[#keys + 1] = st.key end
  check_options(opts.names, keys, what .. " names", level)
  local names = opts.names or {}
  local folder = opts.folder or "out"
  local prefix = opts.prefix or ""
  local format = opts.format or "wav24"
  local width = opts.channels and { channels = opts.channels } or { layout = opts.layout or "stereo" }
  local function shape(t)
    for k, v in pairs(width) do t[k] = v end
    return t
  end
  local b = recipe.call(level, function()
    local r = { files = {} }
    r.pm = bus(names.pm or "PM", shape {})
    if opts.me ~= false then r.me = bus(names.me or "ME", shape {}) end
    for _, st in ipairs(stems) do
      local to = (st.dialogue or not r.me) and { r.pm } or { r.pm, r.me }
      r[st.key] = bus(names[st.key] or st.name, shape { to = to })
    end
    local function out(key, file)
      r.files[key] = folder .. "/" .. prefix .. file .. ".wav"
      output { r.files[key], from = r[key], format = format }
    end
    out("pm", "printmaster")
    if r.me then out("me", names.me or "ME") end
    if opts.stems ~= false then
      for _, st in ipairs(stems) do out(st.key, names[st.key] or st.name) end
    end
    return r
  end)
  return b
end

return M
