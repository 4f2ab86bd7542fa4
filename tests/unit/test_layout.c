/* test_layout.c - vm/layout against the tables written in docs/layouts.md
 * and the WAVE_FORMAT_EXTENSIBLE speaker bits of Microsoft's ksmedia.h
 * (SPEAKER_FRONT_LEFT 0x1, FRONT_RIGHT 0x2, FRONT_CENTER 0x4,
 * LOW_FREQUENCY 0x8, BACK_LEFT 0x10, BACK_RIGHT 0x20, SIDE_LEFT 0x200,
 * SIDE_RIGHT 0x400), typed in here rather than taken from the code:
 *   - parse: every layout word (any case), did-you-mean on a wrong one;
 *   - channel counts, speakers, names, masks (5.1 0x60F, 7.1 0x63F);
 *   - file order: 7.1 written L R C LFE Lrs Rrs Lss Rss, the others as
 *     they are;
 *   - a file's mask mapped onto a track's layout: 7.1 in bit order comes
 *     back in dubstage's order, a 5.1(back) file fits a 5.1 track, a 6.0
 *     file does not, a mask of 0 plays as it is;
 *   - BS.1770 weights: LFE 0, surrounds 1.41, the rest 1. */
#include "vm/layout.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

#include "tests/check.h"

static void test_parse(void)
{
    static const struct { const char *word; vm_layout l; int ch; } ok[] = {
        {"mono", VM_LAYOUT_MONO, 1}, {"stereo", VM_LAYOUT_STEREO, 2}, {"LCR", VM_LAYOUT_LCR, 3},
        {"lcr", VM_LAYOUT_LCR, 3}, {"5.0", VM_LAYOUT_5_0, 5}, {"5.1", VM_LAYOUT_5_1, 6},
        {"7.1", VM_LAYOUT_7_1, 8}, {"Stereo", VM_LAYOUT_STEREO, 2}};
    char err[DS_ERR_LEN], name[96];
    for (size_t i = 0; i < sizeof ok / sizeof ok[0]; i++) {
        vm_layout l = VM_LAYOUT_PLAIN;
        snprintf(name, sizeof name, "parse '%s'", ok[i].word);
        check(vm_layout_parse(ok[i].word, &l, err) == DS_OK && l == ok[i].l, name, "%s", err);
        snprintf(name, sizeof name, "'%s' has %d channels", ok[i].word, ok[i].ch);
        check_int(vm_layout_channels(l), ok[i].ch, name);
    }
    vm_layout l;
    check(vm_layout_parse("5,1", &l, err) == DS_ERR_ARG && strstr(err, "did you mean '5.1'") &&
              strstr(err, "mono stereo LCR 5.0 5.1 7.1"),
          "'5,1' is refused with did you mean '5.1' and the list", "%s", err);
    check(vm_layout_parse("steero", &l, err) == DS_ERR_ARG && strstr(err, "did you mean 'stereo'"),
          "'steero' suggests 'stereo'", "%s", err);
    check(vm_layout_parse("quadraphonic", &l, err) == DS_ERR_ARG && !strstr(err, "did you mean"),
          "'quadraphonic' is refused without a suggestion", "%s", err);
    check(vm_layout_parse("plain", &l, err) == DS_ERR_ARG, "'plain' is not a word to declare", "%s", err);
}

