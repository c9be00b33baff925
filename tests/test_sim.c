/*
 * test_sim.c — the kernel: event order, cancellation, seeds, collectors
 * and the bounded-memory quantile histogram.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <gsl/gsl_randist.h>
#include <gsl/gsl_sort.h>
#include <gsl/gsl_statistics_double.h>

#include "../sim/sim.h"

/* Equal times run by class, then by order of scheduling. */
static void test_sim_equal_time_order(void **state)
{
    (void)state;
    sim_kernel *k = sim_kernel_new(4);
    sim_schedule(k, 2.385, 3, 1, 0);
    sim_schedule(k, 2.385, 1, 2, 0);
    sim_schedule(k, 1.5, 15, 3, 0);
    sim_schedule(k, 2.385, 1, 4, 0);
    sim_schedule(k, 2.385, 0, 5, 0);
    uint32_t want[] = { 3, 5, 2, 4, 1 };
    sim_event ev;
    for (int i = 0; i < 5; i++) {
        assert_true(sim_next(k, &ev));
        assert_int_equal(ev.type, want[i]);
    }
    assert_false(sim_next(k, &ev));
    assert_true(sim_now(k) == 2.385);
    assert_int_equal(sim_events_processed(k), 5);
    sim_kernel_free(k);
}

/* The count of events processed leaves out cancelled ones, whether they
 * are dropped from the heap or from a bucket: the count is
 * derived from the scheduled, pending and dropped events (kernel.c). */
static void test_sim_processed_excludes_cancelled(void **state)
{
    (void)state;
    sim_kernel *k = sim_kernel_new(4);
    sim_handle h[600];
    for (int i = 0; i < 600; i++)            /* enough for the calendar */
        h[i] = sim_schedule(k, 0.385 + 2.385 * i, 2, 1, (uint32_t)i);
    for (int i = 0; i < 600; i += 2) sim_cancel(k, h[i]);
    assert_int_equal(sim_pending(k), 300);
    sim_event ev;
    uint64_t n = 0;
    while (sim_next(k, &ev)) {
        assert_int_equal(ev.arg % 2, 1);
        n++;
        assert_int_equal(sim_events_processed(k), n);
    }
    assert_int_equal(n, 300);
    sim_kernel_reset(k);
    assert_int_equal(sim_events_processed(k), 0);
    sim_kernel_free(k);
}

/* The heap orders times by the bits of their doubles: -0 ties with +0
 * (and breaks the tie by class), and an event keeps the time it was
 * scheduled at, sign included; infinity comes last. */
static void test_sim_signed_zero_and_infinity(void **state)
{
    (void)state;
    sim_kernel *k = sim_kernel_new(4);
    sim_schedule(k, INFINITY, 0, 1, 0);
    sim_schedule(k, 0.0, 2, 2, 0);
    sim_schedule(k, -0.0, 1, 3, 0);
    sim_schedule(k, 0x1p-1074, 0, 4, 0);        /* the least subnormal */
    sim_event ev;
    assert_true(sim_next(k, &ev));
    assert_int_equal(ev.type, 3);
    assert_true(ev.time == 0.0 && signbit(ev.time));
    assert_true(sim_next(k, &ev));
    assert_int_equal(ev.type, 2);
    assert_true(ev.time == 0.0 && !signbit(ev.time));
    assert_true(sim_next(k, &ev));
    assert_int_equal(ev.type, 4);
    assert_true(sim_next(k, &ev));
    assert_int_equal(ev.type, 1);
    assert_true(isinf(ev.time));
    assert_false(sim_next(k, &ev));
    sim_kernel_free(k);
}

typedef struct ref { double t; unsigned cls; uint32_t id; int live; sim_handle h; } ref;

static int ref_cmp(const void *a, const void *b)
{
    const ref *x = a, *y = b;
    if (x->t != y->t) return x->t < y->t ? -1 : 1;
    if (x->cls != y->cls) return x->cls < y->cls ? -1 : 1;
    return x->id < y->id ? -1 : x->id > y->id;
}

