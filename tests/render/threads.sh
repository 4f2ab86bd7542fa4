#!/bin/sh
# threads.sh - the rendered bytes do not depend on the thread count, the
# pinning or the SIMD path (issue 16), through the command line:
#   - the bench sessions (tests/bench/reference_film.lua and
#     reference_film51.lua, on 3 s of the bench material from
#     build/tools/make_bench_material, and the 2.5 s hall IR) and the demo
#     (scripts/demo.lua, when its media can be made): rendered with
#     --threads 1 at the default block, then on two threads (the default)
#     at --block 256, 1024 and 4096, with --pin and with a QC report
#     (--report: blocks cut at its gain readings): every file the same
#     bytes (cmp); on each SIMD path the CPU has (DUBSTAGE_SIMD=sse2, avx2,
#     avx512), the paths also against each other; on the first path also
#     written through the page cache (O_DIRECT refused with the test hook
#     DUBSTAGE_TEST_DIRECT_EINVAL) on one thread and on two, against the
#     default (O_DIRECT where the folder allows). A --block on the command
#     line holds on both threads (blocks of 256, 1024, 4096 on two); without
#     it (--pin, --report) the blocks are of 8192 frames while two threads
#     work (vm_render_compile) and of 1024 on one: the first slice of the
#     choice's try runs on two, the rest of these 3 s renders on one, so
#     each render switches from blocks of 8192 to blocks of 1024;
#   - the summary's threads line and the manifest's options.threads_run
#     (how many blocks ran on two threads and on one) agree, and add up to
#     the render's blocks; the manifest records --block, not the block of
#     two threads; with --threads 1 or --block 64 they say one thread and
#     why;
#   - the film session's EQ batches make their bus's mixes as their output
#     leaves the filters (vmc_fuse_sums; `dubstage info` says "summed into
#     bus"; the second batch of the music and of the effects adds to the
#     first one's sum, and its unit waits for the first one's): its
#     printmaster has the bytes of the same session with one
#     track of each batch also sent to a bus that only a file records
#     (which keeps every batch's mixes separate ops; info says no batch is
#     summed), at --block 64 and
#     1000 on one thread, 1000 and 4096 on two, and summed at --block 1
#     against unsummed at 1000 (the first 0.2 s), on each SIMD path; and
#     with only the first music batch and the second effects batch kept
#     apart (the second music batch then cannot add to a sum: its mixes
#     stay ops too), on two threads;
#   - dubstage --version names the SIMD path (as DUBSTAGE_SIMD narrows it)
#     and the CPU model /proc/cpuinfo gives; a wrong DUBSTAGE_SIMD is an
#     error that suggests the right word.
# Blocks of 1 and 64 frames run on one thread (render.c: the pool from 256
# frames); test_sched compares the pool itself at those sizes, and at
# blocks of 1000 and 4096 on two threads.
T=threads
repo=$(pwd)
. tests/render/lib/common.sh

# ---- --version and DUBSTAGE_SIMD ------------------------------------------------
out=$("$DS" --version 2>&1)
model=$(grep -m1 '^model name' /proc/cpuinfo | sed 's/^[^:]*: *//')
if has "simd: " "cpu: $model"; then ok "--version names the SIMD path and the CPU ($model)"
else notok "--version names the SIMD path and the CPU" "lacks '$missing'"; fi
out=$(DUBSTAGE_SIMD=sse2 "$DS" --version 2>&1)
if has "simd: sse2"; then ok "DUBSTAGE_SIMD=sse2: --version says sse2"
else notok "DUBSTAGE_SIMD=sse2: --version says sse2" "lacks '$missing'"; fi
out=$(DUBSTAGE_SIMD=avx3 "$DS" --version 2>&1); rc=$?
if [ $rc -eq 2 ] && has "DUBSTAGE_SIMD must be avx512, avx2 or sse2" "did you mean"; then
  ok "a wrong DUBSTAGE_SIMD is refused with a suggestion"
else notok "a wrong DUBSTAGE_SIMD is refused with a suggestion" "exit $rc, lacks '${missing:-}'"; fi

# the paths this CPU has
paths=sse2
grep -q -w avx2 /proc/cpuinfo && paths="$paths avx2"
grep -q -w avx512f /proc/cpuinfo && grep -q -w avx512vl /proc/cpuinfo && grep -q -w avx512bw /proc/cpuinfo &&
  grep -q -w avx512dq /proc/cpuinfo && paths="$paths avx512"

