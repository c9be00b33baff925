/*
 * erlang.c — `kimsim erlang`: instant M/M/c estimates per municipality and
 * pool, and the short "Erlang C against simulated" table `run` prints.
 *
 * Invariant: every estimate is a pure function of the scenario (no random
 * numbers, no simulation); each municipality's arrivals count in exactly
 * one row — its own posts' row when it has posts of its own (home-only,
 * as home-first assignment serves it there first), else the row of the
 * pool that takes its formula share (an_owner_post).
 *
 * Model per row (Kleinrock 1975, vol. 1 §3.5): c = the row's slots
 * (kim_slots of the filled FTE), lambda = the arrivals per day of its
 * towns, mu = 1 / E[D] with E[D] the share-weighted mean of the case
 * types' duration means (uncapped), so a = lambda / mu is the offered load.
 * Erlang C gives P(wait), the mean wait and the wait at the target
 * quantile; Erlang A (M/M/c+M; Palm 1943, Garnett, Mandelbaum & Reiman
 * 2002) is added when every case type with a patience has an exponential
 * one, with theta = sum_j share_j / mean patience_j (types without patience
 * add 0).  Drivers, staffing dynamics and priorities are ignored: that
 * is exactly what the simulation adds.
 */
#include "cli.h"
#include "../sim/sim.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#define ELLIPSIS "\xe2\x80\xa6"

/* ------------------------------------------------------------------ */
/* Cells of UTF-8 text                                                  */
/* ------------------------------------------------------------------ */

static size_t utf8_len(const char *s)
{
    size_t n = 0;
    for (; *s; s++) n += ((unsigned char)*s & 0xC0) != 0x80;
    return n;
}

void cli_cell(FILE *f, const char *s, size_t w, int right)
{
    size_t n = utf8_len(s);
    if (n > w) {
        size_t k = 0;
        const char *p = s;
        for (; *p && k < w - 1; k++)
            do p++; while (((unsigned char)*p & 0xC0) == 0x80);
        fwrite(s, 1, (size_t)(p - s), f);
        fputs(ELLIPSIS, f);
        return;
    }
    for (size_t i = 0; right && i < w - n; i++) putc(' ', f);
    fputs(s, f);
    for (size_t i = 0; !right && i < w - n; i++) putc(' ', f);
}

/* ------------------------------------------------------------------ */
/* Rows                                                                 */
/* ------------------------------------------------------------------ */

static int home_post(const kim_post *p, size_t m)
{
    return !p->serves_all && p->n_serves == 1 && p->serves[0] == m;
}

/* Arrivals per day of municipality m: its Poisson rate, or the replayed
 * trace's count before the horizon divided by the horizon. */
static double arrivals_per_day(const kim_scenario *sc, size_t m)
{
    if (!sc->n_trace) return sc->munis[m].arrivals_per_day;
    size_t k = 0;
    for (size_t i = 0; i < sc->n_trace; i++)
        k += sc->trace[i].muni == m && sc->trace[i].day < sc->horizon_days;
    return (double)k / sc->horizon_days;
}

/* mu and theta of the case mix; theta < 0 when Erlang A does not apply. */
static void rates(const kim_scenario *sc, double *mu, double *theta)
{
    double ed = 0.0, th = 0.0;
    int any = 0, exp_only = 1;
    for (size_t j = 0; j < sc->n_case_types; j++) {
        const kim_case_type *t = &sc->case_types[j];
        ed += t->share * kim_dist_mean(&t->duration);
        if (t->patience.kind == KIM_DIST_NONE) continue;
        any = 1;
        if (t->patience.kind != KIM_DIST_EXPONENTIAL) exp_only = 0;
        else th += t->share / t->patience.p[0];
    }
    *mu = ed > 0.0 ? 1.0 / ed : NAN;
    *theta = any && exp_only ? th : -1.0;
}

