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

#define RATE 16000
#define SUB 40                    /* samples per sub-frame: 2.5 ms */
#define NBANDS 4
#define EPS_ENERGY 1.0            /* per sub-frame, in s16 units squared: keeps logs finite */

/* Two views of the signal: a 10 ms window sliding by 2.5 ms measures how
 * loud something is (the noise flickers less over 10 ms, and a clap's energy
 * lasts that long), the 2.5 ms sub-frames measure how sharply it starts.
 * Levels are in dB above the running noise floor of the whitened signal:
 * 10 log10(1 + sum over bands of (band energy / band floor - 1)+). Tuned
 * with bench/clap.c on synthesized claps and knocks over the corpus noise. */
#define WIN 4          /* sub-frames in the 10 ms window */
#define T_ACT 6.0      /* a window above this belongs to an event */
#define T_PEAK 10.0    /* a clap's peak must reach this */
#define RISE_MIN 8.0   /* sharp onset: the peak sub-frame this far above 5-10 ms before */
#define BAND_MIN 6.0   /* a band this far above its floor takes part */
#define MIN_BANDS 1    /* bands that must take part (a knock is mostly its thump) */
#define T_BUSY 8.0     /* another event this loud spoils the isolation of a pair */
#define BUSY_REL 4.0   /* ... or one within this many dB of the weaker clap */
#define PEAK_OVER_FLICKER 3.0 /* a clap stands this far above the noise's own peaks */
#define BUSY_OVER_FLICKER 1.0 /* what the noise does all the time spoils nothing */
#define FLICKER_UP 0.245      /* dB per sub-frame above the tracker, */
#define FLICKER_DOWN 0.005    /* ... below it: settles at the 98th percentile */
#define PAIR_DIFF 12.0 /* the two claps of a pair are within this many dB */
#define DECAY_DB 10.0  /* duration is measured down to peak - DECAY_DB */

/* Times, in sub-frames. */
#define LOOK 40        /* a sub-frame is judged 100 ms later, its decay known */
#define LOCAL 8        /* a peak is the loudest within 20 ms either side */
#define HIST 128       /* sub-frames of history (>= LOOK + 2 * LOCAL + WIN + 4) */
#define DUR_MAX 27     /* 60 ms of high energy at most (+ the window's length) */
#define PAIR_MIN 60    /* 150 ms between the two onsets at least */
#define PAIR_MAX 400   /* 1 s at most */
#define PRE_QUIET 120  /* 300 ms of nothing loud before the first */
#define POST_QUIET 100 /* 250 ms of nothing loud after the second */
#define LOG_LEN 64     /* events remembered for the isolation check */

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

typedef struct biquad {
    double b0, b1, b2, a1, a2;
    double x1, x2, y1, y2;
} biquad;

typedef struct event {
    long long start, end; /* sub-frame indices, end inclusive */
    double peak;          /* dB above the floor */
    bool qualified;       /* looks like one clap or knock */
    double flicker;       /* the noise's own peaks then */
} event;

/* What is kept of each sub-frame for the judging, LOOK sub-frames later. */
typedef struct frame_info {
    double s10;              /* whitened level over the last 10 ms, dB */
    double ex2[NBANDS];      /* each band's excess over its floor, 2.5 ms, dB >= 0 */
    double ex10[NBANDS];     /* ... over 10 ms */
    double mic, echo;        /* mic energy; the recent peak of what was played */
} frame_info;

struct clap_detector {
    biquad hp_in, hp_played; /* 100 Hz: no rumble or DC in the energies */
    biquad band_hp[NBANDS], band_lp[NBANDS];
    double acc_band[NBANDS], acc_mic, acc_played;
    int acc_n;
    double ring[WIN][NBANDS]; /* the last sub-frames' band energies */
    double floor_db[NBANDS];  /* of the 10 ms band energies */
    double flicker;           /* the noise's own peaks: the 98th percentile of s10 */
    long long sub;            /* sub-frames completed */
    frame_info hist[HIST];    /* sub-frame k is hist[k % HIST] */
    long long skip_until;     /* the flicker tracker skips a clap up to here */

    double played_ring[ECHO_SPAN];
    double coupling_db;
    double group_mic_max; /* loudest mic sub-frame of the current 20 ms */
    int group_n;

    event log[LOG_LEN];
    int log_n; /* events in the log (the newest at log[log_n - 1]) */

