/* util: allocation that aborts on failure, error messages, small string helpers. */
#ifndef FC_UTIL_H
#define FC_UTIL_H

#include <stddef.h>

#define FC_VERSION "0.1.0"

/* An error a person can read: filled by a failing function, printed or spoken
 * by the caller. Input errors start with "file:line: ". */
typedef struct fc_err {
    char msg[1024];
} fc_err;

/* Formats a message into err (which may be NULL). Always returns -1 so a
 * function can `return err_set(err, ...)`. */
int err_set(fc_err *err, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* malloc/calloc/realloc/strdup that abort with a message when memory runs
 * out. The caller owns what they return. A test build may make them fail
 * (see util_fail_after); then they return NULL like the libc ones. */
void *xmalloc(size_t n);
void *xcalloc(size_t n, size_t size);
void *xrealloc(void *p, size_t n);
char *xstrdup(const char *s);

/* Test hook: after `n` more successful allocations, the next ones fail
 * (return NULL) instead of aborting. n < 0 turns this off (the default). */
void util_fail_after(long n);

/* Copies src into dst of size n, always NUL-terminated; returns dst. */
char *str_copy(char *dst, const char *src, size_t n);

/* Reads a whole file into a NUL-terminated buffer the caller frees; *len
 * (may be NULL) receives its length. NULL and err set on failure. */
char *file_read_all(const char *path, size_t *len, fc_err *err);

/* Lower-cases `s` in place, keeps letters, digits, apostrophes and single
 * spaces, and trims; returns s. Used to normalize typed and heard replies. */
char *str_normalize(char *s);

/* Sorts n doubles (no NaN) in ascending order, in place: for the medians
 * and percentiles of levels. */
void sort_doubles(double *v, size_t n);

#endif
