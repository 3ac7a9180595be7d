#!/bin/sh
# e2e_hostile: hostile routines and options. Routine text is spoken as text,
# never as markup (SSML, eSpeak phoneme brackets, embedded commands,
# backslashes); names in routines cannot reach files outside what the user
# named; absurd numbers are refused at load time with a clear message.
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

# ---- routine files, written by Python (no shell quoting in the way) ----
python3 - "$TMP" <<'EOF'
import sys
d = sys.argv[1]
def routine(name, top="", setup="Lie on your back.", reps="1", hold="0", extra="",
            exercises=None):
    ex = exercises if exercises is not None else (
        '{ id = "a"; name = "A"; setup = "%s"; steps = ( "Move slowly." ); reps = %s; '
        'hold = %s; sides = "none"; rest = 0; %s'
        'caution = "Stop if pain spreads down your leg."; }' % (setup, reps, hold, extra))
    with open("%s/%s.cfg" % (d, name), "w") as f:
        f.write('routine = {\n  name = "Hostile";\n  %s\n  exercises = (\n    %s );\n};\n'
                % (top, ex))
# Markup in spoken text (libconfig escapes: \" is a quote, \\ a backslash).
routine("ssml", setup='<speak><prosody rate=\\"x-fast\\">Lie on your back.</prosody></speak>')
routine("phonemes", setup="[[h@'loU]] [[h@'loU]] Lie on your back.")
routine("backslash", setup="Lie on your back \\\\ then rest \\\\n here.")
routine("embedded", setup="Lie \\x01" "50S on your back.")
routine("escape", setup="Lie \\x1b]0;owned\\x07 on your back \\x1b[2J.")
# Names that point elsewhere.
routine("voice-up", top='voice = "../../etc/passwd";')
routine("voice-abs", top='voice = "/etc/passwd";')
routine("voice-dot", top='voice = "..";')
routine("easier-path", extra='easier = "../b"; ')
routine("include", top='@include "/etc/passwd"')
# Absurd values.
routine("hold-1e9", hold="1000000000")
routine("hold-huge", hold="99999999999999999999")
routine("hold-neg", hold="-5")
routine("hold-float", hold="1e9")
routine("hold-hex", hold="0x7FFFFFFF")
routine("reps-1e6", reps="1000000")
routine("rest-1e9")
text = open(d + "/rest-1e9.cfg").read().replace("rest = 0;", "rest = 1000000000;")
open(d + "/rest-1e9.cfg", "w").write(text)
one = ('{ id = "e%d"; name = "E"; setup = "S."; steps = ( "M." ); reps = 1; hold = 0; '
       'sides = "none"; rest = 0; caution = "Stop if pain spreads down your leg."; }')
routine("ex-101", exercises=",\n    ".join(one % i for i in range(101)))
# A million exercises: about 100 MB, far past the loader's size limit.
with open(d + "/ex-1e6.cfg", "w") as f:
    f.write('routine = { name = "Huge"; exercises = (\n')
    chunk = ",\n".join(one % i for i in range(10000))
    for k in range(100):
        f.write(chunk.replace('"e', '"k%d-e' % k))
        f.write(",\n" if k < 99 else "\n")
    f.write(") };\n")
# Text a million characters long in one step.
routine("long-text", setup="Lie down. " * 100000)
EOF

# ---- markup is spoken as text ----
# speaks TEXT into a WAV and prints its length in seconds.
dur() {
    rm -f "$TMP/d.wav"
    timeout 60 "$FC" say "$1" --speaker "$TMP/d.wav" >/dev/null 2>&1 && soxi -D "$TMP/d.wav"
}
# ratio_at_least A B R: A >= R * B (lengths in seconds).
ratio_at_least() { python3 -c "import sys; a,b,r=map(float,sys.argv[1:]); sys.exit(0 if a >= r*b else 1)" "$@"; }
ratio_near() { python3 -c "import sys; a,b=map(float,sys.argv[1:]); sys.exit(0 if abs(a-b) <= 0.15*b else 1)" "$@"; }
if dur "hello" >/dev/null; then
    d_br=$(dur "[[h@'loU]] [[h@'loU]] [[h@'loU]]")
    d_pl=$(dur "hello hello hello")
    d_let=$(dur "h@'loU h@'loU h@'loU")
    check "say: [[...]] is read out as letters ($d_br s), not as phonemes of hello ($d_pl s)" \
        ratio_at_least "$d_br" "$d_pl" 1.8
    check "say: [[...]] takes about as long as the same letters without brackets ($d_let s)" \
        ratio_at_least "$d_br" "$d_let" 0.8
    s_in="Slowly straighten your knee and point your toes toward your head."
    d_ssml=$(dur "<speak><prosody rate=\"x-fast\">$s_in</prosody></speak>")
    d_txt=$(dur "$s_in")
    check "say: SSML tags are not obeyed (tagged $d_ssml s >= plain $d_txt s)" \
        ratio_at_least "$d_ssml" "$d_txt" 1.0
    d_emb=$(dur "$(printf 'one \0018S two three four five six')")
    d_sp=$(dur "one 8S two three four five six")
    check "say: an embedded-command byte (0x01) is not obeyed ($d_emb s vs $d_sp s)" \
        ratio_near "$d_emb" "$d_sp"
    d_bs=$(dur 'one \\ two \n three')
    check "say: backslashes are harmless (exit 0, $d_bs s)" test -n "$d_bs"
