/* Distribution tests of the price models, run on the price
 * module alone with fixed seeds.
 *
 * Every statistical check is |estimate - closed form| <= K_SIGMA standard
 * errors, K_SIGMA = 4 (a false alarm about once in 16,000 checks); the
 * standard error of each estimate is computed from the same sample (for a
 * variance, from the sample fourth moment), so the checks hold for any
 * parameters, and would catch a wrong drift, compensator or switch rate,
 * whose errors here are tens of standard errors.
 *   gbm, merton  terminal ln S mean and variance, E[S_T] = S_0 e^(mu T)
 *   regime       mean sojourn in each state = 1 / p_switch; per-state drift and
 *                variance; the stationary start probability
 *   garch        E[eps^2] = sigma_long^2 dt (unconditional variance), the
 *                decay of E[h_t] from sigma0, zero mean of eps
 *   bootstrap    mean return = source sample mean, or the re-centred target;
 *                every return is a source return; mean block length = L
 *   historical   replays the CSV exactly; errors when the run leaves the data
 * Bootstrap and historical read a synthetic CSV written to a temp dir. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "check.h"
#include "date.h"
#include "price.h"
#include "rng.h"
#include "scenario.h"
#include "testutil.h"

#define K_SIGMA 4.0
#define DT (1.0 / 365.25)
#define SEED 20240817u

static char dir[64];

/* Running moments of a sample (mean, variance, fourth central moment). */
typedef struct stats { double n, s1, s2, s3, s4; } stats;

static void add(stats *s, double x)
{
    s->n += 1;
    s->s1 += x;
    s->s2 += x * x;
    s->s3 += x * x * x;
    s->s4 += x * x * x * x;
}
static double mean(const stats *s) { return s->s1 / s->n; }
static double var(const stats *s)
{
    double m = mean(s);
    return (s->s2 / s->n - m * m) * s->n / (s->n - 1);
}
static double se_mean(const stats *s) { return sqrt(var(s) / s->n); }
/* SE of the sample variance: sqrt((m4 - m2^2) / n). */
static double se_var(const stats *s)
{
    double m = mean(s), n = s->n;
    double m2 = s->s2 / n - m * m;
    double m4 = s->s4 / n - 4 * m * s->s3 / n + 6 * m * m * s->s2 / n - 3 * m * m * m * m;
    return sqrt((m4 - m2 * m2) / n);
}

/* The generator of test path i: the engine's own stream map. The standard
 * errors below assume independent paths, which tests/test_rng.c checks for
 * that map (its first version, skip-ahead by i * 2^64, failed it). */
static void path_rng(hp_pcg64 *r, uint64_t seed, int i)
{
    hp_rng_stream(r, seed, (uint64_t)i, 0);
}

#define CHECK_SE(est, want, se, what) \
    CHECK_MSG(fabs((est) - (want)) <= K_SIGMA * (se), "%s: %.8g vs %.8g (%.2f SE, SE %.3g)", \
              what, (double)(est), (double)(want), ((est) - (want)) / (se), (double)(se))

/* A price model from `sets` over the defaults. */
static int make(hp_price *p, const char *const *sets, size_t n, int32_t start, long n_days,
                hp_history_set *hs, hp_err *err)
{
    hp_config *cfg = tu_config(sets, n);
    int rc = hp_price_init(p, cfg, DT, start, n_days, hs, err);
    hp_config_free(cfg);
    return rc;
}

/* Terminal ln(S_T/S_0) and S_T/S_0 over n_paths paths of `days` days. */
static void terminal(const hp_price *p, int n_paths, int days, stats *lx, stats *sx)
{
    for (int i = 0; i < n_paths; i++) {
        hp_pcg64 r;
        hp_price_path st;
        path_rng(&r, SEED, i);
        hp_price_path_init(p, &st, &r);
        for (int d = 0; d < days; d++)
            hp_price_step(p, &st, &r, NULL);
        add(lx, st.x - p->log_s0);
        add(sx, exp(st.x - p->log_s0));
    }
}

