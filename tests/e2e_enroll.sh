#!/bin/sh
# e2e_enroll.sh: `floorcoach enroll` in file mode, answered by eSpeak NG
# (tests/enroll_mic.py places each answer after its prompt): the profile and
# its permissions, a too-quiet answer asked again, the adapted model and its
# check, re-recording one phrase, and enrollments that end early or are
# killed leaving the previous profile as it was.
. "$(dirname "$0")/lib.sh"

if ! timeout 20 "$FC" enroll --help >/dev/null 2>&1; then
    echo "SKIP: this floorcoach has no enroll command yet (cli.c)"
    check_report
    exit $?
fi
skip_without espeak-ng sox python3

PROF=$XDG_DATA_HOME/floorcoach/profile
BUILD="timeout 300 python3 $TOP/tests/enroll_mic.py $FC"
PH="pain down my leg,yes"

# 1. A first enrollment; the first answer is too quiet.
check "answers built for the first enrollment" \
    $BUILD "$TMP/mic1.wav" --phrases "$PH" --quiet 0 --noise-dbfs -70 --workdir "$TMP/b1"
timeout 300 "$FC" enroll --mic "$TMP/mic1.wav" --speaker "$TMP/spk1.wav" --phrases "$PH" \
    --log "$TMP/log1.jsonl" >"$TMP/out1" 2>&1
rc=$?
check "enroll exits 0 (got $rc)" test "$rc" = 0
check "profile folder is 0700" test "$(stat -c %a "$PROF")" = 700
check "every folder in the profile is 0700" \
    test -z "$(find "$PROF" -type d ! -perm 700)"
check "every file in the profile is 0600" \
    test -z "$(find "$PROF" -type f ! -perm 600)"
check "four recordings" test "$(ls "$PROF/wav" | wc -l)" = 4
check "room noise recorded" test -s "$PROF/room.wav"
check "transcription lists the takes" grep -q "<s> pain down my leg </s> (pain_down_my_leg-2)" \
    "$PROF/enroll.transcription"
check "fileids list the takes" grep -qx "wav/yes-1" "$PROF/enroll.fileids"
check "profile.cfg has the noise level" grep -q "^noise_dbfs = " "$PROF/profile.cfg"
check "profile.cfg has per-phrase levels" grep -q 'text = "yes"; intent = "yes"; take = 2; level_dbfs' \
    "$PROF/profile.cfg"
check "prompt logged as a say event of kind prompt" \
    grep -q '"ev":"say","text":"Say: \\"pain down my leg\\".","kind":"prompt"' "$TMP/log1.jsonl"
check "the too-quiet answer is logged" \
    grep -q '"ev":"take","phrase":"pain down my leg","intent":"spreading","take":1,"try":1,"ok":false,"problem":"too_quiet"' \
    "$TMP/log1.jsonl"
check "the reason is said" grep -q '"text":"That was too quiet.*"kind":"retry"' "$TMP/log1.jsonl"
check "and the phrase asked again (try 2)" \
    grep -q '"kind":"prompt","dur":[0-9.]*,"phrase":"pain down my leg","take":1,"try":2' \
    "$TMP/log1.jsonl"
check "the second try is recorded" \
    grep -q '"take":1,"try":2,"ok":true' "$TMP/log1.jsonl"
check "a summary is said" grep -q '"kind":"summary"' "$TMP/log1.jsonl"
check "the log ends with enroll_end done" \
    sh -c "tail -n 3 '$TMP/log1.jsonl' | grep -q '\"ev\":\"enroll_end\",\"reason\":\"done\"'"
