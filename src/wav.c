/* wav: reading any common WAV file as 16 kHz mono, writing 16-bit mono WAV. */
#include "wav.h"

#include <errno.h>
#include <limits.h>
#include <math.h>
#include <speex/speex_resampler.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#define WAV_MAX_CHANNELS 8
#define WAV_MIN_RATE 8000
#define WAV_MAX_RATE 96000
#define RESAMPLE_QUALITY 5

enum { FMT_PCM = 1, FMT_FLOAT = 3, FMT_EXTENSIBLE = 0xFFFE };

static unsigned rd16(const unsigned char *p) {
    return (unsigned)p[0] | (unsigned)p[1] << 8;
}

static uint32_t rd32(const unsigned char *p) {
    return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

static void wr16(unsigned char *p, unsigned v) {
    p[0] = (unsigned char)(v & 0xff);
    p[1] = (unsigned char)(v >> 8 & 0xff);
}

static void wr32(unsigned char *p, uint32_t v) {
    for (int i = 0; i < 4; i++)
        p[i] = (unsigned char)(v >> (8 * i) & 0xff);
}

/* One sample as a float in [-1, 1). `p` points at `bytes` valid bytes. */
static float sample_at(const unsigned char *p, int bits, int is_float) {
    if (is_float) {
        uint32_t u = rd32(p);
        float f;
        memcpy(&f, &u, sizeof f);
        /* Why: a fuzzed file may hold NaN or huge values; keep the mix finite. */
        if (!isfinite(f))
            return 0.0f;
        return f > 1.0f ? 1.0f : f < -1.0f ? -1.0f : f;
    }
    switch (bits) {
    case 8:
        return ((float)p[0] - 128.0f) / 128.0f;
    case 16:
        return (float)(int16_t)rd16(p) / 32768.0f;
    case 24: {
        int32_t v = (int32_t)((uint32_t)p[0] << 8 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 24);
        return (float)(v >> 8) / 8388608.0f;
    }
    default:
        return (float)((double)(int32_t)rd32(p) / 2147483648.0);
    }
}

static int16_t to_s16(float f) {
    float v = f * 32768.0f;
    if (v > 32767.0f)
        return 32767;
    if (v < -32768.0f)
        return -32768;
    return (int16_t)lrintf(v);
}

/* Where the samples come from: a block of interleaved frames in one of the
 * supported encodings, mixed down to mono as they are read. */
typedef struct source {
    const unsigned char *data;
    size_t block_align, bytes;
    unsigned channels;
    int bits, is_float;
    const int16_t *s16; /* instead: plain mono samples */
} source;

static float frame_at(const source *src, size_t i) {
    if (src->s16)
        return (float)src->s16[i] / 32768.0f;
    const unsigned char *p = src->data + i * src->block_align;
    float sum = 0.0f;
    for (unsigned c = 0; c < src->channels; c++)
        sum += sample_at(p + c * src->bytes, src->bits, src->is_float);
    return sum / (float)src->channels;
}

#define CHUNK 4096

/* Converts `frames` frames of src from in_rate to out_rate as 16-bit mono,
 * in chunks, so memory stays at the size of the result. Exactly
 * round(frames * out_rate / in_rate) samples, aligned with the input.
 * Why speex's resampler: a plain linear interpolation aliases audibly and
 * hurts recognition; quality 5 costs little at these rates. */
static int convert(const source *src, size_t frames, int in_rate, int out_rate, int16_t **out,
                   size_t *out_n) {
    uint64_t want64 =
        ((uint64_t)frames * (uint64_t)out_rate + (uint64_t)in_rate / 2) / (uint64_t)in_rate;
    if (want64 > SIZE_MAX / sizeof(int16_t))
        return -1;
    size_t want = (size_t)want64;
    int16_t *o = xmalloc((want ? want : 1) * sizeof *o);
    if (!o)
        return -1;
    if (in_rate == out_rate) {
        for (size_t i = 0; i < frames; i++)
            o[i] = to_s16(frame_at(src, i));
        *out = o;
        *out_n = frames;
        return 0;
    }
    int e = 0;
    SpeexResamplerState *st = speex_resampler_init(1, (spx_uint32_t)in_rate, (spx_uint32_t)out_rate,
                                                   RESAMPLE_QUALITY, &e);
    if (!st) {
        free(o);
        return -1;
    }
    /* The filter delays its output; skipping its zeros aligns sample 0 with
     * sample 0, and a tail of zeros flushes the last input samples out. */
    speex_resampler_skip_zeros(st);
    size_t tail = (size_t)speex_resampler_get_input_latency(st) + 8;
    float in[CHUNK], res[2 * CHUNK + 64];
    size_t pos = 0, got = 0;
    while (got < want && (pos < frames || tail > 0)) {
        size_t k;
        if (pos < frames) {
            k = frames - pos < CHUNK ? frames - pos : CHUNK;
            for (size_t i = 0; i < k; i++)
                in[i] = frame_at(src, pos + i);
            pos += k;
        } else {
            k = tail < CHUNK ? tail : CHUNK;
            memset(in, 0, k * sizeof *in);
            tail -= k;
        }
        size_t used = 0;
        while (used < k && got < want) {
            spx_uint32_t in_len = (spx_uint32_t)(k - used);
            spx_uint32_t out_len = (spx_uint32_t)(sizeof res / sizeof *res);
            speex_resampler_process_float(st, 0, in + used, &in_len, res, &out_len);
            for (spx_uint32_t i = 0; i < out_len && got < want; i++)
                o[got++] = to_s16(res[i]);
            used += in_len;
            if (in_len == 0 && out_len == 0)
                break;
        }
    }
    speex_resampler_destroy(st);
    /* Rounding inside the filter may leave a sample or two short. */
    while (got < want)
        o[got++] = 0;
    *out = o;
    *out_n = want;
    return 0;
}

int wav_resample(const int16_t *in, size_t n, int in_rate, int out_rate, int16_t **out,
                 size_t *out_n) {
    if (in_rate <= 0 || out_rate <= 0)
        return -1;
    source src = {.s16 = in};
    return convert(&src, n, in_rate, out_rate, out, out_n);
}

int wav_parse_16k(const unsigned char *buf, size_t len, const char *name, int16_t **pcm, size_t *n,
                  fc_err *err) {
    if (!name)
        name = "(memory)";
    if (len < 12 || memcmp(buf, "RIFF", 4) != 0 || memcmp(buf + 8, "WAVE", 4) != 0)
        return err_set(err, "%s: not a WAV file (no RIFF/WAVE header)", name);
    const unsigned char *fmt = NULL, *data = NULL;
    size_t fmt_len = 0, data_len = 0;
    size_t pos = 12;
    /* Why `len - pos >= 8` and not `pos + 8 <= len`: no overflow on any size. */
    while (len - pos >= 8) {
        const unsigned char *id = buf + pos;
        size_t size = rd32(buf + pos + 4);
        size_t avail = len - pos - 8;
        pos += 8;
        if (memcmp(id, "fmt ", 4) == 0 && !fmt) {
            if (size > avail)
                return err_set(err, "%s: the format chunk is cut short", name);
            fmt = buf + pos;
            fmt_len = size;
        } else if (memcmp(id, "data", 4) == 0 && !data) {
            /* A streamed file may declare 0xFFFFFFFF or more than it holds:
             * take what is there. */
            data = buf + pos;
            data_len = size > avail ? avail : size;
            if (fmt)
                break;
        }
        if (size > avail)
            break;
        pos += size;
        if ((size & 1) && pos < len)
            pos++; /* chunks are padded to an even size */
    }
    if (!fmt)
        return err_set(err, "%s: no format chunk (fmt) before the end of the file", name);
    if (!data)
        return err_set(err, "%s: no audio data chunk", name);
    if (fmt_len < 16)
        return err_set(err, "%s: the format chunk is too short (%zu bytes)", name, fmt_len);
    unsigned tag = rd16(fmt);
    unsigned channels = rd16(fmt + 2);
    uint32_t rate = rd32(fmt + 4);
    unsigned block_align = rd16(fmt + 12);
    unsigned bits = rd16(fmt + 14);
    if (tag == FMT_EXTENSIBLE) {
        if (fmt_len < 40)
            return err_set(err, "%s: the extensible format chunk is too short", name);
        tag = rd16(fmt + 24); /* the first two bytes of the subformat GUID */
    }
    if (tag != FMT_PCM && tag != FMT_FLOAT)
        return err_set(err, "%s: unsupported encoding (format %u); use PCM or 32-bit float", name,
                       tag);
    int is_float = tag == FMT_FLOAT;
    if (is_float ? bits != 32 : (bits != 8 && bits != 16 && bits != 24 && bits != 32))
        return err_set(err, "%s: unsupported sample size %u bits%s", name, bits,
                       is_float ? " for float (use 32)" : " (use 8, 16, 24 or 32)");
    if (channels < 1 || channels > WAV_MAX_CHANNELS)
        return err_set(err, "%s: %u channels; 1 to %d are supported", name, channels,
                       WAV_MAX_CHANNELS);
    if (rate < WAV_MIN_RATE || rate > WAV_MAX_RATE)
        return err_set(err, "%s: sample rate %lu Hz; %d to %d Hz are supported", name,
                       (unsigned long)rate, WAV_MIN_RATE, WAV_MAX_RATE);
    size_t bytes = bits / 8;
    size_t frame = bytes * channels;
    /* Some writers leave block_align wrong; trust it only when it is sane. */
    if (block_align < frame)
        block_align = (unsigned)frame;
    size_t frames = data_len / block_align;
    source src = {data, block_align, bytes, channels, (int)bits, is_float, NULL};
    int16_t *o = NULL;
    size_t rn = 0;
    if (convert(&src, frames, (int)rate, 16000, &o, &rn) < 0)
        return err_set(err, "%s: out of memory converting %zu samples", name, frames);
    *pcm = o;
    *n = rn;
    return 0;
}

int wav_read_16k(const char *path, int16_t **pcm, size_t *n, fc_err *err) {
    FILE *f = fopen(path, "rb");
    if (!f)
        return err_set(err, "%s: cannot open: %s", path, strerror(errno));
    unsigned char *buf = NULL;
    size_t len = 0, cap = 0;
    /* A regular file's size is known: one allocation, no doubling. */
    struct stat st;
    size_t first = 1 << 16;
    if (fstat(fileno(f), &st) == 0 && S_ISREG(st.st_mode) && st.st_size > 0 &&
        (uint64_t)st.st_size < SIZE_MAX - 1)
        first = (size_t)st.st_size + 1;
    for (;;) {
        if (len == cap) {
            size_t ncap = cap ? cap * 2 : first;
            unsigned char *nb = xrealloc(buf, ncap);
            if (!nb) {
                free(buf);
                fclose(f);
                return err_set(err, "%s: out of memory", path);
            }
            buf = nb;
            cap = ncap;
        }
        size_t got = fread(buf + len, 1, cap - len, f);
        len += got;
        if (got == 0)
            break;
    }
    int bad = ferror(f);
    fclose(f);
    if (bad) {
        free(buf);
        return err_set(err, "%s: read error", path);
    }
    int r = wav_parse_16k(buf, len, path, pcm, n, err);
    free(buf);
    return r;
}

struct wav_writer {
    FILE *f;
    int rate;
    uint64_t samples;
    int failed;
};

static void header(unsigned char h[44], int rate, uint64_t samples) {
    uint64_t bytes = samples * 2;
    /* Why: past 4 GB the sizes cannot be represented; saturate, as players
     * then read to the end of the file. */
    uint32_t data = bytes > 0xFFFFFFFFu - 36 ? 0xFFFFFFFFu - 36 : (uint32_t)bytes;
    memcpy(h, "RIFF", 4);
    wr32(h + 4, data + 36);
    memcpy(h + 8, "WAVEfmt ", 8);
    wr32(h + 16, 16);
    wr16(h + 20, FMT_PCM);
    wr16(h + 22, 1);
    wr32(h + 24, (uint32_t)rate);
    wr32(h + 28, (uint32_t)rate * 2);
    wr16(h + 32, 2);
    wr16(h + 34, 16);
    memcpy(h + 36, "data", 4);
    wr32(h + 40, data);
}

wav_writer *wav_writer_open(const char *path, int rate, fc_err *err) {
    if (rate <= 0) {
        err_set(err, "%s: invalid sample rate %d", path, rate);
        return NULL;
    }
    FILE *f = fopen(path, "wb");
    if (!f) {
        err_set(err, "%s: cannot create: %s", path, strerror(errno));
        return NULL;
    }
    unsigned char h[44];
    header(h, rate, 0);
    wav_writer *w = xcalloc(1, sizeof *w);
    if (!w || fwrite(h, 1, sizeof h, f) != sizeof h) {
        err_set(err, "%s: cannot write", path);
        free(w);
        fclose(f);
        return NULL;
    }
    w->f = f;
    w->rate = rate;
    return w;
}

int wav_writer_write(wav_writer *w, const int16_t *pcm, size_t n) {
    unsigned char tmp[4096];
    size_t i = 0;
    while (i < n) {
        size_t k = 0;
        for (; i < n && k < sizeof tmp; i++, k += 2)
            wr16(tmp + k, (unsigned)(uint16_t)pcm[i]);
        if (fwrite(tmp, 1, k, w->f) != k) {
            w->failed = 1;
            return -1;
        }
    }
    w->samples += n;
    return 0;
}

int wav_writer_close(wav_writer *w) {
    if (!w)
        return 0;
    unsigned char h[44];
    header(h, w->rate, w->samples);
    int bad = w->failed;
    if (fseek(w->f, 0, SEEK_SET) != 0 || fwrite(h, 1, sizeof h, w->f) != sizeof h)
        bad = 1;
    if (fclose(w->f) != 0)
        bad = 1;
    free(w);
    return bad ? -1 : 0;
}

int wav_write(const char *path, const int16_t *pcm, size_t n, int rate, fc_err *err) {
    wav_writer *w = wav_writer_open(path, rate, err);
    if (!w)
        return -1;
    int r = wav_writer_write(w, pcm, n);
    if (wav_writer_close(w) < 0 || r < 0)
        return err_set(err, "%s: write error (disk full?)", path);
    return 0;
}
