-- reference_film.lua - the reference film mix of shared/BENCH.md: the graph
-- of reference.lua plus the per-track EQ, the DX-keyed compressor and the
-- fader ride on MX, and the printmaster's limiter and loudness meter
-- (reference_film_chain.lua lists them).
-- tests/bench/run.sh renders the same graph with ffmpeg for comparison.
local tracks, _, buses = require("reference_graph")()
require("reference_film_chain")(tracks, buses)
