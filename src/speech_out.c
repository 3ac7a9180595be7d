/* speech_out: text to speech with eSpeak NG (the only file that knows it),
 * resampled to 16 kHz and trimmed so a sentence starts on its first sound. */
#include "speech_out.h"

#include <espeak-ng/speak_lib.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "audio.h"
#include "wav.h"

/* Trimming: a sample counts as sound above 1/64 of the sentence's peak
 * (-36 dB: breath noise and variant echo tails of some voices sit below),
 * and never below TRIM_FLOOR. Output whose peak stays under TRIM_SILENT
 * (-30 dBFS) is no speech at all (empty or whitespace text). */
#define TRIM_FLOOR 64
#define TRIM_RELATIVE 64
#define TRIM_SILENT 1000

struct speech_out {
    voice_profile v;
    unsigned id;
};

/* eSpeak NG is a process-wide singleton: it is initialized once and kept
 * (re-initializing costs far more than a sentence). */
static int engine_state; /* 0 untried, 1 ready, -1 failed */
static int engine_rate;  /* eSpeak's own sample rate (22050) */
static unsigned applied; /* id of the speech_out whose voice is set */
static unsigned next_id = 1;

typedef struct collector {
    int16_t *buf;
    size_t n, cap;
    int oom;
} collector;

static int on_samples(short *wav, int numsamples, espeak_EVENT *events) {
    collector *c = events ? events->user_data : NULL;
    if (!c || !wav || numsamples <= 0)
        return 0;
    size_t k = (size_t)numsamples;
    if (c->n + k > c->cap) {
        size_t cap = c->cap ? c->cap * 2 : 16384;
        while (cap < c->n + k)
            cap *= 2;
        int16_t *b = xrealloc(c->buf, cap * sizeof *b);
        if (!b) {
            c->oom = 1;
            return 1; /* stops synthesis at once */
        }
        c->buf = b;
        c->cap = cap;
    }
    memcpy(c->buf + c->n, wav, k * sizeof *wav);
    c->n += k;
    return 0;
}

/* eSpeak writes its complaints (missing files, voice errors) to stderr;
 * users should see our error message, not that. */
static int quiet_begin(void) {
    fflush(stderr);
    int saved = dup(STDERR_FILENO);
    int null = open("/dev/null", O_WRONLY);
    if (saved >= 0 && null >= 0)
        dup2(null, STDERR_FILENO);
    if (null >= 0)
        close(null);
    return saved;
}

static void quiet_end(int saved) {
    if (saved < 0)
        return;
    fflush(stderr);
    dup2(saved, STDERR_FILENO);
    close(saved);
}

static int engine_start(fc_err *err) {
    if (engine_state == 0) {
        int q = quiet_begin();
        int rate = espeak_Initialize(AUDIO_OUTPUT_SYNCHRONOUS, 0, NULL, espeakINITIALIZE_DONT_EXIT);
        quiet_end(q);
        if (rate <= 0) {
            engine_state = -1;
        } else {
            engine_state = 1;
            engine_rate = rate;
            espeak_SetSynthCallback(on_samples);
        }
    }
    if (engine_state < 0)
        return err_set(err, "eSpeak NG could not start (is the espeak-ng-data package "
                            "installed?)");
    return 0;
}

/* Why check the file: eSpeak silently speaks with no variant when the named
 * one does not exist, and a path in the name aborts the process. */
static int variant_exists(const char *variant) {
    if (strchr(variant, '/') || variant[0] == '.')
        return 0;
    const char *data = NULL;
    espeak_Info(&data);
    if (!data)
        return 0;
    char p[4096];
    if ((size_t)snprintf(p, sizeof p, "%s/voices/!v/%s", data, variant) >= sizeof p)
        return 0;
    struct stat st;
    return stat(p, &st) == 0 && S_ISREG(st.st_mode);
}

static int apply_voice(const speech_out *so, fc_err *err) {
    const voice_profile *v = &so->v;
    char name[160];
    if (v->variant[0] && !variant_exists(v->variant))
        return err_set(err, "voice %s: eSpeak NG has no variant \"%s\"", v->name, v->variant);
    snprintf(name, sizeof name, "%s%s%s", v->espeak, v->variant[0] ? "+" : "", v->variant);
    int q = quiet_begin();
    espeak_ERROR e = espeak_SetVoiceByName(name);
    quiet_end(q);
    if (e != EE_OK)
        return err_set(err, "voice %s: eSpeak NG has no voice \"%s\"", v->name, v->espeak);
    /* Parameters after the voice: setting a voice resets them. */
    espeak_SetParameter(espeakRATE, v->rate, 0);
    espeak_SetParameter(espeakPITCH, v->pitch, 0);
    espeak_SetParameter(espeakWORDGAP, v->word_gap, 0);
    espeak_SetParameter(espeakVOLUME, v->volume, 0);
    espeak_SetParameter(espeakPUNCTUATION, espeakPUNCT_NONE, 0);
    espeak_SetParameter(espeakCAPITALS, 0, 0);
    return 0;
}

speech_out *speech_out_new(const voice_profile *v, fc_err *err) {
    if (engine_start(err) < 0)
        return NULL;
    speech_out *so = xcalloc(1, sizeof *so);
    if (!so) {
        err_set(err, "out of memory");
        return NULL;
    }
    so->v = *v;
    so->id = next_id++;
    if (apply_voice(so, err) < 0) {
        free(so);
        applied = 0;
        return NULL;
    }
    applied = so->id;
    return so;
}

