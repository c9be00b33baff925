/*
 * test_scenarios.c — the scenario loader: every key of a full fixture, the
 * defaults of a five-line scenario, every error path (table-driven over
 * tests/fixtures/bad/EXPECT), --set overrides, replayed arrivals, and
 * scn_print -> reload round trips.  Run from the repository root.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <dirent.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../scenarios/scn.h"
#include "../scenarios/scn_impl.h"
#include "../sim/sim.h"

#define GOOD "tests/fixtures/good/"
#define assert_near(a, b, tol) assert_true(fabs((a) - (b)) <= (tol))
#define BAD "tests/fixtures/bad/"

/* Loads a fixture that must be valid. */
static void load_ok(const char *path, const scn_override *ov, size_t n,
                    kim_scenario *sc)
{
    scn_err err;
    int rc = scn_load(path, ov, n, sc, &err);
    if (rc) fail_msg("%s: %s", path, err.msg);
}

/* The scenario as scn_print writes it; caller frees. */
static char *printed(const kim_scenario *sc)
{
    char *buf = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&buf, &len);
    assert_non_null(f);
    scn_print(f, sc);
    fclose(f);
    return buf;
}

static bool zeroed(const kim_scenario *sc)
{
    static const kim_scenario zero;
    return memcmp(sc, &zero, sizeof zero) == 0;
}

/* ------------------------------------------------------------------ */
/* A full fixture and the defaults                                      */
/* ------------------------------------------------------------------ */

static void check_top(const kim_scenario *sc)
{
    assert_string_equal(sc->name, "full-heinsberg");
    assert_string_equal(sc->description, "Every key once: Kreis Heinsberg flavour");
    assert_string_equal(sc->source, GOOD "full.cfg");
    assert_true(sc->horizon_days == 1095.5 && sc->warmup_days == 181.25);
    assert_false(sc->warmup_auto);
    assert_int_equal(sc->replications, 23);
    assert_true(sc->seed == 20230101234ull);       /* beyond 32 bits, intact */
    assert_string_equal(sc->rng, "ranlxd2");
    assert_true(sc->sample_days == 6.5 && sc->caseload_per_fte == 38.5);
    assert_true(sc->targets.wait_days == 13.5 && sc->targets.wait_quantile == 0.85);
    assert_true(sc->targets.max_utilization == 0.935);
    assert_true(sc->targets.max_reneged_share == 0.045);
    assert_int_equal(sc->queue, KIM_QUEUE_FIFO);
    assert_int_equal(sc->assign, KIM_ASSIGN_LEAST_LOADED);
    assert_int_equal(sc->capacity_drop, KIM_DROP_REASSIGN);
    assert_true(sc->cost_per_fte_year == 55250.0);
    assert_true(sc->cost_top_up_per_fte_year == 5125.5);
}

static void check_case_types(const kim_scenario *sc)
{
    const kim_case_type *t = sc->case_types;
    assert_int_equal(sc->n_case_types, 3);
    assert_string_equal(t[0].id, "standard");
    assert_string_equal(t[1].id, "housing");          /* explicit id */
    assert_string_equal(t[1].name, "Wohnen");
    assert_true(t[0].share == 0.615 && t[0].priority == 2 && t[2].priority == 1);
    assert_int_equal(t[0].duration.kind, KIM_DIST_LOGNORMAL);
    assert_true(t[0].duration.p[0] == log(182.5) && t[0].duration.p[1] == 0.715);
    assert_true(t[0].duration.max == 730.0 && isinf(t[1].duration.max));
    assert_true(t[0].patience.kind == KIM_DIST_EXPONENTIAL && t[0].patience.p[0] == 118.5);
    /* gamma(mean 234.5, sd 61.25): shape = mean^2/sd^2, scale = sd^2/mean */
    assert_int_equal(t[1].duration.kind, KIM_DIST_GAMMA);
    assert_near(t[1].duration.p[0], 234.5 * 234.5 / (61.25 * 61.25), 1e-12);
    assert_near(t[1].duration.p[1], 61.25 * 61.25 / 234.5, 1e-12);
    assert_true(t[1].patience.kind == KIM_DIST_WEIBULL && t[1].patience.p[0] == 1.35);
    assert_true(t[1].patience.p[1] == 95.5 && t[1].patience.max == 400.0);
    assert_int_equal(t[2].duration.kind, KIM_DIST_TRIANGULAR);
    assert_true(t[2].duration.p[0] == 10.5 && t[2].duration.p[1] == 30.25);
    assert_true(t[2].duration.p[2] == 90.75 && isinf(t[2].duration.max));
    assert_int_equal(t[2].patience.kind, KIM_DIST_EMPIRICAL);
    assert_int_equal(t[2].patience.n_values, 4);
    assert_true(t[2].patience.values[1] == 20.25 && t[2].patience.values[3] == 80.75);
}

