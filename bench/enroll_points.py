#!/usr/bin/env python3
"""enroll_points.py: other operating points of the listener's rejection, on
the enrolled benchmark's own material.

    enroll_points.py TOP OUTDIR [SNR]

bench/enroll_bench.py keeps what `floorcoach hear --verbose` said about every
segment: the replies' streams (<noise>_<snr>.h_{stock,adapt}.*, with their
truth in <noise>_<snr>.truth.json) and the ordinary-speech streams
(fa_<group>_<noise>.{stock,adapt}.*). From those, this prints recall and
false accepts per hour when the rejection is moved by hand:
  stricter   only what hear accepted, and of that only with score >= X
             (or a phone distance <= P)
  looser     what hear accepted, and also any rejected segment whose text is
             a lexicon phrase, not run on from other speech, with score >= S
             and phone distance <= P (and at least W words)
The product's judge has more rules (per class, one-word and long phrases,
levels); these points move all of it at once, so they say where the trade
lies, not what a retuned judge would give exactly."""
import json
import os
import re
import subprocess
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import enroll_bench as eb  # noqa: E402

RATE = 16000


def segments(stem):
    """Every segment hear reported for a stream: accepted (stdout JSON) and
    rejected (stderr, --verbose)."""
    segs = []
    if not os.path.exists(stem + ".jsonl") or not os.path.exists(stem + ".rejected"):
        return None
    for line in open(stem + ".jsonl"):
        if line.startswith("{"):
            j = json.loads(line)
            segs.append(dict(s=j["start"], e=j["end"], text=eb.norm_text(j["text"]),
                             score=j["score"], pd=j["phones"], acc=True, run_on=False,
                             intent=j.get("intent"), value=j.get("value")))
    for line in open(stem + ".rejected"):
        m = re.match(r'^rejected ([0-9.]+)-([0-9.]+) "(.*?)" score (\S+) phones (\S+)', line)
        if m:
            segs.append(dict(s=float(m.group(1)), e=float(m.group(2)),
                             text=eb.norm_text(m.group(3)), score=float(m.group(4)),
                             pd=float(m.group(5)), acc=False, run_on="run-on" in line))
    return segs


def main():
    top, out = sys.argv[1], sys.argv[2]
    snr = sys.argv[3] if len(sys.argv) > 3 else "10"
    lex = {}
    for line in subprocess.run([os.path.join(top, "bench/out/listen/fcbench"), "phrases",
                                os.path.join(top, "voices/en-us/replies.cfg")], check=True,
                               capture_output=True, text=True).stdout.splitlines():
        it, val, text = line.split("\t")
        lex[eb.norm_text(text)] = (it, val)
    stricter = [("as built", None, None), ("score >= -12", -12, None),
                ("score >= -10", -10, None), ("score >= -8", -8, None),
                ("phones <= 0.4", None, 0.4)]
    looser = [("2+ words, score >= -16, phones <= 0.6", -16, 0.6, 2),
              ("2+ words, score >= -20, phones <= 0.7", -20, 0.7, 2),
              ("any, score >= -16, phones <= 0.6", -16, 0.6, 1),
              ("any, score >= -20, phones <= 0.7", -20, 0.7, 1)]
    points = [(n, ("s", x, p, 0)) for n, x, p in stricter] + \
             [(n, ("l", sc, p, w)) for n, sc, p, w in looser]

    def keep(g, pt):
        kind, x, p, w = pt
        if kind == "s":
            return g["acc"] and (x is None or g["score"] >= x) and (p is None or g["pd"] <= p)
        return g["acc"] or (not g["run_on"] and g["text"] in lex and
                            len(g["text"].split()) >= w and g["score"] >= x and g["pd"] <= p)

    for which in ("stock", "adapt"):
        n_true = 0
        found = [0] * len(points)
        fa = [0] * len(points)
        secs = 0.0
        for v in sorted(os.listdir(out)):
            vdir = os.path.join(out, v)
            if not os.path.isdir(vdir):
                continue
            for f in sorted(os.listdir(vdir)):
                if f.endswith("_%s.truth.json" % snr):
                    segs = segments(os.path.join(vdir, f[:-11] + ".h_" + which))
                    if segs is None:
                        continue
                    for it, val, _, s, e in json.load(open(os.path.join(vdir, f))):
                        n_true += 1
                        here = [g for g in segs if not (g["e"] < s - 0.2 or g["s"] > e + 1.0)
                                and lex.get(g["text"]) == (it, val)]
                        for k, (_, pt) in enumerate(points):
                            found[k] += any(keep(g, pt) for g in here)
                m = re.match(r"^fa_\w+_\w+\.%s\.jsonl$" % which, f)
                if m:
                    segs = segments(os.path.join(vdir, f[:-6]))
                    wav = os.path.join(vdir, f.split(".")[0] + ".wav")
                    if segs is None or not os.path.exists(wav):
                        continue
                    secs += (os.path.getsize(wav) - 44) / 2.0 / RATE
                    for k, (_, pt) in enumerate(points):
                        fa[k] += sum(1 for g in segs if keep(g, pt))
        if not n_true or not secs:
            continue
        print("Operating points, %s model, %s dB: replies understood (%d) / false accepts "
              "per hour of ordinary speech (%.0f min)" %
              ("the profile's" if which == "adapt" else "the stock", snr, n_true, secs / 60))
        for k, (name, _) in enumerate(points):
            print("  %-40s %5.1f%%  %5.1f/h" % (name, 100.0 * found[k] / n_true,
                                                 fa[k] * 3600.0 / secs))
    return 0


if __name__ == "__main__":
    sys.exit(main())
