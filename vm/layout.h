/* layout.h - speaker layouts: which loudspeaker each channel of a strip or
 * an output feeds.
 *
 * Inside dubstage a layout's channels are in SMPTE / ITU order with the
 * speakers a layout lacks left out (docs/layouts.md):
 *   mono    C                   (one channel)
 *   stereo  L R
 *   LCR     L R C
 *   5.0     L R C Ls Rs
 *   5.1     L R C LFE Ls Rs
 *   7.1     L R C LFE Lss Rss Lrs Rrs
 *   plain   N channels that feed no named speaker (stems, splits)
 * A strip with no layout takes one from its channel count: 1 is mono, 2 is
 * stereo, any other count plain.
 *
 * Files (WAV/RF64 WAVE_FORMAT_EXTENSIBLE, FLAC) want the channels in the
 * order of the channel-mask bits: 7.1 is written L R C LFE Lrs Rrs Lss Rss
 * (mask 0x63F); every other layout's file order is its own. The surrounds of
 * 5.0/5.1 are the side pair (mask bits 9 and 10: 0x607, 0x60F), the same
 * speakers as 7.1's Lss/Rss, so that 7.1 folds to 5.1 speaker for speaker
 * and ffmpeg names the file "5.1(side)", the layout it also gives every
 * 6-channel FLAC. A plain layout has mask 0 ("no speaker").
 */
#ifndef VM_LAYOUT_H
#define VM_LAYOUT_H

#include <stdint.h>

#include "dsp/loudness.h"
#include "vm/result.h"

typedef enum {
    VM_LAYOUT_PLAIN = 0,        /* by channel count: 1 mono, 2 stereo, else N plain channels */
    VM_LAYOUT_MONO,
    VM_LAYOUT_STEREO,
    VM_LAYOUT_LCR,
    VM_LAYOUT_5_0,
    VM_LAYOUT_5_1,
    VM_LAYOUT_7_1,
    VM_LAYOUT_COUNT
} vm_layout;

/* A loudspeaker; the value is its bit in the WAVE_FORMAT_EXTENSIBLE
 * channel mask (KSAUDIO_SPEAKER_*): the side surrounds (Ls/Rs of 5.x,
 * Lss/Rss of 7.1) are bits 9 and 10, the rear surrounds of 7.1 bits 4 and 5. */
typedef enum {
    VM_SPEAKER_NONE = -1,
    VM_SPEAKER_L = 0,           /* front left */
    VM_SPEAKER_R = 1,           /* front right */
    VM_SPEAKER_C = 2,           /* front centre */
    VM_SPEAKER_LFE = 3,         /* low-frequency effects */
    VM_SPEAKER_LRS = 4,         /* left rear surround (back left) */
    VM_SPEAKER_RRS = 5,         /* right rear surround (back right) */
    VM_SPEAKER_LS = 9,          /* left (side) surround: 5.x Ls, 7.1 Lss */
    VM_SPEAKER_RS = 10          /* right (side) surround: 5.x Rs, 7.1 Rss */
} vm_speaker;

/* Parses a layout word: "mono", "stereo", "LCR", "5.0", "5.1", "7.1"
 * (letters in any case). Error (DS_ERR_ARG) suggests the closest:
 * "unknown layout '5.2'; did you mean '5.1'? (layouts: mono stereo LCR 5.0
 * 5.1 7.1)". */
ds_result vm_layout_parse(const char *word, vm_layout *out, char *err);

/* The layout's word ("5.1"), "plain" for VM_LAYOUT_PLAIN; static. */
const char *vm_layout_name(vm_layout l);

/* The words vm_layout_parse takes, space-separated; static. */
const char *vm_layout_list(void);

/* The layout's channel count; 0 for plain (any count). */
int vm_layout_channels(vm_layout l);

/* The layout a strip of `channels` channels has when it declares `l`:
 * l itself, or for plain, mono at 1 channel and stereo at 2. */
vm_layout vm_layout_resolve(vm_layout l, int channels);

/* The speaker channel ch (0-based) of layout l feeds; VM_SPEAKER_NONE for
 * a plain layout or ch out of range. */
vm_speaker vm_layout_speaker(vm_layout l, int ch);

/* The channel of layout l that feeds speaker sp, or -1. */
int vm_layout_channel_of(vm_layout l, vm_speaker sp);

