/*
 * compare.c — paired comparison of two variants run with common random
 * numbers: differences, their confidence intervals, comparison.csv
 * (DESIGN.md §7) and the sentences a council paper can quote.
 *
 * Invariant: a difference is always variant minus baseline, paired by
 * replication index r (the same arrivals and case attributes in both, by
 * DESIGN.md §5); a pair with a NaN on either side is skipped.  Groups of
 * two variants are matched by label, so two scenario files with the same
 * municipalities compare too.
 *
 * Methods: the paired-t confidence interval of the mean difference (Law
 * 2015, "Simulation Modeling and Analysis", 5th ed., §10.2.1), and for
 * reference the unpaired Welch interval with Welch-Satterthwaite degrees of
 * freedom (Law 2015, §10.2.2; Welch 1947).  Common random numbers make the
 * paired differences' variance Var(X) + Var(Y) - 2 Cov(X, Y) smaller when
 * the variants respond alike to the same people (Law 2015, §11.2).
 */
#include "an.h"
#include "../sim/sim.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <gsl/gsl_cdf.h>

#define EN_DASH "\xe2\x80\x93"
#define ARROW "\xe2\x86\x92"

/* ------------------------------------------------------------------ */
/* Differences                                                          */
/* ------------------------------------------------------------------ */

long an_group_by_label(const kim_groups *g, const char *label)
{
    for (size_t i = 0; i < g->n; i++)
        if (strcmp(g->label[i], label) == 0) return (long)i;
    return -1;
}

void an_paired_diff(const an_variant *base, size_t gb, const an_variant *var,
                    size_t gv, kim_metric m, an_stat *out)
{
    size_t n = base->n_reps < var->n_reps ? base->n_reps : var->n_reps;
    double *d = sim_xcalloc(n + 1, sizeof *d);
    for (size_t r = 0; r < n; r++)
        d[r] = an_values(var, r, gv)[m] - an_values(base, r, gb)[m];
    an_stat_of(d, 1, n, out);     /* NaN - x and x - NaN are NaN: skipped */
    free(d);
}

/* Welch: se^2 = s1^2/n1 + s2^2/n2, df = se^4 / sum (s_i^2/n_i)^2/(n_i-1). */
void an_unpaired_diff(const an_variant *base, size_t gb, const an_variant *var,
                      size_t gv, kim_metric m, an_stat *out)
{
    an_stat a, b;
    an_stat_metric(base, gb, m, &a);
    an_stat_metric(var, gv, m, &b);
    memset(out, 0, sizeof *out);
    out->n = a.n < b.n ? a.n : b.n;
    out->mean = b.mean - a.mean;
    out->sd = out->min = out->max = NAN;
    out->ci_low = out->ci_high = out->mean;
    if (a.n < 2 || b.n < 2) return;
    double va = a.sd * a.sd / (double)a.n, vb = b.sd * b.sd / (double)b.n;
    double se2 = va + vb;
    if (!(se2 > 0.0)) return;
    double df = se2 * se2 / (va * va / (double)(a.n - 1) + vb * vb / (double)(b.n - 1));
    double h = gsl_cdf_tdist_Pinv(0.975, df) * sqrt(se2);
    out->ci_low = out->mean - h;
    out->ci_high = out->mean + h;
}

/* ------------------------------------------------------------------ */
/* comparison.csv                                                       */
/* ------------------------------------------------------------------ */

/* How a variant is named in a comparison: its --vary label when both come
 * from the same scenario, else its scenario's name (and label, if any). */
static void name_of(FILE *f, const an_variant *v, const an_variant *other)
{
    int same = strcmp(v->scenario, other->scenario) == 0;
    int base = strcmp(v->variant, "base") == 0;
    char b[1024];
    if (same) snprintf(b, sizeof b, "%s", v->variant);
    else if (base) snprintf(b, sizeof b, "%s", v->scenario);
    else snprintf(b, sizeof b, "%s:%s", v->scenario, v->variant);
    an_csv_field(f, b);
}

static void num(FILE *f, double x)
{
    if (!isnan(x)) fprintf(f, "%.10g", x);
}

int an_write_comparison_header(FILE *f)
{
    fputs("scenario,baseline,variant,group,metric,diff_mean,diff_ci_low,diff_ci_high\n", f);
    return ferror(f) ? -1 : 0;
}

