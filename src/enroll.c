/* enroll: the `enroll` command: records the person's key replies in their
 * room (guided by voice, hands-free), stores them as the profile and adapts
 * the acoustic model to them (see enroll.h, profile.h, adapt.h). */
#include "enroll.h"

#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <math.h>
#include <pthread.h>
#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "adapt.h"
#include "audio.h"
#include "intent.h"
#include "paths.h"
#include "profile.h"
#include "roomcheck.h"
#include "sessionlog.h"
#include "speech_out.h"
#include "util.h"
#include "voice.h"
#include "wav.h"

#define FRAME AUDIO_BLOCK  /* 20 ms: the unit of the level meter */
#define QUIET_S 10         /* the room's noise is measured this long */
#define WINDOW_MS 4000     /* an answer must be over this long after the prompt */
#define HANGOVER_FRAMES 25 /* 500 ms of quiet ends an answer */
#define ONSET_FRAMES 3     /* 60 ms above the threshold starts one */
#define MARGIN_MS 300      /* room kept around a recorded answer */
#define ECHO_GRACE_MS 300  /* sound carrying over the prompt's end for less is its echo */
#define MAX_TRIES 3
#define MAX_PHRASES 128
#define TOO_QUIET_DBFS -48.0  /* an answer's speech level below this: too quiet */
#define MIN_SNR_DB 10.0       /* an answer's level over the noise below this: drowned */
#define NOISY_ROOM_DBFS -35.0 /* a room's noise above this is mentioned */
#define ROOM_LEVELS 16        /* answers' levels kept for the room check */

static volatile sig_atomic_t interrupted;

static void on_signal(int sig) {
    (void)sig;
    interrupted = 1;
}

/* ---- what is enrolled ------------------------------------------------- */

typedef struct phrase {
    char text[160];
    intent in;
    int value;
} phrase;

typedef struct phrase_list {
    phrase v[MAX_PHRASES];
    int n;
} phrase_list;

static int word_count(const char *s) {
    int n = 0;
    bool in_word = false;
    for (; *s; s++) {
        if (*s == ' ') {
            in_word = false;
        } else if (!in_word) {
            in_word = true;
            n++;
        }
    }
    return n;
}

static void list_add(phrase_list *pl, const lexicon_phrase *lp) {
    if (!lp || pl->n >= MAX_PHRASES)
        return;
    for (int i = 0; i < pl->n; i++)
        if (strcmp(pl->v[i].text, lp->text) == 0)
            return;
    phrase *p = &pl->v[pl->n++];
    str_copy(p->text, lp->text, sizeof p->text);
    p->in = lp->intent;
    p->value = lp->value;
}

/* The canonical phrase of an intent (and value): its first phrase of two
 * to four words (heard best), else its first phrase. */
static const lexicon_phrase *canonical(const lexicon *lx, intent in, int value) {
    const lexicon_phrase *first = NULL;
    for (size_t i = 0; i < lexicon_count(lx); i++) {
        const lexicon_phrase *lp = lexicon_get(lx, i);
        if (lp->intent != in || lp->value != value)
            continue;
        int w = word_count(lp->text);
        if (w >= 2 && w <= 4)
            return lp;
        if (!first)
            first = lp;
    }
    return first;
}

static const lexicon_phrase *exact(const lexicon *lx, const char *text) {
    for (size_t i = 0; i < lexicon_count(lx); i++) {
        const lexicon_phrase *lp = lexicon_get(lx, i);
        if (strcmp(lp->text, text) == 0)
            return lp;
    }
    return NULL;
}

static void add_safety(phrase_list *pl, const lexicon *lx) {
    static const intent symptoms[] = {INTENT_SPREADING,    INTENT_NERVE_SIGNS, INTENT_WEAKNESS,
                                      INTENT_SHARP_PAIN,   INTENT_RED_FLAG,    INTENT_WORSE,
                                      INTENT_CENTRALIZING, INTENT_SAME,        INTENT_BETTER};
    for (size_t i = 0; i < sizeof symptoms / sizeof symptoms[0]; i++)
        list_add(pl, canonical(lx, symptoms[i], 0));
    for (int l = LOC_BACK; l < LOC_COUNT; l++)
        list_add(pl, canonical(lx, INTENT_LOCATION, l));
}

static void add_controls(phrase_list *pl, const lexicon *lx) {
    static const struct {
        const char *text;
        intent in;
    } controls[] = {{"pause", INTENT_PAUSE},   {"carry on", INTENT_RESUME},
                    {"repeat", INTENT_REPEAT}, {"stop session", INTENT_STOP},
                    {"yes", INTENT_YES},       {"no", INTENT_NO}};
    for (size_t i = 0; i < sizeof controls / sizeof controls[0]; i++) {
        const lexicon_phrase *lp = exact(lx, controls[i].text);
        list_add(pl, lp ? lp : canonical(lx, controls[i].in, 0));
    }
}

static void add_numbers(phrase_list *pl, const lexicon *lx) {
    for (int v = 0; v <= 10; v++) {
        /* The number word alone ("seven"), as a pain score is usually said. */
        const lexicon_phrase *best = NULL;
        for (size_t i = 0; i < lexicon_count(lx); i++) {
            const lexicon_phrase *lp = lexicon_get(lx, i);
            if (lp->intent == INTENT_PAIN_SCORE && lp->value == v &&
                (!best || word_count(lp->text) < word_count(best->text)))
                best = lp;
        }
        list_add(pl, best);
    }
}

/* "all", "safety", "controls", "numbers", or phrases of the lexicon,
 * separated by commas. Returns 0, or -1 with err naming what is unknown. */
static int build_phrases(const lexicon *lx, const char *spec, phrase_list *pl, fc_err *err) {
    pl->n = 0;
    char buf[4096];
    str_copy(buf, spec && *spec ? spec : "all", sizeof buf);
    char *save = NULL;
    for (char *t = strtok_r(buf, ",", &save); t; t = strtok_r(NULL, ",", &save)) {
        char item[256];
        str_copy(item, t, sizeof item);
        str_normalize(item);
        if (strcmp(item, "all") == 0) {
            add_safety(pl, lx);
            add_controls(pl, lx);
            add_numbers(pl, lx);
        } else if (strcmp(item, "safety") == 0) {
            add_safety(pl, lx);
        } else if (strcmp(item, "controls") == 0) {
            add_controls(pl, lx);
        } else if (strcmp(item, "numbers") == 0) {
            add_numbers(pl, lx);
        } else {
            const lexicon_phrase *lp = exact(lx, item);
            if (!lp)
                return err_set(err,
                               "--phrases: \"%s\" is not a phrase of the lexicon (nor all, "
                               "safety, controls, numbers)",
                               item);
            list_add(pl, lp);
        }
    }
    if (pl->n == 0)
        return err_set(err, "--phrases: no phrase to record");
    return 0;
}

