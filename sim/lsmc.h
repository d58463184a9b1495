/* lsmc: least-squares Monte Carlo (Longstaff & Schwartz 2001) for
 * multiple-exercise optimal stopping.
 *
 * The problem: on decision dates t = 0 .. n_dates-1 a holder of r rights
 * (tranches not yet converted, or 1 for an American option) may exercise
 * up to max_per_date of them; payoffs add. Rights are used in a fixed
 * order: the one used when r are left is "right r", and it pays
 *       payoff_r(t) = weights[r-1] . features[t],
 * a problem-given weighting of a few per-path payoff features (one feature
 * and unit weights when every right pays the same; a tranche on a site with
 * dearer power gives up less mining margin, so tranches differ).
 * The engine knows nothing of puts or tranches: a problem hands it a
 * function that simulates one path (its state variables, payoff and
 * regime on every decision date) as a pure function of (seed, path).
 *
 * Training (hp_lsmc_train) simulates n_paths training paths, keeps their
 * decision-date data, and runs backward induction. Each path carries
 * Y[r], the discounted value it realizes from date t+1 on with r rights
 * left under the policy fitted so far (Y[0] = 0). On date t, for every
 * regime g and r = 1 .. n_rights, it regresses
 *       y = (payoff_known ? 0 : payoff_r(t)) - (Y[r] - Y[r-1])
 * over the paths whose regime is g on basis functions of the standardized
 * state, and exercises where
 *       margin = (payoff_known ? payoff_r(t) : 0) + fitted y > 0,
 * i.e. where the (expected) payoff beats the expected value of keeping the
 * r-th right. Holding r rights, a path exercises the r-th, then the
 * (r-1)-th, ... while their margins stay positive, at most max_per_date:
 * when the marginal value of a right grows as fewer are left and later
 * rights pay no more than earlier ones (tranches converted cheapest-margin
 * first), stopping at the first negative margin maximizes the payoffs of
 * the m rights used plus the value of the r - m kept.
 * With payoff_known and one right this is exactly Longstaff
 * and Schwartz's rule (regress the continuation value, compare with the
 * intrinsic value); when the payoff is only known in expectation (a
 * conversion's value depends on lease rates after the decision) the
 * payoff is regressed too. Paths then update Y with *realized* payoffs,
 * never with fitted values, as Longstaff and Schwartz do.
 *
 * Evaluation (hp_lsmc_evaluate) follows the stored policy forward on a
 * fresh, independent set of paths: its mean is a low-biased estimate of
 * the value (any policy is at most optimal) with a standard error.
 *
 * Reproducibility: paths are processed in fixed blocks of HP_LSMC_BLOCK
 * path indices; each block's normal equations and sums are accumulated in
 * path order and blocks are merged in index order, so the policy and the
 * estimates are the same bit for bit at any thread count. The block is a
 * constant of the algorithm, not a tuning knob, for that reason.
 *
 * Memory: training keeps n_paths x n_dates x (n_state + n_features) doubles, one
 * byte of regime per path and date, and n_rights + 1 doubles per path: it
 * grows with the training set, which is sized on its own, not with the
 * evaluation paths. The regression itself holds one set of normal
 * equations per block in flight (k^2 + n_rights k doubles per regime). */
#ifndef HP_LSMC_H
#define HP_LSMC_H

#include <stddef.h>
#include <stdint.h>
#include "hp_err.h"
#include "lsq.h"

#define HP_LSMC_BLOCK 256

/* Limits of a problem (stack buffers per path are sized by them). */
#define HP_LSMC_MAX_RIGHTS 256
#define HP_LSMC_MAX_BASIS 512
#define HP_LSMC_MAX_REGIMES 16
#define HP_LSMC_MAX_FEATURES 64

/* Regime value of a date on which the path may not exercise (the put's
 * out-of-the-money dates; such paths are left out of that regression). */
#define HP_LSMC_NO_EXERCISE (-1)

typedef struct hp_stopping {
    int n_dates;
    int n_rights;              /* >= 1                                      */
    int max_per_date;          /* exercises allowed on one date (0 means 1) */
    int n_state;               /* state variables the basis sees, >= 1      */
    int n_regimes;             /* separate regressions per regime, >= 1     */
    int n_features;            /* payoff features per date (0 means 1)      */
    const double *weights;     /* [n_rights * n_features], right r's row at
                                  (r-1) n_features; NULL: every weight 1   */
    int payoff_known;          /* 1: payoffs are known on their date        */
    int has_control;           /* 1: simulate() also fills control[]        */
    size_t scratch_bytes;      /* workspace simulate() needs per thread     */
    /* Fills, for path `path` of stream `seed`, on every date t:
     *   state[t * n_state + j]       the state variables,
     *   feature[t * n_features + f]  payoff features, discounted to time 0,
     *   regime[t]                    0 .. n_regimes-1, or HP_LSMC_NO_EXERCISE,
     *   control[t * n_features + f]  (only when control is not NULL: the
     *                                evaluation of a problem with has_control)
     *                                a part of the feature with zero mean
     *                                given the path up to t, e.g. the feature
     *                                less its conditional expectation. The
     *                                evaluation subtracts the controls of the
     *                                payoffs it collects: the same mean
     *                                (optional stopping), less noise.
     * Must depend only on (ctx, seed, path). */
    void (*simulate)(const void *ctx, uint64_t seed, uint64_t path, double *state,
                     double *feature, int8_t *regime, double *control, void *scratch);
    /* Optional (hp_lsmc_dual only): fills dates t+1 .. n_dates-1 of state,
     * feature, regime and control (when has_control) of inner path `inner`
     * of stream `seed`, started from date t's state vector state_t: the
     * problem must be Markov in its state. Dates <= t are not read. */
    void (*simulate_from)(const void *ctx, uint64_t seed, uint64_t inner, int t,
                          const double *state_t, double *state, double *feature,
                          int8_t *regime, double *control, void *scratch);
    const void *ctx;
} hp_stopping;

