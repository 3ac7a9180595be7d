/* runner: the loop around a session. Audio in (device or file) or typed
 * replies, the session, speech out, and the session log. */
#include "runner.h"

#include <errno.h>
#include <limits.h>
#include <math.h>
#include <poll.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "audio.h"
#include "clap.h"
#include "echo.h"
#include "intent.h"
#include "paths.h"
#include "prompts.h"
#include "roomcheck.h"
#include "routine.h"
#include "session.h"
#include "sessionlog.h"
#include "speech_in.h"
#include "speech_out.h"
#include "voice.h"

#define MAX_ACTIONS 64
#define MAX_QUEUE 32
#define MS_PER_BLOCK (AUDIO_BLOCK * 1000 / AUDIO_RATE)
/* After the session ends, what is still being said may play this long. */
#define DRAIN_MS 8000
/* A count word must end before the next second starts. */
#define COUNT_MAX_SAMPLES (AUDIO_RATE * 9 / 10)
/* The room's fast noise floor (floor_add): 100 ms windows over 3 s. */
#define FLOOR_BLOCKS 5
#define FLOOR_SPAN 30
/* How many of the person's last answers give the level of their voice. */
#define LEVELS_KEPT 5
/* heard.level_db (the 90th percentile of a segment's 10 ms frames) less
 * this is the active speech level of the room check: answers mixed at an
 * active level of -18.0 dBFS read -15.2 +/- 0.2 (bench/safety_session.py). */
#define LEVEL_ABOVE_ACTIVE_DB 2.8
/* The first room check of the replies waits for an answer it understood
 * (its level is the person's) for this many questions; then the meter's
 * loud frames stand in. In the TV benchmark the meter measured the TV when
 * the first "no" went unheard, and the session ended as too noisy. */
#define ROOM_UNHEARD_WINDOWS 1

static volatile sig_atomic_t got_signal;

static void on_signal(int sig) {
    got_signal = sig;
}

/* A sentence being played or waiting its turn. */
typedef struct speech_item {
    int16_t *pcm;
    size_t n, pos;
    unsigned say_id;
    say_kind kind;
} speech_item;

/* A sentence "said" in console mode: only its end time matters. */
typedef struct pending_said {
    unsigned say_id;
    long end_ms;
} pending_said;

typedef struct runner {
    const runner_opts *o;
    session *s;
    sessionlog *log;
    bool log_failed;
    bool log_say_pending; /* the person has not been told yet that the log failed */
    const prompts *pr;
    bool done;          /* ACT_END seen */
    end_reason end;
    char end_message[256];
    /* audio mode */
    audio *au;
    speech_out *so;
    speech_in *si;
    echo *ec;
    speech_item queue[MAX_QUEUE];
    int nqueue;
    long now_ms;
    /* console mode */
    pending_said said[MAX_QUEUE];
    int nsaid;
    const lexicon *lx;
    bool status_line; /* stdout is a terminal: keep a status line */
    char last_heard[128];
    /* audio mode: can it hear? (room_step, clap_step) */
    room_meter *room;
    clap_detector *clap;
    bool room_listening; /* the session's quiet listening, as of the last block */
    double levels[LEVELS_KEPT]; /* the levels of the person's last answers (learn_level) */
    int nlevels;
    bool room_snr_due;   /* the first check waits for the replies' level */
    double speech_dbfs;  /* the replies' level (NAN until known) */
    bool reply_window;   /* a question was asked and the program fell silent */
    int unheard_windows; /* reply windows that ended with no answer understood */
    bool speaking;       /* the last block played something */
    long echo_lag_ms;    /* the device's round trip: its echo comes back this late */
    long spoke_ms;       /* when something was last played */
    long sounded_ms;     /* when a block last held sound (a count's gaps do not) */
    long noisy_ms;       /* too noisy this long in a row */
    bool noisy_sent;
    bool noisy_paused; /* the session has paused since */
    double floor_win[FLOOR_SPAN]; /* mean square of the silent 100 ms windows */
    int floor_n, floor_pos, floor_acc_n;
    double floor_acc;
} runner;

void runner_opts_default(runner_opts *o) {
    memset(o, 0, sizeof *o);
    o->echo_db = NAN;
    o->echo_ms = 20;
}

/* ---- the session log ---- */

/* Why: after a failed write (a full disk) a later, shorter line may still
 * fit, which would leave a log with holes; a log that stops is truthful. So
 * the first failure closes it, and the person is told once (log_say_pending). */
static void log_line(runner *r, jbuf *b) {
    const char *line = json_end(b);
    if (!r->log || sessionlog_write(r->log, line) == 0)
        return;
    fprintf(stderr, "floorcoach: cannot save the session log (%s); carrying on without it\n",
            strerror(errno));
    sessionlog_close(r->log);
    r->log = NULL;
    r->log_failed = true;
    r->log_say_pending = true;
}

static void log_begin(jbuf *b, long t_ms, const char *ev) {
    json_begin(b);
    json_num(b, "t", (double)t_ms / 1000.0);
    json_str(b, "ev", ev);
}

static void log_session_start(runner *r, const routine *rt, const char *voice, const char *mode) {
    jbuf b;
    char date[64];
    time_t now = time(NULL);
    struct tm tm;
    localtime_r(&now, &tm);
    strftime(date, sizeof date, "%Y-%m-%dT%H:%M:%S%z", &tm);
    log_begin(&b, 0, "session_start");
    const char *slash = strrchr(rt->path, '/');
    char id[128];
    str_copy(id, slash ? slash + 1 : rt->path, sizeof id);
    char *dot = strstr(id, ".cfg");
    if (dot)
        *dot = '\0';
    json_str(&b, "routine", id);
    json_str(&b, "routine_name", rt->name);
    json_str(&b, "version", FC_VERSION);
    json_str(&b, "date", date);
    json_str(&b, "mode", mode);
    json_str(&b, "voice", voice);
    log_line(r, &b);
    json_free(&b);
}

