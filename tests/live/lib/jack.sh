# jack.sh - a JACK audio server for the realtime tests (sourced, POSIX sh).
#
# The tests play through JACK's dummy backend: a real server with no
# hardware, whose clock runs the PortAudio callback at 48 kHz like a sound
# card would, and whose ports can be recorded with jack_rec. Each test gets
# its own server under a unique name and, where the machine allows, its own
# /dev/shm (jack_private), so tests never meet each other's or a
# developer's JACK.
#
#   . tests/live/lib/jack.sh
#   jack_require "live playback" || exit 0      # skip only if jackd is missing
#   jack_private "live playback" "$0"           # re-runs the test in a JACK world of its own
#   W=$(mktemp -d "${TMPDIR:-/tmp}/dubstage-live.XXXXXX") || exit 1
#   trap 'jack_stop; rm -rf "$W"' EXIT
#   trap 'exit 1' INT TERM
#   jack_start "$W" || { echo "not ok - live playback: $jack_error"; exit 1; }
#   jack_record_playback "$W/rec.wav" 5 || ...  # what reaches system:playback_*
#   ... run the player (PortAudio's JACK host API) ...
#   jack_record_wait || ...                    # jack_rec exits after 5 s
#   (or: jack_record_stop || ...                # ends it once the player has exited)
#   build/tools/wavcmp ref.wav "$W/rec.wav"
#
# What the tests rely on (found on Debian 12: jackd2 1.9.21, PortAudio
# 19.6.0):
# - The server runs with the dummy backend's monitor ports (-m):
#   system:monitor_N carries what is played into system:playback_N. The
#   recorder listens there from before the player starts, so nothing of the
#   start is lost and no hand-shake with the player is needed.
# - PortAudio's JACK host API ("JACK Audio Connection Kit", one device named
#   "system" with as many channels as the server has playback ports) is a
#   client named "PortAudio" (PaJack_SetClientName in pa_jack.h, called
#   before Pa_Initialize, changes it; a second one at the same time becomes
#   "PortAudio-01"). Its ports PortAudio:out_0, out_1, ... (in_0, ... for
#   input) appear at Pa_OpenStream; at Pa_StartStream it connects out_N to
#   system:playback_(N+1) itself.
# - jack_rec (client "jackrec", ports jackrec:input1, ...) writes WAV with
#   signed integer samples; -b 32 is 32-bit PCM: a float sample comes back
#   within 2^-32 (-192 dBFS), exactly when it is a multiple of 2^-31. Its -d
#   takes whole seconds. Killing it (SIGTERM: it closes its client and
#   exits) leaves a file whose header was never finished, its sizes 0, but
#   every frame written so far: jack_record_stop writes the sizes.
# - JACK clients start a default server of their own when they find none;
#   JACK_NO_START_SERVER=1 (exported here) stops that, so a client that
#   misses the test's server fails instead of opening ALSA.
#
# - The server says whose each xrun was, on stderr (its log): "JackEngine::
#   XRun: client = NAME was not finished, state = Triggered" (the client's
#   thread had been woken but had not started by the next cycle) or "...,
#   state = Running" (it was still in its callback); "client NAME finished
#   after current callback"; "JackTimedDriver::Process XRun = N usec" (the
#   server's own thread started a cycle late). Every client hears of every
#   xrun (JACK's xrun callback), and PortAudio's JACK host API passes each
#   one to the stream as paOutputUnderflow, whoever's it was: dubstage's own
#   count is of the server's xruns, not of its own. jack_xruns reads the log.
#
# Functions set jack_error to one line saying what went wrong when they
# return non-zero. JACK_RATE, JACK_PERIOD and JACK_CHANNELS (default 48000,
# 256 and 2) are the server's sample rate, period and number of playback
# (and capture) ports; JACK_VERBOSE=1 makes the server log every client
# request it handles (jackd -v), in the order it handles them.
# shellcheck shell=sh disable=SC2034 # jack_error and JACK_* are for the caller

