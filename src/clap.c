/* clap: finds a double clap or knock (the non-speech stop signal) in the
 * microphone signal, in 2.5 ms sub-frames; see clap.h for the method. */
#include "clap.h"

#include <math.h>
#ifdef CLAP_DEBUG
#include <stdio.h>
#endif
#include <stdlib.h>
#include <string.h>

#include "util.h"

#ifdef CLAP_DEBUG
/* CLAP_DEBUG=1: every event and pair; CLAP_DEBUG=2: the detections only. */
static int dbg_all(void) {
    const char *e = getenv("CLAP_DEBUG");
    return e && strcmp(e, "2") != 0;
}
#endif

#define RATE 16000
#define SUB 40         /* samples per sub-frame: 2.5 ms */
#define NBANDS 8
#define EPS_ENERGY 1.0 /* per sub-frame, in s16 units squared: keeps logs finite */

/* Two views of the signal: a 10 ms window sliding by 2.5 ms measures how
 * loud something is (the noise flickers less over 10 ms, and a clap's energy
 * lasts that long), the 2.5 ms sub-frames measure how sharply it starts.
 * Each band is measured in dB over its running noise floor (x10), and the
 * level of a moment is how far it stands above the noise's own peaks in each
 * band (the band's tail, an upper quantile of x10):
 * 10 log10(1 + sum over bands of (10^((x10 - tail) / 10) - 1)+). Tuned with
 * bench/clap.c on synthesized claps and knocks over part of the corpus noise. */
#define WIN 4              /* sub-frames in the 10 ms window */
#define T_ACT_DEF 3.0      /* a peak of at least this level is an event */
#define T_PEAK_DEF 8.0     /* a clap's peak must reach this */
#define RISE_MIN_DEF 8.0   /* sharp onset: a band's sub-frame this far above 5-10 ms before */
#define TONAL_MAX_DEF 15.0 /* no spectral line this far above its neighbours (1.6-7.4 kHz) */
#define RING_DB_DEF 6.0    /* 40 ms after the onset, its loudest band has dropped this much, */
#define RING_FRAC_DEF 0.4  /* ... or this fraction of its dB over the floor when faint */
#define T_BUSY_DEF 4.0     /* another event this loud spoils the isolation of a pair */
#define BUSY_REL_DEF 4.0   /* ... or one within this many dB of the weaker clap */
#define PAIR_DIFF_DEF 9.0  /* the two claps of a pair are within this many dB */
#define DECAY_DB 10.0      /* duration is measured down to peak - DECAY_DB */
#define DUR_MAX_DEF 27     /* 60 ms of high energy at most (+ the window's length) */
/* In a room, a few metres from the microphone, the walls' echoes of a clap
 * reach it as a tail as loud as the clap itself or louder, dying away over
 * the room's reverberation time (0.3-0.8 s in a home): the clap lasts too
 * long for DUR_MAX and its loudest band has not dropped RING_DB 40 ms on.
 * Such a transient still qualifies when, after its sharp onset, its level
 * falls steadily (never back up ROOM_RISE over the lowest it reached) to
 * DECAY_DB under its peak, or by ROOM_FALL within the LOOK judged; its
 * loudest band has dropped ROOM_DROP 40 ms after the onset; and it is not a
 * voice: above 1 kHz it does not repeat at a pitch period (normalized
 * autocorrelation at most ROOM_PERIODIC; a room's tail of a clap reaches
 * 0.15-0.3, voiced speech 0.5-0.9). Bumps of the tail without a sharp onset
 * (under TAIL_SHARP), ROOM_BELOW under the clap and within TAIL_WIN of its
 * onset do not spoil its pair's isolation: a knock's low tone rises and
 * falls as its echoes add up. Chosen on synthesized rooms (bench/clap.c,
 * syn_room) and the tune seeds' false triggers. */
