/* output: the self-describing HDF5 results file. See output.h and
 * docs/output.md for the layout.
 *
 * Every dataset is created up front (n_paths is known), then filled block
 * by block as the driver hands results over, in any order. Variables are
 * chunked along the path dimension only, so a block write touches a few
 * whole-width chunks; the chunk cache keeps a couple of chunk rows resident
 * so neighbouring blocks that finish out of order do not re-read them.
 * The axes are HDF5 dimension scales at the root, hard-linked into /axes and
 * into every variable group, which makes each group a NetCDF-4 group with
 * its own coordinates (xarray, engine="h5netcdf", group=...).
 *
 * Restartability: when the driver gives a block size, a chunk is exactly
 * one block of paths wide, so a block is written once, whole, and never
 * read back or rewritten; /progress/block_done records the blocks that
 * are on disk, each flag set only after its data was flushed (and synced).
 * An interrupted run leaves "<path>.partial" with status "incomplete";
 * hp_output_reopen() continues it. Under MPI (par.h) rank 0 creates and
 * finishes the file alone, and every rank writes its blocks through
 * MPI-IO with collective transfers. */
#define _GNU_SOURCE /* renameat2, RENAME_NOREPLACE */
#include "output.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <hdf5.h>
#include <hdf5_hl.h>

#include "h5util.h"
#include "par.h"
#include "progress.h"
#include "version.h"

#ifdef HP_MPI
#include <mpi.h>
#endif

#define CHUNK_PATHS 1024          /* paths per chunk of a variable              */
#define AXIS_CHUNK 65536          /* elements per chunk of the path axis        */
#define DEFLATE_LEVEL 4
#define CACHE_BUDGET (256u << 20) /* soft cap of the chunk caches, all datasets */
#define CACHE_SLOTS 401           /* a prime well above the chunks held         */
#define HALVING_UNWRITTEN (-2)
#define HP_CHECKPOINT_S 10.0      /* seconds between durable progress records */    /* fill of halving day indices never written  */

enum { AX_ALLOC, AX_YEAR, AX_PATH, AX_HALVING, AX_COUNT };
static const char *const axis_name[AX_COUNT] = { "allocation", "year", "path", "halving" };

enum { ET_DOUBLE, ET_FLOAT, ET_INT32 };

/* One dataset being filled. A path's values of the variable are
 * [n_outer][n_in] in the result array; the file holds [outer, path, inner],
 * without the outer dimension when it is not the allocation axis, and
 * without the inner one for [allocation, path] data and for totals (which
 * sum the n_in years of each row). */
typedef struct wds {
    char *name;          /* HDF5 path below the root                       */
    const hp_var *var;
    int total;           /* 1: /totals/<basename>, sum over the years      */
    int etype;           /* ET_*: element type in file and buffer          */
    size_t off;          /* offset of the variable in a path result        */
    size_t n_outer;      /* allocations, or 1                              */
    size_t n_in;         /* years or halvings in the result, or 1          */
    int has_alloc;       /* file has the allocation dimension              */
    int inner_axis;      /* AX_YEAR, AX_HALVING, or -1 (none in the file)  */
    hid_t id;
} wds;

struct hp_output {
    const hp_layout *l;
    char *path;          /* final name                                     */
    char *tmp;           /* "<path>.partial", the name while being written */
    int force;
    int float32;         /* per-year lines as float32                      */
    uint64_t n_paths, written;
    size_t psize;        /* doubles per path result                        */
    int failed;          /* a block failed: never mark the file complete   */
    hid_t file;
    hid_t axis[AX_COUNT];
    hid_t days;          /* days_in_year                                   */
    int n_ds;
    wds *ds;
    void *buf;           /* gather buffer, grows with the block size only  */
    size_t cap;
    hsize_t chunk_paths; /* path extent of a chunk: the block size, or CHUNK_PATHS */
    uint64_t block_size; /* paths per block; 0: no progress record          */
    uint64_t n_blocks;
    uint8_t *done;       /* [n_blocks] 1: on disk; the same on every rank    */
    hid_t progress;      /* /progress/block_done                           */
    uint64_t flag_lo, flag_hi; /* blocks written since the last checkpoint */
    int unflagged;       /* some are: their flags are not on disk yet      */
    double last_checkpoint; /* hp_now() of the last checkpoint             */
    hid_t dxpl;          /* collective transfers under MPI-IO, else default */
    int mpio;            /* opened by every rank through MPI-IO            */
    int per_year;
    int keep;            /* resumed: the file is never deleted on failure  */
};

/* ---- HDF5 error handling --------------------------------------------- */

/* hp_fail() for a failed HDF5 call, with the library's reason appended. */
static int h5_fail(hp_err *err, const char *file, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static int h5_fail(hp_err *err, const char *file, const char *fmt, ...)
{
    char what[512], why[256];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(what, sizeof what, fmt, ap);
    va_end(ap);
    hp_h5_reason(why);
    if (why[0] == '\0')
        return hp_fail(err, file, 0, NULL, "%s", what);
    return hp_fail(err, file, 0, NULL, "%s: %s", what, why);
}

/* H5*close on an id that may be unset (<= 0). */
static void close_id(hid_t *id, herr_t (*fn)(hid_t))
{
    if (*id > 0)
        fn(*id);
    *id = -1;
}

/* ---- destination checks ---------------------------------------------- */

/* "<path>.partial": the name of the file being written; same directory,
 * so the final rename is atomic, and a fixed name, so --resume finds it. */
char *hp_output_partial_name(const char *path)
{
    size_t n = strlen(path) + sizeof ".partial";
    char *t = malloc(n);
    if (t != NULL)
        snprintf(t, n, "%s.partial", path);
    return t;
}

/* "<path>.tmp.<pid>": a throw-away name for probing the directory. */
static char *tmp_name(const char *path)
{
    size_t n = strlen(path) + 32;
    char *t = malloc(n);
    if (t != NULL)
        snprintf(t, n, "%s.tmp.%ld", path, (long)getpid());
    return t;
}

/* The directory part of path ("." when there is none). */
static void dir_of(const char *path, char *dir, size_t n)
{
    const char *slash = strrchr(path, '/');
    if (slash == NULL)
        snprintf(dir, n, ".");
    else if (slash == path)
        snprintf(dir, n, "/");
    else
        snprintf(dir, n, "%.*s", (int)(slash - path), path);
}

/* Creating the temporary file is the only honest writability test: access()
 * says yes to root on a read-only mount or a 0555 directory. */
static int probe_dir(const char *path, hp_err *err)
{
    char dir[4096];
    struct stat st;
    dir_of(path, dir, sizeof dir);
    if (stat(dir, &st) != 0) {
        if (errno == ENOENT)
            return hp_fail(err, path, 0, NULL, "cannot write: directory '%s' does not exist", dir);
        return hp_fail(err, path, 0, NULL, "cannot write: '%s': %s", dir, strerror(errno));
    }
    if (!S_ISDIR(st.st_mode))
        return hp_fail(err, path, 0, NULL, "cannot write: '%s' is not a directory", dir);
    char *tmp = tmp_name(path);
    if (tmp == NULL)
        return hp_fail(err, path, 0, NULL, "out of memory");
    int fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC, 0644);
    if (fd < 0) {
        int e = errno;
        free(tmp);
        return hp_fail(err, path, 0, NULL, "cannot write: %s", strerror(e));
    }
    close(fd);
    unlink(tmp);
    free(tmp);
    return 0;
}

