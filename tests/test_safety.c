/* test_safety: the safety checker's rules, their order of precedence, and
 * sequences of replies over one session, as tables. */
#include <string.h>

#include "check.h"
#include "safety.h"

#define B(i) (1ul << (unsigned)(INTENT_##i))
#define EX SAFETY_EXERCISE
#define BASE SAFETY_BASELINE
#define SCREEN SAFETY_SCREENING

#define CONT VERDICT_CONTINUE
#define STOP VERDICT_STOP_EXERCISE
#define EASIER VERDICT_OFFER_EASIER
#define END VERDICT_END_SESSION

/* One reply and the verdict it must get. */
typedef struct step {
    safety_phase phase;
    unsigned long intents;
    location loc;
    int score; /* -1: none */
    bool easier, flare;
    verdict_type want;
    const char *reason;
    const char *say; /* NULL: nothing said */
    bool ask_where, switch_flare;
} step;

typedef struct scase {
    const char *name;
    step steps[8];
    int n;
} scase;

#define S(ph, in, lo, sc, ez, fl, w, r, sy)                                                        \
    { ph, in, lo, sc, ez, fl, w, r, sy, false, false }

static const scase cases[] = {
    /* ---- single rules ---- */
    {"red flag ends",
     {S(EX, B(RED_FLAG), LOC_NONE, -1, false, false, END, "red_flag", "safety_red_flag")},
     1},
    {"red flag at screening",
     {S(SCREEN, B(RED_FLAG), LOC_NONE, -1, false, false, END, "red_flag", "safety_red_flag")},
     1},
    {"red flag at baseline",
     {S(BASE, B(RED_FLAG), LOC_NONE, -1, false, true, END, "red_flag", "safety_red_flag")},
     1},
    {"screening ignores the rest",
     {S(SCREEN, B(SPREADING), LOC_NONE, -1, false, false, CONT, "screening", NULL)},
     1},
    {"spreading stops",
     {S(EX, B(SPREADING), LOC_NONE, -1, false, false, STOP, "peripheralization",
        "safety_periph_stop")},
     1},
    {"spreading offers easier",
     {S(EX, B(SPREADING), LOC_NONE, -1, true, false, EASIER, "peripheralization",
        "safety_periph_stop")},
     1},
    {"nerve signs stop",
     {S(EX, B(NERVE_SIGNS), LOC_NONE, -1, false, false, STOP, "nerve_signs", "safety_nerve_stop")},
     1},
    {"nerve signs offer easier",
     {S(EX, B(NERVE_SIGNS), LOC_NONE, -1, true, false, EASIER, "nerve_signs", "safety_nerve_stop")},
     1},
    {"weakness stops",
     {S(EX, B(WEAKNESS), LOC_NONE, -1, false, false, STOP, "weakness", "safety_weakness_stop")},
     1},
    {"sharp pain stops",
     {S(EX, B(SHARP_PAIN), LOC_NONE, -1, true, false, STOP, "sharp_pain", "safety_sharp_stop")},
     1},
    {"worse stops and asks where",
     {{EX, B(WORSE), LOC_NONE, -1, false, false, STOP, "worse", "safety_worse", true, false}},
     1},
    {"centralizing continues",
     {S(EX, B(CENTRALIZING), LOC_NONE, -1, false, false, CONT, "centralization", "safety_central")},
     1},
    {"better", {S(EX, B(BETTER), LOC_NONE, -1, false, false, CONT, "better", "safety_better")}, 1},
    {"same", {S(EX, B(SAME), LOC_NONE, -1, false, false, CONT, "same", "safety_same")}, 1},
    {"nothing", {S(EX, 0, LOC_NONE, -1, false, false, CONT, "none", NULL)}, 1},
    {"first place: back is not spreading",
     {S(EX, B(LOCATION), LOC_BACK, -1, false, false, CONT, "location", "safety_location")},
     1},
    {"first place: buttock is new leg pain",
     {S(EX, B(LOCATION), LOC_BUTTOCK, -1, false, false, STOP, "peripheralization",
        "safety_periph_stop")},
     1},
    {"first place: foot",
     {S(EX, B(LOCATION), LOC_FOOT, -1, true, false, EASIER, "peripheralization",
        "safety_periph_stop")},
     1},
    {"severe score without a baseline",
     {S(EX, B(PAIN_SCORE), LOC_NONE, 8, false, false, STOP, "sharp_pain", "safety_sharp_stop")},
     1},
    {"moderate score without a baseline",
     {S(EX, B(PAIN_SCORE), LOC_NONE, 7, false, false, CONT, "pain_score", "safety_score_ok")},
     1},

    /* ---- baseline ---- */
    {"baseline place and score",
     {S(BASE, B(LOCATION), LOC_KNEE, -1, false, true, CONT, "baseline", NULL),
      S(BASE, B(PAIN_SCORE), LOC_NONE, 4, false, true, CONT, "baseline", NULL),
      S(EX, B(LOCATION), LOC_KNEE, -1, false, false, CONT, "location", "safety_location"),
      S(EX, B(PAIN_SCORE), LOC_NONE, 5, false, false, CONT, "pain_score", "safety_score_ok"),
      S(EX, B(PAIN_SCORE), LOC_NONE, 6, false, false, STOP, "pain_score_rise",
        "safety_score_rise")},
     5},
    {"acute flare: score 8 switches",
     {{BASE, B(PAIN_SCORE), LOC_NONE, 8, false, true, EASIER, "acute_flare", "safety_flare_switch",
       false, true}},
     1},
    {"acute flare: score 10 without a flare routine ends",
     {S(BASE, B(PAIN_SCORE), LOC_NONE, 10, false, false, END, "acute_flare", "safety_flare_end")},
     1},
    {"acute flare: severe pain",
     {{BASE, B(SHARP_PAIN), LOC_NONE, -1, false, true, EASIER, "acute_flare", "safety_flare_switch",
       false, true}},
     1},
    {"baseline 7 is no flare",
     {S(BASE, B(PAIN_SCORE), LOC_NONE, 7, false, true, CONT, "baseline", NULL),
      S(EX, B(PAIN_SCORE), LOC_NONE, 8, false, false, CONT, "pain_score", "safety_score_ok"),
      S(EX, B(PAIN_SCORE), LOC_NONE, 9, false, false, STOP, "pain_score_rise",
        "safety_score_rise")},
     3},
    {"score falls",
     {S(BASE, B(PAIN_SCORE), LOC_NONE, 5, false, false, CONT, "baseline", NULL),
      S(EX, B(PAIN_SCORE), LOC_NONE, 2, false, false, CONT, "pain_score", "safety_score_ok")},
     2},

    /* ---- sequences ---- */
    {"location moves down, then up",
     {S(BASE, B(LOCATION), LOC_THIGH, -1, false, false, CONT, "baseline", NULL),
      S(EX, B(LOCATION), LOC_CALF, -1, true, false, EASIER, "peripheralization",
        "safety_periph_stop"),
      S(EX, B(LOCATION), LOC_KNEE, -1, false, false, CONT, "centralization", "safety_central"),
      S(EX, B(LOCATION), LOC_BACK, -1, false, false, CONT, "centralization", "safety_central"),
      /* back at the furthest place reported (calf) is not further down */
      S(EX, B(LOCATION), LOC_CALF, -1, false, false, CONT, "location", "safety_location"),
      S(EX, B(LOCATION), LOC_FOOT, -1, false, false, END, "peripheralization",
        "safety_periph_end")},
     6},
    {"location moves up, then down below the start",
     {S(BASE, B(LOCATION), LOC_KNEE, -1, false, false, CONT, "baseline", NULL),
      S(EX, B(LOCATION), LOC_BUTTOCK, -1, false, false, CONT, "centralization", "safety_central"),
      S(EX, B(LOCATION), LOC_KNEE, -1, false, false, CONT, "location", "safety_location"),
      S(EX, B(LOCATION), LOC_CALF, -1, false, false, STOP, "peripheralization",
        "safety_periph_stop")},
     4},
    {"two peripheralizations end",
     {S(EX, B(SPREADING), LOC_NONE, -1, true, false, EASIER, "peripheralization",
        "safety_periph_stop"),
      S(EX, B(BETTER), LOC_NONE, -1, false, false, CONT, "better", "safety_better"),
      S(EX, B(NERVE_SIGNS), LOC_NONE, -1, true, false, END, "nerve_signs", "safety_periph_end")},
     3},
    {"spreading then weakness ends",
     {S(EX, B(SPREADING), LOC_NONE, -1, false, false, STOP, "peripheralization",
        "safety_periph_stop"),
      S(EX, B(WEAKNESS), LOC_NONE, -1, false, false, END, "weakness", "safety_periph_end")},
     2},
    {"spreading carries its place",
     {S(BASE, B(LOCATION), LOC_THIGH, -1, false, false, CONT, "baseline", NULL),
      S(EX, B(SPREADING), LOC_CALF, -1, false, false, STOP, "peripheralization",
        "safety_periph_stop"),
      /* calf is now the furthest: the same place again is not a second one */
      S(EX, B(LOCATION), LOC_CALF, -1, false, false, CONT, "location", "safety_location")},
     3},
    {"two sharp pains end",
     {S(EX, B(SHARP_PAIN), LOC_NONE, -1, false, false, STOP, "sharp_pain", "safety_sharp_stop"),
      S(EX, B(SAME), LOC_NONE, -1, false, false, CONT, "same", "safety_same"),
      S(EX, B(SHARP_PAIN), LOC_NONE, -1, false, false, END, "sharp_pain", "safety_sharp_end")},
     3},
    {"score rise twice only stops",
     {S(BASE, B(PAIN_SCORE), LOC_NONE, 3, false, false, CONT, "baseline", NULL),
      S(EX, B(PAIN_SCORE), LOC_NONE, 5, false, false, STOP, "pain_score_rise", "safety_score_rise"),
      S(EX, B(PAIN_SCORE), LOC_NONE, 6, false, false, STOP, "pain_score_rise",
        "safety_score_rise")},
     3},
    {"three worse end",
     {{EX, B(WORSE), LOC_NONE, -1, false, false, STOP, "worse", "safety_worse", true, false},
      {EX, B(WORSE), LOC_NONE, -1, false, false, STOP, "worse", "safety_worse", true, false},
      S(EX, B(WORSE), LOC_NONE, -1, false, false, END, "worse", "safety_worse_end")},
     3},
    {"peripheralization and sharp pain count apart",
     {S(EX, B(SPREADING), LOC_NONE, -1, false, false, STOP, "peripheralization",
        "safety_periph_stop"),
      S(EX, B(SHARP_PAIN), LOC_NONE, -1, false, false, STOP, "sharp_pain", "safety_sharp_stop")},
     2},
    {"centralizing with its place",
     {S(BASE, B(LOCATION), LOC_CALF, -1, false, false, CONT, "baseline", NULL),
      S(EX, B(CENTRALIZING), LOC_BACK, -1, false, false, CONT, "centralization", "safety_central"),
      S(EX, B(LOCATION), LOC_CALF, -1, false, false, CONT, "location", "safety_location")},
     3},

    /* ---- precedence: several findings in one reply ---- */
    {"red flag beats spreading",
     {S(EX, B(RED_FLAG) | B(SPREADING), LOC_NONE, -1, true, false, END, "red_flag",
        "safety_red_flag")},
     1},
    {"red flag beats better",
     {S(EX, B(RED_FLAG) | B(BETTER) | B(CENTRALIZING), LOC_NONE, -1, false, false, END, "red_flag",
        "safety_red_flag")},
     1},
    {"spreading beats sharp pain",
     {S(EX, B(SPREADING) | B(SHARP_PAIN), LOC_NONE, -1, false, false, STOP, "peripheralization",
        "safety_periph_stop")},
     1},
    {"nerve signs beat sharp pain",
     {S(EX, B(NERVE_SIGNS) | B(SHARP_PAIN), LOC_NONE, -1, true, false, EASIER, "nerve_signs",
        "safety_nerve_stop")},
     1},
    {"place further down beats centralizing words",
     {S(BASE, B(LOCATION), LOC_THIGH, -1, false, false, CONT, "baseline", NULL),
      S(EX, B(CENTRALIZING) | B(LOCATION), LOC_FOOT, -1, false, false, STOP, "peripheralization",
        "safety_periph_stop")},
     2},
    {"sharp pain beats a score rise",
     {S(BASE, B(PAIN_SCORE), LOC_NONE, 2, false, false, CONT, "baseline", NULL),
      S(EX, B(SHARP_PAIN) | B(PAIN_SCORE), LOC_NONE, 6, false, false, STOP, "sharp_pain",
        "safety_sharp_stop")},
     2},
    {"score rise beats worse",
     {S(BASE, B(PAIN_SCORE), LOC_NONE, 2, false, false, CONT, "baseline", NULL),
      S(EX, B(WORSE) | B(PAIN_SCORE), LOC_NONE, 4, false, false, STOP, "pain_score_rise",
        "safety_score_rise")},
     2},
    {"worse beats centralizing",
     {{EX, B(WORSE) | B(CENTRALIZING), LOC_NONE, -1, false, false, STOP, "worse", "safety_worse",
       true, false}},
     1},
    {"centralizing beats better",
     {S(EX, B(CENTRALIZING) | B(BETTER), LOC_NONE, -1, false, false, CONT, "centralization",
        "safety_central")},
     1},
    {"better beats same",
     {S(EX, B(BETTER) | B(SAME), LOC_NONE, -1, false, false, CONT, "better", "safety_better")},
     1},
    {"baseline: red flag beats flare",
     {S(BASE, B(RED_FLAG) | B(SHARP_PAIN), LOC_NONE, 9, false, true, END, "red_flag",
        "safety_red_flag")},
     1},
};

