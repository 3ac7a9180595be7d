/* test_routine: the routine loader (bundled and malformed files, generated
 * huge and deep inputs, exact-size buffers), resolving names, and the lint. */
#include <ctype.h>
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "check.h"
#include "routine.h"

/* ---- helpers ------------------------------------------------------------ */

/* Loads from a heap buffer of exactly `len` bytes, so ASan sees any read
 * past the end. */
static routine *load_exact(const char *text, size_t len, const char *name, fc_err *err) {
    char *buf = xmalloc(len ? len : 1);
    if (len)
        memcpy(buf, text, len);
    routine *r = routine_load_buffer(buf, len, name, err);
    free(buf);
    return r;
}

static routine *load_text(const char *text, fc_err *err) {
    return load_exact(text, strlen(text), "t.cfg", err);
}

/* True when msg starts with "name:N: " (N a line number >= 1); *line gets N. */
static int has_file_line(const char *msg, const char *name, int *line) {
    size_t n = strlen(name);
    if (strncmp(msg, name, n) != 0 || msg[n] != ':' || !isdigit((unsigned char)msg[n + 1]))
        return 0;
    char *end;
    long l = strtol(msg + n + 1, &end, 10);
    if (end[0] != ':' || end[1] != ' ' || l < 1)
        return 0;
    if (line)
        *line = (int)l;
    return 1;
}

static void write_file(const char *path, const char *data, size_t len) {
    FILE *f = fopen(path, "wb");
    CHECK(f != NULL, "cannot write %s", path);
    if (!f)
        return;
    fwrite(data, 1, len, f);
    fclose(f);
}

/* A valid one-exercise routine with the given exercise body lines. */
static char *routine_with(const char *exercise_body) {
    static char buf[8192];
    snprintf(buf, sizeof buf,
             "routine = {\n"
             "  name = \"Test\";\n"
             "  exercises = (\n"
             "    { id = \"ex\";\n"
             "%s"
             "    } );\n"
             "};\n",
             exercise_body);
    return buf;
}

/* ---- bundled routines ------------------------------------------------- */

/* Spoken text must be plain words for the speech synthesizer. */
static void check_speakable(const char *where, const char *t) {
    if (!t)
        return;
    for (const char *p = t; *p; p++) {
        int bad = isdigit((unsigned char)*p) || strchr("&%/()[]{}<>*+=#@~^|\\_\"", *p);
        CHECK(!bad, "%s: \"%s\" has '%c' (spoken text is plain words)", where, t, *p);
        if (bad)
            break;
    }
    CHECK(!strstr(t, "e.g.") && !strstr(t, "etc.") && !strstr(t, "approx") && !strstr(t, "min."),
          "%s: \"%s\" has an abbreviation", where, t);
}

typedef struct count_ctx {
    int n;
    int last_line;
    char last[600];
} count_ctx;

static void count_warn(void *ctx, int line, const char *message) {
    count_ctx *c = ctx;
    c->n++;
    c->last_line = line;
    str_copy(c->last, message, sizeof c->last);
}

static void print_warn(void *ctx, int line, const char *message) {
    printf("    warning %s:%d: %s\n", (const char *)ctx, line, message);
}

static routine *load_bundled(const char *name) {
    char path[4096];
    fc_err err = {{0}};
    if (routine_resolve(name, path, sizeof path, &err) != 0) {
        CHECK(0, "resolve %s: %s", name, err.msg);
        return NULL;
    }
    routine *r = routine_load(path, &err);
    CHECK(r != NULL, "load %s: %s", name, err.msg);
    return r;
}

static const exercise *ex_by_id(const routine *r, const char *id) {
    int i = routine_find(r, id);
    CHECK(i >= 0, "%s has exercise %s", r ? r->path : "?", id);
    return i >= 0 ? &r->exercises[i] : NULL;
}

