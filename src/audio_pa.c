/* audio_pa: the live audio back-end: microphone and speaker through PortAudio. */
#include "audio.h"

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>

#include <portaudio.h>
#include <speex/speex_resampler.h>

#define NO_AUDIO_SECONDS 2.0 /* a microphone silent this long has failed */
#define START_GRACE 5.0      /* the first sample may take this long (s) */
#define POLL_NS 2000000L     /* how long exchange() sleeps between looks */
#define PULL_FRAMES 1024     /* device frames converted per step */
#define RESAMPLE_QUALITY 5   /* speexdsp: 0-10; 5 is clean for speech, cheap */

/* A lock-free ring of samples with one producer and one consumer thread:
 * the audio callback on one side, the main loop on the other. head and tail
 * only grow; each is written by one side only. */
typedef struct ring {
    int16_t *buf;
    size_t mask;
    _Atomic size_t head; /* written by the producer */
    _Atomic size_t tail; /* written by the consumer */
} ring;

/* The device back-end's state (the `impl` of audio_ops). */
typedef struct pa_dev {
    PaStream *in_stream;
    PaStream *out_stream; /* == in_stream when full duplex */
    double in_rate, out_rate;
    int in_ch, out_ch;
    ring in_ring;  /* device-rate mic samples: callback -> main loop */
    ring out_ring; /* device-rate speaker samples: main loop -> callback */
    SpeexResamplerState *in_rs, *out_rs; /* NULL when the device runs at 16 kHz */
    atomic_size_t prefill; /* output queued before playback (re)starts, device frames */
    size_t out_limit;      /* output queued ahead beyond which silence is dropped */
    size_t out_hard_limit; /* ... and beyond which speech is dropped */
    atomic_int playing;    /* output primed (the callback sets and clears it) */
    int first;        /* no exchange yet: stale mic input is dropped */
    int16_t *rec_buf; /* 16 kHz mic samples not yet handed out */
    size_t rec_fill, rec_cap;
    int16_t *tmp; /* conversion scratch, tmp_cap samples */
    size_t tmp_cap;
    atomic_int finished;      /* a stream stopped by itself */
    atomic_ulong underflows;  /* output ran dry while playing */
    atomic_ulong overflows;   /* mic samples lost: the main loop fell behind */
    unsigned long dropped;    /* speaker samples dropped: queue was full */
    int heard;                /* a mic sample has arrived since the start */
    int failed;               /* exchange() reported a failure ... */
    const char *fail_msg;     /* ... this one */
    double started;           /* when the streams started (monotonic s) */
    char desc[512];           /* what was opened, for --verbose */
} pa_dev;

static int verbose;
static char *debug_log;
static int last_latency_ms = -1;

/* ALSA prints its run-time complaints ("underrun occurred") on stderr from
 * inside the audio thread, where fd redirection cannot reach. Its handler
 * hook is declared here, weak, instead of including ALSA's headers: where
 * PortAudio runs without ALSA the symbol is simply absent. */
typedef void (*alsa_error_fn)(const char *file, int line, const char *function, int err,
                              const char *fmt, ...);
extern int snd_lib_error_set_handler(alsa_error_fn handler) __attribute__((weak));

static void alsa_error(const char *file, int line, const char *function, int err,
                       const char *fmt, ...) __attribute__((format(printf, 5, 6)));
static void alsa_error(const char *file, int line, const char *function, int err,
                       const char *fmt, ...) {
    (void)err;
    FILE *f = NULL;
    if (debug_log)
        f = fopen(debug_log, "a");
    else if (verbose)
        f = stderr;
    if (!f)
        return;
    va_list ap;
    va_start(ap, fmt);
    fprintf(f, "ALSA lib %s:%d:(%s) ", file, line, function);
    vfprintf(f, fmt, ap);
    fputc('\n', f);
    va_end(ap);
    if (f != stderr)
        fclose(f);
}

static void alsa_quiet(void) {
    if (snd_lib_error_set_handler)
        snd_lib_error_set_handler(alsa_error);
}

