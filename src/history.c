/* history: session logs summarized per session; the `history` command. */
#include "history.h"

#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "jsonread.h"
#include "paths.h"

/* Longest log line read; longer ones count as unreadable. */
#define MAX_LINE (1024 * 1024)

static const char *const loc_names[] = {"-", "back", "buttock", "thigh", "knee", "calf", "foot"};
#define LOC_MAX 6

const char *history_location_name(int loc) {
    return loc >= 1 && loc <= LOC_MAX ? loc_names[loc] : "-";
}

static int location_parse(const char *s) {
    if (!s)
        return 0;
    for (int i = 1; i <= LOC_MAX; i++)
        if (strcmp(s, loc_names[i]) == 0)
            return i;
    if (strcmp(s, "toes") == 0 || strcmp(s, "toe") == 0)
        return LOC_MAX;
    if (strcmp(s, "buttocks") == 0)
        return 2;
    return 0;
}

/* Copies at most n-1 bytes without cutting a UTF-8 sequence in two. */
static void copy_utf8(char *dst, const char *src, size_t n) {
    size_t len = strlen(src);
    if (len >= n) {
        len = n - 1;
        while (len > 0 && ((unsigned char)src[len] & 0xC0) == 0x80)
            len--;
    }
    memcpy(dst, src, len);
    dst[len] = '\0';
}

static bool digits(const char *s, size_t n) {
    for (size_t i = 0; i < n; i++)
        if (s[i] < '0' || s[i] > '9')
            return false;
    return true;
}

bool history_valid_date(const char *s) {
    if (!s || strlen(s) != 10 || !digits(s, 4) || s[4] != '-' || !digits(s + 5, 2) || s[7] != '-' ||
        !digits(s + 8, 2))
        return false;
    int month = (s[5] - '0') * 10 + (s[6] - '0');
    int day = (s[8] - '0') * 10 + (s[9] - '0');
    return month >= 1 && month <= 12 && day >= 1 && day <= 31;
}

/* Turns "2025-03-01T09:12:44+01:00" (from the log) or "2025-03-01T09-12-44"
 * (from a file name) into "2025-03-01T09:12:44"; false when it is neither. */
static bool make_sortkey(const char *s, char *key) {
    if (!s || strlen(s) < 10)
        return false;
    char day[11];
    memcpy(day, s, 10);
    day[10] = '\0';
    if (!history_valid_date(day))
        return false;
    memcpy(key, day, 10);
    strcpy(key + 10, "T00:00:00");
    if (s[10] != 'T' && s[10] != ' ')
        return true;
    /* HH?MM?SS, each separator ':' or '-'; seconds optional. */
    const char *t = s + 11;
    size_t tl = strlen(t);
    if (tl >= 5 && digits(t, 2) && (t[2] == ':' || t[2] == '-') && digits(t + 3, 2)) {
        key[11] = t[0];
        key[12] = t[1];
        key[14] = t[3];
        key[15] = t[4];
        if (tl >= 8 && (t[5] == ':' || t[5] == '-') && digits(t + 6, 2)) {
            key[17] = t[6];
            key[18] = t[7];
        }
    }
    return true;
}

bool history_sortkey(const char *text, char *key) {
    return make_sortkey(text, key);
}

char *history_date(const hist_session *s, char *buf, size_t n) {
    if (!s->sortkey[0]) {
        str_copy(buf, "(unknown date)", n);
        return buf;
    }
    snprintf(buf, n, "%.10s %.5s", s->sortkey, s->sortkey + 11);
    return buf;
}

char *history_duration(double seconds, char *buf, size_t n) {
    if (!(seconds >= 0) || seconds > 1e7)
        seconds = 0;
    unsigned s = (unsigned)(seconds + 0.5);
    if (s >= 3600)
        snprintf(buf, n, "%u:%02u:%02u", s / 3600, s / 60 % 60, s % 60);
    else
        snprintf(buf, n, "%u:%02u", s / 60, s % 60);
    return buf;
}

const char *history_reason_words(const char *reason) {
    static const char *const words[][2] = {
        {"peripheralization", "pain spread down the leg"},
        {"nerve_signs", "tingling, numbness or weakness"},
        {"centralization", "pain moved toward the back"},
        {"sharp_pain", "sharp or severe pain"},
        {"pain_score_rise", "pain score rose"},
        {"red_flag", "red flag"},
        {"acute_flare", "acute flare-up"},
        {"worse", "pain worse"},
        {"unclear_speech", "reply not understood"},
        {"clap", "stop signal (claps)"},
        {"no_reply", "no reply"},
    };
    if (!reason || !*reason)
        return "-";
    for (size_t i = 0; i < sizeof words / sizeof words[0]; i++)
        if (strcmp(reason, words[i][0]) == 0)
            return words[i][1];
    return reason;
}