/* ---- the level meter -------------------------------------------------- */

static double frame_power(const int16_t *x, size_t n) {
    double s = 0;
    for (size_t i = 0; i < n; i++) {
        double v = x[i] / 32768.0;
        s += v * v;
    }
    return n ? s / (double)n : 0;
}

static double db(double power) {
    return power > 1e-12 ? 10.0 * log10(power) : -120.0;
}

/* Speech/quiet decisions per 20 ms frame against the room's noise. */
typedef struct vad {
    double on_db, off_db;
    int above, below;
    bool speech;
    long onset, end; /* frame indexes of the current or last segment; -1 none */
} vad;

static void vad_reset(vad *v) {
    v->above = v->below = 0;
    v->speech = false;
    v->onset = v->end = -1;
}

/* Feeds frame `f`. Returns 1 when a segment just ended (v->end set). */
static int vad_feed(vad *v, long f, double level_db) {
    if (!v->speech) {
        v->above = level_db > v->on_db ? v->above + 1 : 0;
        if (v->above >= ONSET_FRAMES) {
            v->speech = true;
            v->onset = f - ONSET_FRAMES + 1;
            v->below = 0;
            v->end = -1;
        }
        return 0;
    }
    v->below = level_db < v->off_db ? v->below + 1 : 0;
    if (v->below >= HANGOVER_FRAMES) {
        v->speech = false;
        v->end = f - HANGOVER_FRAMES + 1;
        v->above = 0;
        return 1;
    }
    return 0;
}

/* ---- the enroller ----------------------------------------------------- */

typedef enum problem {
    P_NONE,
    P_NOTHING,
    P_EARLY,
    P_CUT_OFF,
    P_CLIPPED,
    P_TOO_QUIET,
    P_NOISY
} problem;

static const char *const problem_names[] = {"none",    "nothing",   "early", "cut_off",
                                            "clipped", "too_quiet", "noisy"};

static const char *const problem_advice[] = {
    "",
    "I didn't hear anything. Please say it after I finish.",
    "You started before I finished. Please wait until I stop, then say it.",
    "That was cut off. Please say just the words, a little quicker.",
    "That was too loud and got distorted. Please say it a little softer.",
    "That was too quiet. Please say it a little louder.",
    "That was hard to hear over the noise. Please say it louder, or make the room quieter."};

typedef struct enroller {
    audio *a;
    speech_out *so;
    sessionlog *log;
    bool log_failed;
    bool ended; /* the microphone input ended (file mode) */
    bool file_mode;
    bool finishing;  /* the profile is saved: speak to the end whatever the input does */
    double noise_db; /* the room's noise, dBFS */
    bool clatter;    /* ... and it is clatter (roomcheck.h), from busy and sharp */
    double busy, sharp;
    /* The levels of the answers heard so far (accepted or not): the reply
     * level of the room check. */
    double levels[ROOM_LEVELS];
    int nlevels;
    /* What the microphone heard since the current prompt began. */
    int16_t *buf;
    size_t n, cap;
    fc_err err;
} enroller;

static long now_ms(const enroller *e) {
    return (long)(audio_samples(e->a) * 1000 / AUDIO_RATE);
}

static void log_line(enroller *e, jbuf *b) {
    const char *line = json_end(b);
    if (e->log && sessionlog_write(e->log, line) != 0 && !e->log_failed) {
        e->log_failed = true;
        fprintf(stderr, "floorcoach enroll: cannot write the log (%s); carrying on\n",
                strerror(errno));
    }
    json_free(b);
}

static void log_begin(jbuf *b, long t_ms, const char *ev) {
    json_begin(b);
    json_num(b, "t", (double)t_ms / 1000.0);
    json_str(b, "ev", ev);
}

/* One block out and in. Returns 1, 0 when the input ended or Ctrl-C came
 * (e->ended set), -1 on an audio error (e->err set). */
static int exchange(enroller *e, const int16_t *play, int16_t *rec) {
    if (interrupted) {
        e->ended = true;
        return 0;
    }
    int r = audio_exchange(e->a, play, rec, AUDIO_BLOCK, &e->err);
    if (r == 0)
        e->ended = true;
    return r;
}

static void keep(enroller *e, const int16_t *rec) {
    if (e->n + AUDIO_BLOCK > e->cap) {
        e->cap = e->cap ? e->cap * 2 : (size_t)AUDIO_RATE * 16;
        e->buf = xrealloc(e->buf, e->cap * sizeof *e->buf);
    }
    memcpy(e->buf + e->n, rec, AUDIO_BLOCK * sizeof *rec);
    e->n += AUDIO_BLOCK;
}

/* Speaks `text`, logging a `say` event (kind, and for a prompt the phrase,
 * take and try). What the microphone hears meanwhile goes to e->buf and,
 * when v is given, through the meter. Returns as exchange(). */
static int say(enroller *e, const char *text, const char *kind, const char *ph, int take,
               int try_no, vad *v) {
    int16_t *pcm = NULL;
    size_t n = 0;
    if (speech_out_synth(e->so, text, &pcm, &n, &e->err) < 0)
        return -1;
    jbuf b;
    log_begin(&b, now_ms(e), "say");
    json_str(&b, "text", text);
    json_str(&b, "kind", kind);
    json_num(&b, "dur", (double)n / AUDIO_RATE);
    if (ph) {
        json_str(&b, "phrase", ph);
        json_int(&b, "take", take);
        json_int(&b, "try", try_no);
    }
    log_line(e, &b);
    if (!e->file_mode) {
        /* Someone near a screen can read along. */
        printf("%s\n", text);
        fflush(stdout);
    }
    int16_t block[AUDIO_BLOCK], rec[AUDIO_BLOCK];
    int r = 1;
    for (size_t t = 0; t < n && (r == 1 || (r == 0 && e->finishing && !interrupted));
         t += AUDIO_BLOCK) {
        size_t k = n - t < AUDIO_BLOCK ? n - t : AUDIO_BLOCK;
        memcpy(block, pcm + t, k * sizeof *block);
        memset(block + k, 0, (AUDIO_BLOCK - k) * sizeof *block);
        r = exchange(e, block, rec);
        if (r == 1 && v) {
            keep(e, rec);
            vad_feed(v, (long)(e->n / FRAME) - 1, db(frame_power(rec, AUDIO_BLOCK)));
        }
    }
    free(pcm);
    return r;
}

/* Listens for `ms` without speaking (the summary ignores the input's end). */
static int pause_ms(enroller *e, int ms) {
    int16_t silence[AUDIO_BLOCK] = {0}, rec[AUDIO_BLOCK];
    for (int t = 0; t < ms; t += 20) {
        int r = exchange(e, silence, rec);
        if (r < 0 || (r == 0 && !e->finishing))
            return r;
    }
    return 1;
}

