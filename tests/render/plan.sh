#!/bin/sh
# plan.sh - `dubstage plan` (docs/cluster.md) on a three-reel feature with
# four deliverables a reel (tests/render/lib/feature.sh: real recordings):
#
# - the job list names 12 jobs with their inputs (script, module, media)
#   and outputs, none up to date;
# - the emitted Makefile under `make -j2` renders every job once (the
#   manifests' render count), and the outputs equal, byte for byte (cmp),
#   those of a copy of the project rendered script by script with plain
#   `dubstage render`;
# - make again renders nothing; neither after a `touch` of a reel's mix and
#   a medium (same contents): every output keeps its inode and time;
# - a change to the contents of reel 1's mix (a comment) re-renders reel 1's
#   four jobs and nothing else (new inodes there only), the outputs still
#   equal the single renders;
# - the GNU parallel job file re-renders the reel whose outputs were
#   deleted, and only it;
# - a folder project lists the same jobs (modules writing nothing left out);
# - --path-map rewrites the paths of the job files; --slurm writes an array
#   of 12 tasks, and warns past Slurm's default MaxArraySize (1002 jobs);
# - a project naming the deliverables of one script per reel (pm, stems,
#   me, a 16-bit Lo/Ro fold-down) gives a job per deliverable (render
#   --output), 12 in all; make -j2 renders each once, the files equal the
#   whole render of each script (cmp); a touch renders nothing; a medium's
#   contents (size and time put back), a trims file, the script: only that
#   reel's 4 jobs again; another engine build: all 12; outputs no
#   deliverable names are warned about;
# - --segments 3 --make: each of those 12 jobs split in time into 3
#   segments (render --from --to --preroll 1 --out) joined by make's job
#   target (dubstage join): 36 segments, 18 joined files equal (cmp) to the
#   whole renders; make again does nothing; an edit of reel 3's script
#   renders its 12 segments and joins again, nothing else; a FLAC output
#   and --parallel are refused; --slurm writes 36 tasks and a join phase;
# - the deliverables project as a plain file (a reel a line) writes the
#   same Makefile;
# - errors name the project file and line: an unknown word (did you mean),
#   a missing script, two jobs writing one file, a job reading another's
#   output.
T=plan
. tests/render/lib/common.sh
ROOT=$OLDPWD
. "$ROOT/tests/render/lib/feature.sh"
command -v make >/dev/null 2>&1 || { echo "not ok - $T: make is not installed (make deps)"; exit 1; }

feature_real_project film || { echo "not ok - $T: $feature_media_missing is missing (make deps)"; exit 1; }
cp -r film single

# identities: "path inode mtime" of every output, sorted
identities() { (cd film && feature_outputs . | while read -r f; do printf '%s %s\n' "$f" "$(stat -c '%i %Y.%y' "$f")"; done); }
# changed_reels BEFORE AFTER: the reels (r1 ...) whose outputs' identities differ
changed_reels() {
  printf '%s\n' "$1" > before.txt; printf '%s\n' "$2" > after.txt
  diff before.txt after.txt | sed -n 's/^[<>] reel\([0-9]*\)\/.*/r\1/p' | sort -u | tr '\n' ' '
}
# rendered LOG: how many jobs the log says were rendered ("to render:" lines of plan --fresh)
rendered() { grep -c ': to render: ' "$1"; }

# ---- the job list ----
out=$("$DS" plan film/feature.lua 2>&1); rc=$?
if [ $rc -eq 0 ] && has "project film/feature.lua: 3 reels, 12 jobs" "job r1.pm  (film/feature.lua:4)" "job r3.ref" \
     "reads   script   film/reel1/pm.lua" "module   film/reel1/mix.lua (the script's folder)" \
     "media    $feature_score" "writes  output   film/reel2/out/stems/DX.wav" \
     "manifest film/reel2/out/stems/stems.manifest.json" "state   not rendered yet" "12 jobs: 0 up to date, 12 to render"; then
  ok "plan lists 12 jobs with their script, module, media, outputs and manifest, none rendered"
else notok "plan lists 12 jobs with inputs and outputs" "exit $rc; lacks '${missing:-}'"; fi

