/*
 * build.h — scenarios built in code for the model tests (no loader), so
 * the engine is tested on exactly the parameters written here.
 * Everything allocated belongs to the scenario (kim_scenario_fini).
 */
#ifndef KIMSIM_TESTS_BUILD_H
#define KIMSIM_TESTS_BUILD_H

#include <math.h>
#include <string.h>

#include "../models/kim.h"
#include "../sim/sim.h"

/* ------------------------------------------------------------------ */
/* Scenarios built in code                                              */
/* ------------------------------------------------------------------ */

/* A case type with the given duration and patience distributions. */
static inline void add_type_dist(kim_scenario *sc, const char *name, double share, int prio,
                                 kim_dist duration, kim_dist patience)
{
    sc->case_types = sim_xrealloc(sc->case_types, (sc->n_case_types + 1) * sizeof *sc->case_types);
    kim_case_type *t = &sc->case_types[sc->n_case_types++];
    memset(t, 0, sizeof *t);
    t->name = sim_xstrdup(name);
    t->id = kim_make_id(name);
    t->share = share;
    t->priority = prio;
    t->duration = duration;
    t->patience = patience;
}

/* Exponential durations; exponential patience, or none when mean <= 0. */
static inline void add_type(kim_scenario *sc, const char *name, double share, int prio,
                     double mean_days, double patience_mean)
{
    kim_dist none = { .max = INFINITY };
    kim_dist dur = { .kind = KIM_DIST_EXPONENTIAL, .p = { mean_days }, .max = INFINITY };
    kim_dist pat = { .kind = KIM_DIST_EXPONENTIAL, .p = { patience_mean }, .max = INFINITY };
    add_type_dist(sc, name, share, prio, dur, patience_mean > 0.0 ? pat : none);
}

static inline void add_muni(kim_scenario *sc, const char *name, double per_day)
{
    sc->munis = sim_xrealloc(sc->munis, (sc->n_munis + 1) * sizeof *sc->munis);
    kim_muni *m = &sc->munis[sc->n_munis++];
    memset(m, 0, sizeof *m);
    m->name = sim_xstrdup(name);
    m->id = kim_make_id(name);
    m->arrivals_per_day = per_day;
    m->weight = per_day;
}

/* A post serving the listed municipalities (n = 0: "*"). */
static inline void add_post(kim_scenario *sc, const char *name, const char *carrier, double fte,
                     const size_t *serves, size_t n)
{
    sc->posts = sim_xrealloc(sc->posts, (sc->n_posts + 1) * sizeof *sc->posts);
    kim_post *p = &sc->posts[sc->n_posts++];
    memset(p, 0, sizeof *p);
    p->name = sim_xstrdup(name);
    p->id = kim_make_id(name);
    p->carrier = sim_xstrdup(carrier);
    p->fte = p->filled_fte = fte;
    p->caseload_per_fte = sc->caseload_per_fte;
    p->serves_all = n == 0;
    p->serves = sim_xcalloc(n + 1, sizeof *p->serves);
    if (n) memcpy(p->serves, serves, n * sizeof *serves);
    p->n_serves = n;
    p->hiring_lag.max = INFINITY;
}

/* The small hand-built case of the model tests: town Kamen, post "Stadt
 * Kamen" of 1 FTE (sc->caseload_per_fte slots, set it first) serving it,
 * one case type of exactly `days` days, and four referrals from Kamen at
 * first, first + 1, first + 2, first + 3. */
static inline void four_referrals(kim_scenario *sc, double days, double first)
{
    add_type(sc, "standard", 1.0, 1, 1.0, 0.0);
    sc->case_types[0].duration = (kim_dist){ .kind = KIM_DIST_FIXED, .p = { days },
                                             .max = INFINITY };
    add_muni(sc, "Kamen", 0.0);
    size_t m0 = 0;
    add_post(sc, "Stadt Kamen", "Stadt", 1.0, &m0, 1);
    sc->n_trace = 4;
    sc->trace = sim_xcalloc(4, sizeof *sc->trace);
    for (size_t i = 0; i < 4; i++) sc->trace[i] = (kim_arrival){ first + (double)i, 0, -1 };
}

#endif
