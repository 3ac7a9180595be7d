#!/usr/bin/env python3
"""real_words.py: one-word answers in real voices, right after a question.

    real_words.py FLOORCOACH CORPUS OUTDIR [--tuning KEY=VALUE,...]

The corpus's recorded words (Google Speech Commands: ten speakers a word,
consumer microphones) are the only real human replies we have. Each clip is
placed 2.5 s apart in a stream, over a quiet hiss ("clean", speech 34 dB
above it) and over corpus noise at 10 dB (speech RMS over the noise's mean
power), and heard with `floorcoach hear --expect` as right after a question:
  yes / no        "yes" and "no" after a yes-or-no question (--expect yes,no)
  score           "zero".."nine" after the pain-score question
                  (--expect pain_score,sharp_pain; the value must match)
  false, yes/no   every other word (the ten non-command words, up, down,
                  left, right, on, off, go and the digits) after a
                  yes-or-no question: any reply accepted from them is false
                  (a digit heard as its own number is not)
  false, score    the non-command words, the other commands and yes/no
                  after the pain-score question: the same
Each speaker is in one split (the two with as many clips): TUNE speakers with
tap, bike and dish noise, REPORT speakers with train and crowd noise. Prints the
share understood and the false accepts per split and condition."""
import json
import os
import re
import subprocess
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "tests"))
from answers import Mic  # noqa: E402

NOISES = {"tune": ["running_tap.wav", "exercise_bike.wav", "doing_the_dishes.wav"],
          "report": ["train.wav", "crowd_cheering.wav"]}
DIGITS = ["zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine"]
OTHER = ["bed", "bird", "cat", "dog", "happy", "house", "marvin", "sheila", "tree", "wow",
         "up", "down", "left", "right", "on", "off", "go"]
GAP = 2.5
CLEAN_SNR = 34


def speaker_split(corpus):
    """Speaker id -> "tune" or "report": each speaker in one split only, the
    two splits with as many yes/no clips and as many clips in all (a few
    speakers said most of the words)."""
    root = os.path.join(corpus, "speech", "words")
    count, yn = {}, {}
    for w in sorted(os.listdir(root)):
        if os.path.isdir(os.path.join(root, w)):
            for f in os.listdir(os.path.join(root, w)):
                spk = f.split("_")[0]
                count[spk] = count.get(spk, 0) + 1
                yn[spk] = yn.get(spk, 0) + (w in ("yes", "no"))
    split, tot = {}, {"tune": [0, 0], "report": [0, 0]}
    for spk in sorted(count, key=lambda s: (-yn[s], -count[s], s)):
        k = "tune" if tot["tune"] <= tot["report"] else "report"
        split[spk] = k
        tot[k][0] += yn[spk]
        tot[k][1] += count[spk]
    return split


def clips(corpus, words, split):
    who = speaker_split(corpus)
    out = []
    for w in words:
        d = os.path.join(corpus, "speech", "words", w)
        for f in sorted(os.listdir(d)):
            if who[f.split("_")[0]] == split:
                out.append((w, os.path.join(d, f)))
    return out


def meaning(word):
    """The intent (and value) of a word said on its own, when it has one: a
    digit heard as that number, or "yes" as yes, is heard right whatever was
    asked."""
    if word in DIGITS:
        return ("pain_score", DIGITS.index(word))
    if word in ("yes", "no"):
        return (word, None)
    return (None, None)


def heard(fc, wav, expect, tuning):
    cmd = [fc, "hear", "--no-profile", "--mic", wav, "--expect", expect]
    if tuning:
        cmd += ["--tuning", tuning]
    r = subprocess.run(cmd, capture_output=True, text=True, timeout=900)
    if r.returncode != 0:
        sys.exit("real words: %s failed: %s" % (" ".join(cmd), r.stderr.strip()[-300:]))
    return [json.loads(l) for l in r.stdout.splitlines() if l.startswith("{")]


