/* layout.c - speaker layouts (vm/layout.h): one table, everything else
 * read from it. */
#include "vm/layout.h"

#include <math.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "vm/limits.h"
#include "vm/suggest.h"

#define MAX_LAYOUT_CH 8

static const struct {
    const char *name;
    int channels;
    vm_speaker sp[MAX_LAYOUT_CH];   /* in dubstage's (SMPTE) order */
    const char *ch_name[MAX_LAYOUT_CH];
} layouts[VM_LAYOUT_COUNT] = {
    [VM_LAYOUT_PLAIN] = {"plain", 0, {VM_SPEAKER_NONE}, {NULL}},
    [VM_LAYOUT_MONO] = {"mono", 1, {VM_SPEAKER_C}, {"M"}},
    [VM_LAYOUT_STEREO] = {"stereo", 2, {VM_SPEAKER_L, VM_SPEAKER_R}, {"L", "R"}},
    [VM_LAYOUT_LCR] = {"LCR", 3, {VM_SPEAKER_L, VM_SPEAKER_R, VM_SPEAKER_C}, {"L", "R", "C"}},
    [VM_LAYOUT_5_0] = {"5.0", 5, {VM_SPEAKER_L, VM_SPEAKER_R, VM_SPEAKER_C, VM_SPEAKER_LS, VM_SPEAKER_RS},
                       {"L", "R", "C", "Ls", "Rs"}},
    [VM_LAYOUT_5_1] = {"5.1", 6,
                       {VM_SPEAKER_L, VM_SPEAKER_R, VM_SPEAKER_C, VM_SPEAKER_LFE, VM_SPEAKER_LS, VM_SPEAKER_RS},
                       {"L", "R", "C", "LFE", "Ls", "Rs"}},
    [VM_LAYOUT_7_1] = {"7.1", 8,
                       {VM_SPEAKER_L, VM_SPEAKER_R, VM_SPEAKER_C, VM_SPEAKER_LFE, VM_SPEAKER_LS, VM_SPEAKER_RS,
                        VM_SPEAKER_LRS, VM_SPEAKER_RRS},
                       {"L", "R", "C", "LFE", "Lss", "Rss", "Lrs", "Rrs"}},
};

static int valid(vm_layout l)
{
    return (int)l >= 0 && (int)l < VM_LAYOUT_COUNT;
}

ds_result vm_layout_parse(const char *word, vm_layout *out, char *err)
{
    const char *names[VM_LAYOUT_COUNT];
    int n = 0;
    for (int i = VM_LAYOUT_MONO; i < VM_LAYOUT_COUNT; i++) {
        names[n++] = layouts[i].name;
        if (word && strcasecmp(word, layouts[i].name) == 0) {
            *out = (vm_layout)i;
            return DS_OK;
        }
    }
    if (!word)
        return ds_fail(err, DS_ERR_ARG, "no layout given (layouts: %s)", vm_layout_list());
    const char *near = vm_suggest(word, names, n);
    if (near)
        return ds_fail(err, DS_ERR_ARG, "unknown layout '%.64s'; did you mean '%s'? (layouts: %s)", word, near,
                       vm_layout_list());
    return ds_fail(err, DS_ERR_ARG, "unknown layout '%.64s' (layouts: %s)", word, vm_layout_list());
}

const char *vm_layout_name(vm_layout l)
{
    return valid(l) ? layouts[l].name : "?";
}

const char *vm_layout_list(void)
{
    return "mono stereo LCR 5.0 5.1 7.1";
}

int vm_layout_channels(vm_layout l)
{
    return valid(l) ? layouts[l].channels : 0;
}

vm_layout vm_layout_resolve(vm_layout l, int channels)
{
    if (l == VM_LAYOUT_PLAIN && channels == 1)
        return VM_LAYOUT_MONO;
    if (l == VM_LAYOUT_PLAIN && channels == 2)
        return VM_LAYOUT_STEREO;
    return valid(l) ? l : VM_LAYOUT_PLAIN;
}

vm_speaker vm_layout_speaker(vm_layout l, int ch)
{
    if (!valid(l) || ch < 0 || ch >= layouts[l].channels)
        return VM_SPEAKER_NONE;
    return layouts[l].sp[ch];
}

