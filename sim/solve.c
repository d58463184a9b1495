/* solve: break-even values by root-finding on common random numbers.
 *
 * g(x) = stat(x) - value, where stat(x) is the target statistic of a run
 * with the key set to x, always on the same seed and path indices: g is
 * then one fixed function of x (the sample function), smooth where the
 * model is (a mean of NPVs), a staircase for P(...) with a step wherever
 * a path changes sides. Brent's method (Brent 1973, "zero": inverse
 * quadratic interpolation, secant, and bisection as a fallback) finds its
 * root in [low, high] for both: on a staircase it closes in on the step.
 *
 * Standard error of the root, two ways:
 *   delta    the root moves by -(error of stat) / slope, so
 *            se(root) = se(stat at the root) / |g'(root)|; g' by a central
 *            difference, over a window where at least 20 paths change
 *            sides for P(...) (the staircase has no local slope);
 *   batches  the paths are cut into B batches, the root is solved on each
 *            (each on its own common random numbers), and
 *            se(root) = sd(batch roots) / sqrt(B). It assumes nothing about
 *            the slope, costs about one more solve, and needs each batch's
 *            own root to lie in [low, high]. */
#include "analysis.h"

#include <float.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#define MAX_EVALS 200
#define FLIP_PATHS 20        /* P(...): paths that must change sides in the slope window */

typedef struct solver {
    const hp_an *a;
    const hp_solve_opts *o;
    hp_target t;             /* bound to each model in turn              */
    uint64_t first, count;   /* the paths of this solve (a batch, or all) */
    double *x;               /* [count] per-path values                   */
    int evals;
    int verbose;
    int cached;              /* the last evaluation, reused at the root    */
    double cached_v;
    hp_est cached_e;
    hp_recorded rec;         /* the base case's paths, when the key is a
                              * valuation key: each evaluation revalues them */
} solver;

/* stat at key = v, on this solver's paths. */
static int eval(solver *s, double v, hp_est *e, hp_err *err)
{
    if (s->cached && s->cached_v == v) {
        *e = s->cached_e;
        return 0;
    }
    char set[160];
    hp_an_set_text(s->o->vary.p, v, set, sizeof set);
    const char *sets[1] = {set};
    hp_config *cfg;
    void *m = hp_an_build(s->a, sets, 1, &cfg, err);
    if (m == NULL)
        return -1;
    const char *key = s->o->vary.p->key;
    const hp_recorded *rec = s->rec.count > 0 && hp_an_revaluable(s->a, m, &key, 1) ? &s->rec : NULL;
    int rc = hp_target_bind(&s->t, s->a->model->layout(m), "--target", err);
    if (rc == 0)
        rc = hp_target_eval_from(&s->t, rec, s->a->model, m, s->a->seed, s->first, s->count, s->a->threads,
                                 s->x, e, err);
    hp_an_destroy(s->a, m, cfg);
    if (rc != 0)
        return -1;
    s->evals++;
    s->cached = 1;
    s->cached_v = v;
    s->cached_e = *e;
    if (s->verbose)
        fprintf(stderr, "solve: %s = %.12g: %.9g (se %.3g)\n", s->o->vary.p->key, v, e->value, e->se);
    return 0;
}

/* g = stat - value at v. */
static int g(solver *s, double v, double *out, hp_err *err)
{
    hp_est e;
    if (eval(s, v, &e, err) != 0)
        return -1;
    *out = e.value - s->o->target.value;
    return 0;
}