static void check_munis_posts(const kim_scenario *sc)
{
    const kim_muni *m = sc->munis;
    const kim_post *p = sc->posts;
    assert_int_equal(sc->n_munis, 3);
    assert_string_equal(m[1].id, "hueckelhoven");
    assert_true(m[0].arrivals_per_day == 76.3 / 365.0);
    assert_true(m[2].arrivals_per_day == 41.0 / 365.0);   /* an integer rate */
    assert_true(m[1].arrivals_per_day == 0.1925 && m[1].weight == 0.85);
    assert_true(m[0].weight == m[0].arrivals_per_day);
    assert_true(m[0].initial_waiting == 18 && m[0].initial_open == 21);
    assert_true(m[1].initial_waiting == 0 && m[1].initial_open == 0);
    assert_int_equal(sc->n_posts, 4);
    assert_string_equal(p[1].id, "drk-hueckelhoven");
    assert_string_equal(p[1].name, "DRK Hückelhoven");
    assert_string_equal(p[0].carrier, "Diakonie");
    assert_string_equal(p[2].carrier, "Kreis");           /* default */
    assert_true(p[0].filled_fte == 1.5 && p[0].caseload_per_fte == 38.5);
    assert_true(p[1].filled_fte == 1.25 && p[1].caseload_per_fte == 42.5);
    assert_true(p[2].fte == 9.0 && p[2].filled_fte == 4.65);
    assert_true(!p[0].serves_all && p[0].n_serves == 1 && p[0].serves[0] == 0);
    assert_true(p[1].n_serves == 1 && p[1].serves[0] == 1); /* by id */
    assert_true(p[2].serves_all && p[2].n_serves == 0);
    assert_true(p[3].n_serves == 2 && p[3].serves[0] == 2 && p[3].serves[1] == 0);
    assert_true(p[1].turnover_per_year == 0.125 && p[3].turnover_per_year == 0.0);
    assert_int_equal(p[1].hiring_lag.kind, KIM_DIST_LOGNORMAL);
    assert_near(kim_dist_mean(&p[1].hiring_lag), 120.5, 1e-9);
    assert_near(kim_dist_sd(&p[1].hiring_lag), 40.25, 1e-9);
    assert_true(p[2].hiring_lag.kind == KIM_DIST_UNIFORM && p[2].hiring_lag.p[1] == 240.25);
    assert_true(p[3].hiring_lag.kind == KIM_DIST_FIXED && p[3].hiring_lag.p[0] == 90.5);
    assert_int_equal(p[0].hiring_lag.kind, KIM_DIST_NONE);
}

static void check_drivers(const kim_scenario *sc)
{
    const kim_driver *d = sc->drivers;
    assert_int_equal(sc->n_drivers, 7);
    assert_true(d[0].kind == KIM_DRV_INFLUX && d[0].factor == 2.85 && !d[0].all_munis);
    assert_true(d[0].from_day == 365.5 && d[0].to_day == 545.25 && d[0].n_profile == 0);
    assert_true(d[0].n_munis == 2 && d[0].munis[0] == 0 && d[0].munis[1] == 2);
    assert_true(d[1].all_munis && d[1].n_profile == 3 && d[1].profile_day[2] == 150.0);
    assert_true(d[1].profile_factor[1] == 2.45 && d[1].from_day == 0.0);
    assert_true(d[2].kind == KIM_DRV_HOUSING && d[2].case_type == 1 && d[2].share == 0.6);
    assert_true(d[2].duration_factor == 1.385 && isinf(d[2].to_day));
    assert_true(isnan(d[3].share) && d[3].duration_factor == 1.0 && d[3].to_day == 700.5);
    assert_true(d[4].kind == KIM_DRV_STAFFING && d[4].post == 2 && d[4].day == 730.5);
    assert_true(isnan(d[4].fte) && d[4].filled_fte == 8.75);
    assert_true(d[5].post == 1 && d[5].fte == 2.0 && d[5].filled_fte == 1.75);
    assert_true(d[6].kind == KIM_DRV_PROGRAMME_END && d[6].day == 1000.5);
}

static void test_scenarios_full_fixture(void **state)
{
    (void)state;
    kim_scenario sc;
    load_ok(GOOD "full.cfg", NULL, 0, &sc);
    check_top(&sc);
    check_case_types(&sc);
    check_munis_posts(&sc);
    check_drivers(&sc);
    kim_scenario_fini(&sc);
}

