/* check: the `check` and `list` commands (validate routines, list bundled ones). */
#ifndef FC_CHECK_H
#define FC_CHECK_H

/* `floorcoach check ROUTINE...`: loads each routine (a file or a bundled
 * name), prints "FILE: ok" to stdout for each valid one, errors and
 * "file:line: warning: ..." lines to stderr. Returns 0 when every routine
 * is valid (warnings allowed), 1 otherwise or on bad usage. */
int check_main(int argc, char **argv);

/* `floorcoach list`: prints the bundled routines with their one-line
 * descriptions, then the voices (voice_list). Returns 0, or 1 on bad usage. */
int list_main(int argc, char **argv);

#endif
