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
 * lower runs first among equal times).  Returns its handle.  At most 2^36
 * events per run and 2^24 pending at once (asserted). */
sim_handle sim_schedule(sim_kernel *k, double time, unsigned cls,
                        uint32_t type, uint32_t arg);
/* Removes a scheduled event; the handle must be live. */
void sim_cancel(sim_kernel *k, sim_handle h);
/* Pops the next event into *ev and advances the clock to its time.
 * Returns 0 when the queue is empty. */
int sim_next(sim_kernel *k, sim_event *ev);
double sim_now(const sim_kernel *k);
size_t sim_pending(const sim_kernel *k);
uint64_t sim_events_processed(const sim_kernel *k);

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
/* Re-seeds an existing generator. */
void sim_rng_seed(gsl_rng *r, uint64_t seed);
/* Looks up a GSL generator by name ("mt19937", "ranlxd2", ...); NULL when
 * GSL has no generator of that name. */
const gsl_rng_type *sim_rng_type(const char *name);

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
 * open cases, slots). */
typedef struct sim_timeavg {
    double t0, last_t, value, area, max;
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

/* The quantity changes to `value` at time t (>= last change). */
static inline void sim_timeavg_set(sim_timeavg *a, double t, double value)
{
    SIM_ASSERT(t >= a->last_t);
    a->area += a->value * (t - a->last_t);
    a->last_t = t;
    a->value = value;
    if (value > a->max) a->max = value;
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

#endif
