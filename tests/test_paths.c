/* test_paths: the data folder and its files stay private (0700 / 0600)
 * whatever the umask, and wider ones are tightened with a notice. */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "check.h"
#include "history.h"
#include "paths.h"
#include "report.h"

static char tmpdir[256];
static char errpath[300];
static int saved_stderr = -1;

/* Sends stderr to a file, so the notices can be read back. */
static void capture_begin(void) {
    fflush(stderr);
    saved_stderr = dup(2);
    int fd = open(errpath, O_WRONLY | O_CREAT | O_TRUNC, 0600);
    dup2(fd, 2);
    close(fd);
}

/* Restores stderr; returns what was written (caller frees). */
static char *capture_end(void) {
    fflush(stderr);
    dup2(saved_stderr, 2);
    close(saved_stderr);
    fc_err err;
    char *s = file_read_all(errpath, NULL, &err);
    return s ? s : xstrdup("");
}

static unsigned mode_of(const char *path) {
    struct stat st;
    if (lstat(path, &st) != 0)
        return 01000; /* missing */
    return (unsigned)(st.st_mode & 07777);
}

static void test_fresh_under_umask_0(void) {
    char xdg[300], want[400], buf[512];
    fc_err err;
    snprintf(xdg, sizeof xdg, "%s/fresh/share", tmpdir);
    setenv("XDG_DATA_HOME", xdg, 1);
    umask(0);
    capture_begin();
    int rc = paths_data_dir(buf, sizeof buf, "sessions", &err);
    char *notes = capture_end();
    CHECK_INT(rc, 0);
    snprintf(want, sizeof want, "%s/floorcoach/sessions", xdg);
    CHECK_STR(buf, want);
    CHECK_INT(mode_of(buf), 0700);
    snprintf(want, sizeof want, "%s/floorcoach", xdg);
    CHECK_INT(mode_of(want), 0700);
    CHECK_INT(mode_of(xdg), 0700); /* folders it had to make are private too */
    CHECK_STR(notes, "");          /* nothing to tighten: no notice */
    free(notes);

    CHECK_INT(paths_data_dir(buf, sizeof buf, NULL, &err), 0);
    CHECK_STR(buf, want);

    /* Files: 0600 under umask 0. */
    char file[600];
    snprintf(file, sizeof file, "%s/report.html", buf);
    FILE *f = paths_open_private(file, &err);
    CHECK(f != NULL, "open private: %s", err.msg);
    if (f) {
        fputs("x", f);
        fclose(f);
    }
    CHECK_INT(mode_of(file), 0600);

    /* The report command writes its file 0600 under umask 0 too. */
    char *argv[] = {"report", "--dir", buf, NULL};
    fflush(stdout);
    int saved_out = dup(1);
    int devnull = open("/dev/null", O_WRONLY);
    dup2(devnull, 1);
    close(devnull);
    capture_begin();
    rc = report_main(3, argv);
    free(capture_end());
    fflush(stdout);
    dup2(saved_out, 1);
    close(saved_out);
    CHECK_INT(rc, 0);
    CHECK_INT(mode_of(file), 0600);
}

static void test_existing_wide(void) {
    char xdg[300], base[400], sub[500], buf[512], want[1024];
    fc_err err;
    snprintf(xdg, sizeof xdg, "%s/wide", tmpdir);
    snprintf(base, sizeof base, "%s/floorcoach", xdg);
    snprintf(sub, sizeof sub, "%s/sessions", base);
    mkdir(xdg, 0755);
    mkdir(base, 0755);
    mkdir(sub, 0777);
    chmod(base, 0755);
    chmod(sub, 0777);
    setenv("XDG_DATA_HOME", xdg, 1);
    umask(0);
    capture_begin();
    int rc = paths_data_dir(buf, sizeof buf, "sessions", &err);
    char *notes = capture_end();
    CHECK_INT(rc, 0);
    CHECK_INT(mode_of(base), 0700);
    CHECK_INT(mode_of(sub), 0700);
    CHECK_INT(mode_of(xdg), 0755); /* the person's own folder is left alone */
    snprintf(want, sizeof want,
             "floorcoach: tightened permissions of %s to 0700 (it holds health data)\n", base);
    CHECK_CONTAINS(notes, want);
    snprintf(want, sizeof want,
             "floorcoach: tightened permissions of %s to 0700 (it holds health data)\n", sub);
    CHECK_CONTAINS(notes, want);
    free(notes);

    /* Second time: already private, no notice. */
    capture_begin();
    paths_data_dir(buf, sizeof buf, "sessions", &err);
    notes = capture_end();
    CHECK_STR(notes, "");
    free(notes);

    /* A wide file is tightened with a notice, by both helpers. */
    char file[600], file2[600];
    snprintf(file, sizeof file, "%s/old.jsonl", sub);
    snprintf(file2, sizeof file2, "%s/report.html", base);
    int fd = open(file, O_WRONLY | O_CREAT, 0666);
    close(fd);
    chmod(file, 0644);
    fd = open(file2, O_WRONLY | O_CREAT, 0666);
    close(fd);
    chmod(file2, 0666);
    capture_begin();
    paths_tighten_file(file);
    FILE *f = paths_open_private(file2, &err);
    if (f)
        fclose(f);
    notes = capture_end();
    CHECK_INT(mode_of(file), 0600);
    CHECK_INT(mode_of(file2), 0600);
    snprintf(want, sizeof want,
             "floorcoach: tightened permissions of %s to 0600 (it holds health data)\n", file);
    CHECK_CONTAINS(notes, want);
    snprintf(want, sizeof want,
             "floorcoach: tightened permissions of %s to 0600 (it holds health data)\n", file2);
    CHECK_CONTAINS(notes, want);
    free(notes);

    /* Narrower files are not widened and give no notice. */
    chmod(file, 0400);
    capture_begin();
    paths_tighten_file(file);
    notes = capture_end();
    CHECK_INT(mode_of(file), 0400);
    CHECK_STR(notes, "");
    free(notes);
}

