/* intent: the replies floorcoach understands, and matching text to them
 * with the per-language lexicon (voices/<lang>/replies.cfg). */
#ifndef FC_INTENT_H
#define FC_INTENT_H

#include <stdbool.h>
#include "util.h"

typedef enum intent {
    INTENT_NONE = 0, /* not a reply (rejected) */
    INTENT_BETTER,
    INTENT_SAME,
    INTENT_WORSE,
    INTENT_SPREADING,   /* pain travels down the leg */
    INTENT_NERVE_SIGNS, /* tingling, pins and needles, numbness */
    INTENT_WEAKNESS,    /* my leg feels weak */
    INTENT_CENTRALIZING,
    INTENT_SHARP_PAIN,
    INTENT_RED_FLAG,
    INTENT_LOCATION,   /* value: enum location */
    INTENT_PAIN_SCORE, /* value: 0..10 */
    INTENT_PAUSE,
    INTENT_RESUME,
    INTENT_REPEAT,
    INTENT_SKIP,
    INTENT_SLOWER,
    INTENT_FASTER,
    INTENT_STOP,
    INTENT_HELP,
    INTENT_HOW_LONG,
    INTENT_YES,
    INTENT_NO,
    INTENT_COUNT
} intent;

/* Pain locations, ordered from the spine down the leg. */
typedef enum location {
    LOC_NONE = 0,
    LOC_BACK,
    LOC_BUTTOCK,
    LOC_THIGH,
    LOC_KNEE,
    LOC_CALF,
    LOC_FOOT, /* foot and toes */
    LOC_COUNT
} location;

/* Log names: "better", "spreading", "how_long", ... ; "none" for INTENT_NONE. */
const char *intent_name(intent i);
/* INTENT_NONE when the name is unknown. */
intent intent_from_name(const char *name);
/* "back", "buttock", ...; "" for LOC_NONE. */
const char *location_name(location l);
location location_from_name(const char *name);
/* True for the intents the safety checker judges (better..pain_score). */
bool intent_is_safety(intent i);
/* The value as logged: the location name for INTENT_LOCATION, the number for
 * INTENT_PAIN_SCORE, "" otherwise. Writes into buf (size n), returns buf. */
char *intent_value_text(intent i, int value, char *buf, size_t n);

/* A loaded lexicon: phrases per intent. Opaque. */
typedef struct lexicon lexicon;

/* Loads a lexicon file (libconfig; `@include` refused; format described at
 * the top of voices/en-us/replies.cfg). Phrases are normalized with
 * str_normalize. NULL with a file:line message in err on any problem: syntax,
 * unknown intent (the message lists the valid ones), a phrase that is not a
 * string, a phrase under two intents. Caller frees with lexicon_free. */
lexicon *lexicon_load(const char *path, fc_err *err);
void lexicon_free(lexicon *lx); /* NULL is fine */

/* One phrase of the lexicon. Strings are owned by the lexicon. */
typedef struct lexicon_phrase {
    const char *text; /* normalized: lower case words separated by one space */
    intent intent;
    int value; /* location or number, 0 otherwise */
    bool spelled; /* only spelled by a phrase with choices, not listed as such */
} lexicon_phrase;

size_t lexicon_count(const lexicon *lx);
const lexicon_phrase *lexicon_get(const lexicon *lx, size_t i); /* NULL past the end */

/* The negations ("no", "not", "don't have any"...), normalized, owned by the
 * lexicon; a recognizer's vocabulary needs their words too. */
size_t lexicon_negation_count(const lexicon *lx);
const char *lexicon_negation(const lexicon *lx, size_t i); /* NULL past the end */

typedef struct intent_match {
    intent intent;
    int value;
    const char *phrase; /* the lexicon phrase matched (owned by lexicon), or NULL */
    /* When a phrase was negated ("no pain down my leg", "not worse", "don't
     * stop"): intent is INTENT_NO, phrase is the negated phrase and this is
     * its intent (a caller may confirm a negated safety reply). Otherwise
     * INTENT_NONE. */
    intent negated;
    /* The place furthest down the leg named anywhere in the text, even inside
     * a longer phrase ("it's going down to my foot": spreading, where foot;
     * "pain moved to my back": centralizing, where back); LOC_NONE if none.
     * For a location reply it equals value. Meant for spreading, nerve
     * signs and weakness (where the symptom reached), and for a location
     * question answered with a symptom; "from my foot to my back" names
     * foot, so do not track it from a centralizing reply. */
    location where;
} intent_match;

/* Maps a typed reply or a recognizer hypothesis to an intent. Exact phrase
 * matches win; otherwise the phrases found inside the text as whole words
 * ("uh pain down my leg now"), longest first, a shorter phrase overlapping a
 * longer one being ignored; of those left, the most safety-relevant intent
 * wins (red_flag, spreading, nerve_signs, weakness, sharp_pain, centralizing,
 * worse, location, pain_score, same, better, stop, pause, resume, repeat,
 * skip, slower, faster, help, how_long, yes, no). A phrase directly after one
 * of the lexicon's negations in the same clause is negated (see `negated`).
 * Digits 0..10 are pain scores. Text that matches nothing gives INTENT_NONE.
 * Only the first 1000 bytes are read. Never fails, for any bytes; `text`
 * (may be NULL) is not modified; lx NULL gives INTENT_NONE. */
intent_match intent_match_text(const lexicon *lx, const char *text);

#endif
