/* gsa_run: `hashpivot gsa`, the designs run through the model, the /gsa
 * group and the printed indices (the estimators are in gsa.c). */
#include "gsa.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

/* Inputs of one analysis: the per-input arrays below are this long. */
#define MAX_INPUTS 64

typedef struct run {
    const hp_an *a;
    const hp_gsa_opts *o;
    int k;
    double *x;            /* [n_paths] per-path statistic input        */
    int done, total;      /* runs, for progress                        */
    double t0;
    const char *keys[MAX_INPUTS]; /* the inputs' keys                          */
    hp_recorded rec;      /* the base case's paths, when every input is a
                           * valuation key: each run revalues them       */
} run;

/* The statistic at unit point u[k]: the inputs' values go to vals[k]. */
static int eval(run *r, const double *u, double *vals, double *y, double *se, hp_err *err)
{
    char text[MAX_INPUTS][160];
    const char *sets[MAX_INPUTS];
    for (int i = 0; i < r->k; i++) {
        vals[i] = hp_input_value(&r->o->inputs.in[i], u[i]);
        hp_an_set_text(r->o->inputs.in[i].p, vals[i], text[i], sizeof text[i]);
        sets[i] = text[i];
    }
    hp_config *cfg;
    void *m = hp_an_build(r->a, sets, (size_t)r->k, &cfg, err);
    if (m == NULL)
        return -1;
    hp_target t = r->o->stat;
    hp_est e;
    const hp_recorded *rec = r->rec.count > 0 && hp_an_revaluable(r->a, m, r->keys, r->k) ? &r->rec : NULL;
    int rc = hp_target_bind(&t, r->a->model->layout(m), "--stat", err);
    if (rc == 0)
        rc = hp_target_eval_from(&t, rec, r->a->model, m, r->a->seed, 0, r->a->n_paths, r->a->threads, r->x,
                                 &e, err);
    hp_an_destroy(r->a, m, cfg);
    if (rc != 0)
        return -1;
    *y = e.value;
    *se = e.se;
    r->done++;
    if (!r->o->quiet && (r->done % 10 == 0 || r->done == r->total))
        fprintf(stderr, "gsa: %d of %d runs (%.0f s)\n", r->done, r->total, hp_an_now() - r->t0);
    return 0;
}

/* The input axis and the distributions, in group g. */
static void write_inputs(hp_anfile *f, hid_t g, const hp_inputs *in)
{
    const char *keys[MAX_INPUTS], *dist[MAX_INPUTS], *units[MAX_INPUTS];
    double a[MAX_INPUTS], b[MAX_INPUTS], mode[MAX_INPUTS];
    for (int i = 0; i < in->n; i++) {
        keys[i] = in->in[i].p->key;
        units[i] = in->in[i].p->unit;
        dist[i] = hp_dist_name(in->in[i].kind);
        a[i] = in->in[i].a;
        b[i] = in->in[i].b;
        mode[i] = in->in[i].mode;
    }
    uint64_t dim = (uint64_t)in->n;
    const char *ax[1] = {"input"};
    hp_anfile_axis_str(f, g, "input", keys, (size_t)in->n, "config key of each uncertain input");
    hp_anfile_strs(f, g, "unit", "input", units, (size_t)in->n, "unit of each input (as declared)");
    hp_anfile_strs(f, g, "distribution", "input", dist, (size_t)in->n, "uniform, loguniform or triangular");
    hp_anfile_f64(f, g, "low", 1, &dim, ax, a, "", "lower end of the distribution, in the input's unit");
    hp_anfile_f64(f, g, "high", 1, &dim, ax, b, "", "upper end of the distribution, in the input's unit");
    hp_anfile_f64(f, g, "mode", 1, &dim, ax, mode, "", "mode (triangular), NaN otherwise");
}

