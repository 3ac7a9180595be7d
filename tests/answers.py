#!/usr/bin/env python3
"""answers.py: builds a microphone WAV that answers a session's questions.

    answers.py OUT.wav --fc FLOORCOACH --routine R [--voice V] [--noise N.wav]
               [--snr DB] [--at SECONDS:PHRASE ...] [--echo DB] -- ANSWER...

Runs floorcoach in file mode again and again: each run shows the next
question (a `say` of kind `prompt`) that has no answer yet, and the next
ANSWER is placed 0.4 s after that question ends. --at places a phrase at a
moment of its own (e.g. during a hold). Replies are synthesized with
espeak-ng (voice --voice) over a noise floor (--noise at --snr, or a faint
white noise); an ANSWER "@FILE.wav" is that recording (16 kHz mono). Prints how many answers were placed; the caller checks the
session's log to see whether they were understood."""
import argparse
import array
import json
import math
import os
import random
import subprocess
import sys
import tempfile
import wave

RATE = 16000


def read_wav(path):
    with wave.open(path, "rb") as w:
        assert w.getsampwidth() == 2 and w.getnchannels() == 1 and w.getframerate() == RATE, path
        a = array.array("h", w.readframes(w.getnframes()))
    if sys.byteorder == "big":
        a.byteswap()
    return a


def write_wav(path, samples):
    a = array.array("h", (max(-32768, min(32767, int(x))) for x in samples))
    if sys.byteorder == "big":
        a.byteswap()
    with wave.open(path, "wb") as w:
        w.setnchannels(1)
        w.setsampwidth(2)
        w.setframerate(RATE)
        w.writeframes(a.tobytes())


def synth(text, voice, tmp, rate=None):
    raw = os.path.join(tmp, "s.wav")
    out = os.path.join(tmp, "s16.wav")
    cmd = ["espeak-ng", "-v", voice, "-w", raw]
    if rate:
        cmd += ["-s", str(rate)]
    subprocess.run(cmd + [text], check=True)
    subprocess.run(["sox", "-R", raw, "-r", str(RATE), "-c", "1", "-b", "16", out], check=True)
    return read_wav(out)


def rms(a):
    return math.sqrt(sum(x * x for x in a) / max(1, len(a)))


def active_rms(a):
    """RMS of the loud part (frames within 30 dB of the loudest)."""
    frames = [a[i:i + 320] for i in range(0, len(a) - 320, 320)]
    levels = [rms(f) for f in frames]
    top = max(levels) if levels else 0
    loud = [l for l in levels if l > top / 31.6]
    return math.sqrt(sum(l * l for l in loud) / max(1, len(loud)))


class Mic:
    def __init__(self, seconds, noise, snr, voice, tmp, seed):
        self.voice = voice
        self.tmp = tmp
        self.snr = snr
        self.len = int(seconds * RATE)
        self.speech = array.array("f", bytes(4 * self.len))
        rnd = random.Random(seed)
        if noise:
            n = read_wav(noise)
            off = rnd.randrange(len(n))
            self.noise = array.array("f", (n[(off + i) % len(n)] for i in range(self.len)))
        else:
            self.noise = array.array("f", (rnd.gauss(0, 60) for _ in range(self.len)))
        self.noise_rms = rms(self.noise[:RATE * 20]) or 1.0

    def place(self, at, text, snr=None, voice=None):
        """Adds `text` at `at` seconds, in the mic's voice and SNR unless
        others are given (a TV: another voice, quieter). "@FILE.wav" places
        that recording (a real voice) instead."""
        s = read_wav(text[1:]) if text.startswith("@") else synth(text, voice or self.voice,
                                                                   self.tmp)
        gain = 1.0
        snr = self.snr if snr is None else snr
        if snr is not None:
            gain = self.noise_rms * 10 ** (snr / 20) / max(1.0, active_rms(s))
        start = int(at * RATE)
        for i, x in enumerate(s):
            if start + i < self.len:
                self.speech[start + i] += x * gain
        return start / RATE, (start + len(s)) / RATE

    def write(self, path):
        write_wav(path, (self.speech[i] + self.noise[i] for i in range(self.len)))


def run(fc, args, mic, log):
    if os.path.exists(log):
        os.unlink(log)
    subprocess.run([fc, "run"] + args + ["--mic", mic, "--log", log], stdout=subprocess.DEVNULL,
                   stderr=subprocess.DEVNULL, timeout=600)
    return [json.loads(l) for l in open(log)]


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("out")
    ap.add_argument("--fc", required=True)
    ap.add_argument("--routine", required=True)
    ap.add_argument("--voice", default="en-us+m3")
    ap.add_argument("--noise")
    ap.add_argument("--snr", type=float)
    ap.add_argument("--seconds", type=float, default=900)
    ap.add_argument("--at", action="append", default=[])
    ap.add_argument("--extra", action="append", default=[], help="more floorcoach options")
    ap.add_argument("answers", nargs="*")
    a = ap.parse_intermixed_args()
    tmp = tempfile.mkdtemp()
    mic = Mic(a.seconds, a.noise, a.snr, a.voice, tmp, 1)
    for spec in a.at:
        t, text = spec.split(":", 1)
        mic.place(float(t), text)
    micpath = os.path.join(tmp, "mic.wav")
    log = os.path.join(tmp, "log.jsonl")
    extra = [x for e in a.extra for x in e.split()]
    fcargs = [a.routine] + extra
    answered = 0
    prompts_seen = 0
    while True:
        mic.write(micpath)
        events = run(a.fc, fcargs, micpath, log)
        prompts = [e for e in events if e["ev"] == "say" and e["kind"] == "prompt"]
        if answered >= len(a.answers) or len(prompts) <= answered:
            break
        q = prompts[answered]
        mic.place(q["end"] + 0.4, a.answers[answered])
        answered += 1
    mic.write(a.out)
    print(json.dumps({"answers": answered, "prompts": len(prompts)}))


if __name__ == "__main__":
    main()