const char *history_ended_words(const char *ended) {
    static const char *const words[][2] = {
        {"completed", "completed"},     {"user_stop", "stopped by you"},
        {"safety", "ended for safety"}, {"red_flag", "ended: red flag"},
        {"error", "ended by an error"}, {"unfinished", "unfinished"},
    };
    for (size_t i = 0; i < sizeof words / sizeof words[0]; i++)
        if (strcmp(ended, words[i][0]) == 0)
            return words[i][1];
    return ended;
}

/* A spreading pain or new nerve signs: the reasons a physiotherapist reads
 * as peripheralization. */
static bool is_spread(const char *reason) {
    return strcmp(reason, "peripheralization") == 0 || strcmp(reason, "nerve_signs") == 0;
}

void history_session_free(hist_session *s) {
    if (!s)
        return;
    free(s->file);
    for (size_t i = 0; i < s->nevents; i++) {
        free(s->events[i].heard);
        free(s->events[i].asked);
        free(s->events[i].said);
    }
    free(s->events);
    free(s->ex);
    memset(s, 0, sizeof *s);
}

void history_free(hist_list *l) {
    if (!l)
        return;
    for (size_t i = 0; i < l->n; i++)
        history_session_free(&l->s[i]);
    free(l->s);
    memset(l, 0, sizeof *l);
}

static hist_exercise *exercise_get(hist_session *s, const char *id) {
    for (size_t i = 0; i < s->nex; i++)
        if (strcmp(s->ex[i].id, id) == 0)
            return &s->ex[i];
    hist_exercise *nex = xrealloc(s->ex, (s->nex + 1) * sizeof *nex);
    if (!nex)
        return NULL;
    s->ex = nex;
    hist_exercise *e = &s->ex[s->nex++];
    memset(e, 0, sizeof *e);
    copy_utf8(e->id, id, sizeof e->id);
    return e;
}

static hist_event *event_add(hist_session *s) {
    hist_event *ne = xrealloc(s->events, (s->nevents + 1) * sizeof *ne);
    if (!ne)
        return NULL;
    s->events = ne;
    hist_event *e = &s->events[s->nevents++];
    memset(e, 0, sizeof *e);
    return e;
}

static char *dup_or_null(const char *s) {
    return s ? xstrdup(s) : NULL;
}

/* Reading state for one log beyond what ends up in hist_session. */
typedef struct reader {
    hist_session *s;
    char exercise[64];    /* the exercise under way */
    bool started;         /* the first exercise has begun */
    char *last_heard;     /* words of the latest reply not yet tied to a verdict */
    char *last_asked;     /* the question a yes/no reply answered, with last_heard */
    char *question;       /* the latest question floorcoach asked */
    size_t open_red_flag; /* 1 + index of a red flag heard, waiting for its verdict */
    bool ended;
} reader;

/* A number field as an int in [lo, hi], or -1. Why the range check: casting
 * an out-of-range double to int is undefined. */
static int int_field(const jobj *o, const char *key, int lo, int hi) {
    double v;
    if (jobj_num(o, key, &v)) {
        if (v >= lo && v <= hi)
            return (int)(v + 0.5);
        return -1;
    }
    const char *str = jobj_str(o, key);
    if (str && *str && strlen(str) <= 2 && digits(str, strlen(str))) {
        int n = atoi(str);
        return n >= lo && n <= hi ? n : -1;
    }
    return -1;
}

