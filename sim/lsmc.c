/* lsmc: backward induction by regression, and the forward evaluation of
 * the fitted policy (see lsmc.h). */
#include "lsmc.h"

#include <math.h>
#include <omp.h>
#include <stdlib.h>
#include <string.h>

#include "stats.h"

/* Blocks handled per parallel round: bounds the accumulators in flight.
 * Any value gives the same result (blocks are merged in index order). */
#define ROUND_BLOCKS 64

static uint64_t n_blocks(uint64_t n) { return (n + HP_LSMC_BLOCK - 1) / HP_LSMC_BLOCK; }

static uint64_t block_end(uint64_t b, uint64_t n)
{
    uint64_t e = (b + 1) * HP_LSMC_BLOCK;
    return e < n ? e : n;
}

static int n_threads(int t) { return t > 0 ? t : omp_get_max_threads(); }

/* Running moments (sim/stats.h) are merged block by block in index order. */
static hp_estimate estimate_from(const hp_moments *m)
{
    hp_estimate e = {0};
    e.n = m->n;
    e.mean = m->mean;
    e.sd = hp_moments_sd(m);
    e.se = m->n > 0 ? e.sd / sqrt((double)m->n) : 0;
    return e;
}

hp_estimate hp_estimate_of(const double *values, uint64_t n)
{
    hp_moments total = {0};
    for (uint64_t b = 0; b < n_blocks(n); b++) {
        hp_moments m = {0};
        for (uint64_t p = b * HP_LSMC_BLOCK; p < block_end(b, n); p++)
            hp_moments_add(&m, values[p]);
        hp_moments_merge(&total, &m);
    }
    return estimate_from(&total);
}

/* ---- policy ---- */

static size_t tg(const hp_policy *pol, int t, int g) { return (size_t)t * pol->n_regimes + g; }

static double *policy_beta(const hp_policy *pol, int t, int g, int r)
{
    return pol->beta + ((tg(pol, t, g) * pol->n_rights + (size_t)(r - 1)) * pol->basis.k);
}

/* Standardized state z = (x - mean) / sd of date t, regime g. */
static void standardize(const hp_policy *pol, int t, int g, const double *x, double *z)
{
    const double *mu = pol->mean + tg(pol, t, g) * pol->n_state;
    const double *is = pol->inv_sd + tg(pol, t, g) * pol->n_state;
    const double *lo = pol->lo + tg(pol, t, g) * pol->n_state;
    const double *hi = pol->hi + tg(pol, t, g) * pol->n_state;
    for (int j = 0; j < pol->n_state; j++) {
        double v = x[j] < lo[j] ? lo[j] : x[j] > hi[j] ? hi[j] : x[j];
        z[j] = (v - mu[j]) * is[j];
    }
}

static double dot(const double *a, const double *b, int k)
{
    double s = 0;
    for (int i = 0; i < k; i++)
        s += a[i] * b[i];
    return s;
}

double hp_policy_payoff(const hp_policy *pol, int r, const double *feature)
{
    return dot(pol->weights + (size_t)(r - 1) * pol->n_features, feature, pol->n_features);
}

double hp_policy_margin(const hp_policy *pol, int t, int r, int g,
                        const double *state, const double *feature)
{
    double z[HP_BASIS_MAX_VARS], x[HP_LSMC_MAX_BASIS];
    standardize(pol, t, g, state, z);
    hp_basis_eval(&pol->basis, z, x);
    double f = dot(policy_beta(pol, t, g, r), x, pol->basis.k);
    return (pol->payoff_known ? hp_policy_payoff(pol, r, feature) : 0) + f;
}

int hp_policy_decide(const hp_policy *pol, int t, int r, int g, const double *state,
                     const double *feature)
{
    int m = 0;
    while (m < pol->max_per_date && r - m > 0 &&
           hp_policy_margin(pol, t, r - m, g, state, feature) > 0)
        m++;
    return m;
}

