/*
 * test_model.c — the district model against queueing theory and its own
 * bookkeeping: M/M/c (Erlang C) and M/M/1 waits, Little's law,
 * conservation of cases, common random numbers, reproducibility, the
 * distributions' moments.  Expected values are computed here from the
 * formulas; tolerances are 3 standard errors over independent replications.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <gsl/gsl_statistics_double.h>

#include "../models/kim.h"
#include "../sim/sim.h"

#include "build.h"

/* M/M/c: one municipality, one post of c slots, exponential service. */
static void mmc(kim_scenario *sc, long c, double lambda, double mean, double horizon,
                double warmup)
{
    kim_scenario_defaults(sc);
    sc->name = sim_xstrdup("mmc");
    sc->horizon_days = horizon;
    sc->warmup_days = warmup;
    sc->caseload_per_fte = 1.0;
    sc->sample_days = 0.0;
    sc->seed = 2385;
    add_type(sc, "standard", 1.0, 1, mean, 0.0);
    add_muni(sc, "Erkelenz", lambda);
    size_t m0 = 0;
    add_post(sc, "Diakonie Erkelenz", "Diakonie", (double)c, &m0, 1);
}

/* ------------------------------------------------------------------ */
/* Helpers                                                              */
/* ------------------------------------------------------------------ */

typedef struct runs {
    kim_groups g;
    size_t reps;
    double *v;       /* reps x g.n x KIM_N_METRICS */
} runs;

static void run_reps(const kim_scenario *sc, size_t reps, runs *out)
{
    kim_groups_init(&out->g, sc);
    out->reps = reps;
    size_t stride = out->g.n * KIM_N_METRICS;
    out->v = sim_xcalloc(reps * stride, sizeof *out->v);
    kim_model *m = kim_model_new(sc);
    for (size_t r = 0; r < reps; r++) kim_model_run(m, r, NULL, out->v + r * stride, NULL);
    kim_model_free(m);
}

static void runs_fini(runs *r)
{
    kim_groups_fini(&r->g);
    free(r->v);
}

static double val(const runs *r, size_t rep, size_t group, kim_metric k)
{
    return r->v[(rep * r->g.n + group) * KIM_N_METRICS + k];
}

/* Mean and standard error over replications of a metric of a group. */
static void mean_se(const runs *r, size_t group, kim_metric k, double *mean, double *se)
{
    double *x = sim_xmalloc(r->reps * sizeof *x);
    for (size_t i = 0; i < r->reps; i++) x[i] = val(r, i, group, k);
    *mean = gsl_stats_mean(x, 1, r->reps);
    *se = gsl_stats_sd(x, 1, r->reps) / sqrt((double)r->reps);
    free(x);
}

/* Erlang C, computed here from its explicit sum (Kleinrock 1975, §3.5):
 * C = (a^c/c!)(c/(c-a)) / (sum_{k<c} a^k/k! + (a^c/c!)(c/(c-a))). */
static double erlang_c_direct(long c, double a)
{
    double term = 1.0, sum = 0.0;
    for (long k = 0; k < c; k++) {
        sum += term;
        term *= a / (double)(k + 1);
    }
    double top = term * (double)c / ((double)c - a);
    return top / (sum + top);
}

static void assert_within_3se(double est, double se, double expected, double max_rel_se)
{
    /* the test must be able to fail: the standard error has to be small */
    assert_true(se < max_rel_se * fabs(expected));
    if (fabs(est - expected) > 3.0 * se)
        fail_msg("estimate %.6g, expected %.6g, 3 SE = %.3g", est, expected, 3.0 * se);
}

/* ------------------------------------------------------------------ */
/* Queueing theory                                                      */
/* ------------------------------------------------------------------ */

/* M/M/12, lambda 10.8/day, mean duration 1 day: Erlang C gives
 * P(wait) = 0.6400 and E[W] = C / (c mu - lambda) = 0.5334 days. */
