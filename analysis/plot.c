/*
 * plot.c — gnuplot scripts and their data files for kimsim report.
 *
 * Invariant: a script names only the files of its an_plot_files and draws
 * each plot twice, SVG then PNG, from the same commands (replot); every
 * text that comes from a CSV file reaches gnuplot as a single-quoted
 * string literal (where only '' is special) with line breaks turned into
 * spaces, and the terminals are `noenhanced`, so no name can inject a
 * command or markup.  Data files hold numbers only ("NaN" for a missing
 * value, declared as such).
 *
 * Text is UTF-8 (`set encoding utf8`) in DejaVu Sans, which has the
 * umlauts of Hückelhoven and Bönen.  PNG uses pngcairo; gnuplot builds
 * without cairo fall back to libgd's png terminal.
 */
#include "an.h"
#include "../sim/sim.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

static const char *const palette[] = {
    "#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd",
    "#8c564b", "#e377c2", "#7f7f7f", "#bcbd22", "#17becf"
};
#define N_PALETTE (sizeof palette / sizeof *palette)
#define TARGET_STYLE "dt 2 lw 2 lc rgb '#b2182b'"

/* ------------------------------------------------------------------ */
/* Script pieces                                                        */
/* ------------------------------------------------------------------ */

/* A gnuplot single-quoted string literal. */
static void gp_str(FILE *gp, const char *s)
{
    putc('\'', gp);
    for (; *s; s++) {
        if (*s == '\'') fputs("''", gp);
        else if ((unsigned char)*s < 0x20) putc(' ', gp);
        else putc(*s, gp);
    }
    putc('\'', gp);
}

static void dat_num(FILE *dat, double x)
{
    if (isnan(x) || isinf(x)) fputs(" NaN", dat);
    else fprintf(dat, " %.10g", x);
}

/* A script's plot commands, collected once and written for each
 * terminal (replot cannot repeat a multiplot). */
typedef struct body {
    FILE *f;
    char *buf;
    size_t len;
} body;

/* Opens the body and writes the common settings and the title. */
static FILE *body_open(body *b, const char *title)
{
    b->buf = NULL;
    b->f = open_memstream(&b->buf, &b->len);
    if (!b->f) {
        perror("kimsim: open_memstream");
        abort();
    }
    fputs("set datafile missing 'NaN'\nset pointintervalbox 0.0001\nset title ", b->f);
    gp_str(b->f, title);
    fputs("\nset border 3\nset tics nomirror\nset grid ytics lc rgb '#dddddd'\n"
          "set key outside bottom center horizontal noautotitle width 2\n", b->f);
    return b->f;
}

/* The script: the body drawn as SVG (900 x height), then as PNG (a third
 * larger, pngcairo or else png).  Returns 1, or -1 when a write failed. */
static int emit(FILE *gp, FILE *dat, const an_plot_files *pf, body *b, int height)
{
    int bad = fclose(b->f) != 0;
    fprintf(gp, "set encoding utf8\nset terminal svg size 900,%d dynamic "
                "font 'DejaVu Sans,12' noenhanced background '#ffffff'\nset output ", height);
    gp_str(gp, pf->svg);
    fprintf(gp, "\n%s\nif (strstrt(GPVAL_TERMINALS, 'pngcairo') > 0) {\n"
                "  set terminal pngcairo size 1200,%d font 'DejaVu Sans,12' noenhanced "
                "background '#ffffff'\n} else {\n"
                "  set terminal png size 1200,%d font 'DejaVuSans,11' noenhanced "
                "background '#ffffff'\n}\nset output ", b->buf, height * 4 / 3, height * 4 / 3);
    gp_str(gp, pf->png);
    fprintf(gp, "\n%s\nset output\n", b->buf);
    free(b->buf);
    if (bad || fflush(gp) || fflush(dat) || ferror(gp) || ferror(dat)) return -1;
    return 1;
}

/* "municipality:Erkelenz" -> "Erkelenz"; "district" -> "district (all)". */
static void label_of(const char *group, char *buf, size_t n)
{
    const char *c = strchr(group, ':');
    snprintf(buf, n, "%s", c ? c + 1 : !strcmp(group, "district") ? "district (all)" : group);
}

/* Category axis 0..n-1 labelled by the names (group labels when
 * `groups`, shown without their kind). */
