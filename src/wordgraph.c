/* wordgraph: the smallest graph of words that spells a set of phrases.
 *
 * The phrases go into a tree by word (a trie), which shares beginnings.
 * Then, children before parents, each state is replaced by an equal one
 * already kept, if there is one: equal means both end a phrase or neither
 * does, and both have the same words leading to the same kept states. What
 * remains is the minimal graph for the set (the classic minimization of an
 * acyclic automaton), and it spells exactly the same phrases. */
#include "wordgraph.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "util.h"

typedef struct tarc {
    int word, to, next; /* next: the state's previous arc, -1 */
} tarc;

typedef struct builder {
    /* the words, interned */
    char **words;
    int nwords, capwords;
    int *wtab; /* open addressing: word index + 1, 0 empty */
    size_t wcap;
    /* the trie */
    struct tstate {
        int head; /* the state's last arc, -1 */
        bool final;
    } *st;
    int nstates, capstates;
    tarc *arcs;
    int narcs, caparcs;
} builder;

static uint32_t hash_bytes(const char *s, size_t n) {
    uint32_t h = 2166136261u;
    for (size_t i = 0; i < n; i++)
        h = (h ^ (unsigned char)s[i]) * 16777619u;
    return h;
}

static bool grow(void **p, int *cap, int need, size_t size) {
    if (need <= *cap)
        return true;
    int c = *cap ? *cap * 2 : 64;
    while (c < need)
        c *= 2;
    void *q = xrealloc(*p, (size_t)c * size);
    if (!q)
        return false;
    *p = q;
    *cap = c;
    return true;
}

static bool wtab_resize(builder *b, size_t cap) {
    int *t = xcalloc(cap, sizeof *t);
    if (!t)
        return false;
    for (int i = 0; i < b->nwords; i++) {
        size_t k = hash_bytes(b->words[i], strlen(b->words[i])) & (cap - 1);
        while (t[k])
            k = (k + 1) & (cap - 1);
        t[k] = i + 1;
    }
    free(b->wtab);
    b->wtab = t;
    b->wcap = cap;
    return true;
}

/* The index of the word s[0..n), added if new; -1 when out of memory. */
static int word_id(builder *b, const char *s, size_t n) {
    if ((size_t)(b->nwords + 1) * 2 > b->wcap && !wtab_resize(b, b->wcap ? b->wcap * 2 : 256))
        return -1;
    size_t k = hash_bytes(s, n) & (b->wcap - 1);
    for (; b->wtab[k]; k = (k + 1) & (b->wcap - 1)) {
        const char *w = b->words[b->wtab[k] - 1];
        if (strncmp(w, s, n) == 0 && w[n] == '\0')
            return b->wtab[k] - 1;
    }
    if (!grow((void **)&b->words, &b->capwords, b->nwords + 1, sizeof *b->words))
        return -1;
    char *w = xmalloc(n + 1);
    if (!w)
        return -1;
    memcpy(w, s, n);
    w[n] = '\0';
    b->words[b->nwords] = w;
    b->wtab[k] = ++b->nwords;
    return b->nwords - 1;
}

static int new_state(builder *b) {
    if (!grow((void **)&b->st, &b->capstates, b->nstates + 1, sizeof *b->st))
        return -1;
    b->st[b->nstates] = (struct tstate){-1, false};
    return b->nstates++;
}

/* The state that `word` leads to from `s`, made if missing. */
static int child(builder *b, int s, int word) {
    for (int a = b->st[s].head; a >= 0; a = b->arcs[a].next)
        if (b->arcs[a].word == word)
            return b->arcs[a].to;
    int t = new_state(b);
    if (t < 0 || !grow((void **)&b->arcs, &b->caparcs, b->narcs + 1, sizeof *b->arcs))
        return -1;
    b->arcs[b->narcs] = (tarc){word, t, b->st[s].head};
    b->st[s].head = b->narcs++;
    return t;
}

static int arc_cmp(const void *x, const void *y) {
    const wordgraph_arc *a = x, *b = y;
    return a->word != b->word ? (a->word > b->word) - (a->word < b->word)
                              : (a->to > b->to) - (a->to < b->to);
}

void wordgraph_free(wordgraph *g) {
    if (!g)
        return;
    for (int i = 0; i < g->nwords; i++)
        free(g->words[i]);
    free(g->words);
    free(g->final);
    free(g->first);
    free(g->arcs);
    free(g);
}

