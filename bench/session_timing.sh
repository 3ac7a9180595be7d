#!/bin/sh
# session_timing: how exactly counts land on their second (a 60 s hold, onset
# found by energy in the speaker file), and how fast a whole routine runs in
# file mode compared with real time.
cd "$(dirname "$0")/.." || exit 1
FC=./floorcoach
TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT
export XDG_DATA_HOME="$TMP/data"

sox -n -r 16000 -c 1 -b 16 "$TMP/mic.wav" synth 90 whitenoise vol 0.002 2>/dev/null
"$FC" run bench/hold60.cfg --mic "$TMP/mic.wav" --speaker "$TMP/out.wav" --log "$TMP/h.jsonl" \
    --no-screening --no-baseline --no-profile >/dev/null 2>&1
python3 - "$TMP/h.jsonl" "$TMP/out.wav" <<'PY'
import json, sys
sys.path.insert(0, "tests")
from onsets import segments
log = [json.loads(l) for l in open(sys.argv[1])]
segs = [s for s, e in segments(sys.argv[2])]
H = next(e["t"] for e in log if e["ev"] == "say" and e["text"].lower().startswith("hold"))
errs = []
for c in [e for e in log if e["ev"] == "count"]:
    want = H + c["n"]
    got = min(segs, key=lambda s: abs(s - want))
    errs.append(abs(got - want) * 1000)
rel = next(e["t"] for e in log if e["ev"] == "say" and e["text"].lower().startswith("release"))
print("count onsets over a 60 s hold: %d counts, error max %.2f ms, mean %.2f ms; hold length %.3f s"
      % (len(errs), max(errs), sum(errs) / len(errs), rel - H))
PY

# A whole nerve-glides routine from audio: answers placed after each question.
if python3 tests/answers.py "$TMP/ng.wav" --fc "$FC" --routine nerve-glides --seconds 700 \
    --extra=--no-profile -- no no no no no "feeling better" "feeling better" "feeling better" \
    >/dev/null 2>&1; then :; fi
start=$(date +%s.%N)
"$FC" run nerve-glides --mic "$TMP/ng.wav" --speaker "$TMP/ngout.wav" --log "$TMP/ng.jsonl" \
    --no-profile >/dev/null 2>&1
end=$(date +%s.%N)
python3 - "$TMP/ng.jsonl" "$start" "$end" <<'PY'
import json, sys
log = [json.loads(l) for l in open(sys.argv[1])]
wall = float(sys.argv[3]) - float(sys.argv[2])
last = log[-1]
print("nerve-glides in file mode: %.1f s of session in %.2f s of wall time: %.0fx real time "
      "(target >= 50x); ended: %s" % (last["t"], wall, last["t"] / wall,
                                       last.get("reason", last["ev"])))
PY
