/*
 * test_analysis.c — statistics, verdicts, Erlang formulas and writers of
 * analysis/.
 *
 * Expected values are computed here independently of the code under test:
 * means and standard deviations by explicit sums, Erlang B/C by their
 * explicit sum formulas (Kleinrock 1975 vol. 1 §3.4-3.5) and exact small
 * cases (a = 2, c = 3: B = 4/19, C = 4/9), Erlang A by writing the
 * birth-death chain out state by state.  Tolerances are those of double
 * arithmetic on short sums (1e-12 relative) or of "%.10g" output (1e-9).
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>

#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <gsl/gsl_cdf.h>
#include <gsl/gsl_rng.h>

#include "../analysis/an.h"
#include "../sim/sim.h"

#define REL(x, y) (fabs((x) - (y)) <= 1e-12 * fmax(1.0, fabs(y)))

/* ------------------------------------------------------------------ */
/* Fixtures                                                             */
/* ------------------------------------------------------------------ */

/* Groups built by hand, as kim_groups_init would lay them out. */
static void groups_make(kim_groups *g, size_t n, const char *const *labels,
                        const kim_group_kind *kinds)
{
    memset(g, 0, sizeof *g);
    g->n = n;
    g->label = sim_xcalloc(n, sizeof *g->label);
    g->kind = sim_xcalloc(n, sizeof *g->kind);
    g->index = sim_xcalloc(n, sizeof *g->index);
    size_t per_kind[5] = { 0 };
    for (size_t i = 0; i < n; i++) {
        g->label[i] = sim_xstrdup(labels[i]);
        g->kind[i] = kinds[i];
        g->index[i] = per_kind[kinds[i]]++;
    }
}

static void groups_free(kim_groups *g)
{
    for (size_t i = 0; i < g->n; i++) free(g->label[i]);
    free(g->label);
    free(g->kind);
    free(g->index);
}

/* Sets metric m of group g in replications 0..n-1 from x. */
static void put(an_variant *v, size_t g, kim_metric m, const double *x)
{
    for (size_t r = 0; r < v->n_reps; r++) an_values(v, r, g)[m] = x[r];
}

/* Everything a test variant needs, freed by fixture_free. */
typedef struct fixture {
    kim_scenario sc;
    kim_groups groups;
    an_variant v;
} fixture;

static const char *const two_labels[] = {
    "district", "municipality:B\xc3\xb6nen, \"Ost\""
};
static const kim_group_kind two_kinds[] = { KIM_G_DISTRICT, KIM_G_MUNI };

/* The 2-group, 3-replication variant of the writer tests. */
static void fixture_two(fixture *fx)
{
    kim_scenario_defaults(&fx->sc);
    fx->sc.horizon_days = 1095.0;
    groups_make(&fx->groups, 2, two_labels, two_kinds);
    an_variant_init(&fx->v, "kreis, test", "posts.drk-hueckelhoven.fte=1.5",
                    &fx->sc, &fx->groups, 3);
    for (size_t r = 0; r < 3; r++) fx->v.info[r].seed = 1000 + 7 * r;
    put(&fx->v, 0, KIM_M_ARRIVALS, (double[]){ 101, 97, 112 });
    put(&fx->v, 0, KIM_M_WITHIN_TARGET_SHARE, (double[]){ 0.96, 0.97, 0.98 });
    put(&fx->v, 0, KIM_M_UTILIZATION, (double[]){ 0.80, 0.83, 0.79 });
    put(&fx->v, 1, KIM_M_WITHIN_TARGET_SHARE, (double[]){ 0.62, 0.55, 0.70 });
    put(&fx->v, 1, KIM_M_WAIT_TARGET_Q, (double[]){ 41.2, 45.3, 38.1 });
    put(&fx->v, 1, KIM_M_UTILIZATION, (double[]){ 0.97, 0.98, 0.99 });
    put(&fx->v, 1, KIM_M_RENEGED_SHARE, (double[]){ 0.01, NAN, 0.012 });
}

/* A district, a carrier and a post (carriers are never judged, posts
 * only on some targets), `reps` replications and no values yet. */
static void fixture_kinds(fixture *fx, size_t reps)
{
    static const char *const labels[] = { "district", "carrier:DRK", "post:DRK Kamen" };
    static const kim_group_kind kinds[] = { KIM_G_DISTRICT, KIM_G_CARRIER, KIM_G_POST };
    kim_scenario_defaults(&fx->sc);
    groups_make(&fx->groups, 3, labels, kinds);
    an_variant_init(&fx->v, "s", "base", &fx->sc, &fx->groups, reps);
}

static void fixture_free(fixture *fx)
{
    an_variant_fini(&fx->v);
    groups_free(&fx->groups);
    kim_scenario_fini(&fx->sc);
}

/* ------------------------------------------------------------------ */
/* A small RFC 4180 reader for parsing our output back                  */
/* ------------------------------------------------------------------ */

#define MAX_ROWS 256
#define MAX_FIELDS 16

typedef struct csv {
    size_t n_rows;
    size_t n_fields[MAX_ROWS];
    char *field[MAX_ROWS][MAX_FIELDS];
} csv;

/* Parses one field at *p (quoted or not); returns it malloc'd. */
static char *csv_read_field(const char **p)
{
    const char *s = *p;
    char *out = sim_xmalloc(strlen(s) + 1), *o = out;
    if (*s == '"') {
        for (s++; *s && !(*s == '"' && s[1] != '"'); s++) {
            if (*s == '"') s++;
            *o++ = *s;
        }
        assert_int_equal(*s, '"');
        s++;
    } else {
        while (*s && *s != ',' && *s != '\n') *o++ = *s++;
    }
    *o = '\0';
    *p = s;
    return out;
}

static void csv_parse(csv *c, const char *text)
{
    memset(c, 0, sizeof *c);
    for (const char *p = text; *p;) {
        assert_true(c->n_rows < MAX_ROWS);
        size_t r = c->n_rows++;
        for (;;) {
            assert_true(c->n_fields[r] < MAX_FIELDS);
            c->field[r][c->n_fields[r]++] = csv_read_field(&p);
            if (*p == ',') { p++; continue; }
            assert_int_equal(*p, '\n');
            p++;
            break;
        }
    }
}

static void csv_free(csv *c)
{
    for (size_t r = 0; r < c->n_rows; r++)
        for (size_t i = 0; i < c->n_fields[r]; i++) free(c->field[r][i]);
}

/* The row whose first fields match the given keys (NULL ends), or -1. */
static long csv_find(const csv *c, size_t col, const char *k1, const char *k2)
{
    for (size_t r = 1; r < c->n_rows; r++)
        if (strcmp(c->field[r][col], k1) == 0 &&
            (!k2 || strcmp(c->field[r][col + 1], k2) == 0))
            return (long)r;
    return -1;
}

/* Output of a writer as a string; the caller frees it. */
typedef int (*writer)(FILE *, const an_variant *, size_t);

static char *capture(writer w, const an_variant *v, size_t n)
{
    char *buf = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&buf, &len);
    assert_non_null(f);
    assert_int_equal(w(f, v, n), 0);
    fclose(f);
    return buf;
}

/* ------------------------------------------------------------------ */
/* Statistics                                                           */
/* ------------------------------------------------------------------ */

