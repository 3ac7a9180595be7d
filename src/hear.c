/* hear: the `hear` command: listens to a WAV file or the microphone and
 * prints each recognized reply as one JSON line. */
#include "hear.h"

#include <getopt.h>
#include <limits.h>
#include <math.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "audio.h"
#include "intent.h"
#include "paths.h"
#include "speech_in.h"
#include "util.h"
#include "wav.h"

static volatile sig_atomic_t interrupted;

static void on_signal(int sig) {
    (void)sig;
    interrupted = 1;
}

static void hear_usage(FILE *f) {
    fputs("Usage: floorcoach hear [OPTIONS]\n"
          "\n"
          "Listens and prints each reply it recognizes as one JSON line:\n"
          "  {\"start\":s,\"end\":s,\"text\":\"...\",\"intent\":\"...\",\"value\":...,"
          "\"confidence\":c}\n"
          "Speech that is not a reply (the TV, a conversation, noise) prints nothing.\n"
          "\n"
          "Options:\n"
          "  --mic IN.wav            listen to IN.wav instead of the microphone\n"
          "  --lexicon FILE          the replies to listen for (default: the bundled\n"
          "                          voices/en-us/replies.cfg); check your own wording\n"
          "  --hold                  listen as during a hold: also print unclear speech\n"
          "                          that may be a symptom (\"unclear\":true): speech\n"
          "                          that looks like a symptom, or any speech as loud\n"
          "                          as the person's replies\n"
          "  --voice-level DBFS      the level of the person's replies (see \"level\" in\n"
          "                          the session log's heard events); without it, any\n"
          "                          speech during --hold counts as the person's\n"
          "  --expect INTENT,...     listen as right after a question with these answers\n"
          "  --profile DIR           the enrollment profile to use\n"
          "  --no-profile            use no enrollment profile\n"
          "  --input-device DEV      microphone: index or part of its name\n"
          "  --verbose               also print rejected speech on stderr, with its score\n"
          "  -h, --help              this help\n"
          "\n"
          "Without --mic it listens until interrupted (Ctrl-C).\n"
          "Exit status: 0 done, 1 bad input, 2 audio or speech recognition unavailable.\n",
          f);
}

static void print_json_string(const char *s) {
    putchar('"');
    for (; *s; s++) {
        unsigned char c = (unsigned char)*s;
        if (c == '"' || c == '\\')
            printf("\\%c", c);
        else if (c < 0x20)
            printf("\\u%04x", c);
        else
            putchar(c);
    }
    putchar('"');
}

static long heard_at_ms; /* the input time when a result came out (verbose) */

static void print_heard(const heard *h, bool verbose) {
    if (h->rejected) {
        if (verbose)
            fprintf(stderr,
                    "rejected %.2f-%.2f \"%s\" score %.3f phones %.2f near %.2f level %.1f "
                    "voiced %.2f beyond %.0f at %.2f%s\n",
                    (double)h->start_ms / 1000, (double)h->end_ms / 1000, h->text,
                    (double)h->score, (double)h->phone_dist, (double)h->phone_near,
                    (double)h->level_db, (double)h->voiced, (double)h->beyond_ms,
                    (double)heard_at_ms / 1000, h->run_on ? " run-on" : "");
        return;
    }
    printf("{\"start\":%.2f,\"end\":%.2f,\"text\":", (double)h->start_ms / 1000,
           (double)h->end_ms / 1000);
    print_json_string(h->text);
    printf(",\"intent\":\"%s\"", intent_name(h->intent));
    if (h->intent == INTENT_LOCATION) {
        printf(",\"value\":");
        print_json_string(location_name((location)h->value));
    } else if (h->intent == INTENT_PAIN_SCORE) {
        printf(",\"value\":%d", h->value);
    }
    printf(",\"confidence\":%.2f", (double)h->confidence);
    if (h->low_confidence)
        printf(",\"low_confidence\":true");
    if (h->unclear)
        printf(",\"unclear\":true");
    if (verbose)
        printf(",\"score\":%.3f,\"phones\":%.2f,\"near\":%.2f,\"level\":%.1f,\"voiced\":%.2f,"
               "\"beyond\":%.0f,\"at\":%.2f%s",
               (double)h->score, (double)h->phone_dist, (double)h->phone_near,
               (double)h->level_db, (double)h->voiced, (double)h->beyond_ms,
               (double)heard_at_ms / 1000, h->run_on ? ",\"run_on\":true" : "");
    printf("}\n");
    fflush(stdout);
}