static void log_heard(runner *r, long t_ms, const heard *h, bool typed) {
    jbuf b;
    log_begin(&b, t_ms, "heard");
    json_str(&b, "text", h->text);
    json_str(&b, "intent", h->unclear ? "none" : intent_name(h->intent));
    if (h->intent == INTENT_LOCATION)
        json_str(&b, "value", location_name((location)h->value));
    else if (h->intent == INTENT_PAIN_SCORE)
        json_int(&b, "value", h->value);
    json_num(&b, "confidence", h->confidence);
    json_num(&b, "start", (double)h->start_ms / 1000.0);
    json_num(&b, "end", (double)h->end_ms / 1000.0);
    if (h->low_confidence)
        json_bool(&b, "low_confidence", true);
    if (h->unclear)
        json_bool(&b, "unclear", true);
    if (h->again)
        json_bool(&b, "again", true);
    if (!typed)
        json_num(&b, "level", h->level_db);
    if (typed)
        json_bool(&b, "typed", true);
    log_line(r, &b);
    json_free(&b);
    if (r->o->verbose)
        fprintf(stderr, "floorcoach: heard \"%s\" (%s, %.2f)\n", h->text,
                h->unclear ? "unclear" : intent_name(h->intent), (double)h->confidence);
    str_copy(r->last_heard, h->unclear ? "(unclear)" : intent_name(h->intent),
             sizeof r->last_heard);
}

/* Logs an action; `start_ms`/`end_ms` are where a sentence really plays. */
static void log_action(runner *r, const session_action *a, long start_ms, long end_ms) {
    jbuf b;
    switch (a->type) {
    case ACT_SAY:
        log_begin(&b, start_ms, "say");
        json_str(&b, "text", a->text);
        json_str(&b, "kind", say_kind_name(a->kind));
        json_num(&b, "end", (double)end_ms / 1000.0);
        log_line(r, &b);
        json_free(&b);
        if (a->kind == SAY_COUNT) {
            log_begin(&b, start_ms, "count");
            json_int(&b, "n", a->count_n);
            json_int(&b, "of", a->count_of);
            log_line(r, &b);
            json_free(&b);
        }
        return;
    case ACT_VERDICT:
        log_begin(&b, start_ms, "verdict");
        json_str(&b, "verdict", verdict_name(a->verdict));
        json_str(&b, "reason", a->reason);
        json_str(&b, "text", a->text);
        json_str(&b, "exercise", a->id[0] ? a->id : NULL);
        break;
    case ACT_EXERCISE_START:
        log_begin(&b, start_ms, "exercise_start");
        json_str(&b, "id", a->id);
        json_str(&b, "side", a->side);
        break;
    case ACT_EXERCISE_END:
        log_begin(&b, start_ms, "exercise_end");
        json_str(&b, "id", a->id);
        json_str(&b, "outcome", a->outcome);
        break;
    case ACT_ROUTINE_SWITCH:
        log_begin(&b, start_ms, "routine_switch");
        json_str(&b, "id", a->id);
        break;
    case ACT_END:
        log_begin(&b, start_ms, "session_end");
        json_str(&b, "reason", end_reason_name(a->end));
        if (a->text[0])
            json_str(&b, "message", a->text);
        break;
    case ACT_CANCEL_SPEECH:
        log_begin(&b, start_ms, "cancel_speech");
        break;
    default:
        return;
    }
    log_line(r, &b);
    json_free(&b);
}

/* ---- audio mode: playback queue ---- */

static void queue_clear(runner *r) {
    for (int i = 0; i < r->nqueue; i++)
        free(r->queue[i].pcm);
    r->nqueue = 0;
}

static void queue_drop_counts(runner *r) {
    int w = 0;
    for (int i = 0; i < r->nqueue; i++) {
        if (r->queue[i].kind == SAY_COUNT)
            free(r->queue[i].pcm);
        else
            r->queue[w++] = r->queue[i];
    }
    r->nqueue = w;
}

/* A short soft tone, used when a count word would not fit in its second. */
static int16_t *make_tone(size_t *n) {
    size_t len = AUDIO_RATE / 8;
    int16_t *pcm = xmalloc(len * sizeof *pcm);
    for (size_t i = 0; i < len; i++) {
        double env = sin(M_PI * (double)i / (double)len);
        pcm[i] = (int16_t)(8000.0 * env * sin(2.0 * M_PI * 880.0 * (double)i / AUDIO_RATE));
    }
    *n = len;
    return pcm;
}

/* Samples still to play before a new sentence would start. */
static size_t queue_pending(const runner *r) {
    size_t n = 0;
    for (int i = 0; i < r->nqueue; i++)
        n += r->queue[i].n - r->queue[i].pos;
    return n;
}

static int say_audio(runner *r, const session_action *a, fc_err *err) {
    int16_t *pcm = NULL;
    size_t n = 0;
    if (a->kind == SAY_COUNT)
        queue_drop_counts(r); /* a new count replaces one still sounding */
    int rc = a->kind == SAY_COUNT
                 ? speech_out_synth_fit(r->so, a->text, COUNT_MAX_SAMPLES, &pcm, &n, err)
                 : speech_out_synth(r->so, a->text, &pcm, &n, err);
    if (rc != 0)
        return -1;
    if (a->kind == SAY_COUNT && n > COUNT_MAX_SAMPLES) {
        free(pcm);
        pcm = make_tone(&n);
    }
    if (r->nqueue == MAX_QUEUE) {
        free(pcm);
        return err_set(err, "too many sentences queued");
    }
    long start = r->now_ms + (long)(queue_pending(r) * 1000 / AUDIO_RATE);
    r->queue[r->nqueue++] = (speech_item){pcm, n, 0, a->say_id, a->kind};
    log_action(r, a, start, start + (long)(n * 1000 / AUDIO_RATE));
    return 0;
}

/* Fills one block from the queue; the ids of sentences that ended in it go
 * to ended[] with their end time. */
