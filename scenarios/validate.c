/*
 * validate.c — checks that need the whole scenario: case-type shares sum
 * to 1, every municipality with cases has a post that serves it, and the
 * defaults that depend on other items (municipality weights).
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

int scn_validate(scn_ctx *c, const config_setting_t *root)
{
    if (check_shares(c, root) || check_served(c, root)) return SCN_EBADINPUT;
    default_weights(c->sc);
    return 0;
}