static void test_bundled(void) {
    static const char *const want[] = {"flare-up",  "gentle-mobility", "gentle-start",
                                       "hip-hinge", "nerve-glides",    "piriformis",
                                       "press-ups"};
    size_t n;
    char **names = routine_bundled_names(&n);
    CHECK(n >= sizeof want / sizeof *want, "at least %zu bundled routines, got %zu",
          sizeof want / sizeof *want, n);
    for (size_t w = 0; w < sizeof want / sizeof *want; w++) {
        int found = 0;
        for (size_t i = 0; i < n; i++)
            found |= strcmp(names[i], want[w]) == 0;
        CHECK(found, "bundled routine %s exists", want[w]);
    }
    CHECK(strcmp(ROUTINE_DEFAULT, "gentle-start") == 0, "the default is gentle-start");

    for (size_t i = 0; i < n; i++) {
        routine *r = load_bundled(names[i]);
        if (!r)
            continue;
        int warnings = routine_lint(r, print_warn, r->path);
        CHECK_INT(warnings, 0);
        CHECK(r->name && r->description, "%s has a name and a description", names[i]);
        CHECK(r->intro != NULL, "%s has an intro", names[i]);
        check_speakable(names[i], r->name);
        check_speakable(names[i], r->intro);
        int runs_normally = 0;
        for (size_t k = 0; k < r->nexercises; k++) {
            const exercise *ex = &r->exercises[k];
            char where[200];
            snprintf(where, sizeof where, "%s/%s", names[i], ex->id);
            CHECK(ex->caution != NULL, "%s has a caution", where);
            check_speakable(where, ex->name);
            check_speakable(where, ex->setup);
            check_speakable(where, ex->caution);
            for (size_t s = 0; s < ex->nsteps; s++)
                check_speakable(where, ex->steps[s]);
            CHECK(ex->line > 0 && ex->reps_line >= ex->line && ex->hold_line >= ex->line,
                  "%s has lines", where);
            runs_normally |= !ex->only_as_easier;
        }
        CHECK(runs_normally, "%s has an exercise that runs normally", names[i]);
        routine_free(r);
    }
    routine_names_free(names, n);

    routine *r = load_bundled("nerve-glides");
    if (r) {
        CHECK(r->nexercises >= 3, "nerve-glides has three exercises");
        const exercise *first = &r->exercises[0];
        CHECK_STR(first->id, "supine-glide");
        CHECK(first->reps >= 10 && first->reps <= 15, "supine glide: 10 to 15 reps");
        CHECK(first->hold <= 2, "supine glide: a short hold so tests finish fast");
        CHECK(first->sides != SIDES_BOTH, "supine glide: one side keeps tests short");
        const exercise *head = ex_by_id(r, "head-lift-glide");
        const exercise *bent = ex_by_id(r, "bent-knee-glide");
        if (head && bent) {
            CHECK_INT(head->hold, 5);
            CHECK(head->reps >= 5 && head->reps <= 10, "head lift: 5 to 10 reps");
            CHECK_INT(head->sides, SIDES_BOTH);
            CHECK_INT(head->easier, routine_find(r, "bent-knee-glide"));
            CHECK(bent->only_as_easier, "the bent knee glide runs only as the easier one");
            CHECK(bent->hold <= head->hold, "the easier glide holds no longer");
        }
        routine_free(r);
    }
    r = load_bundled("press-ups");
    if (r) {
        const exercise *p = ex_by_id(r, "prone-press-up");
        if (p) {
            CHECK(p->hold >= 1 && p->hold <= 2, "press up: hold 1 to 2 seconds");
            CHECK(p->reps >= 5 && p->reps <= 10, "press up: 5 to 10 reps");
        }
        routine_free(r);
    }
    r = load_bundled("gentle-mobility");
    if (r) {
        static const char *const ids[] = {"pelvic-tilt", "cat-cow", "knee-to-chest", "childs-pose"};
        for (size_t k = 0; k < 4; k++)
            ex_by_id(r, ids[k]);
        static const char *const held[] = {"knee-to-chest", "childs-pose"};
        for (size_t k = 0; k < 2; k++) {
            const exercise *e = ex_by_id(r, held[k]);
            if (e)
                CHECK(e->hold >= 15 && e->hold <= 30 && e->reps >= 2 && e->reps <= 3,
                      "%s: 15 to 30 seconds, 2 or 3 times", held[k]);
        }
        routine_free(r);
    }
    r = load_bundled("piriformis");
    if (r) {
        const exercise *f = ex_by_id(r, "figure-four");
        if (f) {
            CHECK(f->hold >= 15 && f->hold <= 30, "figure four: 15 to 30 seconds");
            CHECK(f->reps >= 2 && f->reps <= 3, "figure four: 2 or 3 times");
            CHECK_INT(f->sides, SIDES_BOTH);
        }
        routine_free(r);
    }
    r = load_bundled("flare-up");
    if (r) {
        for (size_t k = 0; k < r->nexercises; k++) {
            const exercise *e = &r->exercises[k];
            int stretch = strstr(e->name, "tretch") != NULL || strstr(e->setup, "tretch");
            for (size_t s = 0; s < e->nsteps; s++)
                stretch |= strstr(e->steps[s], "tretch") != NULL;
            CHECK(!stretch, "flare-up/%s: no stretching", e->id);
        }
        routine_free(r);
    }
    r = load_bundled("gentle-start");
    if (r) {
        /* "A few minutes": the counted time, with a few seconds per spoken step. */
        long secs = 0;
        for (size_t k = 0; k < r->nexercises; k++) {
            const exercise *e = &r->exercises[k];
            long sides = e->sides == SIDES_BOTH ? 2 : 1;
            secs += sides * (e->reps * (e->hold + 4L * (long)e->nsteps) + e->rest);
        }
        CHECK(secs <= 6 * 60, "gentle-start takes a few minutes (%ld s)", secs);
        routine_free(r);
    }
    r = load_bundled("hip-hinge");
    routine_free(r);
}

