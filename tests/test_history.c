/* test_history: the JSON line parser, history, report and forget, on the
 * fixture logs in tests/fixtures/logs and on generated ones. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "check.h"
#include "forget.h"
#include "history.h"
#include "jsonread.h"
#include "report.h"

#define FIXTURES "tests/fixtures/logs"

static char tmpdir[256];

static int parse(jobj *o, const char *s) {
    fc_err err;
    return jobj_parse(o, s, strlen(s), &err);
}

static void test_json_valid(void) {
    jobj o;
    CHECK_INT(parse(&o, "{\"t\":1.5,\"ev\":\"heard\",\"value\":-3e2,\"ok\":true,\"n\":null,"
                        "\"a\":[1,{\"b\":[]}],\"o\":{}}\r\n"),
              0);
    double v = 0;
    CHECK(jobj_num(&o, "t", &v) && v == 1.5, "t is 1.5: %g", v);
    CHECK(jobj_num(&o, "value", &v) && v == -300, "value is -300: %g", v);
    CHECK_STR(jobj_str(&o, "ev"), "heard");
    CHECK(jobj_true(&o, "ok"), "ok is true");
    CHECK(jobj_get(&o, "n") && jobj_get(&o, "n")->type == JV_NULL, "n is null");
    CHECK(jobj_get(&o, "a") && jobj_get(&o, "a")->type == JV_ARRAY, "a is an array");
    CHECK(jobj_get(&o, "o") && jobj_get(&o, "o")->type == JV_OBJECT, "o is an object");
    CHECK(jobj_str(&o, "t") == NULL, "t is not a string");
    CHECK(jobj_get(&o, "missing") == NULL, "missing key");
    jobj_free(&o);

    CHECK_INT(parse(&o, "{\"s\":\"caf\\u00e9 \\ud83d\\ude00 \\\"q\\\" \\\\ \\/ \\n\","
                        "\"z\":\"a\\u0000b\",\"lone\":\"\\ud800x\",\"k\":1,\"k\":2}"),
              0);
    CHECK_STR(jobj_str(&o, "s"), "caf\xc3\xa9 \xf0\x9f\x98\x80 \"q\" \\ / \n");
    CHECK_STR(jobj_str(&o, "z"), "a\xef\xbf\xbd"
                                 "b");
    CHECK_STR(jobj_str(&o, "lone"), "\xef\xbf\xbdx");
    CHECK(jobj_num(&o, "k", &v) && v == 2, "the last repeated key wins");
    jobj_free(&o);

    /* Invalid UTF-8 inside a string becomes U+FFFD; the line still reads. */
    CHECK_INT(parse(&o, "{\"s\":\"a\xff\xc0\x80z\"}"), 0);
    CHECK_STR(jobj_str(&o, "s"), "a\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbdz");
    jobj_free(&o);

    CHECK_INT(parse(&o, "  {}  "), 0);
    CHECK_INT(o.n, 0);
    jobj_free(&o);

    char deep[200] = "{\"a\":";
    for (int i = 0; i < 31; i++)
        strcat(deep, "[");
    for (int i = 0; i < 31; i++)
        strcat(deep, "]");
    strcat(deep, "}");
    CHECK_INT(parse(&o, deep), 0);
    jobj_free(&o);
}

