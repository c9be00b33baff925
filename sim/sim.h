/*
 * sim.h — the generic discrete-event kernel: clock, event queue, random
 * streams and the collectors a run feeds.  Knows nothing of cases.
 *
 * Invariants:
 *  - the clock never goes backwards: an event scheduled before now is a bug
 *    (assertion, kept in release builds);
 *  - events leave the queue in (time, class, insertion sequence) order, so
 *    equal-time events run in a deterministic order;
 *  - a handle names one scheduled event; cancelling it twice, or after it
 *    ran, is a bug.
 * Ownership: every _new has a _free; _free(NULL) is a no-op.  The RNG is
 * always an explicit argument, never a global.
 */
#ifndef KIMSIM_SIM_H
#define KIMSIM_SIM_H

#include <stddef.h>
#include <stdint.h>
#include <math.h>
#include <string.h>
#include <gsl/gsl_rng.h>

/* ------------------------------------------------------------------ */
/* Assertions that stay in release builds                               */
/* ------------------------------------------------------------------ */
void sim_fail(const char *file, int line, const char *what);
#define SIM_ASSERT(c) ((c) ? (void)0 : sim_fail(__FILE__, __LINE__, #c))

/* Allocation that aborts with a message when memory runs out. */
void *sim_xmalloc(size_t n);
void *sim_xcalloc(size_t n, size_t size);
void *sim_xrealloc(void *p, size_t n);
char *sim_xstrdup(const char *s);

/* ------------------------------------------------------------------ */
/* Event queue and clock                                                */
/* ------------------------------------------------------------------ */
/* The common paths of scheduling and popping are inlined into the event
 * loop (see "Kernel internals" at the end of this header). */
#if defined(__GNUC__)
#define SIM_INLINE static inline __attribute__((always_inline))
#else
#define SIM_INLINE static inline
#endif

typedef struct sim_kernel sim_kernel;
typedef uint64_t sim_handle;          /* 0 never names an event */

typedef struct sim_event {
    double time;                       /* days */
    uint32_t type;                     /* meaning is the caller's */
    uint32_t arg;
} sim_event;

/* Returns a kernel with the clock at 0 and no events; free with
 * sim_kernel_free. */
sim_kernel *sim_kernel_new(size_t capacity_hint);
void sim_kernel_free(sim_kernel *k);
/* Empties the queue and sets the clock to 0, keeping the memory. */
void sim_kernel_reset(sim_kernel *k);

/* Schedules an event at `time` (>= now) in priority class `cls` (0..15,
 * lower runs first among equal times).  Returns its handle, for
 * sim_cancel.  At most 2^36 events per run and 2^24 - 1 cancellable or
 * far-future events pending at once (asserted).  (Inline, below.) */
SIM_INLINE sim_handle sim_schedule(sim_kernel *k, double time, unsigned cls,
                                   uint32_t type, uint32_t arg);
/* Schedules an event that is never cancelled: sim_schedule without a
 * handle, and cheaper (the event travels in the heap entry itself, with
 * no node to allocate, look up and free).  It comes back at `time + 0.0`
 * (-0 as +0); the order of events is the same as sim_schedule's. */
SIM_INLINE void sim_post(sim_kernel *k, double time, unsigned cls,
                         uint32_t type, uint32_t arg);
/* Removes a scheduled event; the handle must be live. */
void sim_cancel(sim_kernel *k, sim_handle h);
/* Pops the next event into *ev and advances the clock to its time.
 * Returns 0 when the queue is empty.  (Inline, below.) */
SIM_INLINE int sim_next(sim_kernel *k, sim_event *ev);
static inline double sim_now(const sim_kernel *k);
static inline size_t sim_pending(const sim_kernel *k);
static inline uint64_t sim_events_processed(const sim_kernel *k);

/* ------------------------------------------------------------------ */
/* Random streams (DESIGN.md §5)                                       */
/* ------------------------------------------------------------------ */
/* The fixed 64-bit mixer: seed of (master, replication, stream).  Built on
 * SplitMix64's finaliser (Steele, Lea & Flood 2014), applied in turn to each
 * input, so nearby inputs give unrelated seeds. */
uint64_t sim_seed_mix(uint64_t master, uint64_t replication, uint64_t stream);

/* Returns a new generator of type T (NULL: gsl_rng_mt19937) seeded with
 * `seed`; the caller frees it with gsl_rng_free. */
