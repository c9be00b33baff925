/*
 * table.c — the verdict table for people (kimsim run's stdout).
 *
 * Invariant: no line is wider than TABLE_WIDTH characters, counted as
 * UTF-8 code points (so "Hückelhoven" is 11 wide, not 12); every cell is
 * cut to its column with "…" when longer and padded when shorter.  ANSI
 * colour codes are written only when asked for and never count as width.
 *
 * One line per group: the district, then the municipalities, then the
 * posts, each with its worst verdict over the targets (verdict.c) and a
 * short reason; verdict.csv has the long ones.
 */
#include "an.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#define TABLE_WIDTH 100
#define ELLIPSIS "\xe2\x80\xa6"        /* UTF-8 of U+2026 */

enum { COL_GROUP, COL_FTE, COL_ARR, COL_WAIT, COL_SHARE, COL_UTIL, COL_REN,
       COL_VERDICT, COL_REASON, N_COLS };

/* Widths add up, with one space between columns, to TABLE_WIDTH. */
static const struct { size_t width; int right; } cols[N_COLS] = {
    { 20, 0 }, { 5, 1 }, { 6, 1 }, { 17, 1 }, { 5, 1 }, { 5, 1 }, { 5, 1 },
    { 10, 0 }, { 19, 0 }
};

/* ------------------------------------------------------------------ */
/* UTF-8 cells                                                          */
/* ------------------------------------------------------------------ */

/* Code points in s: every byte but the continuation bytes 10xxxxxx. */
static size_t utf8_len(const char *s)
{
    size_t n = 0;
    for (; *s; s++) n += ((unsigned char)*s & 0xC0) != 0x80;
    return n;
}

/* Byte length of the first k code points of s. */
static size_t utf8_prefix(const char *s, size_t k)
{
    const char *p = s;
    while (*p && k > 0) {
        p++;
        while (((unsigned char)*p & 0xC0) == 0x80) p++;
        k--;
    }
    return (size_t)(p - s);
}

static void spaces(FILE *f, size_t n)
{
    while (n-- > 0) putc(' ', f);
}

/* Writes s in w characters: cut to w-1 plus "…" when longer, padded on the
 * left (right-aligned) or right.  `last` drops trailing padding. */
static void cell_text(FILE *f, const char *s, size_t w, int right, int last)
{
    size_t n = utf8_len(s);
    if (n > w) {
        fwrite(s, 1, utf8_prefix(s, w - 1), f);
        fputs(ELLIPSIS, f);
        return;
    }
    if (right) spaces(f, w - n);
    fputs(s, f);
    if (!right && !last) spaces(f, w - n);
}

static void cell(FILE *f, int col, const char *s)
{
    if (col > 0) putc(' ', f);
    cell_text(f, s, cols[col].width, cols[col].right, col == N_COLS - 1);
}

/* A free-text line, cut to the table width. */
static void line(FILE *f, const char *s)
{
    cell_text(f, s, TABLE_WIDTH, 0, 1);
    putc('\n', f);
}

/* ------------------------------------------------------------------ */
/* Values of a row                                                      */
/* ------------------------------------------------------------------ */

static double mean_of(const an_variant *v, size_t g, kim_metric m)
{
    an_stat s;
    an_stat_metric(v, g, m, &s);
    return s.mean;
}

static double warmup_mean(const an_variant *v)
{
    if (v->n_reps == 0) return v->sc->warmup_days;
    double sum = 0.0;
    for (size_t r = 0; r < v->n_reps; r++) sum += v->info[r].warmup_days;
    return sum / (double)v->n_reps;
}

/* A municipality's own staffed FTE: the posts that serve it alone (its
 * share of a pool is not its own); NaN when only pools serve it. */
static double home_fte(const kim_scenario *sc, size_t m)
{
    double x = 0.0;
    int any = 0;
    for (size_t p = 0; p < sc->n_posts; p++) {
        const kim_post *post = &sc->posts[p];
        if (post->serves_all || post->n_serves != 1 || post->serves[0] != m) continue;
        x += post->filled_fte;
        any = 1;
    }
    return any ? x : NAN;
}

/* Staffed FTE: the run's mean when it reported one, else the scenario's;
 * for a municipality only its home posts' (pools show as "-"). */
static double fte_of(const an_variant *v, size_t g)
{
    const kim_scenario *sc = v->sc;
    size_t i = v->groups->index[g];
    if (v->groups->kind[g] == KIM_G_MUNI) return home_fte(sc, i);
    double x = mean_of(v, g, KIM_M_FILLED_FTE_MEAN);
    if (!isnan(x)) return x;
    if (v->groups->kind[g] == KIM_G_POST)
        return i < sc->n_posts ? sc->posts[i].filled_fte : NAN;
    if (v->groups->kind[g] != KIM_G_DISTRICT || sc->n_posts == 0) return NAN;
    x = 0.0;
    for (size_t p = 0; p < sc->n_posts; p++) x += sc->posts[p].filled_fte;
    return x;
}

/* Arrivals per year: counted over the observed period when the run
 * reported them, else the scenario's Poisson rate. */
