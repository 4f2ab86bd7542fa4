#!/usr/bin/env python3
"""make_script_seeds.py - writes tests/fuzz/corpus/script/*: inputs that
fuzz_script.c decodes into meaningful mix scripts (a fuzzer starting from
them mutates programs that already reach the compiler and the renderer).

The encoding mirrors put_statement/put_value in fuzz_script.c, whose word
lists are read from that file so the two cannot drift apart. To see the
program an input decodes to:
    FUZZ_SCRIPT_PRINT=1 build/fuzz/fuzz_script tests/fuzz/corpus/script/NAME
"""
import os
import re

HERE = os.path.dirname(os.path.abspath(__file__))
SRC = open(os.path.join(HERE, 'fuzz_script.c')).read()


def table(name):
    body = re.search(r'const char \*const %s\[\] = \{(.*?)\};' % name, SRC, re.S).group(1)
    return [eval(x) for x in re.findall(r'"(?:[^"\\]|\\.)*"', body)]


G, M, F, K, W, NUM, MOD = (table(n) for n in
                          ('globals', 'methods', 'fields', 'keys', 'words', 'numbers', 'modules'))

# values
def nil(): return [0]
def boolean(b): return [1, int(b)]
def integer(v): return [2, v & 255]
def num(text): return [3, NUM.index(text)]
def word(w): return [4, W.index(w)]
def var(j): return [6, j]
def tc(h, m, s, f, drop=False): return [10, h, m, s, f | (128 if drop else 0)]
def seconds(ms): return [11, ms >> 8, ms & 255, 0]          # "S.MMMs"
def smp(n16): return [11, n16 >> 8, n16 & 255, 2]           # "N*16 smp"


def tab(*items):
    """items: values (positional), (key, value) pairs, or ('[]', key value, value) for [key] = value."""
    out = [7, len(items)]
    for it in items:
        if isinstance(it, tuple) and it[0] == '[]':
            out += [3] + it[1] + it[2]
        elif isinstance(it, tuple):
            out += [1, K.index(it[0])] + it[1]
        else:
            out += [0] + it
    return out


# statements (each pcall-wrapped unless bare)
def call(k, g, *args, bare=False):
    return [0 if bare else 1, 0, k, 0, G.index(g), len(args)] + sum(args, [])
def curried(k, g, a, b, bare=False):
    return [0 if bare else 1, 1, k, 0, G.index(g)] + a + b
def method(k, j, m, *args):
    return [1, 2, k, j, M.index(m), len(args)] + sum(args, [])
def getf(k, j, f):
    return [1, 3, k, j, F.index(f)]
def setf(j, f, v):
    return [1, 4, 0, j, F.index(f)] + v
def callv(k, j, *args):
    return [1, 5, k, j, len(args)] + sum(args, [])
def minus(k, j, v):
    return [1, 6, k, j, 0] + v
def require(k, mod):
    return [1, 6, k, 0, 5, MOD.index(mod)]


def program(flags, *stmts):
    return bytes([flags] + sum(stmts, []))


