/* gsa: global sensitivity analysis (Morris screening, Sobol indices) over
 * the input distributions a config declares in its `uncertain` group:
 *
 *   uncertain = {
 *     hpc = { capex_usd_per_mw = ("uniform", 8.0e6, 12.0e6); };
 *     ai_market = { lease0_usd_per_mw_year = ("triangular", 1.2e6, 1.8e6, 2.1e6); };
 *     price = { mu = ("uniform", 0.0, 0.3); };
 *   };
 *
 * The groups mirror the config's; each entry is a libconfig list (in
 * parentheses: a [...] array cannot mix a name and numbers) of a
 * distribution and its numbers:
 *   ("uniform", a, b)              a < b
 *   ("loguniform", a, b)           0 < a < b, uniform in log
 *   ("triangular", a, mode, b)     a <= mode <= b, a < b
 * within the key's declared range. An integer key takes the value rounded
 * to the nearest integer. Anything else (an unknown key or distribution, a
 * missing or extra number) stops with file:line: key: message.
 *
 * Every design point is a whole Monte Carlo run (n paths, the config's
 * seed: common random numbers across points, so the output is one smooth
 * function of the inputs, not a noisy one; the indices are those of that
 * n-path function and converge to the model's as n grows).
 *
 * Sobol indices: Saltelli's sampling (A, B and the k matrices A with
 * column i from B; N (k + 2) runs) on scrambled Sobol points, the
 * first-order estimator of Saltelli et al. (2010, Table 2 (b)) and the
 * total-effect estimator of Jansen (1999) (Table 2 (f)), the pair that
 * paper recommends; 95% percentile intervals from a bootstrap over the N
 * rows. Morris: r trajectories of k + 1 points on a p-level grid (p = 4,
 * step 2/3 of the range; Morris 1991), mu, mu* = mean |EE| (Campolongo et
 * al. 2007) and sigma of the elementary effects, with a bootstrap
 * interval for mu* over trajectories. An elementary effect is the change
 * in the output per unit of the input's normalized range (a move across
 * the whole range). */
#ifndef HP_GSA_H
#define HP_GSA_H

#include <stdint.h>
#include <stdio.h>
#include "anfile.h"
#include "anrun.h"
#include "target.h"

typedef enum hp_dist_kind { HP_DIST_UNIFORM, HP_DIST_LOGUNIFORM, HP_DIST_TRIANGULAR } hp_dist_kind;

typedef struct hp_input {
    const hp_param *p;
    hp_dist_kind kind;
    double a, b, mode;          /* mode: triangular only (NaN otherwise) */
} hp_input;

typedef struct hp_inputs {
    int n;
    hp_input *in;
} hp_inputs;

/* Reads and checks the `uncertain` group of the config file at path. */
int hp_uncertain_load(const hp_an *a, const char *path, hp_inputs *out, hp_err *err);
void hp_uncertain_free(hp_inputs *in);

/* The input's value at u in [0, 1] (the inverse distribution function). */
double hp_input_value(const hp_input *in, double u);
const char *hp_dist_name(hp_dist_kind k);

/* ---- the estimators, on any function (tests use Ishigami's) ------------ */

/* Saltelli's base matrices, N rows of k uniforms each, from scrambled Sobol
 * points of 2k dimensions: A from the first k, B from the last k. */
int hp_saltelli_design(int N, int k, uint64_t seed, double *A, double *B, hp_err *err);

/* yA[N], yB[N], yAB[i * N + j] (row j of A with column i from B). */
typedef struct hp_sobol_idx {
    double S1, S1_lo, S1_hi, S1_se;
    double ST, ST_lo, ST_hi, ST_se;
} hp_sobol_idx;

void hp_sobol_indices(int N, int k, const double *yA, const double *yB, const double *yAB,
                      int bootstrap, uint64_t seed, hp_sobol_idx *out, double *mean, double *variance);

/* Morris trajectories: X[(t * (k + 1) + j) * k + i], t < r, j <= k; step j
 * of trajectory t moves input order[t * k + j - 1] by sign[...] * delta. */
void hp_morris_design(int r, int k, uint64_t seed, double *X, int *order, double *sign, double *delta);

typedef struct hp_morris_idx {
    double mu, mu_star, sigma, mu_star_lo, mu_star_hi;
} hp_morris_idx;

/* Elementary effects ee[t * k + i] from y[t * (k + 1) + j], and their
 * summaries. */
void hp_morris_indices(int r, int k, const double *y, const int *order, const double *sign, double delta,
                       int bootstrap, uint64_t seed, double *ee, hp_morris_idx *out);

/* ---- the command ------------------------------------------------------------ */

typedef enum hp_gsa_method { HP_GSA_MORRIS = 1, HP_GSA_SOBOL = 2, HP_GSA_BOTH = 3 } hp_gsa_method;

typedef struct hp_gsa_opts {
    hp_gsa_method method;
    int base_samples;           /* Sobol N, a power of 2     */
    int trajectories;           /* Morris r                  */
    int bootstrap;              /* resamples                 */
    hp_target stat;             /* the output, without "="   */
    hp_inputs inputs;
    int quiet;
} hp_gsa_opts;

int hp_gsa(const hp_an *a, const hp_gsa_opts *o, hp_anfile *f, FILE *out, hp_err *err);

#endif
