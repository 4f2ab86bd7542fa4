"""doc_examples.py - every Lua example of the documentation, rendered
(tests/render/doc_examples.sh runs it; docs/editors.md#examples-in-the-docs
states the convention for writers):

  - each ```lua block of README.md and docs/*.md;
  - each standard-library module's header example: the first run of lines
    indented "--   " in the comment block that opens stdlib/dubstage/*.lua.

What a block is, by the words after ```lua in its fence (in a header
example, by a first line "-- WORD ..."):

  (none)             a whole mix script: rendered as written.
  fragment NAME...   continues the text around it, using the NAMEs an
                     earlier example made: rendered inside a harness that
                     makes a stand-in for each NAME first (STANDINS below,
                     by the name's usual meaning in the docs; NAME=KIND
                     chooses another kind), plus a bus of its own fed by a
                     4 s tone and written to out/harness.wav, so a fragment
                     with no clip or no output renders too. A fragment that
                     opens with its own `session {}` line keeps it first;
                     another gets `session { start = "01:00:00:00" }`, the
                     start the docs' timecodes assume.
  trims              a trims file (docs/live.md): read by `trims` in a
                     harness script that makes a track for each strip it
                     names, and rendered.
  repl NAME...       a chunk typed at `dubstage repl`, NAMEs the strips it
                     uses: parsed and linted, not run (it needs the live
                     prompt).
  neovim             a Neovim set-up, not a mix: parsed and linted, not run.
  project NAME...    a `dubstage plan` project file (docs/cluster.md), NAMEs
                     its words (reel, lib): parsed and linted, not run.
  reel NAME...       a reel's mix module or a deliverable script that
                     requires it (docs/cluster.md): parsed and linted, not
                     run (it needs the reel's folder; tests/render/plan.sh
                     renders scripts of this shape).

Each example is parsed (luac5.4 -p) and linted (luacheck with
editors/dubstage.luacheckrc; a fragment or chunk with its NAMEs as known
globals and unused locals allowed, since it shows a value), then rendered
with `dubstage render --quiet` in a folder of its own (the test's temporary
folder), where every audio file it names is a mono tone made with sox, long
enough for the largest `from` offset the example gives, plus 8 s; every
marker list holds each cue the example asks for, a second apart from 1 s;
and every data file a block of the docs provides (a fence "```FORMAT file
NAME", such as the EDL of docs/conform.md) is written. A render must exit 0
and write every "out/..." file the example names (at least one file).

Usage: python3 doc_examples.py DUBSTAGE ROOT WORKDIR
Prints one "ok - ..." or "not ok - ...: why" line per example.
"""
import glob
import os
import re
import subprocess
import sys

DS, ROOT, WORK = sys.argv[1], sys.argv[2], sys.argv[3]
RC = os.path.join(ROOT, "editors", "dubstage.luacheckrc")
AUDIO_EXT = r"(?:wav|ogg|flac|aif|aiff|mp3|w64|caf|opus)"
AUDIO = re.compile(r'"([^"\n]+\.' + AUDIO_EXT + r')"', re.I)
OUT_FILE = re.compile(r'"(out/[^"\n]+\.' + AUDIO_EXT + r')"', re.I)
NOT_RUN = {"repl": "a chunk typed at dubstage repl", "neovim": "a Neovim set-up",
           "project": "a dubstage plan project file", "reel": "a reel's module or a script requiring it"}

