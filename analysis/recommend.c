/*
 * recommend.c — the pure parts of `kimsim recommend`: the FTE grid, the
 * formula split a Kreis would make, and the scores that the smallest-
 * adequate search and the marginal allocation compare.  The simulations
 * themselves are run by cli/recommend.c.
 *
 * Invariants: every FTE this file proposes is 0 (not funded) or a multiple
 * of the grid step of at least AN_MIN_FTE; a formula split never hands out
 * more than the budget; scores depend only on verdicts and means over
 * replications, so with common random numbers two candidates differ only
 * by their staffing.
 *
 * Formula split: town shares proportional to weight (kim_muni.weight,
 * default its arrival rate), a post getting the shares of the towns it
 * owns (a town's own post, else the narrowest pool serving it), posts
 * below the AN_MIN_FTE minimum pooled with the next post in file order
 * (the last with the one before), as Kreis Unna pooled Kamen, Bergkamen
 * and Bönen (KIM-facts §6a, seeds/004); then rounded to 0.5 VZÄ by largest
 * remainders (Hamilton's method; Balinski & Young 2001, "Fair
 * Representation", 2nd ed., ch. 2) so the rounded shares add up to the
 * budget (rounded down to 0.5).
 *
 * Marginal allocation: Fox (1966), "Discrete optimization via marginal
 * analysis", Management Science 13(3):210-216 — start every post at the
 * minimum and give each further step to the post whose increment improves
 * the objective most; the objective here is (municipalities adequate,
 * then minus the worst wait at the target quantile, then minus the
 * district's mean waiting list), compared in that order (an_alloc_better).
 * The last criterion breaks the ties of deep overload, where a town's
 * cases never start (its wait counts as infinite) whichever post grows,
 * and keeps the greedy moving towards the towns that need it.
 */
#include "an.h"
#include "../sim/sim.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

/* ------------------------------------------------------------------ */
/* Grid                                                                 */
/* ------------------------------------------------------------------ */

double an_fte_grid_start(double step)
{
    double k = ceil(AN_MIN_FTE / step - 1e-9);
    return (k < 1.0 ? 1.0 : k) * step;
}

/* ------------------------------------------------------------------ */
/* Formula split                                                        */
/* ------------------------------------------------------------------ */

static size_t set_size(const kim_scenario *sc, const kim_post *p)
{
    return p->serves_all ? sc->n_munis : p->n_serves;
}

long an_owner_post(const kim_scenario *sc, size_t m)
{
    long best = -1;
    for (size_t p = 0; p < sc->n_posts; p++) {
        const kim_post *post = &sc->posts[p];
        if (!kim_post_serves(post, m)) continue;
        if (best < 0 || set_size(sc, post) < set_size(sc, &sc->posts[best]))
            best = (long)p;
    }
    return best;
}

/* Raw shares of the posts; 0 when no town is served. */
static int raw_shares(const kim_scenario *sc, double budget, double *share)
{
    double total = 0.0;
    for (size_t m = 0; m < sc->n_munis; m++)
        if (an_owner_post(sc, m) >= 0) total += an_muni_weight(sc, m);
    if (!(total > 0.0)) return -1;
    for (size_t m = 0; m < sc->n_munis; m++) {
        long p = an_owner_post(sc, m);
        if (p >= 0) share[p] += budget * an_muni_weight(sc, m) / total;
    }
    return 0;
}

double an_muni_weight(const kim_scenario *sc, size_t m)
{
    double w = sc->munis[m].weight;
    return w > 0.0 ? w : sc->munis[m].arrivals_per_day;
}

/* Posts below the minimum join the next funded post (the last one the
 * previous funded post). */
static void pool_small(size_t n, double *share, long *into)
{
    for (size_t p = 0; p < n; p++) {
        into[p] = -1;
        if (!(share[p] > 0.0) || share[p] >= AN_MIN_FTE - 1e-9) continue;
        long q = -1;
        for (size_t k = p + 1; k < n && q < 0; k++)
            if (share[k] > 0.0) q = (long)k;
        for (size_t k = p; q < 0 && k-- > 0;)
            if (share[k] > 0.0) q = (long)k;
        if (q < 0) continue;         /* the only funded post: keep it */
        share[q] += share[p];
        share[p] = 0.0;
        into[p] = q;
    }
    /* a chain p -> q -> r: p's towns end where q's went */
    for (size_t p = 0; p < n; p++)
        while (into[p] >= 0 && into[into[p]] >= 0) into[p] = into[into[p]];
}

