/* test_clap: the clap detector finds synthesized double claps and knocks, in
 * quiet and over the corpus noise, and ignores single claps, coughs, speech,
 * typing and the program's own voice coming back through the echo path. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "check.h"
#include "clap.h"
#include "clap_synth.h"
#include "util.h"
#include "wav.h"

#define RATE 16000
#define BLOCK 320

static const char *corpus(void) {
    const char *c = getenv("CORPUS");
    return c ? c : "../shared/corpus";
}

/* Runs a fresh detector over mic/played; returns the number of detections
 * and the time (ms) of the first in *first_ms. */
static int detections(const int16_t *mic, const int16_t *played, size_t n, long *first_ms) {
    clap_detector *c = clap_new();
    int k = 0;
    *first_ms = -1;
    for (size_t i = 0; i + BLOCK <= n; i += BLOCK)
        if (clap_process(c, mic + i, played ? played + i : NULL, BLOCK, (long)(i * 1000 / RATE))) {
            if (k++ == 0)
                *first_ms = clap_last_ms(c);
        }
    clap_free(c);
    return k;
}

static void white(int16_t *x, size_t n, double dbfs, syn_rng *r) {
    double a = 32768.0 * pow(10.0, dbfs / 20.0);
    for (size_t i = 0; i < n; i++)
        x[i] = syn_clip16(a * syn_gauss(r));
}

/* Adds a clap (kind 0), knock (1) or cough (2) at `at_s` seconds, its loudest
 * 10 ms `snr` dB above `noise_pow` (mean square), with a room's tail (rt60 s,
 * `tail` dB over the direct sound; rt60 0: none) or a voiced syllable (kind
 * 3: a 140 Hz voice that starts at once and dies away like such a tail). */
static void add_in_room(int16_t *x, size_t n, int kind, double at_s, double noise_pow, double snr,
                        double rt60, double tail, syn_rng *r) {
    static double buf[RATE * 3 / 2];
    size_t len;
    if (kind == 3) {
        len = (size_t)(0.3 * RATE);
        for (size_t i = 0; i < len; i++) {
            double t = (double)i / RATE, v = 0.0;
            for (int h = 1; h * 140.0 < 5000.0; h++)
                v += sin(2.0 * M_PI * h * 140.0 * t + h) / sqrt(h);
            buf[i] = v * (t < 0.002 ? t / 0.002 : pow(10.0, -(t - 0.002) * 150.0 / 20.0));
        }
    } else {
        len = kind == 0   ? syn_clap(buf, RATE / 2, r)
              : kind == 1 ? syn_knock(buf, RATE / 2, r)
                          : syn_cough(buf, RATE / 2, r);
    }
    if (rt60 > 0.0)
        len = syn_room(buf, sizeof buf / sizeof buf[0], len, rt60, tail, r);
    double g = sqrt(noise_pow * pow(10.0, snr / 10.0) / syn_peak_power(buf, len));
    syn_add(x, n, (size_t)(at_s * RATE), buf, len, g);
}

static void add_sound(int16_t *x, size_t n, int kind, double at_s, double noise_pow, double snr,
                      syn_rng *r) {
    add_in_room(x, n, kind, at_s, noise_pow, snr, 0.0, 0.0, r);
}

static void test_quiet(void) {
    syn_rng r = {42};
    size_t n = 4 * RATE;
    int16_t *x = xmalloc(n * sizeof *x);
    double floor_pow = pow(10.0, -70.0 / 10.0) * 32768.0 * 32768.0;
    for (int kind = 0; kind < 2; kind++) {
        white(x, n, -70.0, &r);
        add_sound(x, n, kind, 1.5, floor_pow, 45.0, &r);
        add_sound(x, n, kind, 1.9, floor_pow, 44.0, &r);
        long t = 0;
        CHECK_INT(detections(x, NULL, n, &t), 1);
        CHECK(t >= 1890 && t <= 1930, "%s: the second transient at 1.9 s, got %ld ms",
              kind ? "knock" : "clap", t);
    }
    /* A single clap, or two claps too far apart, is not the signal. */
    white(x, n, -70.0, &r);
    add_sound(x, n, 0, 1.5, floor_pow, 45.0, &r);
    long t;
    CHECK_INT(detections(x, NULL, n, &t), 0);
    white(x, n, -70.0, &r);
    add_sound(x, n, 0, 1.0, floor_pow, 45.0, &r);
    add_sound(x, n, 0, 2.6, floor_pow, 45.0, &r);
    CHECK_INT(detections(x, NULL, n, &t), 0);
    /* Coughs: one, and two in a row. */
    white(x, n, -70.0, &r);
    add_sound(x, n, 2, 1.5, floor_pow, 40.0, &r);
    CHECK_INT(detections(x, NULL, n, &t), 0);
    add_sound(x, n, 2, 2.1, floor_pow, 40.0, &r);
    CHECK_INT(detections(x, NULL, n, &t), 0);
    /* Three claps in a row are not two: typing-like series are refused. */
    white(x, n, -70.0, &r);
    for (int k = 0; k < 6; k++)
        add_sound(x, n, 0, 1.0 + 0.2 * k, floor_pow, 40.0, &r);
    CHECK_INT(detections(x, NULL, n, &t), 0);
    free(x);
    CHECK(clap_process(NULL, NULL, NULL, 0, 0) == false, "NULL is refused");
    clap_free(NULL);
}

