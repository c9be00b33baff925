/*
 * merge.c — `kimsim merge DIR... -o OUT`: the files of an unsharded run
 * from the journals that its `--shard K/N` runs kept.
 *
 * Invariant: OUT gets exactly the files the unsharded run writes, byte
 * for byte (the manifest aside), or nothing: the shards must come from
 * the same run (journal idents equal but for the K of "shard K/N") and
 * together hold every replication exactly once, else merge exits 2 before
 * writing.
 * The variants are loaded from the resolved scenario texts in the journal
 * (vNNN.scn), so neither the scenario files nor the arrivals files are
 * needed where the merge runs.
 */
#include "cli.h"
#include "../sim/sim.h"

#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

typedef struct merge_opts {
    const char **dirs; size_t n;
    const char *out;
    int force, quiet;
} merge_opts;

static const char usage_text[] =
    "usage: kimsim merge DIR... -o OUT [--force] [--quiet]\n\n"
    "Combines the output folders of the runs 'kimsim run ... --shard K/N' (K = 1..N)\n"
    "into OUT, with the files the unsharded run writes.  Each DIR keeps its journal\n"
    "(DIR/.journal) for this; the scenario files need not be at hand.\n\n"
    "  -o OUT     output folder (never touched when it exists, without --force)\n"
    "  --force    replace an existing OUT\n"
    "  --quiet    no table\n\n"
    "Exit status: 0 merged, 2 the folders are not the shards of one run or miss\n"
    "replications, 1 other failure.\n";

char *cli_read_text(const char *path)
{
    char *buf = NULL;
    size_t len = 0;
    FILE *m = open_memstream(&buf, &len);
    int bad = cli_copy_into(m, path);
    fclose(m);
    if (bad) { free(buf); return NULL; }
    return buf;
}

static int parse(int argc, char **argv, merge_opts *m)
{
    memset(m, 0, sizeof *m);
    m->dirs = sim_xcalloc((size_t)argc + 1, sizeof *m->dirs);
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        if (!strcmp(a, "--help") || !strcmp(a, "-h")) { fputs(usage_text, stdout); return -1; }
        else if (!strcmp(a, "-o") && i + 1 < argc) m->out = argv[++i];
        else if (!strcmp(a, "--force")) m->force = 1;
        else if (!strcmp(a, "--quiet") || !strcmp(a, "-q")) m->quiet = 1;
        else if (a[0] == '-') {
            fprintf(stderr, "kimsim merge: unknown option or missing value '%s'\n%s", a, usage_text);
            return CLI_EBADINPUT;
        } else m->dirs[m->n++] = a;
    }
    if (m->n == 0 || !m->out) {
        fprintf(stderr, "kimsim merge: needs DIR... and -o OUT\n%s", usage_text);
        return CLI_EBADINPUT;
    }
    if (!m->out[0]) {
        fprintf(stderr, "kimsim merge: -o: needs a folder name, got ''\n");
        return CLI_EBADINPUT;
    }
    return 0;
}

/* ------------------------------------------------------------------ */
/* The shards' journals                                                 */
/* ------------------------------------------------------------------ */

/* DIR's journal ident with the K of its last line "shard K/N trace T"
 * taken out ("shards N trace T"): shards of one run differ only in K, so
 * N and --trace are compared with the rest.  NULL when DIR holds no
 * journal of a --shard run. */
static char *ident_of(const char *dir)
{
    char path[4200];
    snprintf(path, sizeof path, "%s/.journal/ident", dir);
    char *text = cli_read_text(path);
    if (!text) return NULL;
    size_t n = strlen(text);
    if (n && text[n - 1] == '\n') text[--n] = '\0';
    char *last = strrchr(text, '\n');
    int k, shards, trace, end = 0;
    if (!last || sscanf(last + 1, "shard %d/%d trace %d%n", &k, &shards, &trace, &end) != 3 ||
        last[1 + end] || k < 1 || shards < 1) {
        free(text);
        return NULL;
    }
    snprintf(last + 1, n - (size_t)(last - text), "shards %d trace %d\n", shards, trace);
    return text;
}

/* The first DIR's ident (without the shard line) into *ident0, when every
 * DIR holds a journal with the same. */
static int check_idents(const merge_opts *m, char **ident0)
{
    *ident0 = NULL;
    for (size_t i = 0; i < m->n; i++) {
        char *id = ident_of(m->dirs[i]);
        int same = id && (!*ident0 || !strcmp(*ident0, id));
        if (!id)
            fprintf(stderr, "kimsim merge: %s holds no journal of a --shard run "
                            "(%s/.journal/ident)\n", m->dirs[i], m->dirs[i]);
        else if (!same)
            fprintf(stderr, "kimsim merge: %s and %s are not shards of the same run "
                            "(scenario or its arrivals, seed, replications, --vary, --trace,\n"
                            "--timeseries or the N of --shard K/N differ)\n",
                    m->dirs[0], m->dirs[i]);
        if (!same) {
            free(id);
            return CLI_EBADINPUT;
        }
        if (*ident0) free(id);
        else *ident0 = id;
    }
    return 0;
}

