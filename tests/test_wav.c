/* test_wav: WAV reading in every supported format, conversion to 16 kHz mono,
 * malformed files, and the streaming writer. */
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "check.h"
#include "util.h"
#include "wav.h"

static void put16(unsigned char *p, unsigned v) {
    p[0] = (unsigned char)(v & 0xff);
    p[1] = (unsigned char)(v >> 8 & 0xff);
}

static void put32(unsigned char *p, uint32_t v) {
    for (int i = 0; i < 4; i++)
        p[i] = (unsigned char)(v >> (8 * i) & 0xff);
}

/* Builds a WAV in memory: `frames` frames of a 440 Hz sine at amplitude 0.5
 * in every channel. Returns the buffer (caller frees) and its length. */
static unsigned char *make_wav(unsigned tag, unsigned channels, uint32_t rate, unsigned bits,
                               size_t frames, int extensible, size_t *len) {
    size_t bytes = bits / 8, data = frames * channels * bytes;
    size_t fmt = extensible ? 40 : 16;
    *len = 12 + 8 + fmt + 8 + data;
    unsigned char *b = calloc(1, *len);
    memcpy(b, "RIFF", 4);
    put32(b + 4, (uint32_t)(*len - 8));
    memcpy(b + 8, "WAVEfmt ", 8);
    put32(b + 16, (uint32_t)fmt);
    put16(b + 20, extensible ? 0xFFFE : tag);
    put16(b + 22, channels);
    put32(b + 24, rate);
    put32(b + 28, (uint32_t)(rate * channels * bytes));
    put16(b + 32, (unsigned)(channels * bytes));
    put16(b + 34, bits);
    if (extensible) {
        put16(b + 36, 22);
        put16(b + 38, bits);
        put32(b + 40, 0);
        put16(b + 44, tag); /* GUID starts with the format tag */
        memcpy(b + 46, "\x00\x00\x00\x00\x10\x00\x80\x00\x00\xAA\x00\x38\x9B\x71", 14);
    }
    unsigned char *d = b + 20 + fmt;
    memcpy(d, "data", 4);
    put32(d + 4, (uint32_t)data);
    d += 8;
    for (size_t i = 0; i < frames; i++) {
        double x = 0.5 * sin(2 * M_PI * 440.0 * (double)i / rate);
        for (unsigned c = 0; c < channels; c++) {
            unsigned char *p = d + (i * channels + c) * bytes;
            if (tag == 3) {
                float f = (float)x;
                uint32_t u;
                memcpy(&u, &f, 4);
                put32(p, u);
            } else if (bits == 8) {
                p[0] = (unsigned char)lrint(128 + x * 127);
            } else if (bits == 16) {
                put16(p, (unsigned)(uint16_t)(int16_t)lrint(x * 32767));
            } else if (bits == 24) {
                uint32_t v = (uint32_t)(int32_t)lrint(x * 8388607);
                p[0] = (unsigned char)(v & 0xff);
                p[1] = (unsigned char)(v >> 8 & 0xff);
                p[2] = (unsigned char)(v >> 16 & 0xff);
            } else {
                put32(p, (uint32_t)(int32_t)lrint(x * 2147483647.0));
            }
        }
    }
    return b;
}

static double rms(const int16_t *p, size_t n) {
    double s = 0;
    for (size_t i = 0; i < n; i++)
        s += (double)p[i] * p[i];
    return n ? sqrt(s / (double)n) : 0;
}

/* Every format and channel count: length converted exactly, level kept. */
static void test_formats(void) {
    static const struct { unsigned tag, bits; } fm[] = {{1, 8}, {1, 16}, {1, 24}, {1, 32}, {3, 32}};
    static const uint32_t rates[] = {8000, 11025, 16000, 22050, 44100, 48000, 96000};
    for (size_t f = 0; f < sizeof fm / sizeof *fm; f++) {
        for (int ext = 0; ext < 2; ext++) {
            for (unsigned ch = 1; ch <= 8; ch += (ch == 2 ? 6 : 1)) {
                for (size_t r = 0; r < sizeof rates / sizeof *rates; r++) {
                    size_t frames = rates[r] / 2; /* half a second */
                    size_t len;
                    unsigned char *b =
                        make_wav(fm[f].tag, ch, rates[r], fm[f].bits, frames, ext, &len);
                    int16_t *pcm = NULL;
                    size_t n = 0;
                    fc_err err = {{0}};
                    int rc = wav_parse_16k(b, len, "t.wav", &pcm, &n, &err);
                    CHECK(rc == 0, "tag %u bits %u ext %d ch %u rate %u: %s", fm[f].tag, fm[f].bits,
                          ext, ch, rates[r], err.msg);
                    if (rc == 0) {
                        size_t want = (frames * 16000 + rates[r] / 2) / rates[r];
                        CHECK(n == want, "tag %u bits %u ch %u rate %u: %zu samples", fm[f].tag,
                              fm[f].bits, ch, rates[r], n);
                        /* sine at 0.5: rms 0.354 of full scale = 11585 */
                        double level = rms(pcm + 1000, n > 7000 ? 6000 : 0);
                        CHECK(fabs(level - 11585) < 400, "tag %u bits %u ch %u rate %u: rms %.0f",
                              fm[f].tag, fm[f].bits, ch, rates[r], level);
                    }
                    free(pcm);
                    free(b);
                }
            }
        }
    }
}