# ---- the Makefile: everything once, equal to single renders ----
"$DS" plan film/feature.lua --make > film.mk 2> plan.err || { echo "not ok - $T: plan --make failed: $(cat plan.err)"; exit 1; }
make -j2 -f film.mk > make1.log 2>&1; rc=$?
n=$(rendered make1.log)
nman=$(find film -name '*.manifest.json' | wc -l)
if [ $rc -eq 0 ] && [ "$n" -eq 12 ] && [ "$nman" -eq 12 ] && [ "$(feature_outputs film | wc -l)" -eq 18 ]; then
  ok "make -j2 renders each of the 12 jobs once: 18 outputs, 12 manifests"
else out=$(cat make1.log); notok "make -j2 renders the 12 jobs once" "exit $rc, $n renders, $nman manifests"; fi
feature_render_each single
if feature_same film single 18; then ok "the make -j2 outputs equal the single renders byte for byte (cmp, $nsame files)"
else notok "the make -j2 outputs equal the single renders" "$differs differs"; fi

# ---- nothing changed, or only touched: nothing renders ----
before=$(identities)
make -j2 -f film.mk > make2.log 2>&1; rc=$?
n=$(rendered make2.log); up=$(grep -c ': up to date' make2.log)
if [ $rc -eq 0 ] && [ "$n" -eq 0 ] && [ "$up" -eq 12 ] && [ "$(identities)" = "$before" ]; then
  ok "make again: 12 jobs up to date, nothing rendered, every output untouched"
else out=$(cat make2.log); notok "make again renders nothing" "exit $rc, $n renders, $up up to date"; fi
sleep 1
touch film/reel2/mix.lua film/reel3/pm.lua
make -j2 -f film.mk > make3.log 2>&1; rc=$?
n=$(rendered make3.log)
if [ $rc -eq 0 ] && [ "$n" -eq 0 ] && [ "$(identities)" = "$before" ]; then
  ok "touch of reel 2's mix and reel 3's pm.lua (same contents): nothing rendered"
else out=$(cat make3.log); notok "a touch renders nothing" "exit $rc, $n renders; changed: $(changed_reels "$before" "$(identities)")"; fi

# ---- reel 1's mix changed: its four jobs and nothing else ----
printf -- '-- a note: the contents changed, not the mix\n' >> film/reel1/mix.lua
make -j2 -f film.mk > make4.log 2>&1; rc=$?
n=$(rendered make4.log)
changed=$(changed_reels "$before" "$(identities)")
if [ $rc -eq 0 ] && [ "$n" -eq 4 ] && [ "$changed" = "r1 " ] &&
   [ "$(grep ': to render: ' make4.log | grep -c '/reel1/')" -eq 4 ] && feature_same film single 18; then
  ok "reel 1's mix edited: its 4 jobs rendered again ($(grep -m1 ': to render: ' make4.log | sed 's/.*: to render: //')), the other 8 untouched, outputs equal"
else out=$(cat make4.log); notok "an edit re-renders that reel's jobs only" "exit $rc, $n renders, reels changed: '$changed'"; fi

# ---- --fresh ----
"$DS" plan --fresh film/reel2/me.lua > fresh.out 2>&1; rc1=$?
rm film/reel2/out/ME.wav
"$DS" plan --fresh film/reel2/me.lua > fresh2.out 2>&1; rc2=$?
out="$(cat fresh.out fresh2.out)"
if [ $rc1 -eq 0 ] && [ $rc2 -eq 1 ] && has "film/reel2/me.lua: up to date" "film/reel2/me.lua: to render: output" "is missing"; then
  ok "plan --fresh: exit 0 up to date, 1 with the output deleted, saying so"
else notok "plan --fresh exit status" "$rc1 / $rc2"; fi

