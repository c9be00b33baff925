/*
 * validate.c — checks that need the whole scenario: case-type shares sum
 * to 1, every municipality with cases has a post that serves it, the
 * totals that bound a run's memory (initial cases, slots, results), and
 * the defaults that depend on other items (municipality weights).
 *
 * Invariant: runs last, on a scenario whose items and references are each
 * valid; after it succeeds the scenario is ready for kim_model_new.
 */
#include "scn_impl.h"
#include "../sim/sim.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define SHARE_TOLERANCE 1e-6

static int check_shares(scn_ctx *c, const config_setting_t *root)
{
    const kim_scenario *sc = c->sc;
    char terms[SCN_PATH] = "";
    double sum = 0.0;
    for (size_t i = 0; i < sc->n_case_types; i++) {
        size_t len = strlen(terms);
        sum += sc->case_types[i].share;
        if (len + 40 < sizeof terms)
            snprintf(terms + len, sizeof terms - len, "%s%s %.6g", i ? " + " : "",
                     sc->case_types[i].id, sc->case_types[i].share);
    }
    if (fabs(sum - 1.0) <= SHARE_TOLERANCE) return 0;
    return scn_fail(c, config_setting_get_member(root, "case_types"), "case_types",
                    "shares must sum to 1, got %.10g (%s)", sum, terms);
}

/* Weight default: the arrival rate, or the trace's rate for a municipality
 * whose arrivals are replayed. */
static void default_weights(kim_scenario *sc)
{
    double *traced = sim_xcalloc(sc->n_munis, sizeof *traced);
    for (size_t i = 0; i < sc->n_trace; i++) traced[sc->trace[i].muni] += 1.0;
    for (size_t m = 0; m < sc->n_munis; m++) {
        kim_muni *mu = &sc->munis[m];
        if (!isnan(mu->weight)) continue;
        mu->weight = mu->arrivals_per_day > 0.0 ? mu->arrivals_per_day
                                                : traced[m] / sc->horizon_days;
    }
    free(traced);
}

/* Every municipality that will have cases needs a post that serves it. */
static int check_served(scn_ctx *c, const config_setting_t *root)
{
    const kim_scenario *sc = c->sc;
    bool *served = sim_xcalloc(sc->n_munis, sizeof *served);
    bool *busy = sim_xcalloc(sc->n_munis, sizeof *busy);
    bool all = false;
    int rc = 0;
    for (size_t p = 0; p < sc->n_posts; p++) {
        all = all || sc->posts[p].serves_all;
        for (size_t k = 0; k < sc->posts[p].n_serves; k++)
            served[sc->posts[p].serves[k]] = true;
    }
    for (size_t i = 0; i < sc->n_trace; i++) busy[sc->trace[i].muni] = true;
    for (size_t m = 0; m < sc->n_munis && !all && !rc; m++) {
        const kim_muni *mu = &sc->munis[m];
        char path[SCN_PATH];
        if (served[m] || !(busy[m] || mu->arrivals_per_day > 0.0 ||
                           mu->initial_waiting > 0 || mu->initial_open > 0))
            continue;
        snprintf(path, sizeof path, "municipalities.%s", mu->id);
        rc = scn_fail(c, config_setting_get_elem(config_setting_get_member(
                          root, "municipalities"), (unsigned)m),
                      path, "no post serves it (add it to a post's serves, or "
                      "serves = [\"*\"])");
    }
    free(served);
    free(busy);
    return rc;
}

/* ------------------------------------------------------------------ */
/* Sizes: what a replication and the results will hold                  */
/* ------------------------------------------------------------------ */

/* Initial cases are all created at day 0, before the waiting-list limit
 * is looked at: their total is bounded here. */
