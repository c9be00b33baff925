/*
 * run.c — `kimsim run` and `kimsim check`.
 *
 * Order of work: parse, load and validate everything, decide the output
 * folder (refusing an existing -o DIR without --force/--resume), run the
 * replications into the folder's journal, then write the files.  Bad input
 * stops before the first byte is written.
 */
#include "cli.h"
#include "../sim/sim.h"

#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

extern volatile sig_atomic_t cli_signal_seen;

static char *default_dir(const cli_run *run)
{
    const char *name = run->o->n_files == 1 ? run->v[0].sc.name : "batch";
    size_t n = strlen(name) + 8;
    char *d = sim_xmalloc(n);
    snprintf(d, n, "out/%s", name);
    return d;
}

/* The identity of a run's journal: what must match for --resume. */
static void ident_text(const cli_run *run, FILE *f)
{
    for (size_t v = 0; v < run->n_v; v++)
        fprintf(f, "%s %016llx %llu %ld\n", run->v[v].label,
                (unsigned long long)scn_hash(&run->v[v].sc),
                (unsigned long long)run->v[v].sc.seed, run->v[v].sc.replications);
    fprintf(f, "shard %d/%d trace %d\n", run->o->shard_k, run->o->shard_n, run->o->trace);
}

static int check_ident(const cli_run *run)
{
    char path[4200], want[1 << 14] = "", have[1 << 14] = "";
    snprintf(path, sizeof path, "%s/ident", run->journal);
    FILE *f = fmemopen(want, sizeof want - 1, "w");
    ident_text(run, f);
    fclose(f);
    if (!(f = fopen(path, "r"))) return -1;
    size_t n = fread(have, 1, sizeof have - 1, f);
    have[n] = '\0';
    fclose(f);
    return strcmp(want, have) ? -1 : 0;
}

static int write_ident(const cli_run *run)
{
    char path[4200];
    snprintf(path, sizeof path, "%s/ident", run->journal);
    FILE *f = fopen(path, "w");
    if (!f) return -1;
    ident_text(run, f);
    return fclose(f);
}

/* Decides and prepares the output folder and its journal. */
static int prepare_dir(cli_run *run)
{
    const cli_opts *o = run->o;
    run->dir = o->out_dir ? sim_xstrdup(o->out_dir) : default_dir(run);
    snprintf(run->journal, sizeof run->journal, "%s/.journal", run->dir);
    int exists = cli_dir_exists(run->dir);
    if (exists && o->out_dir && !o->force && !o->resume) {
        fprintf(stderr, "kimsim: %s exists; use --force to replace its results or "
                        "--resume to continue an interrupted run\n", run->dir);
        return CLI_EBADINPUT;
    }
    if (o->resume) {
        if (check_ident(run) != 0) {
            fprintf(stderr, "kimsim: --resume: %s holds no interrupted run of this "
                            "scenario, seed and replications (use --force to start over)\n",
                    run->dir);
            return CLI_EBADINPUT;
        }
        return 0;
    }
    if (cli_rm_tree(run->journal) != 0 || cli_mkdirs(run->journal) != 0 ||
        write_ident(run) != 0) {
        fprintf(stderr, "kimsim: cannot create %s\n", run->journal);
        return CLI_EFAIL;
    }
    return 0;
}

static int finish(cli_run *run)
{
    if (run->interrupted) {
        int sig = run->interrupted;
        cli_write_manifest(run, run->dir, 0, run->n_v, 0);
        fprintf(stderr, "kimsim: interrupted; finished replications are kept in %s "
                        "(continue with --resume)\n", run->dir);
        return 128 + sig;
    }
    if (cli_write_outputs(run) != 0) return CLI_EFAIL;
    if (!run->o->shard_n) cli_rm_tree(run->journal);
    if (!run->o->quiet) {
        cli_print_tables(run);
        printf("\nwrote %s/ (%llu events, %.2f s)\n", run->dir, run->events,
               run->ended - run->started);
    }
    return CLI_OK;
}

int cmd_run(int argc, char **argv)
{
    cli_opts o;
    int rc = cli_parse_run_opts(argc, argv, &o, "run");
    if (rc) { cli_opts_fini(&o); return rc < 0 ? CLI_OK : rc; }
    cli_run run = { .o = &o };
    run.started = cli_wall_seconds();
    rc = cli_load_variants(&run);
    for (size_t v = 0; !rc && v < run.n_v; v++)
        an_variant_init(&run.v[v].res, run.v[v].sc.name, run.v[v].label, &run.v[v].sc,
                        &run.v[v].groups, (size_t)run.v[v].sc.replications);
    if (!rc) rc = prepare_dir(&run);
    if (!rc) rc = cli_execute(&run);
    run.ended = cli_wall_seconds();
    if (!rc) rc = finish(&run);
    cli_run_fini(&run);
    cli_opts_fini(&o);
    return rc;
}

int cmd_check(int argc, char **argv)
{
    cli_opts o;
    int rc = cli_parse_run_opts(argc, argv, &o, "check");
    if (rc) { cli_opts_fini(&o); return rc < 0 ? CLI_OK : rc; }
    for (size_t i = 0; i < o.n_files && !rc; i++) {
        kim_scenario sc;
        scn_err err = { 0 };
        if (scn_load(o.files[i], o.sets, o.n_sets, &sc, &err) != 0) {
            fprintf(stderr, "kimsim: %s\n", err.msg);
            rc = err.code == SCN_ESYSTEM ? CLI_EFAIL : CLI_EBADINPUT;
            break;
        }
        scn_print(stdout, &sc);
        kim_scenario_fini(&sc);
    }
    cli_opts_fini(&o);
    return rc;
}
