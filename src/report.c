/* report: past sessions as one self-contained, printable HTML page. */
#include "report.h"

#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include "paths.h"

#define CHART_W 760.0

/* Writes s as HTML text: markup characters become entities, control
 * characters a space, and bytes that are not UTF-8 U+FFFD, so nothing a
 * log holds (words heard, routine names) can become markup. */
static void esc(FILE *f, const char *s) {
    const unsigned char *p = (const unsigned char *)(s ? s : "");
    while (*p) {
        unsigned char c = *p;
        if (c < 0x80) {
            const char *entity = c == '&'    ? "&amp;"
                                 : c == '<'  ? "&lt;"
                                 : c == '>'  ? "&gt;"
                                 : c == '"'  ? "&quot;"
                                 : c == '\'' ? "&#39;"
                                             : NULL;
            if (entity)
                fputs(entity, f);
            else
                fputc(c < 0x20 || c == 0x7f ? ' ' : c, f);
            p++;
            continue;
        }
        size_t n = c >= 0xF0 && c <= 0xF4 ? 4 : c >= 0xE0 ? 3 : c >= 0xC2 && c <= 0xDF ? 2 : 0;
        if (c >= 0xF5)
            n = 0;
        size_t i = 1;
        while (i < n && (p[i] & 0xC0) == 0x80)
            i++;
        if (n == 0 || i < n) {
            fputs("\xEF\xBF\xBD", f);
            p += n == 0 ? 1 : i;
            continue;
        }
        fwrite(p, 1, n, f);
        p += n;
    }
}

/* A question up to its question mark: "Say yes or no." adds nothing. */
static void esc_question(FILE *f, const char *q) {
    const char *mark = strchr(q, '?');
    if (!mark) {
        esc(f, q);
        return;
    }
    size_t n = (size_t)(mark - q) + 1;
    char *copy = xmalloc(n + 1);
    if (!copy)
        return;
    memcpy(copy, q, n);
    copy[n] = '\0';
    esc(f, copy);
    free(copy);
}

static const char *const month_names[] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                          "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};

/* "1 Mar" from a session's start time. */
static void short_date(const hist_session *s, char *buf, size_t n) {
    if (!s->sortkey[0]) {
        str_copy(buf, "?", n);
        return;
    }
    int month = (s->sortkey[5] - '0') * 10 + (s->sortkey[6] - '0');
    int day = (s->sortkey[8] - '0') * 10 + (s->sortkey[9] - '0');
    if (month < 1 || month > 12)
        month = 1;
    snprintf(buf, n, "%d %s", day, month_names[month - 1]);
}

static bool ended_for_safety(const hist_session *s) {
    return strcmp(s->ended, "safety") == 0 || strcmp(s->ended, "red_flag") == 0;
}

