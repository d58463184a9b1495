/* output: the self-describing HDF5 results file.
 *
 * Layout (docs/output.md has the full reference):
 *   /            attributes: filetype, format_version, software_version,
 *                git_commit, created, seed, n_paths, start_date,
 *                horizon_years, command_line, config_file, status,
 *                summary_items, baseline_allocation, n_days
 *   /config/resolved   the resolved config (reproduces the run)
 *   /config/source     the config file as given
 *   /{allocation,year,path,halving}   dimension scales (netCDF dimensions),
 *                also hard-linked as /axes/<name> and into every variable
 *                group, so each group opens alone in xarray with coordinates
 *   /days_in_year      coordinate on the year dimension
 *   /<group>/<name>    one dataset per model variable (see model.h)
 *   /totals/<name>     horizon sums of per-year allocation lines
 * The file is created as "<path>.partial" and renamed over the final name
 * only by hp_output_close() after every path was written; `status` is
 * "complete" only then. With a block size, /progress/block_done records
 * the blocks on disk, so an interrupted run can be suspended and resumed
 * (hp_output_suspend, hp_output_read_meta, hp_output_reopen). Only one
 * thread may call these functions; under MPI (par.h) the ones marked
 * collective are called by every rank. */
#ifndef HP_OUTPUT_H
#define HP_OUTPUT_H

#include <stddef.h>
#include <stdint.h>
#include "hp_err.h"
#include "model.h"
#include "resfile.h"

/* Paths in block b of a run of n_paths paths cut into blocks of bs: bs, or
 * fewer in the last block. */
static inline uint64_t hp_block_paths(uint64_t b, uint64_t bs, uint64_t n_paths)
{
    return n_paths - b * bs < bs ? n_paths - b * bs : bs;
}

typedef struct hp_output_opts {
    const char *path;          /* final file name                             */
    int force;                 /* overwrite an existing file                  */
    int per_year;              /* 0: keep only totals, [alloc,path] and halvings */
    int float32;               /* store per-year lines as float32             */
    uint64_t seed;
    uint64_t n_paths;
    const char *start_date;    /* "YYYY-MM-DD"                                */
    double horizon_years;
    const char *command_line;
    const char *config_file;
    const char *config_source; /* text of the config file (may be NULL)      */
    const char *config_resolved;
    uint64_t block_size;       /* paths per block, also the chunk width; 0:
                                  default chunks, no progress record       */
} hp_output_opts;

typedef struct hp_output hp_output;

/* Checks the destination (exists without force, directory not writable)
 * before any simulation is spent on it. Returns 0 or -1 with err set. */
int hp_output_check(const hp_output_opts *o, hp_err *err);

/* "<path>.partial", malloc'd (NULL when out of memory). */
char *hp_output_partial_name(const char *path);

/* Creates the partial file with attributes, axes and empty datasets (and
 * the progress record with a block size). Refuses to replace a partial
 * file left by an interrupted run unless force. Collective. */
hp_output *hp_output_create(const hp_output_opts *o, const hp_layout *l, hp_err *err);

/* Serial only (the unit tests; the driver uses hp_output_write_blocks).
 * Writes paths [first, first+count) from `results`, which holds count path
 * results back to back (hp_layout_path_size doubles each). Blocks may come
 * in any order; each path must be written exactly once. The layout given
 * to hp_output_create must stay valid until close/abort. After a failure
 * the writer only accepts hp_output_abort (close would refuse too). */
int hp_output_write_block(hp_output *w, uint64_t first, size_t count,
                          const double *results, hp_err *err);

/* Writes whole blocks of this rank (indices, ascending, not written
 * before; n may be 0), their results back to back, then records them in
 * /progress once their data is on disk (H5Fflush and fsync). Collective:
 * under MPI one collective transfer per dataset. */
int hp_output_write_blocks(hp_output *w, const uint64_t *blocks, size_t n,
                           const double *results, hp_err *err);
/* Paths per block (0 without a progress record). */
uint64_t hp_output_block_size(const hp_output *w);
/* Blocks not written yet, ascending, malloc'd; NULL when out of memory. */
uint64_t *hp_output_pending(const hp_output *w, size_t *n);

/* Marks the file complete, closes it and renames it to its final name
 * (replacing an existing file only with force). Frees w in every case; on
 * failure (also: not all n_paths written) the partial file is deleted,
 * unless it was resumed. Collective. */
int hp_output_close(hp_output *w, hp_err *err);

/* Closes the partial file as it is (status "incomplete", the blocks on
 * disk recorded) for a later --resume. Frees w. Collective. */
int hp_output_suspend(hp_output *w, hp_err *err);

/* Closes and deletes the partial file (after a failure), unless it was
 * resumed: then it stays. Frees w; NULL is allowed. Collective. */
void hp_output_abort(hp_output *w);

/* What --resume needs before the model exists. */
typedef struct hp_output_meta {
    char *config_resolved;   /* the config the run was started with */
    uint64_t seed, n_paths, block_size;
} hp_output_meta;

/* Reads a partial file's identity and refuses, with the reason, one that
 * cannot be resumed: unreadable, not ours, another format or build,
 * complete already, no progress record. Collective (rank 0 reads). */
int hp_output_read_meta(const char *partial, hp_output_meta *m, hp_err *err);
void hp_output_meta_free(hp_output_meta *m);

typedef struct hp_output_resumed {
    uint64_t blocks;         /* in the file                                  */
    uint64_t done;           /* on disk and verified                         */
    uint64_t rejected;       /* flagged complete but unreadable or unwritten */
} hp_output_resumed;

/* Reopens the partial file of o->path for the missing blocks: checks its
 * seed, paths and block size against o (built from the embedded config)
 * and its datasets against the layout, then re-reads every block marked
 * complete; blocks that fail are redone. The file is never deleted on a
 * later failure. Collective. */
hp_output *hp_output_reopen(const hp_output_opts *o, const hp_layout *l, hp_output_resumed *info,
                            hp_err *err);

#endif