static void test_resolve(void) {
    char path[4096];
    fc_err err = {{0}};
    CHECK_INT(routine_resolve("nerve-glides", path, sizeof path, &err), 0);
    size_t n = strlen(path), m = strlen("routines/nerve-glides.cfg");
    CHECK(n >= m && strcmp(path + n - m, "routines/nerve-glides.cfg") == 0, "resolved to %s", path);
    CHECK_INT(routine_resolve(ROUTINE_DEFAULT, path, sizeof path, &err), 0);
    CHECK_INT(routine_resolve("routines/press-ups.cfg", path, sizeof path, &err), 0);
    CHECK_STR(path, "routines/press-ups.cfg");
    CHECK_INT(routine_resolve("no-such-routine", path, sizeof path, &err), -1);
    CHECK_CONTAINS(err.msg, "no routine called \"no-such-routine\"");
    CHECK_CONTAINS(err.msg, "nerve-glides");
    CHECK_CONTAINS(err.msg, "flare-up");
    CHECK_INT(routine_resolve("Makefile", path, sizeof path, &err), -1);
    CHECK_CONTAINS(err.msg, "write ./Makefile");
    CHECK_INT(routine_resolve("missing.cfg", path, sizeof path, &err), -1);
    CHECK_CONTAINS(err.msg, "missing.cfg: cannot open");
    CHECK_INT(routine_resolve("../etc", path, sizeof path, &err), -1);
    CHECK_INT(routine_resolve("", path, sizeof path, &err), -1);
    CHECK_INT(routine_resolve("nerve-glides", path, 8, &err), -1);
}

/* ---- malformed files ------------------------------------------------------ */

typedef struct bad_case {
    const char *file; /* in tests/bad-routines/ */
    int line;
    const char *fragment;
} bad_case;

static const bad_case bad_cases[] = {
    {"bad-id.cfg", 5, "id \"Nerve Glide\" is not allowed (use 1 to 63 characters"},
    {"bad-sides.cfg", 11, "`sides` is \"up\" (allowed: \"left\", \"right\", \"both\" or \"none\")"},
    {"bad-voice.cfg", 4, "is not a voice profile name"},
    {"binary-garbage.cfg", 1, "control character 0x7F (a routine file is plain text"},
    {"blank-step.cfg", 9, "step 2 is empty"},
    {"check-in-text.cfg", 13, "`check_in` must be true or false (without quotes), not text"},
    {"comments-only.cfg", 1, "no `routine` found"},
    {"control-char-escape.cfg", 6, "`name` contains the control character 0x01"},
    {"deep-nesting.cfg", 3, "nested more than 64 levels deep"},
    {"description-two-lines.cfg", 4, "`description` must be one line"},
    {"duplicate-id.cfg", 15, "duplicate id \"glide\": line 5 already has"},
    {"duplicate-key.cfg", 11, "syntax error: duplicate setting name"},
    {"easier-dangling.cfg", 13, "`easier` names \"glide-bent\", which is no exercise"},
    {"easier-loop.cfg", 13, "lead back to it in a loop"},
    {"easier-number.cfg", 13, "`easier` must be the id of another exercise"},
    {"easier-self.cfg", 13, "names itself as its easier version"},
    {"empty-name.cfg", 6, "`name` is empty"},
    {"empty.cfg", 1, "no `routine` found"},
    {"exercise-not-group.cfg", 4, "each exercise must be a group in { }, not text"},
    {"exercises-group.cfg", 4, "`exercises` must be a list in ( )"},
    {"hold-decimal.cfg", 10, "`hold` must be a whole number from 0 to 120 seconds, not a decimal"},
    {"hold-negative.cfg", 10, "`hold` is -1, out of range (allowed: 0 to 120 seconds)"},
    {"hold-too-long.cfg", 10, "`hold` is 121, out of range"},
    {"include.cfg", 3, "@include is not allowed in routine files"},
    {"long-setup.cfg", 7, "`setup` is too long: 1001 characters (at most 1000)"},
    {"missing-exercises.cfg", 2, "the routine has no `exercises`"},
    {"missing-id.cfg", 5, "exercise has no `id`"},
    {"missing-name.cfg", 2, "the routine has no `name`"},
    {"missing-reps.cfg", 5, "exercise `glide` has no `reps`"},
    {"missing-steps.cfg", 5, "exercise `glide` has no `steps`"},
    {"no-exercises.cfg", 4, "the routine has 0 exercises (allowed: 1 to 100)"},
    {"not-utf8.cfg", 6, "not valid UTF-8"},
    {"nul-byte.cfg", 7, "contains a NUL byte"},
    {"number-long.cfg", 10, "`hold` is written as a long number"},
    {"number-wraps.cfg", 9, "the number 4294967301 is too large"},
    {"only-as-easier-unused.cfg", 15, "so it would never run"},
    {"reps-text.cfg", 9, "`reps` must be a whole number from 1 to 50, not text"},
    {"reps-too-many.cfg", 9, "`reps` is 51, out of range (allowed: 1 to 50)"},
    {"reps-zero.cfg", 9, "`reps` is 0, out of range (allowed: 1 to 50)"},
    {"rest-too-long.cfg", 12, "`rest` is 301, out of range (allowed: 0 to 300 seconds)"},
    {"routine-not-group.cfg", 2, "`routine` must be a group in { }, not text"},
    {"sides-bool.cfg", 11, "`sides` must be \"left\", \"right\", \"both\" or \"none\""},
    {"step-number.cfg", 9, "step 2 must be text in double quotes, not a number"},
    {"steps-mixed-array.cfg", 9, "mismatched element type in array"},
    {"steps-text.cfg", 8, "`steps` must be a list of text in ( )"},
    {"syntax-missing-brace.cfg", 14, "syntax error"},
    {"syntax-missing-equals.cfg", 3, "syntax error"},
    {"syntax-stray-word.cfg", 9, "syntax error"},
    {"syntax-unterminated-string.cfg", 13, "syntax error: this text has no closing double quote"},
    {"too-many-exercises.cfg", 4, "the routine has 101 exercises (allowed: 1 to 100)"},
    {"too-many-steps.cfg", 8, "`steps` has 21 steps (allowed: 1 to 20)"},
    {"unknown-exercise-key.cfg", 9, "unknown key `repetitions` in an exercise (allowed: id,"},
    {"unknown-routine-key.cfg", 4, "unknown key `title` in the routine (allowed: name,"},
    {"unknown-top-key.cfg", 2,
     "unknown key `routines` in the file (outside `routine`); did "
     "you mean `routine`?"},
};

