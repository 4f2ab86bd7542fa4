-- reference_film_stems.lua - reference_film.lua with its three stems written
-- beside the printmaster (DX, MX, FX: the stems a film delivers), so a
-- render measures four outputs. tests/bench/loudness.sh renders it with and
-- without --no-measure: the difference is the meter on every stem.
local tracks, _, buses = require("reference_graph")()
require("reference_film_chain")(tracks, buses)
output { "dx.wav", from = buses.dx, format = "wav24" }
output { "mx.wav", from = buses.mx, format = "wav24" }
output { "fx.wav", from = buses.fx, format = "wav24" }
