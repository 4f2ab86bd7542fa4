#!/bin/sh
# run.sh - the benchmark: renders one mix with dubstage and with the tools a
# user would otherwise pick, from the same material, and prints a table.
#
# Usage: tests/bench/run.sh            (or: make bench)
# Environment:
#   DUBSTAGE_BENCH_DIR      material and outputs (default /var/tmp/dubstage-bench;
#                           about 5.8 GB at 600 s: 3.46 GB in, 3 x 0.17 GB out)
#   DUBSTAGE_BENCH_SECONDS  length of every track (default 600)
#   DUBSTAGE_BENCH_RUNS     timed runs per renderer, the median is shown (default 5)
#   DUBSTAGE_BENCH_LIVE_SECONDS  seconds played by the live benchmark at each
#                           buffer size (default 60; 0 skips it)
#   DUBSTAGE, BUILD         the binary (default build/dubstage) and build folder
#
# The graph is tests/bench/reference.lua: 8 mono dialogue tracks (-2 dB,
# constant-power pan p = -0.35 + 0.1 (k-1)), 8 stereo music tracks (-4 dB),
# 8 stereo effects (-3 dB), summed through DX/MX/FX into a stereo printmaster,
# 24-bit WAV. The EQ and dynamics of shared/BENCH.md are not in it yet.
#
# Renderers, each timed as a whole process by /usr/bin/time (wall, user+sys
# CPU of the process and the children it waits for, peak RSS of the largest
# one), inputs in the page cache:
#   dubstage  build/dubstage render reference.lua --quiet
#   sox       sox -m with one -v per input (a plain sum, not SoX's default
#             average). SoX cannot pan one input of -m, so each mono dialogue
#             track comes through a pipe `|sox dxNN.wav -p remix 1vL 1vR`:
#             8 extra sox processes, running in parallel with the mixer
#             (their CPU is counted; their decode+remix overlaps on a second
#             core, so sox's wall time flatters it slightly). No dither (-D).
#             Differences from the graph: no bus structure (one sum; equal up
#             to float rounding), the pipes carry 32-bit integers.
#   ffmpeg    pan (mono: gain and pan; stereo: gain) per input, one
#             amix=normalize=0 of all 24, -filter_complex_threads 1.
#             Same single sum without bus stages.
#   decode    build/tools/decode_floor: libsndfile reads every input to float,
#             1024 frames per file in turn, and nothing else: no renderer
#             that decodes with libsndfile can beat it.
# Then the compile time of two generated mixes (tests/bench/compile.sh), a
# re-conform at the scale of a feature (tests/bench/conform.sh), what
# requiring the standard library's recipes adds to a script's start
# (tests/bench/recipes.sh), and
# the convolution reverb's kernel on a 2.5 s stereo IR (build/tools/conv_bench:
# ns of CPU per channel-sample, 60 s of noise in 1024-frame calls), the
# delay's (build/tools/delay_bench, the same way), and the algorithmic reverb's
# (build/tools/reverb_bench: the same, and its 60 s tail).
# Afterwards the outputs are compared (length, RMS, peak, and the RMS of the
# difference from the sox render), so the comparison is known to be honest.
#
# Threads (issue 16): the film mix on two threads (the default) against one,
# and both again beside one busy process (`sh -c 'while :; do :; done'`,
# started by the bench, untimed, for that pair only): medians of wall and of
# user CPU time side by side (the runs take turns), each followed by what
# the default's one/two-thread choice did in its last run (the manifest's
# options.threads_run: blocks on two threads and on one, the tries). The CPU model and the
# SIMD path the kernels take are printed first (`dubstage --version`).
#
# SuperCollider (issue 16): the film mix rendered by `scsynth -N` (the
# server in non-realtime mode, one thread) from an NRT score that
# tests/bench/scsynth_score.py writes (untimed: the synth definitions in
# SuperCollider's SynthDef2 binary format and the OSC bundles that read the
# files through DiskIn, start the synths and move the MX fader; its header
# lists the graph and where it differs from dubstage's). Timed taking turns
# with dubstage's film mix on one and on two threads; printed: scsynth's
# median wall (and CPU) time over each (targets 5x and 8x). Checked: the
# same generator's plain graph (--plain: gains, pans and buses, no
# processing) must null against dubstage's render of reference.lua to the
# 24-bit rounding, and the film renders are compared (levels, and the RMS
# of their difference, scsynth's 480-sample limiter delay taken off).
# The same for the 64-track variant (tests/bench/reference_film64.lua: 16
# dialogue, 24 music, 24 effects tracks playing the 24 files again; its
# dubstage pair on one and two threads is measured without scsynth too).
# Skipped, saying why, when scsynth is not installed (make bench installs
# Debian's supercollider-server: scripts/install-deps.sh bench).
#
# The 5.1 film mix (issue 12): tests/bench/reference_film51.lua (the film
# mix through the surround panner into 5.1 buses, a dialogue reverb send, a
# 2.5 s stereo convolution hall on the music, the Lo/Ro fold-down as a
# second output) against the nearest ffmpeg graph (pan, aecho, afir, pan to
# Lo/Ro; written out and explained where it is built below), both pinned to one CPU (taskset);
# their outputs' lengths and levels are printed side by side (the graphs
# differ: aecho is no reverb, and ffmpeg's pan cannot move). Then
# build/tools/op_bench times the new nodes inside that mix (the moving and
# the static surround panner, the fold-down, the reverb, the convolution):
# ns of CPU per output channel-sample; then every op kind of the stereo and
# the 5.1 film mix (op_bench --kinds: a line per kind, with the CPU model
# and the SIMD path). The film mix's CPU time over the plain mix's is
# printed too (issue 16: at most 1.5x).
#
# The loudness meter (issue 13, tests/bench/loudness.sh): the film mix
# rendered with and without --no-measure, with the printmaster metered and
# with every stem metered (reference_film_stems.lua); and `dubstage
# loudness` on the 24 inputs against ffmpeg's ebur128=peak=true and
# libebur128 (build/tools/ebur128_scan), one core each, readings compared.
#
# A feature (issue 17, tests/bench/feature.sh): 6 reels x 4 deliverables of
# the material rendered sequentially and by `dubstage plan --make` under
# make -j2, and the projected wall time on N nodes from the per-job times.
#
# Live (tests/bench/live.sh): `dubstage play reference_film.lua --device
# JACK --to 60` through a JACK dummy server (tests/live/lib/jack.sh: 48 kHz,
# --no-realtime, a server of its own) with a 128- and a 256-frame period,
# and the 64-track variant (reference_film64.lua: 16 mono dialogue, 24
# stereo music, 24 stereo effects) at 64 frames, one server each; printed:
# the audio callback's median, 99th and 99.9th percentiles, worst and mean
# execution time as a fraction of the buffer period (dubstage play's own
# report, vm_live_report), and the xruns, late callbacks and disk underruns
# of the run. The inputs are in the page cache by then, so the disk thread
# reads from memory. Skipped, saying why, when jackd is not installed (make
# deps installs jackd2).
set -u
cd "$(dirname "$0")/../.." || exit 1
root=$(pwd)
BUILD=${BUILD:-build}
DUBSTAGE=${DUBSTAGE:-$BUILD/dubstage}
dir=${DUBSTAGE_BENCH_DIR:-/var/tmp/dubstage-bench}
seconds=${DUBSTAGE_BENCH_SECONDS:-600}
live_seconds=${DUBSTAGE_BENCH_LIVE_SECONDS:-60}
runs=${DUBSTAGE_BENCH_RUNS:-5}
TIME=/usr/bin/time

