/* audio: the audio back-end interface. One call exchanges a block: what to
 * play goes out, what the microphone heard comes in. The session clock is
 * the count of samples exchanged, so file mode and the device run alike. */
#ifndef FC_AUDIO_H
#define FC_AUDIO_H

#include <stddef.h>
#include <stdint.h>
#include "util.h"

#define AUDIO_RATE 16000 /* everything inside floorcoach is 16 kHz mono s16 */
#define AUDIO_BLOCK 320  /* 20 ms: the unit of time of the main loop */

/* A back-end implements these (cf. cmus's op.h). */
typedef struct audio_ops {
    const char *name;
    /* Plays `n` samples of `play` and fills `rec` with the next `n` samples
     * heard. Returns 1 on success, 0 when the input has ended (file mode: rec
     * is filled with silence and the output still written), -1 with err set
     * when the device failed or delivered nothing for 2 s. */
    int (*exchange)(void *impl, const int16_t *play, int16_t *rec, size_t n, fc_err *err);
    /* Plays what is still queued (up to `max_ms`), then releases everything. */
    void (*close)(void *impl, int max_ms);
} audio_ops;

typedef struct audio audio;

/* Wraps a back-end; takes ownership of impl (released by ops->close). */
audio *audio_new(const audio_ops *ops, void *impl);
int audio_exchange(audio *a, const int16_t *play, int16_t *rec, size_t n, fc_err *err);
/* Samples exchanged so far: the session clock. */
uint64_t audio_samples(const audio *a);
const char *audio_name(const audio *a);
void audio_free(audio *a, int drain_ms); /* NULL is fine */

/* File back-end: the microphone is read from `mic_path` (any WAV of common
 * rate and channels, converted to 16 kHz mono), everything played is written
 * to `spk_path` (16 kHz mono WAV, may be NULL to discard). With echo_db
 * finite (not NAN), what is played is also mixed into the microphone at
 * echo_db dB after echo_ms ms, as a room's echo would. */
audio *audio_file_open(const char *mic_path, const char *spk_path, double echo_db, int echo_ms,
                       fc_err *err);

/* Device back-end (PortAudio). Device names: NULL for the default, an index,
 * or a name substring. NULL with err set when no device can be opened.
 *
 * Device back-end details: the streams start at once and run at 16 kHz
 * when the device accepts it, else at its own rate (converted both ways).
 * Microphone input that arrives before the first exchange is discarded.
 * exchange() queues `play` (normally 30-70 ms ahead, so a stop is heard
 * quickly; when the caller falls behind and catches up in a burst, speech
 * queues up to 750 ms rather than be cut, and silence beyond 70 ms is
 * dropped to shrink the queue back) and blocks until `n` microphone samples have
 * arrived, so the session clock follows the microphone. It returns -1 with
 * "no audio from the microphone for 2 seconds" or "the audio device stopped
 * working"; it never waits longer than ~2 s.
 * Echo reference: the echo of `play` is heard in `rec` of a *later*
 * exchange: after the output queue (~30 ms) plus the device's output and
 * input latency. audio_pa_latency_ms() estimates it for the open device
 * (80 ms on the test's virtual device, where 63-65 ms was measured: about
 * three 20 ms blocks; tests/e2e_pulse_audio.sh prints the figure). An echo
 * canceller with a 100 ms tail fed play and rec of the same exchange thus
 * has ~35 ms of tail left for the room; delaying its reference by
 * (audio_pa_latency_ms() / 20 - 1) blocks gives it back. */
audio *audio_pa_open(const char *input_dev, const char *output_dev, fc_err *err);

/* Prints the devices (index, name, host API, channels, default rate) to stdout.
 * Returns 0, or -1 with err set when the audio system is unavailable or has
 * no device at all. */
int audio_pa_list(fc_err *err);

/* What PortAudio, ALSA and JACK print while starting is hidden from users:
 * with debug_log_path (copied) it is appended to that file; with `on` and no
 * path it stays on stderr; otherwise it is discarded. `on` also prints the
 * chosen devices, rates and latencies on stderr. Call before opening. */
void audio_pa_set_verbose(int on, const char *debug_log_path);

/* Estimated delay, in ms, from a sample handed to exchange() to its echo in
 * the microphone (output queue + device latencies) of the device opened
 * last; -1 before any device was opened. */
int audio_pa_latency_ms(void);

/* Test hook: runs the device at `rate` Hz instead of choosing (0: choose). */
void audio_pa_force_rate(int rate);

#endif