JACK_PID=
JACK_WATCH_PID=
JACK_GUARD_PID=
JACK_REC_PID=
JACK_SERVER_NAME=
JACK_LOG=
JACK_XRUN_FROM=0
JACK_REC_LOG=
JACK_REC_FILE=
JACK_REC_CHANNELS=0
JACK_REC_T0=
jack_error=
_jack_count=0

# jack_require NAME: returns 0 when jackd is installed; otherwise prints
# "skip - NAME: jackd is not installed" and returns 1. The tools the tests
# drive come with jackd2; one that is missing although jackd is there is a
# broken install, which is a failure, not a skip.
jack_require() {
  if ! command -v jackd >/dev/null 2>&1; then
    echo "skip - $1: jackd is not installed (scripts/install-deps.sh test installs jackd2)"
    return 1
  fi
  for _jt in jack_lsp jack_rec jack_connect; do
    if ! command -v "$_jt" >/dev/null 2>&1; then
      echo "not ok - $1: jackd is installed but $_jt is not"
      return 1
    fi
  done
  return 0
}

# _jack_alive PID: the process exists and is not a zombie (a background job
# that has exited stays visible to kill -0 until the shell waits for it).
_jack_alive() {
  if [ -r "/proc/$1/stat" ]; then
    # the state is the field after "(comm)"
    _js=$(sed 's/^.*) \(.\).*$/\1/' "/proc/$1/stat" 2>/dev/null) || return 1
    [ -n "$_js" ] && [ "$_js" != Z ] && [ "$_js" != X ]
  else
    kill -0 "$1" 2>/dev/null
  fi
}

# _jack_log_tail FILE: the last lines of a log on one line, less jackd's
# copyright banner.
_jack_log_tail() {
  grep -v -E '^(jackdmp [0-9]|Copyright |jackdmp comes with|This is free software|under certain conditions)' "$1" 2>/dev/null |
    tail -3 | tr '\n' ' '
}

# _jack_stop_pid PID: SIGTERM, then SIGKILL after 5 s, and waits for it.
_jack_stop_pid() {
  kill "$1" 2>/dev/null || { wait "$1" 2>/dev/null; return 0; }
  (
    _ji=0
    while [ $_ji -lt 50 ] && kill -0 "$1" 2>/dev/null; do sleep 0.1; _ji=$((_ji + 1)); done
    kill -s KILL "$1" 2>/dev/null
  ) >/dev/null 2>&1 &
  _jw=$!
  wait "$1" 2>/dev/null
  kill "$_jw" 2>/dev/null
  wait "$_jw" 2>/dev/null
  return 0
}

