/* routine: loads routine files (libconfig), validates them with file:line errors, lints them. */
#include "routine.h"

#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <libconfig.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include "paths.h"

/* Where the loader is and where its first error goes. */
typedef struct loader {
    const char *file;
    fc_err *err;
} loader;

static int fail(const loader *ld, int line, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static int fail(const loader *ld, int line, const char *fmt, ...) {
    char msg[900];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    return err_set(ld->err, "%s:%d: %s", ld->file, line < 1 ? 1 : line, msg);
}

static int nomem(const loader *ld) {
    return err_set(ld->err, "%s: out of memory while loading the routine", ld->file);
}

/* LeakSanitizer suppressions for libconfig live in sanitize.c. */

/* ---- before libconfig sees the text ---------------------------------- */

/* Length of the UTF-8 sequence at b[i..len), or 0 when it is not valid UTF-8
 * (overlong forms, surrogates and values past U+10FFFF are refused). */
static size_t utf8_len(const unsigned char *b, size_t i, size_t len) {
    unsigned char c = b[i];
    size_t n;
    unsigned cp, min;
    if (c < 0x80)
        return 1;
    if ((c & 0xE0) == 0xC0) {
        n = 2, cp = c & 0x1Fu, min = 0x80;
    } else if ((c & 0xF0) == 0xE0) {
        n = 3, cp = c & 0x0Fu, min = 0x800;
    } else if ((c & 0xF8) == 0xF0) {
        n = 4, cp = c & 0x07u, min = 0x10000;
    } else {
        return 0;
    }
    if (len - i < n)
        return 0;
    for (size_t k = 1; k < n; k++) {
        if ((b[i + k] & 0xC0) != 0x80)
            return 0;
        cp = (cp << 6) | (b[i + k] & 0x3Fu);
    }
    if (cp < min || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF))
        return 0;
    return n;
}

/* Why: libconfig would stop at a NUL byte (hiding the rest of the file),
 * leaks memory on some garbage, and a routine is spoken text anyway, so
 * anything that is not plain UTF-8 text is refused before parsing. */
static int scan_bytes(const loader *ld, const char *buf, size_t len) {
    const unsigned char *b = (const unsigned char *)buf;
    int line = 1;
    if (len > ROUTINE_MAX_FILE) {
        for (size_t i = 0; i < ROUTINE_MAX_FILE; i++)
            line += b[i] == '\n';
        return fail(ld, line,
                    "the file is too large: it passes %d bytes on this line (a routine file "
                    "is plain text of at most %d bytes)",
                    ROUTINE_MAX_FILE, ROUTINE_MAX_FILE);
    }
    for (size_t i = 0; i < len;) {
        unsigned char c = b[i];
        if (c == '\n') {
            line++;
            i++;
            continue;
        }
        if (c == 0)
            return fail(ld, line,
                        "the file contains a NUL byte (a routine file is plain text; is this "
                        "a binary file?)");
        if ((c < 0x20 && c != '\t' && c != '\r') || c == 0x7F)
            return fail(ld, line,
                        "the file contains the control character 0x%02X (a routine file is "
                        "plain text; is this a binary file?)",
                        c);
        size_t n = utf8_len(b, i, len);
        if (n == 0)
            return fail(ld, line,
                        "the file is not valid UTF-8 text (byte 0x%02X; save it as UTF-8 "
                        "plain text)",
                        c);
        i += n;
    }
    return 0;
}

static int is_ident_start(unsigned char c) {
    return isalpha(c) || c == '*';
}

static int is_ident_char(unsigned char c) {
    return isalnum(c) || c == '*' || c == '_' || c == '-';
}

/* A numeric literal starting at b[i]: refuses integers too large for an int,
 * which libconfig 1.5 would silently wrap (4294967301 would read as 5).
 * Returns the index after the literal, or 0 with err set. */
static size_t scan_number(const loader *ld, const unsigned char *b, size_t i, size_t len,
                          int line) {
    size_t start = i;
    if (b[i] == '-' || b[i] == '+')
        i++;
    int hex = i + 1 < len && b[i] == '0' && (b[i + 1] == 'x' || b[i + 1] == 'X');
    if (hex)
        i += 2;
    size_t digits = 0, significant = 0;
    while (i < len && (hex ? isxdigit(b[i]) : isdigit(b[i]))) {
        if (significant || b[i] != '0')
            significant++;
        digits++;
        i++;
    }
    int is_float = !hex && i < len && (b[i] == '.' || b[i] == 'e' || b[i] == 'E');
    if (!is_float && significant > (hex ? 8u : 9u)) {
        int shown = (int)(i - start) > 40 ? 40 : (int)(i - start);
        fail(ld, line,
             "the number %.*s%s is too large (numbers in a routine are small whole numbers, "
             "such as reps = 10;)",
             shown, (const char *)b + start, (int)(i - start) > 40 ? "..." : "");
        return 0;
    }
    (void)digits;
    /* The rest of the literal (fraction, exponent, L suffix) is libconfig's. */
    while (i < len && (is_ident_char(b[i]) || b[i] == '.' ||
                       ((b[i] == '-' || b[i] == '+') && (b[i - 1] == 'e' || b[i - 1] == 'E'))))
        i++;
    return i;
}

