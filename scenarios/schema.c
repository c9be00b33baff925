/*
 * schema.c — the keys of the scenario language (DESIGN.md §4) as data.
 *
 * Invariant: these tables are the single list of known keys: the loader's
 * unknown-key check and the --set path walker both read them, so a key the
 * loader accepts can always be overridden and a typo is never ignored.
 * Keys that depend on a distribution's or driver's kind are checked again
 * per kind by dist.c and drivers.c.
 */
#include "scn_impl.h"

#include <string.h>

const scn_key scn_dist_keys[] = {
    { "dist", SCN_T_STR, NULL, NULL },   { "max", SCN_T_NUM, NULL, NULL },
    { "mean", SCN_T_NUM, NULL, NULL },   { "sd", SCN_T_NUM, NULL, NULL },
    { "median", SCN_T_NUM, NULL, NULL }, { "sigma", SCN_T_NUM, NULL, NULL },
    { "mu", SCN_T_NUM, NULL, NULL },     { "shape", SCN_T_NUM, NULL, NULL },
    { "scale", SCN_T_NUM, NULL, NULL },  { "value", SCN_T_NUM, NULL, NULL },
    { "min", SCN_T_NUM, NULL, NULL },    { "mode", SCN_T_NUM, NULL, NULL },
    { "values", SCN_T_RAW, NULL, NULL },
    { NULL, 0, NULL, NULL }
};

static const scn_key caseload_keys[] = {
    { "per_fte", SCN_T_NUM, NULL, NULL }, { NULL, 0, NULL, NULL }
};

static const scn_key target_keys[] = {
    { "wait_days", SCN_T_NUM, NULL, NULL },
    { "wait_quantile", SCN_T_NUM, NULL, NULL },
    { "max_utilization", SCN_T_NUM, NULL, NULL },
    { "max_reneged_share", SCN_T_NUM, NULL, NULL },
    { "max_backlog_growth_per_month", SCN_T_NUM, NULL, NULL },
    { NULL, 0, NULL, NULL }
};

static const scn_key policy_keys[] = {
    { "queue", SCN_T_STR, NULL, NULL }, { "assign", SCN_T_STR, NULL, NULL },
    { "capacity_drop", SCN_T_STR, NULL, NULL }, { NULL, 0, NULL, NULL }
};

static const scn_key cost_keys[] = {
    { "per_fte_year", SCN_T_NUM, NULL, NULL },
    { "top_up_per_fte_year", SCN_T_NUM, NULL, NULL },
    { NULL, 0, NULL, NULL }
};

static const scn_key case_type_keys[] = {
    { "name", SCN_T_STR, NULL, NULL },  { "id", SCN_T_STR, NULL, NULL },
    { "share", SCN_T_NUM, NULL, NULL }, { "priority", SCN_T_INT, NULL, NULL },
    { "duration", SCN_T_GROUP, scn_dist_keys, NULL },
    { "patience", SCN_T_GROUP, scn_dist_keys, NULL },
    { NULL, 0, NULL, NULL }
};

static const scn_key initial_keys[] = {
    { "waiting", SCN_T_INT, NULL, NULL }, { "open", SCN_T_INT, NULL, NULL },
    { NULL, 0, NULL, NULL }
};

static const scn_key muni_keys[] = {
    { "name", SCN_T_STR, NULL, NULL }, { "id", SCN_T_STR, NULL, NULL },
    { "arrivals_per_year", SCN_T_NUM, NULL, NULL },
    { "arrivals_per_day", SCN_T_NUM, NULL, NULL },
    { "arrivals_file", SCN_T_STR, NULL, NULL },
    { "weight", SCN_T_NUM, NULL, NULL },
    { "initial", SCN_T_GROUP, initial_keys, NULL },
    { NULL, 0, NULL, NULL }
};

static const scn_key staffing_keys[] = {
    { "turnover_per_year", SCN_T_NUM, NULL, NULL },
    { "hiring_lag", SCN_T_GROUP, scn_dist_keys, NULL },
    { NULL, 0, NULL, NULL }
};

static const scn_key post_keys[] = {
    { "name", SCN_T_STR, NULL, NULL },    { "id", SCN_T_STR, NULL, NULL },
    { "carrier", SCN_T_STR, NULL, NULL }, { "fte", SCN_T_NUM, NULL, NULL },
    { "filled_fte", SCN_T_NUM, NULL, NULL },
    { "caseload_per_fte", SCN_T_NUM, NULL, NULL },
    { "serves", SCN_T_STRS, NULL, NULL },
    { "staffing", SCN_T_GROUP, staffing_keys, NULL },
    { NULL, 0, NULL, NULL }
};

