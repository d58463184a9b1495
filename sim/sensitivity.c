/* sensitivity: one-at-a-time sensitivity (a tornado) on common random
 * numbers.
 *
 * The base case and each key at its low and high value are simulated on
 * the same seed and path indices, in process (no per-path HDF5 writes).
 * For every (key, level, allocation) the statistics of NPV and of the gain
 * over the baseline (0%) allocation on the same path come with their
 * errors (stats.h), and so do the changes against the base case, which are
 * paired across runs: path i of the low run and path i of the base run saw
 * the same draws, so their difference is the key's effect on that path,
 * and its standard error is far below that of either mean.
 *
 * Work: every variant (the base, then each key's low and high) is loaded
 * and built once, all of them before the first path, so that a bad level
 * fails at once rather than after hours; the base value of each key is read
 * from the base config; a variant whose resolved config is another's (a
 * level equal to the base value, a key given twice) reuses that one's
 * paths. A variant that differs from the base only in a valuation key
 * (hp_model.valuation_key: e.g. the discount rate, a terminal multiple, a
 * salvage value; nothing simulated reads it) is revalued: the base run
 * simulates each path once with its valuation record and every such
 * variant's model values that record (hp_model.revalue), which gives the
 * bits its own simulation would. Each remaining variant is one in-process
 * run of every path: its key changes the paths (a price drift, a power
 * price, a build time move chains, curtailment or events), and each
 * variant's NPV must be the bits a plain `hashpivot run --set KEY=VALUE`
 * writes. Memory: per-path NPV of every
 * variant, (2K + 1) x n_paths x n_alloc doubles, kept for the file (which
 * stores them path by path), and K more for writing it. */
#include "analysis.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#define NQ 3
#define ALPHA 0.05
#define NLEV 3              /* low, base, high */

static const double quant_p[NQ] = {0.05, 0.50, 0.95};
static const char *const level_name[NLEV] = {"low", "base", "high"};

/* The statistics of one quantity at every (key, level, allocation) cell. */
typedef struct block {
    double *mean, *mean_se, *sd, *p_neg, *p_neg_se, *p_pos, *p_pos_se, *cvar, *cvar_se;
    double *q, *q_lo, *q_hi;     /* [cell][NQ] */
} block;

#define BLOCK_SCALARS 9

static double **block_scalar(block *b, int i)
{
    double **f[BLOCK_SCALARS] = {&b->mean, &b->mean_se, &b->sd, &b->p_neg, &b->p_neg_se,
                                 &b->p_pos, &b->p_pos_se, &b->cvar, &b->cvar_se};
    return f[i];
}

static int block_alloc(block *b, size_t cells)
{
    int ok = 1;
    for (int i = 0; i < BLOCK_SCALARS; i++)
        ok &= (*block_scalar(b, i) = malloc(cells * sizeof(double))) != NULL;
    ok &= (b->q = malloc(cells * NQ * sizeof(double))) != NULL;
    ok &= (b->q_lo = malloc(cells * NQ * sizeof(double))) != NULL;
    ok &= (b->q_hi = malloc(cells * NQ * sizeof(double))) != NULL;
    for (size_t c = 0; ok && c < cells; c++) {
        for (int i = 0; i < BLOCK_SCALARS; i++)
            (*block_scalar(b, i))[c] = NAN;
        for (int j = 0; j < NQ; j++)
            b->q[c * NQ + j] = b->q_lo[c * NQ + j] = b->q_hi[c * NQ + j] = NAN;
    }
    return ok ? 0 : -1;
}

static void block_free(block *b)
{
    for (int i = 0; i < BLOCK_SCALARS; i++)
        free(*block_scalar(b, i));
    free(b->q);
    free(b->q_lo);
    free(b->q_hi);
}

static void block_set(block *b, size_t c, const hp_sample_stats *s)
{
    b->mean[c] = s->mean.value;
    b->mean_se[c] = s->mean.se;
    b->sd[c] = s->sd;
    b->p_neg[c] = s->p_neg.value;
    b->p_neg_se[c] = s->p_neg.se;
    b->p_pos[c] = s->p_pos.value;
    b->p_pos_se[c] = s->p_pos.se;
    b->cvar[c] = s->cvar.value;
    b->cvar_se[c] = s->cvar.se;
    for (int j = 0; j < NQ; j++) {
        b->q[c * NQ + j] = s->q[j].value;
        b->q_lo[c * NQ + j] = s->q[j].lo;
        b->q_hi[c * NQ + j] = s->q[j].hi;
    }
}

