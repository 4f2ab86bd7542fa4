-- reference_auto.lua - the benchmark graph of reference.lua with automation
-- on every track: a gain move and a pan move every second for the whole
-- programme (0.5 s ramps alternating with steps), so `make bench` can report
-- what automation costs (issue 3: under 10 %).
local tracks, length = require("reference_graph")()
for i, t in ipairs(tracks) do
  local base = t.gain.value
  for s = 0, math.floor(length) - 1 do
    local v = base - ((s * 7 + i) % 6)
    if s % 2 == 0 then
      t.gain:ramp { at = s, to = v, over = 0.5 }
    else
      t.gain:set { at = s, to = v }
    end
    t.pan:ramp { at = s + 0.25, to = ((s + i) % 9) / 4 - 1, over = 0.5 }
  end
end
