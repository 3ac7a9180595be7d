/* profile: where the enrollment profile lives, its lists of takes, and
 * replacing it atomically (see profile.h for the layout). */
#include "profile.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "paths.h"

#define RENAME_EXCHANGE_FLAG 2 /* RENAME_EXCHANGE of renameat2(2) */

const char *profile_stock_model(void) {
    const char *env = getenv("FLOORCOACH_PS_MODEL");
    return env && *env ? env : PROFILE_STOCK_MODEL;
}

int profile_remove_tree(const char *path) {
    if (!path || !*path)
        return 0;
    struct stat st;
    if (lstat(path, &st) != 0)
        return errno == ENOENT ? 0 : -1;
    if (!S_ISDIR(st.st_mode))
        return unlink(path);
    DIR *d = opendir(path);
    if (!d)
        return -1;
    int rc = 0;
    struct dirent *e;
    while ((e = readdir(d)) != NULL) {
        if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
            continue;
        char sub[PATH_MAX];
        if ((size_t)snprintf(sub, sizeof sub, "%s/%s", path, e->d_name) >= sizeof sub) {
            rc = -1;
            continue;
        }
        if (profile_remove_tree(sub) != 0)
            rc = -1;
    }
    closedir(d);
    if (rmdir(path) != 0)
        rc = -1;
    return rc;
}

/* Splits "<parent>/<name>" of a profile path; parent "." when none. */
static void split_path(const char *path, char *parent, size_t np, char *name, size_t nn) {
    char tmp[PATH_MAX];
    str_copy(tmp, path, sizeof tmp);
    size_t l = strlen(tmp);
    while (l > 1 && tmp[l - 1] == '/')
        tmp[--l] = '\0';
    char *slash = strrchr(tmp, '/');
    if (!slash) {
        str_copy(parent, ".", np);
        str_copy(name, tmp, nn);
    } else if (slash == tmp) {
        str_copy(parent, "/", np);
        str_copy(name, slash + 1, nn);
    } else {
        *slash = '\0';
        str_copy(parent, tmp, np);
        str_copy(name, slash + 1, nn);
    }
}

static bool pid_alive(long pid) {
    if (pid <= 0 || pid > INT_MAX)
        return false;
    return kill((pid_t)pid, 0) == 0 || errno == EPERM;
}

/* Visits the "<name><tag>PID" entries beside a profile. For ".new-": stage
 * folders of enrollments no longer running are deleted. For ".old-": a
 * profile moved aside by an interrupted two-rename swap is put back when
 * the profile is missing, deleted otherwise. */
static void tidy_beside(const char *profile_dir, const char *tag) {
    char parent[PATH_MAX], name[NAME_MAX + 1], prefix[NAME_MAX + 16];
    split_path(profile_dir, parent, sizeof parent, name, sizeof name);
    snprintf(prefix, sizeof prefix, "%s%s", name, tag);
    DIR *d = opendir(parent);
    if (!d)
        return;
    struct dirent *e;
    while ((e = readdir(d)) != NULL) {
        if (strncmp(e->d_name, prefix, strlen(prefix)) != 0)
            continue;
        char *end = NULL;
        long pid = strtol(e->d_name + strlen(prefix), &end, 10);
        if (!end || *end)
            continue;
        char full[PATH_MAX];
        if ((size_t)snprintf(full, sizeof full, "%s/%s", parent, e->d_name) >= sizeof full)
            continue;
        if (strcmp(tag, ".new-") == 0) {
            if (!pid_alive(pid) || pid == (long)getpid())
                profile_remove_tree(full);
        } else if (access(profile_dir, F_OK) != 0) {
            rename(full, profile_dir);
        } else {
            profile_remove_tree(full);
        }
    }
    closedir(d);
}

