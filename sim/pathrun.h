/* pathrun: a model over a range of paths, in process, without HDF5.
 *
 * The analysis commands (sensitivity, solve, gsa) need one small number,
 * or a few, per path (e.g. the NPV of every allocation), not the whole
 * path result, and they need it many times over (a run per key, level or
 * design point). hp_pathrun() simulates paths first .. first+count-1 on
 * OpenMP threads and reduces each path's result array into `width`
 * doubles at out[(p - first) * width]: a path's slot depends only on its
 * index, and simulate_path() only on (model, seed, path), so the values are
 * the same bits whatever the thread count, and the same bits `hashpivot
 * run` writes for that path.
 *
 * Memory: one path result and one model workspace per thread, plus `out`.
 * For bounded memory over any path count, call it on consecutive ranges
 * and fold each range into accumulators (stats.h) in range order: the
 * result then depends on the range size, never on threads. */
#ifndef HP_PATHRUN_H
#define HP_PATHRUN_H

#include <stddef.h>
#include <stdint.h>
#include "hp_err.h"
#include "model.h"

/* Maps one path's result array (hp_layout_path_size doubles) to width
 * doubles. Called concurrently from several threads: no shared writes. */
typedef struct hp_reducer {
    size_t width;
    void (*fn)(const double *result, double *dst, const void *ctx);
    const void *ctx;
} hp_reducer;

/* A variable's whole slice of the result, times scale: e.g.
 * "valuation/npv" gives n_alloc values. `ctx` is filled and must outlive
 * the reducer. Returns -1 with err set when there is no such variable. */
typedef struct hp_var_slice {
    size_t offset, size;
    double scale;
} hp_var_slice;

int hp_reducer_var(const hp_layout *l, const char *name, double scale, hp_var_slice *ctx,
                   hp_reducer *r, hp_err *err);

/* Offset and size of a variable in a path's result array; -1 if absent. */
int hp_layout_find(const hp_layout *l, const char *name, size_t *offset, size_t *size);

/* Simulates paths [first, first + count) with `threads` threads (<= 0:
 * OpenMP's default) and reduces them into out[count * r->width]. Returns 0,
 * or -1 with err set (out of memory). */
int hp_pathrun(const hp_model *model, const void *m, uint64_t seed, uint64_t first,
               uint64_t count, int threads, const hp_reducer *r, double *out, hp_err *err);

/* hp_pathrun on model m, and on each of n_val models vm[j] valued from
 * m's paths (hp_model.revalue): built from configs that differ from m's
 * only in valuation keys (hp_model.valuation_key), they get the bits they
 * would simulate, at the cost of a replay of each path's valuation. Path
 * i's reductions land at out[i * r->width] and vout[j][i * r->width]; r
 * must fit every model (their layouts are the same). The model must have
 * the revaluation hooks. */
int hp_pathrun_revalue(const hp_model *model, const void *m, const void *const *vm, int n_val,
                       uint64_t seed, uint64_t first, uint64_t count, int threads,
                       const hp_reducer *r, double *out, double *const *vout, hp_err *err);

#endif
