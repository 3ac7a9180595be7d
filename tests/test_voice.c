/* test_voice: every bundled voice profile loads; broken profiles give clear
 * file:line errors. */
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "paths.h"
#include "voice.h"

static char dir[] = "/tmp/fc_test_voice_XXXXXX";

static void test_bundled(void) {
    char vdir[1024];
    paths_resource(vdir, sizeof vdir, "voices");
    DIR *d = opendir(vdir);
    CHECK(d != NULL, "voices folder %s", vdir);
    if (!d)
        return;
    int count = 0;
    struct dirent *e;
    while ((e = readdir(d)) != NULL) {
        size_t l = strlen(e->d_name);
        if (l <= 4 || strcmp(e->d_name + l - 4, ".cfg") != 0)
            continue;
        char name[256];
        snprintf(name, sizeof name, "%.*s", (int)(l - 4), e->d_name);
        voice_profile v;
        fc_err err = {{0}};
        int rc = voice_load(name, &v, &err);
        CHECK(rc == 0, "voice %s loads: %s", name, err.msg);
        if (rc == 0) {
            CHECK_STR(v.name, name);
            CHECK(v.description[0] != '\0', "voice %s has a description", name);
        }
        count++;
    }
    closedir(d);
    CHECK(count >= 3, "at least three voices, found %d", count);
    static const char *const required[] = {"calm", "bright", "slow"};
    for (size_t i = 0; i < 3; i++) {
        voice_profile v;
        fc_err err;
        CHECK(voice_load(required[i], &v, &err) == 0, "voice %s exists", required[i]);
    }
    voice_profile v;
    fc_err err;
    CHECK_INT(voice_load(VOICE_DEFAULT, &v, &err), 0);
    CHECK_STR(v.espeak, "en-us");
    CHECK_STR(v.variant, "f2");
    CHECK(v.rate >= 80 && v.rate <= 450, "default rate %d", v.rate);
}

/* Writes `text` to DIR/name.cfg and loads it by path; returns the result. */
static int load_text(const char *name, const char *text, voice_profile *v, fc_err *err) {
    char p[256];
    snprintf(p, sizeof p, "%s/%s.cfg", dir, name);
    FILE *f = fopen(p, "w");
    if (!f)
        return -2;
    fputs(text, f);
    fclose(f);
    return voice_load(p, v, err);
}

static void expect_error(const char *name, const char *text, const char *where, const char *what) {
    voice_profile v;
    fc_err err = {{0}};
    int rc = load_text(name, text, &v, &err);
    CHECK(rc == -1, "%s: an error, got %d", name, rc);
    if (rc == -1) {
        CHECK_CONTAINS(err.msg, where);
        CHECK_CONTAINS(err.msg, what);
    }
}

#define HEAD "voice = {\n  description = \"x\";\n"

static void test_broken(void) {
    voice_profile v;
    fc_err err = {{0}};
    CHECK_INT(voice_load("no-such-voice", &v, &err), -1);
    CHECK_CONTAINS(err.msg, "unknown voice \"no-such-voice\"");
    CHECK_INT(voice_load("../etc/passwd", &v, &err), -1);
    CHECK_INT(voice_load("", &v, &err), -1);
    CHECK_INT(voice_load("/nonexistent/v.cfg", &v, &err), -1);
    CHECK_CONTAINS(err.msg, "/nonexistent/v.cfg");

    CHECK_INT(load_text("ok",
                        HEAD "  espeak = \"en-us\";\n  variant = \"m3\";\n  rate = 80;\n"
                             "  pitch = 0;\n  word_gap = 100;\n  volume = 200;\n};\n",
                        &v, &err),
              0);
    CHECK_STR(v.name, "ok");
    CHECK_INT(v.rate, 80);
    CHECK_INT(v.word_gap, 100);

    expect_error("badvoice", HEAD "  espeak = \"xx-nowhere\";\n};\n",
                 "badvoice.cfg:3:", "no voice \"xx-nowhere\"");
    expect_error("badvariant", HEAD "  espeak = \"en-us\";\n  variant = \"nosuchvariant\";\n};\n",
                 "badvariant.cfg:4:", "no variant \"nosuchvariant\"");
    expect_error("pathvariant", HEAD "  espeak = \"en-us\";\n  variant = \"../f2\";\n};\n",
                 "pathvariant.cfg:4:", "no variant");
    expect_error("fast", HEAD "  espeak = \"en-us\";\n  rate = 451;\n};\n",
                 "fast.cfg:4:", "rate is 451; it must be 80 to 450");
    expect_error("slow2", HEAD "  espeak = \"en-us\";\n  rate = 79;\n};\n", "slow2.cfg:4:", "rate");
    expect_error("pitch", HEAD "  espeak = \"en-us\";\n  pitch = -1;\n};\n",
                 "pitch.cfg:4:", "pitch");
    expect_error("gap", HEAD "  espeak = \"en-us\";\n  word_gap = 101;\n};\n",
                 "gap.cfg:4:", "word_gap");
    expect_error("loud", HEAD "  espeak = \"en-us\";\n  volume = 201;\n};\n",
                 "loud.cfg:4:", "volume");
    expect_error("floatrate", HEAD "  espeak = \"en-us\";\n  rate = 150.5;\n};\n",
                 "floatrate.cfg:4:", "whole number");
    expect_error("include", "# a voice\n@include \"/etc/passwd\"\n" HEAD "};\n",
                 "include.cfg:2:", "@include");
    expect_error("syntax", HEAD "  espeak = \"en-us\";\n  rate = = 150;\n};\n",
                 "syntax.cfg:4:", "syntax error");
    expect_error("unknownkey", HEAD "  espeak = \"en-us\";\n  speed = 150;\n};\n",
                 "unknownkey.cfg:4:", "unknown setting \"speed\"");
    expect_error("noespeak", HEAD "  rate = 150;\n};\n", "noespeak.cfg:1:", "espeak");
    expect_error("nogroup", "rate = 150;\n", "nogroup.cfg:1:", "voice = {");
    expect_error("notstring", HEAD "  espeak = 5;\n};\n", "notstring.cfg:3:", "string");
}

int main(void) {
    if (!mkdtemp(dir)) {
        printf("cannot create a temporary folder\n");
        return 1;
    }
    test_bundled();
    test_broken();
    printf("bundled voices:\n");
    voice_list();
    char cmd[200];
    snprintf(cmd, sizeof cmd, "rm -rf %s", dir);
    if (system(cmd) != 0)
        printf("note: could not remove %s\n", dir);
    return check_report();
}