static const char *css =
    "body{font-family:\"DejaVu Sans\",Verdana,Arial,sans-serif;max-width:62rem;"
    "margin:1.5rem auto;padding:0 1rem;color:#111;line-height:1.4}\n"
    "h1{font-size:1.5rem;margin:0 0 .2rem}\n"
    "h2{font-size:1.15rem;margin:1.6rem 0 .4rem;border-bottom:1px solid #888}\n"
    ".meta{color:#333;margin:.2rem 0 .8rem}\n"
    ".disclaimer{border:2px solid #111;padding:.5rem .75rem;background:#fff8e1}\n"
    ".note{font-size:.9rem;color:#333;margin:.2rem 0}\n"
    "table{border-collapse:collapse;width:100%;font-size:.9rem}\n"
    "th,td{border:1px solid #888;padding:.25rem .45rem;text-align:left;vertical-align:top}\n"
    "th{background:#eee}\n"
    "td.n{text-align:right}\n"
    "#exercise-table td:first-child{white-space:nowrap}\n"
    "tr.redflag td{font-weight:bold}\n"
    "ul.summary{margin:.3rem 0;padding-left:1.2rem}\n"
    "svg.chart{width:100%;height:auto;max-width:760px;display:block}\n"
    "svg.key{vertical-align:middle}\n"
    "svg text{font-family:\"DejaVu Sans\",Verdana,Arial,sans-serif;font-size:12px;fill:#111}\n"
    ".grid{stroke:#bbb;stroke-width:1;stroke-dasharray:2 3}\n"
    ".axis{stroke:#111;stroke-width:1.2}\n"
    ".l-start{fill:none;stroke:#1f4e8c;stroke-width:2.5}\n"
    ".l-end{fill:none;stroke:#a34000;stroke-width:2;stroke-dasharray:7 5}\n"
    ".m-start{fill:#1f4e8c;stroke:#1f4e8c}\n"
    ".m-end{fill:#fff;stroke:#a34000;stroke-width:2}\n"
    ".m-safety{fill:#111}\n"
    "@media print{body{max-width:none;margin:0;font-size:10.5pt}"
    ".disclaimer{background:none}th{background:none}"
    ".l-start{stroke:#000}.m-start{fill:#000;stroke:#000}"
    ".l-end{stroke:#000}.m-end{stroke:#000;fill:#fff}"
    "section,figure{break-inside:avoid}thead{display:table-header-group}"
    "@page{margin:14mm}}\n";

/* The plot area of a chart and how values map onto it. */
typedef struct plot {
    double left, right, top, bottom; /* pixel edges of the plot area */
    size_t n;                        /* sessions along x */
} plot;

static double plot_x(const plot *p, size_t i) {
    return p->left + ((double)i + 0.5) * (p->right - p->left) / (double)p->n;
}

/* Which x labels to draw: at most ~14, always the last one. */
static bool label_at(const plot *p, size_t i) {
    size_t step = (p->n + 13) / 14;
    return step <= 1 || i % step == 0 || i + 1 == p->n;
}

static void x_labels(FILE *f, const plot *p, const hist_session *const *ss) {
    for (size_t i = 0; i < p->n; i++) {
        double x = plot_x(p, i);
        fprintf(f, "<line class=\"axis\" x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\"/>", x,
                p->bottom, x, p->bottom + 4);
        if (!label_at(p, i))
            continue;
        char d[16];
        short_date(ss[i], d, sizeof d);
        fprintf(f,
                "<text x=\"%.1f\" y=\"%.1f\" text-anchor=\"end\" "
                "transform=\"rotate(-40 %.1f %.1f)\">",
                x + 4, p->bottom + 16, x + 4, p->bottom + 16);
        esc(f, d);
        fputs("</text>\n", f);
    }
}

/* Triangles above the plot for sessions the safety checker ended. */
static void safety_marks(FILE *f, const plot *p, const hist_session *const *ss) {
    for (size_t i = 0; i < p->n; i++) {
        if (!ended_for_safety(ss[i]))
            continue;
        double x = plot_x(p, i);
        fprintf(f,
                "<path class=\"m-safety\" d=\"M%.1f %.1fL%.1f %.1fL%.1f %.1fZ\">"
                "<title>%s</title></path>\n",
                x - 5, p->top - 12, x + 5, p->top - 12, x, p->top - 3,
                strcmp(ss[i]->ended, "red_flag") == 0 ? "ended: red flag"
                                                      : "ended by the safety checker");
    }
}

/* A series as a line broken where a value is missing (v < 0 or 0 for
 * locations), then its markers. `y` maps a value to a pixel row. */
