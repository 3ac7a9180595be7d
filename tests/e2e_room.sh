#!/bin/sh
# e2e_room: knowing when floorcoach cannot hear (issue 11), in file mode.
# - The room check: a room whose noise alone drowns any reply (train, -14
#   dBFS) is refused before the screening, and so is typing (clatter), at
#   any level; replies at 0 dB over corpus noise
#   are judged too noisy: it says so, listens again, and does not start the
#   hands-free session (room_check logged, session_end error "too noisy",
#   exit 2); at a marginal SNR the room check says marginal and, once the
#   exercises start, it checks in after every rep; at 25 dB it says ok.
# - The clap: a double clap during a hold (with the program's own voice
#   mixed back at -6 dB) stops the count and asks; a single clap, a cough,
#   speech and the program's own counting do not.
# - A room that turns deafening during a hold, or in which typing starts
#   during a rest (clatter), pauses and says why.
# Replies are synthesized with eSpeak NG (tests/answers.py's mixer). These
# tests are about the room check and the clap, not about recognition: what
# depends on the listener understanding "no" is reported, not asserted.
. "$(dirname "$0")/lib.sh"
cd "$TOP" || exit 1

skip_without espeak-ng sox python3 cc
if [ ! -d "$CORPUS/noise" ]; then
    echo "skipped: the corpus is not at $CORPUS"
    check_report
    exit $?
fi

# ---- a routine with short holds and a check-in ----
cat >"$TMP/room.cfg" <<'EOF'
routine = {
  name = "Room test";
  intro = "Two short exercises.";
  exercises = (
    { id = "knee-hug";
      name = "Knee hug";
      setup = "Lie on your back.";
      steps = ( "Bring one knee toward your chest." );
      reps = 3;
      hold = 4;
      sides = "none";
      rest = 0;
    },
    { id = "pelvic-tilt";
      name = "Pelvic tilt";
      setup = "Lie on your back with your knees bent.";
      steps = ( "Gently flatten your back into the floor." );
      reps = 2;
      hold = 3;
      sides = "none";
      rest = 0;
    } );
};
EOF

# fc MIC LOG [OPTIONS]: a file-mode session of the room routine; sets rc.
fc() {
    mic=$1 log=$2
    shift 2
    timeout 300 "$FC" run "$TMP/room.cfg" --mic "$mic" --log "$log" --no-profile "$@" \
        >"$log.out" 2>"$log.err"
    rc=$?
}

# jq-like checks of a session log, in python: logq LOG EXPR (exit 0 when the
# expression, over `ev` (the events), is true; prints `why` otherwise).
logq() {
    python3 - "$@" <<'PY'
import json, sys
ev = [json.loads(l) for l in open(sys.argv[1])]
room = [e for e in ev if e["ev"] == "room_check"]
says = [e for e in ev if e["ev"] == "say"]
end = [e for e in ev if e["ev"] == "session_end"]
def said(text, after=-1):
    return [e for e in says if text in e["text"] and e["t"] > after]
ok = eval("(" + sys.argv[2] + ")")
if not ok:
    print("room checks:", room)
    print("end:", end)
    print("last says:", [(e["t"], e["text"][:50]) for e in says[-5:]])
sys.exit(0 if ok else 1)
PY
}

# mix OUT NOISE SNR SECONDS AT:PHRASE...: the noise (looped) with phrases at
# SNR dB above it (answers.py's mixer: active level of the phrase over the
# noise's mean power).
mix() {
    python3 - "$TOP/tests" "$@" <<'PY'
import sys, tempfile
sys.path.insert(0, sys.argv[1])
from answers import Mic
out, noise, snr, secs = sys.argv[2], sys.argv[3], float(sys.argv[4]), float(sys.argv[5])
mic = Mic(secs, noise, snr, "en-us+m3", tempfile.mkdtemp(), 1)
for spec in sys.argv[6:]:
    t, text = spec.split(":", 1)
    mic.place(float(t), text)
mic.write(out)
PY
}

BIKE=$CORPUS/noise/exercise_bike.wav