static void test_model_mmc_matches_erlang_c(void **state)
{
    (void)state;
    kim_scenario sc;
    /* Long replications (650,000 cases each): a replication's mean wait at
     * utilisation 0.9 is right-skewed, and the t-based 3-SE band covers as
     * it should only when each mean is close to normal. */
    mmc(&sc, 12, 10.8, 1.0, 60000.0, 200.0);
    runs r;
    run_reps(&sc, 10, &r);
    double C = erlang_c_direct(12, 10.8), ew = C / (12.0 - 10.8);
    assert_float_equal(C, 0.6400, 5e-4);
    assert_float_equal(ew, 0.5334, 5e-4);
    double mean, se;
    mean_se(&r, 0, KIM_M_WAIT_MEAN, &mean, &se);
    assert_within_3se(mean, se, ew, 0.03);
    mean_se(&r, 0, KIM_M_P_WAIT, &mean, &se);
    assert_within_3se(mean, se, C, 0.01);
    /* utilization = lambda / (c mu) */
    mean_se(&r, 0, KIM_M_UTILIZATION, &mean, &se);
    assert_within_3se(mean, se, 0.9, 0.01);
    /* p90 wait: P(W > t) = C e^{-(c mu - lambda) t} */
    mean_se(&r, 0, KIM_M_WAIT_P90, &mean, &se);
    assert_within_3se(mean, se, log(C / 0.1) / 1.2, 0.03);
    runs_fini(&r);
    kim_scenario_fini(&sc);
}

/* M/M/1 at utilization 0.5 and 0.8: E[W] = rho / (mu - lambda). */
static void test_model_mm1_matches_theory(void **state)
{
    (void)state;
    double rhos[] = { 0.5, 0.8 };
    for (int i = 0; i < 2; i++) {
        kim_scenario sc;
        mmc(&sc, 1, rhos[i], 1.0, 100000.0, 1000.0);
        runs r;
        run_reps(&sc, 10, &r);
        double mean, se;
        mean_se(&r, 0, KIM_M_WAIT_MEAN, &mean, &se);
        assert_within_3se(mean, se, rhos[i] / (1.0 - rhos[i]), 0.04);
        mean_se(&r, 0, KIM_M_P_WAIT, &mean, &se);
        assert_within_3se(mean, se, rhos[i], 0.02);
        runs_fini(&r);
        kim_scenario_fini(&sc);
    }
}

/* Two towns sharing a pool with reneging, priorities and a home post. */
static void district(kim_scenario *sc)
{
    kim_scenario_defaults(sc);
    sc->name = sim_xstrdup("district");
    sc->horizon_days = 3000.0;
    sc->warmup_days = 150.0;
    sc->sample_days = 5.0;
    sc->caseload_per_fte = 10.0;
    sc->seed = 77;
    add_type(sc, "standard", 0.65, 2, 30.0, 40.0);
    add_type(sc, "urgent", 0.35, 1, 45.0, 0.0);
    add_muni(sc, "Hückelhoven", 0.8);
    add_muni(sc, "Bönen", 0.45);
    size_t home = 0, both[2] = { 0, 1 };
    add_post(sc, "DRK Hückelhoven", "DRK", 1.5, &home, 1);
    add_post(sc, "Kreis KI", "Kreis", 2.35, both, 2);
    sc->munis[1].initial_waiting = 12;
    sc->munis[0].initial_open = 20;
}

/* Little's law per municipality: time-average waiting list = arrival rate
 * x mean wait (waits of reneged cases are their time in the queue, so the
 * law is checked on a scenario without reneging). */
