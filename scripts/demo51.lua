-- demo51.lua - "The Wreck" in 5.1: the scene of demo.lua mixed for a
-- theatre, from the same recordings, to a 5.1 printmaster with DX / MX / FX
-- stems in 5.1 and the printmaster's stereo fold-down (Lo/Ro).
--
--   make demo        -- renders demo.lua and this script
--   (or: scripts/make-demo-media.sh, then build/dubstage render scripts/demo51.lua)
--
-- Read demo.lua first: the story, the sources and their licenses, and the
-- levels are explained there. This script adds the room:
--   - the dialogue stays at the screen (the centre speaker, a little to each
--     side for the two fish) and sits in the wreck through a send into an
--     algorithmic reverb on a 5.1 aux: the room comes from every speaker;
--   - the score is spread over the front and the surrounds (the centre left
--     to the dialogue), with a hall from a convolution reverb behind us;
--   - the ambience beds are in the surrounds, around the audience;
--   - the hard effects move: the distant explosion rolls from the front
--     left to the back right, the timbers creak along the left wall from
--     behind to the front, and the explosion and the last bang send to the
--     LFE (the subwoofer).
-- The 5.1 speakers: L R C LFE Ls Rs (docs/surround.md draws the room and
-- gives the panner's law; docs/language.md "Surround panning").
--
-- The hall's impulse response is made by scripts/make-demo-media.sh with
-- tests/tools/make_ir.c (2.5 s of exponentially decaying noise, RT60 2.2 s):
-- nothing of it is kept in the repository.

session { rate = 48000, fps = "24", start = "01:00:00:00", length = "00:01:36:00" }

-- Buses: every one is 5.1. The stems feed the printmaster and nothing else
-- does, so DX + MX + FX is the printmaster, sample for sample (the M&E is
-- rebuilt from MX + FX for a foreign version).
local pm = bus "PM" { layout = "5.1" }
local dx = bus "DX" { layout = "5.1", to = pm }
local mx = bus "MX" { layout = "5.1", to = pm }
local fx = bus "FX" { layout = "5.1", to = pm }

-- The wreck's room: an aux bus fed by the dialogue's sends, 100 % reverb (the
-- dry voices reach DX by their own route). It feeds the DX stem, so a
-- foreign version's dialogue brings its own room. A 5.1 reverb gives
-- decorrelated L R C Ls Rs (the centre 6 dB down, nothing on the LFE):
-- the room is around the audience while the voices stay on the screen.
local room = bus "ROOM" { layout = "5.1", to = dx }
room:reverb { rt60 = 1.4, size = 9, predelay = 0.012, damping = 0.4 }

---------------------------------------------------------------------------
-- Dialogue
---------------------------------------------------------------------------

-- Mono, in the front row: `pan` is left/right, and a strip in a 5.1 bus is
-- at the front (`pan_fr = 1`) unless told otherwise. pan = -0.15 puts the
-- small fish mostly in the centre speaker with a little in L.
local dia1 = track "DIA 1" { channels = 1, to = dx, pan = -0.15, gain = -2 }  -- small fish
local dia2 = track "DIA 2" { channels = 1, to = dx, pan = 0.15, gain = -2 }   -- big fish
for _, d in ipairs { dia1, dia2 } do
  d:eq { "highpass", freq = 90 }
  d:eq { "peak", freq = 3000, gain = 2, q = 1 }
end
-- Into the room, after the fader; the send follows the voice's pan.
local dia1_room = dia1:send(room, -14)
local dia2_room = dia2:send(room, -14)
-- Outside the wreck the fish are in open water: hardly any room. The room
-- comes up as they swim in through the hatch (01:00:32) and is biggest in
-- the captain's cabin.
for _, s in ipairs { dia1_room, dia2_room } do
  s:set { at = "01:00:00:00", to = -26 }
  s:ramp { at = "01:00:32:00", to = -14, over = 3 }
  s:ramp { at = "01:00:54:00", to = -10, over = 2 }
end

-- The lines: who says it, the file, where it starts, the clip gain that
-- brings it to about -24 LUFS, and what it means (demo.lua has the same).
local lines = {
  { dia1, "1st-m-cotobylo", "01:00:05:12", -10.5 },  -- What was that?
  { dia2, "1st-v-netusim",  "01:00:07:18", -7.5 },   -- I have no idea.
  { dia2, "1st-v-ven",      "01:00:10:06", -8.5 },   -- We should go and have a look outside.
  { dia1, "1st-m-pockej",   "01:00:13:06", -7.5 },   -- Wait! I'm going with you.
  { dia2, "pot-v-lod",      "01:00:22:00", -8.5 },   -- Could this be Captain Silver's ship?
  { dia1, "pot-m-soud",     "01:00:25:12", -9 },     -- What makes you think so?
  { dia1, "pot-m-dovn",     "01:00:29:12", -10 },    -- It looks like we have to go inside.
  { dia1, "pot-m-zatuch",   "01:00:38:00", -7.5 },   -- The air in here smells so stale.
  { dia2, "pot-v-nikdo",    "01:00:41:00", -5.5 },   -- It seems that nobody's here.
  { dia1, "pot-m-moc",      "01:00:44:00", -7 },     -- I don't like it here.
  { dia2, "pot-v-plav",     "01:00:46:18", -7.5 },   -- Stop talking and swim. ...
  { dia1, "k1-m-lebku",     "01:00:57:00", -7 },     -- Look, he had a human skull here!
  { dia2, "k1-v-jejeho",    "01:01:00:12", -8 },     -- Well, maybe it's his own skull.
  { dia1, "k1-m-mysli",     "01:01:03:18", 0 },      -- You think so?  (under the breath)
  { dia2, "k1-v-citis",     "01:01:06:00", -5.5 },   -- Can you sense the atmosphere of rot and decay? ...
  { dia1, "k1-m-kolebku",   "01:01:16:00", -7.5 },   -- Where do you see the cradle?
  { dia2, "k1-v-cit",       "01:01:18:12", -6.5 },   -- Oh, you don't have any feeling for poetry at all...
}
for _, l in ipairs(lines) do
  local who, file, at, gain = l[1], l[2], l[3], l[4]
  who:clip { "media/dx/" .. file .. ".ogg", at = at, gain = gain, fade_in = 0.01, fade_out = 0.05 }
end

---------------------------------------------------------------------------
-- Music
---------------------------------------------------------------------------

-- The score is stereo. In the room it sits half way between the screen and
-- the back wall (pan_fr = 0: its left side between L and Ls, its right
-- between R and Rs), with no centre (pan_center = 0 keeps the centre
-- speaker for the dialogue) and a little spread so it fills the room.
local score = track "SCORE" { channels = 2, to = mx, gain = -3, pan_fr = 0, pan_center = 0, pan_spread = 0.15 }
score:clip { "media/mx/underground.ogg", at = "01:00:18:00", from = 34, length = 78,
             gain = -10, fade_in = 4, fade_out = 8 }
-- A hall behind the audience: a stereo convolution reverb on an aux bus,
-- panned to the surrounds, fed by a send from the score. Its latency (one
-- 1024-sample partition) is compensated: the score and its hall stay in
-- time with the picture.
local hall = bus "MX HALL" { channels = 2, to = mx, pan_fr = -1, pan_center = 0 }
hall:convolve { "media/ir/hall.wav", gain = -3 }
score:send(hall, -10)
-- The score dips 4 dB in the speech band under every line (demo.lua says how).
duck { mx, under = dx, depth = -4, band = { 700, 5000 }, preroll = 0.3, attack = 0.1, release = 0.8, bridge = 1.5 }

---------------------------------------------------------------------------
-- Ambience: the surrounds
---------------------------------------------------------------------------

-- The pump outside hums behind and around us (pan_fr = -0.6: mostly in the
-- surrounds, a little in front); inside the wreck the drone is all around
-- in the surrounds (pan_fr = -1). The beds cross at 00:31-00:35.
local amb_a = track "AMB A" { channels = 2, to = fx, pan_fr = -0.6, pan_center = 0 }
local amb_b = track "AMB B" { channels = 2, to = fx, pan_fr = -1 }
amb_a:clip { "media/amb/minepump03.ogg", at = "01:00:00:00", from = 40, length = 35,
             gain = -14, fade_in = 2, fade_out = 4 }
amb_b:clip { "media/amb/droning_long.ogg", at = "01:00:31:00", from = 1, length = 65,
             gain = -12, fade_in = 4, fade_out = 3 }

---------------------------------------------------------------------------
-- Hard effects
---------------------------------------------------------------------------

-- At the screen: the hatches, doors and the metal giving way (stereo, front).
local sfx = track "FX A" { channels = 2, to = fx }
sfx:clip { "media/fx/door3-open.ogg", at = "01:00:16:12", gain = -10 }
sfx:clip { "media/fx/breakmetal02.ogg", at = "01:00:32:12", gain = -12 }
sfx:clip { "media/fx/door2-open.ogg", at = "01:00:54:00", gain = -3 }

-- Moving: a mono track the panner flies around the room, starting at the
-- front left (pan = -1; pan_fr is 1, the front, unless set). Only this
-- track sends to the LFE (pan_lfe, dB): the subwoofer carries the
-- explosion's and the bang's weight and nothing else. Between its clips the
-- track is silent, so the `set`s a second before a clip jump unheard.
local move = track "FX MOVE" { channels = 1, to = fx, pan = -1, pan_lfe = -6 }
-- The distant explosion rolls past: from the front left to the back right
-- over its 3 s of rumble.
move:clip { "media/fx/big_explosion.ogg", at = "01:00:03:00", gain = -16, fade_out = 1 }
move.pan:ramp { at = "01:00:03:00", to = 1, over = 3 }
move.pan_fr:ramp { at = "01:00:03:00", to = -1, over = 3 }
-- The ship's timbers creak along the left wall, from behind to the front
-- (one channel of the stereo recording: `channel = 1`).
move:clip { "media/fx/creak.ogg", channel = 1, at = "01:00:28:00", gain = -10, fade_out = 0.2 }
move.pan:set { at = "01:00:27:00", to = -1 }
move.pan_fr:set { at = "01:00:27:00", to = -1 }
move.pan_fr:ramp { at = "01:00:28:00", to = 1, over = 1.2 }
-- Something falls over in the dark, behind us on the right.
move:clip { "media/fx/metalbang4.ogg", at = "01:01:24:00", gain = 0 }
move.pan:set { at = "01:01:23:00", to = 0.7 }
move.pan_fr:set { at = "01:01:23:00", to = -0.8 }

-- The printmaster never goes over -1 dBTP (a safety here: the mix stays
-- under it, so the stems still add up to the printmaster).
pm:limiter { ceiling = -1 }

---------------------------------------------------------------------------
-- Deliverables: 48 kHz 24-bit WAV in scripts/out/51/. A 5.1 file carries
-- its layout (WAVE_FORMAT_EXTENSIBLE channel mask: L R C LFE Ls Rs), so a
-- player or ffprobe knows which channel is which.
---------------------------------------------------------------------------
output { "out/51/printmaster.wav", from = pm, format = "wav24" }
output { "out/51/DX.wav", from = dx, format = "wav24" }
output { "out/51/MX.wav", from = mx, format = "wav24" }
output { "out/51/FX.wav", from = fx, format = "wav24" }
-- The stereo fold-down of the printmaster, checked on the way as a
-- distributor asks: Lo/Ro after ITU-R BS.775, Lo = L + 0.707 C + 0.707 Ls,
-- Ro = R + 0.707 C + 0.707 Rs (centre and surrounds at -3 dB), the LFE
-- left out. Its loudness and true peak are in the render's report.
output { "out/51/printmaster_LoRo.wav", from = pm, downmix = "LoRo", format = "wav24" }
