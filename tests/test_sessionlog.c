/* test_sessionlog: JSON escaping, the log file's mode, appending whole lines,
 * and failing writes (disk full, file size limit) that never crash. */
#include "sessionlog.h"

#include <errno.h>
#include <math.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>

#include "check.h"
#include "jsonread.h"

static char tmpdir[256];

static char *tmp_path(const char *name) {
    static char p[4][512];
    static int k;
    k = (k + 1) % 4;
    snprintf(p[k], sizeof p[k], "%s/%s", tmpdir, name);
    return p[k];
}

/* True when every line of the file is one strict JSON object (our parser). */
static bool all_lines_parse(const char *path, int *lines) {
    size_t len;
    fc_err err;
    char *text = file_read_all(path, &len, &err);
    if (!text)
        return false;
    bool ok = len == 0 || text[len - 1] == '\n';
    int n = 0;
    for (size_t a = 0; a < len;) {
        const char *nl = memchr(text + a, '\n', len - a);
        size_t e = nl ? (size_t)(nl - text) : len;
        jobj o = {0};
        if (jobj_parse(&o, text + a, e - a, &err) != 0) {
            printf("line %d does not parse: %s\n", n + 1, err.msg);
            ok = false;
        }
        jobj_free(&o);
        n++;
        a = e + 1;
    }
    free(text);
    if (lines)
        *lines = n;
    return ok;
}

/* A second, independent strict parser when python3 is there. */
static void python_check(const char *path) {
    if (system("command -v python3 >/dev/null 2>&1") != 0) {
        printf("skip: python3 JSON check\n");
        return;
    }
    char cmd[1024];
    snprintf(cmd, sizeof cmd,
             "python3 -c 'import json,sys\n"
             "for l in open(sys.argv[1], encoding=\"utf-8\", errors=\"strict\"):\n"
             "    o = json.loads(l)\n"
             "    assert isinstance(o, dict)\n' '%s'",
             path);
    CHECK(system(cmd) == 0, "python3 json.loads accepts every line of %s", path);
}

static const char *line_of(jbuf *b, const char *key, const char *value) {
    json_begin(b);
    json_str(b, key, value);
    return json_end(b);
}

static void test_escaping(void) {
    jbuf b;
    CHECK_STR(line_of(&b, "t", "plain"), "{\"t\":\"plain\"}");
    json_free(&b);
    CHECK_STR(line_of(&b, "t", "a\"b\\c/d"), "{\"t\":\"a\\\"b\\\\c/d\"}");
    json_free(&b);
    CHECK_STR(line_of(&b, "t", "1\n2\t3\r4\x01\x1f\x7f"),
              "{\"t\":\"1\\n2\\t3\\r4\\u0001\\u001f\\u007f\"}");
    json_free(&b);
    /* Valid UTF-8 stays, invalid bytes become U+FFFD each. */
    CHECK_STR(line_of(&b, "t", "caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80"),
              "{\"t\":\"caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80\"}");
    json_free(&b);
    CHECK_STR(line_of(&b, "t", "a\x80z"), "{\"t\":\"a\xef\xbf\xbdz\"}");
    json_free(&b);
    CHECK_STR(line_of(&b, "t", "\xc0\xaf"), "{\"t\":\"\xef\xbf\xbd\xef\xbf\xbd\"}");
    json_free(&b);
    CHECK_STR(line_of(&b, "t", "\xed\xa0\x80"), /* a UTF-16 surrogate */
              "{\"t\":\"\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd\"}");
    json_free(&b);
    CHECK_STR(line_of(&b, "t", "\xe2\x82"), "{\"t\":\"\xef\xbf\xbd\xef\xbf\xbd\"}");
    json_free(&b);
    CHECK_STR(line_of(&b, "t", "\xf4\x90\x80\x80"),
              "{\"t\":\"\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd\"}");
    json_free(&b);
    CHECK_STR(line_of(&b, "t", NULL), "{\"t\":null}");
    json_free(&b);
    CHECK_STR(line_of(&b, "we\"ird\nkey", "v"), "{\"we\\\"ird\\nkey\":\"v\"}");
    json_free(&b);

    json_begin(&b);
    json_num(&b, "t", 1.5);
    json_num(&b, "neg", -0.0004);
    json_num(&b, "nan", NAN);
    json_num(&b, "inf", -INFINITY);
    json_int(&b, "n", -42);
    json_bool(&b, "yes", true);
    json_bool(&b, "no", false);
    CHECK_STR(json_end(&b),
              "{\"t\":1.500,\"neg\":-0.000,\"nan\":null,\"inf\":null,\"n\":-42,\"yes\":true,"
              "\"no\":false}");
    json_free(&b);
    json_free(&b); /* twice is fine */

    json_begin(&b);
    CHECK_STR(json_end(&b), "{}");
    json_free(&b);

    /* Out of memory while building: still a valid line. */
    util_fail_after(0);
    json_begin(&b);
    json_str(&b, "text", "hello");
    const char *l = json_end(&b);
    util_fail_after(-1);
    CHECK_STR(l, "{}");
    json_free(&b);
}

