/* summary: per-allocation statistics read back from a results file.
 *
 * Works in memory independent of the number of paths: datasets are read in
 * chunks, means are summed in path order (so the result does not depend on
 * threads or ranks), and quantiles are exact order statistics found by a
 * radix selection over a few passes, not by sorting all values. The items
 * to summarise come from the file's `summary_items` attribute, so `run` and
 * `info` print the same table. Every figure carries its 95% interval. */
#ifndef HP_SUMMARY_H
#define HP_SUMMARY_H

#include <stdint.h>
#include <stdio.h>
#include "hp_err.h"
#include "stats.h"

/* Tail share of the printed CVaR: the mean loss on the worst 5% of paths. */
#define HP_SUMMARY_ALPHA 0.05

/* The statistics of one series (an allocation's values, or the paired
 * difference of two allocations on the same path), each with its standard
 * error and 95% interval as sim/stats.h defines them (and scripts/hp_stats.py
 * computes them): means and CVaR +-1.96 se, quantiles between exact order
 * statistics, shares with Wilson's interval. For a quasi-Monte Carlo file
 * (root attribute qmc_points) the se of the mean, CVaR and the shares is
 * the spread of the whole scrambles' estimates / sqrt(their number), the
 * intervals +-t se, t Student's t_{0.975, R - 1} for R whole scrambles
 * (hp_t975; shares clipped to [0, 1]; Wilson's where every scramble has
 * the same share); a quantile's interval is Woodruff's: the order
 * statistics at p -+ t se of the scrambles' CDF at the estimate (the
 * distribution-free one where that se is 0). No error with R < 2. */
typedef struct hp_stats {
    uint64_t n;        /* values used: paths not yet written (NaN) are skipped */
    double sd;         /* n - 1; 0 for n < 2                                  */
    hp_est mean, q05, q50, q95;
    hp_est cvar;       /* -(mean of the worst HP_SUMMARY_ALPHA share): a loss */
    hp_est p_loss;     /* share of values < 0                                 */
    hp_est p_gain;     /* share of values > 0: for a paired difference x - b,
                          P(x beats b)                                        */
} hp_stats;


/* Statistics of the [allocation, path] dataset `var` (e.g. "valuation/npv"
 * or "totals/revenue") of a results file, values multiplied by scale: one
 * hp_stats per allocation in out[0..n_alloc). When gain is not NULL and the
 * file names a baseline allocation b, gain[a] gets the statistics of the
 * paired difference var[a] - var[b] (path by path) for every a != b, and
 * gain[b].n = 0; without a baseline every gain[a].n = 0. Memory does not
 * depend on the number of paths. Returns n_alloc, or -1 with err set (also
 * when n_alloc > max_alloc). */
int hp_summary_stats(const char *h5path, const char *var, double scale,
                     hp_stats *out, hp_stats *gain, int max_alloc, hp_err *err);

/* Prints the summary table of a results file to out. Refuses files that
 * are not hashpivot results or have another format major version; a file
 * whose status is not "complete" is summarised with a warning. */
int hp_summary_print(const char *h5path, FILE *out, hp_err *err);

#endif
