/*
 * engine.c — one replication of the district: arrivals, assignment,
 * reneging, closes, drivers, and the event loop that runs them.
 *
 * Invariants: I1–I4 of model.h hold between events.  A case's attributes
 * (type, duration, patience) are drawn at arrival from its municipality's
 * case stream, and arrival times from its municipality's arrival stream, so
 * variants that differ only in posts or policies see the same people
 * (common random numbers, DESIGN.md §5).
 */
#include "model.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <gsl/gsl_randist.h>

/* ------------------------------------------------------------------ */
/* Cases                                                                */
/* ------------------------------------------------------------------ */

MDL_HOT uint32_t case_new(kim_model *m)
{
    if (m->free_case == NIL) {
        uint32_t old = m->n_cases_cap, cap = old ? 2 * old : 1024;
        SIM_ASSERT(cap > old && cap < NIL);
        m->cases = sim_xrealloc(m->cases, (size_t)cap * sizeof *m->cases);
        for (uint32_t i = old; i < cap; i++) {
            m->cases[i].state = CASE_FREE;
            m->cases[i].next = i + 1 < cap ? i + 1 : NIL;
        }
        m->free_case = old;
        m->n_cases_cap = cap;
    }
    uint32_t c = m->free_case;
    kcase *cs = &m->cases[c];
    m->free_case = cs->next;
    /* Only what nothing else sets: the caller sets arrival, muni, counted
     * and the attributes, and places the case (place_case), which sets
     * state, post, ev and the links (take_slot, or wl_push / wl_insert);
     * resumed is set when it starts (take_slot).  An open case's links
     * are read only on its post's open list (track_open), which
     * list_append sets. */
    cs->no = ++m->next_no;
    cs->start = NAN;
    return c;
}

MDL_HOT void case_free(kim_model *m, uint32_t c)
{
    m->cases[c].state = CASE_FREE;
    m->cases[c].next = m->free_case;
    m->free_case = c;
}

/* Reports a case's outcome to the observer (m->trace: it has a trace). */
static void trace_call(kim_model *m, const kcase *cs, double end, const char *outcome)
{
    m->obs->trace(m->obs->ctx, cs->no, cs->muni, cs->type,
                  m->sc->case_types[cs->type].priority, cs->arrival, cs->start,
                  end, outcome, cs->post);
}

static inline void trace_case(kim_model *m, const kcase *cs, double end,
                              const char *outcome)
{
    if (m->trace) trace_call(m, cs, end, outcome);
}

/* Draws type, duration and patience at time t from the case stream. */
MDL_HOT void draw_attributes(kim_model *m, kcase *cs, long type, gsl_rng *r)
{
    const kim_scenario *sc = m->sc;
    size_t j = 0;
    if (sc->n_case_types > 1) {          /* one type: nothing to draw */
        double u = gsl_rng_uniform(r);
        while (j + 1 < sc->n_case_types && u >= m->cum_share[j]) j++;
    }
    if (type >= 0) j = (size_t)type;
    const kim_case_type *ct = &sc->case_types[j];
    cs->type = (uint32_t)j;
    cs->level = (uint8_t)m->level_of_type[j];
    cs->duration = mdl_dist_draw(&ct->duration, r) * m->dur_factor[j];
    cs->patience = ct->patience.kind == KIM_DIST_NONE ? INFINITY
                                                      : mdl_dist_draw(&ct->patience, r);
}

/* ------------------------------------------------------------------ */
/* Posts and waiting lists                                              */
/* ------------------------------------------------------------------ */

static void post_update(kim_model *m, size_t p, long open, long slots, double t)
{
    kpost_state *ps = &m->post[p];
    int was_free = ps->open < ps->slots;
    if (open != ps->open) sim_timeavg_set(&ps->avg_open, t, (double)open);
    if (slots != ps->slots) sim_timeavg_set(&ps->avg_slots, t, (double)slots);
    ps->open = open;
    ps->slots = slots;
    wl_post_capacity_changed(m, p, was_free);
}

/* One more (+1) or one fewer (-1) open case at post p at time t (the
 * clock, as everywhere below: handlers pass it down rather than reread
 * it): the hot path of post_update.  The time averages here and in
 * queue_changed change only at the clock, which never goes back, so they
 * step unchecked (sim_timeavg_step). */