int vm_layout_channel_of(vm_layout l, vm_speaker sp)
{
    for (int ch = 0; valid(l) && ch < layouts[l].channels; ch++)
        if (layouts[l].sp[ch] == sp)
            return ch;
    return -1;
}

const char *vm_layout_channel_name(vm_layout l, int ch, char *buf, int n)
{
    if (valid(l) && ch >= 0 && ch < layouts[l].channels)
        snprintf(buf, (size_t)n, "%s", layouts[l].ch_name[ch]);
    else
        snprintf(buf, (size_t)n, "%d", ch + 1);
    return buf;
}

void vm_layout_describe(vm_layout l, int channels, char *buf, int n)
{
    l = vm_layout_resolve(l, channels);
    if (l == VM_LAYOUT_PLAIN) {
        snprintf(buf, (size_t)n, "%d plain channels", channels);
        return;
    }
    int used = 0;
    buf[0] = 0;
    for (int ch = 0; ch < layouts[l].channels && used < n; ch++)
        used += snprintf(buf + used, (size_t)(n - used), "%s%s", ch ? " " : "", layouts[l].ch_name[ch]);
}

double vm_speaker_weight(int bit)
{
    switch (bit) {
    case VM_SPEAKER_LFE: /* left out */
        return 0.0;
    case VM_SPEAKER_LS: case VM_SPEAKER_RS: case VM_SPEAKER_LRS: case VM_SPEAKER_RRS:
    case 8: case 15: case 16: case 17: /* back centre, top back left/centre/right */
        return 1.41;
    default:
        return 1.0;
    }
}

double vm_layout_weight(vm_layout l, int ch)
{
    vm_speaker sp = vm_layout_speaker(l, ch);
    return sp == VM_SPEAKER_NONE ? 1.0 : vm_speaker_weight((int)sp);
}

uint32_t vm_layout_mask(vm_layout l)
{
    uint32_t m = 0;
    for (int ch = 0; valid(l) && ch < layouts[l].channels; ch++)
        m |= 1u << layouts[l].sp[ch];
    return m;
}

void vm_layout_file_order(vm_layout l, int channels, int *order)
{
    for (int k = 0; k < channels; k++)
        order[k] = k;
    if (!valid(l) || layouts[l].channels != channels)
        return;
    /* file channel k: the speaker with the k-th lowest mask bit */
    int k = 0;
    for (int bit = 0; bit < 32; bit++) {
        int ch = vm_layout_channel_of(l, (vm_speaker)bit);
        if (ch >= 0)
            order[k++] = ch;
    }
}

/* A single surround pair takes a file's rear bits as its own. */
static vm_speaker as_surround_of(vm_layout l, vm_speaker sp)
{
    if (vm_layout_channel_of(l, VM_SPEAKER_LRS) >= 0)
        return sp;
    if (sp == VM_SPEAKER_LRS)
        return VM_SPEAKER_LS;
    if (sp == VM_SPEAKER_RRS)
        return VM_SPEAKER_RS;
    return sp;
}

int vm_layout_map_file(vm_layout l, uint32_t mask, int file_channels, int *map)
{
    int n = vm_layout_channels(l);
    int bits = __builtin_popcount(mask);
    if (mask == 0 || bits != file_channels)
        return 0;
    if (n == 0 || bits != n)
        return -1;
    int seen = 0, k = 0;
    for (int bit = 0; bit < 32; bit++) {
        if (!(mask & (1u << bit)))
            continue;
        int ch = vm_layout_channel_of(l, as_surround_of(l, (vm_speaker)bit));
        if (ch < 0 || (seen & (1 << ch)))
            return -1;
        seen |= 1 << ch;
        map[ch] = k++;
    }
    return 1;
}

/* ---- fold-downs ------------------------------------------------------------ */

/* The defaults are 1/sqrt(2) exactly (BS.775's 0.7071, -3.0103 dB); a
 * gain the script gives is taken as written: centre = -3 is 10^(-3/20) =
 * 0.70795. */
void vm_fold_gains_default(vm_fold_gains *g)
{
    double minus3 = 20.0 * log10(sqrt(0.5));
    g->centre_db = minus3;
    g->surround_db = minus3;
    g->lfe_db = -HUGE_VAL;
    g->mono_db = minus3;
}

