/* test_audio_pa: the PortAudio device back-end. Without a sound server it
 * checks the failure paths only; tests/e2e_pulse_audio.sh runs it again
 * against a private PulseAudio daemon, with a mode argument:
 *   (none)            failure paths; device checks when PULSE_SERVER is set
 *   feed FILE.wav     plays a tone while FILE is played into the fake mic
 *                     (by paplay, started here); checks the mic heard it
 *   latency           with fakespk looped back into the fake mic: how long
 *                     from a click handed to exchange() to its echo
 *   killed            streams until the daemon is killed; exchange must fail
 *   noserver          no devices at all: open and list fail clearly */
#include <dlfcn.h>
#include <glob.h>
#include <math.h>
#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "audio.h"
#include "check.h"

extern char **environ;

/* LeakSanitizer suppressions for ALSA and its plugins: src/sanitize.c. */

/* Why: ALSA unloads its plugins on Pa_Terminate, and a leak inside an
 * unloaded library has no name to suppress. Loading them first with
 * RTLD_NODELETE keeps them mapped, so the suppressions above apply. */
static void pin_alsa_plugins(void) {
    glob_t g;
    if (glob("/usr/lib/*/alsa-lib/libasound_module_*.so", 0, NULL, &g) == 0 ||
        glob("/usr/lib*/alsa-lib/libasound_module_*.so", 0, NULL, &g) == 0) {
        for (size_t i = 0; i < g.gl_pathc; i++)
            dlopen(g.gl_pathv[i], RTLD_NOW | RTLD_NODELETE | RTLD_GLOBAL);
        globfree(&g);
    }
}

