/*
 * cli.h — the command line: sub-commands and what they share (options,
 * output folders written atomically, the replication runner).
 *
 * Exit statuses: 0 success (whatever the verdict), 2 bad input (nothing
 * written), 1 any other failure (the failing file is named), 130/143 after
 * SIGINT/SIGTERM with finished replications kept for --resume.
 */
#ifndef KIMSIM_CLI_H
#define KIMSIM_CLI_H

#include <signal.h>
#include <stdint.h>
#include <stdio.h>

#include "../scenarios/scn.h"
#include "../analysis/an.h"

enum { CLI_OK = 0, CLI_EFAIL = 1, CLI_EBADINPUT = 2 };

#ifndef KIMSIM_VERSION
#define KIMSIM_VERSION "0.1.0"
#endif

/* Options of run / compare (and the runs inside recommend). */
typedef struct cli_opts {
    const char **files;  size_t n_files;
    const char *out_dir;        /* -o; NULL = out/<name>/ */
    long reps;                  /* -r; 0 = scenario's */
    int has_seed;
    unsigned long long seed;    /* -s */
    int jobs;                   /* -j; 0 = number of cores */
    scn_override *sets; size_t n_sets;   /* --set, in order */
    const char **vary;  size_t n_vary;   /* --vary K=V1,V2 */
    int trace, force, resume, quiet;
    int shard_k, shard_n;       /* --shard K/N; 0/0 = all */
    int ts_limit;               /* --timeseries N given: */
    long ts_reps;               /* time series of replications 1..N only */
    int argc; char **argv;      /* for the manifest */
} cli_opts;

/* One scenario variant ready to run: the loaded scenario, its groups and
 * the results of its replications. */
typedef struct cli_variant {
    kim_scenario sc;
    kim_groups groups;
    char *label;                /* "base" or "k=v;k2=v2" */
    uint64_t hash;              /* scn_hash(&sc), once sc is final */
    char *text;                 /* scn_print's text of sc, then (run only) */
    size_t text_len;
    scn_override *ov;  size_t n_ov;      /* --set then the vary assignment */
    an_variant res;
} cli_variant;

/* A run: every variant of every scenario file, and where it is written. */
typedef struct cli_journal cli_journal;
typedef struct cli_jwriter cli_jwriter;

typedef struct cli_run {
    cli_opts *o;
    cli_variant *v;   size_t n_v;
    size_t *first_of_file;      /* index of each file's first variant */
    char **strings; size_t n_strings;   /* --vary assignments, owned */
    char *dir;                  /* output folder */
    char journal[4096];         /* dir/.journal */
    cli_journal *jr;            /* its index (journal.c); owned */
    struct cli_part *parts;     /* files assembled from the journal (write.c) */
    size_t n_parts;
    unsigned long long events;
    double started, ended;      /* wall-clock seconds */
    double exec_seconds;        /* of them running replications (cli_execute) */
    double rep_cpu_seconds;     /* CPU time of the replication threads (this rank) */
    double journal_cpu_seconds; /* ... and of the journal's syncer thread */
    int interrupted;
    /* what cli_finish does after a signal while writing (NULL:
     * cli_write_interrupted); returns the exit status */
    int (*on_interrupt)(struct cli_run *run, int sig);
} cli_run;

/* args.c */
int cli_parse_run_opts(int argc, char **argv, cli_opts *o, const char *cmd);
void cli_opts_fini(cli_opts *o);
/* The same for commands that only read scenarios (check, erlang): files
 * and --set K=V; any other option is bad input (CLI_EBADINPUT, message),
 * not silently ignored. */
int cli_parse_file_opts(int argc, char **argv, cli_opts *o, const char *cmd);
void cli_usage(FILE *f, const char *cmd);

/* files.c: atomic output (temp file + fsync + rename) */
typedef struct cli_out {
    FILE *f;
    char tmp[4096], path[4096];
    int keep;                   /* tmp is a journal file: abort and discard leave it */
} cli_out;
int cli_out_open(cli_out *out, const char *dir, const char *name);
/* The same with the temporary file in tmp_dir (same file system), named
 * after `tag` and name so that files of several folders do not meet. */
int cli_out_open_in(cli_out *out, const char *tmp_dir, const char *tag, const char *dir,
                    const char *name);
int cli_out_commit(cli_out *out);           /* 0, or -1 with a message */
void cli_out_abort(cli_out *out);
/* A set of files published together (files.c): hold, write and commit
 * each, then publish (all renamed into place, or on a failure none: the
 * previous files stay) or discard (none). */