MDL_HOT void post_open_step(kim_model *m, size_t p, long d, double t)
{
    kpost_state *ps = &m->post[p];
    int was_free = ps->open < ps->slots;
    ps->open += d;
    sim_timeavg_step(&ps->avg_open, t, (double)ps->open);
    if (was_free != (ps->open < ps->slots))
        m->sets[ps->set].n_free += was_free ? (size_t)-1 : 1;
}

/* The district's waiting list is the sum of the municipalities': its time
 * average is the sum of theirs (tally.c), only its maximum is kept here. */
MDL_HOT void queue_changed(kim_model *m, size_t mu, long delta, double t)
{
    kmuni_state *ms = &m->muni[mu];
    ms->waiting += delta;
    m->waiting_all += delta;
    sim_timeavg_step(&ms->avg_queue, t, (double)ms->waiting);
    if (delta > 0) {            /* maxima change only on the way up */
        if (ms->waiting > ms->waiting_max) ms->waiting_max = ms->waiting;
        if (m->waiting_all > m->waiting_all_max) m->waiting_all_max = m->waiting_all;
    }
}

static void list_append(kim_model *m, klist *l, uint32_t c)
{
    kcase *cs = &m->cases[c];
    cs->prev = l->tail;
    cs->next = NIL;
    if (l->tail == NIL) l->head = c; else m->cases[l->tail].next = c;
    l->tail = c;
}

static void list_unlink(kim_model *m, klist *l, uint32_t c)
{
    kcase *cs = &m->cases[c];
    if (cs->prev == NIL) l->head = cs->next; else m->cases[cs->prev].next = cs->next;
    if (cs->next == NIL) l->tail = cs->prev; else m->cases[cs->next].prev = cs->prev;
    cs->prev = cs->next = NIL;
}

/* A counted case starts after waiting `wait` days: its municipality, case
 * type and post each count it (the histogram cell is found once), unless
 * they mirror the municipality (model.h). */
MDL_HOT void count_start(kim_model *m, const kcase *cs, size_t p, double wait)
{
    int cell = sim_qhist_cell(wait);
    uint64_t within = wait <= m->wait_target, waited = wait > 0.0;
    gs_add_start(&m->gs_muni[cs->muni], wait, cell, within, waited);
    if (!m->type_mirrors_muni) gs_add_start(&m->gs_type[cs->type], wait, cell, within, waited);
    if (!m->post_mirrors_muni) gs_add_start(&m->gs_post[p], wait, cell, within, waited);
}

/* Case c takes a slot at post p that is already counted in its open
 * cases (a slot handed over at a close, or one start_case counted). */
MDL_HOT void take_slot(kim_model *m, uint32_t c, size_t p, double t)
{
    kcase *cs = &m->cases[c];
    if (cs->state == CASE_WAITING) {
        wl_remove(m, c);
        queue_changed(m, cs->muni, -1, t);
        if (cs->ev) sim_cancel(m->k, cs->ev);
    }
    cs->state = CASE_OPEN;
    cs->post = (int32_t)p;
    m->muni[cs->muni].open++;
    if (isnan(cs->start)) {     /* counted once: a case resumed after being
                                 * sent back (reassign) was counted here first */
        cs->start = t;
        if (cs->counted) count_start(m, cs, p, t - cs->arrival);
    }
    /* Only a case sent back (requeue_case) cancels its close and reads the
     * start of its current work, and cases are sent back only with
     * capacity_drop = reassign, which is when posts keep open lists
     * (track_open): otherwise the close is posted, without a handle. */
    if (m->track_open) {
        cs->ev = sim_schedule(m->k, t + cs->duration, CL_CLOSE, EV_CLOSE, c);
        list_append(m, &m->post[p].open_list, c);
        cs->resumed = t;
    } else {
        sim_post(m->k, t + cs->duration, CL_CLOSE, EV_CLOSE, c);
    }
}

/* Case c starts (or resumes) case management at post p now. */
MDL_HOT void start_case(kim_model *m, uint32_t c, size_t p, double t)
{
    post_open_step(m, p, +1, t);
    take_slot(m, c, p, t);
}

/* While post p has a free slot, it takes the best eligible waiting case. */
static void fill_post(kim_model *m, size_t p, double t)
{
    kpost_state *ps = &m->post[p];
    while (ps->open < ps->slots) {
        uint32_t c = wl_best_for_set(m, ps->set);
        if (c == NIL) break;
        start_case(m, c, p, t);
    }
}

