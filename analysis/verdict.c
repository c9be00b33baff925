/*
 * verdict.c — adequacy verdicts of a variant (DESIGN.md §7).
 *
 * Invariant: a target is `adequate` when the whole 95 % CI of its estimate
 * meets the threshold, `inadequate` when no point of it does, `uncertain`
 * otherwise; a bound is met with equality.  An estimate from one
 * replication has no CI (n - 1 = 0 degrees of freedom), so no basis for
 * either: `uncertain`, "one replication: no confidence interval; run
 * more".  An estimate without a value (NaN: the metric does not apply to
 * the group) gives AN_NOT_APPLICABLE, which never counts towards a group's
 * verdict.
 *
 * Targets, in this order, for the district, each municipality and post:
 *   wait         within_target_share     >= targets.wait_quantile
 *   utilization  utilization             <= targets.max_utilization
 *   reneged      reneged_share           <= targets.max_reneged_share
 *   stability    backlog slope (cases per 30 days) <= 1 case per month
 *
 * Stability: the slope of the post-warm-up waiting list (least squares
 * over the sample points, KIM_M_BACKLOG_SLOPE) must not exceed
 * AN_MAX_BACKLOG_GROWTH_PER_MONTH = 1 case per 30 days (or the scenario's
 * targets.max_backlog_growth_per_month once kim_targets has it; see
 * an_stability_threshold).  A threshold of 0 would leave every stable system
 * "uncertain" for ever, since a stable list's slope scatters around 0 and
 * its CI always straddles it; 1 case per month separates "grows for good"
 * from noise in any horizon of a year or more.  Inadequate when the whole
 * CI is above the threshold: "backlog grows by N cases per month".
 *
 * Overload: a replication whose district waiting list reached max_waiting
 * stopped there (kim.h, KIM_RUN_OVERLOADED): the list grew without bound,
 * and every group's figures stop with it, before the horizon and perhaps
 * before the warm-up ended.  No target of such an allocation can be passed,
 * and the limit is on the district's list, so a stopped replication does
 * not say which town would have settled.  In a variant with any overloaded
 * replication every target of every judged group that has the target
 * (posts: utilization only) is therefore inadequate, estimate or not, with
 * the reason "N of M replications stopped at the waiting-list limit".
 * The estimate and CI stay those of summary.csv.
 *
 * Replications to decide an uncertain target: Law (2015), "Simulation
 * Modeling and Analysis", 5th ed., §9.4.1, approximate number of
 * replications n*_a(beta) = n (h / beta)^2 for a CI half-width h from n
 * replications to shrink to beta.  Here beta is the distance of the mean
 * from the threshold, so i = n (h/d)^2 = (t sd / d)^2 replications would
 * give a CI that just excludes the threshold (t held at its current value).
 */
#include "an.h"
#include "../sim/sim.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <gsl/gsl_cdf.h>

const char *const an_target_names[AN_N_TARGETS] = {
    "wait", "utilization", "reneged_share", "stability"
};

const char *const an_verdict_names[] = {
    "adequate", "inadequate", "uncertain", "n/a"
};

#define EN_DASH "\xe2\x80\x93"     /* UTF-8 of U+2013 */

/* Largest reps_to_decide reported; beyond it "more than" is all we say. */
#define REPS_MAX 1000000000L

an_verdict_kind an_decide(const an_stat *est, double threshold, int upper)
{
    if (est->n == 0 || isnan(est->mean) || isnan(threshold))
        return AN_NOT_APPLICABLE;
    double lo = est->ci_low, hi = est->ci_high;
    if (est->n < 2 || isnan(lo) || isnan(hi)) return AN_UNCERTAIN;  /* no CI */
    if (upper) {
        if (hi <= threshold) return AN_ADEQUATE;
        if (lo > threshold) return AN_INADEQUATE;
    } else {
        if (lo >= threshold) return AN_ADEQUATE;
        if (hi < threshold) return AN_INADEQUATE;
    }
    return AN_UNCERTAIN;
}

