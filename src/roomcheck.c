/* roomcheck: noise floor, reply level and reply SNR from 20 ms frame
 * energies, and a slow noise tracker for the rest of the session. */
#include "roomcheck.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "util.h"

#define FRAME 320             /* 20 ms at 16 kHz */
#define BIN_DB 0.25           /* histogram resolution */
#define MIN_DB (-120.0)
#define NBINS 504             /* -120 .. +6 dBFS */
#define FULL_SCALE (32768.0 * 32768.0) /* 0 dBFS: a full-scale square wave */
#define HANGOVER 10           /* frames after the program spoke that still hold its echo */
#define MIN_FRAMES 25         /* 0.5 s before a noise figure */
#define MIN_SPEECH 10         /* 0.2 s of loud frames before a speech figure */

/* The quiet frames are those below QUIET_PCT's level + SPEECH_MARGIN; the
 * speech frames those above. Both figures were checked with bench/clap.c on
 * corpus speech over corpus noise (see the report it prints). */
#define QUIET_PCT 0.20
#define SPEECH_MARGIN 3.0
#define SPEECH_PCT 0.90
/* The 90th percentile of a reply's frames lies this far above its active
 * level (the mean power of its frames within 25 dB of its loud ones):
 * measured on the corpus sentences and words. */
#define P90_OVER_ACTIVE 3.0

/* Continuous tracker: a quantile tracker of frame levels in dB that settles
 * at the QUIET_PCT-th percentile: up by TRACK_UP per frame when a frame is
 * louder, down by TRACK_UP * (1 - q) / q when quieter. */
#define TRACK_UP 0.03 /* 1.5 dB/s */
#define MAX_OFFSET 20.0 /* dB: the noise's mean over its QUIET_PCT level, at most */

/* Clatter, from the 10 ms frames of the quiet period (the listener's
 * frames): the listener takes a frame this far above its noise floor, the
 * 10th percentile of the last seconds, for speech (speech_in.c's vad_db
 * and floor); a sharp sound rises this far over the loudest of the three
 * frames before it and stands above that bar. */
#define SUB 160 /* 10 ms */
#define BUSY_DB 9.0
#define BUSY_FLOOR_PCT 0.10
#define SHARP_RISE_DB 15.0
#define SHARP_GAP 5       /* frames after a sharp sound before the next counts */
#define QUIET_KEEP 3000   /* 10 ms levels of the quiet period kept: 30 s */
#define RECENT 340        /* ... and of the last counted frames: 3.4 s, a quiet period */
#define CLATTER_MIN 100   /* ... of which at least 1 s is needed */

struct room_meter {
    double acc;
    int acc_n;
    int hangover;
    long count[NBINS];
    double power[NBINS]; /* sum of frame powers per bin */
    long frames;
    double track_db;
    long track_frames;
    double last_speech_db; /* NAN until a check heard speech */
    double noise_offset;   /* mean noise power over its QUIET_PCT level, dB */
    bool expect_quiet;
    double quiet_power; /* sum of the powers of the frames heard while quiet */
    long quiet_frames;
    double sub_acc; /* the current 10 ms frame */
    int sub_n;
    double quiet_db[QUIET_KEEP]; /* levels of the quiet period's 10 ms frames */
    int quiet_kept;
    /* room_listen_between: its last 10 ms frames, and which of them begin
     * a stretch (the program spoke just before) */
    double recent_db[RECENT];
    bool recent_brk[RECENT];
    int recent_pos, recent_n;
    double between_acc;
    int between_n;
    bool between_brk;
};

const char *room_quality_name(room_quality q) {
    switch (q) {
    case ROOM_OK:
        return "ok";
    case ROOM_MARGINAL:
        return "marginal";
    case ROOM_TOO_NOISY:
        return "too_noisy";
    }
    return "?";
}

room_quality room_judge(double snr_db) {
    if (isnan(snr_db))
        return ROOM_MARGINAL;
    if (snr_db < ROOM_SNR_TOO_NOISY)
        return ROOM_TOO_NOISY;
    if (snr_db < ROOM_SNR_MARGINAL)
        return ROOM_MARGINAL;
    return ROOM_OK;
}

room_meter *room_new(void) {
    room_meter *m = xcalloc(1, sizeof *m);
    if (!m)
        return NULL;
    m->last_speech_db = NAN;
    return m;
}

void room_free(room_meter *m) {
    free(m);
}

static double to_db(double power) {
    return 10.0 * log10(power / FULL_SCALE + 1e-13);
}

/* The level (dB) below which a fraction `pct` of the counted frames lie,
 * among the bins from `from` on. */
static double percentile(const room_meter *m, int from, double pct, long *n_out) {
    long n = 0;
    for (int b = from; b < NBINS; b++)
        n += m->count[b];
    *n_out = n;
    if (n == 0)
        return NAN;
    long want = (long)ceil(pct * (double)n), seen = 0;
    for (int b = from; b < NBINS; b++) {
        seen += m->count[b];
        if (seen >= want)
            return MIN_DB + (b + 0.5) * BIN_DB;
    }
    return MIN_DB + NBINS * BIN_DB;
}

