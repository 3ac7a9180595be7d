/* clap_synth: synthesized test sounds for the clap detector (claps, knocks,
 * coughs) and the mixing helpers shared by tests/test_clap.c and
 * bench/clap.c. Header-only: every function is static. */
#ifndef FC_CLAP_SYNTH_H
#define FC_CLAP_SYNTH_H

#include <math.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#define SYN_RATE 16000.0

typedef struct syn_rng {
    uint64_t s;
} syn_rng;

static inline double syn_uniform(syn_rng *r) {
    r->s ^= r->s << 13;
    r->s ^= r->s >> 7;
    r->s ^= r->s << 17;
    return (double)(r->s >> 11) / 9007199254740992.0;
}

static inline double syn_range(syn_rng *r, double lo, double hi) {
    return lo + (hi - lo) * syn_uniform(r);
}

static inline double syn_gauss(syn_rng *r) {
    double u = syn_uniform(r), v = syn_uniform(r);
    if (u < 1e-12)
        u = 1e-12;
    return sqrt(-2.0 * log(u)) * cos(2.0 * M_PI * v);
}

typedef struct syn_bq {
    double b0, b1, b2, a1, a2, x1, x2, y1, y2;
} syn_bq;

/* kind: 0 low-pass, 1 high-pass, 2 band-pass (peak gain 1). */
static inline syn_bq syn_bq_make(int kind, double f0, double q) {
    double w0 = 2.0 * M_PI * f0 / SYN_RATE, cw = cos(w0), al = sin(w0) / (2.0 * q);
    double a0 = 1.0 + al;
    syn_bq b = {0, 0, 0, 0, 0, 0, 0, 0, 0};
    if (kind == 0) {
        b.b0 = b.b2 = (1.0 - cw) / 2.0 / a0;
        b.b1 = (1.0 - cw) / a0;
    } else if (kind == 1) {
        b.b0 = b.b2 = (1.0 + cw) / 2.0 / a0;
        b.b1 = -(1.0 + cw) / a0;
    } else {
        b.b0 = al / a0;
        b.b1 = 0.0;
        b.b2 = -al / a0;
    }
    b.a1 = -2.0 * cw / a0;
    b.a2 = (1.0 - al) / a0;
    return b;
}

static inline double syn_bq_run(syn_bq *b, double x) {
    double y = b->b0 * x + b->b1 * b->x1 + b->b2 * b->x2 - b->a1 * b->y1 - b->a2 * b->y2;
    b->x2 = b->x1;
    b->x1 = x;
    b->y2 = b->y1;
    b->y1 = y;
    return y;
}

/* A hand clap: noise band-passed to about 1-4 kHz, a 1-3 ms attack and an
 * exponential decay reaching -40 dB after 20-60 ms. Writes `len` samples
 * (zero after the decay) of peak amplitude about 1. Returns the length used. */
static inline size_t syn_clap(double *out, size_t len, syn_rng *r) {
    double attack = syn_range(r, 0.001, 0.003), decay40 = syn_range(r, 0.020, 0.060);
    double tau = decay40 / log(100.0);
    syn_bq hp = syn_bq_make(1, syn_range(r, 700.0, 1200.0), 0.707);
    syn_bq lp = syn_bq_make(0, syn_range(r, 3500.0, 5000.0), 0.707);
    size_t used = (size_t)((attack + decay40 * 1.5) * SYN_RATE);
    if (used > len)
        used = len;
    for (size_t i = 0; i < len; i++) {
        double t = (double)i / SYN_RATE;
        double env = t < attack ? 0.5 - 0.5 * cos(M_PI * t / attack) : exp(-(t - attack) / tau);
        double x = syn_bq_run(&lp, syn_bq_run(&hp, syn_gauss(r)));
        out[i] = i < used ? 3.0 * env * x : 0.0;
    }
    return used;
}

/* A knock on the floor: a thump (a decaying resonance at 100-400 Hz, with a
 * 2-5 ms attack, -40 dB after 40-100 ms, and a weaker second mode) plus a
 * click (1-2 ms of broadband noise, 6-14 dB below the thump's peak). */
static inline size_t syn_knock(double *out, size_t len, syn_rng *r) {
    double f1 = syn_range(r, 100.0, 400.0), f2 = f1 * syn_range(r, 2.2, 3.5);
    double attack = syn_range(r, 0.002, 0.005), decay40 = syn_range(r, 0.040, 0.100);
    double tau = decay40 / log(100.0);
    double click_len = syn_range(r, 0.001, 0.002);
    double click_amp = pow(10.0, -syn_range(r, 6.0, 14.0) / 20.0);
    syn_bq hp = syn_bq_make(1, 1000.0, 0.707);
    size_t used = (size_t)((attack + decay40 * 1.5) * SYN_RATE);
    if (used > len)
        used = len;
    double ph = syn_range(r, 0.0, 2.0 * M_PI);
    for (size_t i = 0; i < len; i++) {
        double t = (double)i / SYN_RATE;
        double env = t < attack ? 0.5 - 0.5 * cos(M_PI * t / attack) : exp(-(t - attack) / tau);
        double thump = sin(2.0 * M_PI * f1 * t + ph) + 0.4 * sin(2.0 * M_PI * f2 * t) *
                                                         exp(-t / (tau * 0.5));
        double click = t < click_len ? click_amp * 2.0 * syn_bq_run(&hp, syn_gauss(r)) : 0.0;
        out[i] = i < used ? env * thump + click : 0.0;
    }
    return used;
}

