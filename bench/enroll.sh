#!/bin/sh
# enroll.sh: the enrolled column of the listening benchmark (issue 10): for a
# few eSpeak NG voices, `floorcoach enroll` in file mode at one speaking rate,
# then recall of the lexicon's safety replies at another rate in held-out
# corpus noise at 10 and 0 dB, stock model vs the voice's profile; with the
# enrollment time (speaking included) and the adaptation's CPU time; then
# (bench/enroll_points.py) recall against false accepts at 10 dB with the
# rejection moved stricter and looser.
#   BENCH_ENROLL_VOICES="en-us+m3 ..."   voices (default: three)
#   BENCH_ENROLL_SNRS="10 0"             SNRs in dB
#   BENCH_ENROLL_NO_HEAR=1               only the plain-grammar decode (faster)
#   BENCH_ENROLL_REUSE=1                 keep the profiles of an earlier run
#   BENCH_ENROLL_NO_FA=1                 skip the false accepts
cd "$(dirname "$0")/.." || exit 1
TOP=$(pwd)
FC=${FC:-$TOP/floorcoach}
CORPUS=${CORPUS:-$TOP/../shared/corpus}
if [ ! -d "$CORPUS/noise" ]; then
    echo "enroll benchmark: skipped: the corpus folder $CORPUS is absent"
    exit 0
fi
for tool in espeak-ng sox python3 sphinx_fe pocketsphinx_batch; do
    if ! command -v $tool >/dev/null 2>&1; then
        echo "enroll benchmark: skipped: $tool is not installed (make test-deps)"
        exit 0
    fi
done
if [ ! -x /usr/lib/sphinxtrain/bw ]; then
    echo "enroll benchmark: skipped: sphinxtrain is not installed (make test-deps)"
    exit 0
fi
if ! timeout 20 "$FC" enroll --help >/dev/null 2>&1; then
    echo "enroll benchmark: skipped: $FC has no enroll command"
    exit 0
fi
export FLOORCOACH_DATA=$TOP
set -- --fc "$FC" --top "$TOP" --out "$TOP/bench/out/enroll" --corpus "$CORPUS"
[ -n "${BENCH_ENROLL_VOICES:-}" ] && set -- "$@" --voices "$BENCH_ENROLL_VOICES"
[ -n "${BENCH_ENROLL_SNRS:-}" ] && set -- "$@" --snrs "$BENCH_ENROLL_SNRS"
[ -n "${BENCH_ENROLL_NO_HEAR:-}" ] && set -- "$@" --no-hear
[ -n "${BENCH_ENROLL_REUSE:-}" ] && set -- "$@" --reuse
[ -n "${BENCH_ENROLL_NO_FA:-}" ] && set -- "$@" --no-fa
echo "enroll benchmark: enrolling and decoding (cached in bench/out/enroll/; several minutes) ..."
python3 bench/enroll_bench.py "$@" || exit 1
if [ -z "${BENCH_ENROLL_NO_HEAR:-}" ] && [ -z "${BENCH_ENROLL_NO_FA:-}" ]; then
    echo
    python3 bench/enroll_points.py "$TOP" "$TOP/bench/out/enroll/room_none" 10 || exit 1
fi
echo "targets: enrolled safety-intent recall 10 dB / 0 dB >= 97% / >= 90%;"
echo "  enrolled false accepts on ordinary speech <= 2 per hour;"
echo "  enrollment time (speaking included) <= 4 min; adaptation CPU <= 30 s"
