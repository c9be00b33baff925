/*
 * params.c — the scenario as plain data: defaults, ids, slots, and the
 * distributions cases draw from.
 *
 * Invariant: a kim_scenario owns everything it points to, so
 * kim_scenario_fini alone releases a loaded scenario.
 */
#include "kim.h"
#include "../sim/sim.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <gsl/gsl_randist.h>

/* ------------------------------------------------------------------ */
/* Distributions                                                        */
/* ------------------------------------------------------------------ */

static const char *const dist_names[] = {
    "none", "exponential", "lognormal", "gamma", "weibull", "fixed",
    "uniform", "triangular", "empirical"
};

const char *kim_dist_name(kim_dist_kind k)
{
    return (unsigned)k < sizeof dist_names / sizeof *dist_names
               ? dist_names[k] : "?";
}

/* Triangular(a, c, b) by inversion of its CDF: F(c) = (c-a)/(b-a). */
static double triangular(double a, double c, double b, double u)
{
    double fc = (c - a) / (b - a);
    if (u < fc) return a + sqrt(u * (b - a) * (c - a));
    return b - sqrt((1.0 - u) * (b - a) * (b - c));
}

double kim_dist_draw(const kim_dist *d, gsl_rng *r)
{
    double x;
    switch (d->kind) {
    case KIM_DIST_EXPONENTIAL: x = sim_exponential(r, d->p[0]); break;
    case KIM_DIST_LOGNORMAL:   x = sim_lognormal(r, d->p[0], d->p[1]); break;
    case KIM_DIST_GAMMA:       x = gsl_ran_gamma(r, d->p[0], d->p[1]); break;
    case KIM_DIST_WEIBULL:     x = gsl_ran_weibull(r, d->p[1], d->p[0]); break;
    case KIM_DIST_FIXED:       x = d->p[0]; break;
    case KIM_DIST_UNIFORM:     x = gsl_ran_flat(r, d->p[0], d->p[1]); break;
    case KIM_DIST_TRIANGULAR:
        x = triangular(d->p[0], d->p[1], d->p[2], gsl_rng_uniform(r));
        break;
    case KIM_DIST_EMPIRICAL:
        x = d->values[gsl_rng_uniform_int(r, d->n_values)];
        break;
    default: return 0.0;
    }
    return x < d->max ? x : d->max;
}

double kim_dist_mean(const kim_dist *d)
{
    const double *p = d->p;
    switch (d->kind) {
    case KIM_DIST_EXPONENTIAL: return p[0];
    case KIM_DIST_LOGNORMAL:   return exp(p[0] + 0.5 * p[1] * p[1]);
    case KIM_DIST_GAMMA:       return p[0] * p[1];
    case KIM_DIST_WEIBULL:     return p[1] * tgamma(1.0 + 1.0 / p[0]);
    case KIM_DIST_FIXED:       return p[0];
    case KIM_DIST_UNIFORM:     return 0.5 * (p[0] + p[1]);
    case KIM_DIST_TRIANGULAR:  return (p[0] + p[1] + p[2]) / 3.0;
    case KIM_DIST_EMPIRICAL: {
        double s = 0.0;
        for (size_t i = 0; i < d->n_values; i++) s += d->values[i];
        return d->n_values ? s / (double)d->n_values : 0.0;
    }
    default: return INFINITY;
    }
}

double kim_dist_sd(const kim_dist *d)
{
    const double *p = d->p;
    switch (d->kind) {
    case KIM_DIST_EXPONENTIAL: return p[0];
    case KIM_DIST_LOGNORMAL:
        return sqrt(expm1(p[1] * p[1])) * exp(p[0] + 0.5 * p[1] * p[1]);
    case KIM_DIST_GAMMA:       return sqrt(p[0]) * p[1];
    case KIM_DIST_WEIBULL: {
        double g1 = tgamma(1.0 + 1.0 / p[0]), g2 = tgamma(1.0 + 2.0 / p[0]);
        return p[1] * sqrt(g2 - g1 * g1);
    }
    case KIM_DIST_UNIFORM:     return (p[1] - p[0]) / sqrt(12.0);
    case KIM_DIST_TRIANGULAR: {
        double a = p[0], c = p[1], b = p[2];
        return sqrt((a * a + b * b + c * c - a * b - a * c - b * c) / 18.0);
    }
    case KIM_DIST_EMPIRICAL: {
        double m = kim_dist_mean(d), s = 0.0;
        for (size_t i = 0; i < d->n_values; i++)
            s += (d->values[i] - m) * (d->values[i] - m);
        return d->n_values > 1 ? sqrt(s / (double)d->n_values) : 0.0;
    }
    default: return 0.0;
    }
}

void kim_dist_lognormal_median(kim_dist *d, double median, double sigma)
{
    d->kind = KIM_DIST_LOGNORMAL;
    d->p[0] = log(median);
    d->p[1] = sigma;
}

/* Moments of the lognormal: mean = e^(mu + s^2/2), cv^2 = e^(s^2) - 1. */
void kim_dist_lognormal_mean_sd(kim_dist *d, double mean, double sd)
{
    double s2 = log1p((sd * sd) / (mean * mean));
    d->kind = KIM_DIST_LOGNORMAL;
    d->p[0] = log(mean) - 0.5 * s2;
    d->p[1] = sqrt(s2);
}

