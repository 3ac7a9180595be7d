/* wordgraph: the smallest graph of words that spells exactly a set of
 * phrases. Phrases that share a beginning share its states, and phrases
 * that share an ending share those: the choices of a lexicon line ("my
 * (leg|foot) (is|feels) numb") come out about as small as the line itself
 * instead of one branch per spelled phrase. The listener hands the graph to
 * the recognizer as its grammar. */
#ifndef FC_WORDGRAPH_H
#define FC_WORDGRAPH_H

#include <stdbool.h>
#include <stddef.h>

typedef struct wordgraph_arc {
    int word; /* index in words */
    int to;   /* the state it leads to */
} wordgraph_arc;

typedef struct wordgraph {
    int nstates;
    int start;           /* always 0 */
    bool *final;         /* a phrase may end in the state */
    int *first;          /* the arcs of state s: arcs[first[s] .. first[s + 1]) */
    wordgraph_arc *arcs; /* each state's sorted by word, no word twice */
    int narcs;
    char **words; /* the distinct words */
    int nwords;
} wordgraph;

/* The graph of `n` phrases, each words separated by single spaces (an empty
 * phrase is ignored; the same phrase twice counts once). NULL when out of
 * memory. */
wordgraph *wordgraph_build(const char *const *phrases, size_t n);

void wordgraph_free(wordgraph *g);

#endif
