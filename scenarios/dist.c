/*
 * dist.c — distribution groups { dist = "..."; ... } -> canonical kim_dist.
 *
 * Invariant: a kim_dist this file fills has finite canonical parameters
 * for which every draw is >= 0 (kim.h), and max = INFINITY unless a cap
 * was given; uniform and triangular use `max` as their upper bound.
 */
#include "scn_impl.h"
#include "../sim/sim.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

typedef struct dist_spec {
    const char *name;
    kim_dist_kind kind;
    const char *keys[6];    /* keys besides dist and max */
    const char *expects;    /* for messages */
} dist_spec;

static const dist_spec specs[] = {
    { "exponential", KIM_DIST_EXPONENTIAL, { "mean" }, "mean" },
    { "lognormal", KIM_DIST_LOGNORMAL, { "median", "sigma", "mean", "sd", "mu" },
      "median and sigma, or mean and sd" },
    { "gamma", KIM_DIST_GAMMA, { "mean", "sd", "shape", "scale" }, "mean and sd" },
    { "weibull", KIM_DIST_WEIBULL, { "shape", "scale" }, "shape and scale" },
    { "fixed", KIM_DIST_FIXED, { "value" }, "value" },
    { "uniform", KIM_DIST_UNIFORM, { "min" }, "min and max" },
    { "triangular", KIM_DIST_TRIANGULAR, { "min", "mode" }, "min, mode and max" },
    { "empirical", KIM_DIST_EMPIRICAL, { "values" }, "values = [ ... ]" },
};
#define N_SPECS (sizeof specs / sizeof *specs)

static bool has(const config_setting_t *g, const char *key)
{
    return config_setting_get_member(g, key) != NULL;
}

/* Every key of g must be dist, max or one of the kind's keys. */
static int check_kind_keys(scn_ctx *c, const config_setting_t *g,
                           const char *path, const dist_spec *sp)
{
    char p[SCN_PATH];
    for (int i = 0; i < config_setting_length(g); i++) {
        const config_setting_t *m = config_setting_get_elem(g, (unsigned)i);
        const char *name = config_setting_name(m);
        bool ok = strcmp(name, "dist") == 0 || strcmp(name, "max") == 0;
        for (size_t k = 0; !ok && k < 6 && sp->keys[k]; k++)
            ok = strcmp(name, sp->keys[k]) == 0;
        if (ok) continue;
        scn_join(p, path, name);
        return scn_fail(c, m, p, "unknown key '%s' for dist \"%s\" (expects %s)",
                        name, sp->name, sp->expects);
    }
    return 0;
}

/* A positive parameter, required. */
static int pos(scn_ctx *c, const config_setting_t *g, const char *path,
               const char *key, double *out)
{
    return scn_opt_num(c, g, path, key, out, 0.0, INFINITY, SCN_REQ | SCN_LO_OPEN);
}

static int read_lognormal(scn_ctx *c, const config_setting_t *g,
                          const char *path, kim_dist *d)
{
    bool med = has(g, "median"), mu = has(g, "mu"), mean = has(g, "mean");
    double a, b;
    if (med + mu + mean != 1 || (mean && has(g, "sigma")) || (!mean && has(g, "sd")))
        return scn_fail(c, g, path, "dist \"lognormal\" needs either median "
                        "and sigma, or mean and sd");
    if (mean) {
        if (pos(c, g, path, "mean", &a) || pos(c, g, path, "sd", &b))
            return SCN_EBADINPUT;
        kim_dist_lognormal_mean_sd(d, a, b);
        return 0;
    }
    if (pos(c, g, path, "sigma", &b)) return SCN_EBADINPUT;
    if (med) {
        if (pos(c, g, path, "median", &a)) return SCN_EBADINPUT;
        kim_dist_lognormal_median(d, a, b);
    } else {
        if (scn_opt_num(c, g, path, "mu", &a, -INFINITY, INFINITY, SCN_REQ))
            return SCN_EBADINPUT;
        d->p[0] = a;            /* mu is already canonical */
        d->p[1] = b;
    }
    return 0;
}

static int read_gamma(scn_ctx *c, const config_setting_t *g, const char *path,
                      kim_dist *d)
{
    double a, b;
    bool canon = has(g, "shape") || has(g, "scale");
    if (canon && (has(g, "mean") || has(g, "sd")))
        return scn_fail(c, g, path, "dist \"gamma\" needs either mean and sd, "
                        "or shape and scale");
    if (pos(c, g, path, canon ? "shape" : "mean", &a) ||
        pos(c, g, path, canon ? "scale" : "sd", &b))
        return SCN_EBADINPUT;
    if (canon) {
        d->kind = KIM_DIST_GAMMA;
        d->p[0] = a;
        d->p[1] = b;
    } else {
        kim_dist_gamma_mean_sd(d, a, b);
    }
    return 0;
}

