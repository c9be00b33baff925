/*
 * load.c — from the command line to the variants a run will simulate.
 *
 * Invariant: everything is loaded and validated before anything is
 * written; a bad file, key or --vary value returns CLI_EBADINPUT with the
 * loader's message (file, line, key) on stderr.
 */
#include "cli.h"
#include "../sim/sim.h"

#include <stdlib.h>
#include <string.h>

/* Splits "key=v1,v2,v3" into n assignments "key=vi" (malloc'd). */
/* The comma that ends the value starting at v, or NULL: commas inside
 * [ ] belong to an array value (serves=[a, b],["*"]). */
static const char *next_comma(const char *v)
{
    int depth = 0;
    for (; *v; v++) {
        if (*v == '[') depth++;
        else if (*v == ']' && depth > 0) depth--;
        else if (*v == ',' && depth == 0) return v;
    }
    return NULL;
}

/* Do two --vary values name the same value ("1.5" and "1.50" do)? */
static int same_value(const char *a, const char *b)
{
    char *ea, *eb;
    double x = strtod(a, &ea), y = strtod(b, &eb);
    if (ea != a && !*ea && eb != b && !*eb) return x == y;
    return strcmp(a, b) == 0;
}

/* Refuses a --vary that gives a value twice, and a key varied twice: each
 * would make variants that are not what their labels say. */
static int check_vary(char **spec, size_t n_spec, char ***vals, const size_t *cnt)
{
    for (size_t i = 0; i < n_spec; i++) {
        size_t klen = (size_t)(strchr(spec[i], '=') - spec[i]);
        for (size_t j = 0; j < i; j++)
            if (strncmp(spec[i], spec[j], klen + 1) == 0) {
                fprintf(stderr, "kimsim: --vary %.*s is given twice; put all its values "
                        "in one --vary\n", (int)klen, spec[i]);
                return CLI_EBADINPUT;
            }
        for (size_t a = 0; a < cnt[i]; a++)
            for (size_t b = 0; b < a; b++)
                if (same_value(vals[i][a] + klen + 1, vals[i][b] + klen + 1)) {
                    fprintf(stderr, "kimsim: --vary %s: the value '%s' is given twice\n",
                            spec[i], vals[i][a] + klen + 1);
                    return CLI_EBADINPUT;
                }
    }
    return 0;
}

static char **split_vary(const char *spec, size_t *n)
{
    const char *eq = strchr(spec, '=');
    size_t klen = (size_t)(eq - spec);
    char **out = NULL;
    *n = 0;
    for (const char *v = eq + 1;;) {
        const char *comma = next_comma(v);
        size_t vlen = comma ? (size_t)(comma - v) : strlen(v);
        out = sim_xrealloc(out, (*n + 1) * sizeof *out);
        char *a = sim_xmalloc(klen + vlen + 2);
        memcpy(a, spec, klen + 1);
        memcpy(a + klen + 1, v, vlen);
        a[klen + 1 + vlen] = '\0';
        out[(*n)++] = a;
        if (!comma) break;
        v = comma + 1;
    }
    return out;
}

int cli_load_scenario(const char *path, const scn_override *ov, size_t n_ov,
                      kim_scenario *out)
{
    scn_err err = { 0 };
    if (scn_load(path, ov, n_ov, out, &err) == 0) return CLI_OK;
    fprintf(stderr, "kimsim: %s\n", err.msg);
    return err.code == SCN_ESYSTEM ? CLI_EFAIL : CLI_EBADINPUT;
}

