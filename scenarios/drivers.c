/*
 * drivers.c — the `drivers` list: influx (step or piecewise-linear
 * profile), housing_shortage, staffing and programme_end (DESIGN.md §3).
 *
 * Invariant: every driver this file stores has finite days >= 0, a window
 * with to_day > from_day (to_day INFINITY when open-ended), references
 * resolved to indices, and NAN exactly where a value stays unchanged.
 */
#include "scn_impl.h"
#include "../sim/sim.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

#define MAX_FACTOR 1000.0   /* arrivals or durations multiplied at most by this */

static const char *const kind_names[] = {
    "influx", "housing_shortage", "staffing", "programme_end", NULL
};

/* Keys each kind accepts besides `kind`. */
static const char *const kind_keys[][7] = {
    { "from_day", "to_day", "factor", "profile", "municipalities" },
    { "from_day", "to_day", "case_type", "share", "duration_factor" },
    { "day", "post", "fte", "filled_fte" },
    { "day" },
};

static int check_kind_keys(scn_ctx *c, const config_setting_t *g,
                           const char *path, int kind)
{
    char p[SCN_PATH], expects[SCN_PATH] = "";
    const char *const *keys = kind_keys[kind];
    for (size_t k = 0; k < 7 && keys[k]; k++) {
        size_t len = strlen(expects);
        snprintf(expects + len, sizeof expects - len, "%s%s", k ? ", " : "", keys[k]);
    }
    for (int i = 0; i < config_setting_length(g); i++) {
        const config_setting_t *m = config_setting_get_elem(g, (unsigned)i);
        const char *name = config_setting_name(m);
        bool ok = strcmp(name, "kind") == 0;
        for (size_t k = 0; !ok && k < 7 && keys[k]; k++)
            ok = strcmp(name, keys[k]) == 0;
        if (ok) continue;
        scn_join(p, path, name);
        return scn_fail(c, m, p, "unknown key '%s' for kind \"%s\" (expects %s)",
                        name, kind_names[kind], expects);
    }
    return 0;
}

/* from_day (default 0) and to_day (default open-ended) > from_day. */
static int read_window(scn_ctx *c, const config_setting_t *g, const char *path,
                       kim_driver *d)
{
    char p[SCN_PATH];
    if (scn_opt_num(c, g, path, "from_day", &d->from_day, 0.0, INFINITY, 0) ||
        scn_opt_num(c, g, path, "to_day", &d->to_day, 0.0, INFINITY, 0))
        return SCN_EBADINPUT;
    if (d->to_day > d->from_day) return 0;
    scn_join(p, path, "to_day");
    return scn_fail(c, config_setting_get_member(g, "to_day"), p,
                    "must be > from_day (%.10g), got %.15g", d->from_day, d->to_day);
}

/* One point (day, factor) of a profile; days strictly increase. */
static int read_point(scn_ctx *c, const config_setting_t *e, const char *p,
                      kim_driver *d, size_t i)
{
    if ((!config_setting_is_list(e) && !config_setting_is_array(e)) ||
        config_setting_length(e) != 2)
        return scn_fail(c, e, p, "must be a pair (day, factor), got %s",
                        scn_type_words(e));
    double *day = &d->profile_day[i], *f = &d->profile_factor[i];
    const config_setting_t *de = config_setting_get_elem(e, 0);
    const config_setting_t *fe = config_setting_get_elem(e, 1);
    if (scn_number(c, de, p, day) || scn_number(c, fe, p, f) ||
        scn_range(c, de, p, *day, 0.0, INFINITY, 0) ||
        scn_range(c, fe, p, *f, 0.0, MAX_FACTOR, 0))
        return SCN_EBADINPUT;
    if (i == 0 || *day > d->profile_day[i - 1]) return 0;
    return scn_fail(c, e, p, "days must increase, got %.15g after %.15g", *day,
                    d->profile_day[i - 1]);
}