/* Ten seconds of the room: its noise level (the mean power of its frames,
 * leaving out the few much louder than the typical one: a cough or a
 * car should not raise the threshold for the whole enrollment), and the
 * recording for room.wav (owned by the caller). */
static int measure_room(enroller *e, int16_t **room, size_t *nroom) {
    int16_t silence[AUDIO_BLOCK] = {0}, rec[AUDIO_BLOCK];
    size_t frames = (size_t)QUIET_S * AUDIO_RATE / AUDIO_BLOCK;
    int16_t *r = xmalloc(frames * AUDIO_BLOCK * sizeof *r);
    double *p = xmalloc(frames * sizeof *p);
    long t0 = now_ms(e);
    for (size_t f = 0; f < frames; f++) {
        int x = exchange(e, silence, rec);
        if (x != 1) {
            free(r);
            free(p);
            return x;
        }
        memcpy(r + f * AUDIO_BLOCK, rec, sizeof rec);
        p[f] = frame_power(rec, AUDIO_BLOCK);
    }
    double *sorted = xmalloc(frames * sizeof *sorted);
    memcpy(sorted, p, frames * sizeof *p);
    sort_doubles(sorted, frames);
    double median = sorted[frames / 2], sum = 0;
    size_t k = 0;
    for (size_t f = 0; f < frames; f++) {
        if (p[f] <= median * 10.0) {
            sum += p[f];
            k++;
        }
    }
    e->noise_db = db(k ? sum / (double)k : 0);
    /* Typing and other clatter, as a session's room check judges it. */
    room_meter *m = room_new();
    room_expect_quiet(m, true);
    room_process(m, r, frames * AUDIO_BLOCK, false);
    e->clatter = room_clatter(m, &e->busy, &e->sharp);
    room_free(m);
    free(sorted);
    free(p);
    *room = r;
    *nroom = frames * AUDIO_BLOCK;
    jbuf b;
    log_begin(&b, t0, "room");
    json_num(&b, "noise_dbfs", e->noise_db);
    json_num(&b, "seconds", (double)QUIET_S);
    log_line(e, &b);
    return 1;
}

typedef struct take_result {
    problem prob;
    long start_ms, end_ms; /* the speech, on the audio clock */
    double level_db, snr_db;
    size_t from, to; /* the samples of e->buf to keep */
} take_result;

static void vad_init(vad *v, double noise_db) {
    double floor_db = noise_db < -80 ? -80 : noise_db;
    v->on_db = floor_db + 8.0 > -62.0 ? floor_db + 8.0 : -62.0;
    v->off_db = floor_db + 5.0 > -65.0 ? floor_db + 5.0 : -65.0;
    vad_reset(v);
}

/* After the prompt: waits for the answer and its end, then judges it.
 * `prompt_end` is the frame index in e->buf where the prompt ended. */
static int listen_answer(enroller *e, vad *v, long prompt_end, long t_buf0, take_result *tr) {
    int16_t silence[AUDIO_BLOCK] = {0}, rec[AUDIO_BLOCK];
    long window = WINDOW_MS / 20, grace = ECHO_GRACE_MS / 20;
    bool during_prompt = v->speech && v->onset < prompt_end;
    int r = 1;
    memset(tr, 0, sizeof *tr);
    tr->prob = P_NOTHING;
    bool done = false;
    for (long f = prompt_end; !done; f++) {
        r = exchange(e, silence, rec);
        if (r != 1)
            return r;
        keep(e, rec);
        int ended = vad_feed(v, f, db(frame_power(rec, AUDIO_BLOCK)));
        if (ended && during_prompt && v->end <= prompt_end + grace) {
            /* What carried over the prompt's end was its echo or a noise. */
            during_prompt = false;
            continue;
        }
        if (ended) {
            tr->prob = during_prompt ? P_EARLY : P_NONE;
            done = true;
        } else if (f - prompt_end >= window) {
            if (v->speech)
                tr->prob = during_prompt ? P_EARLY : P_CUT_OFF;
            done = true;
        }
    }
    if (tr->prob == P_EARLY || tr->prob == P_CUT_OFF) {
        /* Not over someone still speaking: wait (up to 3 s) for quiet. */
        for (long f = (long)(e->n / FRAME), k = 0; v->speech && k < 150; f++, k++) {
            r = exchange(e, silence, rec);
            if (r != 1)
                return r;
            keep(e, rec);
            vad_feed(v, f, db(frame_power(rec, AUDIO_BLOCK)));
        }
        return 1;
    }
    if (tr->prob == P_NOTHING)
        return 1;
    long on = v->onset, off = v->end; /* frames [on, off) are the speech */
    tr->start_ms = t_buf0 + on * 20;
    tr->end_ms = t_buf0 + off * 20;
    double sum = 0;
    long k = 0, clipped = 0, run = 0, runs = 0;
    for (long f = on; f < off; f++) {
        const int16_t *x = e->buf + f * FRAME;
        double p = frame_power(x, FRAME);
        if (db(p) > v->off_db) {
            sum += p;
            k++;
        }
        for (int i = 0; i < FRAME; i++) {
            if (x[i] >= 32700 || x[i] <= -32700) {
                clipped++;
                if (++run == 3)
                    runs++;
            } else {
                run = 0;
            }
        }
    }
    tr->level_db = db(k ? sum / (double)k : 0);
    tr->snr_db = tr->level_db - e->noise_db;
    long margin = MARGIN_MS / 20;
    long from = on - margin < 0 ? 0 : on - margin;
    long to = off + margin > (long)(e->n / FRAME) ? (long)(e->n / FRAME) : off + margin;
    tr->from = (size_t)from * FRAME;
    tr->to = (size_t)to * FRAME;
    if (runs >= 2 || clipped * 1000 > (off - on) * FRAME)
        tr->prob = P_CLIPPED;
    else if (tr->level_db < TOO_QUIET_DBFS)
        tr->prob = P_TOO_QUIET;
    else if (tr->snr_db < MIN_SNR_DB)
        tr->prob = P_NOISY;
    return 1;
}

static void log_take(enroller *e, const phrase *p, int take, int try_no, const take_result *tr,
                     const char *file) {
    jbuf b;
    log_begin(&b, now_ms(e), "take");
    json_str(&b, "phrase", p->text);
    json_str(&b, "intent", intent_name(p->in));
    json_int(&b, "take", take);
    json_int(&b, "try", try_no);
    json_bool(&b, "ok", tr->prob == P_NONE);
    json_str(&b, "problem", problem_names[tr->prob]);
    if (tr->prob != P_NOTHING && tr->prob != P_EARLY && tr->prob != P_CUT_OFF) {
        json_num(&b, "start", (double)tr->start_ms / 1000.0);
        json_num(&b, "end", (double)tr->end_ms / 1000.0);
        json_num(&b, "level_dbfs", tr->level_db);
        json_num(&b, "snr_db", tr->snr_db);
    }
    if (file)
        json_str(&b, "file", file);
    log_line(e, &b);
}

