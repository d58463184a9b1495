/* info: metadata and summary of a results file. See info.h.
 *
 * The checks repeat those of summary.c on purpose: `info` must refuse a
 * file before printing a single line of metadata, and say why (HDF5's own
 * reason for a truncated file, the version it found for a newer format). */
#include "info.h"

#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <hdf5.h>

#include "output.h"
#include "summary.h"

/* HDF5's error printer stays off while we run; failures are reported once. */
typedef struct hp_info_quiet { H5E_auto2_t fn; void *data; } hp_info_quiet;

static hp_info_quiet quiet_begin(void)
{
    hp_info_quiet q = { NULL, NULL };
    H5Eget_auto2(H5E_DEFAULT, &q.fn, &q.data);
    H5Eset_auto2(H5E_DEFAULT, NULL, NULL);
    return q;
}

static void quiet_end(hp_info_quiet q)
{
    H5Eset_auto2(H5E_DEFAULT, q.fn, q.data);
}

/* Keeps the innermost HDF5 description: it names the real cause. */
static herr_t reason_cb(unsigned n, const H5E_error2_t *e, void *data)
{
    if (n == 0 && e->desc != NULL)
        snprintf((char *)data, 256, "%s", e->desc);
    return 0;
}

/* A scalar string attribute (variable or fixed length) as a malloc'd
 * string; NULL when absent or not a string. */
static char *attr_text(hid_t loc, const char *name)
{
    if (H5Aexists(loc, name) <= 0)
        return NULL;
    hid_t a = H5Aopen(loc, name, H5P_DEFAULT);
    hid_t t = a < 0 ? -1 : H5Aget_type(a), m = -1;
    char *out = NULL;
    if (t >= 0 && H5Tget_class(t) == H5T_STRING && (m = H5Tcopy(t)) >= 0) {
        if (H5Tis_variable_str(t) > 0) {
            char *v = NULL;
            if (H5Aread(a, m, &v) >= 0 && v != NULL)
                out = strdup(v);
            if (v != NULL)
                H5free_memory(v);
        } else {
            out = calloc(H5Tget_size(t) + 1, 1);
            if (out != NULL && H5Aread(a, m, out) < 0) {
                free(out);
                out = NULL;
            }
        }
    }
    if (m >= 0)
        H5Tclose(m);
    if (t >= 0)
        H5Tclose(t);
    if (a >= 0)
        H5Aclose(a);
    return out;
}

/* A numeric attribute of exactly n elements, converted to mtype. */
static int attr_read(hid_t loc, const char *name, hid_t mtype, hssize_t n, void *out)
{
    if (H5Aexists(loc, name) <= 0)
        return -1;
    hid_t a = H5Aopen(loc, name, H5P_DEFAULT), s = a < 0 ? -1 : H5Aget_space(a);
    int ok = s >= 0 && H5Sget_simple_extent_npoints(s) == n && H5Aread(a, mtype, out) >= 0;
    if (s >= 0)
        H5Sclose(s);
    if (a >= 0)
        H5Aclose(a);
    return ok ? 0 : -1;
}

/* Opens h5path read-only and checks file type and format major version.
 * Returns the file id, or -1 with err set. Call with the printer off. */
static hid_t open_checked(const char *path, hp_err *err)
{
    struct stat st;
    if (stat(path, &st) != 0)
        return hp_fail(err, path, 0, NULL, "cannot open: %s", strerror(errno));
    if (!S_ISREG(st.st_mode))
        return hp_fail(err, path, 0, NULL, "not a hashpivot results file (not a regular file)");
    if (H5Fis_hdf5(path) <= 0)
        return hp_fail(err, path, 0, NULL, "not a hashpivot results file (not an HDF5 file)");
    hid_t f = H5Fopen(path, H5F_ACC_RDONLY, H5P_DEFAULT);
    if (f < 0) {
        char why[256] = "";
        H5Ewalk2(H5E_DEFAULT, H5E_WALK_UPWARD, reason_cb, why);
        return hp_fail(err, path, 0, NULL, "cannot open as HDF5 (damaged or truncated file?)%s%s",
                       why[0] ? ": " : "", why);
    }
    char *type = attr_text(f, "filetype");
    int32_t ver[2];
    int rc = 0;
    if (type == NULL || strcmp(type, HP_FILETYPE) != 0)
        rc = hp_fail(err, path, 0, "filetype", "not a hashpivot results file (filetype is %s%s%s)",
                     type ? "\"" : "", type ? type : "missing", type ? "\"" : "");
    else if (attr_read(f, "format_version", H5T_NATIVE_INT32, 2, ver) < 0)
        rc = hp_fail(err, path, 0, "format_version", "missing or malformed; not a hashpivot results file");
    else if (ver[0] != HP_FORMAT_MAJOR)
        rc = hp_fail(err, path, 0, "format_version",
                     "format %d.%d is not supported: this hashpivot reads format %d.x",
                     (int)ver[0], (int)ver[1], HP_FORMAT_MAJOR);
    free(type);
    if (rc < 0) {
        H5Fclose(f);
        return -1;
    }
    return f;
}

int hp_info_check(const char *h5path, hp_err *err)
{
    hp_info_quiet q = quiet_begin();
    hid_t f = open_checked(h5path, err);
    if (f >= 0)
        H5Fclose(f);
    quiet_end(q);
    return f < 0 ? -1 : 0;
}