static void test_bad_files(void) {
    const char *dir = "tests/bad-routines";
    size_t ncases = sizeof bad_cases / sizeof *bad_cases;
    CHECK(ncases >= 25, "at least 25 malformed files (%zu)", ncases);
    for (size_t i = 0; i < ncases; i++) {
        char path[512];
        snprintf(path, sizeof path, "%s/%s", dir, bad_cases[i].file);
        fc_err err = {{0}};
        routine *r = routine_load(path, &err);
        CHECK(r == NULL, "%s is refused", path);
        routine_free(r);
        int line = 0;
        CHECK(has_file_line(err.msg, path, &line), "%s: message starts with file:line: %s",
              bad_cases[i].file, err.msg);
        CHECK(line == bad_cases[i].line, "%s: line %d, want %d (%s)", bad_cases[i].file, line,
              bad_cases[i].line, err.msg);
        CHECK(strstr(err.msg, bad_cases[i].fragment) != NULL, "%s: \"%s\" should contain \"%s\"",
              bad_cases[i].file, err.msg, bad_cases[i].fragment);

        /* The same bytes through the buffer entry point, exact size. */
        size_t len = 0;
        char *data = file_read_all(path, &len, &err);
        if (data) {
            fc_err err2 = {{0}};
            r = load_exact(data, len, bad_cases[i].file, &err2);
            CHECK(r == NULL && has_file_line(err2.msg, bad_cases[i].file, NULL),
                  "%s from a buffer: %s", bad_cases[i].file, err2.msg);
            routine_free(r);
            free(data);
        }
    }
    /* Every file in the folder is in the table, so none goes unchecked. */
    DIR *d = opendir(dir);
    CHECK(d != NULL, "%s exists (run from the top of the source tree)", dir);
    if (!d)
        return;
    struct dirent *e;
    while ((e = readdir(d)) != NULL) {
        if (e->d_name[0] == '.')
            continue;
        int listed = 0;
        for (size_t i = 0; i < ncases; i++)
            listed |= strcmp(bad_cases[i].file, e->d_name) == 0;
        CHECK(listed, "%s/%s is listed in bad_cases", dir, e->d_name);
    }
    closedir(d);
}

/* ---- generated huge, deep and binary inputs ----------------------------- */

static char tmpdir[256];

