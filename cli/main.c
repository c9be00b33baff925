/*
 * main.c — kimsim's entry point: dispatches to a sub-command.
 */
#include "cli.h"

#include <string.h>
#include <gsl/gsl_errno.h>

static const struct {
    const char *name;
    int (*fn)(int, char **);
    const char *what;
} commands[] = {
    { "run", cmd_run, "run a scenario's replications, write CSV and verdicts" },
    { "check", cmd_check, "validate a scenario and print it resolved" },
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

int main(int argc, char **argv)
{
    gsl_set_error_handler_off();
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
            return commands[i].fn(argc - 1, argv + 1);
    fprintf(stderr, "kimsim: unknown command '%s'\n", argv[1]);
    usage(stderr);
    return CLI_EBADINPUT;
}
