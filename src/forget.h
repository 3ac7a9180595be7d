/* forget: deletes stored sessions (health data) on request. */
#ifndef FC_FORGET_H
#define FC_FORGET_H

/* The `forget` command:
 *   floorcoach forget [--all | --before DATE | SESSION...] [--yes] [--dir DIR]
 * --all: every session log; --before DATE (YYYY-MM-DD): sessions that
 * started before that day; SESSION: a log's file name, its name without
 * ".jsonl", or a start time as `history` shows it ("2025-03-01 09:00") or
 * a day ("2025-03-01"), matching every session that started then. Asks
 * for confirmation on a terminal; without a terminal it refuses unless
 * --yes is given. Says how many were removed, and rewrites the data
 * folder's report.html (if there is one) without them. DIR is the folder
 * of the logs (default: the data folder's sessions/). Returns 0, or 1 on a
 * bad option, a SESSION that matches nothing, a refusal or a failed delete. */
int forget_main(int argc, char **argv);

#endif