void cli_out_hold(void);
int cli_out_publish(void);                  /* 0, or -1 with a message */
void cli_out_discard(void);
void cli_out_drop(const char *dir, const char *name);  /* removed on publish */
/* dir removed on publish once its dropped files (and stale temporaries)
 * are gone, if nothing else is left in it */
void cli_out_drop_dir(const char *dir);
/* Removes from dir the temporaries of cli_out files that a killed kimsim
 * left (".NAME.tmpPID...", PID no longer running); nothing else. */
void cli_out_sweep(const char *dir);
/* The files kimsim writes into a folder through cli_out (DESIGN.md §7,
 * report, recommend), NULL-terminated. */
extern const char *const cli_out_names[];
int cli_mkdirs(const char *path);
int cli_dir_exists(const char *path);
int cli_rm_tree(const char *path);
int cli_copy_into(FILE *to, const char *from_path);

/* load.c: scenarios and variants (bad input -> message, CLI_EBADINPUT) */
/* Loads one scenario file with overrides; on failure prints the loader's
 * message (file, line, key) and returns CLI_EBADINPUT or CLI_EFAIL. */
int cli_load_scenario(const char *path, const scn_override *ov, size_t n_ov,
                      kim_scenario *out);
int cli_load_variants(cli_run *run);
void cli_run_fini(cli_run *run);

/* exec.c: SIGINT and SIGTERM.  From cli_signals_catch() (the replication
 * pool, the final write, merge) until cli_signals_restore(), either sets
 * cli_signal_seen to its number instead of ending the process, and the
 * work stops where it can stop cleanly.  A signal that was ignored when
 * kimsim started (a background job of a non-interactive shell) stays
 * ignored.  Both calls may be repeated. */
extern volatile sig_atomic_t cli_signal_seen;
void cli_signals_catch(void);
void cli_signals_restore(void);
/* A test's hook: with KIMSIM_TEST_STALL=point in the environment, waits
 * at that point (the final write's "publish") until a signal is seen, at
 * most 30 s, so that tests/cli/batch.sh can signal a run exactly there. */
void cli_test_stall(const char *point);

/* exec.c: runs every pending replication on o->jobs threads.  With an
 * empty run->journal the results stay in memory only (no time series, no
 * case trace, no resume): for commands that run many variants, such as
 * recommend. */
int cli_execute(cli_run *run);
/* Is replication r (0-based) in this run's --shard K/N slice? */
int cli_in_shard(const cli_opts *o, unsigned long r);

/* journal.c: finished replications in DIR/.journal, appended to logs by
 * one writer per thread (cli_jwriter), indexed per run (cli_journal, owned
 * by run->jr, freed by cli_run_fini). */
cli_journal *cli_journal_new(const cli_run *run);       /* empty index */
void cli_journal_free(cli_journal *j);                  /* NULL: no-op */
/* Adds every whole record of the logs in dir to run's index and, with
 * `values`, its results (making run->jr if needed), leaving out the logs
 * of rank except_rank (-1: none); records already there count in *dups.
 * 0, or -1 when dir cannot be read. */
int cli_journal_scan(cli_run *run, const char *dir, int values, int except_rank,
                     size_t *dups);
int cli_journal_has(const cli_run *run, size_t v, unsigned long r);
/* Committed: its rows are written (maybe not yet on disk), enough to copy
 * them into the outputs being assembled.  Finished implies committed. */
int cli_journal_ready(const cli_run *run, size_t v, unsigned long r);
/* Removes the journal folder dir (after the files are written): 0 or -1. */
int cli_journal_remove(const char *dir);
/* Appends the "ts", "cases" or "rep" text of (v, r) to `to`, the file at
 * to_path: its length, or -1.  Text given in memory (cli_jwriter_give) is
 * written there once: the record then names to_path, so `to` must be on
 * disk before the batch's records are (on_batch below). */
long long cli_journal_copy(const cli_run *run, size_t v, unsigned long r, const char *ext,
                           FILE *to, const char *to_path);
/* Frees the page cache that (v, r)'s text of kind ext holds in the
 * journal, when it is finished (on disk); for text already copied out. */
void cli_journal_forget(const cli_run *run, size_t v, unsigned long r, const char *ext);
/* fn(ctx) runs on the syncer thread for each batch it commits, before
 * the batch's records are written (the only thread that changes the index
 * while replications run); it returns 0, or -1 with errno when what it
 * wrote cannot be made to reach the disk. */