/* One recorded take of this run. */
typedef struct rec_take {
    profile_take t;
    intent in;
    int take;
    double level_db, snr_db;
} rec_take;

/* Asks for phrase p (take `take`) up to MAX_TRIES times; an accepted
 * answer is written to <stage>/wav/ID.wav and added to `out`. Returns 1
 * (recorded or given up), 0 interrupted, -1 error. */
static int record_take(enroller *e, const char *stage, const phrase *p, int take, rec_take *out,
                       bool *got) {
    char text[256];
    snprintf(text, sizeof text, "Say: \"%s\".", p->text);
    *got = false;
    for (int try_no = 1; try_no <= MAX_TRIES; try_no++) {
        vad v;
        vad_init(&v, e->noise_db);
        e->n = 0;
        long t_buf0 = now_ms(e);
        int r = say(e, text, "prompt", p->text, take, try_no, &v);
        if (r != 1)
            return r;
        take_result tr;
        r = listen_answer(e, &v, (long)(e->n / FRAME), t_buf0, &tr);
        if (r != 1)
            return r;
        bool measured = tr.prob == P_NONE || tr.prob == P_CLIPPED || tr.prob == P_TOO_QUIET ||
                        tr.prob == P_NOISY;
        if (measured && e->nlevels < ROOM_LEVELS)
            e->levels[e->nlevels++] = tr.level_db;
        if (tr.prob == P_NONE) {
            profile_take_id(p->text, take, out->t.id, sizeof out->t.id);
            str_copy(out->t.text, p->text, sizeof out->t.text);
            out->in = p->in;
            out->take = take;
            out->level_db = tr.level_db;
            out->snr_db = tr.snr_db;
            char rel[128], path[PATH_MAX];
            snprintf(rel, sizeof rel, "wav/%s.wav", out->t.id);
            profile_path(path, sizeof path, stage, rel);
            if (wav_write(path, e->buf + tr.from, tr.to - tr.from, AUDIO_RATE, &e->err) < 0)
                return -1;
            chmod(path, 0600);
            log_take(e, p, take, try_no, &tr, rel);
            *got = true;
            return 1;
        }
        log_take(e, p, take, try_no, &tr, NULL);
        if (try_no < MAX_TRIES) {
            r = say(e, problem_advice[tr.prob], "retry", NULL, 0, 0, NULL);
            if (r != 1)
                return r;
        }
    }
    return say(e, "Let's leave that one for now.", "info", NULL, 0, 0, NULL);
}

/* ---- the profile ------------------------------------------------------ */

static void cfg_str(FILE *f, const char *s) {
    fputc('"', f);
    for (; *s; s++) {
        if (*s == '"' || *s == '\\')
            fputc('\\', f);
        if ((unsigned char)*s >= 0x20)
            fputc(*s, f);
    }
    fputc('"', f);
}

static int write_cfg(const char *stage, double noise_db, const rec_take *t, size_t n,
                     const adapt_result *ar, fc_err *err) {
    char path[PATH_MAX], date[64];
    profile_path(path, sizeof path, stage, "profile.cfg");
    time_t now = time(NULL);
    struct tm tm;
    localtime_r(&now, &tm);
    strftime(date, sizeof date, "%Y-%m-%dT%H:%M:%S%z", &tm);
    FILE *f = paths_open_private(path, err);
    if (!f)
        return -1;
    fprintf(f, "# profile.cfg: the person's enrollment profile, written by `floorcoach enroll`.\n");
    fprintf(f, "version = 1;\ndate = \"%s\";\nnoise_dbfs = %.1f;\nmodel = \"%s\";\n", date,
            noise_db, ar && ar->kept ? "adapted" : "stock");
    if (ar) {
        fprintf(f,
                "adapt = { ran = %s; cpu_s = %.2f; quiet = %d; noisy = %d; stock_quiet_ok = %d; "
                "stock_noisy_ok = %d; adapted_quiet_ok = %d; adapted_noisy_ok = %d; reason = ",
                ar->ran ? "true" : "false", ar->cpu_s, ar->n_clean, ar->n_noisy, ar->stock_clean_ok,
                ar->stock_noisy_ok, ar->adapted_clean_ok, ar->adapted_noisy_ok);
        cfg_str(f, ar->reason);
        fprintf(f, "; };\n");
    }
    fprintf(f, "phrases = (\n");
    for (size_t i = 0; i < n; i++) {
        fprintf(f, "  { id = ");
        cfg_str(f, t[i].t.id);
        fprintf(f, "; text = ");
        cfg_str(f, t[i].t.text);
        fprintf(f, "; intent = \"%s\"; take = %d; level_dbfs = %.1f; snr_db = %.1f; }%s\n",
                intent_name(t[i].in), t[i].take, t[i].level_db, t[i].snr_db, i + 1 < n ? "," : "");
    }
    fprintf(f, ");\n");
    if (fclose(f) != 0)
        return err_set(err, "cannot write %s: %s", path, strerror(errno));
    return 0;
}

/* Recordings of the previous profile whose phrase was not recorded this
 * time are kept: re-running enroll for a few phrases replaces only those. */
static int carry_over(const char *old_dir, const char *stage, const lexicon *lx, double noise_db,
                      rec_take **takes, size_t *n, size_t *cap, fc_err *err) {
    profile_take *old = NULL;
    size_t nold = 0;
    if (!old_dir || access(old_dir, R_OK) != 0)
        return 0;
    if (profile_read_takes(old_dir, &old, &nold, err) < 0)
        return -1;
    size_t fresh = *n;
    for (size_t i = 0; i < nold; i++) {
        bool redone = false;
        for (size_t k = 0; k < fresh && !redone; k++)
            redone = strcmp((*takes)[k].t.text, old[i].text) == 0;
        if (redone)
            continue;
        char from[PATH_MAX], to[PATH_MAX];
        char rel[128];
        snprintf(rel, sizeof rel, "wav/%s.wav", old[i].id);
        profile_path(from, sizeof from, old_dir, rel);
        profile_path(to, sizeof to, stage, rel);
        int16_t *pcm = NULL;
        size_t np = 0;
        fc_err rerr;
        if (wav_read_16k(from, &pcm, &np, &rerr) < 0)
            continue; /* a lost recording is just not carried over */
        if (profile_copy_file(from, to, err) < 0) {
            free(pcm);
            free(old);
            return -1;
        }
        if (*n == *cap) {
            *cap = *cap ? *cap * 2 : 64;
            *takes = xrealloc(*takes, *cap * sizeof **takes);
        }
        rec_take *t = &(*takes)[(*n)++];
        memset(t, 0, sizeof *t);
        t->t = old[i];
        intent_match m = intent_match_text(lx, old[i].text);
        t->in = m.intent;
        const char *dash = strrchr(old[i].id, '-');
        t->take = dash ? atoi(dash + 1) : 1;
        /* The speech level: the mean power of frames within 20 dB of the
         * loudest, as for a new take near enough. */
        double max = 0, sum = 0;
        long k = 0;
        for (size_t f = 0; f + FRAME <= np; f += FRAME) {
            double p = frame_power(pcm + f, FRAME);
            if (p > max)
                max = p;
        }
        for (size_t f = 0; f + FRAME <= np; f += FRAME) {
            double p = frame_power(pcm + f, FRAME);
            if (p >= max * 0.01) {
                sum += p;
                k++;
            }
        }
        t->level_db = db(k ? sum / (double)k : 0);
        t->snr_db = t->level_db - noise_db;
        free(pcm);
    }
    free(old);
    return 0;
}

