/*
 * print.c — the resolved scenario written back in the scenario language
 * (`kimsim check`), and its hash (of the arrivals replayed, not a file name)
 * for the manifest and the journal.
 *
 * Invariant: scn_load_string of scn_print's output gives the same
 * scenario bit for bit: reals are printed in the shortest form that reads
 * back to the same double, distributions in their canonical parameters
 * (lognormal mu/sigma, gamma shape/scale; the familiar median or mean
 * follow as a comment), references by id, and every default explicitly.
 */
#include "scn_impl.h"
#include "../sim/sim.h"

#include <inttypes.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

/* x = D / 10^k, D an integer below 10^15, k <= 6 (1.5, 0.85, 12.345):
 * x is the double nearest to that decimal, so "%.15g" prints just its
 * digits and they read back as x; written here without printf or the
 * strtod check (a state's scenario has tens of thousands of them). */
static int short_decimal(char buf[40], double x)
{
    static const double p10[] = { 1, 10, 100, 1e3, 1e4, 1e5, 1e6 };
    double a = fabs(x);
    if (!(a >= 1e-4 && a < 1e9)) return 0;
    for (int k = 0; k <= 6; k++) {
        double d = nearbyint(a * p10[k]);
        if (d / p10[k] != a) continue;
        char dig[24];
        int n = 0;
        for (unsigned long long u = (unsigned long long)d; n == 0 || u; u /= 10)
            dig[n++] = (char)('0' + u % 10);
        while (n <= k) dig[n++] = '0';
        int lo = 0;                              /* trailing zeros go */
        while (lo < k && dig[lo] == '0') lo++;
        char *p = buf;
        if (x < 0) *p++ = '-';
        for (int i = n - 1; i >= k; i--) *p++ = dig[i];
        *p++ = '.';                              /* marked as a real */
        if (lo == k) *p++ = '0';
        for (int i = k - 1; i >= lo; i--) *p++ = dig[i];
        *p = '\0';
        return 1;
    }
    return 0;
}

/* Shortest %.Ng (N = 15..17) that reads back as x, marked as a real. */
static const char *num(char buf[40], double x)
{
    if (short_decimal(buf, x)) return buf;
    for (int prec = 15; prec <= 17; prec++) {
        snprintf(buf, 40, "%.*g", prec, x);
        if (strtod(buf, NULL) == x) break;
    }
    if (!strpbrk(buf, ".eEni")) strcat(buf, ".0");
    return buf;
}

/* A string literal: quotes and backslashes escaped. */
static void str(FILE *f, const char *s)
{
    static const char special[] = "\"\\\x01\x02\x03\x04\x05\x06\x07\x08\x09\x0a"
        "\x0b\x0c\x0d\x0e\x0f\x10\x11\x12\x13\x14\x15\x16\x17\x18\x19\x1a\x1b"
        "\x1c\x1d\x1e\x1f";
    fputc('"', f);
    while (s && *s) {
        size_t n = strcspn(s, special);        /* a run written whole */
        fwrite(s, 1, n, f);
        s += n;
        if (!*s) break;
        unsigned char ch = (unsigned char)*s++;
        if (ch == '"' || ch == '\\') fprintf(f, "\\%c", ch);
        else fprintf(f, "\\x%02x", ch);
    }
    fputc('"', f);
}

/* An integer, as "%lld" (posts and municipalities print several). */
static void integer(FILE *f, long long x)
{
    char b[24], *p = b + sizeof b;
    unsigned long long u = x < 0 ? 0ull - (unsigned long long)x : (unsigned long long)x;
    *--p = '\0';
    do *--p = (char)('0' + u % 10); while ((u /= 10) != 0);
    if (x < 0) *--p = '-';
    fputs(p, f);
}

/* "key = value; " for a real. */
static void real(FILE *f, const char *key, double x)
{
    char b[40];
    fputs(key, f);
    fputs(" = ", f);
    fputs(num(b, x), f);
    fputs("; ", f);
}

