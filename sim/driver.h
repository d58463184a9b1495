/* driver: runs a model over all paths, in parallel, into an output file.
 *
 * Paths are cut into blocks of block_size; OpenMP threads simulate the
 * blocks of a wave (two per thread) into buffers they own and encode them
 * (checksum, compression), then the calling thread alone writes the wave to
 * HDF5. Memory is bounded by the wave, not by the number of paths. Under
 * MPI each rank takes its share of every wave, and rank 0 writes them all. Only the blocks the output has not
 * got yet are simulated (a resumed run). Results do not depend on threads,
 * ranks or block size: a path's result depends only on (model, seed, path
 * index). */
#ifndef HP_DRIVER_H
#define HP_DRIVER_H

#include <signal.h>
#include <stdint.h>
#include "config.h"
#include "hp_err.h"
#include "model.h"
#include "output.h"

typedef struct hp_run_opts {
    uint64_t seed;
    uint64_t n_paths;
    int threads;                     /* <= 0: OpenMP default */
    int quiet;                       /* no progress output   */
    volatile sig_atomic_t *stop;     /* set by a signal handler; may be NULL */
} hp_run_opts;

/* simulation.* and output.*: the engine's own parameters. */
extern const hp_param hp_engine_params[];

/* The parameter tables of a run, NULL-terminated in `list` (cap entries at
 * most): the engine's first, then the model's, the order the loader, the
 * `validate` output and the parameter reference all use. */
void hp_run_params(const hp_model *model, const hp_param **list, size_t cap);

/* Where the time of a run went, for the benchmark. */
typedef struct hp_run_stats {
    double wall_s;      /* whole hp_run                         */
    double write_s;     /* inside hp_output_write_blocks        */
    uint64_t paths;     /* simulated by this run, all ranks     */
    int interrupted;    /* stopped by *stop, not by a failure   */
} hp_run_stats;

/* Simulates every path the output is missing and writes it; the output
 * stays open (the caller closes, suspends or aborts it). Returns 0, or -1
 * with err set (also when stopped; *stop is checked after every wave, on
 * all ranks together). Collective under MPI. stats may be NULL. */
int hp_run(const hp_model *model, const void *m, const hp_run_opts *o,
           hp_output *out, hp_run_stats *stats, hp_err *err);

#endif
