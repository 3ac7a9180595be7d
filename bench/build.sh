#!/bin/sh
# build.sh: compiles the benchmark program against the product's sources.
set -eu
TOP=$(cd "$(dirname "$0")/.." && pwd)
mkdir -p "$TOP/bench/out/listen"
PKGS="pocketsphinx sphinxbase speexdsp libconfig"
${CC:-cc} -std=c11 -D_POSIX_C_SOURCE=200809L -D_DEFAULT_SOURCE -O2 -g -Wall -Wextra \
    $(pkg-config --cflags $PKGS | sed 's/-I/-isystem /g') -I"$TOP/src" \
    -o "$TOP/bench/out/listen/fcbench" "$TOP/bench/fcbench.c" "$TOP/src/speech_in.c" \
    "$TOP/src/intent.c" "$TOP/src/wordgraph.c" "$TOP/src/util.c" "$TOP/src/wav.c" "$TOP/src/echo.c" \
    $(pkg-config --libs $PKGS) -lm
