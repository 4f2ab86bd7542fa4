/* test_manifest.c - vm/sha256, both its paths (the SHA extensions where
 * the CPU has them, and the portable code), against the FIPS 180-4 examples (NIST's
 * "SHA256.pdf" example values: "abc", the 448-bit two-block message, one
 * million 'a') and the empty string (the well-known digest of nothing),
 * fed whole and a byte at a time; coreutils' sha256sum on a file written
 * here when it is installed; and vm/manifest written and read back: every
 * identity, option and measure (-inf and NaN too, 17 digits so a value
 * comes back to the bit), the outputs' shape and the session, paths with
 * spaces, '%' and a newline; manifests of another version or none refused. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "tests/check.h"
#include "vm/manifest.h"
#include "vm/sha256.h"

static void digest_is(const char *msg, size_t n, size_t piece, const char *want, const char *name)
{
    vm_sha256 s;
    char hex[65];
    vm_sha256_init(&s);
    for (size_t i = 0; i < n; i += piece)
        vm_sha256_update(&s, msg + i, n - i < piece ? n - i : piece);
    vm_sha256_final(&s, hex);
    char full[200];
    snprintf(full, sizeof full, "%s (%s path)", name, vm_sha256_portable ? "portable" : "fastest");
    check(strcmp(hex, want) == 0, full, "got %s, want %s", hex, want);
}

static void sha256_examples(void)
{
    static const char abc[] = "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad";
    static const char two[] = "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1";
    static const char million[] = "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0";
    static const char empty[] = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";
    const char *m2 = "abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq";
    digest_is("abc", 3, 3, abc, "SHA-256 of 'abc' (FIPS 180-4 example)");
    digest_is("", 0, 1, empty, "SHA-256 of the empty string");
    digest_is(m2, strlen(m2), strlen(m2), two, "SHA-256 of the 448-bit message (two blocks)");
    digest_is(m2, strlen(m2), 1, two, "the same a byte at a time");
    char *a = malloc(1000000);
    memset(a, 'a', 1000000);
    digest_is(a, 1000000, 1000000, million, "SHA-256 of one million 'a'");
    digest_is(a, 1000000, 4093, million, "the same in pieces of 4093 bytes");
    free(a);
}

/* The engine digest against coreutils' sha256sum on a file of 3 blocks
 * and a bit (a tail that crosses the padding boundary). */
static void against_sha256sum(const char *dir)
{
    char path[512], cmd[1200], line[200];
    snprintf(path, sizeof path, "%s/blob", dir);
    FILE *f = fopen(path, "wb");
    for (int i = 0; i < 64 * 3 + 57; i++)
        fputc((i * 37 + 11) & 0xff, f);
    fclose(f);
    snprintf(cmd, sizeof cmd, "sha256sum '%s' 2>/dev/null", path);
    FILE *p = popen(cmd, "r");
    if (!p || !fgets(line, sizeof line, p)) {
        printf("skip - sha256sum: not available\n");
        if (p)
            pclose(p);
        return;
    }
    pclose(p);
    line[64] = 0;
    vm_desc d;
    vm_desc_init(&d);
    vm_manifest m;
    char err[DS_ERR_LEN];
    ds_result r = vm_manifest_build(&m, &d, path, "test", NULL, 0, NULL, err);
    check(r == DS_OK && strcmp(m.engine.sha256, line) == 0, "a file's digest matches coreutils' sha256sum",
          "got %s, sha256sum %s (%s)", m.engine.sha256, line, r == DS_OK ? "" : err);
    vm_manifest_free(&m);
    vm_desc_free(&d);
}