static void on_heard(reader *r, const jobj *o) {
    hist_session *s = r->s;
    const char *text = jobj_str(o, "text");
    const char *in = jobj_str(o, "intent");
    bool baseline = jobj_true(o, "baseline") || !r->started;
    free(r->last_heard);
    free(r->last_asked);
    r->last_heard = dup_or_null(text);
    r->last_asked = NULL;
    if (!in)
        return;
    /* "yes" means nothing in a report without the question it answered. */
    if (strcmp(in, "yes") == 0 || strcmp(in, "no") == 0)
        r->last_asked = dup_or_null(r->question);
    if (strcmp(in, "pain_score") == 0) {
        int v = int_field(o, "value", 0, 10);
        if (v < 0)
            return;
        if (baseline)
            s->pain_start = v; /* the last answer wins: a correction comes after */
        else
            s->pain_end = v;
        return;
    }
    if (strcmp(in, "location") == 0 || strcmp(in, "spreading") == 0 ||
        strcmp(in, "centralizing") == 0 || strcmp(in, "nerve_signs") == 0) {
        const jfield *vf = jobj_get(o, "value");
        int loc = 0;
        if (vf && vf->type == JV_STR)
            loc = location_parse(vf->str);
        else if (vf && vf->type == JV_NUM && vf->num >= 1 && vf->num <= LOC_MAX)
            loc = (int)vf->num; /* enum location written as a number */
        if (!loc)
            return;
        if (baseline) {
            if (loc > s->loc_start)
                s->loc_start = loc;
        } else {
            s->loc_end = loc;
        }
        return;
    }
    if (strcmp(in, "red_flag") == 0) {
        hist_event *e = event_add(s);
        if (!e)
            return;
        e->t = s->duration;
        str_copy(e->reason, "red_flag", sizeof e->reason);
        copy_utf8(e->exercise, r->exercise, sizeof e->exercise);
        e->heard = r->last_heard;
        e->asked = r->last_asked;
        r->last_heard = r->last_asked = NULL;
        r->open_red_flag = s->nevents;
    }
}

static void on_verdict(reader *r, const jobj *o) {
    hist_session *s = r->s;
    const char *verdict = jobj_str(o, "verdict");
    const char *reason = jobj_str(o, "reason");
    /* A verdict without an exercise field belongs to the one under way; an
     * explicit null or "" means none (a red flag before the exercises). */
    const char *ex = jobj_get(o, "exercise") ? jobj_str(o, "exercise") : r->exercise;
    if (!verdict || strcmp(verdict, "continue") == 0)
        return;
    if (!reason)
        reason = "";
    if (!ex)
        ex = "";
    hist_event *e = NULL;
    /* An index, not a pointer: event_add may move the array. */
    if (r->open_red_flag && strcmp(reason, "red_flag") == 0)
        e = &s->events[r->open_red_flag - 1];
    r->open_red_flag = 0;
    if (!e) {
        e = event_add(s);
        if (!e)
            return;
        e->t = s->duration;
        copy_utf8(e->reason, reason, sizeof e->reason);
        e->heard = r->last_heard;
        e->asked = r->last_asked;
        r->last_heard = r->last_asked = NULL;
    }
    copy_utf8(e->verdict, verdict, sizeof e->verdict);
    copy_utf8(e->exercise, ex, sizeof e->exercise);
    free(e->said);
    e->said = dup_or_null(jobj_str(o, "text"));
    if (!*ex)
        return;
    hist_exercise *x = exercise_get(s, ex);
    if (!x)
        return;
    if (is_spread(reason))
        x->spread++;
    else
        x->other++;
    if (strcmp(verdict, "offer_easier") == 0)
        x->eased++;
}

static void on_event(reader *r, const jobj *o) {
    hist_session *s = r->s;
    const char *ev = jobj_str(o, "ev");
    double t;
    if (jobj_num(o, "t", &t) && t >= 0 && t < 1e7 && t > s->duration)
        s->duration = t;
    if (!ev)
        return;
    if (strcmp(ev, "heard") == 0) {
        on_heard(r, o);
    } else if (strcmp(ev, "say") == 0) {
        const char *kind = jobj_str(o, "kind");
        const char *text = jobj_str(o, "text");
        if (kind && text && strcmp(kind, "prompt") == 0) {
            free(r->question);
            r->question = xstrdup(text);
        }
    } else if (strcmp(ev, "verdict") == 0) {
        on_verdict(r, o);
    } else if (strcmp(ev, "exercise_start") == 0) {
        const char *id = jobj_str(o, "id");
        copy_utf8(r->exercise, id ? id : "", sizeof r->exercise);
        r->started = true;
    } else if (strcmp(ev, "exercise_end") == 0) {
        const char *id = jobj_str(o, "id");
        const char *outcome = jobj_str(o, "outcome");
        hist_exercise *x = id && *id ? exercise_get(s, id) : NULL;
        if (x && outcome) {
            if (strcmp(outcome, "done") == 0)
                x->done++;
            else if (strcmp(outcome, "stopped") == 0)
                x->stopped++;
            else if (strcmp(outcome, "skipped") == 0)
                x->skipped++;
        }
    } else if (strcmp(ev, "session_end") == 0) {
        const char *reason = jobj_str(o, "reason");
        copy_utf8(s->ended, reason && *reason ? reason : "unknown", sizeof s->ended);
        r->ended = true;
    }
}

