/* main: floorcoach's entry point. The only place that exits. */
#include <stdlib.h>

#include "cli.h"

int main(int argc, char **argv) {
    return cli_main(argc, argv);
}
