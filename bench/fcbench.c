/* fcbench: the recognition benchmark. Builds continuous streams of replies
 * and non-command speech over real noise at several SNRs, runs the listener
 * on them and prints recall, substitutions, false accepts, latency and cost.
 *   fcbench phrases LEXICON          the lexicon's phrases (intent, value, text)
 *   fcbench run LEXICON ITEMS SPLIT NOISE.wav,... [options]
 *   fcbench mem LEXICON WAV          peak memory of the listener on one file */
#include <math.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>

#include "echo.h"
#include "intent.h"
#include "speech_in.h"
#include "util.h"
#include "wav.h"

#define RATE 16000
#define BLOCK 320
#define LEVEL_DB (-26.0) /* active speech level of every item, dBFS */
#define NSNR 5
static const double snrs[NSNR] = {50, 20, 10, 5, 0}; /* 50 dB is "clean" */
static const char *const snr_names[NSNR] = {"clean", "20 dB", "10 dB", "5 dB", "0 dB"};

enum kind { K_REPLY, K_REAL, K_NEG };
enum bclass { B_SAFETY, B_CONTROL, B_NUMBER, B_NONE };

typedef struct item {
    enum kind kind;
    char text[200];
    intent intent;
    int value;
    enum bclass cls;
    int16_t *pcm;
    size_t n;
    size_t act0, act1; /* active speech inside the clip */
    int slot_snr, slot_noise; /* quick run: the one condition this reply is heard in */
} item;

typedef struct placed {
    int item;
    long t0, t1; /* active speech in the stream, ms */
} placed;

typedef struct result {
    heard h;
    long emit_ms;
    double cpu_ms; /* cost of the call that returned it */
} result;

typedef struct stream {
    int snr;
    bool neg;
    double seconds;
    placed *pl;
    int npl;
    result *res;
    int nres;
} stream;

static unsigned long long rng_state = 88172645463325252ull;
static double rnd(void) {
    rng_state ^= rng_state << 13;
    rng_state ^= rng_state >> 7;
    rng_state ^= rng_state << 17;
    return (double)(rng_state % 1000000) / 1e6;
}

