/*
 * run.c — `kimsim run` and `kimsim check`.
 *
 * Order of work: parse, load and validate everything, decide the output
 * folder (refusing an existing -o DIR without --force/--resume), run the
 * replications into the folder's journal, then write the files.  Bad input
 * stops before the first byte is written.
 *
 * The journal (DIR/.journal) holds the ident (what must match for
 * --resume and merge), each variant's resolved scenario (vNNN.scn) and the
 * logs of the finished replications (journal.c).  It is removed once the
 * files are written, except for a --shard run, whose journal is what
 * `kimsim merge` combines.
 */
#include "cli.h"
#include "../sim/sim.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

static char *default_dir(const cli_run *run)
{
    const char *name = run->o->n_files == 1 ? run->v[0].sc.name : "batch";
    size_t n = strlen(name) + 8;
    char *d = sim_xmalloc(n);
    snprintf(d, n, "out/%s", name);
    return d;
}

/* ------------------------------------------------------------------ */
/* The journal's identity and scenario texts                            */
/* ------------------------------------------------------------------ */

void cli_journal_ident(const cli_run *run, FILE *f)
{
    const cli_opts *o = run->o;
    fputs("kimsim-journal 2\n", f);
    for (size_t i = 0; i < o->n_files; i++)
        fprintf(f, "file %zu %s\n", run->first_of_file[i],
                run->v[run->first_of_file[i]].sc.source);
    for (size_t v = 0; v < run->n_v; v++) {
        size_t file = 0;
        while (file + 1 < o->n_files && run->first_of_file[file + 1] <= v) file++;
        fprintf(f, "variant %zu %016llx %llu %ld %s\n", file,
                (unsigned long long)run->v[v].hash,
                (unsigned long long)run->v[v].sc.seed, run->v[v].sc.replications,
                run->v[v].label);
    }
    for (size_t i = 0; i < o->n_vary; i++) fprintf(f, "vary %s\n", o->vary[i]);
    if (o->ts_limit) fprintf(f, "timeseries %ld\n", o->ts_reps);
    fprintf(f, "shard %d/%d trace %d\n", o->shard_k, o->shard_n, o->trace);
}

static int check_ident(const cli_run *run)
{
    char path[4200], *want = NULL;
    size_t len = 0;
    snprintf(path, sizeof path, "%s/ident", run->journal);
    FILE *f = open_memstream(&want, &len);
    cli_journal_ident(run, f);
    fclose(f);
    char *have = cli_read_text(path);
    int rc = have && !strcmp(want, have) ? 0 : -1;
    free(want);
    free(have);
    return rc;
}

/* The resolved scenario of each variant (vNNN.scn, replayed arrivals
 * inline), so that merge needs neither the scenario files nor the
 * arrivals files; then the ident, which makes the journal valid. */
static int write_journal_head(cli_run *run)
{
    cli_out out;
    for (size_t v = 0; v < run->n_v; v++) {
        char name[32];
        snprintf(name, sizeof name, "v%03zu.scn", v);
        if (cli_out_open(&out, run->journal, name) != 0) return -1;
        kim_scenario *sc = &run->v[v].sc;
        char *file = sc->arrivals_file;
        if (!file && run->v[v].text) {  /* the text the hash was made of */
            fwrite(run->v[v].text, 1, run->v[v].text_len, out.f);
        } else {
            if (file) fprintf(out.f, "%s%s\n", CLI_ARRIVALS_TAG, file);
            sc->arrivals_file = NULL;
            scn_print(out.f, sc);
            sc->arrivals_file = file;
        }
        if (cli_out_commit(&out) != 0) return -1;
    }
    if (cli_out_open(&out, run->journal, "ident") != 0) return -1;
    cli_journal_ident(run, out.f);
    return cli_out_commit(&out);
}

/* ------------------------------------------------------------------ */
/* Scenario names that name folders                                     */
/* ------------------------------------------------------------------ */

/* Is name one a folder of several scenarios holds beside their folders:
 * a file kimsim writes there (cli_out_names), or kimsim report's plots/
 * (docs/batch.md, docs/plotting.md)? */
static int reserved(const char *name)
{
    if (!strcmp(name, "plots")) return 1;
    for (size_t k = 0; cli_out_names[k]; k++)
        if (!strcmp(name, cli_out_names[k])) return 1;
    return 0;
}

/* Prints "kimsim: FILE:LINE: name: 'NAME' <problem>; <why>" for v. */
static int name_fail(const cli_variant *v, const char *problem, const char *other,
                     const char *why)
{
    /* where the loader found the name: "FILE:LINE" or "--set name=V" */
    fprintf(stderr, "kimsim: %s: name: '%s' ", v->sc.name_at ? v->sc.name_at : v->sc.source,
            v->sc.name);
    fprintf(stderr, problem, other);
    fprintf(stderr, "; %s\n", why);
    return CLI_EBADINPUT;
}

