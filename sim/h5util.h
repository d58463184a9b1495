/* h5util: small HDF5 helpers shared by the writer (output*.c) and the
 * readers (summary.c, info.c, resume). Not thread-safe beyond HDF5 itself:
 * call from the one thread that talks to HDF5. */
#ifndef HP_H5UTIL_H
#define HP_H5UTIL_H

#include <hdf5.h>
#include "hp_err.h"

/* HDF5's automatic error printer, saved while it is switched off:
 * expected failures are reported once, through hp_fail. */
typedef struct hp_h5_quiet { H5E_auto2_t fn; void *data; } hp_h5_quiet;

hp_h5_quiet hp_h5_quiet_begin(void);
void hp_h5_quiet_end(hp_h5_quiet q);

/* The innermost description on HDF5's error stack (it names the real
 * cause, e.g. the errno text), or "" when there is none. */
void hp_h5_reason(char why[256]);

/* A file access property list with HDF5's own file lock (flock) off: the
 * writer holds a lock of its own on the files it writes (output_dest.c),
 * and a process may open a file it already has open only with the same
 * locking flag. Objects are created in HDF5's 1.8 file layout, whose
 * object headers carry checksums that HDF5 verifies on every read: damaged
 * metadata is refused ("checksum verification failed") instead of parsed,
 * as the older layout's unchecked headers were (fuzzing found HDF5 1.10.8
 * crashing inside such parses). Not the 1.10 layout, which would checksum
 * chunk indexes too: HDF5 1.10.8 writes our blocks into it out of bounds
 * (valgrind on test_output). docs/output.md, "format 1.1". Close with
 * H5Pclose; -1 on failure. */
hid_t hp_h5_fapl(void);

/* hp_fail() for a failed HDF5 call, with hp_h5_reason() appended. */
int hp_h5_fail(hp_err *err, const char *file, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* H5*close on an id that may be unset (<= 0); sets it to -1. Returns the
 * close function's status (0 for an unset id). */
herr_t hp_h5_close(hid_t *id, herr_t (*fn)(hid_t));

/* Variable-length UTF-8 string type (h5py reads it as str, netCDF as a
 * string attribute); close it with H5Tclose. -1 on failure. */
hid_t hp_h5_str_type(void);

/* Group creation properties of every file we write: groups track the
 * creation order of links and attributes (as netCDF-4 does) and no times,
 * so two files of the same run differ only in their `created` attribute.
 * Close with H5Pclose; -1 on failure. */
hid_t hp_h5_group_plist(void);

/* Creates, or overwrites, a scalar string attribute (NULL is written as
 * ""). 0 or -1. */
int hp_h5_attr_write_str(hid_t loc, const char *name, const char *value);

/* Creates a numeric attribute: scalar when n == 0, else a 1-D array of n
 * elements of file type ftype, given in memory type mtype. 0 or -1. */
int hp_h5_attr_write_num(hid_t loc, const char *name, hid_t ftype, hid_t mtype,
                         hsize_t n, const void *value);

/* A string attribute holding one string (scalar, or an array of one),
 * variable or fixed length, as a malloc'd string; NULL when absent, not a
 * string, or more than one. */
char *hp_h5_attr_text(hid_t loc, const char *name);

/* A numeric attribute (integer or float in the file) of exactly n
 * elements, converted to mtype; 0, or -1 when absent or of another type
 * or size. */
int hp_h5_attr_read(hid_t loc, const char *name, hid_t mtype, hssize_t n, void *out);

/* A scalar variable-length string dataset (the config texts) as a
 * malloc'd string; NULL when absent or not one. */
char *hp_h5_string_dataset(hid_t file, const char *name);

/* A 1-D numeric dataset of at most 2^20 elements read whole as doubles
 * (malloc'd, *n elements); NULL, *n = 0, when it is absent, of another
 * type or shape, empty or unreadable. */
double *hp_h5_read_doubles(hid_t loc, const char *name, int *n);

#endif
