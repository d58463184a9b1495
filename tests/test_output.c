/* test_output: the results file writer (output.c) and summary (summary.c).
 *
 * A fake layout with one variable of each shape is written from a
 * deterministic fake generator, in several block sizes and shuffled block
 * order, then read back value by value with the HDF5 C API. The summary's
 * streamed quantiles are compared with sorting.
 *
 * `test_output --write FILE` only writes a small file and exits: the
 * Python test (test_output_xarray.py) reads it with h5py and xarray. */
#include <errno.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <hdf5.h>
#include <hdf5_hl.h>

#include "check.h"
#include "info.h"
#include "output.h"
#include "stats.h"
#include "summary.h"

/* ---- the fake model ------------------------------------------------------ */

static const double allocs[3] = { 0.0, 0.25, 0.5 };
static const int years[3] = { 2025, 2026, 2027 };
static const int days[3] = { 200, 365, 365 };
static const int64_t heights[2] = { 1050000, 1260000 };

static const hp_var vars[] = {
    { "price/btc_usd", HP_SHAPE_PATH_YEAR, "USD", "mean BTC price in the year", 0 },
    { "hpc/revenue", HP_SHAPE_ALLOC_PATH_YEAR, "USD", "HPC revenue in the year", 1 },
    { "miner/hashrate", HP_SHAPE_ALLOC_PATH_YEAR, "PH/s", "mean hashrate in the year", 0 },
    { "valuation/npv", HP_SHAPE_ALLOC_PATH, "USD", "net present value", 0 },
    { "network/halving_day", HP_SHAPE_ALLOC_PATH_HALVING, "day", "day index of each halving", 0 },
};
#define N_VARS 5
#define V_HALVING 4

static const hp_summary_item items[] = {
    { "NPV", "valuation/npv", 1.0, 1 },
    { "HPC revenue / yr", "totals/revenue", 1.0 / 3.0, 0 },
};

static const hp_layout fake = {
    .n_alloc = 3, .alloc = allocs, .n_years = 3, .year = years, .days_in_year = days,
    .n_halvings = 2, .halving_height = heights, .n_days = 930,
    .n_vars = N_VARS, .vars = vars, .n_summary = 2, .summary = items, .baseline_alloc = 0,
    .start_date = "2025-01-01", .horizon_years = 3.0,
};

/* Value k of variable v of path p: distinct, signed, not float-exact. */
static double fake_value(uint64_t p, int v, size_t k)
{
    if (v == V_HALVING)
        return (p + k) % 11 == 0 ? -1.0 : (double)((p * 3 + k * 17) % 930);
    double x = (double)((p * 7919 + (uint64_t)v * 104729 + k * 613) % 20011) - 10000.0;
    return x * 1234.5678901 + (double)p * 1e-3;
}

/* Offset of variable v in a path result. */
static size_t var_off(const hp_layout *l, int v)
{
    size_t off = 0;
    for (int i = 0; i < v; i++)
        off += hp_var_size(l, &l->vars[i]);
    return off;
}

/* Fills count path results starting at path first. */
static void fake_block(const hp_layout *l, uint64_t first, size_t count, double *out)
{
    size_t ps = hp_layout_path_size(l);
    for (size_t i = 0; i < count; i++)
        for (int v = 0; v < l->n_vars; v++) {
            size_t off = var_off(l, v), n = hp_var_size(l, &l->vars[v]);
            for (size_t k = 0; k < n; k++)
                out[i * ps + off + k] = fake_value(first + i, v, k);
        }
}

static hp_output_opts opts_for(const char *path, uint64_t n_paths)
{
    hp_output_opts o = {
        .path = path, .force = 1, .per_year = 1, .float32 = 0, .seed = 12345678901234ULL,
        .n_paths = n_paths,
        .command_line = "hashpivot run -c test.cfg", .config_file = "test.cfg",
        .config_source = "price = { sigma = 0.5; };\n", .config_resolved = "price = { sigma = 0.5; };\n",
    };
    return o;
}

/* A tiny LCG: reproducible shuffles without touching the engine's RNG. */
static uint64_t lcg(uint64_t *s)
{
    *s = *s * 6364136223846793005ULL + 1442695040888963407ULL;
    return *s >> 33;
}

/* Writes every path through w in blocks of `block`, in shuffled order. */
static int write_all(hp_output *w, const hp_layout *l, uint64_t n_paths, size_t block,
                     uint64_t seed, hp_err *err)
{
    size_t nb = (size_t)((n_paths + block - 1) / block), ps = hp_layout_path_size(l);
    uint64_t *order = malloc(nb * sizeof *order);
    double *res = malloc(block * ps * sizeof *res);
    for (size_t i = 0; i < nb; i++)
        order[i] = i;
    for (size_t i = nb; i > 1; i--) {
        size_t j = lcg(&seed) % i;
        uint64_t t = order[i - 1];
        order[i - 1] = order[j];
        order[j] = t;
    }
    int rc = 0;
    for (size_t i = 0; rc == 0 && i < nb; i++) {
        uint64_t first = order[i] * block;
        size_t count = n_paths - first < block ? (size_t)(n_paths - first) : block;
        fake_block(l, first, count, res);
        rc = hp_output_write_block(w, first, count, res, err);
    }
    free(res);
    free(order);
    return rc;
}