static void xtics(FILE *gp, const char *const *names, size_t n, int groups)
{
    size_t longest = 0;
    fputs("set xtics (", gp);
    for (size_t i = 0; i < n; i++) {
        char name[256];
        if (groups) label_of(names[i], name, sizeof name);
        else snprintf(name, sizeof name, "%s", names[i]);
        if (strlen(name) > longest) longest = strlen(name);
        fputs(i ? ", " : "", gp);
        gp_str(gp, name);
        fprintf(gp, " %zu", i);
    }
    fprintf(gp, ")\nset xrange [-0.6:%g]\n", (double)n - 0.4);
    if (n * longest > 80) fputs("set xtics rotate by 30 right\n", gp);
}

/* ------------------------------------------------------------------ */
/* summary.csv lookups                                                  */
/* ------------------------------------------------------------------ */

static int wanted_group(const char *g)
{
    return !strcmp(g, "district") || !strncmp(g, "municipality:", 13);
}

/* District and municipality groups of r's variant in summary.csv order.
 * Returns the count; *out (malloc'd) borrows the table's strings. */
static size_t report_groups(const an_report *r, const char ***out)
{
    const an_table *s = r->summary;
    long cs = an_table_col(s, "scenario"), cv = an_table_col(s, "variant");
    long cg = an_table_col(s, "group");
    size_t n = 0;
    *out = sim_xmalloc((s->n_rows + 1) * sizeof **out);
    for (size_t i = 0; i < s->n_rows; i++) {
        const char *g = an_table_get(s, i, cg);
        if (strcmp(an_table_get(s, i, cs), r->scenario) ||
            strcmp(an_table_get(s, i, cv), r->variant) || !wanted_group(g))
            continue;
        if (n == 0 || strcmp((*out)[n - 1], g)) (*out)[n++] = g;
    }
    return n;
}

/* The summary row of (r's variant, group, metric), or -1. */
static long srow(const an_report *r, const char *group, const char *metric)
{
    const an_table *s = r->summary;
    long cs = an_table_col(s, "scenario"), cv = an_table_col(s, "variant");
    long cg = an_table_col(s, "group"), cm = an_table_col(s, "metric");
    for (size_t i = 0; i < s->n_rows; i++)
        if (!strcmp(an_table_get(s, i, cg), group) && !strcmp(an_table_get(s, i, cm), metric) &&
            !strcmp(an_table_get(s, i, cs), r->scenario) &&
            !strcmp(an_table_get(s, i, cv), r->variant))
            return (long)i;
    return -1;
}

static double sval(const an_report *r, const char *group, const char *metric,
                   const char *col)
{
    long i = srow(r, group, metric);
    return i < 0 ? NAN : an_table_num(r->summary, (size_t)i, an_table_col(r->summary, col));
}

static void target_line(FILE *f, const an_report *r)
{
    if (isnan(r->wait_days)) return;
    fprintf(f, ", %.10g with lines " TARGET_STYLE " title 'target: %g days'",
            r->wait_days, r->wait_days);
}

/* ------------------------------------------------------------------ */
/* (b) wait distribution, (c) verdict chart                             */
/* ------------------------------------------------------------------ */

int an_plot_waits(FILE *gp, FILE *dat, const an_plot_files *pf, const an_report *r)
{
    const char **gs;
    size_t n = report_groups(r, &gs);
    if (n == 0) { free(gs); return 0; }
    for (size_t i = 0; i < n; i++) {
        fprintf(dat, "%zu", i);
        dat_num(dat, sval(r, gs[i], "wait_mean", "mean"));
        dat_num(dat, sval(r, gs[i], "wait_p50", "mean"));
        dat_num(dat, sval(r, gs[i], "wait_p90", "mean"));
        dat_num(dat, sval(r, gs[i], "wait_p95", "mean"));
        putc('\n', dat);
    }
    body b;
    FILE *f = body_open(&b, "Waits per municipality: median, p90 and p95 (mean over replications)");
    xtics(f, gs, n, 1);
    free(gs);
    fputs("set ylabel 'wait (days)'\nset yrange [0:*]\nplot ", f);
    gp_str(f, pf->dat);
    fputs(" using 1:4:3:5 with yerrorbars pt 9 ps 1.6 lw 2 lc rgb '#d95f02' "
          "title 'p90 (bar from median to p95)', '' using 1:3 with points pt 7 ps 1.1 "
          "lc rgb '#1b9e77' title 'median', '' using 1:2 with points pt 13 ps 1.3 "
          "lc rgb '#333333' title 'mean'", f);
    target_line(f, r);
    fputs("\n", f);
    return emit(gp, dat, pf, &b, 480);
}