/* A case without a post: starts at a free eligible post, or waits.
 * Returns 1 when it waits and the district's waiting list has reached
 * max_waiting (m->overloaded is set), else 0: only a case placed here
 * can make the run overloaded, so the event loop checks after the events
 * that place cases, not after every event. */
MDL_HOT int place_case(kim_model *m, uint32_t c, int may_renege, double t)
{
    kcase *cs = &m->cases[c];
    long p = wl_free_post(m, cs->muni);
    if (p >= 0) {
        start_case(m, c, (size_t)p, t);
        return 0;
    }
    wl_push(m, c);
    queue_changed(m, cs->muni, +1, t);
    cs->ev = 0;
    if (may_renege && isfinite(cs->patience)) {
        double at = cs->arrival + cs->patience;
        cs->ev = sim_schedule(m->k, at > t ? at : t, CL_RENEGE, EV_RENEGE, c);
    }
    if (m->waiting_all < m->max_waiting) return 0;
    m->overloaded = 1;
    return 1;
}

/* An open case goes back to the waiting list (capacity_drop = reassign),
 * keeping its arrival time and priority and the work still to do. */
static void requeue_case(kim_model *m, uint32_t c, double t)
{
    kcase *cs = &m->cases[c];
    size_t p = (size_t)cs->post;
    sim_cancel(m->k, cs->ev);
    cs->duration -= t - cs->resumed;
    list_unlink(m, &m->post[p].open_list, c);
    post_open_step(m, p, -1, t);
    m->muni[cs->muni].open--;
    cs->state = CASE_FREE;      /* in transit: on no list until placed */
    cs->post = -1;
    place_case(m, c, 0, t);     /* may set m->overloaded */
}

/* May set m->overloaded (a case sent back waits). */
void eng_set_filled(kim_model *m, size_t p, double filled)
{
    kpost_state *ps = &m->post[p];
    double t = sim_now(m->k);
    ps->filled = filled;
    m->capacity_changed = 1;
    sim_timeavg_set(&ps->avg_filled, t, filled);
    long slots = kim_slots(filled, kim_post_caseload(m->sc, p));
    post_update(m, p, ps->open, slots, t);
    if (m->sc->capacity_drop == KIM_DROP_REASSIGN)
        while (ps->open > ps->slots) requeue_case(m, ps->open_list.tail, t);
    fill_post(m, p, t);
}

/* ------------------------------------------------------------------ */
/* Arrivals: Poisson, time-varying by thinning, or a replayed trace     */
/* ------------------------------------------------------------------ */

/* Piecewise-linear profile factor at t; 1 outside the profile's days. */
static double profile_factor(const kim_driver *d, double t)
{
    if (t < d->profile_day[0] || t > d->profile_day[d->n_profile - 1]) return 1.0;
    size_t i = 1;
    while (i < d->n_profile - 1 && t > d->profile_day[i]) i++;
    double t0 = d->profile_day[i - 1], t1 = d->profile_day[i];
    double f0 = d->profile_factor[i - 1], f1 = d->profile_factor[i];
    return t1 > t0 ? f0 + (f1 - f0) * (t - t0) / (t1 - t0) : f1;
}

static int influx_hits(const kim_driver *d, size_t mu)
{
    if (d->kind != KIM_DRV_INFLUX) return 0;
    if (d->all_munis) return 1;
    for (size_t i = 0; i < d->n_munis; i++)
        if (d->munis[i] == mu) return 1;
    return 0;
}

static double influx_factor(const kim_driver *d, double t)
{
    if (d->n_profile) return profile_factor(d, t);
    return t >= d->from_day && t < d->to_day ? d->factor : 1.0;
}

static double influx_bound(const kim_driver *d)
{
    double f = d->n_profile ? 1.0 : (d->factor > 1.0 ? d->factor : 1.0);
    for (size_t i = 0; i < d->n_profile; i++)
        if (d->profile_factor[i] > f) f = d->profile_factor[i];
    return f;
}

static double rate_at(const kim_model *m, size_t mu, double t)
{
    double r = m->muni[mu].base_rate;
    for (size_t i = 0; i < m->sc->n_drivers; i++)
        if (influx_hits(&m->sc->drivers[i], mu)) r *= influx_factor(&m->sc->drivers[i], t);
    return r;
}

