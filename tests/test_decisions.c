/*
 * test_decisions.c — verdicts, MSER-5, paired comparison, recommendation
 * and Erlang estimates (analysis/mser.c, compare.c, recommend.c,
 * verdict.c's stability rule; cli/erlang.c, cli/recommend.c).
 *
 * Expected values are computed here independently of the code under test:
 * Erlang B and C by their explicit sums (Kleinrock 1975, vol. 1 §3.4-3.5),
 * Erlang A by summing the birth-death chain state by state far into its
 * tail, the M/M/c server count by scanning c with the closed form of
 * P(W > t), CIs by explicit sums and GSL's t quantile.  Simulation checks
 * use fixed seeds and margins that are many standard errors wide.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <gsl/gsl_cdf.h>
#include <gsl/gsl_errno.h>
#include <gsl/gsl_randist.h>
#include <gsl/gsl_rng.h>

#include "../cli/cli.h"
#include "build.h"

/* ------------------------------------------------------------------ */
/* Fixtures                                                             */
/* ------------------------------------------------------------------ */

/* A variant of `sc` with hand-set values: groups from kim_groups_init. */
typedef struct fixture {
    kim_scenario sc;
    kim_groups g;
    an_variant v;
} fixture;

static void fixture_init(fixture *fx, const char *label, size_t reps)
{
    kim_groups_init(&fx->g, &fx->sc);
    an_variant_init(&fx->v, "s", label, &fx->sc, &fx->g, reps);
}

static void fixture_fini(fixture *fx)
{
    an_variant_fini(&fx->v);
    kim_groups_fini(&fx->g);
    kim_scenario_fini(&fx->sc);
}

static void put(an_variant *v, size_t g, kim_metric m, const double *x)
{
    for (size_t r = 0; r < v->n_reps; r++) an_values(v, r, g)[m] = x[r];
}

/* One town "Erkelenz" served by post "Diakonie Erkelenz". */
static void one_town(kim_scenario *sc, double per_day, double fte)
{
    kim_scenario_defaults(sc);
    sc->name = sim_xstrdup("s");
    sc->horizon_days = 1095.0;
    add_type(sc, "standard", 1.0, 1, 180.0, 0.0);
    add_muni(sc, "Erkelenz", per_day);
    add_post(sc, "Diakonie Erkelenz", "Diakonie", fte, (size_t[]){ 0 }, 1);
}

/* ------------------------------------------------------------------ */
/* MSER-5                                                               */
/* ------------------------------------------------------------------ */

/* Exponential decay from 50 to a noisy level of 10 (sd 2) with time
 * constant 40: the transient is over (bias < 0.3) by point 200.  MSER-5
 * must delete at least the part whose bias exceeds two noise sd
 * (40 e^{-d/40} > 4, d < 92) and not much beyond the transient. */
static void test_decisions_mser_synthetic_transient(void **state)
{
    (void)state;
    gsl_rng *r = gsl_rng_alloc(gsl_rng_mt19937);
    for (unsigned long seed = 1; seed <= 5; seed++) {
        gsl_rng_set(r, 20230101 + seed);
        double y[1000];
        for (size_t i = 0; i < 1000; i++)
            y[i] = 10.0 + 40.0 * exp(-(double)i / 40.0) + gsl_ran_gaussian(r, 2.0);
        size_t d = an_mser5(y, 1000);
        assert_int_equal(d % AN_MSER_BATCH, 0);
        assert_true(d >= 92 && d <= 250);
    }
    gsl_rng_free(r);
}

/* A clean step: 100 points at 50, then a constant 10 — MSER(20 batches)
 * is exactly 0, so the deletion point is exactly 100.  Too short a series
 * (one batch) deletes nothing. */
static void test_decisions_mser_step_and_short(void **state)
{
    (void)state;
    double y[600];
    for (size_t i = 0; i < 600; i++) y[i] = i < 100 ? 50.0 : 10.0;
    assert_int_equal(an_mser5(y, 600), 100);
    assert_int_equal(an_mser5(y, 7), 0);
    assert_int_equal(an_mser5(y, 0), 0);
}