static int do_morris(run *r, hid_t g, hp_anfile *f, FILE *out, const char *units, hp_err *err)
{
    const int k = r->k, R = r->o->trajectories, np = R * (k + 1);
    double *X = malloc((size_t)np * k * sizeof *X), *V = malloc((size_t)np * k * sizeof *V);
    double *y = malloc((size_t)np * sizeof *y), *yse = malloc((size_t)np * sizeof *yse);
    double *sign = malloc((size_t)R * k * sizeof *sign), *ee = malloc((size_t)R * k * sizeof *ee), delta;
    int *order = malloc((size_t)R * k * sizeof *order);
    hp_morris_idx *m = malloc((size_t)k * sizeof *m);
    int rc = X && V && y && yse && sign && ee && order && m ? 0 : hp_fail(err, NULL, 0, NULL, "out of memory");
    if (rc == 0)
        hp_morris_design(R, k, r->a->seed, X, order, sign, &delta);
    for (int p = 0; rc == 0 && p < np; p++)
        rc = eval(r, X + (size_t)p * k, V + (size_t)p * k, &y[p], &yse[p], err);
    if (rc == 0) {
        hp_morris_indices(R, k, y, order, sign, delta, r->o->bootstrap, r->a->seed, ee, m);
        hid_t mg = hp_anfile_group(f, g, "morris");
        hp_anfile_attr_f64(f, mg, "trajectories", R);
        hp_anfile_attr_f64(f, mg, "levels", 4);
        hp_anfile_attr_f64(f, mg, "delta", delta);
        hp_anfile_attr_f64(f, mg, "bootstrap_resamples", r->o->bootstrap);
        hp_anfile_attr_str(f, mg, "description", "Morris elementary effects: r trajectories of k + 1 runs on "
                           "a 4-level grid, one input moving by delta (of its normalized range) per step");
        write_inputs(f, mg, &r->o->inputs);
        hp_anfile_axis_index(f, mg, "run", (uint64_t)np, "run index: trajectory t, step j is run t (k + 1) + j");
        hp_anfile_axis_index(f, mg, "trajectory", (uint64_t)R, "trajectory index");
        uint64_t dk = (uint64_t)k, drk[2] = {(uint64_t)np, dk}, dn = (uint64_t)np, dtk[2] = {(uint64_t)R, dk};
        const char *ax_i[1] = {"input"}, *ax_ri[2] = {"run", "input"}, *ax_r[1] = {"run"};
        const char *ax_ti[2] = {"trajectory", "input"};
        double col[5][MAX_INPUTS];
        for (int i = 0; i < k; i++) {
            col[0][i] = m[i].mu;
            col[1][i] = m[i].mu_star;
            col[2][i] = m[i].sigma;
            col[3][i] = m[i].mu_star_lo;
            col[4][i] = m[i].mu_star_hi;
        }
        hp_anfile_f64(f, mg, "mu", 1, &dk, ax_i, col[0], units, "mean elementary effect (per normalized range)");
        hp_anfile_f64(f, mg, "mu_star", 1, &dk, ax_i, col[1], units, "mean absolute elementary effect");
        hp_anfile_f64(f, mg, "sigma", 1, &dk, ax_i, col[2], units, "sd of the elementary effects (interactions, nonlinearity)");
        hp_anfile_f64(f, mg, "mu_star_lo", 1, &dk, ax_i, col[3], units, "2.5% bootstrap quantile of mu_star");
        hp_anfile_f64(f, mg, "mu_star_hi", 1, &dk, ax_i, col[4], units, "97.5% bootstrap quantile of mu_star");
        hp_anfile_f64(f, mg, "elementary_effects", 2, dtk, ax_ti, ee, units, "elementary effect of each input in each trajectory");
        hp_anfile_f64(f, mg, "x", 2, drk, ax_ri, V, "", "input values of each run, in the inputs' units");
        hp_anfile_f64(f, mg, "y", 1, &dn, ax_r, y, units, "the statistic of each run");
        hp_anfile_f64(f, mg, "y_se", 1, &dn, ax_r, yse, units, "its Monte Carlo standard error");
        hp_anfile_close_group(mg);
        fprintf(out, "\nMorris screening: %d trajectories x %d runs; elementary effect = change over the\n"
                "input's whole range; [95%% bootstrap interval of mu*]\n", R, k + 1);
        fprintf(out, "%-36s %11s %11s %-25s %11s\n", "input", "mu", "mu*", "", "sigma");
        for (int i = 0; i < k; i++) {
            char ci[64];
            snprintf(ci, sizeof ci, "[%.4g, %.4g]", m[i].mu_star_lo, m[i].mu_star_hi);
            fprintf(out, "%-36s %11.4g %11.4g %-25s %11.4g\n", r->o->inputs.in[i].p->key, m[i].mu,
                    m[i].mu_star, ci, m[i].sigma);
        }
    }
    free(X); free(V); free(y); free(yse); free(sign); free(ee); free(order); free(m);
    return rc;
}

