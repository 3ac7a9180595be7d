#!/usr/bin/env python3
"""wording.py: replies in words of the person's own choosing.

    wording.py FLOORCOACH CORPUS OUTDIR [--lexicon FILE] [--quick]

People do not say the lexicon's phrases word for word: "my leg hurts" for
"pain down my leg", "ow" for "that really hurts". WORDINGS lists such
replies, with what they mean. Each is synthesized in the four REPORT voices
of the recognition benchmark (two speaking rates), placed 3 s apart in a
stream over a quiet hiss ("clean") and over corpus noise at 10 dB (each rate
in three of the six noises), and heard with `floorcoach hear` (as during a
session, outside a question). A
reply counts as understood when it is heard as its meaning, and as acted on
safely when what it was heard as leads the safety checker to the same action
(spreading, nerve signs and weakness all stop the exercise). Wordings are
reported by how the lexicon holds them: listed as written, spelled by a
phrase with choices ("my (leg|foot) (is|feels) numb"), or not in it (how a
wording nobody wrote down fares), and by set (BLOCKS): 38 wordings were
written after the lexicon's choices, to measure them on wording they were
not made for; then 42 more, and 79 by another writer who had not seen the
lexicon, before the choices changed again (the second round of choices was
written from the first 165 only: the last 121 are held out from it). Ordinary sentences (bench/sentences.txt, in
the same voices, and the corpus's recorded sentences) over the same noises give
the false accepts per hour. Prints the tables."""
import argparse
import hashlib
import json
import os
import re
import shutil
import subprocess
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "tests"))
from answers import Mic, read_wav  # noqa: E402

VOICES = ["en-us+m3", "en-us+f4", "en-gb-x-rp+m7", "en-us+klatt4"]
RATES = [135, 185]
NOISES = ["doing_the_dishes.wav", "crowd_cheering.wav", "typing.wav", "running_tap.wav",
          "exercise_bike.wav", "train.wav"]
GAP = 3.0
CLEAN_SNR = 34

