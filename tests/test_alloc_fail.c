/* test_alloc_fail: every allocation site of the loaders (routine, lexicon,
 * prompts, voice) and of the listener's word graph fails in turn; each failure is a clear error, never a
 * crash, and leaves no leak behind (LeakSanitizer checks after each one). */
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "intent.h"
#include "paths.h"
#include "prompts.h"
#include "routine.h"
#include "voice.h"
#include "wordgraph.h"

#if defined(__SANITIZE_ADDRESS__)
#define HAVE_LSAN 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define HAVE_LSAN 1
#endif
#endif
#ifdef HAVE_LSAN
#include <sanitizer/lsan_interface.h>
/* Nonzero when memory allocated so far is unreachable. */
static int leaked(void) {
    return __lsan_do_recoverable_leak_check();
}
#else
static int leaked(void) {
    return 0;
}
#endif

/* Beyond this many allocations a loader that has not yet succeeded is
 * looping on failure: stop rather than run forever. */
#define MAX_SITES 100000

/* The bundled lexicon's phrases, for the word graph. */
static const char **phrases;
static size_t nphrases;

/* Loads `path` with the loader `kind` once; returns 1 on success (the result
 * freed), 0 on failure with err set. */
static int load_once(const char *kind, const char *path, fc_err *err) {
    if (strcmp(kind, "routine") == 0) {
        routine *r = routine_load(path, err);
        routine_free(r);
        return r != NULL;
    }
    if (strcmp(kind, "lexicon") == 0) {
        lexicon *lx = lexicon_load(path, err);
        lexicon_free(lx);
        return lx != NULL;
    }
    if (strcmp(kind, "prompts") == 0) {
        prompts *p = prompts_load(path, err);
        prompts_free(p);
        return p != NULL;
    }
    if (strcmp(kind, "wordgraph") == 0) { /* NULL means out of memory */
        wordgraph *g = wordgraph_build(phrases, nphrases);
        wordgraph_free(g);
        if (!g)
            err_set(err, "out of memory");
        return g != NULL;
    }
    voice_profile v;
    return voice_load(path, &v, err) == 0;
}

/* Fails allocation number n = 0, 1, 2, ... until the load succeeds. */
static void sweep(const char *kind, const char *path) {
    long n;
    int bad_msg = 0, leaks = 0;
    for (n = 0; n < MAX_SITES; n++) {
        fc_err err;
        memset(&err, 0, sizeof err);
        util_fail_after(n);
        int ok = load_once(kind, path, &err);
        util_fail_after(-1);
        if (leaked()) {
            if (leaks++ < 3)
                CHECK(0, "%s %s: a leak after failing allocation %ld", kind, path, n);
        }
        if (ok)
            break;
        if (err.msg[0] == '\0' || strstr(err.msg, "memory") == NULL) {
            if (bad_msg++ < 3)
                CHECK(0, "%s %s: allocation %ld failed, message \"%s\" does not say out of memory",
                      kind, path, n, err.msg);
        }
    }
    CHECK(n < MAX_SITES, "%s %s: loads once allocation stops failing", kind, path);
    CHECK(bad_msg == 0, "%s %s: %d failures without a clear message", kind, path, bad_msg);
    CHECK(leaks == 0, "%s %s: %d failures leaked", kind, path, leaks);
    printf("%-8s %-48s %ld allocation sites failed in turn\n", kind, path, n);
}

/* Every bundled routine: they exercise different branches (easier, sides,
 * cautions, descriptions). */
static void sweep_routines(void) {
    char dir[1024];
    paths_resource(dir, sizeof dir, "routines");
    DIR *d = opendir(dir);
    CHECK(d != NULL, "routines folder %s", dir);
    if (!d)
        return;
    struct dirent *e;
    int count = 0;
    while ((e = readdir(d)) != NULL) {
        size_t l = strlen(e->d_name);
        if (l <= 4 || strcmp(e->d_name + l - 4, ".cfg") != 0)
            continue;
        char path[2048];
        snprintf(path, sizeof path, "%s/%s", dir, e->d_name);
        sweep("routine", path);
        count++;
    }
    closedir(d);
    CHECK(count > 0, "bundled routines found");
}

int main(void) {
    char path[1024];
    /* LeakSanitizer ends the process with _exit: keep every line printed. */
    setvbuf(stdout, NULL, _IOLBF, 0);
    sweep_routines();
    sweep("lexicon", paths_resource(path, sizeof path, "voices/en-us/replies.cfg"));
    sweep("prompts", paths_resource(path, sizeof path, "voices/en-us/prompts.cfg"));
    sweep("voice", paths_resource(path, sizeof path, "voices/calm.cfg"));
    sweep("voice", "slow");
    fc_err lerr;
    lexicon *lx = lexicon_load(paths_resource(path, sizeof path, "voices/en-us/replies.cfg"), &lerr);
    CHECK(lx != NULL, "lexicon loads");
    nphrases = lx ? lexicon_count(lx) : 0;
    phrases = calloc(nphrases ? nphrases : 1, sizeof *phrases);
    for (size_t i = 0; i < nphrases; i++)
        phrases[i] = lexicon_get(lx, i)->text;
    sweep("wordgraph", path);
    free(phrases);
    lexicon_free(lx);

    /* A failing allocator on a broken file still gives the file's error or
     * the out-of-memory one, never a crash. */
    util_fail_after(3);
    fc_err err;
    memset(&err, 0, sizeof err);
    routine *r = routine_load_buffer("routine = { name = 5; };", 24, "bad.cfg", &err);
    util_fail_after(-1);
    CHECK(r == NULL && err.msg[0] != '\0', "a broken routine under a failing allocator: an error");
    routine_free(r);
    return check_report();
}
