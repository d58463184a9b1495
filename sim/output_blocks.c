/* output_blocks: writing path results. The driver's blocks come encoded
 * (output_encode.c) and one process writes them: rank 0 under MPI, which
 * receives every other rank's blocks in turn (par.h). HDF5 is thus only
 * ever used serially: its collective filtered writes (parallel HDF5 1.10)
 * hang now and then, two ranks ending up in different collectives inside
 * H5Dwrite, with either MPI-IO component (reproduced with a 60-line
 * program; see docs/output.md). The unit tests write arbitrary ranges of
 * paths through HDF5's own filters (hp_output_write_block). */
#include "output_int.h"

#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "h5util.h"
#include "par.h"
#include "progress.h"

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

/* Paths in block b: block_size, or fewer in the last block. */
uint64_t out_block_paths(const hp_output *w, uint64_t b)
{
    return hp_block_paths(b, w->block_size, w->n_paths);
}

/* Selects paths [first, first+count) of dataset d: *fs in the file, *ms the
 * same elements packed in memory, *n their number. 0 or -1. */
static int select_paths(const wds *d, uint64_t first, uint64_t count, hid_t *fs, hid_t *ms, size_t *n)
{
    hsize_t cnt[3], start[3];
    int axes[3];
    int rank = out_ds_dims(d, count, cnt, axes);
    *n = 1;
    for (int k = 0; k < rank; k++) {
        start[k] = axes[k] == AX_PATH ? first : 0;
        *n *= (size_t)cnt[k];
    }
    *fs = H5Dget_space(d->id);
    *ms = H5Screate_simple(rank, cnt, NULL);
    return *fs >= 0 && *ms >= 0 && H5Sselect_hyperslab(*fs, H5S_SELECT_SET, start, NULL, cnt, NULL) >= 0
           ? 0 : -1;
}

/* Block b of dataset d (see select_paths). */
int out_select_block(const hp_output *w, const wds *d, uint64_t b, hid_t *fs, hid_t *ms, size_t *n)
{
    return select_paths(d, b * w->block_size, out_block_paths(w, b), fs, ms, n);
}

/* ---- any range of paths, through HDF5's filters (the unit tests) -------------- */

