#!/bin/sh
# make-demo-media.sh - gather the media scripts/demo.lua mixes into scripts/media/.
#
# Usage: scripts/make-demo-media.sh [MEDIA_DIR]     (default: scripts/media)
# Environment: MAKE_IR, the IR generator (default $BUILD/tools/make_ir, BUILD
# defaulting to build: `make`; `make asan` sets BUILD=build-asan).
#
# Every sound comes from a Debian package (run `make deps` to install them);
# nothing is converted: the files keep their original format and rate
# (Ogg Vorbis at 8.012, 22.05, 44.1 and 48 kHz, mono and stereo) because
# reading and resampling them is the engine's job, and the demo exercises it.
# Files inside the packages' folders are symlinked; the UFO:AI sounds live in
# a zip (0snd.pk3) and are extracted. A second run only checks the links and
# exits: it is idempotent and takes a few milliseconds.
#
# Sources and licenses (see each package's /usr/share/doc/<pkg>/copyright):
#   dx/   fillets-ng-data-cs   Czech voice actors of Fish Fillets NG     GPL-2
#   mx/   wesnoth-1.16-music   "underground", Battle for Wesnoth          GPL-2+
#   amb/  ufoai-sound          minepump03.ogg: CC-BY-3.0 (Manuel "Vanethian"
#                              Marino, Gren, David Reeves, azrael1322,
#                              Karl Macklin); droning_long.ogg: GPL-2
#   fx/   ufoai-sound          door3-open, door2-open, breakmetal02: CC-BY-SA-3.0;
#                              creak: GPL-2
#         wordwarvi-sound      big_explosion, metalbang4: CC-BY-SA-3.0
#                              (Stephen M. Cameron)
#   ir/   made here            hall.wav, the score's hall in demo51.lua: 2.5 s
#                              of exponentially decaying stereo noise (RT60
#                              2.2 s, 32-bit float) from tests/tools/make_ir.c,
#                              deterministic; Debian ships no room IR to use
set -eu

here=$(cd "$(dirname "$0")" && pwd)
media=${1:-$here/media}

fillets=/usr/share/games/fillets-ng/sound
wesnoth=/usr/share/games/wesnoth/1.16/data/core/music
ufoai_pk3=/usr/share/games/ufoai/base/0snd.pk3
wordwarvi=/usr/share/wordwarvi/sounds

die() { echo "make-demo-media.sh: $*" >&2; exit 1; }

# need PATH PACKAGE: fail with the package to install when PATH is missing.
need() {
  [ -e "$1" ] || die "$1 not found: install the Debian package '$2' (run \`make deps\`, or scripts/install-deps.sh demo)"
}

need "$fillets/start/cs" fillets-ng-data-cs
need "$wesnoth/underground.ogg" wesnoth-1.16-music
need "$ufoai_pk3" ufoai-sound
need "$wordwarvi/big_explosion.ogg" wordwarvi-sound

# Dialogue: level/file ids, in the order the scene plays them.
dx_files="
start/cs/1st-m-cotobylo start/cs/1st-v-netusim start/cs/1st-v-ven
start/cs/1st-m-pockej wreck/cs/pot-v-lod wreck/cs/pot-m-soud
wreck/cs/pot-m-dovn wreck/cs/pot-m-zatuch wreck/cs/pot-v-nikdo
wreck/cs/pot-m-moc wreck/cs/pot-v-plav cabin1/cs/k1-m-lebku
cabin1/cs/k1-v-jejeho cabin1/cs/k1-m-mysli cabin1/cs/k1-v-citis
cabin1/cs/k1-m-kolebku cabin1/cs/k1-v-cit"
# Paths inside the UFO:AI zip, and the folder each goes to.
pk3_amb="sound/ambience/minepump03.ogg sound/ambience/droning_long.ogg"
pk3_fx="sound/doors/door3-open.ogg sound/doors/door2-open.ogg
sound/ambience/creak.ogg sound/misc/breakmetal02.ogg"
wordwarvi_fx="big_explosion metalbang4"

mkdir -p "$media/dx" "$media/mx" "$media/amb" "$media/fx" "$media/ir"

# link SRC PACKAGE DEST: symlink unless DEST already points at SRC.
link() {
  need "$1" "$2"
  [ "$(readlink "$3" 2>/dev/null || true)" = "$1" ] && return 0
  ln -sfn "$1" "$3"
}

for f in $dx_files; do
  link "$fillets/$f.ogg" fillets-ng-data-cs "$media/dx/$(basename "$f").ogg"
done
link "$wesnoth/underground.ogg" wesnoth-1.16-music "$media/mx/underground.ogg"
for f in $wordwarvi_fx; do
  link "$wordwarvi/$f.ogg" wordwarvi-sound "$media/fx/$f.ogg"
done

# extract DIR PATHS...: unzip only the members not already in DIR. A partly
# written file is never left behind: unzip writes to a temporary folder first.
extract() {
  dir=$1; shift
  todo=""
  for p in "$@"; do
    [ -s "$dir/$(basename "$p")" ] || todo="$todo $p"
  done
  [ -n "$todo" ] || return 0
  command -v unzip >/dev/null 2>&1 || die "unzip not found: install the Debian package 'unzip' (run \`make deps\`)"
  tmp=$(mktemp -d "$dir/.unzip.XXXXXX")
  # shellcheck disable=SC2086
  if ! unzip -joq "$ufoai_pk3" $todo -d "$tmp"; then
    rm -rf "$tmp"
    die "could not extract$todo from $ufoai_pk3 (package ufoai-sound)"
  fi
  for p in $todo; do
    mv -f "$tmp/$(basename "$p")" "$dir/"
  done
  rm -rf "$tmp"
}

# shellcheck disable=SC2086
extract "$media/amb" $pk3_amb
# shellcheck disable=SC2086
extract "$media/fx" $pk3_fx

# The hall's impulse response (demo51.lua), made once.
if [ ! -s "$media/ir/hall.wav" ]; then
  make_ir=${MAKE_IR:-$here/../${BUILD:-build}/tools/make_ir}
  [ -x "$make_ir" ] || die "$make_ir not found: build it first (make)"
  "$make_ir" "$media/ir/hall.wav" 2.5 2.2 2 || die "could not make $media/ir/hall.wav"
fi

# Say what was made only on the first run.
stamp="$media/.complete"
if [ ! -e "$stamp" ]; then
  : > "$stamp"
  echo "make-demo-media.sh: demo media ready in $media" >&2
fi
