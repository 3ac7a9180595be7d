#!/bin/sh
# gen.sh: builds the benchmark's material under bench/out/ (cached): replies
# of the lexicon and ordinary sentences synthesized with eSpeak NG, listed
# with the real recordings of the corpus in bench/out/items.tsv.
#   usage: gen.sh LEXICON CORPUS
# Material is split: TUNE voices, rates, speakers and noises are used to choose
# settings; REPORT ones are held out and give the figures.
set -eu
BENCH=$(cd "$(dirname "$0")" && pwd)
LEX=$1
CORPUS=$2
OUT=$BENCH/out/listen
mkdir -p "$OUT/tts"

TUNE_VOICES="en-us en-us+f2 en-gb en+klatt2"
TUNE_RATES="150 185"
REPORT_VOICES="en-us+m3 en-us+f4 en-gb-x-rp+m7 en-us+klatt4"
REPORT_RATES="135 200"

"$OUT/fcbench" phrases "$LEX" >"$OUT/phrases.tsv.new"
# Nothing changed since the last run: keep the list (checking thousands of
# cached clips takes minutes on a busy machine).
if [ -s "$OUT/items.tsv" ] && cmp -s "$OUT/phrases.tsv.new" "$OUT/phrases.tsv" &&
    [ "$OUT/items.tsv" -nt "$BENCH/sentences.txt" ] && [ "$OUT/items.tsv" -nt "$0" ]; then
    rm -f "$OUT/phrases.tsv.new"
    exit 0
fi
mv "$OUT/phrases.tsv.new" "$OUT/phrases.tsv"
items=$OUT/items.tsv.new
: >"$items"
# One synthesized clip, cached by a name made from voice, rate and text.
synth() { # split kind voice rate text
    name=$(printf '%s_%s_%s' "$3" "$4" "$5" | tr -c 'a-zA-Z0-9_\n' '_' | cut -c1-120)
    f=$OUT/tts/$name.wav
    if [ ! -s "$f" ]; then
        espeak-ng -v "$3" -s "$4" -w "$OUT/tts/tmp.wav" "$5"
        sox -q -V1 "$OUT/tts/tmp.wav" -r 16000 -c 1 -b 16 "$f" gain -3
    fi
    printf '%s\t%s\t%s\t%s\n' "$1" "$2" "$5" "$f" >>"$items"
}
gen_split() { # split voices rates sentence-parity
    for v in $2; do
        for r in $3; do
            cut -f3 "$OUT/phrases.tsv" | sort -u | while IFS= read -r p; do
                synth "$1" reply "$v" "$r" "$p"
            done
        done
        grep -v '^#' "$BENCH/sentences.txt" | awk -v p="$4" 'NR % 2 == p' |
            while IFS= read -r s; do synth "$1" neg "$v" 165 "$s"; done
    done
}
gen_split tune "$TUNE_VOICES" "$TUNE_RATES" 0
gen_split report "$REPORT_VOICES" "$REPORT_RATES" 1

# Real recordings: the word clips of even index are for tuning, odd for the
# report (different speakers); their text is the word. Ordinary sentences:
# alternate files.
for d in "$CORPUS"/speech/words/*/; do
    w=$(basename "$d")
    case $w in
    stop | go | yes | no | zero | one | two | three | four | five | six | seven | eight | nine)
        k=real ;;
    *) k=neg ;;
    esac
    i=0
    for f in "$d"*.wav; do
        if [ $((i % 2)) = 0 ]; then s=tune; else s=report; fi
        printf '%s\t%s\t%s\t%s\n' "$s" "$k" "$w" "$f" >>"$items"
        i=$((i + 1))
    done
done
i=0
for f in "$CORPUS"/speech/sentences/*.wav; do
    if [ $((i % 2)) = 0 ]; then s=tune; else s=report; fi
    printf '%s\tneg\t%s\t%s\n' "$s" "$(basename "$f" .wav)" "$f" >>"$items"
    i=$((i + 1))
done
mv "$items" "$OUT/items.tsv"
