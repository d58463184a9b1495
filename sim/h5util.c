/* h5util: HDF5 helpers shared by output, summary and info. See h5util.h. */
#include "h5util.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

hp_h5_quiet hp_h5_quiet_begin(void)
{
    hp_h5_quiet q = { NULL, NULL };
    H5Eget_auto2(H5E_DEFAULT, &q.fn, &q.data);
    H5Eset_auto2(H5E_DEFAULT, NULL, NULL);
    return q;
}

void hp_h5_quiet_end(hp_h5_quiet q)
{
    H5Eset_auto2(H5E_DEFAULT, q.fn, q.data);
}

/* Walked upward, entry 0 is the innermost: the one that says why. */
static herr_t reason_cb(unsigned n, const H5E_error2_t *e, void *data)
{
    if (n == 0 && e->desc != NULL)
        snprintf((char *)data, 256, "%s", e->desc);
    return 0;
}

/* The file drivers describe a failed system call at length ("file write
 * failed: time = ..., filename = ..., errno = 28, error message = 'No
 * space left on device', ..."); the operating system's message is the
 * cause a user can act on, so only it is kept. No newline survives: the
 * reason ends up inside a one-line message. */
void hp_h5_reason(char why[256])
{
    why[0] = '\0';
    H5Ewalk2(H5E_DEFAULT, H5E_WALK_UPWARD, reason_cb, why);
    const char *m = strstr(why, "error message = '");
    if (m != NULL) {
        m += strlen("error message = '");
        const char *end = strchr(m, '\'');
        size_t len = end != NULL ? (size_t)(end - m) : strlen(m);
        memmove(why, m, len);
        why[len] = '\0';
    }
    for (char *p = why; *p != '\0'; p++)
        if (*p == '\n' || *p == '\r')
            *p = ' ';
}

hid_t hp_h5_fapl(void)
{
    hid_t fapl = H5Pcreate(H5P_FILE_ACCESS);
    if (fapl >= 0 && (H5Pset_file_locking(fapl, 0, 1) < 0
                      || H5Pset_libver_bounds(fapl, H5F_LIBVER_V18, H5F_LIBVER_LATEST) < 0)) {
        H5Pclose(fapl);
        return -1;
    }
    return fapl;
}

int hp_h5_fail(hp_err *err, const char *file, const char *fmt, ...)
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

herr_t hp_h5_close(hid_t *id, herr_t (*fn)(hid_t))
{
    herr_t rc = 0;
    if (*id > 0)
        rc = fn(*id);
    *id = -1;
    return rc;
}

hid_t hp_h5_str_type(void)
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

hid_t hp_h5_group_plist(void)
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

int hp_h5_attr_write_str(hid_t loc, const char *name, const char *value)
{
    const char *v = value != NULL ? value : "";
    hid_t t = hp_h5_str_type(), s = H5Screate(H5S_SCALAR), a = -1;
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
    if (hp_h5_close(&a, H5Aclose) < 0)
        rc = -1;
    hp_h5_close(&s, H5Sclose);
    hp_h5_close(&t, H5Tclose);
    return rc;
}

int hp_h5_attr_write_num(hid_t loc, const char *name, hid_t ftype, hid_t mtype,
                         hsize_t n, const void *value)
{
    hid_t s = n == 0 ? H5Screate(H5S_SCALAR) : H5Screate_simple(1, &n, NULL);
    hid_t a = s < 0 ? -1 : H5Acreate2(loc, name, ftype, s, H5P_DEFAULT, H5P_DEFAULT);
    int rc = (a >= 0 && H5Awrite(a, mtype, value) >= 0) ? 0 : -1;
    if (hp_h5_close(&a, H5Aclose) < 0)
        rc = -1;
    hp_h5_close(&s, H5Sclose);
    return rc;
}

/* The element count of a dataspace: 1 for a scalar, -1 for a null one. */
static hssize_t points(hid_t space)
{
    if (space < 0)
        return -1;
    H5S_class_t c = H5Sget_simple_extent_type(space);
    return c == H5S_SCALAR ? 1 : c == H5S_SIMPLE ? H5Sget_simple_extent_npoints(space) : -1;
}

/* An attribute holding one value: a scalar, or an array of one. The check
 * comes before any read: a file written by anyone may hold an array where
 * a scalar belongs, and reading it into a scalar's buffer would overflow. */
