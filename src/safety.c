/* safety: the safety checker's rules (DESIGN.md, "The safety checker"). */
#include "safety.h"

#include <stddef.h>

#define BIT(i) (1ul << (unsigned)(i))
#define SCORE_RISE 2 /* rise from the baseline that stops an exercise */
#define WORSE_END 3  /* this many "worse" replies end the session */

static const char *const verdict_names[] = {"continue", "stop_exercise", "offer_easier",
                                            "end_session", "pause"};

const char *verdict_name(verdict_type v) {
    if ((unsigned)v >= sizeof verdict_names / sizeof verdict_names[0])
        return "unknown";
    return verdict_names[v];
}

void safety_init(safety_state *st) {
    st->furthest = LOC_NONE;
    st->last = LOC_NONE;
    st->baseline_score = -1;
    st->last_score = -1;
    st->peripheralizations = 0;
    st->sharp_pains = 0;
    st->worse_count = 0;
}

void safety_input_from_reply(safety_input *in, intent i, int value, safety_phase phase) {
    in->intents = i > INTENT_NONE && i < INTENT_COUNT ? BIT(i) : 0;
    in->loc = LOC_NONE;
    in->score = -1;
    in->phase = phase;
    in->has_easier = false;
    in->has_flare = false;
    /* A spreading or centralizing reply may carry the place it names ("pain
     * below my knee"), a location reply always does. */
    if ((i == INTENT_LOCATION || i == INTENT_SPREADING || i == INTENT_CENTRALIZING ||
         i == INTENT_NERVE_SIGNS) &&
        value > LOC_NONE && value < LOC_COUNT)
        in->loc = (location)value;
    if (i == INTENT_PAIN_SCORE && value >= 0 && value <= 10)
        in->score = value;
}

bool safety_is_symptom(intent i) {
    return i == INTENT_WORSE || i == INTENT_SPREADING || i == INTENT_NERVE_SIGNS ||
           i == INTENT_WEAKNESS || i == INTENT_SHARP_PAIN || i == INTENT_RED_FLAG;
}

static safety_verdict make(verdict_type type, const char *reason, const char *say) {
    safety_verdict v = {type, reason, say, false, false};
    return v;
}

static safety_verdict judge_baseline(safety_state *st, const safety_input *in) {
    if (in->loc != LOC_NONE) {
        st->last = in->loc;
        if (in->loc > st->furthest)
            st->furthest = in->loc;
    }
    if (in->score >= 0) {
        st->baseline_score = in->score;
        st->last_score = in->score;
    }
    if ((in->intents & BIT(INTENT_SHARP_PAIN)) || in->score >= SAFETY_SEVERE_SCORE) {
        if (in->has_flare) {
            safety_verdict v = make(VERDICT_OFFER_EASIER, "acute_flare", "safety_flare_switch");
            v.switch_flare = true;
            return v;
        }
        return make(VERDICT_END_SESSION, "acute_flare", "safety_flare_end");
    }
    return make(VERDICT_CONTINUE, "baseline", NULL);
}

static safety_verdict peripheralization(safety_state *st, const safety_input *in,
                                        const char *reason, const char *say_stop) {
    st->peripheralizations++;
    if (st->peripheralizations >= 2)
        return make(VERDICT_END_SESSION, reason, "safety_periph_end");
    if (in->has_easier)
        return make(VERDICT_OFFER_EASIER, reason, say_stop);
    return make(VERDICT_STOP_EXERCISE, reason, say_stop);
}

safety_verdict safety_judge(safety_state *st, const safety_input *in) {
    unsigned long has = in->intents;
    if (has & BIT(INTENT_RED_FLAG))
        return make(VERDICT_END_SESSION, "red_flag", "safety_red_flag");
    if (in->phase == SAFETY_SCREENING)
        return make(VERDICT_CONTINUE, "screening", NULL);
    if (in->phase == SAFETY_BASELINE)
        return judge_baseline(st, in);

    /* Where the reply puts the pain, compared with the furthest place so far.
     * With nothing reported yet, pain anywhere below the back is new pain
     * in the leg: the safe reading is that it spread. */
    bool moved_down = false, moved_up = false;
    if (in->loc != LOC_NONE) {
        if (st->furthest == LOC_NONE)
            moved_down = in->loc > LOC_BACK;
        else
            moved_down = in->loc > st->furthest;
        moved_up = st->furthest != LOC_NONE && in->loc < st->furthest;
        st->last = in->loc;
        if (in->loc > st->furthest)
            st->furthest = in->loc;
    }
    int score = in->score;
    if (score >= 0)
        st->last_score = score;

    if (has & BIT(INTENT_SPREADING) || moved_down)
        return peripheralization(st, in, "peripheralization", "safety_periph_stop");
    if (has & BIT(INTENT_NERVE_SIGNS))
        return peripheralization(st, in, "nerve_signs", "safety_nerve_stop");
    if (has & BIT(INTENT_WEAKNESS))
        return peripheralization(st, in, "weakness", "safety_weakness_stop");

    bool severe_score = score >= SAFETY_SEVERE_SCORE && st->baseline_score < 0;
    if (has & BIT(INTENT_SHARP_PAIN) || severe_score) {
        st->sharp_pains++;
        if (st->sharp_pains >= 2)
            return make(VERDICT_END_SESSION, "sharp_pain", "safety_sharp_end");
        return make(VERDICT_STOP_EXERCISE, "sharp_pain", "safety_sharp_stop");
    }
    if (score >= 0 && st->baseline_score >= 0 && score - st->baseline_score >= SCORE_RISE)
        return make(VERDICT_STOP_EXERCISE, "pain_score_rise", "safety_score_rise");
    if (has & BIT(INTENT_WORSE)) {
        st->worse_count++;
        if (st->worse_count >= WORSE_END)
            return make(VERDICT_END_SESSION, "worse", "safety_worse_end");
        safety_verdict v = make(VERDICT_STOP_EXERCISE, "worse", "safety_worse");
        v.ask_where = true;
        return v;
    }
    if (has & BIT(INTENT_CENTRALIZING) || moved_up)
        return make(VERDICT_CONTINUE, "centralization", "safety_central");
    if (has & BIT(INTENT_BETTER))
        return make(VERDICT_CONTINUE, "better", "safety_better");
    if (has & BIT(INTENT_SAME))
        return make(VERDICT_CONTINUE, "same", "safety_same");
    if (in->loc != LOC_NONE)
        return make(VERDICT_CONTINUE, "location", "safety_location");
    if (score >= 0)
        return make(VERDICT_CONTINUE, "pain_score", "safety_score_ok");
    return make(VERDICT_CONTINUE, "none", NULL);
}