/* Mean observed span, warm-up to the end of each replication (the horizon,
 * or the day an overloaded one stopped). */
static double observed_days(const an_variant *v)
{
    if (v->n_reps == 0) return v->sc->horizon_days - v->sc->warmup_days;
    double sum = 0.0;
    for (size_t r = 0; r < v->n_reps; r++) {
        const kim_run_info *in = &v->info[r];
        double end = in->end_day > 0.0 ? in->end_day : v->sc->horizon_days;
        if (end > in->warmup_days) sum += end - in->warmup_days;   /* none when
                                          it stopped before the warm-up ended */
    }
    return sum / (double)v->n_reps;
}

static double arrivals_of(const an_variant *v, size_t g)
{
    const kim_scenario *sc = v->sc;
    double years = observed_days(v) / 365.0;
    double x = mean_of(v, g, KIM_M_ARRIVALS);
    size_t i = v->groups->index[g];
    if (!isnan(x) && years > 0.0) return x / years;
    if (v->groups->kind[g] == KIM_G_MUNI)
        return i < sc->n_munis ? 365.0 * sc->munis[i].arrivals_per_day : NAN;
    if (v->groups->kind[g] != KIM_G_DISTRICT || sc->n_munis == 0) return NAN;
    x = 0.0;
    for (size_t m = 0; m < sc->n_munis; m++) x += sc->munis[m].arrivals_per_day;
    return 365.0 * x;
}

static void fmt(char *b, size_t n, const char *format, double x)
{
    if (isnan(x)) snprintf(b, n, "-");
    else snprintf(b, n, format, x);
}

/* Days with one decimal below 100, whole days above. */
static const char *days_format(double x)
{
    return fabs(x) < 99.95 ? "%.1f" : "%.0f";
}

/* "41.2 (38.1-44.3)": the mean and 95 % CI of the wait at the target
 * quantile; the mean alone from one replication. */
static void fmt_wait(const an_variant *v, size_t g, char *b, size_t n)
{
    an_stat s;
    char m[32], lo[32], hi[32];
    an_stat_metric(v, g, KIM_M_WAIT_TARGET_Q, &s);
    fmt(m, sizeof m, days_format(s.mean), s.mean);
    if (s.n < 2 || isnan(s.ci_low)) {
        snprintf(b, n, "%s", m);
        return;
    }
    /* a wait is never negative: the t interval's low end is shown at 0
     * (verdict.csv keeps the interval as computed) */
    double low = s.ci_low < 0.0 ? 0.0 : s.ci_low;
    fmt(lo, sizeof lo, days_format(low), low);
    fmt(hi, sizeof hi, days_format(s.ci_high), s.ci_high);
    snprintf(b, n, "%s (%s\xe2\x80\x93%s)", m, lo, hi);
}

static void fmt_percent(const an_variant *v, size_t g, kim_metric m,
                        char *b, size_t n)
{
    fmt(b, n, "%.0f%%", 100.0 * mean_of(v, g, m));
}

/* ------------------------------------------------------------------ */
/* Verdict and reason                                                   */
/* ------------------------------------------------------------------ */

static const char *const short_target[AN_N_TARGETS] = {
    "wait", "util", "reneged", "backlog"
};

/* The targets that carry the group's verdict, "wait, backlog"; for
 * UNCERTAIN also the replications likely to decide them all, or "no CI"
 * when one of them has a value from one replication only; "overloaded
 * 3/4" when replications stopped at the waiting-list limit (then every
 * target is inadequate, verdict.c). */
static void short_reason(const an_variant *v, const an_verdict *vd, size_t n,
                         size_t g, an_verdict_kind worst, char *b, size_t size)
{
    size_t len = 0, ran, over = an_overloaded_reps(v, &ran);
    long reps = 0;
    b[0] = '\0';
    if (worst != AN_INADEQUATE && worst != AN_UNCERTAIN) return;
    if (over > 0 && worst == AN_INADEQUATE) {
        snprintf(b, size, "overloaded %zu/%zu", over, ran);
        return;
    }
    for (size_t i = 0; i < n && len < size; i++) {
        if (vd[i].group != g || vd[i].verdict != worst) continue;
        len += (size_t)snprintf(b + len, size - len, "%s%s", len ? ", " : "",
                                short_target[vd[i].target]);
        if (vd[i].reps_to_decide < 0 || reps < 0) reps = -1;
        else if (vd[i].reps_to_decide > reps) reps = vd[i].reps_to_decide;
    }
    if (worst != AN_UNCERTAIN || len >= size) return;
    if (ran < 2) {                      /* every target: no interval */
        snprintf(b, size, "one rep: no CI");
        return;
    }
    for (size_t i = 0; i < n; i++)
        if (vd[i].group == g && vd[i].verdict == worst && vd[i].est.n < 2) {
            snprintf(b + len, size - len, " no CI");   /* one value */
            return;
        }
    if (reps > 0) snprintf(b + len, size - len, " ~%ld reps", reps);
    else if (reps < 0) snprintf(b + len, size - len, " on threshold");
}

/* The verdict word, coloured when asked; padded only when a reason follows,
 * so no line ends in blanks. */