static void test_generated(void) {
    char path[512];
    fc_err err = {{0}};
    int line = 0;

    /* A 10 MB file: a valid start, then exercises until it passes 10 MB. */
    size_t cap = 10u * 1024 * 1024 + 4096, len = 0;
    char *big = xmalloc(cap);
    len += (size_t)snprintf(big, cap, "routine = {\n  name = \"Big\";\n  exercises = (\n");
    int k = 0;
    while (len < 10u * 1024 * 1024)
        len += (size_t)snprintf(big + len, cap - len,
                                "    { id = \"e%d\"; name = \"Exercise\"; setup = \"Lie down.\";\n"
                                "      steps = ( \"Move.\" ); reps = 1; },\n",
                                k++);
    snprintf(path, sizeof path, "%s/ten-megabytes.cfg", tmpdir);
    write_file(path, big, len);
    routine *r = routine_load(path, &err);
    CHECK(r == NULL && has_file_line(err.msg, path, &line), "10 MB file: %s", err.msg);
    CHECK_CONTAINS(err.msg, "the file is too large");
    CHECK(line > 1000, "the 10 MB error names the line where the limit is passed (%d)", line);
    routine_free(r);
    r = load_exact(big, len, "big.cfg", &err);
    CHECK(r == NULL && has_file_line(err.msg, "big.cfg", NULL), "10 MB buffer: %s", err.msg);
    routine_free(r);

    /* 10 MB of binary garbage (a fixed pseudo-random sequence). */
    unsigned long x = 12345;
    for (size_t i = 0; i < len; i++) {
        x = x * 6364136223846793005UL + 1442695040888963407UL;
        big[i] = (char)(x >> 56);
    }
    snprintf(path, sizeof path, "%s/garbage.cfg", tmpdir);
    write_file(path, big, len);
    r = routine_load(path, &err);
    CHECK(r == NULL && has_file_line(err.msg, path, NULL), "10 MB garbage: %s", err.msg);
    routine_free(r);
    /* Garbage that fits the limit reaches the byte checks, not only the size check. */
    r = load_exact(big, 100000, "garbage.cfg", &err);
    CHECK(r == NULL && has_file_line(err.msg, "garbage.cfg", NULL), "garbage: %s", err.msg);
    routine_free(r);

    /* Deep nesting, 100000 levels of each kind of bracket. */
    static const char *const open_close[] = {"()", "[]", "{}"};
    for (int b = 0; b < 3; b++) {
        size_t depth = 100000;
        len = 0;
        len += (size_t)snprintf(big, cap, "routine = {\n  x = ");
        for (size_t i = 0; i < depth; i++) {
            if (open_close[b][0] == '{') {
                memcpy(big + len, "{a=", 3);
                len += 3;
            } else {
                big[len++] = open_close[b][0];
            }
        }
        for (size_t i = 0; i < depth; i++)
            big[len++] = open_close[b][1];
        len += (size_t)snprintf(big + len, cap - len, ";\n};\n");
        snprintf(path, sizeof path, "%s/deep%d.cfg", tmpdir, b);
        write_file(path, big, len);
        r = routine_load(path, &err);
        CHECK(r == NULL && has_file_line(err.msg, path, &line), "deep %s: %s", open_close[b],
              err.msg);
        CHECK_INT(line, 2);
        CHECK_CONTAINS(err.msg, "nested more than 64 levels");
        routine_free(r);
    }

    /* Many keys: libconfig's groups are slow to fill (each new key is
     * compared with all before it), so they are counted first. */
    len = 0;
    len += (size_t)snprintf(big, cap, "routine = {\n");
    for (int i = 0; i < 20000; i++)
        len += (size_t)snprintf(big + len, cap - len, "k%d = 1;\n", i);
    len += (size_t)snprintf(big + len, cap - len, "};\n");
    r = load_exact(big, len, "keys.cfg", &err);
    CHECK(r == NULL && has_file_line(err.msg, "keys.cfg", &line), "many keys: %s", err.msg);
    CHECK_INT(line, ROUTINE_MAX_SETTINGS + 1);
    CHECK_CONTAINS(err.msg, "too many settings");
    routine_free(r);

    /* A huge but legal-looking list of steps stays within the limits. */
    len = 0;
    len += (size_t)snprintf(big, cap,
                            "routine = { name = \"x\"; exercises = ( { id = \"a\";"
                            " name = \"x\"; setup = \"x\"; reps = 1; steps = (");
    for (int i = 0; i < 100000; i++)
        len += (size_t)snprintf(big + len, cap - len, "\"Step.\",");
    len += (size_t)snprintf(big + len, cap - len, "\"Last.\" ); } ); };\n");
    r = load_exact(big, len, "steps.cfg", &err);
    CHECK(r == NULL && strstr(err.msg, "`steps` has 100001 steps"), "many steps: %s", err.msg);
    routine_free(r);
    free(big);

    /* A device that never ends, and a folder. */
    r = routine_load("/dev/zero", &err);
    CHECK(r == NULL && has_file_line(err.msg, "/dev/zero", &line), "/dev/zero: %s", err.msg);
    routine_free(r);
    r = routine_load(tmpdir, &err);
    CHECK(r == NULL, "a folder is refused");
    CHECK_CONTAINS(err.msg, "is a folder");
    routine_free(r);
    r = routine_load("tests/bad-routines/no-such-file.cfg", &err);
    CHECK(r == NULL, "a missing file is refused");
    CHECK_CONTAINS(err.msg, "no-such-file.cfg: cannot open");
    routine_free(r);
}

