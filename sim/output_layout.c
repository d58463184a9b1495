/* output_layout: what a results file holds (see output_int.h and
 * docs/output.md): root attributes, the config, the axes as dimension
 * scales, and one chunked dataset per variable.
 *
 * Variables are chunked along the path dimension only, so a block write
 * touches a few whole-width chunks. The axes are HDF5 dimension scales at
 * the root, hard-linked into /axes and into every variable group, which
 * makes each group a NetCDF-4 group with its own coordinates (xarray,
 * engine="h5netcdf", group=...). */
#include "output_int.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <hdf5_hl.h>

#include "h5util.h"
#include "version.h"

const char *const hp_axis_name[AX_COUNT] = { "allocation", "year", "path", "halving" };

/* ---- attributes --------------------------------------------------------- */

/* The summary items as "label|var|scale" lines, "label|var|scale|paired"
 * for an item compared path by path with the baseline allocation, so
 * `info` needs only the file. */
static char *summary_text(const hp_layout *l)
{
    size_t n = 1;
    for (int i = 0; i < l->n_summary; i++)
        n += strlen(l->summary[i].label) + strlen(l->summary[i].var) + 40;
    char *s = malloc(n), *p = s;
    if (s == NULL)
        return NULL;
    *p = '\0';
    for (int i = 0; i < l->n_summary; i++) {
        const hp_summary_item *it = &l->summary[i];
        p += snprintf(p, n - (size_t)(p - s), "%s|%s|%.17g%s\n", it->label, it->var, it->scale,
                      it->paired ? "|paired" : "");
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

/* `run --target-se`: the rule that chose n_paths and what it reached. */
static int target_attrs(hid_t f, const hp_output_target *t)
{
    if (t == NULL)
        return 0;
    int32_t reached = t->reached;
    return hp_h5_attr_write_str(f, "target_se_statistic", t->statistic)
        || hp_h5_attr_write_num(f, "target_se_wanted", H5T_IEEE_F64LE, H5T_NATIVE_DOUBLE, 0, &t->se_wanted)
        || hp_h5_attr_write_num(f, "target_se_step", H5T_STD_U64LE, H5T_NATIVE_UINT64, 0, &t->step)
        || hp_h5_attr_write_num(f, "target_se_max_paths", H5T_STD_U64LE, H5T_NATIVE_UINT64, 0, &t->max_paths)
        || hp_h5_attr_write_num(f, "target_se_reached", H5T_STD_I32LE, H5T_NATIVE_INT32, 0, &reached)
        || hp_h5_attr_write_num(f, "target_se_estimate", H5T_IEEE_F64LE, H5T_NATIVE_DOUBLE, 0, &t->estimate)
        || hp_h5_attr_write_num(f, "target_se_se", H5T_IEEE_F64LE, H5T_NATIVE_DOUBLE, 0, &t->se_reached);
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
        || hp_h5_attr_write_str(f, "filetype", HP_FILETYPE)
        || hp_h5_attr_write_num(f, "format_version", H5T_STD_I32LE, H5T_NATIVE_INT32, 2, ver)
        || hp_h5_attr_write_str(f, "software_version", HP_VERSION)
        || hp_h5_attr_write_str(f, "git_commit", HP_GIT_COMMIT)
        || hp_h5_attr_write_str(f, "created", created)
        || hp_h5_attr_write_num(f, "seed", H5T_STD_U64LE, H5T_NATIVE_UINT64, 0, &o->seed)
        || hp_h5_attr_write_num(f, "n_paths", H5T_STD_U64LE, H5T_NATIVE_UINT64, 0, &o->n_paths)
        || hp_h5_attr_write_str(f, "start_date", l->start_date != NULL ? l->start_date : "")
        || hp_h5_attr_write_num(f, "horizon_years", H5T_IEEE_F64LE, H5T_NATIVE_DOUBLE, 0, &l->horizon_years)
        || hp_h5_attr_write_str(f, "command_line", o->command_line)
        || hp_h5_attr_write_str(f, "config_file", o->config_file)
        || hp_h5_attr_write_str(f, "status", "incomplete")
        || hp_h5_attr_write_str(f, "summary_items", items)
        || hp_h5_attr_write_num(f, "baseline_allocation", H5T_STD_I32LE, H5T_NATIVE_INT32, 0, &base)
        || hp_h5_attr_write_num(f, "n_days", H5T_STD_I32LE, H5T_NATIVE_INT32, 0, &days)
        || target_attrs(f, o->target)
        || (l->qmc_points > 0 && hp_h5_attr_write_num(f, "qmc_points", H5T_STD_U64LE, H5T_NATIVE_UINT64,
                                                      0, &l->qmc_points));
    free(items);
    return rc ? -1 : 0;
}


/* ---- groups, config, axes --------------------------------------------- */

/* Creates the groups above `name` ("a/b/c" needs "a" and "a/b"). */
static int ensure_groups(hid_t file, const char *name)
{
    char buf[1024];
    if (snprintf(buf, sizeof buf, "%s", name) >= (int)sizeof buf)
        return -1;
    hid_t gcpl = hp_h5_group_plist();
    int rc = gcpl < 0 ? -1 : 0;
    for (char *p = strchr(buf + 1, '/'); rc == 0 && p != NULL; p = strchr(p + 1, '/')) {
        *p = '\0';
        if (H5Lexists(file, buf, H5P_DEFAULT) <= 0) {
            hid_t g = H5Gcreate2(file, buf, H5P_DEFAULT, gcpl, H5P_DEFAULT);
            rc = g < 0 ? -1 : 0;
            hp_h5_close(&g, H5Gclose);
        }
        *p = '/';
    }
    hp_h5_close(&gcpl, H5Pclose);
    return rc;
}

/* A scalar string dataset (the config texts). */
static int string_dataset(hid_t file, const char *name, const char *text)
{
    hid_t t = hp_h5_str_type(), s = H5Screate(H5S_SCALAR), d = -1;
    int rc = -1;
    if (t >= 0 && s >= 0 && ensure_groups(file, name) == 0)
        d = H5Dcreate2(file, name, t, s, H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT);
    if (d >= 0 && H5Dwrite(d, t, H5S_ALL, H5S_ALL, H5P_DEFAULT, &text) >= 0)
        rc = 0;
    hp_h5_close(&d, H5Dclose);
    hp_h5_close(&s, H5Sclose);
    hp_h5_close(&t, H5Tclose);
    return rc;
}

/* units and long_name, the netCDF/CF attribute names. */
static int var_attrs(hid_t d, const char *units, const char *long_name)
{
    return hp_h5_attr_write_str(d, "units", units) || hp_h5_attr_write_str(d, "long_name", long_name) ? -1 : 0;
}

/* A small 1-D axis dataset written in one go, made a dimension scale. */
static hid_t small_axis(hid_t file, const char *name, hid_t ftype, hid_t mtype,
                        hsize_t n, const void *data, const char *units, const char *doc)
{
    hid_t s = H5Screate_simple(1, &n, NULL);
    hid_t d = s < 0 ? -1 : H5Dcreate2(file, name, ftype, s, H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT);
    int ok = d >= 0 && (n == 0 || H5Dwrite(d, mtype, H5S_ALL, H5S_ALL, H5P_DEFAULT, data) >= 0)
             && var_attrs(d, units, doc) == 0;
    hp_h5_close(&s, H5Sclose);
    if (!ok)
        hp_h5_close(&d, H5Dclose);
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
        hp_h5_close(&m, H5Sclose);
    }
    ok = ok && var_attrs(d, "1", "global path index") == 0;
    free(buf);
    hp_h5_close(&s, H5Sclose);
    hp_h5_close(&p, H5Pclose);
    if (!ok)
        hp_h5_close(&d, H5Dclose);
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
        if (w->axis[a] < 0 || H5DSset_scale(w->axis[a], hp_axis_name[a]) < 0)
            return hp_h5_fail(err, w->path, "cannot create axis %s", hp_axis_name[a]);
    if (w->days < 0 || H5DSattach_scale(w->days, w->axis[AX_YEAR], 0) < 0)
        return hp_h5_fail(err, w->path, "cannot create axis days_in_year");
    hid_t gcpl = hp_h5_group_plist();
    hid_t g = gcpl < 0 ? -1 : H5Gcreate2(w->file, "axes", H5P_DEFAULT, gcpl, H5P_DEFAULT);
    int rc = g < 0 ? -1 : 0;
    for (int a = 0; a <= AX_COUNT && rc == 0; a++) {
        const char *name = a < AX_COUNT ? hp_axis_name[a] : "days_in_year";
        rc = H5Lcreate_hard(w->file, name, g, name, H5P_DEFAULT, H5P_DEFAULT) < 0 ? -1 : 0;
    }
    hp_h5_close(&g, H5Gclose);
    hp_h5_close(&gcpl, H5Pclose);
    return rc ? hp_h5_fail(err, w->path, "cannot create group /axes") : 0;
}


/* ---- variable datasets ------------------------------------------------ */

/* File dimensions of a dataset when it holds `paths` paths; axes[] names them. */
int out_ds_dims(const wds *d, hsize_t paths, hsize_t *dims, int *axes)
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

size_t out_etype_size(int et)
{
    return et == ET_DOUBLE ? sizeof(double) : et == ET_FLOAT ? sizeof(float) : sizeof(int32_t);
}

hid_t out_etype_mem(int et)
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
    d->has_alloc = v->shape != HP_SHAPE_PATH_YEAR && v->shape != HP_SHAPE_PATH;
    d->n_outer = d->has_alloc ? (size_t)l->n_alloc : 1;
    d->n_in = v->shape == HP_SHAPE_ALLOC_PATH || v->shape == HP_SHAPE_PATH ? 1
            : v->shape == HP_SHAPE_ALLOC_PATH_HALVING ? (size_t)l->n_halvings
            : (size_t)l->n_years;
    d->inner_axis = total || v->shape == HP_SHAPE_ALLOC_PATH || v->shape == HP_SHAPE_PATH ? -1
                  : v->shape == HP_SHAPE_ALLOC_PATH_HALVING ? AX_HALVING : AX_YEAR;
    d->etype = v->shape == HP_SHAPE_ALLOC_PATH_HALVING ? ET_INT32
             : (d->inner_axis == AX_YEAR && w->float32) ? ET_FLOAT : ET_DOUBLE;
    w->n_ds++;
    return 0;
}

