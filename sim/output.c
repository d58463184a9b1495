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

#include "h5util.h"
#include "par.h"
#include "progress.h"

/* ---- lifecycle ---------------------------------------------------------- */

/* Closes every HDF5 object and frees the writer; the file stays on disk.
 * Returns the status of H5Fclose (the final flush). */
int out_writer_free(hp_output *w)
{
    if (w == NULL)
        return 0;
    int rc = out_close_handles(w);
    for (int i = 0; w->ds != NULL && i < w->n_ds; i++)
        free(w->ds[i].name);
    free(w->ds);
    free(w->buf);
    free(w->done);
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
    w->file = w->days = w->progress = w->dxpl = -1;
    for (int a = 0; a < AX_COUNT; a++)
        w->axis[a] = -1;
    w->block_size = o->block_size;
    w->chunk_paths = o->block_size > 0 ? o->block_size : CHUNK_PATHS;
    w->n_blocks = o->block_size > 0 ? (o->n_paths + o->block_size - 1) / o->block_size : 0;
    w->path = strdup(o->path);
    w->tmp = hp_output_partial_name(o->path);
    w->done = calloc(w->n_blocks ? w->n_blocks : 1, 1);
    w->last_checkpoint = hp_now();
    if (w->path == NULL || w->tmp == NULL || w->done == NULL) {
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

/* Collective writer_new: every rank gets a writer, or none does. */
hp_output *out_writer_new_all(const hp_output_opts *o, const hp_layout *l, hp_err *err)
{
    hp_output *w = writer_new(o, l);
    if (hp_par_agree(w == NULL ? hp_fail(err, o->path, 0, NULL, "out of memory") : 0, err) < 0) {
        out_writer_free(w);
        return NULL;
    }
    return w;
}

/* Collective. Rank 0 checks the destination and creates the whole file
 * alone with the serial driver (attributes, variable-length strings and
 * dimension scales need no coordination then); under MPI every rank then
 * opens it through MPI-IO for the block writes. */
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
    if (root) {
        w->file = out_create_file(w->tmp);
        rc = w->file < 0 ? hp_h5_fail(err, o->path, "cannot create %s", w->tmp)
                         : out_fill_new_file(w, o, err);
        if (rc == 0 && hp_par_active() && out_close_handles(w) < 0)
            rc = hp_h5_fail(err, o->path, "cannot close %s", w->tmp);
        if (rc < 0 && w->file >= 0) {
            out_close_handles(w);
            unlink(w->tmp);
        }
    }
    rc = hp_par_agree(rc, err);
    if (rc == 0 && hp_par_active()) {
        rc = hp_par_agree(out_open_handles(w, err), err);
        if (rc < 0) {
            out_close_handles(w);
            if (root)
                unlink(w->tmp);
        }
    }
    if (rc < 0) {
        out_writer_free(w);
        w = NULL;
    }
    hp_h5_quiet_end(q);
    return w;
}


/* Marks a file complete: status, and the progress record is dropped. */
static int finish_file(hid_t file)
{
    if (hp_h5_attr_write_str(file, "status", "complete") < 0)
        return -1;
    if (H5Lexists(file, "progress", H5P_DEFAULT) > 0 && H5Ldelete(file, "progress", H5P_DEFAULT) < 0)
        return -1;
    return 0;
}

/* Collective. Under MPI-IO every rank closes, then rank 0 reopens the file
 * alone to finish it; it alone syncs and renames. */
int hp_output_close(hp_output *w, hp_err *err)
{
    if (w->failed || w->written != w->n_paths) {
        if (!w->failed)
            hp_fail(err, w->path, 0, NULL, "only %" PRIu64 " of %" PRIu64 " paths were written",
                    w->written, w->n_paths);
        else
            hp_fail(err, w->path, 0, NULL, "not completed: a block failed");
        hp_output_abort(w);
        return -1;
    }
    hp_h5_quiet q = hp_h5_quiet_begin();
    char *path = w->path, *tmp = w->tmp;
    int force = w->force, keep = w->keep, root = hp_par_rank() == 0, rc = 0;
    w->path = w->tmp = NULL;
    if (w->mpio) {
        rc = hp_par_agree(out_close_handles(w) < 0 ? hp_h5_fail(err, path, "cannot close %s", tmp) : 0, err);
        if (rc == 0 && root && (w->file = H5Fopen(tmp, H5F_ACC_RDWR, H5P_DEFAULT)) < 0)
            rc = hp_h5_fail(err, path, "cannot reopen %s", tmp);
    }
    if (rc == 0 && root && finish_file(w->file) < 0)
        rc = hp_h5_fail(err, path, "cannot set status");
    if (out_writer_free(w) < 0 && rc == 0)
        rc = hp_h5_fail(err, path, "cannot close %s", tmp);
    hp_h5_quiet_end(q);
    if (root && rc == 0 && out_sync_file(tmp) < 0)
        rc = hp_fail(err, path, 0, NULL, "cannot sync %s: %s", tmp, strerror(errno));
    if (root && rc == 0 && out_rename_final(tmp, path, force) < 0) {
        const char *kept = keep ? "; the finished results stay in " : "";
        if (errno == EEXIST)
            rc = hp_fail(err, path, 0, NULL, "exists; use --force to overwrite%s%s", kept, keep ? tmp : "");
        else
            rc = hp_fail(err, path, 0, NULL, "cannot rename %s: %s%s%s", tmp, strerror(errno), kept,
                         keep ? tmp : "");
    }
    if (root && rc < 0 && !keep)
        unlink(tmp);
    rc = hp_par_agree(rc, err);
    free(tmp);
    free(path);
    return rc;
}

/* Collective. Closes without finishing: the file keeps its progress
 * record and status "incomplete" for --resume. */
int hp_output_suspend(hp_output *w, hp_err *err)
{
    hp_h5_quiet q0 = hp_h5_quiet_begin();
    int rc0 = out_checkpoint(w, err);
    hp_h5_quiet_end(q0);
    if (rc0 < 0) {
        hp_output_abort(w);
        return -1;
    }
    char *path = w->path, *tmp = w->tmp;
    w->path = w->tmp = NULL;
    hp_h5_quiet q = hp_h5_quiet_begin();
    int rc = out_writer_free(w) < 0 ? hp_h5_fail(err, path, "cannot close %s", tmp) : 0;
    hp_h5_quiet_end(q);
    if (rc == 0 && hp_par_rank() == 0 && out_sync_file(tmp) < 0)
        rc = hp_fail(err, path, 0, NULL, "cannot sync %s: %s", tmp, strerror(errno));
    rc = hp_par_agree(rc, err);
    free(tmp);
    free(path);
    return rc;
}

void hp_output_abort(hp_output *w)
{
    if (w == NULL)
        return;
    char *tmp = w->tmp;
    int keep = w->keep;
    w->tmp = NULL;
    hp_h5_quiet q = hp_h5_quiet_begin();
    out_writer_free(w);
    hp_h5_quiet_end(q);
    if (tmp != NULL && !keep && hp_par_rank() == 0)
        unlink(tmp);
    free(tmp);
}