/* Replications at which the CI half-width would shrink to the distance of
 * the mean from the threshold (see the file comment); at least n + 1, at
 * most REPS_MAX; -1 when the mean sits exactly on the threshold, where no
 * number of replications is likely to decide. */
static long reps_to_decide(const an_stat *est, double threshold)
{
    double d = fabs(est->mean - threshold);
    if (est->n < 2 || !(est->sd > 0.0)) return 0;
    if (d == 0.0) return -1;
    double t = gsl_cdf_tdist_Pinv(0.975, (double)(est->n - 1));
    double r = ceil((t * est->sd / d) * (t * est->sd / d));
    if (!(r <= (double)REPS_MAX)) return REPS_MAX;
    long reps = (long)r;
    return reps > (long)est->n ? reps : (long)est->n + 1;
}

/* ------------------------------------------------------------------ */
/* Reasons                                                              */
/* ------------------------------------------------------------------ */

/* x with d decimals, as "%.*f" but never "-0.0": a negative value that
 * rounds to zero is written without its sign.  Returns buf. */
static const char *fixed(char *buf, size_t size, double x, int d)
{
    if (fabs(x) < 1e9 && d >= 0 && d <= 4 && size > 16) *an_fmt_fixed(buf, x, d) = '\0';
    else snprintf(buf, size, "%.*f", d, x);
    if (buf[0] == '-' && buf[1 + strspn(buf + 1, "0.")] == '\0')
        memmove(buf, buf + 1, strlen(buf));
    return buf;
}

/* x for "%g" without a negative zero (a threshold given as -0.0). */
static double unsigned_zero(double x)
{
    return x == 0.0 ? 0.0 : x;
}

/* The share x as a percentage with one decimal, or more (up to four) when
 * that would print it equal to the threshold thr it differs from: 0.8996
 * against 0.9 is "89.96", not "90.0". */
static void percent(char *buf, size_t size, double x, double thr)
{
    int d = 1;
    char a[32], b[32];
    for (; d < 4 && x != thr; d++) {
        fixed(a, sizeof a, 100.0 * x, d);
        fixed(b, sizeof b, 100.0 * thr, d);
        if (strcmp(a, b) != 0) break;
    }
    fixed(buf, size, 100.0 * x, d);
}

/* The words of a reason that depend only on the scenario's targets, one
 * per target, made once per an_verdicts (a state has thousands of groups):
 * what follows the estimate in describe. */
typedef struct {
    char after[AN_N_TARGETS][96];
} reason_words;

static void reason_words_init(reason_words *w, const kim_targets *tg)
{
    snprintf(w->after[AN_T_WAIT], sizeof w->after[0], " %% start within %g days (target %g %%)",
             unsigned_zero(tg->wait_days), unsigned_zero(100.0 * tg->wait_quantile));
    snprintf(w->after[AN_T_UTILIZATION], sizeof w->after[0], " %% (max %g %%)",
             unsigned_zero(100.0 * tg->max_utilization));
    snprintf(w->after[AN_T_RENEGED], sizeof w->after[0],
             " %% of cases gave up waiting (max %g %%)",
             unsigned_zero(100.0 * tg->max_reneged_share));
    w->after[AN_T_STABILITY][0] = '\0';
}

/* Appends s to the string in buf[0..size), truncated as snprintf would. */
static void append(char *buf, size_t size, const char *s)
{
    size_t n = strlen(buf), m = strlen(s);
    if (n + 1 >= size) return;
    if (m > size - 1 - n) m = size - 1 - n;
    memcpy(buf + n, s, m);
    buf[n + m] = '\0';
}

/* The estimate in the target's own words: the metric the verdict is
 * decided on (the wait target: the share that started within the target
 * wait, not the wait at the quantile, whose mean over replications can lie
 * on the other side of the target). */