/* The wait verdict of a group in verdict.csv ("" when none). */
static const char *wait_verdict(const an_report *r, const char *group)
{
    const an_table *v = r->verdict;
    if (!v) return "";
    long cs = an_table_col(v, "scenario"), cv = an_table_col(v, "variant");
    long cg = an_table_col(v, "group"), ct = an_table_col(v, "target");
    for (size_t i = 0; i < v->n_rows; i++)
        if (!strcmp(an_table_get(v, i, cg), group) && !strcmp(an_table_get(v, i, ct), "wait") &&
            !strcmp(an_table_get(v, i, cs), r->scenario) &&
            !strcmp(an_table_get(v, i, cv), r->variant))
            return an_table_get(v, i, an_table_col(v, "verdict"));
    return "";
}

static const struct { const char *verdict; unsigned rgb; } verdict_rgb[] = {
    { "adequate", 0x1a9850 }, { "uncertain", 0xf0a30a }, { "inadequate", 0xd73027 }
};

static unsigned colour_of(const char *verdict)
{
    for (size_t k = 0; k < 3; k++)
        if (!strcmp(verdict, verdict_rgb[k].verdict)) return verdict_rgb[k].rgb;
    return 0x999999;
}

int an_plot_verdict(FILE *gp, FILE *dat, const an_plot_files *pf, const an_report *r)
{
    const char **gs;
    size_t n = report_groups(r, &gs);
    if (n == 0 || srow(r, gs[0], r->wait_metric) < 0) { free(gs); return 0; }
    for (size_t i = 0; i < n; i++) {
        fprintf(dat, "%zu", i);
        dat_num(dat, sval(r, gs[i], r->wait_metric, "mean"));
        dat_num(dat, sval(r, gs[i], r->wait_metric, "ci_low"));
        dat_num(dat, sval(r, gs[i], r->wait_metric, "ci_high"));
        fprintf(dat, " %u\n", colour_of(wait_verdict(r, gs[i])));
    }
    char title[128];
    snprintf(title, sizeof title, "%s wait per municipality with 95 %% CI, coloured by "
             "the wait verdict", r->wait_label);
    body b;
    FILE *f = body_open(&b, title);
    xtics(f, gs, n, 1);
    free(gs);
    fprintf(f, "set ylabel '%s wait (days)'\nset yrange [0:*]\nset boxwidth 0.6\n"
                "set style fill solid 0.85 border lc rgb '#444444'\nplot ", r->wait_label);
    gp_str(f, pf->dat);
    fputs(" using 1:2:(0.6):5 with boxes lc rgb variable notitle, '' using 1:2:3:4 "
          "with yerrorbars pt 7 ps 0.5 lw 1.5 lc rgb '#222222' title '95 % CI'", f);
    target_line(f, r);
    for (size_t k = 0; k < 3; k++)
        fprintf(f, ", keyentry with boxes lc rgb '#%06x' title '%s'", verdict_rgb[k].rgb,
                verdict_rgb[k].verdict);
    fputs("\n", f);
    return emit(gp, dat, pf, &b, 480);
}

/* ------------------------------------------------------------------ */
/* (d) variants against the baseline, (e) recommended FTE               */
/* ------------------------------------------------------------------ */

/* Distinct strings of column c over rows that pass `metric` (NULL: all)
 * and wanted_group, in order. */
static size_t distinct(const an_table *t, long c, const char *metric, const char ***out)
{
    long cm = an_table_col(t, "metric"), cg = an_table_col(t, "group");
    size_t n = 0;
    *out = sim_xmalloc((t->n_rows + 1) * sizeof **out);
    for (size_t i = 0; i < t->n_rows; i++) {
        if (metric && (strcmp(an_table_get(t, i, cm), metric) ||
                       !wanted_group(an_table_get(t, i, cg))))
            continue;
        const char *s = an_table_get(t, i, c);
        size_t k = 0;
        while (k < n && strcmp((*out)[k], s)) k++;
        if (k == n) (*out)[n++] = s;
    }
    return n;
}