/* Checks the destination before any simulation is spent on it. */
int hp_output_check(const hp_output_opts *o, hp_err *err)
{
    struct stat st;
    if (o->path == NULL || o->path[0] == '\0')
        return hp_fail(err, NULL, 0, "output", "no output file given");
    if (stat(o->path, &st) == 0) {
        if (S_ISDIR(st.st_mode))
            return hp_fail(err, o->path, 0, NULL, "is a directory");
        if (!o->force)
            return hp_fail(err, o->path, 0, NULL, "exists; use --force to overwrite");
    } else if (errno != ENOENT && errno != ENOTDIR) {
        return hp_fail(err, o->path, 0, NULL, "cannot write: %s", strerror(errno));
    }
    char *partial = hp_output_partial_name(o->path);
    int left = partial != NULL && !o->force && stat(partial, &st) == 0;
    free(partial);
    if (left)
        return hp_fail(err, o->path, 0, NULL, "an interrupted run left %s.partial; finish it with "
                       "'hashpivot run --resume %s', or start over with --force", o->path, o->path);
    return probe_dir(o->path, err);
}

/* ---- attributes --------------------------------------------------------- */

/* Variable-length UTF-8: h5py reads it as str, netCDF as a string attribute. */
static hid_t str_type(void)
{
    hid_t t = H5Tcopy(H5T_C_S1);
    if (t < 0)
        return -1;
    if (H5Tset_size(t, H5T_VARIABLE) < 0 || H5Tset_cset(t, H5T_CSET_UTF8) < 0) {
        H5Tclose(t);
        return -1;
    }
    return t;
}

/* Creates, or overwrites, a scalar string attribute (NULL is written as ""). */
static int attr_str(hid_t loc, const char *name, const char *value)
{
    const char *v = value != NULL ? value : "";
    hid_t t = str_type(), s = H5Screate(H5S_SCALAR), a = -1;
    int rc = -1;
    if (t < 0 || s < 0)
        goto done;
    if (H5Aexists(loc, name) > 0)
        a = H5Aopen(loc, name, H5P_DEFAULT);
    else
        a = H5Acreate2(loc, name, t, s, H5P_DEFAULT, H5P_DEFAULT);
    if (a >= 0 && H5Awrite(a, t, &v) >= 0)
        rc = 0;
done:
    close_id(&a, H5Aclose);
    close_id(&s, H5Sclose);
    close_id(&t, H5Tclose);
    return rc;
}

/* A numeric attribute: scalar when n == 0, else a 1-D array of n. */
static int attr_num(hid_t loc, const char *name, hid_t ftype, hid_t mtype,
                    hsize_t n, const void *value)
{
    hid_t s = n == 0 ? H5Screate(H5S_SCALAR) : H5Screate_simple(1, &n, NULL);
    hid_t a = s < 0 ? -1 : H5Acreate2(loc, name, ftype, s, H5P_DEFAULT, H5P_DEFAULT);
    int rc = (a >= 0 && H5Awrite(a, mtype, value) >= 0) ? 0 : -1;
    close_id(&a, H5Aclose);
    close_id(&s, H5Sclose);
    return rc;
}

/* The summary items as "label|var|scale" lines, so `info` needs only the file. */
static char *summary_text(const hp_layout *l)
{
    size_t n = 1;
    for (int i = 0; i < l->n_summary; i++)
        n += strlen(l->summary[i].label) + strlen(l->summary[i].var) + 32;
    char *s = malloc(n), *p = s;
    if (s == NULL)
        return NULL;
    *p = '\0';
    for (int i = 0; i < l->n_summary; i++) {
        const hp_summary_item *it = &l->summary[i];
        p += snprintf(p, n - (size_t)(p - s), "%s|%s|%.17g\n", it->label, it->var, it->scale);
    }
    return s;
}

/* ISO 8601 UTC, second resolution. */
static void now_iso(char *buf, size_t n)
{
    time_t t = time(NULL);
    struct tm tm;
    gmtime_r(&t, &tm);
    strftime(buf, n, "%Y-%m-%dT%H:%M:%SZ", &tm);
}

/* The root attributes that make the file self-describing. */
static int root_attrs(hp_output *w, const hp_output_opts *o)
{
    const hp_layout *l = w->l;
    hid_t f = w->file;
    int32_t ver[2] = { HP_FORMAT_MAJOR, HP_FORMAT_MINOR };
    int32_t base = l->baseline_alloc, days = l->n_days;
    char created[32];
    now_iso(created, sizeof created);
    char *items = summary_text(l);
    int rc = items == NULL
        || attr_str(f, "filetype", HP_FILETYPE)
        || attr_num(f, "format_version", H5T_STD_I32LE, H5T_NATIVE_INT32, 2, ver)
        || attr_str(f, "software_version", HP_VERSION)
        || attr_str(f, "git_commit", HP_GIT_COMMIT)
        || attr_str(f, "created", created)
        || attr_num(f, "seed", H5T_STD_U64LE, H5T_NATIVE_UINT64, 0, &o->seed)
        || attr_num(f, "n_paths", H5T_STD_U64LE, H5T_NATIVE_UINT64, 0, &o->n_paths)
        || attr_str(f, "start_date", o->start_date)
        || attr_num(f, "horizon_years", H5T_IEEE_F64LE, H5T_NATIVE_DOUBLE, 0, &o->horizon_years)
        || attr_str(f, "command_line", o->command_line)
        || attr_str(f, "config_file", o->config_file)
        || attr_str(f, "status", "incomplete")
        || attr_str(f, "summary_items", items)
        || attr_num(f, "baseline_allocation", H5T_STD_I32LE, H5T_NATIVE_INT32, 0, &base)
        || attr_num(f, "n_days", H5T_STD_I32LE, H5T_NATIVE_INT32, 0, &days);
    free(items);
    return rc ? -1 : 0;
}

/* ---- groups, config, axes --------------------------------------------- */

/* Groups track creation order (as netCDF-4 does) and no times, so two runs
 * with the same seed differ only in the `created` attribute. */
