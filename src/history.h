/* history: reads the session logs back into a summary per session, and the
 * `history` command that prints them (a table, or CSV for spreadsheets). */
#ifndef FC_HISTORY_H
#define FC_HISTORY_H

#include "util.h"
#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

/* A safety event of one session: a verdict other than "continue" (except
 * centralization, which is good news), or a red flag heard. */
typedef struct hist_event {
    double t;         /* seconds into the session */
    char verdict[24]; /* "stop_exercise", "offer_easier", "end_session", or "" */
    char reason[32];  /* "peripheralization", "red_flag", ... */
    char exercise[64];
    char *heard; /* the words heard just before (owned; may be NULL) */
    char *asked; /* when those words answered yes or no: the question (owned; may be NULL) */
    char *said;  /* what floorcoach said about it (owned; may be NULL) */
} hist_event;

/* What happened to one exercise in one session. */
typedef struct hist_exercise {
    char id[64];
    int done, stopped, skipped;
    int spread; /* stopped because pain spread down the leg or nerve signs appeared */
    int other;  /* stopped for another reason (sharp pain, worse...) */
    int eased;  /* an easier version was offered instead */
} hist_exercise;

/* One session, summarized from its log. Strings are owned by the session. */
typedef struct hist_session {
    char *file;       /* base name of the log, e.g. "2025-03-01T09-12-44.jsonl" */
    char sortkey[24]; /* "YYYY-MM-DDTHH:MM:SS" local start time ("" if unknown) */
    char routine[64]; /* routine id */
    char routine_name[128];
    double duration;          /* seconds */
    char ended[16];           /* session_end reason, or "unfinished" when the log stops */
    int pain_start, pain_end; /* 0..10, -1 when not reported */
    int loc_start, loc_end;   /* enum location (0 = not reported) */
    bool truncated;           /* an unreadable line stopped reading */
    hist_exercise *ex;
    size_t nex;
    hist_event *events;
    size_t nevents;
} hist_session;

/* Sessions sorted by start time, oldest first. */
typedef struct hist_list {
    hist_session *s;
    size_t n;
    size_t skipped; /* files skipped as unreadable or foreign */
} hist_list;

/* Reads every session log in folder `dir` (files named *.jsonl). A file that
 * is not a floorcoach log is skipped, and a file with an unreadable line
 * (a crash mid-line) is read up to that line; either way one line naming the
 * file (never its contents) goes to `warn` (may be NULL). Returns 0 and fills
 * `out` (free with history_free), or -1 with err set when the folder cannot
 * be read. A missing folder is an empty history. */
int history_load(const char *dir, hist_list *out, FILE *warn, fc_err *err);

/* Summarizes one log file; returns 0, 1 when it was read only up to an
 * unreadable line (a note written to `warn`), or -1 (skipped; err set)
 * when it is not a floorcoach session log. `s` is freed with
 * history_session_free. */
int history_load_file(const char *path, hist_session *s, FILE *warn, fc_err *err);

void history_session_free(hist_session *s);
void history_free(hist_list *l); /* empties l; NULL is fine */

/* "back" .. "foot", or "-" for 0 / out of range. */
const char *history_location_name(int loc);

/* Writes "YYYY-MM-DD HH:MM" for s into buf (size n); returns buf. */
char *history_date(const hist_session *s, char *buf, size_t n);

/* Duration as "12:05" (minutes:seconds) or "1:02:03"; returns buf. */
char *history_duration(double seconds, char *buf, size_t n);

/* Plain words for a reason code ("peripheralization" -> "pain spread down
 * the leg"); unknown codes are returned as they are. Static string. */
const char *history_reason_words(const char *reason);

/* Plain words for how a session ended ("completed", "stopped by you",
 * "ended for safety", "red flag", "error", "unfinished"). Static string. */
const char *history_ended_words(const char *ended);

/* Writes into key (24 bytes) the sort key "YYYY-MM-DDTHH:MM:SS" of a start
 * time as logged ("2025-03-01T09:12:44+01:00") or as in a log's file name
 * ("2025-03-01T09-12-44.jsonl"); false when `text` is neither. */
bool history_sortkey(const char *text, char *key);

/* True when `s` is "YYYY-MM-DD" with plausible digits. */
bool history_valid_date(const char *s);

/* Writes the table (csv false) or CSV (csv true) of the last `last` sessions
 * of l (all when last <= 0) to f. */
void history_print(FILE *f, const hist_list *l, long last, bool csv);

/* The `history` command: `history [--last N] [--csv] [--dir DIR]`. DIR is
 * the folder holding the session logs (default: the data folder's
 * sessions/). Returns 0, or 1 on a bad option or unreadable folder. */
int history_main(int argc, char **argv);

#endif
