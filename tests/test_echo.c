/* test_echo: the canceller removes the program's own voice from the
 * microphone and keeps the person's. Measured on synthesized speech. */
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "audio.h"
#include "check.h"
#include "echo.h"
#include "speech_out.h"
#include "voice.h"

#define SECONDS 12
#define TOTAL (SECONDS * AUDIO_RATE)

/* Appends the speech of each text to buf at *pos, with a pause after each. */
static void speak_into(speech_out *so, const char *const *texts, size_t count, int16_t *buf,
                       size_t *pos, size_t gap) {
    for (size_t i = 0; i < count; i++) {
        int16_t *pcm = NULL;
        size_t n = 0;
        fc_err err;
        if (speech_out_synth(so, texts[i], &pcm, &n, &err) < 0) {
            CHECK(0, "synth: %s", err.msg);
            continue;
        }
        for (size_t k = 0; k < n && *pos < TOTAL; k++)
            buf[(*pos)++] = pcm[k];
        *pos += gap;
        free(pcm);
    }
}

static double energy(const int16_t *p, size_t a, size_t b) {
    double s = 0;
    for (size_t i = a; i < b && i < TOTAL; i++)
        s += (double)p[i] * p[i];
    return s + 1e-3;
}

static double energy_f(const double *p, size_t a, size_t b) {
    double s = 0;
    for (size_t i = a; i < b && i < TOTAL; i++)
        s += p[i] * p[i];
    return s + 1e-3;
}

static double db(double x) {
    return 10 * log10(x);
}

/* Runs the canceller over mic with `played` as reference. */
static void run(const int16_t *mic, const int16_t *played, int16_t *out, int denoise_db,
                int ref_delay_ms) {
    echo *e = echo_new(AUDIO_BLOCK, 100, denoise_db);
    CHECK(e != NULL, "echo_new");
    if (!e)
        return;
    if (ref_delay_ms)
        CHECK_INT(echo_set_delay(e, ref_delay_ms), 0);
    for (size_t t = 0; t + AUDIO_BLOCK <= TOTAL; t += AUDIO_BLOCK)
        echo_process(e, mic + t, played + t, out + t);
    echo_free(e);
}

