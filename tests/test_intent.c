/* test_intent: intent names, the reply lexicon loader and the matcher. */
#include "intent.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "check.h"

static char tmpdir[256];

static const char *lexicon_path(void) {
    static char p[1024];
    const char *top = getenv("FLOORCOACH_DATA");
    snprintf(p, sizeof p, "%s/voices/en-us/replies.cfg", top && *top ? top : ".");
    return p;
}

/* ---- names ---- */

static void test_names(void) {
    static const char *const want[] = {"none",     "better",   "same",         "worse",
                                       "spreading", "nerve_signs", "weakness", "centralizing",
                                       "sharp_pain", "red_flag", "location",     "pain_score",
                                       "pause",    "resume",   "repeat",       "skip",
                                       "slower",   "faster",   "stop",         "help",
                                       "how_long", "yes",      "no"};
    CHECK_INT(sizeof want / sizeof want[0], INTENT_COUNT);
    for (int i = 0; i < INTENT_COUNT; i++) {
        CHECK_STR(intent_name((intent)i), want[i]);
        if (i > 0)
            CHECK_INT(intent_from_name(want[i]), i);
    }
    CHECK_INT(intent_from_name("none"), INTENT_NONE);
    CHECK_INT(intent_from_name("Better"), INTENT_NONE);
    CHECK_INT(intent_from_name(""), INTENT_NONE);
    CHECK_INT(intent_from_name(NULL), INTENT_NONE);
    CHECK_STR(intent_name((intent)99), "none");
    CHECK_STR(intent_name((intent)-1), "none");

    static const char *const locs[] = {"", "back", "buttock", "thigh", "knee", "calf", "foot"};
    for (int i = 0; i < LOC_COUNT; i++) {
        CHECK_STR(location_name((location)i), locs[i]);
        if (i > 0)
            CHECK_INT(location_from_name(locs[i]), i);
    }
    CHECK_INT(location_from_name("toes"), LOC_NONE);
    CHECK_INT(location_from_name(NULL), LOC_NONE);
    CHECK_STR(location_name((location)42), "");

    for (int i = 0; i < INTENT_COUNT; i++)
        CHECK(intent_is_safety((intent)i) == (i >= INTENT_BETTER && i <= INTENT_PAIN_SCORE),
              "intent_is_safety(%s)", intent_name((intent)i));

    char buf[16];
    CHECK_STR(intent_value_text(INTENT_LOCATION, LOC_CALF, buf, sizeof buf), "calf");
    CHECK_STR(intent_value_text(INTENT_PAIN_SCORE, 7, buf, sizeof buf), "7");
    CHECK_STR(intent_value_text(INTENT_BETTER, 3, buf, sizeof buf), "");
}

/* ---- matching with the bundled lexicon ---- */

typedef struct mcase {
    const char *text;
    intent in;
    int value;
} mcase;