/* Creates, fills and closes a file; 0 on success. */
static int write_file(const hp_output_opts *o, const hp_layout *l, size_t block, uint64_t seed)
{
    hp_err err = { 0 };
    hp_output *w = hp_output_create(o, l, &err);
    if (w == NULL || write_all(w, l, o->n_paths, block, seed, &err) < 0) {
        fprintf(stderr, "write_file: %s\n", err.msg);
        hp_output_abort(w);
        return -1;
    }
    if (hp_output_close(w, &err) < 0) {
        fprintf(stderr, "write_file: %s\n", err.msg);
        return -1;
    }
    return 0;
}

/* ---- reading back --------------------------------------------------------- */

static int exists(const char *path)
{
    struct stat st;
    return stat(path, &st) == 0;
}

static void tmp_path(const char *path, char *buf, size_t n)
{
    snprintf(buf, n, "%s.partial", path);
}

/* A string attribute (variable-length) as a malloc'd string. */
static char *read_str_attr(hid_t loc, const char *name)
{
    hid_t a = H5Aopen(loc, name, H5P_DEFAULT), t = H5Aget_type(a);
    char *v = NULL, *out = NULL;
    CHECK(H5Tis_variable_str(t) > 0);
    CHECK(H5Tget_cset(t) == H5T_CSET_UTF8);
    if (H5Aread(a, t, &v) >= 0 && v != NULL)
        out = strdup(v);
    H5free_memory(v);
    H5Tclose(t);
    H5Aclose(a);
    return out;
}

static void check_str_attr(hid_t loc, const char *name, const char *want)
{
    char *v = read_str_attr(loc, name);
    CHECK_MSG(v != NULL && strcmp(v, want) == 0, "%s = '%s', want '%s'", name, v ? v : "(null)", want);
    free(v);
}

/* A numeric attribute read as doubles (n elements). */
static void read_num_attr(hid_t loc, const char *name, hid_t mtype, void *out)
{
    hid_t a = H5Aopen(loc, name, H5P_DEFAULT);
    CHECK_MSG(a >= 0 && H5Aread(a, mtype, out) >= 0, "attribute %s", name);
    H5Aclose(a);
}

/* Reads a whole dataset as doubles; *n gets the element count. */
static double *read_all(hid_t f, const char *name, hsize_t *dims, int *rank)
{
    hid_t d = H5Dopen2(f, name, H5P_DEFAULT), s = H5Dget_space(d);
    *rank = H5Sget_simple_extent_ndims(s);
    H5Sget_simple_extent_dims(s, dims, NULL);
    hssize_t n = H5Sget_simple_extent_npoints(s);
    double *x = malloc((size_t)(n > 0 ? n : 1) * sizeof *x);
    CHECK(H5Dread(d, H5T_NATIVE_DOUBLE, H5S_ALL, H5S_ALL, H5P_DEFAULT, x) >= 0);
    H5Sclose(s);
    H5Dclose(d);
    return x;
}

/* Storage and description of a variable dataset: chunk, filters, type,
 * attributes, scales on every dimension, the axes linked into its group. */
static void check_storage(hid_t f, const char *name, int rank, const hsize_t *chunk_want,
                          H5T_class_t cls, size_t size, const char *const *axes)
{
    hid_t d = H5Dopen2(f, name, H5P_DEFAULT), p = H5Dget_create_plist(d), t = H5Dget_type(d);
    hsize_t chunk[3] = { 0 };
    CHECK_MSG(H5Pget_chunk(p, 3, chunk) == rank, "%s chunk rank", name);
    for (int k = 0; k < rank; k++)
        CHECK_MSG(chunk[k] == chunk_want[k], "%s chunk[%d] = %llu", name, k, (unsigned long long)chunk[k]);
    CHECK_MSG(H5Pget_nfilters(p) == 2, "%s filters", name);
    CHECK_MSG(H5Tget_class(t) == cls && H5Tget_size(t) == size, "%s type", name);
    for (int k = 0; k < rank; k++) {
        hid_t sc = H5Dopen2(f, axes[k], H5P_DEFAULT);
        CHECK_MSG(H5DSis_attached(d, sc, (unsigned)k) > 0, "%s dim %d scale %s", name, k, axes[k]);
        H5Dclose(sc);
        char link[256];
        const char *slash = strrchr(name, '/');
        snprintf(link, sizeof link, "%.*s/%s", (int)(slash - name), name, axes[k]);
        CHECK_MSG(H5Lexists(f, link, H5P_DEFAULT) > 0, "%s linked", link);
    }
    CHECK(H5Aexists(d, "units") > 0 && H5Aexists(d, "long_name") > 0);
    H5Tclose(t);
    H5Pclose(p);
    H5Dclose(d);
}

/* Expected value of element (o, p, i) of variable v's dataset. */
static double expect(const hp_layout *l, int v, int total, int f32, size_t o, uint64_t p, size_t i)
{
    const hp_var *var = &l->vars[v];
    size_t n_in = var->shape == HP_SHAPE_ALLOC_PATH ? 1
                : var->shape == HP_SHAPE_ALLOC_PATH_HALVING ? (size_t)l->n_halvings : (size_t)l->n_years;
    if (total) {
        double s = 0.0;
        for (size_t j = 0; j < n_in; j++)
            s += fake_value(p, v, o * n_in + j);
        return s;
    }
    double x = fake_value(p, v, o * n_in + i);
    return f32 ? (double)(float)x : x;
}

