/* session: the routine interpreter. Walks a person through a routine one
 * "unit" at a time (a sentence group, a question, a rep, a rest); replies,
 * clock ticks and ends of sentences move it on. No I/O, no clock. */
#include "session.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define QMAX 32         /* items queued for the current unit (a rep: ROUTINE_MAX_STEPS + 4) */
#define SAY_MAX 1200    /* = sizeof session_action.text */
#define GAP_MS 400      /* silence after a sentence, at pace 1 */
#define REP_GAP_MS 1500 /* silence after a rep, at pace 1 */
#define REST_CUE_S 10   /* "10 seconds left" in rests of REST_CUE_MIN_S or more */
#define REST_CUE_MIN_S 20
/* Speech that began less than this after a question was said started before
 * the person could have heard what it asks ("Did you say..." takes a
 * second): it is the rest of what they were saying, not an answer to it. A
 * benchmark session had "tingling | in my foot" cut in two, the tail heard as
 * "no" 370 ms into the question it raised. */
#define ANSWER_AFTER_MS 1000
/* A red-flag question is answered once it has been heard: a yes or no that
 * began before its last half second is someone else's (the session
 * benchmark's TV said "not really" over "Do you have pain in both legs?",
 * and that "no" cleared the question). */
#define SCREEN_EARLY_MS 500
#define NSCREEN 4 /* red-flag screening questions */
/* A pause for an answer not heard reminds the person this often, this many
 * times: their "carry on" may not have been understood either. */
#define PAUSE_REMIND_MS 30000
#define PAUSE_REMINDERS 3
#define SET_HOLD_S 10 /* a rep held this long is a set: `rest` follows it */
#define BIT(i) (1ul << (unsigned)(i))

_Static_assert(ROUTINE_MAX_STEPS + 4 <= QMAX, "a rep's sentences fit in the queue");

static const double paces[] = {0.5, 0.7, 1.0, 1.4, 2.0}; /* multiplier of gaps and rests */
#define NPACES (int)(sizeof paces / sizeof paces[0])
#define PACE_DEFAULT 2

typedef enum item_type {
    IT_SAY,
    IT_HOLD,
    IT_REST,
    IT_ASK,
    IT_PAUSE,
    IT_FINISH,
    IT_WAIT,   /* silence for `secs` milliseconds */
    IT_LISTEN, /* the room check's quiet listening */
    IT_ROOM    /* wait for the room check's verdict (SEV_ROOM) */
} item_type;

typedef enum question {
    Q_NONE = 0,
    Q_SCREEN,
    Q_BASE_PAIN,
    Q_BASE_WHERE,
    Q_BASE_SCORE,
    Q_BASE_SCORE_YN, /* the pain score as yes or no: "is it severe?" */
    Q_CHECKIN,
    Q_CHECKIN_YN,
    Q_WHERE,
    Q_WHERE_YN,
    Q_OFFER,
    Q_GO_ON,
    Q_STOP,
    Q_CONFIRM,
    Q_UNCLEAR
} question;

typedef struct item {
    item_type type;
    say_kind kind;
    int gap_ms;     /* IT_SAY: silence after it, before the pace is applied */
    int secs;       /* IT_HOLD, IT_REST (seconds); IT_WAIT (milliseconds) */
    question q;     /* IT_ASK */
    end_reason end; /* IT_FINISH */
    char text[SAY_MAX];
} item;

typedef enum unit_kind {
    U_OPENING,
    U_INTRO,
    U_SCREEN,
    U_BASE_PAIN,
    U_BASE_WHERE,
    U_BASE_SCORE,
    U_EX_INTRO,
    U_SIDE,
    U_REP,
    U_CHECKIN,     /* after a side or the whole exercise */
    U_REP_CHECKIN, /* after a rep (checkin_every 2) */
    U_REST,        /* n = 0: between sides, n = 1: between sets (long holds) */
    U_WHERE,
    U_OFFER,
    U_GO_ON,
    U_NEXT,
    U_SUMMARY,
    U_ROOM /* a room check; n: ROOM_FIRST, ROOM_AGAIN or ROOM_BETWEEN */
} unit_kind;

/* The room checks: before the screening; again after "it's noisy here";
 * before each next exercise in a marginal room. */
enum { ROOM_FIRST, ROOM_AGAIN, ROOM_BETWEEN };

typedef struct unit {
    unit_kind kind;
    int n;    /* U_SCREEN: question index */
    int side; /* index into the exercise's sides */
    int rep;  /* 0-based */
} unit;

typedef enum wait_kind {
    W_NONE,
    W_SAID,
    W_UNTIL,
    W_HOLD,
    W_REST,
    W_REPLY,
    W_PAUSED,
    W_LISTEN, /* the room check listens until `deadline` */
    W_ROOM    /* the room check waits for SEV_ROOM until `deadline` */
} wait_kind;

struct session {
    const routine *r, *flare;
    const prompts *p;
    session_opts o;
    session_opts o0; /* as given: a room found OK again restores them */
    safety_state safety;
    bool started, done, switched, input_ended;
    end_reason end;
    unsigned next_id;
    int pace;

    /* the plan: exercise indexes in the order they are run */
    int *plan;
    size_t nplan;
    bool *begun; /* per exercise of r: already run in this session */
    int pi;      /* index into plan, -1 before the first exercise */
    int ex;      /* exercise index of the current exercise, -1 when none */
    int ndone, nstopped, nskipped;
    int ex_result; /* worst outcome of the current exercise: 0 none, 1 done, 2 stopped, 3 skipped */

    unit walk;          /* where in the routine we are */
    question ij;        /* a question asked on top of the walk (confirm, stop, unclear...) */
    question q;         /* the question awaiting an answer now, Q_NONE when none */
    int asks;           /* how many times q was asked since it was opened */
    bool remind;        /* the pause is for an answer not heard: remind the person */
    int reminders;      /* ... how many times so far */
    long remind_at;     /* ... next at this time (ms); -1: not */
    bool unclear_reask; /* the next ask of q uses its "again" wording */
    long reply_deadline;
    long prompt_ms; /* when the last question or prompt was said; -1: none yet */
    unsigned ask_id;
    long asked_ms; /* when the question `ask_id` finished playing; -1: not yet */
    /* pending reply to confirm (Q_CONFIRM) */
    intent pend_intent;
    int pend_value;

    bool in_ex; /* between ACT_EXERCISE_START and ACT_EXERCISE_END */
    item queue[QMAX];
    int qhead, qlen;

    wait_kind wait;
    unsigned wait_id;
    int wait_gap;
    long deadline;
    unsigned speaking; /* id of the last sentence whose SAID has not come, 0 when none */
    long hold_start;
    int hold_secs, next_count;
    long rest_end, rest_cue;

    /* room check */
    room_quality room;  /* the last verdict */
    bool room_back_set; /* a check interrupted the walk: go back there after it */
    unit room_back;
    question room_back_ij;
    char end_msg[32]; /* ACT_END text for END_ERROR ("too noisy") */

    /* output of the current session_handle call */
    session_action *out;
    int nout, max;
    long now;
};

/* ---- names ---- */

static const char *const kind_names[] = {"instruction", "count", "prompt", "safety", "info"};
static const char *const end_names[] = {"none",   "completed", "user_stop",
                                        "safety", "red_flag",  "error"};

const char *say_kind_name(say_kind k) {
    if ((unsigned)k >= sizeof kind_names / sizeof kind_names[0])
        return "info";
    return kind_names[k];
}

const char *end_reason_name(end_reason r) {
    if ((unsigned)r >= sizeof end_names / sizeof end_names[0])
        return "error";
    return end_names[r];
}

/* Suffix of the prompts key paraphrasing a reply ("heard_spreading"). Kept
 * here rather than taken from intent.c so the session needs only the enum. */
static const char *heard_key(intent i) {
    switch (i) {
    case INTENT_BETTER:
        return "heard_better";
    case INTENT_SAME:
        return "heard_same";
    case INTENT_WORSE:
        return "heard_worse";
    case INTENT_SPREADING:
        return "heard_spreading";
    case INTENT_NERVE_SIGNS:
        return "heard_nerve_signs";
    case INTENT_WEAKNESS:
        return "heard_weakness";
    case INTENT_CENTRALIZING:
        return "heard_centralizing";
    case INTENT_SHARP_PAIN:
        return "heard_sharp_pain";
    case INTENT_RED_FLAG:
        return "heard_red_flag";
    case INTENT_LOCATION:
        return "heard_location";
    case INTENT_PAIN_SCORE:
        return "heard_pain_score";
    default:
        return "heard_other";
    }
}

static const char *place_key(int loc) {
    static const char *const keys[] = {"place_none", "place_back", "place_buttock", "place_thigh",
                                       "place_knee", "place_calf", "place_foot"};
    if (loc < 0 || loc >= LOC_COUNT)
        return keys[0];
    return keys[loc];
}

static bool is_safety_intent(intent i) {
    return i >= INTENT_BETTER && i <= INTENT_PAIN_SCORE;
}