#define ROOM_RISE_DEF 3.0
#define ROOM_FALL_DEF 6.0
#define ROOM_DROP_DEF 2.5
#define ROOM_PERIODIC_DEF 0.35
#define TAIL_WIN_DEF 40 /* 100 ms */
#define TAIL_SHARP_DEF 8.0
#define ROOM_BELOW_DEF 2.0
#define ONSET_BACK_DEF 7   /* the onset is sought this many sub-frames before the peak */
/* A pair both of whose onsets rise more than this many dB over their 5-10 ms
 * before than they stand over the noise's own peaks is not taken: such sharp
 * sounds barely above the noise's peaks are what the noise itself makes
 * (typing: keystrokes rise ~30 dB and reach only 8-10). Tuned on the tune
 * seeds: of the detections there, 11 of 14 false ones under speech and 11
 * of 722 true ones had both above 14 (16: 10 and 9; 12: 11 and 21). */
#define NOISY_RISE_DEF 14.0

/* The noise's own peaks: each band's tail tracks an upper quantile of x10
 * (TAIL_UP / (TAIL_UP + TAIL_DOWN) of the time below it), skipping claps
 * and their ring, and sustained sounds (a voice, a passing train: they move
 * the floor instead). */
#define TAIL_UP_DEF 0.4
#define TAIL_DOWN_DEF 0.004 /* dB per sub-frame: 1.6 dB/s, the bar comes down within seconds */
#define TAIL_MIN_DEF 3.0
#define TAIL_START_DEF 6.0
#define TAIL_SKIP_DEF 40 /* sub-frames after a clap's end: 100 ms of its ring */
#define SUSTAIN_DEF 12   /* of the 17 sub-frames around, more above T_ACT is sustained */

/* Times, in sub-frames. */
#define LOOK 40        /* a sub-frame is judged 100 ms later, its decay known */
#define LOCAL 8        /* a peak is the loudest within 20 ms either side */
#define HIST 128       /* sub-frames of history (>= LOOK + 2 * LOCAL + WIN + 4) */
#define PAIR_MIN 60    /* 150 ms between the two onsets at least */
#define PAIR_MAX 400   /* 1 s at most */
#define PRE_QUIET 120  /* 300 ms of nothing loud before the first */
#define POST_QUIET 100 /* 250 ms of nothing loud after the second */
#define LOG_LEN 128    /* events remembered (>= 1.6 s of them, one per 20 ms) */

/* The noise floor: a running median of each band's log energy (10 ms). */
#define FLOOR_STEP 0.02     /* dB per sub-frame: 8 dB/s */
#define FLOOR_STEP_FAST 0.3 /* while learning, the first 0.5 s */
#define FLOOR_LEARN 200

/* The echo of what was played: its level is the recent peak of `played`
 * times the coupling, tracked as an upper quantile of mic/played. */
#define ECHO_SPAN 160         /* 400 ms of played sub-frames: the echo path's delay and tail */
#define ECHO_MARGIN 6.0       /* a transient must be this far above the echo estimate */
#define PLAYED_ACTIVE 43000.0 /* -60 dBFS over a sub-frame: the program is talking */
#define COUPLING_UP 0.5       /* dB per 20 ms when mic/played is above the estimate */
#define COUPLING_DOWN 0.05    /* ... below: settles at the ~91st percentile */
#define COUPLING_START 0.0    /* dB: assume a loud echo until measured */
#define COUPLING_MIN (-60.0)
#define COUPLING_MAX 10.0


