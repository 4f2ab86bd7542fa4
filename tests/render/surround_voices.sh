#!/bin/sh
# surround_voices.sh - the routing check with Debian's alsa-utils channel
# voices (/usr/share/sounds/alsa/Front_Left.wav ...: a voice saying its
# speaker's name). Each voice is placed by the surround panner at its named
# speaker (pan, pan_fr) of a 5.1 and a 7.1 bus, all at once, and the
# outputs (wav24, WAVE_FORMAT_EXTENSIBLE) are read back by ffmpeg, each
# channel picked by its NAME (`-af pan=mono|c0=FL`, so the file's channel
# mask decides which channel that is): the channel minus its voice (sox)
# peaks below -90 dBFS, so the voice is there, at unity, and nothing else
# is; the LFE is silent. ffprobe names the layouts "5.1(side)" and "7.1".
# (tests/unit/test_surround_render.c reads the same files' channels by the
# mask through libsndfile.)
T=surround_voices
. tests/render/lib/common.sh
V=/usr/share/sounds/alsa
if [ ! -f $V/Front_Left.wav ]; then
  echo "skip - $T: the alsa-utils voices are not installed (scripts/install-deps.sh test)"
  exit 0
fi
if ! command -v ffmpeg >/dev/null 2>&1; then
  echo "not ok - $T: ffmpeg is missing (scripts/install-deps.sh test)"
  exit 1
fi

# voice, ffmpeg's name for its channel, pan, pan_fr; one list per layout
# (5.1's surrounds are the side pair, as its channel mask says)
VOICES_51="Front_Left FL -1 1
Front_Right FR 1 1
Front_Center FC 0 1
Side_Left SL -1 -1
Side_Right SR 1 -1"
VOICES_71="Front_Left FL -1 1
Front_Right FR 1 1
Front_Center FC 0 1
Side_Left SL -1 0
Side_Right SR 1 0
Rear_Left BL -1 -1
Rear_Right BR 1 -1"

script() { # LAYOUT VOICES -> mix.lua
  {
    echo "session { rate = 48000 }"
    echo "local b = bus \"B\" { layout = \"$1\" }"
    printf '%s\n' "$2" | while read -r voice name x y; do
      echo "track \"$voice\" { channels = 1, to = b, pan = $x, pan_fr = $y }:clip { \"$V/$voice.wav\", at = 0 }"
    done
    echo "output { \"out/b.wav\", from = b, format = \"wav24\" }"
  } >mix.lua
}

peak_db() { # FILE -> its peak level in dBFS (sox stats; -inf for silence)
  sox "$1" -n stats 2>&1 | awk '$1 == "Pk" && $2 == "lev" { print $4; exit }'
}

check_layout() { # LAYOUT VOICES FFPROBE_NAME
  rm -rf out
  script "$1" "$2"
  out=$("$DS" render mix.lua 2>&1) || { notok "$1: the voices render" "exit status $?"; return; }
  got=$(ffprobe -v error -select_streams a:0 -show_entries stream=channel_layout -of csv=p=0 out/b.wav)
  if [ "$got" = "$3" ]; then ok "$1: ffprobe reads the file's layout as $3 (its channel mask)"
  else out=$got; notok "$1: ffprobe reads the file's layout as $3" "it reads '$got'"; fi
  bad=""
  while read -r voice name x y; do
    ffmpeg -nostdin -v error -y -i out/b.wav -af "pan=mono|c0=$name" -c:a pcm_f32le ch.wav || { bad="$bad $name(ffmpeg)"; continue; }
    level=$(peak_db ch.wav)
    sox -m -v 1 ch.wav -v -1 "$V/$voice.wav" diff.wav 2>/dev/null
    rest=$(peak_db diff.wav)
    # the voice is there (its peak is above -30 dBFS) and the channel minus it is below -90 dBFS
    if ! awk -v l="$level" -v r="$rest" 'BEGIN { exit !(l != "-inf" && l + 0 > -30 && (r == "-inf" || r + 0 < -90)) }'; then
      bad="$bad $name(voice $level dB, rest $rest dB)"
    fi
  done <<EOF
$2
EOF
  if [ -z "$bad" ]; then ok "$1: each voice, picked by ffmpeg by its channel's name, is in that channel only (rest below -90 dBFS)"
  else out=$bad; notok "$1: each voice in its named channel only" "$bad"; fi
  ffmpeg -nostdin -v error -y -i out/b.wav -af "pan=mono|c0=LFE" -c:a pcm_f32le ch.wav
  lfe=$(peak_db ch.wav)
  if [ "$lfe" = "-inf" ]; then ok "$1: the LFE is silent (no voice sends to it)"
  else out=$lfe; notok "$1: the LFE is silent" "its peak is $lfe dBFS"; fi
}

check_layout 5.1 "$VOICES_51" "5.1(side)"
check_layout 7.1 "$VOICES_71" "7.1"