/* Mean, sd (n-1) and Student-t CI of x[0..n), computed by plain sums. */
static void hand_stat(const double *x, size_t n, an_stat *e)
{
    double sum = 0.0, ss = 0.0;
    for (size_t i = 0; i < n; i++) sum += x[i];
    e->mean = sum / (double)n;
    for (size_t i = 0; i < n; i++) ss += (x[i] - e->mean) * (x[i] - e->mean);
    e->sd = sqrt(ss / (double)(n - 1));
    double h = gsl_cdf_tdist_Pinv(0.975, (double)(n - 1)) * e->sd / sqrt((double)n);
    e->ci_low = e->mean - h;
    e->ci_high = e->mean + h;
}

static void test_analysis_stat_of_matches_hand_computation(void **state)
{
    (void)state;
    const double x[] = { 2.385, 3.141, 1.732, 2.718, 1.414, 0.577 };
    an_stat s, e;
    an_stat_of(x, 1, 6, &s);
    hand_stat(x, 6, &e);
    assert_int_equal(s.n, 6);
    assert_true(REL(s.mean, e.mean));
    assert_true(REL(s.sd, e.sd));
    assert_true(REL(s.ci_low, e.ci_low));
    assert_true(REL(s.ci_high, e.ci_high));
    assert_true(s.min == 0.577 && s.max == 3.141);
    /* t(0.975, 5) = 2.570582 (any t table) */
    assert_true(fabs((s.ci_high - s.mean) / (s.sd / sqrt(6.0)) - 2.570582) < 1e-6);
}

static void test_analysis_stat_of_skips_nan_with_stride(void **state)
{
    (void)state;
    /* every second value is the one of interest; two of those are NaN */
    const double x[] = { 4.75, -1, NAN, -1, 3.25, -1, 6.5, -1, NAN, -1, 5.125 };
    const double kept[] = { 4.75, 3.25, 6.5, 5.125 };
    an_stat s, e;
    an_stat_of(x, 2, 6, &s);
    hand_stat(kept, 4, &e);
    assert_int_equal(s.n, 4);
    assert_true(REL(s.mean, e.mean) && REL(s.sd, e.sd));
    assert_true(REL(s.ci_low, e.ci_low) && REL(s.ci_high, e.ci_high));
    assert_true(s.min == 3.25 && s.max == 6.5);
}

static void test_analysis_stat_of_one_value_and_none(void **state)
{
    (void)state;
    const double one[] = { NAN, 7.125, NAN }, none[] = { NAN, NAN };
    an_stat s;
    an_stat_of(one, 1, 3, &s);
    assert_int_equal(s.n, 1);
    assert_true(s.mean == 7.125 && s.ci_low == 7.125 && s.ci_high == 7.125);
    assert_true(s.min == 7.125 && s.max == 7.125 && isnan(s.sd));
    an_stat_of(none, 1, 2, &s);
    assert_int_equal(s.n, 0);
    assert_true(isnan(s.mean) && isnan(s.sd) && isnan(s.ci_low) &&
                isnan(s.ci_high) && isnan(s.min) && isnan(s.max));
    an_stat_of(NULL, 1, 0, &s);
    assert_int_equal(s.n, 0);
}

static void test_analysis_stat_metric_picks_group_and_metric(void **state)
{
    (void)state;
    fixture fx;
    fixture_two(&fx);
    an_stat s, e;
    an_stat_metric(&fx.v, 1, KIM_M_WAIT_TARGET_Q, &s);
    hand_stat((double[]){ 41.2, 45.3, 38.1 }, 3, &e);
    assert_int_equal(s.n, 3);
    assert_true(REL(s.mean, e.mean) && REL(s.sd, e.sd));
    an_stat_metric(&fx.v, 1, KIM_M_RENEGED_SHARE, &s);
    assert_int_equal(s.n, 2);
    assert_true(REL(s.mean, 0.011));
    an_stat_metric(&fx.v, 0, KIM_M_COST_EUR, &s);
    assert_int_equal(s.n, 0);
    fixture_free(&fx);
}

/* ------------------------------------------------------------------ */
/* Verdicts                                                             */
/* ------------------------------------------------------------------ */

static an_stat ci(double lo, double mean, double hi)
{
    an_stat s = { 5, mean, 0.1, lo, hi, lo, hi };
    return s;
}

static void test_analysis_decide_lower_bound(void **state)
{
    (void)state;
    an_stat s = ci(0.91, 0.93, 0.95);
    assert_int_equal(an_decide(&s, 0.9, 0), AN_ADEQUATE);
    s = ci(0.9, 0.93, 0.95);                    /* bound met with equality */
    assert_int_equal(an_decide(&s, 0.9, 0), AN_ADEQUATE);
    s = ci(0.62, 0.71, 0.85);
    assert_int_equal(an_decide(&s, 0.9, 0), AN_INADEQUATE);
    s = ci(0.85, 0.89, 0.93);
    assert_int_equal(an_decide(&s, 0.9, 0), AN_UNCERTAIN);
}

static void test_analysis_decide_upper_bound(void **state)
{
    (void)state;
    an_stat s = ci(0.71, 0.82, 0.93);
    assert_int_equal(an_decide(&s, 0.95, 1), AN_ADEQUATE);
    s = ci(0.96, 0.98, 0.995);
    assert_int_equal(an_decide(&s, 0.95, 1), AN_INADEQUATE);
    s = ci(0.93, 0.955, 0.98);
    assert_int_equal(an_decide(&s, 0.95, 1), AN_UNCERTAIN);
    s = ci(-0.5, 0.0, 0.5);                     /* stability: slope <= 0 */
    assert_int_equal(an_decide(&s, 0.0, 1), AN_UNCERTAIN);
}

static void test_analysis_decide_point_and_missing(void **state)
{
    (void)state;
    /* one replication: no CI (the written ci_low = ci_high = the value is
     * no interval), so no basis for adequate or inadequate */
    an_stat s = { 1, 0.951, NAN, 0.951, 0.951, 0.951, 0.951 };
    assert_int_equal(an_decide(&s, 0.95, 1), AN_UNCERTAIN);
    assert_int_equal(an_decide(&s, 0.95, 0), AN_UNCERTAIN);
    s = (an_stat){ 1, 0.2, NAN, 0.2, 0.2, 0.2, 0.2 };   /* far off, still */
    assert_int_equal(an_decide(&s, 0.9, 0), AN_UNCERTAIN);
    an_stat none = { 0, NAN, NAN, NAN, NAN, NAN, NAN };
    assert_int_equal(an_decide(&none, 0.95, 1), AN_NOT_APPLICABLE);
}

/* One municipality whose utilization straddles the 0.95 limit. */
static void test_analysis_reps_to_decide(void **state)
{
    (void)state;
    fixture fx;
    fixture_two(&fx);
    const double u[] = { 0.93, 0.985, 0.96 };
    put(&fx.v, 1, KIM_M_UTILIZATION, u);
    an_stat e;
    hand_stat(u, 3, &e);
    /* CI half-width h from n = 3; i replications give h sqrt(3/i), which
     * equals the distance d at i = 3 (h/d)^2 (Law 2015 §9.4.1). */
    double h = e.ci_high - e.mean, d = fabs(e.mean - 0.95);
    long expect = (long)ceil(3.0 * (h / d) * (h / d));
    an_verdict *vd;
    size_t n = an_verdicts(&fx.v, &vd);
    const an_verdict *util = &vd[AN_N_TARGETS + AN_T_UTILIZATION];
    assert_int_equal(util->group, 1);
    assert_int_equal(util->verdict, AN_UNCERTAIN);
    assert_int_equal(util->reps_to_decide, expect);
    assert_true(expect > 3);
    char want[64];
    snprintf(want, sizeof want, "about %ld replications would likely decide it",
             expect);
    assert_non_null(strstr(util->reason, want));
    assert_int_equal(an_group_verdict(vd, n, 1), AN_INADEQUATE);
    free(vd);
    fixture_free(&fx);
}

