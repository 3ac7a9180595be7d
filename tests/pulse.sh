# pulse.sh: a private PulseAudio daemon as a virtual sound device for tests.
# Source it (POSIX sh), then:
#   pulse_start             daemon with a fake microphone and a fake speaker;
#                           exports PULSE_SERVER and ALSA_CONFIG_PATH so
#                           PortAudio (through ALSA's pulse plugin) uses them
#   pulse_mic_noise [VOL]   a quiet hiss in the fake mic from now on
#   pulse_feed OUT.wav TEXT a spoken reply (eSpeak NG over a noise floor)
#   pulse_play FILE         "the user speaks": plays FILE into the fake mic (real time)
#   pulse_play_bg FILE      the same in the background; pid in $pulse_last_pid
#   pulse_record_start OUT  records the fake speaker to OUT (16 kHz mono WAV)
#   pulse_record_stop       stops that recording (the WAV is complete afterwards)
#   pulse_kill_daemon       kills the daemon only (to test failing safe)
#   pulse_freeze_daemon     stops it with SIGSTOP: a device that hangs
#   pulse_thaw_daemon       SIGCONT
#   pulse_stop              stops every process started here (idempotent)
# Every process is wrapped in `timeout` and tracked by pid; an EXIT/INT/TERM
# trap calls pulse_stop, then whatever EXIT trap was set before pulse_start.
# The recipe is the one measured in ../shared/AUDIO-TESTING.md.

PULSE_MAX_LIFE=${PULSE_MAX_LIFE:-900} # no process started here outlives this (s)
pulse_dir=""
pulse_daemon_pid=""
pulse_pids=""
pulse_rec_pid=""
pulse_last_pid=""
pulse_prev_trap=""

# Runs "$@" (a pactl/pacmd-like client) with a time limit, quietly.
pulse_client() {
    timeout 5 "$@" >/dev/null 2>&1 </dev/null
}

# Starts a background process under `timeout`; records its pid. Its
# complaints (e.g. when the daemon is killed on purpose) go to a log.
pulse_bg() {
    timeout "$PULSE_MAX_LIFE" "$@" </dev/null 2>>"$pulse_dir/clients.log" &
    pulse_last_pid=$!
    pulse_pids="$pulse_pids $pulse_last_pid"
}

pulse_on_exit() {
    pulse_stop
    [ -n "$pulse_prev_trap" ] && eval "$pulse_prev_trap"
}

pulse_on_signal() {
    trap - EXIT
    pulse_on_exit
    exit 130
}

# Returns 0 when the daemon answers, 1 (with the daemon log on stderr) when it
# did not start within ~10 s.
pulse_start() {
    if [ -n "$pulse_daemon_pid" ]; then
        return 0
    fi
    command -v pulseaudio >/dev/null 2>&1 || {
        echo "pulse.sh: pulseaudio is not installed" >&2
        return 1
    }
    # Keep the caller's EXIT trap and run it after ours. dash does not show
    # traps inside $(...), so fall back to lib.sh's (which removes $TMP).
    pulse_prev_trap=${PULSE_PREV_TRAP:-$(trap | sed -n "s/^trap -- '\(.*\)' EXIT$/\1/p")}
    if [ -z "$pulse_prev_trap" ] && [ -n "${TMP:-}" ]; then
        pulse_prev_trap='rm -rf "$TMP"'
    fi
    trap pulse_on_exit EXIT
    trap pulse_on_signal INT TERM HUP

    pulse_dir=$(mktemp -d "${TMPDIR:-/tmp}/fc-pulse.XXXXXX") || return 1
    d=$pulse_dir
    mkdir -p "$d/run" "$d/home" "$d/config"
    chmod 700 "$d/run"
    cat >"$d/default.pa" <<EOF
load-module module-native-protocol-unix auth-anonymous=1 socket=$d/run/native
load-module module-null-sink sink_name=fakemic_in rate=16000 channels=1 format=s16le
load-module module-null-sink sink_name=fakespk rate=16000 channels=1 format=s16le
set-default-source fakemic_in.monitor
set-default-sink fakespk
EOF
    cat >"$d/asound.conf" <<EOF
pcm.!default { type pulse }
ctl.!default { type pulse }
pcm.pulse { type pulse }
ctl.pulse { type pulse }
EOF
    HOME=$d/home XDG_RUNTIME_DIR=$d/run XDG_CONFIG_HOME=$d/config \
        timeout "$PULSE_MAX_LIFE" pulseaudio -n -F "$d/default.pa" --daemonize=no \
        --exit-idle-time=-1 --use-pid-file=no --system=false --disable-shm=yes \
        --realtime=no --high-priority=no --log-target=file:"$d/daemon.log" \
        </dev/null >/dev/null 2>&1 &
    pulse_daemon_pid=$!
    export PULSE_SERVER="unix:$d/run/native"
    export ALSA_CONFIG_PATH="$d/asound.conf"
    # The clients' own config and cookie lookups stay inside the temp dir too.
    export PULSE_RUNTIME_PATH="$d/run"
    export PULSE_COOKIE="$d/home/cookie"

    tries=0
    until pulse_client pactl info; do
        tries=$((tries + 1))
        if [ "$tries" -ge 50 ] || ! kill -0 "$pulse_daemon_pid" 2>/dev/null; then
            echo "pulse.sh: the PulseAudio daemon did not start; its log:" >&2
            tail -n 20 "$d/daemon.log" >&2 2>/dev/null
            pulse_stop
            return 1
        fi
        sleep 0.2
    done
    # An idle null sink sleeps up to 2 s and stalls the first capture read:
    # keep both sinks busy for the whole test.
    pulse_bg parec -d fakemic_in.monitor --latency-msec=10 --raw --format=s16le \
        --rate=16000 --channels=1 /dev/null
    pulse_bg paplay -d fakespk --latency-msec=10 --raw --format=s16le --rate=16000 \
        --channels=1 /dev/zero
    sleep 2.2
    return 0
}

