/*
 * test_dynamics.c — a district that moves through time: time-varying
 * arrivals (thinning), capacity drops (finish / reassign, exact event
 * sequence), trace replay, staffing turnover against renewal theory,
 * housing shortage, programme end and the initial state.
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

#include "build.h"

/* ---- a case log filled by the trace observer ----------------------- */
typedef struct logged {
    uint64_t no;
    size_t muni, type;
    double arrival, start, end;
    char outcome[16];
    long post;
} logged;

typedef struct caselog { logged *c; size_t n; } caselog;

static void log_case(void *ctx, uint64_t no, size_t muni, size_t type, int prio,
                     double arrival, double start, double end, const char *outcome,
                     long post)
{
    (void)prio;
    caselog *l = ctx;
    l->c = sim_xrealloc(l->c, (l->n + 1) * sizeof *l->c);
    logged *x = &l->c[l->n++];
    *x = (logged){ no, muni, type, arrival, start, end, "", post };
    snprintf(x->outcome, sizeof x->outcome, "%s", outcome);
}

static int by_no(const void *a, const void *b)
{
    const logged *x = a, *y = b;
    return (x->no > y->no) - (x->no < y->no);
}

/* Runs replication rep and returns its case log sorted by case number. */
static void run_logged(const kim_scenario *sc, unsigned long rep, caselog *l, double *values)
{
    memset(l, 0, sizeof *l);
    kim_observer obs = { .ctx = l, .trace = log_case };
    kim_model *m = kim_model_new(sc);
    kim_model_run(m, rep, &obs, values, NULL);
    kim_model_free(m);
    qsort(l->c, l->n, sizeof *l->c, by_no);
}

static double *values_for(const kim_scenario *sc)
{
    kim_groups g;
    kim_groups_init(&g, sc);
    double *v = sim_xcalloc(g.n * KIM_N_METRICS, sizeof *v);
    kim_groups_fini(&g);
    return v;
}

/* A roomy district: arrivals never wait, so only arrivals matter. */
static void roomy(kim_scenario *sc, double rate)
{
    kim_scenario_defaults(sc);
    sc->name = sim_xstrdup("roomy");
    sc->horizon_days = 400.0;
    sc->sample_days = 0.0;
    sc->seed = 4711;
    add_type(sc, "standard", 0.65, 1, 2.0, 0.0);
    add_type(sc, "housing", 0.35, 1, 2.0, 0.0);
    add_muni(sc, "Erkelenz", rate);
    add_post(sc, "Kreis KI", "Kreis", 100.0, NULL, 0);
}

static kim_driver *add_driver(kim_scenario *sc, kim_driver_kind kind)
{
    sc->drivers = sim_xrealloc(sc->drivers, (sc->n_drivers + 1) * sizeof *sc->drivers);
    kim_driver *d = &sc->drivers[sc->n_drivers++];
    memset(d, 0, sizeof *d);
    d->kind = kind;
    d->to_day = INFINITY;
    d->all_munis = true;
    d->share = NAN;
    d->duration_factor = 1.0;
    d->fte = d->filled_fte = NAN;
    return d;
}

/* Arrivals in [a, b) over replications against the integral of the rate,
 * within 3 standard errors; the SE must be small enough to fail. */
static void check_window(const kim_scenario *sc, double a, double b, double expected)
{
    enum { R = 30 };
    double n[R];
    double *v = values_for(sc);
    for (unsigned long r = 0; r < R; r++) {
        caselog l;
        run_logged(sc, r, &l, v);
        n[r] = 0;
        for (size_t i = 0; i < l.n; i++) n[r] += l.c[i].arrival >= a && l.c[i].arrival < b;
        free(l.c);
    }
    double mean = gsl_stats_mean(n, 1, R), se = gsl_stats_sd(n, 1, R) / sqrt(R);
    assert_true(se < 0.05 * expected);
    if (fabs(mean - expected) > 3 * se)
        fail_msg("window [%g,%g): %g arrivals, expected %g (3 SE %g)", a, b, mean, expected, 3 * se);
    free(v);
}

