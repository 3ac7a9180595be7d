/* intent: intent names, the reply lexicon (voices/<lang>/replies.cfg) and
 * matching a typed or heard reply to an intent. */
#include "intent.h"

#include <libconfig.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *const intent_names[INTENT_COUNT] = {
    [INTENT_NONE] = "none",
    [INTENT_BETTER] = "better",
    [INTENT_SAME] = "same",
    [INTENT_WORSE] = "worse",
    [INTENT_SPREADING] = "spreading",
    [INTENT_NERVE_SIGNS] = "nerve_signs",
    [INTENT_WEAKNESS] = "weakness",
    [INTENT_CENTRALIZING] = "centralizing",
    [INTENT_SHARP_PAIN] = "sharp_pain",
    [INTENT_RED_FLAG] = "red_flag",
    [INTENT_LOCATION] = "location",
    [INTENT_PAIN_SCORE] = "pain_score",
    [INTENT_PAUSE] = "pause",
    [INTENT_RESUME] = "resume",
    [INTENT_REPEAT] = "repeat",
    [INTENT_SKIP] = "skip",
    [INTENT_SLOWER] = "slower",
    [INTENT_FASTER] = "faster",
    [INTENT_STOP] = "stop",
    [INTENT_HELP] = "help",
    [INTENT_HOW_LONG] = "how_long",
    [INTENT_YES] = "yes",
    [INTENT_NO] = "no",
};

static const char *const location_names[LOC_COUNT] = {
    [LOC_NONE] = "", [LOC_BACK] = "back", [LOC_BUTTOCK] = "buttock", [LOC_THIGH] = "thigh",
    [LOC_KNEE] = "knee", [LOC_CALF] = "calf", [LOC_FOOT] = "foot",
};

#define SCORE_MAX 10
static const char *const number_names[SCORE_MAX + 1] = {
    "zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten",
};

/* Why: when two replies are heard at once ("better but tingling in my
 * foot"), the one that matters most for safety must win. Lower is first. */
static const intent priority_order[] = {
    INTENT_RED_FLAG,   INTENT_SPREADING, INTENT_NERVE_SIGNS, INTENT_WEAKNESS,
    INTENT_SHARP_PAIN, INTENT_CENTRALIZING, INTENT_WORSE,    INTENT_LOCATION,
    INTENT_PAIN_SCORE, INTENT_SAME,      INTENT_BETTER,      INTENT_STOP,
    INTENT_PAUSE,      INTENT_RESUME,    INTENT_REPEAT,      INTENT_SKIP,
    INTENT_SLOWER,     INTENT_FASTER,    INTENT_HELP,        INTENT_HOW_LONG,
    INTENT_YES,        INTENT_NO,
};

const char *intent_name(intent i) {
    if ((int)i < 0 || i >= INTENT_COUNT)
        return "none";
    return intent_names[i];
}

intent intent_from_name(const char *name) {
    if (!name)
        return INTENT_NONE;
    for (int i = 1; i < INTENT_COUNT; i++)
        if (strcmp(name, intent_names[i]) == 0)
            return (intent)i;
    return INTENT_NONE;
}

const char *location_name(location l) {
    if ((int)l < 0 || l >= LOC_COUNT)
        return "";
    return location_names[l];
}

location location_from_name(const char *name) {
    if (!name)
        return LOC_NONE;
    for (int i = 1; i < LOC_COUNT; i++)
        if (strcmp(name, location_names[i]) == 0)
            return (location)i;
    return LOC_NONE;
}

bool intent_is_safety(intent i) {
    return i >= INTENT_BETTER && i <= INTENT_PAIN_SCORE;
}

char *intent_value_text(intent i, int value, char *buf, size_t n) {
    if (n == 0)
        return buf;
    if (i == INTENT_LOCATION)
        str_copy(buf, location_name((location)value), n);
    else if (i == INTENT_PAIN_SCORE)
        snprintf(buf, n, "%d", value);
    else
        buf[0] = '\0';
    return buf;
}

static int priority_rank(intent i) {
    for (size_t k = 0; k < sizeof priority_order / sizeof priority_order[0]; k++)
        if (priority_order[k] == i)
            return (int)k;
    return (int)INTENT_COUNT;
}

