/* output_resume: reading a partial results file back for --resume (see
 * output.h): its identity, then every block its progress record calls
 * complete. */
#include "output_int.h"

#include <inttypes.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "h5util.h"
#include "par.h"
#include "resfile.h"
#include "version.h"

/* ---- resuming ------------------------------------------------------------ */

/* A scalar string dataset (the config texts) as a malloc'd string. */
static char *get_string_dataset(hid_t file, const char *name)
{
    if (H5Lexists(file, "config", H5P_DEFAULT) <= 0 || H5Lexists(file, name, H5P_DEFAULT) <= 0)
        return NULL;
    hid_t d = H5Dopen2(file, name, H5P_DEFAULT), t = hp_h5_str_type();
    char *v = NULL, *out = NULL;
    if (d >= 0 && t >= 0 && H5Dread(d, t, H5S_ALL, H5S_ALL, H5P_DEFAULT, &v) >= 0) {
        out = strdup(v != NULL ? v : "");
        H5free_memory(v);
    }
    hp_h5_close(&t, H5Tclose);
    hp_h5_close(&d, H5Dclose);
    return out;
}

/* Same text, NULL counting as "". */
static int same_text(const char *a, const char *b)
{
    return strcmp(a != NULL ? a : "", b != NULL ? b : "") == 0;
}

/* Rank 0's part of hp_output_read_meta: open read-only and check that the
 * file is an unfinished hashpivot run this build can continue. */
static int read_meta_local(const char *partial, hp_output_meta *m, hp_err *err)
{
    int32_t fmt[2] = { 0, 0 };
    hid_t f = hp_resfile_open(partial, "cannot resume", fmt, err);
    if (f < 0)
        return -1;
    char *status = hp_h5_attr_text(f, "status");
    char *version = hp_h5_attr_text(f, "software_version"), *commit = hp_h5_attr_text(f, "git_commit");
    int rc = 0;
    if (fmt[1] > HP_FORMAT_MINOR)
        rc = hp_fail(err, partial, 0, NULL, "cannot resume: format version %d.%d, this build writes %d.%d",
                     fmt[0], fmt[1], HP_FORMAT_MAJOR, HP_FORMAT_MINOR);
    else if (status != NULL && strcmp(status, "complete") == 0)
        rc = hp_fail(err, partial, 0, NULL, "is complete already but was not renamed (a crash while "
                     "closing); rename it to its final name");
    else if (!same_text(version, HP_VERSION) || !same_text(commit, HP_GIT_COMMIT))
        rc = hp_fail(err, partial, 0, NULL, "cannot resume: written by hashpivot %s (commit %s), this is "
                     "%s (commit %s); resume with the same build, or start over with --force",
                     version ? version : "?", commit ? commit : "?", HP_VERSION, HP_GIT_COMMIT);
    else if (hp_h5_attr_read(f, "seed", H5T_NATIVE_UINT64, 1, &m->seed) < 0
             || hp_h5_attr_read(f, "n_paths", H5T_NATIVE_UINT64, 1, &m->n_paths) < 0)
        rc = hp_fail(err, partial, 0, NULL, "cannot resume: no seed or n_paths attribute");
    else if ((m->config_resolved = get_string_dataset(f, "config/resolved")) == NULL)
        rc = hp_fail(err, partial, 0, NULL, "cannot resume: no /config/resolved");
    if (rc == 0) {
        hid_t g = H5Lexists(f, "progress", H5P_DEFAULT) > 0 ? H5Gopen2(f, "progress", H5P_DEFAULT) : -1;
        if (g < 0 || hp_h5_attr_read(g, "block_size", H5T_NATIVE_UINT64, 1, &m->block_size) < 0
            || m->block_size == 0)
            rc = hp_fail(err, partial, 0, NULL, "cannot resume: no progress record");
        hp_h5_close(&g, H5Gclose);
    }
    free(status);
    free(version);
    free(commit);
    H5Fclose(f);
    return rc;
}

int hp_output_read_meta(const char *partial, hp_output_meta *m, hp_err *err)
{
    memset(m, 0, sizeof *m);
    int rc = 0;
    if (hp_par_rank() == 0) {
        hp_h5_quiet q = hp_h5_quiet_begin();
        rc = read_meta_local(partial, m, err);
        hp_h5_quiet_end(q);
    }
    if (hp_par_agree(rc, err) < 0) {
        hp_output_meta_free(m);
        return -1;
    }
    uint64_t nums[3] = { m->seed, m->n_paths, m->block_size };
    hp_par_bcast(nums, sizeof nums);
    m->seed = nums[0];
    m->n_paths = nums[1];
    m->block_size = nums[2];
    char *text = hp_par_bcast_str(m->config_resolved);
    free(m->config_resolved);
    m->config_resolved = text;
    return 0;
}

void hp_output_meta_free(hp_output_meta *m)
{
    free(m->config_resolved);
    m->config_resolved = NULL;
}

/* 1 when block b of dataset d reads back and is not all fill values: a
 * block whose flag reached the disk but whose chunk index entry did not
 * (a kill between flushes) reads as fill. 0 when it must be redone, -1
 * when out of memory. Independent reads. */
