/* test_speech_in: the listener on replies synthesized here over a noise
 * floor: each class of reply is heard, ordinary speech and noise are not, a
 * phrase added to the lexicon is heard, an unknown word is a clear error. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "check.h"
#include "intent.h"
#include "paths.h"
#include "speech_in.h"
#include "speech_out.h"
#include "util.h"
#include "voice.h"
#include "wav.h"

#define RATE 16000


static unsigned long long seed = 12345;

/* A quiet, steady noise floor (about -50 dBFS): digital silence is not what
 * a microphone hears, and the recognizer scores it badly. */
static int16_t floor_sample(void) {
    seed = seed * 6364136223846793005ull + 1442695040888963407ull;
    return (int16_t)((int)((seed >> 33) % 201) - 100);
}

/* Audio being built: gaps of noise floor and speech. */
typedef struct track {
    int16_t *pcm;
    size_t n, cap;
} track;

static void track_add(track *t, const int16_t *x, size_t n) {
    if (t->n + n > t->cap) {
        t->cap = (t->n + n) * 2;
        t->pcm = xrealloc(t->pcm, t->cap * sizeof *t->pcm);
    }
    for (size_t i = 0; i < n; i++)
        t->pcm[t->n + i] = (int16_t)(floor_sample() + (x ? x[i] : 0));
    t->n += n;
}

static void track_gap(track *t, double seconds) {
    track_add(t, NULL, (size_t)(seconds * RATE));
}

static speech_out *so;

/* Adds `text` said `gain` times as loud as the synthesizer's voice. */
static void track_say_at(track *t, const char *text, double gain) {
    int16_t *pcm = NULL;
    size_t n = 0;
    fc_err err;
    if (speech_out_synth(so, text, &pcm, &n, &err) < 0) {
        CHECK(0, "synthesis of \"%s\": %s", text, err.msg);
        return;
    }
    for (size_t i = 0; i < n; i++)
        pcm[i] = (int16_t)(pcm[i] * gain);
    track_add(t, pcm, n);
    free(pcm);
}

static void track_say(track *t, const char *text) {
    track_say_at(t, text, 1.0);
}

/* Runs the whole track through the listener in 20 ms blocks. */
static int listen(speech_in *si, const track *t, heard *out, int max) {
    fc_err err;
    int got = 0;
    for (size_t off = 0; off < t->n; off += 320) {
        size_t k = t->n - off < 320 ? t->n - off : 320;
        int r = speech_in_process(si, t->pcm + off, k, (long)(off / 16), out + got, max - got,
                                  &err);
        if (r < 0) {
            CHECK(0, "process: %s", err.msg);
            break;
        }
        got += r;
    }
    int r = speech_in_flush(si, out + got, max - got, &err);
    CHECK(r >= 0, "flush: %s", err.msg);
    return r > 0 ? got + r : got;
}

static const heard *find(const heard *h, int n, intent i) {
    for (int k = 0; k < n; k++)
        if (h[k].intent == i && !h[k].unclear)
            return &h[k];
    return NULL;
}

/* During a hold a symptom may also come out as unclear speech (the session
 * then stops the count and asks): that counts as heard. */
static const heard *find_or_unclear(const heard *h, int n, intent i, long at) {
    const heard *r = find(h, n, i);
    for (int k = 0; !r && k < n; k++)
        if (h[k].unclear && h[k].start_ms >= at - 400 && h[k].start_ms <= at + 800)
            r = &h[k];
    return r;
}

