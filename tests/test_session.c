/* test_session: whole scripted sessions through the state machine, driven
 * by a small simulated runner (20 ms ticks, sentences that take a fixed
 * time to say, replies typed at questions or at chosen moments). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "check.h"
#include "prompts.h"
#include "routine.h"
#include "session.h"

/* ---- a routine built by hand ---- */

static char *glide_steps[] = {"Lie on your back and hold behind your knee.",
                              "Straighten your knee slowly."};
static char *press_steps[] = {"Press your chest up with your arms."};
static char *bent_steps[] = {"Bend your knee and slide your heel.", "Slide it back."};
static char *rest_steps[] = {"Lie on your side with a pillow between your knees."};

static exercise demo_exercises[] = {
    {.id = "glide",
     .name = "Supine glide",
     .setup = "Lie on your back.",
     .steps = glide_steps,
     .nsteps = 2,
     .reps = 2,
     .hold = 3,
     .sides = SIDES_BOTH,
     .rest = 5,
     .easier = 2,
     .caution = "Stop if pain spreads down your leg.",
     .check_in = true,
     .line = 10},
    {.id = "press",
     .name = "Press-up",
     .setup = "Lie on your front.",
     .steps = press_steps,
     .nsteps = 1,
     .reps = 3,
     .hold = 2,
     .sides = SIDES_NONE,
     .rest = 0,
     .easier = -1,
     .check_in = true,
     .line = 20},
    {.id = "bent",
     .name = "Bent-knee glide",
     .setup = "Lie on your back, knees bent.",
     .steps = bent_steps,
     .nsteps = 2,
     .reps = 2,
     .hold = 0,
     .sides = SIDES_NONE,
     .rest = 0,
     .easier = -1,
     .check_in = true,
     .line = 30},
};
static routine demo = {.path = "routines/demo.cfg",
                       .name = "the demo routine",
                       .intro = "A short demo.",
                       .exercises = demo_exercises,
                       .nexercises = 3};

static exercise flare_exercises[] = {
    {.id = "side-lying",
     .name = "Side-lying rest",
     .setup = "Lie on your side.",
     .steps = rest_steps,
     .nsteps = 1,
     .reps = 1,
     .hold = 4,
     .sides = SIDES_NONE,
     .rest = 0,
     .easier = -1,
     .check_in = false,
     .line = 5},
};
static char *stretch_steps[] = {"Cross your ankle over your knee."};
static exercise long_exercises[] = {
    {.id = "stretch",
     .name = "Figure four",
     .setup = "Lie on your back.",
     .steps = stretch_steps,
     .nsteps = 1,
     .reps = 2,
     .hold = 12,
     .sides = SIDES_BOTH,
     .rest = 5,
     .easier = -1,
     .check_in = true,
     .line = 3},
};
static routine long_holds = {
    .path = "x/long.cfg", .name = "long holds", .exercises = long_exercises, .nexercises = 1};

static routine flare = {.path = "routines/flare-up.cfg",
                        .name = "Flare-up rest",
                        .exercises = flare_exercises,
                        .nexercises = 1};

/* ---- replies by word ---- */

typedef struct word_reply {
    const char *word;
    session_ev_type type;
    intent intent;
    int value;
} word_reply;

static const word_reply words[] = {
    {"no", SEV_REPLY, INTENT_NO, 0},
    {"yes", SEV_REPLY, INTENT_YES, 0},
    {"better", SEV_REPLY, INTENT_BETTER, 0},
    {"same", SEV_REPLY, INTENT_SAME, 0},
    {"worse", SEV_REPLY, INTENT_WORSE, 0},
    {"spreading", SEV_REPLY, INTENT_SPREADING, 0},
    {"tingling", SEV_REPLY, INTENT_NERVE_SIGNS, 0},
    {"weak", SEV_REPLY, INTENT_WEAKNESS, 0},
    {"central", SEV_REPLY, INTENT_CENTRALIZING, 0},
    {"sharp", SEV_REPLY, INTENT_SHARP_PAIN, 0},
    {"redflag", SEV_REPLY, INTENT_RED_FLAG, 0},
    {"back", SEV_REPLY, INTENT_LOCATION, LOC_BACK},
    {"buttock", SEV_REPLY, INTENT_LOCATION, LOC_BUTTOCK},
    {"thigh", SEV_REPLY, INTENT_LOCATION, LOC_THIGH},
    {"knee", SEV_REPLY, INTENT_LOCATION, LOC_KNEE},
    {"calf", SEV_REPLY, INTENT_LOCATION, LOC_CALF},
    {"foot", SEV_REPLY, INTENT_LOCATION, LOC_FOOT},
    {"pause", SEV_REPLY, INTENT_PAUSE, 0},
    {"resume", SEV_REPLY, INTENT_RESUME, 0},
    {"repeat", SEV_REPLY, INTENT_REPEAT, 0},
    {"skip", SEV_REPLY, INTENT_SKIP, 0},
    {"slower", SEV_REPLY, INTENT_SLOWER, 0},
    {"faster", SEV_REPLY, INTENT_FASTER, 0},
    {"stop", SEV_REPLY, INTENT_STOP, 0},
    {"help", SEV_REPLY, INTENT_HELP, 0},
    {"howlong", SEV_REPLY, INTENT_HOW_LONG, 0},
    {"nonsense", SEV_REPLY, INTENT_NONE, 0},
    {"unclear", SEV_UNCLEAR, INTENT_NONE, 0},
    {"clap", SEV_CLAP, INTENT_NONE, 0},
    {"noisy", SEV_NOISY, INTENT_NONE, 0},
    {"room_ok", SEV_ROOM, INTENT_NONE, ROOM_OK},
    {"room_marginal", SEV_ROOM, INTENT_NONE, ROOM_MARGINAL},
    {"room_too_noisy", SEV_ROOM, INTENT_NONE, ROOM_TOO_NOISY},
    {"deaf", SEV_DEAF, INTENT_NONE, 0},
    {"interrupt", SEV_INTERRUPT, INTENT_NONE, 0},
    {"eof", SEV_NO_INPUT, INTENT_NONE, 0},
};

/* "word", "~word" (its speech began 200 ms ago; "~~word": 1 s ago), "^word" (in the person's
 * own voice, during a hold), "?word" (low confidence) or a number 0..10
 * (pain score); the marks in that order. */
static session_event event_for(const char *w, long t) {
    session_event ev;
    memset(&ev, 0, sizeof ev);
    ev.t_ms = t;
    ev.confidence = 0.9f;
    ev.text = w;
    if (w[0] == '~') { /* heard from audio, the speech began 200 ms ago */
        ev.has_speech_start = true;
        ev.speech_start_ms = t - 200;
        w++;
    }
    if (w[0] == '~') { /* "~~": a longer reply, begun 1 s ago */
        ev.speech_start_ms = t - 1000;
        w++;
    }
    if (w[0] == '^') {
        ev.near = true;
        w++;
    }
    if (w[0] == '?') {
        ev.low_confidence = true;
        ev.confidence = 0.3f;
        w++;
    }
    if (w[0] >= '0' && w[0] <= '9') {
        ev.type = SEV_REPLY;
        ev.intent = INTENT_PAIN_SCORE;
        ev.value = atoi(w);
        return ev;
    }
    for (size_t i = 0; i < sizeof words / sizeof words[0]; i++)
        if (strcmp(words[i].word, w) == 0) {
            ev.type = words[i].type;
            ev.intent = words[i].intent;
            ev.value = words[i].value;
            return ev;
        }
    printf("test bug: unknown word %s\n", w);
    ev.type = SEV_TICK;
    return ev;
}

/* ---- the simulated runner ---- */

#define MAXLOG 6000
#define MAXPEND 64

/* When action number `occurrence` (1-based) matching type/kind/text is seen,
 * the reply `word` comes `delay_ms` later. */
typedef struct trigger {
    session_act_type type;
    int kind; /* say_kind, or -1 for any */
    const char *contains;
    int occurrence;
    long delay_ms;
    const char *word;
    int seen;
} trigger;

typedef struct driver {
    session *s;
    session_action log[MAXLOG];
    int n;
    long t;
    struct {
        unsigned id;
        long due;
    } pend[MAXPEND];
    int npend;
    const char **answers; /* replies given, in order, whenever a reply is awaited */
    int nanswers, ai;
    long answer_delay_ms;
    unsigned answered_after; /* last say id when an answer was given */
    unsigned last_say;
    long last_said_t;
    trigger *triggers;
    int ntriggers;
    struct {
        long t;
        const char *word;
    } timed[32];
    int ntimed;
    int after_end; /* actions seen after ACT_END (must stay 0) */
    int bad_time;  /* actions whose time went backwards or beyond the event */
    bool ended;
    bool drop_cancelled; /* a cancelled sentence sends no SAID */
    int stuck;           /* ticks with nothing to wait for: no SAID, no deadline, no question */
    int max_batch;       /* most actions from one event */
    long delivered_t;    /* when the last scripted reply was delivered */
    const int *rooms;    /* room_quality verdicts, one each time a room check asks */
    int nrooms, ri;
    int listen_ticks; /* 20 ms ticks with session_measuring_room */
    long listen_start[8];
    int nlisten;
    bool was_listening;
} driver;

static long say_duration(const session_action *a) {
    if (a->kind == SAY_COUNT)
        return 400;
    long ms = 200 + 30 * (long)strlen(a->text);
    return (ms + 19) / 20 * 20;
}

static void feed(driver *d, const session_event *ev) {
    session_action out[64];
    int n = session_handle(d->s, ev, out, 64);
    if (n > d->max_batch)
        d->max_batch = n;
    for (int i = 0; i < n; i++) {
        const session_action *a = &out[i];
        if (d->ended)
            d->after_end++;
        if (a->t_ms > ev->t_ms || (d->n > 0 && a->t_ms < d->log[d->n - 1].t_ms))
            d->bad_time++;
        if (d->n < MAXLOG)
            d->log[d->n++] = *a;
        if (a->type == ACT_END)
            d->ended = true;
        if (a->type == ACT_CANCEL_SPEECH && d->drop_cancelled)
            d->npend = 0;
        if (a->type == ACT_SAY) {
            d->last_say = a->say_id;
            if (d->npend < MAXPEND) {
                d->pend[d->npend].id = a->say_id;
                d->pend[d->npend].due = a->t_ms + say_duration(a);
                d->npend++;
            }
        }
        for (int k = 0; k < d->ntriggers; k++) {
            trigger *tr = &d->triggers[k];
            if (tr->type != a->type || (tr->kind >= 0 && (int)a->kind != tr->kind))
                continue;
            if (tr->contains && !strstr(a->text, tr->contains))
                continue;
            if (++tr->seen == tr->occurrence && d->ntimed < 32) {
                d->timed[d->ntimed].t = a->t_ms + tr->delay_ms;
                d->timed[d->ntimed].word = tr->word;
                d->ntimed++;
            }
        }
    }
}

static void deliver(driver *d, const char *word) {
    if (strcmp(word, "silence") == 0)
        return;
    session_event ev = event_for(word, d->t);
    d->delivered_t = d->t;
    if (ev.type != SEV_TICK)
        feed(d, &ev);
}

