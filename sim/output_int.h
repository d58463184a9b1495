/* output_int: what the modules of the results-file writer share. Not part
 * of the engine's interface (that is output.h).
 *
 * The writer is split by job, as OpenMC splits its I/O:
 *   output.c         lifecycle: create, close, suspend, abort
 *   output_dest.c    the destination: checks, exclusive creation, the lock,
 *                    free space, sync, rename
 *   output_layout.c  the file's layout: attributes, config, axes, datasets,
 *                    the progress record
 *   output_io.c      opening, closing, checkpoints
 *   output_encode.c  a block's values gathered, checksummed and compressed
 *   output_blocks.c  writing blocks (one writer: rank 0 under MPI)
 *   output_resume.c  reading blocks back against their checksums; --resume
 * Only one thread calls into the writer (encoding aside); under MPI every
 * rank does, in the same order, for the functions output.h marks
 * collective, and only rank 0 opens the file.
 *
 * Why a kill never costs more than the blocks since the last checkpoint
 * (docs/output.md, "Durability"):
 *   - the file allocates space only at its end (H5F_FSPACE_STRATEGY_NONE):
 *     space once freed is never handed out again in the same file, so two
 *     chunk index entries on disk never point at the same bytes, whatever
 *     subset of HDF5's metadata reached the disk before the kill;
 *   - HDF5 writes a chunk before the index entry pointing at it;
 *   - a block's flag and checksum are written only after its data and
 *     index were flushed and synced, and a block is written once;
 *   - --resume first moves the end-of-allocation mark recorded in the file
 *     up to the file's real end (as `h5clear --increment` does), so index
 *     entries written after the last flush point inside the file, and new
 *     chunks go after everything on disk; then every flagged block is read
 *     back against its checksum. */
#ifndef HP_OUTPUT_INT_H
#define HP_OUTPUT_INT_H

#include <stdint.h>
#include <hdf5.h>

#include "output.h"

#define CHUNK_PATHS 1024          /* paths per chunk of a variable without blocks */
#define AXIS_CHUNK 65536          /* elements per chunk of the path axis          */
#define DEFLATE_LEVEL 1           /* zlib level: 1 costs 5% fewer instructions per
                                   * path-day than 4 (4,170 against 4,397 on the
                                   * default) for files 3% larger (docs/benchmark.md) */
#define CACHE_BUDGET (256u << 20) /* soft cap of the chunk caches, all datasets   */
#define CACHE_SLOTS 401           /* a prime well above the chunks held           */
#define HALVING_UNWRITTEN (-2)    /* fill of halving day indices never written    */
#define SUM_SEED UINT64_C(0x6861736870697674) /* "hashpivt": first link of a block's checksum */

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
    uint8_t *done;       /* [n_blocks] 1: written; the same on every rank    */
    uint64_t *sum;       /* [n_blocks] checksum of each block written        */
    hp_output_enc *rx;   /* rank 0: another rank's block, unpacked          */
    hid_t progress;      /* /progress/block_done                           */
    hid_t sums;          /* /progress/block_checksum                       */
    uint64_t flag_lo, flag_hi; /* blocks written since the last checkpoint */
    int unflagged;       /* some are: their flags are not on disk yet      */
    int flagged;         /* some flag is on disk: the file is worth keeping */
    double checkpoint_s; /* seconds between checkpoints                    */
    double last_checkpoint; /* hp_now() of the last checkpoint             */
    int per_year;
    int keep;            /* resumed: the file is never deleted on failure  */
    int lock_fd;         /* rank 0: the writer's lock on the partial file  */
    uint64_t reserved_to;/* rank 0: disk space reserved up to this offset  */
    volatile sig_atomic_t *stop;
};

/* ---- output.c: the writer object ---- */
hp_output *out_writer_new_all(const hp_output_opts *o, const hp_layout *l, hp_err *err);
int out_writer_free(hp_output *w);
int out_check_layout(const hp_output_opts *o, const hp_layout *l, hp_err *err);

/* ---- output_dest.c ---- */
int out_lock(hp_output *w, int creating, hp_err *err);
void out_unlock(hp_output *w);
int out_clear_partial(const char *tmp, hp_err *err);
int out_reserve_space(hp_output *w, uint64_t bytes, hp_err *err);
void out_release_space(hp_output *w);
int out_same_file(hp_output *w, hp_err *err);

/* ---- output_layout.c ---- */
hid_t out_file_access(void);
hid_t out_create_file(const char *tmp);
int out_fill_new_file(hp_output *w, const hp_output_opts *o, hp_err *err);
int out_plan_datasets(hp_output *w, int per_year);
int out_ds_dims(const wds *d, hsize_t paths, hsize_t *dims, int *axes);
int out_ds_empty(const hp_output *w, const wds *d);
int out_ds_matches(const hp_output *w, const wds *d);
size_t out_chunk_bytes(const hp_output *w, const wds *d);
size_t out_etype_size(int et);
hid_t out_etype_mem(int et);
uint64_t out_chunks_per_dataset(const hp_output *w);
uint64_t out_creation_bytes(const hp_output *w, const hp_output_opts *o);
size_t out_cache_chunks(const hp_output *w);

/* ---- output_io.c ---- */
int out_open_handles(hp_output *w, hp_err *err);
int out_open_datasets(hp_output *w, size_t cache_chunks, hp_err *err);
int out_close_datasets(hp_output *w);
int out_close_handles(hp_output *w);
int out_write_flags(hp_output *w, uint64_t lo, uint64_t hi);
int out_checkpoint(hp_output *w, hp_err *err);
int out_flush_durable(hp_output *w);

/* ---- output_encode.c ---- */
long out_gather(const wds *d, const double *res, size_t psize, size_t count, size_t stride, void *buf);
uint64_t out_hash(const void *p, size_t n, uint64_t h);
void out_hash_runs(const wds *d, const void *buf, uint64_t block_paths, uint64_t stride, uint64_t *sum);
uint64_t out_enc_sum(const hp_output_enc *e);
const unsigned char *out_enc_chunk(const hp_output_enc *e, int i, size_t *size);
size_t out_enc_packed_size(const hp_output_enc *e);
void out_enc_pack(const hp_output_enc *e, unsigned char *p);
size_t out_enc_unpack(hp_output_enc *e, const unsigned char *p, size_t avail);
unsigned char *out_fill_chunk(const hp_output *w, const wds *d, size_t *size);

/* ---- output_blocks.c ---- */
int out_reserve(hp_output *w, size_t bytes);
uint64_t out_block_paths(const hp_output *w, uint64_t b);
int out_select_block(const hp_output *w, const wds *d, uint64_t b, hid_t *fs, hid_t *ms, size_t *n);

/* ---- output_resume.c ---- */
int out_verify_blocks(hp_output *w, int all, hp_output_resumed *info, hp_err *err);

#endif
