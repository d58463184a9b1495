/* target_se: how many paths a precision needs (`run --target-se`).
 *
 *   hashpivot run CONFIG --target-se "STAT=VALUE" [--max-paths N] [--target-step S]
 *
 * STAT is a statistic of target.h ("mean(npv[0.2] - npv[0])", "P(npv[0.2] >
 * npv[0])", "quantile(npv[0], 0.05)", "cvar(npv[0.2] - npv[0], 0.05)") and
 * VALUE the standard error wanted, in STAT's unit.
 *
 * The rule: paths are taken in path order in steps of S (default
 * HP_TARGET_SE_STEP), and the run stops at the first multiple of S at which
 * the standard error of STAT over the paths so far is below VALUE, or at
 * the cap N (rounded down to a whole step unless it is N itself). The
 * statistic of the first n paths depends only on (config, seed, n)
 * (pathrun.h: a path's values do not depend on who simulates it; a mean or
 * P is folded in path order), so the path count depends only on the
 * config, the seed and the rule: never on threads, ranks or the writer's
 * block size.
 *
 * The steps run in process, without a file; `run` then writes exactly that
 * many paths, so the file is an ordinary results file: its n_paths and its
 * resolved config say the count (re-running the config, or --resume after
 * a stop, gives the same file), and its attributes record the rule and the
 * error reached (docs/output.md). The price is that those paths are
 * simulated twice (pilot, then the run). A quantile or CVaR keeps every
 * value of the pilot (8 bytes a path, within HP_SAMPLE_BUDGET_BYTES). */
#ifndef HP_TARGET_SE_H
#define HP_TARGET_SE_H

#include <stdint.h>
#include "hp_err.h"
#include "model.h"
#include "stats.h"
#include "target.h"

#define HP_TARGET_SE_STEP 1000
#define HP_TARGET_SE_MAX 1000000

typedef struct hp_target_se {
    hp_target stat;          /* "STAT = VALUE", value: the se wanted        */
    uint64_t step, max_paths;
} hp_target_se;

typedef struct hp_target_se_result {
    uint64_t n_paths;        /* paths the rule chose                        */
    hp_est est;              /* STAT over them, with its error              */
    int reached;             /* est.se < the se wanted (else: the cap)      */
} hp_target_se_result;

/* Parses "STAT=VALUE" (VALUE > 0) with step and cap (0: the defaults);
 * errors name --target-se. */
int hp_target_se_parse(const char *arg, uint64_t step, uint64_t max_paths, hp_target_se *t,
                       hp_err *err);

/* Applies the rule to model m (binding STAT to its layout). Collective
 * under MPI: each step is shared among the ranks and every rank gets the
 * same result. Returns 0, or -1 with err set. */
int hp_target_se_find(hp_target_se *t, const hp_model *model, const void *m, uint64_t seed,
                      int threads, hp_target_se_result *res, hp_err *err);

#endif