/* Every phrase named in the issue and the design's intent table. */
static const mcase required[] = {
    {"feeling better", INTENT_BETTER, 0},
    {"it's better", INTENT_BETTER, 0},
    {"better", INTENT_BETTER, 0},
    {"about the same", INTENT_SAME, 0},
    {"same", INTENT_SAME, 0},
    {"pain is worse", INTENT_WORSE, 0},
    {"worse", INTENT_WORSE, 0},
    {"pain down my leg", INTENT_SPREADING, 0},
    {"pain going down my leg", INTENT_SPREADING, 0},
    {"it's going down to my foot", INTENT_SPREADING, 0},
    {"pain below my knee", INTENT_SPREADING, 0},
    {"tingling in my foot", INTENT_NERVE_SIGNS, 0},
    {"pins and needles", INTENT_NERVE_SIGNS, 0},
    {"my foot is numb", INTENT_NERVE_SIGNS, 0},
    {"numbness", INTENT_NERVE_SIGNS, 0},
    {"my toes are tingling", INTENT_NERVE_SIGNS, 0},
    {"I can't feel my foot", INTENT_NERVE_SIGNS, 0},
    {"my leg feels weak", INTENT_WEAKNESS, 0},
    {"pain moved to my back", INTENT_CENTRALIZING, 0},
    {"it's in my back now", INTENT_CENTRALIZING, 0},
    {"leg feels better", INTENT_CENTRALIZING, 0},
    {"less in my leg", INTENT_CENTRALIZING, 0},
    {"sharp pain", INTENT_SHARP_PAIN, 0},
    {"severe pain", INTENT_SHARP_PAIN, 0},
    {"that really hurts", INTENT_SHARP_PAIN, 0},
    {"that hurts a lot", INTENT_SHARP_PAIN, 0},
    {"I can't control my bladder", INTENT_RED_FLAG, 0},
    {"bowel", INTENT_RED_FLAG, 0},
    {"numb between my legs", INTENT_RED_FLAG, 0},
    {"pain in both legs", INTENT_RED_FLAG, 0},
    {"sudden weakness", INTENT_RED_FLAG, 0},
    {"in my back", INTENT_LOCATION, LOC_BACK},
    {"in my buttock", INTENT_LOCATION, LOC_BUTTOCK},
    {"in my thigh", INTENT_LOCATION, LOC_THIGH},
    {"in my knee", INTENT_LOCATION, LOC_KNEE},
    {"in my calf", INTENT_LOCATION, LOC_CALF},
    {"in my foot", INTENT_LOCATION, LOC_FOOT},
    {"in my toes", INTENT_LOCATION, LOC_FOOT},
    {"back", INTENT_LOCATION, LOC_BACK},
    {"buttock", INTENT_LOCATION, LOC_BUTTOCK},
    {"thigh", INTENT_LOCATION, LOC_THIGH},
    {"knee", INTENT_LOCATION, LOC_KNEE},
    {"calf", INTENT_LOCATION, LOC_CALF},
    {"foot", INTENT_LOCATION, LOC_FOOT},
    {"toes", INTENT_LOCATION, LOC_FOOT},
    {"zero", INTENT_PAIN_SCORE, 0},
    {"one", INTENT_PAIN_SCORE, 1},
    {"two", INTENT_PAIN_SCORE, 2},
    {"three", INTENT_PAIN_SCORE, 3},
    {"four", INTENT_PAIN_SCORE, 4},
    {"five", INTENT_PAIN_SCORE, 5},
    {"six", INTENT_PAIN_SCORE, 6},
    {"seven", INTENT_PAIN_SCORE, 7},
    {"eight", INTENT_PAIN_SCORE, 8},
    {"nine", INTENT_PAIN_SCORE, 9},
    {"ten", INTENT_PAIN_SCORE, 10},
    {"pause", INTENT_PAUSE, 0},
    {"resume", INTENT_RESUME, 0},
    {"carry on", INTENT_RESUME, 0},
    {"keep going", INTENT_RESUME, 0},
    {"go on", INTENT_RESUME, 0},
    {"ready", INTENT_RESUME, 0},
    {"repeat", INTENT_REPEAT, 0},
    {"say that again", INTENT_REPEAT, 0},
    {"skip", INTENT_SKIP, 0},
    {"next", INTENT_SKIP, 0},
    {"next one", INTENT_SKIP, 0},
    {"slower", INTENT_SLOWER, 0},
    {"slow down", INTENT_SLOWER, 0},
    {"faster", INTENT_FASTER, 0},
    {"speed up", INTENT_FASTER, 0},
    {"stop session", INTENT_STOP, 0},
    {"stop the session", INTENT_STOP, 0},
    {"help", INTENT_HELP, 0},
    {"what can I say", INTENT_HELP, 0},
    {"how many left", INTENT_HOW_LONG, 0},
    {"how long left", INTENT_HOW_LONG, 0},
    {"yes", INTENT_YES, 0},
    {"yes please", INTENT_YES, 0},
    {"no", INTENT_NO, 0},
    {"no thanks", INTENT_NO, 0},
    {"yes I do", INTENT_YES, 0},
    {"no I don't", INTENT_NO, 0},
    /* the natural answers to "Have you ...?", "Is it ...?" and "Has it ...?" */
    {"yes, I have", INTENT_YES, 0},
    {"no, I haven't", INTENT_NO, 0},
    {"yes it is", INTENT_YES, 0},
    {"no, it isn't", INTENT_NO, 0},
    {"no it's not", INTENT_NO, 0},
    {"no, it hasn't", INTENT_NO, 0},
    {"not at all", INTENT_NO, 0},
    {"no, I'm not", INTENT_NO, 0},
    {"yes I am", INTENT_YES, 0},
};