/* Copies cell `from` of b into cell `to`. */
static void block_copy(block *b, size_t to, size_t from)
{
    for (int i = 0; i < BLOCK_SCALARS; i++)
        (*block_scalar(b, i))[to] = (*block_scalar(b, i))[from];
    for (int j = 0; j < NQ; j++) {
        b->q[to * NQ + j] = b->q[from * NQ + j];
        b->q_lo[to * NQ + j] = b->q_lo[from * NQ + j];
        b->q_hi[to * NQ + j] = b->q_hi[from * NQ + j];
    }
}

/* One variant: the base (no override) or a key at a level. */
typedef struct variant {
    char set[160];                   /* "key=value", or "" for the base      */
    hp_config *cfg;
    void *m;
    int same_as;                     /* an earlier variant with the same
                                      * resolved config, or -1              */
    int revalued;                    /* differs from the base only in a
                                      * valuation key: valued on its paths */
    double *npv;                     /* [n][A] per-path NPV (npv_mem)        */
} variant;

/* The state of one sensitivity analysis. */
typedef struct sens {
    const hp_an *a;
    const hp_sens_opts *o;
    int K, A, base_alloc, t_alloc, n_var;
    int n_runs, n_revalued;          /* variants simulated; revalued        */
    double *alloc;                   /* [A] the base case's allocations      */
    uint64_t n;
    variant *var;                    /* [n_var]: base, then k low, k high    */
    double *npv_mem;                 /* [n_var][n][A]                        */
    double *tmp;                     /* [n]                                  */
    block npv, gain;                 /* [K][NLEV][A]                         */
    double *npv_chg, *npv_chg_se, *gain_chg, *gain_chg_se;   /* [K][NLEV][A] */
    double *swing, *swing_se;        /* [K][A]: gain at high less gain at low */
    double *value;                   /* [K][NLEV] the key's values           */
} sens;

static size_t cell(const sens *s, int k, int lev, int a)
{
    return ((size_t)k * NLEV + (size_t)lev) * (size_t)s->A + (size_t)a;
}

/* The variant of key k at level lev (the base for level 1). */
static const variant *var_of(const sens *s, int k, int lev)
{
    return &s->var[lev == 1 ? 0 : 1 + 2 * k + lev / 2];
}

/* Loads and builds variant i; takes the base's allocations (i = 0) or
 * checks that they are the base's. */
static int build(sens *s, int i, hp_err *err)
{
    variant *v = &s->var[i];
    const char *sets[1] = {v->set};
    if ((v->m = hp_an_build(s->a, sets, i > 0, &v->cfg, err)) == NULL)
        return -1;
    const hp_layout *l = s->a->model->layout(v->m);
    if (i == 0) {
        s->A = l->n_alloc;
        s->base_alloc = l->baseline_alloc;
        if ((s->alloc = malloc((size_t)s->A * sizeof(double))) == NULL)
            return hp_fail(err, NULL, 0, NULL, "out of memory");
        memcpy(s->alloc, l->alloc, (size_t)s->A * sizeof(double));
    } else if (l->n_alloc != s->A || memcmp(l->alloc, s->alloc, (size_t)s->A * sizeof(double)) != 0) {
        return hp_fail(err, NULL, 0, "--vary", "%s changes the allocations; the levels must share them",
                       v->set);
    }
    return 0;
}

/* Builds every variant (the base, then each key low and high), reads the
 * keys' base values, and finds variants whose resolved configs are equal
 * (their paths are the same bits: simulated once). */
