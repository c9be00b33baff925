/*
 * recommend.c — `kimsim recommend FILE [--step S] [--budget B]`: the
 * smallest adequate FTE per post, or the best split of a budget, beside
 * the formula split a Kreis would make, all simulated with common random
 * numbers.
 *
 * Invariants: every candidate is the scenario file loaded afresh with the
 * same --set overrides, seed, replications and warm-up (an "auto" warm-up
 * is resolved once, on the scenario as given), changed only in its posts'
 * FTE (and, for the formula split, in which towns a pooled post serves);
 * so candidates differ only by their staffing (common random numbers,
 * DESIGN.md §5).  A candidate post is assumed filled: fte = filled_fte.
 * Nothing is written until every simulation has finished.
 *
 * Methods: (a) per post, a search upward on the grid k x step from the
 * first point >= 0.5 FTE to 4 x the current FTE, the other posts as they
 * are; (b) greedy marginal allocation (Fox 1966) from 0.5 FTE per post,
 * each step of the budget going to the post whose increment most improves
 * (municipalities adequate, then the worst wait) — with common random
 * numbers the candidates of a step are compared on the same replications,
 * which is what makes a greedy comparison of noisy estimates sharp (Law
 * 2015, §12; Glasserman & Yao 1992).  See analysis/recommend.c.
 */
#include "cli.h"
#include "../sim/sim.h"

#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

typedef struct rec {
    cli_opts *o;                /* the user's options */
    cli_opts inner;             /* the same, quiet, for the candidate runs */
    double step, budget;        /* budget 0: mode (a) */
    cli_run base;               /* the scenario as given, run */
    size_t n_posts;
    double warmup;              /* resolved warm-up for every candidate */
} rec;

/* Candidate staffing: fte[p] per post (NAN keeps the scenario's), and
 * into[p] the post that takes over p's towns (-1 none; NULL: no pooling). */
typedef struct staffing {
    const double *fte;
    const long *into;
} staffing;

/* ------------------------------------------------------------------ */
/* Candidates                                                           */
/* ------------------------------------------------------------------ */

/* q serves p's towns too. */
static void pool_towns(kim_scenario *sc, size_t p, size_t q)
{
    kim_post *from = &sc->posts[p], *to = &sc->posts[q];
    if (to->serves_all) return;
    for (size_t m = 0; m < sc->n_munis; m++) {
        if (!kim_post_serves(from, m) || kim_post_serves(to, m)) continue;
        to->serves = sim_xrealloc(to->serves, (to->n_serves + 1) * sizeof *to->serves);
        to->serves[to->n_serves++] = m;
    }
}

static void apply(kim_scenario *sc, const staffing *st)
{
    for (size_t p = 0; p < sc->n_posts; p++)
        if (!isnan(st->fte[p])) sc->posts[p].fte = sc->posts[p].filled_fte = st->fte[p];
    for (size_t p = 0; st->into && p < sc->n_posts; p++)
        if (st->into[p] >= 0) pool_towns(sc, p, (size_t)st->into[p]);
}

/* Appends a candidate to run; 0, or the loader's status. */
static int add_candidate(rec *rc, cli_run *run, const staffing *st, const char *label)
{
    const cli_opts *o = rc->o;
    run->v = sim_xrealloc(run->v, (run->n_v + 1) * sizeof *run->v);
    cli_variant *v = &run->v[run->n_v];
    memset(v, 0, sizeof *v);
    int lrc = cli_load_scenario(o->files[0], o->sets, o->n_sets, &v->sc);
    if (lrc) return lrc;
    const kim_scenario *b = &rc->base.v[0].sc;
    v->sc.replications = b->replications;
    v->sc.seed = b->seed;
    v->sc.warmup_days = rc->warmup;
    apply(&v->sc, st);
    v->label = sim_xstrdup(label);
    kim_groups_init(&v->groups, &v->sc);
    run->n_v++;
    return 0;
}

/* Runs every candidate of run in memory on the user's threads (their
 * results are set up here, once run->v no longer moves). */
static int execute(rec *rc, cli_run *run)
{
    for (size_t i = 0; i < run->n_v; i++) {
        cli_variant *v = &run->v[i];
        if (!v->res.values)
            an_variant_init(&v->res, v->sc.name, v->label, &v->sc, &v->groups,
                            (size_t)v->sc.replications);
    }
    run->o = &rc->inner;
    run->journal[0] = '\0';
    int r = cli_execute(run);
    if (!r && run->interrupted) r = 128 + run->interrupted;
    return r;
}

