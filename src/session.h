/* session: the routine interpreter. A state machine that takes events (a
 * reply, a clock tick, the end of a spoken sentence) and returns actions
 * (say this, log that, end). It does no I/O and reads no clock of its own. */
#ifndef FC_SESSION_H
#define FC_SESSION_H

/* How a session goes (every sentence from prompts.cfg):
 *  - disclaimer, how to talk to it, the routine's introduction;
 *  - four red-flag questions (yes ends the session: END_RED_FLAG);
 *  - baseline: leg pain? where furthest down? a score 0..10 (8 or more, or
 *    "severe pain": acute flare-up, switch to `flare` or end gently);
 *  - per exercise: name, setup, caution; per side exercise_start, "Now the
 *    left leg."; per rep "Rep n of N.", the steps, "Hold." counts "Release."
 *    (count n exactly n s after "Hold." began; pace never changes holds);
 *    `rest` between sides, and between reps when a rep holds 10 s or more;
 *    the check-in; exercise_end; then a summary and ACT_END END_COMPLETED.
 *  - Questions wait for SEV_SAID, then reply_wait_ms: silence asks again in
 *    other words, then pauses. A paused session waits for "carry on" with no
 *    time limit and starts the current rep or question again.
 *  - Safety (safety.h): a stop cancels speech first (ACT_CANCEL_SPEECH, then
 *    ACT_VERDICT, then the explanation, kind safety). A red flag heard after
 *    the screening is confirmed with a yes/no question (silence = yes);
 *    a low-confidence symptom stops the count and is confirmed the same way.
 *    A general "worse" stops the exercise and asks where the pain is. After a
 *    stop the easier version is offered (peripheralization) or the person
 *    is asked whether to go on. SEV_UNCLEAR and SEV_CLAP stop the count and
 *    ask (verdict pause, reason unclear_speech or clap).
 *  - Room check (session_opts.room_check, issue 11): after the opening words
 *    "please stay quiet", ROOM_LISTEN_MS of listening (session_measuring_room)
 *    and a wait for SEV_ROOM (session_room_wanted). The runner answers with
 *    the room's quality, and may send SEV_ROOM again at any time (e.g. once
 *    the screening replies gave the speech level). ROOM_MARGINAL: check in
 *    after every rep with yes/no questions, and check the room again before
 *    each next exercise; ROOM_OK: the options as given. ROOM_TOO_NOISY: stop,
 *    say so, wait ROOM_RETRY_MS, check again; too noisy twice in a row ends
 *    the session (END_ERROR, message "too noisy"), suggesting the console. */

#include "intent.h"
#include "prompts.h"
#include "roomcheck.h"
#include "routine.h"
#include "safety.h"
#include <stdbool.h>

/* Room check timing (ms): listening while the person is quiet; the wait
 * after "it's noisy here" for the noise to be turned off; how long a check
 * waits for the runner's SEV_ROOM. */
#define ROOM_LISTEN_MS 3000
#define ROOM_RETRY_MS 10000
#define ROOM_VERDICT_MS 1000

typedef enum say_kind { SAY_INSTRUCTION, SAY_COUNT, SAY_PROMPT, SAY_SAFETY, SAY_INFO } say_kind;
const char *say_kind_name(say_kind k); /* "instruction", "count", ... */

typedef enum end_reason {
    END_NONE = 0,
    END_COMPLETED,
    END_USER_STOP,
    END_SAFETY,
    END_RED_FLAG,
    END_ERROR
} end_reason;
const char *end_reason_name(end_reason r); /* "completed", "user_stop", ... */

typedef enum session_ev_type {
    SEV_START,     /* begin the session */
    SEV_TICK,      /* the clock moved on (sent every audio block, or at deadlines) */
    SEV_SAID,      /* the sentence with `say_id` finished playing */
    SEV_REPLY,     /* a recognized (or typed) reply */
    SEV_UNCLEAR,   /* speech that may be a symptom reply but was not understood */
    SEV_CLAP,      /* the non-speech stop signal (two claps or knocks) */
    SEV_DEAF,      /* the input is lost: stop for safety, end with END_ERROR */
    SEV_NO_INPUT,  /* the input ended (file or typed) while a reply is awaited */
    SEV_INTERRUPT, /* Ctrl-C / SIGTERM: say goodbye, end with END_USER_STOP */
    SEV_NOISY,     /* the room became too noisy to hear replies: pause and say why */
    SEV_ROOM       /* a room check's verdict: `value` is a room_quality */
} session_ev_type;

