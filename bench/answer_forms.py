#!/usr/bin/env python3
"""answer_forms.py: how often an answer to a question is understood at 10 dB,
said in its short form ("no", "knee", "worse") or in the longer form the
questions asked again suggest ("no, I don't", "in my knee", "getting worse").

    answer_forms.py FLOORCOACH CORPUS OUTDIR

For each question kind, every answer is synthesized with eSpeak NG, placed
4 s apart over a corpus noise at 10 dB (speech RMS over the noise's mean
power) and listened to with `floorcoach hear --expect` (as right after the
question, stock model). An answer counts when its intent is accepted within
its 3 s. TUNE voices and noises chose the forms; REPORT ones were not used to
choose them. Prints one row per form and split."""
import json
import os
import subprocess
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "tests"))
from answers import Mic  # noqa: E402

SPLITS = {
    "tune": (["en-us+m3", "en-us+f4", "en-gb-x-rp+m7", "en-us+m1"],
             ["running_tap.wav", "exercise_bike.wav", "doing_the_dishes.wav"]),
    "report": (["en-us+f2", "en-gb-scotland", "en-us+m6"], ["train.wav", "crowd_cheering.wav"]),
}
# (question kind, what it expects, [(short, long, intent)])
QUESTIONS = [
    ("yes/no", "yes,no", [("yes", "yes i do", "yes"), ("no", "no i don't", "no"),
                          ("yes", "yes i did", "yes"), ("no", "no i didn't", "no")]),
    ("better/same/worse", "better,same,worse,spreading",
     [("better", "feeling better", "better"), ("the same", "about the same", "same"),
      ("worse", "getting worse", "worse")]),
    ("where", "location,spreading",
     [("back", "in my back", "location"), ("buttock", "in my buttock", "location"),
      ("thigh", "in my thigh", "location"), ("knee", "in my knee", "location"),
      ("calf", "in my calf", "location"), ("foot", "in my foot", "location")]),
    ("pain score", "pain_score,sharp_pain",
     [("three", "three out of ten", "pain_score"), ("five", "five out of ten", "pain_score"),
      ("seven", "seven out of ten", "pain_score")]),
]
GAP = 4.0


def stream(out, voice, noise, texts, seed, corpus):
    wav = os.path.join(out, "%s-%s-%d.wav" % (voice, noise[:-4], seed))
    if not os.path.exists(wav):
        tmp = wav + ".d"
        os.makedirs(tmp, exist_ok=True)
        m = Mic(len(texts) * GAP + 2, os.path.join(corpus, "noise", noise), 10, voice, tmp, seed)
        for k, t in enumerate(texts):
            m.place(1 + GAP * k, t)
        m.write(wav)
    return wav


def heard(fc, wav, expect):
    r = subprocess.run([fc, "hear", "--no-profile", "--mic", wav, "--expect", expect],
                       capture_output=True, text=True, timeout=600)
    return [json.loads(l) for l in r.stdout.splitlines() if l.startswith("{")]


def main():
    fc, corpus, out = sys.argv[1], sys.argv[2], sys.argv[3]
    if not os.path.isdir(os.path.join(corpus, "noise")):
        print("answer forms: skipped: the corpus folder %s is absent" % corpus)
        return
    os.makedirs(out, exist_ok=True)
    print("answers understood at 10 dB right after a question (stock model), short / long form")
    for split, (voices, noises) in SPLITS.items():
        for qi, (kind, expect, forms) in enumerate(QUESTIONS):
            texts = [f[0] for f in forms] + [f[1] for f in forms]
            want = [f[2] for f in forms] * 2
            ok = [0, 0]
            n = 0
            for vi, v in enumerate(voices):
                for ni, noise in enumerate(noises):
                    wav = stream(out, v, noise, texts, 100 * qi + 10 * vi + ni, corpus)
                    got = heard(fc, wav, expect)
                    for k, t in enumerate(texts):
                        at = 1 + GAP * k
                        if any(g["intent"] == want[k] and at - 0.5 <= g["start"] <= at + 3
                               for g in got):
                            ok[k >= len(forms)] += 1
                    n += len(forms)
            print("  %-6s %-18s %5.1f%% / %5.1f%%  (%d answers each; e.g. \"%s\" / \"%s\")"
                  % (split, kind, 100.0 * ok[0] / n, 100.0 * ok[1] / n, n, forms[0][0],
                     forms[0][1]))


if __name__ == "__main__":
    main()
