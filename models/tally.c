/*
 * tally.c — per-group metrics of one replication (DESIGN.md §7).
 *
 * Invariant: the event loop feeds only municipalities, posts and case types
 * (one accumulator each); the district is the sum of the municipalities and
 * a carrier the sum of its posts, formed once at the end, so a case costs
 * three accumulator updates whatever the number of groups.  Only cases that
 * arrived at or after the warm-up are counted; time averages start at the
 * warm-up.  A replication that stopped overloaded before the warm-up ended
 * observed no post-warm-up time: its time averages are NaN (no value), never
 * averages over [0, stop] passed off as post-warm-up figures.
 */
#include "model.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

/* The n histograms are one zeroed block (calloc: an empty sim_qhist is all
 * zeros, as sim_qhist_reset leaves it), owned by g[0]; a large block comes
 * from fresh zero pages, not written here. */
static gstats *gs_alloc(size_t n)
{
    gstats *g = sim_xcalloc(n + 1, sizeof *g);
    sim_qhist *h = sim_xcalloc(n + 1, sizeof *h);
    for (size_t i = 0; i <= n; i++) g[i].hist = &h[i];
    return g;
}

static void gs_free(gstats *g)
{
    if (!g) return;
    free(g[0].hist);
    free(g);
}

static void gs_reset(gstats *g)
{
    sim_qhist *h = g->hist;
    memset(g, 0, sizeof *g);
    g->hist = h;
    sim_qhist_clear(h);
}

/* Adds b's counts into a (a->hist must be a scratch histogram, or one
 * that was reset). */
static void gs_merge(gstats *a, const gstats *b)
{
    a->arrivals += b->arrivals;     a->started += b->started;
    a->closed += b->closed;         a->reneged += b->reneged;
    a->waited += b->waited;         a->within += b->within;
    a->late += b->late;             a->waiting_end += b->waiting_end;
    a->open_end += b->open_end;
    a->wait_sum += b->wait_sum;
    sim_qhist *h = a->hist;
    const sim_qhist *g = b->hist;
    h->n += g->n; h->zero += g->zero; h->over += g->over;
    if (g->max > h->max) h->max = g->max;
    for (int o = 0; o < SIM_QH_OCTAVES; o++) {      /* the octaves in use */
        if (!g->octave[o]) continue;
        h->octave[o] += g->octave[o];
        for (int i = o << SIM_QH_SUB_BITS; i < (o + 1) << SIM_QH_SUB_BITS; i++)
            h->count[i] += g->count[i];
    }
}

void ty_init(kim_model *m)
{
    const kim_scenario *sc = m->sc;
    m->gs_muni = gs_alloc(sc->n_munis);
    m->gs_post = gs_alloc(sc->n_posts);
    m->gs_type = gs_alloc(sc->n_case_types);
    /* With one municipality, its one case type sees every case it sees,
     * and so does its one post (a case that resumes there after being sent
     * back counts once, at its first start): their accumulators would get
     * the same updates in the same order, so the event loop feeds only the
     * municipality's and ty_finish copies it (one update per case, not
     * three).  A post's metrics read only the fields it is fed. */
    m->type_mirrors_muni = sc->n_munis == 1 && sc->n_case_types == 1;
    m->post_mirrors_muni = sc->n_munis == 1 && sc->n_posts == 1;
    m->wait_target = sc->targets.wait_days;
    /* the sample rows; a post's waiting stays 0 (a post has no list) */
    m->sample = sim_xcalloc(1 + sc->n_munis + sc->n_posts, sizeof *m->sample);
}

void ty_fini(kim_model *m)
{
    gs_free(m->gs_muni);
    gs_free(m->gs_post);
    gs_free(m->gs_type);
    free(m->sample);
}

void ty_reset(kim_model *m)
{
    const kim_scenario *sc = m->sc;
    for (size_t i = 0; i < sc->n_munis; i++) gs_reset(&m->gs_muni[i]);
    for (size_t i = 0; i < sc->n_posts; i++) gs_reset(&m->gs_post[i]);
    for (size_t i = 0; i < sc->n_case_types; i++) gs_reset(&m->gs_type[i]);
}

