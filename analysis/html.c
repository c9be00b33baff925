/*
 * html.c — the report page (kimsim report): one self-contained HTML5
 * document with the scenario, its assumptions, the verdict table, the
 * comparison sentences, the plots and the manifest.
 *
 * The comparison sentences are sentences.c.
 *
 * Invariant: every byte that comes from a CSV file, the manifest or the
 * scenario goes through an_html_escape; only the SVG documents gnuplot
 * wrote are copied verbatim (gnuplot escapes the text in them).  The page
 * loads nothing: no network, no external style sheet or script, so it
 * can be mailed or printed as it is.  Verdicts are shown by word and mark
 * as well as by colour, so a grey printout still reads.
 */
#include "an.h"
#include "../sim/sim.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

static const char CSS[] =
    ":root{--ok:#d9f0d3;--ok-ink:#1b5e20;--unc:#ffe8b0;--unc-ink:#7a4b00;"
    "--bad:#f8c9c4;--bad-ink:#8b1a10;--line:#c8c8c8}\n"
    "body{font-family:'DejaVu Sans',system-ui,sans-serif;line-height:1.45;color:#1d1d1d;"
    "max-width:62rem;margin:0 auto;padding:1rem 1.5rem 3rem}\n"
    "h1{font-size:1.6rem;margin-bottom:.2rem}h2{font-size:1.25rem;margin-top:2rem;"
    "border-bottom:1px solid var(--line)}h3{font-size:1.05rem}\n"
    ".meta,.note,figcaption,.small{color:#555;font-size:.9rem}\n"
    ".note{background:#fff6d6;border-left:4px solid #e0a800;padding:.4rem .8rem}\n"
    "table{border-collapse:collapse;margin:.5rem 0 1rem;font-size:.92rem}\n"
    "th,td{border:1px solid var(--line);padding:.3rem .5rem;text-align:left;vertical-align:top}\n"
    "th{background:#f2f2f2}td.num{text-align:right;font-variant-numeric:tabular-nums}\n"
    "td.adequate{background:var(--ok);color:var(--ok-ink)}\n"
    "td.uncertain{background:var(--unc);color:var(--unc-ink)}\n"
    "td.inadequate{background:var(--bad);color:var(--bad-ink)}\n"
    ".brief{font-size:1.05rem}.est{font-weight:bold}.ci,.word{display:block;font-size:.8rem}\n"
    "tr.district th{font-weight:bold}tr.post th{font-weight:normal;font-style:italic}\n"
    "figure{margin:1rem 0 2rem}figure svg{width:100%;height:auto;display:block}\n"
    "pre{background:#f6f6f6;padding:.6rem;overflow-x:auto;font-size:.8rem}\n"
    ".wide{overflow-x:auto}\n"
    "@media print{@page{size:A4;margin:14mm}body{max-width:none;padding:0;font-size:10pt}"
    "*{-webkit-print-color-adjust:exact;print-color-adjust:exact}"
    "h2,h3{break-after:avoid;page-break-after:avoid}"
    "figure,table,tr{break-inside:avoid;page-break-inside:avoid}"
    "#plots figure{page-break-before:auto}pre{white-space:pre-wrap}.wide{overflow:visible}}\n";

#define MINUS "\xe2\x88\x92"           /* U+2212 */
#define EN_DASH "\xe2\x80\x93"         /* U+2013 */

/* ------------------------------------------------------------------ */
/* Small helpers                                                        */
/* ------------------------------------------------------------------ */

static void esc(FILE *f, const char *s) { an_html_escape(f, s); }

static const char *group_class(const char *g)
{
    if (!strncmp(g, "post:", 5)) return "post";
    if (!strcmp(g, "district")) return "district";
    return "municipality";
}

/* A number with a real minus sign, "%.*f". */
static void num(FILE *f, double x, int decimals, int sign)
{
    if (isnan(x)) { fputs(EN_DASH, f); return; }
    if (x < 0.0) fputs(MINUS, f);
    else if (sign && x > 0.0) putc('+', f);
    fprintf(f, "%.*f", decimals, fabs(x));
}

/* Does row i of t belong to (scenario, variant)? */
static int of_pair(const an_table *t, size_t i, const char *scenario, const char *variant)
{
    return !strcmp(an_table_get(t, i, an_table_col(t, "scenario")), scenario) &&
           !strcmp(an_table_get(t, i, an_table_col(t, "variant")), variant);
}

/* Rows where the key of columns c1, c2, c3 (-1: unused) first appears
 * among rows accepted by keep (NULL: all).  Returns the count; *out is
 * malloc'd. */