static void test_json_invalid(void) {
    static const char *const bad[] = {
        "",
        "   ",
        "[]",
        "\"x\"",
        "{",
        "}",
        "{\"a\"}",
        "{\"a\":}",
        "{\"a\":1,}",
        "{,}",
        "{\"a\":1 \"b\":2}",
        "{\"a\":01}",
        "{\"a\":1.}",
        "{\"a\":.5}",
        "{\"a\":-}",
        "{\"a\":1e}",
        "{\"a\":1e999}",
        "{\"a\":+1}",
        "{\"a\":tru}",
        "{\"a\":nul}",
        "{\"a\":\"x}",
        "{\"a\":\"\\x\"}",
        "{\"a\":\"\\u12g4\"}",
        "{\"a\":\"\\u12\"}",
        "{\"a\":\"tab\there\"}",
        "{\"a\":1}x",
        "{\"a\":1}{}",
        "{a:1}",
        "{'a':1}",
        "{\"a\":[1,]}",
        "{\"a\":[1 2]}",
        "{\"a\":{\"b\"}}",
        "{\"a\":NaN}",
        "{\"a\":Infinity}",
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        jobj o;
        fc_err err = {{0}};
        int rc = jobj_parse(&o, bad[i], strlen(bad[i]), &err);
        CHECK(rc == -1, "refused: %s", bad[i]);
        CHECK(o.n == 0 && o.f == NULL, "left empty after: %s", bad[i]);
        CHECK(strncmp(err.msg, "column ", 7) == 0, "message gives a column: %s", err.msg);
    }
    /* A NUL byte inside the line is not whitespace. */
    jobj o;
    fc_err err;
    CHECK_INT(jobj_parse(&o, "{\"a\":1}\0", 8, &err), -1);
    CHECK_INT(jobj_parse(&o, "{\"a\":\"x\0y\"}", 11, &err), -1);

    char deep[200] = "{\"a\":";
    for (int i = 0; i < 40; i++)
        strcat(deep, "[");
    for (int i = 0; i < 40; i++)
        strcat(deep, "]");
    strcat(deep, "}");
    CHECK_INT(parse(&o, deep), -1);

    /* Error messages never quote the line: it may hold what a person said. */
    CHECK_INT(parse(&o, "{\"text\":\"my bladder\" oops}"), -1);
    err.msg[0] = '\0';
    jobj_parse(&o, "{\"text\":\"my bladder\" oops}", 26, &err);
    CHECK(strstr(err.msg, "bladder") == NULL, "no heard text in: %s", err.msg);
}

/* Every prefix of a valid line, and many random corruptions of it, are
 * handled without a crash (AddressSanitizer watches). */
static void test_json_fuzz(void) {
    const char *line = "{\"t\":12.250,\"ev\":\"heard\",\"text\":\"caf\\u00e9 \\ud83d\\ude00\","
                       "\"intent\":\"location\",\"value\":\"calf\",\"confidence\":0.81,"
                       "\"nested\":[{\"x\":[true,false,null,-0.5e-3]}],\"baseline\":true}";
    size_t len = strlen(line);
    int ok_prefix = 0;
    for (size_t n = 0; n < len; n++) {
        char *copy = malloc(n ? n : 1); /* exact size: overreads are caught */
        memcpy(copy, line, n);
        jobj o;
        fc_err err;
        if (jobj_parse(&o, copy, n, &err) == 0) {
            ok_prefix++;
            jobj_free(&o);
        }
        free(copy);
    }
    CHECK_INT(ok_prefix, 0);
    unsigned long seed = 12345;
    int parsed = 0;
    for (int round = 0; round < 20000; round++) {
        char *copy = malloc(len);
        memcpy(copy, line, len);
        int flips = 1 + round % 4;
        for (int k = 0; k < flips; k++) {
            seed = seed * 6364136223846793005UL + 1442695040888963407UL;
            size_t at = (size_t)(seed >> 33) % len;
            copy[at] = (char)(seed >> 20);
        }
        seed = seed * 6364136223846793005UL + 1442695040888963407UL;
        size_t n = round % 3 ? len : (size_t)(seed >> 33) % (len + 1);
        jobj o;
        fc_err err;
        if (jobj_parse(&o, copy, n, &err) == 0) {
            parsed++;
            jobj_free(&o);
        }
        free(copy);
    }
    CHECK(parsed > 0, "some corrupted lines still parse (%d)", parsed);
}

static char *read_stream(FILE *f) {
    fflush(f);
    long n = ftell(f);
    rewind(f);
    char *buf = calloc((size_t)(n > 0 ? n : 0) + 1, 1);
    if (n > 0 && fread(buf, 1, (size_t)n, f) != (size_t)n)
        buf[0] = '\0';
    return buf;
}

