/* paths: where bundled data (routines, voices) and the user's data live. */
#ifndef FC_PATHS_H
#define FC_PATHS_H

#include "util.h"
#include <stddef.h>
#include <stdio.h>

/* Folder holding the bundled `routines/` and `voices/`: $FLOORCOACH_DATA if
 * set, else the folder of the running executable when it has `routines/`
 * (a source checkout), else the installed share folder. Static string. */
const char *paths_resource_dir(void);

/* Writes "<resource dir>/<rel>" into buf; returns buf. */
char *paths_resource(char *buf, size_t n, const char *rel);

/* The user's data folder, $XDG_DATA_HOME/floorcoach (default
 * ~/.local/share/floorcoach), created if missing with mode 0700 and
 * tightened to 0700 (with a one-line notice on stderr) if wider.
 * `sub` (may be NULL) names a subfolder created the same way.
 * Returns 0 and writes the path into buf, or -1 with err set. */
int paths_data_dir(char *buf, size_t n, const char *sub, fc_err *err);

/* Makes a file private (0600), noting on stderr when it was wider
 * ("floorcoach: tightened permissions of PATH to 0600 (it holds health
 * data)"). Files already 0600 or narrower, and missing files, are left
 * alone. */
void paths_tighten_file(const char *path);

/* Opens `path` for writing (created, or truncated) so that only its owner
 * can read it: created with mode 0600 whatever the umask, and an existing
 * wider file tightened with the notice above. Refuses a symbolic link or
 * anything but a regular file. Returns the stream (the caller fcloses it),
 * or NULL with err set. */
FILE *paths_open_private(const char *path, fc_err *err);

#endif