# ---- GNU parallel: the reel whose outputs are gone ----
if command -v parallel >/dev/null 2>&1; then
  make -f film.mk r2.me > /dev/null 2>&1
  "$DS" plan film/feature.lua --parallel > film.jobs
  before=$(identities)
  rm -rf film/reel3/out
  parallel --will-cite -j2 < film.jobs > par.log 2>&1; rc=$?
  changed=$(changed_reels "$before" "$(identities)")
  if [ $rc -eq 0 ] && [ "$(wc -l < film.jobs)" -eq 12 ] && [ "$(rendered par.log)" -eq 4 ] && [ "$changed" = "r3 " ] &&
     feature_same film single 18; then
    ok "parallel -j2 < the job file: reel 3 (outputs deleted) rendered again, nothing else; outputs equal"
  else out=$(cat par.log); notok "the parallel job file" "exit $rc, $(rendered par.log) renders, reels changed '$changed'"; fi
else
  echo "skip - $T: GNU parallel is not installed (make deps): the parallel job file not run"
fi

# ---- a folder project ----
rm single/feature.lua
out=$("$DS" plan single 2>&1); rc=$?
if [ $rc -eq 0 ] && has "project single: 3 reels, 12 jobs" "job reel1.me  (single)" "job reel3.stems" \
     "single/reel1/mix.lua writes no output: not a job" "12 jobs: 12 up to date, 0 to render"; then
  ok "a folder project: a reel per subfolder, modules writing nothing left out, the single renders up to date"
else notok "a folder project" "exit $rc; lacks '${missing:-}'"; fi

# ---- job files: --path-map, --slurm ----
real=$(pwd -P)
out=$("$DS" plan film/feature.lua --slurm --path-map "$real/film=/mnt/film" --dubstage /opt/dubstage/bin/dubstage 2>&1); rc=$?
if [ $rc -eq 0 ] && has "#SBATCH --array=0-11" "#SBATCH --chdir=/mnt/film" "DUBSTAGE='/opt/dubstage/bin/dubstage'" \
     "0) job=r1.pm; set -- '/mnt/film/reel1/pm.lua' ;;" "11) job=r3.ref; set -- '/mnt/film/reel3/ref.lua' ;;" &&
   ! printf '%s\n' "$out" | grep -q "$real"; then
  ok "--slurm with --path-map: 12 array tasks, every path under the cluster's folder"
else notok "--slurm --path-map" "exit $rc; lacks '${missing:-}'"; fi

# ---- deliverables of one script: a job per deliverable (render --output) ----
# Each reel one script writing all six files; the project names its four
# deliverables (pm, stems, me, loro), so 12 jobs. What "out of date" means
# is tried for each kind of input: the script, a medium, the trims, the engine.
mkdir -p one
for r in 1 2 3; do
  mkdir -p one/reel$r && feature_reel_script one/reel$r $r ||
    { echo "not ok - $T: the reel scripts: ${feature_media_missing:-sox failed}"; exit 1; }
done
feature_deliverables_project one/feature.lua 3
cp -r one onewhole
# whole_same: every output under one/ equals (cmp) the whole render of its reel's script (onewhole/), 18 of them
whole_same() { feature_same one onewhole 18; }
for r in 1 2 3; do (cd onewhole/reel$r && "$DS" render --quiet reel.lua) || echo "not ok - $T: the whole render of reel $r failed"; done
one_ids() { (cd one && feature_outputs . | while read -r f; do printf '%s %s\n' "$f" "$(stat -c '%i %Y.%y' "$f")"; done); }
# one_make LOG [make args]: make -j2 of the deliverables' Makefile
one_make() { log=$1; shift; make -j2 -f one.mk "$@" > "$log" 2>&1; }
out=$("$DS" plan one/feature.lua 2>&1); rc=$?
if [ $rc -eq 0 ] && has "project one/feature.lua: 3 reels, 12 jobs" "job r1.loro  (one/feature.lua:4)" "job r2.stems" \
     "renders --output R2_DX --output R2_MX --output R2_FX" "writes  output   one/reel2/out/R2_DX.wav" \
     "manifest one/reel2/out/reel.R2_DX+R2_MX+R2_FX.manifest.json" "trims    one/reel3/reel.trims.lua" \
     "12 jobs: 0 up to date, 12 to render" && ! has "warning"; then
  ok "deliverables of one script: plan lists 12 jobs, each rendering its deliverable's outputs (--output), with its own manifest"