/* A room a few metres from the microphone: the walls' echoes make a tail as
 * loud as the clap or louder (before the room rule, 5 of these 10 pairs were
 * found). A voice that starts as sharply and dies away the same way is not
 * a clap. */
static void test_room(void) {
    syn_rng r = {4242};
    size_t n = 4 * RATE;
    int16_t *x = xmalloc(n * sizeof *x);
    double floor_pow = pow(10.0, -70.0 / 10.0) * 32768.0 * 32768.0;
    int found = 0;
    long t;
    for (int k = 0; k < 10; k++) {
        white(x, n, -70.0, &r);
        add_in_room(x, n, 0, 1.5, floor_pow, 45.0, 0.5, 3.0, &r);
        add_in_room(x, n, 0, 1.5 + syn_range(&r, 0.2, 0.8), floor_pow, 44.0, 0.5, 3.0, &r);
        found += detections(x, NULL, n, &t);
    }
    CHECK(found >= 9, "double claps in a room (RT60 0.5 s, tail +3 dB): %d of 10 found", found);
    white(x, n, -70.0, &r);
    add_in_room(x, n, 3, 1.5, floor_pow, 45.0, 0.0, 0.0, &r);
    add_in_room(x, n, 3, 1.9, floor_pow, 44.0, 0.0, 0.0, &r);
    CHECK_INT(detections(x, NULL, n, &t), 0);
    free(x);
}

/* Double claps over one corpus noise at `snr` dB: returns how many of
 * `pairs` were found, and counts detections that match no pair in *stray. */
static int over_noise(const int16_t *noise, size_t nn, int kind, double snr, int pairs,
                      int *stray) {
    size_t n = (size_t)(pairs * 3 + 1) * RATE;
    int16_t *x = xmalloc(n * sizeof *x);
    for (size_t i = 0; i < n; i++)
        x[i] = noise[i % nn];
    double pow_n = syn_power16(x, n);
    syn_rng r = {7 + (uint64_t)kind};
    long *want = xmalloc((size_t)pairs * sizeof *want);
    for (int p = 0; p < pairs; p++) {
        double t1 = 1.0 + 3.0 * p + syn_range(&r, 0, 0.5), gap = syn_range(&r, 0.25, 0.7);
        add_sound(x, n, kind, t1, pow_n, snr, &r);
        add_sound(x, n, kind, t1 + gap, pow_n, snr + syn_range(&r, -1, 1), &r);
        want[p] = (long)((t1 + gap) * 1000);
    }
    clap_detector *c = clap_new();
    int found = 0, total = 0;
    for (size_t i = 0; i + BLOCK <= n; i += BLOCK)
        if (clap_process(c, x + i, NULL, BLOCK, (long)(i * 1000 / RATE))) {
            total++;
            for (int p = 0; p < pairs; p++)
                if (labs(clap_last_ms(c) - want[p]) <= 30)
                    found++;
        }
    clap_free(c);
    free(want);
    free(x);
    *stray = total - found;
    return found;
}

static int16_t *load(const char *path, size_t *n) {
    int16_t *pcm = NULL;
    fc_err err;
    if (wav_read_16k(path, &pcm, n, &err) < 0) {
        printf("skip: %s\n", err.msg);
        return NULL;
    }
    return pcm;
}

/* Levels where the detector is reliable, from bench/clap.c (see its report):
 * steady or babble noise at 10 dB; the exercise bike (its own thumps) and
 * dishes (their clinks) are harder; typing is a stream of clicks as loud
 * as claps at 10 dB, so only its false triggers are tested. Knocks over the
 * train's rumble are found about 3 times in 4 over the whole recording, but
 * less in its first seconds, which these streams loop over. */
