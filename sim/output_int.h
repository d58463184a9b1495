/* output_int: what the modules of the results-file writer share. Not part
 * of the engine's interface (that is output.h).
 *
 * The writer is split by job, as OpenMC splits its I/O:
 *   output.c         lifecycle: create, close, suspend, abort
 *   output_dest.c    the destination: checks, the partial name, sync, rename
 *   output_layout.c  the file's layout: attributes, config, axes, datasets
 *   output_io.c      opening (serial or MPI-IO), the progress record, checkpoints
 *   output_blocks.c  gathering path results and writing blocks
 *   output_resume.c  reading a partial file back for --resume
 * Only one thread calls into the writer; under MPI every rank does, in the
 * same order, for the functions output.h marks collective. */
#ifndef HP_OUTPUT_INT_H
#define HP_OUTPUT_INT_H

#include <stdint.h>
#include <hdf5.h>

#include "output.h"

#define CHUNK_PATHS 1024          /* paths per chunk of a variable without blocks */
#define AXIS_CHUNK 65536          /* elements per chunk of the path axis          */
#define DEFLATE_LEVEL 4
#define CACHE_BUDGET (256u << 20) /* soft cap of the chunk caches, all datasets   */
#define CACHE_SLOTS 401           /* a prime well above the chunks held           */
#define HALVING_UNWRITTEN (-2)    /* fill of halving day indices never written    */
#define HP_CHECKPOINT_S 10.0      /* seconds between durable progress records     */

enum { AX_ALLOC, AX_YEAR, AX_PATH, AX_HALVING, AX_COUNT };
extern const char *const hp_axis_name[AX_COUNT];

enum { ET_DOUBLE, ET_FLOAT, ET_INT32 };

/* One dataset being filled. A path's values of the variable are
 * [n_outer][n_in] in the result array; the file holds [outer, path, inner],
 * without the outer dimension when it is not the allocation axis, and
 * without the inner one for [allocation, path] data and for totals (which
 * sum the n_in years of each row). */
typedef struct wds {
    char *name;          /* HDF5 path below the root                       */
    const hp_var *var;
    int total;           /* 1: /totals/<basename>, sum over the years      */
    int etype;           /* ET_*: element type in file and buffer          */
    size_t off;          /* offset of the variable in a path result        */
    size_t n_outer;      /* allocations, or 1                              */
    size_t n_in;         /* years or halvings in the result, or 1          */
    int has_alloc;       /* file has the allocation dimension              */
    int inner_axis;      /* AX_YEAR, AX_HALVING, or -1 (none in the file)  */
    hid_t id;
} wds;

struct hp_output {
    const hp_layout *l;
    char *path;          /* final name                                     */
    char *tmp;           /* "<path>.partial", the name while being written */
    int force;
    int float32;         /* per-year lines as float32                      */
    uint64_t n_paths, written;
    size_t psize;        /* doubles per path result                        */
    int failed;          /* a block failed: never mark the file complete   */
    hid_t file;
    hid_t axis[AX_COUNT];
    hid_t days;          /* days_in_year                                   */
    int n_ds;
    wds *ds;
    void *buf;           /* gather buffer, grows with the block size only  */
    size_t cap;
    hsize_t chunk_paths; /* path extent of a chunk: the block size, or CHUNK_PATHS */
    uint64_t block_size; /* paths per block; 0: no progress record          */
    uint64_t n_blocks;
    uint8_t *done;       /* [n_blocks] 1: on disk; the same on every rank    */
    hid_t progress;      /* /progress/block_done                           */
    uint64_t flag_lo, flag_hi; /* blocks written since the last checkpoint */
    int unflagged;       /* some are: their flags are not on disk yet      */
    double last_checkpoint; /* hp_now() of the last checkpoint             */
    hid_t dxpl;          /* collective transfers under MPI-IO, else default */
    int mpio;            /* opened by every rank through MPI-IO            */
    int per_year;
    int keep;            /* resumed: the file is never deleted on failure  */
};

/* ---- output.c: the writer object ---- */
hp_output *out_writer_new_all(const hp_output_opts *o, const hp_layout *l, hp_err *err);
int out_writer_free(hp_output *w);
int out_check_layout(const hp_output_opts *o, const hp_layout *l, hp_err *err);

/* ---- output_dest.c ---- */
int out_sync_file(const char *name);
int out_rename_final(const char *tmp, const char *path, int force);

/* ---- output_layout.c ---- */
hid_t out_create_file(const char *tmp);
int out_fill_new_file(hp_output *w, const hp_output_opts *o, hp_err *err);
int out_plan_datasets(hp_output *w, int per_year);
int out_ds_dims(const wds *d, hsize_t paths, hsize_t *dims, int *axes);
int out_ds_empty(const hp_output *w, const wds *d);
int out_ds_matches(const hp_output *w, const wds *d);
size_t out_chunk_bytes(const hp_output *w, const wds *d);
size_t out_etype_size(int et);
hid_t out_etype_mem(int et);

/* ---- output_io.c ---- */
int out_cap_metadata_cache(hid_t fapl);
int out_open_handles(hp_output *w, hp_err *err);
int out_close_handles(hp_output *w);
int out_create_progress(hp_output *w);
int out_write_flags(hp_output *w, uint64_t lo, uint64_t hi);
int out_checkpoint(hp_output *w, hp_err *err);
hid_t out_xfer(const hp_output *w);

/* ---- output_blocks.c ---- */
int out_reserve(hp_output *w, size_t bytes);
uint64_t out_block_paths(const hp_output *w, uint64_t b);

#endif