# jack_private NAME SCRIPT [ARG...]: makes the calling test's JACK world its
# own. A unique server name is not enough: jack2 (1.9.21,
# posix/JackSocket.cpp BuildName) puts a client's notification socket at
# /dev/shm/jack_CLIENT_UID_0, named by the client and the user but not by
# the server, and a client that binds it first unlinks whatever is there
# (and unlinks it again once its server has connected). Two tests running
# at once on one machine (two `make test` side by side, a test beside a
# developer's `dubstage play`) thus take each other's "dubstage", "jackrec"
# and "lsp" sockets: a server finds no socket or another server's client
# ("Cannot connect to server socket err = No such file or directory",
# "NotifyAddClient new_client fails": `dubstage play` then says "no output
# device 'JACK'"), and a client can be handed the other server's
# notifications. jack_private re-runs SCRIPT (with the ARGs) in a mount
# namespace with a private /dev/shm, where JACK keeps its sockets, shared
# memory and semaphores: as root, or as a user where unprivileged user
# namespaces are allowed. Elsewhere it waits (15 minutes at most) for a lock
# that every live test of this user takes, so they at least take turns. In
# the re-run (or with the lock held) it prints one check line saying which,
# and fails when the namespace's /dev/shm is the machine's.
# DUBSTAGE_JACK_PRIVATE (set for the re-run) holds the machine's /dev/shm as
# device:inode.
jack_private() {
  _jpn=$1
  shift
  if [ -n "${DUBSTAGE_JACK_PRIVATE:-}" ]; then
    if [ "$(stat -c %d:%i /dev/shm)" = "$DUBSTAGE_JACK_PRIVATE" ]; then
      echo "not ok - $_jpn: JACK's /dev/shm is still the machine's in the test's mount namespace"
      exit 1
    fi
    echo "ok - $_jpn: JACK's sockets and shared memory are private to this test (a /dev/shm of its own)"
    return 0
  fi
  _jshm=$(stat -c %d:%i /dev/shm 2>/dev/null)
  if [ -n "$_jshm" ] && [ -r "$1" ] && command -v unshare >/dev/null 2>&1; then
    for _jopt in --mount "--mount --map-root-user"; do
      # shellcheck disable=SC2086 # the options, split on purpose
      if unshare $_jopt sh -c 'mount -t tmpfs -o mode=1777 dubstage-jack /dev/shm' >/dev/null 2>&1; then
        DUBSTAGE_JACK_PRIVATE=$_jshm
        export DUBSTAGE_JACK_PRIVATE
        # shellcheck disable=SC2086
        exec unshare $_jopt sh -c 'mount -t tmpfs -o mode=1777 dubstage-jack /dev/shm && exec sh "$@"' sh "$@"
      fi
    done
  fi
  exec 9>"${TMPDIR:-/tmp}/dubstage-jack-$(id -u).lock"
  if ! flock -w 900 9; then
    echo "not ok - $_jpn: no mount namespace for a private /dev/shm, and another live test held the lock for 15 minutes"
    exit 1
  fi
  echo "ok - $_jpn: no mount namespace for a private /dev/shm here: the live tests of this user take turns (lock ${TMPDIR:-/tmp}/dubstage-jack-$(id -u).lock)"
}

# jack_start DIR: starts a dummy-backend server with monitor ports under a
# unique name, logging to DIR/jackd.log, and waits (10 s at most) until it
# answers jack_lsp. A server this library started before is stopped first.
# Exports JACK_DEFAULT_SERVER so that every JACK client started afterwards
# (PortAudio's JACK host API, jack_rec, jack_lsp, jack_connect) uses it.
# The server and the recorder are the test's instruments: where the test
# may (root, CAP_SYS_NICE, an rtprio limit) they run ahead of the machine's
# other work, so that they do not miss a cycle that dubstage did not. On a
# busy machine the kernel can leave an ordinary thread waiting longer than a
# period (21 ms): measured, docs/live.md "Scheduling". nice -10 (inherited
# by every thread they start) does little there, since with the kernel's
# session groups (autogroup) it ranks threads only against their own
# session's; realtime priority does, but JACK starts its threads with
# explicit ordinary scheduling when the server runs without realtime, so it
# is given to each thread once they are all running.
#
# _jack_nice: "nice -n -10" where the test may lower a nice value, else "".
_jack_nice() {
  if [ "$(nice -n -10 nice 2>/dev/null)" = "$(($(nice) - 10))" ]; then
    echo "nice -n -10"
  fi
}

# _jack_realtime PID PRIO: every thread of PID at SCHED_FIFO PRIO where the
# test may; quietly nothing where it may not.
_jack_realtime() {
  command -v chrt >/dev/null 2>&1 && chrt -a -f -p "$2" "$1" >/dev/null 2>&1
  return 0
}

