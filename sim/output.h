/* output: the self-describing HDF5 results file.
 *
 * Layout (docs/output.md has the full reference):
 *   /            attributes: filetype, format_version, software_version,
 *                git_commit, created, seed, n_paths, start_date,
 *                horizon_years, command_line, config_file, status,
 *                summary_items, baseline_allocation, n_days; after
 *                `run --target-se`, target_se_* (the rule and its result)
 *   /config/resolved   the resolved config (reproduces the run)
 *   /config/source     the config file as given
 *   /config/inputs     "SHA256  PATH" of every file the run read (inputs.h)
 *   /{allocation,year,path,halving}   dimension scales (netCDF dimensions),
 *                also hard-linked as /axes/<name> and into every variable
 *                group, so each group opens alone in xarray with coordinates
 *   /days_in_year      coordinate on the year dimension
 *   /<group>/<name>    one dataset per model variable (see model.h)
 *   /totals/<name>     horizon sums of per-year allocation lines
 *   /progress          with a block size: which blocks are on disk, and a
 *                checksum of each
 *
 * Durability. The file is created exclusively as "<path>.partial" and
 * renamed over the final name only by hp_output_close(), after every block
 * was written, made durable, flagged in /progress and read back against its
 * checksum; `status` is "complete" only then. A run stopped by a signal
 * (hp_output_suspend) or by a failure (hp_output_abort) leaves the partial
 * file with the blocks checkpointed so far, for --resume
 * (hp_output_read_meta, hp_output_reopen); so does a SIGKILL at any moment
 * after the file was created, closing included. Only one thread may call
 * these functions; under MPI (par.h) the ones marked collective are called
 * by every rank; the file itself is only ever opened by rank 0. */
#ifndef HP_OUTPUT_H
#define HP_OUTPUT_H

#include <signal.h>
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

/* How the path count was chosen by `run --target-se` (target_se.h), for
 * the file's target_se_* attributes. */
typedef struct hp_output_target {
    const char *statistic;     /* "mean(npv[0.2] - npv[0])"                   */
    double se_wanted, se_reached, estimate;
    uint64_t step, max_paths;
    int reached;               /* 0: stopped at max_paths                     */
} hp_output_target;

typedef struct hp_output_opts {
    const char *path;          /* final file name                             */
    int force;                 /* overwrite an existing file                  */
    int per_year;              /* 0: keep only totals, [alloc,path] and halvings */
    int float32;               /* store per-year lines as float32             */
    uint64_t seed;
    uint64_t n_paths;
    const char *command_line;
    const char *config_file;
    const char *config_source; /* text of the config file (may be NULL)      */
    const char *config_resolved;
    const char *inputs;        /* "SHA256  PATH" lines (inputs.h; may be NULL) */
    uint64_t block_size;       /* paths per block, also the chunk width; 0:
                                  default chunks, no progress record       */
    double checkpoint_s;       /* seconds between durable progress records;
                                  0: after every write                    */
    volatile sig_atomic_t *stop; /* set by a signal handler: creation stops
                                  between datasets (may be NULL)           */
    const hp_output_target *target; /* NULL: n_paths was given             */
} hp_output_opts;

typedef struct hp_output hp_output;

/* Checks the destination (exists without force, no such directory, a
 * partial file left without force) before any simulation is spent on it.
 * Returns 0 or -1 with err set. */
int hp_output_check(const hp_output_opts *o, hp_err *err);

/* "<path>.partial", malloc'd (NULL when out of memory). */
char *hp_output_partial_name(const char *path);

/* Creates the partial file exclusively, with attributes, axes and empty
 * datasets (and the progress record with a block size), after checking
 * that the file system has room for what creation allocates. Refuses a
 * partial file another run is writing, and one left by an interrupted run
 * unless force. Stops between datasets when *o->stop is set. Collective. */
hp_output *hp_output_create(const hp_output_opts *o, const hp_layout *l, hp_err *err);

/* Serial only (the unit tests; the driver uses hp_output_write_blocks).
 * Writes paths [first, first+count) from `results`, which holds count path
 * results back to back (hp_layout_path_size doubles each). Blocks may come
 * in any order; each path must be written exactly once. The layout given
 * to hp_output_create must stay valid until close/abort. After a failure
 * the writer only accepts hp_output_abort (close would refuse too). */
