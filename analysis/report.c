/*
 * report.c — reading a run's CSV files back for the report: a streaming
 * RFC 4180 reader, whole tables, HTML escaping, and what the report shows
 * (an_report_select).  The page itself is html.c, the plots plot.c.
 *
 * Invariant: a record is returned only whole — every quoted field closed,
 * every "" turned into one quote — or not at all (-1 with the line it
 * started on); the reader never reads past the record it returns.
 *
 * RFC 4180 (Shafranovich 2005) §2: fields separated by commas, records by
 * CRLF (we accept LF too, as our own files use it); a field in double
 * quotes may hold commas, line breaks and quotes written twice.  Beyond
 * the RFC: blank lines are skipped and a UTF-8 byte-order mark at the very
 * start is dropped (Excel writes one).
 */
#include "an.h"
#include "../sim/sim.h"

#include <math.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

struct an_csv_reader {
    FILE *f;                    /* borrowed */
    char *buf;                  /* the record's fields, each NUL-ended */
    size_t len, cap;
    size_t *off;                /* start of each field in buf */
    const char **fld;           /* pointers into buf, built per record */
    size_t n, cap_f;
    long line;                  /* physical line being read (1-based) */
    int first;                  /* no record returned yet (BOM check) */
    char err[160];
};

an_csv_reader *an_csv_reader_new(FILE *f)
{
    an_csv_reader *r = sim_xcalloc(1, sizeof *r);
    r->f = f;
    r->line = 1;
    r->first = 1;
    return r;
}

void an_csv_reader_free(an_csv_reader *r)
{
    if (!r) return;
    free(r->buf);
    free(r->off);
    free(r->fld);
    free(r);
}

const char *an_csv_error(const an_csv_reader *r)
{
    return r->err;
}

/* ------------------------------------------------------------------ */
/* Characters and fields                                                */
/* ------------------------------------------------------------------ */

/* The next character, with CRLF read as one LF; counts lines. */
static int next(an_csv_reader *r)
{
    int c = getc(r->f);
    if (c == '\r') {
        int d = getc(r->f);
        if (d == '\n') c = '\n';
        else if (d != EOF) ungetc(d, r->f);
    }
    if (c == '\n') r->line++;
    return c;
}

static void put(an_csv_reader *r, int c)
{
    if (r->len + 1 >= r->cap) {
        r->cap = r->cap ? 2 * r->cap : 256;
        r->buf = sim_xrealloc(r->buf, r->cap);
    }
    r->buf[r->len++] = (char)c;
}

static int fail(an_csv_reader *r, long line, const char *what)
{
    snprintf(r->err, sizeof r->err, "line %ld: %s", line, what);
    return -1;
}

/* A quoted field whose opening quote was just read; *end receives the
 * character after its closing quote.  Returns 0 or -1. */
static int quoted(an_csv_reader *r, int *end)
{
    long start = r->line;
    for (;;) {
        int c = next(r);
        if (c == EOF) return fail(r, start, "quoted field not closed before the end of the file");
        if (c == '"') {
            c = next(r);
            if (c != '"') {
                if (c != ',' && c != '\n' && c != EOF)
                    return fail(r, r->line, "text after the closing quote of a field");
                *end = c;
                return 0;
            }
        }
        put(r, c);
    }
}

/* One field starting with character c; *end receives ',', '\n' or EOF. */
static int field(an_csv_reader *r, int c, int *end)
{
    if (c == '"') {
        if (quoted(r, end) != 0) return -1;
    } else {
        for (; c != ',' && c != '\n' && c != EOF; c = next(r)) {
            if (c == '"') return fail(r, r->line, "quote inside an unquoted field");
            put(r, c);
        }
        *end = c;
    }
    put(r, '\0');
    return 0;
}

static void push_field(an_csv_reader *r, size_t off)
{
    if (r->n == r->cap_f) {
        r->cap_f = r->cap_f ? 2 * r->cap_f : 16;
        r->off = sim_xrealloc(r->off, r->cap_f * sizeof *r->off);
        r->fld = sim_xrealloc(r->fld, r->cap_f * sizeof *r->fld);
    }
    r->off[r->n++] = off;
}

/* Drops a UTF-8 byte-order mark from the first field of the file. */
static void drop_bom(an_csv_reader *r)
{
    if (r->len >= 3 && !memcmp(r->buf, "\xef\xbb\xbf", 3)) {
        memmove(r->buf, r->buf + 3, r->len - 3);
        r->len -= 3;
        for (size_t i = 1; i < r->n; i++) r->off[i] -= 3;
    }
}

long an_csv_next(an_csv_reader *r, const char *const **fields)
{
    int c;
    do c = next(r); while (c == '\n');        /* blank lines */
    if (c == EOF) return 0;
    r->len = r->n = 0;
    int end = ',';
    while (end == ',') {
        push_field(r, r->len);
        if (field(r, c, &end) != 0) return -1;
        if (end == ',') c = next(r);
    }
    if (r->first) drop_bom(r);
    r->first = 0;
    for (size_t i = 0; i < r->n; i++) r->fld[i] = r->buf + r->off[i];
    *fields = r->fld;
    return (long)r->n;
}

/* ------------------------------------------------------------------ */
/* Tables                                                               */
/* ------------------------------------------------------------------ */

static char **copy_row(const char *const *f, size_t n, size_t width)
{
    char **row = sim_xcalloc(width + 1, sizeof *row);
    for (size_t i = 0; i < width; i++) row[i] = sim_xstrdup(i < n ? f[i] : "");
    return row;
}