else
    echo "skip: say into a WAV is unavailable"
fi

# ---- in a session: the routine's text is said and logged as written ----
cat >"$TMP/said.py" <<'EOF'
import json, sys
# said.py LOG NEEDLE: some say event's text contains NEEDLE (control
# characters may have become spaces).
needle = sys.argv[2]
for line in open(sys.argv[1]):
    e = json.loads(line)
    if e["ev"] == "say" and needle in e["text"]:
        sys.exit(0)
sys.exit("no say event contains %r" % needle)
EOF
nos() { i=0; while [ $i -lt "$1" ]; do echo no; i=$((i + 1)); done; }
nos 60 >"$TMP/nos"
for r in ssml phonemes backslash; do
    timeout 60 "$FC" run "$TMP/$r.cfg" --text --fast --log "$TMP/$r.jsonl" <"$TMP/nos" \
        >"$TMP/$r.out" 2>&1
    rc=$?
    check "routine with $r text: the session runs (exit 0, got $rc)" test "$rc" = 0
done
check "SSML in a routine is said as written" \
    python3 "$TMP/said.py" "$TMP/ssml.jsonl" '<prosody rate="x-fast">'
check "phoneme brackets in a routine are said as written" \
    python3 "$TMP/said.py" "$TMP/phonemes.jsonl" "[[h@'loU]]"
check "backslashes in a routine are said as written" \
    python3 "$TMP/said.py" "$TMP/backslash.jsonl" 'back \ then'
# Control characters written as escapes: refused, or never printed raw to
# the console (a terminal would obey ESC sequences).
for r in embedded escape; do
    timeout 30 "$FC" check "$TMP/$r.cfg" >"$TMP/$r.chk" 2>&1
    rc=$?
    if [ "$rc" = 1 ]; then
        check "routine with a $r control character: the refusal names the line" \
            grep -q "$r.cfg:[0-9]" "$TMP/$r.chk"
    else
        timeout 60 "$FC" run "$TMP/$r.cfg" --text --fast --log "$TMP/$r.jsonl" <"$TMP/nos" \
            >"$TMP/$r.out" 2>&1
        check "routine with a $r control character: no control byte reaches the console" \
            sh -c "! LC_ALL=C grep -q '[[:cntrl:]]' '$TMP/$r.out'"
    fi
done

# ---- names cannot reach outside what the user named ----
for r in voice-up voice-abs voice-dot easier-path include; do
    timeout 30 "$FC" check "$TMP/$r.cfg" >"$TMP/$r.chk" 2>&1
    rc=$?
    check "routine $r: refused by check (exit 1, got $rc)" test "$rc" = 1
    check "routine $r: the message gives file and line" grep -q "$r.cfg:[0-9]" "$TMP/$r.chk"
    check "routine $r: nothing of /etc/passwd is shown" sh -c "! grep -q 'root:' '$TMP/$r.chk'"
    timeout 30 "$FC" run "$TMP/$r.cfg" --text --fast --log "$TMP/$r.jsonl" </dev/null \
        >"$TMP/$r.run" 2>&1
    rc=$?
    check "routine $r: a session refuses it (exit 1, got $rc)" test "$rc" = 1
done
# A bundled name never leaves the routines folder: a routine file one level
# above it (in the resource folder itself) is not found by name.
mkdir -p "$TMP/res/routines" "$TMP/res/voices" "$TMP/work"
cp routines/*.cfg "$TMP/res/routines/"
cp -R voices/. "$TMP/res/voices/"
cp "$TMP/ssml.cfg" "$TMP/res/secret.cfg"
for name in ../secret ../secret.cfg .. secret; do
    (cd "$TMP/work" && FLOORCOACH_DATA="$TMP/res" timeout 30 "$FC" check "$name") \
        >"$TMP/name.out" 2>&1
    rc=$?
    check "routine named '$name' is not found outside the routines folder (exit 1, got $rc)" \
        test "$rc" = 1
done
# --voice with a path is what the user named; a routine's voice is not.
check "--voice with a bundled name works" \
    timeout 30 "$FC" say "ok" --voice slow --speaker "$TMP/v.wav"

# ---- absurd values: refused at load time, clearly, and quickly ----
for r in hold-1e9 hold-huge hold-neg hold-float hold-hex reps-1e6 rest-1e9 ex-101 ex-1e6 long-text; do
    timeout 30 "$FC" check "$TMP/$r.cfg" >"$TMP/$r.chk" 2>&1
    rc=$?
    check "routine $r: refused (exit 1, got $rc)" test "$rc" = 1
    check "routine $r: the message names the file" grep -q "$r.cfg" "$TMP/$r.chk"
    check "routine $r: the message is one short paragraph" \
        test "$(wc -c <"$TMP/$r.chk")" -lt 1500
    timeout 30 "$FC" run "$TMP/$r.cfg" --text --fast --log "$TMP/$r.jsonl" </dev/null \
        >"$TMP/$r.run" 2>&1
    rc=$?
    check "routine $r: a session refuses it before starting (exit 1, got $rc)" test "$rc" = 1
    check "routine $r: no session log was started" test ! -s "$TMP/$r.jsonl"
done
for r in hold-1e9 reps-1e6 rest-1e9; do
    check "routine $r: the message says what is allowed" grep -Eqi "allowed|too large|from 0|range" \
        "$TMP/$r.chk"
done

check_report
