-- dubstage.recipe - what the recipe modules share: checking a caller's
-- options against a preset, with the core's did-you-mean messages at the
-- caller's line, and running core calls so that their errors name the
-- caller's line too. Write a studio's own recipe with it (here in the mix
-- script; in a module of a --lib folder, the same code ending `return house`):
--
--   local recipe = require "dubstage.recipe"
--   local house = {}
--   house.presets = { gentle = { freq = 90, gain = 2 }, bright = { freq = 120, gain = 4 } }
--   function house.apply(strip, preset, opts)        -- strip:eq twice, preset + opts
--     local o = recipe.options("house.apply", house.presets, preset, opts, 2)
--     return recipe.call(2, function()
--       return { cut = strip:eq { "highpass", freq = o.freq },
--                lift = strip:eq { "peak", freq = 3000, gain = o.gain } }
--     end)
--   end
--   session { rate = 48000, length = 3 }
--   local pm = bus "PM"
--   local dia = track "DIA" { channels = 1, to = pm }
--   dia:clip { "media/line01.wav", at = 0.5 }
--   local eqs = house.apply(dia, "bright", { gain = 3 })   -- "brigth": did you mean 'bright'?
--   eqs.lift.gain:ramp { at = 1, to = 5, over = 1 }        -- the nodes are the script's
--   output { "out/house.wav", from = pm }
--
-- Levels are counted as Lua's error() counts them: 1 is the line that
-- called the recipe.* function, 2 the line that called that function (the
-- user's script line when a recipe passes 2 from its public function).
local M = {}

-- The sorted keys of t, as a list (the names an options table may use).
function M.keys(t)
  local names = {}
  for k in pairs(t) do names[#names + 1] = k end
  table.sort(names)
  return names
end

-- A copy of t with its sub-tables copied too, one level down (a preset, a
-- spec: tables of settings and of tables of settings).
function M.copy(t)
  local c = {}
  for k, v in pairs(t) do
    if type(v) == "table" then
      local sub = {}
      for kk, vv in pairs(v) do sub[kk] = vv end
      c[k] = sub
    else
      c[k] = v
    end
  end
  return c
end

-- A fresh table: the preset's values (sub-tables copied one level down),
-- then opts' values over them. The keys of opts must be keys of the preset,
-- and the keys of a sub-table option keys of the preset's sub-table: any
-- other key is an error naming the line `level` above the caller, with the
-- closest valid name. `preset` is a name in presets (did-you-mean on a
-- misspelt one).
function M.options(what, presets, preset, opts, level)
  level = (level or 1) + 1
  check_word(preset, M.keys(presets), what, "preset", level)
  local base = presets[preset]
  check_options(opts, M.keys(base), what, level)
  local o = M.copy(base)
  for k, v in pairs(opts or {}) do
    if type(base[k]) == "table" and type(v) == "table" and #base[k] == 0 then
      -- a table of named settings: override one at a time
      check_options(v, M.keys(base[k]), what .. " " .. k, level)
      for kk, vv in pairs(v) do o[k][kk] = vv end
    else
      o[k] = v
    end
  end
  return o
end

-- The one check every recipe makes on its first value.
function M.check_strip(what, s, level)
  local ok, kind = pcall(function() return s.kind end)
  if not (ok and (kind == "track" or kind == "bus")) then
    error(("%s: the first value must be a track or bus (got %s)"):format(what, type(s)), (level or 1) + 1)
  end
  return s
end

-- n samples as a time string that `at`, `from`, `length` and the fades
-- take exactly ("12345smp"); timebase.samples and timebase.duration give n.
function M.smp(n)
  return ("%dsmp"):format(n)
end

-- Runs f(...) and returns what it returns; an error it raises (a core
-- call refusing a value that came from the caller's options) is raised
-- again at `level` above the caller, so it names the user's line, not the
-- recipe's.
function M.call(level, f, ...)
  local res = table.pack(pcall(f, ...))
  if res[1] then return table.unpack(res, 2, res.n) end
  local msg = tostring(res[2]):gsub("^[^\n]-:%d+: ", "", 1)
  error(msg, level + 1)
end

return M
