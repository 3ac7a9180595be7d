/* bench/clap: the clap detector's recall and false triggers, and the room
 * check's SNR error, on the corpus noise and speech and on the program's own
 * voice. Prints tables. Usage: clap CORPUS_DIR TMP_DIR [quick] */
#include <dirent.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../tests/clap_synth.h"
#include "clap.h"
#include "echo.h"
#include "roomcheck.h"
#include "wav.h"

#define RATE 16000
#define BLOCK 320
#define NOISE_DBFS (-35.0) /* every noise is scaled to this RMS */
#define MAX_NOISES 16

typedef struct clip {
    char name[64];
    int16_t *pcm;
    size_t n;
} clip;

static clip noises[MAX_NOISES];
static int n_noises;
static const char *tmpdir;
static const char *corpus_dir;
static int quick;
/* The room's reverberation around each clap or knock (tests/clap_synth.h's
 * syn_room): rt60 in s (0: none, the sounds as made) and the tail's energy
 * over the direct sound's, dB. CLAP_ROOM=RT60,TAIL for one cell. */
static double room_rt60, room_tail;

static double dbfs_gain(double dbfs, double power) {
    double want = pow(10.0, dbfs / 10.0) * 32768.0 * 32768.0;
    return power > 0 ? sqrt(want / power) : 0.0;
}

static int load(const char *path, clip *c, const char *name) {
    fc_err err;
    if (wav_read_16k(path, &c->pcm, &c->n, &err) < 0) {
        fprintf(stderr, "clap bench: %s\n", err.msg);
        return -1;
    }
    snprintf(c->name, sizeof c->name, "%s", name);
    return 0;
}

