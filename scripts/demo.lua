-- demo.lua - "The Wreck": a 96-second scene mixed in dubstage.
--
-- Two fish hear a boom, swim out, find a sunken ship, and end up in the
-- captain's cabin. Dialogue, score, two ambience beds and a handful of hard
-- effects are mixed to a stereo printmaster plus DX / MX / FX stems, the
-- way a dub stage delivers a reel.
--
--   scripts/make-demo-media.sh            -- gathers the sounds into scripts/media/
--   build/dubstage render scripts/demo.lua   -- writes scripts/out/*.wav
--   (or simply: make demo)
--
-- Where the sounds come from (all Debian packages; see make-demo-media.sh):
--   dialogue  Fish Fillets NG, Czech cast (fillets-ng-data-cs, GPL-2). The
--             small fish is DIA 1, the big fish DIA 2; the English subtitle
--             of every line is in the comment above its clip.
--   score     "underground", Battle for Wesnoth (wesnoth-1.16-music, GPL-2+)
--   ambience  UFO: Alien Invasion (ufoai-sound): minepump03 (CC-BY-3.0,
--             Manuel "Vanethian" Marino, Gren, David Reeves, azrael1322,
--             Karl Macklin), droning_long (GPL-2)
--   effects   UFO: Alien Invasion (CC-BY-SA-3.0; creak GPL-2) and
--             Word War vi by Stephen M. Cameron (wordwarvi-sound, CC-BY-SA-3.0)
--
-- The sources are left as the packages ship them: Ogg Vorbis at 8.012,
-- 22.05, 44.1 and 48 kHz, mono and stereo. dubstage decodes and resamples
-- them to the session rate itself, so nothing is converted beforehand.
--
-- Levels: every dialogue line was measured (EBU R128 integrated loudness)
-- and given a clip gain that brings it to about -24 LUFS; the DIA faders
-- at -2 dB put the dialogue near -26 LUFS, where a theatrical mix sits.
-- Score and beds are set 8-10 LU under the dialogue, hard effects a little
-- above the beds.

-- The session: 48 kHz, 24 fps film, first frame of picture at 01:00:00:00,
-- 96 seconds long. Every `at` below is an absolute timecode in this session
-- (at 24 fps the frame field runs 00..23, so ":12" is half a second).
session { rate = 48000, fps = "24", start = "01:00:00:00", length = "00:01:36:00" }

-- Buses. The printmaster (PM) is stereo; the three stems feed it, so what
-- is in the stems adds up to the printmaster (a delivery requirement: the
-- M&E for a foreign version is rebuilt from MX + FX).
local pm = bus "PM"
local dx = bus "DX" { to = pm }     -- dialogue stem
local mx = bus "MX" { to = pm }     -- music stem
local fx = bus "FX" { to = pm }     -- effects stem: ambience and hard effects

-- Tracks. Dialogue is recorded mono; each character is panned a little off
-- centre so the two voices separate without leaving the screen
-- (constant-power pan: -1 is hard left, 1 hard right).
local dia1 = track "DIA 1" { channels = 1, to = dx, pan = -0.15, gain = -2 }  -- small fish
local dia2 = track "DIA 2" { channels = 1, to = dx, pan = 0.15, gain = -2 }   -- big fish
local score = track "SCORE" { channels = 2, to = mx, gain = -3 }
-- Ambience is checkerboarded over two tracks, as an editor would cut it, so
-- that one bed can fade out while the next fades in (a crossfade).
local amb_a = track "AMB A" { channels = 2, to = fx }
local amb_b = track "AMB B" { channels = 2, to = fx }
-- Hard effects: a stereo track. The Word War vi sounds are mono files; a
-- mono clip on a stereo track plays on both channels (phantom centre).
local sfx = track "FX A" { channels = 2, to = fx }

---------------------------------------------------------------------------
-- Ambience
---------------------------------------------------------------------------

-- Outside: a low pump rumble, the home the fish live in. Start 40 s into the
-- recording (`from`), fade up over 2 s with the picture, and hand over to the
-- interior bed at 00:31-00:35.
amb_a:clip { "media/amb/minepump03.ogg", at = "01:00:00:00", from = 40, length = 35,
             gain = -14, fade_in = 2, fade_out = 4 }

-- Inside the wreck: a dark drone. This file is 8012 Hz stereo; the engine
-- resamples it. It fades in under the last 4 s of the pump bed and runs to
-- the end of the scene.
amb_b:clip { "media/amb/droning_long.ogg", at = "01:00:31:00", from = 1, length = 65,
             gain = -12, fade_in = 4, fade_out = 3 }

---------------------------------------------------------------------------
-- Scene 1: the fishes' home
---------------------------------------------------------------------------

-- A distant explosion, kept low so that it reads far away.
sfx:clip { "media/fx/big_explosion.ogg", at = "01:00:03:00", gain = -16, fade_out = 1 }

-- Short fades on every line: 10 ms in, 50 ms out, so no cut clicks.

-- "What was that?"
dia1:clip { "media/dx/1st-m-cotobylo.ogg", at = "01:00:05:12", gain = -10.5, fade_in = 0.01, fade_out = 0.05 }
-- "I have no idea."
dia2:clip { "media/dx/1st-v-netusim.ogg", at = "01:00:07:18", gain = -7.5, fade_in = 0.01, fade_out = 0.05 }
-- "We should go and have a look outside."
dia2:clip { "media/dx/1st-v-ven.ogg", at = "01:00:10:06", gain = -8.5, fade_in = 0.01, fade_out = 0.05 }
-- "Wait! I'm going with you."
dia1:clip { "media/dx/1st-m-pockej.ogg", at = "01:00:13:06", gain = -7.5, fade_in = 0.01, fade_out = 0.05 }

-- The hatch of their home opens.
sfx:clip { "media/fx/door3-open.ogg", at = "01:00:16:12", gain = -10 }

---------------------------------------------------------------------------
-- Scene 2: the wreck
---------------------------------------------------------------------------

-- The score enters as they swim out. `from = 34` starts the cue 34 s into
-- the file; the clip runs 78 s, to the last frame of the scene, and fades
-- out over the last 8 s. The 4 s fade-in lets it creep in under the hatch.
score:clip { "media/mx/underground.ogg", at = "01:00:18:00", from = 34, length = 78,
             gain = -10, fade_in = 4, fade_out = 8 }

-- "Could this be Captain Silver's ship?"
dia2:clip { "media/dx/pot-v-lod.ogg", at = "01:00:22:00", gain = -8.5, fade_in = 0.01, fade_out = 0.05 }
-- "What makes you think so?"
dia1:clip { "media/dx/pot-m-soud.ogg", at = "01:00:25:12", gain = -9, fade_in = 0.01, fade_out = 0.05 }

-- No answer, only the ship's timbers. (8012 Hz stereo source.)
sfx:clip { "media/fx/creak.ogg", at = "01:00:28:00", gain = -10, fade_out = 0.2 }

-- "It looks like we have to go inside."
dia1:clip { "media/dx/pot-m-dovn.ogg", at = "01:00:29:12", gain = -10, fade_in = 0.01, fade_out = 0.05 }

-- A rusted hatch gives way: the cut to the interior, where the beds cross.
sfx:clip { "media/fx/breakmetal02.ogg", at = "01:00:32:12", gain = -12 }

-- "The air in here smells so stale."
dia1:clip { "media/dx/pot-m-zatuch.ogg", at = "01:00:38:00", gain = -7.5, fade_in = 0.01, fade_out = 0.05 }
-- "It seems that nobody's here."
dia2:clip { "media/dx/pot-v-nikdo.ogg", at = "01:00:41:00", gain = -5.5, fade_in = 0.01, fade_out = 0.05 }
-- "I don't like it here."
dia1:clip { "media/dx/pot-m-moc.ogg", at = "01:00:44:00", gain = -7, fade_in = 0.01, fade_out = 0.05 }
-- "Stop talking and swim. Old ship interiors are highly interesting places."
dia2:clip { "media/dx/pot-v-plav.ogg", at = "01:00:46:18", gain = -7.5, fade_in = 0.01, fade_out = 0.05 }

---------------------------------------------------------------------------
-- Scene 3: the captain's cabin
---------------------------------------------------------------------------

-- The cabin door.
sfx:clip { "media/fx/door2-open.ogg", at = "01:00:54:00", gain = -3 }

-- "Look, he had a human skull here!"
dia1:clip { "media/dx/k1-m-lebku.ogg", at = "01:00:57:00", gain = -7, fade_in = 0.01, fade_out = 0.05 }
-- "Well, maybe it's his own skull."
dia2:clip { "media/dx/k1-v-jejeho.ogg", at = "01:01:00:12", gain = -8, fade_in = 0.01, fade_out = 0.05 }
-- "You think so?"  (said under the breath: left 2 dB under the others)
dia1:clip { "media/dx/k1-m-mysli.ogg", at = "01:01:03:18", gain = 0, fade_in = 0.01, fade_out = 0.05 }
-- "Can you sense the atmosphere of rot and decay? The sunken wreck, the
--  parrot's skeleton, the human skull, and the broken cradle..."
dia2:clip { "media/dx/k1-v-citis.ogg", at = "01:01:06:00", gain = -5.5, fade_in = 0.01, fade_out = 0.05 }
-- "Where do you see the cradle?"
dia1:clip { "media/dx/k1-m-kolebku.ogg", at = "01:01:16:00", gain = -7.5, fade_in = 0.01, fade_out = 0.05 }
-- "Oh, you don't have any feeling for poetry at all..."
dia2:clip { "media/dx/k1-v-cit.ogg", at = "01:01:18:12", gain = -6.5, fade_in = 0.01, fade_out = 0.05 }

-- Something falls over in the dark; the score carries us out.
sfx:clip { "media/fx/metalbang4.ogg", at = "01:01:24:00", gain = 0 }

---------------------------------------------------------------------------
-- Processing. Inserts run in order on a track or bus, before its fader.
-- Dialogue: a high-pass to clear rumble and a little presence.
for _, d in ipairs { dia1, dia2 } do
  d:eq { "highpass", freq = 90 }
  d:eq { "peak", freq = 3000, gain = 2, q = 1 }
end
-- The score makes room for every line: it dips 4 dB in the speech band,
-- starting 0.3 s before each line, and stays down through pauses shorter
-- than 1.5 s so it does not pump (`dubstage automation demo.lua MX.bandduck`
-- shows the moves this makes).
duck { mx, under = dx, depth = -4, band = { 700, 5000 }, preroll = 0.3, attack = 0.1, release = 0.8, bridge = 1.5 }
-- The hard effects ring out under water: a send into an echo on an aux
-- bus (100 % echo: the dry effects reach FX on their own track). Each
-- repeat is 30 % of the last (-10.5 dB) and darker through the loop's
-- 2.5 kHz low-pass; as the fish near the ship the repeats draw closer
-- (0.36 s to 0.25 s, slower than the delay's glide, so followed exactly).
local echo = bus "FX ECHO" { to = fx }
local ring = echo:delay { time = 0.36, feedback = 30, lowpass = 2500, highpass = 150 }
ring.time:ramp { at = "01:00:12:00", to = 0.25, over = 4 }
sfx:send(echo, -12)
-- Stereo width (mid/side; what a mono fold-down hears does not change):
-- the home's pump bed opens out as the hatch opens and the fish swim out,
-- and inside the wreck the drone starts wide and closes in around them on
-- the swim to the cabin door.
local outside = amb_a:width { width = 0.8 }
outside.width:ramp { at = "01:00:16:12", to = 1.3, over = 3 }
local closing_in = amb_b:width { width = 1.4 }
closing_in.width:ramp { at = "01:00:35:00", to = 0.7, over = 19 }
-- The printmaster never goes over -1 dBTP (true peak, as delivery specs ask);
-- its 5 ms look-ahead is compensated, so every output stays in sync.
pm:limiter { ceiling = -1 }

---------------------------------------------------------------------------
-- Deliverables: the printmaster and the three stems, 48 kHz 24-bit WAV.
-- Like clip paths, these are relative to this script's folder (so the files
-- land in scripts/out/); `--out DIR` puts every file in DIR instead.
---------------------------------------------------------------------------
output { "out/printmaster.wav", from = pm, format = "wav24" }
output { "out/DX.wav", from = dx, format = "wav24" }
output { "out/MX.wav", from = mx, format = "wav24" }
output { "out/FX.wav", from = fx, format = "wav24" }