# (meaning, wording): how people might say a reply. Meanings are the
# lexicon's intents; a location or score carries its value after a colon.
WORDINGS = [
    ("spreading", "my leg hurts"),
    ("spreading", "it's going into my leg"),
    ("spreading", "the pain is going down my leg"),
    ("spreading", "it's shooting down"),
    ("spreading", "it goes down my leg"),
    ("spreading", "the pain is spreading"),
    ("spreading", "it's going into my calf"),
    ("spreading", "pain down the back of my leg"),
    ("spreading", "it's running down my leg"),
    ("spreading", "it's gone down to my knee"),
    ("spreading", "it's spreading down my leg"),
    ("spreading", "my leg is hurting"),
    ("nerve_signs", "my leg is tingling"),
    ("nerve_signs", "my foot feels numb"),
    ("nerve_signs", "my toes feel numb"),
    ("nerve_signs", "my foot has gone numb"),
    ("nerve_signs", "pins and needles in my foot"),
    ("nerve_signs", "i've got pins and needles"),
    ("nerve_signs", "my leg feels numb"),
    ("nerve_signs", "it's tingling"),
    ("nerve_signs", "burning in my leg"),
    ("nerve_signs", "my foot is burning"),
    ("nerve_signs", "i can't feel my leg"),
    ("nerve_signs", "my leg has gone numb"),
    ("weakness", "my leg is giving out"),
    ("weakness", "i can't move my foot"),
    ("weakness", "my knee gave way"),
    ("weakness", "i can't lift my leg"),
    ("weakness", "my leg won't hold me"),
    ("weakness", "my foot feels floppy"),
    ("sharp_pain", "it hurts"),
    ("sharp_pain", "that hurts"),
    ("sharp_pain", "ow that hurts"),
    ("sharp_pain", "that's really painful"),
    ("sharp_pain", "the pain is bad"),
    ("sharp_pain", "i'm in a lot of pain"),
    ("sharp_pain", "it's too painful"),
    ("sharp_pain", "i felt a sharp pain"),
    ("sharp_pain", "that was sharp"),
    ("sharp_pain", "it's killing me"),
    ("red_flag", "i can't hold my bladder"),
    ("red_flag", "i've wet myself"),
    ("red_flag", "i can't feel between my legs"),
    ("red_flag", "both my legs hurt"),
    ("red_flag", "i've lost control of my bladder"),
    ("red_flag", "pain in both my legs"),
    ("red_flag", "both legs are numb"),
    ("red_flag", "i can't control my bowel"),
    ("worse", "it's getting worse"),
    ("worse", "a lot worse"),
    ("worse", "worse than before"),
    ("worse", "the pain is worse now"),
    ("better", "a lot better"),
    ("better", "better now"),
    ("better", "it's easier"),
    ("better", "it feels a bit better"),
    ("centralizing", "it's only in my back"),
    ("centralizing", "my leg doesn't hurt now"),
    ("centralizing", "the pain moved up"),
    ("centralizing", "it's moved up to my back"),
    ("pause", "hold on a second"),
    ("pause", "i need a break"),
    ("pause", "wait please"),
    ("pause", "can we pause"),
    ("stop", "i need to stop"),
    ("stop", "please stop"),
    ("stop", "stop please"),
    ("stop", "i've had enough"),
    # Written after the ones above were added to the lexicon, and added later.
    ("spreading", "it's going down my leg again"),
    ("spreading", "pain in my calf now"),
    ("spreading", "it's in my leg now"),
    ("spreading", "the pain went down to my foot"),
    ("spreading", "my leg is aching"),
    ("nerve_signs", "my foot is tingly"),
    ("nerve_signs", "i've got tingling in my toes"),
    ("nerve_signs", "my toes are going numb"),
    ("nerve_signs", "it feels numb"),
    ("nerve_signs", "i have pins and needles in my leg"),
    ("weakness", "my foot won't move"),
    ("weakness", "i can't push with my foot"),
    ("weakness", "my leg feels really weak"),
    ("sharp_pain", "ouch that hurts"),
    ("sharp_pain", "it's really sore"),
    ("sharp_pain", "that's too much"),
    ("sharp_pain", "that was really painful"),
    ("red_flag", "i think i wet myself"),
    ("red_flag", "both of my legs hurt"),
    ("red_flag", "both legs are tingling"),
    ("red_flag", "i've lost control of my bowels"),
    ("worse", "that made it worse"),
    ("worse", "it's much worse now"),
    ("better", "it's feeling better"),
    ("better", "that helped"),
    ("centralizing", "it's just my back now"),
    ("centralizing", "the leg pain has gone"),
    ("pause", "just a moment"),
    ("pause", "hang on a minute"),
    ("pause", "let me rest"),
    ("stop", "let's stop"),
    # Written after the 32 above were added too, and never listed as written.
    # The lexicon's choices were written after them: many are spelled by its
    # choices now, so these no longer measure wording nobody foresaw.
    ("spreading", "the pain is going into my foot"),
    ("spreading", "it's shooting into my leg"),
    ("spreading", "pain running down my leg"),
    ("spreading", "my calf hurts"),
    ("spreading", "it's down to my ankle now"),
    ("nerve_signs", "my foot feels tingly"),
    ("nerve_signs", "i have numbness in my toes"),
    ("nerve_signs", "there's tingling in my leg"),
    ("nerve_signs", "i've got pins and needles in my toes"),
    ("weakness", "i can't stand on my leg"),
    ("weakness", "my foot is dragging"),
    ("weakness", "my leg is really weak"),
    ("sharp_pain", "ow"),
    ("sharp_pain", "that's really sore"),
    ("sharp_pain", "it hurts so much"),
    ("sharp_pain", "that was a sharp pain"),
    ("red_flag", "i've had an accident with my bladder"),
    ("red_flag", "both of my legs are numb"),
    ("worse", "it's worse than it was"),
    ("worse", "getting a lot worse"),
    ("better", "it feels much better"),
    ("better", "that's a lot better"),
    ("centralizing", "the pain has moved to my back"),
    ("centralizing", "it's gone from my leg"),
    ("pause", "give me a second"),
    ("pause", "hold on please"),
    ("stop", "i want to stop now"),
    ("stop", "stop this please"),
    # Written after the lexicon's choice patterns (replies.cfg), to measure
    # them on wording they were not written for. The second round of choice
    # lines was written from these and the ones above: all are spelled now.
    ("spreading", "the pain is going right down my leg"),
    ("spreading", "i can feel it in my calf now"),
    ("spreading", "it's shooting right down to my foot"),
    ("spreading", "now it's going down the back of my leg"),
    ("spreading", "there's pain in my foot now"),
    ("nerve_signs", "my toes feel funny"),
    ("nerve_signs", "i've got a tingling feeling in my foot"),
    ("nerve_signs", "my foot has gone all numb"),
    ("nerve_signs", "i can't really feel my toes"),
    ("nerve_signs", "there's a burning feeling in my leg"),
    ("weakness", "my leg just gave way"),
    ("weakness", "i can't lift my foot up"),
    ("weakness", "my leg feels like jelly"),
    ("weakness", "my foot keeps dropping"),
    ("sharp_pain", "ow ow ow"),
    ("sharp_pain", "that was really sore"),
    ("sharp_pain", "i just got a stabbing pain"),
    ("sharp_pain", "that hurts really badly"),
    ("red_flag", "i think i've wet myself"),
    ("red_flag", "my legs are both numb"),
    ("worse", "it's a lot worse now"),
    ("worse", "it's worse than before"),
    ("worse", "it's getting worse and worse"),
    ("better", "it feels a lot better now"),
    ("better", "much better thanks"),
    ("better", "that's a lot easier"),
    ("centralizing", "the pain has moved up into my back"),
    ("centralizing", "it's not in my leg any more"),
    ("same", "it's about the same really"),
    ("same", "no real change"),
    ("pause", "hang on a sec"),
    ("pause", "can i have a break"),
    ("pause", "wait a second please"),
    ("stop", "i want to stop the session"),
    ("stop", "can we stop now"),
    ("stop", "i'd like to stop"),
    ("resume", "okay let's carry on"),
    ("resume", "i'm ready to go again"),
    # Fresh set 2: written before any choice line was changed again, to
    # measure the next choices on wording they were not written for.
    ("spreading", "it's travelling down my leg"),
    ("spreading", "the pain's gone into my thigh"),
    ("spreading", "i can feel it down my leg now"),
    ("spreading", "it's radiating down my leg"),
    ("spreading", "my leg's started hurting"),
    ("spreading", "it's moving down my leg"),
    ("nerve_signs", "my foot's gone to sleep"),
    ("nerve_signs", "i've got pins and needles again"),
    ("nerve_signs", "my leg feels all tingly"),
    ("nerve_signs", "my toes are tingling"),
    ("nerve_signs", "there's a numb patch on my leg"),
    ("nerve_signs", "my foot feels dead"),
    ("weakness", "i can't move my leg properly"),
    ("weakness", "my leg's gone weak"),
    ("weakness", "my foot won't lift"),
    ("weakness", "my knee keeps buckling"),
    ("weakness", "i've got no strength in my leg"),
    ("sharp_pain", "ouch"),
    ("sharp_pain", "ah that's sore"),
    ("sharp_pain", "that really hurt"),
    ("sharp_pain", "it's very painful"),
    ("sharp_pain", "that was agony"),
    ("red_flag", "i can't feel my bottom"),
    ("red_flag", "i can't control my bladder"),
    ("red_flag", "both my feet are numb"),
    ("red_flag", "i've had an accident"),
    ("worse", "it's worse now"),
    ("worse", "it's gotten worse"),
    ("worse", "the pain's worse"),
    ("better", "it's a bit easier now"),
    ("better", "i'm feeling a lot better"),
    ("better", "that's much better"),
    ("centralizing", "it's moved back up to my back"),
    ("centralizing", "my leg feels fine now"),
    ("same", "pretty much the same"),
    ("same", "no change really"),
    ("pause", "can we take a break"),
    ("pause", "one moment please"),
    ("stop", "i want to stop"),
    ("stop", "that's enough for today"),
    ("resume", "i'm okay now carry on"),
    ("resume", "let's keep going"),
    # Written by another writer who had not seen the lexicon, before any
    # choice line was changed again.
    ("spreading", "it's going down into my calf now"),
    ("spreading", "the pain's moved further down my leg"),
    ("spreading", "now i can feel it in my foot"),
    ("spreading", "it's shooting right down to my ankle"),
    ("spreading", "oh it's gone past my knee"),
    ("spreading", "it's travelling down the back of my thigh"),
    ("spreading", "i'm getting it lower down now"),
    ("spreading", "um it's spreading down towards my toes"),
    ("spreading", "the ache's reached my shin"),
    ("spreading", "it's running all the way down the leg"),
    ("spreading", "feel it in the bottom of my foot now"),
    ("spreading", "it's kind of creeping further down"),
    ("nerve_signs", "i've got pins and needles in my foot"),
    ("nerve_signs", "it feels kind of numb down there"),
    ("nerve_signs", "there's a burning feeling in my calf"),
    ("nerve_signs", "bit of tingling in the leg"),
    ("nerve_signs", "it's all fizzy like electric in my foot"),
    ("nerve_signs", "my heel feels dead"),
    ("nerve_signs", "there's a weird prickly sensation in my leg"),
    ("nerve_signs", "sort of a burning tingle down the side"),
    ("nerve_signs", "ooh my foot's gone all numb"),
    ("weakness", "my foot's flopping"),
    ("weakness", "the leg feels really weak"),
    ("weakness", "i've got no strength in my ankle"),
    ("weakness", "my knee buckled"),
    ("weakness", "my toes won't pull up"),
    ("weakness", "this leg's like jelly"),
    ("weakness", "um it just won't hold me up"),
    ("weakness", "my foot's dragging a bit"),
    ("weakness", "can't stand on my tiptoes on that side"),
    ("sharp_pain", "ouch that really hurt"),
    ("sharp_pain", "argh sharp pain"),
    ("sharp_pain", "ah that's agony"),
    ("sharp_pain", "ooh that stabbed me"),
    ("sharp_pain", "that's a really sharp one"),
    ("sharp_pain", "bloody hell that hurts"),
    ("sharp_pain", "it really hurts a lot"),
    ("sharp_pain", "sudden jab right in my back"),
    ("sharp_pain", "ooh that's really sore"),
    ("red_flag", "both my legs are going numb"),
    ("red_flag", "i couldn't control my bowels"),
    ("red_flag", "i can't tell if i need to pee"),
    ("red_flag", "my bum and groin feel numb"),
    ("red_flag", "now it's in both legs"),
    ("worse", "worse"),
    ("worse", "it's worse"),
    ("worse", "a bit worse i think"),
    ("worse", "definitely worse than before"),
    ("worse", "it's gotten worse yeah"),
    ("better", "better"),
    ("better", "a lot better thanks"),
    ("better", "yeah it's easing off"),
    ("better", "feels better now"),
    ("better", "much improved"),
    ("same", "same"),
    ("same", "about the same"),
    ("same", "pretty much the same as before"),
    ("same", "no different"),
    ("centralizing", "the pain's moving up into my back"),
    ("centralizing", "it's gone out of my leg"),
    ("centralizing", "now it's just in my lower back"),
    ("centralizing", "it's retreating up from my foot"),
    ("centralizing", "it's more in my buttock now not my calf"),
    ("pause", "wait a minute"),
    ("pause", "hold on please give me a moment"),
    ("resume", "okay i'm ready"),
    ("resume", "let's carry on"),
    ("resume", "right let's keep going"),
    ("resume", "ok go ahead now"),
    ("stop", "let's call it a day"),
    ("stop", "end the session please"),
    ("repeat", "say that again"),
    ("repeat", "sorry what was that"),
    ("repeat", "could you repeat that please"),
    ("repeat", "pardon"),
    ("slower", "slow down a bit"),
    ("slower", "can you count slower please"),
    ("faster", "bit quicker please"),
    ("faster", "you can count faster"),
]
# Where each set of wordings begins, to report them apart: those written
# before the lexicon's choices (some since listed), one written after the
# first choices (the second round was written from it and the first set),
# and two held out from the choices as they stand.
BLOCKS = [("written before the choices", "my leg hurts"),
          ("fresh set 1 (seen by the 2nd choices)", "the pain is going right down my leg"),
          ("fresh set 2 (before the next choices)", "it's travelling down my leg"),
          ("another writer (lexicon unseen)", "it's going down into my calf now")]