static void test_refusals(void) {
    char xdg[300], link[400], target[400], buf[512];
    fc_err err;
    /* A symbolic link where a private file should go is refused. */
    snprintf(target, sizeof target, "%s/elsewhere.txt", tmpdir);
    snprintf(link, sizeof link, "%s/link.html", tmpdir);
    FILE *t = fopen(target, "w");
    if (t)
        fclose(t);
    chmod(target, 0644);
    CHECK_INT(symlink(target, link), 0);
    err.msg[0] = '\0';
    FILE *f = paths_open_private(link, &err);
    CHECK(f == NULL, "symlink refused");
    if (f)
        fclose(f);
    CHECK_CONTAINS(err.msg, "symbolic link");
    CHECK_INT(mode_of(target), 0644);

    /* A file where the data folder should be. */
    snprintf(xdg, sizeof xdg, "%s/blocked", tmpdir);
    mkdir(xdg, 0700);
    snprintf(buf, sizeof buf, "%s/floorcoach", xdg);
    t = fopen(buf, "w");
    if (t)
        fclose(t);
    setenv("XDG_DATA_HOME", xdg, 1);
    CHECK_INT(paths_data_dir(buf, sizeof buf, "sessions", &err), -1);
    CHECK_CONTAINS(err.msg, "is not a folder");

    /* A relative XDG_DATA_HOME is ignored, as the specification says. */
    char home[300], want[400];
    snprintf(home, sizeof home, "%s/home", tmpdir);
    mkdir(home, 0755);
    setenv("HOME", home, 1);
    setenv("XDG_DATA_HOME", "relative/share", 1);
    CHECK_INT(paths_data_dir(buf, sizeof buf, NULL, &err), 0);
    snprintf(want, sizeof want, "%s/.local/share/floorcoach", home);
    CHECK_STR(buf, want);
    CHECK_INT(mode_of(buf), 0700);
    unsetenv("XDG_DATA_HOME");
    CHECK_INT(paths_data_dir(buf, sizeof buf, "sessions", &err), 0);
    CHECK_INT(mode_of(buf), 0700);
}

static void test_resource_dir(void) {
    char buf[512];
    /* FLOORCOACH_DATA (set by the test runner) wins. */
    const char *env = getenv("FLOORCOACH_DATA");
    if (env && *env) {
        CHECK_STR(paths_resource_dir(), env);
        char want[600];
        snprintf(want, sizeof want, "%s/routines", env);
        CHECK_STR(paths_resource(buf, sizeof buf, "routines"), want);
    } else {
        CHECK(paths_resource_dir()[0] != '\0', "some resource folder");
    }
}

int main(void) {
    snprintf(tmpdir, sizeof tmpdir, "%s/fc-paths-XXXXXX",
             getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp");
    if (!mkdtemp(tmpdir)) {
        perror("mkdtemp");
        return 1;
    }
    snprintf(errpath, sizeof errpath, "%s/stderr.txt", tmpdir);
    test_fresh_under_umask_0();
    test_existing_wide();
    test_refusals();
    test_resource_dir();
    umask(022);
    char cmd[400];
    snprintf(cmd, sizeof cmd, "rm -rf %s", tmpdir);
    if (system(cmd) != 0)
        printf("note: could not remove %s\n", tmpdir);
    return check_report();
}