static void test_noise(void) {
    static const struct {
        const char *name;
        double snr;
        int min_found[2]; /* of 12 claps, of 12 knocks: the floor of what it does now */
    } cases[] = {
        {"running_tap", 10.0, {10, 11}}, {"crowd_cheering", 10.0, {11, 11}},
        {"train", 10.0, {11, 4}},        {"exercise_bike", 10.0, {10, 10}},
        {"doing_the_dishes", 20.0, {11, 7}},
    };
    char path[1024];
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        snprintf(path, sizeof path, "%s/noise/%s.wav", corpus(), cases[i].name);
        size_t nn;
        int16_t *noise = load(path, &nn);
        if (!noise)
            continue;
        for (int kind = 0; kind < 2; kind++) {
            int stray = 0, found = over_noise(noise, nn, kind, cases[i].snr, 12, &stray);
            CHECK(found >= cases[i].min_found[kind], "%s at %.0f dB: %d of 12 double %ss found",
                  cases[i].name, cases[i].snr, found, kind ? "knock" : "clap");
        }
        free(noise);
    }
    /* The noise alone, typing included: nothing. */
    snprintf(path, sizeof path, "%s/noise/typing.wav", corpus());
    size_t nn;
    int16_t *noise = load(path, &nn);
    if (noise) {
        long t;
        CHECK_INT(detections(noise, NULL, nn, &t), 0);
        free(noise);
    }
}

static void test_speech(void) {
    static const char *files[] = {"jfk.wav", "numbers.wav", "goforward.wav", "something.wav",
                                  "cmu_arctic_us_aew_a0001.wav", "cmu_arctic_us_axb_a0004.wav",
                                  "librivox_sense_and_sensibility_01_austen_64kb-0870.wav"};
    char path[1024];
    int16_t *all = NULL;
    size_t n = 0;
    syn_rng r = {5};
    for (size_t i = 0; i < sizeof files / sizeof files[0]; i++) {
        snprintf(path, sizeof path, "%s/speech/sentences/%s", corpus(), files[i]);
        size_t k;
        int16_t *s = load(path, &k);
        if (!s)
            continue;
        all = xrealloc(all, (n + k + RATE / 2) * sizeof *all);
        white(all + n, k + RATE / 2, -65.0, &r);
        for (size_t j = 0; j < k; j++)
            all[n + j] = syn_clip16(all[n + j] + s[j]);
        n += k + RATE / 2;
        free(s);
    }
    if (all) {
        long t;
        CHECK_INT(detections(all, NULL, n, &t), 0);
        free(all);
    }
}

/* The program counting, coming back through the echo path at -6 dB 20 ms
 * later, with the played signal as reference (and without the canceller). */
static void test_own_voice(void) {
    char dir[] = "/tmp/fc_clapXXXXXX";
    if (!mkdtemp(dir)) {
        printf("skip: no temp dir\n");
        return;
    }
    char wav[256], cmd[512];
    snprintf(wav, sizeof wav, "%s/count.wav", dir);
    snprintf(cmd, sizeof cmd,
             "timeout 20 espeak-ng -v en-us -s 150 -w %s \"One. Two. Three. Four. Five. Six. "
             "Seven. Eight. Nine. Ten. Hold it there. And relax. Keep breathing.\" 2>/dev/null",
             wav);
    size_t n;
    int16_t *played = NULL;
    if (system(cmd) == 0)
        played = load(wav, &n);
    remove(wav);
    rmdir(dir);
    if (!played) {
        printf("skip: espeak-ng unavailable\n");
        return;
    }
    int16_t *mic = xmalloc(n * sizeof *mic);
    syn_rng r = {11};
    white(mic, n, -60.0, &r);
    for (size_t i = 320; i < n; i++)
        mic[i] = syn_clip16(mic[i] + played[i - 320] * 0.5);
    long t;
    CHECK_INT(detections(mic, played, n, &t), 0);
    /* A real double clap over the echo is still found. */
    double pow_m = syn_power16(mic, n);
    add_sound(mic, n, 0, 2.0, pow_m, 25.0, &r);
    add_sound(mic, n, 0, 2.4, pow_m, 25.0, &r);
    CHECK(detections(mic, played, n, &t) >= 1, "a double clap over the program's voice");
    free(mic);
    free(played);
}

int main(void) {
    test_quiet();
    test_room();
    if (access(corpus(), R_OK) != 0) {
        printf("skip: corpus not found at %s\n", corpus());
    } else {
        test_noise();
        test_speech();
    }
    test_own_voice();
    return check_report();
}
