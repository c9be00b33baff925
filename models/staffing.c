/*
 * staffing.c — staffed positions of a post: turnover and hiring lags.
 *
 * A post's funded fte is split into positions of 1.0 FTE and one of the
 * remainder (1.5 -> 1.0 + 0.5).  A filled position stays filled for an
 * exponential time with mean 365 / turnover_per_year days, then is vacant
 * for a hiring lag drawn from the post's distribution, then filled again:
 * an alternating renewal process, so in the long run a position is filled
 * a fraction E[up] / (E[up] + E[lag]) of the time (Ross 1996, Stochastic
 * Processes, Thm 3.4.4).  Positions vacant at day 0 (filled_fte < fte) are
 * being recruited from day 0.
 *
 * Invariant: post->filled is the sum of its positions' `filled`; a post
 * without turnover and hiring lag has no positions and its filled FTE
 * changes only through drivers.
 */
#include "model.h"

#include <math.h>
#include <stdlib.h>
#include <gsl/gsl_randist.h>

static int dynamic(const kim_post *p)
{
    return p->turnover_per_year > 0.0 || p->hiring_lag.kind != KIM_DIST_NONE;
}

void st_init(kim_model *m)
{
    const kim_scenario *sc = m->sc;
    for (size_t p = 0; p < sc->n_posts; p++) {
        kpost_state *ps = &m->post[p];
        if (!dynamic(&sc->posts[p])) continue;
        ps->rng = sim_rng_like(m->init_rng);
        ps->cap_pos = 8;
        ps->pos = sim_xcalloc(ps->cap_pos, sizeof *ps->pos);
    }
}

void st_fini(kim_model *m)
{
    for (size_t p = 0; p < m->sc->n_posts; p++) {
        gsl_rng_free(m->post[p].rng);
        free(m->post[p].pos);
    }
}

static void schedule_leave(kim_model *m, size_t p, size_t i)
{
    const kim_post *post = &m->sc->posts[p];
    kpos *pos = &m->post[p].pos[i];
    pos->ev = 0;
    if (post->turnover_per_year <= 0.0) return;
    double up = gsl_ran_exponential(m->post[p].rng, 365.0 / post->turnover_per_year);
    pos->ev = sim_schedule(m->k, sim_now(m->k) + up, CL_STAFF, EV_LEAVE,
                           POS_ID(p, i));
}

static void schedule_hire(kim_model *m, size_t p, size_t i)
{
    const kim_post *post = &m->sc->posts[p];
    kpos *pos = &m->post[p].pos[i];
    pos->ev = 0;
    if (post->hiring_lag.kind == KIM_DIST_NONE) return;   /* stays vacant */
    double lag = kim_dist_draw(&post->hiring_lag, m->post[p].rng);
    pos->ev = sim_schedule(m->k, sim_now(m->k) + lag, CL_STAFF, EV_HIRE,
                           POS_ID(p, i));
}

static double filled_sum(const kpost_state *ps)
{
    double f = 0.0;
    for (size_t i = 0; i < ps->n_pos; i++)
        if (ps->pos[i].active) f += ps->pos[i].filled;
    return f;
}

/* Lays out positions for `fte` funded, `filled` staffed, from position 0;
 * cancels pending events of positions that go. */
static void layout(kim_model *m, size_t p, double fte, double filled)
{
    kpost_state *ps = &m->post[p];
    for (size_t i = 0; i < ps->n_pos; i++)
        if (ps->pos[i].ev) { sim_cancel(m->k, ps->pos[i].ev); ps->pos[i].ev = 0; }
    size_t n = (size_t)ceil(fte - 1e-9);
    SIM_ASSERT(n < 4096);
    if (n > ps->cap_pos) {
        ps->cap_pos = n;
        ps->pos = sim_xrealloc(ps->pos, n * sizeof *ps->pos);
    }
    ps->n_pos = n;
    double left = filled;
    for (size_t i = 0; i < n; i++) {
        kpos *pos = &ps->pos[i];
        pos->size = (i + 1 < n || fte - (double)i >= 1.0) ? 1.0 : fte - (double)i;
        pos->filled = left >= pos->size - 1e-9 ? pos->size : (left > 1e-9 ? left : 0.0);
        left -= pos->filled;
        pos->active = 1;
        pos->ev = 0;
        if (pos->filled > 0.0) schedule_leave(m, p, i);
        else schedule_hire(m, p, i);
    }
}

void st_reset(kim_model *m, unsigned long rep)
{
    const kim_scenario *sc = m->sc;
    for (size_t p = 0; p < sc->n_posts; p++) {
        kpost_state *ps = &m->post[p];
        if (!ps->rng) continue;
        sim_rng_seed(ps->rng, sim_seed_mix(sc->seed, rep,
                                           ((uint64_t)KIM_STREAM_STAFFING << 32) | p));
        ps->n_pos = 0;
        layout(m, p, sc->posts[p].fte, sc->posts[p].filled_fte);
    }
}

void st_leave(kim_model *m, uint32_t id)
{
    size_t p = POS_POST(id), i = POS_INDEX(id);
    kpos *pos = &m->post[p].pos[i];
    pos->filled = 0.0;
    schedule_hire(m, p, i);
    eng_set_filled(m, p, filled_sum(&m->post[p]));
}

void st_hire(kim_model *m, uint32_t id)
{
    size_t p = POS_POST(id), i = POS_INDEX(id);
    kpos *pos = &m->post[p].pos[i];
    pos->filled = pos->size;
    schedule_leave(m, p, i);
    eng_set_filled(m, p, filled_sum(&m->post[p]));
}

/* A staffing driver: new funded fte and/or filled FTE (NAN = unchanged).
 * Without staffing dynamics, a new fte alone fills at once (decrease) or
 * is filled at once (increase); with dynamics, new vacancies are recruited
 * after a hiring lag. */
void st_set_fte(kim_model *m, size_t p, double fte, double filled)
{
    kpost_state *ps = &m->post[p];
    double new_fte = isnan(fte) ? ps->fte : fte;
    double new_filled = !isnan(filled) ? filled
                      : ps->rng ? (ps->filled < new_fte ? ps->filled : new_fte)
                      : new_fte;
    if (new_filled > new_fte) new_filled = new_fte;
    ps->fte = new_fte;
    sim_timeavg_set(&ps->avg_fte, sim_now(m->k), new_fte);
    if (ps->rng) {
        layout(m, p, new_fte, new_filled);
        new_filled = filled_sum(ps);
    }
    eng_set_filled(m, p, new_filled);
}