static void series(FILE *f, const plot *p, const int *v, bool is_end,
                   double (*y)(const plot *, int), int missing_below, const hist_session *const *ss,
                   const char *what, const char *(*name)(int)) {
    fprintf(f, "<path class=\"%s\" d=\"", is_end ? "l-end" : "l-start");
    bool pen = false;
    for (size_t i = 0; i < p->n; i++) {
        if (v[i] < missing_below) {
            pen = false;
            continue;
        }
        fprintf(f, "%s%.1f %.1f", pen ? "L" : "M", plot_x(p, i), y(p, v[i]));
        pen = true;
    }
    fputs("\"/>\n", f);
    for (size_t i = 0; i < p->n; i++) {
        if (v[i] < missing_below)
            continue;
        double x = plot_x(p, i), yy = y(p, v[i]);
        char d[16];
        short_date(ss[i], d, sizeof d);
        if (is_end)
            fprintf(f, "<rect class=\"m-end\" x=\"%.1f\" y=\"%.1f\" width=\"10\" height=\"10\">",
                    x - 5, yy - 5);
        else
            fprintf(f, "<circle class=\"m-start\" cx=\"%.1f\" cy=\"%.1f\" r=\"4.5\">", x, yy);
        fputs("<title>", f);
        esc(f, d);
        fprintf(f, ", %s: %s</title>", what, name(v[i]));
        fputs(is_end ? "</rect>\n" : "</circle>\n", f);
    }
}

static double pain_y(const plot *p, int v) {
    return p->top + (10.0 - v) / 10.0 * (p->bottom - p->top);
}

static double loc_y(const plot *p, int v) {
    return p->top + (v - 1) / 5.0 * (p->bottom - p->top);
}

static const char *score_name(int v) {
    static const char *const s[] = {"0", "1", "2", "3", "4", "5", "6", "7", "8", "9", "10"};
    return v >= 0 && v <= 10 ? s[v] : "?";
}

static void legend(FILE *f, const char *start, const char *end, bool safety) {
    fputs("<p class=\"note\"><svg class=\"key\" width=\"34\" height=\"14\" aria-hidden=\"true\">"
          "<line class=\"l-start\" x1=\"1\" y1=\"7\" x2=\"33\" y2=\"7\"/>"
          "<circle class=\"m-start\" cx=\"17\" cy=\"7\" r=\"4.5\"/></svg> ",
          f);
    fputs(start, f);
    fputs(" &#160; <svg class=\"key\" width=\"34\" height=\"14\" aria-hidden=\"true\">"
          "<line class=\"l-end\" x1=\"1\" y1=\"7\" x2=\"33\" y2=\"7\"/>"
          "<rect class=\"m-end\" x=\"12\" y=\"2\" width=\"10\" height=\"10\"/></svg> ",
          f);
    fputs(end, f);
    if (safety)
        fputs(" &#160; <svg class=\"key\" width=\"14\" height=\"14\" aria-hidden=\"true\">"
              "<path class=\"m-safety\" d=\"M2 2L12 2L7 11Z\"/></svg> "
              "session ended by the safety checker",
              f);
    fputs("</p>\n", f);
}

static bool any_safety_end(const hist_session *const *ss, size_t n) {
    for (size_t i = 0; i < n; i++)
        if (ended_for_safety(ss[i]))
            return true;
    return false;
}

static void pain_chart(FILE *f, const hist_session *const *ss, size_t n) {
    plot p = {48, CHART_W - 14, 26, 236, n};
    int *a = xcalloc(n, sizeof *a), *b = xcalloc(n, sizeof *b);
    if (!a || !b) {
        free(a);
        free(b);
        return;
    }
    for (size_t i = 0; i < n; i++) {
        a[i] = ss[i]->pain_start;
        b[i] = ss[i]->pain_end;
    }
    fprintf(f,
            "<figure id=\"pain-chart\" style=\"margin:0\">\n"
            "<svg class=\"chart\" viewBox=\"0 0 %.0f 300\" role=\"img\" "
            "aria-label=\"Pain score at the start and end of each session\">\n",
            CHART_W);
    for (int v = 0; v <= 10; v += 2) {
        double y = pain_y(&p, v);
        fprintf(f,
                "<line class=\"grid\" x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\"/>"
                "<text x=\"%.1f\" y=\"%.1f\" text-anchor=\"end\">%d</text>\n",
                p.left, y, p.right, y, p.left - 8, y + 4, v);
    }
    fprintf(f,
            "<text x=\"14\" y=\"%.1f\" text-anchor=\"middle\" transform=\"rotate(-90 14 %.1f)\">"
            "pain (0 none, 10 worst)</text>\n",
            (p.top + p.bottom) / 2, (p.top + p.bottom) / 2);
    fprintf(f,
            "<line class=\"axis\" x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\"/>"
            "<line class=\"axis\" x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\"/>\n",
            p.left, p.top, p.left, p.bottom, p.left, p.bottom, p.right, p.bottom);
    x_labels(f, &p, ss);
    safety_marks(f, &p, ss);
    series(f, &p, b, true, pain_y, 0, ss, "pain at the end", score_name);
    series(f, &p, a, false, pain_y, 0, ss, "pain at the start", score_name);
    fputs("</svg>\n</figure>\n", f);
    legend(f, "at the start of the session", "at the end", any_safety_end(ss, n));
    free(a);
    free(b);
}

