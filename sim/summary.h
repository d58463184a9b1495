/* summary: per-allocation statistics read back from a results file.
 *
 * Works in memory independent of the number of paths: datasets are read in
 * chunks, means are summed in path order (so the result does not depend on
 * threads or ranks), and quantiles are exact order statistics found by a
 * radix selection over a few passes, not by sorting all values. The items
 * to summarise come from the file's `summary_items` attribute, so `run` and
 * `info` print the same table. */
#ifndef HP_SUMMARY_H
#define HP_SUMMARY_H

#include <stdint.h>
#include <stdio.h>
#include "hp_err.h"

typedef struct hp_stats {
    double mean, sd, q05, q50, q95;
    double p_loss;     /* share of paths with a value < 0 */
    double p_beats;    /* paired items only: share of paths with value(f) > value(baseline); NaN otherwise */
    uint64_t n;        /* values used: paths not yet written (NaN) are skipped */
} hp_stats;

/* Statistics of the [allocation, path] dataset `var` (e.g. "valuation/npv"
 * or "totals/revenue") of a results file, values multiplied by scale: one
 * hp_stats per allocation in out[0..n_alloc). sd is the sample standard
 * deviation (n - 1; 0 for n < 2). With `paired`, p_beats is set when the
 * file has a baseline allocation. Returns n_alloc, or -1 with err set
 * (also when n_alloc > max_alloc). */
int hp_summary_stats(const char *h5path, const char *var, double scale, int paired,
                     hp_stats *out, int max_alloc, hp_err *err);

/* Prints the summary table of a results file to out. Refuses files that
 * are not hashpivot results or have another format major version; a file
 * whose status is not "complete" is summarised with a warning. */
int hp_summary_print(const char *h5path, FILE *out, hp_err *err);

#endif