/* Rows of comparison.csv for metric m: one data block per variant. */
static void comparison_data(FILE *dat, const an_table *c, const char *m,
                            const char *const *vs, size_t nv, const char *const *gs, size_t ng)
{
    long cv = an_table_col(c, "variant"), cg = an_table_col(c, "group");
    long cm = an_table_col(c, "metric");
    for (size_t v = 0; v < nv; v++) {
        for (size_t g = 0; g < ng; g++)
            for (size_t i = 0; i < c->n_rows; i++) {
                if (strcmp(an_table_get(c, i, cv), vs[v]) || strcmp(an_table_get(c, i, cg), gs[g]) ||
                    strcmp(an_table_get(c, i, cm), m))
                    continue;
                dat_num(dat, (double)g + ((double)v - (nv - 1) / 2.0) * 0.7 / (double)nv);
                dat_num(dat, an_table_num(c, i, an_table_col(c, "diff_mean")));
                dat_num(dat, an_table_num(c, i, an_table_col(c, "diff_ci_low")));
                dat_num(dat, an_table_num(c, i, an_table_col(c, "diff_ci_high")));
                putc('\n', dat);
                break;
            }
        fputs("\n\n", dat);
    }
}

int an_plot_comparison(FILE *gp, FILE *dat, const an_plot_files *pf, const an_report *r)
{
    const an_table *c = r->comparison;
    if (!c) return 0;
    const char *m = r->wait_metric, **vs, **gs;
    size_t ng = distinct(c, an_table_col(c, "group"), m, &gs);
    if (ng == 0) { free(gs); m = "wait_p90"; ng = distinct(c, an_table_col(c, "group"), m, &gs); }
    size_t nv = distinct(c, an_table_col(c, "variant"), m, &vs);
    if (ng == 0 || nv == 0) { free(gs); free(vs); return 0; }
    comparison_data(dat, c, m, vs, nv, gs, ng);
    body b;
    FILE *f = body_open(&b, "Each variant against the baseline: difference of the wait (95 % CI)");
    xtics(f, gs, ng, 1);
    fprintf(f, "set ylabel 'difference in %s wait (days), variant - baseline'\n"
                "set xzeroaxis lt -1\nplot ", !strcmp(m, "wait_p90") ? "p90" : r->wait_label);
    for (size_t v = 0; v < nv; v++) {
        fputs(v ? ", " : "", f);
        gp_str(f, pf->dat);
        fprintf(f, " index %zu using 1:2:3:4 with yerrorbars pt 7 ps 1.2 lw 1.5 "
                    "lc rgb '%s' title ", v, palette[v % N_PALETTE]);
        gp_str(f, vs[v]);
    }
    fputs("\n", f);
    free(gs);
    free(vs);
    return emit(gp, dat, pf, &b, 480);
}

/* recommendation.csv's recommended FTE of (post, method) (method NULL:
 * the post's first row), or NaN. */
static double rec_fte(const an_table *t, const char *post, const char *method, const char *col)
{
    long cp = an_table_col(t, "post"), cm = an_table_col(t, "method");
    for (size_t i = 0; i < t->n_rows; i++)
        if (!strcmp(an_table_get(t, i, cp), post) &&
            (!method || !strcmp(an_table_get(t, i, cm), method)))
            return an_table_num(t, i, an_table_col(t, col));
    return NAN;
}

/* Bars per post: the current FTE, then one per method of recommend
 * (column `method` when present: current, smallest-adequate, formula...). */
int an_plot_recommendation(FILE *gp, FILE *dat, const an_plot_files *pf,
                           const an_report *r)
{
    const an_table *t = r->recommendation;
    if (!t || an_table_col(t, "post") < 0 || an_table_col(t, "recommended_fte") < 0 ||
        t->n_rows == 0)
        return 0;
    const char **posts, **ms;
    size_t np = distinct(t, an_table_col(t, "post"), NULL, &posts);
    size_t nm = distinct(t, an_table_col(t, "method"), NULL, &ms);   /* 1 when none */
    for (size_t k = 0; k < nm; k++)         /* the "current" method is the grey bar */
        if (!strcmp(ms[k], "current") && nm > 1) memmove(&ms[k], &ms[k + 1], (--nm - k) * sizeof *ms);
    for (size_t i = 0; i < np; i++) {
        fprintf(dat, "%zu", i);
        dat_num(dat, rec_fte(t, posts[i], NULL, "current_fte"));
        for (size_t k = 0; k < nm; k++)
            dat_num(dat, rec_fte(t, posts[i], *ms[k] ? ms[k] : NULL, "recommended_fte"));
        putc('\n', dat);
    }
    body b;
    FILE *f = body_open(&b, "FTE per post: current and recommended");
    xtics(f, posts, np, 0);
    double w = 0.8 / (double)(nm + 1);
    fprintf(f, "set ylabel 'FTE (full-time equivalents)'\nset yrange [0:*]\n"
               "set boxwidth %g\nset style fill solid 0.8 border lc rgb '#444444'\nplot ", w);
    gp_str(f, pf->dat);
    fprintf(f, " using ($1-%g):2 with boxes lc rgb '#bdbdbd' title 'current'", w * nm / 2.0);
    for (size_t k = 0; k < nm; k++) {
        fprintf(f, ", '' using ($1+%g):%zu with boxes lc rgb '%s' title ",
                w * ((double)k + 1.0 - nm / 2.0), k + 3, palette[k % N_PALETTE]);
        gp_str(f, *ms[k] ? ms[k] : "recommended");
    }
    fputs("\n", f);
    free(posts);
    free(ms);
    return emit(gp, dat, pf, &b, 480);
}

