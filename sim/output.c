/* output: the self-describing HDF5 results file, its lifecycle. See
 * output.h for the interface, output_int.h for the modules, and
 * docs/output.md for the layout.
 *
 * Every dataset is created up front (n_paths is known), then filled block
 * by block as the driver hands results over, in any order. An interrupted
 * run leaves "<path>.partial" with status "incomplete"; hp_output_reopen()
 * (output_resume.c) continues it. Under MPI (par.h) rank 0 creates and
 * finishes the file alone, and every rank writes its blocks through MPI-IO
 * with collective transfers. */
#include "output_int.h"

#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "fsutil.h"
#include "h5util.h"
#include "par.h"
#include "progress.h"

/* ---- the writer object ---------------------------------------------------- */

/* Closes every HDF5 object, releases the lock and frees the writer; the
 * file stays on disk. Returns -1 when a close failed (data HDF5 still held
 * could not be written). */
int out_writer_free(hp_output *w)
{
    if (w == NULL)
        return 0;
    int rc = out_close_handles(w);
    out_unlock(w);
    for (int i = 0; w->ds != NULL && i < w->n_ds; i++)
        free(w->ds[i].name);
    free(w->ds);
    free(w->buf);
    free(w->done);
    free(w->sum);
    hp_output_enc_free(w->rx);
    free(w->tmp);
    free(w->path);
    free(w);
    return rc;
}

/* A writer with nothing open yet; NULL when out of memory. */
static hp_output *writer_new(const hp_output_opts *o, const hp_layout *l)
{
    hp_output *w = calloc(1, sizeof *w);
    if (w == NULL)
        return NULL;
    w->l = l;
    w->force = o->force;
    w->float32 = o->float32;
    w->per_year = o->per_year;
    w->n_paths = o->n_paths;
    w->psize = hp_layout_path_size(l);
    w->file = w->days = w->progress = w->sums = -1;
    w->lock_fd = -1;
    for (int a = 0; a < AX_COUNT; a++)
        w->axis[a] = -1;
    w->block_size = o->block_size;
    w->chunk_paths = o->block_size > 0 ? o->block_size : CHUNK_PATHS;
    w->n_blocks = o->block_size > 0 ? (o->n_paths + o->block_size - 1) / o->block_size : 0;
    w->checkpoint_s = o->checkpoint_s;
    w->stop = o->stop;
    w->path = strdup(o->path);
    w->tmp = hp_output_partial_name(o->path);
    w->last_checkpoint = hp_now();
    if (w->path == NULL || w->tmp == NULL || out_plan_datasets(w, o->per_year) < 0
        || (hp_par_rank() == 0 && (w->rx = hp_output_enc_new(w)) == NULL)) {
        out_writer_free(w);
        return NULL;
    }
    return w;
}

/* Rejects layouts the file format cannot represent, before touching disk. */
int out_check_layout(const hp_output_opts *o, const hp_layout *l, hp_err *err)
{
    if (o->n_paths == 0)
        return hp_fail(err, o->path, 0, NULL, "no paths to write");
    if (l->n_alloc < 1 || l->n_years < 1 || l->n_halvings < 0)
        return hp_fail(err, o->path, 0, NULL, "layout needs allocations and years");
    if (l->baseline_alloc >= l->n_alloc)
        return hp_fail(err, o->path, 0, NULL, "baseline allocation %d out of range", l->baseline_alloc);
    for (int i = 0; i < l->n_summary; i++) {
        const hp_summary_item *it = &l->summary[i];
        if (strpbrk(it->label, "|\n") != NULL || strpbrk(it->var, "|\n") != NULL)
            return hp_fail(err, o->path, 0, NULL, "summary item '%s': '|' or newline in it", it->label);
    }
    return 0;
}

/* The per-block flags and checksums (9 bytes a block). */
static int alloc_blocks(hp_output *w, hp_err *err)
{
    w->done = calloc(w->n_blocks ? w->n_blocks : 1, 1);
    w->sum = calloc(w->n_blocks ? w->n_blocks : 1, sizeof *w->sum);
    if (w->done == NULL || w->sum == NULL)
        return hp_fail(err, w->path, 0, NULL, "out of memory for %" PRIu64 " blocks", w->n_blocks);
    return 0;
}

/* Collective writer_new: every rank gets a writer, or none does. Whether
 * the file can fit at all was checked before (sim/preflight.c). */