double hp_policy_boundary(const hp_policy *pol, int t, int r, int g, int j, int n,
                          int *found)
{
    double x[HP_BASIS_MAX_VARS];
    if (pol->payoff_known) {
        *found = -1;
        return NAN;
    }
    size_t i0 = tg(pol, t, g) * pol->n_state;
    for (int v = 0; v < pol->n_state; v++)
        x[v] = pol->mean[i0 + v];
    double lo = pol->lo[i0 + j], hi = pol->hi[i0 + j];
    double prev = lo;
    *found = 0;
    for (int i = 0; i <= n; i++) {
        x[j] = lo + (hi - lo) * i / (n > 0 ? n : 1);
        if (hp_policy_margin(pol, t, r, g, x, NULL) > 0) {
            if (i == 0) {
                *found = 2;
                return lo;
            }
            /* The crossing lies in (prev, x[j]]: bisect it. */
            double a = prev, b = x[j];
            for (int k = 0; k < 60 && b - a > 1e-12 * (fabs(a) + fabs(b)); k++) {
                x[j] = 0.5 * (a + b);
                if (hp_policy_margin(pol, t, r, g, x, NULL) > 0)
                    b = x[j];
                else
                    a = x[j];
            }
            *found = 1;
            return b;
        }
        prev = x[j];
    }
    return hi;
}

void hp_policy_free(hp_policy *pol)
{
    hp_basis_free(&pol->basis);
    free(pol->mean);
    free(pol->inv_sd);
    free(pol->lo);
    free(pol->hi);
    free(pol->beta);
    free(pol->fit);
    free(pol->weights);
    memset(pol, 0, sizeof *pol);
}

static int policy_alloc(hp_policy *pol, const hp_stopping *pb, int degree)
{
    memset(pol, 0, sizeof *pol);
    pol->n_dates = pb->n_dates;
    pol->n_rights = pb->n_rights;
    pol->n_state = pb->n_state;
    pol->n_regimes = pb->n_regimes;
    pol->payoff_known = pb->payoff_known;
    pol->max_per_date = pb->max_per_date > 0 ? pb->max_per_date : 1;
    pol->n_features = pb->n_features > 0 ? pb->n_features : 1;
    size_t nw = (size_t)pb->n_rights * pol->n_features;
    pol->weights = malloc(nw * sizeof(double));
    if (pol->weights == NULL)
        return -1;
    for (size_t i = 0; i < nw; i++)
        pol->weights[i] = pb->weights != NULL ? pb->weights[i] : 1.0;
    if (hp_basis_init(&pol->basis, pb->n_state, degree) != 0)
        return -1;
    size_t ntg = (size_t)pb->n_dates * pb->n_regimes;
    pol->mean = calloc(ntg * pb->n_state, sizeof(double));
    pol->inv_sd = calloc(ntg * pb->n_state, sizeof(double));
    pol->lo = calloc(ntg * pb->n_state, sizeof(double));
    pol->hi = calloc(ntg * pb->n_state, sizeof(double));
    pol->beta = calloc(ntg * pb->n_rights * pol->basis.k, sizeof(double));
    pol->fit = calloc(ntg, sizeof(hp_lsq_fit));
    return pol->mean && pol->inv_sd && pol->lo && pol->hi && pol->beta && pol->fit ? 0 : -1;
}

/* ---- training ---- */

/* Decision-date data of every training path, path-major. */
typedef struct train_set {
    uint64_t n;
    int M, s, R, G, F;
    double *state;     /* [n][M][s]  */
    double *feature;   /* [n][M][F]  */
    int8_t *regime;    /* [n][M]     */
    double *Y;         /* [n][R + 1] */
} train_set;

static void train_set_free(train_set *ts)
{
    free(ts->state);
    free(ts->feature);
    free(ts->regime);
    free(ts->Y);
}

static void **scratch_alloc(int threads, size_t bytes)
{
    void **s = calloc((size_t)threads, sizeof(void *));
    for (int i = 0; s != NULL && i < threads; i++)
        if ((s[i] = malloc(bytes > 0 ? bytes : 1)) == NULL)
            return s;
    return s;
}

static void scratch_free(void **s, int threads)
{
    for (int i = 0; s != NULL && i < threads; i++)
        free(s[i]);
    free(s);
}

/* Date t's means, standard deviations and ranges of the state, per
 * regime, over the paths in that regime. Moments are merged block by block
 * in order; a range does not depend on the order. */
