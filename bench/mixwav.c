/* mixwav: builds a microphone WAV for the session-level benchmarks by
 * adding clips, looped noise and a faint floor, read as lines from stdin:
 *   loop PATH GAIN FROM_S          PATH looped over the whole output, from FROM_S in it
 *   clip PATH GAIN AT_S [UNTIL_S]  PATH added at AT_S, cut at UNTIL_S (output time)
 *   floor RMS SEED                 white noise of that RMS (a microphone is never silent)
 *   room RT60 TAIL SEED            the clips after it sound in a room: the direct sound plus
 *                                  a velvet-noise tail decaying 60 dB over RT60 s, its energy
 *                                  TAIL dB over the direct sound's, the whole of unit energy
 *                                  (the clip's level unchanged); RT60 0: no room
 * Usage: mixwav OUT.wav SECONDS < spec. Inputs are 16 kHz mono 16-bit WAVs;
 * the sum is clipped to 16 bits. Kept in C because Python without numpy takes
 * seconds per minute of audio, and the benchmark writes hours of it. */
#include <errno.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define RATE 16000

static float *out;
static size_t out_len;

/* The room the clips sound in: impulses at these delays (samples), the
 * direct sound first. */
static size_t *rir_at;
static double *rir_amp;
static size_t rir_n;

static void die(const char *what, const char *detail) {
    fprintf(stderr, "mixwav: %s%s%s\n", what, detail ? ": " : "", detail ? detail : "");
    exit(1);
}