/* Step influx x3.25 on [100, 160): 2.4/day outside, 7.8/day inside. */
static void test_dynamics_step_influx_counts(void **state)
{
    (void)state;
    kim_scenario sc;
    roomy(&sc, 2.4);
    kim_driver *d = add_driver(&sc, KIM_DRV_INFLUX);
    d->from_day = 100.0; d->to_day = 160.0; d->factor = 3.25;
    check_window(&sc, 100.0, 160.0, 2.4 * 3.25 * 60.0);
    check_window(&sc, 40.0, 100.0, 2.4 * 60.0);
    check_window(&sc, 130.0, 190.0, 2.4 * (3.25 * 30.0 + 30.0));
    kim_scenario_fini(&sc);
}

/* Piecewise-linear profile (50,1) (80,9) (140,9) (200,1): the integral of
 * the rate over [50, 200) is 2.4 x (30x5 + 60x9 + 60x5) = 2.4 x 990. */
static void test_dynamics_profile_influx_counts(void **state)
{
    (void)state;
    kim_scenario sc;
    roomy(&sc, 2.4);
    kim_driver *d = add_driver(&sc, KIM_DRV_INFLUX);
    double days[] = { 50.0, 80.0, 140.0, 200.0 }, f[] = { 1.0, 9.0, 9.0, 1.0 };
    d->n_profile = 4;
    d->profile_day = sim_xmalloc(sizeof days);
    d->profile_factor = sim_xmalloc(sizeof f);
    memcpy(d->profile_day, days, sizeof days);
    memcpy(d->profile_factor, f, sizeof f);
    check_window(&sc, 50.0, 200.0, 2.4 * 990.0);
    check_window(&sc, 50.0, 80.0, 2.4 * 150.0);      /* the ramp alone */
    check_window(&sc, 250.0, 400.0, 2.4 * 150.0);    /* after: base rate */
    kim_scenario_fini(&sc);
}

/* ---- capacity drops on a hand-built case ---------------------------- */
/* One post of 3 slots (1.0 FTE x 3), four referrals at days 0, 1, 2, 3
 * lasting exactly 10 days; on day 5 the filled FTE drops to 0.34 (1 slot).
 * finish:   1: 0-10, 2: 1-11, 3: 2-12, 4 waits until 12, ends 22.
 * reassign: 3 (7 days left) and 2 (6 days left) go back; 1 ends at 10,
 *           2 resumes 10-16, 3 resumes 16-23, 4 starts 23, ends 33. */
static void drop_case(kim_scenario *sc, kim_drop_policy pol)
{
    kim_scenario_defaults(sc);
    sc->name = sim_xstrdup("drop");
    sc->horizon_days = 50.0;
    sc->sample_days = 0.0;
    sc->caseload_per_fte = 3.0;
    sc->capacity_drop = pol;
    four_referrals(sc, 10.0, 0.0);
    kim_driver *d = add_driver(sc, KIM_DRV_STAFFING);
    d->day = 5.0;
    d->post = 0;
    d->filled_fte = 0.34;
}

static void check_sequence(kim_drop_policy pol, const double (*want)[3])
{
    kim_scenario sc;
    drop_case(&sc, pol);
    double *v = values_for(&sc);
    caselog l;
    run_logged(&sc, 0, &l, v);
    assert_int_equal(l.n, 4);
    for (size_t i = 0; i < 4; i++) {
        assert_int_equal(l.c[i].no, i + 1);
        assert_float_equal(l.c[i].arrival, want[i][0], 1e-12);   /* the trace, exactly */
        assert_float_equal(l.c[i].start, want[i][1], 1e-9);
        assert_float_equal(l.c[i].end, want[i][2], 1e-9);
        assert_string_equal(l.c[i].outcome, "closed");
    }
    free(l.c);
    free(v);
    kim_scenario_fini(&sc);
}