# ---- 1. noise alone too loud: refused before the screening ----
mix "$TMP/train.wav" "$CORPUS/noise/train.wav" 0 60 || fail "cannot build the train mic"
fc "$TMP/train.wav" "$TMP/train.jsonl"
check "train noise: exit 2 (got $rc)" test "$rc" = 2
check "train noise: judged too noisy from the noise alone, twice, before any question" \
    logq "$TMP/train.jsonl" 'len(room) == 2 and all(r["quality"] == "too_noisy" and
        r["noise_dbfs"] >= -20 and "speech_dbfs" not in r for r in room) and
        not [e for e in says if e["kind"] == "prompt"]'
check "train noise: says it is noisy, listens again, stops" \
    logq "$TMP/train.jsonl" 'said("noisy here and I may not hear you") and
        said("listen to the room again") and said("too noisy for me to hear you")'
check "train noise: session_end error, too noisy" \
    logq "$TMP/train.jsonl" 'end and end[-1]["reason"] == "error" and end[-1]["message"] == "too noisy"'
check "train noise: suggests the console mode" grep -q "floorcoach run --text" "$TMP/train.jsonl.err"

# ---- 1b. typing: clatter the listener takes for speech, refused before the
# screening whatever the replies' SNR (answers 20 dB over it would still be
# decoded with the keystrokes around them) ----
mix "$TMP/typing.wav" "$CORPUS/noise/typing.wav" 20 60 "30:no I don't" "45:no I don't" ||
    fail "cannot build the typing mic"
fc "$TMP/typing.wav" "$TMP/typing.jsonl"
show_typing=$(python3 -c '
import json, sys
print([e for e in map(json.loads, open(sys.argv[1])) if e["ev"] == "room_check"])' \
    "$TMP/typing.jsonl" 2>/dev/null)
echo "    typing: $show_typing" | cut -c1-400
check "typing: exit 2 (got $rc)" test "$rc" = 2
check "typing: the first check finds clatter (busy, sharp sounds logged), before any question" \
    logq "$TMP/typing.jsonl" 'room and room[0]["check"] == "start" and
        room[0]["quality"] == "too_noisy" and room[0]["busy"] >= 0.25 and
        room[0]["sharp_per_s"] >= 3 and "speech_dbfs" not in room[0] and
        said("noisy here and I may not hear you")[0]["t"] < min(
            [e["t"] for e in says if e["kind"] == "prompt"] + [1e9])'
check "typing: listens again, still clatter, stops (too noisy), suggests the console" \
    logq "$TMP/typing.jsonl" '[r for r in room if r["check"] == "again" and
        r["quality"] == "too_noisy"] and said("too noisy for me to hear you") and
        end and end[-1]["message"] == "too noisy"'

# ---- where the first question ends (the same in every run before it) ----
mix "$TMP/bike.wav" "$BIKE" 0 60
fc "$TMP/bike.wav" "$TMP/bike.jsonl"
Q1=$(python3 -c '
import json, sys
ev = [json.loads(l) for l in open(sys.argv[1])]
print([e for e in ev if e["ev"] == "say" and e["kind"] == "prompt"][0]["end"] + 0.4)' \
    "$TMP/bike.jsonl" 2>/dev/null)
check "a quiet-listening room check before the screening (steady noise: no clatter)" \
    logq "$TMP/bike.jsonl" 'room and room[0]["check"] == "start" and
        room[0]["quality"] != "too_noisy" and room[0]["sharp_per_s"] < 3 and
        said("please stay quiet for a few seconds") and
        said("please stay quiet")[0]["t"] < said("bladder")[0]["t"]'
if [ -z "$Q1" ]; then
    fail "no question was asked over the exercise bike's noise"
    check_report
    exit
fi

# ---- 2. replies at 0 dB: too noisy, hands-free does not start ----
mix "$TMP/b0.wav" "$BIKE" 0 150 "$Q1:no" "$(echo "$Q1 + 8.3" | bc):no I don't"
fc "$TMP/b0.wav" "$TMP/b0.jsonl"
check "replies at 0 dB: exit 2 (got $rc)" test "$rc" = 2
check "replies at 0 dB: room_check from the replies says too noisy (SNR < 5 dB)" \
    logq "$TMP/b0.jsonl" '[r for r in room if r["check"] == "replies" and
        r["quality"] == "too_noisy" and r["snr"] < 5 and -60 < r["noise_dbfs"] < -30]'
