/*
 * mser.c — the warm-up deletion point by MSER-5.
 *
 * Invariant: a pure function of the series; the deletion point it returns
 * is a multiple of AN_MSER_BATCH observations and never beyond the first
 * half of the series, so at least half of it is always kept.
 *
 * Method: MSER-5, the Marginal Standard Error Rule on batch means of five
 * (White 1997, "An effective truncation heuristic for bias reduction in
 * simulation output", Simulation 69(6):323-334; White, Cobb & Spratt 2000,
 * "A comparison of five steady-state truncation heuristics for simulation",
 * Proc. Winter Simulation Conference, 755-760).  The series y_1..y_n is cut
 * into k = floor(n/5) batch means Z_1..Z_k (the remainder at the end is
 * dropped).  For each candidate d = 0..floor(k/2),
 *
 *     MSER(d) = 1/(k-d)^2 * sum_{j=d+1..k} (Z_j - mean(Z_{d+1..k}))^2,
 *
 * the squared marginal standard error of the truncated mean; d* minimises
 * it (the first minimum on ties), and 5 d* observations are deleted.
 * Restricting d to the first half follows White, Cobb & Spratt (2000):
 * a minimum in the second half means the run is too short to judge.
 */
#include "an.h"
#include "../sim/sim.h"

#include <math.h>
#include <stdlib.h>

/* Batch means of size b (remainder dropped); returns k, *z malloc'd. */
static size_t batch_means(const double *y, size_t n, size_t b, double **z)
{
    size_t k = n / b;
    *z = sim_xcalloc(k + 1, sizeof **z);
    for (size_t j = 0; j < k; j++) {
        double s = 0.0;
        for (size_t i = 0; i < b; i++) s += y[j * b + i];
        (*z)[j] = s / (double)b;
    }
    return k;
}

/* MSER(d) for every d = 0..k-1 from suffix sums, in O(k): with S1, S2 the
 * sums of Z and Z^2 over j >= d and m = k - d, the sum of squares about
 * the mean is S2 - S1^2/m (computed about a shift for accuracy). */
static void mser_all(const double *z, size_t k, double *out)
{
    double shift = z[k - 1], s1 = 0.0, s2 = 0.0;
    for (size_t d = k; d-- > 0;) {
        double x = z[d] - shift;
        s1 += x;
        s2 += x * x;
        double m = (double)(k - d), ss = s2 - s1 * s1 / m;
        out[d] = (ss > 0.0 ? ss : 0.0) / (m * m);
    }
}

size_t an_mser5(const double *y, size_t n)
{
    double *z;
    size_t k = batch_means(y, n, AN_MSER_BATCH, &z);
    if (k < 2) {
        free(z);
        return 0;
    }
    double *stat = sim_xcalloc(k, sizeof *stat);
    mser_all(z, k, stat);
    size_t best = 0;
    for (size_t d = 1; d <= k / 2; d++)
        if (stat[d] < stat[best]) best = d;
    free(stat);
    free(z);
    return best * AN_MSER_BATCH;
}