static int build_all(sens *s, hp_err *err)
{
    s->n_var = 1 + 2 * s->K;
    if ((s->var = calloc((size_t)s->n_var, sizeof *s->var)) == NULL ||
        (s->value = calloc((size_t)s->K * NLEV, sizeof(double))) == NULL)
        return hp_fail(err, NULL, 0, NULL, "out of memory");
    for (int i = 0; i < s->n_var; i++)
        s->var[i].same_as = -1;
    for (int k = 0; k < s->K; k++) {
        const hp_vary *v = &s->o->vary[k];
        s->value[k * NLEV] = v->low;
        s->value[k * NLEV + 2] = v->high;
        hp_an_set_text(v->p, v->low, s->var[1 + 2 * k].set, sizeof s->var[0].set);
        hp_an_set_text(v->p, v->high, s->var[2 + 2 * k].set, sizeof s->var[0].set);
    }
    char **text = calloc((size_t)s->n_var, sizeof *text);
    int rc = text != NULL ? 0 : hp_fail(err, NULL, 0, NULL, "out of memory");
    for (int i = 0; rc == 0 && i < s->n_var; i++) {
        rc = build(s, i, err);
        if (rc == 0 && (text[i] = hp_config_text(s->var[i].cfg)) == NULL)
            rc = hp_fail(err, NULL, 0, NULL, "out of memory");
        for (int j = 0; rc == 0 && j < i && s->var[i].same_as < 0; j++)
            if (s->var[j].same_as < 0 && strcmp(text[i], text[j]) == 0)
                s->var[i].same_as = j;
    }
    for (int k = 0; rc == 0 && k < s->K; k++)
        s->value[k * NLEV + 1] = hp_an_value(s->var[0].cfg, s->o->vary[k].p);
    /* Variant i sets key (i - 1) / 2 on the base config, nothing else. */
    const hp_model *md = s->a->model;
    for (int i = 1; rc == 0 && md->valuation_key != NULL && !s->a->simulate_all && i < s->n_var; i++) {
        const char *key = s->o->vary[(i - 1) / 2].p->key;
        s->var[i].revalued = s->var[i].same_as < 0 && md->valuation_key(s->var[0].m, key) &&
                             md->valuation_key(s->var[i].m, key);
    }
    for (int i = 0; text != NULL && i < s->n_var; i++)
        free(text[i]);
    free(text);
    return rc;
}

/* Simulates the base case, revaluing its paths for the variants that
 * differ from it only in a valuation key, then every other variant that
 * is not a copy of another, into their npv. */
static int run_all(sens *s, hp_err *err)
{
    int rc = 0, n_val = 0;
    const void **vm = malloc((size_t)s->n_var * sizeof *vm);
    double **vout = malloc((size_t)s->n_var * sizeof *vout);
    if (vm == NULL || vout == NULL)
        rc = hp_fail(err, NULL, 0, NULL, "out of memory");
    for (int i = 0; rc == 0 && i < s->n_var; i++) {
        variant *v = &s->var[i];
        v->npv = s->npv_mem + (size_t)i * s->n * (size_t)s->A;
        if (v->revalued) {
            vm[n_val] = v->m;
            vout[n_val++] = v->npv;
        }
    }
    for (int i = 0; rc == 0 && i < s->n_var; i++) {
        variant *v = &s->var[i];
        if (v->revalued) {
            if (!s->o->quiet)
                fprintf(stderr, "sensitivity: %s: a valuation key, revalued on the base case's paths\n",
                        v->set);
            continue;
        }
        if (v->same_as >= 0) {
            if (!s->o->quiet)
                fprintf(stderr, "sensitivity: %s: the config of %s, its paths reused\n", v->set,
                        v->same_as == 0 ? "the base case" : s->var[v->same_as].set);
            v->npv = s->var[v->same_as].npv;
            continue;
        }
        if (!s->o->quiet)
            fprintf(stderr, "sensitivity: %s\n", i == 0 ? "base case" : v->set);
        hp_var_slice ctx;
        hp_reducer r;
        rc = hp_reducer_var(s->a->model->layout(v->m), "valuation/npv", 1.0, &ctx, &r, err);
        if (rc == 0)
            rc = hp_pathrun_revalue(s->a->model, v->m, vm, i == 0 ? n_val : 0, s->a->seed, 0, s->n,
                                    s->a->threads, &r, v->npv, vout, err);
    }
    free(vm);
    free(vout);
    return rc;
}

/* tmp <- column a of x, less column b of y (b < 0: nothing), less
 * (column a less column b) of z when z is given. */
