/* sessionlog: JSON object lines built with jbuf, appended to the session log
 * one whole line per write(2) and synced, so a crash loses at most one event. */
#include "sessionlog.h"

#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/uio.h>
#include <time.h>
#include <unistd.h>

#include "paths.h"

/* ---- JSON lines ---- */

static void put(jbuf *b, const char *s, size_t n) {
    if (b->failed)
        return;
    if (b->cap - b->len < n + 1) {
        size_t cap = b->cap ? b->cap : 256;
        while (cap - b->len < n + 1)
            cap *= 2;
        char *ns = xrealloc(b->s, cap);
        if (!ns) {
            b->failed = true;
            return;
        }
        b->s = ns;
        b->cap = cap;
    }
    memcpy(b->s + b->len, s, n);
    b->len += n;
    b->s[b->len] = '\0';
}

static void put_str(jbuf *b, const char *s) {
    put(b, s, strlen(s));
}

/* Length of the valid UTF-8 sequence at s (1..4), or 0 when it is not one
 * (stray continuation, overlong form, surrogate, beyond U+10FFFF, cut short). */
static size_t utf8_len(const unsigned char *s) {
    unsigned char c = s[0];
    unsigned char lo = 0x80, hi = 0xBF;
    size_t n;
    if (c >= 0xC2 && c <= 0xDF) {
        n = 2;
    } else if (c >= 0xE0 && c <= 0xEF) {
        n = 3;
        if (c == 0xE0)
            lo = 0xA0;
        else if (c == 0xED)
            hi = 0x9F;
    } else if (c >= 0xF0 && c <= 0xF4) {
        n = 4;
        if (c == 0xF0)
            lo = 0x90;
        else if (c == 0xF4)
            hi = 0x8F;
    } else {
        return 0;
    }
    if (s[1] < lo || s[1] > hi)
        return 0;
    for (size_t i = 2; i < n; i++)
        if (s[i] < 0x80 || s[i] > 0xBF)
            return 0;
    return n;
}

/* Writes s as a JSON string. Why replace bad bytes: a line that is not valid
 * UTF-8 is not valid JSON, and one bad byte from a recognizer or a pasted
 * reply must not cost the whole event. */
static void put_escaped(jbuf *b, const char *s) {
    static const char hex[] = "0123456789abcdef";
    put(b, "\"", 1);
    const unsigned char *p = (const unsigned char *)s;
    while (*p) {
        unsigned char c = *p;
        const unsigned char *run = p;
        while (*p >= 0x20 && *p < 0x7F && *p != '"' && *p != '\\')
            p++;
        if (p > run) {
            put(b, (const char *)run, (size_t)(p - run));
            continue;
        }
        if (c == '"') {
            put(b, "\\\"", 2);
        } else if (c == '\\') {
            put(b, "\\\\", 2);
        } else if (c == '\n') {
            put(b, "\\n", 2);
        } else if (c == '\t') {
            put(b, "\\t", 2);
        } else if (c == '\r') {
            put(b, "\\r", 2);
        } else if (c < 0x20 || c == 0x7F) {
            char u[6] = {'\\', 'u', '0', '0', hex[c >> 4], hex[c & 15]};
            put(b, u, sizeof u);
        } else {
            size_t n = utf8_len(p);
            if (n) {
                put(b, (const char *)p, n);
                p += n;
            } else {
                put(b, "\xEF\xBF\xBD", 3); /* U+FFFD */
                p++;
            }
            continue;
        }
        p++;
    }
    put(b, "\"", 1);
}

static void put_key(jbuf *b, const char *key) {
    if (!b->first)
        put(b, ",", 1);
    b->first = false;
    put_escaped(b, key ? key : "");
    put(b, ":", 1);
}

void json_begin(jbuf *b) {
    b->s = NULL;
    b->len = b->cap = 0;
    b->first = true;
    b->failed = false;
    put(b, "{", 1);
}

void json_str(jbuf *b, const char *key, const char *value) {
    put_key(b, key);
    if (value)
        put_escaped(b, value);
    else
        put_str(b, "null");
}

void json_num(jbuf *b, const char *key, double value) {
    put_key(b, key);
    if (!isfinite(value)) {
        put_str(b, "null"); /* JSON has no NaN or infinity */
        return;
    }
    char num[64];
    snprintf(num, sizeof num, "%.3f", value);
    put_str(b, num);
}

void json_int(jbuf *b, const char *key, long value) {
    put_key(b, key);
    char num[32];
    snprintf(num, sizeof num, "%ld", value);
    put_str(b, num);
}

void json_bool(jbuf *b, const char *key, bool value) {
    put_key(b, key);
    put_str(b, value ? "true" : "false");
}

const char *json_end(jbuf *b) {
    put(b, "}", 1);
    if (b->failed || !b->s)
        return "{}"; /* out of memory: still a valid line */
    return b->s;
}

void json_free(jbuf *b) {
    if (!b)
        return;
    free(b->s);
    b->s = NULL;
    b->len = b->cap = 0;
}

/* ---- the log file ---- */

