/* resfile: the one results-file check (see resfile.h). */
#include "resfile.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "h5util.h"

/* hp_fail() with the caller's context before the reason. */
static int refuse(hp_err *err, const char *path, const char *context, const char *reason,
                  const char *detail)
{
    return hp_fail(err, path, 0, NULL, "%s%s%s%s", context ? context : "", context ? ": " : "",
                   reason, detail ? detail : "");
}

/* The root attributes every results file has had since format 1.0 (all
 * but `status`, which readers take as "not complete" when it is unreadable:
 * a run killed while finishing the file can leave it so). */
static const struct { const char *name; int text; } required[] = {
    { "software_version", 1 }, { "git_commit", 1 }, { "created", 1 }, { "start_date", 1 },
    { "command_line", 1 }, { "config_file", 1 }, { "summary_items", 1 },
    { "seed", 0 }, { "n_paths", 0 }, { "horizon_years", 0 }, { "baseline_allocation", 0 }, { "n_days", 0 },
};

/* The index of the first required attribute that is missing, or has
 * another type or shape; -1 when all are right. */
static int bad_attribute(hid_t f)
{
    for (size_t i = 0; i < sizeof required / sizeof required[0]; i++) {
        double x;
        char *t = required[i].text ? hp_h5_attr_text(f, required[i].name) : NULL;
        int ok = required[i].text ? t != NULL : hp_h5_attr_read(f, required[i].name, H5T_NATIVE_DOUBLE, 1, &x) == 0;
        free(t);
        if (!ok)
            return (int)i;
    }
    return -1;
}

hid_t hp_resfile_open(const char *path, const char *context, int32_t fmt[2], hp_err *err)
{
    struct stat st;
    if (stat(path, &st) != 0)
        return refuse(err, path, context ? context : "cannot open", strerror(errno), NULL);
    if (!S_ISREG(st.st_mode))
        return refuse(err, path, context, "not a hashpivot results file (not a regular file)", NULL);
    if (H5Fis_hdf5(path) <= 0)
        return refuse(err, path, context, "not a hashpivot results file (not an HDF5 file)", NULL);
    hid_t fapl = hp_h5_fapl();
    hid_t f = fapl < 0 ? -1 : H5Fopen(path, H5F_ACC_RDONLY, fapl);
    hp_h5_close(&fapl, H5Pclose);
    if (f < 0) {
        char why[256], detail[300];
        hp_h5_reason(why);
        snprintf(detail, sizeof detail, "%s%s", why[0] ? ": " : "", why);
        return refuse(err, path, context, "cannot open as HDF5 (damaged or truncated file?)", detail);
    }
    /* The version first: a number in the root object header, which HDF5
     * checks against its checksum. Format 1.0 files have unchecked object
     * headers and chunk indexes elsewhere (h5util.h), so nothing else is
     * read from them. (Strings sit in HDF5's global heap, unchecked in
     * every format: the one part of the metadata a damaged file can still
     * get past HDF5 with.) */
    int32_t ver[2] = { 0, 0 };
    int rc = 0;
    char *type = NULL;
    if (hp_h5_attr_read(f, "format_version", H5T_NATIVE_INT32, 2, ver) < 0) {
        rc = refuse(err, path, context, "not a hashpivot results file (format_version missing or malformed)",
                    NULL);
    } else if (ver[0] != HP_FORMAT_MAJOR || ver[1] < HP_FORMAT_MINOR_READ) {
        char detail[160];
        snprintf(detail, sizeof detail, "format %d.%d is not supported: this hashpivot reads format %d.%d to %d.x",
                 (int)ver[0], (int)ver[1], HP_FORMAT_MAJOR, HP_FORMAT_MINOR_READ, HP_FORMAT_MAJOR);
        rc = refuse(err, path, context, detail,
                    ver[0] == HP_FORMAT_MAJOR ? " (older files lack metadata checksums: run them again)" : NULL);
    } else if ((type = hp_h5_attr_text(f, "filetype")) == NULL || strcmp(type, HP_FILETYPE) != 0) {
        char detail[160];
        snprintf(detail, sizeof detail, " (filetype is %s%.100s%s)", type ? "\"" : "",
                 type ? type : "missing", type ? "\"" : "");
        rc = refuse(err, path, context, "not a hashpivot results file", detail);
    } else {
        int bad = bad_attribute(f);
        char detail[160];
        if (bad >= 0) {
            snprintf(detail, sizeof detail, " (root attribute %s is missing, or not a single %s)",
                     required[bad].name, required[bad].text ? "string" : "number");
            rc = refuse(err, path, context, "damaged results file", detail);
        }
    }
    free(type);
    if (rc < 0) {
        H5Fclose(f);
        return -1;
    }
    if (fmt != NULL) {
        fmt[0] = ver[0];
        fmt[1] = ver[1];
    }
    return f;
}