else notok "deliverables of one script: plan lists 12 jobs" "exit $rc; lacks '${missing:-}' (or warns)"; fi
"$DS" plan one/feature.lua --make > one.mk 2> plan.err || { echo "not ok - $T: plan --make failed: $(cat plan.err)"; exit 1; }
one_make one1.log; rc=$?
n=$(rendered one1.log)
if [ $rc -eq 0 ] && [ "$n" -eq 12 ] && [ "$(find one -name '*.manifest.json' | wc -l)" -eq 12 ] && whole_same; then
  ok "deliverables: make -j2 renders the 12 jobs once; the 18 files equal (cmp) each reel's whole render, the 16-bit dithered Lo/Ro too"
else out=$(cat one1.log); notok "deliverables: make -j2 renders each job once, equal to the whole renders" "exit $rc, $n renders; ${differs:-}"; fi
before=$(one_ids)
sleep 1
touch one/reel1/reel.lua one/reel2/line.wav one/reel3/reel.trims.lua
one_make one2.log; rc=$?
if [ $rc -eq 0 ] && [ "$(rendered one2.log)" -eq 0 ] && [ "$(grep -c ': up to date' one2.log)" -eq 12 ] && [ "$(one_ids)" = "$before" ]; then
  ok "deliverables: a touch of a script, a medium and a trims file (same contents): 12 up to date, nothing rendered"
else out=$(cat one2.log); notok "deliverables: a touch renders nothing" "exit $rc, $(rendered one2.log) renders"; fi
# one_changed NAME LOG REEL WHY: the last make rendered exactly REEL's 4 jobs, saying WHY, and only its files changed
one_changed() {
  changed=$(changed_reels "$before" "$(one_ids)")
  if [ "$(rendered "$2")" -eq 4 ] && [ "$(grep ': to render: ' "$2" | grep -c "/reel$3/reel.lua --output")" -eq 4 ] &&
     grep -q "to render: $4" "$2" && [ "$changed" = "r$3 " ] && whole_same; then
    ok "deliverables: $1: reel $3's 4 jobs rendered again ($4), the other 8 untouched; equal to the whole render"
  else out=$(cat "$2"); notok "deliverables: $1 re-renders reel $3's jobs only" "$(rendered "$2") renders, reels changed '$changed'; ${differs:-}"; fi
  before=$(one_ids)
}
# a medium's contents (one sample of reel 2's dialogue), its size and time put back
stamp=$(stat -c %y one/reel2/line.wav)
python3 -c 'import sys; f = open(sys.argv[1], "r+b"); f.seek(-3 * 4800, 2); b = f.read(3); f.seek(-3 * 4800, 2); f.write(bytes([b[0] ^ 0x10]) + b[1:])' one/reel2/line.wav
touch -d "$stamp" one/reel2/line.wav
(cd onewhole/reel2 && cp ../../one/reel2/line.wav . && "$DS" render --quiet reel.lua)
one_make one3.log
one_changed "a medium changed (a sample of the dialogue; size and modification time put back)" one3.log 2 "changed: 'one/reel2/line.wav'"
# the trims
sed -i 's/-8/-9/' one/reel3/reel.trims.lua
(cd onewhole/reel3 && cp ../../one/reel3/reel.trims.lua . && "$DS" render --quiet reel.lua)
one_make one4.log
one_changed "the trims file changed" one4.log 3 "changed: 'one/reel3/reel.trims.lua'"
# the script
printf -- '-- a note: the contents changed, not the mix\n' >> one/reel1/reel.lua
one_make one5.log
one_changed "the script edited" one5.log 1 "the script changed"
# another engine: the same build with one byte more (another SHA-256), run through make's DUBSTAGE
cp "$DS" other-dubstage && printf 'x' >> other-dubstage
one_make one6.log DUBSTAGE="$(pwd)/other-dubstage"; rc=$?
if [ $rc -eq 0 ] && [ "$(rendered one6.log)" -eq 12 ] && [ "$(grep -c 'to render: the engine changed' one6.log)" -eq 12 ] &&
   whole_same && [ "$(grep -l "$(sha256sum other-dubstage | cut -c1-64)" one/reel*/out/*.manifest.json | wc -l)" -eq 12 ]; then
  ok "deliverables: make DUBSTAGE=another build: all 12 jobs rendered again (the engine changed), each manifest names its SHA-256"