/* Brent's zero on [lo, hi]; *root on success. */
static int brent(solver *s, double lo, double hi, double xtol, double *root, hp_err *err)
{
    double a = lo, b = hi, fa, fb;
    if (g(s, a, &fa, err) != 0 || g(s, b, &fb, err) != 0)
        return -1;
    if ((fa > 0 && fb > 0) || (fa < 0 && fb < 0))
        return hp_fail(err, NULL, 0, "--target", "not bracketed: %s - %.6g is %.6g at %s = %.9g and %.6g "
                       "at %.9g (same sign); widen LOW:HIGH", s->t.text, s->o->target.value, fa,
                       s->o->vary.p->key, lo, fb, hi);
    double c = a, fc = fa, d = b - a, e = d;
    for (int it = 0; it < MAX_EVALS; it++) {
        if ((fb > 0 && fc > 0) || (fb < 0 && fc < 0)) {
            c = a;
            fc = fa;
            d = e = b - a;
        }
        if (fabs(fc) < fabs(fb)) {
            a = b; b = c; c = a;
            fa = fb; fb = fc; fc = fa;
        }
        double tol = 2 * DBL_EPSILON * fabs(b) + 0.5 * xtol, xm = 0.5 * (c - b);
        if (fabs(xm) <= tol || fb == 0) {
            *root = b;
            return 0;
        }
        if (fabs(e) >= tol && fabs(fa) > fabs(fb)) {
            double p, q, r, sr = fb / fa;
            if (a == c) {                      /* secant */
                p = 2 * xm * sr;
                q = 1 - sr;
            } else {                           /* inverse quadratic */
                q = fa / fc;
                r = fb / fc;
                p = sr * (2 * xm * q * (q - r) - (b - a) * (r - 1));
                q = (q - 1) * (r - 1) * (sr - 1);
            }
            if (p > 0)
                q = -q;
            else
                p = -p;
            if (2 * p < fmin(3 * xm * q - fabs(tol * q), fabs(e * q))) {
                e = d;
                d = p / q;
            } else {
                d = xm;
                e = d;
            }
        } else {                               /* bisection */
            d = xm;
            e = d;
        }
        a = b;
        fa = fb;
        b += fabs(d) > tol ? d : copysign(tol, xm);
        if (g(s, b, &fb, err) != 0)
            return -1;
    }
    return hp_fail(err, NULL, 0, "--target", "no convergence in %d evaluations", MAX_EVALS);
}

/* The statistic's slope at the root by a central difference (one-sided at
 * an end of the bracket); for P(...) the window widens until FLIP_PATHS
 * paths change sides. */
static int slope_at(solver *s, double r, double *slope, double *h_used, hp_err *err)
{
    const double lo = s->o->vary.low, hi = s->o->vary.high, range = hi - lo;
    double h = s->t.kind == HP_STAT_PROB ? range / 1000 : range * 1e-4;
    for (;;) {
        double x0 = fmax(lo, r - h), x1 = fmin(hi, r + h);
        hp_est e0, e1;
        if (eval(s, x0, &e0, err) != 0 || eval(s, x1, &e1, err) != 0)
            return -1;
        *slope = (e1.value - e0.value) / (x1 - x0);
        *h_used = h;
        double flipped = fabs(e1.value - e0.value) * (double)s->count;
        if (s->t.kind != HP_STAT_PROB || flipped >= FLIP_PATHS || h >= range / 4)
            return 0;
        h *= 2;
    }
}

static double default_xtol(const hp_solve_opts *o)
{
    return o->xtol > 0 ? o->xtol : 1e-10 * (o->vary.high - o->vary.low);
}

