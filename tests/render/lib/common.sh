# common.sh - the prologue the render tests share. Sourced, not run (tests/
# run.sh runs tests/render/*.sh only): `T=name; . tests/render/lib/common.sh`
# from the repository root.
#
# Sets DS (the binary, absolute: DUBSTAGE or build/dubstage) and W (a fresh
# temporary folder, made the working directory, removed at exit after the
# script's own on_exit, if it defines one). Says "not ok" without a binary,
# "skip" without sox (the tests make their media with it). Gives
# ok NAME / notok NAME WHY (notok shows the first lines of $out) and
# has WORD... (every WORD, a fixed string, is in $out; else $missing) and
# expect_failed NAME WORD... (exit status $rc 1, every WORD in $out, and no
# file under out/).
set -u

DS=${DUBSTAGE:-build/dubstage}
case $DS in /*) ;; *) DS=$(pwd)/$DS ;; esac
if [ ! -x "$DS" ]; then
  echo "not ok - $T: no binary at $DS (run make)"
  exit 1
fi
if ! command -v sox >/dev/null 2>&1; then
  echo "skip - $T: sox is not installed (needed to make test media)"
  exit 0
fi

W=$(mktemp -d "${TMPDIR:-/tmp}/dubstage-$T.XXXXXX") || exit 1
common_exit() {
  if command -v on_exit >/dev/null 2>&1; then on_exit; fi
  rm -rf "$W"
}
trap common_exit EXIT
trap 'exit 1' INT TERM
cd "$W" || exit 1

out=
ok() { echo "ok - $1"; }
notok() {
  echo "not ok - $1: $2"
  printf '%s\n' "$out" | sed 's/^/    # /' | head -8
}
has() {
  for w in "$@"; do
    printf '%s\n' "$out" | grep -F -q -e "$w" || { missing=$w; return 1; }
  done
  return 0
}

# expect_failed NAME WORD...: the last run exited ($rc) 1 with every WORD in
# its message ($out) and left no file under out/ (output or temporary).
expect_failed() {
  name=$1
  shift
  if [ $rc -ne 1 ]; then
    notok "$name" "exit status $rc, expected 1"
  elif ! has "$@"; then
    notok "$name" "message lacks '$missing'"
  elif [ -n "$(find out -type f 2>/dev/null)" ]; then
    notok "$name" "files were left: $(find out -type f | head -3)"
  else
    ok "$name"
  fi
}