/* ---- adaptation while the audio keeps running -------------------------- */

typedef struct adapt_job {
    const char *dir;
    adapt_result res;
    fc_err err;
    int rc;
    volatile int done;
    pthread_mutex_t mu;
} adapt_job;

static void *adapt_thread(void *arg) {
    adapt_job *j = arg;
    adapt_opts o = adapt_defaults();
    int rc = adapt_profile(j->dir, &o, &j->res, &j->err);
    pthread_mutex_lock(&j->mu);
    j->rc = rc;
    j->done = 1;
    pthread_mutex_unlock(&j->mu);
    return NULL;
}

/* In file mode the clock stands still while adapting (deterministic
 * logs); on a device the stream is kept fed so it does not overflow. */
static int run_adaptation(enroller *e, const char *dir, adapt_result *res, fc_err *err) {
    adapt_job j;
    memset(&j, 0, sizeof j);
    j.dir = dir;
    if (!e || e->file_mode) {
        adapt_opts o = adapt_defaults();
        return adapt_profile(dir, &o, res, err);
    }
    pthread_mutex_init(&j.mu, NULL);
    pthread_t th;
    if (pthread_create(&th, NULL, adapt_thread, &j) != 0) {
        pthread_mutex_destroy(&j.mu);
        adapt_opts o = adapt_defaults();
        return adapt_profile(dir, &o, res, err);
    }
    int16_t silence[AUDIO_BLOCK] = {0}, rec[AUDIO_BLOCK];
    for (;;) {
        pthread_mutex_lock(&j.mu);
        int done = j.done;
        pthread_mutex_unlock(&j.mu);
        if (done)
            break;
        if (e->ended || audio_exchange(e->a, silence, rec, AUDIO_BLOCK, &e->err) != 1) {
            e->ended = true;
            struct timespec ts = {0, 20 * 1000 * 1000};
            nanosleep(&ts, NULL);
        }
    }
    pthread_join(th, NULL);
    pthread_mutex_destroy(&j.mu);
    *res = j.res;
    if (j.rc < 0)
        *err = j.err;
    return j.rc;
}

/* ---- the command ------------------------------------------------------- */

static void enroll_usage(FILE *f) {
    fputs("Usage: floorcoach enroll [OPTIONS]\n"
          "\n"
          "Learns your voice and your room, hands-free, in a few minutes: after ten\n"
          "seconds of quiet, floorcoach asks you to say each key reply twice (\"Say:\n"
          "\"pain down my leg\".\"), then adapts its listening to you. Run it again\n"
          "to re-record some phrases; the others are kept.\n"
          "\n"
          "Options:\n"
          "  --mic IN.wav            file mode: the microphone is read from IN.wav\n"
          "  --speaker OUT.wav       file mode: what is said is written to OUT.wav\n"
          "  --voice NAME            voice profile to speak with (see `floorcoach list`)\n"
          "  --profile DIR           the profile folder (default: the data folder's profile/)\n"
          "  --log FILE              the enrollment log (default: enroll.jsonl in the profile)\n"
          "  --phrases LIST          what to record, comma-separated: all (default), safety,\n"
          "                          controls, numbers, or phrases of the lexicon\n"
          "  --takes N               how many times each phrase is recorded (1-3, default 2)\n"
          "  --lexicon FILE          the replies file (default: voices/en-us/replies.cfg)\n"
          "  --no-adapt              only record; listening keeps the stock model\n"
          "  --adapt-only            record nothing: adapt again to the profile's recordings\n"
          "  --input-device DEV      microphone: index or part of its name\n"
          "  --output-device DEV     speaker: index or part of its name\n"
          "  -h, --help              this help\n"
          "\n"
          "Exit status: 0 profile saved, 1 bad input, 2 audio unavailable, interrupted\n"
          "(the previous profile is kept), nothing recorded, or a room too noisy.\n",
          f);
}

typedef struct enroll_opts {
    const char *mic, *speaker, *voice, *profile, *log, *phrases, *lexicon, *in_dev, *out_dev;
    int takes;
    bool no_adapt, adapt_only;
} enroll_opts;

static int parse_opts(int argc, char **argv, enroll_opts *o) {
    enum {
        O_MIC = 256,
        O_SPK,
        O_VOICE,
        O_PROFILE,
        O_LOG,
        O_PHRASES,
        O_TAKES,
        O_LEX,
        O_NOADAPT,
        O_ADAPTONLY,
        O_IN,
        O_OUT
    };
    static const struct option opts[] = {{"mic", required_argument, 0, O_MIC},
                                         {"speaker", required_argument, 0, O_SPK},
                                         {"voice", required_argument, 0, O_VOICE},
                                         {"profile", required_argument, 0, O_PROFILE},
                                         {"log", required_argument, 0, O_LOG},
                                         {"phrases", required_argument, 0, O_PHRASES},
                                         {"takes", required_argument, 0, O_TAKES},
                                         {"lexicon", required_argument, 0, O_LEX},
                                         {"no-adapt", no_argument, 0, O_NOADAPT},
                                         {"adapt-only", no_argument, 0, O_ADAPTONLY},
                                         {"input-device", required_argument, 0, O_IN},
                                         {"output-device", required_argument, 0, O_OUT},
                                         {"help", no_argument, 0, 'h'},
                                         {0, 0, 0, 0}};
    memset(o, 0, sizeof *o);
    o->voice = VOICE_DEFAULT;
    o->takes = 2;
    int c;
    optind = 1;
    opterr = 0;
    while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
        switch (c) {
        case O_MIC:
            o->mic = optarg;
            break;
        case O_SPK:
            o->speaker = optarg;
            break;
        case O_VOICE:
            o->voice = optarg;
            break;
        case O_PROFILE:
            o->profile = optarg;
            break;
        case O_LOG:
            o->log = optarg;
            break;
        case O_PHRASES:
            o->phrases = optarg;
            break;
        case O_TAKES: {
            char *end = NULL;
            long t = strtol(optarg, &end, 10);
            if (!end || *end || t < 1 || t > 3) {
                fprintf(stderr, "floorcoach enroll: --takes must be 1, 2 or 3\n");
                return 1;
            }
            o->takes = (int)t;
            break;
        }
        case O_LEX:
            o->lexicon = optarg;
            break;
        case O_NOADAPT:
            o->no_adapt = true;
            break;
        case O_ADAPTONLY:
            o->adapt_only = true;
            break;
        case O_IN:
            o->in_dev = optarg;
            break;
        case O_OUT:
            o->out_dev = optarg;
            break;
        case 'h':
            enroll_usage(stdout);
            return 0;
        default:
            fprintf(stderr, "floorcoach enroll: unknown or incomplete option '%s'\n",
                    argv[optind - 1]);
            enroll_usage(stderr);
            return 1;
        }
    }
    if (optind < argc) {
        fprintf(stderr, "floorcoach enroll: unexpected argument '%s'\n", argv[optind]);
        enroll_usage(stderr);
        return 1;
    }
    if (o->speaker && !o->mic) {
        fprintf(stderr, "floorcoach enroll: --speaker needs --mic (file mode)\n");
        return 1;
    }
    if (o->no_adapt && o->adapt_only) {
        fprintf(stderr, "floorcoach enroll: --no-adapt and --adapt-only contradict each other\n");
        return 1;
    }
    return -1;
}