static void location_chart(FILE *f, const hist_session *const *ss, size_t n) {
    plot p = {70, CHART_W - 14, 26, 216, n};
    int *a = xcalloc(n, sizeof *a), *b = xcalloc(n, sizeof *b);
    if (!a || !b) {
        free(a);
        free(b);
        return;
    }
    for (size_t i = 0; i < n; i++) {
        a[i] = ss[i]->loc_start;
        b[i] = ss[i]->loc_end;
    }
    fprintf(f,
            "<figure id=\"location-chart\" style=\"margin:0\">\n"
            "<svg class=\"chart\" viewBox=\"0 0 %.0f 280\" role=\"img\" "
            "aria-label=\"How far down the leg the pain reached, per session\">\n",
            CHART_W);
    for (int v = 1; v <= 6; v++) {
        double y = loc_y(&p, v);
        fprintf(f,
                "<line class=\"grid\" x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\"/>"
                "<text x=\"%.1f\" y=\"%.1f\" text-anchor=\"end\">%s</text>\n",
                p.left, y, p.right, y, p.left - 8, y + 4, history_location_name(v));
    }
    fprintf(f,
            "<line class=\"axis\" x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\"/>"
            "<line class=\"axis\" x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\"/>\n",
            p.left, p.top - 6, p.left, p.bottom, p.left, p.bottom, p.right, p.bottom);
    x_labels(f, &p, ss);
    safety_marks(f, &p, ss);
    series(f, &p, b, true, loc_y, 1, ss, "furthest pain at the end", history_location_name);
    series(f, &p, a, false, loc_y, 1, ss, "furthest pain at the start", history_location_name);
    fputs("</svg>\n</figure>\n", f);
    legend(f, "at the start of the session", "at the end", any_safety_end(ss, n));
    free(a);
    free(b);
}

/* Totals per exercise over the sessions shown. */
typedef struct ex_total {
    const char *id; /* borrowed from a session */
    int sessions, done, spread, other, eased, skipped;
} ex_total;

static int cmp_total(const void *a, const void *b) {
    return strcmp(((const ex_total *)a)->id, ((const ex_total *)b)->id);
}