static void round_trip(const char *dir)
{
    char err[DS_ERR_LEN], mpath[512], odd[512], odd_out[512];
    snprintf(odd, sizeof odd, "%s/a 100%% odd\nname.lua", dir);
    snprintf(odd_out, sizeof odd_out, "%s/out file.wav", dir);
    FILE *f = fopen(odd, "w");
    fputs("-- a script\n", f);
    fclose(f);
    f = fopen(odd_out, "w");
    fputs("RIFF", f);
    fclose(f);
    vm_desc d;
    vm_desc_init(&d);
    d.script_path = strdup(odd);
    d.inputs = calloc(1, sizeof *d.inputs);
    d.inputs[0] = strdup(odd);
    d.ninputs = 1;
    d.outputs = calloc(1, sizeof *d.outputs);
    d.outputs[0].path = strdup(odd_out);
    d.noutputs = 1;
    d.ndeliverables = 2;
    double values[2][VM_MEASURE_COUNT];
    for (int k = 0; k < 2; k++)
        for (int m = 0; m < VM_MEASURE_COUNT; m++)
            values[k][m] = -23.0 + 0.1 * m + k / 3.0;
    values[0][VM_MEASURE_INTEGRATED] = -INFINITY;
    values[1][VM_MEASURE_DIALOGUE] = NAN;
    d.deliverables = calloc(2, sizeof *d.deliverables);
    d.deliverables[0].output = d.deliverables[1].output = 0;
    snprintf(d.deliverables[0].spec.name, sizeof d.deliverables[0].spec.name, "ebu-r128");
    /* the plan as far as the manifest reads it: the session and the output */
    plan p;
    memset(&p, 0, sizeof p);
    vm_fps fps;
    vm_fps_parse("29.97", &fps, err);
    vm_timebase_init(&p.tb, 48000, &fps, "01:00:00;00", err);
    p.length = 123457;
    plan_output po = {.path = odd_out, .channels = 6, .layout = VM_LAYOUT_5_1, .format = VM_OUT_WAV24};
    p.outputs = &po;
    p.noutputs = 1;
    vm_manifest m, back;
    ds_result r = vm_manifest_build(&m, &d, "/proc/self/exe", "9.9.9", dir, 1, NULL, err);
    if (r == DS_OK)
        r = vm_manifest_record(&m, &d, &p, 64, 1, (const double(*)[VM_MEASURE_COUNT])values, err);
    vm_manifest_path(&d, mpath, sizeof mpath);
    if (r == DS_OK)
        r = vm_manifest_write(&m, mpath, err);
    check(r == DS_OK, "a manifest is written", "%s", err);
    r = vm_manifest_read(mpath, NULL, &back, err);
    check(r == DS_OK, "and read back", "%s", err);
    if (r == DS_OK) {
        char why[600];
        check(vm_manifest_same_inputs(&m, &back, why, sizeof why), "the same engine, options and inputs", "%s", why);
        check(vm_manifest_outputs_intact(&back, why, sizeof why), "its output is intact", "%s", why);
        check(back.ninputs == 1 && strcmp(back.inputs[0].path, odd) == 0, "a path with a space, '%' and a newline",
              "got '%s'", back.ninputs ? back.inputs[0].path : "");
        check(strcmp(back.out_dir, m.out_dir) == 0 && back.allow_paths == 1 && strcmp(back.version, "9.9.9") == 0,
              "the options and the version", "out_dir '%s'", back.out_dir);
        int same = back.ndeliverables == 2;
        for (int k = 0; same && k < 2; k++)
            for (int j = 0; j < VM_MEASURE_COUNT; j++)
                same &= isnan(values[k][j]) ? isnan(back.values[k][j]) : back.values[k][j] == values[k][j];
        check(same, "every measure to the bit (-inf and NaN too)", "%d deliverables", back.ndeliverables);
        const vm_manifest_file *o = back.noutputs == 1 ? &back.outputs[0] : NULL;
        check(o && o->channels == 6 && strcmp(o->layout, "5.1") == 0 && strcmp(o->format, "wav24") == 0 &&
                  o->rate == 48000 && o->length == 123457, "the output's channels, layout, format, rate and length",
              "%d ch, '%s', '%s', %d Hz, %lld", o ? o->channels : 0, o ? o->layout : "", o ? o->format : "",
              o ? o->rate : 0, o ? (long long)o->length : 0LL);
        const vm_manifest_session *se = &back.session;
        check(se->rate == 48000 && strcmp(se->fps, "29.97") == 0 && se->drop_frame && strcmp(se->start, "01:00:00;00") == 0 &&
                  se->start_samples == p.tb.start_samples && se->length == 123457 && back.block == 64 && back.threads == 1,
              "the session (29.97 drop-frame from 01:00:00;00), block and threads", "%d %s %d %s %lld, block %d",
              se->rate, se->fps, se->drop_frame, se->start, (long long)se->start_samples, back.block);
        /* the script's contents change: not the same inputs */
        f = fopen(odd, "a");
        fputs("-- more\n", f);
        fclose(f);
        vm_manifest now;
        r = vm_manifest_build(&now, &d, "/proc/self/exe", "9.9.9", dir, 1, &back, err);
        check(r == DS_OK && !vm_manifest_same_inputs(&now, &back, why, sizeof why) &&
                  strcmp(why, "the script changed") == 0, "an edited script is seen", "%s", why);
        vm_manifest_free(&now);
        unlink(odd_out);
        check(!vm_manifest_outputs_intact(&back, why, sizeof why) && strstr(why, "is missing"),
              "a deleted output is seen", "%s", why);
    }
    vm_manifest_free(&back);
    vm_manifest_free(&m);
    unlink(mpath);
    unlink(odd);
    vm_desc_free(&d);
}

/* A manifest written by a later dubstage, or not a manifest, is refused
 * naming the file and what is wrong. */
static void refused(const char *dir)
{
    static const struct {
        const char *text, *want, *name;
    } cases[] = {
        {"{\"dubstage_manifest\": 2}", "of version 2; this dubstage reads version 1", "a later version"},
        {"{\"dubstage_manifest\": 1, \"inputs\": []}", "engine lacks its version", "no engine"},
        {"[1, 2", "line 1, column 6", "not JSON: the line and column"},
        {"{\"x\": 1}", "has no \"dubstage_manifest\" version", "not a manifest"},
    };
    char path[512], err[DS_ERR_LEN];
    snprintf(path, sizeof path, "%s/m.manifest.json", dir);
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        FILE *f = fopen(path, "w");
        fputs(cases[i].text, f);
        fclose(f);
        vm_manifest m;
        ds_result r = vm_manifest_read(path, NULL, &m, err);
        check(r == DS_ERR_FORMAT && strstr(err, cases[i].want) && strstr(err, path), cases[i].name, "%s", err);
        vm_manifest_free(&m);
    }
    unlink(path);
}

int main(void)
{
    char dir[] = "/tmp/dubstage-test-manifest.XXXXXX";
    if (!mkdtemp(dir)) {
        printf("not ok - a temporary folder\n");
        return 1;
    }
    sha256_examples(); /* the SHA extensions where the CPU has them */
    vm_sha256_portable = 1;
    sha256_examples();
    vm_sha256_portable = 0;
    against_sha256sum(dir);
    round_trip(dir);
    refused(dir);
    char blob[600];
    snprintf(blob, sizeof blob, "%s/blob", dir);
    unlink(blob);
    rmdir(dir);
    return check_exit();
}
