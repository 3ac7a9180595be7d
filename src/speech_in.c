/* speech_in: listening with PocketSphinx (the only file that includes it).
 * An energy endpointer cuts the audio into segments; each segment is decoded
 * whole by two decoders: one constrained to the lexicon's phrases (a JSGF
 * grammar over a dictionary of the lexicon's words), one a free phone loop.
 * A reply is accepted when the grammar's path scores close to the phone
 * loop's and the phones the loop heard agree with the phrase's pronunciation,
 * with thresholds per class of reply (bench/RESULTS.md). Phrases the lexicon
 * only spells with its choices ("my (leg|foot) is numb") are heard in a
 * second pass, by a third decoder, when no listed phrase was accepted. */
#include "speech_in.h"

#include <dirent.h>
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <pocketsphinx.h>

#include "wav.h"
#include "wordgraph.h"

#define MODEL_DIR_DEFAULT "/usr/share/pocketsphinx/model/en-us"
#define FRAME_MS 10
#define HIST_FRAMES 200 /* the noise floor is a low percentile of the last 2 s */
#define WIN_MAX 100     /* the longest post_ms, in frames */
#define TALK_KEPT 40    /* other talk: the levels of this many recent lines are kept */
#define TALK_MIN 10     /* ... and this many are needed before they count */
#define TALK_WINDOW_MS 120000 /* ... from this long ago at most (the TV may be off now) */

/* The word classes that get their own thresholds. */
enum rclass { RC_SAFETY, RC_RED_FLAG, RC_CONTROL, RC_NUMBER, RC_COUNT };

/* Tuned settings (see bench/): thresholds are on the per-frame log-likelihood
 * ratio of the reply against a free phone loop (0: as good as the best
 * phone sequence; more negative: worse). */
typedef struct settings {
    double sure[RC_COUNT];    /* accepted at or above this score */
    double sure_pd[RC_COUNT]; /* ... and at or below this phone distance */
    double low[RC_COUNT];     /* accepted with low_confidence down to this score */
    double low_pd[RC_COUNT];  /* ... and up to this phone distance */
    double one_word;          /* added to score thresholds for one-word phrases */
    double one_word_pd;       /* taken from phone-distance limits for one-word phrases */
    double expected_near;     /* for expected one-word answers, the phone distance counts
                               * a near miss (a phone of the same class, or one more of
                               * the class beside it) as this much of a phone */
    double long_phrase;       /* taken from score thresholds for long phrases ... */
    double long_words;        /* ... of at least this many words */
    double expected;          /* taken from score thresholds for expected answers */
    double expected_pd;       /* added to phone-distance limits for expected answers */
    double unclear;           /* during a hold: safety-like speech down to this is unclear */
    double unclear_pd;        /* ... with at most this phone distance */
    double unclear_words;     /* ... and a phrase of at least this many words */
    double again_ms;          /* a symptom said again this soon after the same symptom
                               * was heard as unclear speech is understood on the
                               * unclear score (0: never) ... */
    double again_pd;          /* ... and up to this phone distance */
    double min_ms;         /* shorter segments are clicks and breaths */
    double max_ms;         /* segments are cut here (impulsive noise merges items) */
    double unclear_max_ms; /* longer speech is not a short reply: never unclear */
    double near_db;        /* during a hold: speech this close to the person's level is theirs */
    double near_snr;       /* ... or, their level unknown, this far above the room's noise */
    double near_voiced;    /* ... when at least this part of its loud frames is voiced */
    double near_min_ms;    /* ... and it lasts at least this long */
    double talk_margin;    /* ... and, when other talk (a TV) comes close to their level,
                            * this far above its loud end (talk_pct of its recent lines) */
    double talk_pct;
    double talk_cap;       /* ... though never more than this close to their level */
    double min_snr;        /* nothing is heard in a segment less than this above the noise */
    double far_db;         /* a command this far below the person's level is not theirs */
    double run_on_ms;      /* speech that begins less than this after other speech ended
                            * is not a reply, unless it answers a question */
    double vad_db;         /* a frame is speech this far above the noise floor */
    double post_ms;        /* silence that ends a segment */
    double join_ms;        /* ... unless no reply is complete in it yet: then the rest
                            * of the reply is awaited this long (0: never) */
    double voice_end_ms;   /* a segment whose voice ended this long ago is cut, though
                            * typing or clatter keeps it loud */
    double pre_ms;         /* audio kept before the detected start */
    double wide_cal;       /* added to the scores of the second pass: see defaults */
    double wide_sure;      /* 1: the second pass takes only sure results, not low ones */
    double answer_again;   /* 1: an unsure yes or no to a question is decoded again with
                            * the quiet after it (join_ms), and taken as sure when
                            * that decoding is sure of the same answer */
    double answer_margin;  /* ... when it clears the bars by this much score */
    double beyond_ms;      /* voice outside the words recognized that makes a result
                            * suspect (heard.beyond_ms; 0: never) */
    double start_ms;       /* speech needed to open a segment */
} settings;

static const settings defaults = {
    /* safety, red flag, control, number (see bench/RESULTS.md) */
    .sure = {-16, -16, -14, -10},
    .sure_pd = {0.5, 0.5, 0.6, 0.5},
    .low = {-20, -16, -14, -10},
    .low_pd = {0.6, 0.5, 0.6, 0.5},
    .one_word = 4,
    .one_word_pd = 0.15,
    .expected_near = 0.5,
    .long_phrase = 6,
    .long_words = 3,
    .expected = 6,
    .expected_pd = 0.25,
    .unclear = -24,
    .unclear_pd = 0.7,
    .unclear_words = 2,
    .again_ms = 30000,
    .again_pd = 1.0,
    .min_ms = 150,
    .max_ms = 4000,
    .unclear_max_ms = 3000,
    .near_db = 5,
    .near_snr = 6,
    .near_voiced = 0.15,
    .near_min_ms = 300,
    .talk_margin = 3,
    .talk_pct = 0.97,
    .talk_cap = 2,
    .min_snr = 1,
    .far_db = 20,
    .run_on_ms = 100,
    .vad_db = 9,
    .post_ms = 250,
    .join_ms = 500,
    .voice_end_ms = 600,
    .pre_ms = 200,
    .start_ms = 50,
    /* PocketSphinx scores each frame against the best senone of the words
     * in play, so a larger grammar lowers every score a little: the graph
     * of the bundled lexicon's 21,000 phrases lowers the same decoding of
     * the same audio by 1.8 against that of its 410 listed ones (median;
     * quartiles 0.9-3.7; 1.8 with 5,600 phrases too; bench/RESULTS.md).
     * The second pass's scores are put back on the scale the thresholds
     * were tuned on. */
    .wide_cal = 1.8,
    /* "i can't feel my leg" was heard as "i don't" with 520-1020 ms of
     * voice left to the filler model; of 193 yes/no answers heard right,
     * none left 400 ms (bench/RESULTS.md). */
    .beyond_ms = 400,
    .answer_again = 1,
    .answer_margin = 6,
};

/* A key of the tuning string and where its value goes. */
typedef struct setting_key {
    const char *name;
    size_t offset;
} setting_key;

#define SK(name, field) {name, offsetof(settings, field)}
static const setting_key setting_keys[] = {
    SK("sure_safety", sure[RC_SAFETY]), SK("sure_red_flag", sure[RC_RED_FLAG]),
    SK("sure_control", sure[RC_CONTROL]), SK("sure_number", sure[RC_NUMBER]),
    SK("low_safety", low[RC_SAFETY]),   SK("low_red_flag", low[RC_RED_FLAG]),
    SK("low_control", low[RC_CONTROL]), SK("low_number", low[RC_NUMBER]),
    SK("sure_pd_safety", sure_pd[RC_SAFETY]), SK("sure_pd_red_flag", sure_pd[RC_RED_FLAG]),
    SK("sure_pd_control", sure_pd[RC_CONTROL]), SK("sure_pd_number", sure_pd[RC_NUMBER]),
    SK("low_pd_safety", low_pd[RC_SAFETY]), SK("low_pd_red_flag", low_pd[RC_RED_FLAG]),
    SK("low_pd_control", low_pd[RC_CONTROL]), SK("low_pd_number", low_pd[RC_NUMBER]),
    SK("one_word", one_word),           SK("one_word_pd", one_word_pd),
    SK("long_phrase", long_phrase),     SK("long_words", long_words),
    SK("expected", expected),           SK("expected_pd", expected_pd),
    SK("unclear", unclear),             SK("unclear_pd", unclear_pd),
    SK("unclear_words", unclear_words), SK("again_ms", again_ms),
    SK("again_pd", again_pd),
    SK("min_ms", min_ms),
    SK("max_ms", max_ms),               SK("unclear_max_ms", unclear_max_ms),
    SK("near_db", near_db),             SK("near_snr", near_snr),
    SK("near_voiced", near_voiced),
    SK("near_min_ms", near_min_ms),     SK("min_snr", min_snr),
    SK("talk_margin", talk_margin),     SK("talk_pct", talk_pct),
    SK("talk_cap", talk_cap),
    SK("expected_near", expected_near),
    SK("far_db", far_db),               SK("run_on_ms", run_on_ms),
    SK("vad_db", vad_db),               SK("post_ms", post_ms),
    SK("join_ms", join_ms),
    SK("voice_end_ms", voice_end_ms),
    SK("pre_ms", pre_ms),               SK("start_ms", start_ms),
    SK("wide_cal", wide_cal),           SK("wide_sure", wide_sure),
    SK("beyond_ms", beyond_ms),         SK("answer_again", answer_again),
    SK("answer_margin", answer_margin),
};