/* Hamilton rounding of share[] to units of AN_MIN_FTE summing to budget. */
static void round_units(size_t n, const double *share, double budget, double *fte)
{
    long units = (long)floor(budget / AN_MIN_FTE + 1e-9), given = 0;
    double *rem = sim_xcalloc(n + 1, sizeof *rem);
    for (size_t p = 0; p < n; p++) {
        double u = share[p] / AN_MIN_FTE;
        long fl = (long)floor(u + 1e-9);
        fte[p] = (double)fl * AN_MIN_FTE;
        rem[p] = share[p] > 0.0 ? u - (double)fl : -1.0;
        given += fl;
    }
    for (; given < units; given++) {
        size_t best = n;
        for (size_t p = 0; p < n; p++)
            if (rem[p] >= 0.0 && (best == n || rem[p] > rem[best])) best = p;
        if (best == n) break;
        fte[best] += AN_MIN_FTE;
        rem[best] = -1.0;
    }
    free(rem);
}

int an_formula_split(const kim_scenario *sc, double budget, double *fte, long *pooled_into)
{
    size_t n = sc->n_posts;
    double *share = sim_xcalloc(n + 1, sizeof *share);
    for (size_t p = 0; p < n; p++) { fte[p] = 0.0; pooled_into[p] = -1; }
    if (budget < AN_MIN_FTE - 1e-9 || raw_shares(sc, budget, share) != 0) {
        free(share);
        return -1;
    }
    pool_small(n, share, pooled_into);
    round_units(n, share, budget, fte);
    free(share);
    return 0;
}

/* ------------------------------------------------------------------ */
/* Scores                                                               */
/* ------------------------------------------------------------------ */

static double mean_of(const an_variant *v, size_t g, kim_metric m)
{
    an_stat s;
    an_stat_metric(v, g, m, &s);
    return s.mean;
}

void an_post_outcome(const an_variant *v, const an_verdict *vd, size_t n,
                     size_t post, an_post_result *out)
{
    const kim_scenario *sc = v->sc;
    size_t gp = kim_group_of(v->groups, KIM_G_POST, post);
    out->verdict = an_group_verdict(vd, n, gp);
    out->wait_days = NAN;
    out->within_share = NAN;
    for (size_t m = 0; m < sc->n_munis; m++) {
        if (!kim_post_serves(&sc->posts[post], m)) continue;
        size_t g = kim_group_of(v->groups, KIM_G_MUNI, m);
        an_verdict_kind k = an_group_verdict(vd, n, g);
        if (an_verdict_worse(k, out->verdict)) out->verdict = k;
        double w = mean_of(v, g, KIM_M_WAIT_TARGET_Q);
        double s = mean_of(v, g, KIM_M_WITHIN_TARGET_SHARE);
        if (!isnan(w) && !(w <= out->wait_days)) out->wait_days = w;
        if (!isnan(s) && !(s >= out->within_share)) out->within_share = s;
    }
}

int an_verdict_worse(an_verdict_kind a, an_verdict_kind b)
{
    static const int sev[] = { 1, 3, 2, 0 };   /* adequate, inadequate, uncertain, n/a */
    return sev[a] > sev[b];
}

/* A municipality whose cases arrived but none started has no wait
 * quantile: its wait counts as infinite, the worst there is. */
static double wait_of(const an_variant *v, size_t g)
{
    double w = mean_of(v, g, KIM_M_WAIT_TARGET_Q);
    if (isnan(w) && mean_of(v, g, KIM_M_ARRIVALS) > 0.0) return INFINITY;
    return w;
}

void an_alloc_score_of(const an_variant *v, an_alloc_score *out)
{
    an_verdict *vd;
    size_t n = an_verdicts(v, &vd);
    out->adequate = 0;
    out->worst_wait = -INFINITY;
    out->queue = mean_of(v, kim_group_of(v->groups, KIM_G_DISTRICT, 0), KIM_M_QUEUE_MEAN);
    for (size_t m = 0; m < v->sc->n_munis; m++) {
        size_t g = kim_group_of(v->groups, KIM_G_MUNI, m);
        if (an_group_verdict(vd, n, g) == AN_ADEQUATE) out->adequate++;
        double w = wait_of(v, g);
        if (!isnan(w) && w > out->worst_wait) out->worst_wait = w;
    }
    free(vd);
}

int an_alloc_better(const an_alloc_score *a, const an_alloc_score *b)
{
    if (a->adequate != b->adequate) return a->adequate > b->adequate;
    if (a->worst_wait != b->worst_wait) return a->worst_wait < b->worst_wait;
    return a->queue < b->queue;
}

size_t an_alloc_pick(const an_alloc_score *s, size_t n)
{
    size_t best = 0;
    for (size_t i = 1; i < n; i++)
        if (an_alloc_better(&s[i], &s[best])) best = i;
    return best;
}
