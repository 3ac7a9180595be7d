/* check: the `check` command (validate and lint routine files) and `list` (bundled routines). */
#include "check.h"

#include <limits.h>
#include <stdio.h>
#include <string.h>

#include "routine.h"
#include "voice.h"

static void check_usage(FILE *out) {
    fputs("usage: floorcoach check ROUTINE...\n"
          "Validates routine files (or bundled routine names): prints FILE: ok for each\n"
          "valid one, file:line errors, and clinical warnings as file:line: warning: ...\n"
          "Exit status: 0 when every routine is valid (warnings allowed), 1 otherwise.\n",
          out);
}

typedef struct warn_ctx {
    const char *file;
    int count;
} warn_ctx;

static void print_warning(void *ctx, int line, const char *message) {
    warn_ctx *w = ctx;
    fprintf(stderr, "%s:%d: warning: %s\n", w->file, line, message);
    w->count++;
}

/* Checks one routine; returns 0 when it is valid. */
static int check_one(const char *arg) {
    char path[PATH_MAX];
    fc_err err = {{0}};
    if (routine_resolve(arg, path, sizeof path, &err) != 0) {
        fprintf(stderr, "%s\n", err.msg);
        return -1;
    }
    routine *r = routine_load(path, &err);
    if (!r) {
        fprintf(stderr, "%s\n", err.msg);
        return -1;
    }
    warn_ctx w = {path, 0};
    routine_lint(r, print_warning, &w);
    printf("%s: ok\n", path);
    routine_free(r);
    return 0;
}

int check_main(int argc, char **argv) {
    /* Options first, so that --help never checks anything; after "--"
     * every argument is a routine, even one starting with '-'. */
    for (int i = 1; i < argc && strcmp(argv[i], "--") != 0; i++) {
        if (strcmp(argv[i], "--help") == 0 || strcmp(argv[i], "-h") == 0) {
            check_usage(stdout);
            return 0;
        }
        if (argv[i][0] == '-' && argv[i][1] != '\0') {
            fprintf(stderr, "floorcoach check: unknown option %s\n", argv[i]);
            check_usage(stderr);
            return 1;
        }
    }
    int nfiles = 0, bad = 0, opts_done = 0;
    for (int i = 1; i < argc; i++) {
        if (!opts_done && strcmp(argv[i], "--") == 0) {
            opts_done = 1;
            continue;
        }
        nfiles++;
        if (check_one(argv[i]) != 0)
            bad++;
        fflush(stdout);
    }
    if (nfiles == 0) {
        fputs("floorcoach check: name at least one routine file or bundled routine\n", stderr);
        check_usage(stderr);
        return 1;
    }
    return bad ? 1 : 0;
}

int list_main(int argc, char **argv) {
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--help") == 0 || strcmp(argv[i], "-h") == 0) {
            puts("usage: floorcoach list\nPrints the bundled routines and voices.");
            return 0;
        }
        fprintf(stderr, "floorcoach list: unexpected argument %s (usage: floorcoach list)\n",
                argv[i]);
        return 1;
    }
    size_t n;
    char **names = routine_bundled_names(&n);
    puts("Routines (floorcoach run NAME):");
    if (n == 0)
        puts("  (none found)");
    for (size_t i = 0; i < n; i++) {
        char path[PATH_MAX];
        fc_err err = {{0}};
        const char *desc = "(cannot be loaded: see floorcoach check)";
        routine *r = NULL;
        if (routine_resolve(names[i], path, sizeof path, &err) == 0)
            r = routine_load(path, &err);
        if (r && r->description)
            desc = r->description;
        else if (r)
            desc = r->name;
        printf("  %-18s %s%s\n", names[i], desc,
               strcmp(names[i], ROUTINE_DEFAULT) == 0 ? " (default)" : "");
        routine_free(r);
    }
    routine_names_free(names, n);
    puts("\nVoices (floorcoach run --voice NAME):");
    fflush(stdout);
    voice_list();
    return 0;
}
