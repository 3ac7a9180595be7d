/* devices: the `floorcoach devices` command: lists audio inputs and outputs. */
#ifndef FC_DEVICES_H
#define FC_DEVICES_H

/* `floorcoach devices [--verbose]`: prints the input and output devices
 * (index, host API, channels, default rate, name; the defaults marked) that
 * --input-device / --output-device accept. argv[0] is the command name.
 * Returns 0, 1 for a bad option, 2 with a one-line message on stderr when
 * the audio system is unavailable or has no device. */
int devices_main(int argc, char **argv);

#endif
