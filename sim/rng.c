/*
 * rng.c — seeds for independent random streams (DESIGN.md §5).
 *
 * Invariant: the seed of a stream depends only on (master seed, replication,
 * stream id), never on thread, rank or order of execution, so every variant
 * and every process sees the same numbers (common random numbers).
 */
#include "sim.h"

#include <string.h>

/* SplitMix64 finaliser (Steele, Lea & Flood, "Fast splittable
 * pseudorandom number generators", OOPSLA 2014): a bijection on 64 bits
 * with full avalanche. */
static uint64_t mix64(uint64_t z)
{
    z += 0x9e3779b97f4a7c15ull;
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
    return z ^ (z >> 31);
}

uint64_t sim_seed_mix(uint64_t master, uint64_t replication, uint64_t stream)
{
    uint64_t h = mix64(master);
    h = mix64(h ^ replication);
    h = mix64(h ^ stream);
    /* Some GSL generators treat seed 0 as "use the default seed". */
    return h ? h : 0x5eed;
}

gsl_rng *sim_rng_alloc(const gsl_rng_type *T)
{
    gsl_rng *r = gsl_rng_alloc(T ? T : gsl_rng_mt19937);
    if (!r) {
        SIM_ASSERT(!"gsl_rng_alloc failed");
    }
    return r;
}

gsl_rng *sim_rng_like(const gsl_rng *proto)
{
    gsl_rng *r = gsl_rng_clone(proto);
    if (!r) {
        SIM_ASSERT(!"gsl_rng_clone failed");
    }
    return r;
}

gsl_rng *sim_rng_new(const gsl_rng_type *T, uint64_t seed)
{
    gsl_rng *r = sim_rng_alloc(T);
    sim_rng_seed(r, seed);
    return r;
}

void sim_rng_seed(gsl_rng *r, uint64_t seed)
{
    /* mt19937 uses the low 32 bits of the seed; fold the high half in so no
     * bit of the mixed seed is lost. */
    gsl_rng_set(r, (unsigned long)(seed ^ (seed >> 32)));
}

const gsl_rng_type *sim_rng_type(const char *name)
{
    for (const gsl_rng_type **t = gsl_rng_types_setup(); *t; t++)
        if (strcmp((*t)->name, name) == 0) return *t;
    return NULL;
}
