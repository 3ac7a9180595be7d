#!/bin/sh
# e2e_pulse_session: a real-time session on the real PortAudio back-end over a
# virtual sound device (tests/pulse.sh). The "user" answers "no" to each
# screening question and says "pain down my leg" during a hold; the log and
# the fake speaker's recording must show the exercise stopped and the stop
# spoken. Then the daemon is killed mid-session: floorcoach must say it can
# no longer hear, log session_end with reason error and exit 2.
. "$(dirname "$0")/lib.sh"
. "$TOP/tests/pulse.sh"

for tool in pulseaudio paplay parec sox espeak-ng; do
    if ! command -v "$tool" >/dev/null 2>&1; then
        echo "skipped: $tool is not installed (make test installs it)"
        check_report
        exit
    fi
done
if ! "$FC" run --help >/dev/null 2>&1; then
    echo "skipped: $FC has no run command yet"
    check_report
    exit
fi

# ---- the user's replies ----
# The feeds are spoken by en-us+f2, a voice the listener hears from a file:
# this test is about the live device path; recognition across voices is
# measured by the benchmarks (bench/RESULTS.md).
PULSE_FEED_VOICE=en-us+f2
pulse_feed "$TMP/no.wav" "no" && pulse_feed "$TMP/no2.wav" "no I don't" &&
    pulse_feed "$TMP/pain.wav" "pain down my leg" || {
    fail "cannot build the reply feeds"
    check_report
    exit
}

# A routine with one long hold, so the reply lands inside it.
cat >"$TMP/holds.cfg" <<'EOF'
routine = {
  name = "Long holds";
  description = "One exercise with long holds, for the live audio test.";
  intro = "One exercise.";
  exercises = (
    { id = "knee-hug";
      name = "Knee hug";
      setup = "Lie on your back.";
      steps = ( "Bring one knee toward your chest." );
      reps = 3;
      hold = 20;
      sides = "none";
      rest = 5;
      easier = "pelvic-tilt";
    },
    { id = "pelvic-tilt";
      name = "Pelvic tilt";
      setup = "Lie on your back with your knees bent.";
      steps = ( "Gently flatten your back into the floor." );
      reps = 3;
      hold = 5;
      sides = "none";
      rest = 5;
    } );
};
EOF
if ! timeout 30 "$FC" check "$TMP/holds.cfg" >"$TMP/check-routine.out" 2>&1; then
    fail "the test routine does not load:"
    sed 's/^/    /' "$TMP/check-routine.out" | head
fi

if ! pulse_start; then
    fail "the private PulseAudio daemon did not start"
    check_report
    exit
fi
pulse_mic_noise

now() { date +%s.%N; }
# log_count PATTERN: how many lines of the session log match.
log_count() {
    n=$(grep -c -- "$1" "$LOG" 2>/dev/null)
    echo "${n:-0}"
}
# wait_log PATTERN N SECONDS: waits until N lines match; 1 if the program
# ended or the time ran out first.
wait_log() {
    end=$(echo "$(now) + $3" | bc)
    while [ "$(log_count "$1")" -lt "$2" ]; do
        kill -0 "$fc_pid" 2>/dev/null || return 1
        [ "$(echo "$(now) > $end" | bc)" = 1 ] && return 1
        sleep 0.05
    done
    return 0
}
# json_num LINE KEY: a number field of a JSON log line.
json_num() { echo "$1" | sed -n "s/.*\"$2\":\([-0-9.]*\).*/\1/p"; }
# sleep_until_session T: sleeps until the session clock (approximately) reads T.
sleep_until_session() {
    dt=$(echo "$wall0 + $1 - $(now)" | bc)
    [ "$(echo "$dt > 0" | bc)" = 1 ] && sleep "$dt"
    return 0
}

# start_session NAME: runs floorcoach in the background on the virtual
# device; sets fc_pid, LOG and wall0 (wall time of session time 0).
start_session() {
    LOG=$TMP/$1.jsonl
    timeout 300 "$FC" run "$TMP/holds.cfg" --no-baseline --log "$LOG" \
        >"$TMP/$1.out" 2>"$TMP/$1.err" </dev/null &
    fc_pid=$!
    wall0=""
    if wait_log '"ev":"session_start"' 1 30; then
        wall0=$(now)
        return 0
    fi
    return 1
}

