/* paths: where bundled data and the user's data live. */
#include "paths.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#ifndef FC_DATADIR
#define FC_DATADIR "/usr/local/share/floorcoach"
#endif

static int has_routines(const char *dir) {
    char p[PATH_MAX];
    struct stat st;
    if ((size_t)snprintf(p, sizeof p, "%s/routines", dir) >= sizeof p)
        return 0;
    return stat(p, &st) == 0 && S_ISDIR(st.st_mode);
}

const char *paths_resource_dir(void) {
    static char dir[PATH_MAX];
    if (dir[0])
        return dir;
    const char *env = getenv("FLOORCOACH_DATA");
    if (env && *env) {
        str_copy(dir, env, sizeof dir);
        return dir;
    }
    char exe[PATH_MAX];
    ssize_t n = readlink("/proc/self/exe", exe, sizeof exe - 1);
    if (n > 0) {
        exe[n] = '\0';
        char *slash = strrchr(exe, '/');
        if (slash) {
            *slash = '\0';
            /* A source checkout (./floorcoach) or its build folders. */
            if (has_routines(exe)) {
                str_copy(dir, exe, sizeof dir);
                return dir;
            }
            slash = strrchr(exe, '/');
            if (slash) {
                *slash = '\0';
                if (has_routines(exe)) {
                    str_copy(dir, exe, sizeof dir);
                    return dir;
                }
            }
        }
    }
    str_copy(dir, FC_DATADIR, sizeof dir);
    return dir;
}

char *paths_resource(char *buf, size_t n, const char *rel) {
    snprintf(buf, n, "%s/%s", paths_resource_dir(), rel);
    return buf;
}

/* Creates `dir` with mode 0700, or tightens it when it is wider. */
static int private_dir(const char *dir, fc_err *err) {
    struct stat st;
    if (stat(dir, &st) != 0) {
        if (mkdir(dir, 0700) != 0 && errno != EEXIST)
            return err_set(err, "cannot create %s: %s", dir, strerror(errno));
        if (chmod(dir, 0700) != 0)
            return err_set(err, "cannot set permissions of %s: %s", dir, strerror(errno));
        return 0;
    }
    if (!S_ISDIR(st.st_mode))
        return err_set(err, "%s exists and is not a folder", dir);
    if (st.st_mode & 077) {
        if (chmod(dir, 0700) != 0)
            return err_set(err, "cannot set permissions of %s: %s", dir, strerror(errno));
        fprintf(stderr, "floorcoach: tightened permissions of %s to 0700 (it holds health data)\n",
                dir);
    }
    return 0;
}

/* Creates every missing parent of `path`. Mode 0700, as the XDG base
 * directory specification asks for folders it makes; existing parents are
 * the person's own and left as they are. */
static int make_parents(const char *path, fc_err *err) {
    char tmp[PATH_MAX];
    str_copy(tmp, path, sizeof tmp);
    for (char *p = tmp + 1; *p; p++) {
        if (*p != '/')
            continue;
        *p = '\0';
        if (mkdir(tmp, 0700) != 0 && errno != EEXIST)
            return err_set(err, "cannot create %s: %s", tmp, strerror(errno));
        *p = '/';
    }
    return 0;
}

int paths_data_dir(char *buf, size_t n, const char *sub, fc_err *err) {
    const char *xdg = getenv("XDG_DATA_HOME");
    char base[PATH_MAX];
    if (xdg && *xdg == '/') {
        snprintf(base, sizeof base, "%s/floorcoach", xdg);
    } else {
        const char *home = getenv("HOME");
        if (!home || !*home)
            return err_set(err,
                           "cannot find the data folder: neither XDG_DATA_HOME nor HOME is set");
        snprintf(base, sizeof base, "%s/.local/share/floorcoach", home);
    }
    if (make_parents(base, err) != 0 || private_dir(base, err) != 0)
        return -1;
    if (sub && *sub) {
        if ((size_t)snprintf(buf, n, "%s/%s", base, sub) >= n)
            return err_set(err, "data folder path too long");
        /* Each folder of a nested `sub` is private too. */
        for (char *p = buf + strlen(base) + 1; *p; p++) {
            if (*p != '/')
                continue;
            *p = '\0';
            int rc = private_dir(buf, err);
            *p = '/';
            if (rc != 0)
                return -1;
        }
        return private_dir(buf, err);
    }
    if ((size_t)snprintf(buf, n, "%s", base) >= n)
        return err_set(err, "data folder path too long");
    return 0;
}

static void notice_file(const char *path) {
    fprintf(stderr, "floorcoach: tightened permissions of %s to 0600 (it holds health data)\n",
            path);
}

void paths_tighten_file(const char *path) {
    struct stat st;
    if (stat(path, &st) == 0 && S_ISREG(st.st_mode) && (st.st_mode & 077)) {
        if (chmod(path, 0600) == 0)
            notice_file(path);
    }
}

FILE *paths_open_private(const char *path, fc_err *err) {
    /* O_NOFOLLOW: a link planted in the data folder must not redirect
     * health data to a file someone else can read. */
    int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_NOFOLLOW | O_CLOEXEC, 0600);
    if (fd < 0) {
        err_set(err, "cannot write %s: %s", path,
                errno == ELOOP ? "it is a symbolic link" : strerror(errno));
        return NULL;
    }
    struct stat st;
    if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
        close(fd);
        err_set(err, "cannot write %s: not a regular file", path);
        return NULL;
    }
    /* A new file got 0600 minus the umask; make it exactly 0600 so the
     * owner can still read it, and tighten an existing wider one. */
    if (fchmod(fd, 0600) != 0) {
        err_set(err, "cannot set permissions of %s: %s", path, strerror(errno));
        close(fd);
        return NULL;
    }
    if (st.st_mode & 077)
        notice_file(path);
    FILE *f = fdopen(fd, "w");
    if (!f) {
        err_set(err, "cannot write %s: %s", path, strerror(errno));
        close(fd);
    }
    return f;
}
