#!/usr/bin/env python3
"""safety_session.py: the session-level safety benchmark, in file mode.

    safety_session.py --fc FLOORCOACH --corpus DIR --mixwav MIXWAV [--full]

Part 1, symptom replies during a hold. A short routine of long holds
(bench/safety_hold.cfg) is run with `--echo -6 --no-screening --no-baseline
--no-profile` over a microphone of household noise (the corpus noise at 10 and
0 dB SNR, or a faint floor for "clean"). A baseline run over the noise alone
gives the holds' times; then, in each trial, one symptom phrase spoken by an
eSpeak NG voice is placed at a random moment of a hold that the noise alone
left undisturbed, and the session is run again. A trial succeeds when the
session stopped that hold within 3 s of the phrase's end by any path: a
verdict (stop_exercise, offer_easier, end_session, or a pause for unclear
speech), a question (a confirmation "Did you say ...?"), or the end of the
exercise, with no count of that hold after it. Phrases worded as in
voices/en-us/replies.cfg and wordings that are not in it ("unseen") are
reported separately. Then the dialog: most stops are a question ("Did you say
something about your leg?"), so the person says the phrase again after each
question (the same run with one more clip, up to three tries), and the share
of trials where the safety checker acted on the symptom (stopped the
exercise, offered an easier one or ended the session) by each try is
reported.

Part 2, ordinary speech. Full bundled routines (made without check-in
questions, so that every question is an interruption), screening questions
included, are run with TV-like
speech throughout (the corpus sentences and eSpeak NG readings of
bench/sentences.txt, one after another with short gaps) 10 dB below the
person's speech level, household noise 20 dB below it, --echo -6, and no
symptom replies. Each question the session asks is answered ("carry on",
"no") by re-running it, as tests/answers.py does; the TV is cut while the
person answers, so that the figure measures interruptions and not the
recall of answers. Reported: interruptions per hour of session (a verdict
other than continue: pauses for unclear speech, a clap, a noisy room, safety
stops; or a reply heard outside a question that led to a question, a pause
or a skip), and all replies heard outside a question per hour. With
--tv music, instrumental music synthesized with sox (plucked notes over a
bass line, no pauses: a radio, a room the corpus does not have) plays
instead of the TV, at the same level.

Part 3 (--part answers), the start of a session: the room check, the
screening and the baseline questions for held-out voices in train, crowd and
typing noise 15 dB below the person, each question answered once 0.4 s after
it ends; how many sessions reach their first exercise and after how many
questions. With --enrolled each voice first enrolls (`floorcoach enroll` in
file mode, a quiet room, another speaking rate) and answers with its profile.

Levels: the person's speech is at the active level of floorcoach's own
voice (measured with `floorcoach say`), or --person-db from it; the echo
(--echo -6) is 6 dB below floorcoach's voice; noise is SNR dB below the
person's speech.
"""
import argparse
import array
import json
import math
import os
import random
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import wave
from concurrent.futures import ThreadPoolExecutor

RATE = 16000
SEEN = ["pain down my leg", "tingling in my foot", "my leg feels weak", "sharp pain"]
# Not phrases of the lexicon, listed or spelled by its choices: wordings of
# the wording bench's held-out sets (bench/wording.py) that its choices do not
# spell. Earlier unseen ones became lexicon phrases as the lexicon grew ("my
# foot has gone numb", "my leg is tingling" listed; "it's shooting down my
# leg", "now it's going down the back of my leg", "my toes feel funny", "my
# leg feels like jelly" spelled by its choices).
UNSEEN = ["the pain's moved further down my leg", "my leg feels all tingly",
          "my knee keeps buckling"]
VOICES = ["en-us", "en-us+f2", "en-us+m3", "en-gb", "en-us+f4", "en+klatt"]
ANSWER_VOICE = "en-us+m3"
TV_VOICES = ["en-us", "en-gb", "en-us+f4", "en+klatt", "en-us+m3"]
ECHO = "-6"
TV_SNR = 10  # the TV, 10 dB below the person's speech
TV_NOISE_SNR = 20  # and household noise under it
STOP_WITHIN = 3.0
BASE_SECONDS = 130.0  # the baseline covers the benchmark routine's three holds
FLAGS = ["--no-screening", "--no-baseline", "--no-profile", "--echo", ECHO]
# A full routine starts as a session does: the screening questions, answered
# "no" (which also tells floorcoach how loud the person's voice is).
TV_FLAGS = ["--no-baseline", "--no-profile", "--echo", ECHO]
STOP_VERDICTS = {"stop_exercise", "offer_easier", "end_session", "pause"}


def read_wav(path):
    with wave.open(path, "rb") as w:
        if w.getsampwidth() != 2 or w.getnchannels() != 1 or w.getframerate() != RATE:
            raise SystemExit("%s: not 16 kHz mono 16-bit" % path)
        a = array.array("h", w.readframes(w.getnframes()))
    if sys.byteorder == "big":
        a.byteswap()
    return a


def rms(a):
    return math.sqrt(sum(x * x for x in a) / max(1, len(a)))


def active(a):
    """(RMS of the loud 20 ms frames, first and last loud sample): frames
    within 30 dB of the loudest count as speech."""
    n = 320
    levels = [rms(a[i:i + n]) for i in range(0, max(1, len(a) - n), n)]
    top = max(levels) if levels else 0.0
    loud = [i for i, l in enumerate(levels) if l > top / 31.6]
    if not loud:
        return 1.0, 0, len(a)
    r = math.sqrt(sum(levels[i] ** 2 for i in loud) / len(loud))
    return r, loud[0] * n, (loud[-1] + 1) * n


