#!/bin/sh
# Console mode driven by a script on stdin (--fast), asserting on the log.
. "$(dirname "$0")/lib.sh"
cd "$TOP" || exit 1

nos() { i=0; while [ $i -lt "$1" ]; do echo no; i=$((i + 1)); done; }

# 1. "no" to everything completes the routine.
nos 200 | timeout 60 "$FC" run nerve-glides --text --fast --log "$TMP/a.jsonl" >"$TMP/a.out" 2>&1
rc=$?
check "all-no script: exit 0 (got $rc)" test "$rc" = 0
check "all-no script: every log line parses" python3 -c '
import json, sys
for l in open(sys.argv[1]): json.loads(l)' "$TMP/a.jsonl"
check "all-no script: session completed" \
    grep -q '"ev":"session_end","reason":"completed"' "$TMP/a.jsonl"
check "console prints each line with its kind" grep -q '^instruction: ' "$TMP/a.out"
check "the disclaimer is said" grep -qi 'replace' "$TMP/a.out"
check "every event has t and ev" python3 -c '
import json, sys
for l in open(sys.argv[1]):
    e = json.loads(l); assert "t" in e and "ev" in e, l' "$TMP/a.jsonl"

# 2. "pain down my leg" typed during a hold of the second exercise stops it.
cat >"$TMP/plan.py" <<'PY'
import json, sys
log = [json.loads(l) for l in open(sys.argv[1])]
starts = [e for e in log if e["ev"] == "exercise_start"]
ids = []
for e in starts:
    if e["id"] not in ids: ids.append(e["id"])
second = ids[1]
t0 = next(e["t"] for e in starts if e["id"] == second)
cnt = next(e for e in log if e["ev"] == "count" and e["t"] > t0)
when = cnt["t"] + 0.5
answered = sum(1 for e in log if e["ev"] == "heard" and e["t"] < when)
print(second, "%.3f" % when, answered)
PY
set -- $(python3 "$TMP/plan.py" "$TMP/a.jsonl")
second=$1 when=$2 k=$3
{ nos "$k"; echo "@$when pain down my leg"; nos 200; } |
    timeout 60 "$FC" run nerve-glides --text --fast --log "$TMP/b.jsonl" >"$TMP/b.out" 2>&1
cat >"$TMP/verdict.py" <<'PY'
import json, sys
log = [json.loads(l) for l in open(sys.argv[1])]
ex, when = sys.argv[2], float(sys.argv[3])
v = [e for e in log if e["ev"] == "verdict" and e["verdict"] == "stop_exercise"]
assert v, "no stop_exercise verdict"
assert v[0]["exercise"] == ex, v[0]
assert "peripheral" in v[0]["reason"], v[0]
assert abs(v[0]["t"] - when) < 0.05, (v[0]["t"], when)
end = [e for e in log if e["ev"] == "exercise_end" and e["id"] == ex]
assert end and end[0]["outcome"] == "stopped", end
# Nothing is counted between the reply and the stop: the count stops in the same tick.
late = [e for e in log if e["ev"] == "count" and when <= e["t"] < v[0]["t"] + 1.0
        and not any(s["ev"] == "exercise_start" and v[0]["t"] < s["t"] <= e["t"] for s in log)]
assert not late, late
PY
check "pain down my leg during exercise 2 ($second at ${when}s): stop_exercise, peripheralization" \
    python3 "$TMP/verdict.py" "$TMP/b.jsonl" "$second" "$when"

# 3. A red flag at screening ends the session at once: exit 3.
printf 'yes\nyes\nyes\n' | timeout 30 "$FC" run nerve-glides --text --fast --log "$TMP/c.jsonl" \
    >"$TMP/c.out" 2>&1
rc=$?
check "red flag at screening: exit 3 (got $rc)" test "$rc" = 3
check "red flag at screening: session_end red_flag" \
    grep -q '"ev":"session_end","reason":"red_flag"' "$TMP/c.jsonl"
check "red flag: says to get medical help" grep -qi 'medical' "$TMP/c.out"

# 4. Stop session, confirmed.
{ nos 6; echo "@200 stop session"; echo yes; } |
    timeout 30 "$FC" run gentle-start --text --fast --log "$TMP/d.jsonl" >"$TMP/d.out" 2>&1
rc=$?
check "stop session, yes: exit 0 (got $rc)" test "$rc" = 0
check "stop session: session_end user_stop" grep -q '"reason":"user_stop"' "$TMP/d.jsonl"

# 5. End of input while a reply is awaited: the session ends with a clear message.
printf '' | timeout 30 "$FC" run gentle-start --text --fast --log "$TMP/e.jsonl" >"$TMP/e.out" 2>&1
rc=$?
check "no input at all: exit 2 (got $rc)" test "$rc" = 2
check "no input at all: session_end error" grep -q '"reason":"error"' "$TMP/e.jsonl"
check "no input at all: says why" grep -qi 'no more input' "$TMP/e.out"

# 6. Bad options and routines: exit 1 with a message.
"$FC" run no-such-routine --text --fast </dev/null >"$TMP/f.out" 2>&1
rc=$?
check "unknown routine: exit 1 (got $rc)" test "$rc" = 1
check "unknown routine: names it" grep -q 'no-such-routine' "$TMP/f.out"
"$FC" run --bogus </dev/null >"$TMP/g.out" 2>&1
check "unknown option: exit 1" test $? = 1
"$FC" run --text --voice nobody </dev/null >"$TMP/h.out" 2>&1
check "unknown voice: exit 1" test $? = 1
check_report