static int load_one(cli_run *run, const char *file, char **assign, size_t n_assign)
{
    cli_opts *o = run->o;
    run->v = sim_xrealloc(run->v, (run->n_v + 1) * sizeof *run->v);
    cli_variant *v = &run->v[run->n_v];
    memset(v, 0, sizeof *v);
    v->n_ov = o->n_sets + n_assign;
    v->ov = sim_xcalloc(v->n_ov + 1, sizeof *v->ov);
    if (o->n_sets) memcpy(v->ov, o->sets, o->n_sets * sizeof *v->ov);
    size_t len = 8;
    for (size_t i = 0; i < n_assign; i++) {
        v->ov[o->n_sets + i].assignment = assign[i];
        v->ov[o->n_sets + i].option = "--vary";
        len += strlen(assign[i]) + 1;
    }
    v->label = sim_xmalloc(len);
    strcpy(v->label, n_assign ? "" : "base");
    for (size_t i = 0; i < n_assign; i++) {
        if (i) strcat(v->label, ";");
        strcat(v->label, assign[i]);
    }
    scn_err err = { 0 };
    int rc = cli_load_scenario(file, v->ov, v->n_ov, &v->sc);
    if (rc) {
        free(v->ov);
        free(v->label);
        return rc;
    }
    if (o->reps) v->sc.replications = o->reps;
    if (o->reps && scn_check_replications(&v->sc, o->reps, "-r", &err) != 0) {
        fprintf(stderr, "kimsim: %s\n", err.msg);       /* results would not fit */
        kim_scenario_fini(&v->sc);
        free(v->ov);
        free(v->label);
        return CLI_EBADINPUT;
    }
    if (o->has_seed) v->sc.seed = o->seed;
    kim_groups_init(&v->groups, &v->sc);
    run->n_v++;
    return 0;
}

int cli_load_variants(cli_run *run)
{
    cli_opts *o = run->o;
    size_t nv = o->n_vary, total = 1;
    char ***vals = sim_xcalloc(nv + 1, sizeof *vals);
    size_t *cnt = sim_xcalloc(nv + 1, sizeof *cnt);
    for (size_t i = 0; i < nv; i++) {
        vals[i] = split_vary(o->vary[i], &cnt[i]);
        total *= cnt[i];
    }
    run->first_of_file = sim_xcalloc(o->n_files + 1, sizeof *run->first_of_file);
    char **assign = sim_xcalloc(nv + 1, sizeof *assign);
    int rc = check_vary((char **)o->vary, nv, vals, cnt);
    for (size_t f = 0; f < o->n_files && !rc; f++) {
        run->first_of_file[f] = run->n_v;
        for (size_t k = 0; k < total && !rc; k++) {
            size_t idx = k;     /* last --vary varies fastest */
            for (size_t i = nv; i-- > 0;) {
                assign[i] = vals[i][idx % cnt[i]];
                idx /= cnt[i];
            }
            rc = load_one(run, o->files[f], assign, nv);
        }
    }
    run->first_of_file[o->n_files] = run->n_v;
    free(assign);
    /* the assignment strings live (the variants' overrides point at them)
     * until cli_run_fini */
    for (size_t i = 0; i < nv; i++) {
        for (size_t j = 0; j < cnt[i]; j++) {
            run->strings = sim_xrealloc(run->strings, (run->n_strings + 1) * sizeof *run->strings);
            run->strings[run->n_strings++] = vals[i][j];
        }
        free(vals[i]);
    }
    free(vals);
    free(cnt);
    if (!rc) rc = cli_warmup_auto(run);     /* warmup_days = "auto": MSER-5 pilot */
    /* the hash prints the whole scenario: a state's is long, so once.
     * The text holds the rows of an arrivals_file (scn_text), which the
     * journal's vNNN.scn prints again after its tag (run.c): not kept. */
    for (size_t v = 0; !rc && v < run->n_v; v++) {
        cli_variant *var = &run->v[v];
        var->text = scn_text(&var->sc, &var->text_len);
        var->hash = scn_hash_text(var->text, var->text_len);
        if (var->sc.arrivals_file) {
            free(var->text);
            var->text = NULL;
            var->text_len = 0;
        }
    }
    return rc;
}

void cli_run_fini(cli_run *run)
{
    cli_assemble_abort(run);            /* parts a failed run left open */
    for (size_t i = 0; i < run->n_v; i++) {
        cli_variant *v = &run->v[i];
        an_variant_fini(&v->res);
        kim_groups_fini(&v->groups);
        kim_scenario_fini(&v->sc);
        free(v->ov);
        free(v->label);
        free(v->text);
    }
    for (size_t i = 0; i < run->n_strings; i++) free(run->strings[i]);
    free(run->strings);
    free(run->v);
    free(run->first_of_file);
    free(run->dir);
    cli_journal_free(run->jr);
    memset(run, 0, sizeof *run);
}