/* Every byte value and random byte strings through a real log file: each
 * line parses with a strict parser and round-trips where it was valid. */
static void test_lines_parse(void) {
    const char *path = tmp_path("escape.jsonl");
    fc_err err = {{0}};
    sessionlog *l = sessionlog_open(path, &err);
    CHECK(l != NULL, "open %s: %s", path, err.msg);
    if (!l)
        return;
    jbuf b;
    char s[300];
    for (int c = 1; c < 256; c++) {
        snprintf(s, sizeof s, "x%cy", c);
        json_begin(&b);
        json_num(&b, "t", c / 10.0);
        json_str(&b, "ev", "heard");
        json_str(&b, "text", s);
        CHECK_INT(sessionlog_write(l, json_end(&b)), 0);
        json_free(&b);
    }
    unsigned seed = 99;
    for (int round = 0; round < 500; round++) {
        size_t n = (size_t)(round % 299);
        for (size_t i = 0; i < n; i++) {
            seed = seed * 1103515245u + 12345u;
            s[i] = (char)((seed >> 16) & 0xff);
            if (!s[i])
                s[i] = '\x01';
        }
        s[n] = '\0';
        json_begin(&b);
        json_str(&b, s, s);
        CHECK_INT(sessionlog_write(l, json_end(&b)), 0);
        json_free(&b);
    }
    /* A valid string comes back unchanged. */
    const char *fancy = "say \"hi\"\\ \n\t caf\xc3\xa9 \xf0\x9f\x98\x80 \x01";
    json_begin(&b);
    json_str(&b, "text", fancy);
    const char *line = json_end(&b);
    CHECK_INT(sessionlog_write(l, line), 0);
    jobj o = {0};
    CHECK_INT(jobj_parse(&o, line, strlen(line), &err), 0);
    CHECK_STR(jobj_str(&o, "text"), fancy);
    jobj_free(&o);
    json_free(&b);
    sessionlog_close(l);

    int lines = 0;
    CHECK(all_lines_parse(path, &lines), "every line of %s parses", path);
    CHECK_INT(lines, 255 + 500 + 1);
    python_check(path);
}

static void test_file(void) {
    mode_t old = umask(0);
    const char *path = tmp_path("mode.jsonl");
    fc_err err = {{0}};
    sessionlog *l = sessionlog_open(path, &err);
    CHECK(l != NULL, "open under umask 0: %s", err.msg);
    struct stat st;
    CHECK(stat(path, &st) == 0 && (st.st_mode & 0777) == 0600,
          "new log is 0600 under umask 0: got %o", (unsigned)(st.st_mode & 0777));
    CHECK_STR(sessionlog_path(l), path);
    CHECK_INT(sessionlog_write(l, "{\"t\":0.000,\"ev\":\"a\"}"), 0);
    sessionlog_close(l);
    umask(old);

    /* Reopening appends; an existing wider file is tightened. */
    CHECK_INT(chmod(path, 0644), 0);
    l = sessionlog_open(path, &err);
    CHECK(l != NULL, "reopen: %s", err.msg);
    CHECK_INT(sessionlog_write(l, "{\"t\":1.000,\"ev\":\"b\"}"), 0);
    sessionlog_close(l);
    CHECK(stat(path, &st) == 0 && (st.st_mode & 0777) == 0600, "reopened log tightened: %o",
          (unsigned)(st.st_mode & 0777));
    size_t len;
    char *text = file_read_all(path, &len, &err);
    CHECK_STR(text, "{\"t\":0.000,\"ev\":\"a\"}\n{\"t\":1.000,\"ev\":\"b\"}\n");
    free(text);

    /* Refused: a symbolic link, a folder, a missing folder. */
    const char *link = tmp_path("link.jsonl");
    CHECK_INT(symlink(path, link), 0);
    err.msg[0] = '\0';
    CHECK(sessionlog_open(link, &err) == NULL, "a symbolic link is refused");
    CHECK_CONTAINS(err.msg, "symbolic link");
    err.msg[0] = '\0';
    CHECK(sessionlog_open(tmpdir, &err) == NULL, "a folder is refused");
    CHECK_CONTAINS(err.msg, tmpdir);
    err.msg[0] = '\0';
    const char *missing = tmp_path("no/such/dir/log.jsonl");
    CHECK(sessionlog_open(missing, &err) == NULL, "a missing folder is refused");
    CHECK_CONTAINS(err.msg, missing);

    CHECK_INT(sessionlog_write(NULL, "{}"), -1);
    sessionlog_close(NULL);
}

/* A full disk: writes fail with -1, later writes are still tried, nothing
 * crashes, and the device's own mode is not touched. */
