# conform_cuts.sh - the EDL pair of the re-conform tests (conform.sh,
# conform_html.sh; tests/unit/test_conform.c has the same): six 4-second
# shots A001-A006 at 01:00:00:00 (v5.edl); the new cut (v6.edl) inserts a
# 2 s shot B001 after A001, deletes A003, trims 1 s off A004's head, moves
# A006 before A005 and brings A005 in on a 12-frame dissolve. Sourced in
# the test's folder; CLIP_A002, when set, is written as A002's clip name in both.
edl_event() { # NUMBER REEL TRANSITION SRC_IN SRC_OUT REC_IN REC_OUT
  printf '%s  %-8s AA/V  %-8s %s %s %s %s\n' "$@"
  if [ "$2" = A002 ] && [ -n "${CLIP_A002:-}" ]; then printf '* FROM CLIP NAME: %s\n' "$CLIP_A002"; fi
}
{
  printf 'TITLE: REEL 1 V5\nFCM: NON-DROP FRAME\n'
  for k in 1 2 3 4 5 6; do
    edl_event 00$k A00$k C 1$((k - 1)):00:00:00 1$((k - 1)):00:04:00 \
      01:00:$(printf %02d $((4 * k - 4))):00 01:00:$(printf %02d $((4 * k))):00
  done
} > v5.edl
{
  printf 'TITLE: REEL 1 V6\nFCM: NON-DROP FRAME\n'
  edl_event 001 A001 C 10:00:00:00 10:00:04:00 01:00:00:00 01:00:04:00
  edl_event 002 B001 C 20:00:00:00 20:00:02:00 01:00:04:00 01:00:06:00
  edl_event 003 A002 C 11:00:00:00 11:00:04:00 01:00:06:00 01:00:10:00
  edl_event 004 A004 C 13:00:01:00 13:00:04:00 01:00:10:00 01:00:13:00
  edl_event 005 A006 C 15:00:00:00 15:00:04:00 01:00:13:00 01:00:17:00
  edl_event 006 A006 C 15:00:04:00 15:00:04:00 01:00:17:00 01:00:17:00
  edl_event 006 A005 "D    012" 14:00:00:00 14:00:04:00 01:00:17:00 01:00:21:00
} > v6.edl