/* Next arrival of municipality mu after `from`; its rate bound must be
 * > 0 (an arrival event of mu says it is: only schedule_bookkeeping
 * checks).  A time-varying rate is followed exactly by thinning (Lewis &
 * Shedler 1979): candidates from a Poisson process at the bound rate, each
 * kept with probability rate(t) / bound. */
MDL_HOT void schedule_arrival(kim_model *m, size_t mu, double from)
{
    kmuni_state *ms = &m->muni[mu];
    double t = from;
    for (;;) {
        t += sim_exponential(ms->arr_rng, ms->gap_mean);
        if (t >= m->sc->horizon_days) return;
        if (!ms->time_varying) break;
        if (gsl_rng_uniform(ms->arr_rng) * ms->rate_bound < rate_at(m, mu, t)) break;
    }
    sim_post(m->k, t, CL_ARRIVAL, EV_ARRIVAL, (uint32_t)mu);
}

/* A case of municipality mu (of case type `type`, or drawn when < 0)
 * arrives at t.  Returns place_case's overload flag. */
MDL_HOT int arrive(kim_model *m, size_t mu, long type, double t)
{
    if (m->programme_over) return 0;
    uint32_t c = case_new(m);
    kcase *cs = &m->cases[c];
    cs->muni = (uint32_t)mu;
    cs->arrival = t;
    cs->counted = t >= m->warmup;
    draw_attributes(m, cs, type, m->muni[mu].case_rng);
    if (cs->counted) {
        m->gs_muni[mu].arrivals++;
        if (!m->type_mirrors_muni) m->gs_type[cs->type].arrivals++;
    }
    return place_case(m, c, 1, t);
}

/* Returns arrive's overload flag. */
static int on_trace(kim_model *m, uint32_t i, double t)
{
    const kim_arrival *a = &m->sc->trace[i];
    int over = arrive(m, a->muni, a->case_type, t);
    if (i + 1 < m->sc->n_trace && m->sc->trace[i + 1].day < m->sc->horizon_days)
        sim_post(m->k, m->sc->trace[i + 1].day, CL_ARRIVAL, EV_TRACE, i + 1);
    return over;
}

/* ------------------------------------------------------------------ */
/* Closing, reneging, drivers                                           */
/* ------------------------------------------------------------------ */

/* A case closes.  When its post was full and an eligible case waits, the
 * slot passes straight to that case: the post's open count (and its set's
 * free count) would step down and back up at the same instant, so neither
 * step is taken; its time average is still cut at this instant, exactly as
 * the two steps would cut it (same sums, same rounding).  A post that had a
 * free slot has nobody eligible waiting (I1); one over its slots (capacity
 * dropped) stays full. */
MDL_HOT void on_close(kim_model *m, uint32_t c, double t)
{
    kcase *cs = &m->cases[c];
    size_t p = (size_t)cs->post;
    kpost_state *ps = &m->post[p];
    if (m->track_open) list_unlink(m, &ps->open_list, c);
    m->muni[cs->muni].open--;
    if (cs->counted) {
        m->gs_muni[cs->muni].closed++;
        if (!m->type_mirrors_muni) m->gs_type[cs->type].closed++;
        if (!m->post_mirrors_muni) m->gs_post[p].closed++;
    }
    trace_case(m, cs, t, "closed");
    case_free(m, c);
    uint32_t next = ps->open == ps->slots ? wl_best_for_set(m, ps->set) : NIL;
    if (next != NIL) {
        sim_timeavg_step(&ps->avg_open, t, (double)ps->open);
        take_slot(m, next, p, t);
    } else {
        post_open_step(m, p, -1, t);
    }
}

static void on_renege(kim_model *m, uint32_t c, double t)
{
    kcase *cs = &m->cases[c];
    wl_remove(m, c);
    queue_changed(m, cs->muni, -1, t);
    if (cs->counted) {
        m->gs_muni[cs->muni].reneged++;
        if (!m->type_mirrors_muni) m->gs_type[cs->type].reneged++;
    }
    trace_case(m, cs, t, "reneged");
    case_free(m, c);
}