/* ------------------------------------------------------------------ */
/* The scenario as given                                                */
/* ------------------------------------------------------------------ */

/* Loads the scenario as given (resolving an "auto" warm-up once). */
static int rec_init(rec *rc, cli_opts *o, double step, double budget)
{
    memset(rc, 0, sizeof *rc);
    rc->o = o;
    rc->inner = *o;
    rc->inner.quiet = 1;
    rc->step = step;
    rc->budget = budget;
    rc->base.o = o;
    int r = cli_load_variants(&rc->base);
    if (r) return r;
    cli_variant *v = &rc->base.v[0];
    rc->n_posts = v->sc.n_posts;
    rc->warmup = v->sc.warmup_days;
    return 0;
}

static void rec_fini(rec *rc)
{
    rc->base.o = rc->o;
    cli_run_fini(&rc->base);
}

/* Outcome of every post in variant v. */
static void outcomes(const an_variant *v, an_post_result *out)
{
    an_verdict *vd;
    size_t n = an_verdicts(v, &vd);
    for (size_t p = 0; p < v->sc->n_posts; p++) an_post_outcome(v, vd, n, p, &out[p]);
    free(vd);
}

/* ------------------------------------------------------------------ */
/* (a) Smallest adequate FTE of each post                               */
/* ------------------------------------------------------------------ */

static size_t batch_size(const rec *rc)
{
    long j = rc->o->jobs ? rc->o->jobs : sysconf(_SC_NPROCESSORS_ONLN);
    return j > 4 ? (size_t)j : 4;
}

/* Candidates x0, x0+step, ... of post p, a batch at a time, until one is
 * adequate or the limit is passed. */
static int search_post(rec *rc, size_t p, cli_rec_post *out)
{
    const kim_post *post = &rc->base.v[0].sc.posts[p];
    double x0 = an_fte_grid_start(rc->step);
    long last = (long)floor(fmax(4.0 * post->fte, 4.0 * x0) / rc->step + 1e-9);
    long first = (long)llround(x0 / rc->step);
    double *fte = sim_xcalloc(rc->n_posts + 1, sizeof *fte);
    an_post_result *res = sim_xcalloc(rc->n_posts + 1, sizeof *res);
    for (size_t q = 0; q < rc->n_posts; q++) fte[q] = NAN;     /* the others as they are */
    out->fte = NAN;
    out->limit = (double)last * rc->step;
    int r = 0;
    for (long k = first; k <= last && isnan(out->fte) && !r;) {
        cli_run run = { 0 };
        for (size_t i = 0; i < batch_size(rc) && k + (long)i <= last && !r; i++) {
            fte[p] = (double)(k + (long)i) * rc->step;
            r = add_candidate(rc, &run, &(staffing){ fte, NULL }, post->id);
        }
        if (!r) r = execute(rc, &run);
        for (size_t i = 0; !r && i < run.n_v && isnan(out->fte); i++) {
            outcomes(&run.v[i].res, res);
            out->at_fte = res[p];
            if (out->at_fte.verdict == AN_ADEQUATE) out->fte = (double)(k + (long)i) * rc->step;
        }
        k += (long)run.n_v;
        cli_run_fini(&run);
    }
    free(fte);
    free(res);
    return r;
}

static int search_all(rec *rc, cli_rec_post *out)
{
    an_post_result *now = sim_xcalloc(rc->n_posts + 1, sizeof *now);
    outcomes(&rc->base.v[0].res, now);
    int r = 0;
    for (size_t p = 0; p < rc->n_posts && !r; p++) {
        const kim_post *post = &rc->base.v[0].sc.posts[p];
        out[p].current_fte = post->fte;
        out[p].current_filled = post->filled_fte;
        out[p].at_current = now[p];
        r = search_post(rc, p, &out[p]);
        if (!r && !rc->o->quiet && isnan(out[p].fte))
            fprintf(stderr, "kimsim recommend: %s: not adequate even at %g FTE\n",
                    post->name, out[p].limit);
        else if (!r && !rc->o->quiet)
            fprintf(stderr, "kimsim recommend: %s: adequate from %g FTE\n", post->name,
                    out[p].fte);
    }
    free(now);
    return r;
}