static void verdict_cell(FILE *f, an_verdict_kind k, int colour, int pad)
{
    static const char *const word[] = {
        "ADEQUATE", "INADEQUATE", "UNCERTAIN", "n/a"
    };
    static const char *const ansi[] = {
        "\033[32m", "\033[31m", "\033[33m", ""
    };
    putc(' ', f);
    if (colour && *ansi[k]) fprintf(f, "%s%s\033[0m", ansi[k], word[k]);
    else fputs(word[k], f);
    if (pad) spaces(f, cols[COL_VERDICT].width - strlen(word[k]));
}

/* ------------------------------------------------------------------ */
/* The table                                                            */
/* ------------------------------------------------------------------ */

/* Group label without its "municipality:" / "post:" prefix, indented. */
static void group_cell(FILE *f, const an_variant *v, size_t g)
{
    const char *lab = v->groups->label[g], *colon = strchr(lab, ':');
    char b[256];
    if (v->groups->kind[g] == KIM_G_DISTRICT || !colon) snprintf(b, sizeof b, "%s", lab);
    else snprintf(b, sizeof b, "  %s", colon + 1);
    cell(f, COL_GROUP, b);
}

static void group_row(FILE *f, const an_variant *v, size_t g,
                      const an_verdict *vd, size_t n, int colour)
{
    char b[128];
    an_verdict_kind worst = an_group_verdict(vd, n, g);
    group_cell(f, v, g);
    fmt(b, sizeof b, "%.4g", fte_of(v, g));
    cell(f, COL_FTE, b);
    fmt(b, sizeof b, "%.0f", arrivals_of(v, g));
    cell(f, COL_ARR, b);
    fmt_wait(v, g, b, sizeof b);
    cell(f, COL_WAIT, b);
    fmt_percent(v, g, KIM_M_WITHIN_TARGET_SHARE, b, sizeof b);
    cell(f, COL_SHARE, b);
    fmt_percent(v, g, KIM_M_UTILIZATION, b, sizeof b);
    cell(f, COL_UTIL, b);
    fmt_percent(v, g, KIM_M_RENEGED_SHARE, b, sizeof b);
    cell(f, COL_REN, b);
    short_reason(v, vd, n, g, worst, b, sizeof b);
    verdict_cell(f, worst, colour, b[0] != '\0');
    if (b[0]) cell(f, COL_REASON, b);
    putc('\n', f);
}

static void header(FILE *f, const an_variant *v)
{
    const kim_scenario *sc = v->sc;
    char b[512], q[32], share[32];
    int base = !v->variant || strcmp(v->variant, "base") == 0;
    snprintf(b, sizeof b, "%s%s%s%s: %zu replications, horizon %g days, "
             "warm-up %.4g days%s", v->scenario ? v->scenario : "scenario",
             base ? "" : " (", base ? "" : v->variant, base ? "" : ")",
             v->n_reps, sc->horizon_days, warmup_mean(v),
             sc->warmup_auto ? " (auto, MSER-5)" : "");
    line(f, b);
    putc('\n', f);
    snprintf(q, sizeof q, "p%g wait (95%% CI)", 100.0 * sc->targets.wait_quantile);
    snprintf(share, sizeof share, "<=%gd", sc->targets.wait_days);
    const char *heads[N_COLS] = {
        "group", "FTE", "arr/yr", q, share, "util", "reneg", "verdict", "reason"
    };
    for (int c = 0; c < N_COLS; c++) cell(f, c, heads[c]);
    putc('\n', f);
}

static void footer(FILE *f, const kim_scenario *sc)
{
    char b[512];
    putc('\n', f);
    snprintf(b, sizeof b, "targets: >= %g %% start within %g days, utilization "
             "<= %g %%, reneged <= %g %%, backlog <= +%g/month",
             100.0 * sc->targets.wait_quantile, sc->targets.wait_days,
             100.0 * sc->targets.max_utilization,
             100.0 * sc->targets.max_reneged_share, an_stability_threshold(sc));
    line(f, b);
    line(f, "verdict: worst over the targets, by the 95 % CI; reason: targets "
            "missed, or undecided and the");
    line(f, "replications likely to decide them; every target with its "
            "reason: verdict.csv");
}

/* Prints the groups of one kind, under a subheading unless the district. */
static void section(FILE *f, const an_variant *v, kim_group_kind kind,
                    const char *title, const an_verdict *vd, size_t n,
                    int colour)
{
    int first = 1;
    for (size_t g = 0; g < v->groups->n; g++) {
        if (v->groups->kind[g] != kind) continue;
        if (first && title) line(f, title);
        first = 0;
        group_row(f, v, g, vd, n, colour);
    }
}

void an_print_table(FILE *f, const an_variant *v, int colour)
{
    an_verdict *vd;
    size_t n = an_verdicts(v, &vd);
    header(f, v);
    section(f, v, KIM_G_DISTRICT, NULL, vd, n, colour);
    section(f, v, KIM_G_MUNI, "municipalities", vd, n, colour);
    section(f, v, KIM_G_POST, "posts", vd, n, colour);
    footer(f, v->sc);
    free(vd);
}