static uint32_t le32(const unsigned char *p) {
    return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

static uint16_t le16(const unsigned char *p) {
    return (uint16_t)(p[0] | p[1] << 8);
}

/* Reads a 16 kHz mono 16-bit WAV into floats; *n gets the sample count. */
static float *read_wav(const char *path, size_t *n) {
    FILE *f = fopen(path, "rb");
    if (!f)
        die(path, strerror(errno));
    unsigned char h[12];
    if (fread(h, 1, 12, f) != 12 || memcmp(h, "RIFF", 4) != 0 || memcmp(h + 8, "WAVE", 4) != 0)
        die(path, "not a WAV file");
    int fmt_ok = 0;
    for (;;) {
        unsigned char c[8];
        if (fread(c, 1, 8, f) != 8)
            die(path, "no data chunk");
        uint32_t size = le32(c + 4);
        if (memcmp(c, "fmt ", 4) == 0) {
            unsigned char fm[16];
            if (size < 16 || fread(fm, 1, 16, f) != 16)
                die(path, "short fmt chunk");
            if (le16(fm) != 1 || le16(fm + 2) != 1 || le32(fm + 4) != RATE || le16(fm + 14) != 16)
                die(path, "not 16 kHz mono 16-bit PCM");
            fmt_ok = 1;
            if (fseek(f, (long)(size - 16 + (size & 1)), SEEK_CUR) != 0)
                die(path, "bad fmt chunk");
        } else if (memcmp(c, "data", 4) == 0) {
            if (!fmt_ok)
                die(path, "data before fmt");
            size_t count = size / 2;
            unsigned char *raw = malloc(size ? size : 1);
            float *s = malloc((count ? count : 1) * sizeof *s);
            if (!raw || !s)
                die("out of memory", NULL);
            count = fread(raw, 1, size, f) / 2; /* a truncated file is read up to its end */
            for (size_t i = 0; i < count; i++)
                s[i] = (float)(int16_t)le16(raw + 2 * i);
            free(raw);
            fclose(f);
            *n = count;
            return s;
        } else if (fseek(f, (long)(size + (size & 1)), SEEK_CUR) != 0) {
            die(path, "bad chunk");
        }
    }
}

static void put32(unsigned char *p, uint32_t v) {
    for (int k = 0; k < 4; k++)
        p[k] = (unsigned char)(v >> (8 * k));
}

static void write_wav(const char *path) {
    FILE *f = fopen(path, "wb");
    if (!f)
        die(path, strerror(errno));
    uint32_t data = (uint32_t)(out_len * 2);
    /* PCM, 1 channel, 16 kHz, 2 bytes a frame, 16 bits */
    unsigned char h[44] = "RIFF....WAVEfmt \x10\0\0\0\1\0\1\0........\2\0\x10\0data";
    put32(h + 4, 36 + data);
    put32(h + 24, RATE);
    put32(h + 28, RATE * 2);
    put32(h + 40, data);
    unsigned char *raw = malloc(out_len * 2 + 1);
    if (!raw)
        die("out of memory", NULL);
    for (size_t i = 0; i < out_len; i++) {
        float x = roundf(out[i]);
        int16_t s = (int16_t)(x > 32767.0f ? 32767 : x < -32768.0f ? -32768 : (int)x);
        raw[2 * i] = (unsigned char)((uint16_t)s & 0xff);
        raw[2 * i + 1] = (unsigned char)((uint16_t)s >> 8);
    }
    if (fwrite(h, 1, 44, f) != 44 || fwrite(raw, 1, out_len * 2, f) != out_len * 2 || fclose(f) != 0)
        die(path, "write failed");
    free(raw);
}

static size_t at_sample(double seconds) {
    return seconds <= 0 ? 0 : (size_t)llround(seconds * RATE);
}

/* A small fast generator: the floor only needs to be noise-like and repeatable. */
static double uniform(uint64_t *st) {
    *st ^= *st << 13;
    *st ^= *st >> 7;
    *st ^= *st << 17;
    return (double)(*st >> 11) / 9007199254740992.0;
}

/* The room of a `room` line: velvet noise, a signed impulse every 0-1 ms
 * from 3 ms on, decaying 60 dB over rt60, scaled to `tail` dB over the
 * direct sound and the whole to unit energy. */
static void room(double rt60, double tail, uint64_t seed) {
    free(rir_at);
    free(rir_amp);
    rir_at = NULL;
    rir_amp = NULL;
    rir_n = 0;
    if (rt60 <= 0)
        return;
    size_t cap = (size_t)(rt60 * 2000) + 16;
    rir_at = malloc(cap * sizeof *rir_at);
    rir_amp = malloc(cap * sizeof *rir_amp);
    if (!rir_at || !rir_amp)
        die("out of memory", NULL);
    uint64_t st = seed * 2654435761u + 88172645463325252u;
    rir_at[0] = 0;
    rir_amp[0] = 1.0;
    rir_n = 1;
    double energy = 0.0;
    for (double t = 0.003; t < rt60 && rir_n < cap; t += uniform(&st) * 0.001) {
        rir_at[rir_n] = (size_t)(t * RATE);
        rir_amp[rir_n] = (uniform(&st) < 0.5 ? -1.0 : 1.0) * pow(10.0, -3.0 * t / rt60);
        energy += rir_amp[rir_n] * rir_amp[rir_n];
        rir_n++;
    }
    double g = energy > 0 ? sqrt(pow(10.0, tail / 10.0) / energy) : 0.0;
    double norm = 1.0 / sqrt(1.0 + pow(10.0, tail / 10.0));
    rir_amp[0] = norm;
    for (size_t k = 1; k < rir_n; k++)
        rir_amp[k] *= g * norm;
}

int main(int argc, char **argv) {
    if (argc != 3)
        die("usage: mixwav OUT.wav SECONDS < spec", NULL);
    out_len = at_sample(atof(argv[2]));
    out = calloc(out_len ? out_len : 1, sizeof *out);
    if (!out)
        die("out of memory", NULL);
    char line[4096];
    while (fgets(line, sizeof line, stdin)) {
        char kind[16], path[4000];
        double a = 0, b = 0, c = -1;
        if (sscanf(line, "%15s", kind) != 1)
            continue;
        if (strcmp(kind, "floor") == 0) {
            if (sscanf(line, "%*s %lf %lf", &a, &b) != 2)
                die("bad floor line", line);
            uint64_t st = (uint64_t)b * 2654435761u + 88172645463325252u;
            for (size_t i = 0; i < out_len; i++) {
                /* sum of uniforms: close enough to Gaussian, variance 1 */
                double g = uniform(&st) + uniform(&st) + uniform(&st) + uniform(&st) - 2.0;
                out[i] += (float)(a * g * sqrt(3.0));
            }
            continue;
        }
        if (strcmp(kind, "room") == 0) {
            if (sscanf(line, "%*s %lf %lf %lf", &a, &b, &c) != 3 || a < 0 || a > 3)
                die("bad room line", line);
            room(a, b, (uint64_t)c);
            continue;
        }
        int got = sscanf(line, "%*s %3999s %lf %lf %lf", path, &a, &b, &c);
        if (got < 3)
            die("bad line", line);
        size_t n;
        float *s = read_wav(path, &n);
        float gain = (float)a;
        if (strcmp(kind, "loop") == 0) {
            if (n == 0)
                die(path, "empty");
            size_t j = at_sample(b) % n;
            for (size_t i = 0; i < out_len; i++) {
                out[i] += gain * s[j];
                if (++j == n)
                    j = 0;
            }
        } else if (strcmp(kind, "clip") == 0) {
            size_t start = at_sample(b);
            size_t end = got == 4 && c >= 0 ? at_sample(c) : out_len;
            if (end > out_len)
                end = out_len;
            if (!rir_n)
                for (size_t i = 0; i < n && start + i < end; i++)
                    out[start + i] += gain * s[i];
            for (size_t k = 0; k < rir_n; k++) /* sparse: a few thousand impulses */
                for (size_t i = 0; i < n && start + rir_at[k] + i < end; i++)
                    out[start + rir_at[k] + i] += (float)(gain * rir_amp[k]) * s[i];
        } else {
            die("unknown line", line);
        }
        free(s);
    }
    write_wav(argv[1]);
    free(out);
    return 0;
}
