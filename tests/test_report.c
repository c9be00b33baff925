/*
 * test_report.c — the report's CSV reader, tables, HTML escaping, page and
 * gnuplot scripts (analysis/report.c, html.c, plot.c).
 *
 * Inputs are written here as literal CSV text and read through fmemopen;
 * outputs are captured with open_memstream.  Expected values follow from
 * RFC 4180 §2 (Shafranovich 2005) and the HTML 5 character references for
 * & < > " ', not from a previous run.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../analysis/an.h"

/* ------------------------------------------------------------------ */
/* Helpers                                                              */
/* ------------------------------------------------------------------ */

static FILE *text_file(const char *s)
{
    FILE *f = fmemopen((void *)s, strlen(s), "r");
    assert_non_null(f);
    return f;
}

/* Reads every record of s; returns the last an_csv_next result (0 at the
 * end, -1 on error) and the records' fields joined by '|', records by '/'. */
static long read_all(const char *s, char *out, size_t n, char *err, size_t n_err)
{
    FILE *f = text_file(s);
    an_csv_reader *r = an_csv_reader_new(f);
    const char *const *fl;
    long k;
    out[0] = '\0';
    while ((k = an_csv_next(r, &fl)) > 0) {
        for (long i = 0; i < k; i++) {
            strncat(out, fl[i], n - strlen(out) - 1);
            strncat(out, i + 1 < k ? "|" : "/", n - strlen(out) - 1);
        }
    }
    if (err) snprintf(err, n_err, "%s", an_csv_error(r));
    an_csv_reader_free(r);
    fclose(f);
    return k;
}

static void table_from(const char *s, an_table *t)
{
    char err[200];
    FILE *f = text_file(s);
    assert_int_equal(an_table_read(f, t, err, sizeof err), 0);
    fclose(f);
}

/* ------------------------------------------------------------------ */
/* CSV reader                                                           */
/* ------------------------------------------------------------------ */

static void test_report_csv_quotes(void **state)
{
    (void)state;
    char out[256];
    assert_int_equal(read_all("a,\"b \"\"q\"\" c\",\"\"\n", out, sizeof out, NULL, 0), 0);
    assert_string_equal(out, "a|b \"q\" c|/");
}

static void test_report_csv_embedded_comma_newline(void **state)
{
    (void)state;
    char out[256];
    assert_int_equal(read_all("\"x,y\",\"line1\nline2\",z\r\nnext,\"2,385\"\r\n",
                              out, sizeof out, NULL, 0), 0);
    assert_string_equal(out, "x,y|line1\nline2|z/next|2,385/");
}

static void test_report_csv_empty_fields(void **state)
{
    (void)state;
    char out[256];
    assert_int_equal(read_all(",,\na,,c\n,x", out, sizeof out, NULL, 0), 0);
    assert_string_equal(out, "||/a||c/|x/");
}

static void test_report_csv_bom_blank_lines_crlf(void **state)
{
    (void)state;
    char out[256];
    assert_int_equal(read_all("\xef\xbb\xbfh1,h2\r\n\r\n\n1.5,2\r\n\n", out, sizeof out, NULL, 0), 0);
    assert_string_equal(out, "h1|h2/1.5|2/");
    assert_int_equal(read_all("", out, sizeof out, NULL, 0), 0);
    assert_string_equal(out, "");
}

static void test_report_csv_errors_name_the_line(void **state)
{
    (void)state;
    char out[256], err[200];
    assert_int_equal(read_all("a,b\n1,\"open\nstill open", out, sizeof out, err, sizeof err), -1);
    assert_non_null(strstr(err, "line 2"));
    assert_non_null(strstr(err, "not closed"));
    assert_int_equal(read_all("a\n\"x\"y,z\n", out, sizeof out, err, sizeof err), -1);
    assert_non_null(strstr(err, "line 2"));
    assert_non_null(strstr(err, "after the closing quote"));
    assert_int_equal(read_all("a\n\n\nab\"c\n", out, sizeof out, err, sizeof err), -1);
    assert_non_null(strstr(err, "line 4"));
}

/* ------------------------------------------------------------------ */
/* Tables                                                               */
/* ------------------------------------------------------------------ */

static void test_report_table_pads_and_looks_up(void **state)
{
    (void)state;
    an_table t;
    table_from("name,value,extra\n\"Bönen, Süd\",2.385\nx,,y,dropped\n", &t);
    assert_int_equal(t.n_cols, 3);
    assert_int_equal(t.n_rows, 2);
    assert_int_equal(an_table_col(&t, "value"), 1);
    assert_int_equal(an_table_col(&t, "nope"), -1);
    assert_string_equal(an_table_get(&t, 0, 0), "Bönen, Süd");
    assert_string_equal(an_table_get(&t, 0, 2), "");
    assert_string_equal(an_table_get(&t, 1, 2), "y");
    assert_string_equal(an_table_get(&t, 1, -1), "");
    assert_string_equal(an_table_get(&t, 5, 0), "");
    assert_true(an_table_num(&t, 0, 1) == 2.385);
    assert_true(isnan(an_table_num(&t, 1, 1)));
    assert_true(isnan(an_table_num(&t, 0, 0)));
    an_table_fini(&t);
    an_table_fini(&t);          /* a finished table is empty: no double free */
}