/* Decoder flags. Segments are cut here (see endpoint()) and decoded whole:
 * the decoder's own endpointer with live cepstral mean normalization
 * misheard replies at the start of a stream and after level changes, while
 * a whole segment normalized on itself (batch CMN) is heard right. */
static const char *const reply_flags[] = {"-remove_silence", "no", "-bestpath", "no", NULL};
static const char *const phone_flags[] = {"-remove_silence", "no", "-allphone_ci", "yes",
                                          "-bestpath", "no", "-lw", "2.0", NULL};

#define MAX_FLAGS 64

typedef struct phrase {
    char *text;
    intent intent;
    int value;
    int words;
    bool spelled; /* spelled by a phrase with choices: heard in the second pass */
} phrase;

#define MAX_SEGS 256

/* The best path of a decoder, read once: PocketSphinx 0.8 leaks a list
 * node each time the path is walked. */
typedef struct path {
    int n;
    char word[MAX_SEGS][32];
    int sf[MAX_SEGS], ef[MAX_SEGS];
    int32 ascr[MAX_SEGS];
} path;

struct speech_in {
    path gpath, ppath; /* the last segment's best paths */
    ps_decoder_t *ps; /* searches "replies" (the listed phrases) and, when the
                       * lexicon spells phrases it does not list, "wide"
                       * (every phrase it spells; see finish_segment) */
    bool wide;
    ps_decoder_t *ph; /* free phone loop */
    phrase *phrases;
    size_t nphrases;
    settings set;
    char model[512];
    unsigned long expected;
    bool in_hold;
    double person_db; /* level of the person's replies (see heard.level_db); NAN: unknown */
    intent pend_intent; /* the symptom the last unclear speech was decoded as; NONE: none */
    int pend_value;
    long pend_ms;       /* ... and where that speech ended */
    long cap_end_ms;  /* where the last segment cut at max_ms ended; -1: none */
    bool cap_voiced;  /* ... and it was a voice */
    long talk_end_ms; /* where the words of the last voiced, speaking-level segment
                       * ended; -1: none yet */
    float talk[TALK_KEPT];  /* levels of the last voiced segments heard with no question open */
    long talk_ms[TALK_KEPT]; /* ... that were not replies, and where they ended */
    int ntalk, talk_next;    /* how many are kept; where the next goes */
    long other_ms[TALK_KEPT]; /* where the last voiced lines quieter than the person's
                               * voice ended (other voices, at any time) */
    int nother, other_next;
    bool raw;
    /* Endpointer: 10 ms frames against a tracked noise floor. */
    bool in_utt;
    double floor_db;  /* noise floor estimate, dB */
    double noise_pow; /* mean power of the frames outside segments (about 2 s) */
    int noise_n;
    double hist[HIST_FRAMES]; /* frame levels of the last 2 s, dB */
    int frames_seen;
    int speech_run;   /* consecutive speech frames (before a start) */
    unsigned char win[WIN_MAX]; /* speech flags of the last post_ms, in a segment */
    int win_pos, win_speech, win_fill;
    int seg_frames;   /* 10 ms frames in the segment since it opened */
    int voice_checks; /* of them, loud ones checked voiced (every other frame) */
    int voice_last;   /* the last such frame */
    int wait_until;   /* awaiting the rest of a reply until this frame; 0: not */
    size_t join_nseg; /* the segment's length when a "no" began that wait; 0: none */
    size_t join_full; /* ... and its length, quiet after it included, when none came */
    int16_t part[160]; /* a frame not yet complete */
    size_t npart;
    int16_t *seg;     /* the segment's audio, pre-speech included */
    unsigned char *vflag; /* per 10 ms frame of seg: 1 if checked loud and voiced */
    int nvflag;           /* ... how many frames it holds for the segment being judged */
    size_t nseg, capseg;
    long seg_t0;      /* ms of seg[0] */
    long frame_t;     /* ms of the start of the next frame */
    int16_t *pre;     /* ring of the last pre_ms of audio */
    size_t npre, cappre, headpre;
};

static enum rclass class_of(intent i) {
    if (i == INTENT_RED_FLAG)
        return RC_RED_FLAG;
    if (i == INTENT_PAIN_SCORE)
        return RC_NUMBER;
    if (i >= INTENT_BETTER && i <= INTENT_LOCATION)
        return RC_SAFETY;
    return RC_CONTROL;
}

/* Symptoms and red flags: what the safety checker acts on. */
static bool symptom_class(enum rclass c) {
    return c == RC_SAFETY || c == RC_RED_FLAG;
}

/* ---- settings ---------------------------------------------------------- */

typedef struct flagset {
    const char *v[MAX_FLAGS];
    int n;
} flagset;

static int flags_set(flagset *f, const char *key, const char *val) {
    for (int i = 0; i + 1 < f->n; i += 2)
        if (strcmp(f->v[i], key) == 0) {
            f->v[i + 1] = val;
            return 0;
        }
    if (f->n + 2 >= MAX_FLAGS)
        return -1;
    f->v[f->n++] = key;
    f->v[f->n++] = val;
    return 0;
}

static void flags_init(flagset *f, const char *const *defs) {
    f->n = 0;
    for (int i = 0; defs[i]; i += 2)
        flags_set(f, defs[i], defs[i + 1]);
}

/* Parses "k=v,k=v" into the settings and the two flag sets. The strings
 * point into `buf`, which the caller keeps alive until the decoders exist. */