static void column(const sens *s, const double *x, int a, int b, const double *z)
{
    const size_t A = (size_t)s->A;
    for (uint64_t i = 0; i < s->n; i++) {
        double v = x[i * A + (size_t)a] - (b >= 0 ? x[i * A + (size_t)b] : 0);
        if (z != NULL)
            v -= z[i * A + (size_t)a] - (b >= 0 ? z[i * A + (size_t)b] : 0);
        s->tmp[i] = v;
    }
}

static hp_est mean_of_tmp(const sens *s)
{
    hp_moments m = {0};
    for (uint64_t i = 0; i < s->n; i++)
        hp_moments_add(&m, s->tmp[i]);
    return hp_moments_mean(&m);
}

/* The statistics of key k at level lev. */
static void level_stats(sens *s, int k, int lev)
{
    const double *x = var_of(s, k, lev)->npv, *base = s->var[0].npv;
    for (int a = 0; a < s->A; a++) {
        size_t c = cell(s, k, lev, a);
        hp_sample_stats st;
        column(s, x, a, -1, NULL);
        hp_sample_stats_of(s->tmp, s->n, quant_p, NQ, ALPHA, &st);
        block_set(&s->npv, c, &st);
        column(s, x, a, -1, base);
        hp_est e = mean_of_tmp(s);
        s->npv_chg[c] = e.value;
        s->npv_chg_se[c] = e.se;
        if (s->base_alloc < 0)
            continue;
        column(s, x, a, s->base_alloc, NULL);
        hp_sample_stats_of(s->tmp, s->n, quant_p, NQ, ALPHA, &st);
        block_set(&s->gain, c, &st);
        column(s, x, a, s->base_alloc, base);
        e = mean_of_tmp(s);
        s->gain_chg[c] = e.value;
        s->gain_chg_se[c] = e.se;
    }
}

/* Gain (or NPV without a baseline) at high less at low, path by path. */
static void swing_stats(sens *s, int k)
{
    for (int a = 0; a < s->A; a++) {
        column(s, var_of(s, k, 2)->npv, a, s->base_alloc, var_of(s, k, 0)->npv);
        hp_est e = mean_of_tmp(s);
        s->swing[(size_t)k * (size_t)s->A + (size_t)a] = e.value;
        s->swing_se[(size_t)k * (size_t)s->A + (size_t)a] = e.se;
    }
}

/* The allocation that ranks the tornado: the one asked for, else 20% if
 * present, else the largest. */
static int tornado_alloc(const sens *s, hp_err *err)
{
    double want = s->o->alloc;
    int best = -1;
    for (int a = 0; a < s->A; a++) {
        if (!isnan(want) && fabs(s->alloc[a] - want) < 1e-12)
            return a;
        if (isnan(want) && fabs(s->alloc[a] - 0.2) < 1e-12)
            return a;
        if (best < 0 || s->alloc[a] > s->alloc[best])
            best = a;
    }
    if (!isnan(want))
        return hp_fail(err, NULL, 0, "--alloc", "no allocation %g in the config", want);
    return best;
}

static int sens_alloc(sens *s, hp_err *err)
{
    size_t nA = (size_t)s->n * (size_t)s->A, cells = (size_t)s->K * NLEV * (size_t)s->A;
    size_t ka = (size_t)s->K * (size_t)s->A;
    s->npv_mem = malloc((size_t)s->n_var * nA * sizeof(double));
    s->tmp = malloc((size_t)s->n * sizeof(double));
    s->npv_chg = calloc(cells, sizeof(double));
    s->npv_chg_se = calloc(cells, sizeof(double));
    s->gain_chg = calloc(cells, sizeof(double));
    s->gain_chg_se = calloc(cells, sizeof(double));
    s->swing = calloc(ka, sizeof(double));
    s->swing_se = calloc(ka, sizeof(double));
    int ok = s->npv_mem && s->tmp && s->npv_chg && s->npv_chg_se && s->gain_chg &&
             s->gain_chg_se && s->swing && s->swing_se &&
             block_alloc(&s->npv, cells) == 0 && block_alloc(&s->gain, cells) == 0;
    if (ok && s->base_alloc < 0)
        for (size_t c = 0; c < cells; c++)
            s->gain_chg[c] = s->gain_chg_se[c] = NAN;
    return ok ? 0 : hp_fail(err, NULL, 0, NULL, "out of memory for %llu paths",
                            (unsigned long long)s->n);
}