/* Why: libconfig 1.5 opens any file named by `@include` (even /etc/shadow
 * when run as root, echoing parts of it in errors), its bison parser gives up
 * with "memory exhausted" on deep nesting, and adding a key to a group costs
 * time proportional to the group's size, so a file of a million keys would
 * take hours. All three are refused here, with lines, before parsing. */
static int scan_tokens(const loader *ld, const char *buf, size_t len) {
    const unsigned char *b = (const unsigned char *)buf;
    int line = 1, depth = 0, settings = 0;
    size_t i = 0;
    while (i < len) {
        unsigned char c = b[i];
        if (c == '\n') {
            line++;
            i++;
        } else if (c == '"') {
            int start_line = line;
            for (i++; i < len && b[i] != '"'; i++) {
                if (b[i] == '\\' && i + 1 < len && b[i + 1] != '\n')
                    i++;
                else if (b[i] == '\n')
                    line++;
            }
            if (i >= len)
                return fail(ld, start_line,
                            "syntax error: this text has no closing double quote (text is "
                            "written \"like this\")");
            i++;
        } else if (c == '#' || (c == '/' && i + 1 < len && b[i + 1] == '/')) {
            while (i < len && b[i] != '\n')
                i++;
        } else if (c == '/' && i + 1 < len && b[i + 1] == '*') {
            for (i += 2; i < len && !(b[i] == '*' && i + 1 < len && b[i + 1] == '/'); i++)
                line += b[i] == '\n';
            i = i < len ? i + 2 : len;
        } else if (c == '@') {
            if (len - i >= 8 && memcmp(b + i, "@include", 8) == 0)
                return fail(ld, line,
                            "@include is not allowed in routine files (a routine is one "
                            "self-contained file)");
            i++;
        } else if (c == '{' || c == '(' || c == '[') {
            if (++depth > ROUTINE_MAX_NESTING)
                return fail(ld, line,
                            "groups and lists are nested more than %d levels deep (a routine "
                            "needs 4: routine { exercises ( { steps ( ... ) } ) })",
                            ROUTINE_MAX_NESTING);
            i++;
        } else if (c == '}' || c == ')' || c == ']') {
            if (depth > 0)
                depth--;
            i++;
        } else if (c == '=' || c == ':') {
            if (++settings > ROUTINE_MAX_SETTINGS)
                return fail(ld, line,
                            "too many settings: more than %d `key = value` pairs (a routine "
                            "has at most %d exercises of a dozen keys each)",
                            ROUTINE_MAX_SETTINGS, ROUTINE_MAX_EXERCISES);
            i++;
        } else if (is_ident_start(c)) {
            while (i < len && is_ident_char(b[i]))
                i++;
        } else if (isdigit(c) || ((c == '-' || c == '+') && i + 1 < len && isdigit(b[i + 1]))) {
            i = scan_number(ld, b, i, len, line);
            if (i == 0)
                return -1;
        } else {
            i++;
        }
    }
    return 0;
}

/* ---- validation --------------------------------------------------------- */

static int line_of(const config_setting_t *s) {
    return (int)config_setting_source_line(s);
}

static const char *type_desc(const config_setting_t *s) {
    switch (config_setting_type(s)) {
    case CONFIG_TYPE_INT:
    case CONFIG_TYPE_INT64:
        return "a number";
    case CONFIG_TYPE_FLOAT:
        return "a decimal number";
    case CONFIG_TYPE_STRING:
        return "text";
    case CONFIG_TYPE_BOOL:
        return "true or false";
    case CONFIG_TYPE_ARRAY:
        return "an array [ ]";
    case CONFIG_TYPE_LIST:
        return "a list ( )";
    case CONFIG_TYPE_GROUP:
        return "a group { }";
    default:
        return "something else";
    }
}

static size_t edit_distance(const char *a, const char *b) {
    size_t la = strlen(a), lb = strlen(b);
    if (la > 30 || lb > 30)
        return 99;
    size_t d[31][31];
    for (size_t i = 0; i <= la; i++)
        d[i][0] = i;
    for (size_t j = 0; j <= lb; j++)
        d[0][j] = j;
    for (size_t i = 1; i <= la; i++)
        for (size_t j = 1; j <= lb; j++) {
            size_t sub = d[i - 1][j - 1] +
                         (tolower((unsigned char)a[i - 1]) != tolower((unsigned char)b[j - 1]));
            size_t del = d[i - 1][j] + 1, ins = d[i][j - 1] + 1;
            d[i][j] = sub < del ? (sub < ins ? sub : ins) : (del < ins ? del : ins);
        }
    return d[la][lb];
}

