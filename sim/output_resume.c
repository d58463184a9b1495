/* output_resume: reading blocks back against their checksums, at the end
 * of a run and when --resume reopens a partial file (see output.h and
 * output_int.h). */
#include "output_int.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "h5util.h"
#include "par.h"
#include "resfile.h"
#include "version.h"

/* ---- the identity of a partial file ---------------------------------------- */

/* Same text, NULL counting as "". */
static int same_text(const char *a, const char *b)
{
    return strcmp(a != NULL ? a : "", b != NULL ? b : "") == 0;
}

/* 1 when the progress record is whole: its attributes and both datasets.
 * It is created last, so without it the run was killed while creating
 * the file. */
static int has_progress(hid_t f, hp_output_meta *m)
{
    uint64_t n_blocks = 0;
    hid_t g = H5Lexists(f, "progress", H5P_DEFAULT) > 0 ? H5Gopen2(f, "progress", H5P_DEFAULT) : -1;
    int ok = g >= 0 && hp_h5_attr_read(g, "block_size", H5T_NATIVE_UINT64, 1, &m->block_size) == 0
             && hp_h5_attr_read(g, "n_blocks", H5T_NATIVE_UINT64, 1, &n_blocks) == 0
             && m->block_size > 0 && n_blocks == (m->n_paths + m->block_size - 1) / m->block_size
             && H5Lexists(g, "block_done", H5P_DEFAULT) > 0 && H5Lexists(g, "block_checksum", H5P_DEFAULT) > 0;
    hp_h5_close(&g, H5Gclose);
    return ok;
}

/* Rank 0's part of hp_output_read_meta: open read-only and check that the
 * file is an unfinished hashpivot run this build can continue. */
static int read_meta_local(const char *partial, hp_output_meta *m, hp_err *err)
{
    int32_t fmt[2] = { 0, 0 };
    struct stat st;
    hid_t f = hp_resfile_open(partial, "cannot resume", fmt, err);
    if (f < 0) {
        if (lstat(partial, &st) == 0) {
            hp_err e = { 0 };
            hp_fail(&e, NULL, 0, NULL, "%s; if a run was killed while creating it, start over with "
                    "--force", err->msg);
            *err = e;
        }
        return -1;
    }
    char *status = hp_h5_attr_text(f, "status");
    char *version = hp_h5_attr_text(f, "software_version"), *commit = hp_h5_attr_text(f, "git_commit");
    int rc = 0;
    m->closing = status != NULL && strcmp(status, "complete") == 0;
    if (fmt[1] > HP_FORMAT_MINOR)
        rc = hp_fail(err, partial, 0, NULL, "cannot resume: format version %d.%d, this build writes %d.%d",
                     fmt[0], fmt[1], HP_FORMAT_MAJOR, HP_FORMAT_MINOR);
    else if (!same_text(version, HP_VERSION) || !same_text(commit, HP_GIT_COMMIT))
        rc = hp_fail(err, partial, 0, NULL, "cannot resume: written by hashpivot %s (commit %s), this is "
                     "%s (commit %s); resume with the same build, or start over with --force",
                     version ? version : "?", commit ? commit : "?", HP_VERSION, HP_GIT_COMMIT);
    else if (hp_h5_attr_read(f, "seed", H5T_NATIVE_UINT64, 1, &m->seed) < 0
             || hp_h5_attr_read(f, "n_paths", H5T_NATIVE_UINT64, 1, &m->n_paths) < 0 || m->n_paths == 0)
        rc = hp_fail(err, partial, 0, NULL, "cannot resume: no seed or n_paths attribute");
    else if ((m->config_resolved = hp_h5_string_dataset(f, "config/resolved")) == NULL)
        rc = hp_fail(err, partial, 0, NULL, "cannot resume: no /config/resolved");
    else if (!has_progress(f, m))
        rc = hp_fail(err, partial, 0, NULL, "cannot resume: no progress record, so the run was killed while "
                     "creating the file; start over with --force");
    if (rc == 0)
        m->inputs = hp_h5_string_dataset(f, "config/inputs");
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
    uint64_t nums[4] = { m->seed, m->n_paths, m->block_size, (uint64_t)m->closing };
    hp_par_bcast(nums, sizeof nums);
    m->seed = nums[0];
    m->n_paths = nums[1];
    m->block_size = nums[2];
    m->closing = (int)nums[3];
    char *text = hp_par_bcast_str(m->config_resolved), *inputs = hp_par_bcast_str(m->inputs);
    free(m->config_resolved);
    free(m->inputs);
    m->config_resolved = text;
    m->inputs = inputs;
    return 0;
}

void hp_output_meta_free(hp_output_meta *m)
{
    free(m->config_resolved);
    free(m->inputs);
    m->config_resolved = m->inputs = NULL;
}

/* ---- reading blocks back --------------------------------------------------- */

/* 1 when block b reads back from every dataset with the checksum recorded
 * for it, 0 when it must be redone (unreadable, never written, damaged),
 * -1 when out of memory. */
