/*
 * scn.h — the scenario language: libconfig file -> kim_scenario, with
 * validation and --set overrides.  The only code that includes libconfig.h.
 *
 * Errors: every function returns 0 on success, or SCN_EBADINPUT with
 * err->msg naming file, line and key in words a planner can act on:
 *   "heinsberg.cfg:41: posts.kreis-ki.fte: must be >= 0, got -1.5"
 * On error the output scenario is left zeroed (nothing to free).
 */
#ifndef KIMSIM_SCN_H
#define KIMSIM_SCN_H

#include <stdio.h>

#include "../models/kim.h"

enum { SCN_OK = 0, SCN_EBADINPUT = 2, SCN_ESYSTEM = 1 };

typedef struct scn_err {
    int code;
    char msg[512];
} scn_err;

/* An override "key=value" as given to --set.  Keys address items by id:
 * "posts.drk-hueckelhoven.fte", "municipalities.erkelenz.arrivals_per_year",
 * "horizon_days", "targets.wait_days".  Values are parsed as the key's type. */
typedef struct scn_override {
    const char *assignment;  /* borrowed "key=value" */
    const char *option;      /* the option it came from, for messages: "--vary"
                              * (NULL: "--set") */
} scn_override;

/* Loads `path`, applies the overrides in order, validates, and fills *out
 * (caller then owns it: kim_scenario_fini).  Relative paths inside the file
 * (arrivals_file) are resolved against the file's folder. */
int scn_load(const char *path, const scn_override *ov, size_t n_ov,
             kim_scenario *out, scn_err *err);
/* The same from a string (fuzzing, tests); `name` stands for the file in
 * messages and relative paths resolve against the current folder. */
int scn_load_string(const char *text, const char *name,
                    const scn_override *ov, size_t n_ov,
                    kim_scenario *out, scn_err *err);

/* Checks that `reps` replications of sc fit the memory the results may
 * take (4 GiB); else fills err with "<what>: ..." and returns SCN_EBADINPUT.
 * The loader applies it to the file's replications; a caller that
 * overrides them (-r) calls it with what = "-r". */
int scn_check_replications(const kim_scenario *sc, long reps, const char *what,
                           scn_err *err);

/* Prints the resolved scenario (every default filled in) in the scenario
 * language, so that `kimsim check` output loads again to the same scenario. */
void scn_print(FILE *f, const kim_scenario *sc);

/* A 64-bit FNV-1a hash of the resolved scenario as scn_text writes it
 * (for the manifest and the journal's ident). */
uint64_t scn_hash(const kim_scenario *sc);
/* scn_print's text, but with a top-level arrivals_file's rows inline (so
 * the hash covers the arrivals the run uses, not the file's name),
 * malloc'd (NUL-terminated, length in *len); and the hash of such a text:
 * scn_hash(sc) == scn_hash_text(scn_text(sc)). */
char *scn_text(const kim_scenario *sc, size_t *len);
uint64_t scn_hash_text(const char *text, size_t len);

#endif