static void test_gbm(void)
{
    const double mu = 0.15, sigma = 0.55, T = 365 * DT;
    const char *sets[] = {"price.model=\"gbm\"", "price.mu=0.15", "price.sigma=0.55"};
    hp_price p;
    hp_err err = {0};
    CHECK(make(&p, sets, 3, 0, 365, NULL, &err) == 0);
    stats lx = {0}, sx = {0};
    terminal(&p, 20000, 365, &lx, &sx);
    CHECK_SE(mean(&lx), (mu - 0.5 * sigma * sigma) * T, se_mean(&lx), "gbm E[ln S_T/S_0]");
    CHECK_SE(var(&lx), sigma * sigma * T, se_var(&lx), "gbm Var[ln S_T]");
    CHECK_SE(mean(&sx), exp(mu * T), se_mean(&sx), "gbm E[S_T/S_0]");
    hp_price_free(&p);
}

static void test_merton(void)
{
    const double mu = 0.10, sigma = 0.40, lam = 8, jm = -0.05, js = 0.12;
    const int days = 365;
    const double T = days * DT, kappa = exp(jm + 0.5 * js * js) - 1;
    const char *sets[] = {"price.model=\"merton\"", "price.mu=0.10", "price.merton.sigma=0.40",
                          "price.merton.lambda=8.0", "price.merton.jump_mean=-0.05",
                          "price.merton.jump_sd=0.12"};
    hp_price p;
    hp_err err = {0};
    CHECK(make(&p, sets, 6, 0, days, NULL, &err) == 0);
    stats lx = {0}, sx = {0};
    terminal(&p, 20000, days, &lx, &sx);
    CHECK_SE(mean(&lx), (mu - 0.5 * sigma * sigma - lam * kappa) * T + lam * T * jm,
             se_mean(&lx), "merton E[ln S_T/S_0]");
    CHECK_SE(var(&lx), sigma * sigma * T + lam * T * (jm * jm + js * js), se_var(&lx),
             "merton Var[ln S_T]");
    CHECK_SE(mean(&sx), exp(mu * T), se_mean(&sx), "merton E[S_T/S_0] (compensated drift)");
    /* The jumps matter: without them the variance would be sigma^2 T. */
    CHECK(var(&lx) > sigma * sigma * T + K_SIGMA * se_var(&lx));
    hp_price_free(&p);
}

static void test_regime(void)
{
    const double mu[2] = {0.9, -0.7}, sg[2] = {0.6, 0.8}, yrs[2] = {0.1, 0.05};
    const char *sets[] = {"price.model=\"regime\"",
                          "price.regime.bull_mu=0.9", "price.regime.bull_sigma=0.6",
                          "price.regime.bull_years=0.1", "price.regime.bear_mu=-0.7",
                          "price.regime.bear_sigma=0.8", "price.regime.bear_years=0.05"};
    hp_price p;
    hp_err err = {0};
    CHECK(make(&p, sets, 7, 0, 3650, NULL, &err) == 0);
    stats soj[2] = {{0}}, ret[2] = {{0}}, start = {0};
    for (int i = 0; i < 300; i++) {
        hp_pcg64 r;
        hp_price_path st;
        path_rng(&r, SEED, i);
        hp_price_path_init(&p, &st, &r);
        int run = 0, first = 1;
        for (int d = 0; d < 3650; d++) {
            int k = st.regime;
            double x0 = st.x;
            hp_price_step(&p, &st, &r, NULL);
            add(&ret[k], st.x - x0);
            run++;
            if (st.regime != k) {
                if (!first)          /* the first sojourn is geometric too, kept out for clarity */
                    add(&soj[k], run);
                first = 0;
                run = 0;
            }
        }
    }
    for (int k = 0; k < 2; k++) {
        double ps = 1 - exp(-DT / yrs[k]);
        CHECK_SE(mean(&soj[k]), 1 / ps, se_mean(&soj[k]), k ? "bear mean sojourn (days)"
                                                             : "bull mean sojourn (days)");
        CHECK_SE(mean(&ret[k]), (mu[k] - 0.5 * sg[k] * sg[k]) * DT, se_mean(&ret[k]),
                 k ? "bear daily log drift" : "bull daily log drift");
        CHECK_SE(var(&ret[k]), sg[k] * sg[k] * DT, se_var(&ret[k]),
                 k ? "bear daily variance" : "bull daily variance");
    }
    /* Stationary start: P(bull) = bull_years / (bull_years + bear_years). */
    for (int i = 0; i < 20000; i++) {
        hp_pcg64 r;
        hp_price_path st;
        path_rng(&r, SEED + 1, i);
        hp_price_path_init(&p, &st, &r);
        add(&start, st.regime == 0);
    }
    double pb = yrs[0] / (yrs[0] + yrs[1]);
    CHECK_SE(mean(&start), pb, sqrt(pb * (1 - pb) / start.n), "stationary P(bull) at start");
    hp_price_free(&p);
}

