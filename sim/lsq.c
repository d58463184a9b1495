/* lsq: normal equations, their robust solution, and the Hermite basis
 * (see lsq.h). */
#include "lsq.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

int hp_normal_eq_init(hp_normal_eq *ne, int k, int m)
{
    memset(ne, 0, sizeof *ne);
    ne->k = k;
    ne->m = m;
    ne->xtx = calloc((size_t)k * (size_t)k, sizeof(double));
    ne->xty = calloc((size_t)m * (size_t)k, sizeof(double));
    ne->yty = calloc((size_t)(m > 0 ? m : 1), sizeof(double));
    if (ne->xtx == NULL || ne->xty == NULL || ne->yty == NULL) {
        hp_normal_eq_free(ne);
        return -1;
    }
    return 0;
}

void hp_normal_eq_free(hp_normal_eq *ne)
{
    free(ne->xtx);
    free(ne->xty);
    free(ne->yty);
    ne->xtx = ne->xty = ne->yty = NULL;
}

void hp_normal_eq_zero(hp_normal_eq *ne)
{
    size_t k = (size_t)ne->k, m = (size_t)ne->m;
    ne->n = 0;
    memset(ne->xtx, 0, k * k * sizeof(double));
    memset(ne->xty, 0, m * k * sizeof(double));
    memset(ne->yty, 0, (m > 0 ? m : 1) * sizeof(double));
}

void hp_normal_eq_merge(hp_normal_eq *dst, const hp_normal_eq *src)
{
    size_t k = (size_t)dst->k, m = (size_t)dst->m;
    dst->n += src->n;
    for (size_t i = 0; i < k; i++)
        for (size_t j = i; j < k; j++)
            dst->xtx[i * k + j] += src->xtx[i * k + j];
    for (size_t i = 0; i < m * k; i++)
        dst->xty[i] += src->xty[i];
    for (size_t r = 0; r < m; r++)
        dst->yty[r] += src->yty[r];
}

/* Cyclic Jacobi: each rotation zeroes one off-diagonal pair; sweeps over
 * all pairs until the off-diagonal mass is negligible. Quadratically
 * convergent; k <= a few dozen here, so cost is no concern. */
void hp_sym_eigen(double *a, double *v, int n)
{
    for (int i = 0; i < n; i++)
        for (int j = 0; j < n; j++)
            v[i * n + j] = i == j;
    for (int sweep = 0; sweep < 100; sweep++) {
        double off = 0, all = 0;
        for (int i = 0; i < n; i++)
            for (int j = 0; j < n; j++) {
                double x = a[i * n + j] * a[i * n + j];
                all += x;
                if (i != j)
                    off += x;
            }
        if (!(off > 1e-30 * all))
            return;
        for (int p = 0; p < n - 1; p++)
            for (int q = p + 1; q < n; q++) {
                double apq = a[p * n + q];
                if (apq == 0)
                    continue;
                double theta = (a[q * n + q] - a[p * n + p]) / (2 * apq);
                double t = (theta >= 0 ? 1.0 : -1.0) / (fabs(theta) + sqrt(theta * theta + 1));
                double c = 1 / sqrt(t * t + 1), s = t * c;
                for (int k = 0; k < n; k++) {          /* A J */
                    double akp = a[k * n + p], akq = a[k * n + q];
                    a[k * n + p] = c * akp - s * akq;
                    a[k * n + q] = s * akp + c * akq;
                }
                for (int k = 0; k < n; k++) {          /* J^T (A J) */
                    double apk = a[p * n + k], aqk = a[q * n + k];
                    a[p * n + k] = c * apk - s * aqk;
                    a[q * n + k] = s * apk + c * aqk;
                }
                a[p * n + q] = a[q * n + p] = 0;
                for (int k = 0; k < n; k++) {          /* V J */
                    double vkp = v[k * n + p], vkq = v[k * n + q];
                    v[k * n + p] = c * vkp - s * vkq;
                    v[k * n + q] = s * vkp + c * vkq;
                }
            }
    }
}