/* Refuses any key of group `g` not in `keys`, naming the allowed ones and the
 * nearest if it looks like a typo. */
static int check_keys(const loader *ld, const config_setting_t *g, const char *where,
                      const char *const *keys) {
    int n = config_setting_length(g);
    for (int i = 0; i < n; i++) {
        const config_setting_t *s = config_setting_get_elem(g, (unsigned)i);
        const char *name = config_setting_name(s);
        int known = 0;
        const char *near = NULL;
        size_t best = 3; /* suggest only keys at most two edits away */
        for (const char *const *k = keys; *k; k++) {
            size_t d = edit_distance(name, *k);
            if (d == 0)
                known = 1;
            else if (d < best)
                best = d, near = *k;
        }
        if (known)
            continue;
        char allowed[300] = "";
        for (const char *const *k = keys; *k; k++) {
            if (k != keys)
                strncat(allowed, ", ", sizeof allowed - strlen(allowed) - 1);
            strncat(allowed, *k, sizeof allowed - strlen(allowed) - 1);
        }
        if (near)
            return fail(ld, line_of(s), "unknown key `%s` in %s; did you mean `%s`? (allowed: %s)",
                        name, where, near, allowed);
        return fail(ld, line_of(s), "unknown key `%s` in %s (allowed: %s)", name, where, allowed);
    }
    return 0;
}

/* Counts characters (UTF-8 code points) and checks that text is speakable:
 * not empty or blank, no control characters, at most `max` characters. */
static int check_text(const loader *ld, int line, const char *what, const char *t, size_t max,
                      int one_line) {
    size_t chars = 0;
    int blank = 1;
    for (const unsigned char *p = (const unsigned char *)t; *p; p++) {
        if ((*p & 0xC0) != 0x80)
            chars++;
        if (!isspace(*p))
            blank = 0;
        if (*p < 0x20 || *p == 0x7F) {
            if ((*p == '\n' || *p == '\r') && one_line)
                return fail(ld, line, "%s must be one line (no line breaks)", what);
            if (*p != '\n' && *p != '\r' && *p != '\t')
                return fail(ld, line, "%s contains the control character 0x%02X (plain text only)",
                            what, *p);
        }
    }
    if (blank)
        return fail(ld, line, "%s is empty (write the words to be spoken)", what);
    if (chars > max)
        return fail(ld, line, "%s is too long: %zu characters (at most %zu)", what, chars, max);
    return 0;
}

/* Reads required or optional text `key` of group g into *out (owned). */
static int get_text(const loader *ld, const config_setting_t *g, const char *key, const char *what,
                    int required, size_t max, int one_line, char **out) {
    const config_setting_t *s = config_setting_get_member(g, key);
    *out = NULL;
    if (!s) {
        if (required)
            return fail(ld, line_of(g), "%s has no `%s` (add %s = \"...\";)", what, key, key);
        return 0;
    }
    if (config_setting_type(s) != CONFIG_TYPE_STRING)
        return fail(ld, line_of(s), "`%s` must be text in double quotes, not %s", key,
                    type_desc(s));
    const char *t = config_setting_get_string(s);
    char label[120];
    snprintf(label, sizeof label, "`%s`", key);
    if (check_text(ld, line_of(s), label, t, max, one_line) != 0)
        return -1;
    *out = xstrdup(t);
    return *out ? 0 : nomem(ld);
}

/* Reads number `key` (lo..hi) into *out, or `dflt` when absent and optional.
 * *line receives the line of the key (or of the group when absent). */
static int get_int(const loader *ld, const config_setting_t *g, const char *key, const char *what,
                   int required, int dflt, int lo, int hi, const char *unit, int *out, int *line) {
    const config_setting_t *s = config_setting_get_member(g, key);
    *out = dflt;
    if (line)
        *line = line_of(g);
    if (!s) {
        if (required)
            return fail(ld, line_of(g), "%s has no `%s` (add %s = N; with N from %d to %d)", what,
                        key, key, lo, hi);
        return 0;
    }
    if (line)
        *line = line_of(s);
    int t = config_setting_type(s);
    if (t != CONFIG_TYPE_INT && t != CONFIG_TYPE_INT64)
        return fail(ld, line_of(s), "`%s` must be a whole number from %d to %d%s, not %s", key, lo,
                    hi, unit, type_desc(s));
    long long v = config_setting_get_int64(s);
    if (t == CONFIG_TYPE_INT64)
        return fail(ld, line_of(s),
                    "`%s` is written as a long number (%lldL); write a plain whole number "
                    "from %d to %d%s",
                    key, v, lo, hi, unit);
    if (v < lo || v > hi)
        return fail(ld, line_of(s), "`%s` is %lld, out of range (allowed: %d to %d%s)", key, v, lo,
                    hi, unit);
    *out = (int)v;
    return 0;
}