static int queue_fill(runner *r, int16_t *play, size_t n, unsigned *ended, long *ended_ms,
                      int max) {
    size_t w = 0;
    int nended = 0;
    while (w < n && r->nqueue > 0) {
        speech_item *it = &r->queue[0];
        size_t take = it->n - it->pos;
        if (take > n - w)
            take = n - w;
        memcpy(play + w, it->pcm + it->pos, take * sizeof *play);
        it->pos += take;
        w += take;
        if (it->pos == it->n) {
            if (nended < max) {
                ended[nended] = it->say_id;
                ended_ms[nended] = r->now_ms + (long)((w * 1000 + AUDIO_RATE - 1) / AUDIO_RATE);
                nended++;
            }
            free(it->pcm);
            memmove(&r->queue[0], &r->queue[1], (size_t)(r->nqueue - 1) * sizeof r->queue[0]);
            r->nqueue--;
        }
    }
    memset(play + w, 0, (n - w) * sizeof *play);
    return nended;
}

/* ---- console mode ---- */

/* How long a sentence would take to say, for console mode's clock. */
static long text_duration_ms(const session_action *a) {
    if (a->kind == SAY_COUNT)
        return 500;
    long ms = 300 + 65 * (long)strlen(a->text);
    return (ms + MS_PER_BLOCK - 1) / MS_PER_BLOCK * MS_PER_BLOCK;
}

static void say_text(runner *r, const session_action *a) {
    long dur = text_duration_ms(a);
    long start = r->now_ms;
    for (int i = 0; i < r->nsaid; i++)
        if (r->said[i].end_ms > start)
            start = r->said[i].end_ms;
    if (a->kind == SAY_COUNT) {
        start = r->now_ms;
        dur = 500;
    }
    printf("%s: %s\n", say_kind_name(a->kind), a->text);
    fflush(stdout);
    if (r->nsaid < MAX_QUEUE)
        r->said[r->nsaid++] = (pending_said){a->say_id, start + dur};
    log_action(r, a, start, start + dur);
}

/* ---- actions ---- */

static void status_update(runner *r);

static int handle_actions(runner *r, const session_action *acts, int n, fc_err *err) {
    for (int i = 0; i < n; i++) {
        const session_action *a = &acts[i];
        if (r->done && a->type != ACT_SAY)
            continue;
        switch (a->type) {
        case ACT_SAY:
            if (r->o->text) {
                say_text(r, a);
            } else {
                if (say_audio(r, a, err) != 0)
                    return -1;
                if (!r->status_line)
                    printf("%s: %s\n", say_kind_name(a->kind), a->text), fflush(stdout);
            }
            break;
        case ACT_CANCEL_SPEECH:
            if (r->o->text)
                r->nsaid = 0;
            else
                queue_clear(r);
            log_action(r, a, r->now_ms, r->now_ms);
            break;
        case ACT_END:
            r->done = true;
            r->end = a->end;
            str_copy(r->end_message, a->text, sizeof r->end_message);
            log_action(r, a, r->now_ms, r->now_ms);
            break;
        default:
            log_action(r, a, r->now_ms, r->now_ms);
            break;
        }
    }
    if (r->log_say_pending && !r->done && r->pr) {
        /* Said by the runner, not the session: an id the session never uses. */
        session_action a;
        memset(&a, 0, sizeof a);
        a.type = ACT_SAY;
        a.kind = SAY_INFO;
        a.say_id = UINT_MAX;
        a.t_ms = r->now_ms;
        str_copy(a.text, prompts_get(r->pr, "log_unavailable"), sizeof a.text);
        r->log_say_pending = false;
        if (handle_actions(r, &a, 1, err) != 0)
            return -1;
    }
    status_update(r);
    return 0;
}

/* Makes sure a session that has to stop (input lost, an error) is logged as
 * ended with reason error, when the session itself did not end it. */
static void force_end(runner *r, const char *message, fc_err *err) {
    if (r->done)
        return;
    session_action a;
    memset(&a, 0, sizeof a);
    a.type = ACT_END;
    a.end = END_ERROR;
    str_copy(a.text, message, sizeof a.text);
    handle_actions(r, &a, 1, err);
}

static int send_event(runner *r, const session_event *ev, fc_err *err) {
    session_action acts[MAX_ACTIONS];
    if (r->done && ev->type != SEV_SAID && ev->type != SEV_TICK)
        return 0;
    int n = session_handle(r->s, ev, acts, MAX_ACTIONS);
    return handle_actions(r, acts, n, err);
}

static int send_simple(runner *r, session_ev_type type, long t_ms, fc_err *err) {
    session_event ev;
    memset(&ev, 0, sizeof ev);
    ev.type = type;
    ev.t_ms = t_ms;
    return send_event(r, &ev, err);
}

static int send_heard(runner *r, const heard *h, bool from_audio, long t_ms, fc_err *err) {
    session_event ev;
    memset(&ev, 0, sizeof ev);
    ev.t_ms = t_ms;
    ev.text = h->text;
    if (h->unclear || h->intent == INTENT_NONE) {
        ev.type = SEV_UNCLEAR;
    } else {
        ev.type = SEV_REPLY;
        ev.intent = h->intent;
        ev.value = h->value;
        ev.confidence = h->confidence;
        ev.low_confidence = h->low_confidence;
        ev.near = h->near;
        ev.has_speech_start = from_audio;
        ev.speech_start_ms = h->start_ms;
    }
    return send_event(r, &ev, err);
}

/* The level of the person's voice, from the answers they gave to the
 * questions (heard with confidence, and one of the expected answers): during
 * holds, speech about that loud stops the count even when its words are not
 * understood (speech_in_set_person_level). */
