/* test_wordgraph: the word graph spells exactly its phrases, shares
 * beginnings and endings, and has no two states that could be one. */
#include "wordgraph.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "intent.h"

/* ---- what a graph spells ---- */

typedef struct spelled {
    char **v;
    size_t n, cap;
} spelled;

static void spelled_add(spelled *s, const char *t) {
    if (s->n == s->cap) {
        s->cap = s->cap ? s->cap * 2 : 64;
        s->v = realloc(s->v, s->cap * sizeof *s->v);
    }
    s->v[s->n++] = strdup(t);
}

static void spelled_free(spelled *s) {
    for (size_t i = 0; i < s->n; i++)
        free(s->v[i]);
    free(s->v);
    memset(s, 0, sizeof *s);
}

static int str_cmp(const void *a, const void *b) {
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Every phrase from state s, each prefixed with `pre`. */
static void walk(const wordgraph *g, int s, char *pre, size_t len, spelled *out) {
    if (g->final[s])
        spelled_add(out, pre);
    for (int a = g->first[s]; a < g->first[s + 1]; a++) {
        const char *w = g->words[g->arcs[a].word];
        size_t l = len + (len ? 1 : 0) + strlen(w);
        if (l >= 1000)
            continue;
        sprintf(pre + len, "%s%s", len ? " " : "", w);
        walk(g, g->arcs[a].to, pre, l, out);
        pre[len] = '\0';
    }
}

static spelled spells(const wordgraph *g) {
    spelled s = {0};
    char pre[1000] = "";
    walk(g, g->start, pre, 0, &s);
    qsort(s.v, s.n, sizeof *s.v, str_cmp);
    return s;
}

/* The graph of `n` phrases spells them, each once, and nothing else. */
static bool spells_exactly(const wordgraph *g, const char *const *p, size_t n) {
    spelled want = {0};
    for (size_t i = 0; i < n; i++)
        if (p[i][0])
            spelled_add(&want, p[i]);
    qsort(want.v, want.n, sizeof *want.v, str_cmp);
    size_t u = 0;
    for (size_t i = 0; i < want.n; i++) {
        if (u > 0 && strcmp(want.v[u - 1], want.v[i]) == 0) {
            free(want.v[i]);
            continue;
        }
        want.v[u++] = want.v[i];
    }
    want.n = u;
    spelled got = spells(g);
    bool same = got.n == want.n;
    for (size_t i = 0; same && i < got.n; i++)
        same = strcmp(got.v[i], want.v[i]) == 0;
    if (!same)
        printf("  spelled %zu phrases, want %zu\n", got.n, want.n);
    spelled_free(&got);
    spelled_free(&want);
    return same;
}

/* Structure: arcs sorted by word with no word twice from a state (the
 * recognizer then follows one path per phrase), every state reachable, and
 * no two states that spell the same endings (minimal). */
static bool well_formed(const wordgraph *g) {
    bool ok = g->nstates > 0 && g->start == 0 && g->first[0] == 0 &&
              g->first[g->nstates] == g->narcs;
    char *seen = calloc((size_t)g->nstates, 1);
    seen[g->start] = 1;
    for (int s = 0; ok && s < g->nstates; s++)
        for (int a = g->first[s]; a < g->first[s + 1]; a++) {
            const wordgraph_arc *x = &g->arcs[a];
            if (x->word < 0 || x->word >= g->nwords || x->to <= s || x->to >= g->nstates ||
                (a > g->first[s] && g->arcs[a - 1].word >= x->word))
                ok = false;
            else
                seen[x->to] = 1;
        }
    for (int s = 0; ok && s < g->nstates; s++)
        ok = seen[s];
    free(seen);
    if (!ok)
        return false;
    /* Endings of each state, compared pairwise. */
    spelled *end = calloc((size_t)g->nstates, sizeof *end);
    for (int s = 0; s < g->nstates; s++) {
        char pre[1000] = "";
        walk(g, s, pre, 0, &end[s]);
        qsort(end[s].v, end[s].n, sizeof *end[s].v, str_cmp);
    }
    for (int s = 0; ok && s < g->nstates; s++)
        for (int t = s + 1; ok && t < g->nstates; t++) {
            bool same = end[s].n == end[t].n;
            for (size_t i = 0; same && i < end[s].n; i++)
                same = strcmp(end[s].v[i], end[t].v[i]) == 0;
            if (same) {
                printf("  states %d and %d spell the same endings\n", s, t);
                ok = false;
            }
        }
    for (int s = 0; s < g->nstates; s++)
        spelled_free(&end[s]);
    free(end);
    return ok;
}

/* ---- cases ---- */

static void test_shapes(void) {
    /* Choices in the middle: one state per position, not per phrase. */
    const char *numb[] = {"my leg is numb", "my leg feels numb", "my foot is numb",
                          "my foot feels numb"};
    wordgraph *g = wordgraph_build(numb, 4);
    CHECK(g != NULL, "built");
    if (g) {
        CHECK(spells_exactly(g, numb, 4), "spells the four phrases");
        CHECK(well_formed(g), "well formed");
        CHECK_INT(g->nstates, 5);
        CHECK_INT(g->narcs, 6);
        CHECK_INT(g->nwords, 6);
    }
    wordgraph_free(g);

    /* A phrase that goes on after another ends; shared endings. */
    const char *better[] = {"better", "better now", "much better", "much better", ""};
    g = wordgraph_build(better, 5);
    CHECK(g != NULL, "built");
    if (g) {
        CHECK(spells_exactly(g, better, 5), "spells better, better now, much better");
        CHECK(well_formed(g), "well formed");
        CHECK_INT(g->nstates, 4); /* start, after better, after much, the end */
        CHECK(!g->final[g->start], "the empty phrase is not spelled");
    }
    wordgraph_free(g);

    /* Nothing to spell: one state that ends nothing. */
    g = wordgraph_build(NULL, 0);
    CHECK(g != NULL && g->nstates == 1 && g->narcs == 0 && !g->final[0], "empty graph");
    wordgraph_free(g);
}

/* Random sets over a small vocabulary: the graph spells each set exactly and
 * is minimal. */
static void test_random(void) {
    static const char *const vocab[] = {"my", "leg", "foot", "is", "numb", "weak", "now"};
    unsigned long long x = 12345;
    int bad = 0;
    for (int round = 0; round < 200; round++) {
        char buf[40][64];
        const char *p[40];
        int n = 1 + round % 40;
        for (int i = 0; i < n; i++) {
            x = x * 6364136223846793005ull + 1442695040888963407ull;
            int words = 1 + (int)(x >> 60) % 4;
            buf[i][0] = '\0';
            for (int w = 0; w < words; w++) {
                x = x * 6364136223846793005ull + 1442695040888963407ull;
                strcat(buf[i], w ? " " : "");
                strcat(buf[i], vocab[(x >> 33) % 7]);
            }
            p[i] = buf[i];
        }
        wordgraph *g = wordgraph_build(p, (size_t)n);
        if (!g || !spells_exactly(g, p, (size_t)n) || !well_formed(g))
            bad++;
        wordgraph_free(g);
    }
    CHECK_INT(bad, 0);
}

/* The bundled lexicon: every phrase it spells, in a graph far smaller than
 * one branch per phrase. */
static void test_lexicon(void) {
    const char *top = getenv("FLOORCOACH_DATA");
    char path[1024];
    snprintf(path, sizeof path, "%s/voices/en-us/replies.cfg", top && *top ? top : ".");
    fc_err err = {{0}};
    lexicon *lx = lexicon_load(path, &err);
    CHECK(lx != NULL, "bundled lexicon loads: %s", err.msg);
    if (!lx)
        return;
    size_t n = lexicon_count(lx), words = 0;
    const char **p = malloc(n * sizeof *p);
    for (size_t i = 0; i < n; i++) {
        p[i] = lexicon_get(lx, i)->text;
        words++;
        for (const char *c = p[i]; *c; c++)
            words += *c == ' ';
    }
    wordgraph *g = wordgraph_build(p, n);
    CHECK(g != NULL, "built");
    if (g) {
        CHECK(spells_exactly(g, p, n), "spells the lexicon's %zu phrases", n);
        printf("  %d states, %d arcs\n", g->nstates, g->narcs);
        CHECK(g->narcs * 5 < (int)words, "%d arcs for %zu phrases of %zu words", g->narcs, n,
              words);
    }
    wordgraph_free(g);
    free(p);
    lexicon_free(lx);
}

int main(void) {
    test_shapes();
    test_random();
    test_lexicon();
    return check_report();
}
