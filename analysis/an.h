/*
 * an.h — statistics across replications, adequacy verdicts, analytic
 * (Erlang) estimates and the CSV / table writers.  Knows nothing of the
 * event loop: its input is the per-replication metric values a run left.
 *
 * Ownership: an_variant owns `values` and `info` (an_variant_fini frees
 * them); it borrows `sc` and `groups`.  Writers take a FILE * and return 0,
 * or -1 when a write failed (errno set); they never open or rename files.
 */
#ifndef KIMSIM_AN_H
#define KIMSIM_AN_H

#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "../models/kim.h"

/* ------------------------------------------------------------------ */
/* Replication results of one variant of one scenario                  */
/* ------------------------------------------------------------------ */
typedef struct an_variant {
    const char *scenario;       /* scenario name (borrowed) */
    const char *variant;        /* "base" or "posts.x.fte=1.5" (borrowed) */
    const kim_scenario *sc;     /* borrowed */
    const kim_groups *groups;   /* borrowed */
    size_t n_reps;
    double *values;             /* n_reps x groups->n x KIM_N_METRICS; owned */
    kim_run_info *info;         /* n_reps; owned */
} an_variant;

/* Allocates values (NaN-filled) and info for n_reps replications. */
void an_variant_init(an_variant *v, const char *scenario, const char *variant,
                     const kim_scenario *sc, const kim_groups *groups,
                     size_t n_reps);
void an_variant_fini(an_variant *v);
/* Pointer to the KIM_N_METRICS values of (rep, group). */
double *an_values(const an_variant *v, size_t rep, size_t group);

/* ------------------------------------------------------------------ */
/* Statistics over replications                                         */
/* ------------------------------------------------------------------ */
typedef struct an_stat {
    size_t n;                   /* replications with a value (NaN skipped) */
    double mean, sd;            /* sd with n-1 */
    double ci_low, ci_high;     /* 95 % Student-t: mean -+ t(0.975,n-1) sd/sqrt n */
    double min, max;
} an_stat;

/* Statistics of x[0], x[stride], ... x[(n-1) stride], NaNs skipped (GSL's
 * gsl_stats_mean/sd and gsl_cdf_tdist_Pinv).  With one value sd is NaN and
 * ci_low = ci_high = the value (written so in summary.csv; not an interval:
 * an_decide calls it uncertain); with none every field but n is NaN. */
void an_stat_of(const double *x, size_t stride, size_t n, an_stat *out);
/* The statistic of metric m of group g across the variant's replications. */
void an_stat_metric(const an_variant *v, size_t g, kim_metric m, an_stat *out);

/* ------------------------------------------------------------------ */
/* Verdicts (DESIGN.md §7): adequate when the whole 95 % CI meets the  */
/* target, inadequate when none of it does, uncertain otherwise.        */
/* ------------------------------------------------------------------ */
typedef enum an_verdict_kind {
    AN_ADEQUATE, AN_INADEQUATE, AN_UNCERTAIN, AN_NOT_APPLICABLE
} an_verdict_kind;

typedef enum an_target {
    AN_T_WAIT,                  /* within_target_share >= wait_quantile */
    AN_T_UTILIZATION,           /* utilization <= max_utilization */
    AN_T_RENEGED,               /* reneged_share <= max_reneged_share */
    AN_T_STABILITY,             /* backlog growth <= 1 case per month */
    AN_N_TARGETS
} an_target;

extern const char *const an_target_names[AN_N_TARGETS];   /* "wait", ... */
extern const char *const an_verdict_names[];               /* "adequate", ... */

typedef struct an_verdict {
    size_t group;
    an_target target;
    double threshold;
    an_stat est;
    an_verdict_kind verdict;
    long reps_to_decide;        /* uncertain: replications likely to decide; else 0 */
                                /* (-1: mean exactly on the threshold) */
    char reason[256];           /* plain-language reason, "" when none */
} an_verdict;

/* Decides one target from its estimate: `upper` says the target is an
 * upper bound (est <= threshold meets it) rather than a lower bound.  An
 * estimate from fewer than two replications has no CI: AN_UNCERTAIN. */
