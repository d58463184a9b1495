/* anrun: what the analysis commands share.
 *
 * An analysis evaluates the model many times, each time with a few keys
 * set to other values (a tornado level, a root-finding step, a design
 * point) and always the same seed and paths: common random numbers, so
 * that differences between evaluations are the effect of the keys, not
 * noise. Each evaluation loads the config as `run` would (the file, the
 * user's --set, then the analysis's own key=value overrides, with every
 * check), builds the model and runs it in process (pathrun.h). */
#ifndef HP_ANRUN_H
#define HP_ANRUN_H

#include <stddef.h>
#include <stdint.h>
#include "config.h"
#include "hp_err.h"
#include "model.h"
#include "pathrun.h"
#include "recorded.h"

#define HP_AN_MAX_SETS 320

typedef struct hp_an {
    const hp_model *model;
    const hp_param *const *tables;   /* engine's and model's, NULL-terminated */
    const char *config;              /* config path                          */
    const char *const *sets;         /* the user's overrides (incl. -n, -s)  */
    size_t n_sets;
    int threads;                     /* <= 0: OpenMP default                 */
    uint64_t seed, n_paths;          /* from the resolved base config        */
    int simulate_all;                /* 1: never revalue (--simulate-all),   */
                                     /* the reference route for the tests    */
    size_t record_budget;            /* bytes of recorded paths (--record-mib; */
                                     /* HP_RECORD_BUDGET_BYTES by default)   */
} hp_an;

/* A key that an analysis may vary: declared, a float or an integer, and
 * not simulation.* or output.* (they change the paths or nothing).
 * `what` names the option in messages (e.g. "--vary"). */
const hp_param *hp_an_key(const hp_an *a, const char *key, const char *what, hp_err *err);

/* "key=value" for an override: round-trip digits for a float, an integer
 * with the L suffix for an int (v must then be integral: -1 otherwise). */
int hp_an_set_text(const hp_param *p, double v, char *buf, size_t n);

/* The current value of a numeric key in a config. */
double hp_an_value(const hp_config *cfg, const hp_param *p);

/* Loads the base config plus `extra` overrides and builds the model; NULL
 * with err set (and nothing left allocated) on failure. */
void *hp_an_build(const hp_an *a, const char *const *extra, size_t n_extra, hp_config **cfg,
                  hp_err *err);
void hp_an_destroy(const hp_an *a, void *m, hp_config *cfg);

/* Fills a->seed and a->n_paths from the base config (and checks that it
 * builds). */
int hp_an_init(hp_an *a, hp_err *err);

/* Refuses an analysis whose per-path arrays would exceed the budget
 * (stats.h): n_arrays arrays of n_paths x width doubles. */
int hp_an_check_memory(const hp_an *a, size_t width, size_t n_arrays, hp_err *err);

/* Revaluation (recorded.h): 1 when the model has the hooks, simulate_all
 * is off and each of keys[0..n) is a valuation key of model m. */
int hp_an_revaluable(const hp_an *a, const void *m, const char *const *keys, int n);

/* When keys[0..n) are revaluable for the base case, simulates its paths
 * [0, n_paths) once and keeps them with their records in rec (within
 * a->record_budget bytes); else rec->count = 0. Says on stderr, as
 * "WHO: ...", which route the runs take (unless quiet). A run of a model
 * vm then passes rec to hp_target_eval_from when rec->count > 0 and
 * hp_an_revaluable(a, vm, keys, n). Returns 0, or -1 with err set. */
int hp_an_record(const hp_an *a, const char *who, const char *const *keys, int n, int quiet,
                 hp_recorded *rec, hp_err *err);

/* Seconds since an arbitrary epoch (monotonic). */
double hp_an_now(void);

#endif