/* min >= 0 and max > min; triangular: min <= mode <= max. */
static int read_bounded(scn_ctx *c, const config_setting_t *g, const char *path,
                        kim_dist *d)
{
    double lo, hi, mode = 0.0;
    char p[SCN_PATH];
    bool tri = d->kind == KIM_DIST_TRIANGULAR;
    if (scn_opt_num(c, g, path, "min", &lo, 0.0, INFINITY, SCN_REQ) ||
        scn_opt_num(c, g, path, "max", &hi, -INFINITY, INFINITY, SCN_REQ))
        return SCN_EBADINPUT;
    scn_join(p, path, "max");
    if (scn_range(c, config_setting_get_member(g, "max"), p, hi, lo, INFINITY,
                  SCN_LO_OPEN))
        return SCN_EBADINPUT;
    if (tri && scn_opt_num(c, g, path, "mode", &mode, lo, hi, SCN_REQ))
        return SCN_EBADINPUT;
    d->p[0] = lo;
    d->p[1] = tri ? mode : hi;
    d->p[2] = tri ? hi : 0.0;
    return 0;
}

static int read_empirical(scn_ctx *c, const config_setting_t *g,
                          const char *path, kim_dist *d)
{
    const config_setting_t *v = config_setting_get_member(g, "values");
    char p[SCN_PATH];
    scn_join(p, path, "values");
    if (!v) return scn_fail(c, g, p, "missing (required)");
    if (!config_setting_is_array(v) && !config_setting_is_list(v))
        return scn_fail(c, v, p, "must be an array [ ... ] of numbers, got %s",
                        scn_type_words(v));
    size_t n = (size_t)config_setting_length(v);
    if (n == 0) return scn_fail(c, v, p, "must not be empty");
    if (n > SCN_MAX_VALUES)
        return scn_fail(c, v, p, "has %zu values, at most %d are allowed",
                        n, SCN_MAX_VALUES);
    d->values = sim_xmalloc(n * sizeof *d->values);
    d->n_values = n;
    for (size_t i = 0; i < n; i++) {
        const config_setting_t *e = config_setting_get_elem(v, (unsigned)i);
        if (scn_number(c, e, p, &d->values[i]) ||
            scn_range(c, e, p, d->values[i], 0.0, INFINITY, 0))
            return SCN_EBADINPUT;
    }
    return 0;
}

static int read_params(scn_ctx *c, const config_setting_t *g, const char *path,
                       kim_dist *d)
{
    switch (d->kind) {
    case KIM_DIST_EXPONENTIAL: return pos(c, g, path, "mean", &d->p[0]);
    case KIM_DIST_LOGNORMAL:   return read_lognormal(c, g, path, d);
    case KIM_DIST_GAMMA:       return read_gamma(c, g, path, d);
    case KIM_DIST_WEIBULL:
        return pos(c, g, path, "shape", &d->p[0]) ||
               pos(c, g, path, "scale", &d->p[1]) ? SCN_EBADINPUT : 0;
    case KIM_DIST_FIXED:
        return scn_opt_num(c, g, path, "value", &d->p[0], 0.0, INFINITY, SCN_REQ);
    case KIM_DIST_UNIFORM:
    case KIM_DIST_TRIANGULAR:  return read_bounded(c, g, path, d);
    default:                   return read_empirical(c, g, path, d);
    }
}

int scn_read_dist(scn_ctx *c, const config_setting_t *g, const char *path,
                  kim_dist *d)
{
    const char *name = NULL;
    char p[SCN_PATH], list[SCN_PATH] = "";
    const dist_spec *sp = NULL;
    if (scn_opt_str(c, g, path, "dist", &name, SCN_MAX_STR, SCN_REQ))
        return SCN_EBADINPUT;
    for (size_t i = 0; i < N_SPECS; i++) {
        if (strcmp(name, specs[i].name) == 0) sp = &specs[i];
        size_t len = strlen(list);
        snprintf(list + len, sizeof list - len, "%s%s", i ? ", " : "", specs[i].name);
    }
    scn_join(p, path, "dist");
    if (!sp)
        return scn_fail(c, config_setting_get_member(g, "dist"), p,
                        "unknown distribution \"%s\" (known: %s)", name, list);
    if (check_kind_keys(c, g, path, sp)) return SCN_EBADINPUT;
    *d = (kim_dist){ .kind = sp->kind, .max = INFINITY };
    if (read_params(c, g, path, d)) return SCN_EBADINPUT;
    if (!isfinite(kim_dist_mean(d)) || !isfinite(kim_dist_sd(d))) {
        /* blame a parameter a --set wrote, if one did, not the group's line */
        const config_setting_t *at = g;
        for (int i = 0; i < config_setting_length(g); i++) {
            const config_setting_t *m = config_setting_get_elem(g, (unsigned)i);
            if (config_setting_get_hook(m)) at = m;
        }
        return scn_fail(c, at, path, "parameters give an infinite mean or sd");
    }
    if (sp->kind == KIM_DIST_UNIFORM || sp->kind == KIM_DIST_TRIANGULAR) return 0;
    return scn_opt_num(c, g, path, "max", &d->max, 0.0, INFINITY, SCN_LO_OPEN);
}
