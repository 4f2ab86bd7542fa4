"""doc_examples.py - every Lua example of the documentation, run or checked
(tests/render/doc_examples.sh runs it; docs/editors.md#examples-in-the-docs
states the convention):

  - each ```lua block of README.md and docs/*.md;
  - each standard-library module's header example: the first run of lines
    indented "--   " in the comment block that opens stdlib/dubstage/*.lua.

An example is a whole script unless it is marked a fragment: a fence
"```lua fragment NAME..." or a header example whose first line is
"-- fragment NAME...", NAME... the globals it takes from the text around it
(the `dx` and `d1` a paragraph made earlier). A whole script is parsed
(luac5.4 -p), linted (luacheck with editors/dubstage.luacheckrc, no warning
allowed) and run with `dubstage info` in a folder of its own, where every
audio file it names is a short tone made with sox (mono, so it fits any
track), every marker list a file holding each cue the example asks for,
and every trims file an empty table. A fragment is parsed and linted with
its NAMEs as known globals and unused locals allowed (a fragment shows a
value it does not use).

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
AUDIO = re.compile(r'"([^"\n]+\.(?:wav|ogg|flac|aif|aiff|mp3|w64|caf|opus))"', re.I)


def doc_blocks(path):
    """(line, kind, names, code) of each ```lua block of a Markdown file."""
    rel = os.path.relpath(path, ROOT)
    lines = open(path, encoding="utf-8").read().split("\n")
    i = 0
    while i < len(lines):
        m = re.match(r"^```lua(?:\s+(.*))?$", lines[i].rstrip())
        if not m:
            i += 1
            continue
        words = (m.group(1) or "").split()
        start = i + 1
        i += 1
        body = []
        while i < len(lines) and not lines[i].startswith("```"):
            body.append(lines[i])
            i += 1
        i += 1
        kind = "fragment" if words[:1] == ["fragment"] else "script"
        yield rel, start, kind, words[1:], "\n".join(body) + "\n"


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
    if words[:2] == ["--", "fragment"]:
        return rel, start, "fragment", words[2:], "\n".join(run[1:]) + "\n"
    return rel, start, "script", [], "\n".join(run) + "\n"


def run(cmd, cwd):
    p = subprocess.run(cmd, cwd=cwd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    return p.returncode, p.stdout


def first_lines(text, n=3):
    return " | ".join(l.strip() for l in text.strip().split("\n")[:n])


def materials(code, folder):
    """The files a whole example reads, made in folder."""
    for name in sorted(set(AUDIO.findall(code))):
        path = os.path.join(folder, name)
        os.makedirs(os.path.dirname(path), exist_ok=True)
        # long enough for the examples' `from` offsets; WAV whatever the
        # extension (libsndfile reads a file by its header)
        subprocess.run(["sox", "-n", "-r", "48000", "-c", "1", "-b", "16", "-t", "wav", path,
                        "synth", "60", "sine", "440", "vol", "0.25"], check=True)
    for var, name in re.findall(r'local\s+(\w+)\s*=\s*markers\s*\(?\s*"([^"]+)"', code):
        names = sorted(set(re.findall(r'\b' + re.escape(var) + r'\s*\(?\s*"([^"]+)"', code))) or ["start"]
        path = os.path.join(folder, name)
        os.makedirs(os.path.dirname(path), exist_ok=True)
        with open(path, "w") as f:  # plain lines "TIME NAME", seconds from the session start
            for k, cue in enumerate(names):
                f.write("%ds %s\n" % (k + 1, cue))
    for name in re.findall(r'\btrims\s*\(?\s*"([^"]+)"', code):
        with open(os.path.join(folder, name), "w") as f:
            f.write("return {}\n")


def check(example, index):
    rel, line, kind, names, code = example
    where = "%s:%d" % (rel, line)
    folder = os.path.join(WORK, "ex%03d" % index)
    os.makedirs(folder)
    script = os.path.join(folder, "example.lua")
    with open(script, "w") as f:
        f.write(code)
    rc, out = run(["luac5.4", "-p", "-o", "/dev/null", script], folder)
    if rc != 0:
        return "not ok - %s (%s): luac5.4 -p: %s" % (where, kind, first_lines(out))
    lint = ["luacheck", "example.lua", "--no-color", "--codes", "--config", RC]
    if kind == "fragment":
        lint += ["--no-unused"] + (["--globals"] + names if names else [])
    rc, out = run(lint, folder)
    if rc != 0:
        warnings = [l.strip() for l in out.split("\n") if "example.lua:" in l]
        return "not ok - %s (%s): luacheck: %s" % (where, kind, " | ".join(warnings[:3]) or first_lines(out))
    if kind == "fragment":
        return "ok - %s: a fragment (taking %s): parses, luacheck passes" % (where, ", ".join(names) or "nothing")
    materials(code, folder)
    rc, out = run([DS, "info", "example.lua"], folder)
    if rc != 0:
        return "not ok - %s (script): dubstage info: %s" % (where, first_lines(out))
    return "ok - %s: a whole script: parses, luacheck passes, dubstage info runs it" % where


examples = []
for path in [os.path.join(ROOT, "README.md")] + sorted(glob.glob(os.path.join(ROOT, "docs", "*.md"))):
    examples.extend(doc_blocks(path))
for path in sorted(glob.glob(os.path.join(ROOT, "stdlib", "dubstage", "*.lua"))):
    e = header_example(path)
    if e is None:
        print("not ok - %s: a standard-library module without a header example" % os.path.relpath(path, ROOT))
    else:
        examples.append(e)
for i, e in enumerate(examples):
    print(check(e, i))
scripts = sum(1 for e in examples if e[2] == "script")
print("# %d examples: %d whole scripts, %d fragments" % (len(examples), scripts, len(examples) - scripts))