static void test_garch(void)
{
    const double mu = 0.15, a = 0.10, b = 0.85, sl = 0.7, s0 = 0.3;
    const double hbar = sl * sl * DT;
    const char *sets[] = {"price.model=\"garch\"", "price.mu=0.15", "price.garch.alpha=0.10",
                          "price.garch.beta=0.85", "price.garch.sigma_long=0.7",
                          "price.garch.sigma0=0.0"};
    hp_price p;
    hp_err err = {0};
    CHECK(make(&p, sets, 6, 0, 730, NULL, &err) == 0);
    stats e2 = {0}, e1 = {0};
    for (int i = 0; i < 4000; i++) {
        hp_pcg64 r;
        hp_price_path st;
        path_rng(&r, SEED, i);
        hp_price_path_init(&p, &st, &r);
        double s2 = 0, s1 = 0;
        for (int d = 0; d < 730; d++) {
            double h = st.h, x0 = st.x;
            hp_price_step(&p, &st, &r, NULL);
            double eps = st.x - x0 - mu * DT + 0.5 * h;
            s2 += eps * eps;
            s1 += eps;
        }
        /* Path means are independent across paths: their spread gives the SE. */
        add(&e2, s2 / 730);
        add(&e1, s1 / 730);
    }
    CHECK_SE(mean(&e2), hbar, se_mean(&e2), "garch E[eps^2] = sigma_long^2 dt");
    CHECK_SE(mean(&e1), 0.0, se_mean(&e1), "garch E[eps]");
    hp_price_free(&p);

    /* From sigma0: E[h_t] = hbar + (a + b)^t (h0 - hbar). */
    const char *sets0[] = {"price.model=\"garch\"", "price.garch.alpha=0.10",
                           "price.garch.beta=0.85", "price.garch.sigma_long=0.7",
                           "price.garch.sigma0=0.3"};
    CHECK(make(&p, sets0, 5, 0, 30, NULL, &err) == 0);
    CHECK(p.h0 == s0 * s0 * DT);
    stats h10 = {0};
    for (int i = 0; i < 20000; i++) {
        hp_pcg64 r;
        hp_price_path st;
        path_rng(&r, SEED + 2, i);
        hp_price_path_init(&p, &st, &r);
        for (int d = 0; d < 10; d++)
            hp_price_step(&p, &st, &r, NULL);
        add(&h10, st.h);
    }
    CHECK_SE(mean(&h10), hbar + pow(a + b, 10) * (s0 * s0 * DT - hbar), se_mean(&h10),
             "garch E[h_10] from sigma0");
    hp_price_free(&p);

    const char *bad[] = {"price.model=\"garch\"", "price.garch.alpha=0.3", "price.garch.beta=0.7"};
    hp_err e3 = {0};
    CHECK(make(&p, bad, 3, 0, 30, NULL, &e3) != 0);
    CHECK_MSG(strstr(e3.msg, "price.garch.beta: alpha + beta = 1") != NULL, "%s", e3.msg);
    hp_price_free(&p);
}

