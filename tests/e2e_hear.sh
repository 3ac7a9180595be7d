#!/bin/sh
# hear: replies synthesized here over a noise floor are printed as JSON lines
# with the right intent; ordinary speech and noise print nothing; a phrase
# added to a copy of the lexicon is heard; an unknown word is a clear error;
# a hear killed at start-up leaves no temporary file.
. "$(dirname "$0")/lib.sh"
cd "$TOP" || exit 1

# say TEXT FILE: a reply as a 16 kHz WAV.
say() {
    timeout 30 "$FC" say "$1" --speaker "$TMP/say.wav" >/dev/null 2>&1 &&
        sox -q "$TMP/say.wav" -r 16000 -c 1 -b 16 "$2"
}
# mix OUT IN...: the inputs one after another with 1 s gaps, over a noise
# floor about 50 dB below speech (a microphone never hears digital silence).
mix() {
    out=$1
    shift
    sox -q -n -r 16000 -c 1 -b 16 "$TMP/gap.wav" trim 0 1
    set -- "$TMP/gap.wav" $(for f in "$@"; do printf '%s %s ' "$f" "$TMP/gap.wav"; done)
    sox -q "$@" "$TMP/cat.wav"
    len=$(soxi -D "$TMP/cat.wav")
    sox -R -q -n -r 16000 -c 1 -b 16 "$TMP/floor.wav" synth "$len" pinknoise vol 0.003
    sox -q -m "$TMP/cat.wav" "$TMP/floor.wav" "$out"
}
# hear IN.wav [options]: the JSON lines in $TMP/heard.txt, exit status in $rc.
hear() {
    in=$1
    shift
    timeout 60 "$FC" hear --mic "$in" --no-profile "$@" >"$TMP/heard.txt" 2>"$TMP/hear.err"
    rc=$?
}
# has INTENT [TEXT]: a line with that intent (and text) was printed.
has() {
    grep -q "\"intent\":\"$1\"" "$TMP/heard.txt" &&
        { [ -z "${2:-}" ] || grep -q "\"text\":\"$2\"" "$TMP/heard.txt"; }
}