static void fit_scaling(const train_set *ts, hp_policy *pol, int t)
{
    const int s = ts->s, G = ts->G;
    for (int j = 0; j < s; j++) {
        hp_moments tot[HP_LSMC_MAX_REGIMES] = {{0}};
        double lo[HP_LSMC_MAX_REGIMES], hi[HP_LSMC_MAX_REGIMES];
        for (int g = 0; g < G; g++) {
            lo[g] = INFINITY;
            hi[g] = -INFINITY;
        }
        for (uint64_t b = 0; b < n_blocks(ts->n); b++) {
            hp_moments blk[HP_LSMC_MAX_REGIMES] = {{0}};
            for (uint64_t p = b * HP_LSMC_BLOCK; p < block_end(b, ts->n); p++) {
                int g = ts->regime[p * ts->M + t];
                if (g < 0)
                    continue;
                double x = ts->state[(p * ts->M + t) * s + j];
                hp_moments_add(&blk[g], x);
                lo[g] = x < lo[g] ? x : lo[g];
                hi[g] = x > hi[g] ? x : hi[g];
            }
            for (int g = 0; g < G; g++)
                hp_moments_merge(&tot[g], &blk[g]);
        }
        for (int g = 0; g < G; g++) {
            size_t i = tg(pol, t, g) * s + j;
            double sd = tot[g].n > 1 ? sqrt(tot[g].m2 / (double)tot[g].n) : 0;
            pol->lo[i] = tot[g].n > 0 ? lo[g] : 0;
            pol->hi[i] = tot[g].n > 0 ? hi[g] : 0;
            pol->mean[i] = tot[g].mean;
            /* A variable that barely moves is treated as constant (z = 0). */
            pol->inv_sd[i] = sd > 1e-12 * fabs(tot[g].mean) && sd > 0 ? 1 / sd : 0;
        }
    }
}

/* Adds path p's observations at date t to the accumulators of its regime. */
static void accumulate_path(const train_set *ts, const hp_policy *pol, int t, uint64_t p,
                            hp_normal_eq *acc, double *x, double *y)
{
    int g = ts->regime[p * ts->M + t];
    if (g < 0)
        return;
    double z[HP_BASIS_MAX_VARS];
    standardize(pol, t, g, ts->state + (p * ts->M + t) * ts->s, z);
    hp_basis_eval(&pol->basis, z, x);
    const double *Y = ts->Y + p * (ts->R + 1);
    const double *feat = ts->feature + (p * ts->M + t) * ts->F;
    for (int r = 1; r <= ts->R; r++)
        y[r - 1] = (pol->payoff_known ? 0 : hp_policy_payoff(pol, r, feat)) -
                   (Y[r] - Y[r - 1]);
    hp_normal_eq_add(&acc[g], x, y, 1.0);
}

/* The regressions of date t: normal equations per block, merged in block
 * order, then solved per regime. */
static int fit_date(const train_set *ts, hp_policy *pol, int t, int threads,
                    double min_obs, hp_normal_eq *total, hp_normal_eq *acc)
{
    const int G = ts->G, k = pol->basis.k, R = ts->R;
    const uint64_t nb = n_blocks(ts->n);
    for (int g = 0; g < G; g++)
        hp_normal_eq_zero(&total[g]);
    for (uint64_t b0 = 0; b0 < nb; b0 += ROUND_BLOCKS) {
        uint64_t b1 = b0 + ROUND_BLOCKS < nb ? b0 + ROUND_BLOCKS : nb;
        #pragma omp parallel for schedule(dynamic) num_threads(threads)
        for (uint64_t b = b0; b < b1; b++) {
            /* Accumulate into local copies: the structs of neighbouring
             * blocks share cache lines (their n is written per path). */
            hp_normal_eq a[HP_LSMC_MAX_REGIMES];
            double x[HP_LSMC_MAX_BASIS], y[HP_LSMC_MAX_RIGHTS];
            memcpy(a, &acc[(b - b0) * G], (size_t)G * sizeof *a);
            for (int g = 0; g < G; g++)
                hp_normal_eq_zero(&a[g]);
            for (uint64_t p = b * HP_LSMC_BLOCK; p < block_end(b, ts->n); p++)
                accumulate_path(ts, pol, t, p, a, x, y);
            memcpy(&acc[(b - b0) * G], a, (size_t)G * sizeof *a);
        }
        for (uint64_t b = b0; b < b1; b++)
            for (int g = 0; g < G; g++)
                hp_normal_eq_merge(&total[g], &acc[(b - b0) * G + g]);
    }
    for (int g = 0; g < G; g++) {
        hp_lsq_fit *fit = &pol->fit[tg(pol, t, g)];
        double *beta = policy_beta(pol, t, g, 1);     /* all R rights, contiguous */
        if (total[g].n >= min_obs * k) {
            if (hp_lsq_solve(&total[g], beta, fit) != 0)
                return -1;
        } else {
            /* Too few paths for the basis: the mean (He_0 = 1 is first). */
            memset(fit, 0, sizeof *fit);
            fit->n = total[g].n;
            memset(beta, 0, (size_t)R * k * sizeof(double));
            if (total[g].n > 0) {
                fit->rank = 1;
                fit->cond = 1;
                for (int r = 0; r < R; r++)
                    beta[(size_t)r * k] = total[g].xty[(size_t)r * k] / total[g].n;
            }
        }
    }
    return 0;
}