check "replies at 0 dB: warns, waits, checks again (logged), then stops" \
    logq "$TMP/b0.jsonl" 'said("noisy here and I may not hear you") and
        said("listen to the room again")[0]["t"] - said("noisy here")[0]["end"] >= 9.9 and
        [r for r in room if r["check"] == "again"] and said("dash dash text")'
check "replies at 0 dB: session_end error, too noisy; no exercise started" \
    logq "$TMP/b0.jsonl" 'end and end[-1]["reason"] == "error" and
        end[-1]["message"] == "too noisy" and not [e for e in ev if e["ev"] == "exercise_start"]'
# ---- 2b. a TV over the first question, its answer not heard: the replies'
# level waits for an answer understood (the TV is not the person) ----
python3 - "$TOP/tests" "$TMP/tv.wav" "$BIKE" "$Q1" <<'PY' || fail "cannot build the TV mic"
import sys, tempfile
sys.path.insert(0, sys.argv[1])
from answers import Mic
out, noise, q1 = sys.argv[2], sys.argv[3], float(sys.argv[4])
mic = Mic(60, noise, 20, "en-us+m3", tempfile.mkdtemp(), 1)
# The TV, 10 dB under the person, through the first answer window.
t = q1 - 0.2
for line in ("and now a look at the weather for the weekend ahead",
             "with sunshine in the morning and some rain later on"):
    t = mic.place(t, line, snr=10, voice="en-gb")[1] + 0.3
mic.place(q1 + 8.3, "no I don't")  # the person, to the question asked again
mic.write(out)
PY
fc "$TMP/tv.wav" "$TMP/tv.jsonl"
show_tv=$(python3 -c '
import json, sys
print([e for e in map(json.loads, open(sys.argv[1])) if e["ev"] in ("room_check", "heard")])'     "$TMP/tv.jsonl" 2>/dev/null)
echo "    TV over the first question: $show_tv" | cut -c1-400
if grep -q '"ev":"heard".*"intent":"no"' "$TMP/tv.jsonl"; then
    check "TV over the first question: the replies' check measures the person, not the TV" \
        logq "$TMP/tv.jsonl" '[r for r in room if r["check"] == "replies" and
            r["quality"] != "too_noisy" and r["snr"] >= 15]'
else
    echo "    (the person's answer was not understood: the check is not asserted)"
fi

# figures: show LABEL LOG prints the room checks of a log
show() {
    python3 -c '
import json, sys
for e in map(json.loads, open(sys.argv[2])):
    if e["ev"] == "room_check":
        print("    %s: %s" % (sys.argv[1], ", ".join("%s %s" % (k, e[k]) for k in e if k != "ev")))' \
        "$@" 2>/dev/null
}
show "0 dB" "$TMP/b0.jsonl"

# ---- 3. replies at 12 dB: marginal; check-ins after every rep ----
NOS=""
for k in 0 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16 17 18 19; do NOS="$NOS no"; done
timeout 900 python3 tests/answers.py "$TMP/b8.wav" --fc "$FC" --routine "$TMP/room.cfg" \
    --noise "$BIKE" --snr 12 --seconds 200 --extra=--no-profile -- $NOS >/dev/null 2>&1
fc "$TMP/b8.wav" "$TMP/b8.jsonl"
show "12 dB" "$TMP/b8.jsonl"
check "replies at 12 dB: room_check says marginal (9 <= SNR < 15)" \
    logq "$TMP/b8.jsonl" '[r for r in room if r["check"] == "replies" and
        r["quality"] == "marginal" and 9 <= r["snr"] < 15]'
if grep -q '"ev":"exercise_start"' "$TMP/b8.jsonl"; then
    check "marginal: a yes/no check-in after the first rep, before the second" \
        logq "$TMP/b8.jsonl" 'said("any worse than before", said("Release.")[0]["t"]) and
            said("any worse than before", said("Release.")[0]["t"])[0]["t"] <
            (said("Rep two")[0]["t"] if said("Rep two") else 1e9) and
            not said("How does your leg feel now")'
    if grep -q '"id":"pelvic-tilt"' "$TMP/b8.jsonl"; then
        check "marginal: the room is checked again before the next exercise" \
            logq "$TMP/b8.jsonl" 'said("Before the next exercise") and
                [r for r in room if r["check"] == "between"]'
    fi
