/* output_io: opening and closing a results file for block writes, and the
 * checkpoints that make a run restartable (see output_int.h). Rank 0 alone
 * opens the file; the other ranks take part in the agreements only.
 *
 * A block is written once, whole (a chunk is exactly one block of paths
 * wide), and never rewritten. A checkpoint makes every block written so far
 * durable (H5Fflush, fsync), then records their flags and checksums in
 * /progress; a kill loses at most the blocks written since. */
#include "output_int.h"

#include <inttypes.h>
#include <string.h>
#include <unistd.h>

#include "h5util.h"
#include "par.h"
#include "progress.h"

/* ---- checkpoints --------------------------------------------------------- */

/* Everything written so far reaches the disk: HDF5's caches (H5Fflush),
 * then the kernel's (fsync), so that no flag can be on disk before the data
 * it stands for. */
int out_flush_durable(hp_output *w)
{
    if (H5Fflush(w->file, H5F_SCOPE_GLOBAL) < 0)
        return -1;
    int *fd = NULL;
    if (H5Fget_vfd_handle(w->file, H5P_DEFAULT, (void **)&fd) < 0 || fd == NULL)
        return -1;
    return fsync(*fd);
}

/* Writes [lo, hi] of one progress dataset from mem. */
static int write_range(hid_t d, hid_t mtype, uint64_t lo, uint64_t hi, const void *mem)
{
    hsize_t start = lo, cnt = hi - lo + 1;
    hid_t fs = H5Dget_space(d), ms = H5Screate_simple(1, &cnt, NULL);
    int ok = fs >= 0 && ms >= 0 && H5Sselect_hyperslab(fs, H5S_SELECT_SET, &start, NULL, &cnt, NULL) >= 0
             && H5Dwrite(d, mtype, ms, fs, H5P_DEFAULT, mem) >= 0;
    hp_h5_close(&fs, H5Sclose);
    hp_h5_close(&ms, H5Sclose);
    return ok ? 0 : -1;
}

/* Writes checksums and flags [lo, hi]; rank 0 alone (every rank holds the
 * same bytes). */
int out_write_flags(hp_output *w, uint64_t lo, uint64_t hi)
{
    if (hp_par_rank() != 0 || lo > hi)
        return 0;
    if (write_range(w->sums, H5T_NATIVE_UINT64, lo, hi, w->sum + lo) < 0)
        return -1;
    return write_range(w->progress, H5T_NATIVE_UINT8, lo, hi, w->done + lo);
}

/* Rank 0's part of a checkpoint. */
static int checkpoint_local(hp_output *w, hp_err *err)
{
    if (hp_par_rank() != 0)
        return 0;
    if (out_flush_durable(w) < 0)
        return hp_h5_fail(err, w->tmp, "cannot flush");
    if (out_write_flags(w, w->flag_lo, w->flag_hi) < 0)
        return hp_h5_fail(err, w->tmp, "cannot write /progress");
    if (H5Fflush(w->file, H5F_SCOPE_GLOBAL) < 0)
        return hp_h5_fail(err, w->tmp, "cannot flush");
    return 0;
}

/* Collective. Makes every block written so far durable, then records
 * them in /progress and flushes that. Done every checkpoint_s rather than
 * every wave: each fsync costs a disk round trip, and per wave it took a
 * sixth of the run time; a kill loses at most that many seconds of work. */
int out_checkpoint(hp_output *w, hp_err *err)
{
    int rc = 0;
    if (w->unflagged) {
        rc = hp_par_agree(checkpoint_local(w, err), err);
        if (rc == 0) {
            w->flagged = 1;
            w->unflagged = 0;
        }
    }
    w->last_checkpoint = hp_now();
    return rc;
}

/* ---- opening and closing ------------------------------------------------- */

/* Opens every planned dataset, each with a chunk cache of cache_chunks
 * chunks (0: none, so reads come from the file), and checks it against
 * the layout. */