static hid_t group_plist(void)
{
    hid_t p = H5Pcreate(H5P_GROUP_CREATE);
    if (p >= 0 && (H5Pset_link_creation_order(p, H5P_CRT_ORDER_TRACKED | H5P_CRT_ORDER_INDEXED) < 0
                   || H5Pset_attr_creation_order(p, H5P_CRT_ORDER_TRACKED | H5P_CRT_ORDER_INDEXED) < 0
                   || H5Pset_obj_track_times(p, 0) < 0)) {
        H5Pclose(p);
        return -1;
    }
    return p;
}

/* Creates the groups above `name` ("a/b/c" needs "a" and "a/b"). */
static int ensure_groups(hid_t file, const char *name)
{
    char buf[1024];
    if (snprintf(buf, sizeof buf, "%s", name) >= (int)sizeof buf)
        return -1;
    hid_t gcpl = group_plist();
    int rc = gcpl < 0 ? -1 : 0;
    for (char *p = strchr(buf + 1, '/'); rc == 0 && p != NULL; p = strchr(p + 1, '/')) {
        *p = '\0';
        if (H5Lexists(file, buf, H5P_DEFAULT) <= 0) {
            hid_t g = H5Gcreate2(file, buf, H5P_DEFAULT, gcpl, H5P_DEFAULT);
            rc = g < 0 ? -1 : 0;
            close_id(&g, H5Gclose);
        }
        *p = '/';
    }
    close_id(&gcpl, H5Pclose);
    return rc;
}

/* A scalar string dataset (the config texts). */
static int string_dataset(hid_t file, const char *name, const char *text)
{
    hid_t t = str_type(), s = H5Screate(H5S_SCALAR), d = -1;
    int rc = -1;
    if (t >= 0 && s >= 0 && ensure_groups(file, name) == 0)
        d = H5Dcreate2(file, name, t, s, H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT);
    if (d >= 0 && H5Dwrite(d, t, H5S_ALL, H5S_ALL, H5P_DEFAULT, &text) >= 0)
        rc = 0;
    close_id(&d, H5Dclose);
    close_id(&s, H5Sclose);
    close_id(&t, H5Tclose);
    return rc;
}

/* units and long_name, the netCDF/CF attribute names. */
static int var_attrs(hid_t d, const char *units, const char *long_name)
{
    return attr_str(d, "units", units) || attr_str(d, "long_name", long_name) ? -1 : 0;
}

/* A small 1-D axis dataset written in one go, made a dimension scale. */
static hid_t small_axis(hid_t file, const char *name, hid_t ftype, hid_t mtype,
                        hsize_t n, const void *data, const char *units, const char *doc)
{
    hid_t s = H5Screate_simple(1, &n, NULL);
    hid_t d = s < 0 ? -1 : H5Dcreate2(file, name, ftype, s, H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT);
    int ok = d >= 0 && (n == 0 || H5Dwrite(d, mtype, H5S_ALL, H5S_ALL, H5P_DEFAULT, data) >= 0)
             && var_attrs(d, units, doc) == 0;
    close_id(&s, H5Sclose);
    if (!ok)
        close_id(&d, H5Dclose);
    return d;
}

/* The path axis can be long: written in pieces through a fixed buffer. */
static hid_t path_axis(hid_t file, uint64_t n_paths)
{
    hsize_t n = n_paths, chunk = n_paths < AXIS_CHUNK ? n_paths : AXIS_CHUNK;
    hid_t s = H5Screate_simple(1, &n, NULL), p = H5Pcreate(H5P_DATASET_CREATE), d = -1, m = -1;
    uint64_t *buf = malloc(AXIS_CHUNK * sizeof *buf);
    int ok = buf != NULL && s >= 0 && p >= 0 && H5Pset_chunk(p, 1, &chunk) >= 0
             && H5Pset_shuffle(p) >= 0 && H5Pset_deflate(p, DEFLATE_LEVEL) >= 0
             && H5Pset_obj_track_times(p, 0) >= 0;
    if (ok)
        d = H5Dcreate2(file, "path", H5T_STD_U64LE, s, H5P_DEFAULT, p, H5P_DEFAULT);
    ok = ok && d >= 0;
    for (hsize_t first = 0; ok && first < n; first += AXIS_CHUNK) {
        hsize_t cnt = n - first < AXIS_CHUNK ? n - first : AXIS_CHUNK;
        for (hsize_t i = 0; i < cnt; i++)
            buf[i] = first + i;
        m = H5Screate_simple(1, &cnt, NULL);
        ok = m >= 0 && H5Sselect_hyperslab(s, H5S_SELECT_SET, &first, NULL, &cnt, NULL) >= 0
             && H5Dwrite(d, H5T_NATIVE_UINT64, m, s, H5P_DEFAULT, buf) >= 0;
        close_id(&m, H5Sclose);
    }
    ok = ok && var_attrs(d, "1", "global path index") == 0;
    free(buf);
    close_id(&s, H5Sclose);
    close_id(&p, H5Pclose);
    if (!ok)
        close_id(&d, H5Dclose);
    return d;
}

/* Axes at the root (netCDF looks for dimensions in the same or a parent
 * group), hard-linked under /axes as the documented place to find them. */
static int create_axes(hp_output *w, hp_err *err)
{
    const hp_layout *l = w->l;
    w->axis[AX_ALLOC] = small_axis(w->file, "allocation", H5T_IEEE_F64LE, H5T_NATIVE_DOUBLE,
                                   (hsize_t)l->n_alloc, l->alloc, "1",
                                   "converted fraction of power");
    w->axis[AX_YEAR] = small_axis(w->file, "year", H5T_STD_I32LE, H5T_NATIVE_INT,
                                  (hsize_t)l->n_years, l->year, "1", "calendar year");
    w->axis[AX_PATH] = path_axis(w->file, w->n_paths);
    w->axis[AX_HALVING] = small_axis(w->file, "halving", H5T_STD_I64LE, H5T_NATIVE_INT64,
                                     (hsize_t)l->n_halvings, l->halving_height, "1",
                                     "block height of the halving");
    w->days = small_axis(w->file, "days_in_year", H5T_STD_I32LE, H5T_NATIVE_INT,
                         (hsize_t)l->n_years, l->days_in_year, "day",
                         "simulated days in the year");
    for (int a = 0; a < AX_COUNT; a++)
        if (w->axis[a] < 0 || H5DSset_scale(w->axis[a], axis_name[a]) < 0)
            return h5_fail(err, w->path, "cannot create axis %s", axis_name[a]);
    if (w->days < 0 || H5DSattach_scale(w->days, w->axis[AX_YEAR], 0) < 0)
        return h5_fail(err, w->path, "cannot create axis days_in_year");
    hid_t gcpl = group_plist();
    hid_t g = gcpl < 0 ? -1 : H5Gcreate2(w->file, "axes", H5P_DEFAULT, gcpl, H5P_DEFAULT);
    int rc = g < 0 ? -1 : 0;
    for (int a = 0; a <= AX_COUNT && rc == 0; a++) {
        const char *name = a < AX_COUNT ? axis_name[a] : "days_in_year";
        rc = H5Lcreate_hard(w->file, name, g, name, H5P_DEFAULT, H5P_DEFAULT) < 0 ? -1 : 0;
    }
    close_id(&g, H5Gclose);
    close_id(&gcpl, H5Pclose);
    return rc ? h5_fail(err, w->path, "cannot create group /axes") : 0;
}