die() { echo "bench: $*" >&2; exit 1; }
[ -x "$TIME" ] || die "$TIME not found: install the Debian package 'time' (make deps)"
command -v sox >/dev/null 2>&1 || die "sox not found (make deps)"
command -v ffmpeg >/dev/null 2>&1 || die "ffmpeg not found (make deps)"
mkdir -p "$dir/out/dubstage" "$dir/out/dubstage-auto" "$dir/out/dubstage-film" "$dir/out/dubstage-film51" \
  "$dir/out/dubstage-film64" "$dir/times" ||
  die "cannot create $dir"

# The two helper programs: from the build when it has them, else compiled
# here, so the peers can be measured while the engine does not build.
newer() { [ -n "$(find "$1" -prune -newer "$2" 2>/dev/null)" ]; }   # 1 if $1 is newer
tool() {
  if [ -x "$BUILD/tools/$1" ] && ! newer "tests/tools/$1.c" "$BUILD/tools/$1"; then
    echo "$root/$BUILD/tools/$1"
    return
  fi
  mkdir -p "$dir/tools"
  if [ ! -x "$dir/tools/$1" ] || newer "tests/tools/$1.c" "$dir/tools/$1"; then
    # shellcheck disable=SC2046
    ${CC:-cc} -std=c11 -D_POSIX_C_SOURCE=200809L -D_DEFAULT_SOURCE -O2 -I. "tests/tools/$1.c" \
      $(pkg-config --cflags --libs sndfile) -lm -o "$dir/tools/$1" || die "cannot build tests/tools/$1.c"
  fi
  echo "$dir/tools/$1"
}
make_material=$(tool make_bench_material) || exit 1
make_ir=$(tool make_ir) || exit 1
decode_floor=$(tool decode_floor) || exit 1

echo "bench: material: 24 tracks x $seconds s in $dir"
t0=$(date +%s)
"$make_material" "$dir" "$seconds" || die "make_bench_material failed"
cp tests/bench/reference.lua tests/bench/reference_auto.lua tests/bench/reference_film.lua \
  tests/bench/reference_film51.lua tests/bench/reference_film_chain.lua tests/bench/reference_graph.lua \
  tests/bench/reference_film_stems.lua tests/bench/reference_film64.lua "$dir/"
# the music hall's IR of reference_film51.lua: 2.5 s of stereo noise decaying
# by 60 dB in 2 s (tests/tools/make_ir.c, the same on every run)
[ -s "$dir/hall.wav" ] || "$make_ir" "$dir/hall.wav" 2.5 2.0 2 || die "make_ir failed"

dx="" mx="" fx=""
for k in 1 2 3 4 5 6 7 8; do
  dx="$dx dx0$k.wav"; mx="$mx mx0$k.wav"; fx="$fx fx0$k.wav"
done
files="$dx $mx $fx"

# Gains, in the same arithmetic for both peers: dB to linear, and the
# constant-power pan L = cos((p+1) pi/4), R = sin((p+1) pi/4).
lin() { awk -v db="$1" 'BEGIN { printf "%.9f", 10 ^ (db / 20) }'; }
pan_l() { awk -v k="$1" -v g="$2" 'BEGIN { p = -0.35 + 0.1 * (k - 1); printf "%.9f", g * cos((p + 1) * atan2(1, 1)) }'; }
pan_r() { awk -v k="$1" -v g="$2" 'BEGIN { p = -0.35 + 0.1 * (k - 1); printf "%.9f", g * sin((p + 1) * atan2(1, 1)) }'; }
g_dx=$(lin -2); g_mx=$(lin -4); g_fx=$(lin -3)

# Each renderer is written out as a small script in $dir/run/, so that
# /usr/bin/time times exactly one command (the script execs it).
mkdir -p "$dir/run" || die "cannot create $dir/run"
q() { printf "'%s'" "$1"; }

# sox: mono dialogue through panning pipes, every input with an explicit -v.
{
  printf 'cd %s || exit 1\nexec sox -D -m' "$(q "$dir")"
  for k in 1 2 3 4 5 6 7 8; do
    printf ' -v 1 %s' "$(q "|sox -D dx0$k.wav -p remix 1v$(pan_l "$k" "$g_dx") 1v$(pan_r "$k" "$g_dx")")"
  done
  for f in $mx; do printf ' -v %s %s' "$g_mx" "$f"; done
  for f in $fx; do printf ' -v %s %s' "$g_fx" "$f"; done
  printf ' -b 24 out/sox.wav\n'
} > "$dir/run/sox.sh"

