/*
 * trace.c — replayed arrivals: a CSV `arrivals_file` (top level, columns
 * day,municipality[,case_type]; or per municipality, columns
 * day[,case_type]) and the inline `arrivals = ( (day, "muni"[, "type"]), ...)`
 * that scn_print writes when a trace has no single file behind it.
 *
 * Invariant: sc->trace holds every row of every source, each with
 * 0 <= day < horizon_days and resolved indices, sorted by day with ties in
 * source order; sc->arrivals_file is set only when one top-level file is
 * the whole trace (so scn_print can name it instead of listing rows).
 */
#include "scn_impl.h"
#include "../sim/sim.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct rows {
    kim_arrival *a;
    size_t n, cap;
} rows;

enum { COL_DAY, COL_MUNI, COL_TYPE, N_COLS };
static const char *const col_names[N_COLS] = { "day", "municipality", "case_type" };

/* Fails with "file:line: column: problem" for a row of a CSV file. */
static int csv_fail(scn_ctx *c, const char *file, size_t line, const char *col,
                    const char *fmt, ...) __attribute__((format(printf, 5, 6)));
static int csv_fail(scn_ctx *c, const char *file, size_t line, const char *col,
                    const char *fmt, ...)
{
    char what[SCN_PATH];
    va_list ap;
    if (c->err->code != SCN_OK) return SCN_EBADINPUT;
    va_start(ap, fmt);
    vsnprintf(what, sizeof what, fmt, ap);
    va_end(ap);
    c->err->code = SCN_EBADINPUT;
    snprintf(c->err->msg, sizeof c->err->msg, "%s:%zu: %s%s%.300s", file,
             line, col ? col : "", col ? ": " : "", what);
    return SCN_EBADINPUT;
}

static void push(rows *r, kim_arrival a)
{
    if (r->n == r->cap) {
        r->cap = r->cap ? 2 * r->cap : 256;
        r->a = sim_xrealloc(r->a, r->cap * sizeof *r->a);
    }
    r->a[r->n++] = a;
}

/* ------------------------------------------------------------------ */
/* CSV                                                                  */
/* ------------------------------------------------------------------ */

/* Splits line in place into fields (RFC 4180 quoting, spaces around
 * unquoted fields dropped); stores at most max.  Returns the number of
 * fields, or -1 on a broken quote. */
static int split(char *line, char **f, int max)
{
    int n = 0;
    for (char *r = line;; r++) {
        while (*r == ' ' || *r == '\t') r++;
        char *start = r, *w = r;
        if (*r == '"') {
            for (r++; *r != '"' || r[1] == '"'; r++) {
                if (!*r) return -1;
                *w++ = *r;
                if (*r == '"') r++;
            }
            r++;
            while (*r == ' ' || *r == '\t') r++;
            if (*r && *r != ',') return -1;
        } else {
            while (*r && *r != ',') *w++ = *r++;
            while (w > start && (w[-1] == ' ' || w[-1] == '\t')) w--;
        }
        char sep = *r;
        *w = '\0';
        if (n < max) f[n] = start;
        n++;
        if (!sep) return n;
    }
}

/* Maps header fields to columns: cols[COL_x] = field index or -1. */
static int read_header(scn_ctx *c, const char *file, char *line, bool own,
                       int *cols, int *n_fields)
{
    char *f[N_COLS + 1];
    int n = split(line, f, N_COLS + 1);
    cols[COL_DAY] = cols[COL_MUNI] = cols[COL_TYPE] = -1;
    if (n < 0) return csv_fail(c, file, 1, NULL, "broken quotes in the header");
    for (int i = 0; i < n; i++) {
        int k = 0;
        while (k < N_COLS && (i >= N_COLS + 1 || strcmp(f[i], col_names[k]) != 0)) k++;
        if (k == N_COLS || cols[k] >= 0)
            return csv_fail(c, file, 1, NULL, "header must be day,municipality"
                            "[,case_type], got column %d \"%.40s\"", i + 1,
                            i < N_COLS + 1 ? f[i] : "");
        cols[k] = i;
    }
    if (cols[COL_DAY] < 0 || (!own && cols[COL_MUNI] < 0))
        return csv_fail(c, file, 1, NULL, "header must name the columns day,"
                        "municipality[,case_type]");
    *n_fields = n;
    return 0;
}

/* The case type of a row: -1 (drawn by share) when empty. */
static int row_type(scn_ctx *c, const char *file, size_t line, const char *v,
                    long *out)
{
    char known[200];
    if (scn_text_problem(v, SCN_MAX_STR, known, sizeof known))
        return csv_fail(c, file, line, "case_type", "%s", known);
    long t = *v ? scn_resolve(&c->ct, v) : -1;
    if (!*v || t >= 0) { *out = t; return 0; }
    scn_known(&c->ct, known, sizeof known);
    return csv_fail(c, file, line, "case_type", "no case type '%.60s' (known: %s)",
                    v, known);
}

