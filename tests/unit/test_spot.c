/* test_spot.c - spot() reading a source's place in its file from a BWF
 * time reference (docs/conform.md, "Source time").
 *
 * An EDL's source timecodes are usually the production recorder's clock
 * (10:00:01:00), and the recorder writes that clock into each file's bext
 * chunk as TimeReference (samples since midnight). Files written here with
 * libsndfile (SFC_SET_BROADCAST_INFO):
 *   bwf48.wav  48 kHz, time reference 10:00:00:00 + 500 samples = 1,728,000,500
 *   bwf44.wav  44.1 kHz, time reference 10:00:00:00 + 441 samples = 1,587,600,441
 *   plain.wav  48 kHz, no bext
 * each sample i holding i / 2^17 (distinct, exact in float), so a render
 * shows which file sample played. Expected offsets, worked out by hand from
 * the labels (10:00:01:00 at 24 fps and 48 kHz = 36,001 s = 1,728,048,000
 * samples):
 *   bwf48: 1,728,048,000 - 1,728,000,500 = 47,500
 *   bwf44: the reference at 48 kHz is 1,728,000,000 + 480 (441 at 44.1 kHz
 *          is 10 ms): 48,000 - 480 = 47,520
 *   plain: no reference, the label counts from the file's start:
 *          00:00:01:00 = 48,000
 *   bwf48 with start = "00:00:00:00" in its media entry: 48,000 (the entry
 *          wins over the file)
 * A relative source label on a BWF is refused, naming the reference and
 * the way out (start = "00:00:00:00"). */
#include "tests/unit/render_util.h"

#include "vm/desc.h"

#define VALUE_SCALE 131072.0 /* 2^17: i / 2^17 is exact in float for i < 2^24 */

static double ramp(int i, int c)
{
    (void)c;
    return i / VALUE_SCALE;
}

/* A mono float WAV of `frames` samples i / 2^17 with a bext time reference
 * (-1: no bext chunk). */
static void write_bwf(const char *name, int rate, int frames, int64_t time_reference)
{
    char path[512];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    SF_INFO info = {.samplerate = rate, .channels = 1, .format = SF_FORMAT_WAV | SF_FORMAT_FLOAT};
    SNDFILE *f = sf_open(path, SFM_WRITE, &info);
    if (!f) {
        fprintf(stderr, "cannot write %s: %s\n", path, sf_strerror(NULL));
        exit(2);
    }
    if (time_reference >= 0) {
        SF_BROADCAST_INFO bi;
        memset(&bi, 0, sizeof bi);
        snprintf(bi.description, sizeof bi.description, "test_spot %s", name);
        bi.time_reference_low = (uint32_t)((uint64_t)time_reference & 0xFFFFFFFFu);
        bi.time_reference_high = (uint32_t)((uint64_t)time_reference >> 32);
        if (sf_command(f, SFC_SET_BROADCAST_INFO, &bi, sizeof bi) != SF_TRUE) {
            fprintf(stderr, "cannot set bext on %s\n", path);
            exit(2);
        }
    }
    float *buf = malloc((size_t)frames * sizeof *buf);
    for (int i = 0; i < frames; i++)
        buf[i] = (float)ramp(i, 0);
    sf_writef_float(f, buf, frames);
    sf_close(f);
    free(buf);
}

static const char head[] =
    "session { rate = 48000, fps = \"24\", start = \"01:00:00:00\", length = 4 }\n"
    "local t = track \"T\" { channels = 1 }\n";