/* Random schedules and cancellations pop in the order of a sorted
 * reference list (time, class, insertion); a third of the events are
 * posted (sim_post: no handle, no node), and keep their place among the
 * others, their type and their argument. */
static void test_sim_heap_matches_sorted_reference(void **state)
{
    (void)state;
    enum { N = 20000 };
    gsl_rng *r = sim_rng_new(NULL, 42);
    sim_kernel *k = sim_kernel_new(8);
    ref *refs = calloc(N, sizeof *refs);
    for (uint32_t i = 0; i < N; i++) {
        refs[i].t = floor(gsl_rng_uniform(r) * 500.0) / 4.0;   /* many ties */
        refs[i].cls = (unsigned)gsl_rng_uniform_int(r, 3);
        refs[i].id = i;
        refs[i].live = 1;
        if (i % 3 == 1) sim_post(k, refs[i].t, refs[i].cls, 8, i);
        else refs[i].h = sim_schedule(k, refs[i].t, refs[i].cls, 7, i);
    }
    for (uint32_t i = 0; i < N; i += 3) {
        sim_cancel(k, refs[i].h);
        refs[i].live = 0;
    }
    qsort(refs, N, sizeof *refs, ref_cmp);
    sim_event ev;
    size_t popped = 0;
    for (size_t i = 0; i < N; i++) {
        if (!refs[i].live) continue;
        assert_true(sim_next(k, &ev));
        assert_int_equal(ev.arg, refs[i].id);
        assert_int_equal(ev.type, refs[i].id % 3 == 1 ? 8 : 7);
        assert_true(ev.time == refs[i].t);
        popped++;
    }
    assert_false(sim_next(k, &ev));
    assert_int_equal(popped, N - (N + 2) / 3);
    free(refs);
    sim_kernel_free(k);
    gsl_rng_free(r);
}

/* A reference queue for the hold test: a binary heap of (t, cls, seq). */
typedef struct hold_ref { double t; unsigned cls; uint32_t seq; } hold_ref;

static int hold_before(const hold_ref *a, const hold_ref *b)
{
    if (a->t != b->t) return a->t < b->t;
    if (a->cls != b->cls) return a->cls < b->cls;
    return a->seq < b->seq;
}

static void hold_push(hold_ref *h, size_t *n, hold_ref e)
{
    size_t i = (*n)++;
    while (i > 0 && hold_before(&e, &h[(i - 1) / 2])) { h[i] = h[(i - 1) / 2]; i = (i - 1) / 2; }
    h[i] = e;
}

static hold_ref hold_pop(hold_ref *h, size_t *n)
{
    hold_ref top = h[0], last = h[--*n];
    size_t i = 0;
    for (;;) {
        size_t c = 2 * i + 1;
        if (c >= *n) break;
        if (c + 1 < *n && hold_before(&h[c + 1], &h[c])) c++;
        if (!hold_before(&h[c], &last)) break;
        h[i] = h[c];
        i = c;
    }
    h[i] = last;
    return top;
}

/* Gaps that strain a calendar queue: exponential, ties with mixed classes,
 * two scales 10^10 apart, rare huge jumps, everything at one instant. */
static double hold_gap(gsl_rng *r, int pattern)
{
    double u = gsl_rng_uniform(r);
    switch (pattern) {
    case 0: return gsl_ran_exponential(r, 2.385);
    case 1: return floor(u * 4.0) * 0.25;
    case 2: return u < 0.5 ? 1e-6 * gsl_rng_uniform(r) : 1e4 * gsl_rng_uniform(r);
    case 3: return u < 0.01 ? 1e9 : 1e-3 * gsl_rng_uniform(r);
    default: return 0.0;
    }
}

/* The hold model (pop one, schedule one or two later ones, cancel some) at
 * thousands of pending events pops in the reference order for every gap
 * pattern, across calendar rebuilds and resets with events pending (each
 * pattern holds more events than the last, so a reset's free list is used
 * beyond the nodes it held).  Half the events are posted (sim_post), so
 * events without nodes go through the calendar's buckets and rebuilds
 * beside cancellable ones; only scheduled ones are cancelled. */
