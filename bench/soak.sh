#!/bin/sh
# soak.sh: a simulated two-hour session in file mode (`make soak`). A long
# routine, a two-hour microphone WAV with the corpus noise throughout at a
# low level and a reply synthesized with eSpeak NG every few minutes. While
# it runs, VmRSS, VmHWM and the open file descriptors are sampled from /proc.
# Passes when peak memory at the end is within 5% of peak memory after ten
# minutes of session, the descriptors do not grow, and every reply was acted
# on (a heard event in the log where it was said). Prints the figures.
#   SOAK_SECONDS (default 7200) sets the length; SOAK_DIR keeps the material.
set -u
TOP=$(cd "$(dirname "$0")/.." && pwd)
FC=${FC:-$TOP/floorcoach}
CORPUS=${CORPUS:-$TOP/../shared/corpus}
SECS=${SOAK_SECONDS:-7200}
EVERY=${SOAK_EVERY:-180}
export FLOORCOACH_DATA=$TOP
for tool in sox espeak-ng python3; do
    command -v "$tool" >/dev/null 2>&1 || { echo "soak: $tool is needed (make test-deps)"; exit 2; }
done
[ -x "$FC" ] || { echo "soak: $FC is not built (make)"; exit 2; }
[ -d "$CORPUS/noise" ] || { echo "soak: the corpus is absent ($CORPUS/noise)"; exit 2; }
if [ -n "${SOAK_DIR:-}" ]; then
    W=$SOAK_DIR
    mkdir -p "$W"
else
    W=$(mktemp -d "${TMPDIR:-/tmp}/fc-soak.XXXXXX")
    trap 'rm -rf "$W"' EXIT
fi
trap 'exit 1' INT TERM