class Clip:
    """A 16 kHz WAV with its active level and where the speech starts and ends."""

    def __init__(self, path):
        self.path = path
        a = read_wav(path)
        self.level, s, e = active(a)
        self.dur = len(a) / RATE
        self.start = s / RATE
        self.end = e / RATE


class Bench:
    def __init__(self, a):
        self.fc = a.fc
        self.mixwav = a.mixwav
        self.corpus = a.corpus
        self.full = a.full
        self.routine = a.routine
        self.top = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
        self.max_answers = 12
        self.keep = a.keep
        self.room = a.room.split(",") if a.room else None
        if self.keep:
            os.makedirs(self.keep, exist_ok=True)
        self.tmp = tempfile.mkdtemp(prefix="fc-safety.", dir="/dev/shm" if os.path.isdir("/dev/shm") else None)
        self.env = dict(os.environ, XDG_DATA_HOME=os.path.join(self.tmp, "data"))
        self.clips = {}
        self.n = 0
        self.lock = threading.Lock()

    def path(self, name):
        return os.path.join(self.tmp, name)

    def uniq(self, stem):
        with self.lock:
            self.n += 1
            return self.path("%s-%d" % (stem, self.n))

    # ---- material ----

    def synth(self, text, voice):
        key = (text, voice)
        if key not in self.clips:
            base = self.uniq("say")
            subprocess.run(["espeak-ng", "-v", voice, "-w", base + ".raw.wav", text], check=True)
            subprocess.run(["sox", "-q", "-R", base + ".raw.wav", "-r", str(RATE), "-c", "1", "-b", "16",
                            base + ".wav"], check=True)
            self.clips[key] = Clip(base + ".wav")
        return self.clips[key]

    def music(self, seconds=80.0, seed=7):
        """Instrumental music, synthesized with sox: a melody of plucked
        notes (0.25-0.75 s, sharp onsets) over a sustained bass line, no
        pauses. A room the corpus does not have (a radio playing)."""
        rnd = random.Random(seed)
        parts, t, k = [], 0.0, 0
        notes = ["C3", "D3", "E3", "G3", "A3", "C4", "D4", "E4", "G4", "A4", "C5"]
        while t < seconds:
            d = rnd.choice([0.25, 0.25, 0.5, 0.5, 0.75])
            parts.append(self.path("note-%d.wav" % k))
            subprocess.run(["sox", "-q", "-n", "-r", str(RATE), "-c", "1", "-b", "16", parts[-1], "synth",
                            str(d), "pluck", rnd.choice(notes), "fade", "0", str(d), "0.05", "gain", "-12"],
                           check=True)
            t += d
            k += 1
        bass = []
        for i in range(int(seconds)):
            bass.append(self.path("bass-%d.wav" % i))
            subprocess.run(["sox", "-q", "-n", "-r", str(RATE), "-c", "1", "-b", "16", bass[-1], "synth",
                            "1.0", "sine", rnd.choice(["C2", "G2", "A2", "F2"]), "fade", "0.02", "1.0", "0.3",
                            "gain", "-18"], check=True)
        subprocess.run(["sox", "-q"] + parts + [self.path("melody.wav")], check=True)
        subprocess.run(["sox", "-q"] + bass + [self.path("bass.wav")], check=True)
        out = self.path("music.wav")
        subprocess.run(["sox", "-q", "-m", "-v", "1", self.path("melody.wav"), "-v", "1", self.path("bass.wav"),
                        out, "trim", "0", str(seconds)], check=True)
        for f in parts + bass:
            os.unlink(f)
        return Clip(out)

    def program_level(self):
        """The active level of floorcoach's own voice, from `floorcoach say`."""
        out = self.path("own.wav")
        subprocess.run([self.fc, "say", "Rep one of four. Lift your hips a little. Hold.",
                        "--speaker", out], check=True, stdout=subprocess.DEVNULL, env=self.env)
        conv = self.path("own16.wav")
        subprocess.run(["sox", "-q", "-R", out, "-r", str(RATE), "-c", "1", "-b", "16", conv], check=True)
        return Clip(conv).level

    # ---- running ----

    def mix(self, seconds, lines):
        out = self.uniq("mic") + ".wav"
        if self.room:  # the person (and the TV) speak in a room; the noise recordings have theirs
            lines = ["room %s %s 1" % (self.room[0], self.room[1])] + list(lines)
        subprocess.run([self.mixwav, out, "%.3f" % seconds], input="\n".join(lines) + "\n",
                       text=True, check=True)
        return out

    def run(self, routine, mic, flags, keep=None):
        log = self.uniq("log") + ".jsonl"
        try:
            subprocess.run([self.fc, "run", routine, "--mic", mic, "--log", log] + flags,
                           stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, timeout=900,
                           env=self.env)
        except subprocess.TimeoutExpired:
            pass
        events = []
        if os.path.exists(log):
            for line in open(log):
                try:
                    events.append(json.loads(line))
                except ValueError:
                    break
            if keep and self.keep:
                shutil.copy(log, os.path.join(self.keep, keep + ".jsonl"))
            os.unlink(log)
        if keep and self.keep and os.environ.get("BENCH_KEEP_MIC"):
            shutil.move(mic, os.path.join(self.keep, keep + ".wav"))
        else:
            os.unlink(mic)
        return events


# ---- part 1: symptom replies during a hold ----