static char *keep(cli_run *run, const char *s)
{
    run->strings = sim_xrealloc(run->strings, (run->n_strings + 1) * sizeof *run->strings);
    return run->strings[run->n_strings++] = sim_xstrdup(s);
}

/* Variant v from DIR/.journal/vNNN.scn; its hash must be the ident's. */
static int load_variant(cli_run *run, const char *dir, const char *source,
                        const char *label, unsigned long long hash)
{
    char path[4200];
    size_t v = run->n_v;
    snprintf(path, sizeof path, "%s/.journal/v%03zu.scn", dir, v);
    char *text = cli_read_text(path);
    if (!text) { fprintf(stderr, "kimsim merge: cannot read %s\n", path); return CLI_EBADINPUT; }
    run->v = sim_xrealloc(run->v, (v + 1) * sizeof *run->v);
    cli_variant *var = &run->v[v];
    memset(var, 0, sizeof *var);
    scn_err err = { 0 };
    int rc = scn_load_string(text, source, NULL, 0, &var->sc, &err);
    if (rc == 0 && !strncmp(text, CLI_ARRIVALS_TAG, strlen(CLI_ARRIVALS_TAG))) {
        char *file = text + strlen(CLI_ARRIVALS_TAG);
        file[strcspn(file, "\n")] = '\0';
        var->sc.arrivals_file = sim_xstrdup(file);
    }
    free(text);
    if (rc == 0) var->hash = scn_hash(&var->sc);
    if (rc == 0 && var->hash != hash) {
        kim_scenario_fini(&var->sc);
        fprintf(stderr, "kimsim merge: %s: does not reproduce the run's scenario\n", path);
        return CLI_EFAIL;
    }
    if (rc) { fprintf(stderr, "kimsim merge: %s\n", err.msg); return CLI_EBADINPUT; }
    var->label = sim_xstrdup(label);
    kim_groups_init(&var->groups, &var->sc);
    run->n_v++;
    return 0;
}

/* One line of the ident; returns 0 or a status. */
static int ident_line(cli_run *run, cli_opts *o, const char *dir, char *line)
{
    size_t first, file;
    unsigned long long hash, seed;
    long reps;
    int n = 0, shards;
    if (sscanf(line, "file %zu %n", &first, &n) == 1 && n > 0) {
        o->files = sim_xrealloc(o->files, (o->n_files + 1) * sizeof *o->files);
        o->files[o->n_files++] = keep(run, line + n);
        run->first_of_file = sim_xrealloc(run->first_of_file, (o->n_files + 1) * sizeof(size_t));
        run->first_of_file[o->n_files - 1] = first;
    } else if (sscanf(line, "variant %zu %llx %llu %ld %n", &file, &hash, &seed, &reps, &n) == 4
               && n > 0 && file < o->n_files) {
        return load_variant(run, dir, o->files[file], line + n, hash);
    } else if (sscanf(line, "shards %d trace %d", &shards, &o->trace) == 2) {
        /* OUT gets the unsharded run's files: o->shard_n stays 0 */
    } else if (sscanf(line, "timeseries %ld", &o->ts_reps) == 1) {
        o->ts_limit = 1;                    /* --timeseries N */
    } else if (!strncmp(line, "vary ", 5)) {
        o->vary = sim_xrealloc(o->vary, (o->n_vary + 1) * sizeof *o->vary);
        o->vary[o->n_vary++] = keep(run, line + 5);
    } else if (strcmp(line, "kimsim-journal 2") && strcmp(line, "")) {
        fprintf(stderr, "kimsim merge: %s/.journal/ident: unknown line '%s'\n", dir, line);
        return CLI_EBADINPUT;
    }
    return 0;
}

static int load_run(cli_run *run, cli_opts *o, const char *dir, char *ident)
{
    int rc = 0;
    for (char *line = ident, *next; !rc && line && *line; line = next) {
        next = strchr(line, '\n');
        if (next) *next++ = '\0';
        rc = ident_line(run, o, dir, line);
    }
    if (!rc && (o->n_files == 0 || run->n_v == 0)) {
        fprintf(stderr, "kimsim merge: %s/.journal/ident names no scenario\n", dir);
        rc = CLI_EBADINPUT;
    }
    if (o->n_files) run->first_of_file[o->n_files] = run->n_v;
    for (size_t v = 0; !rc && v < run->n_v; v++)     /* run->v moves no more */
        an_variant_init(&run->v[v].res, run->v[v].sc.name, run->v[v].label, &run->v[v].sc,
                        &run->v[v].groups, (size_t)run->v[v].sc.replications);
    return rc;
}