static int get_bool(const loader *ld, const config_setting_t *g, const char *key, bool dflt,
                    bool *out) {
    const config_setting_t *s = config_setting_get_member(g, key);
    *out = dflt;
    if (!s)
        return 0;
    if (config_setting_type(s) != CONFIG_TYPE_BOOL)
        return fail(ld, line_of(s), "`%s` must be true or false (without quotes), not %s", key,
                    type_desc(s));
    *out = config_setting_get_bool(s) != 0;
    return 0;
}

static int valid_id(const char *s) {
    size_t n = strlen(s);
    if (n == 0 || n > ROUTINE_MAX_ID)
        return 0;
    for (; *s; s++)
        if (!(islower((unsigned char)*s) || isdigit((unsigned char)*s) || *s == '-'))
            return 0;
    return 1;
}

static const char *const routine_keys[] = {"name",  "intro",     "description",
                                           "voice", "exercises", NULL};
static const char *const exercise_keys[] = {
    "id",   "name",   "setup",   "steps",    "reps",           "hold", "sides",
    "rest", "easier", "caution", "check_in", "only_as_easier", NULL};

static int load_steps(const loader *ld, const config_setting_t *g, exercise *ex) {
    const config_setting_t *s = config_setting_get_member(g, "steps");
    if (!s)
        return fail(ld, line_of(g),
                    "exercise `%s` has no `steps` (add steps = ( \"First step.\", \"Second "
                    "step.\" ); with 1 to %d steps)",
                    ex->id, ROUTINE_MAX_STEPS);
    int t = config_setting_type(s);
    if (t == CONFIG_TYPE_STRING)
        return fail(ld, line_of(s),
                    "`steps` must be a list of text in ( ), even for one step: steps = ( "
                    "\"...\" );");
    if (t != CONFIG_TYPE_LIST && t != CONFIG_TYPE_ARRAY)
        return fail(ld, line_of(s), "`steps` must be a list of text in ( ), not %s", type_desc(s));
    int n = config_setting_length(s);
    if (n < 1 || n > ROUTINE_MAX_STEPS)
        return fail(ld, line_of(s), "`steps` has %d steps (allowed: 1 to %d)", n,
                    ROUTINE_MAX_STEPS);
    ex->steps = xcalloc((size_t)n, sizeof *ex->steps);
    if (!ex->steps)
        return nomem(ld);
    for (int i = 0; i < n; i++) {
        const config_setting_t *e = config_setting_get_elem(s, (unsigned)i);
        if (config_setting_type(e) != CONFIG_TYPE_STRING)
            return fail(ld, line_of(e), "step %d must be text in double quotes, not %s", i + 1,
                        type_desc(e));
        char label[40];
        snprintf(label, sizeof label, "step %d", i + 1);
        const char *txt = config_setting_get_string(e);
        if (check_text(ld, line_of(e), label, txt, ROUTINE_MAX_TEXT, 0) != 0)
            return -1;
        ex->steps[i] = xstrdup(txt);
        if (!ex->steps[i])
            return nomem(ld);
        ex->nsteps = (size_t)i + 1;
    }
    return 0;
}

/* Fills ex from group g; the `easier` id is returned in *easier (borrowed
 * from libconfig) with its line, resolved once all ids are known. */
