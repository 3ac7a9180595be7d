/* test_audio_file: the file back-end: alignment of speaker and microphone,
 * the end of the input, and the simulated room echo. */
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "audio.h"
#include "check.h"
#include "wav.h"

static char dir[] = "/tmp/fc_test_audio_file_XXXXXX";
static char mic_path[128], spk_path[128];

#define MIC_N 16003 /* not a multiple of the block, on purpose */

static void make_mic(void) {
    int16_t *m = malloc(MIC_N * sizeof *m);
    for (int i = 0; i < MIC_N; i++)
        m[i] = (int16_t)(i % 2000 - 1000);
    fc_err err;
    CHECK_INT(wav_write(mic_path, m, MIC_N, 16000, &err), 0);
    free(m);
}

static void test_alignment(void) {
    fc_err err;
    audio *a = audio_file_open(mic_path, spk_path, NAN, 0, &err);
    CHECK(a != NULL, "opens: %s", a ? "" : err.msg);
    if (!a)
        return;
    CHECK_STR(audio_name(a), "file");
    int16_t play[1000], rec[1000];
    size_t sizes[] = {320, 1, 999, 320, 160, 1000};
    size_t total = 0;
    int status = 1, ended_at = -1, calls = 0, mic_ok = 1, silent_after = 1;
    while (total < MIC_N + 3000) {
        size_t n = sizes[calls % 6];
        for (size_t i = 0; i < n; i++)
            play[i] = (int16_t)((total + i) % 3000);
        status = audio_exchange(a, calls % 7 == 3 ? NULL : play, rec, n, &err);
        for (size_t i = 0; i < n; i++) {
            size_t t = total + i;
            int16_t want = t < MIC_N ? (int16_t)(t % 2000 - 1000) : 0;
            if (rec[i] != want)
                mic_ok = 0;
        }
        if (status == 0 && ended_at < 0)
            ended_at = (int)total;
        if (status == 0)
            for (size_t i = 0; i < n; i++)
                silent_after &= rec[i] == 0;
        if (status == 1 && ended_at >= 0)
            silent_after = 0; /* once ended, it stays ended */
        total += n;
        calls++;
        CHECK_INT(audio_samples(a), total);
    }
    CHECK(mic_ok, "the microphone delivers the file's samples, then silence");
    CHECK(ended_at >= MIC_N && ended_at < MIC_N + 1000, "returns 0 from the end on (at %d)",
          ended_at);
    CHECK(silent_after, "silence after the end, and 0 every time");
    audio_free(a, 100);

    int16_t *out = NULL;
    size_t n = 0;
    CHECK_INT(wav_read_16k(spk_path, &out, &n, &err), 0);
    CHECK_INT(n, total);
    /* What was played is in the file at the same sample; NULL play is silence. */
    int ok = 1;
    size_t t = 0;
    for (int c = 0; c < calls && out; c++) {
        size_t k = sizes[c % 6];
        for (size_t i = 0; i < k; i++, t++) {
            int16_t want = c % 7 == 3 ? 0 : (int16_t)(t % 3000);
            if (out[t] != want)
                ok = 0;
        }
    }
    CHECK(ok, "the speaker file holds exactly what was played, sample-aligned");
    free(out);
}

static void test_echo(double db, int ms) {
    fc_err err;
    char silent[160];
    snprintf(silent, sizeof silent, "%s/silent.wav", dir);
    int16_t zero[8000] = {0};
    CHECK_INT(wav_write(silent, zero, 8000, 16000, &err), 0);
    audio *a = audio_file_open(silent, NULL, db, ms, &err);
    CHECK(a != NULL, "opens with echo: %s", a ? "" : err.msg);
    if (!a)
        return;
    /* A single pulse at sample 100 and a loud one at 2000 (to check clipping). */
    size_t total = 38 * AUDIO_BLOCK;
    int16_t *play = calloc(total, sizeof *play), *rec = calloc(total, sizeof *rec);
    play[100] = 10000;
    play[2000] = 32767;
    play[2001] = -32768;
    for (size_t t = 0; t < total; t += AUDIO_BLOCK)
        audio_exchange(a, play + t, rec + t, AUDIO_BLOCK, &err);
    audio_free(a, 0);
    size_t d = (size_t)ms * 16;
    double g = pow(10, db / 20);
    CHECK_INT(rec[100 + d], lrint(10000 * g));
    int others = 0;
    for (size_t t = 0; t < total; t++)
        if (t != 100 + d && t != 2000 + d && t != 2001 + d && rec[t] != 0)
            others++;
    CHECK_INT(others, 0);
    long want_hi = lrint(32767 * g), want_lo = lrint(-32768 * g);
    if (want_hi > 32767)
        want_hi = 32767;
    if (want_lo < -32768)
        want_lo = -32768;
    CHECK_INT(rec[2000 + d], want_hi);
    CHECK_INT(rec[2001 + d], want_lo);
    free(play);
    free(rec);
}

