#!/bin/sh
# e2e_faults: floorcoach keeps going when the world misbehaves. The session
# log cannot be written (/dev/full, a parent that is a file, a read-only
# folder, a disk that fills up mid-session): the session says and prints so,
# completes and exits as usual. A truncated or corrupt microphone WAV: a
# clear error or a clean end, never a crash. The routine file deleted or
# changed while a session runs: no effect. (Allocation failures in the
# loaders: tests/test_alloc_fail.c.)
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
# The sanitizer build, when there, catches memory errors on the bad input.
FCA=$FC
[ -x "$TOP/build-asan/floorcoach" ] && FCA=$TOP/build-asan/floorcoach
# Leaks are e2e_sanitize's business; here: memory errors on bad input.
export ASAN_OPTIONS=detect_leaks=0

mounts=""
cleanup() {
    for m in $mounts; do umount "$m" 2>/dev/null; done
    rm -rf "$TMP"
}
trap cleanup EXIT
trap 'exit 1' INT TERM

# A scripted console session: "no" to every question.
nos() { i=0; while [ $i -lt "$1" ]; do echo no; i=$((i + 1)); done; }
nos 200 >"$TMP/nos"
# The reference: the same session with a working log.
timeout 60 "$FC" run gentle-start --text --fast --log "$TMP/ref.jsonl" <"$TMP/nos" \
    >"$TMP/ref.out" 2>"$TMP/ref.err"
check "reference session completes (exit 0)" grep -q '"reason":"completed"' "$TMP/ref.jsonl"

cat >"$TMP/prefix.py" <<'EOF'
import json, sys
# prefix.py LOG REF: LOG's lines all parse and are the first lines of REF
# (session_start's date aside).
def norm(l):
    o = json.loads(l)
    if o.get("ev") == "session_start":
        o.pop("date", None)
    return json.dumps(o, sort_keys=True)
data = open(sys.argv[1], "rb").read()
if data and not data.endswith(b"\n"):
    sys.exit("the log ends in a cut line")
got = [norm(l) for l in data.decode().splitlines()]
ref = [norm(l) for l in open(sys.argv[2])]
if got != ref[:len(got)]:
    k = next(i for i in range(len(got)) if got[i] != ref[i])
    sys.exit("line %d differs from the reference:\n%s\n%s" % (k + 1, got[k], ref[k]))
print("%d of %d lines kept" % (len(got), len(ref)))
EOF

# log_case NAME DESC VAR=VALUE|- ARGS...: a console session whose log cannot
# be written; it must complete with exit 0, print the problem on stderr, say
# it (a spoken line on stdout), and say everything the reference run said.
log_case() {
    lc_name=$1 lc_desc=$2 lc_env=$3
    shift 3
    [ "$lc_env" = - ] && lc_env=FC_UNUSED=1
    env "$lc_env" timeout 60 "$FC" run gentle-start --text --fast "$@" <"$TMP/nos" \
        >"$TMP/$lc_name.out" 2>"$TMP/$lc_name.err"
    lc_rc=$?
    check "$lc_desc: exit 0 (got $lc_rc)" test "$lc_rc" = 0
    check "$lc_desc: stderr says the log cannot be saved" \
        grep -qi "cannot save the session log" "$TMP/$lc_name.err"
    check "$lc_desc: the session says it cannot keep a record (a spoken line)" \
        grep -Eqi '^(info|safety|prompt|instruction): .*(log|record|sav)' "$TMP/$lc_name.out"
    check "$lc_desc: the whole session is still spoken" \
        sh -c "grep -v -Ei '(log|record|sav)' '$TMP/$lc_name.out' | diff - '$TMP/ref.out'"
}

# 1. /dev/full: every write fails with "no space left".
log_case devfull "log on /dev/full" - --log /dev/full
# 2. The log's parent is a regular file.
: >"$TMP/afile"
log_case parentfile "log under a file" - --log "$TMP/afile/s.jsonl"
# 3. The default data folder cannot be made (its parent is a file).
log_case xdgfile "data folder under a file" XDG_DATA_HOME="$TMP/afile/data"
# 4. A read-only folder (root ignores permissions: a read-only bind mount).
mkdir -p "$TMP/ro"
if timeout 10 mount --bind "$TMP/ro" "$TMP/ro" 2>/dev/null; then
    mounts="$TMP/ro $mounts"
    if timeout 10 mount -o remount,bind,ro "$TMP/ro" 2>/dev/null; then
        log_case rofolder "log in a read-only folder" - --log "$TMP/ro/s.jsonl"
        log_case rodefault "read-only data folder" XDG_DATA_HOME="$TMP/ro"
    else
        echo "skip: cannot remount read-only (not root?)"
    fi
