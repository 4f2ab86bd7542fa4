#!/bin/sh
# doc_examples.sh - documentation that cannot drift: every ```lua block of
# README.md and docs/*.md, and every standard-library module's header
# example, parsed (luac5.4 -p), linted (luacheck with
# editors/dubstage.luacheckrc) and, unless marked a fragment, run by
# `dubstage info` with sox tones standing in for the media it names
# (tests/render/lib/doc_examples.py; the convention: docs/editors.md,
# "Examples in the docs"). One check per example.
# Runs from the repository root; DUBSTAGE is the binary.
T=doc_examples
root=$(pwd)
. tests/render/lib/common.sh
for tool in luacheck luac5.4 python3; do
  command -v $tool >/dev/null 2>&1 || { echo "not ok - $T: $tool is missing (make deps: lua-check, lua5.4)"; exit 1; }
done
python3 "$root/tests/render/lib/doc_examples.py" "$DS" "$root" "$W"
