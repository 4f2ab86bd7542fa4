# pieces.sh - a recording compared with a render piece by piece (sourced,
# POSIX sh; needs sox and WAVCMP, build/tools/wavcmp).
#
# A cycle the audio server dropped (an xrun: the server's, the recorder's,
# or the whole machine's, tests/live/lib/jack.sh) leaves a gap in the
# recording, and a comparison of the whole recording fails there whatever
# dubstage played. Compared in pieces, such a gap spoils the piece it falls
# in and no other: every piece found is still exactly the render.

# pieces REF REC FROM DUR PIECE DIR [TOLERANCE]: cuts REF's FROM..FROM+DUR
# (seconds) into PIECE-second pieces (files in DIR) and looks for each in REC,
# anywhere (wavcmp --search), within TOLERANCE dBFS (default -120, wavcmp's
# own); sets pieces_found and pieces_lost.
pieces() {
  pieces_found=0 pieces_lost=0
  for _pt in $(awk -v a="$3" -v d="$4" -v p="$5" 'BEGIN { for (t = 0; t + p <= d + 1e-9; t += p) printf "%.3f\n", a + t }'); do
    sox -V1 "$1" "$6/piece.wav" trim "$_pt" "$5"
    if "$WAVCMP" "$6/piece.wav" "$2" --search "${PIECES_SEARCH:-30}" --tolerance "${7:--120}" >"$6/piece.out" 2>&1; then
      pieces_found=$((pieces_found + 1))
    else
      pieces_lost=$((pieces_lost + 1))
    fi
  done
}

# live_compare NAME REF REC SECONDS SEARCH SAID: one check line for a
# recording REC of SECONDS of REF played live, after jack_judge_xruns (its
# jack_xruns_* say whose the dropped cycles were). ok when REC holds REF's
# first SECONDS exactly (wavcmp --length; SAID is the ok line's words). The
# server dropped cycles that were not dubstage's: the recording has a gap for
# each, and then REF in 1 s pieces, each found exactly in REC's first SEARCH
# seconds, at most two spoilt by each dropped cycle and at least half found.
# A difference with no dropped cycle to explain it fails.
live_compare() {
  if "$WAVCMP" "$2" "$3" --length "$4" >"${3%.wav}.cmp" 2>&1; then
    echo "ok - $1: $6 ($(tr '\n' ' ' <"${3%.wav}.cmp"))"
    return 0
  fi
  _lenv=$((jack_xruns_stalled + jack_xruns_others + jack_xruns_server))
  if [ "$_lenv" -gt 0 ]; then
    PIECES_SEARCH=$5 pieces "$2" "$3" 0 "$4" 1 "$(dirname "$3")"
    if [ "$pieces_lost" -le $((2 * _lenv)) ] && [ "$pieces_found" -ge $(($4 / 2)) ]; then
      echo "ok - $1: $6 but for the server's $_lenv dropped cycles, not dubstage's: $pieces_found of $((pieces_found + pieces_lost)) pieces of 1 s found exactly ($(tr '\n' ' ' <"${3%.wav}.cmp" | cut -c1-120))"
      return 0
    fi
    echo "not ok - $1: the recording differs from the offline render: $pieces_lost of $((pieces_found + pieces_lost)) pieces of 1 s not found, with $_lenv cycles dropped by others ($jack_xruns_said): $(tr '\n' ' ' <"${3%.wav}.cmp")"
    return 1
  fi
  echo "not ok - $1: the recording differs from the offline render with no dropped cycle to explain it ($jack_xruns_said): $(tr '\n' ' ' <"${3%.wav}.cmp")"
  return 1
}