/* ------------------------------------------------------------------ */
/* Gathering the replications                                          */
/* ------------------------------------------------------------------ */

/* Indexes every shard's journal; CLI_EBADINPUT unless together they hold
 * each replication exactly once.  The files are then read from the
 * shards' logs where they are: nothing is copied. */
static int gather(cli_run *run, const merge_opts *m)
{
    size_t dups = 0;
    unsigned long missing = 0;
    run->jr = cli_journal_new(run);
    for (size_t i = 0; i < m->n; i++) {
        char dir[4200];
        snprintf(dir, sizeof dir, "%s/.journal", m->dirs[i]);
        if (cli_journal_scan(run, dir, 1, -1, &dups) != 0) {
            fprintf(stderr, "kimsim merge: cannot read %s\n", dir);
            return CLI_EFAIL;
        }
    }
    for (size_t v = 0; v < run->n_v; v++)
        for (unsigned long r = 0; r < run->v[v].res.n_reps; r++) {
            if (cli_journal_has(run, v, r) || missing++) continue;
            fprintf(stderr, "kimsim merge: no folder holds replication %lu of variant '%s'\n",
                    r + 1, run->v[v].label);
        }
    if (!missing && !dups) return 0;
    fprintf(stderr, "kimsim merge: %lu replications missing, %zu held more than once: "
                    "give every shard K/N of the run once, each finished\n", missing, dups);
    return CLI_EBADINPUT;
}

/* OUT must not exist (without --force) nor be one of the shards, and
 * is claimed as a run claims its folder (one process at a time, *lock);
 * the journal of an earlier run there goes when the files are written. */
static int prepare_out(cli_run *run, const merge_opts *m, int *lock)
{
    char a[PATH_MAX], b[PATH_MAX];
    for (size_t i = 0; i < m->n; i++)
        if (realpath(m->out, a) && realpath(m->dirs[i], b) && !strcmp(a, b)) {
            fprintf(stderr, "kimsim merge: -o %s is one of the shards\n", m->out);
            return CLI_EBADINPUT;
        }
    int rc = cli_claim_dir(m->out, m->force, "use --force to replace its results", lock);
    if (rc) return rc;
    run->dir = sim_xstrdup(m->out);
    snprintf(run->journal, sizeof run->journal, "%s/.journal", m->out);
    return 0;
}

/* A signal while OUT is written: nothing of the merge is published (its
 * temporaries are gone), and OUT's manifest says complete: no. */
static int interrupted(cli_run *run, int sig)
{
    cli_assemble_abort(run);
    cli_write_manifest(run, run->dir, 0, run->n_v, 0);
    fprintf(stderr, "kimsim merge: interrupted; nothing merged into %s (merge again "
                    "with --force)\n", run->dir);
    return 128 + sig;
}

/* A signal before OUT is touched: nothing written. */
static int signalled(void)
{
    if (!cli_signal_seen) return 0;
    fprintf(stderr, "kimsim merge: interrupted; nothing written\n");
    return 128 + cli_signal_seen;
}

/* Loads the run from the first shard's journal, checks that the shards
 * hold every replication once, and only then writes OUT.  SIGINT and
 * SIGTERM are caught throughout (cli_signals_catch). */
int cmd_merge(int argc, char **argv)
{
    merge_opts m;
    cli_opts o = { .argc = argc, .argv = argv, .jobs = 1 };
    cli_run run = { .o = &o, .on_interrupt = interrupted };
    run.started = cli_wall_seconds();
    char *ident = NULL;
    cli_signals_catch();
    int rc = parse(argc, argv, &m);
    if (!rc) rc = check_idents(&m, &ident);
    if (!rc) rc = load_run(&run, &o, m.dirs[0], ident);
    o.quiet = m.quiet;
    if (!rc) rc = gather(&run, &m);
    if (!rc) rc = signalled();
    int lock = -1;
    if (!rc) rc = prepare_out(&run, &m, &lock);
    for (size_t v = 0; !rc && v < run.n_v; v++)
        for (size_t r = 0; r < run.v[v].res.n_reps; r++) run.events += run.v[v].res.info[r].events;
    run.ended = cli_wall_seconds();
    if (!rc) rc = cli_finish(&run);
    cli_release_dir(lock);
    free(ident);
    free(m.dirs);
    cli_run_fini(&run);
    cli_opts_fini(&o);
    return rc < 0 ? CLI_OK : rc;
}