static int row_muni(scn_ctx *c, const char *file, size_t line, const char *v,
                    long own, size_t *out)
{
    char known[200];
    if (scn_text_problem(v, SCN_MAX_STR, known, sizeof known))
        return csv_fail(c, file, line, "municipality", "%s", known);
    long m = scn_resolve(&c->mu, v);
    if (m < 0) {
        scn_known(&c->mu, known, sizeof known);
        return csv_fail(c, file, line, "municipality", "no municipality '%.60s' "
                        "(known: %s)", v, known);
    }
    if (own >= 0 && m != own)
        return csv_fail(c, file, line, "municipality", "'%.60s' is not this file's "
                        "municipality '%s'", v, c->sc->munis[own].id);
    *out = (size_t)m;
    return 0;
}

static int row_day(scn_ctx *c, const char *file, size_t line, const char *v,
                   double prev, double *out)
{
    char *end;
    double day = strtod(v, &end);
    double h = c->sc->horizon_days;
    if (!*v || *end || !isfinite(day))
        return csv_fail(c, file, line, "day", "must be a number, got \"%.40s\"", v);
    if (day < 0.0 || day >= h)
        return csv_fail(c, file, line, "day", "must be >= 0 and < horizon_days "
                        "(%.10g), got %.15g", h, day);
    if (day < prev)
        return csv_fail(c, file, line, "day", "rows must be sorted by day, got "
                        "%.15g after %.15g", day, prev);
    *out = day;
    return 0;
}

/* One data row; rows of this source start at r->a[first]. */
static int read_row(scn_ctx *c, const char *file, size_t line, char *text,
                    const int *cols, int n_fields, long own, rows *r,
                    size_t first)
{
    char *f[N_COLS];
    kim_arrival a = { 0.0, own >= 0 ? (size_t)own : 0, -1 };
    double prev = r->n > first ? r->a[r->n - 1].day : 0.0;
    int n = split(text, f, N_COLS);
    if (n < 0) return csv_fail(c, file, line, NULL, "broken quotes");
    if (n != n_fields)
        return csv_fail(c, file, line, NULL, "expected %d fields, got %d",
                        n_fields, n);
    if (r->n >= SCN_MAX_TRACE)
        return csv_fail(c, file, line, NULL, "more than %d arrivals",
                        SCN_MAX_TRACE);
    if (row_day(c, file, line, f[cols[COL_DAY]], prev, &a.day) ||
        (cols[COL_MUNI] >= 0 &&
         row_muni(c, file, line, f[cols[COL_MUNI]], own, &a.muni)) ||
        (cols[COL_TYPE] >= 0 &&
         row_type(c, file, line, f[cols[COL_TYPE]], &a.case_type)))
        return SCN_EBADINPUT;
    push(r, a);
    return 0;
}

/* Parses CSV text of `file`; own >= 0 for a municipality's own file. */
static int parse_csv(scn_ctx *c, const char *file, char *text, long own, rows *r)
{
    int cols[N_COLS], n_fields = 0;
    size_t line = 0, first = r->n;
    if (strncmp(text, "\xef\xbb\xbf", 3) == 0) text += 3;   /* BOM (Excel) */
    for (char *s = text, *next; s && *s; s = next) {
        next = strchr(s, '\n');
        if (next) *next++ = '\0';
        size_t len = strlen(s);
        if (len && s[len - 1] == '\r') s[--len] = '\0';
        if (++line == 1) {
            if (read_header(c, file, s, own >= 0, cols, &n_fields)) return SCN_EBADINPUT;
        } else if (len && read_row(c, file, line, s, cols, n_fields, own, r,
                                   first)) {
            return SCN_EBADINPUT;
        }
    }
    if (line == 0) return csv_fail(c, file, 1, NULL, "is empty (expected a header "
                                   "day,municipality[,case_type])");
    return 0;
}

/* Reads the file named by setting s (a string, at key path `path`). */
static int read_csv(scn_ctx *c, const config_setting_t *s, const char *path,
                    long own, rows *r, char **resolved)
{
    scn_err ferr = { SCN_OK, "" };
    if (config_setting_type(s) != CONFIG_TYPE_STRING)
        return scn_fail(c, s, path, "must be a file name \"...\", got %s",
                        scn_type_words(s));
    const char *name = config_setting_get_string(s);
    if (!*name) return scn_fail(c, s, path, "must not be empty");
    if (scn_check_str(c, s, path, name, SCN_MAX_PATH)) return SCN_EBADINPUT;
    *resolved = scn_resolve_path(c, name);
    char *text = scn_read_file(*resolved, "the arrivals file", &ferr);
    if (!text) {
        scn_fail(c, s, path, "%s", ferr.msg);
        c->err->code = ferr.code;
        return ferr.code;
    }
    int rc = parse_csv(c, *resolved, text, own, r);
    free(text);
    return rc;
}

/* ------------------------------------------------------------------ */
/* Inline rows                                                          */
/* ------------------------------------------------------------------ */

/* Element i of an inline row as a string. */
static int elem_str(scn_ctx *c, const config_setting_t *row, int i,
                    const char *p, const char **out)
{
    const config_setting_t *e = config_setting_get_elem(row, (unsigned)i);
    if (config_setting_type(e) != CONFIG_TYPE_STRING)
        return scn_fail(c, e, p, "must be (day, \"municipality\"[, \"case_type\"]),"
                        " got %s in place %d", scn_type_words(e), i + 1);
    *out = config_setting_get_string(e);
    return scn_check_str(c, e, p, *out, SCN_MAX_STR);
}

