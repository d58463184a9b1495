/* summary_int: shared between summary.c (the statistics) and
 * summary_print.c (the table). */
#ifndef HP_SUMMARY_INT_H
#define HP_SUMMARY_INT_H

#include <hdf5.h>

#include "summary.h"

/* hp_summary_stats on an open results file. */
int hp_summary_stats_open(hid_t f, const char *path, const char *var, double scale,
                          hp_stats *out, hp_stats *gain, int max_alloc, hp_err *err);

#endif
