#!/bin/sh
# run.sh SECONDS TARGET...: runs each libFuzzer target for SECONDS on a work
# copy of its seed corpus; a crash is saved under tests/fuzz/regress/TARGET/.
cd "$(dirname "$0")/../.." || exit 1
secs=$1; shift
export FLOORCOACH_DATA="$PWD"
status=0
for t in "$@"; do
    work=build-fuzz/corpus/$t
    mkdir -p "$work" "tests/fuzz/regress/$t"
    [ -d "tests/fuzz/seeds/$t" ] && cp -n tests/fuzz/seeds/$t/* "$work"/ 2>/dev/null
    start=$(date +%s)
    if build-fuzz/fuzz_$t -max_total_time="$secs" -timeout=10 -rss_limit_mb=2048 \
        -artifact_prefix="tests/fuzz/regress/$t/" "$work" >build-fuzz/$t.log 2>&1; then
        res="no crash"
    else
        res="CRASH: see tests/fuzz/regress/$t/ and build-fuzz/$t.log"
        status=1
    fi
    runs=$(grep -o 'stat::number_of_executed_units: [0-9]*' build-fuzz/$t.log | tail -1 | awk '{print $2}')
    [ -z "$runs" ] && runs=$(grep -Eo '#[0-9]+' build-fuzz/$t.log | tail -1 | tr -d '#')
    printf '%-10s %5ss  %10s runs  %s\n' "$t" "$(( $(date +%s) - start ))" "${runs:-?}" "$res"
done
exit $status
