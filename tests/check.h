/* check.h: a tiny test harness. Checks count and keep going; the last line
 * printed is "N passed, N failed". */
#ifndef FC_CHECK_H
#define FC_CHECK_H

#include <stdio.h>
#include <string.h>

static int check_passed, check_failed;

#define CHECK_AT(cond, file, line, ...)                                                  \
    do {                                                                                 \
        if (cond) {                                                                      \
            check_passed++;                                                              \
        } else {                                                                         \
            check_failed++;                                                              \
            printf("FAIL %s:%d: ", file, line);                                          \
            printf(__VA_ARGS__);                                                         \
            printf("\n");                                                                \
        }                                                                                \
    } while (0)

/* CHECK(cond, "printf-style description", ...) */
#define CHECK(cond, ...) CHECK_AT((cond), __FILE__, __LINE__, __VA_ARGS__)
#define CHECK_INT(a, b)                                                                  \
    do {                                                                                 \
        long check_a_ = (long)(a), check_b_ = (long)(b);                                 \
        CHECK(check_a_ == check_b_, "%s == %s: got %ld, want %ld", #a, #b, check_a_,     \
              check_b_);                                                                 \
    } while (0)
#define CHECK_STR(a, b)                                                                  \
    do {                                                                                 \
        const char *check_a_ = (a), *check_b_ = (b);                                     \
        CHECK(check_a_ && check_b_ && strcmp(check_a_, check_b_) == 0,                   \
              "%s == %s: got \"%s\", want \"%s\"", #a, #b, check_a_ ? check_a_ : "(null)",  \
              check_b_ ? check_b_ : "(null)");                                           \
    } while (0)
#define CHECK_CONTAINS(hay, needle)                                                      \
    do {                                                                                 \
        const char *check_h_ = (hay), *check_n_ = (needle);                              \
        CHECK(check_h_ && strstr(check_h_, check_n_), "%s contains \"%s\": got \"%s\"",  \
              #hay, check_n_, check_h_ ? check_h_ : "(null)");                           \
    } while (0)

static inline int check_report(void) {
    printf("%d passed, %d failed\n", check_passed, check_failed);
    return check_failed ? 1 : 0;
}

#endif