/* Case-type shares and duration factors in force now (housing drivers). */
static void recompute_mix(kim_model *m)
{
    const kim_scenario *sc = m->sc;
    double t = sim_now(m->k), *share = m->cum_share;
    for (size_t j = 0; j < sc->n_case_types; j++) {
        share[j] = sc->case_types[j].share;
        m->dur_factor[j] = 1.0;
    }
    for (size_t i = 0; i < sc->n_drivers; i++) {
        const kim_driver *d = &sc->drivers[i];
        if (d->kind != KIM_DRV_HOUSING || t < d->from_day || t >= d->to_day) continue;
        size_t j = d->case_type;
        m->dur_factor[j] *= d->duration_factor;
        if (isnan(d->share)) continue;
        double rest = 1.0 - share[j];
        for (size_t q = 0; q < sc->n_case_types; q++)
            if (q != j) share[q] = rest > 0.0 ? share[q] * (1.0 - d->share) / rest
                                              : (1.0 - d->share) / (double)(sc->n_case_types - 1);
        share[j] = d->share;
    }
    for (size_t j = 1; j < sc->n_case_types; j++) share[j] += share[j - 1];
}

static void on_driver(kim_model *m, uint32_t arg)
{
    const kim_driver *d = &m->sc->drivers[arg];
    switch (d->kind) {
    case KIM_DRV_HOUSING: recompute_mix(m); break;
    case KIM_DRV_STAFFING: st_set_fte(m, d->post, d->fte, d->filled_fte); break;
    case KIM_DRV_PROGRAMME_END: m->programme_over = 1; break;
    default: break;
    }
}

static void schedule_drivers(kim_model *m)
{
    const kim_scenario *sc = m->sc;
    for (size_t i = 0; i < sc->n_drivers; i++) {
        const kim_driver *d = &sc->drivers[i];
        double at[2] = { NAN, NAN };
        if (d->kind == KIM_DRV_HOUSING) { at[0] = d->from_day; at[1] = d->to_day; }
        if (d->kind == KIM_DRV_STAFFING || d->kind == KIM_DRV_PROGRAMME_END) at[0] = d->day;
        for (int j = 0; j < 2; j++)
            if (at[j] >= 0.0 && at[j] < sc->horizon_days)
                sim_post(m->k, at[j], CL_DRIVER, EV_DRIVER, (uint32_t)i);
    }
}

/* ------------------------------------------------------------------ */
/* Initial state (DESIGN.md §3: today's waiting list and caseload)      */
/* ------------------------------------------------------------------ */

/* Remaining duration of a case already open at day 0: the equilibrium
 * excess of the duration distribution, drawn as U x D~ with D~ from the
 * length-biased distribution (Cox 1962, Renewal Theory §5.2).  Length-biased
 * lognormal(mu, s) is lognormal(mu + s^2, s); gamma(k, theta) is
 * gamma(k + 1, theta); exponential is gamma(2, mean).  Bounded distributions
 * use rejection with acceptance D / upper bound; Weibull uses rejection
 * below its cap, or U x D without one (documented approximation). */
static double residual_duration(const kim_dist *d, gsl_rng *r)
{
    double x, u = gsl_rng_uniform(r);
    switch (d->kind) {
    case KIM_DIST_LOGNORMAL:
        x = sim_lognormal(r, d->p[0] + d->p[1] * d->p[1], d->p[1]);
        break;
    case KIM_DIST_GAMMA: x = gsl_ran_gamma(r, d->p[0] + 1.0, d->p[1]); break;
    case KIM_DIST_EXPONENTIAL: x = gsl_ran_gamma(r, 2.0, d->p[0]); break;
    case KIM_DIST_FIXED: x = d->p[0]; break;
    default: {
        double hi = d->kind == KIM_DIST_UNIFORM ? d->p[1]
                  : d->kind == KIM_DIST_TRIANGULAR ? d->p[2] : d->max;
        if (d->kind == KIM_DIST_EMPIRICAL)
            for (size_t i = 0; i < d->n_values; i++) hi = i ? fmax(hi, d->values[i]) : d->values[i];
        if (!isfinite(hi) || hi <= 0.0) { x = kim_dist_draw(d, r); break; }
        do x = kim_dist_draw(d, r); while (gsl_rng_uniform(r) * hi > x);
    }
    }
    x *= u;
    return x < d->max ? x : d->max;
}

/* Initial waiting cases have ages spread evenly over the time the list took
 * to build at the municipality's arrival rate (uniform on [0, N / rate]);
 * initial open cases start at eligible posts with free slots, the rest wait.
 * Neither is counted in the per-case metrics (they arrived before day 0). */
