-- dubstage.dme - the usual film delivery layout in one call: dialogue,
-- music and effects stems (DX, MX, FX) summed into a printmaster (PM), with
-- an output for each. It is dubstage.stems' "DME" layout without the M&E
-- (use dubstage.stems for the M&E, DME+ and 5.1).
--
--   session { rate = 48000, length = 4 }
--   local dme = require "dubstage.dme"
--   local b = dme.stems { folder = "out", format = "wav24", prefix = "R1_" }
--   track "DIA 1" { channels = 1, to = b.dx }:clip { "media/dx/1st-v-ven.ogg", at = 0.5 }
--   -- writes out/R1_printmaster.wav, out/R1_DX.wav, out/R1_MX.wav, out/R1_FX.wav
--
-- Options: folder (default "out"), format (default "wav24"), prefix
-- (default ""), channels (default 2), stems (default true: set false for the
-- printmaster alone). Returns a table { pm, dx, mx, fx } of buses (and
-- files, the names of the files written, as dubstage.stems).
local stems = require "dubstage.stems"

local M = {}

function M.stems(opts)
  check_options(opts, { "folder", "format", "prefix", "channels", "stems" }, "dme.stems", 2)
  opts = opts or {}
  local b = stems.build({ "DME", folder = opts.folder, format = opts.format, prefix = opts.prefix,
                          channels = opts.channels or 2, stems = opts.stems, me = false }, "dme.stems", 3)
  return b
end

return M