# What the safety checker does with a meaning (the same action counts).
ACTION = {"spreading": "stop", "nerve_signs": "stop", "weakness": "stop",
          "sharp_pain": "stop", "red_flag": "end"}


def spell(p):
    """The phrases a lexicon phrase with choices spells: "my (leg|foot) hurts"."""
    i = p.find("(")
    if i < 0:
        return [" ".join(p.split())]
    depth, j = 0, i
    for j in range(i, len(p)):
        depth += (p[j] == "(") - (p[j] == ")")
        if depth == 0:
            break
    alts, cur, depth = [], "", 0
    for ch in p[i + 1:j]:
        if ch == "|" and depth == 0:
            alts.append(cur)
            cur = ""
            continue
        depth += (ch == "(") - (ch == ")")
        cur += ch
    alts.append(cur)
    return [x for a in alts for x in spell(p[:i] + " " + a + " " + p[j + 1:])]


def lexicon_phrases(path):
    """The quoted phrases of the lexicon file as written, and every phrase
    its choices spell (lower case)."""
    text = "\n".join(l.split("#", 1)[0] for l in open(path))
    quoted = [p.lower() for p in re.findall(r'"([^"]*)"', text)]
    return set(q for q in quoted if "(" not in q), set(x for q in quoted for x in spell(q))


