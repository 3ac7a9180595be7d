#!/bin/sh
# run.sh: the benchmarks run by `make bench`, one step each. Each step says
# what it measures and skips clearly when its material (the corpus) is absent.
cd "$(dirname "$0")/.." || exit 1
status=0
# The clap detector (recall, false triggers per hour) and the room check's
# SNR error, on the corpus noise and speech and the program's own voice.
sh bench/clap.sh || status=1
exit $status