jack_start() {
  jack_stop # one server a test at a time
  _jack_count=$((_jack_count + 1))
  JACK_SERVER_NAME="dubstage-test-$$-$_jack_count"
  JACK_LOG="$1/jackd.log"
  JACK_XRUN_FROM=0
  JACK_DEFAULT_SERVER=$JACK_SERVER_NAME
  JACK_NO_START_SERVER=1
  export JACK_DEFAULT_SERVER JACK_NO_START_SERVER
  # --no-realtime, as the brief asks: the server does not ask for realtime
  # and tells its clients not to. The test raises the server's threads where
  # it may (above: nice -10 now, realtime 20 once it answers). dubstage is
  # not raised by the test: its callback's thread asks for realtime itself
  # (vm/live.c), as it would on a user's machine, and its callbacks' cost is
  # what the tests judge.
  # shellcheck disable=SC2046 # a command prefix, split on purpose
  # The log goes through build/tools/stallwatch: each line stamped with its
  # time, and the machine's own stalls written in between (jack_xruns).
  _jack_out=$JACK_LOG
  if [ -x "${BUILD:-build}/tools/stallwatch" ] && rm -f "$1/jackd.fifo" && mkfifo "$1/jackd.fifo"; then
    "${BUILD:-build}/tools/stallwatch" <"$1/jackd.fifo" >"$JACK_LOG" 2>&1 &
    JACK_WATCH_PID=$!
    _jack_out=$1/jackd.fifo
  fi
  $(_jack_nice) jackd ${JACK_VERBOSE:+-v} --no-realtime -n "$JACK_SERVER_NAME" -d dummy -r "${JACK_RATE:-48000}" -p "${JACK_PERIOD:-256}" \
    -m -C "${JACK_CHANNELS:-2}" -P "${JACK_CHANNELS:-2}" >"$_jack_out" 2>&1 </dev/null &
  JACK_PID=$!
  # A test shell killed by a signal it does not trap (or by SIGKILL) runs no
  # EXIT trap: this guard stops its server then, so none is left behind.
  (
    trap '' INT TERM
    while _jack_alive $$; do sleep 1; done
    kill "$JACK_PID" 2>/dev/null
  ) >/dev/null 2>&1 </dev/null &
  JACK_GUARD_PID=$!
  _ji=0
  while [ $_ji -lt 100 ]; do
    if ! _jack_alive "$JACK_PID"; then
      jack_error="jackd exited at start: $(_jack_log_tail "$JACK_LOG")"
      jack_stop
      return 1
    fi
    if jack_lsp >/dev/null 2>&1; then
      _jack_realtime "$JACK_PID" 20
      return 0
    fi
    sleep 0.1
    _ji=$((_ji + 1))
  done
  jack_error="jackd '$JACK_SERVER_NAME' did not answer within 10 s (log: $(_jack_log_tail "$JACK_LOG"))"
  jack_stop
  return 1
}

# jack_stop: stops the recorder if one runs, then the server, and waits for
# both. Safe to call twice and when nothing was started: meant for the EXIT
# trap.
jack_stop() {
  if [ -n "$JACK_REC_PID" ]; then
    _jack_stop_pid "$JACK_REC_PID"
    JACK_REC_PID=
  fi
  if [ -n "$JACK_GUARD_PID" ]; then
    kill -s KILL "$JACK_GUARD_PID" 2>/dev/null
    wait "$JACK_GUARD_PID" 2>/dev/null
    JACK_GUARD_PID=
  fi
  if [ -n "$JACK_PID" ]; then
    _jack_stop_pid "$JACK_PID"
    JACK_PID=
  fi
  if [ -n "$JACK_WATCH_PID" ]; then
    wait "$JACK_WATCH_PID" 2>/dev/null # ends with the server's output
    JACK_WATCH_PID=
  fi
  return 0
}

# jack_wait_port PATTERN TIMEOUT: waits until a port whose full name
# matches the extended regular expression PATTERN is listed by jack_lsp,
# TIMEOUT seconds (whole) at most.
jack_wait_port() {
  _ji=0
  while [ $_ji -lt $(($2 * 10)) ]; do
    if jack_lsp 2>/dev/null | grep -E -q -e "$1"; then
      return 0
    fi
    sleep 0.1
    _ji=$((_ji + 1))
  done
  jack_error="no port matching '$1' after $2 s (ports: $(jack_lsp 2>/dev/null | tr '\n' ' '))"
  return 1
}