# same_dirs NAME A B: every file of A is in B with the same bytes, and B has no other
same_dirs() {
  if [ -z "$(ls "$2" 2>/dev/null)" ]; then notok "$1" "no output in $2"; return; fi
  for f in "$2"/*; do
    b=$(basename "$f")
    case $b in *.json) continue ;; esac # the manifest records the options
    if ! cmp -s "$f" "$3/$b"; then notok "$1" "$b differs"; return; fi
  done
  for f in "$3"/*; do
    [ -e "$2/$(basename "$f")" ] || { notok "$1" "$(basename "$f") only in $3"; return; }
  done
  ok "$1"
}

# session NAME SCRIPT: every path, every thread setting, against one thread
session() {
  name=$1 script=$2 first= first_path=
  for p in $paths; do
    ref=$W/out/$name-$p-t1
    if ! out=$(DUBSTAGE_SIMD=$p "$DS" render "$script" --quiet --no-measure --threads 1 --out "$ref" 2>&1); then
      notok "$name ($p): one-thread render" "failed"
      continue
    fi
    if [ -z "$first" ]; then
      first=$ref first_path=$p
      # written through the page cache (O_DIRECT refused, vm/direct_file.h),
      # on one thread and on two: the bytes of the O_DIRECT render
      for opt in "--threads 1" "--block 1024"; do
        dst=$W/out/$name-$p-buffered-$(echo "$opt" | tr -d ' -')
        # shellcheck disable=SC2086
        if ! out=$(DUBSTAGE_TEST_DIRECT_EINVAL=1 DUBSTAGE_SIMD=$p "$DS" render "$script" --quiet --no-measure $opt \
                   --out "$dst" 2>&1); then
          notok "$name ($p): $opt, O_DIRECT refused" "failed"
          continue
        fi
        same_dirs "$name ($p): $opt through the page cache (O_DIRECT refused) = O_DIRECT, byte for byte" "$ref" "$dst"
        rm -rf "$dst"
      done
    else same_dirs "$name: the $p path gives the bytes of the $first_path path" "$first" "$ref"; fi
    for opt in "--block 256" "--block 1024" "--block 4096" "--pin" "--report"; do
      dst=$W/out/$name-$p-$(echo "$opt" | tr -d ' -')
      report_dir=
      [ "$opt" = "--report" ] && report_dir=$W/out/$name-$p-qc
      # shellcheck disable=SC2086
      if ! out=$(DUBSTAGE_SIMD=$p "$DS" render "$script" --quiet --no-measure $opt $report_dir --out "$dst" 2>&1); then
        notok "$name ($p): two threads, $opt" "failed"
        continue
      fi
      same_dirs "$name ($p): two threads, $opt = one thread, byte for byte" "$ref" "$dst"
      rm -rf "$dst" ${report_dir:+"$report_dir"}
    done
  done
}

# summed_batches SCRIPT: the printmaster of SCRIPT (the film session, its
# EQ batches summed into their buses) against the same session with a
# track of each batch also sent elsewhere (nothing summed in a batch's pass;
# recording a track instead would keep its fader out of its mix's
# coefficients: other bytes), on
# every path, thread count and block size; `dubstage info` must say which
# is which, or the comparison would prove nothing
summed_batches() {
  plain=${1%.lua}_recorded.lua
  { cat "$1"
    echo '-- a track of each EQ batch also sent to a bus of its own, recorded: the'
    echo '-- batches mix into their buses as separate ops (threads.sh)'
    echo 'local aux = bus "AUX" {}'
    echo 'for _, k in ipairs { 1, 9, 13, 17, 21 } do tracks[k]:send(aux, -6) end'
    echo 'output { "aux.wav", from = aux, format = "wav32f" }'
  } > "$plain"
  # the same with a track of the first music batch (MX 1) and of the second
  # effects batch (FX 5) sent: DX and FX 1-4 summed, MX 5-8 not (nothing to add to)
  part=${1%.lua}_part.lua
  { cat "$1"
    echo 'local aux = bus "AUX" {}'
    echo 'for _, k in ipairs { 9, 21 } do tracks[k]:send(aux, -6) end'
    echo 'output { "aux.wav", from = aux, format = "wav32f" }'
  } > "$part"
  info=$("$DS" info "$1" 2>&1)
  summed=$(printf '%s\n' "$info" | grep -c 'summed into bus')
  onto=$(printf '%s\n' "$info" | grep -c "tracks from '[MF]X 5'.*summed into bus '[MF]X' as it leaves the filters, onto the sum of the batch before")
  unsummed=$("$DS" info "$plain" 2>&1 | grep -c 'summed into bus')
  partial=$("$DS" info "$part" 2>&1 | grep 'summed into bus' | sed -n "s/.*tracks from '\([A-Z]* [0-9]*\)'.*/\1/p" | tr '\n' ,)
  if [ "$summed" = 5 ] && [ "$onto" = 2 ] && [ "$unsummed" = 0 ] && [ "$partial" = "DX 1,FX 1," ]; then
    ok "info: the film's 5 EQ batches summed into their buses (2 onto the batch before's sum), none once their tracks are recorded, DX 1 and FX 1 with MX 1 and FX 5"
  else
    notok "info: the film's 5 EQ batches summed into their buses, none once their tracks are recorded" \
      "$summed summed ($onto onto another's), $unsummed recorded, '$partial' with MX 1 and FX 5"
  fi
  # the unit of the second music batch (its clips, ops 17-20) waits for the first's (ops 11-14)
  first=$(printf '%s\n' "$info" | sed -n 's/^ *\([0-9]*\)  ops 11, 12, 13, 14,.*/\1/p')
  after=$(printf '%s\n' "$info" | sed -n 's/^ *[0-9]*  ops 17, 18, 19, 20,.*after units \(.*\)$/\1/p')
  case ", $after," in
    *", $first,"*) ok "info: the second music batch's unit waits for the first's (unit $first)" ;;
    *) notok "info: the second music batch's unit waits for the first's" "first '$first', after '$after'" ;;
  esac
  for p in $paths; do
    ref=$W/out/film-$p-t1/printmaster.wav
    for opt in "--threads 1 --block 64" "--threads 1 --block 1000" "--block 1000" "--block 4096"; do
      dst=$W/out/film-recorded-$p-$(echo "$opt" | tr -d ' -')
      # shellcheck disable=SC2086
      if ! out=$(DUBSTAGE_SIMD=$p "$DS" render "$plain" --quiet --no-measure $opt --out "$dst" 2>&1); then
        notok "film, tracks recorded ($p): $opt" "failed"
      elif cmp -s "$ref" "$dst/printmaster.wav"; then
        ok "film ($p), $opt: the summed batches' printmaster = the unsummed one's, byte for byte"
      else notok "film ($p), $opt: the summed batches' printmaster = the unsummed one's" "differs"; fi
      rm -rf "$dst"
    done
    # blocks of 1 frame (the first 0.2 s): summed at --block 1, unsummed at 1000
    a=$W/out/film-short-$p b=$W/out/film-recorded-short-$p
    if DUBSTAGE_SIMD=$p "$DS" render "$1" --quiet --no-measure --block 1 --to 01:00:00:05 --out "$a" >/dev/null 2>&1 &&
       DUBSTAGE_SIMD=$p "$DS" render "$plain" --quiet --no-measure --threads 1 --block 1000 --to 01:00:00:05 \
         --out "$b" >/dev/null 2>&1 && cmp -s "$a/printmaster.wav" "$b/printmaster.wav"; then
      ok "film ($p), 0.2 s at --block 1: the summed batches' printmaster = the unsummed one's at --block 1000"
    else notok "film ($p), 0.2 s at --block 1: the summed batches' printmaster = the unsummed one's" "failed or differs"; fi
    rm -rf "$a" "$b"
    dst=$W/out/film-part-$p
    if DUBSTAGE_SIMD=$p "$DS" render "$part" --quiet --no-measure --block 1000 --out "$dst" >/dev/null 2>&1 &&
       cmp -s "$ref" "$dst/printmaster.wav"; then
      ok "film ($p), --block 1000: MX 1 and FX 5 also sent elsewhere, the printmaster = the summed one's"
    else notok "film ($p), --block 1000: MX 1 and FX 5 also sent elsewhere, the printmaster = the summed one's" "failed or differs"; fi
    rm -rf "$dst"
  done
}

