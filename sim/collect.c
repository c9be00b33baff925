/*
 * collect.c — the collectors a run feeds: tallies, time-weighted averages
 * and bounded-memory quantile histograms.
 *
 * Invariant: no collector allocates; each has a fixed size whatever the
 * number of observations (STYLE.md: no monitors that keep every record).
 */
#include "sim.h"

#include <math.h>
#include <string.h>

void sim_tally_reset(sim_tally *t)
{
    t->n = 0;
    t->sum = 0.0;
    t->min = INFINITY;
    t->max = -INFINITY;
}

double sim_tally_mean(const sim_tally *t)
{
    return t->n ? t->sum / (double)t->n : NAN;
}

void sim_timeavg_init(sim_timeavg *a, double t, double value)
{
    a->t0 = a->last_t = t;
    a->value = value;
    a->area = 0.0;
}

void sim_timeavg_restart(sim_timeavg *a, double t)
{
    sim_timeavg_init(a, t, a->value);
}

double sim_timeavg_mean(const sim_timeavg *a, double t)
{
    SIM_ASSERT(t >= a->last_t);
    double span = t - a->t0;
    if (span <= 0.0) return a->value;
    return (a->area + a->value * (t - a->last_t)) / span;
}

/* ---- quantile histogram --------------------------------------------- */

#define SUB (1u << SIM_QH_SUB_BITS)

void sim_qhist_reset(sim_qhist *h)
{
    memset(h, 0, sizeof *h);
}

void sim_qhist_clear(sim_qhist *h)
{
    for (int o = 0; o < SIM_QH_OCTAVES; o++)
        if (h->octave[o]) memset(&h->count[o * (int)SUB], 0, SUB * sizeof *h->count);
    memset(h->octave, 0, sizeof h->octave);
    h->n = h->zero = h->over = 0;
    h->max = 0.0;
}

static double bucket_mid(int b)
{
    int oct = b >> SIM_QH_SUB_BITS, sub = b & (SUB - 1);
    return ldexp(1.0 + (sub + 0.5) / SUB, oct + SIM_QH_MIN_EXP);
}

/* Order statistic x_(ceil(q n)) of the values added, as a bucket midpoint
 * (capped at the maximum).  Whole octaves are skipped on their totals, so
 * a quantile costs at most SIM_QH_OCTAVES + SUB steps. */
static double quantile_at(const sim_qhist *h, double q)
{
    uint64_t rank = (uint64_t)ceil(q * (double)h->n);   /* 1-based */
    if (rank < 1) rank = 1;
    if (rank > h->n) rank = h->n;
    uint64_t seen = h->zero;
    if (rank <= seen) return 0.0;
    for (int o = 0; o < SIM_QH_OCTAVES; o++) {
        if (rank > seen + h->octave[o]) {
            seen += h->octave[o];
            continue;
        }
        for (int b = o * (int)SUB;; b++) {
            seen += h->count[b];
            if (rank <= seen) {
                double mid = bucket_mid(b);
                return mid < h->max ? mid : h->max;
            }
        }
    }
    return h->max;                        /* in the overflow bucket */
}

void sim_qhist_quantiles(const sim_qhist *h, const double *q, size_t n, double *out)
{
    for (size_t i = 0; i < n; i++) out[i] = h->n ? quantile_at(h, q[i]) : NAN;
}

double sim_qhist_quantile(const sim_qhist *h, double q)
{
    double x;
    sim_qhist_quantiles(h, &q, 1, &x);
    return x;
}
