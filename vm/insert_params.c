/* insert_params.c - the automatable parameters of each insert kind (see
 * insert_params.h): one array per kind. */
#include "vm/insert_params.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

#include "dsp/biquad.h"
#include "dsp/bitcrush.h"
#include "dsp/delay.h"
#include "dsp/ducker.h"
#include "dsp/dynamics.h"
#include "dsp/reverb.h"
#include "dsp/stereo.h"
#include "dsp/transient.h"
#include "vm/limits.h"

#define VAL(f) offsetof(vm_insert_desc, f)
#define MOVES(f) offsetof(vm_insert_desc, f)

/* EQ: the moves' .value is the static value itself */
static const vm_insert_param_spec eq_params[] = {
    {"freq", 10, 40000, "Hz", 0, VAL(freq.value), MOVES(freq), 1},
    {"gain", -30, 30, "dB", 1, VAL(gain.value), MOVES(gain), 0},
    {"q", 0.1, 30, "", 2, VAL(q.value), MOVES(q), 0},
};

/* dynamics: the static values are dyn's (what dsp_dyn_check judges), the
 * moves dynp's; listed as the REPL always has, lanes in vm_dyn_param order */
static const vm_insert_param_spec dyn_params[] = {
    {"threshold", -200, 40, "dB", VM_DYN_THRESHOLD, VAL(dyn.threshold_db), MOVES(dynp[VM_DYN_THRESHOLD]), 0},
    {"ratio", 1, INFINITY, "", VM_DYN_RATIO, VAL(dyn.ratio), MOVES(dynp[VM_DYN_RATIO]), 0},
    {"knee", 0, 60, "dB", VM_DYN_KNEE, VAL(dyn.knee_db), MOVES(dynp[VM_DYN_KNEE]), 0},
    {"attack", 0, 60, "s", VM_DYN_ATTACK, VAL(dyn.attack_s), MOVES(dynp[VM_DYN_ATTACK]), 0},
    {"release", 0, 60, "s", VM_DYN_RELEASE, VAL(dyn.release_s), MOVES(dynp[VM_DYN_RELEASE]), 0},
    {"hold", 0, 60, "s", VM_DYN_HOLD, VAL(dyn.hold_s), MOVES(dynp[VM_DYN_HOLD]), 0},
    {"makeup", -60, 60, "dB", VM_DYN_MAKEUP, VAL(dyn.makeup_db), MOVES(dynp[VM_DYN_MAKEUP]), 0},
    {"range", -200, 0, "dB", VM_DYN_RANGE, VAL(dyn.range_db), MOVES(dynp[VM_DYN_RANGE]), 0},
};

static const vm_insert_param_spec lim_params[] = {
    {"ceiling", -60, 0, "dBTP", VM_LIM_CEILING, VAL(lim.ceiling_dbtp), MOVES(setp[VM_LIM_CEILING]), 0},
    {"release", 0.001, 10, "s", VM_LIM_RELEASE, VAL(lim.release_s), MOVES(setp[VM_LIM_RELEASE]), 0},
};

static const vm_insert_param_spec shape_params[] = {
    {"attack", -24, 24, "dB", VM_TRANSIENT_ATTACK, VAL(attack_db), MOVES(setp[VM_TRANSIENT_ATTACK]), 0},
    {"sustain", -24, 24, "dB", VM_TRANSIENT_SUSTAIN, VAL(sustain_db), MOVES(setp[VM_TRANSIENT_SUSTAIN]), 0},
};

static const vm_insert_param_spec saturate_params[] = {
    {"clip", -60, 0, "dBFS", VM_SATURATE_CLIP, VAL(clip_db), MOVES(setp[VM_SATURATE_CLIP]), 0},
    {"mix", 0, 100, "%", VM_SATURATE_MIX, VAL(sat_mix_pct), MOVES(setp[VM_SATURATE_MIX]), 0},
};

/* bit crusher: the depth in bits (fractions allowed), the rate its held
 * values are taken at (at or above the session rate: every sample) */
