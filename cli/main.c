/*
 * main.c — kimsim's entry point: dispatches to a sub-command.
 */
#include "cli.h"

#include <errno.h>
#include <string.h>
#include <gsl/gsl_errno.h>

static const struct {
    const char *name;
    int (*fn)(int, char **);
    const char *what;
} commands[] = {
    { "run", cmd_run, "run a scenario's replications, write CSV and verdicts" },
    { "check", cmd_check, "validate a scenario and print it resolved" },
    { "compare", cmd_compare, "paired comparison of scenario files or --vary variants" },
    { "recommend", cmd_recommend, "smallest adequate FTE per post, or the best split of a budget" },
    { "erlang", cmd_erlang, "instant M/M/c (Erlang C and A) estimates per municipality and pool" },
    { "merge", cmd_merge, "combine the folders of --shard K/N runs into one run's files" },
    { "report", cmd_report, "plots and an HTML page from a run's CSV files" },
};

static void usage(FILE *f)
{
    fprintf(f, "kimsim %s — caseload and staffing simulator for municipal case "
               "management (KIM, NRW)\n\nusage: kimsim COMMAND [options]\n\n"
               "commands:\n", KIMSIM_VERSION);
    for (size_t i = 0; i < sizeof commands / sizeof *commands; i++)
        fprintf(f, "  %-10s %s\n", commands[i].name, commands[i].what);
    fprintf(f, "\n'kimsim COMMAND --help' describes a command.\n");
}

/* A command's status, or 1 when what it printed could not be written (a
 * full disk, /dev/full): output lost silently would pass for success. */
static int close_stdout(int rc)
{
    int e = fflush(stdout) != 0 ? errno : ferror(stdout) ? -1 : 0;
    if (!e) return rc;
    fprintf(stderr, "kimsim: cannot write to standard output%s%s\n", e > 0 ? ": " : "",
            e > 0 ? strerror(e) : "");
    return rc ? rc : CLI_EFAIL;
}

int main(int argc, char **argv)
{
    gsl_set_error_handler_off();
    cli_mpi_init(&argc, &argv);
    if (argc < 2) {
        usage(stderr);
        return CLI_EBADINPUT;
    }
    if (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h") || !strcmp(argv[1], "help")) {
        usage(stdout);
        return CLI_OK;
    }
    if (!strcmp(argv[1], "--version")) {
        printf("kimsim %s\n", KIMSIM_VERSION);
        return CLI_OK;
    }
    for (size_t i = 0; i < sizeof commands / sizeof *commands; i++)
        if (!strcmp(argv[1], commands[i].name))
            return close_stdout(commands[i].fn(argc - 1, argv + 1));
    fprintf(stderr, "kimsim: unknown command '%s'\n", argv[1]);
    usage(stderr);
    return CLI_EBADINPUT;
}
