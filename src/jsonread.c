/* jsonread: a strict JSON object-line parser for reading session logs. */
#include "jsonread.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#define MAX_DEPTH 32

typedef struct parser {
    const unsigned char *p, *start, *end;
    int depth;
    fc_err *err;
    bool nomem;
} parser;

/* A growing byte buffer for one string. */
typedef struct sbuf {
    char *s;
    size_t len, cap;
} sbuf;

static int fail(parser *ps, const char *what) {
    return err_set(ps->err, "column %zu: %s", (size_t)(ps->p - ps->start) + 1, what);
}

static int sbuf_put(parser *ps, sbuf *b, const char *bytes, size_t n) {
    if (b->cap - b->len < n + 1) {
        size_t cap = b->cap ? b->cap : 32;
        while (cap - b->len < n + 1)
            cap *= 2;
        char *ns = xrealloc(b->s, cap);
        if (!ns) {
            ps->nomem = true;
            return fail(ps, "out of memory");
        }
        b->s = ns;
        b->cap = cap;
    }
    memcpy(b->s + b->len, bytes, n);
    b->len += n;
    b->s[b->len] = '\0';
    return 0;
}

static int sbuf_put_cp(parser *ps, sbuf *b, unsigned long cp) {
    char u[4];
    size_t n;
    if (cp < 0x80) {
        u[0] = (char)cp;
        n = 1;
    } else if (cp < 0x800) {
        u[0] = (char)(0xC0 | (cp >> 6));
        u[1] = (char)(0x80 | (cp & 0x3F));
        n = 2;
    } else if (cp < 0x10000) {
        u[0] = (char)(0xE0 | (cp >> 12));
        u[1] = (char)(0x80 | ((cp >> 6) & 0x3F));
        u[2] = (char)(0x80 | (cp & 0x3F));
        n = 3;
    } else {
        u[0] = (char)(0xF0 | (cp >> 18));
        u[1] = (char)(0x80 | ((cp >> 12) & 0x3F));
        u[2] = (char)(0x80 | ((cp >> 6) & 0x3F));
        u[3] = (char)(0x80 | (cp & 0x3F));
        n = 4;
    }
    return sbuf_put(ps, b, u, n);
}

static void skip_ws(parser *ps) {
    while (ps->p < ps->end && (*ps->p == ' ' || *ps->p == '\t' || *ps->p == '\n' || *ps->p == '\r'))
        ps->p++;
}

static int hex4(parser *ps, unsigned long *out) {
    if (ps->end - ps->p < 4)
        return fail(ps, "truncated \\u escape");
    unsigned long v = 0;
    for (int i = 0; i < 4; i++) {
        unsigned char c = ps->p[i];
        v <<= 4;
        if (c >= '0' && c <= '9')
            v |= (unsigned long)(c - '0');
        else if (c >= 'a' && c <= 'f')
            v |= (unsigned long)(c - 'a' + 10);
        else if (c >= 'A' && c <= 'F')
            v |= (unsigned long)(c - 'A' + 10);
        else
            return fail(ps, "bad \\u escape");
    }
    ps->p += 4;
    *out = v;
    return 0;
}

/* Length of the valid UTF-8 sequence at p (1..4), or 0 when it is not one
 * (overlong forms, surrogates and code points past U+10FFFF are refused). */
static size_t utf8_len(const unsigned char *p, const unsigned char *end) {
    unsigned char c = p[0];
    size_t n;
    unsigned long cp, min;
    if (c >= 0xC2 && c <= 0xDF) {
        n = 2;
        cp = c & 0x1Fu;
        min = 0x80;
    } else if (c >= 0xE0 && c <= 0xEF) {
        n = 3;
        cp = c & 0x0Fu;
        min = 0x800;
    } else if (c >= 0xF0 && c <= 0xF4) {
        n = 4;
        cp = c & 0x07u;
        min = 0x10000;
    } else {
        return 0;
    }
    if ((size_t)(end - p) < n)
        return 0;
    for (size_t i = 1; i < n; i++) {
        if ((p[i] & 0xC0) != 0x80)
            return 0;
        cp = (cp << 6) | (p[i] & 0x3Fu);
    }
    if (cp < min || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF))
        return 0;
    return n;
}

/* Parses a string at ps->p (which is at the opening quote) into *out, a
 * NUL-terminated copy the caller frees. Why U+FFFD rather than refusal for
 * bad UTF-8 and "\u0000": a recognizer may emit odd bytes, and losing the
 * whole event (a red flag) would be worse than one odd character. */