/* Every prompts key the session and the safety checker may say. */
static const char *const prompt_keys[] = {
    "disclaimer",
    "howto",
    "screen_intro",
    "screen_1",
    "screen_1_again",
    "screen_2",
    "screen_2_again",
    "screen_3",
    "screen_3_again",
    "screen_4",
    "screen_4_again",
    "base_pain",
    "base_pain_again",
    "base_where",
    "base_where_again",
    "base_score",
    "base_score_again",
    "base_score_yn",
    "base_score_yn_again",
    "baseline_thanks",
    "exercise_first",
    "exercise_next",
    "side_now",
    "side_left",
    "side_right",
    "rep",
    "hold",
    "release",
    "rest",
    "rest_left",
    "checkin",
    "checkin_again",
    "checkin_yn",
    "checkin_yn_again",
    "where",
    "where_again",
    "where_yn",
    "where_yn_again",
    "offer_easier",
    "offer_easier_again",
    "offer_declined",
    "go_on",
    "go_on_again",
    "confirm",
    "confirm_again",
    "confirm_no",
    "heard_better",
    "heard_same",
    "heard_worse",
    "heard_spreading",
    "heard_nerve_signs",
    "heard_weakness",
    "heard_centralizing",
    "heard_sharp_pain",
    "heard_red_flag",
    "heard_location",
    "heard_pain_score",
    "heard_other",
    "place_none",
    "place_back",
    "place_buttock",
    "place_thigh",
    "place_knee",
    "place_calf",
    "place_foot",
    "unclear",
    "unclear_again",
    "paused",
    "pause_silence",
    "resuming",
    "carrying_on",
    "help",
    "how_long",
    "how_long_reps",
    "pace_slower",
    "pace_faster",
    "pace_slowest",
    "pace_fastest",
    "skip",
    "skip_not_now",
    "stop_confirm",
    "stop_confirm_again",
    "stop_goodbye",
    "end_user_stop",
    "summary",
    "goodbye",
    "noisy",
    "room_quiet",
    "room_noisy",
    "room_again",
    "room_between",
    "room_stop",
    "deaf",
    "interrupt_goodbye",
    "end_no_input",
    "safety_red_flag",
    "safety_periph_stop",
    "safety_nerve_stop",
    "safety_weakness_stop",
    "safety_periph_end",
    "safety_sharp_stop",
    "safety_sharp_end",
    "safety_score_rise",
    "safety_worse",
    "safety_worse_end",
    "safety_central",
    "safety_better",
    "safety_same",
    "safety_location",
    "safety_score_ok",
    "safety_flare_switch",
    "safety_flare_end",
    "num_0",
    "num_1",
    "num_2",
    "num_3",
    "num_4",
    "num_5",
    "num_6",
    "num_7",
    "num_8",
    "num_9",
    "num_10",
    "num_11",
    "num_12",
    "num_13",
    "num_14",
    "num_15",
    "num_16",
    "num_17",
    "num_18",
    "num_19",
    "num_20",
    "num_30",
    "num_40",
    "num_50",
    "num_60",
    "num_70",
    "num_80",
    "num_90",
    "num_100",
};

const char *const *session_prompt_keys(size_t *n) {
    if (n)
        *n = sizeof prompt_keys / sizeof prompt_keys[0];
    return prompt_keys;
}

/* ---- options, creation ---- */

void session_opts_default(session_opts *opts) {
    opts->baseline = true;
    opts->screening = true;
    opts->reply_wait_ms = 8000;
    opts->checkin_every = 0;
    opts->yes_no_checkins = false;
    opts->room_check = false;
}

static void plan_reset(session *s) {
    free(s->plan);
    free(s->begun);
    size_t n = s->r->nexercises;
    s->plan = xcalloc(n + 1, sizeof *s->plan);
    s->begun = xcalloc(n + 1, sizeof *s->begun);
    s->nplan = 0;
    if (!s->plan || !s->begun)
        return;
    /* Exercises kept only as another one's easier version run when offered. */
    for (size_t i = 0; i < n; i++)
        if (!s->r->exercises[i].only_as_easier)
            s->plan[s->nplan++] = (int)i;
    s->pi = -1;
    s->ex = -1;
}

session *session_new(const routine *r, const routine *flare, const prompts *p,
                     const session_opts *opts) {
    if (!r || !p)
        return NULL;
    session *s = xcalloc(1, sizeof *s);
    if (!s)
        return NULL;
    s->r = r;
    s->flare = flare;
    s->p = p;
    if (opts)
        s->o = *opts;
    else
        session_opts_default(&s->o);
    if (s->o.reply_wait_ms <= 0)
        s->o.reply_wait_ms = 8000;
    s->o.reply_wait_ms = (s->o.reply_wait_ms + 19) / 20 * 20;
    s->o0 = s->o;
    s->room = ROOM_OK;
    safety_init(&s->safety);
    s->pace = PACE_DEFAULT;
    s->next_id = 1;
    s->reply_deadline = -1;
    s->remind_at = -1;
    s->prompt_ms = -1;
    s->asked_ms = -1;
    plan_reset(s);
    if (!s->plan || !s->begun) {
        session_free(s);
        return NULL;
    }
    return s;
}

void session_free(session *s) {
    if (!s)
        return;
    free(s->plan);
    free(s->begun);
    free(s);
}

/* ---- output ---- */

static session_action *emit(session *s, session_act_type type, long t) {
    if (s->done || !s->out || s->nout >= s->max)
        return NULL;
    session_action *a = &s->out[s->nout++];
    memset(a, 0, sizeof *a);
    a->type = type;
    a->t_ms = t;
    return a;
}

static const exercise *cur_ex(const session *s) {
    if (s->ex < 0 || (size_t)s->ex >= s->r->nexercises)
        return NULL;
    return &s->r->exercises[s->ex];
}

static int side_count(const exercise *e) {
    return e && e->sides == SIDES_BOTH ? 2 : 1;
}

static const char *side_name(const exercise *e, int si) {
    if (!e)
        return "";
    switch (e->sides) {
    case SIDES_LEFT:
        return "left";
    case SIDES_RIGHT:
        return "right";
    case SIDES_BOTH:
        return si == 0 ? "left" : "right";
    default:
        return "";
    }
}

static unsigned say_now(session *s, say_kind kind, const char *text, int n, int of) {
    session_action *a = emit(s, ACT_SAY, s->now);
    if (!a)
        return 0;
    a->kind = kind;
    a->say_id = s->next_id++;
    a->count_n = n;
    a->count_of = of;
    str_copy(a->text, text, sizeof a->text);
    s->speaking = a->say_id;
    if (kind == SAY_PROMPT)
        s->prompt_ms = s->now;
    return a->say_id;
}

/* Barge-in: stops what is being said. `always` for safety stops, where the
 * cancel must come first whatever the state of the speaker. */
static void cancel_speech(session *s, bool always) {
    if (always || s->speaking)
        emit(s, ACT_CANCEL_SPEECH, s->now);
    s->speaking = 0;
}

static void emit_verdict(session *s, verdict_type v, const char *reason, const char *text) {
    session_action *a = emit(s, ACT_VERDICT, s->now);
    if (!a)
        return;
    a->verdict = v;
    str_copy(a->reason, reason, sizeof a->reason);
    str_copy(a->text, text ? text : "", sizeof a->text);
    const exercise *e = cur_ex(s);
    str_copy(a->id, e ? e->id : "", sizeof a->id);
}

static void exercise_end(session *s, const char *outcome) {
    if (!s->in_ex)
        return;
    s->in_ex = false;
    const exercise *e = cur_ex(s);
    session_action *a = emit(s, ACT_EXERCISE_END, s->now);
    if (a) {
        str_copy(a->id, e ? e->id : "", sizeof a->id);
        str_copy(a->side, side_name(e, s->walk.side), sizeof a->side);
        str_copy(a->outcome, outcome, sizeof a->outcome);
    }
    int rank = strcmp(outcome, "done") == 0 ? 1 : strcmp(outcome, "skipped") == 0 ? 3 : 2;
    if (rank > s->ex_result)
        s->ex_result = rank;
}

/* Counts the exercise being left in the summary figures, once. */
static void tally(session *s) {
    if (s->ex_result == 1)
        s->ndone++;
    else if (s->ex_result == 2)
        s->nstopped++;
    else if (s->ex_result == 3)
        s->nskipped++;
    s->ex_result = 0;
}

static void exercise_start(session *s, int si) {
    const exercise *e = cur_ex(s);
    session_action *a = emit(s, ACT_EXERCISE_START, s->now);
    if (a) {
        str_copy(a->id, e ? e->id : "", sizeof a->id);
        str_copy(a->side, side_name(e, si), sizeof a->side);
    }
    s->in_ex = true;
}

static void finish(session *s, end_reason why, const char *text) {
    if (s->done)
        return;
    exercise_end(s, why == END_COMPLETED ? "done" : "stopped");
    if (text && text[0])
        say_now(s, why == END_SAFETY || why == END_RED_FLAG ? SAY_SAFETY : SAY_INFO, text, 0, 0);
    session_action *a = emit(s, ACT_END, s->now);
    if (a) {
        a->end = why;
        if (why == END_ERROR && s->input_ended)
            str_copy(a->text, "no more input", sizeof a->text);
        else if (why == END_ERROR && s->end_msg[0])
            str_copy(a->text, s->end_msg, sizeof a->text);
    }
    s->end = why;
    s->done = true;
    s->q = Q_NONE;
    s->wait = W_NONE;
    s->qlen = 0;
}

/* ---- text ---- */

static char *fill(const session *s, const char *key, char *buf, ...) {
    va_list ap;
    va_start(ap, buf);
    prompts_vfill(prompts_get(s->p, key), buf, SAY_MAX, ap);
    va_end(ap);
    return buf;
}