int profile_default_dir(char *buf, size_t n, fc_err *err) {
    if (paths_data_dir(buf, n, NULL, err) != 0)
        return -1;
    size_t l = strlen(buf);
    if ((size_t)snprintf(buf + l, n - l, "/profile") >= n - l)
        return err_set(err, "profile folder path too long");
    tidy_beside(buf, ".old-");
    return 0;
}

int profile_model_dir(const char *profile_dir, char *buf, size_t n) {
    if (!profile_dir || !*profile_dir || !buf || n == 0)
        return -1;
    if ((size_t)snprintf(buf, n, "%s/model", profile_dir) >= n)
        return -1;
    static const char *const needed[] = {"mdef", "means", "variances", "mixture_weights"};
    for (size_t i = 0; i < sizeof needed / sizeof needed[0]; i++) {
        char probe[PATH_MAX];
        snprintf(probe, sizeof probe, "%s/en-us/%s", buf, needed[i]);
        if (access(probe, R_OK) != 0)
            return -1;
    }
    return 0;
}

int profile_stage_new(const char *profile_dir, char *buf, size_t n, fc_err *err) {
    tidy_beside(profile_dir, ".new-");
    if ((size_t)snprintf(buf, n, "%s.new-%ld", profile_dir, (long)getpid()) >= n)
        return err_set(err, "profile folder path too long");
    if (mkdir(buf, 0700) != 0)
        return err_set(err, "cannot create %s: %s", buf, strerror(errno));
    chmod(buf, 0700);
    char wav[PATH_MAX];
    snprintf(wav, sizeof wav, "%s/wav", buf);
    if (mkdir(wav, 0700) != 0) {
        err_set(err, "cannot create %s: %s", wav, strerror(errno));
        profile_remove_tree(buf);
        return -1;
    }
    chmod(wav, 0700);
    return 0;
}

int profile_commit(const char *stage, const char *profile_dir, fc_err *err) {
    struct stat st;
    if (lstat(profile_dir, &st) != 0) {
        if (rename(stage, profile_dir) != 0)
            return err_set(err, "cannot put the new profile in place at %s: %s", profile_dir,
                           strerror(errno));
        return 0;
    }
    if (!S_ISDIR(st.st_mode))
        return err_set(err, "%s is not a folder; the new profile was not saved", profile_dir);
    if (syscall(SYS_renameat2, AT_FDCWD, stage, AT_FDCWD, profile_dir, RENAME_EXCHANGE_FLAG) == 0) {
        /* The stage now holds the previous profile. */
        profile_remove_tree(stage);
        return 0;
    }
    /* No exchange on this file system: move the old profile aside first;
     * profile_default_dir puts it back if we stop between the renames. */
    char old[PATH_MAX];
    snprintf(old, sizeof old, "%s.old-%ld", profile_dir, (long)getpid());
    if (rename(profile_dir, old) != 0)
        return err_set(err, "cannot replace the profile at %s: %s", profile_dir, strerror(errno));
    if (rename(stage, profile_dir) != 0) {
        int e = errno;
        rename(old, profile_dir);
        return err_set(err, "cannot replace the profile at %s: %s", profile_dir, strerror(e));
    }
    profile_remove_tree(old);
    return 0;
}