static void learn_level(runner *r, const heard *h, unsigned long expected) {
    if (h->unclear || h->intent == INTENT_NONE || h->low_confidence ||
        !((expected >> h->intent) & 1u))
        return;
    /* The upper median of the last few: one quiet TV line taken for an
     * answer does not drag it down, one shout does not lift it. */
    r->levels[r->nlevels++ % LEVELS_KEPT] = h->level_db;
    int n = r->nlevels < LEVELS_KEPT ? r->nlevels : LEVELS_KEPT;
    double v[LEVELS_KEPT];
    memcpy(v, r->levels, (size_t)n * sizeof *v);
    sort_doubles(v, (size_t)n);
    speech_in_set_person_level(r->si, v[n / 2]);
}

static void status_update(runner *r) {
    if (!r->status_line || r->done)
        return;
    char line[256];
    session_describe(r->s, r->now_ms, line, sizeof line);
    printf("\r\033[K%s%s%s", line, r->last_heard[0] ? " | heard: " : "", r->last_heard);
    fflush(stdout);
}

/* ---- audio mode: can it hear? (issue 11) ---- */

/* A noise floor at which no reply could be heard: a loud reply close to the
 * microphone has an active level near -15 dBFS (its peaks ~12 dB higher,
 * at the edge of clipping), so above -20 dBFS every reply would be below
 * ROOM_SNR_TOO_NOISY. Decided from the quiet listening alone, before the
 * screening. */
#define ROOM_NOISE_DEAF_DBFS (-20.0)
/* The room is judged too noisy mid-session after this long in a row, ... */
#define NOISY_FOR_MS 3000
/* The echo's tail after the device's delay: its reverberation, and the echo
 * canceller's residue (roomcheck.c leaves out 200 ms after speech too). */
#define ECHO_TAIL_MS 200
/* ... this far below the limit the session starts at: the noise "now" is a
 * quicker, rougher figure than the room check's, and a room right at the
 * limit (a TV 10 dB under the person's voice) should not pause a session
 * every few minutes as its loud moments come and go. The benchmark's 95%
 * crossing lies between 8 and 9.2 dB; recall at 7 dB is about 90%. */
#define NOISY_HYSTERESIS_DB 2.0

static void log_room(runner *r, long t_ms, const char *check, double noise, double speech,
                     double busy, double sharp, const char *quality) {
    jbuf b;
    log_begin(&b, t_ms, "room_check");
    json_str(&b, "check", check);
    /* one decimal: the estimates are good to a dB or two at best */
    if (!isnan(noise))
        json_num(&b, "noise_dbfs", round(noise * 10.0) / 10.0);
    if (!isnan(speech))
        json_num(&b, "speech_dbfs", round(speech * 10.0) / 10.0);
    if (!isnan(noise) && !isnan(speech))
        json_num(&b, "snr", round((speech - noise) * 10.0) / 10.0);
    if (!isnan(busy))
        json_num(&b, "busy", round(busy * 100.0) / 100.0);
    if (!isnan(sharp))
        json_num(&b, "sharp_per_s", round(sharp * 10.0) / 10.0);
    json_str(&b, "quality", quality);
    log_line(r, &b);
    json_free(&b);
    if (r->o->verbose)
        fprintf(stderr,
                "floorcoach: room check (%s): noise %.1f dBFS, speech %.1f dBFS, busy %.2f, "
                "sharp sounds %.1f/s: %s\n",
                check, noise, speech, busy, sharp, quality);
}

/* Judges the room from the meter, logs it and tells the session. */
static int room_tell(runner *r, const char *check, double noise, double speech, long t_ms,
                     fc_err *err) {
    room_quality q;
    const char *name;
    double busy, sharp;
    bool clatter = room_clatter(r->room, &busy, &sharp);
    if (!isnan(noise) && noise >= ROOM_NOISE_DEAF_DBFS) {
        q = ROOM_TOO_NOISY;
        name = room_quality_name(q);
    } else if (clatter) {
        /* Clatter the listener takes for speech: no reply level changes
         * that. Known before any reply, so judged before the screening. */
        q = ROOM_TOO_NOISY;
        name = room_quality_name(q);
        if (isnan(speech))
            r->room_snr_due = true;
    } else if (isnan(speech) || isnan(noise)) {
        /* No reply heard yet: nothing to change until one is (the SNR
         * follows the first replies). A noise not measured (the check
         * heard too little) with the replies' level known re-arms nothing:
         * the replies' check would judge stale figures at once, and a
         * too-noisy verdict then asked for the room again, in a loop. */
        q = ROOM_OK;
        name = "unknown";
        if (isnan(speech))
            r->room_snr_due = true;
    } else {
        q = room_judge(speech - noise);
        name = room_quality_name(q);
        r->room_snr_due = false;
    }
    log_room(r, t_ms, check, noise, speech, busy, sharp, name);
    session_event ev;
    memset(&ev, 0, sizeof ev);
    ev.type = SEV_ROOM;
    ev.t_ms = t_ms;
    ev.value = (int)q;
    if (send_event(r, &ev, err) != 0)
        return -1;
    if (r->done && r->end == END_ERROR && strcmp(r->end_message, "too noisy") == 0)
        fprintf(stderr, "%sfloorcoach: the room is too noisy to hear you. Try a quieter room, or "
                        "the console: floorcoach run --text\n",
                r->status_line ? "\n" : "");
    return 0;
}

static bool block_has_sound(const int16_t *pcm, size_t n) {
    for (size_t i = 0; i < n; i++)
        if (pcm[i] != 0)
            return true;
    return false;
}

/* A fast noise floor for the continuous check: the quietest 100 ms of the
 * last 3 s in which the program was silent (minimum statistics: replies have
 * pauses between words, steady noise has none). Why: the room meter's own
 * tracker rises 1.5 dB per second of the frames it counts, and during a
 * counted hold it counts few, so a loud noise took minutes to be noticed. */