else
    echo "skip: cannot bind-mount (not root?): read-only folder cases"
fi

# 5. The disk fills up mid-session: a 64 KiB tmpfs with one 4 KiB page left.
mkdir -p "$TMP/tiny"
if timeout 10 mount -t tmpfs -o size=64k tmpfs "$TMP/tiny" 2>/dev/null; then
    mounts="$TMP/tiny $mounts"
    dd if=/dev/zero of="$TMP/tiny/fill" bs=1k count=60 2>/dev/null
    timeout 60 "$FC" run gentle-start --text --fast --log "$TMP/tiny/s.jsonl" <"$TMP/nos" \
        >"$TMP/tiny.out" 2>"$TMP/tiny.err"
    rc=$?
    check "disk full mid-session: exit 0 (got $rc)" test "$rc" = 0
    check "disk full mid-session: some of the log was written" test -s "$TMP/tiny/s.jsonl"
    check "disk full mid-session: stderr says the log cannot be saved" \
        grep -qi "cannot save the session log" "$TMP/tiny.err"
    check "disk full mid-session: the log is whole lines, a prefix of the full log" \
        python3 "$TMP/prefix.py" "$TMP/tiny/s.jsonl" "$TMP/ref.jsonl"
    check "disk full mid-session: the whole session is still spoken" \
        sh -c "grep -v -Ei '(log|record|sav)' '$TMP/tiny.out' | diff - '$TMP/ref.out'"
    # Full from the start: not even session_start fits.
    dd if=/dev/zero of="$TMP/tiny/fill2" bs=1k count=8 2>/dev/null
    timeout 60 "$FC" run gentle-start --text --fast --log "$TMP/tiny/s2.jsonl" <"$TMP/nos" \
        >"$TMP/tiny2.out" 2>"$TMP/tiny2.err"
    rc=$?
    check "disk full from the start: exit 0 (got $rc)" test "$rc" = 0
    check "disk full from the start: stderr says the log cannot be saved" \
        grep -qi "cannot save the session log" "$TMP/tiny2.err"
    check "disk full from the start: the log file holds no partial line" \
        python3 "$TMP/prefix.py" "$TMP/tiny/s2.jsonl" "$TMP/ref.jsonl"
    umount "$TMP/tiny"
    mounts=$(echo "$mounts" | sed "s|$TMP/tiny ||")
else
    echo "skip: cannot mount a tmpfs (not root?): disk-full cases"
fi

# 6. File mode with the log on /dev/full: the audio session carries on.
sox -q -n -r 16000 -c 1 -b 16 "$TMP/mic.wav" synth 60 whitenoise vol 0.002
timeout 120 "$FC" run tests/fixtures/hold30.cfg --mic "$TMP/mic.wav" --speaker "$TMP/o.wav" \
    --log /dev/full --no-screening --no-baseline --no-profile >"$TMP/fm.out" 2>"$TMP/fm.err"
rc=$?
check "file mode, log on /dev/full: exit 0 (got $rc)" test "$rc" = 0
check "file mode, log on /dev/full: stderr says the log cannot be saved" \
    grep -qi "cannot save the session log" "$TMP/fm.err"
check "file mode, log on /dev/full: the goodbye is still said" grep -qi "goodbye" "$TMP/fm.out"

# ---- the microphone WAV truncated or corrupt ----
sox -q -n -r 16000 -c 1 -b 16 "$TMP/m.wav" synth 90 whitenoise vol 0.002
python3 - "$TMP" <<'EOF'
import random, struct, sys
d = open(sys.argv[1] + "/m.wav", "rb").read()
assert d[36:40] == b"data", "sox wrote an unexpected header"
def put(name, b):
    open("%s/bad-%s.wav" % (sys.argv[1], name), "wb").write(bytes(b))
put("cut-data", d[:400000])                  # the header promises 90 s, 12 s are there
put("cut-sample", d[:400001])                # half a sample at the end
put("cut-header", d[:30])                    # inside the format chunk
put("cut-riff", d[:10])
put("empty", b"")
r = random.Random(3)
g = bytearray(d)
for i in range(900000, 1000000):
    g[i] = r.randrange(256)
