/* anfile: the HDF5 file of an analysis (sensitivity, gsa).
 *
 * Self-describing like a results file (docs/output.md): root attributes
 * name the file type (`hashpivot-analysis`), format version, software,
 * seed, paths, command line and status; /config/resolved holds the base
 * configuration, so re-running it reproduces the base case; every dataset
 * has `units` and `long_name`, and its dimensions are dimension scales in
 * the same group (netCDF-4 style: xarray opens each group alone).
 *
 * Durable like a results file: written as NAME.partial, completed, synced,
 * then renamed to NAME (never replacing a file without force) and the
 * directory synced; an error removes the partial file. HDF5 failures are
 * sticky: the first one is reported by hp_anfile_close(), so the writing
 * code needs no error check per dataset. */
#ifndef HP_ANFILE_H
#define HP_ANFILE_H

#include <hdf5.h>
#include <stdint.h>
#include "hp_err.h"

#define HP_ANFILE_TYPE "hashpivot-analysis"
#define HP_ANFILE_MAJOR 1
#define HP_ANFILE_MINOR 0

typedef struct hp_anfile_meta {
    const char *path;
    int force;
    const char *analysis;          /* "sensitivity" or "gsa"       */
    const char *command_line, *config_file, *config_source, *config_resolved;
    uint64_t seed, n_paths;
} hp_anfile_meta;

typedef struct hp_anfile hp_anfile;

/* Refuses early (before hours of work) a destination that exists without
 * force, or a partial file in the way. */
int hp_anfile_check(const char *path, int force, hp_err *err);

/* Creates NAME.partial with the root attributes and /config. */
hp_anfile *hp_anfile_create(const hp_anfile_meta *m, hp_err *err);

/* The root group of the file. */
hid_t hp_anfile_root(const hp_anfile *f);

/* An index axis 0 .. n-1 (uint64), e.g. the path axis. */
void hp_anfile_axis_index(hp_anfile *f, hid_t g, const char *name, uint64_t n, const char *long_name);

/* A group at the root (creation order tracked, no times). */
hid_t hp_anfile_group(hp_anfile *f, hid_t parent, const char *name);

/* A 1-D axis made a dimension scale: strings or doubles. */
void hp_anfile_axis_str(hp_anfile *f, hid_t g, const char *name, const char *const *v, size_t n,
                        const char *long_name);
void hp_anfile_axis_f64(hp_anfile *f, hid_t g, const char *name, const double *v, size_t n,
                        const char *units, const char *long_name);

/* A float64 dataset of rank dims, attached to the named axes of g (one per
 * dimension, already written). */
void hp_anfile_f64(hp_anfile *f, hid_t g, const char *name, int rank, const uint64_t *dims,
                   const char *const *axes, const double *v, const char *units, const char *long_name);
/* A 1-D string dataset on one axis (e.g. the unit of each key). */
void hp_anfile_strs(hp_anfile *f, hid_t g, const char *name, const char *axis, const char *const *v,
                    size_t n, const char *long_name);

void hp_anfile_attr_str(hp_anfile *f, hid_t loc, const char *name, const char *v);
void hp_anfile_attr_f64(hp_anfile *f, hid_t loc, const char *name, double v);
void hp_anfile_attr_i64(hp_anfile *f, hid_t loc, const char *name, int64_t v);

void hp_anfile_close_group(hid_t g);

/* Marks the file complete, closes, syncs, renames, syncs the directory.
 * On any failure (now or earlier) the partial file is removed. */
int hp_anfile_close(hp_anfile *f, hp_err *err);

/* Closes and removes the partial file. */
void hp_anfile_abort(hp_anfile *f);

#endif