static void test_history_fixtures(void) {
    hist_list l;
    fc_err err;
    FILE *warn = tmpfile();
    CHECK_INT(history_load(FIXTURES, &l, warn, &err), 0);
    char *w = read_stream(warn);
    fclose(warn);
    CHECK_INT(l.n, 5);
    CHECK_INT(l.skipped, 2);
    CHECK_CONTAINS(w, "2025-03-07T19-45-00.jsonl:10: unreadable line");
    CHECK_CONTAINS(w, "skipped " FIXTURES "/other-app.jsonl: not a floorcoach session log");
    CHECK_CONTAINS(w, "skipped " FIXTURES "/shopping-list.jsonl: not a floorcoach session log");
    CHECK(!strstr(w, "milk") && !strstr(w, "bladder") && !strstr(w, "script") &&
              !strstr(w, "Breathe"),
          "warnings hold no file contents: %s", w);
    free(w);
    if (l.n != 5) {
        history_free(&l);
        return;
    }
    const hist_session *s = &l.s[0];
    CHECK_STR(s->file, "2025-03-01T09-00-00.jsonl");
    CHECK_STR(s->sortkey, "2025-03-01T09:00:00");
    CHECK_STR(s->routine, "nerve-glides");
    CHECK_STR(s->routine_name, "Sciatic nerve glides");
    CHECK_STR(s->ended, "completed");
    CHECK(s->duration == 435, "duration 435: %g", s->duration);
    CHECK_INT(s->pain_start, 6);
    CHECK_INT(s->pain_end, 4);
    CHECK_STR(history_location_name(s->loc_start), "calf");
    CHECK_STR(history_location_name(s->loc_end), "thigh");
    CHECK_INT(s->nevents, 0); /* centralization is good news, not a safety event */
    CHECK_INT(s->nex, 2);
    CHECK_STR(s->ex[0].id, "nerve-glide");
    CHECK_INT(s->ex[0].done, 2);
    CHECK(!s->truncated, "complete log");

    s = &l.s[1];
    CHECK_STR(s->ended, "safety");
    CHECK_INT(s->pain_start, 5);
    CHECK_INT(s->pain_end, 7);
    CHECK_STR(history_location_name(s->loc_start), "thigh");
    CHECK_STR(history_location_name(s->loc_end), "foot");
    CHECK_INT(s->nevents, 2);
    if (s->nevents == 2) {
        CHECK_STR(s->events[0].reason, "peripheralization");
        CHECK_STR(s->events[0].verdict, "offer_easier");
        CHECK_STR(s->events[0].exercise, "head-lift-glide");
        CHECK_STR(s->events[0].heard, "pain down my leg");
        CHECK_STR(s->events[1].reason, "nerve_signs");
        CHECK_STR(s->events[1].verdict, "end_session");
        CHECK_STR(s->events[1].heard, "tingling in my foot");
    }
    int found = 0;
    for (size_t i = 0; i < s->nex; i++) {
        if (strcmp(s->ex[i].id, "head-lift-glide") == 0) {
            found++;
            CHECK_INT(s->ex[i].spread, 1);
            CHECK_INT(s->ex[i].eased, 1);
            CHECK_INT(s->ex[i].stopped, 1);
            CHECK_INT(s->ex[i].done, 0);
        }
    }
    CHECK_INT(found, 1);

    s = &l.s[2];
    CHECK_STR(s->ended, "red_flag");
    CHECK_INT(s->pain_start, -1);
    CHECK_INT(s->nevents, 1);
    if (s->nevents == 1) {
        CHECK_STR(s->events[0].reason, "red_flag");
        CHECK_STR(s->events[0].verdict, "end_session");
        CHECK_STR(s->events[0].exercise, "");
        CHECK_STR(s->events[0].heard, "yes");
        CHECK_STR(s->events[0].asked, "Is there any numbness between your legs or around your "
                                      "bottom? Say yes or no.");
        CHECK_CONTAINS(s->events[0].said, "medical help");
    }

    s = &l.s[3];
    CHECK(s->truncated, "crashed log is marked");
    CHECK_STR(s->ended, "unfinished");
    CHECK_INT(s->pain_start, 8);
    CHECK_INT(s->pain_end, -1);
    CHECK_STR(history_location_name(s->loc_start), "knee");
    CHECK_INT(s->loc_end, 0);
    CHECK(s->duration == 50, "read up to the bad line: %g", s->duration);
    CHECK_INT(s->nevents, 1);

    s = &l.s[4];
    CHECK_STR(history_location_name(s->loc_start), "buttock");
    CHECK_STR(history_location_name(s->loc_end), "back");
    CHECK_INT(s->pain_start, 4);
    CHECK_INT(s->pain_end, 2);
    history_free(&l);
}

