/* desc.h - the description a mix script builds: session, strips (tracks and
 * buses), clips, routing, outputs.
 *
 * The script bindings (vm/script.c) fill it; the compiler (vm/compile.c)
 * turns it into a plan. It holds no Lua object, only C data, so it outlives
 * the Lua state that built it. Every object records where in the script it
 * was made ("mix.lua:12") so that errors found later still point at a line.
 */
#ifndef VM_DESC_H
#define VM_DESC_H

#include <stdint.h>

#include "dsp/biquad.h"
#include "dsp/dynamics.h"
#include "dsp/limiter.h"
#include "dsp/fade.h"
#include "vm/delivery.h"
#include "vm/lane.h"
#include "vm/layout.h"
#include "vm/limits.h"
#include "vm/media.h"
#include "vm/outfile.h"
#include "vm/surround_params.h"
#include "vm/timecode.h"

#define VM_WHERE_LEN 160

typedef enum { VM_STRIP_TRACK, VM_STRIP_BUS } vm_strip_kind;

/* A module the script loaded with require (docs/recipes-sharing.md): what
 * `dubstage info` lists. */
typedef struct {
    char *name;                 /* as required: "dubstage.dme" */
    char *path;                 /* the file loaded, as shown (relative to the current folder when under it) */
    char *found_in;             /* "the script's folder", "--lib studio", "DUBSTAGE_LIB /x", "the standard library" */
    char where[VM_WHERE_LEN];   /* the require call: "mix.lua:3" */
} vm_module_desc;

typedef dsp_fade_curve vm_fade_curve; /* dsp/fade.h: same values, same formulas */
#define VM_FADE_LINEAR DSP_FADE_LINEAR

/* An automatable parameter: its static value and the events written for it
 * (times already in session samples). The compiler builds a vm_lane from
 * it. Event curve points are owned here. */
typedef struct {
    double value;               /* static setting (dB for gains, -1..1 for pan) */
    vm_event *events;
    int nevents, capevents;
    char where[VM_WHERE_LEN];   /* the first automation call, for messages */
} vm_param_desc;

typedef struct {
    char *path;                 /* as resolved (relative to the script's folder) */
    char where[VM_WHERE_LEN];
    vm_media_info info;
    int64_t at;                 /* first sample on the session timeline (may be < 0) */
    int64_t from;               /* offset into the source, in session-rate samples */
    int64_t length;             /* samples, > 0 */
    vm_param_desc gain;         /* clip gain in dB (automatable) */
    int64_t fade_in, fade_out;  /* samples */
    vm_fade_curve fade_in_curve, fade_out_curve;
    int channel;                /* 0: every channel of the file; k: only channel k (1-based) */
} vm_clip_desc;

typedef enum {
    VM_INSERT_EQ, VM_INSERT_DYNAMICS, VM_INSERT_LIMITER, VM_INSERT_TRANSIENT, VM_INSERT_DUCK, VM_INSERT_DELAY,
    VM_INSERT_WIDTH, VM_INSERT_MS, VM_INSERT_POLARITY, VM_INSERT_CHANNEL_MAP, VM_INSERT_CONVOLVE, VM_INSERT_REVERB,
    VM_INSERT_SATURATE, VM_INSERT_BITCRUSH
} vm_insert_kind;

/* The automatable settings of a dynamics insert, in this order (the others,
 * attack, release, hold, detector, link, key, are fixed when it is made). */
typedef enum {
    VM_DYN_THRESHOLD, VM_DYN_RATIO, VM_DYN_KNEE, VM_DYN_MAKEUP, VM_DYN_RANGE, VM_DYN_ATTACK, VM_DYN_RELEASE,
    VM_DYN_HOLD, VM_DYN_NPARAMS
} vm_dyn_param;

/* The automatable settings of a limiter and of a transient shaper, in this
 * order (a limiter's look-ahead is fixed: its latency is compensated when
 * the plan is made). */
typedef enum { VM_LIM_CEILING, VM_LIM_RELEASE } vm_lim_param;
typedef enum { VM_TRANSIENT_ATTACK, VM_TRANSIENT_SUSTAIN } vm_transient_param;
/* ... and of a saturator (dsp/saturate.h) */
typedef enum { VM_SATURATE_CLIP, VM_SATURATE_MIX } vm_saturate_param;
/* ... and of a bit crusher (dsp/bitcrush.h) */
typedef enum { VM_BITCRUSH_BITS, VM_BITCRUSH_RATE } vm_bitcrush_param;
#define VM_BITCRUSH_RATE_MIN_HZ 100.0 /* the slowest rate a bit crusher takes at */
/* ... and of a convolution reverb (its IR, predelay, normalisation and
 * partition are fixed: they make its memory and its latency) */