static void test_analysis_verdicts_order_reasons_and_na(void **state)
{
    (void)state;
    fixture fx;
    fixture_two(&fx);
    an_verdict *vd;
    size_t n = an_verdicts(&fx.v, &vd);
    assert_int_equal(n, 2 * AN_N_TARGETS);
    for (size_t i = 0; i < n; i++) {
        assert_int_equal(vd[i].group, i / AN_N_TARGETS);
        assert_int_equal(vd[i].target, i % AN_N_TARGETS);
    }
    /* district: 0.96..0.98 within target, t(2) CI lower end 0.945 >= 0.9 */
    assert_int_equal(vd[AN_T_WAIT].verdict, AN_ADEQUATE);
    assert_string_equal(vd[AN_T_WAIT].reason, "");
    assert_int_equal(vd[AN_T_RENEGED].verdict, AN_NOT_APPLICABLE);
    assert_int_equal(vd[AN_T_STABILITY].verdict, AN_NOT_APPLICABLE);
    assert_int_equal(an_group_verdict(vd, n, 0), AN_ADEQUATE);
    const an_verdict *w = &vd[AN_N_TARGETS + AN_T_WAIT];
    assert_int_equal(w->verdict, AN_INADEQUATE);
    assert_true(w->threshold == 0.9);
    /* stated in the decided metric: (0.62 + 0.55 + 0.70) / 3 = 62.3 % */
    assert_string_equal(w->reason, "62.3 % start within 14 days (target 90 %)");
    assert_int_equal(vd[AN_N_TARGETS + AN_T_UTILIZATION].verdict, AN_INADEQUATE);
    assert_string_equal(vd[AN_N_TARGETS + AN_T_UTILIZATION].reason,
                        "utilization 98 % (max 95 %)");
    assert_int_equal(vd[AN_N_TARGETS + AN_T_RENEGED].verdict, AN_ADEQUATE);
    assert_int_equal(an_group_verdict(vd, n, 1), AN_INADEQUATE);
    free(vd);
    fixture_free(&fx);
}

static void test_analysis_stability_reason_and_skipped_kinds(void **state)
{
    (void)state;
    fixture fx;
    fixture_kinds(&fx, 4);
    put(&fx.v, 0, KIM_M_BACKLOG_SLOPE, (double[]){ 3.1, 2.9, 3.4, 2.6 });
    an_verdict *vd;
    size_t n = an_verdicts(&fx.v, &vd);
    assert_int_equal(n, 2 * AN_N_TARGETS);      /* carriers are not judged */
    assert_int_equal(vd[AN_N_TARGETS].group, 2);
    const an_verdict *st = &vd[AN_T_STABILITY];
    assert_int_equal(st->verdict, AN_INADEQUATE);
    char want[160];
    snprintf(want, sizeof want, "backlog grows by 3.0 cases per month "
             "(95 %% CI %.1f\xe2\x80\x93%.1f)", st->est.ci_low, st->est.ci_high);
    assert_string_equal(st->reason, want);
    assert_int_equal(an_group_verdict(vd, n, 2), AN_NOT_APPLICABLE);
    free(vd);
    fixture_free(&fx);
}

static char *table_of(const an_variant *v, int colour);

/* Replication 2 of 3 stopped at the waiting-list limit: every target of
 * both groups is inadequate, those without an estimate too (the district
 * once read ADEQUATE: within target 0.96-0.98, utilization 0.79-0.83),
 * with the count of stopped replications as the reason; the estimate is
 * still the mean of the three. */
static void test_analysis_overload_makes_every_target_inadequate(void **state)
{
    (void)state;
    fixture fx;
    fixture_two(&fx);
    fx.sc.max_waiting = 500;
    for (size_t r = 0; r < 3; r++) fx.v.info[r].events = 1000 + r;
    fx.v.info[1].overloaded = 1;
    size_t ran;
    assert_int_equal(an_overloaded_reps(&fx.v, &ran), 1);
    assert_int_equal(ran, 3);
    an_verdict *vd;
    size_t n = an_verdicts(&fx.v, &vd);
    assert_int_equal(n, 2 * AN_N_TARGETS);
    for (size_t i = 0; i < n; i++) {
        assert_int_equal(vd[i].verdict, AN_INADEQUATE);
        assert_int_equal(vd[i].reps_to_decide, 0);
        assert_string_equal(vd[i].reason, "1 of 3 replications stopped at the "
                            "waiting-list limit (max_waiting = 500)");
    }
    assert_true(REL(vd[AN_T_WAIT].est.mean, (0.96 + 0.97 + 0.98) / 3.0));
    assert_true(isnan(vd[AN_T_STABILITY].est.mean));
    assert_int_equal(an_group_verdict(vd, n, 0), AN_INADEQUATE);
    free(vd);

    /* verdict.csv: all 8 rows, an empty estimate where there is none */
    char *out = capture(an_write_verdicts, &fx.v, 1);
    csv c;
    csv_parse(&c, out);
    assert_int_equal(c.n_rows, 1 + 2 * AN_N_TARGETS);
    long r = csv_find(&c, 2, "district", "stability");
    assert_true(r > 0);
    assert_string_equal(c.field[r][5], "");
    assert_string_equal(c.field[r][8], "inadequate");
    assert_string_equal(c.field[r][10], "");
    csv_free(&c);
    free(out);

    /* the table says why, and max_waiting 0 is the default limit */
    char *t = table_of(&fx.v, 0);
    assert_non_null(strstr(t, "INADEQUATE overloaded 1/3"));
    free(t);
    fx.sc.max_waiting = 0;
    an_verdicts(&fx.v, &vd);
    assert_string_equal(vd[0].reason, "1 of 3 replications stopped at the "
                        "waiting-list limit (max_waiting = 1000000)");
    free(vd);
    fixture_free(&fx);
}

/* A post has no waiting list: under overload only its utilization target
 * is judged (inadequate); a carrier is never judged. */
static void test_analysis_overload_post_has_utilization_only(void **state)
{
    (void)state;
    fixture fx;
    fixture_kinds(&fx, 2);
    put(&fx.v, 2, KIM_M_UTILIZATION, (double[]){ 0.41, 0.43 });
    fx.v.info[0].overloaded = fx.v.info[1].overloaded = 1;
    an_verdict *vd;
    size_t n = an_verdicts(&fx.v, &vd);
    assert_int_equal(n, 2 * AN_N_TARGETS);
    for (int t = 0; t < AN_N_TARGETS; t++) {
        const an_verdict *p = &vd[AN_N_TARGETS + t];
        assert_int_equal(p->group, 2);
        assert_int_equal(p->verdict, t == AN_T_UTILIZATION ? AN_INADEQUATE
                                                           : AN_NOT_APPLICABLE);
        assert_int_equal(vd[t].verdict, AN_INADEQUATE);
    }
    assert_string_equal(vd[AN_N_TARGETS + AN_T_UTILIZATION].reason,
                        "2 of 2 replications stopped at the waiting-list limit "
                        "(max_waiting = 1000000)");
    free(vd);
    fixture_free(&fx);
}