/* Phrases inside longer text, precedence, digits, punctuation, case. */
static const mcase embedded[] = {
    {"uh pain down my leg now", INTENT_SPREADING, 0},
    {"I think it's better", INTENT_BETTER, 0},
    {"Well... about the same, really.", INTENT_SAME, 0},
    {"It's BETTER!", INTENT_BETTER, 0},
    {"it\xe2\x80\x99s better", INTENT_BETTER, 0},
    {"the pain moved to my back", INTENT_CENTRALIZING, 0},
    {"it's in my back now I think", INTENT_CENTRALIZING, 0},
    {"my leg feels better now", INTENT_CENTRALIZING, 0},
    {"it's less in my leg", INTENT_CENTRALIZING, 0},
    {"feeling better but tingling in my foot", INTENT_NERVE_SIGNS, 0},
    {"better, pain in both legs", INTENT_RED_FLAG, 0},
    {"stop session my leg feels weak", INTENT_WEAKNESS, 0},
    {"behind my knee", INTENT_LOCATION, LOC_KNEE},
    {"back of my knee", INTENT_LOCATION, LOC_KNEE},
    {"it's in my thigh", INTENT_LOCATION, LOC_THIGH},
    {"mostly in my calf I'd say", INTENT_LOCATION, LOC_CALF},
    {"pain in my calf, about a seven", INTENT_LOCATION, LOC_CALF},
    {"in my calf and in my foot", INTENT_LOCATION, LOC_FOOT},
    {"foot, no, calf", INTENT_LOCATION, LOC_FOOT},
    {"seven out of ten", INTENT_PAIN_SCORE, 7},
    {"I'd say a four", INTENT_PAIN_SCORE, 4},
    {"7", INTENT_PAIN_SCORE, 7},
    {"about 7 out of 10", INTENT_PAIN_SCORE, 7},
    {"10", INTENT_PAIN_SCORE, 10},
    {"0", INTENT_PAIN_SCORE, 0},
    {"7/10", INTENT_PAIN_SCORE, 7},
    {"okay carry on", INTENT_RESUME, 0},
    {"could you say that again", INTENT_REPEAT, 0},
    {"yes please carry on", INTENT_RESUME, 0},
    {"can we skip this one", INTENT_SKIP, 0},
    {"no, pain down my leg", INTENT_SPREADING, 0},
    {"not worse", INTENT_SAME, 0},
    {"no change", INTENT_SAME, 0},
    {"not really", INTENT_NO, 0},
    {"  better  ", INTENT_BETTER, 0},
    {"stop", INTENT_STOP, 0},
};

/* Negated phrases: the answer no, with the negated intent kept. */
static const mcase negated[] = {
    {"no pain down my leg", INTENT_SPREADING, 0},
    {"no tingling", INTENT_NERVE_SIGNS, 0},
    {"there's no tingling in my foot", INTENT_NERVE_SIGNS, 0},
    {"I don't have any numbness", INTENT_NERVE_SIGNS, 0},
    {"not better", INTENT_BETTER, 0},
    {"don't stop", INTENT_STOP, 0},
    {"no bladder problems", INTENT_RED_FLAG, 0},
    {"not ready", INTENT_RESUME, 0},
    {"no more pain", INTENT_WORSE, 0},
};

static const char *const non_replies[] = {
    "the weather is nice today",
    "",
    "   ",
    "!!! ??? ...",
    "\t\n\r",
    "\xff\xfe\xfd\x80\x81",
    "uh",
    "hmm hmm",
    "betterment",
    "backpack",
    "nextdoor",
    "11",
    "123",
    "-",
    "'''",
};

