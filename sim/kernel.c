/*
 * kernel.c — the clock and the event queue (sim_kernel).
 *
 * Invariant: `heap[0..n)` is a binary min-heap on (time, ord), where ord
 * packs the priority class (top 4 bits) above a 36-bit insertion sequence
 * above the 24-bit slot, so ties in time break by class, then by order of
 * scheduling (the slot never decides: sequences are unique).  Entries are
 * 16 bytes, four to a cache line.  slot[s] holds the event's type and
 * argument, a generation (bumped on every release, so a stale handle is
 * caught) and its state.
 *
 * Cancellation is lazy: a cancelled event stays in the heap, marked, and is
 * dropped when it reaches the top, so sifting never has to track where an
 * entry is.  When cancelled entries outnumber live ones (and there are more
 * than a few), the heap is rebuilt without them (Floyd 1964, O(n)), so
 * memory stays proportional to the live events.
 *
 * While `hole` is set, heap[0] is vacant: sim_next leaves the root empty so
 * that the first event the handler schedules drops into it with one
 * sift-down instead of a pop's sift-down plus a push's sift-up (the
 * "replace-top" of Knuth, TAOCP vol. 3, §5.2.3).
 */
#include "sim.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define SLOT_BITS 24
#define SEQ_BITS 36
#define SLOT_OF(ord) ((uint32_t)((ord) & ((1u << SLOT_BITS) - 1)))
#define COMPACT_MIN 256

enum { SLOT_FREE, SLOT_PENDING, SLOT_CANCELLED };

typedef struct entry {
    double time;
    uint64_t ord;      /* class | sequence | slot */
} entry;

typedef struct slot {
    uint32_t type, arg;    /* arg doubles as the free-list link */
    uint32_t gen;
    uint32_t state;
} slot;

struct sim_kernel {
    entry *heap;
    size_t n, cap, cancelled;
    slot *slots;
    uint32_t nslots, slot_cap, free_head;
    uint64_t seq, processed;
    double now;
    int hole;          /* heap[0] was popped and not yet refilled */
};

/* ------------------------------------------------------------------ */
/* Failure and allocation                                               */
/* ------------------------------------------------------------------ */

void sim_fail(const char *file, int line, const char *what)
{
    fprintf(stderr, "kimsim: internal error at %s:%d: %s\n", file, line, what);
    abort();
}

static void out_of_memory(size_t n)
{
    fprintf(stderr, "kimsim: out of memory (%zu bytes)\n", n);
    abort();
}

void *sim_xmalloc(size_t n)
{
    void *p = malloc(n ? n : 1);
    if (!p) out_of_memory(n);
    return p;
}

void *sim_xcalloc(size_t n, size_t size)
{
    void *p = calloc(n ? n : 1, size ? size : 1);
    if (!p) out_of_memory(n * size);
    return p;
}

void *sim_xrealloc(void *p, size_t n)
{
    void *q = realloc(p, n ? n : 1);
    if (!q) out_of_memory(n);
    return q;
}

char *sim_xstrdup(const char *s)
{
    size_t n = strlen(s) + 1;
    return memcpy(sim_xmalloc(n), s, n);
}

/* ------------------------------------------------------------------ */
/* Kernel                                                               */
/* ------------------------------------------------------------------ */

sim_kernel *sim_kernel_new(size_t capacity_hint)
{
    sim_kernel *k = sim_xcalloc(1, sizeof *k);
    k->cap = k->slot_cap = capacity_hint < 16 ? 16 : (uint32_t)capacity_hint;
    k->heap = sim_xmalloc(k->cap * sizeof *k->heap);
    k->slots = sim_xmalloc(k->slot_cap * sizeof *k->slots);
    k->free_head = UINT32_MAX;
    return k;
}

void sim_kernel_free(sim_kernel *k)
{
    if (!k) return;
    free(k->heap);
    free(k->slots);
    free(k);
}

static void release_slot(sim_kernel *k, uint32_t s)
{
    k->slots[s].state = SLOT_FREE;
    k->slots[s].gen++;
    k->slots[s].arg = k->free_head;
    k->free_head = s;
}

void sim_kernel_reset(sim_kernel *k)
{
    /* every slot back on the free list; generations move on, so handles
     * from the previous run are stale */
    k->free_head = UINT32_MAX;
    for (uint32_t s = k->nslots; s-- > 0;) release_slot(k, s);
    k->n = k->cancelled = 0;
    k->hole = 0;
    k->seq = k->processed = 0;
    k->now = 0.0;
}

static inline int before(const entry *a, const entry *b)
{
    return a->time < b->time || (a->time == b->time && a->ord < b->ord);
}