/* The default price model: GARCH from today's implied volatility sigma0
 * to a long-run level sigma_long. Closed forms over T days, h_t the daily
 * variance of day t, hbar = sigma_long^2 dt, q = alpha + beta:
 *   E[h_t] = hbar + q^t (h_0 - hbar),
 *   E[ln S_T/S_0] = mu T dt - sum_{t<T} E[h_t] / 2   (the median growth),
 *   E[S_T/S_0] = e^(mu T dt)                          (the mean growth),
 *   Var[sum_{t<T} eps_t] = sum_{t<T} E[h_t]          (martingale shocks).
 * The defaults of the price.* table are the market-anchored ones. */
static void test_garch_market(void)
{
    const double mu = 0.16, a = 0.097, b = 0.852, sl = 0.50, s0 = 0.40;
    const int T = 730;
    hp_price p;
    hp_err err = {0};
    CHECK(make(&p, NULL, 0, 0, T, NULL, &err) == 0);      /* the defaults */
    CHECK(strcmp(p.model->name, "garch") == 0);
    CHECK_REL(p.h0, s0 * s0 * DT, 1e-15);
    CHECK_REL(p.omega, sl * sl * DT * (1 - a - b), 1e-15);
    CHECK_REL(p.mu_dt, mu * DT, 1e-15);
    const double hbar = sl * sl * DT, q = a + b;
    double sum_h = 0;
    for (int t = 0; t < T; t++)
        sum_h += hbar + pow(q, t) * (s0 * s0 * DT - hbar);
    stats lx = {0}, sx = {0}, se2 = {0};
    for (int i = 0; i < 20000; i++) {
        hp_pcg64 r;
        hp_price_path st;
        path_rng(&r, SEED + 3, i);
        hp_price_path_init(&p, &st, &r);
        double eps_sum = 0;
        for (int d = 0; d < T; d++) {
            double h = st.h, x0 = st.x;
            hp_price_step(&p, &st, &r, NULL);
            eps_sum += st.x - x0 - mu * DT + 0.5 * h;
        }
        add(&lx, st.x - p.log_s0);
        add(&sx, exp(st.x - p.log_s0));
        add(&se2, eps_sum * eps_sum);
    }
    CHECK_SE(mean(&lx), mu * T * DT - 0.5 * sum_h, se_mean(&lx), "garch E[ln S_T/S_0] (median growth)");
    CHECK_SE(mean(&sx), exp(mu * T * DT), se_mean(&sx), "garch E[S_T/S_0] = e^(mu T)");
    CHECK_SE(mean(&se2), sum_h, se_mean(&se2), "garch Var[sum eps] = sum E[h_t]");
    /* The default drift: E[S] grows 17.4% a year, ln S about 3.5% (T -> inf). */
    CHECK(fabs(expm1(mu) - 0.1735) < 1e-4 && fabs(mu - 0.5 * sl * sl - 0.035) < 1e-12);
    hp_price_free(&p);
}

/* Writes a synthetic price CSV of n days from 2020-01-01 (skewed, fat-tailed
 * returns from a fixed generator); returns its path, prices in s[]. */
static const char *synthetic_csv(int n, double *s)
{
    static char path[128];
    snprintf(path, sizeof path, "%s/prices.csv", dir);
    FILE *f = fopen(path, "w");
    if (f == NULL) {
        perror(path);
        exit(1);
    }
    hp_pcg64 r;
    hp_rng_stream(&r, 7, 0, 0);
    fprintf(f, "date,price_usd\n");
    double x = log(5000);
    int32_t d0 = hp_days_from_civil(2020, 1, 1);
    for (int i = 0; i < n; i++) {
        char date[16], num[64];
        hp_date_format(d0 + i, date);
        /* %.17g round-trips, so the file holds s[i] exactly. */
        snprintf(num, sizeof num, "%.17g", exp(x));
        s[i] = strtod(num, NULL);
        fprintf(f, "%s,%s\n", date, num);
        double z = hp_normal(&r);
        x += 0.002 + 0.03 * z + (hp_uniform(&r) < 0.02 ? -0.15 : 0);
    }
    fclose(f);
    return path;
}

