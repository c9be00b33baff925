/*
 * sentences.c — the comparison of variants on the report page: for each
 * variant, one sentence per municipality (and post) that changed, from
 * comparison.csv, and one line naming those that did not change at all.
 *
 * Invariant: comparison.csv keeps a variant's rows together and, within
 * them, a group's metrics together (analysis/compare.c writes variant by
 * variant, group by group), so every lookup scans only the rows that
 * follow the first row of its variant or group.  Every text from the file
 * goes through an_html_escape.
 *
 * "Clear" is the paired 95 % CI excluding zero (Law 2015, "Simulation
 * Modeling and Analysis", 5th ed., §10.2.1), as in comparison.csv.
 */
#include "an.h"

#include <math.h>
#include <string.h>

#define MINUS "\xe2\x88\x92"           /* U+2212 */
#define EN_DASH "\xe2\x80\x93"         /* U+2013 */

static void esc(FILE *f, const char *s) { an_html_escape(f, s); }

/* A number with a real minus sign and, when `sign`, a plus. */
static void num(FILE *f, double x, int decimals, int sign)
{
    if (isnan(x)) { fputs(EN_DASH, f); return; }
    if (x < 0.0) fputs(MINUS, f);
    else if (sign && x > 0.0) putc('+', f);
    fprintf(f, "%.*f", decimals, fabs(x));
}

/* The metrics the sentences quote; the first is r->wait_metric. */
static const struct {
    const char *metric, *label, *unit;
    double scale;
    int decimals;
} key_metrics[] = {
    { NULL, "wait", " days", 1.0, 1 },
    { "wait_mean", "mean wait", " days", 1.0, 1 },
    { "within_target_share", "started within target", " percentage points", 100.0, 1 },
    { "reneged_share", "gave up waiting", " percentage points", 100.0, 1 },
    { "utilization", "utilization", " percentage points", 100.0, 1 },
    { "cost_eur", "cost", " EUR per year", 1.0, 0 },
};
#define N_KEY (sizeof key_metrics / sizeof *key_metrics)

static const char *key_metric(const an_report *r, size_t k)
{
    return key_metrics[k].metric ? key_metrics[k].metric : r->wait_metric;
}

/* The n of comparison row i: replications of its variant with a value of
 * its group and metric (summary.csv); -1 when summary.csv has no row. */
static double pair_n(const an_report *r, size_t i)
{
    const an_table *c = r->comparison, *s = r->summary;
    static const char *const key[] = { "scenario", "variant", "group", "metric" };
    for (size_t row = 0; s && row < s->n_rows; row++) {
        size_t k = 0;
        while (k < 4 && !strcmp(an_table_get(s, row, an_table_col(s, key[k])),
                                an_table_get(c, i, an_table_col(c, key[k]))))
            k++;
        if (k == 4) return an_table_num(s, row, an_table_col(s, "n"));
    }
    return -1.0;
}

static void phrase(FILE *f, const an_report *r, size_t i, size_t k)
{
    const an_table *c = r->comparison;
    double s = key_metrics[k].scale;
    int d = key_metrics[k].decimals;
    double lo = an_table_num(c, i, an_table_col(c, "diff_ci_low"));
    double hi = an_table_num(c, i, an_table_col(c, "diff_ci_high"));
    if (k == 0) fprintf(f, "%s ", r->wait_label);
    fprintf(f, "%s ", key_metrics[k].label);
    num(f, s * an_table_num(c, i, an_table_col(c, "diff_mean")), d, 1);
    fputs(key_metrics[k].unit, f);
    double n = pair_n(r, i);
    if (n >= 0.0 && n < 2.0) {          /* one replication: a CI of zero width */
        fputs(" (one replication: no confidence interval)", f);
        return;
    }
    fputs(" (95 % CI ", f);
    num(f, s * lo, d, 1);
    fputs(" to ", f);
    num(f, s * hi, d, 1);
    fputs(lo > 0.0 ? ", clearly higher)" : hi < 0.0 ? ", clearly lower)" : ", no clear difference)", f);
}

/* Do rows i and j agree on the first n of (scenario, baseline, variant,
 * group)? */
