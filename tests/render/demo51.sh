#!/bin/sh
# demo51.sh - the 5.1 demo (scripts/demo51.lua) delivers what it says, read
# back by other tools:
#   - ffprobe reads the layout of the printmaster and the three stems as
#     "5.1(side)" (their WAVE_FORMAT_EXTENSIBLE channel mask) and of the
#     Lo/Ro fold-down as "stereo";
#   - the LFE carries only what was sent to it: the DX and MX stems' LFE
#     (picked by ffmpeg by its name, so by the mask) is silent, the
#     printmaster's equals the FX stem's, it is silent outside the clips of
#     the one track that sends to it (FX MOVE, pan_lfe = -6), and during the
#     explosion its RMS is the source's (decoded and resampled by sox) with
#     the clip gain and the LFE send, -16 - 6 dB, within 0.3 dB;
#   - the stems add up to the printmaster: sox sums DX + MX + FX and
#     subtracts the printmaster; the difference peaks below -120 dBFS (three
#     24-bit roundings and one: at most 2 LSB, -132 dBFS; the limiter must
#     never act on this mix);
#   - the Lo/Ro output is the documented fold-down of the printmaster
#     (ITU-R BS.775: Lo = L + C/sqrt 2 + Ls/sqrt 2, Ro = R + C/sqrt 2 +
#     Rs/sqrt 2, LFE dropped) computed by ffmpeg's pan filter from the
#     printmaster file by channel names: the difference peaks below
#     -120 dBFS (24-bit roundings: at most 1.9 LSB), and the fold-down does
#     not clip;
#   - block-size independence with every new node in the graph (surround
#     pans moving, reverb, convolution, fold-down): a render at --block 64
#     is byte-identical to the default's (1024) in every file (cmp).
# Skipped when the demo's media are not installed (scripts/install-deps.sh demo).
T=demo51
repo=$(pwd)
. tests/render/lib/common.sh
for tool in ffmpeg ffprobe; do
  command -v $tool >/dev/null 2>&1 || { echo "not ok - $T: $tool is missing (scripts/install-deps.sh test)"; exit 1; }
done
if [ ! -f "$repo/scripts/media/ir/hall.wav" ] || [ ! -d "$repo/scripts/media/dx" ]; then
  if ! MAKE_IR=${MAKE_IR:-$repo/${BUILD:-build}/tools/make_ir} "$repo/scripts/make-demo-media.sh" > media.log 2>&1; then
    echo "skip - $T: the demo's media could not be made: $(tail -1 media.log)"
    exit 0
  fi
fi
if ! "$DS" render "$repo/scripts/demo51.lua" --out "$W/out" > render.log 2>&1; then
  out=$(tail -5 render.log)
  notok "$T: scripts/demo51.lua renders" "exit status $?"
  exit 1
fi
ok "$T: scripts/demo51.lua renders"
O=$W/out
PM=$O/printmaster.wav

peak_db() { # FILE -> its peak level in dBFS (sox stats; -inf for silence)
  sox "$1" -n stats 2>&1 | awk '$1 == "Pk" && $2 == "lev" { print $4; exit }'
}
rms_db() { # FILE -> its RMS level in dBFS
  sox "$1" -n stats 2>&1 | awk '$1 == "RMS" && $2 == "lev" { print $4; exit }'
}
below() { # LEVEL LIMIT: LEVEL (dB, or -inf) is below LIMIT
  awk -v l="$1" -v m="$2" 'BEGIN { exit !(l == "-inf" || (l != "" && l + 0 < m)) }'
}
channel() { # FILE NAME OUT: channel NAME (ffmpeg's: FL FR FC LFE SL SR), by the file's mask
  ffmpeg -nostdin -v error -y -i "$1" -af "pan=mono|c0=$2" -c:a pcm_f32le "$3"
}

# ---- layouts --------------------------------------------------------------------
bad=""
for f in printmaster DX MX FX; do
  got=$(ffprobe -v error -select_streams a:0 -show_entries stream=channel_layout -of csv=p=0 "$O/$f.wav")
  [ "$got" = "5.1(side)" ] || bad="$bad $f:'$got'"
done
got=$(ffprobe -v error -select_streams a:0 -show_entries stream=channel_layout -of csv=p=0 "$O/printmaster_LoRo.wav")
[ "$got" = stereo ] || bad="$bad printmaster_LoRo:'$got'"
if [ -z "$bad" ]; then ok "$T: ffprobe reads the printmaster and the stems as 5.1(side), the Lo/Ro as stereo"
else out=$bad; notok "$T: the files' layouts as ffprobe reads them" "$bad"; fi

# ---- the LFE ---------------------------------------------------------------------
channel "$O/DX.wav" LFE dx_lfe.wav && channel "$O/MX.wav" LFE mx_lfe.wav &&
  channel "$O/FX.wav" LFE fx_lfe.wav && channel "$PM" LFE pm_lfe.wav ||
  { notok "$T: ffmpeg picks the LFE channels" "ffmpeg failed"; exit 1; }
