/* test_latency_paths.c - latency compensation done where it costs least
 * (vm/compile_graph.c, vmc_run_paths_late; vm/compile_steps.c,
 * choose_sum_delays), through script -> compile -> render:
 *   - against a formula: three mono tracks summed into a bus M that a
 *     limiter's 240-sample look-ahead joins later (bus H, fed by the same
 *     tracks and a fourth, B: so they cannot run late, and M's sum is
 *     delayed once, not each track), and a track on a bus that feeds only
 *     the late printmaster (run late: its clips read 240 samples behind,
 *     no delay at all), with a gain cut to silence at 0.25 s on that track
 *     (read at the session's time, so at sample 12000 of the file): the
 *     file is exactly (a + (a + b)) + c in float, a = (a1 + a2) + a3, the
 *     order the buses sum in, the limiter being transparent under its
 *     ceiling (dsp/limiter.h); at --block 1, 64 and 4096; the plan has one
 *     delay (the sum's) where the per-input way had four, and `dubstage
 *     info`'s numbers (plan.strip_run_late) say which strips run late;
 *   - an invariant: a 5.1 mix with EQ, moving surround pans, a reverb
 *     send, a keyed compressor and a look-ahead on the music renders the
 *     same printmaster bytes as the same mix with its dialogue and effects
 *     buses also recorded (a recorded strip keeps its own timing, so there
 *     everything is delayed as before), at --block 64 and 4096, with
 *     fewer delay lines.
 */
#include "tests/unit/render_util.h"

#include "vm/ops.h"

#define RATE 48000
#define FRAMES (RATE / 2)
#define LATE 240 /* the limiter's look-ahead: 5 ms at 48 kHz */

/* broadband noise (a 32-bit hash), 0.1 peak, other per file and channel */
static int file_no;
static double noise(int i, int c)
{
    uint32_t x = (uint32_t)i * 2654435761u + (uint32_t)(c + 7 * file_no) * 40503u + 12345u;
    x ^= x >> 15, x *= 2246822519u, x ^= x >> 13;
    return 0.1 * ((double)(x & 0xffff) / 32768.0 - 1.0);
}

static void write_noise(const char *name, int no, int channels, int frames)
{
    file_no = no;
    write_wav(name, RATE, channels, frames, noise);
}

static float sample(int no, int i)
{
    file_no = no;
    return (float)noise(i, 0);
}

/* Compiles script at block 1024; NULL (and a message) when it fails. */
static plan *compile_script(const char *script)
{
    char path[512], err[DS_ERR_LEN];
    write_script(script, path, sizeof path);
    vm_script_opts so = {.stdlib_dir = "stdlib"};
    vm_desc d;
    plan *p = NULL;
    if (vm_script_load(path, &so, &d, err) != DS_OK || vm_compile(&d, 1024, &p, err) != DS_OK)
        printf("# compile failed: %s\n", err);
    vm_desc_free(&d);
    return p;
}

static int count_delays(const plan *p, const char *label_part)
{
    int n = 0;
    for (int i = 0; p && i < p->nops; i++)
        n += p->ops[i].cls == &op_delay_class && (!label_part || strstr(p->ops[i].label, label_part));
    return n;
}

static int strip_index(const plan *p, const char *name)
{
    for (int s = 0; p && s < p->nstrips; s++)
        if (strcmp(p->strip_names[s], name) == 0)
            return s;
    return -1;
}

static const char *formula_script =
    "session { rate = 48000, length = 0.5 }\n"
    "local pm = bus \"PM\" { channels = 1 }\n"
    "local m = bus \"M\" { channels = 1, to = pm }\n"
    "local x = bus \"X\" { channels = 1, to = pm }\n"
    "local a = {}\n"
    "for k = 1, 3 do\n" /* before H: a bus sums its inputs in the order they were made */
    "  a[k] = track(\"A\" .. k) { channels = 1, to = m }\n"
    "  a[k]:clip { \"a\" .. k .. \".wav\", at = 0 }\n"
    "end\n"
    "local h = bus \"H\" { channels = 1, to = m }\n"
    "h:limiter { ceiling = 0, lookahead = 0.005, release = 0.05 }\n"
    "for k = 1, 3 do a[k]:send(h, 0) end\n" /* so the A tracks cannot run late */
    "track \"B\" { channels = 1, to = h }:clip { \"b.wav\", at = 0 }\n"
    "local c = track \"C\" { channels = 1, to = x }\n"
    "c:clip { \"c.wav\", at = 0 }\n"
    "c.gain:set { at = 0.25, to = -math.huge }\n"
    "output { \"pm.wav\", from = pm, format = \"wav32f\" }\n";