/* Runs until the session ends or `limit_ms` of session time passes. */
static void run(driver *d, long limit_ms) {
    session_event ev;
    memset(&ev, 0, sizeof ev);
    ev.type = SEV_START;
    feed(d, &ev);
    for (d->t = 0; d->t <= limit_ms && !session_done(d->s); d->t += 20) {
        for (int i = 0; i < d->npend; i++) {
            if (d->pend[i].due > d->t)
                continue;
            memset(&ev, 0, sizeof ev);
            ev.type = SEV_SAID;
            ev.t_ms = d->t;
            ev.say_id = d->pend[i].id;
            d->pend[i] = d->pend[--d->npend];
            i--;
            if (ev.say_id == d->last_say)
                d->last_said_t = d->t;
            feed(d, &ev);
        }
        for (int i = 0; i < d->ntimed; i++) {
            if (d->timed[i].t > d->t)
                continue;
            const char *w = d->timed[i].word;
            d->timed[i] = d->timed[--d->ntimed];
            i--;
            deliver(d, w);
        }
        if (session_awaiting_reply(d->s) && d->ai < d->nanswers && d->npend == 0 &&
            d->answered_after != d->last_say && d->t >= d->last_said_t + d->answer_delay_ms) {
            d->answered_after = d->last_say;
            const char *w = d->answers[d->ai++];
            if (strcmp(w, "silence") != 0)
                deliver(d, w);
        }
        memset(&ev, 0, sizeof ev);
        ev.type = SEV_TICK;
        ev.t_ms = d->t;
        feed(d, &ev);
        bool listening = session_measuring_room(d->s);
        if (listening && !d->was_listening && d->nlisten < 8)
            d->listen_start[d->nlisten++] = d->t;
        d->was_listening = listening;
        d->listen_ticks += listening;
        if (session_room_wanted(d->s) && d->ri < d->nrooms) {
            memset(&ev, 0, sizeof ev);
            ev.type = SEV_ROOM;
            ev.t_ms = d->t;
            ev.value = d->rooms[d->ri++];
            feed(d, &ev);
        }
        long dl = session_next_deadline(d->s);
        if (!session_done(d->s) && d->npend == 0 && !session_awaiting_reply(d->s) && dl < 0)
            d->stuck++;
        if (dl >= 0 && dl <= d->t)
            d->stuck++; /* a deadline in the past was not acted on */
    }
}

static driver *driver_new(const routine *r, const routine *fl, const prompts *p,
                          const session_opts *o, const char **answers, int nanswers) {
    driver *d = calloc(1, sizeof *d);
    d->s = session_new(r, fl, p, o);
    d->answers = answers;
    d->nanswers = nanswers;
    d->answer_delay_ms = 1000;
    d->drop_cancelled = true;
    return d;
}

static void driver_free(driver *d) {
    session_free(d->s);
    free(d);
}

/* ---- looking at what happened ---- */

static int count_acts(const driver *d, session_act_type type, const char *contains) {
    int n = 0;
    for (int i = 0; i < d->n; i++)
        if (d->log[i].type == type &&
            (!contains || strstr(d->log[i].text, contains) || strstr(d->log[i].reason, contains) ||
             strstr(d->log[i].outcome, contains) || strstr(d->log[i].id, contains)))
            n++;
    return n;
}

static int find_act(const driver *d, int from, session_act_type type, const char *contains) {
    for (int i = from < 0 ? 0 : from; i < d->n; i++)
        if (d->log[i].type == type &&
            (!contains || strstr(d->log[i].text, contains) || strstr(d->log[i].reason, contains) ||
             strstr(d->log[i].id, contains)))
            return i;
    return -1;
}

static const session_action *last_act(const driver *d, session_act_type type) {
    for (int i = d->n - 1; i >= 0; i--)
        if (d->log[i].type == type)
            return &d->log[i];
    return NULL;
}

/* Counts said between actions a and b (exclusive). */
static int counts_between(const driver *d, int a, int b) {
    int n = 0;
    for (int i = a + 1; i < b && i < d->n; i++)
        n += d->log[i].type == ACT_SAY && d->log[i].kind == SAY_COUNT;
    return n;
}

static void dump(const driver *d) {
    for (int i = 0; i < d->n; i++) {
        const session_action *a = &d->log[i];
        static const char *const names[] = {"say",    "cancel", "verdict", "ex_start",
                                            "ex_end", "switch", "end"};
        printf("  %7ld %-8s %s%s%s%s%s%s\n", a->t_ms, names[a->type],
               a->type == ACT_SAY ? say_kind_name(a->kind) : "", a->type == ACT_SAY ? ": " : "",
               a->text, a->id, a->outcome, a->type == ACT_VERDICT ? verdict_name(a->verdict) : "");
        if (a->type == ACT_VERDICT)
            printf("                  reason %s\n", a->reason);
    }
}

static void check_invariants(const driver *d, const char *name) {
    int missing = 0;
    for (int i = 0; i < d->n; i++)
        if (d->log[i].type == ACT_SAY &&
            (strchr(d->log[i].text, '[') || strchr(d->log[i].text, '{') || !d->log[i].text[0])) {
            missing++;
            printf("  %s: unfilled sentence \"%s\"\n", name, d->log[i].text);
        }
    CHECK(missing == 0, "%s: %d sentences with a missing prompt or placeholder", name, missing);
    CHECK(d->after_end == 0, "%s: %d actions after ACT_END", name, d->after_end);
    CHECK(d->bad_time == 0, "%s: %d actions out of time order", name, d->bad_time);
    CHECK(d->stuck == 0, "%s: stuck for %d ticks", name, d->stuck);
    CHECK(session_done(d->s), "%s: session ended", name);
    CHECK(count_acts(d, ACT_END, NULL) == 1, "%s: exactly one ACT_END", name);
    /* every start has its end, in order */
    int open = 0, bad = 0;
    for (int i = 0; i < d->n; i++) {
        if (d->log[i].type == ACT_EXERCISE_START)
            bad += open++ != 0;
        if (d->log[i].type == ACT_EXERCISE_END)
            bad += --open != 0;
    }
    CHECK(bad == 0 && open == 0, "%s: exercise start/end pairs (bad %d, open %d)", name, bad, open);
}

/* Every "Hold." is followed by its counts at exactly H + n*1000 ms and
 * "Release." at H + hold*1000 ms, unless cancelled. Returns holds seen. */
static int check_hold_timing(const driver *d, const char *name) {
    int holds = 0, bad = 0;
    for (int i = 0; i < d->n; i++) {
        const session_action *a = &d->log[i];
        if (a->type != ACT_SAY || strcmp(a->text, "Hold.") != 0)
            continue;
        long h = a->t_ms;
        int n = 0;
        for (int j = i + 1; j < d->n; j++) {
            const session_action *b = &d->log[j];
            if (b->type == ACT_CANCEL_SPEECH)
                break;
            if (b->type != ACT_SAY)
                continue;
            if (b->kind == SAY_COUNT) {
                n++;
                if (b->count_n != n || b->t_ms != h + n * 1000L)
                    bad++;
                continue;
            }
            if (strcmp(b->text, "Release.") == 0) {
                if (b->t_ms != h + (n + 1) * 1000L || b->count_of != 0)
                    bad++;
                holds++;
            }
            break;
        }
    }
    CHECK(bad == 0, "%s: %d counts off their exact time", name, bad);
    return holds;
}

#define RUN(d, ms) run((d), (ms))
#define N(a) ((int)(sizeof(a) / sizeof((a)[0])))

static prompts *load_prompts(void) {
    fc_err err = {{0}};
    const char *data = getenv("FLOORCOACH_DATA");
    char path[1024];
    snprintf(path, sizeof path, "%s/voices/en-us/prompts.cfg", data ? data : ".");
    prompts *p = prompts_load(path, &err);
    if (!p)
        printf("cannot load prompts: %s\n", err.msg);
    return p;
}

/* ---- scenarios ---- */

static void test_full_routine(const prompts *p) {
    const char *answers[] = {"no", "no", "no", "no", "no", "better", "better", "better"};
    driver *d = driver_new(&demo, &flare, p, NULL, answers, N(answers));
    RUN(d, 600000);
    check_invariants(d, "full");
    CHECK_INT(session_end_reason(d->s), END_COMPLETED);
    CHECK_INT(count_acts(d, ACT_EXERCISE_START, NULL), 4); /* glide left, right, press, bent */
    CHECK_INT(count_acts(d, ACT_EXERCISE_END, "done"), 4);
    CHECK_INT(count_acts(d, ACT_VERDICT, "better"), 3);
    CHECK_INT(check_hold_timing(d, "full"), 2 * 2 + 3);
    CHECK_INT(count_acts(d, ACT_SAY, "Rest for"), 1);
    CHECK(find_act(d, 0, ACT_SAY, "replace a clinician") >= 0, "disclaimer said");
    CHECK(find_act(d, 0, ACT_SAY, "clap twice") >= 0, "how to talk said");
    CHECK(find_act(d, 0, ACT_SAY, "completed 3 of 3") >= 0 ||
              find_act(d, 0, ACT_SAY, "completed three of three") >= 0,
          "summary counts the exercises");
    CHECK(count_acts(d, ACT_SAY, "bladder") >= 1, "screening asked");
    /* the first count of the first hold */
    int h = find_act(d, 0, ACT_SAY, "Hold.");
    CHECK(h >= 0 && d->log[h + 1].kind == SAY_COUNT && strcmp(d->log[h + 1].text, "One") == 0 &&
              d->log[h + 1].count_of == 3,
          "count One of 3 follows Hold.");
    /* exercise starts carry the side */
    int st = find_act(d, 0, ACT_EXERCISE_START, "glide");
    CHECK(st >= 0 && strcmp(d->log[st].side, "left") == 0, "first side is left");
    if (check_failed)
        dump(d);
    driver_free(d);
}

static void test_all_no(const prompts *p) {
    /* Piped "no" to everything completes the routine: the check-in "no" is
     * asked again as "any worse?", and "no" means the same. */
    const char *answers[40];
    for (int i = 0; i < 40; i++)
        answers[i] = "no";
    driver *d = driver_new(&demo, &flare, p, NULL, answers, N(answers));
    RUN(d, 600000);
    check_invariants(d, "all no");
    CHECK_INT(session_end_reason(d->s), END_COMPLETED);
    CHECK_INT(count_acts(d, ACT_SAY, "any worse than before"), 3);
    CHECK_INT(count_acts(d, ACT_VERDICT, "same"), 3);
    CHECK_INT(count_acts(d, ACT_EXERCISE_END, "done"), 4);
    CHECK_INT(count_acts(d, ACT_SAY, "Where is it furthest"), 0);
    driver_free(d);
}

