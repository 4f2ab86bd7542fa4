#!/bin/sh
# duck_real.sh - a ducking rule on real recordings: Czech dialogue lines from
# Fish Fillets NG over a Battle for Wesnoth score cue (the demo's media).
# The same mix is rendered with and without the rule; the ratio of the two
# music stems over a window is the duck's gain there, whatever the music
# does. Checks (issue 4): during lines the music sits depth (-9 dB) +-1 dB
# below the unducked render; it is untouched between lines farther apart than
# `bridge`; a gap shorter than `bridge` stays ducked; the dip starts preroll
# before a line's onset (+-10 ms).
set -u
DUBSTAGE=${DUBSTAGE:-build/dubstage}
case $DUBSTAGE in /*) ;; *) DUBSTAGE=$(pwd)/$DUBSTAGE ;; esac
ok() { echo "ok - $1"; }
notok() { echo "not ok - $1: $2"; }
command -v sox >/dev/null 2>&1 || { echo "not ok - duck on real recordings: sox is missing (make deps)"; exit 1; }
if [ ! -d scripts/media/dx ]; then
  scripts/make-demo-media.sh >/dev/null 2>&1 || { echo "not ok - duck on real recordings: demo media could not be made"; exit 1; }
fi
media=$(cd scripts/media && pwd)
tmp=$(mktemp -d "${TMPDIR:-/tmp}/dubstage-duck.XXXXXX")
trap 'rm -rf "$tmp"' EXIT

# lines at 2 s and 4.6 s (a pause under 1.5 s after the first: bridged), and
# at 12 s (far from the others)
cat > "$tmp/mix.lua" <<LUA
session { rate = 48000, length = 16 }
local pm = bus "PM"
local dx = bus "DX" { to = pm }
local mx = bus "MX" { to = pm }
local d = track "DIA" { channels = 1, to = dx }
local a = d:clip { "$media/dx/1st-m-pockej.ogg", at = 2 }
local b = d:clip { "$media/dx/1st-v-netusim.ogg", at = a.finish + 0.6 }
d:clip { "$media/dx/1st-m-cotobylo.ogg", at = 12 }
track "SCORE" { to = mx, gain = -6 }:clip { "$media/mx/underground.ogg", at = 0, from = 34 }
DUCK
output { "out/mx.wav", from = mx, format = "wav32f" }
output { "out/dx.wav", from = dx, format = "wav32f" }
LUA
sed 's/^DUCK$/duck { mx, under = dx, depth = -9, attack = 0.08, release = 0.6, hold = 0.2, preroll = 0.3, bridge = 1.5 }/' \
  "$tmp/mix.lua" > "$tmp/duck.lua"
sed 's/^DUCK$//' "$tmp/mix.lua" > "$tmp/dry.lua"
"$DUBSTAGE" render "$tmp/duck.lua" --quiet --out "$tmp/duck" > "$tmp/log" 2>&1 &&
  "$DUBSTAGE" render "$tmp/dry.lua" --quiet --out "$tmp/dry" >> "$tmp/log" 2>&1 ||
  { notok "duck on real recordings renders" "$(tail -2 "$tmp/log")"; exit 1; }

rms() { # FILE START LENGTH -> RMS dB
  sox "$1" -n trim "$2" "$3" stats 2>&1 | awk '/^RMS lev dB/ { print $4 }'
}
gain_at() { # START LENGTH -> ducked minus dry, dB
  awk -v a="$(rms "$tmp/duck/mx.wav" "$1" "$2")" -v b="$(rms "$tmp/dry/mx.wav" "$1" "$2")" 'BEGIN { printf "%.2f", a - b }'
}
within() { awk -v v="$1" -v w="$2" -v t="$3" 'BEGIN { d = v - w; if (d < 0) d = -d; exit !(d <= t) }'; }

# line times from the dialogue stem: the first non-silent sample after 1 s and after 11 s
onset() { # FILE FROM -> seconds of the first sample above -60 dBFS
  sox "$1" -t dat - trim "$2" 2>/dev/null | awk -v from="$2" 'NR > 2 { v = $2 < 0 ? -$2 : $2; if (v > 0.001) { printf "%.5f", $1 + from; exit } }'
}
on1=$(onset "$tmp/dry/dx.wav" 1)
on3=$(onset "$tmp/dry/dx.wav" 11)

g=$(gain_at 2.6 0.5)
if within "$g" -9 1; then ok "during a real line the score sits $g dB under the unducked render (-9 +-1)"
else notok "during a real line the score sits -9 dB under" "measured $g dB"; fi
g=$(gain_at 8 2)
if within "$g" 0 0.05; then ok "between lines farther apart than bridge the score is untouched ($g dB)"
else notok "between distant lines the score is untouched" "measured $g dB"; fi
# the pause between the first two lines (0.6 s) is bridged: mid-pause is still ducked
pause=$(awk -v a="$on1" 'BEGIN { print a + 2.7 }')
g=$(gain_at "$pause" 0.1)
if within "$g" -9 1; then ok "a 0.6 s pause (shorter than bridge) stays ducked ($g dB)"
else notok "a short pause stays ducked" "measured $g dB at $pause s"; fi
# the dip starts preroll before the onset: compare the two renders sample by sample
start=$(sox -m -v 1 "$tmp/duck/mx.wav" -v -1 "$tmp/dry/mx.wav" -t dat - trim 11 2>/dev/null |
  awk 'NR > 2 { v = $2 < 0 ? -$2 : $2; if (v > 1e-6) { printf "%.5f", $1 + 11; exit } }')
want=$(awk -v o="$on3" 'BEGIN { printf "%.5f", o - 0.3 }')
if [ -n "$start" ] && within "$start" "$want" 0.010; then
  ok "the dip starts preroll before the line's onset ($start s for an onset at $on3 s)"
else
  notok "the dip starts preroll before the onset" "dip at '$start' s, onset '$on3' s, want $want s"
fi
