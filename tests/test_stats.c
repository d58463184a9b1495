/* stats: the binomial arithmetic against independent sums, and the
 * intervals' coverage over seeded replications of known distributions.
 *
 * Coverage checks: 400 replications of n = 10,000 standard normals (the
 * default path count); each 95% interval must cover the true value in
 * 93-97% of them (the count of covers is Binomial(400, 0.95): sd 1.1
 * points, so the band is about +-2 sd). Measured over 10,000 other
 * replications: q05 95.5%, q50 95.2%, q95 95.3%, mean 95.2%, P 95.0%,
 * CVaR 94.9%. (At n = 2,000 the q05 and q95 intervals cover 96%: they are
 * conservative where the binomial is coarse.) The standard errors are
 * checked against the spread of the estimates across replications (4 sd
 * of a sample sd: +-14%). */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "dist.h"
#include "rng.h"
#include "stats.h"

#define REPS 400
#define N 10000

/* P(B <= k) by summing the pmf in log space: the reference. */
static double binom_cdf_sum(uint64_t k, uint64_t n, double p)
{
    double s = 0;
    for (uint64_t i = 0; i <= k && i <= n; i++)
        s += exp(lgamma((double)n + 1) - lgamma((double)i + 1) - lgamma((double)(n - i) + 1) +
                 (double)i * log(p) + (double)(n - i) * log1p(-p));
    return s;
}

static void test_binomial(void)
{
    const struct { uint64_t n; double p; } cases[] = {
        {1, 0.5}, {10, 0.05}, {100, 0.5}, {100, 0.05}, {2000, 0.95}, {100000, 0.01}};
    for (size_t c = 0; c < sizeof cases / sizeof cases[0]; c++) {
        uint64_t n = cases[c].n;
        double p = cases[c].p, mean = (double)n * p, sd = sqrt(mean * (1 - p));
        for (double z = -4; z <= 4; z += 0.5) {
            double kd = floor(mean + z * sd);
            if (kd < 0 || kd > (double)n)
                continue;
            uint64_t k = (uint64_t)kd;
            double want = binom_cdf_sum(k, n, p), got = hp_binom_cdf(k, n, p);
            CHECK_MSG(fabs(got - want) <= 1e-10 + 1e-9 * want, "n %llu p %g k %llu: %.15g vs %.15g",
                      (unsigned long long)n, p, (unsigned long long)k, got, want);
        }
    }
    CHECK(hp_binom_cdf(5, 5, 0.3) == 1);
    /* Binomial(100, 1/2): the classical 95% interval for the median is
     * x(40), x(61) (1-based), coverage 0.9648. */
    int64_t lo, hi;
    hp_quantile_ci_ranks(100, 0.5, 0.95, &lo, &hi);
    CHECK(lo == 39 && hi == 60);
    CHECK_NEAR(hp_binom_cdf(60, 100, 0.5) - hp_binom_cdf(39, 100, 0.5), 0.9648, 1e-4);
    /* n = 10 is too few for a lower bound on the 5% quantile:
     * P(no value below it) = 0.95^10 = 0.60. */
    hp_quantile_ci_ranks(10, 0.05, 0.95, &lo, &hi);
    CHECK(lo == -1 && hi >= 0 && hi < 10);
    hp_quantile_ci_ranks(10, 0.95, 0.95, &lo, &hi);
    CHECK(hi == 10);
}