static void test_periph_mid_hold(const prompts *p) {
    /* "pain down my leg" during the second count of the first hold. */
    const char *answers[] = {"no", "no", "no", "no", "no", "yes", "better", "better", "better"};
    trigger tr[] = {{ACT_SAY, SAY_COUNT, "Two", 1, 0, "spreading", 0}};
    driver *d = driver_new(&demo, &flare, p, NULL, answers, N(answers));
    d->triggers = tr;
    d->ntriggers = 1;
    RUN(d, 600000);
    check_invariants(d, "periph");
    int two = find_act(d, 0, ACT_SAY, "Two");
    int cancel = find_act(d, two, ACT_CANCEL_SPEECH, NULL);
    CHECK(two >= 0 && cancel == two + 1, "cancel right after the count");
    /* the reply comes on the next 20 ms tick; the stop is in that same event */
    CHECK(cancel >= 0 && d->log[cancel].t_ms - d->log[two].t_ms <= 20 &&
              d->log[cancel + 1].t_ms == d->log[cancel].t_ms,
          "stopped at the moment of the reply");
    CHECK(cancel >= 0 && d->log[cancel + 1].type == ACT_VERDICT &&
              d->log[cancel + 1].verdict == VERDICT_STOP_EXERCISE &&
              strcmp(d->log[cancel + 1].reason, "peripheralization") == 0 &&
              strcmp(d->log[cancel + 1].id, "glide") == 0,
          "verdict stop_exercise peripheralization for glide");
    CHECK(cancel >= 0 && d->log[cancel + 2].type == ACT_VERDICT &&
              d->log[cancel + 2].verdict == VERDICT_OFFER_EASIER &&
              strcmp(d->log[cancel + 2].reason, "peripheralization") == 0 &&
              d->log[cancel + 2].t_ms == d->log[cancel].t_ms,
          "then verdict offer_easier, at the same moment");
    int end = find_act(d, cancel, ACT_EXERCISE_END, "glide");
    CHECK(end >= 0 && strcmp(d->log[end].outcome, "stopped") == 0, "glide stopped");
    int three = find_act(d, cancel, ACT_SAY, "Three");
    int offer = find_act(d, cancel, ACT_SAY, "easier version, Bent-knee glide");
    CHECK(offer >= 0, "easier version offered");
    CHECK(three < 0 || three > offer, "no count after the stop");
    int sp = find_act(d, cancel, ACT_SAY, "spreading");
    CHECK(sp >= 0 && d->log[sp].kind == SAY_SAFETY, "explanation is kind safety");
    /* yes: the easier version runs next, then press; bent is not run twice */
    int bent = find_act(d, offer, ACT_EXERCISE_START, "bent");
    int press = find_act(d, offer, ACT_EXERCISE_START, "press");
    CHECK(bent >= 0 && press > bent, "easier version runs before the rest of the plan");
    CHECK_INT(count_acts(d, ACT_EXERCISE_START, NULL), 3);
    CHECK_INT(session_end_reason(d->s), END_COMPLETED);
    if (check_failed)
        dump(d);
    driver_free(d);
}

static void test_two_periph(const prompts *p) {
    const char *answers[] = {"no", "no", "no", "no", "no", "no", "better", "better"};
    trigger tr[] = {{ACT_SAY, SAY_COUNT, "Two", 1, 300, "spreading", 0},
                    {ACT_EXERCISE_START, -1, NULL, 2, 2000, "tingling", 0}};
    driver *d = driver_new(&demo, &flare, p, NULL, answers, N(answers));
    d->triggers = tr;
    d->ntriggers = 2;
    RUN(d, 600000);
    check_invariants(d, "two periph");
    CHECK_INT(session_end_reason(d->s), END_SAFETY);
    const session_action *v = last_act(d, ACT_VERDICT);
    CHECK(v && v->verdict == VERDICT_END_SESSION && strcmp(v->reason, "nerve_signs") == 0,
          "second peripheralization ends the session");
    CHECK(count_acts(d, ACT_SAY, "spread down your leg again") == 1, "end explained");
    if (check_failed)
        dump(d);
    driver_free(d);
}

static void test_red_flag_in_rest(const prompts *p, bool silence) {
    const char *answers[] = {"no", "no", "no", "no", "no", silence ? "silence" : "yes"};
    trigger tr[] = {{ACT_SAY, -1, "Rest for", 1, 1500, "redflag", 0}};
    driver *d = driver_new(&demo, &flare, p, NULL, answers, N(answers));
    d->triggers = tr;
    d->ntriggers = 1;
    RUN(d, 600000);
    check_invariants(d, "red flag rest");
    CHECK_INT(session_end_reason(d->s), END_RED_FLAG);
    int ask = find_act(d, 0, ACT_SAY, "warning sign");
    CHECK(ask >= 0 && d->log[ask].kind == SAY_PROMPT, "red flag confirmed with a question");
    CHECK(ask > 0 && d->log[ask - 1].type == ACT_CANCEL_SPEECH, "rest stopped first");
    const session_action *v = last_act(d, ACT_VERDICT);
    CHECK(v && v->verdict == VERDICT_END_SESSION && strcmp(v->reason, "red_flag") == 0,
          "red flag verdict");
    CHECK(count_acts(d, ACT_SAY, "medical help right away") == 1, "medical help said");
    if (silence && ask >= 0 && v)
        CHECK(v->t_ms - d->log[ask].t_ms >= 8000, "silence waited for the reply time");
    if (check_failed)
        dump(d);
    driver_free(d);
}

static void test_red_flag_denied(const prompts *p) {
    /* "no" to the red-flag confirmation: the rep starts again; an unsure
     * "no" is not enough: asked again, and silence then means yes. */
    {
        const char *answers[] = {"no", "no", "no", "no", "no", "no", "better", "better", "better"};
        trigger tr[] = {{ACT_SAY, SAY_COUNT, "One", 1, 200, "redflag", 0}};
        driver *d = driver_new(&demo, &flare, p, NULL, answers, N(answers));
        d->triggers = tr;
        d->ntriggers = 1;
        RUN(d, 600000);
        check_invariants(d, "red flag denied");
        CHECK_INT(session_end_reason(d->s), END_COMPLETED);
        CHECK_INT(count_acts(d, ACT_SAY, "warning sign"), 1);
        CHECK_INT(count_acts(d, ACT_VERDICT, "red_flag"), 0);
        CHECK_INT(check_hold_timing(d, "red flag denied"), 2 * 2 + 3);
        driver_free(d);
    }
    {
        const char *answers[] = {"no", "no", "no", "no", "no", "?no", "silence"};
        trigger tr[] = {{ACT_SAY, SAY_COUNT, "One", 1, 200, "redflag", 0}};
        driver *d = driver_new(&demo, &flare, p, NULL, answers, N(answers));
        d->triggers = tr;
        d->ntriggers = 1;
        RUN(d, 600000);
        check_invariants(d, "red flag unsure no");
        CHECK_INT(session_end_reason(d->s), END_RED_FLAG);
        CHECK_INT(count_acts(d, ACT_SAY, "I need to be sure"), 1);
        driver_free(d);
    }
    {
        /* "carry on" to "did you say the pain is going down your leg?" is a no */
        const char *answers[] = {"no",     "no",     "no",     "no",    "no",
                                 "resume", "better", "better", "better"};
        trigger tr[] = {{ACT_SAY, SAY_COUNT, "One", 1, 200, "?spreading", 0}};
        driver *d = driver_new(&demo, &flare, p, NULL, answers, N(answers));
        d->triggers = tr;
        d->ntriggers = 1;
        RUN(d, 600000);
        check_invariants(d, "confirm carry on");
        CHECK_INT(session_end_reason(d->s), END_COMPLETED);
        CHECK_INT(count_acts(d, ACT_VERDICT, "peripheralization"), 0);
        driver_free(d);
    }
}

static void test_screening_red_flag(const prompts *p) {
    const char *answers[] = {"no", "yes"};
    driver *d = driver_new(&demo, &flare, p, NULL, answers, N(answers));
    RUN(d, 600000);
    check_invariants(d, "screen");
    CHECK_INT(session_end_reason(d->s), END_RED_FLAG);
    CHECK_INT(count_acts(d, ACT_SAY, "Did you say"), 0);
    CHECK_INT(count_acts(d, ACT_EXERCISE_START, NULL), 0);
    CHECK(count_acts(d, ACT_SAY, "medical help right away") == 1, "medical help said");
    driver_free(d);
}

/* A red-flag phrase heard during the screening ("both of my feet ache", a TV
 * line over the question) is confirmed, as at any other time: yes or
 * silence ends the session, no asks the screening question again. */
static void test_screening_red_flag_phrase(const prompts *p, const char *confirm_answer) {
    const char *answers[] = {"no", "redflag", confirm_answer, "no",     "no",    "no",
                             "no", "better",  "better",       "better", "better"};
    driver *d = driver_new(&demo, &flare, p, NULL, answers, N(answers));
    RUN(d, 600000);
    check_invariants(d, "screen red-flag phrase");
    int q2 = find_act(d, 0, ACT_SAY, "numbness between your legs");
    int ask = find_act(d, q2 + 1, ACT_SAY, "Did you say");
    CHECK(q2 >= 0 && ask > q2, "the red-flag phrase is confirmed (%d %d)", q2, ask);
    if (strcmp(confirm_answer, "no") == 0) {
        int again = find_act(d, ask + 1, ACT_SAY, "numbness between your legs");
        CHECK(again > ask, "no: the screening question is asked again (%d)", again);
        CHECK_INT(session_end_reason(d->s), END_COMPLETED);
        CHECK_INT(count_acts(d, ACT_SAY, "medical help right away"), 0);
    } else {
        CHECK_INT(session_end_reason(d->s), END_RED_FLAG);
        CHECK_INT(count_acts(d, ACT_EXERCISE_START, NULL), 0);
        CHECK_INT(count_acts(d, ACT_SAY, "medical help right away"), 1);
    }
    if (check_failed)
        dump(d);
    driver_free(d);
}

static void test_flare(const prompts *p, bool with_flare, const char *score) {
    const char *answers[] = {"no", "no", "no", "no", "yes", "calf", score, "better"};
    driver *d = driver_new(&demo, with_flare ? &flare : NULL, p, NULL, answers, N(answers));
    RUN(d, 600000);
    check_invariants(d, "flare");
    const session_action *v = last_act(d, ACT_VERDICT);
    if (with_flare) {
        CHECK_INT(count_acts(d, ACT_ROUTINE_SWITCH, NULL), 1);
        const session_action *sw = last_act(d, ACT_ROUTINE_SWITCH);
        CHECK(sw && strcmp(sw->id, "flare-up") == 0, "switched to flare-up");
        CHECK_INT(session_end_reason(d->s), END_COMPLETED);
        CHECK_INT(count_acts(d, ACT_EXERCISE_START, "side-lying"), 1);
        CHECK_INT(count_acts(d, ACT_EXERCISE_START, "glide"), 0);
        int fv = find_act(d, 0, ACT_VERDICT, "acute_flare");
        CHECK(fv >= 0 && d->log[fv].verdict == VERDICT_OFFER_EASIER, "acute flare verdict");
    } else {
        CHECK_INT(session_end_reason(d->s), END_SAFETY);
        CHECK(v && strcmp(v->reason, "acute_flare") == 0, "acute flare ends the session");
        CHECK_INT(count_acts(d, ACT_EXERCISE_START, NULL), 0);
    }
    if (check_failed)
        dump(d);
    driver_free(d);
}

/* The pain score not understood twice (or not heard) is asked as yes or no:
 * "is it severe?". Yes is an acute flare, a sure no goes on without a
 * baseline score, an unsure no is asked for again. */
