/* adapt: MAP adaptation of the stock acoustic model to an enrollment
 * profile with sphinxtrain's tools, and the check that decides whether the
 * adapted model is used (see adapt.h). */
#include "adapt.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <math.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "paths.h"
#include "profile.h"
#include "wav.h"

#define MAX_ARGS 48
#define S3_MAGIC 0x11223344u

/* "<a>/<b>" into buf; an over-long path becomes "" (the tool then fails
 * with a message, rather than working on a truncated name). */
static char *join_path(char *buf, size_t n, const char *a, const char *b) {
    if ((size_t)snprintf(buf, n, "%s/%s", a, b) >= n)
        buf[0] = '\0';
    return buf;
}

adapt_opts adapt_defaults(void) {
    adapt_opts o;
    o.stock_model = NULL;
    o.noise_snr_db = 15.0;
    o.train = ADAPT_TRAIN_BOTH;
    o.tool_timeout_s = 120;
    /* For the benchmark, which compares the recipes. */
    const char *t = getenv("FLOORCOACH_ADAPT_TRAIN");
    if (t && strcmp(t, "noisy") == 0)
        o.train = ADAPT_TRAIN_NOISY;
    else if (t && strcmp(t, "clean") == 0)
        o.train = ADAPT_TRAIN_CLEAN;
    const char *snr = getenv("FLOORCOACH_ADAPT_SNR");
    if (snr && *snr) {
        double v = atof(snr);
        if (v >= -10 && v <= 60)
            o.noise_snr_db = v;
    }
    return o;
}

/* ---- mixture weights -------------------------------------------------- */

static int read_i32(FILE *f, int32_t *v, bool swap) {
    uint32_t u;
    if (fread(&u, 4, 1, f) != 1)
        return -1;
    if (swap)
        u = (u >> 24) | ((u >> 8) & 0xff00u) | ((u << 8) & 0xff0000u) | (u << 24);
    *v = (int32_t)u;
    return 0;
}

int adapt_expand_sendump(const char *sendump_path, const char *mixw_path, fc_err *err) {
    FILE *f = fopen(sendump_path, "rb");
    if (!f)
        return err_set(err, "cannot read %s: %s", sendump_path, strerror(errno));
    int32_t len, n_feat = 0, n_comp = 0, n_sen = 0;
    bool swap = false;
    uint8_t *q = NULL;
    float *w = NULL;
    FILE *o = NULL;
    char line[512];
    /* Header: length-prefixed strings up to a zero length; the counts are
     * in "feature_count N" and the two integers after it. */
    if (read_i32(f, &len, false) < 0)
        goto bad;
    if (len < 1 || len > 999) {
        swap = true;
        uint32_t u = (uint32_t)len;
        len = (int32_t)((u >> 24) | ((u >> 8) & 0xff00u) | ((u << 8) & 0xff0000u) | (u << 24));
        if (len < 1 || len > 999)
            goto bad;
    }
    for (;;) {
        if (len == 0)
            break;
        if (len < 0 || (size_t)len >= sizeof line || fread(line, 1, (size_t)len, f) != (size_t)len)
            goto bad;
        line[len] = '\0';
        if (strncmp(line, "feature_count ", 14) == 0)
            n_feat = atoi(line + 14);
        if (strncmp(line, "cluster_count ", 14) == 0 && atoi(line + 14) != 0) {
            fclose(f);
            return err_set(err, "%s: clustered mixture weights are not supported", sendump_path);
        }
        if (read_i32(f, &len, swap) < 0)
            goto bad;
    }
    if (n_feat <= 0)
        n_feat = 1;
    if (read_i32(f, &n_comp, swap) < 0 || read_i32(f, &n_sen, swap) < 0)
        goto bad;
    if (n_comp <= 0 || n_comp > 4096 || n_sen <= 0 || n_sen > 1000000 || n_feat > 16)
        goto bad;
    size_t nf = (size_t)n_feat, nc = (size_t)n_comp, ns = (size_t)n_sen;
    q = xmalloc(nf * nc * ns);
    w = xmalloc(nf * nc * ns * sizeof *w);
    if (!q || !w || fread(q, 1, nf * nc * ns, f) != nf * nc * ns)
        goto bad;
    fclose(f);
    f = NULL;
    /* A byte b stands for probability 1.0001^-(b << 10) (PocketSphinx's
     * 8-bit log table); rows are renormalized since quantizing broke them. */
    double step = -1024.0 * log(1.0001);
    for (size_t s = 0; s < ns; s++) {
        for (size_t ft = 0; ft < nf; ft++) {
            float *row = w + (s * nf + ft) * nc;
            double sum = 0;
            for (size_t c = 0; c < nc; c++) {
                row[c] = (float)exp(step * q[(ft * nc + c) * ns + s]);
                sum += row[c];
            }
            for (size_t c = 0; c < nc; c++)
                row[c] = sum > 0 ? (float)(row[c] / sum) : (float)(1.0 / (double)nc);
        }
    }
    o = paths_open_private(mixw_path, err);
    if (!o)
        goto error_out;
    uint32_t hdr[5] = {S3_MAGIC, (uint32_t)ns, (uint32_t)nf, (uint32_t)nc,
                       (uint32_t)(ns * nf * nc)};
    /* No checksum: the readers only check it when the header says chksum0. */
    if (fputs("s3\nversion 1.0\nendhdr\n", o) < 0 || fwrite(hdr, sizeof hdr, 1, o) != 1 ||
        fwrite(w, sizeof *w, ns * nf * nc, o) != ns * nf * nc) {
        err_set(err, "cannot write %s: %s", mixw_path, strerror(errno));
        goto error_out;
    }
    if (fclose(o) != 0) {
        o = NULL;
        err_set(err, "cannot write %s: %s", mixw_path, strerror(errno));
        goto error_out;
    }
    free(q);
    free(w);
    return 0;
bad:
    err_set(err, "%s: not a PocketSphinx sendump file this version can read", sendump_path);
error_out:
    if (f)
        fclose(f);
    if (o)
        fclose(o);
    free(q);
    free(w);
    return -1;
}