/* One replication: every target with a value is uncertain, with no
 * replications-to-decide figure (there is no sd to extrapolate from) and
 * the reason saying why; within target 0.42 against 0.9 once read
 * inadequate, utilization 0.61 against 0.95 adequate. */
static void test_analysis_one_replication_is_uncertain(void **state)
{
    (void)state;
    kim_scenario sc;
    kim_groups g;
    an_variant v;
    kim_scenario_defaults(&sc);
    groups_make(&g, 2, two_labels, two_kinds);
    an_variant_init(&v, "s", "base", &sc, &g, 1);
    put(&v, 1, KIM_M_WITHIN_TARGET_SHARE, (double[]){ 0.42 });
    put(&v, 1, KIM_M_UTILIZATION, (double[]){ 0.61 });
    put(&v, 1, KIM_M_BACKLOG_SLOPE, (double[]){ 2.385 });
    an_verdict *vd;
    size_t n = an_verdicts(&v, &vd);
    const an_verdict *w = &vd[AN_N_TARGETS + AN_T_WAIT];
    const an_verdict *u = &vd[AN_N_TARGETS + AN_T_UTILIZATION];
    const an_verdict *st = &vd[AN_N_TARGETS + AN_T_STABILITY];
    assert_int_equal(w->verdict, AN_UNCERTAIN);
    assert_int_equal(u->verdict, AN_UNCERTAIN);
    assert_int_equal(st->verdict, AN_UNCERTAIN);
    assert_int_equal(w->reps_to_decide, 0);
    assert_string_equal(u->reason, "utilization 61 % (max 95 %); one replication: "
                        "no confidence interval; run more");
    /* no "95 % CI 2.4-2.4" from one value */
    assert_string_equal(st->reason, "backlog grows by 2.4 cases per month; one "
                        "replication: no confidence interval; run more");
    assert_int_equal(an_group_verdict(vd, n, 1), AN_UNCERTAIN);
    free(vd);
    char *t = table_of(&v, 0);
    assert_non_null(strstr(t, "UNCERTAIN  one rep: no CI"));
    free(t);
    char *out = capture(an_write_verdicts, &v, 1);
    csv c;
    csv_parse(&c, out);
    long r = csv_find(&c, 2, two_labels[1], "utilization");
    assert_true(r > 0);
    assert_string_equal(c.field[r][8], "uncertain");
    assert_string_equal(c.field[r][10], "");
    csv_free(&c);
    free(out);
    an_variant_fini(&v);
    groups_free(&g);
    kim_scenario_fini(&sc);
}

/* Three replications, of which only one has a value for reneged_share
 * (the others had no case): uncertain, and the reason says so. */
static void test_analysis_one_value_of_several_is_uncertain(void **state)
{
    (void)state;
    fixture fx;
    fixture_two(&fx);
    put(&fx.v, 1, KIM_M_RENEGED_SHARE, (double[]){ NAN, 0.31, NAN });
    an_verdict *vd;
    an_verdicts(&fx.v, &vd);
    const an_verdict *r = &vd[AN_N_TARGETS + AN_T_RENEGED];
    assert_int_equal(r->est.n, 1);
    assert_int_equal(r->verdict, AN_UNCERTAIN);
    assert_string_equal(r->reason, "31.0 % of cases gave up waiting (max 5 %); one of "
                        "3 replications has a value: no confidence interval; run more");
    free(vd);
    fixture_free(&fx);
}

/* The wait target is decided on within_target_share; its reason quotes
 * that share, never the mean p90 wait, which can meet the target while the
 * share misses it (here p90 12.0-12.5 days against 14, while only
 * (0.85 + 0.86 + 0.87) / 3 = 86.0 % start within 14 days).  A share that
 * one decimal would print as the threshold gets more decimals. */
static void test_analysis_wait_reason_in_decided_metric(void **state)
{
    (void)state;
    fixture fx;
    fixture_two(&fx);
    put(&fx.v, 1, KIM_M_WITHIN_TARGET_SHARE, (double[]){ 0.85, 0.86, 0.87 });
    put(&fx.v, 1, KIM_M_WAIT_TARGET_Q, (double[]){ 12.0, 12.5, 12.1 });
    an_verdict *vd;
    an_verdicts(&fx.v, &vd);
    const an_verdict *w = &vd[AN_N_TARGETS + AN_T_WAIT];
    /* sd 0.01, t(0.975, 2) = 4.303: CI 0.835-0.885, all below 0.9 */
    assert_int_equal(w->verdict, AN_INADEQUATE);
    assert_string_equal(w->reason, "86.0 % start within 14 days (target 90 %)");
    free(vd);
    /* 0.8996 on average (CI 0.89935-0.89985), "90.0" at one decimal */
    put(&fx.v, 1, KIM_M_WITHIN_TARGET_SHARE, (double[]){ 0.8995, 0.8996, 0.8997 });
    an_verdicts(&fx.v, &vd);
    w = &vd[AN_N_TARGETS + AN_T_WAIT];
    assert_int_equal(w->verdict, AN_INADEQUATE);
    assert_string_equal(w->reason, "89.96 % start within 14 days (target 90 %)");
    free(vd);
    fixture_free(&fx);
}

/* A CI end in (-0.05, 0) is "0.0" in a reason, never "-0.0": slopes 0.29,
 * 0.5, 0.71 (sd 0.21) give 0.5 -+ t(0.975, 2) 0.21 / sqrt 3 = -0.0217 ..
 * 1.0217. */
static void test_analysis_reason_has_no_negative_zero(void **state)
{
    (void)state;
    fixture fx;
    fixture_two(&fx);
    const double x[] = { 0.29, 0.5, 0.71 };
    put(&fx.v, 1, KIM_M_BACKLOG_SLOPE, x);
    an_stat e;
    hand_stat(x, 3, &e);
    assert_true(e.ci_low < 0.0 && e.ci_low > -0.05);
    an_verdict *vd;
    an_verdicts(&fx.v, &vd);
    const an_verdict *st = &vd[AN_N_TARGETS + AN_T_STABILITY];
    assert_int_equal(st->verdict, AN_UNCERTAIN);
    const char *want = "backlog grows by 0.5 cases per month (95 % CI 0.0\xe2\x80\x93" "1.0); ";
    assert_memory_equal(st->reason, want, strlen(want));
    for (size_t i = 0; i < 2 * AN_N_TARGETS; i++)
        assert_null(strstr(vd[i].reason, "-0"));
    free(vd);
    fixture_free(&fx);
}

/* ------------------------------------------------------------------ */
/* Erlang                                                               */
/* ------------------------------------------------------------------ */

/* Erlang B and C by the explicit sums (Kleinrock 1975 vol. 1 §3.4-3.5). */
static double sum_b(long c, double a)
{
    double term = 1.0, sum = 1.0;
    for (long k = 1; k <= c; k++) sum += (term *= a / (double)k);
    return term / sum;
}

static double sum_c(long c, double a)
{
    double term = 1.0, below = 0.0;
    for (long k = 0; k < c; k++) {
        below += term;
        term *= a / (double)(k + 1);
    }
    double top = term * (double)c / ((double)c - a);  /* a^c/c! c/(c-a) */
    return top / (below + top);
}

