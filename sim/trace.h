/* trace: daily series of every path, written as one NumPy file.
 *
 *   hashpivot trace CONFIG -o FILE.npy [-n PATHS] [--first P] [-s SEED] [-j THREADS]
 *                          [--set key=value]... [--force]
 *
 * For back-tests and plots: the model's trace variables (hp_model.
 * trace_vars) for each path and day, as a NumPy .npy file (format 1.0)
 * holding a structured array of shape (paths, days) whose fields are the
 * variables, float64, little-endian: np.load(FILE)["chain0/hashrate"] is
 * [path, day]. Paths are the run's paths (the same seed gives the same
 * paths as `hashpivot run`): row i is path first + i. The file takes paths x days x variables x 8
 * bytes; memory stays at one path per thread: each thread writes its own
 * paths at their offsets (pwrite). Written as FILE.partial, synced, then
 * renamed, so FILE is always complete. */
#ifndef HP_TRACE_H
#define HP_TRACE_H

#include <stdint.h>

#include "hp_err.h"
#include "model.h"

typedef struct hp_trace_opts {
    const char *path;       /* the .npy file            */
    uint64_t seed, n_paths;
    uint64_t first;         /* row i is path first + i */
    int threads;            /* <= 0: OpenMP default      */
    int force;              /* replace an existing file  */
} hp_trace_opts;

/* Simulates n_paths paths of model m and writes their traces. Returns 0,
 * or -1 with err set (the model has no trace, or a file error). */
int hp_trace_run(const hp_model *model, const void *m, const hp_trace_opts *o, hp_err *err);

#endif
