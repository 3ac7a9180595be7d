#!/bin/sh
# recognition.sh: the listening benchmark. Builds the material (cached under
# bench/out/), runs the listener over continuous streams of replies and of
# non-command speech in real noise at several SNRs, and prints, for the TUNE
# split (voices, rates, speakers and noises used to choose the settings) and
# the REPORT split (held out): recall per class and SNR, substitutions, false
# accepts per hour, unclear pauses, latency, CPU and memory.
#   BENCH_FULL=1     every reply at every SNR (the quick default: a random quarter
#                    of the synthesized replies, each at one SNR; about 20x longer)
#   BENCH_TUNING=..  settings to try (see speech_in.c), e.g. "sure_safety=-8"
cd "$(dirname "$0")/.." || exit 1
CORPUS=${CORPUS:-$(pwd)/../shared/corpus}
if [ ! -d "$CORPUS/speech" ] || [ ! -d "$CORPUS/noise" ]; then
    echo "recognition benchmark: skipped: the corpus folder $CORPUS is absent"
    exit 0
fi
for tool in espeak-ng sox; do
    if ! command -v $tool >/dev/null 2>&1; then
        echo "recognition benchmark: skipped: $tool is not installed (make test-deps)"
        exit 0
    fi
done
set -e
sh bench/build.sh
echo "recognition benchmark: building material (cached in bench/out/listen/) ..."
sh bench/gen.sh voices/en-us/replies.cfg "$CORPUS"
N=$CORPUS/noise
opts="--fraction 0.25"
[ -n "${BENCH_FULL:-}" ] && opts="--full"
[ -n "${BENCH_TUNING:-}" ] && opts="$opts --tuning $BENCH_TUNING"
echo "recognition benchmark: decoding (two processes, a few minutes) ..."
bench/out/listen/fcbench run voices/en-us/replies.cfg bench/out/listen/items.tsv tune \
    "$N/doing_the_dishes.wav,$N/crowd_cheering.wav,$N/typing.wav" $opts \
    --label "tune: dishes, crowd, typing" >bench/out/listen/tune.txt 2>&1 &
pid=$!
bench/out/listen/fcbench run voices/en-us/replies.cfg bench/out/listen/items.tsv report \
    "$N/running_tap.wav,$N/exercise_bike.wav,$N/train.wav" $opts \
    --label "REPORT (held out): tap, bike, train" >bench/out/listen/report.txt 2>&1 || true
wait $pid || true
cat bench/out/listen/tune.txt bench/out/listen/report.txt
sox -q -m "$CORPUS/speech/sentences/jfk.wav" "$N/running_tap.wav" bench/out/listen/mem.wav trim 0 30
bench/out/listen/fcbench mem voices/en-us/replies.cfg bench/out/listen/mem.wav
echo "targets: safety recall clean/10 dB/0 dB >= 99/97/90%; control at 10 dB >= 95%;"
echo "  real words clean >= 90%; false accepts <= 2/h, red-flag false accepts 0;"
echo "  latency p95 <= 300 ms; CPU <= 0.05 s per audio second; memory <= 40 MB"