static void initial_state(kim_model *m, unsigned long rep, gsl_rng *r)
{
    const kim_scenario *sc = m->sc;
    for (size_t mu = 0; mu < sc->n_munis; mu++) {
        const kim_muni *mp = &sc->munis[mu];
        if (mp->initial_open + mp->initial_waiting == 0) continue;
        sim_rng_seed(r, sim_seed_mix(sc->seed, rep, ((uint64_t)KIM_STREAM_INITIAL << 32) | mu));
        double span = m->muni[mu].base_rate > 0.0
                    ? mp->initial_waiting / m->muni[mu].base_rate : 0.0;
        for (int i = 0; i < mp->initial_open + mp->initial_waiting; i++) {
            uint32_t c = case_new(m);
            kcase *cs = &m->cases[c];
            cs->muni = (uint32_t)mu;
            draw_attributes(m, cs, -1, r);
            if (i < mp->initial_open) {
                cs->duration = residual_duration(&sc->case_types[cs->type].duration, r)
                             * m->dur_factor[cs->type];
                cs->arrival = 0.0;
            } else {
                cs->arrival = -gsl_rng_uniform(r) * span;
            }
            cs->counted = 0;
            place_case(m, c, i >= mp->initial_open, 0.0);
        }
    }
}

/* ------------------------------------------------------------------ */
/* The model: workspace and run                                         */
/* ------------------------------------------------------------------ */

static int cmp_int(const void *a, const void *b)
{
    int x = *(const int *)a, y = *(const int *)b;
    return (x > y) - (x < y);
}

/* Priority levels: distinct priorities in ascending order (one level with
 * policy.queue = "fifo"). */
static void build_levels(kim_model *m)
{
    const kim_scenario *sc = m->sc;
    size_t n = sc->n_case_types;
    int *pr = sim_xmalloc((n + 1) * sizeof *pr);
    m->level_of_type = sim_xcalloc(n + 1, sizeof *m->level_of_type);
    for (size_t j = 0; j < n; j++) pr[j] = sc->case_types[j].priority;
    qsort(pr, n, sizeof *pr, cmp_int);
    size_t levels = 0;
    for (size_t j = 0; j < n; j++)
        if (j == 0 || pr[j] != pr[j - 1]) pr[levels++] = pr[j];
    for (size_t j = 0; j < n && sc->queue == KIM_QUEUE_PRIORITY; j++) {
        size_t l = 0;
        while (pr[l] != sc->case_types[j].priority) l++;
        m->level_of_type[j] = (int)l;
    }
    m->n_levels = sc->queue == KIM_QUEUE_PRIORITY ? levels : 1;
    SIM_ASSERT(m->n_levels >= 1 && m->n_levels < 256);
    free(pr);
}

kim_model *kim_model_new(const kim_scenario *sc)
{
    kim_model *m = sim_xcalloc(1, sizeof *m);
    const gsl_rng_type *T = sim_rng_type(sc->rng ? sc->rng : "mt19937");
    m->sc = sc;
    m->k = sim_kernel_new(64 + 2 * sc->n_posts + sc->n_munis);
    m->free_case = NIL;
    m->track_open = sc->capacity_drop == KIM_DROP_REASSIGN;
    m->init_rng = sim_rng_alloc(T);
    build_levels(m);
    m->wl = sim_xcalloc(sc->n_munis * m->n_levels + 1, sizeof *m->wl);
    m->post = sim_xcalloc(sc->n_posts + 1, sizeof *m->post);
    m->muni = sim_xcalloc(sc->n_munis + 1, sizeof *m->muni);
    m->cum_share = sim_xcalloc(sc->n_case_types + 1, sizeof *m->cum_share);
    m->dur_factor = sim_xcalloc(sc->n_case_types + 1, sizeof *m->dur_factor);
    for (size_t mu = 0; mu < sc->n_munis; mu++) {
        kmuni_state *ms = &m->muni[mu];
        ms->arr_rng = sim_rng_like(m->init_rng);
        ms->case_rng = sim_rng_like(m->init_rng);
        ms->base_rate = sc->munis[mu].arrivals_per_day;
        ms->rate_bound = ms->base_rate;
        for (size_t i = 0; i < sc->n_drivers; i++)
            if (influx_hits(&sc->drivers[i], mu)) {
                ms->time_varying = 1;
                ms->rate_bound *= influx_bound(&sc->drivers[i]);
            }
        ms->gap_mean = 1.0 / ms->rate_bound;
    }
    wl_build_sets(m);
    kim_groups_init(&m->groups, sc);
    ty_init(m);
    st_init(m);
    return m;
}

