/* test_speech_out: every voice speaks; plain text cannot act as markup; count
 * words fit in a second. */
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "check.h"
#include "say.h"
#include "speech_out.h"
#include "voice.h"
#include "wav.h"

static const char *const voices[] = {"calm", "bright", "slow", "plain"};
static const char *const numbers[] = {
    "one",         "two",        "three",        "four",         "five",         "six",
    "seven",       "eight",      "nine",         "ten",          "eleven",       "twelve",
    "thirteen",    "fourteen",   "fifteen",      "sixteen",      "seventeen",    "eighteen",
    "nineteen",    "twenty",     "twenty one",   "twenty two",   "twenty three", "twenty four",
    "twenty five", "twenty six", "twenty seven", "twenty eight", "twenty nine",  "thirty"};

static double rms(const int16_t *p, size_t n) {
    double s = 0;
    for (size_t i = 0; i < n; i++)
        s += (double)p[i] * p[i];
    return n ? sqrt(s / (double)n) : 0;
}

static size_t say(speech_out *so, const char *text, int16_t **pcm) {
    size_t n = 0;
    fc_err err = {{0}};
    *pcm = NULL;
    int rc = speech_out_synth(so, text, pcm, &n, &err);
    CHECK(rc == 0, "synth \"%s\": %s", text, err.msg);
    return rc == 0 ? n : 0;
}

static void test_voices(void) {
    for (size_t i = 0; i < sizeof voices / sizeof *voices; i++) {
        voice_profile v;
        fc_err err = {{0}};
        if (voice_load(voices[i], &v, &err) < 0) {
            CHECK(0, "voice %s: %s", voices[i], err.msg);
            continue;
        }
        speech_out *so = speech_out_new(&v, &err);
        CHECK(so != NULL, "voice %s starts: %s", voices[i], err.msg);
        if (!so)
            continue;
        int16_t *pcm;
        size_t n = say(so, "Hold. One. Two.", &pcm);
        double secs = (double)n / 16000;
        CHECK(secs > 0.8 && secs < 5.0, "voice %s: \"Hold. One. Two.\" lasts %.2f s", voices[i],
              secs);
        CHECK(rms(pcm, n) > 1000, "voice %s: audible (rms %.0f)", voices[i], rms(pcm, n));
        if (n)
            CHECK(abs(pcm[0]) > 64 && abs(pcm[n - 1]) > 64,
                  "voice %s: silence trimmed (first %d, last %d)", voices[i], pcm[0], pcm[n - 1]);
        free(pcm);

        double longest = 0;
        const char *which = "";
        for (size_t k = 0; k < sizeof numbers / sizeof *numbers; k++) {
            n = say(so, numbers[k], &pcm);
            double s = (double)n / 16000;
            if (s > longest) {
                longest = s;
                which = numbers[k];
            }
            /* The default voice must fit every count in its second. */
            if (strcmp(voices[i], VOICE_DEFAULT) == 0)
                CHECK(s > 0.1 && s < 1.0, "\"%s\" lasts %.3f s", numbers[k], s);
            free(pcm);
        }
        printf("voice %-6s: \"Hold. One. Two.\" %.2f s; longest count word \"%s\" %.3f s\n",
               voices[i], secs, which, longest);
        speech_out_free(so);
    }
}

static void test_plain_text(void) {
    voice_profile v;
    fc_err err;
    if (voice_load(VOICE_DEFAULT, &v, &err) < 0) {
        CHECK(0, "%s", err.msg);
        return;
    }
    speech_out *so = speech_out_new(&v, &err);
    CHECK(so != NULL, "starts");
    if (!so)
        return;
    int16_t *a, *b;
    /* eSpeak's embedded commands start with 0x01 ("\00130S" would slow the
     * speech down): it must be spoken as if it were a space. */
    size_t na = say(so, "Lie down \00130S on your back.\x1b[0m\n", &a);
    size_t nb = say(so, "Lie down  30S on your back. [0m ", &b);
    /* eSpeak carries a little state from one sentence to the next, so the
     * same text may differ by a few milliseconds; 0x01 would change it by far
     * more (30% speed). */
    CHECK(na > 8000 && labs((long)na - (long)nb) < 320,
          "control characters are spaces (%zu vs %zu samples)", na, nb);
    free(a);
    free(b);
    /* Phoneme input [[...]] is not active: the letters are read as text. */
    na = say(so, "[[h@l'oU]]", &a);
    nb = say(so, "hello", &b);
    CHECK(na > 0 && rms(a, na) > 500, "[[...]] produces speech");
    CHECK(na > nb + nb / 2, "[[h@l'oU]] is not read as phonemes (%zu vs %zu samples)", na, nb);
    free(a);
    free(b);
    /* SSML is not active either: the tag does not change the voice. */
    na = say(so, "<prosody rate=\"x-slow\">one two</prosody>", &a);
    CHECK(na > 0, "SSML-looking text is spoken");
    free(a);
    /* Odd input: empty, only controls, broken UTF-8, C1 controls. */
    na = say(so, "", &a);
    CHECK_INT(na, 0);
    free(a);
    na = say(so, "\001\002\003", &a);
    CHECK_INT(na, 0);
    free(a);
    na = say(so, "caf\xc3\xa9 \xff\xfe \xc2\x85 ok \xe2\x82", &a);
    CHECK(na > 0, "broken UTF-8 is spoken around");
    free(a);
    speech_out_free(so);
    speech_out_free(NULL);
}