/* Gamma: mean = k theta, var = k theta^2. */
void kim_dist_gamma_mean_sd(kim_dist *d, double mean, double sd)
{
    d->kind = KIM_DIST_GAMMA;
    d->p[0] = (mean * mean) / (sd * sd);
    d->p[1] = (sd * sd) / mean;
}

/* ------------------------------------------------------------------ */
/* Scenario                                                             */
/* ------------------------------------------------------------------ */

void kim_scenario_defaults(kim_scenario *sc)
{
    memset(sc, 0, sizeof *sc);
    sc->warmup_days = 0.0;
    sc->replications = 10;
    sc->seed = 1;
    sc->sample_days = 7.0;
    sc->caseload_per_fte = 40.0;
    sc->targets.wait_days = 14.0;
    sc->targets.wait_quantile = 0.9;
    sc->targets.max_utilization = 0.95;
    sc->targets.max_reneged_share = 0.05;
    sc->targets.max_backlog_growth_per_month = 1.0;
    sc->queue = KIM_QUEUE_PRIORITY;
    sc->assign = KIM_ASSIGN_HOME_FIRST;
    sc->capacity_drop = KIM_DROP_FINISH;
    sc->cost_per_fte_year = 55000.0;
    sc->cost_top_up_per_fte_year = 0.0;
}

static void dist_fini(kim_dist *d)
{
    free(d->values);
    d->values = NULL;
}

void kim_scenario_fini(kim_scenario *sc)
{
    for (size_t i = 0; i < sc->n_case_types; i++) {
        free(sc->case_types[i].name);
        free(sc->case_types[i].id);
        dist_fini(&sc->case_types[i].duration);
        dist_fini(&sc->case_types[i].patience);
    }
    for (size_t i = 0; i < sc->n_munis; i++) {
        free(sc->munis[i].name);
        free(sc->munis[i].id);
    }
    for (size_t i = 0; i < sc->n_posts; i++) {
        kim_post *p = &sc->posts[i];
        free(p->name);
        free(p->id);
        free(p->carrier);
        free(p->serves);
        dist_fini(&p->hiring_lag);
    }
    for (size_t i = 0; i < sc->n_drivers; i++) {
        free(sc->drivers[i].profile_day);
        free(sc->drivers[i].profile_factor);
        free(sc->drivers[i].munis);
    }
    free(sc->case_types);
    free(sc->munis);
    free(sc->posts);
    free(sc->drivers);
    free(sc->trace);
    free(sc->arrivals_file);
    free(sc->name);
    free(sc->description);
    free(sc->source);
    free(sc->name_at);
    free(sc->rng);
    memset(sc, 0, sizeof *sc);
}

long kim_slots(double filled_fte, double caseload_per_fte)
{
    double s = floor(filled_fte * caseload_per_fte + 1e-9);
    return s > 0.0 ? (long)s : 0;
}

double kim_post_caseload(const kim_scenario *sc, size_t p)
{
    double c = sc->posts[p].caseload_per_fte;
    return c > 0.0 ? c : sc->caseload_per_fte;
}

bool kim_post_serves(const kim_post *p, size_t m)
{
    if (p->serves_all) return true;
    for (size_t i = 0; i < p->n_serves; i++)
        if (p->serves[i] == m) return true;
    return false;
}

/* UTF-8 sequences of German letters and their ASCII transliteration. */
static const struct { const char *utf8, *ascii; } translit[] = {
    { "\xc3\xa4", "ae" }, { "\xc3\xb6", "oe" }, { "\xc3\xbc", "ue" },
    { "\xc3\x84", "ae" }, { "\xc3\x96", "oe" }, { "\xc3\x9c", "ue" },
    { "\xc3\x9f", "ss" }, { "\xc3\xa9", "e" },  { "\xc3\xa8", "e" },
};

char *kim_make_id(const char *name)
{
    size_t n = strlen(name);
    char *out = sim_xmalloc(2 * n + 1), *o = out;
    int dash = 0;
    for (const char *s = name; *s;) {
        const char *rep = NULL;
        size_t skip = 1;
        for (size_t i = 0; (unsigned char)*s >= 0x80 && i < sizeof translit / sizeof *translit; i++)
            if (strncmp(s, translit[i].utf8, 2) == 0) {     /* UTF-8: two bytes */
                rep = translit[i].ascii;
                skip = 2;
                break;
            }
        unsigned char c = (unsigned char)*s;
        if (rep || (c < 128 && (c == '_' || (c >= '0' && c <= '9') ||
                                ((c | 32) >= 'a' && (c | 32) <= 'z')))) {
            if (dash && o > out) *o++ = '-';
            dash = 0;
            if (rep) { strcpy(o, rep); o += strlen(rep); }
            else *o++ = (char)((c >= 'A' && c <= 'Z') ? c + 32 : c);
        } else {
            dash = 1;       /* spaces, punctuation, other bytes: one '-' */
        }
        s += skip;
    }
    *o = '\0';
    return out;
}