def run_group(fc, corpus, out, split, noise, snr, name, items, expect, tuning, seed):
    """Returns (understood, false accepts, n, what the false ones were heard
    as) for one stream of `items` [(word, path, wanted intent or None,
    wanted value)]."""
    tag = "%s-%s-%s-%s" % (split, re.sub(r"[^a-z]+", "_", name), noise[:-4] if noise else "clean",
                           snr)
    wav = os.path.join(out, tag + ".wav")
    if not os.path.exists(wav):
        m = Mic(len(items) * GAP + 2, os.path.join(corpus, "noise", noise) if noise else None,
                snr, None, out, seed)
        for k, it in enumerate(items):
            m.place(1 + GAP * k, "@" + it[1], snr)
        m.write(wav + ".tmp")
        os.replace(wav + ".tmp", wav)
    got = heard(fc, wav, expect, tuning)
    ok = bad = 0
    wrong = []
    for k, (word, _, want, value) in enumerate(items):
        at = 1 + GAP * k
        here = [g for g in got if at - 0.3 <= g["start"] < at + GAP - 0.3]
        if want and any(g["intent"] == want and (value is None or g.get("value") == value)
                        for g in here):
            ok += 1
        else:
            w = [g for g in here
                 if g["intent"] != want or (value is not None and g.get("value") != value)]
            if w:
                bad += 1
                wrong.append("%s->%s" % (word, w[0]["text"].replace(" ", "_")))
    return ok, bad, len(items), wrong


def main():
    args = sys.argv[1:]
    tuning = None
    if "--tuning" in args:
        i = args.index("--tuning")
        tuning = args[i + 1]
        del args[i:i + 2]
    fc, corpus, out = args[0], args[1], args[2]
    if not os.path.isdir(os.path.join(corpus, "speech", "words")):
        print("real words: skipped: the corpus folder %s is absent" % corpus)
        return
    os.makedirs(out, exist_ok=True)
    print("real one-word answers right after a question (stock model%s): understood / "
          "false accepts" % (", " + tuning if tuning else ""))
    for split in ("tune", "report"):
        groups = [
            ("yes/no", "yes,no",
             [(w, p, w, None) for w, p in clips(corpus, ["yes", "no"], split)], True),
            ("score", "pain_score,sharp_pain",
             [(w, p, "pain_score", DIGITS.index(w)) for w, p in clips(corpus, DIGITS, split)],
             True),
            ("false, yes/no", "yes,no",
             [(w, p) + meaning(w) for w, p in clips(corpus, OTHER + DIGITS, split)], False),
            ("false, score", "pain_score,sharp_pain",
             [(w, p) + meaning(w) for w, p in clips(corpus, OTHER + ["yes", "no"], split)],
             False),
        ]
        for gi, (name, expect, items, recall) in enumerate(groups):
            cells = []
            mistaken = []
            for ni, noise in enumerate([None] + NOISES[split]):
                snr = CLEAN_SNR if noise is None else 10
                ok, bad, n, wrong = run_group(fc, corpus, out, split, noise, snr, name, items,
                                              expect, tuning, 1000 + 10 * gi + ni)
                cells.append((noise[:-4] if noise else "clean", ok, bad, n))
                mistaken += wrong
            if recall:
                row = ", ".join("%s %d/%d" % (c[0], c[1], c[3]) for c in cells)
                tot = sum(c[1] for c in cells[1:]), sum(c[3] for c in cells[1:])
                print("  %-6s %-14s understood: %s; 10 dB in all %.1f%%" %
                      (split, name, row, 100.0 * tot[0] / max(1, tot[1])))
            else:
                row = ", ".join("%s %d/%d" % (c[0], c[2], c[3]) for c in cells)
                print("  %-6s %-14s accepted: %s" % (split, name, row))
            if mistaken and "-v" in sys.argv:
                print("         heard wrongly: " + " ".join(sorted(mistaken)))
            sys.stdout.flush()


if __name__ == "__main__":
    main()