/* ---- the lexicon ---- */

typedef struct entry {
    lexicon_phrase p;
    size_t len;   /* strlen(p.text) */
    size_t words; /* words in p.text */
    int rank;     /* priority of the intent, 0 first */
    int line;     /* where it was defined, for duplicate errors */
} entry;

typedef struct negation {
    char *text;
    size_t len, words;
} negation;

/* Phrase texts live in blocks of TEXT_BLOCK bytes: a lexicon that spells
 * thousands of phrases costs a handful of allocations, not one each. */
#define TEXT_BLOCK 65536
/* The longest phrase, as written or as spelled by its choices. */
#define PHRASE_MAX 1000

struct lexicon {
    entry *e;
    size_t n, cap;
    char **blocks;
    size_t nblocks;
    size_t used; /* bytes used of the last block */
    size_t *index; /* hash of the texts: 1 + their entry, 0 free */
    size_t index_cap;
    negation *neg;
    size_t nneg, negcap;
    const entry **order; /* into e: longest first, then by priority */
    int rank[INTENT_COUNT];
};

void lexicon_free(lexicon *lx) {
    if (!lx)
        return;
    for (size_t i = 0; i < lx->nblocks; i++)
        free(lx->blocks[i]);
    free(lx->blocks);
    free(lx->index);
    for (size_t i = 0; i < lx->nneg; i++)
        free(lx->neg[i].text);
    free(lx->e);
    free(lx->neg);
    free(lx->order);
    free(lx);
}

size_t lexicon_count(const lexicon *lx) {
    return lx ? lx->n : 0;
}

const lexicon_phrase *lexicon_get(const lexicon *lx, size_t i) {
    if (!lx || i >= lx->n)
        return NULL;
    return &lx->e[i].p;
}

/* Why: editors and phones type U+2018/U+2019 for the apostrophe in "it's";
 * to a person they are the same, so make them plain ones (in place). */
static void fold_quotes(char *s) {
    char *w = s;
    for (const char *r = s; *r;) {
        const unsigned char *u = (const unsigned char *)r;
        if (u[0] == 0xE2 && u[1] == 0x80 && (u[2] == 0x98 || u[2] == 0x99)) {
            *w++ = '\'';
            r += 3;
        } else {
            *w++ = *r++;
        }
    }
    *w = '\0';
}

size_t lexicon_negation_count(const lexicon *lx) {
    return lx ? lx->nneg : 0;
}

const char *lexicon_negation(const lexicon *lx, size_t i) {
    if (!lx || i >= lx->nneg)
        return NULL;
    return lx->neg[i].text;
}

static size_t count_words(const char *s) {
    if (!*s)
        return 0;
    size_t w = 1;
    for (; *s; s++)
        w += *s == ' ';
    return w;
}

/* What the loader needs to report errors with the file's name. */
typedef struct loader {
    lexicon *lx;
    const char *path;
    fc_err *err;
} loader;

static void valid_intents(char *buf, size_t n) {
    size_t len = 0;
    buf[0] = '\0';
    for (int i = 1; i < INTENT_COUNT && len < n; i++) {
        int w = snprintf(buf + len, n - len, "%s%s", i > 1 ? ", " : "", intent_names[i]);
        if (w < 0)
            break;
        len += (size_t)w;
    }
}

/* "location.back", "pain_score.seven" or "better": how an error names a slot. */
static void slot_name(char *buf, size_t n, intent i, int value) {
    if (i == INTENT_LOCATION)
        snprintf(buf, n, "location.%s", location_name((location)value));
    else if (i == INTENT_PAIN_SCORE && value >= 0 && value <= SCORE_MAX)
        snprintf(buf, n, "pain_score.%s", number_names[value]);
    else
        snprintf(buf, n, "%s", intent_name(i));
}

