/*
 * kim.h — the KIM district model: the scenario as plain structs, and the
 * engine that runs one replication of it on the sim/ kernel.
 *
 * Layering: uses sim/; never touches files (scenarios/ loads, analysis/ and
 * cli/ write).  Units: time in days, rates per day, money in EUR per year.
 *
 * Ownership: a kim_scenario owns every string and array it points to;
 * kim_scenario_fini frees them all (scenarios/ fills one with sim_x*alloc'd
 * memory).  kim_model_new borrows the scenario, which must outlive it.
 */
#ifndef KIMSIM_KIM_H
#define KIMSIM_KIM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <gsl/gsl_rng.h>

/* ------------------------------------------------------------------ */
/* Distributions (DESIGN.md §4)                                         */
/* ------------------------------------------------------------------ */
typedef enum kim_dist_kind {
    KIM_DIST_NONE = 0,      /* not given: e.g. no patience = never reneges */
    KIM_DIST_EXPONENTIAL,   /* p[0] = mean */
    KIM_DIST_LOGNORMAL,     /* p[0] = mu = ln(median), p[1] = sigma */
    KIM_DIST_GAMMA,         /* p[0] = shape k, p[1] = scale theta */
    KIM_DIST_WEIBULL,       /* p[0] = shape k, p[1] = scale lambda */
    KIM_DIST_FIXED,         /* p[0] = value */
    KIM_DIST_UNIFORM,       /* p[0] = min, p[1] = max */
    KIM_DIST_TRIANGULAR,    /* p[0] = min, p[1] = mode, p[2] = max */
    KIM_DIST_EMPIRICAL      /* values[0..n_values) drawn with equal weight */
} kim_dist_kind;

typedef struct kim_dist {
    kim_dist_kind kind;
    double p[3];            /* canonical parameters, see kim_dist_kind */
    double *values;         /* empirical only; owned */
    size_t n_values;
    double max;             /* cap on a draw; INFINITY when none */
} kim_dist;

/* Draws one value (>= 0 for every valid parameter set), capped at d->max.
 * Sources: GSL samplers (gsl_ran_exponential, gsl_ran_lognormal,
 * gsl_ran_gamma [Marsaglia & Tsang 2000], gsl_ran_weibull, gsl_ran_flat);
 * triangular by inversion of its CDF.  Returns 0 for KIM_DIST_NONE. */
double kim_dist_draw(const kim_dist *d, gsl_rng *r);
/* Mean of the uncapped distribution; INFINITY for KIM_DIST_NONE. */
double kim_dist_mean(const kim_dist *d);
/* Standard deviation of the uncapped distribution. */
double kim_dist_sd(const kim_dist *d);
/* Name used in the scenario language ("lognormal", ...). */
const char *kim_dist_name(kim_dist_kind k);
/* Sets the canonical parameters from user-facing ones; used by the loader
 * and by tests.  lognormal from (median, sigma) or (mean, sd); gamma from
 * (mean, sd). */
void kim_dist_lognormal_median(kim_dist *d, double median, double sigma);
void kim_dist_lognormal_mean_sd(kim_dist *d, double mean, double sd);
void kim_dist_gamma_mean_sd(kim_dist *d, double mean, double sd);

/* ------------------------------------------------------------------ */
/* Scenario: the parameters of a run                                  */
/* ------------------------------------------------------------------ */
typedef enum { KIM_QUEUE_PRIORITY = 0, KIM_QUEUE_FIFO } kim_queue_policy;
typedef enum { KIM_ASSIGN_HOME_FIRST = 0, KIM_ASSIGN_LEAST_LOADED } kim_assign_policy;
typedef enum { KIM_DROP_FINISH = 0, KIM_DROP_REASSIGN } kim_drop_policy;

typedef struct kim_case_type {
    char *name, *id;
    double share;           /* of arrivals; shares sum to 1 */
    int priority;           /* lower is served first */
    kim_dist duration;      /* days of case management */
    kim_dist patience;      /* days a case waits before it reneges; NONE = forever */
} kim_case_type;

typedef struct kim_muni {
    char *name, *id;
    double arrivals_per_day;/* Poisson rate; 0 when arrivals come from a trace */
    double weight;          /* formula key for recommend; default = arrivals */
    int initial_waiting;    /* cases on the waiting list at day 0 */
    int initial_open;       /* cases open at day 0 */
} kim_muni;

typedef struct kim_post {
    char *name, *id;
    char *carrier;          /* "Kreis", "DRK", ...; default "Kreis" */
    double fte;             /* funded */
    double filled_fte;      /* staffed; default = fte */
    double caseload_per_fte;/* open cases per full-time post; default scenario's */
    bool serves_all;        /* serves = ["*"] */
    size_t *serves;         /* indices into munis; owned; empty when serves_all */
    size_t n_serves;
    double turnover_per_year;/* staff leaving per FTE-year; 0 = none */
    kim_dist hiring_lag;    /* days to refill a vacancy */
} kim_post;