else
    echo "    marginal: the listener did not understand the screening replies at 12 dB, so the"
    echo "    exercises were not reached (the check-ins after every rep are covered by test_session)"
fi

# ---- 4. replies at 25 dB: ok ----
mix "$TMP/b25.wav" "$BIKE" 25 150 "$Q1:no" "$(echo "$Q1 + 8.3" | bc):no I don't"
fc "$TMP/b25.wav" "$TMP/b25.jsonl"
show "25 dB" "$TMP/b25.jsonl"
check "replies at 25 dB: room_check says ok, no warning" \
    logq "$TMP/b25.jsonl" '[r for r in room if r["check"] == "replies" and r["quality"] == "ok"]
        and not said("noisy here") and not (end and end[-1].get("message") == "too noisy")'

# ---- 5. the clap during a hold, with the program's voice echoed at -6 dB ----
cat >"$TMP/mksound.c" <<'EOF'
/* mksound KIND PEAK_DBFS SEED: one clap (0), knock (1) or cough (2) as raw
 * s16le 16 kHz on stdout, its peak sample at PEAK_DBFS. */
#include <stdio.h>
#include "clap_synth.h"
int main(int argc, char **argv) {
    static double buf[8000];
    if (argc < 4)
        return 1;
    int kind = atoi(argv[1]);
    syn_rng r = {(uint64_t)atoi(argv[3]) * 7919u + 1u};
    size_t n = kind == 0 ? syn_clap(buf, 8000, &r) : kind == 1 ? syn_knock(buf, 8000, &r)
                                                               : syn_cough(buf, 8000, &r);
    double peak = 0;
    for (size_t i = 0; i < n; i++)
        peak = fabs(buf[i]) > peak ? fabs(buf[i]) : peak;
    double g = 32768.0 * pow(10.0, atof(argv[2]) / 20.0) / (peak > 0 ? peak : 1);
    for (size_t i = 0; i < n + 800; i++) {
        int16_t s = syn_clip16(i < n ? buf[i] * g : 0.0);
        fwrite(&s, sizeof s, 1, stdout);
    }
    return 0;
}
EOF
if ! cc -std=c11 -D_DEFAULT_SOURCE -I"$TOP/tests" -o "$TMP/mksound" "$TMP/mksound.c" -lm; then
    fail "cannot build the clap generator"
    check_report
    exit
fi
# sound OUT KIND PEAK SEED: one sound as a WAV.
sound() {
    "$TMP/mksound" "$2" "$3" "$4" >"$TMP/snd.raw" &&
        sox -q -t raw -r 16000 -e signed -b 16 -c 1 "$TMP/snd.raw" "$1"
}
# add IN OUT WAV AT: OUT is IN with WAV added at AT seconds.
add() {
    sox -q -m -v 1 "$1" -v 1 "|sox $3 -p pad $4" "$2" trim 0 "$(soxi -D "$1")"
}
# paused_at WHAT LOG FROM: prints when the session paused for a noisy room.
paused_at() {
    python3 -c '
import json, sys
ev = [json.loads(l) for l in open(sys.argv[2])]
v = [e["t"] for e in ev if e["ev"] == "verdict" and e["reason"] == "noisy"]
if v:
    print("    %s from %.2f s: paused at %.2f s" % (sys.argv[1], float(sys.argv[3]), v[0]))' \
        "$@" 2>/dev/null
}