/* Every value of one dataset against the generator. */
static void check_values(hid_t f, const hp_layout *l, const char *name, int v, int total,
                         int f32, uint64_t n_paths)
{
    hsize_t dims[3] = { 0 };
    int rank;
    double *x = read_all(f, name, dims, &rank);
    int has_alloc = l->vars[v].shape != HP_SHAPE_PATH_YEAR;
    size_t n_o = has_alloc ? dims[0] : 1, n_p = dims[has_alloc ? 1 : 0];
    size_t n_i = rank == (has_alloc ? 3 : 2) ? dims[rank - 1] : 1;
    CHECK_MSG(n_p == n_paths, "%s paths %zu", name, n_p);
    size_t bad = 0;
    for (size_t o = 0; o < n_o; o++)
        for (size_t p = 0; p < n_p; p++)
            for (size_t i = 0; i < n_i; i++) {
                double want = expect(l, v, total, f32, o, p, i);
                if (x[(o * n_p + p) * n_i + i] != want && bad++ < 3)
                    fprintf(stderr, "%s[%zu,%zu,%zu] = %.17g, want %.17g\n", name, o, p, i,
                            x[(o * n_p + p) * n_i + i], want);
            }
    CHECK_MSG(bad == 0, "%s: %zu wrong values", name, bad);
    free(x);
}

/* Root attributes and axes of a finished fake file. */
static void check_root(hid_t f, uint64_t n_paths)
{
    check_str_attr(f, "filetype", HP_FILETYPE);
    check_str_attr(f, "status", "complete");
    check_str_attr(f, "start_date", "2025-01-01");
    check_str_attr(f, "config_file", "test.cfg");
    check_str_attr(f, "summary_items", "NPV|valuation/npv|1|paired\nHPC revenue / yr|totals/revenue|0.33333333333333331\n");
    char *created = read_str_attr(f, "created");
    CHECK(created != NULL && strlen(created) == 20 && created[19] == 'Z');
    free(created);
    int32_t ver[2], base, nd;
    uint64_t np, seed;
    double hz;
    read_num_attr(f, "format_version", H5T_NATIVE_INT32, ver);
    read_num_attr(f, "baseline_allocation", H5T_NATIVE_INT32, &base);
    read_num_attr(f, "n_days", H5T_NATIVE_INT32, &nd);
    read_num_attr(f, "n_paths", H5T_NATIVE_UINT64, &np);
    read_num_attr(f, "seed", H5T_NATIVE_UINT64, &seed);
    read_num_attr(f, "horizon_years", H5T_NATIVE_DOUBLE, &hz);
    CHECK(ver[0] == HP_FORMAT_MAJOR && ver[1] == HP_FORMAT_MINOR);
    CHECK(base == 0 && nd == 930 && np == n_paths && seed == 12345678901234ULL && hz == 3.0);
    hsize_t dims[3];
    int rank;
    double *a = read_all(f, "axes/allocation", dims, &rank);
    CHECK(rank == 1 && dims[0] == 3 && a[1] == 0.25);
    free(a);
    double *p = read_all(f, "path", dims, &rank);
    CHECK(dims[0] == n_paths && p[n_paths - 1] == (double)(n_paths - 1));
    free(p);
    double *y = read_all(f, "year", dims, &rank), *h = read_all(f, "halving", dims, &rank);
    CHECK(y[2] == 2027 && h[1] == 1260000);
    free(y);
    free(h);
    H5O_info_t i1, i2;
    H5Oget_info_by_name(f, "allocation", &i1, H5P_DEFAULT);
    H5Oget_info_by_name(f, "axes/allocation", &i2, H5P_DEFAULT);
    CHECK(i1.addr == i2.addr);
    hid_t s = H5Dopen2(f, "days_in_year", H5P_DEFAULT), ys = H5Dopen2(f, "year", H5P_DEFAULT);
    CHECK(H5DSis_attached(s, ys, 0) > 0);
    CHECK(H5DSis_scale(ys) > 0);
    H5Dclose(s);
    H5Dclose(ys);
    CHECK(H5Lexists(f, "config", H5P_DEFAULT) > 0 && H5Lexists(f, "config/resolved", H5P_DEFAULT) > 0);
    CHECK(H5Lexists(f, "config/source", H5P_DEFAULT) > 0);
}

