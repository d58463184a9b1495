/* testutil: building the scenario model from overrides, finding outputs. */
#ifndef HP_TESTUTIL_H
#define HP_TESTUTIL_H

#include <stddef.h>
#include <stdint.h>
#include "config.h"
#include "model.h"

/* Defaults of the engine's and the scenario's tables, then `sets`. Aborts
 * with the message on a config error (tests pass valid configs). */
hp_config *tu_config(const char *const *sets, size_t n_sets);

/* The start of variable `name` in a path's result array (aborts if absent). */
const double *tu_var(const hp_layout *l, const double *result, const char *name);

/* The scenario model built from overrides, with a result buffer and a
 * workspace: tu_sim_open (exits with the message if the model cannot be
 * built), tu_sim_path (one path at `seed`), tu_sim_var, tu_sim_close. */
typedef struct tu_sim {
    hp_config *cfg;
    void *m;
    const hp_layout *l;
    double *out;
    void *ws;
} tu_sim;

void tu_sim_open(tu_sim *s, const char *const *sets, size_t n);
void tu_sim_path(tu_sim *s, uint64_t seed, uint64_t path);
const double *tu_sim_var(const tu_sim *s, const char *name);
void tu_sim_close(tu_sim *s);

/* Writes text to dir/name; returns the path (valid until the next call). */
const char *tu_put(const char *dir, const char *name, const char *text);

#endif