def synth(text, voice, rate, cache):
    name = re.sub(r"[^a-z0-9]+", "_", "%s_%d_%s" % (voice, rate, text.lower()))[:120]
    path = os.path.join(cache, name + ".wav")
    if not os.path.exists(path):
        raw = path + ".raw.wav"
        subprocess.run(["espeak-ng", "-v", voice, "-s", str(rate), "-w", raw, text], check=True)
        subprocess.run(["sox", "-R", raw, "-r", "16000", "-c", "1", "-b", "16", path + ".tmp.wav"],
                       check=True)
        os.replace(path + ".tmp.wav", path)
        os.unlink(raw)
    return path


def hear(fc, wav, lexicon):
    cmd = [fc, "hear", "--no-profile", "--mic", wav]
    if lexicon:
        cmd += ["--lexicon", lexicon]
    r = subprocess.run(cmd, capture_output=True, text=True, timeout=1800)
    if r.returncode != 0:
        sys.exit("wording: %s failed: %s" % (" ".join(cmd), r.stderr.strip()[-300:]))
    return [json.loads(l) for l in r.stdout.splitlines() if l.startswith("{")]


def stream(out, tag, clips, noise, snr, seed):
    """A stream of `clips` GAP s apart, written once (cached by its content)."""
    key = hashlib.sha1(repr((clips, noise, snr, seed)).encode()).hexdigest()[:10]
    wav = os.path.join(out, "%s_%s.wav" % (tag, key))
    if not os.path.exists(wav):
        m = Mic(len(clips) * GAP + 2, noise, snr, None, out, seed)
        for k, c in enumerate(clips):
            m.place(1 + GAP * k, "@" + c, snr)
        m.write(wav + ".tmp")
        os.replace(wav + ".tmp", wav)
    return wav


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("fc")
    ap.add_argument("corpus")
    ap.add_argument("out")
    ap.add_argument("--lexicon", help="the lexicon to hear with (default: the bundled one)")
    ap.add_argument("--quick", action="store_true", help="one rate, two noises")
    a = ap.parse_args()
    if not os.path.isdir(os.path.join(a.corpus, "noise")):
        print("replies in other words: skipped: the corpus folder %s is absent" % a.corpus)
        return 0
    for tool in ("espeak-ng", "sox"):
        if not shutil.which(tool):
            print("replies in other words: skipped: %s is not installed (make test-deps)" % tool)
            return 0
    here = os.path.dirname(os.path.abspath(__file__))
    lexicon = a.lexicon or os.path.join(here, "..", "voices", "en-us", "replies.cfg")
    listed, spelled = lexicon_phrases(lexicon)
    kind = {w: "listed" if w.lower() in listed else
            "spelled" if w.lower() in spelled else "not in it" for _, w in WORDINGS}
    cache = os.path.join(a.out, "tts")
    os.makedirs(cache, exist_ok=True)
    rates = RATES[:1] if a.quick else RATES
    sentences = [l.strip() for l in open(os.path.join(here, "sentences.txt"))
                 if l.strip() and not l.startswith("#")]
    real = sorted(os.path.join(a.corpus, "speech", "sentences", f)
                  for f in os.listdir(os.path.join(a.corpus, "speech", "sentences"))
                  if f.endswith(".wav"))
    rows = {}  # (listed?, cond) -> [n, understood, same action, wrong action]
    wrong = {}
    per = {}  # wording -> [clean n, understood; in noise n, understood]
    fa_n = fa_s = 0
    fa_what = []
    lexname = re.sub(r"[^a-z0-9]+", "_", os.path.abspath(lexicon))[-40:]
    for vi, voice in enumerate(VOICES):
        for ri, rate in enumerate(rates):
            # Each rate in half the noises (all of them over the two rates).
            noises = NOISES[::3] if a.quick else NOISES[ri % 2::2]
            conds = [("clean", None, CLEAN_SNR)] + [
                (n[:-4], os.path.join(a.corpus, "noise", n), 10) for n in noises]
            clips = [synth(w, voice, rate, cache) for _, w in WORDINGS]
            negs = [synth(s, voice, rate, cache) for s in sentences]
            if vi == 0 and rate == rates[0]:
                negs += real
            for ci, (cname, noise, snr) in enumerate(conds):
                seed = 1000 * vi + 10 * rate + ci
                tag = "%s_%d_%s" % (re.sub(r"[^a-z0-9]+", "_", voice), rate, cname)
                got = hear(a.fc, stream(a.out, "w_" + tag, clips, noise, snr, seed), lexicon)
                for k, (want, text) in enumerate(WORDINGS):
                    at = 1 + GAP * k
                    hs = [g for g in got if at - 0.3 <= g["start"] < at + GAP - 0.3]
                    key = (kind[text], cname)
                    r = rows.setdefault(key, [0, 0, 0, 0])
                    r[0] += 1
                    pw = per.setdefault(text, [0, 0, 0, 0])
                    at_noise = 2 * (cname != "clean")
                    pw[at_noise] += 1
                    means = [h["intent"] for h in hs]
                    if want in means:
                        r[1] += 1
                        pw[at_noise + 1] += 1
                    if want in means or (want in ACTION and
                                         any(ACTION.get(m) == ACTION[want] for m in means)):
                        r[2] += 1
                    elif means:
                        r[3] += 1
                        wrong.setdefault(text, []).append("%s:%s" % (cname, hs[0]["text"]))
                if noise is None and rate != rates[0]:
                    continue  # ordinary speech: once clean per voice, at every noise
                ns = stream(a.out, "n_" + tag, negs, noise, snr, seed + 7)
                got = hear(a.fc, ns, lexicon)
                fa_n += len(got)
                fa_s += len(read_wav(ns)) / 16000.0
                fa_what += ["%s:%s" % (cname, g["text"]) for g in got]
                print("wording: %s %d %s done (%d heard in ordinary speech)" %
                      (voice, rate, cname, len(got)), file=sys.stderr, flush=True)
    print("Replies in other words (%d wordings, %d voices x %d rates; lexicon %s)" %
          (len(WORDINGS), len(VOICES), len(rates), lexicon))
    print("%-10s %-22s %6s %12s %14s %14s" % ("wording", "condition", "n", "understood",
                                              "same action", "other action"))
    for lst in ("listed", "spelled", "not in it"):
        for cname in ["clean"] + [n[:-4] for n in NOISES]:
            r = rows.get((lst, cname))
            if not r:
                continue
            print("%-10s %-22s %6d %11.1f%% %13.1f%% %13.1f%%" % (
                lst, cname + ("" if cname == "clean" else " 10 dB"),
                r[0], 100.0 * r[1] / r[0], 100.0 * r[2] / r[0], 100.0 * r[3] / r[0]))
    print("By set: understood clean / at 10 dB (n wordings)")
    starts = [[w for _, w in WORDINGS].index(first) for _, first in BLOCKS] + [len(WORDINGS)]
    for b, (bname, _) in enumerate(BLOCKS):
        cells = []
        for lst in ("listed", "spelled", "not in it", None):
            ws = [w for _, w in WORDINGS[starts[b]:starts[b + 1]] if lst in (None, kind[w])]
            c = [sum(per[w][i] for w in ws) for i in range(4)]
            cells.append("%s %.1f / %.1f%% (%d)" % (
                lst or "all", 100.0 * c[1] / max(1, c[0]), 100.0 * c[3] / max(1, c[2]), len(ws)))
        print("  %-38s %s" % (bname, "; ".join(cells)))
    print("false accepts on ordinary speech: %d in %.1f min = %.1f per hour" %
          (fa_n, fa_s / 60, fa_n * 3600.0 / max(1.0, fa_s)))
    if fa_what:
        print("  heard: " + ", ".join(fa_what))
    if wrong:
        print("heard as another action:")
        for t, w in sorted(wrong.items()):
            print("  %-34s %s" % (t, ", ".join(w[:6]) + (" ..." if len(w) > 6 else "")))
    with open(os.path.join(a.out, "wording-%s.json" % lexname), "w") as f:
        json.dump(per, f, indent=0)
    return 0


if __name__ == "__main__":
    sys.exit(main())
