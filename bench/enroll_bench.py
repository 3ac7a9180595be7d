#!/usr/bin/env python3
"""enroll_bench.py: the enrolled column of the listening benchmark.

For each benchmark voice (eSpeak NG): enroll with `floorcoach enroll` in
file mode (answers placed by tests/enroll_mic.py, quiet room, one speaking
rate), then measure recall of the lexicon's safety phrases said at another
rate in streams of real noise (corpus, held-out noises) at each SNR, with
the stock model and with the person's profile:
  grammar  PocketSphinx with a plain grammar of every lexicon phrase
           (pocketsphinx_batch on each reply's segment): the acoustic
           model's own effect, no rejection
  hear     `floorcoach hear --mic STREAM` with --no-profile / --profile:
           the product's listener, rejection included
Also the enrollment time (speaking included, from the log) and the
adaptation's CPU time. Prints a table.
"""
import argparse
import json
import math
import os
import re
import subprocess
import sys
import wave
import array

RATE = 16000
SAFETY = {"better", "same", "worse", "spreading", "nerve_signs", "weakness", "centralizing",
          "sharp_pain", "red_flag", "location", "pain_score"}


def read_wav(path):
    with wave.open(path, "rb") as w:
        a = array.array("h")
        a.frombytes(w.readframes(w.getnframes()))
        return a, w.getframerate(), w.getnchannels()


def active_db(a):
    p = []
    for i in range(0, len(a) - 319, 320):
        s = 0
        for v in a[i:i + 320]:
            s += v * v
        p.append(s / 320.0 / (32768.0 ** 2))
    if not p or max(p) <= 0:
        return -120.0
    m = max(p)
    sel = [x for x in p if x >= m * 0.01]
    return 10 * math.log10(sum(sel) / len(sel))


def power_db(a):
    s = 0
    for v in a:
        s += v * v
    return 10 * math.log10(s / len(a) / (32768.0 ** 2))


def run(cmd, **kw):
    return subprocess.run(cmd, check=True, **kw)


def synth(text, voice, rate, cache):
    name = re.sub(r"[^a-zA-Z0-9]", "_", "%s_%s_%s" % (voice, rate, text))[:120]
    f = os.path.join(cache, name + ".wav")
    if not os.path.exists(f):
        tmp = f + ".tmp.wav"
        run(["espeak-ng", "-v", voice, "-s", str(rate), "-w", tmp, text])
        run(["sox", "-q", "-V1", tmp, "-r", "16000", "-c", "1", "-b", "16", f])
        os.unlink(tmp)
    return f


