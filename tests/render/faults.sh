#!/bin/sh
# faults.sh - faults injected while a render runs (issue 11, ARCHITECTURE.md
# property 7: nothing lost). Each case expects a clear message and exit
# status, no half file under an output's name, no temporary file left
# behind, and the inputs untouched (checksums before and after).
#
# Timing is made deterministic with signals, not with sleeps: a render is
# started at --block 1 (slow), stopped with SIGSTOP as soon as its
# temporary output file appears, the fault is injected while it stands
# still, and it is continued with SIGCONT. Where the fault must lie ahead
# of the render, its position is read from the size of the temporary file
# and the fault placed 40 s of programme beyond it (the reader buffers at
# most 8 s ahead).
#
# Media is made here with sox (never committed). The disk-full case mounts
# a small tmpfs (no O_DIRECT there: the buffered path), and a small ext4
# image through a loop device (the O_DIRECT path, vm/direct_file.h, with an
# older output in the folder that must survive); without the right to
# mount they say skip, naming why. The outputs here are written with
# O_DIRECT where the test folder's file system allows it: that is checked
# on the stopped render's descriptors (/proc/PID/fdinfo), and a render with
# O_DIRECT refused (DUBSTAGE_TEST_DIRECT_EINVAL: the kernel answers EINVAL)
# must give the same bytes through the page cache.
# Runs from the repository root; DUBSTAGE is the binary (default build/dubstage).
set -u

bg=
mounted=
on_exit() {
  if [ -n "$bg" ]; then kill -CONT "$bg" 2>/dev/null; kill "$bg" 2>/dev/null; wait "$bg" 2>/dev/null; fi
  if [ -n "$mounted" ]; then umount "$mounted" 2>/dev/null; fi
}
# O_DIRECT in the open flags (octal 040000 on x86 and arm64) of the
# descriptors process $1 holds on a temporary file of out/t.wav: "direct",
# "buffered" (none has it), or "" (no such descriptor)
direct_flag() {
  how=
  for fd in /proc/"$1"/fd/*; do
    case $(readlink "$fd" 2>/dev/null) in
      */.t.wav.part-*)
        flags=$(sed -n 's/^flags:[[:space:]]*//p' /proc/"$1"/fdinfo/"${fd##*/}")
        if [ $((0$flags & 040000)) -ne 0 ]; then how=direct; elif [ -z "$how" ]; then how=buffered; fi ;;
    esac
  done
  echo "$how"
}
T=faults
. tests/render/lib/common.sh