/* ------------------------------------------------------------------ */
/* Time averages and the backlog regression                             */
/* ------------------------------------------------------------------ */

void ty_restart(kim_model *m, double t)
{
    m->warmed_up = t >= m->warmup;
    for (size_t p = 0; p < m->sc->n_posts; p++) {
        kpost_state *ps = &m->post[p];
        sim_timeavg_restart(&ps->avg_open, t);
        sim_timeavg_restart(&ps->avg_slots, t);
        sim_timeavg_restart(&ps->avg_filled, t);
        sim_timeavg_restart(&ps->avg_fte, t);
    }
    for (size_t i = 0; i < m->sc->n_munis; i++) {
        kmuni_state *ms = &m->muni[i];
        sim_timeavg_restart(&ms->avg_queue, t);
        ms->waiting_max = ms->waiting;
        ms->sx = ms->sy = ms->sxx = ms->sxy = 0.0;
        ms->ns = 0;
    }
    m->waiting_all_max = m->waiting_all;
    m->sx = m->sy = m->sxx = m->sxy = 0.0;
    m->ns = 0;
}

static void regress(double *sx, double *sy, double *sxx, double *sxy, long *n,
                    double x, double y)
{
    *sx += x; *sy += y; *sxx += x * x; *sxy += x * y; (*n)++;
}

/* Least-squares slope of y on x from running sums; NaN with < 3 points. */
static double slope(double sx, double sy, double sxx, double sxy, long n)
{
    if (n < 3) return NAN;
    double d = (double)n * sxx - sx * sx;
    return d > 0.0 ? ((double)n * sxy - sx * sy) / d : NAN;
}

/* Slots and filled FTE of the district, of the posts serving each
 * municipality and of each post, into the sample rows, summed in a fixed
 * order; they change only with capacity (eng_set_filled), so samples
 * reuse them until then. */
static void capacity_sums(kim_model *m)
{
    const kim_scenario *sc = m->sc;
    kim_sample *all = &m->sample[0], *muni = all + 1, *post = muni + sc->n_munis;
    all->slots = 0;
    all->filled_fte = 0.0;
    for (size_t p = 0; p < sc->n_posts; p++) {
        post[p].slots = m->post[p].slots;
        post[p].filled_fte = m->post[p].filled;
        all->slots += m->post[p].slots;
        all->filled_fte += m->post[p].filled;
    }
    for (size_t i = 0; i < sc->n_munis; i++) {
        const kmuni_state *ms = &m->muni[i];
        muni[i].slots = 0;
        muni[i].filled_fte = 0.0;
        for (size_t j = 0; j < ms->n_mem; j++) {     /* the posts serving it */
            const kset *set = &m->sets[m->mem_set[ms->mem[j]]];
            for (size_t k = 0; k < set->n_posts; k++) {
                muni[i].slots += m->post[set->posts[k]].slots;
                muni[i].filled_fte += m->post[set->posts[k]].filled;
            }
        }
    }
    m->capacity_changed = 0;
}

static void observe(kim_model *m, double t)
{
    const kim_scenario *sc = m->sc;
    if (m->capacity_changed) capacity_sums(m);
    kim_sample *all = &m->sample[0], *muni = all + 1, *post = muni + sc->n_munis;
    long open = 0;
    for (size_t p = 0; p < sc->n_posts; p++) {
        post[p].open = m->post[p].open;
        open += m->post[p].open;
    }
    all->waiting = m->waiting_all;
    all->open = open;
    for (size_t i = 0; i < sc->n_munis; i++) {
        muni[i].waiting = m->muni[i].waiting;
        muni[i].open = m->muni[i].open;
    }
    m->obs->sample(m->obs->ctx, t, m->sample, 1 + sc->n_munis + sc->n_posts);
}

void ty_sample(kim_model *m, double t)
{
    if (t >= m->warmup) {
        for (size_t i = 0; i < m->sc->n_munis; i++) {
            kmuni_state *ms = &m->muni[i];
            regress(&ms->sx, &ms->sy, &ms->sxx, &ms->sxy, &ms->ns, t,
                    (double)ms->waiting);
        }
        regress(&m->sx, &m->sy, &m->sxx, &m->sxy, &m->ns, t,
                (double)m->waiting_all);
    }
    if (m->obs && m->obs->sample) observe(m, t);
}