char *profile_take_id(const char *phrase, int take, char *buf, size_t n) {
    size_t o = 0;
    bool gap = false;
    for (const char *p = phrase; *p && o + 12 < n && o < 60; p++) {
        char c = *p;
        if (c >= 'A' && c <= 'Z')
            c = (char)(c - 'A' + 'a');
        if ((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9')) {
            if (gap && o > 0)
                buf[o++] = '_';
            buf[o++] = c;
            gap = false;
        } else if (c != '\'') {
            gap = true;
        }
    }
    if (o == 0 && n > 8)
        buf[o++] = 'x';
    snprintf(buf + o, n - o, "-%d", take);
    return buf;
}

int profile_read_takes(const char *dir, profile_take **takes, size_t *n, fc_err *err) {
    *takes = NULL;
    *n = 0;
    char path[PATH_MAX];
    snprintf(path, sizeof path, "%s/enroll.transcription", dir);
    FILE *f = fopen(path, "r");
    if (!f)
        return errno == ENOENT ? 0 : err_set(err, "cannot read %s: %s", path, strerror(errno));
    char line[512];
    size_t cap = 0;
    int lineno = 0;
    while (fgets(line, sizeof line, f)) {
        lineno++;
        line[strcspn(line, "\r\n")] = '\0';
        if (!line[0])
            continue;
        /* "<s> text </s> (id)" */
        char *open = strrchr(line, '(');
        char *close = open ? strchr(open, ')') : NULL;
        char *s = strstr(line, "<s> ");
        char *e = strstr(line, " </s>");
        if (!open || !close || !s || !e || e < s + 4) {
            fclose(f);
            free(*takes);
            *takes = NULL;
            *n = 0;
            return err_set(err, "%s:%d: expected \"<s> phrase </s> (id)\"", path, lineno);
        }
        if (*n == cap) {
            cap = cap ? cap * 2 : 64;
            *takes = xrealloc(*takes, cap * sizeof **takes);
        }
        profile_take *t = &(*takes)[(*n)++];
        *close = '\0';
        str_copy(t->id, open + 1, sizeof t->id);
        *e = '\0';
        str_copy(t->text, s + 4, sizeof t->text);
    }
    fclose(f);
    return 0;
}

int profile_write_takes(const char *dir, const profile_take *takes, size_t n, fc_err *err) {
    char path[PATH_MAX];
    snprintf(path, sizeof path, "%s/enroll.fileids", dir);
    FILE *f = paths_open_private(path, err);
    if (!f)
        return -1;
    for (size_t i = 0; i < n; i++)
        fprintf(f, "wav/%s\n", takes[i].id);
    if (fclose(f) != 0)
        return err_set(err, "cannot write %s: %s", path, strerror(errno));
    snprintf(path, sizeof path, "%s/enroll.transcription", dir);
    f = paths_open_private(path, err);
    if (!f)
        return -1;
    for (size_t i = 0; i < n; i++)
        fprintf(f, "<s> %s </s> (%s)\n", takes[i].text, takes[i].id);
    if (fclose(f) != 0)
        return err_set(err, "cannot write %s: %s", path, strerror(errno));
    return 0;
}

char *profile_path(char *buf, size_t n, const char *dir, const char *rel) {
    if ((size_t)snprintf(buf, n, "%s/%s", dir, rel) >= n && n > 0)
        buf[0] = '\0';
    return buf;
}

int profile_copy_file(const char *from, const char *to, fc_err *err) {
    int in = open(from, O_RDONLY | O_CLOEXEC);
    if (in < 0)
        return err_set(err, "cannot read %s: %s", from, strerror(errno));
    int out = open(to, O_WRONLY | O_CREAT | O_TRUNC | O_NOFOLLOW | O_CLOEXEC, 0600);
    if (out < 0) {
        close(in);
        return err_set(err, "cannot write %s: %s", to, strerror(errno));
    }
    fchmod(out, 0600);
    char buf[65536];
    ssize_t got;
    int rc = 0;
    while ((got = read(in, buf, sizeof buf)) > 0) {
        for (ssize_t off = 0; off < got;) {
            ssize_t w = write(out, buf + off, (size_t)(got - off));
            if (w < 0) {
                if (errno == EINTR)
                    continue;
                rc = err_set(err, "cannot write %s: %s", to, strerror(errno));
                break;
            }
            off += w;
        }
        if (rc)
            break;
    }
    if (got < 0)
        rc = err_set(err, "cannot read %s: %s", from, strerror(errno));
    close(in);
    if (close(out) != 0 && rc == 0)
        rc = err_set(err, "cannot write %s: %s", to, strerror(errno));
    return rc;
}