else out=$(cat one6.log); notok "deliverables: another engine re-renders everything" "exit $rc, $(rendered one6.log) renders"; fi
# the same project as a plain list: the same Makefile (but its first line, which names the project)
cat > one/feature.txt <<'TXT'
# the feature: a reel a line, its script, then each deliverable of it (docs/cluster.md)
r1  reel1/reel.lua  loro=R1_LoRo  me=R1_ME  pm=R1_printmaster  stems=R1_DX,R1_MX,R1_FX
r2  reel2/reel.lua  loro=R2_LoRo  me=R2_ME  pm=R2_printmaster  stems=R2_DX,R2_MX,R2_FX
r3  "reel3/reel.lua"  loro=R3_LoRo  me=R3_ME  pm=R3_printmaster  stems=R3_DX,R3_MX,R3_FX   # quoted: a path
TXT
"$DS" plan one/feature.txt --make 2> plan.err | tail -n +2 > plain.mk
tail -n +2 one.mk > lua.mk
if [ -s plain.mk ] && cmp -s lua.mk plain.mk; then
  ok "a plain project file (a reel a line, NAME=OUTPUTS after its script) gives the Lua project's Makefile"
else out=$(cat plan.err; diff lua.mk plain.mk | head -5); notok "a plain project file gives the same jobs" "the Makefiles differ"; fi
out=$("$DS" plan one/feature.txt 2>&1); rc=$?
if [ $rc -eq 0 ] && has "project one/feature.txt: 3 reels, 12 jobs" "job r2.stems  (one/feature.txt:3)"; then
  ok "a plain project: its jobs listed at their lines"
else notok "a plain project's job list" "exit $rc; lacks '${missing:-}'"; fi

# refusals and the warning
printf 'reel "r1" { { "one/reel1/reel.lua", pm = "R1_printmaster", me = "R1_ME" } }\n' > part.lua
out=$("$DS" plan part.lua --make 2>&1 >/dev/null); rc=$?
if [ $rc -eq 0 ] && has "warning: one/reel1/reel.lua writes 'one/reel1/out/R1_DX.wav', which none of its deliverables names (part.lua:1)" \
   "R1_LoRo.wav', which none"; then ok "deliverables leaving outputs of their script out: plan warns, naming each file"
else notok "a script's outputs left out of every deliverable are warned about" "exit $rc; lacks '${missing:-}'"; fi

# ---- --segments: every job split in time, its segments joined (make orders them) ----
# The deliverables project's graph is gains-only (clips, faders, pans,
# fold-down, TPDF dither): its joined files are the whole render's, byte for byte.
"$DS" plan one/feature.lua --make --segments 3 --preroll 1 > seg.mk 2> plan.err ||
  { echo "not ok - $T: plan --make --segments failed: $(cat plan.err)"; exit 1; }
make -j2 -f seg.mk > seg1.log 2>&1; rc=$?
nseg=$(find one -path '*/.segments/*/*' -name '*.manifest.json' | wc -l)
if [ $rc -eq 0 ] && [ "$nseg" -eq 36 ] && [ "$(grep -c '^joined 3 segments into ' seg1.log)" -eq 18 ] && whole_same; then
  ok "--segments 3: make -j2 renders 36 segments (12 jobs x 3) and joins them into the 18 files, each equal (cmp) to the whole render"
else out=$(cat seg1.log); notok "--segments 3 under make -j2" "exit $rc, $nseg segment manifests, $(grep -c '^joined' seg1.log) joins; ${differs:-}"; fi
# seg_dirs: "manifest inode time" of every segment's manifest (a segment rendered again writes a new one)
seg_dirs() { find one -path '*/.segments/*' -name '*.manifest.json' | while read -r d; do printf '%s %s\n' "$d" "$(stat -c '%i %y' "$d")"; done | sort; }
segs_before=$(seg_dirs)
make -j2 -f seg.mk > seg2.log 2>&1; rc=$?
if [ $rc -eq 0 ] && [ "$(grep -c ': up to date' seg2.log)" -eq 12 ] && ! grep -q '^joined' seg2.log && [ "$(seg_dirs)" = "$segs_before" ]; then
  ok "--segments: make again: the 12 joined jobs up to date, no segment rendered, nothing joined"