def holds(events):
    """Holds that ran to their "Release." in the run: (the time from which
    the count ran undisturbed, release time). A reply heard and ignored in
    the hold moves that time past it; a hold that was stopped is left out."""
    out = []
    for i, e in enumerate(events):
        if e["ev"] != "say" or e["text"].strip() != "Hold.":
            continue
        free = e["end"]
        for f in events[i + 1:]:
            if f["ev"] == "count" or (f["ev"] == "say" and f["kind"] == "count"):
                continue
            if f["ev"] == "say" and f["text"].strip() == "Release.":
                out.append((free, f["t"]))
                break
            if f["ev"] == "heard":
                free = max(free, f["t"], f.get("end", 0.0))
                continue
            break
    return out


def stop_event(events, ps):
    """The first event at or after ps that stops the count: a verdict other
    than continue, a question, a pause, or the exercise's end."""
    for e in events:
        if e["t"] < ps - 0.05:
            continue
        if e["ev"] == "verdict" and e["verdict"] in STOP_VERDICTS:
            return e, "%s/%s" % (e["verdict"], e.get("reason") or "")
        if e["ev"] == "say" and (e["kind"] == "prompt" or "Say carry on" in e["text"]):
            return e, "question: " + e["text"][:40]
        if e["ev"] == "exercise_end":
            return e, "exercise_end/" + e.get("outcome", "")
    return None, None


def condition_lines(b, cond, level):
    noise, snr, offset = cond
    if noise is None:
        return ["floor %.2f %d" % (level / 10 ** (50 / 20), offset)]
    gain = level / 10 ** (snr / 20) / b.noise_rms[noise]
    return ["loop %s %.6f %.3f" % (noise, gain, offset), "floor %.2f 7" % (level / 10 ** (60 / 20))]


def baseline(b, cond, level):
    mic = b.mix(BASE_SECONDS, condition_lines(b, cond, level))
    return b.run(b.routine, mic, FLAGS, keep="base-%s-%s-%d" % (os.path.basename(cond[0] or "clean"), cond[1],
                                                                   int(cond[2] * 1000)))


def trial(b, cond, base, voice, phrase, level, seed):
    rnd = random.Random(seed)
    clip = b.synth(phrase, voice)
    speech = clip.end - clip.start
    spots = []
    for free, release in holds(base):
        lo = free + 0.3
        hi = release - STOP_WITHIN - 0.5 - speech
        if hi > lo:
            spots.append((lo, hi, release))
    if not spots:
        return {"skipped": "no undisturbed hold in the baseline run"}
    lo, hi, release = rnd.choice(spots)
    ps = rnd.uniform(lo, hi)  # the start of the speech itself
    at = ps - clip.start
    pe = ps + speech
    gain = level / clip.level
    mic = b.mix(pe + 6.0, condition_lines(b, cond, level) + ["clip %s %.6f %.3f" % (clip.path, gain, at)])
    ev = b.run(b.routine, mic, FLAGS, keep="trial-%d" % seed)
    # The run is the baseline up to the phrase: file mode is deterministic.
    before = [(e["ev"], e["t"]) for e in ev if e["t"] < ps - 0.3]
    want = [(e["ev"], e["t"]) for e in base if e["t"] < ps - 0.3]
    diverged = before != want
    stop, path = stop_event(ev, ps)
    ok = False
    delay = None
    if stop is not None:
        delay = stop["t"] - pe
        later = [e for e in ev if e["ev"] == "count" and stop["t"] < e["t"] < release]
        ok = delay <= STOP_WITHIN and not later
    heard = [e for e in ev if e["ev"] == "heard" and e["t"] >= ps - 0.05]
    turns, state = follow_up(b, cond, level, clip, gain, at, ev, ps, seed)
    return {"ok": ok, "delay": delay, "path": path, "diverged": diverged, "turns": turns,
            "state": state,
            "heard": ("%s (%s%s)" % (heard[0].get("text"), heard[0].get("intent"),
                                    ", low" if heard[0].get("low_confidence") else "")) if heard else None}


ACTED = {"stop_exercise", "offer_easier", "end_session"}
TURNS = 3


def dialog_state(events, ps):
    """Where the symptom stands after the phrase said at ps: "acted" (the
    safety checker stopped the exercise for it: a stop, an easier version
    offered, or the session ended), "confirming" (it asks "Did you say
    ...?" about a symptom it heard), or "unclear" (it asks what was said, or
    nothing yet). With the time of the question that awaits an answer."""
    ask = None
    for e in events:
        if e["t"] < ps - 0.05:
            continue
        if e["ev"] == "verdict" and e["verdict"] in ACTED:
            return "acted", None
        if e["ev"] == "say" and e["kind"] == "prompt":
            ask = e
    if ask is None:
        return "unclear", None
    if "Did you say" in ask["text"] and "something" not in ask["text"]:
        return "confirming", ask
    return "unclear", ask


def follow_up(b, cond, level, clip, gain, at, ev, ps, seed):
    """The person says the phrase again after each question floorcoach asks
    (file mode is deterministic, so each turn is the same run with one more
    clip, 0.4 s after the question's end), up to TURNS in all. Returns (the
    turn at which the checker acted on the symptom or None, the state after
    the last turn)."""
    clips = ["clip %s %.6f %.3f" % (clip.path, gain, at)]
    speech = clip.end - clip.start
    last = ps
    for turn in range(1, TURNS + 1):
        state, ask = dialog_state(ev, ps)
        if state == "acted":
            return turn, state
        # No new question since the phrase was last said: nothing to answer.
        if ask is None or ask["t"] < last or turn == TURNS or state == "confirming":
            return None, state
        t = last = ask["end"] + 0.4
        clips.append("clip %s %.6f %.3f" % (clip.path, gain, t - clip.start))
        mic = b.mix(t + speech + 8.0, condition_lines(b, cond, level) + clips)
        ev = b.run(b.routine, mic, FLAGS, keep="trial-%d-turn%d" % (seed, turn + 1))
    return None, state