typedef struct hp_lsmc_opts {
    int degree;                /* total degree of the Hermite basis          */
    int threads;               /* <= 0: OpenMP default                       */
    double min_obs_per_basis;  /* fewer observations than this x k in a
                                  regression: intercept only (0: default 4)  */
} hp_lsmc_opts;

/* A fitted exercise policy. Index helpers are in lsmc.c. */
typedef struct hp_policy {
    int n_dates, n_rights, n_state, n_regimes, payoff_known, max_per_date;
    int n_features;
    double *weights;           /* [n_rights * n_features]                    */
    hp_basis basis;
    double *mean;              /* [(t n_regimes + g) n_state + j]            */
    double *inv_sd;            /* same; 0 where the state does not vary      */
    double *lo, *hi;           /* same: the training paths' range; a state
                                  outside it is clamped to it (polynomials
                                  must not extrapolate)                      */
    double *beta;              /* [((t n_regimes + g) n_rights + r-1) k + i] */
    hp_lsq_fit *fit;           /* [t n_regimes + g]                          */
    double in_sample;          /* training paths' mean realized value        */
    uint64_t n_train;
} hp_policy;

/* Trains a policy on paths 0 .. n_paths-1 of stream `seed`. Returns 0, or
 * -1 with err set (out of memory, bad problem). */
int hp_lsmc_train(const hp_stopping *pb, uint64_t seed, uint64_t n_paths,
                  const hp_lsmc_opts *o, hp_policy *pol, hp_err *err);
void hp_policy_free(hp_policy *pol);

/* Right r's payoff from date t's features. */
double hp_policy_payoff(const hp_policy *pol, int r, const double *feature);

/* Exercise margin of right r (r >= 1 rights left) on date t in regime g
 * (>= 0): use it when the margin is > 0. `feature` (date t's payoff
 * features) is read only when payoff_known; it may be NULL otherwise. */
double hp_policy_margin(const hp_policy *pol, int t, int r, int g,
                        const double *state, const double *feature);

/* Rights to use on date t holding r in regime g (0 .. max_per_date). */
int hp_policy_decide(const hp_policy *pol, int t, int r, int g, const double *state,
                     const double *feature);

/* The exercise boundary along state variable j on date t, holding r
 * rights in regime g, the other variables at their training means: the
 * lowest value of variable j within the training range (scanned in n
 * steps, then bisected) from which the margin is positive. *found is 1
 * then; 0 when the margin is positive nowhere in the range (never use the
 * right; the range's top is returned); 2 when it is positive everywhere
 * (the range's bottom is returned); -1 for a problem whose payoffs are
 * known on their date (the margin then depends on them, not on the state
 * alone; NAN is returned). */
double hp_policy_boundary(const hp_policy *pol, int t, int r, int g, int j, int n,
                          int *found);

/* A mean over paths and its standard error. */
typedef struct hp_estimate {
    double mean, se, sd;
    uint64_t n;
} hp_estimate;

/* What an evaluation measured: the mean realized value; the mean of the
 * payoffs less their controls (the same value, less noise; equal to
 * `value` without controls); and the mean control collected, which must
 * be zero within its standard error if the controls are right. */
typedef struct hp_lsmc_eval {
    hp_estimate value, controlled, control;
} hp_lsmc_eval;

/* Follows the policy on paths first .. first+n_paths-1 of stream `seed`.
 * values[i] (may be NULL) gets path first+i's realized value, exercises[i]
 * (may be NULL) the number of rights it used. Returns 0 or -1 with err. */
int hp_lsmc_evaluate(const hp_stopping *pb, const hp_policy *pol, uint64_t seed,
                     uint64_t first, uint64_t n_paths, int threads, hp_lsmc_eval *ev,
                     double *values, int *exercises, hp_err *err);

/* The Andersen-Broadie duality gap of a one-right policy (lsmc_dual.c).
 *
 * On each outer path (paths 0 .. n_outer-1 of stream `seed`) the value of
 * following the policy from date j, L_j, is the payoff if the policy
 * exercises at j, else C_j, the mean over n_inner inner paths started from
 * the outer path's state at j of the payoff the policy collects after j.
 * pi_0 = L_0 and pi_j = pi_{j-1} + L_j - C_{j-1} is a martingale (up to
 * the inner noise, which only raises the bound), and
 *     gap = E[ max_j (h_j - pi_j) ]
 * over the dates where exercise is allowed and, for never exercising,
 * h = 0 after the last date. The optimal value lies between the policy's
 * value V and V + gap. Payoffs must be known on their date, or the problem
 * must give controls: h_j is then the payoff less its control, its
 * expectation given the date's state. `lower` is the mean of L_0 over
 * the outer paths (a second, noisier estimate of V). */
typedef struct hp_lsmc_dual {
    hp_estimate gap, lower;
} hp_lsmc_dual;

int hp_lsmc_dual_bound(const hp_stopping *pb, const hp_policy *pol, uint64_t seed,
                       uint64_t n_outer, uint64_t n_inner, int threads, hp_lsmc_dual *out,
                       hp_err *err);

/* Mean and standard error of n values, summed in fixed blocks (the same
 * result at any thread count). */
hp_estimate hp_estimate_of(const double *values, uint64_t n);

#endif