static int parse_string(parser *ps, char **out) {
    sbuf b = {0};
    ps->p++; /* opening quote */
    if (sbuf_put(ps, &b, "", 0) != 0)
        goto error_out;
    for (;;) {
        if (ps->p >= ps->end) {
            fail(ps, "unterminated string");
            goto error_out;
        }
        unsigned char c = *ps->p;
        if (c == '"') {
            ps->p++;
            break;
        }
        if (c < 0x20) {
            fail(ps, "control character in string");
            goto error_out;
        }
        if (c == '\\') {
            ps->p++;
            if (ps->p >= ps->end) {
                fail(ps, "unterminated escape");
                goto error_out;
            }
            unsigned char e = *ps->p++;
            static const char from[] = "\"\\/bfnrt", to[] = "\"\\/\b\f\n\r\t";
            const char *hit = e ? strchr(from, e) : NULL;
            if (hit) {
                if (sbuf_put(ps, &b, &to[hit - from], 1) != 0)
                    goto error_out;
                continue;
            }
            if (e != 'u') {
                ps->p--;
                fail(ps, "bad escape");
                goto error_out;
            }
            unsigned long cp;
            if (hex4(ps, &cp) != 0)
                goto error_out;
            if (cp >= 0xD800 && cp <= 0xDBFF && ps->end - ps->p >= 6 && ps->p[0] == '\\' &&
                ps->p[1] == 'u') {
                const unsigned char *save = ps->p;
                unsigned long lo;
                ps->p += 2;
                if (hex4(ps, &lo) != 0)
                    goto error_out;
                if (lo >= 0xDC00 && lo <= 0xDFFF)
                    cp = 0x10000 + ((cp - 0xD800) << 10) + (lo - 0xDC00);
                else
                    ps->p = save; /* lone high surrogate; the next escape stands alone */
            }
            if (cp == 0 || (cp >= 0xD800 && cp <= 0xDFFF))
                cp = 0xFFFD;
            if (sbuf_put_cp(ps, &b, cp) != 0)
                goto error_out;
            continue;
        }
        if (c < 0x80) {
            if (sbuf_put(ps, &b, (const char *)ps->p, 1) != 0)
                goto error_out;
            ps->p++;
            continue;
        }
        size_t n = utf8_len(ps->p, ps->end);
        if (n == 0) {
            if (sbuf_put_cp(ps, &b, 0xFFFD) != 0)
                goto error_out;
            ps->p++;
        } else {
            if (sbuf_put(ps, &b, (const char *)ps->p, n) != 0)
                goto error_out;
            ps->p += n;
        }
    }
    *out = b.s;
    return 0;
error_out:
    free(b.s);
    return -1;
}

static int is_digit(const parser *ps) {
    return ps->p < ps->end && *ps->p >= '0' && *ps->p <= '9';
}

/* Why by hand rather than strtod: strtod follows the locale's decimal point,
 * and the grammar must be checked anyway. Precision to ~15 digits is plenty
 * for times and scores. */
static int parse_number(parser *ps, double *out) {
    double sign = 1, v = 0;
    long exp10 = 0;
    if (*ps->p == '-') {
        sign = -1;
        ps->p++;
    }
    if (!is_digit(ps))
        return fail(ps, "bad number");
    if (*ps->p == '0') {
        ps->p++;
        if (is_digit(ps))
            return fail(ps, "leading zero in number");
    } else {
        while (is_digit(ps)) {
            v = v * 10 + (*ps->p - '0');
            ps->p++;
        }
    }
    if (ps->p < ps->end && *ps->p == '.') {
        ps->p++;
        if (!is_digit(ps))
            return fail(ps, "bad number");
        while (is_digit(ps)) {
            if (v < 1e17) {
                v = v * 10 + (*ps->p - '0');
                exp10--;
            }
            ps->p++;
        }
    }
    if (ps->p < ps->end && (*ps->p == 'e' || *ps->p == 'E')) {
        ps->p++;
        long esign = 1, e = 0;
        if (ps->p < ps->end && (*ps->p == '+' || *ps->p == '-')) {
            esign = *ps->p == '-' ? -1 : 1;
            ps->p++;
        }
        if (!is_digit(ps))
            return fail(ps, "bad number");
        while (is_digit(ps)) {
            if (e < 100000)
                e = e * 10 + (*ps->p - '0');
            ps->p++;
        }
        exp10 += esign * e;
    }
    if (v != 0) {
        if (exp10 > 400)
            return fail(ps, "number out of range");
        if (exp10 < -400)
            v = 0;
        else
            v *= pow(10.0, (double)exp10);
    }
    if (!isfinite(v))
        return fail(ps, "number out of range");
    *out = sign * v;
    return 0;
}

static int literal(parser *ps, const char *word) {
    size_t n = strlen(word);
    if ((size_t)(ps->end - ps->p) < n || memcmp(ps->p, word, n) != 0)
        return fail(ps, "unexpected character");
    ps->p += n;
    return 0;
}

static int parse_value(parser *ps, jfield *f);

