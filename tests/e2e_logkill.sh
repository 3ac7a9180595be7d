#!/bin/sh
# The session log survives `kill -9` mid-session: every line already written
# is one whole JSON object, the file is private (0600), and it ends with a
# newline. Kills a console session (a) blocked at a question, (b) racing
# through a scripted session with --fast (a log line every few milliseconds)
# and (c) in real time while replies come in.
. "$(dirname "$0")/lib.sh"
cd "$TOP" || exit 1

if [ ! -x "$FC" ]; then
    echo "skip: $FC is not built"
    check_report
    exit 0
fi
if ! command -v python3 >/dev/null 2>&1; then
    echo "skip: python3 is needed to check the log"
    check_report
    exit 0
fi

# Every line parses as a JSON object with "t" (a number) and "ev" (text),
# the first is session_start, and the file ends with a newline.
cat >"$TMP/check_log.py" <<'EOF'
import json, sys
path, min_lines = sys.argv[1], int(sys.argv[2])
data = open(path, "rb").read()
if data and not data.endswith(b"\n"):
    sys.exit("the log does not end with a newline (a cut line)")
lines = data.decode("utf-8", errors="strict").splitlines()
for i, line in enumerate(lines, 1):
    o = json.loads(line)
    if not isinstance(o, dict):
        sys.exit("line %d is not an object" % i)
    if not isinstance(o.get("t"), (int, float)) or not isinstance(o.get("ev"), str):
        sys.exit("line %d lacks t or ev: %s" % (i, line))
if len(lines) < min_lines:
    sys.exit("only %d lines, expected at least %d" % (len(lines), min_lines))
if lines and json.loads(lines[0])["ev"] != "session_start":
    sys.exit("the first event is not session_start")
EOF

mode_of() { stat -c %a "$1"; }

# Waits (bounded) until the log has at least $2 lines; never asserts on time.
wait_lines() {
    i=0
    while [ "$i" -lt 3000 ]; do
        if [ -f "$1" ] && [ "$(wc -l <"$1")" -ge "$2" ]; then
            return 0
        fi
        if ! kill -0 "$3" 2>/dev/null; then
            return 1
        fi
        sleep 0.02
        i=$((i + 1))
    done
    return 1
}

# (a) --fast, stdin held open with nothing typed: the session stops at its
# first question, waiting; killed there. The default log path is used.
mkfifo "$TMP/in_a"
timeout 120 "$FC" run nerve-glides --text --fast <"$TMP/in_a" >"$TMP/out_a" 2>&1 &
pid=$!
exec 3>"$TMP/in_a"
log_a=""
i=0
while [ "$i" -lt 300 ] && [ -z "$log_a" ]; do
    log_a=$(find "$XDG_DATA_HOME/floorcoach/sessions" -name '*.jsonl' 2>/dev/null | head -n 1)
    [ -n "$log_a" ] || sleep 0.1
    i=$((i + 1))
done
if [ -n "$log_a" ] && wait_lines "$log_a" 3 "$pid"; then
    pass
else
    fail "(a) no session log with 3 lines under $XDG_DATA_HOME/floorcoach/sessions"
    sed 's/^/    /' "$TMP/out_a" | head -20
fi
kill -9 "$pid" 2>/dev/null
wait "$pid" 2>/dev/null
exec 3>&-
if [ -n "$log_a" ]; then
    check "(a) every line parses after kill -9 at a question" python3 "$TMP/check_log.py" "$log_a" 3
    check "(a) the default log is private (0600)" test "$(mode_of "$log_a")" = 600
    check "(a) the sessions folder is private (0700)" \
        test "$(mode_of "$XDG_DATA_HOME/floorcoach/sessions")" = 700
fi

# (b) --fast with every answer typed ahead: the session writes line after
# line as fast as fsync allows; killed wherever it has got to.
{
    printf 'no\nno\nno\nno\nin my back\nthree\n'
    n=0
    while [ "$n" -lt 60 ]; do echo better; n=$((n + 1)); done
} >"$TMP/script"
for want in 20 80 160; do
    log="$TMP/b_$want.jsonl"
    mkfifo "$TMP/in_b$want"
    timeout 120 "$FC" run nerve-glides --text --fast --log "$log" <"$TMP/in_b$want" \
        >"$TMP/out_b" 2>&1 &
    pid=$!
    exec 4>"$TMP/in_b$want"
    cat "$TMP/script" >&4
    wait_lines "$log" "$want" "$pid" # or the session ended first: as good
    kill -9 "$pid" 2>/dev/null
    wait "$pid" 2>/dev/null
    exec 4>&-
    check "(b) every line parses after kill -9 near line $want" \
        python3 "$TMP/check_log.py" "$log" 3
    check "(b) the --log file is private (0600)" test "$(mode_of "$log")" = 600
done

# (c) Real time, a "no" typed every second; killed after 8 lines.
log="$TMP/c.jsonl"
mkfifo "$TMP/in_c"
timeout 300 "$FC" run nerve-glides --text --log "$log" <"$TMP/in_c" >"$TMP/out_c" 2>&1 &
pid=$!
exec 4>"$TMP/in_c"
(
    n=0
    while [ "$n" -lt 60 ] && kill -0 "$pid" 2>/dev/null; do
        echo no
        sleep 1
        n=$((n + 1))
    done
) >&4 2>/dev/null &
feeder=$!
if wait_lines "$log" 8 "$pid"; then
    pass
else
    fail "(c) the session log did not reach 8 lines"
    sed 's/^/    /' "$TMP/out_c" | tail -10
fi
kill -9 "$pid" 2>/dev/null
wait "$pid" 2>/dev/null
kill "$feeder" 2>/dev/null
wait "$feeder" 2>/dev/null
exec 4>&-
check "(c) every line parses after kill -9 in real time" python3 "$TMP/check_log.py" "$log" 8

check_report