static void test_model_littles_law(void **state)
{
    (void)state;
    kim_scenario sc;
    district(&sc);
    sc.case_types[0].patience.kind = KIM_DIST_NONE;
    sc.posts[1].fte = sc.posts[1].filled_fte = 3.35;  /* stable: rho = 44.1 / 48 */
    sc.horizon_days = 40000.0;
    runs r;
    run_reps(&sc, 8, &r);
    for (size_t mu = 0; mu < 2; mu++) {
        size_t g = kim_group_of(&r.g, KIM_G_MUNI, mu);
        double *d = sim_xmalloc(r.reps * sizeof *d), lq = 0.0;
        for (size_t i = 0; i < r.reps; i++) {
            double lambda = val(&r, i, g, KIM_M_ARRIVALS) / (sc.horizon_days - sc.warmup_days);
            d[i] = val(&r, i, g, KIM_M_QUEUE_MEAN) - lambda * val(&r, i, g, KIM_M_WAIT_MEAN);
            lq += val(&r, i, g, KIM_M_QUEUE_MEAN) / (double)r.reps;
        }
        double mean = gsl_stats_mean(d, 1, r.reps);
        double se = gsl_stats_sd(d, 1, r.reps) / sqrt((double)r.reps);
        assert_true(lq > 0.5);                      /* a real queue */
        assert_true(fabs(mean) <= 3.0 * se + 0.01 * lq);
        free(d);
    }
    runs_fini(&r);
    kim_scenario_fini(&sc);
}

/* arrivals = closed + reneged + open_at_end + waiting_at_end, exactly, for
 * the district, each municipality and each case type; a post's intake is
 * closed + open at end. */
static void test_model_conservation(void **state)
{
    (void)state;
    kim_scenario sc;
    district(&sc);
    runs r;
    run_reps(&sc, 5, &r);
    for (size_t i = 0; i < r.reps; i++)
        for (size_t g = 0; g < r.g.n; g++) {
            double a = val(&r, i, g, KIM_M_ARRIVALS);
            double out = val(&r, i, g, KIM_M_CLOSED) + val(&r, i, g, KIM_M_OPEN_AT_END);
            if (r.g.kind[g] != KIM_G_POST && r.g.kind[g] != KIM_G_CARRIER)
                out += val(&r, i, g, KIM_M_RENEGED) + val(&r, i, g, KIM_M_WAITING_AT_END);
            assert_true(a > 0.0);
            assert_float_equal(a, out, 0.0);
        }
    double reneged = val(&r, 0, 0, KIM_M_RENEGED);
    assert_true(reneged > 0.0);                     /* reneging happened */
    runs_fini(&r);
    kim_scenario_fini(&sc);
}

/* Same seed: identical values, whether the model is fresh or reused and
 * in whatever order the replications run (as threads do); another seed:
 * different.  With and without a warm-up: without one, nothing restarts
 * the accumulators mid-run, so a workspace must start each replication
 * clean (this once leaked the backlog regression between replications). */
static void check_reproducible(double warmup)
{
    kim_scenario sc;
    district(&sc);
    sc.warmup_days = warmup;
    runs a, b;
    run_reps(&sc, 3, &a);
    kim_groups_init(&b.g, &sc);
    size_t stride = b.g.n * KIM_N_METRICS;
    b.reps = 3;
    b.v = sim_xcalloc(3 * stride, sizeof *b.v);
    for (size_t rep = 3; rep-- > 0;) {          /* other order, fresh models */
        kim_model *m = kim_model_new(&sc);
        kim_model_run(m, rep, NULL, b.v + rep * stride, NULL);
        kim_model_free(m);
    }
    assert_memory_equal(a.v, b.v, 3 * stride * sizeof *a.v);
    sc.seed = 78;
    runs c;
    run_reps(&sc, 1, &c);
    assert_true(memcmp(a.v, c.v, stride * sizeof *a.v) != 0);
    runs_fini(&a);
    runs_fini(&b);
    runs_fini(&c);
    kim_scenario_fini(&sc);
}

static void test_model_reproducible(void **state)
{
    (void)state;
    check_reproducible(150.0);
    check_reproducible(0.0);
}

