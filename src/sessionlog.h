/* sessionlog: the session log, one JSON object per line, flushed and synced
 * per event so a crash loses at most the event being written. */
#ifndef FC_SESSIONLOG_H
#define FC_SESSIONLOG_H

#include <stdbool.h>
#include <stddef.h>
#include "util.h"

/* A JSON object being built: json_begin, then fields, then json_end, then
 * json_free. Strings are escaped so every line is valid JSON: quotes,
 * backslashes and control characters escaped, invalid UTF-8 bytes replaced
 * with U+FFFD. */
typedef struct jbuf {
    char *s;
    size_t len, cap;
    bool first;
    bool failed; /* out of memory: json_end gives "{}" */
} jbuf;

/* Starts an object; initializes every field of b (it may be uninitialized),
 * so call json_free before reusing a b that holds a line. */
void json_begin(jbuf *b);
void json_str(jbuf *b, const char *key, const char *value); /* escaped; NULL gives null */
void json_num(jbuf *b, const char *key, double value);      /* 3 decimals; NaN/inf give null */
void json_int(jbuf *b, const char *key, long value);
void json_bool(jbuf *b, const char *key, bool value);
/* Closes the object and returns the line (without newline), owned by b. */
const char *json_end(jbuf *b);
void json_free(jbuf *b);

typedef struct sessionlog sessionlog;

/* Opens the log at `path` for appending: created with mode 0600 whatever
 * the umask, an existing regular file tightened to 0600; a symbolic link or
 * a folder is refused; a device or pipe (/dev/stdout's target, /dev/full) is
 * written as it is. The folder must exist. NULL with err set. */
sessionlog *sessionlog_open(const char *path, fc_err *err);

/* The path given to sessionlog_open (owned by l); "" for NULL. */
const char *sessionlog_path(const sessionlog *l);

/* Default path: <data dir>/sessions/YYYY-MM-DDTHH-MM-SS.jsonl (local time;
 * "-2", "-3"... appended when that name exists). Creates the folders
 * (paths_data_dir). Writes into buf (size n); 0, or -1 with err set. */
int sessionlog_default_path(char *buf, size_t n, fc_err *err);

/* Appends one line (a JSON object without newline) and its newline with a
 * single writev(2), then fsync. Returns 0, or -1 with errno set when it could
 * not be written (disk full, I/O error...): a partly written line is cut off
 * again, so the file holds only whole lines. The caller says so once and
 * carries on; later writes are still tried. */
int sessionlog_write(sessionlog *l, const char *json_line);
void sessionlog_close(sessionlog *l); /* NULL is fine */

#endif
