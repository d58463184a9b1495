/* recorded: paths simulated once with their valuation records and kept,
 * so that a sequence of runs which differ only in valuation keys
 * (hp_model.valuation_key: `solve` evaluating one discount rate after
 * another, `gsa` walking its design) values the same paths again instead
 * of simulating them again.
 *
 * Unlike hp_pathrun_revalue (all variants known before the one pass), the
 * next run's config is known only after the last run's statistic, so the
 * records stay in memory between runs: a result array and a packed
 * record (hp_model.record_pack) per path, within a budget. The paths beyond it are simulated by
 * the run's own model, which gives the same bits (revalue's contract), so
 * a run's values never depend on the budget: only its cost does. */
#ifndef HP_RECORDED_H
#define HP_RECORDED_H

#include <stddef.h>
#include <stdint.h>
#include "hp_err.h"
#include "model.h"
#include "pathrun.h"

/* Bytes of records kept at most (results and records together), as the
 * analyses' per-path samples (stats.h). */
#define HP_RECORD_BUDGET_BYTES ((size_t)4 << 30)

typedef struct hp_recorded {
    const hp_model *model;
    uint64_t seed, first, count; /* paths kept: first .. first + count - 1  */
    uint64_t asked;             /* paths asked for (count <= asked)        */
    size_t path_size;           /* doubles a path's result takes           */
    size_t bytes;               /* kept in all                             */
    unsigned char **path;       /* [count] a kept path: its result array,
                                 * then (at HP_RECORDED_AT(path_size)) its
                                 * record, packed (hp_model.record_pack)   */
} hp_recorded;

#define HP_RECORDED_AT(path_size) (((path_size) * sizeof(double) + 63) & ~(size_t)63)

/* Simulates paths first, first + 1, ... (at most `asked`) of model m with
 * their records, in path order, and keeps them while `budget` bytes hold
 * them: count may be anything from 0 to asked.
 * The model must have the revaluation hooks. Returns 0, or -1 with err
 * set (out of memory for the threads' workspaces). */
int hp_recorded_init(hp_recorded *r, const hp_model *model, const void *m, uint64_t seed,
                     uint64_t first, uint64_t asked, size_t budget, int threads, hp_err *err);
void hp_recorded_free(hp_recorded *r);

/* hp_pathrun for model vm (built from a config that differs from the
 * recording model's only in valuation keys of both): the kept paths are
 * revalued, the others simulated; the same bits as hp_pathrun(vm). */
int hp_pathrun_recorded(const hp_recorded *r, const void *vm, uint64_t first, uint64_t count,
                        int threads, const hp_reducer *red, double *out, hp_err *err);

#endif