static void test_report_table_errors(void **state)
{
    (void)state;
    an_table t;
    char err[200];
    FILE *f = text_file("");
    assert_int_equal(an_table_read(f, &t, err, sizeof err), -1);
    assert_non_null(strstr(err, "no header"));
    fclose(f);
    f = text_file("a,b\n1,\"2\n");
    assert_int_equal(an_table_read(f, &t, err, sizeof err), -1);
    assert_non_null(strstr(err, "line 2"));
    assert_int_equal(t.n_rows, 0);
    assert_null(t.cell);
    fclose(f);
}

/* ------------------------------------------------------------------ */
/* HTML                                                                 */
/* ------------------------------------------------------------------ */

static void test_report_html_escape(void **state)
{
    (void)state;
    char *buf = NULL;
    size_t n = 0;
    FILE *f = open_memstream(&buf, &n);
    an_html_escape(f, "A&B <Süd> \"x\" 'y'");
    an_html_escape(f, NULL);
    fclose(f);
    assert_string_equal(buf, "A&amp;B &lt;Süd&gt; &quot;x&quot; &#39;y&#39;");
    free(buf);
}

#define NASTY "municipality:A&B <Süd> \"x\""
#define NASTY_CSV "\"municipality:A&B <Süd> \"\"x\"\"\""

static const char summary_csv[] =
    "scenario,variant,group,metric,n,mean,sd,ci_low,ci_high,min,max\n"
    "s,base,district,wait_p90,3,12.5,1,10.1,14.9,11,14\n"
    "s,base," NASTY_CSV ",wait_p90,3,20.25,2,15.3,25.2,18,22\n"
    "s,base," NASTY_CSV ",wait_p50,3,4.5,1,2,7,3,6\n";

static const char verdict_csv[] =
    "scenario,variant,group,target,threshold,estimate,ci_low,ci_high,verdict,reason,reps_to_decide\n"
    "s,base,district,wait,0.9,0.93,0.91,0.95,adequate,,\n"
    "s,base," NASTY_CSV ",wait,0.9,0.7,0.6,0.8,inadequate,\"p90 wait 20.2 days (target 14)\",\n";

/* The page for the fixture tables, with one fake plot. */
static char *page(an_table *s, an_table *v)
{
    table_from(summary_csv, s);
    table_from(verdict_csv, v);
    an_report r = { .summary = s, .verdict = v, .manifest = "scenario: s <&>\n" };
    an_report_select(&r);
    an_report_note(&r, "note with <b>%s</b>", "&");
    r.plots[0] = (an_report_plot){ "waits", "Waits", "Caption.",
                                   "<?xml version=\"1.0\"?>\n<svg id=\"t\"><text>x</text></svg>" };
    r.n_plots = 1;
    char *buf = NULL;
    size_t n = 0;
    FILE *f = open_memstream(&buf, &n);
    assert_int_equal(an_report_html(f, &r), 0);
    fclose(f);
    return buf;
}

static void test_report_html_page_escapes_names(void **state)
{
    (void)state;
    an_table s, v;
    char *html = page(&s, &v);
    assert_non_null(strstr(html, "A&amp;B &lt;Süd&gt; &quot;x&quot;"));
    assert_null(strstr(html, "<Süd>"));
    assert_null(strstr(html, "<b>&</b>"));
    assert_non_null(strstr(html, "scenario: s &lt;&amp;&gt;"));
    assert_non_null(strstr(html, "class=\"verdict-table\""));
    assert_non_null(strstr(html, "<td class=\"inadequate\">"));
    assert_non_null(strstr(html, "<td class=\"adequate\">"));
    /* the SVG is inlined without its XML prolog */
    assert_non_null(strstr(html, "<svg id=\"t\"><text>x</text></svg>"));
    assert_null(strstr(html, "<?xml"));
    /* self-contained: nothing fetched */
    assert_null(strstr(html, "http://"));
    assert_null(strstr(html, "https://"));
    assert_null(strstr(html, "<script"));
    assert_non_null(strstr(html, "@media print"));
    free(html);
    an_table_fini(&s);
    an_table_fini(&v);
}