static void test_analysis_erlang_b_c_published(void **state)
{
    (void)state;
    assert_true(fabs(an_erlang_b(3, 2.0) - 4.0 / 19.0) < 1e-15);
    assert_true(fabs(an_erlang_c(3, 2.0) - 4.0 / 9.0) < 1e-15);
    assert_true(fabs(an_erlang_b(10, 5.0) - sum_b(10, 5.0)) < 1e-12);
    assert_true(fabs(an_erlang_b(10, 5.0) - 0.018385) < 5e-7);  /* tables */
    assert_true(fabs(an_erlang_c(12, 10.8) - sum_c(12, 10.8)) < 1e-12);
    assert_true(fabs(an_erlang_c(1, 0.7315) - 0.7315) < 1e-15);  /* C = rho */
    assert_true(an_erlang_c(4, 4.0) == 1.0 && an_erlang_c(4, 5.5) == 1.0);
    assert_true(an_erlang_b(0, 3.0) == 1.0);
    assert_true(isnan(an_erlang_b(-1, 3.0)) && isnan(an_erlang_c(3, -1.0)));
}

/* 12 posts, 10.8 arrivals per day, one day per case: the classic M/M/c
 * example with P(wait) = 0.6400 and E[W] = 0.5334 days. */
static void test_analysis_mmc_waits(void **state)
{
    (void)state;
    double C = an_erlang_c(12, 10.8);
    assert_true(fabs(C - 0.6400) < 5e-5);
    double w = an_mmc_wait_mean(12, 10.8, 1.0);
    assert_true(fabs(w - sum_c(12, 10.8) / 1.2) < 1e-12);
    assert_true(fabs(w - 0.5334) < 5e-5);
    double q = an_mmc_wait_quantile(12, 10.8, 1.0, 0.9);
    assert_true(fabs(C * exp(-1.2 * q) - 0.1) < 1e-12);  /* P(W > q) = 0.1 */
    assert_true(an_mmc_wait_quantile(12, 10.8, 1.0, 0.2) == 0.0); /* C < 0.8 */
    assert_true(isinf(an_mmc_wait_mean(12, 12.0, 1.0)));
    assert_true(isinf(an_mmc_wait_quantile(12, 13.0, 1.0, 0.9)));
    assert_true(isnan(an_mmc_wait_quantile(12, 10.8, 1.0, 1.0)));
}

static void test_analysis_erlang_a_reduces_to_erlang_c(void **state)
{
    (void)state;
    an_erlang_a_result r;
    assert_int_equal(an_erlang_a(12, 10.8, 1.0, 1e-9, &r), 0);
    assert_true(fabs(r.p_wait - sum_c(12, 10.8)) < 1e-6);
    assert_true(fabs(r.wait_mean - sum_c(12, 10.8) / 1.2) < 1e-6);
    assert_true(r.p_abandon < 1e-8);
    assert_int_equal(an_erlang_a(12, 10.8, 1.0, 0.0, &r), 0);
    assert_true(fabs(r.p_wait - sum_c(12, 10.8)) < 1e-12 && r.p_abandon == 0.0);
}

/* The chain of a small case written out: c = 3, lambda = 2.35, mu = 0.62,
 * theta = 0.41 (overloaded without abandonment: lambda > c mu). */
static void test_analysis_erlang_a_matches_birth_death(void **state)
{
    (void)state;
    const long c = 3;
    const double lambda = 2.35, mu = 0.62, theta = 0.41;
    double p = 1.0, all = 0.0, busy = 0.0, queue = 0.0, served = 0.0;
    for (long k = 0; k < 400; k++) {
        if (k > 0)
            p *= lambda / (k <= c ? k * mu : c * mu + (k - c) * theta);
        all += p;
        if (k >= c) busy += p;
        if (k > c) queue += (double)(k - c) * p;
        served += (double)(k < c ? k : c) * mu * p;
    }
    an_erlang_a_result r;
    assert_int_equal(an_erlang_a(c, lambda, mu, theta, &r), 0);
    assert_true(REL(r.p_wait, busy / all));
    assert_true(REL(r.wait_mean, queue / all / lambda));
    assert_true(REL(r.p_abandon, theta * queue / all / lambda));
    /* flow balance: what is not abandoned is served */
    assert_true(fabs(lambda * (1.0 - r.p_abandon) - served / all) < 1e-12);
    assert_int_equal(an_erlang_a(0, 1.0, 1.0, 1.0, &r), -1);
    assert_true(isnan(r.p_wait));
    assert_int_equal(an_erlang_a(2, 1.0, 0.0, 1.0, &r), -1);
    assert_int_equal(an_erlang_a(2, 0.0, 1.0, 0.5, &r), 0);
    assert_true(r.p_wait == 0.0 && r.wait_mean == 0.0 && r.p_abandon == 0.0);
}

/* A district-sized case: large terms must not overflow (a^c/c! ~ e^700). */
static void test_analysis_erlang_a_large_does_not_overflow(void **state)
{
    (void)state;
    an_erlang_a_result r;
    assert_int_equal(an_erlang_a(2000, 1990.0, 1.0, 0.05, &r), 0);
    assert_true(r.p_wait > 0.0 && r.p_wait < 1.0);
    assert_true(isfinite(r.wait_mean) && r.p_abandon < 1.0);
    assert_int_equal(an_erlang_a(2000, 1900.0, 1.0, 1e-12, &r), 0);
    assert_true(fabs(r.p_wait - an_erlang_c(2000, 1900.0)) < 1e-6);
}

/* ------------------------------------------------------------------ */
/* Writers                                                              */
/* ------------------------------------------------------------------ */

static void test_analysis_csv_field_quoting(void **state)
{
    (void)state;
    char *buf = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&buf, &len);
    const char *in[] = { "Erkelenz", "Kamen, Bergkamen", "DRK \"Nord\"",
                         "zwei\nZeilen", "cr\r", "H\xc3\xbc" "ckelhoven", "" };
    for (size_t i = 0; i < sizeof in / sizeof *in; i++) {
        an_csv_field(f, in[i]);
        fputc('|', f);
    }
    fclose(f);
    assert_string_equal(buf, "Erkelenz|\"Kamen, Bergkamen\"|\"DRK \"\"Nord\"\"\"|"
                             "\"zwei\nZeilen\"|\"cr\r\"|H\xc3\xbc" "ckelhoven||");
    free(buf);
}

