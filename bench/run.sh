#!/bin/sh
# run.sh: the benchmarks run by `make bench`, one step each. Each step says
# what it measures and skips clearly when its material (the corpus) is absent.
cd "$(dirname "$0")/.." || exit 1
status=0
step() {
    echo
    echo "==== $1"
    shift
    "$@" || status=1
}
# Speaking: synthesis CPU per second of speech, count words, echo canceller cost.
step "speaking" sh bench/speak.sh
# Counts on the clock (60 s hold) and a whole routine in file mode vs real time.
step "session timing" sh bench/session_timing.sh
# The clap detector (recall, false triggers per hour) and the room check's
# SNR error, on the corpus noise and speech and the program's own voice.
step "clap detector and room check" sh bench/clap.sh
# Listening: recall per class and SNR, false accepts per hour, latency, CPU and
# memory of the recognizer, on tuning material and on held-out voices and noises.
step "listening (recognition)" sh bench/recognition.sh
# Answers right after a question: short forms ("no", "knee") against the long
# forms the questions asked again name ("no, I don't", "in my knee"), at 10 dB.
step "answers after a question (short and long forms)" env FLOORCOACH_DATA="$PWD" \
    python3 bench/answer_forms.py ./floorcoach "${CORPUS:-$PWD/../shared/corpus}" bench/out/answers
# Real voices: the corpus's recorded "yes", "no" and digits as one-word answers
# right after a question, and its other words as false answers.
step "real one-word answers after a question" env FLOORCOACH_DATA="$PWD" \
    python3 bench/real_words.py ./floorcoach "${CORPUS:-$PWD/../shared/corpus}" bench/out/words
# A yes-or-no question: real answers, and symptoms that begin like a "no"
# ("i can't feel my leg" heard as "i don't"), which must not be a sure no.
step "yes or no after a question" env FLOORCOACH_DATA="$PWD" \
    python3 bench/yes_no.py ./floorcoach "${CORPUS:-$PWD/../shared/corpus}" bench/out/yes_no
# Replies in the person's own words: wordings the lexicon lists and wordings
# it does not (held out), in four voices over a hiss and the corpus noise.
step "replies in other words" env FLOORCOACH_DATA="$PWD" \
    python3 bench/wording.py ./floorcoach "${CORPUS:-$PWD/../shared/corpus}" bench/out/wording
# Enrollment: a few voices enroll in file mode; recall of the safety replies
# at another rate in held-out noise, stock model vs adapted; enrollment time
# and adaptation CPU.
step "enrolled listening (enrollment and adaptation)" sh bench/enroll.sh
# History, CSV and report over hundreds of logs.
step "history and report" sh bench/history.sh
# Session level, file mode with echo: a symptom reply during a hold stops the
# session within 3 s (voices x noises x SNRs), and the interruptions per hour
# that TV-like speech causes during a full routine. FC_SAFETY_FULL=1: bigger run.
step "session-level safety" sh bench/safety_session.sh
step "music in the room (a radio) during full routines" sh bench/safety_session.sh --part tv --tv music
step "symptoms during a hold, the person 10 dB under the program's voice" \
    sh bench/safety_session.sh --part hold --snrs 10 --person-db -10
step "symptoms during a hold, the person in a reverberant room (RT60 0.5 s, tail +3 dB)" \
    sh bench/safety_session.sh --part hold --snrs 10 --room 0.5,3
# The start of a session (room check, screening and baseline questions) in
# noise, held-out voices: the stock model, then each voice enrolled first.
step "the start of a session, stock model" sh bench/safety_session.sh --part answers
step "the start of a session, enrolled" sh bench/safety_session.sh --part answers --enrolled
# Live audio on the virtual device: end of "pain down my leg" to the spoken
# stop (20 trials at random moments of a hold), CPU and memory of a session.
step "live latency (virtual device)" sh bench/live.sh
exit $status