typedef enum kim_driver_kind {
    KIM_DRV_INFLUX = 1,     /* arrivals x factor in [from_day, to_day) or profile */
    KIM_DRV_HOUSING,        /* from from_day: case type share and duration factor */
    KIM_DRV_STAFFING,       /* at day: set a post's fte and/or filled_fte */
    KIM_DRV_PROGRAMME_END   /* from day: no new cases are taken on */
} kim_driver_kind;

typedef struct kim_driver {
    kim_driver_kind kind;
    double from_day, to_day;/* influx/housing: window (to_day INFINITY = open) */
    double day;             /* staffing/programme_end */
    double factor;          /* influx step factor */
    double *profile_day, *profile_factor; /* influx piecewise-linear; owned */
    size_t n_profile;       /* 0 = step */
    bool all_munis;         /* municipalities = ["*"] */
    size_t *munis;          /* owned */
    size_t n_munis;
    size_t case_type;       /* housing */
    double share;           /* housing: new share of case_type (NAN = keep) */
    double duration_factor; /* housing: multiplies its durations */
    size_t post;            /* staffing */
    double fte, filled_fte; /* staffing: NAN = unchanged */
} kim_driver;

typedef struct kim_arrival {/* one replayed referral (arrivals_file) */
    double day;
    size_t muni;
    long case_type;         /* -1: drawn by share */
} kim_arrival;

#define KIM_TARGETS_MAX_BACKLOG_GROWTH 1   /* kim_targets has the field */
typedef struct kim_targets {
    double wait_days;       /* default 14 */
    double wait_quantile;   /* default 0.9 */
    double max_utilization; /* default 0.95 */
    double max_reneged_share;/* default 0.05 */
    double max_backlog_growth_per_month; /* stability: cases per 30 days; default 1 */
} kim_targets;

typedef struct kim_scenario {
    char *name, *description;
    char *source;           /* file it was loaded from (for messages) */
    char *name_at;          /* where name was given, "FILE:LINE" or "--set name=V"
                             * (messages about the name; NULL: unknown) */
    double horizon_days;
    double warmup_days;     /* fixed deletion point */
    bool warmup_auto;       /* warmup_days = "auto" (MSER-5) */
    long replications;
    uint64_t seed;
    char *rng;              /* GSL generator name; default "mt19937" */
    double sample_days;     /* time-series interval; 0 = none */
    double caseload_per_fte;
    kim_targets targets;
    kim_queue_policy queue;
    kim_assign_policy assign;
    kim_drop_policy capacity_drop;
    double cost_per_fte_year, cost_top_up_per_fte_year;
    kim_case_type *case_types; size_t n_case_types;
    kim_muni *munis;           size_t n_munis;
    kim_post *posts;           size_t n_posts;
    kim_driver *drivers;       size_t n_drivers;
    kim_arrival *trace;        size_t n_trace;  /* sorted by day; NULL = Poisson */
    long max_waiting;          /* stop a replication whose waiting list reaches
                                  this (0 = KIM_MAX_WAITING_DEFAULT): bounds memory */
    char *arrivals_file;       /* where the trace came from */
} kim_scenario;

/* Fills *sc with the documented defaults and no items. */
void kim_scenario_defaults(kim_scenario *sc);
/* Frees everything *sc owns and zeroes it; safe on a zeroed struct. */
void kim_scenario_fini(kim_scenario *sc);
/* Slots of a post at a filled FTE: floor(filled_fte x caseload + 1e-9). */
long kim_slots(double filled_fte, double caseload_per_fte);
/* Id from a name: lower-case ASCII, umlauts transliterated (ä->ae, ß->ss),
 * runs of other characters to '-'.  Returns a new string; caller frees. */
char *kim_make_id(const char *name);
/* Open cases per FTE of post p: its own caseload_per_fte when > 0, else
 * the scenario's. */
double kim_post_caseload(const kim_scenario *sc, size_t p);
/* Does post p serve municipality m? */
bool kim_post_serves(const kim_post *p, size_t m);

