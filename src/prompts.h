/* prompts: everything floorcoach says, loaded from voices/<lang>/prompts.cfg. */
#ifndef FC_PROMPTS_H
#define FC_PROMPTS_H

#include "util.h"

typedef struct prompts prompts;

/* Loads a prompts file (libconfig; `@include` refused). NULL with a
 * file:line message in err on failure. Free with prompts_free. */
prompts *prompts_load(const char *path, fc_err *err);
void prompts_free(prompts *p); /* NULL is fine */

/* The sentence for `key`, or the key itself in brackets when it is missing
 * (never NULL). Owned by p. */
const char *prompts_get(const prompts *p, const char *key);

#endif
