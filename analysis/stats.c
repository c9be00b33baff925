/*
 * stats.c — replication results of a variant and their statistics.
 *
 * Invariant: an_variant.values holds n_reps x groups->n x KIM_N_METRICS
 * doubles, row-major (replication, group, metric); a NaN means "no value"
 * (the metric does not apply to the group, or the replication has not run)
 * and every statistic skips it.
 *
 * Sources: mean and sample standard deviation (n-1) by gsl_stats_mean and
 * gsl_stats_sd; the 95 % confidence interval of the mean of independent
 * replications is mean -+ t(0.975, n-1) sd / sqrt(n), the Student-t
 * interval (Law 2015, "Simulation Modeling and Analysis", 5th ed., §9.4.1),
 * with the quantile from gsl_cdf_tdist_Pinv.
 */
#include "an.h"
#include "../sim/sim.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <gsl/gsl_cdf.h>
#include <gsl/gsl_statistics_double.h>

/* ------------------------------------------------------------------ */
/* Variant storage                                                      */
/* ------------------------------------------------------------------ */

void an_variant_init(an_variant *v, const char *scenario, const char *variant,
                     const kim_scenario *sc, const kim_groups *groups,
                     size_t n_reps)
{
    size_t n = n_reps * groups->n * KIM_N_METRICS;
    v->scenario = scenario;
    v->variant = variant;
    v->sc = sc;
    v->groups = groups;
    v->n_reps = n_reps;
    v->values = sim_xmalloc(n * sizeof *v->values);
    for (size_t i = 0; i < n; i++) v->values[i] = NAN;
    v->info = sim_xcalloc(n_reps, sizeof *v->info);
}

void an_variant_fini(an_variant *v)
{
    if (!v) return;
    free(v->values);
    free(v->info);
    memset(v, 0, sizeof *v);
}

double *an_values(const an_variant *v, size_t rep, size_t group)
{
    SIM_ASSERT(rep < v->n_reps && group < v->groups->n);
    return v->values + (rep * v->groups->n + group) * KIM_N_METRICS;
}

/* ------------------------------------------------------------------ */
/* Statistics                                                           */
/* ------------------------------------------------------------------ */

/* Copies the non-NaN values of the strided x into y, or into a new
 * array when y is NULL (the caller frees it), and returns their count in
 * *m. */
static double *finite_values(const double *x, size_t stride, size_t n,
                             double *y, size_t *m)
{
    if (!y) y = sim_xmalloc(n * sizeof *y);
    size_t k = 0;
    for (size_t i = 0; i < n; i++) {
        double xi = x[i * stride];
        if (!isnan(xi)) y[k++] = xi;
    }
    *m = k;
    return y;
}

/* An an_stat with every field but n NaN: "no value". */
static void stat_empty(an_stat *out)
{
    out->n = 0;
    out->mean = out->sd = NAN;
    out->ci_low = out->ci_high = NAN;
    out->min = out->max = NAN;
}

/* The 97.5 % quantile of Student's t with df degrees of freedom.  The
 * cells of a summary mostly share one df (the replications run), so the
 * last one is kept, per thread: gsl_cdf_tdist_Pinv iterates. */
static double t975(size_t df)
{
    static _Thread_local size_t last_df;
    static _Thread_local double last_t;
    if (df != last_df) {
        last_t = gsl_cdf_tdist_Pinv(0.975, (double)df);
        last_df = df;
    }
    return last_t;
}

/* With n = 1 there is no spread to estimate: sd is NaN (undefined with
 * n - 1 = 0 degrees of freedom) and ci_low = ci_high = the value, which is
 * no interval: a verdict from one replication is uncertain (an_decide). */
void an_stat_of(const double *x, size_t stride, size_t n, an_stat *out)
{
    size_t m;
    stat_empty(out);
    if (n == 0) return;
    double small[64];                   /* a summary calls this per cell */
    double *y = finite_values(x, stride, n, n <= 64 ? small : NULL, &m);
    out->n = m;
    if (m > 0) {
        out->mean = gsl_stats_mean(y, 1, m);
        out->min = out->max = y[0];
        for (size_t i = 1; i < m; i++) {
            if (y[i] < out->min) out->min = y[i];
            if (y[i] > out->max) out->max = y[i];
        }
        out->ci_low = out->ci_high = out->mean;
    }
    if (m > 1) {
        double t = t975(m - 1);
        out->sd = gsl_stats_sd(y, 1, m);
        double h = t * out->sd / sqrt((double)m);
        out->ci_low = out->mean - h;
        out->ci_high = out->mean + h;
    }
    if (y != small) free(y);
}

void an_stat_metric(const an_variant *v, size_t g, kim_metric m, an_stat *out)
{
    SIM_ASSERT(g < v->groups->n && (unsigned)m < KIM_N_METRICS);
    if (v->n_reps == 0) {
        stat_empty(out);
        return;
    }
    an_stat_of(v->values + g * KIM_N_METRICS + m,
               v->groups->n * KIM_N_METRICS, v->n_reps, out);
}
