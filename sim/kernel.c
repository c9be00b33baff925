/*
 * kernel.c — the clock and the event queue (sim_kernel).
 *
 * The queue has two levels.  Events of the near future wait in a binary
 * min-heap; later ones lie, unsorted, in the buckets of a calendar (Brown
 * 1988, "Calendar queues: a fast O(1) priority queue implementation for
 * the simulation event set problem", CACM 31(10)) and move into the heap a
 * bucket at a time when the heap runs dry, like the unsorted rungs of a
 * ladder queue (Tang, Goh & Thng 2005, "Ladder queue: an O(1) priority
 * queue structure for large-scale discrete event simulation", ACM TOMACS
 * 15(3)).  So a deep queue (a state's tens of thousands of open cases)
 * costs O(1) per event instead of a sift through log2 n levels.  Buckets
 * are never sorted: events at one instant, however many, meet only in the
 * heap, at O(log n) each (a sorted-bucket calendar walks the whole run of
 * them on every insertion).  A queue of fewer than 2 MIN_BUCKETS events is
 * a plain heap.
 *
 * Invariants:
 *  - an event at time t lies in virtual bucket vb(t) = floor(t / width),
 *    monotone in t.  The heap holds exactly the pending events with
 *    vb < edge (all of them while edge == UINT64_MAX), bucket vb mod nb the
 *    others, so every heap event comes before every bucket event;
 *  - heap[0..n) is a min-heap on (time, ord) (the time as the bits of its
 *    double: see sim_k_entry), ord packing the priority
 *    class (top 4 bits) above a 36-bit insertion sequence above the 24-bit
 *    node id: ties in time break by class, then by order of scheduling.
 *    Keys are unique, so the order events leave in never depends on the
 *    layout (heap shape, width, bucket count);
 *  - heap[n .. 2 cap + 2) are sentinels later than any event, so the
 *    children of every heap entry exist and a sift-down needs no test for
 *    a missing one (the heap holds at most cap events);
 *  - while `hole` is set, heap[0] is vacant: sim_next leaves the root empty
 *    so that the event a handler schedules next drops into it with one
 *    sift-down ("replace-top", Knuth, TAOCP vol. 3, §5.2.3);
 *  - cancellation is lazy: a cancelled node stays where it is, marked, and
 *    is dropped when it reaches the top of the heap or leaves its bucket;
 *    when cancelled nodes outnumber live ones a rebuild drops them all, so
 *    memory stays proportional to the live events;
 *  - the calendar is rebuilt (O(n)) when n grows past 2 nb or falls below
 *    nb / 4, or when finding buckets took more than about four steps per
 *    event since the last rebuild, and at least nb events ago: then nb is
 *    the power of two >= n and the width eight times the mean gap between
 *    the earliest events, gaps over twice the first mean left out (Brown's
 *    rule, with 8 for his 3: a bucket empties into a heap, where a few more
 *    events cost a level of sifting but save a refill each).  Rebuilds come O(n) events apart, so they cost O(1) per event.
 *
 *  - an event of sim_schedule (it can be cancelled) has a node from
 *    scheduling until it leaves; one of sim_post has a node only while it
 *    lies in a bucket (or is being filed by a rebuild): in the heap its
 *    entry carries it whole, and its id there is NO_NODE, so the common
 *    pop reads nothing but the root.
 *
 * A node's generation moves on whenever its event leaves, so a stale handle
 * is caught.
 */
#include "sim.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#if defined(__GNUC__)
#define COLD __attribute__((cold, noinline))   /* keep rare paths out of hot ones */
#define NOINLINE __attribute__((noinline))
#else
#define COLD
#define NOINLINE
#endif

#define ID_BITS SIM_K_ID_BITS
#define SEQ_BITS SIM_K_SEQ_BITS
#define ID_OF(ord) ((uint32_t)((ord) & ((1u << ID_BITS) - 1)))
#define NONE SIM_K_NONE
#define NO_NODE SIM_K_NO_NODE
#define MAX_NODES (NO_NODE)         /* ids 0 .. NO_NODE - 1 */
#define MIN_BUCKETS 16
#define SAMPLE 25           /* earliest events whose gaps set the width */
#define COMPACT_MIN 256


typedef sim_k_entry entry;
typedef sim_k_node node;

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
/* The heap                                                             */
/* ------------------------------------------------------------------ */

