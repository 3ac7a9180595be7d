/* speech_in: listening with PocketSphinx. Continuous decoding of 16 kHz
 * audio, endpointing, a search built from the reply lexicon, rejection of
 * everything that is not a reply, and a confidence per result. */
#ifndef FC_SPEECH_IN_H
#define FC_SPEECH_IN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "intent.h"
#include "util.h"

typedef struct heard {
    long start_ms, end_ms; /* on the clock of the audio fed in */
    char text[256];        /* the phrase recognized */
    intent intent;         /* INTENT_NONE when `unclear` */
    int value;
    float confidence;      /* 0..1 */
    bool low_confidence;   /* accepted, but below the sure threshold */
    bool unclear;          /* speech that may be a symptom reply, not understood */
    bool again;            /* understood as a symptom said again: the last unclear
                            * speech was decoded as the same symptom, shortly before */
    bool near;             /* during a hold: voiced, reply-length and about as loud as
                            * the person (their own voice, whatever its words) */
    /* For tuning and logs: the evidence behind the decision. */
    float score;           /* per-frame log-likelihood ratio, grammar vs free phone loop */
    float score_span;      /* the same over the words only (silence around them left out) */
    float phone_dist;      /* phone edit distance, free phone loop vs the phrase, per phone */
    float phone_near;      /* ... near misses counted as part of a phone (one-word answers) */
    int frames;            /* length of the segment in 10 ms frames */
    float level_db;        /* the segment's level: 90th percentile of its 10 ms frames, dBFS */
    float voiced;          /* the part of its loud frames that is voiced, 0..1 */
    float voiced_ms;       /* how long the voice in it lasts, ms */
    float beyond_ms;       /* voice in it before or after the words recognized, ms */
    float noise_db;        /* the room's noise around it: mean power between segments, dBFS */
    bool continued;        /* the rest of speech that went on past the longest segment */
    bool run_on;           /* it began right where other speech at a speaking level
                            * ended: the middle of a longer utterance, not a reply */
    bool rejected;         /* only in raw mode (speech_in_set_raw): would have been dropped */
} heard;

typedef struct speech_in_opts {
    const char *profile_dir; /* the person's enrollment profile, or NULL */
    const char *log_path;    /* PocketSphinx's own messages go here; NULL: /dev/null */
    /* Overrides of the tuned settings, for the benchmark: "key=value,..."
     * (see speech_in.c's settings table; "-flag=value" passes a flag to the
     * reply decoder, "ph-flag=value" to the phone-loop decoder). NULL: the
     * defaults. An unknown key is an error. */
    const char *tuning;
} speech_in_opts;

typedef struct speech_in speech_in;

/* Builds the recognizer for the phrases of `lx` (borrowed; must outlive it).
 * Every word must be in the model's dictionary: otherwise NULL and err says
 * which word of which phrase. */
speech_in *speech_in_new(const lexicon *lx, const speech_in_opts *opts, fc_err *err);
void speech_in_free(speech_in *si); /* NULL is fine */

/* The listening context from the session: the intents that answer the open
 * question (bit 1u << intent; 0 when none) and whether a hold or rest is
 * being counted. Expected answers need less evidence. */
void speech_in_set_context(speech_in *si, unsigned long expected, bool in_hold);

/* The level of the person's replies (heard.level_db of replies they gave),
 * or NAN when not known yet. During a hold, speech about this loud stops
 * the count even when its words are not understood; quieter speech (a TV,
 * another room) needs words that look like a symptom. Until the level is
 * known, any speech clearly above the room's noise counts. */
void speech_in_set_person_level(speech_in *si, double level_db);

/* The level in use: the one set, else the one measured on the enrollment
 * profile's recordings when a profile was given, else NAN. */
double speech_in_person_level(const speech_in *si);

/* Feeds `n` samples that start at `t_ms`. Writes up to `max` results that
 * became final into `out`, returns how many (0 most of the time), or -1 with
 * err set when the decoder failed. */
int speech_in_process(speech_in *si, const int16_t *pcm, size_t n, long t_ms, heard *out,
                      int max, fc_err *err);

/* Ends the current utterance (end of input); results as above. */
int speech_in_flush(speech_in *si, heard *out, int max, fc_err *err);

/* True while the endpointer believes someone is speaking. */
bool speech_in_in_speech(const speech_in *si);

/* Raw mode (benchmark): every segment the decoder finalizes is returned,
 * with `rejected` set on those that would have been dropped, so thresholds
 * can be swept without decoding again. Off by default. */
void speech_in_set_raw(speech_in *si, bool raw);

/* Decides about a result from its text, timing and score with the current
 * settings and context (fills intent, value, confidence, low_confidence,
 * unclear, rejected). The benchmark uses it to sweep thresholds. */
void speech_in_judge(const speech_in *si, heard *h);

/* Remembers what a judged result means for the next ones: unclear speech
 * decoded as a symptom makes that symptom, said again in a speaking voice
 * within again_ms, be understood on the unclear score with more room on its
 * sounds (again_pd; heard.again); an accepted reply clears it. The
 * listener calls it on every segment; the tests after speech_in_judge. */
void speech_in_note(speech_in *si, const heard *h);

/* The phone distance of the judge, on phone strings ("N OW" wanted, "M EH OW"
 * heard): edits per wanted phone, a near miss (a phone of the same class)
 * costing `near` (1: plain edit distance). */
double speech_in_phone_distance(const char *want, const char *got, double near);

/* Replaces the thresholds (the "key=value,..." keys of opts.tuning that are
 * not decoder flags; unnamed keys return to their defaults). Returns 0, or
 * -1 with err set. */
int speech_in_tune(speech_in *si, const char *tuning, fc_err *err);

/* The path of the acoustic model folder in use (owned by si). */
const char *speech_in_model(const speech_in *si);

#endif