static void describe(const reason_words *w, const an_variant *v, const an_verdict *vd,
                     char *buf, size_t size)
{
    const kim_targets *tg = &v->sc->targets;
    const an_stat *e = &vd->est;
    char x[32], lo[32], hi[32];
    buf[0] = '\0';
    switch (vd->target) {
    case AN_T_WAIT:
        percent(x, sizeof x, e->mean, tg->wait_quantile);
        append(buf, size, x);
        append(buf, size, w->after[AN_T_WAIT]);
        break;
    case AN_T_UTILIZATION:
        append(buf, size, "utilization ");
        append(buf, size, fixed(x, sizeof x, 100.0 * e->mean, 0));
        append(buf, size, w->after[AN_T_UTILIZATION]);
        break;
    case AN_T_RENEGED:
        append(buf, size, fixed(x, sizeof x, 100.0 * e->mean, 1));
        append(buf, size, w->after[AN_T_RENEGED]);
        break;
    default:
        fixed(x, sizeof x, fabs(e->mean), 1);
        if (e->n < 2)                   /* no interval to quote */
            snprintf(buf, size, "backlog %s by %s cases per month",
                     e->mean >= 0.0 ? "grows" : "shrinks", x);
        else
            snprintf(buf, size, "backlog %s by %s cases per month "
                     "(95 %% CI %s" EN_DASH "%s)",
                     e->mean >= 0.0 ? "grows" : "shrinks", x,
                     fixed(lo, sizeof lo, e->ci_low, 1), fixed(hi, sizeof hi, e->ci_high, 1));
        break;
    }
}

/* The reason of vd, from `ran` replications. */
static void set_reason(const reason_words *w, const an_variant *v, size_t ran,
                       an_verdict *vd)
{
    char *r = vd->reason;
    size_t size = sizeof vd->reason;
    r[0] = '\0';
    if (vd->verdict != AN_INADEQUATE && vd->verdict != AN_UNCERTAIN) return;
    describe(w, v, vd, r, size < 128 ? size : 128);     /* the estimate, then why */
    if (vd->est.n < 2 && ran < 2)
        append(r, size, "; one replication: no confidence interval; run more");
    else if (vd->est.n < 2) {
        size_t n = strlen(r);
        snprintf(r + n, size - n, "; one of %zu replications has "
                 "a value: no confidence interval; run more", ran);
    } else if (vd->verdict == AN_INADEQUATE)
        return;
    else if (vd->reps_to_decide < 0)
        append(r, size, "; on the threshold, more replications are unlikely to decide it");
    else {
        size_t n = strlen(r);
        if (vd->reps_to_decide >= REPS_MAX)
            snprintf(r + n, size - n, "; more than %ld replications needed to decide it",
                     REPS_MAX);
        else
            snprintf(r + n, size - n, "; about %ld replications would likely decide it",
                     vd->reps_to_decide);
    }
}

/* ------------------------------------------------------------------ */
/* Verdicts                                                             */
/* ------------------------------------------------------------------ */

static const kim_metric target_metric[AN_N_TARGETS] = {
    KIM_M_WITHIN_TARGET_SHARE, KIM_M_UTILIZATION, KIM_M_RENEGED_SHARE,
    KIM_M_BACKLOG_SLOPE
};

/* Backlog growth allowed, cases per 30 days.  When models/kim.h gives
 * kim_targets a max_backlog_growth_per_month field it defines
 * KIM_TARGETS_MAX_BACKLOG_GROWTH, and the scenario's value is used. */
double an_stability_threshold(const kim_scenario *sc)
{
#ifdef KIM_TARGETS_MAX_BACKLOG_GROWTH
    double x = sc->targets.max_backlog_growth_per_month;
    if (x >= 0.0) return x;
#else
    (void)sc;
#endif
    return AN_MAX_BACKLOG_GROWTH_PER_MONTH;
}