gsl_rng *sim_rng_new(const gsl_rng_type *T, uint64_t seed);
/* A generator of type T (NULL: mt19937) for a stream that its owner seeds
 * (sim_rng_seed) before each use.  gsl_rng_alloc seeds it with GSL's
 * default seed, which for mt19937 costs as much as the seeding proper
 * (624 words), so a model allocates one stream this way and the rest, one
 * per municipality and post, with sim_rng_like. */
gsl_rng *sim_rng_alloc(const gsl_rng_type *T);
/* Another generator of proto's type, its state a copy of proto's
 * (gsl_rng_clone): a memcpy instead of gsl_rng_alloc's seeding, for
 * streams that are seeded before use. */
gsl_rng *sim_rng_like(const gsl_rng *proto);
/* Re-seeds an existing generator. */
void sim_rng_seed(gsl_rng *r, uint64_t seed);
/* Looks up a GSL generator by name ("mt19937", "ranlxd2", ...); NULL when
 * GSL has no generator of that name. */
const gsl_rng_type *sim_rng_type(const char *name);

/* An exponential draw of mean mu: exactly GSL 2.7's gsl_ran_exponential
 * (randist/exponential.c, -mu * log1p(-u) of one gsl_rng_uniform), the
 * same bits from the same stream, inline.  Two draws per case are most of
 * a run's random numbers, and the call into GSL, its indirect call to the
 * generator and the PLT stubs were a tenth of each draw.  test_sim checks
 * it against gsl_ran_exponential draw by draw. */
static inline double sim_exponential(const gsl_rng *r, double mu)
{
    double u = r->type->get_double(r->state);     /* gsl_rng_uniform */
    return -mu * log1p(-u);
}

/* A lognormal draw, exp(sigma N + zeta) with N standard normal: exactly
 * GSL 2.7's gsl_ran_lognormal (randist/lognormal.c: N by the polar
 * Box-Muller method from pairs of gsl_rng_uniform in the unit circle),
 * inline for the same reason; a case's duration is usually one.  Same
 * bits: the expressions are GSL's, and ISO C mode (-std=c11) keeps GCC
 * from fusing them into FMAs (-ffp-contract=off).  test_sim checks it
 * against gsl_ran_lognormal draw by draw. */
static inline double sim_lognormal(const gsl_rng *r, double zeta, double sigma)
{
    double u, v, r2;
    do {
        u = -1 + 2 * r->type->get_double(r->state);
        v = -1 + 2 * r->type->get_double(r->state);
        r2 = u * u + v * v;
    } while (r2 > 1.0 || r2 == 0);
    double normal = u * sqrt(-2.0 * log(r2) / r2);
    return exp(sigma * normal + zeta);
}

/* ------------------------------------------------------------------ */
/* Collectors                                                           */
/* ------------------------------------------------------------------ */
/* Observation tally: count, sum, min and max. */
typedef struct sim_tally {
    uint64_t n;
    double sum, min, max;
} sim_tally;

void sim_tally_reset(sim_tally *t);
double sim_tally_mean(const sim_tally *t);   /* NaN when empty */

/* Time-weighted average of a piecewise-constant quantity (queue length,
 * open cases, slots).  No maximum: most are never asked for one, and the
 * owner of one that is keeps it where only increases can change it. */
typedef struct sim_timeavg {
    double t0, last_t, value, area;
} sim_timeavg;

void sim_timeavg_init(sim_timeavg *a, double t, double value);
/* Forgets the history before t (end of warm-up), keeping the value. */
void sim_timeavg_restart(sim_timeavg *a, double t);
/* Average over [t0, t]; the current value when t == t0. */
double sim_timeavg_mean(const sim_timeavg *a, double t);

/* Bounded-memory quantiles of non-negative values: a log-linear histogram
 * (the layout of HdrHistogram, Tene 2012): each power of two from
 * 2^SIM_QH_MIN_EXP to 2^SIM_QH_MAX_EXP is split into 2^SIM_QH_SUB_BITS
 * equal buckets, values below the range go to an exact-zero bucket, values
 * above to an overflow bucket.  A quantile is reported as the midpoint of
 * the bucket holding the order statistic x_(ceil(q n)), so its relative
 * error is at most 2^-(SIM_QH_SUB_BITS+1) = 0.78 % for values in range.
 * Why not GSL's rstat P^2 estimator: it keeps 5 markers and has no error
 * bound (Jain & Chlamtac 1985); waits have an atom at 0 and a heavy tail.
 * Memory is fixed (SIM_QH_BUCKETS counters) whatever the number of values. */
