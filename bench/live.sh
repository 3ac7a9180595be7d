#!/bin/sh
# live.sh: the live latency benchmark on the virtual sound device (a private
# PulseAudio daemon, tests/pulse.sh). Each trial runs `floorcoach run` in
# real time on the PortAudio back-end, says "pain down my leg" into the fake
# microphone at a random moment of a 20 s hold, and measures, on one
# recording of both the microphone and the speaker, the time from the end of
# the phrase to the first sample of the spoken stop (the safety stop, or the
# question that stops the count when floorcoach is unsure). Also: CPU use of the
# live session during the hold, and its peak memory.
#   usage: sh bench/live.sh [TRIALS]   (default 20; about 35 s per trial)
TOP=$(cd "$(dirname "$0")/.." && pwd)
FC=${FC:-$TOP/floorcoach}
TRIALS=${1:-${TRIALS:-20}}
export FLOORCOACH_DATA=$TOP
TMP=$(mktemp -d "${TMPDIR:-/tmp}/fc-live.XXXXXX")
# KEEP=1 keeps the folder (logs, recordings) for a look afterwards.
PULSE_PREV_TRAP='[ -n "${KEEP:-}" ] && echo "kept $TMP" || rm -rf "$TMP"'
trap "$PULSE_PREV_TRAP" EXIT
export XDG_DATA_HOME=$TMP/data
. "$TOP/tests/pulse.sh"

for tool in pulseaudio paplay parec pactl sox espeak-ng bc; do
    command -v "$tool" >/dev/null 2>&1 || {
        echo "live latency: skipped ($tool is not installed; make bench installs it)"
        exit 0
    }
done
[ -x "$FC" ] || { echo "live latency: $FC is not built" >&2; exit 1; }

# The measuring tool: matches the feed and the stop sentence in the recording.
cc -std=c11 -O2 -D_DEFAULT_SOURCE -I"$TOP/src" -o "$TMP/livelat" "$TOP/bench/livelat.c" \
    "$TOP/src/wav.c" "$TOP/src/util.c" $(pkg-config --cflags --libs speexdsp) -lm || exit 1

pulse_feed "$TMP/pain.wav" "pain down my leg" || exit 1
if "$FC" hear --help >/dev/null 2>&1 &&
    ! timeout 60 "$FC" hear --mic "$TMP/pain.wav" --hold 2>/dev/null |
    grep -Eq '"intent":"spreading"|"unclear":true'; then
    echo "live latency: not measured: the listener does not understand the test phrase even"
    echo "  from a file (floorcoach hear --mic pain.wav --hold --verbose says why)"
    exit 0
fi
cat >"$TMP/holds.cfg" <<'EOF'
routine = {
  name = "Long holds";
  description = "One exercise with a long hold, for the live latency benchmark.";
  intro = "One exercise.";
  exercises = (
    { id = "knee-hug";
      name = "Knee hug";
      setup = "Lie on your back.";
      steps = ( "Bring one knee toward your chest." );
      reps = 3;
      hold = 20;
      sides = "none";
      rest = 5;
    } );
};
EOF

pulse_start || exit 1
pulse_mic_noise
# One stereo recording on one clock: left = the fake mic, right = the fake
# speaker, each through a loopback with the same settings (their delays
# cancel out in the difference).
pa() { timeout 10 pactl "$@" >/dev/null; }
pa load-module module-null-sink sink_name=tap rate=16000 channels=2 format=s16le \
    channel_map=front-left,front-right &&
    pa load-module module-remap-sink sink_name=tapL master=tap channels=1 channel_map=mono \
        master_channel_map=front-left remix=no &&
    pa load-module module-remap-sink sink_name=tapR master=tap channels=1 channel_map=mono \
        master_channel_map=front-right remix=no &&
    pa load-module module-loopback source=fakemic_in.monitor sink=tapL latency_msec=20 &&
    pa load-module module-loopback source=fakespk.monitor sink=tapR latency_msec=20 &&
    pa set-default-sink fakespk && pa set-default-source fakemic_in.monitor || {
    echo "live latency: cannot set up the recording tap" >&2
    exit 1
}
sleep 3

now() { date +%s.%N; }
log_count() {
    n=$(grep -c -- "$1" "$LOG" 2>/dev/null)
    echo "${n:-0}"
}
wait_log() { # PATTERN N SECONDS
    end=$(echo "$(now) + $3" | bc)
    while [ "$(log_count "$1")" -lt "$2" ]; do
        kill -0 "$fc_pid" 2>/dev/null || return 1
        [ "$(echo "$(now) > $end" | bc)" = 1 ] && return 1
        sleep 0.02
    done
}
ticks() { # PID: CPU ticks used so far
    awk '{ print $14 + $15 }' "/proc/$1/stat" 2>/dev/null || echo 0
}
hz=$(getconf CLK_TCK)

