#!/usr/bin/env python3
"""layout_media.py - test media for tests/render/layouts.sh, written and read
here with the standard library only (not with the code under test).

  make OUT MASK CHANNELS SEG    a 48 kHz float WAVE_FORMAT_EXTENSIBLE file with
                                dwChannelMask MASK (hex) whose file channel k
                                is 0.5 over samples [k SEG, (k + 1) SEG) and 0
                                elsewhere (CHANNELS + 1 segments long): one
                                signal per channel, apart in time
  matrix RAW OUT_CH IN_CH SEG   RAW: interleaved float32 (ffmpeg -f f32le) of a
                                render of such a file; prints, per segment k
                                (an input channel), the value of every output
                                channel at the segment's middle divided by 0.5:
                                the route's matrix row, one line per input
  which RAW SEGS SEG            RAW: one channel of float32; prints the
                                segments (0-based) where it is not silent
"""
import struct
import sys

FLOAT_GUID = bytes.fromhex("0300000000001000800000aa00389b71")


def make(out, mask, channels, seg):
    frames = (channels + 1) * seg
    data = bytearray()
    for i in range(frames):
        k = i // seg
        data += struct.pack("<%df" % channels, *[0.5 if c == k else 0.0 for c in range(channels)])
    fmt = struct.pack("<HHIIHHHHI", 0xFFFE, channels, 48000, 48000 * 4 * channels, 4 * channels, 32, 22, 32,
                      mask) + FLOAT_GUID
    body = b"WAVE" + b"fmt " + struct.pack("<I", len(fmt)) + fmt + b"data" + struct.pack("<I", len(data)) + data
    with open(out, "wb") as f:
        f.write(b"RIFF" + struct.pack("<I", len(body)) + body)


def read_raw(path):
    with open(path, "rb") as f:
        b = f.read()
    return struct.unpack("<%df" % (len(b) // 4), b)


def matrix(raw, out_ch, in_ch, seg):
    x = read_raw(raw)
    for k in range(in_ch):
        i = k * seg + seg // 2
        print(" ".join("%.9f" % (x[i * out_ch + c] / 0.5) for c in range(out_ch)))


def which(raw, segs, seg):
    x = read_raw(raw)
    print(" ".join(str(k) for k in range(segs) if any(abs(v) > 1e-9 for v in x[k * seg:(k + 1) * seg])))


if __name__ == "__main__":
    cmd = sys.argv[1]
    if cmd == "make":
        make(sys.argv[2], int(sys.argv[3], 16), int(sys.argv[4]), int(sys.argv[5]))
    elif cmd == "matrix":
        matrix(sys.argv[2], int(sys.argv[3]), int(sys.argv[4]), int(sys.argv[5]))
    elif cmd == "which":
        which(sys.argv[2], int(sys.argv[3]), int(sys.argv[4]))
