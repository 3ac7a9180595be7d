/* voice: voice profiles (voices/NAME.cfg): how floorcoach speaks. */
#ifndef FC_VOICE_H
#define FC_VOICE_H

#include "util.h"

typedef struct voice_profile {
    char name[64];     /* profile name (file name without .cfg) */
    char espeak[64];   /* eSpeak NG voice, e.g. "en-us" */
    char variant[64];  /* eSpeak NG variant, e.g. "f2"; "" for none */
    int rate;          /* words per minute, 80..450 */
    int pitch;         /* 0..100 */
    int word_gap;      /* units of 10 ms, 0..100 */
    int volume;        /* 0..200 */
    char description[160];
} voice_profile;

#define VOICE_DEFAULT "calm"

/* Loads voices/NAME.cfg from the resource folder, or a path when `name`
 * contains '/'. Validates every field (the eSpeak voice and variant must
 * exist). Returns 0, or -1 with a file:line message. */
int voice_load(const char *name, voice_profile *out, fc_err *err);

/* Prints the bundled voices with their descriptions to stdout. */
void voice_list(void);

#endif
