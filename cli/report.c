/*
 * report.c — `kimsim report DIR`: plots and one HTML page from the CSV
 * files a run left in DIR.
 *
 * Invariant: DIR's CSV files and manifest are only read; the command
 * writes DIR/plots/<name>.{svg,png} and DIR/report.html, each under a
 * temporary name first and renamed into place, so a reader never sees a
 * half-written file.  gnuplot runs as a child (fork + execv of the binary
 * found on PATH, working folder DIR/plots/, the script's file name as its
 * only argument): no shell ever sees a path or a name from the data.
 *
 * Exit status: 0 when the page was written (also without gnuplot: then
 * the page says how to get plots); 2 when DIR has no summary.csv or a CSV
 * file is malformed; 1 when a file cannot be written or gnuplot failed.
 */
#include "cli.h"
#include "../sim/sim.h"

#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

static const struct {
    const char *name, *title, *caption;
} plot_info[] = {
    { "waiting", "Waiting list over time",
      "Cases on each municipality's waiting list, sampled every sample_days: the line is "
      "the mean over the replications, the band their range (lowest to highest)." },
    { "waits", "How long people wait",
      "Median, 90th and 95th percentile and mean wait per municipality (each the mean "
      "over the replications) against the target wait." },
    { "verdict", "Verdict on the waiting target",
      "The wait at the target quantile per municipality with its 95 % confidence interval; "
      "the bar's colour is the verdict on the waiting target." },
    { "comparison", "Variants against the baseline",
      "Difference of the wait per municipality, variant minus baseline, with its 95 % "
      "confidence interval; below zero means shorter waits than the baseline." },
    { "recommendation", "Recommended staffing",
      "Current and recommended FTE per post (recommendation.csv)." },
};
#define N_PLOTS (sizeof plot_info / sizeof *plot_info)

typedef struct report_ctx {
    const char *dir;
    char plots[4096];           /* DIR/plots */
    char gnuplot[4096];         /* path of the gnuplot binary; "" when none */
    an_table tables[4];         /* summary, verdict, comparison, recommendation */
    int have[4];
    char *manifest;
    kim_scenario sc;
    int have_sc;
    char *svg[N_PLOTS];
    int failed;                 /* a plot could not be drawn */
    an_report r;
} report_ctx;

static const char *const table_file[4] = {
    "summary.csv", "verdict.csv", "comparison.csv", "recommendation.csv"
};

/* ------------------------------------------------------------------ */
/* Reading DIR                                                          */
/* ------------------------------------------------------------------ */

/* Whole file as a string (malloc'd), or NULL when it cannot be read. */
static char *read_text(const char *path)
{
    FILE *f = fopen(path, "rb");
    if (!f) return NULL;
    size_t n = 0, cap = 1 << 14;
    char *s = sim_xmalloc(cap);
    size_t k;
    while ((k = fread(s + n, 1, cap - n - 1, f)) > 0) {
        n += k;
        if (cap - n - 1 == 0) s = sim_xrealloc(s, cap *= 2);
    }
    s[n] = '\0';
    fclose(f);
    return s;
}

/* Reads DIR/<table_file[i]> when present.  0, or CLI_EBADINPUT. */
static int read_table(report_ctx *c, int i)
{
    char path[4200], err[200];
    snprintf(path, sizeof path, "%s/%s", c->dir, table_file[i]);
    FILE *f = fopen(path, "r");
    if (!f) {
        if (errno == ENOENT) return 0;
        fprintf(stderr, "kimsim report: cannot read %s: %s\n", path, strerror(errno));
        return CLI_EBADINPUT;
    }
    int rc = an_table_read(f, &c->tables[i], err, sizeof err);
    fclose(f);
    if (rc != 0) {
        fprintf(stderr, "kimsim report: %s: %s\n", path, err);
        return CLI_EBADINPUT;
    }
    c->have[i] = 1;
    return 0;
}