static void test_score_yes_no(const prompts *p, const char *first, const char *answer) {
    const char *answers[] = {"no",  "no",   "no", "no",     "yes",    "calf",   first,
                             first, answer, "no", "better", "better", "better", "better"};
    driver *d = driver_new(&demo, &flare, p, NULL, answers, N(answers));
    RUN(d, 600000);
    check_invariants(d, "score as yes or no");
    int ask1 = find_act(d, 0, ACT_SAY, "Rate your leg pain from zero to ten");
    int ask2 = find_act(d, ask1 + 1, ACT_SAY, "Please give your leg pain a number");
    int yn = find_act(d, ask2 + 1, ACT_SAY, "Do you have severe pain, eight out of ten or worse?");
    CHECK(ask1 >= 0 && ask2 > ask1 && yn > ask2, "number, number again, then yes or no (%d %d %d)",
          ask1, ask2, yn);
    CHECK_INT(count_acts(d, ACT_SAY, "Rate your leg pain"), 1);
    CHECK_INT(count_acts(d, ACT_SAY, "give your leg pain a number"), 1);
    int glide = find_act(d, 0, ACT_EXERCISE_START, "glide");
    if (strcmp(answer, "yes") == 0) {
        int fv = find_act(d, yn, ACT_VERDICT, "acute_flare");
        CHECK(fv > yn && d->log[fv].verdict == VERDICT_OFFER_EASIER, "a yes is an acute flare");
        CHECK_INT(count_acts(d, ACT_ROUTINE_SWITCH, NULL), 1);
        CHECK(glide < 0, "no stretching after a yes");
    } else {
        int again = find_act(d, yn + 1, ACT_SAY,
                             "I need a yes or a no. Do you have severe leg pain, eight");
        if (answer[0] == '?')
            CHECK(again > yn && glide > again, "an unsure no is asked for again (%d %d)", again,
                  glide);
        else
            CHECK(again < 0 && glide > yn, "a sure no goes on (%d %d)", again, glide);
        CHECK_INT(count_acts(d, ACT_VERDICT, "acute_flare"), 0);
        CHECK_INT(count_acts(d, ACT_VERDICT, "pain_score"), 0);
        CHECK_INT(session_end_reason(d->s), END_COMPLETED);
    }
    if (check_failed)
        dump(d);
    driver_free(d);
}

static void test_low_confidence(const prompts *p, const char *confirm_answer) {
    /* "?spreading" mid-hold: stop the count, then "Did you say ...?" */
    const char *answers[] = {"no", "no",     "no",     "no",     "no",    confirm_answer,
                             "no", "better", "better", "better", "better"};
    trigger tr[] = {{ACT_SAY, SAY_COUNT, "Two", 1, 500, "?spreading", 0}};
    driver *d = driver_new(&demo, &flare, p, NULL, answers, N(answers));
    d->triggers = tr;
    d->ntriggers = 1;
    RUN(d, 600000);
    check_invariants(d, "low confidence");
    int two = find_act(d, 0, ACT_SAY, "Two");
    int cancel = find_act(d, two, ACT_CANCEL_SPEECH, NULL);
    int ask = find_act(d, two, ACT_SAY, "Did you say the pain is going down your leg");
    CHECK(cancel > two && ask == cancel + 1, "count stopped, then confirm");
    CHECK(ask > 0 && counts_between(d, two, ask) == 0, "no count before the confirmation");
    int v = find_act(d, 0, ACT_VERDICT, NULL);
    if (strcmp(confirm_answer, "no") == 0) {
        CHECK(v < 0 || d->log[v].verdict == VERDICT_CONTINUE, "no verdict that stops");
        /* the rep starts again */
        int again = find_act(d, ask, ACT_SAY, "Straighten your knee");
        CHECK(again > ask, "rep starts again");
        CHECK_INT(session_end_reason(d->s), END_COMPLETED);
    } else {
        CHECK(v > ask && d->log[v].verdict == VERDICT_STOP_EXERCISE &&
                  d->log[v + 1].type == ACT_VERDICT &&
                  d->log[v + 1].verdict == VERDICT_OFFER_EASIER,
              "acted after yes/silence: stopped, then offered the easier version");
    }
    if (check_failed)
        dump(d);
    driver_free(d);
}

/* An unsure "no" to "Did you say ...?" would carry on past a symptom ("i
 * can't feel my leg" was heard as an unsure "i don't"): the question is
 * asked again, and a sure "no" then carries on. An unsure "yes" is on the
 * safe side and is taken. */
static void test_unsure_answer(const prompts *p, const char *first) {
    const char *answers[] = {"no", "no", "no",     "no",     "no",     first,
                             "no", "no", "better", "better", "better", "better"};
    trigger tr[] = {{ACT_SAY, SAY_COUNT, "Two", 1, 500, "?spreading", 0}};
    driver *d = driver_new(&demo, &flare, p, NULL, answers, N(answers));
    d->triggers = tr;
    d->ntriggers = 1;
    RUN(d, 600000);
    check_invariants(d, first);
    int two = find_act(d, 0, ACT_SAY, "Two");
    int ask = find_act(d, two, ACT_SAY, "Did you say the pain is going down your leg");
    CHECK(ask > two, "confirmation asked (%s)", first);
    int v = find_act(d, 0, ACT_VERDICT, NULL);
    if (strcmp(first, "?no") == 0) {
        int again = find_act(d, ask, ACT_SAY, "Straighten your knee");
        int prompts_between = 0;
        for (int k = ask; k >= 0 && k < again; k++)
            prompts_between += d->log[k].type == ACT_SAY && d->log[k].kind == SAY_PROMPT;
        CHECK(again > ask && prompts_between == 2,
              "an unsure \"no\" is asked again (%d questions), a sure one carries on",
              prompts_between);
        CHECK(v < 0 || d->log[v].verdict == VERDICT_CONTINUE, "no verdict that stops");
        CHECK_INT(session_end_reason(d->s), END_COMPLETED);
    } else {
        CHECK(v > ask && d->log[v].verdict == VERDICT_STOP_EXERCISE,
              "an unsure \"yes\" is taken: the exercise stops");
    }
    if (check_failed)
        dump(d);
    driver_free(d);
}

static void test_unsure_better(const prompts *p) {
    /* an unsure "better" mid-hold is ignored; at the check-in it is confirmed */
    const char *answers[] = {"no", "no", "no", "no", "no", "?better", "yes", "better", "better"};
    trigger tr[] = {{ACT_SAY, SAY_COUNT, "One", 1, 300, "?better", 0}};
    driver *d = driver_new(&demo, &flare, p, NULL, answers, N(answers));
    d->triggers = tr;
    d->ntriggers = 1;
    RUN(d, 600000);
    check_invariants(d, "unsure better");
    int one = find_act(d, 0, ACT_SAY, "One");
    CHECK(one >= 0 && d->log[one + 1].type == ACT_SAY && d->log[one + 1].kind == SAY_COUNT,
          "count goes on");
    CHECK_INT(count_acts(d, ACT_SAY, "Did you say your leg feels better"), 1);
    CHECK_INT(count_acts(d, ACT_VERDICT, "better"), 3);
    CHECK_INT(session_end_reason(d->s), END_COMPLETED);
    if (check_failed)
        dump(d);
    driver_free(d);
}

/* A yes or no mid-hold that is not in the person's own voice (the TV) is
 * ignored: no question is open, and the count goes on. */
static void test_stray_answer(const prompts *p, const char *what) {
    const char *answers[] = {"no", "no", "no", "no", "no", "better", "better", "better"};
    trigger tr[] = {{ACT_SAY, SAY_COUNT, "One", 1, 300, what, 0}};
    driver *d = driver_new(&demo, &flare, p, NULL, answers, N(answers));
    d->triggers = tr;
    d->ntriggers = 1;
    RUN(d, 600000);
    check_invariants(d, what);
    int one = find_act(d, 0, ACT_SAY, "One");
    CHECK(one >= 0 && d->log[one + 1].type == ACT_SAY && d->log[one + 1].kind == SAY_COUNT,
          "a stray \"%s\" mid-hold: the count goes on", what);
    CHECK_INT(count_acts(d, ACT_SAY, "something about your leg"), 0);
    CHECK_INT(session_end_reason(d->s), END_COMPLETED);
    if (check_failed)
        dump(d);
    driver_free(d);
}

static void test_unclear(const prompts *p, const char *what, const char *reason) {
    const char *answers[] = {"no", "no", "no", "no", "no", "resume", "better", "better", "better"};
    trigger tr[] = {{ACT_SAY, SAY_COUNT, "One", 1, 300, what, 0}};
    driver *d = driver_new(&demo, &flare, p, NULL, answers, N(answers));
    d->triggers = tr;
    d->ntriggers = 1;
    RUN(d, 600000);
    check_invariants(d, what);
    int one = find_act(d, 0, ACT_SAY, "One");
    int cancel = find_act(d, one, ACT_CANCEL_SPEECH, NULL);
    CHECK(cancel == one + 1, "%s stops the count", what);
    CHECK(cancel >= 0 && d->log[cancel + 1].type == ACT_VERDICT &&
              d->log[cancel + 1].verdict == VERDICT_PAUSE &&
              strcmp(d->log[cancel + 1].reason, reason) == 0,
          "%s logged as verdict pause %s", what, reason);
    int ask = find_act(d, one, ACT_SAY, "something about your leg");
    CHECK(ask > one && d->log[ask].kind == SAY_PROMPT, "asks about the leg");
    CHECK(find_act(d, ask, ACT_SAY, "Straighten your knee") > ask, "carry on restarts the rep");
    CHECK_INT(session_end_reason(d->s), END_COMPLETED);
    CHECK_INT(check_hold_timing(d, what), 2 * 2 + 3);
    if (check_failed)
        dump(d);
    driver_free(d);
}

/* "tingling in | my foot", cut in two: the first part pauses the count and
 * asks, the rest must not answer the question that was said after it began.
 * A reply whose speech began after the question does. */
static void test_tail_not_answer(const prompts *p, const char *tail, long delay_ms,
                                 bool answers_it) {
    const char *answers[] = {"no", "no", "no", "no", "no", "resume", "better", "better", "better"};
    trigger tr[] = {{ACT_SAY, SAY_COUNT, "One", 1, 300, "unclear", 0},
                    {ACT_SAY, SAY_PROMPT, "something about your leg", 1, delay_ms, tail, 0}};
    driver *d = driver_new(&demo, &flare, p, NULL, answers, N(answers));
    d->triggers = tr;
    d->ntriggers = 2;
    RUN(d, 600000);
    check_invariants(d, "tail");
    int ask = find_act(d, 0, ACT_SAY, "something about your leg");
    int next = find_act(d, ask + 1, ACT_SAY, NULL);
    CHECK(ask >= 0 && next > ask, "asks about the leg, then goes on");
    if (ask >= 0 && next > ask) {
        long after = d->log[next].t_ms - d->log[ask].t_ms;
        if (answers_it)
            CHECK(after >= delay_ms && after < delay_ms + 100,
                  "\"%s\" begun %ld ms into the question answers it (next sentence %ld ms after)",
                  tail, delay_ms - 200, after);
        else
            CHECK(after >= say_duration(&d->log[ask]),
                  "\"%s\", the rest of what was being said, is not the answer (next sentence "
                  "%ld ms after the question began)",
                  tail, after);
    }
    CHECK_INT(session_end_reason(d->s), END_COMPLETED);
    if (check_failed)
        dump(d);
    driver_free(d);
}

