#!/bin/sh
# doc_examples.sh - documentation that cannot drift: every ```lua block of
# README.md and docs/*.md, and every standard-library module's header
# example, parsed (luac5.4 -p), linted (luacheck with
# editors/dubstage.luacheckrc, in one run over them all with a canary whose
# misspelt global it must flag) and rendered by `dubstage render`: a whole
# script as written, a fragment inside a harness that makes the names it
# takes, with sox tones standing in for the media every example names and
# the data files the docs give (tests/render/lib/doc_examples.py; the
# convention: docs/editors.md, "Examples in the docs"). One check per
# example; each renders a few seconds into this test's temporary folder.
# Runs from the repository root; DUBSTAGE is the binary.
T=doc_examples
root=$(pwd)
. tests/render/lib/common.sh
for tool in luacheck luac5.4 python3; do
  command -v $tool >/dev/null 2>&1 || { echo "not ok - $T: $tool is missing (make deps: lua-check, lua5.4)"; exit 1; }
done
python3 "$root/tests/render/lib/doc_examples.py" "$DS" "$root" "$W"