static int load_exercise(const loader *ld, const config_setting_t *g, exercise *ex,
                         const char **easier, int *easier_line) {
    ex->line = line_of(g);
    ex->easier = -1;
    *easier = NULL;
    if (config_setting_type(g) != CONFIG_TYPE_GROUP)
        return fail(ld, line_of(g),
                    "each exercise must be a group in { }, not %s (exercises = ( { id = "
                    "\"...\"; ... }, { ... } );)",
                    type_desc(g));
    if (check_keys(ld, g, "an exercise", exercise_keys) != 0)
        return -1;

    const config_setting_t *ids = config_setting_get_member(g, "id");
    if (!ids)
        return fail(ld, line_of(g),
                    "exercise has no `id` (add id = \"short-name\"; using a-z, "
                    "0-9 and -)");
    if (config_setting_type(ids) != CONFIG_TYPE_STRING)
        return fail(ld, line_of(ids), "`id` must be text in double quotes, not %s", type_desc(ids));
    const char *id = config_setting_get_string(ids);
    if (!valid_id(id))
        return fail(ld, line_of(ids),
                    "id \"%.80s\" is not allowed (use 1 to %d characters: lower-case a-z, "
                    "digits 0-9 and -)",
                    id, ROUTINE_MAX_ID);
    ex->id = xstrdup(id);
    if (!ex->id)
        return nomem(ld);

    char what[100];
    snprintf(what, sizeof what, "exercise `%s`", ex->id);
    if (get_text(ld, g, "name", what, 1, ROUTINE_MAX_TEXT, 1, &ex->name) != 0 ||
        get_text(ld, g, "setup", what, 1, ROUTINE_MAX_TEXT, 0, &ex->setup) != 0 ||
        load_steps(ld, g, ex) != 0 ||
        get_int(ld, g, "reps", what, 1, 1, 1, ROUTINE_MAX_REPS, "", &ex->reps, &ex->reps_line) !=
            0 ||
        get_int(ld, g, "hold", what, 0, 0, 0, ROUTINE_MAX_HOLD, " seconds", &ex->hold,
                &ex->hold_line) != 0 ||
        get_int(ld, g, "rest", what, 0, 0, 0, ROUTINE_MAX_REST, " seconds", &ex->rest, NULL) != 0 ||
        get_text(ld, g, "caution", what, 0, ROUTINE_MAX_TEXT, 0, &ex->caution) != 0 ||
        get_bool(ld, g, "check_in", true, &ex->check_in) != 0 ||
        get_bool(ld, g, "only_as_easier", false, &ex->only_as_easier) != 0)
        return -1;

    ex->sides = SIDES_NONE;
    const config_setting_t *s = config_setting_get_member(g, "sides");
    if (s) {
        const char *v =
            config_setting_type(s) == CONFIG_TYPE_STRING ? config_setting_get_string(s) : NULL;
        if (v && strcmp(v, "left") == 0)
            ex->sides = SIDES_LEFT;
        else if (v && strcmp(v, "right") == 0)
            ex->sides = SIDES_RIGHT;
        else if (v && strcmp(v, "both") == 0)
            ex->sides = SIDES_BOTH;
        else if (v && strcmp(v, "none") == 0)
            ex->sides = SIDES_NONE;
        else if (v)
            return fail(ld, line_of(s),
                        "`sides` is \"%.40s\" (allowed: \"left\", \"right\", \"both\" or "
                        "\"none\")",
                        v);
        else
            return fail(ld, line_of(s),
                        "`sides` must be \"left\", \"right\", \"both\" or \"none\" in double "
                        "quotes, not %s",
                        type_desc(s));
    }

    const config_setting_t *e = config_setting_get_member(g, "easier");
    if (e) {
        if (config_setting_type(e) != CONFIG_TYPE_STRING)
            return fail(ld, line_of(e),
                        "`easier` must be the id of another exercise in double quotes, not %s",
                        type_desc(e));
        *easier = config_setting_get_string(e);
        *easier_line = line_of(e);
    }
    return 0;
}

/* Resolves `easier` ids to indices and refuses loops and unreachable
 * only_as_easier exercises (they would never run). */
static int link_easier(const loader *ld, routine *r, const char **easier, const int *lines) {
    for (size_t i = 0; i < r->nexercises; i++) {
        if (!easier[i])
            continue;
        int j = routine_find(r, easier[i]);
        if (j < 0) {
            char ids[400] = "";
            for (size_t k = 0; k < r->nexercises; k++) {
                if (k == i)
                    continue;
                if (ids[0])
                    strncat(ids, ", ", sizeof ids - strlen(ids) - 1);
                strncat(ids, r->exercises[k].id, sizeof ids - strlen(ids) - 1);
            }
            return fail(ld, lines[i],
                        "`easier` names \"%.80s\", which is no exercise in this file (allowed: "
                        "the id of another exercise here%s%s)",
                        easier[i], ids[0] ? ": " : "", ids);
        }
        if ((size_t)j == i)
            return fail(ld, lines[i],
                        "exercise `%s` names itself as its easier version (name a different, "
                        "gentler exercise)",
                        r->exercises[i].id);
        r->exercises[i].easier = j;
    }
    for (size_t i = 0; i < r->nexercises; i++) {
        int j = r->exercises[i].easier;
        for (size_t step = 0; j >= 0 && step < r->nexercises; step++) {
            if ((size_t)j == i)
                return fail(ld, lines[i],
                            "the easier versions of `%s` lead back to it in a loop (each "
                            "easier version must be a different, gentler exercise)",
                            r->exercises[i].id);
            j = r->exercises[j].easier;
        }
    }
    for (size_t i = 0; i < r->nexercises; i++) {
        if (!r->exercises[i].only_as_easier)
            continue;
        int offered = 0;
        for (size_t k = 0; k < r->nexercises; k++)
            offered |= r->exercises[k].easier == (int)i;
        if (!offered)
            return fail(ld, r->exercises[i].line,
                        "exercise `%s` has only_as_easier = true but no exercise names it as "
                        "`easier`, so it would never run (name it in another exercise's "
                        "easier, or remove only_as_easier)",
                        r->exercises[i].id);
    }
    return 0;
}