void audio_pa_set_verbose(int on, const char *debug_log_path) {
    verbose = on;
    free(debug_log);
    debug_log = NULL;
    if (debug_log_path)
        debug_log = xstrdup(debug_log_path);
}

int audio_pa_latency_ms(void) {
    return last_latency_ms;
}

/* Why: Pa_Initialize and opening ALSA devices print dozens of lines about
 * JACK and ALSA configuration on stderr; a user lying on the floor does not
 * need them, a developer does (--verbose or the debug log). So fd 2 goes to
 * the debug log or /dev/null while PortAudio works, and comes back after. */
static int noise_hide(void) {
    if (verbose && !debug_log)
        return -1;
    fflush(stderr);
    int saved = dup(2);
    if (saved < 0)
        return -1;
    int fd = debug_log ? open(debug_log, O_WRONLY | O_CREAT | O_APPEND, 0644) : -1;
    if (fd < 0)
        fd = open("/dev/null", O_WRONLY);
    if (fd < 0 || dup2(fd, 2) < 0) {
        if (fd >= 0)
            close(fd);
        close(saved);
        return -1;
    }
    close(fd);
    return saved;
}

static void noise_show(int saved) {
    if (saved < 0)
        return;
    fflush(stderr);
    dup2(saved, 2);
    close(saved);
}

static int ring_init(ring *r, size_t min_cap) {
    size_t cap = 1024;
    while (cap < min_cap)
        cap <<= 1;
    r->buf = xcalloc(cap, sizeof *r->buf);
    if (!r->buf)
        return -1;
    r->mask = cap - 1;
    atomic_init(&r->head, 0);
    atomic_init(&r->tail, 0);
    return 0;
}

static size_t ring_fill(ring *r) {
    return atomic_load_explicit(&r->head, memory_order_acquire) -
           atomic_load_explicit(&r->tail, memory_order_acquire);
}

/* Producer side: copies up to n samples in; returns how many fitted. */
static size_t ring_write(ring *r, const int16_t *src, size_t n) {
    size_t head = atomic_load_explicit(&r->head, memory_order_relaxed);
    size_t tail = atomic_load_explicit(&r->tail, memory_order_acquire);
    size_t space = r->mask + 1 - (head - tail);
    if (n > space)
        n = space;
    for (size_t i = 0; i < n; i++)
        r->buf[(head + i) & r->mask] = src[i];
    atomic_store_explicit(&r->head, head + n, memory_order_release);
    return n;
}

/* Consumer side: copies up to n samples out (dst NULL: skips them). */
static size_t ring_read(ring *r, int16_t *dst, size_t n) {
    size_t tail = atomic_load_explicit(&r->tail, memory_order_relaxed);
    size_t head = atomic_load_explicit(&r->head, memory_order_acquire);
    if (n > head - tail)
        n = head - tail;
    if (dst)
        for (size_t i = 0; i < n; i++)
            dst[i] = r->buf[(tail + i) & r->mask];
    atomic_store_explicit(&r->tail, tail + n, memory_order_release);
    return n;
}

/* Why: the audio thread must never block or allocate; it only moves samples
 * between the device and the two rings. Rate conversion happens in the main
 * loop. A missing output sample is silence; a full input ring drops. */