static void floor_add(runner *r, const int16_t *pcm) {
    double sum = 0.0;
    for (size_t i = 0; i < AUDIO_BLOCK; i++)
        sum += (double)pcm[i] * pcm[i];
    r->floor_acc += sum / AUDIO_BLOCK;
    if (++r->floor_acc_n < FLOOR_BLOCKS)
        return;
    r->floor_win[r->floor_pos] = r->floor_acc / FLOOR_BLOCKS;
    r->floor_pos = (r->floor_pos + 1) % FLOOR_SPAN;
    if (r->floor_n < FLOOR_SPAN)
        r->floor_n++;
    r->floor_acc = 0.0;
    r->floor_acc_n = 0;
}

/* dBFS (0: a full-scale square wave, as in roomcheck); NAN until 3 s. */
static double floor_dbfs(const runner *r) {
    if (r->floor_n < FLOOR_SPAN)
        return NAN;
    double lo = r->floor_win[0];
    for (int i = 1; i < FLOOR_SPAN; i++)
        if (r->floor_win[i] < lo)
            lo = r->floor_win[i];
    return 10.0 * log10(lo / (32768.0 * 32768.0) + 1e-13);
}

/* Feeds the room meter with the echo-cancelled block `clean` and acts on
 * it: the session's room checks, the first replies' SNR, and a room that
 * becomes too noisy between replies. */
static int room_step(runner *r, const int16_t *clean, bool speaking, long t_ms, fc_err *err) {
    bool listening = session_measuring_room(r->s);
    if (listening && !r->room_listening)
        room_reset(r->room);
    room_expect_quiet(r->room, listening);
    room_process(r->room, clean, AUDIO_BLOCK, speaking);
    if (!speaking)
        floor_add(r, clean);
    bool started_speaking = speaking && !r->speaking;
    bool was_listening = r->room_listening;
    r->room_listening = listening;
    r->speaking = speaking;
    if (r->done)
        return 0;
    if (session_room_wanted(r->s) && was_listening) {
        /* The replies' level from before: loud moments of the noise heard
         * while listening are not replies. */
        r->noisy_ms = 0;
        const char *check = session_room_quality(r->s) == ROOM_TOO_NOISY ? "again"
                            : isnan(r->speech_dbfs)                      ? "start"
                                                                         : "between";
        return room_tell(r, check, room_noise_dbfs(r->room), r->speech_dbfs, t_ms, err);
    }
    /* Quiet listening, or the session is dealing with a noisy room. */
    if (listening || session_room_wanted(r->s) || session_room_quality(r->s) == ROOM_TOO_NOISY)
        return 0;
    if (r->room_snr_due) {
        /* The first replies have been heard once the program speaks again
         * after a question. */
        if (session_awaiting_reply(r->s) && !speaking)
            r->reply_window = true;
        /* The level of the answers the listener understood, when there is
         * one: the meter's loud frames may be a TV's. */
        double person = speech_in_person_level(r->si);
        double speech = !isnan(person) ? person - LEVEL_ABOVE_ACTIVE_DB : room_speech_dbfs(r->room);
        if (!isnan(speech) && started_speaking && r->reply_window) {
            if (isnan(person) && r->unheard_windows < ROOM_UNHEARD_WINDOWS) {
                /* No answer understood yet: the meter's loud frames may be
                 * a TV's, so the question asked again gets a chance first. */
                r->unheard_windows++;
                r->reply_window = false;
            } else {
                /* Against the noise now, if it has risen since the check. */
                double noise = room_noise_dbfs(r->room), now = room_noise_now_dbfs(r->room);
                r->speech_dbfs = speech;
                return room_tell(r, "replies", isnan(now) || now < noise ? noise : now, speech,
                                 t_ms, err);
            }
        }
    }
    /* After a pause for noise, the session carrying on again re-arms it. */
    if (r->noisy_sent && session_awaiting_reply(r->s))
        r->noisy_paused = true;
    else if (r->noisy_sent && r->noisy_paused) {
        r->noisy_sent = r->noisy_paused = false;
        r->noisy_ms = 0;
    }
    double noise_now = room_noise_now_dbfs(r->room), fast = floor_dbfs(r);
    if (!isnan(fast) && (isnan(noise_now) || fast > noise_now))
        noise_now = fast;
    bool deafening = !isnan(noise_now) && noise_now >= ROOM_NOISE_DEAF_DBFS;
    /* Clatter that started during the session (typing in the room). */
    double busy, sharp;
    bool clatter = room_clatter_now(r->room, &busy, &sharp);
    if (!deafening && !clatter &&
        room_judge(r->speech_dbfs - noise_now + NOISY_HYSTERESIS_DB) != ROOM_TOO_NOISY) {
        r->noisy_ms = 0;
        r->noisy_sent = false;
        return 0;
    }
    r->noisy_ms += MS_PER_BLOCK;
    if (r->noisy_ms < NOISY_FOR_MS || r->noisy_sent)
        return 0;
    r->noisy_sent = true;
    log_room(r, t_ms, "continuous", noise_now, r->speech_dbfs, busy, sharp,
             room_quality_name(ROOM_TOO_NOISY));
    return send_simple(r, SEV_NOISY, t_ms, err);
}

/* The non-speech stop signal: two claps or knocks stop the count and ask. */
static int clap_step(runner *r, const int16_t *clean, const int16_t *play, long t_ms,
                     fc_err *err) {
    if (!clap_process(r->clap, clean, play, AUDIO_BLOCK, t_ms - MS_PER_BLOCK))
        return 0;
    jbuf b;
    log_begin(&b, t_ms, "clap");
    json_num(&b, "at", (double)clap_last_ms(r->clap) / 1000.0);
    log_line(r, &b);
    json_free(&b);
    if (r->o->verbose)
        fprintf(stderr, "floorcoach: heard two claps\n");
    return send_simple(r, SEV_CLAP, t_ms, err);
}

/* ---- the audio loop ---- */