static void test_classes(speech_in *si) {
    /* One reply of each class, in a stream with gaps, as in a session. */
    static const struct {
        const char *text;
        intent i;
        int value;
    } replies[] = {
        {"pain down my leg", INTENT_SPREADING, 0},
        {"three out of ten", INTENT_PAIN_SCORE, 3},
        {"tingling in my foot", INTENT_NERVE_SIGNS, 0},
        {"carry on", INTENT_RESUME, 0},
    };
    track t = {0};
    track_gap(&t, 1.0);
    long at[8];
    for (size_t k = 0; k < sizeof replies / sizeof replies[0]; k++) {
        at[k] = (long)(t.n / 16);
        track_say(&t, replies[k].text);
        track_gap(&t, 1.2);
    }
    heard h[16];
    /* During a hold, after "Rate your leg pain from zero to ten": a pain
     * score is expected (a number needs that context to be accepted). */
    speech_in_set_context(si, 1ul << INTENT_PAIN_SCORE, true);
    speech_in_set_raw(si, true);
    int n = listen(si, &t, h, 16);
    speech_in_set_raw(si, false);
    int kept = 0;
    for (int k = 0; k < n; k++)
        if (!h[k].rejected)
            h[kept++] = h[k];
        else
            printf("  (rejected \"%s\", score %.2f, phones %.2f)\n", h[k].text,
                   (double)h[k].score, (double)h[k].phone_dist);
    n = kept;
    for (size_t k = 0; k < sizeof replies / sizeof replies[0]; k++) {
        bool safety = intent_is_safety(replies[k].i) && replies[k].i != INTENT_PAIN_SCORE;
        const heard *r = safety ? find_or_unclear(h, n, replies[k].i, at[k])
                                : find(h, n, replies[k].i);
        CHECK(r != NULL, "\"%s\" heard as %s%s", replies[k].text, intent_name(replies[k].i),
              safety ? " (or unclear)" : "");
        if (!r)
            continue;
        if (!r->unclear)
            CHECK_INT(r->value, replies[k].value);
        CHECK(r->start_ms >= at[k] - 400 && r->start_ms <= at[k] + 800,
              "\"%s\": start %ld ms, said at %ld ms", replies[k].text, r->start_ms, at[k]);
        CHECK(r->end_ms > r->start_ms, "end after start");
        CHECK(r->confidence > 0 && r->confidence <= 1, "confidence %f", (double)r->confidence);
    }
    CHECK(n <= 6, "no more results than replies: %d", n);
    if (check_failed)
        for (int k = 0; k < n; k++)
            printf("  heard \"%s\" (%s) score %.2f phones %.2f\n", h[k].text,
                   intent_name(h[k].intent), (double)h[k].score, (double)h[k].phone_dist);
    free(t.pcm);
}

static void test_rejects(speech_in *si) {
    track t = {0};
    track_gap(&t, 1.0);
    track_say(&t, "the weather tomorrow will be cloudy with a chance of rain in the afternoon");
    track_gap(&t, 1.0);
    track_say(&t, "we are going to need more milk and some bread for the weekend");
    track_gap(&t, 1.0);
    /* Broadband noise bursts, like a tap or a fan switched on and off. */
    for (int b = 0; b < 3; b++) {
        size_t len = RATE * 6 / 10;
        int16_t *x = xmalloc(len * sizeof *x);
        for (size_t i = 0; i < len; i++)
            x[i] = (int16_t)(floor_sample() * 30);
        track_add(&t, x, len);
        free(x);
        track_gap(&t, 0.8);
    }
    heard h[16];
    speech_in_set_context(si, 0, false);
    int n = listen(si, &t, h, 16);
    CHECK_INT(n, 0);
    for (int k = 0; k < n; k++)
        printf("  heard from non-reply audio: \"%s\" (%s, score %.3f)\n", h[k].text,
               intent_name(h[k].intent), (double)h[k].score);
    free(t.pcm);
}

/* A copy of the bundled lexicon with `extra` inserted after `anchor`. */
static lexicon *lexicon_with(const char *anchor, const char *extra, char *path, size_t n,
                             fc_err *err) {
    char src[4096];
    size_t len;
    char *text = file_read_all(paths_resource(src, sizeof src, "voices/en-us/replies.cfg"), &len,
                               err);
    if (!text)
        return NULL;
    char *at = strstr(text, anchor);
    if (!at) {
        free(text);
        err_set(err, "anchor not found");
        return NULL;
    }
    at += strlen(anchor);
    snprintf(path, n, "%s/fc-test-lex-%d.cfg", getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp",
             (int)getpid());
    FILE *f = fopen(path, "w");
    if (!f) {
        free(text);
        err_set(err, "cannot write %s", path);
        return NULL;
    }
    fwrite(text, 1, (size_t)(at - text), f);
    fputs(extra, f);
    fputs(at, f);
    fclose(f);
    free(text);
    return lexicon_load(path, err);
}