static void test_scenarios_five_line_defaults(void **state)
{
    (void)state;
    kim_scenario sc;
    load_ok(GOOD "five.cfg", NULL, 0, &sc);
    assert_string_equal(sc.name, "mini");
    assert_string_equal(sc.description, "");
    assert_true(sc.warmup_days == 0.0 && !sc.warmup_auto);
    assert_true(sc.replications == 10 && sc.seed == 1);
    assert_string_equal(sc.rng, "mt19937");
    assert_true(sc.sample_days == 7.0 && sc.caseload_per_fte == 40.0);
    assert_true(sc.targets.wait_days == 14.0 && sc.targets.wait_quantile == 0.9);
    assert_true(sc.targets.max_utilization == 0.95);
    assert_true(sc.targets.max_reneged_share == 0.05);
    assert_true(sc.queue == KIM_QUEUE_PRIORITY && sc.assign == KIM_ASSIGN_HOME_FIRST);
    assert_true(sc.capacity_drop == KIM_DROP_FINISH);
    assert_true(sc.cost_per_fte_year == 55000.0 && sc.cost_top_up_per_fte_year == 0.0);
    assert_true(sc.case_types[0].priority == 1);
    assert_int_equal(sc.case_types[0].patience.kind, KIM_DIST_NONE);
    assert_true(sc.munis[0].weight == 50.0 / 365.0);
    assert_string_equal(sc.posts[0].carrier, "Kreis");
    assert_true(sc.posts[0].filled_fte == 1.0 && sc.posts[0].caseload_per_fte == 40.0);
    assert_true(sc.n_drivers == 0 && sc.drivers == NULL);
    assert_true(sc.trace == NULL && sc.arrivals_file == NULL);
    assert_int_equal(sc.max_waiting, KIM_MAX_WAITING_DEFAULT);
    kim_scenario_fini(&sc);
}

/* ------------------------------------------------------------------ */
/* Every error path: tests/fixtures/bad/EXPECT                          */
/* ------------------------------------------------------------------ */

/* One EXPECT row: fixture, where, key, fragment. */
static void check_bad(const char *file, const char *where, const char *key,
                      const char *fragment)
{
    char path[256], prefix[512];
    kim_scenario sc;
    scn_err err;
    snprintf(path, sizeof path, BAD "%s", file);
    if (strcmp(where, "-") == 0) snprintf(prefix, sizeof prefix, "%s: ", path);
    else if (strchr(where, ':')) snprintf(prefix, sizeof prefix, BAD "%s: ", where);
    else snprintf(prefix, sizeof prefix, "%s:%s: ", path, where);
    if (strcmp(key, "-") != 0) {
        strcat(prefix, key);
        strcat(prefix, ": ");
    }
    int rc = scn_load(path, NULL, 0, &sc, &err);
    if (rc != SCN_EBADINPUT) fail_msg("%s: code %d (%s)", file, rc, err.msg);
    assert_int_equal(err.code, SCN_EBADINPUT);
    if (strncmp(err.msg, prefix, strlen(prefix)) != 0 || !strstr(err.msg, fragment))
        fail_msg("%s:\n  got      %s\n  expected %s...%s", file, err.msg, prefix,
                 fragment);
    assert_true(zeroed(&sc));
}

static size_t count_fixtures(void)
{
    DIR *d = opendir(BAD);
    struct dirent *e;
    size_t n = 0;
    assert_non_null(d);
    while ((e = readdir(d))) {
        size_t len = strlen(e->d_name);
        n += len > 4 && strcmp(e->d_name + len - 4, ".cfg") == 0;
    }
    closedir(d);
    return n;
}

static void test_scenarios_bad_fixtures(void **state)
{
    (void)state;
    FILE *f = fopen(BAD "EXPECT", "r");
    char line[1024];
    size_t rows = 0;
    assert_non_null(f);
    while (fgets(line, sizeof line, f)) {
        char *save, *file, *where, *key, *frag;
        if (line[0] == '#' || line[0] == '\n') continue;
        line[strcspn(line, "\n")] = '\0';
        file = strtok_r(line, "\t", &save);
        where = strtok_r(NULL, "\t", &save);
        key = strtok_r(NULL, "\t", &save);
        frag = strtok_r(NULL, "\t", &save);
        assert_non_null(frag);
        check_bad(file, where, key, frag);
        rows++;
    }
    fclose(f);
    assert_int_equal(rows, count_fixtures());     /* no fixture is left out */
}

