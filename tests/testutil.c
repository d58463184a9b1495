/* testutil: see testutil.h. */
#include "testutil.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "driver.h"
#include "scenario.h"

/* Same table order as the CLI: engine first, then the model. */
hp_config *tu_config(const char *const *sets, size_t n_sets)
{
    const hp_param *tables[64];
    hp_run_params(&hp_scenario_model, tables, 64);
    hp_err err = {0};
    hp_config *c = hp_config_load(tables, NULL, sets, n_sets, &err);
    if (c == NULL) {
        fprintf(stderr, "tu_config: %s\n", err.msg);
        abort();
    }
    return c;
}

/* Walks the layout's variables to the named one. */
const double *tu_var(const hp_layout *l, const double *result, const char *name)
{
    size_t off = 0;
    for (int i = 0; i < l->n_vars; i++) {
        if (strcmp(l->vars[i].name, name) == 0)
            return result + off;
        off += hp_var_size(l, &l->vars[i]);
    }
    fprintf(stderr, "tu_var: no variable %s\n", name);
    abort();
}
