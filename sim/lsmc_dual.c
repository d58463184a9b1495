/* lsmc_dual: the Andersen-Broadie upper bound of a one-right policy, by
 * nested simulation (see lsmc.h). */
#include "lsmc.h"

#include <math.h>
#include <omp.h>
#include <stdlib.h>
#include <string.h>

/* One path's decision-date data. */
typedef struct path_buf {
    double *state, *feature, *control;
    int8_t *regime;
} path_buf;

/* Bytes of one path's data (16-byte multiple). */
static size_t path_buf_bytes(const hp_stopping *pb, const hp_policy *pol)
{
    size_t M = (size_t)pb->n_dates;
    return (M * ((size_t)pb->n_state + 2 * (size_t)pol->n_features) * sizeof(double) + M + 15) &
           ~(size_t)15;
}

/* A path's arrays, laid out from base. */
static path_buf path_buf_at(const hp_stopping *pb, const hp_policy *pol, char *base)
{
    size_t M = (size_t)pb->n_dates, F = (size_t)pol->n_features;
    path_buf b;
    b.state = (double *)base;
    b.feature = b.state + M * (size_t)pb->n_state;
    b.control = b.feature + M * F;
    b.regime = (int8_t *)(b.control + M * F);
    return b;
}

/* The payoff known on date t: the payoff, less its control if any. */
static double adapted(const hp_stopping *pb, const hp_policy *pol, const path_buf *b, int t)
{
    const size_t F = (size_t)pol->n_features;
    double h = hp_policy_payoff(pol, 1, b->feature + t * F);
    if (!pb->payoff_known)
        h -= hp_policy_payoff(pol, 1, b->control + t * F);
    return h;
}

static int exercises(const hp_policy *pol, const path_buf *b, int t)
{
    return b->regime[t] >= 0 &&
           hp_policy_margin(pol, t, 1, b->regime[t], b->state + (size_t)t * pol->n_state,
                            b->feature + (size_t)t * pol->n_features) > 0;
}

/* A stream seed for the inner paths of outer path p at date t: splitmix64
 * of (seed, p, t), so inner paths differ between outer paths and dates. */
static uint64_t inner_seed(uint64_t seed, uint64_t p, int t)
{
    uint64_t z = seed ^ (p * 0x9E3779B97F4A7C15ULL) ^ ((uint64_t)(t + 1) * 0xD1B54A32D192ED03ULL);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
    return z ^ (z >> 31);
}

/* C_t: the mean payoff the policy collects after date t, from outer state. */
static double continuation(const hp_stopping *pb, const hp_policy *pol, uint64_t seed,
                           uint64_t p, int t, const double *state_t, uint64_t n_inner,
                           path_buf *in, void *scratch)
{
    if (t == pb->n_dates - 1)
        return 0;
    uint64_t s = inner_seed(seed, p, t);
    double sum = 0;
    for (uint64_t i = 0; i < n_inner; i++) {
        pb->simulate_from(pb->ctx, s, i, t, state_t, in->state, in->feature, in->regime,
                          pb->has_control ? in->control : NULL, scratch);
        for (int u = t + 1; u < pb->n_dates; u++)
            if (exercises(pol, in, u)) {
                sum += adapted(pb, pol, in, u);
                break;
            }
    }
    return sum / (double)n_inner;
}

int hp_lsmc_dual_bound(const hp_stopping *pb, const hp_policy *pol, uint64_t seed,
                       uint64_t n_outer, uint64_t n_inner, int threads_opt, hp_lsmc_dual *out,
                       hp_err *err)
{
    if (pol->n_rights != 1 || pb->n_rights != 1 || pb->simulate_from == NULL)
        return hp_fail(err, NULL, 0, NULL, "lsmc: the dual bound needs a one-right problem "
                       "that can restart from a state");
    if (!pb->payoff_known && !pb->has_control)
        return hp_fail(err, NULL, 0, NULL, "lsmc: the dual bound needs payoffs known on their "
                       "date, or controls that make them so");
    if (n_outer == 0 || n_inner == 0)
        return hp_fail(err, NULL, 0, NULL, "lsmc: the dual bound needs outer and inner paths");
    const int threads = threads_opt > 0 ? threads_opt : omp_get_max_threads();
    const int M = pb->n_dates;
    size_t pbytes = path_buf_bytes(pb, pol);
    size_t sims = (2 * pbytes + 3 * (size_t)M * sizeof(double) + 15) & ~(size_t)15;
    size_t per_thread = sims + pb->scratch_bytes + 16;
    char **ws = calloc((size_t)threads, sizeof(char *));
    double *gap = malloc(n_outer * sizeof(double)), *low = malloc(n_outer * sizeof(double));
    int rc = ws != NULL && gap != NULL && low != NULL ? 0 : -1;
    for (int i = 0; rc == 0 && i < threads; i++)
        if ((ws[i] = malloc(per_thread)) == NULL)
            rc = -1;
    if (rc != 0) {
        hp_fail(err, NULL, 0, NULL, "lsmc: out of memory for the dual bound");
        goto done;
    }

    #pragma omp parallel for schedule(dynamic) num_threads(threads)
    for (uint64_t p = 0; p < n_outer; p++) {
        char *w = ws[omp_get_thread_num()];
        path_buf outer = path_buf_at(pb, pol, w), inner = path_buf_at(pb, pol, w + pbytes);
        double *h = (double *)(w + 2 * pbytes), *C = h + M, *L = C + M;
        void *scratch = w + sims;
        pb->simulate(pb->ctx, seed, p, outer.state, outer.feature, outer.regime,
                     pb->has_control ? outer.control : NULL, scratch);
        for (int t = 0; t < M; t++) {
            const double *st = outer.state + (size_t)t * pb->n_state;
            h[t] = outer.regime[t] >= 0 ? adapted(pb, pol, &outer, t) : 0;
            C[t] = continuation(pb, pol, seed, p, t, st, n_inner, &inner, scratch);
            L[t] = exercises(pol, &outer, t) ? h[t] : C[t];
        }
        double pi = L[0], best = outer.regime[0] >= 0 ? h[0] - pi : -INFINITY;
        for (int t = 1; t < M; t++) {
            pi += L[t] - C[t - 1];
            if (outer.regime[t] >= 0 && h[t] - pi > best)
                best = h[t] - pi;
        }
        pi -= C[M - 1];                    /* after the last date: the right lapses */
        if (-pi > best)
            best = -pi;
        gap[p] = best;
        low[p] = L[0];
    }
    out->gap = hp_estimate_of(gap, n_outer);
    out->lower = hp_estimate_of(low, n_outer);
done:
    for (int i = 0; ws != NULL && i < threads; i++)
        free(ws[i]);
    free(ws);
    free(gap);
    free(low);
    return rc;
}