/* Each path takes date t's decisions with the new fit; Y[r] becomes the
 * realized value from t on: m exercises today, then Y[r-m]. r runs
 * downward so that Y[r-m] is still the value from t+1 when Y[r] is set. */
static void update_values(const train_set *ts, const hp_policy *pol, int t, int threads)
{
    #pragma omp parallel for schedule(static) num_threads(threads)
    for (uint64_t p = 0; p < ts->n; p++) {
        int g = ts->regime[p * ts->M + t];
        if (g < 0)
            continue;
        double z[HP_BASIS_MAX_VARS], x[HP_LSMC_MAX_BASIS];
        standardize(pol, t, g, ts->state + (p * ts->M + t) * ts->s, z);
        hp_basis_eval(&pol->basis, z, x);
        const double *feat = ts->feature + (p * ts->M + t) * ts->F;
        double *Y = ts->Y + p * (ts->R + 1);
        /* pay[r]: right r's payoff; pos[r]: its margin is positive. A run
         * of positive margins from r down is used. */
        double pay[HP_LSMC_MAX_RIGHTS + 1];
        uint8_t pos[HP_LSMC_MAX_RIGHTS + 1];
        for (int r = 1; r <= ts->R; r++) {
            pay[r] = hp_policy_payoff(pol, r, feat);
            pos[r] = (pol->payoff_known ? pay[r] : 0) +
                     dot(policy_beta(pol, t, g, r), x, pol->basis.k) > 0;
        }
        for (int r = ts->R; r >= 1; r--) {
            double sum = 0;
            int m = 0;
            while (m < pol->max_per_date && r - m > 0 && pos[r - m])
                sum += pay[r - m++];
            if (m > 0)
                Y[r] = sum + Y[r - m];
        }
    }
}

static int check_problem(const hp_stopping *pb, int degree, hp_err *err)
{
    if (pb->n_dates < 1 || pb->n_rights < 1 || pb->n_rights > HP_LSMC_MAX_RIGHTS ||
        pb->max_per_date < 0 || pb->n_features < 0 || pb->n_features > HP_LSMC_MAX_FEATURES ||
        pb->n_state < 1 || pb->n_state > HP_BASIS_MAX_VARS ||
        pb->n_regimes < 1 || pb->n_regimes > HP_LSMC_MAX_REGIMES)
        return hp_fail(err, NULL, 0, NULL, "lsmc: problem out of range (dates %d; rights %d, "
                       "at most %d; state variables %d, at most %d; regimes %d, at most %d; "
                       "payoff features %d, at most %d)",
                       pb->n_dates, pb->n_rights, HP_LSMC_MAX_RIGHTS, pb->n_state,
                       HP_BASIS_MAX_VARS, pb->n_regimes, HP_LSMC_MAX_REGIMES, pb->n_features,
                       HP_LSMC_MAX_FEATURES);
    hp_basis b;
    int bad = hp_basis_init(&b, pb->n_state, degree) != 0 || b.k > HP_LSMC_MAX_BASIS;
    hp_basis_free(&b);
    if (bad)
        return hp_fail(err, NULL, 0, NULL, "lsmc: a basis of degree %d in %d variables is "
                       "out of range (degree at most %d, at most %d functions)", degree,
                       pb->n_state, HP_BASIS_MAX_DEGREE, HP_LSMC_MAX_BASIS);
    return 0;
}

