#!/usr/bin/env python3
"""enroll_mic.py: builds the microphone recording of a person answering
`floorcoach enroll` in file mode, with eSpeak NG as the person.

File mode is deterministic, and when each prompt comes depends only on the
answers before it. So: run enroll on the recording built so far, read the
next prompt's time from its log, place the answer to it (the phrase in the
double quotes) 0.35 s after the prompt ends, and again until the log says
the enrollment is done.

usage: enroll_mic.py FC OUT.wav [--voice V] [--rate WPM] [--noise FILE]
         [--noise-dbfs DB] [--speech-dbfs DB] [--quiet I,J] [--stop-after K]
         [--phrases SPEC] [--takes N] [--workdir DIR] [--tail S] [--room RT60,TAIL]
  --quiet I,J     answers number I, J (0-based, counting every prompt) are
                  said at --quiet-dbfs (-52: too quiet, enroll must ask again)
  --stop-after K  stop after K answers (an enrollment that ends early)
  --tail S        seconds of the room after the last answer (default 8)
  --room RT60,TAIL  the person speaks in a room that echoes: each answer gets a
                  velvet-noise tail decaying 60 dB over RT60 s, its energy TAIL dB
                  over the direct sound's (as bench/mixwav.c's room line)
Prints "prompts N runs N" on success. Needs espeak-ng and sox.
"""
import argparse
import array
import json
import math
import os
import random
import re
import subprocess
import sys
import tempfile
import wave

RATE = 16000


def read_wav(path):
    with wave.open(path, "rb") as w:
        assert w.getnchannels() == 1 and w.getsampwidth() == 2 and w.getframerate() == RATE
        a = array.array("h")
        a.frombytes(w.readframes(w.getnframes()))
        return a


def write_wav(path, a):
    with wave.open(path, "wb") as w:
        w.setnchannels(1)
        w.setsampwidth(2)
        w.setframerate(RATE)
        w.writeframes(a.tobytes())


def power_db(a):
    if not a:
        return -120.0
    s = 0.0
    for v in a:
        s += v * v
    p = s / len(a) / (32768.0 * 32768.0)
    return 10 * math.log10(p) if p > 0 else -120.0


def active_db(a):
    """Mean power of 20 ms frames within 20 dB of the loudest."""
    fr = [a[i:i + 320] for i in range(0, len(a) - 319, 320)]
    p = [sum(v * v for v in f) / 320.0 / (32768.0 ** 2) for f in fr]
    if not p or max(p) <= 0:
        return -120.0
    m = max(p)
    sel = [x for x in p if x >= m * 0.01]
    return 10 * math.log10(sum(sel) / len(sel))


def scaled(a, gain):
    out = array.array("h", bytes(2 * len(a)))
    for i, v in enumerate(a):
        x = int(round(v * gain))
        out[i] = 32767 if x > 32767 else -32768 if x < -32768 else x
    return out


def synth(text, voice, rate, tmp):
    raw = os.path.join(tmp, "say.wav")
    out = os.path.join(tmp, "say16.wav")
    subprocess.run(["espeak-ng", "-v", voice, "-s", str(rate), "-w", raw, text], check=True)
    subprocess.run(["sox", raw, "-r", str(RATE), "-c", "1", "-b", "16", out], check=True)
    return read_wav(out)


def room_fir(rt60, tail, tmp):
    """The coefficients file of a room (see --room) for sox's fir effect."""
    rnd = random.Random(1)
    taps = [0.0] * (int(rt60 * RATE) + 1)
    taps[0] = 1.0
    t, energy = 0.003, 0.0
    while t < rt60:
        a = (1.0 if rnd.random() < 0.5 else -1.0) * 10 ** (-3.0 * t / rt60)
        taps[int(t * RATE)] += a
        energy += a * a
        t += rnd.random() * 0.001
    g = math.sqrt(10 ** (tail / 10.0) / energy) if energy > 0 else 0.0
    norm = 1.0 / math.sqrt(1.0 + 10 ** (tail / 10.0))
    path = os.path.join(tmp, "room.fir")
    with open(path, "w") as f:
        f.write("\n".join("%.8g" % (norm * (1.0 if i == 0 else g) * v) for i, v in enumerate(taps)))
    return path


def in_room(pcm, fir, rt60, tmp):
    dry = os.path.join(tmp, "dry.wav")
    wet = os.path.join(tmp, "wet.wav")
    write_wav(dry, pcm)
    subprocess.run(["sox", dry, wet, "pad", "0", str(rt60), "fir", fir], check=True)
    return read_wav(wet)