/* A red flag said in so many words during an exercise, and verdicts with
 * and without an exercise field. */
static void test_red_flag_words(void) {
    char path[300];
    snprintf(path, sizeof path, "%s/2025-04-01T10-00-00.jsonl", tmpdir);
    FILE *f = fopen(path, "w");
    if (!f)
        return;
    fputs("{\"t\":0,\"ev\":\"session_start\",\"routine\":\"r\",\"date\":\"2025-04-01T10:00:00\"}\n"
          "{\"t\":5,\"ev\":\"exercise_start\",\"id\":\"cat-cow\",\"side\":\"\"}\n"
          "{\"t\":9,\"ev\":\"heard\",\"text\":\"pain in my leg\",\"intent\":\"worse\"}\n"
          "{\"t\":9,\"ev\":\"verdict\",\"verdict\":\"stop_exercise\",\"reason\":\"worse\"}\n"
          "{\"t\":20,\"ev\":\"heard\",\"text\":\"pain in both legs\",\"intent\":\"red_flag\"}\n"
          "{\"t\":20.5,\"ev\":\"verdict\",\"verdict\":\"end_session\",\"reason\":\"red_flag\","
          "\"exercise\":\"cat-cow\",\"text\":\"Get medical help.\"}\n"
          "{\"t\":30,\"ev\":\"heard\",\"text\":\"numb between my legs\",\"intent\":\"red_flag\"}\n",
          f);
    fclose(f);
    hist_session s;
    fc_err err;
    CHECK_INT(history_load_file(path, &s, NULL, &err), 0);
    CHECK_STR(s.sortkey, "2025-04-01T10:00:00");
    CHECK_STR(s.ended, "unfinished");
    CHECK_INT(s.nevents, 3);
    if (s.nevents == 3) {
        CHECK_STR(s.events[0].exercise, "cat-cow"); /* no field: the exercise under way */
        CHECK_STR(s.events[0].reason, "worse");
        CHECK_STR(s.events[0].heard, "pain in my leg");
        CHECK(s.events[0].asked == NULL, "not an answer to a question");
        CHECK_STR(s.events[1].reason, "red_flag");
        CHECK_STR(s.events[1].verdict, "end_session"); /* one event, not two */
        CHECK_STR(s.events[1].heard, "pain in both legs");
        CHECK_STR(s.events[1].said, "Get medical help.");
        CHECK(s.events[1].t == 20, "at the words: %g", s.events[1].t);
        CHECK_STR(s.events[2].heard, "numb between my legs"); /* the log stops: no verdict */
        CHECK_STR(s.events[2].verdict, "");
    }
    CHECK_INT(s.nex, 1);
    if (s.nex == 1) {
        CHECK_INT(s.ex[0].other, 2);
        CHECK_INT(s.ex[0].spread, 0);
    }
    history_session_free(&s);
    unlink(path);
}

