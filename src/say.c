/* say: the `say` command: one sentence to the speaker or to a WAV file. */
#include "say.h"

#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "audio.h"
#include "speech_out.h"
#include "util.h"
#include "voice.h"
#include "wav.h"

static void say_usage(FILE *f) {
    fputs("Usage: floorcoach say TEXT... [OPTIONS]\n"
          "\n"
          "Speaks TEXT: a test of the speaker and of a voice.\n"
          "\n"
          "Options:\n"
          "  --voice NAME            voice profile (see `floorcoach list`)\n"
          "  --speaker OUT.wav       write the speech to OUT.wav instead of playing it\n"
          "  --output-device DEV     speaker: index or part of its name\n"
          "  --input-device DEV      microphone: index or part of its name\n"
          "  -h, --help              this help\n"
          "\n"
          "Exit status: 0 spoken, 1 bad input, 2 audio or speech unavailable.\n",
          f);
}

/* Plays pcm on the device, block by block at the device's pace. */
static int play_on_device(const int16_t *pcm, size_t n, const char *in_dev, const char *out_dev,
                          fc_err *err) {
    audio *a = audio_pa_open(in_dev, out_dev, err);
    if (!a)
        return -1;
    int16_t block[AUDIO_BLOCK], rec[AUDIO_BLOCK];
    int rc = 0;
    for (size_t t = 0; t < n && rc == 0; t += AUDIO_BLOCK) {
        size_t k = n - t < AUDIO_BLOCK ? n - t : AUDIO_BLOCK;
        memcpy(block, pcm + t, k * sizeof *block);
        memset(block + k, 0, (AUDIO_BLOCK - k) * sizeof *block);
        if (audio_exchange(a, block, rec, AUDIO_BLOCK, err) < 0)
            rc = -1;
    }
    /* What is still queued is played before the device closes. */
    audio_free(a, rc == 0 ? 1000 : 0);
    return rc;
}

int say_main(int argc, char **argv) {
    enum { O_VOICE = 256, O_SPEAKER, O_IN, O_OUT };
    static const struct option opts[] = {{"voice", required_argument, 0, O_VOICE},
                                         {"speaker", required_argument, 0, O_SPEAKER},
                                         {"input-device", required_argument, 0, O_IN},
                                         {"output-device", required_argument, 0, O_OUT},
                                         {"help", no_argument, 0, 'h'},
                                         {0, 0, 0, 0}};
    const char *voice_name = VOICE_DEFAULT, *speaker = NULL, *in_dev = NULL, *out_dev = NULL;
    int c;
    optind = 1;
    opterr = 0;
    while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
        switch (c) {
        case O_VOICE:
            voice_name = optarg;
            break;
        case O_SPEAKER:
            speaker = optarg;
            break;
        case O_IN:
            in_dev = optarg;
            break;
        case O_OUT:
            out_dev = optarg;
            break;
        case 'h':
            say_usage(stdout);
            return 0;
        default:
            fprintf(stderr, "floorcoach say: unknown or incomplete option '%s'\n",
                    argv[optind - 1]);
            say_usage(stderr);
            return 1;
        }
    }
    if (optind >= argc) {
        fputs("floorcoach say: nothing to say (give the text to speak)\n", stderr);
        say_usage(stderr);
        return 1;
    }
    size_t len = 1;
    for (int i = optind; i < argc; i++)
        len += strlen(argv[i]) + 1;
    char *text = xmalloc(len);
    if (!text)
        return 2;
    text[0] = '\0';
    for (int i = optind; i < argc; i++) {
        if (i > optind)
            strcat(text, " ");
        strcat(text, argv[i]);
    }

    fc_err err = {{0}};
    voice_profile v;
    int status = 0;
    int16_t *pcm = NULL;
    size_t n = 0;
    speech_out *so = NULL;
    if (voice_load(voice_name, &v, &err) < 0) {
        status = 1;
        goto error_out;
    }
    so = speech_out_new(&v, &err);
    if (!so || speech_out_synth(so, text, &pcm, &n, &err) < 0) {
        status = 2;
        goto error_out;
    }
    if (n == 0) {
        fputs("floorcoach say: the text has nothing to speak\n", stderr);
        status = 1;
    } else if (speaker) {
        if (wav_write(speaker, pcm, n, AUDIO_RATE, &err) < 0)
            status = 2;
    } else if (play_on_device(pcm, n, in_dev, out_dev, &err) < 0) {
        status = 2;
    }
error_out:
    if (status != 0 && err.msg[0])
        fprintf(stderr, "floorcoach say: %s\n", err.msg);
    free(pcm);
    speech_out_free(so);
    free(text);
    return status;
}
