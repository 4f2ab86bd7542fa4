# feature.sh - a feature's project for `dubstage plan` (docs/cluster.md),
# shared by tests/render/plan.sh, plan_slurm.sh and tests/bench/feature.sh.
# Sourced, not run.
#
# feature_deliverables DIR: the four deliverable scripts of one reel in DIR,
# each requiring the reel's mix (DIR/mix.lua, which returns a function that
# builds the session and returns its buses pm, dx, mx, fx; given
# { no_dialogue = true } it leaves the dialogue out):
#   pm.lua     the printmaster, out/PM.wav (24-bit)
#   stems.lua  the DX, MX and FX stems, out/stems/*.wav
#   me.lua     the M&E: the mix without dialogue, out/ME.wav
#   ref.lua    a 16-bit FLAC reference copy of the printmaster, out/PM_ref.flac
feature_deliverables() {
  cat > "$1/pm.lua" <<'LUA'
local b = require "mix" ()
output { "out/PM.wav", from = b.pm, format = "wav24" }
LUA
  cat > "$1/stems.lua" <<'LUA'
local b = require "mix" ()
output { "out/stems/DX.wav", from = b.dx, format = "wav24" }
output { "out/stems/MX.wav", from = b.mx, format = "wav24" }
output { "out/stems/FX.wav", from = b.fx, format = "wav24" }
LUA
  cat > "$1/me.lua" <<'LUA'
local b = require "mix" { no_dialogue = true }
output { "out/ME.wav", from = b.pm, format = "wav24" }
LUA
  cat > "$1/ref.lua" <<'LUA'
local b = require "mix" ()
output { "out/PM_ref.flac", from = b.pm, format = "flac16" }
LUA
}

# feature_project FILE REELS: the project file listing reel1..reelREELS
# (folders beside FILE), each with the four deliverables, as a loop.
feature_project() {
  cat > "$1" <<LUA
-- the feature: $2 reels, four deliverables each (docs/cluster.md)
for r = 1, $2 do
  local dir = "reel" .. r
  reel("r" .. r) { dir .. "/pm.lua", dir .. "/stems.lua", dir .. "/me.lua", dir .. "/ref.lua" }
end
LUA
}

# feature_outputs DIR: every output file of a feature under DIR, sorted,
# relative to DIR (not the segments of `plan --segments`, in out/.segments).
feature_outputs() {
  (cd "$1" && find . -path '*/out/*' ! -path '*/.segments/*' -type f \( -name '*.wav' -o -name '*.flac' \) |
    sed 's|^\./||' | sort)
}

# feature_real_mix DIR R SECONDS [LAYERS]: reel R's mix of real recordings from
# Debian packages (tests/render/lib/delivery_mix.sh's): a Battle for
# Wesnoth score and another cue as effects, each from its own point for
# each reel, and a line of Fish Fillets NG's Czech dialogue; SECONDS long
# (at most 60); LAYERS more effects tracks (the same cue from other points),
# to make a render that takes a while. Sets feature_media_missing (and returns 1) when a package
# is not installed.
feature_score=/usr/share/games/wesnoth/1.16/data/core/music/underground.ogg
feature_fx=/usr/share/games/wesnoth/1.16/data/core/music/battle.ogg
feature_line=/usr/share/games/fillets-ng/sound/airplane/cs/let-m-divna.ogg
feature_real_mix() {
  for f in "$feature_score" "$feature_fx" "$feature_line"; do
    [ -r "$f" ] || { feature_media_missing=$f; return 1; }
  done
  cat > "$1/mix.lua" <<LUA
-- reel $2: the mix its deliverables render (each requires it)
return function(opts)
  opts = opts or {}
  session { rate = 48000, length = $3 }
  local pm = bus "PM" {}
  local dx = bus "DX" { to = pm }
  local mx = bus "MX" { to = pm }
  local fx = bus "FX" { to = pm }
  track "SCORE" { to = mx, gain = -8 }:clip { "$feature_score", at = 0, from = $(( $2 * 9 )) }
  track "EFFECTS" { to = fx, gain = -16 }:clip { "$feature_fx", at = 0, from = $(( $2 * 13 )) }
  for k = 1, ${4:-0} do
    track("EFFECTS " .. k) { to = fx, gain = -30 }:clip { "$feature_fx", at = 0, from = 60 + 5 * k }
  end
  if not opts.no_dialogue then
    track "DIA" { channels = 1, to = dx }:clip { "$feature_line", at = 0.25 }
  end
  return { pm = pm, dx = dx, mx = mx, fx = fx }
end
LUA
}