/* Decides which datasets the file gets, from the layout and the options. */
int out_plan_datasets(hp_output *w, int per_year)
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
size_t out_chunk_bytes(const hp_output *w, const wds *d)
{
    size_t paths = w->n_paths < w->chunk_paths ? (size_t)w->n_paths : (size_t)w->chunk_paths;
    size_t in = d->inner_axis >= 0 ? d->n_in : 1;
    return d->n_outer * paths * in * out_etype_size(d->etype);
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
             && H5Pset_fill_value(p, out_etype_mem(d->etype), fill) >= 0;
    /* The encoder (output_encode.c) applies the same two filters, in this
     * order, to the chunks it hands over ready-made. */
    if (ok && !empty)
        ok = H5Pset_chunk(p, rank, chunk) >= 0 && H5Pset_shuffle(p) >= 0
             && H5Pset_deflate(p, DEFLATE_LEVEL) >= 0;
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
        rc = link_axis(w, g, hp_axis_name[axes[k]]);
        if (rc == 0 && axes[k] == AX_YEAR)
            rc = link_axis(w, g, "days_in_year");
    }
    hp_h5_close(&g, H5Gclose);
    return rc;
}

/* Creates one dataset with its attributes and dimension scales. */
static int create_ds(hp_output *w, wds *d, size_t cache, hp_err *err)
{
    hsize_t dims[3];
    int axes[3];
    int rank = out_ds_dims(d, w->n_paths, dims, axes);
    hid_t s = H5Screate_simple(rank, dims, NULL);
    hid_t dcpl = ds_create_plist(d, rank, dims, w->chunk_paths);
    hid_t dapl = H5Pcreate(H5P_DATASET_ACCESS);
    int ok = s >= 0 && dcpl >= 0 && dapl >= 0 && ensure_groups(w->file, d->name) == 0
             && H5Pset_chunk_cache(dapl, CACHE_SLOTS, cache, 1.0) >= 0;
    if (ok)
        d->id = H5Dcreate2(w->file, d->name, etype_file(d->etype), s, H5P_DEFAULT, dcpl, dapl);
    hp_h5_close(&s, H5Sclose);
    hp_h5_close(&dcpl, H5Pclose);
    hp_h5_close(&dapl, H5Pclose);
    if (d->id < 0)
        return hp_h5_fail(err, w->path, "cannot create dataset %s", d->name);
    char doc[1024];
    snprintf(doc, sizeof doc, d->total ? "sum over the years of: %s" : "%s",
             d->var->doc != NULL ? d->var->doc : "");
    ok = var_attrs(d->id, d->var->units, doc) == 0
         && (d->inner_axis != AX_YEAR || hp_h5_attr_write_str(d->id, "coordinates", "days_in_year") == 0);
    for (int k = 0; ok && k < rank; k++)
        ok = H5DSattach_scale(d->id, w->axis[axes[k]], (unsigned)k) >= 0;
    if (!ok || link_axes(w, d->name, rank, axes) < 0)
        return hp_h5_fail(err, w->path, "cannot describe dataset %s", d->name);
    return 0;
}

