/*
 * engine_speed.c — times the engine alone (models/ and sim/, no loader, no
 * CSV): the scenarios are built in code, the observer is NULL, so the
 * figures are the event loop's own.  For instruction counts run it under
 * callgrind; for wall time take the best of several runs.
 *
 *   gcc -O2 -g -I. bench/engine_speed.c sim/ *.c models/ *.c \
 *       -lgsl -lgslcblas -lm -o /tmp/engine_speed      (no space in the globs)
 *   /tmp/engine_speed mmc 1000000        M/M/12 at 0.9, N arrivals
 *   /tmp/engine_speed statewide 10       400 towns, 1000 posts, N years
 *   /tmp/engine_speed default-like 1000  small district, N replications
 *
 * The state-wide scenario has the shape of bench/gen_statewide.sh (600
 * single-town posts, 380 pools of 2-6 towns, 20 posts serving "*", a heavy
 * tail of town sizes, 100,000 arrivals a year) with its own deterministic
 * numbers, so its figures are close to, not equal to, the generated file's.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "models/kim.h"
#include "sim/sim.h"
#include "tests/build.h"     /* add_type_dist, add_muni, add_post */

/* ------------------------------------------------------------------ */
/* Scenarios built in code                                              */
/* ------------------------------------------------------------------ */

/* "Stadt 0042": valid until the next call (add_* copy the name). */
static const char *fmt(const char *prefix, size_t i)
{
    static char buf[64];
    snprintf(buf, sizeof buf, "%s %04zu", prefix, i);
    return buf;
}

static kim_dist dist(kim_dist_kind kind, double p0, double p1, double max)
{
    kim_dist d = { .kind = kind, .p = { p0, p1, 0.0 }, .values = NULL,
                   .n_values = 0, .max = max };
    return d;
}

/* M/M/12 at utilisation 0.9: the bench scenario of issue 8. */
static void build_mmc(kim_scenario *sc, double arrivals)
{
    kim_scenario_defaults(sc);
    sc->name = sim_xstrdup("mmc");
    sc->horizon_days = arrivals / 10.8;
    sc->replications = 1;
    sc->seed = 2385;
    sc->caseload_per_fte = 1.0;
    sc->sample_days = 0.0;
    add_type_dist(sc, "standard", 1.0, 0, dist(KIM_DIST_EXPONENTIAL, 1.0, 0.0, INFINITY),
             dist(KIM_DIST_NONE, 0.0, 0.0, INFINITY));
    add_muni(sc, "Erkelenz", 10.8);
    add_post(sc, "Post", "Kreis", 12.0, NULL, 0);
}

/* The shape of bench/gen_statewide.sh; a fixed LCG (Knuth's MMIX
 * constants) instead of awk's rand. */
static double lcg(uint64_t *s)
{
    *s = *s * 6364136223846793005ull + 1442695040888963407ull;
    return (double)(*s >> 11) * 0x1p-53;
}

static void build_statewide(kim_scenario *sc, double years)
{
    enum { M = 400, P = 1000 };
    const double total = 100000.0;
    uint64_t seed = 2385;
    double w[M], sum = 0.0;
    kim_scenario_defaults(sc);
    sc->name = sim_xstrdup("statewide");
    sc->horizon_days = 365.0 * years;
    sc->warmup_days = 365.0;
    sc->replications = 1;
    sc->seed = 2385;
    kim_dist standard = dist(KIM_DIST_LOGNORMAL, 0.0, 0.0, 730.0);
    kim_dist housing = standard;
    kim_dist_lognormal_median(&standard, 180.0, 0.7);
    kim_dist_lognormal_median(&housing, 234.0, 0.7);
    add_type_dist(sc, "standard", 0.65, 2, standard,
             dist(KIM_DIST_EXPONENTIAL, 120.0, 0.0, INFINITY));
    add_type_dist(sc, "housing", 0.35, 1, housing, dist(KIM_DIST_NONE, 0.0, 0.0, INFINITY));
    for (size_t i = 0; i < M; i++) {
        w[i] = 1.0 / pow(1.0 + (double)(i % 97), 0.8) + 0.05 * lcg(&seed);
        sum += w[i];
    }
    for (size_t i = 0; i < M; i++) add_muni(sc, fmt("Stadt", i), total * w[i] / sum / 365.0);
    for (size_t p = 0; p < P; p++) {
        size_t serves[6], n = 0;
        if (p < 600) {                       /* single-town posts */
            size_t t = p % M;
            double fte = total * w[t] / sum / 365.0 * 245.0 / 40.0 / 0.9 *
                         (p < M ? 0.6 : 0.25);
            serves[n++] = t;
            add_post(sc, fmt("Post", p), "Stadt", fte < 0.5 ? 0.5 : fte, serves, n);
        } else if (p < 980) {                /* pools of 2-6 neighbours */
            size_t k = 2 + p % 5, first = (p * 7) % (M - k);
            for (size_t j = 0; j < k; j++) serves[n++] = first + j;
            add_post(sc, fmt("Pool", p), "Kreis", 1.0 + (double)(p % 3) * 0.5, serves, n);
        } else {                             /* state-wide posts */
            add_post(sc, fmt("Land", p), "Land", 4.0, NULL, 0);
        }
    }
}