static void test_history_print(void) {
    hist_list l;
    fc_err err;
    CHECK_INT(history_load(FIXTURES, &l, NULL, &err), 0);
    char *out = NULL;
    size_t n = 0;
    FILE *f = open_memstream(&out, &n);
    history_print(f, &l, 0, false);
    fclose(f);
    CHECK_CONTAINS(out, "date              routine");
    CHECK_CONTAINS(out, "2025-03-01 09:00  nerve-glides");
    CHECK_CONTAINS(out, "7:15  completed         6 -> 4   calf -> thigh      -\n");
    CHECK_CONTAINS(out, "ended for safety  5 -> 7   thigh -> foot      head-lift-glide: pain "
                        "spread down the leg; bent-knee-glide: tingling, numbness or weakness\n");
    CHECK_CONTAINS(out, "ended: red flag   -        -                  red flag\n");
    CHECK_CONTAINS(out, "unfinished        8 -> ?   knee -> ?          knee-to-chest: sharp");
    CHECK_CONTAINS(out, "completed         4 -> 2   buttock -> back    -\n");
    CHECK(!strstr(out, "bladder"), "history does not print heard text");
    int lines = 0;
    for (char *p = out; *p; p++)
        lines += *p == '\n';
    CHECK_INT(lines, 6);
    free(out);

    f = open_memstream(&out, &n);
    history_print(f, &l, 2, false);
    fclose(f);
    CHECK(!strstr(out, "2025-03-05"), "--last 2 leaves out older sessions");
    CHECK_CONTAINS(out, "2025-03-07 19:45");
    CHECK_CONTAINS(out, "2025-03-09 09:05");
    free(out);

    f = open_memstream(&out, &n);
    history_print(f, &l, 0, true);
    fclose(f);
    CHECK_CONTAINS(out, "date,routine,routine_name,duration_s,ended,pain_start,pain_end,"
                        "location_start,location_end,safety_stops,file\r\n");
    CHECK_CONTAINS(out, "2025-03-01 09:00,nerve-glides,Sciatic nerve glides,435,completed,6,4,"
                        "calf,thigh,,2025-03-01T09-00-00.jsonl\r\n");
    CHECK_CONTAINS(out, ",\"Flare-up rest & \"\"positioning\"\"\",50,unfinished,8,,knee,,");
    CHECK_CONTAINS(out, "2025-03-05 08:30,nerve-glides,Sciatic nerve glides,42,red_flag,,,,,"
                        "red flag,");
    free(out);

    /* A value that would start a spreadsheet formula is neutralized. */
    str_copy(l.s[0].routine, "=HYPERLINK(\"x\")", sizeof l.s[0].routine);
    str_copy(l.s[0].routine_name, "a\nb", sizeof l.s[0].routine_name);
    f = open_memstream(&out, &n);
    history_print(f, &l, 0, true);
    fclose(f);
    CHECK_CONTAINS(out, ",\"'=HYPERLINK(\"\"x\"\")\",\"a\nb\",");
    free(out);

    /* Control characters from a log never reach the terminal. */
    str_copy(l.s[0].routine, "a\x1b]0;pwned\x07z", sizeof l.s[0].routine);
    f = open_memstream(&out, &n);
    history_print(f, &l, 0, false);
    fclose(f);
    CHECK(!strchr(out, '\x1b') && !strchr(out, '\x07'), "no control characters printed");
    CHECK_CONTAINS(out, "a?]0;pwned?z");
    free(out);
    history_free(&l);
}