/* A copy of `t` in the lexicon's text blocks; NULL when out of memory. */
static const char *text_copy(lexicon *lx, const char *t) {
    size_t len = strlen(t) + 1;
    if (lx->nblocks == 0 || lx->used + len > TEXT_BLOCK) {
        char **b = xrealloc(lx->blocks, (lx->nblocks + 1) * sizeof *b);
        if (!b)
            return NULL;
        lx->blocks = b;
        b[lx->nblocks] = xmalloc(TEXT_BLOCK);
        if (!b[lx->nblocks])
            return NULL;
        lx->nblocks++;
        lx->used = 0;
    }
    char *c = lx->blocks[lx->nblocks - 1] + lx->used;
    memcpy(c, t, len);
    lx->used += len;
    return c;
}

static size_t text_hash(const char *t) {
    size_t h = 14695981039346656037u;
    for (; *t; t++)
        h = (h ^ (unsigned char)*t) * 1099511628211u;
    return h;
}

/* The entry whose text is `t`, or NULL. */
static entry *text_find(const lexicon *lx, const char *t) {
    if (!lx->index_cap)
        return NULL;
    for (size_t k = text_hash(t) % lx->index_cap; lx->index[k]; k = (k + 1) % lx->index_cap)
        if (strcmp(lx->e[lx->index[k] - 1].p.text, t) == 0)
            return &lx->e[lx->index[k] - 1];
    return NULL;
}

/* Puts entry i in the hash, which is grown to stay at most half full.
 * Returns 0, or -1 when out of memory. */
static int text_index(lexicon *lx, size_t i) {
    if (2 * (lx->n + 1) > lx->index_cap) {
        size_t cap = lx->index_cap ? lx->index_cap * 2 : 1024;
        size_t *ix = xcalloc(cap, sizeof *ix);
        if (!ix)
            return -1;
        free(lx->index);
        lx->index = ix;
        lx->index_cap = cap;
        for (size_t k = 0; k < lx->n; k++)
            if (k != i)
                text_index(lx, k);
    }
    size_t k = text_hash(lx->e[i].p.text) % lx->index_cap;
    while (lx->index[k])
        k = (k + 1) % lx->index_cap;
    lx->index[k] = i + 1;
    return 0;
}

static int add_phrase(loader *ld, const char *raw, intent in, int value, int line,
                      bool spelled) {
    lexicon *lx = ld->lx;
    char t[PHRASE_MAX + 1];
    if (strlen(raw) > PHRASE_MAX)
        return err_set(ld->err, "%s:%d: phrase \"%.40s...\" is longer than %d characters",
                       ld->path, line, raw, PHRASE_MAX);
    str_copy(t, raw, sizeof t);
    fold_quotes(t);
    str_normalize(t);
    if (!t[0])
        return err_set(ld->err, "%s:%d: phrase \"%s\" has no words", ld->path, line, raw);
    entry *o = text_find(lx, t);
    if (o) {
        if (o->p.intent == in && o->p.value == value) {
            o->p.spelled = o->p.spelled && spelled; /* twice in one place: harmless */
            return 0;
        }
        char a[40], b[40];
        slot_name(a, sizeof a, o->p.intent, o->p.value);
        slot_name(b, sizeof b, in, value);
        return err_set(ld->err, "%s:%d: phrase \"%s\" is listed under both %s (line %d) and %s",
                       ld->path, line, t, a, o->line, b);
    }
    if (lx->n == lx->cap) {
        size_t cap = lx->cap ? lx->cap * 2 : 64;
        entry *e = xrealloc(lx->e, cap * sizeof *e);
        if (!e)
            return err_set(ld->err, "%s: out of memory", ld->path);
        lx->e = e;
        lx->cap = cap;
    }
    entry *e = &lx->e[lx->n];
    e->p.text = text_copy(lx, t);
    if (!e->p.text)
        return err_set(ld->err, "%s: out of memory", ld->path);
    e->p.intent = in;
    e->p.value = value;
    e->p.spelled = spelled;
    e->len = strlen(t);
    e->words = count_words(t);
    e->rank = lx->rank[in];
    e->line = line;
    if (text_index(lx, lx->n) < 0)
        return err_set(ld->err, "%s: out of memory", ld->path);
    lx->n++;
    return 0;
}