/* Copies the stored profile into the stage and adapts again. */
static int adapt_only(const char *profile, const char *stage, fc_err *err) {
    profile_take *t = NULL;
    size_t n = 0;
    if (profile_read_takes(profile, &t, &n, err) < 0)
        return -1;
    if (n == 0) {
        free(t);
        return err_set(err, "%s holds no recordings: run `floorcoach enroll` first", profile);
    }
    static const char *const files[] = {"room.wav", "profile.cfg", "enroll.jsonl"};
    for (size_t i = 0; i < sizeof files / sizeof files[0]; i++) {
        char a[PATH_MAX], b[PATH_MAX];
        profile_path(a, sizeof a, profile, files[i]);
        profile_path(b, sizeof b, stage, files[i]);
        if (access(a, R_OK) == 0 && profile_copy_file(a, b, err) < 0)
            goto error_out;
    }
    for (size_t i = 0; i < n; i++) {
        char a[PATH_MAX], b[PATH_MAX];
        char rel[128];
        snprintf(rel, sizeof rel, "wav/%s.wav", t[i].id);
        profile_path(a, sizeof a, profile, rel);
        profile_path(b, sizeof b, stage, rel);
        if (profile_copy_file(a, b, err) < 0)
            goto error_out;
    }
    if (profile_write_takes(stage, t, n, err) < 0)
        goto error_out;
    adapt_result ar;
    int rc = run_adaptation(NULL, stage, &ar, err);
    printf("adaptation: %s; check: stock %d/%d quiet, %d/%d noisy; adapted %d/%d quiet, %d/%d "
           "noisy; %.2f s CPU%s%s\n",
           ar.kept ? "adapted model kept" : "stock model kept", ar.stock_clean_ok, ar.n_clean,
           ar.stock_noisy_ok, ar.n_noisy, ar.adapted_clean_ok, ar.n_clean, ar.adapted_noisy_ok,
           ar.n_noisy, ar.cpu_s, ar.reason[0] ? ": " : "", ar.reason);
    free(t);
    return rc;
error_out:
    free(t);
    return -1;
}

static void say_summary(enroller *e, int recorded, int wanted, const char *missing,
                        const adapt_result *ar, bool adapted_tried) {
    char text[1024];
    if (recorded == wanted)
        snprintf(text, sizeof text, "All done. I recorded all %d replies.", wanted);
    else
        snprintf(text, sizeof text, "All done. I recorded %d of %d replies.", recorded, wanted);
    say(e, text, "summary", NULL, 0, 0, NULL);
    if (missing[0]) {
        snprintf(text, sizeof text, "I could not record: %s. Run the setup again to add them.",
                 missing);
        say(e, text, "summary", NULL, 0, 0, NULL);
    }
    if (adapted_tried)
        say(e,
            ar->kept ? "From now on, I will listen with your voice and this room in mind."
                     : "I will keep listening as before; your recordings are saved.",
            "summary", NULL, 0, 0, NULL);
    pause_ms(e, 300);
}

/* Ten seconds of the room (measure_room), kept as <stage>/room.wav in
 * place of any earlier recording (*room, owned by the caller). */
static int record_room(enroller *e, const char *stage, int16_t **room, size_t *nroom) {
    int16_t *r = NULL;
    size_t n = 0;
    int x = measure_room(e, &r, &n);
    if (x != 1)
        return x;
    free(*room);
    *room = r;
    *nroom = n;
    char path[PATH_MAX];
    profile_path(path, sizeof path, stage, "room.wav");
    if (wav_write(path, r, n, AUDIO_RATE, &e->err) < 0)
        x = -1;
    chmod(path, 0600);
    return x;
}

/* An enrollment that ends leaving the profile as it was: logs why, says it
 * and tells stderr. */
static void end_unchanged(enroller *e, const char *reason, int recorded, const char *spoken,
                          const char *message) {
    jbuf b;
    log_begin(&b, now_ms(e), "enroll_end");
    json_str(&b, "reason", reason);
    json_int(&b, "recorded", recorded);
    log_line(e, &b);
    say(e, spoken, "summary", NULL, 0, 0, NULL);
    fprintf(stderr, "floorcoach enroll: %s\n", message);
}

/* The room check of a session (roomcheck.h), from the first answers: the
 * median level of the answers heard so far against the room's noise, and
 * clatter in the room's ten seconds of quiet (too noisy at any level). Logs
 * a room_check event and returns its verdict. When no answer was heard at
 * all, a loud room is taken as the reason (too noisy); in a quiet one the
 * reply SNR is unknown (ROOM_MARGINAL, logged as "unknown"). */