static void test_report(void) {
    hist_list l;
    fc_err err;
    CHECK_INT(history_load(FIXTURES, &l, NULL, &err), 0);
    char *out = NULL;
    size_t n = 0;
    FILE *f = open_memstream(&out, &n);
    report_write_html(f, &l, NULL, "2025-03-10 10:00");
    fclose(f);
    CHECK(strncmp(out, "<!DOCTYPE html>", 15) == 0, "an HTML page");
    CHECK_CONTAINS(out, "<figure id=\"pain-chart\"");
    CHECK_CONTAINS(out, "<figure id=\"location-chart\"");
    CHECK_CONTAINS(out, "<table id=\"exercise-table\">");
    CHECK_CONTAINS(out, "<table id=\"safety-table\">");
    CHECK_CONTAINS(out, "floorcoach does not replace a clinician.");
    CHECK_CONTAINS(out, "@media print");
    CHECK_CONTAINS(out, "5 sessions from 2025-03-01 to 2025-03-09");
    CHECK_CONTAINS(out, "stroke-dasharray");
    /* The words heard with red flags and safety stops. */
    CHECK_CONTAINS(out, "&#8220;yes&#8221; to &#8220;Is there any numbness between your legs or "
                        "around your bottom?&#8221;");
    CHECK_CONTAINS(out, "RED FLAG: red flag");
    CHECK_CONTAINS(out, "&#8220;pain down my leg&#8221;");
    CHECK_CONTAINS(out, "<td>pain spread down the leg</td>"
                        "<td>stopped it and offered an easier version</td>");
    /* The exercise table: head-lift-glide was done once, stopped once for
     * peripheralization and eased once, over 2 sessions. */
    CHECK_CONTAINS(out, "<tr><td>head-lift-glide</td><td class=\"n\">2</td><td class=\"n\">1"
                        "</td><td class=\"n\"><strong>1</strong></td><td class=\"n\">0</td>"
                        "<td class=\"n\">1</td><td class=\"n\">0</td></tr>");
    CHECK_CONTAINS(out, "<tr><td>nerve-glide</td><td class=\"n\">3</td><td class=\"n\">5</td>");
    /* Injection attempts from the logs come out as text. */
    CHECK_CONTAINS(out, "&lt;script&gt;alert(1)&lt;/script&gt; that really hurts &amp; "
                        "&quot;more&quot;");
    CHECK_CONTAINS(out, "Flare-up rest &amp; &quot;positioning&quot;");
    CHECK(!strstr(out, "<script") && !strstr(out, "<b>"), "no markup from the logs");
    CHECK(!strstr(out, "http:") && !strstr(out, "https:") && !strstr(out, "src="),
          "nothing loaded from elsewhere");
    /* One marker per reported value: 4 starts + 3 ends of pain, 4 + 4 of
     * location (the red-flag session has none, the crashed one no end). */
    int circles = 0, rects = 0;
    for (const char *p = out; (p = strstr(p, "r=\"4.5\"><title>")); p++)
        circles++;
    for (const char *p = out; (p = strstr(p, "height=\"10\"><title>")); p++)
        rects++;
    CHECK_INT(circles, 4 + 4);
    CHECK_INT(rects, 3 + 3);
    free(out);

    f = open_memstream(&out, &n);
    report_write_html(f, &l, "2025-03-06", NULL);
    fclose(f);
    CHECK_CONTAINS(out, "2 sessions from 2025-03-07 to 2025-03-09 (since 2025-03-06)");
    CHECK(!strstr(out, "around your bottom"), "--since leaves out older red flags");
    free(out);

    f = open_memstream(&out, &n);
    report_write_html(f, &l, "2030-01-01", NULL);
    fclose(f);
    CHECK_CONTAINS(out, "No sessions to show yet.");
    CHECK_CONTAINS(out, "does not replace a clinician");
    free(out);
    history_free(&l);
}

