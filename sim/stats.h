/* stats: Monte Carlo statistics with their errors.
 *
 * Every estimate comes with a standard error (se) and a 95% interval
 * [lo, hi]. Two ways to compute them, with the same definitions:
 *
 *   - Accumulators (hp_moments, hp_count) hold a few numbers whatever the
 *     path count. They merge (Chan et al.'s pairwise update), so blocks of
 *     paths can be summed separately and merged; merging in block order,
 *     never in completion order, is what keeps a result independent of
 *     threads and ranks. Mean, standard deviation and P(event) need nothing
 *     more.
 *   - Order statistics (quantiles, CVaR) need the sample. hp_sample_stats()
 *     takes it in memory and sorts it; the analysis commands keep per-path
 *     values only while they fit HP_SAMPLE_BUDGET_BYTES and refuse, saying
 *     how much they need, beyond it (nothing approximate). A reader of a
 *     results file needs no budget: it finds the order statistics by
 *     selection passes over the file (summary.c does so for the quantiles)
 *     and the helpers below give the ranks to select: hp_quantile_ci_ranks()
 *     for a quantile's interval, and hp_tail_* for CVaR, which is one more
 *     pass once the boundary value is known.
 *
 * Definitions (shared with scripts/hp_results.py):
 *   mean        sample mean; se = sd / sqrt(n), sd with n - 1.
 *   P(event)    k / n; se = sqrt(p (1 - p) / n); interval: Wilson's score
 *               interval (never outside [0, 1], sensible at p = 0 or 1).
 *   quantile    numpy's linear interpolation ("type 7", hp_quantile_sorted
 *               in summary.h); interval: the order statistics x(l), x(u)
 *               with P(l <= B < u) >= 95%, B ~ Binomial(n, p), the
 *               distribution-free interval (David & Nagaraja, Order
 *               Statistics, 2003, 7.1); se = (x(u) - x(l)) / (2 x 1.96).
 *   CVaR        minus the mean of the worst alpha share of the sample, with
 *               the fractional weight of Acerbi and Tasche (2002) on the
 *               boundary value (a positive CVaR is a loss); se from the
 *               influence function, sqrt(Var[min(X - q, 0)] / n) / alpha
 *               with q the alpha quantile (Manistre & Hancock 2005).
 *   paired      differences x_i - y_i on the same path: the same
 *               statistics of the differences.
 */
#ifndef HP_STATS_H
#define HP_STATS_H

#include <stddef.h>
#include <stdint.h>

#define HP_Z95 1.959963984540054      /* two-sided 95% normal quantile */
#define HP_STATS_MAXQ 8                /* quantiles per hp_sample_stats   */

/* Per-path values the analysis commands hold at most, in bytes (per-path
 * arrays for exact quantiles); beyond it they refuse with the figure. */
#define HP_SAMPLE_BUDGET_BYTES ((size_t)4 << 30)

/* The one interpolation formula of quantiles, shared by the sorted and the
 * streamed (summary.c) paths so that they agree to the bit. */
static inline double hp_lerp(double lo, double hi, double t)
{
    return lo + t * (hi - lo);
}

/* Linear-interpolated quantile definition (numpy's default, "type 7"):
 * q(p) = x[floor(h)] + (h - floor(h)) * (x[floor(h)+1] - x[floor(h)]),
 * h = (n-1) p, x sorted ascending; NaN when n = 0. */
double hp_quantile_sorted(const double *x, uint64_t n, double p);

/* An estimate, its standard error and its 95% interval. */
typedef struct hp_est {
    double value, se, lo, hi;
} hp_est;

/* ---- accumulators ----------------------------------------------------- */

/* Count, mean and sum of squared deviations (Welford). */
typedef struct hp_moments {
    uint64_t n;
    double mean, m2;
} hp_moments;

void hp_moments_add(hp_moments *a, double x);
/* a += b: the moments of both samples together. Merging the same parts in
 * the same order gives the same bits. */
void hp_moments_merge(hp_moments *a, const hp_moments *b);
double hp_moments_sd(const hp_moments *a);      /* n - 1; 0 for n < 2  */
hp_est hp_moments_mean(const hp_moments *a);    /* mean, sd/sqrt(n), +-1.96 se */