# answer_screening: says "no" after each screening question until the first
# exercise starts; a question asked again (the answer was not understood)
# gets the longer "no I don't", as a person would repeat themself.
answer_screening() {
    answered=0
    reply=no
    while [ "$(log_count '"ev":"exercise_start"')" = 0 ]; do
        wait_log '"kind":"prompt"' $((answered + 1)) 60 || return 1
        line=$(grep '"kind":"prompt"' "$LOG" | sed -n "$((answered + 1))p")
        sleep_until_session "$(echo "$(json_num "$line" end) + 0.3" | bc)"
        heard_no=$(log_count '"intent":"no"')
        pulse_play "$TMP/$reply.wav" 20
        answered=$((answered + 1))
        # Wait for the next question or the exercise.
        t_end=$(echo "$(now) + 20" | bc)
        while [ "$(log_count '"kind":"prompt"')" -le "$answered" ] &&
            [ "$(log_count '"ev":"exercise_start"')" = 0 ]; do
            kill -0 "$fc_pid" 2>/dev/null || return 1
            [ "$(echo "$(now) > $t_end" | bc)" = 1 ] && return 1
            sleep 0.05
        done
        reply=no
        [ "$(log_count '"intent":"no"')" -gt "$heard_no" ] || reply=no2
    done
    echo "    screening: $answered replies, $(log_count '"intent":"no"') heard as \"no\""
    return 0
}

# The live test needs a listener that understands the feeds at all: ask it
# from the files first, so a recognition problem is not taken for an audio one.
feeds_heard=1
if "$FC" hear --help >/dev/null 2>&1; then
    for f in "no:no" "no2:no" "pain:spreading"; do
        case $f in pain:*) mode=--hold ;; *) mode="--expect no" ;; esac
        timeout 60 "$FC" hear --mic "$TMP/${f%%:*}.wav" $mode >"$TMP/hear.out" 2>&1
        if ! grep -q "\"intent\":\"${f#*:}\"" "$TMP/hear.out"; then
            feeds_heard=0
            echo "    the listener does not understand $TMP/${f%%:*}.wav even from the file:"
            timeout 60 "$FC" hear --mic "$TMP/${f%%:*}.wav" $mode --verbose 2>&1 |
                grep -v '^INFO' | tail -n 2 | sed 's/^/      /'
        fi
    done
fi
if [ "$feeds_heard" = 0 ]; then
    fail "the reply feeds are not understood even in file mode (a listener problem, not an audio one); the live stop test is not run"
fi