static void test_matching(const lexicon *lx) {
    for (size_t i = 0; i < sizeof required / sizeof required[0]; i++) {
        intent_match m = intent_match_text(lx, required[i].text);
        CHECK(m.intent == required[i].in && m.value == required[i].value,
              "\"%s\": got %s %d, want %s %d", required[i].text, intent_name(m.intent), m.value,
              intent_name(required[i].in), required[i].value);
        CHECK(m.phrase != NULL, "\"%s\" names its phrase", required[i].text);
        CHECK_INT(m.negated, INTENT_NONE);
    }
    for (size_t i = 0; i < sizeof embedded / sizeof embedded[0]; i++) {
        intent_match m = intent_match_text(lx, embedded[i].text);
        CHECK(m.intent == embedded[i].in && m.value == embedded[i].value,
              "\"%s\": got %s %d, want %s %d", embedded[i].text, intent_name(m.intent), m.value,
              intent_name(embedded[i].in), embedded[i].value);
    }
    for (size_t i = 0; i < sizeof negated / sizeof negated[0]; i++) {
        intent_match m = intent_match_text(lx, negated[i].text);
        CHECK(m.intent == INTENT_NO && m.negated == negated[i].in,
              "\"%s\": got %s (negated %s), want no (negated %s)", negated[i].text,
              intent_name(m.intent), intent_name(m.negated), intent_name(negated[i].in));
    }
    for (size_t i = 0; i < sizeof non_replies / sizeof non_replies[0]; i++) {
        intent_match m = intent_match_text(lx, non_replies[i]);
        CHECK(m.intent == INTENT_NONE && m.phrase == NULL, "\"%s\": got %s, want none",
              non_replies[i], intent_name(m.intent));
    }
    CHECK_INT(intent_match_text(lx, NULL).intent, INTENT_NONE);
    CHECK_INT(intent_match_text(NULL, "better").intent, INTENT_NONE);

    /* The furthest place named, even inside a longer phrase. */
    static const struct {
        const char *text;
        intent in;
        location where;
    } places[] = {
        {"it's going down to my foot", INTENT_SPREADING, LOC_FOOT},
        {"pain below my knee", INTENT_SPREADING, LOC_KNEE},
        {"tingling in my toes", INTENT_NERVE_SIGNS, LOC_FOOT},
        {"pain moved to my back", INTENT_CENTRALIZING, LOC_BACK},
        {"back of my thigh", INTENT_LOCATION, LOC_THIGH},
        {"in my calf", INTENT_LOCATION, LOC_CALF},
        {"pain down my leg", INTENT_SPREADING, LOC_NONE},
        {"better", INTENT_BETTER, LOC_NONE},
        {"no pain in my foot", INTENT_NO, LOC_NONE},
        {"pain in my thigh, no pain in my foot", INTENT_LOCATION, LOC_THIGH},
    };
    for (size_t i = 0; i < sizeof places / sizeof places[0]; i++) {
        intent_match pm = intent_match_text(lx, places[i].text);
        CHECK(pm.intent == places[i].in && pm.where == places[i].where,
              "\"%s\": got %s where %s, want %s where %s", places[i].text, intent_name(pm.intent),
              location_name(pm.where), intent_name(places[i].in), location_name(places[i].where));
    }

    CHECK(lexicon_negation_count(lx) >= 5, "the bundled lexicon has negations");
    CHECK_STR(lexicon_negation(lx, 0), "no");
    CHECK(lexicon_negation(lx, lexicon_negation_count(lx)) == NULL, "past the end is NULL");

    /* The matched phrase is the lexicon's own string. */
    intent_match m = intent_match_text(lx, "uh pain down my leg now");
    CHECK_STR(m.phrase, "pain down my leg");
    m = intent_match_text(lx, "about 7 out of 10");
    CHECK_STR(m.phrase, "seven");
}

