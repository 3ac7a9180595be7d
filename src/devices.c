/* devices: the `floorcoach devices` command. */
#include "devices.h"

#include <stdio.h>
#include <string.h>

#include "audio.h"
#include "util.h"

static void devices_usage(FILE *f) {
    fputs("Usage: floorcoach devices [--verbose]\n"
          "\n"
          "Lists the audio input (microphone) and output (speaker) devices. Pass an\n"
          "index or part of a name to `floorcoach run --input-device/--output-device`.\n"
          "\n"
          "  --verbose    also show the audio system's own start-up messages\n"
          "  -h, --help   this help\n"
          "\n"
          "Exit status: 0, 1 bad option, 2 no audio system or no device.\n",
          f);
}

int devices_main(int argc, char **argv) {
    int verbose = 0;
    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "-h") || !strcmp(argv[i], "--help")) {
            devices_usage(stdout);
            return 0;
        }
        if (!strcmp(argv[i], "--verbose")) {
            verbose = 1;
            continue;
        }
        fprintf(stderr, "floorcoach devices: unknown option '%s'\n", argv[i]);
        fprintf(stderr, "Try 'floorcoach devices --help'.\n");
        return 1;
    }
    audio_pa_set_verbose(verbose, NULL);
    fc_err err = {{0}};
    if (audio_pa_list(&err) != 0) {
        fprintf(stderr, "floorcoach: %s\n", err.msg);
        return 2;
    }
    return 0;
}