typedef enum { VM_CONV_MIX, VM_CONV_GAIN } vm_convolve_param;
#define VM_INSERT_NSETP 2

/* The automatable settings of a delay (dsp/delay.h), in this order, and
 * its settings in the script's units; max_s (0: the longest time the lane
 * reaches) sizes the line and glide_pct is the read position's top speed,
 * both fixed when the mix is compiled. */
typedef enum {
    VM_DELAY_TIME, VM_DELAY_FEEDBACK, VM_DELAY_MIX, VM_DELAY_LOWPASS, VM_DELAY_HIGHPASS, VM_DELAY_NPARAMS
} vm_delay_param;
typedef struct {
    double time_s, feedback_pct, mix_pct, lowpass_hz, highpass_hz;
    double max_s, glide_pct;
    int pingpong;               /* a stereo strip's two lines feed each other (dsp/delay.h) */
} vm_delay_settings;
/* A convolution reverb's IR file and fixed settings (dsp/convolver.h). */
typedef struct {
    char *path;                 /* the IR file as resolved (owned; NULL for other kinds) */
    vm_media_info info;         /* as probed when the script ran */
    double mix_pct;             /* 0 dry .. 100 wet (automatable: moves in setp[VM_CONV_MIX]) */
    double gain_db;             /* the wet signal's gain (automatable: setp[VM_CONV_GAIN]) */
    double predelay_s;
    int normalize;              /* scale the IR to unit energy on its loudest output */
    int partition;              /* samples: the FFT partition, and the latency */
} vm_convolve_desc;

/* The automatable settings of a stereo width insert, in this order. */
typedef enum { VM_WIDTH_WIDTH, VM_WIDTH_MID, VM_WIDTH_SIDE, VM_WIDTH_NPARAMS } vm_width_param;

/* The automatable settings of an algorithmic reverb (dsp/reverb.h), in
 * this order (its size and pre-delay are fixed: they set the lengths of
 * its delay lines). */
typedef enum {
    VM_REVERB_RT60, VM_REVERB_DAMPING, VM_REVERB_DAMPING_FREQ, VM_REVERB_WIDTH, VM_REVERB_MIX, VM_REVERB_NPARAMS
} vm_reverb_param;

/* An insert on a strip, run in order after the clips (or a bus's inputs)
 * and before the fader.
 * EQ: one filter of dsp/biquad.h; freq (Hz), gain (dB) and q are
 * automatable; order (1..8) makes a highpass/lowpass Butterworth.
 * Dynamics: a compressor, expander or gate of dsp/dynamics.h, keyed from
 * the strip itself or from another strip's post-fader signal (key >= 0);
 * threshold, ratio, knee, makeup and range are automatable: their static
 * values are dyn's fields (which is what `dubstage repl` sets by name),
 * their moves are in dynp (whose .value is only a copy the script bindings
 * refresh: vm_insert_param_get puts the two together).
 * Limiter: dsp/limiter.h, true-peak aware, with look-ahead latency that the
 * compiler compensates on every parallel path and at the outputs; ceiling
 * and release are automatable. Transient shaper: dsp/transient.h; attack
 * and sustain are automatable. Convolution reverb: dsp/convolver.h with the
 * IR file in conv; mix and gain are automatable. As for dynamics, their
 * static values are lim's, attack_db/sustain_db and conv's, their moves are
 * in setp (vm_insert_param_get puts the two together). Delay: dsp/delay.h; time,
 * feedback, mix, lowpass and highpass are automatable, their static values
 * in delay, their moves in delayp. Stereo width
 * (dsp/stereo.h): width, mid and side are automatable, their static values
 * width/mid_db/side_db, their moves widthp. A mid-side matrix, a polarity
 * inverter and a channel map are fixed when made (their settings below).
 * Reverb (dsp/reverb.h): rt60, damping, damping_freq, width and mix are
 * automatable (static values in reverb, moves in reverbp); size and
 * pre-delay are fixed. Which field holds what,
 * with its name, unit and range: vm/insert_params.h. */
