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

void hp_h5_reason(char why[256])
{
    why[0] = '\0';
    H5Ewalk2(H5E_DEFAULT, H5E_WALK_UPWARD, reason_cb, why);
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

char *hp_h5_attr_text(hid_t loc, const char *name)
{
    if (H5Aexists(loc, name) <= 0)
        return NULL;
    hid_t a = H5Aopen(loc, name, H5P_DEFAULT);
    hid_t t = a < 0 ? -1 : H5Aget_type(a), m = -1;
    char *out = NULL;
    if (t >= 0 && H5Tget_class(t) == H5T_STRING && (m = H5Tcopy(t)) >= 0) {
        if (H5Tis_variable_str(t) > 0) {
            char *v = NULL;
            if (H5Aread(a, m, &v) >= 0)
                out = strdup(v != NULL ? v : "");
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

int hp_h5_attr_read(hid_t loc, const char *name, hid_t mtype, hssize_t n, void *out)
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

double *hp_h5_read_doubles(hid_t loc, const char *name, int *n)
{
    *n = 0;
    if (H5Lexists(loc, name, H5P_DEFAULT) <= 0)
        return NULL;
    hid_t ds = H5Dopen2(loc, name, H5P_DEFAULT), s = ds < 0 ? -1 : H5Dget_space(ds);
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