static const vm_insert_param_spec bitcrush_params[] = {
    {"bits", 1, 24, "bits", VM_BITCRUSH_BITS, VAL(crush_bits), MOVES(setp[VM_BITCRUSH_BITS]), 0},
    {"rate", VM_BITCRUSH_RATE_MIN_HZ, 384000, "Hz", VM_BITCRUSH_RATE, VAL(crush_rate_hz), MOVES(setp[VM_BITCRUSH_RATE]), 0},
};

/* delay: time in seconds, feedback and mix in % (a mixer's units on a
 * delay; docs/language.md), the loop's filters in Hz (0: off) */
static const vm_insert_param_spec delay_params[] = {
    {"time", 0.0001, 60, "s", VM_DELAY_TIME, VAL(delay.time_s), MOVES(delayp[VM_DELAY_TIME]), 0},
    {"feedback", -99, 99, "%", VM_DELAY_FEEDBACK, VAL(delay.feedback_pct), MOVES(delayp[VM_DELAY_FEEDBACK]), 0},
    {"mix", 0, 100, "%", VM_DELAY_MIX, VAL(delay.mix_pct), MOVES(delayp[VM_DELAY_MIX]), 0},
    {"lowpass", 0, 40000, "Hz", VM_DELAY_LOWPASS, VAL(delay.lowpass_hz), MOVES(delayp[VM_DELAY_LOWPASS]), 1},
    {"highpass", 0, 40000, "Hz", VM_DELAY_HIGHPASS, VAL(delay.highpass_hz), MOVES(delayp[VM_DELAY_HIGHPASS]), 1},
};

/* A delay's line is sized by the longest time its lane reaches (or max),
 * at the session rate, on every channel: bounded per channel and in all. */
static int delay_check_graph(const vm_insert_desc *e, int rate, int channels, char *msg, size_t n)
{
    vm_param_desc time = vm_insert_param_get(e, &delay_params[0]);
    double reach = vm_param_desc_max(&time);
    if (e->delay.max_s > 0 && reach > e->delay.max_s) {
        snprintf(msg, n, "time %s %g s%s%s%s but max = %g s sizes the line: raise max or keep the time under it",
                 reach == time.value ? "=" : "reaches", reach, reach == time.value ? "" : " (moved at ",
                 reach == time.value ? "" : time.where, reach == time.value ? "" : ")", e->delay.max_s);
        return -1;
    }
    if (e->delay.pingpong && channels != 2) {
        snprintf(msg, n, "pingpong takes a stereo strip (2 channels: its two lines feed each other), but this one "
                 "has %d", channels);
        return -1;
    }
    double longest = e->delay.max_s > 0 ? e->delay.max_s : reach;
    double line = dsp_delay_line_length(dsp_delay_samples(longest, rate));
    if (line > DSP_DELAY_MAX_LINE) {
        snprintf(msg, n, "a line of %g s at %d Hz holds %.0f samples per channel; a delay holds at most %d "
                 "(%.1f s at this rate)", longest, rate, line, DSP_DELAY_MAX_LINE,
                 (DSP_DELAY_MAX_LINE - 4.0) / rate);
        return -1;
    }
    if (line * channels > DSP_DELAY_MAX_TOTAL) {
        snprintf(msg, n, "lines of %g s at %d Hz on %d channels hold %.0f samples; a delay holds at most %d in all "
                 "(%.1f s on %d channels at this rate): shorten max or the time, or split the channels", longest,
                 rate, channels, line * channels, DSP_DELAY_MAX_TOTAL,
                 ((double)DSP_DELAY_MAX_TOTAL / channels - 4) / rate, channels);
        return -1;
    }
    return 0;
}

/* stereo width: width a plain factor, mid and side gains in dB with the
 * faders' rule (-math.huge, or anything at or below -144 dB, is silence) */
static const vm_insert_param_spec width_params[] = {
    {"width", 0, 2, "", VM_WIDTH_WIDTH, VAL(width), MOVES(widthp[VM_WIDTH_WIDTH]), 0},
    {"mid", VM_LANE_DB_SILENCE, 24, "dB", VM_WIDTH_MID, VAL(mid_db), MOVES(widthp[VM_WIDTH_MID]), 0},
    {"side", VM_LANE_DB_SILENCE, 24, "dB", VM_WIDTH_SIDE, VAL(side_db), MOVES(widthp[VM_WIDTH_SIDE]), 0},
};