# jack_record FILE SECONDS PORT...: records the ports, one channel each, to
# FILE as 32-bit integer WAV for SECONDS (whole seconds) with jack_rec in the
# background; returns once jack_rec's inputs are connected, that is once the
# recording runs (10 s at most). Its output goes to FILE.log.
jack_record() {
  _jf=$1 _jd=$2
  shift 2
  case $_jd in
    '' | *[!0-9]*) jack_error="jack_record: SECONDS must be a whole number (jack_rec -d), got '$_jd'"; return 1 ;;
  esac
  JACK_REC_LOG="$_jf.log"
  JACK_REC_FILE=$_jf
  JACK_REC_CHANNELS=$#
  # the recorder, like the server, ahead of other work where the test may
  # (nice -10 now, realtime 15, below the server, once it records)
  # shellcheck disable=SC2046 # a command prefix, split on purpose
  # -B: a ring buffer of 262,144 frames (5.5 s at 48 kHz) between its JACK
  # callback and the thread that writes the file, not jack_rec's 16,384
  # (0.34 s): a writer held up longer than that on a loaded machine drops
  # whole cycles of the recording, silently when the recorder is stopped by
  # jack_record_stop
  $(_jack_nice) jack_rec -f "$_jf" -d "$_jd" -b 32 -B 262144 "$@" >"$JACK_REC_LOG" 2>&1 </dev/null &
  JACK_REC_PID=$!
  # jack_rec connects its last input after all the others; recording starts
  # right after that
  _jlast="jackrec:input$#"
  _ji=0
  while [ $_ji -lt 100 ]; do
    if ! _jack_alive "$JACK_REC_PID"; then
      wait "$JACK_REC_PID" 2>/dev/null
      JACK_REC_PID=
      jack_error="jack_rec exited at start: $(tail -3 "$JACK_REC_LOG" | tr '\n' ' ')"
      return 1
    fi
    # the time before a look that finds it connected: the recording began
    # after it, or at most one pause before (jack_record_stop counts from it)
    _jt=$(date +%s.%N)
    if [ "$(jack_lsp -c "$_jlast" 2>/dev/null | wc -l)" -ge 2 ]; then
      JACK_REC_T0=$_jt
      _jack_realtime "$JACK_REC_PID" 15
      return 0
    fi
    sleep 0.1
    _ji=$((_ji + 1))
  done
  jack_error="jack_rec's inputs were not connected within 10 s"
  return 1
}

# jack_record_playback FILE SECONDS: jack_record of system:monitor_1 ... N,
# that is of everything played to the server's outputs, one channel each.
jack_record_playback() {
  _jf=$1 _jd=$2
  set --
  _ji=1
  while [ $_ji -le "${JACK_CHANNELS:-2}" ]; do
    set -- "$@" "system:monitor_$_ji"
    _ji=$((_ji + 1))
  done
  jack_record "$_jf" "$_jd" "$@"
}

# jack_record_wait [TIMEOUT]: waits for the recording started by
# jack_record to end (TIMEOUT seconds at most, default 30); returns
# jack_rec's exit status, or 1 when it had to be stopped.
jack_record_wait() {
  if [ -z "$JACK_REC_PID" ]; then
    jack_error="jack_record_wait: no recording runs"
    return 1
  fi
  _ji=0
  while [ $_ji -lt $((${1:-30} * 10)) ] && _jack_alive "$JACK_REC_PID"; do
    sleep 0.1
    _ji=$((_ji + 1))
  done
  if _jack_alive "$JACK_REC_PID"; then
    _jack_stop_pid "$JACK_REC_PID"
    JACK_REC_PID=
    jack_error="jack_rec still running after ${1:-30} s: stopped"
    return 1
  fi
  wait "$JACK_REC_PID"
  _jrc=$?
  JACK_REC_PID=
  if [ $_jrc -ne 0 ]; then
    jack_error="jack_rec exited with status $_jrc: $(tail -3 "$JACK_REC_LOG" | tr '\n' ' ')"
  fi
  return $_jrc
}