/* Chunk cache of one dataset, in chunks: 4 (2 when that would exceed
 * CACHE_BUDGET over all datasets). A block write fills part of a chunk
 * when chunks are wider than blocks, and the chunk must stay cached until
 * the neighbouring blocks complete it; w0 = 1 evicts completed chunks first. */
size_t out_cache_chunks(const hp_output *w)
{
    size_t row = 0;
    for (int i = 0; i < w->n_ds; i++)
        row += out_chunk_bytes(w, &w->ds[i]);
    return row * 4 <= CACHE_BUDGET ? 4 : 2;
}

/* A stop request (SIGINT, SIGTERM) while the file is being created. */
static int stopped(hp_output *w, hp_err *err)
{
    if (w->stop == NULL || !*w->stop)
        return 0;
    return hp_fail(err, w->path, 0, NULL, "interrupted while creating %s; nothing was simulated", w->tmp);
}

/* Writes every chunk of dataset d as compressed fill, in order. Every chunk
 * exists from creation on, so the chunk index has its final shape before
 * any block is written: afterwards a block only changes index entries in
 * place, which is what makes a kill at any moment harmless (output_int.h).
 * It takes a while for a large run, so a stop request is honoured every
 * few thousand chunks. */
static int fill_chunks(hp_output *w, wds *d, hp_err *err)
{
    if (out_ds_empty(w, d))
        return 0;
    size_t size = 0;
    unsigned char *fill = out_fill_chunk(w, d, &size);
    if (fill == NULL)
        return hp_fail(err, w->path, 0, d->name, "cannot compress the fill values: out of memory");
    hsize_t offset[3] = { 0, 0, 0 }, dims[3];
    int axes[3], path_dim = 0, rank = out_ds_dims(d, w->n_paths, dims, axes), rc = 0;
    for (int k = 0; k < rank; k++)
        if (axes[k] == AX_PATH)
            path_dim = k;
    uint64_t n = out_chunks_per_dataset(w);
    for (uint64_t c = 0; rc == 0 && c < n; c++) {
        if (c % 4096 == 0 && stopped(w, err) < 0)
            rc = -1;
        offset[path_dim] = c * w->chunk_paths;
        if (rc == 0 && H5Dwrite_chunk(d->id, H5P_DEFAULT, 0, offset, size, fill) < 0)
            rc = hp_h5_fail(err, w->path, "cannot create dataset %s", d->name);
    }
    free(fill);
    return rc;
}