/* Writes a plausible log for day `i` into dir. */
static void write_log(const char *dir, int i, int pain) {
    char path[512];
    int month = 1 + (i / 28) % 12, day = 1 + i % 28, hour = 8 + (i / 336) % 12;
    snprintf(path, sizeof path, "%s/2024-%02d-%02dT%02d-00-00.jsonl", dir, month, day, hour);
    FILE *f = fopen(path, "w");
    if (!f)
        return;
    fprintf(f,
            "{\"t\":0.000,\"ev\":\"session_start\",\"routine\":\"nerve-glides\","
            "\"version\":\"0.1\",\"date\":\"2024-%02d-%02dT%02d:00:00+0100\","
            "\"routine_name\":\"Sciatic nerve glides\"}\n",
            month, day, hour);
    fprintf(f, "{\"t\":9.0,\"ev\":\"heard\",\"text\":\"my calf\",\"intent\":\"location\","
               "\"value\":\"calf\",\"confidence\":0.9,\"start\":8.5,\"end\":9.0}\n");
    fprintf(f,
            "{\"t\":12.0,\"ev\":\"heard\",\"text\":\"x\",\"intent\":\"pain_score\","
            "\"value\":%d,\"confidence\":0.9,\"start\":11.5,\"end\":12.0}\n",
            pain);
    for (int k = 0; k < 30; k++)
        fprintf(f, "{\"t\":%d.5,\"ev\":\"count\",\"n\":%d,\"of\":30}\n", 20 + k, k + 1);
    fprintf(f, "{\"t\":20.0,\"ev\":\"exercise_start\",\"id\":\"press-up\",\"side\":\"\"}\n"
               "{\"t\":80.0,\"ev\":\"exercise_end\",\"id\":\"press-up\",\"outcome\":\"done\"}\n"
               "{\"t\":90.0,\"ev\":\"heard\",\"text\":\"x\",\"intent\":\"pain_score\","
               "\"value\":3,\"confidence\":0.9,\"start\":89.5,\"end\":90.0}\n"
               "{\"t\":95.0,\"ev\":\"session_end\",\"reason\":\"completed\"}\n");
    fclose(f);
}

static void test_many(void) {
    char dir[300];
    snprintf(dir, sizeof dir, "%s/many", tmpdir);
    mkdir(dir, 0700);
    for (int i = 0; i < 300; i++)
        write_log(dir, i, i % 11);
    hist_list l;
    fc_err err;
    CHECK_INT(history_load(dir, &l, NULL, &err), 0);
    CHECK_INT(l.n, 300);
    int sorted = 1, sum = 0;
    for (size_t i = 0; i + 1 < l.n; i++)
        sorted &= strcmp(l.s[i].sortkey, l.s[i + 1].sortkey) < 0;
    for (size_t i = 0; i < l.n; i++)
        sum += l.s[i].pain_start;
    CHECK(sorted, "sorted by start time");
    CHECK_INT(sum, 1488); /* sum of i % 11 for i < 300 */
    char *out = NULL;
    size_t n = 0;
    FILE *f = open_memstream(&out, &n);
    report_write_html(f, &l, NULL, NULL);
    fclose(f);
    CHECK_CONTAINS(out, "300 sessions from 2024-01-01 to 2024-11-20");
    CHECK_CONTAINS(out, "<tr><td>press-up</td><td class=\"n\">300</td><td class=\"n\">300</td>");
    free(out);
    history_free(&l);
}

/* Truncating a fixture at every byte and corrupting bytes never crashes
 * the reader, and a session still comes out whenever its first line does. */
static void test_damaged_files(void) {
    char *text;
    size_t len;
    fc_err err;
    text = file_read_all(FIXTURES "/2025-03-03T09-10-00.jsonl", &len, &err);
    CHECK(text != NULL, "fixture readable");
    if (!text)
        return;
    char path[300];
    snprintf(path, sizeof path, "%s/damaged.jsonl", tmpdir);
    size_t first_nl = (size_t)(strchr(text, '\n') - text);
    int bad = 0;
    unsigned long seed = 99;
    for (size_t cut = 0; cut <= len; cut += 1 + cut / 64) {
        for (int variant = 0; variant < 3; variant++) {
            FILE *f = fopen(path, "wb");
            char *copy = malloc(cut + 1);
            memcpy(copy, text, cut);
            if (variant && cut) {
                seed = seed * 6364136223846793005UL + 1442695040888963407UL;
                copy[(seed >> 33) % cut] = variant == 1 ? '\0' : (char)(seed >> 24);
            }
            fwrite(copy, 1, cut, f);
            fclose(f);
            free(copy);
            hist_session s;
            int rc = history_load_file(path, &s, NULL, &err);
            if (rc < -1 || rc > 1)
                bad++;
            if (variant == 0 && cut > first_nl && rc < 0)
                bad++;
            if (rc >= 0)
                history_session_free(&s);
        }
    }
    CHECK_INT(bad, 0);
    free(text);
    unlink(path);
}