an_verdict_kind an_decide(const an_stat *est, double threshold, int upper);
/* All verdicts of a variant for the district, municipalities and posts, in
 * group order then target order.  Returns the count; *out is malloc'd,
 * the caller frees it.  In a variant with a replication that stopped at
 * the waiting-list limit every target a group has is AN_INADEQUATE, even
 * without an estimate (verdict.c). */
size_t an_verdicts(const an_variant *v, an_verdict **out);
/* Replications of v that stopped at the waiting-list limit
 * (kim_run_info.overloaded); *ran (when not NULL) gets the replications
 * that ran (events > 0, or overloaded; a shard runs only some), or
 * n_reps when no kim_run_info says so. */
size_t an_overloaded_reps(const an_variant *v, size_t *ran);
/* The worst verdict of a group over its targets (inadequate > uncertain >
 * adequate). */
an_verdict_kind an_group_verdict(const an_verdict *vs, size_t n, size_t group);

/* ------------------------------------------------------------------ */
/* Analytic estimates (Erlang)                                          */
/* ------------------------------------------------------------------ */
/* Erlang B blocking probability for c servers and offered load a = lambda/mu
 * by the stable recursion B(0)=1, B(k) = a B(k-1) / (k + a B(k-1))
 * (Kleinrock 1975, vol. 1 §3.4). */
double an_erlang_b(long c, double a);
/* Erlang C probability of waiting, P(W > 0), from Erlang B:
 * C = B / (1 - (a/c)(1 - B)) (Kleinrock 1975, vol. 1 §3.5).  1 when a >= c. */
double an_erlang_c(long c, double a);
/* M/M/c mean wait E[W] = C / (c mu - lambda); INFINITY when unstable. */
double an_mmc_wait_mean(long c, double lambda, double mu);
/* M/M/c wait quantile: P(W > t) = C exp(-(c mu - lambda) t), so
 * w_q = ln(C / (1 - q)) / (c mu - lambda) when C > 1 - q, else 0. */
double an_mmc_wait_quantile(long c, double lambda, double mu, double q);

/* Erlang A (M/M/c+M: exponential patience with rate theta; Palm 1943,
 * Garnett, Mandelbaum & Reiman 2002).  wait_mean is the mean time in queue
 * over all arrivals, served or abandoned (Little: E[Q]/lambda). */
typedef struct an_erlang_a_result {
    double p_wait;              /* P(an arrival waits at all) */
    double wait_mean;           /* days, when lambda, mu, theta are per day */
    double p_abandon;           /* P(an arrival abandons) = theta E[Q] / lambda */
} an_erlang_a_result;

/* Most states an_erlang_a sums before giving up (theta tiny, overload). */
#define AN_ERLANG_A_MAX_STATES 100000000L

/* Fills *out from the birth-death chain's stationary distribution, summed
 * exactly up to a tail below 1e-15.  theta = 0 is M/M/c (Erlang C; wait_mean
 * INFINITY when lambda >= c mu).  Returns 0, or -1 with NaNs in *out when
 * c < 1, lambda < 0, mu <= 0, theta < 0 or the chain needs more than
 * AN_ERLANG_A_MAX_STATES states. */
int an_erlang_a(long c, double lambda, double mu, double theta,
                an_erlang_a_result *out);

/* ------------------------------------------------------------------ */
/* Writers (RFC 4180 CSV, '.' decimal, %.10g numbers, empty for NaN)   */
/* ------------------------------------------------------------------ */
/* Writes x exactly as fprintf(f, "%.10g", x) would, integers faster. */
void an_put_num(FILE *f, double x);
/* Writes one CSV field, quoted when it holds a comma, quote or newline. */
void an_csv_field(FILE *f, const char *s);
/* The same into a buffer, returning the end (num.c): an_fmt_num writes
 * the bytes of "%.10g" (at most 32), an_fmt_long a plain integer (at most
 * 21), an_fmt_field a CSV field (at most 2 strlen(s) + 2). */
char *an_fmt_num(char *p, double x);
/* The bytes of "%.*f" of |x| < 1e9 with d = 0..4 decimals (at most 16). */
char *an_fmt_fixed(char *p, double x, int d);
static inline char *an_fmt_long(char *p, long long x);
char *an_fmt_field(char *p, const char *s);