/* 44.1 kHz stereo to 16 kHz mono: length and no delay (the sine's phase). */
static void test_stereo_441(void) {
    size_t len;
    unsigned char *b = make_wav(1, 2, 44100, 16, 44100 * 3, 0, &len);
    int16_t *pcm = NULL;
    size_t n = 0;
    fc_err err;
    CHECK_INT(wav_parse_16k(b, len, "s.wav", &pcm, &n, &err), 0);
    CHECK_INT(n, 48000);
    if (pcm && n == 48000) {
        /* Compare with the ideal sine at 16 kHz: the filter must not shift it. */
        double e = 0, s = 0;
        for (size_t i = 100; i < n - 100; i++) {
            double want = 0.5 * 32767 * sin(2 * M_PI * 440.0 * (double)i / 16000);
            e += (pcm[i] - want) * (pcm[i] - want);
            s += want * want;
        }
        double snr = 10 * log10(s / (e + 1e-9));
        CHECK(snr > 30, "resampled sine matches the ideal one: SNR %.1f dB", snr);
    }
    free(pcm);
    free(b);
}

static void expect_error(const unsigned char *b, size_t len, const char *what, const char *msg) {
    int16_t *pcm = NULL;
    size_t n = 0;
    fc_err err = {{0}};
    int rc = wav_parse_16k(b, len, "bad.wav", &pcm, &n, &err);
    CHECK(rc == -1, "%s: an error, got %d", what, rc);
    if (rc == -1) {
        CHECK_CONTAINS(err.msg, "bad.wav");
        if (msg)
            CHECK_CONTAINS(err.msg, msg);
    }
    free(pcm);
}

static void test_malformed(void) {
    size_t len;
    unsigned char *good = make_wav(1, 1, 16000, 16, 1600, 0, &len);
    unsigned char *b = malloc(len);

    expect_error((const unsigned char *)"", 0, "empty", "not a WAV");
    expect_error((const unsigned char *)"RIFF", 4, "4 bytes", "not a WAV");
    memcpy(b, good, len);
    memcpy(b + 8, "AVI ", 4);
    expect_error(b, len, "not WAVE", "not a WAV");
    expect_error(good, 12, "header only", "format");
    expect_error(good, 30, "cut in fmt", "format");
    expect_error(good, 36, "no data chunk", "data");

    memcpy(b, good, len);
    put16(b + 20, 2); /* ADPCM */
    expect_error(b, len, "ADPCM", "unsupported encoding");
    memcpy(b, good, len);
    put16(b + 22, 0);
    expect_error(b, len, "0 channels", "channels");
    memcpy(b, good, len);
    put16(b + 22, 9);
    expect_error(b, len, "9 channels", "channels");
    memcpy(b, good, len);
    put32(b + 24, 4000);
    expect_error(b, len, "4 kHz", "sample rate");
    memcpy(b, good, len);
    put32(b + 24, 192000);
    expect_error(b, len, "192 kHz", "sample rate");
    memcpy(b, good, len);
    put16(b + 34, 12);
    expect_error(b, len, "12 bits", "sample size");
    memcpy(b, good, len);
    put16(b + 20, 3); /* float with 16 bits */
    expect_error(b, len, "float 16", "sample size");
    memcpy(b, good, len);
    put32(b + 16, 0xFFFFFFF0u); /* huge fmt chunk */
    expect_error(b, len, "huge fmt", NULL);
    memcpy(b, good, len);
    put32(b + 16, 8); /* fmt too short */
    expect_error(b, len, "short fmt", NULL);

    /* A huge declared data size: what is there is read. */
    memcpy(b, good, len);
    put32(b + 40, 0xFFFFFFFFu);
    int16_t *pcm = NULL;
    size_t n = 0;
    fc_err err;
    CHECK_INT(wav_parse_16k(b, len, "big.wav", &pcm, &n, &err), 0);
    CHECK_INT(n, 1600);
    free(pcm);

    /* A short data chunk (odd byte count) and an odd-sized chunk before it. */
    size_t l2 = len + 14;
    unsigned char *c = calloc(1, l2);
    memcpy(c, good, 36);
    memcpy(c + 36, "LIST", 4);
    put32(c + 40, 5); /* odd: padded to 6 */
    memcpy(c + 44, "abcde", 5);
    memcpy(c + 50, good + 36, len - 36);
    put32(c + 54, 3201); /* odd data size, one byte over a whole sample */
    pcm = NULL;
    CHECK_INT(wav_parse_16k(c, l2, "odd.wav", &pcm, &n, &err), 0);
    CHECK_INT(n, 1600);
    free(pcm);
    free(c);

    /* Every truncation of a valid file: an error or a shorter result, never
     * a read past the end (ASan watches). */
    for (size_t cut = 0; cut < len; cut += (cut < 100 ? 1 : 97)) {
        unsigned char *t = malloc(cut ? cut : 1);
        memcpy(t, good, cut);
        pcm = NULL;
        if (wav_parse_16k(t, cut, "cut.wav", &pcm, &n, &err) == 0)
            CHECK(n <= 1600, "cut at %zu: %zu samples", cut, n);
        free(pcm);
        free(t);
    }
    /* Random bytes after a valid RIFF header. */
    srand(7);
    for (int k = 0; k < 2000; k++) {
        size_t rl = 12 + (size_t)(rand() % 200);
        unsigned char *t = malloc(rl);
        memcpy(t, good, 12);
        for (size_t i = 12; i < rl; i++)
            t[i] = (unsigned char)rand();
        if (k % 2 && rl >= 16) {
            memcpy(t + 12, "fmt ", 4);
            if (rl > 20)
                put32(t + 16, (uint32_t)(rand() % 48));
        }
        pcm = NULL;
        (void)wav_parse_16k(t, rl, "rand.wav", &pcm, &n, &err);
        free(pcm);
        free(t);
    }
    free(b);
    free(good);
}

