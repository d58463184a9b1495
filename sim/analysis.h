/* analysis: the sensitivity, solve and gsa commands, below the CLI.
 *
 * Each takes a prepared hp_an (anrun.h: the config, the user's overrides,
 * threads, seed, paths) and its own options, prints its table to `out`
 * and, where it writes a file, fills an open hp_anfile. Progress and
 * timing go to stderr unless quiet. */
#ifndef HP_ANALYSIS_H
#define HP_ANALYSIS_H

#include <stdio.h>
#include "anfile.h"
#include "anrun.h"
#include "target.h"

/* One key with two values, from --vary KEY=LOW:HIGH. */
typedef struct hp_vary {
    const hp_param *p;
    double low, high;
} hp_vary;

/* Parses "KEY=LOW:HIGH" (LOW < HIGH, both numbers; integral for an integer
 * key) against the analysis's tables. */
int hp_vary_parse(const hp_an *a, const char *text, hp_vary *v, hp_err *err);

typedef struct hp_sens_opts {
    const hp_vary *vary;
    int n_vary;
    double alloc;          /* the allocation whose gain ranks the tornado; NaN: 0.2 if present, else the largest */
    int quiet;
} hp_sens_opts;

/* The base case and each key at LOW and at HIGH, on the same paths; the
 * /sensitivity group (docs/output.md) and the tornado table. */
int hp_sensitivity(const hp_an *a, const hp_sens_opts *o, hp_anfile *f, FILE *out, hp_err *err);

typedef enum hp_se_method { HP_SE_DELTA, HP_SE_BATCHES } hp_se_method;

typedef struct hp_solve_opts {
    hp_vary vary;          /* the key and its bracket                         */
    hp_target target;      /* parsed with its "= value"                       */
    hp_se_method se;
    int batches;           /* HP_SE_BATCHES: how many (>= 2)                  */
    double xtol;           /* absolute tolerance on the key; <= 0: default    */
    int quiet;
} hp_solve_opts;

typedef struct hp_solve_result {
    double root, se;
    double stat_at_root, stat_se;     /* the statistic and its se there    */
    double slope;                     /* d statistic / d key (delta method) */
    int evaluations;
} hp_solve_result;

/* Root of stat(key) = value in [low, high] by Brent's method on common
 * random numbers; its se by the delta method or by batches. Prints the
 * iterations, then as its last line "KEY = VALUE ± SE". */
int hp_solve(const hp_an *a, const hp_solve_opts *o, FILE *out, hp_solve_result *res, hp_err *err);

#endif
