/*
 * compare.c — `kimsim compare A.cfg B.cfg [...]` and the paired comparison
 * a --vary run writes (comparison.csv) and prints (sentences).
 *
 * Invariant: every file of a comparison runs with the same master seed
 * and replications (A's, unless -s / -r), so replication r of every file
 * and variant sees the same random streams (common random numbers,
 * DESIGN.md §5) and the differences are paired by r (analysis/compare.c).
 * The baseline is the first file (compare) or a file's first variant
 * (--vary); every other one is compared with it.
 */
#include "cli.h"
#include "../sim/sim.h"

#include <signal.h>
#include <stdlib.h>
#include <string.h>

extern volatile sig_atomic_t cli_signal_seen;

/* ------------------------------------------------------------------ */
/* comparison.csv and the sentences                                     */
/* ------------------------------------------------------------------ */

/* Writes pairs (base[i], var[i]) for i < n into dir/comparison.csv. */
static int write_pairs(const char *dir, const an_variant *const *base,
                       const an_variant *const *var, size_t n)
{
    cli_out out;
    if (cli_out_open(&out, dir, "comparison.csv") != 0) return -1;
    int bad = an_write_comparison_header(out.f);
    for (size_t i = 0; i < n && !bad; i++) bad = an_write_comparison(out.f, base[i], var[i]);
    if (bad) {
        cli_out_abort(&out);
        fprintf(stderr, "kimsim: cannot write %s/comparison.csv\n", dir);
        return -1;
    }
    return cli_out_commit(&out);
}

int cli_write_comparison(const char *dir, const cli_variant *v, size_t n)
{
    const an_variant **b = sim_xcalloc(n + 1, sizeof *b), **w = sim_xcalloc(n + 1, sizeof *w);
    for (size_t i = 1; i < n; i++) {
        b[i - 1] = &v[0].res;
        w[i - 1] = &v[i].res;
    }
    int rc = write_pairs(dir, b, w, n ? n - 1 : 0);
    free(b);
    free(w);
    return rc;
}

static void heading(const cli_variant *base)
{
    printf("\nPaired comparison, same random numbers; baseline %s\n",
           strcmp(base->label, "base") ? base->label : base->sc.name);
}

void cli_print_comparisons(const cli_run *run)
{
    size_t n_files = run->first_of_file ? run->o->n_files : 0;
    for (size_t f = 0; f < n_files; f++) {
        size_t v0 = run->first_of_file[f], v1 = run->first_of_file[f + 1];
        if (v1 - v0 < 2) continue;
        heading(&run->v[v0]);
        for (size_t v = v0 + 1; v < v1; v++)
            an_print_comparison(stdout, &run->v[v0].res, &run->v[v].res);
    }
    fflush(stdout);
}

/* ------------------------------------------------------------------ */
/* kimsim compare                                                       */
/* ------------------------------------------------------------------ */

/* A's seed and replications for every file unless -s / -r were given. */
static int align_runs(cli_opts *o)
{
    kim_scenario a;
    int rc = cli_load_scenario(o->files[0], o->sets, o->n_sets, &a);
    if (rc) return rc;
    if (!o->has_seed) { o->has_seed = 1; o->seed = a.seed; }
    if (!o->reps) o->reps = a.replications;
    kim_scenario_fini(&a);
    return 0;
}

static char *default_dir(const cli_run *run)
{
    size_t len = 16;
    for (size_t f = 0; f < run->o->n_files; f++)
        len += strlen(run->v[run->first_of_file[f]].sc.name) + 1;
    char *d = sim_xmalloc(len);
    strcpy(d, "out/compare");
    for (size_t f = 0; f < run->o->n_files; f++) {
        strcat(d, "-");
        strcat(d, run->v[run->first_of_file[f]].sc.name);
    }
    return d;
}

/* The names that become folders: DIR/<name>/ of each file (several
 * files), and the default folder's name. */
static int check_names(const cli_run *run)
{
    if (run->o->n_files > 1)
        return cli_check_names(run, 1, "each file of a comparison writes to a folder of "
                                       "its name");
    if (!run->o->out_dir)
        return cli_check_names(run, 0, "it names the output folder out/compare-<name>/: "
                                       "give -o DIR, or another name");
    return 0;
}