/* Makes room for cap events, sentinels past the n in the heap now. */
static void heap_alloc(sim_kernel *k, size_t cap)
{
    k->heap = sim_xrealloc(k->heap, (2 * cap + 2) * sizeof *k->heap);
    for (size_t i = k->n; i < 2 * cap + 2; i++) k->heap[i] = sim_k_sentinel;
    k->cap = cap;
}

/* Empties the heap (its entries become sentinels again). */
static void heap_clear(sim_kernel *k)
{
    for (size_t i = 0; i < k->n; i++) k->heap[i] = sim_k_sentinel;
    k->n = 0;
    k->hole = 0;
}

static inline void heap_push(sim_kernel *k, entry e)
{
    if (k->hole) {
        k->hole = 0;
        sim_k_sift_down(k->heap, 0, e);
        return;
    }
    if (k->n == k->cap) heap_alloc(k, 2 * k->cap);
    sim_k_sift_up(k->heap, k->n++, e);
}

/* ------------------------------------------------------------------ */
/* The calendar                                                         */
/* ------------------------------------------------------------------ */

static void release(sim_kernel *k, uint32_t id)
{
    k->nodes[id].gen++;
    k->nodes[id].next = k->free_head;
    k->free_head = id;
}

/* A cancelled node leaves the queue. */
static void drop(sim_kernel *k, uint32_t id)
{
    k->cancelled--;
    k->dropped++;
    release(k, id);
}

/* Files the pending event e of node id: into the heap when it is near
 * (a posted event without its node, which is released), else into its
 * bucket. */
static inline void file_event(sim_kernel *k, uint32_t id, entry e)
{
    uint64_t vb;
    if (k->edge == UINT64_MAX || (vb = sim_k_vbucket(k, k->nodes[id].time)) < k->edge) {
        if (ID_OF(e.ord) == NO_NODE) release(k, id);
        heap_push(k, e);
    } else {
        sim_k_bucket_in(k, &k->nodes[id], id, e.ord, vb);
    }
}

/* Moves the events of the next non-empty virtual bucket into the heap,
 * dropping cancelled ones.  After a whole cycle of nb buckets without one
 * (the calendar's "year"), jumps to the earliest bucket any event is in.
 * The heap is empty and has no hole (refill's caller filled it), so moved
 * events sift up from the end with no test for a vacant root, and "an
 * event moved" is "the heap is not empty"; the counts (heap size, far
 * events, steps) stay in locals and are stored once.  Steps are the nodes
 * looked at (those that left, far - n_far at the end, and those of a later
 * year, counted as skipped) and the empty buckets passed. */
static void advance(sim_kernel *k)
{
    SIM_ASSERT(k->n == 0 && !k->hole);
    uint64_t vb = k->edge, steps = k->n_far;  /* minus far when stored */
    size_t n = 0, far = k->n_far;
    for (size_t empty = 0; far > 0; empty++, vb++) {
        if (empty == k->nb) {                      /* a year without events */
            empty = 0;
            uint64_t min = UINT64_MAX;
            for (size_t b = 0; b < k->nb; b++)
                for (uint32_t id = k->bucket[b]; id != NONE; id = k->nodes[id].next)
                    if (k->nodes[id].vb < min) min = k->nodes[id].vb;
            steps += k->nb;
            vb = min;
        }
        uint32_t *link = &k->bucket[vb & k->mask];
        for (uint32_t id = *link, next; id != NONE; id = next) {
            node *e = &k->nodes[id];
            next = e->next;
            if (e->vb != vb) {
                steps++;
                link = &e->next;
                continue;
            }
            *link = next;
            far--;
            if (e->type == SIM_K_CANCELLED) {
                drop(k, id);
                continue;
            }
            if (n == k->cap) {
                k->n = n;
                heap_alloc(k, 2 * k->cap);
            }
            sim_k_sift_up(k->heap, n++, (entry){ sim_k_key(e->time), e->ord, e->type, e->arg });
            if (ID_OF(e->ord) == NO_NODE) release(k, id);   /* posted: no node in the heap */
        }
        if (n > 0) {
            k->edge = vb + 1;
            k->n = n;
            k->n_far = far;
            k->steps += steps - far + empty;
            return;
        }
    }
    k->edge = vb;
    k->n_far = far;
    k->steps += steps - far;
}

/* Bucket width for nodes ids[0..n): eight times the mean gap between the
 * SAMPLE earliest, gaps over twice the first mean left out (Brown 1988,
 * §3); 1 day when there is no gap to measure. */