#define SIM_QH_SUB_BITS 6
#define SIM_QH_MIN_EXP (-14)           /* 2^-14 days ~ 5 seconds */
#define SIM_QH_MAX_EXP 18              /* 2^18 days ~ 718 years */
#define SIM_QH_LOW 0x1p-14               /* 2^SIM_QH_MIN_EXP */
#define SIM_QH_HIGH 0x1p18               /* 2^SIM_QH_MAX_EXP */
#define SIM_QH_OCTAVES ((SIM_QH_MAX_EXP) - (SIM_QH_MIN_EXP))
#define SIM_QH_BUCKETS ((SIM_QH_OCTAVES) << SIM_QH_SUB_BITS)

/* octave[o] is the sum of the octave's 2^SIM_QH_SUB_BITS counts, so a
 * quantile skips whole octaves and a clear touches only those in use. */
typedef struct sim_qhist {
    uint64_t n, zero, over;
    double max;
    uint64_t octave[SIM_QH_OCTAVES];
    uint32_t count[SIM_QH_BUCKETS];
} sim_qhist;

/* Empties h, whatever its memory held. */
void sim_qhist_reset(sim_qhist *h);
/* Empties a histogram that was reset before, clearing only the octaves in
 * use (a replication's groups are emptied in time proportional to the
 * waits' spread, not to the histogram's size). */
void sim_qhist_clear(sim_qhist *h);
/* Returns the q-quantile (0 < q <= 1) of the values added; NaN when empty. */
double sim_qhist_quantile(const sim_qhist *h, double q);
/* The same for each q[i] into out[i], i < n. */
void sim_qhist_quantiles(const sim_qhist *h, const double *q, size_t n, double *out);

/* ---- the hot updates, inline (they run several times per case) ---- */

static inline void sim_tally_add(sim_tally *t, double x)
{
    t->n++;
    t->sum += x;
    if (x < t->min) t->min = x;
    if (x > t->max) t->max = x;
}

/* The quantity changes to `value` at time t (>= last change), unchecked:
 * for a caller whose t is a kernel's clock, which never goes back (its
 * own assertion), and whose last change was at that clock too. */
static inline void sim_timeavg_step(sim_timeavg *a, double t, double value)
{
    a->area += a->value * (t - a->last_t);
    a->last_t = t;
    a->value = value;
}

/* The quantity changes to `value` at time t (>= last change, asserted). */
static inline void sim_timeavg_set(sim_timeavg *a, double t, double value)
{
    SIM_ASSERT(t >= a->last_t);
    sim_timeavg_step(a, t, value);
}

/* Bucket index of x in range, read straight from its IEEE 754 bits: the
 * biased exponent gives the octave and the top SIM_QH_SUB_BITS bits of the
 * mantissa the bucket in it (the layout is exactly the histogram's). */
static inline int sim_qhist_bucket(double x)
{
    uint64_t bits;
    memcpy(&bits, &x, sizeof bits);
    return (int)((bits >> (52 - SIM_QH_SUB_BITS)) -
                 ((uint64_t)(1023 + SIM_QH_MIN_EXP) << SIM_QH_SUB_BITS));
}

/* The cell of x: its bucket, or one of these.  A value that goes into
 * several histograms has its cell found once (sim_qhist_add_cell). */
enum { SIM_QH_CELL_ZERO = -1, SIM_QH_CELL_OVER = -2 };

static inline int sim_qhist_cell(double x)
{
    if (!(x >= SIM_QH_LOW)) return SIM_QH_CELL_ZERO;   /* below range (or 0) */
    if (x >= SIM_QH_HIGH) return SIM_QH_CELL_OVER;
    return sim_qhist_bucket(x);
}

/* Adds x, whose cell is sim_qhist_cell(x). */
static inline void sim_qhist_add_cell(sim_qhist *h, int cell, double x)
{
    h->n++;
    if (x > h->max) h->max = x;
    if (cell >= 0) {
        SIM_ASSERT(h->count[cell] < UINT32_MAX);
        h->count[cell]++;
        h->octave[cell >> SIM_QH_SUB_BITS]++;
    } else if (cell == SIM_QH_CELL_ZERO) {
        h->zero++;
    } else {
        h->over++;
    }
}