/* A "scenario:" block of manifest.txt (cli/write.c writes one per
 * variant: "scenario: NAME", then "  file: ", "  variant: ", "  hash: "). */
typedef struct mblock {
    char name[256], file[4096], variant[1024], hash[32];
} mblock;

/* Copies the value of line l (length len) after `key` into buf. */
static int value_of(const char *l, size_t len, const char *key, char *buf, size_t n)
{
    size_t k = strlen(key);
    if (len < k || strncmp(l, key, k)) return 0;
    snprintf(buf, n, "%.*s", (int)(len - k), l + k);
    return 1;
}

/* The block of (scenario, variant), else the first of scenario.  0 or -1. */
static int manifest_block(const char *manifest, const char *scenario, const char *variant,
                          mblock *out)
{
    mblock cur;
    memset(&cur, 0, sizeof cur);
    int found = 0;
    for (const char *l = manifest; l && *l;) {
        size_t len = strcspn(l, "\n");
        if (!strncmp(l, "scenario: ", 10)) memset(&cur, 0, sizeof cur);
        value_of(l, len, "scenario: ", cur.name, sizeof cur.name);
        value_of(l, len, "  file: ", cur.file, sizeof cur.file);
        value_of(l, len, "  variant: ", cur.variant, sizeof cur.variant);
        value_of(l, len, "  hash: ", cur.hash, sizeof cur.hash);
        int exact = !strcmp(cur.name, scenario) && !strcmp(cur.variant, variant);
        if (cur.hash[0] && !strcmp(cur.name, scenario) && (exact || !found)) {
            *out = cur;
            found = 1 + exact;
        }
        l = l[len] ? l + len + 1 : l + len;
    }
    return found ? 0 : -1;
}

/* Loads the scenario with the variant's assignments ("k=v;k2=v2"). */
static int load_scenario(report_ctx *c, const char *path, const char *want_hash)
{
    const char *label = c->r.variant;
    char *copy = sim_xstrdup(strcmp(label, "base") ? label : "");
    scn_override ov[64];
    memset(ov, 0, sizeof ov);
    size_t n = 0;
    for (char *save = NULL, *a = strtok_r(copy, ";", &save); a && n < 64;
         a = strtok_r(NULL, ";", &save))
        if (strchr(a, '=')) ov[n++].assignment = a;
    scn_err err = { 0 };
    int rc = scn_load(path, ov, n, &c->sc, &err);
    if (rc != 0) rc = scn_load(path, NULL, 0, &c->sc, &err);
    free(copy);
    if (rc != 0) {
        an_report_note(&c->r, "The scenario file could not be read (%s), so its description "
                       "and the target wait are missing; name it with --scenario FILE.", err.msg);
        return -1;
    }
    c->have_sc = 1;
    char hash[32];
    snprintf(hash, sizeof hash, "%016llx", (unsigned long long)scn_hash(&c->sc));
    if (want_hash && *want_hash && strcmp(hash, want_hash))
        an_report_note(&c->r, "%s has changed since the run, or the run overrode it with "
                       "--set: the description and the targets shown come from the file "
                       "as it is now.", path);
    return 0;
}

static int read_dir(report_ctx *c, const char *scenario_path)
{
    for (int i = 0; i < 4; i++)
        if (read_table(c, i) != 0) return CLI_EBADINPUT;
    if (!c->have[0] && !c->have[3]) {     /* recommend writes only its own file */
        fprintf(stderr, "kimsim report: %s/summary.csv not found (is %s the output "
                        "folder of kimsim run?)\n", c->dir, c->dir);
        return CLI_EBADINPUT;
    }
    char path[4200];
    snprintf(path, sizeof path, "%s/manifest.txt", c->dir);
    c->manifest = read_text(path);
    c->r.summary = &c->tables[0];
    c->r.verdict = c->have[1] ? &c->tables[1] : NULL;
    c->r.comparison = c->have[2] ? &c->tables[2] : NULL;
    c->r.recommendation = c->have[3] ? &c->tables[3] : NULL;
    c->r.manifest = c->manifest;
    an_report_select(&c->r);
    mblock *mb = sim_xcalloc(1, sizeof *mb);
    int have_block = manifest_block(c->manifest, c->r.scenario, c->r.variant, mb) == 0;
    if (scenario_path || have_block)
        load_scenario(c, scenario_path ? scenario_path : mb->file, have_block ? mb->hash : NULL);
    free(mb);
    c->r.sc = c->have_sc ? &c->sc : NULL;
    an_report_select(&c->r);
    return 0;
}