static int block_present(hp_output *w, wds *d, uint64_t b)
{
    if (out_ds_empty(w, d))
        return 1;
    hsize_t cnt[3], start[3];
    int axes[3];
    int rank = out_ds_dims(d, out_block_paths(w, b), cnt, axes);
    size_t n = 1;
    for (int k = 0; k < rank; k++) {
        start[k] = axes[k] == AX_PATH ? b * w->block_size : 0;
        n *= cnt[k];
    }
    if (out_reserve(w, n * out_etype_size(d->etype)) < 0)
        return -1;
    hid_t fs = H5Dget_space(d->id), ms = H5Screate_simple(rank, cnt, NULL);
    int ok = fs >= 0 && ms >= 0
             && H5Sselect_hyperslab(fs, H5S_SELECT_SET, start, NULL, cnt, NULL) >= 0
             && H5Dread(d->id, out_etype_mem(d->etype), ms, fs, H5P_DEFAULT, w->buf) >= 0;
    hp_h5_close(&fs, H5Sclose);
    hp_h5_close(&ms, H5Sclose);
    if (!ok)
        return 0;
    for (size_t i = 0; i < n; i++) {
        int fill = d->etype == ET_DOUBLE ? isnan(((double *)w->buf)[i])
                 : d->etype == ET_FLOAT ? isnan(((float *)w->buf)[i])
                 : ((int32_t *)w->buf)[i] == HALVING_UNWRITTEN;
        if (!fill)
            return 1;
    }
    return 0;
}

/* Reads the flags and re-reads every block they call complete (the ranks
 * share the blocks); blocks that fail are cleared, on disk too, and will
 * be simulated again. */
static int verify_done(hp_output *w, hp_output_resumed *info, hp_err *err)
{
    int ok = H5Dread(w->progress, H5T_NATIVE_UINT8, H5S_ALL, H5S_ALL, H5P_DEFAULT, w->done) >= 0;
    if (hp_par_agree(ok ? 0 : hp_h5_fail(err, w->tmp, "cannot read /progress"), err) < 0)
        return -1;
    uint8_t *bad = calloc(w->n_blocks, 1);
    int rc = bad == NULL ? hp_fail(err, w->tmp, 0, NULL, "out of memory") : 0;
    uint64_t k = 0, rank = (uint64_t)hp_par_rank(), size = (uint64_t)hp_par_size();
    for (uint64_t b = 0; rc == 0 && b < w->n_blocks; b++) {
        if (w->done[b] == 0 || k++ % size != rank)
            continue;
        for (int i = 0; rc == 0 && i < w->n_ds && !bad[b]; i++) {
            int r = w->done[b] != 1 ? 0 : block_present(w, &w->ds[i], b);
            if (r < 0)
                rc = hp_fail(err, w->tmp, 0, NULL, "out of memory");
            bad[b] = r == 0;
        }
    }
    if (hp_par_agree(rc, err) < 0) {
        free(bad);
        return -1;
    }
    hp_par_max_bytes(bad, w->n_blocks);
    info->blocks = w->n_blocks;
    for (uint64_t b = 0; b < w->n_blocks; b++) {
        if (bad[b])
            info->rejected++;
        w->done[b] = w->done[b] && !bad[b];
        if (w->done[b]) {
            info->done++;
            w->written += out_block_paths(w, b);
        }
    }
    free(bad);
    if (info->rejected > 0) {
        rc = out_write_flags(w, 0, w->n_blocks - 1) < 0 ? hp_h5_fail(err, w->tmp, "cannot write /progress") : 0;
        rc = hp_par_agree(rc, err);
        if (rc == 0 && H5Fflush(w->file, H5F_SCOPE_GLOBAL) < 0)
            rc = hp_h5_fail(err, w->tmp, "cannot flush");
        rc = hp_par_agree(rc, err);
    }
    return rc;
}

/* The root attributes must agree with the config the file holds. */
static int check_identity(hp_output *w, const hp_output_opts *o, hp_err *err)
{
    uint64_t seed = 0, n_paths = 0, bs = 0;
    hid_t g = H5Gopen2(w->file, "progress", H5P_DEFAULT);
    int ok = hp_h5_attr_read(w->file, "seed", H5T_NATIVE_UINT64, 1, &seed) == 0
             && hp_h5_attr_read(w->file, "n_paths", H5T_NATIVE_UINT64, 1, &n_paths) == 0
             && g >= 0 && hp_h5_attr_read(g, "block_size", H5T_NATIVE_UINT64, 1, &bs) == 0;
    hp_h5_close(&g, H5Gclose);
    if (!ok)
        return hp_fail(err, w->tmp, 0, NULL, "cannot resume: seed, n_paths or block size missing");
    if (seed != o->seed || n_paths != o->n_paths || bs != o->block_size)
        return hp_fail(err, w->tmp, 0, NULL, "cannot resume: the file says seed %" PRIu64 ", %" PRIu64
                       " paths, blocks of %" PRIu64 "; its config says seed %" PRIu64 ", %" PRIu64
                       " paths, blocks of %" PRIu64, seed, n_paths, bs, o->seed, o->n_paths, o->block_size);
    return 0;
}

hp_output *hp_output_reopen(const hp_output_opts *o, const hp_layout *l, hp_output_resumed *info,
                            hp_err *err)
{
    memset(info, 0, sizeof *info);
    int rc = out_check_layout(o, l, err);
    if (rc == 0 && o->block_size == 0)
        rc = hp_fail(err, o->path, 0, NULL, "cannot resume without a block size");
    if (hp_par_agree(rc, err) < 0)
        return NULL;
    hp_output *w = out_writer_new_all(o, l, err);
    if (w == NULL)
        return NULL;
    w->keep = 1;
    hp_h5_quiet q = hp_h5_quiet_begin();
    rc = hp_par_agree(out_open_handles(w, err), err);
    if (rc == 0)
        rc = hp_par_agree(check_identity(w, o, err), err);
    if (rc == 0)
        rc = verify_done(w, info, err);
    hp_h5_quiet_end(q);
    if (rc < 0) {
        hp_output_abort(w);
        return NULL;
    }
    return w;
}