static void test_sim_hold_matches_reference(void **state)
{
    (void)state;
    enum { STEPS = 40000, CAP = STEPS * 2 + 16 };
    gsl_rng *r = sim_rng_new(NULL, 2385);
    sim_kernel *k = sim_kernel_new(8);
    hold_ref *queue = malloc(CAP * sizeof *queue);
    sim_handle *h = malloc(CAP * sizeof *h);
    unsigned char *gone = malloc(CAP), *posted = malloc(CAP);
    for (int pattern = 0; pattern < 5; pattern++) {
        size_t n = 0, pending = 1500 * (size_t)(pattern + 1);
        uint32_t seq = 0;
        memset(gone, 0, CAP);
        for (long step = 0; step < STEPS; step++) {
            int pushes = n < pending ? 2 : 1;
            for (int j = 0; j < pushes && step > 0; j++) {
                hold_ref e = { sim_now(k) + hold_gap(r, pattern),
                               (unsigned)gsl_rng_uniform_int(r, 3), seq };
                posted[seq] = gsl_rng_uniform(r) < 0.5;
                if (posted[seq]) sim_post(k, e.t, e.cls, 2, e.seq);
                else h[seq] = sim_schedule(k, e.t, e.cls, 1, e.seq);
                seq++;
                hold_push(queue, &n, e);
            }
            if (step == 0) {
                for (int j = 0; j < 10; j++) {
                    hold_ref e = { hold_gap(r, pattern), 0, seq };
                    posted[seq] = 0;
                    h[seq++] = sim_schedule(k, e.t, 0, 1, e.seq);
                    hold_push(queue, &n, e);
                }
            }
            uint32_t victim = (uint32_t)gsl_rng_uniform_int(r, seq);
            if (gsl_rng_uniform(r) < 0.1 && !gone[victim] && !posted[victim]) {
                sim_cancel(k, h[victim]);
                gone[victim] = 1;
            }
            hold_ref want;
            do want = hold_pop(queue, &n); while (gone[want.seq]);
            gone[want.seq] = 1;
            sim_event ev;
            assert_true(sim_next(k, &ev));
            assert_int_equal(ev.arg, want.seq);
            assert_int_equal(ev.type, posted[want.seq] ? 2 : 1);
            assert_true(ev.time == want.t);
        }
        sim_kernel_reset(k);                  /* with events still pending */
        assert_int_equal(sim_pending(k), 0);
    }
    free(queue);
    free(h);
    free(gone);
    free(posted);
    sim_kernel_free(k);
    gsl_rng_free(r);
}

/* Events scheduled while running interleave correctly; reset empties. */
static void test_sim_schedule_while_running_and_reset(void **state)
{
    (void)state;
    sim_kernel *k = sim_kernel_new(2);
    sim_schedule(k, 1.0, 0, 1, 0);
    sim_event ev;
    double last = 0.0;
    int n = 0;
    while (sim_next(k, &ev)) {
        assert_true(ev.time >= last);
        last = ev.time;
        if (++n < 1000) {
            sim_schedule(k, ev.time + 0.37, 0, 1, 0);
            sim_schedule(k, ev.time + 0.11, 1, 1, 0);
            sim_handle h = sim_schedule(k, ev.time + 0.2, 0, 1, 0);
            sim_cancel(k, h);
            if (sim_pending(k) > 50) { sim_next(k, &ev); }
        }
    }
    sim_kernel_reset(k);
    assert_int_equal(sim_pending(k), 0);
    assert_true(sim_now(k) == 0.0);
    sim_schedule(k, 0.5, 0, 9, 3);
    assert_true(sim_next(k, &ev));
    assert_int_equal(ev.type, 9);
    sim_kernel_free(k);
}

