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
} heard;

typedef struct speech_in_opts {
    const char *profile_dir; /* the person's enrollment profile, or NULL */
    const char *log_path;    /* PocketSphinx's own messages go here; NULL: /dev/null */
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

/* Feeds `n` samples that start at `t_ms`. Writes up to `max` results that
 * became final into `out`, returns how many (0 most of the time), or -1 with
 * err set when the decoder failed. */
int speech_in_process(speech_in *si, const int16_t *pcm, size_t n, long t_ms, heard *out,
                      int max, fc_err *err);

/* Ends the current utterance (end of input); results as above. */
int speech_in_flush(speech_in *si, heard *out, int max, fc_err *err);

/* True while the endpointer believes someone is speaking. */
bool speech_in_in_speech(const speech_in *si);

#endif