/* Checks a nested object or array; its contents are not kept. */
static int parse_nested(parser *ps, jfield *f) {
    unsigned char close = *ps->p == '{' ? '}' : ']';
    bool object = close == '}';
    f->type = object ? JV_OBJECT : JV_ARRAY;
    if (++ps->depth > MAX_DEPTH)
        return fail(ps, "nested too deeply");
    ps->p++;
    skip_ws(ps);
    if (ps->p < ps->end && *ps->p == close) {
        ps->p++;
        ps->depth--;
        return 0;
    }
    for (;;) {
        skip_ws(ps);
        if (object) {
            char *key = NULL;
            if (ps->p >= ps->end || *ps->p != '"')
                return fail(ps, "expected a key");
            if (parse_string(ps, &key) != 0)
                return -1;
            free(key);
            skip_ws(ps);
            if (ps->p >= ps->end || *ps->p != ':')
                return fail(ps, "expected ':'");
            ps->p++;
        }
        jfield inner = {0};
        int rc = parse_value(ps, &inner);
        free(inner.str);
        if (rc != 0)
            return -1;
        skip_ws(ps);
        if (ps->p >= ps->end)
            return fail(ps, "unexpected end");
        if (*ps->p == ',') {
            ps->p++;
            continue;
        }
        if (*ps->p == close) {
            ps->p++;
            ps->depth--;
            return 0;
        }
        return fail(ps, "expected ',' or a closing bracket");
    }
}

static int parse_value(parser *ps, jfield *f) {
    skip_ws(ps);
    if (ps->p >= ps->end)
        return fail(ps, "expected a value");
    switch (*ps->p) {
    case '"':
        f->type = JV_STR;
        return parse_string(ps, &f->str);
    case '{':
    case '[':
        return parse_nested(ps, f);
    case 't':
        f->type = JV_BOOL;
        f->b = true;
        return literal(ps, "true");
    case 'f':
        f->type = JV_BOOL;
        f->b = false;
        return literal(ps, "false");
    case 'n':
        f->type = JV_NULL;
        return literal(ps, "null");
    default:
        if (*ps->p == '-' || (*ps->p >= '0' && *ps->p <= '9')) {
            f->type = JV_NUM;
            return parse_number(ps, &f->num);
        }
        return fail(ps, "unexpected character");
    }
}

void jobj_free(jobj *o) {
    if (!o)
        return;
    for (size_t i = 0; i < o->n; i++) {
        free(o->f[i].key);
        free(o->f[i].str);
    }
    free(o->f);
    o->f = NULL;
    o->n = 0;
}

int jobj_parse(jobj *o, const char *text, size_t len, fc_err *err) {
    parser ps = {(const unsigned char *)text,
                 (const unsigned char *)text,
                 (const unsigned char *)text + len,
                 0,
                 err,
                 false};
    size_t cap = 0;
    o->f = NULL;
    o->n = 0;
    skip_ws(&ps);
    if (ps.p >= ps.end || *ps.p != '{') {
        fail(&ps, "not a JSON object");
        goto error_out;
    }
    ps.p++;
    skip_ws(&ps);
    if (ps.p < ps.end && *ps.p == '}') {
        ps.p++;
        goto done;
    }
    for (;;) {
        skip_ws(&ps);
        if (ps.p >= ps.end || *ps.p != '"') {
            fail(&ps, "expected a key");
            goto error_out;
        }
        if (o->n == cap) {
            size_t ncap = cap ? cap * 2 : 8;
            jfield *nf = xrealloc(o->f, ncap * sizeof *nf);
            if (!nf) {
                fail(&ps, "out of memory");
                goto error_out;
            }
            o->f = nf;
            cap = ncap;
        }
        jfield *f = &o->f[o->n];
        memset(f, 0, sizeof *f);
        o->n++;
        if (parse_string(&ps, &f->key) != 0)
            goto error_out;
        skip_ws(&ps);
        if (ps.p >= ps.end || *ps.p != ':') {
            fail(&ps, "expected ':'");
            goto error_out;
        }
        ps.p++;
        if (parse_value(&ps, f) != 0)
            goto error_out;
        skip_ws(&ps);
        if (ps.p >= ps.end) {
            fail(&ps, "unexpected end of line");
            goto error_out;
        }
        if (*ps.p == ',') {
            ps.p++;
            continue;
        }
        if (*ps.p == '}') {
            ps.p++;
            break;
        }
        fail(&ps, "expected ',' or '}'");
        goto error_out;
    }
done:
    skip_ws(&ps);
    if (ps.p != ps.end) {
        fail(&ps, "text after the object");
        goto error_out;
    }
    return 0;
error_out:
    jobj_free(o);
    return -1;
}

const jfield *jobj_get(const jobj *o, const char *key) {
    if (!o)
        return NULL;
    for (size_t i = o->n; i-- > 0;)
        if (strcmp(o->f[i].key, key) == 0)
            return &o->f[i];
    return NULL;
}

const char *jobj_str(const jobj *o, const char *key) {
    const jfield *f = jobj_get(o, key);
    return f && f->type == JV_STR ? f->str : NULL;
}

bool jobj_num(const jobj *o, const char *key, double *out) {
    const jfield *f = jobj_get(o, key);
    if (!f || f->type != JV_NUM)
        return false;
    *out = f->num;
    return true;
}

bool jobj_true(const jobj *o, const char *key) {
    const jfield *f = jobj_get(o, key);
    return f && f->type == JV_BOOL && f->b;
}