static int bin_of(double level_db) {
    int b = (int)floor((level_db - MIN_DB) / BIN_DB);
    return b < 0 ? 0 : b >= NBINS ? NBINS - 1 : b;
}

/* The mean power (dBFS) of the quiet frames counted since the last
 * room_reset, with their QUIET_PCT level (`q`) and the first bin above them
 * (`top`). NAN when too few were heard. */
static double quiet_frames_db(const room_meter *m, double *q, int *top) {
    long n;
    *q = percentile(m, 0, QUIET_PCT, &n);
    if (n < MIN_FRAMES)
        return NAN;
    *top = bin_of(*q + SPEECH_MARGIN);
    double sum = 0.0;
    long cnt = 0;
    for (int b = 0; b < *top; b++) {
        sum += m->power[b];
        cnt += m->count[b];
    }
    return cnt ? to_db(sum / (double)cnt) : *q;
}

/* The noise's mean power in dBFS and the first bin above the quiet frames. */
static double noise_level(const room_meter *m, int *speech_bin) {
    double q;
    int top;
    double quiet = quiet_frames_db(m, &q, &top);
    if (isnan(quiet))
        return NAN;
    if (speech_bin)
        *speech_bin = top;
    if (m->quiet_frames >= MIN_FRAMES) {
        /* The frames from the quiet period tell the noise's true mean, loud
         * clicks included; the speech frames start above it. */
        double mean = to_db(m->quiet_power / (double)m->quiet_frames);
        if (speech_bin && bin_of(mean + SPEECH_MARGIN) > top)
            *speech_bin = bin_of(mean + SPEECH_MARGIN);
        return mean;
    }
    return quiet;
}

double room_noise_dbfs(const room_meter *m) {
    return m ? noise_level(m, NULL) : NAN;
}

double room_speech_dbfs(const room_meter *m) {
    if (!m)
        return NAN;
    int top = 0;
    double noise = noise_level(m, &top);
    long n = 0;
    double p = isnan(noise) ? NAN : percentile(m, top, SPEECH_PCT, &n);
    if (isnan(p) || n < MIN_SPEECH)
        return m->last_speech_db;
    /* The loud frames hold the noise too: take its power away. */
    return room_less_noise(p, noise) - P90_OVER_ACTIVE;
}

double room_less_noise(double mix_dbfs, double noise_dbfs) {
    double mix = pow(10.0, mix_dbfs / 10.0), nz = pow(10.0, noise_dbfs / 10.0);
    return 10.0 * log10(mix - nz > mix * 0.01 ? mix - nz : mix * 0.01);
}

/* The clatter rule over `n` 10 ms levels `db` in time order (see
 * roomcheck.h); `first`: the index of the oldest (a ring); `brk` (may be
 * NULL): the frames that begin a stretch, whose rise over the frames before
 * them (another stretch) is no sharp sound. */
static bool clatter_of(const double *db, const bool *brk, int n, int first, double *busy,
                       double *sharp_per_s) {
    double sorted[QUIET_KEEP], v[QUIET_KEEP];
    int since_brk[QUIET_KEEP];
    for (int i = 0; i < n; i++) {
        v[i] = db[(first + i) % n];
        since_brk[i] = brk && brk[(first + i) % n] ? 0 : i ? since_brk[i - 1] + 1 : 3;
    }
    memcpy(sorted, v, (size_t)n * sizeof *sorted);
    sort_doubles(sorted, (size_t)n);
    double bar = sorted[(int)(BUSY_FLOOR_PCT * n)] + BUSY_DB;
    int loud = 0, sharp = 0;
    for (int i = 0; i < n; i++) {
        loud += v[i] > bar;
        if (i >= 3 && since_brk[i] >= 3 && v[i] > bar) {
            double before = v[i - 1];
            if (v[i - 2] > before)
                before = v[i - 2];
            if (v[i - 3] > before)
                before = v[i - 3];
            if (v[i] - before >= SHARP_RISE_DB) {
                sharp++;
                i += SHARP_GAP - 1;
            }
        }
    }
    *busy = (double)loud / n;
    *sharp_per_s = sharp / (n * 0.01);
    return *busy >= ROOM_BUSY_TOO_NOISY && *sharp_per_s >= ROOM_SHARP_TOO_NOISY;
}

bool room_clatter(const room_meter *m, double *busy, double *sharp_per_s) {
    *busy = *sharp_per_s = NAN;
    if (!m || m->quiet_kept < CLATTER_MIN)
        return false;
    return clatter_of(m->quiet_db, NULL, m->quiet_kept, 0, busy, sharp_per_s);
}

