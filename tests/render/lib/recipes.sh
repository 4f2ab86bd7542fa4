# recipes.sh - what the recipe tests (tests/render/recipe_*.sh) share.
# Sourced after common.sh (which made $W the working directory). Sets MEDIA
# (the demo's Debian-packaged recordings, made if missing) and gives:
#   band_db FILE LOW HIGH [START LEN]  RMS in dBFS of FILE through SoX's
#                                      linear-phase sinc band-pass (16384
#                                      taps: a transition under 10 Hz wide
#                                      at 48 kHz, 120 dB stop band), over
#                                      the whole file or START..START+LEN s
#   rms_db FILE [START LEN]             RMS in dBFS (SoX stats)
#   render NAME SCRIPT                  dubstage render SCRIPT into out/, or
#                                       "not ok" and exit
#   within V W TOL                      |V - W| <= TOL
#   le V W                              V <= W
ROOT=$OLDPWD
if [ ! -f "$ROOT/scripts/media/.complete" ]; then
  (cd "$ROOT" && scripts/make-demo-media.sh >/dev/null 2>&1) ||
    { echo "not ok - $T: the demo media could not be made (scripts/make-demo-media.sh)"; exit 1; }
fi
MEDIA=$ROOT/scripts/media
ln -s "$MEDIA" media

rms_db() {
  if [ $# -ge 3 ]; then sox "$1" -n trim "$2" "$3" stats 2>&1; else sox "$1" -n stats 2>&1; fi |
    awk '/^RMS lev dB/ { v = $4 == "-inf" ? -200 : $4; print v; exit }'
}
band_db() {
  if [ $# -ge 5 ]; then
    sox "$1" -t wav - trim "$4" "$5" 2>/dev/null | sox -t wav - -n sinc -n 16384 "$2-$3" stats 2>&1
  else
    sox "$1" -n sinc -n 16384 "$2-$3" stats 2>&1
  fi | awk '/^RMS lev dB/ { v = $4 == "-inf" ? -200 : $4; print v; exit }'
}
render() {
  if ! out=$("$DS" render "$2" --quiet 2>&1); then
    notok "$1" "the render failed"
    exit 1
  fi
}
within() { awk -v v="$1" -v w="$2" -v t="$3" 'BEGIN { d = v - w; if (d < 0) d = -d; exit !(d <= t) }'; }
le() { awk -v v="$1" -v w="$2" 'BEGIN { exit !(v <= w) }'; }
