/* forget: the `forget` command, which deletes stored sessions. */
#include "forget.h"

#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "history.h"
#include "paths.h"
#include "report.h"

/* A log in the sessions folder. */
typedef struct candidate {
    char *name;   /* file name */
    char key[24]; /* "YYYY-MM-DDTHH:MM:SS" start time */
    bool chosen;
} candidate;

static int cmp_candidate(const void *a, const void *b) {
    const candidate *x = a, *y = b;
    int c = strcmp(x->key, y->key);
    return c ? c : strcmp(x->name, y->name);
}

static void free_candidates(candidate *c, size_t n) {
    for (size_t i = 0; i < n; i++)
        free(c[i].name);
    free(c);
}

/* Lists the session logs of `dir`: files whose content is a session log, or
 * whose name is a log's (a crash on the first line leaves such a file, and
 * it is health data all the same). Other files are never touched. */
static int list_sessions(const char *dir, candidate **out, size_t *n_out, fc_err *err) {
    *out = NULL;
    *n_out = 0;
    DIR *d = opendir(dir);
    if (!d) {
        if (errno == ENOENT)
            return 0;
        return err_set(err, "cannot read %s: %s", dir, strerror(errno));
    }
    candidate *c = NULL;
    size_t n = 0, cap = 0;
    struct dirent *de;
    while ((de = readdir(d)) != NULL) {
        const char *name = de->d_name;
        size_t len = strlen(name);
        if (name[0] == '.' || len <= 6 || strcmp(name + len - 6, ".jsonl") != 0)
            continue;
        char path[PATH_MAX];
        struct stat st;
        if ((size_t)snprintf(path, sizeof path, "%s/%s", dir, name) >= sizeof path ||
            lstat(path, &st) != 0 || !S_ISREG(st.st_mode))
            continue;
        char key[24] = "";
        hist_session s;
        fc_err ferr;
        if (history_load_file(path, &s, NULL, &ferr) >= 0) {
            memcpy(key, s.sortkey, sizeof key);
            history_session_free(&s);
            if (!key[0] && !history_sortkey(name, key))
                str_copy(key, "0000-00-00T00:00:00", sizeof key);
        } else if (!history_sortkey(name, key)) {
            continue;
        }
        if (n == cap) {
            cap = cap ? cap * 2 : 64;
            candidate *nc = xrealloc(c, cap * sizeof *nc);
            if (!nc)
                break;
            c = nc;
        }
        c[n].name = xstrdup(name);
        if (!c[n].name)
            break;
        memcpy(c[n].key, key, sizeof key);
        c[n].chosen = false;
        n++;
    }
    closedir(d);
    if (n)
        qsort(c, n, sizeof *c, cmp_candidate);
    *out = c;
    *n_out = n;
    return 0;
}

/* Does SESSION argument `arg` name candidate `c`? */
static bool matches(const candidate *c, const char *arg) {
    const char *base = strrchr(arg, '/');
    base = base ? base + 1 : arg;
    size_t nl = strlen(c->name);
    if (strcmp(base, c->name) == 0 ||
        (strlen(base) == nl - 6 && strncmp(base, c->name, nl - 6) == 0))
        return true;
    /* A start time as history shows it, in any of the usual spellings:
     * "2025-03-01", "2025-03-01 09:00", "2025-03-01T09-00-00". */
    char want[24];
    size_t wl = strlen(arg);
    if (wl < 10 || wl >= sizeof want)
        return false;
    for (size_t i = 0; i <= wl; i++)
        want[i] = arg[i] == ' ' ? 'T' : arg[i] == '-' && i > 10 ? ':' : arg[i];
    char day[11];
    memcpy(day, want, 10);
    day[10] = '\0';
    if (!history_valid_date(day))
        return false;
    return strncmp(c->key, want, wl) == 0;
}

/* Asks on the terminal; true for an answer starting with y. */
static bool confirm(size_t n, const candidate *c, size_t total, const char *dir) {
    size_t shown = 0;
    printf("These %zu session%s will be deleted from %s:\n", n, n == 1 ? "" : "s", dir);
    for (size_t i = 0; i < total; i++) {
        if (!c[i].chosen)
            continue;
        if (shown++ == 8) {
            printf("  ... and %zu more\n", n - 8);
            break;
        }
        printf("  %.10s %.5s  (%s)\n", c[i].key, c[i].key + 11, c[i].name);
    }
    printf("This cannot be undone. Delete %s? [y/N] ", n == 1 ? "it" : "them");
    fflush(stdout);
    char line[64];
    if (!fgets(line, sizeof line, stdin))
        return false;
    return line[0] == 'y' || line[0] == 'Y';
}

static int usage(FILE *f) {
    fputs("usage: floorcoach forget [--all | --before DATE | SESSION...] [--yes] [--dir DIR]\n"
          "  Deletes stored sessions (their logs hold health data).\n"
          "  --all          every session\n"
          "  --before DATE  sessions that started before DATE (YYYY-MM-DD)\n"
          "  SESSION        a session as `floorcoach history` shows it (\"2025-03-01 09:00\"),\n"
          "                 a whole day (2025-03-01), or a log's file name\n"
          "  --yes          do not ask for confirmation (for scripts)\n"
          "  --dir DIR      the folder of the session logs (default: the data folder)\n",
          f);
    return 1;
}

