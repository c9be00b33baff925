/*
 * write.c — the CSV files of DESIGN.md §7: summary.csv, replications.csv
 * and verdict.csv.
 *
 * Invariant: every row has exactly the columns of its header; fields follow
 * RFC 4180 (Shafranovich 2005): a field holding a comma, a double quote, CR
 * or LF is quoted and its quotes doubled; rows end in LF (our files are
 * read by R, pandas and Excel, which all accept it).  Numbers are "%.10g"
 * with '.' as decimal separator (the "C" locale of a program that never
 * calls setlocale); a NaN is an empty field.  Writers only write: the
 * caller opens the file and renames it into place.
 */
#include "an.h"
#include "../sim/sim.h"

#include <inttypes.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

void an_csv_field(FILE *f, const char *s)
{
    if (!s) return;
    if (!strpbrk(s, ",\"\r\n")) {
        fputs(s, f);
        return;
    }
    putc('"', f);
    for (; *s; s++) {
        if (*s == '"') putc('"', f);
        putc(*s, f);
    }
    putc('"', f);
}

void an_put_num(FILE *f, double x)
{
    char buf[40];
    fwrite(buf, 1, (size_t)(an_fmt_num(buf, x) - buf), f);
}

/* The metrics' names as CSV fields with the comma after them, made once
 * per file or replication rather than once per row. */
typedef struct {
    char text[KIM_N_METRICS][64];
    size_t len[KIM_N_METRICS];
} metric_fields;

static void metric_fields_init(metric_fields *mf)
{
    for (int m = 0; m < KIM_N_METRICS; m++) {
        char *e = an_fmt_field(mf->text[m], kim_metric_names[m]);
        *e++ = ',';
        mf->len[m] = (size_t)(e - mf->text[m]);
    }
}

/* Flushes and reports: 0, or -1 when any write failed (errno set). */
static int finish(FILE *f)
{
    if (fflush(f) != 0) return -1;
    return ferror(f) ? -1 : 0;
}

/* ------------------------------------------------------------------ */
/* summary.csv                                                          */
/* ------------------------------------------------------------------ */

/* Rows are formatted into one buffer per group, the fields before the
 * metric once per group, and a number equal to the one before it (mean,
 * min and max of one replication) copied rather than formatted again: a
 * state has ~1,400 groups of 19 metrics. */
static void summary_rows(FILE *f, const an_variant *v)
{
    size_t head = 2 * (strlen(v->scenario) + strlen(v->variant)) + 2;
    metric_fields mf;
    metric_fields_init(&mf);
    for (size_t g = 0; g < v->groups->n; g++) {
        size_t lead_cap = head + 2 * strlen(v->groups->label[g]) + 4;
        size_t cap = KIM_N_METRICS * (lead_cap + 64 + 7 * 34);
        char *buf = sim_xmalloc(cap + lead_cap), *lead = buf + cap, *p;
        p = an_fmt_field(lead, v->scenario);
        *p++ = ',';
        p = an_fmt_field(p, v->variant);
        *p++ = ',';
        p = an_fmt_field(p, v->groups->label[g]);
        *p++ = ',';
        size_t lead_len = (size_t)(p - lead);
        char last_text[40];
        size_t last_len = 0;
        double last = NAN;
        p = buf;
        for (int m = 0; m < KIM_N_METRICS; m++) {
            an_stat st;
            an_stat_metric(v, g, (kim_metric)m, &st);
            if (st.n == 0) continue;     /* metric does not apply to g */
            memcpy(p, lead, lead_len);
            p += lead_len;
            memcpy(p, mf.text[m], mf.len[m]);
            p += mf.len[m];
            p = an_fmt_long(p, (long long)st.n);
            const double x[6] = { st.mean, st.sd, st.ci_low, st.ci_high, st.min, st.max };
            for (int i = 0; i < 6; i++) {
                *p++ = ',';
                if (isnan(x[i])) continue;
                if (!last_len || memcmp(&x[i], &last, sizeof last) != 0) {
                    last_len = (size_t)(an_fmt_num(last_text, x[i]) - last_text);
                    last = x[i];
                }
                memcpy(p, last_text, last_len);
                p += last_len;
            }
            *p++ = '\n';
        }
        fwrite(buf, 1, (size_t)(p - buf), f);
        free(buf);
    }
}

int an_write_summary(FILE *f, const an_variant *vs, size_t n_vs)
{
    fputs("scenario,variant,group,metric,n,mean,sd,ci_low,ci_high,min,max\n", f);
    for (size_t i = 0; i < n_vs; i++) summary_rows(f, &vs[i]);
    return finish(f);
}

/* ------------------------------------------------------------------ */
/* replications.csv                                                     */
/* ------------------------------------------------------------------ */

/* Replications are numbered from 1 here (replication r of the file is the
 * model's 0-based rep r - 1), as people count them; seed is the
 * replication's arrival-stream seed from kim_run_info.  The rows of one
 * replication are formatted into one buffer and written at once: the
 * workers format each replication as it finishes (cli/exec.c), ~400 rows
 * per replication of a district. */
