#!/bin/sh
# normalize.sh - output { ..., normalize = { integrated, true_peak } }
# (docs/loudness.md#normalising-an-output), checked against ffmpeg and
# against the rendered signal itself:
#  - real recordings from Debian packages (music, mono speech, ambience)
#    normalised to -23/-1, -24/-2, -14/-1 and -16/-1 read, by ffmpeg's
#    ebur128=peak=true on the written file, within 0.1 LU of the target and
#    at or under the ceiling (its per-channel true peaks, 3 decimals linear);
#  - where no peak needs it the report says 0 segments and every sample of
#    the file is float32(rendered * g) for one float g, bit for bit; where
#    the limiter acts (a loud target on peaky music) the samples that
#    differ from rendered * g are exactly as many as the report's limited
#    time says, and its deepest reduction is the report's;
#  - stems take the printmaster's gain: the stems' files still sum to the
#    printmaster's (float rounding) and each is its rendered stem times g;
#  - the file is the same at --block 1, 64 and 4096; a QC report
#    (--report) shows the file as written, and the limiter's reduction per
#    point where the file differs from rendered * g, as deep;
#  - on a terminal, a progress bar for each normalising pass;
#  - errors: targets out of range, a misspelt key, an unreachable target
#    and a silent output fail naming the line, leaving no file.
T=normalize
. tests/render/lib/common.sh
CHECK="python3 $OLDPWD/tests/render/lib/normalize_check.py"
for tool in ffmpeg python3; do
  command -v "$tool" >/dev/null 2>&1 || { echo "not ok - normalize: $tool is missing (make deps)"; exit 1; }
done
wesnoth=/usr/share/games/wesnoth/1.16/data/core/music
fillets=/usr/share/games/fillets-ng/sound
media="$OLDPWD/scripts/media"
if [ ! -d "$media/amb" ]; then
  (cd "$OLDPWD" && scripts/make-demo-media.sh) > media.log 2>&1 ||
    { notok "normalize: demo media" "$(tail -1 media.log)"; exit 1; }
fi
for f in "$wesnoth/battle.ogg" "$wesnoth/battle-epic.ogg" "$fillets/wreck/cs/pot-v-lod.ogg"; do
  [ -r "$f" ] || { notok "normalize: media" "$f is missing (make deps)"; exit 1; }
done

# ffmpeg's readings of FILE: "I TP" (LUFS to 3 decimals; the largest
# channel true peak in dBTP)
ffmpeg_reads() {
  ffmpeg -nostats -hide_banner -i "$1" -af ebur128=peak=true:metadata=1,ametadata=print:file=- -f null - 2>/dev/null |
    awk -F= '/lavfi.r128.I=/ { i = $2 } /lavfi.r128.true_peaks_ch/ { if ($2 > tp) tp = $2 }
             END { if (i == "" || tp == "") exit 1; printf "%s %.3f\n", i, 20 * log(tp) / log(10) }'
}
within() { awk -v a="$1" -v b="$2" -v t="$3" 'BEGIN { d = a - b; if (d < 0) d = -d; exit !(d <= t) }'; }
at_most() { awk -v a="$1" -v b="$2" 'BEGIN { exit !(a <= b) }'; }

# material NAME: the lines of a script that fill bus pm with it
material() {
  case $1 in
    music) echo "track \"M\" { to = pm }:clip { \"$wesnoth/battle.ogg\", at = 0, from = 30 }" ;;
    speech) # mono: lines of the Fish Fillets cast one after another
      echo 'local t = track "DX" { to = pm, channels = 1 }'
      at=0
      for l in wreck/cs/pot-v-lod wreck/cs/pot-m-soud wreck/cs/pot-m-dovn wreck/cs/pot-m-zatuch wreck/cs/pot-v-nikdo \
               wreck/cs/pot-m-moc wreck/cs/pot-v-plav cabin1/cs/k1-m-lebku cabin1/cs/k1-v-jejeho; do
        echo "t:clip { \"$fillets/$l.ogg\", at = $at }"
        at=$((at + 4))
      done ;;
    ambience) echo "track \"A\" { to = pm }:clip { \"$media/amb/minepump03.ogg\", at = 0 }" ;;
  esac
}
# script FILE MATERIAL CHANNELS NORMALIZE [FORMAT]
script() {
  { echo "session { rate = 48000, length = 36 }"
    echo "local pm = bus \"PM\" { channels = $3 }"
    material "$2"
    echo "output { \"out/PM.wav\", from = pm, format = \"${5:-wav24}\", normalize = $4 }"
  } > "$1"
}