static void run_case(const scase *c) {
    safety_state st;
    safety_init(&st);
    for (int i = 0; i < c->n; i++) {
        const step *s = &c->steps[i];
        safety_input in = {s->intents, s->loc, s->score, s->phase, s->easier, s->flare};
        safety_verdict v = safety_judge(&st, &in);
        CHECK(v.type == s->want, "%s, step %d: verdict %s, want %s", c->name, i + 1,
              verdict_name(v.type), verdict_name(s->want));
        CHECK(v.reason && strcmp(v.reason, s->reason) == 0, "%s, step %d: reason %s, want %s",
              c->name, i + 1, v.reason ? v.reason : "(null)", s->reason);
        CHECK((v.say == NULL && s->say == NULL) || (v.say && s->say && strcmp(v.say, s->say) == 0),
              "%s, step %d: say %s, want %s", c->name, i + 1, v.say ? v.say : "(null)",
              s->say ? s->say : "(null)");
        CHECK(v.ask_where == s->ask_where, "%s, step %d: ask_where", c->name, i + 1);
        CHECK(v.switch_flare == s->switch_flare, "%s, step %d: switch_flare", c->name, i + 1);
    }
}

static void test_input_from_reply(void) {
    safety_input in;
    safety_input_from_reply(&in, INTENT_LOCATION, LOC_CALF, SAFETY_EXERCISE);
    CHECK_INT(in.intents, B(LOCATION));
    CHECK_INT(in.loc, LOC_CALF);
    CHECK_INT(in.score, -1);
    safety_input_from_reply(&in, INTENT_PAIN_SCORE, 7, SAFETY_BASELINE);
    CHECK_INT(in.score, 7);
    CHECK_INT(in.loc, LOC_NONE);
    CHECK_INT(in.phase, SAFETY_BASELINE);
    safety_input_from_reply(&in, INTENT_PAIN_SCORE, 11, SAFETY_EXERCISE);
    CHECK_INT(in.score, -1);
    safety_input_from_reply(&in, INTENT_SPREADING, LOC_KNEE, SAFETY_EXERCISE);
    CHECK_INT(in.loc, LOC_KNEE);
    safety_input_from_reply(&in, INTENT_BETTER, 3, SAFETY_EXERCISE);
    CHECK_INT(in.loc, LOC_NONE);
    CHECK_INT(in.score, -1);
    safety_input_from_reply(&in, INTENT_NONE, 0, SAFETY_EXERCISE);
    CHECK_INT(in.intents, 0);
    CHECK(!in.has_easier && !in.has_flare, "no easier, no flare by default");
}

