#!/bin/sh
# plan_slurm.sh - `dubstage plan --slurm` (docs/cluster.md) on a real Slurm:
# Debian's munged, slurmctld and slurmd started here, one node of two CPUs,
# from a private slurm.conf in the test's folder (ports of its own; every
# daemon stopped at exit, whatever happens). The project is three reels of
# four deliverables (tests/render/lib/feature.sh); reel 3 is longer and
# layered, so its jobs run long enough to be caught.
#
# - the emitted job array, submitted with sbatch, renders all 12 jobs; every
#   output equals (cmp) the render of a copy of the project made on this
#   machine with plain `dubstage render`, and each job left its manifest;
# - a second array over the same project renders nothing (every task finds
#   its job up to date);
# - with reel 3's outputs deleted and the array submitted again, a task is
#   cancelled (scancel) while its render writes: it leaves no output and no
#   temporary file; re-queued (scontrol requeue, or resubmitted when Slurm
#   refuses), it completes, and the outputs equal the single renders again;
# - the same with the task's render killed outright (SIGKILL to its pid, as
#   a node that dies): no output file, its temporary left; re-queued, the
#   render removes the temporary (its log says so) and completes, outputs
#   equal.
# - --slurm --segments 3 on a gains-only project of four deliverables a
#   reel: the 36 segment tasks, then the joins submitted with
#   --dependency=afterok: every joined file equals the whole render (cmp).
# Skipped, saying why, when the daemons are not installed or cannot start
# here (no munge key can be made, slurmd refused by the kernel, ...).
T=plan_slurm
. tests/render/lib/common.sh
ROOT=$OLDPWD
. "$ROOT/tests/render/lib/feature.sh"

for c in munged slurmctld slurmd sbatch squeue scancel scontrol sinfo; do
  command -v "$c" >/dev/null 2>&1 ||
    { echo "skip - $T: $c is not installed (make deps: munge, slurmctld, slurmd, slurm-client)"; exit 0; }
done