int main(void) {
    voice_profile calm, slow;
    fc_err err;
    if (voice_load("calm", &calm, &err) < 0 || voice_load("slow", &slow, &err) < 0) {
        printf("voices: %s\n", err.msg);
        CHECK(0, "voices load");
        return check_report();
    }
    int16_t *played = calloc(TOTAL, sizeof *played);
    int16_t *user = calloc(TOTAL, sizeof *user);
    int16_t *mic = calloc(TOTAL, sizeof *mic);
    int16_t *mic_user = calloc(TOTAL, sizeof *mic_user);
    int16_t *out = calloc(TOTAL, sizeof *out);
    int16_t *out_user = calloc(TOTAL, sizeof *out_user);

    /* What floorcoach says: instructions and a count, nearly without pause. */
    static const char *const said[] = {"Lie on your back with both knees bent.",
                                       "Slowly straighten your right leg.",
                                       "Hold.",
                                       "One.",
                                       "Two.",
                                       "Three.",
                                       "Four.",
                                       "Five.",
                                       "Six.",
                                       "Seven.",
                                       "Eight.",
                                       "Nine.",
                                       "Ten.",
                                       "And release. Well done.",
                                       "Now the other leg, nice and slowly."};
    speech_out *so = speech_out_new(&calm, &err);
    CHECK(so != NULL, "speech: %s", so ? "" : err.msg);
    size_t pos = 0;
    if (so)
        speak_into(so, said, sizeof said / sizeof *said, played, &pos, 1600);
    speech_out_free(so);
    /* What the person says, in another voice, at 6.5 s (the count goes on). */
    static const char *const reply[] = {"I have tingling in my foot."};
    size_t user_at = (size_t)(6.5 * AUDIO_RATE), user_n = 0;
    so = speech_out_new(&slow, &err);
    if (so)
        speak_into(so, reply, 1, user, &user_n, 0);
    speech_out_free(so);
    size_t user_end = user_at + user_n;

    /* The room: the voice comes back 20 ms later at -6 dB, over a faint
     * noise floor (pure digital silence is not a room). */
    size_t delay = 20 * AUDIO_RATE / 1000;
    double gain = pow(10, -6.0 / 20);
    double *echo_only = calloc(TOTAL, sizeof *echo_only);
    unsigned seed = 12345;
    for (size_t t = 0; t < TOTAL; t++) {
        seed = seed * 1103515245u + 12345u;
        double noise = ((double)(seed >> 16 & 0x7fff) / 32768.0 - 0.5) * 60;
        echo_only[t] = t >= delay ? gain * played[t - delay] : 0;
        double m = echo_only[t] + noise;
        mic[t] = (int16_t)lrint(m);
        double mu = m + (t >= user_at && t < user_end ? user[t - user_at] : 0);
        mic_user[t] = (int16_t)lrint(mu > 32767 ? 32767 : mu < -32768 ? -32768 : mu);
    }
    size_t spoken_end = pos < TOTAL ? pos : TOTAL;
    CHECK(spoken_end > 10 * AUDIO_RATE, "the program speaks for 10 s or more (%.1f s)",
          (double)spoken_end / AUDIO_RATE);
    CHECK(user_end > user_at + AUDIO_RATE, "the reply lasts over 1 s");

    int levels[] = {0, -12};
    for (size_t k = 0; k < 2; k++) {
        int dn = levels[k];
        run(mic, played, out, dn, 0);
        run(mic_user, played, out_user, dn, 0);
        /* Echo reduction, outside the reply: first 2 s (converging) and after. */
        size_t conv = 2 * AUDIO_RATE;
        double erle_first = db(energy_f(echo_only, delay, conv) / energy(out, delay, conv));
        double erle_after = db(energy_f(echo_only, conv, user_at) / energy(out, conv, user_at));
        double erle_late =
            db(energy_f(echo_only, user_end, spoken_end) / energy(out, user_end, spoken_end));
        /* The reply: its own energy against what is left of it, by
         * subtracting the echo-only run (same input apart from the reply). */
        double *kept = calloc(TOTAL, sizeof *kept);
        for (size_t t = user_at; t < user_end; t++)
            kept[t] = (double)out_user[t] - (double)out[t];
        /* The reply's last frame comes out one frame later. */
        for (size_t t = user_end; t < user_end + AUDIO_BLOCK && t < TOTAL; t++)
            kept[t] = (double)out_user[t] - (double)out[t];
        double user_e = energy(user, 0, user_n);
        CHECK(user_e > 1e10, "the reply is loud enough to measure");
        double loss = db(user_e / energy_f(kept, user_at, user_end + AUDIO_BLOCK));
        /* How faithfully: what was kept against the reply itself, one frame
         * later (the preprocessor's overlap-add delays the output a frame). */
        double *diff = calloc(TOTAL, sizeof *diff);
        for (size_t t = user_at + AUDIO_BLOCK; t < user_end; t++)
            diff[t] = kept[t] - user[t - user_at - AUDIO_BLOCK];
        double fidelity = db(user_e / energy_f(diff, user_at + AUDIO_BLOCK, user_end));
        free(diff);
        /* Echo left during the reply, against the reply. */
        double ratio_in = db(user_e / energy_f(echo_only, user_at, user_end));
        size_t a = user_at + AUDIO_BLOCK, b = user_end + AUDIO_BLOCK;
        double ratio_out = db(energy_f(kept, a, b) / energy(out, a, b));
        printf("denoise %3d dB: echo reduced %.1f dB in the first 2 s, %.1f dB after, "
               "%.1f dB after the reply; reply kept at %.1f dB "
               "(fidelity %.1f dB); reply-to-echo %.1f dB in, %.1f dB out\n",
               dn, erle_first, erle_after, erle_late, -loss, fidelity, ratio_in, ratio_out);
        CHECK(fidelity > 8.0, "denoise %d: the reply is kept as it was (%.1f dB)", dn, fidelity);
        CHECK(erle_after >= 10.0, "denoise %d: echo reduced by %.1f dB after convergence", dn,
              erle_after);
        CHECK(erle_late >= 10.0, "denoise %d: echo reduced by %.1f dB after the reply", dn,
              erle_late);
        CHECK(loss < 6.0, "denoise %d: the reply survives (loss %.1f dB)", dn, loss);
        CHECK(ratio_out > ratio_in + 6.0, "denoise %d: reply-to-echo improves by %.1f dB", dn,
              ratio_out - ratio_in);
        free(kept);
    }

    /* A long path (a device's queues): the echo arrives 180 ms late, beyond
     * the 100 ms filter; delaying the reference by 160 ms brings it back. */
    size_t late = 180 * AUDIO_RATE / 1000;
    double *late_echo = calloc(TOTAL, sizeof *late_echo);
    for (size_t t = 0; t < TOTAL; t++) {
        late_echo[t] = t >= late ? gain * played[t - late] : 0;
        mic[t] = (int16_t)lrint(late_echo[t]);
    }
    size_t conv = 2 * AUDIO_RATE;
    run(mic, played, out, 0, 0);
    double without = db(energy_f(late_echo, conv, spoken_end) / energy(out, conv, spoken_end));
    run(mic, played, out, 0, 160);
    double with = db(energy_f(late_echo, conv, spoken_end) / energy(out, conv, spoken_end));
    printf("echo 180 ms late: reduced %.1f dB as is, %.1f dB with the reference delayed 160 ms\n",
           without, with);
    CHECK(with >= 10.0 && with > without + 6.0, "the reference delay helps (%.1f vs %.1f dB)", with,
          without);
    free(late_echo);
    echo *ed = echo_new(AUDIO_BLOCK, 100, 0);
    CHECK_INT(echo_set_delay(ed, -1), -1);
    CHECK_INT(echo_set_delay(ed, 5000), -1);
    CHECK_INT(echo_set_delay(ed, 0), 0);
    echo_free(ed);

    /* Denoise 0 leaves a room's noise alone; -12 takes it down. */
    for (size_t t = 0; t < TOTAL; t++) {
        seed = seed * 1103515245u + 12345u;
        mic[t] = (int16_t)((double)(seed >> 16 & 0x7fff) / 32768.0 * 600 - 300);
    }
    memset(played, 0, TOTAL * sizeof *played);
    run(mic, played, out, 0, 0);
    double kept0 = db(energy(out, conv, TOTAL) / energy(mic, conv, TOTAL));
    run(mic, played, out, -12, 0);
    double kept12 = db(energy(out, conv, TOTAL) / energy(mic, conv, TOTAL));
    printf("noise through the canceller: %.1f dB with denoise 0, %.1f dB with denoise -12\n", kept0,
           kept12);
    CHECK(fabs(kept0) < 1.0, "denoise 0 leaves noise alone (%.1f dB)", kept0);
    CHECK(kept12 < -6.0, "denoise -12 reduces noise (%.1f dB)", kept12);

    /* Aliasing in place: out may be the mic buffer. */
    echo *e = echo_new(AUDIO_BLOCK, 100, -12);
    int16_t buf[AUDIO_BLOCK];
    memcpy(buf, mic, sizeof buf);
    echo_process(e, buf, played, buf);
    echo_free(e);
    echo_free(NULL);
    CHECK(echo_new(0, 100, 0) == NULL, "frame 0 is refused");

    free(played);
    free(user);
    free(mic);
    free(mic_user);
    free(out);
    free(out_user);
    free(echo_only);
    return check_report();
}