static void exercise_table(FILE *f, const hist_session *const *ss, size_t n) {
    ex_total *t = NULL;
    size_t nt = 0, cap = 0;
    for (size_t i = 0; i < n; i++) {
        for (size_t j = 0; j < ss[i]->nex; j++) {
            const hist_exercise *e = &ss[i]->ex[j];
            size_t k = 0;
            while (k < nt && strcmp(t[k].id, e->id) != 0)
                k++;
            if (k == nt) {
                if (nt == cap) {
                    cap = cap ? cap * 2 : 16;
                    ex_total *nt2 = xrealloc(t, cap * sizeof *nt2);
                    if (!nt2)
                        break;
                    t = nt2;
                }
                memset(&t[nt], 0, sizeof t[nt]);
                t[nt++].id = e->id;
            }
            t[k].sessions++;
            t[k].done += e->done;
            t[k].spread += e->spread;
            t[k].other += e->other;
            t[k].eased += e->eased;
            t[k].skipped += e->skipped;
        }
    }
    if (nt)
        qsort(t, nt, sizeof *t, cmp_total);
    fputs("<table id=\"exercise-table\">\n<thead><tr><th>Exercise</th><th>Sessions</th>"
          "<th>Completed</th><th>Stopped: pain spread or nerve signs</th>"
          "<th>Stopped: other reason</th><th>Easier version offered</th><th>Skipped</th>"
          "</tr></thead>\n<tbody>\n",
          f);
    for (size_t k = 0; k < nt; k++) {
        fputs("<tr><td>", f);
        esc(f, t[k].id);
        fprintf(f,
                "</td><td class=\"n\">%d</td><td class=\"n\">%d</td><td class=\"n\">%s%d%s</td>"
                "<td class=\"n\">%d</td><td class=\"n\">%d</td><td class=\"n\">%d</td></tr>\n",
                t[k].sessions, t[k].done, t[k].spread ? "<strong>" : "", t[k].spread,
                t[k].spread ? "</strong>" : "", t[k].other, t[k].eased, t[k].skipped);
    }
    if (!nt)
        fputs("<tr><td colspan=\"7\">No exercises recorded.</td></tr>\n", f);
    fputs("</tbody></table>\n"
          "<p class=\"note\">Completed counts each side or set finished. Stopped counts the "
          "times the safety checker stopped the exercise.</p>\n",
          f);
    free(t);
}

static const char *verdict_words(const char *v) {
    if (strcmp(v, "stop_exercise") == 0)
        return "stopped the exercise";
    if (strcmp(v, "offer_easier") == 0)
        return "stopped it and offered an easier version";
    if (strcmp(v, "end_session") == 0)
        return "ended the session";
    if (!*v)
        return "(nothing more in the log)";
    return v;
}

static void events_table(FILE *f, const hist_session *const *ss, size_t n) {
    size_t count = 0;
    fputs("<table id=\"safety-table\">\n<thead><tr><th>Date</th><th>Time into session</th>"
          "<th>Exercise</th><th>Words heard</th><th>Why</th><th>What floorcoach did</th>"
          "</tr></thead>\n<tbody>\n",
          f);
    for (size_t i = 0; i < n; i++) {
        for (size_t j = 0; j < ss[i]->nevents; j++) {
            const hist_event *e = &ss[i]->events[j];
            bool red = strcmp(e->reason, "red_flag") == 0;
            char date[32], at[16];
            history_date(ss[i], date, sizeof date);
            history_duration(e->t, at, sizeof at);
            fprintf(f, "<tr%s><td>", red ? " class=\"redflag\"" : "");
            esc(f, date);
            fprintf(f, "</td><td>%s</td><td>", at);
            esc(f, e->exercise[0] ? e->exercise : "(before the exercises)");
            fputs("</td><td>", f);
            if (e->heard) {
                fputs("&#8220;", f);
                esc(f, e->heard);
                fputs("&#8221;", f);
                if (e->asked) {
                    fputs(" to &#8220;", f);
                    esc_question(f, e->asked);
                    fputs("&#8221;", f);
                }
            } else {
                fputs("(not recorded)", f);
            }
            fputs("</td><td>", f);
            if (red)
                fputs("RED FLAG: ", f);
            esc(f, history_reason_words(e->reason));
            fputs("</td><td>", f);
            esc(f, verdict_words(e->verdict));
            fputs("</td></tr>\n", f);
            count++;
        }
    }
    if (!count)
        fputs("<tr><td colspan=\"6\">None: no red flags and no exercise stopped for "
              "safety.</td></tr>\n",
              f);
    fputs("</tbody></table>\n", f);
}