static int run_audio(runner *r, fc_err *err) {
    int16_t play[AUDIO_BLOCK], rec[AUDIO_BLOCK], clean[AUDIO_BLOCK];
    heard hs[8];
    unsigned ended[8];
    long ended_ms[8];
    bool input_ended = false, sent_interrupt = false, sent_no_input = false;
    long done_at = -1;
    int status = 0;

    if (send_simple(r, SEV_START, 0, err) != 0)
        return -1;
    for (;;) {
        r->now_ms = (long)(audio_samples(r->au) * 1000 / AUDIO_RATE);
        if (got_signal && !sent_interrupt) {
            sent_interrupt = true;
            if (send_simple(r, SEV_INTERRUPT, r->now_ms, err) != 0)
                return -1;
        }
        if (send_simple(r, SEV_TICK, r->now_ms, err) != 0)
            return -1;
        if (r->done) {
            if (done_at < 0)
                done_at = r->now_ms;
            if (r->nqueue == 0 || r->now_ms - done_at > DRAIN_MS)
                break;
        }
        if (r->si)
            speech_in_set_context(r->si, session_expected(r->s), session_in_hold(r->s));
        int nended = queue_fill(r, play, AUDIO_BLOCK, ended, ended_ms, 8);
        int rc = audio_exchange(r->au, play, rec, AUDIO_BLOCK, err);
        if (rc < 0) {
            fprintf(stderr, "\nfloorcoach: %s\n", err->msg);
            fprintf(stderr, "floorcoach: I can no longer hear you, so I am stopping for safety.\n");
            queue_clear(r);
            r->now_ms = (long)(audio_samples(r->au) * 1000 / AUDIO_RATE);
            send_simple(r, SEV_DEAF, r->now_ms, err);
            force_end(r, "", err);
            return 2;
        }
        if (rc == 0)
            input_ended = true;
        long block_end = r->now_ms + MS_PER_BLOCK;
        /* What the session says in reply starts with the next block. */
        r->now_ms = block_end;
        for (int i = 0; i < nended; i++) {
            session_event ev;
            memset(&ev, 0, sizeof ev);
            ev.type = SEV_SAID;
            ev.t_ms = ended_ms[i];
            ev.say_id = ended[i];
            if (send_event(r, &ev, err) != 0)
                return -1;
        }
        if (r->si) {
            if (r->ec)
                echo_process(r->ec, rec, play, clean);
            else
                memcpy(clean, rec, sizeof clean);
            int nh = speech_in_process(r->si, clean, AUDIO_BLOCK, block_end - MS_PER_BLOCK, hs, 8,
                                       err);
            if (nh < 0)
                return -1;
            for (int i = 0; i < nh; i++) {
                unsigned long expected = session_expected(r->s);
                log_heard(r, block_end, &hs[i], false);
                if (send_heard(r, &hs[i], true, block_end, err) != 0)
                    return -1;
                learn_level(r, &hs[i], expected);
            }
            /* Speaking: a sentence is under way (its pauses too), ended here,
             * or its echo is still on its way back from the device. */
            bool sound = block_has_sound(play, AUDIO_BLOCK);
            if (r->nqueue > 0 || sound)
                r->spoke_ms = block_end;
            if (sound)
                r->sounded_ms = block_end;
            bool speaking = r->spoke_ms > 0 && block_end <= r->spoke_ms + r->echo_lag_ms;
            /* Clatter is listened for in the gaps of what is said too: the
             * count's seconds are mostly gaps. */
            room_listen_between(r->room, clean, AUDIO_BLOCK,
                                r->sounded_ms == 0 ||
                                    block_end > r->sounded_ms + r->echo_lag_ms + ECHO_TAIL_MS);
            if (r->room && room_step(r, clean, speaking, block_end, err) != 0)
                return -1;
            if (r->clap && clap_step(r, clean, play, block_end, err) != 0)
                return -1;
        }
        if (input_ended && !sent_no_input && !r->done && r->nqueue == 0 &&
            (session_awaiting_reply(r->s) || session_next_deadline(r->s) < 0)) {
            sent_no_input = true;
            fprintf(stderr, "%sfloorcoach: no more input\n", r->status_line ? "\n" : "");
            if (send_simple(r, SEV_NO_INPUT, block_end, err) != 0)
                return -1;
            force_end(r, "no more input", err);
        }
    }
    return status;
}

/* ---- the console loop ---- */

typedef struct typed_line {
    bool have;
    bool timed;
    long at_ms;
    char text[512];
} typed_line;

/* Typed input is read with read(2) into our own buffer, so we can tell
 * whether a whole line is waiting without blocking (stdio's buffer hides it). */
static char in_buf[4096];
static size_t in_len;
static bool in_eof;

/* Reads more input; blocks only when `block`. False when nothing came. */
static bool input_fill(bool block) {
    if (in_eof || in_len == sizeof in_buf)
        return false;
    if (!block) {
        struct pollfd pfd = {.fd = 0, .events = POLLIN};
        if (poll(&pfd, 1, 0) <= 0)
            return false;
    }
    for (;;) {
        ssize_t got = read(0, in_buf + in_len, sizeof in_buf - in_len);
        if (got > 0) {
            in_len += (size_t)got;
            return true;
        }
        if (got < 0 && errno == EINTR && !got_signal)
            continue;
        in_eof = true; /* end of input, or an error: both are silence from now on */
        return false;
    }
}

/* Takes the next typed line into tl. With `block`, waits for one; returns
 * false when none is available (or at end of input: see in_eof). "@SECONDS
 * text" lines arrive at that time on the session clock (for scripts). */