hp_output *out_writer_new_all(const hp_output_opts *o, const hp_layout *l, hp_err *err)
{
    hp_output *w = writer_new(o, l);
    int rc = w == NULL ? hp_fail(err, o->path, 0, NULL, "out of memory") : 0;
    if (hp_par_agree(rc, err) < 0 || hp_par_agree(alloc_blocks(w, err), err) < 0) {
        out_writer_free(w);
        return NULL;
    }
    return w;
}

/* The failure in err, followed by where its checkpointed blocks are. */
static void note_kept(hp_err *err, const char *tmp, const char *path)
{
    hp_err e = { 0 };
    hp_fail(&e, NULL, 0, NULL, "%s; the blocks checkpointed so far are kept in %s (finish with: "
            "hashpivot run --resume %s)", err->msg, tmp, path);
    *err = e;
}

/* ---- creating ------------------------------------------------------------ */

/* Rank 0's part of hp_output_create: the destination is clear, the file
 * fits, then it is created exclusively, locked and filled. A file that
 * cannot be finished is removed: nothing was simulated into it yet. */
static int create_local(hp_output *w, const hp_output_opts *o, hp_err *err)
{
    if (o->force && out_clear_partial(w->tmp, err) < 0)
        return -1;
    w->file = out_create_file(w->tmp);
    if (w->file < 0)
        return hp_h5_fail(err, o->path, "cannot create %s", w->tmp);
    int rc = out_lock(w, 1, err);
    if (rc == 0)
        rc = out_same_file(w, err);
    if (rc == 0)
        rc = out_reserve_space(w, out_creation_bytes(w, o), err);
    if (rc == 0)
        rc = out_fill_new_file(w, o, err);
    if (rc == 0)
        rc = out_flush_durable(w) < 0 ? hp_h5_fail(err, o->path, "cannot flush %s", w->tmp) : 0;
    if (rc < 0) {
        out_close_handles(w);
        unlink(w->tmp);
        out_unlock(w);
        if (w->stop == NULL || !*w->stop) {
            hp_err e = { 0 };
            hp_fail(&e, NULL, 0, NULL, "%s (while creating the file, which was removed)", err->msg);
            *err = e;
        }
    }
    return rc;
}

/* Collective. Rank 0 checks the destination, then creates the file and
 * keeps it open: it is the one writer (output_blocks.c). */
hp_output *hp_output_create(const hp_output_opts *o, const hp_layout *l, hp_err *err)
{
    int root = hp_par_rank() == 0, rc = 0;
    if (root)
        rc = hp_output_check(o, err) < 0 || out_check_layout(o, l, err) < 0 ? -1 : 0;
    if (hp_par_agree(rc, err) < 0)
        return NULL;
    hp_output *w = out_writer_new_all(o, l, err);
    if (w == NULL)
        return NULL;
    hp_h5_quiet q = hp_h5_quiet_begin();
    rc = hp_par_agree(root ? create_local(w, o, err) : 0, err);
    if (rc < 0) {
        out_writer_free(w);
        w = NULL;
    }
    hp_h5_quiet_end(q);
    return w;
}

/* ---- closing ------------------------------------------------------------- */

/* Reads every block back from the file (datasets reopened without a chunk
 * cache, so nothing comes from memory) against its checksum. Collective:
 * rank 0 reads. */
static int verify_all(hp_output *w, hp_err *err)
{
    int rc = 0;
    if (hp_par_rank() == 0) {
        rc = out_close_datasets(w) < 0 ? hp_h5_fail(err, w->tmp, "cannot write") : 0;
        if (rc == 0)
            rc = out_open_datasets(w, 0, err);
    }
    rc = hp_par_agree(rc, err);
    if (rc == 0)
        rc = out_verify_blocks(w, 1, NULL, err);
    return rc;
}

/* Rank 0: status "complete", every handle closed, and the file synced. */
static int mark_complete(hp_output *w, hp_err *err)
{
    if (hp_par_rank() != 0)
        return 0;
    if (out_reserve_space(w, 0, err) < 0)
        return -1;
    if (hp_h5_attr_write_str(w->file, "status", "complete") < 0)
        return hp_h5_fail(err, w->tmp, "cannot set status");
    if (out_close_handles(w) < 0)
        return hp_h5_fail(err, w->tmp, "cannot close");
    if (hp_fsync_file(w->tmp) < 0)
        return hp_fail(err, w->tmp, 0, NULL, "cannot sync: %s", strerror(errno));
    return 0;
}