/* ---- running the tools ------------------------------------------------ */

int adapt_find_tool(const char *name, char *buf, size_t n) {
    const char *env = getenv("FLOORCOACH_SPHINXTRAIN");
    const char *dirs[3] = {env && *env ? env : NULL, "/usr/lib/sphinxtrain", NULL};
    for (int i = 0; i < 2; i++) {
        if (!dirs[i])
            continue;
        snprintf(buf, n, "%s/%s", dirs[i], name);
        if (access(buf, X_OK) == 0)
            return 0;
    }
    const char *path = getenv("PATH");
    char copy[4096];
    str_copy(copy, path && *path ? path : "/usr/local/bin:/usr/bin:/bin", sizeof copy);
    char *save = NULL;
    for (char *d = strtok_r(copy, ":", &save); d; d = strtok_r(NULL, ":", &save)) {
        snprintf(buf, n, "%s/%s", d, name);
        if (access(buf, X_OK) == 0)
            return 0;
    }
    return -1;
}

static double now_s(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* Runs argv[0] (a full path) with stdout and stderr appended to log_fd.
 * A tool stuck longer than timeout_s (bw loops forever when it cannot
 * write its counts) is killed. Returns 0 on exit status 0, else -1. */
static int run_tool(int log_fd, int timeout_s, char *const argv[], fc_err *err) {
    char head[1024];
    size_t o = 0;
    for (int i = 0; argv[i] && o < sizeof head - 2; i++)
        o += (size_t)snprintf(head + o, sizeof head - o, "%s%s", i ? " " : "$ ", argv[i]);
    if (o > sizeof head - 2)
        o = sizeof head - 2;
    head[o++] = '\n';
    if (write(log_fd, head, o) < 0) {
        /* the log is only for a person debugging; carry on */
    }
    pid_t pid = fork();
    if (pid < 0)
        return err_set(err, "cannot start %s: %s", argv[0], strerror(errno));
    if (pid == 0) {
        int null = open("/dev/null", O_RDONLY);
        if (null >= 0)
            dup2(null, 0);
        dup2(log_fd, 1);
        dup2(log_fd, 2);
        execv(argv[0], argv);
        _exit(127);
    }
    double deadline = now_s() + timeout_s;
    int status = 0;
    for (;;) {
        pid_t got = waitpid(pid, &status, WNOHANG);
        if (got == pid)
            break;
        if (got < 0 && errno != EINTR)
            return err_set(err, "lost track of %s: %s", argv[0], strerror(errno));
        if (now_s() > deadline) {
            kill(pid, SIGKILL);
            waitpid(pid, &status, 0);
            return err_set(err, "%s took longer than %d s and was stopped", argv[0], timeout_s);
        }
        struct timespec ts = {0, 5 * 1000 * 1000};
        nanosleep(&ts, NULL);
    }
    char tail[64];
    int tl = snprintf(tail, sizeof tail, "  (%.2f s)\n", now_s() - (deadline - timeout_s));
    if (tl > 0 && write(log_fd, tail, (size_t)tl) < 0) {
        /* the log is only for a person debugging; carry on */
    }
    if (WIFEXITED(status) && WEXITSTATUS(status) == 0)
        return 0;
    const char *slash = strrchr(argv[0], '/');
    if (WIFEXITED(status))
        return err_set(err, "%s failed (exit status %d)", slash ? slash + 1 : argv[0],
                       WEXITSTATUS(status));
    return err_set(err, "%s failed (signal %d)", slash ? slash + 1 : argv[0],
                   WIFSIGNALED(status) ? WTERMSIG(status) : 0);
}

static double cpu_children_s(void) {
    struct rusage ru;
    getrusage(RUSAGE_CHILDREN, &ru);
    return (double)ru.ru_utime.tv_sec + (double)ru.ru_utime.tv_usec / 1e6 +
           (double)ru.ru_stime.tv_sec + (double)ru.ru_stime.tv_usec / 1e6;
}

static double cpu_thread_s(void) {
    struct timespec ts;
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* ---- audio ------------------------------------------------------------ */

/* The level of the speech in a recording: the mean power of the 20 ms
 * frames within 20 dB of the loudest one (mean square, full scale 1). */
static double active_power(const int16_t *pcm, size_t n) {
    size_t nfr = n / 320;
    if (nfr == 0)
        return 0;
    double *p = xmalloc(nfr * sizeof *p), max = 0;
    for (size_t f = 0; f < nfr; f++) {
        double s = 0;
        for (size_t i = 0; i < 320; i++) {
            double x = pcm[f * 320 + i] / 32768.0;
            s += x * x;
        }
        p[f] = s / 320;
        if (p[f] > max)
            max = p[f];
    }
    double sum = 0;
    size_t k = 0;
    for (size_t f = 0; f < nfr; f++) {
        if (p[f] >= max * 0.01) {
            sum += p[f];
            k++;
        }
    }
    free(p);
    return k ? sum / (double)k : 0;
}

static double mean_power(const int16_t *pcm, size_t n) {
    double s = 0;
    for (size_t i = 0; i < n; i++) {
        double x = pcm[i] / 32768.0;
        s += x * x;
    }
    return n ? s / (double)n : 0;
}

/* Writes `pcm` with the room noise added at snr_db below its speech level;
 * the noise is read from `offset`, wrapping around. */
static int write_noisy(const char *path, const int16_t *pcm, size_t n, const int16_t *noise,
                       size_t nn, double noise_pow, size_t offset, double snr_db, fc_err *err) {
    double sp = active_power(pcm, n);
    double g = sp > 0 && noise_pow > 0 ? sqrt(sp / (noise_pow * pow(10.0, snr_db / 10.0))) : 0;
    int16_t *out = xmalloc(n * sizeof *out);
    if (!out)
        return err_set(err, "out of memory");
    for (size_t i = 0; i < n; i++) {
        double v = pcm[i] + g * noise[(offset + i) % nn];
        out[i] = (int16_t)(v > 32767 ? 32767 : v < -32768 ? -32768 : lrint(v));
    }
    int rc = wav_write(path, out, n, 16000, err);
    free(out);
    return rc;
}

/* ---- files for the tools ---------------------------------------------- */

typedef struct item {
    char ctl[200];  /* path relative to the profile folder, without .wav */
    char text[160]; /* the phrase */
    bool noisy;
} item;

static int write_lists(const char *fileids, const char *trans, const item *it, size_t n, int which,
                       fc_err *err) {
    FILE *a = paths_open_private(fileids, err);
    if (!a)
        return -1;
    FILE *b = paths_open_private(trans, err);
    if (!b) {
        fclose(a);
        return -1;
    }
    for (size_t i = 0; i < n; i++) {
        if ((which == 1 && it[i].noisy) || (which == 2 && !it[i].noisy))
            continue;
        const char *base = strrchr(it[i].ctl, '/');
        fprintf(a, "%s\n", it[i].ctl);
        fprintf(b, "<s> %s </s> (%s)\n", it[i].text, base ? base + 1 : it[i].ctl);
    }
    int rc = 0;
    if (fclose(a) != 0)
        rc = err_set(err, "cannot write %s", fileids);
    if (fclose(b) != 0)
        rc = err_set(err, "cannot write %s", trans);
    return rc;
}

static bool word_in(const char *w, size_t wl, char *const *words, size_t nw) {
    for (size_t i = 0; i < nw; i++)
        if (strlen(words[i]) == wl && strncmp(words[i], w, wl) == 0)
            return true;
    return false;
}

/* A dictionary with only the words of the phrases (and their alternate
 * pronunciations "word(2)"), cut from the model's: loads in no time. */
static int write_dict(const char *model_dict, const char *out, const item *it, size_t n,
                      char *missing, size_t nmissing, fc_err *err) {
    char **words = NULL;
    size_t nw = 0, cap = 0;
    for (size_t i = 0; i < n; i++) {
        char t[160];
        str_copy(t, it[i].text, sizeof t);
        char *save = NULL;
        for (char *w = strtok_r(t, " ", &save); w; w = strtok_r(NULL, " ", &save)) {
            if (word_in(w, strlen(w), words, nw))
                continue;
            if (nw == cap) {
                cap = cap ? cap * 2 : 64;
                words = xrealloc(words, cap * sizeof *words);
            }
            words[nw++] = xstrdup(w);
        }
    }
    size_t len = 0;
    char *text = file_read_all(model_dict, &len, err);
    int rc = -1;
    bool *found = xcalloc(nw ? nw : 1, sizeof *found);
    FILE *f = text ? paths_open_private(out, err) : NULL;
    if (f) {
        rc = 0;
        for (char *line = text; line && *line;) {
            char *nl = strchr(line, '\n');
            size_t ll = nl ? (size_t)(nl - line) : strlen(line);
            size_t wl = strcspn(line, " \t(");
            if (wl < ll && wl > 0) {
                for (size_t i = 0; i < nw; i++) {
                    if (strlen(words[i]) == wl && strncmp(words[i], line, wl) == 0) {
                        fprintf(f, "%.*s\n", (int)ll, line);
                        found[i] = true;
                        break;
                    }
                }
            }
            line = nl ? nl + 1 : NULL;
        }
        if (fclose(f) != 0)
            rc = err_set(err, "cannot write %s", out);
    }
    missing[0] = '\0';
    for (size_t i = 0; i < nw; i++) {
        if (rc == 0 && !found[i] && !missing[0])
            str_copy(missing, words[i], nmissing);
        free(words[i]);
    }
    free(words);
    free(found);
    free(text);
    return rc;
}

static int write_jsgf(const char *path, const item *it, size_t n, fc_err *err) {
    FILE *f = paths_open_private(path, err);
    if (!f)
        return -1;
    fputs("#JSGF V1.0;\ngrammar enroll;\npublic <reply> = ", f);
    bool first = true;
    for (size_t i = 0; i < n; i++) {
        bool dup = false;
        for (size_t k = 0; k < i && !dup; k++)
            dup = strcmp(it[k].text, it[i].text) == 0;
        if (dup)
            continue;
        fprintf(f, "%s%s", first ? "" : " | ", it[i].text);
        first = false;
    }
    fputs(";\n", f);
    if (fclose(f) != 0)
        return err_set(err, "cannot write %s", path);
    return 0;
}

/* Reads a pocketsphinx_batch hypothesis file ("text (id score)" lines) and
 * counts the items whose text was decoded exactly. */
static int score_hyps(const char *path, const item *it, size_t n, int *clean_ok, int *noisy_ok,
                      fc_err *err) {
    size_t len;
    char *text = file_read_all(path, &len, err);
    if (!text)
        return -1;
    *clean_ok = *noisy_ok = 0;
    for (char *line = text; line && *line;) {
        char *nl = strchr(line, '\n');
        if (nl)
            *nl = '\0';
        char *open = strrchr(line, '(');
        if (open) {
            char id[200];
            size_t k = 0;
            for (char *p = open + 1; *p && *p != ' ' && *p != ')' && k + 1 < sizeof id; p++)
                id[k++] = *p;
            id[k] = '\0';
            char *end = open;
            while (end > line && end[-1] == ' ')
                end--;
            *end = '\0';
            for (size_t i = 0; i < n; i++) {
                const char *base = strrchr(it[i].ctl, '/');
                base = base ? base + 1 : it[i].ctl;
                if (strcmp(base, id) != 0 && strcmp(it[i].ctl, id) != 0)
                    continue;
                if (strcmp(line, it[i].text) == 0)
                    (*(it[i].noisy ? noisy_ok : clean_ok))++;
                break;
            }
        }
        line = nl ? nl + 1 : NULL;
    }
    free(text);
    return 0;
}

/* The decoder's feature settings, for bw: -feat, -svspec, -cmn, -agc,
 * -varnorm from feat.params; `-model` picks the tying (.ptm., .cont.). */
typedef struct featp {
    char feat[32], svspec[64], cmn[16], agc[16], varnorm[8], ts2cb[16];
} featp;

static void read_featp(const char *path, featp *fp) {
    str_copy(fp->feat, "1s_c_d_dd", sizeof fp->feat);
    fp->svspec[0] = '\0';
    str_copy(fp->cmn, "current", sizeof fp->cmn);
    str_copy(fp->agc, "none", sizeof fp->agc);
    str_copy(fp->varnorm, "no", sizeof fp->varnorm);
    str_copy(fp->ts2cb, ".cont.", sizeof fp->ts2cb);
    FILE *f = fopen(path, "r");
    if (!f)
        return;
    char k[64], v[256];
    while (fscanf(f, "%63s %255s", k, v) == 2) {
        if (strcmp(k, "-feat") == 0)
            str_copy(fp->feat, v, sizeof fp->feat);
        else if (strcmp(k, "-svspec") == 0)
            str_copy(fp->svspec, v, sizeof fp->svspec);
        else if (strcmp(k, "-cmn") == 0)
            str_copy(fp->cmn, v, sizeof fp->cmn);
        else if (strcmp(k, "-agc") == 0)
            str_copy(fp->agc, v, sizeof fp->agc);
        else if (strcmp(k, "-varnorm") == 0)
            str_copy(fp->varnorm, v, sizeof fp->varnorm);
        else if (strcmp(k, "-model") == 0)
            if ((size_t)snprintf(fp->ts2cb, sizeof fp->ts2cb, ".%s.", v) >= sizeof fp->ts2cb)
                str_copy(fp->ts2cb, ".cont.", sizeof fp->ts2cb);
    }
    fclose(f);
}

/* ---- the whole adaptation --------------------------------------------- */

typedef struct job {
    const char *dir, *stock;
    char work[PATH_MAX], hmm[PATH_MAX];
    char t_fe[PATH_MAX], t_bw[PATH_MAX], t_map[PATH_MAX], t_mdef[PATH_MAX], t_batch[PATH_MAX];
    int log_fd, timeout;
} job;

static int mkdir_private(const char *path, fc_err *err) {
    if (mkdir(path, 0700) != 0 && errno != EEXIST)
        return err_set(err, "cannot create %s: %s", path, strerror(errno));
    chmod(path, 0700);
    return 0;
}

static int decode(job *j, const char *hmm, const char *hyp, fc_err *err) {
    char dict[PATH_MAX], jsgf[PATH_MAX], ctl[PATH_MAX], cep[PATH_MAX];
    join_path(dict, sizeof dict, j->work, "dict");
    join_path(jsgf, sizeof jsgf, j->work, "check.jsgf");
    join_path(ctl, sizeof ctl, j->work, "all.fileids");
    join_path(cep, sizeof cep, j->work, "feat");
    char *argv[] = {j->t_batch, "-hmm", (char *)hmm, "-dict",   dict,        "-jsgf",
                    jsgf,       "-ctl", ctl,         "-cepdir", cep,         "-cepext",
                    ".mfc",     "-hyp", (char *)hyp, "-logfn",  "/dev/null", NULL};
    return run_tool(j->log_fd, j->timeout, argv, err);
}

static void chmod_tree_files(const char *dir) {
    static const char *const files[] = {
        "mdef",        "means",    "variances", "mixture_weights", "transition_matrices",
        "feat.params", "noisedict"};
    for (size_t i = 0; i < sizeof files / sizeof files[0]; i++) {
        char p[PATH_MAX];
        join_path(p, sizeof p, dir, files[i]);
        chmod(p, 0600);
    }
}

/* Builds <work>/model from the counts; then the check; then <dir>/model. */
static int adapt_run(job *j, const adapt_opts *o, adapt_result *r, fc_err *err) {
    char p1[PATH_MAX], p2[PATH_MAX], p3[PATH_MAX];
    profile_take *takes = NULL;
    size_t nt = 0;
    item *it = NULL;
    size_t ni = 0;
    int16_t *noise = NULL;
    size_t nn = 0;
    int rc = -1;
    if (profile_read_takes(j->dir, &takes, &nt, err) < 0)
        return -1;
    if (nt == 0) {
        str_copy(r->reason, "there are no recordings to learn from", sizeof r->reason);
        return 0;
    }
    join_path(p1, sizeof p1, j->dir, "adapt-work/nwav");
    if (mkdir_private(j->work, err) < 0 || mkdir_private(p1, err) < 0)
        goto out;
    join_path(p1, sizeof p1, j->work, "acc");
    if (mkdir_private(p1, err) < 0)
        goto out;

    /* The recordings, and copies with the room's noise at a fixed SNR:
     * enrolling with the room's own noise is what helped in noise. */
    it = xcalloc(nt * 2, sizeof *it);
    double noise_pow = 0;
    join_path(p1, sizeof p1, j->dir, "room.wav");
    fc_err nerr;
    if (access(p1, R_OK) == 0 && wav_read_16k(p1, &noise, &nn, &nerr) == 0 && nn > 16000)
        noise_pow = mean_power(noise, nn);
    bool with_noise = noise_pow > 1e-9; /* -90 dBFS: a silent room has nothing to teach */
    for (size_t i = 0; i < nt; i++) {
        snprintf(it[ni].ctl, sizeof it[ni].ctl, "wav/%s", takes[i].id);
        str_copy(it[ni].text, takes[i].text, sizeof it[ni].text);
        ni++;
        r->n_clean++;
    }
    if (with_noise) {
        for (size_t i = 0; i < nt; i++) {
            int16_t *pcm = NULL;
            size_t n = 0;
            char name[256];
            snprintf(name, sizeof name, "wav/%s.wav", takes[i].id);
            join_path(p1, sizeof p1, j->dir, name);
            if (wav_read_16k(p1, &pcm, &n, err) < 0)
                goto out;
            snprintf(it[ni].ctl, sizeof it[ni].ctl, "adapt-work/nwav/%s-n", takes[i].id);
            snprintf(name, sizeof name, "%s.wav", it[ni].ctl);
            join_path(p2, sizeof p2, j->dir, name);
            int w = write_noisy(p2, pcm, n, noise, nn, noise_pow, (i * 7919u * 16u) % nn,
                                o->noise_snr_db, err);
            free(pcm);
            if (w < 0)
                goto out;
            str_copy(it[ni].text, takes[i].text, sizeof it[ni].text);
            it[ni].noisy = true;
            ni++;
            r->n_noisy++;
        }
    }
    adapt_train train = o->train;
    if (!with_noise)
        train = ADAPT_TRAIN_CLEAN;
    join_path(p1, sizeof p1, j->work, "all.fileids");
    join_path(p2, sizeof p2, j->work, "all.transcription");
    if (write_lists(p1, p2, it, ni, 0, err) < 0)
        goto out;
    join_path(p1, sizeof p1, j->work, "train.fileids");
    join_path(p2, sizeof p2, j->work, "train.transcription");
    if (write_lists(p1, p2, it, ni,
                    train == ADAPT_TRAIN_BOTH    ? 0
                    : train == ADAPT_TRAIN_CLEAN ? 1
                                                 : 2,
                    err) < 0)
        goto out;
    char missing[64];
    join_path(p1, sizeof p1, j->stock, "cmudict-en-us.dict");
    join_path(p2, sizeof p2, j->work, "dict");
    if (write_dict(p1, p2, it, ni, missing, sizeof missing, err) < 0)
        goto out;
    if (missing[0]) {
        err_set(err, "the word \"%s\" is not in the speech model's dictionary", missing);
        goto out;
    }
    join_path(p1, sizeof p1, j->work, "check.jsgf");
    if (write_jsgf(p1, it, ni, err) < 0)
        goto out;

    /* Features, with the model's own front-end settings. */
    {
        char fp[PATH_MAX], ctl[PATH_MAX], feat[PATH_MAX];
        join_path(fp, sizeof fp, j->hmm, "feat.params");
        join_path(ctl, sizeof ctl, j->work, "all.fileids");
        join_path(feat, sizeof feat, j->work, "feat");
        char *argv[] = {j->t_fe, "-argfile",     fp,    "-samprate", "16000", "-c",  ctl,
                        "-di",   (char *)j->dir, "-do", feat,        "-ei",   "wav", "-eo",
                        "mfc",   "-mswav",       "yes", NULL};
        if (run_tool(j->log_fd, j->timeout, argv, err) < 0)
            goto out;
    }
    /* What bw and map_adapt need and the Debian model lacks: a text mdef and
     * the mixture weights in full. */
    {
        char mdef[PATH_MAX], tmdef[PATH_MAX];
        join_path(mdef, sizeof mdef, j->hmm, "mdef");
        join_path(tmdef, sizeof tmdef, j->work, "mdef.txt");
        char *argv[] = {j->t_mdef, "-text", mdef, tmdef, NULL};
        if (run_tool(j->log_fd, j->timeout, argv, err) < 0)
            goto out;
    }
    join_path(p3, sizeof p3, j->hmm, "mixture_weights");
    if (access(p3, R_OK) != 0) {
        join_path(p1, sizeof p1, j->hmm, "sendump");
        join_path(p3, sizeof p3, j->work, "mixture_weights");
        if (adapt_expand_sendump(p1, p3, err) < 0)
            goto out;
    }
    /* p3: the stock mixture weights from here on. */
    featp fp;
    join_path(p1, sizeof p1, j->hmm, "feat.params");
    read_featp(p1, &fp);
    {
        char tmdef[PATH_MAX], dict[PATH_MAX], fdict[PATH_MAX], ctl[PATH_MAX], lsn[PATH_MAX],
            cep[PATH_MAX], acc[PATH_MAX];
        join_path(tmdef, sizeof tmdef, j->work, "mdef.txt");
        join_path(dict, sizeof dict, j->work, "dict");
        join_path(fdict, sizeof fdict, j->hmm, "noisedict");
        join_path(ctl, sizeof ctl, j->work, "train.fileids");
        join_path(lsn, sizeof lsn, j->work, "train.transcription");
        join_path(cep, sizeof cep, j->work, "feat");
        join_path(acc, sizeof acc, j->work, "acc");
        char *argv[MAX_ARGS];
        int a = 0;
        argv[a++] = j->t_bw;
        argv[a++] = "-hmmdir";
        argv[a++] = j->hmm;
        argv[a++] = "-moddeffn";
        argv[a++] = tmdef;
        argv[a++] = "-mixwfn";
        argv[a++] = p3;
        argv[a++] = "-ts2cbfn";
        argv[a++] = fp.ts2cb;
        argv[a++] = "-feat";
        argv[a++] = fp.feat;
        if (fp.svspec[0]) {
            argv[a++] = "-svspec";
            argv[a++] = fp.svspec;
        }
        argv[a++] = "-cmn";
        argv[a++] = fp.cmn;
        argv[a++] = "-agc";
        argv[a++] = fp.agc;
        argv[a++] = "-varnorm";
        argv[a++] = fp.varnorm;
        argv[a++] = "-dictfn";
        argv[a++] = dict;
        argv[a++] = "-fdictfn";
        argv[a++] = fdict;
        argv[a++] = "-ctlfn";
        argv[a++] = ctl;
        argv[a++] = "-lsnfn";
        argv[a++] = lsn;
        argv[a++] = "-cepdir";
        argv[a++] = cep;
        argv[a++] = "-accumdir";
        argv[a++] = acc;
        argv[a] = NULL;
        if (run_tool(j->log_fd, j->timeout, argv, err) < 0)
            goto out;
    }
    {
        char tmdef[PATH_MAX], means[PATH_MAX], vars[PATH_MAX], tmat[PATH_MAX], acc[PATH_MAX],
            om[PATH_MAX], ov[PATH_MAX], ow[PATH_MAX], ot[PATH_MAX], mdir[PATH_MAX];
        join_path(mdir, sizeof mdir, j->work, "model");
        if (mkdir_private(mdir, err) < 0)
            goto out;
        join_path(mdir, sizeof mdir, j->work, "model/en-us");
        if (mkdir_private(mdir, err) < 0)
            goto out;
        join_path(tmdef, sizeof tmdef, j->work, "mdef.txt");
        join_path(means, sizeof means, j->hmm, "means");
        join_path(vars, sizeof vars, j->hmm, "variances");
        join_path(tmat, sizeof tmat, j->hmm, "transition_matrices");
        join_path(acc, sizeof acc, j->work, "acc");
        join_path(om, sizeof om, mdir, "means");
        join_path(ov, sizeof ov, mdir, "variances");
        join_path(ow, sizeof ow, mdir, "mixture_weights");
        join_path(ot, sizeof ot, mdir, "transition_matrices");
        char *argv[] = {j->t_map, "-moddeffn",  tmdef, "-ts2cbfn",   fp.ts2cb, "-meanfn",
                        means,    "-varfn",     vars,  "-mixwfn",    p3,       "-tmatfn",
                        tmat,     "-accumdir",  acc,   "-mapmeanfn", om,       "-mapvarfn",
                        ov,       "-mapmixwfn", ow,    "-maptmatfn", ot,       NULL};
        if (run_tool(j->log_fd, j->timeout, argv, err) < 0)
            goto out;
        /* The rest of the model as it is; no sendump, or the decoder would
         * read the stock weights instead of the adapted ones. */
        static const char *const same[] = {"mdef", "feat.params", "noisedict"};
        for (size_t i = 0; i < sizeof same / sizeof same[0]; i++) {
            join_path(p1, sizeof p1, j->hmm, same[i]);
            join_path(p2, sizeof p2, mdir, same[i]);
            if (profile_copy_file(p1, p2, err) < 0)
                goto out;
        }
        chmod_tree_files(mdir);
    }

    /* The check: both models decode every recording and noisy copy. */
    {
        char mdir[PATH_MAX];
        join_path(mdir, sizeof mdir, j->work, "model/en-us");
        join_path(p1, sizeof p1, j->work, "stock.hyp");
        join_path(p2, sizeof p2, j->work, "adapted.hyp");
        if (decode(j, j->hmm, p1, err) < 0 || decode(j, mdir, p2, err) < 0)
            goto out;
        if (score_hyps(p1, it, ni, &r->stock_clean_ok, &r->stock_noisy_ok, err) < 0 ||
            score_hyps(p2, it, ni, &r->adapted_clean_ok, &r->adapted_noisy_ok, err) < 0)
            goto out;
    }
    r->ran = true;
    int stock = r->stock_clean_ok + r->stock_noisy_ok;
    int adapted = r->adapted_clean_ok + r->adapted_noisy_ok;
    int slack = r->n_clean / 33;
    if (adapted < stock) {
        snprintf(r->reason, sizeof r->reason,
                 "the adapted model heard fewer recordings (%d of %d) than the stock one (%d)",
                 adapted, r->n_clean + r->n_noisy, stock);
    } else if (r->adapted_clean_ok < r->stock_clean_ok - slack) {
        snprintf(r->reason, sizeof r->reason,
                 "the adapted model heard fewer quiet recordings (%d of %d) than the stock one "
                 "(%d)",
                 r->adapted_clean_ok, r->n_clean, r->stock_clean_ok);
    } else {
        join_path(p1, sizeof p1, j->work, "model");
        join_path(p2, sizeof p2, j->dir, "model");
        if (rename(p1, p2) != 0) {
            err_set(err, "cannot move the adapted model to %s: %s", p2, strerror(errno));
            goto out;
        }
        static const char *const links[] = {"cmudict-en-us.dict", "en-us-phone.lm.bin"};
        for (size_t i = 0; i < sizeof links / sizeof links[0]; i++) {
            join_path(p1, sizeof p1, j->stock, links[i]);
            join_path(p3, sizeof p3, p2, links[i]);
            if (symlink(p1, p3) != 0) {
                err_set(err, "cannot link %s: %s", p3, strerror(errno));
                profile_remove_tree(p2);
                goto out;
            }
        }
        r->kept = true;
    }
    rc = 0;
out:
    free(takes);
    free(it);
    free(noise);
    return rc;
}

int adapt_profile(const char *dir, const adapt_opts *o, adapt_result *r, fc_err *err) {
    memset(r, 0, sizeof *r);
    adapt_opts def = adapt_defaults();
    if (!o)
        o = &def;
    job j;
    memset(&j, 0, sizeof j);
    j.dir = dir;
    j.stock = o->stock_model ? o->stock_model : profile_stock_model();
    j.timeout = o->tool_timeout_s > 0 ? o->tool_timeout_s : 120;
    join_path(j.work, sizeof j.work, dir, "adapt-work");
    join_path(j.hmm, sizeof j.hmm, j.stock, "en-us");
    char model[PATH_MAX];
    join_path(model, sizeof model, dir, "model");
    profile_remove_tree(model);
    profile_remove_tree(j.work);

    struct {
        const char *name;
        char *buf;
    } tools[] = {{"sphinx_fe", j.t_fe},
                 {"bw", j.t_bw},
                 {"map_adapt", j.t_map},
                 {"pocketsphinx_mdef_convert", j.t_mdef},
                 {"pocketsphinx_batch", j.t_batch}};
    for (size_t i = 0; i < sizeof tools / sizeof tools[0]; i++) {
        if (adapt_find_tool(tools[i].name, tools[i].buf, PATH_MAX) < 0) {
            snprintf(r->reason, sizeof r->reason,
                     "the adaptation tool %s is not installed (Debian packages sphinxtrain, "
                     "sphinxbase-utils, pocketsphinx)",
                     tools[i].name);
            return 0;
        }
    }
    char probe[PATH_MAX];
    join_path(probe, sizeof probe, j.hmm, "mdef");
    if (access(probe, R_OK) != 0)
        return err_set(err, "the speech model is missing at %s (is pocketsphinx-en-us installed?)",
                       j.hmm);

    char logp[PATH_MAX];
    join_path(logp, sizeof logp, dir, "adapt.log");
    j.log_fd = open(logp, O_WRONLY | O_CREAT | O_APPEND | O_NOFOLLOW | O_CLOEXEC, 0600);
    if (j.log_fd < 0)
        return err_set(err, "cannot write %s: %s", logp, strerror(errno));
    fchmod(j.log_fd, 0600);
    double c0 = cpu_children_s(), t0 = cpu_thread_s();
    int rc = adapt_run(&j, o, r, err);
    r->cpu_s = cpu_children_s() - c0 + cpu_thread_s() - t0;
    char line[768];
    int len;
    if (rc < 0)
        len = snprintf(line, sizeof line, "adaptation failed: %s\n", err->msg);
    else
        len = snprintf(line, sizeof line,
                       "check: stock %d/%d quiet, %d/%d noisy; adapted %d/%d quiet, %d/%d noisy; "
                       "%s; %.1f s CPU%s%s\n",
                       r->stock_clean_ok, r->n_clean, r->stock_noisy_ok, r->n_noisy,
                       r->adapted_clean_ok, r->n_clean, r->adapted_noisy_ok, r->n_noisy,
                       r->kept ? "adapted model kept" : "stock model kept", r->cpu_s,
                       r->reason[0] ? ": " : "", r->reason);
    if (len > 0 && write(j.log_fd, line, (size_t)len) < 0) {
        /* only a note for debugging */
    }
    close(j.log_fd);
    profile_remove_tree(j.work);
    return rc;
}