static void test_added_phrase(void) {
    fc_err err;
    char path[4200];
    lexicon *lx = lexicon_with("pause = ( ", "\"purple elephant\", ", path, sizeof path, &err);
    CHECK(lx != NULL, "lexicon copy: %s", lx ? "" : err.msg);
    if (!lx)
        return;
    speech_in_opts o = {0};
    speech_in *si = speech_in_new(lx, &o, &err);
    CHECK(si != NULL, "listener with an added phrase: %s", si ? "" : err.msg);
    if (si) {
        track t = {0};
        track_gap(&t, 1.0);
        track_say(&t, "purple elephant");
        track_gap(&t, 1.0);
        heard h[8];
        int n = listen(si, &t, h, 8);
        const heard *r = find(h, n, INTENT_PAUSE);
        CHECK(r != NULL, "the added phrase is heard");
        if (r)
            CHECK_STR(r->text, "purple elephant");
        free(t.pcm);
    }
    speech_in_free(si);
    lexicon_free(lx);
    unlink(path);
}

/* A phrase only spelled by choices is heard in the second pass, with the
 * words said; a listed phrase is still heard as itself. */
static void test_spelled_phrase(void) {
    fc_err err;
    char path[4200];
    lexicon *lx = lexicon_with("pause = ( ", "\"(purple|orange) elephant (now|please|)\", ", path,
                               sizeof path, &err);
    CHECK(lx != NULL, "lexicon copy: %s", lx ? "" : err.msg);
    if (!lx)
        return;
    speech_in_opts o = {0};
    speech_in *si = speech_in_new(lx, &o, &err);
    CHECK(si != NULL, "listener with choices: %s", si ? "" : err.msg);
    if (si) {
        track t = {0};
        track_gap(&t, 1.0);
        track_say(&t, "orange elephant please");
        track_gap(&t, 1.5);
        track_say(&t, "tingling in my foot");
        track_gap(&t, 1.0);
        heard h[8];
        int n = listen(si, &t, h, 8);
        const heard *r = find(h, n, INTENT_PAUSE);
        CHECK(r != NULL, "the spelled phrase is heard");
        if (r)
            CHECK_STR(r->text, "orange elephant please");
        r = find(h, n, INTENT_NERVE_SIGNS);
        CHECK(r != NULL, "a listed phrase beside it is heard");
        if (r)
            CHECK_STR(r->text, "tingling in my foot");
        free(t.pcm);
    }
    speech_in_free(si);
    lexicon_free(lx);
    unlink(path);
}

static void test_unknown_word(void) {
    fc_err err;
    char path[4200];
    lexicon *lx =
        lexicon_with("help = ( ", "\"zorblaxian help\", ", path, sizeof path, &err);
    CHECK(lx != NULL, "lexicon copy: %s", lx ? "" : err.msg);
    if (!lx)
        return;
    speech_in_opts o = {0};
    err.msg[0] = '\0';
    speech_in *si = speech_in_new(lx, &o, &err);
    CHECK(si == NULL, "a word the model does not know is refused");
    CHECK_CONTAINS(err.msg, "\"zorblaxian\"");
    CHECK_CONTAINS(err.msg, "zorblaxian help");
    CHECK_CONTAINS(err.msg, "dictionary");
    speech_in_free(si);
    lexicon_free(lx);
    unlink(path);
}

static void test_tuning_errors(const lexicon *lx) {
    fc_err err;
    speech_in_opts o = {.tuning = "no_such_setting=1"};
    speech_in *si = speech_in_new(lx, &o, &err);
    CHECK(si == NULL, "an unknown tuning key is refused");
    CHECK_CONTAINS(err.msg, "no_such_setting");
    speech_in_free(si);
    speech_in_free(NULL);
}