# pulse_play FILE [TIMEOUT_S]: plays FILE into the fake microphone, returns when
# it has been played (real time).
pulse_play() {
    timeout "${2:-60}" paplay -d fakemic_in "$1" </dev/null
}

pulse_play_bg() {
    pulse_bg paplay -d fakemic_in "$1"
}

# pulse_mic_noise [VOLUME]: a room's quiet hiss in the fake microphone from
# now on (white noise at about -53 dBFS RMS with the default PulseAudio
# volume 10400 of 65536); a real microphone never gives pure digital zeros.
pulse_mic_noise() {
    pulse_bg paplay -d fakemic_in --raw --format=s16le --rate=16000 --channels=1 \
        --volume="${1:-10400}" /dev/urandom
}

# pulse_feed OUT.wav TEXT: a reply spoken by eSpeak NG (voice $PULSE_FEED_VOICE,
# default en-us) for pulse_play: 16 kHz
# mono, 0.3 s of quiet pink noise, the phrase, 0.6 s of noise (pure digital
# silence is heard worse than a room's hiss). The phrase without the noise
# is left in OUT.speech.wav (same timing).
pulse_feed() {
    pf_base=${1%.wav}
    espeak-ng -v "${PULSE_FEED_VOICE:-en-us}" -s 150 -w "$pf_base.raw.wav" "$2" || return 1
    sox -q "$pf_base.raw.wav" -r 16000 -c 1 -b 16 "$pf_base.speech.wav" pad 0.3 0.6 || return 1
    pf_len=$(soxi -D "$pf_base.speech.wav")
    sox -q -n -r 16000 -c 1 -b 16 "$pf_base.noise.wav" synth "$pf_len" pinknoise vol 0.004 &&
        sox -q -m "$pf_base.speech.wav" "$pf_base.noise.wav" "$1"
}

# pulse_record_start OUT [SOURCE [CHANNELS]]: records what is played to the
# fake speaker (or to SOURCE) into the WAV file OUT.
pulse_record_start() {
    pulse_record_stop
    pulse_bg parec -d "${2:-fakespk.monitor}" --latency-msec=10 --file-format=wav \
        --format=s16le --rate=16000 --channels="${3:-1}" "$1"
    pulse_rec_pid=$pulse_last_pid
}

# Stops the recorder; parec closes its WAV file (header included) on SIGTERM.
pulse_record_stop() {
    [ -n "$pulse_rec_pid" ] || return 0
    pulse_kill_pid "$pulse_rec_pid"
    pulse_rec_pid=""
}

# Sends TERM to one pid we started, waits up to ~3 s, then KILL.
# Each pid is a `timeout` wrapper: it forwards TERM to its child and exits
# when the child does; if the child ignores TERM, the child is killed first
# (killing only the wrapper would orphan it).
pulse_kill_pid() {
    kill "$1" 2>/dev/null || { wait "$1" 2>/dev/null; return 0; }
    n=0
    while kill -0 "$1" 2>/dev/null && [ "$n" -lt 30 ]; do
        sleep 0.1
        n=$((n + 1))
    done
    if kill -0 "$1" 2>/dev/null; then
        pkill -KILL -P "$1" 2>/dev/null
        sleep 0.2
        kill -9 "$1" 2>/dev/null
    fi
    wait "$1" 2>/dev/null
    return 0
}

# Kills the daemon hard, as a crash or an unplugged device would; its
# `timeout` wrapper reaps it and exits by itself (no zombie is left).
pulse_kill_daemon() {
    [ -n "$pulse_daemon_pid" ] || return 0
    pkill -KILL -P "$pulse_daemon_pid" 2>/dev/null
    pulse_kill_pid "$pulse_daemon_pid"
    pulse_daemon_pid=""
}

# Freezes / thaws the daemon (SIGSTOP / SIGCONT): a device that hangs.
pulse_freeze_daemon() {
    [ -n "$pulse_daemon_pid" ] && pkill -STOP -P "$pulse_daemon_pid"
}
pulse_thaw_daemon() {
    [ -n "$pulse_daemon_pid" ] && pkill -CONT -P "$pulse_daemon_pid"
}

pulse_stop() {
    for p in $pulse_pids; do
        pulse_kill_pid "$p"
    done
    pulse_pids=""
    pulse_rec_pid=""
    if [ -n "$pulse_daemon_pid" ]; then
        pulse_thaw_daemon
        pulse_kill_pid "$pulse_daemon_pid"
        pulse_daemon_pid=""
    fi
    if [ -n "$pulse_dir" ]; then
        rm -rf "$pulse_dir"
        pulse_dir=""
    fi
    unset PULSE_SERVER ALSA_CONFIG_PATH PULSE_RUNTIME_PATH PULSE_COOKIE
    return 0
}
