/*
 * test_fuzz_regressions.c — replays every input the fuzzers ever failed on
 * (tests/fuzz/regressions/: scenario-*.cfg through the scenario harness,
 * trace-*.csv through the trace harness), and every malformed scenario of
 * the catalogues (tests/bad, tests/fixtures/bad) through the scenario
 * harness, with the harnesses' own entry points (tests/fuzz/entry.h): each
 * must load or fail cleanly, and what loads must print and reload to the
 * same scenario.  Under valgrind (make valgrind) this is also the leak
 * check of the loader's error paths.  Run from the repository root.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz/entry.h"

#define REGRESSIONS "tests/fuzz/regressions"

/* The bytes of a file (caller frees); fails the test when unreadable. */
static uint8_t *slurp(const char *path, size_t *size)
{
    FILE *f = fopen(path, "rb");
    if (!f) fail_msg("cannot open %s", path);
    uint8_t *buf = NULL;
    size_t cap = 0, n = 0, got;
    do {
        if (n == cap) buf = realloc(buf, (cap = cap ? 2 * cap : 4096));
        if (!buf) fail_msg("out of memory reading %s", path);
        got = fread(buf + n, 1, cap - n, f);
        n += got;
    } while (got > 0);
    fclose(f);
    *size = n;
    return buf;
}

static int has_suffix(const char *s, const char *suffix)
{
    size_t n = strlen(s), k = strlen(suffix);
    return n >= k && strcmp(s + n - k, suffix) == 0;
}

/* Runs every file of dir whose name starts with prefix and ends with
 * suffix through the harness `kind` ('s' scenario, 't' trace); returns
 * how many it ran. */
static size_t replay_dir(const char *dir, const char *prefix, const char *suffix,
                         int kind, const char *scratch)
{
    DIR *d = opendir(dir);
    struct dirent *e;
    size_t n = 0;
    if (!d) fail_msg("cannot open %s", dir);
    while ((e = readdir(d))) {
        char path[600], why[512] = "";
        size_t size;
        if (strncmp(e->d_name, prefix, strlen(prefix)) || !has_suffix(e->d_name, suffix))
            continue;
        snprintf(path, sizeof path, "%s/%s", dir, e->d_name);
        uint8_t *data = slurp(path, &size);
        int rc = kind == 's' ? fuzz_scenario_one(data, size, why)
                             : fuzz_trace_one(data, size, scratch, why);
        free(data);
        if (rc != 0) fail_msg("%s: %s", path, why);
        n++;
    }
    closedir(d);
    return n;
}

static void test_fuzz_regressions_scenarios(void **state)
{
    (void)state;
    size_t n = replay_dir(REGRESSIONS, "scenario-", "", 's', NULL);
    print_message("replayed %zu scenario regressions\n", n);
}

static void test_fuzz_regressions_traces(void **state)
{
    (void)state;
    char dir[] = "/tmp/kimsim-regress-XXXXXX", path[64];
    if (!mkdtemp(dir)) fail_msg("mkdtemp failed");
    snprintf(path, sizeof path, "%s/trace.csv", dir);
    size_t n = replay_dir(REGRESSIONS, "trace-", "", 't', path);
    n += replay_dir("tests/fixtures/traces", "", ".csv", 't', path);
    n += replay_dir("tests/fixtures/bad", "", ".csv", 't', path);
    n += replay_dir("tests/bad", "", ".csv", 't', path);
    unlink(path);
    rmdir(dir);
    print_message("replayed %zu traces\n", n);
}

/* The catalogues' malformed scenarios, through the fuzzing entry: none may
 * crash, leak or fail without a message. */
static void test_fuzz_regressions_catalogues(void **state)
{
    (void)state;
    size_t n = replay_dir("tests/bad", "", ".cfg", 's', NULL);
    n += replay_dir("tests/fixtures/bad", "", ".cfg", 's', NULL);
    n += replay_dir("tests/fixtures/good", "", ".cfg", 's', NULL);
    n += replay_dir("scenarios", "", ".cfg", 's', NULL);
    assert_true(n >= 200);
    print_message("replayed %zu scenario files\n", n);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_fuzz_regressions_scenarios),
        cmocka_unit_test(test_fuzz_regressions_traces),
        cmocka_unit_test(test_fuzz_regressions_catalogues),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