void kim_model_free(kim_model *m)
{
    if (!m) return;
    for (size_t mu = 0; mu < m->sc->n_munis; mu++) {
        gsl_rng_free(m->muni[mu].arr_rng);
        gsl_rng_free(m->muni[mu].case_rng);
        free(m->muni[mu].mem);
    }
    gsl_rng_free(m->init_rng);
    st_fini(m);
    ty_fini(m);
    kim_groups_fini(&m->groups);
    wl_free_sets(m);
    sim_kernel_free(m->k);
    free(m->cases);
    free(m->wl);
    free(m->post);
    free(m->muni);
    free(m->cum_share);
    free(m->dur_factor);
    free(m->level_of_type);
    free(m);
}

static void reset(kim_model *m, unsigned long rep)
{
    const kim_scenario *sc = m->sc;
    sim_kernel_reset(m->k);
    m->next_no = 0;
    m->free_case = NIL;
    for (uint32_t i = m->n_cases_cap; i-- > 0;) case_free(m, i);
    wl_reset(m);
    ty_reset(m);
    m->programme_over = 0;
    m->overloaded = 0;
    m->max_waiting = sc->max_waiting > 0 ? sc->max_waiting : KIM_MAX_WAITING_DEFAULT;
    m->waiting_all = m->waiting_all_max = 0;
    m->capacity_changed = 1;
    m->warmup = sc->warmup_days;
    for (size_t p = 0; p < sc->n_posts; p++) {
        kpost_state *ps = &m->post[p];
        ps->fte = sc->posts[p].fte;
        ps->filled = sc->posts[p].filled_fte;
        ps->open = 0;
        ps->slots = kim_slots(ps->filled, kim_post_caseload(sc, p));
        ps->open_list.head = ps->open_list.tail = NIL;
        sim_timeavg_init(&ps->avg_open, 0.0, 0.0);
        sim_timeavg_init(&ps->avg_slots, 0.0, (double)ps->slots);
        sim_timeavg_init(&ps->avg_filled, 0.0, ps->filled);
        sim_timeavg_init(&ps->avg_fte, 0.0, ps->fte);
        if (ps->slots > 0) m->sets[ps->set].n_free++;
    }
    for (size_t mu = 0; mu < sc->n_munis; mu++) {
        kmuni_state *ms = &m->muni[mu];
        ms->waiting = ms->open = 0;
        sim_timeavg_init(&ms->avg_queue, 0.0, 0.0);
        sim_rng_seed(ms->arr_rng, sim_seed_mix(sc->seed, rep, ((uint64_t)KIM_STREAM_ARRIVALS << 32) | mu));
        sim_rng_seed(ms->case_rng, sim_seed_mix(sc->seed, rep, ((uint64_t)KIM_STREAM_CASES << 32) | mu));
    }
    recompute_mix(m);
}

static void schedule_bookkeeping(kim_model *m)
{
    const kim_scenario *sc = m->sc;
    for (size_t mu = 0; mu < sc->n_munis; mu++)
        if (m->muni[mu].rate_bound > 0.0) schedule_arrival(m, mu, 0.0);
    if (sc->n_trace && sc->trace[0].day < sc->horizon_days)
        sim_post(m->k, sc->trace[0].day, CL_ARRIVAL, EV_TRACE, 0);
    schedule_drivers(m);
    if (m->warmup > 0.0) sim_post(m->k, m->warmup, CL_WARMUP, EV_WARMUP, 0);
    if (sc->sample_days > 0.0) sim_post(m->k, 0.0, CL_SAMPLE, EV_SAMPLE, 0);
    sim_post(m->k, sc->horizon_days, CL_END, EV_END, 0);
}