static void print_dist(FILE *f, const char *key, const kim_dist *d)
{
    const double *p = d->p;
    fprintf(f, "%s = { dist = \"%s\"; ", key, kim_dist_name(d->kind));
    switch (d->kind) {
    case KIM_DIST_EXPONENTIAL: real(f, "mean", p[0]); break;
    case KIM_DIST_LOGNORMAL: real(f, "mu", p[0]); real(f, "sigma", p[1]); break;
    case KIM_DIST_GAMMA: real(f, "shape", p[0]); real(f, "scale", p[1]); break;
    case KIM_DIST_WEIBULL: real(f, "shape", p[0]); real(f, "scale", p[1]); break;
    case KIM_DIST_FIXED: real(f, "value", p[0]); break;
    case KIM_DIST_UNIFORM: real(f, "min", p[0]); real(f, "max", p[1]); break;
    case KIM_DIST_TRIANGULAR:
        real(f, "min", p[0]); real(f, "mode", p[1]); real(f, "max", p[2]);
        break;
    default: {
        char b[40];
        fputs("values = [", f);
        for (size_t i = 0; i < d->n_values; i++)
            fprintf(f, "%s%s", i ? ", " : " ", num(b, d->values[i]));
        fputs(" ]; ", f);
    }
    }
    if (isfinite(d->max)) real(f, "max", d->max);
    fputs("};", f);
    if (d->kind == KIM_DIST_LOGNORMAL)
        fprintf(f, "  # median %.6g, mean %.6g", exp(p[0]), kim_dist_mean(d));
    else if (d->kind == KIM_DIST_GAMMA)
        fprintf(f, "  # mean %.6g, sd %.6g", kim_dist_mean(d), kim_dist_sd(d));
}

static void print_top(FILE *f, const kim_scenario *sc)
{
    const kim_targets *t = &sc->targets;
    char b[40];
    fputs("# kimsim: the resolved scenario, every default filled in\n", f);
    fputs("name = ", f); str(f, sc->name); fputs(";\n", f);
    fputs("description = ", f); str(f, sc->description ? sc->description : "");
    fprintf(f, ";\nhorizon_days = %s; ", num(b, sc->horizon_days));
    if (sc->warmup_auto) fputs("warmup_days = \"auto\";\n", f);
    else fprintf(f, "warmup_days = %s;\n", num(b, sc->warmup_days));
    fprintf(f, "replications = %ld; seed = %" PRIu64 "%s; rng = ", sc->replications,
            sc->seed, sc->seed > 2147483647u ? "L" : "");
    str(f, sc->rng ? sc->rng : "mt19937");
    fprintf(f, "; sample_days = %s;\nmax_waiting = %ld;\n", num(b, sc->sample_days),
            sc->max_waiting > 0 ? sc->max_waiting : KIM_MAX_WAITING_DEFAULT);
    fprintf(f, "caseload = { per_fte = %s; };\n", num(b, sc->caseload_per_fte));
    fputs("targets = { ", f);
    real(f, "wait_days", t->wait_days); real(f, "wait_quantile", t->wait_quantile);
    real(f, "max_utilization", t->max_utilization);
    real(f, "max_reneged_share", t->max_reneged_share);
    real(f, "max_backlog_growth_per_month", t->max_backlog_growth_per_month);
    fprintf(f, "};\npolicy = { queue = \"%s\"; assign = \"%s\"; capacity_drop = \"%s\"; };\n",
            scn_queue_names[sc->queue], scn_assign_names[sc->assign],
            scn_drop_names[sc->capacity_drop]);
    fputs("cost = { ", f);
    real(f, "per_fte_year", sc->cost_per_fte_year);
    real(f, "top_up_per_fte_year", sc->cost_top_up_per_fte_year);
    fputs("};\n", f);
}

/* "  { name = "..."; id = "..."; " */
static void item_head(FILE *f, const char *name, const char *id)
{
    fputs("  { name = ", f); str(f, name);
    fputs("; id = ", f); str(f, id);
    fputs("; ", f);
}