/* Echo onto a recording: the room's echo adds to what the microphone hears. */
static void test_echo_adds(void) {
    fc_err err;
    audio *a = audio_file_open(mic_path, NULL, -6.0, 20, &err);
    CHECK(a != NULL, "opens");
    if (!a)
        return;
    int16_t play[AUDIO_BLOCK], rec[AUDIO_BLOCK];
    for (int i = 0; i < AUDIO_BLOCK; i++)
        play[i] = 1000;
    audio_exchange(a, play, rec, AUDIO_BLOCK, &err); /* 0..319: echo not yet arrived */
    CHECK_INT(rec[0], -1000);
    audio_exchange(a, play, rec, AUDIO_BLOCK, &err); /* 320..639 */
    CHECK_INT(rec[0], (320 % 2000 - 1000) + lrint(1000 * pow(10, -6.0 / 20)));
    audio_free(a, 0);
}

static void test_errors(void) {
    fc_err err = {{0}};
    CHECK(audio_file_open("/nonexistent/mic.wav", NULL, NAN, 0, &err) == NULL, "missing mic");
    CHECK_CONTAINS(err.msg, "/nonexistent/mic.wav");
    CHECK(audio_file_open(mic_path, "/nonexistent/out.wav", NAN, 0, &err) == NULL,
          "speaker cannot be created");
    CHECK_CONTAINS(err.msg, "/nonexistent/out.wav");
    CHECK(audio_file_open(mic_path, NULL, -6, -5, &err) == NULL, "negative echo delay");
    audio_free(NULL, 0);
}

/* A 44.1 kHz stereo microphone file is heard as 16 kHz mono, same duration. */
static void test_converted_mic(void) {
    char p[160];
    snprintf(p, sizeof p, "%s/stereo.wav", dir);
    char cmd[400];
    snprintf(cmd, sizeof cmd,
             "timeout 20 sox -n -r 44100 -c 2 -b 16 %s synth 1.5 sine 300 vol 0.5 2>/dev/null", p);
    if (system(cmd) != 0) {
        printf("skip: sox is not available for the converted-microphone test\n");
        return;
    }
    fc_err err;
    audio *a = audio_file_open(p, NULL, NAN, 0, &err);
    CHECK(a != NULL, "opens a 44.1 kHz stereo file: %s", a ? "" : err.msg);
    if (!a)
        return;
    int16_t play[AUDIO_BLOCK] = {0}, rec[AUDIO_BLOCK];
    int blocks = 0;
    while (audio_exchange(a, play, rec, AUDIO_BLOCK, &err) == 1 && blocks < 1000)
        blocks++;
    CHECK_INT(blocks, 75); /* 1.5 s = 24000 samples = 75 blocks */
    audio_free(a, 0);
}

int main(void) {
    if (!mkdtemp(dir)) {
        printf("cannot create a temporary folder\n");
        return 1;
    }
    snprintf(mic_path, sizeof mic_path, "%s/mic.wav", dir);
    snprintf(spk_path, sizeof spk_path, "%s/spk.wav", dir);
    make_mic();
    test_alignment();
    test_echo(-6.0, 20);
    test_echo(0.0, 0);
    test_echo(6.0, 137);
    test_echo_adds();
    test_errors();
    test_converted_mic();
    char cmd[200];
    snprintf(cmd, sizeof cmd, "rm -rf %s", dir);
    if (system(cmd) != 0)
        printf("note: could not remove %s\n", dir);
    return check_report();
}