static int add_negation(loader *ld, const char *raw, int line) {
    lexicon *lx = ld->lx;
    char *t = xstrdup(raw);
    if (!t)
        return err_set(ld->err, "%s: out of memory", ld->path);
    fold_quotes(t);
    str_normalize(t);
    if (!t[0]) {
        free(t);
        return err_set(ld->err, "%s:%d: negation \"%s\" has no words", ld->path, line, raw);
    }
    if (lx->nneg == lx->negcap) {
        size_t cap = lx->negcap ? lx->negcap * 2 : 16;
        negation *ng = xrealloc(lx->neg, cap * sizeof *ng);
        if (!ng) {
            free(t);
            return err_set(ld->err, "%s: out of memory", ld->path);
        }
        lx->neg = ng;
        lx->negcap = cap;
    }
    negation *ng = &lx->neg[lx->nneg++];
    ng->text = t;
    ng->len = strlen(t);
    ng->words = count_words(t);
    return 0;
}

/* A phrase may hold choices: "my (leg|foot) (is|feels) numb" stands for the
 * four phrases it spells, and an empty choice makes a part optional
 * ("(really |)hurts"). Groups nest. Each phrase spelled is added as if
 * listed; a pattern may spell at most PATTERN_MAX. */
#define PATTERN_MAX 5000

static int expand(loader *ld, const char *pat, intent in, int value, int line, const char *raw,
                  size_t *count) {
    const char *open = strchr(pat, '(');
    if (!open) {
        const char *bad = strpbrk(pat, ")|");
        if (bad)
            return err_set(ld->err, "%s:%d: phrase \"%s\": '%c' outside a ( ... | ... ) group",
                           ld->path, line, raw, *bad);
        if (++*count > PATTERN_MAX)
            return err_set(ld->err, "%s:%d: phrase \"%s\" spells more than %d phrases",
                           ld->path, line, raw, PATTERN_MAX);
        return add_phrase(ld, pat, in, value, line, pat != raw);
    }
    const char *close = NULL;
    int depth = 0;
    for (const char *q = open; *q && !close; q++) {
        depth += (*q == '(') - (*q == ')');
        if (depth == 0)
            close = q;
    }
    if (!close)
        return err_set(ld->err, "%s:%d: phrase \"%s\": '(' without its ')'", ld->path, line,
                       raw);
    size_t head = (size_t)(open - pat), tail_len = strlen(close + 1);
    const char *alt = open + 1;
    for (;;) {
        /* The end of this choice: the next '|' or the group's ')' at depth 0. */
        const char *end = alt;
        for (depth = 0; end < close && !(depth == 0 && *end == '|'); end++)
            depth += (*end == '(') - (*end == ')');
        size_t alen = (size_t)(end - alt);
        char t[PHRASE_MAX + 1];
        if (head + alen + tail_len + 2 > PHRASE_MAX)
            return err_set(ld->err, "%s:%d: phrase \"%.40s...\" spells one longer than %d "
                           "characters", ld->path, line, raw, PHRASE_MAX);
        snprintf(t, sizeof t, "%.*s %.*s %s", (int)head, pat, (int)alen, alt, close + 1);
        int rc = expand(ld, t, in, value, line, raw, count);
        if (rc != 0)
            return rc;
        if (end == close)
            return 0;
        alt = end + 1;
    }
}

static int add_pattern(loader *ld, const char *raw, intent in, int value, int line) {
    size_t count = 0;
    return expand(ld, raw, in, value, line, raw, &count);
}

/* Calls add_phrase (or add_negation when `neg`) for a string, or for each
 * string of a list or array. `what` names the setting in errors. */
static int add_strings(loader *ld, config_setting_t *s, const char *what, intent in, int value,
                       bool neg) {
    int line = (int)config_setting_source_line(s);
    int type = config_setting_type(s);
    if (type == CONFIG_TYPE_STRING) {
        const char *v = config_setting_get_string(s);
        return neg ? add_negation(ld, v, line) : add_pattern(ld, v, in, value, line);
    }
    if (type != CONFIG_TYPE_LIST && type != CONFIG_TYPE_ARRAY)
        return err_set(ld->err, "%s:%d: %s must be a list of phrases in quotes, like ( \"a\", \"b\" )",
                       ld->path, line, what);
    int n = config_setting_length(s);
    for (int i = 0; i < n; i++) {
        config_setting_t *el = config_setting_get_elem(s, (unsigned)i);
        int el_line = (int)config_setting_source_line(el);
        if (el_line <= 0)
            el_line = line;
        if (config_setting_type(el) != CONFIG_TYPE_STRING)
            return err_set(ld->err, "%s:%d: %s: every phrase must be text in double quotes",
                           ld->path, el_line, what);
        const char *v = config_setting_get_string(el);
        int rc = neg ? add_negation(ld, v, el_line) : add_pattern(ld, v, in, value, el_line);
        if (rc != 0)
            return rc;
    }
    return 0;
}

