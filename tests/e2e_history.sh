#!/bin/sh
# e2e_history: `floorcoach history` on the fixture logs (complete, safety
# stop, red flag, crashed mid-line, foreign files) and on hundreds of logs.
. "$(dirname "$0")/lib.sh"
FIX=$TOP/tests/fixtures/logs
SESS=$XDG_DATA_HOME/floorcoach/sessions

if ! "$FC" --help 2>&1 | grep -q '^ *history '; then
    fail "floorcoach has no 'history' command (wire history_main into src/cli.c)"
    check_report
    exit 1
fi

mkdir -p "$SESS"
cp "$FIX"/* "$SESS"/

timeout 20 "$FC" history >"$TMP/out" 2>"$TMP/err"
rc=$?
check "history exits 0" test "$rc" = 0
check "a header and one line per readable session" test "$(wc -l <"$TMP/out")" = 6
check "complete session" grep -q '^2025-03-01 09:00  nerve-glides  *7:15  completed  *6 -> 4   calf -> thigh  *-$' "$TMP/out"
check "safety stop with reasons" grep -q '^2025-03-03 09:10 .*ended for safety  5 -> 7   thigh -> foot .*head-lift-glide: pain spread down the leg; bent-knee-glide: tingling, numbness or weakness$' "$TMP/out"
check "red flag session" grep -q '^2025-03-05 08:30 .*ended: red flag .* red flag$' "$TMP/out"
check "crashed session read up to the bad line" grep -q '^2025-03-07 19:45 .*0:50  unfinished  *8 -> ?   knee -> ? .*knee-to-chest: sharp or severe pain$' "$TMP/out"
check "centralized session" grep -q '^2025-03-09 09:05 .*completed  *4 -> 2   buttock -> back' "$TMP/out"
check "warning names the crashed file and line" grep -q '2025-03-07T19-45-00.jsonl:10: unreadable line' "$TMP/err"
check "warning names the foreign files" sh -c "grep -q 'skipped .*shopping-list.jsonl' '$TMP/err' && grep -q 'skipped .*other-app.jsonl' '$TMP/err'"
check "no heard text or file contents on stderr" sh -c "! grep -Eqi 'bladder|tingling|script|milk|breathe' '$TMP/err'"
check "no heard text in the history table" sh -c "! grep -qi 'bladder' '$TMP/out'"

timeout 20 "$FC" history --last 2 >"$TMP/out" 2>/dev/null
check "--last 2 shows two sessions" test "$(wc -l <"$TMP/out")" = 3
check "--last 2 shows the newest" grep -q '^2025-03-09' "$TMP/out"

timeout 20 "$FC" history --csv >"$TMP/csv" 2>/dev/null
check "csv header" sh -c "head -n 1 '$TMP/csv' | tr -d '\r' | grep -qx 'date,routine,routine_name,duration_s,ended,pain_start,pain_end,location_start,location_end,safety_stops,file'"
check "csv rows" test "$(wc -l <"$TMP/csv")" = 6
check "csv quoting" grep -q '"Flare-up rest & ""positioning"""' "$TMP/csv"
if command -v python3 >/dev/null 2>&1; then
    check "csv parses with 11 fields per row and the right figures" python3 - "$TMP/csv" <<'EOF'
import csv, sys
rows = list(csv.reader(open(sys.argv[1], newline='')))
assert len(rows) == 6, rows
assert all(len(r) == 11 for r in rows), rows
r = {row[10]: row for row in rows[1:]}
s = r['2025-03-03T09-10-00.jsonl']
assert s[4] == 'safety' and s[5] == '5' and s[6] == '7' and s[7] == 'thigh' and s[8] == 'foot', s
assert r['2025-03-07T19-45-00.jsonl'][2] == 'Flare-up rest & "positioning"'
assert r['2025-03-01T09-00-00.jsonl'][3] == '435'
EOF
fi

check "--last 0 is refused" sh -c "! timeout 20 '$FC' history --last 0 2>/dev/null"
check "an unknown option is refused" sh -c "! timeout 20 '$FC' history --bogus 2>/dev/null"
check "--dir reads another folder" sh -c "timeout 20 '$FC' history --dir '$FIX' 2>/dev/null | grep -q '^2025-03-01'"

# An empty data folder.
mkdir -p "$TMP/empty"
check "empty history says so" sh -c "timeout 20 '$FC' history --dir '$TMP/empty' | grep -q 'No sessions recorded yet'"

# Hundreds of sessions: every one listed, in order.
MANY=$TMP/many
mkdir -p "$MANY"
i=0
while [ $i -lt 400 ]; do
    d=$(printf '2024-%02d-%02d' $((i / 28 % 12 + 1)) $((i % 28 + 1)))
    h=$(printf '%02d' $((i / 336 + 7)))
    {
        printf '{"t":0.000,"ev":"session_start","routine":"nerve-glides","version":"0.1","date":"%sT%s:00:00+0100","routine_name":"Sciatic nerve glides"}\n' "$d" "$h"
        printf '{"t":9.0,"ev":"heard","text":"six","intent":"pain_score","value":%d,"confidence":0.9,"start":8.5,"end":9.0}\n' $((i % 11))
        printf '{"t":20.0,"ev":"exercise_start","id":"press-up","side":""}\n'
        printf '{"t":80.0,"ev":"exercise_end","id":"press-up","outcome":"done"}\n'
        printf '{"t":95.0,"ev":"session_end","reason":"completed"}\n'
    } >"$MANY/${d}T$h-00-00.jsonl"
    i=$((i + 1))
done
timeout 60 "$FC" history --dir "$MANY" >"$TMP/out" 2>"$TMP/err"
check "400 sessions listed" test "$(wc -l <"$TMP/out")" = 401
check "no warnings for good logs" test ! -s "$TMP/err"
check "sorted oldest first" sh -c "tail -n +2 '$TMP/out' | cut -c1-16 | sort -c"
timeout 60 "$FC" history --dir "$MANY" --csv >"$TMP/csv" 2>/dev/null
check "pain scores add up in the csv" test "$(tail -n +2 "$TMP/csv" | cut -d, -f6 | awk '{s += $1} END {print s}')" = 1986

check_report
