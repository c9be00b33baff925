/*
 * model.h — the engine's internal state, shared by the files of models/
 * (engine.c: the event loop; waitlist.c: waiting lists and serve sets;
 * staffing.c: positions, turnover and hiring; tally.c: per-group metrics).
 * Not part of the public API: include kim.h outside models/.
 *
 * Invariants (checked by the tests, asserted where cheap):
 *  I1  a post with a free slot (open < slots) has no eligible waiting case:
 *      every municipality it serves has an empty waiting list;
 *  I2  each (municipality, priority level) waiting list is ordered by
 *      (arrival, case number);
 *  I3  a serve set's heap holds exactly its municipalities with waiting
 *      cases, ordered by their best case (priority level, arrival, number);
 *  I4  set->n_free counts the posts of the set with open < slots.
 */
#ifndef KIMSIM_MODEL_H
#define KIMSIM_MODEL_H

#include "kim.h"
#include "../sim/sim.h"

#include <gsl/gsl_randist.h>

#define NIL UINT32_MAX

/* The steps of a case's path (arrive, start, close) are inlined into the
 * event loop: a case is a few dozen of them, and calls would be a third of
 * its cost. */
#if defined(__GNUC__)
#define MDL_HOT static inline __attribute__((always_inline))
#else
#define MDL_HOT static inline
#endif

enum { CASE_FREE = 0, CASE_WAITING, CASE_OPEN };

/* Event types, and their classes: at equal times, drivers and staffing
 * changes run first, then closes free slots, then reneging, then arrivals,
 * then bookkeeping (warm-up, samples, the end). */
enum { EV_ARRIVAL = 1, EV_TRACE, EV_CLOSE, EV_RENEGE, EV_LEAVE, EV_HIRE,
       EV_DRIVER, EV_WARMUP, EV_SAMPLE, EV_END };
enum { CL_DRIVER = 0, CL_STAFF = 1, CL_CLOSE = 2, CL_RENEGE = 3,
       CL_ARRIVAL = 4, CL_WARMUP = 5, CL_SAMPLE = 6, CL_END = 7 };

typedef struct kcase {
    double arrival;         /* day; < 0 for an initial waiting case */
    double duration;        /* days of case management still to do */
    double patience;        /* days it waits before reneging; INFINITY = never */
    double start;           /* day of its first start; NAN while never started */
    double resumed;         /* day of its current start (track_open only) */
    uint64_t no;            /* case number in this replication, from 1 */
    sim_handle ev;          /* pending renege (waiting), 0 for none; pending
                             * close (open; kept only when m->track_open) */
    uint32_t prev, next;    /* links: waiting list or post's open list */
    uint32_t muni, type;
    int32_t post;           /* post while open; -1 while waiting */
    uint8_t level;          /* priority level (0 is served first) */
    uint8_t counted;        /* arrived after warm-up: in the metrics */
    uint8_t state;
} kcase;

typedef struct klist { uint32_t head, tail; } klist;

/* A set heap's entry: a municipality (membership mem, municipality muni)
 * with its best waiting case's key copied in, so that sifting compares
 * entries without following pointers.  lvno is level << KIM_NO_BITS | no:
 * it orders as the level where levels differ, as the number where they
 * agree.  The key is the head's (I3) in every set of two or more
 * municipalities; in a set of one it is never compared and may be stale. */
#define KIM_NO_BITS 56
typedef struct khent {
    double arrival;
    uint64_t lvno;
    uint32_t mem, muni;
} khent;

/* A distinct set of municipalities served by one or more posts. */
typedef struct kset {
    size_t n_munis, n_posts, n_free;
    size_t *posts;          /* post indices, ascending */
    khent *heap;            /* memberships keyed by their best case */
    size_t heap_n;
} kset;

/* A staffed position: one person's share of a post's FTE. */
typedef struct kpos {
    double size;            /* FTE when filled */
    double filled;          /* FTE filled now (0 when vacant) */
    sim_handle ev;          /* pending leave (filled) or hire (vacant) */
    uint8_t active;         /* part of the funded fte */
} kpos;

typedef struct kpost_state {
    double fte, filled;     /* funded and staffed FTE now */
    long slots, open;
    klist open_list;        /* open cases in order of start (reassign only) */
    size_t set;             /* serve set */
    kpos *pos;              /* positions (staffing dynamics) */
    size_t n_pos, cap_pos;
    gsl_rng *rng;           /* staffing stream */
    sim_timeavg avg_open, avg_slots, avg_filled, avg_fte;
} kpost_state;