static int block_ok(hp_output *w, uint64_t b)
{
    uint64_t sum = SUM_SEED, paths = out_block_paths(w, b);
    for (int i = 0; i < w->n_ds; i++) {
        wds *d = &w->ds[i];
        if (out_ds_empty(w, d))
            continue;
        hid_t fs = -1, ms = -1;
        size_t n = 0;
        int ok = out_select_block(w, d, b, &fs, &ms, &n) == 0;
        if (ok && out_reserve(w, n * out_etype_size(d->etype)) < 0) {
            hp_h5_close(&fs, H5Sclose);
            hp_h5_close(&ms, H5Sclose);
            return -1;
        }
        ok = ok && H5Dread(d->id, out_etype_mem(d->etype), ms, fs, H5P_DEFAULT, w->buf) >= 0;
        hp_h5_close(&fs, H5Sclose);
        hp_h5_close(&ms, H5Sclose);
        if (!ok)
            return 0;
        out_hash_runs(d, w->buf, paths, paths, &sum);
    }
    return sum == w->sum[b];
}

/* Rank 0's part of out_verify_blocks: every flagged block read back; the
 * ones that fail are cleared, in memory and on disk. *rejected, *first_bad. */
static int verify_local(hp_output *w, int all, uint64_t *rejected, uint64_t *first_bad, hp_err *err)
{
    if (!all && (H5Dread(w->progress, H5T_NATIVE_UINT8, H5S_ALL, H5S_ALL, H5P_DEFAULT, w->done) < 0
                 || H5Dread(w->sums, H5T_NATIVE_UINT64, H5S_ALL, H5S_ALL, H5P_DEFAULT, w->sum) < 0))
        return hp_h5_fail(err, w->tmp, "cannot read /progress");
    for (uint64_t b = 0; b < w->n_blocks; b++) {
        if (w->done[b] == 0)
            continue;
        int r = w->done[b] != 1 ? 0 : block_ok(w, b);
        if (r < 0)
            return hp_fail(err, w->tmp, 0, NULL, "out of memory");
        if (r == 0) {
            if ((*rejected)++ == 0)
                *first_bad = b;
            w->done[b] = 0;
            w->sum[b] = 0;
        }
    }
    if (*rejected > 0 && (out_write_flags(w, 0, w->n_blocks - 1) < 0 || H5Fflush(w->file, H5F_SCOPE_GLOBAL) < 0))
        return hp_h5_fail(err, w->tmp, "cannot write /progress");
    return 0;
}

/* Reads every block flagged done back against its checksum (rank 0, the
 * one process with the file open). With all (the end of a run) every block
 * must pass: a failure is an error, and the failed blocks lose their flags
 * on disk so that --resume redoes them. Without (--resume) the flags and
 * checksums come from the file, and the blocks that fail are cleared, on
 * disk too, to be simulated again; info gets the counts. Collective: every
 * rank ends with the same flags and checksums. */
int out_verify_blocks(hp_output *w, int all, hp_output_resumed *info, hp_err *err)
{
    uint64_t rejected = 0, first_bad = 0;
    int rc = hp_par_agree(hp_par_rank() == 0 ? verify_local(w, all, &rejected, &first_bad, err) : 0, err);
    if (rc < 0)
        return -1;
    uint64_t counts[2] = { rejected, first_bad };
    hp_par_bcast(counts, sizeof counts);
    hp_par_bcast(w->done, w->n_blocks);
    hp_par_bcast(w->sum, w->n_blocks * sizeof *w->sum);
    w->written = 0;
    uint64_t done = 0;
    for (uint64_t b = 0; b < w->n_blocks; b++)
        if (w->done[b]) {
            done++;
            w->written += out_block_paths(w, b);
        }
    if (info != NULL) {
        info->blocks = w->n_blocks;
        info->done = done;
        info->rejected = counts[0];
    }
    if (all && counts[0] > 0)
        return hp_fail(err, w->tmp, 0, NULL, "%" PRIu64 " block(s), the first block %" PRIu64 ", read back "
                       "differently from what was written; they will be simulated again by --resume",
                       counts[0], counts[1]);
    return 0;
}

/* ---- reopening ---------------------------------------------------------------- */

/* Rank 0, before anyone opens the file for writing: a kill after HDF5 wrote
 * chunks and index entries but before it wrote the superblock leaves the
 * end-of-allocation mark (EOA) recorded in the file short of its real end.
 * As `h5clear --increment` does, the mark moves up to the end of the file:
 * the index entries then point inside it, and new chunks go after
 * everything on disk (output_int.h). */
static int repair_eoa(hp_output *w, hp_err *err)
{
    hid_t fapl = out_file_access();
    hid_t f = fapl < 0 ? -1 : H5Fopen(w->tmp, H5F_ACC_RDWR, fapl);
    hp_h5_close(&fapl, H5Pclose);
    if (f < 0)
        return hp_h5_fail(err, w->tmp, "cannot resume: cannot open for writing");
    int rc = H5Fincrement_filesize(f, 0) < 0 ? hp_h5_fail(err, w->tmp, "cannot resume: cannot set the end of "
                                                          "file") : 0;
    if (H5Fclose(f) < 0 && rc == 0)
        rc = hp_h5_fail(err, w->tmp, "cannot resume: cannot close");
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
    if (hp_par_rank() == 0) {
        rc = out_lock(w, 0, err);
        if (rc == 0)
            rc = repair_eoa(w, err);
        if (rc == 0)
            rc = out_open_handles(w, err);
        if (rc == 0)
            rc = out_same_file(w, err);
        if (rc == 0)
            rc = check_identity(w, o, err);
    }
    rc = hp_par_agree(rc, err);
    if (rc == 0)
        rc = out_verify_blocks(w, 0, info, err);
    hp_h5_quiet_end(q);
    if (rc < 0) {
        hp_output_abort(w);
        return NULL;
    }
    w->flagged = info->done > 0;
    return w;
}