static void estimate(const kim_scenario *sc, cli_erlang_row *r)
{
    double a = r->lambda / r->mu;
    r->load = r->c > 0 ? a / (double)r->c : INFINITY;
    r->p_wait = r->c > 0 ? an_erlang_c(r->c, a) : 1.0;
    r->wait_mean = r->c > 0 ? an_mmc_wait_mean(r->c, r->lambda, r->mu) : INFINITY;
    r->wait_q = r->c > 0 ? an_mmc_wait_quantile(r->c, r->lambda, r->mu,
                                                sc->targets.wait_quantile) : INFINITY;
    r->has_a = r->theta > 0.0 && r->c > 0 &&
               an_erlang_a(r->c, r->lambda, r->mu, r->theta, &r->a) == 0;
}

/* Row of the posts sharing post p's serve set (p a pool), over the towns
 * it owns; 0 when an earlier post has the same set (already counted). */
static int pool_row(const kim_scenario *sc, size_t p, cli_erlang_row *r)
{
    const kim_post *post = &sc->posts[p];
    for (size_t q = 0; q < p; q++)
        if (cli_same_serve_set(sc, q, p)) return 0;
    for (size_t q = p; q < sc->n_posts; q++)
        if (cli_same_serve_set(sc, q, p)) {
            r->c += kim_slots(sc->posts[q].filled_fte, kim_post_caseload(sc, q));
            r->n_posts++;
        }
    for (size_t m = 0; m < sc->n_munis; m++) {
        long o = an_owner_post(sc, m);
        if (o >= 0 && cli_same_serve_set(sc, (size_t)o, p)) r->lambda += arrivals_per_day(sc, m);
        if (kim_post_serves(post, m)) r->n_towns++;
    }
    r->name = post->name;
    r->post = (long)p;
    r->pool = 1;
    return 1;
}

int cli_same_serve_set(const kim_scenario *sc, size_t p, size_t q)
{
    for (size_t m = 0; m < sc->n_munis; m++)
        if (kim_post_serves(&sc->posts[p], m) != kim_post_serves(&sc->posts[q], m))
            return 0;
    return 1;
}

static int muni_row(const kim_scenario *sc, size_t m, cli_erlang_row *r)
{
    for (size_t p = 0; p < sc->n_posts; p++)
        if (home_post(&sc->posts[p], m)) {
            r->c += kim_slots(sc->posts[p].filled_fte, kim_post_caseload(sc, p));
            r->n_posts++;
        }
    if (!r->n_posts) return 0;
    r->name = sc->munis[m].name;
    r->muni = (long)m;
    r->n_towns = 1;
    r->lambda = arrivals_per_day(sc, m);
    return 1;
}

static int is_pool(const kim_post *p)
{
    return p->serves_all || p->n_serves > 1;
}

size_t cli_erlang_rows(const kim_scenario *sc, cli_erlang_row **out)
{
    size_t n = 0;
    double mu, theta;
    rates(sc, &mu, &theta);
    *out = sim_xcalloc(sc->n_munis + sc->n_posts + 1, sizeof **out);
    for (size_t i = 0; i < sc->n_munis + sc->n_posts; i++) {
        cli_erlang_row *r = &(*out)[n];
        size_t p = i - sc->n_munis;
        memset(r, 0, sizeof *r);
        r->muni = r->post = -1;
        int ok = i < sc->n_munis ? muni_row(sc, i, r)
                                 : is_pool(&sc->posts[p]) && pool_row(sc, p, r);
        if (!ok) continue;
        r->mu = mu;
        r->theta = theta;
        estimate(sc, r);
        n++;
    }
    return n;
}

/* ------------------------------------------------------------------ */
/* Printing                                                             */
/* ------------------------------------------------------------------ */

static void fmt(char *b, size_t n, const char *format, double x)
{
    if (isinf(x)) snprintf(b, n, "unstable");
    else if (isnan(x)) snprintf(b, n, "-");
    else snprintf(b, n, format, x);
}

static void fmt_days(char *b, size_t n, double x)
{
    fmt(b, n, fabs(x) < 99.95 ? "%.1f" : "%.0f", x);
}

