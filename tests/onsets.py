#!/usr/bin/env python3
"""onsets.py OUT.wav [LOG.jsonl]: where speech starts and ends in a WAV file,
found by energy in 5 ms frames. Prints one "start end" pair (seconds) per
sound separated from the next by at least 80 ms of silence."""
import array
import json
import sys
import wave


def segments(path, frame_ms=5, gap_ms=80, threshold=200.0):
    with wave.open(path, "rb") as w:
        rate = w.getframerate()
        assert w.getsampwidth() == 2 and w.getnchannels() == 1
        data = array.array("h", w.readframes(w.getnframes()))
    if sys.byteorder == "big":
        data.byteswap()
    hop = rate * frame_ms // 1000
    segs = []
    start = None
    last_loud = None
    for i in range(0, len(data) - hop + 1, hop):
        frame = data[i:i + hop]
        # Find the first loud sample inside a loud frame for sample accuracy.
        peak = max(abs(x) for x in frame)
        if peak >= threshold:
            if start is None:
                j = next(k for k, x in enumerate(frame) if abs(x) >= threshold)
                start = (i + j) / rate
            last_loud = (i + hop) / rate
        elif start is not None and (i / rate - last_loud) * 1000 >= gap_ms:
            segs.append((start, last_loud))
            start = None
    if start is not None:
        segs.append((start, last_loud))
    return segs


def main():
    for s, e in segments(sys.argv[1]):
        print("%.4f %.4f" % (s, e))


if __name__ == "__main__":
    main()
