/*
 * waitlist.c — waiting lists, serve sets, and which case a freed slot takes.
 *
 * Invariants I1–I4 of model.h.  Cost: a case joining or leaving a waiting
 * list touches the heaps of the few serve sets its municipality is in
 * (O(sets x log munis)); a freed slot finds its case at the top of its
 * set's heap in O(1).  Nothing here scans all posts or all municipalities
 * per event (a post serving "*" is one set, whatever the number of posts
 * sharing it).
 */
#include "model.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

/* ------------------------------------------------------------------ */
/* Serve sets                                                           */
/* ------------------------------------------------------------------ */

static int same_set(const kim_post *a, const kim_post *b)
{
    if (a->serves_all || b->serves_all) return a->serves_all == b->serves_all;
    if (a->n_serves != b->n_serves) return 0;
    for (size_t i = 0; i < a->n_serves; i++)
        if (!kim_post_serves(b, a->serves[i])) return 0;
    return 1;
}

static size_t set_size(const kim_model *m, size_t p)
{
    const kim_post *post = &m->sc->posts[p];
    return post->serves_all ? m->sc->n_munis : post->n_serves;
}

/* Home-first order of a municipality's memberships: sets serving only it,
 * then smaller pools before larger ones, then by first post. */
/* qsort has no context argument: the model being sorted, per thread. */
static _Thread_local const kim_model *sort_model;
static int mem_cmp(const void *a, const void *b)
{
    const kset *x = &sort_model->sets[sort_model->mem_set[*(const uint32_t *)a]];
    const kset *y = &sort_model->sets[sort_model->mem_set[*(const uint32_t *)b]];
    if (x->n_munis != y->n_munis) return x->n_munis < y->n_munis ? -1 : 1;
    return x->posts[0] < y->posts[0] ? -1 : x->posts[0] > y->posts[0];
}

static void add_membership(kim_model *m, size_t s, size_t mu)
{
    uint32_t id = (uint32_t)m->n_mem++;
    m->mem_set[id] = (uint32_t)s;
    m->mem_muni[id] = (uint32_t)mu;
    m->mem_pos[id] = NIL;
    kmuni_state *ms = &m->muni[mu];
    ms->mem = sim_xrealloc(ms->mem, (ms->n_mem + 1) * sizeof *ms->mem);
    ms->mem[ms->n_mem++] = id;
}

/* A summary of the municipalities post p serves that two posts of one
 * set share (same_set implies equal masks): each municipality's bit mod
 * 64, all bits for "*".  Posts are compared in full only when it agrees. */
static uint64_t serve_mask(const kim_post *p)
{
    uint64_t mask = p->serves_all ? UINT64_MAX : 0;
    for (size_t i = 0; !p->serves_all && i < p->n_serves; i++)
        mask |= (uint64_t)1 << (p->serves[i] % 64);
    return mask;
}

void wl_build_sets(kim_model *m)
{
    const kim_scenario *sc = m->sc;
    m->sets = sim_xcalloc(sc->n_posts, sizeof *m->sets);
    uint64_t *mask = sim_xmalloc((sc->n_posts + 1) * sizeof *mask);   /* per set */
    size_t total = 0;
    for (size_t p = 0; p < sc->n_posts; p++) {
        uint64_t mp = serve_mask(&sc->posts[p]);
        size_t s = 0;
        while (s < m->n_sets && (mask[s] != mp ||
                                 !same_set(&sc->posts[m->sets[s].posts[0]], &sc->posts[p])))
            s++;
        kset *set = &m->sets[s];
        if (s == m->n_sets) {
            m->n_sets++;
            mask[s] = mp;
            set->n_munis = set_size(m, p);
            set->posts = sim_xmalloc(sc->n_posts * sizeof *set->posts);
            set->heap = sim_xmalloc((set->n_munis + 1) * sizeof *set->heap);
            total += set->n_munis;
        }
        set->posts[set->n_posts++] = p;
        m->post[p].set = s;
    }
    free(mask);
    m->mem_set = sim_xmalloc((total + 1) * sizeof *m->mem_set);
    m->mem_muni = sim_xmalloc((total + 1) * sizeof *m->mem_muni);
    m->mem_pos = sim_xmalloc((total + 1) * sizeof *m->mem_pos);
    for (size_t s = 0; s < m->n_sets; s++) {
        const kim_post *post = &sc->posts[m->sets[s].posts[0]];
        for (size_t i = 0; i < m->sets[s].n_munis; i++)
            add_membership(m, s, post->serves_all ? i : post->serves[i]);
    }
    sort_model = m;
    for (size_t mu = 0; mu < sc->n_munis; mu++) {
        kmuni_state *ms = &m->muni[mu];
        qsort(ms->mem, ms->n_mem, sizeof(uint32_t), mem_cmp);
        ms->mem_sets = sim_xmalloc((ms->n_mem + 1) * sizeof *ms->mem_sets);
        ms->shares_sets = 0;
        for (size_t j = 0; j < ms->n_mem; j++) {
            ms->mem_sets[j] = m->mem_set[ms->mem[j]];
            if (m->sets[ms->mem_sets[j]].n_munis > 1) ms->shares_sets = 1;
        }
    }
}

