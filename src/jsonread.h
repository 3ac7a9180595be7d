/* jsonread: a small, strict parser for one JSON object per line, used to read
 * session logs back. Any bytes are handled without crashing. */
#ifndef FC_JSONREAD_H
#define FC_JSONREAD_H

#include "util.h"
#include <stdbool.h>
#include <stddef.h>

typedef enum jv_type {
    JV_NULL,
    JV_BOOL,
    JV_NUM,
    JV_STR,
    JV_OBJECT, /* nested objects and arrays are checked, then kept only as a type */
    JV_ARRAY
} jv_type;

/* One top-level member of the object. */
typedef struct jfield {
    char *key; /* owned by the jobj; valid UTF-8, no NUL inside */
    jv_type type;
    bool b;     /* JV_BOOL */
    double num; /* JV_NUM */
    char *str;  /* JV_STR: owned by the jobj; invalid UTF-8 became U+FFFD, "\u0000" too */
} jfield;

/* A parsed object line. Zero-initialize, or let jobj_parse do it. */
typedef struct jobj {
    jfield *f;
    size_t n;
} jobj;

/* Parses `len` bytes of `text` (need not be NUL-terminated; a trailing
 * "\n" or "\r\n" and surrounding spaces are allowed) as exactly one JSON
 * object. Strict RFC 8259 grammar; nesting deeper than 32 is refused. On
 * success returns 0 and fills `o` (free with jobj_free). On failure returns
 * -1, leaves `o` empty, and writes into err a message giving the byte column,
 * never the text itself (a log line may hold what a person said). */
int jobj_parse(jobj *o, const char *text, size_t len, fc_err *err);

/* Frees what jobj_parse allocated and empties `o`; NULL is fine. */
void jobj_free(jobj *o);

/* The member named `key` (the last one when repeated), or NULL. */
const jfield *jobj_get(const jobj *o, const char *key);

/* The string member `key`, or NULL when absent or not a string. Owned by o. */
const char *jobj_str(const jobj *o, const char *key);

/* True and *out set when member `key` is a number. */
bool jobj_num(const jobj *o, const char *key, double *out);

/* True when member `key` is the literal true. */
bool jobj_true(const jobj *o, const char *key);

#endif