static int tuning_parse(char *buf, settings *set, flagset *fr, flagset *fp, fc_err *err) {
    char *save = NULL;
    for (char *tok = strtok_r(buf, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
        char *eq = strchr(tok, '=');
        if (!eq)
            return err_set(err, "tuning: \"%s\" is not key=value", tok);
        *eq = '\0';
        const char *val = eq + 1;
        if (tok[0] == '-') {
            if (flags_set(fr, tok, val) < 0)
                return err_set(err, "tuning: too many flags");
            continue;
        }
        if (strncmp(tok, "ph-", 3) == 0) {
            if (flags_set(fp, tok + 2, val) < 0)
                return err_set(err, "tuning: too many flags");
            continue;
        }
        size_t k;
        for (k = 0; k < sizeof setting_keys / sizeof setting_keys[0]; k++)
            if (strcmp(setting_keys[k].name, tok) == 0)
                break;
        if (k == sizeof setting_keys / sizeof setting_keys[0])
            return err_set(err, "tuning: unknown setting \"%s\"", tok);
        char *end;
        double d = strtod(val, &end);
        if (end == val || *end)
            return err_set(err, "tuning: %s: \"%s\" is not a number", tok, val);
        *(double *)(void *)((char *)set + setting_keys[k].offset) = d;
    }
    return 0;
}

/* ---- dictionary and grammar -------------------------------------------- */

typedef struct wordref {
    char *word;
    size_t phrase; /* the first phrase that uses it, for the error message */
    bool found;
} wordref;

static int wordref_cmp(const void *a, const void *b) {
    return strcmp(((const wordref *)a)->word, ((const wordref *)b)->word);
}

/* Collects the distinct words of all phrases, sorted. */
static wordref *collect_words(const phrase *ph, size_t n, size_t *nw) {
    size_t cap = 64, count = 0;
    wordref *w = xmalloc(cap * sizeof *w);
    if (!w)
        return NULL;
    for (size_t i = 0; i < n; i++) {
        const char *p = ph[i].text;
        while (*p) {
            size_t len = strcspn(p, " ");
            bool seen = false;
            for (size_t k = 0; k < count && !seen; k++)
                seen = strlen(w[k].word) == len && strncmp(w[k].word, p, len) == 0;
            if (!seen) {
                if (count == cap) {
                    wordref *nwp = xrealloc(w, cap * 2 * sizeof *w);
                    if (!nwp)
                        goto nomem;
                    w = nwp;
                    cap *= 2;
                }
                char *s = xmalloc(len + 1);
                if (!s)
                    goto nomem;
                memcpy(s, p, len);
                s[len] = '\0';
                w[count++] = (wordref){s, i, false};
            }
            p += len;
            while (*p == ' ')
                p++;
        }
    }
    qsort(w, count, sizeof *w, wordref_cmp);
    *nw = count;
    return w;
nomem:
    for (size_t k = 0; k < count; k++)
        free(w[k].word);
    free(w);
    return NULL;
}

static void free_words(wordref *w, size_t n) {
    for (size_t k = 0; w && k < n; k++)
        free(w[k].word);
    free(w);
}

/* Writes the model dictionary's entries for the lexicon's words to `out`:
 * a small dictionary keeps the decoder at a few MB instead of 30. */
static int write_dict(const char *model_dict, wordref *w, size_t nw, const phrase *ph,
                      FILE *out, fc_err *err) {
    size_t len;
    char *text = file_read_all(model_dict, &len, err);
    if (!text)
        return -1;
    char *save = NULL;
    for (char *line = strtok_r(text, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
        size_t wl = strcspn(line, " \t(");
        char c = line[wl];
        line[wl] = '\0';
        wordref key = {line, 0, false};
        wordref *hit = bsearch(&key, w, nw, sizeof *w, wordref_cmp);
        line[wl] = c;
        if (hit) {
            hit->found = true;
            fprintf(out, "%s\n", line);
        }
    }
    free(text);
    for (size_t k = 0; k < nw; k++)
        if (!w[k].found)
            return err_set(err,
                           "the word \"%s\" (in the reply \"%s\", intent %s) is not in the "
                           "speech model's dictionary %s: use another word for that reply",
                           w[k].word, ph[w[k].phrase].text, intent_name(ph[w[k].phrase].intent),
                           model_dict);
    return 0;
}

/* The grammar of the listed phrases, or with `spelled` of all, as the
 * search `name` of the reply decoder: the smallest graph of words that
 * spells them (wordgraph.h), so that the decoder follows one copy of a
 * shared beginning ("it's going down my ...") and of a shared ending
 * ("... numb") instead of one per phrase. Every arc scores 0, as an
 * unweighted JSGF choice does: each phrase scores as in a flat list of
 * phrases. Returns 0, or -1 with err set. */
static int set_grammar(speech_in *si, const char *name, bool spelled, fc_err *err) {
    const char **t = xmalloc((si->nphrases ? si->nphrases : 1) * sizeof *t);
    if (!t)
        return err_set(err, "out of memory");
    size_t n = 0;
    for (size_t i = 0; i < si->nphrases; i++)
        if (spelled || !si->phrases[i].spelled)
            t[n++] = si->phrases[i].text;
    wordgraph *g = wordgraph_build(t, n);
    free(t);
    int *wid = g ? xmalloc((size_t)(g->nwords ? g->nwords : 1) * sizeof *wid) : NULL;
    if (!wid) {
        wordgraph_free(g);
        return err_set(err, "out of memory");
    }
    /* One end: the state that ends a phrase with nothing after it (there
     * is one at most in a minimal graph), or one more state. Phrases that
     * end where longer ones go on reach it by a null arc. */
    int end = -1;
    for (int s = 0; s < g->nstates && end < 0; s++)
        if (g->final[s] && g->first[s] == g->first[s + 1])
            end = s;
    float32 lw = cmd_ln_float32_r(ps_get_config(si->ps), "-lw");
    fsg_model_t *fsg =
        fsg_model_init(name, ps_get_logmath(si->ps), lw, g->nstates + (end < 0 ? 1 : 0));
    fsg->start_state = g->start;
    fsg->final_state = end >= 0 ? end : g->nstates;
    for (int w = 0; w < g->nwords; w++)
        wid[w] = fsg_model_word_add(fsg, g->words[w]);
    for (int s = 0; s < g->nstates; s++) {
        for (int a = g->first[s]; a < g->first[s + 1]; a++)
            fsg_model_trans_add(fsg, s, g->arcs[a].to, 0, wid[g->arcs[a].word]);
        if (g->final[s] && s != fsg->final_state)
            fsg_model_null_trans_add(fsg, s, fsg->final_state, 0);
    }
    glist_free(fsg_model_null_trans_closure(fsg, NULL));
    int rc = ps_set_fsg(si->ps, name, fsg);
    fsg_model_free(fsg);
    free(wid);
    wordgraph_free(g);
    if (rc < 0)
        return err_set(err, "the speech recognizer could not build the reply grammar");
    return 0;
}

/* ---- construction ------------------------------------------------------ */

static ps_decoder_t *decoder_new(const char *model, const char *dict, const char *log,
                                 const flagset *extra, const char *allphone, fc_err *err) {
    char hmm[600], lm[600];
    snprintf(hmm, sizeof hmm, "%s/en-us", model);
    snprintf(lm, sizeof lm, "%s/en-us-phone.lm.bin", model);
    const char *argv[MAX_FLAGS + 16];
    int argc = 0;
    argv[argc++] = "-hmm";
    argv[argc++] = hmm;
    argv[argc++] = "-dict";
    argv[argc++] = dict;
    argv[argc++] = "-logfn";
    argv[argc++] = log ? log : "/dev/null";
    argv[argc++] = "-samprate";
    argv[argc++] = "16000";
    if (allphone) {
        argv[argc++] = "-allphone";
        argv[argc++] = lm;
    }
    for (int i = 0; i < extra->n; i++)
        argv[argc++] = extra->v[i];
    cmd_ln_t *cfg = cmd_ln_parse_r(NULL, ps_args(), argc, (char **)(void *)argv, FALSE);
    if (!cfg) {
        err_set(err, "the speech recognizer refused its settings (see %s)",
                log ? log : "a log file given with the log option");
        return NULL;
    }
    ps_decoder_t *ps = ps_init(cfg);
    cmd_ln_free_r(cfg);
    if (!ps)
        err_set(err, "cannot load the speech model from %s (is pocketsphinx-en-us installed?)",
                hmm);
    return ps;
}

static void pick_model(speech_in *si, const speech_in_opts *opts) {
    const char *env = getenv("FLOORCOACH_PS_MODEL");
    str_copy(si->model, env && *env ? env : MODEL_DIR_DEFAULT, sizeof si->model);
    /* An enrollment profile may carry a model adapted to the person. */
    if (opts && opts->profile_dir) {
        char probe[600];
        snprintf(probe, sizeof probe, "%s/model/en-us/mdef", opts->profile_dir);
        if (access(probe, R_OK) == 0)
            snprintf(si->model, sizeof si->model, "%s/model", opts->profile_dir);
    }
}

static speech_in *build(speech_in *si, const speech_in_opts *opts, fc_err *err) {
    char *tun = NULL, dict[64] = "";
    int fd = -1;        /* the dictionary file, open while the recognizer reads it */
    bool named = false; /* ... and its name in TMPDIR still to remove */
    wordref *words = NULL;
    size_t nwords = 0;
    flagset fr, fp;
    flags_init(&fr, reply_flags);
    flags_init(&fp, phone_flags);
    si->set = defaults;
    if (opts && opts->tuning) {
        tun = xstrdup(opts->tuning);
        if (!tun || tuning_parse(tun, &si->set, &fr, &fp, err) < 0)
            goto error_out;
    }
    pick_model(si, opts);
    if (si->nphrases == 0) {
        err_set(err, "the reply lexicon has no phrases: nothing to listen for");
        goto error_out;
    }
    words = collect_words(si->phrases, si->nphrases, &nwords);
    if (!words) {
        err_set(err, "out of memory");
        goto error_out;
    }
    const char *tmp = getenv("TMPDIR");
    snprintf(dict, sizeof dict, "%s/fc-dict.XXXXXX", tmp && strlen(tmp) < 40 ? tmp : "/tmp");
    fd = mkstemp(dict);
    if (fd < 0) {
        err_set(err, "cannot create a temporary file in %s: %s", dict, strerror(errno));
        goto error_out;
    }
    named = true;
    /* The recognizer reads the dictionary by name. Where the open file has
     * one of its own (/proc), the name in TMPDIR is removed at once: a
     * program killed while it writes the file or the recognizer starts
     * leaves nothing behind. */
    char by_fd[64];
    snprintf(by_fd, sizeof by_fd, "/proc/self/fd/%d", fd);
    if (access(by_fd, R_OK) == 0 && unlink(dict) == 0) {
        named = false;
        str_copy(dict, by_fd, sizeof dict);
    }
    int wfd = dup(fd);
    FILE *f = wfd >= 0 ? fdopen(wfd, "w") : NULL;
    if (!f) {
        if (wfd >= 0)
            close(wfd);
        err_set(err, "cannot write a temporary file: %s", strerror(errno));
        goto error_out;
    }
    char model_dict[600];
    snprintf(model_dict, sizeof model_dict, "%s/cmudict-en-us.dict", si->model);
    int rc = write_dict(model_dict, words, nwords, si->phrases, f, err);
    if (fclose(f) != 0 && rc == 0)
        rc = err_set(err, "cannot write a temporary file: %s", strerror(errno));
    if (rc < 0)
        goto error_out;
    const char *log = opts ? opts->log_path : NULL;
    si->ps = decoder_new(si->model, dict, log, &fr, NULL, err);
    if (!si->ps)
        goto error_out;
    si->ph = decoder_new(si->model, dict, log, &fp, "allphone", err);
    if (!si->ph)
        goto error_out;
    size_t listed = 0;
    for (size_t i = 0; i < si->nphrases; i++)
        listed += !si->phrases[i].spelled;
    for (size_t i = 0; i < si->nphrases; i++) /* nothing listed: one pass over all */
        si->phrases[i].spelled = si->phrases[i].spelled && listed > 0;
    si->wide = listed < si->nphrases;
    /* Both grammars are searches of one decoder, which holds the acoustic
     * model once; decode_on picks the search for each utterance. */
    if (set_grammar(si, "replies", false, err) < 0 ||
        (si->wide && set_grammar(si, "wide", true, err) < 0))
        goto error_out;
    si->cappre = (size_t)(si->set.pre_ms * 16) + 160;
    si->capseg = (size_t)((si->set.max_ms + si->set.pre_ms) * 16) + 320;
    si->pre = xcalloc(si->cappre, sizeof *si->pre);
    si->seg = xcalloc(si->capseg, sizeof *si->seg);
    si->vflag = xcalloc(si->capseg / 160 + 1, 1);
    if (!si->pre || !si->seg || !si->vflag) {
        err_set(err, "out of memory");
        goto error_out;
    }
    if (si->set.post_ms < FRAME_MS * 5 || si->set.post_ms > FRAME_MS * WIN_MAX) {
        err_set(err, "tuning: post_ms must be 50 to %d", FRAME_MS * WIN_MAX);
        goto error_out;
    }
    if (named)
        unlink(dict);
    close(fd);
    free(tun);
    free_words(words, nwords);
    return si;
error_out:
    if (named)
        unlink(dict);
    if (fd >= 0)
        close(fd);
    free(tun);
    free_words(words, nwords);
    speech_in_free(si);
    return NULL;
}

/* The level of a segment (the 90th percentile of its 10 ms frame levels,
 * dBFS) and the part of its loud frames (within 12 dB of that level) that
 * are voiced: a normalized autocorrelation peak of at least 0.5 at a pitch
 * period of 2.5 to 16 ms. Speech is voiced most of the time; clatter,
 * typing and steady noise are not. Also how long the voice lasts in it
 * (voiced_ms, may be NULL): from the first to the last voiced frame that
 * has another within VOICE_NEAR frames (a lone keystroke that looks voiced
 * does not stretch it). Typing keeps a segment open for seconds around a
 * short reply; the reply's voice is what is short. vflag (may be NULL, n /
 * 160 entries) marks the frames checked loud and voiced (beyond_words). */
#define VOICE_WIN 512
#define VOICE_LAG 267 /* 16 ms: the longest pitch period */
#define VOICE_NEAR 10
#define VOICED_PEAK 0.5 /* a pitch_peak this high is voiced */
#define VOICE_MIN_CHECKS 5 /* voiced checks (20 ms apart) that make a voice in a segment */

/* The highest normalized autocorrelation of w[0..VOICE_WIN) with itself
 * shifted by 2.5 to 16 ms (w must hold VOICE_WIN + VOICE_LAG samples):
 * VOICED_PEAK or more is voiced. */
static double pitch_peak(const int16_t *w) {
    double e0 = 0;
    for (int i = 0; i < VOICE_WIN; i++)
        e0 += (double)w[i] * w[i];
    double best = 0, el = e0;
    for (int lag = 1; lag <= VOICE_LAG; lag++) {
        el += (double)w[VOICE_WIN + lag - 1] * w[VOICE_WIN + lag - 1] -
              (double)w[lag - 1] * w[lag - 1];
        if (lag < 40)
            continue;
        double c = 0;
        for (int i = 0; i < VOICE_WIN; i++)
            c += (double)w[i] * w[i + lag];
        double r = c / sqrt(e0 * el + 1.0);
        if (r > best)
            best = r;
    }
    return best;
}
static void seg_voice(const int16_t *x, size_t n, float *level_db, float *voiced,
                      float *voiced_ms, unsigned char *vflag) {
    size_t nf = n / 160;
    *level_db = -120.0f;
    *voiced = 0;
    if (voiced_ms)
        *voiced_ms = 0;
    if (vflag)
        memset(vflag, 0, nf);
    if (nf == 0)
        return;
    double *lv = xmalloc(nf * 2 * sizeof *lv);
    if (!lv)
        return;
    for (size_t f = 0; f < nf; f++) {
        double e = 0;
        for (size_t i = 0; i < 160; i++)
            e += (double)x[f * 160 + i] * x[f * 160 + i];
        lv[f] = lv[nf + f] = 10 * log10(e / 160 / (32768.0 * 32768.0) + 1e-12);
    }
    sort_doubles(lv + nf, nf);
    double p90 = lv[nf + (nf * 9) / 10]; /* (nf * 9) / 10 < nf */
    *level_db = (float)p90;
    int loud = 0, vo = 0;
    long first = -1, last = -1, prev = -1000; /* voiced frames with a voiced neighbour */
    for (size_t f = 0; f < nf; f += 2) {
        if (lv[f] < p90 - 12 || f * 160 + VOICE_WIN + VOICE_LAG > n)
            continue;
        loud++;
        if (pitch_peak(x + f * 160) >= VOICED_PEAK) {
            vo++;
            if (vflag)
                vflag[f] = 1;
            if ((long)f - prev <= VOICE_NEAR) {
                if (first < 0)
                    first = prev;
                last = (long)f;
            }
            prev = (long)f;
        }
    }
    free(lv);
    *voiced = loud ? (float)vo / (float)loud : 0.0f;
    if (voiced_ms && first >= 0)
        *voiced_ms = (float)((last - first + 2) * 10);
}

/* The person's level from their enrollment recordings (profile/wav/): the
 * median of the recordings' levels, NAN when there are none. */
static double profile_level(const char *profile_dir) {
    char dir[600];
    snprintf(dir, sizeof dir, "%s/wav", profile_dir);
    DIR *d = opendir(dir);
    if (!d)
        return NAN;
    double lv[256];
    int n = 0;
    for (struct dirent *e; n < 256 && (e = readdir(d));) {
        size_t len = strlen(e->d_name);
        if (len < 5 || strcmp(e->d_name + len - 4, ".wav") != 0)
            continue;
        char file[900];
        snprintf(file, sizeof file, "%s/%s", dir, e->d_name);
        int16_t *pcm = NULL;
        size_t np = 0;
        fc_err err;
        if (wav_read_16k(file, &pcm, &np, &err) == 0) {
            float l, v;
            seg_voice(pcm, np, &l, &v, NULL, NULL);
            if (v >= 0.3f)
                lv[n++] = l;
        }
        free(pcm);
    }
    closedir(d);
    if (n == 0)
        return NAN;
    sort_doubles(lv, (size_t)n);
    return lv[n / 2];
}

speech_in *speech_in_new(const lexicon *lx, const speech_in_opts *opts, fc_err *err) {
    speech_in *si = xcalloc(1, sizeof *si);
    if (!si) {
        err_set(err, "out of memory");
        return NULL;
    }
    size_t n = lexicon_count(lx);
    si->phrases = xcalloc(n ? n : 1, sizeof *si->phrases);
    if (!si->phrases) {
        free(si);
        err_set(err, "out of memory");
        return NULL;
    }
    for (size_t i = 0; i < n; i++) {
        const lexicon_phrase *lp = lexicon_get(lx, i);
        phrase *p = &si->phrases[si->nphrases];
        p->text = xstrdup(lp->text);
        if (!p->text) {
            speech_in_free(si);
            err_set(err, "out of memory");
            return NULL;
        }
        str_normalize(p->text);
        p->intent = lp->intent;
        p->value = lp->value;
        p->spelled = lp->spelled;
        p->words = 1;
        for (const char *c = p->text; *c; c++)
            p->words += *c == ' ';
        si->nphrases++;
        if (!p->text[0]) {
            speech_in_free(si);
            err_set(err, "the reply lexicon has an empty phrase (intent %s)",
                    intent_name(lp->intent));
            return NULL;
        }
    }
    si->cap_end_ms = -1;
    si->talk_end_ms = -1;
    si->pend_intent = INTENT_NONE;
    si->person_db = opts && opts->profile_dir ? profile_level(opts->profile_dir) : NAN;
    return build(si, opts, err);
}

void speech_in_free(speech_in *si) {
    if (!si)
        return;
    if (si->ps)
        ps_free(si->ps);
    if (si->ph)
        ps_free(si->ph);
    for (size_t i = 0; i < si->nphrases; i++)
        free(si->phrases[i].text);
    free(si->phrases);
    free(si->seg);
    free(si->vflag);
    free(si->pre);
    free(si);
}

void speech_in_set_context(speech_in *si, unsigned long expected, bool in_hold) {
    si->expected = expected;
    si->in_hold = in_hold;
}

void speech_in_set_person_level(speech_in *si, double level_db) {
    si->person_db = level_db;
}

double speech_in_person_level(const speech_in *si) {
    return si->person_db;
}

void speech_in_set_raw(speech_in *si, bool raw) {
    si->raw = raw;
}

const char *speech_in_model(const speech_in *si) {
    return si->model;
}

bool speech_in_in_speech(const speech_in *si) {
    return si->in_utt;
}

/* ---- decoding ---------------------------------------------------------- */

static void path_read(ps_decoder_t *ps, path *p) {
    p->n = 0;
    for (ps_seg_t *s = ps_seg_iter(ps); s; s = ps_seg_next(s)) {
        if (p->n == MAX_SEGS) {
            ps_seg_free(s);
            break;
        }
        int32 lscr = 0, lback = 0;
        const char *w = ps_seg_word(s);
        str_copy(p->word[p->n], w ? w : "", sizeof p->word[0]);
        ps_seg_prob(s, &p->ascr[p->n], &lscr, &lback);
        ps_seg_frames(s, &p->sf[p->n], &p->ef[p->n]);
        p->n++;
    }
}

static bool is_word(const char *w) {
    return w[0] && w[0] != '<' && w[0] != '[' && strcmp(w, "SIL") != 0;
}

/* Sum of acoustic scores over the path (the decoder's scaled log units,
 * each frame relative to its best senone), and the frame span of the words
 * (fillers and silence excluded). */
static double path_ascr(const path *p, int *first, int *last) {
    double sum = 0;
    *first = -1;
    *last = -1;
    for (int i = 0; i < p->n; i++) {
        sum += p->ascr[i];
        if (is_word(p->word[i])) {
            if (*first < 0)
                *first = p->sf[i];
            *last = p->ef[i];
        }
    }
    return sum;
}

/* Acoustic score of the path inside frames [a, b], a segment that
 * straddles the edge counted in proportion. */
static double span_ascr(const path *p, int a, int b) {
    double sum = 0;
    for (int i = 0; i < p->n; i++) {
        int sf = p->sf[i], ef = p->ef[i];
        int lo = sf > a ? sf : a, hi = ef < b ? ef : b;
        if (hi >= lo && ef >= sf)
            sum += (double)p->ascr[i] * (hi - lo + 1) / (ef - sf + 1);
    }
    return sum;
}

#define MAX_PH 96

/* Splits a pronunciation ("K AE R IY") into phone symbols appended to
 * ph[*n] (each at most 3 characters and a NUL). */
static void add_phones(const char *pron, char ph[][4], int *n) {
    while (*pron && *n < MAX_PH) {
        size_t len = strcspn(pron, " ");
        if (len > 0 && len < 4) {
            memcpy(ph[*n], pron, len);
            ph[*n][len] = '\0';
            (*n)++;
        }
        pron += len;
        while (*pron == ' ')
            pron++;
    }
}

/* The broad class of a phone of the CMU set: vowels, stops and affricates,
 * fricatives, nasals, liquids and glides. */
static int phone_class(const char *ph) {
    static const char *const cls[] = {
        "AA AE AH AO AW AY EH ER EY IH IY OW OY UH UW", "B D G K P T CH JH",
        "DH F S SH TH V Z ZH HH", "M N NG", "L R W Y"};
    size_t n = strlen(ph);
    for (int c = 0; c < 5; c++)
        for (const char *q = cls[c]; (q = strstr(q, ph)) != NULL; q += n)
            if ((q == cls[c] || q[-1] == ' ') && (q[n] == ' ' || q[n] == '\0'))
                return c;
    return -1;
}

/* Edit distance from the wanted phones to the heard ones, per wanted phone.
 * A near miss costs `near` instead of 1: a phone heard as another of its
 * class (N as M, OW as AO), one missing beside a heard phone of its class,
 * or an extra one beside a wanted phone of its class (OW heard as EH OW). */
static double edit_distance(char want[][4], int nw, char got[][4], int ng, double near) {
    if (nw == 0)
        return 9;
    int wc[MAX_PH], gc[MAX_PH];
    for (int i = 0; i < nw; i++)
        wc[i] = phone_class(want[i]);
    for (int j = 0; j < ng; j++)
        gc[j] = phone_class(got[j]);
    float d[MAX_PH + 1][MAX_PH + 1];
    for (int i = 0; i <= nw; i++)
        d[i][0] = (float)i;
    for (int j = 0; j <= ng; j++)
        d[0][j] = (float)j;
    for (int i = 1; i <= nw; i++)
        for (int j = 1; j <= ng; j++) {
            int w = wc[i - 1], h = gc[j - 1];
            bool alike = w >= 0 && w == h;
            double sub = strcmp(want[i - 1], got[j - 1]) == 0 ? 0 : alike ? near : 1;
            double del = alike ? near : 1;
            double ins = h >= 0 && (h == w || (i < nw && h == wc[i])) ? near : 1;
            double best = d[i - 1][j - 1] + sub;
            if (d[i - 1][j] + del < best)
                best = d[i - 1][j] + del;
            if (d[i][j - 1] + ins < best)
                best = d[i][j - 1] + ins;
            d[i][j] = (float)best;
        }
    return d[nw][ng] / (double)nw;
}

double speech_in_phone_distance(const char *want, const char *got, double near) {
    char w[MAX_PH][4], g[MAX_PH][4];
    int nw = 0, ng = 0;
    add_phones(want, w, &nw);
    add_phones(got, g, &ng);
    return edit_distance(w, nw, g, ng, near);
}

/* Phone edit distances between what the free phone loop heard over the words
 * and the pronunciation of the words the grammar chose, per phone of the
 * latter: 0 when they agree, about 1 and more when they have nothing in
 * common. Unlike the acoustic scores of two decoders, they need no common
 * normalization. `plain` counts every miss as a phone; `near` counts the
 * phone loop's usual errors on a real voice as `near_cost` of one (they
 * turned most real "no"s, two phones, into distance 1: "N OW" heard as
 * "M EH OW", "N AW N"). The phones are gathered once for both. */
static void phone_distances(ps_decoder_t *ps, const path *g, const path *p, int a, int b,
                            double near_cost, float *plain, float *near) {
    char want[MAX_PH][4], got[MAX_PH][4];
    int nw = 0, ng = 0;
    for (int i = 0; i < g->n; i++) {
        if (!g->word[i][0] || g->word[i][0] == '<' || g->word[i][0] == '[')
            continue;
        char *pron = ps_lookup_word(ps, g->word[i]);
        if (pron) {
            add_phones(pron, want, &nw);
            free(pron);
        }
    }
    for (int i = 0; i < p->n; i++) {
        int mid = (p->sf[i] + p->ef[i]) / 2;
        if (is_word(p->word[i]) && mid >= a && mid <= b)
            add_phones(p->word[i], got, &ng);
    }
    *plain = (float)edit_distance(want, nw, got, ng, 1);
    *near = (float)edit_distance(want, nw, got, ng, near_cost);
}

static const phrase *find_phrase(const speech_in *si, const char *text) {
    for (size_t i = 0; i < si->nphrases; i++)
        if (strcmp(si->phrases[i].text, text) == 0)
            return &si->phrases[i];
    return NULL;
}

/* Voiced speech at least `bar` dBFS loud; with `bar` NAN (the person's level
 * unknown), well above the room's noise. */
static bool voiced_above(const speech_in *si, const heard *h, double bar) {
    const settings *s = &si->set;
    return h->voiced >= s->near_voiced &&
           (isnan(bar) ? h->level_db >= h->noise_db + s->near_snr : h->level_db >= bar);
}

/* Voiced speech at a speaking level: as loud as the person's replies (the TV
 * in the next room is quieter) or, their level unknown, well above the
 * room's noise. */
static bool speaking(const speech_in *si, const heard *h) {
    return voiced_above(si, h, si->person_db - si->set.near_db);
}

/* The level from which speech during a hold may be the person's own voice:
 * near_db under their level. When other talk (a TV, people in the next
 * room) reaches close to that, the bar is raised above the loud end of that
 * talk, so that its louder words do not pass for the person; but never
 * closer to their level than talk_cap. The talk is the voiced segments of
 * the last two minutes with no question open that were not replies and not
 * taken for the person. NAN while their level is not known. */
static double near_bar(const speech_in *si, long now_ms) {
    const settings *s = &si->set;
    double bar = si->person_db - s->near_db;
    if (isnan(bar))
        return bar;
    double v[TALK_KEPT];
    size_t n = 0;
    for (int i = 0; i < si->ntalk; i++)
        if (si->talk_ms[i] <= now_ms && now_ms - si->talk_ms[i] <= TALK_WINDOW_MS)
            v[n++] = si->talk[i];
    if (n < TALK_MIN)
        return bar;
    sort_doubles(v, n);
    double pos = s->talk_pct * (double)(n - 1) + 0.5;
    size_t k = pos <= 0 ? 0 : pos >= (double)(n - 1) ? n - 1 : (size_t)pos;
    double loud = v[k] + s->talk_margin;
    double cap = si->person_db - s->talk_cap;
    if (loud > bar)
        bar = loud < cap ? loud : cap;
    return bar;
}

/* How many voiced lines quieter than the person's voice were heard in the
 * last two minutes up to `now_ms`: other voices in the room (a TV). */
static int other_voices(const speech_in *si, long now_ms) {
    int n = 0;
    for (int i = 0; i < si->nother; i++)
        if (si->other_ms[i] <= now_ms && now_ms - si->other_ms[i] <= TALK_WINDOW_MS)
            n++;
    return n;
}

void speech_in_judge(const speech_in *si, heard *h) {
    const settings *s = &si->set;
    const phrase *p = h->text[0] ? find_phrase(si, h->text) : NULL;
    double dur = (double)(h->end_ms - h->start_ms);
    bool ok = false, low = false, unclear = false, again = false;
    h->intent = INTENT_NONE;
    h->value = 0;
    h->confidence = 0;
    if (p && dur >= s->min_ms) {
        enum rclass c = class_of(p->intent);
        bool safety = symptom_class(c);
        bool one = p->words == 1, expect = (si->expected >> p->intent) & 1u;
        /* Ordinary speech forced onto a long phrase scores far below it (the
         * enroll benchmark), so long phrases need less evidence. */
        bool lng = p->words >= s->long_words;
        double adj = (one ? s->one_word : 0) - (lng ? s->long_phrase : 0) -
                     (expect ? s->expected : 0);
        double adj_pd = (expect ? s->expected_pd : 0) - (one ? s->one_word_pd : 0);
        double sc = h->score, pd = expect && one ? h->phone_near : h->phone_dist;
        double sure = s->sure[c] + adj, sure_pd = s->sure_pd[c] + adj_pd;
        /* Could be a symptom reply said unsurely (the unclear bars). */
        bool symptom_like = safety && sc >= s->unclear && p->words >= s->unclear_words &&
                            dur <= s->unclear_max_ms;
        if (sc >= sure && pd <= sure_pd)
            ok = true;
        else if (sc >= s->low[c] + adj && pd <= s->low_pd[c] + adj_pd)
            ok = low = true;
        /* A symptom said during a hold must never be lost: speech that
         * looks like one, short enough to be a reply, pauses and asks. */
        else if (si->in_hold && symptom_like && pd <= s->unclear_pd)
            unclear = true;
        /* Said again: asked what they said after unclear speech that was
         * decoded as this symptom, the person repeats it. Two decodings of
         * the same symptom, in a speaking voice, are taken as it: on the
         * unclear score, with more room on the sounds (a real voice's
         * repeat is often heard right but sounds off to the phone loop). */
        else if (symptom_like && pd <= s->again_pd && p->intent == si->pend_intent &&
                 p->value == si->pend_value && h->start_ms >= si->pend_ms &&
                 (double)(h->start_ms - si->pend_ms) <= s->again_ms && speaking(si, h))
            ok = again = true;
        /* A yes or no that explains only part of what was said is not sure
         * of it: "i can't feel my leg" decodes as "i don't", the rest taken
         * for noise. Unsure, the answer is asked for again. */
        if (ok && !again && (p->intent == INTENT_YES || p->intent == INTENT_NO) &&
            s->beyond_ms > 0 && h->beyond_ms >= s->beyond_ms)
            low = true;
        /* Confidence: how far inside the sure region, on both measures
         * (about 0.5 at its edge). */
        double margin = (sc - sure) / 8.0;
        double margin_pd = (sure_pd - pd) / 0.2;
        double m = margin < margin_pd ? margin : margin_pd;
        h->confidence = (float)(1.0 / (1.0 + exp(-m * 2.0)));
        /* Words in a segment no louder than the noise around it are the
         * noise's (or the program's own echo), and a command far quieter
         * than the person is someone else's. */
        if (h->level_db < h->noise_db + s->min_snr ||
            (!safety && !isnan(si->person_db) && h->level_db < si->person_db - s->far_db))
            ok = low = unclear = false;
        /* With other voices around (a TV heard lately), a command, answer or
         * number quieter than the person's voice is theirs: a TV's "go on"
         * must not end a pause, nor its "no" answer a question. At worst the
         * person's quiet answer is asked for again; symptoms always count. */
        if (!safety && !isnan(si->person_db) && h->level_db < si->person_db - s->near_db &&
            other_voices(si, h->start_ms) >= TALK_MIN)
            ok = low = false;
        /* Words that follow other speech without a pause are part of a
         * sentence ("... my knee"), unless a question asked for them. */
        if (h->run_on && !expect)
            ok = low = false;
        if (ok) {
            h->intent = p->intent;
            h->value = p->value;
        }
    }
    /* During a hold, the person's own voice stops the count whatever the
     * words: speech as loud as their replies (the TV in the next room is
     * quieter), voiced (not clatter), and short like a reply. Until their
     * level is known, any such speech does. */
    /* Reply-length: the segment, or the voice in it (typing keeps the
     * endpointer open around a reply). */
    bool reply_len = (dur >= s->near_min_ms && dur <= s->unclear_max_ms) ||
                     (h->voiced_ms >= s->near_min_ms && h->voiced_ms <= s->unclear_max_ms);
    h->near = si->in_hold && reply_len && !h->continued &&
              voiced_above(si, h, near_bar(si, h->start_ms));
    if (!ok && !unclear && h->near)
        unclear = true;
    h->again = ok && again;
    h->low_confidence = low;
    h->unclear = unclear;
    h->rejected = !ok && !unclear;
}

void speech_in_note(speech_in *si, const heard *h) {
    if (h->unclear) {
        const phrase *p = h->text[0] ? find_phrase(si, h->text) : NULL;
        if (p && symptom_class(class_of(p->intent))) {
            si->pend_intent = p->intent;
            si->pend_value = p->value;
            si->pend_ms = h->end_ms;
        }
    } else if (h->intent != INTENT_NONE) {
        si->pend_intent = INTENT_NONE; /* answered: nothing is pending */
    }
}

int speech_in_tune(speech_in *si, const char *tuning, fc_err *err) {
    char *buf = xstrdup(tuning ? tuning : "");
    if (!buf)
        return err_set(err, "out of memory");
    settings set = defaults;
    flagset fr, fp;
    fr.n = fp.n = 0;
    int rc = tuning_parse(buf, &set, &fr, &fp, err);
    free(buf);
    if (rc == 0 && (fr.n || fp.n))
        rc = err_set(err, "tuning: decoder flags can only be set when the recognizer is built");
    if (rc == 0)
        si->set = set;
    return rc;
}

/* The room's noise: the mean power between segments, dBFS. */
static float noise_dbfs(const speech_in *si) {
    return si->noise_n ? (float)(10 * log10(si->noise_pow / (32768.0 * 32768.0) + 1e-12))
                       : -120.0f;
}

/* Decodes the first n samples of the segment as one utterance on `ps`
 * (with its search `search`, or the only one it has: NULL), its best path
 * into `p`. Returns 0, or -1 with err set. */
static int decode_on(speech_in *si, ps_decoder_t *ps, const char *search, size_t n, path *p,
                     fc_err *err) {
    if ((search && ps_set_search(ps, search) < 0) || ps_start_utt(ps) < 0 ||
        ps_process_raw(ps, si->seg, n, FALSE, TRUE) < 0 || ps_end_utt(ps) < 0)
        return err_set(err, "the speech recognizer failed on the audio");
    path_read(ps, p);
    return 0;
}

/* Decodes the first n samples of the segment against the listed phrases
 * and the phone loop (their best paths in gpath and ppath). Returns 1 when
 * the grammar completed a reply in them, 0 when it did not, -1 on a
 * failure. */
static int decode_segment(speech_in *si, size_t n, fc_err *err) {
    if (decode_on(si, si->ps, "replies", n, &si->gpath, err) < 0 ||
        decode_on(si, si->ph, NULL, n, &si->ppath, err) < 0)
        return -1;
    int32 best = 0;
    const char *hyp = ps_get_hyp(si->ps, &best);
    return hyp && hyp[0] ? 1 : 0;
}

/* The phrase the last decoding of the listed phrases recognized, or NULL. */
static const phrase *decoded_phrase(const speech_in *si) {
    int32 best = 0;
    const char *hyp = ps_get_hyp(si->ps, &best);
    return hyp && hyp[0] ? find_phrase(si, hyp) : NULL;
}

/* The last decoding is a "no" of two words or more: "i can't feel my
 * leg", cut at the quiet "t f", was heard as "i don't" ("i didn't", "no i
 * don't", "no i haven't" in other voices; never a bare "no"). A no is never
 * urgent: the rest of what may be a longer reply is awaited, as for a
 * segment no reply fits. */
static bool decoded_no(const speech_in *si) {
    const phrase *p = decoded_phrase(si);
    return p && p->intent == INTENT_NO && p->words >= 2;
}

/* `p` (may be NULL) is a yes or no that the open question asked for. */
static bool asked_answer(const speech_in *si, const phrase *p) {
    return p && (p->intent == INTENT_YES || p->intent == INTENT_NO) &&
           ((si->expected >> p->intent) & 1u);
}

/* How much of the segment's voice lies outside the words recognized, in
 * frames first..last (ms; the voiced checks of seg_voice, every other frame,
 * a little slack at the words' edges): a phrase that explains only part of
 * what was said ("i don't" for "i can't feel my leg", the filler model
 * taking the rest). */
#define BEYOND_SLACK 5
static float beyond_words(const speech_in *si, int nfr, int first, int last) {
    if (first < 0)
        return 0.0f;
    int n = 0;
    for (int f = 0; f < nfr; f++)
        if (si->vflag[f] && (f < first - BEYOND_SLACK || f > last + BEYOND_SLACK))
            n++;
    return (float)(n * 2 * FRAME_MS);
}

/* What the last decoding says about the segment: where the words lie, the
 * text and its scores (`cal` added). False when there were no frames. */
static bool measure(speech_in *si, ps_decoder_t *ps, double cal, heard *h) {
    int nfr = ps_get_n_frames(ps);
    if (nfr <= 0)
        return false;
    int32 best = 0;
    const char *hyp = ps_get_hyp(ps, &best);
    int gf, gl, pf, pl;
    path *gp = &si->gpath, *pp = &si->ppath;
    double ga = path_ascr(gp, &gf, &gl);
    double pa = path_ascr(pp, &pf, &pl);
    h->start_ms = si->seg_t0 + (gf >= 0 ? gf : 0) * FRAME_MS;
    h->end_ms = si->seg_t0 + (gl >= 0 ? gl + 1 : nfr) * FRAME_MS;
    h->frames = nfr;
    h->beyond_ms = beyond_words(si, nfr < si->nvflag ? nfr : si->nvflag, gf, gl);
    h->score = (float)((ga - pa) / nfr + cal);
    h->score_span = 0.0f;
    if (gf >= 0 && gl >= gf)
        h->score_span = (float)((span_ascr(gp, gf, gl) - span_ascr(pp, gf, gl)) /
                                    (gl - gf + 1) + cal);
    h->phone_dist = h->phone_near = 9.0f;
    if (gf >= 0)
        phone_distances(ps, gp, pp, gf, gl, si->set.expected_near, &h->phone_dist,
                        &h->phone_near);
    str_copy(h->text, hyp ? hyp : "", sizeof h->text);
    h->run_on = si->talk_end_ms >= 0 && h->start_ms - si->talk_end_ms < (long)si->set.run_on_ms;
    return true;
}

/* The last decoding is a yes or no that the question asked for, and not a
 * sure one: `part` has the segment's level and voice (seg_voice, vflag
 * set). The quiet after it is then awaited, to hear it again with that
 * quiet (finish_segment). */
static bool unsure_answer(speech_in *si, const heard *part) {
    if (si->set.answer_again <= 0 || !asked_answer(si, decoded_phrase(si)))
        return false;
    heard h = *part;
    if (!measure(si, si->ps, 0.0, &h))
        return false;
    speech_in_judge(si, &h);
    return h.intent == INTENT_NONE || h.low_confidence;
}

/* Ends the segment, decodes it (unless `decoded`: decode_segment() just ran
 * on all of it) and judges it. Returns 1 when `out` was filled, 0 when
 * there was nothing to say, -1 on a failure. */
static int finish_segment(speech_in *si, bool capped, bool decoded, heard *out, fc_err *err) {
    size_t n = si->nseg;
    size_t full = si->join_full > n ? si->join_full : 0;
    si->join_full = 0;
    /* Speech that went on past max_ms: the next segment, if it starts at
     * once, is the rest of it (a monologue, not a reply). */
    bool continued =
        si->cap_end_ms >= 0 && si->seg_t0 - si->cap_end_ms <= 300 && si->cap_voiced;
    si->cap_end_ms = capped ? si->seg_t0 + (long)(n / 16) : -1;
    si->in_utt = false;
    si->nseg = 0;
    si->speech_run = 0;
    si->wait_until = 0;
    si->join_nseg = 0;
    if (n < 160 * 10)
        return 0;
    if (!decoded && decode_segment(si, n, err) < 0)
        return -1;
    heard h;
    memset(&h, 0, sizeof h);
    seg_voice(si->seg, n, &h.level_db, &h.voiced, &h.voiced_ms, si->vflag);
    si->nvflag = (int)(n / 160);
    if (!measure(si, si->ps, 0.0, &h))
        return 0;
    h.continued = continued;
    h.noise_db = noise_dbfs(si);
    /* Only a voice that ran past max_ms makes the next segment the rest of
     * a monologue; clatter or typing that kept the endpointer open does
     * not (a reply right after it is a reply). */
    if (capped)
        si->cap_voiced = h.voiced >= si->set.near_voiced;
    speech_in_judge(si, &h);
    /* An unsure yes or no, cut where the quiet after it began (join_none),
     * is decoded again with that quiet: cut short, a short answer's last
     * sound is often scored as silence. Only a sure result of the same
     * answer is taken (with the quiet a "no" can also come out as another
     * phrase, "i do"); the level and voice stay the cut segment's. Not
     * for words that run on from other speech: they are the rest of a
     * sentence cut at a pause ("i can't | feel my leg" heard as "five |
     * yes i have"), not an answer of their own. */
    const phrase *ans = full && si->set.answer_again > 0 &&
                                (h.intent == INTENT_NONE || h.low_confidence) && !h.run_on &&
                                h.text[0]
                            ? find_phrase(si, h.text)
                            : NULL;
    if (asked_answer(si, ans)) {
        path cut = si->ppath; /* the second pass below compares against it */
        if (decode_segment(si, full, err) < 0)
            return -1;
        heard a = h;
        bool taken = false;
        if (measure(si, si->ps, -si->set.answer_margin, &a)) {
            speech_in_judge(si, &a);
            taken = a.intent == ans->intent && !a.low_confidence;
        }
        if (taken) {
            a.score += (float)si->set.answer_margin;
            h = a;
        } else {
            si->ppath = cut;
        }
    }
    /* The listed phrases are heard first, with the thresholds tuned on
     * them. What none of them fits is heard again against every phrase the
     * lexicon spells with its choices ("my (leg|foot) (is|feels) numb"),
     * and taken when it is one of those and passes the bars a listed one
     * would (sure, or low confidence unless wide_sure). The wide grammar
     * alone would cost the listed phrases a little (its larger choice
     * lowers every score; bench/RESULTS.md). Only a voice loud enough to
     * be heard is worth the second pass. A place named when no question
     * asked for one ("my foot") is heard again too: it is often the start
     * of a reply that only a spelled phrase fits ("my foot feels numb"),
     * which is then taken instead; and so is a result that leaves much of
     * the voice unexplained ("i don't" for "i can't feel my leg"), whose
     * second-pass result is taken when it explains more. */
    double dur = (double)(h.end_ms - h.start_ms);
    bool unasked_place =
        h.intent == INTENT_LOCATION && !((si->expected >> INTENT_LOCATION) & 1u);
    bool partial = h.intent != INTENT_NONE && si->set.beyond_ms > 0 &&
                   h.beyond_ms >= si->set.beyond_ms;
    if (si->wide && (h.intent == INTENT_NONE || unasked_place || partial) &&
        h.voiced >= si->set.near_voiced && h.level_db >= h.noise_db + si->set.min_snr &&
        dur >= si->set.min_ms) {
        heard w = h;
        /* Against every spelled phrase; the phone loop's path stays. */
        if (decode_on(si, si->ps, "wide", n, &si->gpath, err) < 0)
            return -1;
        if (measure(si, si->ps, si->set.wide_cal, &w)) {
            speech_in_judge(si, &w);
            const phrase *p = w.intent != INTENT_NONE ? find_phrase(si, w.text) : NULL;
            if (p && p->spelled && !(w.low_confidence && si->set.wide_sure > 0) &&
                !(unasked_place && w.intent == INTENT_LOCATION) &&
                !(partial && w.beyond_ms >= h.beyond_ms))
                h = w;
        }
    }
    speech_in_note(si, &h);
    if (speaking(si, &h))
        si->talk_end_ms = h.end_ms;
    /* Other talk while no question is open (the person is mostly quiet
     * then; a TV fills the instructions as well as the holds): voiced lines
     * clearly above the noise that were neither replies nor taken for the
     * person's voice (so the person's own words never raise the bar). */
    if ((si->in_hold || si->expected == 0) && h.intent == INTENT_NONE && !h.near &&
        h.voiced >= si->set.near_voiced && h.level_db >= h.noise_db + si->set.near_snr) {
        si->talk[si->talk_next] = h.level_db;
        si->talk_ms[si->talk_next] = h.end_ms;
        si->talk_next = (si->talk_next + 1) % TALK_KEPT;
        if (si->ntalk < TALK_KEPT)
            si->ntalk++;
    }
    /* Other voices, whatever the session is doing: voiced lines clearly
     * above the noise, quieter than the person's voice, not replies. */
    if (h.intent == INTENT_NONE && !isnan(si->person_db) && h.voiced >= si->set.near_voiced &&
        h.level_db >= h.noise_db + si->set.near_snr &&
        h.level_db < si->person_db - si->set.near_db) {
        si->other_ms[si->other_next] = h.end_ms;
        si->other_next = (si->other_next + 1) % TALK_KEPT;
        if (si->nother < TALK_KEPT)
            si->nother++;
    }
    if (h.rejected && !si->raw)
        return 0;
    *out = h;
    return 1;
}

static void seg_append(speech_in *si, const int16_t *x, size_t n) {
    if (si->nseg + n > si->capseg)
        n = si->capseg - si->nseg;
    memcpy(si->seg + si->nseg, x, n * sizeof *x);
    si->nseg += n;
}

/* Keeps the last pre_ms of audio, to start a segment a little before the
 * frame that opened it (word onsets are quiet). */
static void pre_push(speech_in *si, const int16_t *x, size_t n) {
    for (size_t i = 0; i < n; i++) {
        si->pre[si->headpre] = x[i];
        si->headpre = (si->headpre + 1) % si->cappre;
        if (si->npre < si->cappre)
            si->npre++;
    }
}

/* Nothing followed a "no" whose rest was awaited (decoded_no): it is judged
 * as it was decoded, without the quiet after it (which can turn the same
 * audio into another phrase). The segment is cut back; true when so. */
static bool join_none(speech_in *si) {
    if (si->join_nseg == 0)
        return false;
    si->join_full = si->nseg;
    si->nseg = si->join_nseg;
    return true;
}

/* One 10 ms frame through the endpointer. Returns as finish_segment. */
static int endpoint(speech_in *si, const int16_t *fr, heard *out, fc_err *err) {
    const settings *s = &si->set;
    double e = 0;
    for (int i = 0; i < 160; i++)
        e += (double)fr[i] * fr[i];
    double db = 10 * log10(e / 160 + 1.0);
    /* The room's noise: the mean power of the frames outside segments over
     * the last seconds (what the person's speech must rise above). */
    if (!si->in_utt) {
        double k = si->noise_n < 200 ? 1.0 / ++si->noise_n : 1.0 / 200;
        si->noise_pow += k * (e / 160 - si->noise_pow);
    }
    si->hist[si->frames_seen % HIST_FRAMES] = db;
    si->frames_seen++;
    /* The floor is the 10th percentile of the last 2 s: it follows a noise
     * that starts or stops within seconds, and the loud moments of speech
     * or clatter do not lift it. */
    if (si->frames_seen <= 10 || si->frames_seen % 10 == 0) {
        int n = si->frames_seen < HIST_FRAMES ? si->frames_seen : HIST_FRAMES;
        double tmp[HIST_FRAMES];
        memcpy(tmp, si->hist, (size_t)n * sizeof *tmp);
        sort_doubles(tmp, (size_t)n);
        si->floor_db = tmp[n / 10];
    }
    bool speech = db > si->floor_db + s->vad_db;
    long t = si->frame_t;
    si->frame_t += FRAME_MS;
    if (!si->in_utt) {
        si->speech_run = speech ? si->speech_run + 1 : 0;
        pre_push(si, fr, 160);
        if (si->speech_run * FRAME_MS >= s->start_ms) {
            si->in_utt = true;
            si->win_pos = si->win_speech = si->win_fill = 0;
            si->seg_frames = si->voice_checks = si->voice_last = si->wait_until = 0;
            si->join_nseg = 0;
            size_t start = (si->headpre + si->cappre - si->npre) % si->cappre;
            si->nseg = 0;
            for (size_t i = 0; i < si->npre; i++)
                si->seg[si->nseg++] = si->pre[(start + i) % si->cappre];
            si->seg_t0 = t + FRAME_MS - (long)(si->npre / 16);
            si->npre = 0;
            si->headpre = 0;
        }
        return 0;
    }
    seg_append(si, fr, 160);
    si->seg_frames++;
    /* A voice in the segment, checked on every other loud frame: when it
     * has stopped for voice_end_ms while typing or clatter keeps the
     * segment loud, the segment ends there, so that a reply is judged
     * within a second of its end rather than at max_ms. */
    if (speech && si->seg_frames % 2 == 0 && si->nseg >= VOICE_WIN + VOICE_LAG &&
        pitch_peak(si->seg + si->nseg - (VOICE_WIN + VOICE_LAG)) >= VOICED_PEAK) {
        si->voice_checks++;
        si->voice_last = si->seg_frames;
    }
    if (si->voice_checks >= VOICE_MIN_CHECKS &&
        (si->seg_frames - si->voice_last) * FRAME_MS >= s->voice_end_ms)
        return finish_segment(si, false, join_none(si), out, err);
    /* The segment ends when at most a fifth of the last post_ms was loud:
     * the clatter of dishes between words does not keep it open. */
    int wn = (int)(s->post_ms / FRAME_MS);
    if (si->win_fill == wn)
        si->win_speech -= si->win[si->win_pos];
    else
        si->win_fill++;
    si->win[si->win_pos] = speech;
    si->win_speech += speech;
    si->win_pos = (si->win_pos + 1) % wn;
    bool quiet = si->win_fill == wn && si->win_speech * 5 <= wn;
    bool full = (double)si->nseg / 16.0 >= s->max_ms + s->pre_ms;
    if (!quiet) {
        si->wait_until = 0; /* the person went on */
        si->join_nseg = 0;
    }
    /* A pause inside a reply ("tingling ... in my foot") in noise looks like
     * its end: when no reply is complete in the segment yet (or only a
     * "no" of a few words, decoded_no), the rest of it is awaited for
     * join_ms before the segment ends. So is the quiet after an unsure
     * answer to a question (unsure_answer), to hear it again with it. */
    if (quiet && !full && s->join_ms > 0 && si->nseg >= 160 * 10) {
        if (si->wait_until == 0) {
            int r = decode_segment(si, si->nseg, err);
            if (r < 0)
                return -1;
            /* Only the person's voice is waited for: not the program's own
             * echo after a question, nor a quieter TV. */
            heard part;
            memset(&part, 0, sizeof part);
            seg_voice(si->seg, si->nseg, &part.level_db, &part.voiced, &part.voiced_ms,
                      si->vflag);
            si->nvflag = (int)(si->nseg / 160);
            part.noise_db = noise_dbfs(si);
            bool no = r > 0 && decoded_no(si);
            bool unsure = r > 0 && !no && unsure_answer(si, &part);
            if ((r > 0 && !no && !unsure) || !speaking(si, &part))
                return finish_segment(si, false, true, out, err);
            si->join_nseg = no || unsure ? si->nseg : 0;
            si->wait_until = si->seg_frames + (int)(s->join_ms / FRAME_MS);
        }
        if (si->seg_frames < si->wait_until)
            return 0;
        if (join_none(si))
            return finish_segment(si, false, true, out, err);
    }
    if (quiet || full)
        return finish_segment(si, !quiet, false, out, err);
    return 0;
}

int speech_in_process(speech_in *si, const int16_t *pcm, size_t n, long t_ms, heard *out,
                      int max, fc_err *err) {
    int got = 0;
    if (si->npart == 0)
        si->frame_t = t_ms;
    for (size_t off = 0; off < n;) {
        size_t take = 160 - si->npart;
        if (take > n - off)
            take = n - off;
        memcpy(si->part + si->npart, pcm + off, take * sizeof *pcm);
        si->npart += take;
        off += take;
        if (si->npart < 160)
            break;
        si->npart = 0;
        heard h;
        int r = endpoint(si, si->part, &h, err);
        if (r < 0)
            return -1;
        if (r > 0 && got < max)
            out[got++] = h;
    }
    return got;
}

int speech_in_flush(speech_in *si, heard *out, int max, fc_err *err) {
    si->npart = 0;
    si->npre = 0;
    si->headpre = 0;
    si->speech_run = 0;
    if (!si->in_utt)
        return 0;
    heard h;
    int r = finish_segment(si, false, false, &h, err);
    si->cap_end_ms = -1;
    if (r > 0 && max > 0) {
        out[0] = h;
        return 1;
    }
    return r < 0 ? -1 : 0;
}
