/* hear: the `hear` command: print each reply recognized in the audio. */
#ifndef FC_HEAR_H
#define FC_HEAR_H

/* `floorcoach hear [--mic IN.wav] [--lexicon FILE] [--hold] [--expect INTENT,...]
 * [--profile DIR | --no-profile] [--input-device DEV] [--verbose]`: listens
 * to IN.wav (or the default microphone until interrupted) and prints each
 * recognized reply on stdout as one JSON line
 * {"start":s,"end":s,"text":"...","intent":"...","value":...,"confidence":c}
 * (times in seconds from the start of the input; "value" only for location
 * (its name) and pain_score (a number); "low_confidence":true when accepted
 * but unsure). Rejected audio prints nothing. With --hold it listens as during
 * a hold and also prints unclear speech that may be a symptom, as
 * {"start":..,"end":..,"text":"<best guess>","intent":"none","unclear":true,..}.
 * argv[0] is the command name. Returns the exit status: 0 done (or
 * interrupted), 1 bad input (option, lexicon, WAV file), 2 audio or speech
 * recognition unavailable. */
int hear_main(int argc, char **argv);

#endif
