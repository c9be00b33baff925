/*
 * args.c — options of run (and of the commands that run replications).
 *
 * Invariant: parsing never touches the file system; every problem is
 * reported here with exit status 2 before anything is loaded or written.
 */
#include "cli.h"
#include "../sim/sim.h"

#include <errno.h>
#include <limits.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

static const char *const usage_text[][2] = {
    { "run",
      "usage: kimsim run FILE... [-o DIR] [-r N] [-s SEED] [-j JOBS] [--set K=V]...\n"
      "                  [--vary K=V1,V2,...]... [--trace] [--force] [--resume] [--quiet]\n"
      "                  [--shard K/N] [--timeseries N]\n\n"
      "Runs the scenario's replications, prints the verdict table and writes\n"
      "summary.csv, replications.csv, verdict.csv, timeseries.csv, manifest.txt\n"
      "(and cases.csv with --trace, comparison.csv with --vary) to DIR.\n\n"
      "  -o DIR         output folder (default out/<scenario-name>/, replaced on a rerun);\n"
      "                 an existing DIR is never touched without --force or --resume\n"
      "  -r N           replications (default: the scenario's)\n"
      "  -s SEED        master seed, 0..9223372036854775807 (default: the scenario's)\n"
      "  -j JOBS        threads (default: number of cores); output is identical for any JOBS\n"
      "  --set K=V      override a key, items addressed by id: --set posts.drk-hueckelhoven.fte=1.0\n"
      "  --vary K=V,..  run every value (cartesian product over several --vary), same random numbers\n"
      "  --trace        also write cases.csv, one row per case\n"
      "  --force        replace an existing -o DIR\n"
      "  --resume       run only the replications missing in DIR after an interrupted run\n"
      "  --quiet        no table, no progress\n"
      "  --shard K/N    run the K-th of N slices of the replications (merge with kimsim merge)\n"
      "  --timeseries N write the time series of the first N replications only (0: none);\n"
      "                 every replication still counts in the other files\n\n"
      "Exit status: 0 success (whatever the verdict), 2 bad input, 1 other failure,\n"
      "130/143 interrupted (finished replications kept for --resume).\n" },
    { "check",
      "usage: kimsim check FILE [--set K=V]...\n\n"
      "Validates FILE and prints the resolved scenario (every default filled in).\n"
      "Exit status 0 when valid, 2 with a message naming file, line and key.\n" },
    { "compare",
      "usage: kimsim compare FILE_A FILE_B [FILE...] [-o DIR] [-r N] [-s SEED] [-j JOBS]\n"
      "                      [--set K=V]... [--vary K=V1,V2,...]... [--force] [--quiet]\n"
      "       kimsim compare FILE --vary K=V1,V2,... [options]\n\n"
      "Runs every file (and --vary variant) with the same seed and replications (A's\n"
      "unless -s / -r), so replication r sees the same people in each (common random\n"
      "numbers), and compares each with the baseline (FILE_A, or the first --vary value)\n"
      "by paired differences with 95 % CIs.  Prints the verdict tables and one sentence\n"
      "per municipality whose verdict or wait at the target quantile changed materially\n"
      "(paired CI excludes 0 and the change is at least 1 day and 10 %), with the cost.\n"
      "Writes DIR/comparison.csv, and each file's usual files to DIR/<scenario-name>/\n"
      "(one file: to DIR).\n\n"
      "  -o DIR      output folder (default out/compare-<nameA>-<nameB>/); an existing\n"
      "              DIR is never touched without --force\n"
      "  -r N, -s SEED, -j JOBS, --set, --vary, --force, --quiet: as for kimsim run\n\n"
      "Exit status: 0 success (whatever the verdicts), 2 bad input, 1 other failure.\n" },
    { "recommend",
      "usage: kimsim recommend FILE [--step FTE] [--budget FTE] [-o DIR] [-r N] [-s SEED]\n"
      "                        [-j JOBS] [--set K=V]... [--force] [--quiet]\n\n"
      "Without --budget: for each post, the smallest FTE (a multiple of --step, at least\n"
      "0.5) at which the post and every municipality it serves meet every target\n"
      "(adequate: the whole 95 % CI), the other posts as they are; searched upward to\n"
      "4 x the current FTE.  With --budget B: the split of B FTE across the posts that\n"
      "makes the most municipalities adequate, then the shortest worst wait, by greedy\n"
      "marginal allocation (Fox 1966) from 0.5 FTE per post.  Beside it, the formula\n"
      "split a Kreis would make (shares of the municipalities' weight, default their\n"
      "arrivals; posts under 0.5 pooled with the next; rounded to 0.5 VZAE), of B or of\n"
      "the current total.  Every candidate runs with the same random numbers and\n"
      "assumes its posts filled.  Prints a table; writes DIR/recommendation.csv.\n\n"
      "  --step FTE     grid step (default 0.5)\n"
      "  --budget FTE   total FTE to split (at least 0.5 per post)\n"
      "  -o DIR         output folder (default out/recommend-<scenario-name>/)\n"
      "  -r N, -s SEED, -j JOBS, --set, --force, --quiet: as for kimsim run\n\n"
      "Exit status: 0 success, 2 bad input, 1 other failure, 130/143 interrupted.\n" },
    { "erlang",
      "usage: kimsim erlang FILE... [--set K=V]...\n\n"
      "Prints at once, without simulating, the M/M/c estimate for each municipality with\n"
      "posts of its own and each pool: slots c, arrivals per day, load, Erlang C\n"
      "probability of waiting, mean wait and wait at the target quantile, and Erlang A\n"
      "(exponential patience) when every case type with a patience has an exponential\n"
      "one.  A town with its own post counts there only.  kimsim run prints the Erlang C\n"
      "estimate beside the simulated wait.\n\n"
      "Exit status: 0 success, 2 bad input.\n" },
    { "report",
      "usage: kimsim report DIR [--scenario FILE] [--quiet]\n\n"
      "Reads the CSV files a run wrote to DIR and writes plots (gnuplot, SVG and PNG)\n"
      "to DIR/plots/ and one self-contained page, DIR/report.html: the scenario, its\n"
      "targets, the verdict table, the comparison of variants, the plots and the manifest.\n\n"
      "  --scenario FILE  the scenario file, when the path in DIR/manifest.txt is not\n"
      "                   valid from here (it gives the description and the target wait)\n"
      "  --quiet          print nothing on success\n\n"
      "Plots need gnuplot (Debian: gnuplot-nox); without it the page is written without\n"
      "plots and a warning.\n"
      "Exit status: 0 page written, 2 no DIR/summary.csv or a malformed CSV file,\n"
      "1 a file could not be written or gnuplot failed.\n" },
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

/* A whole number in [lo, hi] written as decimal digits only: no sign, no
 * space, nothing after (strtol alone would take " 5", "+5"). */
static int parse_long(const char *s, long lo, long hi, long *out)
{
    char *end;
    if (*s < '0' || *s > '9') return -1;
    errno = 0;
    long v = strtol(s, &end, 10);
    if (errno || *end || v < lo || v > hi) return -1;
    *out = v;
    return 0;
}

/* -s: the range of the scenario language's seed, 0 .. 2^63 - 1, so that
 * the journal's resolved scenario (vNNN.scn) loads again. */
static int parse_seed(const char *s, unsigned long long *out)
{
    char *end;
    if (*s < '0' || *s > '9') return -1;
    errno = 0;
    unsigned long long v = strtoull(s, &end, 10);
    if (errno || *end || v > (unsigned long long)INT64_MAX) return -1;
    *out = v;
    return 0;
}

/* --shard K/N with 1 <= K <= N, each in digits only. */
static int parse_shard(const char *s, int *k, int *n)
{
    const char *slash = strchr(s, '/');
    char kbuf[24];
    long kv, nv;
    if (!slash || (size_t)(slash - s) >= sizeof kbuf) return -1;
    memcpy(kbuf, s, (size_t)(slash - s));
    kbuf[slash - s] = '\0';
    if (parse_long(kbuf, 1, INT_MAX, &kv) || parse_long(slash + 1, 1, INT_MAX, &nv) || kv > nv)
        return -1;
    *k = (int)kv;
    *n = (int)nv;
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
    static const char *const names[] = { "-o", "-r", "-s", "-j", "--set", "--vary", "--shard",
                                         "--timeseries" };
    size_t k = 0;
    while (k < sizeof names / sizeof *names && strcmp(a, names[k])) k++;
    if (k == sizeof names / sizeof *names) return 0;
    if (*i + 1 >= argc) return 100 + bad(cmd, "option %s needs a value", a);
    const char *v = argv[++*i];
    long n;
    switch (k) {
    case 0:     /* "" would make "/.journal", "/summary.csv" of "%s/%s" */
        if (!*v) return 100 + bad(cmd, "-o: needs a folder name, got '%s'", v);
        o->out_dir = v;
        break;
    case 1:
        if (parse_long(v, 1, 10000000, &n)) return 100 + bad(cmd, "-r: replications must be 1..10000000, got '%s'", v);
        o->reps = n;
        break;
    case 2:
        if (parse_seed(v, &o->seed))
            return 100 + bad(cmd, "-s: seed must be 0..9223372036854775807, got '%s'", v);
        o->has_seed = 1;
        break;
    case 3:
        if (parse_long(v, 1, 1024, &n)) return 100 + bad(cmd, "-j: jobs must be 1..1024, got '%s'", v);
        o->jobs = (int)n;
        break;
    case 4: {
        if (!strchr(v, '=')) return 100 + bad(cmd, "--set needs KEY=VALUE, got '%s'", v);
        scn_override ov = { .assignment = v };
        push(&o->sets, &o->n_sets, sizeof ov, &ov);
        break;
    }
    case 5:
        if (!strchr(v, '=')) return 100 + bad(cmd, "--vary needs KEY=V1,V2,..., got '%s'", v);
        push(&o->vary, &o->n_vary, sizeof v, &v);
        break;
    case 6:
        if (parse_shard(v, &o->shard_k, &o->shard_n))
            return 100 + bad(cmd, "--shard needs K/N with 1 <= K <= N, got '%s'", v);
        break;
    case 7:
        if (parse_long(v, 0, 10000000, &n))
            return 100 + bad(cmd, "--timeseries: replications must be 0..10000000, got '%s'", v);
        o->ts_limit = 1;
        o->ts_reps = n;
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

/* Is a one of run's options (value_opt's or a flag)? */
static int is_run_option(const char *a)
{
    static const char *const known[] = { "-o", "-r", "-s", "-j", "--vary", "--shard",
                                         "--timeseries", "--trace", "--force", "--resume",
                                         "--quiet", "-q" };
    for (size_t k = 0; k < sizeof known / sizeof *known; k++)
        if (!strcmp(a, known[k])) return 1;
    return 0;
}

/* Parsed as run's options first, so that a bad value gets its own message;
 * then any option but --set is refused. */
int cli_parse_file_opts(int argc, char **argv, cli_opts *o, const char *cmd)
{
    int rc = cli_parse_run_opts(argc, argv, o, cmd);
    for (int i = 1; !rc && i < argc; i++) {
        if (!strcmp(argv[i], "--set")) i++;
        else if (is_run_option(argv[i]))
            rc = bad(cmd, "%s does not apply here: this command takes scenario files "
                          "and --set K=V only", argv[i]);
    }
    return rc;
}

void cli_opts_fini(cli_opts *o)
{
    free(o->files);
    free(o->sets);
    free(o->vary);
    memset(o, 0, sizeof *o);
}
