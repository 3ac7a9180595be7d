#!/bin/sh
# e2e_real_voice: the safety screening answered by real recorded voices (the
# corpus's Speech Commands clips, ../shared/corpus/speech/words), in file mode
# with the program's own voice mixed back in (--echo -6). Four people's "no"
# clear the four red-flag questions and the first exercise starts; another
# person's "yes" to the first question ends the session for a red flag.
# The clips are single words, whose sounds the listener's second opinion
# often hears slightly wrong ("no" as "M EH OW"): two of the four "no"s are
# understood only because one-word answers to a question allow such near
# misses (bench/RESULTS.md, "Real recorded one-word answers").
. "$(dirname "$0")/lib.sh"
cd "$TOP" || exit 1

WORDS=$CORPUS/speech/words
skip_without sox python3
if [ ! -d "$WORDS/no" ]; then
    echo "skipped: the corpus folder $WORDS is absent"
    check_report
    exit $?
fi

# answer OUT.wav ANSWER...: a microphone that gives these answers, one after
# each question (tests/answers.py), and the session's log in OUT.jsonl.
answer() {
    out=$1
    shift
    timeout 900 python3 tests/answers.py "$out" --fc "$FC" --routine routines/gentle-start.cfg \
        --seconds 120 --extra="--no-profile --no-baseline --echo -6" -- "$@" >/dev/null 2>&1
    timeout 300 "$FC" run routines/gentle-start.cfg --mic "$out" --speaker "$TMP/out.wav" \
        --log "${out%.wav}.jsonl" --no-profile --no-baseline --echo -6 >/dev/null 2>&1
}

# heard LOG: what the listener made of the answers, for a failure's message.
heard() {
    grep -E '"ev":"(heard|session_end)"' "$1" | cut -c1-160 | sed 's/^/    /'
}

NO1=$WORDS/no/2f813234_nohash_1.wav # heard as M EH OW: a near miss
NO2=$WORDS/no/988e2f9a_nohash_0.wav # heard as M EH OW: a near miss
NO3=$WORDS/no/439c84f4_nohash_1.wav
NO4=$WORDS/no/b87bdb22_nohash_1.wav
YES=$WORDS/yes/563aa4e6_nohash_2.wav
for f in "$NO1" "$NO2" "$NO3" "$NO4" "$YES"; do
    if [ ! -f "$f" ]; then
        echo "skipped: the corpus clip $f is absent"
        check_report
        exit $?
    fi
done

answer "$TMP/no.wav" "@$NO1" "@$NO2" "@$NO3" "@$NO4"
LOG=$TMP/no.jsonl
n_no=$(grep -c '"ev":"heard".*"intent":"no"' "$LOG")
echo "    four real \"no\"s: $n_no heard as no"
if grep -q '"ev":"exercise_start"' "$LOG"; then
    pass
else
    fail "four real \"no\"s did not clear the screening; what was heard:"
    heard "$LOG"
fi
check "each of the four was heard as no" test "$n_no" -ge 4
check "no red flag from them" sh -c "! grep -q '\"reason\":\"red_flag\"' '$LOG'"

answer "$TMP/yes.wav" "@$YES"
LOG=$TMP/yes.jsonl
if grep -q '"ev":"session_end".*"reason":"red_flag"' "$LOG"; then
    pass
else
    fail "a real \"yes\" to the first red-flag question did not end the session; what was heard:"
    heard "$LOG"
fi
check "no exercise after it" sh -c "! grep -q '\"ev\":\"exercise_start\"' '$LOG'"
check_report