/* ------------------------------------------------------------------ */
/* (a) waiting list over time, streamed from timeseries.csv             */
/* ------------------------------------------------------------------ */

/* One group's waiting list per sampled day, over the replications. */
typedef struct series {
    char *group;
    size_t n, cap;
    double *day, *sum, *min, *max;
    long *count;
} series;

typedef struct ts_acc {
    series *s;
    size_t n;
    long reps;                  /* largest replication number seen */
} ts_acc;

/* The index of `day` in s (sorted), inserted when new. */
static size_t day_slot(series *s, double day)
{
    size_t lo = 0, hi = s->n;
    while (lo < hi) {
        size_t mid = (lo + hi) / 2;
        if (s->day[mid] < day) lo = mid + 1;
        else hi = mid;
    }
    if (lo < s->n && s->day[lo] == day) return lo;
    if (s->n == s->cap) {
        s->cap = s->cap ? 2 * s->cap : 64;
        s->day = sim_xrealloc(s->day, s->cap * sizeof *s->day);
        s->sum = sim_xrealloc(s->sum, s->cap * sizeof *s->sum);
        s->min = sim_xrealloc(s->min, s->cap * sizeof *s->min);
        s->max = sim_xrealloc(s->max, s->cap * sizeof *s->max);
        s->count = sim_xrealloc(s->count, s->cap * sizeof *s->count);
    }
    size_t k = s->n - lo;
    memmove(s->day + lo + 1, s->day + lo, k * sizeof *s->day);
    memmove(s->sum + lo + 1, s->sum + lo, k * sizeof *s->sum);
    memmove(s->min + lo + 1, s->min + lo, k * sizeof *s->min);
    memmove(s->max + lo + 1, s->max + lo, k * sizeof *s->max);
    memmove(s->count + lo + 1, s->count + lo, k * sizeof *s->count);
    s->day[lo] = day;
    s->sum[lo] = 0.0;
    s->min[lo] = INFINITY;
    s->max[lo] = -INFINITY;
    s->count[lo] = 0;
    s->n++;
    return lo;
}

static void add_sample(ts_acc *a, const char *group, double day, double waiting)
{
    size_t g = 0;
    while (g < a->n && strcmp(a->s[g].group, group)) g++;
    if (g == a->n) {
        a->s = sim_xrealloc(a->s, (a->n + 1) * sizeof *a->s);
        memset(&a->s[g], 0, sizeof *a->s);
        a->s[g].group = sim_xstrdup(group);
        a->n++;
    }
    series *s = &a->s[g];
    size_t k = day_slot(s, day);
    s->sum[k] += waiting;
    s->count[k]++;
    if (waiting < s->min[k]) s->min[k] = waiting;
    if (waiting > s->max[k]) s->max[k] = waiting;
}

static void acc_free(ts_acc *a)
{
    for (size_t g = 0; g < a->n; g++) {
        series *s = &a->s[g];
        free(s->group); free(s->day); free(s->sum);
        free(s->min); free(s->max); free(s->count);
    }
    free(a->s);
}