/* ------------------------------------------------------------------ */
/* gnuplot                                                              */
/* ------------------------------------------------------------------ */

/* The first executable "gnuplot" on PATH into c->gnuplot. */
static int find_gnuplot(report_ctx *c)
{
    const char *path = getenv("PATH");
    c->gnuplot[0] = '\0';
    for (const char *p = path ? path : "/usr/bin:/bin"; *p;) {
        size_t n = strcspn(p, ":");
        snprintf(c->gnuplot, sizeof c->gnuplot, "%.*s/gnuplot", (int)n, n ? p : ".");
        if (access(c->gnuplot, X_OK) == 0) return 0;
        p += n + (p[n] == ':');
    }
    c->gnuplot[0] = '\0';
    return -1;
}

/* Runs gnuplot on `script` in c->plots with stderr to `log`; 0 when it
 * exited with status 0. */
static int run_gnuplot(const report_ctx *c, const char *script, const char *log)
{
    fflush(NULL);
    pid_t pid = fork();
    if (pid < 0) return -1;
    if (pid == 0) {
        int in = open("/dev/null", O_RDONLY);
        if (chdir(c->plots) != 0 || in < 0) _exit(126);
        int out = open(log, O_WRONLY | O_CREAT | O_TRUNC, 0644);
        if (out < 0) _exit(126);
        dup2(in, 0);
        dup2(out, 1);
        dup2(out, 2);
        char *argv[] = { "gnuplot", (char *)script, NULL };
        execv(c->gnuplot, argv);
        _exit(127);
    }
    int st;
    while (waitpid(pid, &st, 0) < 0)
        if (errno != EINTR) return -1;
    return WIFEXITED(st) && WEXITSTATUS(st) == 0 ? 0 : -1;
}

/* Writes plot k's data and script; see an_plot_* for the result. */
static int write_plot(report_ctx *c, size_t k, FILE *gp, FILE *dat, const an_plot_files *pf)
{
    char err[200] = "", path[4200];
    switch (k) {
    case 0: {
        snprintf(path, sizeof path, "%s/timeseries.csv", c->dir);
        FILE *f = fopen(path, "r");
        if (!f) return 0;
        an_csv_reader *ts = an_csv_reader_new(f);
        int rc = an_plot_waiting(gp, dat, pf, ts, &c->r, err, sizeof err);
        an_csv_reader_free(ts);
        fclose(f);
        if (rc < 0) fprintf(stderr, "kimsim report: %s: %s\n", path, err);
        return rc;
    }
    case 1: return an_plot_waits(gp, dat, pf, &c->r);
    case 2: return an_plot_verdict(gp, dat, pf, &c->r);
    case 3: return an_plot_comparison(gp, dat, pf, &c->r);
    default: return an_plot_recommendation(gp, dat, pf, &c->r);
    }
}

/* The temporary name ".<name>.<pid>.<ext>" in DIR/plots (full path when
 * `full`). */
static void tmp_name(const report_ctx *c, size_t k, const char *ext, int full,
                     char *buf, size_t n)
{
    snprintf(buf, n, "%s%s.%s.%ld.%s", full ? c->plots : "", full ? "/" : "",
             plot_info[k].name, (long)getpid(), ext);
}

static void remove_tmp(const report_ctx *c, size_t k)
{
    static const char *const exts[] = { "dat", "gp", "svg", "png", "log" };
    char path[4400];
    for (size_t e = 0; e < 5; e++) {
        tmp_name(c, k, exts[e], 1, path, sizeof path);
        unlink(path);
    }
}