/* ---- variable datasets ------------------------------------------------ */

/* File dimensions of a dataset when it holds `paths` paths; axes[] names them. */
static int ds_dims(const wds *d, hsize_t paths, hsize_t *dims, int *axes)
{
    int r = 0;
    if (d->has_alloc) {
        dims[r] = d->n_outer;
        axes[r++] = AX_ALLOC;
    }
    dims[r] = paths;
    axes[r++] = AX_PATH;
    if (d->inner_axis >= 0) {
        dims[r] = d->n_in;
        axes[r++] = d->inner_axis;
    }
    return r;
}

static size_t etype_size(int et)
{
    return et == ET_DOUBLE ? sizeof(double) : et == ET_FLOAT ? sizeof(float) : sizeof(int32_t);
}

static hid_t etype_mem(int et)
{
    return et == ET_DOUBLE ? H5T_NATIVE_DOUBLE : et == ET_FLOAT ? H5T_NATIVE_FLOAT : H5T_NATIVE_INT32;
}

static hid_t etype_file(int et)
{
    return et == ET_DOUBLE ? H5T_IEEE_F64LE : et == ET_FLOAT ? H5T_IEEE_F32LE : H5T_STD_I32LE;
}

/* "/totals/<last component of name>". */
static char *total_name(const char *name)
{
    const char *base = strrchr(name, '/');
    base = base != NULL ? base + 1 : name;
    size_t n = strlen(base) + 8;
    char *s = malloc(n);
    if (s != NULL)
        snprintf(s, n, "totals/%s", base);
    return s;
}

/* Appends one planned dataset; its name is taken over (freed later). */
static int plan_add(hp_output *w, const hp_var *v, size_t off, int total, char *name)
{
    const hp_layout *l = w->l;
    wds *d = &w->ds[w->n_ds];
    if (name == NULL)
        return -1;
    memset(d, 0, sizeof *d);
    d->name = name;
    d->var = v;
    d->total = total;
    d->off = off;
    d->id = -1;
    d->has_alloc = v->shape != HP_SHAPE_PATH_YEAR;
    d->n_outer = d->has_alloc ? (size_t)l->n_alloc : 1;
    d->n_in = v->shape == HP_SHAPE_ALLOC_PATH ? 1
            : v->shape == HP_SHAPE_ALLOC_PATH_HALVING ? (size_t)l->n_halvings
            : (size_t)l->n_years;
    d->inner_axis = total || v->shape == HP_SHAPE_ALLOC_PATH ? -1
                  : v->shape == HP_SHAPE_ALLOC_PATH_HALVING ? AX_HALVING : AX_YEAR;
    d->etype = v->shape == HP_SHAPE_ALLOC_PATH_HALVING ? ET_INT32
             : (d->inner_axis == AX_YEAR && w->float32) ? ET_FLOAT : ET_DOUBLE;
    w->n_ds++;
    return 0;
}

/* Decides which datasets the file gets, from the layout and the options. */
static int plan_datasets(hp_output *w, int per_year)
{
    const hp_layout *l = w->l;
    size_t off = 0;
    w->ds = calloc((size_t)l->n_vars * 2 + 1, sizeof *w->ds);
    if (w->ds == NULL)
        return -1;
    for (int i = 0; i < l->n_vars; i++) {
        const hp_var *v = &l->vars[i];
        int yearly = v->shape == HP_SHAPE_PATH_YEAR || v->shape == HP_SHAPE_ALLOC_PATH_YEAR;
        if ((!yearly || per_year) && plan_add(w, v, off, 0, strdup(v->name)) < 0)
            return -1;
        if (v->shape == HP_SHAPE_ALLOC_PATH_YEAR && v->total
            && plan_add(w, v, off, 1, total_name(v->name)) < 0)
            return -1;
        off += hp_var_size(l, v);
    }
    return 0;
}

/* Bytes of one chunk of the dataset. */
static size_t chunk_bytes(const hp_output *w, const wds *d)
{
    size_t paths = w->n_paths < w->chunk_paths ? (size_t)w->n_paths : (size_t)w->chunk_paths;
    size_t in = d->inner_axis >= 0 ? d->n_in : 1;
    return d->n_outer * paths * in * etype_size(d->etype);
}

/* Storage: chunks of chunk_paths paths at full width, shuffle + deflate;
 * NaN (or HALVING_UNWRITTEN) marks paths never written. A dataset with an
 * empty dimension cannot be chunked and stays contiguous. */
static hid_t ds_create_plist(const wds *d, int rank, const hsize_t *dims, hsize_t chunk_paths)
{
    hsize_t chunk[3];
    int empty = 0, path_dim = d->has_alloc ? 1 : 0;
    for (int k = 0; k < rank; k++) {
        chunk[k] = k == path_dim && dims[k] > chunk_paths ? chunk_paths : dims[k];
        empty |= dims[k] == 0;
    }
    double nan = NAN;
    float nanf = NAN;
    int32_t unwritten = HALVING_UNWRITTEN;
    const void *fill = d->etype == ET_DOUBLE ? (const void *)&nan
                     : d->etype == ET_FLOAT ? (const void *)&nanf : (const void *)&unwritten;
    hid_t p = H5Pcreate(H5P_DATASET_CREATE);
    if (p < 0)
        return -1;
    int ok = H5Pset_obj_track_times(p, 0) >= 0
             && H5Pset_attr_creation_order(p, H5P_CRT_ORDER_TRACKED | H5P_CRT_ORDER_INDEXED) >= 0
             && H5Pset_fill_value(p, etype_mem(d->etype), fill) >= 0;
    /* Every chunk is allocated (as compressed fill) at creation: parallel
     * HDF5 1.10 allocates them anyway when it opens the dataset, and its
     * collective filtered writes hang on a chunk missing from an index
     * that exists (a file started serially, resumed under MPI). */
    if (ok && !empty)
        ok = H5Pset_chunk(p, rank, chunk) >= 0 && H5Pset_shuffle(p) >= 0
             && H5Pset_deflate(p, DEFLATE_LEVEL) >= 0
             && H5Pset_alloc_time(p, H5D_ALLOC_TIME_EARLY) >= 0;
    if (!ok) {
        H5Pclose(p);
        return -1;
    }
    return p;
}

