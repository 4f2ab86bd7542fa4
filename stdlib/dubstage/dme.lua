-- dubstage.dme - the usual film delivery layout in one call: dialogue,
-- music and effects stems (DX, MX, FX) summed into a printmaster (PM), with
-- an output for each.
--
--   local dme = require "dubstage.dme"
--   local b = dme.stems { folder = "out", format = "wav24", prefix = "R1_" }
--   track "DIA 1" { to = b.dx }
--   -- writes out/R1_printmaster.wav, out/R1_DX.wav, out/R1_MX.wav, out/R1_FX.wav
--
-- Options: folder (default "out"), format (default "wav24"), prefix
-- (default ""), channels (default 2), stems (default true: set false for the
-- printmaster alone). Returns a table { pm, dx, mx, fx } of buses.
local M = {}

local known = { folder = true, format = true, prefix = true, channels = true, stems = true }

function M.stems(opts)
  opts = opts or {}
  -- every unknown key, sorted: pairs() walks in an order that changes from
  -- run to run, and the message must not
  local bad = {}
  for k in pairs(opts) do
    if not known[k] then bad[#bad + 1] = ("'%s'"):format(tostring(k)) end
  end
  if #bad > 0 then
    table.sort(bad)
    error(("dme.stems: unknown option%s %s (options: folder, format, prefix, channels, stems)")
      :format(#bad > 1 and "s" or "", table.concat(bad, ", ")), 2)
  end
  local folder = opts.folder or "out"
  local format = opts.format or "wav24"
  local prefix = opts.prefix or ""
  local ch = opts.channels or 2
  local b = {}
  b.pm = bus "PM" { channels = ch }
  b.dx = bus "DX" { channels = ch, to = b.pm }
  b.mx = bus "MX" { channels = ch, to = b.pm }
  b.fx = bus "FX" { channels = ch, to = b.pm }
  output { folder .. "/" .. prefix .. "printmaster.wav", from = b.pm, format = format }
  if opts.stems ~= false then
    output { folder .. "/" .. prefix .. "DX.wav", from = b.dx, format = format }
    output { folder .. "/" .. prefix .. "MX.wav", from = b.mx, format = format }
    output { folder .. "/" .. prefix .. "FX.wav", from = b.fx, format = format }
  end
  return b
end

return M
