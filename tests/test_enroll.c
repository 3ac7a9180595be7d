/* test_enroll: the enrollment profile on disk (take ids, the lists of
 * takes, the atomic swap, the adapted model's detection) and the expansion
 * of the stock model's quantized mixture weights. */
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "adapt.h"
#include "check.h"
#include "profile.h"
#include "util.h"

static void write_text(const char *path, const char *text) {
    FILE *f = fopen(path, "w");
    if (f) {
        fputs(text, f);
        fclose(f);
    }
}

static long file_size(const char *path) {
    struct stat st;
    return stat(path, &st) == 0 ? (long)st.st_size : -1;
}

static void test_take_id(void) {
    char id[80];
    CHECK_STR(profile_take_id("pain down my leg", 1, id, sizeof id), "pain_down_my_leg-1");
    CHECK_STR(profile_take_id("can't feel my foot", 2, id, sizeof id), "cant_feel_my_foot-2");
    CHECK_STR(profile_take_id("  Yes!  ", 3, id, sizeof id), "yes-3");
    CHECK_STR(profile_take_id("", 1, id, sizeof id), "x-1");
    char small[8];
    profile_take_id("a very long phrase indeed", 1, small, sizeof small);
    CHECK(strlen(small) < sizeof small, "the id fits its buffer");
}

static void test_lists(const char *tmp) {
    char dir[1024];
    snprintf(dir, sizeof dir, "%s/lists", tmp);
    mkdir(dir, 0700);
    profile_take t[2] = {{"yes-1", "yes"}, {"pain_down_my_leg-2", "pain down my leg"}};
    fc_err err = {{0}};
    CHECK_INT(profile_write_takes(dir, t, 2, &err), 0);
    profile_take *back = NULL;
    size_t n = 0;
    CHECK_INT(profile_read_takes(dir, &back, &n, &err), 0);
    CHECK_INT((int)n, 2);
    if (n == 2) {
        CHECK_STR(back[1].id, "pain_down_my_leg-2");
        CHECK_STR(back[1].text, "pain down my leg");
    }
    free(back);
    char path[PATH_MAX];
    snprintf(path, sizeof path, "%s/enroll.fileids", dir);
    struct stat st;
    CHECK(stat(path, &st) == 0 && (st.st_mode & 0777) == 0600, "fileids is 0600");
    char *text = file_read_all(path, NULL, &err);
    CHECK(text && strcmp(text, "wav/yes-1\nwav/pain_down_my_leg-2\n") == 0, "fileids content");
    free(text);

    snprintf(path, sizeof path, "%s/enroll.transcription", dir);
    write_text(path, "<s> yes </s> (yes-1)\nbroken line\n");
    CHECK_INT(profile_read_takes(dir, &back, &n, &err), -1);
    CHECK_CONTAINS(err.msg, "enroll.transcription:2:");
    free(back);

    char empty[1024];
    snprintf(empty, sizeof empty, "%s/none", tmp);
    CHECK_INT(profile_read_takes(empty, &back, &n, &err), 0);
    CHECK_INT((int)n, 0);
    free(back);
}