static void test_scenarios_file_errors(void **state)
{
    (void)state;
    kim_scenario sc;
    scn_err err;
    assert_int_equal(scn_load(BAD "no-such.cfg", NULL, 0, &sc, &err), SCN_EBADINPUT);
    assert_non_null(strstr(err.msg, "no-such.cfg: cannot read the scenario"));
    assert_true(zeroed(&sc));
    assert_int_equal(scn_load("tests/fixtures", NULL, 0, &sc, &err), SCN_EBADINPUT);
    assert_non_null(strstr(err.msg, "Is a directory"));
    assert_int_equal(scn_load_string("name = ;", "inline.cfg", NULL, 0, &sc, &err),
                     SCN_EBADINPUT);
    assert_string_equal(err.msg, "inline.cfg:1: syntax error");
}

/* 10001 municipalities are refused before anything is allocated. */
static void test_scenarios_absurd_sizes(void **state)
{
    (void)state;
    size_t n = 10001, cap = 64 * n + 512, len;
    char *text = sim_xmalloc(cap);
    kim_scenario sc;
    scn_err err;
    len = (size_t)snprintf(text, cap, "name = \"big\"; horizon_days = 30.5;\n"
        "case_types = ( { name = \"a\"; share = 1.0; duration = { dist = \"fixed\"; value = 2.5; }; } );\n"
        "posts = ( { name = \"p\"; fte = 1.5; serves = [\"*\"]; } );\nmunicipalities = (\n");
    for (size_t i = 0; i < n; i++)
        len += (size_t)snprintf(text + len, cap - len, "%s{ name = \"m%zu\"; arrivals_per_day = 0.5; }\n",
                                i ? "," : "", i);
    snprintf(text + len, cap - len, ");\n");
    assert_int_equal(scn_load_string(text, "big.cfg", NULL, 0, &sc, &err), SCN_EBADINPUT);
    assert_non_null(strstr(err.msg, "big.cfg:4: municipalities: has 10001 entries, at most 10000"));
    free(text);
}

/* ------------------------------------------------------------------ */
/* --set                                                                */
/* ------------------------------------------------------------------ */

static void test_scenarios_override_ok(void **state)
{
    (void)state;
    static const scn_override ov[] = {
        { .assignment = "horizon_days=730" }, { .assignment = "posts.drk-hueckelhoven.fte=1.0" },
        { .assignment = "posts.drk-hueckelhoven.filled_fte=0.75" },
        { .assignment = "municipalities.erkelenz.arrivals_per_year=90.5" },
        { .assignment = "targets.wait_days=21.5" }, { .assignment = "policy.queue=priority" },
        { .assignment = "case_types.standard.share=0.5" }, { .assignment = "case_types.housing.share=0.4" },
        { .assignment = "case_types.standard.duration.median=200.5" },
        { .assignment = "posts.kreis-ki.staffing.hiring_lag.max=250.75" },
        { .assignment = "posts.pool.serves=[hueckelhoven, \"Erkelenz\"]" },
        { .assignment = "drivers.[0].factor=3.25" }, { .assignment = "seed=123456789012345" },
        { .assignment = "warmup_days=auto" }, { .assignment = "name=2023" }, { .assignment = "replications=7" },
    };
    kim_scenario sc;
    load_ok(GOOD "full.cfg", ov, sizeof ov / sizeof *ov, &sc);
    assert_true(sc.horizon_days == 730.0 && sc.posts[1].fte == 1.0);
    assert_true(sc.posts[1].filled_fte == 0.75);
    assert_true(sc.munis[0].arrivals_per_day == 90.5 / 365.0);
    assert_true(sc.targets.wait_days == 21.5 && sc.queue == KIM_QUEUE_PRIORITY);
    assert_true(sc.case_types[0].share == 0.5 && sc.case_types[1].share == 0.4);
    assert_true(sc.case_types[0].duration.p[0] == log(200.5));
    assert_true(sc.posts[2].hiring_lag.p[1] == 250.75);    /* uniform max */
    assert_true(sc.posts[3].n_serves == 2 && sc.posts[3].serves[0] == 1);
    assert_true(sc.drivers[0].factor == 3.25 && sc.seed == 123456789012345ull);
    assert_true(sc.warmup_auto && sc.replications == 7);
    assert_string_equal(sc.name, "2023");                  /* stays a string */
    kim_scenario_fini(&sc);
}

