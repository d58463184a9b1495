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
 * The file is created under a temporary name and renamed over the final
 * name only by hp_output_close() after every path was written; `status` is
 * "complete" only then. Only one thread may call these functions. */
#ifndef HP_OUTPUT_H
#define HP_OUTPUT_H

#include <stddef.h>
#include <stdint.h>
#include "hp_err.h"
#include "model.h"

#define HP_FILETYPE "hashpivot-results"
#define HP_FORMAT_MAJOR 1
#define HP_FORMAT_MINOR 0

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
} hp_output_opts;

typedef struct hp_output hp_output;

/* Checks the destination (exists without force, directory not writable)
 * before any simulation is spent on it. Returns 0 or -1 with err set. */
int hp_output_check(const hp_output_opts *o, hp_err *err);

/* Creates the temporary file with attributes, axes and empty datasets. */
hp_output *hp_output_create(const hp_output_opts *o, const hp_layout *l, hp_err *err);

/* Writes paths [first, first+count) from `results`, which holds count path
 * results back to back (hp_layout_path_size doubles each). Blocks may come
 * in any order; each path must be written exactly once. The layout given
 * to hp_output_create must stay valid until close/abort. After a failure
 * the writer only accepts hp_output_abort (close would refuse too). */
int hp_output_write_block(hp_output *w, uint64_t first, size_t count,
                          const double *results, hp_err *err);

/* Marks the file complete, closes it and renames it to its final name
 * (replacing an existing file only with force). Frees w in every case; on
 * failure (also: not all n_paths written) the temporary file is deleted. */
int hp_output_close(hp_output *w, hp_err *err);

/* Closes and deletes the temporary file (after a failure or interrupt).
 * Frees w; NULL is allowed. */
void hp_output_abort(hp_output *w);

#endif