struct sessionlog {
    int fd;
    bool regular; /* a regular file (not /dev/stdout, a pipe, /dev/full...) */
    char *path;
};

sessionlog *sessionlog_open(const char *path, fc_err *err) {
    /* O_NOFOLLOW: a link planted where the log goes must not send health
     * data to a file someone else can read (as paths_open_private). */
    int fd = open(path, O_WRONLY | O_CREAT | O_APPEND | O_NOFOLLOW | O_CLOEXEC, 0600);
    if (fd < 0) {
        err_set(err, "cannot write the session log %s: %s", path,
                errno == ELOOP ? "it is a symbolic link" : strerror(errno));
        return NULL;
    }
    struct stat st;
    if (fstat(fd, &st) != 0) {
        err_set(err, "cannot write the session log %s: %s", path, strerror(errno));
        close(fd);
        return NULL;
    }
    bool regular = S_ISREG(st.st_mode) != 0;
    if (S_ISDIR(st.st_mode)) {
        close(fd);
        err_set(err, "cannot write the session log %s: it is a folder", path);
        return NULL;
    }
    /* A new file got 0600 minus the umask, an old one may be wider: make it
     * exactly 0600. Devices and pipes (a test's /dev/full) are left alone. */
    if (regular) {
        if (st.st_mode & 077)
            paths_tighten_file(path);
        if (fchmod(fd, 0600) != 0) {
            err_set(err, "cannot set permissions of %s: %s", path, strerror(errno));
            close(fd);
            return NULL;
        }
    }
    sessionlog *l = xcalloc(1, sizeof *l);
    char *p = xstrdup(path);
    if (!l || !p) {
        free(l);
        free(p);
        close(fd);
        err_set(err, "cannot write the session log %s: out of memory", path);
        return NULL;
    }
    l->fd = fd;
    l->regular = regular;
    l->path = p;
    return l;
}

const char *sessionlog_path(const sessionlog *l) {
    return l ? l->path : "";
}

int sessionlog_default_path(char *buf, size_t n, fc_err *err) {
    char dir[4096];
    if (paths_data_dir(dir, sizeof dir, "sessions", err) != 0)
        return -1;
    time_t now = time(NULL);
    struct tm tm;
    char stamp[64];
    if (!localtime_r(&now, &tm) || strftime(stamp, sizeof stamp, "%Y-%m-%dT%H-%M-%S", &tm) == 0)
        return err_set(err, "cannot read the date and time for the session log name");
    /* Two sessions in one second (tests, a quick restart) get -2, -3, ... */
    for (int k = 1; k < 100; k++) {
        int w = k == 1 ? snprintf(buf, n, "%s/%s.jsonl", dir, stamp)
                       : snprintf(buf, n, "%s/%s-%d.jsonl", dir, stamp, k);
        if (w < 0 || (size_t)w >= n)
            return err_set(err, "the session log path under %s is too long", dir);
        struct stat st;
        if (lstat(buf, &st) != 0 && errno == ENOENT)
            return 0;
    }
    return err_set(err, "too many session logs named %s in %s", stamp, dir);
}

/* Writes all of iov (two parts: the line and its newline), resuming after
 * short writes and signals. */
static int write_all(int fd, struct iovec *iov, int cnt) {
    while (cnt > 0) {
        ssize_t w = writev(fd, iov, cnt);
        if (w < 0) {
            if (errno == EINTR)
                continue;
            return -1;
        }
        if (w == 0) {
            errno = EIO;
            return -1;
        }
        size_t done = (size_t)w;
        while (cnt > 0 && done >= iov->iov_len) {
            done -= iov->iov_len;
            iov++;
            cnt--;
        }
        if (cnt > 0) {
            iov->iov_base = (char *)iov->iov_base + done;
            iov->iov_len -= done;
        }
    }
    return 0;
}

int sessionlog_write(sessionlog *l, const char *json_line) {
    if (!l || !json_line) {
        errno = EINVAL;
        return -1;
    }
    off_t before = -1;
    struct stat st;
    if (l->regular && fstat(l->fd, &st) == 0)
        before = st.st_size;
    struct iovec iov[2] = {
        {(void *)(uintptr_t)json_line, strlen(json_line)},
        {(void *)(uintptr_t)"\n", 1},
    };
    /* One writev of the whole line: with O_APPEND it lands in one piece, or
     * not at all, unless the disk fills up in the middle of it. */
    if (write_all(l->fd, iov, 2) != 0) {
        int saved = errno;
        /* Why truncate: half a line would make the next event's line
         * unparsable too; cut the file back to its last whole line. */
        if (before >= 0 && ftruncate(l->fd, before) != 0) {
            /* Nothing more can be done; the reader skips a bad line. */
        }
        errno = saved;
        return -1;
    }
    if (fsync(l->fd) != 0 && errno != EINVAL && errno != EROFS && errno != ENOTSUP)
        return -1; /* EINVAL and friends: a pipe or terminal, nothing to sync */
    return 0;
}

void sessionlog_close(sessionlog *l) {
    if (!l)
        return;
    close(l->fd);
    free(l->path);
    free(l);
}
