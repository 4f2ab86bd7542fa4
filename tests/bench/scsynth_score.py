#!/usr/bin/env python3
"""scsynth_score.py - the reference film mix of shared/BENCH.md for
SuperCollider's server in non-realtime mode (`scsynth -N`), the peer
tests/bench/run.sh times against tests/bench/reference_film.lua.

Usage: scsynth_score.py DIR SECONDS SCORE [--synthdefs FILE] [--plain] [--tracks 64]

Writes SCORE, an NRT command file: binary OSC bundles, each preceded by its
size (int32, big-endian), in time order, as scsynth -N reads them
(server/scsynth/SC_World.cpp, World_NonRealTimeSynthesis). DIR holds the
material (dx01.wav ... fx08.wav, tests/tools/make_bench_material.c) and
SECONDS is its length. --synthdefs also writes the synth definitions as a
.scsyndef file, to look at; the score carries them itself (/d_recv).
--plain writes the graph of tests/bench/reference.lua instead (gains, pans
and bus sums only: no EQ, compressor, fader ride or limiter), which must
null against dubstage's render of it down to the 24-bit rounding: it checks
this generator (files, gains, pans, buses) apart from the processing.
--tracks 64 writes the 64-track variant (tests/bench/reference_film64.lua:
16 dialogue, 24 music, 24 effects tracks; track k of a kind plays file
((k - 1) % 8) + 1 of it, a dialogue track with that file's pan).

There is no sclang here (it wants X and is heavy), so the synth definitions
are written byte by byte in the SynthDef2 file format ("SCgf", version 2) as
SuperCollider's reference documents it: Reference/Synth-Definition-File-Format
(HelpSource/Reference/Synth-Definition-File-Format.schelp in SuperCollider's
repository; docs.supercollider.online). The UGens' inputs, in order, and the
operator numbers of UnaryOpUGen/BinaryOpUGen are those of SuperCollider 3.13's
server plugins (server/plugins/*.cpp: abs 5, dbamp 21; * 2, max 13).

The graph, as a SuperCollider user would write it (sclang notation):
  dialogue k (mono):   Out.ar(DX, BPeakEQ.ar(BHiPass.ar(DiskIn.ar(1, buf), 80,
                         1/0.707), 3000, 1/1, 3) * [amp_l, amp_r])
                       with amp_l, amp_r = -2 dB x cos/sin((p+1) pi/4),
                       p = -0.35 + 0.1 (k-1)   (the same arithmetic as run.sh)
  music k (stereo):    Out.ar(MX, BPeakEQ.ar(BHiPass.ar(DiskIn.ar(2, buf), 40,
                         1/0.707), 250, 1/1, -3) * -4.dbamp)
  effects k (stereo):  Out.ar(FX, ... 30 Hz, 1 kHz 1/0.7 -2 dB ... * -3.dbamp)
  DX and FX buses:     Out.ar(PM, In.ar(DX or FX, 2))
  MX bus:              Out.ar(PM, Compander.ar(In.ar(MX, 2),
                         max(abs(key[0]), abs(key[1])), -30.dbamp, 1, 1/4,
                         attack ln 10, release ln 10)
                         * EnvGen.kr(Env([0, db], [secs]), t_fader).dbamp)
                       with key = In.ar(DX, 2); the fader moves by /n_set of
                       db, secs and the trigger t_fader at 60 s and 120 s
  printmaster:         Out.ar(0, Limiter.ar(In.ar(PM, 2), -1.dbamp, 0.005))
Buses sum (Out.ar adds). The synths run in that order (each added to the
tail of the root group). The output is the two hardware output buses,
written by scsynth as 24-bit WAV.

Where it differs from dubstage's graph (docs/bench.md says more):
  - Compander's detector is a peak follower in the linear domain whose
    times are those to cover 90 % of a step (exp(ln 0.1 / (t fs))); dubstage
    smooths the gain in dB with time constants (63 %). Passing attack and
    release times ln 10 = 2.303 times longer gives the follower the same
    time constants; the ballistics still differ (level vs gain smoothing,
    and Compander's gain is computed once per 64-sample block and ramped;
    it starts at 0, so the music fades in over the first block).
  - Limiter.ar is SuperCollider's own: per channel (a stereo input is two
    unlinked limiters), sample peak (no true peak), no release parameter
    (the gain ramps linearly from one look-ahead window's peak to the
    next), and its output is delayed by 2 x 5 ms = 480 samples that are
    not compensated: the score runs 480 samples past the material and the
    comparison in run.sh skips the first 480 samples of its output.
  - No loudness meter.
  - A bundle lands on a block boundary: the fader's moves start within one
    64-sample block of 60 s and 120 s, and EnvGen at control rate steps
    once per block (the multiply ramps between the steps).
"""

