/*
 * groups.c — the groups a replication reports on, in their fixed order:
 * district, municipalities, posts, carriers, case types (DESIGN.md §7).
 *
 * Invariant: group g of kind K with index i satisfies
 * kim_group_of(K, i) == g; carriers are numbered by first appearance in
 * the post list, so the order never depends on anything but the scenario.
 */
#include "kim.h"
#include "../sim/sim.h"

#include <stdlib.h>
#include <string.h>

const char *const kim_metric_names[KIM_N_METRICS] = {
    "arrivals", "started", "closed", "reneged", "waiting_at_end",
    "open_at_end", "wait_mean", "wait_p50", "wait_p90", "wait_p95",
    "wait_max", "within_target_share", "reneged_share", "queue_mean",
    "queue_max", "utilization", "caseload_per_fte", "filled_fte_mean",
    "cost_eur", "wait_target_quantile", "p_wait", "backlog_slope_per_month"
};

static char *label(const char *prefix, const char *name)
{
    size_t a = strlen(prefix), b = strlen(name);
    char *s = sim_xmalloc(a + b + 1);
    memcpy(s, prefix, a);
    memcpy(s + a, name, b + 1);
    return s;
}

static void add(kim_groups *g, kim_group_kind kind, size_t index, char *lab)
{
    if (index == 0) g->first[kind] = g->n;
    g->label[g->n] = lab;
    g->kind[g->n] = kind;
    g->index[g->n] = index;
    g->n++;
}

static void find_carriers(kim_groups *g, const kim_scenario *sc)
{
    g->carrier = sim_xcalloc(sc->n_posts + 1, sizeof *g->carrier);
    g->post_carrier = sim_xcalloc(sc->n_posts + 1, sizeof *g->post_carrier);
    for (size_t p = 0; p < sc->n_posts; p++) {
        size_t c = 0;
        while (c < g->n_carriers && strcmp(g->carrier[c], sc->posts[p].carrier))
            c++;
        if (c == g->n_carriers) g->carrier[g->n_carriers++] = sc->posts[p].carrier;
        g->post_carrier[p] = c;
    }
}

void kim_groups_init(kim_groups *g, const kim_scenario *sc)
{
    memset(g, 0, sizeof *g);
    find_carriers(g, sc);
    size_t cap = 1 + sc->n_munis + sc->n_posts + g->n_carriers + sc->n_case_types;
    g->label = sim_xcalloc(cap, sizeof *g->label);
    g->kind = sim_xcalloc(cap, sizeof *g->kind);
    g->index = sim_xcalloc(cap, sizeof *g->index);
    for (int k = 0; k < 5; k++) g->first[k] = cap;   /* kinds with no group */
    add(g, KIM_G_DISTRICT, 0, sim_xstrdup("district"));
    for (size_t i = 0; i < sc->n_munis; i++)
        add(g, KIM_G_MUNI, i, label("municipality:", sc->munis[i].name));
    for (size_t i = 0; i < sc->n_posts; i++)
        add(g, KIM_G_POST, i, label("post:", sc->posts[i].name));
    for (size_t i = 0; i < g->n_carriers; i++)
        add(g, KIM_G_CARRIER, i, label("carrier:", g->carrier[i]));
    for (size_t i = 0; i < sc->n_case_types; i++)
        add(g, KIM_G_CASE_TYPE, i, label("case_type:", sc->case_types[i].name));
}

void kim_groups_fini(kim_groups *g)
{
    for (size_t i = 0; i < g->n; i++) free(g->label[i]);
    free(g->label);
    free(g->kind);
    free(g->index);
    free(g->carrier);
    free(g->post_carrier);
    memset(g, 0, sizeof *g);
}

size_t kim_group_of(const kim_groups *g, kim_group_kind kind, size_t index)
{
    return g->first[kind] + index;
}
