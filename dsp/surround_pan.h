/* surround_pan.h - the surround panner: the gains of a mono (or stereo)
 * source for a speaker layout, from a position in the room, a spread, a
 * centre setting and an LFE send. docs/surround.md is the user's page; the
 * law is stated here exactly, and tests/unit/test_surround_pan.c checks it.
 *
 * The room is the square x in [-1, 1] (left .. right), y in [-1, 1]
 * (rear .. front), as on the X/Y joystick of Pro Tools' and Nuendo's
 * panners. Each speaker has a place on it (docs/surround.md gives the
 * places of L C R Ls Rs Lss Rss Lrs Rrs); speakers with the same y form a
 * row (5.1: the front row L C R and the rear row Ls Rs).
 *
 * The pair law, for a value v between two neighbours at a < b:
 *     t = (v - a) / (b - a),  near = cos(t pi / 2),  far = sin(t pi / 2)
 * (exactly 1 and 0 at t = 0 and t = 1), so near^2 + far^2 = 1.
 *
 * A point source at (x, y), every speaker's gain in four steps:
 *  1. rows: y, clamped to the rows' extent, falls between two neighbouring
 *     rows (or on one): the pair law gives each row a gain r (one row: 1).
 *  2. within a row: x, clamped to the row's extent, falls between two
 *     neighbouring speakers of the row (or on one): the pair law gives
 *     each a gain q; every other speaker of the row gets 0.
 *     The point gain of a speaker is p = r(row) q.
 *  3. centre c in [0, 1]: the centre speaker's row is evaluated twice, with
 *     the centre (q_on) and without it (q_off: a phantom centre between L
 *     and R), and the powers blended: q^2 = c q_on^2 + (1 - c) q_off^2.
 *     (A row holding only the centre ignores c.)
 *  4. spread s in [0, 1]: the powers blend towards an even spread over the
 *     speakers in use:
 *         g^2 = (1 - s) p^2 + s w / W
 *     where w = 1 for every full-range speaker but the centre, w = c for
 *     the centre, and W is the sum of the w. s = 0 is the point source,
 *     s = 1 the same power in every speaker in use (the position no longer
 *     matters), and the blend is linear in power between them.
 * Each step keeps the sum of the squares at 1: the full-range speakers'
 * gains always have sum(g^2) = 1 (within the cos/sin polynomials' 1e-9),
 * and a source at a speaker's place (s = 0; for the centre, c = 1) has gain
 * exactly 1 there and exactly 0 everywhere else.
 *
 * LFE: the LFE channel gets 10^(lfe_db / 20) (exactly 0 at or below
 * DSP_SURROUND_PAN_SILENCE_DB; lfe_db clamped to +24), outside the sum above; no filter (the
 * LFE's low-pass is the encoder's or the monitor's, as on a console).
 *
 * Stereo: the two channels are two point sources at x - width and
 * x + width (each clamped to [-1, 1]), same y, spread, centre and LFE;
 * width in [0, 1] (1 with x = 0 puts left on the left speakers and right
 * on the right ones; 0 puts both at x).
 *
 * cos and sin are dsp/fastmath.h's polynomials (plain IEEE arithmetic, no
 * libm), so a setting gives the same gains on every machine, whether the
 * compiler makes a static matrix of it or an op evaluates it on a knot. */
#ifndef DSP_SURROUND_PAN_H
#define DSP_SURROUND_PAN_H

#define DSP_SURROUND_PAN_MAX_SPEAKERS 16
#define DSP_SURROUND_PAN_SILENCE_DB (-144.0)

typedef enum {
    DSP_SPEAKER_FULL,   /* a full-range speaker */
    DSP_SPEAKER_CENTRE, /* the front centre: full range, weighted by c */
    DSP_SPEAKER_LFE,    /* the LFE: gets the LFE send only, has no place */
} dsp_speaker_kind;

typedef struct {
    dsp_speaker_kind kind;
    double x, y; /* its place in the room (ignored for the LFE) */
} dsp_speaker;

/* A setting of the panner. */
typedef struct {
    double x;      /* -1 left .. +1 right */
    double y;      /* -1 rear .. +1 front */
    double spread; /* 0 point source .. 1 even over the speakers in use */
    double centre; /* 0 phantom centre .. 1 centre speaker */
    double lfe_db; /* LFE send, dB; <= DSP_SURROUND_PAN_SILENCE_DB: none */
    double width;  /* stereo sources only: 0 .. 1 */
} dsp_surround_pan_setting;