static void test_analysis_summary_parsed_back(void **state)
{
    (void)state;
    fixture fx;
    fixture_two(&fx);
    char *out = capture(an_write_summary, &fx.v, 1);
    csv c;
    csv_parse(&c, out);
    const char *head[] = { "scenario", "variant", "group", "metric", "n", "mean",
                           "sd", "ci_low", "ci_high", "min", "max" };
    assert_int_equal(c.n_fields[0], 11);
    for (size_t i = 0; i < 11; i++) assert_string_equal(c.field[0][i], head[i]);
    assert_int_equal(c.n_rows, 1 + 7);          /* the 7 metrics set */
    for (size_t r = 1; r < c.n_rows; r++) {
        assert_int_equal(c.n_fields[r], 11);
        assert_string_equal(c.field[r][0], "kreis, test");
        assert_string_equal(c.field[r][1], "posts.drk-hueckelhoven.fte=1.5");
    }
    long r = csv_find(&c, 2, two_labels[1], "wait_target_quantile");
    assert_true(r > 0);
    an_stat e;
    hand_stat((double[]){ 41.2, 45.3, 38.1 }, 3, &e);
    assert_string_equal(c.field[r][4], "3");
    assert_true(fabs(strtod(c.field[r][5], NULL) - e.mean) < 1e-9 * e.mean);
    assert_true(fabs(strtod(c.field[r][6], NULL) - e.sd) < 1e-9 * e.sd);
    assert_true(fabs(strtod(c.field[r][7], NULL) - e.ci_low) < 1e-9 * e.mean);
    assert_true(fabs(strtod(c.field[r][8], NULL) - e.ci_high) < 1e-9 * e.mean);
    assert_string_equal(c.field[r][9], "38.1");
    assert_string_equal(c.field[r][10], "45.3");
    r = csv_find(&c, 2, "district", "arrivals");
    assert_true(r > 0);
    assert_string_equal(c.field[r][5], "103.3333333");
    assert_true(csv_find(&c, 2, "district", "cost_eur") < 0);
    csv_free(&c);
    free(out);
    fixture_free(&fx);
}

/* Two 1-replication values: NaN sd and no spread come out as empty. */
static void test_analysis_summary_nan_is_empty(void **state)
{
    (void)state;
    fixture fx;
    fixture_two(&fx);
    put(&fx.v, 0, KIM_M_COST_EUR, (double[]){ NAN, 660000.0, NAN });
    char *out = capture(an_write_summary, &fx.v, 1);
    assert_non_null(strstr(out, "\"kreis, test\",posts.drk-hueckelhoven.fte=1.5,"
                                "district,cost_eur,1,660000,,660000,660000,"
                                "660000,660000\n"));
    free(out);
    fixture_free(&fx);
}

static void test_analysis_replications_rows(void **state)
{
    (void)state;
    fixture fx;
    fixture_two(&fx);
    char *out = capture(an_write_replications, &fx.v, 1);
    csv c;
    csv_parse(&c, out);
    const char *rep1 =
        "scenario,variant,replication,seed,group,metric,value\n"
        "\"kreis, test\",posts.drk-hueckelhoven.fte=1.5,1,1000,district,arrivals,101\n"
        "\"kreis, test\",posts.drk-hueckelhoven.fte=1.5,1,1000,district,"
        "within_target_share,0.96\n"
        "\"kreis, test\",posts.drk-hueckelhoven.fte=1.5,1,1000,district,"
        "utilization,0.8\n"
        "\"kreis, test\",posts.drk-hueckelhoven.fte=1.5,1,1000,"
        "\"municipality:B\xc3\xb6nen, \"\"Ost\"\"\",within_target_share,0.62\n"
        "\"kreis, test\",posts.drk-hueckelhoven.fte=1.5,1,1000,"
        "\"municipality:B\xc3\xb6nen, \"\"Ost\"\"\",reneged_share,0.01\n"
        "\"kreis, test\",posts.drk-hueckelhoven.fte=1.5,1,1000,"
        "\"municipality:B\xc3\xb6nen, \"\"Ost\"\"\",utilization,0.97\n"
        "\"kreis, test\",posts.drk-hueckelhoven.fte=1.5,1,1000,"
        "\"municipality:B\xc3\xb6nen, \"\"Ost\"\"\",wait_target_quantile,41.2\n"
        "\"kreis, test\",posts.drk-hueckelhoven.fte=1.5,2,1007,district,arrivals,97\n";
    assert_memory_equal(out, rep1, strlen(rep1));
    /* 3 + 4 values in replications 1 and 3; one NaN reneged_share in 2 */
    assert_int_equal(c.n_rows, 1 + 7 + 6 + 7);
    assert_string_equal(c.field[c.n_rows - 1][2], "3");
    assert_string_equal(c.field[c.n_rows - 1][3], "1014");
    csv_free(&c);
    free(out);
    fixture_free(&fx);
}

static void test_analysis_verdict_csv_parsed_back(void **state)
{
    (void)state;
    fixture fx;
    fixture_two(&fx);
    char *out = capture(an_write_verdicts, &fx.v, 1);
    csv c;
    csv_parse(&c, out);
    const char *head[] = { "scenario", "variant", "group", "target", "threshold",
                           "estimate", "ci_low", "ci_high", "verdict", "reason",
                           "reps_to_decide" };
    assert_int_equal(c.n_fields[0], 11);
    for (size_t i = 0; i < 11; i++) assert_string_equal(c.field[0][i], head[i]);
    /* district: wait, utilization; municipality: wait, util, reneged */
    assert_int_equal(c.n_rows, 1 + 2 + 3);
    long r = csv_find(&c, 2, two_labels[1], "wait");
    assert_true(r > 0);
    assert_string_equal(c.field[r][4], "0.9");
    assert_true(fabs(strtod(c.field[r][5], NULL) - 0.62333333333) < 1e-9);
    assert_string_equal(c.field[r][8], "inadequate");
    assert_string_equal(c.field[r][9], "62.3 % start within 14 days (target 90 %)");
    assert_string_equal(c.field[r][10], "");
    r = csv_find(&c, 2, "district", "utilization");
    assert_string_equal(c.field[r][8], "adequate");
    assert_true(csv_find(&c, 2, "district", "stability") < 0);
    csv_free(&c);
    free(out);
    fixture_free(&fx);
}

static void test_analysis_writers_report_errors(void **state)
{
    (void)state;
    fixture fx;
    fixture_two(&fx);
    FILE *f = fopen("/dev/full", "w");
    if (!f) skip();
    assert_int_equal(an_write_summary(f, &fx.v, 1), -1);
    clearerr(f);
    assert_int_equal(an_write_replications(f, &fx.v, 1), -1);
    clearerr(f);
    assert_int_equal(an_write_verdicts(f, &fx.v, 1), -1);
    fclose(f);
    fixture_free(&fx);
}

/* ------------------------------------------------------------------ */
/* The table                                                            */
/* ------------------------------------------------------------------ */

static size_t code_points(const char *s, size_t n)
{
    size_t k = 0;
    for (size_t i = 0; i < n; i++) k += ((unsigned char)s[i] & 0xC0) != 0x80;
    return k;
}

static char *table_of(const an_variant *v, int colour)
{
    char *buf = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&buf, &len);
    an_print_table(f, v, colour);
    fclose(f);
    return buf;
}