static void test_report_select_wait_metric(void **state)
{
    (void)state;
    an_table s, v;
    table_from(summary_csv, &s);
    table_from("scenario,variant,group,target,threshold\ns,base,district,wait,0.8\n", &v);
    an_report r = { .summary = &s, .verdict = &v };
    an_report_select(&r);
    assert_string_equal(r.scenario, "s");
    assert_string_equal(r.variant, "base");
    assert_true(fabs(r.wait_quantile - 0.8) < 1e-12);
    /* no wait_target_quantile in the summary: falls back to p90 */
    assert_string_equal(r.wait_metric, "wait_p90");
    assert_string_equal(r.wait_label, "p90");
    assert_true(isnan(r.wait_days));
    an_table_fini(&s);
    table_from("scenario,variant,group,metric,mean\ns,base,district,wait_target_quantile,7\n", &s);
    an_report r2 = { .summary = &s, .verdict = &v };
    an_report_select(&r2);
    assert_string_equal(r2.wait_metric, "wait_target_quantile");
    assert_string_equal(r2.wait_label, "p80");
    an_table_fini(&s);
    an_table_fini(&v);
}

static void test_report_html_comparison_sentences(void **state)
{
    (void)state;
    an_table s, c;
    table_from(summary_csv, &s);
    table_from("scenario,baseline,variant,group,metric,diff_mean,diff_ci_low,diff_ci_high\n"
               "s,base,fte=1.5,district,wait_p90,-2.385,-3.5,-1.26\n"
               "s,base,fte=1.5,district,within_target_share,0.125,-0.05,0.3\n"
               "s,base,fte=1.5," NASTY_CSV ",wait_p90,-12.5,-20,-5\n"
               "s,base,fte=1.5,municipality:Bönen,wait_p90,0,0,0\n"
               "s,base,fte=1.5,municipality:Bönen,within_target_share,0,0,0\n"
               "s,base,fte=1.5,carrier:DRK,wait_p90,-1,-2,-0.5\n", &c);
    an_report r = { .summary = &s, .comparison = &c };
    an_report_select(&r);
    char *buf = NULL;
    size_t n = 0;
    FILE *f = open_memstream(&buf, &n);
    an_report_comparison_html(f, &r);
    fclose(f);
    assert_non_null(strstr(buf, "<h3>fte=1.5 against base</h3>"));
    /* U+2212 minus, one decimal, the paired CI, "clearly" when it excludes 0 */
    assert_non_null(strstr(buf, "<b>District (all)</b>: p90 wait \xe2\x88\x92" "2.4 days "
                                "(95 % CI \xe2\x88\x92" "3.5 to \xe2\x88\x92" "1.3"));
    assert_non_null(strstr(buf, "clearly lower)"));
    /* shares in percentage points; a CI across 0 is no clear difference */
    assert_non_null(strstr(buf, "started within target +12.5 percentage points"));
    assert_non_null(strstr(buf, "no clear difference)"));
    assert_non_null(strstr(buf, "<b>A&amp;B &lt;Süd&gt; &quot;x&quot;</b>: p90 wait"));
    assert_non_null(strstr(buf, "No difference at all in Bönen"));
    assert_null(strstr(buf, "DRK"));                /* carriers are left out */
    free(buf);
    an_table_fini(&s);
    /* the variant's summary says n = 1: no CI, nothing called clear */
    table_from("scenario,variant,group,metric,n,mean,sd,ci_low,ci_high,min,max\n"
               "s,fte=1.5,district,wait_p90,1,10.1,,10.1,10.1,10.1,10.1\n", &s);
    an_report r1 = { .summary = &s, .comparison = &c };
    an_report_select(&r1);
    f = open_memstream(&buf, &n);
    an_report_comparison_html(f, &r1);
    fclose(f);
    assert_non_null(strstr(buf, "<b>District (all)</b>: p90 wait \xe2\x88\x92" "2.4 days "
                                "(one replication: no confidence interval)"));
    free(buf);
    an_table_fini(&s);
    an_table_fini(&c);
}

/* ------------------------------------------------------------------ */
/* gnuplot scripts                                                      */
/* ------------------------------------------------------------------ */

