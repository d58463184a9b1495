/* info: `hashpivot info RESULTS.h5`, a results file described without Python.
 *
 * Prints the run's metadata (format and software version, seed, paths,
 * config, status, ...) and then the summary table of sim/summary.h. The
 * file is checked first: anything that is not a hashpivot results file,
 * cannot be opened (e.g. truncated) or has a format major version this
 * build does not know is refused with one clear line, before any output. */
#ifndef HP_INFO_H
#define HP_INFO_H

#include <stdio.h>
#include "hp_err.h"

/* Prints the metadata block and the summary table of h5path to out.
 * Returns 0, or -1 with err set (nothing is printed for a refused file). */
int hp_info_print(const char *h5path, FILE *out, hp_err *err);

/* Prints the resolved config the file was made with (/config/resolved),
 * exactly as `hashpivot validate` prints a config: the Slurm template
 * compares the two to tell whether a finished file is the run it is asked
 * for. Returns 0, or -1 with err set. */
int hp_info_print_config(const char *h5path, FILE *out, hp_err *err);

#endif