# The stand-ins a fragment's names get, by kind. {v} is the name, {V} the
# strip's name (the name in capitals). Strips feed the harness's bus, so
# what a fragment puts on them is heard in out/harness.wav; tracks play the
# tone, and so does a track feeding each bus (a bus that is normalised or
# keys a compressor has a signal). "edit" and "spot_media" are the EDL of
# docs/conform.md (its "```edl file reel2_v5.edl" block) and a media table
# that places it.
TONE = "media/harness_tone.wav"
FED = '\ntrack "{V} TONE" {{ channels = 1, to = {v} }}:clip {{ "' + TONE + '", at = 0, length = 4 }}'
STANDINS = {
    "bus": 'local {v} = bus "{V}" {{ to = harness }}' + FED,
    "bus5.1": 'local {v} = bus "{V}" {{ layout = "5.1", to = harness }}' + FED,
    "bus7.1": 'local {v} = bus "{V}" {{ layout = "7.1", to = harness }}' + FED,
    "track": 'local {v} = track "{V}" {{ channels = 1, to = harness }}\n'
             '{v}:clip {{ "' + TONE + '", at = 0, length = 4 }}',
    "track2": 'local {v} = track "{V}" {{ channels = 2, to = harness }}\n'
              '{v}:clip {{ "' + TONE + '", at = 0, length = 4 }}',
    "markers": 'local {v} = markers "harness_cues.txt"',
    "mute_group": 'local {v} = mute_group "{V}" {{ members = {{ track "{V} MEMBER" {{ channels = 1, to = harness }} }} }}',
    "edit": 'local {v} = edl "reel2_v5.edl"',
    "spot_media": 'local {v} = {{ sc12_t3 = "media/sc12_t3.wav", A017 = {{ "media/A017.wav", start = "14:21:07:00" }} }}',
    "options": 'local {v} = {{ freq = 80, gain = 2 }}',
    "word": 'local {v} = "soft"',
}
KIND_OF = {}
for kind, names in {
    "bus": "pm dx mx fx lr lr2 check",
    "bus5.1": "pm51",
    "bus7.1": "pm71",
    "track": "d1 dia dia1 dia2 dx_a phone t1 t2",
    "track2": "score walla amb amb_a amb_b drums gtr st room boom loop_group",
    "markers": "cue",
    "mute_group": "mg",
    "edit": "edit",
    "spot_media": "table_or_function",
    "options": "opts",
    "word": "kind",
}.items():
    for n in names.split():
        KIND_OF[n] = kind


def doc_blocks(path, files):
    """(where, line, kind, names, code) of each ```lua block of a Markdown
    file; its data blocks ("```FORMAT file NAME") go into files."""
    rel = os.path.relpath(path, ROOT)
    lines = open(path, encoding="utf-8").read().split("\n")
    i = 0
    while i < len(lines):
        m = re.match(r"^```(\w+)(?:\s+(.*))?$", lines[i].rstrip())
        if not m:
            i += 1
            continue
        lang, words = m.group(1), (m.group(2) or "").split()
        start = i + 1
        i += 1
        body = []
        while i < len(lines) and not lines[i].startswith("```"):
            body.append(lines[i])
            i += 1
        i += 1
        text = "\n".join(body) + "\n"
        if len(words) == 2 and words[0] == "file":
            files.setdefault(words[1], []).append(("%s:%d" % (rel, start), text))
        elif lang == "lua":
            kind = words[0] if words else "script"
            yield rel, start, kind, words[1:], text


def header_example(path):
    """The header example of a standard-library module, or None."""
    rel = os.path.relpath(path, ROOT)
    run, start = [], None
    for n, line in enumerate(open(path, encoding="utf-8"), 1):
        line = line.rstrip("\n")
        if not line.startswith("--"):
            break
        if line.startswith("--   "):
            if start is None:
                start = n
            run.append(line[5:])
        elif start is not None:
            break
    if start is None:
        return None
    words = run[0].split()
    if words[:1] == ["--"] and len(words) > 1 and (words[1] in NOT_RUN or words[1] in ("fragment", "trims")):
        return rel, start, words[1], words[2:], "\n".join(run[1:]) + "\n"
    return rel, start, "script", [], "\n".join(run) + "\n"