/* ---- buffers: exact sizes, every prefix, mutations, allocation failure -- */

static void test_buffers(void) {
    char path[4096];
    fc_err err = {{0}};
    size_t len = 0;
    CHECK_INT(routine_resolve("nerve-glides", path, sizeof path, &err), 0);
    char *text = file_read_all(path, &len, &err);
    CHECK(text != NULL, "read nerve-glides: %s", err.msg);
    if (!text)
        return;

    routine *r = load_exact(text, len, "nerve-glides.cfg", &err);
    CHECK(r != NULL, "nerve-glides from an exact-size buffer: %s", err.msg);
    routine_free(r);

    /* Every prefix: either a clean error with file:line or (never here) a
     * routine; ASan checks no byte past the prefix is read. */
    int bad_messages = 0, loaded = 0;
    for (size_t n = 0; n < len; n++) {
        r = load_exact(text, n, "prefix.cfg", &err);
        if (r && n + 3 < len) /* only the final ";\n" may be left out */
            loaded++;
        else if (!has_file_line(err.msg, "prefix.cfg", NULL))
            bad_messages++;
        routine_free(r);
    }
    CHECK_INT(bad_messages, 0);
    CHECK_INT(loaded, 0);

    /* Every byte replaced by a few troublesome ones. */
    static const char subs[] = {'"', '{', ')', ';', '\0', '\n', '9', '\\', '@', (char)0xC3};
    bad_messages = 0;
    char *copy = xmalloc(len);
    for (size_t i = 0; i < len; i += 3) {
        for (size_t s = 0; s < sizeof subs; s++) {
            memcpy(copy, text, len);
            copy[i] = subs[s];
            r = load_exact(copy, len, "mut.cfg", &err);
            if (!r && !has_file_line(err.msg, "mut.cfg", NULL)) {
                if (bad_messages++ < 3)
                    printf("    mutation at %zu: %s\n", i, err.msg);
            }
            if (r)
                routine_lint(r, count_warn, &(count_ctx){0, 0, ""});
            routine_free(r);
        }
    }
    free(copy);
    CHECK_INT(bad_messages, 0);

    /* Allocation failing at every point: an error, no leak, no crash. */
    int failures = 0;
    for (long n = 0; n < 1000; n++) {
        util_fail_after(n);
        r = routine_load_buffer(text, len, "oom.cfg", &err);
        util_fail_after(-1);
        if (r) {
            routine_free(r);
            break;
        }
        failures++;
        if (!strstr(err.msg, "out of memory"))
            CHECK(0, "allocation %ld failing: %s", n, err.msg);
    }
    CHECK(failures > 10, "allocation failures were exercised (%d)", failures);
    free(text);
}

/* ---- fields, defaults and small rules ----------------------------------- */