static void test_commit(const char *tmp) {
    char prof[1024], stage[1024], path[PATH_MAX], buf[PATH_MAX];
    fc_err err = {{0}};
    snprintf(prof, sizeof prof, "%s/profile", tmp);

    /* First profile: no previous one. */
    CHECK_INT(profile_stage_new(prof, stage, sizeof stage, &err), 0);
    struct stat st;
    CHECK(stat(stage, &st) == 0 && (st.st_mode & 0777) == 0700, "stage is 0700");
    snprintf(path, sizeof path, "%s/wav", stage);
    CHECK(stat(path, &st) == 0 && S_ISDIR(st.st_mode), "stage has wav/");
    snprintf(path, sizeof path, "%s/mark", stage);
    write_text(path, "one");
    CHECK_INT(profile_commit(stage, prof, &err), 0);
    snprintf(path, sizeof path, "%s/mark", prof);
    char *text = file_read_all(path, NULL, &err);
    CHECK(text && strcmp(text, "one") == 0, "first profile in place");
    free(text);
    CHECK(access(stage, F_OK) != 0, "stage gone");

    /* A second one replaces it whole. */
    CHECK_INT(profile_stage_new(prof, stage, sizeof stage, &err), 0);
    snprintf(path, sizeof path, "%s/mark", stage);
    write_text(path, "two");
    CHECK_INT(profile_commit(stage, prof, &err), 0);
    snprintf(path, sizeof path, "%s/mark", prof);
    text = file_read_all(path, NULL, &err);
    CHECK(text && strcmp(text, "two") == 0, "second profile in place");
    free(text);
    CHECK(access(stage, F_OK) != 0, "the old profile is deleted");

    /* A stage of a dead enrollment is cleared by the next one. */
    snprintf(path, sizeof path, "%s.new-999999", prof);
    mkdir(path, 0700);
    CHECK_INT(profile_stage_new(prof, stage, sizeof stage, &err), 0);
    CHECK(access(path, F_OK) != 0, "stale stage removed");
    CHECK_INT(profile_remove_tree(stage), 0);
    CHECK(access(stage, F_OK) != 0, "stage discarded");
    CHECK(access(prof, F_OK) == 0, "profile untouched by a discarded stage");

    /* No adapted model: the listener uses the stock one. */
    CHECK_INT(profile_model_dir(prof, buf, sizeof buf), -1);
    CHECK_INT(profile_model_dir(NULL, buf, sizeof buf), -1);
    snprintf(path, sizeof path, "%s/model", prof);
    mkdir(path, 0700);
    snprintf(path, sizeof path, "%s/model/en-us", prof);
    mkdir(path, 0700);
    static const char *const files[] = {"mdef", "means", "variances"};
    for (int i = 0; i < 3; i++) {
        snprintf(path, sizeof path, "%s/model/en-us/%s", prof, files[i]);
        write_text(path, "x");
    }
    CHECK_INT(profile_model_dir(prof, buf, sizeof buf), -1);
    snprintf(path, sizeof path, "%s/model/en-us/mixture_weights", prof);
    write_text(path, "x");
    CHECK_INT(profile_model_dir(prof, buf, sizeof buf), 0);
    snprintf(path, sizeof path, "%s/model", prof);
    CHECK_STR(buf, path);
}

static void test_sendump(const char *tmp) {
    char in[PATH_MAX], out[PATH_MAX];
    fc_err err = {{0}};
    snprintf(in, sizeof in, "%s/en-us/sendump", profile_stock_model());
    snprintf(out, sizeof out, "%s/mixture_weights", tmp);
    if (access(in, R_OK) != 0) {
        printf("note: %s absent; sendump expansion not checked\n", in);
        return;
    }
    CHECK_INT(adapt_expand_sendump(in, out, &err), 0);
    /* "s3\nversion 1.0\nendhdr\n", magic, 3 dimensions and the count, then
     * float32 [5126 senones][3 features][128 codewords]. */
    CHECK(file_size(out) == 22 + 5 * 4 + 5126L * 3 * 128 * 4, "mixture_weights size");
    FILE *f = fopen(out, "rb");
    if (f) {
        char hdr[23] = {0};
        unsigned int dims[5] = {0};
        float row[128];
        CHECK(fread(hdr, 1, 22, f) == 22 && strcmp(hdr, "s3\nversion 1.0\nendhdr\n") == 0,
              "s3 header");
        CHECK(fread(dims, 4, 5, f) == 5 && dims[0] == 0x11223344u && dims[1] == 5126 &&
                  dims[2] == 3 && dims[3] == 128,
              "magic and dimensions");
        CHECK(fread(row, 4, 128, f) == 128, "first row");
        double sum = 0;
        for (int i = 0; i < 128; i++)
            sum += row[i];
        CHECK(sum > 0.999 && sum < 1.001, "a row sums to 1 (%f)", sum);
        fclose(f);
    }
    struct stat st;
    CHECK(stat(out, &st) == 0 && (st.st_mode & 0777) == 0600, "mixture_weights is 0600");

    snprintf(in, sizeof in, "%s/bad", tmp);
    write_text(in, "not a sendump");
    CHECK_INT(adapt_expand_sendump(in, out, &err), -1);
    CHECK_CONTAINS(err.msg, "not a PocketSphinx sendump");
}

int main(void) {
    char tmp[] = "/tmp/test_enroll.XXXXXX";
    if (!mkdtemp(tmp)) {
        perror("mkdtemp");
        return 1;
    }
    test_take_id();
    test_lists(tmp);
    test_commit(tmp);
    test_sendump(tmp);
    char tool[PATH_MAX];
    CHECK_INT(adapt_find_tool("no-such-tool-at-all", tool, sizeof tool), -1);
    profile_remove_tree(tmp);
    CHECK(access(tmp, F_OK) != 0, "temporary folder removed");
    return check_report();
}