static void sens_free(sens *s)
{
    for (int i = 0; s->var != NULL && i < s->n_var; i++)
        hp_an_destroy(s->a, s->var[i].m, s->var[i].cfg);
    free(s->var);
    free(s->alloc);
    free(s->npv_mem);
    free(s->tmp);
    free(s->npv_chg);
    free(s->npv_chg_se);
    free(s->gain_chg);
    free(s->gain_chg_se);
    free(s->swing);
    free(s->swing_se);
    free(s->value);
    block_free(&s->npv);
    block_free(&s->gain);
}

/* ---- the file ------------------------------------------------------------ */

static void write_block(hp_anfile *f, hid_t g, const char *prefix, const block *b, const sens *s,
                        const char *what)
{
    uint64_t dims[4] = {(uint64_t)s->K, NLEV, (uint64_t)s->A, NQ};
    const char *axes[4] = {"key", "level", "allocation", "quantile"};
    struct { const char *suffix; const double *v; const char *units, *doc; int rank; } d[] = {
        {"mean", b->mean, "USD", "mean", 3},
        {"mean_se", b->mean_se, "USD", "standard error of the mean (sd / sqrt(n))", 3},
        {"sd", b->sd, "USD", "standard deviation over paths (n - 1)", 3},
        {"quantile", b->q, "USD", "quantile (linear interpolation, numpy's default)", 4},
        {"quantile_lo", b->q_lo, "USD", "lower end of the 95% distribution-free interval of the quantile "
                                        "(an order statistic; -inf when n is too small)", 4},
        {"quantile_hi", b->q_hi, "USD", "upper end of the 95% interval of the quantile", 4},
        {"p_negative", b->p_neg, "1", "share of paths below 0", 3},
        {"p_negative_se", b->p_neg_se, "1", "standard error of p_negative, sqrt(p (1 - p) / n)", 3},
        {"p_positive", b->p_pos, "1", "share of paths above 0", 3},
        {"p_positive_se", b->p_pos_se, "1", "standard error of p_positive", 3},
        {"cvar", b->cvar, "USD", "CVaR at cvar_alpha: minus the mean of the worst alpha share of paths "
                                 "(Acerbi-Tasche); positive is a loss", 3},
        {"cvar_se", b->cvar_se, "USD", "standard error of cvar (influence function)", 3},
    };
    for (size_t i = 0; i < sizeof d / sizeof d[0]; i++) {
        char name[64], doc[512];
        snprintf(name, sizeof name, "%s_%s", prefix, d[i].suffix);
        snprintf(doc, sizeof doc, "%s: %s", what, d[i].doc);
        hp_anfile_f64(f, g, name, d[i].rank, dims, axes, d[i].v, d[i].units, doc);
    }
}

/* dst[a][i] <- NPV of key k at level lev, allocation a, path i. */
static void transpose(const sens *s, int k, int lev, double *dst)
{
    const double *x = var_of(s, k, lev)->npv;
    for (int a = 0; a < s->A; a++)
        for (uint64_t i = 0; i < s->n; i++)
            dst[(size_t)a * s->n + i] = x[i * (size_t)s->A + (size_t)a];
}