static int do_sobol(run *r, hid_t g, hp_anfile *f, FILE *out, const char *units, hp_err *err)
{
    const int k = r->k, N = r->o->base_samples;
    size_t nk = (size_t)N * k;
    double *A = malloc(nk * sizeof *A), *B = malloc(nk * sizeof *B), *XA = malloc(nk * sizeof *XA);
    double *XB = malloc(nk * sizeof *XB), *row = malloc((size_t)k * sizeof *row), *vals = malloc((size_t)k * sizeof *vals);
    double *yA = malloc((size_t)N * sizeof *yA), *yB = malloc((size_t)N * sizeof *yB), *yAB = malloc(nk * sizeof *yAB);
    double *se = malloc((size_t)N * (k + 2) * sizeof *se);
    hp_sobol_idx *idx = malloc((size_t)k * sizeof *idx);
    int rc = A && B && XA && XB && row && vals && yA && yB && yAB && se && idx
                 ? 0 : hp_fail(err, NULL, 0, NULL, "out of memory");
    if (rc == 0)
        rc = hp_saltelli_design(N, k, r->a->seed, A, B, err);
    for (int j = 0; rc == 0 && j < N; j++) {
        rc = eval(r, A + (size_t)j * k, XA + (size_t)j * k, &yA[j], &se[j], err);
        if (rc == 0)
            rc = eval(r, B + (size_t)j * k, XB + (size_t)j * k, &yB[j], &se[N + j], err);
        for (int i = 0; rc == 0 && i < k; i++) {
            memcpy(row, A + (size_t)j * k, (size_t)k * sizeof *row);
            row[i] = B[(size_t)j * k + i];
            rc = eval(r, row, vals, &yAB[(size_t)i * N + j], &se[(size_t)(2 + i) * N + j], err);
        }
    }
    if (rc == 0) {
        double mean, var;
        hp_sobol_indices(N, k, yA, yB, yAB, r->o->bootstrap, r->a->seed, idx, &mean, &var);
        hid_t sg = hp_anfile_group(f, g, "sobol");
        hp_anfile_attr_f64(f, sg, "base_samples", N);
        hp_anfile_attr_f64(f, sg, "bootstrap_resamples", r->o->bootstrap);
        hp_anfile_attr_f64(f, sg, "output_mean", mean);
        hp_anfile_attr_f64(f, sg, "output_variance", var);
        hp_anfile_attr_str(f, sg, "description", "Sobol indices: Saltelli sampling on scrambled Sobol points "
                           "(N (k + 2) runs), S1 by Saltelli et al. 2010, ST by Jansen 1999, 95% percentile "
                           "bootstrap intervals over the N rows");
        write_inputs(f, sg, &r->o->inputs);
        hp_anfile_axis_index(f, sg, "sample", (uint64_t)N, "row of the A and B matrices");
        uint64_t dk = (uint64_t)k, dn = (uint64_t)N, dnk[2] = {dn, dk}, dkn[2] = {dk, dn};
        const char *ax_i[1] = {"input"}, *ax_n[1] = {"sample"}, *ax_ni[2] = {"sample", "input"};
        const char *ax_in[2] = {"input", "sample"};
        double col[8][MAX_INPUTS];
        for (int i = 0; i < k; i++) {
            const double v[8] = {idx[i].S1, idx[i].S1_lo, idx[i].S1_hi, idx[i].S1_se,
                                 idx[i].ST, idx[i].ST_lo, idx[i].ST_hi, idx[i].ST_se};
            for (int c = 0; c < 8; c++)
                col[c][i] = v[c];
        }
        const char *names[8] = {"S1", "S1_lo", "S1_hi", "S1_se", "ST", "ST_lo", "ST_hi", "ST_se"};
        const char *docs[8] = {"first-order Sobol index", "2.5% bootstrap quantile of S1",
                               "97.5% bootstrap quantile of S1", "bootstrap standard deviation of S1",
                               "total-effect Sobol index", "2.5% bootstrap quantile of ST",
                               "97.5% bootstrap quantile of ST", "bootstrap standard deviation of ST"};
        for (int c = 0; c < 8; c++)
            hp_anfile_f64(f, sg, names[c], 1, &dk, ax_i, col[c], "1", docs[c]);
        hp_anfile_f64(f, sg, "x_A", 2, dnk, ax_ni, XA, "", "input values of matrix A, in the inputs' units");
        hp_anfile_f64(f, sg, "x_B", 2, dnk, ax_ni, XB, "", "input values of matrix B");
        hp_anfile_f64(f, sg, "y_A", 1, &dn, ax_n, yA, units, "the statistic at each row of A");
        hp_anfile_f64(f, sg, "y_B", 1, &dn, ax_n, yB, units, "the statistic at each row of B");
        hp_anfile_f64(f, sg, "y_AB", 2, dkn, ax_in, yAB, units,
                      "the statistic at row j of A with input i taken from B");
        hp_anfile_close_group(sg);
        double sum = 0;
        fprintf(out, "\nSobol indices: N = %d, %d runs; S1 Saltelli 2010, ST Jansen 1999; [95%% bootstrap "
                "interval, %d resamples]\n", N, N * (k + 2), r->o->bootstrap);
        fprintf(out, "%-36s %26s %26s\n", "input", "S1", "ST");
        for (int i = 0; i < k; i++) {
            fprintf(out, "%-36s %7.3f [%7.3f, %7.3f] %7.3f [%7.3f, %7.3f]\n", r->o->inputs.in[i].p->key,
                    idx[i].S1, idx[i].S1_lo, idx[i].S1_hi, idx[i].ST, idx[i].ST_lo, idx[i].ST_hi);
            sum += idx[i].S1;
        }
        fprintf(out, "sum of S1 %.3f (1 - sum: the share of variance in interactions); output mean %.4g, "
                "sd %.4g\n", sum, mean, sqrt(var));
    }
    free(A); free(B); free(XA); free(XB); free(row); free(vals); free(yA); free(yB); free(yAB); free(se); free(idx);
    return rc;
}

