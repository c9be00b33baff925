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
    int argc; char **argv;      /* for the manifest */
} cli_opts;

/* One scenario variant ready to run: the loaded scenario, its groups and
 * the results of its replications. */
typedef struct cli_variant {
    kim_scenario sc;
    kim_groups groups;
    char *label;                /* "base" or "k=v;k2=v2" */
    scn_override *ov;  size_t n_ov;      /* --set then the vary assignment */
    an_variant res;
} cli_variant;

/* A run: every variant of every scenario file, and where it is written. */
typedef struct cli_run {
    cli_opts *o;
    cli_variant *v;   size_t n_v;
    size_t *first_of_file;      /* index of each file's first variant */
    char **strings; size_t n_strings;   /* --vary assignments, owned */
    char *dir;                  /* output folder */
    char journal[4096];         /* dir/.journal */
    unsigned long long events;
    double started, ended;      /* wall-clock seconds */
    int interrupted;
} cli_run;

/* args.c */
int cli_parse_run_opts(int argc, char **argv, cli_opts *o, const char *cmd);
void cli_opts_fini(cli_opts *o);
void cli_usage(FILE *f, const char *cmd);

/* files.c: atomic output (temp file + fsync + rename) */
typedef struct cli_out {
    FILE *f;
    char tmp[4096], path[4096];
} cli_out;
int cli_out_open(cli_out *out, const char *dir, const char *name);
int cli_out_commit(cli_out *out);           /* 0, or -1 with a message */
void cli_out_abort(cli_out *out);
int cli_mkdirs(const char *path);
int cli_dir_exists(const char *path);
int cli_rm_tree(const char *path);
int cli_copy_into(FILE *to, const char *from_path);

/* load.c: scenarios and variants (bad input -> message, CLI_EBADINPUT) */
int cli_load_variants(cli_run *run);
void cli_run_fini(cli_run *run);

/* exec.c: runs every pending replication on o->jobs threads.  With an
 * empty run->journal the results stay in memory only (no time series, no
 * case trace, no resume): for commands that run many variants, such as
 * recommend. */
int cli_execute(cli_run *run);
/* Journal file of (variant, replication) with extension ext into buf. */
void cli_journal_path(const cli_run *run, size_t v, unsigned long r,
                      const char *ext, char *buf, size_t n);

/* write.c: CSV files, manifest, the table */
int cli_write_outputs(cli_run *run);
int cli_write_manifest(const cli_run *run, const char *dir, size_t v0, size_t v1,
                       int complete);
void cli_print_tables(const cli_run *run);

/* commands */
int cmd_run(int argc, char **argv);
int cmd_check(int argc, char **argv);
int cmd_compare(int argc, char **argv);
int cmd_erlang(int argc, char **argv);
int cmd_recommend(int argc, char **argv);
int cmd_report(int argc, char **argv);
int cmd_merge(int argc, char **argv);

double cli_wall_seconds(void);

#endif