# jack_record_stop [SETTLE]: ends the recording started by jack_record as
# soon as the file holds everything played up to now and SETTLE seconds
# more (default 0.3): for a caller whose player has exited, so that the
# recorder's SECONDS is only a limit and no test waits it out. jack_rec has
# no early stop of its own: on SIGTERM it closes its JACK client and exits
# without closing the file, leaving the WAV header's sizes as libsndfile
# wrote them at the start (0); they are written here from the file's length
# (_jack_wav_finish). A recorder that reached SECONDS first has finished its
# file itself and its exit status is returned (an overrun fails it). Returns
# 1 (jack_error set) when no recording runs or the file did not grow that far
# within 10 s.
jack_record_stop() {
  if [ -z "$JACK_REC_PID" ]; then
    jack_error="jack_record_stop: no recording runs"
    return 1
  fi
  # bytes the file must hold: the header (44 bytes from libsndfile; the
  # search for the data chunk below does not rely on it) and 32-bit samples
  # from the recording's start to now + SETTLE
  _jwant=$(awk -v a="$JACK_REC_T0" -v b="$(date +%s.%N)" -v s="${1:-0.3}" -v r="${JACK_RATE:-48000}" \
    -v c="$JACK_REC_CHANNELS" 'BEGIN { printf "%.0f", 44 + (b - a + s) * r * 4 * c }')
  _ji=0
  while _jack_alive "$JACK_REC_PID"; do
    [ "$(wc -c <"$JACK_REC_FILE" 2>/dev/null || echo 0)" -ge "$_jwant" ] && break
    _ji=$((_ji + 1))
    if [ $_ji -gt 200 ]; then
      _jack_stop_pid "$JACK_REC_PID"
      JACK_REC_PID=
      jack_error="the recording did not reach $_jwant bytes within 10 s (jack_rec: $(tail -2 "$JACK_REC_LOG" | tr '\n' ' '))"
      return 1
    fi
    sleep 0.05
  done
  if ! _jack_alive "$JACK_REC_PID"; then
    wait "$JACK_REC_PID"
    _jrc=$?
    JACK_REC_PID=
    [ $_jrc -ne 0 ] && jack_error="jack_rec exited with status $_jrc: $(tail -3 "$JACK_REC_LOG" | tr '\n' ' ')"
    return $_jrc
  fi
  _jack_stop_pid "$JACK_REC_PID"
  JACK_REC_PID=
  _jack_wav_finish "$JACK_REC_FILE" $((4 * JACK_REC_CHANNELS))
}

# _jack_wav_finish FILE BLOCK_ALIGN: writes the RIFF and data chunk sizes of
# a WAV file whose writer never closed it, from its length: whole frames of
# BLOCK_ALIGN bytes (a last frame half written stays outside the chunk).
_jack_wav_finish() {
  _jsize=$(wc -c <"$1")
  _joff=$(head -c 4096 "$1" | grep -obUaF data | head -1 | cut -d: -f1)
  if [ -z "$_joff" ] || [ "$_jsize" -lt $((_joff + 8)) ]; then
    jack_error="$1: no data chunk in its header"
    return 1
  fi
  _jdata=$(((_jsize - _joff - 8) / $2 * $2))
  _jack_le32 "$1" 4 $((_joff + _jdata)) && _jack_le32 "$1" $((_joff + 4)) "$_jdata"
}

# _jack_le32 FILE OFFSET VALUE: VALUE as 4 little-endian bytes at OFFSET.
_jack_le32() {
  # shellcheck disable=SC2059 # the format is the bytes, as octal escapes
  printf "$(printf '\\%03o\\%03o\\%03o\\%03o' $(($3 & 255)) $(($3 >> 8 & 255)) $(($3 >> 16 & 255)) $(($3 >> 24 & 255)))" |
    dd of="$1" bs=1 seek="$2" conv=notrunc 2>/dev/null
}

# jack_xrun_mark: from here on jack_xruns counts (the server's log so far is
# left out: one server may serve several runs of dubstage).
jack_xrun_mark() {
  JACK_XRUN_FROM=$(wc -l <"$JACK_LOG" 2>/dev/null || echo 0)
}