/* Reads the municipality rows of r's variant.  0, or -1 with err. */
static int read_series(an_csv_reader *ts, const an_report *r, ts_acc *a,
                       char *err, size_t n_err)
{
    const char *const *f;
    long n = an_csv_next(ts, &f), col[6];
    static const char *const names[6] = { "scenario", "variant", "replication", "day",
                                          "group", "waiting" };
    for (int k = 0; k < 6; k++) {
        col[k] = -1;
        for (long i = 0; i < n; i++)
            if (!strcmp(f[i], names[k])) col[k] = i;
        if (col[k] < 0) {
            snprintf(err, n_err, "%s", n < 0 ? an_csv_error(ts) : "no header with the columns "
                     "scenario,variant,replication,day,group,waiting");
            return -1;
        }
    }
    while ((n = an_csv_next(ts, &f)) > 0) {
        if (n <= col[5] || n <= col[4] || n <= col[3] || n <= col[2] ||
            strncmp(f[col[4]], "municipality:", 13) ||
            strcmp(f[col[0]], r->scenario) || strcmp(f[col[1]], r->variant))
            continue;
        long rep = atol(f[col[2]]);
        if (rep > a->reps) a->reps = rep;
        add_sample(a, f[col[4]], atof(f[col[3]]), atof(f[col[5]]));
    }
    if (n < 0) snprintf(err, n_err, "%s", an_csv_error(ts));
    return n < 0 ? -1 : 0;
}

/* Small multiples: one panel per municipality on a common y scale, the
 * mean as a line and the range over replications as a band. */
static int waiting_script(FILE *gp, FILE *dat, const an_plot_files *pf,
                          const an_report *r, const ts_acc *a, double ymax)
{
    char title[160];
    size_t cols = a->n <= 3 ? a->n : a->n <= 4 ? 2 : a->n <= 9 ? 3 : 4;
    size_t rows = (a->n + cols - 1) / cols;
    snprintf(title, sizeof title, "Waiting list per municipality: mean (line) and range "
             "(band) over %ld replications", a->reps);
    body b;
    FILE *f = body_open(&b, "");
    fprintf(f, "unset key\nset autoscale xfix\nset yrange [0:%.10g]\nset xtics font ',9'\nset ytics font ',9'\n",
            ymax > 0.0 ? 1.1 * ymax : 1.0);
    if (r->sc && r->sc->warmup_days > 0.0)
        fprintf(f, "set arrow from %.10g, graph 0 to %.10g, graph 1 nohead dt 3 "
                   "lc rgb '#888888'\n", r->sc->warmup_days, r->sc->warmup_days);
    fprintf(f, "set multiplot layout %zu,%zu title ", rows, cols);
    gp_str(f, title);
    fputs(" font ',13'\n", f);
    for (size_t g = 0; g < a->n; g++) {
        char name[256];
        label_of(a->s[g].group, name, sizeof name);
        const char *c = palette[g % N_PALETTE];
        fputs("set title ", f);
        gp_str(f, name);
        fputs(" font ',11'\nplot ", f);
        gp_str(f, pf->dat);
        fprintf(f, " index %zu using 1:3:4 with filledcurves fc rgb '%s' "
                   "fs transparent solid 0.25 noborder, '' index %zu using 1:2 "
                   "with lines lw 2 lc rgb '%s'\n", g, c, g, c);
    }
    fputs("unset multiplot\n", f);
    return emit(gp, dat, pf, &b, 60 + 190 * (int)rows);
}

int an_plot_waiting(FILE *gp, FILE *dat, const an_plot_files *pf,
                    an_csv_reader *timeseries, const an_report *r,
                    char *err, size_t n_err)
{
    ts_acc a = { 0 };
    double ymax = 0.0;
    int rc = read_series(timeseries, r, &a, err, n_err);
    if (rc == 0 && a.n == 0) rc = 1;          /* nothing to draw */
    for (size_t g = 0; rc == 0 && g < a.n; g++) {
        const series *s = &a.s[g];
        for (size_t k = 0; k < s->n; k++) {
            dat_num(dat, s->day[k]);
            dat_num(dat, s->sum[k] / (double)s->count[k]);
            dat_num(dat, s->min[k]);
            dat_num(dat, s->max[k]);
            putc('\n', dat);
            if (s->max[k] > ymax) ymax = s->max[k];
        }
        fputs("\n\n", dat);
    }
    if (rc == 0) rc = waiting_script(gp, dat, pf, r, &a, ymax);
    else rc = rc == 1 ? 0 : -1;
    acc_free(&a);
    if (rc < 0 && !*err) snprintf(err, n_err, "cannot write the plot's files");
    return rc;
}
