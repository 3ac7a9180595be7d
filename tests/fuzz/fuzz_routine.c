/* fuzz_routine: any bytes as a routine file: the loader and the checker. */
#include <stddef.h>
#include <stdint.h>

#include "routine.h"

static void ignore(void *ctx, int line, const char *msg) {
    (void)ctx, (void)line, (void)msg;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    fc_err err;
    routine *r = routine_load_buffer((const char *)data, size, "fuzz.cfg", &err);
    if (r)
        routine_lint(r, ignore, NULL);
    routine_free(r);
    return 0;
}
