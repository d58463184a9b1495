/* Longstaff & Schwartz (2001), Table 1, first row: an American put with
 * S = 36, K = 40, r = 0.06, sigma = 0.2, T = 1, exercisable on 50 dates a
 * year. Finite-difference value 4.478 (a binomial tree exercising on the
 * same 50 dates gives 4.4778); the European put is 3.844.
 *
 * The engine's regression code (sim/lsmc) fits the exercise boundary on
 * 100,000 training paths (stream seed TRAIN_SEED), then follows it on
 * 100,000 fresh paths (EVAL_SEED): a low-biased estimate with a standard
 * error. Checks:
 *   - the estimate is within 2 standard errors of 4.478;
 *   - it is above the European value by more than 20 standard errors;
 *   - every fit is well conditioned (Hermite basis of the standardized
 *     price);
 *   - policy and estimate are identical bit for bit at 1 and 2 threads.
 * Like the paper, only in-the-money paths enter the regressions. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <omp.h>

#include "check.h"
#include "dist.h"
#include "lsmc.h"
#include "rng.h"

#define TRAIN_SEED 20010101ULL
#define EVAL_SEED 20010102ULL
#define N_TRAIN 100000
#define N_EVAL 100000
#define FD_VALUE 4.478
#define EUROPEAN 3.844

typedef struct put {
    double s0, strike, rate, sigma, years;
    int dates;
} put;

/* Exact GBM steps to each exercise date; payoff discounted to time 0. */
static void put_simulate(const void *ctx, uint64_t seed, uint64_t path, double *state,
                         double *payoff, int8_t *regime, double *control, void *scratch)
{
    const put *o = ctx;
    hp_pcg64 r;
    hp_rng_stream(&r, seed, path, 0);
    double dt = o->years / o->dates;
    double drift = (o->rate - 0.5 * o->sigma * o->sigma) * dt, vol = o->sigma * sqrt(dt);
    double x = log(o->s0);
    for (int t = 0; t < o->dates; t++) {
        x += drift + vol * hp_normal(&r);
        double s = exp(x), h = o->strike - s;
        state[t] = s;
        payoff[t] = h > 0 ? h * exp(-o->rate * (t + 1) * dt) : 0;
        regime[t] = h > 0 ? 0 : HP_LSMC_NO_EXERCISE;
    }
}

static hp_stopping put_problem(const put *o)
{
    return (hp_stopping){.n_dates = o->dates, .n_rights = 1, .n_state = 1, .n_regimes = 1,
                         .payoff_known = 1, .scratch_bytes = 0, .simulate = put_simulate,
                         .ctx = o};
}

/* Trains and evaluates at a thread count; returns wall seconds. */
static double run(const hp_stopping *pb, int threads, hp_policy *pol, hp_estimate *est)
{
    hp_lsmc_opts opts = {.degree = 4, .threads = threads};
    hp_err err = {0};
    hp_lsmc_eval ev;
    double t0 = omp_get_wtime();
    if (hp_lsmc_train(pb, TRAIN_SEED, N_TRAIN, &opts, pol, &err) != 0 ||
        hp_lsmc_evaluate(pb, pol, EVAL_SEED, 0, N_EVAL, threads, &ev, NULL, NULL, &err) != 0) {
        fprintf(stderr, "%s\n", err.msg);
        exit(1);
    }
    *est = ev.value;
    return omp_get_wtime() - t0;
}

/* Black-Scholes European put, as a check on the constant quoted above. */
static double bs_put(const put *o)
{
    double sd = o->sigma * sqrt(o->years);
    double d1 = (log(o->s0 / o->strike) + (o->rate + 0.5 * o->sigma * o->sigma) * o->years) / sd;
    double d2 = d1 - sd;
    return o->strike * exp(-o->rate * o->years) * 0.5 * erfc(d2 / sqrt(2)) -
           o->s0 * 0.5 * erfc(d1 / sqrt(2));
}

int main(void)
{
    put o = {.s0 = 36, .strike = 40, .rate = 0.06, .sigma = 0.2, .years = 1, .dates = 50};
    hp_stopping pb = put_problem(&o);
    CHECK_NEAR(bs_put(&o), EUROPEAN, 5e-4);

    hp_policy p1, p2;
    hp_estimate e1, e2;
    double s1 = run(&pb, 1, &p1, &e1);
    double s2 = run(&pb, 2, &p2, &e2);
    printf("American put S=36 K=40 r=0.06 sigma=0.2 T=1, 50 dates, degree-4 Hermite basis\n");
    printf("  training %d paths: in-sample %.4f\n", N_TRAIN, p1.in_sample);
    printf("  fresh %d paths:    %.4f +- %.4f (sd %.3f); finite difference %.3f, z = %+.2f\n",
           N_EVAL, e1.mean, e1.se, e1.sd, FD_VALUE, (e1.mean - FD_VALUE) / e1.se);
    printf("  European %.4f: the early-exercise premium is %.1f standard errors\n",
           bs_put(&o), (e1.mean - bs_put(&o)) / e1.se);
    double worst = 0;
    int fitted = 0;
    for (int t = 0; t < o.dates; t++) {
        worst = fmax(worst, p1.fit[t].cond);
        fitted += p1.fit[t].rank == p1.basis.k;
    }
    printf("  regressions at full rank: %d of %d, worst condition %.1f\n", fitted, o.dates, worst);
    printf("  train + evaluate: %.2f s at 1 thread, %.2f s at 2\n", s1, s2);

    CHECK_MSG(fabs(e1.mean - FD_VALUE) <= 2 * e1.se, "%.4f +- %.4f vs %.3f", e1.mean, e1.se,
              FD_VALUE);
    CHECK(e1.mean - EUROPEAN > 20 * e1.se);
    CHECK(e1.se > 0 && e1.se < 0.02);
    CHECK(fitted == o.dates);
    CHECK(worst < 1e3);

    /* Thread count changes nothing. */
    size_t nb = (size_t)o.dates * p1.basis.k;
    CHECK(memcmp(p1.beta, p2.beta, nb * sizeof(double)) == 0);
    CHECK(memcmp(&e1, &e2, sizeof e1) == 0);
    CHECK(p1.in_sample == p2.in_sample);
    hp_policy_free(&p1);
    hp_policy_free(&p2);
    return CHECK_DONE();
}