/* an_fmt_long is inline: the time series writes three per row. */
extern const char an_two_digits[201];   /* "00" .. "99" */
extern const uint64_t an_pow10[20];     /* 10^0 .. 10^19 */

static inline char *an_fmt_long(char *p, long long x)
{
    if ((unsigned long long)x < 1000) {     /* most counts: 0 .. 999 */
        unsigned v = (unsigned)x;
        if (v < 10) {
            *p = (char)('0' + v);
            return p + 1;
        }
        if (v >= 100) {
            *p++ = (char)('0' + v / 100);
            v %= 100;
        }
        memcpy(p, an_two_digits + 2 * v, 2);
        return p + 2;
    }
    unsigned long long u = x < 0 ? 0ull - (unsigned long long)x : (unsigned long long)x;
    if (x < 0) *p++ = '-';
    int n = 1;                          /* digits: most counts are short */
    while (n < 20 && u >= an_pow10[n]) n++;
    char *end = p + n, *b = end;
    while (u >= 100) {                  /* two digits at a time */
        unsigned d = (unsigned)(u % 100);
        u /= 100;
        b -= 2;
        memcpy(b, an_two_digits + 2 * d, 2);
    }
    if (u >= 10) memcpy(b - 2, an_two_digits + 2 * u, 2);
    else b[-1] = (char)('0' + u);
    return end;
}
/* replications.csv rows of replication r (0-based) of v, no header: the
 * rows an_write_replications writes for it. */
int an_write_replication(FILE *f, const an_variant *v, size_t r);
/* The same rows as one malloc'd text of *len bytes. */
char *an_format_replication(const an_variant *v, size_t r, size_t *len);

int an_write_summary(FILE *f, const an_variant *vs, size_t n_vs);
int an_write_replications(FILE *f, const an_variant *vs, size_t n_vs);
int an_write_verdicts(FILE *f, const an_variant *vs, size_t n_vs);
/* The verdict table for people: aligned, at most 100 columns; colour codes
 * only when `colour` is set. */
void an_print_table(FILE *f, const an_variant *v, int colour);

/* ------------------------------------------------------------------ */
/* Report (report.c: CSV reader, HTML page; plot.c: gnuplot scripts)   */
/* ------------------------------------------------------------------ */
/* A streaming RFC 4180 reader (Shafranovich 2005): quoted fields may hold
 * commas, doubled quotes and line breaks; CRLF and LF both end a record;
 * blank lines and a leading UTF-8 byte-order mark are skipped.  Borrows
 * the FILE; an_csv_reader_free(NULL) is a no-op. */
typedef struct an_csv_reader an_csv_reader;
an_csv_reader *an_csv_reader_new(FILE *f);
void an_csv_reader_free(an_csv_reader *r);
/* Reads the next record: returns its number of fields (>= 1) and points
 * *fields at them (valid until the next call), 0 at the end of the file,
 * or -1 on malformed input (an_csv_error says where and what). */
long an_csv_next(an_csv_reader *r, const char *const **fields);
const char *an_csv_error(const an_csv_reader *r);

/* A whole CSV file in memory: a header row, then rows padded with "" to
 * the header's width (extra fields are dropped).  Owns every string. */
typedef struct an_table {
    size_t n_cols, n_rows;      /* n_rows excludes the header */
    char **head;                /* n_cols column names */
    char **cell;                /* n_rows x n_cols, row-major */
} an_table;

/* Reads f into *t.  Returns 0, or -1 with a message in err (the table is
 * then empty) when the file is malformed or has no header. */
int an_table_read(FILE *f, an_table *t, char *err, size_t n_err);
void an_table_fini(an_table *t);
/* Index of the column named `name`, or -1. */
long an_table_col(const an_table *t, const char *name);
/* The cell (row, col); "" when col < 0. */
const char *an_table_get(const an_table *t, size_t row, long col);
/* The cell as a number; NaN when empty or not a number. */
double an_table_num(const an_table *t, size_t row, long col);