/* `word` ("~no": its speech began 200 ms before; "~~no": 1 s before) heard
 * `delay_ms` after the first red-flag question began: it answers the
 * question only when it began after the question had been heard (its last
 * half second allowed), not over it (a TV). */
static void test_screen_over_question(const prompts *p, const char *word, long delay_ms,
                                      bool answers_it) {
    const char *answers[] = {"no", "no", "no", "no", "no", "resume", "better", "better", "better"};
    trigger tr[] = {{ACT_SAY, SAY_PROMPT, "bladder or bowel?", 1, delay_ms, word, 0}};
    driver *d = driver_new(&demo, &flare, p, NULL, answers, N(answers));
    d->triggers = tr;
    d->ntriggers = 1;
    RUN(d, 600000);
    check_invariants(d, "screen over question");
    int ask = find_act(d, 0, ACT_SAY, "bladder or bowel?");
    int next = find_act(d, ask + 1, ACT_SAY, "numbness between your legs");
    CHECK(ask >= 0 && next > ask, "asks the first and the second red-flag question");
    if (ask >= 0 && next > ask) {
        long after = d->log[next].t_ms - d->log[ask].t_ms, q = say_duration(&d->log[ask]);
        if (answers_it)
            CHECK(after >= delay_ms && after < delay_ms + 100,
                  "\"%s\" heard %ld ms after the question began answers it (the question "
                  "lasts %ld ms; next question %ld ms after it began)",
                  word, delay_ms, q, after);
        else
            CHECK(after >= q + 1000,
                  "\"%s\" heard %ld ms after the question began does not answer it (the "
                  "question lasts %ld ms; next question %ld ms after it began)",
                  word, delay_ms, q, after);
    }
    CHECK_INT(session_end_reason(d->s), END_COMPLETED);
    if (check_failed)
        dump(d);
    driver_free(d);
}

static void test_end_events(const prompts *p, const char *what, end_reason want, const char *said) {
    const char *answers[] = {"no", "no", "no", "no", "no", "better"};
    trigger tr[] = {{ACT_SAY, SAY_COUNT, "Two", 1, 100, what, 0}};
    driver *d = driver_new(&demo, &flare, p, NULL, answers, N(answers));
    d->triggers = tr;
    d->ntriggers = 1;
    RUN(d, 600000);
    check_invariants(d, what);
    CHECK_INT(session_end_reason(d->s), want);
    int two = find_act(d, 0, ACT_SAY, "Two");
    CHECK(two >= 0 && d->log[two + 1].type == ACT_CANCEL_SPEECH, "%s: speech cancelled", what);
    CHECK(find_act(d, two, ACT_SAY, said) > two, "%s: says \"%s\"", what, said);
    CHECK_INT(count_acts(d, ACT_EXERCISE_END, "stopped"), 1);
    driver_free(d);
}

static void test_no_input(const prompts *p) {
    const char *answers[] = {"no", "no", "eof"};
    driver *d = driver_new(&demo, &flare, p, NULL, answers, N(answers));
    RUN(d, 600000);
    check_invariants(d, "eof");
    CHECK_INT(session_end_reason(d->s), END_ERROR);
    const session_action *e = last_act(d, ACT_END);
    CHECK(e && strcmp(e->text, "no more input") == 0, "end says no more input");
    driver_free(d);
}

static void test_silence(const prompts *p) {
    /* Silence at the first check-in: asked again in other words, then a
     * pause; "carry on" asks the check-in again. */
    const char *answers[] = {"no",      "no",     "no",     "no",     "no",    "silence",
                             "silence", "resume", "better", "better", "better"};
    driver *d = driver_new(&demo, &flare, p, NULL, answers, N(answers));
    RUN(d, 600000);
    check_invariants(d, "silence");
    int ask1 = find_act(d, 0, ACT_SAY, "How does your leg feel now");
    int ask2 = find_act(d, ask1 + 1, ACT_SAY, "I didn't hear you. Please say feeling better");
    int paused = find_act(d, ask2 + 1, ACT_SAY, "so I've paused");
    int ask3 = find_act(d, paused + 1, ACT_SAY, "How does your leg feel now");
    CHECK(ask1 >= 0 && ask2 > ask1 && paused > ask2 && ask3 > paused,
          "ask, ask again, pause, ask after carry on (%d %d %d %d)", ask1, ask2, paused, ask3);
    CHECK(ask2 >= 0 && d->log[ask2].t_ms - d->log[ask1].t_ms >= 8000, "waited for the reply");
    /* nothing of the next exercise before the answer */
    int press = find_act(d, 0, ACT_EXERCISE_START, "press");
    CHECK(press > ask3, "next exercise only after the answer");
    CHECK_INT(session_end_reason(d->s), END_COMPLETED);
    if (check_failed)
        dump(d);
    driver_free(d);
}

/* A pause for an answer not heard reminds the person every 30 s, three
 * times at most (their "carry on" may not have been understood either); a
 * pause they asked for does not (test_controls). */
static void test_pause_remind(const prompts *p) {
    {
        const char *answers[] = {"no",      "no",      "no",     "no",     "no",     "silence",
                                 "silence", "silence", "resume", "better", "better", "better"};
        driver *d = driver_new(&demo, &flare, p, NULL, answers, N(answers));
        RUN(d, 600000);
        check_invariants(d, "pause reminder");
        int paused = find_act(d, 0, ACT_SAY, "so I've paused");
        int remind = find_act(d, paused + 1, ACT_SAY, "I'm still paused");
        CHECK(paused >= 0 && remind > paused, "reminded after the pause (%d %d)", paused, remind);
        CHECK(paused >= 0 && remind > paused &&
                  d->log[remind].t_ms - d->log[paused].t_ms >= 30000 &&
                  d->log[remind].t_ms - d->log[paused].t_ms <= 30000 + 10000,
              "about 30 s after it");
        CHECK_INT(count_acts(d, ACT_SAY, "I'm still paused"), 1);
        CHECK_INT(session_end_reason(d->s), END_COMPLETED);
        if (check_failed)
            dump(d);
        driver_free(d);
    }
    {
        const char *answers[] = {"no", "no", "no", "no", "no", "silence", "silence"};
        driver *d = driver_new(&demo, &flare, p, NULL, answers, N(answers));
        RUN(d, 600000);
        CHECK_INT(count_acts(d, ACT_SAY, "I'm still paused"), 3);
        CHECK(!session_done(d->s), "still paused after the reminders");
        driver_free(d);
    }
}

static void test_controls(const prompts *p) {
    /* pause during a hold, then carry on: the rep starts again */
    {
        const char *answers[] = {"no",     "no",     "no",     "no",    "no",
                                 "resume", "better", "better", "better"};
        trigger tr[] = {{ACT_SAY, SAY_COUNT, "Two", 1, 200, "pause", 0}};
        driver *d = driver_new(&demo, &flare, p, NULL, answers, N(answers));
        d->triggers = tr;
        d->ntriggers = 1;
        RUN(d, 600000);
        check_invariants(d, "pause");
        int two = find_act(d, 0, ACT_SAY, "Two");
        int cancel = find_act(d, two, ACT_CANCEL_SPEECH, NULL);
        int pz = find_act(d, two, ACT_SAY, "Paused. Say carry on");
        CHECK(cancel > two && pz > cancel, "pause cancels speech and says how to resume");
        CHECK(session_next_deadline(d->s) == -1, "done");
        int res = find_act(d, pz, ACT_SAY, "Carrying on.");
        int rep = find_act(d, res, ACT_SAY, "Lie on your back and hold");
        CHECK(res > pz && rep > res, "carry on restarts the rep");
        CHECK(counts_between(d, two, res) == 0, "no count while paused");
        CHECK_INT(session_end_reason(d->s), END_COMPLETED);
        CHECK_INT(check_hold_timing(d, "pause"), 2 * 2 + 3);
        driver_free(d);
    }
    /* a pause waits without a time limit */
    {
        const char *answers[] = {"no", "no", "no", "no", "no"};
        trigger tr[] = {{ACT_SAY, SAY_COUNT, "Two", 1, 200, "pause", 0}};
        driver *d = driver_new(&demo, &flare, p, NULL, answers, N(answers));
        d->triggers = tr;
        d->ntriggers = 1;
        RUN(d, 400000);
        CHECK(!session_done(d->s), "still paused after minutes");
        CHECK_INT(count_acts(d, ACT_SAY, "I'm still paused"), 0);
        CHECK(session_awaiting_reply(d->s), "paused awaits a reply");
        CHECK(session_expected(d->s) & (1ul << INTENT_RESUME), "expects carry on");
        char buf[200];
        CHECK_CONTAINS(session_describe(d->s, d->t, buf, sizeof buf), "paused");
        driver_free(d);
    }
    /* repeat during a step, help, how long, slower, faster */
    {
        const char *answers[] = {"no", "no", "no", "no", "no", "better", "better", "better"};
        trigger tr[] = {{ACT_SAY, SAY_INSTRUCTION, "Straighten your knee", 1, 100, "repeat", 0},
                        {ACT_SAY, SAY_INSTRUCTION, "Rep two of two", 1, 100, "help", 0},
                        {ACT_SAY, SAY_INSTRUCTION, "Now the right leg", 1, 100, "howlong", 0},
                        {ACT_SAY, SAY_INSTRUCTION, "Press your chest", 1, 100, "slower", 0},
                        {ACT_SAY, SAY_INSTRUCTION, "Slide it back", 1, 100, "faster", 0}};
        driver *d = driver_new(&demo, &flare, p, NULL, answers, N(answers));
        d->triggers = tr;
        d->ntriggers = N(tr);
        RUN(d, 600000);
        check_invariants(d, "controls");
        /* repeat says the step again; help at "Rep two" restarts rep two */
        CHECK_INT(count_acts(d, ACT_SAY, "Straighten your knee"), 2 * 2 + 1);
        CHECK_INT(count_acts(d, ACT_SAY, "Rep two of two"), 2 + 1 + 1); /* + bent-knee */
        CHECK(find_act(d, 0, ACT_SAY, "You can say pause") >= 0, "help said");
        CHECK(find_act(d, 0, ACT_SAY, "more reps of this exercise") >= 0, "how long said");
        int hl = find_act(d, 0, ACT_SAY, "more reps of this exercise");
        CHECK(hl >= 0 && strstr(d->log[hl].text, "two more reps") &&
                  strstr(d->log[hl].text, "two more exercises"),
              "how long counts: %s", hl >= 0 ? d->log[hl].text : "");
        CHECK(find_act(d, 0, ACT_SAY, "go slower") >= 0, "slower said");
        CHECK(find_act(d, 0, ACT_SAY, "faster") >= 0, "faster said");
        CHECK_INT(session_end_reason(d->s), END_COMPLETED);
        CHECK_INT(check_hold_timing(d, "controls"), 2 * 2 + 3);
        if (check_failed)
            dump(d);
        driver_free(d);
    }
    /* slower lengthens the gaps: a session at the slowest pace takes longer */
    {
        const char *answers[] = {"no", "no", "no", "no", "no", "better", "better", "better"};
        trigger tr[] = {{ACT_SAY, SAY_INFO, "clap twice", 1, 100, "slower", 0},
                        {ACT_SAY, SAY_INFO, "go slower", 1, 100, "slower", 0},
                        {ACT_SAY, SAY_INFO, "go slower", 2, 100, "slower", 0}};
        driver *fast = driver_new(&demo, &flare, p, NULL, answers, N(answers));
        RUN(fast, 600000);
        driver *slow = driver_new(&demo, &flare, p, NULL, answers, N(answers));
        slow->triggers = tr;
        slow->ntriggers = N(tr);
        RUN(slow, 600000);
        CHECK(slow->t > fast->t + 4000, "slowest pace takes longer (%ld vs %ld)", slow->t, fast->t);
        CHECK(find_act(slow, 0, ACT_SAY, "slowest pace") >= 0, "bounded at the slowest");
        CHECK_INT(check_hold_timing(slow, "slow"), 2 * 2 + 3);
        driver_free(fast);
        driver_free(slow);
    }
    /* skip during the press-up */
    {
        const char *answers[] = {"no", "no", "no", "no", "no", "better", "better", "better"};
        trigger tr[] = {{ACT_EXERCISE_START, -1, NULL, 3, 500, "skip", 0}};
        driver *d = driver_new(&demo, &flare, p, NULL, answers, N(answers));
        d->triggers = tr;
        d->ntriggers = 1;
        RUN(d, 600000);
        check_invariants(d, "skip");
        int end = find_act(d, 0, ACT_EXERCISE_END, "press");
        CHECK(end >= 0 && strcmp(d->log[end].outcome, "skipped") == 0, "press skipped");
        CHECK(find_act(d, end, ACT_SAY, "Skipping Press-up") > end, "skip said");
        CHECK(find_act(d, end, ACT_EXERCISE_START, "bent") > end, "next exercise follows");
        CHECK_INT(count_acts(d, ACT_VERDICT, "better"), 2);
        CHECK_INT(session_end_reason(d->s), END_COMPLETED);
        driver_free(d);
    }
    /* stop session: no carries on, yes ends */
    {
        const char *answers[] = {"no", "no", "no", "no", "no", "no", "yes"};
        trigger tr[] = {{ACT_SAY, SAY_COUNT, "One", 1, 100, "stop", 0},
                        {ACT_SAY, SAY_COUNT, "One", 3, 100, "stop", 0}};
        driver *d = driver_new(&demo, &flare, p, NULL, answers, N(answers));
        d->triggers = tr;
        d->ntriggers = 2;
        RUN(d, 600000);
        check_invariants(d, "stop");
        CHECK_INT(count_acts(d, ACT_SAY, "Do you want to stop the session"), 2);
        CHECK_INT(session_end_reason(d->s), END_USER_STOP);
        CHECK_INT(count_acts(d, ACT_EXERCISE_END, "stopped"), 1);
        if (check_failed)
            dump(d);
        driver_free(d);
    }
}

