/* h5util: small HDF5 helpers shared by the writer (output.c) and the
 * readers (summary.c, info.c). Not thread-safe beyond HDF5 itself: call
 * from the one thread that talks to HDF5. */
#ifndef HP_H5UTIL_H
#define HP_H5UTIL_H

#include <hdf5.h>

/* HDF5's automatic error printer, saved while it is switched off:
 * expected failures are reported once, through hp_fail. */
typedef struct hp_h5_quiet { H5E_auto2_t fn; void *data; } hp_h5_quiet;

hp_h5_quiet hp_h5_quiet_begin(void);
void hp_h5_quiet_end(hp_h5_quiet q);

/* The innermost description on HDF5's error stack (it names the real
 * cause, e.g. the errno text), or "" when there is none. */
void hp_h5_reason(char why[256]);

/* A scalar string attribute, variable or fixed length, as a malloc'd
 * string; NULL when absent or not a string. */
char *hp_h5_attr_text(hid_t loc, const char *name);

/* A numeric attribute of exactly n elements, converted to mtype; 0 or -1. */
int hp_h5_attr_read(hid_t loc, const char *name, hid_t mtype, hssize_t n, void *out);

/* A dataset read whole as doubles (malloc'd, *n elements); NULL, *n = 0,
 * when it is absent, empty or unreadable. */
double *hp_h5_read_doubles(hid_t loc, const char *name, int *n);

#endif
