/* wav: reading and writing WAV files (PCM 8/16/24/32-bit, float 32). */
#ifndef FC_WAV_H
#define FC_WAV_H

#include <stddef.h>
#include <stdint.h>
#include "util.h"

/* Reads a whole WAV file and converts it to 16 kHz mono s16 (channels mixed
 * down, rate converted). *pcm is owned by the caller (free). Returns 0, or -1
 * with err naming the file and what is wrong. Never reads past the buffer. */
int wav_read_16k(const char *path, int16_t **pcm, size_t *n, fc_err *err);

/* Same from memory (for fuzzing and tests). */
int wav_parse_16k(const unsigned char *buf, size_t len, const char *name, int16_t **pcm,
                  size_t *n, fc_err *err);

/* Converts 16-bit mono `in` (n samples at in_rate) to out_rate with the
 * speexdsp resampler; *out (owned by the caller, free) gets exactly
 * round(n * out_rate / in_rate) samples, aligned with the input (no filter
 * delay). Returns 0, or -1 on bad rates or out of memory. */
int wav_resample(const int16_t *in, size_t n, int in_rate, int out_rate, int16_t **out,
                 size_t *out_n);

/* Streaming writer of 16-bit mono WAV; the header is patched on close. */
typedef struct wav_writer wav_writer;
wav_writer *wav_writer_open(const char *path, int rate, fc_err *err);
int wav_writer_write(wav_writer *w, const int16_t *pcm, size_t n);
int wav_writer_close(wav_writer *w); /* NULL is fine; returns -1 on a write error */

/* Writes a whole buffer as a 16-bit mono WAV file. */
int wav_write(const char *path, const int16_t *pcm, size_t n, int rate, fc_err *err);

#endif
