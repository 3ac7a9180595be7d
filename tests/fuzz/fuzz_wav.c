/* fuzz_wav: any bytes as a WAV file. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#include "wav.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    fc_err err;
    int16_t *pcm = NULL;
    size_t n = 0;
    if (wav_parse_16k(data, size, "fuzz.wav", &pcm, &n, &err) == 0)
        free(pcm);
    return 0;
}
