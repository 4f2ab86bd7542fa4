-- reference.lua - the benchmark session (issue 2): 24 tracks summed through
-- three stem buses into a stereo printmaster.
--
-- tests/bench/run.sh copies this file into the material folder, next to the
-- files make_bench_material writes (dx01.wav..dx08.wav mono, mx01..mx08 and
-- fx01..fx08 stereo, 48 kHz 24-bit), and renders it there with --out, so
-- the clip paths below are plain file names.
--
-- This is the plain-mix part of the graph in shared/BENCH.md: gains,
-- constant-power pans and bus sums, the same graph run.sh builds with
-- `sox -m` and ffmpeg `amix`. The per-track EQ, the keyed compressor, the
-- fader automation, the limiter and the R128 meter are added here when the
-- language has them.

session { rate = 48000, fps = "24", start = "01:00:00:00" }   -- length: to the end of the clips

local pm = bus "PM"
local dx = bus "DX" { to = pm }
local mx = bus "MX" { to = pm }
local fx = bus "FX" { to = pm }

for k = 1, 8 do
  -- dialogue: mono, spread from -0.35 to +0.35; L = cos((p+1)pi/4), R = sin((p+1)pi/4)
  local t = track(("DX %d"):format(k)) { channels = 1, to = dx, pan = -0.35 + 0.1 * (k - 1), gain = -2 }
  t:clip { ("dx%02d.wav"):format(k), at = "01:00:00:00" }
end
for k = 1, 8 do
  local t = track(("MX %d"):format(k)) { channels = 2, to = mx, gain = -4 }
  t:clip { ("mx%02d.wav"):format(k), at = "01:00:00:00" }
end
for k = 1, 8 do
  local t = track(("FX %d"):format(k)) { channels = 2, to = fx, gain = -3 }
  t:clip { ("fx%02d.wav"):format(k), at = "01:00:00:00" }
end

output { "printmaster.wav", from = pm, format = "wav24" }