static size_t firsts(const an_table *t, long c1, long c2, long c3, size_t **out,
                     int (*keep)(const an_table *, size_t, const void *), const void *ctx)
{
    size_t n = 0;
    *out = sim_xmalloc((t->n_rows + 1) * sizeof **out);
    for (size_t i = 0; i < t->n_rows; i++) {
        if (keep && !keep(t, i, ctx)) continue;
        size_t k = 0;
        while (k < n && (strcmp(an_table_get(t, i, c1), an_table_get(t, (*out)[k], c1)) ||
                         strcmp(an_table_get(t, i, c2), an_table_get(t, (*out)[k], c2)) ||
                         strcmp(an_table_get(t, i, c3), an_table_get(t, (*out)[k], c3))))
            k++;
        if (k == n) (*out)[n++] = i;
    }
    return n;
}

/* ------------------------------------------------------------------ */
/* Head, description, assumptions                                       */
/* ------------------------------------------------------------------ */

static void head(FILE *f, const an_report *r)
{
    fputs("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
          "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
          "<title>kimsim report: ", f);
    esc(f, r->scenario);
    fprintf(f, "</title>\n<style>\n%s</style>\n</head>\n<body>\n", CSS);
}

/* Replications of r's variant: the largest n in summary.csv. */
static long replications(const an_report *r)
{
    const an_table *s = r->summary;
    long cn = an_table_col(s, "n"), most = 0;
    for (size_t i = 0; i < s->n_rows; i++) {
        double n = an_table_num(s, i, cn);
        if (n > (double)most && of_pair(s, i, r->scenario, r->variant)) most = (long)n;
    }
    return most;
}

static void notes(FILE *f, const an_report *r)
{
    for (size_t i = 0; i < r->n_notes; i++) {
        fputs("<p class=\"note\">", f);
        esc(f, r->notes[i]);
        fputs("</p>\n", f);
    }
}

static void header(FILE *f, const an_report *r)
{
    fputs("<header>\n<h1>", f);
    esc(f, r->scenario);
    fputs("</h1>\n", f);
    if (r->sc && r->sc->description && *r->sc->description) {
        fputs("<p class=\"desc\">", f);
        esc(f, r->sc->description);
        fputs("</p>\n", f);
    }
    if (r->summary->n_rows > 0) {
        fputs("<p class=\"meta\">Waiting times and staffing simulated with kimsim; variant "
              "shown in the plots: <b>", f);
        esc(f, r->variant);
        fprintf(f, "</b>; %ld replications", replications(r));
        if (r->sc)
            fprintf(f, " of %g days (the first %g days are warm-up and not counted)",
                    r->sc->horizon_days, r->sc->warmup_days);
        fputs(".</p>\n", f);
    }
    fputs("</header>\n", f);
    notes(f, r);
}

/* The threshold of target `name` in verdict.csv, or NaN. */
static double threshold(const an_report *r, const char *name)
{
    const an_table *v = r->verdict;
    long ct = an_table_col(v, "target"), ch = an_table_col(v, "threshold");
    for (size_t i = 0; i < v->n_rows; i++)
        if (!strcmp(an_table_get(v, i, ct), name)) return an_table_num(v, i, ch);
    return NAN;
}

static void targets(FILE *f, const an_report *r)
{
    fputs("<h3>Targets</h3>\n<ul>\n", f);
    double q = threshold(r, "wait"), u = threshold(r, "utilization");
    double g = threshold(r, "reneged_share");
    if (!isnan(q)) {
        fprintf(f, "<li>Waiting: at least %g %% of cases start case management within ", 100 * q);
        if (isnan(r->wait_days)) fputs("the target wait", f);
        else fprintf(f, "%g days", r->wait_days);
        fputs(" of their referral (cases still waiting longer at the end count as late).</li>\n", f);
    }
    if (!isnan(u))
        fprintf(f, "<li>Utilization: on average at most %g %% of the case slots are "
                   "occupied, leaving room for urgent cases.</li>\n", 100 * u);
    if (!isnan(g))
        fprintf(f, "<li>Giving up: at most %g %% of referred cases leave the waiting "
                   "list before they are taken on.</li>\n", 100 * g);
    double b = threshold(r, "stability");
    if (!isnan(b))
        fprintf(f, "<li>Stability: the waiting list does not keep growing (least-squares "
                   "trend after the warm-up at most %g cases per month).</li>\n", b);
    fputs("</ul>\n<p class=\"small\">A target is <b>adequate</b> when the whole 95 % "
          "confidence interval over the replications meets it, <b>inadequate</b> when "
          "none of it does, <b>uncertain</b> otherwise.</p>\n", f);
}