int cli_recommend_posts(cli_opts *o, double step, cli_rec_post **out, size_t *n_posts)
{
    rec rc;
    int r = rec_init(&rc, o, step, 0.0);
    *n_posts = rc.n_posts;
    *out = sim_xcalloc(rc.n_posts + 1, sizeof **out);
    if (!r) r = execute(&rc, &rc.base);
    if (!r) r = search_all(&rc, *out);
    rec_fini(&rc);
    return r;
}

/* ------------------------------------------------------------------ */
/* (b) A budget by marginal allocation, and the formula split           */
/* ------------------------------------------------------------------ */

/* One step: the post whose increment scores best. */
static int allocation_step(rec *rc, double *alloc, long s)
{
    cli_run run = { 0 };
    int r = 0;
    for (size_t p = 0; p < rc->n_posts && !r; p++) {
        alloc[p] += rc->step;
        r = add_candidate(rc, &run, &(staffing){ alloc, NULL }, rc->base.v[0].sc.posts[p].id);
        alloc[p] -= rc->step;
    }
    if (!r) r = execute(rc, &run);
    if (!r) {
        an_alloc_score *sc = sim_xcalloc(rc->n_posts, sizeof *sc);
        for (size_t p = 0; p < rc->n_posts; p++) an_alloc_score_of(&run.v[p].res, &sc[p]);
        size_t best = an_alloc_pick(sc, rc->n_posts);
        alloc[best] += rc->step;
        if (!rc->o->quiet)
            fprintf(stderr, "kimsim recommend: step %ld: +%g FTE to %s (%zu municipalities "
                    "adequate, worst wait %.1f days)\n", s + 1, rc->step,
                    rc->base.v[0].sc.posts[best].name, sc[best].adequate, sc[best].worst_wait);
        free(sc);
    }
    cli_run_fini(&run);
    return r;
}

static int allocate(rec *rc, double *alloc)
{
    for (size_t p = 0; p < rc->n_posts; p++) alloc[p] = AN_MIN_FTE;
    double rest = rc->budget - AN_MIN_FTE * (double)rc->n_posts;
    long steps = (long)floor(rest / rc->step + 1e-9);
    int r = 0;
    for (long s = 0; s < steps && !r; s++) r = allocation_step(rc, alloc, s);
    return r;
}

/* The outcome of each post under staffing st (one simulation), and the
 * number of municipalities adequate. */
static int evaluate(rec *rc, const staffing *st, const char *label, an_post_result *out,
                    size_t *adequate)
{
    cli_run run = { 0 };
    int r = add_candidate(rc, &run, st, label);
    if (!r) r = execute(rc, &run);
    if (!r) {
        an_alloc_score s;
        outcomes(&run.v[0].res, out);
        an_alloc_score_of(&run.v[0].res, &s);
        *adequate = s.adequate;
    }
    cli_run_fini(&run);
    return r;
}

/* ------------------------------------------------------------------ */
/* Output                                                               */
/* ------------------------------------------------------------------ */

/* What one method recommends for every post. */
typedef struct method {
    const char *name;           /* recommendation.csv's method */
    double *fte;                /* NAN: none found */
    an_post_result *res;
    long *into;                 /* formula: pooled into; else NULL */
    double *limit;              /* smallest-adequate: largest FTE tried; else NULL */
} method;

static void method_alloc(method *m, const char *name, size_t n)
{
    memset(m, 0, sizeof *m);
    m->name = name;
    m->fte = sim_xcalloc(n + 1, sizeof *m->fte);
    m->res = sim_xcalloc(n + 1, sizeof *m->res);
}

static void method_free(method *m)
{
    free(m->fte);
    free(m->res);
    free(m->into);
    free(m->limit);
}

static void csv_num(FILE *f, double x)
{
    fputc(',', f);
    if (!isnan(x)) fprintf(f, "%.10g", x);
}