def norm_text(t):
    return " ".join(t.lower().split())


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--fc", required=True)
    ap.add_argument("--top", required=True)
    ap.add_argument("--out", required=True)
    ap.add_argument("--corpus", required=True)
    ap.add_argument("--voices", default="en-us+m3 en-us+f4 en-gb-x-rp+m7")
    ap.add_argument("--enroll-rate", type=int, default=150)
    ap.add_argument("--test-rate", type=int, default=185)
    ap.add_argument("--snrs", default="10 0")
    ap.add_argument("--noises", default="running_tap exercise_bike")
    ap.add_argument("--no-hear", action="store_true")
    ap.add_argument("--reuse", action="store_true",
                    help="keep a voice's profile from an earlier run (no new enrollment)")
    ap.add_argument("--no-fa", action="store_true", help="skip the false accepts")
    ap.add_argument("--room", default="none",
                    help="corpus noise of the enrollment room (default: a quiet pink floor)")
    ap.add_argument("--room-dbfs", type=float, default=-45.0)
    ap.add_argument("--fa-snr", type=float, default=10.0,
                    help="SNR of the ordinary-speech streams for false accepts")
    a = ap.parse_args()
    os.makedirs(a.out, exist_ok=True)
    cache = os.path.join(a.out, "tts")
    os.makedirs(cache, exist_ok=True)
    lex = os.path.join(a.top, "voices/en-us/replies.cfg")
    fcbench = os.path.join(a.top, "bench/out/listen/fcbench")
    mixwav = os.path.join(a.top, "bench/out/mixwav")
    if not os.path.exists(fcbench):
        run(["sh", os.path.join(a.top, "bench/build.sh")], stdout=subprocess.DEVNULL)
    if not os.path.exists(mixwav):
        run([os.environ.get("CC", "cc"), "-std=c11", "-D_POSIX_C_SOURCE=200809L", "-O2", "-o",
             mixwav, os.path.join(a.top, "bench/mixwav.c"), "-lm"])
    phrases = []
    for line in subprocess.run([fcbench, "phrases", lex], check=True, capture_output=True,
                               text=True).stdout.splitlines():
        it, val, text = line.split("\t")
        phrases.append((it, val, norm_text(text)))
    by_text = {t: (i, v) for i, v, t in phrases}
    safety = [p for p in phrases if p[0] in SAFETY]

    # Decoding material shared by every voice: a dictionary of the lexicon's
    # words and a grammar of all its phrases.
    model = os.environ.get("FLOORCOACH_PS_MODEL", "/usr/share/pocketsphinx/model/en-us")
    words = sorted({w for _, _, t in phrases for w in t.split()})
    dict_path = os.path.join(a.out, "lexicon.dict")
    with open(os.path.join(model, "cmudict-en-us.dict")) as f, open(dict_path, "w") as o:
        want = set(words)
        for line in f:
            w = line.split(" ", 1)[0]
            if re.sub(r"\(\d+\)$", "", w) in want:
                o.write(line)
    jsgf = os.path.join(a.out, "lexicon.jsgf")
    with open(jsgf, "w") as o:
        uniq = sorted({t for _, _, t in phrases})
        o.write("#JSGF V1.0;\ngrammar lex;\npublic <r> = " + " | ".join(uniq) + ";\n")

    noise_files = {n: os.path.join(a.corpus, "noise", n + ".wav") for n in a.noises.split()}
    noise_db = {}
    for n, f in noise_files.items():
        x, r, c = read_wav(f)
        if r != RATE or c != 1:
            conv = os.path.join(a.out, n + ".16k.wav")
            if not os.path.exists(conv):
                run(["sox", "-q", f, "-r", "16000", "-c", "1", "-b", "16", conv])
            noise_files[n] = conv
            x, r, c = read_wav(conv)
        noise_db[n] = power_db(x[:RATE * 60])

    rows = []
    for voice in a.voices.split():
        vdir = os.path.join(a.out, "room_" + a.room, re.sub(r"[^a-zA-Z0-9]", "_", voice))
        os.makedirs(vdir, exist_ok=True)
        mic = os.path.join(vdir, "enroll-mic.wav")
        if not os.path.exists(mic):
            print("enroll benchmark: %s: building the enrollment answers ..." % voice,
                  file=sys.stderr)
            room = ["--noise-dbfs", "-60"]
            if a.room != "none":
                room = ["--noise", os.path.join(a.corpus, "noise", a.room + ".wav"),
                        "--noise-dbfs", str(a.room_dbfs)]
            run(["python3", os.path.join(a.top, "tests/enroll_mic.py"), a.fc, mic, "--voice",
                 voice, "--rate", str(a.enroll_rate), "--workdir",
                 os.path.join(vdir, "build")] + room, stdout=subprocess.DEVNULL)
        prof = os.path.join(vdir, "profile")
        log = os.path.join(vdir, "enroll.jsonl")
        if not (a.reuse and os.path.exists(log) and os.path.isdir(prof)):
            if os.path.exists(log):
                os.unlink(log)
            env = dict(os.environ)
            env["XDG_DATA_HOME"] = os.path.join(vdir, "data")
            run([a.fc, "enroll", "--mic", mic, "--profile", prof, "--log", log],
                stdout=subprocess.DEVNULL, env=env)
        ev = [json.loads(l) for l in open(log)]
        end = [e for e in ev if e["ev"] == "enroll_end"][-1]
        ad = [e for e in ev if e["ev"] == "adapt"]
        ad = ad[-1] if ad else {}
        row = {"voice": voice, "enroll_s": end.get("recording_s", 0), "cpu_s": ad.get("cpu_s", 0),
               "kept": ad.get("kept", False), "recorded": end.get("recorded", 0),
               "wanted": end.get("wanted", 0),
               "check": "%s/%s->%s/%s" % (ad.get("stock_quiet_ok"), ad.get("stock_noisy_ok"),
                                          ad.get("adapted_quiet_ok"), ad.get("adapted_noisy_ok")),
               "res": {}}
        hmm_adapted = os.path.join(prof, "model/en-us")
        # Test clips at the other rate, normalized to -20 dBFS speech level.
        clips = []
        for i, (it, val, text) in enumerate(safety):
            f = synth(text, voice, a.test_rate, cache)
            x, _, _ = read_wav(f)
            clips.append((it, val, text, f, len(x) / RATE, 10 ** ((-20 - active_db(x)) / 20)))
        for snr in [float(s) for s in a.snrs.split()]:
            for k, n in enumerate(noise_files):
                mine = [c for j, c in enumerate(clips) if j % len(noise_files) == k]
                tag = "%s_%g" % (n, snr)
                stream = os.path.join(vdir, tag + ".wav")
                spec, truth, t = [], [], 1.5
                for it, val, text, f, dur, g in mine:
                    spec.append("clip %s %.6f %.3f" % (f, g, t))
                    truth.append((it, val, text, t, t + dur))
                    t += dur + 2.0
                total = t + 1.0
                ng = 10 ** ((-20 - snr - noise_db[n]) / 20)
                spec.insert(0, "loop %s %.6f 0" % (noise_files[n], ng))
                spec.insert(1, "floor 3 7")
                run([mixwav, stream, "%.2f" % total], input="\n".join(spec) + "\n", text=True)
                with open(stream[:-4] + ".truth.json", "w") as o:
                    json.dump(truth, o)
                res = row["res"].setdefault(snr, {"n": 0, "g_stock": 0, "g_adapt": 0,
                                                  "h_stock": 0, "h_adapt": 0, "r_stock": 0,
                                                  "r_adapt": 0, "o_stock": 0, "o_adapt": 0})
                res["n"] += len(truth)
                # grammar: each reply's segment decoded alone
                # (read from the WAV itself: sphinx_fe cuts long files short)
                ctl = stream[:-4] + ".ctl"
                with open(ctl, "w") as o:
                    for j, (_, _, _, s, e) in enumerate(truth):
                        o.write("%s %d %d u%d\n" % (os.path.basename(stream)[:-4],
                                                    max(0, int((s - 0.4) * 100)),
                                                    int((e + 0.4) * 100), j))
                for which, hmm in (("g_stock", os.path.join(model, "en-us")),
                                   ("g_adapt", hmm_adapted)):
                    if which == "g_adapt" and not row["kept"]:
                        res[which] = res["g_stock"]
                        continue
                    hyp = stream[:-4] + "." + which + ".hyp"
                    run(["pocketsphinx_batch", "-adcin", "yes", "-adchdr", "44", "-hmm", hmm,
                         "-dict", dict_path, "-jsgf", jsgf, "-ctl", ctl, "-cepdir", vdir,
                         "-cepext", ".wav", "-hyp", hyp,
                         "-logfn", "/dev/null"], stdout=subprocess.DEVNULL,
                        stderr=subprocess.DEVNULL)
                    got = {}
                    for line in open(hyp):
                        m = re.match(r"^(.*?)\s*\((u\d+)\s", line.strip() + " ")
                        if m:
                            got[int(m.group(2)[1:])] = norm_text(m.group(1))
                    for j, (it, val, _, _, _) in enumerate(truth):
                        h = by_text.get(got.get(j, ""))
                        if h and h[0] == it and h[1] == val:
                            res[which] += 1
                if a.no_hear:
                    continue
                # hear: the product's listener over the whole stream
                procs = {}
                for which, popt in (("h_stock", ["--no-profile"]),
                                    ("h_adapt", ["--profile", prof]),
                                    ("o_stock", ["--no-profile", "--hold"]),
                                    ("o_adapt", ["--profile", prof, "--hold"])):
                    out = open(stream[:-4] + "." + which + ".jsonl", "w")
                    err = open(stream[:-4] + "." + which + ".rejected", "w")
                    procs[which] = (subprocess.Popen([a.fc, "hear", "--verbose", "--mic", stream]
                                                     + popt, stdout=out, stderr=err), out, err)
                for which, (p, out, err) in procs.items():
                    p.wait()
                    out.close()
                    err.close()
                    heard = []
                    for line in open(stream[:-4] + "." + which + ".jsonl"):
                        try:
                            heard.append(json.loads(line))
                        except ValueError:
                            pass
                    # raw: what the decoder heard before rejection (accepted or not)
                    raw = [(h["start"], h["end"], norm_text(h.get("text", ""))) for h in heard]
                    for line in open(stream[:-4] + "." + which + ".rejected"):
                        m = re.match(r'^rejected ([0-9.]+)-([0-9.]+) "(.*?)"', line)
                        if m:
                            raw.append((float(m.group(1)), float(m.group(2)),
                                        norm_text(m.group(3))))
                    for it, val, _, s, e in truth:
                        for h in heard:
                            if h["end"] < s - 0.2 or h["start"] > e + 1.0:
                                continue
                            # During a hold (o_*), unclear speech stops the count too.
                            if (h.get("intent") == it and value_ok(it, val, h.get("value"))) or \
                                    (which[0] == "o" and h.get("unclear")):
                                res[which] += 1
                                break
                        if which[0] == "o":
                            continue
                        for hs, he, text in raw:
                            if he < s - 0.2 or hs > e + 1.0:
                                continue
                            got = by_text.get(text)
                            if got and got[0] == it and got[1] == val:
                                res["r" + which[1:]] += 1
                                break
                if not row["kept"]:
                    # No adapted model: the profile still gives the person's level.
                    res["h_adapt"] = res["h_stock"]
                    res["r_adapt"] = res["r_stock"]
        if not a.no_hear and not a.no_fa:
            row["fa"] = false_accepts(a, voice, vdir, prof, cache, noise_files, noise_db,
                                      mixwav, row["kept"])
        rows.append(row)
        print_table(rows, a)
    return 0