/* Events among trials. */
typedef struct hp_count {
    uint64_t n, k;
} hp_count;

static inline void hp_count_add(hp_count *c, int event)
{
    c->n++;
    c->k += event != 0;
}
static inline void hp_count_merge(hp_count *a, const hp_count *b)
{
    a->n += b->n;
    a->k += b->k;
}
hp_est hp_count_prob(const hp_count *c);       /* k/n, binomial se, Wilson interval */

/* The two-sided 95% quantile of Student's t with df degrees of freedom,
 * t_{0.975, df}: for intervals from a few independent replicates (e.g.
 * R scrambles of a quasi-Monte Carlo run, df = R - 1), where +-1.96 se
 * would cover less than 95% (93.1% at df = 15). Exact for df 1 and 2;
 * above, the Cornish-Fisher expansion of Abramowitz & Stegun 26.7.5 to
 * the 1/df^4 term: within 4e-3 at df = 3, 5e-5 at df = 7, 1e-6 at 15.
 * NaN for df = 0. */
double hp_t975(uint64_t df);

/* ---- order statistics --------------------------------------------------- */

/* P(B <= k) for B ~ Binomial(n, p), from the regularized incomplete beta
 * function (accurate in the tails, any n). */
double hp_binom_cdf(uint64_t k, uint64_t n, double p);

/* 0-based ranks of the order statistics bounding a distribution-free
 * interval for the p quantile at confidence conf: [x(*lo), x(*hi)] covers
 * the true quantile with probability >= conf for a continuous distribution.
 * A bound the sample cannot give (n too small for p) is returned as -1
 * (lower: minus infinity) or n (upper: plus infinity). */
void hp_quantile_ci_ranks(uint64_t n, double p, double conf, int64_t *lo, int64_t *hi);

/* Quantile p of a sorted sample with its interval and se (see above). */
hp_est hp_quantile_est(const double *sorted, uint64_t n, double p);

/* Lower-tail mean at alpha (Acerbi-Tasche) of a sorted sample, with its
 * influence-function se; CVaR is its negative. value is NaN for n = 0;
 * se, lo and hi are NaN unless hp_tail_has_se(n, alpha). */
hp_est hp_tail_mean_est(const double *sorted, uint64_t n, double alpha);

/* For readers that cannot sort: the boundary value q of the alpha tail is
 * the order statistic of 0-based rank hp_tail_rank(n, alpha); one more pass
 * accumulating the moments of min(x - q, 0) over all n values gives the
 * Acerbi-Tasche tail mean, q + mean / alpha, exactly (ties included), and
 * its se. */
uint64_t hp_tail_rank(uint64_t n, double alpha);
hp_est hp_tail_mean_from(double q, double alpha, const hp_moments *shortfall);

/* Does a tail mean at alpha over n values have a standard error? Only if
 * the tail holds at least one whole value, floor(alpha n) >= 1. Below that
 * the boundary q is the minimum, min(x - q, 0) is 0 on every value, and the
 * influence-function se would be 0: a zero-width interval around what is
 * one order statistic, the least informed estimate there is. The estimate
 * stands; its se and interval are NaN (printed "-"). */
int hp_tail_has_se(uint64_t n, double alpha);

/* ---- a whole sample ------------------------------------------------------ */

typedef struct hp_sample_stats {
    uint64_t n;
    double sd;
    hp_est mean;
    int nq;
    double q_p[HP_STATS_MAXQ];
    hp_est q[HP_STATS_MAXQ];    /* quantiles at q_p                     */
    hp_est p_neg, p_pos;        /* P(x < 0), P(x > 0): P(loss), P(beats) */
    hp_est cvar;                /* -(tail mean at alpha): a loss > 0    */
    double alpha;
} hp_sample_stats;

/* Every statistic above of x[0..n): x is sorted in place (NaNs are not
 * allowed). probs: nq <= HP_STATS_MAXQ quantile levels in (0, 1). The mean
 * and P are summed in the order x has on entry, so pass it in path order. */
void hp_sample_stats_of(double *x, uint64_t n, const double *probs, int nq, double alpha,
                        hp_sample_stats *out);

#endif