static int load_exercises(const loader *ld, const config_setting_t *rg, routine *r) {
    const config_setting_t *xs = config_setting_get_member(rg, "exercises");
    if (!xs)
        return fail(ld, line_of(rg),
                    "the routine has no `exercises` (add exercises = ( { ... } ); with 1 to "
                    "%d exercises)",
                    ROUTINE_MAX_EXERCISES);
    if (config_setting_type(xs) != CONFIG_TYPE_LIST &&
        !(config_setting_type(xs) == CONFIG_TYPE_ARRAY && config_setting_length(xs) == 0))
        return fail(ld, line_of(xs),
                    "`exercises` must be a list in ( ) of exercises in { }, not %s", type_desc(xs));
    int n = config_setting_length(xs);
    if (n < 1 || n > ROUTINE_MAX_EXERCISES)
        return fail(ld, line_of(xs), "the routine has %d exercises (allowed: 1 to %d)", n,
                    ROUTINE_MAX_EXERCISES);
    r->exercises = xcalloc((size_t)n, sizeof *r->exercises);
    const char **easier = xcalloc((size_t)n, sizeof *easier);
    int *lines = xcalloc((size_t)n, sizeof *lines);
    int rc = -1;
    if (!r->exercises || !easier || !lines) {
        nomem(ld);
        goto out;
    }
    for (int i = 0; i < n; i++) {
        exercise *ex = &r->exercises[i];
        r->nexercises = (size_t)i + 1;
        if (load_exercise(ld, config_setting_get_elem(xs, (unsigned)i), ex, &easier[i],
                          &lines[i]) != 0)
            goto out;
        for (int k = 0; k < i; k++)
            if (strcmp(r->exercises[k].id, ex->id) == 0) {
                fail(ld, ex->line,
                     "duplicate id \"%s\": line %d already has an exercise with this id (each "
                     "id must be different)",
                     ex->id, r->exercises[k].line);
                goto out;
            }
    }
    rc = link_easier(ld, r, easier, lines);
out:
    free(easier);
    free(lines);
    return rc;
}

static int valid_voice_name(const char *s) {
    size_t n = strlen(s);
    if (n == 0 || n > 63)
        return 0;
    for (; *s; s++)
        if (!(isalnum((unsigned char)*s) || *s == '-' || *s == '_'))
            return 0;
    return 1;
}

static int load_config(const loader *ld, const config_t *cfg, routine *r) {
    const config_setting_t *root = config_root_setting(cfg);
    static const char *const top_keys[] = {"routine", NULL};
    if (check_keys(ld, root, "the file (outside `routine`)", top_keys) != 0)
        return -1;
    const config_setting_t *rg = config_setting_get_member(root, "routine");
    if (!rg)
        return fail(ld, 1,
                    "no `routine` found (a routine file holds routine = { name = \"...\"; "
                    "exercises = ( ... ); };)");
    if (config_setting_type(rg) != CONFIG_TYPE_GROUP)
        return fail(ld, line_of(rg), "`routine` must be a group in { }, not %s", type_desc(rg));
    if (check_keys(ld, rg, "the routine", routine_keys) != 0 ||
        get_text(ld, rg, "name", "the routine", 1, ROUTINE_MAX_TEXT, 1, &r->name) != 0 ||
        get_text(ld, rg, "intro", "the routine", 0, ROUTINE_MAX_TEXT, 0, &r->intro) != 0 ||
        get_text(ld, rg, "description", "the routine", 0, ROUTINE_MAX_DESCRIPTION, 1,
                 &r->description) != 0 ||
        get_text(ld, rg, "voice", "the routine", 0, 63, 1, &r->voice) != 0)
        return -1;
    if (r->voice && !valid_voice_name(r->voice)) {
        const config_setting_t *v = config_setting_get_member(rg, "voice");
        return fail(ld, line_of(v),
                    "voice \"%.80s\" is not a voice profile name (use the name of a file in "
                    "voices/ without .cfg: letters, digits, - and _)",
                    r->voice);
    }
    return load_exercises(ld, rg, r);
}

/* libconfig's own messages, said the way the rest of the loader speaks. */
static int parse_error(const loader *ld, const config_t *cfg) {
    const char *text = config_error_text(cfg) ? config_error_text(cfg) : "unknown error";
    int line = config_error_line(cfg);
    if (strcmp(text, "syntax error") == 0)
        return fail(ld, line,
                    "syntax error: libconfig cannot read this line (write key = value; with text "
                    "in double quotes, lists in ( ) and groups in { }; check for a missing "
                    "quote, comma or bracket here or just above)");
    if (strcmp(text, "duplicate setting name") == 0)
        return fail(ld, line,
                    "syntax error: duplicate setting name (a key may appear only once in each "
                    "group)");
    if (strcmp(text, "mismatched element type in array") == 0)
        return fail(ld, line,
                    "syntax error: mismatched element type in array (every item in [ ] must "
                    "have the same type; use ( ) for a list)");
    if (strcmp(text, "memory exhausted") == 0)
        return fail(ld, line, "syntax error: the file is nested too deeply to read");
    return fail(ld, line, "syntax error: %s", text);
}

