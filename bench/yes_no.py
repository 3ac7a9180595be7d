#!/usr/bin/env python3
"""yes_no.py: what a yes-or-no question hears, for real answers and for
symptoms that begin like a "no" ("i can't feel my leg" heard as "i don't").

    yes_no.py FLOORCOACH CORPUS OUTDIR

Each answer is synthesized with eSpeak NG in the four REPORT voices at two
rates, placed 2 s into a stream over a hiss (clean) or over the corpus's
dishes and tap noise at 10 dB (speech RMS over the noise's mean power), and
heard with `floorcoach hear --expect yes,no` (as right after the question).
Counts, per condition: real answers heard surely as themselves, heard as the
other answer; symptoms taken for a sure yes or no (the danger: a "no" carries
on past the symptom), for an unsure one (asked again), or as a symptom."""
import json
import os
import shutil
import subprocess
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "tests"))
from answers import Mic  # noqa: E402

NO = ["no", "nope", "no thanks", "no i'm fine", "no it's fine", "no it's okay", "no not really",
      "no i don't", "no i didn't", "not at all", "no nothing"]
YES = ["yes", "yeah", "yes please", "yes i do", "yes a little", "yeah a bit", "yes it is",
       "yes i did"]
SYMPTOMS = ["i can't feel my leg", "i can't hold my bladder", "i can't lift my leg",
            "i can't move my foot", "i can't really feel my toes", "i can't control my bladder"]
VOICES = ["en-us+m3", "en-us+f4", "en-gb-x-rp+m7", "en-us+klatt4"]
RATES = [135, 175]
CONDS = [("clean", None, 40), ("dishes at 10 dB", "doing_the_dishes.wav", 10),
         ("tap at 10 dB", "running_tap.wav", 10)]


def kind(text):
    return "no" if text in NO else "yes" if text in YES else "symptom"


def main():
    if len(sys.argv) != 4:
        sys.exit(__doc__)
    fc, corpus, out = sys.argv[1:]
    if not os.path.isdir(os.path.join(corpus, "noise")):
        print("yes/no answers: skipped: the corpus folder %s is absent" % corpus)
        return 0
    for tool in ("espeak-ng", "sox"):
        if not shutil.which(tool):
            print("yes/no answers: skipped: %s is not installed (make test-deps)" % tool)
            return 0
    os.makedirs(out, exist_ok=True)
    counts = {}
    danger = []
    for vi, voice in enumerate(VOICES):
        for rate in RATES:
            for ti, text in enumerate(NO + YES + SYMPTOMS):
                tts = os.path.join(out, "%d_%d_%d.wav" % (vi, rate, ti))
                if not os.path.exists(tts):
                    subprocess.run(["espeak-ng", "-v", voice, "-s", str(rate), "-w", tts + ".raw.wav",
                                    text], check=True)
                    subprocess.run(["sox", "-q", "-R", tts + ".raw.wav", "-r", "16000", "-c", "1", "-b", "16",
                                    tts], check=True)
                    os.unlink(tts + ".raw.wav")
                for ci, (cname, noise, snr) in enumerate(CONDS):
                    mic = Mic(5.0, os.path.join(corpus, "noise", noise) if noise else None, snr,
                              None, out, 1000 * vi + 10 * ti + ci + rate)
                    mic.place(2.0, "@" + tts, snr)
                    wav = os.path.join(out, "mic.wav")
                    mic.write(wav)
                    r = subprocess.run([fc, "hear", "--no-profile", "--expect", "yes,no", "--mic", wav],
                                       capture_output=True, text=True, timeout=300)
                    if r.returncode != 0:
                        sys.exit("yes/no answers: %s failed: %s" % (fc, r.stderr.strip()[-300:]))
                    hs = [json.loads(l) for l in r.stdout.splitlines() if l.startswith("{")]
                    k = kind(text)
                    yn = [h for h in hs if h["intent"] in ("yes", "no")]
                    if k == "symptom":
                        if any(not h.get("low_confidence") for h in yn):
                            what = "sure yes/no"
                            danger.append("%s %d %s: \"%s\" as \"%s\"" % (voice, rate, cname, text,
                                                                          yn[0]["text"]))
                        elif yn:
                            what = "unsure yes/no"
                        elif hs:
                            what = "symptom"
                        else:
                            what = "nothing"
                    else:
                        right = [h for h in hs if h["intent"] == k]
                        if right and not right[0].get("low_confidence"):
                            what = "sure"
                        elif right:
                            what = "unsure"
                        elif yn:
                            what = "the other answer"
                        else:
                            what = "nothing"
                    key = (k, cname)
                    counts.setdefault(key, {})
                    counts[key][what] = counts[key].get(what, 0) + 1
    print("Yes-or-no question (hear --expect yes,no; %d voices x %d rates)" % (len(VOICES), len(RATES)))
    for k, lst in (("no", NO), ("yes", YES), ("symptom", SYMPTOMS)):
        for cname, _, _ in CONDS:
            c = counts.get((k, cname), {})
            n = sum(c.values())
            print("  %-8s %-16s n %3d  %s" % (k, cname, n, ", ".join(
                "%s %d" % (w, c[w]) for w in sorted(c))))
    print("symptoms taken for a sure yes or no: %d of %d" % (
        len(danger), len(SYMPTOMS) * len(VOICES) * len(RATES) * len(CONDS)))
    for d in danger:
        print("  " + d)
    return 0


if __name__ == "__main__":
    sys.exit(main())