static int read_profile(scn_ctx *c, const config_setting_t *g, const char *path,
                        kim_driver *d)
{
    const config_setting_t *pr = config_setting_get_member(g, "profile");
    char p[SCN_PATH];
    scn_join(p, path, "profile");
    if (config_setting_get_member(g, "factor") ||
        config_setting_get_member(g, "from_day") ||
        config_setting_get_member(g, "to_day"))
        return scn_fail(c, pr, p, "give factor (with from_day, to_day) or a "
                        "profile, not both");
    if (!config_setting_is_list(pr))
        return scn_fail(c, pr, p, "must be a list ( (day, factor), ... ), got %s",
                        scn_type_words(pr));
    size_t n = (size_t)config_setting_length(pr);
    if (n == 0) return scn_fail(c, pr, p, "must not be empty");
    if (n > SCN_MAX_VALUES)
        return scn_fail(c, pr, p, "has %zu points, at most %d are allowed", n,
                        SCN_MAX_VALUES);
    d->profile_day = sim_xmalloc(n * sizeof *d->profile_day);
    d->profile_factor = sim_xmalloc(n * sizeof *d->profile_factor);
    d->n_profile = n;
    for (size_t i = 0; i < n; i++) {
        char q[SCN_PATH + 32];
        snprintf(q, sizeof q, "%s.[%zu]", p, i);
        if (read_point(c, config_setting_get_elem(pr, (unsigned)i), q, d, i))
            return SCN_EBADINPUT;
    }
    d->from_day = d->profile_day[0];    /* the profile governs from here on */
    return 0;
}

static int read_influx(scn_ctx *c, const config_setting_t *g, const char *path,
                       kim_driver *d)
{
    const config_setting_t *m = config_setting_get_member(g, "municipalities");
    char p[SCN_PATH];
    if (config_setting_get_member(g, "profile")) {
        if (read_profile(c, g, path, d)) return SCN_EBADINPUT;
    } else if (scn_opt_num(c, g, path, "factor", &d->factor, 0.0, MAX_FACTOR,
                           SCN_REQ) || read_window(c, g, path, d)) {
        return SCN_EBADINPUT;
    }
    d->all_munis = true;
    if (!m) return 0;
    scn_join(p, path, "municipalities");
    return scn_refs(c, m, p, &c->mu, &d->all_munis, &d->munis, &d->n_munis);
}

static int read_housing(scn_ctx *c, const config_setting_t *g, const char *path,
                        kim_driver *d)
{
    const char *ct = NULL;
    char p[SCN_PATH];
    if (read_window(c, g, path, d) ||
        scn_opt_str(c, g, path, "case_type", &ct, SCN_MAX_STR, SCN_REQ) ||
        scn_opt_num(c, g, path, "share", &d->share, 0.0, 1.0, 0) ||
        scn_opt_num(c, g, path, "duration_factor", &d->duration_factor, 0.0,
                    MAX_FACTOR, SCN_LO_OPEN))
        return SCN_EBADINPUT;
    scn_join(p, path, "case_type");
    return scn_ref(c, config_setting_get_member(g, "case_type"), p, &c->ct, ct,
                   &d->case_type);
}

static int read_staffing(scn_ctx *c, const config_setting_t *g, const char *path,
                         kim_driver *d)
{
    const char *post = NULL;
    char p[SCN_PATH];
    if (scn_opt_num(c, g, path, "day", &d->day, 0.0, INFINITY, SCN_REQ) ||
        scn_opt_str(c, g, path, "post", &post, SCN_MAX_STR, SCN_REQ) ||
        scn_opt_num(c, g, path, "fte", &d->fte, 0.0, INFINITY, 0) ||
        scn_opt_num(c, g, path, "filled_fte", &d->filled_fte, 0.0, INFINITY, 0))
        return SCN_EBADINPUT;
    scn_join(p, path, "post");
    if (scn_ref(c, config_setting_get_member(g, "post"), p, &c->po, post, &d->post))
        return SCN_EBADINPUT;
    if (isnan(d->fte) && isnan(d->filled_fte))
        return scn_fail(c, g, path, "a staffing driver needs fte or filled_fte "
                        "(or both)");
    scn_join(p, path, "filled_fte");
    if (d->filled_fte > d->fte)
        return scn_fail(c, config_setting_get_member(g, "filled_fte"), p,
                        "must be <= fte (%.10g), got %.15g", d->fte, d->filled_fte);
    double fte = isnan(d->fte) ? d->filled_fte : d->fte;
    if (fte * c->sc->posts[d->post].caseload_per_fte <= (double)SCN_MAX_SLOTS)
        return 0;
    return scn_fail(c, g, path, "gives %.15g slots, at most %ld are allowed",
                    fte * c->sc->posts[d->post].caseload_per_fte, SCN_MAX_SLOTS);
}