# jack_xruns CLIENT: the server's own account of its xruns since
# jack_xrun_mark (or its start), from its log. The log says, per cycle that
# failed: first "JackTimedDriver::Process XRun" if the server itself started
# it late, then a line for each client not finished, then "Process error";
# stallwatch stamps each line with its time and adds the machine's stalls
# ("stall cpu N D ms": no realtime thread ran there for D ms). Sets
#   jack_xruns_client  xruns the server puts on CLIENT (a JACK client name,
#                      "dubstage"; "dubstage-01" counts too) in cycles the
#                      machine ran: it was still in its callback when the
#                      next cycle began ("Running"), or its thread had not
#                      started ("Triggered")
#   jack_xruns_stalled the same in cycles in which the machine itself stopped:
#                      the server too began the next one late, or stallwatch
#                      saw CPUs stand still for at least half the period.
#                      Then nothing could run, and a callback caught by the
#                      stall in its middle is still running when the server,
#                      woken at the same moment, looks. A callback slow by
#                      its own doing is caught apart: its time, measured by
#                      dubstage, counts it late (jack_judge_xruns fails it)
#   jack_xruns_others  xruns it puts on any other client (the recorder)
#   jack_xruns_server  cycles the server itself started late
#   jack_xruns_stalls  the machine's stalls over 5 ms (stallwatch)
#   jack_xruns_said    all that in words, for a check line
jack_xruns() {
  eval "$(tail -n +"$((${JACK_XRUN_FROM:-0} + 1))" "$JACK_LOG" 2>/dev/null | awk -v me="$1" \
    -v period="$(awk -v p="${JACK_PERIOD:-256}" -v r="${JACK_RATE:-48000}" 'BEGIN { print p / r }')" '
    function mine(name) { return name == me || substr(name, 1, length(me) + 1) == me "-" }
    { n++; line[n] = $0; t[n] = ($1 ~ /^[0-9]+\.[0-9]+$/) ? $1 + 0 : -1 }
    / stall cpu [0-9]+ [0-9.]+ ms$/ { ns++; s_end[ns] = t[n]; s_len[ns] = $(NF - 1) / 1000
      if ($(NF - 1) > worst) worst = $(NF - 1) }
    END {
      for (i = 1; i <= n; i++) {
        l = line[i]
        if (l ~ /JackTimedDriver::Process XRun = /) { s++; late = 1; continue }
        if (l ~ /Process error/) { late = 0; continue }
        if (l ~ / was not finished, state = /) {
          name = l; sub(/^.*client = /, "", name); sub(/ was not finished.*$/, "", name)
          st = l; sub(/^.*state = /, "", st)
          if (!mine(name)) { o++; os[name " " st]++; continue }
          # the cycle it missed: from the period before this line to it
          still = 0
          for (k = 1; k <= ns && t[i] >= 0; k++) {
            a = s_end[k] - s_len[k]; b = s_end[k]
            if (a < t[i] - period) a = t[i] - period
            if (b > t[i]) b = t[i]
            if (b > a) still += b - a
          }
          if (late || still >= period / 2) stalled++
          else { c++; cs[st]++ }
          continue
        }
        if (l ~ / finished after current callback/) {
          name = l; sub(/^.*client /, "", name); sub(/ finished after.*$/, "", name)
          if (mine(name)) { c++; cs["finished late"]++ } else { o++; os[name " finished late"]++ }
        }
      }
      said = sprintf("the server log puts %d on %s", c, me)
      sep = " ("; for (k in cs) { said = said sep cs[k] " " k; sep = ", " } if (c) said = said ")"
      said = said sprintf(", %d on %s in cycles the machine stalled, %d on other clients", stalled, me, o)
      sep = " ("; for (k in os) { said = said sep os[k] " " k; sep = ", " } if (o) said = said ")"
      said = said sprintf(", %d late cycles of the server; %d machine stalls over 5 ms", s, ns)
      if (ns) said = said sprintf(" (worst %s ms)", worst)
      printf "jack_xruns_client=%d jack_xruns_stalled=%d jack_xruns_others=%d jack_xruns_server=%d jack_xruns_stalls=%d jack_xruns_said=\"%s\"\n", c, stalled, o, s, ns, said
    }')"
}