static double cpu_now(void) {
    struct timespec ts;
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static enum bclass bclass_of(intent i) {
    if (i == INTENT_NONE)
        return B_NONE;
    if (i == INTENT_PAIN_SCORE)
        return B_NUMBER;
    if (intent_is_safety(i))
        return B_SAFETY;
    return B_CONTROL;
}

/* Active region: 10 ms frames within 35 dB of the loudest; the level is
 * the mean power of frames within 30 dB. */
static void measure(const int16_t *x, size_t n, size_t *a0, size_t *a1, double *power) {
    size_t nf = n / 160;
    double maxp = 1e-9;
    for (size_t f = 0; f < nf; f++) {
        double p = 0;
        for (size_t i = 0; i < 160; i++)
            p += (double)x[f * 160 + i] * x[f * 160 + i];
        if (p / 160 > maxp)
            maxp = p / 160;
    }
    *a0 = n;
    *a1 = 0;
    double sum = 0;
    int cnt = 0;
    for (size_t f = 0; f < nf; f++) {
        double p = 0;
        for (size_t i = 0; i < 160; i++)
            p += (double)x[f * 160 + i] * x[f * 160 + i];
        p /= 160;
        if (p > maxp * 3.16e-4) {
            if (*a0 == n)
                *a0 = f * 160;
            *a1 = (f + 1) * 160;
        }
        if (p > maxp * 1e-3) {
            sum += p;
            cnt++;
        }
    }
    if (*a0 >= *a1) {
        *a0 = 0;
        *a1 = n;
    }
    *power = cnt ? sum / cnt : 1e-9;
}

static void scale(int16_t *x, size_t n, double gain) {
    for (size_t i = 0; i < n; i++) {
        double v = x[i] * gain;
        x[i] = (int16_t)(v > 32767 ? 32767 : v < -32768 ? -32768 : v);
    }
}

static int load_items(const char *path, const char *split, const lexicon *lx, item **out,
                      int *nout, double fraction) {
    FILE *f = fopen(path, "r");
    if (!f) {
        fprintf(stderr, "fcbench: cannot open %s\n", path);
        return -1;
    }
    int cap = 256, n = 0;
    item *it = xcalloc((size_t)cap, sizeof *it);
    char line[1024], sp[32], kind[16], text[200], wav[600];
    while (fgets(line, sizeof line, f)) {
        if (sscanf(line, "%31[^\t]\t%15[^\t]\t%199[^\t]\t%599[^\n]", sp, kind, text, wav) != 4)
            continue;
        if (strcmp(sp, split) != 0)
            continue;
        /* A smaller run keeps a random part of the synthesized replies. */
        if (strcmp(kind, "reply") == 0 && rnd() >= fraction)
            continue;
        if (n == cap) {
            cap *= 2;
            it = xrealloc(it, (size_t)cap * sizeof *it);
        }
        item *x = &it[n];
        memset(x, 0, sizeof *x);
        str_copy(x->text, text, sizeof x->text);
        intent_match m = intent_match_text(lx, text);
        bool exact = m.phrase && strcmp(m.phrase, text) == 0;
        if (strcmp(kind, "neg") == 0)
            x->kind = K_NEG;
        else if (!exact)
            continue; /* a reply or command word the lexicon does not have */
        else
            x->kind = strcmp(kind, "real") == 0 ? K_REAL : K_REPLY;
        x->slot_snr = (int)(rnd() * NSNR);
        x->slot_noise = (int)(rnd() * 1000);
        if (x->kind != K_NEG) {
            x->intent = m.intent;
            x->value = m.value;
        }
        x->cls = x->kind == K_NEG ? B_NONE : bclass_of(x->intent);
        fc_err err;
        if (wav_read_16k(wav, &x->pcm, &x->n, &err) < 0) {
            fprintf(stderr, "fcbench: %s\n", err.msg);
            continue;
        }
        double pw;
        measure(x->pcm, x->n, &x->act0, &x->act1, &pw);
        scale(x->pcm, x->n, sqrt(pow(10, LEVEL_DB / 10) * 32768.0 * 32768.0 / pw));
        n++;
    }
    fclose(f);
    *out = it;
    *nout = n;
    return 0;
}

typedef struct noise {
    int16_t *pcm;
    size_t n;
    double power;
} noise;

/* Builds one stream: gaps of 0.8-2.2 s of noise between the chosen items. */
static int16_t *build_stream(const item *it, const int *sel, int nsel, const noise *nz,
                             double snr, placed *pl, size_t *len) {
    size_t total = 0;
    long *gaps = xmalloc((size_t)(nsel + 1) * sizeof *gaps);
    for (int k = 0; k <= nsel; k++) {
        gaps[k] = (long)((0.8 + 1.4 * rnd()) * RATE);
        total += (size_t)gaps[k] + (k < nsel ? it[sel[k]].n : 0);
    }
    int16_t *s = xcalloc(total, sizeof *s);
    size_t pos = 0;
    for (int k = 0; k < nsel; k++) {
        pos += (size_t)gaps[k];
        const item *x = &it[sel[k]];
        memcpy(s + pos, x->pcm, x->n * sizeof *s);
        pl[k].item = sel[k];
        pl[k].t0 = (long)((pos + x->act0) * 1000 / RATE);
        pl[k].t1 = (long)((pos + x->act1) * 1000 / RATE);
        pos += x->n;
    }
    free(gaps);
    double want = pow(10, (LEVEL_DB - snr) / 10) * 32768.0 * 32768.0;
    double g = sqrt(want / nz->power);
    size_t off = (size_t)(rnd() * (double)nz->n);
    for (size_t i = 0; i < total; i++) {
        double v = s[i] + g * nz->pcm[(off + i) % nz->n];
        s[i] = (int16_t)(v > 32767 ? 32767 : v < -32768 ? -32768 : v);
    }
    *len = total;
    return s;
}

static double g_cpu, g_audio;

static int decode(speech_in *si, echo *dn, int16_t *s, size_t len, stream *st) {
    int cap = 64;
    st->res = xcalloc((size_t)cap, sizeof *st->res);
    st->nres = 0;
    heard out[8];
    fc_err err;
    int16_t zero[BLOCK] = {0}, buf[BLOCK];
    for (size_t off = 0; off + BLOCK <= len + BLOCK; off += BLOCK) {
        size_t n = off + BLOCK <= len ? BLOCK : len - off;
        double c0 = cpu_now();
        int got;
        if (n == BLOCK) {
            const int16_t *in = s + off;
            if (dn) {
                echo_process(dn, s + off, zero, buf);
                in = buf;
            }
            got = speech_in_process(si, in, n, (long)(off * 1000 / RATE), out, 8, &err);
        } else {
            got = speech_in_flush(si, out, 8, &err);
        }
        double c1 = cpu_now();
        g_cpu += c1 - c0;
        if (got < 0) {
            fprintf(stderr, "fcbench: %s\n", err.msg);
            return -1;
        }
        for (int k = 0; k < got; k++) {
            if (st->nres == cap) {
                cap *= 2;
                st->res = xrealloc(st->res, (size_t)cap * sizeof *st->res);
            }
            st->res[st->nres++] = (result){out[k], (long)((off + n) * 1000 / RATE),
                                           (c1 - c0) * 1000.0};
        }
        if (n < BLOCK)
            break;
    }
    g_audio += (double)len / RATE;
    st->seconds = (double)len / RATE;
    return 0;
}

/* ---- scoring --------------------------------------------------------------- */

typedef struct tally {
    int pos[NSNR][3], hit[NSNR][3], heard[NSNR][3], sub[NSNR];
    int npos[NSNR];
    int real[NSNR], real_hit[NSNR];
    int fa[NSNR], fa_safety[NSNR], fa_red[NSNR], unclear[NSNR], stops[NSNR];
    double neg_s[NSNR];
    double *lat;
    int nlat, latcap;
} tally;

static int cmp_double(const void *a, const void *b) {
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

/* Whether a result makes the session stop a count: any accepted safety or
 * stop-like result, or an unclear one. */
static bool stops_count(const heard *h) {
    if (h->unclear)
        return true;
    if (h->rejected)
        return false;
    return intent_is_safety(h->intent) || h->intent == INTENT_PAUSE || h->intent == INTENT_STOP;
}

/* The person's level: the median level of the segments heard over the
 * replies in quiet. */
static double person_level(const stream *ss, int nss) {
    double *v = NULL;
    int n = 0;
    for (int k = 0; k < nss; k++)
        if (!ss[k].neg && ss[k].snr == 0) {
            v = xrealloc(v, (size_t)(n + ss[k].nres + 1) * sizeof *v);
            for (int r = 0; r < ss[k].nres; r++)
                v[n++] = ss[k].res[r].h.level_db;
        }
    qsort(v, (size_t)n, sizeof *v, cmp_double);
    double l = n ? v[n / 2] : NAN;
    free(v);
    return l;
}

/* With `tv_db` NAN, the person's level is unknown (any speech may be
 * theirs). Otherwise it is known (person_level) and the non-command speech
 * plays tv_db below it, as a TV in the next room: the whole stream scaled
 * down, which only shifts its levels (the endpointer and the decoders are
 * relative to the noise and the segment), so it is judged as if the
 * person's level were tv_db higher. */
static void score(speech_in *si, stream *ss, int nss, const item *it, tally *t, double tv_db) {
    memset(t, 0, sizeof *t);
    double person = isnan(tv_db) ? NAN : person_level(ss, nss);
    for (int k = 0; k < nss; k++) {
        stream *st = &ss[k];
        int q = st->snr;
        speech_in_set_person_level(si, st->neg ? person + tv_db : person);
        for (int r = 0; r < st->nres; r++)
            speech_in_judge(si, &st->res[r].h);
        if (st->neg) {
            t->neg_s[q] += st->seconds;
            for (int r = 0; r < st->nres; r++) {
                const heard *h = &st->res[r].h;
                if (h->unclear)
                    t->unclear[q]++;
                if (stops_count(h))
                    t->stops[q]++;
                if (h->rejected || h->unclear)
                    continue;
                t->fa[q]++;
                if (intent_is_safety(h->intent))
                    t->fa_safety[q]++;
                if (h->intent == INTENT_RED_FLAG)
                    t->fa_red[q]++;
            }
            continue;
        }
        for (int p = 0; p < st->npl; p++) {
            const item *x = &it[st->pl[p].item];
            long a = st->pl[p].t0 - 300, b = st->pl[p].t1 + 500;
            bool hit = false, wrong = false, unclear = false;
            const result *first = NULL;
            for (int r = 0; r < st->nres; r++) {
                const heard *h = &st->res[r].h;
                if (h->end_ms < a || h->start_ms > b)
                    continue;
                if (h->unclear)
                    unclear = true;
                if (h->rejected || h->unclear)
                    continue;
                if (h->intent == x->intent && h->value == x->value) {
                    if (!hit)
                        first = &st->res[r];
                    hit = true;
                } else {
                    wrong = true;
                }
            }
            if (x->kind == K_REAL) {
                t->real[q]++;
                t->real_hit[q] += hit;
                continue;
            }
            t->npos[q]++;
            t->pos[q][x->cls]++;
            t->hit[q][x->cls] += hit;
            t->heard[q][x->cls] += hit || unclear;
            t->sub[q] += wrong && !hit;
            if (first) {
                if (t->nlat == t->latcap) {
                    t->latcap = t->latcap ? t->latcap * 2 : 256;
                    t->lat = xrealloc(t->lat, (size_t)t->latcap * sizeof *t->lat);
                }
                t->lat[t->nlat++] =
                    (double)(first->emit_ms - st->pl[p].t1) + first->cpu_ms;
            }
        }
    }
}

static double pct(int a, int b) {
    return b ? 100.0 * a / b : NAN;
}

static void print_table(const char *label, tally *t, double cpu_per_s) {
    printf("\n%s\n", label);
    printf("| SNR | safety | safety heard* | control | number | real words | subst. | "
           "false/h | safety false/h | red-flag false/h | unclear/h | count stops/h |\n");
    printf("|---|---|---|---|---|---|---|---|---|---|---|---|\n");
    int tfa = 0, tfs = 0, tfr = 0, tun = 0, tst = 0;
    double tneg = 0;
    for (int q = 0; q < NSNR; q++) {
        double h = t->neg_s[q] / 3600.0;
        printf("| %s | %.1f%% | %.1f%% | %.1f%% | %.1f%% | %.1f%% | %.1f%% | %.1f | %.1f | %.1f | "
               "%.1f | %.1f |\n",
               snr_names[q], pct(t->hit[q][B_SAFETY], t->pos[q][B_SAFETY]),
               pct(t->heard[q][B_SAFETY], t->pos[q][B_SAFETY]),
               pct(t->hit[q][B_CONTROL], t->pos[q][B_CONTROL]),
               pct(t->hit[q][B_NUMBER], t->pos[q][B_NUMBER]), pct(t->real_hit[q], t->real[q]),
               pct(t->sub[q], t->npos[q]), h > 0 ? t->fa[q] / h : NAN,
               h > 0 ? t->fa_safety[q] / h : NAN, h > 0 ? t->fa_red[q] / h : NAN,
               h > 0 ? t->unclear[q] / h : NAN, h > 0 ? t->stops[q] / h : NAN);
        tfa += t->fa[q];
        tfs += t->fa_safety[q];
        tfr += t->fa_red[q];
        tun += t->unclear[q];
        tst += t->stops[q];
        tneg += t->neg_s[q];
    }
    double h = tneg / 3600.0;
    printf("| all | | | | | | | %.1f | %.1f | %.1f | %.1f | %.1f |\n", tfa / h, tfs / h, tfr / h,
           tun / h, tst / h);
    qsort(t->lat, (size_t)t->nlat, sizeof *t->lat, cmp_double);
    double med = t->nlat ? t->lat[t->nlat / 2] : NAN;
    double p95 = t->nlat ? t->lat[(int)(t->nlat * 0.95)] : NAN;
    printf("* safety heard: accepted, or reported as unclear speech during a hold.\n");
    printf("latency end of speech to result: median %.0f ms, p95 %.0f ms (%d results); "
           "CPU %.4f s per audio second; non-command audio %.2f h\n",
           med, p95, t->nlat, cpu_per_s, h);
}

static int load_noise(const char *path, noise *nz) {
    fc_err err;
    if (wav_read_16k(path, &nz->pcm, &nz->n, &err) < 0) {
        fprintf(stderr, "fcbench: %s\n", err.msg);
        return -1;
    }
    double s = 0;
    for (size_t i = 0; i < nz->n; i++)
        s += (double)nz->pcm[i] * nz->pcm[i];
    nz->power = s / (double)nz->n + 1e-9;
    return 0;
}

static lexicon *open_lexicon(const char *path) {
    fc_err err;
    lexicon *lx = lexicon_load(path, &err);
    if (!lx)
        fprintf(stderr, "fcbench: %s\n", err.msg);
    return lx;
}

static int cmd_phrases(const char *lexpath) {
    lexicon *lx = open_lexicon(lexpath);
    if (!lx)
        return 1;
    for (size_t i = 0; i < lexicon_count(lx); i++) {
        const lexicon_phrase *p = lexicon_get(lx, i);
        printf("%s\t%d\t%s\n", intent_name(p->intent), p->value, p->text);
    }
    lexicon_free(lx);
    return 0;
}

static int cmd_mem(const char *lexpath, const char *wav) {
    lexicon *lx = open_lexicon(lexpath);
    if (!lx)
        return 1;
    fc_err err;
    speech_in_opts o = {0};
    speech_in *si = speech_in_new(lx, &o, &err);
    if (!si) {
        fprintf(stderr, "fcbench: %s\n", err.msg);
        return 1;
    }
    int16_t *pcm;
    size_t n;
    if (wav_read_16k(wav, &pcm, &n, &err) < 0) {
        fprintf(stderr, "fcbench: %s\n", err.msg);
        return 1;
    }
    heard out[8];
    for (size_t off = 0; off + BLOCK <= n; off += BLOCK)
        speech_in_process(si, pcm + off, BLOCK, (long)(off / 16), out, 8, &err);
    speech_in_flush(si, out, 8, &err);
    struct rusage ru;
    getrusage(RUSAGE_SELF, &ru);
    printf("peak memory of the listener (one process, %.0f s of audio): %.1f MB\n",
           (double)n / RATE, (double)ru.ru_maxrss / 1024.0);
    free(pcm);
    speech_in_free(si);
    lexicon_free(lx);
    return 0;
}

int main(int argc, char **argv) {
    if (argc >= 3 && strcmp(argv[1], "phrases") == 0)
        return cmd_phrases(argv[2]);
    if (argc >= 4 && strcmp(argv[1], "mem") == 0)
        return cmd_mem(argv[2], argv[3]);
    if (argc < 6 || strcmp(argv[1], "run") != 0) {
        fprintf(stderr, "usage: fcbench phrases LEXICON | mem LEXICON WAV |\n"
                        "       run LEXICON ITEMS SPLIT NOISE.wav,... [--full] [--fraction F]\n"
                        "           [--tuning T]\n"
                        "           [--sweep FILE] [--denoise DB] [--label TEXT]\n");
        return 1;
    }
    const char *lexpath = argv[2], *items = argv[3], *split = argv[4];
    char *noises = xstrdup(argv[5]);
    bool full = false;
    double fraction = 1.0;
    const char *tuning = NULL, *sweep = NULL, *label = "";
    int denoise = 0;
    for (int i = 6; i < argc; i++) {
        if (strcmp(argv[i], "--full") == 0)
            full = true;
        else if (strcmp(argv[i], "--fraction") == 0 && i + 1 < argc)
            fraction = atof(argv[++i]);
        else if (strcmp(argv[i], "--tuning") == 0 && i + 1 < argc)
            tuning = argv[++i];
        else if (strcmp(argv[i], "--sweep") == 0 && i + 1 < argc)
            sweep = argv[++i];
        else if (strcmp(argv[i], "--denoise") == 0 && i + 1 < argc)
            denoise = atoi(argv[++i]);
        else if (strcmp(argv[i], "--label") == 0 && i + 1 < argc)
            label = argv[++i];
        else {
            fprintf(stderr, "fcbench: unknown option %s\n", argv[i]);
            return 1;
        }
    }
    lexicon *lx = open_lexicon(lexpath);
    if (!lx)
        return 1;
    item *it;
    int nit;
    if (load_items(items, split, lx, &it, &nit, fraction) < 0)
        return 1;
    noise nz[8];
    int nnz = 0;
    for (char *tok = strtok(noises, ","); tok && nnz < 8; tok = strtok(NULL, ","))
        if (load_noise(tok, &nz[nnz]) == 0)
            nnz++;
    if (!nit || !nnz) {
        fprintf(stderr, "fcbench: no material for split %s\n", split);
        return 1;
    }
    fc_err err;
    speech_in_opts o = {.tuning = tuning};
    speech_in *si = speech_in_new(lx, &o, &err);
    if (!si) {
        fprintf(stderr, "fcbench: %s\n", err.msg);
        return 1;
    }
    speech_in_set_raw(si, true);
    echo *dn = denoise ? echo_new(BLOCK, 100, denoise) : NULL;
    /* Quick: each reply at one SNR over one noise, chosen at random; the
     * non-command material at every SNR. Full: every reply at every SNR. */
    int nss = 0, sscap = NSNR * nnz * 2;
    stream *ss = xcalloc((size_t)sscap, sizeof *ss);
    int *sel = xmalloc((size_t)nit * sizeof *sel);
    for (int q = 0; q < NSNR; q++)
        for (int z = 0; z < nnz; z++)
            for (int neg = 0; neg < 2; neg++) {
                int nsel = 0;
                for (int i = 0; i < nit; i++)
                    if ((it[i].kind == K_NEG) == (neg == 1) &&
                        (neg || full || it[i].slot_snr == q) &&
                        (full ? (it[i].slot_noise + q) % nnz == z : it[i].slot_noise % nnz == z))
                        sel[nsel++] = i;
                for (int i = nsel - 1; i > 0; i--) {
                    int j = (int)(rnd() * (i + 1));
                    int tmp = sel[i];
                    sel[i] = sel[j];
                    sel[j] = tmp;
                }
                stream *st = &ss[nss++];
                st->snr = q;
                st->neg = neg == 1;
                st->pl = xcalloc((size_t)nsel + 1, sizeof *st->pl);
                st->npl = nsel;
                size_t len;
                int16_t *s = build_stream(it, sel, nsel, &nz[z], snrs[q], st->pl, &len);
                if (decode(si, dn, s, len, st) < 0)
                    return 1;
                free(s);
            }
    speech_in_set_context(si, 0, true);
    tally t;
    double cps = g_cpu / g_audio;
    char head[512];
    snprintf(head, sizeof head, "[%s] %s split, %d items, %.2f h of audio, context: hold%s%s",
             label, split, nit, g_audio / 3600, tuning ? ", decoder: " : "", tuning ? tuning : "");
    if (!sweep) {
        score(si, ss, nss, it, &t, NAN);
        print_table(head, &t, cps);
        free(t.lat);
        char h2[700];
        snprintf(h2, sizeof h2,
                 "%s; the person's level known (%.1f dBFS), the non-command speech 10 dB "
                 "below it (a TV in the next room)",
                 head, person_level(ss, nss));
        score(si, ss, nss, it, &t, 10);
        print_table(h2, &t, cps);
        free(t.lat);
    } else {
        FILE *f = fopen(sweep, "r");
        char line[1024];
        while (f && fgets(line, sizeof line, f)) {
            line[strcspn(line, "\n")] = '\0';
            if (!line[0] || line[0] == '#')
                continue;
            if (speech_in_tune(si, line, &err) < 0) {
                fprintf(stderr, "fcbench: %s\n", err.msg);
                continue;
            }
            score(si, ss, nss, it, &t, NAN);
            char l2[1600];
            snprintf(l2, sizeof l2, "%s; thresholds: %s", head, line);
            print_table(l2, &t, cps);
            free(t.lat);
            score(si, ss, nss, it, &t, 10);
            snprintf(l2, sizeof l2, "%s; thresholds: %s; the person's level known, TV 10 dB below",
                     head, line);
            print_table(l2, &t, cps);
            free(t.lat);
        }
        if (f)
            fclose(f);
    }
    /* Raw segments for offline analysis. */
    const char *dump = getenv("FCBENCH_DUMP");
    if (dump) {
        FILE *f = fopen(dump, "w");
        for (int k = 0; f && k < nss; k++)
            for (int r = 0; r < ss[k].nres; r++) {
                heard *h = &ss[k].res[r].h;
                const char *truth = "-";
                for (int p = 0; p < ss[k].npl; p++)
                    if (!(h->end_ms < ss[k].pl[p].t0 - 300 || h->start_ms > ss[k].pl[p].t1 + 500))
                        truth = it[ss[k].pl[p].item].text;
                fprintf(f, "%d\t%d\t%s\t%.4f\t%.4f\t%d\t%ld\t%s\t%.3f\t%.1f\t%.2f\t%d\t%.1f\n",
                        ss[k].snr, ss[k].neg, h->text, (double)h->score, (double)h->score_span,
                        h->frames, h->end_ms - h->start_ms, truth, (double)h->phone_dist,
                        (double)h->level_db, (double)h->voiced, h->continued,
                        (double)h->noise_db);
            }
        if (f)
            fclose(f);
    }
    for (int k = 0; k < nss; k++) {
        free(ss[k].pl);
        free(ss[k].res);
    }
    free(ss);
    free(sel);
    for (int i = 0; i < nit; i++)
        free(it[i].pcm);
    free(it);
    for (int z = 0; z < nnz; z++)
        free(nz[z].pcm);
    free(noises);
    echo_free(dn);
    speech_in_free(si);
    lexicon_free(lx);
    return 0;
}
