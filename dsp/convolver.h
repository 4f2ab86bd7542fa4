/* convolver.h - convolution with a long impulse response: partitioned
 * overlap-save with frequency-domain delay lines (F. Wefers, "Partitioned
 * convolution algorithms for real-time auralization", 2015, ch. 5 and 6;
 * W. G. Gardner, "Efficient convolution without input-output delay", JAES
 * 43(3), 1995; the same scheme as zita-convolver's stages), over FFTW3
 * single precision.
 *
 * The head: the IR is cut into partitions of P samples (P fixed when the
 * convolver is made, a power of two). Every P input samples, the last 2P
 * input samples of each channel are transformed (FFT of size 2P) into the
 * delay line, and the output spectrum is sum_j X[m - j] H[j] over the
 * partitions j; its inverse transform's second half is the next P output
 * samples. So the output is the exact linear convolution delayed by P
 * samples (the latency, dsp_convolver_latency), and it does not depend on
 * how the caller splits its calls: the partition step runs at every P-th
 * input sample counted from the reset.
 *
 * The tail (non-uniform partitioning): when the IR is long for its
 * partition (at least DSP_CONV_HEAD_PARTS + 2 DSP_CONV_TAIL_RATIO
 * partitions), the head takes only the first DSP_CONV_HEAD_PARTS = 2K - 2
 * partitions (K = DSP_CONV_TAIL_RATIO) and the rest goes through a second
 * stage of partitions of Q = K P samples: its delay line holds K times
 * fewer spectra, so the multiply-adds per sample, where a uniform
 * convolver's time goes, fall by nearly K for that part of the IR. Its
 * work for a block of Q input samples is spread over the next K head
 * steps, one piece a step: the forward transforms, then the multiply-adds
 * in K - 2 slices of the bins, then the inverse transforms; no step does
 * more than one piece, so no block costs much more than another (and
 * nothing is done on another thread). The head's 2K - 2 partitions are
 * what this takes: the tail's output for the IR from sample (2K - 2) P on
 * is ready exactly when the first of it is due, P samples late like the
 * head's. The latency stays P; the output is the same convolution (its
 * rounding is a little different: the two stages' sums are added).
 *
 * Routing (dsp_conv_routing), with nch channels in and the same out:
 *   DSP_CONV_SHARED      one IR, every channel through it (a mono IR);
 *   DSP_CONV_PARALLEL    nch IRs, channel c through IR c (a stereo IR: L->L, R->R);
 *   DSP_CONV_TRUE_STEREO 2 channels, 4 IRs in the order LL, LR, RL, RR (first
 *                        letter the source, second the microphone): out L =
 *                        in L * LL + in R * RL, out R = in L * LR + in R * RR.
 *
 * A predelay of D samples is D zeros in front of the IR: whole partitions
 * of zeros are skipped in a delay line (no work), the rest put in front of
 * the first partition.
 *
 * Memory: everything in one block of dsp_convolver_heap_size bytes (the
 * caller's, 64-byte aligned); the FFTW plans are made by init and
 * destroyed by dsp_convolver_free. FFTW's planner is not thread-safe: init
 * and free take a lock of their own around it (never taken by process),
 * and plans are made with FFTW_ESTIMATE, so the same settings give the
 * same algorithm and the same bits on every run. process only calls
 * fftwf_execute_dft_r2c/c2r (thread-safe), never allocates. */
#ifndef DSP_CONVOLVER_H
#define DSP_CONVOLVER_H

#include <stddef.h>
#include <stdint.h>

#define DSP_CONVOLVER_MIN_PARTITION 64
#define DSP_CONVOLVER_MAX_PARTITION 16384

typedef enum { DSP_CONV_SHARED, DSP_CONV_PARALLEL, DSP_CONV_TRUE_STEREO } dsp_conv_routing;

#define DSP_CONV_TAIL_RATIO 8                             /* K: the tail's partition over the head's */
#define DSP_CONV_HEAD_PARTS (2 * DSP_CONV_TAIL_RATIO - 2) /* the head's partitions when there is a tail */

/* One uniformly partitioned stage: the head, or the tail. It covers the
 * predelayed IR (D zeros, then the IR) from sample `from` to `end`. */
