#!/usr/bin/env python3
"""make_edit_seeds.py - writes tests/fuzz/corpus/edit/*: inputs of
fuzz_edit.c made of the tests' own cuts (tests/data/otio, OpenTimelineIO's
samples, Apache-2.0, and the re-conform pair of tests/unit/test_conform.c),
in pairs: [flags][track][old length, 2 bytes big-endian][old file][new file].
flags bit 0: the old file is OTIO, bit 1: the new one; bits 2-7 the frame
rate (0: 24 fps, 2: 25 fps).
"""
import os

HERE = os.path.dirname(os.path.abspath(__file__))
DATA = os.path.join(HERE, '..', 'data', 'otio')

V5 = b"""TITLE: REEL 1 V5
FCM: NON-DROP FRAME
001  A001     AA/V  C        10:00:00:00 10:00:04:00 01:00:00:00 01:00:04:00
002  A002     AA/V  C        11:00:00:00 11:00:04:00 01:00:04:00 01:00:08:00
003  A003     AA/V  C        12:00:00:00 12:00:04:00 01:00:08:00 01:00:12:00
004  A004     AA/V  C        13:00:00:00 13:00:04:00 01:00:12:00 01:00:16:00
005  A005     AA/V  C        14:00:00:00 14:00:04:00 01:00:16:00 01:00:20:00
006  A006     AA/V  C        15:00:00:00 15:00:04:00 01:00:20:00 01:00:24:00
"""
V6 = b"""TITLE: REEL 1 V6
FCM: NON-DROP FRAME
001  A001     AA/V  C        10:00:00:00 10:00:04:00 01:00:00:00 01:00:04:00
002  B001     AA/V  C        20:00:00:00 20:00:02:00 01:00:04:00 01:00:06:00
003  A002     AA/V  C        11:00:00:00 11:00:04:00 01:00:06:00 01:00:10:00
004  A004     AA/V  C        13:00:01:00 13:00:04:00 01:00:10:00 01:00:13:00
005  A006     AA/V  C        15:00:00:00 15:00:04:00 01:00:13:00 01:00:17:00
006  A006     AA/V  C        15:00:04:00 15:00:04:00 01:00:17:00 01:00:17:00
006  A005     AA/V  D    012 14:00:00:00 14:00:04:00 01:00:17:00 01:00:21:00
"""


def data(name):
    with open(os.path.join(DATA, name), 'rb') as f:
        return f.read()


def seed(old, new, old_otio=False, new_otio=False, rate=0, track=0):
    flags = int(old_otio) | int(new_otio) << 1 | rate << 2
    return bytes([flags, track, len(old) >> 8, len(old) & 255]) + old + new


SEEDS = {
    'v5-v6': seed(V5, V6),
    'v6-v5-on-a1': seed(V6, V5, track=2),
    'screening-edl-otio': seed(data('screening_example.edl'), data('screening_example.otio'), new_otio=True),
    'dissolve-wipe': seed(data('dissolve_test.edl'), data('wipe_test.edl')),
    'multi-audio-self': seed(data('multi_audio.edl'), data('multi_audio.edl'), track=0),
    '25fps-self': seed(data('25fps.edl'), data('25fps.edl'), rate=2),
    'transition-otio': seed(data('transition_test.otio'), data('simple_cut.otio'), True, True),
    'multitrack-otio': seed(data('multitrack.otio'), data('multitrack.otio'), True, True),
    'nested-otio': seed(data('nested_example.otio'), data('simple_cut.otio'), True, True),
}

if __name__ == '__main__':
    out = os.path.join(HERE, 'corpus', 'edit')
    os.makedirs(out, exist_ok=True)
    for name, blob in SEEDS.items():
        if len(blob) - 4 > 65535 + 65535:
            raise SystemExit('%s: too long' % name)
        with open(os.path.join(out, name), 'wb') as f:
            f.write(blob)