typedef struct session_event {
    session_ev_type type;
    long t_ms; /* session clock in milliseconds; never goes back */
    /* SEV_REPLY */
    intent intent;
    int value;           /* SEV_REPLY: the intent's value; SEV_ROOM: a room_quality */
    float confidence;    /* 0..1 */
    bool low_confidence; /* the listener is unsure: act on the safe side, then confirm */
    const char *text;    /* what was heard or typed (borrowed for the call) */
    bool has_speech_start; /* SEV_REPLY heard from audio: speech_start_ms is set */
    long speech_start_ms;  /* ... when that speech began, on the session clock */
    bool near; /* SEV_REPLY during a hold: it sounded like the person's own voice */
    /* SEV_SAID */
    unsigned say_id;
} session_event;

typedef enum session_act_type {
    ACT_SAY,            /* say `text` of `kind`; counts carry count_n/count_of */
    ACT_CANCEL_SPEECH,  /* stop whatever is being said at once (barge-in) */
    ACT_VERDICT,        /* a safety verdict to log (it is also said with ACT_SAY) */
    ACT_EXERCISE_START, /* exercise `id`, `side` ("left", "right" or "") */
    ACT_EXERCISE_END,   /* exercise `id`, `outcome` ("done", "stopped", "skipped") */
    ACT_ROUTINE_SWITCH, /* now following routine `id` (e.g. the flare-up routine) */
    ACT_END             /* the session is over: `end`. It comes in the same batch
                           as the last sentence (the goodbye, the red-flag advice):
                           let what was said finish playing before closing. For
                           END_ERROR after SEV_NO_INPUT, `text` is "no more input". */
} session_act_type;

typedef struct session_action {
    session_act_type type;
    long t_ms; /* when it happens on the session clock */
    say_kind kind;
    unsigned say_id; /* ACT_SAY: identifies the sentence for SEV_SAID */
    int count_n, count_of;
    char text[1200]; /* ACT_SAY: the sentence; ACT_VERDICT: the spoken explanation */
    char id[64];     /* exercise id */
    char side[8];
    char outcome[16];
    verdict_type verdict; /* ACT_VERDICT */
    char reason[32];      /* ACT_VERDICT: reason code */
    end_reason end;       /* ACT_END */
} session_action;

typedef struct session_opts {
    bool baseline;        /* ask for the baseline pain location and score (default true) */
    bool screening;       /* ask the red-flag questions (default true) */
    int reply_wait_ms;    /* silence after a question before asking again (default 8000) */
    int checkin_every;    /* 0: after each exercise (default); 1: after every side/set;
                             2: after every rep as well (a marginal room, issue 11) */
    bool yes_no_checkins; /* ask check-ins as "Is your leg any worse than before? Say yes
                             or no." from the start: the most reliable replies in a
                             marginal room (default false) */
    bool room_check;      /* listen to the room before the screening (hands-free
                             sessions; default false) */
} session_opts;

/* Fills opts with the defaults. */
void session_opts_default(session_opts *opts);

typedef struct session session;

/* A session over routine `r`. `flare` (may be NULL) is the routine offered
 * for an acute flare-up. All pointers are borrowed and must outlive the
 * session. Free with session_free. */
session *session_new(const routine *r, const routine *flare, const prompts *p,
                     const session_opts *opts);
void session_free(session *s); /* NULL is fine */

/* Feeds one event; writes up to `max` actions into `out` and returns how
 * many. Events must come in time order. 64 actions always suffice. */
int session_handle(session *s, const session_event *ev, session_action *out, int max);

/* The next time (ms) at which a SEV_TICK would make something happen, or -1
 * when the session waits only on SEV_SAID or a reply. Lets fast modes jump. */
long session_next_deadline(const session *s);

/* True while the session waits for an answer to a question it asked. */
bool session_awaiting_reply(const session *s);

/* Bit (1u << intent) for each intent that answers the current question;
 * 0 when no question is open. For the listener's safety-first policy. */
unsigned long session_expected(const session *s);

/* True while a room check listens to the room with the person asked to be
 * quiet: the runner feeds room_expect_quiet(m, true) meanwhile. */
bool session_measuring_room(const session *s);

/* True when a room check has listened and waits for SEV_ROOM (send it at
 * once; without it the session goes on after ROOM_VERDICT_MS as if the room
 * were unchanged). */
bool session_room_wanted(const session *s);

/* The room quality last received (ROOM_OK before any). */
room_quality session_room_quality(const session *s);

/* True during a hold or rest count (speech then may be a symptom reply). */
bool session_in_hold(const session *s);

bool session_done(const session *s);
end_reason session_end_reason(const session *s);

/* Every prompts key a session may say (for checking a prompts file or a
 * translation); *n receives how many. Static strings. */
const char *const *session_prompt_keys(size_t *n);

/* One line for a terminal status display: routine, exercise, rep/side, hold
 * countdown. Writes into buf (size n) and returns buf. */
char *session_describe(const session *s, long t_ms, char *buf, size_t n);

#endif
