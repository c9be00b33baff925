/*
 * args.c — options of run (and of the commands that run replications).
 *
 * Invariant: parsing never touches the file system; every problem is
 * reported here with exit status 2 before anything is loaded or written.
 */
#include "cli.h"
#include "../sim/sim.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

static const char *const usage_text[][2] = {
    { "run",
      "usage: kimsim run FILE... [-o DIR] [-r N] [-s SEED] [-j JOBS] [--set K=V]...\n"
      "                  [--vary K=V1,V2,...]... [--trace] [--force] [--resume] [--quiet]\n"
      "                  [--shard K/N]\n\n"
      "Runs the scenario's replications, prints the verdict table and writes\n"
      "summary.csv, replications.csv, verdict.csv, timeseries.csv, manifest.txt\n"
      "(and cases.csv with --trace, comparison.csv with --vary) to DIR.\n\n"
      "  -o DIR         output folder (default out/<scenario-name>/, replaced on a rerun);\n"
      "                 an existing DIR is never touched without --force or --resume\n"
      "  -r N           replications (default: the scenario's)\n"
      "  -s SEED        master seed (default: the scenario's)\n"
      "  -j JOBS        threads (default: number of cores); output is identical for any JOBS\n"
      "  --set K=V      override a key, items addressed by id: --set posts.drk-hueckelhoven.fte=1.0\n"
      "  --vary K=V,..  run every value (cartesian product over several --vary), same random numbers\n"
      "  --trace        also write cases.csv, one row per case\n"
      "  --force        replace an existing -o DIR\n"
      "  --resume       run only the replications missing in DIR after an interrupted run\n"
      "  --quiet        no table, no progress\n"
      "  --shard K/N    run the K-th of N slices of the replications (merge with kimsim merge)\n\n"
      "Exit status: 0 success (whatever the verdict), 2 bad input, 1 other failure,\n"
      "130/143 interrupted (finished replications kept for --resume).\n" },
    { "check",
      "usage: kimsim check FILE [--set K=V]...\n\n"
      "Validates FILE and prints the resolved scenario (every default filled in).\n"
      "Exit status 0 when valid, 2 with a message naming file, line and key.\n" },
};

void cli_usage(FILE *f, const char *cmd)
{
    for (size_t i = 0; i < sizeof usage_text / sizeof *usage_text; i++)
        if (!strcmp(cmd, usage_text[i][0])) {
            fputs(usage_text[i][1], f);
            return;
        }
    fprintf(f, "usage: kimsim %s ... (see kimsim --help)\n", cmd);
}

static int bad(const char *cmd, const char *fmt, const char *arg)
{
    fprintf(stderr, "kimsim %s: ", cmd);
    fprintf(stderr, fmt, arg);
    fprintf(stderr, "\n(see 'kimsim %s --help')\n", cmd);
    return CLI_EBADINPUT;
}

static int parse_long(const char *s, long lo, long hi, long *out)
{
    char *end;
    errno = 0;
    long v = strtol(s, &end, 10);
    if (errno || end == s || *end || v < lo || v > hi) return -1;
    *out = v;
    return 0;
}

static void push(void *arrp, size_t *n, size_t size, const void *item)
{
    void **arr = arrp;
    *arr = sim_xrealloc(*arr, (*n + 1) * size);
    memcpy((char *)*arr + *n * size, item, size);
    (*n)++;
}

/* Options that take a value: returns 1 when argv[*i] was one (value
 * consumed), 0 when not, or CLI_EBADINPUT + 100 on a bad value. */
static int value_opt(cli_opts *o, const char *cmd, int argc, char **argv, int *i)
{
    const char *a = argv[*i];
    static const char *const names[] = { "-o", "-r", "-s", "-j", "--set", "--vary", "--shard" };
    size_t k = 0;
    while (k < sizeof names / sizeof *names && strcmp(a, names[k])) k++;
    if (k == sizeof names / sizeof *names) return 0;
    if (*i + 1 >= argc) return 100 + bad(cmd, "option %s needs a value", a);
    const char *v = argv[++*i];
    long n;
    switch (k) {
    case 0: o->out_dir = v; break;
    case 1:
        if (parse_long(v, 1, 10000000, &n)) return 100 + bad(cmd, "-r: replications must be 1..10000000, got '%s'", v);
        o->reps = n;
        break;
    case 2: {
        char *end;
        errno = 0;
        o->seed = strtoull(v, &end, 10);
        if (errno || end == v || *end || *v == '-') return 100 + bad(cmd, "-s: seed must be a non-negative integer, got '%s'", v);
        o->has_seed = 1;
        break;
    }
    case 3:
        if (parse_long(v, 1, 1024, &n)) return 100 + bad(cmd, "-j: jobs must be 1..1024, got '%s'", v);
        o->jobs = (int)n;
        break;
    case 4: {
        if (!strchr(v, '=')) return 100 + bad(cmd, "--set needs KEY=VALUE, got '%s'", v);
        scn_override ov = { v };
        push(&o->sets, &o->n_sets, sizeof ov, &ov);
        break;
    }
    case 5:
        if (!strchr(v, '=')) return 100 + bad(cmd, "--vary needs KEY=V1,V2,..., got '%s'", v);
        push(&o->vary, &o->n_vary, sizeof v, &v);
        break;
    case 6:
        if (sscanf(v, "%d/%d", &o->shard_k, &o->shard_n) != 2 || o->shard_n < 1 ||
            o->shard_k < 1 || o->shard_k > o->shard_n)
            return 100 + bad(cmd, "--shard needs K/N with 1 <= K <= N, got '%s'", v);
        break;
    }
    return 1;
}

int cli_parse_run_opts(int argc, char **argv, cli_opts *o, const char *cmd)
{
    memset(o, 0, sizeof *o);
    o->argc = argc;
    o->argv = argv;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        int r = value_opt(o, cmd, argc, argv, &i);
        if (r >= 100) return r - 100;
        if (r == 1) continue;
        if (!strcmp(a, "--help") || !strcmp(a, "-h")) { cli_usage(stdout, cmd); return -1; }
        else if (!strcmp(a, "--trace")) o->trace = 1;
        else if (!strcmp(a, "--force")) o->force = 1;
        else if (!strcmp(a, "--resume")) o->resume = 1;
        else if (!strcmp(a, "--quiet") || !strcmp(a, "-q")) o->quiet = 1;
        else if (a[0] == '-' && a[1]) return bad(cmd, "unknown option '%s'", a);
        else push(&o->files, &o->n_files, sizeof a, &a);
    }
    if (o->n_files == 0) return bad(cmd, "%s", "no scenario file given");
    return 0;
}

void cli_opts_fini(cli_opts *o)
{
    free(o->files);
    free(o->sets);
    free(o->vary);
    memset(o, 0, sizeof *o);
}
