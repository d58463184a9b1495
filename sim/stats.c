/* stats: estimates with standard errors and intervals (see stats.h). */
#include "stats.h"

#include <math.h>
#include <stdlib.h>

double hp_quantile_sorted(const double *x, uint64_t n, double p)
{
    if (n == 0)
        return NAN;
    double h = (double)(n - 1) * p;
    uint64_t lo = (uint64_t)floor(h);
    if (lo >= n - 1)
        return x[n - 1];
    return hp_lerp(x[lo], x[lo + 1], h - (double)lo);
}

/* ---- accumulators ----------------------------------------------------- */

void hp_moments_add(hp_moments *a, double x)
{
    a->n++;
    double d = x - a->mean;
    a->mean += d / (double)a->n;
    a->m2 += d * (x - a->mean);
}

/* Chan, Golub & LeVeque (1979): the pairwise update. */
void hp_moments_merge(hp_moments *a, const hp_moments *b)
{
    if (b->n == 0)
        return;
    if (a->n == 0) {
        *a = *b;
        return;
    }
    double na = (double)a->n, nb = (double)b->n, n = na + nb;
    double d = b->mean - a->mean;
    a->mean += d * nb / n;
    a->m2 += b->m2 + d * d * na * nb / n;
    a->n += b->n;
}

double hp_moments_sd(const hp_moments *a)
{
    return a->n > 1 ? sqrt(a->m2 / (double)(a->n - 1)) : 0.0;
}

hp_est hp_moments_mean(const hp_moments *a)
{
    if (a->n == 0)
        return (hp_est){NAN, NAN, NAN, NAN};
    double se = hp_moments_sd(a) / sqrt((double)a->n);
    return (hp_est){a->mean, se, a->mean - HP_Z95 * se, a->mean + HP_Z95 * se};
}

double hp_t975(uint64_t df)
{
    if (df == 0)
        return NAN;
    if (df == 1)
        return 12.706204736174707;                /* tan(0.475 pi): Cauchy */
    if (df == 2)
        return 0.95 / sqrt(2 * 0.975 * 0.025);    /* 4.303: closed form   */
    double z = HP_Z95, v = (double)df, z2 = z * z;
    double g1 = (z2 + 1) * z / 4;
    double g2 = ((5 * z2 + 16) * z2 + 3) * z / 96;
    double g3 = (((3 * z2 + 19) * z2 + 17) * z2 - 15) * z / 384;
    double g4 = ((((79 * z2 + 776) * z2 + 1482) * z2 - 1920) * z2 - 945) * z / 92160;
    return z + (g1 + (g2 + (g3 + g4 / v) / v) / v) / v;
}

/* Wilson's score interval: the binomial se alone gives [p, p] at p = 0. */
hp_est hp_count_prob(const hp_count *c)
{
    if (c->n == 0)
        return (hp_est){NAN, NAN, NAN, NAN};
    double n = (double)c->n, p = (double)c->k / n, z2 = HP_Z95 * HP_Z95;
    double centre = (p + z2 / (2 * n)) / (1 + z2 / n);
    double half = HP_Z95 * sqrt(p * (1 - p) / n + z2 / (4 * n * n)) / (1 + z2 / n);
    /* The interval holds p and lies in [0, 1]; rounding can put an end a
     * hair outside either (at k = n, centre + half came out below 1 = p). */
    double lo = centre - half, hi = centre + half;
    lo = lo < 0 ? 0 : lo > p ? p : lo;
    hi = hi > 1 ? 1 : hi < p ? p : hi;
    return (hp_est){p, sqrt(p * (1 - p) / n), lo, hi};
}

/* ---- the binomial distribution --------------------------------------- */

/* Continued fraction of the incomplete beta function, by the modified
 * Lentz method (Press et al., Numerical Recipes, 3rd ed., 6.4). It needs
 * O(sqrt(max(a, b))) terms where it is used (x below the mean). */
