# chromium.sh - headless Chromium for the tests of HTML pages (the QC
# report, the conform report). Sourced after common.sh (uses $W).
#
# chromium_run LOG ARGS... : Debian's chromium, headless, with a profile (and
# a HOME) of its own made fresh each run, its log (console lines included)
# in LOG. console_lines LOG: the page's console messages in that log.
# console_control: the check that the console is seen at all (a page that
# logs "boom" must show it), as an ok / not ok line.
# chromium_run LOG ARGS... : headless, a profile (and a HOME) of its own, its log in LOG
chromium_run() {
  log=$1; shift
  profile=$(mktemp -d "$W/profile.XXXXXX")
  HOME=$profile XDG_CONFIG_HOME=$profile XDG_CACHE_HOME=$profile timeout 120 chromium --headless --disable-gpu --no-sandbox --no-first-run --user-data-dir="$profile" \
    --hide-scrollbars --force-device-scale-factor=1 --enable-logging=stderr --v=0 "$@" 2>"$log"
  st=$?
  rm -rf "$profile"
  return $st
}
console_lines() { grep -F ':CONSOLE' "$1"; }
console_control() {
  printf '<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><title>x</title></head><body>
<script>console.error("boom")</script></body></html>\n' >boom.html
  chromium_run boom.log --dump-dom "file://$W/boom.html" >/dev/null
  if console_lines boom.log | grep -q boom; then
    ok "the console check sees a page's console.error (the control)"
  else
    notok "the console check sees a page's console.error" "no CONSOLE line in chromium's log: $(tail -3 boom.log)"
  fi
}
