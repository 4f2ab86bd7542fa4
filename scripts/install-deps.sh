#!/bin/sh
# install-deps.sh - install the Debian packages dubstage needs, only those missing.
#
# Usage: scripts/install-deps.sh [build|test|demo|bench|fuzz|all]
#   build: compiler, Lua 5.4, libsndfile, libsoxr, PortAudio, readline, FFTW3
#   test:  build + the independent tools the tests measure with (sox, ffmpeg,
#          /usr/bin/time for peak memory, chromium for the QC report's page)
#          + jackd2 for the realtime tests
#          + the real recordings the render tests use
#          + luacheck and the stock Lua 5.4 (the editor files' tests)
#          + GNU parallel and Slurm (munge, slurmctld, slurmd, slurm-client):
#          the batch engines of `dubstage plan`
#   demo:  build + the real recordings the demo is made from
#   bench: test (sox and ffmpeg are the peers the benchmark runs)
#          + supercollider-server (scsynth -N, the film mix's NRT peer;
#          only the bench: `make test` never runs it)
#   fuzz:  build + clang and its libFuzzer/sanitizer runtime (`make fuzz`;
#          not in `all`: the suite replays saved fuzz inputs with gcc)
# Runs apt-get directly as root, through sudo otherwise. Prints nothing when
# everything is already there.
set -eu

want=${1:-all}

# libebur128-dev: the program measures loudness itself (dsp/loudness.c);
# test_loudness, tools/loudness_bench and tools/ebur128_scan (the bench's
# libebur128 file scanner, tests/bench/loudness.sh) link libebur128 as the
# reference, and `make` builds them, so it stays a build package (and so is
# in the bench set).
# libfftw3-dev: the convolution reverb's FFTs (dsp/convolver.c, single
# precision: libfftw3f, pkg-config fftw3f).
# zlib1g-dev: tests/tools/png_count (built by `make`) inflates PNG screenshots.
build_pkgs="gcc make pkg-config liblua5.4-dev libsndfile1-dev libsoxr-dev
  portaudio19-dev libreadline-dev libebur128-dev libfftw3-dev zlib1g-dev"
# python3: reads the JSON the commands write (loudness --json, diff --json,
# the render manifest); python3-jsonschema checks every manifest a test
# writes against docs/manifest.schema.json (tests/render/diff.sh).
tool_pkgs="sox ffmpeg time python3 python3-jsonschema"
# chromium: the QC report's page rendered headless, its console and a
# screenshot checked (tests/render/report_html.sh).
browser_pkgs="chromium"
# lua-check: luacheck, with the standard editors/dubstage.luacheckrc, on the
# demos, the doc examples and the standard library (tests/render/editors.sh,
# doc_examples.sh); lua5.4: the stock interpreter and luac5.4, which parse the
# language-server stubs and doc fragments and list stock Lua's names.
lint_pkgs="lua-check lua5.4"
# jackd2: the realtime tests play through JACK's dummy backend (a real audio
# server with no hardware) and record with its jack_rec.
live_pkgs="jackd2"
# The batch engines `dubstage plan` writes job files for (docs/cluster.md):
# GNU parallel, and Slurm, which tests/render/plan_slurm.sh starts on this
# machine (munge for its authentication, the controller, the node daemon,
# sbatch and friends).
batch_pkgs="parallel munge slurmctld slurmd slurm-client"
# supercollider-server: scsynth, SuperCollider's synthesis server without
# its language (sclang, which wants X, is not needed): tests/bench/run.sh
# renders the film mix with `scsynth -N` from a score that
# tests/bench/scsynth_score.py writes. The bench set only.
# valgrind and linux-perf: tests/bench/loudness.sh counts the meter's
# instructions with callgrind and samples its CPU with perf (each part says
# "skipped" without its tool).
bench_pkgs="supercollider-server valgrind linux-perf"
# Real recordings shipped by Debian (sources and licenses: the header of scripts/demo.lua): dialogue (Czech voice
# actors), score, ambience and hard effects.
# Debian 12 (bookworm): clang is clang 14; libFuzzer and the ASan/UBSan
# runtimes it links come in libclang-rt-14-dev.
fuzz_pkgs="clang libclang-rt-14-dev"
media_pkgs="fillets-ng-data-cs wesnoth-1.16-music ufoai-sound wordwarvi-sound unzip"
# alsa-utils: its channel voices (/usr/share/sounds/alsa/Front_Left.wav ...),
# the surround routing check of tests/render/surround_voices.sh.
# pocketsphinx-testdata (1.8 MB): five clips of a LibriVox reading (English
# narration, 16 kHz mono), the speech tests/render/loudness_real.sh measures.
voice_pkgs="alsa-utils pocketsphinx-testdata"

case "$want" in
  build) pkgs="$build_pkgs" ;;
  demo)  pkgs="$build_pkgs $tool_pkgs $media_pkgs" ;;
  bench) pkgs="$build_pkgs $tool_pkgs $media_pkgs $live_pkgs $batch_pkgs $bench_pkgs" ;;
  fuzz)  pkgs="$build_pkgs $fuzz_pkgs" ;;
  test|all) pkgs="$build_pkgs $tool_pkgs $media_pkgs $live_pkgs $voice_pkgs $browser_pkgs $lint_pkgs $batch_pkgs" ;;
  *) echo "install-deps.sh: unknown set '$want' (build, test, demo, bench, fuzz, all)" >&2; exit 2 ;;
esac

missing=""
for p in $pkgs; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
    missing="$missing $p"
  fi
done
[ -n "$missing" ] || exit 0

if [ "$(id -u)" -eq 0 ]; then SUDO=""; else SUDO="sudo"; fi
echo "install-deps.sh: installing:$missing" >&2
export DEBIAN_FRONTEND=noninteractive
# jackd2 asks whether to enable realtime scheduling for the audio group; the
# tests run it with --no-realtime, so answer no without a prompt.
if echo "$missing" | grep -q jackd2 && command -v debconf-set-selections >/dev/null; then
  echo "jackd2 jackd/tweak_rt_limits boolean false" | $SUDO debconf-set-selections
fi
# An old or empty package list makes apt-get fail to find packages; refresh it
# once when an install is needed.
$SUDO apt-get update -qq
# shellcheck disable=SC2086
$SUDO apt-get install -y -qq --no-install-recommends $missing
