/* resfile: "is this a hashpivot results file?", asked in one place by
 * `info`, the summary and --resume, so that all three refuse the same
 * files with the same words.
 *
 * A results file is a regular HDF5 file whose root attribute `filetype`
 * is HP_FILETYPE, whose `format_version` is [major, minor] with a major
 * this build reads and a minor of at least HP_FORMAT_MINOR_READ, and
 * whose other root attributes (docs/output.md) are there with their
 * types and shapes: one string or one number each.
 * Anything else is refused with one line naming the file and the reason
 * (missing, not HDF5, damaged or truncated, foreign, newer format, a
 * malformed attribute), before anything is printed or written. */
#ifndef HP_RESFILE_H
#define HP_RESFILE_H

#include <stdint.h>
#include <hdf5.h>
#include "hp_err.h"

#define HP_FILETYPE "hashpivot-results"
#define HP_FORMAT_MAJOR 1
#define HP_FORMAT_MINOR 1
/* The oldest minor version read: 1.0 files were written in HDF5's 1.8
 * layout, whose object headers and chunk indexes have no checksums, so a
 * damaged one could crash HDF5 itself while being parsed. */
#define HP_FORMAT_MINOR_READ 1

/* Opens path read-only (fapl: H5P_DEFAULT or a file access list) and
 * checks it. `context` (e.g. "cannot resume"), when not NULL, prefixes the
 * reason: "PATH: cannot resume: not a hashpivot results file (...)".
 * Returns the file id, or -1 with err set. fmt, when not NULL, gets the
 * [major, minor] format version. Call with HDF5's error printer off
 * (hp_h5_quiet_begin). */
hid_t hp_resfile_open(const char *path, const char *context, int32_t fmt[2], hp_err *err);

#endif