static int write_csv(const rec *rc, const char *dir, const method *ms, size_t n_m)
{
    const kim_scenario *sc = &rc->base.v[0].sc;
    cli_out out;
    if (cli_out_open(&out, dir, "recommendation.csv") != 0) return -1;
    fputs("scenario,method,post,current_fte,recommended_fte,verdict,p90_wait_days,"
          "within_target_share\n", out.f);
    for (size_t k = 0; k < n_m; k++)
        for (size_t p = 0; p < rc->n_posts; p++) {
            an_csv_field(out.f, sc->name);
            fprintf(out.f, ",%s,", ms[k].name);
            an_csv_field(out.f, sc->posts[p].name);
            csv_num(out.f, sc->posts[p].fte);
            csv_num(out.f, ms[k].fte[p]);
            fprintf(out.f, ",%s", an_verdict_names[ms[k].res[p].verdict]);
            csv_num(out.f, ms[k].res[p].wait_days);
            csv_num(out.f, ms[k].res[p].within_share);
            fputc('\n', out.f);
        }
    if (ferror(out.f)) {
        cli_out_abort(&out);
        fprintf(stderr, "kimsim: cannot write %s/recommendation.csv\n", dir);
        return -1;
    }
    return cli_out_commit(&out);
}

static const size_t tab_w[] = { 20, 9, 10, 11, 10, 6, 7, 10, 6 };
static const char *const word[] = { "ADEQUATE", "INADEQUATE", "UNCERTAIN", "n/a" };

/* FTE ("%.4g") or days (one decimal below 100); "-" for NaN. */
static void num_cell(char *b, size_t n, int days, double x)
{
    if (isnan(x)) snprintf(b, n, "-");
    else snprintf(b, n, !days ? "%.4g" : fabs(x) < 99.95 ? "%.1f" : "%.0f", x);
}

static void row_cells(const char *const *s)
{
    for (int i = 0; i < 9; i++) {
        if (i) putchar(' ');
        cli_cell(stdout, s[i], tab_w[i], i != 0 && i != 2 && i != 4 && i != 7);
    }
    putchar('\n');
}

static void table_row(const rec *rc, size_t p, const method *best, const method *formula,
                      const an_post_result *now)
{
    const kim_post *post = &rc->base.v[0].sc.posts[p];
    char b[9][64];
    snprintf(b[0], sizeof b[0], "%s", post->name);
    if (post->filled_fte != post->fte) snprintf(b[1], sizeof b[1], "%.4g/%.4g", post->fte, post->filled_fte);
    else num_cell(b[1], sizeof b[1], 0, post->fte);
    snprintf(b[2], sizeof b[2], "%s", word[now[p].verdict]);
    if (isnan(best->fte[p]) && best->limit) snprintf(b[3], sizeof b[3], ">%.4g", best->limit[p]);
    else num_cell(b[3], sizeof b[3], 0, best->fte[p]);
    snprintf(b[4], sizeof b[4], "%s", word[best->res[p].verdict]);
    num_cell(b[5], sizeof b[5], 1, best->res[p].wait_days);
    if (formula->into && formula->into[p] >= 0) snprintf(b[6], sizeof b[6], "pooled");
    else num_cell(b[6], sizeof b[6], 0, formula->fte[p]);
    snprintf(b[7], sizeof b[7], "%s", isnan(formula->fte[p]) ? "-" : word[formula->res[p].verdict]);
    num_cell(b[8], sizeof b[8], 1, formula->res[p].wait_days);
    const char *s[9];
    for (int i = 0; i < 9; i++) s[i] = b[i];
    row_cells(s);
}

static void table_head(const rec *rc, double formula_budget)
{
    const kim_scenario *sc = &rc->base.v[0].sc;
    printf("%s: %ld replications, common random numbers (same people in every candidate)\n",
           sc->name, sc->replications);
    if (rc->budget > 0.0)
        printf("best split of %g FTE: greedy marginal allocation (Fox 1966) from 0.5 FTE per post,\n"
               "each %g FTE to the post that most raises the municipalities adequate, then most\n"
               "shortens the worst p%g wait\n", rc->budget, rc->step,
               100.0 * sc->targets.wait_quantile);
    else
        printf("recommended: the smallest FTE (steps of %g) at which the post and every municipality\n"
               "it serves are adequate, the other posts as they are; searched up to 4 x current\n",
               rc->step);
    printf("formula: %g FTE in shares of the municipalities' weights, posts under 0.5 pooled with\n"
           "the next, rounded to 0.5 VZÄ (largest remainders)\n\n", formula_budget);
    const char *h[] = { "post", "current", "verdict", rc->budget > 0.0 ? "best split" : "recommended",
                        "verdict", "p90", "formula", "verdict", "p90" };
    char p90[16];
    snprintf(p90, sizeof p90, "p%g", 100.0 * sc->targets.wait_quantile);
    h[5] = h[8] = p90;
    row_cells(h);
}

/* Municipalities adequate in each whole configuration; (size_t)-1 when
 * there is none. */
