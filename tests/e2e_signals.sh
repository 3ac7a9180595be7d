#!/bin/sh
# e2e_signals: SIGINT and SIGTERM stop a session cleanly wherever it is
# (during speech, a hold, a question; console real time and file mode):
# session_end with reason user_stop is the last line of the log, exit 0, no
# process left. Then SIGKILL at random moments of a file-mode and a console
# session (60 trials): every line already written parses, and the log is a
# prefix of the same session's complete log (nothing before the kill lost).
. "$(dirname "$0")/lib.sh"
cd "$TOP" || exit 1

for tool in python3 sox; do
    if ! command -v "$tool" >/dev/null 2>&1; then
        echo "skip: $tool is needed (make test installs it)"
        check_report
        exit 0
    fi
done
if [ ! -x "$FC" ]; then
    echo "skip: $FC is not built"
    check_report
    exit 0
fi

# ---- the driver: runs a session, signals it in a given state, checks ----
cat >"$TMP/sig.py" <<'EOF'
import json, signal, subprocess, sys, time
# sig.py SIG STATE LOG -- CMD...: runs CMD (stdin held open, nothing typed),
# sends SIG once the log shows STATE and checks the stop. Exit 0 ok, 1 a
# failure, 3 the signal arrived after the state had passed (try again).
signame, state, log = sys.argv[1], sys.argv[2], sys.argv[3]
cmd = sys.argv[5:]
realtime = "--mic" not in cmd and "--fast" not in cmd

def events():
    try:
        data = open(log, "rb").read()
    except OSError:
        return []
    return [json.loads(l) for l in data.split(b"\n")[:-1]]

def in_state(evs):
    if not evs:
        return False
    e = evs[-1]
    if state == "speech":
        return e["ev"] == "say" and e["kind"] != "count" and e["end"] - e["t"] >= 2.5
    if state == "hold":
        return e["ev"] == "count"
    if state == "question":
        return e["ev"] == "say" and e["kind"] == "prompt"
    raise SystemExit("unknown state " + state)

p = subprocess.Popen(cmd, stdin=subprocess.PIPE, stdout=subprocess.DEVNULL,
                     stderr=subprocess.PIPE)
deadline = time.monotonic() + 90
sent = None
while time.monotonic() < deadline and p.poll() is None:
    evs = events()
    if in_state(evs):
        if state == "question" and realtime:  # let the question be asked
            time.sleep(max(0.0, evs[-1]["end"] - evs[-1]["t"]) + 0.3)
        p.send_signal(getattr(signal, signame))
        sent = evs[-1]
        break
    time.sleep(0.002)
if sent is None:
    if p.poll() is None:
        p.kill()
    p.wait()
    print("the session never reached the state '%s' (exit %s): %s"
          % (state, p.returncode, p.stderr.read().decode(errors="replace")[-500:]))
    sys.exit(1)
try:
    rc = p.wait(timeout=30)
except subprocess.TimeoutExpired:
    p.kill()
    p.wait()
    print("still running 30 s after %s" % signame)
    sys.exit(1)
err = p.stderr.read().decode(errors="replace")
evs = events()
fails = []
if rc != 0:
    fails.append("exit status %d, want 0" % rc)
ends = [e for e in evs if e["ev"] == "session_end"]
if len(ends) != 1 or ends[0].get("reason") != "user_stop":
    fails.append("session_end: %r, want one with reason user_stop" % ends)
elif evs[-1]["ev"] != "session_end":
    fails.append("events after session_end: %r" % evs[-1])
elif sent not in evs:
    fails.append("the event the signal followed is gone from the log")
else:
    end_t = ends[0]["t"]
    later = [e for e in evs[evs.index(sent) + 1:]
             if e["ev"] in ("say", "count", "heard", "exercise_start") and e["t"] < end_t - 1e-9]
    # Was the state still on when the signal arrived? A miss is not the
    # program's fault: ask for another try.
    if state == "speech" and not end_t < sent["end"]:
        print("missed: the sentence had ended"); sys.exit(3)
    if state == "hold" and any(e["ev"] != "count" for e in later):
        print("missed: the hold had ended"); sys.exit(3)
    if state == "question" and later:
        print("missed: the question was over"); sys.exit(3)
if "Sanitizer" in err or "runtime error" in err:
    fails.append("sanitizer report: " + err[-2000:])
for f in fails:
    print(f)