static inline void sim_qhist_add(sim_qhist *h, double x)
{
    sim_qhist_add_cell(h, sim_qhist_cell(x), x);
}

/* ------------------------------------------------------------------ */
/* Kernel internals (sim_k_): the common paths, inline                  */
/* ------------------------------------------------------------------ */
/* The kernel's state is laid out here only so that the common paths of
 * sim_schedule and sim_next (a heap of a few entries: two schedules and
 * two pops per case, most of a run) inline into the caller's event loop;
 * nothing outside kernel.c reads or writes it.  Its invariants are stated
 * at the top of kernel.c; every entry of the heap's array past the last
 * event is a sentinel, later than any event, so a sift-down never asks
 * whether a child exists. */
#define SIM_K_ID_BITS 24
#define SIM_K_SEQ_BITS 36
#define SIM_K_NONE UINT32_MAX
#define SIM_K_CANCELLED UINT32_MAX   /* the type of a cancelled event */

#define SIM_K_NO_NODE ((1u << SIM_K_ID_BITS) - 1)   /* id of a posted event */

/* A heap entry: the event's time as the bits of a double >= +0, which
 * order as the times do (IEEE 754: sign 0, then exponent, then mantissa),
 * and ord; (key, ord) compares as one 128-bit number.  The event's type
 * and argument travel with it.  An event of sim_schedule has a node
 * (its id in ord), where a cancellation marks it; one of sim_post has
 * none while it is in the heap (id SIM_K_NO_NODE). */
typedef struct sim_k_entry {
    uint64_t key;           /* bits of the time (-0 made +0) */
    uint64_t ord;           /* class | sequence | node id */
    uint32_t type, arg;
} sim_k_entry;

/* One scheduled event of sim_schedule, or any event while it is in a
 * bucket.  ord and vb are kept while it is in a bucket (in the heap, its
 * entry has them; a posted event's ord keeps the id SIM_K_NO_NODE, and its
 * node is released when it moves into the heap).  A handle is live while
 * its gen is the node's; a cancelled event, until it is dropped, has type
 * SIM_K_CANCELLED. */
typedef struct sim_k_node {
    double time;            /* exactly as scheduled */
    uint64_t ord;
    uint64_t vb;            /* virtual bucket of time */
    uint32_t type, arg;
    uint32_t next;          /* next in its bucket, or in the free list */
    uint32_t gen;           /* moves on when the event leaves */
} sim_k_node;

struct sim_kernel {
    sim_k_entry *heap;      /* the near future: n entries, then sentinels */
    size_t n, cap;          /* 2 cap + 2 entries allocated */
    int hole;               /* heap[0] was popped and not yet refilled */
    uint32_t *bucket;       /* the far future: list heads, NONE when empty */
    size_t nb, mask, n_far; /* buckets (a power of two); nodes in them */
    double width, inv_width;/* days per bucket */
    uint64_t edge;          /* first virtual bucket not in the heap */
    size_t grow_at, shrink_at;
    uint64_t steps;         /* bucket steps since the last rebuild, */
    uint64_t rebuilt_at;    /* which came after this many events */
    sim_k_node *nodes;
    uint32_t n_nodes, node_cap, free_head;
    size_t cancelled;       /* cancelled nodes still in the heap or buckets */
    uint64_t seq;           /* the next insertion sequence << SIM_K_ID_BITS */
    uint64_t dropped;       /* cancelled nodes dropped: every event scheduled
                             * is pending, cancelled, dropped or processed */
    double now;
};

/* The slow paths, in kernel.c. */
uint32_t sim_k_grow_nodes(sim_kernel *k);
void sim_k_file_slow(sim_kernel *k, uint32_t id, sim_k_entry e);
void sim_k_post_slow(sim_kernel *k, sim_k_entry e);
/* Returns the next event by value (its type SIM_K_CANCELLED when there is
 * none), so that sim_next's caller can keep its event in registers. */
sim_event sim_k_next_slow(sim_kernel *k);

static const sim_k_entry sim_k_sentinel = { UINT64_MAX, UINT64_MAX, 0, 0 };

/* The key of a time >= 0 (NaN is excluded by sim_schedule's assertion). */
static inline uint64_t sim_k_key(double time)
{
    double t = time + 0.0;              /* -0 + +0 = +0 */
    uint64_t bits;
    memcpy(&bits, &t, sizeof bits);
    return bits;
}

