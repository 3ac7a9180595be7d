#!/bin/sh
# clap.sh: builds and runs the clap detector and room check benchmark
# (bench/clap.c) on the corpus. Usage: sh bench/clap.sh [quick]
cd "$(dirname "$0")/.." || exit 1
CORPUS=${CORPUS:-$PWD/../shared/corpus}
if [ ! -d "$CORPUS/noise" ]; then
    echo "clap bench: corpus not found at $CORPUS (skipped)"
    exit 0
fi
mkdir -p bench/out
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
WARN="-Wall -Wextra -Wshadow -Wconversion -Wstrict-prototypes -Wmissing-prototypes -Wformat=2 -Wundef -Wvla"
${CC:-cc} -std=c11 -D_POSIX_C_SOURCE=200809L -D_DEFAULT_SOURCE -O2 $WARN -Isrc \
    $(pkg-config --cflags speexdsp) -o bench/out/clap bench/clap.c \
    src/clap.c src/roomcheck.c src/echo.c src/wav.c src/util.c \
    $(pkg-config --libs speexdsp) -lm || exit 1
timeout 600 bench/out/clap "$CORPUS" "$tmp" "$@"
