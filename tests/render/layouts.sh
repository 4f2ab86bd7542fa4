#!/bin/sh
# layouts.sh - speaker layouts, file channel order and masks, fold-downs
# (docs/layouts.md), checked with readers that are not dubstage's:
#   - fold-down matrices: one signal per channel, apart in time
#     (lib/layout_media.py writes the float WAV with its channel mask),
#     rendered to float WAV, read back by ffmpeg, every coefficient within
#     1e-6 of the matrix written in docs/layouts.md (computed here with awk:
#     1/sqrt(2), 10^(dB/20));
#   - the same render at --block 1, 64 and 4096 is bit-identical;
#   - 5.1 and 7.1 outputs in WAV, FLAC and AIFF: ffprobe names the layout
#     (5.1(side), 7.1), ffmpeg's pan filter takes each channel by its NAME
#     (FL ... SL SR) and finds in it exactly the input channel of that
#     speaker; sox --i reads the channel count; a 7.1 source file in bit
#     order (L R C LFE BL BR SL SR) is reordered into the track's order and
#     back;
#   - a plain 6-channel output says "no speaker" (mask 0: ffprobe: 6
#     channels);
#   - loudness: an LFE-only addition leaves the integrated loudness as it
#     is, a surround reads 10 log10(1.41) = 1.49 dB louder than the same
#     tone in L, in dubstage's report and in ffmpeg's ebur128;
#   - errors: a route between layouts names both strips and both layouts,
#     a wrong layout word gets a did-you-mean, channels against layout, a
#     file whose mask is not the track's speakers is named.
T=layouts
. tests/render/lib/common.sh
ROOT=$OLDPWD
LM="python3 $ROOT/tests/render/lib/layout_media.py"
for tool in ffmpeg ffprobe python3; do
  command -v $tool >/dev/null 2>&1 || { echo "not ok - layouts: $tool is missing (make deps)"; exit 1; }
done
SEG=480

$LM make s51.wav 60F 6 $SEG
$LM make s50.wav 607 5 $SEG
$LM make s71.wav 63F 8 $SEG
$LM make slcr.wav 7 3 $SEG
$LM make s20.wav 3 2 $SEG

cat > fold.lua <<'EOF'
local function strip(name, layout, file)
  local t = track(name) { layout = layout }
  t:clip { file, at = 0 }
  return t
end
local t51, t50 = strip("T51", "5.1", "s51.wav"), strip("T50", "5.0", "s50.wav")
local t71, tlcr = strip("T71", "7.1", "s71.wav"), strip("TLCR", "LCR", "slcr.wav")
local t20 = strip("T20", "stereo", "s20.wav")
local pm, pm71 = bus "PM" { layout = "5.1" }, bus "PM71" { layout = "7.1" }
t51:to(pm)
t71:to(pm71)
local lr = bus "LR" { layout = "stereo" }
pm:to(lr)
local lr2 = bus "LR2" { layout = "stereo" }
pm:to(lr2, { downmix = "LoRo", centre = -6, surround = -4.5, lfe = -10 })
local f51 = bus "F51" { layout = "5.1" }
pm71:to(f51)
local lr50, lrlcr, mono = bus "LR50" { layout = "stereo" }, bus "LRLCR" { layout = "stereo" }, bus "M" { layout = "mono" }
t50:to(lr50)
tlcr:to(lrlcr)
t20:send(mono, { level = 0, mono = -6 })
output { "out/lr.wav", from = lr, format = "wav32f" }
output { "out/lr2.wav", from = lr2, format = "wav32f" }
output { "out/f51.wav", from = f51, format = "wav32f" }
output { "out/lr50.wav", from = lr50, format = "wav32f" }
output { "out/lrlcr.wav", from = lrlcr, format = "wav32f" }
output { "out/mono6.wav", from = mono, format = "wav32f" }
output { "out/pm71_loro.wav", from = pm71, format = "wav32f", downmix = "LoRo" }
output { "out/pm71_loro_c.wav", from = pm71, format = "wav32f", downmix = "LoRo", surround = -math.huge, lfe = 0 }
output { "out/mono.wav", from = lr, format = "wav32f", downmix = "mono" }
EOF

out=$("$DS" render fold.lua 2>&1)
if [ $? -ne 0 ]; then
  notok "fold-down script renders" "exit status"
  exit 1
fi
ok "fold-down script renders"