# ffmpeg: one pan or volume per input (gain folded in), one amix that sums.
fc="" labels="" i=0
for k in 1 2 3 4 5 6 7 8; do
  fc="${fc}[$i:a]pan=stereo|c0=$(pan_l "$k" "$g_dx")*c0|c1=$(pan_r "$k" "$g_dx")*c0[a$i];"
  labels="${labels}[a$i]"; i=$((i + 1))
done
for g in $g_mx $g_mx $g_mx $g_mx $g_mx $g_mx $g_mx $g_mx $g_fx $g_fx $g_fx $g_fx $g_fx $g_fx $g_fx $g_fx; do
  fc="${fc}[$i:a]volume=$g:precision=float[a$i];"
  labels="${labels}[a$i]"; i=$((i + 1))
done
fc="$fc${labels}amix=inputs=24:normalize=0:duration=longest[out]"
{
  printf 'cd %s || exit 1\nexec ffmpeg -hide_banner -loglevel error -nostdin -y' "$(q "$dir")"
  for f in $files; do printf ' -i %s' "$f"; done
  printf ' -filter_complex_threads 1 -filter_complex %s -map %s -c:a pcm_s24le out/ffmpeg.wav\n' "$(q "$fc")" "$(q "[out]")"
} > "$dir/run/ffmpeg.sh"

printf 'cd %s || exit 1\nexec %s %s > /dev/null\n' "$(q "$dir")" "$(q "$decode_floor")" "$files" > "$dir/run/decode.sh"

# ffmpeg, the film mix of reference_film.lua: per-track highpass + equalizer,
# volume, pan; the three stems; MX through sidechaincompress keyed by DX
# (threshold as a linear level: 0.0316 = -30 dBFS) and a volume evaluated per
# frame for the fader ride; the printmaster through alimiter (level=0: no
# auto-levelling) and ebur128; one filter thread (its fastest setting here).
# (commas inside the expression are escaped for the filtergraph parser)
ride='if(lt(t\,60)\,1\,if(lt(t\,62)\,pow(10\,-6*(t-60)/2/20)\,if(lt(t\,120)\,pow(10\,-6/20)\,if(lt(t\,122)\,pow(10\,-6*(122-t)/2/20)\,1))))'
# film_tracks DX_PAN FX_TAIL: the 24 tracks' chains, [t0] to [t23]: EQ, then
# for dialogue track k the pan filter `DX_PAN k` prints, for music the
# volume, for effects the volume and FX_TAIL
film_tracks() {
  i=0
  for k in 1 2 3 4 5 6 7 8; do
    printf '[%d:a]highpass=f=80:p=2,equalizer=f=3000:t=q:w=1:g=3,%s[t%d];' "$i" "$($1 "$k")" "$i"; i=$((i + 1))
  done
  for k in 1 2 3 4 5 6 7 8; do
    printf '[%d:a]highpass=f=40:p=2,equalizer=f=250:t=q:w=1:g=-3,volume=%s:precision=float[t%d];' "$i" "$g_mx" "$i"
    i=$((i + 1))
  done
  for k in 1 2 3 4 5 6 7 8; do
    printf '[%d:a]highpass=f=30:p=2,equalizer=f=1000:t=q:w=0.7:g=-2,volume=%s:precision=float%s[t%d];' "$i" "$g_fx" "$2" "$i"
    i=$((i + 1))
  done
}
dx_pan_stereo() { echo "pan=stereo|c0=$(pan_l "$1" "$g_dx")*c0|c1=$(pan_r "$1" "$g_dx")*c0"; }
ff=$(film_tracks dx_pan_stereo "")
ff="${ff}[t0][t1][t2][t3][t4][t5][t6][t7]amix=inputs=8:normalize=0,asplit=2[dx][dxkey];"
ff="${ff}[t8][t9][t10][t11][t12][t13][t14][t15]amix=inputs=8:normalize=0[mxin];"
ff="${ff}[mxin][dxkey]sidechaincompress=threshold=0.0316:ratio=4:attack=10:release=250:makeup=1,volume=$ride:eval=frame[mx];"
ff="${ff}[t16][t17][t18][t19][t20][t21][t22][t23]amix=inputs=8:normalize=0[fx];"
ff="${ff}[dx][mx][fx]amix=inputs=3:normalize=0,alimiter=limit=0.891251:attack=5:release=50:level=0,ebur128=peak=true[out]"
{
  printf 'cd %s || exit 1\nexec ffmpeg -hide_banner -loglevel info -nostats -nostdin -y' "$(q "$dir")"
  for f in $files; do printf ' -i %s' "$f"; done
  printf ' -filter_complex_threads 1 -filter_complex %s -map %s -c:a pcm_s24le out/ffmpeg-film.wav\n' "$(q "$ff")" "$(q "[out]")"
} > "$dir/run/ffmpeg_film.sh"
# The 5.1 film mix against ffmpeg "on one core" (issue 12): both run pinned
# to the same CPU (taskset, util-linux), or ffmpeg decodes its inputs on a
# second CPU beside its filter thread (64-71 s of CPU in 53-60 s of wall,
# 2026-12-05) and the wall-time ratio compares one core with two.
one_core=
if command -v taskset >/dev/null 2>&1; then
  _cpu=$(taskset -pc $$ 2>/dev/null | sed -n 's/.*: *\([0-9][0-9]*\).*/\1/p')
  [ -n "$_cpu" ] && one_core="taskset -c $_cpu "