static void row_name(char *b, size_t n, const cli_erlang_row *r)
{
    snprintf(b, n, "%s%s", r->pool ? "pool: " : "", r->name);
}

/* "pool: Kreis KI (+1 post) serves Heinsberg, Wegberg, ..." under the table. */
static void pool_towns(FILE *f, const kim_scenario *sc, const cli_erlang_row *r)
{
    const kim_post *post = &sc->posts[r->post];
    fprintf(f, "pool: %s", r->name);
    if (r->n_posts > 1) fprintf(f, " (+%zu posts)", r->n_posts - 1);
    fputs(post->serves_all ? " serves every municipality" : " serves", f);
    for (size_t i = 0; !post->serves_all && i < post->n_serves; i++)
        fprintf(f, "%s %s", i ? "," : "", sc->munis[post->serves[i]].name);
    fputc('\n', f);
}

/* Cells in order, each right-aligned in its width after a space. */
static void cells(FILE *f, const size_t *w, const char *const *s, size_t n)
{
    cli_cell(f, s[0], w[0], 0);
    for (size_t i = 1; i < n; i++) {
        putc(' ', f);
        cli_cell(f, s[i], w[i], 1);
    }
    putc('\n', f);
}

static const size_t est_w[] = { 27, 5, 7, 5, 7, 9, 8, 7, 9, 7 };

static void estimate_line(FILE *f, const cli_erlang_row *r)
{
    char b[10][64];
    row_name(b[0], sizeof b[0], r);
    snprintf(b[1], sizeof b[1], "%ld", r->c);
    fmt(b[2], sizeof b[2], "%.3f", r->lambda);
    fmt(b[3], sizeof b[3], "%.2f", r->load);
    fmt(b[4], sizeof b[4], "%.2f", r->p_wait);
    fmt_days(b[5], sizeof b[5], r->wait_mean);
    fmt_days(b[6], sizeof b[6], r->wait_q);
    fmt(b[7], sizeof b[7], "%.2f", r->has_a ? r->a.p_wait : NAN);
    fmt_days(b[8], sizeof b[8], r->has_a ? r->a.wait_mean : NAN);
    fmt(b[9], sizeof b[9], "%.1f%%", r->has_a ? 100.0 * r->a.p_abandon : NAN);
    const char *s[10];
    for (int i = 0; i < 10; i++) s[i] = b[i];
    cells(f, est_w, s, 10);
}

void cli_print_erlang(FILE *f, const kim_scenario *sc)
{
    cli_erlang_row *rows;
    size_t n = cli_erlang_rows(sc, &rows);
    double q = 100.0 * sc->targets.wait_quantile;
    char p[40];
    snprintf(p, sizeof p, "p%g wait", q);
    fprintf(f, "%s: M/M/c estimates, steady state, no simulation\n", sc->name);
    if (n) fprintf(f, "mean case duration %.1f days (uncapped); target: %g %% start within %g days\n",
                   1.0 / rows[0].mu, q, sc->targets.wait_days);
    if (n && rows[0].theta > 0.0)
        fprintf(f, "Erlang A: exponential patience, rate %.4g per day (share-weighted)\n",
                rows[0].theta);
    fprintf(f, "\n%48s%s %s\n", "", "-------- Erlang C --------", "-------- Erlang A -------");
    const char *head[] = { "group", "slots", "arr/day", "load", "P(wait)", "mean wait",
                           p, "P(wait)", "mean wait", "gave up" };
    cells(f, est_w, head, 10);
    for (size_t i = 0; i < n; i++) estimate_line(f, &rows[i]);
    putc('\n', f);
    for (size_t i = 0; i < n; i++)
        if (rows[i].pool) pool_towns(f, sc, &rows[i]);
    fputs("waits in days; Erlang C = M/M/c (Kleinrock 1975 §3.5), Erlang A = M/M/c+M "
          "(Garnett et al. 2002).\n"
          "A town with a post of its own counts there only; a pool row has the towns "
          "without one.\n"
          "Exponential durations, constant arrivals, no priorities, no drivers: "
          "kimsim run drops these.\n", f);
    free(rows);
}