/* Speech of `text`, scaled by `gain`, as a track with a noise floor. */
static track said(const char *text, double gain) {
    track t = {0};
    track_gap(&t, 1.0);
    track_say_at(&t, text, gain);
    track_gap(&t, 1.0);
    return t;
}

/* Counts the unclear results of a track heard during a hold. */
static int unclear_in(speech_in *si, const track *t) {
    heard h[16];
    speech_in_set_context(si, 0, true);
    int n = listen(si, t, h, 16), u = 0;
    for (int k = 0; k < n; k++)
        u += h[k].unclear;
    return u;
}

/* The safety-first policy during a hold: speech that is not a reply but is
 * as loud as the person's replies is unclear (it stops the count); the same
 * speech 14 dB quieter (a TV in the next room) is not; noise bursts never
 * are. The person's level comes from their enrollment recordings, or is
 * set from their answers; unknown, any speech counts. */
static void test_hold_policy(const lexicon *lx) {
    char dir[512], wavdir[600], file[700];
    snprintf(dir, sizeof dir, "%s/fc-test-prof-%d", getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp",
             (int)getpid());
    snprintf(wavdir, sizeof wavdir, "%s/wav", dir);
    CHECK(mkdir(dir, 0700) == 0 && mkdir(wavdir, 0700) == 0, "mkdir %s", wavdir);
    track rec = said("pain down my leg", 1.0);
    snprintf(file, sizeof file, "%s/spreading-1.wav", wavdir);
    fc_err err;
    CHECK(wav_write(file, rec.pcm, rec.n, RATE, &err) == 0, "write %s", file);
    free(rec.pcm);
    speech_in_opts o = {.profile_dir = dir};
    speech_in *si = speech_in_new(lx, &o, &err);
    CHECK(si != NULL, "listener with a profile: %s", si ? "" : err.msg);
    if (si) {
        double level = speech_in_person_level(si);
        CHECK(level > -40 && level < -3, "the person's level from the profile: %.1f dBFS", level);
        track loud = said("the kettle is boiling again", 1.0);
        track quiet = said("the kettle is boiling again", 0.2);
        CHECK_INT(unclear_in(si, &loud), 1);
        CHECK_INT(unclear_in(si, &quiet), 0);
        speech_in_set_person_level(si, NAN);
        CHECK_INT(unclear_in(si, &quiet), 1);
        track bursts = {0};
        for (int b = 0; b < 3; b++) {
            size_t len = RATE * 6 / 10;
            int16_t *x = xmalloc(len * sizeof *x);
            for (size_t i = 0; i < len; i++)
                x[i] = (int16_t)(floor_sample() * 30);
            track_gap(&bursts, 0.8);
            track_add(&bursts, x, len);
            free(x);
        }
        track_gap(&bursts, 0.8);
        CHECK_INT(unclear_in(si, &bursts), 0);
        free(loud.pcm);
        free(quiet.pcm);
        free(bursts.pcm);
    }
    speech_in_free(si);
    unlink(file);
    rmdir(wavdir);
    rmdir(dir);
}

/* A pause inside a reply ("pins and ... needles") looks like its end; with
 * no reply complete before it, the listener waits for the rest and hears
 * the whole reply. Without the wait (join_ms=0) it is cut in two and lost,
 * which shows the track does pause long enough to end a segment. */