int an_write_comparison(FILE *f, const an_variant *base, const an_variant *var)
{
    for (size_t gv = 0; gv < var->groups->n; gv++) {
        long gb = an_group_by_label(base->groups, var->groups->label[gv]);
        if (gb < 0) continue;
        for (int m = 0; m < KIM_N_METRICS; m++) {
            an_stat d;
            an_paired_diff(base, (size_t)gb, var, gv, (kim_metric)m, &d);
            if (d.n == 0) continue;
            an_csv_field(f, var->scenario);
            fputc(',', f);
            name_of(f, base, var);
            fputc(',', f);
            name_of(f, var, base);
            fputc(',', f);
            an_csv_field(f, var->groups->label[gv]);
            fprintf(f, ",%s,", kim_metric_names[m]);
            num(f, d.mean);
            fputc(',', f);
            num(f, d.ci_low);
            fputc(',', f);
            num(f, d.ci_high);
            fputc('\n', f);
        }
    }
    return ferror(f) ? -1 : 0;
}

/* ------------------------------------------------------------------ */
/* What changed: "Diakonie Erkelenz at 1.5 instead of 1.0 FTE"          */
/* ------------------------------------------------------------------ */

/* The value of key in a label "k=v;k2=v2" into buf; 0 when found. */
static int label_value(const char *label, const char *key, size_t klen,
                       char *buf, size_t n)
{
    for (const char *p = label; p && *p;) {
        const char *semi = strchr(p, ';'), *eq = strchr(p, '=');
        size_t len = semi ? (size_t)(semi - p) : strlen(p);
        if (eq && eq < p + len && (size_t)(eq - p) == klen && !strncmp(p, key, klen)) {
            snprintf(buf, n, "%.*s", (int)(p + len - eq - 1), eq + 1);
            return 0;
        }
        p = semi ? semi + 1 : NULL;
    }
    return -1;
}

/* One assignment "key=new" against the baseline's "key=old". */
static size_t phrase_one(const an_variant *base, const an_variant *var,
                         const char *p, size_t len, char *buf, size_t n)
{
    const char *eq = memchr(p, '=', len);
    char old[256], post[256];
    if (!eq) return 0;
    size_t klen = (size_t)(eq - p);
    int vlen = (int)(p + len - eq - 1);
    if (label_value(base->variant, p, klen, old, sizeof old) != 0) snprintf(old, sizeof old, "?");
    if ((size_t)vlen == strlen(old) && !strncmp(eq + 1, old, (size_t)vlen)) return 0;
    if (klen > 10 && !strncmp(p, "posts.", 6) && !strncmp(eq - 4, ".fte", 4)) {
        snprintf(post, sizeof post, "%.*s", (int)(klen - 10), p + 6);
        for (size_t i = 0; i < var->sc->n_posts; i++)
            if (!strcmp(var->sc->posts[i].id, post))
                return (size_t)snprintf(buf, n, "%s at %.*s instead of %s FTE",
                                        var->sc->posts[i].name, vlen, eq + 1, old);
    }
    return (size_t)snprintf(buf, n, "%.*s = %.*s instead of %s", (int)klen, p, vlen,
                            eq + 1, old);
}

void an_change_phrase(const an_variant *base, const an_variant *var, char *buf, size_t n)
{
    size_t len = 0;
    buf[0] = '\0';
    if (strcmp(base->scenario, var->scenario) != 0) {
        snprintf(buf, n, "%s instead of %s", var->scenario, base->scenario);
        return;
    }
    for (const char *p = var->variant; p && *p && len + 1 < n;) {
        const char *semi = strchr(p, ';');
        size_t plen = semi ? (size_t)(semi - p) : strlen(p);
        char one[512];
        if (phrase_one(base, var, p, plen, one, sizeof one) > 0)
            len += (size_t)snprintf(buf + len, n - len, "%s%s", len ? ", " : "", one);
        p = semi ? semi + 1 : NULL;
    }
    if (len == 0) snprintf(buf, n, "%s instead of %s", var->variant, base->variant);
}

/* ------------------------------------------------------------------ */
/* Sentences                                                            */
/* ------------------------------------------------------------------ */

/* Days as a council paper writes them: whole days from 10 on. */
static void days(char *b, size_t n, double x)
{
    snprintf(b, n, fabs(x) >= 9.95 ? "%.0f" : "%.1f", x);
}

/* "+27,500" with thousands separators. */
static void euros(char *b, size_t n, double x)
{
    char digits[64], *o = b;
    long long v = llround(fabs(x));
    int len = snprintf(digits, sizeof digits, "%lld", v);
    if (n < (size_t)len * 2 + 2) { snprintf(b, n, "%+.0f", x); return; }
    *o++ = x < 0 ? '-' : '+';
    for (int i = 0; i < len; i++) {
        if (i && (len - i) % 3 == 0) *o++ = ',';
        *o++ = digits[i];
    }
    *o = '\0';
}