if fails:
    print("stderr:", err[-800:])
sys.exit(1 if fails else 0)
EOF

# sig_case NAME SIG STATE ARGS...: up to four tries when the signal misses
# the state (the session moved on before it arrived).
sig_case() {
    sc_name=$1 sc_sig=$2 sc_state=$3
    shift 3
    sc_try=0
    while :; do
        sc_try=$((sc_try + 1))
        rm -f "$TMP/$sc_name.jsonl"
        timeout 150 python3 "$TMP/sig.py" "$sc_sig" "$sc_state" "$TMP/$sc_name.jsonl" -- \
            "$FC" run "$@" --log "$TMP/$sc_name.jsonl" >"$TMP/$sc_name.res" 2>&1
        sc_rc=$?
        [ "$sc_rc" = 3 ] && [ "$sc_try" -lt 4 ] && continue
        echo "$sc_rc" >"$TMP/$sc_name.rc"
        return 0
    done
}
# sig_result NAME DESC: the check for a case run by sig_case.
sig_result() {
    if [ "$(cat "$TMP/$1.rc" 2>/dev/null)" = 0 ]; then
        pass
    else
        fail "$2"
        sed 's/^/    /' "$TMP/$1.res" | head -20
    fi
}

# A routine with long holds and short sentences; the first hold starts a
# few seconds into the session.
cat >"$TMP/holds.cfg" <<'EOF'
routine = {
  name = "Signal test";
  exercises = (
    { id = "long-hold";
      name = "Long hold";
      setup = "Lie still.";
      steps = ( "Stay where you are." );
      reps = 2;
      hold = 60;
      sides = "none";
      rest = 0;
      check_in = false;
      caution = "Stop if pain spreads down your leg.";
    } );
};
EOF

# ---- console, real time: the six cases run side by side (they mostly wait) ----
pids=""
for sig in SIGINT SIGTERM; do
    sig_case "c-speech-$sig" "$sig" speech "$TMP/holds.cfg" --text &
    pids="$pids $!"
    sig_case "c-question-$sig" "$sig" question "$TMP/holds.cfg" --text &
    pids="$pids $!"
    sig_case "c-hold-$sig" "$sig" hold "$TMP/holds.cfg" --text --no-screening --no-baseline &
    pids="$pids $!"
done
# shellcheck disable=SC2086
wait $pids
for sig in SIGINT SIGTERM; do
    for state in speech question hold; do
        sig_result "c-$state-$sig" "console real time: $sig during a $state: clean stop"
    done
done

# Console --fast, blocked reading the answer to a question.
sig_case "f-question" SIGINT question "$TMP/holds.cfg" --text --fast
sig_result "f-question" "console --fast: SIGINT while waiting for an answer: clean stop"

# ---- file mode: the session runs faster than real time ----
sox -q -n -r 16000 -c 1 -b 16 "$TMP/mic.wav" synth 400 whitenoise vol 0.002
for sig in SIGINT SIGTERM; do
    sig_case "m-speech-$sig" "$sig" speech "$TMP/holds.cfg" --mic "$TMP/mic.wav" \
        --speaker "$TMP/out.wav" --no-profile
    sig_result "m-speech-$sig" "file mode: $sig during speech: clean stop"
    sig_case "m-question-$sig" "$sig" question "$TMP/holds.cfg" --mic "$TMP/mic.wav" \
        --speaker "$TMP/out.wav" --no-profile
    sig_result "m-question-$sig" "file mode: $sig during a question: clean stop"
    sig_case "m-hold-$sig" "$sig" hold "$TMP/holds.cfg" --mic "$TMP/mic.wav" \
        --speaker "$TMP/out.wav" --no-profile --no-screening --no-baseline
    sig_result "m-hold-$sig" "file mode: $sig during a hold: clean stop"
done
check "file mode: the speaker file of a stopped session is a readable WAV" \
    sh -c "soxi -D '$TMP/out.wav' >/dev/null"

# ---- SIGKILL at random moments ----
cat >"$TMP/kill.py" <<'EOF'
import json, os, random, signal, subprocess, sys, time
# kill.py TRIALS SEED LOG STDIN -- CMD...: runs CMD to the end once (the
# reference), then TRIALS times killed with SIGKILL after a random delay.
# Every killed log must end with a newline, parse line by line and be a
# prefix of the reference log (session_start's date aside).
trials, seed, log, stdin_path = int(sys.argv[1]), int(sys.argv[2]), sys.argv[3], sys.argv[4]
cmd = sys.argv[6:]
rng = random.Random(seed)