static void test_pause_inside(const lexicon *lx) {
    track t = {0};
    track_gap(&t, 1.0);
    track_say(&t, "pins and");
    track_gap(&t, 0.4);
    track_say(&t, "needles");
    track_gap(&t, 1.0);
    const char *tunings[] = {NULL, "join_ms=0"};
    for (int k = 0; k < 2; k++) {
        fc_err err;
        speech_in_opts o = {.tuning = tunings[k]};
        speech_in *si = speech_in_new(lx, &o, &err);
        CHECK(si != NULL, "listener: %s", si ? "" : err.msg);
        if (!si)
            continue;
        heard h[16];
        speech_in_set_context(si, 0, false);
        int n = listen(si, &t, h, 16);
        const heard *r = find(h, n, INTENT_NERVE_SIGNS);
        if (k == 0) {
            CHECK(r != NULL, "a reply with a pause inside is heard whole (%d heard)", n);
            CHECK_INT(n, 1);
        } else {
            CHECK(r == NULL, "without the wait, the pause cuts the reply (%d heard)", n);
        }
        speech_in_free(si);
    }
    free(t.pcm);
    /* The wait is for the person's voice only: a first part far quieter
     * than their replies (the program's echo, a TV) is not waited for. */
    track q = {0};
    track_gap(&q, 1.0);
    track_say_at(&q, "pins and", 1.0 / 3);
    track_gap(&q, 0.4);
    track_say(&q, "needles");
    track_gap(&q, 1.0);
    fc_err err;
    speech_in_opts o = {0};
    speech_in *si = speech_in_new(lx, &o, &err);
    CHECK(si != NULL, "listener: %s", si ? "" : err.msg);
    if (si) {
        heard h[16];
        speech_in_set_context(si, 0, false);
        /* The person's level: their "needles"; the first part is 7 dB below. */
        speech_in_set_person_level(si, -19);
        speech_in_set_raw(si, true);
        int k = listen(si, &q, h, 16);
        bool joined = false;
        for (int j = 0; j < k; j++)
            joined |= strcmp(h[j].text, "pins and needles") == 0;
        CHECK(!joined && k == 2, "a quiet first part is not joined to the person's words (%d heard)",
              k);
        speech_in_free(si);
    }
    free(q.pcm);
}

/* Hears a track with the person's level at `person` dBFS, in the context
 * given (`expected` answers, `in_hold`), and gives its last segment in `out`:
 * false when there is none in the track's last 4 s. */
static bool last_heard(const lexicon *lx, const track *t, double person, unsigned long expected,
                       bool in_hold, heard *out) {
    fc_err err;
    speech_in_opts o = {0};
    speech_in *si = speech_in_new(lx, &o, &err);
    CHECK(si != NULL, "listener: %s", si ? "" : err.msg);
    if (!si)
        return false;
    heard h[64];
    speech_in_set_context(si, expected, in_hold);
    speech_in_set_person_level(si, person);
    speech_in_set_raw(si, true);
    int n = listen(si, t, h, 64);
    bool got = n > 0 && h[n - 1].start_ms > (long)(t->n / 16) - 4000;
    if (got)
        *out = h[n - 1];
    speech_in_free(si);
    return got;
}

/* Whether the last segment of a track heard during a hold is unclear (it
 * would stop the count), with the person's level at `person` dBFS. */
static bool last_unclear(const lexicon *lx, const track *t, double person) {
    heard h;
    return last_heard(lx, t, person, 0, true, &h) && h.unclear;
}

/* The level of `line` said at full voice, heard in raw mode (the person's
 * level in the tests below); NAN when it is not heard. */
static double full_voice_level(const lexicon *lx, const char *line) {
    track p = {0};
    track_gap(&p, 1.0);
    track_say_at(&p, line, 1.0);
    track_gap(&p, 1.0);
    fc_err err;
    speech_in_opts o = {0};
    speech_in *si = speech_in_new(lx, &o, &err);
    CHECK(si != NULL, "listener: %s", si ? "" : err.msg);
    double person = NAN;
    if (si) {
        heard h[8];
        speech_in_set_raw(si, true);
        int n = listen(si, &p, h, 8);
        if (n > 0)
            person = h[0].level_db;
        speech_in_free(si);
    }
    free(p.pcm);
    CHECK(isfinite(person), "the person's line is heard (%.1f dBFS)", person);
    return person;
}

/* The intent of the last segment of a track heard right after a question
 * expecting `expected`, with the person's level at `person` dBFS. */
static intent last_intent(const lexicon *lx, const track *t, double person,
                          unsigned long expected) {
    heard h;
    return last_heard(lx, t, person, expected, false, &h) ? h.intent : INTENT_NONE;
}

/* Other voices (a TV 8 dB under the person, heard for a while) make a
 * command or an answer at their level someone else's: a TV's "carry on"
 * must not end a pause. The same words alone, or in the person's own voice,
 * still count, and a symptom at the TV's level is still heard. */
