/* target_se: the path count a standard error needs (target_se.h). */
#include "target_se.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "par.h"
#include "pathrun.h"

int hp_target_se_parse(const char *arg, uint64_t step, uint64_t max_paths, hp_target_se *t,
                       hp_err *err)
{
    if (hp_target_parse(arg, 1, "--target-se", &t->stat, err) != 0)
        return -1;
    if (!(t->stat.value > 0) || !isfinite(t->stat.value))
        return hp_fail(err, NULL, 0, "--target-se", "the standard error wanted must be a positive "
                       "number (got %g)", t->stat.value);
    t->step = step > 0 ? step : HP_TARGET_SE_STEP;
    t->max_paths = max_paths > 0 ? max_paths : HP_TARGET_SE_MAX;
    if (hp_target_needs_sample(&t->stat) && t->max_paths > HP_SAMPLE_BUDGET_BYTES / sizeof(double))
        return hp_fail(err, NULL, 0, "--max-paths", "%llu paths of a quantile or CVaR need %.3g GB "
                       "in memory, over the %.3g GB allowed", (unsigned long long)t->max_paths,
                       (double)t->max_paths * 8e-9, (double)HP_SAMPLE_BUDGET_BYTES * 1e-9);
    return 0;
}

/* The values of paths [first, first + count) in out, every rank simulating
 * a contiguous share and all of them gathered in path order. */
static int step_values(const hp_target *st, const hp_model *model, const void *m, uint64_t seed,
                       uint64_t first, uint64_t count, int threads, double *out, hp_err *err)
{
    uint64_t size = (uint64_t)hp_par_size(), rank = (uint64_t)hp_par_rank();
    uint64_t a = first + count * rank / size, b = first + count * (rank + 1) / size;
    hp_reducer r = hp_target_reducer(st);
    uint64_t *mine = hp_par_active() ? malloc((size_t)(b - a ? b - a : 1) * sizeof *mine) : NULL;
    int rc = hp_par_active() && mine == NULL ? hp_fail(err, NULL, 0, NULL, "out of memory")
             : hp_pathrun(model, m, seed, a, b - a, threads, &r, out, err);
    int agreed = hp_par_agree(rc, err);
    if (agreed != 0 || !hp_par_active()) {
        free(mine);
        return agreed;
    }
    memcpy(mine, out, (size_t)(b - a) * sizeof *out);       /* bit patterns, not values */
    size_t n_all = 0;
    uint64_t *all = hp_par_allgather_u64(mine, (size_t)(b - a), &n_all);
    free(mine);
    if (all == NULL || n_all != count) {
        free(all);
        return hp_fail(err, NULL, 0, NULL, "gathering the pilot's values failed");
    }
    memcpy(out, all, (size_t)count * sizeof *out);
    free(all);
    return 0;
}

int hp_target_se_find(hp_target_se *t, const hp_model *model, const void *m, uint64_t seed,
                      int threads, hp_target_se_result *res, hp_err *err)
{
    if (hp_target_bind(&t->stat, model->layout(m), "--target-se", err) != 0)
        return -1;
    const int sample = hp_target_needs_sample(&t->stat);
    const double want = t->stat.value;
    size_t cap = sample ? (size_t)t->max_paths : (size_t)t->step;
    double *x = malloc((cap ? cap : 1) * sizeof *x), *sorted = sample ? malloc(cap * sizeof *x) : NULL;
    if (x == NULL || (sample && sorted == NULL)) {
        free(x);
        free(sorted);
        return hp_fail(err, NULL, 0, "--target-se", "out of memory for %zu values", cap);
    }
    hp_moments mo = {0};
    hp_count c = {0};
    uint64_t n = 0;
    hp_est est = {NAN, NAN, NAN, NAN};
    int rc = 0, reached = 0;
    while (n < t->max_paths && !reached) {
        uint64_t count = t->max_paths - n < t->step ? t->max_paths - n : t->step;
        double *dst = sample ? x + n : x;
        if ((rc = step_values(&t->stat, model, m, seed, n, count, threads, dst, err)) != 0)
            break;
        n += count;
        if (sample) {
            memcpy(sorted, x, (size_t)n * sizeof *x);
            est = hp_target_stat(&t->stat, sorted, (size_t)n);
        } else {
            hp_target_fold(&t->stat, x, (size_t)count, &mo, &c);
            est = hp_target_folded(&t->stat, &mo, &c);
        }
        reached = est.se < want;     /* NaN (an open quantile interval): not yet */
    }
    free(x);
    free(sorted);
    if (rc != 0)
        return -1;
    *res = (hp_target_se_result){ n, est, reached };
    return 0;
}