/* A slow voice fits each count in its second by speaking it faster. */
static void test_fit(void) {
    voice_profile v;
    fc_err err;
    if (voice_load("slow", &v, &err) < 0) {
        CHECK(0, "%s", err.msg);
        return;
    }
    speech_out *so = speech_out_new(&v, &err);
    CHECK(so != NULL, "starts");
    if (!so)
        return;
    size_t longest_plain = 0, longest_fit = 0;
    for (size_t k = 0; k < sizeof numbers / sizeof *numbers; k++) {
        int16_t *pcm = NULL;
        size_t n = 0;
        CHECK_INT(speech_out_synth_fit(so, numbers[k], 15200, &pcm, &n, &err), 0);
        CHECK(n > 1600 && n <= 15200, "slow \"%s\" fits: %.3f s", numbers[k], (double)n / 16000);
        if (n > longest_fit)
            longest_fit = n;
        free(pcm);
        n = say(so, numbers[k], &pcm);
        if (n > longest_plain)
            longest_plain = n;
        free(pcm);
    }
    printf("slow voice counts: longest %.3f s as is, %.3f s fitted\n",
           (double)longest_plain / 16000, (double)longest_fit / 16000);
    /* Afterwards the voice has its own rate again. */
    int16_t *a, *b;
    size_t na = say(so, "twenty seven", &a);
    CHECK(na > 18000, "the voice's rate is restored (%zu)", na);
    free(a);
    CHECK_INT(speech_out_synth_fit(so, "one", 16000, &b, &na, &err), 0);
    free(b);
    speech_out_free(so);
}

static void test_switching(void) {
    voice_profile calm, slow;
    fc_err err;
    if (voice_load("calm", &calm, &err) < 0 || voice_load("slow", &slow, &err) < 0) {
        CHECK(0, "%s", err.msg);
        return;
    }
    /* Two handles in turn: each speaks in its own voice. */
    speech_out *a = speech_out_new(&calm, &err);
    speech_out *b = speech_out_new(&slow, &err);
    CHECK(a && b, "two handles");
    if (a && b) {
        int16_t *p1, *p2, *p3;
        size_t n1 = say(a, "Breathe in slowly and relax.", &p1);
        size_t n2 = say(b, "Breathe in slowly and relax.", &p2);
        size_t n3 = say(a, "Breathe in slowly and relax.", &p3);
        CHECK(n2 > n1 + n1 / 10, "slow is slower (%zu vs %zu)", n2, n1);
        CHECK(labs((long)n1 - (long)n3) < 480, "calm again is the same (%zu vs %zu)", n1, n3);
        free(p1);
        free(p2);
        free(p3);
    }
    speech_out_free(a);
    speech_out_free(b);

    voice_profile bad = calm;
    snprintf(bad.variant, sizeof bad.variant, "nosuchvariant");
    CHECK(speech_out_new(&bad, &err) == NULL, "an unknown variant is refused");
    CHECK_CONTAINS(err.msg, "nosuchvariant");
    bad = calm;
    snprintf(bad.espeak, sizeof bad.espeak, "xx-nowhere");
    CHECK(speech_out_new(&bad, &err) == NULL, "an unknown voice is refused");
    CHECK_CONTAINS(err.msg, "xx-nowhere");
}

/* The `say` command, into a file (the device is tested elsewhere). */
static void test_say(void) {
    char path[] = "/tmp/fc_test_say_XXXXXX";
    int fd = mkstemp(path);
    if (fd < 0) {
        CHECK(0, "temp file");
        return;
    }
    close(fd);
    char *ok[] = {"say", "Lie", "on", "your", "back.", "--voice", "slow", "--speaker", path, NULL};
    CHECK_INT(say_main(9, ok), 0);
    int16_t *pcm = NULL;
    size_t n = 0;
    fc_err err;
    CHECK_INT(wav_read_16k(path, &pcm, &n, &err), 0);
    CHECK(n > 8000 && n < 80000, "say wrote %zu samples", n);
    free(pcm);
    char *none[] = {"say", "--speaker", path, NULL};
    CHECK_INT(say_main(3, none), 1);
    char *bad_voice[] = {"say", "hi", "--voice", "nope", "--speaker", path, NULL};
    CHECK_INT(say_main(6, bad_voice), 1);
    char *bad_opt[] = {"say", "hi", "--loud", NULL};
    CHECK_INT(say_main(3, bad_opt), 1);
    char *blank[] = {"say", "\001 \002", "--speaker", path, NULL};
    CHECK_INT(say_main(4, blank), 1);
    char *bad_file[] = {"say", "hi", "--speaker", "/nonexistent/dir/x.wav", NULL};
    CHECK_INT(say_main(4, bad_file), 2);
    unlink(path);
}

int main(void) {
    test_voices();
    test_plain_text();
    test_fit();
    test_switching();
    test_say();
    return check_report();
}