static void sessions_table(FILE *f, const hist_session *const *ss, size_t n) {
    fputs("<table id=\"session-table\">\n<thead><tr><th>Date</th><th>Routine</th>"
          "<th>Time</th><th>Ended</th><th>Pain start &#8594; end</th>"
          "<th>Furthest pain start &#8594; end</th></tr></thead>\n<tbody>\n",
          f);
    for (size_t i = 0; i < n; i++) {
        const hist_session *s = ss[i];
        char date[32], dur[16];
        history_date(s, date, sizeof date);
        history_duration(s->duration, dur, sizeof dur);
        fputs("<tr><td>", f);
        esc(f, date);
        fputs("</td><td>", f);
        esc(f, s->routine_name[0] ? s->routine_name : s->routine);
        fprintf(f, "</td><td>%s</td><td>", dur);
        esc(f, history_ended_words(s->ended));
        if (s->truncated)
            fputs(" (log damaged, read up to the damage)", f);
        fprintf(f, "</td><td>%s &#8594; %s</td><td>%s &#8594; %s</td></tr>\n",
                score_name(s->pain_start), score_name(s->pain_end),
                s->loc_start ? history_location_name(s->loc_start) : "?",
                s->loc_end ? history_location_name(s->loc_end) : "?");
    }
    fputs("</tbody></table>\n", f);
}

static void summary(FILE *f, const hist_session *const *ss, size_t n) {
    int completed = 0, safety = 0, red = 0, other = 0;
    for (size_t i = 0; i < n; i++) {
        if (strcmp(ss[i]->ended, "completed") == 0)
            completed++;
        else if (strcmp(ss[i]->ended, "red_flag") == 0)
            red++;
        else if (strcmp(ss[i]->ended, "safety") == 0)
            safety++;
        else
            other++;
    }
    fprintf(f,
            "<ul class=\"summary\">\n<li>%zu session%s: %d completed, %d ended by the safety "
            "checker, %d ended by a red flag, %d stopped early or unfinished.</li>\n",
            n, n == 1 ? "" : "s", completed, safety, red, other);
    int first = -1, last = -1, lfirst = 0, llast = 0;
    for (size_t i = 0; i < n; i++) {
        if (ss[i]->pain_start >= 0) {
            if (first < 0)
                first = ss[i]->pain_start;
            last = ss[i]->pain_start;
        }
        if (ss[i]->loc_start) {
            if (!lfirst)
                lfirst = ss[i]->loc_start;
            llast = ss[i]->loc_start;
        }
    }
    if (first >= 0)
        fprintf(f, "<li>Pain at the start of a session: %d in the first, %d in the latest.</li>\n",
                first, last);
    if (lfirst)
        fprintf(f,
                "<li>Pain reached furthest down to the %s in the first session, to the %s in "
                "the latest (at the start of the session).</li>\n",
                history_location_name(lfirst), history_location_name(llast));
    if (red)
        fprintf(f, "<li><strong>RED FLAG reported in %d session%s: see below.</strong></li>\n", red,
                red == 1 ? "" : "s");
    fputs("</ul>\n", f);
}

static const char *disclaimer =
    "<p class=\"disclaimer\"><strong>floorcoach does not replace a clinician.</strong> "
    "This page lists what the person answered during guided exercise sessions at home; it is "
    "not a diagnosis. Loss of bladder or bowel control, numbness between the legs, sudden "
    "weakness in a leg or pain in both legs need medical help right away.</p>\n";