/* Each phrase of the lexicon maps to its own intent and value. */
static void test_round_trip(const lexicon *lx) {
    size_t n = lexicon_count(lx);
    CHECK(n > 200, "the bundled lexicon has many phrases (%zu)", n);
    int per_intent[INTENT_COUNT] = {0}, multiword[INTENT_COUNT] = {0};
    int bad = 0;
    for (size_t i = 0; i < n; i++) {
        const lexicon_phrase *p = lexicon_get(lx, i);
        intent_match m = intent_match_text(lx, p->text);
        if (m.intent != p->intent || m.value != p->value || m.phrase != p->text) {
            bad++;
            CHECK(0, "round trip \"%s\": got %s %d, want %s %d", p->text, intent_name(m.intent),
                  m.value, intent_name(p->intent), p->value);
        }
        /* Also as part of a sentence, with words around it that mean nothing. */
        char buf[256];
        snprintf(buf, sizeof buf, "um %s okay", p->text);
        m = intent_match_text(lx, buf);
        if (strcmp(p->text, "okay") != 0)
            CHECK(m.intent == p->intent && m.value == p->value,
                  "\"%s\": got %s %d, want %s %d", buf, intent_name(m.intent), m.value,
                  intent_name(p->intent), p->value);
        per_intent[p->intent]++;
        if (strchr(p->text, ' '))
            multiword[p->intent]++;
    }
    CHECK_INT(bad, 0);
    CHECK(lexicon_get(lx, n) == NULL, "lexicon_get past the end is NULL");
    for (int i = 1; i < INTENT_COUNT; i++) {
        CHECK(per_intent[i] > 0, "intent %s has phrases", intent_name((intent)i));
        CHECK(multiword[i] > 0, "intent %s has a phrase of 2 or more words",
              intent_name((intent)i));
    }
}

/* Every word of every phrase must be in the recognizer's dictionary. */
static int cmp_str(const void *a, const void *b) {
    return strcmp(*(const char *const *)a, *(const char *const *)b);
}

static void test_dictionary(const lexicon *lx) {
    const char *dict = "/usr/share/pocketsphinx/model/en-us/cmudict-en-us.dict";
    size_t len;
    fc_err err;
    char *text = file_read_all(dict, &len, &err);
    if (!text) {
        printf("skip: dictionary check (%s)\n", err.msg);
        return;
    }
    size_t cap = 1 << 17, n = 0;
    char **w = malloc(cap * sizeof *w);
    for (char *line = text; line && *line;) {
        char *nl = strchr(line, '\n');
        if (nl)
            *nl = '\0';
        char *sp = strpbrk(line, " \t(");
        if (sp)
            *sp = '\0';
        if (n == cap)
            w = realloc(w, (cap *= 2) * sizeof *w);
        w[n++] = line;
        line = nl ? nl + 1 : NULL;
    }
    qsort(w, n, sizeof *w, cmp_str);
    int missing = 0;
    for (size_t i = 0; i < lexicon_count(lx); i++) {
        char buf[256];
        str_copy(buf, lexicon_get(lx, i)->text, sizeof buf);
        for (char *save = NULL, *tok = strtok_r(buf, " ", &save); tok;
             tok = strtok_r(NULL, " ", &save)) {
            const char *key = tok;
            if (!bsearch(&key, w, n, sizeof *w, cmp_str)) {
                missing++;
                printf("FAIL: word \"%s\" (in \"%s\") is not in the dictionary\n", tok,
                       lexicon_get(lx, i)->text);
            }
        }
    }
    CHECK_INT(missing, 0);
    free(w);
    free(text);
}

