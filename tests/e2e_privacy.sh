#!/bin/sh
# e2e_privacy: session logs and reports are health data. The data folder is
# 0700 and every log and report 0600 whatever the umask; wider ones are
# tightened with a notice; `forget` deletes sessions by each selector; what
# the person said stays off stderr without --verbose.
. "$(dirname "$0")/lib.sh"
FIX=$TOP/tests/fixtures/logs

for c in run history report forget; do
    if ! "$FC" --help 2>&1 | grep -q "^ *$c "; then
        fail "floorcoach has no '$c' command (wire it into src/cli.c)"
        check_report
        exit 1
    fi
done
mode() { stat -c %a "$1" 2>/dev/null; }

# 1. A fresh data folder under umask 0000, made by a real (typed) session.
export XDG_DATA_HOME=$TMP/fresh
DATA=$XDG_DATA_HOME/floorcoach
REPLIES='no
no
no
no
yes
in my calf
seven
ready
better
four
yes
ready
'
(umask 0000 && printf '%s' "$REPLIES" | timeout 60 "$FC" run gentle-start --text --fast \
    >"$TMP/run.out" 2>"$TMP/run.err")
rc=$?
# The replies may run out before the routine ends (exit 2); the session
# must still have run and been logged.
check "a typed session runs (exit $rc)" sh -c "[ $rc = 0 ] || [ $rc = 2 ] || [ $rc = 3 ]"
check "data folder 0700 under umask 0000" test "$(mode "$DATA")" = 700
check "sessions folder 0700 under umask 0000" test "$(mode "$DATA/sessions")" = 700
LOG=$(ls "$DATA"/sessions/*.jsonl 2>/dev/null | head -n 1)
check "the session was logged" test -n "$LOG"
check "session log 0600 under umask 0000" test "$(mode "$LOG")" = 600
check "the log holds what was typed" grep -q '"text":"in my calf"' "$LOG"
check "stderr holds nothing the person said (no --verbose)" \
    sh -c "! grep -Eqi 'calf|seven|better' '$TMP/run.err'"
(umask 0000 && timeout 30 "$FC" report >"$TMP/rep.out" 2>"$TMP/rep.err")
check "report 0600 under umask 0000" test "$(mode "$DATA/report.html")" = 600
check "report stderr holds nothing the person said" \
    sh -c "! grep -Eqi 'calf|seven' '$TMP/rep.err'"
(umask 0000 && timeout 30 "$FC" report --out "$TMP/elsewhere.html" >/dev/null 2>&1)
check "--out report 0600 under umask 0000" test "$(mode "$TMP/elsewhere.html")" = 600

# 2. A data folder that already exists with wider permissions.
export XDG_DATA_HOME=$TMP/wide
DATA=$XDG_DATA_HOME/floorcoach
mkdir -p "$DATA/sessions"
chmod 755 "$DATA" "$DATA/sessions"
cp "$FIX"/2025-03-0*.jsonl "$DATA/sessions/"
chmod 644 "$DATA"/sessions/*.jsonl
printf 'old report\n' >"$DATA/report.html"
chmod 644 "$DATA/report.html"
timeout 30 "$FC" history >"$TMP/h.out" 2>"$TMP/h.err"
check "wide data folder tightened to 0700" test "$(mode "$DATA")" = 700
check "wide sessions folder tightened to 0700" test "$(mode "$DATA/sessions")" = 700
check "notice for the data folder" \
    grep -qx "floorcoach: tightened permissions of $DATA to 0700 (it holds health data)" "$TMP/h.err"
check "notice for the sessions folder" \
    grep -qx "floorcoach: tightened permissions of $DATA/sessions to 0700 (it holds health data)" "$TMP/h.err"
timeout 30 "$FC" history >/dev/null 2>"$TMP/h2.err"
check "no notice once private" sh -c "! grep -q tightened '$TMP/h2.err'"
timeout 30 "$FC" report >/dev/null 2>"$TMP/r.err"
check "wide report tightened to 0600" test "$(mode "$DATA/report.html")" = 600
check "notice for the report" \
    grep -qx "floorcoach: tightened permissions of $DATA/report.html to 0600 (it holds health data)" "$TMP/r.err"

# 3. forget, with each selector. History and the saved report follow.
S=$DATA/sessions
count() { timeout 30 "$FC" history 2>/dev/null | grep -c '^20'; }
check "five sessions to start with" test "$(count)" = 5
timeout 30 "$FC" forget --all </dev/null >"$TMP/f.out" 2>"$TMP/f.err"
rc=$?
check "without a terminal and --yes: refused" test "$rc" = 1
check "the refusal says why" grep -q 'not a terminal.*--yes' "$TMP/f.err"
check "nothing deleted by the refusal" test "$(count)" = 5

timeout 30 "$FC" forget --before 2025-03-03 --yes >"$TMP/f.out" 2>&1
check "--before: says how many" grep -qx 'Removed 1 session.' "$TMP/f.out"
check "--before: gone from history" sh -c "! timeout 30 '$FC' history 2>/dev/null | grep -q '^2025-03-01'"
check "--before: the later ones stay" test "$(count)" = 4
check "--before: the saved report was rewritten without it" \
    sh -c "! grep -q '2025-03-01' '$DATA/report.html' && grep -q '2025-03-03' '$DATA/report.html'"
check "--before: report still 0600" test "$(mode "$DATA/report.html")" = 600

timeout 30 "$FC" forget '2025-03-03 09:10' --yes >"$TMP/f.out" 2>&1
check "SESSION as history shows it" grep -qx 'Removed 1 session.' "$TMP/f.out"
timeout 30 "$FC" forget 2025-03-05T08-30-00.jsonl --yes >"$TMP/f.out" 2>&1
check "SESSION as a file name" grep -qx 'Removed 1 session.' "$TMP/f.out"
check "red flag gone from the report" sh -c "! grep -q 'numbness between your legs or' '$DATA/report.html'"
check "two left" test "$(count)" = 2
check "an unknown SESSION is an error" sh -c "! timeout 30 '$FC' forget 2020-01-01 --yes >/dev/null 2>&1"
check "still two left" test "$(count)" = 2

if command -v script >/dev/null 2>&1; then
    printf 'n\n' | timeout 30 script -qec "'$FC' forget --all" /dev/null >"$TMP/tty.out" 2>&1
    check "on a terminal it asks" grep -q 'Delete them? \[y/N\]' "$TMP/tty.out"
    check "answering no keeps them" test "$(count)" = 2
    printf 'y\n' | timeout 30 script -qec "'$FC' forget --all" /dev/null >"$TMP/tty.out" 2>&1
    check "answering yes deletes them" grep -q 'Removed 2 sessions.' "$TMP/tty.out"
else
    timeout 30 "$FC" forget --all --yes >/dev/null 2>&1
fi
check "--all: history is empty" sh -c "timeout 30 '$FC' history 2>/dev/null | grep -q 'No sessions recorded yet'"
check "--all: the saved report shows none" grep -q 'No sessions to show yet' "$DATA/report.html"
check "no log files left" sh -c "! ls '$S'/*.jsonl >/dev/null 2>&1"

check_report
