/* cli: the command line: commands, options, help. */
#ifndef FC_CLI_H
#define FC_CLI_H

/* Runs the command named in argv (default: run). Returns the exit status. */
int cli_main(int argc, char **argv);

#endif
