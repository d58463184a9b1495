/* output_blocks: path results gathered into file order and written, one
 * block at a time (serial, the unit tests) or whole waves of blocks
 * (the driver; collective under MPI). See output_int.h. */
#include "output_int.h"

#include <inttypes.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "h5util.h"
#include "par.h"
#include "progress.h"

/* ---- writing blocks ----------------------------------------------------- */

/* A halving day index must be an integer >= -1 that fits int32. */
static int day_index_ok(double v)
{
    return v >= -1.0 && v <= (double)INT32_MAX && v == floor(v);
}

/* Copies (or, for totals, sums over the years in year order) one dataset's
 * values of `count` paths into buf, in file order [outer][path][inner].
 * Returns the first path offset with an invalid day index, or -1. */
static long gather(const wds *d, const double *res, size_t psize, size_t count, void *buf)
{
    size_t in = d->inner_axis >= 0 ? d->n_in : 1;
    for (size_t o = 0; o < d->n_outer; o++) {
        for (size_t i = 0; i < count; i++) {
            const double *src = res + i * psize + d->off + o * d->n_in;
            size_t k = (o * count + i) * in;
            if (d->total) {
                double s = 0.0;
                for (size_t j = 0; j < d->n_in; j++)
                    s += src[j];
                ((double *)buf)[k] = s;
            } else if (d->etype == ET_DOUBLE) {
                memcpy((double *)buf + k, src, in * sizeof *src);
            } else if (d->etype == ET_FLOAT) {
                for (size_t j = 0; j < in; j++)
                    ((float *)buf)[k + j] = (float)src[j];
            } else {
                for (size_t j = 0; j < in; j++) {
                    if (!day_index_ok(src[j]))
                        return (long)i;
                    ((int32_t *)buf)[k + j] = (int32_t)src[j];
                }
            }
        }
    }
    return -1;
}

/* Grows the gather buffer to hold `bytes`; it never shrinks. */
int out_reserve(hp_output *w, size_t bytes)
{
    if (bytes <= w->cap)
        return 0;
    void *b = realloc(w->buf, bytes);
    if (b == NULL)
        return -1;
    w->buf = b;
    w->cap = bytes;
    return 0;
}

/* Writes the hyperslab of paths [first, first+count) of one dataset. */
static int write_ds(hp_output *w, wds *d, uint64_t first, size_t count,
                    const double *results, hp_err *err)
{
    hsize_t cnt[3], start[3];
    int axes[3];
    int rank = out_ds_dims(d, count, cnt, axes);
    size_t n = 1;
    for (int k = 0; k < rank; k++) {
        start[k] = axes[k] == AX_PATH ? first : 0;
        n *= cnt[k];
    }
    if (n == 0)
        return 0;
    if (out_reserve(w, n * out_etype_size(d->etype)) < 0)
        return hp_fail(err, w->path, 0, NULL, "out of memory for a block of %zu paths", count);
    long bad = gather(d, results, w->psize, count, w->buf);
    if (bad >= 0)
        return hp_fail(err, w->path, 0, d->name, "path %" PRIu64 ": day index is not an integer >= -1",
                       first + (uint64_t)bad);
    hid_t fs = H5Dget_space(d->id), ms = H5Screate_simple(rank, cnt, NULL);
    int ok = fs >= 0 && ms >= 0
             && H5Sselect_hyperslab(fs, H5S_SELECT_SET, start, NULL, cnt, NULL) >= 0
             && H5Dwrite(d->id, out_etype_mem(d->etype), ms, fs, H5P_DEFAULT, w->buf) >= 0;
    hp_h5_close(&fs, H5Sclose);
    hp_h5_close(&ms, H5Sclose);
    return ok ? 0 : hp_h5_fail(err, w->path, "cannot write %s", d->name);
}

int hp_output_write_block(hp_output *w, uint64_t first, size_t count,
                          const double *results, hp_err *err)
{
    if (w->failed)
        return hp_fail(err, w->path, 0, NULL, "an earlier block failed");
    if (first > w->n_paths || count > w->n_paths - first)
        return hp_fail(err, w->path, 0, NULL, "block [%" PRIu64 ", %" PRIu64 ") beyond %" PRIu64 " paths",
                       first, first + count, w->n_paths);
    hp_h5_quiet q = hp_h5_quiet_begin();
    int rc = 0;
    for (int i = 0; rc == 0 && i < w->n_ds; i++)
        rc = write_ds(w, &w->ds[i], first, count, results, err);
    hp_h5_quiet_end(q);
    if (rc < 0) {
        w->failed = 1;
        return -1;
    }
    w->written += count;
    return 0;
}


/* ---- writing whole blocks (the driver; collective under MPI) ------------ */

/* Paths in block b: block_size, or fewer in the last block. */
uint64_t out_block_paths(const hp_output *w, uint64_t b)
{
    return hp_block_paths(b, w->block_size, w->n_paths);
}

/* The global path at offset `off` of blocks laid back to back. */
static uint64_t path_at(const hp_output *w, const uint64_t *blocks, size_t n, uint64_t off)
{
    for (size_t i = 0; i < n; i++) {
        uint64_t c = out_block_paths(w, blocks[i]);
        if (off < c)
            return blocks[i] * w->block_size + off;
        off -= c;
    }
    return UINT64_MAX;
}

/* The selections of n whole blocks (ascending) of one dataset: in the file
 * the union of their path ranges, in memory the same elements packed
 * [outer][path][inner], which is the order HDF5 walks such a union. With
 * n = 0 both select nothing, so that a rank without blocks still takes
 * part in a collective transfer. */