/* Creates all planned datasets, every chunk written. */
static int create_datasets(hp_output *w, hp_err *err)
{
    size_t k = out_cache_chunks(w);
    for (int i = 0; i < w->n_ds; i++) {
        if (stopped(w, err) < 0 || create_ds(w, &w->ds[i], k * out_chunk_bytes(w, &w->ds[i]) + 1, err) < 0
            || fill_chunks(w, &w->ds[i], err) < 0)
            return -1;
    }
    return 0;
}

/* What creating the file writes, about: every chunk's compressed fill
 * and index entry, the path axis, the config texts, and headers. */
uint64_t out_creation_bytes(const hp_output *w, const hp_output_opts *o)
{
    uint64_t n = 16384 + 8 * w->n_paths;
    const char *texts[] = { o->config_source, o->config_resolved, o->inputs, o->command_line };
    for (size_t k = 0; k < sizeof texts / sizeof texts[0]; k++)
        n += texts[k] != NULL ? strlen(texts[k]) : 0;
    for (int i = 0; i < w->n_ds; i++) {
        size_t fill = 0;
        unsigned char *f = out_ds_empty(w, &w->ds[i]) ? NULL : out_fill_chunk(w, &w->ds[i], &fill);
        free(f);
        n += 4096 + (fill + 64) * out_chunks_per_dataset(w);
    }
    return n;
}

