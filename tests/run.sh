#!/bin/sh
# run.sh: runs every unit test (built with ASan+UBSan) and every shell test,
# adds up their "N passed, N failed" lines and ends with the total.
cd "$(dirname "$0")/.." || exit 1
export ASAN_OPTIONS=detect_leaks=1:abort_on_error=0
export UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1
export FLOORCOACH_DATA="$PWD"
total_p=0
total_f=0
out=$(mktemp)
run_one() {
    name=$1; shift
    start=$(date +%s)
    timeout "${TEST_TIMEOUT:-900}" "$@" >"$out" 2>&1
    rc=$?
    line=$(grep -E '^[0-9]+ passed, [0-9]+ failed' "$out" | tail -n 1)
    p=$(echo "$line" | sed -n 's/^\([0-9]*\) passed.*/\1/p')
    f=$(echo "$line" | sed -n 's/.* \([0-9]*\) failed.*/\1/p')
    [ -z "$p" ] && p=0
    [ -z "$f" ] && f=0
    if [ "$rc" != 0 ] && [ "$f" = 0 ]; then f=1; fi
    if [ "$f" != 0 ]; then
        grep -v '^[0-9]* passed' "$out" | tail -n 40 | sed 's/^/    /'
        [ "$rc" = 124 ] && echo "    (timed out)"
    fi
    printf '%-28s %4d passed, %d failed (%ss)\n' "$name" "$p" "$f" "$(( $(date +%s) - start ))"
    total_p=$((total_p + p))
    total_f=$((total_f + f))
}
for t in build-asan/tests/test_*; do
    [ -x "$t" ] || continue
    run_one "$(basename "$t")" "$t"
done
for s in tests/e2e_*.sh; do
    [ -f "$s" ] || continue
    run_one "$(basename "$s" .sh)" sh "$s"
done
rm -f "$out"
echo "$total_p passed, $total_f failed"
[ "$total_f" = 0 ]
