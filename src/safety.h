/* safety: the safety checker. A pure function of its state and one reply:
 * it decides whether to continue, stop the exercise, offer an easier one or
 * end the session, and says why. */
#ifndef FC_SAFETY_H
#define FC_SAFETY_H

#include <stdbool.h>
#include "intent.h"

typedef enum verdict_type {
    VERDICT_CONTINUE = 0,
    VERDICT_STOP_EXERCISE,
    VERDICT_OFFER_EASIER,
    VERDICT_END_SESSION
} verdict_type;

const char *verdict_name(verdict_type v); /* "continue", "stop_exercise", ... */

#endif
