#!/bin/sh
# A whole session from audio, in file mode with the program's own voice mixed
# back into the microphone (--echo -6): the red-flag screening and the
# baseline question answered "no" by another eSpeak NG voice, the nerve-glides
# routine, and "pain down my leg" said during a hold stops that exercise
# (verdict stop_exercise within 3 s of the phrase's end). On a short routine
# of one long hold: the same phrase stops it, and an ordinary sentence does not
# stop it as peripheralization. Heard only as unclear speech over the count,
# the phrase is said again after floorcoach asks, as a person would.
. "$(dirname "$0")/lib.sh"
cd "$TOP" || exit 1

skip_without espeak-ng sox python3

VOICE=en-us+m3 # the person; floorcoach speaks with en-us+f2 (voices/calm.cfg)
PHRASE="pain down my leg"

# run MIC LOG ROUTINE [OPTIONS]: a session in file mode with the echo.
run() {
    mic=$1 log=$2 routine=$3
    shift 3
    timeout 300 "$FC" run "$routine" --mic "$mic" --speaker "$TMP/out.wav" --log "$log" \
        --echo -6 --no-profile "$@" >/dev/null 2>&1
}

# place MIC PHRASE AT OUT: OUT is MIC with PHRASE (spoken by $VOICE) added at
# AT seconds; prints the times its speech starts and ends.
place() {
    espeak-ng -v "${PLACE_VOICE:-$VOICE}" -w "$TMP/phrase.raw.wav" "$2" &&
        sox -q -R "$TMP/phrase.raw.wav" -r 16000 -c 1 -b 16 "$TMP/phrase.wav" &&
        sox -q -R -m -v 1 "$1" -v 1 "|sox -R $TMP/phrase.wav -p pad $3" "$4" &&
        python3 - "$TMP/phrase.wav" "$3" <<'PY'
import sys, wave, array, math
w = wave.open(sys.argv[1])
a = array.array("h", w.readframes(w.getnframes()))
n = 320
lv = [math.sqrt(sum(x * x for x in a[i:i + n]) / n) for i in range(0, len(a) - n, n)]
loud = [i for i, l in enumerate(lv) if l > max(lv) / 31.6]
at = float(sys.argv[2])
print("%.3f %.3f" % (at + loud[0] * n / 16000, at + (loud[-1] + 1) * n / 16000))
PY
}

# check_stop LOG START END EXERCISE: within 3 s of the phrase's end the count
# stops (a stop, or the safety-first confirmation "Did you say ...?" for a
# reply heard with low confidence: issue 5, "the count stops, floorcoach asks
# to confirm"), no count of that hold follows, and the exercise then ends
# with verdict stop_exercise (silence after the confirmation counts as yes).
check_stop() {
    python3 - "$@" <<'PY'
import json, sys
log, ps, pe, ex = sys.argv[1], float(sys.argv[2]), float(sys.argv[3]), sys.argv[4]
ev = [json.loads(l) for l in open(log)]
v = [e for e in ev if e["ev"] == "verdict" and e["verdict"] == "stop_exercise" and e.get("exercise") == ex
     and e["t"] >= ps]
if not v:
    heard = [(e["t"], e.get("text"), e.get("intent"), e.get("confidence"), e.get("low_confidence"))
             for e in ev if e["ev"] == "heard" and e["t"] >= ps - 0.1]
    other = [(e["t"], e["verdict"], e.get("reason")) for e in ev if e["ev"] == "verdict" and e["t"] >= ps - 0.1]
    sys.exit("no stop_exercise for %s; phrase %.2f-%.2f s; heard after it: %s; verdicts: %s"
             % (ex, ps, pe, heard[:4] or "nothing", other[:4] or "none"))
stops = [e for e in ev if ps <= e["t"] <= pe + 3.0 and
         (e["ev"] == "cancel_speech" or e["ev"] == "verdict" or
          (e["ev"] == "say" and e.get("kind") in ("prompt", "safety")))]
if not stops:
    sys.exit("nothing stopped the count within 3 s of the phrase (%.2f-%.2f s); stop_exercise at %.2f s"
             % (ps, pe, v[0]["t"]))
t = stops[0]["t"]
counts = [e for e in ev if e["ev"] == "count" and t < e["t"] <= v[0]["t"]]
if counts:
    sys.exit("the count went on after the stop: count %d at %.2f s" % (counts[0]["n"], counts[0]["t"]))
if v[0]["t"] > pe + 20.0:
    sys.exit("stop_exercise only at %.2f s, %.1f s after the phrase" % (v[0]["t"], v[0]["t"] - pe))
PY
}