void report_write_html(FILE *f, const hist_list *l, const char *since, const char *generated) {
    const hist_session **ss = xcalloc(l->n ? l->n : 1, sizeof *ss);
    size_t n = 0;
    if (!ss)
        return;
    for (size_t i = 0; i < l->n; i++) {
        if (since && *since && strncmp(l->s[i].sortkey, since, 10) < 0)
            continue;
        ss[n++] = &l->s[i];
    }
    char from[32] = "", to[32] = "";
    if (n) {
        history_date(ss[0], from, sizeof from);
        history_date(ss[n - 1], to, sizeof to);
        from[10] = to[10] = '\0';
    }
    fputs("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
          "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
          "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; "
          "style-src 'unsafe-inline'\">\n<title>floorcoach: exercise sessions",
          f);
    if (n)
        fprintf(f, " %s to %s", from, to);
    fprintf(f, "</title>\n<style>\n%s</style>\n</head>\n<body>\n", css);
    fputs("<header>\n<h1>floorcoach: exercise sessions for sciatica</h1>\n<p class=\"meta\">", f);
    if (n)
        fprintf(f, "%zu session%s from %s to %s", n, n == 1 ? "" : "s", from, to);
    else
        fputs("No sessions recorded", f);
    if (since && *since) {
        fputs(" (since ", f);
        esc(f, since);
        fputs(")", f);
    }
    if (generated) {
        fputs(". Made ", f);
        esc(f, generated);
    }
    fputs(".</p>\n", f);
    fputs(disclaimer, f);
    fputs("</header>\n", f);
    if (!n) {
        fputs("<p>No sessions to show yet.</p>\n</body>\n</html>\n", f);
        free(ss);
        return;
    }
    fputs("<section id=\"summary\">\n<h2>Summary</h2>\n", f);
    summary(f, ss, n);
    fputs("</section>\n", f);
    fputs("<section id=\"pain\">\n<h2>Pain score per session</h2>\n"
          "<p class=\"note\">The score the person gave from 0 (no pain) to 10 (worst), before "
          "the first exercise and at the last check-in. One mark per session, oldest on the "
          "left.</p>\n",
          f);
    pain_chart(f, ss, n);
    fputs("</section>\n", f);
    fputs("<section id=\"location\">\n<h2>How far down the leg the pain reached</h2>\n"
          "<p class=\"note\">The furthest-down place the person reported. Higher is better: pain "
          "retreating toward the back (centralization) moves the marks up; pain spreading down "
          "the leg (peripheralization) moves them down.</p>\n",
          f);
    location_chart(f, ss, n);
    fputs("</section>\n", f);
    fputs("<section id=\"exercises\">\n<h2>Exercises</h2>\n", f);
    exercise_table(f, ss, n);
    fputs("</section>\n", f);
    fputs("<section id=\"safety\">\n<h2>Red flags and safety stops</h2>\n", f);
    events_table(f, ss, n);
    fputs("</section>\n", f);
    fputs("<section id=\"sessions\">\n<h2>All sessions</h2>\n", f);
    sessions_table(f, ss, n);
    fputs("</section>\n<footer>\n", f);
    fputs(disclaimer, f);
    fputs("</footer>\n</body>\n</html>\n", f);
    free(ss);
}

static void now_text(char *buf, size_t n) {
    time_t t = time(NULL);
    struct tm tm;
    if (localtime_r(&t, &tm) && strftime(buf, n, "%Y-%m-%d %H:%M", &tm) > 0)
        return;
    str_copy(buf, "", n);
}

/* Writes the page to `path` (0600) or, for "-", to standard output. */
static int write_report(const char *path, const hist_list *l, const char *since, fc_err *err) {
    char gen[32];
    now_text(gen, sizeof gen);
    if (strcmp(path, "-") == 0) {
        report_write_html(stdout, l, since, gen);
        return fflush(stdout) == 0 ? 0
                                   : err_set(err, "cannot write the report: %s", strerror(errno));
    }
    FILE *f = paths_open_private(path, err);
    if (!f)
        return -1;
    report_write_html(f, l, since, gen);
    int bad = ferror(f);
    if (fclose(f) != 0 || bad)
        return err_set(err, "cannot write %s: %s", path, strerror(errno));
    return 0;
}

