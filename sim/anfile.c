/* anfile: writing an analysis file (see anfile.h). */
#include "anfile.h"

#include <errno.h>
#include <fcntl.h>
#include <hdf5_hl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "fsutil.h"
#include "h5util.h"
#include "version.h"

struct hp_anfile {
    hid_t file;
    char *path, *tmp;
    int force;
    int failed;          /* sticky: an HDF5 call failed               */
    char what[640];      /* what failed first                         */
    hp_h5_quiet quiet;
};

/* Records the first failure; later calls become no-ops. */
static void h5_check(hp_anfile *f, int ok, const char *what, const char *name)
{
    if (ok || f->failed)
        return;
    char why[256];
    hp_h5_reason(why);
    f->failed = 1;
    snprintf(f->what, sizeof f->what, "%s %s%s%s", what, name, why[0] ? ": " : "", why);
}

/* Datasets without modification times either: only `created` differs
 * between two files of the same analysis. */
static hid_t dataset_plist(void)
{
    hid_t p = H5Pcreate(H5P_DATASET_CREATE);
    if (p >= 0 && H5Pset_obj_track_times(p, 0) < 0) {
        H5Pclose(p);
        return -1;
    }
    return p;
}

void hp_anfile_attr_str(hp_anfile *f, hid_t loc, const char *name, const char *v)
{
    if (f->failed)
        return;
    const char *s = v != NULL ? v : "";
    hid_t t = hp_h5_str_type(), sp = H5Screate(H5S_SCALAR);
    hid_t a = -1;
    if (t >= 0 && sp >= 0)
        a = H5Aexists(loc, name) > 0 ? H5Aopen(loc, name, H5P_DEFAULT)
                                     : H5Acreate2(loc, name, t, sp, H5P_DEFAULT, H5P_DEFAULT);
    h5_check(f, a >= 0 && H5Awrite(a, t, &s) >= 0, "cannot write attribute", name);
    if (a >= 0) H5Aclose(a);
    if (sp >= 0) H5Sclose(sp);
    if (t >= 0) H5Tclose(t);
}

static void attr_num(hp_anfile *f, hid_t loc, const char *name, hid_t ftype, hid_t mtype,
                     hsize_t n, const void *v)
{
    if (f->failed)
        return;
    hid_t sp = n == 0 ? H5Screate(H5S_SCALAR) : H5Screate_simple(1, &n, NULL);
    hid_t a = sp < 0 ? -1 : H5Acreate2(loc, name, ftype, sp, H5P_DEFAULT, H5P_DEFAULT);
    h5_check(f, a >= 0 && H5Awrite(a, mtype, v) >= 0, "cannot write attribute", name);
    if (a >= 0) H5Aclose(a);
    if (sp >= 0) H5Sclose(sp);
}

void hp_anfile_attr_f64(hp_anfile *f, hid_t loc, const char *name, double v)
{
    attr_num(f, loc, name, H5T_IEEE_F64LE, H5T_NATIVE_DOUBLE, 0, &v);
}

void hp_anfile_attr_i64(hp_anfile *f, hid_t loc, const char *name, int64_t v)
{
    attr_num(f, loc, name, H5T_STD_I64LE, H5T_NATIVE_INT64, 0, &v);
}

/* A dataset written whole: type, shape, data. */
static hid_t dataset(hp_anfile *f, hid_t g, const char *name, hid_t ftype, hid_t mtype, int rank,
                     const hsize_t *dims, const void *data)
{
    if (f->failed)
        return -1;
    hid_t sp = H5Screate_simple(rank, dims, NULL), dcpl = dataset_plist();
    hid_t d = sp < 0 || dcpl < 0 ? -1 : H5Dcreate2(g, name, ftype, sp, H5P_DEFAULT, dcpl, H5P_DEFAULT);
    hsize_t total = 1;
    for (int i = 0; i < rank; i++)
        total *= dims[i];
    int ok = d >= 0 && (total == 0 || H5Dwrite(d, mtype, H5S_ALL, H5S_ALL, H5P_DEFAULT, data) >= 0);
    h5_check(f, ok, "cannot write", name);
    if (sp >= 0) H5Sclose(sp);
    if (dcpl >= 0) H5Pclose(dcpl);
    if (!ok && d >= 0) {
        H5Dclose(d);
        d = -1;
    }
    return d;
}

static void finish_axis(hp_anfile *f, hid_t d, const char *name, const char *units, const char *long_name)
{
    if (d < 0)
        return;
    h5_check(f, H5DSset_scale(d, name) >= 0, "cannot make a dimension scale of", name);
    if (units != NULL)
        hp_anfile_attr_str(f, d, "units", units);
    hp_anfile_attr_str(f, d, "long_name", long_name);
    H5Dclose(d);
}