# ---- 1. nerve-glides with the screening and baseline answered from audio ----
# The microphone is built as tests/answers.py does: the session is run again
# and again, and each next question gets its answer 0.4 s after it ends ("the
# same" to a check-in, "yes" to "Did you say ...?", "no" to everything else,
# so a question asked again still gets its answer), until the head-lift glide
# starts. Then the phrase goes 0.2 s after its first "Hold.".
timeout 900 python3 - "$TOP/tests" "$FC" "$VOICE" "$PHRASE" "$TMP" >"$TMP/p1.txt" 2>"$TMP/p1.err" <<'PY'
import json, math, sys
sys.path.insert(0, sys.argv[1])
import subprocess
import answers as A
fc, voice, phrase, tmp = sys.argv[2:6]


def synth(text, voice, tmp, rate=None):
    """answers.synth without sox's random dither (-R): the same microphone
    file every time, so the test gives the same result every time."""
    raw, out = tmp + "/s.wav", tmp + "/s16.wav"
    subprocess.run(["espeak-ng", "-v", voice, "-w", raw] + (["-s", str(rate)] if rate else []) + [text],
                   check=True)
    subprocess.run(["sox", "-R", raw, "-r", str(A.RATE), "-c", "1", "-b", "16", out], check=True)
    return A.read_wav(out)


A.synth = synth
args = ["nerve-glides", "--echo", "-6", "--no-profile"]
mic = A.Mic(420, None, None, voice, tmp, 1)
path, log = tmp + "/answers.wav", tmp + "/a.jsonl"
placed = 0
while True:
    mic.write(path)
    ev = A.run(fc, args, path, log)
    started = [i for i, e in enumerate(ev) if e["ev"] == "exercise_start" and e["id"] == "head-lift-glide"]
    qs = [e for e in ev if e["ev"] == "say" and e["kind"] == "prompt"]
    if started or len(qs) <= placed or placed >= 12:
        break
    q = qs[placed]
    # "Did you say your leg feels the same?" (the same heard unsurely): yes.
    mic.place(q["end"] + 0.4, "yes" if "Did you say" in q["text"]
              else "the same" if "the same" in q["text"] else "no")
    placed += 1
heard = [(round(e["t"], 1), e.get("text"), e.get("intent")) for e in ev if e["ev"] == "heard"]
# Past the screening: the four red-flag questions were answered no (a yes
# would have ended the session) and the first exercise started.
if not [e for e in ev if e["ev"] == "exercise_start"]:
    sys.exit("the screening was not answered: no exercise started; heard %s; ended %s"
             % (heard[:8], [e for e in ev if e["ev"] == "session_end"]))
if not started:
    sys.exit("the session never reached the head-lift glide; heard %s; ended %s"
             % (heard[:10], [e for e in ev if e["ev"] == "session_end"]))
hold = [e for e in ev[started[0]:] if e["ev"] == "say" and e["text"].strip() == "Hold."]
if not hold:
    sys.exit("no hold in the head-lift glide")
# Where the phrase's speech starts and ends (espeak-ng pads it with silence).
s = A.synth(phrase, voice, tmp)
n = 320
lv = [A.rms(s[i:i + n]) for i in range(0, len(s) - n, n)]
loud = [i for i, l in enumerate(lv) if l > max(lv) / 31.6]
at = hold[0]["end"] + 0.2
mic.place(at, phrase)
mic.write(tmp + "/pain.wav")
print("%.3f %.3f" % (at + loud[0] * n / A.RATE, at + (loud[-1] + 1) * n / A.RATE))
PY
check "screening answered no from audio, the session reaches the nerve glide's holds ($(cat "$TMP/p1.err"))" \
    test -s "$TMP/p1.txt"