routine *routine_load_buffer(const char *buf, size_t len, const char *name, fc_err *err) {
    loader ld = {name ? name : "(routine)", err};
    /* Some editors start UTF-8 files with a byte order mark; it is no text. */
    if (len >= 3 && memcmp(buf, "\xEF\xBB\xBF", 3) == 0)
        buf += 3, len -= 3;
    if (scan_bytes(&ld, buf, len) != 0 || scan_tokens(&ld, buf, len) != 0)
        return NULL;
    /* libconfig wants a NUL-terminated string; never read past len. */
    char *text = xmalloc(len + 1);
    if (!text) {
        nomem(&ld);
        return NULL;
    }
    if (len)
        memcpy(text, buf, len);
    text[len] = '\0';

    config_t cfg;
    config_init(&cfg);
    routine *r = NULL;
    if (config_read_string(&cfg, text) != CONFIG_TRUE) {
        parse_error(&ld, &cfg);
        goto out;
    }
    r = xcalloc(1, sizeof *r);
    if (!r) {
        nomem(&ld);
        goto out;
    }
    r->path = xstrdup(ld.file);
    if (!r->path) {
        nomem(&ld);
        goto fail;
    }
    if (load_config(&ld, &cfg, r) == 0)
        goto out;
fail:
    routine_free(r);
    r = NULL;
out:
    config_destroy(&cfg);
    free(text);
    return r;
}

routine *routine_load(const char *path, fc_err *err) {
    FILE *f = fopen(path, "rb");
    if (!f) {
        err_set(err, "%s: cannot open: %s", path, strerror(errno));
        return NULL;
    }
    struct stat st;
    if (fstat(fileno(f), &st) == 0 && S_ISDIR(st.st_mode)) {
        fclose(f);
        err_set(err, "%s: is a folder, not a routine file", path);
        return NULL;
    }
    /* Read at most one byte past the limit: enough to say the file is too
     * large (with the line), without swallowing /dev/zero. */
    size_t cap = ROUTINE_MAX_FILE + 1, n = 0;
    char *buf = xmalloc(cap);
    if (!buf) {
        fclose(f);
        err_set(err, "%s: out of memory", path);
        return NULL;
    }
    while (n < cap) {
        size_t got = fread(buf + n, 1, cap - n, f);
        if (got == 0)
            break;
        n += got;
    }
    int bad = ferror(f);
    int saved = errno;
    fclose(f);
    if (bad) {
        free(buf);
        err_set(err, "%s: cannot read: %s", path, strerror(saved));
        return NULL;
    }
    routine *r = routine_load_buffer(buf, n, path, err);
    free(buf);
    return r;
}

void routine_free(routine *r) {
    if (!r)
        return;
    for (size_t i = 0; i < r->nexercises; i++) {
        exercise *ex = &r->exercises[i];
        free(ex->id);
        free(ex->name);
        free(ex->setup);
        for (size_t k = 0; k < ex->nsteps; k++)
            free(ex->steps[k]);
        free(ex->steps);
        free(ex->caution);
    }
    free(r->exercises);
    free(r->path);
    free(r->name);
    free(r->intro);
    free(r->description);
    free(r->voice);
    free(r);
}

int routine_find(const routine *r, const char *id) {
    if (!r || !id)
        return -1;
    for (size_t i = 0; i < r->nexercises; i++)
        if (r->exercises[i].id && strcmp(r->exercises[i].id, id) == 0)
            return (int)i;
    return -1;
}

/* ---- bundled routines ------------------------------------------------- */

static int cmp_names(const void *a, const void *b) {
    return strcmp(*(char *const *)a, *(char *const *)b);
}

char **routine_bundled_names(size_t *n) {
    char dir[4096];
    *n = 0;
    paths_resource(dir, sizeof dir, "routines");
    DIR *d = opendir(dir);
    if (!d)
        return NULL;
    char **names = NULL;
    size_t cap = 0;
    struct dirent *e;
    while ((e = readdir(d)) != NULL) {
        size_t len = strlen(e->d_name);
        if (len <= 4 || strcmp(e->d_name + len - 4, ".cfg") != 0 || e->d_name[0] == '.')
            continue;
        if (*n == cap) {
            size_t ncap = cap ? cap * 2 : 16;
            char **nn = xrealloc(names, ncap * sizeof *names);
            if (!nn)
                break;
            names = nn;
            cap = ncap;
        }
        char *s = xmalloc(len - 3);
        if (!s)
            break;
        memcpy(s, e->d_name, len - 4);
        s[len - 4] = '\0';
        names[(*n)++] = s;
    }
    closedir(d);
    if (names)
        qsort(names, *n, sizeof *names, cmp_names);
    return names;
}

void routine_names_free(char **names, size_t n) {
    if (!names)
        return;
    for (size_t i = 0; i < n; i++)
        free(names[i]);
    free(names);
}