/* ------------------------------------------------------------------ */
/* Metrics at the horizon                                               */
/* ------------------------------------------------------------------ */

static double ratio(double a, double b) { return b > 0.0 ? a / b : NAN; }

static void case_metrics(const kim_model *m, const gstats *g, double *v, int waits_only)
{
    double judged = (double)(g->started + g->reneged + g->late);
    v[KIM_M_STARTED] = (double)g->started;
    v[KIM_M_CLOSED] = (double)g->closed;
    v[KIM_M_OPEN_AT_END] = (double)g->open_end;
    if (!waits_only) {
        v[KIM_M_ARRIVALS] = (double)g->arrivals;
        v[KIM_M_RENEGED] = (double)g->reneged;
        v[KIM_M_WAITING_AT_END] = (double)g->waiting_end;
        v[KIM_M_RENEGED_SHARE] = ratio((double)g->reneged, (double)g->arrivals);
        v[KIM_M_WITHIN_TARGET_SHARE] = ratio((double)g->within, judged);
    } else {
        v[KIM_M_ARRIVALS] = (double)g->started;   /* a post's intake */
    }
    if (g->hist->n == 0) return;
    v[KIM_M_WAIT_MEAN] = g->wait_sum / (double)g->hist->n;
    v[KIM_M_WAIT_MAX] = g->hist->max;
    double q[4] = { 0.50, 0.90, 0.95, m->sc->targets.wait_quantile }, x[4];
    sim_qhist_quantiles(g->hist, q, 4, x);
    v[KIM_M_WAIT_P50] = x[0];
    v[KIM_M_WAIT_P90] = x[1];
    v[KIM_M_WAIT_P95] = x[2];
    v[KIM_M_WAIT_TARGET_Q] = x[3];
    v[KIM_M_P_WAIT] = ratio((double)g->waited, (double)g->started);
}

/* Capacity metrics of the posts list[0..n), time-averaged. */
static void capacity_metrics(const kim_model *m, const size_t *list, size_t n, double t,
                             double *v)
{
    double open = 0.0, slots = 0.0, filled = 0.0, fte = 0.0;
    for (size_t k = 0; k < n; k++) {
        size_t p = list[k];
        open += sim_timeavg_mean(&m->post[p].avg_open, t);
        slots += sim_timeavg_mean(&m->post[p].avg_slots, t);
        filled += sim_timeavg_mean(&m->post[p].avg_filled, t);
        fte += sim_timeavg_mean(&m->post[p].avg_fte, t);
    }
    const kim_scenario *sc = m->sc;
    v[KIM_M_UTILIZATION] = ratio(open, slots);
    v[KIM_M_CASELOAD_PER_FTE] = ratio(open, filled);
    v[KIM_M_FILLED_FTE_MEAN] = filled;
    v[KIM_M_COST_EUR] = fte * (sc->cost_per_fte_year + sc->cost_top_up_per_fte_year);
}

static void queue_metrics(double mean, double max, double sx, double sy,
                          double sxx, double sxy, long n, double *v)
{
    v[KIM_M_QUEUE_MEAN] = mean;
    v[KIM_M_QUEUE_MAX] = max;
    v[KIM_M_BACKLOG_SLOPE] = 30.0 * slope(sx, sy, sxx, sxy, n);
}

static void nan_fill(double *v, size_t n)
{
    for (size_t i = 0; i < n; i++) v[i] = NAN;
}

/* The metrics that are time averages over the post-warm-up days (or, as
 * queue_max and the backlog slope, taken over them). */
static const kim_metric time_metrics[] = {
    KIM_M_QUEUE_MEAN, KIM_M_QUEUE_MAX, KIM_M_UTILIZATION, KIM_M_CASELOAD_PER_FTE,
    KIM_M_FILLED_FTE_MEAN, KIM_M_COST_EUR, KIM_M_BACKLOG_SLOPE
};

/* A run that stopped before the warm-up ended (overloaded) has no
 * post-warm-up time to average over: those metrics get no value. */