static void test_analysis_table_width_and_umlauts(void **state)
{
    (void)state;
    const char *const labels[] = {
        "district",
        "municipality:H\xc3\xbc" "ckelhoven-Ratheim \xc3\x9c" "bach-Palenberg",
        "post:Diakonie Erkelenz"
    };
    const kim_group_kind kinds[] = { KIM_G_DISTRICT, KIM_G_MUNI, KIM_G_POST };
    fixture fx;
    kim_scenario_defaults(&fx.sc);
    fx.sc.horizon_days = 1095.0;
    groups_make(&fx.groups, 3, labels, kinds);
    an_variant_init(&fx.v, "heinsberg-2023-mit-einem-sehr-langen-namen-der-"
                    "nicht-in-eine-zeile-passt-und-abgeschnitten-werden-muss",
                    "base", &fx.sc, &fx.groups, 3);
    for (size_t g = 0; g < 3; g++) {
        put(&fx.v, g, KIM_M_WAIT_TARGET_Q, (double[]){ 141.2, 145.3, 138.1 });
        put(&fx.v, g, KIM_M_WITHIN_TARGET_SHARE, (double[]){ 0.42, 0.45, 0.4 });
        put(&fx.v, g, KIM_M_UTILIZATION, (double[]){ 0.97, 0.99, 0.96 });
        put(&fx.v, g, KIM_M_RENEGED_SHARE, (double[]){ 0.12, 0.11, 0.13 });
        put(&fx.v, g, KIM_M_BACKLOG_SLOPE, (double[]){ 3.1, 2.9, 3.4 });
        put(&fx.v, g, KIM_M_FILLED_FTE_MEAN, (double[]){ 4.65, 4.65, 4.65 });
        put(&fx.v, g, KIM_M_ARRIVALS, (double[]){ 1300, 1310, 1290 });
    }
    put(&fx.v, 2, KIM_M_UTILIZATION, (double[]){ 0.5, 0.6, 0.55 });
    put(&fx.v, 2, KIM_M_WITHIN_TARGET_SHARE, (double[]){ 0.92, 0.94, 0.96 });
    put(&fx.v, 2, KIM_M_RENEGED_SHARE, (double[]){ 0.01, 0.02, 0.01 });
    put(&fx.v, 2, KIM_M_BACKLOG_SLOPE, (double[]){ -0.5, -0.4, -0.6 });
    char *out = table_of(&fx.v, 0);
    for (const char *p = out; *p;) {
        const char *nl = strchr(p, '\n');
        assert_non_null(nl);
        assert_true(code_points(p, (size_t)(nl - p)) <= 100);
        p = nl + 1;
    }
    assert_null(strchr(out, '\033'));
    /* cut after 17 characters, not bytes, then "…" */
    assert_non_null(strstr(out, "\n  H\xc3\xbc" "ckelhoven-Rathe\xe2\x80\xa6 "));
    assert_non_null(strstr(out, " INADEQUATE wait, reneged, bac\xe2\x80\xa6\n"));
    assert_non_null(strstr(out, " UNCERTAIN  wait ~5 reps\n"));
    assert_non_null(strstr(out, " 142 (133\xe2\x80\x93" "151) "));   /* en dash */
    free(out);
    out = table_of(&fx.v, 1);
    assert_non_null(strstr(out, "\033[31mINADEQUATE\033[0m"));
    assert_non_null(strstr(out, "\033[33mUNCERTAIN\033[0m"));
    free(out);
    fixture_free(&fx);
}

/* The writer fixture: district ADEQUATE (green), municipality INADEQUATE. */
static void test_analysis_table_colour_only_when_asked(void **state)
{
    (void)state;
    fixture fx;
    fixture_two(&fx);
    char *plain = table_of(&fx.v, 0), *colour = table_of(&fx.v, 1);
    assert_null(strchr(plain, '\033'));
    assert_non_null(strstr(plain, "\ndistrict "));
    assert_non_null(strstr(plain, " ADEQUATE\n"));
    assert_non_null(strstr(plain, "\n  B\xc3\xb6nen, \"Ost\" "));
    assert_non_null(strstr(colour, "\033[32mADEQUATE\033[0m"));
    assert_non_null(strstr(colour, "\033[31mINADEQUATE\033[0m wait, util\n"));
    assert_non_null(strstr(plain, "(posts.drk-hueckelhoven.fte=1.5): 3 replications"));
    free(plain);
    free(colour);
    fixture_free(&fx);
}

/* an_put_num writes the same bytes as "%.10g", integers included. */
static void test_analysis_put_num_matches_printf(void **state)
{
    (void)state;
    const double xs[] = { 0.0, -0.0, 1.0, -1.0, 7.0, 2.385, 1e10 - 1, -(1e10 - 1), 1e10,
                          123456789.0, 0.1, 1e-7, 3650.0, 1e15, -42.0, 0.9999999999,
                          4294967296.0, 55000.0 * 12 };
    for (size_t i = 0; i < sizeof xs / sizeof *xs; i++) {
        char want[64], got[64] = "";
        snprintf(want, sizeof want, "%.10g", xs[i]);
        FILE *f = fmemopen(got, sizeof got, "w");
        an_put_num(f, xs[i]);
        fclose(f);
        assert_string_equal(got, want);
    }
}

/* an_fmt_num against snprintf("%.10g") on the values that reach its exact
 * integer path and on those that must not (ties, the ends of the range,
 * subnormals, NaN, infinities): 2 million values in all. */
static void expect_fmt(double x)
{
    char want[64], got[64];
    snprintf(want, sizeof want, "%.10g", x);
    *an_fmt_num(got, x) = '\0';
    if (strcmp(got, want) != 0) fail_msg("%a: got \"%s\", printf \"%s\"", x, got, want);
}

static void test_analysis_fmt_num_matches_printf(void **state)
{
    (void)state;
    gsl_rng *r = gsl_rng_alloc(gsl_rng_mt19937);
    gsl_rng_set(r, 20261121);
    for (int i = 0; i < 600000; i++) {      /* log-uniform over 1e-7 .. 1e12, both signs */
        double x = pow(10.0, -7.0 + 19.0 * gsl_rng_uniform(r));
        expect_fmt(gsl_rng_uniform(r) < 0.5 ? x : -x);
    }
    for (int i = 0; i < 600000; i++) {      /* short decimals: 2.385, 0.45, 1234.5678 */
        double k = (double)gsl_rng_uniform_int(r, 100000000);
        expect_fmt(k / pow(10.0, (double)gsl_rng_uniform_int(r, 12)));
    }
    for (int i = 0; i < 200000; i++) {      /* exact ties D + 0.5 at ten digits, neighbours */
        double x = 1e9 + (double)gsl_rng_uniform_int(r, 4000000000u) * 2.25 + 0.5;
        if (x >= 1e10) continue;
        expect_fmt(x);
        expect_fmt(nextafter(x, 0.0));
        expect_fmt(nextafter(x, INFINITY));
    }
    for (int e = -12; e <= 12; e++) {       /* powers of ten and their neighbours */
        double x = pow(10.0, e);
        for (int k = -3; k <= 3; k++) {
            double y = x;
            for (int j = 0; j < (k < 0 ? -k : k); j++) y = nextafter(y, k < 0 ? 0.0 : INFINITY);
            expect_fmt(y);
            expect_fmt(-y);
            expect_fmt(y * 0.99999999995);
            expect_fmt(y * 1.00000000005);
        }
    }
    const double edge[] = { 9999999999.5, 9999999999.4999, 9999999999.0, 0.99999999995,
                            0.999999999949, 0.00009999999999, 0.0001, 0.00009999999995,
                            5e-324, 2.2250738585072014e-308, 1.7976931348623157e308,
                            NAN, INFINITY, -INFINITY, 0.0, -0.0, 1e-5 };
    for (size_t i = 0; i < sizeof edge / sizeof *edge; i++) {
        expect_fmt(edge[i]);
        expect_fmt(-edge[i]);
    }
    gsl_rng_free(r);
}

/* an_fmt_fixed against snprintf("%.*f"), d = 0..4: log-uniform values,
 * decimals with d + 1 digits (many exactly or nearly on a half: 0.125,
 * 2.5, 0.05), their neighbours, and the ends of the range; 1.6 million
 * values in all. */
