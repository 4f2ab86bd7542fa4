/* png_count.c - counts the pixels of a PNG inside rectangles: those not
 * near the background (white) and those near each given colour. For
 * tests/render/report_html.sh, which checks that headless Chromium drew the
 * QC report's plots (a plot area with no series drawn counts 0 pixels of the
 * series' colours).
 *
 *   png_count FILE TOLERANCE RRGGBB[,RRGGBB...] X,Y,W,H [X,Y,W,H ...]
 *
 * A pixel is near a colour when no channel differs by more than TOLERANCE
 * (0..255). Prints one line per rectangle: "X,Y,W,H NONWHITE C1 C2 ...".
 * Reads 8-bit RGB or RGBA PNGs, not interlaced (what Chromium's
 * --screenshot writes), with zlib; exit 1 with a message on anything else. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

static uint32_t be32(const unsigned char *p)
{
    return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

static int paeth(int a, int b, int c)
{
    int p = a + b - c, pa = abs(p - a), pb = abs(p - b), pc = abs(p - c);
    return pa <= pb && pa <= pc ? a : pb <= pc ? b : c;
}

/* The image as RGB rows (width * 3 bytes each), or NULL with a message. */
static unsigned char *read_png(const char *path, int *width, int *height)
{
    FILE *f = fopen(path, "rb");
    if (!f) {
        perror(path);
        return NULL;
    }
    fseek(f, 0, SEEK_END);
    long size = ftell(f);
    fseek(f, 0, SEEK_SET);
    unsigned char *data = malloc((size_t)size), *idat = malloc((size_t)size), *rgb = NULL, *raw = NULL;
    size_t nidat = 0;
    int w = 0, h = 0, bpp = 0;
    if (!data || !idat || fread(data, 1, (size_t)size, f) != (size_t)size || size < 8 ||
        memcmp(data, "\x89PNG\r\n\x1a\n", 8) != 0) {
        fprintf(stderr, "png_count: %s is not a PNG\n", path);
        goto done;
    }
    for (long pos = 8; pos + 12 <= size;) {
        uint32_t len = be32(data + pos);
        const unsigned char *kind = data + pos + 4, *body = data + pos + 8;
        if (pos + 12 + (long)len > size)
            break;
        if (memcmp(kind, "IHDR", 4) == 0) {
            w = (int)be32(body), h = (int)be32(body + 4);
            if (body[8] != 8 || (body[9] != 2 && body[9] != 6) || body[12] != 0) {
                fprintf(stderr, "png_count: %s: only 8-bit RGB/RGBA, not interlaced\n", path);
                goto done;
            }
            bpp = body[9] == 2 ? 3 : 4;
        } else if (memcmp(kind, "IDAT", 4) == 0) {
            memcpy(idat + nidat, body, len);
            nidat += len;
        }
        pos += 12 + (long)len;
    }
    if (!bpp || w <= 0 || h <= 0) {
        fprintf(stderr, "png_count: %s: no image header\n", path);
        goto done;
    }
    size_t stride = (size_t)w * (size_t)bpp;
    uLongf rawlen = (uLongf)((stride + 1) * (size_t)h);
    raw = malloc(rawlen);
    rgb = malloc((size_t)w * (size_t)h * 3);
    if (!raw || !rgb || uncompress(raw, &rawlen, idat, (uLong)nidat) != Z_OK || rawlen != (stride + 1) * (size_t)h) {
        fprintf(stderr, "png_count: %s: cannot inflate the image data\n", path);
        free(rgb);
        rgb = NULL;
        goto done;
    }
    for (int y = 0; y < h; y++) {
        unsigned char *line = raw + (size_t)y * (stride + 1) + 1, *prev = y ? line - (stride + 1) : NULL;
        int filter = line[-1];
        for (size_t i = 0; i < stride; i++) {
            int a = i >= (size_t)bpp ? line[i - (size_t)bpp] : 0, b = prev ? prev[i] : 0;
            int c = prev && i >= (size_t)bpp ? prev[i - (size_t)bpp] : 0;
            int add = filter == 1 ? a : filter == 2 ? b : filter == 3 ? (a + b) / 2 : filter == 4 ? paeth(a, b, c) : 0;
            line[i] = (unsigned char)(line[i] + add);
        }
        for (int x = 0; x < w; x++)
            memcpy(rgb + ((size_t)y * (size_t)w + (size_t)x) * 3, line + (size_t)x * (size_t)bpp, 3);
    }
    *width = w, *height = h;
done:
    fclose(f);
    free(data);
    free(idat);
    free(raw);
    return rgb;
}

static int near(const unsigned char *px, const unsigned char *colour, int tol)
{
    for (int k = 0; k < 3; k++)
        if (abs(px[k] - colour[k]) > tol)
            return 0;
    return 1;
}

int main(int argc, char **argv)
{
    if (argc < 5) {
        fprintf(stderr, "usage: png_count FILE TOLERANCE RRGGBB[,RRGGBB...] X,Y,W,H [X,Y,W,H ...]\n");
        return 2;
    }
    int tol = atoi(argv[2]), ncol = 0;
    unsigned char colours[16][3];
    for (const char *s = argv[3]; *s && ncol < 16; ncol++) {
        unsigned v;
        if (sscanf(s, "%6x", &v) != 1) {
            fprintf(stderr, "png_count: bad colour list '%s'\n", argv[3]);
            return 2;
        }
        colours[ncol][0] = (unsigned char)(v >> 16), colours[ncol][1] = (unsigned char)(v >> 8);
        colours[ncol][2] = (unsigned char)v;
        s += 6;
        s += *s == ',';
    }
    int w, h;
    unsigned char *rgb = read_png(argv[1], &w, &h);
    if (!rgb)
        return 1;
    static const unsigned char white[3] = {255, 255, 255};
    for (int r = 4; r < argc; r++) {
        int x0, y0, rw, rh;
        if (sscanf(argv[r], "%d,%d,%d,%d", &x0, &y0, &rw, &rh) != 4) {
            fprintf(stderr, "png_count: bad rectangle '%s'\n", argv[r]);
            free(rgb);
            return 2;
        }
        long nonwhite = 0, count[16] = {0};
        for (int y = y0 < 0 ? 0 : y0; y < y0 + rh && y < h; y++)
            for (int x = x0 < 0 ? 0 : x0; x < x0 + rw && x < w; x++) {
                const unsigned char *px = rgb + ((size_t)y * (size_t)w + (size_t)x) * 3;
                nonwhite += !near(px, white, tol);
                for (int c = 0; c < ncol; c++)
                    count[c] += near(px, colours[c], tol);
            }
        printf("%s %ld", argv[r], nonwhite);
        for (int c = 0; c < ncol; c++)
            printf(" %ld", count[c]);
        printf("\n");
    }
    free(rgb);
    return 0;
}