int hp_lsmc_train(const hp_stopping *pb, uint64_t seed, uint64_t n_paths,
                  const hp_lsmc_opts *o, hp_policy *pol, hp_err *err)
{
    if (check_problem(pb, o->degree, err) != 0)
        return -1;
    const int threads = n_threads(o->threads);
    const int M = pb->n_dates, s = pb->n_state, R = pb->n_rights, G = pb->n_regimes;
    const int F = pb->n_features > 0 ? pb->n_features : 1;
    const double min_obs = o->min_obs_per_basis > 0 ? o->min_obs_per_basis : 4;
    train_set ts = {.n = n_paths, .M = M, .s = s, .R = R, .G = G, .F = F};
    ts.state = malloc(n_paths * M * s * sizeof(double));
    ts.feature = malloc(n_paths * M * F * sizeof(double));
    ts.regime = malloc(n_paths * M);
    ts.Y = calloc(n_paths * (R + 1), sizeof(double));
    void **scratch = scratch_alloc(threads, pb->scratch_bytes);
    hp_normal_eq *total = calloc((size_t)G, sizeof *total);
    hp_normal_eq *acc = calloc((size_t)ROUND_BLOCKS * G, sizeof *acc);
    int rc = policy_alloc(pol, pb, o->degree);
    if (rc == 0 && (ts.state == NULL || ts.feature == NULL || ts.regime == NULL ||
                    ts.Y == NULL || scratch == NULL || scratch[threads - 1] == NULL ||
                    total == NULL || acc == NULL))
        rc = -1;
    for (int i = 0; rc == 0 && i < G; i++)
        rc = hp_normal_eq_init(&total[i], pol->basis.k, R);
    for (int i = 0; rc == 0 && i < ROUND_BLOCKS * G; i++)
        rc = hp_normal_eq_init(&acc[i], pol->basis.k, R);
    if (rc != 0) {
        hp_fail(err, NULL, 0, NULL, "lsmc: out of memory for %llu training paths "
                "(%.3g GB of decision-date data)", (unsigned long long)n_paths,
                (double)n_paths * M * (s + F + 0.125) * 8 / 1e9);
        goto done;
    }
    pol->n_train = n_paths;

    #pragma omp parallel for schedule(dynamic) num_threads(threads)
    for (uint64_t b = 0; b < n_blocks(n_paths); b++)
        for (uint64_t p = b * HP_LSMC_BLOCK; p < block_end(b, n_paths); p++)
            pb->simulate(pb->ctx, seed, p, ts.state + p * M * s, ts.feature + p * M * F,
                         ts.regime + p * M, NULL, scratch[omp_get_thread_num()]);

    for (int t = M - 1; t >= 0 && rc == 0; t--) {
        fit_scaling(&ts, pol, t);
        rc = fit_date(&ts, pol, t, threads, min_obs, total, acc);
        if (rc == 0)
            update_values(&ts, pol, t, threads);
    }
    if (rc != 0) {
        hp_fail(err, NULL, 0, NULL, "lsmc: out of memory in a regression");
        goto done;
    }
    hp_moments in = {0};
    for (uint64_t b = 0; b < n_blocks(n_paths); b++) {
        hp_moments m = {0};
        for (uint64_t p = b * HP_LSMC_BLOCK; p < block_end(b, n_paths); p++)
            hp_moments_add(&m, ts.Y[p * (R + 1) + R]);
        hp_moments_merge(&in, &m);
    }
    pol->in_sample = in.mean;
done:
    for (int i = 0; total != NULL && i < G; i++)
        hp_normal_eq_free(&total[i]);
    for (int i = 0; acc != NULL && i < ROUND_BLOCKS * G; i++)
        hp_normal_eq_free(&acc[i]);
    free(total);
    free(acc);
    scratch_free(scratch, threads);
    train_set_free(&ts);
    if (rc != 0)
        hp_policy_free(pol);
    return rc;
}

/* ---- evaluation ---- */

