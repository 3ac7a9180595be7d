/* profile: the person's enrollment profile on disk (their replies recorded
 * in their room, and the acoustic model adapted to them), and how it is
 * replaced atomically.
 *
 * Layout of a profile folder (default <data dir>/profile; the folder and
 * its subfolders 0700, every file 0600):
 *
 *   profile.cfg            libconfig: version, date, noise_dbfs, model
 *                          ("adapted" or "stock"), the adaptation figures,
 *                          and phrases = ( { id, text, intent, take,
 *                          level_dbfs, snr_db }, ... )
 *   room.wav               ten seconds of the room's noise (16 kHz mono)
 *   wav/ID.wav             one recording per take (16 kHz mono), the reply
 *                          with ~0.3 s of room around it
 *   enroll.fileids         "wav/ID" per line (a sphinxtrain control file)
 *   enroll.transcription   "<s> phrase </s> (ID)" per line
 *   enroll.jsonl           the enrollment's log (when no --log was given)
 *   adapt.log              what the adaptation tools printed, and the check
 *   model/                 ONLY when adaptation succeeded and the adapted
 *                          model decoded the enrollment recordings at least
 *                          as well as the stock one:
 *     en-us/               the adapted acoustic model (mdef, means,
 *                          variances, mixture_weights, transition_matrices,
 *                          feat.params, noisedict; no sendump)
 *     cmudict-en-us.dict   symbolic link to the stock dictionary
 *     en-us-phone.lm.bin   symbolic link to the stock phone language model
 *
 * model/ mirrors the stock model folder (/usr/share/pocketsphinx/model/en-us),
 * so a listener uses <profile>/model wherever it used the stock folder: the
 * decoder's -hmm is <profile>/model/en-us. profile_model_dir() says whether
 * it is there.
 *
 * Replacing: an enrollment is built in a stage folder beside the profile
 * ("<profile>.new-PID") and swapped in with one rename, so an interrupted or
 * failed enrollment leaves the previous profile as it was. */
#ifndef FC_PROFILE_H
#define FC_PROFILE_H

#include "util.h"
#include <stdbool.h>
#include <stddef.h>

#define PROFILE_STOCK_MODEL "/usr/share/pocketsphinx/model/en-us"

/* The stock model folder (the one holding en-us/ and cmudict-en-us.dict):
 * $FLOORCOACH_PS_MODEL if set, else PROFILE_STOCK_MODEL. Static string. */
const char *profile_stock_model(void);

/* The default profile folder, <data dir>/profile, into buf (size n). The
 * data folder is created (paths_data_dir); the profile itself is not. If an
 * earlier swap was cut short between its two renames, the previous profile
 * is put back first. Returns 0, or -1 with err set. */
int profile_default_dir(char *buf, size_t n, fc_err *err);

/* The adapted model folder of `profile_dir` ("<profile_dir>/model", the
 * counterpart of the stock folder) into buf (size n). Returns 0 when an
 * adapted, verified model is there (model/en-us/mdef, means, variances and
 * mixture_weights readable), -1 otherwise (then listen with the stock
 * model). profile_dir NULL gives -1. */
int profile_model_dir(const char *profile_dir, char *buf, size_t n);

/* Creates an empty stage folder (mode 0700) beside `profile_dir`, named
 * "<profile_dir>.new-PID", with its wav/ subfolder, and writes its path
 * into buf. Stage folders left by enrollments that are no longer running
 * are removed first. The parent folder must exist. Returns 0, or -1. */
int profile_stage_new(const char *profile_dir, char *buf, size_t n, fc_err *err);

/* Puts the stage folder in place of `profile_dir` (which may not exist):
 * atomically where the file system can exchange two names, else with two
 * renames that profile_default_dir repairs if cut between them. The old
 * profile is deleted afterwards. Returns 0, or -1 with err set (then the
 * old profile is untouched and the stage is left for the caller). */
int profile_commit(const char *stage, const char *profile_dir, fc_err *err);

/* Deletes a folder and everything in it (symbolic links are removed, not
 * followed). NULL or a missing folder is fine. Returns 0, or -1. */
int profile_remove_tree(const char *path);

/* One recorded take, as listed in enroll.transcription. */
typedef struct profile_take {
    char id[80];    /* file name without .wav, e.g. "pain_down_my_leg-1" */
    char text[160]; /* the phrase, normalized */
} profile_take;

/* Reads <dir>/enroll.transcription. *takes (caller frees) gets *n entries;
 * a missing file gives 0 entries. Returns 0, or -1 with err set on a
 * malformed line (file:line). */
int profile_read_takes(const char *dir, profile_take **takes, size_t *n, fc_err *err);

/* Writes <dir>/enroll.fileids and <dir>/enroll.transcription (0600) for
 * the `n` takes. Returns 0, or -1 with err set. */
int profile_write_takes(const char *dir, const profile_take *takes, size_t n, fc_err *err);

/* The take id for a phrase and take number: lower-case letters and digits
 * of the phrase joined by '_', then "-take" ("can't feel my foot", 2 gives
 * "cant_feel_my_foot-2"). Writes into buf (size n); returns buf. */
char *profile_take_id(const char *phrase, int take, char *buf, size_t n);

/* "<dir>/<rel>" into buf (size n); a path too long for buf gives "" (which
 * no file operation accepts). Returns buf. */
char *profile_path(char *buf, size_t n, const char *dir, const char *rel);

/* Copies a regular file; the copy is created 0600. Returns 0, or -1. */
int profile_copy_file(const char *from, const char *to, fc_err *err);

#endif