int report_refresh_default(const char *sessions_dir, fc_err *err) {
    char dir[PATH_MAX], path[PATH_MAX];
    struct stat st;
    if (paths_data_dir(dir, sizeof dir, NULL, err) != 0)
        return -1;
    if ((size_t)snprintf(path, sizeof path, "%s/report.html", dir) >= sizeof path)
        return err_set(err, "data folder path too long");
    if (lstat(path, &st) != 0)
        return 0;
    hist_list l;
    if (history_load(sessions_dir, &l, NULL, err) != 0)
        return -1;
    int rc = write_report(path, &l, NULL, err);
    history_free(&l);
    return rc != 0 ? -1 : 1;
}

static int usage(FILE *f) {
    fputs("usage: floorcoach report [--out FILE.html] [--since DATE] [--dir DIR]\n"
          "  Writes one HTML page of past sessions to open or print for a physiotherapist:\n"
          "  pain score and how far down the leg the pain reached per session, how each\n"
          "  exercise went, and every red flag and safety stop with the words heard.\n"
          "  --out FILE   where to write it (default: report.html in the data folder;\n"
          "               - for standard output)\n"
          "  --since DATE only sessions from DATE (YYYY-MM-DD) on\n"
          "  --dir DIR    read the session logs in DIR (default: the data folder)\n",
          f);
    return 1;
}

int report_main(int argc, char **argv) {
    const char *out = NULL, *since = NULL, *dir = NULL;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        const char **dst = NULL;
        const char *name = NULL;
        if (strcmp(a, "--help") == 0 || strcmp(a, "-h") == 0) {
            usage(stdout);
            return 0;
        }
        if (strncmp(a, "--out", 5) == 0 && (a[5] == '\0' || a[5] == '=')) {
            dst = &out;
            name = "--out";
        } else if (strncmp(a, "--since", 7) == 0 && (a[7] == '\0' || a[7] == '=')) {
            dst = &since;
            name = "--since";
        } else if (strncmp(a, "--dir", 5) == 0 && (a[5] == '\0' || a[5] == '=')) {
            dst = &dir;
            name = "--dir";
        } else {
            fprintf(stderr, "floorcoach report: unknown option %s\n", a);
            return usage(stderr);
        }
        const char *eq = strchr(a, '=');
        *dst = eq ? eq + 1 : (i + 1 < argc ? argv[++i] : NULL);
        if (!*dst || !**dst) {
            fprintf(stderr, "floorcoach report: %s needs a value\n", name);
            return 1;
        }
    }
    if (since && !history_valid_date(since)) {
        fprintf(stderr, "floorcoach report: --since wants a date like 2025-03-01, not %s\n", since);
        return 1;
    }
    fc_err err;
    char sdir[PATH_MAX], opath[PATH_MAX];
    if (!dir) {
        if (paths_data_dir(sdir, sizeof sdir, "sessions", &err) != 0) {
            fprintf(stderr, "floorcoach report: %s\n", err.msg);
            return 1;
        }
        dir = sdir;
    }
    if (!out) {
        if (paths_data_dir(opath, sizeof opath, NULL, &err) != 0 ||
            strlen(opath) + sizeof "/report.html" > sizeof opath) {
            fprintf(stderr, "floorcoach report: %s\n", err.msg);
            return 1;
        }
        strcat(opath, "/report.html");
        out = opath;
    }
    hist_list l;
    if (history_load(dir, &l, stderr, &err) != 0) {
        fprintf(stderr, "floorcoach report: %s\n", err.msg);
        return 1;
    }
    int rc = write_report(out, &l, since, &err);
    if (rc != 0) {
        fprintf(stderr, "floorcoach report: %s\n", err.msg);
    } else if (strcmp(out, "-") != 0) {
        size_t shown = 0;
        for (size_t i = 0; i < l.n; i++)
            if (!since || strncmp(l.s[i].sortkey, since, 10) >= 0)
                shown++;
        printf("Wrote the report of %zu session%s to %s\n", shown, shown == 1 ? "" : "s", out);
    }
    history_free(&l);
    return rc != 0 ? 1 : 0;
}