/* One path under the policy: its realized value, the same less the
 * controls of the payoffs collected (*v_cv; control may be NULL), and the
 * rights used. */
static double follow(const hp_policy *pol, const double *state, const double *feature,
                     const int8_t *regime, const double *control, double *v_cv, int *used)
{
    const int F = pol->n_features;
    int r = pol->n_rights;
    double v = 0, c = 0;
    for (int t = 0; t < pol->n_dates && r > 0; t++) {
        if (regime[t] < 0)
            continue;
        const double *feat = feature + (size_t)t * F;
        int m = hp_policy_decide(pol, t, r, regime[t], state + (size_t)t * pol->n_state, feat);
        for (int i = 0; i < m; i++, r--) {
            v += hp_policy_payoff(pol, r, feat);
            if (control != NULL)
                c += hp_policy_payoff(pol, r, control + (size_t)t * F);
        }
    }
    *used = pol->n_rights - r;
    *v_cv = v - c;
    return v;
}

int hp_lsmc_evaluate(const hp_stopping *pb, const hp_policy *pol, uint64_t seed,
                     uint64_t first, uint64_t n_paths, int threads_opt, hp_lsmc_eval *ev,
                     double *values, int *exercises, hp_err *err)
{
    if (pb->n_dates != pol->n_dates || pb->n_rights != pol->n_rights ||
        pb->n_state != pol->n_state || pb->n_regimes != pol->n_regimes ||
        (pb->n_features > 0 ? pb->n_features : 1) != pol->n_features)
        return hp_fail(err, NULL, 0, NULL, "lsmc: the policy was trained on another problem");
    const int threads = n_threads(threads_opt);
    const int M = pb->n_dates, s = pb->n_state, F = pol->n_features;
    size_t per_path = (size_t)M * (s + 2 * F) * sizeof(double) + (size_t)M;
    void **scratch = scratch_alloc(threads, pb->scratch_bytes + per_path + 16);
    hp_moments *blk = calloc(3 * ROUND_BLOCKS, sizeof(hp_moments));
    if (scratch == NULL || scratch[threads - 1] == NULL || blk == NULL) {
        scratch_free(scratch, threads);
        free(blk);
        return hp_fail(err, NULL, 0, NULL, "lsmc: out of memory");
    }
    hp_moments total[3] = {{0}};
    const uint64_t nb = n_blocks(n_paths);
    for (uint64_t b0 = 0; b0 < nb; b0 += ROUND_BLOCKS) {
        uint64_t b1 = b0 + ROUND_BLOCKS < nb ? b0 + ROUND_BLOCKS : nb;
        #pragma omp parallel for schedule(dynamic) num_threads(threads)
        for (uint64_t b = b0; b < b1; b++) {
            char *ws = scratch[omp_get_thread_num()];
            double *state = (double *)ws, *feature = state + (size_t)M * s;
            double *control = pb->has_control ? feature + (size_t)M * F : NULL;
            int8_t *regime = (int8_t *)(feature + (size_t)2 * M * F);
            void *sim_ws = (char *)ws + ((per_path + 15) & ~(size_t)15);
            hp_moments m[3] = {{0}};
            for (uint64_t i = b * HP_LSMC_BLOCK; i < block_end(b, n_paths); i++) {
                int used;
                double v_cv;
                pb->simulate(pb->ctx, seed, first + i, state, feature, regime, control, sim_ws);
                double v = follow(pol, state, feature, regime, control, &v_cv, &used);
                hp_moments_add(&m[0], v);
                hp_moments_add(&m[1], v_cv);
                hp_moments_add(&m[2], v - v_cv);
                if (values != NULL)
                    values[i] = v;
                if (exercises != NULL)
                    exercises[i] = used;
            }
            memcpy(&blk[3 * (b - b0)], m, sizeof m);
        }
        for (uint64_t b = b0; b < b1; b++)
            for (int i = 0; i < 3; i++)
                hp_moments_merge(&total[i], &blk[3 * (b - b0) + i]);
    }
    ev->value = estimate_from(&total[0]);
    ev->controlled = estimate_from(&total[1]);
    ev->control = estimate_from(&total[2]);
    scratch_free(scratch, threads);
    free(blk);
    return 0;
}