else out=$(cat seg2.log); notok "--segments: make again does nothing" "exit $rc"; fi
printf -- '-- another note\n' >> one/reel3/reel.lua
make -j2 -f seg.mk > seg3.log 2>&1; rc=$?
redone=$(printf '%s\n' "$segs_before" > sb.txt; seg_dirs > sa.txt; diff sb.txt sa.txt | sed -n 's/^> one\/\(reel[0-9]*\)\/.*/\1/p' | sort | uniq -c | tr -s ' ' | tr '\n' ';')
if [ $rc -eq 0 ] && [ "$redone" = " 12 reel3;" ] && [ "$(grep -c '^joined 3 segments into .*/reel3/out/' seg3.log)" -eq 6 ] &&
   [ "$(grep -c '^joined' seg3.log)" -eq 6 ] && whole_same; then
  ok "--segments: reel 3's script edited: its 12 segments rendered again and joined into its 6 files, nothing else; equal to the whole render"
else out=$(cat seg3.log); notok "--segments: an edit re-renders that reel's segments only" "exit $rc; segment folders redone: '$redone'; ${differs:-}"; fi
out=$("$DS" plan film/feature.lua --make --segments 2 2>&1); rc=$?
if [ $rc -eq 1 ] && has "--segments: job r1.ref" "its output 'out/PM_ref.flac' is not a WAV file (dubstage join joins WAV files)"; then
  ok "--segments refuses a job with a FLAC output, naming it (join joins WAV files)"
else notok "--segments refuses a FLAC output" "exit $rc; lacks '${missing:-}'"; fi
out=$("$DS" plan film/feature.lua --parallel --segments 2 2>&1); rc=$?
if [ $rc -eq 2 ] && has "--segments is for the job list, --make and --slurm"; then ok "--segments with --parallel: refused, saying why (the joins wait for their segments)"
else notok "--segments with --parallel refused" "exit $rc"; fi
out=$("$DS" plan one/feature.lua --slurm --segments 3 --preroll 1 2>&1); rc=$?
if [ $rc -eq 0 ] && has "#SBATCH --array=0-35" "sbatch --dependency=afterok:\$jid --array=0 THIS join" \
     "35) job=r3.stems.seg3;" "--from 96000smp --to 144000smp --preroll 1" "join '$(pwd -P)/one/reel3/out' '$(pwd -P)/one/reel3/out/.segments/r3.stems/1'"; then
  ok "--slurm --segments 3: an array of 36 segment tasks and a join phase (tests/render/plan_slurm.sh runs it on Slurm)"
else notok "--slurm --segments writes the segments' array and the joins" "exit $rc; lacks '${missing:-}'"; fi

# ---- a Slurm array larger than Slurm's default MaxArraySize (1001) ----
mkdir -p big
printf 'session { rate = 48000, length = 0.1 }\noutput { "out/a.wav", from = bus "PM" {} }\n' > big/one.lua
i=0; while [ $i -lt 1002 ]; do i=$((i + 1)); mkdir -p big/r$i && cp big/one.lua big/r$i/d$i.lua; done
awk 'BEGIN { for (r = 0; r < 6; r++) { printf "reel \"r%d\" {", r; for (k = r * 167 + 1; k <= r * 167 + 167; k++) printf " \"r%d/d%d.lua\",", k, k; print " }" } }' > big/p.lua
out=$("$DS" plan big/p.lua --slurm 2>&1 >big.sbatch); rc=$?
if [ $rc -eq 0 ] && grep -q '^#SBATCH --array=0-1001$' big.sbatch &&
   has "warning: 1002 array tasks (0-1001): Slurm refuses an index of 1001 or more unless slurm.conf raises MaxArraySize"; then
  ok "--slurm with 1002 jobs: the array is written, with a warning that Slurm's default MaxArraySize (1001) refuses it"
else notok "--slurm past MaxArraySize warns" "exit $rc; lacks '${missing:-}'"; fi