/* ------------------------------------------------------------------ */
/* Verdicts: the three outcomes and the stability rule                  */
/* ------------------------------------------------------------------ */

static const an_verdict *find(const an_verdict *vd, size_t n, size_t g, an_target t)
{
    for (size_t i = 0; i < n; i++)
        if (vd[i].group == g && vd[i].target == t) return &vd[i];
    fail_msg("no verdict for group %zu target %d", g, t);
    return NULL;
}

/* Wait share straddling / above / below 0.9 in three municipalities, and
 * backlog slopes inside, straddling and above +1 case per month. */
static void test_decisions_verdict_outcomes(void **state)
{
    (void)state;
    fixture fx;
    one_town(&fx.sc, 0.2, 1.5);
    add_muni(&fx.sc, "Heinsberg", 0.2);
    add_muni(&fx.sc, "Wegberg", 0.2);
    fixture_init(&fx, "base", 4);
    const double ok_share[] = { 0.95, 0.97, 0.96, 0.94 };
    const double mid_share[] = { 0.86, 0.93, 0.91, 0.88 };
    const double bad_share[] = { 0.41, 0.45, 0.38, 0.42 };
    put(&fx.v, 1, KIM_M_WITHIN_TARGET_SHARE, ok_share);
    put(&fx.v, 2, KIM_M_WITHIN_TARGET_SHARE, mid_share);
    put(&fx.v, 3, KIM_M_WITHIN_TARGET_SHARE, bad_share);
    put(&fx.v, 1, KIM_M_BACKLOG_SLOPE, (double[]){ 0.2, -0.3, 0.1, 0.0 });
    put(&fx.v, 2, KIM_M_BACKLOG_SLOPE, (double[]){ 0.5, 1.5, 0.9, 1.2 });
    put(&fx.v, 3, KIM_M_BACKLOG_SLOPE, (double[]){ 3.1, 2.9, 3.4, 2.6 });
    an_verdict *vd;
    size_t n = an_verdicts(&fx.v, &vd);
    assert_int_equal(find(vd, n, 1, AN_T_WAIT)->verdict, AN_ADEQUATE);
    assert_int_equal(find(vd, n, 2, AN_T_WAIT)->verdict, AN_UNCERTAIN);
    assert_int_equal(find(vd, n, 3, AN_T_WAIT)->verdict, AN_INADEQUATE);
    const an_verdict *s1 = find(vd, n, 1, AN_T_STABILITY);
    const an_verdict *s2 = find(vd, n, 2, AN_T_STABILITY);
    const an_verdict *s3 = find(vd, n, 3, AN_T_STABILITY);
    assert_true(s1->threshold == 1.0);
    assert_int_equal(s1->verdict, AN_ADEQUATE);       /* a stable list: no longer "uncertain" */
    assert_int_equal(s2->verdict, AN_UNCERTAIN);
    assert_true(s2->reps_to_decide > 4);
    assert_int_equal(s3->verdict, AN_INADEQUATE);
    char want[160];
    snprintf(want, sizeof want, "backlog grows by 3.0 cases per month (95 %% CI "
             "%.1f\xe2\x80\x93%.1f)", s3->est.ci_low, s3->est.ci_high);
    assert_string_equal(s3->reason, want);
    free(vd);
    fixture_fini(&fx);
}

/* Runs `reps` replications of sc in memory into fx->v. */
static void simulate(fixture *fx, size_t reps)
{
    fixture_init(fx, "base", reps);
    kim_model *m = kim_model_new(&fx->sc);
    for (size_t r = 0; r < reps; r++)
        kim_model_run(m, r, NULL, an_values(&fx->v, r, 0), &fx->v.info[r]);
    kim_model_free(m);
}

/* M/M/c with lambda = 12/day and mean 1 day: c = 10 (utilisation 1.2)
 * lets the list grow by (12 - 10) x 30 = 60 cases per month; c = 15
 * (0.8) is stable. */