static void offsets(void)
{
    char path[512];
    write_scratch_file("abs.edl",
               "TITLE: BWF\n"
               "001  BWF48    A     C        10:00:01:00 10:00:01:12 01:00:00:00 01:00:00:12\n"
               "002  BWF44    A     C        10:00:01:00 10:00:01:12 01:00:01:00 01:00:01:12\n"
               "003  PLAIN    A     C        00:00:01:00 00:00:01:12 01:00:02:00 01:00:02:12\n"
               "004  OWN      A     C        00:00:01:00 00:00:01:12 01:00:03:00 01:00:03:12\n",
               path, sizeof path);
    char script[2048], err[DS_ERR_LEN] = "";
    snprintf(script, sizeof script,
             "%s"
             "spot(edl \"abs.edl\", { tracks = { A1 = t }, media = { BWF48 = \"bwf48.wav\", BWF44 = \"bwf44.wav\",\n"
             "  PLAIN = \"plain.wav\", OWN = { \"bwf48.wav\", start = \"00:00:00:00\" } } })\n"
             "output { \"o.wav\", from = t, format = \"wav32f\" }\n",
             head);
    write_script(script, path, sizeof path);
    vm_script_opts so = {.stdlib_dir = "stdlib"};
    vm_desc d;
    ds_result r = vm_script_load(path, &so, &d, err);
    if (!check(r == DS_OK, "an EDL with recorder timecodes spots onto BWF files", "%s", err)) {
        vm_desc_free(&d);
        return;
    }
    int s = vm_desc_find_strip(&d, "T");
    static const struct {
        int64_t at, from;
        const char *what;
    } want[] = {
        {0, 47500, "48 kHz BWF: source 10:00:01:00 minus its time reference 1,728,000,500 = 47,500 samples"},
        {48000, 47520, "44.1 kHz BWF: its time reference at 48 kHz (1,728,000,480) subtracted: 47,520"},
        {96000, 48000, "a WAV without bext: the label counts from its start: 48,000"},
        {144000, 48000, "start = \"00:00:00:00\" in the media entry wins over the file's reference: 48,000"},
    };
    check_int(s >= 0 ? d.strips[s].nclips : -1, 4, "four clips spotted");
    for (int i = 0; s >= 0 && i < 4 && i < d.strips[s].nclips; i++) {
        const vm_clip_desc *c = &d.strips[s].clips[i];
        check(c->at == want[i].at && c->from == want[i].from && c->length == 24000, want[i].what,
              "at %lld from %lld length %lld", (long long)c->at, (long long)c->from, (long long)c->length);
    }
    vm_desc_free(&d);

    /* the render plays those samples: the 48 kHz file's 47,500th sample first */
    if (render(script, 256) == 0) {
        int n = 0, ch = 0;
        float *x = read_wav("o.wav", &n, &ch);
        int bad = -1;
        for (int i = 0; x && i < 24000 && bad < 0; i++)
            if (x[i] != (float)ramp(47500 + i, 0))
                bad = i;
        for (int i = 0; x && i < 24000 && bad < 0; i++)
            if (x[96000 + i] != (float)ramp(48000 + i, 0))
                bad = 96000 + i;
        check(x && n >= 120000 && bad < 0,
              "the render plays file samples 47,500... at 01:00:00:00 and 48,000... at 01:00:02:00, exactly",
              "first wrong output sample %d (%s)", bad, x ? "read" : "no output");
        free(x);
    } else {
        check(0, "the render plays file samples 47,500... at 01:00:00:00", "the render failed");
    }
}

static void relative_on_bwf(void)
{
    char script[1024], err[DS_ERR_LEN] = "", path[512];
    write_scratch_file("rel.edl", "001  BWF48    A     C        00:00:01:00 00:00:01:12 01:00:00:00 01:00:00:12\n", path,
               sizeof path);
    snprintf(script, sizeof script, "%sspot(edl \"rel.edl\", { tracks = { A1 = t }, media = { BWF48 = \"bwf48.wav\" } })\n",
             head);
    ds_result r = load_and_compile(script, err);
    check(r != DS_OK && strstr(err, "mix.lua:3: spot: ")
              && strstr(err, "rel.edl:1 event 1 on A1: the source from 00:00:01:00 is before the first sample of "
                             "'bwf48.wav' (its BWF time reference, 1728000500 samples at 48000 Hz: 10:00:00:00)")
              && strstr(err, "give start = \"00:00:00:00\" in its media entry"),
          "a source label before the BWF's time reference: refused, naming the reference and start = ...",
          "message: %s", err);
}

int main(void)
{
    if (scratch_open("test-spot") != 0)
        return 2;
    write_bwf("bwf48.wav", 48000, 96000, (int64_t)36000 * 48000 + 500);
    write_bwf("bwf44.wav", 44100, 88200, (int64_t)36000 * 44100 + 441);
    write_bwf("plain.wav", 48000, 96000, -1);
    offsets();
    relative_on_bwf();
    scratch_close();
    return check_exit();
}
