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

/* A number field after a comma; empty for NaN. */
static void num(FILE *f, double x)
{
    putc(',', f);
    if (!isnan(x)) an_put_num(f, x);
}

/* Integers below 10^10 print under "%.10g" as their plain digits, and
 * counts, days and sizes mostly are integers: those are written digit by
 * digit, the rest by printf.  The bytes are the same either way. */
void an_put_num(FILE *f, double x)
{
    if (x == floor(x) && fabs(x) < 1e10 && !(x == 0.0 && signbit(x))) {
        char buf[16], *p = buf + sizeof buf;
        unsigned long long u = (unsigned long long)fabs(x);
        do *--p = (char)('0' + u % 10); while (u /= 10);
        if (x < 0) *--p = '-';
        fwrite(p, 1, (size_t)(buf + sizeof buf - p), f);
        return;
    }
    fprintf(f, "%.10g", x);
}

/* A text field after a comma. */
static void text(FILE *f, const char *s)
{
    putc(',', f);
    an_csv_field(f, s);
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

static void summary_rows(FILE *f, const an_variant *v)
{
    for (size_t g = 0; g < v->groups->n; g++)
        for (int m = 0; m < KIM_N_METRICS; m++) {
            an_stat s;
            an_stat_metric(v, g, (kim_metric)m, &s);
            if (s.n == 0) continue;     /* metric does not apply to g */
            an_csv_field(f, v->scenario);
            text(f, v->variant);
            text(f, v->groups->label[g]);
            text(f, kim_metric_names[m]);
            fprintf(f, ",%zu", s.n);
            num(f, s.mean);
            num(f, s.sd);
            num(f, s.ci_low);
            num(f, s.ci_high);
            num(f, s.min);
            num(f, s.max);
            putc('\n', f);
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
 * replication's arrival-stream seed from kim_run_info. */
/* The rows of replication r: the fields before the group are the same on
 * every row, so they are formatted once (the file has ~10^5 rows per 200
 * replications of a district; printf per field was most of a run's tail). */
static void replication_rows(FILE *f, const an_variant *v, size_t r)
{
    char *head = NULL;
    size_t len = 0;
    FILE *h = open_memstream(&head, &len);
    if (!h) abort();              /* out of memory */
    an_csv_field(h, v->scenario);
    text(h, v->variant);
    fprintf(h, ",%zu,%" PRIu64 ",", r + 1, v->info[r].seed);
    if (fclose(h) != 0) abort();
    for (size_t g = 0; g < v->groups->n; g++) {
        const double *x = an_values(v, r, g);
        for (int m = 0; m < KIM_N_METRICS; m++) {
            if (isnan(x[m])) continue;
            fputs(head, f);
            an_csv_field(f, v->groups->label[g]);
            text(f, kim_metric_names[m]);
            num(f, x[m]);
            putc('\n', f);
        }
    }
    free(head);
}

int an_write_replications(FILE *f, const an_variant *vs, size_t n_vs)
{
    fputs("scenario,variant,replication,seed,group,metric,value\n", f);
    for (size_t i = 0; i < n_vs; i++)
        for (size_t r = 0; r < vs[i].n_reps; r++)
            replication_rows(f, &vs[i], r);
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
    size_t n = an_verdicts(v, &vd);
    for (size_t i = 0; i < n; i++) {
        const an_verdict *d = &vd[i];
        if (d->verdict == AN_NOT_APPLICABLE) continue;
        an_csv_field(f, v->scenario);
        text(f, v->variant);
        text(f, v->groups->label[d->group]);
        text(f, an_target_names[d->target]);
        num(f, d->threshold);
        num(f, d->est.mean);
        num(f, d->est.ci_low);
        num(f, d->est.ci_high);
        text(f, an_verdict_names[d->verdict]);
        text(f, d->reason);
        putc(',', f);
        if (d->reps_to_decide > 0) fprintf(f, "%ld", d->reps_to_decide);
        putc('\n', f);
    }
    free(vd);
}

int an_write_verdicts(FILE *f, const an_variant *vs, size_t n_vs)
{
    fputs("scenario,variant,group,target,threshold,estimate,ci_low,ci_high,"
          "verdict,reason,reps_to_decide\n", f);
    for (size_t i = 0; i < n_vs; i++) verdict_rows(f, &vs[i]);
    return finish(f);
}
