/* runner: the loop around a session: audio (or the console) in, session,
 * speech out, session log. */
#ifndef FC_RUNNER_H
#define FC_RUNNER_H

#include <stdbool.h>

typedef struct runner_opts {
    const char *routine;    /* bundled name or path; NULL: the default routine */
    const char *voice;      /* voice profile; NULL: the routine's or the default */
    bool text;              /* console mode */
    bool fast;              /* console mode: time passes instantly */
    const char *mic;        /* file mode: microphone WAV */
    const char *speaker;    /* file mode: speaker WAV (may be NULL) */
    double echo_db;         /* file mode echo level; NAN: none */
    int echo_ms;            /* file mode echo delay */
    const char *log;        /* session log path; NULL: default under the data folder */
    const char *input_dev;  /* device mode */
    const char *output_dev;
    const char *profile;    /* enrollment profile folder; NULL: the default one */
    bool no_profile;
    bool verbose;
    bool no_screening;      /* skip the red-flag questions (tests) */
    bool no_baseline;       /* skip the baseline questions (tests) */
} runner_opts;

void runner_opts_default(runner_opts *o);

/* Runs one session; returns the exit status (0 completed or stopped by the
 * user, 1 bad input, 2 audio or speech unavailable, 3 ended for safety). */
int runner_run(const runner_opts *o);

/* The `run` command: parses options into runner_opts and runs. */
int run_main(int argc, char **argv);

#endif