static double beta_cf(double a, double b, double x)
{
    const double tiny = 1e-300;
    double qab = a + b, qap = a + 1, qam = a - 1;
    double c = 1, d = 1 - qab * x / qap;
    if (fabs(d) < tiny)
        d = tiny;
    d = 1 / d;
    double h = d;
    long max_terms = 200 + (long)(20 * sqrt(a > b ? a : b));
    for (long m = 1; m <= max_terms; m++) {
        double md = (double)m, m2 = 2 * md;
        double aa = md * (b - md) * x / ((qam + m2) * (a + m2));
        d = 1 + aa * d;
        c = 1 + aa / c;
        d = 1 / (fabs(d) < tiny ? tiny : d);
        c = fabs(c) < tiny ? tiny : c;
        h *= d * c;
        aa = -(a + md) * (qab + md) * x / ((a + m2) * (qap + m2));
        d = 1 + aa * d;
        c = 1 + aa / c;
        d = 1 / (fabs(d) < tiny ? tiny : d);
        c = fabs(c) < tiny ? tiny : c;
        double del = d * c;
        h *= del;
        if (fabs(del - 1) < 1e-15)
            break;
    }
    return h;
}

/* Regularized incomplete beta I_x(a, b); the fraction is evaluated on the
 * side of the mean where it converges fast. */
static double ibeta(double a, double b, double x)
{
    if (x <= 0)
        return 0;
    if (x >= 1)
        return 1;
    double lfront = lgamma(a + b) - lgamma(a) - lgamma(b) + a * log(x) + b * log1p(-x);
    if (x < (a + 1) / (a + b + 2))
        return exp(lfront) * beta_cf(a, b, x) / a;
    return 1 - exp(lfront) * beta_cf(b, a, 1 - x) / b;
}

double hp_binom_cdf(uint64_t k, uint64_t n, double p)
{
    if (k >= n)
        return 1;
    if (p <= 0)
        return 1;
    if (p >= 1)
        return 0;
    return ibeta((double)(n - k), (double)k + 1, 1 - p);
}

/* Largest j in [1, n] with F(j - 1) <= t (F increasing), or 0 if none. */
static uint64_t last_at_most(uint64_t n, double p, double t)
{
    uint64_t lo = 0, hi = n;            /* invariant: lo true (or 0), hi+1 false */
    while (lo < hi) {
        uint64_t mid = lo + (hi - lo + 1) / 2;
        if (hp_binom_cdf(mid - 1, n, p) <= t)
            lo = mid;
        else
            hi = mid - 1;
    }
    return lo;
}

/* Smallest j in [1, n] with F(j - 1) >= t, or n + 1 if none. */
static uint64_t first_at_least(uint64_t n, double p, double t)
{
    uint64_t lo = 1, hi = n + 1;
    while (lo < hi) {
        uint64_t mid = lo + (hi - lo) / 2;
        if (hp_binom_cdf(mid - 1, n, p) >= t)
            hi = mid;
        else
            lo = mid + 1;
    }
    return lo;
}

/* B = #{x_i <= xi_p} ~ Binomial(n, p), and x(j) <= xi_p iff B >= j
 * (1-based j), so [x(l), x(u)] covers xi_p with probability
 * F(u - 1) - F(l - 1): take the largest l and the smallest u leaving at
 * most (1 - conf)/2 on each side. */
void hp_quantile_ci_ranks(uint64_t n, double p, double conf, int64_t *lo, int64_t *hi)
{
    double tail = (1 - conf) / 2;
    if (n == 0) {
        *lo = -1;
        *hi = 0;
        return;
    }
    uint64_t l = last_at_most(n, p, tail);          /* 0: no finite lower bound */
    uint64_t u = first_at_least(n, p, 1 - tail);    /* n+1: no finite upper bound */
    *lo = (int64_t)l - 1;
    *hi = (int64_t)u - 1;
}