/* location = { back = (...); ... } and pain_score = { zero = (...); ... }. */
static int add_valued(loader *ld, config_setting_t *grp, intent in) {
    const char *iname = intent_name(in);
    int line = (int)config_setting_source_line(grp);
    if (config_setting_type(grp) != CONFIG_TYPE_GROUP) {
        if (in == INTENT_LOCATION)
            return err_set(ld->err,
                           "%s:%d: location must be a group of places, like "
                           "location = { back = ( \"in my back\" ); }",
                           ld->path, line);
        return err_set(ld->err,
                       "%s:%d: pain_score must be a group of numbers, like "
                       "pain_score = { zero = ( \"zero\" ); }",
                       ld->path, line);
    }
    int n = config_setting_length(grp);
    for (int i = 0; i < n; i++) {
        config_setting_t *s = config_setting_get_elem(grp, (unsigned)i);
        const char *name = config_setting_name(s);
        int value = -1;
        if (in == INTENT_LOCATION) {
            location l = location_from_name(name);
            if (l != LOC_NONE)
                value = (int)l;
        } else {
            for (int k = 0; k <= SCORE_MAX; k++)
                if (name && strcmp(name, number_names[k]) == 0)
                    value = k;
        }
        if (value < 0) {
            int sl = (int)config_setting_source_line(s);
            if (in == INTENT_LOCATION)
                return err_set(ld->err,
                               "%s:%d: unknown place \"%s\" in location; valid places: back, "
                               "buttock, thigh, knee, calf, foot",
                               ld->path, sl, name ? name : "");
            return err_set(ld->err,
                           "%s:%d: unknown number \"%s\" in pain_score; valid numbers: zero, "
                           "one, two, three, four, five, six, seven, eight, nine, ten",
                           ld->path, sl, name ? name : "");
        }
        char what[64];
        snprintf(what, sizeof what, "%s.%s", iname, name);
        if (add_strings(ld, s, what, in, value, false) != 0)
            return -1;
    }
    return 0;
}

static int add_replies(loader *ld, config_setting_t *rep) {
    int n = config_setting_length(rep);
    for (int i = 0; i < n; i++) {
        config_setting_t *s = config_setting_get_elem(rep, (unsigned)i);
        const char *name = config_setting_name(s);
        intent in = intent_from_name(name);
        if (in == INTENT_NONE) {
            char valid[512];
            valid_intents(valid, sizeof valid);
            return err_set(ld->err, "%s:%d: unknown intent \"%s\"; valid intents: %s", ld->path,
                           (int)config_setting_source_line(s), name ? name : "", valid);
        }
        int rc;
        if (in == INTENT_LOCATION || in == INTENT_PAIN_SCORE)
            rc = add_valued(ld, s, in);
        else
            rc = add_strings(ld, s, name, in, 0, false);
        if (rc != 0)
            return rc;
    }
    return 0;
}

/* Why: an included file could come from anywhere and would make errors
 * point into a file the user never opened. libconfig 1.5 has no hook to
 * refuse it, so look for the directive before parsing. */
static int refuse_include(const char *path, const char *text, size_t len, fc_err *err) {
    int line = 1;
    const char *p = text, *end = text + len;
    while (p < end) {
        const char *q = p;
        while (q < end && (*q == ' ' || *q == '\t'))
            q++;
        if ((size_t)(end - q) >= 8 && memcmp(q, "@include", 8) == 0)
            return err_set(err, "%s:%d: @include is not allowed", path, line);
        const char *nl = memchr(p, '\n', (size_t)(end - p));
        const char *nul = memchr(p, '\0', (size_t)((nl ? nl : end) - p));
        if (nul)
            return err_set(err, "%s:%d: the file contains a NUL byte (is it really text?)", path,
                           line);
        if (!nl)
            break;
        p = nl + 1;
        line++;
    }
    return 0;
}