static void sift_up(entry *h, size_t i, entry e)
{
    while (i > 0) {
        size_t p = (i - 1) / 2;
        if (!before(&e, &h[p])) break;
        h[i] = h[p];
        i = p;
    }
    h[i] = e;
}

static void sift_down(entry *h, size_t n, size_t i, entry e)
{
    for (;;) {
        size_t c = 2 * i + 1;
        if (c >= n) break;
        if (c + 1 < n && before(&h[c + 1], &h[c])) c++;
        if (!before(&h[c], &e)) break;
        h[i] = h[c];
        i = c;
    }
    h[i] = e;
}

static uint32_t take_slot(sim_kernel *k)
{
    if (k->free_head != UINT32_MAX) {
        uint32_t s = k->free_head;
        k->free_head = k->slots[s].arg;
        return s;
    }
    if (k->nslots == k->slot_cap) {
        k->slot_cap *= 2;
        k->slots = sim_xrealloc(k->slots, k->slot_cap * sizeof *k->slots);
    }
    SIM_ASSERT(k->nslots < (1u << SLOT_BITS) - 1);   /* 16.7 M pending events */
    k->slots[k->nslots].gen = 1;
    return k->nslots++;
}

/* Refills a vacant root with the last entry. */
static void fill_hole(sim_kernel *k)
{
    k->hole = 0;
    entry last = k->heap[--k->n];
    if (k->n > 0) sift_down(k->heap, k->n, 0, last);
}

sim_handle sim_schedule(sim_kernel *k, double time, unsigned cls,
                        uint32_t type, uint32_t arg)
{
    SIM_ASSERT(time >= k->now);          /* the clock never goes back */
    SIM_ASSERT(cls < 16 && k->seq < ((uint64_t)1 << SEQ_BITS));
    uint32_t s = take_slot(k);
    slot *sl = &k->slots[s];
    sl->type = type;
    sl->arg = arg;
    sl->state = SLOT_PENDING;
    entry e = { time, ((uint64_t)cls << (SEQ_BITS + SLOT_BITS)) |
                      (k->seq++ << SLOT_BITS) | s };
    if (k->hole) {
        k->hole = 0;
        sift_down(k->heap, k->n, 0, e);
    } else {
        if (k->n == k->cap) {
            k->cap *= 2;
            k->heap = sim_xrealloc(k->heap, k->cap * sizeof *k->heap);
        }
        sift_up(k->heap, k->n++, e);
    }
    return ((uint64_t)sl->gen << 32) | (uint64_t)(s + 1);
}

/* Drops cancelled entries and re-heapifies (Floyd's bottom-up build). */
static void compact(sim_kernel *k)
{
    if (k->hole) fill_hole(k);
    size_t j = 0;
    for (size_t i = 0; i < k->n; i++) {
        uint32_t s = SLOT_OF(k->heap[i].ord);
        if (k->slots[s].state == SLOT_CANCELLED) release_slot(k, s);
        else k->heap[j++] = k->heap[i];
    }
    k->n = j;
    k->cancelled = 0;
    for (size_t i = k->n / 2; i-- > 0;) sift_down(k->heap, k->n, i, k->heap[i]);
}

void sim_cancel(sim_kernel *k, sim_handle h)
{
    uint32_t s = (uint32_t)(h & 0xffffffffu) - 1;
    SIM_ASSERT(h != 0 && s < k->nslots);
    SIM_ASSERT(k->slots[s].gen == (uint32_t)(h >> 32));   /* live handle */
    SIM_ASSERT(k->slots[s].state == SLOT_PENDING);        /* not twice */
    k->slots[s].state = SLOT_CANCELLED;
    k->cancelled++;
    if (k->cancelled > COMPACT_MIN && 2 * k->cancelled > k->n) compact(k);
}

int sim_next(sim_kernel *k, sim_event *ev)
{
    for (;;) {
        if (k->hole) fill_hole(k);
        if (k->n == 0) return 0;
        entry top = k->heap[0];
        uint32_t s = SLOT_OF(top.ord);
        slot *sl = &k->slots[s];
        k->hole = 1;                 /* refilled lazily: see the invariant */
        if (sl->state == SLOT_CANCELLED) {
            k->cancelled--;
            release_slot(k, s);
            continue;
        }
        ev->time = top.time;
        ev->type = sl->type;
        ev->arg = sl->arg;
        release_slot(k, s);
        k->now = top.time;
        k->processed++;
        return 1;
    }
}

double sim_now(const sim_kernel *k) { return k->now; }
size_t sim_pending(const sim_kernel *k) { return k->n - (size_t)k->hole - k->cancelled; }
uint64_t sim_events_processed(const sim_kernel *k) { return k->processed; }