/* Is a before b?  With a 128-bit integer type the pair compares as one
 * number, without branches (a compare and a subtract-with-borrow). */
static inline int sim_k_before(const sim_k_entry *a, const sim_k_entry *b)
{
#if defined(__SIZEOF_INT128__)
    __extension__ typedef unsigned __int128 u128;
    return ((u128)a->key << 64 | a->ord) < ((u128)b->key << 64 | b->ord);
#else
    return a->key < b->key || (a->key == b->key && a->ord < b->ord);
#endif
}

/* Drops e into the vacancy at i of the heap h.  The children of an entry
 * (h + 2i + 1 and the next) are always allocated, and sentinels past the
 * last event, so the only test is whether the smaller child goes before
 * e.  Pointers, not indices: the first child of p is p + (p - h) + 1. */
static inline void sim_k_sift_down(sim_k_entry *h, size_t i, sim_k_entry e)
{
    sim_k_entry *p = h + i;
    for (;;) {
        sim_k_entry *c = (sim_k_entry *)((char *)p + ((char *)p - (char *)h)) + 1;
        c += sim_k_before(c + 1, c);
        if (!sim_k_before(c, &e)) break;
        *p = *c;
        p = c;
    }
    *p = e;
}

/* Puts e into the vacancy at i (the new end of the heap) and sifts it up. */
static inline void sim_k_sift_up(sim_k_entry *h, size_t i, sim_k_entry e)
{
    while (i > 0) {
        size_t p = (i - 1) / 2;
        if (!sim_k_before(&e, &h[p])) break;
        h[i] = h[p];
        i = p;
    }
    h[i] = e;
}

/* Virtual bucket of a time >= 0: floor(t / width), capped (monotone). */
static inline uint64_t sim_k_vbucket(const sim_kernel *k, double t)
{
    double x = t * k->inv_width;
    return (uint64_t)(int64_t)(x < 0x1p62 ? x : 0x1p62);
}

/* Refills a vacant root with the last entry. */
static inline void sim_k_fill_hole(sim_kernel *k)
{
    k->hole = 0;
    sim_k_entry last = k->heap[--k->n];
    k->heap[k->n] = sim_k_sentinel;
    if (k->n > 0) sim_k_sift_down(k->heap, 0, last);
}

/* The heap entry of a new event (node id, or SIM_K_NO_NODE when posted),
 * checking the clock and the limits; the sequence moves on. */
static inline sim_k_entry sim_k_enter(sim_kernel *k, double time, unsigned cls,
                                      uint32_t type, uint32_t arg, uint32_t id)
{
    SIM_ASSERT(time >= k->now);          /* the clock never goes back */
    SIM_ASSERT(cls < 16 && type != SIM_K_CANCELLED &&
               k->seq < ((uint64_t)1 << (SIM_K_SEQ_BITS + SIM_K_ID_BITS)));
    sim_k_entry e = { sim_k_key(time), (uint64_t)cls << (SIM_K_SEQ_BITS + SIM_K_ID_BITS)
                            | k->seq | id, type, arg };
    k->seq += (uint64_t)1 << SIM_K_ID_BITS;
    return e;
}

/* Takes a node off the free list (growing the pool when it is empty). */
static inline uint32_t sim_k_take_node(sim_kernel *k)
{
    uint32_t id = k->free_head;
    if (id == SIM_K_NONE) id = sim_k_grow_nodes(k);
    k->free_head = k->nodes[id].next;
    return id;
}

/* Node nd holds the posted event e while it is filed in a bucket: its
 * time as the key gives it (time + 0.0), its type and argument. */
static inline void sim_k_hold(sim_k_node *nd, sim_k_entry e)
{
    memcpy(&nd->time, &e.key, sizeof nd->time);
    nd->type = e.type;
    nd->arg = e.arg;
}

/* Files node nd (id), holding an event of order ord, in the bucket of
 * virtual bucket vb: the far future while the calendar needs no growing. */
static inline void sim_k_bucket_in(sim_kernel *k, sim_k_node *nd, uint32_t id,
                                   uint64_t ord, uint64_t vb)
{
    nd->ord = ord;
    nd->vb = vb;
    nd->next = k->bucket[vb & k->mask];
    k->bucket[vb & k->mask] = id;
    k->n_far++;
}

