#!/bin/sh
# convolve.sh - the convolution reverb's cost, and a peer on the same work.
#   kernel:   build/tools/conv_bench: dsp/convolver on a 2.5 s stereo IR
#             (partition 1024, the default), 60 s of noise in 1024-frame
#             calls, CPU time of the thread: ns per channel-sample;
#   engine:   `dubstage render --threads 1` of 60 s of stereo noise (a float
#             WAV) through t:convolve with a 2.5 s mono IR (normalize = false):
#             decode, convolve both channels, write a float WAV;
#   sox:      `sox noise.wav out.wav fir COEFS`, SoX's own FFT convolution
#             with the same 120,000 coefficients on both channels (SoX takes
#             one coefficient list for every channel, hence the mono IR).
# The engine and sox are each timed as whole processes by /usr/bin/time,
# $runs runs taking turns, the median by wall time. Afterwards the two
# outputs are compared (SoX centres its FIR: its output starts 59,999
# samples into the convolution, so dubstage's is trimmed to match), so the
# comparison is known to be of the same result.
#
# Usage: tests/bench/convolve.sh   (also run by tests/bench/run.sh)
# Environment: DUBSTAGE_BENCH_DIR (default /var/tmp/dubstage-bench), DUBSTAGE,
#   BUILD as in run.sh; DUBSTAGE_BENCH_RUNS (default 3 here).
cd "$(dirname "$0")/../.." || exit 1
BENCH="convolution bench"
. tests/bench/lib/prologue.sh
dir=${DUBSTAGE_BENCH_DIR:-/var/tmp/dubstage-bench}/convolve
runs=${DUBSTAGE_BENCH_RUNS:-3}
command -v sox >/dev/null 2>&1 || { echo "convolution bench: sox not found (make deps)" >&2; exit 1; }

if [ -x "$BUILD/tools/conv_bench" ]; then
  "$BUILD/tools/conv_bench" 60 1024 || echo "convolution bench: conv_bench failed"
else
  echo "convolution reverb kernel: skipped: $BUILD/tools/conv_bench is not built (make)"
fi

mkdir -p "$dir/out" || exit 1
cd "$dir" || exit 1
# the material, repeatable (-R): noise at -12 dBFS, a 2.5 s IR decaying to
# silence, and the IR's samples as SoX's coefficient list
if [ ! -f coefs.txt ]; then
  sox -V1 -R -n -r 48000 -c 2 -e float -b 32 noise.wav synth 60 whitenoise gain -12 &&
    sox -V1 -R -n -r 48000 -c 1 -e float -b 32 ir.wav synth 2.5 whitenoise fade p 0 2.5 2.5 gain -45 &&
    sox -V1 ir.wav -t f32 ir.f32 &&
    od -An -v -f -w4 ir.f32 | awk '{ print $1 }' > coefs.txt || { echo "convolution bench: no material" >&2; exit 1; }
fi
cat > conv.lua <<'LUA'
session { rate = 48000, length = 60 }
local t = track "NOISE" { channels = 2 }
t:clip { "noise.wav", at = 0 }
t:convolve { "ir.wav", normalize = false }
output { "out/dubstage.wav", from = t, format = "wav32f" }
LUA
printf 'exec %s render conv.lua --quiet --threads 1\n' "$bin" > dubstage.sh
printf 'exec sox -V1 noise.wav -e float -b 32 out/sox.wav fir coefs.txt\n' > sox.sh

n=1
while [ "$n" -le "$runs" ]; do
  for name in dubstage sox; do
    $TIME -f "%e %U %S" -o "time.$name.$n" sh "$name.sh" > "$name.log" 2>&1 ||
      { echo "convolution bench: $name failed: $(tail -3 "$name.log")"; exit 1; }
  done
  n=$((n + 1))
done
median() {
  for f in time."$1".*; do tail -1 "$f"; done | sort -n | awk -v m=$(( (runs + 1) / 2 )) 'NR == m { printf "%s %.2f\n", $1, $2 + $3 }'
}
read -r dw dc <<EOF
$(median dubstage)
EOF
read -r sw sc <<EOF
$(median sox)
EOF
awk -v dw="$dw" -v dc="$dc" -v sw="$sw" -v sc="$sc" 'BEGIN {
  cs = 60 * 48000 * 2
  printf "convolution, 2.5 s mono IR on 60 s of stereo noise, one core (whole process: decode, convolve, write):\n"
  printf "  dubstage  wall %6.2f s  CPU %6.2f s  %6.1f ns per channel-sample\n", dw, dc, dc * 1e9 / cs
  printf "  sox fir   wall %6.2f s  CPU %6.2f s  %6.1f ns per channel-sample  (sox / dubstage CPU: %.2fx)\n",
    sw, sc, sc * 1e9 / cs, (dc > 0 ? sc / dc : 0) }'
# the same result: dubstage trimmed to SoX's centring, both cut to SoX's length
len=$(soxi -V1 -s out/sox.wav)
sox -V1 out/dubstage.wav out/dub_trim.wav trim 59999s "$((len - 59999))s"
sox -V1 out/sox.wav out/sox_trim.wav trim 0 "$((len - 59999))s"
sox -V1 -m -v 1 out/dub_trim.wav -v -1 out/sox_trim.wav -n stats 2>&1 | awk '/^RMS lev dB/ { d = $4 } END {
  printf "  difference dubstage - sox: RMS %s dBFS", d }'
sox -V1 out/sox_trim.wav -n stats 2>&1 | awk '/^RMS lev dB/ { printf " (the signal: %s dBFS)\n", $4 }'