/* Links axis `ax` into group g unless the name is taken already. */
static int link_axis(hp_output *w, hid_t g, const char *ax)
{
    if (H5Lexists(g, ax, H5P_DEFAULT) > 0)
        return 0;
    return H5Lcreate_hard(w->file, ax, g, ax, H5P_DEFAULT, H5P_DEFAULT) < 0 ? -1 : 0;
}

/* Hard-links the axes a dataset uses into its group, so that group alone
 * is a complete netCDF group (xarray shows them as its coordinates), with
 * days_in_year beside the year axis. */
static int link_axes(hp_output *w, const char *name, int rank, const int *axes)
{
    const char *slash = strrchr(name, '/');
    if (slash == NULL)
        return 0;
    char gname[1024];
    snprintf(gname, sizeof gname, "%.*s", (int)(slash - name), name);
    hid_t g = H5Gopen2(w->file, gname, H5P_DEFAULT);
    int rc = g < 0 ? -1 : 0;
    for (int k = 0; k < rank && rc == 0; k++) {
        rc = link_axis(w, g, axis_name[axes[k]]);
        if (rc == 0 && axes[k] == AX_YEAR)
            rc = link_axis(w, g, "days_in_year");
    }
    close_id(&g, H5Gclose);
    return rc;
}

/* Creates one dataset with its attributes and dimension scales. */
static int create_ds(hp_output *w, wds *d, size_t cache, hp_err *err)
{
    hsize_t dims[3];
    int axes[3];
    int rank = ds_dims(d, w->n_paths, dims, axes);
    hid_t s = H5Screate_simple(rank, dims, NULL);
    hid_t dcpl = ds_create_plist(d, rank, dims, w->chunk_paths);
    hid_t dapl = H5Pcreate(H5P_DATASET_ACCESS);
    int ok = s >= 0 && dcpl >= 0 && dapl >= 0 && ensure_groups(w->file, d->name) == 0
             && H5Pset_chunk_cache(dapl, CACHE_SLOTS, cache, 1.0) >= 0;
    if (ok)
        d->id = H5Dcreate2(w->file, d->name, etype_file(d->etype), s, H5P_DEFAULT, dcpl, dapl);
    close_id(&s, H5Sclose);
    close_id(&dcpl, H5Pclose);
    close_id(&dapl, H5Pclose);
    if (d->id < 0)
        return h5_fail(err, w->path, "cannot create dataset %s", d->name);
    char doc[1024];
    snprintf(doc, sizeof doc, d->total ? "sum over the years of: %s" : "%s",
             d->var->doc != NULL ? d->var->doc : "");
    ok = var_attrs(d->id, d->var->units, doc) == 0
         && (d->inner_axis != AX_YEAR || attr_str(d->id, "coordinates", "days_in_year") == 0);
    for (int k = 0; ok && k < rank; k++)
        ok = H5DSattach_scale(d->id, w->axis[axes[k]], (unsigned)k) >= 0;
    if (!ok || link_axes(w, d->name, rank, axes) < 0)
        return h5_fail(err, w->path, "cannot describe dataset %s", d->name);
    return 0;
}

/* Creates all planned datasets. Each gets a chunk cache of 4 chunks (2 when
 * that would exceed CACHE_BUDGET over all datasets): a block write fills
 * part of a chunk, and the chunk must stay cached until the neighbouring
 * blocks complete it; w0 = 1 evicts completed chunks first. */
static int create_datasets(hp_output *w, hp_err *err)
{
    size_t row = 0;
    for (int i = 0; i < w->n_ds; i++)
        row += chunk_bytes(w, &w->ds[i]);
    size_t k = row * 4 <= CACHE_BUDGET ? 4 : 2;
    for (int i = 0; i < w->n_ds; i++)
        if (create_ds(w, &w->ds[i], k * chunk_bytes(w, &w->ds[i]) + 1, err) < 0)
            return -1;
    return 0;
}

/* ---- progress record and MPI-IO ------------------------------------------ */

/* /progress: the block size and one byte per block, 1 once the block is on
 * disk. Contiguous and allocated at creation, so setting a flag writes a
 * byte in place and changes no HDF5 metadata. Deleted when the file is
 * complete: `status` says it all then, and the results stay the same
 * whatever the block size. */
static int create_progress(hp_output *w)
{
    hsize_t n = w->n_blocks;
    uint8_t zero = 0;
    hid_t gcpl = group_plist();
    hid_t g = gcpl < 0 ? -1 : H5Gcreate2(w->file, "progress", H5P_DEFAULT, gcpl, H5P_DEFAULT);
    hid_t s = H5Screate_simple(1, &n, NULL), p = H5Pcreate(H5P_DATASET_CREATE);
    int ok = g >= 0 && s >= 0 && p >= 0
             && attr_num(g, "block_size", H5T_STD_U64LE, H5T_NATIVE_UINT64, 0, &w->block_size) == 0
             && attr_num(g, "n_blocks", H5T_STD_U64LE, H5T_NATIVE_UINT64, 0, &w->n_blocks) == 0
             && H5Pset_layout(p, H5D_CONTIGUOUS) >= 0
             && H5Pset_alloc_time(p, H5D_ALLOC_TIME_EARLY) >= 0
             && H5Pset_fill_time(p, H5D_FILL_TIME_ALLOC) >= 0
             && H5Pset_fill_value(p, H5T_NATIVE_UINT8, &zero) >= 0
             && H5Pset_obj_track_times(p, 0) >= 0;
    if (ok)
        w->progress = H5Dcreate2(g, "block_done", H5T_STD_U8LE, s, H5P_DEFAULT, p, H5P_DEFAULT);
    ok = ok && w->progress >= 0
         && var_attrs(w->progress, "1", "1: block of block_size paths is on disk in every dataset") == 0;
    close_id(&p, H5Pclose);
    close_id(&s, H5Sclose);
    close_id(&g, H5Gclose);
    close_id(&gcpl, H5Pclose);
    return ok ? 0 : -1;
}

/* Collective transfers under MPI-IO (filtered datasets need them). */
static hid_t xfer(const hp_output *w)
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
static int write_flags(hp_output *w, uint64_t lo, uint64_t hi);
static int checkpoint(hp_output *w, hp_err *err)
{
    int rc = 0;
    if (w->unflagged) {
        rc = hp_par_agree(flush_durable(w) < 0 ? h5_fail(err, w->path, "cannot flush") : 0, err);
        if (rc == 0)
            rc = hp_par_agree(write_flags(w, w->flag_lo, w->flag_hi) < 0 ?
                              h5_fail(err, w->path, "cannot write /progress") : 0, err);
        if (rc == 0)
            rc = hp_par_agree(H5Fflush(w->file, H5F_SCOPE_GLOBAL) < 0 ?
                              h5_fail(err, w->path, "cannot flush") : 0, err);
    }
    w->unflagged = 0;
    w->last_checkpoint = hp_now();
    return rc;
}