/* Reads a whole fake file back and checks every value. */
static void check_file(const char *path, const hp_layout *l, uint64_t n_paths, int per_year, int f32)
{
    hid_t f = H5Fopen(path, H5F_ACC_RDONLY, H5P_DEFAULT);
    CHECK(f >= 0);
    if (f < 0)
        return;
    check_root(f, n_paths);
    hsize_t c = n_paths < 1024 ? n_paths : 1024;
    hsize_t ch_py[2] = { c, 3 }, ch_apy[3] = { 3, c, 3 }, ch_ap[2] = { 3, c }, ch_aph[3] = { 3, c, 2 };
    const char *ax_py[] = { "path", "year" }, *ax_apy[] = { "allocation", "path", "year" };
    const char *ax_ap[] = { "allocation", "path" }, *ax_aph[] = { "allocation", "path", "halving" };
    size_t fsz = f32 ? 4 : 8;
    if (per_year) {
        check_storage(f, "price/btc_usd", 2, ch_py, H5T_FLOAT, fsz, ax_py);
        check_storage(f, "hpc/revenue", 3, ch_apy, H5T_FLOAT, fsz, ax_apy);
        check_values(f, l, "price/btc_usd", 0, 0, f32, n_paths);
        check_values(f, l, "hpc/revenue", 1, 0, f32, n_paths);
        check_values(f, l, "miner/hashrate", 2, 0, f32, n_paths);
        CHECK(H5Lexists(f, "price/days_in_year", H5P_DEFAULT) > 0);
    } else {
        CHECK(H5Lexists(f, "price/btc_usd", H5P_DEFAULT) <= 0);
        CHECK(H5Lexists(f, "hpc/revenue", H5P_DEFAULT) <= 0);
        CHECK(H5Lexists(f, "miner/hashrate", H5P_DEFAULT) <= 0);
    }
    CHECK(H5Lexists(f, "totals/hashrate", H5P_DEFAULT) <= 0);
    check_storage(f, "totals/revenue", 2, ch_ap, H5T_FLOAT, 8, ax_ap);
    check_storage(f, "valuation/npv", 2, ch_ap, H5T_FLOAT, 8, ax_ap);
    check_storage(f, "network/halving_day", 3, ch_aph, H5T_INTEGER, 4, ax_aph);
    check_values(f, l, "totals/revenue", 1, 1, 0, n_paths);
    check_values(f, l, "valuation/npv", 3, 0, 0, n_paths);
    check_values(f, l, "network/halving_day", 4, 0, 0, n_paths);
    CHECK(H5Fget_obj_count(f, H5F_OBJ_ALL) == 1);
    H5Fclose(f);
}

/* ---- the tests ------------------------------------------------------------ */

/* Several block sizes (below, at and above the chunk length), shuffled. */
static void test_roundtrip(void)
{
    const char *path = "t_roundtrip.h5";
    uint64_t n = 2500;
    size_t blocks[] = { 1, 7, 1000, 1024, 1500, 2500, 4000 };
    for (size_t b = 0; b < sizeof blocks / sizeof *blocks; b++) {
        hp_output_opts o = opts_for(path, n);
        CHECK_MSG(write_file(&o, &fake, blocks[b], 17 + b) == 0, "block %zu", blocks[b]);
        check_file(path, &fake, n, 1, 0);
    }
    hp_output_opts o = opts_for(path, 5);   /* fewer paths than a chunk */
    CHECK(write_file(&o, &fake, 2, 3) == 0);
    check_file(path, &fake, 5, 1, 0);
    unlink(path);
}

static void test_float32_and_per_year(void)
{
    const char *path = "t_options.h5";
    hp_output_opts o = opts_for(path, 1300);
    o.float32 = 1;
    CHECK(write_file(&o, &fake, 100, 5) == 0);
    check_file(path, &fake, 1300, 1, 1);
    o.float32 = 0;
    o.per_year = 0;
    CHECK(write_file(&o, &fake, 333, 6) == 0);
    check_file(path, &fake, 1300, 0, 0);
    unlink(path);
}

/* status is "incomplete" in the temporary file, "complete" after close;
 * the temporary file is gone after close and after abort. */