/* Common random numbers: more FTE at a post changes waits, not arrivals. */
static void test_model_common_random_numbers(void **state)
{
    (void)state;
    kim_scenario sc;
    district(&sc);
    runs a, b;
    run_reps(&sc, 3, &a);
    sc.posts[0].fte = sc.posts[0].filled_fte = 2.5;
    run_reps(&sc, 3, &b);
    for (size_t i = 0; i < 3; i++) {
        assert_float_equal(val(&a, i, 0, KIM_M_ARRIVALS), val(&b, i, 0, KIM_M_ARRIVALS), 0.0);
        assert_true(val(&b, i, 1, KIM_M_WAIT_MEAN) < val(&a, i, 1, KIM_M_WAIT_MEAN));
    }
    runs_fini(&a);
    runs_fini(&b);
    kim_scenario_fini(&sc);
}

/* ------------------------------------------------------------------ */
/* Distributions                                                        */
/* ------------------------------------------------------------------ */

/* Sample mean and sd of each distribution against its parameters, with
 * standard errors from 40 batch means (no assumption on the shape). */
static void check_moments(const kim_dist *d, double mean, double sd)
{
    enum { B = 40, PER = 10000 };
    gsl_rng *r = sim_rng_new(NULL, 2385);
    double bm[B], bs[B], x[PER];
    for (int b = 0; b < B; b++) {
        for (int i = 0; i < PER; i++) x[i] = kim_dist_draw(d, r);
        bm[b] = gsl_stats_mean(x, 1, PER);
        bs[b] = gsl_stats_sd(x, 1, PER);
    }
    double m = gsl_stats_mean(bm, 1, B), se_m = gsl_stats_sd(bm, 1, B) / sqrt(B);
    double s = gsl_stats_mean(bs, 1, B), se_s = gsl_stats_sd(bs, 1, B) / sqrt(B);
    if (fabs(m - mean) > 3.0 * se_m + 1e-12 * fabs(mean))
        fail_msg("%s: mean %.6g, expected %.6g (3 SE %.3g)", kim_dist_name(d->kind), m, mean, 3 * se_m);
    /* batch sds are biased low by O(1/PER); allow it */
    if (fabs(s - sd) > 3.0 * se_s + 2e-4 * sd + 1e-12)
        fail_msg("%s: sd %.6g, expected %.6g (3 SE %.3g)", kim_dist_name(d->kind), s, sd, 3 * se_s);
    gsl_rng_free(r);
}

static void test_model_distribution_moments(void **state)
{
    (void)state;
    kim_dist d = { .max = INFINITY };
    d.kind = KIM_DIST_EXPONENTIAL; d.p[0] = 2.385;
    check_moments(&d, 2.385, 2.385);
    kim_dist_lognormal_median(&d, 180.0, 0.7);
    check_moments(&d, 180.0 * exp(0.245), 180.0 * exp(0.245) * sqrt(expm1(0.49)));
    kim_dist_lognormal_mean_sd(&d, 230.5, 61.25);
    check_moments(&d, 230.5, 61.25);
    kim_dist_gamma_mean_sd(&d, 270.0, 90.0);
    check_moments(&d, 270.0, 90.0);
    d.kind = KIM_DIST_WEIBULL; d.p[0] = 1.7; d.p[1] = 95.0;
    check_moments(&d, 95.0 * tgamma(1 + 1 / 1.7),
                  95.0 * sqrt(tgamma(1 + 2 / 1.7) - pow(tgamma(1 + 1 / 1.7), 2)));
    d.kind = KIM_DIST_UNIFORM; d.p[0] = 3.5; d.p[1] = 17.25;
    check_moments(&d, (3.5 + 17.25) / 2, (17.25 - 3.5) / sqrt(12.0));
    d.kind = KIM_DIST_TRIANGULAR; d.p[0] = 10.0; d.p[1] = 25.5; d.p[2] = 90.0;
    check_moments(&d, (10 + 25.5 + 90) / 3,
                  sqrt((100 + 8100 + 650.25 - 900 - 255 - 2295) / 18.0));
    d.kind = KIM_DIST_FIXED; d.p[0] = 14.25;
    check_moments(&d, 14.25, 0.0);
    double vals[] = { 3.0, 7.5, 7.5, 21.0, 40.25 };
    d.kind = KIM_DIST_EMPIRICAL; d.values = vals; d.n_values = 5;
    check_moments(&d, kim_dist_mean(&d), kim_dist_sd(&d));
    assert_float_equal(kim_dist_mean(&d), (3 + 7.5 + 7.5 + 21 + 40.25) / 5, 1e-12);
    /* a cap: no draw above max */
    kim_dist_lognormal_median(&d, 180.0, 0.7);
    d.values = NULL; d.max = 365.0;
    gsl_rng *r = sim_rng_new(NULL, 9);
    for (int i = 0; i < 100000; i++) assert_true(kim_dist_draw(&d, r) <= 365.0);
    gsl_rng_free(r);
}