/* A small district: the size of scenarios/default.cfg, for the per-
 * replication costs that dominate a batch. */
static void build_small(kim_scenario *sc)
{
    static const double rate[] = { 1.1, 0.7, 0.5, 0.45, 0.3, 0.25, 0.2, 0.15, 0.1, 0.1 };
    kim_scenario_defaults(sc);
    sc->name = sim_xstrdup("small");
    sc->horizon_days = 730.0;
    sc->warmup_days = 180.0;
    sc->seed = 20230101;
    kim_dist d = dist(KIM_DIST_LOGNORMAL, 0.0, 0.0, INFINITY);
    kim_dist_lognormal_median(&d, 150.0, 0.6);
    add_type_dist(sc, "standard", 0.7, 1, d, dist(KIM_DIST_EXPONENTIAL, 90.0, 0.0, INFINITY));
    add_type_dist(sc, "urgent", 0.3, 0, d, dist(KIM_DIST_NONE, 0.0, 0.0, INFINITY));
    for (size_t i = 0; i < 10; i++) add_muni(sc, fmt("Town", i), rate[i]);
    for (size_t i = 0; i < 10; i++) {
        size_t serves[1] = { i };
        add_post(sc, fmt("Post", i), "Kreis", rate[i] * 150.0 / 40.0 / 0.85, serves, 1);
    }
    add_post(sc, "Pool", "DRK", 1.5, NULL, 0);
}

/* ------------------------------------------------------------------ */
/* Timing                                                               */
/* ------------------------------------------------------------------ */

static double seconds(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + 1e-9 * (double)t.tv_nsec;
}

/* Runs replications 0..reps-1 `runs` times; prints the best run. */
static void time_runs(const kim_scenario *sc, unsigned long reps, int runs)
{
    kim_groups g;
    kim_groups_init(&g, sc);
    double *v = sim_xmalloc(g.n * KIM_N_METRICS * sizeof *v);
    kim_model *m = kim_model_new(sc);
    double best = INFINITY;
    uint64_t events = 0;
    for (int run = 0; run < runs; run++) {
        kim_run_info info;
        double t0 = seconds();
        events = 0;
        for (unsigned long r = 0; r < reps; r++) {
            kim_model_run(m, r, NULL, v, &info);
            events += info.events;
        }
        double s = seconds() - t0;
        if (s < best) best = s;
    }
    printf("%-10s %lu rep(s): %llu events, best of %d: %.3f s, %.1f M events/s, "
           "%.1f ns/event; district wait_mean %.4f\n",
           sc->name, reps, (unsigned long long)events, runs, best,
           (double)events / best / 1e6, best / (double)events * 1e9,
           v[KIM_M_WAIT_MEAN]);
    kim_model_free(m);
    kim_groups_fini(&g);
    free(v);
}

int main(int argc, char **argv)
{
    const char *what = argc > 1 ? argv[1] : "mmc";
    double n = argc > 2 ? atof(argv[2]) : 0.0;
    int runs = argc > 3 ? atoi(argv[3]) : 3;
    kim_scenario sc;
    unsigned long reps = 1;
    if (strcmp(what, "mmc") == 0) {
        build_mmc(&sc, n > 0 ? n : 1e6);
    } else if (strcmp(what, "statewide") == 0) {
        build_statewide(&sc, n > 0 ? n : 10.0);
    } else if (strcmp(what, "default-like") == 0) {
        build_small(&sc);
        reps = n > 0 ? (unsigned long)n : 1000;
    } else {
        fprintf(stderr, "usage: engine_speed mmc|statewide|default-like [N] [runs]\n");
        return 2;
    }
    time_runs(&sc, reps, runs > 0 ? runs : 1);
    kim_scenario_fini(&sc);
    return 0;
}
