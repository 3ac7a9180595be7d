# lib.sh: helpers for shell tests. Source it; call `check DESC CMD...` and end
# with `check_report` (prints "N passed, N failed").
TOP=$(cd "$(dirname "$0")/.." && pwd)
FC=${FC:-$TOP/floorcoach}
CORPUS=${CORPUS:-$TOP/../shared/corpus}
export FLOORCOACH_DATA=$TOP
check_passed=0
check_failed=0
TMP=$(mktemp -d "${TMPDIR:-/tmp}/fc-test.XXXXXX")
export XDG_DATA_HOME=$TMP/data
trap 'rm -rf "$TMP"' EXIT

check() {
    desc=$1; shift
    if "$@" >"$TMP/check.out" 2>&1; then
        check_passed=$((check_passed + 1))
    else
        check_failed=$((check_failed + 1))
        echo "FAIL: $desc"
        sed 's/^/    /' "$TMP/check.out" | head -20
    fi
}

# pass DESC / fail DESC: for checks computed by hand.
pass() { check_passed=$((check_passed + 1)); }
fail() { check_failed=$((check_failed + 1)); echo "FAIL: $*"; }

check_report() {
    echo "$check_passed passed, $check_failed failed"
    [ "$check_failed" = 0 ]
}

# skip_without TOOL...: ends the test as skipped ("0 passed, 0 failed" when
# nothing was checked yet) if one of the tools is not installed.
skip_without() {
    for tool in "$@"; do
        if ! command -v "$tool" >/dev/null 2>&1; then
            echo "skipped: $tool not installed"
            check_report
            exit $?
        fi
    done
}