/* Rank 0: the rename to the final name, made durable. */
static int publish(hp_output *w, hp_err *err)
{
    if (hp_par_rank() != 0)
        return 0;
    if (hp_rename_final(w->tmp, w->path, w->force) < 0) {
        if (errno == EEXIST)
            return hp_fail(err, w->path, 0, NULL, "appeared while the run was writing; use --force to "
                           "overwrite it");
        return hp_fail(err, w->path, 0, NULL, "cannot rename %s: %s", w->tmp, strerror(errno));
    }
    if (hp_fsync_dir_of(w->path) < 0)
        return hp_fail(err, w->path, 0, NULL, "renamed, but cannot sync its directory: %s", strerror(errno));
    return 0;
}

/* Collective. The closing phase is resumable: every step leaves a file
 * --resume can finish (all blocks flagged first; the status is the only
 * thing written in place; the rename is atomic). */
int hp_output_close(hp_output *w, hp_err *err)
{
    if (w->failed || w->written != w->n_paths) {
        if (!w->failed)
            hp_fail(err, w->path, 0, NULL, "only %" PRIu64 " of %" PRIu64 " paths were written",
                    w->written, w->n_paths);
        else
            hp_fail(err, w->path, 0, NULL, "not completed: a block failed");
        hp_output_fail(w, err);
        return -1;
    }
    hp_h5_quiet q = hp_h5_quiet_begin();
    int rc = 0;
    if (w->block_size > 0) {
        rc = out_checkpoint(w, err);
        if (rc == 0)
            rc = verify_all(w, err);
    }
    if (rc == 0)
        rc = hp_par_agree(mark_complete(w, err), err);
    if (rc == 0)
        rc = hp_par_agree(publish(w, err), err);
    hp_h5_quiet_end(q);
    if (rc < 0) {
        hp_output_fail(w, err);
        return -1;
    }
    out_writer_free(w);
    return 0;
}

/* Collective. Closes without finishing: the file keeps its progress
 * record and status "incomplete" for --resume. */
int hp_output_suspend(hp_output *w, hp_err *err)
{
    hp_h5_quiet q = hp_h5_quiet_begin();
    int rc = out_checkpoint(w, err);
    if (rc == 0)
        rc = hp_par_agree(out_close_handles(w) < 0 ? hp_h5_fail(err, w->tmp, "cannot close") : 0, err);
    if (rc == 0 && hp_par_rank() == 0 && hp_fsync_file(w->tmp) < 0)
        rc = hp_fail(err, w->tmp, 0, NULL, "cannot sync: %s", strerror(errno));
    rc = hp_par_agree(rc, err);
    hp_h5_quiet_end(q);
    if (rc < 0) {
        hp_output_abort(w);
        return -1;
    }
    out_writer_free(w);
    return 0;
}

int hp_output_fail(hp_output *w, hp_err *err)
{
    char *tmp = w != NULL ? strdup(w->tmp) : NULL, *path = w != NULL ? strdup(w->path) : NULL;
    int kept = hp_output_abort(w);
    if (kept && tmp != NULL && path != NULL) {
        note_kept(err, tmp, path);
    } else if (tmp != NULL) {
        hp_err e = { 0 };
        hp_fail(&e, NULL, 0, NULL, "%s; nothing was checkpointed yet, so %s was removed", err->msg, tmp);
        *err = e;
    }
    free(tmp);
    free(path);
    return kept;
}

/* Collective. What reached the disk since the last checkpoint may be
 * flushed on close or not, whole or in part: either way the flags on disk
 * stand only for checkpointed blocks, and --resume copes with the rest
 * (output_int.h). */
int hp_output_abort(hp_output *w)
{
    if (w == NULL)
        return 0;
    char *tmp = w->tmp;
    int keep = w->keep || w->flagged;
    w->tmp = NULL;
    hp_h5_quiet q = hp_h5_quiet_begin();
    out_close_handles(w);
    hp_h5_quiet_end(q);
    if (tmp != NULL && !keep && hp_par_rank() == 0)
        unlink(tmp);
    out_writer_free(w);
    free(tmp);
    return keep;
}