static void test_dynamics_capacity_drop_finish(void **state)
{
    (void)state;
    const double want[4][3] = { { 0, 0, 10 }, { 1, 1, 11 }, { 2, 2, 12 }, { 3, 12, 22 } };
    check_sequence(KIM_DROP_FINISH, want);
}

static void test_dynamics_capacity_drop_reassign(void **state)
{
    (void)state;
    /* start_day is the first start: 2 and 3 keep theirs (1 and 2) */
    const double want[4][3] = { { 0, 0, 10 }, { 1, 1, 16 }, { 2, 2, 23 }, { 3, 23, 33 } };
    check_sequence(KIM_DROP_REASSIGN, want);
}

/* ---- staffing against renewal theory -------------------------------- */
/* Positions alternate filled (exponential, mean 365/turnover days) and
 * vacant (hiring lag): long-run filled FTE = fte x E[up] / (E[up] + E[lag])
 * (alternating renewal process, Ross 1996 Thm 3.4.4). */
static void test_dynamics_turnover_renewal_mean(void **state)
{
    (void)state;
    kim_scenario sc;
    roomy(&sc, 1.0);
    sc.horizon_days = 20000.0;
    sc.warmup_days = 400.0;
    kim_post *p = &sc.posts[0];
    p->fte = p->filled_fte = 4.5;
    p->turnover_per_year = 1.75;
    kim_dist_gamma_mean_sd(&p->hiring_lag, 95.0, 30.0);
    p->hiring_lag.max = INFINITY;
    enum { R = 12 };
    double x[R];
    double *v = values_for(&sc);
    kim_groups g;
    kim_groups_init(&g, &sc);
    size_t gp = kim_group_of(&g, KIM_G_POST, 0);
    kim_model *m = kim_model_new(&sc);
    for (unsigned long r = 0; r < R; r++) {
        kim_model_run(m, r, NULL, v, NULL);
        x[r] = v[gp * KIM_N_METRICS + KIM_M_FILLED_FTE_MEAN];
    }
    double up = 365.0 / 1.75, expected = 4.5 * up / (up + 95.0);
    double mean = gsl_stats_mean(x, 1, R), se = gsl_stats_sd(x, 1, R) / sqrt(R);
    assert_true(se < 0.02 * expected);
    if (fabs(mean - expected) > 3 * se)
        fail_msg("filled %g, renewal theory %g (3 SE %g)", mean, expected, 3 * se);
    kim_model_free(m);
    kim_groups_fini(&g);
    free(v);
    kim_scenario_fini(&sc);
}

/* ---- housing shortage and programme end ----------------------------- */
static void test_dynamics_housing_shortage_mix(void **state)
{
    (void)state;
    kim_scenario sc;
    roomy(&sc, 6.0);
    kim_driver *d = add_driver(&sc, KIM_DRV_HOUSING);
    d->from_day = 200.0;
    d->case_type = 1;
    d->share = 0.6;
    d->duration_factor = 1.8;
    double *v = values_for(&sc);
    long n_before = 0, h_before = 0, n_after = 0, h_after = 0;
    double dur_h = 0.0, dur_s = 0.0;
    long ns = 0, nh = 0;
    for (unsigned long r = 0; r < 10; r++) {
        caselog l;
        run_logged(&sc, r, &l, v);
        for (size_t i = 0; i < l.n; i++) {
            const logged *c = &l.c[i];
            int after = c->arrival >= 200.0, h = c->type == 1;
            if (after) { n_after++; h_after += h; } else { n_before++; h_before += h; }
            if (after && !strcmp(c->outcome, "closed")) {
                if (h) { dur_h += c->end - c->start; nh++; } else { dur_s += c->end - c->start; ns++; }
            }
        }
        free(l.c);
    }
    double p0 = (double)h_before / n_before, p1 = (double)h_after / n_after;
    assert_true(fabs(p0 - 0.35) < 3 * sqrt(0.35 * 0.65 / n_before));
    assert_true(fabs(p1 - 0.6) < 3 * sqrt(0.6 * 0.4 / n_after));
    /* exponential mean 2 days x 1.8 for housing; 2 for standard */
    double mh = dur_h / (double)nh, ms = dur_s / (double)ns;
    assert_true(fabs(mh - 3.6) < 3 * 3.6 / sqrt((double)nh));
    assert_true(fabs(ms - 2.0) < 3 * 2.0 / sqrt((double)ns));
    free(v);
    kim_scenario_fini(&sc);
}