check "the speaker output is written" test -s "$TMP/spk1.wav"
check "no stage folder is left" test -z "$(ls "$XDG_DATA_HOME/floorcoach" | grep -v '^profile$')"
if [ -x /usr/lib/sphinxtrain/bw ] && command -v pocketsphinx_batch >/dev/null; then
    check "adaptation ran and was checked" grep -q '"ev":"adapt","ran":true' "$TMP/log1.jsonl"
    if grep -q '"kept":true' "$TMP/log1.jsonl"; then
        check "adapted model in place" test -s "$PROF/model/en-us/mixture_weights"
        check "adapted model has no sendump" test ! -e "$PROF/model/en-us/sendump"
        check "dictionary reachable from the model folder" test -r "$PROF/model/cmudict-en-us.dict"
        check "profile.cfg says adapted" grep -q '^model = "adapted";' "$PROF/profile.cfg"
    else
        check "profile.cfg says stock and why" grep -q '^model = "stock";' "$PROF/profile.cfg"
        check "no model folder when not kept" test ! -e "$PROF/model"
    fi
else
    echo "note: sphinxtrain or pocketsphinx tools missing; adaptation not checked"
fi

snapshot() { (cd "$PROF" && find . -type f | sort | xargs md5sum) 2>/dev/null; }
snapshot >"$TMP/snap1"

# 2. An enrollment whose microphone ends after one answer: nothing changes.
check "answers built for a cut-short enrollment" \
    $BUILD "$TMP/mic2.wav" --phrases "no,carry on" --stop-after 1 --workdir "$TMP/b2"
timeout 120 "$FC" enroll --mic "$TMP/mic2.wav" --phrases "no,carry on" --no-adapt \
    --log "$TMP/log2.jsonl" >"$TMP/out2" 2>&1
rc=$?
check "a cut-short enrollment exits 2 (got $rc)" test "$rc" = 2
check "it says the previous profile is kept" grep -q "previous profile is kept" "$TMP/out2"
check "it logs enroll_end interrupted" grep -q '"ev":"enroll_end","reason":"interrupted"' \
    "$TMP/log2.jsonl"
snapshot >"$TMP/snap2"
check "the previous profile is unchanged" cmp -s "$TMP/snap1" "$TMP/snap2"
check "no stage folder is left" test -z "$(ls "$XDG_DATA_HOME/floorcoach" | grep -v '^profile$')"

# 3. Killed mid-way (device-like: the process dies, the stage stays behind).
mkdir -p "$PROF.new-999999/wav" && echo x >"$PROF.new-999999/wav/junk.wav"
timeout 120 "$FC" enroll --mic "$TMP/mic2.wav" --phrases "no,carry on" --no-adapt \
    --log "$TMP/log3.jsonl" >"$TMP/out3" 2>&1 &
pid=$!
sleep 0.05
kill -9 $pid 2>/dev/null
wait $pid 2>/dev/null
snapshot >"$TMP/snap3"
check "a killed enrollment leaves the profile unchanged" cmp -s "$TMP/snap1" "$TMP/snap3"

# 4. Re-recording one phrase keeps the others.
check "answers built for a re-recording" \
    $BUILD "$TMP/mic4.wav" --phrases "yes" --voice en-us+f3 --workdir "$TMP/b4"
timeout 120 "$FC" enroll --mic "$TMP/mic4.wav" --phrases "yes" --no-adapt \
    --log "$TMP/log4.jsonl" >"$TMP/out4" 2>&1
rc=$?
check "re-recording exits 0 (got $rc)" test "$rc" = 0
check "stale stage folders of dead enrollments are removed" test ! -e "$PROF.new-999999"
check "the other phrase's recordings are kept" test -s "$PROF/wav/pain_down_my_leg-2.wav"
check "kept_from_before counts them" grep -q '"kept_from_before":2' "$TMP/log4.jsonl"
before=$(grep ' ./wav/yes-1.wav$' "$TMP/snap1" | cut -d' ' -f1)
after=$(md5sum <"$PROF/wav/yes-1.wav" | cut -d' ' -f1)
check "the re-recorded phrase is new" test -n "$before" -a "$before" != "$after"
check "the lists hold all four takes" test "$(wc -l <"$PROF/enroll.fileids")" = 4
check "still private after the re-run" test -z "$(find "$PROF" -type f ! -perm 600)"

