/* fuzz_intent: any text through the intent matcher with the bundled lexicon. */
#include <limits.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "intent.h"
#include "paths.h"

static lexicon *lx;

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    if (!lx) {
        char path[PATH_MAX];
        fc_err err;
        lx = lexicon_load(paths_resource(path, sizeof path, "voices/en-us/replies.cfg"), &err);
        if (!lx)
            abort();
    }
    char *text = malloc(size + 1);
    memcpy(text, data, size);
    text[size] = '\0';
    intent_match m = intent_match_text(lx, text);
    (void)intent_name(m.intent);
    free(text);
    return 0;
}