static int cmp_str(const void *a, const void *b) {
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* The .wav files of `dir` in name order; returns how many (at most max). */
static int list_wavs(const char *dir, char **names, int max) {
    DIR *d = opendir(dir);
    if (!d)
        return 0;
    int n = 0;
    struct dirent *e;
    while ((e = readdir(d)) && n < max) {
        size_t l = strlen(e->d_name);
        if (l > 4 && strcmp(e->d_name + l - 4, ".wav") == 0)
            names[n++] = strdup(e->d_name);
    }
    closedir(d);
    qsort(names, (size_t)n, sizeof *names, cmp_str);
    return n;
}

/* Runs the detector over mic (and played, may be NULL); writes detection
 * times (ms) into det (up to max) and returns their count. */
static int run_clap(const int16_t *mic, const int16_t *played, size_t n, long *det, int max) {
    clap_detector *c = clap_new();
    int k = 0;
    for (size_t i = 0; i + BLOCK <= n; i += BLOCK) {
        long t = (long)(i * 1000 / RATE);
        if (clap_process(c, mic + i, played ? played + i : NULL, BLOCK, t) && k < max)
            det[k++] = clap_last_ms(c);
    }
    clap_free(c);
    return k;
}

/* Fills out[0..n) with noise `nz` looped from `offset`, at NOISE_DBFS. */
static void fill_noise(int16_t *out, size_t n, const clip *nz, size_t offset) {
    double g = dbfs_gain(NOISE_DBFS, syn_power16(nz->pcm, nz->n));
    for (size_t i = 0; i < n; i++)
        out[i] = syn_clip16(nz->pcm[(offset + i) % nz->n] * g);
}

static void fill_white(int16_t *out, size_t n, double dbfs, syn_rng *r) {
    double a = 32768.0 * pow(10.0, dbfs / 20.0);
    for (size_t i = 0; i < n; i++)
        out[i] = syn_clip16(a * syn_gauss(r));
}

/* ---- recall ---- */

#define PAIR_PERIOD 3.0 /* s between double claps in a recall stream */

/* Recall (0..1) of double claps (kind 0) or knocks (kind 1) at `snr` dB over
 * noise `nz` (NULL: a quiet room, white noise at -70 dBFS and transients at
 * -25 dBFS). *extra gets detections matching no pair. */
static double recall(const clip *nz, int kind, double snr, int pairs, unsigned seed, int *extra) {
    size_t n = (size_t)(pairs * PAIR_PERIOD * RATE) + RATE;
    int16_t *mic = xmalloc(n * sizeof *mic);
    syn_rng r = {0x9E3779B97F4A7C15ull ^ seed};
    if (nz)
        fill_noise(mic, n, nz, (size_t)(syn_uniform(&r) * (double)nz->n));
    else
        fill_white(mic, n, -70.0, &r);
    double noise_pow = nz ? syn_power16(mic, n) : pow(10.0, -25.0 / 10.0 - snr / 10.0) * 1073741824.0;
    long *t2 = xmalloc((size_t)pairs * sizeof *t2);
    static double buf[RATE * 5 / 4];
    for (int p = 0; p < pairs; p++) {
        double t1 = p * PAIR_PERIOD + 1.0 + syn_range(&r, 0.0, 0.5);
        double gap = syn_range(&r, 0.2, 0.8);
        double lvl = snr + syn_range(&r, -1.0, 1.0); /* two hands are never equal */
        for (int k = 0; k < 2; k++) {
            size_t len = kind ? syn_knock(buf, RATE / 4, &r) : syn_clap(buf, RATE / 4, &r);
            if (room_rt60 > 0.0)
                len = syn_room(buf, sizeof buf / sizeof buf[0], len, room_rt60, room_tail, &r);
            double g = sqrt(noise_pow * pow(10.0, (lvl + (k ? syn_range(&r, -2, 2) : 0)) / 10.0) /
                            syn_peak_power(buf, len));
            size_t at = (size_t)((t1 + k * gap) * RATE);
            syn_add(mic, n, at, buf, len, g);
            if (getenv("CLAP_DEBUG"))
                fprintf(stderr, "CLAP %.4f\n", t1 + k * gap);
        }
        t2[p] = (long)((t1 + gap) * 1000.0);
        if (getenv("CLAP_DEBUG"))
            fprintf(stderr, "PAIR %.3f %.3f\n", t1, t1 + gap);
    }
    long det[4096];
    int nd = run_clap(mic, NULL, n, det, 4096);
    int hit = 0, used = 0;
    for (int p = 0; p < pairs; p++) {
        int found = 0;
        for (int d = 0; d < nd && !found; d++)
            found = labs(det[d] - t2[p]) <= 30;
        hit += found;
        used += found;
        if (!found && getenv("CLAP_DEBUG"))
            fprintf(stderr, "MISS pair ending %.3f\n", (double)t2[p] / 1000.0);
    }
    if (getenv("CLAP_DEBUG"))
        for (int d = 0; d < nd; d++)
            fprintf(stderr, "DET %.3f\n", (double)det[d] / 1000.0);
    *extra = nd - used;
    free(mic);
    free(t2);
    return (double)hit / pairs;
}

/* ---- false triggers ---- */

typedef struct tally {
    double seconds;
    int triggers;
} tally;

static void count_false(tally *t, const int16_t *mic, const int16_t *played, size_t n) {
    long det[1024];
    int d = run_clap(mic, played, n, det, 1024);
    if (getenv("CLAP_FT")) /* when the false triggers happen */
        for (int q = 0; q < d; q++)
            fprintf(stderr, "false trigger at %.2f s of %.0f s\n", (double)det[q] / 1000.0,
                    (double)n / RATE);
    t->triggers += d;
    t->seconds += (double)n / RATE;
}

/* Concatenates the .wav files of dir (recursively one level for words),
 * each scaled to -26 dBFS, with 0.3-1.0 s pauses; *n gets the length. */
static int16_t *speech_stream(const char *dir, int sub, size_t *n_out, syn_rng *r) {
    size_t cap = (size_t)RATE * 60, n = 0;
    int16_t *out = xcalloc(cap, sizeof *out);
    char *dirs[64];
    int nd = 1;
    dirs[0] = strdup(dir);
    if (sub) {
        DIR *d = opendir(dir);
        struct dirent *e;
        nd = 0;
        while (d && (e = readdir(d)) && nd < 64) {
            if (e->d_name[0] == '.' || strstr(e->d_name, "LICENSE"))
                continue;
            char p[1024];
            snprintf(p, sizeof p, "%s/%s", dir, e->d_name);
            dirs[nd++] = strdup(p);
        }
        if (d)
            closedir(d);
    }
    for (int k = 0; k < nd; k++) {
        char *names[512];
        int nn = list_wavs(dirs[k], names, 512);
        for (int i = 0; i < nn; i++) {
            char p[2048];
            snprintf(p, sizeof p, "%s/%s", dirs[k], names[i]);
            clip c;
            free(names[i]);
            if (load(p, &c, "") < 0)
                continue;
            double g = dbfs_gain(-26.0, syn_power16(c.pcm, c.n));
            size_t pause = (size_t)(syn_range(r, 0.3, 1.0) * RATE);
            while (n + c.n + pause > cap) {
                cap *= 2;
                out = xrealloc(out, cap * sizeof *out);
                memset(out + n, 0, (cap - n) * sizeof *out);
            }
            for (size_t j = 0; j < c.n; j++)
                out[n + j] = syn_clip16(c.pcm[j] * g);
            n += c.n + pause;
            free(c.pcm);
        }
        free(dirs[k]);
    }
    *n_out = n;
    return out;
}

/* The program's own speech: floorcoach-like sentences and counts in several
 * voices, synthesized with espeak-ng; *n gets the length. NULL on failure. */
static int16_t *own_speech(size_t *n_out, double minutes) {
    static const char *lines[] = {
        "Lie on your back with your knees bent and your feet flat on the floor.",
        "Slowly bring your right knee towards your chest. Hold it there.",
        "One. Two. Three. Four. Five. Six. Seven. Eight. Nine. Ten.",
        "Good. Now relax and breathe out. Let's do the other side.",
        "How is the pain now? Say better, the same, or worse.",
        "Does the pain go down your leg below the knee? Please answer yes or no.",
        "Hold. Five. Four. Three. Two. One. And release.",
        "Rest for ten seconds. Take a slow breath in, and a slow breath out.",
        "Press up on your hands and keep your hips on the floor. Stop if it hurts.",
        "If I don't understand you, clap twice and I'll stop.",
        "That's the last one. Well done. Let's finish with a gentle stretch.",
        "Tighten your stomach muscles and tilt your pelvis. Keep breathing.",
        "Repetition three of eight. Slide your heel along the floor.",
        "I did not catch that. Could you say it again?",
    };
    static const char *voices[] = {"en-us", "en-gb", "en-us+f3", "en+m3", "en-us+klatt2"};
    const int nl = (int)(sizeof lines / sizeof lines[0]);
    const int nv = (int)(sizeof voices / sizeof voices[0]);
    char text[8192] = "";
    for (int i = 0; i < nl; i++) {
        strcat(text, lines[i]);
        strcat(text, " ");
    }
    char tpath[1024];
    snprintf(tpath, sizeof tpath, "%s/own.txt", tmpdir);
    FILE *tf = fopen(tpath, "w");
    if (!tf)
        return NULL;
    fputs(text, tf);
    fclose(tf);
    size_t want = (size_t)(minutes * 60 * RATE), n = 0;
    int16_t *out = xmalloc(want * sizeof *out);
    for (int v = 0; n < want; v++) {
        char path[1024], cmd[12000];
        snprintf(path, sizeof path, "%s/own%d.wav", tmpdir, v % nv);
        snprintf(cmd, sizeof cmd, "espeak-ng -v %s -s %d -g 12 -w %s -f %s/own.txt 2>/dev/null", voices[v % nv],
                 140 + 15 * (v % 4), path, tmpdir);
        if (system(cmd) != 0) {
            free(out);
            return NULL;
        }
        clip c;
        if (load(path, &c, "") < 0) {
            free(out);
            return NULL;
        }
        double g = dbfs_gain(-20.0, syn_power16(c.pcm, c.n));
        for (size_t j = 0; j < c.n && n < want; j++)
            out[n++] = syn_clip16(c.pcm[j] * g);
        free(c.pcm);
    }
    *n_out = n;
    return out;
}

/* ---- room check ---- */

/* Active speech power of a clean reply: the mean power of its 20 ms frames
 * within 25 dB of its 95th-percentile frame. */
static double active_power(const int16_t *x, size_t n) {
    size_t nf = n / BLOCK;
    if (nf == 0)
        return 0.0;
    double *p = xmalloc(nf * sizeof *p), *s = xmalloc(nf * sizeof *s);
    for (size_t f = 0; f < nf; f++)
        p[f] = s[f] = syn_power16(x + f * BLOCK, BLOCK) + 1e-3;
    for (size_t i = 1; i < nf; i++) /* insertion sort: a few hundred frames */
        for (size_t j = i; j > 0 && s[j - 1] > s[j]; j--) {
            double t = s[j];
            s[j] = s[j - 1];
            s[j - 1] = t;
        }
    double top = s[(size_t)(0.95 * (double)(nf - 1))], sum = 0.0;
    int cnt = 0;
    for (size_t f = 0; f < nf; f++)
        if (p[f] >= top / 316.2) {
            sum += p[f];
            cnt++;
        }
    free(p);
    free(s);
    return cnt ? sum / cnt : 0.0;
}

typedef struct err_stat {
    double sum, sum_abs, max_abs;
    int n, unknown;
} err_stat;

static void err_add(err_stat *e, double err) {
    if (isnan(err)) { /* no reply found above the noise */
        e->unknown++;
        return;
    }
    e->sum += err;
    e->sum_abs += fabs(err);
    if (fabs(err) > e->max_abs)
        e->max_abs = fabs(err);
    e->n++;
}

/* One room check: 3 s of noise, then three replies each followed by 1.5 s
 * of noise; returns the estimated SNR minus the true one. */
static double room_trial(const clip *nz, clip *const *replies, double snr, syn_rng *r) {
    size_t speech_n = 0;
    for (int k = 0; k < 3; k++)
        speech_n += replies[k]->n;
    int16_t *clean = xmalloc(speech_n * sizeof *clean);
    size_t at = 0;
    for (int k = 0; k < 3; k++) {
        memcpy(clean + at, replies[k]->pcm, replies[k]->n * sizeof *clean);
        at += replies[k]->n;
    }
    size_t n = (size_t)(3 * RATE) + speech_n + (size_t)(4.5 * RATE);
    int16_t *mix = xmalloc(n * sizeof *mix);
    fill_noise(mix, n, nz, (size_t)(syn_uniform(r) * (double)nz->n));
    double g = sqrt(syn_power16(mix, n) * pow(10.0, snr / 10.0) / active_power(clean, speech_n));
    at = (size_t)(3 * RATE);
    size_t src = 0;
    for (int k = 0; k < 3; k++) {
        for (size_t j = 0; j < replies[k]->n; j++)
            mix[at + j] = syn_clip16(mix[at + j] + clean[src + j] * g);
        at += replies[k]->n + (size_t)(1.5 * RATE);
        src += replies[k]->n;
    }
    room_meter *m = room_new();
    room_expect_quiet(m, true);
    for (size_t i = 0; i + BLOCK <= n; i += BLOCK) {
        if (i == (size_t)(3 * RATE))
            room_expect_quiet(m, false);
        room_process(m, mix + i, BLOCK, false);
    }
    double est = room_snr(m);
    room_free(m);
    free(mix);
    free(clean);
    return est - snr;
}

/* The room check's clatter rule on every quiet period (3.4 s, as in a
 * session, 1.7 s apart) of `x`: prints the share judged clatter and the
 * median busy share and sharp sounds per second. */
static void clatter_row(const char *name, const int16_t *x, size_t n) {
    const size_t w = (size_t)(3.4 * RATE), step = w / 2;
    int periods = 0, clatter = 0;
    double busy[4096], sharp[4096];
    for (size_t at = 0; at + w <= n && periods < 4096; at += step) {
        room_meter *m = room_new();
        room_expect_quiet(m, true);
        for (size_t i = 0; i + BLOCK <= w; i += BLOCK)
            room_process(m, x + at + i, BLOCK, false);
        clatter += room_clatter(m, &busy[periods], &sharp[periods]);
        periods++;
        room_free(m);
    }
    if (!periods)
        return;
    sort_doubles(busy, (size_t)periods);
    sort_doubles(sharp, (size_t)periods);
    printf("%-28s %8d %8.0f%% %10.2f %10.2f %8.1f %8.1f\n", name, periods,
           100.0 * clatter / periods, busy[periods / 2], busy[periods - 1], sharp[periods / 2],
           sharp[periods - 1]);
}

/* Tuning: recall at 10 and 5 dB and false triggers over the named noises
 * only, with seeds the report does not use (the report's are below 1000). */
static int tune(int nn, char **names) {
    static const double snrs[] = {10, 5};
    int hits = 0, cells = 0;
    double sum[2] = {0, 0};
    for (int k = 0; k < 2; k++) {
        int extra = 0;
        printf("quiet %s %.1f%%\n", k ? "knock" : "clap", 100.0 * recall(NULL, k, 45.0, 40, 5999u + (unsigned)k, &extra));
    }
    for (int i = 0; i < n_noises; i++) {
        int use = 0;
        for (int k = 0; k < nn; k++)
            use |= strcmp(noises[i].name, names[k]) == 0;
        if (!use)
            continue;
        for (int k = 0; k < 2; k++) {
            printf("%-18s %-6s", noises[i].name, k ? "knock" : "clap");
            int stray = 0;
            for (int s = 0; s < 2; s++) {
                int extra = 0;
                double q = recall(&noises[i], k, snrs[s], 40, 5000u + (unsigned)(i * 100 + k * 10 + s),
                                  &extra);
                sum[s] += q;
                stray += extra;
                printf(" %6.1f%%", 100.0 * q);
            }
            cells++;
            printf("   stray %d\n", stray);
        }
        /* False triggers: the noise alone from 4 offsets, and under speech. */
        int ft = 0;
        double secs = 0;
        for (int o = 0; o < 4; o++) {
            int16_t *mic = xmalloc(noises[i].n * sizeof *mic);
            fill_noise(mic, noises[i].n, &noises[i], noises[i].n * (size_t)o / 4);
            long det[256];
            ft += run_clap(mic, NULL, noises[i].n, det, 256);
            secs += (double)noises[i].n / RATE;
            free(mic);
        }
        hits += ft;
        printf("%-18s noise alone: %d false in %.0f s\n", noises[i].name, ft, secs);
    }
    /* Speech over the same noises at 10 and 0 dB. */
    syn_rng r = {777};
    size_t sn = 0, wn = 0;
    char dir[1024];
    snprintf(dir, sizeof dir, "%s/speech/sentences", corpus_dir);
    int16_t *sent = speech_stream(dir, 0, &sn, &r);
    snprintf(dir, sizeof dir, "%s/speech/words", corpus_dir);
    int16_t *words = speech_stream(dir, 1, &wn, &r);
    int16_t *mic = xmalloc((sn > wn ? sn : wn) * sizeof *mic);
    const int16_t *src[2] = {sent, words};
    size_t len[2] = {sn, wn};
    int sft = 0;
    double ssecs = 0;
    for (int i = 0; i < n_noises; i++) {
        int use = 0;
        for (int k = 0; k < nn; k++)
            use |= strcmp(noises[i].name, names[k]) == 0;
        if (!use)
            continue;
        for (int s = 0; s < 2; s++)
            for (int k = 0; k < 2; k++) {
                fill_noise(mic, len[k], &noises[i], (size_t)(syn_uniform(&r) * 1e6));
                double shift = pow(10.0, (-26.0 - NOISE_DBFS - snrs[s] + 5.0 * s) / 20.0);
                for (size_t j = 0; j < len[k]; j++)
                    mic[j] = syn_clip16(mic[j] * shift + src[k][j]);
                long det[1024];
                int d = run_clap(mic, NULL, len[k], det, 1024);
                if (getenv("CLAP_FT")) /* which material the false triggers come from */
                    for (int q = 0; q < d; q++)
                        fprintf(stderr, "false: %s %s %.0f dB at %.2f s\n", noises[i].name,
                                k ? "words" : "sentences", snrs[s] - 5.0 * s, (double)det[q] / 1000.0);
                sft += d;
                ssecs += (double)len[k] / RATE;
            }
    }
    free(mic);
    free(sent);
    free(words);
    printf("tune: mean recall 10 dB %.1f%%, 5 dB %.1f%%, false in noise %d, under speech %d in %.0f min\n",
           100.0 * sum[0] / cells, 100.0 * sum[1] / cells, hits, sft, ssecs / 60);
    return 0;
}

int main(int argc, char **argv) {
    if (argc < 3) {
        fprintf(stderr, "usage: clap CORPUS_DIR TMP_DIR [quick]\n");
        return 1;
    }
    const char *corpus = argv[1];
    corpus_dir = corpus;
    tmpdir = argv[2];
    quick = argc > 3;
    if (getenv("CLAP_ROOM"))
        sscanf(getenv("CLAP_ROOM"), "%lf,%lf", &room_rt60, &room_tail);
    char dir[1024];
    snprintf(dir, sizeof dir, "%s/noise", corpus);
    char *names[MAX_NOISES];
    int nn = list_wavs(dir, names, MAX_NOISES);
    for (int i = 0; i < nn; i++) {
        char p[2048];
        snprintf(p, sizeof p, "%s/%s", dir, names[i]);
        names[i][strlen(names[i]) - 4] = '\0';
        if (load(p, &noises[n_noises], names[i]) == 0)
            n_noises++;
        free(names[i]);
    }
    if (n_noises == 0) {
        fprintf(stderr, "clap bench: no corpus noise in %s (skipped)\n", dir);
        return 0;
    }
    const int pairs = quick ? 20 : 100;
    if (argc > 6 && strcmp(argv[3], "cell") == 0) { /* one recall cell, for tuning */
        if (strcmp(argv[4], "quiet") == 0) {
            int extra = 0;
            double q = recall(NULL, atoi(argv[5]), atof(argv[6]), argc > 8 ? atoi(argv[8]) : 10,
                              argc > 7 ? (unsigned)atoi(argv[7]) : 7u, &extra);
            printf("recall %.1f%% stray %d\n", 100.0 * q, extra);
        }
        for (int i = 0; i < n_noises; i++)
            if (strcmp(noises[i].name, argv[4]) == 0) {
                int extra = 0;
                double q = recall(&noises[i], atoi(argv[5]), atof(argv[6]), argc > 8 ? atoi(argv[8]) : 10,
                                  argc > 7 ? (unsigned)atoi(argv[7]) : 7u, &extra);
                printf("recall %.1f%% stray %d\n", 100.0 * q, extra);
            }
        return 0;
    }
    static const double snrs[] = {20, 10, 5, 0};
    if (argc > 3 && strcmp(argv[3], "tune") == 0)
        return tune(argc - 4, argv + 4);

    printf("Clap detector: recall of double claps and double knocks\n");
    printf("(synthesized impulses shaped like claps: band-passed noise 1-4 kHz, 1-3 ms attack,\n"
           " -40 dB after 20-60 ms; and like knocks on a floor: a 100-400 Hz resonance with a\n"
           " 2-5 ms attack, -40 dB after 40-100 ms, plus a 1-2 ms click; 0.2-0.8 s apart.\n"
           " SNR = the transient's power over its loudest 10 ms / the noise's mean power over\n"
           " the whole recording; %d pairs per cell, a pair every 3 s in a continuous stream)\n\n",
           pairs);
    printf("%-18s %-6s %7s %7s %7s %7s   %s\n", "noise", "kind", "20 dB", "10 dB", "5 dB", "0 dB",
           "stray detections");
    double sum10 = 0.0, min10 = 1.0;
    int cells10 = 0;
    for (int k = 0; k < 2; k++) {
        int extra = 0;
        double q = recall(NULL, k, 45.0, pairs, 99u + (unsigned)k, &extra);
        printf("%-18s %-6s %6.1f%% (45 dB over -70 dBFS white noise)   %d\n", "quiet room",
               k ? "knock" : "clap", 100.0 * q, extra);
    }
    for (int i = 0; i < n_noises; i++)
        for (int k = 0; k < 2; k++) {
            printf("%-18s %-6s", noises[i].name, k ? "knock" : "clap");
            int stray = 0;
            for (int s = 0; s < 4; s++) {
                int extra = 0;
                double q = recall(&noises[i], k, snrs[s], pairs, (unsigned)(i * 100 + k * 10 + s),
                                  &extra);
                stray += extra;
                printf(" %6.1f%%", 100.0 * q);
                if (snrs[s] == 10.0) {
                    sum10 += q;
                    cells10++;
                    if (q < min10)
                        min10 = q;
                }
            }
            printf("   %d\n", stray);
        }
    printf("\nat 10 dB: mean recall %.1f%%, worst cell %.1f%% (target >= 99%%)\n\n",
           100.0 * sum10 / cells10, 100.0 * min10);

    /* The same in rooms: a person a few metres from the microphone hears
     * the walls' echoes of a clap as a tail as loud as the clap or louder. */
    printf("In a room: the same claps and knocks with a reverberant tail (velvet noise decaying\n"
           "60 dB over RT60, its energy TAIL dB over the direct sound's; a living room 2-3 m away:\n"
           "RT60 0.4-0.6 s, TAIL 0 to +6 dB); quiet room at 20 dB, and the mean over the noises at 10 dB\n");
    printf("%-26s %12s %12s %12s %12s\n", "room", "clap quiet", "clap noises", "knock quiet",
           "knock noises");
    static const double rooms[][2] = {{0.3, 0.0}, {0.5, 3.0}, {0.5, 6.0}, {0.8, 3.0}};
    const int room_pairs = quick ? 10 : 40;
    for (size_t m = 0; m < sizeof rooms / sizeof rooms[0]; m++) {
        room_rt60 = rooms[m][0];
        room_tail = rooms[m][1];
        printf("RT60 %.1f s, TAIL %+4.1f dB   ", room_rt60, room_tail);
        for (int k = 0; k < 2; k++) {
            int extra = 0;
            double q = recall(NULL, k, 20.0, room_pairs, 300u + (unsigned)(m * 10 + (size_t)k), &extra);
            double sum = 0.0;
            for (int i = 0; i < n_noises; i++)
                sum += recall(&noises[i], k, 10.0, room_pairs,
                              400u + (unsigned)(m * 100 + (size_t)i * 10 + (size_t)k), &extra);
            printf(" %11.1f%% %11.1f%%", 100.0 * q, 100.0 * sum / n_noises);
        }
        printf("\n");
    }
    room_rt60 = room_tail = 0.0;
    printf("\n");

    printf("Clap detector: false triggers (target <= 1 per hour)\n");
    printf("%-44s %9s %9s %9s\n", "material", "minutes", "triggers", "per hour");
    syn_rng r = {12345};
    tally all = {0, 0};
#define ROW(label, t)                                                                              \
    do {                                                                                           \
        printf("%-44s %9.1f %9d %9.1f\n", label, (t).seconds / 60, (t).triggers,                   \
               (t).seconds > 0 ? (t).triggers * 3600.0 / (t).seconds : 0.0);                       \
        all.seconds += (t).seconds;                                                                \
        all.triggers += (t).triggers;                                                              \
    } while (0)
    {
        tally t = {0, 0};
        for (int i = 0; i < n_noises; i++) {
            int16_t *mic = xmalloc(noises[i].n * sizeof *mic);
            fill_noise(mic, noises[i].n, &noises[i], 0);
            count_false(&t, mic, NULL, noises[i].n);
            free(mic);
        }
        ROW("corpus noise, each file once", t);
    }
    size_t sn = 0, wn = 0;
    snprintf(dir, sizeof dir, "%s/speech/sentences", corpus);
    int16_t *sent = speech_stream(dir, 0, &sn, &r);
    snprintf(dir, sizeof dir, "%s/speech/words", corpus);
    int16_t *words = speech_stream(dir, 1, &wn, &r);
    {
        tally t = {0, 0};
        int16_t *mic = xmalloc((sn > wn ? sn : wn) * sizeof *mic);
        const int16_t *src[2] = {sent, words};
        size_t len[2] = {sn, wn};
        for (int k = 0; k < 2; k++) {
            fill_white(mic, len[k], -65.0, &r);
            for (size_t j = 0; j < len[k]; j++)
                mic[j] = syn_clip16(mic[j] + src[k][j]);
            count_false(&t, mic, NULL, len[k]);
        }
        ROW("corpus speech (sentences, words), quiet", t);
        tally tn = {0, 0};
        for (int i = 0; i < n_noises; i++)
            for (int s = 0; s < 4; s++)
                for (int k = 0; k < 2; k++) {
                    fill_noise(mic, len[k], &noises[i], (size_t)(syn_uniform(&r) * 1e6));
                    /* speech at -26 dBFS over noise at NOISE_DBFS + shift */
                    double shift = pow(10.0, (-26.0 - NOISE_DBFS - snrs[s]) / 20.0);
                    for (size_t j = 0; j < len[k]; j++)
                        mic[j] = syn_clip16(mic[j] * shift + src[k][j]);
                    count_false(&tn, mic, NULL, len[k]);
                }
        ROW("corpus speech over each noise, 20-0 dB", tn);
        free(mic);
    }
    size_t on = 0;
    int16_t *own = own_speech(&on, quick ? 5.0 : 30.0);
    if (own) {
        int16_t *mic = xmalloc(on * sizeof *mic);
        tally t = {0, 0}, tc = {0, 0}, tnr = {0, 0};
        /* The echo path: the played speech at -6 dB, 20 ms later, over a
         * -60 dBFS noise floor; no canceller (the worst case). */
        fill_white(mic, on, -60.0, &r);
        for (size_t j = 320; j < on; j++)
            mic[j] = syn_clip16(mic[j] + own[j - 320] * 0.5);
        count_false(&t, mic, own, on);
        ROW("own speech as raw echo (-6 dB, 20 ms)", t);
        count_false(&tnr, mic, NULL, on);
        /* The same through the echo canceller, as the runner feeds it. */
        echo *ec = echo_new(BLOCK, 100, 0);
        int16_t *out = xmalloc(on * sizeof *out);
        for (size_t i = 0; i + BLOCK <= on; i += BLOCK)
            echo_process(ec, mic + i, own + i, out + i);
        echo_free(ec);
        count_false(&tc, out, own, on - on % BLOCK);
        ROW("own speech, echo-cancelled", tc);
        printf("%-44s %9.1f %9d %9.1f\n", "(raw echo without the played reference)",
               tnr.seconds / 60, tnr.triggers, tnr.triggers * 3600.0 / tnr.seconds);
        free(out);
        free(mic);
        free(own);
    } else {
        printf("own speech: espeak-ng unavailable (skipped)\n");
    }
    printf("%-44s %9.1f %9d %9.1f\n\n", "all", all.seconds / 60, all.triggers,
           all.triggers * 3600.0 / all.seconds);

    /* Room check: clatter (typing) refused whatever the SNR. */
    printf("Room check: clatter (the listener kept busy by sharp sounds: %.0f%% or more of the 10 ms\n"
           "frames over its speech bar, and %.1f or more sharp sounds per second), per quiet period of 3.4 s\n",
           100.0 * ROOM_BUSY_TOO_NOISY, ROOM_SHARP_TOO_NOISY);
    printf("%-28s %8s %9s %10s %10s %8s %8s\n", "sound", "periods", "clatter", "busy med",
           "busy max", "sharp/s", "max");
    for (int i = 0; i < n_noises; i++)
        clatter_row(noises[i].name, noises[i].pcm, noises[i].n);
    {
        size_t tn;
        snprintf(dir, sizeof dir, "%s/speech/sentences", corpus);
        int16_t *tv = speech_stream(dir, 0, &tn, &r);
        syn_rng hr = {11};
        for (size_t i = 0; i < tn; i++) /* a faint room under the pauses */
            tv[i] = syn_clip16(tv[i] + 10.0 * syn_gauss(&hr));
        clatter_row("speech with pauses (a TV)", tv, tn);
        free(tv);
    }
    printf("\n");

    /* Room check: replies are corpus sentences or words. */
    printf("Room check: estimated reply SNR minus true SNR (dB)\n");
    printf("(3 s of noise marked quiet, then three replies with 1.5 s of noise after each; true SNR = the\n"
           " replies' active power (their 20 ms frames within 25 dB of the 95th percentile)\n"
           " over the noise's mean power)\n");
    clip sents[64], wclips[64];
    int ns = 0, nw = 0;
    {
        char *sn_names[64];
        snprintf(dir, sizeof dir, "%s/speech/sentences", corpus);
        int k = list_wavs(dir, sn_names, 64);
        for (int i = 0; i < k; i++) {
            char p[2048];
            snprintf(p, sizeof p, "%s/%s", dir, sn_names[i]);
            if (strcmp(sn_names[i], "jfk.wav") != 0 && ns < 64 && load(p, &sents[ns], "") == 0)
                ns++;
            free(sn_names[i]);
        }
        static const char *wl[] = {"yes", "no", "stop", "go", "one", "two", "three", "left",
                                   "right", "off"};
        for (int i = 0; i < 10; i++) {
            char *w_names[16];
            snprintf(dir, sizeof dir, "%s/speech/words/%s", corpus, wl[i]);
            int m = list_wavs(dir, w_names, 16);
            for (int j = 0; j < m; j++) {
                char p[2048];
                snprintf(p, sizeof p, "%s/%s", dir, w_names[j]);
                if (j < 6 && nw < 64 && load(p, &wclips[nw], "") == 0)
                    nw++;
                free(w_names[j]);
            }
        }
    }
    printf("%-18s %-9s %16s %16s %16s %16s\n", "noise", "replies", "20 dB", "10 dB", "5 dB",
           "0 dB");
    printf("%-18s %-9s %16s %16s %16s %16s\n", "", "", "bias |mean| max", "bias |mean| max",
           "bias |mean| max", "bias |mean| max");
    err_stat tot[4];
    memset(tot, 0, sizeof tot);
    const int trials = quick ? 4 : 12;
    for (int i = 0; i < n_noises; i++)
        for (int set = 0; set < 2; set++) {
            clip *pool = set ? wclips : sents;
            int np = set ? nw : ns;
            if (np < 3)
                continue;
            printf("%-18s %-9s", noises[i].name, set ? "words" : "sentences");
            for (int s = 0; s < 4; s++) {
                err_stat e = {0, 0, 0, 0, 0};
                for (int t = 0; t < trials; t++) {
                    clip *rep[3];
                    for (int k = 0; k < 3; k++)
                        rep[k] = &pool[(size_t)(syn_uniform(&r) * np) % (size_t)np];
                    double d = room_trial(&noises[i], rep, snrs[s], &r);
                    err_add(&e, d);
                    err_add(&tot[s], d);
                }
                printf("  %+5.1f %4.1f %5.1f%s", e.n ? e.sum / e.n : 0.0, e.n ? e.sum_abs / e.n : 0.0,
                       e.max_abs, e.unknown ? "*" : " ");
            }
            printf("\n");
        }
    printf("%-28s", "all");
    for (int s = 0; s < 4; s++)
        printf("  %+5.1f %4.1f %5.1f ", tot[s].sum / tot[s].n, tot[s].sum_abs / tot[s].n,
               tot[s].max_abs);
    printf("\n* some replies were not found above the noise (SNR unknown): ");
    for (int s = 0; s < 4; s++)
        printf("%s%d of %d at %.0f dB", s ? ", " : "", tot[s].unknown, tot[s].n + tot[s].unknown,
               snrs[s]);
    printf("\n");
    for (int i = 0; i < ns; i++)
        free(sents[i].pcm);
    for (int i = 0; i < nw; i++)
        free(wclips[i].pcm);
    for (int i = 0; i < n_noises; i++)
        free(noises[i].pcm);
    free(sent);
    free(words);
    return 0;
}