static void stability_of(size_t c, an_stat *slope, an_verdict_kind *k)
{
    fixture fx;
    kim_scenario_defaults(&fx.sc);
    fx.sc.name = sim_xstrdup("mmc");
    fx.sc.horizon_days = 300.0;
    fx.sc.warmup_days = 30.0;
    fx.sc.sample_days = 1.0;
    fx.sc.caseload_per_fte = 1.0;
    fx.sc.seed = 7;
    add_type(&fx.sc, "mm", 1.0, 1, 1.0, 0.0);
    add_muni(&fx.sc, "Queue", 12.0);
    add_post(&fx.sc, "Servers", "Kreis", (double)c, (size_t[]){ 0 }, 1);
    simulate(&fx, 5);
    an_verdict *vd;
    size_t n = an_verdicts(&fx.v, &vd);
    const an_verdict *s = find(vd, n, 0, AN_T_STABILITY);
    *slope = s->est;
    *k = s->verdict;
    free(vd);
    fixture_fini(&fx);
}

static void test_decisions_stability_simulated(void **state)
{
    (void)state;
    an_stat s;
    an_verdict_kind k;
    stability_of(10, &s, &k);
    assert_int_equal(k, AN_INADEQUATE);
    assert_true(s.mean > 50.0 && s.mean < 70.0);   /* 60 per month, sd of a slope ~2 */
    stability_of(15, &s, &k);
    assert_int_equal(k, AN_ADEQUATE);
    assert_true(fabs(s.mean) < 1.0);
}

/* ------------------------------------------------------------------ */
/* Erlang: the formulas, independently                                  */
/* ------------------------------------------------------------------ */

/* Erlang B by its explicit sum: (a^c/c!) / sum_{k<=c} a^k/k!. */
static double sum_b(long c, double a)
{
    double term = 1.0, sum = 1.0;
    for (long k = 1; k <= c; k++) { term *= a / (double)k; sum += term; }
    return term / sum;
}

/* Erlang C by its explicit sum (Kleinrock 1975, vol. 1, eq. 3.40). */
static double sum_c(long c, double a)
{
    double term = 1.0, sum = 0.0;
    for (long k = 0; k < c; k++) { sum += term; term *= a / (double)(k + 1); }
    double top = term * (double)c / ((double)c - a);
    return top / (sum + top);
}

/* Erlang A by the chain written out to n states (the tail beyond is far
 * below 1e-15 for the parameters used). */
static void chain_a(long c, double lambda, double mu, double theta, double *p_wait,
                    double *wait_mean)
{
    double t = 1.0, all = 0.0, busy = 0.0, q = 0.0;
    for (long k = 0; k < 20000; k++) {
        all += t;
        if (k >= c) { busy += t; q += (double)(k - c) * t; }
        long j = k + 1;
        t *= lambda / (j <= c ? (double)j * mu : (double)c * mu + (double)(j - c) * theta);
    }
    *p_wait = busy / all;
    *wait_mean = q / all / lambda;
}

#define CLOSE(x, y, tol) (fabs((x) - (y)) <= (tol) * fmax(1.0, fabs(y)))

static void test_decisions_erlang_formulas(void **state)
{
    (void)state;
    /* published: Erlang B(10 lines, 5 Erlang) = 0.018384 (standard tables,
     * 6 decimals truncated; the exact value is 0.0183846) */
    assert_true(fabs(an_erlang_b(10, 5.0) - 0.018384) < 1e-6);
    const long cs[] = { 1, 3, 10, 12, 40, 60 };
    const double as[] = { 0.7, 2.385, 5.0, 10.8, 35.2, 51.3 };
    for (size_t i = 0; i < 6; i++) {
        assert_true(CLOSE(an_erlang_b(cs[i], as[i]), sum_b(cs[i], as[i]), 1e-9));
        assert_true(CLOSE(an_erlang_c(cs[i], as[i]), sum_c(cs[i], as[i]), 1e-9));
    }
    /* mmc.cfg: C(12, 10.8) = 0.6400 (docs/model.md §11) */
    assert_true(fabs(an_erlang_c(12, 10.8) - 0.6400) < 5e-5);
    double pw, wm;
    chain_a(12, 10.8, 1.0, 0.5, &pw, &wm);
    an_erlang_a_result a;
    assert_int_equal(an_erlang_a(12, 10.8, 1.0, 0.5, &a), 0);
    assert_true(CLOSE(a.p_wait, pw, 1e-9));
    assert_true(CLOSE(a.wait_mean, wm, 1e-9));
    assert_true(CLOSE(a.p_abandon, 0.5 * wm, 1e-9));
}