typedef struct {
    char where[VM_WHERE_LEN];
    vm_insert_kind kind;
    dsp_eq_type type;
    int order;
    vm_param_desc freq, gain, q;
    dsp_dyn_params dyn;
    vm_param_desc dynp[VM_DYN_NPARAMS]; /* moves of dyn's automatable settings, in vm_dyn_param order */
    int key;                    /* strip index of the key, -1: the strip itself */
    double key_lo, key_hi;      /* key filter band in Hz (0, 0: none) */
    int key_order;              /* the key filter's Butterworth order at each edge, 1..8 (set with the band) */
    dsp_limiter_params lim;     /* limiter: ceiling dBTP, look-ahead, release */
    double attack_db, sustain_db; /* transient shaper (dsp/transient.h) */
    double clip_db, sat_mix_pct; /* saturator (dsp/saturate.h) */
    double crush_bits, crush_rate_hz; /* bit crusher (dsp/bitcrush.h) */
    vm_delay_settings delay;    /* delay (dsp/delay.h) */
    vm_param_desc delayp[VM_DELAY_NPARAMS]; /* its moves, in vm_delay_param order (.value: a copy, as in dynp) */
    vm_param_desc setp[VM_INSERT_NSETP]; /* limiter, transient shaper, convolution reverb, saturator, bit
                                            crusher: moves of its settings, in vm_lim_param,
                                            vm_transient_param, vm_convolve_param, vm_saturate_param or
                                            vm_bitcrush_param order
                                            (.value: a copy, as in dynp) */
    vm_convolve_desc conv;      /* convolution reverb */
    int duck;                   /* a realtime duck rule (VM_INSERT_DUCK): its index in vm_desc.ducks */
    double width, mid_db, side_db; /* stereo width: 0..2, and the mid and side gains in dB */
    vm_param_desc widthp[VM_WIDTH_NPARAMS]; /* their moves, in vm_width_param order (.value: a copy) */
    int ms_decode;              /* mid-side matrix: 1 decode (M S -> L R), 0 encode (L R -> M S) */
    int nchannels;              /* channel map: entries in channel[] (output channels);
                                   polarity: channels listed in channel[] (0 with all set) */
    int channel[VM_MAX_CHANNELS]; /* channel map: output k takes input channel[k] (1-based; 0: silence);
                                     polarity: the channels inverted (1-based) */
    int all;                    /* polarity: every channel of the strip */
    double reverb[VM_REVERB_NPARAMS]; /* reverb: static values in vm_reverb_param order */
    vm_param_desc reverbp[VM_REVERB_NPARAMS]; /* ... and their moves (.value: a copy, as in dynp) */
    double reverb_size_m, reverb_predelay_s; /* reverb: fixed when it is made */
} vm_insert_desc;

/* Parses a filter type word (highpass, lowpass, bandpass, notch, peak,
 * lowshelf, highshelf, allpass); the error suggests the closest. */
ds_result vm_eq_type_parse(const char *word, dsp_eq_type *type, char *err);
const char *vm_eq_type_name(dsp_eq_type type);
const char *vm_eq_type_list(void);

/* A send: the strip feeds bus `dest` (also listed in its dests) at `level`
 * dB, taken after its fader (post) or before it (pre). */
typedef struct {
    int dest;
    int pre;
    vm_param_desc level;        /* dB, automatable */
    char where[VM_WHERE_LEN];
} vm_send_desc;

/* A route's fold-down settings (`a:to(b, { downmix = "LoRo", centre = -3 })`
 * or the same keys in a send's table): a route between layouts that have a
 * fold-down (vm_layout_fold) folds with the defaults when it has none. */
typedef struct {
    int dest;
    int downmix;                /* the layout the script's downmix word makes, -1: no word */
    vm_fold_gains gains;        /* dB */
    char where[VM_WHERE_LEN];
} vm_route_desc;