sox -n -r 16000 -c 1 -b 16 "$TMP/quiet.wav" synth 80 whitenoise vol 0.003 2>/dev/null
# exercises ROUTINE MIC LOG: a session of ROUTINE's exercises alone over MIC,
# echo -6 dB; log LOG.
exercises() {
    timeout 300 "$FC" run "$1" --mic "$2" --log "$3" --echo -6 \
        --no-screening --no-baseline --no-profile >"$3.out" 2>"$3.err"
    rc=$?
}
# hold MIC LOG: one 30 s hold.
hold() {
    exercises tests/fixtures/hold30.cfg "$@"
}
hold "$TMP/quiet.wav" "$TMP/h0.jsonl"
H=$(python3 -c '
import json, sys
ev = [json.loads(l) for l in open(sys.argv[1])]
print([e for e in ev if e["ev"] == "say" and e["text"] == "Hold."][0]["t"])' "$TMP/h0.jsonl" 2>/dev/null)
if [ -z "$H" ]; then
    fail "the hold session did not reach its hold"
    check_report
    exit
fi
check "the program's own counting (echo -6 dB) is no clap: 29 counts, completed" \
    logq "$TMP/h0.jsonl" 'len([e for e in ev if e["ev"] == "count"]) == 29 and
        not [e for e in ev if e["ev"] in ("clap",) or e.get("reason") == "clap"] and
        end[-1]["reason"] == "completed"'

# claps between the counts Five and Six, and a level well above the room
C1=$(echo "$H + 5.45" | bc)
C2=$(echo "$H + 5.85" | bc)
sound "$TMP/clap1.wav" 0 -8 1 && sound "$TMP/clap2.wav" 0 -9 2 && sound "$TMP/cough.wav" 2 -8 3 ||
    fail "cannot make the sounds"
add "$TMP/quiet.wav" "$TMP/c1.wav" "$TMP/clap1.wav" "$C1"
add "$TMP/c1.wav" "$TMP/c2.wav" "$TMP/clap2.wav" "$C2"

hold "$TMP/c2.wav" "$TMP/h2.jsonl"
python3 -c '
import json, sys
ev = [json.loads(l) for l in open(sys.argv[1])]
v = [e["t"] for e in ev if e["ev"] == "verdict" and e["reason"] == "clap"]
if v:
    print("    double clap: second clap at %.2f s, count stopped at %.2f s" % (float(sys.argv[2]), v[0]))' \
    "$TMP/h2.jsonl" "$C2" 2>/dev/null
check "a double clap in a hold: stopped within 1.5 s, verdict pause clap, asks" \
    logq "$TMP/h2.jsonl" "[v for v in ev if v['ev'] == 'verdict' and v['reason'] == 'clap' and
        $C2 < v['t'] < $C2 + 1.5] and said('something about your leg', $C2)"
check "a double clap in a hold: the count stops (no count after the clap until asked again)" \
    logq "$TMP/h2.jsonl" "not [e for e in ev if e['ev'] == 'count' and
        $C2 + 1.5 < e['t'] < min([s['t'] for s in said('Straighten', $C2)] + [1e9])] and
        [e for e in ev if e['ev'] == 'cancel_speech' and $C2 < e['t'] < $C2 + 1.5]"

# two knocks on the floor do the same
sound "$TMP/knock1.wav" 1 -10 4 && sound "$TMP/knock2.wav" 1 -11 5
add "$TMP/quiet.wav" "$TMP/n1.wav" "$TMP/knock1.wav" "$C1"
add "$TMP/n1.wav" "$TMP/n2.wav" "$TMP/knock2.wav" "$C2"
hold "$TMP/n2.wav" "$TMP/hn.jsonl"
check "two knocks in a hold: stopped, verdict pause clap, asks" \
    logq "$TMP/hn.jsonl" "[v for v in ev if v['ev'] == 'verdict' and v['reason'] == 'clap' and
        $C2 < v['t'] < $C2 + 1.5] and said('something about your leg', $C2)"

hold "$TMP/c1.wav" "$TMP/h1.jsonl"
check "a single clap is no stop signal: 29 counts, completed" \
    logq "$TMP/h1.jsonl" 'len([e for e in ev if e["ev"] == "count"]) == 29 and
        not [e for e in ev if e["ev"] == "clap" or e.get("reason") == "clap"] and
        end[-1]["reason"] == "completed"'

add "$TMP/quiet.wav" "$TMP/k.wav" "$TMP/cough.wav" "$C1"
hold "$TMP/k.wav" "$TMP/hk.jsonl"
check "a cough is no stop signal" \
    logq "$TMP/hk.jsonl" 'not [e for e in ev if e["ev"] == "clap" or e.get("reason") == "clap"]'