/* Longest first; equal lengths by priority, then file order (stable: the
 * entries lie in one array in file order). */
static int order_cmp(const void *a, const void *b) {
    const entry *x = *(const entry *const *)a, *y = *(const entry *const *)b;
    if (x->len != y->len)
        return x->len > y->len ? -1 : 1;
    if (x->rank != y->rank)
        return x->rank < y->rank ? -1 : 1;
    return x < y ? -1 : x > y;
}

lexicon *lexicon_load(const char *path, fc_err *err) {
    size_t len = 0;
    char *text = file_read_all(path, &len, err);
    if (!text)
        return NULL;
    lexicon *lx = NULL;
    config_t cfg;
    config_init(&cfg);
    if (refuse_include(path, text, len, err) != 0)
        goto error_out;
    if (config_read_string(&cfg, text) != CONFIG_TRUE) {
        err_set(err, "%s:%d: %s", path, config_error_line(&cfg), config_error_text(&cfg));
        goto error_out;
    }
    lx = xcalloc(1, sizeof *lx);
    if (!lx) {
        err_set(err, "%s: out of memory", path);
        goto error_out;
    }
    for (int i = 0; i < INTENT_COUNT; i++)
        lx->rank[i] = priority_rank((intent)i);
    loader ld = {lx, path, err};
    config_setting_t *root = config_root_setting(&cfg);
    config_setting_t *replies = NULL;
    int n = config_setting_length(root);
    for (int i = 0; i < n; i++) {
        config_setting_t *s = config_setting_get_elem(root, (unsigned)i);
        const char *name = config_setting_name(s);
        int line = (int)config_setting_source_line(s);
        if (name && strcmp(name, "replies") == 0) {
            if (config_setting_type(s) != CONFIG_TYPE_GROUP) {
                err_set(err, "%s:%d: replies must be a group: replies = { better = ( ... ); ... };",
                        path, line);
                goto error_out;
            }
            replies = s;
        } else if (name && strcmp(name, "negations") == 0) {
            if (add_strings(&ld, s, "negations", INTENT_NONE, 0, true) != 0)
                goto error_out;
        } else {
            err_set(err, "%s:%d: unknown setting \"%s\" (a reply lexicon has replies and negations)",
                    path, line, name ? name : "");
            goto error_out;
        }
    }
    if (!replies) {
        err_set(err, "%s:1: no replies = { ... } group", path);
        goto error_out;
    }
    if (add_replies(&ld, replies) != 0)
        goto error_out;
    if (lx->n == 0) {
        err_set(err, "%s:%d: the replies group has no phrases", path,
                (int)config_setting_source_line(replies));
        goto error_out;
    }
    lx->order = xcalloc(lx->n, sizeof *lx->order);
    if (!lx->order) {
        err_set(err, "%s: out of memory", path);
        goto error_out;
    }
    for (size_t i = 0; i < lx->n; i++)
        lx->order[i] = &lx->e[i];
    qsort(lx->order, lx->n, sizeof *lx->order, order_cmp);
    config_destroy(&cfg);
    free(text);
    return lx;
error_out:
    config_destroy(&cfg);
    free(text);
    lexicon_free(lx);
    return NULL;
}

/* ---- matching ---- */

/* Why bounded: a reply is a few words; a runaway recognizer hypothesis or a
 * pasted file must not cost time or memory, and matching must never fail. */
#define RAW_MAX 1000
#define TEXT_MAX (2 * RAW_MAX + 8)
#define WORDS_MAX (RAW_MAX + 1)

typedef struct words {
    char text[TEXT_MAX]; /* normalized words joined by single spaces */
    size_t len;
    size_t start[WORDS_MAX]; /* offset of each word in text */
    bool clause[WORDS_MAX];  /* the word begins a new sentence or clause */
    bool covered[WORDS_MAX]; /* the word belongs to a chosen phrase */
    bool negated[WORDS_MAX]; /* ... to a chosen phrase that was negated */
    size_t n;
} words;