static int same_key(const an_table *c, size_t i, size_t j, size_t n)
{
    static const char *const cols[] = { "scenario", "baseline", "variant", "group" };
    for (size_t k = 0; k < n; k++)
        if (strcmp(an_table_get(c, i, an_table_col(c, cols[k])),
                   an_table_get(c, j, an_table_col(c, cols[k]))))
            return 0;
    return 1;
}

/* Row of key metric k among the rows of g's key that follow g
 * (comparison.csv keeps a group's metrics together), or -1. */
static long key_row(const an_report *r, size_t g, size_t k)
{
    const an_table *c = r->comparison;
    for (size_t i = g; i < c->n_rows && same_key(c, i, g, 4); i++)
        if (!strcmp(an_table_get(c, i, an_table_col(c, "metric")), key_metric(r, k)))
            return (long)i;
    return -1;
}

/* Is every key difference of g's group exactly zero (no change at all)? */
static int unchanged(const an_report *r, size_t g)
{
    const an_table *c = r->comparison;
    static const char *const cols[] = { "diff_mean", "diff_ci_low", "diff_ci_high" };
    for (size_t k = 0; k < N_KEY; k++) {
        long i = key_row(r, g, k);
        for (size_t j = 0; i >= 0 && j < 3; j++)
            if (an_table_num(c, (size_t)i, an_table_col(c, cols[j])) != 0.0) return 0;
    }
    return 1;
}

/* One sentence for the group of row g. */
static void group_sentence(FILE *f, const an_report *r, size_t g)
{
    const char *grp = an_table_get(r->comparison, g, an_table_col(r->comparison, "group"));
    int any = 0;
    for (size_t k = 0; k < N_KEY; k++) {
        long i = key_row(r, g, k);
        if (i < 0) continue;
        if (!any) {
            fputs("<li><b>", f);
            esc(f, !strcmp(grp, "district") ? "District (all)" : an_group_name(grp));
            fputs("</b>: ", f);
        }
        fputs(any ? "; " : "", f);
        any = 1;
        phrase(f, r, (size_t)i, k);
    }
    if (any) fputs(".</li>\n", f);
}

/* The sentences of the variant of row v: changed groups one by one, the
 * unchanged ones in one line. */
static void variant_sentences(FILE *f, const an_report *r, size_t v)
{
    const an_table *c = r->comparison;
    int same = 0;
    for (int pass = 0; pass < 2; pass++)
        for (size_t i = 0; i < c->n_rows; i++) {
            if (!same_key(c, i, v, 3) || (i > 0 && same_key(c, i, i - 1, 4))) continue;
            const char *grp = an_table_get(c, i, an_table_col(c, "group"));
            if (!strncmp(grp, "carrier:", 8) || !strncmp(grp, "case_type:", 10)) continue;
            if (pass == 0 && !unchanged(r, i)) group_sentence(f, r, i);
            if (pass == 1 && unchanged(r, i)) {
                fputs(same++ ? ", " : "<li>No difference at all in ", f);
                esc(f, !strcmp(grp, "district") ? "the district" : an_group_name(grp));
            }
        }
    if (same) fputs(" (the same in every replication).</li>\n", f);
}

void an_report_comparison_html(FILE *f, const an_report *r)
{
    const an_table *c = r->comparison;
    if (!c) return;
    fputs("<section id=\"comparison\">\n<h2>Variants against the baseline</h2>\n"
          "<p class=\"small\">Differences are variant minus baseline, paired over the same "
          "replications (common random numbers); a difference is clear when its 95 % "
          "confidence interval excludes zero.  Every metric is in comparison.csv.</p>\n", f);
    for (size_t v = 0; v < c->n_rows; v++) {
        if (v > 0 && same_key(c, v, v - 1, 3)) continue;     /* not a variant's first row */
        fputs("<h3>", f);
        esc(f, an_table_get(c, v, an_table_col(c, "variant")));
        fputs(" against ", f);
        esc(f, an_table_get(c, v, an_table_col(c, "baseline")));
        fputs("</h3>\n<ul>\n", f);
        variant_sentences(f, r, v);
        fputs("</ul>\n", f);
    }
    fputs("</section>\n", f);
}