static int pace_ms(const session *s, double ms) {
    long v = (long)(ms * paces[s->pace] + 0.5);
    return (int)((v + 10) / 20 * 20);
}

/* ---- the queue ---- */

static void queue_clear(session *s) {
    s->qhead = 0;
    s->qlen = 0;
}

static item *push(session *s, item_type type) {
    if (s->qlen >= QMAX)
        return NULL;
    item *it = &s->queue[(s->qhead + s->qlen) % QMAX];
    s->qlen++;
    memset(it, 0, offsetof(item, text));
    it->text[0] = '\0';
    it->type = type;
    return it;
}

static void push_say(session *s, say_kind kind, const char *text, int gap_ms) {
    if (!text || !text[0])
        return;
    item *it = push(s, IT_SAY);
    if (!it)
        return;
    it->kind = kind;
    it->gap_ms = gap_ms;
    str_copy(it->text, text, sizeof it->text);
}

/* Puts a sentence in front of what is queued (said before the unit that was
 * just entered). */
static void push_front_say(session *s, say_kind kind, const char *text) {
    if (!text || !text[0] || s->qlen >= QMAX || s->done)
        return;
    s->qhead = (s->qhead + QMAX - 1) % QMAX;
    s->qlen++;
    item *it = &s->queue[s->qhead];
    memset(it, 0, offsetof(item, text));
    it->type = IT_SAY;
    it->kind = kind;
    it->gap_ms = GAP_MS;
    str_copy(it->text, text, sizeof it->text);
}

static void push_key(session *s, say_kind kind, const char *key) {
    push_say(s, kind, prompts_get(s->p, key), GAP_MS);
}

static void push_ask(session *s, question q) {
    item *it = push(s, IT_ASK);
    if (it)
        it->q = q;
}

static void push_finish(session *s, end_reason why, const char *text) {
    item *it = push(s, IT_FINISH);
    if (!it)
        return;
    it->end = why;
    str_copy(it->text, text ? text : "", sizeof it->text);
}

/* ---- walking the routine ---- */

static void enter(session *s, unit u);
static void restart(session *s);
static void room_go_on(session *s);

static void enter_kind(session *s, unit_kind k) {
    unit u = {k, 0, 0, 0};
    enter(s, u);
}

static int reps_left(const session *s) {
    const exercise *e = cur_ex(s);
    if (!e)
        return 0;
    int per = e->reps, sides = side_count(e);
    switch (s->walk.kind) {
    case U_EX_INTRO:
        return per * sides;
    case U_SIDE:
        return per * (sides - s->walk.side);
    case U_REP:
        return per - s->walk.rep + per * (sides - s->walk.side - 1);
    case U_REST:
    case U_REP_CHECKIN:
        if (s->walk.kind == U_REP_CHECKIN || s->walk.n == 1)
            return per - s->walk.rep - 1 + per * (sides - s->walk.side - 1);
        return per * (sides - s->walk.side - 1);
    default:
        return 0;
    }
}

static int exercises_left(const session *s) {
    int n = 0;
    for (size_t i = (size_t)(s->pi + 1); i < s->nplan; i++)
        if (!s->begun[s->plan[i]])
            n++;
    return n;
}

static void start_exercises(session *s) {
    enter_kind(s, U_NEXT);
}

static void after_screening(session *s) {
    if (s->o.baseline)
        enter_kind(s, U_BASE_PAIN);
    else
        start_exercises(s);
}

/* The check-in after a side or an exercise was answered without concern. */
static void checkin_done(session *s) {
    const exercise *e = cur_ex(s);
    bool last = s->walk.side + 1 >= side_count(e);
    exercise_end(s, "done");
    if (!last) {
        unit u = s->walk;
        u.kind = e->rest > 0 ? U_REST : U_SIDE;
        u.n = 0;
        if (u.kind == U_SIDE)
            u.side++;
        enter(s, u);
    } else {
        enter_kind(s, U_NEXT);
    }
}

/* After a rep that is not the last of its side: a rest when each rep is a
 * long hold (a set), then the next rep. */
static void next_rep(session *s) {
    const exercise *e = cur_ex(s);
    unit u = s->walk;
    if (e->hold >= SET_HOLD_S && e->rest > 0) {
        u.kind = U_REST;
        u.n = 1;
    } else {
        u.kind = U_REP;
        u.rep++;
    }
    enter(s, u);
}

static void side_done(session *s) {
    const exercise *e = cur_ex(s);
    bool last = s->walk.side + 1 >= side_count(e);
    if (e && e->check_in && (last || s->o.checkin_every)) {
        unit u = s->walk;
        u.kind = U_CHECKIN;
        enter(s, u);
        return;
    }
    checkin_done(s);
}

static void advance(session *s) {
    unit u = s->walk;
    const exercise *e = cur_ex(s);
    switch (u.kind) {
    case U_OPENING:
        if (s->o.room_check) {
            unit r = {U_ROOM, ROOM_FIRST, 0, 0};
            enter(s, r);
        } else {
            enter_kind(s, U_INTRO);
        }
        break;
    case U_ROOM:
        room_go_on(s);
        break;
    case U_INTRO:
        if (s->switched)
            start_exercises(s);
        else if (s->o.screening)
            enter_kind(s, U_SCREEN);
        else
            after_screening(s);
        break;
    case U_EX_INTRO:
        u.kind = U_SIDE;
        u.side = 0;
        enter(s, u);
        break;
    case U_SIDE:
        u.kind = U_REP;
        u.rep = 0;
        enter(s, u);
        break;
    case U_REP:
        if (e && u.rep + 1 < e->reps) {
            if (e->check_in && s->o.checkin_every >= 2) {
                u.kind = U_REP_CHECKIN;
                enter(s, u);
            } else {
                next_rep(s);
            }
        } else {
            side_done(s);
        }
        break;
    case U_REST:
        if (u.n == 1) {
            u.kind = U_REP;
            u.rep++;
        } else {
            u.kind = U_SIDE;
            u.side++;
        }
        u.n = 0;
        enter(s, u);
        break;
    default:
        /* Questions move on through their answers; U_SUMMARY ends with
         * IT_FINISH. Reaching here means nothing is left: finish safely. */
        finish(s, END_COMPLETED, NULL);
        break;
    }
}

static void enter(session *s, unit u) {
    char buf[SAY_MAX], num[64], of[64];
    s->walk = u;
    s->ij = Q_NONE;
    s->q = Q_NONE;
    s->wait = W_NONE;
    queue_clear(s);
    const exercise *e = cur_ex(s);
    switch (u.kind) {
    case U_OPENING:
        push_key(s, SAY_INFO, "disclaimer");
        push_key(s, SAY_INFO, "howto");
        break;
    case U_INTRO:
        if (s->r->intro && s->r->intro[0])
            push_say(s, SAY_INSTRUCTION, s->r->intro, GAP_MS);
        break;
    case U_SCREEN:
        if (u.n == 0)
            push_key(s, SAY_INFO, "screen_intro");
        push_ask(s, Q_SCREEN);
        break;
    case U_BASE_PAIN:
        push_ask(s, Q_BASE_PAIN);
        break;
    case U_BASE_WHERE:
        push_ask(s, Q_BASE_WHERE);
        break;
    case U_BASE_SCORE:
        push_ask(s, Q_BASE_SCORE);
        break;
    case U_EX_INTRO:
        s->begun[s->ex] = true;
        push_say(
            s, SAY_INSTRUCTION,
            fill(s, s->ndone + s->nstopped + s->nskipped == 0 ? "exercise_first" : "exercise_next",
                 buf, "name", e->name, (char *)NULL),
            GAP_MS);
        push_say(s, SAY_INSTRUCTION, e->setup, GAP_MS);
        if (e->caution)
            push_say(s, SAY_INSTRUCTION, e->caution, GAP_MS);
        break;
    case U_SIDE:
        exercise_start(s, u.side);
        if (e->sides != SIDES_NONE)
            push_say(s, SAY_INSTRUCTION,
                     fill(s, "side_now", buf, "side",
                          prompts_get(s->p, u.side == 0 && e->sides != SIDES_RIGHT ? "side_left"
                                                                                   : "side_right"),
                          (char *)NULL),
                     GAP_MS);
        break;
    case U_REP:
        if (e->reps > 1)
            push_say(s, SAY_INSTRUCTION,
                     fill(s, "rep", buf, "n", prompts_number(s->p, u.rep + 1, num, sizeof num),
                          "of", prompts_number(s->p, e->reps, of, sizeof of), (char *)NULL),
                     GAP_MS);
        for (size_t i = 0; i < e->nsteps; i++)
            push_say(s, SAY_INSTRUCTION, e->steps[i],
                     e->hold == 0 && i + 1 == e->nsteps ? REP_GAP_MS : GAP_MS);
        if (e->hold > 0) {
            item *it = push(s, IT_HOLD);
            if (it)
                it->secs = e->hold;
        }
        break;
    case U_CHECKIN:
    case U_REP_CHECKIN:
        push_ask(s, s->o.yes_no_checkins ? Q_CHECKIN_YN : Q_CHECKIN);
        break;
    case U_REST: {
        item *it = push(s, IT_REST);
        if (it)
            it->secs = e->rest;
        break;
    }
    case U_WHERE:
        push_ask(s, Q_WHERE);
        break;
    case U_OFFER:
        push_ask(s, Q_OFFER);
        break;
    case U_GO_ON:
        if (exercises_left(s) == 0) {
            enter_kind(s, U_NEXT);
            return;
        }
        push_ask(s, Q_GO_ON);
        break;
    case U_NEXT: {
        s->in_ex = false;
        tally(s);
        int pi = s->pi + 1;
        while ((size_t)pi < s->nplan && s->begun[s->plan[pi]])
            pi++;
        s->pi = pi;
        if ((size_t)pi < s->nplan) {
            s->ex = s->plan[pi];
            if (s->room == ROOM_MARGINAL && s->o.room_check &&
                s->ndone + s->nstopped + s->nskipped > 0) {
                /* A marginal room may have got worse: listen before it. */
                unit back = {U_EX_INTRO, 0, 0, 0}, check = {U_ROOM, ROOM_BETWEEN, 0, 0};
                enter(s, check);
                s->room_back = back;
                s->room_back_ij = Q_NONE;
                s->room_back_set = true;
                return;
            }
            enter_kind(s, U_EX_INTRO);
        } else {
            s->ex = -1;
            enter_kind(s, U_SUMMARY);
        }
        return;
    }
    case U_ROOM: {
        if (u.n == ROOM_AGAIN) {
            push_key(s, SAY_INFO, "room_noisy");
            item *w = push(s, IT_WAIT);
            if (w)
                w->secs = ROOM_RETRY_MS;
        }
        push_key(s, SAY_INFO,
                 u.n == ROOM_FIRST   ? "room_quiet"
                 : u.n == ROOM_AGAIN ? "room_again"
                                     : "room_between");
        push(s, IT_LISTEN);
        push(s, IT_ROOM);
        break;
    }
    case U_SUMMARY: {
        char done[64], total[64];
        int n = s->ndone + s->nstopped + s->nskipped;
        prompts_number(s->p, s->ndone, done, sizeof done);
        prompts_number(s->p, n, total, sizeof total);
        push_say(s, SAY_INFO,
                 fill(s, "summary", buf, "done", done, "total", total, "routine", s->r->name,
                      (char *)NULL),
                 GAP_MS);
        push_finish(s, END_COMPLETED, prompts_get(s->p, "goodbye"));
        break;
    }
    }
}