static bool is_clause_break(unsigned char c) {
    return c == ',' || c == '.' || c == ';' || c == ':' || c == '!' || c == '?' || c == '\n';
}

static bool is_word_byte(unsigned char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
           c == '\'';
}

/* Appends one clause (raw bytes) to w, normalized. */
static void add_clause(words *w, const char *raw, size_t n) {
    char seg[RAW_MAX + 1];
    if (n > RAW_MAX)
        n = RAW_MAX;
    memcpy(seg, raw, n);
    seg[n] = '\0'; /* a NUL inside ends the text, as it would for a C string */
    fold_quotes(seg);
    str_normalize(seg);
    if (!seg[0])
        return;
    bool first = true;
    for (char *p = seg; *p;) {
        char *sp = strchr(p, ' ');
        size_t wl = sp ? (size_t)(sp - p) : strlen(p);
        if (w->n >= WORDS_MAX || w->len + wl + 2 > TEXT_MAX)
            return;
        if (w->len)
            w->text[w->len++] = ' ';
        w->start[w->n] = w->len;
        w->clause[w->n] = first;
        w->covered[w->n] = false;
        w->negated[w->n] = false;
        w->n++;
        memcpy(w->text + w->len, p, wl);
        w->len += wl;
        w->text[w->len] = '\0';
        first = false;
        p += wl;
        if (*p == ' ')
            p++;
    }
}

static void split_words(words *w, const char *text) {
    w->len = 0;
    w->n = 0;
    w->text[0] = '\0';
    size_t n = strnlen(text, RAW_MAX + 1);
    if (n > RAW_MAX) {
        /* Do not let the cut make a new word ("numbness" -> "numb"). */
        n = RAW_MAX;
        while (n > 0 && is_word_byte((unsigned char)text[n]))
            n--;
    }
    size_t a = 0;
    for (size_t i = 0; i <= n; i++) {
        if (i == n || is_clause_break((unsigned char)text[i])) {
            add_clause(w, text + a, i - a);
            a = i + 1;
        }
    }
}

/* True when `s` (len bytes, words separated by single spaces) occurs as
 * whole words starting at word i. */
static bool words_at(const words *w, size_t i, const char *s, size_t len) {
    size_t off = w->start[i];
    if (off + len > w->len)
        return false;
    if (memcmp(w->text + off, s, len) != 0)
        return false;
    char after = w->text[off + len];
    return after == ' ' || after == '\0';
}

/* True when the words just before word i (in the same clause) are a negation. */
static bool negated_at(const lexicon *lx, const words *w, size_t i) {
    for (size_t k = 0; k < lx->nneg; k++) {
        const negation *ng = &lx->neg[k];
        if (ng->words > i)
            continue;
        size_t from = i - ng->words;
        bool broken = false;
        for (size_t j = from + 1; j <= i; j++)
            broken |= w->clause[j];
        if (!broken && words_at(w, from, ng->text, ng->len))
            return true;
    }
    return false;
}

typedef struct candidate {
    bool found;
    intent in;
    int value;
    const char *phrase;
    int rank;
    size_t pos;
} candidate;

/* Keeps the better of `c` and the new one. The phrases compared here do not
 * overlap (the longer one already won where they did): the most
 * safety-relevant intent wins; between two places, the one furthest down the
 * leg (the safe side); otherwise the earlier one ("7 out of 10" is 7). */
static void consider(candidate *c, intent in, int value, const char *phrase, int rank,
                     size_t pos) {
    if (c->found) {
        if (rank != c->rank) {
            if (rank > c->rank)
                return;
        } else if (in == INTENT_LOCATION && value != c->value) {
            if (value < c->value)
                return;
        } else if (pos >= c->pos) {
            return;
        }
    }
    *c = (candidate){true, in, value, phrase, rank, pos};
}

static bool negatable(intent in) {
    return in != INTENT_YES && in != INTENT_NO && in != INTENT_NONE;
}

