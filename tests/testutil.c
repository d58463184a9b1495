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

void tu_sim_open(tu_sim *s, const char *const *sets, size_t n)
{
    s->cfg = tu_config(sets, n);
    hp_err err = {0};
    s->m = hp_scenario_model.create(s->cfg, &err);
    if (s->m == NULL) {
        fprintf(stderr, "create: %s\n", err.msg);
        exit(1);
    }
    s->l = hp_scenario_model.layout(s->m);
    s->out = calloc(hp_layout_path_size(s->l), sizeof(double));
    s->ws = malloc(hp_scenario_model.scratch_bytes(s->m));
    if (s->out == NULL || s->ws == NULL) {
        fprintf(stderr, "tu_sim_open: out of memory\n");
        exit(1);
    }
}

void tu_sim_path(tu_sim *s, uint64_t seed, uint64_t path)
{
    hp_scenario_model.simulate_path(s->m, seed, path, s->out, s->ws);
}

const double *tu_sim_var(const tu_sim *s, const char *name)
{
    return tu_var(s->l, s->out, name);
}

void tu_sim_close(tu_sim *s)
{
    free(s->out);
    free(s->ws);
    hp_scenario_model.destroy(s->m);
    hp_config_free(s->cfg);
}

const char *tu_put(const char *dir, const char *name, const char *text)
{
    static char path[512];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    FILE *f = fopen(path, "w");
    if (f == NULL || fputs(text, f) < 0 || fclose(f) != 0) {
        perror(path);
        exit(2);
    }
    return path;
}
