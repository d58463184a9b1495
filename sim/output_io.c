/* output_io: opening a results file for block writes, serially or by
 * every rank through MPI-IO, and the progress record that makes a run
 * restartable (see output_int.h).
 *
 * When the driver gives a block size, a chunk is exactly one block of paths
 * wide, so a block is written once, whole, and never read back or
 * rewritten; /progress/block_done records the blocks that are on disk,
 * each flag set only after its data was flushed (and synced). */
#include "output_int.h"

#include <inttypes.h>
#include <unistd.h>

#include "h5util.h"
#include "par.h"
#include "progress.h"

#ifdef HP_MPI
#include <mpi.h>
#endif

/* ---- progress record and MPI-IO ------------------------------------------ */

/* Collective transfers under MPI-IO (filtered datasets need them). */
hid_t out_xfer(const hp_output *w)
{
    return w->dxpl >= 0 ? w->dxpl : H5P_DEFAULT;
}

/* Everything written so far reaches the disk: HDF5's caches (H5Fflush,
 * which under MPI-IO ends in MPI_File_sync), then the kernel's (fsync),
 * so that no flag can be on disk before the data it stands for. */
static int flush_durable(hp_output *w)
{
    if (H5Fflush(w->file, H5F_SCOPE_GLOBAL) < 0)
        return -1;
    if (w->mpio)
        return 0;
    int *fd = NULL;
    if (H5Fget_vfd_handle(w->file, H5P_DEFAULT, (void **)&fd) < 0 || fd == NULL)
        return -1;
    return fsync(*fd);
}

/* Collective. Makes every block written so far durable, then records
 * them in /progress. Done every HP_CHECKPOINT_S rather than every wave:
 * each fsync costs a disk round trip, and per wave it took a sixth of the
 * run time; a kill now loses at most that many seconds of work. */
int out_write_flags(hp_output *w, uint64_t lo, uint64_t hi);
int out_checkpoint(hp_output *w, hp_err *err)
{
    int rc = 0;
    if (w->unflagged) {
        rc = hp_par_agree(flush_durable(w) < 0 ? hp_h5_fail(err, w->path, "cannot flush") : 0, err);
        if (rc == 0)
            rc = hp_par_agree(out_write_flags(w, w->flag_lo, w->flag_hi) < 0 ?
                              hp_h5_fail(err, w->path, "cannot write /progress") : 0, err);
        if (rc == 0)
            rc = hp_par_agree(H5Fflush(w->file, H5F_SCOPE_GLOBAL) < 0 ?
                              hp_h5_fail(err, w->path, "cannot flush") : 0, err);
    }
    w->unflagged = 0;
    w->last_checkpoint = hp_now();
    return rc;
}

/* Writes flags [lo, hi] of w->done; rank 0 alone (every rank holds the
 * same bytes), with an independent transfer. */
int out_write_flags(hp_output *w, uint64_t lo, uint64_t hi)
{
    if (hp_par_rank() != 0 || lo > hi)
        return 0;
    hsize_t start = lo, cnt = hi - lo + 1;
    hid_t fs = H5Dget_space(w->progress), ms = H5Screate_simple(1, &cnt, NULL);
    int ok = fs >= 0 && ms >= 0
             && H5Sselect_hyperslab(fs, H5S_SELECT_SET, &start, NULL, &cnt, NULL) >= 0
             && H5Dwrite(w->progress, H5T_NATIVE_UINT8, ms, fs, H5P_DEFAULT, w->done + lo) >= 0;
    hp_h5_close(&fs, H5Sclose);
    hp_h5_close(&ms, H5Sclose);
    return ok ? 0 : -1;
}

/* HDF5's metadata cache adapts up to 32 MiB, and the chunk indexes grow
 * with the number of paths; blocks are written once, so a small cache
 * costs little and keeps memory flat in n_paths. */