# report_line SCRIPT: the summary's threads line and the manifest's
# options.threads_run say how the blocks ran, and agree (docs/threads.md):
# 3 s + the limiter's look-ahead, 144240 frames: the try's first slice,
# 131072 frames, on two threads in blocks of 8192 (16), then one thread:
# the block announced while two ran (8192 frames, its clips read ahead),
# and the 4976 frames left in blocks of 1024 (5): 16 on two, 6 on one; the
# manifest records --block 1024. --threads 1 and blocks under 256 frames
# say why there is no second thread.
report_line() {
  dst=$W/out/report-default
  if ! out=$("$DS" render "$1" --no-measure --out "$dst" 2>&1); then
    notok "the threads line: render" "failed"
    return
  fi
  line=$(printf '%s\n' "$out" | grep '^threads  ')
  man=$(cat "$dst"/*.manifest.json)
  case $line in
    "threads  one: this process may use one CPU only")
      echo "skip - the threads line on two threads: this process may use one CPU only" ;;
    *)
      two=$(printf '%s\n' "$line" | sed -n 's/^threads  \([0-9]*\) blocks on two threads, \([0-9]*\) on one.*/\1/p')
      one=$(printf '%s\n' "$line" | sed -n 's/^threads  \([0-9]*\) blocks on two threads, \([0-9]*\) on one.*/\2/p')
      if [ "$two" = 16 ] && [ "$one" = 6 ] && [ "${line%; blocks of 8192 frames on two threads}" != "$line" ] &&
         printf '%s' "$man" | grep -q "\"block\": 1024, \"threads\": 2, \"threads_run\": {\"threads\": 2, \"blocks_two\": 16, \"blocks_one\": 6, "; then
        ok "the threads line and the manifest agree: 16 blocks on two threads (the line: of 8192 frames), 6 on one; --block 1024 recorded"
      else
        notok "the threads line and the manifest agree: 16 blocks on two threads, 6 on one; --block 1024 recorded" \
          "line '$line'"
      fi ;;
  esac
  # --block given: the blocks on two threads are of --block too
  dst=$W/out/report-block1024
  if out=$("$DS" render "$1" --no-measure --block 1024 --out "$dst" 2>&1) &&
     line=$(printf '%s\n' "$out" | grep '^threads  ') &&
     { [ "$line" = "threads  one: this process may use one CPU only" ] ||
       [ "${line%; blocks of 1024 frames on two threads}" != "$line" ]; }; then
    ok "--block 1024 given: the threads line says blocks of 1024 frames on two threads"
  else
    notok "--block 1024 given: the threads line says blocks of 1024 frames on two threads" "line '${line:-}'"
  fi
  for opt in "--threads 1:one: --threads 1" "--block 64:one: blocks under 256 frames run on one thread"; do
    dst=$W/out/report-$(echo "${opt%%:*}" | tr -d ' -')
    # shellcheck disable=SC2086
    if out=$("$DS" render "$1" --no-measure ${opt%%:*} --out "$dst" 2>&1) && has "threads  ${opt#*:}" &&
       grep -q '"threads_run": {"threads": 1, "blocks_two": 0, ' "$dst"/*.manifest.json; then
      ok "${opt%%:*}: the threads line says '${opt#*:}', the manifest one thread"
    else
      notok "${opt%%:*}: the threads line says '${opt#*:}', the manifest one thread" "${missing:-no manifest}"
    fi
  done
  rm -rf "$W/out"/report-*
}

# ---- the bench sessions, 3 s of material ----------------------------------------
mat=$W/bench
mkdir -p "$mat"
tool=$repo/${BUILD:-build}/tools
if ! "$tool/make_bench_material" "$mat" 3 > "$W/material.log" 2>&1 ||
   ! "$tool/make_ir" "$mat/hall.wav" 2.5 2.0 2 >> "$W/material.log" 2>&1; then
  out=$(tail -3 "$W/material.log")
  notok "bench material (make_bench_material, make_ir)" "failed"
else
  cp "$repo"/tests/bench/reference_*.lua "$mat/"
  session film "$mat/reference_film.lua"
  summed_batches "$mat/reference_film.lua"
  report_line "$mat/reference_film.lua"
  session film51 "$mat/reference_film51.lua"
fi

# ---- the demo ------------------------------------------------------------------------
if [ ! -f "$repo/scripts/media/ir/hall.wav" ] || [ ! -d "$repo/scripts/media/dx" ]; then
  if ! MAKE_IR=${MAKE_IR:-$repo/${BUILD:-build}/tools/make_ir} "$repo/scripts/make-demo-media.sh" > "$W/media.log" 2>&1; then
    echo "skip - $T: the demo's media could not be made: $(tail -1 "$W/media.log")"
    exit 0
  fi
fi
session demo "$repo/scripts/demo.lua"