static void drop_time_metrics(const kim_model *m, double *values)
{
    for (size_t g = 0; g < m->groups.n; g++)
        for (size_t i = 0; i < sizeof time_metrics / sizeof *time_metrics; i++)
            values[g * KIM_N_METRICS + time_metrics[i]] = NAN;
}

/* *to becomes a copy of *from (its histogram emptied first), for a group
 * that mirrors the municipality; a post keeps only what a post is fed. */
static void gs_mirror(gstats *to, const gstats *from, int post)
{
    gs_reset(to);
    gs_merge(to, from);
    if (post) to->arrivals = to->reneged = to->late = to->waiting_end = 0;
}

void ty_finish(kim_model *m, double t, double *values)
{
    const kim_scenario *sc = m->sc;
    const kim_groups *g = &m->groups;
    if (m->type_mirrors_muni) gs_mirror(&m->gs_type[0], &m->gs_muni[0], 0);
    if (m->post_mirrors_muni) gs_mirror(&m->gs_post[0], &m->gs_muni[0], 1);
    nan_fill(values, g->n * KIM_N_METRICS);
    size_t *list = sim_xcalloc(sc->n_posts + 1, sizeof *list), n;
    sim_qhist *scratch = sim_xmalloc(sizeof *scratch);
    gstats sum;

    /* district */
    memset(&sum, 0, sizeof sum);
    sum.hist = scratch;
    sim_qhist_reset(scratch);
    for (size_t i = 0; i < sc->n_munis; i++) gs_merge(&sum, &m->gs_muni[i]);
    for (size_t p = 0; p < sc->n_posts; p++) list[p] = p;
    case_metrics(m, &sum, values, 0);
    capacity_metrics(m, list, sc->n_posts, t, values);
    double q_all = 0.0;
    for (size_t i = 0; i < sc->n_munis; i++) q_all += sim_timeavg_mean(&m->muni[i].avg_queue, t);
    queue_metrics(q_all, (double)m->waiting_all_max, m->sx, m->sy, m->sxx, m->sxy, m->ns, values);

    for (size_t i = 0; i < sc->n_munis; i++) {
        double *v = values + kim_group_of(g, KIM_G_MUNI, i) * KIM_N_METRICS;
        const kmuni_state *ms = &m->muni[i];
        case_metrics(m, &m->gs_muni[i], v, 0);
        n = 0;                   /* the posts serving it: its serve sets' */
        for (size_t j = 0; j < ms->n_mem; j++) {
            const kset *set = &m->sets[m->mem_set[ms->mem[j]]];
            for (size_t k = 0; k < set->n_posts; k++) list[n++] = set->posts[k];
        }
        capacity_metrics(m, list, n, t, v);
        v[KIM_M_COST_EUR] = NAN;   /* pools would be counted twice */
        queue_metrics(sim_timeavg_mean(&ms->avg_queue, t), (double)ms->waiting_max, ms->sx, ms->sy,
                      ms->sxx, ms->sxy, ms->ns, v);
    }
    for (size_t p = 0; p < sc->n_posts; p++) {
        double *v = values + kim_group_of(g, KIM_G_POST, p) * KIM_N_METRICS;
        case_metrics(m, &m->gs_post[p], v, 1);
        capacity_metrics(m, &p, 1, t, v);
    }
    for (size_t c = 0; c < g->n_carriers; c++) {
        double *v = values + kim_group_of(g, KIM_G_CARRIER, c) * KIM_N_METRICS;
        memset(&sum, 0, sizeof sum);
        sum.hist = scratch;
        sim_qhist_clear(scratch);
        n = 0;
        for (size_t p = 0; p < sc->n_posts; p++)
            if (g->post_carrier[p] == c) {
                list[n++] = p;
                gs_merge(&sum, &m->gs_post[p]);
            }
        case_metrics(m, &sum, v, 1);
        capacity_metrics(m, list, n, t, v);
    }
    for (size_t i = 0; i < sc->n_case_types; i++)
        case_metrics(m, &m->gs_type[i],
                     values + kim_group_of(g, KIM_G_CASE_TYPE, i) * KIM_N_METRICS, 0);
    if (!m->warmed_up) drop_time_metrics(m, values);
    free(list);
    free(scratch);
}