static bool read_line(typed_line *tl, bool block) {
    char *nl;
    while (!(nl = memchr(in_buf, '\n', in_len))) {
        if (in_len == sizeof in_buf) { /* an overlong line: take it as it is */
            nl = in_buf + in_len - 1;
            break;
        }
        if (!input_fill(block)) {
            if (!in_eof || in_len == 0)
                return false;
            nl = in_buf + in_len; /* a last line without a newline */
            break;
        }
    }
    size_t len = (size_t)(nl - in_buf);
    char buf[512];
    str_copy(buf, "", sizeof buf);
    memcpy(buf, in_buf, len < sizeof buf - 1 ? len : sizeof buf - 1);
    buf[len < sizeof buf - 1 ? len : sizeof buf - 1] = '\0';
    size_t used = len < in_len ? len + 1 : in_len;
    memmove(in_buf, in_buf + used, in_len - used);
    in_len -= used;
    buf[strcspn(buf, "\r")] = '\0';
    tl->have = true;
    tl->timed = false;
    tl->at_ms = 0;
    const char *text = buf;
    if (buf[0] == '@') {
        char *end;
        double sec = strtod(buf + 1, &end);
        if (end != buf + 1 && sec >= 0 && sec < 1e7) {
            tl->timed = true;
            tl->at_ms = (long)(sec * 1000.0 + 0.5);
            text = end;
        }
    }
    str_copy(tl->text, text, sizeof tl->text);
    return true;
}

static int deliver_typed(runner *r, const typed_line *tl, fc_err *err) {
    heard h;
    memset(&h, 0, sizeof h);
    str_copy(h.text, tl->text, sizeof h.text);
    str_normalize(h.text);
    if (!h.text[0]) /* an empty line is silence */
        return 0;
    /* Match the raw line: its punctuation separates "no, pain down my leg". */
    intent_match m = intent_match_text(r->lx, tl->text);
    h.intent = m.intent;
    h.value = m.value;
    h.confidence = 1.0f;
    h.start_ms = h.end_ms = r->now_ms;
    h.unclear = m.intent == INTENT_NONE;
    log_heard(r, r->now_ms, &h, true);
    return send_heard(r, &h, false, r->now_ms, err);
}

static long earliest_said(const runner *r) {
    long t = -1;
    for (int i = 0; i < r->nsaid; i++)
        if (t < 0 || r->said[i].end_ms < t)
            t = r->said[i].end_ms;
    return t;
}

/* Delivers every SEV_SAID due by `t`, in time order. */
static int deliver_said(runner *r, long t, fc_err *err) {
    for (;;) {
        int best = -1;
        for (int i = 0; i < r->nsaid; i++)
            if (r->said[i].end_ms <= t && (best < 0 || r->said[i].end_ms < r->said[best].end_ms))
                best = i;
        if (best < 0)
            return 0;
        session_event ev;
        memset(&ev, 0, sizeof ev);
        ev.type = SEV_SAID;
        ev.t_ms = r->said[best].end_ms;
        ev.say_id = r->said[best].say_id;
        r->said[best] = r->said[--r->nsaid];
        if (send_event(r, &ev, err) != 0)
            return -1;
    }
}