/* cli_erlang_rows on a one-town M/M/12 with exponential patience: every
 * value equals the formula. */
static void test_decisions_erlang_rows(void **state)
{
    (void)state;
    kim_scenario sc;
    kim_scenario_defaults(&sc);
    sc.caseload_per_fte = 1.0;
    add_type(&sc, "mm", 1.0, 1, 1.0, 2.0);
    add_muni(&sc, "Queue", 10.8);
    add_post(&sc, "Servers", "Kreis", 12.0, (size_t[]){ 0 }, 1);
    cli_erlang_row *r;
    assert_int_equal(cli_erlang_rows(&sc, &r), 1);
    assert_int_equal(r[0].c, 12);
    assert_int_equal(r[0].pool, 0);
    assert_true(CLOSE(r[0].lambda, 10.8, 1e-12) && CLOSE(r[0].mu, 1.0, 1e-12));
    assert_true(CLOSE(r[0].theta, 0.5, 1e-12));
    double C = sum_c(12, 10.8);
    assert_true(CLOSE(r[0].p_wait, C, 1e-9));
    assert_true(CLOSE(r[0].wait_mean, C / 1.2, 1e-9));
    assert_true(CLOSE(r[0].wait_q, log(C / 0.1) / 1.2, 1e-9));
    double pw, wm;
    chain_a(12, 10.8, 1.0, 0.5, &pw, &wm);
    assert_true(r[0].has_a && CLOSE(r[0].a.p_wait, pw, 1e-9) && CLOSE(r[0].a.wait_mean, wm, 1e-9));
    free(r);
    kim_scenario_fini(&sc);
}

/* A town with a post of its own and a pool counts at its own post only;
 * a non-exponential patience switches Erlang A off. */
static void test_decisions_erlang_home_and_pool(void **state)
{
    (void)state;
    kim_scenario sc;
    kim_scenario_defaults(&sc);
    add_type(&sc, "standard", 0.65, 2, 180.0, 120.0);
    add_type(&sc, "housing", 0.35, 2, 234.0, 0.0);
    add_muni(&sc, "A", 0.2);
    add_muni(&sc, "B", 0.15);
    add_muni(&sc, "C", 0.05);
    add_post(&sc, "Home A", "DRK", 1.5, (size_t[]){ 0 }, 1);
    add_post(&sc, "Pool", "Kreis", 4.65, (size_t[]){ 0, 1, 2 }, 3);
    cli_erlang_row *r;
    assert_int_equal(cli_erlang_rows(&sc, &r), 2);
    assert_true(!r[0].pool && r[0].c == 60 && CLOSE(r[0].lambda, 0.2, 1e-12));
    assert_true(r[1].pool && r[1].c == 186 && r[1].n_towns == 3);
    assert_true(CLOSE(r[1].lambda, 0.2, 1e-12));              /* B + C only */
    assert_true(CLOSE(1.0 / r[1].mu, 0.65 * 180.0 + 0.35 * 234.0, 1e-12));
    assert_true(CLOSE(r[1].theta, 0.65 / 120.0, 1e-12));
    free(r);
    sc.case_types[1].patience = (kim_dist){ .kind = KIM_DIST_FIXED, .p = { 30.0 }, .max = INFINITY };
    assert_int_equal(cli_erlang_rows(&sc, &r), 2);
    assert_false(r[0].has_a);
    assert_true(r[0].theta < 0.0);
    free(r);
    kim_scenario_fini(&sc);
}