int routine_resolve(const char *name_or_path, char *buf, size_t n, fc_err *err) {
    size_t len = strlen(name_or_path);
    struct stat st;
    if (len == 0)
        return err_set(err, "no routine named (give a bundled name such as %s, or a file)",
                       ROUTINE_DEFAULT);
    if (strchr(name_or_path, '/') || (len > 4 && strcmp(name_or_path + len - 4, ".cfg") == 0)) {
        if (stat(name_or_path, &st) != 0)
            return err_set(err, "%s: cannot open: %s", name_or_path, strerror(errno));
        if (len >= n)
            return err_set(err, "%s: the path is too long", name_or_path);
        str_copy(buf, name_or_path, n);
        return 0;
    }
    char rel[300];
    if (valid_id(name_or_path) &&
        (size_t)snprintf(rel, sizeof rel, "routines/%s.cfg", name_or_path) < sizeof rel) {
        char path[4096];
        paths_resource(path, sizeof path, rel);
        if (stat(path, &st) == 0 && S_ISREG(st.st_mode)) {
            if (strlen(path) >= n)
                return err_set(err, "%s: the path is too long", path);
            str_copy(buf, path, n);
            return 0;
        }
    }
    size_t count;
    char **names = routine_bundled_names(&count);
    char list[700] = "";
    for (size_t i = 0; i < count; i++) {
        if (i)
            strncat(list, ", ", sizeof list - strlen(list) - 1);
        strncat(list, names[i], sizeof list - strlen(list) - 1);
    }
    routine_names_free(names, count);
    if (stat(name_or_path, &st) == 0 && S_ISREG(st.st_mode))
        return err_set(err,
                       "no bundled routine called \"%.100s\" (bundled routines: %s; to use the "
                       "file of that name here, write ./%.100s)",
                       name_or_path, count ? list : "none", name_or_path);
    if (count == 0)
        return err_set(err,
                       "no routine called \"%.100s\", and no bundled routines were found in %s "
                       "(give the path of a routine file)",
                       name_or_path, paths_resource_dir());
    return err_set(err,
                   "no routine called \"%.100s\" (bundled routines: %s; or give the path of a "
                   "routine file)",
                   name_or_path, list);
}

/* ---- clinical lint ------------------------------------------------------ */

static int has_word(const char *text, const char *word) {
    if (!text)
        return 0;
    size_t wl = strlen(word);
    for (const char *p = text; *p; p++)
        if (strncasecmp(p, word, wl) == 0)
            return 1;
    return 0;
}

/* Whether the exercise's spoken texts (or its id) mention `word`. */
static int mentions(const exercise *ex, const char *word) {
    if (has_word(ex->id, word) || has_word(ex->name, word) || has_word(ex->setup, word))
        return 1;
    for (size_t i = 0; i < ex->nsteps; i++)
        if (has_word(ex->steps[i], word))
            return 1;
    return 0;
}

int routine_lint(const routine *r, routine_warn_fn warn, void *ctx) {
    int count = 0;
    char msg[600];
    if (!r)
        return 0;
    for (size_t i = 0; i < r->nexercises; i++) {
        const exercise *ex = &r->exercises[i];
        int hold_line = ex->hold_line ? ex->hold_line : ex->line;
        int reps_line = ex->reps_line ? ex->reps_line : ex->line;
        if (mentions(ex, "hamstring") && mentions(ex, "stretch") && ex->hold > 0) {
            snprintf(msg, sizeof msg,
                     "exercise `%s` looks like a static hamstring stretch held for %d seconds; "
                     "holding that stretch can put tension on an irritated sciatic nerve "
                     "(prefer a nerve glide that moves gently, with hold = 0)",
                     ex->id, ex->hold);
            warn(ctx, hold_line, msg);
            count++;
        }
        if ((mentions(ex, "glide") || mentions(ex, "slider") || mentions(ex, "floss")) &&
            ex->hold > 5) {
            snprintf(msg, sizeof msg,
                     "exercise `%s` is a nerve glide held for %d seconds; a glide should keep "
                     "moving (hold 5 seconds or less)",
                     ex->id, ex->hold);
            warn(ctx, hold_line, msg);
            count++;
        }
        if (ex->hold > 60) {
            snprintf(msg, sizeof msg,
                     "exercise `%s` holds for %d seconds; holds over 60 seconds are rarely "
                     "advised for sciatica (prefer 15 to 30 seconds, repeated)",
                     ex->id, ex->hold);
            warn(ctx, hold_line, msg);
            count++;
        }
        if (ex->reps > 20) {
            snprintf(msg, sizeof msg,
                     "exercise `%s` has %d repetitions; more than 20 can irritate the nerve "
                     "(prefer 10 to 15)",
                     ex->id, ex->reps);
            warn(ctx, reps_line, msg);
            count++;
        }
        if (!ex->caution || !(has_word(ex->caution, "leg") || has_word(ex->caution, "spread") ||
                              has_word(ex->caution, "down"))) {
            snprintf(msg, sizeof msg,
                     "exercise `%s` has no caution about pain spreading down the leg (add "
                     "caution = \"Stop if pain spreads down your leg.\";)",
                     ex->id);
            warn(ctx, ex->line, msg);
            count++;
        }
    }
    return count;
}