static const size_t chk_w[] = { 27, 5, 5, 8, 8, 10, 22 };

/* One row of the Erlang-against-simulated table. */
static void check_line(FILE *f, const an_variant *v, const cli_erlang_row *r)
{
    long g = r->muni >= 0 ? (long)kim_group_of(v->groups, KIM_G_MUNI, (size_t)r->muni)
           : r->n_posts == 1 ? (long)kim_group_of(v->groups, KIM_G_POST, (size_t)r->post) : -1;
    an_stat pw = { 0 }, wq = { 0 };
    if (g >= 0) {
        an_stat_metric(v, (size_t)g, KIM_M_P_WAIT, &pw);
        an_stat_metric(v, (size_t)g, KIM_M_WAIT_TARGET_Q, &wq);
    }
    char b[7][96];
    row_name(b[0], sizeof b[0], r);
    snprintf(b[1], sizeof b[1], "%ld", r->c);
    fmt(b[2], sizeof b[2], "%.2f", r->load);
    fmt(b[3], sizeof b[3], "%.2f", r->p_wait);
    fmt(b[4], sizeof b[4], "%.2f", pw.n ? pw.mean : NAN);
    fmt_days(b[5], sizeof b[5], r->wait_q);
    if (!wq.n || isnan(wq.mean)) snprintf(b[6], sizeof b[6], "-");
    else if (wq.n < 2) fmt_days(b[6], sizeof b[6], wq.mean);
    else snprintf(b[6], sizeof b[6], "%.1f (%.1f\xe2\x80\x93%.1f)", wq.mean,
                  fmax(wq.ci_low, 0.0), wq.ci_high);
    const char *s[7];
    for (int i = 0; i < 7; i++) s[i] = b[i];
    cells(f, chk_w, s, 7);
}

void cli_print_erlang_check(FILE *f, const an_variant *v)
{
    cli_erlang_row *rows;
    size_t n = cli_erlang_rows(v->sc, &rows);
    char c[24], s[40];
    double q = 100.0 * v->sc->targets.wait_quantile;
    snprintf(c, sizeof c, "p%g Erl.C", q);
    snprintf(s, sizeof s, "p%g simulated", q);
    fprintf(f, "\nErlang C estimate against the simulation%s%s%s\n",
            strcmp(v->variant, "base") ? " (" : "", strcmp(v->variant, "base") ? v->variant : "",
            strcmp(v->variant, "base") ? ")" : "");
    const char *head[] = { "group", "slots", "load", "P(w) C", "P(w) sim", c, s };
    cells(f, chk_w, head, 7);
    for (size_t i = 0; i < n; i++) check_line(f, v, &rows[i]);
    fputs("large gaps show where time variation, pooling, priorities and reneging "
          "matter (kimsim erlang)\n", f);
    free(rows);
}

void cli_print_erlang_checks(const cli_run *run)
{
    for (size_t v = 0; v < run->n_v; v++) cli_print_erlang_check(stdout, &run->v[v].res);
    fflush(stdout);
}

/* ------------------------------------------------------------------ */
/* kimsim erlang                                                        */
/* ------------------------------------------------------------------ */

int cmd_erlang(int argc, char **argv)
{
    cli_opts o;
    int rc = cli_parse_file_opts(argc, argv, &o, "erlang");
    if (rc) { cli_opts_fini(&o); return rc < 0 ? CLI_OK : rc; }
    for (size_t i = 0; i < o.n_files && !rc; i++) {
        kim_scenario sc;
        if ((rc = cli_load_scenario(o.files[i], o.sets, o.n_sets, &sc)) != 0) break;
        if (i) putchar('\n');
        cli_print_erlang(stdout, &sc);
        kim_scenario_fini(&sc);
    }
    cli_opts_fini(&o);
    return rc;
}