/* Acerbi-Tasche by hand: 1..10 at alpha 0.25 is (1 + 2 + 0.5 x 3) / 2.5. */
static void test_tail(void)
{
    double x[10];
    for (int i = 0; i < 10; i++)
        x[i] = i + 1;
    hp_est t = hp_tail_mean_est(x, 10, 0.25);
    CHECK_NEAR(t.value, 1.8, 1e-15);
    /* From a pass that only knows q (ties included), the same value. */
    double ties[8] = {-3, -1, -1, -1, 0, 2, 5, 9};
    for (int k = 1; k <= 8; k++) {
        double alpha = k / 10.0;
        double q = ties[hp_tail_rank(8, alpha)];
        hp_moments y = {0};
        for (int i = 7; i >= 0; i--)          /* any order */
            hp_moments_add(&y, ties[i] < q ? ties[i] - q : 0);
        CHECK_NEAR(hp_tail_mean_from(q, alpha, &y).value, hp_tail_mean_est(ties, 8, alpha).value, 1e-12);
    }
    /* A tail holding no whole value (alpha n < 1): the estimate is the
     * minimum, and there is no se: min(x - q, 0) is 0 everywhere, which
     * gave a zero-width interval. One whole value gives a positive se. */
    CHECK(!hp_tail_has_se(19, 0.05) && hp_tail_has_se(20, 0.05) && !hp_tail_has_se(0, 0.05));
    double y[20];
    for (int i = 0; i < 20; i++)
        y[i] = i * i;
    hp_est few = hp_tail_mean_est(y, 19, 0.05);
    CHECK(few.value == 0 && isnan(few.se) && isnan(few.lo) && isnan(few.hi));
    hp_est one = hp_tail_mean_est(y, 20, 0.05);
    CHECK(one.value == 0 && one.se > 0 && one.lo < one.value && one.value < one.hi);
    hp_moments zero = {0};
    for (int i = 0; i < 19; i++)
        hp_moments_add(&zero, 0.0);
    hp_est from = hp_tail_mean_from(y[0], 0.05, &zero);
    CHECK(from.value == 0 && isnan(from.se) && isnan(from.lo));
}

/* Merging blocks gives the sequential moments, and the same bits every
 * time the same blocks are merged in the same order. */
static void test_merge(void)
{
    hp_pcg64 r;
    hp_rng_stream(&r, 7, 0, 0);
    double x[1000];
    hp_moments all = {0};
    for (int i = 0; i < 1000; i++) {
        x[i] = 1e6 + hp_normal(&r);
        hp_moments_add(&all, x[i]);
    }
    hp_moments a = {0}, b = {0};
    for (int rep = 0; rep < 2; rep++) {
        hp_moments *m = rep ? &b : &a;
        for (int blk = 0; blk < 1000; blk += 37) {
            hp_moments part = {0};
            for (int i = blk; i < blk + 37 && i < 1000; i++)
                hp_moments_add(&part, x[i]);
            hp_moments_merge(m, &part);
        }
    }
    CHECK(a.n == 1000 && memcmp(&a, &b, sizeof a) == 0);
    CHECK_REL(a.mean, all.mean, 1e-14);
    CHECK_REL(a.m2, all.m2, 1e-10);
    hp_count c = {10, 0};
    hp_est p = hp_count_prob(&c);
    CHECK(p.value == 0 && p.se == 0 && p.lo <= 1e-15 && p.hi > 0.2 && p.hi < 0.35);  /* Wilson: 0.278 */
    /* The interval holds p, rounding or not (at k = n, centre + half came
     * out a hair below 1). */
    int holds = 1;
    for (uint64_t n = 1; n <= 2000; n++) {
        uint64_t ks[4] = {0, 1, n - 1, n};
        for (int j = 0; j < 4; j++) {
            hp_count cn = {n, ks[j]};
            hp_est e = hp_count_prob(&cn);
            holds &= e.lo <= e.value && e.value <= e.hi;
        }
    }
    CHECK(holds);
}

