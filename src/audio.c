/* audio: the back-end-independent wrapper that keeps the session clock. */
#include "audio.h"

#include <stdlib.h>

struct audio {
    const audio_ops *ops;
    void *impl;
    uint64_t samples;
};

audio *audio_new(const audio_ops *ops, void *impl) {
    audio *a = xcalloc(1, sizeof *a);
    if (!a) {
        ops->close(impl, 0);
        return NULL;
    }
    a->ops = ops;
    a->impl = impl;
    return a;
}

int audio_exchange(audio *a, const int16_t *play, int16_t *rec, size_t n, fc_err *err) {
    int r = a->ops->exchange(a->impl, play, rec, n, err);
    /* Time passes also after the input ended: silence was exchanged. */
    if (r >= 0)
        a->samples += n;
    return r;
}

uint64_t audio_samples(const audio *a) {
    return a->samples;
}

const char *audio_name(const audio *a) {
    return a->ops->name;
}

void audio_free(audio *a, int drain_ms) {
    if (!a)
        return;
    a->ops->close(a->impl, drain_ms);
    free(a);
}