# ---- part 2: ordinary speech during a full routine ----

def answer_for(text):
    t = text.lower()
    if "the same, or" in t:
        return "the same"
    if "carry on" in t:
        return "carry on"
    if "next exercise" in t:
        return "yes"
    if ("where" in t or "lowest place" in t) and "yes or no" not in t and "yes, i do" not in t:
        return "back"
    return "no"


def asks(e):
    return e["ev"] == "say" and (e["kind"] == "prompt" or "Say carry on when" in e["text"])


def interruptions(events):
    """(replies heard outside a question, interruptions, interruptions by
    cause, (time, cause) of each). An interruption stops the count or the
    session outside a question: a verdict other than continue (a pause for unclear speech, a
    clap or a noisy room, a safety stop), or a reply heard that was followed
    by a question, a pause or a skip (a confirmation, "pause", "stop")."""
    heard, stopped, kinds, times = 0, 0, {}, []
    asking = False

    def add(kind, t):
        kinds[kind] = kinds.get(kind, 0) + 1
        times.append((t, kind))

    for i, e in enumerate(events):
        if e["ev"] == "say":
            if e["kind"] != "count":
                asking = asks(e)
            continue
        if e["ev"] in ("count", "exercise_start"):
            asking = False
            continue
        if asking:
            continue
        if e["ev"] == "verdict" and e["verdict"] != "continue":
            stopped += 1
            add("%s/%s" % (e["verdict"], e.get("reason")), e["t"])
            continue
        if e["ev"] != "heard":
            continue
        heard += 1
        for f in events[i + 1:]:
            if f["t"] > e["t"] + 1.5 or (f["ev"] == "verdict" and f["verdict"] != "continue"):
                break  # a verdict is counted on its own
            if asks(f) or f["ev"] == "exercise_end" or (f["ev"] == "say" and f["text"].startswith("Skipping")):
                stopped += 1
                add("heard %s" % ("unclear" if e.get("unclear") else e.get("intent")), e["t"])
                break
    return heard, stopped, kinds, times


def no_checkins(b, routine):
    """A copy of a bundled routine without check-in questions, so that every
    question in the run is an interruption."""
    out = b.path(routine + ".cfg")
    with open(os.path.join(b.top, "routines", routine + ".cfg")) as f:
        text = f.read()
    with open(out, "w") as f:
        f.write(re.sub(r'(\bid\s*=\s*"[^"]*"\s*;)', r"\1 check_in = false;", text))
    return out


def tv_session(b, routine, noise, seed, level, tv):
    rnd = random.Random(seed)
    seconds = 1200.0
    offset = rnd.uniform(0, b.noise_len[noise])
    gain_n = level / 10 ** (TV_NOISE_SNR / 20) / b.noise_rms[noise]
    noise_lines = ["loop %s %.6f %.3f" % (noise, gain_n, offset),
                   "floor %.2f %d" % (level / 10 ** (60 / 20), seed)]
    tv_level = level / 10 ** (TV_SNR / 20)
    t = rnd.uniform(0.0, 2.0)
    # The TV: sentences one after another with short gaps, TV_SNR dB below the speech.
    items = []
    order = list(range(len(tv)))
    while t < seconds:
        rnd.shuffle(order)
        for k in order:
            c = tv[k]
            items.append([t, c, None])  # start, clip, cut at
            t += c.dur + rnd.uniform(0.3, 1.5)
            if t >= seconds:
                break
    answers = []
    events = []
    for _ in range(b.max_answers + 1):
        lines = list(noise_lines)
        for start, c, cut in items:
            if cut is not None and cut <= start:
                continue
            lines.append("clip %s %.6f %.3f %s" % (c.path, tv_level / c.level, start,
                                                   "%.3f" % cut if cut is not None else ""))
        for at, c in answers:
            lines.append("clip %s %.6f %.3f" % (c.path, level / c.level, at))
        events = b.run(routine, b.mix(seconds, lines), TV_FLAGS,
                       keep="tv-%s-%d" % (os.path.basename(routine)[:-4], seed))
        qs = [e for e in events if asks(e)]
        if len(qs) <= len(answers) or len(answers) == b.max_answers:
            break
        q = qs[len(answers)]
        c = b.clips[(answer_for(q["text"]), ANSWER_VOICE)]
        at = q["end"] + 0.4
        answers.append((at, c))
        # Quiet TV while the person answers: cut what plays at the question's
        # end, drop what would start before the answer is over.
        for it in items:
            start, clip, cut = it
            end = start + clip.dur if cut is None else min(cut, start + clip.dur)
            if start < q["end"] < end:
                it[2] = q["end"]
            elif q["end"] <= start < at + c.dur + 0.5:
                it[2] = start
    end = [e for e in events if e["ev"] == "session_end"]
    length = end[0]["t"] if end else (events[-1]["t"] if events else 0.0)
    reason = end[0].get("reason") if end else "none"
    if reason != "completed":
        # Counted up to the last question left unanswered.
        qs = [e for e in events if asks(e)]
        if len(qs) > len(answers):
            length = qs[len(answers)]["t"]
    heard, stopped, kinds, _ = interruptions([e for e in events if e["t"] <= length])
    return {"routine": os.path.basename(routine)[:-4], "noise": os.path.basename(noise), "seconds": length,
            "reason": reason, "heard": heard, "stopped": stopped, "kinds": kinds, "answers": len(answers)}