/* Chunks of one dataset along the path dimension. */
uint64_t out_chunks_per_dataset(const hp_output *w)
{
    return (w->n_paths + w->chunk_paths - 1) / w->chunk_paths;
}

/* 1 when an opened dataset has the shape and type the layout gives it. */
int out_ds_matches(const hp_output *w, const wds *d)
{
    hsize_t want[3], have[3];
    int axes[3];
    int rank = out_ds_dims(d, w->n_paths, want, axes);
    hid_t s = H5Dget_space(d->id), t = H5Dget_type(d->id);
    int ok = s >= 0 && t >= 0 && H5Sget_simple_extent_ndims(s) == rank
             && H5Sget_simple_extent_dims(s, have, NULL) == rank && H5Tequal(t, etype_file(d->etype)) > 0;
    for (int k = 0; ok && k < rank; k++)
        ok = have[k] == want[k];
    hp_h5_close(&s, H5Sclose);
    hp_h5_close(&t, H5Tclose);
    return ok;
}

/* 1 when a dataset has an empty dimension (nothing is ever stored). */
int out_ds_empty(const hp_output *w, const wds *d)
{
    hsize_t dims[3];
    int axes[3];
    int rank = out_ds_dims(d, w->n_paths, dims, axes);
    for (int k = 0; k < rank; k++)
        if (dims[k] == 0)
            return 1;
    return 0;
}

/* A 1-D contiguous dataset of n elements, allocated and zero-filled at
 * creation, so that writing it later changes bytes in place and no HDF5
 * metadata. */
static hid_t progress_dataset(hid_t g, const char *name, hid_t ftype, hid_t mtype, hsize_t n,
                              const char *doc)
{
    uint64_t zero = 0;
    hid_t s = H5Screate_simple(1, &n, NULL), p = H5Pcreate(H5P_DATASET_CREATE), d = -1;
    if (s >= 0 && p >= 0 && H5Pset_layout(p, H5D_CONTIGUOUS) >= 0
        && H5Pset_alloc_time(p, H5D_ALLOC_TIME_EARLY) >= 0 && H5Pset_fill_time(p, H5D_FILL_TIME_ALLOC) >= 0
        && H5Pset_fill_value(p, mtype, &zero) >= 0 && H5Pset_obj_track_times(p, 0) >= 0)
        d = H5Dcreate2(g, name, ftype, s, H5P_DEFAULT, p, H5P_DEFAULT);
    if (d >= 0 && var_attrs(d, "1", doc) < 0)
        hp_h5_close(&d, H5Dclose);
    hp_h5_close(&p, H5Pclose);
    hp_h5_close(&s, H5Sclose);
    return d;
}

