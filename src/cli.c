/* cli: the command line: commands, options, help. */
#include "cli.h"

#include <getopt.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "devices.h"
#include "enroll.h"
#include "forget.h"
#include "hear.h"
#include "history.h"
#include "report.h"
#include "runner.h"
#include "say.h"
#include "util.h"

typedef struct command {
    const char *name;
    int (*main)(int argc, char **argv);
    const char *summary;
} command;

static const command commands[] = {
    {"run", run_main, "a session (the default command)"},
    {"check", check_main, "validate routine files: file:line errors, clinical warnings"},
    {"list", list_main, "the bundled routines and voices"},
    {"devices", devices_main, "the audio devices"},
    {"say", say_main, "speak a sentence (a speaker test)"},
    {"hear", hear_main, "print each recognized reply as one JSON line"},
    {"enroll", enroll_main, "learn your voice and room (a few minutes, hands-free)"},
    {"history", history_main, "past sessions, one line each"},
    {"report", report_main, "a printable HTML report of past sessions"},
    {"forget", forget_main, "delete stored sessions"},
};

static void usage(FILE *f) {
    fputs("Usage: floorcoach [run] [ROUTINE] [OPTIONS]\n"
          "       floorcoach COMMAND [ARGS]\n"
          "\n"
          "A voice-guided, hands-free exercise assistant for sciatica. It speaks each\n"
          "step, counts each hold aloud and listens for short replies. It does not\n"
          "replace a clinician.\n"
          "\n"
          "Commands:\n",
          f);
    for (size_t i = 0; i < sizeof commands / sizeof commands[0]; i++)
        fprintf(f, "  %-10s %s\n", commands[i].name, commands[i].summary);
    fputs("\n`floorcoach COMMAND --help` describes a command's options.\n", f);
}

static void run_usage(FILE *f) {
    fputs("Usage: floorcoach run [ROUTINE] [OPTIONS]\n"
          "\n"
          "Runs a session. ROUTINE is a bundled name (see `floorcoach list`) or a file;\n"
          "without one, the default routine (" "gentle-start" ").\n"
          "\n"
          "Options:\n"
          "  --voice NAME            voice profile (see `floorcoach list`)\n"
          "  --text                  console: print what would be said, read typed replies\n"
          "  --fast                  with --text: time passes instantly (scripts)\n"
          "  --mic IN.wav            file mode: read the microphone from IN.wav\n"
          "  --speaker OUT.wav       file mode: write what is said to OUT.wav\n"
          "  --echo DB[,MS]          file mode: mix what is said back into the microphone\n"
          "                          at DB (e.g. -6) after MS milliseconds (default 20)\n"
          "  --log FILE              session log (default: the data folder's sessions/)\n"
          "  --input-device DEV      microphone: index or part of its name\n"
          "  --output-device DEV     speaker: index or part of its name\n"
          "  --profile DIR           enrollment profile to listen with\n"
          "  --no-profile            listen with the stock model only\n"
          "  --no-screening          skip the red-flag questions (for tests only)\n"
          "  --no-baseline           skip the baseline pain questions\n"
          "  --verbose               debug messages on stderr (includes what was heard)\n"
          "  -h, --help              this help\n"
          "\n"
          "Exit status: 0 completed or stopped by you, 1 bad input, 2 audio or speech\n"
          "unavailable, 3 ended by the safety checker.\n",
          f);
}

