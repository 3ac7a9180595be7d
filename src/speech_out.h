/* speech_out: text to speech with eSpeak NG, resampled to 16 kHz. */
#ifndef FC_SPEECH_OUT_H
#define FC_SPEECH_OUT_H

#include <stddef.h>
#include <stdint.h>
#include "util.h"
#include "voice.h"

typedef struct speech_out speech_out;

/* Initializes eSpeak NG with voice `v` (copied). eSpeak is a singleton:
 * only one speech_out may exist at a time. NULL with err set on failure. */
speech_out *speech_out_new(const voice_profile *v, fc_err *err);
void speech_out_free(speech_out *so); /* NULL is fine */

/* Synthesizes `text` (plain text: no SSML, no eSpeak control sequences are
 * interpreted) to 16 kHz mono s16. *pcm is owned by the caller (free).
 * Leading and trailing silence are trimmed. Returns 0 or -1 with err set. */
int speech_out_synth(speech_out *so, const char *text, int16_t **pcm, size_t *n, fc_err *err);

/* Like speech_out_synth, for words that must fit a slot (a hold count must
 * end before the next second): when the sentence is longer than
 * `max_samples`, it is spoken faster (up to 1.5 times the voice's rate, no
 * word gap) and the shortest version is returned. *n may still exceed
 * max_samples (then the caller should say something shorter or play a
 * tone). Returns 0 or -1 with err set. */
int speech_out_synth_fit(speech_out *so, const char *text, size_t max_samples, int16_t **pcm,
                         size_t *n, fc_err *err);

#endif