/* Keys absent from the file are created, groups included. */
static void test_scenarios_override_creates(void **state)
{
    (void)state;
    static const scn_override ov[] = {
        { .assignment = "posts.team.filled_fte=0.5" }, { .assignment = "targets.max_utilization=0.875" },
        { .assignment = "municipalities.town.initial.waiting=12" }, { .assignment = "cost.top_up_per_fte_year=5125.5" },
        { .assignment = "posts.team.staffing.hiring_lag.dist=exponential" },
        { .assignment = "posts.team.staffing.hiring_lag.mean=95.25" },
        { .assignment = "case_types.all.patience.dist=fixed" }, { .assignment = "case_types.all.patience.value=60.5" },
    };
    kim_scenario sc;
    load_ok(GOOD "five.cfg", ov, sizeof ov / sizeof *ov, &sc);
    assert_true(sc.posts[0].filled_fte == 0.5 && sc.targets.max_utilization == 0.875);
    assert_true(sc.munis[0].initial_waiting == 12 && sc.cost_top_up_per_fte_year == 5125.5);
    assert_true(sc.posts[0].hiring_lag.kind == KIM_DIST_EXPONENTIAL);
    assert_true(sc.posts[0].hiring_lag.p[0] == 95.25);
    assert_true(sc.case_types[0].patience.kind == KIM_DIST_FIXED);
    kim_scenario_fini(&sc);
}

static void test_scenarios_override_bad(void **state)
{
    (void)state;
    static const char *const cases[][2] = {
        { "posts.nope.fte=1", "--set posts.nope.fte=1: no post with id 'nope' (known: "
          "diakonie-erkelenz, drk-hueckelhoven, kreis-ki, pool)" },
        { "posts.drk-hueckelhoven.fte=-1.5", "--set posts.drk-hueckelhoven.fte=-1.5: "
          "posts.drk-hueckelhoven.fte: must be >= 0, got -1.5" },
        { "horizon_dayz=730", "--set horizon_dayz=730: unknown key 'horizon_dayz' "
          "(did you mean 'horizon_days'?)" },
        { "posts.pool.ftee=1", "unknown key 'ftee' (did you mean 'fte'?)" },
        { "targets=5", "'targets' is a group; set one of its keys" },
        { "posts.pool=1", "address a key of one post, e.g. posts.<id>.<key>" },
        { "drivers.[7].factor=2", "no driver [7]" },
        { "drivers.pool.factor=2", "no driver pool" },
        { "drivers.[1].profile=2", "'profile' cannot be set with --set" },
        { "horizon_days.x=1", "'horizon_days' has no keys" },
        { "horizon_days", "--set horizon_days: expected KEY=VALUE" },
        { "posts..fte=1", "empty part in the key" },
        { "policy.queue=lifo", "--set policy.queue=lifo: policy.queue: must be one of" },
        { "replications=2.5", "replications: must be a whole number, got 2.5" },
        { "seed=99999999999999999999", "seed: must be in [0, 9223372036854775807], got 1e+20" },
        { "horizon_days=long", "horizon_days: must be a number, got a string (\"long\")" },
        { "posts.drk-hueckelhoven.fte=1.0", "full.cfg:39: posts.drk-hueckelhoven.filled_fte: "
          "must be <= fte (1 from --set posts.drk-hueckelhoven.fte=1.0), got 1.25" },
        { "case_types.standard.share=0.5", "full.cfg:18: case_types: shares must sum to 1" },
        { "posts.pool.serves=Erkelnz", "no municipality 'Erkelnz' (did you mean 'Erkelenz'?" },
        { "posts.pool.serves=[ ]", "--set posts.pool.serves=[ ]: posts.pool.serves: must name "
          "at least one municipality" },
    };
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        scn_override ov = { .assignment = cases[i][0] };
        kim_scenario sc;
        scn_err err;
        assert_int_equal(scn_load(GOOD "full.cfg", &ov, 1, &sc, &err), SCN_EBADINPUT);
        if (!strstr(err.msg, cases[i][1]))
            fail_msg("--set %s:\n  got      %s\n  expected %s", cases[i][0], err.msg,
                     cases[i][1]);
        assert_true(zeroed(&sc));
    }
}

/* ------------------------------------------------------------------ */
/* Replayed arrivals                                                    */
/* ------------------------------------------------------------------ */

static void test_scenarios_trace_file(void **state)
{
    (void)state;
    kim_scenario sc;
    load_ok(GOOD "full.cfg", NULL, 0, &sc);
    assert_string_equal(sc.arrivals_file, GOOD "arrivals.csv");
    assert_int_equal(sc.n_trace, 4);                  /* a blank line is skipped */
    assert_true(sc.trace[0].day == 0.5 && sc.trace[0].muni == 0);
    assert_int_equal(sc.trace[0].case_type, -1);      /* empty: drawn by share */
    assert_true(sc.trace[1].day == 3.25 && sc.trace[1].muni == 1);
    assert_int_equal(sc.trace[1].case_type, 0);       /* by name */
    assert_true(sc.trace[2].muni == 2 && sc.trace[2].case_type == 1); /* quoted, id */
    assert_true(sc.trace[3].day == 10.75 && sc.trace[3].muni == 2);   /* spaces */
    kim_scenario_fini(&sc);
}