static void test_tables(void)
{
    check_int(vm_layout_resolve(VM_LAYOUT_PLAIN, 1), VM_LAYOUT_MONO, "1 plain channel is mono");
    check_int(vm_layout_resolve(VM_LAYOUT_PLAIN, 2), VM_LAYOUT_STEREO, "2 plain channels are stereo");
    check_int(vm_layout_resolve(VM_LAYOUT_PLAIN, 6), VM_LAYOUT_PLAIN, "6 plain channels stay plain");
    check_int(vm_layout_resolve(VM_LAYOUT_5_1, 6), VM_LAYOUT_5_1, "a declared 5.1 stays 5.1");

    static const struct { vm_layout l; unsigned mask; const char *names; } t[] = {
        {VM_LAYOUT_MONO, 0x4, "M"}, {VM_LAYOUT_STEREO, 0x3, "L R"}, {VM_LAYOUT_LCR, 0x7, "L R C"},
        {VM_LAYOUT_5_0, 0x607, "L R C Ls Rs"}, {VM_LAYOUT_5_1, 0x60F, "L R C LFE Ls Rs"},
        {VM_LAYOUT_7_1, 0x63F, "L R C LFE Lss Rss Lrs Rrs"}, {VM_LAYOUT_PLAIN, 0, "6 plain channels"}};
    char name[128], buf[128];
    for (size_t i = 0; i < sizeof t / sizeof t[0]; i++) {
        snprintf(name, sizeof name, "%s: mask 0x%X", vm_layout_name(t[i].l), t[i].mask);
        check_int(vm_layout_mask(t[i].l), t[i].mask, name);
        vm_layout_describe(t[i].l, t[i].l == VM_LAYOUT_PLAIN ? 6 : vm_layout_channels(t[i].l), buf, sizeof buf);
        snprintf(name, sizeof name, "%s: channels %s", vm_layout_name(t[i].l), t[i].names);
        check(strcmp(buf, t[i].names) == 0, name, "got '%s'", buf);
    }
    check_int(vm_layout_speaker(VM_LAYOUT_7_1, 4), VM_SPEAKER_LS, "7.1 channel 5 (Lss) is the side left (bit 9)");
    check_int(vm_layout_speaker(VM_LAYOUT_7_1, 6), VM_SPEAKER_LRS, "7.1 channel 7 (Lrs) is the back left (bit 4)");
    check_int(vm_layout_channel_of(VM_LAYOUT_5_1, VM_SPEAKER_LFE), 3, "5.1's LFE is channel 4");
    check_int(vm_layout_channel_of(VM_LAYOUT_5_0, VM_SPEAKER_LFE), -1, "5.0 has no LFE");
    check_int(vm_layout_channel_of(VM_LAYOUT_5_1, VM_SPEAKER_LRS), -1, "5.1 has no rear surround");
    check_int(vm_layout_speaker(VM_LAYOUT_PLAIN, 0), VM_SPEAKER_NONE, "a plain channel feeds no speaker");
    check(strcmp(vm_layout_channel_name(VM_LAYOUT_PLAIN, 2, buf, 12), "3") == 0, "plain channel 3 is named 3",
          "%s", buf);
}

static void test_file_order(void)
{
    int order[8];
    static const int want71[8] = {0, 1, 2, 3, 6, 7, 4, 5}; /* L R C LFE Lrs Rrs Lss Rss */
    vm_layout_file_order(VM_LAYOUT_7_1, 8, order);
    check(memcmp(order, want71, sizeof want71) == 0, "7.1 is written L R C LFE Lrs Rrs Lss Rss",
          "got %d %d %d %d %d %d %d %d", order[0], order[1], order[2], order[3], order[4], order[5], order[6],
          order[7]);
    static const vm_layout same[] = {VM_LAYOUT_MONO, VM_LAYOUT_STEREO, VM_LAYOUT_LCR, VM_LAYOUT_5_0,
                                     VM_LAYOUT_5_1};
    for (size_t i = 0; i < sizeof same / sizeof same[0]; i++) {
        int n = vm_layout_channels(same[i]), ident = 1;
        vm_layout_file_order(same[i], n, order);
        for (int k = 0; k < n; k++)
            ident &= order[k] == k;
        char name[64];
        snprintf(name, sizeof name, "%s is written in its own order", vm_layout_name(same[i]));
        check(ident, name, "not the identity");
    }
    vm_layout_file_order(VM_LAYOUT_PLAIN, 8, order);
    check(order[4] == 4 && order[6] == 6, "8 plain channels are written as they are", "got %d %d", order[4],
          order[6]);
}

