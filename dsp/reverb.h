/* reverb.h - an algorithmic reverb: a 16-line feedback delay network.
 *
 * Design: J.-M. Jot and A. Chaigne, "Digital delay networks for designing
 * artificial reverberators", 90th AES Convention, Paris 1991 (preprint
 * 3030): N delay lines closed through a lossless (orthogonal) feedback
 * matrix, each line followed by an absorption filter whose gain is set by
 * its length so that every mode of the network decays by 60 dB in the set
 * time; input diffusion by series Schroeder allpasses as in J. Dattorro,
 * "Effect Design, Part 1: Reverberator and Other Filters", JAES 45(9), 1997.
 *
 * The network, per sample t (x: the diffused inputs, y: the lines' outputs
 * after absorption, u: what is written into the lines):
 *     y_i(t) = H_i(line_i(t - m_i))                 i = 0..15
 *     u(t)   = A y(t) + B x(t),   A = H16 / 4       (H16: Sylvester Hadamard)
 *     out_k(t) = c_k . y(t)
 * A is orthogonal (A A^T = I, its entries +-1/4 are exact in binary), so
 * the loop loses energy only in the H_i.
 *
 * Absorption (Jot): line i of m_i samples must lose 60 dB in rt60 seconds,
 * i.e. its gain per pass is g_i = 10^(-3 m_i / (fs rt60)). The
 * high-frequency decay is rt60 * damping, reached through a first-order
 * shelf:
 *     H_i(z) = g_i (1 - (1 - r_i) HP(z)),  r_i = 10^(-3 m_i (1/damping - 1) / (fs rt60))
 * where HP is the bilinear first-order high-pass at damping_hz (gain 0 at
 * DC, 1 at Nyquist, power 1/2 at damping_hz). So at DC every line's gain is
 * exactly g_i (decay rt60) and at Nyquist exactly g_i r_i (decay
 * rt60 * damping); at damping_hz the loss per pass is half-way in power.
 * damping = 1 is no damping: every frequency decays in rt60.
 *
 * Lengths: the mean line length is size / 343 m/s (the room's size in
 * metres is the time sound takes to cross it); the 16 lengths spread
 * geometrically from 0.6 to 1.4 times that mean, each the next prime (all
 * distinct, so no two lines share a period), alternately on the left half
 * (lines 0..7) and the right half (8..15).
 *
 * Channels: each channel is a speaker on a side (dsp_reverb_speaker). A
 * channel on the left side injects into lines 0..7 only and is read from
 * lines 0..7 only (on the right, 8..15; a centre or a mono channel, all 16),
 * with the sign pattern of one row of an 8-point Hadamard matrix per slot
 * (a side takes up to three, L Ls Lrs, and a centre one of its own; or,
 * with no centre, four a side).
 * The first pass through the lines therefore keeps a left input on the
 * left outputs (true stereo: a left source stays left-ish); from the second
 * pass on A spreads it over the whole network. The output rows of any two
 * channels are orthogonal, so the late outputs are decorrelated (their
 * correlation is c_j . c_k / (|c_j| |c_k|) = 0 for a diffuse tail). The
 * output vectors are scaled so that their powers sum to the network's:
 * the late power summed over the output channels is the same in mono,
 * stereo and 5.1. An LFE channel (DSP_REVERB_SKIP) neither feeds nor takes
 * anything: it comes out silent (times mix's dry part).
 *
 * Width (0..1) narrows each left/right pair of the same slot (L/R, Ls/Rs):
 *     L' = L (1 + width) / 2 + R (1 - width) / 2, and the mirror for R';
 * width 1 leaves the pair as it is, 0 makes both the pair's average.
 * Mix (0..1; the script's mix in % / 100) is a linear crossfade:
 * out = dry (1 - mix) + wet mix; 1 (an aux bus fed by sends) is wet only.
 *
 * Pre-delay: a delay of each input channel before the diffusers.
 *
 * Denormals: every value written into the state (lines, filters, allpass
 * and pre-delay memories) and every output sample is 0 or at least FLT_MIN
 * in magnitude; a smaller one is made 0 where it is written. Per sample, so
 * the result does not depend on how the input is split into calls.
 *
 * Block-size independence: a call works in chunks no longer than the
 * shortest line (a chunk reads only what earlier chunks wrote), and every
 * sample goes through the same operations in the same order whatever the
 * chunking: the bits do not depend on how the input is split into calls. */
#ifndef DSP_REVERB_H
#define DSP_REVERB_H

#include <stddef.h>

#define DSP_REVERB_LINES 16
#define DSP_REVERB_MAX_CHANNELS 8
#define DSP_REVERB_DIFFUSERS 4
#define DSP_REVERB_CHUNK 256
/* the fixed settings' ranges: a room of 2 to 100 m (line lengths 0.6 to
 * 1.4 times 5.8 to 292 ms), a pre-delay up to half a second */
#define DSP_REVERB_SIZE_MIN_M 2.0
#define DSP_REVERB_SIZE_MAX_M 100.0
#define DSP_REVERB_PREDELAY_MAX_S 0.5

/* Where a channel sits: which half of the network it feeds and is read
 * from. SKIP: none (an LFE). */
typedef enum { DSP_REVERB_SKIP, DSP_REVERB_LEFT, DSP_REVERB_RIGHT, DSP_REVERB_CENTRE } dsp_reverb_side;

