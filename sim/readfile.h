/* readfile: a whole text file read with a bound (a config, its @includes,
 * the config text an analysis or `run` records), with one error format. */
#ifndef HP_READFILE_H
#define HP_READFILE_H

#include <stddef.h>
#include "hp_err.h"

/* Reads a whole regular file into a malloc'd, NUL-terminated string (the
 * length in *len when len is not NULL). Refuses a directory, a device, a
 * file over max_bytes and one holding a NUL byte, with one line naming the
 * file, "cannot read WHAT: why"; `what` says what it was read as ("config
 * file"). A pipe is read. */
char *hp_read_file(const char *path, const char *what, size_t max_bytes, size_t *len, hp_err *err);

#endif