def run(cmd, cwd):
    p = subprocess.run(cmd, cwd=cwd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    return p.returncode, p.stdout


def first_lines(text, n=3):
    return " | ".join(l.strip() for l in text.strip().split("\n")[:n])


def seconds(value):
    """A `from` written as seconds or as timecode, roughly in seconds."""
    m = re.match(r'"?(\d+):(\d+):(\d+)[:;](\d+)"?$', value)
    if m:
        h, mi, s, _ = (int(x) for x in m.groups())
        return h * 3600 + mi * 60 + s + 1
    try:
        return float(value.strip('"s'))
    except ValueError:
        return 0.0


def materials(code, folder, files):
    """The files an example reads, made in folder."""
    offsets = [seconds(v) for v in re.findall(r'\bfrom\s*=\s*("[^"]*"|[0-9.]+)', code)]
    tone_s = "%d" % (8 + max(offsets + [0]))
    for name in sorted(set(AUDIO.findall(code))):
        path = os.path.join(folder, name)
        os.makedirs(os.path.dirname(path), exist_ok=True)
        # WAV whatever the extension (libsndfile reads a file by its header)
        subprocess.run(["sox", "-n", "-r", "48000", "-c", "1", "-b", "16", "-t", "wav", path,
                        "synth", tone_s, "sine", "440", "vol", "0.25"], check=True)
    for var, name in re.findall(r'local\s+(\w+)\s*=\s*markers\s*\(?\s*"([^"]+)"', code):
        names = sorted(set(re.findall(r'\b' + re.escape(var) + r'\s*\(?\s*"([^"]+)"', code))) or ["start"]
        path = os.path.join(folder, name)
        os.makedirs(os.path.dirname(path), exist_ok=True)
        with open(path, "w") as f:  # plain lines "TIME NAME", seconds from the session start
            for k, cue in enumerate(names):
                f.write("%ds %s\n" % (k + 1, cue))
    for name in re.findall(r'\btrims\s*\(?\s*"([^"]+)"', code):
        if not os.path.exists(os.path.join(folder, name)):
            with open(os.path.join(folder, name), "w") as f:
                f.write("return {}\n")
    for name, blocks in files.items():
        if re.search(r'"' + re.escape(name) + r'"', code):
            with open(os.path.join(folder, name), "w") as f:
                f.write(blocks[0][1])


HARNESS_SESSION = 'session { start = "01:00:00:00" }'  # the start the docs' timecodes assume
HARNESS_BUS = ['local harness = bus "HARNESS"',
               'track "HARNESS TONE" { channels = 1, to = harness }:clip { "%s", at = 0, length = 4 }' % TONE]
HARNESS_OUT = 'output { "out/harness.wav", from = harness }\n'


def harness(kind, names, code):
    """The script that renders a fragment or a trims file, and the number
    of lines it puts before the example's own (after the example's own
    session line, if it opens with one); or None and a message why not."""
    if kind == "trims":
        strips = sorted(set(re.findall(r'\["([^"]+)\.\w+"\]', code)))
        made = ['track "%s" { channels = 1, to = harness }' % s for s in strips]
        return "\n".join(HARNESS_BUS + made + ['trims "trims.lua"', HARNESS_OUT]), 0
    lines = code.split("\n")
    first = next((k for k, l in enumerate(lines) if l.strip() and not l.strip().startswith("--")), None)
    own = first is not None and re.match(r"\s*session\s*[{(]", lines[first])
    session, body = (lines[:first + 1], lines[first + 1:]) if own else ([HARNESS_SESSION], lines)
    made = list(HARNESS_BUS)
    for word in names:
        name, _, chosen = word.partition("=")
        k = chosen or KIND_OF.get(name)
        if k not in STANDINS:
            return None, ("no stand-in for '%s': give its kind (%s=KIND, KIND one of %s) or add it to KIND_OF"
                          % (word, name, ", ".join(sorted(STANDINS))))
        made.extend(STANDINS[k].format(v=name, V=name.upper()).split("\n"))
    return "\n".join(session + made + body) + HARNESS_OUT, len(made) + (0 if own else 1)


def lint_all(examples):
    """luacheck over every example in one run (it is slow to start): with
    editors/dubstage.luacheckrc, and for a fragment or a chunk its names as
    globals and unused values allowed (a files[] section each); and a canary
    whose misspelt global it must report, so a config that lets everything
    through fails the test. Returns {index: warnings}, or a message when
    luacheck itself failed or missed the canary."""
    os.makedirs(os.path.join(WORK, "canary"))
    with open(os.path.join(WORK, "canary", "example.lua"), "w") as f:
        f.write('track "A" { channels = 1 }\ntrak "B" { channels = 1 }\n')
    extra, paths = [], ["canary/example.lua"]
    for i, (_, _, kind, names, _) in enumerate(examples):
        paths.append("ex%03d/example.lua" % i)
        if kind != "script":
            extra.append('files["%s"] = { globals = { %s }, unused = false }'
                         % (paths[-1], ", ".join('"%s"' % n.partition("=")[0] for n in names)))
    config = os.path.join(WORK, "examples.luacheckrc")
    with open(config, "w") as f:
        f.write(open(RC).read() + "\n" + "\n".join(extra) + "\n")
    rc, out = run(["luacheck", "--no-color", "--codes", "--config", config] + paths, WORK)
    if rc > 2:  # 3: an I/O or configuration error, 4: a crash
        return "luacheck exited %d: %s" % (rc, first_lines(out))
    if not re.search(r"canary/example\.lua:2:1: \(W113\) accessing undefined variable 'trak'", out):
        return "luacheck did not flag the canary's misspelt global 'trak': %s" % first_lines(out)
    found = {}
    for line in out.split("\n"):
        m = re.match(r"\s*ex(\d+)/(example\.lua:\d+:\d+: .*)", line)
        if m:
            found.setdefault(int(m.group(1)), []).append(m.group(2))
    return found


def check(example, index, files, lint):
    rel, line, kind, names, code = example
    where = "%s:%d" % (rel, line)
    folder = os.path.join(WORK, "ex%03d" % index)
    script = os.path.join(folder, "example.lua")
    rc, out = run(["luac5.4", "-p", "-o", "/dev/null", script], folder)
    if rc != 0:
        return "not ok - %s (%s): luac5.4 -p: %s" % (where, kind, first_lines(out))
    warnings = lint if isinstance(lint, str) else lint.get(index)
    if warnings:
        return "not ok - %s (%s): luacheck: %s" % (where, kind, warnings if isinstance(lint, str) else
                                                  " | ".join(warnings[:3]))
    if kind in NOT_RUN:
        return "ok - %s: %s: parses, luacheck passes (not run)" % (where, NOT_RUN[kind])
    if kind in ("fragment", "trims"):
        if kind == "trims":
            os.rename(script, os.path.join(folder, "trims.lua"))
        text, added = harness(kind, names, code)
        if text is None:
            return "not ok - %s (%s): %s" % (where, kind, added)
        script_name = "harness.lua"
        with open(os.path.join(folder, script_name), "w") as f:
            f.write(text)
        what = ("a trims file" if kind == "trims" else
                "a fragment (taking %s)" % (", ".join(names) or "nothing"))
    elif kind == "script":
        text, added, script_name, what = code, 0, "example.lua", "a whole script"
    else:
        return "not ok - %s: unknown kind of block '%s' (fragment, trims, %s or none)" % (
            where, kind, ", ".join(sorted(NOT_RUN)))
    materials(text, folder, files)
    rc, out = run([DS, "render", "--quiet", script_name], folder)
    if rc != 0:
        shift = " (the harness puts %d lines before the example's)" % added if added else ""
        return "not ok - %s (%s): dubstage render%s: %s" % (where, kind, shift, first_lines(out))
    named = sorted(set(OUT_FILE.findall(text)))
    missing = [n for n in named if not os.path.isfile(os.path.join(folder, n)) or not os.path.getsize(os.path.join(folder, n))]
    written = sorted(os.path.relpath(os.path.join(d, f), folder) for d, _, fs in os.walk(os.path.join(folder, "out"))
                     for f in fs if re.search(r"\." + AUDIO_EXT + "$", f, re.I))
    if missing or not written:
        return "not ok - %s (%s): dubstage render wrote %s, not %s" % (
            where, kind, ", ".join(written) or "nothing", ", ".join(missing) or "any audio file")
    return "ok - %s: %s: parses, luacheck passes, renders (%d files)" % (where, what, len(written))


examples, files = [], {}
for path in [os.path.join(ROOT, "README.md")] + sorted(glob.glob(os.path.join(ROOT, "docs", "*.md"))):
    examples.extend(doc_blocks(path, files))
for name, blocks in sorted(files.items()):
    if len(set(text for _, text in blocks)) > 1:
        print("not ok - data file %s is given differently at %s" % (name, ", ".join(w for w, _ in blocks)))
for path in sorted(glob.glob(os.path.join(ROOT, "stdlib", "dubstage", "*.lua"))):
    e = header_example(path)
    if e is None:
        print("not ok - %s: a standard-library module without a header example" % os.path.relpath(path, ROOT))
    else:
        examples.append(e)
for i, e in enumerate(examples):
    os.makedirs(os.path.join(WORK, "ex%03d" % i))
    with open(os.path.join(WORK, "ex%03d" % i, "example.lua"), "w") as f:
        f.write(e[4])
lint = lint_all(examples)
if not isinstance(lint, str):
    print("ok - luacheck, run once over every example with the docs' standard, flags a canary's misspelt global")
for i, e in enumerate(examples):
    print(check(e, i, files, lint))
counts = {}
for e in examples:
    counts[e[2]] = counts.get(e[2], 0) + 1
print("# %d examples: %s" % (len(examples), ", ".join("%d %s" % (n, k) for k, n in sorted(counts.items()))))