/* Coverage and standard errors on N(0, 1). */
static void test_coverage(void)
{
    const double probs[3] = {0.05, 0.5, 0.95};
    const double truth_q[3] = {-1.6448536269514722, 0.0, 1.6448536269514722};
    const double alpha = 0.05;
    /* E[X | X < q_alpha] = -phi(q_alpha) / alpha; CVaR is its negative. */
    const double truth_cvar = exp(-0.5 * 1.6448536269514722 * 1.6448536269514722) /
                              sqrt(2 * M_PI) / alpha;
    int cover_q[3] = {0}, cover_mean = 0, cover_cvar = 0, cover_p = 0;
    hp_moments means = {0}, se2 = {0}, cvars = {0}, cvar_se2 = {0};
    double *x = malloc(N * sizeof *x);
    for (int rep = 0; rep < REPS; rep++) {
        hp_pcg64 r;
        hp_rng_stream(&r, 20260101, (uint64_t)rep, 3);
        for (int i = 0; i < N; i++)
            x[i] = hp_normal(&r);
        hp_sample_stats st;
        hp_sample_stats_of(x, N, probs, 3, alpha, &st);
        for (int q = 0; q < 3; q++)
            cover_q[q] += st.q[q].lo <= truth_q[q] && truth_q[q] <= st.q[q].hi;
        cover_mean += st.mean.lo <= 0 && 0 <= st.mean.hi;
        cover_cvar += st.cvar.lo <= truth_cvar && truth_cvar <= st.cvar.hi;
        cover_p += st.p_neg.lo <= 0.5 && 0.5 <= st.p_neg.hi;
        hp_moments_add(&means, st.mean.value);
        hp_moments_add(&se2, st.mean.se * st.mean.se);
        hp_moments_add(&cvars, st.cvar.value);
        hp_moments_add(&cvar_se2, st.cvar.se * st.cvar.se);
    }
    free(x);
    for (int q = 0; q < 3; q++)
        CHECK_MSG(cover_q[q] >= 0.93 * REPS && cover_q[q] <= 0.97 * REPS,
                  "quantile %g: interval covered in %d of %d", probs[q], cover_q[q], REPS);
    CHECK_MSG(cover_mean >= 0.93 * REPS && cover_mean <= 0.97 * REPS, "mean covered %d", cover_mean);
    CHECK_MSG(cover_cvar >= 0.93 * REPS && cover_cvar <= 0.97 * REPS, "cvar covered %d", cover_cvar);
    CHECK_MSG(cover_p >= 0.93 * REPS && cover_p <= 0.97 * REPS, "P covered %d", cover_p);
    /* The mean's se against the known variance (1/n), and against the
     * spread of the means; the CVaR's se against the spread of CVaRs. */
    CHECK_REL(sqrt(se2.mean), 1 / sqrt(N), 0.01);
    CHECK_REL(hp_moments_sd(&means), 1 / sqrt(N), 0.14);
    CHECK_REL(hp_moments_sd(&cvars), sqrt(cvar_se2.mean), 0.14);
    printf("coverage of 95%% intervals in %d replications of n = %d: q05 %d, q50 %d, q95 %d, "
           "mean %d, cvar %d, P %d\n", REPS, N, cover_q[0], cover_q[1], cover_q[2], cover_mean,
           cover_cvar, cover_p);
}

/* Student's t_{0.975, df} against scipy.stats.t.ppf(0.975, df) (df 1:
 * tan(0.475 pi), which scipy gives to 3e-10), within
 * the documented error of the expansion (sim/stats.h). */
static void test_t975(void)
{
    static const struct { uint64_t df; double t, tol; } ref[] = {
        { 1, 12.706204736174698, 1e-12 }, { 2, 4.302652729749464, 1e-12 },
        { 3, 3.182446305284263, 4e-3 },   { 7, 2.3646242510102993, 5e-5 },
        { 15, 2.131449545559323, 2e-6 },  { 63, 1.9983405417721956, 1e-7 },
        { 1000, 1.9623390808264078, 1e-9 },
    };
    for (size_t i = 0; i < sizeof ref / sizeof ref[0]; i++)
        CHECK(fabs(hp_t975(ref[i].df) - ref[i].t) <= ref[i].tol);
    CHECK(isnan(hp_t975(0)));
    for (uint64_t df = 1; df < 200; df++)   /* decreasing towards 1.96 */
        CHECK(hp_t975(df + 1) < hp_t975(df) && hp_t975(df + 1) > HP_Z95);
}

int main(void)
{
    test_t975();
    test_binomial();
    test_tail();
    test_merge();
    test_coverage();
    return CHECK_DONE();
}