a=$(peak_db dx_lfe.wav); b=$(peak_db mx_lfe.wav)
if [ "$a" = -inf ] && [ "$b" = -inf ]; then ok "$T: the DX and MX stems' LFE is silent (nothing there sends to it)"
else out="DX $a, MX $b"; notok "$T: the DX and MX stems' LFE is silent" "peaks DX $a dBFS, MX $b dBFS"; fi
sox -m -v 1 pm_lfe.wav -v -1 fx_lfe.wav lfe_diff.wav 2>/dev/null
d=$(peak_db lfe_diff.wav)
if below "$d" -120; then ok "$T: the printmaster's LFE is the FX stem's (difference $d dBFS)"
else out=$d; notok "$T: the printmaster's LFE is the FX stem's" "the difference peaks at $d dBFS"; fi
# FX MOVE's clips: the explosion at 3 s (5.69 s long), the creak at 28 s
# (1.25 s), the bang at 84 s (1.34 s); the programme starts at 0 in the files.
bad=""
for span in "0 2.99" "8.7 27.99" "29.3 83.99" "85.4 96"; do
  set -- $span
  sox fx_lfe.wav part.wav trim "$1" "=$2" 2>/dev/null
  p=$(peak_db part.wav)
  [ "$p" = -inf ] || bad="$bad $1-$2s:$p"
done
for span in "3 8" "28 29.2" "84 85.3"; do
  set -- $span
  sox fx_lfe.wav part.wav trim "$1" "=$2" 2>/dev/null
  p=$(peak_db part.wav)
  below "$p" -60 && bad="$bad $1-$2s:silent($p)"
done
if [ -z "$bad" ]; then ok "$T: the LFE sounds only during FX MOVE's three clips"
else out=$bad; notok "$T: the LFE sounds only during FX MOVE's three clips" "$bad"; fi
# the explosion before its 1 s fade-out: 3.0 to 7.68 s of the programme,
# the first 4.68 s of the file
sox "$repo/scripts/media/fx/big_explosion.ogg" -r 48000 src.wav trim 0 4.68 2>/dev/null &&
  sox fx_lfe.wav lfe_boom.wav trim 3 4.68 2>/dev/null
want=$(rms_db src.wav); got=$(rms_db lfe_boom.wav)
if awk -v w="$want" -v g="$got" 'BEGIN { d = g - (w - 22); if (d < 0) d = -d; exit !(w != "" && g != "" && d <= 0.3) }'; then
  ok "$T: the LFE during the explosion is the source -22 dB (RMS $got dBFS, source $want dBFS)"
else out="LFE $got, source $want"; notok "$T: the LFE during the explosion is the source -22 dB" "RMS $got dBFS, source $want dBFS"; fi

# ---- the stems add up to the printmaster ------------------------------------------
sox -m -v 1 "$O/DX.wav" -v 1 "$O/MX.wav" -v 1 "$O/FX.wav" -v -1 "$PM" -e float -b 32 null.wav 2>/dev/null
d=$(peak_db null.wav); s=$(peak_db "$PM")
if below "$d" -120; then ok "$T: DX + MX + FX - printmaster peaks at $d dBFS (the printmaster peaks at $s)"
else out=$d; notok "$T: the stems add up to the printmaster" "DX + MX + FX - printmaster peaks at $d dBFS"; fi

# ---- the Lo/Ro fold-down ------------------------------------------------------------
h=0.70710678118654752
ffmpeg -nostdin -v error -y -i "$PM" \
  -af "pan=stereo|FL=FL+$h*FC+$h*SL|FR=FR+$h*FC+$h*SR" -c:a pcm_f32le loro_ffmpeg.wav
sox -m -v 1 "$O/printmaster_LoRo.wav" -v -1 loro_ffmpeg.wav -e float -b 32 loro_diff.wav 2>/dev/null
d=$(peak_db loro_diff.wav); s=$(peak_db "$O/printmaster_LoRo.wav")
if below "$d" -120 && below "$s" 0; then
  ok "$T: the Lo/Ro output is ffmpeg's pan fold-down of the printmaster (difference $d dBFS; Lo/Ro peak $s dBFS, no clipping)"
else
  out="difference $d, peak $s"
  notok "$T: the Lo/Ro output is the fold-down of the printmaster" "difference $d dBFS, Lo/Ro peak $s dBFS"
fi

# ---- block size ------------------------------------------------------------------------
if "$DS" render "$repo/scripts/demo51.lua" --out "$W/b64" --block 64 --no-measure > render64.log 2>&1; then
  bad=""
  for f in printmaster DX MX FX printmaster_LoRo; do
    cmp -s "$O/$f.wav" "$W/b64/$f.wav" || bad="$bad $f"
  done
  if [ -z "$bad" ]; then ok "$T: at --block 64 every file is byte-identical to the default block's"
  else out=$bad; notok "$T: at --block 64 every file is byte-identical to the default block's" "differs:$bad"; fi
else
  out=$(tail -3 render64.log)
  notok "$T: scripts/demo51.lua renders at --block 64" "it failed"
fi