static void test_model_ids_and_slots(void **state)
{
    (void)state;
    const char *names[][2] = {
        { "DRK Hückelhoven", "drk-hueckelhoven" }, { "Bönen", "boenen" },
        { "Kreis KI", "kreis-ki" }, { "Straße  am Ölberg!", "strasse-am-oelberg" },
        { "Fröndenberg/Ruhr", "froendenberg-ruhr" },
    };
    for (size_t i = 0; i < 5; i++) {
        char *id = kim_make_id(names[i][0]);
        assert_string_equal(id, names[i][1]);
        free(id);
    }
    assert_int_equal(kim_slots(1.5, 40.0), 60);
    assert_int_equal(kim_slots(4.65, 40.0), 186);
    assert_int_equal(kim_slots(0.1 + 0.2, 10.0), 3);   /* 2.9999999999999996 */
    assert_int_equal(kim_slots(0.0, 40.0), 0);
}

/* ------------------------------------------------------------------ */
/* Overload: the run stops at max_waiting                               */
/* ------------------------------------------------------------------ */

/* One post of 1 slot; cases of exactly 100 days referred at days 1, 2, 3
 * and 4; max_waiting 3.  Case 1 starts at day 1, cases 2-4 wait, and the
 * arrival at day 4 brings the list to the limit: the run stops at day 4. */
static void overload_case(kim_scenario *sc, double warmup)
{
    kim_scenario_defaults(sc);
    sc->name = sim_xstrdup("overload");
    sc->horizon_days = 50.0;
    sc->warmup_days = warmup;
    sc->sample_days = 0.0;
    sc->caseload_per_fte = 1.0;
    sc->max_waiting = 3;
    four_referrals(sc, 100.0, 1.0);
}

static const kim_metric time_metrics[] = {
    KIM_M_QUEUE_MEAN, KIM_M_QUEUE_MAX, KIM_M_UTILIZATION, KIM_M_CASELOAD_PER_FTE,
    KIM_M_FILLED_FTE_MEAN, KIM_M_COST_EUR, KIM_M_BACKLOG_SLOPE
};

/* Runs the overload case; returns the values (caller frees) and *g. */
static double *run_overload(double warmup, kim_groups *g, kim_run_info *info)
{
    kim_scenario sc;
    overload_case(&sc, warmup);
    kim_groups_init(g, &sc);
    double *v = sim_xcalloc(g->n * KIM_N_METRICS, sizeof *v);
    kim_model *m = kim_model_new(&sc);
    assert_int_equal(kim_model_run(m, 0, NULL, v, info), KIM_RUN_OVERLOADED);
    kim_model_free(m);
    kim_scenario_fini(&sc);
    assert_true(info->overloaded);
    assert_float_equal(info->end_day, 4.0, 0.0);
    return v;
}

/* Stopped at day 4, before a warm-up of 10 days ended: no post-warm-up
 * time passed, so there is no time average (they once ran over [0, 4]:
 * utilization 3/4), and no case arrived after the warm-up. */