: >"$TMP/lat.txt"
: >"$TMP/cpu.txt"
: >"$TMP/mem.txt"
i=0
while [ "$i" -lt "$TRIALS" ]; do
    i=$((i + 1))
    LOG=$TMP/s$i.jsonl
    timeout 300 "$FC" run "$TMP/holds.cfg" --no-screening --no-baseline --log "$LOG" \
        >"$TMP/s$i.out" 2>"$TMP/s$i.err" </dev/null &
    fc_pid=$!
    # A random moment of the hold: after count K (2..14), plus 0-0.9 s.
    r1=$(od -An -N2 -tu2 /dev/urandom | tr -d ' ')
    r2=$(od -An -N2 -tu2 /dev/urandom | tr -d ' ')
    k=$((2 + r1 % 13))
    frac=$(echo "$r2" | awk '{ printf "%.2f", ($1 % 91) / 100 }')
    if ! wait_log '"ev":"count","n":2,' 1 120; then
        echo "trial $i: no hold was counted; skipped"
        kill "$fc_pid" 2>/dev/null
        wait "$fc_pid"
        continue
    fi
    pid=$(pgrep -P "$fc_pid" | head -n 1)
    t0=$(now)
    c0=$(ticks "$pid")
    wait_log "\"ev\":\"count\",\"n\":$k," 1 30
    sleep "$frac"
    c1=$(ticks "$pid")
    t1=$(now)
    echo "$t0 $t1 $c0 $c1" | awk -v hz="$hz" '{ if ($2 > $1) printf "%.2f\n", 100 * ($4 - $3) / hz / ($2 - $1) }' >>"$TMP/cpu.txt"
    pulse_record_start "$TMP/tap.wav" tap.monitor 2
    sleep 0.3
    pulse_play "$TMP/pain.wav" 20
    if wait_log '"kind":"\(safety\|prompt\)"' 1 10; then
        sleep 1.5
    fi
    pulse_record_stop
    awk '/^VmHWM/ { print $2 }' "/proc/$pid/status" >>"$TMP/mem.txt" 2>/dev/null
    kill -TERM "$fc_pid" 2>/dev/null
    wait "$fc_pid"
    # The spoken stop: the safety stop, or the question that stops the count
    # when the reply was not understood for sure ("Did you say ...?").
    line=$(grep -E '"ev":"say".*"kind":"(safety|prompt)"' "$LOG" | head -n 1)
    if [ -z "$line" ]; then
        echo "trial $i: the stop was not said (heard: $(grep -o '"ev":"heard","text":"[^"]*"' "$LOG" | cut -c23- | tr '\n' ' '))"
        continue
    fi
    text=$(echo "$line" | sed -n 's/.*"text":"\([^"]*\)".*/\1/p')
    voice=$(sed -n '1s/.*"voice":"\([^"]*\)".*/\1/p' "$LOG")
    timeout 30 "$FC" say --voice "$voice" --speaker "$TMP/stop.wav" "$text" >/dev/null 2>&1
    sox -q "$TMP/tap.wav" "$TMP/user.wav" remix 1
    sox -q "$TMP/tap.wav" "$TMP/spk.wav" remix 2
    if r=$("$TMP/livelat" "$TMP/user.wav" "$TMP/spk.wav" "$TMP/pain.wav" "$TMP/pain.speech.wav" \
        "$TMP/stop.wav" 2>&1); then
        echo "trial $i (after count $k + ${frac}s): $r"
        echo "$r" | awk '{ print $2 }' >>"$TMP/lat.txt"
    else
        echo "trial $i: $r"
    fi
done
pulse_stop

n=$(wc -l <"$TMP/lat.txt")
if [ "$n" -gt 0 ]; then
    sort -n "$TMP/lat.txt" | awk -v n="$n" '
        { v[NR] = $1 }
        END {
            med = (n % 2) ? v[(n + 1) / 2] : (v[n / 2] + v[n / 2 + 1]) / 2
            p95 = v[int(0.95 * n + 0.999)]
            printf "live latency, end of \"pain down my leg\" to the spoken stop, %d trials: " \
                   "median %.0f ms, p95 %.0f ms, min %.0f, max %.0f (targets: median <= 350, p95 <= 500)\n",
                   n, med, p95, v[1], v[n]
        }'
else
    echo "live latency: no trial could be measured"
fi
awk '{ s += $1; n++ } END { if (n) printf "live session CPU during holds: %.1f%% of one core (target <= 10%%)\n", s / n }' "$TMP/cpu.txt"
sort -n "$TMP/mem.txt" | tail -n 1 | awk '{ printf "live session peak memory: %.1f MB (target <= 60 MB)\n", $1 / 1024 }'