/* A digit-only word 0..10 as a pain score, or -1. */
static int score_digits(const char *s) {
    int v = 0, nd = 0;
    for (; *s && *s != ' '; s++, nd++) {
        if (*s < '0' || *s > '9' || nd >= 3)
            return -1;
        v = v * 10 + (*s - '0');
    }
    return nd > 0 && v <= SCORE_MAX ? v : -1;
}

static const char *score_phrase(const lexicon *lx, int v) {
    for (size_t i = 0; i < lx->n; i++)
        if (lx->e[i].p.intent == INTENT_PAIN_SCORE && lx->e[i].p.value == v &&
            lx->e[i].words == 1)
            return lx->e[i].p.text;
    return NULL;
}

/* The furthest-down place named anywhere in w, not negated and not inside a
 * negated phrase ("no pain in my foot" names no place). */
static location furthest_place(const lexicon *lx, const words *w) {
    int where = LOC_NONE;
    for (size_t k = 0; k < lx->n; k++) {
        const entry *e = &lx->e[k];
        if (e->p.intent != INTENT_LOCATION || e->p.value <= where || e->words > w->n)
            continue;
        for (size_t i = 0; i + e->words <= w->n; i++) {
            bool neg = false;
            for (size_t j = i; j < i + e->words; j++)
                neg |= w->negated[j];
            if (!neg && words_at(w, i, e->p.text, e->len) && !negated_at(lx, w, i)) {
                where = e->p.value;
                break;
            }
        }
    }
    return (location)where;
}

intent_match intent_match_text(const lexicon *lx, const char *text) {
    intent_match m = {INTENT_NONE, 0, NULL, INTENT_NONE, LOC_NONE};
    if (!lx || !text)
        return m;
    /* Large (about 8 KiB), so not on the stack of a small thread. */
    static _Thread_local words w;
    split_words(&w, text);
    if (w.n == 0)
        return m;

    for (size_t i = 0; i < lx->n; i++) {
        if (strcmp(lx->e[i].p.text, w.text) == 0) {
            m.intent = lx->e[i].p.intent;
            m.value = lx->e[i].p.value;
            m.phrase = lx->e[i].p.text;
            m.where = furthest_place(lx, &w);
            if (m.intent == INTENT_LOCATION)
                m.where = (location)m.value;
            return m;
        }
    }

    candidate best = {0}, neg = {0};
    for (size_t oi = 0; oi < lx->n; oi++) {
        const entry *e = lx->order[oi];
        if (e->words > w.n)
            continue;
        for (size_t i = 0; i + e->words <= w.n; i++) {
            bool free_span = true;
            for (size_t j = i; j < i + e->words; j++)
                free_span &= !w.covered[j];
            if (!free_span || !words_at(&w, i, e->p.text, e->len))
                continue;
            for (size_t j = i; j < i + e->words; j++)
                w.covered[j] = true;
            int rank = e->rank;
            if (negatable(e->p.intent) && negated_at(lx, &w, i)) {
                for (size_t j = i; j < i + e->words; j++)
                    w.negated[j] = true;
                consider(&neg, e->p.intent, e->p.value, e->p.text, rank, i);
            } else
                consider(&best, e->p.intent, e->p.value, e->p.text, rank, i);
        }
    }
    for (size_t i = 0; i < w.n; i++) {
        int v = w.covered[i] ? -1 : score_digits(w.text + w.start[i]);
        if (v < 0)
            continue;
        int rank = lx->rank[INTENT_PAIN_SCORE];
        const char *ph = score_phrase(lx, v);
        if (negated_at(lx, &w, i))
            consider(&neg, INTENT_PAIN_SCORE, v, ph, rank, i);
        else
            consider(&best, INTENT_PAIN_SCORE, v, ph, rank, i);
    }

    m.where = furthest_place(lx, &w);
    if (neg.found && (!best.found || best.in == INTENT_NO)) {
        m.intent = INTENT_NO;
        m.phrase = neg.phrase;
        m.negated = neg.in;
        return m;
    }
    if (best.found) {
        m.intent = best.in;
        m.value = best.value;
        m.phrase = best.phrase;
        if (m.intent == INTENT_LOCATION)
            m.where = (location)m.value;
    }
    return m;
}