/* Claims (run.c) and prepares the output folder; *lock holds it. */
static int prepare_dir(cli_run *run, int *lock)
{
    const cli_opts *o = run->o;
    run->dir = o->out_dir ? sim_xstrdup(o->out_dir) : default_dir(run);
    snprintf(run->journal, sizeof run->journal, "%s/.journal", run->dir);
    int rc = cli_claim_dir(run->dir, !o->out_dir || o->force,
                           "use --force to replace its results", lock);
    if (rc) return rc;
    if (cli_rm_tree(run->journal) != 0 || cli_mkdirs(run->journal) != 0) {
        fprintf(stderr, "kimsim: cannot create %s\n", run->journal);
        return CLI_EFAIL;
    }
    return 0;
}

/* Variant k of file f >= 1 against variant k of the first file. */
static int write_cross(const cli_run *run)
{
    size_t per = run->first_of_file[1], n = run->n_v - per, k = 0;
    const an_variant **b = sim_xcalloc(n + 1, sizeof *b), **w = sim_xcalloc(n + 1, sizeof *w);
    for (size_t v = per; v < run->n_v; v++, k++) {
        b[k] = &run->v[v % per].res;
        w[k] = &run->v[v].res;
    }
    int rc = write_pairs(run->dir, b, w, k);
    free(b);
    free(w);
    return rc;
}

static void print_cross(const cli_run *run)
{
    size_t per = run->first_of_file[1];
    heading(&run->v[0]);
    for (size_t v = per; v < run->n_v; v++)
        an_print_comparison(stdout, &run->v[v % per].res, &run->v[v].res);
}

static int check_opts(const cli_opts *o)
{
    const char *why = NULL;
    if (o->n_files < 2 && o->n_vary == 0)
        why = "needs two scenario files, or one with --vary";
    else if (o->resume || o->shard_n)
        why = "--resume and --shard belong to kimsim run";
    if (!why) return 0;
    fprintf(stderr, "kimsim compare: %s\n(see 'kimsim compare --help')\n", why);
    return CLI_EBADINPUT;
}

static int finish(cli_run *run)
{
    /* interrupted while the replications ran, or before publishing */
    int rc = run->interrupted ? 128 + run->interrupted : cli_write_files(run);
    if (rc > 0) {
        fprintf(stderr, "kimsim: interrupted; nothing written (rerun with --force)\n");
        cli_rm_tree(run->journal);
        return rc;
    }
    if (!rc && run->o->n_files > 1) rc = write_cross(run);
    cli_rm_tree(run->journal);
    if (rc) return CLI_EFAIL;
    if (run->o->quiet) return CLI_OK;
    cli_print_tables(run);
    cli_print_comparisons(run);
    if (run->o->n_files > 1) print_cross(run);
    printf("\nwrote %s/ (%llu events, %.2f s)\n", run->dir, run->events,
           run->ended - run->started);
    return CLI_OK;
}

int cmd_compare(int argc, char **argv)
{
    cli_opts o;
    int rc = cli_parse_run_opts(argc, argv, &o, "compare");
    if (rc) { cli_opts_fini(&o); return rc < 0 ? CLI_OK : rc; }
    cli_run run = { .o = &o };
    run.started = cli_wall_seconds();
    rc = check_opts(&o);
    if (!rc) rc = align_runs(&o);
    if (!rc) rc = cli_load_variants(&run);
    for (size_t v = 0; !rc && v < run.n_v; v++)
        an_variant_init(&run.v[v].res, run.v[v].sc.name, run.v[v].label, &run.v[v].sc,
                        &run.v[v].groups, (size_t)run.v[v].sc.replications);
    if (!rc) rc = check_names(&run);
    int lock = -1;
    if (!rc) rc = prepare_dir(&run, &lock);
    if (!rc) rc = cli_execute(&run);
    run.ended = cli_wall_seconds();
    if (!rc) rc = finish(&run);
    cli_release_dir(lock);
    cli_run_fini(&run);
    cli_opts_fini(&o);
    return rc;
}