#ifdef CLAP_TUNE
#include <stdio.h>
/* Tuning builds read the thresholds from the environment. */
static double tune_get(const char *name, double def) {
    static struct {
        const char *name;
        double v;
    } cache[64];
    static int n;
    for (int i = 0; i < n; i++)
        if (cache[i].name == name)
            return cache[i].v;
    const char *e = getenv(name);
    if (n == 64)
        return e ? atof(e) : def;
    cache[n].name = name;
    cache[n].v = e ? atof(e) : def;
    return cache[n++].v;
}
#define TUNE(n) tune_get(#n, n##_DEF)
#else
#define TUNE(n) (n##_DEF)
#endif
#define T_ACT TUNE(T_ACT)
#define T_PEAK TUNE(T_PEAK)
#define RISE_MIN TUNE(RISE_MIN)
#define T_BUSY TUNE(T_BUSY)
#define BUSY_REL TUNE(BUSY_REL)
#define PAIR_DIFF TUNE(PAIR_DIFF)
#define TAIL_UP TUNE(TAIL_UP)
#define TAIL_DOWN TUNE(TAIL_DOWN)
#define TAIL_MIN TUNE(TAIL_MIN)
#define TAIL_START TUNE(TAIL_START)
#define DUR_MAX TUNE(DUR_MAX)
#define TAIL_WIN TUNE(TAIL_WIN)
#define ROOM_RISE TUNE(ROOM_RISE)
#define ROOM_FALL TUNE(ROOM_FALL)
#define ROOM_DROP TUNE(ROOM_DROP)
#define ROOM_BELOW TUNE(ROOM_BELOW)
#define TAIL_SHARP TUNE(TAIL_SHARP)
#define ROOM_PERIODIC TUNE(ROOM_PERIODIC)
#define TONAL_MAX TUNE(TONAL_MAX)
#define RING_DB TUNE(RING_DB)
#define RING_FRAC TUNE(RING_FRAC)
#define TAIL_SKIP TUNE(TAIL_SKIP)
#define SUSTAIN TUNE(SUSTAIN)
#define ONSET_BACK ((long long)TUNE(ONSET_BACK))
#define NOISY_RISE TUNE(NOISY_RISE)

typedef struct biquad {
    double b0, b1, b2, a1, a2;
    double x1, x2, y1, y2;
} biquad;

typedef struct event {
    long long start, end; /* sub-frame indices, end inclusive */
    double peak;          /* level at the peak, dB */
    double rise;          /* the sharpest band onset, dB */
    double dur, ton, drop, per; /* for the debugging output */
    bool qualified;       /* looks like one clap or knock */
    bool evaluated;       /* already judged as the second of a pair */
} event;

/* What is kept of each sub-frame for the judging, LOOK sub-frames later. */
typedef struct frame_info {
    double lv;           /* level over the noise's own peaks, 10 ms, dB */
    double x10[NBANDS];  /* each band over its floor, 10 ms, dB */
    double ex2[NBANDS];  /* ... over 2.5 ms, dB >= 0 */
    double mic, echo;    /* mic energy; the recent peak of what was played */
} frame_info;

struct clap_detector {
    biquad hp_in, hp_played; /* 100 Hz: no rumble or DC in the energies */
    biquad band_hp[NBANDS], band_lp[NBANDS];
    double acc_band[NBANDS], acc_mic, acc_played;
    float samples[HIST * SUB]; /* the high-passed mic signal, sample k at k % (HIST * SUB) */
    long long n_samples;
    int acc_n;
    double ring[WIN][NBANDS]; /* the last sub-frames' band energies */
    double floor_db[NBANDS];  /* of the 10 ms band energies */
    double tail_db[NBANDS];   /* the noise's own peaks over the floor */
    long long sub;            /* sub-frames completed */
    frame_info hist[HIST];    /* sub-frame k is hist[k % HIST] */
    long long skip_until;     /* the tail trackers skip a clap up to here */

    double played_ring[ECHO_SPAN];
    double coupling_db;
    double group_mic_max; /* loudest mic sub-frame of the current 20 ms */
    int group_n;

    event log[LOG_LEN];
    int log_n; /* events in the log (the newest at log[log_n - 1]) */
    event first, second; /* the last pair found */

    long last_ms;
    long transients;
};

static void biquad_set(biquad *q, int highpass, double f0, double qf) {
    double w0 = 2.0 * M_PI * f0 / RATE, cw = cos(w0), alpha = sin(w0) / (2.0 * qf);
    double a0 = 1.0 + alpha;
    if (highpass) {
        q->b0 = (1.0 + cw) / 2.0 / a0;
        q->b1 = -(1.0 + cw) / a0;
    } else {
        q->b0 = (1.0 - cw) / 2.0 / a0;
        q->b1 = (1.0 - cw) / a0;
    }
    q->b2 = q->b0;
    q->a1 = -2.0 * cw / a0;
    q->a2 = (1.0 - alpha) / a0;
    q->x1 = q->x2 = q->y1 = q->y2 = 0.0;
}