int an_table_read(FILE *f, an_table *t, char *err, size_t n_err)
{
    memset(t, 0, sizeof *t);
    an_csv_reader *r = an_csv_reader_new(f);
    const char *const *fl;
    long n = an_csv_next(r, &fl);
    if (n <= 0) {
        snprintf(err, n_err, "%s", n == 0 ? "empty file, no header row" : an_csv_error(r));
        an_csv_reader_free(r);
        return -1;
    }
    t->n_cols = (size_t)n;
    t->head = copy_row(fl, t->n_cols, t->n_cols);
    size_t cap = 0;
    while ((n = an_csv_next(r, &fl)) > 0) {
        if (t->n_rows == cap) {
            cap = cap ? 2 * cap : 64;
            t->cell = sim_xrealloc(t->cell, cap * t->n_cols * sizeof *t->cell);
        }
        char **row = copy_row(fl, (size_t)n, t->n_cols);
        memcpy(t->cell + t->n_rows * t->n_cols, row, t->n_cols * sizeof *row);
        free(row);
        t->n_rows++;
    }
    if (n < 0) snprintf(err, n_err, "%s", an_csv_error(r));
    an_csv_reader_free(r);
    if (n < 0) an_table_fini(t);
    return n < 0 ? -1 : 0;
}

void an_table_fini(an_table *t)
{
    for (size_t i = 0; t->head && i < t->n_cols; i++) free(t->head[i]);
    for (size_t i = 0; t->cell && i < t->n_rows * t->n_cols; i++) free(t->cell[i]);
    free(t->head);
    free(t->cell);
    memset(t, 0, sizeof *t);
}

long an_table_col(const an_table *t, const char *name)
{
    for (size_t i = 0; i < t->n_cols; i++)
        if (!strcmp(t->head[i], name)) return (long)i;
    return -1;
}

const char *an_table_get(const an_table *t, size_t row, long col)
{
    if (col < 0 || (size_t)col >= t->n_cols || row >= t->n_rows) return "";
    return t->cell[row * t->n_cols + (size_t)col];
}

double an_table_num(const an_table *t, size_t row, long col)
{
    const char *s = an_table_get(t, row, col);
    char *end;
    double x = strtod(s, &end);
    return *s && !*end ? x : NAN;
}

const char *an_group_name(const char *label)
{
    const char *c = strchr(label, ':');
    return c ? c + 1 : label;
}

void an_html_escape(FILE *f, const char *s)
{
    for (; s && *s; s++)
        switch (*s) {
        case '&':  fputs("&amp;", f); break;
        case '<':  fputs("&lt;", f); break;
        case '>':  fputs("&gt;", f); break;
        case '"':  fputs("&quot;", f); break;
        case '\'': fputs("&#39;", f); break;
        default:   putc(*s, f);
        }
}

/* ------------------------------------------------------------------ */
/* What the report shows                                                */
/* ------------------------------------------------------------------ */

/* The wait threshold of verdict.csv for r's scenario and variant. */
static double wait_quantile(const an_report *r)
{
    const an_table *v = r->verdict;
    if (!v) return 0.9;
    long cs = an_table_col(v, "scenario"), cv = an_table_col(v, "variant");
    long ct = an_table_col(v, "target"), ch = an_table_col(v, "threshold");
    for (size_t i = 0; i < v->n_rows; i++)
        if (!strcmp(an_table_get(v, i, cs), r->scenario) &&
            !strcmp(an_table_get(v, i, cv), r->variant) &&
            !strcmp(an_table_get(v, i, ct), "wait")) {
            double q = an_table_num(v, i, ch);
            if (q > 0.0 && q < 1.0) return q;
        }
    return 0.9;
}

static int has_metric(const an_table *t, const char *metric)
{
    long cm = an_table_col(t, "metric");
    for (size_t i = 0; i < t->n_rows; i++)
        if (!strcmp(an_table_get(t, i, cm), metric)) return 1;
    return 0;
}

void an_report_select(an_report *r)
{
    const an_table *s = r->summary, *rec = r->recommendation;
    r->scenario = an_table_get(s, 0, an_table_col(s, "scenario"));
    r->variant = s->n_rows ? an_table_get(s, 0, an_table_col(s, "variant")) : "base";
    if (!s->n_rows && rec)      /* a folder of kimsim recommend */
        r->scenario = an_table_get(rec, 0, an_table_col(rec, "scenario"));
    r->wait_quantile = wait_quantile(r);
    r->wait_days = r->sc ? r->sc->targets.wait_days : NAN;
    double pct = 100.0 * r->wait_quantile;
    int usual = fabs(pct - 50.0) < 1e-9 || fabs(pct - 90.0) < 1e-9 || fabs(pct - 95.0) < 1e-9;
    if (!usual && !has_metric(s, "wait_target_quantile")) {
        pct = 90.0;             /* fall back to the p90 every run writes */
        usual = 1;
    }
    if (usual)
        snprintf(r->wait_metric, sizeof r->wait_metric, "wait_p%.0f", pct);
    else
        snprintf(r->wait_metric, sizeof r->wait_metric, "wait_target_quantile");
    snprintf(r->wait_label, sizeof r->wait_label, "p%g", pct);
}

void an_report_note(an_report *r, const char *fmt, ...)
{
    if (r->n_notes == AN_REPORT_MAX_NOTES) return;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(r->notes[r->n_notes++], sizeof r->notes[0], fmt, ap);
    va_end(ap);
}