# ---- 1. "pain down my leg" during a hold stops the exercise, aloud ----
live_stop_test() {
    if answer_screening; then
        pass
    else
        fail "the screening questions were not all answered (log below)"
        tail -5 "$LOG" | sed 's/^/    /'
    fi
    # Speak 3 s into the first hold.
    if wait_log '"ev":"count","n":3' 1 90; then
        pulse_play "$TMP/pain.wav" 20
        # The end of the phrase itself (0.6 s of trailing noise in the feed).
        feed_end_session=$(echo "$(now) - 0.6 - $wall0" | bc)
        # Heard only as unclear speech (the live path can score a reply a
        # little lower than the file), the count stops and floorcoach asks
        # "Did you say something about your leg? ... tell me how it feels":
        # the person says it again, once the question has been said.
        wait_log '"outcome":"stopped"\|"reason":"unclear_speech"' 1 15
        if [ "$(log_count '"outcome":"stopped"')" = 0 ] &&
            [ "$(log_count '"reason":"unclear_speech"')" != 0 ]; then
            echo "    heard as unclear speech: the count stopped and it asked; saying it again"
            wait_log '"ev":"say".*"Did you say something' 1 5
            sleep 6
            pulse_play "$TMP/pain.wav" 20
            feed_end_session=$(echo "$(now) - 0.6 - $wall0" | bc)
        fi
        if wait_log '"ev":"exercise_end".*"outcome":"stopped"' 1 15; then
            pass
        else
            fail "the exercise was not stopped after \"pain down my leg\"; what it heard and decided:"
            grep -E '"ev":"(heard|verdict|count)"' "$LOG" | tail -n 12 | sed 's/^/    /'
        fi
        wait_log '"kind":"safety"' 1 10
        sleep 4
    else
        fail "no hold was counted"
    fi
    kill -TERM "$fc_pid" 2>/dev/null
    wait "$fc_pid"
    rc=$?
    pulse_record_stop
    echo "    exit status after SIGTERM: $rc"
    check "SIGTERM ends the session with status 0" test "$rc" = 0
    check "heard \"pain down my leg\" as spreading" grep -q '"ev":"heard".*"intent":"spreading"' "$LOG"
    check "a stop verdict" grep -Eq '"ev":"verdict".*"verdict":"(stop_exercise|offer_easier)"' "$LOG"
    check "the stop was said" grep -q '"ev":"say".*"kind":"safety"' "$LOG"
    check "the log ends with session_end" sh -c "tail -n 1 '$LOG' | grep -q session_end"

    # The stop sentence is in the fake speaker's recording where the log puts it.
    say_line=$(grep '"ev":"say".*"kind":"safety"' "$LOG" | head -n 1)
    heard_line=$(grep '"ev":"heard".*"intent":"spreading"' "$LOG" | head -n 1)
    if [ -n "$say_line" ] && [ -s "$TMP/spk.wav" ]; then
        st=$(json_num "$say_line" t)
        se=$(json_num "$say_line" end)
        off=$(echo "$wall0 - $rec_wall0" | bc)
        from=$(echo "$st + $off" | bc)
        len=$(echo "$se - $st" | bc)
        rms=$(sox "$TMP/spk.wav" -n trim "$from" "$len" stat 2>&1 | sed -n 's/^RMS *amplitude: *//p')
        echo "    stop sentence at $st-$se s: rms $rms in the recording"
        check "the stop sentence is in the speaker recording" \
            awk -v r="$rms" 'BEGIN { exit !(r > 0.01) }'
        # Latency from the log's clock (the recording-based figure is in make bench).
        he=$(json_num "$heard_line" t)
        echo "    end of the phrase ~$feed_end_session s, heard logged at $he s, stop said at $st s"
    fi
}
# live_stop_run NAME: one session of the test above on the virtual device.
live_stop_run() {
    pulse_record_start "$TMP/spk.wav"
    rec_wall0=$(now)
    if ! start_session "$1"; then
        fail "floorcoach did not start a session on the virtual device:"
        sed 's/^/    /' "$TMP/$1.err" | tail -10
        check_report
        exit
    fi
    live_stop_test
}
if [ "$feeds_heard" = 1 ]; then
    passed0=$check_passed failed0=$check_failed
    live_stop_run stop
    # A virtual device starved by a busy machine (no audio for 2 s) makes
    # floorcoach stop, as it must: that run says nothing about the stop path,
    # so it is run once more. A lost device is tested on purpose below.
    if grep -q "no longer hear" "$TMP/stop.err" && [ "$check_failed" != "$failed0" ]; then
        echo "    the virtual device stalled (the machine is busy) and floorcoach stopped as it must:"
        grep "^floorcoach: " "$TMP/stop.err" | sed 's/^/      /'
        echo "    running the live stop again"
        check_passed=$passed0 check_failed=$failed0
        live_stop_run stop2
    fi
fi

# ---- 2. the daemon dies mid-session: deaf, stop, exit 2 ----
if start_session deaf; then
    wait_log '"kind":"prompt"' 1 60
    sleep 1
    pulse_kill_daemon
    wait "$fc_pid"
    rc=$?
    echo "    exit status after the daemon was killed: $rc"
    check "a lost device exits 2" test "$rc" = 2
    check "it says it can no longer hear" grep -qi "no longer hear" "$TMP/deaf.err"
    check "session_end with reason error" grep -q '"ev":"session_end".*"reason":"error"' "$LOG"
else
    fail "the second session did not start"
fi

if [ "$check_failed" != 0 ]; then
    for f in stop stop2 deaf; do
        [ -f "$TMP/$f.jsonl" ] || continue
        echo "--- $f: stderr and the end of the log"
        tail -n 8 "$TMP/$f.err" | sed 's/^/    /'
        grep -v '"kind":"count"\|"ev":"count"' "$TMP/$f.jsonl" | tail -n 15 | cut -c1-200 |
            sed 's/^/    /'
    done
fi
pulse_stop
check_report
