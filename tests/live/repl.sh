#!/bin/sh
# repl.sh - a scripted REPL session through a pseudo-terminal, playing the
# demo into JACK's dummy server while jack_rec records it: a fader move, a
# mute, a reload of an edited script and a reload that hits a script error,
# then save() and quit(). Checks:
#   - the error is shown as file:line and the mix plays on;
#   - zero xruns, zero disk underruns, the malloc trap never fires;
#   - around every change the largest sample step (second difference) is
#     no larger than the music's own elsewhere, and nothing drops out
#     (build/tools/wavcmp --changes);
#   - write-back: the saved trims file, rendered offline, equals what was
#     heard live after the last change (the recording, aligned, within
#     -100 dBFS).
# Runs from the repository root; BUILD (default build) holds the binaries.
set -u

BUILD=${BUILD:-build}
RT=$(pwd)/$BUILD/dubstage-rtcheck
DS=${DUBSTAGE:-$BUILD/dubstage}
case $DS in /*) ;; *) DS=$(pwd)/$DS ;; esac
WAVCMP=$(pwd)/$BUILD/tools/wavcmp
PTY=$(pwd)/$BUILD/tools/ptydrive
. tests/live/lib/jack.sh
# A 1024-frame period (21 ms): the dummy server runs without realtime
# priority, so on a busy machine its own thread can miss a 5 ms deadline
# (an xrun of the server, with dubstage's callback far from late); the
# callback's cost at 128 and 256 frames is measured by `make bench`.
JACK_PERIOD=${JACK_PERIOD:-1024}
jack_require "live REPL" || exit 0
for b in "$RT" "$DS" "$WAVCMP" "$PTY"; do
  [ -x "$b" ] || { echo "not ok - live REPL: no binary at $b (run make)"; exit 1; }
done
command -v sox >/dev/null || { echo "not ok - live REPL: sox is missing (scripts/install-deps.sh test)"; exit 1; }
if [ ! -d scripts/media/dx ]; then
  scripts/make-demo-media.sh >/dev/null 2>&1 || { echo "not ok - live REPL: demo media could not be made"; exit 1; }
fi
media=$(cd scripts/media && pwd)

W=$(mktemp -d "${TMPDIR:-/tmp}/dubstage-repl.XXXXXX") || exit 1
trap 'jack_stop; [ -n "${KEEP:-}" ] || rm -rf "$W"' EXIT
trap 'exit 1' INT TERM

sed -e "s|\"media/|\"$media/|g" -e 's|format = "wav24"|format = "wav32f"|' scripts/demo.lua >"$W/mix.lua"
# the edit: the score 4 dB down in the script itself
sed -e 's|to = mx, gain = -3 }|to = mx, gain = -7 }|' "$W/mix.lua" >"$W/edited.lua"
cmp -s "$W/mix.lua" "$W/edited.lua" && { echo "not ok - live REPL: the edit did not apply to the demo"; exit 1; }
# a broken edit: a syntax error on a known line
cp "$W/edited.lua" "$W/broken.lua"
echo "score.gain = = -3" >>"$W/broken.lua"
bad_line=$(wc -l <"$W/broken.lua")

cat >"$W/steps" <<EOF
expect dubstage>
send play()
sleep 3
send MX.gain = -6
sleep 3
send mute("DIA 2")
sleep 3
run cp "$W/edited.lua" "$W/mix.lua"
send reload()
expect reloaded
sleep 3
run cp "$W/broken.lua" "$W/mix.lua"
send reload()
expect reload failed
sleep 2
run cp "$W/edited.lua" "$W/mix.lua"
send save()
expect saved
sleep 4
send quit()
EOF

jack_start "$W" || { echo "not ok - live REPL: $jack_error"; exit 1; }
jack_record_playback "$W/rec.wav" 26 || { echo "not ok - live REPL: $jack_error"; exit 1; }
t_rec=$(date +%s.%N)
HOME=$W "$PTY" "$W/steps" "$W/screen" -- "$RT" repl "$W/mix.lua" --allow-paths --device JACK >"$W/sent" 2>&1
st=$?
jack_record_wait 40 || { echo "not ok - live REPL: $jack_error"; exit 1; }

if [ $st -eq 0 ]; then
  echo "ok - the REPL session ran to quit()"
else
  echo "not ok - the REPL session: status $st: $(grep -v '^sent' "$W/sent" | head -3)"
  tail -20 "$W/screen" | sed 's/^/    # /'
fi
if grep -q "mix.lua:$bad_line:" "$W/screen"; then
  echo "ok - the script error is shown as file:line ($(grep -ao "mix.lua:$bad_line:.\{0,60\}" "$W/screen" | head -1))"
else
  echo "not ok - the script error's file:line (mix.lua:$bad_line) is not shown"
fi
if grep -q "malloc in the audio callback" "$W/screen"; then
  echo "not ok - the malloc trap fired: $(grep -a malloc "$W/screen" | head -2)"
else
  echo "ok - the malloc trap never fired"
fi
report=$(tr "\r" "\n" <"$W/screen" | grep -ao "ran [0-9.]* s: .*" | head -1)
case $report in
  *" 0 xruns, 0 late callbacks, 0 disk underruns"*) echo "ok - $report" ;;
  *) echo "not ok - xruns or underruns in the REPL session: $report" ;;
esac

# the changes, in seconds into the recording (the change is heard once the
# script has re-run and the plan is swapped: within the window)
changes=$(awk -v t0="$t_rec" '/^sent/ && $3 != "play()" && $3 != "save()" && $3 != "quit()" {
  printf "%s%.3f", sep, $2 - t0; sep = "," }' "$W/sent")
if "$WAVCMP" - "$W/rec.wav" --changes "$changes" --window 700 --order 2 >"$W/changes.out" 2>&1; then
  echo "ok - no change clicks and nothing drops out ($(tr '\n' ' ' <"$W/changes.out" | cut -c1-300))"
else
  echo "not ok - clicks or dropouts: $(tr '\n' ' ' <"$W/changes.out")"
fi

# write-back: the trims file saved, with the edited script, rendered offline
if [ -f "$W/mix.trims.lua" ] && grep -q '"MX.gain"\] = -6' "$W/mix.trims.lua" && grep -q '"DIA 2.mute"\] = true' "$W/mix.trims.lua"; then
  echo "ok - save() wrote the live changes as a trims file"
else
  echo "not ok - save() did not write the changes: $(cat "$W/mix.trims.lua" 2>&1 | head -8)"
fi
echo 'trims "mix.trims.lua"' >>"$W/mix.lua"
if ! "$DS" render "$W/mix.lua" --allow-paths --out "$W/ref" --quiet 2>"$W/render.err"; then
  echo "not ok - the mix with its trims does not render: $(head -3 "$W/render.err")"
  exit 0
fi
# the last change (the reload of the edited script) was heard from about
# (sent - play sent) into the session; 2.5 s later every state has settled
s0=$(awk '/^sent/ && $3 == "play()" { p = $2 } /^sent/ && $3 == "reload()" && !r { r = $2 } END { printf "%.3f", r - p + 2.5 }' "$W/sent")
sox -V1 "$W/ref/printmaster.wav" "$W/seg.wav" trim "$s0" 3
if "$WAVCMP" "$W/seg.wav" "$W/rec.wav" --search 25 --tolerance -100 >"$W/wb.out" 2>&1; then
  echo "ok - write-back: the offline render with the saved trims equals the live recording from ${s0} s ($(tr '\n' ' ' <"$W/wb.out"))"
else
  echo "not ok - write-back: the offline render with the saved trims differs from what was heard: $(tr '\n' ' ' <"$W/wb.out")"
fi
