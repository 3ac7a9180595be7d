/* safety: the safety checker. A pure function of its state and one reply:
 * it decides whether to continue, stop the exercise, offer an easier one or
 * end the session, and says why. */
#ifndef FC_SAFETY_H
#define FC_SAFETY_H

#include "intent.h"
#include <stdbool.h>

/* A pain score this high is severe pain: before the first exercise an acute
 * flare-up, later sharp pain when no baseline score is known. */
#define SAFETY_SEVERE_SCORE 8

typedef enum verdict_type {
    VERDICT_CONTINUE = 0,
    VERDICT_STOP_EXERCISE,
    VERDICT_OFFER_EASIER,
    VERDICT_END_SESSION,
    VERDICT_PAUSE /* the count is stopped until the person says what is wrong
                     (unclear speech, a clap, a noisy room); not from safety_judge */
} verdict_type;

const char *verdict_name(verdict_type v); /* "continue", "stop_exercise", ..., "pause" */

/* Where in the session a reply was heard; the rules differ. */
typedef enum safety_phase {
    SAFETY_EXERCISE = 0, /* during or right after an exercise (holds, rests, check-ins) */
    SAFETY_SCREENING,    /* the red-flag questions before the first exercise */
    SAFETY_BASELINE      /* the baseline questions: locations and scores are recorded */
} safety_phase;

/* What the checker remembers over one session. Plain data: copy it to try a
 * reply without acting on it. Initialize with safety_init. */
typedef struct safety_state {
    location furthest;      /* furthest-down place reported so far, LOC_NONE before any */
    location last;          /* the place reported last */
    int baseline_score;     /* 0..10, -1 when unknown */
    int last_score;         /* -1 when none yet */
    int peripheralizations; /* counted over the session; the second ends it */
    int sharp_pains;        /* the second ends the session */
    int worse_count;        /* the third "worse" ends the session */
} safety_state;

/* One reply as the checker sees it. Usually one intent; several may be set
 * (a reply that says more than one thing), then the most serious rule wins:
 * red flag > peripheralization (spreading, nerve signs, weakness, a place
 * further down) > sharp pain > pain score rise > worse > centralization >
 * better / same. */
typedef struct safety_input {
    unsigned long intents; /* bit (1ul << intent) for each intent heard */
    location loc;          /* a place named in the reply (or carried as the value of
                              a spreading or location reply); LOC_NONE if none */
    int score;             /* a pain score 0..10 named in the reply, -1 if none */
    safety_phase phase;
    bool has_easier; /* the current exercise names an easier version */
    bool has_flare;  /* a flare-up routine can be switched to */
} safety_input;

/* The verdict for one reply. Strings are static. */
typedef struct safety_verdict {
    verdict_type type;
    const char *reason; /* code for the log: peripheralization, nerve_signs, weakness,
                           centralization, sharp_pain, pain_score_rise, red_flag,
                           acute_flare, worse, better, same, location, pain_score,
                           baseline */
    const char *say;    /* prompts key of the plain-words explanation; NULL when
                           there is nothing to say (a recorded baseline) */
    bool ask_where;     /* ask where the pain is now (after a general "worse") */
    bool switch_flare;  /* switch to the flare-up routine (acute flare-up) */
} safety_verdict;

/* Fresh state for a new session: nothing reported, no baseline. */
void safety_init(safety_state *st);

/* Fills `in` for one reply with intent `i` and its value (the location or
 * the score; 0 otherwise) in `phase`; has_easier and has_flare are false. */
void safety_input_from_reply(safety_input *in, intent i, int value, safety_phase phase);

/* Judges one reply and updates st (location, baseline, counters). Pure: no
 * I/O, no clock. The rules:
 *  - red_flag: end the session (reason red_flag), in any phase.
 *  - peripheralization: spreading, nerve_signs, weakness, or a place further
 *    down than the furthest reported so far (when nothing was reported yet,
 *    any place below the back): stop the exercise, or offer the easier
 *    version when there is one; the second in a session ends it. Reasons:
 *    peripheralization, nerve_signs, weakness.
 *  - sharp_pain (or a score of 8 or more without a baseline): stop the
 *    exercise; the second ends the session (rest and positioning advice).
 *  - pain score at least 2 above the baseline: stop the exercise
 *    (pain_score_rise).
 *  - worse: stop the exercise and ask where (ask_where); the third ends the
 *    session.
 *  - centralizing, or a place further up than the furthest: continue, a good
 *    sign (centralization); the place becomes the new reference only when
 *    it is lower, so the furthest place is what later replies are compared to.
 *  - better, same, a place no further down, a score not risen: continue.
 *  - SAFETY_BASELINE: places and scores are recorded (reason baseline); a
 *    score of 8 or more or sharp pain is an acute flare-up (reason
 *    acute_flare): switch to the flare-up routine when has_flare (verdict
 *    offer_easier, switch_flare), otherwise end the session. A red flag
 *    still ends it.
 *  - SAFETY_SCREENING: only a red flag counts; everything else continues. */
safety_verdict safety_judge(safety_state *st, const safety_input *in);

/* True when `i` describes a symptom that may stop an exercise (worse,
 * spreading, nerve_signs, weakness, sharp_pain, red_flag). */
bool safety_is_symptom(intent i);

#endif