/* A 1-D numeric dataset read as doubles (malloc'd, *n elements); NULL if absent. */
static double *read_axis(hid_t f, const char *name, int *n)
{
    *n = 0;
    if (H5Lexists(f, name, H5P_DEFAULT) <= 0)
        return NULL;
    hid_t ds = H5Dopen2(f, name, H5P_DEFAULT), s = ds < 0 ? -1 : H5Dget_space(ds);
    hssize_t np = s < 0 ? -1 : H5Sget_simple_extent_npoints(s);
    double *x = np > 0 ? malloc((size_t)np * sizeof *x) : NULL;
    if (x != NULL && H5Dread(ds, H5T_NATIVE_DOUBLE, H5S_ALL, H5S_ALL, H5P_DEFAULT, x) < 0) {
        free(x);
        x = NULL;
    }
    if (s >= 0)
        H5Sclose(s);
    if (ds >= 0)
        H5Dclose(ds);
    *n = x != NULL ? (int)np : 0;
    return x;
}

/* "name" of "dir/name.cfg": how runs are usually referred to. */
static void config_name(const char *file, char *buf, size_t n)
{
    const char *base = file != NULL ? strrchr(file, '/') : NULL;
    base = base != NULL ? base + 1 : file != NULL ? file : "?";
    size_t len = strlen(base);
    if (len > 4 && strcmp(base + len - 4, ".cfg") == 0)
        len -= 4;
    snprintf(buf, n, "%.*s", (int)len, base);
}

/* A string attribute as "key: value" ("?" when missing). */
static void print_str(FILE *out, hid_t f, const char *label, const char *attr)
{
    char *v = attr_text(f, attr);
    fprintf(out, "%-18s %s\n", label, v != NULL ? v : "?");
    free(v);
}

/* The metadata block: everything needed to identify and re-run the run. */
static void print_meta(hid_t f, const char *path, FILE *out)
{
    int32_t ver[2] = { 0, 0 }, base = -1, days = 0;
    uint64_t seed = 0, n_paths = 0;
    double horizon = NAN;
    attr_read(f, "format_version", H5T_NATIVE_INT32, 2, ver);
    attr_read(f, "seed", H5T_NATIVE_UINT64, 1, &seed);
    attr_read(f, "n_paths", H5T_NATIVE_UINT64, 1, &n_paths);
    attr_read(f, "horizon_years", H5T_NATIVE_DOUBLE, 1, &horizon);
    attr_read(f, "baseline_allocation", H5T_NATIVE_INT32, 1, &base);
    attr_read(f, "n_days", H5T_NATIVE_INT32, 1, &days);
    char *ver_s = attr_text(f, "software_version"), *commit = attr_text(f, "git_commit");
    char *cfg = attr_text(f, "config_file"), *status = attr_text(f, "status");
    char name[256];
    config_name(cfg, name, sizeof name);
    fprintf(out, "%-18s %s\n", "file", path);
    fprintf(out, "%-18s %s %d.%d\n", "format", HP_FILETYPE, (int)ver[0], (int)ver[1]);
    fprintf(out, "%-18s hashpivot %s (commit %s)\n", "written by", ver_s ? ver_s : "?",
            commit ? commit : "?");
    print_str(out, f, "created", "created");
    fprintf(out, "%-18s %s%s\n", "status", status ? status : "missing",
            status != NULL && strcmp(status, "complete") == 0 ? "" : "  (INCOMPLETE: the run did not finish)");
    fprintf(out, "%-18s %s (%s)\n", "config", name, cfg ? cfg : "?");
    print_str(out, f, "command line", "command_line");
    fprintf(out, "%-18s %" PRIu64 "\n", "seed", seed);
    fprintf(out, "%-18s %" PRIu64 "\n", "paths", n_paths);
    print_str(out, f, "start date", "start_date");
    fprintf(out, "%-18s %g years (%d days)\n", "horizon", horizon, (int)days);
    int n_alloc, n_year;
    double *alloc = read_axis(f, "allocation", &n_alloc), *year = read_axis(f, "year", &n_year);
    fprintf(out, "%-18s", "allocations");
    for (int a = 0; a < n_alloc; a++)
        fprintf(out, " %g%%%s", 100.0 * alloc[a], a == base ? " (baseline)" : "");
    fputc('\n', out);
    if (n_year > 0)
        fprintf(out, "%-18s %g-%g (%d)\n", "years", year[0], year[n_year - 1], n_year);
    fprintf(out, "%-18s %s\n", "per-year data",
            H5Lexists(f, "cashflow", H5P_DEFAULT) > 0 ? "yes" : "no (totals only)");
    free(alloc);
    free(year);
    free(ver_s);
    free(commit);
    free(cfg);
    free(status);
}

int hp_info_print(const char *h5path, FILE *out, hp_err *err)
{
    hp_info_quiet q = quiet_begin();
    hid_t f = open_checked(h5path, err);
    if (f >= 0) {
        print_meta(f, h5path, out);
        H5Fclose(f);
    }
    quiet_end(q);
    if (f < 0)
        return -1;
    fputc('\n', out);
    return hp_summary_print(h5path, out, err);
}