static room_quality enroll_room_check(enroller *e, const char *check) {
    room_quality q;
    double speech = NAN, snr = NAN;
    if (e->nlevels == 0) {
        q = e->noise_db > NOISY_ROOM_DBFS ? ROOM_TOO_NOISY : ROOM_MARGINAL;
    } else {
        double v[ROOM_LEVELS];
        memcpy(v, e->levels, (size_t)e->nlevels * sizeof *v);
        sort_doubles(v, (size_t)e->nlevels);
        /* The answers' frames hold the noise too: take its power away. */
        speech = room_less_noise(v[e->nlevels / 2], e->noise_db);
        snr = speech - e->noise_db;
        q = room_judge(snr);
    }
    if (e->clatter) /* louder replies do not help: see roomcheck.h */
        q = ROOM_TOO_NOISY;
    jbuf b;
    log_begin(&b, now_ms(e), "room_check");
    json_str(&b, "check", check);
    json_num(&b, "noise_dbfs", round(e->noise_db * 10.0) / 10.0);
    if (!isnan(speech)) {
        json_num(&b, "speech_dbfs", round(speech * 10.0) / 10.0);
        json_num(&b, "snr", round(snr * 10.0) / 10.0);
    }
    if (!isnan(e->busy)) {
        json_num(&b, "busy", round(e->busy * 100.0) / 100.0);
        json_num(&b, "sharp_per_s", round(e->sharp * 10.0) / 10.0);
    }
    json_str(&b, "quality", isnan(speech) && q != ROOM_TOO_NOISY ? "unknown"
                                                                 : room_quality_name(q));
    log_line(e, &b);
    return q;
}

static int enroll_run(const enroll_opts *o, const lexicon *lx, const phrase_list *pl,
                      const char *profile, const char *stage) {
    enroller e;
    memset(&e, 0, sizeof e);
    e.file_mode = o->mic != NULL;
    int status = 2;
    rec_take *takes = NULL;
    size_t nt = 0, cap = 0;
    int16_t *room = NULL;
    size_t nroom = 0;
    voice_profile vp;
    char logpath[PATH_MAX];
    struct timespec w0;
    clock_gettime(CLOCK_MONOTONIC, &w0);
    if (voice_load(o->voice, &vp, &e.err) < 0) {
        fprintf(stderr, "floorcoach enroll: %s\n", e.err.msg);
        return 1;
    }
    profile_path(logpath, sizeof logpath, stage, "enroll.jsonl");
    e.log = sessionlog_open(o->log ? o->log : logpath, &e.err);
    if (!e.log) {
        fprintf(stderr, "floorcoach enroll: %s\n", e.err.msg);
        return 1;
    }
    e.so = speech_out_new(&vp, &e.err);
    if (e.so)
        e.a = e.file_mode ? audio_file_open(o->mic, o->speaker, NAN, 0, &e.err)
                          : audio_pa_open(o->in_dev, o->out_dev, &e.err);
    if (!e.so || !e.a) {
        fprintf(stderr, "floorcoach enroll: %s\n", e.err.msg);
        status = e.file_mode && e.so && access(o->mic, R_OK) != 0 ? 1 : 2;
        goto out;
    }
    jbuf b;
    {
        char date[64];
        time_t now = time(NULL);
        struct tm tm;
        localtime_r(&now, &tm);
        strftime(date, sizeof date, "%Y-%m-%dT%H:%M:%S%z", &tm);
        log_begin(&b, 0, "enroll_start");
        json_str(&b, "version", FC_VERSION);
        json_str(&b, "date", date);
        json_str(&b, "mode", e.file_mode ? "file" : "device");
        json_str(&b, "voice", vp.name);
        json_int(&b, "phrases", pl->n);
        json_int(&b, "takes", o->takes);
        json_str(&b, "profile", profile);
        log_line(&e, &b);
    }
    char text[512];
    int minutes = (int)ceil((pl->n * o->takes * 3.4 + 25.0) / 60.0);
    snprintf(text, sizeof text,
             "Let's learn your voice. This takes about %d minute%s. I will ask you to say some "
             "replies; say each one in your normal voice, after I finish.",
             minutes, minutes == 1 ? "" : "s");
    int r = say(&e, text, "instruction", NULL, 0, 0, NULL);
    if (r == 1)
        r = say(&e, "First, please stay quiet for ten seconds, so I can hear the room.",
                "instruction", NULL, 0, 0, NULL);
    if (r == 1)
        r = record_room(&e, stage, &room, &nroom);
    if (r == 1)
        r = say(&e,
                e.noise_db > NOISY_ROOM_DBFS
                    ? "Thank you. This room is quite noisy; I will carry on, but a quieter room "
                      "helps me learn."
                    : "Thank you. Now the replies.",
                "instruction", NULL, 0, 0, NULL);
    char missing[768] = "";
    int recorded = 0, wanted = pl->n * o->takes;
    for (int i = 0; i < pl->n && r == 1; i++) {
        bool any = false;
        for (int k = 1; k <= o->takes && r == 1; k++) {
            if (nt == cap) {
                cap = cap ? cap * 2 : 64;
                takes = xrealloc(takes, cap * sizeof *takes);
            }
            bool got = false;
            r = record_take(&e, stage, &pl->v[i], k, &takes[nt], &got);
            if (r == 1 && got) {
                nt++;
                recorded++;
                any = true;
            }
        }
        if (r == 1 && !any) {
            size_t l = strlen(missing);
            if (l + strlen(pl->v[i].text) + 4 < sizeof missing)
                snprintf(missing + l, sizeof missing - l, "%s%s", l ? ", " : "", pl->v[i].text);
        }
        /* The room check, once the first phrase's answers give the level
         * of this person's voice: in a room too noisy for their replies,
         * ask for quiet and measure again; still too noisy, stop here
         * (the takes would drown, and so would their replies in a
         * session), keeping the previous profile. */
        if (r == 1 && i == 0 && enroll_room_check(&e, "enroll") == ROOM_TOO_NOISY) {
            r = say(&e,
                    "It's noisy here and I may not hear you. Could you turn off the noise or "
                    "move the speaker closer? Then please stay quiet for ten seconds.",
                    "instruction", NULL, 0, 0, NULL);
            if (r == 1)
                r = record_room(&e, stage, &room, &nroom);
            if (r == 1 && enroll_room_check(&e, "again") == ROOM_TOO_NOISY) {
                e.finishing = true;
                end_unchanged(&e, "too_noisy", recorded,
                              "It's still too noisy for me to learn your voice, so nothing was "
                              "changed. Please try again in a quieter room, or closer to the "
                              "microphone.",
                              "the room is too noisy for your replies (see room_check in the "
                              "log); the previous profile is kept");
                goto out;
            }
        }
    }
    if (r != 1) {
        const char *why = r < 0         ? e.err.msg
                          : interrupted ? "interrupted"
                                        : "the microphone input ended before the last phrase";
        log_begin(&b, now_ms(&e), "enroll_end");
        json_str(&b, "reason", r < 0 ? "error" : "interrupted");
        json_str(&b, "message", why);
        json_int(&b, "recorded", recorded);
        log_line(&e, &b);
        fprintf(stderr, "floorcoach enroll: %s; the previous profile is kept\n", why);
        goto out;
    }
    long t_rec = now_ms(&e);
    if (nt == 0) {
        end_unchanged(&e, "nothing_recorded", 0,
                      "I could not record any reply, so nothing was changed. Please try again "
                      "in a quieter room, closer to the microphone.",
                      "no reply could be recorded; the previous profile is kept");
        goto out;
    }
    fc_err cerr;
    if (carry_over(profile, stage, lx, e.noise_db, &takes, &nt, &cap, &cerr) < 0)
        fprintf(stderr, "floorcoach enroll: earlier recordings not kept: %s\n", cerr.msg);
    profile_take *list = xmalloc(nt * sizeof *list);
    for (size_t i = 0; i < nt; i++)
        list[i] = takes[i].t;
    int wr = profile_write_takes(stage, list, nt, &e.err);
    free(list);
    if (wr < 0 || write_cfg(stage, e.noise_db, takes, nt, NULL, &e.err) < 0) {
        fprintf(stderr, "floorcoach enroll: %s; the previous profile is kept\n", e.err.msg);
        goto out;
    }
    adapt_result ar;
    memset(&ar, 0, sizeof ar);
    if (!o->no_adapt) {
        say(&e, "Now I am learning your voice. This takes a few seconds.", "instruction", NULL, 0,
            0, NULL);
        fc_err aerr = {{0}};
        long t_ad = now_ms(&e);
        if (run_adaptation(&e, stage, &ar, &aerr) < 0 && !ar.reason[0])
            str_copy(ar.reason, aerr.msg, sizeof ar.reason);
        log_begin(&b, t_ad, "adapt");
        json_bool(&b, "ran", ar.ran);
        json_bool(&b, "kept", ar.kept);
        json_num(&b, "cpu_s", ar.cpu_s);
        json_int(&b, "quiet", ar.n_clean);
        json_int(&b, "noisy", ar.n_noisy);
        json_int(&b, "stock_quiet_ok", ar.stock_clean_ok);
        json_int(&b, "stock_noisy_ok", ar.stock_noisy_ok);
        json_int(&b, "adapted_quiet_ok", ar.adapted_clean_ok);
        json_int(&b, "adapted_noisy_ok", ar.adapted_noisy_ok);
        json_str(&b, "reason", ar.reason[0] ? ar.reason : NULL);
        log_line(&e, &b);
        if (write_cfg(stage, e.noise_db, takes, nt, &ar, &e.err) < 0) {
            fprintf(stderr, "floorcoach enroll: %s; the previous profile is kept\n", e.err.msg);
            goto out;
        }
    }
    struct timespec w1;
    clock_gettime(CLOCK_MONOTONIC, &w1);
    log_begin(&b, now_ms(&e), "enroll_end");
    json_str(&b, "reason", "done");
    json_int(&b, "recorded", recorded);
    json_int(&b, "wanted", wanted);
    json_int(&b, "kept_from_before", (long)nt - recorded);
    json_str(&b, "missing", missing);
    json_num(&b, "recording_s", (double)t_rec / 1000.0);
    json_num(&b, "wall_s",
             (double)(w1.tv_sec - w0.tv_sec) + (double)(w1.tv_nsec - w0.tv_nsec) / 1e9);
    json_str(&b, "model", ar.kept ? "adapted" : "stock");
    log_line(&e, &b);
    if (!o->log) {
        /* The log moves with the stage; close it before the rename. */
        sessionlog_close(e.log);
        e.log = NULL;
    }
    if (profile_commit(stage, profile, &e.err) < 0) {
        fprintf(stderr, "floorcoach enroll: %s\n", e.err.msg);
        goto out;
    }
    status = 0;
    e.finishing = true;
    say_summary(&e, recorded, wanted, missing, &ar, !o->no_adapt);
    printf("enrolled %d of %d takes%s%s; profile: %s; listening: %s%s%s\n", recorded, wanted,
           missing[0] ? "; missing: " : "", missing, profile,
           ar.kept ? "adapted model" : "stock model", !ar.kept && ar.reason[0] ? " (" : "",
           !ar.kept && ar.reason[0] ? ar.reason : "");
    if (!ar.kept && ar.reason[0])
        printf(")\n");
out:
    free(takes);
    free(room);
    free(e.buf);
    audio_free(e.a, status == 0 ? 1000 : 0);
    speech_out_free(e.so);
    sessionlog_close(e.log);
    return status;
}