/* Per-group accumulators for municipalities, posts and case types; the
 * district and carriers are sums of these (tally.c). */
typedef struct gstats {
    uint64_t arrivals, started, closed, reneged, waited, within, late;
    uint64_t waiting_end, open_end;
    double wait_sum;        /* count and maximum of the waits: hist->n, hist->max */
    sim_qhist *hist;
} gstats;

/* Draws from d: kim_dist_draw, with the exponential and the lognormal (the
 * common durations and patiences) inline; the same draws and cap. */
static inline double mdl_dist_draw(const kim_dist *d, gsl_rng *r)
{
    double x;
    if (d->kind == KIM_DIST_EXPONENTIAL) x = sim_exponential(r, d->p[0]);
    else if (d->kind == KIM_DIST_LOGNORMAL) x = sim_lognormal(r, d->p[0], d->p[1]);
    else return kim_dist_draw(d, r);
    return x < d->max ? x : d->max;
}

/* A counted case started after waiting `wait` days (cell: its histogram
 * cell; within, waited: 0 or 1). */
static inline void gs_add_start(gstats *g, double wait, int cell, uint64_t within,
                                uint64_t waited)
{
    g->started++;
    g->waited += waited;
    g->within += within;
    g->wait_sum += wait;
    sim_qhist_add_cell(g->hist, cell, wait);
}

typedef struct kmuni_state {
    double base_rate, rate_bound;    /* arrivals per day; thinning bound */
    double gap_mean;                 /* 1 / rate_bound: mean days between candidates */
    int time_varying;
    size_t n_mem;                    /* memberships: serve sets it is in */
    uint32_t *mem;                   /* membership ids, in home-first order */
    uint32_t *mem_sets;              /* their serve sets (mem_set of each) */
    int shares_sets;                 /* one of them serves other municipalities */
    uint32_t head;                   /* best waiting case, NIL when none */
    long waiting, open;
    long waiting_max;                /* maximum of waiting since the warm-up */
    gsl_rng *arr_rng, *case_rng;
    sim_timeavg avg_queue;
    double sx, sy, sxx, sxy; long ns; /* backlog regression sums */
    /* 192 bytes, three cache lines: at 176 (without this) GCC 12 compiled
     * the event loop 4 % longer (callgrind, bench/mmc-1m.cfg; its register
     * allocation is that sensitive to the layout) */
    char pad[16];
} kmuni_state;

struct kim_model {
    const kim_scenario *sc;
    sim_kernel *k;
    size_t n_levels;
    int *level_of_type;
    /* cases */
    kcase *cases;
    uint32_t n_cases_cap, free_case;
    uint64_t next_no;
    /* waiting lists [muni * n_levels + level] */
    klist *wl;
    /* serve sets and memberships (muni m in set s) */
    kset *sets;
    size_t n_sets;
    size_t n_mem;
    uint32_t *mem_set, *mem_muni, *mem_pos;   /* mem_pos: heap index or NIL */
    kpost_state *post;
    kmuni_state *muni;
    /* case-type mix now (housing drivers) */
    double *cum_share, *dur_factor;
    int programme_over;
    /* metrics */
    gstats *gs_muni, *gs_post, *gs_type;
    /* A group that sees exactly the cases of the one municipality mirrors
     * it: the event loop feeds only the municipality's accumulator and
     * ty_finish copies it (tally.c, ty_init says when). */
    int type_mirrors_muni, post_mirrors_muni;
    double wait_target;      /* sc->targets.wait_days */
    double sx, sy, sxx, sxy; long ns;
    long waiting_all, waiting_all_max;
    kim_sample *sample;      /* the observer's rows (tally.c): their slots */
    int capacity_changed;    /* and FTE are stale: a post's capacity changed */
    int track_open;          /* keep posts' open lists (capacity_drop = reassign) */
    int overloaded;          /* waiting list reached max_waiting: stop */
    int warmed_up;           /* the warm-up has ended (ty_restart at or after
                              * it): the time averages cover post-warm-up days */
    long max_waiting;
    double warmup;
    const kim_observer *obs;
    int trace;               /* obs has a trace callback */
    kim_groups groups;
    uint64_t cases_waiting_limit;
    gsl_rng *init_rng;       /* initial-state stream, re-seeded per municipality */
};

/* waitlist.c; the common paths of wl_push, wl_remove and wl_free_post
 * are inline below, their other cases there. */