static void test_other_voices(const lexicon *lx) {
    double person = full_voice_level(lx, "the kettle is boiling again");
    if (!isfinite(person))
        return;
    const unsigned long paused = 1ul << INTENT_RESUME;
    track tv = {0};
    for (int k = 0; k < 12; k++) {
        track_gap(&tv, 0.8);
        track_say_at(&tv, "the kettle is boiling again", 0.4);
    }
    track_gap(&tv, 0.8);
    track alone = {0}, after = {0}, mine = {0}, symptom = {0};
    track_gap(&alone, 1.0);
    track_add(&after, tv.pcm, tv.n);
    track_add(&mine, tv.pcm, tv.n);
    track_add(&symptom, tv.pcm, tv.n);
    track_say_at(&alone, "carry on", 0.4);
    track_say_at(&after, "carry on", 0.4);
    track_say_at(&mine, "carry on", 1.0);
    track_say_at(&symptom, "pain down my leg", 0.4);
    track *all[] = {&alone, &after, &mine, &symptom};
    for (size_t k = 0; k < 4; k++)
        track_gap(all[k], 1.0);
    CHECK_INT(last_intent(lx, &alone, person, paused), INTENT_RESUME);
    CHECK_INT(last_intent(lx, &after, person, paused), INTENT_NONE);
    CHECK_INT(last_intent(lx, &mine, person, paused), INTENT_RESUME);
    CHECK_INT(last_intent(lx, &symptom, person, paused), INTENT_SPREADING);
    free(tv.pcm);
    for (size_t k = 0; k < 4; k++)
        free(all[k]->pcm);
}

/* Other talk during a hold (a TV a few dB under the person) raises the
 * level that passes for the person's voice to above its loud end: after a
 * dozen TV lines, a line a little louder than them no longer stops the
 * count, though the same line alone does, and the person's own voice still
 * does. */
static void test_other_talk(const lexicon *lx) {
    const char *line = "the kettle is boiling again";
    double person = full_voice_level(lx, line);
    if (!isfinite(person))
        return;
    /* TV lines 6 dB under the person. */
    track tv = {0};
    for (int k = 0; k < 14; k++) {
        track_gap(&tv, 0.8);
        track_say_at(&tv, line, 0.5);
    }
    track_gap(&tv, 0.8);
    track alone = {0}, after = {0}, mine = {0};
    track_gap(&alone, 1.0);
    track_add(&after, tv.pcm, tv.n);
    track_add(&mine, tv.pcm, tv.n);
    track_say_at(&alone, line, 0.63);
    track_say_at(&after, line, 0.63);
    track_say_at(&mine, line, 1.0);
    track_gap(&alone, 1.0);
    track_gap(&after, 1.0);
    track_gap(&mine, 1.0);
    CHECK(last_unclear(lx, &alone, person), "a line 4 dB under the person alone stops the count");
    CHECK(!last_unclear(lx, &after, person), "... not after a dozen lines of other talk like it");
    CHECK(last_unclear(lx, &mine, person), "... while the person's own voice still does");
    free(tv.pcm);
    free(alone.pcm);
    free(after.pcm);
    free(mine.pcm);
}

/* A made-up decode of `text` lasting `ms` from 1 s on, in a clear voice
 * well above a quiet room, with the given evidence. */
static heard decoded(const char *text, long ms, float score, float phone_dist) {
    heard h;
    memset(&h, 0, sizeof h);
    str_copy(h.text, text, sizeof h.text);
    h.start_ms = 1000;
    h.end_ms = 1000 + ms;
    h.frames = (int)(ms / 10) + 20;
    h.score = score;
    h.phone_dist = phone_dist;
    h.phone_near = phone_dist; /* no near misses */
    h.level_db = -20;
    h.noise_db = -60;
    h.voiced = 0.8f;
    h.voiced_ms = (float)ms - 50;
    return h;
}

/* Words that begin right where other speech ended ("... and then my knee")
 * are the middle of a sentence, not a reply, unless a question asked for
 * them. */