static double now_s(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static double block_rms(const int16_t *b, size_t n) {
    double s = 0;
    for (size_t i = 0; i < n; i++)
        s += (double)b[i] * b[i];
    return sqrt(s / (double)n);
}

static void tone(int16_t *b, size_t n, uint64_t start, double hz, double amp) {
    for (size_t i = 0; i < n; i++)
        b[i] = (int16_t)(amp * sin(2 * M_PI * hz * (double)(start + i) / AUDIO_RATE));
}

static void test_failure_paths(void) {
    fc_err err = {{0}};
    audio *a = audio_pa_open("no-such-device-floorcoach", NULL, &err);
    CHECK(a == NULL, "an unknown input name fails");
    CHECK(strstr(err.msg, "no-such-device-floorcoach") || strstr(err.msg, "no audio"),
          "the message names the device or says there is none: %s", err.msg);
    audio_free(a, 0);
    err.msg[0] = 0;
    a = audio_pa_open(NULL, "12345", &err);
    CHECK(a == NULL, "an out-of-range output index fails");
    CHECK(err.msg[0] != 0 && !strchr(err.msg, '\n'), "one-line message: %s", err.msg);
    audio_free(a, 0);
    if (!getenv("PULSE_SERVER")) {
        err.msg[0] = 0;
        a = audio_pa_open(NULL, NULL, &err);
        if (a) {
            printf("note: this machine has a default audio device (%d ms)\n",
                   audio_pa_latency_ms());
            audio_free(a, 0);
        } else {
            CHECK(strstr(err.msg, "audio") != NULL, "clear message: %s", err.msg);
            printf("no device here, as expected: %s\n", err.msg);
        }
    }
}

/* Opens the default devices, exchanges `seconds` of a quiet tone, checks
 * the clock and that exchange never failed. */
static void test_stream(int rate, double seconds) {
    fc_err err = {{0}};
    audio_pa_force_rate(rate);
    audio *a = audio_pa_open(NULL, NULL, &err);
    audio_pa_force_rate(0);
    CHECK(a != NULL, "open the default devices at %d Hz: %s", rate, err.msg);
    if (!a)
        return;
    CHECK_STR(audio_name(a), "device");
    CHECK(audio_pa_latency_ms() > 0 && audio_pa_latency_ms() < 1000, "latency estimate %d ms",
          audio_pa_latency_ms());
    int16_t play[AUDIO_BLOCK], rec[AUDIO_BLOCK];
    int blocks = (int)(seconds * AUDIO_RATE / AUDIO_BLOCK), ok = 0;
    double t0 = now_s();
    for (int i = 0; i < blocks; i++) {
        tone(play, AUDIO_BLOCK, audio_samples(a), 440, 2000);
        if (audio_exchange(a, play, rec, AUDIO_BLOCK, &err) == 1)
            ok++;
        else
            break;
    }
    double took = now_s() - t0;
    CHECK_INT(ok, blocks);
    CHECK(audio_samples(a) == (uint64_t)blocks * AUDIO_BLOCK, "clock counts samples");
    /* Printed, never asserted: the machine may be busy. */
    printf("%d Hz: %.2f s of audio exchanged in %.2f s of wall time\n", rate, seconds, took);
    audio_free(a, 200);
}

static void test_device(void) {
    test_stream(0, 1.5);
    /* 48 kHz exercises the rate conversion in both directions. */
    test_stream(48000, 1.0);
    fc_err err = {{0}};
    audio *a = audio_pa_open("pulse", "pulse", &err);
    CHECK(a != NULL, "a device chosen by name: %s", err.msg);
    audio_free(a, 0);
    a = audio_pa_open("0", "0", &err);
    CHECK(a != NULL, "a device chosen by index: %s", err.msg);
    audio_free(a, 0);
    CHECK_INT(audio_pa_list(&err), 0);
}

static pid_t spawn_paplay(const char *file) {
    char *argv[] = {"timeout", "30", "paplay", "-d", "fakemic_in", (char *)file, NULL};
    pid_t pid;
    if (posix_spawnp(&pid, "timeout", NULL, NULL, argv, environ) != 0)
        return -1;
    return pid;
}

/* The mic is quiet at first, then hears FILE; the speaker gets a 1 kHz tone
 * for the first `tone_s` seconds (the script records fakespk). */
static void test_feed(const char *file, double tone_s) {
    fc_err err = {{0}};
    audio *a = audio_pa_open(NULL, NULL, &err);
    CHECK(a != NULL, "open: %s", err.msg);
    if (!a)
        return;
    int16_t play[AUDIO_BLOCK], rec[AUDIO_BLOCK];
    double quiet_max = 0, feed_max = 0;
    int fails = 0;
    pid_t pid = -1;
    int blocks = (int)((tone_s + 3.0) * AUDIO_RATE / AUDIO_BLOCK);
    int start_feed = 25; /* 0.5 s of quiet first */
    for (int i = 0; i < blocks; i++) {
        if (i < (int)(tone_s * AUDIO_RATE / AUDIO_BLOCK))
            tone(play, AUDIO_BLOCK, audio_samples(a), 1000, 8000);
        else
            memset(play, 0, sizeof play);
        if (audio_exchange(a, play, rec, AUDIO_BLOCK, &err) != 1) {
            fails++;
            break;
        }
        double r = block_rms(rec, AUDIO_BLOCK);
        if (i < start_feed) {
            if (r > quiet_max)
                quiet_max = r;
        } else if (r > feed_max) {
            feed_max = r;
        }
        if (i == start_feed)
            pid = spawn_paplay(file);
    }
    CHECK_INT(fails, 0);
    CHECK(pid > 0, "paplay started");
    if (pid > 0) {
        int st = 0;
        waitpid(pid, &st, 0);
        CHECK(WIFEXITED(st) && WEXITSTATUS(st) == 0, "paplay played %s", file);
    }
    printf("mic level: %.0f before the feed, %.0f during it\n", quiet_max, feed_max);
    CHECK(quiet_max < 50, "the fake mic is quiet before the feed (rms %.0f)", quiet_max);
    CHECK(feed_max > 500, "the mic heard the feed (rms %.0f)", feed_max);
    audio_free(a, 500);
}

/* With fakespk.monitor looped into fakemic_in: a click every 0.5 s, found
 * again in the mic; prints the median delay. */
static void test_latency(void) {
    fc_err err = {{0}};
    audio *a = audio_pa_open(NULL, NULL, &err);
    CHECK(a != NULL, "open: %s", err.msg);
    if (!a)
        return;
    enum { TRIALS = 12, PERIOD = 8000 };
    int16_t play[AUDIO_BLOCK], rec[AUDIO_BLOCK];
    double delays[TRIALS];
    int found = 0;
    uint64_t sent_at = 0;
    int waiting = 0;
    /* 1 s of settling, then clicks. */
    for (uint64_t t = 0; t < (uint64_t)AUDIO_RATE * 1 + (uint64_t)TRIALS * PERIOD;) {
        memset(play, 0, sizeof play);
        if (t >= AUDIO_RATE && (t - AUDIO_RATE) % PERIOD == 0 && !waiting) {
            for (int i = 0; i < 80; i++)
                play[i] = (int16_t)(i % 2 ? 20000 : -20000);
            sent_at = t;
            waiting = 1;
        }
        if (audio_exchange(a, play, rec, AUDIO_BLOCK, &err) != 1)
            break;
        if (waiting) {
            for (size_t i = 0; i < AUDIO_BLOCK; i++) {
                if (abs(rec[i]) > 5000) {
                    delays[found++] = (double)(t + i - sent_at) * 1000.0 / AUDIO_RATE;
                    waiting = 0;
                    break;
                }
            }
            if (waiting && t - sent_at > PERIOD / 2)
                waiting = 0; /* lost */
        }
        t += AUDIO_BLOCK;
    }
    audio_free(a, 0);
    CHECK(found >= TRIALS / 2, "clicks came back (%d of %d)", found, TRIALS);
    if (found == 0)
        return;
    for (int i = 1; i < found; i++)
        for (int j = i; j > 0 && delays[j - 1] > delays[j]; j--) {
            double x = delays[j];
            delays[j] = delays[j - 1];
            delays[j - 1] = x;
        }
    printf("output->input latency: median %.0f ms, min %.0f, max %.0f (%d clicks; "
           "estimate %d ms)\n",
           delays[found / 2], delays[0], delays[found - 1], found, audio_pa_latency_ms());
}

/* Streams until exchange fails (the script kills the daemon after
 * "streaming" is printed). The failure must come, with a message, and
 * closing must not hang. */
static void test_killed(void) {
    fc_err err = {{0}};
    audio *a = audio_pa_open(NULL, NULL, &err);
    CHECK(a != NULL, "open: %s", err.msg);
    if (!a)
        return;
    int16_t play[AUDIO_BLOCK], rec[AUDIO_BLOCK];
    int r = 1;
    double last_ok = now_s();
    for (int i = 0; i < 60 * AUDIO_RATE / AUDIO_BLOCK; i++) {
        tone(play, AUDIO_BLOCK, audio_samples(a), 440, 2000);
        r = audio_exchange(a, play, rec, AUDIO_BLOCK, &err);
        if (r != 1)
            break;
        last_ok = now_s();
        if (i == 10) {
            printf("streaming\n");
            fflush(stdout);
        }
    }
    double waited = now_s() - last_ok;
    CHECK_INT(r, -1);
    CHECK(err.msg[0] != 0, "a message says why");
    printf("exchange failed %.2f s after the last good block: %s\n", waited, err.msg);
    fflush(stdout);
    fc_err again = {{0}};
    CHECK_INT(audio_exchange(a, play, rec, AUDIO_BLOCK, &again), -1);
    CHECK_STR(again.msg, err.msg);
    double t0 = now_s();
    audio_free(a, 1000);
    printf("closed in %.2f s\n", now_s() - t0);
}

static void test_noserver(void) {
    fc_err err = {{0}};
    if (audio_pa_list(&err) == 0) {
        printf("skipped: this machine has audio devices of its own\n");
        return;
    }
    audio *a = audio_pa_open(NULL, NULL, &err);
    CHECK(a == NULL, "no device: open fails");
    CHECK(strstr(err.msg, "no audio input") != NULL, "clear message: %s", err.msg);
    CHECK(!strchr(err.msg, '\n'), "one line");
    audio_free(a, 0);
    err.msg[0] = 0;
    CHECK_INT(audio_pa_list(&err), -1);
    CHECK(strstr(err.msg, "no audio devices") != NULL, "list says so: %s", err.msg);
    printf("open: %s\n", err.msg);
}

int main(int argc, char **argv) {
    /* A test must not hang: the device path has its own 2 s limit, this is
     * the last resort. */
    alarm(120);
    pin_alsa_plugins();
    audio_pa_set_verbose(0, getenv("FC_AUDIO_DEBUG_LOG"));
    const char *mode = argc > 1 ? argv[1] : "";
    if (!strcmp(mode, "feed") && argc > 2) {
        test_feed(argv[2], argc > 3 ? atof(argv[3]) : 1.5);
    } else if (!strcmp(mode, "latency")) {
        test_latency();
    } else if (!strcmp(mode, "killed")) {
        test_killed();
    } else if (!strcmp(mode, "noserver")) {
        test_noserver();
    } else {
        test_failure_paths();
        if (getenv("PULSE_SERVER"))
            test_device();
        else
            printf("device checks skipped: PULSE_SERVER is not set "
                   "(tests/e2e_pulse_audio.sh runs them on a virtual device)\n");
    }
    audio_pa_set_verbose(0, NULL);
    return check_report();
}