static void print_case_types(FILE *f, const kim_scenario *sc)
{
    fputs("\ncase_types = (\n", f);
    for (size_t i = 0; i < sc->n_case_types; i++) {
        const kim_case_type *t = &sc->case_types[i];
        item_head(f, t->name, t->id);
        real(f, "share", t->share);
        fprintf(f, "priority = %d;\n    ", t->priority);
        print_dist(f, "duration", &t->duration);
        if (t->patience.kind != KIM_DIST_NONE) {
            fputs("\n    ", f);
            print_dist(f, "patience", &t->patience);
        }
        fprintf(f, "\n  }%s\n", i + 1 < sc->n_case_types ? "," : "");
    }
    fputs(");\n", f);
}

static void print_munis(FILE *f, const kim_scenario *sc)
{
    fputs("\nmunicipalities = (\n", f);
    for (size_t i = 0; i < sc->n_munis; i++) {
        const kim_muni *m = &sc->munis[i];
        item_head(f, m->name, m->id);
        char rate[40];
        fputs("arrivals_per_day = ", f);
        fputs(num(rate, m->arrivals_per_day), f);
        fprintf(f, ";  # %.6g per year\n    weight = ", 365.0 * m->arrivals_per_day);
        char b[40];                     /* the weight is often the rate itself */
        int same = m->weight == m->arrivals_per_day &&
                   !signbit(m->weight) == !signbit(m->arrivals_per_day);
        fputs(same ? rate : num(b, m->weight), f);
        fputs("; initial = { waiting = ", f);
        integer(f, m->initial_waiting);
        fputs("; open = ", f);
        integer(f, m->initial_open);
        fputs(i + 1 < sc->n_munis ? "; }; },\n" : "; }; }\n", f);
    }
    fputs(");\n", f);
}

/* ["*"] or the ids of the municipalities idx[0..n). */
static void muni_refs(FILE *f, const kim_scenario *sc, bool all,
                      const size_t *idx, size_t n)
{
    fputc('[', f);
    if (all) fputs("\"*\"", f);
    for (size_t i = 0; i < n && !all; i++) {
        if (i) fputs(", ", f);
        str(f, sc->munis[idx[i]].id);
    }
    fputc(']', f);
}

static void print_posts(FILE *f, const kim_scenario *sc)
{
    fputs("\nposts = (\n", f);
    for (size_t i = 0; i < sc->n_posts; i++) {
        const kim_post *p = &sc->posts[i];
        item_head(f, p->name, p->id);
        fputs("carrier = ", f); str(f, p->carrier); fputs(";\n    ", f);
        real(f, "fte", p->fte); real(f, "filled_fte", p->filled_fte);
        real(f, "caseload_per_fte", p->caseload_per_fte);
        fputs(" # ", f);
        integer(f, kim_slots(p->filled_fte, p->caseload_per_fte));
        fputs(" slots\n    serves = ", f);
        muni_refs(f, sc, p->serves_all, p->serves, p->n_serves);
        fputs(";\n    staffing = { ", f);
        real(f, "turnover_per_year", p->turnover_per_year);
        if (p->hiring_lag.kind != KIM_DIST_NONE) print_dist(f, "hiring_lag", &p->hiring_lag);
        if (p->hiring_lag.kind != KIM_DIST_NONE) fputs("\n    ", f);
        fputs(i + 1 < sc->n_posts ? "}; },\n" : "}; }\n", f);
    }
    fputs(");\n", f);
}

static void print_window(FILE *f, const kim_driver *d)
{
    real(f, "from_day", d->from_day);
    if (isfinite(d->to_day)) real(f, "to_day", d->to_day);
}