static void model_facts(FILE *f, const kim_scenario *sc)
{
    fprintf(f, "<h3>Model</h3>\n<p>Caseload %g open cases per full-time post; queue "
               "order %s; new cases go to %s posts first.</p>\n", sc->caseload_per_fte,
            sc->queue == KIM_QUEUE_FIFO ? "first come, first served" : "by priority, then arrival",
            sc->assign == KIM_ASSIGN_LEAST_LOADED ? "the least loaded" : "their own town's");
    fputs("<div class=\"wide\"><table>\n<tr><th>Post</th><th>Carrier</th><th>FTE funded</th>"
          "<th>FTE filled</th><th>Serves</th></tr>\n", f);
    for (size_t p = 0; p < sc->n_posts; p++) {
        const kim_post *po = &sc->posts[p];
        fputs("<tr><td>", f);
        esc(f, po->name);
        fputs("</td><td>", f);
        esc(f, po->carrier);
        fprintf(f, "</td><td class=\"num\">%g</td><td class=\"num\">%g</td><td>",
                po->fte, po->filled_fte);
        if (po->serves_all) fputs("all", f);
        for (size_t k = 0; k < po->n_serves; k++) {
            if (k) fputs(", ", f);
            esc(f, sc->munis[po->serves[k]].name);
        }
        fputs("</td></tr>\n", f);
    }
    fputs("</table></div>\n<div class=\"wide\"><table>\n<tr><th>Municipality</th>"
          "<th>Referrals per year</th></tr>\n", f);
    for (size_t m = 0; m < sc->n_munis; m++) {
        fputs("<tr><td>", f);
        esc(f, sc->munis[m].name);
        fprintf(f, "</td><td class=\"num\">%.1f</td></tr>\n", 365.0 * sc->munis[m].arrivals_per_day);
    }
    fputs("</table></div>\n", f);
}

static void assumptions(FILE *f, const an_report *r)
{
    if (!r->verdict && !r->sc) return;
    fputs("<section id=\"assumptions\">\n<h2>Assumptions</h2>\n", f);
    if (r->verdict) targets(f, r);
    if (r->sc) model_facts(f, r->sc);
    fputs("</section>\n", f);
}

/* ------------------------------------------------------------------ */
/* The verdict table: groups x targets, one table per variant           */
/* ------------------------------------------------------------------ */

static void target_head(FILE *f, const an_report *r, const char *t, double thr)
{
    fputs("<th>", f);
    if (!strcmp(t, "wait")) {
        fputs("Started within ", f);
        if (isnan(r->wait_days)) fputs("target", f);
        else fprintf(f, "%g days", r->wait_days);
        fprintf(f, "<span class=\"word\">target &ge; %g %%</span>", 100 * thr);
    } else if (!strcmp(t, "utilization")) {
        fprintf(f, "Utilization<span class=\"word\">target &le; %g %%</span>", 100 * thr);
    } else if (!strcmp(t, "reneged_share")) {
        fprintf(f, "Gave up waiting<span class=\"word\">target &le; %g %%</span>", 100 * thr);
    } else if (!strcmp(t, "stability")) {
        fprintf(f, "Waiting list trend<span class=\"word\">cases/month, target &le; %g</span>", thr);
    } else {
        esc(f, t);
        fprintf(f, "<span class=\"word\">threshold %g</span>", thr);
    }
    fputs("</th>", f);
}

/* The estimate of a target in its own unit. */
static void estimate(FILE *f, const char *t, double x)
{
    if (!strcmp(t, "stability")) num(f, x, 2, 1);
    else if (!strcmp(t, "reneged_share")) { num(f, 100 * x, 1, 0); fputs(" %", f); }
    else if (!strcmp(t, "wait") || !strcmp(t, "utilization")) { num(f, 100 * x, 0, 0); fputs(" %", f); }
    else fprintf(f, "%.3g", x);
}

