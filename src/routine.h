/* routine: loading, validating and linting routine files (libconfig). */
#ifndef FC_ROUTINE_H
#define FC_ROUTINE_H

#include "util.h"
#include <stdbool.h>
#include <stddef.h>

typedef enum side_mode { SIDES_NONE = 0, SIDES_LEFT, SIDES_RIGHT, SIDES_BOTH } side_mode;

/* Limits enforced at load time. */
#define ROUTINE_MAX_REPS 50
#define ROUTINE_MAX_HOLD 120
#define ROUTINE_MAX_REST 300
#define ROUTINE_MAX_EXERCISES 100
#define ROUTINE_MAX_STEPS 20
#define ROUTINE_MAX_TEXT 1000          /* characters in one spoken text */
#define ROUTINE_MAX_DESCRIPTION 200    /* characters in the one-line description */
#define ROUTINE_MAX_ID 63              /* characters in an exercise id ([a-z0-9-]) */
#define ROUTINE_MAX_FILE (1024 * 1024) /* bytes in a routine file */
#define ROUTINE_MAX_NESTING 64         /* depth of ( ), [ ] and { } (a routine needs 4) */
#define ROUTINE_MAX_SETTINGS 2000      /* `key = value` pairs in one file */

typedef struct exercise {
    char *id;
    char *name;
    char *setup;
    char **steps; /* nsteps strings */
    size_t nsteps;
    int reps; /* 1..50 */
    int hold; /* seconds per rep, 0 = no count; 0..120 */
    side_mode sides;
    int rest;      /* seconds between sides/sets, 0..300 */
    int easier;    /* index of the easier exercise in the routine, or -1 */
    char *caution; /* NULL when none */
    bool check_in; /* ask how it feels afterwards (default true) */
    int line;      /* line of the exercise in the file, for messages */
    /* Added after the first contract (all default to 0/false when unused): */
    bool only_as_easier; /* run only when offered as another exercise's easier
                            version, not in the normal order (default false) */
    int reps_line;       /* line of `reps`, for lint messages */
    int hold_line;       /* line of `hold` (or of the exercise when absent) */
} exercise;

/* A parsed routine: plain data, owned by whoever loaded it. */
typedef struct routine {
    char *path;
    char *name;
    char *intro;       /* NULL when none */
    char *description; /* one line for `floorcoach list`; NULL when none */
    char *voice;       /* default voice profile name; NULL when none */
    exercise *exercises;
    size_t nexercises;
} routine;

/* Loads and validates a routine file. Every problem is reported as
 * "file:line: what is wrong (what is allowed)": libconfig syntax errors,
 * unknown keys, wrong types, numbers out of range, duplicate ids, dangling
 * or looping `easier`, empty or overlong text. `@include`, files over
 * ROUTINE_MAX_FILE bytes (read no further than that, so /dev/zero is safe),
 * nesting deeper than ROUTINE_MAX_NESTING, more than ROUTINE_MAX_SETTINGS
 * settings, NUL bytes, control characters and invalid UTF-8 are refused
 * before libconfig parses anything. A leading UTF-8 byte order mark is
 * skipped. Returns a routine the caller owns (free with routine_free), or
 * NULL with err set on the first error. `path` is borrowed. */
routine *routine_load(const char *path, fc_err *err);

/* Same, from a buffer of `len` bytes (not necessarily NUL-terminated; no
 * byte past len is read); `name` is used in messages and copied to ->path.
 * Both are borrowed. For tests and fuzzing. */
routine *routine_load_buffer(const char *buf, size_t len, const char *name, fc_err *err);

void routine_free(routine *r); /* NULL is fine */

/* Finds a bundled routine by name ("nerve-glides": <resource dir>/routines/
 * nerve-glides.cfg) or treats `name_or_path` as a path when it contains '/'
 * or ends in ".cfg". Writes the path into buf (size n). Returns 0, or -1 with
 * err set when no such routine exists (listing the bundled names). */
int routine_resolve(const char *name_or_path, char *buf, size_t n, fc_err *err);

/* The default routine's bundled name. */
#define ROUTINE_DEFAULT "gentle-start"

/* Clinical lint: calls `warn(ctx, line, message)` for each warning (static
 * hamstring stretch, nerve glide with hold > 5 s, hold > 60 s, reps > 20, no
 * caution about pain spreading down the leg). `message` has no file or line
 * in it and is valid only during the call. Returns the number of warnings;
 * r NULL gives 0. */
typedef void (*routine_warn_fn)(void *ctx, int line, const char *message);
int routine_lint(const routine *r, routine_warn_fn warn, void *ctx);

/* Index of the exercise with this id, or -1. */
int routine_find(const routine *r, const char *id);

/* The names of the bundled routines (file names in <resource dir>/routines
 * without ".cfg"), sorted. Sets *n. The caller frees the result with
 * routine_names_free; NULL (and *n = 0) when there are none. */
char **routine_bundled_names(size_t *n);
void routine_names_free(char **names, size_t n); /* NULL is fine */

#endif
