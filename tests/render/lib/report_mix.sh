# report_mix.sh - the mix the QC report tests render (report.sh,
# report_html.sh): sourced in the test's work folder after common.sh. Makes
# its media with sox (the noise seeded, -R, so every run measures the same signal): a steady -10 dBFS sine on the score (under a
# compressor), two lines of pink noise on the dialogue, a 1 kHz hit on FX
# (a bus no output records, ducked under the dialogue), three cues, and an
# EBU R 128 deliverable on the printmaster; 20 s at 48 kHz from 10:00:00:00.
sox -n -r 48000 -c 2 -b 24 music.wav synth 20 sine 440 gain -10
sox -R -n -r 48000 -c 1 -b 24 speech.wav synth 3 pinknoise gain -12 fade 0.05 3 0.05
sox -n -r 48000 -c 2 -b 24 hits.wav synth 1 sine 1000 gain -6 fade 0.01 1 0.3
printf 'name,time\nlogo,10:00:01:00\nline one,10:00:02:00\nline two,10:00:12:00\n' >cues.csv
cat >mix.lua <<'EOF'
session { rate = 48000, fps = "25", start = "10:00:00:00" }
local cue = markers "cues.csv"
local pm = bus "PM"
local dx = bus "DX" { to = pm }
local mx = bus "MX" { to = pm }
local fx = bus "FX" { to = pm }                 -- no output: metered as a bus
local d = track "DIA" { channels = 1, to = dx }
d:clip { "speech.wav", at = cue "line one" }
d:clip { "speech.wav", at = cue "line two" }
track "SCORE" { to = mx }:clip { "music.wav", at = 0 }
mx:compressor { threshold = -30, ratio = 4, detector = "rms" }
track "HITS" { to = fx }:clip { "hits.wav", at = 5 }
duck { fx, under = dx, depth = -6, attack = 0.05, release = 0.3, preroll = 0 }
output { "out/pm.wav", from = pm, format = "wav32f" }
output { "out/dx.wav", from = dx, format = "wav24" }
output { "out/mx.wav", from = mx, format = "wav24" }
deliver { pm, spec = "ebu-r128" }
EOF
