#!/bin/sh
# e2e_check: `floorcoach check` and `floorcoach list` on the bundled routines,
# every malformed routine in tests/bad-routines, and generated huge, deep and
# binary files: exit status exactly 0 or 1, file:line messages, never a crash.
. "$(dirname "$0")/lib.sh"
cd "$TOP" || exit 1

if [ ! -x "$FC" ]; then
    fail "$FC is not built"
    check_report
    exit 1
fi
if ! timeout 20 "$FC" check --help >"$TMP/help" 2>&1 || ! grep -q "check ROUTINE" "$TMP/help"; then
    fail "floorcoach has no working check command (check_main must be wired into src/cli.c)"
    check_report
    exit 1
fi

# run CMD...: runs with a time limit; sets rc, and out/err files.
run() {
    timeout 60 "$@" >"$TMP/out" 2>"$TMP/err"
    rc=$?
}

# The bundled routines: valid, and without clinical warnings.
run "$FC" check routines/*.cfg
if [ "$rc" = 0 ]; then pass; else fail "check routines/*.cfg exits $rc, want 0"; cat "$TMP/err"; fi
for f in routines/*.cfg; do
    if grep -qx "$f: ok" "$TMP/out"; then pass; else fail "no '$f: ok' line"; fi
done
if grep -q "warning" "$TMP/err"; then fail "bundled routines have warnings"; cat "$TMP/err"; else pass; fi

run "$FC" check nerve-glides flare-up
if [ "$rc" = 0 ] && grep -q "routines/nerve-glides.cfg: ok" "$TMP/out"; then
    pass
else
    fail "check by bundled name exits $rc"
    cat "$TMP/out" "$TMP/err"
fi

# bad FILE: exit status exactly 1 and a FILE:LINE: message on stderr.
expect_bad() {
    run "$FC" check "$1"
    if [ "$rc" != 1 ]; then
        fail "check $1 exits $rc, want exactly 1"
        head -5 "$TMP/err"
        return
    fi
    if ! grep -q "^$1:[0-9][0-9]*: " "$TMP/err"; then
        fail "check $1: no '$1:LINE: ' message"
        head -5 "$TMP/err"
        return
    fi
    if grep -qi "sanitizer\|segmentation\|core dumped" "$TMP/err"; then
        fail "check $1 crashed"
        head -20 "$TMP/err"
        return
    fi
    if [ -s "$TMP/out" ]; then
        fail "check $1 printed on stdout"
        head -5 "$TMP/out"
        return
    fi
    pass
}

n=0
for f in tests/bad-routines/*.cfg; do
    expect_bad "$f"
    n=$((n + 1))
done
if [ "$n" -ge 25 ]; then pass; else fail "only $n malformed routines (want at least 25)"; fi

# Generated: 10 MB, 100000 levels of nesting, 10 MB of binary data.
python3 - "$TMP" <<'EOF'
import os, random, sys
d = sys.argv[1]
with open(os.path.join(d, "ten-megabytes.cfg"), "w") as f:
    f.write('routine = {\n  name = "Big";\n  exercises = (\n')
    ex = '    { id = "e%d"; name = "Exercise"; setup = "Lie down."; steps = ( "Move." ); reps = 1; },\n'
    size, i = 0, 0
    while size < 10 * 1024 * 1024:
        line = ex % i
        f.write(line)
        size += len(line)
        i += 1
    f.write("  );\n};\n")
for kind, (o, c) in enumerate(["()", "[]"]):
    with open(os.path.join(d, "deep%d.cfg" % kind), "w") as f:
        f.write("routine = {\n  x = " + o * 100000 + c * 100000 + ";\n};\n")
with open(os.path.join(d, "deep-groups.cfg"), "w") as f:
    f.write("routine = {\n  x = " + "{ a = " * 100000 + "1;" + " };" * 100000 + "\n};\n")
rng = random.Random(7)
with open(os.path.join(d, "garbage.cfg"), "wb") as f:
    f.write(bytes(rng.randrange(256) for _ in range(10 * 1024 * 1024)))
with open(os.path.join(d, "utf16.cfg"), "wb") as f:
    f.write('routine = { name = "x"; };\n'.encode("utf-16"))
EOF
for f in "$TMP"/ten-megabytes.cfg "$TMP"/deep0.cfg "$TMP"/deep1.cfg "$TMP"/deep-groups.cfg \
         "$TMP"/garbage.cfg "$TMP"/utf16.cfg; do
    expect_bad "$f"
done

run "$FC" check "$TMP"/ten-megabytes.cfg
if grep -q "the file is too large" "$TMP/err"; then pass; else fail "10 MB: $(cat "$TMP/err")"; fi
run "$FC" check "$TMP"/deep0.cfg
if grep -q "nested more than" "$TMP/err"; then pass; else fail "deep: $(cat "$TMP/err")"; fi

# A device that never ends, a folder, a missing file, an unknown name.
run "$FC" check /dev/zero
if [ "$rc" = 1 ] && grep -q "^/dev/zero:1: " "$TMP/err"; then pass; else fail "/dev/zero: $rc $(cat "$TMP/err")"; fi
run "$FC" check "$TMP"
if [ "$rc" = 1 ] && grep -q "is a folder" "$TMP/err"; then pass; else fail "folder: $rc $(cat "$TMP/err")"; fi
run "$FC" check "$TMP/missing.cfg"
if [ "$rc" = 1 ] && grep -q "missing.cfg: cannot open" "$TMP/err"; then pass; else fail "missing file: $rc"; fi
run "$FC" check no-such-routine
if [ "$rc" = 1 ] && grep -q "nerve-glides" "$TMP/err"; then pass; else fail "unknown name: $rc $(cat "$TMP/err")"; fi

# Good and bad together: each is reported, and the status is 1.
run "$FC" check routines/press-ups.cfg tests/bad-routines/reps-zero.cfg routines/piriformis.cfg
if [ "$rc" = 1 ] && grep -q "press-ups.cfg: ok" "$TMP/out" && grep -q "piriformis.cfg: ok" "$TMP/out" &&
    grep -q "reps-zero.cfg:9: " "$TMP/err"; then
    pass
else
    fail "good and bad together: $rc"
    cat "$TMP/out" "$TMP/err"
fi

# Warnings do not make a routine invalid.
cat >"$TMP/warn.cfg" <<'EOF'
routine = {
  name = "Warnings";
  exercises = (
    { id = "stretch";
      name = "Standing hamstring stretch";
      setup = "Stand tall.";
      steps = ( "Lean forward." );
      reps = 25;
      hold = 90;
    } );
};
EOF
run "$FC" check "$TMP/warn.cfg"
if [ "$rc" = 0 ] && grep -q "warn.cfg: ok" "$TMP/out" &&
    grep -q "warn.cfg:9: warning: .*hamstring" "$TMP/err" &&
    grep -q "warn.cfg:9: warning: .*60 seconds" "$TMP/err" &&
    grep -q "warn.cfg:8: warning: .*25 repetitions" "$TMP/err" &&
    grep -q "warn.cfg:4: warning: .*caution" "$TMP/err"; then
    pass
else
    fail "warnings: $rc"
    cat "$TMP/out" "$TMP/err"
fi

# Usage.
run "$FC" check
if [ "$rc" = 1 ] && grep -q "usage" "$TMP/err"; then pass; else fail "check without files: $rc"; fi
run "$FC" check --bogus
if [ "$rc" = 1 ]; then pass; else fail "check --bogus: $rc"; fi
run "$FC" check --help
if [ "$rc" = 0 ] && grep -q "usage: floorcoach check" "$TMP/out"; then pass; else fail "check --help: $rc"; fi

# list: every bundled routine with its description, the default marked.
run "$FC" list
if [ "$rc" = 0 ]; then pass; else fail "list exits $rc"; cat "$TMP/err"; fi
for f in routines/*.cfg; do
    name=$(basename "$f" .cfg)
    if grep -q "^  $name  *[A-Z]" "$TMP/out"; then pass; else fail "list lacks $name"; fi
done
if grep -q "gentle-start .*(default)" "$TMP/out"; then pass; else fail "list does not mark the default"; fi
run "$FC" list extra
if [ "$rc" = 1 ]; then pass; else fail "list extra: $rc"; fi

check_report
