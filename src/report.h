/* report: a self-contained HTML page of past sessions for the person and
 * their physiotherapist (inline SVG charts, no scripts, printable in black
 * and white), and the `report` command that writes it. */
#ifndef FC_REPORT_H
#define FC_REPORT_H

#include "history.h"
#include <stdio.h>

/* Writes the page for the sessions of `l` that started on or after `since`
 * ("YYYY-MM-DD"; NULL or "" for all) to f. Every text that comes from a log
 * is HTML-escaped. `generated` (may be NULL) is shown as the creation time. */
void report_write_html(FILE *f, const hist_list *l, const char *since, const char *generated);

/* Rewrites the data folder's report.html from the sessions in `sessions_dir`
 * if that report exists (so forgotten sessions leave it too). Returns 1
 * when it rewrote the report, 0 when there was none, -1 on error with err
 * set. */
int report_refresh_default(const char *sessions_dir, fc_err *err);

/* The `report` command: `report [--out FILE.html] [--since DATE] [--dir DIR]`.
 * Default output: report.html in the data folder, mode 0600; `--out -`
 * writes to standard output. Returns 0, or 1 on a bad option or when the
 * file cannot be written. */
int report_main(int argc, char **argv);

#endif