static void test_model_overload_before_warmup_has_no_time_averages(void **state)
{
    (void)state;
    kim_groups g;
    kim_run_info info;
    double *v = run_overload(10.0, &g, &info);
    for (size_t k = 0; k < g.n; k++) {
        const double *x = v + k * KIM_N_METRICS;
        for (size_t i = 0; i < sizeof time_metrics / sizeof *time_metrics; i++)
            if (!isnan(x[time_metrics[i]]))
                fail_msg("%s %s = %g, expected no value", g.label[k],
                         kim_metric_names[time_metrics[i]], x[time_metrics[i]]);
        assert_float_equal(x[KIM_M_STARTED], 0.0, 0.0);
    }
    assert_float_equal(v[KIM_M_ARRIVALS], 0.0, 0.0);
    free(v);
    kim_groups_fini(&g);
}

/* Stopped at day 4 after a warm-up of 2.5 days: the time averages cover
 * [2.5, 4].  The one slot is busy throughout (utilization 1, 1 case per
 * FTE); the list holds 1 case on [2.5, 3) and 2 on [3, 4), a mean of
 * (0.5 + 2) / 1.5 = 5/3, and reaches 3 at the stop; cases 3 and 4 arrived
 * after the warm-up. */
static void test_model_overload_after_warmup_averages_to_the_stop(void **state)
{
    (void)state;
    kim_groups g;
    kim_run_info info;
    double *v = run_overload(2.5, &g, &info);
    const double *d = v, *mu = v + kim_group_of(&g, KIM_G_MUNI, 0) * KIM_N_METRICS;
    const double *post = v + kim_group_of(&g, KIM_G_POST, 0) * KIM_N_METRICS;
    assert_float_equal(d[KIM_M_UTILIZATION], 1.0, 1e-12);
    assert_float_equal(post[KIM_M_UTILIZATION], 1.0, 1e-12);
    assert_float_equal(d[KIM_M_CASELOAD_PER_FTE], 1.0, 1e-12);
    assert_float_equal(d[KIM_M_FILLED_FTE_MEAN], 1.0, 1e-12);
    assert_float_equal(d[KIM_M_QUEUE_MEAN], 5.0 / 3.0, 1e-12);
    assert_float_equal(mu[KIM_M_QUEUE_MEAN], 5.0 / 3.0, 1e-12);
    assert_float_equal(d[KIM_M_QUEUE_MAX], 3.0, 0.0);
    assert_float_equal(d[KIM_M_ARRIVALS], 2.0, 0.0);
    assert_float_equal(d[KIM_M_WAITING_AT_END], 2.0, 0.0);
    free(v);
    kim_groups_fini(&g);
}

/* ------------------------------------------------------------------ */
/* cases.csv: the initial state comes first                             */
/* ------------------------------------------------------------------ */

typedef struct numbered { uint64_t n0; long initial, after, from_day0; } numbered;

static void count_case(void *ctx, uint64_t no, size_t muni, size_t type, int prio,
                       double arrival, double start, double end, const char *outcome,
                       long post)
{
    (void)muni; (void)type; (void)prio; (void)start; (void)end; (void)outcome; (void)post;
    numbered *c = ctx;
    if (no <= c->n0) {
        c->initial++;
        assert_true(arrival <= 0.0);         /* 1 .. N0: the initial state */
    } else {
        c->after++;
        assert_true(arrival >= 0.0);
    }
    c->from_day0 += arrival >= 0.0;
}

/* With warmup_days = 0 the initial open cases have arrival day 0, so
 * "arrival_day >= warmup_days" keeps them; they are cases 1 .. N0 (20 open
 * + 12 waiting), and "case > N0" leaves exactly the counted arrivals
 * (docs/csv.md, cases.csv). */