# 6. A room too noisy for the replies (steady noise 1 dB below them: no
# answer stands out of it): the room check after the first phrase says so,
# measures again, and ends the enrollment with the previous profile kept.
# A short enrollment (yes and no, one take each, no adaptation) in a noisy
# room: TAG WHAT ROOM...: its answers are built in ROOM (enroll_mic.py's
# room options), it runs with the log $TMP/logTAG.jsonl and the output
# $TMP/outTAG, and its exit status is returned.
noisy_enroll() {
    tag=$1
    what=$2
    shift 2
    check "answers built $what" $BUILD "$TMP/mic$tag.wav" --phrases "yes,no" --takes 1 "$@" \
        --stop-after 3 --tail 40 --workdir "$TMP/b$tag"
    timeout 120 "$FC" enroll --mic "$TMP/mic$tag.wav" --phrases "yes,no" --takes 1 --no-adapt \
        --log "$TMP/log$tag.jsonl" >"$TMP/out$tag" 2>&1
}

snapshot >"$TMP/snap6a"
noisy_enroll 6 "in a noisy room" --noise-dbfs -21
rc=$?
check "a too-noisy room ends the enrollment (exit 2, got $rc)" test "$rc" = 2
check "the room check is logged" \
    grep -q '"ev":"room_check","check":"enroll","noise_dbfs":[-0-9.]*,"busy":0[.0-9]*,"sharp_per_s":0[.0]*,"quality":"too_noisy"' \
    "$TMP/log6.jsonl"
check "it says the room is noisy" \
    grep -q "It's noisy here and I may not hear you. Could you turn off the noise" "$TMP/log6.jsonl"
check "and measures the room again" grep -q '"ev":"room_check","check":"again"' "$TMP/log6.jsonl"
check "then ends, saying why" grep -q '"ev":"enroll_end","reason":"too_noisy"' "$TMP/log6.jsonl"
check "naming the room check on stderr" grep -q "too noisy for your replies" "$TMP/out6"
snapshot >"$TMP/snap6b"
check "a too-noisy enrollment leaves the profile unchanged" cmp -s "$TMP/snap6a" "$TMP/snap6b"
check "a quiet room passes the room check, with the reply SNR" \
    grep -q '"ev":"room_check","check":"enroll","noise_dbfs":[-0-9.]*,"speech_dbfs":[-0-9.]*,"snr":[0-9.]*,"busy":[.0-9]*,"sharp_per_s":[.0-9]*,"quality":"ok"' \
    "$TMP/log1.jsonl"

# 6b. Typing in the room (clatter): too noisy however loud the replies (20
# dB over it), judged as a session's room check does; nothing changes.
if [ -f "$CORPUS/noise/typing.wav" ]; then
    snapshot >"$TMP/snap6c"
    noisy_enroll 6b "over typing" --noise "$CORPUS/noise/typing.wav" --noise-dbfs -46
    rc=$?
    check "typing ends the enrollment (exit 2, got $rc)" test "$rc" = 2
    check "the room check finds clatter, though the replies are 20 dB over it" \
        grep -q '"ev":"room_check","check":"enroll",[^}]*"busy":0\.[3-9][0-9]*,"sharp_per_s":[3-9][.0-9]*,"quality":"too_noisy"' \
        "$TMP/log6b.jsonl"
    check "typing: measures again, then ends, saying why" \
        grep -q '"ev":"enroll_end","reason":"too_noisy"' "$TMP/log6b.jsonl"
    snapshot >"$TMP/snap6d"
    check "typing: the profile is unchanged" cmp -s "$TMP/snap6c" "$TMP/snap6d"
fi

# 5. Bad input.
timeout 20 "$FC" enroll --phrases "not a phrase at all" --mic "$TMP/mic4.wav" >"$TMP/out5" 2>&1
rc=$?
check "an unknown phrase is bad input (exit 1, got $rc)" test "$rc" = 1
check "and says which" grep -q '"not a phrase at all" is not a phrase of the lexicon' "$TMP/out5"
timeout 20 "$FC" enroll --mic "$TMP/missing.wav" --phrases yes >"$TMP/out6" 2>&1
rc=$?
check "a missing microphone file is bad input (exit 1, got $rc)" test "$rc" = 1

check_report
