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

require("reference_graph")()
