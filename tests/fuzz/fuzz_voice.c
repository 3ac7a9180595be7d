/* fuzz_voice: any bytes as a voice profile, and as a prompts file. */
#include <stddef.h>
#include <stdint.h>

#include "fuzz_file.h"
#include "prompts.h"
#include "voice.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    fc_err err;
    voice_profile v;
    const char *path = fuzz_file(data, size, ".cfg");
    voice_load(path, &v, &err);
    prompts *p = prompts_load(path, &err);
    if (p)
        prompts_get(p, "disclaimer");
    prompts_free(p);
    return 0;
}