static void test_dev_full(void) {
    struct stat before, after;
    if (stat("/dev/full", &before) != 0) {
        printf("skip: /dev/full is missing\n");
        return;
    }
    fc_err err = {{0}};
    sessionlog *l = sessionlog_open("/dev/full", &err);
    CHECK(l != NULL, "open /dev/full: %s", err.msg);
    if (!l)
        return;
    errno = 0;
    CHECK_INT(sessionlog_write(l, "{\"t\":0.000,\"ev\":\"say\"}"), -1);
    CHECK_INT(errno, ENOSPC);
    CHECK_INT(sessionlog_write(l, "{\"t\":1.000,\"ev\":\"say\"}"), -1);
    sessionlog_close(l);
    CHECK(stat("/dev/full", &after) == 0 && after.st_mode == before.st_mode,
          "/dev/full's mode unchanged");
}

/* The file may grow no further mid-line (a file size limit stands in for a
 * disk filling up): the half line is cut off and the file keeps whole lines. */
static void test_partial_write(void) {
    const char *path = tmp_path("partial.jsonl");
    fc_err err = {{0}};
    sessionlog *l = sessionlog_open(path, &err);
    CHECK(l != NULL, "open: %s", err.msg);
    if (!l)
        return;
    const char *first = "{\"t\":0.000,\"ev\":\"session_start\"}";
    CHECK_INT(sessionlog_write(l, first), 0);
    struct rlimit old, lim;
    getrlimit(RLIMIT_FSIZE, &old);
    lim = old;
    lim.rlim_cur = (rlim_t)strlen(first) + 1 + 10;
    void (*prev)(int) = signal(SIGXFSZ, SIG_IGN);
    CHECK_INT(setrlimit(RLIMIT_FSIZE, &lim), 0);
    char big[200];
    snprintf(big, sizeof big, "{\"t\":1.000,\"ev\":\"say\",\"text\":\"%0120d\"}", 0);
    CHECK_INT(sessionlog_write(l, big), -1);
    CHECK_INT(sessionlog_write(l, big), -1);
    setrlimit(RLIMIT_FSIZE, &old);
    signal(SIGXFSZ, prev);
    /* Room again: the log carries on. */
    CHECK_INT(sessionlog_write(l, "{\"t\":2.000,\"ev\":\"session_end\"}"), 0);
    sessionlog_close(l);
    int lines = 0;
    CHECK(all_lines_parse(path, &lines), "whole lines only after a cut-short write");
    CHECK_INT(lines, 2);
}

static void test_default_path(void) {
    char data[600];
    snprintf(data, sizeof data, "%s/data", tmpdir);
    setenv("XDG_DATA_HOME", data, 1);
    char p1[1024], p2[1024];
    fc_err err = {{0}};
    CHECK_INT(sessionlog_default_path(p1, sizeof p1, &err), 0);
    char want[700];
    snprintf(want, sizeof want, "%s/floorcoach/sessions/", data);
    CHECK(strncmp(p1, want, strlen(want)) == 0, "default path %s is under %s", p1, want);
    size_t n = strlen(p1);
    CHECK(n > 6 && strcmp(p1 + n - 6, ".jsonl") == 0, "default path ends with .jsonl: %s", p1);
    /* YYYY-MM-DDTHH-MM-SS */
    const char *base = strrchr(p1, '/') + 1;
    CHECK(strlen(base) == 19 + 6 && base[4] == '-' && base[10] == 'T' && base[13] == '-',
          "file name is a date and time: %s", base);
    struct stat st;
    CHECK(stat(want, &st) == 0 && S_ISDIR(st.st_mode) && (st.st_mode & 0777) == 0700,
          "sessions folder exists, 0700");
    sessionlog *l = sessionlog_open(p1, &err);
    CHECK(l != NULL, "open default path: %s", err.msg);
    sessionlog_close(l);
    CHECK_INT(sessionlog_default_path(p2, sizeof p2, &err), 0);
    if (strncmp(p1, p2, n - 6) == 0) /* the same second */
        CHECK(strcmp(p1, p2) != 0 && strstr(p2, "-2.jsonl"), "a second log gets -2: %s", p2);
    char tiny[8];
    err.msg[0] = '\0';
    CHECK_INT(sessionlog_default_path(tiny, sizeof tiny, &err), -1);
    CHECK(err.msg[0] != '\0', "too small a buffer is reported");
}

int main(void) {
    snprintf(tmpdir, sizeof tmpdir, "/tmp/fc-sessionlog.XXXXXX");
    if (!mkdtemp(tmpdir)) {
        perror("mkdtemp");
        return 1;
    }
    test_escaping();
    test_lines_parse();
    test_file();
    test_dev_full();
    test_partial_write();
    test_default_path();
    char cmd[600];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", tmpdir);
    if (system(cmd) != 0)
        printf("note: could not remove %s\n", tmpdir);
    return check_report();
}