# ---- errors name the project file and line ----
# refused NAME FILE TEXT WORD...: a project FILE holding TEXT (printf's
# format) is refused by plan --make with exit status 1 and every WORD said
refused() {
  name=$1 file=$2
  printf "$3" > "$file"
  shift 3
  out=$("$DS" plan "$file" --make 2>&1); rc=$?
  if [ $rc -eq 1 ] && has "$@"; then ok "$name"; else notok "$name" "exit $rc; lacks '${missing:-}'"; fi
}
refused "an unknown word: 'typo.lua:2: ... did you mean 'reel'?'" typo.lua \
  'reel "r1" { "film/reel1/pm.lua" }\nreeel "r2" { "film/reel2/pm.lua" }\n' \
  "typo.lua:2: unknown word 'reeel' in a project file; did you mean 'reel'?"
refused "a missing script: 'missing.lua:2: reel 'r1': cannot find the script ...'" missing.lua \
  '\nreel "r1" { "film/reel1/pm.lua", "film/reel1/nope.lua" }\n' \
  "missing.lua:2: reel 'r1': cannot find the script 'film/reel1/nope.lua'"
cp film/reel1/pm.lua film/reel1/pm2.lua
refused "two jobs writing one file: refused, naming both lines" twice.lua \
  'reel "r1" { "film/reel1/pm.lua" }\nreel "r2" { "film/reel1/pm2.lua" }\n' \
  "jobs r1.pm (twice.lua:1) and r2.pm2 (twice.lua:2) both write" "out/PM.wav"
rm film/reel1/pm2.lua
printf 'local b = require "mix" ()\noutput { "out/copy.wav", from = b.pm }\nlocal pm = io.open("out/PM.wav", "rb")\n' > film/reel1/copy.lua
refused "a job reading another's output: refused" reads.lua \
  'reel "r1" { "film/reel1/pm.lua", "film/reel1/copy.lua" }\n' \
  "job r1.copy reads" "out/PM.wav', which job r1.pm writes: jobs must be independent"
refused "a reel named 'all': refused at its line" all.lua 'reel "all" { "film/reel1/pm.lua" }\n' \
  "all.lua:1: the reel name 'all' is the make target of every job"
refused "a project file that loops forever stops at its budget, naming the line" loop.lua \
  'reel "r1" { "film/reel1/pm.lua" }\nlocal n = 0\nwhile true do n = n + 1 end\n' "loop.lua:3:" "instruction budget"
refused "print in a project file is refused (it would write into the job file)" printing.lua \
  'reel "r1" { "film/reel1/pm.lua" }\nprint("hello")\n' "printing.lua:2: unknown word 'print' in a project file"
refused "a bad reel name: refused at its line" names.lua 'reel "r 1" { "film/reel1/pm.lua" }\n' \
  "names.lua:1: the reel name 'r 1' may hold only letters, digits"
refused "a deliverable naming no output of its script: refused, with a suggestion and the job" badout.lua \
  'reel "r1" { { "one/reel1/reel.lua", pm = "R1_printmastr" } }\n' \
  "did you mean 'R1_printmaster'?" "(deliverable r1.pm, listed at badout.lua:1)"
refused "two deliverables naming one output: refused" twodel.lua \
  'reel "r1" { { "one/reel1/reel.lua", pm = "R1_printmaster", all = { "R1_ME", "R1_printmaster" } } }\n' \
  "jobs r1.all (twodel.lua:1) and r1.pm (twodel.lua:1) both write" "name each output in one deliverable only"
refused "a script both whole and split into deliverables: refused" both.lua \
  'reel "r1" { "one/reel1/reel.lua", { "one/reel1/reel.lua", pm = "R1_printmaster" } }\n' \
  "both.lua:1: the script 'one/reel1/reel.lua' is already job r1.reel"
refused "a plain project: a deliverable before its script, at its line" plain1.txt \
  '# a comment\nr1 pm=R1_printmaster one/reel1/reel.lua\n' \
  "plain1.txt:2: reel 'r1': the deliverable 'pm=R1_printmaster' comes before any script"
refused "a plain project: an unclosed quote, at its line" plain2.txt 'r1 "one/reel1/reel.lua\n' "plain2.txt:1: a quote is not closed"
