-- dubstage.tc - timecode arithmetic at the session's frame rate (drop-frame
-- included), and reel offsets: where a reel's own timecode lands on a
-- session that joins several reels. Exact: everything is counted in frames
-- and samples by the engine (the `timebase` table), never in floating
-- seconds, and positions come back as "Nsmp" strings that `at =` takes.
--
--   session { rate = 48000, fps = "24", start = "00:59:50:00", length = "00:00:40:00" }
--   local tc = require "dubstage.tc"
--   print(tc.add("01:00:00:00", 36))                  --> 01:00:01:12
--   print(tc.diff("01:00:00:00", "01:00:01:12"))      --> 36
--   local reels = tc.reels { at = "01:00:00:00",
--     { "R1", length = "00:00:20:00" },                 -- its own timecode starts 01:00:00:00
--     { "R2", length = "00:00:10:00" } }                -- and this one 02:00:00:00
--   local pm = bus "PM"
--   track "DIA" { channels = 1, to = pm }:clip { "media/dx/1st-v-ven.ogg", at = reels.at("R2", "02:00:01:00") }
--   output { "out/reels.wav", from = pm }
--
-- Functions (t: any time form the language takes; f: a frame count since
-- 00:00:00:00, as labels count):
--   tc.frame(t)       the frame that holds position t
--   tc.label(f)       its label, "HH:MM:SS:FF" (";FF" in a drop-frame session)
--   tc.add(t, n)      the label n frames after t (n may be negative)
--   tc.diff(a, b)     frames from a to b
--   tc.position(t)    t as an exact position string, "Nsmp"
--   tc.seconds(t)     t in seconds from the session start (a float)
--   tc.reels { at = POSITION, gap = DURATION, { NAME, length = DURATION, start = LABEL }, ... }
--                     reels joined end to end from `at` (default the session
--                     start), `gap` apart (default 0); a reel's own timecode
--                     starts at `start` (default "0N:00:00:00" for the Nth).
--                     Returns { at = function(name, label), start = function(name),
--                     names = { ... } }: at() is the session position
--                     ("Nsmp") of the reel's own label, start() of its first frame.
local recipe = require "dubstage.recipe"

local M = {}

function M.frame(t) return timebase.frame(t) end
function M.label(f) return timebase.label(f) end
function M.add(t, n)
  if math.type(n) ~= "integer" then
    error(("tc.add: a whole number of frames expected (got %s)"):format(tostring(n)), 2)
  end
  return timebase.label(timebase.frame(t) + n)
end
function M.diff(a, b) return timebase.frame(b) - timebase.frame(a) end
function M.position(t) return recipe.smp(timebase.samples(t)) end
function M.seconds(t) return timebase.samples(t) / timebase.info().rate end

function M.reels(spec)
  check_options(spec, { "at", "gap" }, "tc.reels", 2, 1000)
  if type(spec) ~= "table" or #spec == 0 then
    error("tc.reels: give the reels in order: tc.reels { { \"R1\", length = \"00:19:47:10\" }, ... }", 2)
  end
  local at = spec.at and timebase.samples(spec.at) or 0
  local gap = spec.gap and timebase.duration(spec.gap) or 0
  local reels, names = {}, {}
  for i, r in ipairs(spec) do
    check_options(r, { "length", "start" }, ("tc.reels reel %d"):format(i), 2, 1)
    local name = r[1]
    if type(name) ~= "string" or reels[name] then
      error(("tc.reels: reel %d needs a name of its own first (got %s)"):format(i, tostring(name)), 2)
    end
    if r.length == nil then error(("tc.reels: reel '%s' needs a length"):format(name), 2) end
    local start = r.start or ("%02d:00:00:00"):format(i)
    local first = timebase.frame(start)
    reels[name] = { at = at, first = first, origin = timebase.frame_start(first) }
    names[i] = name
    at = at + timebase.duration(r.length) + gap
  end
  local function reel(name, fname)
    local r = reels[name]
    if not r then check_word(name, names, "tc.reels " .. fname, "reel", 3) end
    return r
  end
  return {
    names = names,
    start = function(name)
      return recipe.smp(reel(name, "start").at)
    end,
    at = function(name, label)
      local r = reel(name, "at")
      -- frames into the reel, turned into samples by the engine's frame grid
      local into = timebase.frame_start(timebase.frame(label)) - r.origin
      return recipe.smp(r.at + into)
    end,
  }
end

return M