fi
# ffmpeg, the 5.1 film mix of reference_film51.lua, as near as ffmpeg's
# filters come: the stereo film graph above with every pan a 5.1 `pan`
# (the gains of docs/surround.md's law, computed here: dialogue at the
# front at x = p; music half way back, each side 0.7071 into its front
# speaker and its surround; effects at pan_fr -0.5: 0.3827 front, 0.9239
# surround. ffmpeg's pan cannot move, so the effects stand still where
# dubstage moves them all the time); the dialogue's room is `aecho` (six
# taps) on the DX sum at -12 dB, as ffmpeg has no reverb (the send levels
# are linear, so a send from each track equals one from the sum); the music
# hall is `afir` with the same 2.5 s stereo IR on the music sum at -10 dB,
# then panned to the surrounds; the printmaster's limiter and ebur128, and
# the Lo/Ro fold-down (`pan`, BS.775's 0.7071) with an ebur128 of its own
# as the second output. afir in ffmpeg 5.1 scales the IR even with
# gtype=none (by 2 with this IR: measured, not assumed): a unit impulse at
# 0.5 goes through it first, its peak against the IR's gives the factor,
# and a `volume` after afir takes it out, so both renders make the same
# level of hall.
# dialogue track k (x = p) in the front row: between L and C for p < 0 (the
# pair law, t = p + 1), between C and R for p >= 0 (t = p), times its gain
dx_pan_51() {
  awk -v k="$1" -v g="$g_dx" 'BEGIN { h = atan2(1, 1) * 2; p = -0.35 + 0.1 * (k - 1)
    if (p < 0) { l = cos((p + 1) * h); c = sin((p + 1) * h); r = 0 } else { l = 0; c = cos(p * h); r = sin(p * h) }
    printf "pan=5.1|c0=%.9f*c0|c1=%.9f*c0|c2=%.9f*c0", g * l, g * r, g * c }'
}
afir_gain=1
ffmpeg -nostdin -v error -y -f lavfi -i "aevalsrc=if(eq(n\,0)\,0.5\,0)|if(eq(n\,0)\,0.5\,0):s=48000:d=3" \
  -i "$dir/hall.wav" -filter_complex "[0:a][1:a]afir=gtype=none[o]" -map "[o]" -c:a pcm_f32le "$dir/afir_impulse.wav" &&
  afir_gain=$(awk -v o="$(sox "$dir/afir_impulse.wav" -n stats 2>&1 | awk '/^Pk lev dB/ { print $4 }')" \
    -v i="$(sox "$dir/hall.wav" -n stats 2>&1 | awk '/^Pk lev dB/ { print $4 }')" \
    'BEGIN { printf "%.9f", 10 ^ (-(o - (i - 20 * log(2) / log(10))) / 20) }')
ff=$(film_tracks dx_pan_51 ",pan=5.1|c0=0.382683432*c0|c1=0.382683432*c1|c4=0.923879533*c0|c5=0.923879533*c1")
ff="${ff}[t0][t1][t2][t3][t4][t5][t6][t7]amix=inputs=8:normalize=0,asplit=2[dxdry][dxsend];"
ff="${ff}[dxsend]volume=0.251188643:precision=float,aecho=1:1:23|31|41|53|67|79:0.5|0.45|0.4|0.35|0.3|0.25[room];"
ff="${ff}[dxdry][room]amix=inputs=2:normalize=0,asplit=2[dx][dxkey];"
ff="${ff}[t8][t9][t10][t11][t12][t13][t14][t15]amix=inputs=8:normalize=0,asplit=2[mxst][mxsend];"
ff="${ff}[mxst]pan=5.1|c0=0.707106781*c0|c1=0.707106781*c1|c4=0.707106781*c0|c5=0.707106781*c1[mxdry];"
ff="${ff}[mxsend]volume=0.316227766:precision=float[mxwet];[mxwet][24:a]afir=gtype=none,volume=$afir_gain:precision=float,pan=5.1|c4=c0|c5=c1[hall];"
ff="${ff}[mxdry][hall]amix=inputs=2:normalize=0[mxin];"
ff="${ff}[mxin][dxkey]sidechaincompress=threshold=0.0316:ratio=4:attack=10:release=250:makeup=1,volume=$ride:eval=frame[mx];"
ff="${ff}[t16][t17][t18][t19][t20][t21][t22][t23]amix=inputs=8:normalize=0[fx];"
ff="${ff}[dx][mx][fx]amix=inputs=3:normalize=0,alimiter=limit=0.891251:attack=5:release=50:level=0,asplit=2[pm][pmfold];"
ff="${ff}[pm]ebur128=peak=true[out];"
ff="${ff}[pmfold]pan=stereo|FL=FL+0.707106781*FC+0.707106781*SL|FR=FR+0.707106781*FC+0.707106781*SR,ebur128=peak=true[loro]"
{
  printf 'cd %s || exit 1\nexec %sffmpeg -hide_banner -loglevel info -nostats -nostdin -y' "$(q "$dir")" "$one_core"
  for f in $files hall.wav; do printf ' -i %s' "$f"; done
  printf ' -filter_complex_threads 1 -filter_complex %s -map %s -c:a pcm_s24le out/ffmpeg-film51.wav -map %s -c:a pcm_s24le out/ffmpeg-film51-LoRo.wav\n' \
    "$(q "$ff")" "$(q "[out]")" "$(q "[loro]")"
} > "$dir/run/ffmpeg_film51.sh"
# dubstage on one core (--threads 1), like the peers (sox, ffmpeg with
# -filter_complex_threads 1); dubstage_film2 is the film mix on both cores.
printf 'exec %s render %s --out %s --quiet --threads 1\n' "$(q "$root/$DUBSTAGE")" "$(q "$dir/reference.lua")" \
  "$(q "$dir/out/dubstage")" > "$dir/run/dubstage.sh"
printf 'exec %s render %s --out %s --quiet --threads 1\n' "$(q "$root/$DUBSTAGE")" "$(q "$dir/reference_auto.lua")" \
  "$(q "$dir/out/dubstage-auto")" > "$dir/run/dubstage_auto.sh"
printf 'exec %s render %s --out %s --quiet --threads 1\n' "$(q "$root/$DUBSTAGE")" "$(q "$dir/reference_film.lua")" \
  "$(q "$dir/out/dubstage-film")" > "$dir/run/dubstage_film.sh"
printf 'exec %s render %s --out %s --quiet --threads 2\n' "$(q "$root/$DUBSTAGE")" "$(q "$dir/reference_film.lua")" \
  "$(q "$dir/out/dubstage-film2")" > "$dir/run/dubstage_film2.sh"
# the film mix beside a busy process (started around their measure below)
printf 'exec %s render %s --out %s --quiet --threads 1\n' "$(q "$root/$DUBSTAGE")" "$(q "$dir/reference_film.lua")" \
  "$(q "$dir/out/dubstage-film")" > "$dir/run/dubstage_film_busy1.sh"