/* A layout's speakers, sorted into rows once. */
typedef struct {
    int nch;                 /* channels (speakers, the LFE included) */
    int nrows;               /* rows of full-range speakers */
    int centre;              /* the centre's channel, or -1 */
    int lfe;                 /* the LFE's channel, or -1 */
    int centre_row;          /* the centre's row, or -1 */
    double row_y[DSP_SURROUND_PAN_MAX_SPEAKERS];   /* ascending */
    int row_first[DSP_SURROUND_PAN_MAX_SPEAKERS + 1]; /* row r: by_row[row_first[r] .. row_first[r + 1]) */
    int by_row[DSP_SURROUND_PAN_MAX_SPEAKERS];     /* channels, by row, then by ascending x */
    double x[DSP_SURROUND_PAN_MAX_SPEAKERS];       /* each channel's x */
    double x_by_row[DSP_SURROUND_PAN_MAX_SPEAKERS]; /* the x of by_row[i] */
    int nphantom;                                  /* the centre's row without the centre: */
    double phantom_x[DSP_SURROUND_PAN_MAX_SPEAKERS]; /* its speakers' x, ascending */
    int centre_alone;                              /* the centre's row holds the centre only */
} dsp_surround_pan;

/* Sorts n speakers (channel k is spk[k]) into rows. Returns 0, or -1 (s
 * untouched) when n is outside 1..DSP_SURROUND_PAN_MAX_SPEAKERS, there is
 * no full-range speaker, more than one centre or LFE, a place outside the
 * square, or two speakers at one place. */
int dsp_surround_pan_init(dsp_surround_pan *s, const dsp_speaker *spk, int n);

/* gains[0 .. s->nch) of a mono source (the law above; the setting's width
 * is not read). Values outside their ranges are clamped. */
void dsp_surround_pan_mono(const dsp_surround_pan *s, const dsp_surround_pan_setting *set, double *gains);

/* The gains of a stereo source's left and right channels. */
void dsp_surround_pan_stereo(const dsp_surround_pan *s, const dsp_surround_pan_setting *set, double *left,
                             double *right);

/* What a setting gives before x (step 1, the clamped spread and centre,
 * the LFE's gain): a stereo source's two channels share it, and a pan
 * whose y, spread, centre and LFE do not move keeps it from one knot to
 * the next. */
typedef struct {
    int r;        /* the row at or below y */
    double rg[2]; /* the gains of rows r and r + 1 */
    double spread, c, lfe;
} dsp_surround_pan_rows;

/* A source's last evaluation, per channel: the values its gains depend on
 * (x after width and clamping, y, spread, centre, LFE), compared bit for
 * bit, and the gains. A moving pan often holds one channel where the next
 * knot leaves it (a stereo source's left channel stays at x = -1 while x
 * <= 0 with width 1), and then its gains need not be worked out again;
 * and the rows of the last y, spread, centre and LFE (rows_key), which a
 * pan that moves only x keeps. Zeroed: nothing remembered. */
typedef struct {
    struct {
        int valid;
        double key[5];
        double gains[DSP_SURROUND_PAN_MAX_SPEAKERS];
    } side[2];
    int rows_valid;
    double rows_key[4];
    dsp_surround_pan_rows rows;
} dsp_surround_pan_memo;

/* dsp_surround_pan_mono (nsrc 1: gains[0]) or _stereo (nsrc 2: gains[0]
 * left, gains[1] right), the same bits, a channel whose values are in the
 * memo copied from it, the rows reused when their values are the memo's;
 * the memo updated. */
void dsp_surround_pan_remembered(const dsp_surround_pan *s, const dsp_surround_pan_setting *set, int nsrc,
                                 dsp_surround_pan_memo *memo, double gains[][DSP_SURROUND_PAN_MAX_SPEAKERS]);

/* dsp_surround_pan_remembered of set0 into g0, then of set1 into g1 (the
 * same bits, the memo left as those two calls leave it), the two worked
 * out side by side where they can be: a moving pan's gains at both ends of
 * a stretch. */
void dsp_surround_pan_remembered2(const dsp_surround_pan *s, const dsp_surround_pan_setting *set0,
                                  const dsp_surround_pan_setting *set1, int nsrc, dsp_surround_pan_memo *memo,
                                  double g0[][DSP_SURROUND_PAN_MAX_SPEAKERS], double g1[][DSP_SURROUND_PAN_MAX_SPEAKERS]);

#endif
