/* adapt: adapts PocketSphinx's stock acoustic model to one person and one
 * room from their enrollment recordings (MAP adaptation with Debian's
 * sphinxtrain tools, run as child processes), then checks that the adapted
 * model hears those recordings at least as well as the stock one. */
#ifndef FC_ADAPT_H
#define FC_ADAPT_H

#include "util.h"
#include <stdbool.h>

/* Which recordings the model is adapted on. Measured in bench/enroll.sh. */
typedef enum adapt_train {
    ADAPT_TRAIN_BOTH,  /* the recordings and their copies mixed with the room's noise */
    ADAPT_TRAIN_NOISY, /* only the copies mixed with the room's noise */
    ADAPT_TRAIN_CLEAN  /* only the recordings as they were made */
} adapt_train;

typedef struct adapt_opts {
    const char *stock_model; /* folder holding en-us/ and cmudict-en-us.dict; NULL:
                                profile_stock_model() */
    double noise_snr_db;     /* room noise mixed into the copies at this SNR (15) */
    adapt_train train;       /* ADAPT_TRAIN_BOTH */
    int tool_timeout_s;      /* a tool running longer is killed (120) */
} adapt_opts;

/* The defaults above; the benchmark may change the recipe with the
 * environment: FLOORCOACH_ADAPT_TRAIN=both|noisy|clean and
 * FLOORCOACH_ADAPT_SNR=dB. */
adapt_opts adapt_defaults(void);

typedef struct adapt_result {
    bool ran;    /* the tools ran to the end and the check was made */
    bool kept;   /* the adapted model passed the check: <dir>/model exists */
    int n_clean; /* recordings decoded in the check */
    int n_noisy; /* their copies with the room's noise (0 when the room was silent) */
    int stock_clean_ok, stock_noisy_ok;     /* exact phrase decoded, stock model */
    int adapted_clean_ok, adapted_noisy_ok; /* the same with the adapted model */
    double cpu_s;                           /* CPU seconds: the tools and this thread's own work */
    char reason[256]; /* why no model was kept, in words a person understands */
} adapt_result;

/* Adapts the stock model to the profile (or stage) folder `dir` laid out
 * as in profile.h (enroll.transcription, wav/, room.wav). Work files go to
 * <dir>/adapt-work (deleted at the end), what the tools print to
 * <dir>/adapt.log (0600). When the adapted model decodes the recordings
 * and their noisy copies (a grammar of the enrolled phrases) at least as
 * well as the stock model overall, and loses at most one clean recording
 * in 33 (a collapsed model hears nothing), it is written to <dir>/model
 * (layout in profile.h) and r->kept is set. Any <dir>/model from before is
 * removed first.
 * Returns 0 when a decision was reached (kept or not: r->reason says why
 * not) or when the tools are missing (r->ran false, reason says which);
 * -1 with err set when something failed on the way (no model written).
 * `r` is always filled. Safe to call from a thread other than the one
 * doing audio (no global state besides the child processes it waits for). */
int adapt_profile(const char *dir, const adapt_opts *o, adapt_result *r, fc_err *err);

/* Expands PocketSphinx's quantized mixture weights (`sendump`, 8-bit
 * negative logs, [feature][codeword][senone]) into a sphinxbase s3
 * `mixture_weights` file (float32 [senone][feature][codeword], each row
 * normalized), which sphinxtrain's bw and map_adapt need and Debian's
 * en-us model lacks. Returns 0, or -1 with err set. */
int adapt_expand_sendump(const char *sendump_path, const char *mixw_path, fc_err *err);

/* The full path of a sphinxtrain or PocketSphinx tool ("bw", "sphinx_fe",
 * "pocketsphinx_batch"...) into buf: $FLOORCOACH_SPHINXTRAIN, then
 * /usr/lib/sphinxtrain, then $PATH. Returns 0, or -1 when not found. */
int adapt_find_tool(const char *name, char *buf, size_t n);

#endif