/* convolution reverb: mix in % (as a delay's), the wet signal's gain in dB
 * with the faders' rule (-math.huge, or -144 dB, is silence) */
static const vm_insert_param_spec conv_params[] = {
    {"mix", 0, 100, "%", VM_CONV_MIX, VAL(conv.mix_pct), MOVES(setp[VM_CONV_MIX]), 0},
    {"gain", VM_LANE_DB_SILENCE, 24, "dB", VM_CONV_GAIN, VAL(conv.gain_db), MOVES(setp[VM_CONV_GAIN]), 0},
};

static int dyn_check(const vm_insert_desc *e, char *msg, size_t n) { return dsp_dyn_check(&e->dyn, msg, n); }
static int lim_check(const vm_insert_desc *e, char *msg, size_t n) { return dsp_limiter_check(&e->lim, msg, n); }

/* An order-2 eq is one multi-channel biquad (a fixed array); other orders
 * run a Butterworth per channel. */
static int eq_max_channels(const vm_insert_desc *e, const char **variant)
{
    if (e->order != 2)
        return VM_MAX_CHANNELS;
    *variant = "second-order";
    return DSP_BIQUAD_MULTI_MAX;
}

/* A channel map has one entry per channel of its strip, each a channel of
 * it (or 0, silence); a polarity inverter's channels are the strip's. */
static int channel_map_check(const vm_insert_desc *e, int rate, int channels, char *msg, size_t n)
{
    (void)rate;
    const char *s = channels == 1 ? "" : "s";
    if (e->nchannels != channels) {
        snprintf(msg, n, "the map lists %d channel%s, but the strip has %d channel%s: it needs one entry per channel",
                 e->nchannels, e->nchannels == 1 ? "" : "s", channels, s);
        return -1;
    }
    for (int k = 0; k < e->nchannels; k++)
        if (e->channel[k] > channels) {
            snprintf(msg, n, "entry %d takes channel %d, which is out of range: the strip has %d channel%s (1 to %d, "
                     "or 0 for silence)", k + 1, e->channel[k], channels, s, channels);
            return -1;
        }
    return 0;
}

static int polarity_check(const vm_insert_desc *e, int rate, int channels, char *msg, size_t n)
{
    (void)rate;
    for (int k = 0; k < e->nchannels; k++)
        if (e->channel[k] > channels) {
            snprintf(msg, n, "channel %d is out of range: the strip has %d channel%s (1 to %d)", e->channel[k],
                     channels, channels == 1 ? "" : "s", channels);
            return -1;
        }
    return 0;
}

/* A mono IR runs on every channel (memory sized per channel); a stereo IR
 * (L->L, R->R) and a true-stereo one (LL, LR, RL, RR) need two. */
static int conv_max_channels(const vm_insert_desc *e, const char **variant)
{
    if (e->conv.info.channels == 2 || e->conv.info.channels == 4) {
        *variant = e->conv.info.channels == 2 ? "stereo-IR" : "true-stereo";
        return 2;
    }
    return VM_MAX_CHANNELS;
}

static int conv_min_channels(const vm_insert_desc *e)
{
    return e->conv.info.channels == 2 || e->conv.info.channels == 4 ? 2 : 1;
}
/* reverb: size and pre-delay are fixed (fixed_settings below) */
static const vm_insert_param_spec reverb_params[] = {
    {"rt60", 0.1, 30, "s", VM_REVERB_RT60, VAL(reverb[VM_REVERB_RT60]), MOVES(reverbp[VM_REVERB_RT60]), 0},
    {"damping", 0.05, 1, "x rt60", VM_REVERB_DAMPING, VAL(reverb[VM_REVERB_DAMPING]),
     MOVES(reverbp[VM_REVERB_DAMPING]), 0},
    {"damping_freq", 500, 20000, "Hz", VM_REVERB_DAMPING_FREQ, VAL(reverb[VM_REVERB_DAMPING_FREQ]),
     MOVES(reverbp[VM_REVERB_DAMPING_FREQ]), 1},
    {"width", 0, 1, "", VM_REVERB_WIDTH, VAL(reverb[VM_REVERB_WIDTH]), MOVES(reverbp[VM_REVERB_WIDTH]), 0},
    {"mix", 0, 100, "%", VM_REVERB_MIX, VAL(reverb[VM_REVERB_MIX]), MOVES(reverbp[VM_REVERB_MIX]), 0},
};