part_files() { find "${1:-out}" -name '.*.part-*' 2>/dev/null; }
sums() { cksum media/* | sort; }

# ---- material --------------------------------------------------------------

mkdir media
# 300 s at 8 kHz, read through the resampler into a 48 kHz session: 4.8 MB
sox -n -r 8000 -c 1 -b 16 media/long.wav synth 300 sine 440 vol 0.5 2>/dev/null
sox -n -r 8000 -c 1 -b 16 media/extra.wav synth 60 sine 660 vol 0.5 2>/dev/null
sox media/long.wav media/extra.wav grown.wav 2>/dev/null
cp media/long.wav media/late.wav
cp media/long.wav pristine.wav
cp media/late.wav pristine_late.wav

# byte offset of the first sample of a WAV made by sox (after "data" and its size)
data_offset() {
  n=$(grep -obUa data "$1" | head -1 | cut -d: -f1)
  echo $((n + 8))
}

cat >long.lua <<'EOF'
session { rate = 48000, length = 300 }
local t = track "T"
t:clip { "media/long.wav", at = 0 }
local u = track "U"
u:clip { "media/late.wav", at = 250, length = 40 }
output { "out/t.wav", from = t, format = "wav16" }
output { "out/u.wav", from = u, format = "wav16" }
EOF
cat >short.lua <<'EOF'
session { rate = 48000, length = 1 }
local t = track "T"
t:clip { "media/extra.wav", at = 0 }
output { "out/s.wav", from = t, format = "wav16" }
EOF

# start_stopped ARGS...: starts `dubstage render ARGS` in the background and
# stops it as soon as a temporary file of out/t.wav exists. Sets $bg and
# $pos_s (seconds of programme the render had written then).
start_stopped() {
  "$DS" render "$@" >"$W/bg.log" 2>&1 &
  bg=$!
  i=0 pos_s=
  while [ $i -lt 4000 ]; do
    p=$(find out -name '.t.wav.part-*' 2>/dev/null | head -1)
    if [ -n "$p" ]; then
      kill -STOP "$bg"
      size=$(stat -c %s "$p")
      pos_s=$((size / 96000)) # 48 kHz mono 16-bit: 96 kB a second (header over-counted)
      return 0
    fi
    kill -0 "$bg" 2>/dev/null || break
    sleep 0.005
    i=$((i + 1))
  done
  return 1
}

# inject NAME MAX_S ARGS...: start_stopped ARGS, and fails NAME when the
# render could not be stopped, or was past MAX_S seconds of programme (too
# late for a fault placed ahead of it). Returns 0 when the fault may go in.
inject() {
  name=$1 max_s=$2
  shift 2
  if ! start_stopped "$@"; then
    notok "$name" "the render ended before it could be stopped"
    return 1
  fi
  if [ "$pos_s" -gt "$max_s" ]; then
    finish
    notok "$name" "the render was at $pos_s s when stopped: too late to inject"
    return 1
  fi
  return 0
}

# finish: continues the stopped render and waits; sets $rc and $out.
finish() {
  kill -CONT "$bg"
  wait "$bg"
  rc=$?
  bg=
  out=$(cat "$W/bg.log")
}

# ---- a clean render: the reference -----------------------------------------

out=$("$DS" render long.lua --quiet 2>&1)
rc=$?
if [ $rc -ne 0 ] || [ ! -f out/t.wav ]; then
  notok "faults: reference render" "exit $rc"
  exit 1
fi
mkdir ref
mv out/t.wav out/u.wav ref/
rm out/long.manifest.json # the reference's record; the renders below must leave nothing in out/
before=$(sums)

# ---- O_DIRECT where the folder's file system allows it ------------------------

# does this folder take O_DIRECT? (tmpfs does not describe its alignment)
case $(stat -f -c %T .) in
  tmpfs|ramfs|fuse*|nfs*|9p|overlayfs) direct_here= ;;
  *) direct_here=1 ;;
esac
# written_as NAME HOW: a render of long.lua, stopped, holds its temporary
# output with HOW (direct_flag) and, continued, gives the reference's bytes
written_as() {
  name=$1 want=$2
  inject "$name" 300 long.lua --block 1 --quiet || { rm -rf out; return; }
  how=$(direct_flag "$bg")
  # the temporary appears before the output is set up (the buffered
  # descriptor, then the O_DIRECT one and its first write, closed again on
  # EINVAL): a render stopped inside that moment is let on a little, up to
  # 40 times; only a descriptor that stays what it should not be fails
  tries=0
  while [ "$how" != "$want" ] && [ $tries -lt 40 ]; do
    kill -CONT "$bg"; sleep 0.02; kill -STOP "$bg"
    how=$(direct_flag "$bg")
    tries=$((tries + 1))
  done
  finish
  if [ "$want" = direct ] && [ -z "$direct_here" ]; then
    echo "skip - $name: this file system is not expected to take O_DIRECT (found: ${how:-no descriptor})"
  elif [ "$how" != "$want" ]; then
    notok "$name" "the temporary file's descriptors: ${how:-none found}"
  elif [ $rc -ne 0 ] || ! cmp -s out/t.wav ref/t.wav || ! cmp -s out/u.wav ref/u.wav; then
    notok "$name" "exit status $rc or other bytes than the reference"
  else
    ok "$name"
  fi
  rm -rf out
}
written_as "the render's temporary output is written with O_DIRECT ($(stat -f -c %T .))" direct
export DUBSTAGE_TEST_DIRECT_EINVAL=1
written_as "O_DIRECT refused (EINVAL): written through the page cache, the same bytes" buffered
unset DUBSTAGE_TEST_DIRECT_EINVAL

# ---- a source truncated while the render reads it --------------------------

name="a source cut while the render reads it: exit 1, the file and the frame named"
if inject "$name" 200 long.lua --block 1 --quiet; then
  cut_frames=$(((pos_s + 40) * 8000))
  truncate -s $(($(data_offset media/long.wav) + cut_frames * 2)) media/long.wav
  finish
  # placed on the timeline where the file ends (the clip is at 0, 8 kHz
  # into 48 kHz: a whole second), not where the block reading it began;
  # a render stopped before it opened the file finds the cut at the open,
  # placed at the clip's start (its message says "when the mix was compiled")
  cut_s=$((pos_s + 40))
  cut_tc=$(printf '%02d:%02d:%02d:00' $((cut_s / 3600)) $((cut_s / 60 % 60)) $((cut_s % 60)))
  case $out in *"when the mix was compiled"*) cut_tc=00:00:00:00 ;; esac
  expect_failed "$name" "long.wav" "ends early" "frame $cut_frames," "track 'T' at $cut_tc:"
fi
cp pristine.wav media/long.wav

# the same cut before the clip's reader opens: the clip at 250 s opens a
# file shorter than when the mix was compiled
name="a source cut before its clip starts: exit 1, the file and both lengths named"
if inject "$name" 200 long.lua --block 1 --quiet; then
  truncate -s $(($(data_offset media/late.wav) + 8000 * 2)) media/late.wav
  finish
  expect_failed "$name" "late.wav" "ends early" "frame 8000," "2400000 frames when the mix was compiled" \
    "track 'U' at 00:04:10:00"
fi
cp pristine_late.wav media/late.wav

# ---- a source that grows while the render reads it -------------------------

# The file is rewritten in place, header and all, 60 s longer (a recorder
# still writing it): both clips play what was probed, the bytes of the
# reference.
name="a source grown during the render: exit 0, the same bytes as before"
if inject "$name" 300 long.lua --block 1 --quiet; then
  cat grown.wav >media/long.wav
  cat grown.wav >media/late.wav
  finish
  if [ $rc -ne 0 ]; then
    notok "$name" "exit status $rc, expected 0"
  elif ! cmp -s out/t.wav ref/t.wav || ! cmp -s out/u.wav ref/u.wav; then
    notok "$name" "the outputs differ from the reference render"
  else
    ok "$name"
  fi
fi
cp pristine.wav media/long.wav
cp pristine_late.wav media/late.wav
rm -rf out

# ---- the output folder removed during the render ---------------------------

name="output folder removed mid-render: exit 1, the output named, nothing made"
if inject "$name" 300 long.lua --block 1 --quiet; then
  rm -rf out
  finish
  # both outputs were in the folder: the message names the one whose write
  # or rename failed first (t.wav usually; u.wav seen once on a loaded
  # machine, 2026-12-06)
  case $out in
    *out/u.wav*) expect_failed "$name" "out/u.wav" "No such file or directory" ;;
    *) expect_failed "$name" "out/t.wav" "No such file or directory" ;;
  esac
fi

# ---- SIGKILL, then a new render into the same folder ------------------------

name="kill -9 leaves a temporary file (the case the sweep is for)"
stale=
if inject "$name" 300 long.lua --block 1 --quiet; then
  kill -KILL "$bg"
  wait "$bg" 2>/dev/null
  bg=
  stale=$(part_files | grep '/\.t\.wav\.part-' | head -1)
  if [ -z "$stale" ]; then
    notok "$name" "no temporary file after kill -9"
  else
    ok "$name"
  fi
fi
# names close to ours but not ours, and a folder of our pattern: never touched
: >out/.t.wav.part-abc
: >out/t.wav.part-ABCDEF
: >out/.t.wav.part-ABCDE-
mkdir out/.d.wav.part-ABCDEF

name="the next render into the folder removes the stale file and says so"
out=$("$DS" render short.lua --quiet 2>&1)
rc=$?
if [ -z "$stale" ]; then
  echo "skip - $name: no stale file was made"
elif [ $rc -ne 0 ]; then
  notok "$name" "exit status $rc, expected 0"
elif [ -e "$stale" ]; then
  notok "$name" "$stale is still there"
elif ! has "removed '$stale'" "killed"; then
  notok "$name" "message lacks '$missing'"
elif [ ! -f out/s.wav ]; then
  notok "$name" "the render made no output"
else
  ok "$name"
fi

name="files and folders that only look like ours are left alone"
if [ -e out/.t.wav.part-abc ] && [ -e out/t.wav.part-ABCDEF ] && [ -e out/.t.wav.part-ABCDE- ] &&
  [ -d out/.d.wav.part-ABCDEF ]; then
  ok "$name"
else
  notok "$name" "one was removed: $(ls -A out | tr '\n' ' ')"
fi
rm -rf out/.t.wav.part-abc out/t.wav.part-ABCDEF out/.t.wav.part-ABCDE- out/.d.wav.part-ABCDEF

# locked FILE: FILE is flock'ed by some process (/proc/locks lists its inode)
locked() {
  ino=$(stat -c %i "$1" 2>/dev/null) && grep -q "FLOCK .*:$ino " /proc/locks 2>/dev/null
}
name="a running render's temporary file is not swept by another render"
if inject "$name" 300 long.lua --block 1 --quiet; then
  running=$(part_files | grep '/\.t\.wav\.part-' | head -1)
  # the temporary exists unlocked for an instant between its O_EXCL open
  # and its flock (vm/tmpfile.c: a sweep then may take it, and its creator
  # makes another): a render stopped in that instant is let on, up to 40
  # times, until its file is locked (seen failing under load, 2026-12-06)
  tries=0
  while ! locked "$running" && [ $tries -lt 40 ]; do
    kill -CONT "$bg"; sleep 0.02; kill -STOP "$bg"
    running=$(part_files | grep '/\.t\.wav\.part-' | head -1)
    tries=$((tries + 1))
  done
  out=$("$DS" render short.lua --quiet 2>&1)
  rc2=$?
  if [ $rc2 -ne 0 ] || [ ! -e "$running" ]; then
    finish
    notok "$name" "the second render exited $rc2 and the first one's file is $([ -e "$running" ] && echo there || echo gone)"
  else
    finish
    if [ $rc -ne 0 ] || ! cmp -s out/t.wav ref/t.wav; then
      notok "$name" "the first render, continued, exited $rc or made other bytes"
    else
      ok "$name"
    fi
  fi
fi
rm -rf out

# ---- disk full ---------------------------------------------------------------

name="disk full: exit 1, the output and the system's words named, the folder left empty"
mkdir full
if ! mount -t tmpfs -o size=256k tmpfs full 2>/dev/null; then
  echo "skip - $name: cannot mount a 256 kB tmpfs here (mount -t tmpfs needs root or CAP_SYS_ADMIN)"
else
  mounted=$W/full
  out=$("$DS" render long.lua --quiet --out full 2>&1)
  rc=$?
  if [ $rc -ne 1 ]; then
    notok "$name" "exit status $rc, expected 1"
  elif ! has "No space left on device" "cannot write 'full/"; then
    notok "$name" "message lacks '$missing'"
  elif [ -n "$(ls -A full)" ]; then
    notok "$name" "left in the full folder: $(ls -A full | tr '\n' ' ')"
  else
    ok "$name"
  fi
  umount full && mounted=
fi

name="disk full on ext4 (O_DIRECT): exit 1, the output named, the older output kept, no temporary left"
mkdir ext
if ! command -v mkfs.ext4 >/dev/null 2>&1; then
  echo "skip - $name: no mkfs.ext4 (Debian package e2fsprogs)"
elif ! { truncate -s 4M ext.img && mkfs.ext4 -q -F ext.img >/dev/null 2>&1 &&
         mount -o loop ext.img ext 2>/dev/null; }; then
  echo "skip - $name: cannot mount an ext4 image here (mount -o loop needs root and a loop device)"
else
  mounted=$W/ext
  cp media/extra.wav ext/t.wav # an older render's output (960 kB)
  out=$("$DS" render long.lua --quiet --out ext 2>&1)
  rc=$?
  left=$(find ext -type f ! -name t.wav)
  if [ $rc -ne 1 ]; then
    notok "$name" "exit status $rc, expected 1"
  elif ! has "No space left on device" "cannot write 'ext/"; then
    notok "$name" "message lacks '$missing'"
  elif ! cmp -s ext/t.wav media/extra.wav; then
    notok "$name" "the older ext/t.wav was changed"
  elif [ -n "$left" ]; then
    notok "$name" "left in the folder: $left"
  else
    ok "$name"
  fi
  umount ext && mounted=
fi

# ---- automation --csv: a unique temporary, removed on Ctrl-C -----------------

cat >lanes.lua <<'EOF'
session { rate = 48000, length = 14400 }
local t = track "T"
t:clip { "media/extra.wav", at = 0 }
t.gain:ramp { at = 10, to = -10, over = 3600 }
output { "out/t.wav", from = t }
EOF
name="automation --csv stopped by Ctrl-C: exit 130, no CSV and no temporary file"
"$DS" automation lanes.lua --csv lanes.csv >"$W/bg.log" 2>&1 &
bg=$!
i=0 seen=
while [ $i -lt 4000 ]; do
  if [ -n "$(find . -maxdepth 1 -name '.lanes.csv.part-??????')" ]; then
    kill -STOP "$bg"
    seen=1
    break
  fi
  kill -0 "$bg" 2>/dev/null || break
  sleep 0.005
  i=$((i + 1))
done
if [ -z "$seen" ]; then
  wait "$bg"
  bg=
  notok "$name" "the command ended before it could be stopped"
else
  kill -INT "$bg"
  finish
  if [ $rc -ne 130 ]; then
    notok "$name" "exit status $rc, expected 130"
  elif [ -e lanes.csv ] || [ -n "$(find . -maxdepth 1 -name '.lanes.csv.part-*')" ] || [ -e lanes.csv.part ]; then
    notok "$name" "left: $(ls -A | grep lanes | tr '\n' ' ')"
  else
    ok "$name"
  fi
fi

name="two automation --csv runs to one path: each complete, no temporary left"
"$DS" automation lanes.lua --csv ref.csv >/dev/null 2>&1
"$DS" automation lanes.lua --csv same.csv >/dev/null 2>&1 &
p1=$!
"$DS" automation lanes.lua --csv same.csv >/dev/null 2>&1
r2=$?
wait $p1
r1=$?
out=
if [ $r1 -ne 0 ] || [ $r2 -ne 0 ]; then
  notok "$name" "exit statuses $r1 and $r2"
elif [ -n "$(find . -maxdepth 1 -name '.same.csv.part-*')" ] || [ -e same.csv.part ]; then
  notok "$name" "a temporary file was left"
elif ! cmp -s same.csv ref.csv; then
  notok "$name" "same.csv differs from the CSV of a run alone"
else
  ok "$name"
fi

# ---- the inputs ----------------------------------------------------------------

if [ "$(sums)" = "$before" ]; then
  ok "inputs untouched by every fault"
else
  out=
  notok "inputs untouched by every fault" "a checksum changed"
fi