if [ -s "$TMP/p1.txt" ]; then
    set -- $(cat "$TMP/p1.txt")
    run "$TMP/pain.wav" "$TMP/p.jsonl" nerve-glides
    # Where the phrase falls against the program's own count decides whether
    # it is heard as the symptom or only as unclear speech; then the count
    # stops and floorcoach asks "Did you say something about your leg?", and
    # the person says it again, 0.4 s after the question, as a person would.
    # The checks are the same either way.
    again=$(python3 - "$TMP/p.jsonl" "$1" "$2" <<'PY'
import json, sys
ev = [json.loads(l) for l in open(sys.argv[1])]
ps, pe = float(sys.argv[2]), float(sys.argv[3])
if not any(e["ev"] == "verdict" and e["verdict"] == "stop_exercise" and e["t"] >= ps for e in ev):
    ask = [e for e in ev if e["ev"] == "say" and e.get("kind") == "prompt" and ps <= e["t"] <= pe + 3.0
           and "something about your leg" in e["text"]]
    if ask:
        print("%.3f" % (ask[0]["end"] + 0.4))
PY
)
    if [ -n "$again" ]; then
        echo "note: nerve-glides: heard as unclear speech; the phrase said again at $again s"
        place "$TMP/pain.wav" "$PHRASE" "$again" "$TMP/pain2.wav" >/dev/null
        run "$TMP/pain2.wav" "$TMP/p.jsonl" nerve-glides
    fi
    check "nerve-glides: \"$PHRASE\" during a hold (echo -6) stops the count within 3 s and the exercise" \
        check_stop "$TMP/p.jsonl" "$1" "$2" head-lift-glide
fi

# ---- 2. one long hold, no screening: the phrase, and an ordinary sentence ----
sox -q -R -n -r 16000 -c 1 -b 16 "$TMP/quiet.wav" synth 75 whitenoise vol 0.002
run "$TMP/quiet.wav" "$TMP/q.jsonl" tests/fixtures/hold30.cfg --no-screening --no-baseline
hold=$(python3 -c '
import json, sys
ev = [json.loads(l) for l in open(sys.argv[1])]
print(" ".join(["%.3f" % e["end"] for e in ev if e["ev"] == "say" and e["text"].strip() == "Hold."][:1]))
' "$TMP/q.jsonl")
check "the one-hold routine reaches its hold over a quiet microphone" test -n "$hold"
if [ -n "$hold" ]; then
    # Here the phrase is spoken by en-us+f2, a voice the listener hears (it
    # misses "pain down my leg" from most eSpeak voices: bench/RESULTS.md):
    # this case checks what the session does with a heard symptom over echo;
    # the nerve-glides case above and the benchmarks cover other voices.
    set -- $(PLACE_VOICE=en-us+f2 place "$TMP/quiet.wav" "$PHRASE" \
        "$(awk "BEGIN { print $hold + 6 }")" "$TMP/pain30.wav")
    run "$TMP/pain30.wav" "$TMP/p30.jsonl" tests/fixtures/hold30.cfg --no-screening --no-baseline
    check "one hold: \"$PHRASE\" (echo -6) stops the count within 3 s and the exercise" \
        check_stop "$TMP/p30.jsonl" "$1" "$2" long-hold

    # Ordinary speech during the hold: a real recorded sentence when the
    # corpus is here, else an eSpeak NG one. It must not stop the exercise
    # as peripheralization (nor any other symptom). A pause for unclear speech
    # ("Did you say something about your leg?") is allowed: the safety-first
    # policy stops the count for speech that is not confidently something else.
    sentence=$CORPUS/speech/sentences/cmu_arctic_us_aew_a0001.wav
    if [ ! -f "$sentence" ]; then
        echo "note: $CORPUS absent: using a synthesized sentence"
        espeak-ng -v en-gb -w "$TMP/sent.raw.wav" "she told me the meeting had been moved to thursday"
        sox -q -R "$TMP/sent.raw.wav" -r 16000 -c 1 -b 16 "$TMP/sent.wav"
        sentence=$TMP/sent.wav
    fi
    sox -q -R -m -v 1 "$TMP/quiet.wav" -v 1 "|sox -R $sentence -p pad $(awk "BEGIN { print $hold + 6 }")" "$TMP/talk.wav"
    run "$TMP/talk.wav" "$TMP/t.jsonl" tests/fixtures/hold30.cfg --no-screening --no-baseline
    check "one hold: an ordinary sentence does not stop the exercise for a symptom" python3 -c '
import json, sys
ev = [json.loads(l) for l in open(sys.argv[1])]
bad = [(e["t"], e["verdict"], e.get("reason")) for e in ev
       if e["ev"] == "verdict" and e["verdict"] in ("stop_exercise", "offer_easier", "end_session")]
if bad:
    heard = [(e["t"], e.get("text"), e.get("intent")) for e in ev if e["ev"] == "heard"]
    sys.exit("stopped by %s; heard %s" % (bad, heard))
' "$TMP/t.jsonl"
fi
check_report