char *an_format_replication(const an_variant *v, size_t r, size_t *len_out)
{
    char head[1024];
    size_t longest = 0;
    for (size_t g = 0; g < v->groups->n; g++) {
        size_t n = strlen(v->groups->label[g]);
        if (n > longest) longest = n;
    }
    size_t hn = 2 * (strlen(v->scenario) + strlen(v->variant)) + 64;
    char *h = hn <= sizeof head ? head : sim_xmalloc(hn), *p = h;
    p = an_fmt_field(p, v->scenario);
    *p++ = ',';
    p = an_fmt_field(p, v->variant);
    p += sprintf(p, ",%zu,%" PRIu64 ",", r + 1, v->info[r].seed);
    hn = (size_t)(p - h);
    /* a row: head, label, metric (< 40 with its commas), number (<= 32) */
    size_t cap = v->groups->n * KIM_N_METRICS * (hn + 2 * longest + 2 + 40 + 32) + 1;
    char *buf = sim_xmalloc(cap), *o = buf;
    metric_fields mf;
    metric_fields_init(&mf);
    for (size_t g = 0; g < v->groups->n; g++) {
        const double *x = an_values(v, r, g);
        char label[4096], *le;
        size_t ln = 2 * strlen(v->groups->label[g]) + 2;
        char *lb = ln <= sizeof label ? label : sim_xmalloc(ln);
        le = an_fmt_field(lb, v->groups->label[g]);
        for (int m = 0; m < KIM_N_METRICS; m++) {
            if (isnan(x[m])) continue;
            memcpy(o, h, hn);
            o += hn;
            memcpy(o, lb, (size_t)(le - lb));
            o += le - lb;
            *o++ = ',';
            memcpy(o, mf.text[m], mf.len[m]);
            o += mf.len[m];
            o = an_fmt_num(o, x[m]);
            *o++ = '\n';
        }
        if (lb != label) free(lb);
    }
    *len_out = (size_t)(o - buf);
    if (h != head) free(h);
    return buf;
}

int an_write_replication(FILE *f, const an_variant *v, size_t r)
{
    size_t len;
    char *buf = an_format_replication(v, r, &len);
    int rc = fwrite(buf, 1, len, f) == len ? 0 : -1;
    free(buf);
    return rc;
}

int an_write_replications(FILE *f, const an_variant *vs, size_t n_vs)
{
    fputs("scenario,variant,replication,seed,group,metric,value\n", f);
    for (size_t i = 0; i < n_vs; i++)
        for (size_t r = 0; r < vs[i].n_reps; r++)
            an_write_replication(f, &vs[i], r);
    return finish(f);
}

/* ------------------------------------------------------------------ */
/* verdict.csv                                                          */
/* ------------------------------------------------------------------ */

/* The columns of DESIGN.md §7, then two of our own at the end: reason
 * (plain language, empty when adequate) and reps_to_decide (uncertain
 * targets only; empty otherwise, and when the estimate sits exactly on the
 * threshold).  Targets that do not apply to a group are left out. */
static void verdict_rows(FILE *f, const an_variant *v)
{
    an_verdict *vd;
    size_t n = an_verdicts(v, &vd), longest = 0;
    for (size_t g = 0; g < v->groups->n; g++) {
        size_t len = strlen(v->groups->label[g]);
        if (len > longest) longest = len;
    }
    /* a row, formatted whole: each text field at most doubled and quoted,
     * numbers at most 32 bytes, the names and commas well within 128 */
    size_t cap = 2 * (strlen(v->scenario) + strlen(v->variant) + longest +
                      sizeof vd->reason) + 4 * 32 + 21 + 128;
    char *row = sim_xmalloc(cap);
    for (size_t i = 0; i < n; i++) {
        const an_verdict *d = &vd[i];
        if (d->verdict == AN_NOT_APPLICABLE) continue;
        char *p = an_fmt_field(row, v->scenario);
        *p++ = ',';
        p = an_fmt_field(p, v->variant);
        *p++ = ',';
        p = an_fmt_field(p, v->groups->label[d->group]);
        *p++ = ',';
        p = an_fmt_field(p, an_target_names[d->target]);
        const double x[4] = { d->threshold, d->est.mean, d->est.ci_low, d->est.ci_high };
        for (int k = 0; k < 4; k++) {
            *p++ = ',';
            if (!isnan(x[k])) p = an_fmt_num(p, x[k]);
        }
        *p++ = ',';
        p = an_fmt_field(p, an_verdict_names[d->verdict]);
        *p++ = ',';
        p = an_fmt_field(p, d->reason);
        *p++ = ',';
        if (d->reps_to_decide > 0) p = an_fmt_long(p, d->reps_to_decide);
        *p++ = '\n';
        fwrite(row, 1, (size_t)(p - row), f);
    }
    free(row);
    free(vd);
}

int an_write_verdicts(FILE *f, const an_variant *vs, size_t n_vs)
{
    fputs("scenario,variant,group,target,threshold,estimate,ci_low,ci_high,"
          "verdict,reason,reps_to_decide\n", f);
    for (size_t i = 0; i < n_vs; i++) verdict_rows(f, &vs[i]);
    return finish(f);
}