int hp_output_write_block(hp_output *w, uint64_t first, size_t count,
                          const double *results, hp_err *err);

/* The driver's blocks travel encoded: the values of one block gathered
 * into the file's order, checksummed and compressed (HDF5's shuffle and
 * deflate filters), ready to be written as they are. Encoding is pure
 * computation: any thread may encode, each into its own hp_output_enc, and
 * under MPI every rank encodes its own blocks; the file is written by one
 * process (rank 0), which only writes bytes. */
typedef struct hp_output_enc hp_output_enc;
/* Room for one block of w; NULL when out of memory. */
hp_output_enc *hp_output_enc_new(const hp_output *w);
void hp_output_enc_free(hp_output_enc *e);
/* Encodes block b from `results` (its paths' results back to back,
 * hp_layout_path_size doubles each). Thread-safe. 0, or -1 with the reason
 * kept in e (hp_output_enc_error), e.g. a day index that is not one. */
int hp_output_encode(const hp_output *w, uint64_t b, const double *results, hp_output_enc *e);
uint64_t hp_output_enc_block(const hp_output_enc *e);
const hp_err *hp_output_enc_error(const hp_output_enc *e);   /* NULL when encoded */

/* Writes this rank's encoded blocks (n may be 0; not written before), and
 * every checkpoint_s seconds makes all blocks written so far durable and
 * records them, with their checksums, in /progress. Fails on a block whose
 * encoding failed. Collective: every rank passes its blocks of the wave. */
int hp_output_write_encoded(hp_output *w, hp_output_enc *const *e, size_t n, hp_err *err);
/* Paths per block (0 without a progress record). */
uint64_t hp_output_block_size(const hp_output *w);
/* Blocks not written yet, ascending, malloc'd; NULL when out of memory. */
uint64_t *hp_output_pending(const hp_output *w, size_t *n);

/* Finishes the file: a last checkpoint, every block read back against its
 * checksum, status "complete", then the rename to the final name (replacing
 * an existing file only with force) and a sync of the directory. Frees w
 * in every case. On failure (also: not all n_paths written) the partial
 * file stays when it holds checkpointed blocks, and the message says so;
 * else it is deleted. Collective. */
int hp_output_close(hp_output *w, hp_err *err);

/* Closes the partial file as it is (status "incomplete", the blocks written
 * so far checkpointed) for a later --resume. Frees w. Collective. */
int hp_output_suspend(hp_output *w, hp_err *err);

/* Closes after a failure, adding nothing to the progress record: the
 * partial file stays (for --resume) when it holds checkpointed blocks or
 * was resumed, else it is deleted. Frees w; NULL is allowed. Returns 1
 * when the file was kept. Collective. */
int hp_output_abort(hp_output *w);
/* hp_output_abort after the failure in err, to which it adds, when the
 * file was kept, where it is and how to finish it. Returns 1 when kept. */
int hp_output_fail(hp_output *w, hp_err *err);

/* What --resume needs before the model exists. */
typedef struct hp_output_meta {
    char *config_resolved;   /* the config the run was started with */
    char *inputs;            /* its /config/inputs (NULL: none)     */
    uint64_t seed, n_paths, block_size;
    int closing;             /* status already "complete": killed while closing */
} hp_output_meta;

/* Reads a partial file's identity and refuses, with the reason, one that
 * cannot be resumed: unreadable or killed while being created, not ours,
 * another format or build, no progress record. Collective (rank 0 reads). */
int hp_output_read_meta(const char *partial, hp_output_meta *m, hp_err *err);
void hp_output_meta_free(hp_output_meta *m);

typedef struct hp_output_resumed {
    uint64_t blocks;         /* in the file                                   */
    uint64_t done;           /* on disk and verified                          */
    uint64_t rejected;       /* flagged complete but unreadable or different  */
} hp_output_resumed;

/* Reopens the partial file of o->path for the missing blocks: takes the
 * writer's lock, repairs an end-of-file mark left stale by a kill, checks
 * seed, paths and block size against o (built from the embedded config)
 * and the datasets against the layout, then reads back every block marked
 * complete and checks its checksum; blocks that fail are redone. The file
 * is never deleted on a later failure. Collective. */
hp_output *hp_output_reopen(const hp_output_opts *o, const hp_layout *l, hp_output_resumed *info,
                            hp_err *err);

#endif