/* The name of channel ch of layout l ("Lss" in 7.1, "Ls" in 5.1, "3" for
 * the third plain channel); buf holds at least 12 bytes. Returns buf. */
const char *vm_layout_channel_name(vm_layout l, int ch, char *buf, int n);

/* The channel names of layout l at `channels`, space-separated ("L R C LFE
 * Ls Rs"; "6 plain channels"). */
void vm_layout_describe(vm_layout l, int channels, char *buf, int n);

/* BS.1770-4 weight G of channel ch: 1.0 for the front channels and for
 * plain channels, 0 for LFE (it is left out), 1.41 (+1.5 dB) for every
 * surround (side and rear, as ffmpeg's ebur128 weighs them). */
double vm_layout_weight(vm_layout l, int ch);

/* A loudness meter (dsp/loudness.h, its defaults: M and S on a 10 ms grid,
 * true peak) for `channels` channels of layout l at `rate`, each channel
 * weighted by vm_layout_weight, as every render and QC report meters a
 * strip. Free with dsp_loudness_destroy; NULL when out of memory. */
dsp_loudness *vm_layout_meter_create(vm_layout l, int channels, double rate);

/* BS.1770-4 weight G of the speaker at WAVE_FORMAT_EXTENSIBLE mask bit
 * `bit` (0..31), as ffmpeg's ebur128 weighs them: 0 for LFE (bit 3);
 * 1.41 for the side and rear surrounds (bits 4, 5, 9, 10), back
 * centre (8) and the top rear speakers (15, 16, 17); 1.0 for every other. */
double vm_speaker_weight(int bit);

/* The WAVE_FORMAT_EXTENSIBLE dwChannelMask of layout l (0 for plain). */
uint32_t vm_layout_mask(vm_layout l);

/* The order channels are written to a file: order[k] is the layout
 * channel that goes to file channel k (bit order of the mask; for plain,
 * mono, stereo, LCR, 5.0 and 5.1 the identity). order holds `channels`. */
void vm_layout_file_order(vm_layout l, int channels, int *order);

/* Where the channels of a file go on a strip of layout l: map[t] = the
 * file channel that plays on strip channel t. mask is the file's
 * dwChannelMask (its channels in bit order), file_channels its count.
 * For a single surround pair (5.0, 5.1) the rear bits count as Ls/Rs too.
 * Returns 1 and fills map when the file has one channel for each of l's
 * speakers; 0 when the mask does not say where the channels go (0, or not
 * one bit per channel: play them in file order); -1 when it says
 * something else (a speaker l lacks, or one l has missing). */
int vm_layout_map_file(vm_layout l, uint32_t mask, int file_channels, int *map);

/* The gains of a fold-down, in dB (-HUGE_VAL: left out); defaults
 * (vm_fold_gains_default) after ITU-R BS.775's Lo/Ro, "-3" meaning
 * 1/sqrt(2) = 0.70711 (-3.0103 dB) exactly: */
typedef struct {
    double centre_db;           /* C into L and R (LCR, 5.x, 7.1 -> stereo): -3 */
    double surround_db;         /* each surround into L or R (5.x, 7.1 -> stereo), or each of
                                   Lss and Lrs into Ls (7.1 -> 5.1): -3 */
    double lfe_db;              /* LFE into L and R (5.1, 7.1 -> stereo): -inf, dropped */
    double mono_db;             /* L and R into mono (stereo -> mono): -3, the inverse of the
                                   constant-power pan's centre (dsp/pan.h) */
} vm_fold_gains;

void vm_fold_gains_default(vm_fold_gains *g);

/* The fold-down matrix from layout `from` to layout `to` into
 * coef[from_ch * to_channels + to_ch] (from's channel count times to's, in
 * dubstage's channel order), for the pairs that have one: 7.1 -> 5.1,
 * 5.1/5.0/LCR/7.1 -> stereo (Lo/Ro), stereo -> mono. Returns 1 when filled,
 * 0 for any other pair (coef untouched). docs/layouts.md prints them. */
int vm_layout_fold(vm_layout from, vm_layout to, const vm_fold_gains *g, double *coef);

/* A downmix word ("LoRo", "5.1", "mono") into the layout it makes; the
 * error suggests the closest word. */
ds_result vm_downmix_parse(const char *word, vm_layout *to, char *err);

/* The downmix word that makes layout `to` ("LoRo" for stereo), or NULL. */
const char *vm_downmix_name(vm_layout to);

#endif