def run(delay):
    try:
        os.unlink(log)
    except FileNotFoundError:
        pass
    fin = open(stdin_path, "rb") if stdin_path != "-" else subprocess.DEVNULL
    t0 = time.monotonic()
    p = subprocess.Popen(cmd, stdin=fin, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        rc = p.wait(timeout=120 if delay is None else delay)
    except subprocess.TimeoutExpired:
        p.send_signal(signal.SIGKILL)
        rc = p.wait(timeout=30)
    if fin is not subprocess.DEVNULL:
        fin.close()
    return rc, time.monotonic() - t0

def normalize(line):
    o = json.loads(line)
    if o.get("ev") == "session_start":
        o.pop("date", None)
    return json.dumps(o, sort_keys=True)

def read_log():
    try:
        return open(log, "rb").read()
    except FileNotFoundError:
        return b""

rc, wall = run(None)
ref_bytes = read_log()
ref = [normalize(l) for l in ref_bytes.decode().splitlines()]
if len(ref) < 5 or not ref_bytes.endswith(b"\n"):
    print("reference run: exit %d, only %d lines" % (rc, len(ref)))
    sys.exit(1)
corrupt = lost = mid = 0
for i in range(trials):
    delay = rng.uniform(0.0, wall * 1.1)
    rc, _ = run(delay)
    data = read_log()
    why = None
    if data and not data.endswith(b"\n"):
        why = "a cut last line"
    got = []
    for n, l in enumerate(data.decode("utf-8", errors="replace").splitlines(), 1):
        try:
            o = json.loads(l)
            if not isinstance(o, dict) or "t" not in o or "ev" not in o:
                raise ValueError("not an event")
            got.append(normalize(l))
        except ValueError as e:
            why = why or "line %d does not parse (%s)" % (n, e)
            break
    if why:
        corrupt += 1
        print("trial %d (kill at %.3f s): corrupt log: %s" % (i, delay, why))
        continue
    if got != ref[:len(got)]:
        lost += 1
        k = next(j for j in range(len(got)) if got[j] != ref[j])
        print("trial %d (kill at %.3f s): line %d differs from the reference:\n  %s\n  %s"
              % (i, delay, k + 1, got[k][:200], ref[k][:200]))
        continue
    if 0 < len(got) < len(ref):
        mid += 1
print("%d SIGKILL trials (%d mid-session; reference %d lines in %.2f s): %d corrupt logs, "
      "%d not a prefix of the reference" % (trials, mid, len(ref), wall, corrupt, lost))
sys.exit(1 if corrupt or lost else 0)
EOF

# File mode: a 30-second hold over a quiet microphone (deterministic).
sox -q -n -r 16000 -c 1 -b 16 "$TMP/mic60.wav" synth 60 whitenoise vol 0.002
timeout 900 python3 "$TMP/kill.py" 30 7 "$TMP/kf.jsonl" - -- "$FC" run tests/fixtures/hold30.cfg \
    --mic "$TMP/mic60.wav" --speaker "$TMP/kf.wav" --log "$TMP/kf.jsonl" --no-profile \
    --no-screening --no-baseline >"$TMP/kill-file.out" 2>&1
krc=$?
cat "$TMP/kill-file.out" | tail -n 1
if [ "$krc" = 0 ]; then pass; else
    fail "file mode: SIGKILL trials"
    sed 's/^/    /' "$TMP/kill-file.out" | head -20
fi

# Console --fast: a scripted session, a log line every few milliseconds.
{
    printf 'no\nno\nno\nno\nin my back\nthree\n'
    n=0
    while [ "$n" -lt 60 ]; do echo better; n=$((n + 1)); done
} >"$TMP/script"
timeout 600 python3 "$TMP/kill.py" 30 11 "$TMP/kc.jsonl" "$TMP/script" -- "$FC" run nerve-glides \
    --text --fast --log "$TMP/kc.jsonl" >"$TMP/kill-console.out" 2>&1
krc=$?
cat "$TMP/kill-console.out" | tail -n 1
if [ "$krc" = 0 ]; then pass; else
    fail "console --fast: SIGKILL trials"
    sed 's/^/    /' "$TMP/kill-console.out" | head -20
fi

check_report
