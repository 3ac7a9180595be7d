/* say: the `say` command: speak a sentence (a speaker test). */
#ifndef FC_SAY_H
#define FC_SAY_H

/* `floorcoach say TEXT... [--voice NAME] [--speaker OUT.wav]
 * [--output-device DEV] [--input-device DEV]`: speaks TEXT (the words are
 * joined with spaces) on the audio device, or writes it to OUT.wav (16 kHz
 * mono). argv[0] is the command name. Returns the exit status: 0 spoken,
 * 1 bad input (no text, unknown voice, bad option), 2 speech or audio
 * unavailable (or the file cannot be written). */
int say_main(int argc, char **argv);

#endif