void wl_free_sets(kim_model *m)
{
    for (size_t mu = 0; mu < m->sc->n_munis; mu++) free(m->muni[mu].mem_sets);
    for (size_t s = 0; s < m->n_sets; s++) {
        free(m->sets[s].posts);
        free(m->sets[s].heap);
    }
    free(m->sets);
    free(m->mem_set);
    free(m->mem_muni);
    free(m->mem_pos);
}

void wl_reset(kim_model *m)
{
    for (size_t i = 0; i < m->sc->n_munis * m->n_levels; i++)
        m->wl[i].head = m->wl[i].tail = NIL;
    for (size_t s = 0; s < m->n_sets; s++) {
        m->sets[s].heap_n = 0;
        m->sets[s].n_free = 0;
    }
    for (size_t i = 0; i < m->n_mem; i++) m->mem_pos[i] = NIL;
    for (size_t mu = 0; mu < m->sc->n_munis; mu++) m->muni[mu].head = NIL;
}

/* ------------------------------------------------------------------ */
/* Set heaps: municipalities keyed by their best waiting case           */
/* ------------------------------------------------------------------ */

/* Is entry a before entry b: case_before on the copied keys. */
static inline int ent_before(const khent *a, const khent *b)
{
    if ((a->lvno ^ b->lvno) >> KIM_NO_BITS) return a->lvno < b->lvno;
    if (a->arrival != b->arrival) return a->arrival < b->arrival;
    return a->lvno < b->lvno;
}

/* Entry of a membership of municipality mu, keyed by case c (its best);
 * the caller sets .mem. */
static inline khent ent_of(const kim_model *m, size_t mu, uint32_t c)
{
    const kcase *cs = &m->cases[c];
    SIM_ASSERT(cs->no < (uint64_t)1 << KIM_NO_BITS);
    return (khent){ cs->arrival, (uint64_t)cs->level << KIM_NO_BITS | cs->no,
                    NIL, (uint32_t)mu };
}

static inline void hplace(kim_model *m, kset *s, size_t i, khent e)
{
    s->heap[i] = e;
    m->mem_pos[e.mem] = (uint32_t)i;
}

static void hup(kim_model *m, kset *s, size_t i, khent e)
{
    while (i > 0) {
        size_t p = (i - 1) / 2;
        if (!ent_before(&e, &s->heap[p])) break;
        hplace(m, s, i, s->heap[p]);
        i = p;
    }
    hplace(m, s, i, e);
}

static void hdown(kim_model *m, kset *s, size_t i, khent e)
{
    for (;;) {
        size_t c = 2 * i + 1;
        if (c >= s->heap_n) break;
        if (c + 1 < s->heap_n && ent_before(&s->heap[c + 1], &s->heap[c])) c++;
        if (!ent_before(&s->heap[c], &e)) break;
        hplace(m, s, i, s->heap[c]);
        i = c;
    }
    hplace(m, s, i, e);
}

static void hremove(kim_model *m, kset *s, uint32_t id)
{
    size_t i = m->mem_pos[id];
    khent last = s->heap[--s->heap_n];
    m->mem_pos[id] = NIL;
    if (last.mem == id) return;
    if (i > 0 && ent_before(&last, &s->heap[(i - 1) / 2])) hup(m, s, i, last);
    else hdown(m, s, i, last);
}

/* Best waiting case of municipality mu: the head of its first non-empty
 * priority level; NIL when none. */