/* A municipality's own file and an inline list merge by day (ties in
 * source order: inline rows, then municipalities' files). */
static void test_scenarios_trace_merge(void **state)
{
    (void)state;
    static const double day[] = { 1.25, 2.5, 5.5, 5.5, 7.75 };
    static const size_t muni[] = { 0, 1, 1, 0, 1 };
    static const long type[] = { 0, -1, 0, -1, -1 };
    kim_scenario sc;
    load_ok(GOOD "traced.cfg", NULL, 0, &sc);
    assert_null(sc.arrivals_file);                    /* no single file */
    assert_int_equal(sc.n_trace, 5);
    for (size_t i = 0; i < 5; i++) {
        assert_true(sc.trace[i].day == day[i]);
        assert_int_equal(sc.trace[i].muni, muni[i]);
        assert_int_equal(sc.trace[i].case_type, type[i]);
    }
    assert_true(sc.munis[0].arrivals_per_day == 0.0);
    assert_true(sc.munis[0].weight == 2.0 / 100.5);   /* the trace's rate */
    assert_true(sc.munis[1].weight == 3.0 / 100.5);
    kim_scenario_fini(&sc);
}

/* ------------------------------------------------------------------ */
/* Print, reload, hash                                                  */
/* ------------------------------------------------------------------ */

static void same_dist(const kim_dist *a, const kim_dist *b)
{
    assert_int_equal(a->kind, b->kind);
    assert_memory_equal(a->p, b->p, sizeof a->p);
    assert_true(a->max == b->max || (isinf(a->max) && isinf(b->max)));
    assert_int_equal(a->n_values, b->n_values);
    if (a->n_values) assert_memory_equal(a->values, b->values, a->n_values * sizeof *a->values);
}

static void same_top(const kim_scenario *a, const kim_scenario *b)
{
    assert_string_equal(a->name, b->name);
    assert_string_equal(a->description, b->description);
    assert_memory_equal(&a->horizon_days, &b->horizon_days, sizeof(double));
    assert_memory_equal(&a->warmup_days, &b->warmup_days, sizeof(double));
    assert_true(a->warmup_auto == b->warmup_auto && a->replications == b->replications);
    assert_true(a->seed == b->seed && a->sample_days == b->sample_days);
    assert_string_equal(a->rng, b->rng);
    assert_memory_equal(&a->targets, &b->targets, sizeof a->targets);
    assert_true(a->queue == b->queue && a->assign == b->assign);
    assert_true(a->capacity_drop == b->capacity_drop);
    assert_true(a->cost_per_fte_year == b->cost_per_fte_year);
    assert_true(a->cost_top_up_per_fte_year == b->cost_top_up_per_fte_year);
    assert_int_equal(a->n_trace, b->n_trace);
    if (a->n_trace) assert_memory_equal(a->trace, b->trace, a->n_trace * sizeof *a->trace);
}

static void same_items(const kim_scenario *a, const kim_scenario *b)
{
    assert_int_equal(a->n_case_types, b->n_case_types);
    for (size_t i = 0; i < a->n_case_types; i++) {
        const kim_case_type *x = &a->case_types[i], *y = &b->case_types[i];
        assert_string_equal(x->id, y->id);
        assert_true(x->share == y->share && x->priority == y->priority);
        same_dist(&x->duration, &y->duration);
        same_dist(&x->patience, &y->patience);
    }
    assert_int_equal(a->n_munis, b->n_munis);
    for (size_t i = 0; i < a->n_munis; i++) {
        const kim_muni *x = &a->munis[i], *y = &b->munis[i];
        assert_string_equal(x->name, y->name);
        assert_true(x->arrivals_per_day == y->arrivals_per_day && x->weight == y->weight);
        assert_true(x->initial_waiting == y->initial_waiting);
        assert_true(x->initial_open == y->initial_open);
    }
    assert_int_equal(a->n_posts, b->n_posts);
    for (size_t i = 0; i < a->n_posts; i++) {
        const kim_post *x = &a->posts[i], *y = &b->posts[i];
        assert_string_equal(x->carrier, y->carrier);
        assert_true(x->fte == y->fte && x->filled_fte == y->filled_fte);
        assert_true(x->caseload_per_fte == y->caseload_per_fte);
        assert_true(x->serves_all == y->serves_all && x->n_serves == y->n_serves);
        if (x->n_serves) assert_memory_equal(x->serves, y->serves, x->n_serves * sizeof(size_t));
        assert_true(x->turnover_per_year == y->turnover_per_year);
        same_dist(&x->hiring_lag, &y->hiring_lag);
    }
}