typedef struct {
    vm_strip_kind kind;
    char *name;
    char where[VM_WHERE_LEN];
    int channels;
    char channels_where[VM_WHERE_LEN]; /* the line that set channels ({ channels = N } or the clip a track
                                          took its count from), "" when the default */
    vm_layout layout;           /* { layout = "5.1" }; PLAIN: by channel count (vm_layout_resolve) */
    vm_param_desc gain;         /* fader, dB */
    vm_param_desc trim;         /* trim, dB, added to the fader */
    vm_param_desc pan;          /* -1 (left) .. +1 (right) */
    vm_param_desc surround[VM_SURROUND_NPARAMS]; /* the surround panner's other settings (vm/surround_params.h) */
    vm_param_desc duck;         /* dB, moves made by the duck analysis (a gain layer) */
    vm_param_desc bandduck;     /* dB, the same for a band duck: the gain of band_lo..band_hi */
    double band_lo, band_hi;    /* the band duck's band (band_hi 0: none) */
    int mute, solo;
    vm_param_desc mutep;        /* mute moves: SET events of 1 (mute) or 0 (unmute); .value a copy of mute */
    int *dests;                 /* strip indices this strip feeds, in the order written */
    int ndests, capdests;
    vm_send_desc *sends;        /* the dests that are sends (a level, pre or post fader) */
    int nsends, capsends;
    vm_route_desc *routes;      /* the dests given fold-down settings */
    int nroutes, caproutes;
    vm_clip_desc *clips;        /* tracks only */
    int nclips, capclips;
    vm_insert_desc *inserts;    /* in signal order, after the clips (or the bus sum), before the fader */
    int ninserts, capinserts;
} vm_strip_desc;

/* output { ..., normalize = { integrated = -23, true_peak = -1 } }: a
 * two-pass render to a loudness target (vm/normalize.h). */
typedef struct {
    int on;                     /* 0: the output is written as rendered */
    double integrated_lufs;     /* the target, LUFS */
    double true_peak_dbtp;      /* the ceiling, dBTP */
    int stems;                  /* 1: the outputs recorded upstream of it take its gain */
} vm_normalize_desc;

typedef struct {
    char *path;                 /* final output path */
    char *declared;             /* the path as the script wrote it (before --out): what
                                   render --output names it by */
    char where[VM_WHERE_LEN];
    int strip;                  /* the strip whose post-fader signal is written (an output with
                                   downmix = "LoRo": the implicit bus the script made for it) */
    vm_out_format format;
    vm_dither dither;
    vm_normalize_desc normalize;
    int place;                  /* its index among all the outputs the script declared: a render of
                                   some of them (render --output) dithers it with the same seed */
} vm_output_desc;

/* A deliverable (deliver { ... }): a strip's signal judged against a spec
 * after every render (vm/judge.h). */
typedef struct {
    char where[VM_WHERE_LEN];
    vm_delivery_spec spec;
    int strip;                  /* the strip judged */
    int output;                 /* the output deliver wrote from it (index into outputs; its file's
                                   measures are judged), or -1: judged on the strip's own meter or
                                   on the first output that records the strip */
    int dialogue;               /* the dialogue stem's strip (dialogue = ...), -1 when none */
    int normalize;              /* deliver { ..., normalize = true } */
} vm_deliverable_desc;

/* A VCA: its gain (dB, automatable) is added to the gain of every member. */
typedef struct {
    char *name;
    char where[VM_WHERE_LEN];
    vm_param_desc gain;
    int *members;               /* strip indices */
    int nmembers, capmembers;
} vm_vca_desc;

/* A mute group: muting it mutes every member. */
typedef struct {
    char *name;
    char where[VM_WHERE_LEN];
    int mute;
    vm_param_desc mutep;        /* mute moves, as a strip's */
    int *members;
    int nmembers, capmembers;
} vm_mute_group_desc;

/* A ducking rule: the target strip dips by depth_db while the key strip
 * carries signal above threshold_db. The offline analysis (vm/duck.h) turns
 * it into moves on the target's `duck` gain layer before rendering. */
typedef struct {
    char where[VM_WHERE_LEN];
    int target, key;            /* strip indices */
    double depth_db;            /* < 0 */
    double threshold_db;        /* key level (10 ms RMS, loudest channel) that counts as a line */
    double attack_s, release_s, hold_s, preroll_s, bridge_s;
    double band_lo, band_hi;    /* band ducking: only lo..hi Hz dips (0, 0: the whole signal) */
    double lookahead_s;         /* > 0: runs in real time with this look-ahead (dsp/ducker.h), an
                                   insert at the end of the target's chain; 0: analysed offline */
} vm_duck_desc;

/* A clip spot() placed from an edit (vm/edit.h), for `dubstage info`: the
 * clip is an ordinary clip of its track (a script may change it); this
 * says which event of which edit it came from. */
typedef struct {
    int strip, clip;            /* d->strips[strip].clips[clip] */
    int track;                  /* the edit's audio track (1 = A1) */
    int event;                  /* the event's number */
    char from[VM_WHERE_LEN];    /* where the event is written: "cut.edl:7", "cut.otio: tracks.children[1]..." */
} vm_spot_desc;