static void verdict_cell(FILE *f, const an_table *v, size_t i, const char *t)
{
    const char *word = an_table_get(v, i, an_table_col(v, "verdict"));
    const char *mark = !strcmp(word, "adequate") ? "\xe2\x9c\x94 " :
                       !strcmp(word, "inadequate") ? "\xe2\x9c\x98 " :
                       !strcmp(word, "uncertain") ? "? " : "";
    fputs("<td class=\"", f);
    esc(f, word);
    fputs("\"><span class=\"est\">", f);
    estimate(f, t, an_table_num(v, i, an_table_col(v, "estimate")));
    fputs("</span><span class=\"ci\">95 % CI ", f);
    estimate(f, t, an_table_num(v, i, an_table_col(v, "ci_low")));
    fputs(" " EN_DASH " ", f);
    estimate(f, t, an_table_num(v, i, an_table_col(v, "ci_high")));
    fprintf(f, "</span><span class=\"word\">%s", mark);
    esc(f, word);
    fputs("</span></td>", f);
}

/* The row of (pair row p, group row g, target row t), or -1. */
static long find_cell(const an_table *v, size_t p, size_t g, size_t t)
{
    long cs = an_table_col(v, "scenario"), cv = an_table_col(v, "variant");
    long cg = an_table_col(v, "group"), ct = an_table_col(v, "target");
    for (size_t i = 0; i < v->n_rows; i++)
        if (!strcmp(an_table_get(v, i, cs), an_table_get(v, p, cs)) &&
            !strcmp(an_table_get(v, i, cv), an_table_get(v, p, cv)) &&
            !strcmp(an_table_get(v, i, cg), an_table_get(v, g, cg)) &&
            !strcmp(an_table_get(v, i, ct), an_table_get(v, t, ct)))
            return (long)i;
    return -1;
}

static int same_pair(const an_table *v, size_t i, const void *p)
{
    return of_pair(v, i, an_table_get(v, *(const size_t *)p, an_table_col(v, "scenario")),
                   an_table_get(v, *(const size_t *)p, an_table_col(v, "variant")));
}

/* The reasons of the targets not met, one line per group. */
static void reasons(FILE *f, const an_table *v, size_t p)
{
    long cg = an_table_col(v, "group"), cr = an_table_col(v, "reason");
    const char *last = NULL;
    for (size_t i = 0; i < v->n_rows; i++) {
        if (!same_pair(v, i, &p) || !*an_table_get(v, i, cr)) continue;
        const char *g = an_table_get(v, i, cg);
        if (last && !strcmp(last, g)) {
            fputs("; ", f);
        } else {
            fputs(last ? ".</li>\n<li><b>" : "<ul class=\"reasons small\">\n<li><b>", f);
            esc(f, !strcmp(g, "district") ? "District (all)" : an_group_name(g));
            fputs("</b>: ", f);
        }
        esc(f, an_table_get(v, i, cr));
        last = g;
    }
    if (last) fputs(".</li>\n</ul>\n", f);
}

/* "The waiting target is met in 2 of 10 municipalities, ..." */
static void in_brief(FILE *f, const an_table *v, size_t p)
{
    long cg = an_table_col(v, "group"), ct = an_table_col(v, "target");
    long cv = an_table_col(v, "verdict");
    size_t n = 0, k[3] = { 0 };
    static const char *const words[3] = { "adequate", "inadequate", "uncertain" };
    for (size_t i = 0; i < v->n_rows; i++) {
        if (!same_pair(v, i, &p) || strncmp(an_table_get(v, i, cg), "municipality:", 13) ||
            strcmp(an_table_get(v, i, ct), "wait"))
            continue;
        n++;
        for (int w = 0; w < 3; w++) k[w] += !strcmp(an_table_get(v, i, cv), words[w]);
    }
    if (n == 0) return;
    fprintf(f, "<p class=\"brief\">The waiting target is <b>met in %zu</b> of %zu "
               "municipalities, <b>missed in %zu</b>, and undecided in %zu.</p>\n",
            k[0], n, k[1], k[2]);
}

static void verdict_table(FILE *f, const an_report *r, size_t p)
{
    const an_table *v = r->verdict;
    size_t *gs, *ts;
    size_t ng = firsts(v, an_table_col(v, "group"), -1, -1, &gs, same_pair, &p);
    size_t nt = firsts(v, an_table_col(v, "target"), -1, -1, &ts, same_pair, &p);
    fputs("<h3>", f);
    esc(f, an_table_get(v, p, an_table_col(v, "scenario")));
    fputs(", variant ", f);
    esc(f, an_table_get(v, p, an_table_col(v, "variant")));
    fputs("</h3>\n", f);
    in_brief(f, v, p);
    fputs("<div class=\"wide\"><table class=\"verdict-table\">\n<tr><th>Group</th>", f);
    for (size_t t = 0; t < nt; t++)
        target_head(f, r, an_table_get(v, ts[t], an_table_col(v, "target")),
                    an_table_num(v, ts[t], an_table_col(v, "threshold")));
    fputs("</tr>\n", f);
    for (size_t g = 0; g < ng; g++) {
        const char *grp = an_table_get(v, gs[g], an_table_col(v, "group"));
        fprintf(f, "<tr class=\"%s\"><th>%s", group_class(grp),
                !strcmp(group_class(grp), "post") ? "Post: " : "");
        esc(f, !strcmp(grp, "district") ? "District (all)" : an_group_name(grp));
        fputs("</th>", f);
        for (size_t t = 0; t < nt; t++) {
            long i = find_cell(v, p, gs[g], ts[t]);
            if (i < 0) fputs("<td></td>", f);
            else verdict_cell(f, v, (size_t)i, an_table_get(v, ts[t], an_table_col(v, "target")));
        }
        fputs("</tr>\n", f);
    }
    fputs("</table></div>\n", f);
    reasons(f, v, p);
    free(gs);
    free(ts);
}