void wl_build_sets(kim_model *m);
void wl_free_sets(kim_model *m);
void wl_reset(kim_model *m);
void wl_insert(kim_model *m, uint32_t c);
void wl_head_removed(kim_model *m, size_t mu, uint32_t next);
long wl_least_loaded(const kim_model *m, size_t mu);
void wl_post_capacity_changed(kim_model *m, size_t p, int was_free);

/* Is a before b in its waiting list (I2), and in the set heaps (I3)? */
static inline int case_before(const kcase *a, const kcase *b)
{
    if (a->level != b->level) return a->level < b->level;
    if (a->arrival != b->arrival) return a->arrival < b->arrival;
    return a->no < b->no;
}

/* Case c joins its list.  A case that goes after the tail of a non-empty
 * list (a new arrival) is appended here: its municipality's best case
 * stays; the rest is wl_insert's. */
static inline void wl_push(kim_model *m, uint32_t c)
{
    kcase *cs = &m->cases[c];
    klist *l = &m->wl[cs->muni * m->n_levels + cs->level];
    uint32_t tail = l->tail;
    if (tail == NIL || case_before(cs, &m->cases[tail])) {
        wl_insert(m, c);
        return;
    }
    cs->prev = tail;
    cs->next = NIL;
    m->cases[tail].next = c;
    l->tail = c;
    cs->state = CASE_WAITING;
    cs->post = -1;
}

/* Case c leaves its list.  When it was its municipality's best case, the
 * next in its level takes its place; in set heaps that hold only this
 * municipality nothing moves, otherwise wl_head_removed restores I3. */
static inline void wl_remove(kim_model *m, uint32_t c)
{
    kcase *cs = &m->cases[c];
    klist *l = &m->wl[cs->muni * m->n_levels + cs->level];
    uint32_t prev = cs->prev, next = cs->next;
    if (prev == NIL) l->head = next; else m->cases[prev].next = next;
    if (next == NIL) l->tail = prev; else m->cases[next].prev = prev;
    cs->prev = cs->next = NIL;
    kmuni_state *ms = &m->muni[cs->muni];
    if (ms->head != c) return;
    if (next != NIL && !ms->shares_sets) ms->head = next;
    else wl_head_removed(m, cs->muni, next);
}

/* Best waiting case for a post of serve set s (the top of its heap, I3);
 * NIL when none. */
static inline uint32_t wl_best_for_set(const kim_model *m, size_t s)
{
    const kset *set = &m->sets[s];
    return set->heap_n ? m->muni[set->heap[0].muni].head : NIL;
}

static inline int wl_post_is_free(const kim_model *m, size_t p)
{
    return m->post[p].open < m->post[p].slots;
}

/* Post with a free slot eligible for municipality mu, by policy; -1 none.
 * Home-first: the first post with a free slot of its first set, in
 * home-first order, that has one (I4: n_free > 0 says one of the set's
 * posts is free; post_open_step and wl_post_capacity_changed keep it). */
static inline long wl_free_post(const kim_model *m, size_t mu)
{
    if (m->sc->assign != KIM_ASSIGN_HOME_FIRST) return wl_least_loaded(m, mu);
    const kmuni_state *ms = &m->muni[mu];
    for (size_t j = 0; j < ms->n_mem; j++) {
        const kset *s = &m->sets[ms->mem_sets[j]];
        if (s->n_free == 0) continue;
        for (size_t i = 0; i < s->n_posts; i++)
            if (wl_post_is_free(m, s->posts[i])) return (long)s->posts[i];
        SIM_ASSERT(!"n_free counts a free post");   /* I4 */
    }
    return -1;
}

/* staffing.c */
void st_init(kim_model *m);
void st_fini(kim_model *m);
void st_reset(kim_model *m, unsigned long rep);
void st_leave(kim_model *m, uint32_t pos_id);
void st_hire(kim_model *m, uint32_t pos_id);
void st_set_fte(kim_model *m, size_t p, double fte, double filled);

/* engine.c: capacity of post p changed to `filled` FTE */
void eng_set_filled(kim_model *m, size_t p, double filled);

/* tally.c */
void ty_init(kim_model *m);
void ty_fini(kim_model *m);
void ty_reset(kim_model *m);
void ty_restart(kim_model *m, double t);
void ty_sample(kim_model *m, double t);
void ty_finish(kim_model *m, double t, double *values);

/* Position ids pack (post, position) for events. */
#define POS_ID(p, i) ((uint32_t)((p) << 12 | (i)))
#define POS_POST(id) ((id) >> 12)
#define POS_INDEX(id) ((id) & 0xfff)

#endif