import math
import struct
import sys

RATE = 48000
BLOCK = 64                 # scsynth's default block size (-z)
LIMIT_DELAY = 2 * 240      # Limiter.ar: two windows of ceil(0.005 * 48000)

# calculation rates
IR, KR, AR = 0, 1, 2
# operator numbers (SuperCollider 3.13 server/plugins/UnaryOpUGens.cpp,
# BinaryOpUGens.cpp)
OP_ABS, OP_DBAMP = 5, 21
OP_MUL, OP_MAX = 2, 13

# audio buses: 0 and 1 are the output (scsynth -o 2 -i 0), the rest private
BUS_DX, BUS_MX, BUS_FX, BUS_PM = 4, 6, 8, 10


class SynthDef:
    """One synth definition, built UGen by UGen in topological order."""

    def __init__(self, name, params):
        self.name = name
        self.params = params          # [(name, initial value)], in order
        self.constants = []
        self.ugens = []               # (class, rate, inputs, output rates, special)

    def const(self, value):
        value = struct.unpack(">f", struct.pack(">f", value))[0]
        if value not in self.constants:
            self.constants.append(value)
        return (-1, self.constants.index(value))

    def ugen(self, cls, rate, inputs, outputs=1, special=0, out_rate=None):
        """Adds a UGen; inputs are (ugen, output) pairs or numbers (constants);
        returns one (ugen, output) pair per output."""
        ins = [i if isinstance(i, tuple) else self.const(float(i)) for i in inputs]
        self.ugens.append((cls, rate, ins, [rate if out_rate is None else out_rate] * outputs, special))
        index = len(self.ugens) - 1
        return [(index, k) for k in range(outputs)]

    def controls(self, cls, first, count):
        """A Control (or TrigControl) UGen for parameters first..first+count-1."""
        return self.ugen(cls, KR, [], outputs=count, special=first)

    def encode(self):
        def pstring(s):
            b = s.encode("ascii")
            return struct.pack(">B", len(b)) + b
        out = pstring(self.name)
        out += struct.pack(">i", len(self.constants))
        out += b"".join(struct.pack(">f", c) for c in self.constants)
        out += struct.pack(">i", len(self.params))
        out += b"".join(struct.pack(">f", v) for _, v in self.params)
        out += struct.pack(">i", len(self.params))
        out += b"".join(pstring(n) + struct.pack(">i", k) for k, (n, _) in enumerate(self.params))
        out += struct.pack(">i", len(self.ugens))
        for cls, rate, ins, outs, special in self.ugens:
            out += pstring(cls) + struct.pack(">biih", rate, len(ins), len(outs), special)
            out += b"".join(struct.pack(">ii", u, k) for u, k in ins)
            out += b"".join(struct.pack(">b", r) for r in outs)
        out += struct.pack(">h", 0)   # no variants
        return out


def synthdef_file(defs):
    return b"SCgf" + struct.pack(">ih", 2, len(defs)) + b"".join(d.encode() for d in defs)


def db_to_amp(db):
    return 10 ** (db / 20)


def track_def(name, channels, hpf_hz, peak_hz, peak_q, peak_db, eq=True):
    """A track: its file streamed by DiskIn, HPF (Q 0.707), peaking EQ (none
    when eq is false), the gain (and for a mono track the pan) as one
    multiply per output channel."""
    gains = [("amp_l", 1.0), ("amp_r", 1.0)] if channels == 1 else [("amp", 1.0)]
    d = SynthDef(name, [("buf", 0.0), ("out", 0.0)] + gains)
    ctl = d.controls("Control", 0, len(d.params))
    sig = d.ugen("DiskIn", AR, [ctl[0], 0], outputs=channels)
    if eq:
        sig = [d.ugen("BHiPass", AR, [s, hpf_hz, 1 / 0.707])[0] for s in sig]
        sig = [d.ugen("BPeakEQ", AR, [s, peak_hz, 1 / peak_q, peak_db])[0] for s in sig]
    if channels == 1:
        sig = [d.ugen("BinaryOpUGen", AR, [sig[0], ctl[2]], special=OP_MUL)[0],
               d.ugen("BinaryOpUGen", AR, [sig[0], ctl[3]], special=OP_MUL)[0]]
    else:
        sig = [d.ugen("BinaryOpUGen", AR, [s, ctl[2]], special=OP_MUL)[0] for s in sig]
    d.ugen("Out", AR, [ctl[1]] + sig, outputs=0)
    return d