static void test_bootstrap(void)
{
    enum { N = 400, DAYS = 1000, PATHS = 3000 };
    static double s[N];
    const char *path = synthetic_csv(N, s);
    char csv[200];
    snprintf(csv, sizeof csv, "price.csv=\"%s\"", path);
    /* Source window 2020-01-11 .. 2020-12-26: rows 10 .. 360. */
    const int i0 = 10, i1 = 360;
    double src_mean = 0, src_sd = 0;
    for (int i = i0; i < i1; i++)
        src_mean += log(s[i + 1] / s[i]) / (i1 - i0);
    for (int i = i0; i < i1; i++) {
        double d = log(s[i + 1] / s[i]) - src_mean;
        src_sd += d * d / (i1 - i0 - 1);
    }
    src_sd = sqrt(src_sd);

    for (int recentre = 0; recentre < 2; recentre++) {
        const char *sets[] = {"price.model=\"bootstrap\"", csv, "price.mu=0.3",
                              "price.bootstrap.block_days=15.0",
                              "price.bootstrap.from=\"2020-01-11\"",
                              "price.bootstrap.to=\"2020-12-26\"",
                              recentre ? "price.bootstrap.recentre=true"
                                       : "price.bootstrap.recentre=false"};
        hp_history_set hs = {0};
        hp_price p;
        hp_err err = {0};
        CHECK_MSG(make(&p, sets, 7, 0, DAYS, &hs, &err) == 0, "%s", err.msg);
        if (err.set)
            return;
        CHECK(p.n_ret == i1 - i0);
        double shift = recentre ? (0.3 - 0.5 * src_sd * src_sd / DT) * DT - src_mean : 0;
        stats m = {0}, blk = {0};
        int foreign = 0;
        for (int i = 0; i < PATHS; i++) {
            hp_pcg64 r;
            hp_price_path st;
            path_rng(&r, SEED, i);
            hp_price_path_init(&p, &st, &r);
            double sum = 0;
            for (int d = 0; d < DAYS; d++) {
                int fresh = st.left == 0;
                long j = st.i;
                double x0 = st.x;
                hp_price_step(&p, &st, &r, NULL);
                if (fresh) {
                    add(&blk, (double)st.left + 1);    /* drawn length */
                    j = (st.i + p.n_ret - 1) % p.n_ret;
                }
                /* The return is source return j (re-centred), bit for bit. */
                double want = log(s[i0 + j + 1] / s[i0 + j]) + shift;
                if (fabs((st.x - x0) - want) > 1e-12 * (1 + fabs(x0)))
                    foreign++;
                sum += st.x - x0;
            }
            add(&m, sum / DAYS);
        }
        CHECK_MSG(foreign == 0, "%d bootstrapped returns are not source returns", foreign);
        CHECK_SE(mean(&m), src_mean + shift, se_mean(&m),
                 recentre ? "bootstrap mean return (re-centred target)"
                          : "bootstrap mean return (source mean)");
        double q = 1 - 1 / 15.0;
        CHECK_SE(mean(&blk), 15.0, sqrt(q) / (1 / 15.0) / sqrt(blk.n), "bootstrap mean block");
        hp_price_free(&p);
        hp_history_set_free(&hs);
    }

    /* A window outside the file is an error naming the key. */
    const char *bad[] = {"price.model=\"bootstrap\"", csv, "price.bootstrap.from=\"2019-12-01\""};
    hp_history_set hs = {0};
    hp_price p;
    hp_err err = {0};
    CHECK(make(&p, bad, 3, 0, 10, &hs, &err) != 0);
    CHECK_MSG(strstr(err.msg, "price.bootstrap.from: 2019-12-01 is not in") != NULL, "%s", err.msg);
    hp_price_free(&p);
    hp_history_set_free(&hs);
    unlink(path);
}

