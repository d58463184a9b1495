/* info: metadata and summary of a results file. See info.h.
 *
 * The file is checked by resfile.c, as summary and --resume check it, so
 * `info` refuses a file before printing a single line of metadata. The
 * attribute readers are shared (h5util). */
#include "info.h"

#include <inttypes.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <hdf5.h>
#include <hdf5_hl.h>

#include "h5util.h"
#include "resfile.h"
#include "summary.h"

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
    char *v = hp_h5_attr_text(f, attr);
    fprintf(out, "%-18s %s\n", label, v != NULL ? v : "?");
    free(v);
}

/* Whether the file holds per-year data: a dataset, in a group below the
 * root, whose last dimension is the `year` axis (rank >= 2: the axis's own
 * `days_in_year` is rank 1). The engine asks the file, not the model's
 * group names. Links are visited with H5Literate in native order, which
 * walks a group's index as stored: asking for names by position
 * (H5Lget_name_by_idx) builds and frees a table of every link, and HDF5
 * 1.10 crashes freeing one decoded from damaged dense link storage (a
 * fuzzing finding, tests/fuzz/README.md). Members that do not open as the
 * kind looked for are skipped (HDF5's errors are quiet here). */
typedef struct yearly_visit {
    hid_t year;                 /* the `year` dimension scale             */
    int depth;                  /* 0: the root's members; 1: a group's    */
} yearly_visit;

static herr_t yearly_member(hid_t loc, const char *name, const H5L_info_t *info, void *arg)
{
    const yearly_visit *v = arg;
    if (info->type != H5L_TYPE_HARD)
        return 0;
    if (v->depth == 0) {
        hid_t g = H5Gopen2(loc, name, H5P_DEFAULT);
        if (g < 0)
            return 0;
        yearly_visit below = { v->year, 1 };
        herr_t found = H5Literate(g, H5_INDEX_NAME, H5_ITER_NATIVE, NULL, yearly_member, &below);
        H5Gclose(g);
        return found > 0 ? 1 : 0;
    }
    hid_t d = H5Dopen2(loc, name, H5P_DEFAULT);
    if (d < 0)
        return 0;
    hid_t sp = H5Dget_space(d);
    int rank = sp >= 0 ? H5Sget_simple_extent_ndims(sp) : -1;
    int found = rank >= 2 && H5DSis_attached(d, v->year, (unsigned)(rank - 1)) > 0;
    if (sp >= 0)
        H5Sclose(sp);
    H5Dclose(d);
    return found;               /* positive: stop, found */
}

static int has_yearly_data(hid_t root, hid_t year)
{
    if (year < 0)
        return 0;
    yearly_visit top = { year, 0 };
    return H5Literate(root, H5_INDEX_NAME, H5_ITER_NATIVE, NULL, yearly_member, &top) > 0;
}

/* The metadata block: everything needed to identify and re-run the run. */
static void print_meta(hid_t f, const char *path, FILE *out)
{
    int32_t ver[2] = { 0, 0 }, base = -1, days = 0;
    uint64_t seed = 0, n_paths = 0;
    double horizon = NAN;
    hp_h5_attr_read(f, "format_version", H5T_NATIVE_INT32, 2, ver);
    hp_h5_attr_read(f, "seed", H5T_NATIVE_UINT64, 1, &seed);
    hp_h5_attr_read(f, "n_paths", H5T_NATIVE_UINT64, 1, &n_paths);
    hp_h5_attr_read(f, "horizon_years", H5T_NATIVE_DOUBLE, 1, &horizon);
    hp_h5_attr_read(f, "baseline_allocation", H5T_NATIVE_INT32, 1, &base);
    hp_h5_attr_read(f, "n_days", H5T_NATIVE_INT32, 1, &days);
    char *ver_s = hp_h5_attr_text(f, "software_version"), *commit = hp_h5_attr_text(f, "git_commit");
    char *cfg = hp_h5_attr_text(f, "config_file"), *status = hp_h5_attr_text(f, "status");
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
    double *alloc = hp_h5_read_doubles(f, "allocation", &n_alloc), *year = hp_h5_read_doubles(f, "year", &n_year);
    fprintf(out, "%-18s", "allocations");
    for (int a = 0; a < n_alloc; a++)
        fprintf(out, " %g%%%s", 100.0 * alloc[a], a == base ? " (baseline)" : "");
    fputc('\n', out);
    if (n_year > 0)
        fprintf(out, "%-18s %g-%g (%d)\n", "years", year[0], year[n_year - 1], n_year);
    hid_t year_ds = H5Lexists(f, "year", H5P_DEFAULT) > 0 ? H5Dopen2(f, "year", H5P_DEFAULT) : -1;
    int yearly = has_yearly_data(f, year_ds);
    if (year_ds >= 0)
        H5Dclose(year_ds);
    fprintf(out, "%-18s %s\n", "per-year data",
            yearly ? "yes" : "no (totals only)");
    free(alloc);
    free(year);
    free(ver_s);
    free(commit);
    free(cfg);
    free(status);
}

int hp_info_print_config(const char *h5path, FILE *out, hp_err *err)
{
    hp_h5_quiet q = hp_h5_quiet_begin();
    hid_t f = hp_resfile_open(h5path, NULL, NULL, err);
    char *text = NULL;
    if (f >= 0) {
        text = hp_h5_string_dataset(f, "config/resolved");
        if (text == NULL)
            hp_fail(err, h5path, 0, "config/resolved", "missing, or not a string");
        H5Fclose(f);
    }
    hp_h5_quiet_end(q);
    if (text == NULL)
        return -1;
    fputs(text, out);
    free(text);
    return 0;
}

int hp_info_print(const char *h5path, FILE *out, hp_err *err)
{
    hp_h5_quiet q = hp_h5_quiet_begin();
    hid_t f = hp_resfile_open(h5path, NULL, NULL, err);
    if (f >= 0) {
        print_meta(f, h5path, out);
        H5Fclose(f);
    }
    hp_h5_quiet_end(q);
    if (f < 0)
        return -1;
    fputc('\n', out);
    return hp_summary_print(h5path, out, err);
}