static double biquad_run(biquad *q, double x) {
    double y = q->b0 * x + q->b1 * q->x1 + q->b2 * q->x2 - q->a1 * q->y1 - q->a2 * q->y2;
    q->x2 = q->x1;
    q->x1 = x;
    q->y2 = q->y1;
    q->y1 = y;
    return y;
}

static double db(double e) {
    return 10.0 * log10(e + EPS_ENERGY);
}

clap_detector *clap_new(void) {
    clap_detector *c = xcalloc(1, sizeof *c);
    if (!c)
        return NULL;
    const double butter = 0.70710678;
    biquad_set(&c->hp_in, 1, 100.0, butter);
    biquad_set(&c->hp_played, 1, 100.0, butter);
    /* About half-octave bands: a knock's thump, a clap's noise and a clink's
     * ring each stand out in their own. */
    static const double edges[NBANDS + 1] = {150, 300, 600, 1000, 1500, 2200, 3200, 4800, 7600};
    for (int b = 0; b < NBANDS; b++) {
        biquad_set(&c->band_hp[b], 1, edges[b], butter);
        biquad_set(&c->band_lp[b], 0, edges[b + 1], butter);
        c->tail_db[b] = TAIL_START;
    }
    c->coupling_db = COUPLING_START;
    c->last_ms = -1;
    return c;
}

void clap_free(clap_detector *c) {
    free(c);
}

long clap_last_ms(const clap_detector *c) {
    return c ? c->last_ms : -1;
}

long clap_transients(const clap_detector *c) {
    return c ? c->transients : 0;
}

static void log_add(clap_detector *c, const event *e) {
    if (c->log_n == LOG_LEN) {
        memmove(c->log, c->log + 1, (LOG_LEN - 1) * sizeof c->log[0]);
        c->log_n--;
    }
    c->log[c->log_n++] = *e;
}

static frame_info *at(clap_detector *c, long long k) {
    return &c->hist[k % HIST];
}

#define FFT_N 256

/* In-place radix-2 FFT of FFT_N points. */
static void fft(double *re, double *im) {
    for (int i = 1, j = 0; i < FFT_N; i++) {
        int bit = FFT_N >> 1;
        for (; j & bit; bit >>= 1)
            j ^= bit;
        j ^= bit;
        if (i < j) {
            double t = re[i];
            re[i] = re[j];
            re[j] = t;
            t = im[i];
            im[i] = im[j];
            im[j] = t;
        }
    }
    for (int len = 2; len <= FFT_N; len <<= 1) {
        double ang = -2.0 * M_PI / len;
        for (int i = 0; i < FFT_N; i += len)
            for (int k = 0; k < len / 2; k++) {
                double wr = cos(ang * k), wi = sin(ang * k);
                double ur = re[i + k], ui = im[i + k];
                double vr = re[i + k + len / 2] * wr - im[i + k + len / 2] * wi;
                double vi = re[i + k + len / 2] * wi + im[i + k + len / 2] * wr;
                re[i + k] = ur + vr;
                im[i + k] = ui + vi;
                re[i + k + len / 2] = ur - vr;
                im[i + k + len / 2] = ui - vi;
            }
    }
}

/* How tonal the start of a transient is: the most any bin between lo and
 * hi Hz of FFT_N samples from sample s0 stands above its neighbours (3-8
 * bins away on each side), in dB. Noise reaches ~8 dB, a ringing clink 15+. */
