/* The thesis (validation 6a): configs/vaneck_2024.cfg, run through the
 * model API, reproduces VanEck's $13.9B of AI/HPC revenue a year (every
 * calendar year and the horizon mean) and $37.6B NPV (of the AI/HPC
 * business alone, valuation/npv_hpc) within 1%. The config is
 * deterministic, so one path is every path.
 *
 *   test_thesis CONFIG */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>

#include "check.h"
#include "driver.h"
#include "scenario.h"
#include "testutil.h"

int main(int argc, char **argv)
{
    if (argc < 2) {
        fprintf(stderr, "usage: test_thesis CONFIG\n");
        return 2;
    }
    const hp_param *tables[64];
    hp_run_params(&hp_scenario_model, tables, 64);
    hp_err err = {0};
    hp_config *cfg = hp_config_load(tables, argv[1], NULL, 0, &err);
    CHECK_MSG(cfg != NULL, "%s", err.msg);
    if (cfg == NULL)
        return CHECK_DONE();
    void *m = hp_scenario_model.create(cfg, &err);
    CHECK_MSG(m != NULL, "%s", err.msg);
    if (m == NULL)
        return CHECK_DONE();
    const hp_layout *l = hp_scenario_model.layout(m);
    double *out = calloc(hp_layout_path_size(l), sizeof(double));
    void *ws = malloc(hp_scenario_model.scratch_bytes(m));
    hp_scenario_model.simulate_path(m, 1, 0, out, ws);

    int a = -1;
    for (int i = 0; i < l->n_alloc; i++)
        if (fabs(l->alloc[i] - 0.2) < 1e-12)
            a = i;
    CHECK(a >= 0);
    if (a < 0)
        return CHECK_DONE();
    const double *rev = tu_var(l, out, "cashflow/hpc_revenue") + (size_t)a * l->n_years;
    double total = 0;
    for (int y = 0; y < l->n_years; y++) {
        total += rev[y];
        CHECK_MSG(fabs(rev[y] / 13.9e9 - 1) < 0.01, "%d: HPC revenue $%.4gB", l->year[y], rev[y] / 1e9);
    }
    double per_year = total * 365.25 / l->n_days;
    double npv = tu_var(l, out, "valuation/npv_hpc")[a];
    printf("VanEck 2024: HPC revenue $%.3fB a year (thesis $13.9B), NPV of AI/HPC $%.3fB "
           "(thesis $37.6B), over %d years\n", per_year / 1e9, npv / 1e9, l->n_years);
    CHECK_REL(per_year, 13.9e9, 0.01);
    CHECK_REL(npv, 37.6e9, 0.01);
    CHECK(l->n_years == 13);

    free(out);
    free(ws);
    hp_scenario_model.destroy(m);
    hp_config_free(cfg);
    return CHECK_DONE();
}
