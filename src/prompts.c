/* prompts: loads the sentences floorcoach says (voices/<lang>/prompts.cfg)
 * and fills their {placeholders}. */
#include "prompts.h"

#include <ctype.h>
#include <libconfig.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define PROMPTS_MAX_TEXT 1000

typedef struct prompt_entry {
    char *key;
    char *text;
} prompt_entry;

struct prompts {
    prompt_entry *entries;
    size_t n;
    /* prompts_get returns "[key]" for a missing key; the strings live here so
     * they stay valid as long as p. */
    char **missing;
    size_t nmissing;
};

/* libconfig would follow @include silently; a prompts file must stand alone,
 * so the text is scanned first. Returns the line of the first @include or 0. */
static int find_include(const char *text) {
    int line = 1;
    const char *p = text;
    while (*p) {
        while (*p == ' ' || *p == '\t')
            p++;
        if (strncmp(p, "@include", 8) == 0)
            return line;
        while (*p && *p != '\n')
            p++;
        if (*p == '\n') {
            p++;
            line++;
        }
    }
    return 0;
}

static int compare_entries(const void *a, const void *b) {
    return strcmp(((const prompt_entry *)a)->key, ((const prompt_entry *)b)->key);
}

prompts *prompts_load(const char *path, fc_err *err) {
    size_t len = 0;
    char *text = file_read_all(path, &len, err);
    if (!text)
        return NULL;
    prompts *p = NULL;
    config_t cfg;
    config_init(&cfg);
    int inc = find_include(text);
    if (inc) {
        err_set(err, "%s:%d: @include is not allowed in a prompts file", path, inc);
        goto error_out;
    }
    if (strlen(text) != len) {
        err_set(err, "%s: the file contains a NUL byte; it must be plain text", path);
        goto error_out;
    }
    if (config_read_string(&cfg, text) != CONFIG_TRUE) {
        err_set(err, "%s:%d: %s", path, config_error_line(&cfg), config_error_text(&cfg));
        goto error_out;
    }
    config_setting_t *group = config_lookup(&cfg, "prompts");
    if (!group || !config_setting_is_group(group)) {
        err_set(err, "%s:%d: expected a group `prompts = { key = \"text\"; ... };`", path,
                group ? (int)config_setting_source_line(group) : 1);
        goto error_out;
    }
    p = xcalloc(1, sizeof *p);
    if (!p) {
        err_set(err, "%s: out of memory", path);
        goto error_out;
    }
    int count = config_setting_length(group);
    p->entries = xcalloc(count > 0 ? (size_t)count : 1, sizeof *p->entries);
    if (!p->entries) {
        err_set(err, "%s: out of memory", path);
        goto error_out;
    }
    for (int i = 0; i < count; i++) {
        config_setting_t *s = config_setting_get_elem(group, (unsigned)i);
        const char *key = config_setting_name(s);
        int line = (int)config_setting_source_line(s);
        if (config_setting_type(s) != CONFIG_TYPE_STRING) {
            err_set(err, "%s:%d: prompt `%s` must be a text in double quotes", path, line,
                    key ? key : "?");
            goto error_out;
        }
        const char *val = config_setting_get_string(s);
        if (strlen(val) > PROMPTS_MAX_TEXT) {
            err_set(err, "%s:%d: prompt `%s` is too long (at most %d characters)", path, line, key,
                    PROMPTS_MAX_TEXT);
            goto error_out;
        }
        p->entries[i].key = xstrdup(key);
        p->entries[i].text = xstrdup(val);
        p->n++;
        if (!p->entries[i].key || !p->entries[i].text) {
            err_set(err, "%s: out of memory", path);
            goto error_out;
        }
    }
    qsort(p->entries, p->n, sizeof *p->entries, compare_entries);
    config_destroy(&cfg);
    free(text);
    return p;

error_out:
    prompts_free(p);
    config_destroy(&cfg);
    free(text);
    return NULL;
}

void prompts_free(prompts *p) {
    if (!p)
        return;
    for (size_t i = 0; i < p->n; i++) {
        free(p->entries[i].key);
        free(p->entries[i].text);
    }
    for (size_t i = 0; i < p->nmissing; i++)
        free(p->missing[i]);
    free(p->missing);
    free(p->entries);
    free(p);
}

static const char *lookup(const prompts *p, const char *key) {
    if (!p || !key)
        return NULL;
    prompt_entry probe = {(char *)key, NULL};
    const prompt_entry *e = bsearch(&probe, p->entries, p->n, sizeof *p->entries, compare_entries);
    return e ? e->text : NULL;
}