static void test_checkin_worse(const prompts *p) {
    /* worse at the check-in: stop, ask where; calf is further down than the
     * baseline thigh: peripheralization, easier version offered; no: move on. */
    const char *answers[] = {"no", "no",    "no",   "no", "yes",    "thigh",
                             "3",  "worse", "calf", "no", "better", "better"};
    driver *d = driver_new(&demo, &flare, p, NULL, answers, N(answers));
    RUN(d, 600000);
    check_invariants(d, "worse");
    int w = find_act(d, 0, ACT_VERDICT, "worse");
    CHECK(w >= 0 && d->log[w].verdict == VERDICT_STOP_EXERCISE, "worse stops");
    CHECK(find_act(d, w, ACT_SAY, "Where do you feel it now") > w, "asks where");
    int pv = find_act(d, w, ACT_VERDICT, "peripheralization");
    CHECK(pv > w && d->log[pv].verdict == VERDICT_STOP_EXERCISE &&
              d->log[pv + 1].type == ACT_VERDICT && d->log[pv + 1].verdict == VERDICT_OFFER_EASIER,
          "calf below thigh: stop, then offer easier");
    CHECK(find_act(d, pv, ACT_SAY, "we'll move on") > pv, "declined");
    CHECK_INT(session_end_reason(d->s), END_COMPLETED);
    if (check_failed)
        dump(d);
    driver_free(d);
}

static void test_sharp_twice(const prompts *p) {
    const char *answers[] = {"no", "no", "no", "no", "no", "yes", "sharp", "no"};
    trigger tr[] = {{ACT_SAY, SAY_COUNT, "One", 1, 200, "sharp", 0}};
    driver *d = driver_new(&demo, &flare, p, NULL, answers, N(answers));
    d->triggers = tr;
    d->ntriggers = 1;
    RUN(d, 600000);
    check_invariants(d, "sharp");
    CHECK_INT(count_acts(d, ACT_VERDICT, "sharp_pain"), 2);
    CHECK(find_act(d, 0, ACT_SAY, "go on to the next exercise") >= 0, "asked to go on");
    CHECK_INT(session_end_reason(d->s), END_SAFETY);
    CHECK(find_act(d, 0, ACT_SAY, "pillow between your knees") >= 0, "positioning advice");
    if (check_failed)
        dump(d);
    driver_free(d);
}

static void test_checkin_every(const prompts *p) {
    session_opts o;
    session_opts_default(&o);
    o.checkin_every = 1;
    o.screening = false;
    o.baseline = false;
    const char *answers[] = {"better", "better", "better", "better"};
    driver *d = driver_new(&demo, &flare, p, &o, answers, N(answers));
    RUN(d, 600000);
    check_invariants(d, "checkin_every");
    CHECK_INT(count_acts(d, ACT_SAY, "How does your leg feel now"), 4);
    CHECK_INT(count_acts(d, ACT_SAY, "bladder"), 0);
    CHECK_INT(session_end_reason(d->s), END_COMPLETED);
    driver_free(d);
}

static void test_sets(const prompts *p) {
    /* holds of 10 s or more are sets: `rest` between them and between sides */
    session_opts o;
    session_opts_default(&o);
    o.screening = false;
    o.baseline = false;
    const char *answers[] = {"same"};
    driver *d = driver_new(&long_holds, NULL, p, &o, answers, N(answers));
    RUN(d, 600000);
    check_invariants(d, "sets");
    CHECK_INT(count_acts(d, ACT_SAY, "Rest for five seconds"), 3);
    CHECK_INT(check_hold_timing(d, "sets"), 4);
    CHECK_INT(count_acts(d, ACT_SAY, "Twelve"), 0); /* counts stop at hold-1 */
    CHECK_INT(count_acts(d, ACT_SAY, "Eleven"), 4);
    /* a rest lasts its seconds: from "Rest" to the next sentence */
    int r = find_act(d, 0, ACT_SAY, "Rest for");
    CHECK(r >= 0 && d->log[r + 1].t_ms - d->log[r].t_ms == 5000, "rest of 5 s");
    CHECK_INT(session_end_reason(d->s), END_COMPLETED);
    driver_free(d);
}

static void test_checkin_every_rep(const prompts *p) {
    session_opts o;
    session_opts_default(&o);
    o.checkin_every = 2;
    o.screening = false;
    o.baseline = false;
    const char *answers[20];
    for (int i = 0; i < 20; i++)
        answers[i] = "no"; /* each check-in: "no", then "no" to "any worse?" */
    driver *d = driver_new(&demo, &flare, p, &o, answers, N(answers));
    RUN(d, 600000);
    check_invariants(d, "checkin every rep");
    CHECK_INT(count_acts(d, ACT_SAY, "any worse than before"), 9);
    /* glide: after rep 1 and after each side (2 + 2), press 2 + 1, bent 1 + 1 */
    CHECK_INT(count_acts(d, ACT_SAY, "How does your leg feel now"), 9);
    CHECK_INT(count_acts(d, ACT_VERDICT, "same"), 9);
    CHECK_INT(session_end_reason(d->s), END_COMPLETED);
    CHECK_INT(count_acts(d, ACT_EXERCISE_END, "done"), 4);
    driver_free(d);
}

static void test_yes_no_checkins(const prompts *p) {
    session_opts o;
    session_opts_default(&o);
    o.yes_no_checkins = true;
    o.screening = false;
    o.baseline = false;
    const char *answers[] = {"no", "no", "yes", "calf", "no"};
    driver *d = driver_new(&demo, &flare, p, &o, answers, N(answers));
    RUN(d, 600000);
    check_invariants(d, "yes/no check-ins");
    CHECK_INT(count_acts(d, ACT_SAY, "How does your leg feel now"), 0);
    CHECK_INT(count_acts(d, ACT_SAY, "any worse than before"), 3);
    /* yes = worse: stop and ask where; calf is new leg pain: peripheralization,
     * no easier version for bent; "no" to going on ends the session */
    int w = find_act(d, 0, ACT_VERDICT, "worse");
    CHECK(w >= 0 && strcmp(d->log[w].id, "bent") == 0, "third exercise got worse");
    CHECK(find_act(d, w, ACT_VERDICT, "peripheralization") > w, "calf: peripheralization");
    CHECK_INT(session_end_reason(d->s), END_COMPLETED);
    if (check_failed)
        dump(d);
    driver_free(d);
}

static void test_noisy(const prompts *p) {
    const char *answers[] = {"no", "no", "no", "no", "no", "resume", "better", "better", "better"};
    trigger tr[] = {{ACT_SAY, SAY_COUNT, "One", 1, 100, "noisy", 0}};
    driver *d = driver_new(&demo, &flare, p, NULL, answers, N(answers));
    d->triggers = tr;
    d->ntriggers = 1;
    RUN(d, 600000);
    check_invariants(d, "noisy");
    int v = find_act(d, 0, ACT_VERDICT, "noisy");
    CHECK(v >= 0 && d->log[v].verdict == VERDICT_PAUSE, "noisy pauses");
    CHECK(find_act(d, v, ACT_SAY, "It's noisy here") > v, "says why");
    CHECK_INT(session_end_reason(d->s), END_COMPLETED);
    driver_free(d);
}

/* ---- the room check ---- */

static session_opts room_opts(void) {
    session_opts o;
    session_opts_default(&o);
    o.room_check = true;
    return o;
}