/* Moves the drawn SVG and PNG into place and keeps the SVG's text. */
static int commit_plot(report_ctx *c, size_t k)
{
    static const char *const exts[] = { "svg", "png" };
    char from[4400], to[4400];
    for (size_t e = 0; e < 2; e++) {
        tmp_name(c, k, exts[e], 1, from, sizeof from);
        if (access(from, R_OK) != 0) {
            fprintf(stderr, "kimsim report: gnuplot wrote no %s for plot '%s'\n", exts[e],
                    plot_info[k].name);
            return -1;
        }
    }
    for (size_t e = 0; e < 2; e++) {
        tmp_name(c, k, exts[e], 1, from, sizeof from);
        snprintf(to, sizeof to, "%s/%s.%s", c->plots, plot_info[k].name, exts[e]);
        if (rename(from, to) != 0) {
            fprintf(stderr, "kimsim report: cannot write %s: %s\n", to, strerror(errno));
            return -1;
        }
        if (e == 0) c->svg[k] = read_text(to);
    }
    return c->svg[k] && strstr(c->svg[k], "<svg") ? 0 : -1;
}

/* Shows gnuplot's complaint after a failed plot. */
static void show_log(const report_ctx *c, size_t k)
{
    char path[4400];
    tmp_name(c, k, "log", 1, path, sizeof path);
    char *log = read_text(path);
    fprintf(stderr, "kimsim report: gnuplot failed on plot '%s'%s%.2000s\n", plot_info[k].name,
            log && *log ? ":\n" : "", log ? log : "");
    free(log);
}

/* Draws plot k: 1 drawn, 0 nothing to draw, -1 failed. */
static int draw(report_ctx *c, size_t k)
{
    char dat[4400], gp[4400], svg[256], png[256], datn[256], gpn[256], logn[256];
    tmp_name(c, k, "dat", 1, dat, sizeof dat);
    tmp_name(c, k, "gp", 1, gp, sizeof gp);
    tmp_name(c, k, "dat", 0, datn, sizeof datn);
    tmp_name(c, k, "gp", 0, gpn, sizeof gpn);
    tmp_name(c, k, "svg", 0, svg, sizeof svg);
    tmp_name(c, k, "png", 0, png, sizeof png);
    tmp_name(c, k, "log", 0, logn, sizeof logn);
    an_plot_files pf = { datn, svg, png };
    FILE *fd = fopen(dat, "w"), *fg = fopen(gp, "w");
    if (!fd || !fg)
        fprintf(stderr, "kimsim report: cannot write %s: %s\n", fd ? gp : dat, strerror(errno));
    int rc = fd && fg ? write_plot(c, k, fg, fd, &pf) : -1;
    if (fd && fclose(fd) != 0) rc = -1;
    if (fg && fclose(fg) != 0) rc = -1;
    if (rc == 1 && run_gnuplot(c, gpn, logn) != 0) {
        show_log(c, k);
        rc = -1;
    }
    if (rc == 1 && commit_plot(c, k) != 0) rc = -1;
    remove_tmp(c, k);
    return rc;
}

/* Removes plot k's SVG and PNG (from an earlier report). */
static void remove_plot(const report_ctx *c, size_t k)
{
    char path[4400];
    snprintf(path, sizeof path, "%s/%s.svg", c->plots, plot_info[k].name);
    unlink(path);
    snprintf(path, sizeof path, "%s/%s.png", c->plots, plot_info[k].name);
    unlink(path);
}

/* Every plot that has data; removes plots of an earlier report that this
 * one does not draw, so DIR/plots matches the page. */