hp_est hp_quantile_est(const double *sorted, uint64_t n, double p)
{
    if (n == 0)
        return (hp_est){NAN, NAN, NAN, NAN};
    int64_t l, u;
    hp_quantile_ci_ranks(n, p, 0.95, &l, &u);
    hp_est e;
    e.value = hp_quantile_sorted(sorted, n, p);
    e.lo = l < 0 ? -INFINITY : sorted[l];
    e.hi = u >= (int64_t)n ? INFINITY : sorted[u];
    e.se = isfinite(e.lo) && isfinite(e.hi) ? (e.hi - e.lo) / (2 * HP_Z95) : NAN;
    return e;
}

/* ---- the tail ------------------------------------------------------------- */

uint64_t hp_tail_rank(uint64_t n, double alpha)
{
    uint64_t k = (uint64_t)floor(alpha * (double)n);
    return k < n ? k : n - 1;
}

int hp_tail_has_se(uint64_t n, double alpha)
{
    return alpha > 0 && floor(alpha * (double)n) >= 1;
}

/* With y = min(x - q, 0): the tail mean is q + sum(y) / (alpha n), and its
 * influence function gives Var = Var(y) / alpha^2 per observation. */
hp_est hp_tail_mean_from(double q, double alpha, const hp_moments *shortfall)
{
    if (shortfall->n == 0 || !(alpha > 0))
        return (hp_est){NAN, NAN, NAN, NAN};
    double v = q + shortfall->mean / alpha;
    if (!hp_tail_has_se(shortfall->n, alpha))
        return (hp_est){v, NAN, NAN, NAN};
    double se = hp_moments_sd(shortfall) / sqrt((double)shortfall->n) / alpha;
    return (hp_est){v, se, v - HP_Z95 * se, v + HP_Z95 * se};
}

/* The value by the direct Acerbi-Tasche sum (as scripts/hp_results.py
 * computes it), the se from the shortfall moments. */
hp_est hp_tail_mean_est(const double *sorted, uint64_t n, double alpha)
{
    if (n == 0 || !(alpha > 0))
        return (hp_est){NAN, NAN, NAN, NAN};
    double m = alpha * (double)n;
    uint64_t k = (uint64_t)floor(m);
    double total = 0;
    for (uint64_t i = 0; i < k && i < n; i++)
        total += sorted[i];
    if (k < n)
        total += (m - (double)k) * sorted[k];
    double q = sorted[hp_tail_rank(n, alpha)];
    hp_moments y = {0};
    for (uint64_t i = 0; i < n; i++)
        hp_moments_add(&y, sorted[i] < q ? sorted[i] - q : 0.0);
    hp_est e = hp_tail_mean_from(q, alpha, &y);
    e.value = total / m;
    e.lo = e.value - HP_Z95 * e.se;
    e.hi = e.value + HP_Z95 * e.se;
    return e;
}

/* ---- a whole sample ------------------------------------------------------ */

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

void hp_sample_stats_of(double *x, uint64_t n, const double *probs, int nq, double alpha,
                        hp_sample_stats *out)
{
    hp_moments mo = {0};
    hp_count neg = {0}, pos = {0};
    for (uint64_t i = 0; i < n; i++) {
        hp_moments_add(&mo, x[i]);
        hp_count_add(&neg, x[i] < 0);
        hp_count_add(&pos, x[i] > 0);
    }
    out->n = n;
    out->sd = hp_moments_sd(&mo);
    out->mean = hp_moments_mean(&mo);
    out->p_neg = hp_count_prob(&neg);
    out->p_pos = hp_count_prob(&pos);
    out->alpha = alpha;
    qsort(x, (size_t)n, sizeof *x, cmp_double);
    out->nq = nq < HP_STATS_MAXQ ? nq : HP_STATS_MAXQ;
    for (int i = 0; i < out->nq; i++) {
        out->q_p[i] = probs[i];
        out->q[i] = hp_quantile_est(x, n, probs[i]);
    }
    hp_est t = hp_tail_mean_est(x, n, alpha);
    out->cvar = (hp_est){-t.value, t.se, -t.hi, -t.lo};
}