def bus_def():
    """A plain bus: its sum, passed on to another bus."""
    d = SynthDef("ds_bus", [("in", 0.0), ("out", 0.0)])
    ctl = d.controls("Control", 0, 2)
    sig = d.ugen("In", AR, [ctl[0]], outputs=2)
    d.ugen("Out", AR, [ctl[1]] + sig, outputs=0)
    return d


def mx_def(threshold_db, ratio, attack_s, release_s):
    """The music bus: compressor keyed from DX (the two key channels linked by
    their larger magnitude), then the fader, moved by /n_set (db, secs,
    t_fader) as a linear-in-dB ramp."""
    d = SynthDef("ds_mxbus", [("in", 0.0), ("key", 0.0), ("out", 0.0), ("db", 0.0),
                              ("secs", 0.0), ("t_fader", 0.0)])
    ctl = d.controls("Control", 0, 5)
    trig = d.controls("TrigControl", 5, 1)
    mx = d.ugen("In", AR, [ctl[0]], outputs=2)
    key = d.ugen("In", AR, [ctl[1]], outputs=2)
    mag = [d.ugen("UnaryOpUGen", AR, [k], special=OP_ABS)[0] for k in key]
    detect = d.ugen("BinaryOpUGen", AR, mag, special=OP_MAX)[0]
    ln10 = math.log(10)
    comp = [d.ugen("Compander", AR, [s, detect, db_to_amp(threshold_db), 1, 1 / ratio,
                                     attack_s * ln10, release_s * ln10])[0] for s in mx]
    # EnvGen inputs: gate, levelScale, levelBias, timeScale, doneAction, then
    # the envelope: initLevel, numStages, releaseNode, loopNode, and per
    # stage level, time, shape (1: linear), curve
    fader_db = d.ugen("EnvGen", KR, [trig[0], 1, 0, 1, 0, 0, 1, -99, -99, ctl[3], ctl[4], 1, 0])[0]
    fader = d.ugen("UnaryOpUGen", KR, [fader_db], special=OP_DBAMP)[0]
    sig = [d.ugen("BinaryOpUGen", AR, [c, fader], special=OP_MUL)[0] for c in comp]
    d.ugen("Out", AR, [ctl[2]] + sig, outputs=0)
    return d


def pm_def(ceiling_db, lookahead_s, limit=True):
    """The printmaster: Limiter.ar on each channel (unless limit is false),
    to the output."""
    d = SynthDef("ds_pm", [("in", 0.0)])
    ctl = d.controls("Control", 0, 1)
    sig = d.ugen("In", AR, [ctl[0]], outputs=2)
    if limit:
        sig = [d.ugen("Limiter", AR, [s, db_to_amp(ceiling_db), lookahead_s])[0] for s in sig]
    d.ugen("Out", AR, [0] + sig, outputs=0)
    return d


# --- OSC (OSC 1.0: big-endian, strings and blobs padded to 4 bytes) ---

def osc_pad(b):
    return b + b"\0" * (4 - len(b) % 4)


def osc_blob(b):
    return struct.pack(">i", len(b)) + b + b"\0" * (-len(b) % 4)


def osc_message(address, *args):
    tags, data = ",", b""
    for a in args:
        if isinstance(a, bytes):
            tags += "b"
            data += osc_blob(a)
        elif isinstance(a, str):
            tags += "s"
            data += osc_pad(a.encode())
        elif isinstance(a, int):
            tags += "i"
            data += struct.pack(">i", a)
        else:
            tags += "f"
            data += struct.pack(">f", a)
    return osc_pad(address.encode()) + osc_pad(tags.encode()) + data


def osc_bundle(seconds, messages):
    """A bundle at a time in seconds from the start of the score (the time
    tag's 32.32 fixed point, as Score writes it for scsynth -N)."""
    tag = int(round(seconds * 2 ** 32))
    body = b"#bundle\0" + struct.pack(">Q", tag)
    body += b"".join(struct.pack(">i", len(m)) + m for m in messages)
    return struct.pack(">i", len(body)) + body


