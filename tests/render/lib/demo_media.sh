# demo_media.sh - the prologue of a render test on the demo's real
# recordings (scripts/make-demo-media.sh, made here when missing). Sourced
# from the repository root with T set, in place of common.sh (which it
# sources): also sets repo (the repository) and M (its scripts/media,
# absolute), and says "not ok" when the media cannot be made.
repo=$(pwd)
if [ ! -d scripts/media/dx ] || [ ! -f scripts/media/fx/breakmetal02.ogg ] || [ ! -f scripts/media/amb/minepump03.ogg ]; then
  scripts/make-demo-media.sh >/dev/null 2>&1
fi
. tests/render/lib/common.sh
M=$repo/scripts/media
[ -f "$M/dx/1st-m-pockej.ogg" ] || { echo "not ok - $T: the demo media could not be made (scripts/make-demo-media.sh)"; exit 1; }
