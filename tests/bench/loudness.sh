#!/bin/sh
# loudness.sh - what the loudness meter costs (issue 13), on the bench
# material (24 tracks of 48 kHz 24-bit WAV, tests/bench/run.sh makes them).
#
# The meter on every stem: the film mix rendered on one thread (--threads 1)
# with and without --no-measure: reference_film.lua (one metered output, the
# printmaster) and reference_film_stems.lua (the same mix writing its DX, MX
# and FX stems too: four metered stereo outputs). Both variants write the
# same files, so the difference is the meters. Measured three ways:
#
#   instructions  (the figure to trust on a shared or loaded machine: a
#     count does not move with the load) valgrind --tool=callgrind on 30
#     s (DUBSTAGE_BENCH_CG_SECONDS) of the same material (made by
#     build/tools/make_bench_material in DIR/cgSECONDS): the meter's own
#     instructions (dsp_loudness_process_many, inclusive: K-weighting,
#     grid steps, sample and true peak) and the render's (vm_render,
#     inclusive: reading, decoding, mixing, metering, writing), metered
#     and with --no-measure, with the meter's parts. The share printed
#     against the target is the meter over the unmetered render. The
#     whole process's count is printed too but not used: it includes the
#     manifest's SHA-256 of the outputs, which valgrind runs in portable
#     code (the SHA extensions are not emulated), and the script's
#     compile. valgrind runs the AVX2 paths (it does not emulate
#     AVX-512): the path is read from the render's manifest and printed.
#     The meter's share also depends on the programme's length (the true
#     peak's interpolator runs less once the peak so far is high), so
#     compare counts of the same length only. The stems' render is also
#     counted with --report (the QC series of every output).
#   CPU time  11 (DUBSTAGE_BENCH_PAIRS) pairs of whole renders of the
#     full-length material, metered and unmetered back to back, the
#     order swapped every pair (so a drift in the machine's load falls
#     on both alike), each timed by /usr/bin/time; printed: the medians
#     of user and system CPU and of wall time, and the median and
#     quartiles of the pairs' differences in user CPU (the meter runs in
#     user space; system time is reading and writing, the same for both,
#     and carries most of the noise), as a share of the unmetered
#     render's user CPU. A quartile range that straddles zero says the
#     machine was too noisy to resolve the meter. Also on two threads
#     (the default: the meters run on the helper, beside the next
#     block's mix), and the meter alone (build/tools/loudness_bench:
#     dsp/loudness on noise of the same length, in CPU time: one stereo
#     meter for the printmaster, four measured together for the four
#     outputs, as the render does; noise is the meter's worst case: its
#     true peak seldom lets a stretch be skipped).
#   profile  (CPU: the meter's own time, which held within 10 % from run
#     to run on a loaded machine, where the pairs' differences move by
#     +-0.1 s on a 2 s render; the share still moves with the render's
#     own sampled time, 2.45-2.84 s in four runs) the
#     full-length stems render, metered and with --no-measure, one thread,
#     each under `perf record -e cpu-clock` (DUBSTAGE_BENCH_PERF_HZ samples
#     a second of CPU, default 10000): the meter's CPU is the samples in
#     the functions of dsp/loudness.o and dsp/truepeak.o (their symbols read
#     by nm from the build; clones and parts of one function counted as it)
#     in the metered render less those in the unmetered one (the limiter
#     calls the interpolator too, and an unmetered output keeps its sample
#     peak), over the unmetered render's samples in user space: the same
#     share as the pairs' difference, less what the meter costs the code
#     around it (caches), which only the pairs see. The machine's own SIMD
#     path (AVX-512 where it has it).
#
# File throughput: the 24 inputs (8 mono, 16 stereo, $seconds s each)
#     measured for integrated loudness, loudness range and true peak by
#       dubstage  `dubstage loudness --json` with every file (one process,
#                 the files in turn, one thread)
#       ffmpeg    `ffmpeg -threads 1 -filter_threads 1 -i FILE -af
#                 ebur128=peak=true -f null -`, one process a file in turn
#       libebur128  build/tools/ebur128_scan (tests/tools/ebur128_scan.c:
#                 libsndfile reads, libebur128 with I | LRA | TRUE_PEAK, as
#                 its loudness-scanner measures) with every file
#     printed: each one's wall and CPU time, speed in multiples of real time
#     (the summed length of the files over the wall time), and dubstage's
#     speed over ffmpeg's and libebur128's (target at least 5x ffmpeg);
#     DUBSTAGE_BENCH_RUNS runs taking turns, the median by wall time.
#     Then the readings themselves: the largest difference of each peer
#     from dubstage over the 24 files, in I, LRA and true peak, so the
#     three are known to have measured the same thing (ffmpeg prints one
#     decimal; libebur128 takes S every second for LRA, we every 100 ms).
#
# Inputs are read once beforehand (page cache) and each output folder is
# rendered into once before timing, so every timed render reuses the
# manifest's hashes of the inputs. Prints figures; checks nothing about
# speed.
#
# Usage: tests/bench/loudness.sh   (also run by tests/bench/run.sh, after the
#   material exists: run that once first, or DUBSTAGE_BENCH_SECONDS=60 make bench)
# Environment: DUBSTAGE_BENCH_DIR (default /var/tmp/dubstage-bench),
#   DUBSTAGE_BENCH_SECONDS (the material's length, default 600),
#   DUBSTAGE_BENCH_CG_SECONDS (the length counted by callgrind, default 30),
#   DUBSTAGE_BENCH_PAIRS (timed pairs per variant, default 11),
#   DUBSTAGE_BENCH_RUNS (file throughput runs, default 3 here),
#   DUBSTAGE_BENCH_PARTS (which parts, default "instructions cpu profile files"),
#   DUBSTAGE_BENCH_PERF_HZ (profile's sampling rate, default 10000),
#   DUBSTAGE, BUILD as in run.sh.
cd "$(dirname "$0")/../.." || exit 1
BENCH="loudness bench"
. tests/bench/lib/prologue.sh
case $BUILD in /*) tools=$BUILD/tools ;; *) tools=$root/$BUILD/tools ;; esac
material=${DUBSTAGE_BENCH_DIR:-/var/tmp/dubstage-bench}
seconds=${DUBSTAGE_BENCH_SECONDS:-600}
runs=${DUBSTAGE_BENCH_RUNS:-3}
cg_seconds=${DUBSTAGE_BENCH_CG_SECONDS:-30}
pairs=${DUBSTAGE_BENCH_PAIRS:-11}
parts=${DUBSTAGE_BENCH_PARTS:-instructions cpu profile files}
perf_hz=${DUBSTAGE_BENCH_PERF_HZ:-10000}
dir=$material/loudness
die() { echo "$BENCH: $*" >&2; exit 1; }
command -v ffmpeg >/dev/null 2>&1 || die "ffmpeg not found (make deps)"
[ -x "$bin" ] || die "$bin not built (make)"
for t in ebur128_scan loudness_bench; do
  [ -x "$tools/$t" ] || die "$tools/$t not built (make all)"
done
files=""
for k in 1 2 3 4 5 6 7 8; do files="$files dx0$k.wav mx0$k.wav fx0$k.wav"; done
for f in $files; do
  [ -s "$material/$f" ] || die "$material/$f is missing: tests/bench/run.sh makes the material"
done
mkdir -p "$dir/run" "$dir/times" "$dir/out" || die "cannot create $dir"
cp tests/bench/reference_graph.lua tests/bench/reference_film_chain.lua tests/bench/reference_film.lua \
  tests/bench/reference_film_stems.lua "$material/" || die "cannot copy the sessions to $material"

q() { printf "'%s'" "$1"; }
# film_stems2: the same on two threads (the default: the meters run on the
# helper, beside the next block's mix)
for s in film film_stems film_stems2; do
  for m in measured unmeasured; do
    flag=""; [ $m = unmeasured ] && flag=" --no-measure"
    threads=1; [ $s = film_stems2 ] && threads=2
    printf 'exec %s render %s --out %s --quiet --threads %d%s\n' "$(q "$bin")" "$(q "$material/reference_${s%2}.lua")" \
      "$(q "$dir/out/$s-$m")" $threads "$flag" > "$dir/run/${s}_$m.sh"
  done
done
printf 'cd %s || exit 1\nexec %s loudness --json %s > %s\n' "$(q "$material")" "$(q "$bin")" "$files" \
  "$(q "$dir/out/dubstage.json")" > "$dir/run/dubstage.sh"
printf 'cd %s || exit 1\nexec %s %s > %s\n' "$(q "$material")" "$(q "$tools/ebur128_scan")" "$files" \
  "$(q "$dir/out/ebur128.txt")" > "$dir/run/libebur128.sh"
{
  printf 'cd %s || exit 1\n' "$(q "$material")"
  for f in $files; do
    printf 'echo "== %s"; ffmpeg -nostdin -hide_banner -nostats -threads 1 -filter_threads 1 -i %s -af ebur128=peak=true -f null - 2>&1 || exit 1\n' "$f" "$f"
  done
} > "$dir/run/ffmpeg.sh"

# Page cache: read every input once.
# shellcheck disable=SC2086
(cd "$material" && cat $files > /dev/null)

part() { case " $parts " in *" $1 "*) return 0 ;; esac; return 1; }

# ---- the meter on every stem, in instructions (callgrind) -------------------
# cg_render NAME SESSION FLAG...: the render counted by callgrind into
# $dir/cg/NAME.cg, annotated (inclusive and self) into NAME.incl / NAME.self
cg_render() {
  name=$1 session=$2; shift 2
  out=$dir/cg/out-$name
  # twice natively first: the manifest's hashes of the inputs, which the
  # counted render then reuses (only its outputs are hashed again; a file
  # written moments before its manifest is hashed again the next time)
  "$bin" render "$session" --out "$out" --quiet --threads 1 "$@" > "$dir/cg/$name.log" 2>&1 &&
    "$bin" render "$session" --out "$out" --quiet --threads 1 "$@" >> "$dir/cg/$name.log" 2>&1 &&
    valgrind --tool=callgrind --callgrind-out-file="$dir/cg/$name.cg" "$bin" render "$session" --out "$out" \
      --quiet --threads 1 "$@" >> "$dir/cg/$name.log" 2>&1 &&
    callgrind_annotate --inclusive=yes --threshold=100 "$dir/cg/$name.cg" > "$dir/cg/$name.incl" 2>&1 &&
    callgrind_annotate --threshold=100 "$dir/cg/$name.cg" > "$dir/cg/$name.self" 2>&1 ||
    { echo "$BENCH: the callgrind render $name failed: $(tail -3 "$dir/cg/$name.log")"; return 1; }
}

if part instructions && ! command -v valgrind > /dev/null 2>&1; then
  echo "meter instructions: skipped, valgrind is not installed (make deps)"
elif part instructions; then
  cgm=$material/cg$cg_seconds
  mkdir -p "$dir/cg" "$cgm" || die "cannot create $dir/cg"
  "$tools/make_bench_material" "$cgm" "$cg_seconds" > "$dir/cg/material.log" 2>&1 ||
    die "make_bench_material $cgm $cg_seconds failed: $(tail -3 "$dir/cg/material.log")"
  cp tests/bench/reference_graph.lua tests/bench/reference_film_chain.lua tests/bench/reference_film.lua \
    tests/bench/reference_film_stems.lua "$cgm/" || die "cannot copy the sessions to $cgm"
  ok=1
  for s in film film_stems; do
    cg_render "$s-measured" "$cgm/reference_$s.lua" || ok=0
    cg_render "$s-unmeasured" "$cgm/reference_$s.lua" --no-measure || ok=0
  done
  cg_render film_stems-report "$cgm/reference_film_stems.lua" --report "$dir/cg/qc" || ok=0
  [ $ok = 1 ] && python3 - "$dir/cg" "$cg_seconds" <<'PY'
import glob, json, os, re, sys
cg, seconds = sys.argv[1], sys.argv[2]
line = re.compile(r"^\s*([\d,]+)\s+(?:\([\d.]+%\)\s+)?(\S.*?)\s*(?:\[[^\]]*\])?\s*$")

def costs(path):
    """{function: Ir} from a callgrind_annotate listing, and the program total"""
    out, total = {}, None
    for text in open(path):
        m = line.match(text)
        if not m:
            continue
        n, where = int(m.group(1).replace(",", "")), m.group(2)
        if where.startswith("PROGRAM TOTALS"):
            total = n
            continue
        fn = where.rsplit(":", 1)[-1]
        out[fn] = max(out.get(fn, 0), n)
    return out, total

def simd(name):
    for f in glob.glob(os.path.join(cg, "out-" + name, "*.manifest.json")):
        return json.load(open(f)).get("engine", {}).get("simd", "?")
    return "?"

M = lambda n: "%.1f M" % (n / 1e6)
print("meter instructions (callgrind, %s s of the material, one thread, valgrind's %s path; "
      "the figure to trust under load):" % (seconds, simd("film_stems-measured")))
for s, what in (("film", "printmaster only (reference_film.lua)"),
                ("film_stems", "printmaster + DX, MX, FX stems (reference_film_stems.lua)")):
    mi, mtot = costs(os.path.join(cg, s + "-measured.incl"))
    ms, _ = costs(os.path.join(cg, s + "-measured.self"))
    ui, utot = costs(os.path.join(cg, s + "-unmeasured.incl"))
    # outputs of 16 and 24 bits are hashed as they are written (vm/outfile.c), so
    # vm_render holds the manifest's SHA-256 of the outputs; valgrind hides the
    # CPU's SHA instructions, and the portable code it counts instead costs
    # about twice the whole mix: it is taken out of both renders (a real run
    # hashes with the SHA extensions, a few % of the render)
    sha_m = min(mi.get("vm_sha256_update", 0), mi.get("vm_render", 0))
    sha_u = min(ui.get("vm_sha256_update", 0), ui.get("vm_render", 0))
    render_m, render_u = mi.get("vm_render", 0) - sha_m, ui.get("vm_render", 0) - sha_u
    meter = mi.get("dsp_loudness_process_many", 0)
    # inclusive, so the lines of inlined intrinsics (another file's) count
    kw = mi.get("kweight_lanes", 0)
    tp = mi.get("meter_peaks", 0)
    # step_end where it is a function of its own; where gcc inlines it,
    # the window sums it calls (most of it)
    grid = mi.get("step_end", 0) or mi.get("window_sum", 0)
    print("  %s:" % what)
    print("    render (vm_render less the outputs' portable SHA-256, %s) %s metered / %s with --no-measure: %+.1f %%; the meter "
          "(dsp_loudness_process_many) %s = %.1f %% of the unmetered render (target under 5 %%)"
          % (M(sha_u), M(render_m), M(render_u), 100.0 * (render_m / render_u - 1) if render_u else 0, M(meter),
             100.0 * meter / render_u if render_u else 0))
    print("    the meter's parts: K-weighting (kweight_lanes) %s, true and sample peak (meter_peaks) %s, grid steps "
          "(step_end, or window_sum where step_end is inlined) %s, the rest %s"
          % (M(kw), M(tp), M(grid), M(meter - kw - tp - grid)))
    print("    whole process %s / %s (with the script's compile and the manifest's portable SHA-256)"
          % (M(mtot or 0), M(utot or 0)))
    if s == "film_stems":
        ri, _ = costs(os.path.join(cg, s + "-report.incl"))
        r = ri.get("vm_render", 0) - min(ri.get("vm_sha256_update", 0), ri.get("vm_render", 0))
        print("    with --report (the QC series of the four outputs): render %s, %+.1f %% over --no-measure"
              % (M(r), 100.0 * (r / render_u - 1) if render_u else 0))
PY
fi

# ---- the meter on every stem, in CPU time (pairs taking turns) ---------------
if part cpu; then
  for s in film film_stems film_stems2; do # each output folder's manifest made once, untimed
    for m in measured unmeasured; do
      sh "$dir/run/${s}_$m.sh" > "$dir/times/${s}_$m.log" 2>&1 ||
        { echo "$BENCH: ${s}_$m failed: $(tail -3 "$dir/times/${s}_$m.log")"; exit 1; }
    done
  done
  k=1
  while [ "$k" -le "$pairs" ]; do
    order="measured unmeasured"
    [ $((k % 2)) = 0 ] && order="unmeasured measured"
    for s in film film_stems film_stems2; do
      for m in $order; do
        $TIME -f "%e %U %S" -o "$dir/times/${s}_$m.$k" sh "$dir/run/${s}_$m.sh" > "$dir/times/${s}_$m.log" 2>&1 ||
          { echo "$BENCH: ${s}_$m failed: $(tail -3 "$dir/times/${s}_$m.log")"; exit 1; }
      done
    done
    k=$((k + 1))
  done
  alone_pm=$("$tools/loudness_bench" "$seconds" 2 | awk '/^dsp\/loudness/ { print $2 }')
  alone_stems=$("$tools/loudness_bench" "$seconds" 8 4 | awk '/^dsp\/loudness/ { print $2 }')
  python3 - "$dir/times" "$pairs" "$seconds" "$alone_pm" "$alone_stems" <<'PY'
import os, statistics, sys
times, pairs, seconds = sys.argv[1], int(sys.argv[2]), sys.argv[3]
alone = {"film": sys.argv[4], "film_stems": sys.argv[5]}

def run(s, m, k):
    with open(os.path.join(times, "%s_%s.%d" % (s, m, k))) as f:
        return [float(v) for v in f.read().split()[-3:]]  # wall, user, system

def quartiles(x):
    q = statistics.quantiles(x, n=4) if len(x) > 1 else [x[0]] * 3
    return q[0], q[2]

print("meter cost in CPU time: %d pairs taking turns, metered / --no-measure, medians; material %s s per track"
      % (pairs, seconds))
for s, what in (("film", "one thread, printmaster only"), ("film_stems", "one thread, printmaster + DX, MX, FX stems"),
                ("film_stems2", "two threads (the default), printmaster + DX, MX, FX stems")):
    m = [run(s, "measured", k) for k in range(1, pairs + 1)]
    u = [run(s, "unmeasured", k) for k in range(1, pairs + 1)]
    med = lambda rows, i: statistics.median(r[i] for r in rows)
    du = [a[1] - b[1] for a, b in zip(m, u)]
    lo, hi = quartiles(du)
    base = med(u, 1)
    print("  %s:" % what)
    print("    user CPU %.2f / %.2f s, the pairs' difference %+.3f s (quartiles %+.3f .. %+.3f): %+.1f %% of the "
          "unmetered user CPU (target under 5 %%)%s" % (med(m, 1), base, statistics.median(du), lo, hi,
          100 * statistics.median(du) / base if base else 0, "; unresolved: the quartiles straddle 0" if lo < 0 < hi else ""))
    whole = statistics.median(r[1] + r[2] for r in u)
    print("    system CPU %.2f / %.2f s, wall %.2f / %.2f s; the pairs' user difference is %.1f %% of the unmetered "
          "render's user + system CPU" % (med(m, 2), med(u, 2), med(m, 0), med(u, 0),
                                          100 * statistics.median(du) / whole if whole else 0))
    if alone.get(s):
        print("    the meter alone on noise, %s (loudness_bench, CPU): %s s" % ("one stereo meter" if s == "film" else "four stereo meters together", alone[s]))
PY
fi

# ---- the meter on every stem, in sampled CPU (perf) ---------------------------
if part profile && ! command -v perf > /dev/null 2>&1; then
  echo "meter CPU profile: skipped, perf is not installed (make deps: linux-perf)"
elif part profile; then
  mkdir -p "$dir/perf" || die "cannot create $dir/perf"
  ok=1
  for m in measured unmeasured; do
    sh "$dir/run/film_stems_$m.sh" > "$dir/perf/$m.log" 2>&1 && # the manifest's hashes, untimed
      perf record -q -e cpu-clock -F "$perf_hz" -o "$dir/perf/$m.data" -- sh "$dir/run/film_stems_$m.sh" \
        >> "$dir/perf/$m.log" 2>&1 &&
      perf report -q -i "$dir/perf/$m.data" --no-children -n --sort symbol --stdio > "$dir/perf/$m.txt" 2>> "$dir/perf/$m.log" ||
      { echo "$BENCH: the perf render film_stems_$m failed: $(tail -3 "$dir/perf/$m.log")"; ok=0; }
  done
  nm --defined-only "${tools%/tools}/dsp/loudness.o" "${tools%/tools}/dsp/truepeak.o" 2>/dev/null |
    awk '$2 ~ /^[tT]$/ { sub(/\..*/, "", $3); print $3 }' | sort -u > "$dir/perf/meter_functions"
  [ -s "$dir/perf/meter_functions" ] || { echo "$BENCH: no symbols in $BUILD/dsp/loudness.o, truepeak.o"; ok=0; }
  [ $ok = 1 ] && python3 - "$dir/perf" "$perf_hz" "$seconds" "$(sed -n 's/.*"simd": *"\([^"]*\)".*/\1/p' \
    "$dir"/out/film_stems-measured/*.manifest.json 2>/dev/null | head -1)" <<'PY'
import os, re, sys
d, hz, seconds, simd = sys.argv[1], float(sys.argv[2]), sys.argv[3], sys.argv[4] or "?"
meter = set(open(os.path.join(d, "meter_functions")).read().split())
kw = {"kweight_lanes", "kweight1", "kpairs", "kfours", "kfours_avx", "keights1", "keights2", "ksixteens"}
line = re.compile(r"^\s*([\d.]+)%\s+(\d+)\s+\[(.)\]\s+(\S+)")

def samples(name):
    """(user samples, kernel samples, {meter function: samples}) of one render"""
    user = kern = 0
    fn = {}
    for text in open(os.path.join(d, name + ".txt")):
        m = line.match(text)
        if not m:
            continue
        n, where, sym = int(m.group(2)), m.group(3), m.group(4).split(".")[0]
        if where == "k":
            kern += n
            continue
        user += n
        if sym in meter:
            fn[sym] = fn.get(sym, 0) + n
    return user, kern, fn

um, km, fm = samples("measured")
uu, ku, fu = samples("unmeasured")
diff = {f: fm.get(f, 0) - fu.get(f, 0) for f in set(fm) | set(fu)}
total = sum(diff.values())
part = lambda pick: sum(v for f, v in diff.items() if pick(f))
s = lambda n: "%.3f s" % (n / hz)
print("meter CPU, sampled (perf cpu-clock, %g Hz; %s s of the material, printmaster + DX, MX, FX stems, one thread, "
      "the %s path):" % (hz, seconds, simd))
print("  user CPU %s metered / %s with --no-measure; the meter's functions %s (metered %s, unmetered %s) = %.1f %% "
      "of the unmetered render's user CPU (target under 5 %%), %.1f %% of its user + system"
      % (s(um), s(uu), s(total), s(sum(fm.values())), s(sum(fu.values())), 100.0 * total / uu if uu else 0,
         100.0 * total / (uu + ku) if uu + ku else 0))
print("  its parts: K-weighting %s, true and sample peak %s, the rest (grid steps, histograms) %s"
      % (s(part(lambda f: f in kw)), s(part(lambda f: f not in kw and ("peak" in f or "stretch" in f))),
         s(part(lambda f: f not in kw and not ("peak" in f or "stretch" in f)))))
PY
fi

# ---- file throughput -------------------------------------------------------
# measure NAME...: as run.sh's (runs taking turns, a sync before each, the
# median run by wall time as "wall cpu" in $dir/times/NAME)
measure() {
  n=1
  while [ "$n" -le "$runs" ]; do
    for name in "$@"; do
      sync
      $TIME -f "%e %U %S" -o "$dir/times/$name.$n" sh "$dir/run/$name.sh" > "$dir/times/$name.log" 2>&1 ||
        { echo "loudness bench: $name failed: $(tail -3 "$dir/times/$name.log")"; return 1; }
    done
    n=$((n + 1))
  done
  for name in "$@"; do
    for f in "$dir/times/$name".[0-9]*; do tail -1 "$f"; done | sort -n |
      awk -v m=$(( (runs + 1) / 2 )) 'NR == m { printf "%s %.2f\n", $1, $2 + $3 }' > "$dir/times/$name"
  done
}

if part files && measure dubstage ffmpeg libebur128; then
  # the summed length of the inputs: 8 mono and 16 stereo files, all $seconds s
  total=$((24 * seconds))
  echo "loudness of the 24 bench inputs (I, LRA, true peak; 8 mono + 16 stereo, $total s of audio), one core each:"
  for name in dubstage ffmpeg libebur128; do
    read -r w c < "$dir/times/$name"
    awk -v n="$name" -v w="$w" -v c="$c" -v t="$total" \
      'BEGIN { printf "  %-10s wall %7.2f s  CPU %7.2f s  %7.0fx real time\n", n, w, c, (w > 0 ? t / w : 0) }'
  done
  read -r dw dc < "$dir/times/dubstage"
  for name in ffmpeg libebur128; do
    read -r w c < "$dir/times/$name"
    awk -v n="$name" -v dw="$dw" -v dc="$dc" -v w="$w" -v c="$c" -v tgt="$([ $name = ffmpeg ] && echo '; target 5x')" 'BEGIN {
      printf "  dubstage loudness vs %-10s wall %6.1fx  CPU %6.1fx  (faster%s)\n", n, (dw > 0 ? w / dw : 0), (dc > 0 ? c / dc : 0), tgt }'
  done
  # the readings: each peer's largest difference from dubstage's
  python3 - "$dir/out/dubstage.json" "$dir/times/ffmpeg.log" "$dir/out/ebur128.txt" <<'PY'
import json, sys
ours = {o["file"]: o for o in json.load(open(sys.argv[1]))}
keys = ("integrated_lufs", "loudness_range_lu", "true_peak_dbtp")
ff, sec, f = {}, None, None
for line in open(sys.argv[2]):
    w = line.split()
    if line.startswith("== "):
        f = w[1]; ff[f] = {}
    for label, key in (("Integrated loudness:", "I"), ("Loudness range:", "LRA"), ("True peak:", "TP")):
        if label in line:
            sec = key
    if f and len(w) >= 2 and w[0] in ("I:", "LRA:", "Peak:") and sec:
        ff[f].setdefault(sec, float(w[1]))
lib = {}
for line in open(sys.argv[3]):
    w = line.split()
    lib[w[3]] = dict(zip(("I", "LRA", "TP"), map(float, w[:3])))
for name, peer in (("ffmpeg", ff), ("libebur128", lib)):
    worst = []
    for key, pk in zip(keys, ("I", "LRA", "TP")):
        d = [abs(ours[f][key] - peer[f][pk]) for f in ours if f in peer and pk in peer[f] and ours[f][key] is not None]
        worst.append("%s %.3f" % (pk, max(d)) if len(d) == len(ours) else "%s missing for %d files" % (pk, len(ours) - len(d)))
    print("  readings, %s against dubstage, largest difference over the %d files: %s" % (name, len(ours), ", ".join(worst)))
PY
fi