def noise_bed(path, seconds, dbfs, tmp):
    bed = os.path.join(tmp, "bed.wav")
    if path and path != "none":
        subprocess.run(["sox", path, "-r", str(RATE), "-c", "1", "-b", "16", bed, "repeat",
                        "40", "trim", "0", str(seconds)], check=True)
    else:
        subprocess.run(["sox", "-n", "-r", str(RATE), "-c", "1", "-b", "16", bed, "synth",
                        str(seconds), "pinknoise"], check=True)
    a = read_wav(bed)
    if len(a) < seconds * RATE:
        a.extend(array.array("h", bytes(2 * (seconds * RATE - len(a)))))
    return scaled(a, 10 ** ((dbfs - power_db(a[:RATE * 20])) / 20.0))


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("fc")
    ap.add_argument("out")
    ap.add_argument("--voice", default="en-us+m3")
    ap.add_argument("--rate", type=int, default=150)
    ap.add_argument("--noise", default="none")
    ap.add_argument("--noise-dbfs", type=float, default=-60.0)
    ap.add_argument("--speech-dbfs", type=float, default=-20.0)
    ap.add_argument("--quiet", default="")
    ap.add_argument("--quiet-dbfs", type=float, default=-52.0)
    ap.add_argument("--stop-after", type=int, default=-1)
    ap.add_argument("--phrases", default="all")
    ap.add_argument("--takes", default="2")
    ap.add_argument("--workdir", default=None)
    ap.add_argument("--tail", type=float, default=8.0,
                    help="seconds of the room after the last answer")
    ap.add_argument("--room", default="", help="RT60,TAIL: the person speaks in a room that echoes")
    a = ap.parse_args()
    quiet = {int(x) for x in a.quiet.split(",") if x.strip()}
    tmp = a.workdir or tempfile.mkdtemp(prefix="enroll-mic.")
    os.makedirs(tmp, exist_ok=True)
    room = [float(x) for x in a.room.split(",")] if a.room else None
    fir = room_fir(room[0], room[1], tmp) if room else None
    bed_s = 60 + 400
    bed = noise_bed(a.noise, bed_s, a.noise_dbfs, tmp)
    cache = {}
    answers = []  # (start sample, pcm)
    end = 40 * RATE  # the recording's length so far
    log = os.path.join(tmp, "builder.jsonl")
    mic = os.path.join(tmp, "builder-mic.wav")
    runs = 0
    m = array.array("h", bed[:end])
    while True:
        write_wav(mic, m)
        if os.path.exists(log):
            os.unlink(log)
        env = dict(os.environ)
        env["XDG_DATA_HOME"] = os.path.join(tmp, "data")
        r = subprocess.run([a.fc, "enroll", "--mic", mic, "--log", log, "--no-adapt",
                            "--phrases", a.phrases, "--takes", a.takes, "--profile",
                            os.path.join(tmp, "scratch-profile")],
                           env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                           timeout=120)
        runs += 1
        ev = [json.loads(l) for l in open(log)]
        prompts = [e for e in ev if e.get("ev") == "say" and e.get("kind") == "prompt"]
        done = any(e.get("ev") == "enroll_end" and e.get("reason") == "done" for e in ev)
        if done or (a.stop_after >= 0 and len(answers) >= a.stop_after):
            break
        if len(prompts) <= len(answers):
            print("enroll_mic: no new prompt after %d answers (exit %d)" % (len(answers),
                  r.returncode), file=sys.stderr)
            return 1
        p = prompts[len(answers)]
        phrase = re.search(r'"(.*)"', p["text"]).group(1)
        if phrase not in cache:
            s = synth(phrase, a.voice, a.rate, tmp)
            if room:
                s = in_room(s, fir, room[0], tmp)
            cache[phrase] = scaled(s, 10 ** ((a.speech_dbfs - active_db(s)) / 20.0))
        pcm = cache[phrase]
        if len(answers) in quiet:
            pcm = scaled(pcm, 10 ** ((a.quiet_dbfs - a.speech_dbfs) / 20.0))
        start = int((p["t"] + p["dur"] + 0.35) * RATE)
        answers.append((start, pcm))
        end = min(start + len(pcm) + int(a.tail * RATE), bed_s * RATE)
        if end > len(m):
            m.extend(bed[len(m):end])
        else:
            del m[end:]
        for i, v in enumerate(pcm):
            j = start + i
            if j < len(m):
                x = m[j] + v
                m[j] = 32767 if x > 32767 else -32768 if x < -32768 else x
    write_wav(a.out, m)
    print("prompts %d runs %d" % (len(answers), runs))
    return 0


if __name__ == "__main__":
    sys.exit(main())