# feature_render_each DIR: every deliverable script of DIR's reels rendered
# on its own with plain `dubstage render` ($DS), in its folder: the
# single-machine renders the job engines' outputs are compared with.
feature_render_each() {
  for s in $(cd "$1" && ls reel*/pm.lua reel*/stems.lua reel*/me.lua reel*/ref.lua); do
    (cd "$1/$(dirname "$s")" && "$DS" render --quiet "$(basename "$s")") || echo "not ok - $T: the single render of $s failed"
  done
}

# feature_same A B N: every output under A equals (cmp) the same file under
# B, and there are N; else 1 with what differs in $differs. $nsame: the count.
feature_same() {
  nsame=0
  for f in $(feature_outputs "$1"); do
    cmp -s "$1/$f" "$2/$f" || { differs=$f; return 1; }
    nsame=$((nsame + 1))
  done
  [ "$nsame" -eq "$3" ] || { differs="only $nsame outputs"; return 1; }
}

# feature_real_project DIR [SECONDS3 LAYERS3]: DIR/feature.lua and three
# reels of feature_real_mix (3 s each; reel 3 SECONDS3 long with LAYERS3
# more effects tracks) with the four deliverables each. 1 when a medium is
# missing ($feature_media_missing).
feature_real_project() {
  mkdir -p "$1" || return 1
  for r in 1 2 3; do
    mkdir -p "$1/reel$r"
    if [ $r -eq 3 ]; then feature_real_mix "$1/reel$r" $r "${2:-3}" "${3:-0}" || return 1
    else feature_real_mix "$1/reel$r" $r 3 0 || return 1; fi
    feature_deliverables "$1/reel$r"
  done
  feature_project "$1/feature.lua" 3
}

# feature_reel_script DIR R: DIR/reel.lua, reel R's mix in one script that
# writes every deliverable (the way a reel is usually mixed): 5.1 DME stems
# into a printmaster and the M&E (dubstage.stems), and a 16-bit Lo/Ro
# fold-down of the printmaster (TPDF dither), R<R>_*.wav in DIR/out; its
# dialogue a WAV copy in DIR (DIR/line.wav) and its trims file
# DIR/reel.trims.lua (the score's fader). feature_deliverables_project
# FILE REELS: the project naming each reel's four deliverables of it:
# pm, stems (DX, MX, FX), me, loro. 1 when a medium is missing.
feature_reel_script() {
  for f in "$feature_score" "$feature_fx" "$feature_line"; do
    [ -r "$f" ] || { feature_media_missing=$f; return 1; }
  done
  sox -V1 "$feature_line" -r 48000 -b 24 "$1/line.wav" || return 1
  printf 'return {\n  ["SCORE.gain"] = -8,\n}\n' > "$1/reel.trims.lua"
  cat > "$1/reel.lua" <<LUA
-- reel $2: every deliverable from one mix (docs/cluster.md)
session { rate = 48000, length = 3 }
local s = require("dubstage.stems").layout { "DME", layout = "5.1", folder = "out", prefix = "R$2_" }
track "SCORE" { to = s.mx }:clip { "$feature_score", at = 0, from = $(( $2 * 9 )) }
track "EFFECTS" { to = s.fx, gain = -16 }:clip { "$feature_fx", at = 0, from = $(( $2 * 13 )) }
track "DIA" { channels = 1, to = s.dx }:clip { "line.wav", at = 0.25 }
output { "out/R$2_LoRo.wav", from = s.pm, downmix = "LoRo", format = "wav16" }
trims "reel.trims.lua"
LUA
}
feature_deliverables_project() {
  cat > "$1" <<LUA
-- the feature: $2 reels, one script each, four deliverables of it (docs/cluster.md)
for r = 1, $2 do
  local R = "R" .. r .. "_"
  reel("r" .. r) { { "reel" .. r .. "/reel.lua", pm = R .. "printmaster", stems = { R .. "DX", R .. "MX", R .. "FX" },
                     me = R .. "ME", loro = R .. "LoRo" } }
end
LUA
}