# matrix NAME OUT_CH IN_CH ROWS...: each ROW "a b" is one input channel's
# expected gains into the outputs (python expressions: h = 1/sqrt(2),
# db(x) = 10^(x/20))
matrix() {
  name=$1 oc=$2 ic=$3
  shift 3
  ffmpeg -v error -y -i "out/$name.wav" -f f32le "$name.raw" || { notok "$name read by ffmpeg" "ffmpeg failed"; return; }
  $LM matrix "$name.raw" "$oc" "$ic" $SEG > "$name.got"
  worst=$(python3 -c '
import math, sys
h, db = math.sqrt(0.5), lambda x: 10 ** (x / 20)
got = [[float(v) for v in l.split()] for l in open(sys.argv[1])]
want = [[eval(e) for e in r.split()] for r in sys.argv[2:]]
ok = len(got) == len(want) and all(len(g) == len(w) for g, w in zip(got, want))
print("%.3g" % max(abs(a - b) for g, w in zip(got, want) for a, b in zip(g, w)) if ok else "shape")
' "$name.got" "$@")
  printf '%s\n' "$@" > "$name.want"
  if [ "$worst" != shape ] && awk -v w="$worst" 'BEGIN { exit !(w <= 1e-6) }'; then
    ok "$name: the fold-down matrix is the documented one within 1e-6 (worst $worst)"
  else
    out="got:
$(cat "$name.got")
want:
$(cat "$name.want")"
    notok "$name: the fold-down matrix is the documented one within 1e-6" "worst difference $worst"
  fi
}

# 5.1 -> Lo/Ro, defaults: Lo = L + h C + h Ls, Ro = R + h C + h Rs, LFE dropped
matrix lr 2 6 "1 0" "0 1" "h h" "0 0" "h 0" "0 h"
# the gains given on the route: centre -6, surround -4.5, lfe -10 dB
matrix lr2 2 6 "1 0" "0 1" "db(-6) db(-6)" "db(-10) db(-10)" "db(-4.5) 0" "0 db(-4.5)"
# 7.1 -> 5.1: the source file is in bit order (FL FR FC LFE BL BR SL SR):
# BL/BR are Lrs/Rrs, SL/SR Lss/Rss; each joins Ls/Rs at h
matrix f51 6 8 "1 0 0 0 0 0" "0 1 0 0 0 0" "0 0 1 0 0 0" "0 0 0 1 0 0" "0 0 0 0 h 0" "0 0 0 0 0 h" \
  "0 0 0 0 h 0" "0 0 0 0 0 h"
# 5.0 and LCR -> Lo/Ro
matrix lr50 2 5 "1 0" "0 1" "h h" "h 0" "0 h"
matrix lrlcr 2 3 "1 0" "0 1" "h h"
# stereo -> mono through a send with mono = -6
matrix mono6 1 2 "db(-6)" "db(-6)"
# an output's downmix: 7.1 -> Lo/Ro directly (every surround at h), and
# with its gains (surrounds out, LFE at 0 dB)
matrix pm71_loro 2 8 "1 0" "0 1" "h h" "0 0" "h 0" "0 h" "h 0" "0 h"
matrix pm71_loro_c 2 8 "1 0" "0 1" "h h" "1 1" "0 0" "0 0" "0 0" "0 0"
# LR (itself the 5.1 Lo/Ro) folded to mono: h L + h R
matrix mono 1 6 "h" "h" "h*h+h*h" "0" "h*h" "h*h"

out=$("$DS" info fold.lua 2>&1)
if has "bus   'PM71_LoRo'  stereo (L R)" "out/pm71_loro.wav  <- 'PM71_LoRo' (2 ch, stereo" "bus   'LR_mono'  mono"; then
  ok "info shows an output's downmix as its implicit bus and its layout"
else
  notok "info shows an output's downmix as its implicit bus and its layout" "lacks '$missing'"
fi

# block-size independence of the whole script (reorder, folds, masks)
same=1
for b in 1 64 4096; do
  rm -rf "b$b"
  "$DS" render fold.lua --block $b --out "b$b" > /dev/null 2>&1 || same=0
done
for f in lr lr2 f51 lr50 lrlcr mono6 pm71_loro pm71_loro_c mono; do
  cmp -s "b1/$f.wav" "b64/$f.wav" && cmp -s "b1/$f.wav" "b4096/$f.wav" || same=0
done
if [ $same = 1 ]; then ok "folds and reorders are bit-identical at --block 1, 64, 4096"
else notok "folds and reorders are bit-identical at --block 1, 64, 4096" "files differ"; fi

# ---- channel order and masks, read by channel name ---------------------------
cat > pm.lua <<'EOF'
local t51 = track "T51" { layout = "5.1" }
t51:clip { "s51.wav", at = 0 }
local t71 = track "T71" { layout = "7.1" }
t71:clip { "s71.wav", at = 0 }
local pm, pm71 = bus "PM" { layout = "5.1" }, bus "PM71" { layout = "7.1" }
t51:to(pm)
t71:to(pm71)
local stems = bus "STEMS" { channels = 6 }
local t6 = track "T6" { channels = 6 }
t6:clip { "s51.wav", at = 0 }
t6:to(stems)
for _, f in ipairs { { "wav", "wav24" }, { "flac", "flac24" }, { "aiff", "aiff24" } } do
  output { "out/pm51." .. f[1], from = pm, format = f[2] }
  output { "out/pm71." .. f[1], from = pm71, format = f[2] }
end
output { "out/stems.wav", from = stems }
EOF
out=$("$DS" render pm.lua 2>&1) || { notok "5.1/7.1 outputs render" "exit status"; exit 1; }
for ext in wav flac aiff; do
  for l in 51 71; do
    f=out/pm$l.$ext
    want=7.1; names="FL FR FC LFE BL BR SL SR"; n=8
    [ $l = 51 ] && { want="5.1(side)"; names="FL FR FC LFE SL SR"; n=6; }
    got=$(ffprobe -v error -show_entries stream=channel_layout -of csv=p=0 "$f")
    if [ "$got" = "$want" ]; then ok "$f: ffprobe reads layout $want"
    else out=$got; notok "$f: ffprobe reads layout $want" "got '$got'"; fi
    # each channel, taken by name, carries exactly the source channel of
    # that speaker (the source files are in bit order: segment k is
    # the k-th name of the list)
    k=0 bad=
    for nm in $names; do
      ffmpeg -v error -y -i "$f" -af "pan=mono|c0=$nm" -f f32le ch.raw
      seg=$($LM which ch.raw $((n + 1)) $SEG)
      [ "$seg" = "$k" ] || bad="$bad $nm:[$seg]"
      k=$((k + 1))
    done
    if [ -z "$bad" ]; then ok "$f: every channel by name ($names) holds its own speaker's signal"
    else out=; notok "$f: every channel by name holds its own speaker's signal" "wrong:$bad"; fi
    c=$(sox --i -c "$f" 2>/dev/null)
    if [ "$c" = "$n" ]; then ok "$f: sox reads $n channels"; else out=; notok "$f: sox reads $n channels" "got '$c'"; fi
  done
done
mask=$(od -An -tx4 -j 72 -N 4 out/pm71.wav | tr -d ' ')
ok_mask=$(python3 -c "
import struct,sys
b=open('out/pm71.wav','rb').read(); i=12
while i < len(b):
    cid, size = b[i:i+4], struct.unpack('<I', b[i+4:i+8])[0]
    if cid == b'fmt ': print('%X' % struct.unpack('<I', b[i+8+20:i+8+24])[0]); break
    i += 8 + size + (size & 1)")
if [ "$ok_mask" = 63F ]; then ok "pm71.wav: dwChannelMask 0x63F"; else out=; notok "pm71.wav: dwChannelMask 0x63F" "got $ok_mask"; fi
got=$(ffprobe -v error -show_entries stream=channels,channel_layout -of csv=p=0 out/stems.wav)
case $got in 6,|6,unknown|"6") ok "6 plain channels: no speaker layout in the file ($got)" ;;
  *) out=; notok "6 plain channels: no speaker layout in the file" "ffprobe says '$got'" ;; esac