static double calendar_width(const sim_kernel *k, const uint32_t *ids, size_t n)
{
    double t[SAMPLE];
    size_t m = 0;
    for (size_t i = 0; i < n; i++) {           /* the SAMPLE smallest, sorted */
        double x = k->nodes[ids[i]].time;
        if (m == SAMPLE && x >= t[m - 1]) continue;
        size_t j = m < SAMPLE ? m++ : m - 1;
        while (j > 0 && t[j - 1] > x) { t[j] = t[j - 1]; j--; }
        t[j] = x;
    }
    if (m < 2 || !(t[m - 1] > t[0]) || !isfinite(t[m - 1])) return 1.0;
    double mean = (t[m - 1] - t[0]) / (double)(m - 1), sum = 0.0;
    size_t gaps = 0;
    for (size_t i = 1; i < m; i++)
        if (t[i] - t[i - 1] <= 2.0 * mean) { sum += t[i] - t[i - 1]; gaps++; }
    double w = gaps && sum > 0.0 ? 8.0 * sum / (double)gaps : 8.0 * mean;
    return w > 0.0 && isfinite(w) ? w : 1.0;
}

/* Collects every pending node, drops the cancelled ones, and files the
 * others again in a calendar sized and calibrated for them. */
static COLD void rebuild(sim_kernel *k)
{
    if (k->hole) sim_k_fill_hole(k);
    size_t live = sim_pending(k);
    uint32_t *ids = sim_xmalloc((live + 1) * sizeof *ids);
    size_t m = 0;
    for (size_t i = 0; i < k->n; i++) {
        entry e = k->heap[i];
        uint32_t id = ID_OF(e.ord);
        if (id == NO_NODE) {             /* posted: a node while it is filed */
            id = sim_k_take_node(k);
            sim_k_hold(&k->nodes[id], e);
        }
        k->nodes[id].ord = e.ord;
        if (k->nodes[id].type == SIM_K_CANCELLED) drop(k, id);
        else ids[m++] = id;
    }
    for (size_t b = 0; b < k->nb; b++)
        for (uint32_t id = k->bucket[b], next; id != NONE; id = next) {
            next = k->nodes[id].next;
            if (k->nodes[id].type == SIM_K_CANCELLED) drop(k, id);
            else ids[m++] = id;
        }
    SIM_ASSERT(m == live);
    size_t nb = MIN_BUCKETS;
    while (nb < m) nb *= 2;
    k->bucket = sim_xrealloc(k->bucket, nb * sizeof *k->bucket);
    for (size_t b = 0; b < nb; b++) k->bucket[b] = NONE;
    k->nb = nb;
    k->mask = nb - 1;
    k->width = calendar_width(k, ids, m);
    k->inv_width = 1.0 / k->width;
    k->grow_at = 2 * nb;
    k->shrink_at = nb > MIN_BUCKETS ? nb / 4 : 0;
    k->steps = 0;
    heap_clear(k);
    k->n_far = k->cancelled = 0;
    /* a small queue is a plain heap; else the heap starts empty and the
     * first sim_next moves the earliest bucket into it */
    k->edge = m < 2 * MIN_BUCKETS ? UINT64_MAX : sim_k_vbucket(k, k->now);
    for (size_t i = 0; i < m; i++) {
        const node *nd = &k->nodes[ids[i]];
        file_event(k, ids[i], (entry){ sim_k_key(nd->time), nd->ord, nd->type, nd->arg });
    }
    free(ids);
    k->rebuilt_at = sim_events_processed(k);     /* the queue is whole again */
}

/* ------------------------------------------------------------------ */
/* Kernel                                                               */
/* ------------------------------------------------------------------ */

sim_kernel *sim_kernel_new(size_t capacity_hint)
{
    sim_kernel *k = sim_xcalloc(1, sizeof *k);
    k->node_cap = capacity_hint < 16 ? 16 : (uint32_t)capacity_hint;
    heap_alloc(k, k->node_cap);
    k->nodes = sim_xmalloc(k->node_cap * sizeof *k->nodes);
    k->free_head = NONE;
    k->nb = MIN_BUCKETS;
    k->mask = MIN_BUCKETS - 1;
    k->bucket = sim_xmalloc(MIN_BUCKETS * sizeof *k->bucket);
    for (size_t b = 0; b < MIN_BUCKETS; b++) k->bucket[b] = NONE;
    k->width = k->inv_width = 1.0;
    k->grow_at = 2 * MIN_BUCKETS;
    k->edge = UINT64_MAX;                /* a plain heap while small */
    return k;
}

void sim_kernel_free(sim_kernel *k)
{
    if (!k) return;
    free(k->heap);
    free(k->bucket);
    free(k->nodes);
    free(k);
}

