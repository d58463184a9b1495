/* pathrun: per-path reductions equal direct simulate_path() calls, bit for
 * bit, whatever the thread count and however the paths are split into
 * ranges. */
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "pathrun.h"
#include "scenario.h"
#include "testutil.h"

#define PATHS 300

int main(void)
{
    const char *sets[] = {"time.horizon_years=2.0"};
    hp_config *cfg = tu_config(sets, 1);
    hp_err err = {0};
    void *m = hp_scenario_model.create(cfg, &err);
    CHECK_MSG(m != NULL, "%s", err.msg);
    if (m == NULL)
        return 1;
    const hp_layout *l = hp_scenario_model.layout(m);
    hp_var_slice ctx;
    hp_reducer r;
    CHECK(hp_reducer_var(l, "valuation/npv", 1.0, &ctx, &r, &err) == 0);
    CHECK(r.width == (size_t)l->n_alloc);
    CHECK(hp_reducer_var(l, "valuation/no_such", 1.0, &ctx, &r, &err) != 0 && err.set);
    hp_err_clear(&err);
    hp_reducer_var(l, "valuation/npv", 1.0, &ctx, &r, &err);

    size_t w = r.width;
    double *one = malloc(PATHS * w * sizeof *one), *two = malloc(PATHS * w * sizeof *two);
    double *split = malloc(PATHS * w * sizeof *split);
    CHECK(hp_pathrun(&hp_scenario_model, m, 99, 0, PATHS, 1, &r, one, &err) == 0);
    CHECK(hp_pathrun(&hp_scenario_model, m, 99, 0, PATHS, 2, &r, two, &err) == 0);
    CHECK(hp_pathrun(&hp_scenario_model, m, 99, 0, 123, 2, &r, split, &err) == 0);
    CHECK(hp_pathrun(&hp_scenario_model, m, 99, 123, PATHS - 123, 2, &r, split + 123 * w, &err) == 0);
    CHECK(memcmp(one, two, PATHS * w * sizeof *one) == 0);
    CHECK(memcmp(one, split, PATHS * w * sizeof *one) == 0);

    /* Against the model called directly, for a few paths. */
    double *res = malloc(hp_layout_path_size(l) * sizeof *res);
    void *ws = malloc(hp_scenario_model.scratch_bytes(m));
    for (uint64_t p = 0; p < PATHS; p += 37) {
        hp_scenario_model.simulate_path(m, 99, p, res, ws);
        CHECK(memcmp(one + p * w, tu_var(l, res, "valuation/npv"), w * sizeof *res) == 0);
    }
    /* Paths differ from each other (the seed and index reach the model). */
    CHECK(one[0] != one[w]);
    free(res);
    free(ws);
    free(one);
    free(two);
    free(split);
    hp_scenario_model.destroy(m);
    hp_config_free(cfg);
    return CHECK_DONE();
}