void cli_journal_on_batch(cli_journal *j, int (*fn)(void *), void *ctx);
/* The syncer thread that makes committed replications finished (fsync,
 * records) in batches; stop drains it, closes the writers and returns 0
 * or the first errno. */
int cli_journal_start(cli_journal *j);
int cli_journal_stop(cli_journal *j);
/* CPU time the syncer thread used (after stop; 0 for NULL). */
double cli_journal_cpu_seconds(const cli_journal *j);
/* A thread's writer (owned by the journal until cli_journal_stop). */
cli_jwriter *cli_jwriter_open(cli_run *run, int rank, int thread);  /* NULL: errno */
FILE *cli_jwriter_file(cli_jwriter *w, const char *ext);   /* "ts" or "cases" */
void cli_jwriter_begin(cli_jwriter *w);                      /* before a replication */
/* Instead of the log: the replication's whole text of kind ext, malloc'd
 * (the journal frees it); the syncer writes it once, into the file being
 * assembled when it is next there, else into a log of its own. */
void cli_jwriter_give(cli_jwriter *w, const char *ext, char *text, size_t len);
/* After a replication: hands it to the syncer; -1 (errno) once it failed. */
int cli_jwriter_commit(cli_jwriter *w, cli_run *run, size_t v, unsigned long r);

/* write.c: CSV files, manifest, the table */
/* The files made of journal text (timeseries.csv, cases.csv,
 * replications.csv) are assembled while the replications run: start
 * opens them (rank 0, with a journal), each batch the syncer commits
 * appends the replications now committed in order (cli_assemble, 0 or -1
 * with errno once they are on disk), and cli_write_files appends the
 * rest.  abort closes them: in the journal folder they stay (records may
 * name them), elsewhere (merge) they are removed. */
void cli_assemble_start(cli_run *run);
int cli_assemble(void *run);
void cli_assemble_abort(cli_run *run);
/* Are the files being assembled during the run (so writers give their
 * text to the journal instead of their logs)? */
int cli_assembling(const cli_run *run);
/* Writes and publishes every file of the run: 0, -1 after a failure (a
 * message names the file; the previous files stay), or 128 + the signal
 * when SIGINT/SIGTERM came before publishing (none is published; the
 * journal's files are kept for --resume). */
int cli_write_files(cli_run *run);
/* After a signal: a run that can resume (its journal has an ident) keeps
 * the journal and gets manifest.txt with complete: no; another (compare)
 * removes its journal.  Returns 128 + sig. */
int cli_write_interrupted(cli_run *run, int sig);
int cli_write_manifest(const cli_run *run, const char *dir, size_t v0, size_t v1,
                       int complete);
void cli_print_tables(const cli_run *run);

/* run.c: after cli_execute, the files, manifest and table (or, when
 * interrupted, the manifest marked incomplete); returns the exit status. */
int cli_finish(cli_run *run);
/* The journal's identity (DIR/.journal/ident): one line per scenario file
 * and variant, then --vary, then "shard K/N trace T" last.  --resume needs
 * it unchanged; merge needs it equal but for the shard line. */
void cli_journal_ident(const cli_run *run, FILE *f);
/* First line of a journal's vNNN.scn when the scenario replayed a top-level
 * arrivals_file (the text itself holds the arrivals inline). */
#define CLI_ARRIVALS_TAG "# kimsim-journal arrivals_file "

/* run.c: scenario names that become folder names.  Each file's name (its
 * first variant's) must name a plain folder: not empty, no '/', no
 * leading '.'; with in_dir (several files, each writing DIR/<name>/) the
 * names must also differ and not be a file DIR holds beside them
 * (summary.csv, plots, ...).  Otherwise prints "FILE:LINE: name: ...; why"
 * (or "--set name=V: ...") and returns CLI_EBADINPUT. */
int cli_check_names(const cli_run *run, int in_dir, const char *why);
/* run.c: claims the output folder dir for this process: creates its
 * parents, then dir itself with one mkdir (of two processes only one makes
 * it), and locks it with flock until cli_release_dir (or exit).  An
 * existing dir is taken only with `reuse`, else refused with "dir exists;
 * <hint>".  Returns 0 with *lock the descriptor holding the lock (-1: the
 * file system has no locks), CLI_EBADINPUT (dir exists without reuse, is
 * not a folder, or another process holds it) or CLI_EFAIL, with a message. */
