/*
 * entry.h — the two fuzzing entry points, shared by the libFuzzer
 * harnesses (fuzz_scenario.c, fuzz_trace.c) and by the cmocka test that
 * replays every saved crash input (tests/test_fuzz_regressions.c), so a
 * regression fixture runs through exactly the code the fuzzer ran.
 *
 * Invariant checked on every input: the loader either returns SCN_OK with
 * a scenario, or SCN_EBADINPUT / SCN_ESYSTEM with a non-empty message and
 * a zeroed scenario; a scenario it accepts, printed by scn_print, loads
 * again to a scenario that prints to the same bytes and hashes the same;
 * kim_scenario_fini then releases everything (LeakSanitizer / valgrind).
 *
 * The functions are static because every test binary is built from one
 * source file (Makefile); each returns 0 when the invariant held, or fills
 * why[] and returns -1 (the harnesses abort on that, so libFuzzer keeps the
 * input).
 */
#ifndef KIMSIM_FUZZ_ENTRY_H
#define KIMSIM_FUZZ_ENTRY_H

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "../../scenarios/scn.h"

#define FUZZ_UNUSED __attribute__((unused))

/* Fixed scenario the trace harness points at its CSV file: two
 * municipalities (ids erkelenz, hueckelhoven), two case types (standard,
 * housing), horizon 365.5 days.  %s is the arrivals_file line. */
#define FUZZ_TRACE_SCENARIO                                                   \
    "name = \"fuzz-trace\"; horizon_days = 365.5;\n"                          \
    "case_types = ( { name = \"standard\"; share = 0.65;\n"                   \
    "  duration = { dist = \"exponential\"; mean = 180.5; }; },\n"           \
    "  { name = \"housing\"; share = 0.35;\n"                                 \
    "  duration = { dist = \"exponential\"; mean = 234.5; }; } );\n"         \
    "municipalities = ( { name = \"Erkelenz\"; arrivals_per_year = 76.3; %s },\n" \
    "  { name = \"H\xc3\xbc" "ckelhoven\"; arrivals_per_year = 70.1; } );\n"  \
    "posts = ( { name = \"Kreis\"; fte = 2.5; serves = [\"*\"]; } );\n%s"

/* scn_print of sc into a new string (caller frees). */
static char *fuzz_printed(const kim_scenario *sc)
{
    char *buf = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&buf, &len);
    if (!f) abort();
    scn_print(f, sc);
    fclose(f);
    return buf;
}

static int fuzz_zeroed(const kim_scenario *sc)
{
    static const kim_scenario zero;
    return memcmp(sc, &zero, sizeof zero) == 0;
}

/* Checks a load's outcome and, on success, the print/reload round trip;
 * finishes sc.  Returns 0 or -1 with why[] filled. */
static int fuzz_check_loaded(int rc, kim_scenario *sc, const scn_err *err,
                             char why[512])
{
    if (rc != SCN_OK) {
        int ok = (rc == SCN_EBADINPUT || rc == SCN_ESYSTEM) && err->code == rc &&
                 err->msg[0] && fuzz_zeroed(sc);
        if (!ok) snprintf(why, 512, "error %d without message or zeroed "
                          "scenario: \"%.400s\"", rc, err->msg);
        return ok ? 0 : -1;
    }
    char *once = fuzz_printed(sc), *twice = NULL;
    kim_scenario again;
    scn_err err2;
    int rc2 = scn_load_string(once, "fuzz-printed.cfg", NULL, 0, &again, &err2);
    int bad = rc2 != SCN_OK;
    if (bad) snprintf(why, 512, "printed scenario does not load: %.400s", err2.msg);
    if (!bad) {
        twice = fuzz_printed(&again);
        bad = strcmp(once, twice) != 0 || scn_hash(sc) != scn_hash(&again);
        if (bad) snprintf(why, 512, "printed scenario reloads differently");
    }
    free(once);
    free(twice);
    kim_scenario_fini(&again);
    kim_scenario_fini(sc);
    return bad ? -1 : 0;
}

enum { FUZZ_MAX_SETS = 8 };

/* The --set overrides an input carries as lines "#set KEY=VALUE" (a
 * comment to libconfig), copied into sets[] (caller frees); returns how
 * many. */
static size_t fuzz_sets(const char *text, scn_override *ov, char **sets)
{
    size_t n = 0;
    for (const char *p = text; p && n < FUZZ_MAX_SETS; p = strchr(p, '\n')) {
        if (*p == '\n') p++;
        if (strncmp(p, "#set ", 5) != 0) continue;
        size_t len = strcspn(p + 5, "\n");
        sets[n] = strndup(p + 5, len);
        if (!sets[n]) abort();
        ov[n].assignment = sets[n];
        ov[n].option = NULL;
        n++;
    }
    return n;
}

/* Bytes -> scn_load_string (with the input's "#set" overrides) ->
 * scenario or error -> round trip.  Inputs with "@include" are skipped:
 * libconfig would open files named by the fuzzer (a FIFO or a terminal
 * would hang the run). */
static FUZZ_UNUSED int fuzz_scenario_one(const uint8_t *data, size_t size,
                                         char why[512])
{
    char *text = malloc(size + 1), *sets[FUZZ_MAX_SETS];
    scn_override ov[FUZZ_MAX_SETS];
    kim_scenario sc;
    scn_err err;
    if (!text) abort();
    memcpy(text, data, size);
    text[size] = '\0';
    if (strstr(text, "@include")) { free(text); return 0; }
    size_t n_ov = fuzz_sets(text, ov, sets);
    int rc = scn_load_string(text, "fuzz.cfg", ov, n_ov, &sc, &err);
    free(text);
    for (size_t i = 0; i < n_ov; i++) free(sets[i]);
    return fuzz_check_loaded(rc, &sc, &err, why);
}

/* Writes data to path; aborts when it cannot (the harness's own failure,
 * not the reader's). */
static void fuzz_write_file(const char *path, const uint8_t *data, size_t size)
{
    FILE *f = fopen(path, "wb");
    if (!f || fwrite(data, 1, size, f) != size || fclose(f) != 0) {
        perror(path);
        abort();
    }
}

/* Bytes -> a CSV file -> loaded twice through the referral-trace reader:
 * as the scenario's top-level arrivals_file (day,municipality[,case_type])
 * and as the first municipality's own file (day[,case_type]).  `path` is
 * a scratch file the caller owns. */
static FUZZ_UNUSED int fuzz_trace_one(const uint8_t *data, size_t size,
                                      const char *path, char why[512])
{
    char own[600], top[600], text[2048];
    int rc = 0;
    fuzz_write_file(path, data, size);
    snprintf(own, sizeof own, "arrivals_file = \"%s\";", path);
    snprintf(top, sizeof top, "arrivals_file = \"%s\";\n", path);
    for (int mode = 0; mode < 2 && rc == 0; mode++) {
        kim_scenario sc;
        scn_err err;
        snprintf(text, sizeof text, FUZZ_TRACE_SCENARIO, mode ? own : "",
                 mode ? "" : top);
        int lr = scn_load_string(text, "fuzz-trace.cfg", NULL, 0, &sc, &err);
        rc = fuzz_check_loaded(lr, &sc, &err, why);
    }
    return rc;
}

#endif
