/* fuzz_jsonread: any bytes as one log line (the JSON object parser), and as
 * a whole session log read back by history. */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz_file.h"
#include "history.h"
#include "jsonread.h"

/* Why: the parser promises valid UTF-8 keys without NUL and strings without
 * NUL; a broken promise is a bug even when nothing crashes. */
static void check_utf8(const char *s) {
    const unsigned char *p = (const unsigned char *)s;
    while (*p) {
        size_t n = *p < 0x80 ? 1 : (*p & 0xE0) == 0xC0 ? 2 : (*p & 0xF0) == 0xE0 ? 3
                                : (*p & 0xF8) == 0xF0 ? 4 : 0;
        if (n == 0)
            abort();
        for (size_t i = 1; i < n; i++)
            if ((p[i] & 0xC0) != 0x80)
                abort();
        p += n;
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    fc_err err;
    jobj o;
    if (jobj_parse(&o, (const char *)data, size, &err) == 0) {
        for (size_t i = 0; i < o.n; i++) {
            check_utf8(o.f[i].key);
            if (o.f[i].type == JV_STR)
                check_utf8(o.f[i].str);
            if (jobj_get(&o, o.f[i].key) == NULL)
                abort();
        }
        double t;
        (void)jobj_num(&o, "t", &t);
        (void)jobj_str(&o, "ev");
        (void)jobj_true(&o, "x");
        jobj_free(&o);
    } else if (o.n != 0 || o.f != NULL) {
        abort(); /* a failed parse leaves the object empty */
    }

    hist_session s;
    FILE *warn = fopen("/dev/null", "w");
    if (history_load_file(fuzz_file(data, size, ".jsonl"), &s, warn, &err) >= 0)
        history_session_free(&s);
    if (warn)
        fclose(warn);
    return 0;
}