void sim_kernel_reset(sim_kernel *k)
{
    /* every node back on the free list; generations move on, so handles
     * from the previous run are stale */
    k->free_head = NONE;
    for (uint32_t id = k->n_nodes; id-- > 0;) {     /* ascending free list */
        k->nodes[id].gen++;
        k->nodes[id].next = k->free_head;
        k->free_head = id;
    }
    for (size_t b = 0; b < k->nb; b++) k->bucket[b] = NONE;
    heap_clear(k);
    k->n_far = k->cancelled = 0;
    k->seq = k->dropped = 0;
    k->now = 0.0;
    k->steps = k->rebuilt_at = 0;
    k->edge = k->nb == MIN_BUCKETS ? UINT64_MAX : sim_k_vbucket(k, 0.0);
}

/* Adds nodes to the pool, putting them on the free list; returns its
 * head. */
COLD uint32_t sim_k_grow_nodes(sim_kernel *k)
{
    uint32_t old = k->n_nodes, cap = old < k->node_cap ? k->node_cap : 2 * old;
    if (cap > MAX_NODES) cap = MAX_NODES;
    SIM_ASSERT(cap > old);                        /* 16.7 M pending events */
    if (cap > k->node_cap) {
        k->node_cap = cap;
        k->nodes = sim_xrealloc(k->nodes, cap * sizeof *k->nodes);
    }
    for (uint32_t id = cap; id-- > old;) {
        k->nodes[id].gen = 1;
        k->nodes[id].next = k->free_head;
        k->free_head = id;
    }
    k->n_nodes = cap;
    return k->free_head;
}

/* sim_schedule's other cases: an event of the far future, or one that
 * grows the heap or the calendar. */
NOINLINE void sim_k_file_slow(sim_kernel *k, uint32_t id, entry e)
{
    file_event(k, id, e);
    if (k->n + k->n_far > k->grow_at) rebuild(k);
}

/* sim_post's other cases: an event of the far future (it takes a node
 * while it is in its bucket), or one that grows the heap or the calendar. */
NOINLINE void sim_k_post_slow(sim_kernel *k, entry e)
{
    uint32_t id = sim_k_take_node(k);
    sim_k_hold(&k->nodes[id], e);
    sim_k_file_slow(k, id, e);
}

void sim_cancel(sim_kernel *k, sim_handle h)
{
    uint32_t id = (uint32_t)(h & 0xffffffffu) - 1;
    SIM_ASSERT(h != 0 && id < k->n_nodes);
    SIM_ASSERT(k->nodes[id].gen == (uint32_t)(h >> 32));   /* live handle */
    SIM_ASSERT(k->nodes[id].type != SIM_K_CANCELLED);      /* not twice */
    k->nodes[id].type = SIM_K_CANCELLED;
    k->cancelled++;
    if (k->cancelled > COMPACT_MIN && k->cancelled > sim_pending(k)) rebuild(k);
}

/* The heap ran dry: moves the next bucket into it, rebuilding first when
 * the calendar no longer suits the events.  Returns 0 when no event is
 * left. */
static inline int refill(sim_kernel *k)
{
    uint64_t events = sim_events_processed(k) - k->rebuilt_at;
    if (sim_pending(k) < k->shrink_at ||
        (k->steps > 4 * events + 64 + 4 * k->nb && events >= k->nb))
        rebuild(k);
    if (k->n == 0 && k->n_far > 0) advance(k);   /* which moves one, if any */
    return k->n > 0;
}

/* sim_next's other cases: the heap ran dry, or its top was cancelled. */
NOINLINE sim_event sim_k_next_slow(sim_kernel *k)
{
    sim_event ev = { 0.0, SIM_K_CANCELLED, 0 };      /* none left */
    for (;;) {
        if (k->hole) sim_k_fill_hole(k);
        if (k->n == 0 && !refill(k)) return ev;
        entry top = k->heap[0];
        uint32_t id = ID_OF(top.ord);
        k->hole = 1;                 /* refilled lazily: see the invariant */
        if (id == NO_NODE) {         /* posted: all of it is in the entry */
            memcpy(&ev.time, &top.key, sizeof ev.time);
        } else {
            node *e = &k->nodes[id];
            if (e->type == SIM_K_CANCELLED) {
                drop(k, id);
                continue;
            }
            ev.time = e->time;
            release(k, id);
        }
        k->now = ev.time;
        ev.type = top.type;
        ev.arg = top.arg;
        return ev;
    }
}
