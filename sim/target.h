/* target: the little language of `solve --target` and `gsa --stat`.
 *
 *   target    := statistic [ "=" number ]
 *   statistic := "mean" "(" expr ")"
 *              | "P" "(" expr cmp expr ")"
 *              | "quantile" "(" expr "," number ")"      p in (0, 1)
 *              | "cvar" "(" expr "," number ")"          alpha in (0, 1)
 *   expr      := [ "-" ] term { ( "+" | "-" ) term }
 *   term      := number [ "*" ref ] | ref
 *   ref       := name "[" number "]"
 *   cmp       := ">" | "<" | ">=" | "<="
 *
 * `name` is an output variable of shape [allocation, path], by its full
 * name ("valuation/npv") or its last part ("npv"); the number in brackets
 * is an allocation of the config (0.2 for 20%). Examples:
 *
 *   mean(npv[0.2] - npv[0]) = 0         break-even of the mean gain
 *   P(npv[0.2] > npv[0]) = 0.5          converting wins on half the paths
 *   quantile(npv[0.5] - npv[0], 0.05) = -1e9
 *
 * Each path gives one number x, the expression (for P: the left side less
 * the right); the statistic is mean(x), P(x > 0) or P(x < 0) (>= and <=
 * count ties as events), the type-7 quantile of x, or CVaR = -(the mean of
 * the worst alpha share of x): stats.h has the definitions and the errors.
 * Anything else is refused with the column of the first unexpected
 * character. */
#ifndef HP_TARGET_H
#define HP_TARGET_H

#include <stddef.h>
#include "hp_err.h"
#include "model.h"
#include "pathrun.h"
#include "recorded.h"
#include "stats.h"

#define HP_TARGET_TERMS 16

typedef enum hp_stat_kind { HP_STAT_MEAN, HP_STAT_PROB, HP_STAT_QUANTILE, HP_STAT_CVAR } hp_stat_kind;

typedef struct hp_target_term {
    double coef;
    char var[64];       /* the name as written                            */
    double alloc;       /* the allocation as written                      */
    size_t offset;      /* in a path's result array, once bound           */
} hp_target_term;

typedef struct hp_target {
    char text[256];
    hp_stat_kind kind;
    int n_terms;
    hp_target_term term[HP_TARGET_TERMS];
    double constant;    /* x = constant + sum coef * value               */
    int cmp;            /* P only: +1 x > 0, +2 x >= 0, -1 x < 0, -2 x <= 0 */
    double param;       /* quantile p, or cvar alpha                      */
    int has_value;
    double value;       /* right side of "="                              */
} hp_target;

/* Parses text (whole, strictly). need_value: 1 the "= number" is required,
 * 0 it is refused, -1 either. Errors name `what` (e.g. "--target"). */
int hp_target_parse(const char *text, int need_value, const char *what, hp_target *t, hp_err *err);

/* Resolves variable names and allocations against a model's layout (again
 * for each model built: offsets depend on the config). */
int hp_target_bind(hp_target *t, const hp_layout *l, const char *what, hp_err *err);

/* A reducer giving each path's x (width 1); t must stay alive. */
hp_reducer hp_target_reducer(const hp_target *t);

/* The statistic of x[0..n) with its error; x may be reordered (sorted). */
hp_est hp_target_stat(const hp_target *t, double *x, size_t n);

/* Paths per chunk when the statistic needs no sample (mean, P). */
#define HP_TARGET_CHUNK ((size_t)1 << 16)

/* Does the statistic need every path's value at once (quantile, cvar)? */
int hp_target_needs_sample(const hp_target *t);

/* The statistic over paths [first, first + count) of model m, bound to
 * it. A mean or a P is summed chunk by chunk in path order (buf holds
 * min(count, HP_TARGET_CHUNK) doubles: memory flat in the path count; the
 * same bits as one pass); a quantile or CVaR needs buf to hold count. */
int hp_target_eval(const hp_target *t, const hp_model *model, const void *m, uint64_t seed, uint64_t first,
                   uint64_t count, int threads, double *buf, hp_est *out, hp_err *err);

/* hp_target_eval with the kept paths of rec (NULL: none) revalued by m,
 * which differs from rec's model only in valuation keys: the same bits. */
int hp_target_eval_from(const hp_target *t, const hp_recorded *rec, const hp_model *model, const void *m,
                        uint64_t seed, uint64_t first, uint64_t count, int threads, double *buf, hp_est *out,
                        hp_err *err);

/* The statistic's unit: "1" for P(...), else the unit of the first
 * variable named (bound or not: looked up in l). */
const char *hp_target_units(const hp_target *t, const hp_layout *l);

/* A mean or a P accumulated in path order, part by part: folding the
 * values of consecutive ranges gives the same bits as hp_target_stat on
 * all of them at once. */
void hp_target_fold(const hp_target *t, const double *x, size_t n, hp_moments *mo, hp_count *c);
hp_est hp_target_folded(const hp_target *t, const hp_moments *mo, const hp_count *c);

/* The statistic as text: "mean(npv[0.2] - npv[0])" (without "= value"). */
const char *hp_target_stat_text(const hp_target *t, char *buf, size_t len);

#endif