static void test_run_on(speech_in *si) {
    heard h = decoded("my knee", 500, -2, 0);
    speech_in_set_context(si, 0, false);
    speech_in_judge(si, &h);
    CHECK(h.intent == INTENT_LOCATION && !h.rejected, "a sure \"my knee\" on its own is heard");
    h.run_on = true;
    speech_in_judge(si, &h);
    CHECK(h.intent == INTENT_NONE && h.rejected, "the same words run on from other speech are not");
    speech_in_set_context(si, 1ul << INTENT_LOCATION, false);
    speech_in_judge(si, &h);
    CHECK(h.intent == INTENT_LOCATION, "... unless a question asked where it hurts");
    speech_in_set_context(si, 0, false);
}

/* Ordinary speech forced onto a long phrase scores far below it, so a long
 * phrase is accepted on less acoustic evidence than a short one. */
static void test_long_phrase(speech_in *si) {
    speech_in_set_context(si, 0, false);
    heard h = decoded("pain down my leg", 900, -23, 0.3f);
    speech_in_judge(si, &h);
    CHECK(h.intent == INTENT_SPREADING, "an unsure \"pain down my leg\" is heard");
    h = decoded("sharp pain", 900, -23, 0.3f);
    speech_in_judge(si, &h);
    CHECK(h.intent == INTENT_NONE, "\"sharp pain\" on the same evidence is not");
}

/* The phone distance: a plain edit distance per wanted phone, with the
 * phone loop's usual near misses on a real voice cheaper when asked. */
static void test_phone_distance(void) {
    CHECK(speech_in_phone_distance("N OW", "N OW", 0.5) == 0, "the same phones: 0");
    CHECK(speech_in_phone_distance("N OW", "M EH OW", 1) == 1.0,
          "plain: one substitution and one insertion over two phones: %.2f",
          speech_in_phone_distance("N OW", "M EH OW", 1));
    CHECK(speech_in_phone_distance("N OW", "M EH OW", 0.5) == 0.5,
          "near: N heard as M, and OW split in two, cost half: %.2f",
          speech_in_phone_distance("N OW", "M EH OW", 0.5));
    CHECK(speech_in_phone_distance("Y EH S", "G EH TH", 0.5) == 0.5,
          "near: S heard as TH is half a miss, Y as G a whole one: %.2f",
          speech_in_phone_distance("Y EH S", "G EH TH", 0.5));
    CHECK(speech_in_phone_distance("N OW", "S IH T", 0.5) >= 1.0,
          "other phones stay far: %.2f", speech_in_phone_distance("N OW", "S IH T", 0.5));
    CHECK(speech_in_phone_distance("N OW", "", 0.5) == 1.0, "nothing heard: 1");
    CHECK(speech_in_phone_distance("", "N OW", 0.5) > 1.0, "nothing wanted: far");
}

/* Right after a question, its one-word answers are judged on the phone
 * distance with near misses counted as part of a phone: a real "no" whose
 * phones the loop heard as "M EH OW" answers; the same outside a question
 * does not. */
static void test_near_miss(speech_in *si) {
    heard h = decoded("no", 350, -5, 1.0f);
    h.phone_near = 0.5f;
    speech_in_set_context(si, 1ul << INTENT_YES | 1ul << INTENT_NO, false);
    speech_in_judge(si, &h);
    CHECK(h.intent == INTENT_NO && !h.rejected, "a near-miss \"no\" answers a yes/no question");
    h.phone_near = 1.0f;
    speech_in_judge(si, &h);
    CHECK(h.intent == INTENT_NONE, "with no near miss it does not");
    heard l = decoded("no i don't", 700, -5, 1.0f);
    l.phone_near = 0.5f;
    speech_in_judge(si, &l);
    CHECK(l.intent == INTENT_NONE, "longer answers are judged on the plain distance");
    h.phone_near = 0.5f;
    speech_in_set_context(si, 0, false);
    speech_in_judge(si, &h);
    CHECK(h.intent == INTENT_NONE, "nor outside a question");
}

/* Asked what they said after unclear speech, the person says their symptom
 * again: two decodings of the same symptom, the first unclear, are taken as
 * it, on the unclear score with more room on the sounds; another symptom, a
 * repeat too late, too faint, or one after an answer was understood, are
 * not. */
