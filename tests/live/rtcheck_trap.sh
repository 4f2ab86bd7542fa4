#!/bin/sh
# rtcheck_trap.sh - the realtime tests' malloc trap works (ARCHITECTURE.md
# property 4): build/dubstage-rtcheck aborts with a message when memory is
# allocated between vm_rtcheck_enter() and vm_rtcheck_leave(), and is otherwise the
# same program as build/dubstage.
#
# DUBSTAGE_RTCHECK_SELFTEST=1 makes tests/rtcheck/malloc_trap.c allocate
# inside the markers at start-up, so the trap is proved before any live
# test relies on it passing silently. No JACK needed.
# Runs from the repository root; BUILD (default build) holds the binaries.
set -u

BUILD=${BUILD:-build}
RT=$BUILD/dubstage-rtcheck
DS=${DUBSTAGE:-$BUILD/dubstage}
case $RT in /*) ;; *) RT=$(pwd)/$RT ;; esac
case $DS in /*) ;; *) DS=$(pwd)/$DS ;; esac
if [ ! -x "$RT" ]; then
  echo "not ok - rtcheck: no binary at $RT (run make)"
  exit 1
fi

W=$(mktemp -d "${TMPDIR:-/tmp}/dubstage-rtcheck.XXXXXX") || exit 1
trap 'rm -rf "$W"' EXIT
trap 'exit 1' INT TERM
cd "$W" || exit 1
# the abort below is expected: no core file (dash and bash have ulimit -c)
# shellcheck disable=SC3045
ulimit -c 0 2>/dev/null

ok() { echo "ok - $1"; }
notok() {
  echo "not ok - $1: $2"
  printf '%s\n' "$out" | sed 's/^/    # /' | head -8
}

# ---- the trap fires --------------------------------------------------------------

# (in a subshell whose stderr is captured too: the shell's own "Aborted")
out=$( (DUBSTAGE_RTCHECK_SELFTEST=1 "$RT" --version; exit $?) 2>&1)
rc=$?
name="malloc between vm_rtcheck_enter and vm_rtcheck_leave aborts with a message"
if [ "$rc" -ne 134 ]; then
  notok "$name" "exit status $rc, expected 134 (SIGABRT)"
elif ! printf '%s\n' "$out" | grep -F -q "dubstage-rtcheck: malloc in the audio callback: malloc(16)"; then
  notok "$name" "message lacks 'dubstage-rtcheck: malloc in the audio callback: malloc(16)'"
elif printf '%s\n' "$out" | grep -q '^dubstage [0-9]'; then
  notok "$name" "the program went on to print its version"
else
  ok "$name"
fi

# ---- and stays quiet otherwise ------------------------------------------------------

for v in "" 0; do
  if [ -z "$v" ]; then
    name="without DUBSTAGE_RTCHECK_SELFTEST, --version works"
    out=$(unset DUBSTAGE_RTCHECK_SELFTEST; "$RT" --version 2>&1)
  else
    name="with DUBSTAGE_RTCHECK_SELFTEST=$v, --version works"
    out=$(DUBSTAGE_RTCHECK_SELFTEST=$v "$RT" --version 2>&1)
  fi
  rc=$?
  if [ "$rc" -ne 0 ]; then
    notok "$name" "exit status $rc"
  elif ! printf '%s\n' "$out" | grep -q '^dubstage [0-9]'; then
    notok "$name" "no version line"
  elif printf '%s\n' "$out" | grep -F -q "dubstage-rtcheck:"; then
    notok "$name" "the trap spoke"
  else
    ok "$name"
  fi
done

# Every allocation of the program (Lua, libsndfile, the compiler's arenas)
# goes through the trap's malloc: a render must come out byte for byte as
# the plain program's.
name="dubstage-rtcheck renders the same bytes as dubstage"
if ! command -v sox >/dev/null 2>&1; then
  echo "skip - $name: sox is not installed (needed to make test media)"
elif [ ! -x "$DS" ]; then
  echo "not ok - $name: no binary at $DS (run make)"
else
  mkdir media
  sox -n -r 48000 -c 2 -b 24 media/s.wav synth 2 sine 220 sine 330 gain -9 2>/dev/null
  printf '%s\n' 'session { rate = 48000 }' 'local b = bus "B"' 'local t = track "T" { to = b, gain = -3 }' \
    't:clip { "media/s.wav", at = 0.5, fade_in = 0.1, fade_out = 0.3 }' \
    'output { "out/a.wav", from = b }' 'output { "out/a.flac", from = t, format = "flac24" }' >mix.lua
  out=$("$RT" render --quiet --out "$W/rt" mix.lua 2>&1)
  rc=$?
  out2=$("$DS" render --quiet --out "$W/plain" mix.lua 2>&1)
  rc2=$?
  if [ "$rc" -ne 0 ] || [ "$rc2" -ne 0 ]; then
    out="$out$out2"
    notok "$name" "render failed (dubstage-rtcheck $rc, dubstage $rc2)"
  elif ! cmp -s rt/a.wav plain/a.wav || ! cmp -s rt/a.flac plain/a.flac; then
    notok "$name" "the outputs differ"
  else
    ok "$name"
  fi
fi