/* dB to a linear gain */
static double gain_of(double db)
{
    return db == -HUGE_VAL ? 0.0 : pow(10.0, db / 20.0);
}

int vm_layout_fold(vm_layout from, vm_layout to, const vm_fold_gains *g, double *coef)
{
    int fc = vm_layout_channels(from), tc = vm_layout_channels(to);
    int lo_ro = to == VM_LAYOUT_STEREO &&
                (from == VM_LAYOUT_LCR || from == VM_LAYOUT_5_0 || from == VM_LAYOUT_5_1 || from == VM_LAYOUT_7_1);
    int to_51 = from == VM_LAYOUT_7_1 && to == VM_LAYOUT_5_1;
    int to_mono = from == VM_LAYOUT_STEREO && to == VM_LAYOUT_MONO;
    if (!lo_ro && !to_51 && !to_mono)
        return 0;
    for (int k = 0; k < fc * tc; k++)
        coef[k] = 0.0;
    double c = gain_of(g->centre_db), s = gain_of(g->surround_db), lfe = gain_of(g->lfe_db);
    for (int i = 0; i < fc; i++) {
        double *row = coef + i * tc;
        vm_speaker sp = vm_layout_speaker(from, i);
        if (to_mono) {
            row[0] = gain_of(g->mono_db);
        } else if (to_51) { /* the same speakers pass; the rears join the sides */
            int same = vm_layout_channel_of(to, sp);
            if (sp == VM_SPEAKER_LS || sp == VM_SPEAKER_LRS)
                row[vm_layout_channel_of(to, VM_SPEAKER_LS)] = s;
            else if (sp == VM_SPEAKER_RS || sp == VM_SPEAKER_RRS)
                row[vm_layout_channel_of(to, VM_SPEAKER_RS)] = s;
            else
                row[same] = 1.0;
        } else { /* Lo/Ro: Lo = L + c C + s Ls (+ s Lrs) + lfe LFE */
            switch (sp) {
            case VM_SPEAKER_L: row[0] = 1.0; break;
            case VM_SPEAKER_R: row[1] = 1.0; break;
            case VM_SPEAKER_C: row[0] = row[1] = c; break;
            case VM_SPEAKER_LFE: row[0] = row[1] = lfe; break;
            case VM_SPEAKER_LS: case VM_SPEAKER_LRS: row[0] = s; break;
            case VM_SPEAKER_RS: case VM_SPEAKER_RRS: row[1] = s; break;
            default: break;
            }
        }
    }
    return 1;
}

static const char *const downmix_words[] = {"LoRo", "5.1", "mono"};
static const vm_layout downmix_layouts[] = {VM_LAYOUT_STEREO, VM_LAYOUT_5_1, VM_LAYOUT_MONO};

ds_result vm_downmix_parse(const char *word, vm_layout *to, char *err)
{
    for (int i = 0; i < 3; i++)
        if (word && strcasecmp(word, downmix_words[i]) == 0) {
            *to = downmix_layouts[i];
            return DS_OK;
        }
    const char *near = word ? vm_suggest(word, downmix_words, 3) : NULL;
    return ds_fail(err, DS_ERR_ARG, "unknown downmix '%.64s'%s%s%s (downmixes: LoRo, 5.1, mono)", word ? word : "",
                   near ? "; did you mean '" : "", near ? near : "", near ? "'?" : "");
}

const char *vm_downmix_name(vm_layout to)
{
    for (int i = 0; i < 3; i++)
        if (downmix_layouts[i] == to)
            return downmix_words[i];
    return NULL;
}

dsp_loudness *vm_layout_meter_create(vm_layout l, int channels, double rate)
{
    dsp_loudness_config mc;
    double weights[VM_MAX_CHANNELS];
    if (channels < 1 || channels > VM_MAX_CHANNELS)
        return NULL;
    dsp_loudness_config_init(&mc, rate, channels);
    for (int c = 0; c < channels; c++)
        weights[c] = vm_layout_weight(l, c);
    mc.weights = weights;
    return dsp_loudness_create(&mc);
}