typedef struct {
    dsp_reverb_side side;
    int slot;                   /* 0..3: its tap pattern on its side (L is 0, Ls 1, Lrs 2; 3 only without a centre) */
    double gain;                /* its output's gain relative to the others (a centre's 0.5) */
} dsp_reverb_speaker;

/* The settings that may change while it runs (dsp_reverb_set). */
typedef struct {
    double rt60_s;              /* decay by 60 dB at low and mid frequencies, seconds (> 0) */
    double damping;             /* high-frequency rt60 / rt60, (0, 1]; 1: no damping */
    double damping_hz;          /* where the high-frequency decay takes over (0 < f < fs/2) */
    double width;               /* 0..1 */
    double mix;                 /* 0..1: wet part */
} dsp_reverb_params;

/* The settings fixed when it is made: they size its memory. */
typedef struct {
    int channels;               /* 1..DSP_REVERB_MAX_CHANNELS */
    dsp_reverb_speaker speakers[DSP_REVERB_MAX_CHANNELS];
    double size_m;              /* > 0 */
    double predelay_s;          /* >= 0 */
} dsp_reverb_shape;

typedef struct {
    double fs;
    int nch;
    dsp_reverb_params p;
    /* the network */
    int len[DSP_REVERB_LINES], pos[DSP_REVERB_LINES], min_len;
    float *line[DSP_REVERB_LINES];
    float hp_x[DSP_REVERB_LINES], hp_y[DSP_REVERB_LINES]; /* the shelves' high-pass memories */
    float g[DSP_REVERB_LINES], loss[DSP_REVERB_LINES];    /* g_i and 1 - r_i */
    float hp_b0, hp_a1;
    float in_vec[DSP_REVERB_MAX_CHANNELS][DSP_REVERB_LINES];  /* B's columns */
    float out_vec[DSP_REVERB_MAX_CHANNELS][DSP_REVERB_LINES]; /* c_k */
    int feeds[DSP_REVERB_MAX_CHANNELS];   /* 0: the channel's B column is zero (an LFE): nothing diffused */
    int partner[DSP_REVERB_MAX_CHANNELS]; /* the other side of a width pair, or -1 */
    float wet, dry, wide_same, wide_cross;
    /* the inputs: pre-delay, then the diffusers */
    int pre_len, pre_pos;
    float *pre[DSP_REVERB_MAX_CHANNELS];
    int ap_len[DSP_REVERB_MAX_CHANNELS][DSP_REVERB_DIFFUSERS];
    int ap_pos[DSP_REVERB_MAX_CHANNELS][DSP_REVERB_DIFFUSERS];
    float *ap[DSP_REVERB_MAX_CHANNELS][DSP_REVERB_DIFFUSERS];
    /* scratch of one chunk */
    float y[DSP_REVERB_LINES][DSP_REVERB_CHUNK];
    float x[DSP_REVERB_MAX_CHANNELS][DSP_REVERB_CHUNK];
    float wet_out[DSP_REVERB_MAX_CHANNELS][DSP_REVERB_CHUNK];
} dsp_reverb;

/* The speakers of a channel count when nothing else says: 1 mono (a centre,
 * read from all 16 lines), 2 L R, 3 L R C, 4 L R Ls Rs, 5 L R C Ls Rs,
 * 6 L R C LFE Ls Rs (5.1), 8 L R C LFE Lss Rss Lrs Rrs (7.1); 7 is
 * L R C Lss Rss Lrs Rrs. A centre next to left and right channels has
 * gain 0.5 (-6 dB): the dialogue channel gets less of the room. */
void dsp_reverb_speakers_for(int channels, dsp_reverb_speaker *speakers);

/* Bytes of memory a reverb of this shape at fs needs (init's mem). */
size_t dsp_reverb_heap_size(double fs, const dsp_reverb_shape *shape);

/* A reverb of this shape with settings p and a clean state, in mem
 * (dsp_reverb_heap_size bytes; the caller owns it, the reverb keeps
 * pointers into it). */
void dsp_reverb_init(dsp_reverb *s, void *mem, double fs, const dsp_reverb_shape *shape, const dsp_reverb_params *p);

/* New settings from the next sample on; the lines and filters keep their
 * contents. */
void dsp_reverb_set(dsp_reverb *s, const dsp_reverb_params *p);

/* The state before the first sample: silence in every memory. */
void dsp_reverb_reset(dsp_reverb *s);

/* src's running state into dst (dst keeps its settings). -1, dst untouched,
 * when their shapes differ (channels, rate, line, diffuser or pre-delay
 * lengths); else 0. No allocation. */
int dsp_reverb_copy_state(dsp_reverb *dst, const dsp_reverb *src);

/* Reverberates io[0..nch)[0..n) in place. */
void dsp_reverb_process(dsp_reverb *s, float *const *io, int n);

/* The length of line i in samples (tests). */
int dsp_reverb_line_length(const dsp_reverb *s, int i);

/* Its memory in samples (dsp/memory.h) for a decay of rt60_s: the
 * pre-delay, the diffusers, then the tail falling 60 dB in rt60_s (the
 * settings' own when rt60_s is 0). */
double dsp_reverb_memory(const dsp_reverb *s, double rt60_s);

#endif