static void test_model_initial_cases_numbered_first(void **state)
{
    (void)state;
    kim_scenario sc;
    district(&sc);
    sc.warmup_days = 0.0;
    sc.horizon_days = 400.0;
    numbered c = { 32, 0, 0, 0 };
    kim_observer obs = { &c, NULL, count_case };
    kim_groups g;
    kim_groups_init(&g, &sc);
    double *v = sim_xcalloc(g.n * KIM_N_METRICS, sizeof *v);
    kim_model *m = kim_model_new(&sc);
    kim_model_run(m, 0, &obs, v, NULL);
    assert_int_equal(c.initial, 32);
    assert_true(c.after > 100);
    assert_float_equal(v[KIM_M_ARRIVALS], (double)c.after, 0.0);
    assert_int_equal(c.from_day0, c.after + 20);    /* + the initial open */
    kim_model_free(m);
    free(v);
    kim_groups_fini(&g);
    kim_scenario_fini(&sc);
}

/* ------------------------------------------------------------------ */
/* capacity_drop = "reassign": a resumed case counts once               */
/* ------------------------------------------------------------------ */

/* Kamen, cases of exactly 10 days referred at days 0, 1, 2, 3; post A of
 * 3 slots, post B (Kreis) of 3 slots but nobody in them.  Day 5: A drops
 * to 1 slot, and its two latest cases (3, then 2) go back to the list,
 * where case 4 waits since day 3.  Day 6 (when `b_day` < horizon): B is
 * staffed and takes 2, 3 and 4.  So cases 1-3 first started at A with no
 * wait, case 4 at B after 3 days; A closes 1, B closes 2, 3 and 4.  With
 * `two_posts` 0 there is only A, which takes 2, 3 and 4 back itself. */
static void reassign_case(kim_scenario *sc, int two_posts, double horizon)
{
    kim_scenario_defaults(sc);
    sc->name = sim_xstrdup("reassign");
    sc->horizon_days = horizon;
    sc->sample_days = 0.0;
    sc->caseload_per_fte = 3.0;
    sc->capacity_drop = KIM_DROP_REASSIGN;
    sc->targets.wait_days = 2.0;
    four_referrals(sc, 10.0, 0.0);
    sc->drivers = sim_xcalloc(2, sizeof *sc->drivers);
    kim_driver *d = &sc->drivers[sc->n_drivers++];
    *d = (kim_driver){ .kind = KIM_DRV_STAFFING, .day = 5.0, .post = 0, .fte = NAN,
                       .filled_fte = 0.34, .to_day = INFINITY, .share = NAN,
                       .duration_factor = 1.0 };
    if (!two_posts) return;
    size_t m0 = 0;
    add_post(sc, "Kreis KI", "Kreis", 1.0, &m0, 1);
    sc->posts[1].filled_fte = 0.0;
    d = &sc->drivers[sc->n_drivers++];
    *d = (kim_driver){ .kind = KIM_DRV_STAFFING, .day = 6.0, .post = 1, .fte = NAN,
                       .filled_fte = 1.0, .to_day = INFINITY, .share = NAN,
                       .duration_factor = 1.0 };
}

static double *run_once(const kim_scenario *sc, kim_groups *g)
{
    kim_groups_init(g, sc);
    double *v = sim_xcalloc(g->n * KIM_N_METRICS, sizeof *v);
    kim_model *m = kim_model_new(sc);
    kim_model_run(m, 0, NULL, v, NULL);
    kim_model_free(m);
    return v;
}

/* Each case is started once, at the post that first took it on: A 3
 * (waits 0, 0, 0), B 1 (wait 3), as many as the district's 4; p_wait is
 * waited / started over the same cases (A 0/3, B 1/1).  Resumed cases
 * once counted again in B's intake (3, p_wait 1/3, 6 in all posts). */