/* Starts the current unit (or the question asked on top of it) again from
 * its beginning: after a pause, a repeat, a "no" to a confirmation. */
static void restart(session *s) {
    question ij = s->ij;
    if (ij != Q_NONE) {
        queue_clear(s);
        s->q = Q_NONE;
        s->wait = W_NONE;
        s->ij = ij;
        push_ask(s, ij);
        return;
    }
    /* A side is begun again without a second exercise_start. */
    if (s->walk.kind == U_SIDE && s->in_ex) {
        unit u = s->walk;
        u.kind = U_REP;
        u.rep = 0;
        enter(s, u);
        return;
    }
    enter(s, s->walk);
}

/* Asks a question on top of the walk; restart() asks it again. */
static void interject(session *s, question q) {
    queue_clear(s);
    s->q = Q_NONE;
    s->wait = W_NONE;
    s->ij = q;
    push_ask(s, q);
}

/* ---- questions ---- */

static void question_text(session *s, question q, bool again, char *buf) {
    char key[64], what[SAY_MAX], num[64];
    const exercise *e = cur_ex(s);
    const char *suffix = again ? "_again" : "";
    switch (q) {
    case Q_SCREEN:
        snprintf(key, sizeof key, "screen_%d%s", s->walk.n + 1, suffix);
        break;
    case Q_BASE_PAIN:
        snprintf(key, sizeof key, "base_pain%s", suffix);
        break;
    case Q_BASE_WHERE:
        snprintf(key, sizeof key, "base_where%s", suffix);
        break;
    case Q_BASE_SCORE:
        snprintf(key, sizeof key, "base_score%s", suffix);
        break;
    case Q_BASE_SCORE_YN:
        snprintf(key, sizeof key, "base_score_yn%s", suffix);
        break;
    case Q_CHECKIN:
        snprintf(key, sizeof key, "checkin%s", suffix);
        break;
    case Q_CHECKIN_YN:
        snprintf(key, sizeof key, "checkin_yn%s", suffix);
        break;
    case Q_WHERE:
        snprintf(key, sizeof key, "where%s", suffix);
        break;
    case Q_WHERE_YN:
        snprintf(key, sizeof key, "where_yn%s", suffix);
        break;
    case Q_OFFER:
        snprintf(key, sizeof key, "offer_easier%s", suffix);
        break;
    case Q_GO_ON:
        snprintf(key, sizeof key, "go_on%s", suffix);
        break;
    case Q_STOP:
        snprintf(key, sizeof key, "stop_confirm%s", suffix);
        break;
    case Q_CONFIRM:
        snprintf(key, sizeof key, "confirm%s", suffix);
        break;
    case Q_UNCLEAR:
        snprintf(key, sizeof key, "unclear%s", suffix);
        break;
    default:
        snprintf(key, sizeof key, "unknown");
        break;
    }
    const char *easier = "";
    if (q == Q_OFFER && e && e->easier >= 0 && (size_t)e->easier < s->r->nexercises)
        easier = s->r->exercises[e->easier].name;
    what[0] = '\0';
    num[0] = '\0';
    if (q == Q_BASE_SCORE_YN)
        prompts_number(s->p, SAFETY_SEVERE_SCORE, num, sizeof num);
    if (q == Q_CONFIRM) {
        prompts_number(s->p, s->pend_value, num, sizeof num);
        fill(s, heard_key(s->pend_intent), what, "place",
             prompts_get(s->p, place_key(s->pend_value)), "n", num, (char *)NULL);
    }
    fill(s, key, buf, "name", easier, "what", what, "n", num, (char *)NULL);
}

/* In a marginal room, questions are asked at once in the wording of their
 * asking again, which names the long answers ("yes, I do", "in my knee",
 * "out of ten"): at 10 dB they are understood about three times as often as
 * the short ones (bench/answer_forms.py). The check-in keeps its wording:
 * it is asked as yes/no there. The screening names its long answers in
 * every room (voices/en-us/prompts.cfg): it comes before the room's
 * replies are measured. */
static bool long_form_first(const session *s, question q) {
    if (s->room != ROOM_MARGINAL)
        return false;
    switch (q) {
    case Q_BASE_PAIN:
    case Q_BASE_WHERE:
    case Q_BASE_SCORE:
    case Q_BASE_SCORE_YN:
    case Q_CHECKIN_YN:
    case Q_WHERE:
    case Q_WHERE_YN:
    case Q_OFFER:
    case Q_GO_ON:
    case Q_STOP:
        return true;
    default:
        return false;
    }
}

static unsigned long question_expects(question q) {
    const unsigned long yn = BIT(INTENT_YES) | BIT(INTENT_NO);
    unsigned long safety = 0;
    for (int i = INTENT_BETTER; i <= INTENT_PAIN_SCORE; i++)
        safety |= BIT(i);
    switch (q) {
    case Q_SCREEN:
        return yn | BIT(INTENT_RED_FLAG);
    case Q_BASE_PAIN:
        return yn | BIT(INTENT_LOCATION) | BIT(INTENT_SPREADING) | BIT(INTENT_PAIN_SCORE) |
               BIT(INTENT_SHARP_PAIN) | BIT(INTENT_RED_FLAG);
    case Q_BASE_WHERE:
        return BIT(INTENT_LOCATION) | BIT(INTENT_SPREADING);
    case Q_BASE_SCORE:
        return BIT(INTENT_PAIN_SCORE) | BIT(INTENT_SHARP_PAIN);
    case Q_BASE_SCORE_YN:
        return yn | BIT(INTENT_PAIN_SCORE) | BIT(INTENT_SHARP_PAIN);
    case Q_CHECKIN:
        return safety;
    case Q_CHECKIN_YN:
        return yn | safety;
    case Q_WHERE:
        return safety;
    case Q_WHERE_YN:
        return yn;
    case Q_OFFER:
        return yn;
    case Q_GO_ON:
        return yn | BIT(INTENT_RESUME) | BIT(INTENT_SKIP);
    case Q_STOP:
        return yn;
    case Q_CONFIRM:
        return yn;
    case Q_UNCLEAR:
        return yn | safety | BIT(INTENT_RESUME);
    default:
        return 0;
    }
}

/* ---- running the queue ---- */