/* ------------------------------------------------------------------ */
/* Paired comparison                                                    */
/* ------------------------------------------------------------------ */

/* Default district, Diakonie Erkelenz at 1.0 and 1.5 FTE with the same
 * seeds (--vary): the paired CI of the difference is narrower than the
 * unpaired (Welch) one on the same replications, for the wait and the
 * within-target share in Erkelenz; the cost differs by exactly 0.5 FTE. */
static void test_decisions_paired_narrower(void **state)
{
    (void)state;
    const char *files[] = { "scenarios/default.cfg" };
    const char *vary[] = { "posts.diakonie-erkelenz.fte=1.0,1.5" };
    cli_opts o = { .files = files, .n_files = 1, .vary = vary, .n_vary = 1,
                   .reps = 10, .jobs = 2, .quiet = 1 };
    cli_run run = { .o = &o };
    assert_int_equal(cli_load_variants(&run), 0);
    assert_int_equal(run.n_v, 2);
    for (size_t v = 0; v < 2; v++)
        an_variant_init(&run.v[v].res, run.v[v].sc.name, run.v[v].label, &run.v[v].sc,
                        &run.v[v].groups, 10);
    assert_int_equal(cli_execute(&run), 0);
    const an_variant *a = &run.v[0].res, *b = &run.v[1].res;
    long g = an_group_by_label(a->groups, "municipality:Erkelenz");
    assert_true(g > 0);
    const kim_metric ms[] = { KIM_M_WAIT_TARGET_Q, KIM_M_WITHIN_TARGET_SHARE };
    for (size_t i = 0; i < 2; i++) {
        an_stat p, u;
        an_paired_diff(a, (size_t)g, b, (size_t)g, ms[i], &p);
        an_unpaired_diff(a, (size_t)g, b, (size_t)g, ms[i], &u);
        assert_true(fabs(p.mean - u.mean) < 1e-9 * fmax(1.0, fabs(u.mean)));
        print_message("%s: paired CI width %.3f, unpaired %.3f\n", kim_metric_names[ms[i]],
                      p.ci_high - p.ci_low, u.ci_high - u.ci_low);
        assert_true(p.ci_high - p.ci_low < u.ci_high - u.ci_low);
    }
    an_stat cost;
    an_paired_diff(a, 0, b, 0, KIM_M_COST_EUR, &cost);
    assert_true(fabs(cost.mean - 0.5 * (55000.0 + 5000.0)) < 1e-6);
    assert_true(cost.ci_high - cost.ci_low < 1e-6);
    cli_run_fini(&run);
}

/* The sentence from constructed replications: p90 wait 41 -> 12
 * days, inadequate -> adequate, +27,500 EUR/year. */