void hp_anfile_axis_str(hp_anfile *f, hid_t g, const char *name, const char *const *v, size_t n,
                        const char *long_name)
{
    hid_t t = hp_h5_str_type();
    hsize_t dim = n;
    hid_t d = t < 0 ? -1 : dataset(f, g, name, t, t, 1, &dim, v);
    if (t >= 0) H5Tclose(t);
    finish_axis(f, d, name, NULL, long_name);
}

void hp_anfile_axis_f64(hp_anfile *f, hid_t g, const char *name, const double *v, size_t n,
                        const char *units, const char *long_name)
{
    hsize_t dim = n;
    finish_axis(f, dataset(f, g, name, H5T_IEEE_F64LE, H5T_NATIVE_DOUBLE, 1, &dim, v), name, units,
                long_name);
}

hid_t hp_anfile_root(const hp_anfile *f)
{
    return f->file;
}

void hp_anfile_axis_index(hp_anfile *f, hid_t g, const char *name, uint64_t n, const char *long_name)
{
    uint64_t *v = malloc((n > 0 ? n : 1) * sizeof *v);
    h5_check(f, v != NULL, "out of memory for", name);
    if (v == NULL)
        return;
    for (uint64_t i = 0; i < n; i++)
        v[i] = i;
    hsize_t dim = n;
    finish_axis(f, dataset(f, g, name, H5T_STD_U64LE, H5T_NATIVE_UINT64, 1, &dim, v), name, NULL, long_name);
    free(v);
}

void hp_anfile_f64(hp_anfile *f, hid_t g, const char *name, int rank, const uint64_t *dims,
                   const char *const *axes, const double *v, const char *units, const char *long_name)
{
    hsize_t hd[8];
    for (int i = 0; i < rank && i < 8; i++)
        hd[i] = dims[i];
    hid_t d = dataset(f, g, name, H5T_IEEE_F64LE, H5T_NATIVE_DOUBLE, rank, hd, v);
    if (d < 0)
        return;
    for (int i = 0; i < rank && axes != NULL; i++) {
        hid_t ax = H5Dopen2(g, axes[i], H5P_DEFAULT);
        h5_check(f, ax >= 0 && H5DSattach_scale(d, ax, (unsigned)i) >= 0, "cannot attach axis to", name);
        if (ax >= 0)
            H5Dclose(ax);
    }
    hp_anfile_attr_str(f, d, "units", units);
    hp_anfile_attr_str(f, d, "long_name", long_name);
    H5Dclose(d);
}

void hp_anfile_strs(hp_anfile *f, hid_t g, const char *name, const char *axis, const char *const *v,
                    size_t n, const char *long_name)
{
    hid_t t = hp_h5_str_type();
    hsize_t dim = n;
    hid_t d = t < 0 ? -1 : dataset(f, g, name, t, t, 1, &dim, v);
    if (t >= 0) H5Tclose(t);
    if (d < 0)
        return;
    hid_t ax = H5Dopen2(g, axis, H5P_DEFAULT);
    h5_check(f, ax >= 0 && H5DSattach_scale(d, ax, 0) >= 0, "cannot attach axis to", name);
    if (ax >= 0)
        H5Dclose(ax);
    hp_anfile_attr_str(f, d, "long_name", long_name);
    H5Dclose(d);
}

hid_t hp_anfile_group(hp_anfile *f, hid_t parent, const char *name)
{
    if (f->failed)
        return -1;
    hid_t p = hp_h5_group_plist();
    hid_t g = p < 0 ? -1 : H5Gcreate2(parent, name, H5P_DEFAULT, p, H5P_DEFAULT);
    h5_check(f, g >= 0, "cannot create group", name);
    if (p >= 0)
        H5Pclose(p);
    return g;
}

void hp_anfile_close_group(hid_t g)
{
    if (g >= 0)
        H5Gclose(g);
}

int hp_anfile_check(const char *path, int force, hp_err *err)
{
    struct stat st;
    if (!force && stat(path, &st) == 0)
        return hp_fail(err, path, 0, NULL, "exists; use --force to overwrite");
    return 0;
}

static void now_iso(char *buf, size_t n)
{
    time_t t = time(NULL);
    struct tm tm;
    gmtime_r(&t, &tm);
    strftime(buf, n, "%Y-%m-%dT%H:%M:%SZ", &tm);
}

/* A scalar string dataset (the config texts). */
static void text_dataset(hp_anfile *f, hid_t g, const char *name, const char *text)
{
    hid_t t = hp_h5_str_type(), sp = H5Screate(H5S_SCALAR), dcpl = dataset_plist();
    const char *s = text != NULL ? text : "";
    hid_t d = t < 0 || sp < 0 || dcpl < 0 ? -1 : H5Dcreate2(g, name, t, sp, H5P_DEFAULT, dcpl, H5P_DEFAULT);
    h5_check(f, d >= 0 && H5Dwrite(d, t, H5S_ALL, H5S_ALL, H5P_DEFAULT, &s) >= 0, "cannot write", name);
    if (d >= 0) H5Dclose(d);
    if (dcpl >= 0) H5Pclose(dcpl);
    if (sp >= 0) H5Sclose(sp);
    if (t >= 0) H5Tclose(t);
}

