/* audio_file: the file back-end: microphone from a WAV file, speaker to a WAV
 * file, time taken from the audio itself, optional simulated room echo. */
#include "audio.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "wav.h"

typedef struct file_impl {
    int16_t *mic;
    size_t mic_n, mic_pos;
    wav_writer *spk;
    /* Echo: a delay line of what was played, `delay` samples long. */
    int echo_on;
    float gain;
    int16_t *line;
    size_t delay, line_pos;
} file_impl;

static int16_t clip16(long v) {
    return (int16_t)(v > 32767 ? 32767 : v < -32768 ? -32768 : v);
}

static int file_exchange(void *impl, const int16_t *play, int16_t *rec, size_t n, fc_err *err) {
    file_impl *f = impl;
    int status = f->mic_pos < f->mic_n ? 1 : 0;
    size_t have = f->mic_pos < f->mic_n ? f->mic_n - f->mic_pos : 0;
    size_t take = have < n ? have : n;
    if (take)
        memcpy(rec, f->mic + f->mic_pos, take * sizeof *rec);
    memset(rec + take, 0, (n - take) * sizeof *rec);
    f->mic_pos += take;
    if (f->echo_on) {
        /* The room's echo keeps arriving after the recording ends. */
        for (size_t i = 0; i < n; i++) {
            int16_t p = play ? play[i] : 0;
            int16_t heard;
            if (f->delay == 0) {
                heard = p;
            } else {
                heard = f->line[f->line_pos];
                f->line[f->line_pos] = p;
                f->line_pos = (f->line_pos + 1) % f->delay;
            }
            rec[i] = clip16(rec[i] + lrintf(f->gain * (float)heard));
        }
    }
    if (f->spk) {
        int r;
        if (play) {
            r = wav_writer_write(f->spk, play, n);
        } else {
            int16_t zero[AUDIO_BLOCK] = {0};
            r = 0;
            for (size_t i = 0; i < n && r == 0; i += AUDIO_BLOCK)
                r = wav_writer_write(f->spk, zero, n - i < AUDIO_BLOCK ? n - i : AUDIO_BLOCK);
        }
        if (r < 0)
            return err_set(err, "cannot write the speaker file (disk full?)");
    }
    return status;
}

static void file_close(void *impl, int max_ms) {
    (void)max_ms; /* nothing is queued: every block is written at once */
    file_impl *f = impl;
    if (!f)
        return;
    wav_writer_close(f->spk);
    free(f->mic);
    free(f->line);
    free(f);
}

static const audio_ops file_ops = {"file", file_exchange, file_close};

audio *audio_file_open(const char *mic_path, const char *spk_path, double echo_db, int echo_ms,
                       fc_err *err) {
    file_impl *f = xcalloc(1, sizeof *f);
    if (!f) {
        err_set(err, "out of memory");
        return NULL;
    }
    if (wav_read_16k(mic_path, &f->mic, &f->mic_n, err) < 0)
        goto error_out;
    if (!isnan(echo_db)) {
        if (echo_db > 20.0 || echo_ms < 0 || echo_ms > 10000) {
            err_set(err, "echo %.1f dB after %d ms: use at most 20 dB and 0 to 10000 ms", echo_db,
                    echo_ms);
            goto error_out;
        }
        f->echo_on = 1;
        f->gain = (float)pow(10.0, echo_db / 20.0);
        f->delay = (size_t)echo_ms * AUDIO_RATE / 1000;
        if (f->delay) {
            f->line = xcalloc(f->delay, sizeof *f->line);
            if (!f->line) {
                err_set(err, "out of memory");
                goto error_out;
            }
        }
    }
    if (spk_path) {
        f->spk = wav_writer_open(spk_path, AUDIO_RATE, err);
        if (!f->spk)
            goto error_out;
    }
    audio *a = audio_new(&file_ops, f);
    if (!a)
        err_set(err, "out of memory");
    return a;
error_out:
    file_close(f, 0);
    return NULL;
}