/* The mixer gives distinct, reproducible seeds for nearby inputs. */
static void test_sim_seed_mix_distinct(void **state)
{
    (void)state;
    enum { N = 64 };
    uint64_t seen[N * N];
    size_t n = 0;
    for (uint64_t rep = 0; rep < N; rep++)
        for (uint64_t s = 0; s < N; s++) seen[n++] = sim_seed_mix(20230101, rep, s);
    for (size_t i = 0; i < n; i++)
        for (size_t j = i + 1; j < n; j++) assert_true(seen[i] != seen[j]);
    assert_true(sim_seed_mix(1, 2, 3) == sim_seed_mix(1, 2, 3));
    assert_true(sim_seed_mix(1, 2, 3) != sim_seed_mix(1, 3, 2));
    gsl_rng *a = sim_rng_new(sim_rng_type("mt19937"), sim_seed_mix(7, 0, 1));
    gsl_rng *b = sim_rng_new(NULL, sim_seed_mix(7, 0, 1));
    for (int i = 0; i < 100; i++) assert_true(gsl_rng_get(a) == gsl_rng_get(b));
    assert_null(sim_rng_type("no-such-generator"));
    gsl_rng_free(a);
    gsl_rng_free(b);
}

/* kimsim's inline samplers against GSL's: two generators seeded alike,
 * 100,000 draws each through ours (gsl = 0) and GSL's (gsl = 1) with
 * parameter set k, the same bits draw by draw and the streams still in
 * step after (the same number of uniforms used).  [*lo, *hi]: the range. */
enum { SAME_DRAWS = 100000 };
typedef double (*draw_fn)(gsl_rng *r, int gsl, size_t k);

static void same_bits(const char *type, uint64_t seed, draw_fn draw, size_t k,
                      double *lo, double *hi)
{
    gsl_rng *a = sim_rng_new(sim_rng_type(type), seed);
    gsl_rng *b = sim_rng_new(sim_rng_type(type), seed);
    *lo = INFINITY;
    *hi = -INFINITY;
    for (int i = 0; i < SAME_DRAWS; i++) {
        double x = draw(a, 0, k), y = draw(b, 1, k);
        assert_memory_equal(&x, &y, sizeof x);
        if (x < *lo) *lo = x;
        if (x > *hi) *hi = x;
    }
    assert_true(gsl_rng_get(a) == gsl_rng_get(b));
    gsl_rng_free(a);
    gsl_rng_free(b);
}

static const char *const same_types[] = { "mt19937", "ranlxd2" };
static const double exp_means[] = { 1.0, 0.0925925925925926, 365.0 / 0.3, 1e-9 };
static const double ln_zeta[] = { 0.0, 5.192957, -3.0, 8.0 }, ln_sigma[] = { 1.0, 0.7, 0.05, 2.5 };

static double draw_exponential(gsl_rng *r, int gsl, size_t k)
{
    return gsl ? gsl_ran_exponential(r, exp_means[k]) : sim_exponential(r, exp_means[k]);
}

static double draw_lognormal(gsl_rng *r, int gsl, size_t k)
{
    return gsl ? gsl_ran_lognormal(r, ln_zeta[k], ln_sigma[k])
               : sim_lognormal(r, ln_zeta[k], ln_sigma[k]);
}

/* sim_exponential is gsl_ran_exponential inline (mt19937 and one other
 * type, several means, draws near 0 and in the far tail). */
static void test_sim_exponential_is_gsl(void **state)
{
    (void)state;
    for (size_t t = 0; t < 2; t++)
        for (size_t k = 0; k < 4; k++) {
            double lo, hi;
            same_bits(same_types[t], sim_seed_mix(3, k, t), draw_exponential, k, &lo, &hi);
            /* 100,000 draws reach below 1e-4 and beyond 9 means (each
             * misses with probability about e^-10 and e^-12) */
            assert_true(lo < 1e-4 * exp_means[k] && hi > 9.0 * exp_means[k]);
        }
}

/* sim_lognormal is gsl_ran_lognormal inline, likewise. */
static void test_sim_lognormal_is_gsl(void **state)
{
    (void)state;
    for (size_t t = 0; t < 2; t++)
        for (size_t k = 0; k < 4; k++) {
            double lo, hi;
            same_bits(same_types[t], sim_seed_mix(5, k, t), draw_lognormal, k, &lo, &hi);
            /* 100,000 normals reach below -3.7 and above 3.7 (each side
             * misses with probability (1 - 1.08e-4)^100000, about e^-10.8) */
            assert_true(lo < exp(ln_zeta[k] - 3.7 * ln_sigma[k]) &&
                        hi > exp(ln_zeta[k] + 3.7 * ln_sigma[k]));
        }
}

