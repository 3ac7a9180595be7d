/* echo: echo cancellation and noise suppression (speexdsp) on the mic signal,
 * with what was played as the reference. Runs all the time. */
#ifndef FC_ECHO_H
#define FC_ECHO_H

#include <stdint.h>

typedef struct echo echo;

/* frame: samples per call (AUDIO_BLOCK); tail_ms: echo tail (e.g. 100);
 * denoise_db: noise suppression in dB (0 = off, e.g. -12); the residual
 * echo suppression is on in every case. NULL on bad arguments. */
echo *echo_new(int frame, int tail_ms, int denoise_db);
void echo_free(echo *e); /* NULL is fine */

/* Removes from `mic` the echo of `played` (both `frame` samples, aligned in
 * time) and writes the result to `out` (may alias mic). The preprocessor's
 * overlap-add delays `out` by exactly one frame (20 ms with AUDIO_BLOCK):
 * subtract it from times of what is heard. Measured (tests/test_echo.c):
 * echo at -6 dB reduced ~9 dB in the first 2 s, 35 dB after (46 dB with
 * denoise -12), while a reply spoken over it loses under 0.5 dB. */
void echo_process(echo *e, const int16_t *mic, const int16_t *played, int16_t *out);

/* Delays the reference by `ms` (0..2000) before the canceller sees it: use
 * the known part of the path from speaker to microphone (on a device,
 * audio_pa_latency_ms() minus a margin of ~20 ms) so the echo falls inside
 * the filter's tail (tail_ms). Returns 0, or -1 for an invalid delay or out
 * of memory (the previous delay is kept). */
int echo_set_delay(echo *e, int ms);

#endif