static int solve_all(const hp_an *a, const hp_solve_opts *o, FILE *out, hp_solve_result *res, hp_err *err)
{
    solver s = {.a = a, .o = o, .t = o->target, .first = 0, .count = a->n_paths, .verbose = !o->quiet};
    int sample = hp_target_needs_sample(&o->target);
    if (sample && hp_an_check_memory(a, 1, 1, err) != 0)
        return -1;
    size_t buf = sample || s.count < HP_TARGET_CHUNK ? (size_t)s.count : HP_TARGET_CHUNK;
    if ((s.x = malloc(buf * sizeof *s.x)) == NULL)
        return hp_fail(err, NULL, 0, NULL, "out of memory for %llu paths", (unsigned long long)s.count);
    const char *key = o->vary.p->key;
    if (hp_an_record(a, "solve", &key, 1, o->quiet, &s.rec, err) != 0) {
        free(s.x);
        return -1;
    }
    double root = NAN, slope = NAN, h = NAN, se = NAN;
    hp_est at = {NAN, NAN, NAN, NAN};
    int rc = brent(&s, o->vary.low, o->vary.high, default_xtol(o), &root, err);
    if (rc == 0)
        rc = eval(&s, root, &at, err);
    int root_evals = s.evals;
    if (rc == 0 && o->se == HP_SE_DELTA) {
        rc = slope_at(&s, root, &slope, &h, err);
        se = at.se == 0 ? 0 : at.se / fabs(slope);
    }
    if (rc == 0 && o->se == HP_SE_BATCHES) {
        hp_moments roots = {0};
        uint64_t per = a->n_paths / (uint64_t)o->batches;
        if (per < 1)
            rc = hp_fail(err, NULL, 0, "--batches", "%d batches of %llu paths: too few paths", o->batches,
                         (unsigned long long)a->n_paths);
        for (int b = 0; rc == 0 && b < o->batches; b++) {
            s.first = (uint64_t)b * per;
            s.cached = 0;
            s.count = per;
            double rb = NAN;
            if (brent(&s, o->vary.low, o->vary.high, default_xtol(o), &rb, err) != 0) {
                hp_err why = *err;
                hp_err_clear(err);
                rc = hp_fail(err, NULL, 0, NULL, "batch %d of %d (paths %llu-%llu): %s; use --se delta or "
                             "more paths", b + 1, o->batches, (unsigned long long)s.first,
                             (unsigned long long)(s.first + per - 1), why.msg);
            }
            if (rc == 0)
                hp_moments_add(&roots, rb);
        }
        se = hp_moments_sd(&roots) / sqrt((double)o->batches);
    }
    free(s.x);
    hp_recorded_free(&s.rec);
    if (rc != 0)
        return -1;
    *res = (hp_solve_result){root, se, at.value, at.se, slope, s.evals};
    char stat[256];
    const char *unit = o->vary.p->unit[0] ? o->vary.p->unit : "unit";
    fprintf(out, "solve: %s = %.9g for %s in [%.9g, %.9g]\n", hp_target_stat_text(&o->target, stat, sizeof stat),
            o->target.value, o->vary.p->key, o->vary.low, o->vary.high);
    fprintf(out, "  %llu paths, seed %llu, common random numbers; %d evaluations (%d for the root)\n",
            (unsigned long long)a->n_paths, (unsigned long long)a->seed, s.evals, root_evals);
    fprintf(out, "  at the root: %s = %.9g (se %.3g)\n", stat, at.value, at.se);
    if (o->se == HP_SE_DELTA)
        fprintf(out, "  SE by the delta method: se of the statistic at the root / |slope|, slope %.6g per %s\n"
                "  (central difference over +-%.3g)\n", slope, unit, h);
    else
        fprintf(out, "  SE from %d batches of %llu paths: sd of the batch roots / sqrt(%d)\n", o->batches,
                (unsigned long long)(a->n_paths / (uint64_t)o->batches), o->batches);
    fprintf(out, "%s = %.12g ± %.3g\n", o->vary.p->key, root, se);
    return 0;
}

int hp_solve(const hp_an *a, const hp_solve_opts *o, FILE *out, hp_solve_result *res, hp_err *err)
{
    if (o->vary.p->type != HP_DOUBLE)
        return hp_fail(err, NULL, 0, "--vary", "solve needs a real-valued key; %s is an integer",
                       o->vary.p->key);
    if (!o->target.has_value)
        return hp_fail(err, NULL, 0, "--target", "'%s' has no '= value'", o->target.text);
    return solve_all(a, o, out, res, err);
}