static long monotonic_ms(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static int end_no_input(runner *r, fc_err *err) {
    if (send_simple(r, SEV_NO_INPUT, r->now_ms, err) != 0)
        return -1;
    force_end(r, "no more input", err);
    return 0;
}

static int run_text(runner *r, fc_err *err) {
    typed_line tl = {0};
    bool eof = false, sent_interrupt = false;
    long t0 = monotonic_ms();

    r->now_ms = 0;
    if (send_simple(r, SEV_START, 0, err) != 0)
        return -1;
    while (!r->done) {
        if (got_signal && !sent_interrupt) {
            sent_interrupt = true;
            if (send_simple(r, SEV_INTERRUPT, r->now_ms, err) != 0)
                return -1;
            continue;
        }
        long said_t = earliest_said(r);
        long deadline = session_next_deadline(r->s);
        bool idle = said_t < 0 && deadline < 0;
        bool awaiting = session_awaiting_reply(r->s) && said_t < 0;
        if (r->o->fast) {
            /* Read one line ahead when one is waiting (a timed line must be
             * known before its moment passes); block only when nothing else
             * can happen until a reply comes. */
            if (!tl.have && !eof) {
                read_line(&tl, awaiting || idle);
                eof = in_eof && !tl.have;
            }
            if (tl.have && (tl.timed ? tl.at_ms <= r->now_ms : (awaiting || idle))) {
                tl.have = false;
                if (deliver_typed(r, &tl, err) != 0)
                    return -1;
                continue;
            }
            long next = -1;
            if (said_t >= 0)
                next = said_t;
            if (deadline >= 0 && (next < 0 || deadline < next))
                next = deadline;
            if (tl.have && tl.timed && (next < 0 || tl.at_ms < next))
                next = tl.at_ms;
            if (next < 0) {
                if (eof && !tl.have) {
                    if (end_no_input(r, err) != 0)
                        return -1;
                    break;
                }
                if (tl.have && !tl.timed) { /* nothing else can happen: hand it over */
                    tl.have = false;
                    if (deliver_typed(r, &tl, err) != 0)
                        return -1;
                }
                continue;
            }
            if (next > r->now_ms)
                r->now_ms = next;
        } else {
            /* Real time: poll stdin for up to one block. */
            struct pollfd pfd = {.fd = 0, .events = POLLIN};
            int pr = eof ? 0 : poll(&pfd, 1, MS_PER_BLOCK);
            if (eof)
                usleep(MS_PER_BLOCK * 1000);
            if (pr > 0 || in_len > 0) {
                read_line(&tl, false);
                eof = in_eof && !tl.have && in_len == 0;
            }
            r->now_ms = monotonic_ms() - t0;
            if (tl.have) {
                tl.have = false;
                if (deliver_typed(r, &tl, err) != 0)
                    return -1;
            }
            if (eof && idle) {
                if (end_no_input(r, err) != 0)
                    return -1;
                break;
            }
        }
        if (deliver_said(r, r->now_ms, err) != 0)
            return -1;
        if (send_simple(r, SEV_TICK, r->now_ms, err) != 0)
            return -1;
    }
    return 0;
}

/* ---- set-up ---- */

static int exit_status(end_reason e) {
    switch (e) {
    case END_COMPLETED:
    case END_USER_STOP:
        return 0;
    case END_SAFETY:
    case END_RED_FLAG:
        return 3;
    default:
        return 2;
    }
}

static int open_log(runner *r, const runner_opts *o) {
    char path[PATH_MAX];
    fc_err err;
    if (o->log) {
        str_copy(path, o->log, sizeof path);
    } else if (sessionlog_default_path(path, sizeof path, &err) != 0) {
        fprintf(stderr, "floorcoach: cannot save the session log: %s; carrying on without it\n",
                err.msg);
        r->log_failed = true;
        r->log_say_pending = true;
        return 0;
    }
    r->log = sessionlog_open(path, &err);
    if (!r->log) {
        fprintf(stderr, "floorcoach: cannot save the session log: %s; carrying on without it\n",
                err.msg);
        r->log_failed = true;
        r->log_say_pending = true;
    } else if (o->verbose) {
        fprintf(stderr, "floorcoach: session log: %s\n", path);
    }
    return 0;
}

int runner_run(const runner_opts *o) {
    runner r;
    fc_err err = {{0}};
    char path[PATH_MAX];
    int status = 1;
    routine *rt = NULL, *flare = NULL;
    prompts *pr = NULL;
    lexicon *lx = NULL;
    voice_profile voice;
    memset(&r, 0, sizeof r);
    r.o = o;

    if (routine_resolve(o->routine ? o->routine : ROUTINE_DEFAULT, path, sizeof path, &err) != 0 ||
        !(rt = routine_load(path, &err))) {
        fprintf(stderr, "floorcoach: %s\n", err.msg);
        goto out;
    }
    if (routine_resolve("flare-up", path, sizeof path, &err) == 0)
        flare = routine_load(path, &err);
    if (!(pr = prompts_load(paths_resource(path, sizeof path, "voices/en-us/prompts.cfg"), &err)) ||
        !(lx = lexicon_load(paths_resource(path, sizeof path, "voices/en-us/replies.cfg"), &err))) {
        fprintf(stderr, "floorcoach: %s\n", err.msg);
        goto out;
    }
    r.lx = lx;
    r.pr = pr;
    const char *vname = o->voice ? o->voice : rt->voice ? rt->voice : VOICE_DEFAULT;
    if (voice_load(vname, &voice, &err) != 0) {
        fprintf(stderr, "floorcoach: %s\n", err.msg);
        goto out;
    }

    status = 2;
    const char *mode = o->text ? "text" : o->mic ? "file" : "device";
    if (!o->text) {
        if (o->mic) {
            r.au = audio_file_open(o->mic, o->speaker, o->echo_db, o->echo_ms, &err);
        } else {
            audio_pa_set_verbose(o->verbose, NULL);
            r.au = audio_pa_open(o->input_dev, o->output_dev, &err);
        }
        if (!r.au) {
            fprintf(stderr, "floorcoach: %s\n", err.msg);
            if (o->mic)
                status = 1;
            goto out;
        }
        if (!(r.so = speech_out_new(&voice, &err))) {
            fprintf(stderr, "floorcoach: speech is unavailable: %s\n", err.msg);
            goto out;
        }
        speech_in_opts sio = {0};
        char prof[PATH_MAX];
        if (!o->no_profile) {
            if (o->profile) {
                sio.profile_dir = o->profile;
            } else if (paths_data_dir(prof, sizeof prof, NULL, &err) == 0) {
                size_t l = strlen(prof);
                snprintf(prof + l, sizeof prof - l, "/profile");
                if (access(prof, R_OK) == 0)
                    sio.profile_dir = prof;
            }
        }
        if (!(r.si = speech_in_new(lx, &sio, &err))) {
            fprintf(stderr, "floorcoach: listening is unavailable: %s\n", err.msg);
            goto out;
        }
        double enrolled = speech_in_person_level(r.si); /* from their enrollment, if any */
        if (!isnan(enrolled))
            r.levels[r.nlevels++] = enrolled;
        r.ec = echo_new(AUDIO_BLOCK, 100, 0);
        r.room = room_new();
        r.speech_dbfs = NAN;
        r.clap = clap_new();
        /* On a device the echo comes back after the output queue and the
         * device latencies; delay the reference so it stays in the filter. */
        if (!o->mic && audio_pa_latency_ms() > 40)
            echo_set_delay(r.ec, audio_pa_latency_ms() - 20);
        r.echo_lag_ms = !o->mic ? audio_pa_latency_ms() : isnan(o->echo_db) ? 0 : o->echo_ms;
        r.status_line = isatty(1) && !o->mic;
    }

    session_opts sopts;
    session_opts_default(&sopts);
    if (o->no_screening)
        sopts.screening = false;
    if (o->no_baseline)
        sopts.baseline = false;
    sopts.room_check = !o->text; /* hands-free: can it hear in this room? */
    r.s = session_new(rt, flare, pr, &sopts);
    open_log(&r, o);
    log_session_start(&r, rt, voice.name, mode);

    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_signal;
    sigemptyset(&sa.sa_mask);
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGTERM, &sa, NULL);
    signal(SIGPIPE, SIG_IGN);

    int rc = o->text ? run_text(&r, &err) : run_audio(&r, &err);
    if (r.status_line)
        printf("\n");
    if (rc < 0) {
        fprintf(stderr, "floorcoach: %s\n", err.msg);
        char msg[sizeof err.msg];
        str_copy(msg, err.msg, sizeof msg);
        force_end(&r, msg, &err);
        status = 2;
    } else if (rc > 0) {
        status = rc;
    } else {
        status = exit_status(r.done ? r.end : END_ERROR);
        if (r.end == END_ERROR && r.end_message[0])
            fprintf(stderr, "floorcoach: session ended: %s\n", r.end_message);
    }
out:
    queue_clear(&r);
    session_free(r.s);
    sessionlog_close(r.log);
    echo_free(r.ec);
    room_free(r.room);
    clap_free(r.clap);
    speech_in_free(r.si);
    speech_out_free(r.so);
    audio_free(r.au, got_signal ? 100 : 2000);
    lexicon_free(lx);
    prompts_free(pr);
    routine_free(flare);
    routine_free(rt);
    return status;
}