static void test_model_reassign_counts_a_case_once(void **state)
{
    (void)state;
    kim_scenario sc;
    reassign_case(&sc, 1, 50.0);
    kim_groups g;
    double *v = run_once(&sc, &g);
    const double *d = v, *a = v + kim_group_of(&g, KIM_G_POST, 0) * KIM_N_METRICS;
    const double *b = v + kim_group_of(&g, KIM_G_POST, 1) * KIM_N_METRICS;
    const double *kreis = v + kim_group_of(&g, KIM_G_CARRIER, 1) * KIM_N_METRICS;
    assert_float_equal(d[KIM_M_STARTED], 4.0, 0.0);
    assert_float_equal(a[KIM_M_STARTED], 3.0, 0.0);
    assert_float_equal(b[KIM_M_STARTED], 1.0, 0.0);
    assert_float_equal(b[KIM_M_ARRIVALS], 1.0, 0.0);       /* intake = started */
    assert_float_equal(kreis[KIM_M_STARTED], 1.0, 0.0);
    assert_float_equal(a[KIM_M_CLOSED], 1.0, 0.0);
    assert_float_equal(b[KIM_M_CLOSED], 3.0, 0.0);
    assert_float_equal(a[KIM_M_P_WAIT], 0.0, 0.0);
    assert_float_equal(b[KIM_M_P_WAIT], 1.0, 0.0);
    assert_float_equal(b[KIM_M_WAIT_MEAN], 3.0, 1e-12);
    assert_float_equal(d[KIM_M_P_WAIT], 0.25, 0.0);
    free(v);
    kim_groups_fini(&g);
    kim_scenario_fini(&sc);

    /* one post: 2 and 3 resume where they started; 4 cases, 4 closes */
    reassign_case(&sc, 0, 50.0);
    v = run_once(&sc, &g);
    a = v + kim_group_of(&g, KIM_G_POST, 0) * KIM_N_METRICS;
    assert_float_equal(a[KIM_M_STARTED], 4.0, 0.0);
    assert_float_equal(a[KIM_M_CLOSED], 4.0, 0.0);
    assert_float_equal(a[KIM_M_P_WAIT], 0.25, 0.0);
    free(v);
    kim_groups_fini(&g);
    kim_scenario_fini(&sc);
}

/* At a horizon of 5.5 days (target wait 2), cases 2 and 3 are back on the
 * list after starting at once, and case 4 has waited 2.5 days: all three
 * are waiting at the end, but only case 4 is late.  within_target_share =
 * 3 within of 3 started + 1 late = 0.75 (2 and 3 once counted twice:
 * 3 / 6). */
static void test_model_reassign_judges_a_wait_once(void **state)
{
    (void)state;
    kim_scenario sc;
    reassign_case(&sc, 1, 5.5);
    kim_groups g;
    double *v = run_once(&sc, &g);
    assert_float_equal(v[KIM_M_STARTED], 3.0, 0.0);
    assert_float_equal(v[KIM_M_WAITING_AT_END], 3.0, 0.0);
    assert_float_equal(v[KIM_M_WITHIN_TARGET_SHARE], 0.75, 0.0);
    free(v);
    kim_groups_fini(&g);
    kim_scenario_fini(&sc);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_model_mmc_matches_erlang_c),
        cmocka_unit_test(test_model_mm1_matches_theory),
        cmocka_unit_test(test_model_littles_law),
        cmocka_unit_test(test_model_conservation),
        cmocka_unit_test(test_model_reproducible),
        cmocka_unit_test(test_model_common_random_numbers),
        cmocka_unit_test(test_model_distribution_moments),
        cmocka_unit_test(test_model_ids_and_slots),
        cmocka_unit_test(test_model_overload_before_warmup_has_no_time_averages),
        cmocka_unit_test(test_model_overload_after_warmup_averages_to_the_stop),
        cmocka_unit_test(test_model_initial_cases_numbered_first),
        cmocka_unit_test(test_model_reassign_counts_a_case_once),
        cmocka_unit_test(test_model_reassign_judges_a_wait_once),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
