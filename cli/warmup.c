/*
 * warmup.c — warmup_days = "auto": a pilot run and MSER-5.
 *
 * Invariant: the deletion point depends only on the scenario file's first
 * variant (its baseline), its seed and replications — never on threads —
 * and every variant of that file gets the same warmup_days, so paired
 * comparisons count the same window in both variants.  An overloaded
 * variant never reaches a steady state anyway; its replications stop at
 * max_waiting and every verdict of it is inadequate (analysis/verdict.c).
 *
 * Pilot: the first min(PILOT_REPS, R) replications of the baseline with
 * no warm-up, in memory, recording the district's waiting list at every
 * sample point (every sample_days, or horizon/PILOT_POINTS days when the
 * scenario samples no time series).  The series averaged over the pilot
 * replications goes to MSER-5 (an_mser5; White 1997), whose deletion point
 * d (in sample points) becomes warmup_days = d x interval.  Averaging
 * the series over replications before truncating is how the heuristic is
 * applied to replicated runs (White, Cobb & Spratt 2000; the same pilot
 * as Welch's procedure, Law 2015, §9.5.1).  The pilot uses the seeds of the
 * run's first replications.
 */
#include "cli.h"
#include "../sim/sim.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#define PILOT_REPS 5            /* White, Cobb & Spratt 2000 use 5-10 */
#define PILOT_POINTS 500        /* sample points when the scenario has none */

typedef struct pilot {
    double interval;            /* days between sample points */
    size_t n;                   /* sample points 0..n-1 */
    double *sum;                /* waiting list summed over replications */
} pilot;

static void on_sample(void *ctx, double day, const kim_sample *rows, size_t n)
{
    pilot *p = ctx;
    (void)n;
    double k = floor(day / p->interval + 0.5);
    if (k >= 0.0 && k < (double)p->n) p->sum[(size_t)k] += (double)rows[0].waiting;   /* the district */
}

/* MSER-5 deletion point of variant v's baseline in days. */
static double pilot_warmup(const cli_variant *v)
{
    kim_scenario sc = v->sc;     /* shallow: only plain fields change */
    sc.warmup_days = 0.0;
    if (!(sc.sample_days > 0.0)) sc.sample_days = sc.horizon_days / PILOT_POINTS;
    pilot p = { sc.sample_days, (size_t)floor(sc.horizon_days / sc.sample_days) + 1, NULL };
    p.sum = sim_xcalloc(p.n, sizeof *p.sum);
    unsigned long reps = sc.replications < PILOT_REPS ? (unsigned long)sc.replications
                                                       : PILOT_REPS;
    double *values = sim_xcalloc(v->groups.n * KIM_N_METRICS, sizeof *values);
    kim_observer obs = { &p, on_sample, NULL };
    kim_model *m = kim_model_new(&sc);
    kim_run_info info;
    for (unsigned long r = 0; r < reps; r++) kim_model_run(m, r, &obs, values, &info);
    kim_model_free(m);
    for (size_t i = 0; i < p.n; i++) p.sum[i] /= (double)(reps ? reps : 1);
    size_t d = an_mser5(p.sum, p.n);
    free(values);
    free(p.sum);
    return (double)d * p.interval;
}

int cli_warmup_auto(cli_run *run)
{
    size_t n_files = run->o->n_files;
    for (size_t f = 0; f < n_files; f++) {
        size_t v0 = run->first_of_file ? run->first_of_file[f] : 0;
        size_t v1 = run->first_of_file ? run->first_of_file[f + 1] : run->n_v;
        if (v0 >= v1 || !run->v[v0].sc.warmup_auto) continue;
        double w = pilot_warmup(&run->v[v0]);
        for (size_t v = v0; v < v1; v++)
            if (run->v[v].sc.warmup_auto) run->v[v].sc.warmup_days = w;
    }
    return 0;
}