static void run_item(session *s, item *it) {
    char buf[SAY_MAX];
    switch (it->type) {
    case IT_SAY:
        s->wait_id = say_now(s, it->kind, it->text, 0, 0);
        s->wait_gap = pace_ms(s, it->gap_ms);
        s->wait = s->wait_id ? W_SAID : W_NONE;
        break;
    case IT_HOLD:
        say_now(s, SAY_INSTRUCTION, prompts_get(s->p, "hold"), 0, 0);
        s->hold_start = s->now;
        s->hold_secs = it->secs;
        s->next_count = 1;
        s->wait = W_HOLD;
        break;
    case IT_REST: {
        char num[64];
        prompts_number(s->p, it->secs, num, sizeof num);
        say_now(s, SAY_INSTRUCTION, fill(s, "rest", buf, "n", num, (char *)NULL), 0, 0);
        int ms = pace_ms(s, it->secs * 1000.0);
        s->rest_end = s->now + ms;
        s->rest_cue = ms >= REST_CUE_MIN_S * 1000 ? s->rest_end - REST_CUE_S * 1000 : -1;
        s->wait = W_REST;
        break;
    }
    case IT_ASK: {
        bool again = s->q == it->q && (s->asks > 0 || s->unclear_reask);
        if (s->q != it->q)
            s->asks = 0;
        question_text(s, it->q, again || s->unclear_reask || long_form_first(s, it->q), buf);
        s->unclear_reask = false;
        s->q = it->q;
        s->asks++;
        s->ask_id = say_now(s, SAY_PROMPT, buf, 0, 0);
        s->asked_ms = -1;
        s->reply_deadline = -1;
        s->wait = W_REPLY;
        break;
    }
    case IT_PAUSE:
        s->q = Q_NONE;
        s->wait = W_PAUSED;
        s->remind_at = s->remind && s->reminders < PAUSE_REMINDERS ? s->now + PAUSE_REMIND_MS : -1;
        if (s->input_ended)
            finish(s, END_ERROR, prompts_get(s->p, "end_no_input"));
        break;
    case IT_FINISH:
        finish(s, it->end, it->text);
        break;
    case IT_WAIT:
        s->deadline = s->now + it->secs;
        s->wait = W_UNTIL;
        break;
    case IT_LISTEN:
        s->deadline = s->now + ROOM_LISTEN_MS;
        s->wait = W_LISTEN;
        break;
    case IT_ROOM:
        s->deadline = s->now + ROOM_VERDICT_MS;
        s->wait = W_ROOM;
        break;
    }
}

/* Says the count numbers that are due and, at the end, "Release.". True
 * when the hold is over. */
static bool hold_step(session *s, long t) {
    char num[64];
    while (s->next_count < s->hold_secs && s->hold_start + s->next_count * 1000L <= t) {
        if (s->nout >= s->max)
            return false;
        s->now = s->hold_start + s->next_count * 1000L;
        prompts_capitalize(prompts_number(s->p, s->next_count, num, sizeof num));
        say_now(s, SAY_COUNT, num, s->next_count, s->hold_secs);
        s->next_count++;
    }
    long end = s->hold_start + s->hold_secs * 1000L;
    if (end > t || s->nout >= s->max)
        return false;
    s->now = end;
    s->wait_id = say_now(s, SAY_INSTRUCTION, prompts_get(s->p, "release"), 0, 0);
    s->wait_gap = pace_ms(s, REP_GAP_MS);
    s->wait = W_SAID;
    return true;
}

static bool rest_step(session *s, long t) {
    char buf[SAY_MAX], num[64];
    if (s->rest_cue >= 0 && s->rest_cue <= t) {
        s->now = s->rest_cue;
        s->rest_cue = -1;
        prompts_number(s->p, REST_CUE_S, num, sizeof num);
        say_now(s, SAY_INFO, fill(s, "rest_left", buf, "n", num, (char *)NULL), 0, 0);
    }
    if (s->rest_end > t)
        return false;
    s->now = s->rest_end;
    s->wait = W_NONE;
    return true;
}

static void on_silence(session *s);
static void on_reply_ev(session *s, const session_event *ev);
static void on_room(session *s, room_quality q);
static void on_unclear(session *s, const char *reason);

static void pump(session *s, long t) {
    for (int guard = 0; guard < 10000 && !s->done; guard++) {
        switch (s->wait) {
        case W_SAID:
            return;
        case W_PAUSED:
            if (s->remind_at < 0 || t < s->remind_at || s->qlen > 0)
                return;
            s->now = s->remind_at;
            s->reminders++;
            s->wait = W_NONE;
            push_key(s, SAY_INFO, "pause_remind");
            push(s, IT_PAUSE);
            break;
        case W_UNTIL:
            if (t < s->deadline)
                return;
            s->now = s->deadline;
            s->wait = W_NONE;
            break;
        case W_HOLD:
            if (!hold_step(s, t))
                return;
            continue;
        case W_REST:
            if (!rest_step(s, t))
                return;
            break;
        case W_LISTEN:
            if (t < s->deadline)
                return;
            s->now = s->deadline;
            s->wait = W_NONE;
            break;
        case W_ROOM:
            if (t < s->deadline)
                return;
            /* No verdict came: go on with what is known. */
            s->now = s->deadline;
            s->wait = W_NONE;
            room_go_on(s);
            continue;
        case W_REPLY:
            if (s->reply_deadline < 0 || t < s->reply_deadline)
                return;
            s->now = s->reply_deadline;
            s->reply_deadline = -1;
            on_silence(s);
            continue;
        case W_NONE:
            break;
        }
        if (s->qlen == 0) {
            advance(s);
            continue;
        }
        item it = s->queue[s->qhead];
        s->qhead = (s->qhead + 1) % QMAX;
        s->qlen--;
        run_item(s, &it);
    }
}

/* ---- pauses and control replies ---- */

static void pause_with(session *s, const char *key) {
    s->remind = strcmp(key, "pause_silence") == 0;
    s->reminders = 0;
    queue_clear(s);
    s->q = Q_NONE;
    s->wait = W_NONE;
    push_key(s, SAY_INFO, key);
    push(s, IT_PAUSE);
}

/* True when the reply would stop the exercise or the session, judged on a
 * copy of the checker's state. */
static bool would_stop(const session *s, intent i, int value) {
    safety_state copy = s->safety;
    safety_input in;
    safety_input_from_reply(&in, i, value, SAFETY_EXERCISE);
    return i == INTENT_RED_FLAG || safety_judge(&copy, &in).type != VERDICT_CONTINUE;
}

/* True when silence after "did you say ...?" counts as yes: the reply was a
 * red flag or a symptom that would stop the exercise (the safe side). */
static bool confirm_means_yes(const session *s) {
    return would_stop(s, s->pend_intent, s->pend_value);
}

/* The pain score asked twice and not understood: a number is the reply the
 * listener hears least reliably in noise (bench/safety_session.py --part
 * answers), a yes or no the most. Asked whether it is severe, the person
 * answers what the safety checker needs of the number before the first
 * exercise; the session then goes on without a baseline score, as after
 * "no pain". True when that question is asked now. */
static bool score_as_yes_no(session *s) {
    if (s->q != Q_BASE_SCORE || s->asks < 2)
        return false;
    queue_clear(s);
    s->wait = W_NONE;
    s->unclear_reask = false;
    push_ask(s, Q_BASE_SCORE_YN);
    return true;
}

static void on_silence(session *s) {
    question q = s->q;
    if (q == Q_CONFIRM) {
        if (confirm_means_yes(s)) {
            session_event yes;
            memset(&yes, 0, sizeof yes);
            yes.type = SEV_REPLY;
            yes.intent = INTENT_YES;
            yes.t_ms = s->now;
            on_reply_ev(s, &yes);
            return;
        }
    }
    if (score_as_yes_no(s))
        return;
    if (s->asks < 2) {
        queue_clear(s);
        s->wait = W_NONE;
        push_ask(s, q);
        return;
    }
    pause_with(s, "pause_silence");
}

static void say_then_restart(session *s, const char *text) {
    restart(s);
    push_front_say(s, SAY_INFO, text);
}

static void do_help(session *s) {
    cancel_speech(s, false);
    say_then_restart(s, prompts_get(s->p, "help"));
}

static void do_how_long(session *s) {
    char buf[SAY_MAX], reps[64], exs[64];
    int r = reps_left(s), x = exercises_left(s);
    prompts_number(s->p, r, reps, sizeof reps);
    prompts_number(s->p, x, exs, sizeof exs);
    fill(s, r > 0 ? "how_long_reps" : "how_long", buf, "reps", reps, "exercises", exs,
         (char *)NULL);
    cancel_speech(s, false);
    say_then_restart(s, buf);
}

static void do_pace(session *s, int step) {
    const char *key;
    int p = s->pace + step;
    if (p < 0) {
        p = 0;
        key = "pace_fastest";
    } else if (p >= NPACES) {
        p = NPACES - 1;
        key = "pace_slowest";
    } else {
        key = step > 0 ? "pace_slower" : "pace_faster";
    }
    s->pace = p;
    cancel_speech(s, false);
    say_then_restart(s, prompts_get(s->p, key));
}

static bool walk_is_exercise(const session *s) {
    switch (s->walk.kind) {
    case U_EX_INTRO:
    case U_SIDE:
    case U_REP:
    case U_REST:
        return s->ex >= 0;
    default:
        return false;
    }
}

static void do_skip(session *s) {
    char buf[SAY_MAX];
    if (s->walk.kind == U_GO_ON && s->ij == Q_NONE) {
        enter_kind(s, U_NEXT);
        return;
    }
    if (s->ij != Q_NONE || !walk_is_exercise(s)) {
        cancel_speech(s, false);
        say_then_restart(s, prompts_get(s->p, "skip_not_now"));
        return;
    }
    cancel_speech(s, true);
    const exercise *e = cur_ex(s);
    if (!s->in_ex && s->walk.kind == U_EX_INTRO)
        exercise_start(s, 0);
    exercise_end(s, "skipped");
    s->ex_result = 3;
    enter_kind(s, U_NEXT);
    /* Said before whatever U_NEXT queued. */
    push_front_say(s, SAY_INFO, fill(s, "skip", buf, "name", e->name, (char *)NULL));
}

/* ---- safety ---- */