typedef struct {
    int part;                 /* its partition: P for the head, K P for the tail */
    int64_t from, end;
    int nparts;               /* partitions holding IR samples */
    int skip;                 /* whole partitions of predelay before them */
    int nslots;               /* spectra in each delay line: skip + nparts (at least 1) */
    int stride;               /* floats of one half (re or im) of a spectrum: part + 1, rounded up to 16 */
    int slot;                 /* the delay line's newest spectrum */
    float **win;              /* per input channel: the last 2 part input samples, the newest last */
    float **fdl;              /* per input channel: nslots spectra, each re[stride] then im[stride] */
    float **irs;              /* per IR channel: nparts spectra, scaled by 1 / (2 part) */
    void *fwd, *inv;          /* fftwf_plan: r2c and c2r of size 2 part */
} dsp_conv_stage;

typedef struct {
    int partition;            /* P */
    int nch;                  /* channels in = channels out */
    int nir;                  /* IR channels: 1, nch, or 4 */
    dsp_conv_routing routing;
    int64_t ir_length;        /* samples of each IR channel */
    int predelay;             /* samples */
    int has_tail;
    dsp_conv_stage head, tail;
    /* running state */
    int fill;                 /* input samples of the current head partition taken in (0..P-1) */
    int64_t steps;            /* head partition steps since the reset: the tail's piece is steps % K */
    float **out;              /* per output channel: the P output samples being played */
    float **tail_acc;         /* per output channel: the tail spectrum being summed, re[stride], im[stride] */
    float **tail_out;         /* per output channel: the tail's latest Q output samples, played P a step */
    /* scratch, for the larger stage */
    float *spec;              /* interleaved complex, part + 1 bins */
    float *acc;               /* re[stride], im[stride] */
    float *time;              /* 2 part samples */
} dsp_convolver;

/* 1 when p is an accepted partition size (a power of two in
 * DSP_CONVOLVER_MIN_PARTITION .. DSP_CONVOLVER_MAX_PARTITION). */
int dsp_convolver_partition_ok(int p);

/* The IR channels routing r takes with nch channels (0: none fits). */
int dsp_convolver_ir_channels(dsp_conv_routing r, int nch);

/* The bytes init needs for these settings (every piece 64-byte aligned). */
size_t dsp_convolver_heap_size(int partition, int nch, dsp_conv_routing routing, int64_t ir_length, int predelay);

/* Lays the state out in mem (heap_size bytes, 64-byte aligned, zeroed or
 * not), makes the FFT plans, and leaves a silent IR and a clean state.
 * Returns 0, or -1 when FFTW cannot make a plan (nothing to free then).
 * ir_length >= 1; partition accepted by dsp_convolver_partition_ok;
 * routing's IR count (dsp_convolver_ir_channels) must not be 0. */
int dsp_convolver_init(dsp_convolver *s, void *mem, int partition, int nch, dsp_conv_routing routing,
                       int64_t ir_length, int predelay);

/* Sets the IR: ir[0..nir) of ir_length samples each, times scale. Computes
 * the partitions' spectra (uses the plans: call it on the thread that made
 * the convolver, not while process runs). The running state is kept. */
void dsp_convolver_set_ir(dsp_convolver *s, const float *const *ir, double scale);

/* The state before the first sample: delay lines, windows, output zero. */
void dsp_convolver_reset(dsp_convolver *s);

/* Convolves in[0..nch)[0..n) into out[0..nch)[0..n); out may be in (in
 * place). out is the convolution delayed by the latency. Never allocates. */
void dsp_convolver_process(dsp_convolver *s, const float *const *in, float *const *out, int n);

/* Samples the output runs late: the partition size (with a tail too). */
int dsp_convolver_latency(const dsp_convolver *s);

/* Carries src's running state (windows, the newest spectra of the delay
 * lines, the tail's sums and output, the output being played, the place in
 * the partition and in the tail's steps) into dst, which keeps its IR. -1,
 * dst untouched, when the partition or the input channel count differ. A
 * longer delay line than src's gets silence for the spectra src does not
 * have, and so does a tail src does not have. Bounded memcpy, no
 * allocation. */
int dsp_convolver_copy_state(dsp_convolver *dst, const dsp_convolver *src);

/* Destroys the FFT plans (the memory is the caller's). Safe twice. */
void dsp_convolver_free(dsp_convolver *s);

/* Its memory in samples: the pre-delay, the impulse response and the
 * partition it waits for; nothing older reaches the output at all. */
double dsp_convolver_memory(const dsp_convolver *s);

#endif