put("garbage-mid", g)                        # noise bursts in the samples
h = bytearray(d[:400044]); h[40:44] = struct.pack("<I", 0xFFFFFFF0)
put("huge-data-size", h)
t = bytearray(d[:200044]); t[40:44] = struct.pack("<I", 200000)
t += b"LIST" + struct.pack("<I", 0x7FFFFFFF) + b"xx"
put("huge-tail-chunk", t)                    # a chunk after the data, cut
c = bytearray(d[:200044]); c[22:24] = struct.pack("<H", 0)
put("zero-channels", c)
z = bytearray(d[:200044]); z[24:28] = struct.pack("<I", 0)
put("zero-rate", z)
f = bytearray(d[:200044]); f[20:22] = struct.pack("<H", 3)
put("float-tag-16bit", f)                    # float format tag with 16-bit samples
b = bytearray(d[:200044]); b[34:36] = struct.pack("<H", 7)
put("bits-7", b)
put("text", b"this is not a wav file at all\n" * 100)
EOF
for f in "$TMP"/bad-*.wav; do
    n=$(basename "$f" .wav)
    rm -f "$TMP/$n.jsonl"
    timeout 120 "$FCA" run nerve-glides --mic "$f" --speaker "$TMP/$n.out.wav" \
        --log "$TMP/$n.jsonl" --no-profile >"$TMP/$n.out" 2>"$TMP/$n.err"
    rc=$?
    case $rc in
    0 | 2)
        # It ran: a clean end, said and logged.
        check "mic $n: the session ends cleanly (session_end in the log)" \
            grep -q '"ev":"session_end"' "$TMP/$n.jsonl"
        ;;
    1)
        check "mic $n: refused with a message naming the file" grep -q "$n" "$TMP/$n.err"
        ;;
    *)
        fail "mic $n: exit $rc (a crash?)"
        sed 's/^/    /' "$TMP/$n.err" | tail -15
        ;;
    esac
    check "mic $n: no sanitizer report" \
        sh -c "! grep -Eq 'Sanitizer|runtime error' '$TMP/$n.err'"
done

# ---- the routine file deleted or changed while the session runs ----
cp routines/nerve-glides.cfg "$TMP/mine.cfg"
timeout 60 "$FC" run "$TMP/mine.cfg" --text --fast --log "$TMP/rref.jsonl" <"$TMP/nos" \
    >/dev/null 2>&1
cat >"$TMP/change.py" <<'EOF'
import os, subprocess, sys, time
# change.py WHAT ROUTINE LOG -- CMD...: types six answers, waits until the
# session waits for the seventh, then deletes or rewrites the routine file,
# types the rest.
what, routine, log = sys.argv[1], sys.argv[2], sys.argv[3]
p = subprocess.Popen(sys.argv[5:], stdin=subprocess.PIPE, stdout=subprocess.DEVNULL,
                     stderr=subprocess.DEVNULL)
p.stdin.write(b"no\n" * 6)
p.stdin.flush()
def lines():
    try:
        return open(log).read().count("\n")
    except OSError:
        return 0
last, still = -1, 0
end = time.monotonic() + 30
while time.monotonic() < end and still < 25:   # the log stops growing: it waits
    n = lines()
    still = still + 1 if n == last and n > 0 else 0
    last = n
    time.sleep(0.02)
if what == "delete":
    os.unlink(routine)
else:
    with open(routine, "w") as f:
        f.write("routine = { name = \"Changed\"; exercises = ( ) };\n@@@ garbage\n")
p.stdin.write(b"no\n" * 200)
p.stdin.close()
sys.exit(p.wait(timeout=60))
EOF
for what in delete rewrite; do
    cp routines/nerve-glides.cfg "$TMP/mine.cfg"
    rm -f "$TMP/r-$what.jsonl"
    timeout 90 python3 "$TMP/change.py" "$what" "$TMP/mine.cfg" "$TMP/r-$what.jsonl" -- \
        "$FC" run "$TMP/mine.cfg" --text --fast --log "$TMP/r-$what.jsonl"
    rc=$?
    check "routine file ${what}d mid-session: exit 0 (got $rc)" test "$rc" = 0
    check "routine file ${what}d mid-session: the same session as with the file in place" \
        sh -c "python3 '$TMP/prefix.py' '$TMP/r-$what.jsonl' '$TMP/rref.jsonl' &&
               test \$(wc -l <'$TMP/r-$what.jsonl') = \$(wc -l <'$TMP/rref.jsonl')"
done

check_report