static void test_roundtrip(void) {
    char path[] = "/tmp/fc_test_wav_XXXXXX";
    int fd = mkstemp(path);
    CHECK(fd >= 0, "temp file");
    if (fd < 0)
        return;
    close(fd);
    int16_t pcm[5000];
    for (int i = 0; i < 5000; i++)
        pcm[i] = (int16_t)((i * 7919) % 65536 - 32768);
    fc_err err;
    wav_writer *w = wav_writer_open(path, 16000, &err);
    CHECK(w != NULL, "writer opens");
    if (!w)
        return;
    CHECK_INT(wav_writer_write(w, pcm, 1234), 0);
    CHECK_INT(wav_writer_write(w, pcm + 1234, 5000 - 1234), 0);
    CHECK_INT(wav_writer_close(w), 0);
    int16_t *back = NULL;
    size_t n = 0;
    CHECK_INT(wav_read_16k(path, &back, &n, &err), 0);
    CHECK_INT(n, 5000);
    CHECK(back && memcmp(back, pcm, sizeof pcm) == 0, "round trip is bit-exact");
    free(back);

    /* wav_write of an empty buffer is a valid, empty file. */
    CHECK_INT(wav_write(path, pcm, 0, 16000, &err), 0);
    back = NULL;
    CHECK_INT(wav_read_16k(path, &back, &n, &err), 0);
    CHECK_INT(n, 0);
    free(back);

    /* The header on disk is the canonical 44 bytes. */
    CHECK_INT(wav_write(path, pcm, 10, 16000, &err), 0);
    size_t len = 0;
    char *raw = file_read_all(path, &len, &err);
    CHECK_INT(len, 64);
    CHECK(raw && memcmp(raw, "RIFF", 4) == 0 && memcmp(raw + 36, "data", 4) == 0, "header");
    free(raw);
    unlink(path);

    CHECK_INT(wav_read_16k("/nonexistent/x.wav", &back, &n, &err), -1);
    CHECK_CONTAINS(err.msg, "/nonexistent/x.wav");
    CHECK(wav_writer_open("/nonexistent/y.wav", 16000, &err) == NULL, "cannot create");
    CHECK_CONTAINS(err.msg, "/nonexistent/y.wav");
    CHECK(wav_writer_close(NULL) == 0, "close(NULL)");
}

static void test_resample(void) {
    int16_t in[22050];
    for (int i = 0; i < 22050; i++)
        in[i] = (int16_t)lrint(10000 * sin(2 * M_PI * 300.0 * i / 22050));
    int16_t *out = NULL;
    size_t n = 0;
    CHECK_INT(wav_resample(in, 22050, 22050, 16000, &out, &n), 0);
    CHECK_INT(n, 16000);
    if (out)
        CHECK(fabs(rms(out + 100, 15800) - 7071) < 200, "level kept: %.0f", rms(out + 100, 15800));
    free(out);
    CHECK_INT(wav_resample(in, 0, 22050, 16000, &out, &n), 0);
    CHECK_INT(n, 0);
    free(out);
}

int main(void) {
    test_formats();
    test_stereo_441();
    test_malformed();
    test_roundtrip();
    test_resample();
    return check_report();
}