/* Arbitrary bytes and lengths never crash and stay bounded. */
static void test_robust(const lexicon *lx) {
    unsigned seed = 12345;
    char buf[3000];
    int high_only_none = 1;
    for (int round = 0; round < 3000; round++) {
        size_t n = (size_t)(round % 2999);
        for (size_t i = 0; i < n; i++) {
            seed = seed * 1103515245u + 12345u;
            buf[i] = (char)((seed >> 16) & 0xff);
            if (!buf[i])
                buf[i] = ' ';
        }
        buf[n] = '\0';
        intent_match m = intent_match_text(lx, buf);
        CHECK(m.intent >= INTENT_NONE && m.intent < INTENT_COUNT, "random bytes: valid intent");
        /* Bytes >= 0x80 form no words at all. */
        for (size_t i = 0; i < n; i++)
            buf[i] = (char)(buf[i] | 0x80);
        if (intent_match_text(lx, buf).intent != INTENT_NONE)
            high_only_none = 0;
    }
    CHECK(high_only_none, "non-ASCII noise is never a reply");

    size_t big = 1 << 20;
    char *s = malloc(big + 1);
    for (size_t i = 0; i < big; i += 2) {
        s[i] = 'a';
        s[i + 1] = ' ';
    }
    s[big] = '\0';
    CHECK_INT(intent_match_text(lx, s).intent, INTENT_NONE);
    memcpy(s + 10, "better ", 7);
    CHECK_INT(intent_match_text(lx, s).intent, INTENT_BETTER);
    /* A word cut at the reading limit is not a new word. */
    memset(s, 'x', big);
    memcpy(s + 995, " numbness", 9);
    CHECK_INT(intent_match_text(lx, s).intent, INTENT_NONE);
    memset(s, ',', big);
    CHECK_INT(intent_match_text(lx, s).intent, INTENT_NONE);
    free(s);
}

/* ---- malformed lexicons ---- */

static char *write_tmp(const char *name, const char *text, size_t len) {
    static char path[512];
    snprintf(path, sizeof path, "%s/%s", tmpdir, name);
    FILE *f = fopen(path, "wb");
    if (!f)
        return path;
    fwrite(text, 1, len, f);
    fclose(f);
    return path;
}

typedef struct bad_case {
    const char *name;
    const char *text;
    int line;
    const char *says;
} bad_case;

static const bad_case bad_lexicons[] = {
    {"unknown.cfg", "replies = {\n  better = ( \"better\" );\n  beter = ( \"b\" );\n};\n", 3,
     "unknown intent \"beter\"; valid intents: better, same, worse"},
    {"type.cfg", "replies = {\n  better = ( \"better\",\n    5 );\n};\n", 3,
     "every phrase must be text in double quotes"},
    {"type2.cfg", "replies = {\n  better = 5;\n};\n", 2, "must be a list of phrases"},
    {"include.cfg", "replies = {\n  better = ( \"better\" );\n};\n  @include \"other.cfg\"\n",
     4, "@include is not allowed"},
    {"syntax.cfg", "replies = {\n  better = ( \"better\" \n  same = ( \"same\" );\n};\n", 3,
     "syntax error"},
    {"dup.cfg", "replies = {\n  better = ( \"it's better\" );\n  worse = ( \"It's  Better!\" );\n};\n",
     3, "listed under both better (line 2) and worse"},
    {"dup2.cfg",
     "replies = {\n  location = {\n    back = ( \"back\" );\n    foot = ( \"back\" );\n  };\n};\n",
     4, "location.back (line 3) and location.foot"},
    {"place.cfg", "replies = {\n  location = {\n    elbow = ( \"elbow\" );\n  };\n};\n", 3,
     "unknown place \"elbow\""},
    {"number.cfg", "replies = {\n  pain_score = {\n    eleven = ( \"eleven\" );\n  };\n};\n", 3,
     "unknown number \"eleven\""},
    {"locgroup.cfg", "replies = {\n  location = ( \"back\" );\n};\n", 2,
     "location must be a group"},
    {"top.cfg", "replies = { better = ( \"better\" ); };\nreplys = { };\n", 2,
     "unknown setting \"replys\""},
    {"noreplies.cfg", "negations = ( \"no\" );\n", 1, "no replies"},
    {"empty.cfg", "replies = {\n  better = ( \"better\", \"!!!\" );\n};\n", 2,
     "phrase \"!!!\" has no words"},
    {"nophrases.cfg", "replies = {\n};\n", 1, "no phrases"},
    {"negtype.cfg", "replies = { better = \"better\"; };\nnegations = ( 1 );\n", 2,
     "negations: every phrase must be text"},
    {"unclosed.cfg", "replies = {\n  better = ( \"better\",\n    \"(much|a bit better\" );\n};\n",
     3, "phrase \"(much|a bit better\": '(' without its ')'"},
    {"bar.cfg", "replies = {\n  better = ( \"much|a bit better\" );\n};\n", 2,
     "'|' outside a ( ... | ... ) group"},
    {"paren.cfg", "replies = {\n  better = ( \"much) better\" );\n};\n", 2,
     "')' outside a ( ... | ... ) group"},
    {"huge.cfg",
     "replies = {\n  better = ( \"(a|b|c|d|e|f|g|h|i|j) (a|b|c|d|e|f|g|h|i|j) (a|b|c|d|e|f|g|h|i|j) "
     "(a|b|c|d|e|f|g|h|i|j) better\" );\n};\n",
     2, "spells more than 5000 phrases"},
    {"patdup.cfg",
     "replies = {\n  better = ( \"(it's|it is) better\" );\n  worse = ( \"it's (worse|better)\" );\n};\n",
     3, "phrase \"it's better\" is listed under both better (line 2) and worse"},
    {"patempty.cfg", "replies = {\n  better = ( \"(better|)\" );\n};\n", 2,
     "has no words"},
};