/* Time average of a hand-computed path: 0 on [0,1), 3 on [1,2.5),
 * 1 on [2.5,4]: area 0 + 4.5 + 1.5 = 6 over 4 days. */
static void test_sim_timeavg_path(void **state)
{
    (void)state;
    sim_timeavg a;
    sim_timeavg_init(&a, 0.0, 0.0);
    sim_timeavg_set(&a, 1.0, 3.0);
    sim_timeavg_set(&a, 2.5, 1.0);
    assert_float_equal(sim_timeavg_mean(&a, 4.0), 6.0 / 4.0, 1e-12);
    sim_timeavg_restart(&a, 2.5);
    assert_float_equal(sim_timeavg_mean(&a, 4.0), 1.0, 1e-12);
    sim_tally t;
    sim_tally_reset(&t);
    assert_true(isnan(sim_tally_mean(&t)));
    sim_tally_add(&t, 2.385);
    sim_tally_add(&t, -1.25);
    assert_float_equal(sim_tally_mean(&t), (2.385 - 1.25) / 2, 1e-12);
    assert_float_equal(t.min, -1.25, 0.0);
    assert_float_equal(t.max, 2.385, 0.0);
}

/* The histogram's quantile is within 2^-7 (0.78 %) of the exact order
 * statistic x_(ceil(qn)) and within 1 % of GSL's interpolated quantile, on
 * waits with an atom at zero and a heavy tail. */
static void test_sim_qhist_error_bound(void **state)
{
    (void)state;
    enum { N = 200000 };
    gsl_rng *r = sim_rng_new(NULL, 2385);
    double *x = malloc(N * sizeof *x);
    sim_qhist *h = malloc(sizeof *h);
    sim_qhist_reset(h);
    for (int i = 0; i < N; i++) {
        x[i] = gsl_rng_uniform(r) < 0.3 ? 0.0 : gsl_ran_lognormal(r, 2.0, 1.1);
        sim_qhist_add(h, x[i]);
    }
    gsl_sort(x, 1, N);
    double qs[] = { 0.5, 0.9, 0.95, 0.99, 0.2 };
    for (size_t i = 0; i < sizeof qs / sizeof *qs; i++) {
        double exact = x[(size_t)ceil(qs[i] * N) - 1];
        double est = sim_qhist_quantile(h, qs[i]);
        if (exact == 0.0) { assert_true(est == 0.0); continue; }
        assert_true(fabs(est - exact) / exact <= 1.0 / 128.0 + 1e-12);
        double interp = gsl_stats_quantile_from_sorted_data(x, 1, N, qs[i]);
        assert_true(fabs(est - interp) / interp <= 0.01);
    }
    assert_float_equal(sim_qhist_quantile(h, 1.0), x[N - 1], 0.0);
    sim_qhist_reset(h);
    assert_true(isnan(sim_qhist_quantile(h, 0.5)));
    sim_qhist_add(h, 1e9);                      /* overflow bucket: the max */
    assert_float_equal(sim_qhist_quantile(h, 0.5), 1e9, 0.0);
    free(h);
    free(x);
    gsl_rng_free(r);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_sim_equal_time_order),
        cmocka_unit_test(test_sim_processed_excludes_cancelled),
        cmocka_unit_test(test_sim_signed_zero_and_infinity),
        cmocka_unit_test(test_sim_heap_matches_sorted_reference),
        cmocka_unit_test(test_sim_schedule_while_running_and_reset),
        cmocka_unit_test(test_sim_hold_matches_reference),
        cmocka_unit_test(test_sim_seed_mix_distinct),
        cmocka_unit_test(test_sim_exponential_is_gsl),
        cmocka_unit_test(test_sim_lognormal_is_gsl),
        cmocka_unit_test(test_sim_timeavg_path),
        cmocka_unit_test(test_sim_qhist_error_bound),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