int hp_gsa(const hp_an *a, const hp_gsa_opts *o, hp_anfile *f, FILE *out, hp_err *err)
{
    const int k = o->inputs.n;
    if (k > MAX_INPUTS)
        return hp_fail(err, NULL, 0, HP_UNCERTAIN_GROUP, "%d inputs; at most %d", k, MAX_INPUTS);
    run r = {.a = a, .o = o, .k = k, .t0 = hp_an_now()};
    int morris = o->method & HP_GSA_MORRIS, sobol = o->method & HP_GSA_SOBOL;
    r.total = (morris ? o->trajectories * (k + 1) : 0) + (sobol ? o->base_samples * (k + 2) : 0);
    int sample = hp_target_needs_sample(&o->stat);
    if (sample && hp_an_check_memory(a, 1, 1, err) != 0)
        return -1;
    size_t buf = sample || a->n_paths < HP_TARGET_CHUNK ? (size_t)a->n_paths : HP_TARGET_CHUNK;
    if ((r.x = malloc(buf * sizeof *r.x)) == NULL)
        return hp_fail(err, NULL, 0, NULL, "out of memory for %llu paths", (unsigned long long)a->n_paths);
    if (!o->quiet)
        fprintf(stderr, "gsa: %d inputs, %d runs of %llu paths (%.3g paths)\n", k, r.total,
                (unsigned long long)a->n_paths, (double)r.total * (double)a->n_paths);
    char stat[256], units[32];
    hp_config *cfg;
    void *m = hp_an_build(a, NULL, 0, &cfg, err);
    if (m == NULL) {
        free(r.x);
        return -1;
    }
    snprintf(units, sizeof units, "%s", hp_target_units(&o->stat, a->model->layout(m)));
    hp_an_destroy(a, m, cfg);
    hid_t g = hp_anfile_group(f, hp_anfile_root(f), "gsa");
    hp_anfile_attr_str(f, g, "statistic", hp_target_stat_text(&o->stat, stat, sizeof stat));
    hp_anfile_attr_str(f, g, "units", units);
    hp_anfile_attr_str(f, g, "description", "global sensitivity of the statistic to the config's uncertain "
                       "inputs; every run is a Monte Carlo run of n_paths paths on the same seed");
    write_inputs(f, g, &o->inputs);
    fprintf(out, "Global sensitivity of %s [%s]: %d inputs, %llu paths per run, seed %llu\n", stat, units, k,
            (unsigned long long)a->n_paths, (unsigned long long)a->seed);
    for (int i = 0; i < k; i++) {
        const hp_input *in = &o->inputs.in[i];
        fprintf(out, "  %-36s %-10s %g .. %g%s", in->p->key, hp_dist_name(in->kind), in->a, in->b,
                in->kind == HP_DIST_TRIANGULAR ? "" : "\n");
        if (in->kind == HP_DIST_TRIANGULAR)
            fprintf(out, " (mode %g)\n", in->mode);
    }
    for (int i = 0; i < k; i++)
        r.keys[i] = o->inputs.in[i].p->key;
    int rc = hp_an_record(a, "gsa", r.keys, k, o->quiet, &r.rec, err);
    if (rc == 0 && morris)
        rc = do_morris(&r, g, f, out, units, err);
    if (rc == 0 && sobol)
        rc = do_sobol(&r, g, f, out, units, err);
    hp_anfile_close_group(g);
    if (rc == 0 && !o->quiet) {
        double dt = hp_an_now() - r.t0;
        fprintf(stderr, "timing: %d runs x %llu paths in %.2f s (%.0f paths/s)\n", r.total,
                (unsigned long long)a->n_paths, dt, (double)r.total * (double)a->n_paths / dt);
    }
    free(r.x);
    hp_recorded_free(&r.rec);
    return rc;
}
