/* roomcheck: how well floorcoach can hear in this room. Estimates the noise
 * floor, the level of the person's replies and their ratio (the reply SNR),
 * and tracks the noise between replies for the rest of the session. */
#ifndef FC_ROOMCHECK_H
#define FC_ROOMCHECK_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Reply SNR limits (dB) for room_judge: the SNR below which a symptom said
 * during a hold stops the count in fewer than 95% of trials. Measured
 * (bench/RESULTS.md): session level (bench/safety_session.sh) 99.8% at 10
 * dB and 69% at 5 dB, 95% at about 9.2 dB by interpolation; the listener
 * alone during a hold (bench/recognition.sh, held-out split) 96.6% at 10 dB
 * and 75.9% at 5 dB, 95% at about 9.6 dB. The session's reply SNR (the
 * person's answers against the room) was within 1 dB of the mixed SNR in
 * tests/e2e_room.sh. Marginal: within 6 dB of that. */
#define ROOM_SNR_TOO_NOISY 9.0 /* below: do not start hands-free */
#define ROOM_SNR_MARGINAL 15.0 /* below: check in more often, re-check the room */

/* Clatter: a noise that the listener takes for speech much of the time,
 * made of sharp sounds several times a second (typing, tapping), keeps its
 * segments open, and an answer is decoded with the clatter around it. Such
 * a room is too noisy whatever the replies' SNR (room_clatter): at least
 * this share of the quiet period's frames stand out of the noise floor as
 * speech does, with at least this many sharp sounds per second among them.
 * Measured (bench/RESULTS.md, "Clatter"): yes or no answers understood over
 * the corpus's typing 3-18% at 10-25 dB, over dishes, bike, tap and train
 * 58-83%;
 * on 3.4 s quiet periods the typing has 3.2-6.8 sharp sounds per second,
 * speech with pauses (a TV) at most 2.4 and the other noises at most 1.2,
 * while a crowd or a TV keeps the listener as busy as typing does. */
#define ROOM_BUSY_TOO_NOISY 0.25
#define ROOM_SHARP_TOO_NOISY 3.0

typedef enum room_quality { ROOM_OK, ROOM_MARGINAL, ROOM_TOO_NOISY } room_quality;

/* "ok", "marginal", "too_noisy" (static strings). */
const char *room_quality_name(room_quality q);

/* The verdict for a reply SNR in dB. An unknown SNR (NAN: no reply heard
 * yet) is judged ROOM_MARGINAL: act on the safe side without refusing. */
room_quality room_judge(double snr_db);

typedef struct room_meter room_meter;

/* A meter with an empty room check. Free with room_free. */
room_meter *room_new(void);
void room_free(room_meter *m); /* NULL is fine */

/* Feeds `n` samples (borrowed) of the echo-cancelled microphone signal, cut
 * in 20 ms frames inside. `speaking`: the program was talking during these
 * samples; such frames (and 200 ms after, the echo's tail) are not counted.
 * Every other frame goes into the room check (since room_new or the last
 * room_reset) and into the slow noise tracker. */
void room_process(room_meter *m, const int16_t *pcm, size_t n, bool speaking);

/* Tells the meter that the person is asked to be quiet now (the first
 * seconds of a room check): until called again with false, the frames are
 * taken as pure room noise, and the noise figure becomes their mean power.
 * Without such a period the noise is estimated from the quietest frames,
 * which under-reads impulsive noise (typing, clatter) by 10 dB or more. */
void room_expect_quiet(room_meter *m, bool quiet);

/* Starts a new room check: forgets the frames counted so far (the slow
 * noise tracker and the last speech level are kept). */
void room_reset(room_meter *m);

/* The room check's noise level in dBFS (0 dBFS: a full-scale square wave):
 * the mean power of the frames heard during room_expect_quiet if there
 * were 0.5 s of them, else of the quiet frames (those less than 6 dB above
 * the 20th percentile). NAN before 0.5 s of frames. */
double room_noise_dbfs(const room_meter *m);

/* The level of the replies, in dBFS: the loud frames (20 ms frames 6 dB or
 * more above the quiet ones) at their 90th percentile, less the noise, less
 * the usual gap between a speech's loud frames and its active level. NAN
 * when fewer than 0.2 s of such frames were heard; then the last known
 * level (from an earlier check) is returned if there is one. */
double room_speech_dbfs(const room_meter *m);

/* A level measured with the noise in it (dBFS), less the noise's power
 * (noise_dbfs): the speech alone, at most 20 dB under the mixture. */
double room_less_noise(double mix_dbfs, double noise_dbfs);

/* Whether the noise heard during room_expect_quiet (since the last
 * room_reset) is clatter, as defined above. `busy`: the share (0..1) of its
 * 10 ms frames the listener would take for speech (more than 9 dB above
 * their 10th percentile, as its endpointer does); `sharp_per_s`: the sharp
 * sounds among them per second (a rise of 15 dB or more within 10 ms).
 * Both NAN, and false, before 1 s of such frames. */
bool room_clatter(const room_meter *m, double *busy, double *sharp_per_s);

/* Feeds the continuous clatter check with `n` samples (borrowed) of the
 * echo-cancelled signal. `heard`: none of the program's own sound is in
 * them (nothing played within the echo's delay); blocks with it are left
 * out, and the next stretch is joined on without taking its first rise
 * for a sharp sound. Separate from room_process, which leaves out whole
 * sentences with their pauses: during a hold, the count's gaps are heard. */
void room_listen_between(room_meter *m, const int16_t *pcm, size_t n, bool heard);

/* The clatter rule over the last 3.4 s given to room_listen_between:
 * clatter that starts during a session. NAN, and false, until 3.4 s were
 * heard. */
bool room_clatter_now(const room_meter *m, double *busy, double *sharp_per_s);

/* room_speech_dbfs - room_noise_dbfs: the reply SNR in dB, NAN if unknown. */
double room_snr(const room_meter *m);

/* The continuous mode: the noise level now (dBFS), from a slow tracker of
 * the quiet frames (it follows a rise of the noise at 1.5 dB/s and ignores
 * replies), and the reply SNR it leaves (the last speech level against this
 * noise). NAN until 0.5 s of frames were heard. */
double room_noise_now_dbfs(const room_meter *m);
double room_snr_now(const room_meter *m);

#endif
