-- reference_film64.lua - shared/BENCH.md's 64-track variant of the film
-- mix: 16 mono dialogue, 24 stereo music and 24 stereo effects tracks (112
-- channels; the 24 files of the material, each played by two or three
-- tracks) with the processing of reference_film.lua (reference_film_chain.lua).
-- tests/bench/run.sh plays it live at 64 frames a period (issue 16: the
-- callback's 99.9th percentile under 25 % of the period).
local counts = { dx = 16, mx = 24, fx = 24 }
local tracks, _, buses = require("reference_graph")(nil, counts)
require("reference_film_chain")(tracks, buses, counts)