/* Cases still in the system at the horizon: censored. */
static void count_end(kim_model *m, double t)
{
    for (uint32_t c = 0; c < m->n_cases_cap; c++) {
        kcase *cs = &m->cases[c];
        if (cs->state == CASE_FREE) continue;
        if (cs->counted && cs->state == CASE_WAITING) {
            /* late: a censored wait already past the target; a case sent
             * back after it started (reassign) had its wait judged then */
            int late = isnan(cs->start) && t - cs->arrival > m->sc->targets.wait_days;
            m->gs_muni[cs->muni].waiting_end++;
            m->gs_type[cs->type].waiting_end++;
            m->gs_muni[cs->muni].late += late;
            m->gs_type[cs->type].late += late;
        } else if (cs->counted) {
            m->gs_muni[cs->muni].open_end++;
            m->gs_type[cs->type].open_end++;
            m->gs_post[cs->post].open_end++;
        }
        trace_case(m, cs, NAN, cs->state == CASE_WAITING ? "waiting_at_end" : "open_at_end");
    }
}

/* Sample k at k x sample_days (no drift from repeated sums). */
static void on_sample(kim_model *m, uint32_t k, double t)
{
    const kim_scenario *sc = m->sc;
    ty_sample(m, t);
    if ((k + 1.0) * sc->sample_days <= sc->horizon_days)
        sim_post(m->k, (k + 1.0) * sc->sample_days, CL_SAMPLE, EV_SAMPLE, k + 1);
}

/* Runs event ev at its time t.  Returns 1 when the run stops after it:
 * the end, or the district's waiting list reached max_waiting (only the
 * events that place cases can do that: arrivals, and capacity changes
 * that send cases back).  Closes and arrivals, most of a run, are tested
 * before the switch. */
MDL_HOT int step(kim_model *m, const sim_event *ev, double t)
{
    if (ev->type == EV_ARRIVAL) {
        /* The next arrival is scheduled first: it is usually the earliest
         * event, so it drops into the root vacated by this one at once,
         * while the case's close, far off, sifts up a level or two.  The
         * order of the two changes nothing: they differ in class, and
         * draw from different streams. */
        schedule_arrival(m, ev->arg, t);
        return arrive(m, ev->arg, -1, t);
    }
    if (ev->type == EV_CLOSE) {
        on_close(m, ev->arg, t);
        return 0;
    }
    switch (ev->type) {
    case EV_TRACE:   return on_trace(m, ev->arg, t);
    case EV_RENEGE:  on_renege(m, ev->arg, t); return 0;
    case EV_LEAVE:   st_leave(m, ev->arg); return m->overloaded;
    case EV_HIRE:    st_hire(m, ev->arg); return m->overloaded;
    case EV_DRIVER:  on_driver(m, ev->arg); return m->overloaded;
    case EV_WARMUP:  ty_restart(m, t); return 0;
    case EV_SAMPLE:  on_sample(m, ev->arg, t); return 0;
    case EV_END:     return 1;
    default: SIM_ASSERT(!"unknown event type"); return 1;
    }
}

int kim_model_run(kim_model *m, unsigned long rep, const kim_observer *obs,
                  double *values, kim_run_info *info)
{
    const kim_scenario *sc = m->sc;
    m->obs = obs;
    m->trace = obs && obs->trace;
    reset(m, rep);
    st_reset(m, rep);
    for (size_t p = 0; p < sc->n_posts; p++) eng_set_filled(m, p, m->post[p].filled);
    initial_state(m, rep, m->init_rng);
    /* every accumulator starts afresh at day 0 (again at the warm-up):
     * nothing of the previous replication on this workspace may leak in */
    ty_restart(m, 0.0);
    schedule_bookkeeping(m);
    sim_event ev;
    double t = 0.0;
    if (m->overloaded) {
        /* The initial state reached max_waiting: the first event runs, and
         * the run stops after it, as after an event that overloads it. */
        if (sim_next(m->k, &ev)) {
            t = ev.time;
            step(m, &ev, t);
        }
        goto done;
    }
    while (sim_next(m->k, &ev)) {
        t = ev.time;
        if (step(m, &ev, t)) break;
    }
done:
    count_end(m, t);
    ty_finish(m, t, values);
    if (info) {
        info->events = sim_events_processed(m->k);
        info->warmup_days = m->warmup;
        info->seed = sim_seed_mix(sc->seed, rep, 0);
        info->end_day = t;
        info->overloaded = m->overloaded;
    }
    return m->overloaded ? KIM_RUN_OVERLOADED : KIM_RUN_OK;
}