static void test_historical(void)
{
    enum { N = 800 };
    static double s[N];
    const char *path = synthetic_csv(N, s);
    char csv[200];
    snprintf(csv, sizeof csv, "price.csv=\"%s\"", path);
    int32_t start = hp_days_from_civil(2020, 1, 4);   /* row 3 */
    const char *sets[] = {"price.model=\"historical\"", csv};
    hp_history_set hs = {0};
    hp_price p;
    hp_err err = {0};
    CHECK_MSG(make(&p, sets, 2, start, N - 3, &hs, &err) == 0, "%s", err.msg);
    hp_pcg64 r;
    hp_price_path st;
    hp_rng_stream(&r, SEED, 0, 0);
    hp_price_path_init(&p, &st, &r);
    int bad = 0;
    for (int d = 0; d < N - 3; d++) {
        if (st.x != log(s[3 + d]))
            bad++;
        hp_price_step(&p, &st, &r, NULL);
    }
    CHECK_MSG(bad == 0, "%d replayed days differ from the CSV", bad);
    hp_price_free(&p);

    /* One day too many, or a start before the file: errors naming the key. */
    hp_err e1 = {0}, e2 = {0};
    CHECK(make(&p, sets, 2, start, N - 2, &hs, &e1) != 0);
    CHECK_MSG(strstr(e1.msg, "time.horizon_years: the run needs history") != NULL, "%s", e1.msg);
    hp_price_free(&p);
    CHECK(make(&p, sets, 2, start - 10, 5, &hs, &e2) != 0);
    CHECK_MSG(strstr(e2.msg, "time.start_date: the run needs history") != NULL, "%s", e2.msg);
    hp_price_free(&p);
    hp_history_set_free(&hs);

    /* Through the whole scenario: year-end and mean prices are the CSV's.
     * 2020-01-01 .. 2021-12-31 is 731 days = 2.0014 years. */
    const char *scen[] = {"price.model=\"historical\"", csv, "time.start_date=\"2020-01-01\"",
                          "time.horizon_years=2.0014", "allocation.fractions=[0.0]"};
    hp_config *cfg = tu_config(scen, 5);
    hp_err e3 = {0};
    void *m = hp_scenario_model.create(cfg, &e3);
    CHECK_MSG(m != NULL, "%s", e3.msg);
    if (m != NULL) {
        const hp_layout *l = hp_scenario_model.layout(m);
        CHECK(l->n_days == 731 && l->n_years == 2);
        double *out = calloc(hp_layout_path_size(l), sizeof(double));
        void *ws = malloc(hp_scenario_model.scratch_bytes(m));
        hp_scenario_model.simulate_path(m, 1, 0, out, ws);
        const double *pe = tu_var(l, out, "market/btc_price_end");
        const double *pm = tu_var(l, out, "market/btc_price_mean");
        double m0 = 0, m1 = 0;
        for (int d = 0; d < 366; d++)
            m0 += exp(log(s[d])) / 366;
        for (int d = 366; d < 731; d++)
            m1 += exp(log(s[d])) / 365;
        CHECK(pe[0] == exp(log(s[365])) && pe[1] == exp(log(s[730])));
        CHECK_REL(pm[0], m0, 1e-13);
        CHECK_REL(pm[1], m1, 1e-13);
        free(out);
        free(ws);
        hp_scenario_model.destroy(m);
    }
    hp_config_free(cfg);
    unlink(path);
}

int main(void)
{
    snprintf(dir, sizeof dir, "/tmp/hp_price_XXXXXX");
    if (mkdtemp(dir) == NULL) {
        perror("mkdtemp");
        return 1;
    }
    test_gbm();
    test_merton();
    test_regime();
    test_garch();
    test_garch_market();
    test_bootstrap();
    test_historical();
    rmdir(dir);
    return CHECK_DONE();
}