printf 'exec %s render %s --out %s --quiet\n' "$(q "$root/$DUBSTAGE")" "$(q "$dir/reference_film.lua")" \
  "$(q "$dir/out/dubstage-film2")" > "$dir/run/dubstage_film_busy2.sh"
printf 'exec %s render %s --out %s --quiet --threads 1\n' "$(q "$root/$DUBSTAGE")" "$(q "$dir/reference_film64.lua")" \
  "$(q "$dir/out/dubstage-film64")" > "$dir/run/dubstage_film64.sh"
printf 'exec %s render %s --out %s --quiet --threads 2\n' "$(q "$root/$DUBSTAGE")" "$(q "$dir/reference_film64.lua")" \
  "$(q "$dir/out/dubstage-film64")" > "$dir/run/dubstage_film64_2.sh"
printf 'exec %s%s render %s --out %s --quiet --threads 1\n' "$one_core" "$(q "$root/$DUBSTAGE")" "$(q "$dir/reference_film51.lua")" \
  "$(q "$dir/out/dubstage-film51")" > "$dir/run/dubstage_film51.sh"

# SuperCollider's server in non-realtime mode: the film mix's score and the
# plain graph's (the check), written here, untimed; each run reads the
# material and writes the output as a 24-bit WAV like dubstage.
# The options: 2 output channels and no input (the private buses start at
# 2), no synth definitions from the user's folders (-D 0: the score carries
# its own). An unknown synth definition or UGen is no failure for scsynth
# (it prints FAILURE or ERROR and renders silence): the logs are checked.
have_scsynth=0
scsynth_film="" scsynth_film64=""
if ! command -v scsynth >/dev/null 2>&1; then
  echo "bench: SuperCollider: skipped: scsynth is not installed (make bench, or scripts/install-deps.sh bench, installs supercollider-server)"
elif python3 tests/bench/scsynth_score.py "$dir" "$seconds" "$dir/run/scsynth_film.osc" \
       --synthdefs "$dir/run/scsynth_film.scsyndef" &&
     python3 tests/bench/scsynth_score.py "$dir" "$seconds" "$dir/run/scsynth_film64.osc" --tracks 64 &&
     python3 tests/bench/scsynth_score.py "$dir" "$seconds" "$dir/run/scsynth_plain.osc" --plain; then
  have_scsynth=1
  scsynth_film=scsynth_film
  scsynth_film64=scsynth_film64
  for graph in film film64 plain; do
    printf 'exec scsynth -N %s _ %s 48000 WAV int24 -o 2 -i 0 -D 0\n' "$(q "$dir/run/scsynth_$graph.osc")" \
      "$(q "$dir/out/scsynth-$graph.wav")" > "$dir/run/scsynth_$graph.sh"
  done
else
  echo "bench: SuperCollider: skipped: tests/bench/scsynth_score.py failed"
fi

# Page cache: read every input once.
# shellcheck disable=SC2086
(cd "$dir" && cat $files > /dev/null)
echo "bench: material ready in $(( $(date +%s) - t0 )) s; $runs timed runs each"
if [ -x "$DUBSTAGE" ]; then
  "$DUBSTAGE" --version | sed -n 's/^simd: /bench: SIMD path: /p; s/^cpu: /bench: CPU: /p'
  echo "bench: CPUs this process may use: $(nproc)"
fi

# measure NAME...: runs each $dir/run/NAME.sh $runs times under
# /usr/bin/time, the names taking turns (so that a slow spell of the machine
# falls on all of them alike), and leaves "wall cpu rss_kb" of each name's
# median run (by wall time) in $dir/times/NAME.
measure() {
  for name in "$@"; do
    rm -f "$dir/times/$name" "$dir/times/$name".*
  done
  n=1
  while [ "$n" -le "$runs" ]; do
    for name in "$@"; do
      # the previous run's output goes to disk first, untimed: otherwise the
      # kernel's writeback of it shares the CPUs with this run (worst for
      # runs on both cores)
      sync
      if ! $TIME -f "%e %U %S %M" -o "$dir/times/$name.$n" sh "$dir/run/$name.sh" \
          > "$dir/times/$name.log" 2>&1; then
        echo "bench: $name failed:" >&2
        tail -5 "$dir/times/$name.log" | sed 's/^/    /' >&2
        return 1
      fi
    done
    n=$((n + 1))
  done
  for name in "$@"; do
    for f in "$dir/times/$name".[0-9]*; do
      tail -1 "$f" | awk '{ printf "%s %.2f %d\n", $1, $2 + $3, $4 }'
    done | sort -n | awk -v m=$(( (runs + 1) / 2 )) 'NR == m' > "$dir/times/$name"
  done
}

# keep_choice NAME: what the one/two-thread choice did in NAME's last run
# (its manifest's options.threads_run, docs/threads.md), into
# $dir/times/NAME.choice for threads_line
keep_choice() {
  grep -o '"threads_run": {[^}]*}' "$dir/out/dubstage-film2/reference_film.manifest.json" 2>/dev/null |
    sed 's/"threads_run": {"threads": [12], //; s/"//g; s/last_try_ns_per_frame: {/last try ns a frame: /; s/}$//' \
    > "$dir/times/$1.choice" || true
}

have_dubstage=0
if [ ! -x "$DUBSTAGE" ]; then
  echo "bench: $DUBSTAGE not built: measuring the peers only"
elif measure dubstage dubstage_auto; then
  have_dubstage=1
  # one and two threads taking turns, so a slow spell falls on both
  # with scsynth's render of the same graph taking its turn too
  measure dubstage_film dubstage_film2 $scsynth_film || echo "bench: the film-mix session (one or two threads, or scsynth) failed"
  keep_choice dubstage_film2
  measure dubstage_film64 dubstage_film64_2 $scsynth_film64 ||
    echo "bench: the 64-track film mix (one or two threads, or scsynth) failed"
  # one process that never sleeps, as another job on the machine would be
  sh -c 'while :; do :; done' &
  busy=$!
  measure dubstage_film_busy1 dubstage_film_busy2 || echo "bench: the film mix beside a busy process failed"
  keep_choice dubstage_film_busy2
  kill "$busy"
  wait "$busy" 2>/dev/null
  measure ffmpeg_film || echo "bench: ffmpeg's film-mix graph failed"
  measure dubstage_film51 ffmpeg_film51 || echo "bench: the 5.1 film mix (dubstage or ffmpeg) failed"
