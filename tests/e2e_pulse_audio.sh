#!/bin/sh
# e2e_pulse_audio: the PortAudio back-end on a virtual sound device (a private
# PulseAudio daemon, tests/pulse.sh): streaming at 16 and 48 kHz, the fake mic
# heard, the fake speaker reached, the output->input latency, a daemon killed
# mid-stream (exchange fails in ~2 s, nothing hangs), and no server at all.
. "$(dirname "$0")/lib.sh"
. "$TOP/tests/pulse.sh"

T=$TOP/build-asan/tests/test_audio_pa
if [ ! -x "$T" ]; then
    echo "skipped: $T is not built (make test builds it)"
    check_report
    exit
fi
export FC_AUDIO_DEBUG_LOG=$TMP/audio-debug.log

# No sound server (the socket named does not exist) and, on these machines,
# no sound card: opening fails with one clear line, `floorcoach devices`
# exits 2, and none of ALSA's or JACK's start-up noise is shown.
noserver="env -u ALSA_CONFIG_PATH PULSE_SERVER=unix:$TMP/no-such-socket"
check "no device: open and list fail clearly" $noserver timeout 60 "$T" noserver
if grep -q "skipped" "$TMP/check.out"; then
    echo "note: this machine has a sound card; the no-device checks were skipped"
elif "$FC" devices --help >/dev/null 2>&1; then
    $noserver timeout 60 "$FC" devices >"$TMP/dev.out" 2>"$TMP/dev.err"
    rc=$?
    if [ "$rc" = 2 ] && [ "$(wc -l <"$TMP/dev.err")" = 1 ] &&
        ! grep -qi jack "$TMP/dev.err"; then
        pass
    else
        fail "floorcoach devices with no device: exit $rc (want 2), stderr:"
        sed 's/^/    /' "$TMP/dev.err" | head -5
    fi
else
    echo "note: \`floorcoach devices\` is not wired yet; checked through the C test only"
fi

if ! command -v pulseaudio >/dev/null 2>&1 || ! command -v paplay >/dev/null 2>&1; then
    echo "skipped: pulseaudio / pulseaudio-utils are not installed (make test installs them)"
    check_report
    exit
fi
if ! pulse_start; then
    fail "the private PulseAudio daemon did not start"
    check_report
    exit
fi

check "device checks on the virtual device" timeout 120 "$T"
sed -n 's/^\([0-9]* Hz: .*\)/    \1/p' "$TMP/check.out"

if "$FC" devices --help >/dev/null 2>&1; then
    check "floorcoach devices lists the virtual device" timeout 60 "$FC" devices
    cp "$TMP/check.out" "$TMP/devices.out"
    check "  ... and names it" grep -q "default" "$TMP/devices.out"
fi

# The user speaks into the fake mic while floorcoach plays a 1 kHz tone.
sox -n -r 16000 -c 1 -b 16 "$TMP/feed.wav" synth 1.5 sine 300 vol 0.5
pulse_record_start "$TMP/spk.wav"
check "the fake microphone is heard" timeout 120 "$T" feed "$TMP/feed.wav" 1.5
sed -n 's/^\(mic level: .*\)/    \1/p' "$TMP/check.out"
sleep 0.3
pulse_record_stop
stat=$(sox "$TMP/spk.wav" -n stat 2>&1)
rms=$(echo "$stat" | sed -n 's/^RMS *amplitude: *//p')
freq=$(echo "$stat" | sed -n 's/^Rough *frequency: *//p')
echo "    fake speaker: rms $rms, rough frequency $freq Hz"
check "the tone reached the fake speaker" \
    awk -v r="$rms" -v f="$freq" 'BEGIN { exit !(r > 0.05 && f > 900 && f < 1100) }'

# Output looped back into the mic: how long a click takes to come back.
if timeout 10 pactl load-module module-loopback source=fakespk.monitor sink=fakemic_in \
    latency_msec=1 >"$TMP/loop.id" 2>/dev/null; then
    sleep 1
    check "clicks come back through a loopback" timeout 120 "$T" latency
    sed -n 's/^\(output->input latency.*\)/    \1 (includes the loopback module)/p' \
        "$TMP/check.out"
    timeout 10 pactl unload-module "$(cat "$TMP/loop.id")" >/dev/null 2>&1
fi

# break_device HOW WANT: streams, then breaks the device with pulse_HOW
# after "streaming" is printed; exchange must fail with a message containing
# WANT instead of hanging, and closing must not hang either.
break_device() {
    timeout 60 "$T" killed >"$TMP/killed.out" 2>&1 &
    kpid=$!
    n=0
    while ! grep -q streaming "$TMP/killed.out" && [ "$n" -lt 100 ]; do
        sleep 0.1
        n=$((n + 1))
    done
    sleep 0.5
    "pulse_$1"
    wait "$kpid"
    rc=$?
    echo "    $1:"
    sed -n 's/^\(exchange failed.*\|closed in.*\)/      \1/p' "$TMP/killed.out"
    if [ "$rc" = 0 ] && grep -q "exchange failed.*$2" "$TMP/killed.out"; then
        pass
    else
        fail "$1 mid-stream: exit $rc (124 = hung), output:"
        sed 's/^/    /' "$TMP/killed.out" | tail -20
    fi
}
# A device that hangs (the daemon frozen): no audio for 2 s.
break_device freeze_daemon "no audio from the microphone"
pulse_thaw_daemon
# A device that vanishes (the daemon killed): the stream stops.
break_device kill_daemon "."

pulse_stop
check_report