static int check_initial(scn_ctx *c, const config_setting_t *root)
{
    const kim_scenario *sc = c->sc;
    long long waiting = 0, all = 0;
    for (size_t m = 0; m < sc->n_munis; m++) {
        char path[SCN_PATH];
        waiting += sc->munis[m].initial_waiting;
        all += sc->munis[m].initial_waiting + sc->munis[m].initial_open;
        if (waiting < sc->max_waiting && all <= SCN_MAX_CASES) continue;
        snprintf(path, sizeof path, "municipalities.%s.initial", sc->munis[m].id);
        const config_setting_t *e = config_setting_get_elem(
            config_setting_get_member(root, "municipalities"), (unsigned)m);
        const config_setting_t *g = config_setting_get_member(e, "initial");
        if (waiting >= sc->max_waiting)
            return scn_fail(c, g ? g : e, path, "brings the initial waiting list to "
                            "%lld cases, max_waiting is %ld", waiting, sc->max_waiting);
        return scn_fail(c, g ? g : e, path, "brings the initial cases to %lld in "
                        "total, at most %d are allowed", all, SCN_MAX_CASES);
    }
    return 0;
}

/* Open cases are bounded by the district's slots: so are those. */
static int check_slots(scn_ctx *c, const config_setting_t *root)
{
    const kim_scenario *sc = c->sc;
    double total = 0.0;
    for (size_t p = 0; p < sc->n_posts; p++) {
        char path[SCN_PATH];
        total += sc->posts[p].fte * sc->posts[p].caseload_per_fte;
        if (total <= (double)SCN_MAX_SLOTS) continue;
        snprintf(path, sizeof path, "posts.%s.fte", sc->posts[p].id);
        const config_setting_t *e = config_setting_get_elem(
            config_setting_get_member(root, "posts"), (unsigned)p);
        return scn_fail(c, config_setting_get_member(e, "fte"), path, "brings the "
                        "district's slots (fte x caseload_per_fte) to %.15g, at "
                        "most %ld are allowed", total, SCN_MAX_SLOTS);
    }
    return 0;
}

/* Distinct carriers among the posts (kim_groups makes one group each). */
/* Distinct carriers, compared against those found so far (a state has a
 * thousand posts but a handful of carriers). */
static size_t count_carriers(const kim_scenario *sc)
{
    const char **seen = sim_xcalloc(sc->n_posts + 1, sizeof *seen);
    size_t n = 0;
    for (size_t p = 0; p < sc->n_posts; p++) {
        size_t q = 0;
        while (q < n && strcmp(seen[q], sc->posts[p].carrier) != 0) q++;
        if (q == n) seen[n++] = sc->posts[p].carrier;
    }
    free(seen);
    return n;
}

/* Bytes the results of `reps` replications take: one value per group
 * (district, municipalities, posts, carriers, case types) and metric. */
static double results_bytes(const kim_scenario *sc, double reps)
{
    double groups = 1.0 + (double)sc->n_munis + (double)sc->n_posts +
                    (double)count_carriers(sc) + (double)sc->n_case_types;
    return reps * groups * KIM_N_METRICS * sizeof(double);
}

static void size_words(char *dst, size_t n, const kim_scenario *sc, double reps)
{
    snprintf(dst, n, "%.0f replications need %.3g GB for their results, at most "
             "%.3g GB are allowed (run fewer replications)", reps,
             results_bytes(sc, reps) / 1e9, SCN_MAX_RESULTS / 1e9);
}

int scn_check_replications(const kim_scenario *sc, long reps, const char *what,
                           scn_err *err)
{
    char words[300];
    if (results_bytes(sc, (double)reps) <= (double)SCN_MAX_RESULTS) return 0;
    size_words(words, sizeof words, sc, (double)reps);
    err->code = SCN_EBADINPUT;
    snprintf(err->msg, sizeof err->msg, "%s: %s", what, words);
    return SCN_EBADINPUT;
}

static int check_results(scn_ctx *c, const config_setting_t *root)
{
    char words[300];
    double reps = (double)c->sc->replications;
    if (results_bytes(c->sc, reps) <= (double)SCN_MAX_RESULTS) return 0;
    size_words(words, sizeof words, c->sc, reps);
    return scn_fail(c, config_setting_get_member(root, "replications"),
                    "replications", "%s", words);
}

int scn_validate(scn_ctx *c, const config_setting_t *root)
{
    if (check_shares(c, root) || check_served(c, root) || check_initial(c, root) ||
        check_slots(c, root) || check_results(c, root))
        return SCN_EBADINPUT;
    default_weights(c->sc);
    return 0;
}