/* The file's base name: warnings name the file, never its contents. */
static const char *base_name(const char *path) {
    const char *slash = strrchr(path, '/');
    return slash ? slash + 1 : path;
}

int history_load_file(const char *path, hist_session *s, FILE *warn, fc_err *err) {
    memset(s, 0, sizeof *s);
    s->pain_start = s->pain_end = -1;
    s->file = xstrdup(base_name(path));
    str_copy(s->ended, "unfinished", sizeof s->ended);
    FILE *f = fopen(path, "rb");
    if (!f) {
        err_set(err, "%s: cannot open: %s", path, strerror(errno));
        history_session_free(s);
        return -1;
    }
    reader r = {0};
    r.s = s;
    char *line = NULL;
    size_t cap = 0;
    long lineno = 0;
    int rc = 0;
    bool first = true;
    for (;;) {
        errno = 0;
        ssize_t got = getline(&line, &cap, f);
        if (got < 0)
            break;
        lineno++;
        if (got == 1 && line[0] == '\n')
            continue;
        jobj o;
        fc_err perr;
        if (got > MAX_LINE || jobj_parse(&o, line, (size_t)got, &perr) != 0) {
            if (got > MAX_LINE)
                str_copy(perr.msg, "line too long", sizeof perr.msg);
            if (first) {
                err_set(err, "%s: not a floorcoach session log (line %ld: %s)", path, lineno,
                        perr.msg);
                rc = -1;
            } else {
                if (warn)
                    fprintf(warn,
                            "floorcoach: %s:%ld: unreadable line (%s); read the session up to "
                            "it\n",
                            path, lineno, perr.msg);
                s->truncated = true;
                rc = 1;
            }
            break;
        }
        if (first) {
            const char *ev = jobj_str(&o, "ev");
            if (!ev || strcmp(ev, "session_start") != 0) {
                err_set(err,
                        "%s: not a floorcoach session log (it does not begin with "
                        "session_start)",
                        path);
                jobj_free(&o);
                rc = -1;
                break;
            }
            const char *routine = jobj_str(&o, "routine");
            const char *name = jobj_str(&o, "routine_name");
            copy_utf8(s->routine, routine ? routine : "?", sizeof s->routine);
            copy_utf8(s->routine_name, name ? name : s->routine, sizeof s->routine_name);
            if (!make_sortkey(jobj_str(&o, "date"), s->sortkey))
                make_sortkey(s->file, s->sortkey);
            first = false;
        }
        on_event(&r, &o);
        jobj_free(&o);
    }
    if (rc == 0 && first) {
        err_set(err, "%s: empty, not a session log", path);
        rc = -1;
    }
    if (rc == 0 && ferror(f)) {
        if (warn)
            fprintf(warn, "floorcoach: %s: read error; read the session up to it\n", path);
        s->truncated = true;
        rc = 1;
    }
    free(line);
    free(r.last_heard);
    free(r.last_asked);
    free(r.question);
    fclose(f);
    if (rc < 0)
        history_session_free(s);
    return rc;
}

static int cmp_name(const void *a, const void *b) {
    return strcmp(*(char *const *)a, *(char *const *)b);
}

static int cmp_session(const void *a, const void *b) {
    const hist_session *x = a, *y = b;
    int c = strcmp(x->sortkey, y->sortkey);
    return c ? c : strcmp(x->file, y->file);
}

static bool is_log_name(const char *name) {
    size_t n = strlen(name);
    return name[0] != '.' && n > 6 && strcmp(name + n - 6, ".jsonl") == 0;
}