else
  echo "bench: dubstage render failed: measuring the peers only"
fi
measure sox || die "sox failed"
measure ffmpeg || die "ffmpeg failed"
measure decode || die "decode_floor failed"

echo
printf "%-10s %8s %10s %8s %9s\n" renderer "wall s" "x real" "CPU s" "peak MB"
for name in dubstage dubstage_auto dubstage_film dubstage_film2 scsynth_film ffmpeg_film dubstage_film64 \
    dubstage_film64_2 scsynth_film64 dubstage_film51 ffmpeg_film51 sox ffmpeg decode; do
  [ -s "$dir/times/$name" ] || continue
  [ "$name" = dubstage ] && [ "$have_dubstage" -eq 0 ] && continue
  read -r wall cpu rss < "$dir/times/$name"
  awk -v n="$name" -v w="$wall" -v c="$cpu" -v r="$rss" -v s="$seconds" \
    'BEGIN { printf "%-10s %8.2f %9.1fx %8.2f %9.1f\n", n, w, (w > 0 ? s / w : 0), c, r / 1024 }'
done
if [ "$have_dubstage" -eq 1 ]; then
  read -r dwall dcpu _ < "$dir/times/dubstage"
  echo
  for name in sox ffmpeg decode; do
    read -r wall cpu _ < "$dir/times/$name"
    awk -v n="$name" -v dw="$dwall" -v dc="$dcpu" -v w="$wall" -v c="$cpu" 'BEGIN {
      f = (dw > 0 ? w / dw : 0); g = (dc > 0 ? c / dc : 0)
      printf "dubstage vs %-7s wall %5.2fx  CPU %5.2fx  (%s / dubstage: above 1, dubstage is faster)\n", n, f, g, n }'
  done
  # versus TEXT DUBSTAGE PEER NOTE: one line, the peer's median wall and CPU
  # time over dubstage's (1 when either is missing)
  versus() {
    [ -s "$dir/times/$2" ] && [ -s "$dir/times/$3" ] || return 1
    read -r dw dc _ < "$dir/times/$2"
    read -r w c _ < "$dir/times/$3"
    awk -v t="$1" -v n="$4" -v dw="$dw" -v dc="$dc" -v w="$w" -v c="$c" 'BEGIN {
      printf "%s: dubstage vs ffmpeg  wall %5.2fx  CPU %5.2fx  (%s)\n", t, (dw > 0 ? w / dw : 0), (dc > 0 ? c / dc : 0), n }'
  }
  if versus "film mix (EQ, keyed compressor, fader ride, limiter, meter)" dubstage_film ffmpeg_film "one core each"; then
    read -r fwall _ < "$dir/times/dubstage_film"
    read -r gwall _ < "$dir/times/ffmpeg_film"
    if [ -s "$dir/times/dubstage_film2" ]; then
      read -r f2wall f2cpu _ < "$dir/times/dubstage_film2"
      awk -v dw="$f2wall" -v w="$gwall" -v d1="$fwall" 'BEGIN {
        printf "film mix on two threads: dubstage vs ffmpeg  wall %5.2fx  (%.2fx the one-thread render)\n",
          (dw > 0 ? w / dw : 0), (dw > 0 ? d1 / dw : 0) }'
    fi
  fi
  # threads_line TEXT ONE TWO: medians of wall and of user CPU of the runs
  # of ONE (one thread) and TWO (the default), and their ratios
  threads_line() {
    [ -s "$dir/times/$2" ] && [ -s "$dir/times/$3" ] || return 0
    med() { for f in "$dir/times/$1".[0-9]*; do tail -1 "$f" | awk -v k="$2" '{ print $k }'; done |
            sort -n | awk -v m=$(( (runs + 1) / 2 )) 'NR == m'; }
    awk -v t="$1" -v w1="$(med "$2" 1)" -v w2="$(med "$3" 1)" -v u1="$(med "$2" 2)" -v u2="$(med "$3" 2)" 'BEGIN {
      printf "%s: wall %.2f s one thread, %.2f s default (%.2fx); user CPU %.2f s, %.2f s\n",
        t, w1, w2, (w2 > 0 ? w1 / w2 : 0), u1, u2 }'
    if [ -s "$dir/times/$3.choice" ]; then echo "  the default's last run: $(cat "$dir/times/$3.choice")"; fi
  }
  threads_line "film mix, two threads vs one" dubstage_film dubstage_film2
  threads_line "64-track film mix, two threads vs one" dubstage_film64 dubstage_film64_2
  # sc_versus TEXT SCSYNTH ONE TWO: SuperCollider's scsynth -N (one thread)
  # over dubstage on one and on two threads, medians of the same
  # interleaved runs (issue 16's targets: 5x and 8x)
  sc_versus() {
    [ -s "$dir/times/$2" ] || return 0
    read -r swall scpu _ < "$dir/times/$2"
    for run in "one thread:$3:5" "two threads:$4:8"; do
      name=${run#*:}; target=${name#*:}; name=${name%:*}
      [ -s "$dir/times/$name" ] || continue
      read -r dw dc _ < "$dir/times/$name"
      awk -v f="$1" -v t="${run%%:*}" -v dw="$dw" -v dc="$dc" -v w="$swall" -v c="$scpu" -v g="$target" 'BEGIN {
        printf "%s: scsynth vs dubstage %-11s  wall %5.2fx  CPU %5.2fx  (scsynth -N / dubstage; target: at least %dx wall)\n",
          f, t, (dw > 0 ? w / dw : 0), (dc > 0 ? c / dc : 0), g }'
    done
  }
  sc_versus "film mix" scsynth_film dubstage_film dubstage_film2
  sc_versus "64-track film mix" scsynth_film64 dubstage_film64 dubstage_film64_2
  threads_line "film mix beside a busy process, default vs one thread" dubstage_film_busy1 dubstage_film_busy2
  # issue 16: the film mix's EQ, compressor, limiter and meter against
  # the plain gains-and-pans mix of the same inputs, both on one thread
  if [ -s "$dir/times/dubstage_film" ]; then
    read -r fwall fcpu _ < "$dir/times/dubstage_film"
    awk -v fw="$fwall" -v fc="$fcpu" -v dw="$dwall" -v dc="$dcpu" 'BEGIN {
      printf "film mix over the plain mix, one thread: wall %5.2fx  CPU %5.2fx  (target: at most 1.5x)\n",
        (dw > 0 ? fw / dw : 0), (dc > 0 ? fc / dc : 0) }'
  fi
  versus "5.1 film mix (surround panner, dialogue reverb, 2.5 s convolution, Lo/Ro output)" dubstage_film51 ffmpeg_film51 \
    "both pinned to one CPU; target 8x"
  if [ -s "$dir/times/dubstage_auto" ]; then
    read -r awall acpu _ < "$dir/times/dubstage_auto"
    awk -v dw="$dwall" -v dc="$dcpu" -v w="$awall" -v c="$acpu" 'BEGIN {
      printf "automation (a gain and a pan move every second on all 24 tracks): wall %+.1f%%  CPU %+.1f%%\n",
        (dw > 0 ? 100 * (w / dw - 1) : 0), (dc > 0 ? 100 * (c / dc - 1) : 0) }'
  fi
