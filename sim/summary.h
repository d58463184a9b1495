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
    double p_beats;    /* valuation/npv only: share with npv(f) > npv(0); NaN otherwise */
} hp_stats;

/* Linear-interpolated quantile definition (numpy's default, "type 7"):
 * q(p) = x[floor(h)] + (h - floor(h)) * (x[floor(h)+1] - x[floor(h)]),
 * h = (n-1) p, x sorted ascending. */
double hp_quantile_sorted(const double *x, uint64_t n, double p);

/* Prints the summary table of a results file to out. */
int hp_summary_print(const char *h5path, FILE *out, hp_err *err);

#endif