static void test_said_again(speech_in *si) {
    heard first = decoded("sharp pain", 800, -22, 0.5f);
    speech_in_set_context(si, 0, true);
    speech_in_judge(si, &first);
    CHECK(first.unclear && first.intent == INTENT_NONE,
          "during a hold, an unsure \"sharp pain\" is unclear");
    speech_in_note(si, &first);
    speech_in_set_context(si, 0, false); /* the count stopped, it asks */
    heard again = decoded("sharp pain", 800, -22, 0.5f);
    again.start_ms = 6000;
    again.end_ms = 6800;
    speech_in_judge(si, &again);
    CHECK(again.intent == INTENT_SHARP_PAIN && again.again && !again.rejected,
          "said again after the question, the same symptom is understood");
    heard off = again;
    off.phone_dist = off.phone_near = 0.95f;
    speech_in_judge(si, &off);
    CHECK(off.intent == INTENT_SHARP_PAIN && off.again,
          "... also when its sounds are a little off");
    off.phone_dist = off.phone_near = 1.2f;
    speech_in_judge(si, &off);
    CHECK(off.intent == INTENT_NONE && !off.again, "... but not far off");
    heard weak = again;
    weak.score = -30;
    speech_in_judge(si, &weak);
    CHECK(weak.intent == INTENT_NONE && !weak.again,
          "... not on less evidence than unclear speech");
    heard faint = again;
    faint.level_db = -58;
    speech_in_judge(si, &faint);
    CHECK(faint.intent == INTENT_NONE, "... nor from a sound barely above the room's noise");
    heard other = decoded("both legs", 800, -22, 0.5f);
    other.start_ms = 6000;
    other.end_ms = 6800;
    speech_in_judge(si, &other);
    CHECK(other.intent == INTENT_NONE && !other.again,
          "another symptom on the same evidence is not");
    heard late = again;
    late.start_ms = 40000;
    late.end_ms = 40800;
    speech_in_judge(si, &late);
    CHECK(late.intent == INTENT_NONE, "nor the same one said long after");
    speech_in_note(si, &again); /* understood: nothing pending any more */
    speech_in_judge(si, &again);
    CHECK(again.intent == INTENT_NONE, "nor once a reply was understood");
    heard ctl = decoded("keep going", 800, -22, 0.5f);
    ctl.unclear = true;
    speech_in_note(si, &ctl);
    heard go = decoded("keep going", 800, -22, 0.5f);
    go.start_ms = 6000;
    go.end_ms = 6800;
    speech_in_judge(si, &go);
    CHECK(go.intent == INTENT_NONE, "a command is never taken on a repeat");
}

int main(void) {
    fc_err err;
    char path[4096];
    lexicon *lx = lexicon_load(paths_resource(path, sizeof path, "voices/en-us/replies.cfg"), &err);
    CHECK(lx != NULL, "bundled lexicon: %s", lx ? "" : err.msg);
    voice_profile v = {.name = "test", .espeak = "en-us", .variant = "", .rate = 165,
                       .pitch = 50, .word_gap = 0, .volume = 100};
    so = speech_out_new(&v, &err);
    CHECK(so != NULL, "speech out: %s", so ? "" : err.msg);
    if (!lx || !so)
        return check_report();
    speech_in_opts o = {0};
    speech_in *si = speech_in_new(lx, &o, &err);
    CHECK(si != NULL, "listener: %s", si ? "" : err.msg);
    if (si) {
        test_classes(si);
        test_rejects(si);
        test_run_on(si);
        test_long_phrase(si);
        test_near_miss(si);
        test_said_again(si);
    }
    speech_in_free(si);
    test_phone_distance();
    test_added_phrase();
    test_spelled_phrase();
    test_unknown_word();
    test_tuning_errors(lx);
    test_hold_policy(lx);
    test_pause_inside(lx);
    test_other_talk(lx);
    test_other_voices(lx);
    speech_out_free(so);
    lexicon_free(lx);
    return check_report();
}