/* Writes flags [lo, hi] of w->done; rank 0 alone (every rank holds the
 * same bytes), with an independent transfer. */
static int write_flags(hp_output *w, uint64_t lo, uint64_t hi)
{
    if (hp_par_rank() != 0 || lo > hi)
        return 0;
    hsize_t start = lo, cnt = hi - lo + 1;
    hid_t fs = H5Dget_space(w->progress), ms = H5Screate_simple(1, &cnt, NULL);
    int ok = fs >= 0 && ms >= 0
             && H5Sselect_hyperslab(fs, H5S_SELECT_SET, &start, NULL, &cnt, NULL) >= 0
             && H5Dwrite(w->progress, H5T_NATIVE_UINT8, ms, fs, H5P_DEFAULT, w->done + lo) >= 0;
    close_id(&fs, H5Sclose);
    close_id(&ms, H5Sclose);
    return ok ? 0 : -1;
}

/* 1 when an opened dataset has the shape and type the layout gives it. */
static int ds_matches(const hp_output *w, const wds *d)
{
    hsize_t want[3], have[3];
    int axes[3];
    int rank = ds_dims(d, w->n_paths, want, axes);
    hid_t s = H5Dget_space(d->id), t = H5Dget_type(d->id);
    int ok = s >= 0 && t >= 0 && H5Sget_simple_extent_ndims(s) == rank
             && H5Sget_simple_extent_dims(s, have, NULL) == rank && H5Tequal(t, etype_file(d->etype)) > 0;
    for (int k = 0; ok && k < rank; k++)
        ok = have[k] == want[k];
    close_id(&s, H5Sclose);
    close_id(&t, H5Tclose);
    return ok;
}

/* HDF5's metadata cache adapts up to 32 MiB, and the chunk indexes grow
 * with the number of paths; blocks are written once, so a small cache
 * costs little and keeps memory flat in n_paths. */
static int cap_metadata_cache(hid_t fapl)
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
static int open_handles(hp_output *w, hp_err *err)
{
    hid_t fapl = H5Pcreate(H5P_FILE_ACCESS);
    w->mpio = hp_par_active();
#ifdef HP_MPI
    if (w->mpio && fapl >= 0 && H5Pset_fapl_mpio(fapl, MPI_COMM_WORLD, MPI_INFO_NULL) < 0)
        close_id(&fapl, H5Pclose);
#endif
    if (fapl >= 0 && cap_metadata_cache(fapl) < 0)
        close_id(&fapl, H5Pclose);
    w->file = fapl < 0 ? -1 : H5Fopen(w->tmp, H5F_ACC_RDWR, fapl);
    close_id(&fapl, H5Pclose);
    if (w->file < 0)
        return h5_fail(err, w->tmp, "cannot open for writing (is another run writing it?)");
    if (w->ds == NULL && plan_datasets(w, w->per_year) < 0)
        return hp_fail(err, w->tmp, 0, NULL, "out of memory");
    for (int i = 0; i < w->n_ds; i++) {
        wds *d = &w->ds[i];
        hid_t dapl = H5Pcreate(H5P_DATASET_ACCESS);
        if (dapl >= 0 && H5Pset_chunk_cache(dapl, CACHE_SLOTS, 4 * chunk_bytes(w, d) + 1, 1.0) >= 0)
            d->id = H5Dopen2(w->file, d->name, dapl);
        close_id(&dapl, H5Pclose);
        if (d->id < 0)
            return h5_fail(err, w->tmp, "dataset %s is missing", d->name);
        if (!ds_matches(w, d))
            return hp_fail(err, w->tmp, 0, d->name, "shape or type differs from the model's");
    }
    if (w->block_size > 0) {
        w->progress = H5Dopen2(w->file, "progress/block_done", H5P_DEFAULT);
        hid_t s = w->progress < 0 ? -1 : H5Dget_space(w->progress);
        hssize_t n = s < 0 ? -1 : H5Sget_simple_extent_npoints(s);
        close_id(&s, H5Sclose);
        if (n < 0 || (uint64_t)n != w->n_blocks)
            return h5_fail(err, w->tmp, "no progress record for %" PRIu64 " blocks", w->n_blocks);
    }
#ifdef HP_MPI
    if (w->mpio) {
        w->dxpl = H5Pcreate(H5P_DATASET_XFER);
        if (w->dxpl < 0 || H5Pset_dxpl_mpio(w->dxpl, H5FD_MPIO_COLLECTIVE) < 0)
            return h5_fail(err, w->tmp, "cannot set up collective transfers");
    }
#endif
    return 0;
}

/* ---- lifecycle ---------------------------------------------------------- */

/* Closes every HDF5 object; the plan of datasets stays. Collective under
 * MPI-IO. Returns the status of H5Fclose (the final flush). */
static int close_handles(hp_output *w)
{
    int rc = 0;
    for (int i = 0; w->ds != NULL && i < w->n_ds; i++)
        close_id(&w->ds[i].id, H5Dclose);
    for (int a = 0; a < AX_COUNT; a++)
        close_id(&w->axis[a], H5Dclose);
    close_id(&w->days, H5Dclose);
    close_id(&w->progress, H5Dclose);
    close_id(&w->dxpl, H5Pclose);
    if (w->file > 0 && H5Fclose(w->file) < 0)
        rc = -1;
    w->file = -1;
    return rc;
}

/* Closes every HDF5 object and frees the writer; the file stays on disk.
 * Returns the status of H5Fclose (the final flush). */
static int writer_free(hp_output *w)
{
    if (w == NULL)
        return 0;
    int rc = close_handles(w);
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
        writer_free(w);
        return NULL;
    }
    return w;
}

/* Rejects layouts the file format cannot represent, before touching disk. */
static int check_layout(const hp_output_opts *o, const hp_layout *l, hp_err *err)
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

/* Opens the temporary file with the root creation order tracked (netCDF-4). */
static hid_t create_file(const char *tmp)
{
    hid_t fcpl = H5Pcreate(H5P_FILE_CREATE), fapl = H5Pcreate(H5P_FILE_ACCESS), f = -1;
    if (fcpl >= 0 && fapl >= 0 && cap_metadata_cache(fapl) == 0
        && H5Pset_link_creation_order(fcpl, H5P_CRT_ORDER_TRACKED | H5P_CRT_ORDER_INDEXED) >= 0
        && H5Pset_attr_creation_order(fcpl, H5P_CRT_ORDER_TRACKED | H5P_CRT_ORDER_INDEXED) >= 0)
        f = H5Fcreate(tmp, H5F_ACC_TRUNC, fcpl, fapl);
    close_id(&fcpl, H5Pclose);
    close_id(&fapl, H5Pclose);
    return f;
}