bool prompts_has(const prompts *p, const char *key) {
    return lookup(p, key) != NULL;
}

const char *prompts_get(const prompts *p, const char *key) {
    const char *text = lookup(p, key);
    if (text)
        return text;
    if (!key)
        key = "";
    if (!p)
        return "[missing prompts]";
    /* Remember the bracketed key, so the pointer lives as long as p; the
     * prompts are logically const, this is a cache. */
    prompts *mp = (prompts *)p;
    size_t klen = strlen(key);
    for (size_t i = 0; i < mp->nmissing; i++)
        if (strlen(mp->missing[i]) == klen + 2 && strncmp(mp->missing[i] + 1, key, klen) == 0)
            return mp->missing[i];
    size_t len = klen + 3;
    char *s = xmalloc(len);
    char **grown = xrealloc(mp->missing, (mp->nmissing + 1) * sizeof *grown);
    if (grown)
        mp->missing = grown;
    if (!s || !grown) {
        free(s);
        return "[missing prompt]";
    }
    snprintf(s, len, "[%s]", key);
    mp->missing = grown;
    mp->missing[mp->nmissing++] = s;
    return s;
}

static void append(char *buf, size_t n, size_t *len, const char *s, size_t slen) {
    if (*len + 1 >= n)
        return;
    size_t room = n - 1 - *len;
    if (slen > room)
        slen = room;
    memcpy(buf + *len, s, slen);
    *len += slen;
    buf[*len] = '\0';
}

char *prompts_vfill(const char *text, char *buf, size_t n, va_list ap) {
    const char *names[16], *values[16];
    size_t nv = 0;
    for (;;) {
        const char *name = va_arg(ap, const char *);
        if (!name)
            break;
        const char *value = va_arg(ap, const char *);
        if (nv < 16) {
            names[nv] = name;
            values[nv] = value ? value : "";
            nv++;
        }
    }
    size_t len = 0;
    if (n == 0)
        return buf;
    buf[0] = '\0';
    const char *p = text;
    while (*p) {
        if (*p == '{') {
            const char *close = strchr(p, '}');
            if (close) {
                size_t nlen = (size_t)(close - p - 1);
                size_t i;
                for (i = 0; i < nv; i++)
                    if (strlen(names[i]) == nlen && strncmp(names[i], p + 1, nlen) == 0)
                        break;
                if (i < nv) {
                    append(buf, n, &len, values[i], strlen(values[i]));
                    p = close + 1;
                    continue;
                }
            }
        }
        append(buf, n, &len, p, 1);
        p++;
    }
    return buf;
}

char *prompts_fill(const prompts *p, const char *key, char *buf, size_t n, ...) {
    va_list ap;
    va_start(ap, n);
    prompts_vfill(prompts_get(p, key), buf, n, ap);
    va_end(ap);
    return buf;
}

char *prompts_number(const prompts *p, int num, char *buf, size_t n) {
    char key[32];
    if (n == 0)
        return buf;
    buf[0] = '\0';
    if (num < 0 || num > 999) {
        snprintf(buf, n, "%d", num);
        return buf;
    }
    snprintf(key, sizeof key, "num_%d", num);
    if (lookup(p, key)) {
        str_copy(buf, lookup(p, key), n);
        return buf;
    }
    /* Compose from hundreds and tens; a translation may list any number it
     * says differently (num_21 = "...") and that wins above. */
    size_t len = 0;
    int rest = num;
    if (rest >= 100) {
        snprintf(key, sizeof key, "num_%d", (rest / 100) * 100);
        const char *h = lookup(p, key);
        if (!h) {
            snprintf(buf, n, "%d", num);
            return buf;
        }
        append(buf, n, &len, h, strlen(h));
        rest %= 100;
        if (rest == 0)
            return buf;
        append(buf, n, &len, " ", 1);
    }
    snprintf(key, sizeof key, "num_%d", rest);
    const char *w = lookup(p, key);
    if (!w) {
        snprintf(key, sizeof key, "num_%d", (rest / 10) * 10);
        const char *tens = lookup(p, key);
        snprintf(key, sizeof key, "num_%d", rest % 10);
        const char *ones = lookup(p, key);
        if (!tens || !ones) {
            snprintf(buf, n, "%d", num);
            return buf;
        }
        append(buf, n, &len, tens, strlen(tens));
        append(buf, n, &len, " ", 1);
        w = ones;
    }
    append(buf, n, &len, w, strlen(w));
    return buf;
}

char *prompts_capitalize(char *s) {
    if (s && s[0])
        s[0] = (char)toupper((unsigned char)s[0]);
    return s;
}