# ---- loudness weights by layout ------------------------------------------------
tone() { # OUT EXPRS (six, for L R C LFE Ls Rs)
  ffmpeg -v error -y -f lavfi -i "aevalsrc=exprs=$2:channel_layout=5.1(side):sample_rate=48000:duration=10" -c:a pcm_s24le "$1"
}
s='0.1*sin(2*PI*997*t)'
tone l.wav "$s|0|0|0|0|0"
tone lfe.wav "$s|0|0|0.5*sin(2*PI*60*t)|0|0"
tone ls.wav "0|0|0|0|$s|0"
cat > loud.lua <<'EOF'
for _, n in ipairs { "l", "lfe", "ls" } do
  local t = track(n) { layout = "5.1" }
  t:clip { n .. ".wav", at = 0 }
  local b = bus(n .. "_b") { layout = "5.1" }
  t:to(b)
  output { "out/" .. n .. ".wav", from = b }
end
EOF
out=$("$DS" render loud.lua 2>&1) || { notok "loudness script renders" "exit status"; exit 1; }
ours() { printf '%s\n' "$out" | awk -v f="out/$1.wav" 'index($0, f " ") == 3 { want = 1; next } want { for (i = 1; i <= NF; i++) if ($i == "I") print $(i + 1); want = 0 }'; }
theirs() { ffmpeg -nostats -hide_banner -i "out/$1.wav" -af ebur128 -f null - 2>&1 | awk '$1 == "I:" { v = $2 } END { print v }'; }
il=$(ours l) ilfe=$(ours lfe) ils=$(ours ls)
fl=$(theirs l) flfe=$(theirs lfe) fls=$(theirs ls)
near() { awk -v a="$1" -v b="$2" -v t="$3" 'BEGIN { d = a - b; if (d < 0) d = -d; exit !(a != "" && b != "" && d <= t) }'; }
if near "$il" "$ilfe" 0.05 && near "$fl" "$flfe" 0.1; then
  ok "an LFE-only signal leaves integrated loudness as it is (dubstage $il / $ilfe LUFS, ffmpeg $fl / $flfe)"