static void expect_fixed(double x, int d)
{
    char want[64], got[64];
    snprintf(want, sizeof want, "%.*f", d, x);
    *an_fmt_fixed(got, x, d) = '\0';
    if (strcmp(got, want) != 0)
        fail_msg("%a with %d: got \"%s\", printf \"%s\"", x, d, got, want);
}

static void test_analysis_fmt_fixed_matches_printf(void **state)
{
    (void)state;
    gsl_rng *r = gsl_rng_alloc(gsl_rng_mt19937);
    gsl_rng_set(r, 20261122);
    for (int i = 0; i < 200000; i++) {          /* log-uniform over 1e-7 .. 1e9 */
        double x = pow(10.0, -7.0 + 16.0 * gsl_rng_uniform(r));
        if (x >= 1e9) continue;
        for (int d = 0; d <= 4; d++) expect_fixed(gsl_rng_uniform(r) < 0.5 ? x : -x, d);
    }
    for (int i = 0; i < 200000; i++) {          /* halves at every d, and neighbours */
        int d = (int)gsl_rng_uniform_int(r, 5);
        double k = (double)gsl_rng_uniform_int(r, 20000000) + 0.5;
        double x = k / pow(10.0, (double)d);
        expect_fixed(x, d);
        expect_fixed(-x, d);
        expect_fixed(nextafter(x, 0.0), d);
        expect_fixed(nextafter(x, INFINITY), d);
    }
    const double edge[] = { 0.0, -0.0, 0.5, 1.5, 2.5, 0.05, 0.15, 0.25, 0.35, 0.005,
                            0.00005, 0.00004999, 1e-300, 999999999.99995, 999999999.5,
                            99.95, 89.96, 90.0, 12.345, 1e9 - 1 };
    for (size_t i = 0; i < sizeof edge / sizeof *edge; i++)
        for (int d = 0; d <= 4; d++) {
            expect_fixed(edge[i], d);
            expect_fixed(-edge[i], d);
        }
    gsl_rng_free(r);
}

static void test_analysis_fmt_long_matches_printf(void **state)
{
    (void)state;
    const long long edge[] = { 0, 1, 9, 10, 11, 99, 100, 101, 999, 1000, -1, -9, -10, -100,
                               LLONG_MAX, LLONG_MIN, LLONG_MIN + 1, 4294967296LL };
    char want[32], got[32];
    for (size_t i = 0; i < sizeof edge / sizeof *edge; i++) {
        snprintf(want, sizeof want, "%lld", edge[i]);
        *an_fmt_long(got, edge[i]) = '\0';
        assert_string_equal(got, want);
    }
    gsl_rng *r = gsl_rng_alloc(gsl_rng_mt19937);
    for (int i = 0; i < 200000; i++) {          /* every length, both signs */
        unsigned long long u = (unsigned long long)gsl_rng_get(r) << 31 ^ gsl_rng_get(r);
        long long x = (long long)(u >> gsl_rng_uniform_int(r, 63));
        x = gsl_rng_uniform(r) < 0.5 ? x : -x;
        snprintf(want, sizeof want, "%lld", x);
        *an_fmt_long(got, x) = '\0';
        assert_string_equal(got, want);
    }
    gsl_rng_free(r);
}

static void test_analysis_fmt_field_matches_csv_field(void **state)
{
    (void)state;
    const char *s[] = { "", "plain", "a,b", "say \"hi\"", "two\nlines", "cr\r", "Bönen" };
    for (size_t i = 0; i < sizeof s / sizeof *s; i++) {
        char want[64] = "", got[64];
        FILE *f = fmemopen(want, sizeof want, "w");
        an_csv_field(f, s[i]);
        fclose(f);
        *an_fmt_field(got, s[i]) = '\0';
        assert_string_equal(got, want);
    }
}

/* A paired difference from one replication is no evidence of a change,
 * however large: no CI (its zero width is no interval).  From two pairs
 * with a CI that excludes zero and a mean past the floor (1 day, or 10 %
 * of the baseline's 76 days = 7.6), it is. */
static void test_analysis_wait_change_needs_two_replications(void **state)
{
    (void)state;
    an_stat base = { .n = 1, .mean = 76.0 };
    an_stat one = { .n = 1, .mean = -76.0, .ci_low = -76.0, .ci_high = -76.0 };
    assert_int_equal(an_wait_changed(&base, &one), 0);
    an_stat two = { .n = 2, .mean = -76.0, .ci_low = -80.0, .ci_high = -72.0 };
    assert_int_equal(an_wait_changed(&base, &two), 1);
    an_stat small = { .n = 2, .mean = -5.0, .ci_low = -6.0, .ci_high = -4.0 };
    assert_int_equal(an_wait_changed(&base, &small), 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_analysis_stat_of_matches_hand_computation),
        cmocka_unit_test(test_analysis_stat_of_skips_nan_with_stride),
        cmocka_unit_test(test_analysis_stat_of_one_value_and_none),
        cmocka_unit_test(test_analysis_stat_metric_picks_group_and_metric),
        cmocka_unit_test(test_analysis_decide_lower_bound),
        cmocka_unit_test(test_analysis_decide_upper_bound),
        cmocka_unit_test(test_analysis_decide_point_and_missing),
        cmocka_unit_test(test_analysis_reps_to_decide),
        cmocka_unit_test(test_analysis_verdicts_order_reasons_and_na),
        cmocka_unit_test(test_analysis_stability_reason_and_skipped_kinds),
        cmocka_unit_test(test_analysis_overload_makes_every_target_inadequate),
        cmocka_unit_test(test_analysis_overload_post_has_utilization_only),
        cmocka_unit_test(test_analysis_one_replication_is_uncertain),
        cmocka_unit_test(test_analysis_one_value_of_several_is_uncertain),
        cmocka_unit_test(test_analysis_wait_reason_in_decided_metric),
        cmocka_unit_test(test_analysis_reason_has_no_negative_zero),
        cmocka_unit_test(test_analysis_erlang_b_c_published),
        cmocka_unit_test(test_analysis_mmc_waits),
        cmocka_unit_test(test_analysis_erlang_a_reduces_to_erlang_c),
        cmocka_unit_test(test_analysis_erlang_a_matches_birth_death),
        cmocka_unit_test(test_analysis_erlang_a_large_does_not_overflow),
        cmocka_unit_test(test_analysis_csv_field_quoting),
        cmocka_unit_test(test_analysis_summary_parsed_back),
        cmocka_unit_test(test_analysis_summary_nan_is_empty),
        cmocka_unit_test(test_analysis_replications_rows),
        cmocka_unit_test(test_analysis_verdict_csv_parsed_back),
        cmocka_unit_test(test_analysis_writers_report_errors),
        cmocka_unit_test(test_analysis_table_width_and_umlauts),
        cmocka_unit_test(test_analysis_table_colour_only_when_asked),
        cmocka_unit_test(test_analysis_put_num_matches_printf),
        cmocka_unit_test(test_analysis_fmt_num_matches_printf),
        cmocka_unit_test(test_analysis_fmt_long_matches_printf),
        cmocka_unit_test(test_analysis_fmt_fixed_matches_printf),
        cmocka_unit_test(test_analysis_fmt_field_matches_csv_field),
        cmocka_unit_test(test_analysis_wait_change_needs_two_replications),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