/* The room around a transient: its `used` dry samples in `buf` (of `cap`)
 * become the direct sound plus a reverberant tail, velvet noise (random
 * signed impulses, 2000 per second from 3 ms on) decaying 60 dB over `rt60`
 * seconds, whose energy is `drr_db` under the direct sound's (a person 2 m
 * from the microphone in a living room: rt60 0.4-0.8 s, drr 0 to -6 dB).
 * Returns the new length (at most cap). */
static inline size_t syn_room(double *buf, size_t cap, size_t used, double rt60, double drr_db,
                              syn_rng *r) {
    size_t tail = (size_t)(rt60 * SYN_RATE), len = used + tail < cap ? used + tail : cap;
    double *dry = (double *)malloc(used * sizeof *dry);
    if (!dry)
        return used;
    for (size_t i = 0; i < used; i++)
        dry[i] = buf[i];
    for (size_t i = used; i < len; i++)
        buf[i] = 0.0;
    enum { N_IMP = 4096 };
    static size_t at[N_IMP];
    static double amp[N_IMP];
    size_t n = 0;
    double energy = 0.0;
    for (double t = 0.003 + syn_range(r, 0.0, 0.0005); t < rt60 && n < N_IMP;
         t += syn_range(r, 0.0, 0.001)) {
        at[n] = (size_t)(t * SYN_RATE);
        amp[n] = (syn_uniform(r) < 0.5 ? -1.0 : 1.0) * pow(10.0, -3.0 * t / rt60);
        energy += amp[n] * amp[n];
        n++;
    }
    double g = energy > 0.0 ? sqrt(pow(10.0, drr_db / 10.0) / energy) : 0.0;
    for (size_t k = 0; k < n; k++)
        for (size_t i = 0; i < used && at[k] + i < len; i++)
            buf[at[k] + i] += g * amp[k] * dry[i];
    free(dry);
    return len;
}

/* A cough: a noisy burst with a 20-40 ms attack lasting about 300 ms, shaped
 * like the voiced/turbulent spectrum of a cough (300-3000 Hz, a 120-200 Hz
 * buzz in the first half). */
static inline size_t syn_cough(double *out, size_t len, syn_rng *r) {
    double attack = syn_range(r, 0.020, 0.040), dur = syn_range(r, 0.25, 0.35);
    double f0 = syn_range(r, 120.0, 200.0);
    syn_bq bp = syn_bq_make(2, 900.0, 0.5);
    size_t used = (size_t)(dur * SYN_RATE);
    if (used > len)
        used = len;
    for (size_t i = 0; i < len; i++) {
        double t = (double)i / SYN_RATE;
        double env = t < attack ? t / attack : exp(-(t - attack) / (dur / 3.0));
        double buzz = t < dur / 2 ? 0.5 * (1.0 + sin(2.0 * M_PI * f0 * t)) : 1.0;
        double x = syn_bq_run(&bp, syn_gauss(r)) * buzz;
        out[i] = i < used ? 2.0 * env * x : 0.0;
    }
    return used;
}

/* Mean square of x over its loudest 10 ms window (160 samples): the level of
 * a transient. */
static inline double syn_peak_power(const double *x, size_t n) {
    const size_t w = 160;
    double acc = 0.0, best = 0.0;
    for (size_t i = 0; i < n; i++) {
        acc += x[i] * x[i];
        if (i >= w)
            acc -= x[i - w] * x[i - w];
        if (acc > best)
            best = acc;
    }
    return best / (double)(n < w ? (n ? n : 1) : w);
}

/* Mean square of 16-bit samples. */
static inline double syn_power16(const int16_t *x, size_t n) {
    double acc = 0.0;
    for (size_t i = 0; i < n; i++)
        acc += (double)x[i] * x[i];
    return n ? acc / (double)n : 0.0;
}

static inline int16_t syn_clip16(double v) {
    if (v > 32767.0)
        return 32767;
    if (v < -32768.0)
        return -32768;
    return (int16_t)lrint(v);
}

/* Adds x * gain into out[at..], clipping, within out's length. */
static inline void syn_add(int16_t *out, size_t out_n, size_t at, const double *x, size_t n, double gain) {
    for (size_t i = 0; i < n && at + i < out_n; i++)
        out[at + i] = syn_clip16((double)out[at + i] + x[i] * gain);
}

#endif
