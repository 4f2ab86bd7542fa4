-- dubstage.fades - crossfades over a list of cuts: edits laid end to end on
-- one track, each cut turned into a crossfade of the same length centred on
-- it (the outgoing clip runs on past the cut, the incoming one starts
-- before it, from the handles of their sources), placed to the sample.
--
--   session { rate = 48000, length = 16 }
--   local fades = require "dubstage.fades"
--   local pm = bus "PM"
--   local score = track "SCORE" { channels = 2, to = pm }
--   local clips = fades.crossfade(score, {
--     { "media/mx/underground.ogg", at = 0, from = 34, length = 5, fade_in = 1 },
--     { "media/mx/underground.ogg", from = 45, length = 5 },     -- at the cut: 5 s
--     { "media/mx/underground.ogg", from = 52, length = 5, fade_out = 2 },
--   }, { length = 0.5, curve = "equal_power" })
--   clips[2].gain = -2                               -- the clips are the script's
--   output { "out/score.wav", from = pm }
--
-- fades.crossfade(track, edits, opts): each edit is a clip's options (the
-- file first; from, length, gain, channel, fade_in of the first and
-- fade_out of the last); `at` is where the edit's first frame lands (the
-- cut into it), required on the first and by default the cut after the
-- edit before it. Every edit but the last needs `length`. opts:
--
--   length   the crossfade at each cut, a duration (default 0.5 s)
--   curve    "equal_power" (default: unrelated material keeps its power),
--            "s_curve" or "linear" (material that continues: the two gains
--            add up to 1, so a cut inside one recording vanishes)
--
-- At a cut at sample c the crossfade covers c - floor(L/2) to c + L - floor(L/2):
-- the outgoing clip's fade-out and the incoming clip's fade-in cover the
-- same L samples (the core's fades: g(t) + g(1 - t) over them). Each source
-- needs that many samples of handle past its out point and before its in
-- point (`from` at least L/2). Returns the clips, in the order of the edits.
local recipe = require "dubstage.recipe"

local M = {}

local edit_keys = { "at", "from", "length", "gain", "channel", "fade_in", "fade_out" }
local curves = { "equal_power", "s_curve", "linear" }

function M.crossfade(track, edits, opts)
  recipe.check_strip("fades.crossfade", track, 2)
  check_options(opts, { "length", "curve" }, "fades.crossfade", 2)
  opts = opts or {}
  local curve = opts.curve or "equal_power"
  check_word(curve, curves, "fades.crossfade", "curve", 2)
  if type(edits) ~= "table" or #edits == 0 then
    error("fades.crossfade: give the edits as a list: { { \"a.wav\", at = 0, length = 4 }, { \"b.wav\" }, ... }", 2)
  end
  local xf = timebase.duration(opts.length or 0.5)
  local before = xf // 2           -- samples of the crossfade before each cut
  local after = xf - before        -- and after it
  -- the cuts, in samples: each edit's in and out point on the timeline
  local cuts = {}
  for i, e in ipairs(edits) do
    check_options(e, edit_keys, ("fades.crossfade edit %d"):format(i), 2, 1)
    if type(e[1]) ~= "string" then
      error(("fades.crossfade: edit %d needs its file first"):format(i), 2)
    end
    local at
    if e.at ~= nil then at = timebase.samples(e.at)
    elseif i == 1 then error("fades.crossfade: the first edit needs at = where it starts", 2)
    else at = cuts[i - 1].out end
    if i > 1 and at ~= cuts[i - 1].out then
      error(("fades.crossfade: edit %d starts at sample %d, not on the cut out of edit %d (sample %d): "
        .. "a list of cuts is end to end"):format(i, at, i - 1, cuts[i - 1].out), 2)
    end
    local from = e.from ~= nil and timebase.duration(e.from) or 0
    if e.length == nil and i < #edits then
      error(("fades.crossfade: edit %d needs a length (the cut out of it)"):format(i), 2)
    end
    local length = e.length ~= nil and timebase.duration(e.length) or nil
    if i > 1 and from < before then
      error(("fades.crossfade: edit %d has %d samples of handle before its in point (from), the crossfade needs %d")
        :format(i, from, before), 2)
    end
    cuts[i] = { at = at, from = from, length = length, out = length and at + length }
  end
  local clips = recipe.call(2, function()
    local made = {}
    for i, e in ipairs(edits) do
      local c, first, last = cuts[i], i == 1, i == #edits
      local o = { e[1], gain = e.gain, channel = e.channel }
      local head = first and 0 or before
      local tail = last and 0 or after
      o.at = recipe.smp(c.at - head)
      o.from = recipe.smp(c.from - head)
      if c.length then o.length = recipe.smp(c.length + head + tail) end
      if first then o.fade_in = e.fade_in else o.fade_in = recipe.smp(xf) end
      if last then o.fade_out = e.fade_out else o.fade_out = recipe.smp(xf) end
      o.curve = curve -- the first edit's fade-in and the last's fade-out too
      made[i] = track:clip(o)
    end
    return made
  end)
  return clips
end

return M
