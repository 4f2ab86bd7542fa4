-- dubstage.fills - room tone under dialogue edits, and checkerboarding.
--
--   session { rate = 48000, length = 12 }
--   local fills = require "dubstage.fills"
--   local dx = bus "DX"
--   local a, b = track "DIA A" { channels = 1, to = dx }, track "DIA B" { channels = 1, to = dx }
--   local lines = fills.checkerboard({ a, b }, {      -- alternate lines on A and B
--     { "media/dx/1st-m-cotobylo.ogg", at = 0.5, fade_in = 0.01, fade_out = 0.05 },
--     { "media/dx/1st-v-netusim.ogg", at = 3, fade_in = 0.01, fade_out = 0.05 },
--     { "media/dx/1st-v-ven.ogg", at = 6.5, fade_in = 0.01, fade_out = 0.05 },
--   })
--   local tone = track "FILL" { channels = 1, to = dx }
--   fills.room_tone(tone, lines, { "media/amb/droning_long.ogg", channel = 1, from = 5, loop = 4,
--                                  gain = -6, start = 0, finish = 11 })
--   output { "out/dx.wav", from = dx }
--
-- fills.room_tone(track, lines, opts) fills every gap between the lines
-- (clips, or tables with `at` and `finish` in seconds, in any order) with
-- room tone: a stretch of a recording (`opts[1]`, from `from`, `loop`
-- long) laid again and again across the gap, each piece crossfading into
-- the next (equal power: the pieces are different parts of the tone), the
-- fill reaching `overlap` under the end of the line before the gap and the
-- start of the line after it, where it fades in and out. Options:
--
--   (first)    the room-tone file            from     where the loop starts in it (0)
--   loop       the loop's length (required)  channel  one channel of the file
--   gain       clip gain of every piece, dB  overlap  under each line's edge (0.1 s)
--   crossfade  between pieces (0.5 s)        min_gap  gaps shorter are left (0)
--   start, finish  fill from start to the first line and from the last
--              line to finish too (positions)
--
-- Returns the list of clips it made. `loop` must hold a piece with its two
-- fades: at least 2 x crossfade + overlap.
--
-- fills.checkerboard(tracks, clips) puts clip 1 on tracks[1], clip 2 on
-- tracks[2], ... round the list of tracks (two or more), so that clips
-- that touch or overlap (handles, crossfades, different mics) sit on
-- different tracks, each with its own fader and processing. Each clip is a
-- clip's options table; returns the clips made, in order.
local recipe = require "dubstage.recipe"

local M = {}

local room_keys = { "from", "loop", "channel", "gain", "overlap", "crossfade", "min_gap", "start", "finish" }

-- Lay pieces over [s, e) (samples): piece k crossfades into piece k + 1
-- over xf samples; the first fades in and the last out over edge samples.
-- Returns the clips' options.
local function pieces(file, o, s, e, loop, xf, edge)
  local d = e - s
  local n = 1
  if d > loop then n = math.ceil((d - xf) / (loop - xf - 1)) end
  local step = (d - xf) / n
  local out = {}
  for k = 0, n - 1 do
    local at = s + math.floor(k * step + 0.5)
    local finish = k == n - 1 and e or s + math.floor((k + 1) * step + 0.5) + xf
    local fin = k == 0 and edge or xf
    local fout = k == n - 1 and edge or xf
    if finish - at < fin + fout then return nil end
    out[#out + 1] = { file, at = recipe.smp(at), from = recipe.smp(o.from), length = recipe.smp(finish - at),
                      channel = o.channel, gain = o.gain, fade_in = recipe.smp(fin), fade_out = recipe.smp(fout),
                      curve = "equal_power" }
  end
  return out
end

function M.room_tone(track, lines, opts)
  recipe.check_strip("fills.room_tone", track, 2)
  check_options(opts, room_keys, "fills.room_tone", 2, 1)
  if type(opts) ~= "table" or type(opts[1]) ~= "string" or opts.loop == nil then
    error("fills.room_tone: give the room tone and its loop: { \"tone.wav\", from = 2, loop = 4 }", 2)
  end
  if type(lines) ~= "table" then
    error("fills.room_tone: lines must be a list of clips (or { at = s, finish = s } tables)", 2)
  end
  local o = {
    from = timebase.duration(opts.from or 0), channel = opts.channel, gain = opts.gain,
    loop = timebase.duration(opts.loop), overlap = timebase.duration(opts.overlap or 0.1),
    crossfade = timebase.duration(opts.crossfade or 0.5), min_gap = timebase.duration(opts.min_gap or 0),
  }
  if o.loop < 2 * o.crossfade + o.overlap then
    error(("fills.room_tone: loop (%d samples) must be at least 2 x crossfade + overlap (%d samples)")
      :format(o.loop, 2 * o.crossfade + o.overlap), 2)
  end
  -- the lines' spans in samples, in time order
  local spans = {}
  for i, l in ipairs(lines) do
    local ok, at, finish = pcall(function() return l.at, l.finish end)
    if not ok or type(at) ~= "number" or type(finish) ~= "number" then
      error(("fills.room_tone: line %d is not a clip (or a table with at and finish in seconds)"):format(i), 2)
    end
    spans[#spans + 1] = { timebase.samples(at), timebase.samples(finish) }
  end
  table.sort(spans, function(x, y) return x[1] < y[1] end)
  -- the gaps: where no line sounds, between the start, the lines and the finish
  -- (each gap: its first and last sample, and how far the fill reaches
  -- past each: `overlap` under a line, nothing past the start or finish)
  local gaps = {}
  local cursor, reach = nil, 0
  if opts.start ~= nil then cursor = timebase.samples(opts.start) end
  for _, sp in ipairs(spans) do
    if cursor and sp[1] - cursor > o.min_gap then gaps[#gaps + 1] = { cursor - reach, sp[1] + o.overlap } end
    if not cursor or sp[2] > cursor then cursor = sp[2] end
    reach = o.overlap
  end
  if opts.finish ~= nil and cursor then
    local finish = timebase.samples(opts.finish)
    if finish - cursor > o.min_gap then gaps[#gaps + 1] = { cursor - reach, finish } end
  end
  local made = recipe.call(2, function()
    local clips = {}
    for _, g in ipairs(gaps) do
      local list = pieces(opts[1], o, g[1], g[2], o.loop, o.crossfade, o.overlap)
      if not list then
        error(("fills.room_tone: the gap at sample %d is too short for its fades"):format(g[1]), 0)
      end
      for _, c in ipairs(list) do clips[#clips + 1] = track:clip(c) end
    end
    return clips
  end)
  return made
end

function M.checkerboard(tracks, clips)
  if type(tracks) ~= "table" or #tracks < 2 then
    error("fills.checkerboard: give two or more tracks: fills.checkerboard({ a, b }, clips)", 2)
  end
  for i, t in ipairs(tracks) do recipe.check_strip(("fills.checkerboard track %d"):format(i), t, 2) end
  if type(clips) ~= "table" then error("fills.checkerboard: clips must be a list of clip options", 2) end
  local made = recipe.call(2, function()
    local out = {}
    for i, c in ipairs(clips) do out[i] = tracks[(i - 1) % #tracks + 1]:clip(c) end
    return out
  end)
  return made
end

return M