int enroll_main(int argc, char **argv) {
    enroll_opts o;
    int st = parse_opts(argc, argv, &o);
    if (st >= 0)
        return st;
    fc_err err = {{0}};
    char lexbuf[PATH_MAX], profile[PATH_MAX], stage[PATH_MAX];
    const char *lexpath =
        o.lexicon ? o.lexicon : paths_resource(lexbuf, sizeof lexbuf, "voices/en-us/replies.cfg");
    lexicon *lx = lexicon_load(lexpath, &err);
    if (!lx) {
        fprintf(stderr, "floorcoach enroll: %s\n", err.msg);
        return 1;
    }
    phrase_list *pl = xmalloc(sizeof *pl);
    if (build_phrases(lx, o.phrases, pl, &err) < 0) {
        fprintf(stderr, "floorcoach enroll: %s\n", err.msg);
        free(pl);
        lexicon_free(lx);
        return 1;
    }
    /* Everything written from here on is private: recordings of a person's
     * voice and health replies. */
    mode_t old_mask = umask(077);
    int status = 1;
    if (o.profile) {
        str_copy(profile, o.profile, sizeof profile);
        size_t l = strlen(profile);
        while (l > 1 && profile[l - 1] == '/')
            profile[--l] = '\0';
    } else if (profile_default_dir(profile, sizeof profile, &err) < 0) {
        fprintf(stderr, "floorcoach enroll: %s\n", err.msg);
        goto out;
    }
    if (profile_stage_new(profile, stage, sizeof stage, &err) < 0) {
        fprintf(stderr, "floorcoach enroll: %s\n", err.msg);
        status = 2;
        goto out;
    }
    struct sigaction sa, old_int, old_term;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_signal;
    interrupted = 0;
    sigaction(SIGINT, &sa, &old_int);
    sigaction(SIGTERM, &sa, &old_term);
    if (o.adapt_only) {
        if (adapt_only(profile, stage, &err) < 0) {
            fprintf(stderr, "floorcoach enroll: %s; the profile is unchanged\n", err.msg);
            status = 1;
        } else if (profile_commit(stage, profile, &err) < 0) {
            fprintf(stderr, "floorcoach enroll: %s\n", err.msg);
            status = 2;
        } else {
            status = 0;
        }
    } else {
        status = enroll_run(&o, lx, pl, profile, stage);
    }
    sigaction(SIGINT, &old_int, NULL);
    sigaction(SIGTERM, &old_term, NULL);
    if (status != 0)
        profile_remove_tree(stage);
out:
    umask(old_mask);
    free(pl);
    lexicon_free(lx);
    return status;
}