static void verdicts(FILE *f, const an_report *r)
{
    if (!r->verdict) return;
    fputs("<section id=\"verdicts\">\n<h2>Verdicts</h2>\n", f);
    const an_table *v = r->verdict;
    size_t *ps;
    size_t np = firsts(v, an_table_col(v, "scenario"), an_table_col(v, "variant"), -1,
                       &ps, NULL, NULL);
    for (size_t i = 0; i < np; i++) verdict_table(f, r, ps[i]);
    free(ps);
    fputs("</section>\n", f);
}

/* ------------------------------------------------------------------ */
/* Recommendation, plots, manifest                                      */
/* ------------------------------------------------------------------ */

static int is_verdict(const char *s)
{
    return !strcmp(s, "adequate") || !strcmp(s, "inadequate") || !strcmp(s, "uncertain");
}

/* Any CSV table as an HTML table; verdict words coloured. */
static void any_table(FILE *f, const an_table *t)
{
    fputs("<div class=\"wide\"><table>\n<tr>", f);
    for (size_t c = 0; c < t->n_cols; c++) {
        fputs("<th>", f);
        esc(f, t->head[c]);
        fputs("</th>", f);
    }
    fputs("</tr>\n", f);
    for (size_t i = 0; i < t->n_rows; i++) {
        fputs("<tr>", f);
        for (size_t c = 0; c < t->n_cols; c++) {
            const char *x = an_table_get(t, i, (long)c);
            if (!isnan(an_table_num(t, i, (long)c))) fputs("<td class=\"num\">", f);
            else if (is_verdict(x)) fprintf(f, "<td class=\"%s\">", x);
            else fputs("<td>", f);
            esc(f, x);
            fputs("</td>", f);
        }
        fputs("</tr>\n", f);
    }
    fputs("</table></div>\n", f);
}

static void plots(FILE *f, const an_report *r)
{
    fputs("<section id=\"plots\">\n<h2>Plots</h2>\n", f);
    if (r->n_plots == 0) fputs("<p>No plots were drawn (see the note above).</p>\n", f);
    for (size_t i = 0; i < r->n_plots; i++) {
        const an_report_plot *p = &r->plots[i];
        const char *svg = strstr(p->svg, "<svg");
        fputs("<figure id=\"plot-", f);
        esc(f, p->name);
        fputs("\">\n<h3>", f);
        esc(f, p->title);
        fprintf(f, "</h3>\n%s\n<figcaption>", svg ? svg : "");
        esc(f, p->caption);
        fputs(" Also as plots/", f);
        esc(f, p->name);
        fputs(".svg and .png.</figcaption>\n</figure>\n", f);
    }
    fputs("</section>\n", f);
}

int an_report_html(FILE *f, const an_report *r)
{
    head(f, r);
    header(f, r);
    assumptions(f, r);
    verdicts(f, r);
    an_report_comparison_html(f, r);
    if (r->recommendation) {
        fputs("<section id=\"recommendation\">\n<h2>Recommendation</h2>\n", f);
        any_table(f, r->recommendation);
        fputs("</section>\n", f);
    }
    plots(f, r);
    if (r->manifest) {
        fputs("<section id=\"manifest\">\n<h2>Run manifest</h2>\n<pre>", f);
        esc(f, r->manifest);
        fputs("</pre>\n</section>\n", f);
    }
    fputs("<footer class=\"small\"><p>Written by kimsim report from the CSV files of "
          "this folder; see docs/csv.md for every column.</p></footer>\n</body>\n</html>\n", f);
    if (fflush(f) != 0) return -1;
    return ferror(f) ? -1 : 0;
}