static void test_map_file(void)
{
    int map[8];
    static const int want71[8] = {0, 1, 2, 3, 6, 7, 4, 5};
    check_int(vm_layout_map_file(VM_LAYOUT_7_1, 0x63F, 8, map), 1, "a 7.1 file (0x63F) fits a 7.1 track");
    check(memcmp(map, want71, sizeof want71) == 0, "7.1 file channels 7, 8 (SL, SR) play on Lss, Rss",
          "got %d %d %d %d", map[4], map[5], map[6], map[7]);
    check_int(vm_layout_map_file(VM_LAYOUT_5_1, 0x60F, 6, map), 1, "a 5.1(side) file fits a 5.1 track");
    check(map[4] == 4 && map[5] == 5, "5.1(side) plays as it is", "got %d %d", map[4], map[5]);
    check_int(vm_layout_map_file(VM_LAYOUT_5_1, 0x3F, 6, map), 1, "a 5.1(back) file (0x3F) fits a 5.1 track");
    check(map[3] == 3 && map[4] == 4 && map[5] == 5, "5.1(back): BL, BR play on Ls, Rs", "got %d %d", map[4],
          map[5]);
    check_int(vm_layout_map_file(VM_LAYOUT_5_1, 0x707, 6, map), -1, "a 6.0 file (0x707) does not fit 5.1");
    check_int(vm_layout_map_file(VM_LAYOUT_7_1, 0x60F, 8, map), 0,
              "a mask with fewer bits than channels says nothing");
    check_int(vm_layout_map_file(VM_LAYOUT_7_1, 0xFF, 8, map), -1, "0xFF (Lc/Rc, no sides) does not fit 7.1");
    check_int(vm_layout_map_file(VM_LAYOUT_5_1, 0, 6, map), 0, "mask 0: the file plays as it is");
    check_int(vm_layout_map_file(VM_LAYOUT_LCR, 0x7, 3, map), 1, "an LCR file fits an LCR track");
    /* a file in bit order whose speakers come in another order than ours */
    check_int(vm_layout_map_file(VM_LAYOUT_LCR, 0x7, 3, map), 1, "LCR again");
    check(map[0] == 0 && map[1] == 1 && map[2] == 2, "LCR plays as it is", "got %d %d %d", map[0], map[1], map[2]);
}

static void test_weights(void)
{
    static const double w51[6] = {1, 1, 1, 0, 1.41, 1.41};
    static const double w71[8] = {1, 1, 1, 0, 1.41, 1.41, 1.41, 1.41};
    int ok51 = 1, ok71 = 1;
    for (int c = 0; c < 6; c++)
        ok51 &= vm_layout_weight(VM_LAYOUT_5_1, c) == w51[c];
    for (int c = 0; c < 8; c++)
        ok71 &= vm_layout_weight(VM_LAYOUT_7_1, c) == w71[c];
    check(ok51, "5.1 weights 1 1 1 0 1.41 1.41", "differ");
    check(ok71, "7.1 weights 1 1 1 0 1.41 x 4", "differ");
    check(vm_layout_weight(VM_LAYOUT_PLAIN, 3) == 1.0 && vm_layout_weight(VM_LAYOUT_PLAIN, 5) == 1.0,
          "plain channels weigh 1 (no LFE, no surround)", "differ");
    check(vm_layout_weight(VM_LAYOUT_5_0, 3) == 1.41, "5.0's channel 4 (Ls) weighs 1.41", "got %g",
          vm_layout_weight(VM_LAYOUT_5_0, 3));
    /* by mask bit, as ffmpeg's ebur128 weighs a file's channels */
    static const double by_bit[18] = {1, 1, 1, 0, 1.41, 1.41, 1, 1, 1.41, 1.41, 1.41, 1, 1, 1, 1, 1.41, 1.41, 1.41};
    int okbits = 1;
    for (int b = 0; b < 18; b++)
        okbits &= vm_speaker_weight(b) == by_bit[b];
    check(okbits, "weights by mask bit: LFE 0; BL BR BC SL SR TBL TBC TBR 1.41; the rest 1", "differ");
}

/* Fold-down matrices against ITU-R BS.775's Lo/Ro written out here
 * (h = 1/sqrt(2)): one row per source channel, within 1e-12. */