void speech_out_free(speech_out *so) {
    if (!so)
        return;
    if (applied == so->id)
        applied = 0;
    free(so);
}

/* Length of the UTF-8 sequence starting at s, or 0 when it is not valid. */
static size_t utf8_len(const unsigned char *s) {
    size_t k;
    if (s[0] < 0x80)
        return 1;
    if (s[0] >= 0xC2 && s[0] <= 0xDF)
        k = 2;
    else if (s[0] >= 0xE0 && s[0] <= 0xEF)
        k = 3;
    else if (s[0] >= 0xF0 && s[0] <= 0xF4)
        k = 4;
    else
        return 0;
    for (size_t i = 1; i < k; i++)
        if ((s[i] & 0xC0) != 0x80)
            return 0;
    return k;
}

/* Plain text only: control characters (eSpeak's embedded-command marker
 * 0x01 among them), C1 controls and broken UTF-8 become spaces, so nothing a
 * routine says can act as markup. */
static char *sanitize(const char *text) {
    size_t len = strlen(text);
    char *out = xmalloc(len + 1);
    if (!out)
        return NULL;
    const unsigned char *s = (const unsigned char *)text;
    size_t o = 0;
    for (size_t i = 0; i < len;) {
        size_t k = utf8_len(s + i);
        int bad = k == 0 || s[i] < 0x20 || s[i] == 0x7F || (s[i] == 0xC2 && s[i + 1] < 0xA0);
        if (bad) {
            out[o++] = ' ';
            i += k ? k : 1;
        } else {
            memcpy(out + o, s + i, k);
            o += k;
            i += k;
        }
    }
    out[o] = '\0';
    return out;
}

/* Narrows [*a, *b) to the span from the first to the last sound. */
static void trim(const int16_t *p, size_t *a, size_t *b) {
    int peak = 0;
    for (size_t i = *a; i < *b; i++)
        if (abs(p[i]) > peak)
            peak = abs(p[i]);
    if (peak < TRIM_SILENT) {
        *b = *a;
        return;
    }
    int level = peak / TRIM_RELATIVE > TRIM_FLOOR ? peak / TRIM_RELATIVE : TRIM_FLOOR;
    while (*a < *b && abs(p[*a]) <= level)
        (*a)++;
    while (*b > *a && abs(p[*b - 1]) <= level)
        (*b)--;
}

int speech_out_synth(speech_out *so, const char *text, int16_t **pcm, size_t *n, fc_err *err) {
    if (applied != so->id) {
        if (apply_voice(so, err) < 0)
            return -1;
        applied = so->id;
    }
    char *clean = sanitize(text);
    if (!clean)
        return err_set(err, "out of memory");
    collector c = {0};
    espeak_ERROR e =
        espeak_Synth(clean, strlen(clean) + 1, 0, POS_CHARACTER, 0, espeakCHARS_UTF8, NULL, &c);
    free(clean);
    if (e != EE_OK || c.oom) {
        free(c.buf);
        return err_set(err, c.oom ? "out of memory" : "speech synthesis failed");
    }
    size_t a = 0, b = c.n;
    trim(c.buf, &a, &b);
    int16_t *out = NULL;
    size_t out_n = 0;
    int r = wav_resample(c.buf ? c.buf + a : NULL, b - a, engine_rate, AUDIO_RATE, &out, &out_n);
    free(c.buf);
    if (r < 0)
        return err_set(err, "out of memory");
    /* Resampling rings a little around the cut; trim again at 16 kHz. */
    size_t a2 = 0, b2 = out_n;
    trim(out, &a2, &b2);
    if (a2 > 0)
        memmove(out, out + a2, (b2 - a2) * sizeof *out);
    *pcm = out;
    *n = b2 - a2;
    return 0;
}

int speech_out_synth_fit(speech_out *so, const char *text, size_t max_samples, int16_t **pcm,
                         size_t *n, fc_err *err) {
    if (speech_out_synth(so, text, pcm, n, err) < 0)
        return -1;
    if (*n <= max_samples)
        return 0;
    /* Faster speech keeps the voice; no word gap saves a little more. */
    static const int percent[] = {115, 130, 150};
    int rc = 0;
    for (size_t i = 0; i<sizeof percent / sizeof *percent && * n> max_samples; i++) {
        int rate = so->v.rate * percent[i] / 100;
        espeak_SetParameter(espeakRATE, rate > espeakRATE_MAXIMUM ? espeakRATE_MAXIMUM : rate, 0);
        espeak_SetParameter(espeakWORDGAP, 0, 0);
        int16_t *p2 = NULL;
        size_t n2 = 0;
        rc = speech_out_synth(so, text, &p2, &n2, err);
        if (rc < 0)
            break;
        if (n2 < *n) {
            free(*pcm);
            *pcm = p2;
            *n = n2;
        } else {
            free(p2);
        }
    }
    espeak_SetParameter(espeakRATE, so->v.rate, 0);
    espeak_SetParameter(espeakWORDGAP, so->v.word_gap, 0);
    if (rc < 0) {
        free(*pcm);
        *pcm = NULL;
        return -1;
    }
    return 0;
}
