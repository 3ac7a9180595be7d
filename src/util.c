/* util: allocation that aborts on failure, error messages, string helpers. */
#include "util.h"

#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

static long fail_after = -1;

void util_fail_after(long n) {
    fail_after = n;
}

/* Why: out of memory is not recoverable for a program speaking to someone on
 * the floor; stop loudly in one place. Tests can make allocation fail to
 * check that loaders clean up. */
static void *checked(void *p, size_t n) {
    if (!p && n) {
        fputs("floorcoach: out of memory\n", stderr);
        abort();
    }
    return p;
}

static int injected_failure(void) {
    if (fail_after < 0)
        return 0;
    if (fail_after == 0)
        return 1;
    fail_after--;
    return 0;
}

void *xmalloc(size_t n) {
    if (injected_failure())
        return NULL;
    return checked(malloc(n ? n : 1), n ? n : 1);
}

void *xcalloc(size_t n, size_t size) {
    if (injected_failure())
        return NULL;
    if (!n || !size)
        n = size = 1;
    return checked(calloc(n, size), n * size);
}

void *xrealloc(void *p, size_t n) {
    if (injected_failure())
        return NULL;
    return checked(realloc(p, n ? n : 1), n ? n : 1);
}

char *xstrdup(const char *s) {
    size_t n = strlen(s) + 1;
    char *d = xmalloc(n);
    if (d)
        memcpy(d, s, n);
    return d;
}

int err_set(fc_err *err, const char *fmt, ...) {
    if (err) {
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(err->msg, sizeof err->msg, fmt, ap);
        va_end(ap);
    }
    return -1;
}

char *str_copy(char *dst, const char *src, size_t n) {
    if (n == 0)
        return dst;
    size_t len = strlen(src);
    if (len >= n)
        len = n - 1;
    memcpy(dst, src, len);
    dst[len] = '\0';
    return dst;
}

char *file_read_all(const char *path, size_t *len, fc_err *err) {
    FILE *f = fopen(path, "rb");
    if (!f) {
        err_set(err, "%s: cannot open: %s", path, strerror(errno));
        return NULL;
    }
    size_t cap = 4096, n = 0;
    char *buf = xmalloc(cap);
    if (!buf)
        goto nomem;
    for (;;) {
        if (cap - n < 2) {
            char *nb = xrealloc(buf, cap * 2);
            if (!nb)
                goto nomem;
            buf = nb;
            cap *= 2;
        }
        size_t got = fread(buf + n, 1, cap - n - 1, f);
        n += got;
        if (got == 0)
            break;
    }
    if (ferror(f)) {
        err_set(err, "%s: read error", path);
        free(buf);
        fclose(f);
        return NULL;
    }
    fclose(f);
    buf[n] = '\0';
    if (len)
        *len = n;
    return buf;
nomem:
    free(buf);
    fclose(f);
    err_set(err, "%s: out of memory", path);
    return NULL;
}

char *str_normalize(char *s) {
    char *w = s;
    int space = 1; /* drop leading spaces */
    for (const char *r = s; *r; r++) {
        unsigned char c = (unsigned char)*r;
        if (isalnum(c) || c == '\'') {
            *w++ = (char)tolower(c);
            space = 0;
        } else if (!space) {
            *w++ = ' ';
            space = 1;
        }
    }
    if (w > s && w[-1] == ' ')
        w--;
    *w = '\0';
    return s;
}

static int cmp_double(const void *a, const void *b) {
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

void sort_doubles(double *v, size_t n) {
    qsort(v, n, sizeof *v, cmp_double);
}