typedef struct {
    vm_timebase tb;
    int64_t length;             /* samples; -1: until the last clip ends */
    vm_strip_desc *strips;
    int nstrips, capstrips;
    vm_output_desc *outputs;
    int noutputs, capoutputs;
    vm_vca_desc *vcas;
    int nvcas, capvcas;
    vm_mute_group_desc *mute_groups;
    int nmute_groups, capmute_groups;
    vm_duck_desc *ducks;
    int nducks, capducks;
    vm_deliverable_desc *deliverables;
    int ndeliverables, capdeliverables;
    vm_spot_desc *spots;        /* clips placed by spot(), in the order placed */
    int nspots, capspots;
    struct vm_conform_log *conform; /* conform { from = ..., to = ... }: what it moved (vm/conform_mix.h); NULL */
    int analysis;               /* compile for the duck analysis: the duck keys are the only outputs */
    int live_tap;               /* live playback: this strip's signal is kept for the device (-1: none) */
    int live_meters;            /* live playback, and a render's QC report (vm/qc_series.h): every
                                   bus's signal is kept for the meters */
    char *script_path;
    char **inputs;              /* every file the script read, by real path, in the order first read: the
                                   script, modules, data, marker and trims files, clip sources, IRs
                                   (vm/sandbox.h's inputs; the check manifest hashes them) */
    int ninputs;
    vm_module_desc *modules;    /* every module required, in the order first loaded */
    int nmodules, capmodules;
    char trims_path[4096];      /* the last `trims "file"` the script read ("" if none) */
    char marker_files[4][4096]; /* the marker lists the script loaded (the REPL's cues), in order */
    int nmarker_files;
    char *output_selection;     /* render --output: the outputs kept (vm/output_select.h), their
                                   file names without extension joined by '+' ("DX+MX"); NULL: all */
} vm_desc;

/* Initialises an empty description with the default session (48 kHz,
 * 24 fps, start 00:00:00:00, length until the last clip). */
void vm_desc_init(vm_desc *d);

/* Frees everything d owns and leaves it empty (re-initialised). */
void vm_desc_free(vm_desc *d);

/* The send of strip s to bus t, or NULL when s feeds t plainly (or not). */
const vm_send_desc *vm_desc_send(const vm_desc *d, int s, int t);

/* The fold-down settings of the route from strip s to bus t, or NULL. */
const vm_route_desc *vm_desc_route(const vm_desc *d, int s, int t);

/* 1 when strip s has a send taken before its fader. */
int vm_desc_has_pre_send(const vm_desc *d, int s);

/* Index of the strip called name, or -1. */
int vm_desc_find_strip(const vm_desc *d, const char *name);

/* A finished lane holding the parameter's static value and its moves (the
 * caller frees it); NULL with a message naming the script line and `name`
 * when the moves are inconsistent or memory runs out. */
vm_lane *vm_param_desc_lane(const vm_param_desc *pd, int is_db, const char *name, char *err);

/* A mute move fades: linear in amplitude over VM_MUTE_FADE_S (rounded to
 * the nearest sample: vm_mute_fade_samples, at least 1), from the move's
 * own sample; a mute is silent from that many samples later. */
#define VM_MUTE_FADE_S 0.005
int64_t vm_mute_fade_samples(double rate);

/* The gain layer (dB) that plays mute moves pd over a static setting
 * `muted`: out's value is silence or 0 dB, and each move becomes an
 * amplitude ramp of vm_mute_fade_samples(rate) to silence (on) or to 0 dB
 * (off). out's events are allocated here (vm_param_desc_free); its line is
 * pd's. Fails only when out of memory. */
ds_result vm_mute_layer(const vm_param_desc *pd, int muted, double rate, vm_param_desc *out, char *err);

/* The largest value p takes: its static value, every move's value and
 * every curve point (every move stays between the values it joins). */
double vm_param_desc_max(const vm_param_desc *p);

/* Frees a parameter's events (and their curve points); keeps its value. */
void vm_param_desc_free(vm_param_desc *p);

/* The session length in samples: d->length, or the end of the last clip. */
int64_t vm_desc_length(const vm_desc *d);

/* The crossfades among the clips spot() placed (d->spots), as the clips are
 * now: the spotted clips whose fade in lies on the same samples as the fade
 * out of a spotted clip of the same track (what spot() makes of a dissolve
 * or a wipe; a script may have changed them since, a conform moved them).
 * -1 when out of memory. */
int vm_desc_spot_crossfades(const vm_desc *d);

#endif
