/* file_loudness.c - a file through the renders' loudness meter
 * (vm/file_loudness.h). */
#include "vm/file_loudness.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dsp/mix.h"
#include "vm/layout.h"

/* frames per read: the buffers are 2 x 4096 x 64 floats at most (2 MiB) */
#define READ_FRAMES 4096

/* ffmpeg's names of the mask bits vm/media.c reads (0..17) */
static const char *const speaker_names[18] = {"FL", "FR",  "FC",  "LFE", "BL",  "BR",  "FLC", "FRC", "BC",
                                              "SL", "SR",  "TC",  "TFL", "TFC", "TFR", "TBL", "TBC", "TBR"};

static void choose_weights(vm_file_loudness *out)
{
    const vm_media_info *in = &out->info;
    uint32_t mask = in->channel_mask;
    if (!mask) {
        vm_layout l = vm_layout_resolve(VM_LAYOUT_PLAIN, in->channels);
        for (int c = 0; c < in->channels; c++)
            out->weights[c] = vm_layout_weight(l, c);
        snprintf(out->weights_from, sizeof out->weights_from, "no channel mask: %d %s weighted 1.0", in->channels,
                 in->channels == 1 ? "channel" : "channels");
        return;
    }
    /* vm/media.c gives a mask only with one bit per channel, channels in bit order */
    const char *layout = NULL;
    for (int l = VM_LAYOUT_MONO; l < VM_LAYOUT_COUNT; l++)
        if (vm_layout_mask((vm_layout)l) == mask)
            layout = vm_layout_name((vm_layout)l);
    size_t used = (size_t)snprintf(out->weights_from, sizeof out->weights_from, "channel mask 0x%X (%s%s", mask,
                                   layout ? layout : "", layout ? ": " : "");
    int c = 0;
    for (int bit = 0; bit < 32; bit++) {
        if (!(mask & (1u << bit)))
            continue;
        if (c < in->channels)
            out->weights[c++] = vm_speaker_weight(bit);
        if (used < sizeof out->weights_from)
            used += (size_t)snprintf(out->weights_from + used, sizeof out->weights_from - used, "%s%s",
                                     c > 1 ? " " : "", bit < 18 ? speaker_names[bit] : "?");
    }
    if (used < sizeof out->weights_from)
        snprintf(out->weights_from + used, sizeof out->weights_from - used, ")");
}

ds_result vm_file_loudness_measure(const char *path, vm_file_loudness *out, char *err)
{
    return vm_file_loudness_measure_weighted(path, NULL, NULL, out, err);
}

ds_result vm_file_loudness_measure_weighted(const char *path, const double *weights, const char *weights_from,
                                            vm_file_loudness *out, char *err)
{
    memset(out, 0, sizeof *out);
    ds_result r = vm_media_probe(path, &out->info, err);
    if (r != DS_OK)
        return r;
    const int channels = out->info.channels;
    if (out->info.rate < 8000)
        return ds_fail(err, DS_ERR_FORMAT, "'%s' is at %d Hz: the loudness meter (BS.1770) measures 8000 Hz and above",
                       path, out->info.rate);
    if (weights) {
        for (int c = 0; c < channels; c++)
            out->weights[c] = weights[c];
        snprintf(out->weights_from, sizeof out->weights_from, "%s", weights_from ? weights_from : "given");
    } else {
        choose_weights(out);
    }

    dsp_loudness_config cfg;
    dsp_loudness_config_init(&cfg, (double)out->info.rate, channels);
    cfg.weights = out->weights;
    dsp_loudness *meter = dsp_loudness_create(&cfg);
    float *inter = malloc((size_t)READ_FRAMES * (size_t)channels * sizeof *inter);
    float *planar = malloc((size_t)READ_FRAMES * (size_t)channels * sizeof *planar);
    vm_media_reader *reader = NULL;
    if (!meter || !inter || !planar) {
        r = ds_fail(err, DS_ERR_NOMEM, "out of memory measuring '%s'", path);
        goto done;
    }
    /* the file as probed: one that changed since is an error naming it */
    r = vm_media_open_expect(&reader, path, &out->info, out->info.rate, 0, err);
    /* a mono file is measured where it is read; stereo is split by the
     * mixer's vectorised loop (times 1, plus 0: the same values, a -0
     * becoming +0, which no measure tells apart) */
    const float *ch[VM_MAX_CHANNELS];
    for (int c = 0; c < channels; c++)
        ch[c] = channels == 1 ? inter : planar + (size_t)c * READ_FRAMES;
    for (int64_t done = 0; r == DS_OK && done < out->info.frames; done += READ_FRAMES) {
        int n = out->info.frames - done < READ_FRAMES ? (int)(out->info.frames - done) : READ_FRAMES;
        r = vm_media_read(reader, inter, n, err);
        if (r != DS_OK)
            break;
        if (channels == 2) {
            dsp_mix_set_scaled_deinterleave2(planar, planar + READ_FRAMES, inter, 1.0f, n);
        } else if (channels > 2) {
            for (int c = 0; c < channels; c++) {
                float *dst = planar + (size_t)c * READ_FRAMES;
                for (int i = 0; i < n; i++)
                    dst[i] = inter[(size_t)i * (size_t)channels + (size_t)c];
            }
        }
        dsp_loudness_process(meter, ch, n);
    }
    if (r == DS_OK) {
        dsp_loudness_get(meter, &out->m);
        out->range_defined = dsp_loudness_range_defined(&out->m);
    }
done:
    vm_media_close(&reader);
    free(planar);
    free(inter);
    dsp_loudness_destroy(&meter);
    return r;
}
