/* test_output: the results file writer (output.c).
 *
 * A fake layout with one variable of each shape (output_fake.c) is written
 * in several block sizes and shuffled block order, then read back value by
 * value with the HDF5 C API; the status protocol and the destination checks
 * are exercised on it. The readers (summary, info) are test_readers.c. */
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
#include "output_fake.h"
#include "stats.h"
#include "summary.h"

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

int main(void)
{
    test_roundtrip();
    test_float32_and_per_year();
    test_status_protocol();
    test_destination_checks();
    return CHECK_DONE();
}