int run_main(int argc, char **argv) {
    enum { O_VOICE = 256, O_TEXT, O_FAST, O_MIC, O_SPEAKER, O_ECHO, O_LOG, O_IN, O_OUT,
           O_PROFILE, O_NOPROFILE, O_VERBOSE, O_NOSCREEN, O_NOBASE };
    static const struct option opts[] = {
        {"voice", required_argument, 0, O_VOICE},
        {"text", no_argument, 0, O_TEXT},
        {"fast", no_argument, 0, O_FAST},
        {"mic", required_argument, 0, O_MIC},
        {"speaker", required_argument, 0, O_SPEAKER},
        {"echo", required_argument, 0, O_ECHO},
        {"log", required_argument, 0, O_LOG},
        {"input-device", required_argument, 0, O_IN},
        {"output-device", required_argument, 0, O_OUT},
        {"profile", required_argument, 0, O_PROFILE},
        {"no-profile", no_argument, 0, O_NOPROFILE},
        {"verbose", no_argument, 0, O_VERBOSE},
        {"no-screening", no_argument, 0, O_NOSCREEN},
        {"no-baseline", no_argument, 0, O_NOBASE},
        {"help", no_argument, 0, 'h'},
        {0, 0, 0, 0}};
    runner_opts o;
    runner_opts_default(&o);
    optind = 1;
    opterr = 0;
    int c;
    while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
        switch (c) {
        case O_VOICE: o.voice = optarg; break;
        case O_TEXT: o.text = true; break;
        case O_FAST: o.fast = true; break;
        case O_MIC: o.mic = optarg; break;
        case O_SPEAKER: o.speaker = optarg; break;
        case O_ECHO: {
            char *end;
            double db = strtod(optarg, &end);
            long ms = 20;
            if (end == optarg || db > 20 || db < -120 || isnan(db))
                goto bad_echo;
            if (*end == ',') {
                char *e2;
                ms = strtol(end + 1, &e2, 10);
                if (e2 == end + 1 || *e2 || ms < 0 || ms > 2000)
                    goto bad_echo;
            } else if (*end) {
                goto bad_echo;
            }
            o.echo_db = db;
            o.echo_ms = (int)ms;
            break;
        bad_echo:
            fprintf(stderr, "floorcoach: --echo %s: expected DB[,MS], e.g. -6 or -6,30 "
                            "(DB from -120 to 20, MS from 0 to 2000)\n", optarg);
            return 1;
        }
        case O_LOG: o.log = optarg; break;
        case O_IN: o.input_dev = optarg; break;
        case O_OUT: o.output_dev = optarg; break;
        case O_PROFILE: o.profile = optarg; break;
        case O_NOPROFILE: o.no_profile = true; break;
        case O_VERBOSE: o.verbose = true; break;
        case O_NOSCREEN: o.no_screening = true; break;
        case O_NOBASE: o.no_baseline = true; break;
        case 'h': run_usage(stdout); return 0;
        default:
            fprintf(stderr, "floorcoach run: unknown or incomplete option '%s'\n", argv[optind - 1]);
            fprintf(stderr, "Try 'floorcoach run --help'.\n");
            return 1;
        }
    }
    if (optind < argc)
        o.routine = argv[optind++];
    if (optind < argc) {
        fprintf(stderr, "floorcoach run: unexpected argument '%s'\n", argv[optind]);
        return 1;
    }
    if (o.fast && !o.text) {
        fprintf(stderr, "floorcoach run: --fast needs --text (file mode is always fast)\n");
        return 1;
    }
    if ((o.speaker || !isnan(o.echo_db)) && !o.mic) {
        fprintf(stderr, "floorcoach run: --speaker and --echo need --mic IN.wav (file mode)\n");
        return 1;
    }
    if (o.text && o.mic) {
        fprintf(stderr, "floorcoach run: choose --text or --mic, not both\n");
        return 1;
    }
    return runner_run(&o);
}

int cli_main(int argc, char **argv) {
    if (argc < 2)
        return run_main(argc, argv);
    const char *cmd = argv[1];
    if (!strcmp(cmd, "-h") || !strcmp(cmd, "--help") || !strcmp(cmd, "help")) {
        usage(stdout);
        return 0;
    }
    if (!strcmp(cmd, "--version") || !strcmp(cmd, "-V")) {
        printf("floorcoach %s\n", FC_VERSION);
        return 0;
    }
    for (size_t i = 0; i < sizeof commands / sizeof commands[0]; i++)
        if (!strcmp(cmd, commands[i].name))
            return commands[i].main(argc - 1, argv + 1);
    /* `floorcoach ROUTINE` and `floorcoach --text ...` mean run; a word that
     * is no command is taken as a routine name, and run says if none exists. */
    return run_main(argc, argv);
}