/* Writes the hyperslab of paths [first, first+count) of one dataset. */
static int write_ds(hp_output *w, wds *d, uint64_t first, size_t count,
                    const double *results, hp_err *err)
{
    hid_t fs = -1, ms = -1;
    size_t n = 0;
    int ok = select_paths(d, first, count, &fs, &ms, &n) == 0;
    int rc = ok ? 0 : hp_h5_fail(err, w->path, "cannot select %s", d->name);
    if (rc == 0 && n > 0 && out_reserve(w, n * out_etype_size(d->etype)) < 0)
        rc = hp_fail(err, w->path, 0, NULL, "out of memory for a block of %zu paths", count);
    long bad = rc == 0 && n > 0 ? out_gather(d, results, w->psize, count, count, w->buf) : -1;
    if (bad >= 0)
        rc = hp_fail(err, w->path, 0, d->name, "path %" PRIu64 ": day index is not an integer >= -1",
                     first + (uint64_t)bad);
    if (rc == 0 && n > 0 && H5Dwrite(d->id, out_etype_mem(d->etype), ms, fs, H5P_DEFAULT, w->buf) < 0)
        rc = hp_h5_fail(err, w->path, "cannot write %s", d->name);
    hp_h5_close(&fs, H5Sclose);
    hp_h5_close(&ms, H5Sclose);
    return rc;
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

/* ---- encoded blocks (the driver) ------------------------------------------------ */

/* The writer: one encoded block's chunks into the file, as they are (the
 * filters were applied by the encoder: filter mask 0). */
static int write_enc(hp_output *w, const hp_output_enc *e, hp_err *err)
{
    uint64_t b = hp_output_enc_block(e);
    if (b >= w->n_blocks || w->done[b])
        return hp_fail(err, w->tmp, 0, NULL, "block %" PRIu64 ": beyond %" PRIu64 " blocks or written before",
                       b, w->n_blocks);
    for (int i = 0; i < w->n_ds; i++) {
        wds *d = &w->ds[i];
        size_t size = 0;
        const unsigned char *bytes = out_enc_chunk(e, i, &size);
        if (size == 0)
            continue;
        hsize_t offset[3], dims[3];
        int axes[3], rank = out_ds_dims(d, w->n_paths, dims, axes);
        for (int k = 0; k < rank; k++)
            offset[k] = axes[k] == AX_PATH ? b * w->block_size : 0;
        if (H5Dwrite_chunk(d->id, H5P_DEFAULT, 0, offset, size, bytes) < 0)
            return hp_h5_fail(err, w->tmp, "cannot write %s", d->name);
    }
    return 0;
}

/* What the writer does with another rank's packed blocks. */
typedef struct take_ctx {
    hp_output *w;
    hp_err *err;
} take_ctx;

static int take_packed(const void *buf, size_t n, void *ctx)
{
    take_ctx *t = ctx;
    const unsigned char *p = buf;
    if (out_reserve_space(t->w, n, t->err) < 0)
        return -1;
    while (n > 0) {
        size_t used = out_enc_unpack(t->w->rx, p, n);
        if (used == 0)
            return hp_fail(t->err, t->w->tmp, 0, NULL, "a rank's blocks arrived damaged or too large");
        if (write_enc(t->w, t->w->rx, t->err) < 0)
            return -1;
        p += used;
        n -= used;
    }
    return 0;
}

/* A rank's encoded blocks packed back to back (malloc'd, *n bytes). */
static unsigned char *pack_all(hp_output_enc *const *e, size_t n_enc, size_t *n)
{
    *n = 0;
    for (size_t i = 0; i < n_enc; i++)
        *n += out_enc_packed_size(e[i]);
    unsigned char *buf = malloc(*n ? *n : 1), *p = buf;
    for (size_t i = 0; buf != NULL && i < n_enc; i++) {
        out_enc_pack(e[i], p);
        p += out_enc_packed_size(e[i]);
    }
    return buf;
}

/* Every rank learns every block written and its checksum; they are
 * flagged on disk at the next checkpoint. */
static int record(hp_output *w, hp_output_enc *const *e, size_t n, hp_err *err)
{
    uint64_t *pairs = malloc((2 * n + 1) * sizeof *pairs);
    if (hp_par_agree(pairs == NULL ? hp_fail(err, w->path, 0, NULL, "out of memory") : 0, err) < 0) {
        free(pairs);
        return -1;
    }
    for (size_t i = 0; i < n; i++) {
        pairs[2 * i] = hp_output_enc_block(e[i]);
        pairs[2 * i + 1] = out_enc_sum(e[i]);
    }
    size_t n_all = 0;
    uint64_t *all = hp_par_allgather_u64(pairs, 2 * n, &n_all);
    free(pairs);
    if (all == NULL)
        return hp_fail(err, w->path, 0, NULL, "out of memory");
    for (size_t i = 0; i + 1 < n_all; i += 2) {
        uint64_t b = all[i];
        w->done[b] = 1;
        w->sum[b] = all[i + 1];
        w->written += out_block_paths(w, b);
        if (!w->unflagged || b < w->flag_lo)
            w->flag_lo = b;
        if (!w->unflagged || b > w->flag_hi)
            w->flag_hi = b;
        w->unflagged = 1;
    }
    free(all);
    return 0;
}

/* Collective. Each rank's blocks are checked, the writer writes its own
 * and then receives and writes every other rank's in turn (so it holds one
 * rank's wave at a time), everyone records them, and every checkpoint_s
 * the writer makes them durable and flags them (output_io.c). */
int hp_output_write_encoded(hp_output *w, hp_output_enc *const *e, size_t n, hp_err *err)
{
    int rc = 0, root = hp_par_rank() == 0;
    if (w->failed)
        rc = hp_fail(err, w->path, 0, NULL, "an earlier block failed");
    else if (w->block_size == 0)
        rc = hp_fail(err, w->path, 0, NULL, "the file has no blocks");
    for (size_t i = 0; rc == 0 && i < n; i++) {
        const hp_err *bad = hp_output_enc_error(e[i]);
        uint64_t b = hp_output_enc_block(e[i]);
        if (bad != NULL)
            rc = hp_fail(err, NULL, 0, NULL, "%s", bad->msg);
        else if (b >= w->n_blocks || w->done[b])
            rc = hp_fail(err, w->path, 0, NULL, "block %" PRIu64 ": beyond %" PRIu64 " blocks or written before",
                         b, w->n_blocks);
    }
    if (hp_par_agree(rc, err) < 0) {
        w->failed = 1;
        return -1;
    }
    hp_h5_quiet q = hp_h5_quiet_begin();
    size_t bytes = 0;
    unsigned char *mine = NULL;
    if (!root) {
        mine = pack_all(e, n, &bytes);
        rc = mine == NULL ? hp_fail(err, w->path, 0, NULL, "out of memory") : 0;
    }
    uint64_t own = 0;
    for (size_t i = 0; root && i < n; i++)
        own += out_enc_packed_size(e[i]);
    if (root && rc == 0)
        rc = out_reserve_space(w, own, err);
    for (size_t i = 0; root && rc == 0 && i < n; i++)
        rc = write_enc(w, e[i], err);
    take_ctx t = { w, err };
    if (hp_par_to_root(rc == 0 ? mine : NULL, bytes, rc, take_packed, &t) < 0)
        rc = -1;
    free(mine);
    rc = hp_par_agree(rc, err);
    if (rc == 0)
        rc = record(w, e, n, err);
    if (rc == 0 && hp_par_any(root && hp_now() - w->last_checkpoint >= w->checkpoint_s))
        rc = out_checkpoint(w, err);
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