int cli_check_names(const cli_run *run, int in_dir, const char *why)
{
    const cli_opts *o = run->o;
    for (size_t i = 0; i < o->n_files; i++) {
        const cli_variant *v = &run->v[run->first_of_file[i]];
        const char *name = v->sc.name;
        if (!name[0] || name[0] == '.' || strchr(name, '/'))
            return name_fail(v, "cannot name a folder (no '/', no leading '.')%s", "", why);
        if (in_dir && reserved(name))
            return name_fail(v, "is reserved: the output folder holds a %s of its own "
                                "beside the scenarios' folders", name, why);
        for (size_t j = 0; in_dir && j < i; j++) {
            const kim_scenario *b = &run->v[run->first_of_file[j]].sc;
            if (!strcmp(name, b->name))
                return name_fail(v, "is also the name of %s", b->source, why);
        }
    }
    return 0;
}

/* The names a run turns into folders: DIR/<name>/ of several files, or
 * the default out/<name>/ of one. */
static int check_names(const cli_run *run)
{
    if (run->o->n_files > 1)
        return cli_check_names(run, 1, "each scenario of a run writes to a folder of its name");
    if (!run->o->out_dir)
        return cli_check_names(run, 0, "it names the output folder out/<name>/: "
                                       "give -o DIR, or another name");
    return 0;
}

/* ------------------------------------------------------------------ */
/* Output folder                                                        */
/* ------------------------------------------------------------------ */

/* Locks the folder at path for this process: flock on the folder itself,
 * released when the descriptor closes, and by the kernel when the process
 * dies (kill -9 leaves no stale lock for --resume).  A second kimsim on
 * the same folder, with --force or --resume or not, is refused.  Where
 * the file system has no flock (some network file systems), the folder
 * stays unlocked and only the mkdir in cli_claim_dir guards it. */
static int lock_dir(const char *dir, const char *path, int *lock)
{
    int fd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd < 0) {
        fprintf(stderr, "kimsim: cannot open %s: %s\n", dir, strerror(errno));
        return CLI_EFAIL;
    }
    if (flock(fd, LOCK_EX | LOCK_NB) == 0) {
        *lock = fd;
        return 0;
    }
    int e = errno;
    close(fd);
    if (e != EWOULDBLOCK) return 0;
    fprintf(stderr, "kimsim: %s is in use by another kimsim run\n", dir);
    return CLI_EBADINPUT;
}

int cli_claim_dir(const char *dir, int reuse, const char *hint, int *lock)
{
    char path[4096];
    size_t n = (size_t)snprintf(path, sizeof path, "%s", dir);
    while (n > 1 && path[n - 1] == '/') path[--n] = '\0';
    char *slash = strrchr(path, '/');
    int made = 0, rc = 0;
    *lock = -1;
    if (slash && slash > path) {            /* the parents, then dir itself */
        *slash = '\0';
        rc = cli_mkdirs(path);
        *slash = '/';
    }
    if (!rc && mkdir(path, 0777) == 0) made = 1;
    else if (!rc && errno != EEXIST) rc = -1;
    if (rc) {       /* EEXIST from cli_mkdirs: a parent that is not a folder */
        int e = errno == EEXIST ? ENOTDIR : errno;
        fprintf(stderr, "kimsim: cannot create %s: %s\n", dir, strerror(e));
        return e == ENOTDIR ? CLI_EBADINPUT : CLI_EFAIL;
    }
    if (!made && !cli_dir_exists(path)) {
        fprintf(stderr, "kimsim: %s exists and is not a folder\n", dir);
        return CLI_EBADINPUT;
    }
    if (!made && !reuse) {
        fprintf(stderr, "kimsim: %s exists; %s\n", dir, hint);
        return CLI_EBADINPUT;
    }
    return lock_dir(dir, path, lock);
}

void cli_release_dir(int lock)
{
    if (lock >= 0) close(lock);
}

/* Decides and prepares the output folder and its journal (rank 0). */
static int prepare_dir(cli_run *run, int *lock)
{
    const cli_opts *o = run->o;
    *lock = -1;
    if (o->resume) {        /* DIR as it is: it holds the run to continue */
        int rc = access(run->dir, F_OK) == 0 ? cli_claim_dir(run->dir, 1, "", lock) : 0;
        if (!rc && check_ident(run) != 0) {
            fprintf(stderr, "kimsim: --resume: %s holds no interrupted run of this "
                            "scenario, seed and replications (use --force to start over)\n",
                    run->dir);
            rc = CLI_EBADINPUT;
        }
        return rc;
    }
    int rc = cli_claim_dir(run->dir, !o->out_dir || o->force,
                           "use --force to replace its results or --resume to continue "
                           "an interrupted run", lock);
    if (rc) return rc;
    if (cli_rm_tree(run->journal) != 0 || cli_mkdirs(run->journal) != 0 ||
        write_journal_head(run) != 0) {
        fprintf(stderr, "kimsim: cannot create %s\n", run->journal);
        return CLI_EFAIL;
    }
    return 0;
}