int forget_main(int argc, char **argv) {
    bool all = false, yes = false;
    const char *before = NULL, *dir = NULL;
    const char **wanted = xcalloc((size_t)(argc > 0 ? argc : 1), sizeof *wanted);
    size_t nwanted = 0;
    int rc = 1;
    candidate *c = NULL;
    size_t n = 0;
    if (!wanted)
        return 1;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        if (strcmp(a, "--help") == 0 || strcmp(a, "-h") == 0) {
            usage(stdout);
            rc = 0;
            goto out;
        } else if (strcmp(a, "--all") == 0) {
            all = true;
        } else if (strcmp(a, "--yes") == 0 || strcmp(a, "-y") == 0) {
            yes = true;
        } else if (strcmp(a, "--before") == 0 || strncmp(a, "--before=", 9) == 0) {
            before = a[8] == '=' ? a + 9 : (i + 1 < argc ? argv[++i] : NULL);
            if (!before || !history_valid_date(before)) {
                fprintf(stderr, "floorcoach forget: --before wants a date like 2025-03-01\n");
                goto out;
            }
        } else if (strcmp(a, "--dir") == 0 || strncmp(a, "--dir=", 6) == 0) {
            dir = a[5] == '=' ? a + 6 : (i + 1 < argc ? argv[++i] : NULL);
            if (!dir || !*dir) {
                fprintf(stderr, "floorcoach forget: --dir needs a folder\n");
                goto out;
            }
        } else if (a[0] == '-' && a[1] == '-') {
            fprintf(stderr, "floorcoach forget: unknown option %s\n", a);
            usage(stderr);
            goto out;
        } else {
            wanted[nwanted++] = a;
        }
    }
    if ((all ? 1 : 0) + (before ? 1 : 0) + (nwanted ? 1 : 0) != 1) {
        fprintf(stderr, "floorcoach forget: say which sessions: --all, --before DATE, or one or "
                        "more SESSIONs (not a mix)\n");
        usage(stderr);
        goto out;
    }
    fc_err err;
    char sdir[PATH_MAX];
    bool default_dir = !dir;
    if (!dir) {
        if (paths_data_dir(sdir, sizeof sdir, "sessions", &err) != 0) {
            fprintf(stderr, "floorcoach forget: %s\n", err.msg);
            goto out;
        }
        dir = sdir;
    }
    if (list_sessions(dir, &c, &n, &err) != 0) {
        fprintf(stderr, "floorcoach forget: %s\n", err.msg);
        goto out;
    }
    size_t chosen = 0;
    for (size_t w = 0; w < nwanted; w++) {
        bool found = false;
        for (size_t i = 0; i < n; i++)
            if (matches(&c[i], wanted[w]))
                found = c[i].chosen = true;
        if (!found) {
            fprintf(stderr,
                    "floorcoach forget: no session matches \"%s\" (see `floorcoach history`); "
                    "nothing was deleted\n",
                    wanted[w]);
            goto out;
        }
    }
    for (size_t i = 0; i < n; i++) {
        if (all || (before && strncmp(c[i].key, before, 10) < 0))
            c[i].chosen = true;
        chosen += c[i].chosen;
    }
    if (chosen == 0) {
        printf("No sessions to delete.\n");
        rc = 0;
        goto out;
    }
    if (!yes) {
        if (!isatty(STDIN_FILENO)) {
            fprintf(stderr,
                    "floorcoach forget: not deleting %zu session%s without confirmation: "
                    "standard input is not a terminal; add --yes to delete from a script\n",
                    chosen, chosen == 1 ? "" : "s");
            goto out;
        }
        if (!confirm(chosen, c, n, dir)) {
            printf("Nothing was deleted.\n");
            rc = 0;
            goto out;
        }
    }
    size_t removed = 0, failed = 0;
    for (size_t i = 0; i < n; i++) {
        if (!c[i].chosen)
            continue;
        char path[PATH_MAX];
        if ((size_t)snprintf(path, sizeof path, "%s/%s", dir, c[i].name) < sizeof path &&
            unlink(path) == 0) {
            removed++;
        } else {
            fprintf(stderr, "floorcoach forget: cannot delete %s: %s\n", path, strerror(errno));
            failed++;
        }
    }
    printf("Removed %zu session%s.\n", removed, removed == 1 ? "" : "s");
    rc = failed ? 1 : 0;
    if (default_dir && removed) {
        /* The saved report may still show them: rebuild it from what is left. */
        int refreshed = report_refresh_default(dir, &err);
        if (refreshed < 0) {
            fprintf(stderr, "floorcoach forget: could not update the saved report: %s\n", err.msg);
            rc = 1;
        } else if (refreshed > 0) {
            printf("Updated the saved report (report.html) to leave them out.\n");
        }
    }
out:
    free_candidates(c, n);
    free(wanted);
    return rc;
}