/* ------------------------------------------------------------------ */
/* Results: groups and metrics (DESIGN.md §7)                          */
/* ------------------------------------------------------------------ */
typedef enum kim_metric {
    KIM_M_ARRIVALS, KIM_M_STARTED, KIM_M_CLOSED, KIM_M_RENEGED,
    KIM_M_WAITING_AT_END, KIM_M_OPEN_AT_END,
    KIM_M_WAIT_MEAN, KIM_M_WAIT_P50, KIM_M_WAIT_P90, KIM_M_WAIT_P95,
    KIM_M_WAIT_MAX, KIM_M_WITHIN_TARGET_SHARE, KIM_M_RENEGED_SHARE,
    KIM_M_QUEUE_MEAN, KIM_M_QUEUE_MAX, KIM_M_UTILIZATION,
    KIM_M_CASELOAD_PER_FTE, KIM_M_FILLED_FTE_MEAN, KIM_M_COST_EUR,
    /* extensions beyond DESIGN.md's list */
    KIM_M_WAIT_TARGET_Q,    /* wait at targets.wait_quantile */
    KIM_M_P_WAIT,           /* share of started cases that waited at all */
    KIM_M_BACKLOG_SLOPE,    /* waiting-list growth, cases per 30 days */
    KIM_N_METRICS
} kim_metric;

extern const char *const kim_metric_names[KIM_N_METRICS];

typedef enum kim_group_kind {
    KIM_G_DISTRICT, KIM_G_MUNI, KIM_G_POST, KIM_G_CARRIER, KIM_G_CASE_TYPE
} kim_group_kind;

/* The groups of a scenario in their fixed order: district, municipalities,
 * posts, carriers (order of first appearance), case types. */
typedef struct kim_groups {
    size_t n;
    char **label;           /* "district", "municipality:Erkelenz", ... owned */
    kim_group_kind *kind;
    size_t *index;          /* index within its kind */
    size_t first[5];        /* first group of each kim_group_kind */
    size_t n_carriers;
    char **carrier;         /* distinct carrier names, borrowed */
    size_t *post_carrier;   /* carrier index of each post; owned */
} kim_groups;

void kim_groups_init(kim_groups *g, const kim_scenario *sc);
void kim_groups_fini(kim_groups *g);
size_t kim_group_of(const kim_groups *g, kim_group_kind kind, size_t index);

/* ------------------------------------------------------------------ */
/* The engine: one replication                                          */
/* ------------------------------------------------------------------ */
/* One group's state at a sample instant (a timeseries.csv row). */
typedef struct kim_sample {
    long waiting, open, slots;
    double filled_fte;
} kim_sample;

/* What a run reports as it goes; every callback may be NULL.  Called on
 * the thread that runs the replication, in simulation-time order. */
typedef struct kim_observer {
    void *ctx;
    /* Every sample_days: the state at that instant of the first n groups
     * of kim_groups (district, municipalities, posts), rows[g] that of
     * group g.  One call per instant, so that an observer handles a whole
     * sample (a state has 1,400 groups) in one loop. */
    void (*sample)(void *ctx, double day, const kim_sample *rows, size_t n);
    /* Every case, at its outcome (closed, reneged) or at the horizon. */
    void (*trace)(void *ctx, uint64_t case_no, size_t muni, size_t case_type,
                  int priority, double arrival_day, double start_day,
                  double end_day, const char *outcome, long post);
} kim_observer;

/* Per-replication facts beside the metrics. */
typedef struct kim_run_info {
    uint64_t events;        /* events processed */
    double warmup_days;     /* deletion point used */
    uint64_t seed;          /* the replication's arrival-stream seed */
    double end_day;         /* horizon, or the day it stopped overloaded */
    int overloaded;         /* stopped: waiting list reached max_waiting */
} kim_run_info;

/* Default cap on the district's waiting list.  A case costs about 100
 * bytes, so the cap bounds a replication's memory at about 100 MB. */
#define KIM_MAX_WAITING_DEFAULT 1000000L
enum { KIM_RUN_OK = 0, KIM_RUN_OVERLOADED = 1 };

typedef struct kim_model kim_model;

/* A reusable workspace for replications of *sc (one per thread). */
kim_model *kim_model_new(const kim_scenario *sc);
void kim_model_free(kim_model *m);
/* Runs replication `rep` (0-based) with streams from sc->seed.  Writes
 * n_groups x KIM_N_METRICS values (row-major by group; NAN where a metric
 * does not apply to a group) to `values`.  Returns KIM_RUN_OK, or
 * KIM_RUN_OVERLOADED when the waiting list reached max_waiting and the
 * replication stopped there (values then cover [warm-up, info->end_day];
 * stopped before the warm-up ended, the time averages are NAN and the
 * counts 0). */
int kim_model_run(kim_model *m, unsigned long rep, const kim_observer *obs,
                  double *values, kim_run_info *info);

/* Stream ids of DESIGN.md §5 (combined with a municipality or post index). */
enum { KIM_STREAM_ARRIVALS = 1, KIM_STREAM_CASES = 2, KIM_STREAM_STAFFING = 3,
       KIM_STREAM_INITIAL = 4 };

#endif
