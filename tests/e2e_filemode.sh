#!/bin/sh
# File mode: what is said lands in OUT.wav on the session's timeline. Counts
# start on the second, sentences are where the log says, and the output is
# as long as the session.
. "$(dirname "$0")/lib.sh"
cd "$TOP" || exit 1

sox -n -r 16000 -c 1 -b 16 "$TMP/mic.wav" synth 60 whitenoise vol 0.002 2>/dev/null

timeout 120 "$FC" run tests/fixtures/hold30.cfg --mic "$TMP/mic.wav" --speaker "$TMP/out.wav" \
    --log "$TMP/s.jsonl" --no-screening --no-baseline --no-profile >"$TMP/run.out" 2>&1
rc=$?
check "a session over a quiet microphone completes (exit 0, got $rc)" test "$rc" = 0
check "the speaker file exists" test -s "$TMP/out.wav"

cat >"$TMP/timing.py" <<'PY'
import json, sys, wave
sys.path.insert(0, sys.argv[1])
from onsets import segments
log = [json.loads(l) for l in open(sys.argv[2])]
segs = segments(sys.argv[3])
fails = []
def near(t, tol=0.020):
    return min((abs(s - t) for s, e in segs), default=99) <= tol
says = [e for e in log if e["ev"] == "say"]
hold = [e for e in says if e["text"].strip().lower().startswith("hold")]
if not hold:
    fails.append("no 'Hold' sentence in the log")
else:
    H = hold[0]["t"]
    counts = [e for e in log if e["ev"] == "count"]
    if len(counts) != 29:
        fails.append("expected 29 counts in a 30 s hold, got %d" % len(counts))
    for c in counts:
        want = H + c["n"]
        if abs(c["t"] - want) > 0.020:
            fails.append("count %d logged at %.3f, want %.3f" % (c["n"], c["t"], want))
        if not near(want):
            fails.append("count %d: no onset in OUT.wav within 20 ms of %.3f" % (c["n"], want))
    rel = [e for e in says if e["text"].strip().lower().startswith("release")]
    if not rel:
        fails.append("no 'Release'")
    else:
        if abs(rel[0]["t"] - (H + 30)) > 0.020:
            fails.append("release at %.3f, want %.3f" % (rel[0]["t"], H + 30))
        if not near(H + 30):
            fails.append("no onset of 'Release' in OUT.wav at %.3f" % (H + 30))
# Every sentence starts where the log says (alignment), and ends there too.
for e in says:
    if not near(e["t"]):
        fails.append("say %r at %.3f: no onset in OUT.wav within 20 ms" % (e["text"][:30], e["t"]))
    inside = [en for st, en in segs if e["t"] - 0.02 <= st < e["end"]]
    if not inside or abs(max(inside) - e["end"]) > 0.020:
        fails.append("say %r ends at %.3f in the log, at %s in OUT.wav" %
                     (e["text"][:30], e["end"], "%.3f" % max(inside) if inside else "nowhere"))
w = wave.open(sys.argv[3])
dur = w.getnframes() / w.getframerate()
end = [e for e in log if e["ev"] == "session_end"]
if not end or end[0]["reason"] != "completed":
    fails.append("session did not complete: %r" % end)
elif dur + 0.001 < end[0]["t"]:
    fails.append("OUT.wav (%.3f s) is shorter than the session (%.3f s)" % (dur, end[0]["t"]))
for f in fails[:20]:
    print(f)
sys.exit(1 if fails else 0)
PY
check "counts on the second, sentences aligned with the log (±20 ms)" \
    python3 "$TMP/timing.py" "$TOP/tests" "$TMP/s.jsonl" "$TMP/out.wav"

# The same session at a slow voice still keeps every count on its second.
timeout 120 "$FC" run tests/fixtures/hold30.cfg --voice slow --mic "$TMP/mic.wav" \
    --speaker "$TMP/out2.wav" --log "$TMP/s2.jsonl" --no-screening --no-baseline --no-profile \
    >/dev/null 2>&1
check "slow voice: counts still on the second" \
    python3 "$TMP/timing.py" "$TOP/tests" "$TMP/s2.jsonl" "$TMP/out2.wav"

# A mic file at another rate and with two channels is converted.
sox "$TMP/mic.wav" -r 44100 -c 2 "$TMP/mic44.wav"
timeout 120 "$FC" run tests/fixtures/hold30.cfg --mic "$TMP/mic44.wav" --speaker "$TMP/out3.wav" \
    --log "$TMP/s3.jsonl" --no-screening --no-baseline --no-profile >/dev/null 2>&1
check "44.1 kHz stereo microphone file is accepted" \
    python3 "$TMP/timing.py" "$TOP/tests" "$TMP/s3.jsonl" "$TMP/out3.wav"

# Bad input: a missing mic file is a clear error, exit 1.
timeout 20 "$FC" run tests/fixtures/hold30.cfg --mic "$TMP/none.wav" --speaker "$TMP/o.wav" \
    --log "$TMP/x.jsonl" >"$TMP/err.out" 2>&1
rc=$?
check "missing mic file: exit 1 (got $rc)" test "$rc" = 1
check "missing mic file: the message names it" grep -q "none.wav" "$TMP/err.out"
check_report
