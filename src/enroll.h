/* enroll: the `enroll` command: a hands-free, guided recording of the
 * person's key replies in their room, stored as their profile (profile.h),
 * and the acoustic model adapted to them (adapt.h). */
#ifndef FC_ENROLL_H
#define FC_ENROLL_H

/* floorcoach enroll [--mic IN.wav] [--speaker OUT.wav] [--voice NAME]
 *                   [--profile DIR] [--log FILE] [--phrases LIST] [--takes N]
 *                   [--lexicon FILE] [--no-adapt] [--adapt-only]
 *                   [--input-device DEV] [--output-device DEV]
 *
 * Asks for ten seconds of quiet (the room's noise), then, for each phrase,
 * says `Say: "PHRASE".` (a log event {"ev":"say","kind":"prompt",...}),
 * records the answer (endpointed against the room's noise, up to 4 s) and
 * takes it `--takes` times (2). An answer that is too quiet, clipped, cut
 * off, started before the prompt ended, or drowned in noise is explained
 * and asked again, at most three tries. Then the recordings of phrases not
 * recorded this time are carried over from the previous profile, the model
 * is adapted and checked (adapt.h), the new profile replaces the old one
 * in one rename, and a short summary is spoken.
 * An interrupted enrollment (Ctrl-C, or the end of IN.wav before the last
 * phrase) leaves the previous profile as it was.
 * Exit status: 0 profile saved; 1 bad input; 2 audio or speech
 * unavailable, interrupted, or nothing could be recorded. */
int enroll_main(int argc, char **argv);

#endif
