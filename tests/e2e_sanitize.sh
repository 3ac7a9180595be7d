#!/bin/sh
# e2e_sanitize: whole sessions under the sanitizers. Console sessions (every
# path: completed, a symptom in a hold, a red flag, stopped), file mode, and
# the other commands run with build-asan/floorcoach (AddressSanitizer,
# UndefinedBehaviorSanitizer, LeakSanitizer); one short file-mode session
# runs under valgrind memcheck. Any report fails the test. Third-party leaks
# are suppressed in src/sanitize.c (LeakSanitizer) and tests/valgrind.supp.
. "$(dirname "$0")/lib.sh"
cd "$TOP" || exit 1

FCA=$TOP/build-asan/floorcoach
if [ ! -x "$FCA" ]; then
    echo "skip: $FCA is not built (make build-asan/floorcoach)"
    check_report
    exit 0
fi
# Full stacks: the suppressions name library functions, which the fast
# unwinder cannot see through libraries built without frame pointers.
export ASAN_OPTIONS=detect_leaks=1:fast_unwind_on_malloc=0:abort_on_error=0:exitcode=86
export UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1
unset LSAN_OPTIONS

# clean NAME DESC WANT_RC: the run exited WANT_RC and reported nothing.
clean() {
    if grep -Eq 'Sanitizer|runtime error:' "$TMP/$1.err"; then
        fail "$2: a sanitizer report"
        grep -E -A12 'ERROR: |runtime error:' "$TMP/$1.err" | head -40 | sed 's/^/    /'
        return
    fi
    if [ "$3" != "$(cat "$TMP/$1.rc")" ]; then
        fail "$2: exit $(cat "$TMP/$1.rc"), want $3"
        tail -5 "$TMP/$1.err" | sed 's/^/    /'
        return
    fi
    pass
}
# run NAME STDIN ARGS...: runs the sanitized floorcoach.
run() {
    r_name=$1 r_in=$2
    shift 2
    timeout 300 "$FCA" "$@" <"$r_in" >"$TMP/$r_name.out" 2>"$TMP/$r_name.err"
    echo $? >"$TMP/$r_name.rc"
}

nos() { i=0; while [ $i -lt "$1" ]; do echo no; i=$((i + 1)); done; }
nos 200 >"$TMP/nos"

# ---- console sessions ----
run all-no "$TMP/nos" run nerve-glides --text --fast --log "$TMP/a.jsonl"
clean all-no "console: a whole session answered no" 0
{ printf 'no\nno\nno\nno\nyes\nin my back\nthree\n'; echo "@120 pain down my leg"; nos 50; } \
    >"$TMP/spread"
run spread "$TMP/spread" run nerve-glides --text --fast --log "$TMP/b.jsonl"
clean spread "console: pain spreading during the session" 0
printf 'yes\nyes\n' >"$TMP/flag"
run flag "$TMP/flag" run gentle-start --text --fast --log "$TMP/c.jsonl"
clean flag "console: a red flag ends the session" 3
{ nos 6; echo "@200 stop session"; echo yes; } >"$TMP/stop"
run stop "$TMP/stop" run gentle-start --text --fast --log "$TMP/d.jsonl"
clean stop "console: stop session" 0
{ nos 5; echo "@90 pause"; echo "carry on"; echo "@150 repeat"; echo "@200 slower";
  echo "@260 how many left"; echo "@300 skip"; echo "@400 sharp pain"; nos 40; } >"$TMP/mixed"
run mixed "$TMP/mixed" run piriformis --text --fast --log "$TMP/e.jsonl"
clean mixed "console: pause, repeat, slower, skip, sharp pain" 0
run eof /dev/null run flare-up --text --fast --log "$TMP/f.jsonl"
clean eof "console: end of input at the first question" 2

# ---- other commands ----
set --
for f in routines/*.cfg; do set -- "$@" "$f"; done
run check /dev/null check "$@"
clean check "check every bundled routine" 0
run list /dev/null list
clean list "list" 0
run history /dev/null history
clean history "history over the sessions just run" 0
run say /dev/null say "Slowly straighten your knee." --speaker "$TMP/say.wav"
clean say "say into a WAV" 0

# ---- file mode ----
cat >"$TMP/short.cfg" <<'EOF'
routine = {
  name = "Short";
  exercises = (
    { id = "short-hold"; name = "Short hold"; setup = "Lie still.";
      steps = ( "Stay where you are." ); reps = 1; hold = 3; sides = "none"; rest = 0;
      check_in = false; caution = "Stop if pain spreads down your leg."; } );
};
EOF
if command -v sox >/dev/null 2>&1; then
    sox -q -n -r 16000 -c 1 -b 16 "$TMP/mic.wav" synth 15 whitenoise vol 0.002
    run file /dev/null run "$TMP/short.cfg" --mic "$TMP/mic.wav" --speaker "$TMP/o.wav" \
        --log "$TMP/g.jsonl" --no-screening --no-baseline --no-profile
    clean file "file mode: a short session" 0
    # The echo path and a question left unanswered (ends with no more input).
    run file2 /dev/null run gentle-start --mic "$TMP/mic.wav" --speaker "$TMP/o2.wav" \
        --echo -6 --log "$TMP/h.jsonl" --no-profile
    clean file2 "file mode: echo, an unanswered question" 2
    run hear /dev/null hear --mic "$TMP/mic.wav"
    clean hear "hear --mic" 0

    if command -v valgrind >/dev/null 2>&1; then
        timeout 900 valgrind -q --error-exitcode=99 --leak-check=full \
            --errors-for-leak-kinds=definite --suppressions="$TOP/tests/valgrind.supp" \
            --num-callers=30 "$FC" run "$TMP/short.cfg" --mic "$TMP/mic.wav" \
            --speaker "$TMP/vg.wav" --log "$TMP/vg.jsonl" --no-screening --no-baseline \
            --no-profile >"$TMP/vg.out" 2>"$TMP/vg.err"
        rc=$?
        if [ "$rc" = 0 ]; then
            pass
        else
            fail "valgrind: a file-mode session (exit $rc)"
            grep '^==' "$TMP/vg.err" | head -40 | sed 's/^/    /'
        fi
        check "valgrind: the session completed" grep -q '"reason":"completed"' "$TMP/vg.jsonl"
    else
        echo "skip: valgrind is not installed (make test installs it)"
    fi
else
    echo "skip: sox is needed for the file-mode sessions"
fi

check_report