static safety_phase phase_of(const session *s) {
    switch (s->walk.kind) {
    case U_OPENING:
    case U_INTRO:
    case U_SCREEN:
        return SAFETY_SCREENING;
    case U_BASE_PAIN:
    case U_BASE_WHERE:
    case U_BASE_SCORE:
        return SAFETY_BASELINE;
    case U_ROOM:
        return s->ex >= 0 ? SAFETY_EXERCISE : SAFETY_SCREENING;
    default:
        return SAFETY_EXERCISE;
    }
}

static bool has_easier(const session *s) {
    const exercise *e = cur_ex(s);
    return e && e->easier >= 0 && e->easier != s->ex && (size_t)e->easier < s->r->nexercises;
}

static bool flare_available(const session *s) {
    if (!s->flare || s->flare == s->r || s->flare->nexercises == 0)
        return false;
    /* Already following the flare-up routine (loaded twice, or run by name). */
    return !(s->flare->path && s->r->path && strcmp(s->flare->path, s->r->path) == 0);
}

static void switch_to_flare(session *s, const char *text) {
    const routine *f = s->flare;
    session_action *a = emit(s, ACT_ROUTINE_SWITCH, s->now);
    if (a) {
        /* The routine's file name without ".cfg" is its id ("flare-up"). */
        const char *path = f->path ? f->path : f->name;
        const char *base = path ? strrchr(path, '/') : NULL;
        base = base ? base + 1 : path ? path : "";
        str_copy(a->id, base, sizeof a->id);
        char *dot = strstr(a->id, ".cfg");
        if (dot && dot[4] == '\0')
            *dot = '\0';
        str_copy(a->text, f->name ? f->name : "", sizeof a->text);
    }
    s->r = f;
    s->switched = true;
    plan_reset(s);
    enter_kind(s, U_INTRO);
    push_front_say(s, SAY_SAFETY, text);
}

/* A continue verdict that answered a question (or came while the count was
 * stopped to ask): move on from that question. */
static void continue_after_answer(session *s, const char *text) {
    if (s->ij == Q_STOP) {
        /* Not an answer to "do you want to stop?": ask it again. */
        restart(s);
        push_front_say(s, SAY_SAFETY, text);
        return;
    }
    /* An interjected question (confirm, unclear, the yes/no check-in) is
     * answered too: back to the walk. */
    s->ij = Q_NONE;
    switch (s->walk.kind) {
    case U_CHECKIN:
        checkin_done(s);
        break;
    case U_REP_CHECKIN:
        next_rep(s);
        break;
    case U_WHERE:
        enter_kind(s, U_GO_ON);
        break;
    default:
        restart(s);
        break;
    }
    push_front_say(s, SAY_SAFETY, text);
}

static void apply_verdict(session *s, safety_verdict v) {
    const char *text = v.say ? prompts_get(s->p, v.say) : "";
    if (v.type == VERDICT_CONTINUE) {
        emit_verdict(s, v.type, v.reason, text);
        bool answering = s->q != Q_NONE || s->ij != Q_NONE || s->wait == W_PAUSED;
        if (!answering) {
            /* Said after the current rep, so the count is not disturbed. */
            push_say(s, SAY_SAFETY, text, GAP_MS);
            return;
        }
        if (s->wait == W_PAUSED && s->q == Q_NONE && s->ij == Q_NONE) {
            /* Heard while paused: acknowledge and stay paused. */
            queue_clear(s);
            s->wait = W_NONE;
            push_say(s, SAY_SAFETY, text, GAP_MS);
            push_key(s, SAY_INFO, "paused");
            push(s, IT_PAUSE);
            return;
        }
        cancel_speech(s, false);
        continue_after_answer(s, text);
        return;
    }
    cancel_speech(s, true);
    if (v.switch_flare && flare_available(s)) {
        emit_verdict(s, v.type, v.reason, text);
        switch_to_flare(s, text);
        return;
    }
    /* Offering the easier version follows stopping this one: the log says
     * both, so "stopped" is never hidden behind the offer. */
    if (v.type == VERDICT_OFFER_EASIER)
        emit_verdict(s, VERDICT_STOP_EXERCISE, v.reason, text);
    emit_verdict(s, v.type, v.reason, text);
    if (v.type == VERDICT_END_SESSION) {
        bool red = strcmp(v.reason, "red_flag") == 0;
        finish(s, red ? END_RED_FLAG : END_SAFETY, text);
        return;
    }
    exercise_end(s, "stopped");
    s->ij = Q_NONE;
    if (v.ask_where)
        enter_kind(s, U_WHERE);
    else if (v.type == VERDICT_OFFER_EASIER && has_easier(s))
        enter_kind(s, U_OFFER);
    else
        enter_kind(s, U_GO_ON);
    push_front_say(s, SAY_SAFETY, text);
}

static void judge(session *s, intent i, int value) {
    safety_input in;
    safety_input_from_reply(&in, i, value, phase_of(s));
    in.has_easier = has_easier(s);
    in.has_flare = flare_available(s);
    apply_verdict(s, safety_judge(&s->safety, &in));
}

/* Stops the count and asks "did you say ...?" about a reply. */
static void confirm(session *s, intent i, int value) {
    cancel_speech(s, true);
    s->pend_intent = i;
    s->pend_value = value;
    interject(s, Q_CONFIRM);
}

/* ---- answers to questions ---- */

static void reask_unclear(session *s) {
    /* An answer that does not answer: the question again, in other words. */
    question q = s->q != Q_NONE ? s->q : s->ij;
    cancel_speech(s, false);
    if (q == Q_CHECKIN || q == Q_CHECKIN_YN) {
        interject(s, Q_CHECKIN_YN);
        return;
    }
    if (q == Q_WHERE) {
        interject(s, Q_WHERE_YN);
        return;
    }
    if (score_as_yes_no(s))
        return;
    queue_clear(s);
    s->wait = W_NONE;
    s->unclear_reask = true;
    push_ask(s, q);
}

static void after_baseline(session *s) {
    push_key(s, SAY_INFO, "baseline_thanks");
    /* The thanks is said before the first exercise's introduction. */
    item thanks = s->queue[(s->qhead + s->qlen - 1) % QMAX];
    queue_clear(s);
    start_exercises(s);
    if (s->qlen < QMAX && !s->done) {
        s->qhead = (s->qhead + QMAX - 1) % QMAX;
        s->qlen++;
        s->queue[s->qhead] = thanks;
    }
}

static void baseline_judge(session *s, intent i, int value, unit_kind next) {
    safety_input in;
    safety_input_from_reply(&in, i, value, SAFETY_BASELINE);
    in.has_flare = flare_available(s);
    safety_verdict v = safety_judge(&s->safety, &in);
    if (v.type != VERDICT_CONTINUE) {
        apply_verdict(s, v);
        return;
    }
    cancel_speech(s, false);
    if (next == U_NEXT)
        after_baseline(s);
    else
        enter_kind(s, next);
}

static void answer_baseline(session *s, const session_event *ev) {
    intent i = ev->intent;
    question q = s->q;
    if (i == INTENT_SHARP_PAIN || i == INTENT_RED_FLAG) {
        baseline_judge(s, i, ev->value, U_NEXT);
        return;
    }
    if (q == Q_BASE_PAIN) {
        if (i == INTENT_NO && ev->low_confidence) {
            reask_unclear(s); /* no baseline on an unsure "no" (answer_yes_no) */
        } else if (i == INTENT_NO) {
            cancel_speech(s, false);
            after_baseline(s);
        } else if (i == INTENT_YES || i == INTENT_NERVE_SIGNS || i == INTENT_WEAKNESS ||
                   (i == INTENT_SPREADING && (ev->value <= LOC_NONE || ev->value >= LOC_COUNT))) {
            cancel_speech(s, false);
            enter_kind(s, U_BASE_WHERE);
        } else if (i == INTENT_LOCATION || i == INTENT_SPREADING) {
            baseline_judge(s, i, ev->value, U_BASE_SCORE);
        } else if (i == INTENT_PAIN_SCORE) {
            baseline_judge(s, i, ev->value, ev->value > 0 ? U_BASE_WHERE : U_NEXT);
        } else {
            reask_unclear(s);
        }
    } else if (q == Q_BASE_WHERE) {
        if (i == INTENT_LOCATION ||
            (i == INTENT_SPREADING && ev->value > LOC_NONE && ev->value < LOC_COUNT))
            baseline_judge(s, i, ev->value, s->safety.baseline_score >= 0 ? U_NEXT : U_BASE_SCORE);
        else if (i == INTENT_PAIN_SCORE)
            baseline_judge(s, i, ev->value, U_BASE_WHERE);
        else
            reask_unclear(s);
    } else {
        /* The score, or "Is it severe?" (Q_BASE_SCORE_YN): there an unsure
         * yes is taken (the safe side), an unsure no is asked for again. */
        if (i == INTENT_PAIN_SCORE)
            baseline_judge(s, i, ev->value, U_NEXT);
        else if (q == Q_BASE_SCORE_YN && i == INTENT_YES)
            baseline_judge(s, INTENT_PAIN_SCORE, SAFETY_SEVERE_SCORE, U_NEXT);
        else if (q == Q_BASE_SCORE_YN && i == INTENT_NO && !ev->low_confidence) {
            cancel_speech(s, false);
            after_baseline(s);
        } else
            reask_unclear(s);
    }
}