static void test_report_plot_quotes_names(void **state)
{
    (void)state;
    an_table s, v;
    table_from("scenario,variant,group,metric,n,mean,sd,ci_low,ci_high\n"
               "s,base,\"municipality:O'Brien\nline\",wait_p90,2,3.5,1,1.25,5.75\n", &s);
    table_from(verdict_csv, &v);
    an_report r = { .summary = &s, .verdict = &v };
    an_report_select(&r);
    r.wait_days = 14.0;
    char *gp = NULL, *dat = NULL;
    size_t ngp = 0, ndat = 0;
    FILE *fg = open_memstream(&gp, &ngp), *fd = open_memstream(&dat, &ndat);
    an_plot_files pf = { "v.dat", "v.svg", "v.png" };
    assert_int_equal(an_plot_verdict(fg, fd, &pf, &r), 1);
    fclose(fg);
    fclose(fd);
    assert_non_null(strstr(gp, "'O''Brien line' 0"));
    assert_non_null(strstr(gp, "set encoding utf8"));
    assert_non_null(strstr(gp, "noenhanced"));
    assert_non_null(strstr(gp, "set output 'v.svg'"));
    assert_non_null(strstr(gp, "set output 'v.png'"));
    assert_non_null(strstr(gp, "target: 14 days"));
    /* x, mean, ci_low, ci_high, colour (grey: no verdict for the group) */
    assert_string_equal(dat, "0 3.5 1.25 5.75 10066329\n");
    free(gp);
    free(dat);
    an_table_fini(&s);
    an_table_fini(&v);
}

static void test_report_plot_waiting_mean_min_max(void **state)
{
    (void)state;
    an_table s;
    table_from(summary_csv, &s);
    an_report r = { .summary = &s };
    an_report_select(&r);
    FILE *ts = text_file(
        "scenario,variant,replication,day,group,waiting,open,slots,filled_fte\n"
        "s,base,1,0,district,9,0,0,0\n"
        "s,base,1,0,municipality:Bönen,2,0,0,0\n"
        "s,base,1,7,municipality:Bönen,5,0,0,0\n"
        "s,other,1,7,municipality:Bönen,100,0,0,0\n"
        "s,base,2,0,municipality:Bönen,4,0,0,0\n"
        "s,base,2,7,municipality:Bönen,8,0,0,0\n"
        "s,base,3,7,municipality:Bönen,11,0,0,0\n");
    an_csv_reader *rd = an_csv_reader_new(ts);
    char *gp = NULL, *dat = NULL, err[200] = "";
    size_t ngp = 0, ndat = 0;
    FILE *fg = open_memstream(&gp, &ngp), *fd = open_memstream(&dat, &ndat);
    an_plot_files pf = { "w.dat", "w.svg", "w.png" };
    assert_int_equal(an_plot_waiting(fg, fd, &pf, rd, &r, err, sizeof err), 1);
    fclose(fg);
    fclose(fd);
    /* day 0: 2, 4 -> mean 3; day 7: 5, 8, 11 -> mean 8 */
    assert_string_equal(dat, " 0 3 2 4\n 7 8 5 11\n\n\n");
    assert_non_null(strstr(gp, "'Bönen'"));
    assert_non_null(strstr(gp, "over 3 replications"));
    free(gp);
    free(dat);
    an_csv_reader_free(rd);
    fclose(ts);
    an_table_fini(&s);
}

static void test_report_plot_nothing_to_draw(void **state)
{
    (void)state;
    an_table s;
    table_from("scenario,variant,group,metric,mean\ns,base,post:x,utilization,0.5\n", &s);
    an_report r = { .summary = &s };
    an_report_select(&r);
    an_plot_files pf = { "d", "s", "p" };
    FILE *fg = fopen("/dev/null", "w"), *fd = fopen("/dev/null", "w");
    assert_int_equal(an_plot_waits(fg, fd, &pf, &r), 0);
    assert_int_equal(an_plot_verdict(fg, fd, &pf, &r), 0);
    assert_int_equal(an_plot_comparison(fg, fd, &pf, &r), 0);
    assert_int_equal(an_plot_recommendation(fg, fd, &pf, &r), 0);
    FILE *ts = text_file("a,b\n1,2\n");
    an_csv_reader *rd = an_csv_reader_new(ts);
    char err[200] = "";
    assert_int_equal(an_plot_waiting(fg, fd, &pf, rd, &r, err, sizeof err), -1);
    assert_non_null(strstr(err, "no header"));
    an_csv_reader_free(rd);
    fclose(ts);
    fclose(fg);
    fclose(fd);
    an_table_fini(&s);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_report_csv_quotes),
        cmocka_unit_test(test_report_csv_embedded_comma_newline),
        cmocka_unit_test(test_report_csv_empty_fields),
        cmocka_unit_test(test_report_csv_bom_blank_lines_crlf),
        cmocka_unit_test(test_report_csv_errors_name_the_line),
        cmocka_unit_test(test_report_table_pads_and_looks_up),
        cmocka_unit_test(test_report_table_errors),
        cmocka_unit_test(test_report_html_escape),
        cmocka_unit_test(test_report_html_page_escapes_names),
        cmocka_unit_test(test_report_select_wait_metric),
        cmocka_unit_test(test_report_html_comparison_sentences),
        cmocka_unit_test(test_report_plot_quotes_names),
        cmocka_unit_test(test_report_plot_waiting_mean_min_max),
        cmocka_unit_test(test_report_plot_nothing_to_draw),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
