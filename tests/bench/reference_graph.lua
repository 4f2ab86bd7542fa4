-- reference_graph.lua - the benchmark graph, shared by reference.lua (as is),
-- reference_auto.lua (the same graph with automation on every track),
-- reference_film.lua, reference_film51.lua and reference_film64.lua.
-- Returns a function that builds the session and returns its tracks, the
-- programme length in seconds and its buses; its arguments are the buses'
-- layout (nil: stereo; "5.1": every track goes through the surround panner,
-- the dialogue at the front at the same x as the stereo pan) and the number
-- of tracks of each kind (nil: { dx = 8, mx = 8, fx = 8 }). Track k of a
-- kind plays that kind's file ((k - 1) % 8) + 1, panned as track
-- ((k - 1) % 8) + 1: shared/BENCH.md's 64-track variant (16/24/24) repeats
-- the material.
return function(layout, counts)
  counts = counts or { dx = 8, mx = 8, fx = 8 }
  session { rate = 48000, fps = "24", start = "01:00:00:00" }   -- length: to the end of the clips

  local pm = bus "PM" { layout = layout }
  local dx = bus "DX" { layout = layout, to = pm }
  local mx = bus "MX" { layout = layout, to = pm }
  local fx = bus "FX" { layout = layout, to = pm }

  local tracks, length = {}, 0
  for k = 1, counts.dx do
    -- dialogue: mono, spread from -0.35 to +0.35; L = cos((p+1)pi/4), R = sin((p+1)pi/4)
    local f = (k - 1) % 8
    local t = track(("DX %d"):format(k)) { channels = 1, to = dx, pan = -0.35 + 0.1 * f, gain = -2 }
    tracks[#tracks + 1] = t
    length = t:clip({ ("dx%02d.wav"):format(f + 1), at = "01:00:00:00" }).finish
  end
  for k = 1, counts.mx do
    local t = track(("MX %d"):format(k)) { channels = 2, to = mx, gain = -4 }
    tracks[#tracks + 1] = t
    t:clip { ("mx%02d.wav"):format((k - 1) % 8 + 1), at = "01:00:00:00" }
  end
  for k = 1, counts.fx do
    local t = track(("FX %d"):format(k)) { channels = 2, to = fx, gain = -3 }
    tracks[#tracks + 1] = t
    t:clip { ("fx%02d.wav"):format((k - 1) % 8 + 1), at = "01:00:00:00" }
  end

  output { "printmaster.wav", from = pm, format = "wav24" }
  -- the tracks, the programme length in seconds, and the buses
  return tracks, length, { pm = pm, dx = dx, mx = mx, fx = fx }
end