/* The dataset names in checksum order, one a line. */
static char *dataset_list(const hp_output *w)
{
    size_t n = 1;
    for (int i = 0; i < w->n_ds; i++)
        n += strlen(w->ds[i].name) + 1;
    char *t = malloc(n), *p = t;
    for (int i = 0; t != NULL && i < w->n_ds; i++)
        p += sprintf(p, "%s\n", w->ds[i].name);
    if (t != NULL)
        *p = '\0';
    return t;
}

/* progress/block: the block dimension, a netCDF dimension without values
 * (no storage is ever allocated for it), so that /progress opens in xarray
 * like the variable groups. */
static hid_t block_dimension(hid_t g, hsize_t n)
{
    hid_t s = H5Screate_simple(1, &n, NULL), p = H5Pcreate(H5P_DATASET_CREATE), d = -1;
    if (s >= 0 && p >= 0 && H5Pset_alloc_time(p, H5D_ALLOC_TIME_LATE) >= 0
        && H5Pset_fill_time(p, H5D_FILL_TIME_NEVER) >= 0 && H5Pset_obj_track_times(p, 0) >= 0)
        d = H5Dcreate2(g, "block", H5T_STD_I32LE, s, H5P_DEFAULT, p, H5P_DEFAULT);
    if (d >= 0 && H5DSset_scale(d, "This is a netCDF dimension but not a netCDF variable.") < 0)
        hp_h5_close(&d, H5Dclose);
    hp_h5_close(&p, H5Pclose);
    hp_h5_close(&s, H5Sclose);
    return d;
}

/* /progress: the block size, and per block a flag (1 once the block is on
 * disk in every dataset) and a checksum of its values. Created last, so a
 * file with a progress record was created whole. It stays in the finished
 * file, where the checksums let anyone check every block. */
static int create_progress(hp_output *w)
{
    hid_t gcpl = hp_h5_group_plist();
    hid_t g = gcpl < 0 ? -1 : H5Gcreate2(w->file, "progress", H5P_DEFAULT, gcpl, H5P_DEFAULT);
    hid_t dim = g < 0 ? -1 : block_dimension(g, w->n_blocks);
    char *names = dataset_list(w);
    int ok = g >= 0 && names != NULL
             && hp_h5_attr_write_num(g, "block_size", H5T_STD_U64LE, H5T_NATIVE_UINT64, 0, &w->block_size) == 0
             && hp_h5_attr_write_num(g, "n_blocks", H5T_STD_U64LE, H5T_NATIVE_UINT64, 0, &w->n_blocks) == 0
             && hp_h5_attr_write_str(g, "checksum_datasets", names) == 0;
    if (ok)
        w->progress = progress_dataset(g, "block_done", H5T_STD_U8LE, H5T_NATIVE_UINT8, w->n_blocks,
                                       "1: block of block_size paths is on disk in every dataset");
    if (ok && w->progress >= 0)
        w->sums = progress_dataset(g, "block_checksum", H5T_STD_U64LE, H5T_NATIVE_UINT64, w->n_blocks,
                                   "checksum of the block's values in every dataset (docs/output.md)");
    ok = ok && w->progress >= 0 && w->sums >= 0 && dim >= 0
         && H5DSattach_scale(w->progress, dim, 0) >= 0 && H5DSattach_scale(w->sums, dim, 0) >= 0;
    free(names);
    hp_h5_close(&dim, H5Dclose);
    hp_h5_close(&g, H5Gclose);
    hp_h5_close(&gcpl, H5Pclose);
    return ok ? 0 : -1;
}

/* File access for our files: HDF5's own file lock off (output_dest.c holds
 * ours), the metadata cache capped. HDF5's cache adapts up to 32 MiB, and
 * the chunk indexes grow with the number of paths; blocks are written
 * once, so a small cache costs little and keeps memory flat in n_paths. */