def main(argv):
    args = argv[1:]
    synthdefs_out = None
    plain = "--plain" in args
    if plain:
        args.remove("--plain")
    if "--synthdefs" in args:
        k = args.index("--synthdefs")
        if k + 1 >= len(args):
            sys.exit("scsynth_score.py: --synthdefs needs a file name")
        synthdefs_out = args[k + 1]
        del args[k:k + 2]
    counts = (8, 8, 8)
    if "--tracks" in args:
        k = args.index("--tracks")
        value = args[k + 1] if k + 1 < len(args) else ""
        if value not in ("24", "64"):
            sys.exit("scsynth_score.py: --tracks takes 24 or 64, not %r" % value)
        counts = (8, 8, 8) if value == "24" else (16, 24, 24)
        del args[k:k + 2]
    if len(args) != 3:
        sys.exit(__doc__.split("\n\n")[1])
    material, seconds, score = args[0], float(args[1]), args[2]
    if not seconds > 0:
        sys.exit("scsynth_score.py: SECONDS must be > 0, not %r" % args[1])

    eq = not plain
    dx_def = track_def("ds_dx", 1, 80, 3000, 1, 3, eq)
    mx_track = track_def("ds_mx", 2, 40, 250, 1, -3, eq)
    fx_track = track_def("ds_fx", 2, 30, 1000, 0.7, -2, eq)
    defs = [dx_def, mx_track, fx_track, bus_def(),
            mx_def(threshold_db=-30, ratio=4, attack_s=0.010, release_s=0.250),
            pm_def(ceiling_db=-1, lookahead_s=0.005, limit=not plain)]
    blob = synthdef_file(defs)
    if synthdefs_out:
        with open(synthdefs_out, "wb") as f:
            f.write(blob)

    # DiskIn streams through a buffer of 65536 frames (a multiple of twice
    # the block), refilled half at a time; in NRT mode the refill reads
    # the file synchronously (server/plugins/DiskIO_UGens.cpp)
    frames = 65536
    buffers, synths = [], []
    node = 1000
    quarter = math.atan2(1, 1)

    def track(kind, k, channels, bus, gains):
        nonlocal node
        buf = node - 1000
        path = "%s/%s%02d.wav" % (material, kind, (k - 1) % 8 + 1)
        buffers.append(osc_message("/b_alloc", buf, frames, channels))
        buffers.append(osc_message("/b_read", buf, path, 0, frames, 0, 1))
        params = ["buf", float(buf), "out", float(bus)]
        for name, value in gains:
            params += [name, value]
        synths.append(osc_message("/s_new", "ds_" + kind, node, 1, 0, *params))
        node += 1

    g_dx, g_mx, g_fx = db_to_amp(-2), db_to_amp(-4), db_to_amp(-3)
    for k in range(1, counts[0] + 1):
        p = -0.35 + 0.1 * ((k - 1) % 8)
        track("dx", k, 1, BUS_DX, [("amp_l", g_dx * math.cos((p + 1) * quarter)),
                                   ("amp_r", g_dx * math.sin((p + 1) * quarter))])
    for k in range(1, counts[1] + 1):
        track("mx", k, 2, BUS_MX, [("amp", g_mx)])
    for k in range(1, counts[2] + 1):
        track("fx", k, 2, BUS_FX, [("amp", g_fx)])
    mx_node = 2001
    synths.append(osc_message("/s_new", "ds_bus", 2000, 1, 0, "in", float(BUS_DX), "out", float(BUS_PM)))
    if plain:
        synths.append(osc_message("/s_new", "ds_bus", mx_node, 1, 0, "in", float(BUS_MX), "out", float(BUS_PM)))
    else:
        synths.append(osc_message("/s_new", "ds_mxbus", mx_node, 1, 0, "in", float(BUS_MX), "key", float(BUS_DX),
                                  "out", float(BUS_PM)))
    synths.append(osc_message("/s_new", "ds_bus", 2002, 1, 0, "in", float(BUS_FX), "out", float(BUS_PM)))
    synths.append(osc_message("/s_new", "ds_pm", 2003, 1, 0, "in", float(BUS_PM)))

    bundles = [osc_bundle(0, [osc_message("/d_recv", blob)]),
               osc_bundle(0, buffers),
               osc_bundle(0, synths)]
    # the MX fader: 0 dB, to -6 dB over 60-62 s, back to 0 dB over 120-122 s
    for at, db in ((60, -6.0), (120, 0.0)):
        if at < seconds and not plain:
            bundles.append(osc_bundle(at, [osc_message("/n_set", mx_node, "db", db, "secs", 2.0,
                                                       "t_fader", 1.0)]))
    # the end: the material's length plus the limiter's delay
    end = seconds + (0 if plain else LIMIT_DELAY) / RATE
    bundles.append(osc_bundle(end, [osc_message("/c_set", 0, 0.0)]))
    with open(score, "wb") as f:
        f.write(b"".join(bundles))


if __name__ == "__main__":
    main(sys.argv)
