/* anrun: config variants and model builds for the analyses (anrun.h). */
#include "anrun.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "stats.h"

const hp_param *hp_an_key(const hp_an *a, const char *key, const char *what, hp_err *err)
{
    for (const hp_param *const *t = a->tables; *t != NULL; t++)
        for (const hp_param *p = *t; p->key != NULL; p++) {
            if (strcmp(p->key, key) != 0)
                continue;
            if (strncmp(key, "simulation.", 11) == 0 || strncmp(key, "output.", 7) == 0)
                hp_fail(err, NULL, 0, what, "%s cannot be varied: it changes the paths or only the "
                        "output, not the model", key);
            else if (p->type != HP_DOUBLE && p->type != HP_INT)
                hp_fail(err, NULL, 0, what, "%s is not a number (it is declared as a %s)", key,
                        p->type == HP_DOUBLE_LIST ? "list" : p->type == HP_BOOL ? "boolean" : "text");
            else
                return p;
            return NULL;
        }
    hp_fail(err, NULL, 0, what, "unknown key '%s' (`hashpivot params` lists them)", key);
    return NULL;
}

int hp_an_set_text(const hp_param *p, double v, char *buf, size_t n)
{
    if (p->type == HP_INT) {
        if (v != floor(v) || fabs(v) > 9.2e18)
            return -1;
        snprintf(buf, n, "%s=%lldL", p->key, (long long)v);
        return 0;
    }
    /* The shortest of %.15g..%.17g that reads back as v (0.05, not
     * 0.050000000000000003); libconfig reads 1e+20 and 5 for a float key. */
    for (int digits = 15; digits <= 17; digits++) {
        snprintf(buf, n, "%s=%.*g", p->key, digits, v);
        if (strtod(strchr(buf, '=') + 1, NULL) == v)
            break;
    }
    return 0;
}

double hp_an_value(const hp_config *cfg, const hp_param *p)
{
    return p->type == HP_INT ? (double)hp_cfg_int(cfg, p->key) : hp_cfg_double(cfg, p->key);
}

void *hp_an_build(const hp_an *a, const char *const *extra, size_t n_extra, hp_config **cfg,
                  hp_err *err)
{
    const char *sets[HP_AN_MAX_SETS];
    size_t n = 0;
    if (a->n_sets + n_extra > HP_AN_MAX_SETS) {
        hp_fail(err, NULL, 0, NULL, "more than %d overrides", HP_AN_MAX_SETS);
        return NULL;
    }
    for (size_t i = 0; i < a->n_sets; i++)
        sets[n++] = a->sets[i];
    for (size_t i = 0; i < n_extra; i++)
        sets[n++] = extra[i];
    *cfg = hp_config_load(a->tables, a->config, sets, n, err);
    void *m = *cfg != NULL ? a->model->create(*cfg, err) : NULL;
    if (m != NULL && a->model->prepare != NULL && a->model->prepare(m, 0, 1, err) != 0) {
        a->model->destroy(m);
        m = NULL;
    }
    if (m == NULL) {
        hp_config_free(*cfg);
        *cfg = NULL;
    }
    return m;
}

void hp_an_destroy(const hp_an *a, void *m, hp_config *cfg)
{
    if (m != NULL)
        a->model->destroy(m);
    hp_config_free(cfg);
}

int hp_an_init(hp_an *a, hp_err *err)
{
    hp_config *cfg;
    void *m = hp_an_build(a, NULL, 0, &cfg, err);
    if (m == NULL)
        return -1;
    a->seed = (uint64_t)hp_cfg_int(cfg, "simulation.seed");
    a->n_paths = (uint64_t)hp_cfg_int(cfg, "simulation.n_paths");
    /* The analyses' standard errors and intervals treat paths as
     * independent; quasi-random paths are not (their error is the spread
     * between scrambles), so they are refused rather than misreported. */
    int qmc = a->model->layout(m)->qmc_points > 0;
    int rc = qmc ? hp_cfg_fail(cfg, err, "simulation.sampler", "\"sobol\" is for `run`: the analyses' "
                               "errors assume independent paths; use \"pseudo\"") : 0;
    hp_an_destroy(a, m, cfg);
    return rc;
}

int hp_an_check_memory(const hp_an *a, size_t width, size_t n_arrays, hp_err *err)
{
    double need = (double)a->n_paths * (double)width * (double)n_arrays * sizeof(double);
    if (need > (double)HP_SAMPLE_BUDGET_BYTES)
        return hp_fail(err, NULL, 0, NULL, "%llu paths need %.1f GiB of per-path values for exact "
                       "quantiles (budget %.0f GiB): use fewer paths (-n)", (unsigned long long)a->n_paths,
                       need / 1073741824.0, (double)HP_SAMPLE_BUDGET_BYTES / 1073741824.0);
    return 0;
}

double hp_an_now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

int hp_an_revaluable(const hp_an *a, const void *m, const char *const *keys, int n)
{
    if (a->simulate_all || a->model->valuation_key == NULL || a->model->revalue == NULL)
        return 0;
    for (int i = 0; i < n; i++)
        if (!a->model->valuation_key(m, keys[i]))
            return 0;
    return 1;
}

int hp_an_record(const hp_an *a, const char *who, const char *const *keys, int n, int quiet,
                 hp_recorded *rec, hp_err *err)
{
    *rec = (hp_recorded){0};
    hp_config *cfg;
    void *m = hp_an_build(a, NULL, 0, &cfg, err);
    if (m == NULL)
        return -1;
    int rc = 0, revaluable = hp_an_revaluable(a, m, keys, n);
    if (!revaluable || a->record_budget == 0) {
        if (!quiet)
            fprintf(stderr, "%s: every run simulated (%s)\n", who, a->simulate_all ? "--simulate-all"
                    : !revaluable ? (n == 1 ? "the key is not a valuation key of this config"
                                            : "not every key is a valuation key of this config")
                                  : "--record-mib 0");
    } else {
        double t0 = hp_an_now();
        rc = hp_recorded_init(rec, a->model, m, a->seed, 0, a->n_paths, a->record_budget,
                              a->threads, err);
        if (rc == 0 && !quiet)
            fprintf(stderr, "%s: valuation key%s: every run revalued on the base case's recorded paths "
                    "(%llu of %llu kept, %.0f MiB, recorded in %.2f s; the rest simulated)\n", who,
                    n == 1 ? "" : "s", (unsigned long long)rec->count, (unsigned long long)a->n_paths,
                    (double)rec->bytes / 1048576.0, hp_an_now() - t0);
    }
    /* The base model goes: revaluation reads only the kept paths. */
    hp_an_destroy(a, m, cfg);
    return rc;
}