# jack_judge_xruns NAME REPORT: one check line for a run of dubstage whose
# exit report is REPORT ("ran 20.02 s: N xruns, L late callbacks[ (H held
# up ...)], U disk underruns (frames)[; M more while idle ...]"), judged with
# the server's log since jack_xrun_mark. ok when dubstage caused no dropout:
# none of its callbacks took longer than its period by its own work (a late
# callback whose thread used under half the period of CPU was held up, not
# working: excused only when the machine stalled at least as many times,
# stallwatch's account), no disk underrun, the server puts
# no xrun on dubstage (jack_xruns: a cycle that the whole machine missed is
# not dubstage's), and
# every xrun dubstage heard of is one the server explains otherwise (an xrun
# dubstage counted that the log does not explain fails). Others' xruns are
# said in the line, not hidden.
jack_judge_xruns() {
  jack_xruns dubstage
  _jn=$(printf '%s\n' "$2" | sed -n 's/^ran [0-9.]* s: \([0-9]*\) xruns.*/\1/p')
  _jl=$(printf '%s\n' "$2" | sed -n 's/^.* \([0-9]*\) late callbacks.*/\1/p')
  _ju=$(printf '%s\n' "$2" | sed -n 's/^.* \([0-9]*\) disk underruns.*/\1/p')
  _jh=$(printf '%s\n' "$2" | sed -n 's/^.* late callbacks (\([0-9]*\) held up.*/\1/p')
  _ji=$(printf '%s\n' "$2" | sed -n 's/^.*; \([0-9]*\) more while idle.*/\1/p')
  if [ -z "$_jn" ] || [ -z "$_jl" ] || [ -z "$_ju" ]; then
    echo "not ok - $1: no report from dubstage (got '$2')"
  elif [ $((_jl - ${_jh:-0})) -gt 0 ] || [ "$_ju" -gt 0 ] || [ "$jack_xruns_client" -gt 0 ]; then
    echo "not ok - $1: dubstage caused a dropout: $2; $jack_xruns_said"
  elif [ "${_jh:-0}" -gt "$jack_xruns_stalls" ]; then
    echo "not ok - $1: dubstage's callback was held up more often than the machine stalled: $2; $jack_xruns_said"
  elif [ $((_jn + ${_ji:-0})) -gt 0 ] && [ $((jack_xruns_stalled + jack_xruns_others + jack_xruns_server)) -eq 0 ]; then
    echo "not ok - $1: dubstage heard of xruns the server's log does not explain: $2; $jack_xruns_said"
  else
    echo "ok - $1: no xrun caused by dubstage: $2; $jack_xruns_said"
  fi
}

# live_prelude NAME TAG: the set-up every realtime test shares: exits (ok)
# when jackd is missing, re-runs the test in a JACK world of its own
# (jack_private: the test takes no arguments), fails when a binary ($RT, $DS, $WAVCMP) is not
# built, makes the demo media if needed and sets media to their folder, and
# W to a fresh work folder (dubstage-TAG.XXXXXX) removed at exit with the
# server (KEEP=1 keeps it).
live_prelude() {
  jack_require "$1" || exit 0
  jack_private "$1" "$0"
  for _b in "$RT" "$DS" "$WAVCMP"; do
    [ -x "$_b" ] || { echo "not ok - $1: no binary at $_b (run make)"; exit 1; }
  done
  if [ ! -d scripts/media/dx ]; then
    scripts/make-demo-media.sh >/dev/null 2>&1 || { echo "not ok - $1: demo media could not be made"; exit 1; }
  fi
  media=$(cd scripts/media && pwd)
  W=$(mktemp -d "${TMPDIR:-/tmp}/dubstage-$2.XXXXXX") || exit 1
  trap 'jack_stop; [ -n "${KEEP:-}" ] || rm -rf "$W"' EXIT
  trap 'exit 1' INT TERM
}