static void test_names(void) {
    CHECK_STR(verdict_name(VERDICT_CONTINUE), "continue");
    CHECK_STR(verdict_name(VERDICT_STOP_EXERCISE), "stop_exercise");
    CHECK_STR(verdict_name(VERDICT_OFFER_EASIER), "offer_easier");
    CHECK_STR(verdict_name(VERDICT_END_SESSION), "end_session");
    CHECK_STR(verdict_name(VERDICT_PAUSE), "pause");
    CHECK_STR(verdict_name((verdict_type)42), "unknown");
    CHECK(safety_is_symptom(INTENT_SPREADING) && safety_is_symptom(INTENT_RED_FLAG) &&
              safety_is_symptom(INTENT_WORSE) && !safety_is_symptom(INTENT_BETTER) &&
              !safety_is_symptom(INTENT_LOCATION),
          "symptoms");
}

/* Judging a copy leaves the real state alone (the session tries replies). */
static void test_pure(void) {
    safety_state st, copy;
    safety_init(&st);
    safety_input in;
    safety_input_from_reply(&in, INTENT_SPREADING, 0, SAFETY_EXERCISE);
    copy = st;
    safety_judge(&copy, &in);
    CHECK_INT(st.peripheralizations, 0);
    CHECK_INT(copy.peripheralizations, 1);
    safety_verdict a = safety_judge(&st, &in);
    safety_init(&st);
    safety_verdict b = safety_judge(&st, &in);
    CHECK(a.type == b.type && strcmp(a.reason, b.reason) == 0, "same state, same verdict");
}

int main(void) {
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++)
        run_case(&cases[i]);
    test_input_from_reply();
    test_names();
    test_pure();
    return check_report();
}
