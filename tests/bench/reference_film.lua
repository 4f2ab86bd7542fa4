-- reference_film.lua - the film mix of shared/BENCH.md as far as the language
-- goes today: the graph of reference.lua plus each track's EQ (dialogue:
-- high-pass 80 Hz, peak 3 kHz +3 dB q 1; music: high-pass 40 Hz, peak
-- 250 Hz -3 dB q 1; effects: high-pass 30 Hz, peak 1 kHz -2 dB q 0.7) and
-- the MX fader ride (0 dB, -6 dB over 60-62 s, back over 120-122 s, linear
-- in dB). Still missing: the DX-keyed compressor on MX and the master
-- limiter (issue 4).
local tracks, _, buses = require("reference_graph")()
for i, t in ipairs(tracks) do
  if i <= 8 then
    t:eq { "highpass", freq = 80, q = 0.707 }
    t:eq { "peak", freq = 3000, gain = 3, q = 1 }
  elseif i <= 16 then
    t:eq { "highpass", freq = 40, q = 0.707 }
    t:eq { "peak", freq = 250, gain = -3, q = 1 }
  else
    t:eq { "highpass", freq = 30, q = 0.707 }
    t:eq { "peak", freq = 1000, gain = -2, q = 0.7 }
  end
end
buses.mx.gain:ramp { at = 60, to = -6, over = 2 }
buses.mx.gain:ramp { at = 120, to = 0, over = 2 }