int history_load(const char *dir, hist_list *out, FILE *warn, fc_err *err) {
    memset(out, 0, sizeof *out);
    DIR *d = opendir(dir);
    if (!d) {
        if (errno == ENOENT)
            return 0;
        return err_set(err, "cannot read %s: %s", dir, strerror(errno));
    }
    char **names = NULL;
    size_t n = 0, cap = 0;
    struct dirent *de;
    while ((de = readdir(d)) != NULL) {
        if (!is_log_name(de->d_name))
            continue;
        if (n == cap) {
            cap = cap ? cap * 2 : 64;
            char **nn = xrealloc(names, cap * sizeof *nn);
            if (!nn)
                break;
            names = nn;
        }
        names[n] = xstrdup(de->d_name);
        if (names[n])
            n++;
    }
    closedir(d);
    if (n)
        qsort(names, n, sizeof *names, cmp_name);
    out->s = n ? xcalloc(n, sizeof *out->s) : NULL;
    for (size_t i = 0; i < n; i++) {
        char path[PATH_MAX];
        if ((size_t)snprintf(path, sizeof path, "%s/%s", dir, names[i]) >= sizeof path || !out->s) {
            free(names[i]);
            out->skipped++;
            continue;
        }
        struct stat st;
        if (stat(path, &st) != 0 || !S_ISREG(st.st_mode)) {
            free(names[i]);
            continue;
        }
        fc_err ferr;
        int rc = history_load_file(path, &out->s[out->n], warn, &ferr);
        if (rc < 0) {
            if (warn)
                fprintf(warn, "floorcoach: skipped %s\n", ferr.msg);
            out->skipped++;
        } else {
            out->n++;
        }
        free(names[i]);
    }
    free(names);
    if (out->n)
        qsort(out->s, out->n, sizeof *out->s, cmp_session);
    return 0;
}

/* Terminal output: control characters from a log could move the cursor or
 * retitle the window, so they are shown as '?'. */
static void put_clean(FILE *f, const char *s, int width) {
    int w = 0;
    for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
        unsigned char c = *p;
        fputc(c < 0x20 || c == 0x7f ? '?' : c, f);
        if ((c & 0xC0) != 0x80)
            w++;
    }
    for (; w < width; w++)
        fputc(' ', f);
}

/* "6 -> 4", "6 -> ?", "-" */
static void pain_pair(char *buf, size_t n, int a, int b) {
    static const char *const score[] = {"0", "1", "2", "3", "4", "5", "6", "7", "8", "9", "10"};
    if (a < 0 && b < 0)
        str_copy(buf, "-", n);
    else
        snprintf(buf, n, "%s -> %s", a >= 0 && a <= 10 ? score[a] : "?",
                 b >= 0 && b <= 10 ? score[b] : "?");
}

static void loc_pair(char *buf, size_t n, int a, int b) {
    if (!a && !b)
        str_copy(buf, "-", n);
    else
        snprintf(buf, n, "%s -> %s", a ? history_location_name(a) : "?",
                 b ? history_location_name(b) : "?");
}

/* The safety stops of a session: "ex: reason; ex: reason". */
static void stops_text(const hist_session *s, char *buf, size_t n) {
    buf[0] = '\0';
    size_t len = 0;
    for (size_t i = 0; i < s->nevents && len + 1 < n; i++) {
        const hist_event *e = &s->events[i];
        int w = snprintf(buf + len, n - len, "%s%s%s%s", len ? "; " : "", e->exercise,
                         e->exercise[0] ? ": " : "", history_reason_words(e->reason));
        if (w < 0)
            break;
        len += (size_t)w;
    }
    if (len >= n && n > 4)
        strcpy(buf + n - 4, "...");
    if (!buf[0])
        str_copy(buf, "-", n);
}

/* One CSV field: quoted when needed (RFC 4180), and with a leading quote
 * mark when it would start like a spreadsheet formula. */
static void csv_field(FILE *f, const char *s, bool last) {
    bool formula =
        s[0] == '=' || s[0] == '+' || s[0] == '-' || s[0] == '@' || s[0] == '\t' || s[0] == '\r';
    if (strcmp(s, "-") == 0)
        formula = false;
    bool quote = formula || strpbrk(s, ",\"\r\n") != NULL;
    if (quote)
        fputc('"', f);
    if (formula)
        fputc('\'', f);
    for (const char *p = s; *p; p++) {
        if (*p == '"')
            fputc('"', f);
        fputc(*p, f);
    }
    if (quote)
        fputc('"', f);
    fputs(last ? "\r\n" : ",", f);
}

static void csv_int(FILE *f, int v) {
    if (v >= 0)
        fprintf(f, "%d,", v);
    else
        fputc(',', f);
}