int out_open_datasets(hp_output *w, size_t cache_chunks, hp_err *err)
{
    for (int i = 0; i < w->n_ds; i++) {
        wds *d = &w->ds[i];
        size_t bytes = cache_chunks > 0 ? cache_chunks * out_chunk_bytes(w, d) + 1 : 0;
        hid_t dapl = H5Pcreate(H5P_DATASET_ACCESS);
        if (dapl >= 0 && H5Pset_chunk_cache(dapl, cache_chunks > 0 ? CACHE_SLOTS : 0, bytes, 1.0) >= 0)
            d->id = H5Dopen2(w->file, d->name, dapl);
        hp_h5_close(&dapl, H5Pclose);
        if (d->id < 0)
            return hp_h5_fail(err, w->tmp, "dataset %s is missing", d->name);
        if (!out_ds_matches(w, d))
            return hp_fail(err, w->tmp, 0, d->name, "shape or type differs from the model's");
    }
    return 0;
}

/* Closes the variable datasets; -1 when one fails (its chunk cache could
 * not be written: HDF5 writes it on close). */
int out_close_datasets(hp_output *w)
{
    int rc = 0;
    for (int i = 0; w->ds != NULL && i < w->n_ds; i++)
        if (hp_h5_close(&w->ds[i].id, H5Dclose) < 0)
            rc = -1;
    return rc;
}

/* A progress dataset of n_blocks elements. */
static hid_t open_progress(hp_output *w, const char *name)
{
    hid_t d = H5Dopen2(w->file, name, H5P_DEFAULT);
    hid_t s = d < 0 ? -1 : H5Dget_space(d);
    hssize_t n = s < 0 ? -1 : H5Sget_simple_extent_npoints(s);
    hp_h5_close(&s, H5Sclose);
    if (n < 0 || (uint64_t)n != w->n_blocks)
        hp_h5_close(&d, H5Dclose);
    return d;
}

/* Rank 0: opens the partial file for writing blocks, its planned datasets
 * (each checked against the layout) and its progress record. */
int out_open_handles(hp_output *w, hp_err *err)
{
    hid_t fapl = out_file_access();
    w->file = fapl < 0 ? -1 : H5Fopen(w->tmp, H5F_ACC_RDWR, fapl);
    hp_h5_close(&fapl, H5Pclose);
    if (w->file < 0)
        return hp_h5_fail(err, w->tmp, "cannot open for writing");
    if (out_open_datasets(w, out_cache_chunks(w), err) < 0)
        return -1;
    if (w->block_size > 0) {
        w->progress = open_progress(w, "progress/block_done");
        w->sums = w->progress < 0 ? -1 : open_progress(w, "progress/block_checksum");
        if (w->sums < 0)
            return hp_h5_fail(err, w->tmp, "no progress record for %" PRIu64 " blocks", w->n_blocks);
    }
    return 0;
}

/* H5Fclose, unless the file cannot be flushed. A failed flush (a full
 * disk) leaves HDF5 1.10's metadata cache unable to flush that file ever
 * again ("slist already enabled"), and a close then tears it down half way
 * and crashes the library later. So the flush comes first, on its own,
 * and when it fails the file is left open and alone: the process ends soon
 * (main calls H5dont_atexit so that HDF5 does not try again at exit), and
 * what is on disk is what a kill at that moment would leave, which --resume
 * copes with (output_int.h). -1 when the flush or the close failed. */
static int close_file(hid_t *file)
{
    if (*file <= 0)
        return 0;
    int rc = H5Fflush(*file, H5F_SCOPE_LOCAL) < 0 || H5Fclose(*file) < 0 ? -1 : 0;
    *file = -1;
    return rc;
}

/* Closes every HDF5 object; the plan of datasets stays. -1 when a close
 * fails: a dataset's (its cached chunks could not be written) or the
 * file's (the final flush). */
int out_close_handles(hp_output *w)
{
    int rc = out_close_datasets(w);
    for (int a = 0; a < AX_COUNT; a++)
        if (hp_h5_close(&w->axis[a], H5Dclose) < 0)
            rc = -1;
    hid_t *others[] = { &w->days, &w->progress, &w->sums };
    for (size_t k = 0; k < sizeof others / sizeof others[0]; k++)
        if (hp_h5_close(others[k], H5Dclose) < 0)
            rc = -1;
    if (close_file(&w->file) < 0)
        rc = -1;
    return rc;
}