/* Choices in a phrase spell every phrase they allow, nested and optional
 * parts included, each matched as if listed. */
static void test_patterns(void) {
    const char *text = "replies = {\n"
                       "  nerve_signs = ( \"my (leg|foot|toes) (is|are|feels|(has|have) gone) numb\",\n"
                       "                  \"(there's |)tingling in my (leg|foot)\" );\n"
                       "  better = ( \"(it's |)(a lot|much) better\", \"much better\" );\n"
                       "};\n";
    char *path = write_tmp("patterns.cfg", text, strlen(text));
    fc_err err = {{0}};
    lexicon *lx = lexicon_load(path, &err);
    CHECK(lx != NULL, "a lexicon with choices loads: %s", lx ? "" : err.msg);
    if (!lx)
        return;
    /* 3 places x 5 verbs, 2 x 2, and 2 x 2 (the last phrase listed again). */
    CHECK_INT(lexicon_count(lx), 15 + 4 + 4);
    static const char *const spelled[] = {"my leg is numb",          "my toes have gone numb",
                                          "my foot feels numb",      "tingling in my foot",
                                          "there's tingling in my leg"};
    for (size_t i = 0; i < sizeof spelled / sizeof spelled[0]; i++) {
        intent_match m = intent_match_text(lx, spelled[i]);
        CHECK(m.intent == INTENT_NERVE_SIGNS && m.phrase && strcmp(m.phrase, spelled[i]) == 0,
              "\"%s\" is a phrase of its own", spelled[i]);
    }
    CHECK_INT(intent_match_text(lx, "it's a lot better").intent, INTENT_BETTER);
    CHECK_INT(intent_match_text(lx, "much better").intent, INTENT_BETTER);
    for (size_t i = 0; i < lexicon_count(lx); i++) {
        const char *t = lexicon_get(lx, i)->text;
        CHECK(!strpbrk(t, "()|") && !strstr(t, "  ") && t[0] != ' ' && t[strlen(t) - 1] != ' ',
              "\"%s\" is spelled clean", t);
    }
    CHECK_INT(intent_match_text(lx, "my leg numb").intent, INTENT_NONE);
    /* Spelled by choices only, or listed as well (a listener hears the
     * listed phrases first). */
    for (size_t i = 0; i < lexicon_count(lx); i++) {
        const lexicon_phrase *p = lexicon_get(lx, i);
        bool listed = strcmp(p->text, "much better") == 0;
        CHECK(p->spelled == !listed, "\"%s\" is %s", p->text, listed ? "listed" : "spelled");
    }
    lexicon_free(lx);
}

