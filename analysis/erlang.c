/*
 * erlang.c — analytic queueing estimates: Erlang B and C, M/M/c waits, and
 * Erlang A (M/M/c+M, Palm 1943) for a first look without simulation.
 *
 * Invariant: every function is a pure function of its arguments and never
 * overflows: Erlang B by the bounded recursion, Erlang A by summing the
 * birth-death chain's stationary distribution in scaled (log-sum-exp)
 * form.  Invalid arguments give NaN (or status -1), never a GSL error.
 *
 * Sources:
 *  - Erlang B recursion B(0) = 1, B(k) = a B(k-1) / (k + a B(k-1)) and
 *    Erlang C = B / (1 - (a/c)(1 - B)): Kleinrock 1975, "Queueing Systems",
 *    vol. 1, §3.4-3.5.
 *  - M/M/c waits: P(W > t) = C exp(-(c mu - lambda) t), E[W] = C/(c mu -
 *    lambda): Kleinrock 1975, vol. 1, §3.5.
 *  - Erlang A: Palm 1943; Garnett, Mandelbaum & Reiman 2002, "Designing a
 *    call center with impatient customers", MSOM 4(3):208-227.  With k
 *    cases present the chain moves up at rate lambda and down at rate
 *    min(k,c) mu + max(k-c,0) theta, so pi_k is proportional to
 *    prod_{j=1..k} lambda / d_j (birth-death balance, Kleinrock 1975 vol. 1
 *    §3.1).  By PASTA P(wait > 0) = sum_{k>=c} pi_k; with Q = max(k-c,0)
 *    the waiting count, E[W] = E[Q] / lambda (Little's law, the mean time
 *    in queue over all arrivals, served or not) and P(abandon) = theta E[Q]
 *    / lambda (GMR 2002, eq. for P{Ab}).  The sum is truncated once the
 *    remaining tail, bounded by a geometric series because the ratios
 *    lambda / d_j never increase, is below 1e-15 of the mass summed.
 */
#include "an.h"

#include <math.h>

double an_erlang_b(long c, double a)
{
    if (c < 0 || !(a >= 0.0) || isinf(a)) return NAN;
    double b = 1.0;
    for (long k = 1; k <= c; k++) b = a * b / ((double)k + a * b);
    return b;
}

double an_erlang_c(long c, double a)
{
    if (c < 0 || !(a >= 0.0)) return NAN;
    if (a >= (double)c) return 1.0;
    double b = an_erlang_b(c, a);
    return b / (1.0 - (a / (double)c) * (1.0 - b));
}

double an_mmc_wait_mean(long c, double lambda, double mu)
{
    if (c < 0 || !(lambda >= 0.0) || !(mu > 0.0)) return NAN;
    double gap = (double)c * mu - lambda;
    if (gap <= 0.0) return INFINITY;
    return an_erlang_c(c, lambda / mu) / gap;
}

double an_mmc_wait_quantile(long c, double lambda, double mu, double q)
{
    if (c < 0 || !(lambda >= 0.0) || !(mu > 0.0) || !(q > 0.0 && q < 1.0))
        return NAN;
    double gap = (double)c * mu - lambda;
    if (gap <= 0.0) return INFINITY;
    double C = an_erlang_c(c, lambda / mu);
    return C > 1.0 - q ? log(C / (1.0 - q)) / gap : 0.0;
}

/* ------------------------------------------------------------------ */
/* Erlang A                                                             */
/* ------------------------------------------------------------------ */

/* Running sums of the unnormalised pi_k, all scaled by exp(-scale) so the
 * largest term seen is 1 (online log-sum-exp). */
typedef struct chain_sums {
    double scale;           /* log of the scaling factor */
    double all;             /* sum pi_k */
    double busy;            /* sum_{k>=c} pi_k */
    double queue;           /* sum_{k>c} (k-c) pi_k */
} chain_sums;

static void chain_add(chain_sums *s, long k, long c, double log_term)
{
    if (log_term > s->scale) {
        double f = exp(s->scale - log_term);
        s->all *= f;
        s->busy *= f;
        s->queue *= f;
        s->scale = log_term;
    }
    double t = exp(log_term - s->scale);
    s->all += t;
    if (k >= c) s->busy += t;
    if (k > c) s->queue += (double)(k - c) * t;
}

/* Is the tail beyond state k negligible?  With r < 1 the ratio to the next
 * state, the terms after t_k are at most t_k r^j, so the tail mass is at
 * most t_k r/(1-r) and its queue weight t_k (q r/(1-r) + r/(1-r)^2). */
static int tail_negligible(const chain_sums *s, long k, long c,
                           double log_term, double r)
{
    if (r >= 1.0) return 0;
    double t = exp(log_term - s->scale), q = k > c ? (double)(k - c) : 0.0;
    double mass = t * r / (1.0 - r);
    double weight = t * (q * r / (1.0 - r) + r / ((1.0 - r) * (1.0 - r)));
    return mass <= 1e-15 * s->all && weight <= 1e-15 * (s->queue + s->all);
}

int an_erlang_a(long c, double lambda, double mu, double theta,
                an_erlang_a_result *out)
{
    out->p_wait = out->wait_mean = out->p_abandon = NAN;
    if (c < 1 || !(lambda >= 0.0) || !(mu > 0.0) || !(theta >= 0.0) ||
        isinf(lambda) || isinf(theta))
        return -1;
    if (theta == 0.0) {             /* no abandonment: M/M/c */
        out->p_wait = an_erlang_c(c, lambda / mu);
        out->wait_mean = an_mmc_wait_mean(c, lambda, mu);
        out->p_abandon = 0.0;
        return 0;
    }
    chain_sums s = { 0.0, 0.0, 0.0, 0.0 };
    double log_term = 0.0;          /* log pi_0 (unnormalised) */
    for (long k = 0; k < AN_ERLANG_A_MAX_STATES; k++) {
        chain_add(&s, k, c, log_term);
        long j = k + 1;             /* next state and its death rate */
        double d = j <= c ? (double)j * mu : (double)c * mu + (double)(j - c) * theta;
        double r = lambda / d;
        if (tail_negligible(&s, k, c, log_term, r)) {
            double eq = s.queue / s.all;
            out->p_wait = s.busy / s.all;
            out->wait_mean = lambda > 0.0 ? eq / lambda : 0.0;
            out->p_abandon = lambda > 0.0 ? theta * eq / lambda : 0.0;
            return 0;
        }
        log_term += log(r);
    }
    return -1;
}
