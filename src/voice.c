/* voice: loading and validating voice profiles (voices/NAME.cfg). */
#include "voice.h"

#include <ctype.h>
#include <dirent.h>
#include <glob.h>
#include <libconfig.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>

#include "paths.h"

/* A field of a profile: its bounds (for integers) and where it goes. */
typedef struct field {
    const char *key;
    int is_int;
    int min, max;
    size_t offset, size;
} field;

#define INT_FIELD(k, lo, hi)                                                                       \
    { #k, 1, lo, hi, offsetof(voice_profile, k), 0 }
#define STR_FIELD(k)                                                                               \
    { #k, 0, 0, 0, offsetof(voice_profile, k), sizeof(((voice_profile *)0)->k) }

static const field fields[] = {
    STR_FIELD(description),    STR_FIELD(espeak),        STR_FIELD(variant),
    INT_FIELD(rate, 80, 450),  INT_FIELD(pitch, 0, 100), INT_FIELD(word_gap, 0, 100),
    INT_FIELD(volume, 0, 200),
};

/* Where eSpeak NG keeps its voices. Why guess: asking eSpeak means starting
 * it, and a profile check (`floorcoach list`, `check`) should not need to.
 * speech_out checks again against eSpeak itself when it starts. */
static const char *espeak_data_dir(void) {
    static char dir[PATH_MAX];
    static int looked;
    if (looked)
        return dir[0] ? dir : NULL;
    looked = 1;
    struct stat st;
    const char *env = getenv("ESPEAK_DATA_PATH");
    if (env && *env) {
        if ((size_t)snprintf(dir, sizeof dir, "%s/espeak-ng-data", env) < sizeof dir &&
            stat(dir, &st) == 0 && S_ISDIR(st.st_mode))
            return dir;
        dir[0] = '\0';
    }
    static const char *const fixed[] = {
        "/usr/lib/x86_64-linux-gnu/espeak-ng-data", "/usr/share/espeak-ng-data",
        "/usr/local/share/espeak-ng-data", "/usr/lib/espeak-ng-data"};
    for (size_t i = 0; i < sizeof fixed / sizeof *fixed; i++) {
        if (stat(fixed[i], &st) == 0 && S_ISDIR(st.st_mode)) {
            str_copy(dir, fixed[i], sizeof dir);
            return dir;
        }
    }
    /* Other architectures (a Raspberry Pi: aarch64-linux-gnu). */
    glob_t g;
    if (glob("/usr/lib/*/espeak-ng-data", GLOB_ONLYDIR, NULL, &g) == 0 && g.gl_pathc > 0)
        str_copy(dir, g.gl_pathv[0], sizeof dir);
    globfree(&g);
    return dir[0] ? dir : NULL;
}

/* Finds a voice file named `name` (any case) under `dir`, a few levels deep:
 * eSpeak's espeak_SetVoiceByName finds voices by file name, not language. */
static int find_file(const char *dir, const char *name, int depth) {
    DIR *d = opendir(dir);
    if (!d)
        return 0;
    int found = 0;
    struct dirent *e;
    while (!found && (e = readdir(d)) != NULL) {
        if (e->d_name[0] == '.')
            continue;
        char p[PATH_MAX];
        if ((size_t)snprintf(p, sizeof p, "%s/%s", dir, e->d_name) >= sizeof p)
            continue;
        struct stat st;
        if (stat(p, &st) != 0)
            continue;
        if (S_ISDIR(st.st_mode)) {
            if (depth > 0)
                found = find_file(p, name, depth - 1);
        } else if (strcasecmp(e->d_name, name) == 0) {
            found = 1;
        }
    }
    closedir(d);
    return found;
}

/* 1 when eSpeak NG has this voice, 0 when not, -1 when its data is not found. */
static int espeak_voice_known(const char *voice) {
    const char *data = espeak_data_dir();
    if (!data)
        return -1;
    char lang[PATH_MAX];
    if ((size_t)snprintf(lang, sizeof lang, "%s/lang", data) >= sizeof lang)
        return -1;
    const char *base = strrchr(voice, '/');
    return find_file(lang, base ? base + 1 : voice, 3);
}

static int espeak_variant_known(const char *variant) {
    const char *data = espeak_data_dir();
    if (!data)
        return -1;
    if (strchr(variant, '/') || variant[0] == '.')
        return 0;
    char p[PATH_MAX];
    struct stat st;
    if ((size_t)snprintf(p, sizeof p, "%s/voices/!v/%s", data, variant) >= sizeof p)
        return 0;
    return stat(p, &st) == 0 && S_ISREG(st.st_mode);
}

/* libconfig would read any file named by @include; a profile is one file. */
static int refuse_include(const char *path, const char *text, fc_err *err) {
    int line = 1;
    for (const char *s = text; *s; line++) {
        while (*s == ' ' || *s == '\t')
            s++;
        if (strncmp(s, "@include", 8) == 0)
            return err_set(err, "%s:%d: @include is not allowed in a voice profile", path, line);
        s = strchr(s, '\n');
        if (!s)
            break;
        s++;
    }
    return 0;
}

static int valid_name(const char *name) {
    if (!*name || strlen(name) >= sizeof(((voice_profile *)0)->name))
        return 0;
    for (const char *s = name; *s; s++)
        if (!isalnum((unsigned char)*s) && *s != '-' && *s != '_')
            return 0;
    return 1;
}

static int line_of(const config_setting_t *s) {
    return (int)config_setting_source_line(s);
}

static int load_fields(const char *path, config_setting_t *root, voice_profile *out, fc_err *err) {
    config_setting_t *v = config_setting_get_member(root, "voice");
    if (!v || !config_setting_is_group(v))
        return err_set(err, "%s:1: expected a group `voice = { ... };`", path);
    int n = config_setting_length(v);
    for (int i = 0; i < n; i++) {
        config_setting_t *s = config_setting_get_elem(v, (unsigned)i);
        const char *key = config_setting_name(s);
        int line = line_of(s);
        const field *f = NULL;
        for (size_t k = 0; k < sizeof fields / sizeof *fields; k++)
            if (key && strcmp(key, fields[k].key) == 0)
                f = &fields[k];
        if (!f)
            return err_set(err,
                           "%s:%d: unknown setting \"%s\" (known: description, espeak, "
                           "variant, rate, pitch, word_gap, volume)",
                           path, line, key ? key : "?");
        char *dst = (char *)out + f->offset;
        if (f->is_int) {
            int t = config_setting_type(s);
            if (t != CONFIG_TYPE_INT && t != CONFIG_TYPE_INT64)
                return err_set(err, "%s:%d: %s must be a whole number", path, line, key);
            long long val = config_setting_get_int64(s);
            if (val < f->min || val > f->max)
                return err_set(err, "%s:%d: %s is %lld; it must be %d to %d", path, line, key, val,
                               f->min, f->max);
            int iv = (int)val;
            memcpy(dst, &iv, sizeof iv);
        } else {
            const char *str = config_setting_get_string(s);
            if (!str)
                return err_set(err, "%s:%d: %s must be a string in quotes", path, line, key);
            if (strlen(str) >= f->size)
                return err_set(err, "%s:%d: %s is too long (at most %zu characters)", path, line,
                               key, f->size - 1);
            str_copy(dst, str, f->size);
        }
    }
    config_setting_t *es = config_setting_get_member(v, "espeak");
    int vline = line_of(v);
    if (!es)
        return err_set(err, "%s:%d: the voice needs `espeak = \"...\";` (e.g. \"en-us\")", path,
                       vline);
    if (!out->espeak[0] || strchr(out->espeak, '+') || strstr(out->espeak, ".."))
        return err_set(err, "%s:%d: invalid eSpeak NG voice \"%s\"", path, line_of(es),
                       out->espeak);
    if (espeak_voice_known(out->espeak) == 0)
        return err_set(err, "%s:%d: eSpeak NG has no voice \"%s\" (see `espeak-ng --voices`)", path,
                       line_of(es), out->espeak);
    if (out->variant[0] && espeak_variant_known(out->variant) == 0) {
        config_setting_t *vs = config_setting_get_member(v, "variant");
        return err_set(err,
                       "%s:%d: eSpeak NG has no variant \"%s\" (see `espeak-ng "
                       "--voices=variant`)",
                       path, vs ? line_of(vs) : vline, out->variant);
    }
    return 0;
}

int voice_load(const char *name, voice_profile *out, fc_err *err) {
    char path[PATH_MAX];
    const char *shown = name;
    if (strchr(name, '/')) {
        str_copy(path, name, sizeof path);
    } else {
        if (!valid_name(name))
            return err_set(err, "unknown voice \"%s\" (`floorcoach list` shows the voices)", name);
        char rel[128];
        snprintf(rel, sizeof rel, "voices/%s.cfg", name);
        paths_resource(path, sizeof path, rel);
        struct stat st;
        if (stat(path, &st) != 0)
            return err_set(err, "unknown voice \"%s\" (`floorcoach list` shows the voices)", name);
    }
    size_t len = 0;
    char *text = file_read_all(path, &len, err);
    if (!text)
        return -1;
    if (strlen(text) != len) {
        free(text);
        return err_set(err, "%s: not a text file", path);
    }
    if (refuse_include(path, text, err) < 0) {
        free(text);
        return -1;
    }
    config_t cfg;
    config_init(&cfg);
    int r = -1;
    if (config_read_string(&cfg, text) != CONFIG_TRUE) {
        err_set(err, "%s:%d: %s", path, config_error_line(&cfg), config_error_text(&cfg));
        goto error_out;
    }
    voice_profile v = {.rate = 175, .pitch = 50, .word_gap = 0, .volume = 100};
    const char *base = strrchr(path, '/');
    base = base ? base + 1 : path;
    str_copy(v.name, strchr(name, '/') ? base : shown, sizeof v.name);
    char *dot = strrchr(v.name, '.');
    if (dot && strcmp(dot, ".cfg") == 0)
        *dot = '\0';
    if (load_fields(path, config_root_setting(&cfg), &v, err) < 0)
        goto error_out;
    *out = v;
    r = 0;
error_out:
    config_destroy(&cfg);
    free(text);
    return r;
}

static int by_name(const void *a, const void *b) {
    return strcmp(*(char *const *)a, *(char *const *)b);
}

void voice_list(void) {
    char dir[PATH_MAX];
    paths_resource(dir, sizeof dir, "voices");
    DIR *d = opendir(dir);
    if (!d) {
        printf("  (no voices found in %s)\n", dir);
        return;
    }
    char *names[256];
    size_t count = 0;
    struct dirent *e;
    while ((e = readdir(d)) != NULL && count < sizeof names / sizeof *names) {
        size_t l = strlen(e->d_name);
        if (l > 4 && strcmp(e->d_name + l - 4, ".cfg") == 0 && e->d_name[0] != '.') {
            char *s = xstrdup(e->d_name);
            if (!s)
                break;
            s[l - 4] = '\0';
            names[count++] = s;
        }
    }
    closedir(d);
    qsort(names, count, sizeof *names, by_name);
    for (size_t i = 0; i < count; i++) {
        voice_profile v;
        fc_err err;
        if (voice_load(names[i], &v, &err) == 0)
            printf("  %-12s %s%s\n", v.name, v.description,
                   strcmp(v.name, VOICE_DEFAULT) == 0 ? " (default)" : "");
        else
            printf("  %-12s (broken: %s)\n", names[i], err.msg);
        free(names[i]);
    }
}