static int pa_callback(const void *input, void *output, unsigned long frames,
                       const PaStreamCallbackTimeInfo *time_info, PaStreamCallbackFlags flags,
                       void *user) {
    pa_dev *d = user;
    int16_t mono[256];
    (void)time_info;
    (void)flags;
    if (input) {
        const int16_t *in = input;
        size_t left = frames, lost = 0;
        while (left > 0) {
            size_t k = left < 256 ? left : 256;
            if (d->in_ch == 1) {
                lost += k - ring_write(&d->in_ring, in, k);
            } else {
                for (size_t i = 0; i < k; i++) {
                    long sum = 0;
                    for (int c = 0; c < d->in_ch; c++)
                        sum += in[i * (size_t)d->in_ch + (size_t)c];
                    mono[i] = (int16_t)(sum / d->in_ch);
                }
                lost += k - ring_write(&d->in_ring, mono, k);
            }
            in += k * (size_t)d->in_ch;
            left -= k;
        }
        if (lost)
            atomic_fetch_add(&d->overflows, lost);
    }
    if (output) {
        int16_t *out = output;
        size_t fill = ring_fill(&d->out_ring);
        int playing = atomic_load_explicit(&d->playing, memory_order_relaxed);
        if (!playing && fill >= atomic_load_explicit(&d->prefill, memory_order_relaxed))
            playing = 1;
        size_t got = 0;
        if (playing) {
            size_t left = frames;
            while (left > 0) {
                size_t k = left < 256 ? left : 256;
                size_t n = ring_read(&d->out_ring, mono, k);
                for (size_t i = 0; i < n; i++)
                    for (int c = 0; c < d->out_ch; c++)
                        out[(got + i) * (size_t)d->out_ch + (size_t)c] = mono[i];
                got += n;
                left -= n;
                if (n < k)
                    break;
            }
            if (got < frames) {
                /* Ran dry: wait for a full cushion again before playing, so
                 * one late block does not become a crackle every block. */
                playing = 0;
                atomic_fetch_add(&d->underflows, 1);
            }
        }
        atomic_store_explicit(&d->playing, playing, memory_order_relaxed);
        memset(out + got * (size_t)d->out_ch, 0,
               (frames - got) * (size_t)d->out_ch * sizeof *out);
    }
    return paContinue;
}

static void pa_finished(void *user) {
    pa_dev *d = user;
    atomic_store(&d->finished, 1);
}

