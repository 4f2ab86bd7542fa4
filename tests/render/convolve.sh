#!/bin/sh
# convolve.sh - the convolution reverb through the command line, against
# another tool and against what `dubstage info` says:
#   - noise through a random 3000-tap IR (normalize = false, mix 1): the
#     render equals SoX's `fir` effect with the same coefficients (SoX's own
#     FFT convolution; its alignment measured on a click first) within 1e-5
#     of the peak, at partition 256 (the head's partitions only) and 64
#     (the IR's last 2104 taps through the tail's partitions of 512);
#   - `dubstage info` states the reverb's latency (the partition) on its op
#     line and on the bus, and the output reads that much later: a click at
#     sample 30000 is at sample 30000 of the file, and a dry parallel path
#     summed with a unit-impulse reverb doubles it there (aligned);
#   - a missing IR: one message with the script line and the path.
set -u
DUBSTAGE=${DUBSTAGE:-build/dubstage}
case $DUBSTAGE in /*) ;; *) DUBSTAGE=$(pwd)/$DUBSTAGE ;; esac
ok() { echo "ok - $1"; }
notok() { echo "not ok - $1: $2"; }
command -v sox >/dev/null 2>&1 || { echo "not ok - convolution reverb: sox is missing (make deps)"; exit 1; }
command -v python3 >/dev/null 2>&1 || { echo "not ok - convolution reverb: python3 is missing"; exit 1; }
tmp=$(mktemp -d "${TMPDIR:-/tmp}/dubstage-convolve.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
cd "$tmp" || exit 1

# The material: 1 s of noise then 0.2 s of silence (the IR's tail fits), a
# random decaying IR of 3000 taps as a WAV and as SoX's coefficient list, a
# click at sample 30000 and a unit impulse.
python3 - <<'PY'
import random, struct, math
random.seed(12)
def wav(name, frames, rate=48000):
    data = struct.pack('<%df' % len(frames), *frames)
    fmt = struct.pack('<HHIIHH', 3, 1, rate, rate * 4, 4, 32)
    with open(name, 'wb') as f:
        f.write(b'RIFF' + struct.pack('<I', 4 + 8 + len(fmt) + 8 + len(data)) + b'WAVE')
        f.write(b'fmt ' + struct.pack('<I', len(fmt)) + fmt + b'data' + struct.pack('<I', len(data)) + data)
noise = [0.25 * (2 * random.random() - 1) for _ in range(48000)] + [0.0] * 9600
ir = [(2 * random.random() - 1) * math.exp(-3 * k / 3000) * 0.05 for k in range(3000)]
wav('noise.wav', noise)
wav('ir.wav', ir)
with open('coefs.txt', 'w') as f:
    f.write('\n'.join('%.9g' % v for v in ir) + '\n')
wav('click.wav', [0.5 if k == 30000 else 0.0 for k in range(48000)])
wav('delta.wav', [1.0])
PY
[ -f coefs.txt ] || { notok "convolution reverb" "python3 could not write the material"; exit 1; }

read_f32() { sox "$1" -t f32 -c 1 "$2" 2>/dev/null; }

# --- against SoX's fir ---
sox click.wav -t f32 click_fir.f32 fir coefs.txt 2>/dev/null
sox noise.wav -t f32 sox_fir.f32 fir coefs.txt 2>/dev/null
for part in 256 64; do
  cat > fir.lua <<LUA
session { rate = 48000, length = 1.2 }
local t = track "T" { channels = 1 }
t:clip { "noise.wav", at = 0 }
t:convolve { "ir.wav", normalize = false, partition = $part }
output { "out/dub.wav", from = t, format = "wav32f" }
LUA
  if "$DUBSTAGE" render fir.lua --quiet > render.log 2>&1; then
    read_f32 out/dub.wav dub.f32
    res=$(python3 - <<'PY'
import struct
def rd(n):
    d = open(n, 'rb').read()
    return struct.unpack('<%df' % (len(d) // 4), d)
click, ref, dub = rd('click_fir.f32'), rd('sox_fir.f32'), rd('dub.f32')
# where SoX puts the click's first tap: sox[j] is the convolution at j - shift (SoX
# centres its filters: the first 1499 samples of the convolution are not in its output)
first = next(i for i, v in enumerate(click) if abs(v) > 1e-9)
shift = first - 30000
pk = max(abs(v) for v in dub)
err = max(abs(dub[i] - ref[i + shift]) for i in range(len(dub)) if 0 <= i + shift < len(ref))
print('%d %.3g %d' % (shift, err / pk if pk else 1, len(dub)))
PY
)
    set -- $res
    if [ "$#" -eq 3 ] && python3 -c "import sys; sys.exit(0 if float('$2') <= 1e-5 and $3 == 57600 else 1)"; then
      ok "a 3000-tap IR at partition $part renders what SoX's fir gives with the same coefficients (error $2 of the peak; SoX's shift $1)"
    else
      notok "a 3000-tap IR at partition $part renders what SoX's fir gives" "result: $res"
    fi
  else
    notok "the SoX comparison renders (partition $part)" "$(cat render.log)"
  fi
done

# --- latency: what info says, and the files aligned ---
cat > lat.lua <<'LUA'
session { rate = 48000, length = 1 }
local pm = bus "PM" { channels = 1 }
local v = bus "VERB" { channels = 1, to = pm }
local t = track "T" { channels = 1, to = pm }
t:clip { "click.wav", at = 0 }
t:send(v, 0)
v:convolve { "delta.wav", normalize = false, partition = 512 }
output { "out/pm.wav", from = pm, format = "wav32f" }
output { "out/verb.wav", from = v, format = "wav32f" }
LUA
"$DUBSTAGE" info lat.lua > info.txt 2>&1
if grep -q "conv .*latency 512 samples" info.txt && grep -q "latency  'VERB': 512 samples" info.txt &&
   grep -q "delay  track 'T' by 512 samples into bus 'PM'" info.txt; then
  ok "dubstage info: the reverb's op and its bus state 512 samples of latency; the dry path is delayed 512 samples"
else
  notok "dubstage info states the latency" "$(cat info.txt)"
fi
if "$DUBSTAGE" render lat.lua --quiet > render.log 2>&1; then
  read_f32 out/pm.wav pm.f32
  read_f32 out/verb.wav verb.f32
  res=$(python3 - <<'PY'
import struct
def rd(n):
    d = open(n, 'rb').read()
    return struct.unpack('<%df' % (len(d) // 4), d)
pm, verb = rd('pm.f32'), rd('verb.f32')
big = lambda x: [i for i, v in enumerate(x) if abs(v) > 0.1]
print(big(verb), big(pm), '%.6f' % pm[30000], len(pm))
PY
)
  if [ "$res" = "[30000] [30000] 1.000000 48000" ]; then
    ok "the reverb's click is at sample 30000 of its file, and dry + reverb meet there in PM (0.5 + 0.5)"
  else
    notok "the click aligned in the files" "got $res (want [30000] [30000] 1.000000 48000)"
  fi
else
  notok "the latency mix renders" "$(cat render.log)"
fi

# --- a missing IR ---
cat > missing.lua <<'LUA'
session { rate = 48000, length = 1 }
local v = bus "VERB"
v:convolve { "ir/hall.wav" }
output { "out/v.wav", from = v }
LUA
msg=$("$DUBSTAGE" render missing.lua 2>&1); st=$?
case $msg in
  *"missing.lua:3:"*"ir/hall.wav"*) [ "$st" -ne 0 ] && ok "a missing IR stops the render naming the line and the path: $msg" ||
      notok "a missing IR" "exit status 0";;
  *) notok "a missing IR names the line and the path" "$msg";;
esac