static void check_matrix(vm_layout from, vm_layout to, const vm_fold_gains *g, const double *want, const char *name)
{
    double coef[64];
    int n = vm_layout_channels(from) * vm_layout_channels(to);
    if (!check(vm_layout_fold(from, to, g, coef) == 1, name, "no fold-down"))
        return;
    double worst = 0;
    for (int k = 0; k < n; k++)
        worst = fmax(worst, fabs(coef[k] - want[k]));
    check(worst <= 1e-12, name, "worst difference %g", worst);
}

static void test_fold(void)
{
    const double h = sqrt(0.5);
    vm_fold_gains g;
    vm_fold_gains_default(&g);
    const double loro51[] = {1, 0, 0, 1, h, h, 0, 0, h, 0, 0, h};
    check_matrix(VM_LAYOUT_5_1, VM_LAYOUT_STEREO, &g, loro51, "5.1 -> Lo/Ro: L + h C + h Ls, LFE dropped");
    const double loro50[] = {1, 0, 0, 1, h, h, h, 0, 0, h};
    check_matrix(VM_LAYOUT_5_0, VM_LAYOUT_STEREO, &g, loro50, "5.0 -> Lo/Ro");
    const double lcr[] = {1, 0, 0, 1, h, h};
    check_matrix(VM_LAYOUT_LCR, VM_LAYOUT_STEREO, &g, lcr, "LCR -> Lo/Ro: L + h C");
    const double loro71[] = {1, 0, 0, 1, h, h, 0, 0, h, 0, 0, h, h, 0, 0, h};
    check_matrix(VM_LAYOUT_7_1, VM_LAYOUT_STEREO, &g, loro71, "7.1 -> Lo/Ro: every surround at h");
    double f71[48] = {0};
    for (int i = 0; i < 4; i++)
        f71[i * 6 + i] = 1;
    f71[4 * 6 + 4] = f71[6 * 6 + 4] = h; /* Lss, Lrs -> Ls */
    f71[5 * 6 + 5] = f71[7 * 6 + 5] = h; /* Rss, Rrs -> Rs */
    check_matrix(VM_LAYOUT_7_1, VM_LAYOUT_5_1, &g, f71, "7.1 -> 5.1: Ls = h Lss + h Lrs, the rest as it is");
    const double mono[] = {h, h};
    check_matrix(VM_LAYOUT_STEREO, VM_LAYOUT_MONO, &g, mono, "stereo -> mono: h L + h R");
    vm_fold_gains c = {.centre_db = -6, .surround_db = -HUGE_VAL, .lfe_db = 0, .mono_db = -3};
    const double d6 = pow(10, -6 / 20.0);
    const double given[] = {1, 0, 0, 1, d6, d6, 1, 1, 0, 0, 0, 0};
    check_matrix(VM_LAYOUT_5_1, VM_LAYOUT_STEREO, &c, given, "5.1 -> Lo/Ro with centre -6, no surrounds, LFE 0 dB");
    double coef[64];
    check_int(vm_layout_fold(VM_LAYOUT_5_1, VM_LAYOUT_7_1, &g, coef), 0, "5.1 -> 7.1 is no fold-down");
    check_int(vm_layout_fold(VM_LAYOUT_5_1, VM_LAYOUT_MONO, &g, coef), 0, "5.1 -> mono is no fold-down");
    check_near(g.centre_db, -3.0103, 1e-4, "the default centre gain is -3.0103 dB (1/sqrt(2))");
    vm_layout l;
    char err[DS_ERR_LEN];
    check(vm_downmix_parse("loro", &l, err) == DS_OK && l == VM_LAYOUT_STEREO, "downmix 'loro' makes stereo", "%s",
          err);
    check(vm_downmix_parse("LoRo5", &l, err) == DS_ERR_ARG && strstr(err, "did you mean 'LoRo'"),
          "downmix 'LoRo5' suggests 'LoRo'", "%s", err);
}

int main(void)
{
    test_parse();
    test_tables();
    test_file_order();
    test_map_file();
    test_weights();
    test_fold();
    return check_exit();
}