# Ordinary speech for false accepts: the corpus's recorded sentences, eSpeak
# NG readings of bench/sentences.txt in other voices (a TV, people in the
# room), and the same readings in the person's own voice (talking on the
# phone); none of it is a reply.
OTHER_VOICES = ["en-us", "en-gb", "en-us+f2", "en+klatt", "en-us+m7"]


def false_accepts(a, voice, vdir, prof, cache, noise_files, noise_db, mixwav, kept):
    """Replies accepted by `hear` (anytime context) per hour of ordinary speech
    as loud as the person's replies, over each noise at a.fa_snr dB; stock
    model and the person's profile. Returns {"s": seconds, "stock": {...},
    "adapt": {...}} with counts of all accepts and safety accepts, for the
    other voices and the person's own."""
    lines = [l.strip() for l in open(os.path.join(a.top, "bench/sentences.txt"))
             if l.strip() and not l.startswith("#")]
    sent_dir = os.path.join(a.corpus, "speech/sentences")
    recorded = sorted(os.path.join(sent_dir, f) for f in os.listdir(sent_dir)
                      if f.endswith(".wav"))
    groups = {
        "others": recorded + [synth(l, v, 160, cache) for v in OTHER_VOICES for l in lines],
        "own": [synth(l, voice, r, cache) for r in (a.enroll_rate, a.test_rate) for l in lines],
    }
    fa = {"s": {}, "stock": {}, "adapt": {}}
    for g, files in groups.items():
        for k, n in enumerate(noise_files):
            stream = os.path.join(vdir, "fa_%s_%s.wav" % (g, n))
            spec, t = [], 1.0
            for f in files:
                x, r, c = read_wav(f)
                if r != RATE or c != 1:
                    conv = os.path.join(cache, os.path.basename(f)[:-4] + ".16k.wav")
                    if not os.path.exists(conv):
                        run(["sox", "-q", f, "-r", "16000", "-c", "1", "-b", "16", conv])
                    f = conv
                    x, _, _ = read_wav(f)
                spec.append("clip %s %.6f %.3f" % (f, 10 ** ((-20 - active_db(x)) / 20), t))
                t += len(x) / RATE + 1.0
            ng = 10 ** ((-20 - a.fa_snr - noise_db[n]) / 20)
            spec = ["loop %s %.6f 0" % (noise_files[n], ng), "floor 3 11"] + spec
            run([mixwav, stream, "%.2f" % (t + 1.0)], input="\n".join(spec) + "\n", text=True)
            fa["s"][g] = fa["s"].get(g, 0.0) + t
            for which, popt in (("stock", ["--no-profile"]), ("adapt", ["--profile", prof])):
                if which == "adapt" and not kept:
                    fa[which][g] = dict(fa["stock"][g])
                    continue
                r = subprocess.run([a.fc, "hear", "--verbose", "--mic", stream] + popt,
                                   check=True, capture_output=True, text=True)
                out = r.stdout
                # kept for bench/enroll_points.py
                with open(stream[:-4] + "." + which + ".jsonl", "w") as o:
                    o.write(out)
                with open(stream[:-4] + "." + which + ".rejected", "w") as o:
                    o.write(r.stderr)
                c = fa[which].setdefault(g, {"all": 0, "safety": 0})
                for line in out.splitlines():
                    try:
                        h = json.loads(line)
                    except ValueError:
                        continue
                    c["all"] += 1
                    c["safety"] += h.get("intent") in SAFETY
    return fa