static void write_file(const sens *s, hp_anfile *f)
{
    hid_t g = hp_anfile_group(f, hp_anfile_root(f), "sensitivity");
    if (g < 0)
        return;
    const int K = s->K;
    const char *keys[64], *units[64];
    for (int k = 0; k < K; k++) {
        keys[k] = s->o->vary[k].p->key;
        units[k] = s->o->vary[k].p->unit;
    }
    hp_anfile_attr_str(f, g, "description", "one-at-a-time sensitivity on common random numbers: "
                       "the base case and each key at its low and high value, same seed and paths");
    hp_anfile_attr_f64(f, g, "tornado_allocation", s->alloc[s->t_alloc]);
    hp_anfile_attr_i64(f, g, "baseline_allocation", s->base_alloc);
    hp_anfile_attr_f64(f, g, "confidence", 0.95);
    hp_anfile_attr_f64(f, g, "cvar_alpha", ALPHA);
    hp_anfile_attr_i64(f, g, "simulated_runs", s->n_runs);
    hp_anfile_attr_i64(f, g, "revalued_levels", s->n_revalued);
    hp_anfile_axis_str(f, g, "key", keys, (size_t)K, "config key varied");
    hp_anfile_axis_str(f, g, "level", level_name, NLEV, "value of the key: low, base (the config), high");
    hp_anfile_axis_f64(f, g, "allocation", s->alloc, (size_t)s->A, "1",
                       "fraction of capacity converted to AI/HPC");
    hp_anfile_axis_f64(f, g, "quantile", quant_p, NQ, "1", "quantile level");
    hp_anfile_axis_index(f, g, "path", s->n, "global path index (the random streams are keyed by it)");
    hp_anfile_strs(f, g, "unit", "key", units, (size_t)K, "unit of each key (as declared)");
    uint64_t kl[2] = {(uint64_t)K, NLEV}, ka[2] = {(uint64_t)K, (uint64_t)s->A};
    uint64_t kla[3] = {(uint64_t)K, NLEV, (uint64_t)s->A}, ap[2] = {(uint64_t)s->A, s->n};
    const char *ax_kl[2] = {"key", "level"}, *ax_ka[2] = {"key", "allocation"};
    const char *ax_kla[3] = {"key", "level", "allocation"}, *ax_ap[2] = {"allocation", "path"};
    hp_anfile_f64(f, g, "value", 2, kl, ax_kl, s->value, "",
                  "value of the key at each level, in the key's unit (see `unit`)");
    write_block(f, g, "npv", &s->npv, s, "NPV of the allocation");
    write_block(f, g, "gain", &s->gain, s, "paired gain NPV(allocation) - NPV(baseline) on the same path");
    hp_anfile_f64(f, g, "npv_change_mean", 3, kla, ax_kla, s->npv_chg, "USD",
                  "mean over paths of NPV at this level less NPV in the base case on the same path");
    hp_anfile_f64(f, g, "npv_change_se", 3, kla, ax_kla, s->npv_chg_se, "USD",
                  "standard error of npv_change_mean (paired across runs)");
    hp_anfile_f64(f, g, "gain_change_mean", 3, kla, ax_kla, s->gain_chg, "USD",
                  "mean over paths of the gain at this level less the gain in the base case on the same path");
    hp_anfile_f64(f, g, "gain_change_se", 3, kla, ax_kla, s->gain_chg_se, "USD",
                  "standard error of gain_change_mean (paired across runs)");
    hp_anfile_f64(f, g, "gain_swing_mean", 2, ka, ax_ka, s->swing, "USD",
                  "the tornado bar: mean over paths of the gain at high less the gain at low "
                  "(NPV when there is no baseline allocation)");
    hp_anfile_f64(f, g, "gain_swing_se", 2, ka, ax_ka, s->swing_se, "USD",
                  "standard error of gain_swing_mean (paired)");
    /* Every variant path by path: the base case equal to `hashpivot run`'s
     * valuation/npv, each level to that run with --set KEY=VALUE. */
    size_t nA = (size_t)s->A * s->n;
    double *t = malloc((size_t)K * nA * sizeof *t);
    if (t != NULL) {
        transpose(s, 0, 1, t);
        hp_anfile_f64(f, g, "base_npv", 2, ap, ax_ap, t, "USD",
                      "NPV of the base case per allocation and path (as valuation/npv of `hashpivot run`)");
        uint64_t kap[3] = {(uint64_t)K, (uint64_t)s->A, s->n};
        const char *ax_kap[3] = {"key", "allocation", "path"};
        for (int lev = 0; lev < NLEV; lev += 2) {
            for (int k = 0; k < K; k++)
                transpose(s, k, lev, t + (size_t)k * nA);
            hp_anfile_f64(f, g, lev == 0 ? "low_npv" : "high_npv", 3, kap, ax_kap, t, "USD",
                          lev == 0 ? "NPV with the key at its low value, per allocation and path (as "
                                     "valuation/npv of `hashpivot run --set KEY=LOW`)"
                                   : "NPV with the key at its high value, per allocation and path (as "
                                     "valuation/npv of `hashpivot run --set KEY=HIGH`)");
        }
        free(t);
    }
    hp_anfile_close_group(g);
}