S=$W/slurm
mkdir -p "$S/state" "$S/spool" "$S/logs" "$S/munge" && chmod 700 "$S/munge"
pids=""
on_exit() {
  # the daemons this test started, by their pids, then munged by its pid file
  for p in $pids; do kill "$p" 2>/dev/null; done
  [ -f "$S/munge/munged.pid" ] && kill "$(cat "$S/munge/munged.pid")" 2>/dev/null
  for p in $pids; do
    i=0; while kill -0 "$p" 2>/dev/null && [ $i -lt 50 ]; do sleep 0.1; i=$((i + 1)); done
    kill -9 "$p" 2>/dev/null
  done
}
skip_daemons() {
  echo "skip - $T: $1"
  for f in "$S"/*.log "$S"/munge/munged.log; do [ -s "$f" ] && tail -5 "$f" | sed "s|^|    # $(basename "$f"): |"; done
  exit 0
}

# ---- munge: a key of our own, a socket of our own ----
dd if=/dev/urandom of="$S/munge/munge.key" bs=1024 count=1 2>/dev/null && chmod 400 "$S/munge/munge.key"
munged --force --key-file="$S/munge/munge.key" --socket="$S/munge/munge.sock" --pid-file="$S/munge/munged.pid" \
  --log-file="$S/munge/munged.log" --seed-file="$S/munge/munged.seed" 2>"$S/munge/start.err" ||
  skip_daemons "munged cannot start here: $(head -1 "$S/munge/start.err")"

# ---- slurm.conf: one node, two CPUs, no cgroups, no accounting ----
# (cred_expire: how long a re-queued job waits before it may start again,
# 120 s by default; 10 s keeps the test short. The scheduler's passes: the
# backfill loop every 30 s and the full one every 60 s by default, batch
# jobs held up to 3 s at submission; here every second and at once, so a
# task starts when it may, not at the next pass)
host=$(hostname -s)
port=$((20000 + $$ % 20000))
cat > "$S/slurm.conf" <<CONF
ClusterName=dubstage-test
SlurmctldHost=$host(127.0.0.1)
SlurmctldPort=$port
SlurmdPort=$((port + 1))
SlurmUser=$(id -un)
SlurmdUser=root
AuthType=auth/munge
CredType=cred/munge
AuthInfo=socket=$S/munge/munge.sock,cred_expire=10
StateSaveLocation=$S/state
SlurmdSpoolDir=$S/spool
SlurmctldPidFile=$S/slurmctld.pid
SlurmdPidFile=$S/slurmd.pid
SlurmctldLogFile=$S/slurmctld.log
SlurmdLogFile=$S/slurmd.log
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
JobAcctGatherType=jobacct_gather/none
AccountingStorageType=accounting_storage/none
JobCompType=jobcomp/none
SchedulerType=sched/backfill
SchedulerParameters=bf_interval=1,sched_interval=1,batch_sched_delay=0
SelectType=select/cons_tres
SelectTypeParameters=CR_CPU
SlurmdParameters=config_overrides
MpiDefault=none
SwitchType=switch/none
ReturnToService=2
JobRequeue=1
KillWait=5
MailProg=/bin/true
NodeName=dubnode NodeHostname=$host NodeAddr=127.0.0.1 CPUs=2 State=UNKNOWN
PartitionName=dub Nodes=dubnode Default=YES MaxTime=INFINITE State=UP
CONF
export SLURM_CONF="$S/slurm.conf"
slurmctld -D -i -f "$S/slurm.conf" > "$S/slurmctld.out" 2>&1 &
pids="$pids $!"
slurmd -D -N dubnode -f "$S/slurm.conf" > "$S/slurmd.out" 2>&1 &
pids="$pids $!"
i=0
until [ "$(sinfo -h -n dubnode -o %T 2>/dev/null)" = idle ]; do
  i=$((i + 1))
  [ $i -gt 150 ] && skip_daemons "slurmctld and slurmd did not bring node dubnode up in 30 s (state '$(sinfo -h -n dubnode -o %T 2>&1 | head -1)')"
  for p in $pids; do kill -0 "$p" 2>/dev/null || skip_daemons "a Slurm daemon exited at start"; done
  sleep 0.2
done
ok "munged, slurmctld and slurmd started: node dubnode idle, $(sinfo -h -n dubnode -o %c) CPUs"

# ---- the project, and its single-machine render ----
# reel 3: 30 s and 4 more effects tracks, long enough to be caught while it renders
feature_real_project film 30 4 || { echo "not ok - $T: $feature_media_missing is missing (make deps)"; exit 1; }
cp -r film single
feature_render_each single
"$DS" plan film/feature.lua --slurm --log-dir "$S/logs" > film.sbatch 2> plan.err ||
  { echo "not ok - $T: plan --slurm failed: $(cat plan.err)"; exit 1; }

# submit FILE [sbatch options]: the job id in $job
submit() { job=$(sbatch --parsable "$@" film.sbatch 2> sbatch.err | cut -d';' -f1); [ -n "$job" ]; }
# wait_done SECONDS: until no task of $job is pending or running
wait_done() {
  i=0
  while [ -n "$(squeue -h -j "$job" 2>/dev/null)" ]; do
    i=$((i + 1)); [ $i -gt $(($1 * 5)) ] && return 1
    sleep 0.2
  done
}
# logged WORDS: how many task logs of $job hold WORDS
logged() { cat "$S"/logs/feature-"$job"_*.log 2>/dev/null | grep -c -F -e "$1"; }

# ---- the array renders everything, as the single renders ----
submit || { echo "not ok - $T: sbatch refused the job array: $(cat sbatch.err)"; exit 1; }
if ! wait_done 300; then notok "the job array finishes" "still queued after 300 s: $(squeue -h -j "$job" | head -3)"
elif feature_same film single 18 && [ "$(find film -name '*.manifest.json' | wc -l)" -eq 12 ] && [ "$(logged ': to render: ')" -eq 12 ]; then
  ok "sbatch of the 12-task array: every job rendered once, left its manifest; outputs equal the single renders (cmp, $nsame files)"
else out=$(cat "$S"/logs/feature-"$job"_*.log | tail -20); notok "the job array renders as the single renders" "${differs:-} $(logged ': to render: ') renders"; fi

submit && wait_done 120
if [ "$(logged ': up to date')" -eq 12 ] && [ "$(logged ': to render: ')" -eq 0 ]; then
  ok "the array again: every task finds its job up to date, nothing rendered"
else notok "the array again renders nothing" "$(logged ': to render: ') renders"; fi

# writing_caught: waits up to 60 s for task r3.ref's temporary file of
# PM_ref.flac; true once it is there
writing_caught() {
  i=0
  until ls film/reel3/out/.PM_ref.flac.part-* >/dev/null 2>&1; do
    i=$((i + 1)); [ $i -gt 3000 ] && return 1
    sleep 0.02
  done
}

# ---- a task cancelled while it writes, then re-queued ----
rm -rf film/reel3/out
submit
task=11   # r3.ref, the last: reel 3's jobs run longest
if ! writing_caught; then
  notok "catch task $task writing" "no temporary file of film/reel3/out/PM_ref.flac seen in 60 s"
else
  scancel "${job}_$task"
  i=0
  while squeue -h -j "${job}_$task" -t RUNNING,COMPLETING 2>/dev/null | grep -q .; do
    i=$((i + 1)); [ $i -gt 300 ] && break; sleep 0.1
  done
  left=$(ls -A film/reel3/out 2>/dev/null | grep -i 'PM_ref\|ref.manifest' | tr '\n' ' ')
  if [ -z "$left" ]; then ok "task $task cancelled mid-render: no PM_ref.flac, no temporary file, no manifest left"
  else notok "a cancelled task leaves nothing" "left: $left"; fi
  wait_done 300
  if scontrol requeue "${job}_$task" 2> requeue.err; then how="scontrol requeue"
  else how="resubmitted with --array=$task (scontrol requeue: $(head -1 requeue.err))"; submit --array="$task"; fi
  wait_done 300
  if [ -f film/reel3/out/PM_ref.flac ] && [ -f film/reel3/out/ref.manifest.json ] && feature_same film single 18 &&
     [ -z "$(find film -name '.*.part-*')" ]; then
    ok "re-queued ($how): it completes, no temporary file anywhere, every output equals the single render"
  else notok "the re-queued task completes" "$how; ${differs:-}; $(find film -name '.*.part-*' | head -2)"; fi
fi

# ---- a node failure: the task's render killed outright (SIGKILL), then re-queued ----
# What a node that dies leaves: the render cannot clean up, so its temporary
# file stays (unlocked, its process gone), but never a file under an
# output's name; the re-queued task's render removes the temporary (saying
# so in the task's log) and completes.
rm -rf film/reel3/out
submit
if ! writing_caught; then
  notok "catch task $task writing (for SIGKILL)" "no temporary file of film/reel3/out/PM_ref.flac seen in 60 s"
else
  # the render holding the temporary open, killed by its pid: scancel
  # --signal=KILL goes through Slurm's cancel (SIGTERM first), not a death
  # (the task's script execs the render: its command line names this
  # test's own copy of reel 3's ref.lua)
  pid=$(pgrep -f -x ".*render --quiet --threads 1 $(pwd -P)/film/reel3/ref.lua" | head -1)
  [ -n "$pid" ] && kill -KILL "$pid"
  i=0
  while squeue -h -j "${job}_$task" -t RUNNING,COMPLETING 2>/dev/null | grep -q .; do
    i=$((i + 1)); [ $i -gt 300 ] && break; sleep 0.1
  done
  stale=$(ls -A film/reel3/out 2>/dev/null | grep -c '^\.PM_ref\.flac\.part-')
  if [ -n "$pid" ] && [ ! -e film/reel3/out/PM_ref.flac ] && [ ! -e film/reel3/out/ref.manifest.json ] && [ "$stale" -ge 1 ]; then
    ok "task $task's render killed with SIGKILL mid-render: no PM_ref.flac, no manifest; its temporary file stays (as a dead node's would)"
  else notok "a render killed outright leaves no output" "render pid '${pid:-not found}'; PM_ref.flac $(ls film/reel3/out/PM_ref.flac 2>&1), $stale temporaries"; fi
  wait_done 300
  if scontrol requeue "${job}_$task" 2> requeue.err; then how="scontrol requeue"
  else how="resubmitted with --array=$task (scontrol requeue: $(head -1 requeue.err))"; submit --array="$task"; fi
  wait_done 300
  if [ -f film/reel3/out/PM_ref.flac ] && feature_same film single 18 && [ -z "$(find film -name '.*.part-*')" ] &&
     [ "$(logged "a temporary file left by a render that was killed")" -ge 1 ]; then
    ok "re-queued after SIGKILL ($how): the stale temporary removed (said in the log), it completes, outputs equal the single render"
  else notok "the re-queued task after SIGKILL completes and sweeps" "$how; ${differs:-}; $(find film -name '.*.part-*' | head -2); swept said $(logged 'left by a render')"; fi
fi

# ---- --segments: an array of every job's segments, then the joins after it ----
# The deliverables project (one gains-only script a reel, four deliverables:
# tests/render/lib/feature.sh), each job in 3 segments: 36 array tasks; the
# joins submitted with --dependency=afterok on the array; every joined file
# equals (cmp) the whole render of its reel's script.
mkdir -p one
for r in 1 2 3; do
  mkdir -p one/reel$r && feature_reel_script one/reel$r $r || { echo "not ok - $T: the reel scripts"; exit 1; }
done
feature_deliverables_project one/feature.lua 3
cp -r one onewhole
for r in 1 2 3; do (cd onewhole/reel$r && "$DS" render --quiet reel.lua) || echo "not ok - $T: the whole render of reel $r"; done
"$DS" plan one/feature.lua --slurm --segments 3 --preroll 1 --log-dir "$S/logs" > film.sbatch 2> plan.err ||
  { echo "not ok - $T: plan --slurm --segments failed: $(cat plan.err)"; exit 1; }
if submit; then
  segs_job=$job
  job=$(sbatch --parsable --dependency=afterok:"$segs_job" --array=0 film.sbatch join 2> sbatch.err | cut -d';' -f1)
  join_job=$job
  job=$segs_job; wait_done 300
  job=$join_job; wait_done 300
  nseg=$(find one -path '*/.segments/*' -name '*.manifest.json' | wc -l)
  njoined=$(cat "$S"/logs/feature-"$join_job"_0.log 2>/dev/null | grep -c '^joined 3 segments into ')
  if [ -n "$join_job" ] && [ "$nseg" -eq 36 ] && [ "$njoined" -eq 18 ] && feature_same one onewhole 18; then
    ok "--slurm --segments 3: 36 segment tasks, then the joins (afterok): 18 joined files, each equal (cmp) to the whole render"
  else out=$(tail -5 "$S"/logs/feature-"$join_job"_0.log 2>/dev/null; cat sbatch.err)
    notok "--slurm --segments: segments then joins" "join job '$join_job', $nseg segment manifests, $njoined joins; ${differs:-}"; fi
else notok "--slurm --segments: sbatch of the segments' array" "$(cat sbatch.err)"; fi
