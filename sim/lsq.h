/* lsq: linear least squares by normal equations, for regression Monte Carlo.
 *
 * A fit never holds its design matrix: observations are added one at a time
 * to X'X and X'y (hp_normal_eq), so memory is k^2 + m k doubles whatever
 * the number of paths. Accumulators of separate blocks of observations are
 * merged with hp_normal_eq_merge; merging them in a fixed order (block 0,
 * then 1, ...) makes the sums, and so the fit, the same bit for bit however
 * the blocks were spread over threads or ranks.
 *
 * hp_lsq_solve scales X'X to unit diagonal (Jacobi scaling: the fit no
 * longer depends on the units of the basis functions), diagonalises it by
 * cyclic Jacobi rotations and solves with the pseudo-inverse, dropping
 * eigenvalues below 1e-10 of the largest. A well-posed system gets the
 * ordinary least-squares solution; a rank-deficient one (a basis function
 * constant on every path, as on the first decision date where all paths
 * start alike) gets the minimum-norm solution, whose fitted values are
 * still the least-squares ones. The condition number of the scaled matrix
 * and the rank are reported with every fit.
 *
 * hp_basis: tensor-product Hermite polynomials (probabilists' He_n) of
 * standardized state variables, all monomials of total degree <= d (so
 * cross terms are included). For standardized, roughly Gaussian inputs
 * they are nearly orthogonal, which keeps X'X well conditioned where plain
 * powers of a price level would not be. */
#ifndef HP_LSQ_H
#define HP_LSQ_H

#include <stddef.h>
#include <stdint.h>

/* Normal equations of k basis functions and m right-hand sides. */
typedef struct hp_normal_eq {
    int k, m;
    double n;          /* sum of weights (observations)               */
    double *xtx;       /* [k*k] upper triangle (i <= j) accumulated    */
    double *xty;       /* [m*k] right-hand side r at xty + r*k         */
    double *yty;       /* [m] sums of y^2 (residuals, R^2)             */
} hp_normal_eq;

/* Allocates a zeroed accumulator; -1 when out of memory. */
int hp_normal_eq_init(hp_normal_eq *ne, int k, int m);
void hp_normal_eq_free(hp_normal_eq *ne);
void hp_normal_eq_zero(hp_normal_eq *ne);

/* Adds one observation: basis values x[k], responses y[m], weight w. */
static inline void hp_normal_eq_add(hp_normal_eq *ne, const double *x, const double *y, double w)
{
    const int k = ne->k, m = ne->m;
    ne->n += w;
    for (int i = 0; i < k; i++) {
        double wx = w * x[i];
        double *row = ne->xtx + (size_t)i * k;
        for (int j = i; j < k; j++)
            row[j] += wx * x[j];
        for (int r = 0; r < m; r++)
            ne->xty[(size_t)r * k + i] += wx * y[r];
    }
    for (int r = 0; r < m; r++)
        ne->yty[r] += w * y[r] * y[r];
}

/* dst += src (same k and m). */
void hp_normal_eq_merge(hp_normal_eq *dst, const hp_normal_eq *src);

/* How a fit was solved. */
typedef struct hp_lsq_fit {
    double n;          /* observations                                        */
    double cond;       /* 2-norm condition number of the Jacobi-scaled X'X,
                          over the eigenvalues kept; 0 when nothing was fitted */
    int rank;          /* eigenvalues kept (k when well posed)                 */
    int dropped;       /* basis functions with zero norm (identically 0)       */
} hp_lsq_fit;

/* Eigenvalues below this fraction of the largest are dropped. */
#define HP_LSQ_RCOND 1e-10

/* Solves every right-hand side: beta[r*k + i]. With no observations, or
 * an all-zero X'X, beta is zero and fit->rank is 0. Returns 0, or -1 when
 * out of memory (k is small; the workspace is 2 k^2 + 2k doubles). */
int hp_lsq_solve(const hp_normal_eq *ne, double *beta, hp_lsq_fit *fit);

/* Eigen-decomposition of a symmetric n x n matrix a (row-major, full), by
 * cyclic Jacobi: on return the diagonal of a holds the eigenvalues and
 * the columns of v the eigenvectors. Exposed for the tests. */
void hp_sym_eigen(double *a, double *v, int n);

/* Tensor Hermite basis of n_vars inputs, total degree <= degree. */
typedef struct hp_basis {
    int n_vars, degree;
    int k;             /* C(n_vars + degree, degree) functions             */
    uint8_t *pow;      /* [k * n_vars] exponents, graded order, 1 first     */
} hp_basis;

/* Most inputs and degree the basis accepts (He_n up to n = 8). */
#define HP_BASIS_MAX_VARS 8
#define HP_BASIS_MAX_DEGREE 8

int hp_basis_init(hp_basis *b, int n_vars, int degree);
void hp_basis_free(hp_basis *b);

/* out[k] = prod_j He_{pow[i][j]}(z[j]) for each function i. */
void hp_basis_eval(const hp_basis *b, const double *z, double *out);

#endif
