-- dubstage.specs - delivery specs as data: what a deliverable is judged
-- against after every render and by `dubstage check` (docs/delivery.md).
--
--   -- fragment pm
--   deliver { "out/PM.wav", from = pm, spec = "ebu-r128" }        -- a spec by name
--   local specs = require "dubstage.specs"
--   deliver { "out/PM_tp2.wav", from = pm,
--             spec = specs.derive("ebu-r128", { true_peak = { max = -2 } }) }
--   deliver { "out/PM_house.wav", from = pm,                         -- a table of your own
--             spec = { name = "house", integrated = { target = -24, tolerance = 1 },
--                      true_peak = { max = -3 } } }
--
-- A spec is a table. Its measures, each optional:
--
--   integrated      programme loudness, LUFS (BS.1770-4 gated), on the deliverable
--   dialogue        the dialogue stem's integrated loudness, LUFS (the same gate),
--                   measured on the bus given as deliver's `dialogue`
--   true_peak       dBTP (4x oversampled), on the deliverable
--   loudness_range  LU (EBU Tech 3342), on the deliverable
--   max_momentary   the loudest 400 ms, LUFS
--   max_short_term  the loudest 3 s, LUFS
--
-- Each measure is a table of limits: `target` with `tolerance` (target +-
-- tolerance), and/or `min` and `max`; a measure with none of them (only a
-- `note`) is printed but not judged. Loudness values lie in -70..0 LUFS,
-- tolerances in 0..10 LU, true peak in -60..+6 dBTP, loudness range in
-- 0..60 LU. `name` is what the report prints; `title` and `note` say where
-- the numbers come from. A limit is met when the measured value, unrounded,
-- lies inside it: -22.46 LUFS misses max -22.5.
local M = {}

M["ebu-r128"] = {
  name = "ebu-r128",
  title = "EBU R 128 (2020): broadcast programmes",
  integrated = { target = -23, tolerance = 0.5,
                 note = "R 128 allows +-1 LU only for live programmes; +-0.5 LU is the file-based delivery" },
  true_peak = { max = -1 },
  loudness_range = { note = "reported, not judged: R 128 sets no maximum LRA for programmes in general" },
}

M["ebu-r128-s1"] = {
  name = "ebu-r128-s1",
  title = "EBU R 128 s1 (2016): short-form content (advertisements, promos, trailers)",
  integrated = { target = -23, tolerance = 0.5 },
  true_peak = { max = -1 },
  max_short_term = { max = -18, note = "R 128 s1: at most 5 LU above the target" },
  loudness_range = { note = "reported, not judged" },
}

M["atsc-a85"] = {
  name = "atsc-a85",
  title = "ATSC A/85:2013 (US broadcast, the CALM Act)",
  integrated = { target = -24, tolerance = 2,
                 note = "LKFS = LUFS; measured on the whole programme with the gated BS.1770 meter" },
  true_peak = { max = -2 },
  loudness_range = { note = "reported, not judged" },
}

M["streaming-14"] = {
  name = "streaming-14",
  title = "streaming at -14 LUFS (the level Spotify, YouTube and Tidal normalise to)",
  integrated = { target = -14, tolerance = 1,
                 note = "the platforms turn a file down to their level themselves; +-1 LU is our choice "
                     .. "of tolerance, as the platforms publish a target, not a window" },
  true_peak = { max = -1 },
  loudness_range = { note = "reported, not judged" },
}

M["streaming-16"] = {
  name = "streaming-16",
  title = "streaming at -16 LUFS (Apple Music's Sound Check level; the AES TD1004 ceiling for streaming)",
  integrated = { target = -16, tolerance = 1, note = "+-1 LU is our choice of tolerance, as for streaming-14" },
  true_peak = { max = -1 },
  loudness_range = { note = "reported, not judged" },
}

M["dialogue-27"] = {
  name = "dialogue-27",
  title = "dialogue-anchored: dialogue at -27 LKFS +-2, printmaster -2 dBTP (streaming originals)",
  dialogue = { target = -27, tolerance = 2,
               note = "measured on the dialogue stem with the BS.1770 gate, standing in for a speech "
                   .. "classifier's dialogue gating (docs/delivery.md)" },
  true_peak = { max = -2 },
  integrated = { note = "reported, not judged: the programme level follows from the dialogue" },
  loudness_range = { note = "reported, not judged" },
}

-- A copy of a spec (a name above or a table) with changes: each measure in
-- `changes` is merged into the base's (its target, tolerance, min, max or
-- note replaced; false removes one), other keys replaced; a measure or key
-- set to false is removed. The copy is named changes.name, or the base's
-- name with " (derived)".
--   specs.derive("ebu-r128", { true_peak = { max = -2 }, loudness_range = { max = 20 } })
function M.derive(base, changes)
  local b = base
  if type(base) == "string" then
    b = M[base]
    if type(b) ~= "table" or base == "derive" then
      error(("specs.derive: no spec named '%s'"):format(base), 2)
    end
  elseif type(base) ~= "table" then
    error(("specs.derive: the base must be a spec's name or a spec table (got %s)"):format(type(base)), 2)
  end
  if changes ~= nil and type(changes) ~= "table" then
    error(("specs.derive: the changes must be a table (got %s)"):format(type(changes)), 2)
  end
  local s = require("dubstage.recipe").copy(b)
  s.name = (b.name or "spec") .. " (derived)"
  for k, v in pairs(changes or {}) do
    if v == false then
      s[k] = nil
    elseif type(v) == "table" then
      local m = type(s[k]) == "table" and s[k] or {}
      for mk, mv in pairs(v) do
        if mv == false then m[mk] = nil else m[mk] = mv end
      end
      s[k] = m
    else
      s[k] = v
    end
  end
  return s
end

return M