static void test_decisions_sentence(void **state)
{
    (void)state;
    fixture base, var;
    one_town(&base.sc, 0.2, 1.0);
    one_town(&var.sc, 0.2, 1.5);
    fixture_init(&base, "posts.diakonie-erkelenz.fte=1.0", 4);
    fixture_init(&var, "posts.diakonie-erkelenz.fte=1.5", 4);
    put(&base.v, 1, KIM_M_WAIT_TARGET_Q, (double[]){ 40.0, 42.0, 41.0, 41.0 });
    put(&var.v, 1, KIM_M_WAIT_TARGET_Q, (double[]){ 12.0, 13.0, 11.0, 12.0 });
    put(&base.v, 1, KIM_M_WITHIN_TARGET_SHARE, (double[]){ 0.41, 0.45, 0.38, 0.42 });
    put(&var.v, 1, KIM_M_WITHIN_TARGET_SHARE, (double[]){ 0.95, 0.97, 0.96, 0.94 });
    put(&base.v, 0, KIM_M_COST_EUR, (double[]){ 55000, 55000, 55000, 55000 });
    put(&var.v, 0, KIM_M_COST_EUR, (double[]){ 82500, 82500, 82500, 82500 });
    /* differences -28, -29, -30, -29: mean -29, sd sqrt(2/3) */
    double h = gsl_cdf_tdist_Pinv(0.975, 3.0) * sqrt(2.0 / 3.0) / 2.0;
    char want[512], got[512] = "";
    snprintf(want, sizeof want, "Diakonie Erkelenz at 1.5 instead of 1.0 FTE: p90 wait in "
             "Erkelenz 12 instead of 41 days (29 days shorter, 95 %% CI %.0f\xe2\x80\x93%.0f); "
             "verdict inadequate \xe2\x86\x92 adequate; cost +27,500 EUR/year.\n",
             29.0 - h, 29.0 + h);
    FILE *f = fmemopen(got, sizeof got - 1, "w");
    an_print_comparison(f, &base.v, &var.v);
    fclose(f);
    assert_string_equal(got, want);
    char csv[1 << 15] = "";
    f = fmemopen(csv, sizeof csv - 1, "w");
    assert_int_equal(an_write_comparison_header(f), 0);
    assert_int_equal(an_write_comparison(f, &base.v, &var.v), 0);
    fclose(f);
    assert_non_null(strstr(csv, "scenario,baseline,variant,group,metric,diff_mean,"
                                "diff_ci_low,diff_ci_high\n"));
    snprintf(want, sizeof want, "s,posts.diakonie-erkelenz.fte=1.0,posts.diakonie-erkelenz."
             "fte=1.5,municipality:Erkelenz,wait_target_quantile,-29,%.10g,%.10g\n",
             -29.0 - h, -29.0 + h);
    assert_non_null(strstr(csv, want));
    fixture_fini(&base);
    fixture_fini(&var);
}

static void test_decisions_change_phrase(void **state)
{
    (void)state;
    fixture a, b;
    one_town(&a.sc, 0.2, 1.0);
    one_town(&b.sc, 0.2, 1.0);
    fixture_init(&a, "posts.diakonie-erkelenz.fte=1.0;horizon_days=730", 1);
    fixture_init(&b, "posts.diakonie-erkelenz.fte=1.0;horizon_days=1095", 1);
    char s[256];
    an_change_phrase(&a.v, &b.v, s, sizeof s);
    assert_string_equal(s, "horizon_days = 1095 instead of 730");
    b.v.scenario = "unna-separate";
    a.v.scenario = "unna";
    an_change_phrase(&a.v, &b.v, s, sizeof s);
    assert_string_equal(s, "unna-separate instead of unna");
    fixture_fini(&a);
    fixture_fini(&b);
}

/* ------------------------------------------------------------------ */
/* Recommendation                                                       */
/* ------------------------------------------------------------------ */

/* mmc.cfg (lambda 10.8/day, mean 1 day, caseload 1: FTE = servers) with a
 * target of 90 % within 0.5 days: the smallest c with
 * 1 - C(c, a) e^{-(c - a) 0.5} >= 0.9 (Kleinrock 1975, vol. 1 §3.5). */
static long mmc_servers(double lambda, double t, double q)
{
    for (long c = 1;; c++)
        if ((double)c > lambda && 1.0 - sum_c(c, lambda) * exp(-((double)c - lambda) * t) >= q)
            return c;
}

static void test_decisions_recommend_mmc(void **state)
{
    (void)state;
    long want = mmc_servers(10.8, 0.5, 0.9);
    assert_int_equal(want, 14);     /* P(W <= 0.5): 0.858 at 13, 0.945 at 14 */
    const char *files[] = { "scenarios/mmc.cfg" };
    scn_override sets[] = { { .assignment = "horizon_days=1000" }, { .assignment = "warmup_days=50" },
                            { .assignment = "targets.wait_days=0.5" } };
    cli_opts o = { .files = files, .n_files = 1, .sets = sets, .n_sets = 3,
                   .reps = 8, .jobs = 2, .quiet = 1 };
    cli_rec_post *out;
    size_t n;
    assert_int_equal(cli_recommend_posts(&o, 1.0, &out, &n), 0);
    assert_int_equal(n, 1);
    assert_true(out[0].current_fte == 12.0);
    assert_true(out[0].fte == (double)want);
    assert_int_equal(out[0].at_fte.verdict, AN_ADEQUATE);
    assert_int_equal(out[0].at_current.verdict, AN_INADEQUATE);
    free(out);
}