static double tonality(const clap_detector *c, long long s0, double lo, double hi) {
    double re[FFT_N], im[FFT_N], p[FFT_N / 2 + 1];
    for (int i = 0; i < FFT_N; i++) {
        double w = 0.5 - 0.5 * cos(2.0 * M_PI * (i + 0.5) / FFT_N);
        re[i] = w * c->samples[(s0 + i) % (HIST * SUB)];
        im[i] = 0.0;
    }
    fft(re, im);
    for (int b = 0; b <= FFT_N / 2; b++)
        p[b] = re[b] * re[b] + im[b] * im[b] + 1e-3;
    int b0 = (int)(lo * FFT_N / RATE), b1 = (int)(hi * FFT_N / RATE);
    double most = 0.0;
    for (int b = b0; b <= b1; b++) {
        double side = 0.0;
        for (int k = 3; k <= 8; k++)
            side += p[b - k] + p[b + k];
        double r = p[b] / (side / 12.0);
        if (r > most)
            most = r;
    }
    return 10.0 * log10(most);
}

/* Whether the level after peak j falls like a room's tail (see ROOM_RISE):
 * speech after a sharp onset holds its level or rises again. */
static bool room_decay(clap_detector *c, long long j, long long span_end, long long now) {
    double peak = at(c, j)->lv, low = peak;
    long long last = span_end < now ? span_end + 1 : now;
    for (long long i = j + 1; i <= last; i++) {
        double l = at(c, i)->lv;
        if (l > low + ROOM_RISE)
            return false;
        if (l < low)
            low = l;
    }
    return span_end < now || peak - at(c, now)->lv >= ROOM_FALL;
}

/* How periodic the sound above 1 kHz is from 10 to 50 ms after sample s0:
 * the most its normalized autocorrelation reaches over a voice's pitch
 * periods (2.5-12.5 ms). A voice's harmonics repeat at its pitch; a clap
 * and its room's tail are noise. */
static double periodicity(const clap_detector *c, long long s0) {
    enum { PRE = 64, N = 640, LMIN = 40, LMAX = 200 };
    float x[N + LMAX];
    biquad hp;
    biquad_set(&hp, 1, 1000.0, 0.70710678);
    long long from = s0 + 160 - PRE;
    for (int i = 0; i < PRE + N + LMAX; i++) {
        double y = biquad_run(&hp, c->samples[(from + i) % (HIST * SUB)]);
        if (i >= PRE)
            x[i - PRE] = (float)y;
    }
    double e0 = 0.0;
    for (int i = 0; i < N; i++)
        e0 += (double)x[i] * x[i];
    double best = 0.0;
    for (int l = LMIN; l <= LMAX; l++) {
        double num = 0.0, el = 0.0;
        for (int i = 0; i < N; i++) {
            num += (double)x[i] * x[i + l];
            el += (double)x[i + l] * x[i + l];
        }
        double r = num / sqrt(e0 * el + 1e-9);
        if (r > best)
            best = r;
    }
    return best;
}

/* Judges sub-frame j, LOOK sub-frames back: if it is a peak (the loudest
 * within LOCAL either side) above T_ACT, logs it as an event, clap-like or
 * not. */
