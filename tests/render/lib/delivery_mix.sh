# delivery_mix.sh - what tests/render/delivery.sh and check.sh share: a
# mix of real recordings from Debian packages (Fish Fillets NG's Czech
# dialogue, fillets-ng-data-cs, over a Battle for Wesnoth score,
# wesnoth-1.16-music), ffmpeg's ebur128 readings, and the values a
# judgement printed. Sourced after common.sh.

command -v ffmpeg >/dev/null 2>&1 || { echo "not ok - $T: ffmpeg is missing (make deps)"; exit 1; }
score=/usr/share/games/wesnoth/1.16/data/core/music/underground.ogg
lines=/usr/share/games/fillets-ng/sound/airplane/cs
[ -r "$score" ] || { echo "not ok - $T: $score is missing (package wesnoth-1.16-music: make deps)"; exit 1; }
[ -r "$lines/let-m-divna.ogg" ] || { echo "not ok - $T: $lines is missing (package fillets-ng-data-cs: make deps)"; exit 1; }

# mix FILE SCORE_DB PM_DB DX_DB LINES...: 40 s of eight dialogue lines over
# the score, the printmaster and the dialogue stem at the faders given, and
# the deliver lines after.
mix() {
  f=$1 score_db=$2 pm_db=$3 dx_db=$4
  shift 4
  {
    cat <<LUA
session { rate = 48000, length = 40 }
local pm = bus "PM" { gain = $pm_db }
local dx = bus "DX" { to = pm, gain = $dx_db }
local mx = bus "MX" { to = pm }
track "SCORE" { to = mx, gain = $score_db }:clip { "$score", at = 0 }
local d = track "DIA" { channels = 1, to = dx }
local at = 1
for _, f in ipairs { "let-m-divna", "let-v-budrada", "let-m-oko", "let-v-oko", "let-m-sedadlo", "let-v-vrak0",
                     "let-v-vrak1", "let-v-vrak2" } do
  at = d:clip { "$lines/" .. f .. ".ogg", at = at }.finish + 0.5
end
LUA
    for l in "$@"; do printf '%s\n' "$l"; done
  } > "$f"
}

# ffmpeg FILE KEY: ffmpeg ebur128's summary value (I, TP)
ffmpeg_reads() {
  ffmpeg -nostats -hide_banner -i "$1" -af ebur128=peak=true -f null - 2>&1 | awk -v key="$2" '
    /Integrated loudness:/ { s = "I" } /True peak:/ { s = "TP" }
    s == key && key == "I" && $1 == "I:" { print $2; exit }
    s == key && key == "TP" && $1 == "Peak:" { print $2; exit }'
}
# judged MEASURE: the value the judgement printed for MEASURE ("integrated",
# "true peak", "dialogue") in $out, the first deliverable that has it
judged() {
  printf '%s\n' "$out" | awk -v m="$1" '
    $1 == "pass" || $1 == "FAIL" { $1 = "" }
    { sub(/^ +/, "") }
    index($0, m " ") == 1 { rest = substr($0, length(m) + 2); split(rest, v, " "); print v[1]; exit }'
}
near() { awk -v a="$1" -v b="$2" -v t="$3" 'BEGIN { d = a - b; if (d < 0) d = -d; exit !(a != "" && b != "" && d <= t) }'; }