/* Files e in the heap when there is a place for it without growing:
 * the vacant root (the common case), else the end.  Returns 0 when the
 * caller's slow path must grow the heap or rebuild. */
static inline int sim_k_heap_in(sim_kernel *k, sim_k_entry e)
{
    if (k->hole) {
        k->hole = 0;
        sim_k_sift_down(k->heap, 0, e);
        return 1;
    }
    if (k->n < k->cap && k->n + k->n_far < k->grow_at) {
        sim_k_sift_up(k->heap, k->n++, e);
        return 1;
    }
    return 0;
}

SIM_INLINE sim_handle sim_schedule(sim_kernel *k, double time, unsigned cls,
                                   uint32_t type, uint32_t arg)
{
    /* sim_k_take_node's steps, the free list moved on after the entry is
     * made: so ordered, the event loop it is inlined into keeps 8 fewer
     * instructions per M/M/c customer (callgrind) */
    uint32_t id = k->free_head;
    if (id == SIM_K_NONE) id = sim_k_grow_nodes(k);
    sim_k_node *nd = &k->nodes[id];
    sim_k_entry e = sim_k_enter(k, time, cls, type, arg, id);
    k->free_head = nd->next;
    nd->type = type;
    nd->arg = arg;
    nd->time = time;
    uint64_t vb;
    if (k->edge != UINT64_MAX && (vb = sim_k_vbucket(k, time)) >= k->edge) {
        if (k->n + k->n_far < k->grow_at) sim_k_bucket_in(k, nd, id, e.ord, vb);
        else sim_k_file_slow(k, id, e);  /* and the calendar grows */
    } else if (!sim_k_heap_in(k, e)) {
        sim_k_file_slow(k, id, e);       /* grows the heap, or rebuilds */
    }
    /* k->nodes, not nd: a rebuild may have grown (moved) the pool, to
     * give posted events their nodes while it refiles them */
    return ((uint64_t)k->nodes[id].gen << 32) | (uint64_t)(id + 1);
}

SIM_INLINE void sim_post(sim_kernel *k, double time, unsigned cls,
                         uint32_t type, uint32_t arg)
{
    sim_k_entry e = sim_k_enter(k, time, cls, type, arg, SIM_K_NO_NODE);
    uint64_t vb;
    if (k->edge != UINT64_MAX && (vb = sim_k_vbucket(k, time)) >= k->edge) {
        uint32_t id = k->free_head;      /* the far future: a node, in its bucket */
        if (id != SIM_K_NONE && k->n + k->n_far < k->grow_at) {
            sim_k_node *nd = &k->nodes[id];
            k->free_head = nd->next;
            sim_k_hold(nd, e);
            sim_k_bucket_in(k, nd, id, e.ord, vb);
        } else {
            sim_k_post_slow(k, e); /* new nodes, or the calendar grows */
        }
    } else if (!sim_k_heap_in(k, e)) {
        sim_k_post_slow(k, e);     /* grows the heap, or rebuilds */
    }
}

SIM_INLINE int sim_next(sim_kernel *k, sim_event *ev)
{
    if (k->hole) sim_k_fill_hole(k);
    if (k->n == 0) goto slow;
    const sim_k_entry *top = &k->heap[0];
    uint32_t id = (uint32_t)(top->ord & SIM_K_NO_NODE);
    if (id == SIM_K_NO_NODE) {           /* posted: all of it is in the entry */
        memcpy(&ev->time, &top->key, sizeof ev->time);
    } else {                             /* a node: unless cancelled, released */
        sim_k_node *e = &k->nodes[id];
        if (e->type == SIM_K_CANCELLED) goto slow;
        ev->time = e->time;
        e->gen++;
        e->next = k->free_head;
        k->free_head = id;
    }
    k->hole = 1;                 /* refilled lazily: see kernel.c */
    k->now = ev->time;
    ev->type = top->type;
    ev->arg = top->arg;
    return 1;
slow:
    *ev = sim_k_next_slow(k);
    return ev->type != SIM_K_CANCELLED;
}

static inline double sim_now(const sim_kernel *k) { return k->now; }
static inline size_t sim_pending(const sim_kernel *k)
{
    return k->n - (size_t)k->hole + k->n_far - k->cancelled;
}
static inline uint64_t sim_events_processed(const sim_kernel *k)
{
    return (k->seq >> SIM_K_ID_BITS) - sim_pending(k) - k->cancelled - k->dropped;
}

#endif
