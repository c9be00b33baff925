/*
 * items.c — the three lists of named items: case_types, municipalities
 * and posts, each item with a name and an id (DESIGN.md §4).
 *
 * Invariant: the scenario's array and count are set before the first item
 * is read, so a failure half-way leaves a scenario kim_scenario_fini can
 * free; key paths in messages use the item's id as soon as it is known.
 */
#include "scn_impl.h"
#include "../sim/sim.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Ids are used in --set paths: no dots, brackets, spaces or '*'. */
static bool valid_id(const char *id)
{
    if (!*id) return false;
    for (const char *s = id; *s; s++) {
        char ch = *s;
        if (!((ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') ||
              (ch >= '0' && ch <= '9') || ch == '-' || ch == '_'))
            return false;
    }
    return true;
}

/* Reads name and id of item i of `list` and sets path to "list.<id>"
 * (or "list.[i]" while the id is unknown); checks the item's keys. */
static int item_head(scn_ctx *c, const config_setting_t *e, const char *list,
                     size_t i, const scn_key *keys, char **name, char **id,
                     char *path)
{
    const char *nm = NULL, *given = NULL;
    char *tree_id = scn_tree_id(e);
    if (tree_id && valid_id(tree_id)) scn_join(path, list, tree_id);
    else snprintf(path, SCN_PATH, "%s.[%zu]", list, i);
    free(tree_id);
    if (scn_check_keys(c, e, path, keys) ||
        scn_opt_str(c, e, path, "name", &nm, SCN_MAX_STR, SCN_REQ) ||
        scn_opt_str(c, e, path, "id", &given, SCN_MAX_STR, 0))
        return SCN_EBADINPUT;
    *name = sim_xstrdup(nm);
    *id = given ? sim_xstrdup(given) : kim_make_id(nm);
    if (given && !valid_id(given)) {
        char p[SCN_PATH];
        scn_join(p, path, "id");
        return scn_fail(c, config_setting_get_member(e, "id"), p, "may only "
                        "contain letters, digits, '-' and '_', got \"%s\"", given);
    }
    if (!**id)
        return scn_fail(c, e, path, "name \"%s\" gives an empty id; add "
                        "id = \"...\"", nm);
    return 0;
}

/* The id (or name) of item i of one list. */
typedef const char *(*label_fn)(const kim_scenario *sc, size_t i, bool id);

static const char *case_type_label(const kim_scenario *sc, size_t i, bool id)
{
    return id ? sc->case_types[i].id : sc->case_types[i].name;
}

static const char *muni_label(const kim_scenario *sc, size_t i, bool id)
{
    return id ? sc->munis[i].id : sc->munis[i].name;
}

static const char *post_label(const kim_scenario *sc, size_t i, bool id)
{
    return id ? sc->posts[i].id : sc->posts[i].name;
}

/* Builds the index of a kind from the ids and names of its n items. */
static int index_items(scn_ctx *c, scn_kind *k, const config_setting_t *list,
                       size_t n, label_fn label)
{
    const char **id = sim_xmalloc(n * sizeof *id);
    const char **nm = sim_xmalloc(n * sizeof *nm);
    for (size_t i = 0; i < n; i++) {
        id[i] = label(c->sc, i, true);
        nm[i] = label(c->sc, i, false);
    }
    int rc = scn_kind_build(c, k, list, id, nm, n);
    free(id);
    free(nm);
    return rc;
}

/* ------------------------------------------------------------------ */
/* Case types                                                           */
/* ------------------------------------------------------------------ */

static const scn_key *item_keys(const char *list)
{
    return scn_key_find(scn_top_keys, list)->sub;
}

static int read_case_type(scn_ctx *c, const config_setting_t *e, size_t i)
{
    kim_case_type *t = &c->sc->case_types[i];
    const config_setting_t *dur, *pat;
    char path[SCN_PATH], p[SCN_PATH];
    long long prio = 1;
    if (item_head(c, e, "case_types", i, item_keys("case_types"), &t->name,
                  &t->id, path) ||
        scn_opt_num(c, e, path, "share", &t->share, 0.0, 1.0, SCN_REQ) ||
        scn_opt_int(c, e, path, "priority", &prio, -1000000, 1000000, 0) ||
        scn_opt_group(c, e, path, "duration", &dur, SCN_REQ) ||
        scn_opt_group(c, e, path, "patience", &pat, 0))
        return SCN_EBADINPUT;
    t->priority = (int)prio;
    scn_join(p, path, "duration");
    if (scn_read_dist(c, dur, p, &t->duration)) return SCN_EBADINPUT;
    if (!pat) return 0;
    scn_join(p, path, "patience");
    return scn_read_dist(c, pat, p, &t->patience);
}

int scn_read_case_types(scn_ctx *c, const config_setting_t *root)
{
    const config_setting_t *list;
    size_t n;
    kim_scenario *sc = c->sc;
    if (scn_opt_items(c, root, "case_types", &list, &n, SCN_REQ)) return SCN_EBADINPUT;
    sc->case_types = sim_xcalloc(n, sizeof *sc->case_types);
    sc->n_case_types = n;
    for (size_t i = 0; i < n; i++)
        if (read_case_type(c, config_setting_get_elem(list, (unsigned)i), i))
            return SCN_EBADINPUT;
    return index_items(c, &c->ct, list, n, case_type_label);
}

/* ------------------------------------------------------------------ */
/* Municipalities                                                       */
/* ------------------------------------------------------------------ */

/* arrivals_per_year or arrivals_per_day: exactly one, unless a trace
 * (top-level or the municipality's own arrivals_file) supplies arrivals. */
static int read_rate(scn_ctx *c, const config_setting_t *e, const char *path,
                     bool traced, kim_muni *m)
{
    bool year = config_setting_get_member(e, "arrivals_per_year") != NULL;
    bool day = config_setting_get_member(e, "arrivals_per_day") != NULL;
    double per_year = 0.0;
    if (year && day)
        return scn_fail(c, e, path, "give arrivals_per_year or arrivals_per_day, "
                        "not both");
    if (!year && !day && !traced && !config_setting_get_member(e, "arrivals_file"))
        return scn_fail(c, e, path, "needs arrivals_per_year or arrivals_per_day "
                        "(or an arrivals_file)");
    if (day)
        return scn_opt_num(c, e, path, "arrivals_per_day", &m->arrivals_per_day,
                           0.0, SCN_MAX_RATE, 0);
    if (scn_opt_num(c, e, path, "arrivals_per_year", &per_year, 0.0,
                    365.0 * SCN_MAX_RATE, 0))
        return SCN_EBADINPUT;
    m->arrivals_per_day = per_year / 365.0;
    return 0;
}

static int read_initial(scn_ctx *c, const config_setting_t *e, const char *path,
                        kim_muni *m)
{
    const config_setting_t *g;
    char p[SCN_PATH];
    long long waiting = 0, open = 0;
    if (scn_opt_group(c, e, path, "initial", &g, 0) || !g) return c->err->code;
    scn_join(p, path, "initial");
    if (scn_check_keys(c, g, p, scn_key_find(item_keys("municipalities"),
                                              "initial")->sub) ||
        scn_opt_int(c, g, p, "waiting", &waiting, 0, SCN_MAX_CASES, 0) ||
        scn_opt_int(c, g, p, "open", &open, 0, SCN_MAX_CASES, 0))
        return SCN_EBADINPUT;
    m->initial_waiting = (int)waiting;
    m->initial_open = (int)open;
    return 0;
}

static int read_muni(scn_ctx *c, const config_setting_t *e, size_t i, bool traced)
{
    kim_muni *m = &c->sc->munis[i];
    const char *file = NULL;
    char path[SCN_PATH];
    m->weight = NAN;            /* resolved by scn_validate */
    if (item_head(c, e, "municipalities", i, item_keys("municipalities"),
                  &m->name, &m->id, path) ||
        read_rate(c, e, path, traced, m) ||
        scn_opt_str(c, e, path, "arrivals_file", &file, SCN_MAX_PATH, 0) ||
        scn_opt_num(c, e, path, "weight", &m->weight, 0.0, INFINITY, 0) ||
        read_initial(c, e, path, m))
        return SCN_EBADINPUT;
    return 0;
}

int scn_read_munis(scn_ctx *c, const config_setting_t *root)
{
    const config_setting_t *list;
    size_t n;
    kim_scenario *sc = c->sc;
    bool traced = config_setting_get_member(root, "arrivals_file") ||
                  config_setting_get_member(root, "arrivals");
    if (scn_opt_items(c, root, "municipalities", &list, &n, SCN_REQ))
        return SCN_EBADINPUT;
    sc->munis = sim_xcalloc(n, sizeof *sc->munis);
    sc->n_munis = n;
    for (size_t i = 0; i < n; i++)
        if (read_muni(c, config_setting_get_elem(list, (unsigned)i), i, traced))
            return SCN_EBADINPUT;
    return index_items(c, &c->mu, list, n, muni_label);
}

/* ------------------------------------------------------------------ */
/* Posts                                                                */
/* ------------------------------------------------------------------ */

/* fte, filled_fte <= fte, caseload_per_fte and the slots they give. */
static int read_capacity(scn_ctx *c, const config_setting_t *e, const char *path,
                         kim_post *p)
{
    char k[SCN_PATH];
    if (scn_opt_num(c, e, path, "fte", &p->fte, 0.0, INFINITY, SCN_REQ))
        return SCN_EBADINPUT;
    p->filled_fte = p->fte;
    p->caseload_per_fte = c->sc->caseload_per_fte;
    if (scn_opt_num(c, e, path, "filled_fte", &p->filled_fte, 0.0, INFINITY, 0) ||
        scn_opt_num(c, e, path, "caseload_per_fte", &p->caseload_per_fte, 0.0,
                    1e5, SCN_LO_OPEN))
        return SCN_EBADINPUT;
    if (p->filled_fte > p->fte) {
        const config_setting_t *f = config_setting_get_member(e, "fte");
        const char *set = config_setting_get_hook(f);
        scn_join(k, path, "filled_fte");
        return scn_fail(c, config_setting_get_member(e, "filled_fte"), k,
                        "must be <= fte (%.10g%s%s), got %.15g", p->fte,
                        set ? " from " : "", set ? set : "", p->filled_fte);
    }
    if (p->fte * p->caseload_per_fte <= (double)SCN_MAX_SLOTS) return 0;
    scn_join(k, path, "fte");
    return scn_fail(c, config_setting_get_member(e, "fte"), k, "gives %.15g slots "
                    "(fte x caseload_per_fte), at most %ld are allowed",
                    p->fte * p->caseload_per_fte, SCN_MAX_SLOTS);
}

static int read_staffing(scn_ctx *c, const config_setting_t *e, const char *path,
                         kim_post *p)
{
    const config_setting_t *g, *lag;
    char s[SCN_PATH], k[SCN_PATH];
    if (scn_opt_group(c, e, path, "staffing", &g, 0) || !g) return c->err->code;
    scn_join(s, path, "staffing");
    if (scn_check_keys(c, g, s, scn_key_find(item_keys("posts"), "staffing")->sub) ||
        scn_opt_num(c, g, s, "turnover_per_year", &p->turnover_per_year, 0.0,
                    1000.0, 0) ||
        scn_opt_group(c, g, s, "hiring_lag", &lag, 0))
        return SCN_EBADINPUT;
    scn_join(k, s, "hiring_lag");
    if (lag) return scn_read_dist(c, lag, k, &p->hiring_lag);
    if (p->turnover_per_year == 0.0) return 0;
    return scn_fail(c, g, k, "missing (required when turnover_per_year > 0)");
}

static int read_post(scn_ctx *c, const config_setting_t *e, size_t i)
{
    kim_post *p = &c->sc->posts[i];
    const char *carrier = "Kreis";
    const config_setting_t *serves;
    char path[SCN_PATH], k[SCN_PATH];
    if (item_head(c, e, "posts", i, item_keys("posts"), &p->name, &p->id, path) ||
        scn_opt_str(c, e, path, "carrier", &carrier, SCN_MAX_STR, 0))
        return SCN_EBADINPUT;
    p->carrier = sim_xstrdup(carrier);
    if (read_capacity(c, e, path, p)) return SCN_EBADINPUT;
    scn_join(k, path, "serves");
    serves = config_setting_get_member(e, "serves");
    if (!serves) return scn_fail(c, e, k, "missing (required; [\"*\"] serves all)");
    if (scn_refs(c, serves, k, &c->mu, &p->serves_all, &p->serves, &p->n_serves))
        return SCN_EBADINPUT;
    return read_staffing(c, e, path, p);
}

int scn_read_posts(scn_ctx *c, const config_setting_t *root)
{
    const config_setting_t *list;
    size_t n;
    kim_scenario *sc = c->sc;
    if (scn_opt_items(c, root, "posts", &list, &n, SCN_REQ)) return SCN_EBADINPUT;
    sc->posts = sim_xcalloc(n, sizeof *sc->posts);
    sc->n_posts = n;
    for (size_t i = 0; i < n; i++)
        if (read_post(c, config_setting_get_elem(list, (unsigned)i), i))
            return SCN_EBADINPUT;
    return index_items(c, &c->po, list, n, post_label);
}