static const vm_insert_fixed lim_fixed[] = {
    {"lookahead", "it is the limiter's latency, fixed when the mix is compiled so that every other path can be "
                  "delayed to match"},
};

static const vm_insert_fixed reverb_fixed[] = {
    {"size", "it sets the lengths of the reverb's delay lines, whose memory is fixed when the mix is compiled"},
    {"predelay", "a jump of the pre-delay would be a click in the reverb's input; it is fixed when the reverb is "
                 "made (a delay insert before the reverb can move)"},
};

#define N(a) ((int)(sizeof a / sizeof a[0]))

/* indexed by vm_insert_kind */
static const vm_insert_params tables[] = {
    [VM_INSERT_EQ] = {.noun = "eq", .params = eq_params, .nparams = N(eq_params), .method = "eq",
                      .max_channels = VM_MAX_CHANNELS, .max_channels_of = eq_max_channels},
    [VM_INSERT_DYNAMICS] = {.params = dyn_params, .nparams = N(dyn_params), .check = dyn_check,
                            .max_channels = DSP_DYN_MAX_CHANNELS, .max_key_channels = DSP_DYN_MAX_CHANNELS},
    /* a limiter's memory is sized per channel */
    [VM_INSERT_LIMITER] = {.noun = "limiter", .params = lim_params, .nparams = N(lim_params), .check = lim_check,
                           .method = "limiter", .max_channels = VM_MAX_CHANNELS, .fixed_settings = lim_fixed,
                           .nfixed_settings = N(lim_fixed)},
    [VM_INSERT_TRANSIENT] = {.noun = "transient shaper", .params = shape_params, .nparams = N(shape_params),
                             .method = "transient", .max_channels = DSP_TRANSIENT_MAX_CHANNELS},
    [VM_INSERT_DELAY] = {.noun = "delay", .params = delay_params, .nparams = N(delay_params), .method = "delay",
                         .max_channels = DSP_DELAY_MAX_CHANNELS, .check_graph = delay_check_graph},
    [VM_INSERT_CONVOLVE] = {.noun = "convolution reverb", .params = conv_params, .nparams = N(conv_params),
                            .method = "convolve", .max_channels = VM_MAX_CHANNELS,
                            .max_channels_of = conv_max_channels, .min_channels_of = conv_min_channels},
    /* its settings are the duck rule's (STRIP.duck.*); made by duck { } */
    [VM_INSERT_DUCK] = {.noun = "duck", .method = "duck", .max_channels = DSP_DUCKER_MAX_CHANNELS,
                        .max_key_channels = DSP_DUCKER_MAX_CHANNELS},
    [VM_INSERT_WIDTH] = {.noun = "stereo width", .params = width_params, .nparams = N(width_params),
                         .method = "width", .min_channels = 2, .max_channels = 2},
    [VM_INSERT_MS] = {.noun = "mid-side matrix", .method = "ms", .min_channels = 2, .max_channels = 2,
                      .fixed = "a strip's channels are either L R or M S for the whole programme"},
    [VM_INSERT_POLARITY] = {.noun = "polarity inverter", .method = "polarity", .max_channels = DSP_CHMAP_MAX_CHANNELS,
                            .check_graph = polarity_check,
                            .fixed = "flipping a channel while it plays is a step of twice its value, a click"},
    [VM_INSERT_CHANNEL_MAP] = {.noun = "channel map", .method = "channel_map", .max_channels = DSP_CHMAP_MAX_CHANNELS,
                               .check_graph = channel_map_check,
                               .fixed = "switching a channel's source while it plays is a jump between two "
                                        "signals, a click"},
    [VM_INSERT_SATURATE] = {.noun = "saturator", .params = saturate_params, .nparams = N(saturate_params),
                            .method = "saturate", .max_channels = VM_MAX_CHANNELS},
    [VM_INSERT_BITCRUSH] = {.noun = "bit crusher", .params = bitcrush_params, .nparams = N(bitcrush_params),
                            .method = "bitcrush", .max_channels = DSP_BITCRUSH_MAX_CHANNELS},
    [VM_INSERT_REVERB] = {.noun = "reverb", .params = reverb_params, .nparams = N(reverb_params), .method = "reverb",
                          .max_channels = DSP_REVERB_MAX_CHANNELS, .fixed_settings = reverb_fixed,
                          .nfixed_settings = N(reverb_fixed)},
};