int cli_claim_dir(const char *dir, int reuse, const char *hint, int *lock);
void cli_release_dir(int lock);                 /* -1: no-op */

/* merge.c */
char *cli_read_text(const char *path);   /* whole file, malloc'd; NULL on error */

/* mpi.c: ranks (rank 0 of 1 without MPI or without mpirun) */
void cli_mpi_init(int *argc, char ***argv);    /* MPI_Finalize runs at exit */
int cli_mpi_rank(void);
int cli_mpi_size(void);
void cli_mpi_bcast_int(int *x);                 /* rank 0's value to every rank */
void cli_mpi_max_ints(int *x, int n);           /* element-wise max over ranks */
void cli_mpi_share(void *buf, size_t n);        /* bitwise OR over ranks, in place */
void cli_mpi_wait_all(void);                     /* every rank here, without spinning */

/* commands */
int cmd_run(int argc, char **argv);
int cmd_check(int argc, char **argv);
int cmd_compare(int argc, char **argv);
int cmd_erlang(int argc, char **argv);
int cmd_recommend(int argc, char **argv);
int cmd_report(int argc, char **argv);
int cmd_merge(int argc, char **argv);

double cli_wall_seconds(void);
double cli_thread_cpu_seconds(void);        /* CPU time of the calling thread */

/* ================================================================== */
/* Decisions (issue 4): warm-up pilot, comparison, recommendation,     */
/* Erlang estimates (warmup.c, compare.c, recommend.c, erlang.c)       */
/* ================================================================== */

/* warmup.c: resolves warmup_days = "auto" of every file's variants by an
 * in-memory pilot of the file's first variant and MSER-5.  Returns 0. */
int cli_warmup_auto(cli_run *run);

/* compare.c */
/* comparison.csv in dir: variants v[1..n) against v[0] (paired). */
int cli_write_comparison(const char *dir, const cli_variant *v, size_t n);
/* The comparison sentences of every file that has more than one variant. */
void cli_print_comparisons(const cli_run *run);

/* erlang.c */
/* Writes s in w columns (UTF-8 code points), cut with "…" or padded. */
void cli_cell(FILE *f, const char *s, size_t w, int right);
/* Do posts p and q serve the same municipalities? */
int cli_same_serve_set(const kim_scenario *sc, size_t p, size_t q);
/* One M/M/c estimate: a municipality's own posts, or a pool. */
typedef struct cli_erlang_row {
    const char *name;           /* municipality or first post (borrowed) */
    int pool;                   /* 0: a municipality's own posts; 1: a pool */
    long muni, post;            /* municipality (own posts) / first post (pool); -1 */
    size_t n_posts, n_towns;    /* posts in the row; towns served */
    long c;                     /* slots */
    double lambda, mu, theta;   /* per day; theta < 0: no Erlang A */
    double load;                /* lambda / (c mu) */
    double p_wait, wait_mean, wait_q;   /* Erlang C; wait_q at the target quantile */
    int has_a;
    an_erlang_a_result a;       /* Erlang A when has_a */
} cli_erlang_row;
/* The rows of a scenario: municipalities with posts of their own, then
 * pools, in file order.  *out is malloc'd; the caller frees it. */
size_t cli_erlang_rows(const kim_scenario *sc, cli_erlang_row **out);
void cli_print_erlang(FILE *f, const kim_scenario *sc);
/* The short Erlang C against simulated table of one variant, and of every
 * variant of a run (stdout). */
void cli_print_erlang_check(FILE *f, const an_variant *v);
void cli_print_erlang_checks(const cli_run *run);

/* recommend.c */
/* Smallest adequate FTE of one post, the others as they are. */
typedef struct cli_rec_post {
    double current_fte, current_filled;
    double fte;                 /* recommended; NAN when even `limit` fails */
    double limit;               /* the largest FTE tried (4 x current) */
    an_post_result at_current, at_fte;   /* at_fte: at fte, else at limit */
} cli_rec_post;
/* Runs the search of mode (a) for every post of o->files[0] in steps of
 * `step` (in memory, common random numbers).  *out (malloc'd, n_posts
 * long) is the caller's to free.  Returns 0, CLI_EBADINPUT, CLI_EFAIL or
 * 128 + signal. */
int cli_recommend_posts(cli_opts *o, double step, cli_rec_post **out, size_t *n_posts);

#endif
