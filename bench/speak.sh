#!/bin/sh
# speak.sh: builds and runs the speaking benchmark (bench/speak.c): synthesis
# CPU per second of speech and the longest count word per voice, echo cost.
set -eu
TOP=$(cd "$(dirname "$0")/.." && pwd)
mkdir -p "$TOP/bench/out"
PKGS="espeak-ng speexdsp libconfig"
${CC:-cc} -std=c11 -D_POSIX_C_SOURCE=200809L -D_DEFAULT_SOURCE -O2 -g -Wall -Wextra \
    $(pkg-config --cflags $PKGS | sed 's/-I/-isystem /g') -I"$TOP/src" \
    -o "$TOP/bench/out/speak" "$TOP/bench/speak.c" "$TOP/src/speech_out.c" \
    "$TOP/src/voice.c" "$TOP/src/wav.c" "$TOP/src/echo.c" "$TOP/src/paths.c" \
    "$TOP/src/util.c" $(pkg-config --libs $PKGS) -lm
FLOORCOACH_DATA=${FLOORCOACH_DATA:-$TOP} timeout 300 "$TOP/bench/out/speak"
