/* target: the grammar of solve --target and gsa --stat, strictly; binding
 * to a model's layout; the statistics of a per-path sample. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "pathrun.h"
#include "scenario.h"
#include "target.h"
#include "testutil.h"

/* Parses text and expects failure with `fragment` in the message. */
static void bad(const char *text, int need, const char *fragment)
{
    hp_target t;
    hp_err err = {0};
    int rc = hp_target_parse(text, need, "--target", &t, &err);
    CHECK_MSG(rc != 0 && strstr(err.msg, fragment) != NULL, "'%s': rc %d, message '%s', wanted '%s'",
              text, rc, err.msg, fragment);
}

int main(void)
{
    hp_target t;
    hp_err err = {0};
    CHECK(hp_target_parse("mean(npv[0.2]-npv[0])=0", 1, "--target", &t, &err) == 0);
    CHECK(t.kind == HP_STAT_MEAN && t.n_terms == 2 && t.term[0].coef == 1 && t.term[1].coef == -1);
    CHECK(t.term[0].alloc == 0.2 && t.has_value && t.value == 0);
    CHECK(hp_target_parse(" P( npv[0.2] > npv[0] ) = 0.5 ", 1, "--target", &t, &err) == 0);
    CHECK(t.kind == HP_STAT_PROB && t.cmp == 1 && t.term[1].coef == -1 && t.value == 0.5);
    CHECK(hp_target_parse("P(valuation/npv[0.5] <= 1e9)", 0, "--stat", &t, &err) == 0);
    CHECK(t.cmp == -2 && t.constant == -1e9 && !t.has_value);
    CHECK(hp_target_parse("quantile(-npv[0.5] + 2*npv_hpc[0.5] - 3, 0.05) = -1.5e9", -1, "x", &t, &err) == 0);
    CHECK(t.kind == HP_STAT_QUANTILE && t.param == 0.05 && t.term[0].coef == -1 && t.term[1].coef == 2);
    CHECK(t.constant == -3 && t.value == -1.5e9);
    char buf[256];
    CHECK(strcmp(hp_target_stat_text(&t, buf, sizeof buf), "quantile(-npv[0.5] + 2*npv_hpc[0.5] - 3, 0.05)") == 0);
    CHECK(hp_target_parse("P(npv[0.2] >= npv[0]) = 0.5", 1, "x", &t, &err) == 0);
    CHECK(strcmp(hp_target_stat_text(&t, buf, sizeof buf), "P(npv[0.2] >= npv[0])") == 0);

    bad("mean(npv[0.2]-npv[0])", 1, "expected '= value'");
    bad("mean(npv[0.2]) = 0", 0, "without '= value'");
    bad("mean(npv[0.2]-npv[0]", 1, "expected ')' at the end");
    bad("median(npv[0.2])=0", 1, "expected mean(...), P(...)");
    bad("mean(npv[0.2] ** 2)=0", 1, "expected ')' at column 15");
    bad("P(npv[0.2] = npv[0])=0.5", 1, "a comparison");
    bad("quantile(npv[0.2], 1.5)=0", 1, "must be in (0, 1)");
    bad("mean(3)=0", 1, "names no variable");
    bad("mean(npv[0.2])=zero", 1, "a number");
    bad("mean(npv[0.2])=0 extra", 1, "expected the end");
    bad("mean(npv[inf])=0", 1, "a number");

    /* Binding to the default scenario's layout. */
    hp_config *cfg = tu_config(NULL, 0);
    void *m = hp_scenario_model.create(cfg, &err);
    const hp_layout *l = hp_scenario_model.layout(m);
    CHECK(hp_target_parse("mean(npv[0.2]-npv[0])=0", 1, "--target", &t, &err) == 0);
    CHECK(hp_target_bind(&t, l, "--target", &err) == 0);
    CHECK(hp_target_parse("mean(npv[0.25]-npv[0])=0", 1, "--target", &t, &err) == 0);
    CHECK(hp_target_bind(&t, l, "--target", &err) != 0 && strstr(err.msg, "no allocation 0.25") &&
          strstr(err.msg, "0, 0.1, 0.2, 0.3, 0.5"));
    hp_err_clear(&err);
    CHECK(hp_target_parse("mean(mining_revenue[0.2])=0", 1, "--target", &t, &err) == 0);
    CHECK(hp_target_bind(&t, l, "--target", &err) != 0 && strstr(err.msg, "no [allocation, path] variable"));
    hp_err_clear(&err);

    /* Evaluation on a known sample: x = path result -> reducer -> stats. */
    CHECK(hp_target_parse("P(npv[0.2] > npv[0])", 0, "--stat", &t, &err) == 0);
    CHECK(hp_target_bind(&t, l, "--stat", &err) == 0);
    double *res = calloc(hp_layout_path_size(l), sizeof *res);
    double *npv = (double *)tu_var(l, res, "valuation/npv");
    npv[0] = 5;
    npv[2] = 7.5;
    hp_reducer r = hp_target_reducer(&t);
    double x;
    r.fn(res, &x, r.ctx);
    CHECK(r.width == 1 && x == 2.5);
    double xs[4] = {2.5, -1, 0, 3};
    hp_est e = hp_target_stat(&t, xs, 4);
    CHECK(e.value == 0.5 && fabs(e.se - 0.25) < 1e-15);
    hp_target_parse("cvar(npv[0.2], 0.5)", 0, "--stat", &t, &err);
    double ys[4] = {4, 1, 3, 2};
    CHECK(hp_target_stat(&t, ys, 4).value == -1.5);
    free(res);
    hp_scenario_model.destroy(m);
    hp_config_free(cfg);

    /* Chunked evaluation (mean, P) equals one pass over the whole sample,
     * bit for bit, across more than one chunk (a short horizon keeps it
     * quick). */
    const char *sets[] = {"time.horizon_years=0.05"};
    cfg = tu_config(sets, 1);
    m = hp_scenario_model.create(cfg, &err);
    const uint64_t n = HP_TARGET_CHUNK + 1234;
    double *all = malloc(n * sizeof *all), *chunk = malloc(HP_TARGET_CHUNK * sizeof *chunk);
    const char *stats[] = {"mean(npv[0.2] - npv[0])", "P(npv[0.5] > npv[0])"};
    for (int i = 0; i < 2; i++) {
        CHECK(hp_target_parse(stats[i], 0, "--stat", &t, &err) == 0);
        CHECK(hp_target_bind(&t, hp_scenario_model.layout(m), "--stat", &err) == 0);
        hp_reducer red = hp_target_reducer(&t);
        hp_est chunked, whole;
        CHECK(hp_target_eval(&t, &hp_scenario_model, m, 5, 0, n, 2, chunk, &chunked, &err) == 0);
        CHECK(hp_pathrun(&hp_scenario_model, m, 5, 0, n, 2, &red, all, &err) == 0);
        whole = hp_target_stat(&t, all, n);
        CHECK_MSG(chunked.value == whole.value && chunked.se == whole.se, "%s: %.17g vs %.17g", stats[i],
                  chunked.value, whole.value);
    }
    CHECK(!hp_target_needs_sample(&t));
    CHECK(hp_target_parse("quantile(npv[0.2], 0.05)", 0, "--stat", &t, &err) == 0 && hp_target_needs_sample(&t));
    free(all);
    free(chunk);
    hp_scenario_model.destroy(m);
    hp_config_free(cfg);
    return CHECK_DONE();
}