# ---- 6. the room turns deafening mid-hold: pause and say why ----
sox -n -r 16000 -c 1 -b 16 "$TMP/loud.wav" synth 70 whitenoise vol 0.5 2>/dev/null
add "$TMP/quiet.wav" "$TMP/w.wav" "$TMP/loud.wav" "$(echo "$H + 5" | bc)"
hold "$TMP/w.wav" "$TMP/hw.jsonl"
check "loud noise mid-hold: a continuous room_check, verdict pause noisy, said why, count stopped" \
    logq "$TMP/hw.jsonl" "[r for r in room if r['check'] == 'continuous' and r['quality'] == 'too_noisy']
        and [v for v in ev if v['ev'] == 'verdict' and v['reason'] == 'noisy' and
             $H + 5 < v['t'] < $H + 20] and said(\"It's noisy here\", $H + 5) and
        not [e for e in ev if e['ev'] == 'count' and
             e['t'] > [v for v in ev if v['ev'] == 'verdict' and v['reason'] == 'noisy'][0]['t']]"
paused_at "loud noise" "$TMP/hw.jsonl" "$(echo "$H + 5" | bc)"
# ---- 6b. typing starts during a rest: clatter, though no louder than a
# reply (the count's seconds are mostly the program's own voice: clatter is
# listened for in its gaps, and in rests and waits for an answer) ----
cat >"$TMP/rest.cfg" <<'EOF'
routine = {
  name = "Rest test";
  exercises = (
    { id = "knee-hug"; name = "Knee hug"; setup = "Lie on your back.";
      steps = ( "Bring one knee toward your chest." );
      reps = 2; hold = 10; sides = "none"; rest = 20; check_in = false; } );
};
EOF
exercises "$TMP/rest.cfg" "$TMP/quiet.wav" "$TMP/r0.jsonl"
R=$(python3 -c '
import json, sys
ev = [json.loads(l) for l in open(sys.argv[1])]
print([e for e in ev if e["ev"] == "say" and e["text"].startswith("Rest for")][0]["end"])' \
    "$TMP/r0.jsonl" 2>/dev/null)
if [ -n "$R" ]; then
    sox -q "$CORPUS/noise/typing.wav" "$TMP/typing12.wav" norm -8
    add "$TMP/quiet.wav" "$TMP/ty.wav" "$TMP/typing12.wav" "$R"
    exercises "$TMP/rest.cfg" "$TMP/ty.wav" "$TMP/rty.jsonl"
    check "typing in a rest: a continuous room_check finds clatter, pause noisy, said why" \
        logq "$TMP/rty.jsonl" "[r for r in room if r['check'] == 'continuous' and
                r['quality'] == 'too_noisy' and r['busy'] >= 0.25 and r['sharp_per_s'] >= 3 and
                r['noise_dbfs'] < -30]
            and [v for v in ev if v['ev'] == 'verdict' and v['reason'] == 'noisy' and
                 $R < v['t'] < $R + 12] and said(\"It's noisy here\", $R)"
    paused_at "typing" "$TMP/rty.jsonl" "$R"
    check "a quiet rest: no noisy pause" \
        logq "$TMP/r0.jsonl" 'not [e for e in ev if e.get("reason") == "noisy"] and
            end[-1]["reason"] == "completed"'
else
    fail "the rest session did not reach its rest"
fi

check "a quiet hold: no noisy pause" \
    logq "$TMP/h0.jsonl" 'not [e for e in ev if e.get("reason") == "noisy" or e.get("check") == "continuous"]'

# speech during the hold (a corpus sentence at about the level of a reply):
# whatever the listener makes of it, it is no clap
SENT=$(ls "$CORPUS"/speech/sentences/cmu_arctic_us_*.wav 2>/dev/null | head -n 1)
if [ -n "$SENT" ]; then
    sox -q "$SENT" "$TMP/sent.wav" norm -12
    add "$TMP/quiet.wav" "$TMP/s.wav" "$TMP/sent.wav" "$(echo "$H + 4.2" | bc)"
    hold "$TMP/s.wav" "$TMP/hs.jsonl"
    check "speech in a hold is no stop signal, and no noisy room" \
        logq "$TMP/hs.jsonl" 'not [e for e in ev if e["ev"] == "clap" or e.get("reason") in ("clap", "noisy")]'
fi
check_report
