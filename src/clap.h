/* clap: the non-speech stop signal. Finds two claps or two knocks on the
 * floor, close together and alone, in the echo-cancelled microphone signal. */
#ifndef FC_CLAP_H
#define FC_CLAP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* How the signal is found (2.5 ms sub-frames, 16 kHz):
 * - the signal is split in eight bands (150 Hz to 7.6 kHz, about half an
 *   octave each), each measured in dB over its own running noise floor and
 *   against the noise's own peaks in that band (an upper quantile of recent
 *   levels, which claps and sustained sounds do not raise): a noise full of
 *   clinks or thumps raises the bar where it makes them;
 * - a peak of that level over 10 ms is judged 100 ms later: it qualifies as
 *   a clap or knock when it stands far enough above those peaks, rises
 *   sharply (a band's 2.5 ms energy jumps >= 8 dB over 5-10 ms before), dies
 *   away within ~60 ms and has stopped ringing 40 ms after its onset (its
 *   loudest band has dropped), and is not tonal (no spectral line 15 dB over
 *   its neighbours between 1.6 and 7.4 kHz: a clink rings at one pitch);
 * - in a room, a few metres away, the walls' echoes make a clap last longer:
 *   it still qualifies when its level then falls steadily, like a room's
 *   tail, and above 1 kHz it does not repeat at a voice's pitch period (a
 *   voice can start as sharply and die away as fast);
 * - each clap-like transient, once 250 ms have followed it, is paired with
 *   the strongest clap-like one 150-1000 ms before it within 9 dB; the pair
 *   is a double clap when nothing else within 4 dB of the weaker happened
 *   from 300 ms before the first to 250 ms after the second, and not both
 *   transients rise far more sharply (> 14 dB more) than they stand above
 *   the noise's own peaks (a typing noise's keystrokes);
 * - what the program itself played is the reference of an echo estimate
 *   (its recent peak times the measured coupling): a transient no louder
 *   than the echo could be is ignored. */
typedef struct clap_detector clap_detector;

/* A detector with its noise floor still to learn (it settles in ~0.5 s).
 * Free with clap_free. */
clap_detector *clap_new(void);
void clap_free(clap_detector *c); /* NULL is fine */

/* Feeds `n` samples of the echo-cancelled microphone signal `mic` and the `n`
 * samples played at the same time `played` (NULL when nothing was played).
 * Both are borrowed. `t_ms` is the session time of mic[0]. Any n works, but
 * the runner feeds AUDIO_BLOCK. Returns true when a double clap or knock has
 * just been completed: the second transient and the quiet that must follow
 * it lie in the samples fed so far (true comes ~0.4 s after the second). */
bool clap_process(clap_detector *c, const int16_t *mic, const int16_t *played, size_t n,
                  long t_ms);

/* Session time (ms) of the second transient of the last double clap found,
 * or -1 when there was none. */
long clap_last_ms(const clap_detector *c);

/* Single transients that qualified so far (for tests and the benchmark). */
long clap_transients(const clap_detector *c);

#endif
