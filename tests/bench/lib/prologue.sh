# prologue.sh - the start the bench's part scripts share (compile.sh,
# convolve.sh, loudness.sh). Sourced from the repository root, after the
# script's `cd "$(dirname "$0")/../.."`, with BENCH set to the name its
# messages begin with. Sets root (the repository), BUILD, DUBSTAGE (as in
# run.sh), bin (DUBSTAGE as an absolute path) and TIME (/usr/bin/time,
# which must exist).
set -u
root=$(pwd)
BUILD=${BUILD:-build}
DUBSTAGE=${DUBSTAGE:-$BUILD/dubstage}
case $DUBSTAGE in /*) bin=$DUBSTAGE ;; *) bin=$root/$DUBSTAGE ;; esac
TIME=/usr/bin/time
[ -x "$TIME" ] || { echo "$BENCH: $TIME not found (make deps)" >&2; exit 1; }