static void answer_screen(session *s, const session_event *ev) {
    intent i = ev->intent;
    if (ev->low_confidence && (i == INTENT_YES || i == INTENT_NO)) {
        reask_unclear(s);
        return;
    }
    if (i == INTENT_RED_FLAG) {
        /* A red-flag phrase is confirmed, as at any other time: a TV line
         * over the first question was heard as "both of my feet ache"
         * (bench/safety_session.py, hip-hinge in bike noise). Silence
         * after "Did you say ...?" counts as yes. */
        confirm(s, i, ev->value);
        return;
    }
    if (i == INTENT_YES) {
        /* The question was the red-flag question: no confirmation. */
        safety_input in;
        safety_input_from_reply(&in, INTENT_RED_FLAG, 0, SAFETY_SCREENING);
        apply_verdict(s, safety_judge(&s->safety, &in));
        return;
    }
    if (i == INTENT_NO) {
        cancel_speech(s, false);
        unit u = s->walk;
        if (u.n + 1 < NSCREEN) {
            u.n++;
            enter(s, u);
        } else {
            after_screening(s);
        }
        return;
    }
    reask_unclear(s);
}

static void do_stop_yes(session *s) {
    cancel_speech(s, false);
    finish(s, END_USER_STOP, prompts_get(s->p, "stop_goodbye"));
}

/* Yes or no (or resume/skip) to the question open now. */
static void answer_yes_no(session *s, const session_event *ev) {
    intent i = ev->intent;
    bool yes = i == INTENT_YES;
    question q = s->q;
    /* An unsure answer that would carry on (a "no" to "did you say ...?",
     * a "yes" to "shall we go on?") is asked for again: "i can't feel my
     * leg" was heard as an unsure "i don't". One on the safe side is
     * taken. */
    bool carries_on = q == Q_GO_ON ? yes || i == INTENT_RESUME || i == INTENT_SKIP : !yes;
    if (ev->low_confidence && carries_on) {
        reask_unclear(s);
        return;
    }
    switch (q) {
    case Q_CHECKIN_YN:
        /* "Is your leg any worse than before?" */
        if (yes)
            judge(s, INTENT_WORSE, 0);
        else
            judge(s, INTENT_SAME, 0);
        return;
    case Q_WHERE_YN:
        s->ij = Q_NONE;
        if (yes)
            judge(s, INTENT_SPREADING, 0);
        else {
            cancel_speech(s, false);
            enter_kind(s, U_GO_ON);
        }
        return;
    case Q_OFFER:
        cancel_speech(s, false);
        if (yes) {
            const exercise *e = cur_ex(s);
            int easier = e->easier;
            /* Run the easier version next, then carry on with the plan. */
            int *grown = xrealloc(s->plan, (s->nplan + 1) * sizeof *grown);
            if (grown) {
                s->plan = grown;
                size_t at = (size_t)s->pi + 1;
                memmove(&s->plan[at + 1], &s->plan[at], (s->nplan - at) * sizeof *s->plan);
                s->plan[at] = easier;
                s->nplan++;
                s->begun[easier] = false;
            }
            enter_kind(s, U_NEXT);
        } else {
            enter_kind(s, U_NEXT);
            say_then_restart(s, prompts_get(s->p, "offer_declined"));
        }
        return;
    case Q_GO_ON:
        cancel_speech(s, false);
        if (yes || i == INTENT_RESUME || i == INTENT_SKIP)
            enter_kind(s, U_NEXT);
        else
            finish(s, END_USER_STOP, prompts_get(s->p, "end_user_stop"));
        return;
    case Q_STOP:
        if (yes) {
            do_stop_yes(s);
        } else {
            cancel_speech(s, false);
            s->ij = Q_NONE;
            say_then_restart(s, prompts_get(s->p, "carrying_on"));
        }
        return;
    case Q_CONFIRM:
        if (yes) {
            if (s->pend_intent == INTENT_RED_FLAG) {
                safety_input in;
                safety_input_from_reply(&in, INTENT_RED_FLAG, 0, SAFETY_EXERCISE);
                apply_verdict(s, safety_judge(&s->safety, &in));
            } else {
                /* Judged as if heard clearly, in the context of what was
                 * interrupted. */
                judge(s, s->pend_intent, s->pend_value);
            }
        } else {
            cancel_speech(s, false);
            s->ij = Q_NONE;
            say_then_restart(s, prompts_get(s->p, "confirm_no"));
        }
        return;
    case Q_UNCLEAR:
        cancel_speech(s, false);
        if (yes) {
            interject(s, Q_CHECKIN);
        } else {
            s->ij = Q_NONE;
            say_then_restart(s, prompts_get(s->p, "carrying_on"));
        }
        return;
    default:
        reask_unclear(s);
        return;
    }
}

static void on_reply_ev(session *s, const session_event *ev) {
    intent i = ev->intent;
    question q = s->q;
    bool paused = s->wait == W_PAUSED;

    /* Speech that began before the question (or the pause's prompt) is the
     * rest of what the person was saying, not the answer to it: "tingling
     * in | my foot", cut in two, must not answer "Did you say something?"
     * with "no", nor "my leg | feels weak" with "feels better". What would
     * stop the exercise, "pause" and "stop" still count. */
    if (ev->has_speech_start && s->prompt_ms >= 0 &&
        ev->speech_start_ms < s->prompt_ms + ANSWER_AFTER_MS && (q != Q_NONE || paused) &&
        !would_stop(s, i, ev->value) && i != INTENT_STOP && i != INTENT_PAUSE)
        return;

    /* A yes or no to a red-flag question counts once the question has been
     * heard (SCREEN_EARLY_MS); a symptom said during it still does. */
    if (q == Q_SCREEN && (i == INTENT_YES || i == INTENT_NO) && ev->has_speech_start &&
        (s->asked_ms < 0 || ev->speech_start_ms < s->asked_ms - SCREEN_EARLY_MS))
        return;
    if (q == Q_SCREEN && (i == INTENT_YES || i == INTENT_NO || is_safety_intent(i))) {
        answer_screen(s, ev);
        return;
    }
    if ((q == Q_BASE_PAIN || q == Q_BASE_WHERE || q == Q_BASE_SCORE || q == Q_BASE_SCORE_YN) &&
        (i == INTENT_YES || i == INTENT_NO || is_safety_intent(i)) && i != INTENT_RED_FLAG) {
        answer_baseline(s, ev);
        return;
    }
    if (is_safety_intent(i)) {
        if (ev->low_confidence && i != INTENT_RED_FLAG && q == Q_NONE && s->ij == Q_NONE &&
            !would_stop(s, i, ev->value)) {
            /* An unsure "better" from the TV in the middle of a hold is not
             * worth stopping for; in the person's own voice it is not
             * confidently anything, so it stops the count and asks (a
             * benchmark session heard "it's shooting down my leg" as an
             * unsure "it's moving up"). */
            if (ev->near)
                on_unclear(s, "unclear_speech");
            return;
        }
        /* A place named when nobody asked where is as likely the TV as the
         * person: stop the count and ask, rather than judge it. */
        bool unasked_place = i == INTENT_LOCATION && q == Q_NONE && s->ij == Q_NONE;
        if (i == INTENT_RED_FLAG || ev->low_confidence || unasked_place) {
            confirm(s, i, ev->value);
            return;
        }
        /* During a confirmation, a new symptom reply replaces the one
         * being confirmed; either way it is judged in the context of the
         * walk (continue_after_answer). */
        judge(s, i, ev->value);
        return;
    }
    switch (i) {
    case INTENT_PAUSE:
        if (paused)
            return;
        cancel_speech(s, true);
        pause_with(s, "paused");
        return;
    case INTENT_RESUME:
        if (paused) {
            cancel_speech(s, false);
            say_then_restart(s, prompts_get(s->p, "resuming"));
        } else if (q == Q_UNCLEAR || q == Q_GO_ON) {
            answer_yes_no(s, ev);
        } else if ((q == Q_CONFIRM && s->pend_intent != INTENT_RED_FLAG) || q == Q_STOP) {
            /* "carry on" to "did you say ...?" or "stop the session?" is a no */
            session_event no = *ev;
            no.intent = INTENT_NO;
            answer_yes_no(s, &no);
        } else if (q != Q_NONE) {
            reask_unclear(s);
        }
        return;
    case INTENT_REPEAT:
        if (paused)
            return;
        cancel_speech(s, true);
        if (s->q != Q_NONE) {
            queue_clear(s);
            s->wait = W_NONE;
            push_ask(s, s->q);
            s->asks = 0;
            return;
        }
        restart(s);
        return;
    case INTENT_SKIP:
        if (q == Q_GO_ON) {
            answer_yes_no(s, ev);
            return;
        }
        if (q == Q_OFFER) {
            session_event no = *ev;
            no.intent = INTENT_NO; /* skip the easier version */
            answer_yes_no(s, &no);
            return;
        }
        if (paused)
            return;
        do_skip(s);
        return;
    case INTENT_SLOWER:
    case INTENT_FASTER:
        if (paused)
            return;
        do_pace(s, i == INTENT_SLOWER ? 1 : -1);
        return;
    case INTENT_STOP:
        if (q == Q_STOP)
            return;
        cancel_speech(s, true);
        interject(s, Q_STOP);
        return;
    case INTENT_HELP:
        if (paused) {
            queue_clear(s);
            s->wait = W_NONE;
            push_key(s, SAY_INFO, "help");
            push_key(s, SAY_INFO, "paused");
            push(s, IT_PAUSE);
            return;
        }
        do_help(s);
        return;
    case INTENT_HOW_LONG:
        if (paused)
            return;
        do_how_long(s);
        return;
    case INTENT_YES:
    case INTENT_NO:
        if (q != Q_NONE)
            answer_yes_no(s, ev);
        /* A yes or no that answers nothing, in the person's own voice during
         * a hold, is not what they meant to say: "no, no" may be distress,
         * and "I can't feel my leg" was heard as "i don't" (a benchmark
         * voice). It stops the count and asks, like speech not understood. */
        else if (ev->near && s->ij == Q_NONE)
            on_unclear(s, "unclear_speech");
        return;
    default:
        if (q != Q_NONE)
            reask_unclear(s);
        return;
    }
}