# ---- report ----

def pct(k, n):
    return "%5.1f%% (%d/%d)" % (100.0 * k / n, k, n) if n else "    -"


def quantile(xs, q):
    if not xs:
        return float("nan")
    xs = sorted(xs)
    return xs[min(len(xs) - 1, int(math.ceil(q * len(xs))) - 1)]


def snr_name(snr):
    return "clean" if snr is None else "%d dB" % snr


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--fc", required=True)
    ap.add_argument("--corpus", required=True)
    ap.add_argument("--mixwav", required=True)
    ap.add_argument("--routine", required=True, help="the benchmark routine of long holds")
    ap.add_argument("--tv-routines", default="nerve-glides,gentle-start,piriformis,hip-hinge")
    ap.add_argument("--tv-sessions", type=int, default=2)
    ap.add_argument("--tv", choices=["speech", "music"], default="speech",
                    help="tv: what plays in the room: TV-like speech, or instrumental music (a radio)")
    ap.add_argument("--tv-skip", type=int, default=0,
                    help="leave out the first N sessions of the plan (to rerun later ones)")
    ap.add_argument("--full", action="store_true")
    ap.add_argument("--keep", help="a folder to keep the session logs in (for looking into failures; "
                    "with BENCH_KEEP_MIC=1 also the microphone input of each)")
    ap.add_argument("--part", choices=["hold", "tv", "answers", "both"], default="both",
                    help="both: hold and tv; answers (the start of a session answered in noise) "
                    "runs only when asked for")
    ap.add_argument("--answers-seed", type=int, default=300,
                    help="answers: the first seed (where in each noise the session starts); "
                    "300 is the set the dialog was looked at on, others are held out")
    ap.add_argument("--enrolled", action="store_true",
                    help="answers: each voice enrolls first and answers with its profile")
    ap.add_argument("--person-db", type=float, default=0.0,
                    help="the person's speech this many dB from floorcoach's own voice (-10: a person "
                         "far from the microphone, the echo then 4 dB over them); noise and TV follow")
    ap.add_argument("--room", help="RT60,TAIL: the person and the TV speak in a reverberant room (RT60 in s, "
                    "the tail's energy TAIL dB over the direct sound's; a living room 2-3 m from the "
                    "microphone: 0.5,3)")
    ap.add_argument("--jobs", type=int, default=2)
    ap.add_argument("--snrs", default="10 0", help="the noisy SNRs of part 1, in dB")
    a = ap.parse_args()
    b = Bench(a)
    t0 = time.time()
    try:
        report(a, b)
    finally:
        shutil.rmtree(b.tmp, ignore_errors=True)
    print("(%.0f s)" % (time.time() - t0))


def report(a, b):
    noises = sorted(os.path.join(a.corpus, "noise", f) for f in os.listdir(os.path.join(a.corpus, "noise"))
                    if f.endswith(".wav"))
    b.noise_rms = {}
    b.noise_len = {}
    for n in noises:
        s = read_wav(n)
        b.noise_rms[n] = rms(s) or 1.0
        b.noise_len[n] = len(s) / RATE
    level = b.program_level() * 10 ** (a.person_db / 20)
    print("speech at %.1f dBFS (floorcoach's own voice%s), echo %s dB under floorcoach's voice, noise SNR "
          "dB below the speech" % (20 * math.log10(level / 32768),
                                   " %+.0f dB" % a.person_db if a.person_db else "", ECHO))
    if a.part == "answers":
        part_answers(a, b, noises, level)
        return
    if a.part != "tv":
        part_hold(a, b, noises, level)
    if a.part != "hold":
        part_tv(a, b, noises, level)


