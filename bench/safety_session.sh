#!/bin/sh
# safety_session.sh: the session-level safety benchmark (bench/safety_session.py):
# a symptom reply during a hold stops the session within 3 s, over voices x
# noises x SNRs with --echo -6, and the interruptions per hour that ordinary
# speech (TV-like) causes during a full routine. A few minutes; set
# FC_SAFETY_FULL=1 for the bigger run (6 voices, 3 noise offsets, every wording
# at every SNR, 8 TV sessions over four routines).
cd "$(dirname "$0")/.." || exit 1
CORPUS=${CORPUS:-$PWD/../shared/corpus}
if [ ! -d "$CORPUS/noise" ] || [ ! -d "$CORPUS/speech/sentences" ]; then
    echo "session-level safety bench: corpus not found at $CORPUS (skipped)"
    exit 0
fi
for tool in espeak-ng sox python3; do
    if ! command -v $tool >/dev/null 2>&1; then
        echo "session-level safety bench: $tool not installed (skipped)"
        exit 0
    fi
done
[ -x ./floorcoach ] || make -s floorcoach || exit 1
mkdir -p bench/out
WARN="-Wall -Wextra -Wshadow -Wconversion -Wstrict-prototypes -Wmissing-prototypes -Wformat=2 -Wundef -Wvla"
${CC:-cc} -std=c11 -D_POSIX_C_SOURCE=200809L -O2 $WARN -o bench/out/mixwav bench/mixwav.c -lm || exit 1
export FLOORCOACH_DATA="$PWD"
full=
[ "${FC_SAFETY_FULL:-0}" = 1 ] && full=--full
timeout 7200 python3 bench/safety_session.py --fc ./floorcoach --corpus "$CORPUS" \
    --mixwav bench/out/mixwav --routine bench/safety_hold.cfg $full "$@"