SEEDS = {
    'clip-bus-output': program(
        1,
        call(0, 'session', tab(('rate', num('48000')), ('fps', word('25')))),
        curried(1, 'bus', word('PM'), tab(('channels', integer(2)))),
        curried(2, 'track', word('A'), tab(('to', var(1)), ('gain', integer(-3)))),
        method(3, 2, 'clip', tab(word('mono.wav'), ('at', integer(0)), ('fade_in', num('0.001')))),
        call(4, 'output', tab(word('pm.wav'), ('from', var(1)), ('format', word('wav16')))),
    ),
    'inserts-automation': program(
        1,
        curried(1, 'bus', word('DX'), tab()),
        curried(2, 'track', word('B'), tab(('to', var(1)), ('channels', integer(2)))),
        method(3, 2, 'clip', tab(word('stereo.wav'), ('at', seconds(0)))),
        method(4, 2, 'eq', tab(word('peak'), ('freq', num('1000')), ('gain', integer(3)))),
        method(5, 1, 'compressor', tab(('threshold', integer(-30)), ('ratio', integer(4)), ('key', var(2)))),
        method(6, 1, 'limiter', tab(('ceiling', integer(-1)))),
        getf(7, 2, 'gain'),
        method(8, 7, 'ramp', tab(('at', seconds(10)), ('to', integer(-12)), ('over', num('0.05')))),
        getf(9, 4, 'freq'),
        method(10, 9, 'set', tab(('at', seconds(20)), ('to', num('1000')))),
        call(11, 'output', tab(word('out.wav'), ('from', var(1)), ('format', word('wav32f')))),
    ),
    'duck-send-vca': program(
        0,
        curried(1, 'bus', word('PM'), tab()),
        curried(2, 'bus', word('MX'), tab(('to', var(1)))),
        curried(3, 'track', word('DX'), tab(('to', var(1)), ('channels', integer(1)))),
        curried(4, 'track', word('A'), tab(('to', var(2)))),
        method(5, 3, 'clip', tab(word('mono.wav'), ('at', integer(0)))),
        method(6, 4, 'clip', tab(word('r44.wav'), ('at', integer(0)))),
        call(7, 'duck', tab(var(2), ('under', var(3)), ('depth', integer(-9)), ('attack', num('0.05')))),
        method(8, 4, 'send', var(2), integer(-6)),
        curried(9, 'vca', word('B'), tab(('members', tab(var(3), var(4))), ('gain', integer(-3)))),
        curried(10, 'mute_group', word('PM'), tab(('members', tab(var(4))))),
        call(11, 'output', tab(word('pm.wav'), ('from', var(1)))),
    ),
    'markers-cues': program(
        1,
        call(0, 'session', tab(('fps', word('24')), ('start', tc(1, 0, 0, 0)))),
        call(1, 'markers', word('cues.txt')),
        callv(2, 1, word('door')),
        minus(3, 2, num('0.5')),
        curried(4, 'track', word('A'), tab()),
        method(5, 4, 'clip', tab(word('mono.wav'), ('at', tc(1, 0, 0, 0)))),
        getf(6, 4, 'gain'),
        method(7, 6, 'set', tab(('at', var(3)), ('to', num('-math.huge')))),
        call(8, 'trims', word('mix.trims.lua')),
        call(9, 'output', tab(word('x.flac'), ('from', var(4)), ('format', word('flac24')))),
    ),
    'df-session-six': program(
        1,
        call(0, 'session', tab(('rate', num('48000')), ('fps', word('29.97')), ('start', word('00:59:58;00')))),
        curried(1, 'bus', word('PM'), tab(('channels', integer(6)))),
        curried(2, 'track', word('A'), tab(('to', var(1)), ('channels', integer(6)))),
        method(3, 2, 'clip', tab(word('six.wav'), ('at', tc(0, 59, 58, 0, drop=True)))),
        method(4, 2, 'gate', tab(('threshold', integer(-45)), ('range', integer(-30)))),
        method(5, 2, 'transient', tab(('attack', integer(6)))),
        method(6, 2, 'eq', tab(word('highpass'), ('freq', num('1000')), ('order', integer(4)))),
        call(7, 'output', tab(word('pm.wav'), ('from', var(1)))),
    ),
    'deliver-normalize': program(
        1,
        curried(1, 'bus', word('PM'), tab()),
        curried(2, 'track', word('A'), tab(('to', var(1)))),
        method(3, 2, 'clip', tab(word('mono.wav'), ('at', integer(0)))),
        call(4, 'output', tab(word('pm.wav'), ('from', var(1)),
                              ('normalize', tab(('integrated', integer(-23)), ('true_peak', integer(-1)),
                                                ('stems', boolean(False)))))),
        call(5, 'deliver', tab(word('out.wav'), ('from', var(1)), ('spec', word('streaming-14')),
                               ('normalize', boolean(True)))),
    ),
    'spot-conform': program(
        1,
        call(0, 'session', tab(('fps', word('24')))),
        curried(1, 'track', word('A'), tab(('channels', integer(1)))),
        call(2, 'edl', word('cut.edl'), bare=True),   # bare: an error would stop the script
        call(3, 'spot', var(2), tab(('tracks', tab(('[]', word('A1'), var(1)))),
                                    ('media', tab(('[]', word('mono'), word('mono.wav')),
                                                  ('[]', word('r44'), word('r44.wav'))))), bare=True),
        call(4, 'edl', word('cut2.edl'), bare=True),
        call(5, 'conform', tab(('from', var(2)), ('to', var(4))), bare=True),
        call(6, 'output', tab(word('pm.wav'), ('from', var(1)))),
    ),
    'otio-spot': program(
        1,
        call(0, 'session', tab(('fps', word('24')))),
        curried(1, 'track', word('B'), tab(('channels', integer(1)))),
        call(2, 'otio', word('cut.otio'), bare=True),
        call(3, 'spot', var(2), tab(('tracks', tab(('[]', word('A1'), var(1))))), bare=True),
        call(4, 'output', tab(word('pm.wav'), ('from', var(1)))),
    ),
    'dme-module': program(
        1,
        require(1, 'dubstage.dme'),
        getf(2, 1, 'name'),
        curried(3, 'track', word('A'), tab()),
    ),
}

if __name__ == '__main__':
    out = os.path.join(HERE, 'corpus', 'script')
    os.makedirs(out, exist_ok=True)
    for name, data in SEEDS.items():
        with open(os.path.join(out, name), 'wb') as f:
            f.write(data)