/* Everything after the file exists: attributes, config, axes, datasets. */
static int fill_new_file(hp_output *w, const hp_output_opts *o, hp_err *err)
{
    if (root_attrs(w, o) < 0)
        return h5_fail(err, o->path, "cannot write attributes");
    if (string_dataset(w->file, "config/resolved", o->config_resolved ? o->config_resolved : "") < 0
        || (o->config_source != NULL && string_dataset(w->file, "config/source", o->config_source) < 0))
        return h5_fail(err, o->path, "cannot write /config");
    if (create_axes(w, err) < 0)
        return -1;
    if (plan_datasets(w, o->per_year) < 0)
        return hp_fail(err, o->path, 0, NULL, "out of memory");
    if (create_datasets(w, err) < 0)
        return -1;
    if (w->block_size > 0 && create_progress(w) < 0)
        return h5_fail(err, o->path, "cannot create /progress");
    if (H5Fflush(w->file, H5F_SCOPE_GLOBAL) < 0)
        return h5_fail(err, o->path, "cannot flush");
    return 0;
}

/* Collective writer_new: every rank gets a writer, or none does. */
static hp_output *writer_new_all(const hp_output_opts *o, const hp_layout *l, hp_err *err)
{
    hp_output *w = writer_new(o, l);
    if (hp_par_agree(w == NULL ? hp_fail(err, o->path, 0, NULL, "out of memory") : 0, err) < 0) {
        writer_free(w);
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
        rc = hp_output_check(o, err) < 0 || check_layout(o, l, err) < 0 ? -1 : 0;
    if (hp_par_agree(rc, err) < 0)
        return NULL;
    hp_output *w = writer_new_all(o, l, err);
    if (w == NULL)
        return NULL;
    hp_h5_quiet q = hp_h5_quiet_begin();
    if (root) {
        w->file = create_file(w->tmp);
        rc = w->file < 0 ? h5_fail(err, o->path, "cannot create %s", w->tmp)
                         : fill_new_file(w, o, err);
        if (rc == 0 && hp_par_active() && close_handles(w) < 0)
            rc = h5_fail(err, o->path, "cannot close %s", w->tmp);
        if (rc < 0 && w->file >= 0) {
            close_handles(w);
            unlink(w->tmp);
        }
    }
    rc = hp_par_agree(rc, err);
    if (rc == 0 && hp_par_active()) {
        rc = hp_par_agree(open_handles(w, err), err);
        if (rc < 0) {
            close_handles(w);
            if (root)
                unlink(w->tmp);
        }
    }
    if (rc < 0) {
        writer_free(w);
        w = NULL;
    }
    hp_h5_quiet_end(q);
    return w;
}

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
static int reserve(hp_output *w, size_t bytes)
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
    int rank = ds_dims(d, count, cnt, axes);
    size_t n = 1;
    for (int k = 0; k < rank; k++) {
        start[k] = axes[k] == AX_PATH ? first : 0;
        n *= cnt[k];
    }
    if (n == 0)
        return 0;
    if (reserve(w, n * etype_size(d->etype)) < 0)
        return hp_fail(err, w->path, 0, NULL, "out of memory for a block of %zu paths", count);
    long bad = gather(d, results, w->psize, count, w->buf);
    if (bad >= 0)
        return hp_fail(err, w->path, 0, d->name, "path %" PRIu64 ": day index is not an integer >= -1",
                       first + (uint64_t)bad);
    hid_t fs = H5Dget_space(d->id), ms = H5Screate_simple(rank, cnt, NULL);
    int ok = fs >= 0 && ms >= 0
             && H5Sselect_hyperslab(fs, H5S_SELECT_SET, start, NULL, cnt, NULL) >= 0
             && H5Dwrite(d->id, etype_mem(d->etype), ms, fs, H5P_DEFAULT, w->buf) >= 0;
    close_id(&fs, H5Sclose);
    close_id(&ms, H5Sclose);
    return ok ? 0 : h5_fail(err, w->path, "cannot write %s", d->name);
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
static uint64_t block_paths(const hp_output *w, uint64_t b)
{
    uint64_t first = b * w->block_size;
    return w->n_paths - first < w->block_size ? w->n_paths - first : w->block_size;
}

/* The global path at offset `off` of blocks laid back to back. */
static uint64_t path_at(const hp_output *w, const uint64_t *blocks, size_t n, uint64_t off)
{
    for (size_t i = 0; i < n; i++) {
        uint64_t c = block_paths(w, blocks[i]);
        if (off < c)
            return blocks[i] * w->block_size + off;
        off -= c;
    }
    return UINT64_MAX;
}

/* 1 when a dataset has an empty dimension (nothing is ever stored). */
static int ds_empty(const hp_output *w, const wds *d)
{
    hsize_t dims[3];
    int axes[3];
    int rank = ds_dims(d, w->n_paths, dims, axes);
    for (int k = 0; k < rank; k++)
        if (dims[k] == 0)
            return 1;
    return 0;
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
    int rank = ds_dims(d, paths > 0 ? paths : 1, cnt, axes);
    *fs = H5Dget_space(d->id);
    *ms = H5Screate_simple(rank, cnt, NULL);
    if (*fs < 0 || *ms < 0 || H5Sselect_none(*fs) < 0)
        return -1;
    if (n == 0)
        return H5Sselect_none(*ms) < 0 ? -1 : 0;
    for (size_t i = 0; i < n; i++) {
        uint64_t first = blocks[i] * w->block_size;
        ds_dims(d, block_paths(w, blocks[i]), cnt, axes);
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
    if (ds_empty(w, d))
        return 0;
    size_t elems = d->n_outer * (size_t)paths * (d->inner_axis >= 0 ? d->n_in : 1);
    int rc = 0;
    if (elems > 0 && reserve(w, elems * etype_size(d->etype)) < 0) {
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
             && H5Dwrite(d->id, etype_mem(d->etype), ms, fs, xfer(w), w->buf ? w->buf : &none) >= 0;
    close_id(&fs, H5Sclose);
    close_id(&ms, H5Sclose);
    return hp_par_agree(ok ? 0 : h5_fail(err, w->path, "cannot write %s", d->name), err);
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
            paths += block_paths(w, blocks[i]);
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
            w->written += block_paths(w, all[i]);
            if (!w->unflagged || all[i] < w->flag_lo)
                w->flag_lo = all[i];
            if (!w->unflagged || all[i] > w->flag_hi)
                w->flag_hi = all[i];
            w->unflagged = 1;
        }
        if (hp_par_any(hp_now() - w->last_checkpoint >= HP_CHECKPOINT_S))
            rc = checkpoint(w, err);
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

/* ---- closing ------------------------------------------------------------ */

/* Data on disk before the name points at it, so a crash never leaves a
 * "complete" file with missing blocks. */
static int sync_file(const char *name)
{
    int fd = open(name, O_RDONLY);
    if (fd < 0)
        return -1;
    int rc = fsync(fd);
    close(fd);
    return rc;
}

/* rename(2) that refuses to replace an existing file unless force: the
 * file may have appeared while the simulation ran. */
static int rename_final(const char *tmp, const char *path, int force)
{
    if (force)
        return rename(tmp, path);
    if (renameat2(AT_FDCWD, tmp, AT_FDCWD, path, RENAME_NOREPLACE) == 0)
        return 0;
    if (errno != EINVAL && errno != ENOSYS)
        return -1;
    if (link(tmp, path) == 0) /* file systems without RENAME_NOREPLACE */
        return unlink(tmp);
    return -1;
}

/* Marks a file complete: status, and the progress record is dropped. */
static int finish_file(hid_t file)
{
    if (attr_str(file, "status", "complete") < 0)
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
        rc = hp_par_agree(close_handles(w) < 0 ? h5_fail(err, path, "cannot close %s", tmp) : 0, err);
        if (rc == 0 && root && (w->file = H5Fopen(tmp, H5F_ACC_RDWR, H5P_DEFAULT)) < 0)
            rc = h5_fail(err, path, "cannot reopen %s", tmp);
    }
    if (rc == 0 && root && finish_file(w->file) < 0)
        rc = h5_fail(err, path, "cannot set status");
    if (writer_free(w) < 0 && rc == 0)
        rc = h5_fail(err, path, "cannot close %s", tmp);
    hp_h5_quiet_end(q);
    if (root && rc == 0 && sync_file(tmp) < 0)
        rc = hp_fail(err, path, 0, NULL, "cannot sync %s: %s", tmp, strerror(errno));
    if (root && rc == 0 && rename_final(tmp, path, force) < 0) {
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
    int rc0 = checkpoint(w, err);
    hp_h5_quiet_end(q0);
    if (rc0 < 0) {
        hp_output_abort(w);
        return -1;
    }
    char *path = w->path, *tmp = w->tmp;
    w->path = w->tmp = NULL;
    hp_h5_quiet q = hp_h5_quiet_begin();
    int rc = writer_free(w) < 0 ? h5_fail(err, path, "cannot close %s", tmp) : 0;
    hp_h5_quiet_end(q);
    if (rc == 0 && hp_par_rank() == 0 && sync_file(tmp) < 0)
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
    writer_free(w);
    hp_h5_quiet_end(q);
    if (tmp != NULL && !keep && hp_par_rank() == 0)
        unlink(tmp);
    free(tmp);
}

/* ---- resuming ------------------------------------------------------------ */

/* A scalar string dataset (the config texts) as a malloc'd string. */
static char *get_string_dataset(hid_t file, const char *name)
{
    if (H5Lexists(file, "config", H5P_DEFAULT) <= 0 || H5Lexists(file, name, H5P_DEFAULT) <= 0)
        return NULL;
    hid_t d = H5Dopen2(file, name, H5P_DEFAULT), t = str_type();
    char *v = NULL, *out = NULL;
    if (d >= 0 && t >= 0 && H5Dread(d, t, H5S_ALL, H5S_ALL, H5P_DEFAULT, &v) >= 0) {
        out = strdup(v != NULL ? v : "");
        H5free_memory(v);
    }
    close_id(&t, H5Tclose);
    close_id(&d, H5Dclose);
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
    hid_t f = H5Fopen(partial, H5F_ACC_RDONLY, H5P_DEFAULT);
    if (f < 0) {
        if (access(partial, F_OK) != 0)
            return hp_fail(err, partial, 0, NULL, "cannot resume: %s", strerror(errno));
        return h5_fail(err, partial, "cannot resume: not a readable HDF5 file (a run killed while "
                       "writing can leave one); start over with --force");
    }
    char *type = hp_h5_attr_text(f, "filetype"), *status = hp_h5_attr_text(f, "status");
    char *version = hp_h5_attr_text(f, "software_version"), *commit = hp_h5_attr_text(f, "git_commit");
    int32_t fmt[2] = { 0, 0 };
    int rc = 0;
    if (type == NULL || strcmp(type, HP_FILETYPE) != 0)
        rc = hp_fail(err, partial, 0, NULL, "cannot resume: not a hashpivot results file");
    else if (hp_h5_attr_read(f, "format_version", H5T_NATIVE_INT32, 2, fmt) < 0 || fmt[0] != HP_FORMAT_MAJOR
             || fmt[1] > HP_FORMAT_MINOR)
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
        close_id(&g, H5Gclose);
    }
    free(type);
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
    if (ds_empty(w, d))
        return 1;
    hsize_t cnt[3], start[3];
    int axes[3];
    int rank = ds_dims(d, block_paths(w, b), cnt, axes);
    size_t n = 1;
    for (int k = 0; k < rank; k++) {
        start[k] = axes[k] == AX_PATH ? b * w->block_size : 0;
        n *= cnt[k];
    }
    if (reserve(w, n * etype_size(d->etype)) < 0)
        return -1;
    hid_t fs = H5Dget_space(d->id), ms = H5Screate_simple(rank, cnt, NULL);
    int ok = fs >= 0 && ms >= 0
             && H5Sselect_hyperslab(fs, H5S_SELECT_SET, start, NULL, cnt, NULL) >= 0
             && H5Dread(d->id, etype_mem(d->etype), ms, fs, H5P_DEFAULT, w->buf) >= 0;
    close_id(&fs, H5Sclose);
    close_id(&ms, H5Sclose);
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
    if (hp_par_agree(ok ? 0 : h5_fail(err, w->tmp, "cannot read /progress"), err) < 0)
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
            w->written += block_paths(w, b);
        }
    }
    free(bad);
    if (info->rejected > 0) {
        rc = write_flags(w, 0, w->n_blocks - 1) < 0 ? h5_fail(err, w->tmp, "cannot write /progress") : 0;
        rc = hp_par_agree(rc, err);
        if (rc == 0 && H5Fflush(w->file, H5F_SCOPE_GLOBAL) < 0)
            rc = h5_fail(err, w->tmp, "cannot flush");
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
    close_id(&g, H5Gclose);
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
    int rc = check_layout(o, l, err);
    if (rc == 0 && o->block_size == 0)
        rc = hp_fail(err, o->path, 0, NULL, "cannot resume without a block size");
    if (hp_par_agree(rc, err) < 0)
        return NULL;
    hp_output *w = writer_new_all(o, l, err);
    if (w == NULL)
        return NULL;
    w->keep = 1;
    hp_h5_quiet q = hp_h5_quiet_begin();
    rc = hp_par_agree(open_handles(w, err), err);
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