int an_wait_changed(const an_stat *base, const an_stat *diff)
{
    if (diff->n < 2 || isnan(diff->mean)) return 0;      /* one pair: no CI */
    int clear = diff->ci_low > 0.0 || diff->ci_high < 0.0;
    double floor_days = fmax(1.0, 0.1 * fabs(base->mean));
    return clear && fabs(diff->mean) >= floor_days;
}

/* "(29 days shorter, 95 % CI 25–33)" */
static void diff_words(char *b, size_t n, const an_stat *d)
{
    char m[32], lo[32], hi[32];
    if (d->n < 2) {             /* one pair of replications: no interval */
        days(m, sizeof m, d->mean);
        snprintf(b, n, "(difference %s days in one replication: no confidence interval)", m);
        return;
    }
    int clear = d->ci_low > 0.0 || d->ci_high < 0.0;
    if (!clear) {
        days(m, sizeof m, d->mean);
        days(lo, sizeof lo, d->ci_low);
        days(hi, sizeof hi, d->ci_high);
        snprintf(b, n, "(difference %s days, 95 %% CI %s to %s, not clear)", m, lo, hi);
        return;
    }
    int shorter = d->mean < 0.0;
    days(m, sizeof m, fabs(d->mean));
    days(lo, sizeof lo, shorter ? -d->ci_high : d->ci_low);
    days(hi, sizeof hi, shorter ? -d->ci_low : d->ci_high);
    snprintf(b, n, "(%s days %s, 95 %% CI %s" EN_DASH "%s)", m,
             shorter ? "shorter" : "longer", lo, hi);
}

/* The municipality's sentence; 1 when printed. */
static int muni_sentence(FILE *f, const an_variant *base, const an_variant *var,
                         size_t gv, const an_verdict *vb, size_t nb,
                         const an_verdict *vv, size_t nv, const char *what, const char *cost)
{
    long gb = an_group_by_label(base->groups, var->groups->label[gv]);
    if (gb < 0) return 0;
    an_stat sb, sv, d;
    an_stat_metric(base, (size_t)gb, KIM_M_WAIT_TARGET_Q, &sb);
    an_stat_metric(var, gv, KIM_M_WAIT_TARGET_Q, &sv);
    an_paired_diff(base, (size_t)gb, var, gv, KIM_M_WAIT_TARGET_Q, &d);
    an_verdict_kind kb = an_group_verdict(vb, nb, (size_t)gb);
    an_verdict_kind kv = an_group_verdict(vv, nv, gv);
    if (kb == kv && !an_wait_changed(&sb, &d)) return 0;
    const char *name = strchr(var->groups->label[gv], ':') + 1;
    char w0[32], w1[32], dw[160], verdict[96];
    days(w0, sizeof w0, sb.mean);
    days(w1, sizeof w1, sv.mean);
    diff_words(dw, sizeof dw, &d);
    if (kb != kv)
        snprintf(verdict, sizeof verdict, "verdict %s " ARROW " %s",
                 an_verdict_names[kb], an_verdict_names[kv]);
    else
        snprintf(verdict, sizeof verdict, "verdict stays %s", an_verdict_names[kv]);
    fprintf(f, "%s: p%g wait in %s %s instead of %s days %s; %s; %s.\n", what,
            100.0 * var->sc->targets.wait_quantile, name, w1, w0, dw, verdict, cost);
    return 1;
}

static void cost_words(char *b, size_t n, const an_variant *base, const an_variant *var)
{
    long gb = an_group_by_label(base->groups, "district");
    long gv = an_group_by_label(var->groups, "district");
    an_stat d = { 0 };
    if (gb >= 0 && gv >= 0) an_paired_diff(base, (size_t)gb, var, (size_t)gv, KIM_M_COST_EUR, &d);
    if (d.n == 0 || isnan(d.mean)) { snprintf(b, n, "cost not known"); return; }
    if (fabs(d.mean) < 0.5) { snprintf(b, n, "cost unchanged"); return; }
    char e[48];
    euros(e, sizeof e, d.mean);
    snprintf(b, n, "cost %s EUR/year", e);
}

void an_print_comparison(FILE *f, const an_variant *base, const an_variant *var)
{
    an_verdict *vb, *vv;
    size_t nb = an_verdicts(base, &vb), nv = an_verdicts(var, &vv);
    char what[1024], cost[96];
    an_change_phrase(base, var, what, sizeof what);
    cost_words(cost, sizeof cost, base, var);
    int any = 0;
    for (size_t g = 0; g < var->groups->n; g++)
        if (var->groups->kind[g] == KIM_G_MUNI)
            any |= muni_sentence(f, base, var, g, vb, nb, vv, nv, what, cost);
    if (!any)
        fprintf(f, "%s: no municipality's p%g wait or verdict changed materially; %s.\n",
                what, 100.0 * var->sc->targets.wait_quantile, cost);
    free(vb);
    free(vv);
}