static void builder_free(builder *b) {
    if (b->words)
        for (int i = 0; i < b->nwords; i++)
            free(b->words[i]);
    free(b->words);
    free(b->wtab);
    free(b->st);
    free(b->arcs);
}

/* Merges equal states of the trie in b into g (see the top of the file). */
static bool minimize(builder *b, wordgraph *g) {
    int n = b->nstates;
    int *canon = xmalloc((size_t)n * sizeof *canon);
    int *sig = xmalloc((size_t)n * sizeof *sig); /* a kept state's arcs: arcs[sig..] */
    int *nsig = xmalloc((size_t)n * sizeof *nsig);
    wordgraph_arc *pool = xmalloc((size_t)(b->narcs ? b->narcs : 1) * sizeof *pool);
    size_t tcap = 16;
    while (tcap < (size_t)n * 2)
        tcap *= 2;
    int *tab = xcalloc(tcap, sizeof *tab); /* kept state + 1, 0 empty */
    int *id = xmalloc((size_t)n * sizeof *id);
    bool ok = canon && sig && nsig && pool && tab && id;
    int used = 0, kept = 0;
    /* A state's children were made after it: the last state first. */
    for (int s = n - 1; ok && s >= 0; s--) {
        wordgraph_arc *mine = pool + used;
        int k = 0;
        for (int a = b->st[s].head; a >= 0; a = b->arcs[a].next)
            mine[k++] = (wordgraph_arc){b->arcs[a].word, canon[b->arcs[a].to]};
        qsort(mine, (size_t)k, sizeof *mine, arc_cmp);
        uint32_t h = b->st[s].final ? 1u : 0u;
        for (int i = 0; i < k; i++)
            h = (h ^ (uint32_t)mine[i].word) * 16777619u ^ (uint32_t)mine[i].to * 2654435761u;
        size_t slot = h & (tcap - 1);
        canon[s] = -1;
        for (; tab[slot]; slot = (slot + 1) & (tcap - 1)) {
            int r = tab[slot] - 1;
            if (b->st[r].final == b->st[s].final && nsig[r] == k &&
                memcmp(pool + sig[r], mine, (size_t)k * sizeof *mine) == 0) {
                canon[s] = r;
                break;
            }
        }
        if (canon[s] < 0) {
            canon[s] = s;
            sig[s] = used;
            nsig[s] = k;
            used += k;
            tab[slot] = s + 1;
            kept++;
        }
    }
    if (ok) {
        /* Kept states numbered in trie order: the root (state 0) first. */
        int next = 0;
        for (int s = 0; s < n; s++)
            id[s] = canon[s] == s ? next++ : -1;
        g->nstates = kept;
        g->final = xcalloc((size_t)kept, sizeof *g->final);
        g->first = xcalloc((size_t)kept + 1, sizeof *g->first);
        g->arcs = xmalloc((size_t)(used ? used : 1) * sizeof *g->arcs);
        ok = g->final && g->first && g->arcs;
        for (int s = 0, at = 0; ok && s < n; s++) {
            if (canon[s] != s)
                continue;
            g->final[id[s]] = b->st[s].final;
            g->first[id[s]] = at;
            for (int i = 0; i < nsig[s]; i++) {
                wordgraph_arc a = pool[sig[s] + i];
                g->arcs[at++] = (wordgraph_arc){a.word, id[a.to]};
            }
            g->first[id[s] + 1] = at;
        }
        g->narcs = used;
    }
    free(canon);
    free(sig);
    free(nsig);
    free(pool);
    free(tab);
    free(id);
    return ok;
}

wordgraph *wordgraph_build(const char *const *phrases, size_t n) {
    builder b;
    memset(&b, 0, sizeof b);
    wordgraph *g = xcalloc(1, sizeof *g);
    bool ok = g && new_state(&b) == 0;
    for (size_t i = 0; ok && i < n; i++) {
        const char *p = phrases[i];
        int s = 0;
        while (ok && *p) {
            size_t len = strcspn(p, " ");
            int w = len ? word_id(&b, p, len) : -2;
            if (w == -1 || (w >= 0 && (s = child(&b, s, w)) < 0))
                ok = false;
            p += len;
            p += *p == ' ';
        }
        if (ok && s > 0)
            b.st[s].final = true;
    }
    if (ok)
        ok = minimize(&b, g);
    if (!ok) {
        builder_free(&b);
        wordgraph_free(g);
        return NULL;
    }
    g->start = 0;
    g->words = b.words;
    g->nwords = b.nwords;
    b.words = NULL;
    builder_free(&b);
    return g;
}