/* "yes,no,pain_score" -> bit set; -1 on an unknown name. */
static long parse_expect(const char *list, char *bad, size_t nbad) {
    unsigned long bits = 0;
    char buf[512];
    str_copy(buf, list, sizeof buf);
    char *save = NULL;
    for (char *t = strtok_r(buf, ",", &save); t; t = strtok_r(NULL, ",", &save)) {
        intent i = intent_from_name(t);
        if (i == INTENT_NONE) {
            str_copy(bad, t, nbad);
            return -1;
        }
        bits |= 1ul << i;
    }
    return (long)bits;
}

/* Feeds the whole file block by block, as the session loop would. */
static int hear_file(speech_in *si, const char *path, bool verbose, fc_err *err, int *status) {
    int16_t *pcm = NULL;
    size_t n = 0;
    if (wav_read_16k(path, &pcm, &n, err) < 0) {
        *status = 1;
        return -1;
    }
    heard hs[8];
    int rc = 0;
    for (size_t off = 0; off < n && rc == 0; off += AUDIO_BLOCK) {
        size_t k = n - off < AUDIO_BLOCK ? n - off : AUDIO_BLOCK;
        int got = speech_in_process(si, pcm + off, k, (long)(off * 1000 / AUDIO_RATE), hs, 8, err);
        heard_at_ms = (long)((off + k) * 1000 / AUDIO_RATE);
        if (got < 0)
            rc = -1;
        for (int i = 0; i < got; i++)
            print_heard(&hs[i], verbose);
    }
    if (rc == 0) {
        int got = speech_in_flush(si, hs, 8, err);
        if (got < 0)
            rc = -1;
        for (int i = 0; i < got; i++)
            print_heard(&hs[i], verbose);
    }
    free(pcm);
    if (rc < 0)
        *status = 2;
    return rc;
}

static int hear_device(speech_in *si, const char *in_dev, bool verbose, fc_err *err) {
    audio *a = audio_pa_open(in_dev, NULL, err);
    if (!a)
        return -1;
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_signal;
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGTERM, &sa, NULL);
    if (isatty(2))
        fputs("floorcoach hear: listening (Ctrl-C to stop)\n", stderr);
    int16_t silence[AUDIO_BLOCK] = {0}, rec[AUDIO_BLOCK];
    heard hs[8];
    int rc = 0;
    while (!interrupted && rc == 0) {
        long t_ms = (long)(audio_samples(a) * 1000 / AUDIO_RATE);
        int r = audio_exchange(a, silence, rec, AUDIO_BLOCK, err);
        if (r < 0) {
            rc = -1;
            break;
        }
        if (r == 0)
            break;
        int got = speech_in_process(si, rec, AUDIO_BLOCK, t_ms, hs, 8, err);
        if (got < 0)
            rc = -1;
        for (int i = 0; i < got; i++)
            print_heard(&hs[i], verbose);
    }
    if (rc == 0) {
        int got = speech_in_flush(si, hs, 8, err);
        for (int i = 0; i < got; i++)
            print_heard(&hs[i], verbose);
    }
    audio_free(a, 0);
    return rc;
}