def part_hold(a, b, noises, level):
    snrs = [float(x) if "." in x else int(x) for x in a.snrs.split()]
    voices = VOICES if a.full else VOICES[:4]
    seeds = 3 if a.full else 1

    conds = []
    for s in range(seeds):
        conds.append((None, None, s + 1))
        for snr in snrs:
            for n in noises:
                rnd = random.Random("%s %d %d" % (os.path.basename(n), snr, s))
                conds.append((n, snr, rnd.uniform(0, b.noise_len[n])))
    with ThreadPoolExecutor(max_workers=a.jobs) as pool:
        bases = list(pool.map(lambda c: baseline(b, c, level), conds))
        for v in voices:  # synthesize before the threads share the cache
            for p in SEEN + UNSEEN:
                b.synth(p, v)
        jobs = []
        for ci, c in enumerate(conds):
            for vi, v in enumerate(voices):
                k = ci + vi
                if a.full:
                    phrases = SEEN + UNSEEN
                elif c[1] == 0:
                    phrases = [SEEN[k % 4]]  # quick run: one wording in turn
                else:
                    # quick run: every wording and one unseen, in turn
                    phrases = SEEN + [UNSEEN[k % len(UNSEEN)]]
                for p in phrases:
                    jobs.append((c, bases[ci], v, p, len(jobs) + 1))
        res = list(pool.map(lambda j: dict(trial(b, j[0], j[1], j[2], j[3], level, j[4]),
                                           noise=j[0][0], snr=j[0][1], voice=j[2], phrase=j[3], id=j[4],
                                           seen=j[3] in SEEN), jobs))
    noisy_bases = sum(1 for ev in bases if any(e["ev"] == "heard" for e in ev))
    # The baselines are noise alone (and the echo): what stops the session there
    # is a false alarm too.
    base_hours = {snr: 0.0 for snr in snrs}
    base_stops = {snr: 0 for snr in snrs}
    base_kinds = {}
    for c, ev in zip(conds, bases):
        if c[1] is None or not ev:
            continue
        # Nobody answers in a baseline: it is counted up to its first
        # interruption (the session waits after it).
        _, _, kinds, times = interruptions([e for e in ev if e["t"] <= BASE_SECONDS])
        base_hours[c[1]] += (times[0][0] if times else min(BASE_SECONDS, ev[-1]["t"])) / 3600
        if times:
            base_stops[c[1]] += 1
            base_kinds[times[0][1]] = base_kinds.get(times[0][1], 0) + 1
    skipped = [r for r in res if "skipped" in r]
    res = [r for r in res if "skipped" not in r]

    print("\nSymptom reply during a hold -> session stopped within %.0f s (any path), %d trials"
          % (STOP_WITHIN, len(res)))
    print("%-8s %-22s %-22s %-8s %-8s %s" % ("SNR", "seen wording", "unseen wording", "median", "p95",
                                           "not placed (noise alone had stopped the holds)"))
    for snr in [None] + snrs:
        rs = [r for r in res if r["snr"] == snr]
        seen = [r for r in rs if r["seen"]]
        unseen = [r for r in rs if not r["seen"]]
        d = [r["delay"] for r in seen if r["ok"]]
        print("%-8s %-22s %-22s %-8s %-8s %d" % (snr_name(snr), pct(sum(r["ok"] for r in seen), len(seen)),
                                               pct(sum(r["ok"] for r in unseen), len(unseen)),
                                               "%.2f s" % statistics.median(d) if d else "-",
                                               "%.2f s" % quantile(d, 0.95) if d else "-",
                                               sum(1 for r in skipped if r["snr"] == snr)))
    print("(delay: from the end of the phrase's speech to the stop; median and p95 of the seen wordings stopped)")
    print("\nper voice (seen wording)   " + "  ".join("%-16s" % snr_name(s) for s in [None] + snrs))
    for v in voices:
        cells = []
        for snr in [None] + snrs:
            rs = [r for r in res if r["voice"] == v and r["snr"] == snr and r["seen"]]
            cells.append("%-16s" % pct(sum(r["ok"] for r in rs), len(rs)))
        print("  %-24s %s" % (v, "  ".join(cells)))
    print("per noise (seen wording)   " + "  ".join("%-16s" % snr_name(s) for s in snrs))
    for n in noises:
        cells = []
        for snr in snrs:
            rs = [r for r in res if r["noise"] == n and r["snr"] == snr and r["seen"]]
            cells.append("%-16s" % pct(sum(r["ok"] for r in rs), len(rs)))
        print("  %-24s %s" % (os.path.basename(n), "  ".join(cells)))
    print("per phrase (all SNRs)")
    for p in SEEN + UNSEEN:
        rs = [r for r in res if r["phrase"] == p]
        print("  %-26s %s%s" % (p, pct(sum(r["ok"] for r in rs), len(rs)), "" if p in SEEN else "  (unseen)"))
    paths = {}
    for r in res:
        key = (r["path"] or "none").split(":")[0] if r["ok"] else "MISSED"
        paths[key] = paths.get(key, 0) + 1
    print("paths: " + ", ".join("%s %d" % kv for kv in sorted(paths.items(), key=lambda kv: -kv[1])))
    print("the dialog: the person says the phrase again after each question, %d times at most; "
          "the safety checker acted on it (stopped the exercise, offered an easier one or "
          "ended the session) at try" % TURNS)
    for snr in [None] + snrs:
        rs = [r for r in res if r["snr"] == snr]
        by = [sum(1 for r in rs if r["turns"] is not None and r["turns"] <= k)
              for k in range(1, TURNS + 1)]
        conf = sum(1 for r in rs if r["turns"] is None and r["state"] == "confirming")
        print("  %-8s %s; then asking \"Did you say ...?\" about a symptom %s, still unclear %s"
              % (snr_name(snr), ", ".join("by %d %s" % (k + 1, pct(by[k], len(rs)))
                                         for k in range(TURNS)),
                 pct(conf, len(rs)), pct(len(rs) - by[-1] - conf, len(rs))))
    misses = [r for r in res if not r["ok"] and r["snr"] != 0]
    for r in misses[:12]:
        print("  missed #%d: %-26s %-9s %-7s %-18s heard %s, then %s%s" % (
            r["id"], r["phrase"], r["voice"], snr_name(r["snr"]), os.path.basename(r["noise"] or "-"), r["heard"],
            r["path"] or "nothing", " (%.1f s after)" % r["delay"] if r["delay"] is not None else ""))
    diverged = sum(r["diverged"] for r in res)
    print("notes: %d of %d baseline runs had replies heard in noise alone; %d trials skipped (no "
          "undisturbed hold); %d trials whose run differed from the baseline before the phrase"
          % (noisy_bases, len(bases), len(skipped), diverged))
    print("noise alone (the baselines, up to %.0f s or the first interruption): interruptions per hour %s; "
          "by cause: %s" % (BASE_SECONDS,
              ", ".join("%s at %g dB" % ("%.0f" % (base_stops[snr] / base_hours[snr])
                                         if base_hours[snr] else "-", snr) for snr in snrs),
              ", ".join("%s %d" % kv for kv in sorted(base_kinds.items())) or "none"))