fi

# Honesty check: the renders must be the same length and level.
# (sox stats prints the overall figure first, then one per channel: for a
# stereo file $4 is both channels, $5 the left, $6 the right.)
stat_line() {
  sox "$1" -n stats 2>&1 | awk -v f="$2" -v len="$(soxi -s "$1")" '
    /^RMS lev dB/ { l = $5; r = $6 } /^Pk lev dB/ { pk = $4 }
    END { printf "  %-9s %10d frames  RMS L %6.2f R %6.2f dBFS  peak %6.2f dBFS\n", f, len, l, r, pk }'
}
diff_rms() {
  sox -m -v 1 "$1" -v -1 "$2" -n stats 2>&1 | awk '/^RMS lev dB/ { print $5 " / " $6 }'
}
echo
echo "outputs:"
if [ "$have_dubstage" -eq 1 ]; then
  stat_line "$dir/out/dubstage/printmaster.wav" dubstage
fi
stat_line "$dir/out/sox.wav" sox
stat_line "$dir/out/ffmpeg.wav" ffmpeg
echo "  difference ffmpeg - sox: RMS $(diff_rms "$dir/out/ffmpeg.wav" "$dir/out/sox.wav") dBFS (L / R)"
if [ "$have_dubstage" -eq 1 ]; then
  echo "  difference dubstage - sox: RMS $(diff_rms "$dir/out/dubstage/printmaster.wav" "$dir/out/sox.wav") dBFS (L / R)"
fi
# SuperCollider: the plain graph must null against dubstage's reference.lua
# (the same sums of the same products in float: what is left is the
# rounding to 24 bits, where the two programs' float-to-integer conversions
# differ by one step on about half the samples: a difference of at most one
# step, peak -138.5 dBFS, RMS about -141.5); the film graph differs in its
# compressor's ballistics and its limiter (scsynth_score.py's header), so its
# difference is a measurement, not a check (docs/bench.md: about 30 dB under
# the mix). scsynth renders whole 64-sample blocks (a few frames more) and its
# limiter delays by 480 samples: its output is cut to dubstage's frames, from
# sample 480 on for the film.
# sc_diff DUBSTAGE SCSYNTH SKIP LABEL NAME
sc_diff() {
  frames=$(soxi -s "$1")
  sox -D "$2" "$dir/out/scsynth-aligned.wav" trim "${3}s" "${frames}s" || return 1
  stat_line "$dir/out/scsynth-aligned.wav" "$4"
  sox -m -v 1 "$1" -v -1 "$dir/out/scsynth-aligned.wav" -n stats 2>&1 | awk -v t="$5" '
    /^RMS lev dB/ { l = $5; r = $6 } /^Pk lev dB/ { pk = $4 }
    END { printf "  difference dubstage - scsynth (%s): RMS %s / %s dBFS (L / R), peak %s dBFS\n", t, l, r, pk }'
  rm -f "$dir/out/scsynth-aligned.wav"
}
if [ "$have_dubstage" -eq 1 ] && [ "$have_scsynth" -eq 1 ]; then
  echo "SuperCollider (scsynth -N):"
  for graph in film film64 plain; do
    [ -s "$dir/times/scsynth_$graph.log" ] || [ "$graph" = plain ] || continue
    if [ "$graph" = plain ]; then
      # untimed, once: the check of the generator
      sh "$dir/run/scsynth_plain.sh" > "$dir/times/scsynth_plain.log" 2>&1 ||
        echo "  bench: scsynth's plain graph failed: $(tail -3 "$dir/times/scsynth_plain.log" | tr '\n' ' ')"
    fi
    if grep -q 'FAILURE\|ERROR\|not found' "$dir/times/scsynth_$graph.log"; then
      echo "  bench: scsynth reported errors on the $graph graph (its output is not the mix):"
      grep 'FAILURE\|ERROR\|not found' "$dir/times/scsynth_$graph.log" | sort | uniq -c | head -5 | sed 's/^/    /'
    fi
  done
  if [ -s "$dir/out/dubstage-film/printmaster.wav" ] && [ -s "$dir/out/scsynth-film.wav" ]; then
    stat_line "$dir/out/dubstage-film/printmaster.wav" "dubstage"
    sc_diff "$dir/out/dubstage-film/printmaster.wav" "$dir/out/scsynth-film.wav" 480 scsynth "film mix"
  fi
  if [ -s "$dir/out/dubstage-film64/printmaster.wav" ] && [ -s "$dir/out/scsynth-film64.wav" ]; then
    stat_line "$dir/out/dubstage-film64/printmaster.wav" "dub 64"
    sc_diff "$dir/out/dubstage-film64/printmaster.wav" "$dir/out/scsynth-film64.wav" 480 "sc 64" "64-track film mix"
  fi
  if [ -s "$dir/out/scsynth-plain.wav" ]; then
    sc_diff "$dir/out/dubstage/printmaster.wav" "$dir/out/scsynth-plain.wav" 0 "sc plain" \
      "plain mix, the check: peak at most -138.5, one 24-bit step"
  fi