static void test_dynamics_programme_end_stops_intake(void **state)
{
    (void)state;
    kim_scenario sc;
    roomy(&sc, 3.0);
    kim_driver *d = add_driver(&sc, KIM_DRV_PROGRAMME_END);
    d->day = 250.0;
    double *v = values_for(&sc);
    caselog l;
    run_logged(&sc, 0, &l, v);
    assert_true(l.n > 500);
    for (size_t i = 0; i < l.n; i++) assert_true(l.c[i].arrival < 250.0);
    free(l.c);
    free(v);
    kim_scenario_fini(&sc);
}

/* ---- initial state --------------------------------------------------- */
typedef struct first_sample { int seen; long waiting, open; } first_sample;

static void grab(void *ctx, double day, const kim_sample *rows, size_t n)
{
    first_sample *f = ctx;
    if (day == 0.0) {
        assert_int_equal(n, 3);         /* district, Bönen, Pool */
        f->seen = 1;
        f->waiting = rows[1].waiting;   /* group 1: municipality:Bönen */
        f->open = rows[1].open;
    }
}

/* 7 open and 23 waiting at day 0 with 10 slots: 10 open, 20 waiting, and
 * every initial waiting case is older than day 0. */
static void test_dynamics_initial_state(void **state)
{
    (void)state;
    kim_scenario sc;
    kim_scenario_defaults(&sc);
    sc.name = sim_xstrdup("initial");
    sc.horizon_days = 30.0;
    sc.sample_days = 1.0;
    sc.caseload_per_fte = 10.0;
    add_type(&sc, "standard", 1.0, 1, 180.0, 0.0);
    add_muni(&sc, "Bönen", 0.2);
    size_t m0 = 0;
    add_post(&sc, "Pool", "Kreis", 1.0, &m0, 1);
    sc.munis[0].initial_open = 7;
    sc.munis[0].initial_waiting = 23;
    first_sample f = { 0 };
    caselog l = { 0 };
    kim_observer obs = { .ctx = &f, .sample = grab };
    double *v = values_for(&sc);
    kim_model *m = kim_model_new(&sc);
    kim_model_run(m, 0, &obs, v, NULL);
    assert_true(f.seen);
    assert_int_equal(f.open, 10);
    assert_int_equal(f.waiting, 20);
    obs = (kim_observer){ .ctx = &l, .trace = log_case };
    kim_model_run(m, 0, &obs, v, NULL);
    size_t old = 0;
    for (size_t i = 0; i < l.n; i++) old += l.c[i].arrival < 0.0;
    assert_true(old >= 20);                     /* ages drawn for the waiting ones */
    /* the 30 initial cases are in the log but not in the metrics */
    assert_float_equal(v[KIM_M_ARRIVALS], (double)l.n - 30.0, 0.0);
    free(l.c);
    kim_model_free(m);
    free(v);
    kim_scenario_fini(&sc);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_dynamics_step_influx_counts),
        cmocka_unit_test(test_dynamics_profile_influx_counts),
        cmocka_unit_test(test_dynamics_capacity_drop_finish),
        cmocka_unit_test(test_dynamics_capacity_drop_reassign),
        cmocka_unit_test(test_dynamics_turnover_renewal_mean),
        cmocka_unit_test(test_dynamics_housing_shortage_mix),
        cmocka_unit_test(test_dynamics_programme_end_stops_intake),
        cmocka_unit_test(test_dynamics_initial_state),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