static void judge(clap_detector *c, long long j, long long now) {
    double peak = at(c, j)->lv;
    if (peak < T_ACT)
        return;
    for (int k = 1; k <= LOCAL; k++)
        if (at(c, j - k)->lv >= peak || at(c, j + k)->lv > peak)
            return;
    /* Sharp onset: the most a band's sub-frame within the 10 ms window that
     * peaked rose over its loudest of 5-10 ms before. */
    long long is = j;
    double rise = -100.0;
    for (long long i = j - ONSET_BACK; i <= j; i++)
        for (int b = 0; b < NBANDS; b++) {
            double before = at(c, i - 4)->ex2[b];
            for (long long k = i - 3; k <= i - 2; k++)
                if (at(c, k)->ex2[b] > before)
                    before = at(c, k)->ex2[b];
            if (at(c, i)->ex2[b] - before > rise) {
                rise = at(c, i)->ex2[b] - before;
                is = i;
            }
        }
    /* The program's own voice coming back: a transient no louder than the
     * echo could be is not the person's. */
    if (db(at(c, is)->mic) <= db(at(c, is)->echo) + c->coupling_db + ECHO_MARGIN)
        return;
    /* Short: the contiguous span from the peak down to peak - DECAY_DB. */
    double low = peak - DECAY_DB > T_ACT ? peak - DECAY_DB : T_ACT;
    long long span_end = j;
    while (span_end < now && at(c, span_end + 1)->lv >= low)
        span_end++;
    long long dur = span_end - j + 1;
    event e = {is, span_end, peak, rise, (double)dur, 0.0, 0.0, 0.0, false, false};
    bool sharp = peak >= T_PEAK && rise >= RISE_MIN;
    bool room = sharp && room_decay(c, j, span_end, now); /* only a sharp one may be a clap */
    e.qualified = sharp && ((double)dur <= DUR_MAX || room);
    if (e.qualified) {
        /* Timbre: a clap or a knock's click is noise, a clink rings at one
         * pitch; and neither rings on long in the band where it stands out. */
        double ton = tonality(c, is * SUB - 2 * SUB, 1600.0, 7400.0);
        int bm = 0;
        for (int b = 1; b < NBANDS; b++)
            if (at(c, j)->x10[b] - c->tail_db[b] > at(c, j)->x10[bm] - c->tail_db[bm])
                bm = b;
        double top = at(c, j)->x10[bm], drop = top - at(c, is + 16)->x10[bm];
        double need = RING_FRAC * top < RING_DB ? RING_FRAC * top : RING_DB;
        bool dry = (double)dur <= DUR_MAX && drop >= need;
        e.qualified = ton <= TONAL_MAX && (dry || (room && drop >= ROOM_DROP));
        if (e.qualified && !dry) {
            e.per = periodicity(c, is * SUB);
            e.qualified = e.per <= ROOM_PERIODIC;
        }
        e.ton = ton;
        e.drop = drop;
#ifdef CLAP_DEBUG
        if (dbg_all())
            fprintf(stderr, "q t=%.3f ton=%.1f drop=%.1f need=%.1f bm=%d room=%d per=%.2f\n",
                    (double)j * SUB / RATE, ton, drop, need, bm, room, e.per);
#endif
    }
#ifdef CLAP_DEBUG
    if (dbg_all()) {
        fprintf(stderr, "ev t=%.3f peak=%.1f rise=%.1f dur=%lld q=%d tail=", (double)j * SUB / RATE,
                peak, rise, dur, e.qualified);
        for (int b = 0; b < NBANDS; b++)
            fprintf(stderr, "%.0f/%.0f ", at(c, j)->x10[b], c->tail_db[b]);
        fprintf(stderr, "\n");
    }
#endif

    if (e.qualified) {
        c->transients++;
        c->skip_until = span_end + (long long)TAIL_SKIP;
    }
    log_add(c, &e);
}

/* Whether event e is a bump of the room's tail of `clap` (see TAIL_WIN). */
static bool in_tail(const event *e, const event *clap) {
    return e->start > clap->start && e->start <= clap->start + (long long)TAIL_WIN &&
           e->peak < clap->peak - ROOM_BELOW;
}

/* Whether nothing else loud happened from PRE_QUIET before `f` to POST_QUIET
 * after `s`: speech, typing and clattering make many such sounds, a person
 * clapping twice makes two. */
static bool pair_isolated(const clap_detector *c, const event *f, const event *s) {
    double weaker = f->peak < s->peak ? f->peak : s->peak;
    double busy = weaker - BUSY_REL > T_BUSY ? weaker - BUSY_REL : T_BUSY;
    for (int i = 0; i < c->log_n; i++) {
        const event *e = &c->log[i];
        if (e->start == f->start || e->start == s->start)
            continue;
        /* A bump of a clap's own room tail (see TAIL_WIN). */
        if (e->rise < TAIL_SHARP && (in_tail(e, f) || in_tail(e, s)))
            continue;
        if (e->end < f->start - PRE_QUIET || e->start > s->end + POST_QUIET)
            continue;
        if (e->peak >= busy) {
#ifdef CLAP_DEBUG
            if (dbg_all()) /* what spoiled it, and when relative to the pair */
                fprintf(stderr, "spoil t=%.3f peak=%.1f q=%d rise=%.1f dur=%.0f dt=%.3f\n",
                        (double)e->start * SUB / RATE, e->peak, e->qualified, e->rise, e->dur,
                        (double)(e->start - (e->start < f->start ? f->start : s->start)) * SUB / RATE);
#endif
            return false;
        }
    }
    return true;
}