for m in music:2 speech:1 ambience:2; do
  mat=${m%:*}; ch=${m#*:}
  for target in -23/-1 -24/-2 -14/-1 -16/-1; do
    i=${target%/*}; tp=${target#*/}
    script mix.lua "$mat" "$ch" "{ integrated = $i, true_peak = $tp }"
    name="$mat ($ch ch) normalised to $i LUFS / $tp dBTP"
    rm -rf out
    if ! out=$("$DS" render mix.lua --allow-paths 2>&1); then notok "$name" "render failed"; continue; fi
    if ! reads=$(ffmpeg_reads out/PM.wav); then notok "$name" "ffmpeg could not measure it"; continue; fi
    set -- $reads
    if within "$1" "$i" 0.1 && at_most "$2" "$tp"; then ok "$name: ffmpeg reads $1 LUFS, $2 dBTP"
    else notok "$name" "ffmpeg reads $1 LUFS (target $i +-0.1), true peak $2 dBTP (ceiling $tp)"; fi
  done
done

# No limiting: 0 segments, and the file is the render times one float gain.
script mix.lua music 2 "{ integrated = -23, true_peak = -1 }" wav32f
echo 'output { "out/raw.wav", from = pm, format = "wav32f" }' >> mix.lua
rm -rf out
out=$("$DS" render mix.lua --allow-paths 2>&1)
name="no limiting needed (-23 LUFS): the report says 0 segments"
if has "no limiting (0 segments)" "gain -"; then ok "$name"; else notok "$name" "lacks '$missing'"; fi
set -- $($CHECK gain out/PM.wav out/raw.wav)
name="no limiting: every sample is float32(rendered * g) (g $2 dB, $4 frames)"
if [ "${6:-x}" = 0 ]; then ok "$name"; else notok "$name" "$6 frames differ from rendered * g"; fi

# The limiter acts: a loud target on peaky music (battle-epic's true peak
# is 0 dBTP at -16 LUFS).
script mix.lua music 2 "{ integrated = -14, true_peak = -1 }" wav32f
sed -i "s|battle.ogg\", at = 0, from = 30|battle-epic.ogg\", at = 0|" mix.lua
echo 'output { "out/raw.wav", from = pm, format = "wav32f" }' >> mix.lua
rm -rf out
out=$("$DS" render mix.lua --allow-paths 2>&1)
report_ms=$(printf '%s\n' "$out" | sed -n 's/.*limiter: [0-9]* segments*, \([0-9.]*\) ms in all, up to \([0-9.]*\) dB.*/\1 \2/p')
set -- $($CHECK gain out/PM.wav out/raw.wav)
diff_frames=${6:-0}; worst=${8:-0}
name="limiter acts at -14 LUFS / -1 dBTP: the report's limited time and reduction ($report_ms) are where the file differs from rendered * g ($diff_frames frames, up to $worst dB)"
if [ -n "$report_ms" ] && [ "$diff_frames" -gt 0 ] &&
   within "$(echo "$report_ms" | awk '{ print $1 * 48 }')" "$diff_frames" 5 &&
   within "$(echo "$report_ms" | awk '{ print $2 }')" "$worst" 0.01; then ok "$name"
else notok "$name" "report '$report_ms', file: $*"; fi
set -- $(ffmpeg_reads out/PM.wav)
name="limiter acts: ffmpeg reads $1 LUFS, $2 dBTP"
if within "$1" -14 0.1 && at_most "$2" -1; then ok "$name"; else notok "$name" "target -14 +-0.1, ceiling -1"; fi

# On a terminal, each normalising pass has its own progress bar, naming the
# output and the pass, up to the pass count the report gives (the render
# driven through a pseudo-terminal by tests/tools/ptydrive).
PTY=$(dirname "$DS")/tools/ptydrive
passes=$(printf '%s\n' "$out" | sed -n 's/.*gain [-+0-9.]* dB (\([0-9]*\) pass.*/\1/p')
echo "expect checked as written" > steps
rm -rf out
"$PTY" steps screen -- "$DS" render mix.lua --allow-paths > pty.log 2>&1
shown=$(tr '\r' '\n' < screen | sed -n 's/.*normalising out\/PM.wav, pass \([0-9]*\).*/\1/p' | sort -un | tr '\n' ' ')
want=$(seq 1 "${passes:-0}" | tr '\n' ' ')
name="on a terminal, each normalising pass draws its bar: passes $shown(the report: ${passes:-?})"
if [ -n "$passes" ] && [ "$passes" -gt 1 ] && [ "$shown" = "$want" ] && tr '\r' '\n' < screen | grep -q '100%.*normalising out/PM.wav, pass 1'
then ok "$name"; else notok "$name" "want passes $want; screen: $(tr '\r' '\n' < screen | grep normalising | head -3)"; fi

# The QC report (--report) plots the file as written, not the first pass:
# its stream's integrated loudness and true peak are dubstage loudness's
# reading of the file (float output: within 0.01).
rm -rf out qc
"$DS" render mix.lua --allow-paths --quiet --report qc > /dev/null 2>&1
"$DS" loudness --json out/PM.wav > file.json 2>&1
name="--report: the normalised output's series is the file as written"
if python3 - qc/mix.report.json file.json <<'PY'
import json, sys
rep = [s for s in json.load(open(sys.argv[1]))["streams"] if s["name"] == "out/PM.wav"][0]
f = json.load(open(sys.argv[2]))[0]
ok = abs(rep["integrated_lufs"] - f["integrated_lufs"]) <= 0.01 and abs(rep["true_peak_dbtp"] - f["true_peak_dbtp"]) <= 0.01
print("# report", rep["integrated_lufs"], rep["true_peak_dbtp"], "file", f["integrated_lufs"], f["true_peak_dbtp"])
sys.exit(0 if ok else 1)
PY
then ok "$name"; else notok "$name" "report and file differ"; fi

# The report's gain plot holds the normaliser's limiter: a series named
# after the output whose points are below 0 dB exactly where the file
# differs from rendered * g (normalize_check.py, from the files), each
# point's depth that of its deepest frame (the JSON's 2 decimals), 0 dB
# elsewhere.
name="--report: the normaliser's limiter reduction per point is where and how deep the file differs from rendered * g"
if python3 - qc/mix.report.json "$($CHECK points out/PM.wav out/raw.wav 4800)" <<'PY'
import json, sys
r = json.load(open(sys.argv[1]))
import math
g = [x for x in r["gain_reduction"] if x["kind"] == "normalize limiter"]
want = {int(k): float(v) for k, v in (p.split(":") for p in sys.argv[2].split())}
if len(g) != 1 or g[0]["name"] != "normalize 'out/PM.wav' limiter" or r["interval_samples"] != 4800:
    print("# series:", [(x["name"], x["kind"]) for x in r["gain_reduction"]]); sys.exit(1)
# the JSON has 2 decimals: a point limited by under 0.005 dB reads -0.00
got = {k: v for k, v in enumerate(g[0]["gain_db"]) if v is None or math.copysign(1.0, v) < 0}
bad = [k for k in set(got) | set(want) if k not in got or k not in want or got[k] is None
       or abs(got[k] - want[k]) > 0.0051]
print("# %d points limited (file: %d), deepest %.3f dB, mismatches %s" % (len(got), len(want), g[0]["deepest_db"], bad[:5]))
sys.exit(0 if want and not bad and all(v is not None for v in g[0]["gain_db"]) else 1)
PY
then ok "$name"; else notok "$name" "the series and the file disagree"; fi

# The same bytes at any block size (20 s, limiting).
sed -i 's/length = 36/length = 20/' mix.lua
for b in 1 64 4096; do
  rm -rf "out$b"; "$DS" render mix.lua --allow-paths --quiet --block "$b" --out "out$b" > /dev/null 2>&1
done
name="normalised with limiting: --block 1, 64 and 4096 write the same bytes"
if [ -f out1/PM.wav ] && cmp -s out1/PM.wav out64/PM.wav && cmp -s out1/PM.wav out4096/PM.wav; then ok "$name"
else notok "$name" "the files differ (or are missing)"; fi

# Stems: D and M into PM; D and M recorded too. They take PM's gain.
cat > stems.lua <<LUA
session { rate = 48000, length = 30 }
local pm = bus "PM"
local d, m = bus "D" { to = pm }, bus "M" { to = pm }
track "DX" { to = d, channels = 1, gain = -12 }:clip { "$fillets/wreck/cs/pot-v-lod.ogg", at = 1 }
track "MX" { to = m, gain = -8 }:clip { "$wesnoth/battle.ogg", at = 0, from = 30 }
output { "out/PM.wav", from = pm, format = "wav32f", normalize = { integrated = -23, true_peak = -1 } }
output { "out/D.wav", from = d, format = "wav32f" }
output { "out/M.wav", from = m, format = "wav32f" }
LUA
sed -e 's/, normalize = {[^}]*}//' -e 's|"out/|"raw/|' stems.lua > raw.lua
rm -rf out raw
out=$("$DS" render stems.lua --allow-paths 2>&1); "$DS" render raw.lua --allow-paths --quiet > /dev/null 2>&1
name="stems: the report says D and M take PM's gain"
if has "stem of out/PM.wav" "no limiting (0 segments)"; then ok "$name"; else notok "$name" "lacks '$missing'"; fi
out=$("$DS" info stems.lua --allow-paths 2>&1)
name="stems: dubstage info says which outputs take PM's gain"
if has "normalized to -23.0 LUFS, ceiling -1.0 dBTP" "a stem of out/PM.wav: takes its static gain"; then ok "$name"
else notok "$name" "lacks '$missing'"; fi
gpm=$($CHECK gain out/PM.wav raw/PM.wav); gd=$($CHECK gain out/D.wav raw/D.wav); gm=$($CHECK gain out/M.wav raw/M.wav)
name="stems: PM, D and M are each their render times the same g, exactly ($(echo "$gpm" | cut -d' ' -f1-2))"
if [ "$(echo "$gpm" | cut -d' ' -f2)" = "$(echo "$gd" | cut -d' ' -f2)" ] &&
   [ "$(echo "$gpm" | cut -d' ' -f2)" = "$(echo "$gm" | cut -d' ' -f2)" ] &&
   [ "$(echo "$gpm $gd $gm" | awk '{ print $6 + $16 + $26 }')" = 0 ]; then ok "$name"
else notok "$name" "PM: $gpm / D: $gd / M: $gm"; fi
rel=$($CHECK sum out/PM.wav out/D.wav out/M.wav)
name="stems: D + M sums to the normalised PM (largest error $rel of its peak, float rounding)"
if at_most "$rel" 1e-6; then ok "$name"; else notok "$name" "error $rel"; fi

# Errors.
err_case() { # NAME NORMALIZE WORD...
  n=$1; opt=$2; shift 2
  script mix.lua music 2 "$opt"
  rm -rf out
  out=$("$DS" render mix.lua --allow-paths 2>&1); rc=$?
  expect_failed "$n" "$@"
}
err_case "integrated out of range" "{ integrated = -80 }" "mix.lua:" "normalize integrated = -80 LUFS is out of range (-50 to -5 LUFS)"
err_case "true_peak out of range" "{ integrated = -23, true_peak = 2 }" "mix.lua:" "true_peak = 2 dBTP is out of range (-30 to 0 dBTP)"
err_case "misspelt key" "{ integrated = -23, truepeak = -1 }" "mix.lua:" "unknown option 'truepeak'" "did you mean 'true_peak'?"
err_case "no target" "{ true_peak = -1 }" "mix.lua:" "integrated = LUFS"
err_case "normalize = true" "true" "mix.lua:" "normalize needs a target"
err_case "unreachable target fails, leaves no file" "{ integrated = -5, true_peak = -20 }" "mix.lua:" "cannot bring 'out/PM.wav' to -5.0 LUFS"
cat > mix.lua <<'LUA'
session { rate = 48000, length = 5 }
local pm = bus "PM"
output { "out/PM.wav", from = pm, normalize = { integrated = -23 } }
LUA
rm -rf out; out=$("$DS" render mix.lua --allow-paths 2>&1); rc=$?
expect_failed "silence cannot be normalised" "mix.lua:3" "it is silent"
cat > mix.lua <<LUA
session { rate = 48000, length = 5 }
local pm, me, mx = bus "PM", bus "ME", bus "MX"
mx { to = { pm, me } }
track "T" { to = mx }:clip { "$wesnoth/battle.ogg", at = 0 }
output { "out/PM.wav", from = pm, normalize = { integrated = -23 } }
output { "out/ME.wav", from = me, normalize = { integrated = -24 } }
output { "out/MX.wav", from = mx }
LUA
rm -rf out; out=$("$DS" render mix.lua --allow-paths 2>&1); rc=$?
expect_failed "a stem of two normalised outputs is an error" "mix.lua:7" "feeds two normalised outputs" "stems = false"
