-- reference_film_chain.lua - the film processing of shared/BENCH.md, shared
-- by reference_film.lua (stereo) and reference_film51.lua (5.1): on the
-- tracks and buses reference_graph.lua returns (counts: the same table of
-- tracks per kind it was given; nil: 8 of each),
--   each track's EQ: dialogue high-pass 80 Hz (2nd order, q 0.707) and
--     peak 3 kHz +3 dB q 1; music high-pass 40 Hz and peak 250 Hz -3 dB
--     q 1; effects high-pass 30 Hz and peak 1 kHz -2 dB q 0.7;
--   MX compressed by a compressor keyed from DX (threshold -30 dBFS,
--     ratio 4, attack 10 ms, release 250 ms, no make-up);
--   the MX fader: 0 dB, down 6 dB over 60-62 s, back over 120-122 s
--     (linear in dB);
--   a limiter at -1 dBFS on the printmaster (5 ms look-ahead, 50 ms
--     release), and the loudness meter (the render's report).
return function(tracks, buses, counts)
  local ndx, nmx = counts and counts.dx or 8, counts and counts.mx or 8
  for i, t in ipairs(tracks) do
    if i <= ndx then
      t:eq { "highpass", freq = 80, q = 0.707 }
      t:eq { "peak", freq = 3000, gain = 3, q = 1 }
    elseif i <= ndx + nmx then
      t:eq { "highpass", freq = 40, q = 0.707 }
      t:eq { "peak", freq = 250, gain = -3, q = 1 }
    else
      t:eq { "highpass", freq = 30, q = 0.707 }
      t:eq { "peak", freq = 1000, gain = -2, q = 0.7 }
    end
  end
  buses.mx:compressor { threshold = -30, ratio = 4, attack = 0.010, release = 0.250, key = buses.dx }
  buses.mx.gain:ramp { at = 60, to = -6, over = 2 }
  buses.mx.gain:ramp { at = 120, to = 0, over = 2 }
  buses.pm:limiter { ceiling = -1, lookahead = 0.005, release = 0.050 }
end