static void test_status_protocol(void)
{
    const char *path = "t_status.h5";
    char tmp[512];
    tmp_path(path, tmp, sizeof tmp);
    unlink(path);
    hp_err err = { 0 };
    hp_output_opts o = opts_for(path, 300);
    o.force = 0;
    hp_output *w = hp_output_create(&o, &fake, &err);
    CHECK(w != NULL);
    CHECK(exists(tmp) && !exists(path));
    double *res = malloc(100 * hp_layout_path_size(&fake) * sizeof *res);
    fake_block(&fake, 100, 100, res);
    CHECK(hp_output_write_block(w, 100, 100, res, &err) == 0);
    /* the writer has it open, with HDF5's file lock off (it holds its own):
     * a second open in the same process must say the same */
    hid_t fapl = H5Pcreate(H5P_FILE_ACCESS);
    H5Pset_file_locking(fapl, 0, 1);
    hid_t f = H5Fopen(tmp, H5F_ACC_RDONLY, fapl);
    H5Pclose(fapl);
    CHECK(f >= 0);
    check_str_attr(f, "status", "incomplete");
    H5Fclose(f);
    /* an incomplete file is summarised, unwritten paths (NaN) skipped */
    hp_stats st[3];
    CHECK(hp_summary_stats(tmp, "valuation/npv", 1.0, st, NULL, 3, &err) == 3);
    CHECK(st[1].n == 100);
    char *text = NULL;
    size_t len = 0;
    FILE *mem = open_memstream(&text, &len);
    CHECK(hp_summary_print(tmp, mem, &err) == 0);
    fclose(mem);
    CHECK(strstr(text, "INCOMPLETE") != NULL && strstr(text, "100 of 300 paths") != NULL);
    free(text);
    fake_block(&fake, 0, 100, res);
    CHECK(hp_output_write_block(w, 0, 100, res, &err) == 0);
    fake_block(&fake, 200, 100, res);
    CHECK(hp_output_write_block(w, 200, 100, res, &err) == 0);
    CHECK(hp_output_close(w, &err) == 0);
    CHECK(!exists(tmp) && exists(path));
    f = H5Fopen(path, H5F_ACC_RDONLY, H5P_DEFAULT);
    check_str_attr(f, "status", "complete");
    H5Fclose(f);
    unlink(path);

    w = hp_output_create(&o, &fake, &err);
    CHECK(w != NULL && exists(tmp));
    hp_output_abort(w);
    CHECK(!exists(tmp) && !exists(path));

    /* closing with paths missing fails and leaves nothing behind */
    hp_err e2 = { 0 };
    w = hp_output_create(&o, &fake, &err);
    CHECK(hp_output_write_block(w, 0, 100, res, &err) == 0);
    CHECK(hp_output_close(w, &e2) < 0);
    CHECK(strstr(e2.msg, "only 100 of 300 paths") != NULL);
    CHECK(!exists(tmp) && !exists(path));

    /* a block beyond n_paths, a bad day index: errors, then abort */
    hp_err e3 = { 0 }, e4 = { 0 };
    w = hp_output_create(&o, &fake, &err);
    CHECK(hp_output_write_block(w, 250, 100, res, &e3) < 0);
    CHECK(strstr(e3.msg, "beyond 300 paths") != NULL);
    res[var_off(&fake, V_HALVING) + 1] = 1.5;
    CHECK(hp_output_write_block(w, 0, 100, res, &e4) < 0);
    CHECK(strstr(e4.msg, "network/halving_day: path 0: day index") != NULL);
    hp_output_abort(w);
    CHECK(!exists(tmp) && !exists(path));
    CHECK(err.set == 0);
    free(res);
}

static char *slurp(const char *path)
{
    FILE *f = fopen(path, "rb");
    char *buf = calloc(1, 256);
    if (f != NULL) {
        size_t n = fread(buf, 1, 255, f);
        (void)n;
        fclose(f);
    }
    return buf;
}

/* An existing file is refused without force and left untouched; bad
 * directories are refused before anything is created. */
static void test_destination_checks(void)
{
    const char *path = "t_exists.h5";
    FILE *f = fopen(path, "w");
    fputs("precious", f);
    fclose(f);
    hp_err err = { 0 };
    hp_output_opts o = opts_for(path, 10);
    o.force = 0;
    CHECK(hp_output_check(&o, &err) < 0);
    CHECK_MSG(strcmp(err.msg, "t_exists.h5: exists; use --force to overwrite") == 0, "%s", err.msg);
    hp_err_clear(&err);
    CHECK(hp_output_create(&o, &fake, &err) == NULL);
    char *body = slurp(path);
    CHECK(strcmp(body, "precious") == 0);
    free(body);
    o.force = 1;
    hp_err_clear(&err);
    CHECK(hp_output_check(&o, &err) == 0);
    CHECK(write_file(&o, &fake, 4, 1) == 0);
    check_file(path, &fake, 10, 1, 0);
    unlink(path);

    o = opts_for("no_such_dir/x.h5", 10);
    hp_err_clear(&err);
    CHECK(hp_output_check(&o, &err) < 0);
    CHECK_MSG(strcmp(err.msg, "no_such_dir/x.h5: cannot write: directory 'no_such_dir' does not exist") == 0,
              "%s", err.msg);
    f = fopen("t_plainfile", "w");
    fclose(f);
    o = opts_for("t_plainfile/x.h5", 10);
    hp_err_clear(&err);
    CHECK(hp_output_check(&o, &err) < 0);
    CHECK_MSG(strstr(err.msg, "t_plainfile/x.h5: cannot write: 't_plainfile' is not a directory") != NULL,
              "%s", err.msg);
    unlink("t_plainfile");
    o = opts_for(".", 10);
    hp_err_clear(&err);
    CHECK(hp_output_check(&o, &err) < 0 && strstr(err.msg, "is a directory") != NULL);
    if (geteuid() != 0) {   /* root writes into 0555 directories anyway */
        mkdir("t_ro_dir", 0755);
        chmod("t_ro_dir", 0555);
        o = opts_for("t_ro_dir/x.h5", 10);
        hp_err_clear(&err);
        CHECK(hp_output_check(&o, &err) < 0 && strstr(err.msg, "cannot write: Permission denied") != NULL);
        CHECK(hp_output_create(&o, &fake, &err) == NULL);
        chmod("t_ro_dir", 0755);
        rmdir("t_ro_dir");
    }
}

/* ---- summary ----------------------------------------------------------------- */

static const double q_allocs[2] = { 0.0, 0.5 };
static const int q_years[1] = { 2030 };
static const hp_var q_vars[] = {
    { "valuation/npv", HP_SHAPE_ALLOC_PATH, "USD", "net present value", 0 },
};
static const hp_summary_item q_items[] = { { "NPV", "valuation/npv", 1.0, 1 } };
static const hp_layout qlay = {
    .n_alloc = 2, .alloc = q_allocs, .n_years = 1, .year = q_years, .days_in_year = q_years,
    .n_halvings = 0, .halving_height = NULL, .n_days = 365,
    .n_vars = 1, .vars = q_vars, .n_summary = 1, .summary = q_items, .baseline_alloc = 0,
    .start_date = "2030-01-01", .horizon_years = 1.0,
};