/* Writes s with & < > " ' replaced by HTML character references. */
void an_html_escape(FILE *f, const char *s);
/* The name in a group label: "municipality:Erkelenz" -> "Erkelenz";
 * "district" stays.  Points into `label`. */
const char *an_group_name(const char *label);

/* What the report page shows.  Parameters are borrowed; svg strings are
 * owned by the caller too.  summary is required, the rest may be NULL. */
#define AN_REPORT_MAX_PLOTS 8
#define AN_REPORT_MAX_NOTES 8
typedef struct an_report_plot {
    const char *name;           /* file stem in plots/: "waiting" */
    const char *title;
    const char *caption;        /* how to read it */
    const char *svg;            /* the SVG document (prolog is skipped) */
} an_report_plot;

typedef struct an_report {
    /* Parameters */
    const an_table *summary, *verdict, *comparison, *recommendation;
    const char *manifest;       /* manifest.txt's text */
    const kim_scenario *sc;     /* the scenario of `scenario`, when found */
    /* Results of an_report_select */
    const char *scenario, *variant;   /* first of summary.csv */
    double wait_quantile;       /* verdict.csv's wait threshold (default 0.9) */
    double wait_days;           /* sc's target wait; NaN when unknown */
    char wait_metric[32];       /* "wait_p90" or "wait_target_quantile" */
    char wait_label[16];        /* "p90" */
    /* Plots and notes for the page */
    an_report_plot plots[AN_REPORT_MAX_PLOTS];
    size_t n_plots;
    char notes[AN_REPORT_MAX_NOTES][320];
    size_t n_notes;
} an_report;