    bool pending; /* a pair waits for its quiet after */
    event first, second;
    long long deadline;

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
    /* Octave bands, but the lowest two octaves (too few degrees of freedom
     * in 10 ms: they flicker) and the top ones together. */
    static const double edges[NBANDS + 1] = {150, 800, 1600, 3200, 8000};
    for (int b = 0; b < NBANDS; b++) {
        biquad_set(&c->band_hp[b], 1, edges[b], butter);
        biquad_set(&c->band_lp[b], 0, edges[b + 1] < 7000 ? edges[b + 1] : 7900.0, butter);
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

static void flicker_update(clap_detector *c, double s10) {
    c->flicker += s10 > c->flicker ? FLICKER_UP : -FLICKER_DOWN;
}

static double act_level(const clap_detector *c) {
    return c->flicker > T_ACT ? c->flicker : T_ACT;
}

/* Judges sub-frame j, LOOK sub-frames back: if it is a peak (the loudest
 * within LOCAL either side, above the noise's flicker), logs it as an event,
 * clap-like or not, and opens a pair when it is the second of two claps. */
static void judge(clap_detector *c, long long j, long long now) {
    double act = act_level(c), peak = at(c, j)->s10;
    if (peak < act)
        return;
    for (int k = 1; k <= LOCAL; k++)
        if (at(c, j - k)->s10 >= peak || at(c, j + k)->s10 > peak)
            return;
    /* Sharp onset: the most a band's sub-frame within the 10 ms window that
     * peaked rose over its loudest of 5-10 ms before. */
    long long is = j;
    double rise = -100.0;
    for (long long i = j - (WIN - 1); i <= j; i++)
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
    while (span_end < now && at(c, span_end + 1)->s10 >= low)
        span_end++;
    long long dur = span_end - j + 1;
    int bands = 0;
    for (int b = 0; b < NBANDS; b++)
        for (long long i = j - WIN; i <= j + 1; i++)
            if (at(c, i)->ex10[b] >= BAND_MIN) {
                bands++;
                break;
            }
    event e = {j, j, peak, false, c->flicker};
    e.qualified = peak >= T_PEAK && peak >= c->flicker + PEAK_OVER_FLICKER &&
                  rise >= RISE_MIN && dur <= DUR_MAX && bands >= MIN_BANDS;
#ifdef CLAP_DEBUG
    if (peak >= T_BUSY)
        fprintf(stderr, "ev fl=%.1f t=%.3f peak=%.1f rise=%.1f dur=%lld bands=%d q=%d\n",
                c->flicker, (double)j * SUB / RATE, peak, rise, dur, bands, e.qualified);
#endif
    if (e.qualified) {
        e.start = is;
        e.end = span_end;
        c->transients++;
        c->skip_until = span_end + WIN;
    }
    log_add(c, &e);
    if (!e.qualified || c->pending)
        return;
    /* The newest earlier clap-like transient of about the same strength may
     * open a pair with this one (weaker ones in between are left to the
     * isolation check). */
    for (int i = c->log_n - 2; i >= 0; i--) {
        const event *f = &c->log[i];
        long long gap = e.start - f->start;
        if (gap > PAIR_MAX)
            break;
        if (!f->qualified || fabs(f->peak - e.peak) > PAIR_DIFF || gap < PAIR_MIN)
            continue;
        c->pending = true;
        c->first = *f;
        c->second = e;
        c->deadline = e.end + POST_QUIET;
        break;
    }
}

/* The pair is a double clap when nothing else loud happened from PRE_QUIET
 * before the first to POST_QUIET after the second: speech, typing and
 * clattering make many such sounds, a person clapping twice makes two. */
static bool pair_isolated(const clap_detector *c) {
    double weaker = c->first.peak < c->second.peak ? c->first.peak : c->second.peak;
    double busy = weaker - BUSY_REL > T_BUSY ? weaker - BUSY_REL : T_BUSY;
    if (busy < c->first.flicker + BUSY_OVER_FLICKER)
        busy = c->first.flicker + BUSY_OVER_FLICKER;
    for (int i = 0; i < c->log_n; i++) {
        const event *e = &c->log[i];
        if (e->start == c->first.start || e->start == c->second.start)
            continue;
        if (e->end < c->first.start - PRE_QUIET || e->start > c->deadline)
            continue;
        if (e->peak >= busy)
            return false;
    }
    return true;
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

/* Whitened level in dB: 10 log10(1 + sum over bands of the excess ratio);
 * ex gets each band's excess in dB, 0 when below the floor. */
static double level(const double *e, const double *floor_db, double floor_shift, double *ex) {
    double sum = 0.0;
    for (int b = 0; b < NBANDS; b++) {
        double x = db(e[b]) - floor_db[b] - floor_shift;
        /* A broadband transient counts in full wherever the noise is weak. */
        double r = pow(10.0, x / 10.0) - 1.0;
        sum += r > 0.0 ? r : 0.0;
        ex[b] = x > 0.0 ? x : 0.0;
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
        f->s10 = level(e10, c->floor_db, 0.0, f->ex10);
        level(c->acc_band, c->floor_db, -10.0 * log10((double)WIN), f->ex2);
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
    /* The flicker tracker learns LOCAL later, once any peak near has been
     * judged: a clap must not raise it for the next, and a sustained sound
     * (a voice, a passing train) moves the floor, not the flicker. */
    long long k = j - LOCAL;
    if (k > c->skip_until) {
        double act = act_level(c);
        int loud = 0;
        for (long long i = k - LOCAL; i <= k + LOCAL; i++)
            loud += at(c, i)->s10 >= act;
        if (loud <= LOCAL)
            flicker_update(c, at(c, k)->s10);
    }
    if (c->pending && j >= c->deadline) {
        c->pending = false;
#ifdef CLAP_DEBUG
        fprintf(stderr, "pair %.3f %.3f isolated=%d\n", (double)c->first.start * SUB / RATE,
                (double)c->second.start * SUB / RATE, pair_isolated(c));
#endif
        if (pair_isolated(c)) {
            c->log_n = 0;
            return true;
        }
    }
    return false;
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