bool room_clatter_now(const room_meter *m, double *busy, double *sharp_per_s) {
    *busy = *sharp_per_s = NAN;
    if (!m || m->recent_n < RECENT)
        return false;
    return clatter_of(m->recent_db, m->recent_brk, RECENT, m->recent_pos, busy, sharp_per_s);
}

void room_listen_between(room_meter *m, const int16_t *pcm, size_t n, bool heard) {
    if (!m)
        return;
    if (!heard) {
        m->between_acc = 0.0;
        m->between_n = 0;
        m->between_brk = true;
        return;
    }
    for (size_t i = 0; i < n; i++) {
        m->between_acc += (double)pcm[i] * pcm[i];
        if (++m->between_n < SUB)
            continue;
        m->recent_db[m->recent_pos] = to_db(m->between_acc / SUB);
        m->recent_brk[m->recent_pos] = m->between_brk;
        m->recent_pos = (m->recent_pos + 1) % RECENT;
        if (m->recent_n < RECENT)
            m->recent_n++;
        m->between_acc = 0.0;
        m->between_n = 0;
        m->between_brk = false;
    }
}

double room_snr(const room_meter *m) {
    return room_speech_dbfs(m) - room_noise_dbfs(m);
}

/* The noise's mean over its QUIET_PCT level (dB), from the quiet frames
 * counted since the last room_reset (those below that level +
 * SPEECH_MARGIN): both from the same frames. NAN when too few were heard.
 * Not the quiet period's mean: the noise heard then may change after it.
 * Against every frame's percentile since, a radio heard in the check and
 * turned off afterwards read up to 20 dB over the quieter room; against the
 * quiet period's own percentile, crowd babble quieter in the check than
 * after it read 10 dB over its mean. */
static double noise_offset(const room_meter *m) {
    double q;
    int top;
    return quiet_frames_db(m, &q, &top) - q;
}

double room_noise_now_dbfs(const room_meter *m) {
    if (!m || m->track_frames < MIN_FRAMES)
        return NAN;
    double offset = noise_offset(m);
    if (isnan(offset))
        offset = m->noise_offset;
    /* The mean of a noise lies above its quiet percentile, by a few dB
     * when steady and not much more than 10 when impulsive. Digital
     * silence (a file's end, a muted input) drags the percentile to the
     * bottom: unclamped, the offset grew by 90 dB and the noise "now" read
     * +52 dBFS. (Such frames are still counted: a check that heard only
     * silence must find a silent room, not none.) */
    offset = offset < 0.0 ? 0.0 : offset > MAX_OFFSET ? MAX_OFFSET : offset;
    return m->track_db + offset;
}

double room_snr_now(const room_meter *m) {
    return room_speech_dbfs(m) - room_noise_now_dbfs(m);
}

static void frame_done(room_meter *m, double power) {
    double level = to_db(power);
    if (m->expect_quiet) {
        m->quiet_power += power;
        m->quiet_frames++;
    }
    int b = bin_of(level);
    m->count[b]++;
    m->power[b] += power;
    m->frames++;
    if (m->track_frames == 0)
        m->track_db = level;
    /* Fast at first so the tracker starts near the room's level. */
    double up = m->track_frames < 50 ? TRACK_UP * 10.0 : TRACK_UP;
    m->track_db += level > m->track_db ? up : -up * (1.0 - QUIET_PCT) / QUIET_PCT;
    m->track_frames++;
}

void room_process(room_meter *m, const int16_t *pcm, size_t n, bool speaking) {
    if (!m || !pcm)
        return;
    if (speaking)
        m->hangover = HANGOVER + 1;
    for (size_t i = 0; i < n; i++) {
        m->acc += (double)pcm[i] * pcm[i];
        m->sub_acc += (double)pcm[i] * pcm[i];
        if (++m->sub_n == SUB) {
            if (m->expect_quiet && m->hangover == 0 && m->quiet_kept < QUIET_KEEP)
                m->quiet_db[m->quiet_kept++] = to_db(m->sub_acc / SUB);
            m->sub_acc = 0.0;
            m->sub_n = 0;
        }
        if (++m->acc_n < FRAME)
            continue;
        double power = m->acc / FRAME;
        m->acc = 0.0;
        m->acc_n = 0;
        if (m->hangover > 0) {
            m->hangover--;
            continue;
        }
        frame_done(m, power);
    }
}

void room_reset(room_meter *m) {
    if (!m)
        return;
    double s = room_speech_dbfs(m);
    if (!isnan(s))
        m->last_speech_db = s;
    double offset = noise_offset(m);
    if (!isnan(offset))
        m->noise_offset = offset;
    m->quiet_power = 0.0;
    m->quiet_frames = 0;
    m->quiet_kept = 0;
    memset(m->count, 0, sizeof m->count);
    memset(m->power, 0, sizeof m->power);
    m->frames = 0;
}

void room_expect_quiet(room_meter *m, bool quiet) {
    if (m)
        m->expect_quiet = quiet;
}
