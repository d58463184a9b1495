/* testutil: building the scenario model from overrides, finding outputs. */
#ifndef HP_TESTUTIL_H
#define HP_TESTUTIL_H

#include <stddef.h>
#include "config.h"
#include "model.h"

/* Defaults of the engine's and the scenario's tables, then `sets`. Aborts
 * with the message on a config error (tests pass valid configs). */
hp_config *tu_config(const char *const *sets, size_t n_sets);

/* The start of variable `name` in a path's result array (aborts if absent). */
const double *tu_var(const hp_layout *l, const double *result, const char *name);

#endif