static void test_room_ok(const prompts *p) {
    const char *answers[] = {"no", "no", "no", "no", "no", "better", "better", "better"};
    const int rooms[] = {ROOM_OK};
    session_opts o = room_opts();
    driver *d = driver_new(&demo, &flare, p, &o, answers, N(answers));
    d->rooms = rooms;
    d->nrooms = N(rooms);
    RUN(d, 600000);
    check_invariants(d, "room ok");
    CHECK_INT(session_end_reason(d->s), END_COMPLETED);
    int howto = find_act(d, 0, ACT_SAY, "clap twice");
    int quiet = find_act(d, 0, ACT_SAY, "please stay quiet for a few seconds");
    int screen = find_act(d, 0, ACT_SAY, "bladder");
    CHECK(howto >= 0 && quiet > howto && screen > quiet,
          "the room check comes after the opening, before the screening");
    CHECK_INT(d->listen_ticks * 20, ROOM_LISTEN_MS);
    CHECK_INT(d->nlisten, 1);
    /* listening starts after the sentence has been said, not during it */
    CHECK(quiet >= 0 && d->nlisten == 1 &&
              d->listen_start[0] >= d->log[quiet].t_ms + say_duration(&d->log[quiet]),
          "listening starts after the request to be quiet");
    CHECK_INT(d->ri, 1);
    CHECK_INT(count_acts(d, ACT_SAY, "any worse than before"), 0);
    CHECK_INT(count_acts(d, ACT_SAY, "Before the next exercise"), 0);
    CHECK_INT(check_hold_timing(d, "room ok"), 2 * 2 + 3);
    CHECK_INT(session_room_quality(d->s), ROOM_OK);
    if (check_failed)
        dump(d);
    driver_free(d);
}

/* Without the runner's answer the check goes on by itself: never stuck. */
static void test_room_no_verdict(const prompts *p) {
    const char *answers[] = {"no", "no", "no", "no", "no", "better", "better", "better"};
    session_opts o = room_opts();
    driver *d = driver_new(&demo, &flare, p, &o, answers, N(answers));
    RUN(d, 600000);
    check_invariants(d, "room, no verdict");
    CHECK_INT(session_end_reason(d->s), END_COMPLETED);
    CHECK_INT(count_acts(d, ACT_SAY, "any worse than before"), 0);
    driver_free(d);
}

/* A marginal room: a yes/no check-in after every rep, the room checked
 * again before each next exercise; found OK again, as before. */
static void test_room_marginal(const prompts *p, bool recovers) {
    const char *answers[40];
    for (int i = 0; i < 40; i++)
        answers[i] = "no";
    const int marginal[] = {ROOM_MARGINAL, ROOM_MARGINAL, ROOM_MARGINAL};
    const int better[] = {ROOM_MARGINAL, ROOM_OK, ROOM_OK};
    session_opts o = room_opts();
    o.baseline = false;
    driver *d = driver_new(&demo, &flare, p, &o, answers, N(answers));
    d->rooms = recovers ? better : marginal;
    d->nrooms = 3;
    const char *name = recovers ? "room marginal, then ok" : "room marginal";
    RUN(d, 900000);
    check_invariants(d, name);
    CHECK_INT(session_end_reason(d->s), END_COMPLETED);
    CHECK_INT(count_acts(d, ACT_SAY, "How does your leg feel now"), recovers ? 2 : 0);
    /* marginal throughout: glide after rep 1 and after each side (2 + 2),
     * press 2 + 1, bent 1 + 1 = 9, all yes/no. Recovered after the first
     * exercise: glide 4, then "no" to the default check-in is asked again
     * as yes/no once per exercise: 2. */
    CHECK_INT(count_acts(d, ACT_SAY, "any worse than before"), recovers ? 6 : 9);
    /* ... asked at once with the long answers named while the room is
     * marginal; in the room found OK, as usual. The four safety questions
     * name them in every room. */
    CHECK_INT(count_acts(d, ACT_SAY, "Say yes, I do, or no, I don't"), 4 + (recovers ? 4 : 9));
    CHECK_INT(count_acts(d, ACT_SAY, "Before the next exercise"), recovers ? 1 : 2);
    CHECK_INT(d->nlisten, recovers ? 2 : 3);
    CHECK_INT(d->listen_ticks * 20, (recovers ? 2 : 3) * ROOM_LISTEN_MS);
    int between = find_act(d, 0, ACT_SAY, "Before the next exercise");
    int press = find_act(d, 0, ACT_SAY, "Next exercise: Press-up");
    int press_start = find_act(d, 0, ACT_EXERCISE_START, "press");
    CHECK(between >= 0 && press > between && press_start > press,
          "the room is checked again before the next exercise");
    CHECK_INT(check_hold_timing(d, name), 2 * 2 + 3);
    CHECK_INT(count_acts(d, ACT_EXERCISE_END, "done"), 4);
    if (check_failed)
        dump(d);
    driver_free(d);
}

/* Too noisy twice: say so, wait, listen again, then end without starting. */
static void test_room_too_noisy(const prompts *p, bool then_ok) {
    const char *answers[] = {"no", "no", "no", "no", "no", "better", "better", "better"};
    const int rooms[] = {ROOM_TOO_NOISY, then_ok ? ROOM_OK : ROOM_TOO_NOISY};
    session_opts o = room_opts();
    driver *d = driver_new(&demo, &flare, p, &o, answers, N(answers));
    d->rooms = rooms;
    d->nrooms = N(rooms);
    const char *name = then_ok ? "room too noisy, then ok" : "room too noisy";
    RUN(d, 600000);
    check_invariants(d, name);
    int warn = find_act(d, 0, ACT_SAY, "It's noisy here and I may not hear you");
    int again = find_act(d, 0, ACT_SAY, "Let me listen to the room again");
    CHECK(warn >= 0 && again > warn, "%s: warns, then listens again", name);
    CHECK(warn >= 0 && again > warn &&
              d->log[again].t_ms - d->log[warn].t_ms >= ROOM_RETRY_MS + say_duration(&d->log[warn]),
          "%s: waits for the noise to be turned off", name);
    CHECK_INT(d->nlisten, 2);
    int v = find_act(d, 0, ACT_VERDICT, "noisy");
    CHECK(v >= 0 && v < warn && d->log[v].verdict == VERDICT_PAUSE, "%s: verdict pause noisy",
          name);
    if (then_ok) {
        CHECK_INT(session_end_reason(d->s), END_COMPLETED);
        CHECK(find_act(d, again, ACT_SAY, "bladder") > again, "screening after the room is fine");
    } else {
        CHECK_INT(session_end_reason(d->s), END_ERROR);
        const session_action *end = last_act(d, ACT_END);
        CHECK(end && strcmp(end->text, "too noisy") == 0, "ended with the message too noisy");
        CHECK(find_act(d, again, ACT_SAY, "dash dash text") > again, "suggests the console mode");
        CHECK_INT(count_acts(d, ACT_SAY, "bladder"), 0);
        CHECK_INT(count_acts(d, ACT_EXERCISE_START, NULL), 0);
    }
    if (check_failed)
        dump(d);
    driver_free(d);
}

/* The verdict from the screening replies comes while a question is open. */
static void test_room_noisy_in_screening(const prompts *p, bool then_ok) {
    const char *answers[40];
    answers[0] = "silence"; /* the verdict comes before the first answer */
    for (int i = 1; i < 40; i++)
        answers[i] = "no";
    const int rooms[] = {ROOM_OK, then_ok ? ROOM_MARGINAL : ROOM_TOO_NOISY};
    trigger tr[] = {{ACT_SAY, SAY_PROMPT, "bladder", 1, 2500, "room_too_noisy", 0}};
    session_opts o = room_opts();
    driver *d = driver_new(&demo, &flare, p, &o, answers, N(answers));
    d->rooms = rooms;
    d->nrooms = N(rooms);
    d->triggers = tr;
    d->ntriggers = 1;
    const char *name = then_ok ? "noisy in screening, then marginal" : "noisy in screening";
    RUN(d, 900000);
    check_invariants(d, name);
    int q1 = find_act(d, 0, ACT_SAY, "bladder");
    int cancel = find_act(d, q1, ACT_CANCEL_SPEECH, NULL);
    int warn = find_act(d, q1, ACT_SAY, "It's noisy here");
    CHECK(q1 >= 0 && cancel > q1 && warn > cancel, "%s: stops and warns", name);
    if (then_ok) {
        CHECK(find_act(d, warn, ACT_SAY, "bladder") > warn, "the question is asked again");
        CHECK_INT(session_end_reason(d->s), END_COMPLETED);
        CHECK_INT(session_room_quality(d->s), ROOM_MARGINAL);
        CHECK(count_acts(d, ACT_SAY, "any worse than before") >= 7,
              "marginal: yes/no check-ins after every rep");
    } else {
        CHECK_INT(session_end_reason(d->s), END_ERROR);
        CHECK_INT(count_acts(d, ACT_EXERCISE_START, NULL), 0);
    }
    if (check_failed)
        dump(d);
    driver_free(d);
}

static void test_centralization(const prompts *p) {
    const char *answers[] = {"no",   "no", "no",     "no",     "yes",
                             "calf", "3",  "better", "better", "better"};
    trigger tr[] = {{ACT_SAY, SAY_COUNT, "One", 1, 300, "central", 0}};
    driver *d = driver_new(&demo, &flare, p, NULL, answers, N(answers));
    d->triggers = tr;
    d->ntriggers = 1;
    RUN(d, 600000);
    check_invariants(d, "central");
    int v = find_act(d, 0, ACT_VERDICT, "centralization");
    CHECK(v >= 0 && d->log[v].verdict == VERDICT_CONTINUE, "centralization continues");
    CHECK(v >= 0 && d->log[v - 1].type != ACT_CANCEL_SPEECH, "count not stopped");
    int good = find_act(d, v, ACT_SAY, "good sign");
    int rel = find_act(d, v, ACT_SAY, "Release.");
    CHECK(good > rel && rel > v, "good sign said after the rep");
    CHECK_INT(check_hold_timing(d, "central"), 2 * 2 + 3);
    CHECK_INT(session_end_reason(d->s), END_COMPLETED);
    driver_free(d);
}

static void test_describe(const prompts *p) {
    const char *answers[] = {"no", "no", "no", "no", "no"};
    trigger tr[] = {{ACT_SAY, SAY_COUNT, "One", 1, 0, "pause", 0}};
    driver *d = driver_new(&demo, &flare, p, NULL, answers, N(answers));
    (void)tr;
    /* run until the first count, then look at the status line */
    session_event ev;
    memset(&ev, 0, sizeof ev);
    ev.type = SEV_START;
    feed(d, &ev);
    char buf[256] = "";
    for (d->t = 0; d->t < 200000; d->t += 20) {
        for (int i = 0; i < d->npend; i++)
            if (d->pend[i].due <= d->t) {
                memset(&ev, 0, sizeof ev);
                ev.type = SEV_SAID;
                ev.t_ms = d->t;
                ev.say_id = d->pend[i].id;
                d->pend[i--] = d->pend[--d->npend];
                feed(d, &ev);
            }
        if (session_awaiting_reply(d->s) && d->npend == 0 && d->ai < d->nanswers) {
            deliver(d, d->answers[d->ai++]);
        }
        memset(&ev, 0, sizeof ev);
        ev.type = SEV_TICK;
        ev.t_ms = d->t;
        feed(d, &ev);
        if (session_in_hold(d->s)) {
            session_describe(d->s, d->t + 20, buf, sizeof buf);
            break;
        }
    }
    CHECK_CONTAINS(buf, "Supine glide");
    CHECK_CONTAINS(buf, "rep 1/2");
    CHECK_CONTAINS(buf, "left");
    CHECK_CONTAINS(buf, "hold 3 s left");
    long dl = session_next_deadline(d->s);
    CHECK(dl > d->t && dl % 20 == 0, "next deadline ahead and on the 20 ms grid");
    driver_free(d);
}