static void draw_all(report_ctx *c)
{
    for (size_t k = 0; k < N_PLOTS; k++) {
        int rc = draw(c, k);
        if (rc < 0) c->failed = 1;
        if (rc == 1) {
            an_report_plot *p = &c->r.plots[c->r.n_plots++];
            p->name = plot_info[k].name;
            p->title = plot_info[k].title;
            p->caption = plot_info[k].caption;
            p->svg = c->svg[k];
            continue;
        }
        remove_plot(c, k);
    }
    if (c->failed)
        an_report_note(&c->r, "Some plots could not be drawn; kimsim report printed "
                       "gnuplot's message.");
}

/* ------------------------------------------------------------------ */
/* The command                                                          */
/* ------------------------------------------------------------------ */

static int parse(int argc, char **argv, const char **dir, const char **scenario, int *quiet)
{
    *dir = *scenario = NULL;
    *quiet = 0;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        if (!strcmp(a, "--help") || !strcmp(a, "-h")) { cli_usage(stdout, "report"); return -1; }
        if (!strcmp(a, "--quiet") || !strcmp(a, "-q")) *quiet = 1;
        else if (!strcmp(a, "--scenario") && i + 1 < argc) *scenario = argv[++i];
        else if (a[0] == '-' && a[1]) {
            fprintf(stderr, "kimsim report: unknown option or missing value '%s'\n"
                            "(see 'kimsim report --help')\n", a);
            return CLI_EBADINPUT;
        } else if (*dir) {
            fprintf(stderr, "kimsim report: one DIR only, got '%s' and '%s'\n", *dir, a);
            return CLI_EBADINPUT;
        } else *dir = a;
    }
    if (*dir) return 0;
    fprintf(stderr, "kimsim report: no DIR given (see 'kimsim report --help')\n");
    return CLI_EBADINPUT;
}

static int write_page(report_ctx *c)
{
    cli_out out;
    if (cli_out_open(&out, c->dir, "report.html") != 0) return CLI_EFAIL;
    if (an_report_html(out.f, &c->r) != 0) {
        cli_out_abort(&out);
        fprintf(stderr, "kimsim report: cannot write %s/report.html\n", c->dir);
        return CLI_EFAIL;
    }
    return cli_out_commit(&out) == 0 ? CLI_OK : CLI_EFAIL;
}

static void ctx_fini(report_ctx *c)
{
    for (int i = 0; i < 4; i++) an_table_fini(&c->tables[i]);
    for (size_t k = 0; k < N_PLOTS; k++) free(c->svg[k]);
    free(c->manifest);
    if (c->have_sc) kim_scenario_fini(&c->sc);
}

static void plots_or_note(report_ctx *c)
{
    snprintf(c->plots, sizeof c->plots, "%s/plots", c->dir);
    if (find_gnuplot(c) != 0) {
        fprintf(stderr, "kimsim report: warning: gnuplot not found on PATH; writing the "
                        "page without plots (install it: apt-get install gnuplot-nox)\n");
        an_report_note(&c->r, "No plots: gnuplot was not found. Install it (Debian: "
                       "apt-get install gnuplot-nox) and run kimsim report again.");
        for (size_t k = 0; k < N_PLOTS; k++) remove_plot(c, k);
    } else if (cli_mkdirs(c->plots) != 0) {
        fprintf(stderr, "kimsim report: cannot create %s: %s\n", c->plots, strerror(errno));
        c->failed = 1;
    } else {
        draw_all(c);
    }
}

int cmd_report(int argc, char **argv)
{
    const char *scenario;
    int quiet;
    report_ctx *c = sim_xcalloc(1, sizeof *c);
    int rc = parse(argc, argv, &c->dir, &scenario, &quiet);
    if (rc == 0) rc = read_dir(c, scenario);
    if (rc == 0) {
        plots_or_note(c);
        rc = write_page(c);
    }
    if (rc == CLI_OK && !quiet)
        printf("wrote %s/report.html (%zu plots in %s/plots/)\n", c->dir, c->r.n_plots, c->dir);
    if (rc == CLI_OK && c->failed) rc = CLI_EFAIL;
    ctx_fini(c);
    free(c);
    return rc < 0 ? CLI_OK : rc;
}