static int read_driver(scn_ctx *c, const config_setting_t *g, size_t i)
{
    kim_driver *d = &c->sc->drivers[i];
    char path[SCN_PATH];
    int kind = 0;
    snprintf(path, sizeof path, "drivers.[%zu]", i);
    *d = (kim_driver){ .to_day = INFINITY, .factor = 1.0, .share = NAN,
                       .duration_factor = 1.0, .fte = NAN, .filled_fte = NAN };
    if (!config_setting_get_member(g, "kind"))
        return scn_fail(c, g, path, "missing kind (one of \"influx\", "
                        "\"housing_shortage\", \"staffing\", \"programme_end\")");
    if (scn_opt_enum(c, g, path, "kind", kind_names, &kind) ||
        check_kind_keys(c, g, path, kind))
        return SCN_EBADINPUT;
    d->kind = (kim_driver_kind)(kind + 1);
    switch (d->kind) {
    case KIM_DRV_INFLUX:  return read_influx(c, g, path, d);
    case KIM_DRV_HOUSING: return read_housing(c, g, path, d);
    case KIM_DRV_STAFFING: return read_staffing(c, g, path, d);
    default:
        return scn_opt_num(c, g, path, "day", &d->day, 0.0, INFINITY, SCN_REQ);
    }
}

/* A staffing driver that sets filled_fte alone: it may not exceed the
 * post's fte at that day, the post's own or that of the last staffing
 * driver before it (by day, then by place in the list) that set one. */
static int check_filled(scn_ctx *c, const config_setting_t *list, size_t i)
{
    const kim_scenario *sc = c->sc;
    const kim_driver *d = &sc->drivers[i];
    if (d->kind != KIM_DRV_STAFFING || !isnan(d->fte)) return 0;
    double fte = sc->posts[d->post].fte;
    const char *from = "the post's";
    char src[64] = "", path[SCN_PATH];
    long last = -1;
    for (size_t j = 0; j < sc->n_drivers; j++) {
        const kim_driver *e = &sc->drivers[j];
        if (e->kind != KIM_DRV_STAFFING || e->post != d->post || isnan(e->fte)) continue;
        if (e->day > d->day || (e->day == d->day && j > i)) continue;
        if (last >= 0 && (e->day < sc->drivers[last].day)) continue;
        last = (long)j;
    }
    if (last >= 0) {
        fte = sc->drivers[last].fte;
        snprintf(src, sizeof src, "drivers.[%ld]'s", last);
        from = src;
    }
    if (!(d->filled_fte > fte)) return 0;
    snprintf(path, sizeof path, "drivers.[%zu].filled_fte", i);
    const config_setting_t *g = config_setting_get_elem(list, (unsigned)i);
    return scn_fail(c, config_setting_get_member(g, "filled_fte"), path,
                    "must be <= %s fte at day %.10g (%.10g), got %.15g", from, d->day,
                    fte, d->filled_fte);
}

int scn_read_drivers(scn_ctx *c, const config_setting_t *root)
{
    const config_setting_t *list;
    size_t n;
    kim_scenario *sc = c->sc;
    if (scn_opt_items(c, root, "drivers", &list, &n, 0) || n == 0)
        return c->err->code;
    sc->drivers = sim_xcalloc(n, sizeof *sc->drivers);
    sc->n_drivers = n;
    for (size_t i = 0; i < n; i++)
        if (read_driver(c, config_setting_get_elem(list, (unsigned)i), i))
            return SCN_EBADINPUT;
    for (size_t i = 0; i < n; i++)
        if (check_filled(c, list, i)) return SCN_EBADINPUT;
    return 0;
}