/* Takes each clap-like event whose quiet after has now been heard as the
 * second of a pair: its first is the strongest clap-like event 150 ms-1 s
 * before it of about the same strength. Returns true on a double clap. */
static bool pairs_check(clap_detector *c, long long j) {
    for (int i = 0; i < c->log_n; i++) {
        event *s = &c->log[i];
        if (s->evaluated || s->end + POST_QUIET > j)
            continue;
        s->evaluated = true;
        if (!s->qualified)
            continue;
        const event *best = NULL;
        for (int k = i - 1; k >= 0; k--) {
            const event *f = &c->log[k];
            long long gap = s->start - f->start;
            if (gap > PAIR_MAX)
                break;
            if (!f->qualified || gap < PAIR_MIN || fabs(f->peak - s->peak) > PAIR_DIFF)
                continue;
            /* Two sharp sounds that only just clear the noise's own peaks:
             * the noise's own clicks (see NOISY_RISE). */
            if (f->rise - f->peak > NOISY_RISE && s->rise - s->peak > NOISY_RISE)
                continue;
            if (!best || f->peak > best->peak)
                best = f;
        }
#ifdef CLAP_DEBUG
        if (best && dbg_all()) {
            fprintf(stderr, "pair %.3f %.3f isolated=%d p1=%.1f p2=%.1f\n",
                    (double)best->start * SUB / RATE, (double)s->start * SUB / RATE,
                    pair_isolated(c, best, s), best->peak, s->peak);
        }
#endif
        if (best && pair_isolated(c, best, s)) {
#ifdef CLAP_DEBUG
            const event *ev2[2] = {best, s};
            fprintf(stderr, "FIRE %.3f", (double)s->start * SUB / RATE);
            for (int q = 0; q < 2; q++)
                fprintf(stderr, " | pk %.1f rise %.1f dur %.0f ton %.1f drop %.1f per %.2f", ev2[q]->peak,
                        ev2[q]->rise, ev2[q]->dur, ev2[q]->ton, ev2[q]->drop, ev2[q]->per);
            fprintf(stderr, " gap %.3f\n", (double)(s->start - best->start) * SUB / RATE);
#endif
            c->first = *best;
            c->second = *s;
            c->log_n = 0;
            return true;
        }
    }
    return false;
}

static void floor_update(clap_detector *c, int b, double x_db) {
    double step = c->sub < FLOOR_LEARN ? FLOOR_STEP_FAST : FLOOR_STEP;
    if (c->sub == 0)
        c->floor_db[b] = x_db;
    else if (x_db > c->floor_db[b])
        c->floor_db[b] += step;
    else
        c->floor_db[b] -= step;
}

/* The level over the noise's own peaks, from each band's dB over its floor. */
static double level(const clap_detector *c, const double *x10) {
    double sum = 0.0;
    for (int b = 0; b < NBANDS; b++) {
        double r = pow(10.0, (x10[b] - c->tail_db[b]) / 10.0) - 1.0;
        sum += r > 0.0 ? r : 0.0;
    }
    return 10.0 * log10(1.0 + sum);
}

/* The echo estimate and the coupling tracker. Returns the loudest played
 * sub-frame of the last ECHO_SPAN. */