/* Every rank learns rank 0's decision; only rank 0 touches the folder. */
static int prepare_dir_all(cli_run *run, int *lock)
{
    run->dir = run->o->out_dir ? sim_xstrdup(run->o->out_dir) : default_dir(run);
    snprintf(run->journal, sizeof run->journal, "%s/.journal", run->dir);
    *lock = -1;
    int rc = cli_mpi_rank() == 0 ? prepare_dir(run, lock) : 0;
    cli_mpi_bcast_int(&rc);
    return rc;
}

/* Says how many replications stopped at the waiting-list limit (kim.h:
 * max_waiting); their verdicts are inadequate anyway, so it is not an error. */
static void warn_overloaded(const cli_run *run)
{
    unsigned long n = 0, total = 0;
    long limit = 0;
    for (size_t v = 0; v < run->n_v; v++)
        for (size_t r = 0; r < run->v[v].res.n_reps; r++) {
            const kim_run_info *in = &run->v[v].res.info[r];
            total += in->events > 0;
            if (in->overloaded && !n++) limit = run->v[v].sc.max_waiting;
        }
    if (n)
        fprintf(stderr, "kimsim: %lu of %lu replications stopped at the waiting-list limit "
                        "(max_waiting = %ld): the allocation is overloaded\n", n, total, limit);
}

int cli_finish(cli_run *run)
{
    if (run->interrupted) {
        int sig = run->interrupted;
        cli_assemble_abort(run);
        cli_write_manifest(run, run->dir, 0, run->n_v, 0);
        fprintf(stderr, "kimsim: interrupted; finished replications are kept in %s "
                        "(continue with --resume)\n", run->dir);
        return 128 + sig;
    }
    int rc = cli_write_files(run);
    if (rc > 0)                 /* a signal before publishing: none published */
        return run->on_interrupt ? run->on_interrupt(run, rc - 128)
                                 : cli_write_interrupted(run, rc - 128);
    if (rc) return CLI_EFAIL;
    warn_overloaded(run);
    if (!run->o->shard_n) cli_journal_remove(run->journal);
    if (!run->o->quiet) {
        cli_print_tables(run);
        cli_print_erlang_checks(run);       /* decisions: Erlang C vs simulated */
        cli_print_comparisons(run);         /* decisions: paired sentences */
        printf("\nwrote %s/ (%llu events, %.2f s)\n", run->dir, run->events,
               run->ended - run->started);
    }
    return CLI_OK;
}

/* Under MPI every rank loads and runs its slice; rank 0 alone writes the
 * files (cli_finish), the others exit 0. */
int cmd_run(int argc, char **argv)
{
    cli_opts o;
    int rc = cli_parse_run_opts(argc, argv, &o, "run");
    if (rc) { cli_opts_fini(&o); return rc < 0 ? CLI_OK : rc; }
    cli_run run = { .o = &o };
    run.started = cli_wall_seconds();
    rc = cli_load_variants(&run);
    if (!rc) rc = check_names(&run);
    for (size_t v = 0; !rc && v < run.n_v; v++)
        an_variant_init(&run.v[v].res, run.v[v].sc.name, run.v[v].label, &run.v[v].sc,
                        &run.v[v].groups, (size_t)run.v[v].sc.replications);
    int lock = -1;
    if (!rc) rc = prepare_dir_all(&run, &lock);
    if (!rc) rc = cli_execute(&run);
    run.ended = cli_wall_seconds();
    if (!rc && cli_mpi_rank() == 0) rc = cli_finish(&run);
    cli_release_dir(lock);
    cli_run_fini(&run);
    cli_opts_fini(&o);
    return rc;
}

int cmd_check(int argc, char **argv)
{
    cli_opts o;
    int rc = cli_parse_file_opts(argc, argv, &o, "check");
    if (rc) { cli_opts_fini(&o); return rc < 0 ? CLI_OK : rc; }
    for (size_t i = 0; i < o.n_files && !rc; i++) {
        kim_scenario sc;
        if ((rc = cli_load_scenario(o.files[i], o.sets, o.n_sets, &sc)) != 0) break;
        scn_print(stdout, &sc);
        kim_scenario_fini(&sc);
    }
    cli_opts_fini(&o);
    return rc;
}