int hp_lsq_solve(const hp_normal_eq *ne, double *beta, hp_lsq_fit *fit)
{
    const int k = ne->k, m = ne->m;
    memset(beta, 0, (size_t)m * (size_t)k * sizeof(double));
    memset(fit, 0, sizeof *fit);
    fit->n = ne->n;
    double *a = malloc((size_t)k * (size_t)k * sizeof(double));
    double *v = malloc((size_t)k * (size_t)k * sizeof(double));
    double *d = malloc((size_t)k * sizeof(double));
    double *w = malloc((size_t)k * sizeof(double));
    if (a == NULL || v == NULL || d == NULL || w == NULL) {
        free(a); free(v); free(d); free(w);
        return -1;
    }
    /* Jacobi scaling: d_i = 1/sqrt(X'X_ii); a zero column is left out. */
    for (int i = 0; i < k; i++) {
        double xii = ne->xtx[(size_t)i * k + i];
        d[i] = xii > 0 ? 1 / sqrt(xii) : 0;
        if (!(xii > 0))
            fit->dropped++;
    }
    for (int i = 0; i < k; i++)
        for (int j = i; j < k; j++)
            a[i * k + j] = a[j * k + i] = ne->xtx[(size_t)i * k + j] * d[i] * d[j];
    hp_sym_eigen(a, v, k);

    double lmax = 0;
    for (int i = 0; i < k; i++)
        if (a[i * k + i] > lmax)
            lmax = a[i * k + i];
    double lmin = 0;
    for (int i = 0; i < k; i++) {
        double l = a[i * k + i];
        if (lmax > 0 && l > HP_LSQ_RCOND * lmax) {
            fit->rank++;
            if (lmin == 0 || l < lmin)
                lmin = l;
        }
    }
    fit->cond = fit->rank > 0 ? lmax / lmin : 0;

    /* beta = D V L^+ V' D b, one right-hand side at a time. */
    for (int r = 0; r < m && fit->rank > 0; r++) {
        const double *b = ne->xty + (size_t)r * k;
        for (int e = 0; e < k; e++) {            /* w = L^+ V' (D b) */
            double l = a[e * k + e], s = 0;
            if (!(l > HP_LSQ_RCOND * lmax)) {
                w[e] = 0;
                continue;
            }
            for (int i = 0; i < k; i++)
                s += v[i * k + e] * d[i] * b[i];
            w[e] = s / l;
        }
        for (int i = 0; i < k; i++) {
            double s = 0;
            for (int e = 0; e < k; e++)
                s += v[i * k + e] * w[e];
            beta[(size_t)r * k + i] = d[i] * s;
        }
    }
    free(a); free(v); free(d); free(w);
    return 0;
}

/* ---- basis ---- */

/* Appends every exponent tuple of vars j.. with sum `left`, first
 * variable's exponent highest first (so x, then y, ... in each degree). */
static void tuples(hp_basis *b, uint8_t *cur, int j, int left, int *idx)
{
    if (j == b->n_vars - 1) {
        cur[j] = (uint8_t)left;
        memcpy(b->pow + (size_t)(*idx) * b->n_vars, cur, (size_t)b->n_vars);
        (*idx)++;
        return;
    }
    for (int e = left; e >= 0; e--) {
        cur[j] = (uint8_t)e;
        tuples(b, cur, j + 1, left - e, idx);
    }
}

int hp_basis_init(hp_basis *b, int n_vars, int degree)
{
    memset(b, 0, sizeof *b);
    if (n_vars < 1 || n_vars > HP_BASIS_MAX_VARS || degree < 0 || degree > HP_BASIS_MAX_DEGREE)
        return -1;
    /* k = C(n_vars + degree, degree), computed exactly step by step. */
    long k = 1;
    for (int i = 1; i <= degree; i++)
        k = k * (n_vars + i) / i;
    b->n_vars = n_vars;
    b->degree = degree;
    b->k = (int)k;
    b->pow = calloc((size_t)k * (size_t)n_vars, 1);
    if (b->pow == NULL)
        return -1;
    uint8_t cur[HP_BASIS_MAX_VARS];
    int idx = 0;
    for (int t = 0; t <= degree; t++)
        tuples(b, cur, 0, t, &idx);
    return 0;
}

void hp_basis_free(hp_basis *b)
{
    free(b->pow);
    b->pow = NULL;
}

void hp_basis_eval(const hp_basis *b, const double *z, double *out)
{
    double he[HP_BASIS_MAX_VARS][HP_BASIS_MAX_DEGREE + 1];
    for (int j = 0; j < b->n_vars; j++) {
        he[j][0] = 1;
        if (b->degree >= 1)
            he[j][1] = z[j];
        for (int n = 1; n < b->degree; n++)      /* He_{n+1} = z He_n - n He_{n-1} */
            he[j][n + 1] = z[j] * he[j][n] - n * he[j][n - 1];
    }
    for (int i = 0; i < b->k; i++) {
        const uint8_t *p = b->pow + (size_t)i * b->n_vars;
        double x = 1;
        for (int j = 0; j < b->n_vars; j++)
            x *= he[j][p[j]];
        out[i] = x;
    }
}