# One reply per file, so each check says which one was missed. Safety
# replies are heard as during a hold, where an unsure symptom is reported as
# unclear speech (the session then stops the count and asks); a number as
# right after "Rate your leg pain from zero to ten".
n=0
for reply in "pain down my leg|spreading|--hold" "tingling in my foot|nerve_signs|--hold" \
    "carry on|resume|" "stop the session|stop|" "three out of ten|pain_score|--expect pain_score"; do
    text=${reply%%|*}
    rest=${reply#*|}
    want=${rest%%|*}
    opt=${rest#*|}
    n=$((n + 1))
    say "$text" "$TMP/r$n.wav"
    mix "$TMP/one$n.wav" "$TMP/r$n.wav"
    hear "$TMP/one$n.wav" $opt
    if [ "$opt" = --hold ]; then
        check "\"$text\" is heard as $want or as unclear speech (got: $(cat "$TMP/heard.txt"))" \
            grep -Eq "\"intent\":\"$want\"|\"unclear\":true" "$TMP/heard.txt"
    else
        check "\"$text\" is heard as $want (got: $(cat "$TMP/heard.txt"))" has "$want"
    fi
    check "\"$text\": one line at most" test "$(wc -l <"$TMP/heard.txt")" -le 1
done
check "a pain score carries its value" grep -q '"intent":"pain_score","value":3' "$TMP/heard.txt"
mix "$TMP/replies.wav" "$TMP/r1.wav" "$TMP/r2.wav" "$TMP/r3.wav" "$TMP/r4.wav" "$TMP/r5.wav"
hear "$TMP/replies.wav" --hold --expect pain_score
check "hear exits 0 on a WAV file (got $rc: $(cat "$TMP/hear.err"))" test "$rc" = 0
check "one line per reply at most ($(wc -l <"$TMP/heard.txt") lines)" \
    test "$(wc -l <"$TMP/heard.txt")" -le 5
check "lines are JSON with times and a confidence" \
    grep -Eq '^\{"start":[0-9.]+,"end":[0-9.]+,"text":"[a-z '"'"']+","intent":"[a-z_]+",.*"confidence":[0-9.]+' \
    "$TMP/heard.txt"
if command -v python3 >/dev/null 2>&1; then
    check "every line parses as JSON" python3 -c '
import json, sys
for l in open(sys.argv[1]):
    o = json.loads(l)
    assert o["end"] >= o["start"] >= 0, o
' "$TMP/heard.txt"
fi

say "the weather tomorrow will be cloudy with a chance of rain in the afternoon" "$TMP/s1.wav"
mix "$TMP/sentence.wav" "$TMP/s1.wav"
hear "$TMP/sentence.wav"
check "an ordinary sentence prints nothing (got: $(cat "$TMP/heard.txt"))" \
    test "$rc" = 0 -a ! -s "$TMP/heard.txt"

# The safety-first policy during a hold: a short utterance whose words are
# not a reply, as loud as the person's replies, is unclear speech (the
# session stops the count and asks); the same 12 dB quieter than their
# replies (a TV in the next room) is not. Until their level is known, any
# such speech is taken as theirs.
say "the kettle is boiling again" "$TMP/k.wav"
mix "$TMP/kettle.wav" "$TMP/k.wav"
hear "$TMP/kettle.wav" --hold --verbose
level=$(sed -n 's/.*"level":\(-[0-9.]*\).*/\1/p' "$TMP/heard.txt" | head -n 1)
check "a short utterance during a hold is unclear speech (got: $(cat "$TMP/heard.txt"))" \
    grep -q '"unclear":true' "$TMP/heard.txt"
check "...with its level (got: \"$level\")" test -n "$level"
if [ -n "$level" ]; then
    hear "$TMP/kettle.wav" --hold --voice-level "$level"
    check "...also when it is as loud as the person's replies (got: $(cat "$TMP/heard.txt"))" \
        grep -q '"unclear":true' "$TMP/heard.txt"
    hear "$TMP/kettle.wav" --hold --voice-level "$(awk "BEGIN { print $level + 12 }")"
    check "...but not when it is 12 dB quieter than their replies (got: $(cat "$TMP/heard.txt"))" \
        test "$rc" = 0 -a ! -s "$TMP/heard.txt"
    hear "$TMP/sentence.wav" --hold --voice-level "$(awk "BEGIN { print $level + 12 }")"
    check "...nor an ordinary sentence 12 dB quieter (got: $(cat "$TMP/heard.txt"))" \
        test "$rc" = 0 -a ! -s "$TMP/heard.txt"
fi
hear "$TMP/kettle.wav" --hold --voice-level 5
check "a level that is not a dBFS figure is refused (got $rc)" test "$rc" = 1

if [ -f "$CORPUS/noise/running_tap.wav" ]; then
    sox -q "$CORPUS/noise/running_tap.wav" "$TMP/noise.wav" trim 0 15
else
    echo "note: $CORPUS absent: using synthesized noise"
    sox -q -n -r 16000 -c 1 -b 16 "$TMP/noise.wav" synth 15 brownnoise vol 0.3
fi
hear "$TMP/noise.wav"
check "a noise file prints nothing (got: $(cat "$TMP/heard.txt"))" \
    test "$rc" = 0 -a ! -s "$TMP/heard.txt"
hear "$TMP/noise.wav" --hold
check "...not even during a hold: noise is not voiced (got: $(cat "$TMP/heard.txt"))" \
    test "$rc" = 0 -a ! -s "$TMP/heard.txt"

# Typing keeps the endpointer open for seconds; a symptom said in it (10 dB
# over the typing's mean power) is still a voice of reply length, and
# during a hold it is unclear speech, judged when the voice ends rather
# than when the typing lets the segment close. Typing alone is not.
# typing OUT OFFSET [PHRASE.wav]: 12 s of the corpus typing from OFFSET s
# (looped), with the phrase at 5 s: its active level -18 dBFS, the typing's
# mean power 10 dB below.
typing() {
    python3 - "$TMP/typing16.wav" "$1" "$2" "${3:-}" <<'PYEOF'
import array, math, sys, wave
def rd(p):
    w = wave.open(p)
    a = array.array("h")
    a.frombytes(w.readframes(w.getnframes()))
    return a
t = rd(sys.argv[1])
out = array.array("h", [0] * (16000 * 12))
tp = sum(x * x for x in t) / len(t)
gt = math.sqrt((32768 * 10 ** (-18 / 20)) ** 2 / 10 / tp)
off = int(float(sys.argv[3]) * 16000)
mix = [t[(i + off) % len(t)] * gt for i in range(len(out))]
if sys.argv[4]:
    p = rd(sys.argv[4])
    fr = [sum(x * x for x in p[i:i + 320]) / 320 for i in range(0, len(p) - 320, 320)]
    top = max(fr)
    act = [f for f in fr if f >= top * 0.003]
    gp = 32768 * 10 ** (-18 / 20) / math.sqrt(sum(act) / len(act))
    for i, x in enumerate(p):
        mix[5 * 16000 + i] += x * gp
for i, v in enumerate(mix):
    out[i] = int(max(-32768, min(32767, v)))
w = wave.open(sys.argv[2], "wb")
w.setnchannels(1)
w.setsampwidth(2)
w.setframerate(16000)
w.writeframes(out.tobytes())
PYEOF
}
if [ -f "$CORPUS/noise/typing.wav" ]; then
    sox -q "$CORPUS/noise/typing.wav" -r 16000 -c 1 -b 16 "$TMP/typing16.wav"
    say "tingling in my foot" "$TMP/tingling.wav"
    end=$(awk -v d="$(soxi -D "$TMP/tingling.wav")" 'BEGIN { printf "%.2f", 5 + d }')
    for off in 1 2 9; do
        typing "$TMP/intyping.wav" "$off" "$TMP/tingling.wav"
        hear "$TMP/intyping.wav" --hold --voice-level -15 --verbose
        check "a symptom said while someone types stops the count during a hold (typing from $off s; got: $(cat "$TMP/heard.txt"))" \
            grep -q '"unclear":true\|"intent":"nerve_signs"' "$TMP/heard.txt"
        at=$(sed -n 's/.*"at":\([0-9.]*\).*/\1/p' "$TMP/heard.txt" | head -n 1)
        check "...judged within 1.5 s of the reply's end (at ${at:-?} s; it ends by $end s; audio time)" \
            awk -v a="${at:-99}" -v e="$end" 'BEGIN { exit !(a <= e + 1.5) }'
    done
    typing "$TMP/typing10.wav" 0
    hear "$TMP/typing10.wav" --hold --voice-level -15
    check "...and typing alone does not (got: $(cat "$TMP/heard.txt"))" \
        test "$rc" = 0 -a ! -s "$TMP/heard.txt"
else
    echo "note: $CORPUS absent: the typing checks are skipped"
fi

# "i can't control my bladder" in a British voice decodes as "no i don't":
# said to a yes-or-no question it must not be taken for a sure "no" (the
# person would be asked again; a sure "no" carries on past a red flag).
espeak-ng -v en-gb-x-rp+m7 -s 175 -w "$TMP/cant.raw.wav" "i can't control my bladder" &&
    sox -q "$TMP/cant.raw.wav" -r 16000 -c 1 -b 16 "$TMP/cant.wav"
mix "$TMP/cant1.wav" "$TMP/cant.wav"
hear "$TMP/cant1.wav" --expect yes,no
no_sure_no() { ! { grep '"intent":"no"' "$TMP/heard.txt" | grep -vq low_confidence; }; }
check "\"i can't control my bladder\" is not a sure \"no\" (got: $(cat "$TMP/heard.txt"))" \
    no_sure_no

# A short answer cut where the quiet after it begins loses its last sound:
# "yeah" in this voice, cut, sounds too far from "yes" (phones 1.0 off, 0.83
# with near misses) and is not taken; heard again with the quiet after it,
# it is a sure "yes" (0.67, score -1.6).
espeak-ng -v en-us+f4 -s 135 -w "$TMP/yeah.raw.wav" "yeah" &&
    sox -q "$TMP/yeah.raw.wav" -r 16000 -c 1 -b 16 "$TMP/yeah.wav"
mix "$TMP/yeah1.wav" "$TMP/yeah.wav"
hear "$TMP/yeah1.wav" --expect yes,no
check "\"yeah\" to a yes-or-no question is a sure \"yes\" (got: $(cat "$TMP/heard.txt"))" \
    sh -c 'grep "\"intent\":\"yes\"" "$1" | grep -vq low_confidence' sh "$TMP/heard.txt"
hear "$TMP/yeah1.wav" --expect yes,no --tuning answer_again=0
check "...heard so on the second decoding (without it: $(cat "$TMP/heard.txt"))" \
    test ! -s "$TMP/heard.txt"

# A phrase added to a copy of the lexicon is understood.
sed 's/pause = ( /pause = ( "time out please", /' voices/en-us/replies.cfg >"$TMP/replies.cfg"
say "time out please" "$TMP/p.wav"
mix "$TMP/added.wav" "$TMP/p.wav"
hear "$TMP/added.wav" --lexicon "$TMP/replies.cfg"
check "a phrase added to the lexicon is heard" has pause "time out please"
hear "$TMP/added.wav"
check "...and not without it" test ! -s "$TMP/heard.txt"

# A word the speech model does not know: a clear error, exit 1.
sed 's/help = ( /help = ( "zorblaxian help", /' voices/en-us/replies.cfg >"$TMP/bad.cfg"
hear "$TMP/added.wav" --lexicon "$TMP/bad.cfg"
check "an unknown word exits 1 (got $rc)" test "$rc" = 1
check "the error names the word and its phrase ($(cat "$TMP/hear.err"))" \
    grep -q '"zorblaxian".*"zorblaxian help"' "$TMP/hear.err"

hear "$TMP/replies.wav" --no-such-option
check "an unknown option exits 1" test "$rc" = 1

# Killed while it starts (writing the recognizer's dictionary, loading the
# model) or while it listens: nothing is left behind in TMPDIR.
mkdir "$TMP/tmpdir"
for delay in 0.02 0.05 0.1 0.2 0.3 0.5 0.8 1.2; do
    TMPDIR=$TMP/tmpdir timeout -s KILL "$delay" "$FC" hear --mic "$TMP/replies.wav" \
        --no-profile >/dev/null 2>&1
done
check "killed at start-up, hear leaves no file in TMPDIR (found: $(ls "$TMP/tmpdir"))" \
    test -z "$(ls -A "$TMP/tmpdir")"
check_report