/* Fills the results part of *r from its parameters. */
void an_report_select(an_report *r);
/* Adds a note (printf format) shown near the top of the page. */
void an_report_note(an_report *r, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
/* The page: one self-contained HTML5 document (plots inlined, no network),
 * readable on a laptop and printable on A4.  0, or -1 when a write failed. */
int an_report_html(FILE *f, const an_report *r);
/* Its section on comparison.csv (sentences.c); nothing when r->comparison
 * is NULL. */
void an_report_comparison_html(FILE *f, const an_report *r);

/* gnuplot (plot.c).  Each an_plot_* writes its data to `dat` and a script
 * to `gp` that, run by gnuplot in the folder of the files named in *pf,
 * draws pf->svg and pf->png (pngcairo, or png where cairo is missing).
 * Returns 1 when written, 0 when the input holds nothing to draw, -1 when
 * a write or (an_plot_waiting) a read failed, with a message in err. */
typedef struct an_plot_files {
    const char *dat, *svg, *png;
} an_plot_files;

/* (a) Waiting list per municipality over time: mean and min-max band over
 * the replications of r's variant, streamed from timeseries.csv. */
int an_plot_waiting(FILE *gp, FILE *dat, const an_plot_files *pf,
                    an_csv_reader *timeseries, const an_report *r,
                    char *err, size_t n_err);
/* (b) Wait mean, p50, p90, p95 per municipality against the target. */
int an_plot_waits(FILE *gp, FILE *dat, const an_plot_files *pf, const an_report *r);
/* (c) p90 wait with 95 % CI per municipality, coloured by verdict. */
int an_plot_verdict(FILE *gp, FILE *dat, const an_plot_files *pf, const an_report *r);
/* (d) Difference of the p90 wait, variant - baseline, with 95 % CI. */
int an_plot_comparison(FILE *gp, FILE *dat, const an_plot_files *pf, const an_report *r);
/* (e) Recommended (and current) FTE per post. */
int an_plot_recommendation(FILE *gp, FILE *dat, const an_plot_files *pf,
                           const an_report *r);

/* ================================================================== */
/* Decisions (issue 4): warm-up, paired comparison, recommendation     */
/* (mser.c, compare.c, recommend.c)                                    */
/* ================================================================== */

/* Stability target: the waiting list may grow by at most this many cases
 * per 30 days (KIM_M_BACKLOG_SLOPE) before the verdict says it grows. */
#define AN_MAX_BACKLOG_GROWTH_PER_MONTH 1.0
/* The stability threshold of a scenario (cases per 30 days). */
double an_stability_threshold(const kim_scenario *sc);

/* MSER-5 (White 1997; White, Cobb & Spratt 2000): the number of leading
 * observations of y[0..n) to delete, a multiple of AN_MSER_BATCH in the
 * first half of the series; 0 when the series has fewer than two batches. */
#define AN_MSER_BATCH 5
size_t an_mser5(const double *y, size_t n);

/* Index of the group labelled `label`, or -1. */
long an_group_by_label(const kim_groups *g, const char *label);
/* Paired difference var - base of metric m over replications r = 0..
 * min(n_reps)-1 (common random numbers), with its 95 % paired-t CI. */
void an_paired_diff(const an_variant *base, size_t gb, const an_variant *var,
                    size_t gv, kim_metric m, an_stat *out);
/* The same difference as if the runs were independent: Welch's 95 % CI
 * (for reference; sd, min and max are NaN). */
void an_unpaired_diff(const an_variant *base, size_t gb, const an_variant *var,
                      size_t gv, kim_metric m, an_stat *out);
/* comparison.csv (DESIGN.md §7): the header, then the rows of var against
 * base for every group (matched by label) and metric both have. */
int an_write_comparison_header(FILE *f);
int an_write_comparison(FILE *f, const an_variant *base, const an_variant *var);
/* "Diakonie Erkelenz at 1.5 instead of 1.0 FTE" from the --vary labels,
 * or "B instead of A" for two scenarios. */
void an_change_phrase(const an_variant *base, const an_variant *var, char *buf,
                      size_t n);
/* Did a wait change materially?  Its paired CI excludes 0 and the mean
 * difference is at least max(1 day, 10 % of the baseline mean). */
int an_wait_changed(const an_stat *base, const an_stat *diff);
/* One sentence per municipality whose verdict or wait at the target
 * quantile changed materially, with the district's cost difference. */
void an_print_comparison(FILE *f, const an_variant *base, const an_variant *var);

/* Smallest FTE a KIM post is funded with (0.5 VZÄ). */
#define AN_MIN_FTE 0.5
/* First point of the FTE grid k * step: the smallest >= AN_MIN_FTE. */
double an_fte_grid_start(double step);
/* A municipality's formula weight: kim_muni.weight, else its arrival rate. */
double an_muni_weight(const kim_scenario *sc, size_t m);
/* The post that takes municipality m's formula share: the first post
 * serving it alone, else the first narrowest pool serving it; -1 none. */
long an_owner_post(const kim_scenario *sc, size_t m);
/* The formula split of `budget` FTE (see recommend.c): fte[p] per post (0
 * when pooled away) and pooled_into[p], the post that takes over p's towns
 * (-1 when none).  Returns 0, or -1 when the budget is below AN_MIN_FTE or
 * no post serves a town. */
int an_formula_split(const kim_scenario *sc, double budget, double *fte,
                     long *pooled_into);

/* A post judged with the municipalities it serves. */
typedef struct an_post_result {
    an_verdict_kind verdict;    /* worst of the post and its municipalities */
    double wait_days;           /* worst mean wait at the target quantile */
    double within_share;        /* lowest mean within_target_share */
} an_post_result;
void an_post_outcome(const an_variant *v, const an_verdict *vd, size_t n,
                     size_t post, an_post_result *out);
/* Is a more severe than b (inadequate > uncertain > adequate > n/a)? */
int an_verdict_worse(an_verdict_kind a, an_verdict_kind b);

/* The marginal-allocation objective of a whole configuration. */
typedef struct an_alloc_score {
    size_t adequate;            /* municipalities judged adequate */
    double worst_wait;          /* largest mean wait at the target quantile;
                                   INFINITY when a town's cases never start */
    double queue;               /* the district's mean waiting list */
} an_alloc_score;
void an_alloc_score_of(const an_variant *v, an_alloc_score *out);
/* More municipalities adequate, then a shorter worst wait, then a shorter
 * mean waiting list. */
int an_alloc_better(const an_alloc_score *a, const an_alloc_score *b);
/* The best of n scores (the first on ties). */
size_t an_alloc_pick(const an_alloc_score *s, size_t n);

#endif
