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

/* A loaded lexicon: phrases per intent. Opaque. */
typedef struct lexicon lexicon;

/* Loads a lexicon file (libconfig; `@include` refused). NULL with a
 * file:line message in err on any problem. Caller frees with lexicon_free. */
lexicon *lexicon_load(const char *path, fc_err *err);
void lexicon_free(lexicon *lx); /* NULL is fine */

/* One phrase of the lexicon. Strings are owned by the lexicon. */
typedef struct lexicon_phrase {
    const char *text; /* normalized: lower case words separated by one space */
    intent intent;
    int value; /* location or number, 0 otherwise */
} lexicon_phrase;

size_t lexicon_count(const lexicon *lx);
const lexicon_phrase *lexicon_get(const lexicon *lx, size_t i);

typedef struct intent_match {
    intent intent;
    int value;
    const char *phrase; /* the lexicon phrase matched (owned by lexicon), or NULL */
} intent_match;

/* Maps a typed reply or a recognizer hypothesis to an intent. Exact phrase
 * matches win; otherwise a phrase found inside the text ("uh pain down my
 * leg now"), the longest first. Text that matches nothing gives INTENT_NONE.
 * Never fails; `text` is not modified. */
intent_match intent_match_text(const lexicon *lx, const char *text);

#endif