typedef struct counts {
    size_t current, best, formula;
} counts;

static void table_foot(const rec *rc, const method *formula, const counts *c)
{
    const kim_scenario *sc = &rc->base.v[0].sc;
    putchar('\n');
    for (size_t p = 0; formula->into && p < rc->n_posts; p++)
        if (formula->into[p] >= 0)
            printf("formula: %s's towns pooled with %s\n", sc->posts[p].name,
                   sc->posts[formula->into[p]].name);
    printf("municipalities adequate (of %zu): current %zu", sc->n_munis, c->current);
    if (c->best != (size_t)-1)
        printf(", %s %zu", rc->budget > 0.0 ? "best split" : "all recommended together", c->best);
    if (c->formula != (size_t)-1) printf(", formula %zu", c->formula);
    printf("\nverdict: the post and the municipalities it serves (worst); p%g: their worst "
           "mean wait, days\n", 100.0 * sc->targets.wait_quantile);
    fputs("candidates assume their posts filled (fte = filled_fte); drivers still apply\n", stdout);
}

/* ------------------------------------------------------------------ */
/* kimsim recommend                                                     */
/* ------------------------------------------------------------------ */

/* Takes --step and --budget out of argv into *args (malloc'd). */
static int own_options(int argc, char **argv, double *step, double *budget,
                       char ***args, int *n)
{
    *args = sim_xcalloc((size_t)argc + 1, sizeof **args);
    *n = 0;
    for (int i = 0; i < argc; i++) {
        const char *opt = argv[i];
        int is_step = !strcmp(opt, "--step"), is_budget = !strcmp(opt, "--budget");
        if (!is_step && !is_budget) { (*args)[(*n)++] = argv[i]; continue; }
        const char *v = i + 1 < argc ? argv[++i] : NULL;
        char *end = NULL;
        errno = 0;
        double x = v ? strtod(v, &end) : NAN;
        if (!v || errno || end == v || *end || !(x > 0.0) || x > 1e6) {
            fprintf(stderr, "kimsim recommend: %s needs a positive number of FTE, got '%s'\n"
                            "(see 'kimsim recommend --help')\n", opt, v ? v : "");
            return CLI_EBADINPUT;
        }
        *(is_step ? step : budget) = x;
    }
    return 0;
}

static int check_opts(const cli_opts *o)
{
    const char *why = NULL;
    if (o->n_files != 1) why = "takes one scenario file";
    else if (o->n_vary) why = "--vary belongs to run and compare";
    else if (o->resume || o->shard_n || o->trace || o->ts_limit)
        why = "--resume, --shard, --trace and --timeseries belong to run";
    else if (o->out_dir && access(o->out_dir, F_OK) == 0 && !cli_dir_exists(o->out_dir)) {
        fprintf(stderr, "kimsim recommend: %s exists and is not a folder\n", o->out_dir);
        return CLI_EBADINPUT;
    } else if (o->out_dir && cli_dir_exists(o->out_dir) && !o->force)
        why = "-o DIR exists; use --force to replace its results";
    if (!why) return 0;
    fprintf(stderr, "kimsim recommend: %s\n(see 'kimsim recommend --help')\n", why);
    return CLI_EBADINPUT;
}

/* Mode (a): each post's smallest adequate FTE, then all of them together. */
static int mode_smallest(rec *rc, method *best, counts *c)
{
    cli_rec_post *ps = sim_xcalloc(rc->n_posts + 1, sizeof *ps);
    int r = search_all(rc, ps);
    double *fte = sim_xcalloc(rc->n_posts + 1, sizeof *fte);
    an_post_result *together = sim_xcalloc(rc->n_posts + 1, sizeof *together);
    best->limit = sim_xcalloc(rc->n_posts + 1, sizeof *best->limit);
    for (size_t p = 0; p < rc->n_posts; p++) {
        best->limit[p] = ps[p].limit;
        best->fte[p] = ps[p].fte;
        best->res[p] = ps[p].at_fte;
        fte[p] = ps[p].fte;      /* NAN keeps the current FTE */
    }
    if (!r) r = evaluate(rc, &(staffing){ fte, NULL }, "recommended", together, &c->best);
    free(together);
    free(fte);
    free(ps);
    return r;
}

/* Mode (b): the budget by marginal allocation. */
static int mode_budget(rec *rc, method *best, counts *c)
{
    int r = allocate(rc, best->fte);
    if (!r) r = evaluate(rc, &(staffing){ best->fte, NULL }, "best", best->res, &c->best);
    return r;
}