int out_cap_metadata_cache(hid_t fapl)
{
    H5AC_cache_config_t c;
    c.version = H5AC__CURR_CACHE_CONFIG_VERSION;
    if (H5Pget_mdc_config(fapl, &c) < 0)
        return -1;
    c.set_initial_size = 1;
    c.initial_size = 1u << 20;
    c.min_size = 1u << 20;
    c.max_size = 2u << 20;
    return H5Pset_mdc_config(fapl, &c) < 0 ? -1 : 0;
}

/* Opens the file for writing blocks: through MPI-IO by every rank when
 * MPI runs, else with the serial driver. Opens the planned datasets,
 * checking each against the layout, and the progress record. */
int out_open_handles(hp_output *w, hp_err *err)
{
    hid_t fapl = H5Pcreate(H5P_FILE_ACCESS);
    w->mpio = hp_par_active();
#ifdef HP_MPI
    if (w->mpio && fapl >= 0 && H5Pset_fapl_mpio(fapl, MPI_COMM_WORLD, MPI_INFO_NULL) < 0)
        hp_h5_close(&fapl, H5Pclose);
#endif
    if (fapl >= 0 && out_cap_metadata_cache(fapl) < 0)
        hp_h5_close(&fapl, H5Pclose);
    w->file = fapl < 0 ? -1 : H5Fopen(w->tmp, H5F_ACC_RDWR, fapl);
    hp_h5_close(&fapl, H5Pclose);
    if (w->file < 0)
        return hp_h5_fail(err, w->tmp, "cannot open for writing (is another run writing it?)");
    if (w->ds == NULL && out_plan_datasets(w, w->per_year) < 0)
        return hp_fail(err, w->tmp, 0, NULL, "out of memory");
    for (int i = 0; i < w->n_ds; i++) {
        wds *d = &w->ds[i];
        hid_t dapl = H5Pcreate(H5P_DATASET_ACCESS);
        if (dapl >= 0 && H5Pset_chunk_cache(dapl, CACHE_SLOTS, 4 * out_chunk_bytes(w, d) + 1, 1.0) >= 0)
            d->id = H5Dopen2(w->file, d->name, dapl);
        hp_h5_close(&dapl, H5Pclose);
        if (d->id < 0)
            return hp_h5_fail(err, w->tmp, "dataset %s is missing", d->name);
        if (!out_ds_matches(w, d))
            return hp_fail(err, w->tmp, 0, d->name, "shape or type differs from the model's");
    }
    if (w->block_size > 0) {
        w->progress = H5Dopen2(w->file, "progress/block_done", H5P_DEFAULT);
        hid_t s = w->progress < 0 ? -1 : H5Dget_space(w->progress);
        hssize_t n = s < 0 ? -1 : H5Sget_simple_extent_npoints(s);
        hp_h5_close(&s, H5Sclose);
        if (n < 0 || (uint64_t)n != w->n_blocks)
            return hp_h5_fail(err, w->tmp, "no progress record for %" PRIu64 " blocks", w->n_blocks);
    }
#ifdef HP_MPI
    if (w->mpio) {
        w->dxpl = H5Pcreate(H5P_DATASET_XFER);
        if (w->dxpl < 0 || H5Pset_dxpl_mpio(w->dxpl, H5FD_MPIO_COLLECTIVE) < 0)
            return hp_h5_fail(err, w->tmp, "cannot set up collective transfers");
    }
#endif
    return 0;
}

/* Closes every HDF5 object; the plan of datasets stays. Collective under
 * MPI-IO. Returns the status of H5Fclose (the final flush). */
int out_close_handles(hp_output *w)
{
    int rc = 0;
    for (int i = 0; w->ds != NULL && i < w->n_ds; i++)
        hp_h5_close(&w->ds[i].id, H5Dclose);
    for (int a = 0; a < AX_COUNT; a++)
        hp_h5_close(&w->axis[a], H5Dclose);
    hp_h5_close(&w->days, H5Dclose);
    hp_h5_close(&w->progress, H5Dclose);
    hp_h5_close(&w->dxpl, H5Pclose);
    if (w->file > 0 && H5Fclose(w->file) < 0)
        rc = -1;
    w->file = -1;
    return rc;
}