void history_print(FILE *f, const hist_list *l, long last, bool csv) {
    size_t from = 0;
    if (last > 0 && (size_t)last < l->n)
        from = l->n - (size_t)last;
    if (csv) {
        fputs("date,routine,routine_name,duration_s,ended,pain_start,pain_end,"
              "location_start,location_end,safety_stops,file\r\n",
              f);
        for (size_t i = from; i < l->n; i++) {
            const hist_session *s = &l->s[i];
            char date[32], stops[2048];
            history_date(s, date, sizeof date);
            stops_text(s, stops, sizeof stops);
            csv_field(f, date, false);
            csv_field(f, s->routine, false);
            csv_field(f, s->routine_name, false);
            fprintf(f, "%ld,", (long)(s->duration + 0.5));
            csv_field(f, s->ended, false);
            csv_int(f, s->pain_start);
            csv_int(f, s->pain_end);
            csv_field(f, s->loc_start ? history_location_name(s->loc_start) : "", false);
            csv_field(f, s->loc_end ? history_location_name(s->loc_end) : "", false);
            csv_field(f, strcmp(stops, "-") ? stops : "", false);
            csv_field(f, s->file, true);
        }
        return;
    }
    int rw = 7;
    for (size_t i = from; i < l->n; i++) {
        int len = (int)strlen(l->s[i].routine);
        if (len > rw)
            rw = len > 28 ? 28 : len;
    }
    fprintf(f, "%-16s  ", "date");
    put_clean(f, "routine", rw);
    fprintf(f, "  %8s  %-16s  %-7s  %-17s  %s\n", "time", "ended", "pain", "furthest pain",
            "safety stops");
    for (size_t i = from; i < l->n; i++) {
        const hist_session *s = &l->s[i];
        char date[32], dur[16], pain[32], loc[32], stops[2048], routine[32];
        history_date(s, date, sizeof date);
        history_duration(s->duration, dur, sizeof dur);
        pain_pair(pain, sizeof pain, s->pain_start, s->pain_end);
        loc_pair(loc, sizeof loc, s->loc_start, s->loc_end);
        stops_text(s, stops, sizeof stops);
        copy_utf8(routine, s->routine,
                  (size_t)rw + 1 < sizeof routine ? (size_t)rw + 1 : sizeof routine);
        fprintf(f, "%-16s  ", date);
        put_clean(f, routine, rw);
        fprintf(f, "  %8s  %-16s  %-7s  %-17s  ", dur, history_ended_words(s->ended), pain, loc);
        put_clean(f, stops, 0);
        fputc('\n', f);
    }
}

static int usage(FILE *f) {
    fputs("usage: floorcoach history [--last N] [--csv] [--dir DIR]\n"
          "  One line per session: date, routine, time taken, how it ended, pain score\n"
          "  and furthest-down pain at the start -> at the end, and the exercises the\n"
          "  safety checker stopped, with why.\n"
          "  --last N   only the N most recent sessions\n"
          "  --csv      comma-separated values, for a spreadsheet\n"
          "  --dir DIR  read the session logs in DIR (default: the data folder)\n",
          f);
    return 1;
}

int history_main(int argc, char **argv) {
    long last = 0;
    bool csv = false;
    const char *dir = NULL;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        if (strcmp(a, "--help") == 0 || strcmp(a, "-h") == 0) {
            usage(stdout);
            return 0;
        } else if (strcmp(a, "--csv") == 0) {
            csv = true;
        } else if (strcmp(a, "--last") == 0 || strncmp(a, "--last=", 7) == 0) {
            const char *v = a[6] == '=' ? a + 7 : (i + 1 < argc ? argv[++i] : NULL);
            char *end;
            errno = 0;
            last = v ? strtol(v, &end, 10) : 0;
            if (!v || !*v || *end || errno || last <= 0) {
                fprintf(stderr, "floorcoach history: --last needs a number of sessions above 0\n");
                return 1;
            }
        } else if (strcmp(a, "--dir") == 0 || strncmp(a, "--dir=", 6) == 0) {
            dir = a[5] == '=' ? a + 6 : (i + 1 < argc ? argv[++i] : NULL);
            if (!dir || !*dir) {
                fprintf(stderr, "floorcoach history: --dir needs a folder\n");
                return 1;
            }
        } else {
            fprintf(stderr, "floorcoach history: unknown option %s\n", a);
            return usage(stderr);
        }
    }
    char buf[PATH_MAX];
    fc_err err;
    if (!dir) {
        if (paths_data_dir(buf, sizeof buf, "sessions", &err) != 0) {
            fprintf(stderr, "floorcoach history: %s\n", err.msg);
            return 1;
        }
        dir = buf;
    }
    hist_list l;
    if (history_load(dir, &l, stderr, &err) != 0) {
        fprintf(stderr, "floorcoach history: %s\n", err.msg);
        return 1;
    }
    if (l.n == 0 && !csv)
        printf("No sessions recorded yet (session logs are kept in %s).\n", dir);
    else
        history_print(stdout, &l, last, csv);
    history_free(&l);
    return 0;
}