LOCS = ["", "back", "buttock", "thigh", "knee", "calf", "foot"]


def value_ok(it, val, heard_value):
    """The value matters for a location (heard as its name) and a pain score."""
    if it == "location":
        return heard_value == LOCS[int(val)]
    if it == "pain_score":
        return str(heard_value) == val
    return True


def pct(k, n):
    return "%5.1f%%" % (100.0 * k / n) if n else "   -  "


def cells(x, a):
    h = (lambda k: pct(x[k], x["n"])) if not a.no_hear else (lambda k: "   -  ")
    return " |         %s  %s |     %s  %s |    %s  %s |     %s  %s" % (
        pct(x["g_stock"], x["n"]), pct(x["g_adapt"], x["n"]), h("h_stock"), h("h_adapt"),
        h("r_stock"), h("r_adapt"), h("o_stock"), h("o_adapt"))


def print_table(rows, a):
    snrs = [float(s) for s in a.snrs.split()]
    print()
    room = "a quiet room" if a.room == "none" else "a room with %s at %g dBFS" % (a.room,
                                                                                 a.room_dbfs)
    print("Enrolled column: enrollment at %d wpm in %s (recipe %s), safety replies of the "
          "lexicon at %d wpm in %s" % (a.enroll_rate, room,
                                       os.environ.get("FLOORCOACH_ADAPT_TRAIN", "both"),
                                       a.test_rate, ", ".join(a.noises.split())))
    head = "%-16s %6s %7s %6s %-15s" % ("voice", "enroll", "adapt", "model", "check q/n")
    for s in snrs:
        head += (" | %4g dB: gram stock adapted | hear stock adapted | raw stock adapted"
                 " | hold stock profile" % s)
    print(head)
    keys = ("n", "g_stock", "g_adapt", "h_stock", "h_adapt", "r_stock", "r_adapt", "o_stock",
            "o_adapt")
    tot = {s: {k: 0 for k in keys} for s in snrs}
    for r in rows:
        line = "%-16s %5.0fs %6.1fs %6s %-15s" % (r["voice"], r["enroll_s"], r["cpu_s"],
                                                   "kept" if r["kept"] else "stock", r["check"])
        for s in snrs:
            x = r["res"].get(s)
            if not x:
                continue
            for k in keys:
                tot[s][k] += x[k]
            line += cells(x, a)
        print(line)
    line = "%-16s %6s %7s %6s %-15s" % ("all", "", "", "", "")
    for s in snrs:
        line += cells(tot[s], a)
    print(line)
    print("gram: PocketSphinx, plain grammar of every lexicon phrase, each reply's segment; "
          "hear: `floorcoach hear` (rejection included); raw: hear's decoded text before "
          "rejection; hold: `hear --hold`, a reply counts when its intent is found or it is "
          "reported as unclear speech (which stops the count), without and with the profile "
          "(its model if kept, and the person's level from its recordings). "
          "Recall = the reply's intent (and value) found.")
    fas = [r for r in rows if r.get("fa")]
    if fas:
        print()
        print("Enrolled false accepts: `floorcoach hear` over ordinary speech as loud as the "
              "person's replies, %s at %g dB SNR; replies accepted per hour "
              "(all / safety)" % (", ".join(a.noises.split()), a.fa_snr))
        print("%-16s | %-28s | %-28s" % ("voice", "other voices: stock  profile",
                                         "own voice: stock  profile"))
        tot = {}
        for r in fas:
            fa = r["fa"]
            line = "%-16s" % r["voice"]
            for g in ("others", "own"):
                hours = fa["s"][g] / 3600.0
                t = tot.setdefault(g, {"h": 0.0, "stock": [0, 0], "adapt": [0, 0]})
                t["h"] += hours
                cellv = []
                for w in ("stock", "adapt"):
                    c = fa[w][g]
                    t[w][0] += c["all"]
                    t[w][1] += c["safety"]
                    cellv.append("%5.1f/%5.1f" % (c["all"] / hours, c["safety"] / hours))
                line += " | %s  %s (%3.0f min)" % (cellv[0], cellv[1], hours * 60)
            print(line)
        line = "%-16s" % "all"
        for g in ("others", "own"):
            t = tot[g]
            line += " | %s  %s (%3.0f min)" % tuple(
                ["%5.1f/%5.1f" % (t[w][0] / t["h"], t[w][1] / t["h"]) for w in ("stock", "adapt")]
                + [t["h"] * 60])
        print(line)
    sys.stdout.flush()


if __name__ == "__main__":
    sys.exit(main())