static void same_drivers(const kim_scenario *a, const kim_scenario *b)
{
    assert_int_equal(a->n_drivers, b->n_drivers);
    for (size_t i = 0; i < a->n_drivers; i++) {
        const kim_driver *x = &a->drivers[i], *y = &b->drivers[i];
        assert_true(x->kind == y->kind && x->from_day == y->from_day);
        assert_true(x->to_day == y->to_day && x->day == y->day && x->factor == y->factor);
        assert_int_equal(x->n_profile, y->n_profile);
        if (x->n_profile) {
            assert_memory_equal(x->profile_day, y->profile_day, x->n_profile * sizeof(double));
            assert_memory_equal(x->profile_factor, y->profile_factor,
                                x->n_profile * sizeof(double));
        }
        assert_true(x->all_munis == y->all_munis && x->n_munis == y->n_munis);
        if (x->n_munis) assert_memory_equal(x->munis, y->munis, x->n_munis * sizeof(size_t));
        assert_true(x->case_type == y->case_type && x->post == y->post);
        assert_memory_equal(&x->share, &y->share, sizeof(double));   /* NAN too */
        assert_true(x->duration_factor == y->duration_factor);
        assert_memory_equal(&x->fte, &y->fte, sizeof(double));
        assert_memory_equal(&x->filled_fte, &y->filled_fte, sizeof(double));
    }
}

/* Loads path, prints it, loads the print: the same scenario, and the
 * second print is identical to the first. */
static void round_trip(const char *path)
{
    kim_scenario a, b;
    scn_err err;
    load_ok(path, NULL, 0, &a);
    char *text = printed(&a);
    if (scn_load_string(text, "printed.cfg", NULL, 0, &b, &err))
        fail_msg("%s: reloading the print: %s\n%s", path, err.msg, text);
    same_top(&a, &b);            /* bit for bit, in everything a run reads */
    same_items(&a, &b);
    same_drivers(&a, &b);
    char *again = printed(&b);
    assert_string_equal(text, again);
    assert_true(scn_hash(&a) == scn_hash(&b));
    free(text);
    free(again);
    kim_scenario_fini(&a);
    kim_scenario_fini(&b);
}

static void test_scenarios_print_round_trip(void **state)
{
    (void)state;
    round_trip(GOOD "full.cfg");
    round_trip(GOOD "five.cfg");
    round_trip(GOOD "traced.cfg");
    DIR *d = opendir("scenarios");
    struct dirent *e;
    assert_non_null(d);
    while ((e = readdir(d))) {
        char path[300];
        size_t len = strlen(e->d_name);
        if (len < 5 || strcmp(e->d_name + len - 4, ".cfg") != 0) continue;
        snprintf(path, sizeof path, "scenarios/%s", e->d_name);
        round_trip(path);
    }
    closedir(d);
}

static void test_scenarios_hash_stable(void **state)
{
    (void)state;
    scn_override ov = { .assignment = "posts.drk-hueckelhoven.fte=1.75" };
    kim_scenario a, b, c;
    load_ok(GOOD "full.cfg", NULL, 0, &a);
    load_ok(GOOD "full.cfg", NULL, 0, &b);
    load_ok(GOOD "full.cfg", &ov, 1, &c);
    uint64_t h = scn_hash(&a);
    assert_true(h == scn_hash(&a) && h == scn_hash(&b));
    assert_true(h != scn_hash(&c));
    assert_true(h != 0xcbf29ce484222325ull);          /* not the empty input */
    kim_scenario_fini(&a);
    kim_scenario_fini(&b);
    kim_scenario_fini(&c);
}

/* scn_join writes what snprintf("%s.%s") (or "%s" without a prefix)
 * would into SCN_PATH bytes, truncation at every length included (which
 * GCC warns of: it is what is compared here). */
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wformat-truncation"
static void test_scenarios_join_matches_printf(void **state)
{
    (void)state;
    static char a[2 * SCN_PATH], b[2 * SCN_PATH];
    const size_t lens[] = { 0, 1, 5, SCN_PATH - 3, SCN_PATH - 2, SCN_PATH - 1, SCN_PATH,
                            SCN_PATH + 7 };
    for (size_t i = 0; i < sizeof lens / sizeof *lens; i++)
        for (size_t j = 1; j < sizeof lens / sizeof *lens; j++) {
            memset(a, 'p', lens[i]);
            a[lens[i]] = '\0';
            memset(b, 'k', lens[j]);
            b[lens[j]] = '\0';
            char want[SCN_PATH], got[SCN_PATH];
            if (lens[i]) snprintf(want, sizeof want, "%s.%s", a, b);
            else snprintf(want, sizeof want, "%s", b);
            memset(got, 'x', sizeof got);
            scn_join(got, a, b);
            assert_string_equal(got, want);
            if (!lens[i]) {
                scn_join(got, NULL, b);
                assert_string_equal(got, want);
            }
        }
}
#pragma GCC diagnostic pop

