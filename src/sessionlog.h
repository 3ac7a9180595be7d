/* sessionlog: the session log, one JSON object per line, flushed and synced
 * per event so a crash loses at most the event being written. */
#ifndef FC_SESSIONLOG_H
#define FC_SESSIONLOG_H

#include <stdbool.h>
#include <stddef.h>
#include "util.h"

/* A JSON object being built: json_begin, then fields, then json_end. */
typedef struct jbuf {
    char *s;
    size_t len, cap;
    bool first;
} jbuf;

void json_begin(jbuf *b);
void json_str(jbuf *b, const char *key, const char *value); /* escaped; NULL gives null */
void json_num(jbuf *b, const char *key, double value);      /* 3 decimals */
void json_int(jbuf *b, const char *key, long value);
void json_bool(jbuf *b, const char *key, bool value);
/* Closes the object and returns the line (without newline), owned by b. */
const char *json_end(jbuf *b);
void json_free(jbuf *b);

typedef struct sessionlog sessionlog;

/* Opens (creates, mode 0600) the log at `path`; NULL with err set. */
sessionlog *sessionlog_open(const char *path, fc_err *err);

/* Default path: <data dir>/sessions/YYYY-MM-DDTHH-MM-SS.jsonl. */
int sessionlog_default_path(char *buf, size_t n, fc_err *err);

/* Appends one line (a JSON object without newline), then fflush + fsync.
 * Returns 0, or -1 when it could not be written (disk full...): the caller
 * says so once and carries on; later writes are still tried. */
int sessionlog_write(sessionlog *l, const char *json_line);
void sessionlog_close(sessionlog *l); /* NULL is fine */

#endif