static double echo_update(clap_detector *c) {
    memmove(c->played_ring + 1, c->played_ring, (ECHO_SPAN - 1) * sizeof c->played_ring[0]);
    c->played_ring[0] = c->acc_played;
    double echo = 0.0;
    for (int i = 0; i < ECHO_SPAN; i++)
        if (c->played_ring[i] > echo)
            echo = c->played_ring[i];
    if (c->acc_mic > c->group_mic_max)
        c->group_mic_max = c->acc_mic;
    if (++c->group_n == 8) {
        if (echo >= PLAYED_ACTIVE) {
            double r = db(c->group_mic_max) - db(echo);
            c->coupling_db += r > c->coupling_db ? COUPLING_UP : -COUPLING_DOWN;
            if (c->coupling_db < COUPLING_MIN)
                c->coupling_db = COUPLING_MIN;
            if (c->coupling_db > COUPLING_MAX)
                c->coupling_db = COUPLING_MAX;
        }
        c->group_n = 0;
        c->group_mic_max = 0.0;
    }
    return echo;
}

/* One complete sub-frame; returns true when a double clap completes. */
static bool sub_frame(clap_detector *c) {
    memmove(c->ring[1], c->ring[0], (WIN - 1) * sizeof c->ring[0]);
    memcpy(c->ring[0], c->acc_band, sizeof c->ring[0]);
    double e10[NBANDS];
    for (int b = 0; b < NBANDS; b++) {
        e10[b] = 0.0;
        for (int k = 0; k < WIN; k++)
            e10[b] += c->ring[k][b];
    }
    long long now = c->sub;
    frame_info *f = at(c, now);
    memset(f, 0, sizeof *f);
    /* No events until the floor is known. */
    if (now >= FLOOR_LEARN) {
        for (int b = 0; b < NBANDS; b++) {
            f->x10[b] = db(e10[b]) - c->floor_db[b];
            double x2 = db(c->acc_band[b] * WIN) - c->floor_db[b];
            f->ex2[b] = x2 > 0.0 ? x2 : 0.0;
        }
        f->lv = level(c, f->x10);
    }
    for (int b = 0; b < NBANDS; b++)
        floor_update(c, b, db(e10[b]));
    f->mic = c->acc_mic;
    f->echo = echo_update(c);
    c->sub++;

    long long j = now - LOOK;
    if (j < FLOOR_LEARN + LOCAL)
        return false;
    judge(c, j, now);
    /* The tails learn LOCAL later, once any peak near has been judged: a
     * clap must not raise them for the next. */
    long long k = j - LOCAL;
    int loud = 0;
    for (long long i = k - LOCAL; i <= k + LOCAL; i++)
        loud += at(c, i)->lv >= T_ACT;
    if (k > c->skip_until && k >= FLOOR_LEARN && loud <= SUSTAIN)
        for (int b = 0; b < NBANDS; b++) {
            double x = at(c, k)->x10[b];
            c->tail_db[b] += x > c->tail_db[b] ? TAIL_UP : -TAIL_DOWN;
            if (c->tail_db[b] < TAIL_MIN)
                c->tail_db[b] = TAIL_MIN;
        }
    return pairs_check(c, j);
}

bool clap_process(clap_detector *c, const int16_t *mic, const int16_t *played, size_t n,
                  long t_ms) {
    if (!c || !mic)
        return false;
    bool found = false;
    for (size_t i = 0; i < n; i++) {
        double x = biquad_run(&c->hp_in, (double)mic[i]);
        double p = biquad_run(&c->hp_played, played ? (double)played[i] : 0.0);
        for (int b = 0; b < NBANDS; b++) {
            double y = biquad_run(&c->band_lp[b], biquad_run(&c->band_hp[b], x));
            c->acc_band[b] += y * y;
        }
        c->acc_mic += x * x;
        c->acc_played += p * p;
        c->samples[c->n_samples++ % (HIST * SUB)] = (float)x;
        if (++c->acc_n == SUB) {
            if (sub_frame(c)) {
                found = true;
                /* The second clap's onset, in session time. */
                long back = (long)((c->sub - c->second.start) * SUB * 1000 / RATE);
                c->last_ms = t_ms + (long)((i + 1) * 1000 / RATE) - back;
            }
            memset(c->acc_band, 0, sizeof c->acc_band);
            c->acc_mic = c->acc_played = 0.0;
            c->acc_n = 0;
        }
    }
    return found;
}