static double target_threshold(const kim_scenario *sc, an_target t)
{
    switch (t) {
    case AN_T_WAIT:        return sc->targets.wait_quantile;
    case AN_T_UTILIZATION: return sc->targets.max_utilization;
    case AN_T_RENEGED:     return sc->targets.max_reneged_share;
    default:               return an_stability_threshold(sc);
    }
}

static int judged(kim_group_kind k)
{
    return k == KIM_G_DISTRICT || k == KIM_G_MUNI || k == KIM_G_POST;
}

/* Does a group of kind k have target t?  A post has no waiting list of
 * its own, so only utilization (csv.md, the group/metric table). */
static int has_target(kim_group_kind k, an_target t)
{
    return k != KIM_G_POST || t == AN_T_UTILIZATION;
}

size_t an_overloaded_reps(const an_variant *v, size_t *ran)
{
    size_t n = 0, m = 0;
    for (size_t r = 0; r < v->n_reps; r++) {
        n += v->info[r].overloaded != 0;
        m += v->info[r].overloaded || v->info[r].events > 0;
    }
    if (ran) *ran = m > 0 ? m : v->n_reps;
    return n;
}

/* The verdict of an allocation whose waiting list reached the limit in
 * `over` of `ran` replications (see the file comment). */
static void overloaded(const an_variant *v, size_t over, size_t ran, an_verdict *vd)
{
    long limit = v->sc->max_waiting > 0 ? v->sc->max_waiting : KIM_MAX_WAITING_DEFAULT;
    vd->verdict = AN_INADEQUATE;
    vd->reps_to_decide = 0;
    snprintf(vd->reason, sizeof vd->reason, "%zu of %zu replications stopped at the "
             "waiting-list limit (max_waiting = %ld)", over, ran, limit);
}

static void verdict_of(const reason_words *w, const an_variant *v, size_t g,
                       an_target t, size_t over, size_t ran, an_verdict *vd)
{
    int upper = t != AN_T_WAIT;
    memset(vd, 0, sizeof *vd);
    vd->group = g;
    vd->target = t;
    vd->threshold = target_threshold(v->sc, t);
    an_stat_metric(v, g, target_metric[t], &vd->est);
    if (over > 0 && has_target(v->groups->kind[g], t)) {
        overloaded(v, over, ran, vd);
        return;
    }
    vd->verdict = an_decide(&vd->est, vd->threshold, upper);
    if (vd->verdict == AN_UNCERTAIN)
        vd->reps_to_decide = reps_to_decide(&vd->est, vd->threshold);
    set_reason(w, v, ran, vd);
}

size_t an_verdicts(const an_variant *v, an_verdict **out)
{
    size_t n = 0, ran;
    size_t over = an_overloaded_reps(v, &ran);
    reason_words w;
    reason_words_init(&w, &v->sc->targets);
    for (size_t g = 0; g < v->groups->n; g++)
        if (judged(v->groups->kind[g])) n++;
    *out = sim_xmalloc(n * AN_N_TARGETS * sizeof **out);
    size_t k = 0;
    for (size_t g = 0; g < v->groups->n; g++) {
        if (!judged(v->groups->kind[g])) continue;
        for (int t = 0; t < AN_N_TARGETS; t++)
            verdict_of(&w, v, g, (an_target)t, over, ran, &(*out)[k++]);
    }
    return k;
}

/* Severity order for the worst-of: n/a < adequate < uncertain < inadequate. */
static int severity(an_verdict_kind k)
{
    switch (k) {
    case AN_ADEQUATE:   return 1;
    case AN_UNCERTAIN:  return 2;
    case AN_INADEQUATE: return 3;
    default:            return 0;
    }
}

an_verdict_kind an_group_verdict(const an_verdict *vs, size_t n, size_t group)
{
    an_verdict_kind worst = AN_NOT_APPLICABLE;
    for (size_t i = 0; i < n; i++)
        if (vs[i].group == group && severity(vs[i].verdict) > severity(worst))
            worst = vs[i].verdict;
    return worst;
}