static void test_fields(void) {
    fc_err err = {{0}};
    routine *r = load_text("# comment\r\n"
                           "routine = {\r\n"
                           "  name = \"Caf\xc3\xa9 routine\";\r\n"
                           "  description = \"One line.\";\r\n"
                           "  voice = \"calm\";\r\n"
                           "  exercises = (\r\n"
                           "    { id = \"a-1\"; name = \"A\"; setup = \"S.\";\r\n"
                           "      steps = [ \"One.\", \"Two.\" ]; reps = 1; },\r\n"
                           "    { id = \"b\"; name = \"B\"; setup = \"S.\"; steps = ( \"x\" );\r\n"
                           "      reps = 50; hold = 120; rest = 300; sides = \"left\";\r\n"
                           "      easier = \"a-1\"; caution = \"C.\"; check_in = false; } );\r\n"
                           "};\r\n",
                           &err);
    CHECK(r != NULL, "CRLF, UTF-8, an array of steps and the limits load: %s", err.msg);
    if (r) {
        CHECK_STR(r->path, "t.cfg");
        CHECK_STR(r->name, "Caf\xc3\xa9 routine");
        CHECK_STR(r->description, "One line.");
        CHECK_STR(r->voice, "calm");
        CHECK(r->intro == NULL, "no intro");
        CHECK_INT(r->nexercises, 2);
        const exercise *a = &r->exercises[0], *b = &r->exercises[1];
        CHECK_INT(a->line, 7);
        CHECK_INT(a->nsteps, 2);
        CHECK_STR(a->steps[1], "Two.");
        CHECK_INT(a->hold, 0);
        CHECK_INT(a->rest, 0);
        CHECK_INT(a->sides, SIDES_NONE);
        CHECK_INT(a->easier, -1);
        CHECK(a->caution == NULL, "no caution");
        CHECK(a->check_in, "check_in defaults to true");
        CHECK(!a->only_as_easier, "only_as_easier defaults to false");
        CHECK_INT(b->reps, 50);
        CHECK_INT(b->hold, 120);
        CHECK_INT(b->rest, 300);
        CHECK_INT(b->sides, SIDES_LEFT);
        CHECK_INT(b->easier, 0);
        CHECK_INT(b->reps_line, 10);
        CHECK_INT(b->hold_line, 10);
        CHECK(!b->check_in, "check_in false");
        CHECK_INT(routine_find(r, "b"), 1);
        CHECK_INT(routine_find(r, "zz"), -1);
        CHECK_INT(routine_find(NULL, "b"), -1);
    }
    routine_free(r);
    routine_free(NULL);

    /* Text length counts characters, not bytes: 1000 two-byte letters pass. */
    char body[6000];
    char *p = body;
    p += sprintf(p, "      name = \"");
    for (int i = 0; i < ROUTINE_MAX_TEXT; i++)
        p += sprintf(p, "\xc3\xa9");
    sprintf(p, "\";\n      setup = \"S.\"; steps = ( \"x\" ); reps = 1;\n");
    r = load_text(routine_with(body), &err);
    CHECK(r != NULL, "1000 characters of two bytes each: %s", err.msg);
    routine_free(r);

    static const struct {
        const char *body, *fragment;
    } small[] = {
        {"      name = \"A\"; setup = \"S.\"; steps = ( \"x\" ); reps = 1; sides = \"right\";\n",
         NULL},
        {"      name = \"A\"; setup = \"S.\"; steps = ( \"x\" ); reps = 1; hold = 0x10;\n", NULL},
        {"      name = \"A\"; setup = \"S.\"; steps = ( \"x\" ); reps = 1; hold = 0x100000000;\n",
         "is too large"},
        {"      name = \"A\"; setup = \"S.\"; steps = ( \"x\" ); reps = 1; hold = 1e9;\n",
         "not a decimal number"},
        {"      name = \"A\"; setup = \"S.\"; steps = ( ); reps = 1;\n", "has 0 steps"},
        {"      name = \"A\"; setup = \"\\t \"; steps = ( \"x\" ); reps = 1;\n", "is empty"},
        {"      name = \"A\"; setup = \"S.\"; steps = ( \"x\" ); reps = 1; resp = 2;\n",
         "did you mean `rest`?"},
        {"      name = \"A\"; setup = \"S.\"; steps = ( \"x\" ); reps = 1; only_as_easier = 1;\n",
         "`only_as_easier` must be true or false"},
    };
    for (size_t i = 0; i < sizeof small / sizeof *small; i++) {
        r = load_text(routine_with(small[i].body), &err);
        if (!small[i].fragment) {
            CHECK(r != NULL, "case %zu loads: %s", i, err.msg);
        } else {
            CHECK(r == NULL && has_file_line(err.msg, "t.cfg", NULL) &&
                      strstr(err.msg, small[i].fragment),
                  "case %zu: \"%s\" should contain \"%s\"", i, err.msg, small[i].fragment);
        }
        routine_free(r);
    }
    /* A UTF-8 byte order mark is skipped; lines still count from the top. */
    char bom[200];
    snprintf(bom, sizeof bom, "\xEF\xBB\xBF%s", "routine = {\n  name = \"\";\n};\n");
    r = load_text(bom, &err);
    CHECK(r == NULL && strstr(err.msg, "t.cfg:2: `name` is empty"), "BOM: %s", err.msg);
    routine_free(r);

    /* A hex number that fits is read as that number. */
    r = load_text(routine_with(small[1].body), &err);
    if (r)
        CHECK_INT(r->exercises[0].hold, 16);
    routine_free(r);
}

/* ---- clinical lint ----------------------------------------------------- */