/* ---- prompts: the loader and the filling of placeholders ---- */

static prompts *load_text(const char *dir, const char *text, fc_err *err) {
    char path[512];
    snprintf(path, sizeof path, "%s/prompts.cfg", dir);
    FILE *f = fopen(path, "w");
    if (!f)
        return NULL;
    fputs(text, f);
    fclose(f);
    prompts *p = prompts_load(path, err);
    remove(path);
    return p;
}

static void test_prompts_loader(const prompts *real) {
    char dir[] = "/tmp/fc_prompts_XXXXXX";
    if (!mkdtemp(dir)) {
        CHECK(0, "mkdtemp");
        return;
    }
    fc_err err;
    memset(&err, 0, sizeof err);
    prompts *p = load_text(
        dir, "# a comment\nprompts = {\n  hello = \"Hello {name}, {n} {n}.\";\n};\n", &err);
    CHECK(p != NULL, "a small file loads: %s", err.msg);
    if (p) {
        CHECK_STR(prompts_get(p, "hello"), "Hello {name}, {n} {n}.");
        const char *m1 = prompts_get(p, "nothing");
        const char *m2 = prompts_get(p, "nothing");
        CHECK_STR(m1, "[nothing]");
        CHECK(m1 == m2, "a missing key gives the same string each time");
        CHECK(prompts_get(p, NULL) != NULL, "NULL key is not NULL");
        CHECK(!prompts_has(p, "nothing") && prompts_has(p, "hello"), "prompts_has");
        char buf[64];
        CHECK_STR(prompts_fill(p, "hello", buf, sizeof buf, "name", "Ann", "n", "3", (char *)NULL),
                  "Hello Ann, 3 3.");
        CHECK_STR(prompts_fill(p, "hello", buf, sizeof buf, "name", "Ann", (char *)NULL),
                  "Hello Ann, {n} {n}.");
        CHECK_STR(prompts_fill(p, "hello", buf, 8, "name", "Ann", (char *)NULL), "Hello A");
        prompts_free(p);
    }
    CHECK(prompts_get(NULL, "x") != NULL, "no prompts: not NULL");
    prompts_free(NULL);

    static const struct {
        const char *text, *want;
    } bad[] = {
        {"prompts = {\n  a = \"x\";\n};\n@include \"other.cfg\"\n", "prompts.cfg:4: @include"},
        {"prompts = {\n  a = \"x\";\n  b = 3;\n};\n", "prompts.cfg:3: prompt `b`"},
        {"prompts = {\n  a = \"x\";\n  b = ;\n};\n", "prompts.cfg:3:"},
        {"other = {\n  a = \"x\";\n};\n", "expected a group `prompts"},
        {"prompts = ( \"x\" );\n", "prompts.cfg:1: expected a group"},
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        memset(&err, 0, sizeof err);
        p = load_text(dir, bad[i].text, &err);
        CHECK(p == NULL, "bad file %zu refused", i);
        CHECK_CONTAINS(err.msg, bad[i].want);
        prompts_free(p);
    }
    memset(&err, 0, sizeof err);
    CHECK(prompts_load("/nonexistent/prompts.cfg", &err) == NULL && err.msg[0], "missing file: %s",
          err.msg);
    rmdir(dir);

    /* numbers and counts from the real file */
    char num[64];
    static const struct {
        int n;
        const char *words;
    } nums[] = {
        {0, "zero"},   {7, "seven"},        {13, "thirteen"},     {21, "twenty one"},
        {40, "forty"}, {99, "ninety nine"}, {100, "one hundred"}, {119, "one hundred nineteen"},
        {-1, "-1"},    {1000, "1000"}};
    for (size_t i = 0; i < sizeof nums / sizeof nums[0]; i++)
        CHECK_STR(prompts_number(real, nums[i].n, num, sizeof num), nums[i].words);
    CHECK_STR(prompts_capitalize(prompts_number(real, 2, num, sizeof num)), "Two");

    /* every key the session may say is in the real file */
    size_t nkeys = 0;
    const char *const *keys = session_prompt_keys(&nkeys);
    CHECK(nkeys > 100, "keys listed");
    for (size_t i = 0; i < nkeys; i++)
        CHECK(prompts_has(real, keys[i]), "voices/en-us/prompts.cfg has `%s`", keys[i]);
}

/* Random replies at random moments, sentences that take random times and
 * cancelled sentences that may or may not report SAID: whatever happens,
 * the session never emits after its end, never goes back in time, never
 * gets stuck, and never says an unfilled sentence. */
static unsigned long rng_state = 12345;
static unsigned rnd(unsigned n) {
    rng_state = rng_state * 6364136223846793005ul + 1442695040888963407ul;
    return (unsigned)((rng_state >> 33) % n);
}

static void test_random(const prompts *p) {
    static const char *const pool[] = {
        "no",        "yes",      "better",        "same",          "worse",
        "spreading", "tingling", "weak",          "central",       "sharp",
        "back",      "thigh",    "calf",          "foot",          "3",
        "9",         "pause",    "resume",        "repeat",        "skip",
        "slower",    "faster",   "stop",          "help",          "howlong",
        "nonsense",  "unclear",  "clap",          "noisy",         "?spreading",
        "?better",   "?no",      "redflag",       "silence",       "?redflag",
        "0",         "room_ok",  "room_marginal", "room_too_noisy"};
    int failures_before = check_failed;
    for (int run_i = 0; run_i < 300 && check_failed == failures_before; run_i++) {
        const char *answers[60];
        for (int i = 0; i < 60; i++)
            answers[i] = pool[rnd(sizeof pool / sizeof pool[0])];
        /* mostly harmless answers early on, so runs get into the exercises */
        for (int i = 0; i < 6; i++)
            if (rnd(10) != 0)
                answers[i] = "no";
        for (int i = 6; i < 60; i++)
            if (rnd(3) == 0)
                answers[i] = rnd(2) ? "better" : "same";
        session_opts o;
        session_opts_default(&o);
        o.checkin_every = (int)rnd(3);
        o.baseline = rnd(4) != 0;
        o.screening = rnd(4) != 0;
        o.reply_wait_ms = 1000 + 20 * (int)rnd(300);
        o.room_check = rnd(2) != 0;
        static const int room_script[] = {ROOM_OK,        ROOM_MARGINAL,  ROOM_TOO_NOISY, ROOM_OK,
                                          ROOM_TOO_NOISY, ROOM_TOO_NOISY, ROOM_MARGINAL};
        int room_from = (int)rnd(7);
        driver *d = driver_new(rnd(5) ? &demo : &long_holds, rnd(2) ? &flare : NULL, p, &o, answers,
                               N(answers));
        d->drop_cancelled = rnd(2) != 0;
        d->rooms = room_script + room_from;
        d->nrooms = 7 - room_from;
        d->answer_delay_ms = 20 * (long)rnd(200);
        trigger tr[6];
        for (int k = 0; k < 6; k++) {
            tr[k].type = ACT_SAY;
            tr[k].kind = (int)rnd(5) - 1;
            tr[k].contains = NULL;
            tr[k].occurrence = 1 + (int)rnd(40);
            tr[k].delay_ms = 20 * (long)rnd(150);
            tr[k].word = pool[rnd(sizeof pool / sizeof pool[0])];
            tr[k].seen = 0;
        }
        d->triggers = tr;
        d->ntriggers = 6;
        char name[32];
        snprintf(name, sizeof name, "random %d", run_i);
        RUN(d, 1800000);
        if (!session_done(d->s)) {
            /* whatever state it is in, an interrupt ends it */
            session_event ev;
            memset(&ev, 0, sizeof ev);
            ev.type = SEV_INTERRUPT;
            ev.t_ms = d->t;
            feed(d, &ev);
        }
        check_invariants(d, name);
        CHECK(d->max_batch < 64, "%s: %d actions in one batch", name, d->max_batch);
        if (check_failed != failures_before)
            dump(d);
        driver_free(d);
    }
}

int main(void) {
    prompts *p = load_prompts();
    CHECK(p != NULL, "prompts load");
    if (!p)
        return check_report();
    test_full_routine(p);
    test_all_no(p);
    test_periph_mid_hold(p);
    test_two_periph(p);
    test_red_flag_in_rest(p, false);
    test_red_flag_in_rest(p, true);
    test_screening_red_flag(p);
    test_screening_red_flag_phrase(p, "yes");
    test_screening_red_flag_phrase(p, "silence");
    test_screening_red_flag_phrase(p, "no");
    test_red_flag_denied(p);
    test_flare(p, true, "9");
    test_flare(p, false, "8");
    test_flare(p, true, "sharp");
    test_score_yes_no(p, "nonsense", "no");
    test_score_yes_no(p, "silence", "no");
    test_score_yes_no(p, "nonsense", "?no");
    test_score_yes_no(p, "unclear", "yes");
    test_low_confidence(p, "yes");
    test_low_confidence(p, "no");
    test_low_confidence(p, "silence");
    test_unsure_answer(p, "?no");
    test_unsure_answer(p, "?yes");
    test_unsure_better(p);
    /* the same in the person's own voice is not confidently anything: it
     * stops the count and asks, and "carry on" restarts the rep */
    test_unclear(p, "^?better", "unclear_speech");
    test_unclear(p, "unclear", "unclear_speech");
    /* a yes or no that answers no question, in their own voice */
    test_unclear(p, "^no", "unclear_speech");
    test_unclear(p, "^yes", "unclear_speech");
    test_stray_answer(p, "no"); /* not in their voice: the count goes on */
    test_stray_answer(p, "yes");
    test_unclear(p, "clap", "clap");
    test_tail_not_answer(p, "~resume", 100, false);
    test_tail_not_answer(p, "~resume", 600, false); /* begun 400 ms in */
    test_tail_not_answer(p, "~better", 100, false);
    test_tail_not_answer(p, "~resume", 1500, true);
    /* The first question lasts 2.88 s in the test driver. */
    test_screen_over_question(p, "~no", 2200, false);  /* heard while it is said */
    test_screen_over_question(p, "~~no", 3200, false); /* begun 2.2 s into it */
    test_screen_over_question(p, "~~no", 3500, true);  /* begun in its last 0.5 s */
    test_screen_over_question(p, "~no", 3300, true);   /* begun after it */
    test_end_events(p, "deaf", END_ERROR, "can no longer hear");
    test_end_events(p, "interrupt", END_USER_STOP, "Goodbye");
    test_no_input(p);
    test_silence(p);
    test_pause_remind(p);
    test_controls(p);
    test_checkin_worse(p);
    test_sharp_twice(p);
    test_checkin_every(p);
    test_noisy(p);
    test_yes_no_checkins(p);
    test_sets(p);
    test_checkin_every_rep(p);
    test_centralization(p);
    test_room_ok(p);
    test_room_no_verdict(p);
    test_room_marginal(p, false);
    test_room_marginal(p, true);
    test_room_too_noisy(p, false);
    test_room_too_noisy(p, true);
    test_room_noisy_in_screening(p, false);
    test_room_noisy_in_screening(p, true);
    test_describe(p);
    test_prompts_loader(p);
    test_random(p);
    prompts_free(p);
    return check_report();
}