static int run_forget(const char *dir, const char *a, const char *b, const char *c) {
    char *argv[8] = {"forget", "--dir", (char *)dir};
    int argc = 3;
    if (a)
        argv[argc++] = (char *)a;
    if (b)
        argv[argc++] = (char *)b;
    if (c)
        argv[argc++] = (char *)c;
    argv[argc] = NULL;
    fflush(stdout);
    return forget_main(argc, argv);
}

static int count_logs(const char *dir) {
    hist_list l;
    fc_err err;
    if (history_load(dir, &l, NULL, &err) != 0)
        return -1;
    int n = (int)l.n;
    history_free(&l);
    return n;
}

static void test_forget(void) {
    char dir[300], cmd[700];
    snprintf(dir, sizeof dir, "%s/forget", tmpdir);
    snprintf(cmd, sizeof cmd, "mkdir -p %s && cp " FIXTURES "/* %s/", dir, dir);
    CHECK_INT(system(cmd), 0);
    /* Not a terminal and no --yes: refuse, delete nothing. */
    if (!freopen("/dev/null", "r", stdin))
        CHECK(0, "cannot reopen stdin");
    CHECK_INT(run_forget(dir, "--all", NULL, NULL), 1);
    CHECK_INT(count_logs(dir), 5);
    CHECK_INT(run_forget(dir, NULL, NULL, NULL), 1);                  /* no selector */
    CHECK_INT(run_forget(dir, "--all", "--before", "2025-03-02"), 1); /* two selectors */
    CHECK_INT(run_forget(dir, "--before", "March", "--yes"), 1);
    CHECK_INT(run_forget(dir, "2024-01-01", "--yes", NULL), 1); /* matches nothing */
    CHECK_INT(count_logs(dir), 5);

    CHECK_INT(run_forget(dir, "--before", "2025-03-03", "--yes"), 0);
    CHECK_INT(count_logs(dir), 4);
    CHECK_INT(run_forget(dir, "2025-03-03 09:10", "--yes", NULL), 0);
    CHECK_INT(count_logs(dir), 3);
    CHECK_INT(run_forget(dir, "2025-03-05T08-30-00.jsonl", "--yes", NULL), 0);
    CHECK_INT(count_logs(dir), 2);
    CHECK_INT(run_forget(dir, "2025-03-07", "--yes", NULL), 0); /* a whole day */
    CHECK_INT(count_logs(dir), 1);
    CHECK_INT(run_forget(dir, "--all", "--yes", NULL), 0);
    CHECK_INT(count_logs(dir), 0);
    /* Foreign files are not sessions and stay. */
    char path[400];
    snprintf(path, sizeof path, "%s/shopping-list.jsonl", dir);
    CHECK(access(path, F_OK) == 0, "foreign file left alone");
    CHECK_INT(run_forget(dir, "--all", "--yes", NULL), 0); /* nothing left: fine */
}

int main(void) {
    snprintf(tmpdir, sizeof tmpdir, "%s/fc-history-XXXXXX",
             getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp");
    if (!mkdtemp(tmpdir)) {
        perror("mkdtemp");
        return 1;
    }
    test_json_valid();
    test_json_invalid();
    test_json_fuzz();
    test_history_fixtures();
    test_red_flag_words();
    test_history_print();
    test_report();
    test_many();
    test_damaged_files();
    test_forget();
    char cmd[400];
    snprintf(cmd, sizeof cmd, "rm -rf %s", tmpdir);
    if (system(cmd) != 0)
        printf("note: could not remove %s\n", tmpdir);
    return check_report();
}
