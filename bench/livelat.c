/* livelat: measures one trial of the live latency benchmark from a
 * recording of the virtual device (bench/live.sh): the user's channel and
 * the speaker's channel, on one clock.
 *   livelat USER.wav SPEAKER.wav FEED.wav FEED_SPEECH.wav STOP.wav
 * USER: what the fake microphone got; FEED: the file played into it (not
 * used: kept for the record); FEED_SPEECH: the same phrase without the
 * noise floor (where the phrase starts and ends); SPEAKER: what floorcoach played; STOP: the stop sentence
 * rendered alone. Prints "latency_ms L score S" (S: normalized match of the
 * stop sentence, 1 = exact) or an error, exit 1. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>

#include "wav.h"

#define RATE 16000

static int load(const char *path, int16_t **pcm, size_t *n) {
    fc_err err;
    if (wav_read_16k(path, pcm, n, &err) != 0) {
        fprintf(stderr, "livelat: %s\n", err.msg);
        return -1;
    }
    return 0;
}

/* First sample louder than `frac` of the peak. */
static size_t first_loud(const int16_t *x, size_t n, double frac) {
    int peak = 1;
    for (size_t i = 0; i < n; i++)
        if (abs(x[i]) > peak)
            peak = abs(x[i]);
    for (size_t i = 0; i < n; i++)
        if (abs(x[i]) > frac * peak)
            return i;
    return 0;
}

/* End of the last 5 ms frame whose RMS is within 30 dB of the loudest. */
static size_t speech_end(const int16_t *x, size_t n) {
    const size_t f = RATE / 200;
    double best = 0;
    size_t end = 0;
    for (size_t i = 0; i + f <= n; i += f) {
        double e = 0;
        for (size_t j = 0; j < f; j++)
            e += (double)x[i + j] * x[i + j];
        if (e > best)
            best = e;
    }
    for (size_t i = 0; i + f <= n; i += f) {
        double e = 0;
        for (size_t j = 0; j < f; j++)
            e += (double)x[i + j] * x[i + j];
        if (e > best * 1e-3)
            end = i + f;
    }
    return end;
}

/* Where template t (m samples) matches x best within [from, to): the
 * normalized cross-correlation; *score gets the match (-1..1). */
static size_t best_match(const int16_t *x, size_t n, const int16_t *t, size_t m, size_t from,
                         size_t to, double *score) {
    double tt = 0;
    for (size_t j = 0; j < m; j++)
        tt += (double)t[j] * t[j];
    size_t best_i = from;
    double best = -2;
    if (to + m > n)
        to = n > m ? n - m : 0;
    for (size_t i = from; i < to; i++) {
        double xt = 0, xx = 0;
        for (size_t j = 0; j < m; j++) {
            xt += (double)x[i + j] * t[j];
            xx += (double)x[i + j] * x[i + j];
        }
        double s = xx > 0 && tt > 0 ? xt / sqrt(xx * tt) : 0;
        if (s > best) {
            best = s;
            best_i = i;
        }
    }
    *score = best;
    return best_i;
}

int main(int argc, char **argv) {
    if (argc != 6) { /* USER SPEAKER FEED FEED_SPEECH STOP */
        fprintf(stderr, "usage: livelat USER.wav SPEAKER.wav FEED.wav FEED_SPEECH.wav STOP.wav\n");
        return 2;
    }
    int16_t *user, *spk, *feed, *speech, *stop;
    size_t nu, ns, nf, nsp, nst;
    if (load(argv[1], &user, &nu) || load(argv[2], &spk, &ns) || load(argv[3], &feed, &nf) ||
        load(argv[4], &speech, &nsp) || load(argv[5], &stop, &nst))
        return 1;
    /* Where the phrase is in the user's channel: its first 0.5 s of speech
     * (louder than the room's hiss, so the match is clear). */
    size_t p0 = first_loud(speech, nsp, 0.02);
    size_t pm = nsp - p0 < RATE / 2 ? nsp - p0 : RATE / 2;
    double fscore;
    size_t fpos = best_match(user, nu, speech + p0, pm, 0, nu < 4 * RATE ? nu : 4 * RATE, &fscore);
    size_t fend = fpos + speech_end(speech, nsp) - p0;
    /* The stop sentence: its first 0.5 s of speech, searched from just
     * before the phrase ended to 5 s after. */
    size_t s0 = first_loud(stop, nst, 0.02);
    size_t sm = nst - s0 < RATE / 2 ? nst - s0 : RATE / 2;
    size_t from = fend > RATE / 2 ? fend - RATE / 2 : 0;
    double sscore;
    size_t spos = best_match(spk, ns, stop + s0, sm, from, fend + 5 * RATE, &sscore);
    if (fscore < 0.5 || sscore < 0.5) {
        fprintf(stderr, "livelat: no clear match (feed %.2f, stop %.2f)\n", fscore, sscore);
        return 1;
    }
    double lat_ms = ((double)spos - (double)fend) * 1000.0 / RATE;
    printf("latency_ms %.0f score %.2f feed_end %.3f stop_start %.3f\n", lat_ms, sscore,
           (double)fend / RATE, (double)spos / RATE);
    free(user);
    free(spk);
    free(feed);
    free(speech);
    free(stop);
    return 0;
}