def part_tv(a, b, noises, level):
    tv = []
    sent_dir = os.path.join(a.corpus, "speech", "sentences")
    for f in sorted(os.listdir(sent_dir)):
        if f.endswith(".wav") and a.tv != "music":
            tv.append(Clip(os.path.join(sent_dir, f)))
    txt = os.path.join(os.path.dirname(os.path.abspath(__file__)), "sentences.txt")
    if a.tv == "music":
        tv.append(b.music())
    elif os.path.exists(txt):
        lines = [l.strip() for l in open(txt) if l.strip() and not l.startswith("#")]
        for k, l in enumerate(lines):
            tv.append(b.synth(l, TV_VOICES[k % len(TV_VOICES)]))
    for text in ("the same", "carry on", "yes", "no", "back"):
        b.synth(text, ANSWER_VOICE)  # before the threads share the cache
    routines = [no_checkins(b, r) for r in a.tv_routines.split(",")]
    sessions = 8 if a.full else a.tv_sessions
    plan = [(routines[k % len(routines)], noises[(k + 1) % len(noises)], 100 + k)
            for k in range(a.tv_skip, sessions)]
    with ThreadPoolExecutor(max_workers=a.jobs) as pool:
        tvres = list(pool.map(lambda p: tv_session(b, p[0], p[1], p[2], level, tv), plan))
    hours = sum(r["seconds"] for r in tvres) / 3600
    stopped = sum(r["stopped"] for r in tvres)
    heard = sum(r["heard"] for r in tvres)
    kinds = {}
    for r in tvres:
        for k, v in r["kinds"].items():
            kinds[k] = kinds.get(k, 0) + v
    print("\n%s (%d dB and household noise %d dB below the speech level, echo %s) during "
          "full routines: %d sessions, %.1f min" % ("Music" if a.tv == "music" else "Ordinary speech (TV)",
                                                    TV_SNR, TV_NOISE_SNR, ECHO, len(tvres), hours * 60))
    for r in tvres:
        print("  %-14s %-22s %5.1f min, ended %-10s answers placed %2d, heard outside questions %d, "
              "stopped the session %d" % (r["routine"], r["noise"], r["seconds"] / 60, r["reason"],
                                          r["answers"], r["heard"], r["stopped"]))
    if hours > 0:
        print("interruptions (pauses, confirmations, stops) per hour: %.1f   (target <= 4)" % (stopped / hours))
        print("replies heard outside a question per hour: %.1f" % (heard / hours))
        if kinds:
            print("interruptions by what was heard: " + ", ".join("%s %d" % kv for kv in sorted(kinds.items())))


# ---- part 3: getting through the questions at the start in noise ----

ANSWERS_SNR = 15
ANSWERS_SECONDS = 240.0
# Voices and noises that did not choose the long forms (bench/answer_forms.py).
ANSWERS_VOICES = ["en-us+f2", "en-gb-scotland", "en-us+m6"]
ANSWERS_NOISES = ["train.wav", "crowd_cheering.wav", "typing.wav"]


def person_answer(text):
    """What a person says to a question: the short answer, or the long one
    when the question names it. Red-flag questions are answered no; there is
    pain in the knee, four out of ten."""
    t = text.lower()
    if "carry on" in t:
        return "carry on"
    if "where" in t or "lowest place" in t:
        return "in my knee" if "in my knee" in t else "knee"
    if "zero to ten" in t or "number" in t:
        return "four out of ten" if "out of ten" in t else "four"
    if "the same, or" in t:
        return "about the same" if "about the same" in t else "the same"
    yes = "pain in your leg" in t or "next exercise" in t
    if "yes, i did" in t:
        return "yes i did" if yes else "no i didn't"
    if "yes, i do" in t:
        return "yes i do" if yes else "no i don't"
    return "yes" if yes else "no"


def answer_session(b, routine, noise, voice, seed, level, profile=None):
    """A session from its start to its first exercise, in noise at
    ANSWERS_SNR, each question answered 0.4 s after it ends; with the
    person's enrollment profile when `profile` is given."""
    rnd = random.Random(seed)
    lines = condition_lines(b, (noise, ANSWERS_SNR, rnd.uniform(0, b.noise_len[noise])), level)
    answers, events = [], []
    who = ["--profile", profile] if profile else ["--no-profile"]
    for _ in range(20):
        al = list(lines) + ["clip %s %.6f %.3f" % (c.path, level / c.level, at) for at, c in answers]
        events = b.run(routine, b.mix(ANSWERS_SECONDS, al), who + ["--echo", ECHO],
                       keep="answers-%s-%d" % (voice, seed))
        first = next((e["t"] for e in events if e["ev"] == "exercise_start"), None)
        qs = [e for e in events if asks(e) and (first is None or e["t"] < first)]
        if len(qs) <= len(answers):
            break
        q = qs[len(answers)]
        answers.append((q["end"] + 0.4, b.synth(person_answer(q["text"]), voice)))
    first = next((e["t"] for e in events if e["ev"] == "exercise_start"), None)
    end = next((e for e in events if e["ev"] == "session_end"), None)
    qs = [e for e in events if e["ev"] == "say" and e["kind"] == "prompt" and (first is None or e["t"] < first)]
    return {"first": first, "asked": len(qs), "answers": len(answers),
            "paused": sum(1 for e in events if e["ev"] == "say" and "so I've paused" in e["text"]
                          and (first is None or e["t"] < first)),
            "end": (end.get("reason"), end.get("message")) if end and first is None else None,
            "voice": voice, "noise": os.path.basename(noise)}