static void test_formula(void)
{
    write_noise("a1.wav", 1, 1, FRAMES);
    write_noise("a2.wav", 2, 1, FRAMES);
    write_noise("a3.wav", 3, 1, FRAMES);
    write_noise("b.wav", 4, 1, FRAMES);
    write_noise("c.wav", 5, 1, FRAMES);
    static const int blocks[] = {1, 64, 4096};
    int frames = 0, ch = 0;
    float *y = render_blocks(formula_script, "pm.wav", blocks, 3, "a bus's sum delayed, a strip run late", &frames,
                             &ch);
    int bad = -1;
    for (int i = 0; y && bad < 0 && i < FRAMES; i++) {
        float a = sample(1, i);
        a = a + sample(2, i);
        a = a + sample(3, i);
        float h = a + sample(4, i); /* H: the A tracks and B through the limiter, gain exactly 1 */
        float want = a + h;
        if (i < RATE / 4)
            want = want + sample(5, i);
        if (y[i] != want)
            bad = i;
    }
    check(y && frames == FRAMES && ch == 1 && bad < 0,
          "the printmaster is (a + (a + b)) + c exactly, a = (a1 + a2) + a3, c silent from sample 12000",
          "frames %d channels %d, first difference at %d", frames, ch, bad);
    free(y);

    plan *p = compile_script(formula_script);
    check(p && count_delays(p, NULL) == 1 && count_delays(p, "bus 'M' sum so far by 240 samples") == 1,
          "one delay line: bus M's sum of A1..A3, where each track and bus X had one (four)", "%d delays",
          count_delays(p, NULL));
    int sx = strip_index(p, "X"), sc = strip_index(p, "C"), sm = strip_index(p, "M"), sa = strip_index(p, "A1");
    check(p && sx >= 0 && sc >= 0 && sm >= 0 && sa >= 0 && p->strip_run_late[sx] == LATE &&
              p->strip_run_late[sc] == LATE && p->strip_latency[sc] == LATE && p->strip_run_late[sm] == 0 &&
              p->strip_latency[sm] == LATE && p->strip_run_late[sa] == 0,
          "X and C run 240 samples late to meet the limiter's path; M is that late on its own path; A1 is not late",
          "strips not found or latencies wrong");
    int clips_offset = -1;
    for (int i = 0; p && i < p->nops; i++)
        if (p->ops[i].cls == &op_clips_class && strstr(p->ops[i].label, "'C'"))
            clips_offset = p->ops[i].offset;
    check_int(clips_offset, LATE, "track C's clips read the session 240 samples behind the block");
    vm_plan_free(&p);
}

/* The 5.1 mix; with `also` (outputs) added before the printmaster's. */
static void surround_script(char *buf, size_t n, const char *also)
{
    snprintf(buf, n,
             "session { rate = 48000, length = 0.5 }\n"
             "local pm = bus \"PM\" { layout = \"5.1\" }\n"
             "local dx = bus \"DX\" { layout = \"5.1\", to = pm }\n"
             "local fx = bus \"FX\" { layout = \"5.1\", to = pm }\n"
             "local mx = bus \"MX\" { layout = \"5.1\", to = pm }\n"
             "local room = bus \"ROOM\" { layout = \"5.1\", to = dx }\n"
             "room:reverb { rt60 = 0.4, size = 8, predelay = 0.01 }\n"
             "local music = {}\n"
             "for k = 1, 4 do\n"
             "  music[k] = track(\"M\" .. k) { channels = 2, to = mx, gain = -4, pan_fr = 0, pan_center = 0 }\n"
             "  music[k]:clip { \"m\" .. k .. \".wav\", at = 0 }\n"
             "end\n"
             "local hall = bus \"HALL\" { channels = 2, to = mx, pan_fr = -1, pan_center = 0 }\n"
             "hall:limiter { ceiling = -1, lookahead = 0.005, release = 0.05 }\n"
             "for k = 1, 4 do music[k]:send(hall, -10) end\n"
             "mx:compressor { threshold = -30, ratio = 4, attack = 0.01, release = 0.25, key = dx }\n"
             "for k = 1, 3 do\n"
             "  local t = track(\"D\" .. k) { channels = 1, to = dx, pan = -0.5 + 0.4 * (k - 1) }\n"
             "  t:clip { \"d\" .. k .. \".wav\", at = 0 }\n"
             "  t:eq { \"highpass\", freq = 80, q = 0.707 }\n"
             "  t:eq { \"peak\", freq = 3000, gain = 3, q = 1 }\n"
             "  t:send(room, -12)\n"
             "  t.pan:ramp { at = 0.1 * k, to = 0.5, over = 0.1 }\n"
             "end\n"
             "for k = 1, 2 do\n"
             "  local t = track(\"F\" .. k) { channels = 2, to = fx, gain = -3, pan_fr = -0.5, pan = -1 }\n"
             "  t:clip { \"f\" .. k .. \".wav\", at = 0.05 * k }\n"
             "  t:eq { \"highpass\", freq = 30, q = 0.707 }\n"
             "  t.pan:ramp { at = 0.1, to = 1, over = 0.3 }\n"
             "end\n"
             "%s"
             "output { \"pm.wav\", from = pm, format = \"wav32f\" }\n",
             also);
}