/* Values with ties, negatives, zeros of both signs and a wide range. */
static double q_value(uint64_t *s, int a)
{
    uint64_t r = lcg(s);
    if (a == 0)
        return (double)(int64_t)(r % 11) - 5.0;   /* heavy ties */
    switch (r % 8) {
    case 0: return -0.0;
    case 1: return 0.0;
    case 2: return -1e-300 * (double)(r % 5);
    case 3: return 1e12 * (double)(r % 3);
    default: return ((double)(r % 2000003) - 1000000.0) * 1.000001;
    }
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

/* The intervals of a streamed series against stats.c on its sorted values:
 * order statistics to the bit, the tail within rounding. */
static void check_errors(const hp_stats *st, const double *sorted, uint64_t n, double scale)
{
    const hp_est *q[3] = { &st->q05, &st->q50, &st->q95 };
    const double p[3] = { 0.05, 0.50, 0.95 };
    for (int i = 0; i < 3; i++) {
        hp_est e = hp_quantile_est(sorted, n, p[i]);
        CHECK_MSG(q[i]->lo == e.lo && q[i]->hi == e.hi, "n %llu p %g: [%.17g, %.17g] vs [%.17g, %.17g]",
                  (unsigned long long)n, p[i], q[i]->lo, q[i]->hi, e.lo, e.hi);
        CHECK(isnan(e.se) ? isnan(q[i]->se) : q[i]->se == e.se);
    }
    hp_est t = hp_tail_mean_est(sorted, n, HP_SUMMARY_ALPHA);
    double tol = 1e-9 * (fabs(t.value) + 1e6 * fabs(scale));
    CHECK_NEAR(st->cvar.value, -t.value, tol);
    /* Under 20 values the 5% tail holds no whole one: no se, no interval
     * (the streamed se was a zero-width 0 there). */
    CHECK_MSG(isnan(st->cvar.se) == !hp_tail_has_se(n, HP_SUMMARY_ALPHA) && isnan(st->cvar.lo) == isnan(st->cvar.se),
              "n %llu: CVaR se %g", (unsigned long long)n, st->cvar.se);
    if (!isnan(t.se))
        CHECK_NEAR(st->cvar.se, t.se, tol);
    CHECK_NEAR(st->mean.se, st->sd / sqrt((double)n), 1e-12 * (st->sd + 1));
    CHECK(st->p_loss.lo <= st->p_loss.value && st->p_loss.value <= st->p_loss.hi);
}

/* Streaming quantiles, mean, sd and shares against sorting, for n values. */
static void test_quantiles_n(uint64_t n, double scale)
{
    const char *path = "t_quant.h5";
    size_t ps = hp_layout_path_size(&qlay);
    double *res = malloc(n * ps * sizeof *res), *row = malloc(n * sizeof *row);
    uint64_t s = n * 7 + 1;
    for (uint64_t p = 0; p < n; p++)
        for (int a = 0; a < 2; a++)
            res[p * ps + (size_t)a] = q_value(&s, a);
    hp_err err = { 0 };
    hp_output_opts o = opts_for(path, n);
    hp_output *w = hp_output_create(&o, &qlay, &err);
    uint64_t half = n / 2;
    CHECK(w != NULL);
    CHECK(hp_output_write_block(w, half, (size_t)(n - half), res + half * ps, &err) == 0);
    if (half > 0)
        CHECK(hp_output_write_block(w, 0, (size_t)half, res, &err) == 0);
    CHECK_MSG(hp_output_close(w, &err) == 0, "%s", err.msg);
    hp_stats st[2], gain[2];
    CHECK_MSG(hp_summary_stats(path, "valuation/npv", scale, st, gain, 2, &err) == 2, "%s", err.msg);
    for (int a = 0; a < 2; a++) {
        double sum = 0.0, ss = 0.0;
        uint64_t neg = 0, beats = 0;
        for (uint64_t p = 0; p < n; p++) {
            row[p] = res[p * ps + (size_t)a] * scale;
            sum += row[p];
            neg += row[p] < 0;
            beats += row[p] > res[p * ps] * scale;
        }
        double mean = sum / (double)n;
        for (uint64_t p = 0; p < n; p++)
            ss += (row[p] - mean) * (row[p] - mean);
        qsort(row, n, sizeof *row, cmp_double);
        CHECK(st[a].n == n);
        CHECK_MSG(st[a].q05.value == hp_quantile_sorted(row, n, 0.05), "n %llu a %d q05 %.17g vs %.17g",
                  (unsigned long long)n, a, st[a].q05.value, hp_quantile_sorted(row, n, 0.05));
        CHECK_MSG(st[a].q50.value == hp_quantile_sorted(row, n, 0.50), "n %llu a %d q50 %.17g vs %.17g",
                  (unsigned long long)n, a, st[a].q50.value, hp_quantile_sorted(row, n, 0.50));
        CHECK_MSG(st[a].q95.value == hp_quantile_sorted(row, n, 0.95), "n %llu a %d q95 %.17g vs %.17g",
                  (unsigned long long)n, a, st[a].q95.value, hp_quantile_sorted(row, n, 0.95));
        CHECK_NEAR(st[a].mean.value, mean, 1e-9 * (fabs(mean) + 1e6 * fabs(scale)));
        CHECK_REL(st[a].sd, n > 1 ? sqrt(ss / (double)(n - 1)) : 0.0, 1e-9);
        CHECK(st[a].p_loss.value == (double)neg / (double)n);
        CHECK(a == 0 ? gain[a].n == 0 : gain[a].p_gain.value == (double)beats / (double)n);
        check_errors(&st[a], row, n, scale);
        if (a == 0)
            continue;
        for (uint64_t p = 0; p < n; p++)    /* the paired gain over allocation 0 */
            row[p] = res[p * ps + 1] * scale - res[p * ps] * scale;
        qsort(row, n, sizeof *row, cmp_double);
        CHECK(gain[a].n == n);
        CHECK(gain[a].q50.value == hp_quantile_sorted(row, n, 0.50));
        check_errors(&gain[a], row, n, scale);
    }
    free(row);
    free(res);
    unlink(path);
}

static void test_quantiles(void)
{
    uint64_t ns[] = { 1, 2, 3, 1000, 100003 };
    for (size_t i = 0; i < sizeof ns / sizeof *ns; i++)
        test_quantiles_n(ns[i], 1.0);
    test_quantiles_n(1000, -0.25);   /* a negative scale reverses the order */
    double x1[1] = { 4.0 }, x4[4] = { 1.0, 2.0, 3.0, 4.0 };
    CHECK(hp_quantile_sorted(x1, 1, 0.95) == 4.0);
    CHECK(hp_quantile_sorted(x4, 4, 0.5) == 2.5);
    CHECK(hp_quantile_sorted(x4, 4, 1.0) == 4.0);
    CHECK(isnan(hp_quantile_sorted(x4, 0, 0.5)));
}

/* The printed table, and files the summary must refuse. */
static void test_summary_print(void)
{
    const char *path = "t_print.h5";
    hp_output_opts o = opts_for(path, 2000);
    CHECK(write_file(&o, &fake, 300, 9) == 0);
    hp_err err = { 0 };
    char *text = NULL;
    size_t len = 0;
    FILE *mem = open_memstream(&text, &len);
    CHECK_MSG(hp_summary_print(path, mem, &err) == 0, "%s", err.msg);
    fclose(mem);
    CHECK(strstr(text, "status complete, 2000 paths") != NULL);
    CHECK(strstr(text, "INCOMPLETE") == NULL);
    CHECK(strstr(text, "NPV [USD]") != NULL && strstr(text, "HPC revenue / yr [USD]") != NULL);
    CHECK(strstr(text, "P(beats 0%)") != NULL && strstr(text, "$") != NULL);
    CHECK(strstr(text, "    25%") != NULL);
    if (getenv("HP_TEST_VERBOSE"))
        fputs(text, stdout);
    free(text);

    /* a wrong major version is refused */
    hid_t f = H5Fopen(path, H5F_ACC_RDWR, H5P_DEFAULT);
    hid_t a = H5Aopen(f, "format_version", H5P_DEFAULT);
    int32_t v2[2] = { HP_FORMAT_MAJOR + 1, 0 };
    H5Awrite(a, H5T_NATIVE_INT32, v2);
    H5Aclose(a);
    H5Fclose(f);
    CHECK(hp_summary_print(path, stdout, &err) < 0);
    CHECK_MSG(strstr(err.msg, "format 2.0 is not supported") != NULL, "%s", err.msg);
    unlink(path);

    /* HDF5, but not ours; not HDF5 at all; missing */
    f = H5Fcreate("t_foreign.h5", H5F_ACC_TRUNC, H5P_DEFAULT, H5P_DEFAULT);
    H5Fclose(f);
    hp_err_clear(&err);
    CHECK(hp_summary_print("t_foreign.h5", stdout, &err) < 0);
    CHECK_MSG(strcmp(err.msg, "t_foreign.h5: not a hashpivot results file (format_version missing or malformed)") == 0, "%s", err.msg);
    unlink("t_foreign.h5");
    FILE *t = fopen("t_text.h5", "w");
    fputs("not hdf5\n", t);
    fclose(t);
    hp_err_clear(&err);
    CHECK(hp_summary_print("t_text.h5", stdout, &err) < 0 && strstr(err.msg, "not a hashpivot") != NULL);
    unlink("t_text.h5");
    hp_err_clear(&err);
    CHECK(hp_summary_print("t_missing.h5", stdout, &err) < 0 && strstr(err.msg, "No such file") != NULL);
}

/* ---- readers on damaged or foreign files ------------------------------------ */

/* Replaces attribute `name` of the root of `path` by an array of n strings
 * (fixed length 8 when fixed, else variable length): what a careless or
 * hostile writer can leave, and a reader must not overflow on. */
static void put_string_array(const char *path, const char *name, hsize_t n, int fixed)
{
    hid_t f = H5Fopen(path, H5F_ACC_RDWR, H5P_DEFAULT), t = H5Tcopy(H5T_C_S1);
    H5Tset_size(t, fixed ? 8 : H5T_VARIABLE);
    hid_t s = H5Screate_simple(1, &n, NULL);
    H5Adelete(f, name);
    hid_t a = H5Acreate2(f, name, t, s, H5P_DEFAULT, H5P_DEFAULT);
    char fixed_buf[4][8] = { "aaaaaaa", "bbbbbbb", "ccccccc", "ddddddd" };
    const char *var[4] = { "first value", "second", "third", "fourth" };
    CHECK(H5Awrite(a, t, fixed ? (const void *)fixed_buf : (const void *)var) >= 0);
    H5Aclose(a);
    H5Sclose(s);
    H5Tclose(t);
    H5Fclose(f);
}

/* The printed output of info on path, and its status; *text malloc'd. */
static int info_of(const char *path, char **text, hp_err *err)
{
    size_t len = 0;
    FILE *mem = open_memstream(text, &len);
    int rc = hp_info_print(path, mem, err);
    fclose(mem);
    return rc;
}

/* Every C reader (info, summary; --resume shares the check) refuses a
 * damaged file with one line, or reads what is sound, and never reads past
 * a buffer (the sanitizer build runs this): string attributes that are
 * arrays, numbers that are strings, a dataset of the wrong shape. */
static void test_damaged_files(void)
{
    const char *path = "t_damaged.h5";
    hp_output_opts o = opts_for(path, 20);
    hp_err err = { 0 };
    char *text = NULL;
    H5Eset_auto2(H5E_DEFAULT, NULL, NULL);   /* the damage makes HDF5 complain */

    /* status as an array of strings: info and summary take it as unknown */
    CHECK(write_file(&o, &qlay, 20, 1) == 0);
    put_string_array(path, "status", 2, 0);
    CHECK_MSG(info_of(path, &text, &err) == 0, "%s", err.msg);
    CHECK(strstr(text, "INCOMPLETE") != NULL);
    free(text);

    /* a required string attribute as an array: refused, one line */
    for (int fixed = 0; fixed <= 1; fixed++) {
        CHECK(write_file(&o, &qlay, 20, 1) == 0);
        put_string_array(path, "software_version", 3, fixed);
        hp_err_clear(&err);
        CHECK(info_of(path, &text, &err) < 0 && text[0] == '\0');
        free(text);
        CHECK_MSG(strstr(err.msg, "damaged results file (root attribute software_version is missing, or not a "
                         "single string)") != NULL && strchr(err.msg, '\n') == NULL, "%s", err.msg);
        hp_err_clear(&err);
        CHECK(hp_summary_print(path, stdout, &err) < 0 && strstr(err.msg, "software_version") != NULL);
    }

    /* a number that is a string */
    CHECK(write_file(&o, &qlay, 20, 1) == 0);
    put_string_array(path, "seed", 1, 1);
    hp_err_clear(&err);
    CHECK(info_of(path, &text, &err) < 0);
    free(text);
    CHECK_MSG(strstr(err.msg, "root attribute seed is missing, or not a single number") != NULL, "%s", err.msg);

    /* the summary's dataset with the wrong shape, then fewer allocations
     * than the axis: refused, nothing read past the end */
    CHECK(write_file(&o, &qlay, 20, 1) == 0);
    hid_t f = H5Fopen(path, H5F_ACC_RDWR, H5P_DEFAULT);
    H5Ldelete(f, "valuation/npv", H5P_DEFAULT);
    hsize_t one[1] = { 20 }, two[2] = { 1, 20 };
    hid_t s = H5Screate_simple(1, one, NULL);
    H5Dclose(H5Dcreate2(f, "valuation/npv", H5T_IEEE_F64LE, s, H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT));
    H5Sclose(s);
    H5Fclose(f);
    hp_err_clear(&err);
    CHECK(hp_summary_print(path, stdout, &err) < 0);
    CHECK_MSG(strstr(err.msg, "valuation/npv: not an [allocation, path] dataset") != NULL, "%s", err.msg);
    f = H5Fopen(path, H5F_ACC_RDWR, H5P_DEFAULT);
    H5Ldelete(f, "valuation/npv", H5P_DEFAULT);
    s = H5Screate_simple(2, two, NULL);
    H5Dclose(H5Dcreate2(f, "valuation/npv", H5T_IEEE_F64LE, s, H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT));
    H5Sclose(s);
    H5Fclose(f);
    hp_err_clear(&err);
    CHECK(hp_summary_print(path, stdout, &err) < 0);
    CHECK_MSG(strstr(err.msg, "valuation/npv: 1 allocations, the allocation axis has 2") != NULL, "%s", err.msg);
    unlink(path);
}

/* --write FILE: the small file the Python test reads. */
static int write_for_python(const char *path)
{
    hp_output_opts o = opts_for(path, 50);
    return write_file(&o, &fake, 16, 1) == 0 ? 0 : 1;
}

int main(int argc, char **argv)
{
    if (argc == 3 && strcmp(argv[1], "--write") == 0)
        return write_for_python(argv[2]);
    test_roundtrip();
    test_float32_and_per_year();
    test_status_protocol();
    test_destination_checks();
    test_quantiles();
    test_summary_print();
    test_damaged_files();
    return CHECK_DONE();
}
