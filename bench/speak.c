/* speak: the speaking benchmark: synthesis CPU per second of speech and the
 * longest count word for each voice, and the echo canceller's cost. */
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "audio.h"
#include "echo.h"
#include "paths.h"
#include "speech_out.h"
#include "voice.h"

static const char *const sentences[] = {
    "Lie on your back with both knees bent and your feet flat on the floor.",
    "Slowly straighten your right leg and point your toes towards the ceiling.",
    "Hold it there, and keep breathing.",
    "And release. Let the leg rest.",
    "How does your leg feel now? Better, the same, or worse?",
    "That is a good sign. We will carry on.",
    "Please stop the exercise and rest in a comfortable position.",
    "Take a short rest. We will start again in ten seconds.",
};

static const char *const numbers[] = {
    "one",         "two",        "three",        "four",         "five",         "six",
    "seven",       "eight",      "nine",         "ten",          "eleven",       "twelve",
    "thirteen",    "fourteen",   "fifteen",      "sixteen",      "seventeen",    "eighteen",
    "nineteen",    "twenty",     "twenty one",   "twenty two",   "twenty three", "twenty four",
    "twenty five", "twenty six", "twenty seven", "twenty eight", "twenty nine",  "thirty"};

static double cpu_now(void) {
    struct timespec ts;
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static int bench_voice(const char *name) {
    voice_profile v;
    fc_err err;
    if (voice_load(name, &v, &err) < 0) {
        printf("  %-8s broken: %s\n", name, err.msg);
        return -1;
    }
    double t0 = cpu_now();
    speech_out *so = speech_out_new(&v, &err);
    double t_init = cpu_now() - t0;
    if (!so) {
        printf("  %-8s cannot speak: %s\n", name, err.msg);
        return -1;
    }
    double cpu = 0, audio_s = 0, longest = 0, longest_fit = 0;
    const char *which = "";
    for (int round = 0; round < 5; round++) {
        for (size_t i = 0; i < sizeof sentences / sizeof *sentences; i++) {
            int16_t *pcm;
            size_t n;
            double a = cpu_now();
            if (speech_out_synth(so, sentences[i], &pcm, &n, &err) == 0) {
                cpu += cpu_now() - a;
                audio_s += (double)n / AUDIO_RATE;
                free(pcm);
            }
        }
    }
    for (size_t i = 0; i < sizeof numbers / sizeof *numbers; i++) {
        int16_t *pcm;
        size_t n;
        double a = cpu_now();
        if (speech_out_synth(so, numbers[i], &pcm, &n, &err) == 0) {
            cpu += cpu_now() - a;
            audio_s += (double)n / AUDIO_RATE;
            if ((double)n / AUDIO_RATE > longest) {
                longest = (double)n / AUDIO_RATE;
                which = numbers[i];
            }
            free(pcm);
        }
        if (speech_out_synth_fit(so, numbers[i], AUDIO_RATE * 95 / 100, &pcm, &n, &err) == 0) {
            if ((double)n / AUDIO_RATE > longest_fit)
                longest_fit = (double)n / AUDIO_RATE;
            free(pcm);
        }
    }
    speech_out_free(so);
    printf("  %-8s %.5f CPU-s per s of speech (%.0fx real time; %.1f s spoken; start %.3f s); "
           "longest count word \"%s\" %.3f s (fitted to 0.95 s: %.3f s)\n",
           name, cpu / audio_s, audio_s / cpu, audio_s, t_init, which, longest, longest_fit);
    return 0;
}

static void bench_echo(void) {
    size_t total = 60 * AUDIO_RATE;
    int16_t *mic = malloc(total * sizeof *mic), *ref = malloc(total * sizeof *ref);
    unsigned seed = 1;
    for (size_t i = 0; i < total; i++) {
        seed = seed * 1103515245u + 12345u;
        ref[i] = (int16_t)((int)(seed >> 16 & 0x3fff) - 0x2000);
        mic[i] = (int16_t)(i >= 320 ? ref[i - 320] / 2 : 0);
    }
    int levels[] = {0, -12};
    for (size_t k = 0; k < 2; k++) {
        echo *e = echo_new(AUDIO_BLOCK, 100, levels[k]);
        double a = cpu_now();
        for (size_t t = 0; t + AUDIO_BLOCK <= total; t += AUDIO_BLOCK)
            echo_process(e, mic + t, ref + t, mic + t);
        double c = cpu_now() - a;
        echo_free(e);
        printf("  echo canceller (denoise %d dB): %.4f CPU-s per s of audio\n", levels[k],
               c / 60.0);
    }
    free(mic);
    free(ref);
}

int main(void) {
    char dir[1024];
    paths_resource(dir, sizeof dir, "voices");
    DIR *d = opendir(dir);
    if (!d) {
        printf("no voices in %s\n", dir);
        return 1;
    }
    printf("speaking (synthesis incl. resampling and trimming, per voice):\n");
    char names[64][64];
    int count = 0;
    struct dirent *e;
    while ((e = readdir(d)) != NULL && count < 64) {
        size_t l = strlen(e->d_name);
        if (l > 4 && l < 64 && strcmp(e->d_name + l - 4, ".cfg") == 0) {
            memcpy(names[count], e->d_name, l - 4);
            names[count][l - 4] = '\0';
            count++;
        }
    }
    closedir(d);
    qsort(names, (size_t)count, sizeof names[0], (int (*)(const void *, const void *))strcmp);
    for (int i = 0; i < count; i++)
        bench_voice(names[i]);
    bench_echo();
    return 0;
}