else out=; notok "an LFE-only signal leaves integrated loudness as it is" "dubstage $il / $ilfe, ffmpeg $fl / $flfe"; fi
d=$(awk -v a="$ils" -v b="$il" 'BEGIN { print a - b }')
if near "$d" 1.4922 0.05 && near "$ils" "$fls" 0.15; then
  ok "a surround weighs 1.41 (+1.49 dB): $ils vs $il LUFS; ffmpeg reads $fls"
else out=; notok "a surround weighs 1.41 (+1.49 dB)" "dubstage Ls $ils, L $il (diff $d), ffmpeg Ls $fls"; fi

# ---- errors ----------------------------------------------------------------------
rm -rf out
$LM make s71b.wav FF 8 $SEG
# refuse NAME SCRIPT_TEXT WORD...: the script (printf format) fails naming every WORD
refuse() {
  name=$1 text=$2
  shift 2
  printf "$text" > e.lua
  out=$("$DS" render e.lua 2>&1); rc=$?
  expect_failed "$name" "$@"
}
refuse "a route between layouts names both strips and both layouts" \
  'local a = bus "A" { layout = "5.1" }\nlocal b = bus "B" { layout = "LCR" }\na:to(b)\noutput { "out/x.wav", from = b }\n' \
  "e.lua:1" "bus 'A' (layout 5.1)" "bus 'B' (layout LCR)"
refuse "a wrong layout word suggests the right one" 'local a = bus "A" { layout = "5,1" }\n' \
  "e.lua:1" "unknown layout '5,1'; did you mean '5.1'?"
refuse "channels against layout is an error naming the line" 'local a = bus "A" { layout = "7.1", channels = 6 }\n' \
  "e.lua:1" "channels = 6 conflicts with its layout \"7.1\""
refuse "a file whose mask is not the track's speakers is named" \
  'local t = track "T" { layout = "7.1" }\nt:clip { "s71b.wav", at = 0 }\nlocal b = bus "B" { layout = "7.1" }\nt:to(b)\noutput { "out/x.wav", from = b }\n' \
  "e.lua:2" "s71b.wav" "mask 0xFF" "layout 7.1"
refuse "downmix = LoRo into a 5.1 bus is refused" \
  'local a = bus "A" { layout = "5.1" }\nlocal b = bus "B" { layout = "5.1" }\na:to(b, { downmix = "LoRo" })\noutput { "out/x.wav", from = b }\n' \
  "e.lua:3" "downmix = \"LoRo\" makes stereo" "bus 'B' has layout 5.1"
refuse "an unknown downmix word suggests the right one" \
  'local a = bus "A" { layout = "5.1" }\noutput { "out/x.wav", from = a, downmix = "Lo/Ro" }\n' \
  "e.lua:2" "unknown downmix 'Lo/Ro'; did you mean 'LoRo'?"