# ---- the routine: long enough to fill the session, no questions between
# exercises (replies come when they come), holds and rests throughout ----
python3 - "$W/soak.cfg" "$SECS" <<'EOF'
import sys
path, secs = sys.argv[1], int(sys.argv[2])
n = max(2, min(100, secs // 220 + 1))  # an exercise lasts about 220 s
ex = []
for i in range(n):
    ex.append('''    { id = "hold-%d"; name = "Gentle hold %d";
      setup = "Lie on your back with your knees bent.";
      steps = ( "Slowly bring one knee toward your chest." );
      reps = 6; hold = 20; sides = "none"; rest = 10; check_in = false;
      caution = "Stop if pain spreads down your leg, or if you feel tingling in your foot."; }'''
              % (i + 1, i + 1))
open(path, "w").write('routine = {\n  name = "Soak";\n  exercises = (\n%s );\n};\n'
                      % ",\n".join(ex))
EOF
"$FC" check "$W/soak.cfg" >/dev/null || { echo "soak: the generated routine does not load"; exit 1; }

# ---- the microphone: corpus noise looped at a low level, a reply every
# EVERY seconds (three phrases in turn, two voices) ----
echo "soak: building a ${SECS}-second microphone file..."
# Each noise at the same level, -45 dBFS RMS (the replies are about 28 dB
# louder): a steady household room, so that the room check's figures hold for
# the whole session and the replies are what is tested.
set --
k=0
for f in "$CORPUS"/noise/*.wav; do
    sox -q "$f" -r 16000 -c 1 -b 16 "$W/n$k.wav" || exit 1
    rms=$(sox "$W/n$k.wav" -n stat 2>&1 | awk '/^RMS +amplitude/ {print $3}')
    g=$(awk -v r="$rms" 'BEGIN { printf "%.6f", (r > 0 ? 0.005623 / r : 1) }')
    sox -q "$W/n$k.wav" "$W/m$k.wav" vol "$g" || exit 1
    set -- "$@" "$W/m$k.wav"
    k=$((k + 1))
done
sox -q "$@" "$W/noise1.wav" || exit 1
n1=$(soxi -D "$W/noise1.wav" | cut -d. -f1)
sox -q "$W/noise1.wav" "$W/noise.wav" repeat $((SECS / n1 + 1)) trim 0 "$SECS" || exit 1
: >"$W/replies.tsv"
: >"$W/mix.tsv"
set --
t=$EVERY
k=0
while [ $((t + 10)) -lt "$SECS" ]; do
    case $((k % 3)) in
    0) p="feeling better" ;;
    1) p="pain moved to my back" ;;
    *) p="about the same" ;;
    esac
    case $((k % 2)) in
    0) v=en-us ;;
    *) v=en-us+f2 ;;
    esac
    espeak-ng -v "$v" -s 150 -w "$W/r.wav" "$p" || exit 1
    sox -q "$W/r.wav" -r 16000 -c 1 -b 16 "$W/r$k.wav" || exit 1
    printf '%s\t%s\n' "$t" "$p" >>"$W/replies.tsv"
    printf '%s\t%s\n' "$t" "$W/r$k.wav" >>"$W/mix.tsv"
    # Half-way to the next reply the person says "carry on", as someone
    # would after floorcoach paused to ask about what it heard (its
    # safety-first listening stops the count for unclear speech and claps).
    espeak-ng -v "$v" -s 150 -w "$W/r.wav" "carry on" || exit 1
    sox -q "$W/r.wav" -r 16000 -c 1 -b 16 "$W/c$k.wav" || exit 1
    printf '%s\t%s\n' "$((t + EVERY / 2))" "$W/c$k.wav" >>"$W/mix.tsv"
    t=$((t + EVERY))
    k=$((k + 1))
done
python3 - "$W" "$SECS" <<'EOF'
import struct, sys, wave
w, secs = sys.argv[1], int(sys.argv[2])
def read(p):
    f = wave.open(p)
    return list(struct.unpack("<%dh" % f.getnframes(), f.readframes(f.getnframes())))
# Mixed in Python: sox would need one input per reply.
noise = wave.open(w + "/noise.wav")
total = noise.getnframes()
out = wave.open(w + "/mic.wav", "wb")
out.setnchannels(1); out.setsampwidth(2); out.setframerate(16000)
replies = []
for line in open(w + "/mix.tsv"):
    t, path = line.rstrip("\n").split("\t")
    replies.append((int(float(t) * 16000), read(path)))
pos, chunk = 0, 16000 * 60
while pos < total:
    n = min(chunk, total - pos)
    buf = list(struct.unpack("<%dh" % n, noise.readframes(n)))
    for start, pcm in replies:
        for i in range(max(start, pos), min(start + len(pcm), pos + n)):
            buf[i - pos] = max(-32768, min(32767, buf[i - pos] + pcm[i - start]))
    out.writeframes(struct.pack("<%dh" % n, *buf))
    pos += n
out.close()
EOF

# ---- the session, sampled ----
echo "soak: running the session..."
python3 - "$W" "$FC" <<'EOF'
import json, os, subprocess, sys, time
w, fc = sys.argv[1], sys.argv[2]
log = w + "/soak.jsonl"
p = subprocess.Popen([fc, "run", w + "/soak.cfg", "--mic", w + "/mic.wav", "--speaker",
                      w + "/out.wav", "--log", log, "--no-screening", "--no-baseline",
                      "--no-profile"], stdout=subprocess.DEVNULL, stderr=open(w + "/err.txt", "w"))
def status():
    d = {}
    try:
        for line in open("/proc/%d/status" % p.pid):
            k, _, v = line.partition(":")
            if k in ("VmRSS", "VmHWM"):
                d[k] = int(v.split()[0])
        d["fds"] = len(os.listdir("/proc/%d/fd" % p.pid))
    except (OSError, ValueError):
        return None
    return d
def session_t():
    try:
        with open(log, "rb") as f:
            f.seek(0, 2)
            f.seek(max(0, f.tell() - 4096))
            last = f.read().rstrip(b"\n").split(b"\n")[-1]
        return json.loads(last)["t"]
    except (OSError, ValueError, KeyError, IndexError):
        return 0.0
samples = []
t0 = time.monotonic()
while p.poll() is None:
    s = status()
    if s and "VmHWM" in s:
        s["t"] = session_t()
        s["wall"] = time.monotonic() - t0
        samples.append(s)
    time.sleep(0.05)
rc = p.wait()
wall = time.monotonic() - t0
json.dump({"rc": rc, "wall": wall, "samples": samples}, open(w + "/samples.json", "w"))
EOF

# ---- the figures ----
python3 - "$W" <<'EOF'
import json, sys
w = sys.argv[1]
d = json.load(open(w + "/samples.json"))
s = d["samples"]
log = [json.loads(l) for l in open(w + "/soak.jsonl")]
end = [e for e in log if e["ev"] == "session_end"]
length = end[-1]["t"] if end else (log[-1]["t"] if log else 0)
fails = []
print("session: %.0f s of audio (%.1f h) in %.0f s wall, exit %d, end: %s"
      % (length, length / 3600, d["wall"], d["rc"], end[-1] if end else "none"))
if not s:
    sys.exit("soak: no samples taken")
at10 = next((x for x in s if x["t"] >= 600), None)
last = s[-1]
if at10 is None:
    fails.append("the session never reached ten minutes")
else:
    growth = (last["VmHWM"] - at10["VmHWM"]) / at10["VmHWM"] * 100
    print("peak memory (VmHWM): %.1f MB after ten minutes, %.1f MB at the end (%+.2f%%)"
          % (at10["VmHWM"] / 1024, last["VmHWM"] / 1024, growth))
    print("resident (VmRSS): %.1f MB after ten minutes, %.1f MB at the end, %.1f MB at most"
          % (at10["VmRSS"] / 1024, last["VmRSS"] / 1024, max(x["VmRSS"] for x in s) / 1024))
    # The peak is set while the microphone file is loaded (file bytes and
    # samples side by side), so resident memory after ten minutes is the
    # figure that shows growth.
    rss_later = max(x["VmRSS"] for x in s if x["t"] >= 600 and x is not last)
    rss_growth = (rss_later - at10["VmRSS"]) / at10["VmRSS"] * 100
    print("resident memory after ten minutes: %.1f MB at most (%+.2f%%)"
          % (rss_later / 1024, rss_growth))
    if rss_growth > 5.0:
        fails.append("resident memory grew %.2f%% after ten minutes (limit 5%%)" % rss_growth)
    later = [x["fds"] for x in s if x["t"] >= 600]
    print("open file descriptors: %d after ten minutes, %d at the end, %d at most after ten minutes"
          % (at10["fds"], last["fds"], max(later)))
    print("samples: %d (every 50 ms of wall time)" % len(s))
    if growth > 5.0:
        fails.append("peak memory grew %.2f%% after ten minutes (limit 5%%)" % growth)
    if max(later) > at10["fds"]:
        fails.append("open file descriptors grew from %d to %d" % (at10["fds"], max(later)))
if not end or end[-1]["reason"] not in ("completed",):
    fails.append("the session did not complete: %r" % (end[-1] if end else None))
heard = [e for e in log if e["ev"] == "heard"]
replies = [(float(l.split("\t")[0]), l.split("\t")[1].strip()) for l in open(w + "/replies.tsv")]
replies = [r for r in replies if r[0] < length]
missed = []
for t, text in replies:
    if not any(t - 1.0 <= h.get("start", h["t"]) <= t + 3.0 for h in heard):
        missed.append((t, text))
print("replies: %d said, %d acted on (heard events: %d in all, %d unclear)"
      % (len(replies), len(replies) - len(missed), len(heard),
         sum(1 for h in heard if h.get("intent") in (None, "none", "unclear"))))
for t, text in missed[:10]:
    print("  not heard: %r at %.0f s" % (text, t))
if missed:
    fails.append("%d of %d replies were not acted on" % (len(missed), len(replies)))
for f in fails:
    print("FAIL: " + f)
print("soak: %s" % ("passed" if not fails else "failed"))
sys.exit(1 if fails else 0)
EOF