int hear_main(int argc, char **argv) {
    enum { O_MIC = 256, O_LEX, O_HOLD, O_EXPECT, O_PROFILE, O_NOPROFILE, O_IN, O_VERBOSE,
           O_TUNING, O_LEVEL };
    static const struct option opts[] = {{"mic", required_argument, 0, O_MIC},
                                         {"lexicon", required_argument, 0, O_LEX},
                                         {"hold", no_argument, 0, O_HOLD},
                                         {"expect", required_argument, 0, O_EXPECT},
                                         {"profile", required_argument, 0, O_PROFILE},
                                         {"no-profile", no_argument, 0, O_NOPROFILE},
                                         {"input-device", required_argument, 0, O_IN},
                                         {"verbose", no_argument, 0, O_VERBOSE},
                                         {"tuning", required_argument, 0, O_TUNING},
                                         {"voice-level", required_argument, 0, O_LEVEL},
                                         {"help", no_argument, 0, 'h'},
                                         {0, 0, 0, 0}};
    const char *mic = NULL, *lexpath = NULL, *profile = NULL, *in_dev = NULL, *tuning = NULL;
    bool hold = false, no_profile = false, verbose = false;
    unsigned long expected = 0;
    double level = NAN;
    int c;
    optind = 1;
    opterr = 0;
    while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
        switch (c) {
        case O_MIC:
            mic = optarg;
            break;
        case O_LEX:
            lexpath = optarg;
            break;
        case O_HOLD:
            hold = true;
            break;
        case O_EXPECT: {
            char bad[64];
            long bits = parse_expect(optarg, bad, sizeof bad);
            if (bits < 0) {
                fprintf(stderr, "floorcoach hear: --expect: unknown intent \"%s\"\n", bad);
                return 1;
            }
            expected = (unsigned long)bits;
            break;
        }
        case O_PROFILE:
            profile = optarg;
            break;
        case O_NOPROFILE:
            no_profile = true;
            break;
        case O_IN:
            in_dev = optarg;
            break;
        case O_VERBOSE:
            verbose = true;
            break;
        case O_TUNING:
            tuning = optarg;
            break;
        case O_LEVEL: {
            char *end;
            level = strtod(optarg, &end);
            if (end == optarg || *end || !(level >= -120 && level <= 0)) {
                fprintf(stderr, "floorcoach hear: --voice-level: \"%s\" is not a level in dBFS "
                        "(-120 to 0)\n", optarg);
                return 1;
            }
            break;
        }
        case 'h':
            hear_usage(stdout);
            return 0;
        default:
            fprintf(stderr, "floorcoach hear: unknown or incomplete option '%s'\n",
                    argv[optind - 1]);
            hear_usage(stderr);
            return 1;
        }
    }
    if (optind < argc) {
        fprintf(stderr, "floorcoach hear: unexpected argument '%s'\n", argv[optind]);
        hear_usage(stderr);
        return 1;
    }

    fc_err err = {{0}};
    char path[PATH_MAX], prof[PATH_MAX];
    if (!lexpath)
        lexpath = paths_resource(path, sizeof path, "voices/en-us/replies.cfg");
    lexicon *lx = lexicon_load(lexpath, &err);
    if (!lx) {
        fprintf(stderr, "floorcoach hear: %s\n", err.msg);
        return 1;
    }
    speech_in_opts sio = {0};
    sio.tuning = tuning;
    if (!no_profile) {
        if (profile) {
            sio.profile_dir = profile;
        } else if (paths_data_dir(prof, sizeof prof, NULL, &err) == 0) {
            size_t l = strlen(prof);
            snprintf(prof + l, sizeof prof - l, "/profile");
            if (access(prof, R_OK) == 0)
                sio.profile_dir = prof;
        }
    }
    int status = 0;
    speech_in *si = speech_in_new(lx, &sio, &err);
    if (!si) {
        /* A word the model does not know is the user's lexicon to fix. */
        status = strstr(err.msg, "dictionary") || strstr(err.msg, "tuning") ? 1 : 2;
        fprintf(stderr, "floorcoach hear: %s\n", err.msg);
        lexicon_free(lx);
        return status;
    }
    speech_in_set_context(si, expected, hold);
    speech_in_set_person_level(si, level);
    speech_in_set_raw(si, verbose);
    if (mic) {
        if (hear_file(si, mic, verbose, &err, &status) < 0)
            fprintf(stderr, "floorcoach hear: %s\n", err.msg);
    } else if (hear_device(si, in_dev, verbose, &err) < 0) {
        fprintf(stderr, "floorcoach hear: %s\n", err.msg);
        status = 2;
    }
    speech_in_free(si);
    lexicon_free(lx);
    return status;
}