/* ---- the table ----------------------------------------------------------- */

/* "$1.23B", "-$450M": three significant digits. */
static void money(char *buf, size_t n, double v)
{
    if (!isfinite(v)) {
        snprintf(buf, n, "%s", isnan(v) ? "-" : v < 0 ? "-inf" : "inf");
        return;
    }
    double a = fabs(v);
    const char *sfx = "";
    if (a < 0.5) {                     /* rounding noise of an exact zero */
        snprintf(buf, n, "$0");
        return;
    }
    if (a >= 1e9) { a /= 1e9; sfx = "B"; }
    else if (a >= 1e6) { a /= 1e6; sfx = "M"; }
    else if (a >= 1e3) { a /= 1e3; sfx = "k"; }
    snprintf(buf, n, "%s$%.3g%s", v < 0 ? "-" : "", a, sfx);
}

/* "$1.23B ±0.05B" with the se in the value's suffix. */
static void money_se(char *buf, size_t n, double v, double se)
{
    char a[32], b[32];
    money(a, sizeof a, v);
    money(b, sizeof b, se);
    snprintf(buf, n, "%s ±%s", a, b[0] == '$' ? b + 1 : b);
}

/* |swing| of key k at the tornado allocation: the bar's length. */
static double bar(const sens *s, int k)
{
    return fabs(s->swing[(size_t)k * (size_t)s->A + (size_t)s->t_alloc]);
}

static void print_tornado(const sens *s, FILE *out)
{
    const int t = s->t_alloc, b = s->base_alloc;
    const block *bl = b >= 0 ? &s->gain : &s->npv;
    char what[96], c[4][96];
    if (b >= 0)
        snprintf(what, sizeof what, "mean gain of %g%% over %g%% (paired, same path)", 100 * s->alloc[t],
                 100 * s->alloc[b]);
    else
        snprintf(what, sizeof what, "mean NPV of %g%%", 100 * s->alloc[t]);
    money_se(c[0], sizeof c[0], bl->mean[cell(s, 0, 1, t)], bl->mean_se[cell(s, 0, 1, t)]);
    fprintf(out, "Sensitivity: %llu paths, seed %llu, common random numbers\n",
            (unsigned long long)s->n, (unsigned long long)s->a->seed);
    fprintf(out, "Tornado of the %s; base case %s\n\n", what, c[0]);
    char key[64][96];
    int w = 10;
    for (int k = 0; k < s->K; k++) {
        const hp_param *p = s->o->vary[k].p;
        snprintf(key[k], sizeof key[k], "%s%s%s%s", p->key, p->unit[0] ? " [" : "", p->unit,
                 p->unit[0] ? "]" : "");
        w = (int)strlen(key[k]) > w ? (int)strlen(key[k]) : w;
    }
    fprintf(out, "%-*s %11s %11s %17s %17s %17s\n", w, "key [unit]", "low", "high", "at low", "at high",
            "swing (high-low)");
    int order[64];
    for (int k = 0; k < s->K; k++)
        order[k] = k;
    for (int i = 1; i < s->K; i++)          /* longest bar first; ties keep their order */
        for (int j = i; j > 0 && bar(s, order[j]) > bar(s, order[j - 1]); j--) {
            int tmp = order[j];
            order[j] = order[j - 1];
            order[j - 1] = tmp;
        }
    for (int i = 0; i < s->K; i++) {
        int k = order[i];
        money_se(c[0], sizeof c[0], bl->mean[cell(s, k, 0, t)], bl->mean_se[cell(s, k, 0, t)]);
        money_se(c[1], sizeof c[1], bl->mean[cell(s, k, 2, t)], bl->mean_se[cell(s, k, 2, t)]);
        money_se(c[2], sizeof c[2], s->swing[(size_t)k * (size_t)s->A + (size_t)t],
                 s->swing_se[(size_t)k * (size_t)s->A + (size_t)t]);
        fprintf(out, "%-*s %11.6g %11.6g %17s %17s %17s\n", w, key[k], s->value[k * NLEV], s->value[k * NLEV + 2],
                c[0], c[1], c[2]);
    }
    fprintf(out, "\n± is one standard error. \"at low/high\" are the %s with the key at that\n"
            "value; the swing is their difference path by path (its error is paired, hence small).\n",
            b >= 0 ? "mean gain" : "mean NPV");
}

