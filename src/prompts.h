/* prompts: everything floorcoach says, loaded from voices/<lang>/prompts.cfg. */
#ifndef FC_PROMPTS_H
#define FC_PROMPTS_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include "util.h"

typedef struct prompts prompts;

/* Loads a prompts file (libconfig; `@include` refused). NULL with a
 * file:line message in err on failure. Free with prompts_free. */
prompts *prompts_load(const char *path, fc_err *err);
void prompts_free(prompts *p); /* NULL is fine */

/* The sentence for `key`, or the key itself in brackets when it is missing
 * (never NULL). Owned by p. */
const char *prompts_get(const prompts *p, const char *key);

/* True when the file defines `key`. */
bool prompts_has(const prompts *p, const char *key);

/* Copies the sentence for `key` into buf (size n, always NUL-terminated),
 * replacing each {name} by its value. The variable arguments are pairs of
 * strings, name then value, ended by one NULL:
 *   prompts_fill(p, "side_now", buf, sizeof buf, "side", "left", (char *)NULL);
 * Placeholders without a value are left as written. Returns buf. */
char *prompts_fill(const prompts *p, const char *key, char *buf, size_t n, ...);

/* The same on a text instead of a key, with a va_list. */
char *prompts_vfill(const char *text, char *buf, size_t n, va_list ap);

/* The spoken word(s) for a number 0..999 from the keys num_0 .. num_19,
 * num_20 .. num_90 and num_100 .. num_900 (a file may also define any
 * num_N directly); digits when the words are missing. Returns buf. */
char *prompts_number(const prompts *p, int num, char *buf, size_t n);

/* Upper-cases the first letter of s in place ("one" -> "One"); returns s. */
char *prompts_capitalize(char *s);

#endif