static double now_s(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void nap(long ns) {
    struct timespec ts = {0, ns};
    while (nanosleep(&ts, &ts) < 0 && errno == EINTR)
        ;
}

static int tmp_reserve(pa_dev *d, size_t n) {
    if (d->tmp_cap >= n)
        return 0;
    int16_t *t = xrealloc(d->tmp, n * sizeof *t);
    if (!t)
        return -1;
    d->tmp = t;
    d->tmp_cap = n;
    return 0;
}

/* Converts up to PULL_FRAMES device-rate mic samples into rec_buf; returns
 * how many device samples were taken. */
static size_t pull_mic(pa_dev *d) {
    int16_t raw[PULL_FRAMES];
    size_t n = ring_read(&d->in_ring, raw, PULL_FRAMES);
    if (n == 0)
        return 0;
    if (!d->in_rs) {
        memcpy(d->rec_buf + d->rec_fill, raw, n * sizeof *raw);
        d->rec_fill += n;
        return n;
    }
    spx_uint32_t in_len = (spx_uint32_t)n;
    spx_uint32_t out_len = (spx_uint32_t)(d->rec_cap - d->rec_fill);
    speex_resampler_process_int(d->in_rs, 0, raw, &in_len, d->rec_buf + d->rec_fill, &out_len);
    d->rec_fill += out_len;
    return n;
}

static int stream_dead(pa_dev *d) {
    if (atomic_load(&d->finished))
        return 1;
    if (Pa_IsStreamActive(d->in_stream) != 1)
        return 1;
    return d->out_stream != d->in_stream && Pa_IsStreamActive(d->out_stream) != 1;
}

static int is_silent(const int16_t *x, size_t n) {
    for (size_t i = 0; i < n; i++)
        if (x[i] > 2 || x[i] < -2)
            return 0;
    return 1;
}

static void queue_play(pa_dev *d, const int16_t *play, size_t n) {
    const int16_t *src = play;
    size_t len = n;
    if (d->out_rs) {
        size_t cap = (size_t)((double)n * d->out_rate / AUDIO_RATE) + 64;
        if (tmp_reserve(d, cap) < 0)
            return;
        spx_uint32_t in_len = (spx_uint32_t)n, out_len = (spx_uint32_t)cap;
        speex_resampler_process_int(d->out_rs, 0, play, &in_len, d->tmp, &out_len);
        src = d->tmp;
        len = out_len;
    }
    /* Why: whatever is queued must play out before a stop can be heard, so
     * the queue stays short. Past the limit (the main loop catching up in a
     * burst after a stall, or two devices' clocks drifting apart), silence
     * is dropped, which brings the queue back; speech is kept, up to a hard
     * limit, since a sentence with holes in it is worse than a late one. */
    size_t fill = ring_fill(&d->out_ring);
    if (fill + len > d->out_limit && is_silent(src, len))
        return;
    size_t room = fill < d->out_hard_limit ? d->out_hard_limit - fill : 0;
    if (len > room) {
        d->dropped += len - room;
        len = room;
    }
    ring_write(&d->out_ring, src, len);
}

static int dev_fail(pa_dev *d, fc_err *err, const char *msg) {
    d->failed = 1;
    d->fail_msg = msg;
    return err_set(err, "%s", msg);
}

static int pa_exchange(void *impl, const int16_t *play, int16_t *rec, size_t n, fc_err *err) {
    pa_dev *d = impl;
    /* A device that failed stays failed: no second 2 s wait. */
    if (d->failed)
        return err_set(err, "%s", d->fail_msg);
    if (d->first) {
        /* Input captured before the first exchange (while models loaded) is
         * stale: dropping it keeps the session clock on the present. */
        ring_read(&d->in_ring, NULL, SIZE_MAX);
        d->first = 0;
    }
    if (play)
        queue_play(d, play, n);
    size_t need_cap = n + PULL_FRAMES * 4 + 64;
    if (d->rec_cap < need_cap) {
        int16_t *b = xrealloc(d->rec_buf, need_cap * sizeof *b);
        if (!b)
            return err_set(err, "out of memory");
        d->rec_buf = b;
        d->rec_cap = need_cap;
    }
    double last = now_s();
    while (d->rec_fill < n) {
        if (pull_mic(d) > 0) {
            last = now_s();
            d->heard = 1;
            continue;
        }
        if (stream_dead(d))
            return dev_fail(d, err, "the audio device stopped working");
        /* A device may take a moment to start (a sound server wakes up):
         * the 2 s count starts from the first sample or after START_GRACE. */
        double t = now_s();
        if (t - last > NO_AUDIO_SECONDS && (d->heard || t - d->started > START_GRACE))
            return dev_fail(d, err, "no audio from the microphone for 2 seconds");
        nap(POLL_NS);
    }
    memcpy(rec, d->rec_buf, n * sizeof *rec);
    d->rec_fill -= n;
    memmove(d->rec_buf, d->rec_buf + n, d->rec_fill * sizeof *rec);
    return 1;
}

static void dev_free(pa_dev *d) {
    if (!d)
        return;
    if (d->in_rs)
        speex_resampler_destroy(d->in_rs);
    if (d->out_rs)
        speex_resampler_destroy(d->out_rs);
    free(d->in_ring.buf);
    free(d->out_ring.buf);
    free(d->rec_buf);
    free(d->tmp);
    free(d);
}

/* Stops and closes the streams, releases PortAudio and frees d. */
static void streams_close(pa_dev *d, int gentle) {
    PaStream *s[2] = {d->in_stream, d->out_stream != d->in_stream ? d->out_stream : NULL};
    for (int i = 0; i < 2; i++) {
        if (!s[i])
            continue;
        /* Stop lets the device play what it holds; Abort does not wait. */
        if (gentle && Pa_IsStreamActive(s[i]) == 1)
            Pa_StopStream(s[i]);
        else
            Pa_AbortStream(s[i]);
        Pa_CloseStream(s[i]);
    }
    Pa_Terminate();
    dev_free(d);
}

/* A closing job shared by the caller and the thread doing it: whoever
 * finishes last (the thread, or the caller that gave up) frees it. */
typedef struct closer {
    pa_dev *d;
    int gentle;
    atomic_int state; /* CLOSE_RUNNING, CLOSE_DONE or CLOSE_ABANDONED */
} closer;

enum { CLOSE_RUNNING, CLOSE_DONE, CLOSE_ABANDONED };

static void *close_thread(void *arg) {
    closer *c = arg;
    streams_close(c->d, c->gentle);
    int expected = CLOSE_RUNNING;
    if (!atomic_compare_exchange_strong(&c->state, &expected, CLOSE_DONE))
        free(c); /* the caller gave up waiting */
    return NULL;
}

/* Why a thread: a device that hangs (a frozen sound server, a USB device
 * half gone) can block Pa_AbortStream forever inside ALSA. The program must
 * still exit to fail safe, so closing gets `wait_s` and is then abandoned
 * (its memory with it; the process is ending anyway). */
static void close_bounded(pa_dev *d, int gentle, double wait_s) {
    closer *c = xcalloc(1, sizeof *c);
    pthread_t th;
    if (!c) {
        streams_close(d, gentle);
        return;
    }
    c->d = d;
    c->gentle = gentle;
    atomic_init(&c->state, CLOSE_RUNNING);
    int saved = noise_hide();
    if (pthread_create(&th, NULL, close_thread, c) != 0) {
        streams_close(d, gentle);
        noise_show(saved);
        free(c);
        return;
    }
    double end = now_s() + wait_s;
    while (atomic_load(&c->state) == CLOSE_RUNNING && now_s() < end)
        nap(POLL_NS);
    int expected = CLOSE_RUNNING;
    if (atomic_compare_exchange_strong(&c->state, &expected, CLOSE_ABANDONED)) {
        pthread_detach(th);
        noise_show(saved);
        if (verbose)
            fprintf(stderr, "audio: the device did not close in %.1f s; left behind\n", wait_s);
        return;
    }
    pthread_join(th, NULL);
    noise_show(saved);
    free(c);
}

static void pa_close(void *impl, int max_ms) {
    pa_dev *d = impl;
    if (!d)
        return;
    /* A failed device is not waited for: stopping it gently could block. */
    int healthy = !d->failed && !stream_dead(d);
    if (healthy && max_ms > 0) {
        double end = now_s() + max_ms / 1000.0;
        atomic_store(&d->prefill, 0); /* a short tail must not wait for a cushion */
        while (ring_fill(&d->out_ring) > 0 && now_s() < end && !stream_dead(d))
            nap(POLL_NS);
    } else {
        ring_read(&d->out_ring, NULL, SIZE_MAX);
    }
    if (verbose)
        fprintf(stderr, "audio: closing: %lu output underflows, %lu mic samples lost, "
                        "%lu speaker samples dropped\n",
                atomic_load(&d->underflows), atomic_load(&d->overflows), d->dropped);
    int gentle = healthy && max_ms > 0;
    close_bounded(d, gentle, gentle ? 2.0 : 0.5);
}

static const audio_ops pa_ops = {
    .name = "device",
    .exchange = pa_exchange,
    .close = pa_close,
};

static int is_number(const char *s) {
    if (!*s)
        return 0;
    for (; *s; s++)
        if (!isdigit((unsigned char)*s))
            return 0;
    return 1;
}

static int contains_nocase(const char *hay, const char *needle) {
    size_t n = strlen(needle);
    for (; *hay; hay++)
        if (strncasecmp(hay, needle, n) == 0)
            return 1;
    return n == 0;
}

static int dev_channels(const PaDeviceInfo *info, int input) {
    return input ? info->maxInputChannels : info->maxOutputChannels;
}

/* Resolves a device spec (NULL/"default", an index, a name substring) to a
 * device with channels in the wanted direction. */
static int pick_device(const char *spec, int input, PaDeviceIndex *out, fc_err *err) {
    const char *what = input ? "input (microphone)" : "output (speaker)";
    int count = Pa_GetDeviceCount();
    if (count < 0)
        return err_set(err, "the audio system is not available: %s", Pa_GetErrorText(count));
    if (!spec || !*spec || strcmp(spec, "default") == 0) {
        PaDeviceIndex i = input ? Pa_GetDefaultInputDevice() : Pa_GetDefaultOutputDevice();
        if (i == paNoDevice)
            return err_set(err, "no audio %s device found%s", what,
                           count == 0 ? " (no sound card or sound server)" : "");
        *out = i;
        return 0;
    }
    if (is_number(spec)) {
        long i = strtol(spec, NULL, 10);
        const PaDeviceInfo *info = i < count ? Pa_GetDeviceInfo((PaDeviceIndex)i) : NULL;
        if (!info)
            return err_set(err, "no audio device number %s (see `floorcoach devices`)", spec);
        if (dev_channels(info, input) < 1)
            return err_set(err, "audio device %s (%s) has no %s", spec, info->name, what);
        *out = (PaDeviceIndex)i;
        return 0;
    }
    /* An exact name wins over a substring ("default" vs "sysdefault"). */
    PaDeviceIndex found = paNoDevice;
    for (PaDeviceIndex i = 0; i < count; i++) {
        const PaDeviceInfo *info = Pa_GetDeviceInfo(i);
        if (!info || dev_channels(info, input) < 1)
            continue;
        if (strcasecmp(info->name, spec) == 0) {
            found = i;
            break;
        }
        if (found == paNoDevice && contains_nocase(info->name, spec))
            found = i;
    }
    if (found == paNoDevice)
        return err_set(err, "no audio %s device matches \"%s\" (see `floorcoach devices`)", what,
                       spec);
    *out = found;
    return 0;
}

static PaStreamParameters params(PaDeviceIndex dev, int channels, int input) {
    const PaDeviceInfo *info = Pa_GetDeviceInfo(dev);
    PaStreamParameters p;
    memset(&p, 0, sizeof p);
    p.device = dev;
    p.channelCount = channels;
    p.sampleFormat = paInt16;
    /* Low latency: a reply is heard and a stop is spoken sooner. (The high
     * setting survived a very busy machine better but added ~27 ms to the
     * round trip on the test device.) Not below 20 ms, to spare a Pi. */
    p.suggestedLatency = input ? info->defaultLowInputLatency : info->defaultLowOutputLatency;
    if (p.suggestedLatency < 0.020)
        p.suggestedLatency = 0.020;
    return p;
}

/* Chooses channels (mono, else stereo) and a rate (16 kHz, else the
 * device's own) that the device accepts; in/out may be NULL. 0 or -1. */
static int choose_format(PaDeviceIndex in, PaDeviceIndex out, int *in_ch, int *out_ch,
                         double *rate) {
    double rates[2] = {AUDIO_RATE, Pa_GetDeviceInfo(in != paNoDevice ? in : out)->defaultSampleRate};
    for (int r = 0; r < 2; r++) {
        for (int stereo = 0; stereo < 2; stereo++) {
            PaStreamParameters ip, op;
            int ic = 0, oc = 0;
            memset(&ip, 0, sizeof ip);
            memset(&op, 0, sizeof op);
            if (in != paNoDevice) {
                ic = stereo && Pa_GetDeviceInfo(in)->maxInputChannels >= 2 ? 2 : 1;
                ip = params(in, ic, 1);
            }
            if (out != paNoDevice) {
                oc = stereo && Pa_GetDeviceInfo(out)->maxOutputChannels >= 2 ? 2 : 1;
                op = params(out, oc, 0);
            }
            if (Pa_IsFormatSupported(in != paNoDevice ? &ip : NULL,
                                     out != paNoDevice ? &op : NULL, rates[r]) == paFormatIsSupported) {
                *in_ch = ic;
                *out_ch = oc;
                *rate = rates[r];
                return 0;
            }
        }
    }
    return -1;
}

static int force_rate; /* test hook: 0, or a rate to run the device at */

void audio_pa_force_rate(int rate) {
    force_rate = rate;
}

static PaError open_one(pa_dev *d, PaStream **s, PaDeviceIndex in, PaDeviceIndex out,
                        int in_ch, int out_ch, double rate) {
    PaStreamParameters ip, op;
    memset(&ip, 0, sizeof ip);
    memset(&op, 0, sizeof op);
    if (in != paNoDevice)
        ip = params(in, in_ch, 1);
    if (out != paNoDevice)
        op = params(out, out_ch, 0);
    /* 10 ms callbacks: small enough for a quick stop, large enough for a Pi. */
    unsigned long frames = (unsigned long)(rate / 100);
    PaError e = Pa_OpenStream(s, in != paNoDevice ? &ip : NULL, out != paNoDevice ? &op : NULL,
                              rate, frames, paNoFlag, pa_callback, d);
    if (e == paNoError)
        Pa_SetStreamFinishedCallback(*s, pa_finished);
    return e;
}

static SpeexResamplerState *resampler(double from, double to) {
    if ((int)from == (int)to)
        return NULL;
    int e = 0;
    return speex_resampler_init(1, (spx_uint32_t)from, (spx_uint32_t)to, RESAMPLE_QUALITY, &e);
}

/* Opens and starts the streams; -1 with err set. Called with noise hidden. */
static int dev_start(pa_dev *d, PaDeviceIndex in, PaDeviceIndex out, fc_err *err) {
    const PaDeviceInfo *ii = Pa_GetDeviceInfo(in), *oi = Pa_GetDeviceInfo(out);
    PaError e = paNoError;
    int duplex = 0;
    if (in == out) {
        if (choose_format(in, out, &d->in_ch, &d->out_ch, &d->in_rate) == 0) {
            if (force_rate)
                d->in_rate = force_rate;
            d->out_rate = d->in_rate;
            e = open_one(d, &d->in_stream, in, out, d->in_ch, d->out_ch, d->in_rate);
            duplex = e == paNoError;
            if (duplex)
                d->out_stream = d->in_stream;
            else
                d->in_stream = NULL;
        }
    }
    if (!duplex) {
        int unused;
        if (choose_format(in, paNoDevice, &d->in_ch, &unused, &d->in_rate) < 0)
            return err_set(err, "the microphone \"%s\" cannot record 16-bit audio", ii->name);
        if (choose_format(paNoDevice, out, &unused, &d->out_ch, &d->out_rate) < 0)
            return err_set(err, "the speaker \"%s\" cannot play 16-bit audio", oi->name);
        if (force_rate)
            d->in_rate = d->out_rate = force_rate;
        e = open_one(d, &d->in_stream, in, paNoDevice, d->in_ch, 0, d->in_rate);
        if (e != paNoError)
            return err_set(err, "cannot open the microphone \"%s\": %s", ii->name,
                           Pa_GetErrorText(e));
        e = open_one(d, &d->out_stream, paNoDevice, out, 0, d->out_ch, d->out_rate);
        if (e != paNoError)
            return err_set(err, "cannot open the speaker \"%s\": %s", oi->name,
                           Pa_GetErrorText(e));
    }
    d->in_rs = resampler(d->in_rate, AUDIO_RATE);
    d->out_rs = resampler(AUDIO_RATE, d->out_rate);
    if ((d->in_rate != AUDIO_RATE && !d->in_rs) || (d->out_rate != AUDIO_RATE && !d->out_rs))
        return err_set(err, "cannot convert the device's sample rate");
    /* The cushion absorbs the main loop's jitter (one 10 ms callback plus
     * 20 ms); the limit adds two blocks for bursts: ~30-70 ms ahead. */
    size_t per_ms = (size_t)(d->out_rate / 1000);
    size_t prefill = per_ms * 30;
    atomic_init(&d->prefill, prefill);
    atomic_init(&d->playing, 0);
    d->out_limit = prefill + per_ms * 2 * AUDIO_BLOCK * 1000 / AUDIO_RATE;
    d->out_hard_limit = per_ms * 750;
    if (ring_init(&d->in_ring, (size_t)(d->in_rate * 4)) < 0 ||
        ring_init(&d->out_ring, (size_t)d->out_rate) < 0)
        return err_set(err, "out of memory");
    e = Pa_StartStream(d->in_stream);
    if (e == paNoError && d->out_stream != d->in_stream)
        e = Pa_StartStream(d->out_stream);
    if (e != paNoError)
        return err_set(err, "cannot start the audio device: %s", Pa_GetErrorText(e));
    d->started = now_s();
    const PaStreamInfo *si = Pa_GetStreamInfo(d->in_stream);
    const PaStreamInfo *so = Pa_GetStreamInfo(d->out_stream);
    double in_lat = si ? si->inputLatency : 0, out_lat = so ? so->outputLatency : 0;
    double queue = (double)prefill / d->out_rate; /* where the queue settles */
    last_latency_ms = (int)((in_lat + out_lat + queue) * 1000 + 0.5);
    snprintf(d->desc, sizeof d->desc,
                "audio: input \"%s\" %.0f Hz %d ch, output \"%s\" %.0f Hz %d ch, %s; "
                "latency in %.0f ms, out %.0f ms, queue %.0f ms",
                ii->name, d->in_rate, d->in_ch, oi->name, d->out_rate, d->out_ch,
                duplex ? "full duplex" : "two streams", in_lat * 1000, out_lat * 1000,
                queue * 1000);
    return 0;
}

audio *audio_pa_open(const char *input_dev, const char *output_dev, fc_err *err) {
    alsa_quiet();
    int saved = noise_hide();
    PaError e = Pa_Initialize();
    if (e != paNoError) {
        noise_show(saved);
        err_set(err, "the audio system is not available: %s", Pa_GetErrorText(e));
        return NULL;
    }
    PaDeviceIndex in = paNoDevice, out = paNoDevice;
    pa_dev *d = NULL;
    if (pick_device(input_dev, 1, &in, err) < 0 || pick_device(output_dev, 0, &out, err) < 0)
        goto error_out;
    d = xcalloc(1, sizeof *d);
    if (!d) {
        err_set(err, "out of memory");
        goto error_out;
    }
    d->first = 1;
    atomic_init(&d->finished, 0);
    atomic_init(&d->underflows, 0);
    atomic_init(&d->overflows, 0);
    if (dev_start(d, in, out, err) < 0)
        goto error_out;
    noise_show(saved);
    if (verbose)
        fprintf(stderr, "%s\n", d->desc);
    audio *a = audio_new(&pa_ops, d); /* closes d itself when it fails */
    if (!a)
        err_set(err, "out of memory");
    return a;

error_out:
    if (d && (d->in_stream || d->out_stream)) {
        PaStream *s[2] = {d->in_stream, d->out_stream != d->in_stream ? d->out_stream : NULL};
        for (int i = 0; i < 2; i++)
            if (s[i]) {
                Pa_AbortStream(s[i]);
                Pa_CloseStream(s[i]);
            }
    }
    dev_free(d);
    Pa_Terminate();
    noise_show(saved);
    return NULL;
}

int audio_pa_list(fc_err *err) {
    alsa_quiet();
    int saved = noise_hide();
    PaError e = Pa_Initialize();
    if (e != paNoError) {
        noise_show(saved);
        return err_set(err, "the audio system is not available: %s", Pa_GetErrorText(e));
    }
    int count = Pa_GetDeviceCount();
    PaDeviceIndex def_in = Pa_GetDefaultInputDevice(), def_out = Pa_GetDefaultOutputDevice();
    noise_show(saved);
    if (count <= 0) {
        saved = noise_hide();
        Pa_Terminate();
        noise_show(saved);
        return err_set(err, "no audio devices found (no sound card or sound server is available)");
    }
    for (int input = 1; input >= 0; input--) {
        printf("%s devices:\n", input ? "Input" : "Output");
        printf("  %5s  %-8s %8s %9s  %s\n", "index", "host API", "channels", "rate", "name");
        int shown = 0;
        for (PaDeviceIndex i = 0; i < count; i++) {
            const PaDeviceInfo *info = Pa_GetDeviceInfo(i);
            if (!info || dev_channels(info, input) < 1)
                continue;
            const PaHostApiInfo *api = Pa_GetHostApiInfo(info->hostApi);
            int is_def = i == (input ? def_in : def_out);
            printf("  %5d  %-8s %8d %6.0f Hz  %s%s\n", i, api ? api->name : "?",
                   dev_channels(info, input), info->defaultSampleRate, info->name,
                   is_def ? "  (default)" : "");
            shown++;
        }
        if (!shown)
            printf("  (none)\n");
    }
    fflush(stdout);
    saved = noise_hide();
    Pa_Terminate();
    noise_show(saved);
    return 0;
}