static uint32_t muni_best(const kim_model *m, size_t mu)
{
    const klist *l = &m->wl[mu * m->n_levels];
    for (size_t lv = 0; lv < m->n_levels; lv++)
        if (l[lv].head != NIL) return l[lv].head;
    return NIL;
}

/* The municipality's best case is now `best`, ahead of the one it had:
 * it joins, or moves up in, every set heap it is in. */
static void head_improved(kim_model *m, size_t mu, uint32_t best)
{
    kmuni_state *ms = &m->muni[mu];
    ms->head = best;
    khent e = ent_of(m, mu, best);
    for (size_t j = 0; j < ms->n_mem; j++) {
        kset *s = &m->sets[ms->mem_sets[j]];
        e.mem = ms->mem[j];
        if (m->mem_pos[e.mem] == NIL) hup(m, s, s->heap_n++, e);
        else hup(m, s, m->mem_pos[e.mem], e);
    }
}

/* The municipality's best case left: its next best (if any) is behind it,
 * so it moves down in, or leaves, every set heap it is in.  `next` is the
 * case that followed it in its level (the best level), NIL when none.
 * Sets of one municipality keep their stale key (never compared, I3); a
 * leaf only takes its new key. */
void wl_head_removed(kim_model *m, size_t mu, uint32_t next)
{
    kmuni_state *ms = &m->muni[mu];
    uint32_t best = next != NIL ? next : muni_best(m, mu);
    ms->head = best;
    if (best == NIL) {
        for (size_t j = 0; j < ms->n_mem; j++)
            hremove(m, &m->sets[ms->mem_sets[j]], ms->mem[j]);
        return;
    }
    khent e = ent_of(m, mu, best);
    for (size_t j = 0; j < ms->n_mem; j++) {
        kset *s = &m->sets[ms->mem_sets[j]];
        if (s->n_munis == 1) continue;
        e.mem = ms->mem[j];
        size_t i = m->mem_pos[e.mem];
        if (2 * i + 1 < s->heap_n) hdown(m, s, i, e);
        else s->heap[i] = e;
    }
}

/* ------------------------------------------------------------------ */
/* Waiting lists                                                        */
/* ------------------------------------------------------------------ */

/* wl_push's general case: the list is empty, or c goes before its tail
 * (a case sent back, or an initial case). */
void wl_insert(kim_model *m, uint32_t c)
{
    kcase *cs = &m->cases[c];
    klist *l = &m->wl[cs->muni * m->n_levels + cs->level];
    /* New arrivals go to the tail; a case sent back (reassign) or an
     * initial case walks back to its place (I2). */
    uint32_t after = l->tail;
    while (after != NIL && case_before(cs, &m->cases[after]))
        after = m->cases[after].prev;
    cs->prev = after;
    cs->next = after == NIL ? l->head : m->cases[after].next;
    if (cs->next == NIL) l->tail = c; else m->cases[cs->next].prev = c;
    if (after == NIL) l->head = c; else m->cases[after].next = c;
    cs->state = CASE_WAITING;
    cs->post = -1;
    if (after == NIL && muni_best(m, cs->muni) == c) head_improved(m, cs->muni, c);
}

/* ------------------------------------------------------------------ */
/* Free posts                                                           */
/* ------------------------------------------------------------------ */

static inline double load(const kim_model *m, size_t p)
{
    return (double)m->post[p].open / (double)m->post[p].slots;
}

/* Least loaded free post of mu's sets, ties to the lowest index. */
long wl_least_loaded(const kim_model *m, size_t mu)
{
    const kmuni_state *ms = &m->muni[mu];
    long best = -1;
    for (size_t j = 0; j < ms->n_mem; j++) {
        const kset *s = &m->sets[m->mem_set[ms->mem[j]]];
        if (s->n_free == 0) continue;
        for (size_t i = 0; i < s->n_posts; i++) {
            size_t p = s->posts[i];
            if (!wl_post_is_free(m, p)) continue;
            if (best < 0 || load(m, p) < load(m, (size_t)best) ||
                (load(m, p) == load(m, (size_t)best) && (long)p < best))
                best = (long)p;
        }
    }
    return best;
}

void wl_post_capacity_changed(kim_model *m, size_t p, int was_free)
{
    int now_free = wl_post_is_free(m, p);
    kset *s = &m->sets[m->post[p].set];
    if (now_free && !was_free) s->n_free++;
    else if (!now_free && was_free) s->n_free--;
}
