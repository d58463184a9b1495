/* test_readers: what reads a results file back. The summary's streamed
 * quantiles, means, shares and their intervals against sorting; its printed
 * table; and every C reader (info, summary) on damaged or foreign files.
 * Files are written by output_fake.c's writer. */
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
int main(void)
{
    test_quantiles();
    test_summary_print();
    test_damaged_files();
    return CHECK_DONE();
}