static int select_blocks(const hp_output *w, const wds *d, const uint64_t *blocks, size_t n,
                         uint64_t paths, hid_t *fs, hid_t *ms)
{
    hsize_t cnt[3], start[3];
    int axes[3];
    int rank = out_ds_dims(d, paths > 0 ? paths : 1, cnt, axes);
    *fs = H5Dget_space(d->id);
    *ms = H5Screate_simple(rank, cnt, NULL);
    if (*fs < 0 || *ms < 0 || H5Sselect_none(*fs) < 0)
        return -1;
    if (n == 0)
        return H5Sselect_none(*ms) < 0 ? -1 : 0;
    for (size_t i = 0; i < n; i++) {
        uint64_t first = blocks[i] * w->block_size;
        out_ds_dims(d, out_block_paths(w, blocks[i]), cnt, axes);
        for (int k = 0; k < rank; k++)
            start[k] = axes[k] == AX_PATH ? first : 0;
        if (H5Sselect_hyperslab(*fs, i == 0 ? H5S_SELECT_SET : H5S_SELECT_OR, start, NULL, cnt, NULL) < 0)
            return -1;
    }
    return 0;
}

/* One dataset's share of hp_output_write_blocks: gather, agree, write. */
static int write_ds_blocks(hp_output *w, wds *d, const uint64_t *blocks, size_t n, uint64_t paths,
                           const double *results, hp_err *err)
{
    if (out_ds_empty(w, d))
        return 0;
    size_t elems = d->n_outer * (size_t)paths * (d->inner_axis >= 0 ? d->n_in : 1);
    int rc = 0;
    if (elems > 0 && out_reserve(w, elems * out_etype_size(d->etype)) < 0) {
        rc = hp_fail(err, w->path, 0, NULL, "out of memory for %" PRIu64 " paths", paths);
    } else if (paths > 0) {
        long bad = gather(d, results, w->psize, (size_t)paths, w->buf);
        if (bad >= 0)
            rc = hp_fail(err, w->path, 0, d->name, "path %" PRIu64 ": day index is not an integer >= -1",
                         path_at(w, blocks, n, (uint64_t)bad));
    }
    if (hp_par_agree(rc, err) < 0)
        return -1;
    static const double none = 0;   /* a valid pointer when nothing is selected */
    hid_t fs = -1, ms = -1;
    int ok = select_blocks(w, d, blocks, n, paths, &fs, &ms) == 0
             && H5Dwrite(d->id, out_etype_mem(d->etype), ms, fs, out_xfer(w), w->buf ? w->buf : &none) >= 0;
    hp_h5_close(&fs, H5Sclose);
    hp_h5_close(&ms, H5Sclose);
    return hp_par_agree(ok ? 0 : hp_h5_fail(err, w->path, "cannot write %s", d->name), err);
}

/* Data first, made durable; then the flags of every rank's blocks, so a
 * flag on disk always stands for data on disk. */
int hp_output_write_blocks(hp_output *w, const uint64_t *blocks, size_t n,
                           const double *results, hp_err *err)
{
    int rc = 0;
    uint64_t paths = 0;
    if (w->failed)
        rc = hp_fail(err, w->path, 0, NULL, "an earlier block failed");
    else if (w->block_size == 0)
        rc = hp_fail(err, w->path, 0, NULL, "the file has no blocks");
    for (size_t i = 0; rc == 0 && i < n; i++) {
        if (blocks[i] >= w->n_blocks || (i > 0 && blocks[i] <= blocks[i - 1]) || w->done[blocks[i]])
            rc = hp_fail(err, w->path, 0, NULL, "block %" PRIu64 ": beyond %" PRIu64 " blocks, out of "
                         "order or written before", blocks[i], w->n_blocks);
        else
            paths += out_block_paths(w, blocks[i]);
    }
    if (hp_par_agree(rc, err) < 0)
        return -1;
    hp_h5_quiet q = hp_h5_quiet_begin();
    for (int i = 0; rc == 0 && i < w->n_ds; i++)
        rc = write_ds_blocks(w, &w->ds[i], blocks, n, paths, results, err);
    size_t n_all = 0;
    uint64_t *all = rc == 0 ? hp_par_allgather_u64(blocks, n, &n_all) : NULL;
    if (rc == 0 && all == NULL)
        rc = hp_fail(err, w->path, 0, NULL, "out of memory");
    if (rc == 0) {
        for (size_t i = 0; i < n_all; i++) {
            w->done[all[i]] = 1;   /* written; flagged on disk at the next checkpoint */
            w->written += out_block_paths(w, all[i]);
            if (!w->unflagged || all[i] < w->flag_lo)
                w->flag_lo = all[i];
            if (!w->unflagged || all[i] > w->flag_hi)
                w->flag_hi = all[i];
            w->unflagged = 1;
        }
        if (hp_par_any(hp_now() - w->last_checkpoint >= HP_CHECKPOINT_S))
            rc = out_checkpoint(w, err);
    }
    free(all);
    hp_h5_quiet_end(q);
    if (rc < 0)
        w->failed = 1;
    return rc;
}

uint64_t hp_output_block_size(const hp_output *w)
{
    return w->block_size;
}

/* Blocks not on disk yet, ascending: the same list on every rank. */
uint64_t *hp_output_pending(const hp_output *w, size_t *n)
{
    uint64_t *p = malloc((w->n_blocks ? w->n_blocks : 1) * sizeof *p);
    *n = 0;
    for (uint64_t b = 0; p != NULL && b < w->n_blocks; b++)
        if (!w->done[b])
            p[(*n)++] = b;
    return p;
}