static void test_bad_lexicons(void) {
    for (size_t i = 0; i < sizeof bad_lexicons / sizeof bad_lexicons[0]; i++) {
        const bad_case *c = &bad_lexicons[i];
        char *path = write_tmp(c->name, c->text, strlen(c->text));
        fc_err err = {{0}};
        lexicon *lx = lexicon_load(path, &err);
        CHECK(lx == NULL, "%s is refused", c->name);
        lexicon_free(lx);
        char want[600];
        snprintf(want, sizeof want, "%s:%d: ", path, c->line);
        CHECK(strncmp(err.msg, want, strlen(want)) == 0, "%s: message starts with \"%s\": got \"%s\"",
              c->name, want, err.msg);
        CHECK_CONTAINS(err.msg, c->says);
    }
    /* A NUL byte in the file. */
    char *path = write_tmp("nul.cfg", "replies = {\n better = ( \"be\0tter\" );\n};\n", 41);
    fc_err err = {{0}};
    CHECK(lexicon_load(path, &err) == NULL, "a NUL byte is refused");
    CHECK_CONTAINS(err.msg, "nul.cfg:2: ");

    err.msg[0] = '\0';
    CHECK(lexicon_load("/nonexistent/replies.cfg", &err) == NULL, "a missing file is refused");
    CHECK_CONTAINS(err.msg, "/nonexistent/replies.cfg");

    /* A good small lexicon: single strings, arrays, duplicates within one
     * intent, curly apostrophes, its own negations. */
    const char *good = "replies = {\n"
                       "  better = \"Better\";\n"
                       "  same = [ \"same\", \"same\", \"it\xe2\x80\x99s the same\" ];\n"
                       "  location = { calf = \"calf\"; };\n"
                       "  pain_score = { three = ( \"three\" ); };\n"
                       "};\n"
                       "negations = \"nicht\";\n";
    path = write_tmp("good.cfg", good, strlen(good));
    lexicon *lx = lexicon_load(path, &err);
    CHECK(lx != NULL, "small lexicon loads: %s", lx ? "" : err.msg);
    if (lx) {
        CHECK_INT(lexicon_count(lx), 5);
        CHECK_INT(intent_match_text(lx, "it's the same").intent, INTENT_SAME);
        CHECK_INT(intent_match_text(lx, "calf three").intent, INTENT_LOCATION);
        intent_match m = intent_match_text(lx, "nicht better");
        CHECK(m.intent == INTENT_NO && m.negated == INTENT_BETTER, "own negation word");
        CHECK_INT(intent_match_text(lx, "no better").intent, INTENT_BETTER);
        m = intent_match_text(lx, "9");
        CHECK(m.intent == INTENT_PAIN_SCORE && m.value == 9 && m.phrase == NULL,
              "digits without a phrase for them");
    }
    lexicon_free(lx);
    lexicon_free(NULL);

    /* Allocation failures clean up and report. */
    const char *lp = lexicon_path();
    for (long k = 0; k < 400; k += 7) {
        util_fail_after(k);
        fc_err e2 = {{0}};
        lexicon *l2 = lexicon_load(lp, &e2);
        util_fail_after(-1);
        if (!l2)
            CHECK(e2.msg[0] != '\0', "allocation failure %ld reported", k);
        lexicon_free(l2);
    }
}

int main(void) {
    snprintf(tmpdir, sizeof tmpdir, "/tmp/fc-intent.XXXXXX");
    if (!mkdtemp(tmpdir)) {
        perror("mkdtemp");
        return 1;
    }
    test_names();
    fc_err err = {{0}};
    lexicon *lx = lexicon_load(lexicon_path(), &err);
    CHECK(lx != NULL, "bundled lexicon loads: %s", err.msg);
    if (lx) {
        test_matching(lx);
        test_round_trip(lx);
        test_dictionary(lx);
        test_robust(lx);
    }
    lexicon_free(lx);
    test_bad_lexicons();
    test_patterns();
    char cmd[600];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", tmpdir);
    if (system(cmd) != 0)
        printf("note: could not remove %s\n", tmpdir);
    return check_report();
}