static void test_decisions_grid_and_pick(void **state)
{
    (void)state;
    assert_true(an_fte_grid_start(0.5) == 0.5);
    assert_true(an_fte_grid_start(1.0) == 1.0);
    assert_true(fabs(an_fte_grid_start(0.3) - 0.6) < 1e-12);
    assert_true(an_fte_grid_start(0.25) == 0.5);
    const an_alloc_score s[] = {
        { 3, 10.0, 5.0 }, { 4, 50.0, 5.0 }, { 4, 20.0, 9.0 }, { 4, 20.0, 7.5 },
        { 4, 20.0, 7.5 }
    };
    assert_int_equal(an_alloc_pick(s, 5), 3);    /* count, then wait, then queue; first on ties */
    assert_int_equal(an_alloc_pick(s, 1), 0);
}

/* Kreis Unna's towns, 8 VZÄ by formula (unna-separate.cfg weights, sum
 * 8.01).  Shares 8 w / 8.01: Lünen 1.698, Werne 0.589, Selm 0.509, Kamen
 * 0.849, Bergkamen 1.189, Bönen 0.380 (< 0.5: pooled with the next post,
 * Diakonie Unna: 1.129 + 0.380 = 1.509), Schwerte 0.909, Fröndenberg +
 * Holzwickede 0.749.  In units of 0.5 the floors give 13 units (6.5 FTE);
 * the 3 left go to the largest remainders: Schwerte (.818), Kamen (.698),
 * the Kreis pool (.498). */
static void test_decisions_formula_split_unna(void **state)
{
    (void)state;
    kim_scenario sc;
    scn_err err;
    assert_int_equal(scn_load("scenarios/unna-separate.cfg", NULL, 0, &sc, &err), 0);
    assert_int_equal(sc.n_posts, 9);
    double fte[9];
    long into[9];
    assert_int_equal(an_formula_split(&sc, 8.0, fte, into), 0);
    const double want[9] = { 1.5, 0.5, 0.5, 1.0, 1.0, 0.0, 1.5, 1.0, 1.0 };
    double sum = 0.0;
    for (size_t p = 0; p < 9; p++) {
        assert_true(fabs(fte[p] - want[p]) < 1e-12);
        assert_int_equal(into[p], p == 5 ? 6 : -1);
        sum += fte[p];
    }
    assert_true(fabs(sum - 8.0) < 1e-12);
    assert_int_equal(an_formula_split(&sc, 0.25, fte, into), -1);
    kim_scenario_fini(&sc);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_decisions_mser_synthetic_transient),
        cmocka_unit_test(test_decisions_mser_step_and_short),
        cmocka_unit_test(test_decisions_verdict_outcomes),
        cmocka_unit_test(test_decisions_stability_simulated),
        cmocka_unit_test(test_decisions_erlang_formulas),
        cmocka_unit_test(test_decisions_erlang_rows),
        cmocka_unit_test(test_decisions_erlang_home_and_pool),
        cmocka_unit_test(test_decisions_paired_narrower),
        cmocka_unit_test(test_decisions_sentence),
        cmocka_unit_test(test_decisions_change_phrase),
        cmocka_unit_test(test_decisions_recommend_mmc),
        cmocka_unit_test(test_decisions_grid_and_pick),
        cmocka_unit_test(test_decisions_formula_split_unna),
    };
    gsl_set_error_handler_off();
    return cmocka_run_group_tests(tests, NULL, NULL);
}
