#!/bin/sh
# history.sh: how long `floorcoach history`, `history --csv` and `report`
# take over many full-size session logs (default 500; ~300 lines each, about
# the size a 20-minute session writes). Prints figures; asserts nothing.
# Usage: sh bench/history.sh [SESSIONS]
cd "$(dirname "$0")/.." || exit 1
N=${1:-500}
FC=${FC:-$PWD/floorcoach}
[ -x "$FC" ] || { echo "history bench: build floorcoach first (make)"; exit 1; }
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
dir=$tmp/sessions
mkdir -p "$dir"

# One realistic log, then copies with their own dates and pain scores.
python3 - "$dir" "$N" <<'EOF'
import sys
d, n = sys.argv[1], int(sys.argv[2])
for i in range(n):
    day = '2023-%02d-%02d' % (i // 28 % 12 + 1, i % 28 + 1)
    hour = 7 + i // 336
    lines = ['{"t":0.000,"ev":"session_start","routine":"nerve-glides","routine_name":'
             '"Sciatic nerve glides","version":"0.1.0","date":"%sT%02d:00:00+0100",'
             '"mode":"device","voice":"calm"}' % (day, hour),
             '{"t":40.0,"ev":"heard","text":"in my calf","intent":"location","value":"calf",'
             '"confidence":0.9,"start":39.5,"end":40.0}',
             '{"t":45.0,"ev":"heard","text":"six","intent":"pain_score","value":%d,'
             '"confidence":0.9,"start":44.5,"end":45.0}' % (i % 11)]
    t = 50.0
    for ex in ('nerve-glide', 'head-lift-glide', 'press-up', 'knee-to-chest'):
        lines.append('{"t":%.3f,"ev":"exercise_start","id":"%s","side":"left"}' % (t, ex))
        for rep in range(10):
            lines.append('{"t":%.3f,"ev":"say","text":"Slowly straighten your knee and '
                         'point your toes toward you.","kind":"instruction","end":%.3f}'
                         % (t, t + 3))
            t += 4
            for c in range(1, 6):
                lines.append('{"t":%.3f,"ev":"count","n":%d,"of":5}' % (t, c))
                t += 1
        if ex == 'head-lift-glide' and i % 7 == 0:
            lines.append('{"t":%.3f,"ev":"heard","text":"pain down my leg","intent":'
                         '"spreading","confidence":0.8,"start":%.3f,"end":%.3f}'
                         % (t, t - 1, t))
            lines.append('{"t":%.3f,"ev":"verdict","verdict":"offer_easier","reason":'
                         '"peripheralization","text":"Stop there.","exercise":"%s"}' % (t, ex))
            lines.append('{"t":%.3f,"ev":"exercise_end","id":"%s","outcome":"stopped"}'
                         % (t, ex))
        else:
            lines.append('{"t":%.3f,"ev":"exercise_end","id":"%s","outcome":"done"}' % (t, ex))
    lines.append('{"t":%.3f,"ev":"heard","text":"four","intent":"pain_score","value":4,'
                 '"confidence":0.9,"start":%.3f,"end":%.3f}' % (t, t - 1, t))
    lines.append('{"t":%.3f,"ev":"session_end","reason":"completed"}' % (t + 5))
    with open('%s/%sT%02d-00-00.jsonl' % (d, day, hour), 'w') as f:
        f.write('\n'.join(lines) + '\n')
EOF

bytes=$(cat "$dir"/*.jsonl | wc -c)
lines=$(cat "$dir"/*.jsonl | wc -l)
echo "history bench: $N sessions, $lines log lines, $((bytes / 1024)) KiB"
best() { # best of 3 wall-clock seconds for "$@"
    b=""
    for _ in 1 2 3; do
        s=$(date +%s.%N)
        "$@" >/dev/null 2>&1
        e=$(date +%s.%N)
        b=$(echo "$s $e $b" | awk '{t = $2 - $1; if ($3 == "" || t < $3) print t; else print $3}')
    done
    printf '%.3f' "$b"
}
echo "  history           $(best "$FC" history --dir "$dir") s"
echo "  history --csv     $(best "$FC" history --csv --dir "$dir") s"
echo "  report            $(best "$FC" report --dir "$dir" --out "$tmp/report.html") s" \
     "($(($(wc -c <"$tmp/report.html") / 1024)) KiB of HTML)"