/* ---- the analysis ---------------------------------------------------------- */

int hp_vary_parse(const hp_an *a, const char *text, hp_vary *v, hp_err *err)
{
    const char *eq = strchr(text, '='), *colon = eq ? strchr(eq + 1, ':') : NULL;
    if (eq == NULL || colon == NULL)
        return hp_fail(err, NULL, 0, "--vary", "'%s' is not KEY=LOW:HIGH", text);
    char key[128];
    if ((size_t)(eq - text) >= sizeof key)
        return hp_fail(err, NULL, 0, "--vary", "'%s': key too long", text);
    memcpy(key, text, (size_t)(eq - text));
    key[eq - text] = '\0';
    if ((v->p = hp_an_key(a, key, "--vary", err)) == NULL)
        return -1;
    char *end;
    v->low = strtod(eq + 1, &end);
    if (end == eq + 1 || end != colon || !isfinite(v->low))
        return hp_fail(err, NULL, 0, "--vary", "'%s': LOW is not a number", text);
    v->high = strtod(colon + 1, &end);
    if (end == colon + 1 || *end != '\0' || !isfinite(v->high))
        return hp_fail(err, NULL, 0, "--vary", "'%s': HIGH is not a number", text);
    if (!(v->low < v->high))
        return hp_fail(err, NULL, 0, "--vary", "'%s': LOW must be below HIGH", text);
    char buf[160];
    if (hp_an_set_text(v->p, v->low, buf, sizeof buf) || hp_an_set_text(v->p, v->high, buf, sizeof buf))
        return hp_fail(err, NULL, 0, "--vary", "'%s': %s is an integer key", text, key);
    return 0;
}

int hp_sensitivity(const hp_an *a, const hp_sens_opts *o, hp_anfile *f, FILE *out, hp_err *err)
{
    sens s = {.a = a, .o = o, .K = o->n_vary, .n = a->n_paths, .base_alloc = -1};
    double t0 = hp_an_now();
    int rc = build_all(&s, err);
    if (rc == 0 && (s.t_alloc = tornado_alloc(&s, err)) < 0)
        rc = -1;
    if (rc == 0)
        rc = hp_an_check_memory(a, (size_t)s.A, (size_t)s.n_var + (size_t)s.K + 1, err);
    if (rc == 0)
        rc = sens_alloc(&s, err);
    for (int i = 0; s.var != NULL && i < s.n_var; i++) {
        s.n_revalued += s.var[i].revalued;
        s.n_runs += s.var[i].same_as < 0 && !s.var[i].revalued;
    }
    const int runs = s.n_runs;
    if (rc == 0 && !o->quiet)
        fprintf(stderr, "sensitivity: %d simulated run%s of %llu paths (base, then each key low and high), "
                "%d level%s revalued on the base case's paths (valuation keys)\n", runs, runs == 1 ? "" : "s",
                (unsigned long long)s.n, s.n_revalued, s.n_revalued == 1 ? "" : "s");
    if (rc == 0)
        rc = run_all(&s, err);
    for (int k = 0; rc == 0 && k < s.K; k++) {
        if (k == 0)
            level_stats(&s, 0, 1);
        else
            for (int x = 0; x < s.A; x++) {
                block_copy(&s.npv, cell(&s, k, 1, x), cell(&s, 0, 1, x));
                block_copy(&s.gain, cell(&s, k, 1, x), cell(&s, 0, 1, x));
            }
        level_stats(&s, k, 0);
        level_stats(&s, k, 2);
        swing_stats(&s, k);
    }
    if (rc == 0) {
        double dt = hp_an_now() - t0;
        if (!o->quiet)
            fprintf(stderr, "timing: %d simulated runs x %llu paths (and %d revalued) in %.2f s "
                    "(%.0f simulated paths/s)\n", runs, (unsigned long long)s.n, s.n_revalued, dt,
                    (double)runs * (double)s.n / dt);
        if (f != NULL)
            write_file(&s, f);
        print_tornado(&s, out);
    }
    sens_free(&s);
    return rc;
}