/* Integer literals beyond 32 bits keep their value; strings, comments
 * and reals are untouched. */
static void test_scenarios_wide_integers(void **state)
{
    (void)state;
    static const char *const text =
        "name = \"s 99999999999\"; # 88888888888 in a comment\n"
        "horizon_days = 4e5; seed = 9223372036854775807; replications = 3000000;\n"
        "case_types = ( { name = \"a\"; share = 1.0; duration = { dist = \"fixed\"; value = 2.5; }; } );\n"
        "municipalities = ( { name = \"m 12345678901\"; arrivals_per_day = 0.5; } );\n"
        "posts = ( { name = \"p\"; fte = 1.5; serves = [\"*\"]; } );\n";
    kim_scenario sc;
    scn_err err;
    assert_int_equal(scn_load_string(text, "wide.cfg", NULL, 0, &sc, &err), 0);
    assert_string_equal(sc.name, "s 99999999999");
    assert_string_equal(sc.munis[0].id, "m-12345678901");
    assert_true(sc.seed == 9223372036854775807ull && sc.replications == 3000000);
    assert_true(sc.horizon_days == 4e5);
    kim_scenario_fini(&sc);
}

/* max_waiting: read, overridden, printed, and bounded. */
static void test_scenarios_max_waiting(void **state)
{
    (void)state;
    scn_override ov = { .assignment = "max_waiting=12345" };
    kim_scenario sc;
    scn_err err;
    load_ok(GOOD "five.cfg", &ov, 1, &sc);
    assert_int_equal(sc.max_waiting, 12345);
    char *text = printed(&sc);
    assert_non_null(strstr(text, "\nmax_waiting = 12345;\n"));
    free(text);
    kim_scenario_fini(&sc);
    ov.assignment = "max_waiting=0";
    assert_int_equal(scn_load(GOOD "five.cfg", &ov, 1, &sc, &err), SCN_EBADINPUT);
    assert_string_equal(err.msg, "--set max_waiting=0: max_waiting: must be in "
                                 "[1, 100000000], got 0");
    assert_true(zeroed(&sc));
}

/* Results that would not fit in memory are refused by the loader and by
 * scn_check_replications (what -r calls). */
static void test_scenarios_results_size(void **state)
{
    (void)state;
    scn_override ov = { .assignment = "replications=10000000" };
    kim_scenario sc;
    scn_err err;
    assert_int_equal(scn_load(GOOD "five.cfg", &ov, 1, &sc, &err), SCN_EBADINPUT);
    assert_non_null(strstr(err.msg, "--set replications=10000000: replications: "
                                    "10000000 replications need 8.8 GB"));
    load_ok(GOOD "five.cfg", NULL, 0, &sc);
    assert_int_equal(scn_check_replications(&sc, 1000000, "-r", &err), 0);
    assert_int_equal(scn_check_replications(&sc, 10000000, "-r", &err), SCN_EBADINPUT);
    assert_non_null(strstr(err.msg, "-r: 10000000 replications need 8.8 GB"));
    kim_scenario_fini(&sc);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_scenarios_full_fixture),
        cmocka_unit_test(test_scenarios_five_line_defaults),
        cmocka_unit_test(test_scenarios_bad_fixtures),
        cmocka_unit_test(test_scenarios_file_errors),
        cmocka_unit_test(test_scenarios_absurd_sizes),
        cmocka_unit_test(test_scenarios_override_ok),
        cmocka_unit_test(test_scenarios_override_creates),
        cmocka_unit_test(test_scenarios_override_bad),
        cmocka_unit_test(test_scenarios_trace_file),
        cmocka_unit_test(test_scenarios_trace_merge),
        cmocka_unit_test(test_scenarios_print_round_trip),
        cmocka_unit_test(test_scenarios_hash_stable),
        cmocka_unit_test(test_scenarios_wide_integers),
        cmocka_unit_test(test_scenarios_join_matches_printf),
        cmocka_unit_test(test_scenarios_max_waiting),
        cmocka_unit_test(test_scenarios_results_size),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
