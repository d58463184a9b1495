/* preflight: what a run will need, checked against what the machine has,
 * before any work (before the results file is created or a path simulated).
 *
 *   memory  the driver's wave buffers, 2 x (2 x threads) blocks of
 *           block_size paths each (double-buffered), plus every thread's
 *           workspace, times the ranks on this node: refused above 3/4 of
 *           the node's physical memory, naming simulation.block_size;
 *   disk    the results file: its bytes per path before compression,
 *           divided by HP_PREFLIGHT_DEFLATE (shuffle + deflate gains 2.3x on
 *           the default config's lines; cash flows are nearly
 *           incompressible), times n_paths: refused above the free space of
 *           the destination's file system, naming simulation.n_paths.
 * A size that passes may still fail later (another job fills the disk):
 * this only turns the certain failures into one line at the start. */
#ifndef HP_PREFLIGHT_H
#define HP_PREFLIGHT_H

#include <stdint.h>

#include "config.h"
#include "hp_err.h"
#include "model.h"

#define HP_PREFLIGHT_DEFLATE 4.0

/* Bytes one path takes in the results file before compression. */
double hp_preflight_path_bytes(const hp_layout *l, int per_year, int float32);

/* Checks memory (always) and, when outpath is not NULL, the free disk space
 * of its directory for a fresh run of the config's simulation.n_paths.
 * threads: OpenMP threads per rank; node_ranks: ranks sharing this node.
 * Returns 0, or -1 with err naming the config key to change. */
int hp_preflight(const hp_config *cfg, const hp_layout *l, size_t scratch_bytes, int threads,
                 int node_ranks, const char *outpath, hp_err *err);

#endif