/* ---- the room check ---- */

/* Check-ins for the room's quality: a marginal room gets one after every
 * rep, asked as yes/no (the most reliable replies); an OK room the options
 * as given. */
static void room_apply(session *s, room_quality q) {
    s->room = q;
    if (q == ROOM_MARGINAL) {
        if (s->o.checkin_every < 2)
            s->o.checkin_every = 2;
        s->o.yes_no_checkins = true;
    } else if (q == ROOM_OK) {
        s->o.checkin_every = s->o0.checkin_every;
        s->o.yes_no_checkins = s->o0.yes_no_checkins;
    }
}

/* After a check: back to what it interrupted, or on to the introduction. */
static void room_go_on(session *s) {
    if (s->room_back_set) {
        s->room_back_set = false;
        s->walk = s->room_back;
        s->ij = s->room_back_ij;
        restart(s);
        return;
    }
    enter_kind(s, U_INTRO);
}

static void on_room(session *s, room_quality q) {
    bool waiting = s->wait == W_ROOM;
    bool checking = s->walk.kind == U_ROOM;
    if (q != ROOM_TOO_NOISY) {
        room_apply(s, q);
        if (waiting)
            room_go_on(s);
        return;
    }
    s->room = q;
    if (checking && s->walk.n == ROOM_AGAIN && waiting) {
        /* Still too noisy after asking: hands-free is not safe here. */
        str_copy(s->end_msg, "too noisy", sizeof s->end_msg);
        finish(s, END_ERROR, prompts_get(s->p, "room_stop"));
        return;
    }
    if (checking && s->walk.n == ROOM_AGAIN)
        return; /* already asked; this check will tell */
    cancel_speech(s, true);
    if (!checking) {
        s->room_back = s->walk;
        s->room_back_ij = s->ij;
        s->room_back_set = true;
    }
    emit_verdict(s, VERDICT_PAUSE, "noisy", prompts_get(s->p, "room_noisy"));
    unit again = {U_ROOM, ROOM_AGAIN, 0, 0};
    enter(s, again);
}

/* ---- events ---- */

static void on_unclear(session *s, const char *reason) {
    if (s->q != Q_NONE && s->q != Q_UNCLEAR && strcmp(reason, "clap") != 0) {
        reask_unclear(s);
        return;
    }
    if (s->wait == W_PAUSED && strcmp(reason, "clap") != 0)
        return;
    cancel_speech(s, true);
    const char *text = prompts_get(s->p, "unclear");
    emit_verdict(s, VERDICT_PAUSE, reason, text);
    interject(s, Q_UNCLEAR);
}

int session_handle(session *s, const session_event *ev, session_action *out, int max) {
    if (!s || !ev || !out || max <= 0 || s->done)
        return 0;
    s->out = out;
    s->nout = 0;
    s->max = max;
    s->now = ev->t_ms;
    if (!s->started && ev->type != SEV_START) {
        s->out = NULL;
        return 0;
    }
    switch (ev->type) {
    case SEV_START:
        if (!s->started) {
            s->started = true;
            enter_kind(s, U_OPENING);
        }
        break;
    case SEV_TICK:
        break;
    case SEV_SAID:
        if (ev->say_id == s->speaking)
            s->speaking = 0;
        if (ev->say_id == s->ask_id && s->asked_ms < 0)
            s->asked_ms = ev->t_ms;
        if (s->wait == W_SAID && ev->say_id == s->wait_id) {
            s->deadline = ev->t_ms + s->wait_gap;
            s->wait = W_UNTIL;
        } else if (s->wait == W_REPLY && ev->say_id == s->ask_id && s->reply_deadline < 0) {
            s->reply_deadline = ev->t_ms + s->o.reply_wait_ms;
        }
        break;
    case SEV_REPLY:
        on_reply_ev(s, ev);
        break;
    case SEV_UNCLEAR:
        on_unclear(s, "unclear_speech");
        break;
    case SEV_CLAP:
        on_unclear(s, "clap");
        break;
    case SEV_NOISY:
        if (s->wait != W_PAUSED) {
            cancel_speech(s, true);
            emit_verdict(s, VERDICT_PAUSE, "noisy", prompts_get(s->p, "noisy"));
            pause_with(s, "noisy");
        }
        break;
    case SEV_ROOM:
        on_room(s, (room_quality)ev->value);
        break;
    case SEV_DEAF:
        cancel_speech(s, true);
        finish(s, END_ERROR, prompts_get(s->p, "deaf"));
        break;
    case SEV_INTERRUPT:
        cancel_speech(s, true);
        finish(s, END_USER_STOP, prompts_get(s->p, "interrupt_goodbye"));
        break;
    case SEV_NO_INPUT:
        s->input_ended = true;
        if (session_awaiting_reply(s)) {
            if (s->q == Q_CONFIRM && confirm_means_yes(s)) {
                /* The same as silence: a symptom is believed. */
                on_silence(s);
                break;
            }
            cancel_speech(s, false);
            finish(s, END_ERROR, prompts_get(s->p, "end_no_input"));
        }
        break;
    }
    pump(s, ev->t_ms);
    s->out = NULL;
    return s->nout;
}

/* ---- queries ---- */

long session_next_deadline(const session *s) {
    if (!s || s->done || !s->started)
        return -1;
    switch (s->wait) {
    case W_UNTIL:
        return s->deadline;
    case W_HOLD:
        if (s->next_count < s->hold_secs)
            return s->hold_start + s->next_count * 1000L;
        return s->hold_start + s->hold_secs * 1000L;
    case W_REST:
        if (s->rest_cue >= 0 && s->rest_cue < s->rest_end)
            return s->rest_cue;
        return s->rest_end;
    case W_REPLY:
        return s->reply_deadline;
    case W_LISTEN:
    case W_ROOM:
        return s->deadline;
    case W_PAUSED:
        return s->remind_at;
    default:
        return -1;
    }
}

bool session_awaiting_reply(const session *s) {
    if (!s || s->done)
        return false;
    return s->q != Q_NONE || s->wait == W_PAUSED;
}

unsigned long session_expected(const session *s) {
    if (!s || s->done)
        return 0;
    if (s->wait == W_PAUSED)
        return BIT(INTENT_RESUME) | BIT(INTENT_STOP) | BIT(INTENT_HELP);
    return question_expects(s->q);
}

bool session_measuring_room(const session *s) {
    return s && !s->done && s->wait == W_LISTEN;
}

bool session_room_wanted(const session *s) {
    return s && !s->done && s->wait == W_ROOM;
}

room_quality session_room_quality(const session *s) {
    return s ? s->room : ROOM_OK;
}

bool session_in_hold(const session *s) {
    return s && !s->done && (s->wait == W_HOLD || s->wait == W_REST);
}

bool session_done(const session *s) {
    return !s || s->done;
}

end_reason session_end_reason(const session *s) {
    return s ? s->end : END_ERROR;
}

char *session_describe(const session *s, long t_ms, char *buf, size_t n) {
    if (!buf || n == 0)
        return buf;
    buf[0] = '\0';
    if (!s)
        return buf;
    size_t len = 0;
#define ADD(...)                                                                                   \
    do {                                                                                           \
        if (len < n) {                                                                             \
            int w_ = snprintf(buf + len, n - len, __VA_ARGS__);                                    \
            if (w_ > 0)                                                                            \
                len += (size_t)w_;                                                                 \
        }                                                                                          \
    } while (0)
    ADD("%s", s->r->name ? s->r->name : "routine");
    if (s->done) {
        ADD(" \xc2\xb7 ended (%s)", end_reason_name(s->end));
        return buf;
    }
    const exercise *e = cur_ex(s);
    if (e) {
        ADD(" \xc2\xb7 %s", e->name);
        if (s->walk.kind == U_REP)
            ADD(" \xc2\xb7 rep %d/%d", s->walk.rep + 1, e->reps);
        const char *side = side_name(e, s->walk.side);
        if (side[0] && (s->walk.kind == U_SIDE || s->walk.kind == U_REP))
            ADD(" \xc2\xb7 %s", side);
    }
    if (s->wait == W_HOLD) {
        long left = s->hold_start + s->hold_secs * 1000L - t_ms;
        ADD(" \xc2\xb7 hold %ld s left", left > 0 ? (left + 999) / 1000 : 0);
    } else if (s->wait == W_REST) {
        long left = s->rest_end - t_ms;
        ADD(" \xc2\xb7 rest %ld s left", left > 0 ? (left + 999) / 1000 : 0);
    } else if (s->wait == W_PAUSED) {
        ADD(" \xc2\xb7 paused");
    } else if (s->wait == W_LISTEN || s->wait == W_ROOM) {
        ADD(" \xc2\xb7 listening to the room");
    } else if (s->q != Q_NONE) {
        ADD(" \xc2\xb7 waiting for an answer");
    }
#undef ADD
    if (len >= n)
        buf[n - 1] = '\0';
    return buf;
}