static int inline_row(scn_ctx *c, const config_setting_t *e, const char *p,
                      rows *r, size_t first)
{
    kim_arrival a = { 0.0, 0, -1 };
    const char *muni = NULL, *type = NULL;
    size_t t;
    int len = config_setting_is_list(e) ? config_setting_length(e) : 0;
    if (len != 2 && len != 3)
        return scn_fail(c, e, p, "must be (day, \"municipality\"[, \"case_type\"])");
    const config_setting_t *d = config_setting_get_elem(e, 0);
    if (scn_number(c, d, p, &a.day)) return SCN_EBADINPUT;
    if (a.day < 0.0 || a.day >= c->sc->horizon_days)
        return scn_fail(c, e, p, "day must be >= 0 and < horizon_days (%.10g), "
                        "got %.15g", c->sc->horizon_days, a.day);
    if (elem_str(c, e, 1, p, &muni) || scn_ref(c, e, p, &c->mu, muni, &a.muni))
        return SCN_EBADINPUT;
    if (len == 3 && (elem_str(c, e, 2, p, &type) ||
                     scn_ref(c, e, p, &c->ct, type, &t)))
        return SCN_EBADINPUT;
    if (len == 3) a.case_type = (long)t;
    if (r->n > first && a.day < r->a[r->n - 1].day)
        return scn_fail(c, e, p, "rows must be sorted by day, got %.15g after %.15g",
                        a.day, r->a[r->n - 1].day);
    push(r, a);
    return 0;
}

static int read_inline(scn_ctx *c, const config_setting_t *s, rows *r)
{
    char p[SCN_PATH];
    size_t first = r->n;
    if (!config_setting_is_list(s))
        return scn_fail(c, s, "arrivals", "must be a list ( (day, \"municipality\""
                        "[, \"case_type\"]), ... ), got %s", scn_type_words(s));
    size_t n = (size_t)config_setting_length(s);
    if (n > SCN_MAX_TRACE)
        return scn_fail(c, s, "arrivals", "more than %d arrivals", SCN_MAX_TRACE);
    for (size_t i = 0; i < n; i++) {
        snprintf(p, sizeof p, "arrivals.[%zu]", i);
        if (inline_row(c, config_setting_get_elem(s, (unsigned)i), p, r, first))
            return SCN_EBADINPUT;
    }
    return 0;
}

/* ------------------------------------------------------------------ */
/* All sources                                                          */
/* ------------------------------------------------------------------ */

/* Stable merge sort by day (ties keep source order). */
static void sort_by_day(kim_arrival *a, kim_arrival *tmp, size_t n)
{
    if (n < 2) return;
    size_t h = n / 2, i = 0, j = h, k = 0;
    sort_by_day(a, tmp, h);
    sort_by_day(a + h, tmp, n - h);
    if (a[h - 1].day <= a[h].day) return;
    while (i < h && j < n) tmp[k++] = a[j].day < a[i].day ? a[j++] : a[i++];
    while (i < h) tmp[k++] = a[i++];
    memcpy(a, tmp, k * sizeof *a);
}

static int read_muni_files(scn_ctx *c, const config_setting_t *root, rows *r)
{
    const config_setting_t *list = config_setting_get_member(root, "municipalities");
    char p[SCN_PATH];
    for (size_t i = 0; i < c->sc->n_munis; i++) {
        const config_setting_t *e = config_setting_get_elem(list, (unsigned)i);
        const config_setting_t *f = config_setting_get_member(e, "arrivals_file");
        char *resolved = NULL;
        if (!f) continue;
        snprintf(p, sizeof p, "municipalities.%s.arrivals_file", c->sc->munis[i].id);
        int rc = read_csv(c, f, p, (long)i, r, &resolved);
        free(resolved);
        if (rc) return rc;
    }
    return 0;
}

int scn_read_trace(scn_ctx *c, const config_setting_t *root)
{
    const config_setting_t *f = config_setting_get_member(root, "arrivals_file");
    const config_setting_t *in = config_setting_get_member(root, "arrivals");
    kim_scenario *sc = c->sc;
    rows r = { NULL, 0, 0 };
    char *top = NULL;
    int rc = f ? read_csv(c, f, "arrivals_file", -1, &r, &top) : 0;
    size_t n_top = r.n;
    if (!rc && in) rc = read_inline(c, in, &r);
    if (!rc) rc = read_muni_files(c, root, &r);
    if (rc || r.n == 0) {
        free(r.a);
        r.a = NULL;
    } else {
        kim_arrival *tmp = sim_xmalloc(r.n * sizeof *tmp);
        sort_by_day(r.a, tmp, r.n);
        free(tmp);
    }
    sc->trace = r.a;
    sc->n_trace = rc ? 0 : r.n;
    if (!rc && f && r.n == n_top) sc->arrivals_file = top;
    else free(top);
    return rc;
}
