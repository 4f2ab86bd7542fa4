-- probe.lua - the language's names as a running script sees them, asked of
-- the engine itself so that the editor files cannot drift from it:
--
--   build/dubstage info DIR/probe.lua   (a copy, see below)
--
-- prints, sorted, one a line:
--   global NAME            a global a script starts with (a function or value)
--   global LIB.FIELD       a field of a library table (string.format, io.open)
--   field  HANDLE NAME     a field a handle has (track gain, clip finish)
--   method HANDLE NAME     a method a handle has (track clip, param ramp)
-- Run it in a folder that also holds probe.wav (a short stereo file) and
-- probe.csv (a marker list). HANDLE is track, bus, clip, param, vca, mute_group, markers, edit, or an
-- insert by its method (eq, compressor, expander, gate, limiter, transient, saturate, bitcrush,
-- delay, width, ms, polarity, channel_map, convolve, reverb). A handle's
-- fields and methods are read from the engine's own message for a field it
-- does not have ("(fields: ...; methods: ...)"), which lists them all.
-- scripts/make-editor-files.sh turns the globals into
-- editors/dubstage.luacheckrc; tests/render/editors.sh compares both that
-- file and the language-server stubs (editors/meta/) with this list.
local out = {}
local function say(line) out[#out + 1] = line end

-- every table but _G is a library: Lua's own, and the language's (timebase)
for name, value in pairs(_G) do
  if type(value) == "table" and name ~= "_G" then
    for field in pairs(value) do say("global " .. name .. "." .. field) end
  else
    say("global " .. name)
  end
end

-- What the engine's message for a missing field lists.
local function listed(handle, value)
  local ok, err = pcall(function() return value.no_such_field_here end)
  assert(not ok, handle .. ": a missing field did not raise")
  local inside = tostring(err):match("%(fields: ([^)]*)%)")
  if not inside then return end
  local first = true
  for part in (inside .. ";"):gmatch("%s*([^;]*);") do
    local kind, words = "field", part
    local label, rest = part:match("^(%a+): (.*)$")
    if label == "methods" or label == "moves" then
      kind, words = "method", rest
    elseif not first then
      words = nil -- a remark ("times in seconds", "the others are fixed ...")
    end
    for word in (words or ""):gmatch("[%a_][%w_]*") do
      if word ~= "and" and word ~= "is" and word ~= "are" and word ~= "fixed" and word ~= "the" then
        say(kind .. " " .. handle .. " " .. word)
      end
    end
    first = false
  end
end

session { rate = 48000, length = 1 }
local b = bus "B" { channels = 2 }
local t = track "T" { channels = 2, to = b }
listed("track", t)
listed("bus", b)
listed("param", t.gain)
listed("vca", vca "V" { members = { t } })
listed("mute_group", mute_group "G" { members = { t } })
-- a clip, a convolution and a marker list need files: whoever runs the probe
-- puts a short stereo probe.wav and a marker list probe.csv beside it
listed("clip", t:clip { "probe.wav", at = 0 })
listed("convolve", b:convolve { "probe.wav" })
listed("markers", markers "probe.csv")
-- an edit: its one-event EDL is written here (a script may write beside itself)
local edl_file = assert(io.open("probe.edl", "w"))
edl_file:write("001  R  A  C  00:00:00:00 00:00:00:01 00:00:00:00 00:00:00:01\n")
edl_file:close()
listed("edit", edl "probe.edl")
listed("eq", t:eq { "peak", freq = 1000, gain = 1 })
for _, kind in ipairs { "compressor", "expander", "gate", "limiter", "transient", "saturate", "bitcrush", "reverb", "width" } do
  listed(kind, b[kind](b, {}))
end
listed("ms", b:ms { "encode" })
listed("delay", t:delay { time = 0.1 })
listed("polarity", t:polarity { 1 })
listed("channel_map", t:channel_map { 2, 1 })
-- the callable handles: calling them is their use (track "X" { ... }, cue "door")
for _, h in ipairs { "track", "bus", "vca", "mute_group", "markers" } do say("method " .. h .. " __call") end

table.sort(out)
for i, line in ipairs(out) do
  if line ~= out[i - 1] then io.write(line, "\n") end
end