static void test_lint(void) {
    static const struct {
        const char *body;
        int warnings;
        int line; /* of the last warning */
        const char *fragment;
    } cases[] = {
        /* line 5 is the first body line */
        {"      name = \"Standing hamstring stretch\"; setup = \"Stand.\";\n"
         "      steps = ( \"Lean forward.\" ); reps = 3;\n"
         "      hold = 30; caution = \"Stop if pain spreads down your leg.\";\n",
         1, 7, "static hamstring stretch"},
        {"      name = \"Hamstring stretch\"; setup = \"Stand.\";\n"
         "      steps = ( \"Lean forward.\" ); reps = 3; hold = 0;\n"
         "      caution = \"Stop if pain spreads down your leg.\";\n",
         0, 0, NULL},
        {"      name = \"Sciatic nerve glide\"; setup = \"Lie down.\";\n"
         "      steps = ( \"Straighten.\" ); reps = 10;\n"
         "      hold = 6; caution = \"Stop if pain spreads down your leg.\";\n",
         1, 7, "nerve glide held for 6 seconds"},
        {"      name = \"Nerve slider\"; setup = \"Lie down.\"; steps = ( \"Go.\" );\n"
         "      reps = 10; hold = 5; caution = \"Stop if pain goes down your leg.\";\n",
         0, 0, NULL},
        {"      name = \"Sitting\"; setup = \"Sit.\"; steps = ( \"Floss the nerve.\" );\n"
         "      reps = 10; hold = 8; caution = \"Stop if pain spreads.\";\n",
         1, 6, "nerve glide"},
        {"      name = \"Rest\"; setup = \"Lie down.\"; steps = ( \"Rest.\" ); reps = 1;\n"
         "      hold = 61; caution = \"Stop if pain spreads down your leg.\";\n",
         1, 6, "holds over 60 seconds"},
        {"      name = \"Rest\"; setup = \"Lie down.\"; steps = ( \"Rest.\" ); reps = 1;\n"
         "      hold = 60; caution = \"Stop if pain spreads down your leg.\";\n",
         0, 0, NULL},
        {"      name = \"Tilt\"; setup = \"Lie down.\"; steps = ( \"Tilt.\" );\n"
         "      reps = 21; caution = \"Stop if pain spreads down your leg.\";\n",
         1, 6, "21 repetitions"},
        {"      name = \"Tilt\"; setup = \"Lie down.\"; steps = ( \"Tilt.\" );\n"
         "      reps = 20; caution = \"Stop if pain spreads down your leg.\";\n",
         0, 0, NULL},
        {"      name = \"Tilt\"; setup = \"Lie down.\"; steps = ( \"Tilt.\" ); reps = 5;\n", 1, 4,
         "no caution about pain spreading down the leg"},
        {"      name = \"Tilt\"; setup = \"Lie down.\"; steps = ( \"Tilt.\" ); reps = 5;\n"
         "      caution = \"Be careful.\";\n",
         1, 4, "no caution about pain spreading"},
        {"      name = \"Hamstring stretch glide\"; setup = \"Lie down.\"; steps = ( \"Go.\" );\n"
         "      reps = 30;\n"
         "      hold = 90;\n",
         5, 4, "no caution"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        fc_err err = {{0}};
        routine *r = load_text(routine_with(cases[i].body), &err);
        CHECK(r != NULL, "lint case %zu loads: %s", i, err.msg);
        if (!r)
            continue;
        count_ctx c = {0, 0, ""};
        int n = routine_lint(r, count_warn, &c);
        CHECK(n == cases[i].warnings && c.n == n, "lint case %zu: %d warnings (%d calls), want %d",
              i, n, c.n, cases[i].warnings);
        if (cases[i].fragment) {
            CHECK(strstr(c.last, cases[i].fragment) != NULL, "lint case %zu: \"%s\" has \"%s\"", i,
                  c.last, cases[i].fragment);
            CHECK(c.last_line == cases[i].line, "lint case %zu: line %d, want %d", i, c.last_line,
                  cases[i].line);
        }
        routine_free(r);
    }
    CHECK_INT(routine_lint(NULL, count_warn, NULL), 0);
}

int main(void) {
    /* Bundled routines and tests/bad-routines are found from the top of
     * the source tree, where tests/run.sh runs this. */
    setenv("FLOORCOACH_DATA", ".", 0);
    snprintf(tmpdir, sizeof tmpdir, "%s/fc-test-routine.XXXXXX",
             getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp");
    if (!mkdtemp(tmpdir)) {
        perror("mkdtemp");
        return 1;
    }
    test_bundled();
    test_resolve();
    test_bad_files();
    test_generated();
    test_buffers();
    test_fields();
    test_lint();

    char cmd[600];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", tmpdir);
    if (system(cmd) != 0)
        printf("could not remove %s\n", tmpdir);
    return check_report();
}
