#!/bin/sh
# Replays every fuzz seed and every input that once crashed a loader through
# the libFuzzer targets (built with clang, ASan and UBSan): none may crash.
. "$(dirname "$0")/lib.sh"
cd "$TOP" || exit 1
if ! make -s fuzz-build >"$TMP/build.log" 2>&1; then
    fail "building the fuzz targets"
    tail -20 "$TMP/build.log"
    check_report
    exit 1
fi
for bin in build-fuzz/fuzz_*; do
    t=${bin#build-fuzz/fuzz_}
    files=$(find "tests/fuzz/seeds/$t" "tests/fuzz/regress/$t" -type f 2>/dev/null)
    if [ -z "$files" ]; then
        fail "fuzz target $t has no seeds"
        continue
    fi
    # shellcheck disable=SC2086
    check "fuzz target $t replays its seeds and regressions" \
        timeout 300 "$bin" -runs=0 $files
done
check_report