char *hp_h5_attr_text(hid_t loc, const char *name)
{
    if (H5Aexists(loc, name) <= 0)
        return NULL;
    hid_t a = H5Aopen(loc, name, H5P_DEFAULT);
    hid_t t = a < 0 ? -1 : H5Aget_type(a), s = a < 0 ? -1 : H5Aget_space(a), m = -1;
    char *out = NULL;
    size_t size = t >= 0 ? H5Tget_size(t) : 0;
    if (t >= 0 && H5Tget_class(t) == H5T_STRING && points(s) == 1 && (m = H5Tcopy(t)) >= 0) {
        if (H5Tis_variable_str(t) > 0) {
            char *v = NULL;
            if (H5Aread(a, m, &v) >= 0)
                out = strdup(v != NULL ? v : "");
            if (v != NULL)
                H5free_memory(v);
        } else if (size > 0 && size < (1u << 24)) {
            out = calloc(size + 1, 1);
            if (out != NULL && H5Aread(a, m, out) < 0) {
                free(out);
                out = NULL;
            }
        }
    }
    hp_h5_close(&m, H5Tclose);
    hp_h5_close(&t, H5Tclose);
    hp_h5_close(&s, H5Sclose);
    hp_h5_close(&a, H5Aclose);
    return out;
}

/* A numeric attribute of exactly n elements: integer or float in the
 * file (a string would convert to garbage or fail). */
int hp_h5_attr_read(hid_t loc, const char *name, hid_t mtype, hssize_t n, void *out)
{
    if (H5Aexists(loc, name) <= 0)
        return -1;
    hid_t a = H5Aopen(loc, name, H5P_DEFAULT);
    hid_t s = a < 0 ? -1 : H5Aget_space(a), t = a < 0 ? -1 : H5Aget_type(a);
    H5T_class_t c = t >= 0 ? H5Tget_class(t) : H5T_NO_CLASS;
    int ok = (c == H5T_INTEGER || c == H5T_FLOAT) && points(s) == n && H5Aread(a, mtype, out) >= 0;
    hp_h5_close(&t, H5Tclose);
    hp_h5_close(&s, H5Sclose);
    hp_h5_close(&a, H5Aclose);
    return ok ? 0 : -1;
}

/* An axis: one dimension, numbers, not absurdly long. */
double *hp_h5_read_doubles(hid_t loc, const char *name, int *n)
{
    *n = 0;
    if (H5Lexists(loc, name, H5P_DEFAULT) <= 0)
        return NULL;
    hid_t ds = H5Dopen2(loc, name, H5P_DEFAULT);
    hid_t s = ds < 0 ? -1 : H5Dget_space(ds), t = ds < 0 ? -1 : H5Dget_type(ds);
    H5T_class_t c = t >= 0 ? H5Tget_class(t) : H5T_NO_CLASS;
    hssize_t np = s >= 0 && H5Sget_simple_extent_ndims(s) == 1 ? H5Sget_simple_extent_npoints(s) : -1;
    double *x = (c == H5T_INTEGER || c == H5T_FLOAT) && np > 0 && np <= (1 << 20)
                ? malloc((size_t)np * sizeof *x) : NULL;
    if (x != NULL && H5Dread(ds, H5T_NATIVE_DOUBLE, H5S_ALL, H5S_ALL, H5P_DEFAULT, x) < 0) {
        free(x);
        x = NULL;
    }
    hp_h5_close(&t, H5Tclose);
    hp_h5_close(&s, H5Sclose);
    hp_h5_close(&ds, H5Dclose);
    *n = x != NULL ? (int)np : 0;
    return x;
}

char *hp_h5_string_dataset(hid_t file, const char *name)
{
    const char *slash = strchr(name, '/');
    char parent[256];
    snprintf(parent, sizeof parent, "%.*s", slash != NULL ? (int)(slash - name) : 0, name);
    if ((parent[0] != '\0' && H5Lexists(file, parent, H5P_DEFAULT) <= 0) || H5Lexists(file, name, H5P_DEFAULT) <= 0)
        return NULL;
    hid_t d = H5Dopen2(file, name, H5P_DEFAULT);
    hid_t s = d < 0 ? -1 : H5Dget_space(d), ft = d < 0 ? -1 : H5Dget_type(d), t = hp_h5_str_type();
    char *v = NULL, *out = NULL;
    int ok = s >= 0 && ft >= 0 && t >= 0 && H5Sget_simple_extent_type(s) == H5S_SCALAR
             && H5Tget_class(ft) == H5T_STRING && H5Tis_variable_str(ft) > 0;
    if (ok && H5Dread(d, t, H5S_ALL, H5S_ALL, H5P_DEFAULT, &v) >= 0) {
        out = strdup(v != NULL ? v : "");
        H5free_memory(v);
    }
    hp_h5_close(&t, H5Tclose);
    hp_h5_close(&ft, H5Tclose);
    hp_h5_close(&s, H5Sclose);
    hp_h5_close(&d, H5Dclose);
    return out;
}
