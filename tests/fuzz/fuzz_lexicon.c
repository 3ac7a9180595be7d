/* fuzz_lexicon: any bytes as a reply lexicon, then matching its phrases. */
#include <stddef.h>
#include <stdint.h>

#include "fuzz_file.h"
#include "intent.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    fc_err err;
    lexicon *lx = lexicon_load(fuzz_file(data, size, ".cfg"), &err);
    if (lx) {
        for (size_t i = 0; i < lexicon_count(lx); i++)
            intent_match_text(lx, lexicon_get(lx, i)->text);
    }
    lexicon_free(lx);
    return 0;
}