hid_t out_file_access(void)
{
    H5AC_cache_config_t c;
    c.version = H5AC__CURR_CACHE_CONFIG_VERSION;
    hid_t fapl = hp_h5_fapl();
    if (fapl < 0 || H5Pget_mdc_config(fapl, &c) < 0) {
        hp_h5_close(&fapl, H5Pclose);
        return -1;
    }
    c.set_initial_size = 1;
    c.initial_size = 1u << 20;
    c.min_size = 1u << 20;
    c.max_size = 2u << 20;
    if (H5Pset_mdc_config(fapl, &c) < 0)
        hp_h5_close(&fapl, H5Pclose);
    return fapl;
}

/* Creates the partial file exclusively, with the root creation order
 * tracked (netCDF-4) and space allocated only at the end of the file (see
 * output_int.h: what makes a kill at any moment resumable). */
hid_t out_create_file(const char *tmp)
{
    hid_t fcpl = H5Pcreate(H5P_FILE_CREATE), fapl = out_file_access(), f = -1;
    if (fcpl >= 0 && fapl >= 0
        && H5Pset_link_creation_order(fcpl, H5P_CRT_ORDER_TRACKED | H5P_CRT_ORDER_INDEXED) >= 0
        && H5Pset_attr_creation_order(fcpl, H5P_CRT_ORDER_TRACKED | H5P_CRT_ORDER_INDEXED) >= 0
        && H5Pset_file_space_strategy(fcpl, H5F_FSPACE_STRATEGY_NONE, 0, 1) >= 0)
        f = H5Fcreate(tmp, H5F_ACC_EXCL, fcpl, fapl);
    hp_h5_close(&fcpl, H5Pclose);
    hp_h5_close(&fapl, H5Pclose);
    return f;
}

/* The model's tables (hp_layout.tables): known before any path, written
 * once, with the file. */
static int create_tables(hp_output *w, hp_err *err)
{
    const hp_layout *l = w->l;
    for (int i = 0; i < l->n_tables; i++) {
        const hp_table *t = &l->tables[i];
        if (t->text != NULL) {
            if (string_dataset(w->file, t->name, t->text) < 0)
                return hp_h5_fail(err, w->path, "cannot write %s", t->name);
            continue;
        }
        hsize_t dims[3] = {0, 0, 0}, n = 1;
        for (int k = 0; k < t->rank && k < 3; k++)
            n *= dims[k] = t->shape[k];
        hid_t s = H5Screate_simple(t->rank, dims, NULL), d = -1;
        if (s >= 0 && ensure_groups(w->file, t->name) == 0)
            d = H5Dcreate2(w->file, t->name, H5T_IEEE_F64LE, s, H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT);
        int ok = d >= 0 && (n == 0 || H5Dwrite(d, H5T_NATIVE_DOUBLE, H5S_ALL, H5S_ALL, H5P_DEFAULT,
                                               t->data) >= 0)
                 && var_attrs(d, t->units, t->doc) == 0
                 && hp_h5_attr_write_str(d, "dimensions", t->dims != NULL ? t->dims : "") == 0;
        hp_h5_close(&d, H5Dclose);
        hp_h5_close(&s, H5Sclose);
        if (!ok)
            return hp_h5_fail(err, w->path, "cannot write %s", t->name);
    }
    return 0;
}

/* Everything after the file exists: attributes, config, axes, datasets
 * (planned already), the progress record. */
int out_fill_new_file(hp_output *w, const hp_output_opts *o, hp_err *err)
{
    if (root_attrs(w, o) < 0)
        return hp_h5_fail(err, o->path, "cannot write attributes");
    if (string_dataset(w->file, "config/resolved", o->config_resolved ? o->config_resolved : "") < 0
        || (o->config_source != NULL && string_dataset(w->file, "config/source", o->config_source) < 0))
        return hp_h5_fail(err, o->path, "cannot write /config");
    if (o->inputs != NULL && string_dataset(w->file, "config/inputs", o->inputs) < 0)
        return hp_h5_fail(err, o->path, "cannot write /config");
    if (create_axes(w, err) < 0 || create_tables(w, err) < 0)
        return -1;
    if (create_datasets(w, err) < 0)
        return -1;
    if (w->block_size > 0 && create_progress(w) < 0)
        return hp_h5_fail(err, o->path, "cannot create /progress");
    return 0;
}