static int mode_formula(rec *rc, double budget, method *f, counts *c)
{
    f->into = sim_xcalloc(rc->n_posts + 1, sizeof *f->into);
    if (an_formula_split(&rc->base.v[0].sc, budget, f->fte, f->into) != 0) {
        fprintf(stderr, "kimsim recommend: no formula split of %g FTE (below 0.5, or no "
                        "post serves a municipality)\n", budget);
        for (size_t p = 0; p < rc->n_posts; p++) f->fte[p] = NAN;
        return 0;
    }
    return evaluate(rc, &(staffing){ f->fte, f->into }, "formula", f->res, &c->formula);
}

static char *out_dir(const rec *rc)
{
    if (rc->o->out_dir) return sim_xstrdup(rc->o->out_dir);
    const char *name = rc->base.v[0].sc.name;
    size_t n = strlen(name) + 16;
    char *d = sim_xmalloc(n);
    snprintf(d, n, "out/recommend-%s", name);
    return d;
}

static int output(rec *rc, method *ms, const counts *c, double formula_budget)
{
    char *dir = out_dir(rc);
    int r = cli_mkdirs(dir) == 0 ? write_csv(rc, dir, ms, 3) : -1;
    if (r) fprintf(stderr, "kimsim: cannot write %s\n", dir);
    if (!r && !rc->o->quiet) {
        table_head(rc, formula_budget);
        for (size_t p = 0; p < rc->n_posts; p++) table_row(rc, p, &ms[1], &ms[2], ms[0].res);
        table_foot(rc, &ms[2], c);
        printf("\nwrote %s/recommendation.csv\n", dir);
    }
    free(dir);
    return r ? CLI_EFAIL : CLI_OK;
}

/* The three methods of a recommendation: as given, best, formula. */
static int recommend(rec *rc)
{
    size_t n = rc->n_posts;
    method ms[3];
    method_alloc(&ms[0], "current", n);
    method_alloc(&ms[1], rc->budget > 0.0 ? "marginal-allocation" : "smallest-adequate", n);
    method_alloc(&ms[2], "formula", n);
    counts c = { 0, (size_t)-1, (size_t)-1 };
    an_alloc_score now;
    int r = execute(rc, &rc->base);
    if (!r) {
        outcomes(&rc->base.v[0].res, ms[0].res);
        an_alloc_score_of(&rc->base.v[0].res, &now);
        c.current = now.adequate;
        for (size_t p = 0; p < n; p++) ms[0].fte[p] = rc->base.v[0].sc.posts[p].fte;
        r = rc->budget > 0.0 ? mode_budget(rc, &ms[1], &c) : mode_smallest(rc, &ms[1], &c);
    }
    double fb = rc->budget;          /* without a budget: the current total */
    for (size_t p = 0; !(rc->budget > 0.0) && p < n; p++) fb += rc->base.v[0].sc.posts[p].fte;
    if (!r) r = mode_formula(rc, fb, &ms[2], &c);
    if (!r) r = output(rc, ms, &c, fb);
    for (int i = 0; i < 3; i++) method_free(&ms[i]);
    return r;
}

int cmd_recommend(int argc, char **argv)
{
    double step = 0.5, budget = 0.0;
    char **args;
    int n;
    int r = own_options(argc, argv, &step, &budget, &args, &n);
    if (r) { free(args); return r; }
    cli_opts o;
    r = cli_parse_run_opts(n, args, &o, "recommend");
    if (!r) r = check_opts(&o);
    rec rc;
    memset(&rc, 0, sizeof rc);
    if (!r) r = rec_init(&rc, &o, step, budget);
    if (!r && !o.out_dir)
        r = cli_check_names(&rc.base, 0, "it names the output folder out/recommend-<name>/: "
                                         "give -o DIR, or another name");
    if (!r && budget > 0.0 && budget < AN_MIN_FTE * (double)rc.n_posts - 1e-9) {
        fprintf(stderr, "kimsim recommend: --budget %g is below 0.5 FTE for each of the %zu "
                        "posts\n", budget, rc.n_posts);
        r = CLI_EBADINPUT;
    }
    if (!r) r = recommend(&rc);
    rec_fini(&rc);
    cli_opts_fini(&o);
    free(args);
    return r < 0 ? CLI_OK : r;
}
