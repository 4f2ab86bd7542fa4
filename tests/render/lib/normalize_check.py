#!/usr/bin/env python3
"""normalize_check.py - reads float WAVs (dubstage's wav32f) with the
standard library only, for tests/render/normalize.sh.

  gain OUT IN     OUT: a normalised output, IN: the same strip written as
                  rendered (both wav32f, same length). Finds the float32 gain g
                  with out == float32(in * g) on the most samples, then prints
                  "g GAIN_DB frames N differing D max_reduction_db R first F":
                  D frames where any channel differs from in * g (where the
                  limiter acted), R the largest 20 log10(|in g| / |out|) over
                  them, F the first of them (-1: none).
  points OUT IN INTERVAL
                  the same frames by points of INTERVAL frames: "K:DB ..." for
                  each point K holding some, DB minus its deepest reduction.
  sum OUT A B...  prints the largest |out - (a + b + ...)| over all samples,
                  relative to the largest |out|.
"""
import math
import struct
import sys
from array import array


def read_wav32f(path):
    with open(path, "rb") as f:
        data = f.read()
    if data[:4] not in (b"RIFF", b"RF64") or data[8:12] != b"WAVE":
        sys.exit("%s: not a WAV file" % path)
    pos, channels, samples = 12, None, None
    while pos + 8 <= len(data):
        cid, size = data[pos:pos + 4], struct.unpack("<I", data[pos + 4:pos + 8])[0]
        body = data[pos + 8:pos + 8 + size]
        if cid == b"fmt ":
            channels = struct.unpack("<H", body[2:4])[0]
            if struct.unpack("<H", body[14:16])[0] != 32:
                sys.exit("%s: not 32-bit float" % path)
        if cid == b"data":
            samples = array("f")
            samples.frombytes(body[:len(body) // 4 * 4])
            break
        pos += 8 + size + (size & 1)
    if channels is None or samples is None:
        sys.exit("%s: no fmt or data chunk" % path)
    if sys.byteorder != "little":
        samples.byteswap()
    return channels, samples


def f32(x):
    return struct.unpack("<f", struct.pack("<f", x))[0]


def neighbours(g, k):
    """float32 values within k ulps of the float32 g (> 0)."""
    bits = struct.unpack("<I", struct.pack("<f", g))[0]
    return [struct.unpack("<f", struct.pack("<I", b))[0] for b in range(bits - k, bits + k + 1)]


def gain(out_path, in_path, interval=0):
    ch, out = read_wav32f(out_path)
    ch_in, inp = read_wav32f(in_path)
    if ch != ch_in or len(out) != len(inp):
        sys.exit("the two files differ in channels or length")
    # the commonest ratio out / in over a sample of the file (the limiter acts
    # on few frames), then the float32 around it that reproduces the most
    probe = [i for i in range(0, len(inp), max(1, len(inp) // 20000)) if abs(inp[i]) > 1e-3]
    ratios = {}
    for i in probe:
        r = f32(out[i] / inp[i])
        ratios[r] = ratios.get(r, 0) + 1
    guess = max(ratios, key=ratios.get)
    best = max(neighbours(guess, 4), key=lambda g: sum(f32(inp[i] * g) == out[i] for i in probe))
    expected = array("f", (x * best for x in inp))  # rounded to float32 as C does
    frames, differing, worst, first = len(out) // ch, 0, 0.0, -1
    points = {}  # with interval: point -> the deepest reduction of its differing frames
    chunk = 4096 * ch
    for start in range(0, len(out), chunk):
        if expected[start:start + chunk] == out[start:start + chunk]:
            continue  # the whole chunk is in * g
        for base in range(start, min(start + chunk, len(out)), ch):
            if expected[base:base + ch] == out[base:base + ch]:
                continue
            differing += 1
            if first < 0:
                first = base // ch
            frame_worst = 0.0
            for c in range(ch):
                e, o = abs(expected[base + c]), abs(out[base + c])
                if o > 0 and e > o:
                    frame_worst = max(frame_worst, 20 * math.log10(e / o))
            worst = max(worst, frame_worst)
            if interval:
                k = base // ch // interval
                points[k] = max(points.get(k, 0.0), frame_worst)
    if interval:
        print(" ".join("%d:%.4f" % (k, -points[k]) for k in sorted(points)))
        return
    print("g %.6f frames %d differing %d max_reduction_db %.3f first %d"
          % (20 * math.log10(best), frames, differing, worst, first))


def sum_check(out_path, parts):
    ch, out = read_wav32f(out_path)
    total = [0.0] * len(out)
    for p in parts:
        ch_p, a = read_wav32f(p)
        if ch_p != ch or len(a) != len(out):
            sys.exit("%s differs in channels or length" % p)
        for i, x in enumerate(a):
            total[i] += x
    peak = max(abs(x) for x in out) or 1.0
    print("%.3g" % (max(abs(o - t) for o, t in zip(out, total)) / peak))


if __name__ == "__main__":
    if len(sys.argv) == 4 and sys.argv[1] == "gain":
        gain(sys.argv[2], sys.argv[3])
    elif len(sys.argv) == 5 and sys.argv[1] == "points":
        gain(sys.argv[2], sys.argv[3], int(sys.argv[4]))
    elif len(sys.argv) >= 4 and sys.argv[1] == "sum":
        sum_check(sys.argv[2], sys.argv[3:])
    else:
        sys.exit(__doc__)