fi
# the 5.1 film mix: not the same graph (aecho is no reverb, ffmpeg's effects
# stand still), so only lengths and levels, side by side
if [ -s "$dir/out/dubstage-film51/printmaster.wav" ] && [ -s "$dir/out/ffmpeg-film51.wav" ]; then
  echo "5.1 film mix (RMS of the first two channels):"
  stat_line "$dir/out/dubstage-film51/printmaster.wav" "dubstage"
  stat_line "$dir/out/ffmpeg-film51.wav" "ffmpeg"
  stat_line "$dir/out/dubstage-film51/printmaster_LoRo.wav" "dub LoRo"
  stat_line "$dir/out/ffmpeg-film51-LoRo.wav" "ffm LoRo"
fi

# Compile time (issue 11's budget): `dubstage info` on 20,000 tracks and on
# 200,000 clips, generated by tests/bench/compile.sh.
echo
DUBSTAGE_BENCH_DIR=${DUBSTAGE_BENCH_DIR:-/var/tmp/dubstage-bench} DUBSTAGE=$DUBSTAGE BUILD=$BUILD sh tests/bench/compile.sh

# Re-conform (issue 14's target: under 1 s): a 2-hour EDL pair of 2,000
# events each and a mix of 5,000 clips and 50,000 moves (tests/bench/conform.sh).
echo
DUBSTAGE_BENCH_DIR=${DUBSTAGE_BENCH_DIR:-/var/tmp/dubstage-bench} DUBSTAGE=$DUBSTAGE BUILD=$BUILD sh tests/bench/conform.sh ||
  echo "bench: conform.sh failed"

# Recipes: what requiring the standard library's modules adds to a
# script's start (issue 15's budget: 10 ms; tests/bench/recipes.sh).
echo
DUBSTAGE=$DUBSTAGE BUILD=$BUILD sh tests/bench/recipes.sh || echo "bench: recipes.sh failed"

# The convolution reverb: the kernel on a 2.5 s stereo IR (ns per
# channel-sample), and a render through it against SoX's fir on the same
# 2.5 s IR, outputs compared (tests/bench/convolve.sh).
echo
DUBSTAGE_BENCH_DIR=$dir DUBSTAGE=$DUBSTAGE BUILD=$BUILD sh tests/bench/convolve.sh || echo "bench: convolve.sh failed"

# The loudness meter: its cost on the film mix's stems, and `dubstage
# loudness` against ffmpeg and libebur128 on the inputs (tests/bench/loudness.sh).
echo
DUBSTAGE_BENCH_DIR=$dir DUBSTAGE_BENCH_SECONDS=$seconds DUBSTAGE=$DUBSTAGE BUILD=$BUILD sh tests/bench/loudness.sh ||
  echo "bench: loudness.sh failed"

# A feature's deliverables through `dubstage plan` (issue 17): 6 reels x 4
# deliverables of the material, the emitted Makefile under make -j2 against
# sequential renders, and the projected time on N nodes (tests/bench/feature.sh).
echo
DUBSTAGE_BENCH_DIR=$dir DUBSTAGE_BENCH_SECONDS=$seconds DUBSTAGE=$DUBSTAGE BUILD=$BUILD sh tests/bench/feature.sh ||
  echo "bench: feature.sh failed"

# The delay (dsp/delay.c): stereo, 0.375 s, feedback through both loop
# filters; static (fractional and whole-sample time) and with its time moving.
echo
if [ -x "$BUILD/tools/delay_bench" ]; then
  "$BUILD/tools/delay_bench" 60 || echo "bench: delay_bench failed"
else
  echo "delay: skipped: $BUILD/tools/delay_bench is not built (make)"
fi

# The new nodes of the 5.1 film mix inside it: build/tools/op_bench runs
# the first 60 s of reference_film51.lua's plan on one thread and times
# each op (tests/tools/op_bench.c): ns of CPU per output channel-sample.
echo
if [ -x "$BUILD/tools/op_bench" ]; then
  "$BUILD/tools/op_bench" "$dir/reference_film51.lua" 60 \
    "surround panner, stereo source, moving (8 effects tracks)" "stereo surround pan, automated" 6 \
    "surround panner, mono source, static (8 dialogue tracks)" "track 'DX *-> bus 'DX'" 6 \
    "fold-down 5.1 -> Lo/Ro (output downmix)" "-> bus 'PM_LoRo'" 2 \
    "algorithmic reverb, 5.1 (dialogue room)" "reverb bus 'ROOM'" 6 \
    "convolution reverb, 2.5 s stereo IR (music hall)" "conv   bus 'MX HALL'" 2 ||
    echo "bench: op_bench failed"
else
  echo "5.1 film mix nodes: skipped: $BUILD/tools/op_bench is not built (make all)"
fi

# Every op kind inside the two film mixes (op_bench --kinds): ns of CPU
# per channel-sample, under a line naming the CPU and the SIMD path.
if [ -x "$BUILD/tools/op_bench" ]; then
  for script in reference_film.lua reference_film51.lua; do
    echo
    echo "$script:"
    "$BUILD/tools/op_bench" "$dir/$script" 60 --kinds || echo "bench: op_bench --kinds failed"
  done
fi

# The algorithmic reverb alone (tests/tools/reverb_bench.c): ns per
# channel-sample on noise, stereo and 5.1, and its 60 s tail (CPU time; the
# tail's last 30 s against its first show whether a dying tail slows it).
echo
if [ -x "$BUILD/tools/reverb_bench" ]; then
  "$BUILD/tools/reverb_bench" 60
else
  echo "reverb: skipped: $BUILD/tools/reverb_bench is not built (make all)"
fi

# Live (tests/bench/live.sh): the film mix played through JACK's dummy
# backend at 128 and 256 frames a period, and its 64-track variant at 64
# frames (issue 16).
echo
DUBSTAGE_BENCH_DIR=$dir DUBSTAGE_BENCH_LIVE_SECONDS=$live_seconds DUBSTAGE=$DUBSTAGE BUILD=$BUILD sh tests/bench/live.sh ||
  echo "bench: live.sh failed"