hp_anfile *hp_anfile_create(const hp_anfile_meta *m, hp_err *err)
{
    if (hp_anfile_check(m->path, m->force, err) != 0)
        return NULL;
    hp_anfile *f = calloc(1, sizeof *f);
    size_t len = strlen(m->path) + 9;
    if (f == NULL || (f->path = strdup(m->path)) == NULL || (f->tmp = malloc(len)) == NULL) {
        if (f != NULL) {
            free(f->path);
            free(f);
        }
        hp_fail(err, m->path, 0, NULL, "out of memory");
        return NULL;
    }
    snprintf(f->tmp, len, "%s.partial", m->path);
    f->force = m->force;
    f->quiet = hp_h5_quiet_begin();
    hid_t fcpl = H5Pcreate(H5P_FILE_CREATE);
    if (fcpl >= 0)
        H5Pset_link_creation_order(fcpl, H5P_CRT_ORDER_TRACKED | H5P_CRT_ORDER_INDEXED);
    hid_t fapl = hp_h5_fapl();
    f->file = H5Fcreate(f->tmp, H5F_ACC_TRUNC, fcpl >= 0 ? fcpl : H5P_DEFAULT, fapl >= 0 ? fapl : H5P_DEFAULT);
    hp_h5_close(&fapl, H5Pclose);
    if (fcpl >= 0)
        H5Pclose(fcpl);
    if (f->file < 0) {
        char why[256];
        hp_h5_reason(why);
        hp_fail(err, m->path, 0, NULL, "cannot create %s%s%s", f->tmp, why[0] ? ": " : "", why);
        hp_h5_quiet_end(f->quiet);
        free(f->tmp);
        free(f->path);
        free(f);
        return NULL;
    }
    int32_t ver[2] = {HP_ANFILE_MAJOR, HP_ANFILE_MINOR};
    char created[32];
    now_iso(created, sizeof created);
    hp_anfile_attr_str(f, f->file, "filetype", HP_ANFILE_TYPE);
    attr_num(f, f->file, "format_version", H5T_STD_I32LE, H5T_NATIVE_INT32, 2, ver);
    hp_anfile_attr_str(f, f->file, "analysis", m->analysis);
    hp_anfile_attr_str(f, f->file, "software_version", HP_VERSION);
    hp_anfile_attr_str(f, f->file, "git_commit", HP_GIT_COMMIT);
    hp_anfile_attr_str(f, f->file, "created", created);
    attr_num(f, f->file, "seed", H5T_STD_U64LE, H5T_NATIVE_UINT64, 0, &m->seed);
    attr_num(f, f->file, "n_paths", H5T_STD_U64LE, H5T_NATIVE_UINT64, 0, &m->n_paths);
    hp_anfile_attr_str(f, f->file, "command_line", m->command_line);
    hp_anfile_attr_str(f, f->file, "config_file", m->config_file);
    hp_anfile_attr_str(f, f->file, "status", "incomplete");
    hid_t g = hp_anfile_group(f, f->file, "config");
    if (g >= 0) {
        text_dataset(f, g, "resolved", m->config_resolved);
        text_dataset(f, g, "source", m->config_source);
        H5Gclose(g);
    }
    return f;
}

static void anfile_free(hp_anfile *f)
{
    hp_h5_quiet_end(f->quiet);
    free(f->tmp);
    free(f->path);
    free(f);
}

/* The file's data is synced before the name points at it, and the
 * directory after, so that the rename itself survives a crash. */
int hp_anfile_close(hp_anfile *f, hp_err *err)
{
    hp_anfile_attr_str(f, f->file, "status", "complete");
    h5_check(f, H5Fclose(f->file) >= 0, "cannot close", f->tmp);
    int rc = 0;
    if (f->failed)
        rc = hp_fail(err, f->path, 0, NULL, "%s", f->what);
    else if (hp_fsync_file(f->tmp) < 0)
        rc = hp_fail(err, f->path, 0, NULL, "cannot sync %s: %s", f->tmp, strerror(errno));
    else if (hp_rename_final(f->tmp, f->path, f->force) < 0)
        rc = errno == EEXIST ? hp_fail(err, f->path, 0, NULL, "exists; use --force to overwrite")
                             : hp_fail(err, f->path, 0, NULL, "cannot rename %s: %s", f->tmp, strerror(errno));
    if (rc == 0)
        hp_fsync_dir_of(f->path);
    else
        unlink(f->tmp);
    anfile_free(f);
    return rc;
}

void hp_anfile_abort(hp_anfile *f)
{
    if (f == NULL)
        return;
    H5Fclose(f->file);
    unlink(f->tmp);
    anfile_free(f);
}