const vm_insert_params *vm_insert_params_of(vm_insert_kind kind)
{
    static const vm_insert_params none = {.noun = "insert", .max_channels = VM_MAX_CHANNELS};
    return (int)kind >= 0 && (int)kind < N(tables) ? &tables[kind] : &none;
}

const char *vm_insert_method(const vm_insert_desc *e)
{
    const char *m = vm_insert_params_of(e->kind)->method;
    return m ? m : vm_insert_noun(e);
}

const char *vm_insert_article(const char *word)
{
    return word[0] && strchr("aeiou", word[0]) ? "an" : "a";
}

int vm_insert_max_channels(const vm_insert_desc *e, const char **variant)
{
    const vm_insert_params *t = vm_insert_params_of(e->kind);
    const char *v = NULL;
    int n = t->max_channels_of ? t->max_channels_of(e, &v) : t->max_channels;
    if (variant)
        *variant = v;
    return n;
}

int vm_insert_min_channels(const vm_insert_desc *e)
{
    const vm_insert_params *t = vm_insert_params_of(e->kind);
    int n = t->min_channels_of ? t->min_channels_of(e) : t->min_channels;
    return n > 1 ? n : 1;
}

int vm_insert_max_key_channels(const vm_insert_desc *e)
{
    return vm_insert_params_of(e->kind)->max_key_channels;
}

const char *vm_insert_noun(const vm_insert_desc *e)
{
    if (e->kind == VM_INSERT_DYNAMICS)
        return e->dyn.mode == DSP_DYN_EXPAND ? "expander" : e->dyn.mode == DSP_DYN_GATE ? "gate" : "compressor";
    return vm_insert_params_of(e->kind)->noun;
}

const vm_insert_param_spec *vm_insert_param_find(vm_insert_kind kind, const char *name)
{
    const vm_insert_params *t = vm_insert_params_of(kind);
    for (int i = 0; i < t->nparams; i++)
        if (strcmp(t->params[i].name, name) == 0)
            return &t->params[i];
    return NULL;
}

const vm_insert_param_spec *vm_insert_param_at(vm_insert_kind kind, int lane)
{
    const vm_insert_params *t = vm_insert_params_of(kind);
    for (int i = 0; i < t->nparams; i++)
        if (t->params[i].lane == lane)
            return &t->params[i];
    return NULL;
}

double *vm_insert_param_value(vm_insert_desc *e, const vm_insert_param_spec *sp)
{
    return (double *)((char *)e + sp->value_offset);
}

vm_param_desc *vm_insert_param_moves(vm_insert_desc *e, const vm_insert_param_spec *sp)
{
    return (vm_param_desc *)((char *)e + sp->moves_offset);
}

vm_param_desc vm_insert_param_get(const vm_insert_desc *e, const vm_insert_param_spec *sp)
{
    vm_param_desc pd = *(const vm_param_desc *)((const char *)e + sp->moves_offset);
    pd.value = *(const double *)((const char *)e + sp->value_offset);
    return pd;
}

int vm_insert_params_moving(const vm_insert_desc *e)
{
    const vm_insert_params *t = vm_insert_params_of(e->kind);
    int moving = 0;
    for (int i = 0; i < t->nparams; i++)
        moving |= vm_insert_param_get(e, &t->params[i]).nevents > 0;
    return moving;
}

double *vm_dyn_param_field(dsp_dyn_params *p, vm_dyn_param k)
{
    /* the row's offset is within vm_insert_desc: rebased onto its dyn */
    const vm_insert_param_spec *sp = vm_insert_param_at(VM_INSERT_DYNAMICS, (int)k);
    if (!sp)
        sp = &dyn_params[0];
    return (double *)((char *)p + (sp->value_offset - offsetof(vm_insert_desc, dyn)));
}
