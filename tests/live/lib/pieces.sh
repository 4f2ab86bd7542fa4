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
