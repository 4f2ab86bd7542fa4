-- reference_film51.lua - the film mix of reference_film.lua in 5.1 (issue
-- 12's benchmark): the same 24 tracks, EQ, keyed compressor, fader ride,
-- limiter and meter, with every bus 5.1 (L R C LFE Ls Rs), and
--   the surround panner on every track: dialogue at the front (x as the
--     stereo pan, p = -0.35 + 0.1 (k - 1)); music half way back (pan_fr 0,
--     no centre): each side between a front speaker and its surround;
--     effects moving all the time: pan from -1 to 1 and back, 20 s each
--     way (each track 2.5 s after the last), pan_fr -0.5;
--   a dialogue reverb send: every dialogue track into bus ROOM (5.1) at
--     -12 dB, an algorithmic reverb (rt60 1.2 s, size 12 m, predelay
--     15 ms) feeding DX;
--   a music hall: every music track into bus MX HALL (stereo) at -10 dB, a
--     convolution reverb with a 2.5 s stereo IR (hall.wav: run.sh makes it
--     with build/tools/make_ir, RT60 2 s, unit energy; normalize = false),
--     partition 8192 (the one ffmpeg's afir uses by default, minp = maxp =
--     8192: an offline print does not care for the latency, which the
--     graph compensates), panned to the surrounds, feeding MX;
--   two outputs: the 5.1 printmaster and its Lo/Ro fold-down (ITU-R BS.775,
--     `downmix = "LoRo"`), both metered.
-- tests/bench/run.sh renders the nearest ffmpeg graph for comparison.
local tracks, length, buses = require("reference_graph")("5.1")
require("reference_film_chain")(tracks, buses)

local room = bus "ROOM" { layout = "5.1", to = buses.dx }
room:reverb { rt60 = 1.2, size = 12, predelay = 0.015 }
local hall = bus "MX HALL" { channels = 2, to = buses.mx, pan_fr = -1, pan_center = 0 }
hall:convolve { "hall.wav", normalize = false, partition = 8192 }

for i, t in ipairs(tracks) do
  if i <= 8 then
    t:send(room, -12)
  elseif i <= 16 then
    t.pan_fr = 0
    t.pan_center = 0
    t:send(hall, -10)
  else
    t.pan_fr = -0.5
    t.pan = -1
    local to, at = 1, 2.5 * (i - 17)
    while at < length do
      t.pan:ramp { at = at, to = to, over = 20 }
      at, to = at + 20, -to
    end
  end
end

output { "printmaster_LoRo.wav", from = buses.pm, downmix = "LoRo", format = "wav24" }
