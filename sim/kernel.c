/*
 * kernel.c — the clock and the event queue (sim_kernel).
 *
 * Invariant: `heap` is a binary min-heap on (time, ord) where ord packs the
 * priority class (top 4 bits) above a 36-bit insertion sequence above the
 * 24-bit slot, so ties in time break by class, then by order of scheduling
 * (the slot never decides: sequences are unique).  16-byte entries keep a
 * cache line to four of them.  slot[s].pos is the index of slot s's entry
 * in the heap (SLOT_FREE when s is on the free list).  Handles are
 * (generation << 32 | slot + 1): a stale handle is detected.
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

#define SLOT_FREE UINT32_MAX

#define SLOT_BITS 24
#define SEQ_BITS 36
#define SLOT_OF(ord) ((uint32_t)((ord) & ((1u << SLOT_BITS) - 1)))

typedef struct entry {
    double time;
    uint64_t ord;      /* class | sequence | slot */
} entry;

typedef struct slot {
    uint32_t type, arg;
    uint32_t pos;      /* heap index, or SLOT_FREE */
    uint32_t gen;      /* bumped on every release; free-list link in arg */
} slot;

struct sim_kernel {
    entry *heap;
    size_t n, cap;
    slot *slots;
    uint32_t nslots, free_head;
    uint64_t seq, processed;
    double now;
    int hole;          /* heap[0] was popped and not yet refilled */
};

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

sim_kernel *sim_kernel_new(size_t capacity_hint)
{
    sim_kernel *k = sim_xcalloc(1, sizeof *k);
    k->cap = capacity_hint < 16 ? 16 : capacity_hint;
    k->heap = sim_xmalloc(k->cap * sizeof *k->heap);
    k->slots = sim_xmalloc(k->cap * sizeof *k->slots);
    k->free_head = SLOT_FREE;
    return k;
}

void sim_kernel_free(sim_kernel *k)
{
    if (!k) return;
    free(k->heap);
    free(k->slots);
    free(k);
}

void sim_kernel_reset(sim_kernel *k)
{
    /* Every slot goes back on the free list, generations move on so that
     * handles from the previous run are stale. */
    k->free_head = SLOT_FREE;
    for (uint32_t s = k->nslots; s-- > 0;) {
        k->slots[s].pos = SLOT_FREE;
        k->slots[s].gen++;
        k->slots[s].arg = k->free_head;
        k->free_head = s;
    }
    k->n = 0;
    k->hole = 0;
    k->seq = 0;
    k->processed = 0;
    k->now = 0.0;
}

static inline int before(const entry *a, const entry *b)
{
    return a->time < b->time || (a->time == b->time && a->ord < b->ord);
}

static inline void place(sim_kernel *k, size_t i, entry e)
{
    k->heap[i] = e;
    k->slots[SLOT_OF(e.ord)].pos = (uint32_t)i;
}

static void sift_up(sim_kernel *k, size_t i, entry e)
{
    while (i > 0) {
        size_t p = (i - 1) / 2;
        if (!before(&e, &k->heap[p])) break;
        place(k, i, k->heap[p]);
        i = p;
    }
    place(k, i, e);
}

static void sift_down(sim_kernel *k, size_t i, entry e)
{
    for (;;) {
        size_t c = 2 * i + 1;
        if (c >= k->n) break;
        if (c + 1 < k->n && before(&k->heap[c + 1], &k->heap[c])) c++;
        if (!before(&k->heap[c], &e)) break;
        place(k, i, k->heap[c]);
        i = c;
    }
    place(k, i, e);
}

static uint32_t take_slot(sim_kernel *k)
{
    if (k->free_head != SLOT_FREE) {
        uint32_t s = k->free_head;
        k->free_head = k->slots[s].arg;
        return s;
    }
    if (k->nslots == k->cap || k->n == k->cap) {
        k->cap *= 2;
        k->heap = sim_xrealloc(k->heap, k->cap * sizeof *k->heap);
        k->slots = sim_xrealloc(k->slots, k->cap * sizeof *k->slots);
    }
    SIM_ASSERT(k->nslots < (1u << SLOT_BITS) - 1);   /* 16.7 M pending events */
    k->slots[k->nslots].gen = 1;
    return k->nslots++;
}

static void release_slot(sim_kernel *k, uint32_t s)
{
    k->slots[s].pos = SLOT_FREE;
    k->slots[s].gen++;
    k->slots[s].arg = k->free_head;
    k->free_head = s;
}

sim_handle sim_schedule(sim_kernel *k, double time, unsigned cls,
                        uint32_t type, uint32_t arg)
{
    SIM_ASSERT(time >= k->now);          /* the clock never goes back */
    SIM_ASSERT(!isnan(time));
    SIM_ASSERT(cls < 16);
    SIM_ASSERT(k->seq < ((uint64_t)1 << SEQ_BITS));
    uint32_t s = take_slot(k);
    k->slots[s].type = type;
    k->slots[s].arg = arg;
    entry e = { time, ((uint64_t)cls << (SEQ_BITS + SLOT_BITS)) |
                      (k->seq++ << SLOT_BITS) | s };
    if (k->hole) {
        k->hole = 0;
        sift_down(k, 0, e);
    } else {
        sift_up(k, k->n++, e);
    }
    return ((uint64_t)k->slots[s].gen << 32) | (uint64_t)(s + 1);
}

/* Refills a vacant root with the last entry. */
static void fill_hole(sim_kernel *k)
{
    k->hole = 0;
    entry last = k->heap[--k->n];
    if (k->n > 0) sift_down(k, 0, last);
}

void sim_cancel(sim_kernel *k, sim_handle h)
{
    if (k->hole) fill_hole(k);
    uint32_t s = (uint32_t)(h & 0xffffffffu) - 1;
    SIM_ASSERT(h != 0 && s < k->nslots);
    SIM_ASSERT(k->slots[s].gen == (uint32_t)(h >> 32));   /* live handle */
    SIM_ASSERT(k->slots[s].pos != SLOT_FREE);
    size_t i = k->slots[s].pos;
    entry last = k->heap[--k->n];
    release_slot(k, s);
    if (i == k->n) return;
    if (i > 0 && before(&last, &k->heap[(i - 1) / 2]))
        sift_up(k, i, last);
    else
        sift_down(k, i, last);
}

int sim_next(sim_kernel *k, sim_event *ev)
{
    if (k->hole) fill_hole(k);
    if (k->n == 0) return 0;
    entry top = k->heap[0];
    ev->time = top.time;
    uint32_t s = SLOT_OF(top.ord);
    ev->type = k->slots[s].type;
    ev->arg = k->slots[s].arg;
    release_slot(k, s);
    k->hole = 1;                 /* refilled lazily: see the invariant */
    k->now = top.time;
    k->processed++;
    return 1;
}

double sim_now(const sim_kernel *k) { return k->now; }
size_t sim_pending(const sim_kernel *k) { return k->n - (size_t)k->hole; }
uint64_t sim_events_processed(const sim_kernel *k) { return k->processed; }