static void print_driver(FILE *f, const kim_scenario *sc, const kim_driver *d)
{
    static const char *const kinds[] = { "?", "influx", "housing_shortage",
                                         "staffing", "programme_end" };
    char b[40], b2[40];
    fprintf(f, "  { kind = \"%s\"; ", kinds[d->kind]);
    if (d->kind == KIM_DRV_INFLUX && d->n_profile) {
        fputs("profile = (", f);
        for (size_t i = 0; i < d->n_profile; i++)
            fprintf(f, "%s(%s, %s)", i ? ", " : " ", num(b, d->profile_day[i]),
                    num(b2, d->profile_factor[i]));
        fputs(" ); ", f);
    } else if (d->kind == KIM_DRV_INFLUX) {
        print_window(f, d);
        real(f, "factor", d->factor);
    }
    if (d->kind == KIM_DRV_INFLUX) {
        fputs("municipalities = ", f);
        muni_refs(f, sc, d->all_munis, d->munis, d->n_munis);
        fputs("; ", f);
    } else if (d->kind == KIM_DRV_HOUSING) {
        print_window(f, d);
        fputs("case_type = ", f); str(f, sc->case_types[d->case_type].id); fputs("; ", f);
        if (!isnan(d->share)) real(f, "share", d->share);
        real(f, "duration_factor", d->duration_factor);
    } else {
        real(f, "day", d->day);
    }
    if (d->kind == KIM_DRV_STAFFING) {
        fputs("post = ", f); str(f, sc->posts[d->post].id); fputs("; ", f);
        if (!isnan(d->fte)) real(f, "fte", d->fte);
        if (!isnan(d->filled_fte)) real(f, "filled_fte", d->filled_fte);
    }
    fputc('}', f);
}

static void print_trace(FILE *f, const kim_scenario *sc)
{
    char b[40];
    if (sc->arrivals_file) {
        fputs("\narrivals_file = ", f); str(f, sc->arrivals_file); fputs(";\n", f);
        return;
    }
    if (!sc->trace) return;
    fputs("\narrivals = (\n", f);
    for (size_t i = 0; i < sc->n_trace; i++) {
        const kim_arrival *a = &sc->trace[i];
        fprintf(f, "  (%s, ", num(b, a->day));
        str(f, sc->munis[a->muni].id);
        if (a->case_type >= 0) { fputs(", ", f); str(f, sc->case_types[a->case_type].id); }
        fprintf(f, ")%s\n", i + 1 < sc->n_trace ? "," : "");
    }
    fputs(");\n", f);
}

void scn_print(FILE *f, const kim_scenario *sc)
{
    print_top(f, sc);
    print_case_types(f, sc);
    print_munis(f, sc);
    print_posts(f, sc);
    if (sc->n_drivers) {
        fputs("\ndrivers = (\n", f);
        for (size_t i = 0; i < sc->n_drivers; i++) {
            print_driver(f, sc, &sc->drivers[i]);
            fprintf(f, "%s\n", i + 1 < sc->n_drivers ? "," : "");
        }
        fputs(");\n", f);
    }
    print_trace(f, sc);
}

/* scn_print's text with a top-level arrivals_file's rows inline: the
 * text, and so the hash, of the arrivals a run replays, not of a file
 * name whose file may change (a --resume or merge must see the change). */
char *scn_text(const kim_scenario *sc, size_t *len)
{
    kim_scenario rows = *sc;         /* shallow: only printed */
    rows.arrivals_file = NULL;
    char *buf = NULL;
    FILE *f = open_memstream(&buf, len);
    SIM_ASSERT(f != NULL);
    scn_print(f, &rows);
    fclose(f);
    return buf;
}

/* FNV-1a, 64-bit (Fowler, Noll & Vo; offset basis and prime of the
 * reference implementation). */
uint64_t scn_hash_text(const char *text, size_t len)
{
    uint64_t h = 0xcbf29ce484222325ull;
    for (size_t i = 0; i < len; i++) {
        h ^= (unsigned char)text[i];
        h *= 0x100000001b3ull;
    }
    return h;
}

uint64_t scn_hash(const kim_scenario *sc)
{
    size_t len = 0;
    char *text = scn_text(sc, &len);
    uint64_t h = scn_hash_text(text, len);
    free(text);
    return h;
}