const scn_key scn_driver_keys[] = {
    { "kind", SCN_T_STR, NULL, NULL },
    { "from_day", SCN_T_NUM, NULL, NULL }, { "to_day", SCN_T_NUM, NULL, NULL },
    { "day", SCN_T_NUM, NULL, NULL },      { "factor", SCN_T_NUM, NULL, NULL },
    { "profile", SCN_T_RAW, NULL, NULL },
    { "municipalities", SCN_T_STRS, NULL, NULL },
    { "case_type", SCN_T_STR, NULL, NULL }, { "share", SCN_T_NUM, NULL, NULL },
    { "duration_factor", SCN_T_NUM, NULL, NULL },
    { "post", SCN_T_STR, NULL, NULL },     { "fte", SCN_T_NUM, NULL, NULL },
    { "filled_fte", SCN_T_NUM, NULL, NULL },
    { NULL, 0, NULL, NULL }
};

const scn_key scn_top_keys[] = {
    { "name", SCN_T_STR, NULL, NULL },
    { "description", SCN_T_STR, NULL, NULL },
    { "horizon_days", SCN_T_NUM, NULL, NULL },
    { "warmup_days", SCN_T_NUM_OR_STR, NULL, NULL },
    { "replications", SCN_T_INT, NULL, NULL },
    { "seed", SCN_T_INT, NULL, NULL },
    { "rng", SCN_T_STR, NULL, NULL },
    { "sample_days", SCN_T_NUM, NULL, NULL },
    { "max_waiting", SCN_T_INT, NULL, NULL },
    { "caseload", SCN_T_GROUP, caseload_keys, NULL },
    { "targets", SCN_T_GROUP, target_keys, NULL },
    { "policy", SCN_T_GROUP, policy_keys, NULL },
    { "cost", SCN_T_GROUP, cost_keys, NULL },
    { "case_types", SCN_T_ITEMS, case_type_keys, "case type" },
    { "municipalities", SCN_T_ITEMS, muni_keys, "municipality" },
    { "posts", SCN_T_ITEMS, post_keys, "post" },
    { "drivers", SCN_T_LIST, scn_driver_keys, "driver" },
    { "arrivals_file", SCN_T_STR, NULL, NULL },
    { "arrivals", SCN_T_RAW, NULL, NULL },
    { NULL, 0, NULL, NULL }
};

const scn_key *scn_key_find(const scn_key *keys, const char *name)
{
    for (; keys->name; keys++)
        if (strcmp(keys->name, name) == 0) return keys;
    return NULL;
}

/* Levenshtein distance by the two-row dynamic programme (Wagner & Fischer
 * 1974); names longer than 63 bytes are compared on their first 63. */
size_t scn_edit_distance(const char *a, const char *b)
{
    size_t la = strlen(a), lb = strlen(b), row[2][64];
    if (la > 63) la = 63;
    if (lb > 63) lb = 63;
    for (size_t j = 0; j <= lb; j++) row[0][j] = j;
    for (size_t i = 1; i <= la; i++) {
        size_t *prev = row[(i - 1) & 1], *cur = row[i & 1];
        cur[0] = i;
        for (size_t j = 1; j <= lb; j++) {
            size_t sub = prev[j - 1] + (a[i - 1] != b[j - 1]);
            size_t del = prev[j] + 1, ins = cur[j - 1] + 1;
            cur[j] = sub < del ? (sub < ins ? sub : ins) : (del < ins ? del : ins);
        }
    }
    return row[la & 1][lb];
}

const char *scn_key_suggest(const scn_key *keys, const char *name)
{
    const char *best = NULL;
    size_t best_d = (size_t)-1, n = strlen(name), limit = n / 3;
    if (limit < 2) limit = 2;
    for (; keys->name; keys++) {
        size_t d = scn_edit_distance(name, keys->name);
        if (n >= 4 && strncmp(keys->name, name, n) == 0) d = 1;  /* a cut-off name */
        if (d < best_d) { best_d = d; best = keys->name; }
    }
    return best_d <= limit ? best : NULL;
}