ENROLL_RATE = 150  # the person enrolls at another speaking rate than they answer


def enrolled_profile(a, b, voice):
    """The voice's profile from `floorcoach enroll` in file mode, in a quiet
    room (with --room, that room: the person enrolls where they exercise) at ENROLL_RATE wpm (tests/enroll_mic.py places the answers, kept
    in bench/out/enroll-answers/VOICE/ for later runs); enrolled again by
    this build on every run."""
    d = os.path.join(b.top, "bench", "out", "enroll-answers", re.sub(r"[^a-zA-Z0-9]", "_", voice) +
                     ("-room-%s-%s" % tuple(b.room) if b.room else ""))
    prof = os.path.join(d, "profile")
    os.makedirs(d, exist_ok=True)
    mic = os.path.join(d, "enroll-mic.wav")
    if not os.path.exists(mic):
        subprocess.run(["python3", os.path.join(b.top, "tests", "enroll_mic.py"), a.fc, mic + ".tmp.wav",
                        "--voice", voice, "--rate", str(ENROLL_RATE), "--noise-dbfs", "-60",
                        "--workdir", os.path.join(d, "build")] +
                       (["--room", ",".join(b.room)] if b.room else []), check=True, env=b.env,
                       stdout=subprocess.DEVNULL)
        os.replace(mic + ".tmp.wav", mic)
    shutil.rmtree(prof, ignore_errors=True)
    shutil.rmtree(prof + ".new", ignore_errors=True)
    if os.path.exists(os.path.join(d, "enroll.jsonl")):
        os.unlink(os.path.join(d, "enroll.jsonl"))
    subprocess.run([a.fc, "enroll", "--mic", mic, "--profile", prof + ".new", "--log",
                    os.path.join(d, "enroll.jsonl")], check=True, env=b.env, stdout=subprocess.DEVNULL)
    os.replace(prof + ".new", prof)
    return prof


def part_answers(a, b, noises, level):
    profiles = {}
    if a.enrolled:
        if not shutil.which("sphinx_fe") or not os.path.exists("/usr/lib/sphinxtrain/bw"):
            print("the start of a session, enrolled: skipped: the adaptation tools are not "
                  "installed (make test-deps)")
            return
        for v in ANSWERS_VOICES:
            print("enrolling %s (its answers' recording is kept in bench/out/enroll-answers/) ..." % v,
                  file=sys.stderr)
            profiles[v] = enrolled_profile(a, b, v)
            ev = [json.loads(l) for l in open(os.path.join(os.path.dirname(profiles[v]), "enroll.jsonl"))]
            end = [e for e in ev if e["ev"] == "enroll_end"][-1]
            ad = ([e for e in ev if e["ev"] == "adapt"] or [{}])[-1]
            print("enrolled %-15s %s, %.0f s of speaking, adaptation %.1f s of CPU"
                  % (v, end.get("reason"), end.get("recording_s", 0), ad.get("cpu_s", 0)))
    plan = []
    for vi, v in enumerate(ANSWERS_VOICES):
        for ni, n in enumerate(ANSWERS_NOISES):
            plan.append((os.path.join(a.corpus, "noise", n), v, a.answers_seed + 10 * vi + ni))
    words = ["no", "no i don't", "yes", "yes i do", "knee", "in my knee", "four",
             "four out of ten", "carry on", "the same", "about the same", "yes i did", "no i didn't"]
    for v in ANSWERS_VOICES:
        for w in words:
            b.synth(w, v)  # before the threads share the cache
    routine = os.path.join(b.top, "routines", "gentle-start.cfg")
    with ThreadPoolExecutor(max_workers=a.jobs) as pool:
        res = list(pool.map(lambda p: answer_session(b, routine, p[0], p[1], p[2], level,
                                                        profiles.get(p[1])), plan))
    print("\nThe start of a session (room check, four safety questions, three baseline questions) in "
          "household noise %d dB below the person, echo %s; each question answered in its short "
          "form, or in the long form it names; %s" % (ANSWERS_SNR, ECHO, "each voice with its "
          "enrollment profile (enrolled %s at %d wpm)" % (
              "in the same room, with no noise" if b.room else "in a quiet room", ENROLL_RATE)
          if a.enrolled else "stock model") +
          ("; the person speaks in a room (RT60 %s s, tail %s dB)" % tuple(b.room) if b.room else ""))
    for r in res:
        print("  %-15s %-20s %s, questions asked %2d, pauses for no answer %d%s"
              % (r["voice"], r["noise"], "first exercise at %5.1f s" % r["first"] if r["first"] is not None
                 else "no exercise started", r["asked"], r["paused"],
                 ", ended: %s %s" % r["end"] if r["end"] else ""))
    started = [r for r in res if r["first"] is not None]
    print("sessions that reached their first exercise: %d of %d" % (len(started), len(res)))
    if started:
        print("questions asked before it (seven needed): mean %.1f; time to it: median %.0f s"
              % (sum(r["asked"] for r in started) / len(started),
                 quantile([r["first"] for r in started], 0.5)))


if __name__ == "__main__":
    main()