static void test_recorded_same(void)
{
    for (int k = 1; k <= 3; k++) {
        char name[32];
        snprintf(name, sizeof name, "d%d.wav", k);
        write_noise(name, 10 + k, 1, FRAMES);
    }
    for (int k = 1; k <= 4; k++) {
        char name[32];
        snprintf(name, sizeof name, "m%d.wav", k);
        write_noise(name, 20 + k, 2, FRAMES);
    }
    for (int k = 1; k <= 2; k++) {
        char name[32];
        snprintf(name, sizeof name, "f%d.wav", k);
        write_noise(name, 30 + k, 2, FRAMES / 2);
    }
    char late[4096], early[4096];
    surround_script(late, sizeof late, "");
    surround_script(early, sizeof early,
                    "output { \"dx.wav\", from = dx, format = \"wav32f\" }\n"
                    "output { \"fx.wav\", from = fx, format = \"wav32f\" }\n");
    plan *pl = compile_script(late), *pe = compile_script(early);
    int sd = strip_index(pl, "DX"), sf = strip_index(pl, "F1"), sr = strip_index(pl, "ROOM");
    check(pl && pe && sd >= 0 && sf >= 0 && sr >= 0 && pl->strip_run_late[sd] > 0 && pl->strip_run_late[sf] > 0 &&
              pl->strip_run_late[sr] > 0 && strip_index(pe, "DX") == sd && pe->strip_run_late[sd] == 0 &&
              count_delays(pl, NULL) < count_delays(pe, NULL),
          "the dialogue's and effects' paths run late (fewer delay lines) unless their buses are recorded",
          "delays %d against %d", count_delays(pl, NULL), count_delays(pe, NULL));
    check(pl && count_delays(pl, NULL) == 1 && count_delays(pl, "bus 'MX' sum so far") == 1,
          "run late, the mix delays only the music bus's sum (one delay line of 6 channels, not 4 of 2 each)",
          "%d delays", count_delays(pl, NULL));
    vm_plan_free(&pl);
    vm_plan_free(&pe);

    static const int blocks[] = {64, 4096};
    for (int b = 0; b < 2; b++) {
        int f1 = 0, c1 = 0, f2 = 0, c2 = 0;
        float *x = render(late, blocks[b]) == 0 ? read_wav("pm.wav", &f1, &c1) : NULL;
        float *y = render(early, blocks[b]) == 0 ? read_wav("pm.wav", &f2, &c2) : NULL;
        double peak = 0;
        for (int i = 0; x && i < f1 * c1; i++)
            peak = fabsf(x[i]) > peak ? fabsf(x[i]) : peak;
        char name[200];
        snprintf(name, sizeof name, "the 5.1 printmaster run late is the bytes of the one delayed as before "
                 "(--block %d)", blocks[b]);
        check(x && y && f1 == FRAMES && c1 == 6 && f2 == f1 && c2 == c1 && peak > 0.01 &&
                  memcmp(x, y, (size_t)f1 * (size_t)c1 * sizeof *x) == 0,
              name, "frames %d/%d channels %d/%d peak %g", f1, f2, c1, c2, peak);
        free(x);
        free(y);
    }
}

int main(void)
{
    if (scratch_open("test-latency-paths") != 0)
        return 2;
    test_formula();
    test_recorded_same();
    scratch_close();
    return check_exit();
}
