/* Revaluation (hp_model.valuation_key, simulate_record, revalue): a path
 * simulated once with its record and valued by a model with other
 * valuation keys is, bit for bit, the whole result array that model's own
 * simulate_path writes; on the default config (fleet network, curtailment,
 * exits, frontier refresh), in gpu_cloud mode (daily HPC terms and GPU
 * purchases) and on the tables' defaults; for each valuation key alone, all
 * of them at once, and the terminal value switched off and on; the market
 * lease rate and the conversion capex per MW (which only scale cash flows)
 * at several values, also on public_miners_2026.cfg (signed contracts that
 * expire onto the market, tenant defaults, exits). Keys that change paths
 * or decisions are not valuation keys, and with the optimal policy (which
 * trains on discounted values and reads the lease rate) none is.
 *     test_revalue SOURCE_DIR */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "driver.h"
#include "recorded.h"
#include "scenario.h"

#define SEED 77
#define PATHS 6
#define MAX_SETS 16

static const hp_model *md = &hp_scenario_model;
static char cfg_path[1024], miners_path[1024];

typedef struct built {
    hp_config *cfg;
    void *m;
} built;

/* The config (file 1: the default file, 2: public_miners_2026.cfg, 0: the
 * tables' defaults), the case's overrides, then `extra`. */
static built build(int file, const char *const *sets, const char *extra)
{
    const hp_param *tables[64];
    hp_run_params(md, tables, 64);
    const char *all[MAX_SETS];
    size_t n = 0;
    for (; sets[n] != NULL; n++)
        all[n] = sets[n];
    if (extra != NULL)
        all[n++] = extra;
    hp_err err = {0};
    built b = {hp_config_load(tables, file == 2 ? miners_path : file ? cfg_path : NULL, all, n, &err),
               NULL};
    if (b.cfg != NULL)
        b.m = md->create(b.cfg, &err);
    if (b.m == NULL) {
        fprintf(stderr, "build: %s\n", err.msg);
        exit(1);
    }
    return b;
}

static void unbuild(built *b)
{
    md->destroy(b->m);
    hp_config_free(b->cfg);
}

/* Every variant's revaluation of the base's paths against its own
 * simulation; returns how many variants' NPVs differ from the base's. */
static int check_case(const char *name, int file, const char *const *sets,
                      const char *const *variants, int n_variants)
{
    built base = build(file, sets, NULL);
    const size_t size = hp_layout_path_size(md->layout(base.m));
    double *in = malloc(size * sizeof(double)), *re = malloc(size * sizeof(double));
    double *own = malloc(size * sizeof(double));
    void *rec = malloc(md->record_bytes(base.m)), *ws = malloc(md->scratch_bytes(base.m));
    void *ws2 = malloc(md->scratch_bytes(base.m));
    if (!in || !re || !own || !rec || !ws || !ws2)
        abort();
    int moved = 0;
    for (int v = 0; v < n_variants; v++) {
        built var = build(file, sets, variants[v]);
        CHECK(hp_layout_path_size(md->layout(var.m)) == size);
        int same = 1, differs = 0;
        for (uint64_t p = 0; p < PATHS; p++) {
            md->simulate_record(base.m, SEED, p, in, ws, rec);
            if (p % 2 == 1)             /* packed records replay alike */
                CHECK(md->record_pack(base.m, rec) < md->record_bytes(base.m));
            md->revalue(var.m, rec, in, re);
            md->simulate_path(var.m, SEED, p, own, ws2);
            same &= memcmp(re, own, size * sizeof(double)) == 0;
            differs |= memcmp(in, own, size * sizeof(double)) != 0;
            /* Revaluing with the base's own model gives the base. */
            md->revalue(base.m, rec, in, re);
            same &= memcmp(re, in, size * sizeof(double)) == 0;
        }
        CHECK_MSG(same, "%s, %s: revalued paths are the variant's own, bit for bit", name, variants[v]);
        moved += differs;
        unbuild(&var);
    }
    free(in);
    free(re);
    free(own);
    free(rec);
    free(ws);
    free(ws2);
    unbuild(&base);
    return moved;
}

/* The kept paths (recorded.h), with a budget that holds only some of
 * them: a run revalued from them is, bit for bit, the variant's own run
 * (kept paths revalued, the others simulated), for a range that starts
 * before, covers and runs past the kept ones. */
static void check_recorded(void)
{
    const char *const def[] = {"time.horizon_years=3.0", NULL};
    built base = build(1, def, NULL), var = build(1, def, "valuation.discount_rate=0.13");
    const hp_layout *l = md->layout(base.m);
    hp_recorded all, rec;
    hp_err err = {0};
    CHECK(hp_recorded_init(&all, md, base.m, SEED, 2, 6, (size_t)1 << 30, 2, &err) == 0);
    size_t whole = HP_RECORDED_AT(hp_layout_path_size(l)) + md->record_bytes(base.m);
    CHECK_MSG(all.count == 6 && all.bytes < 6 * whole / 2, "6 paths kept, packed: %zu bytes, %zu unpacked",
              all.bytes, 6 * whole);
    CHECK(hp_recorded_init(&rec, md, base.m, SEED, 2, 6, all.bytes / 2, 2, &err) == 0);
    CHECK_MSG(rec.count >= 1 && rec.count <= 4 && rec.bytes <= all.bytes / 2,
              "half the budget keeps some of the 6 paths (kept %llu)", (unsigned long long)rec.count);
    hp_recorded_free(&all);
    hp_var_slice ctx;
    hp_reducer r;
    CHECK(hp_reducer_var(l, "valuation/npv", 1.0, &ctx, &r, &err) == 0);
    const uint64_t first = 0, count = 9;
    double *got = malloc(count * r.width * sizeof(double)), *want = malloc(count * r.width * sizeof(double));
    double *base_own = malloc(count * r.width * sizeof(double));
    if (!got || !want || !base_own)
        abort();
    CHECK(hp_pathrun_recorded(&rec, var.m, first, count, 2, &r, got, &err) == 0);
    CHECK(hp_pathrun(md, var.m, SEED, first, count, 2, &r, want, &err) == 0);
    CHECK(hp_pathrun(md, base.m, SEED, first, count, 2, &r, base_own, &err) == 0);
    CHECK_MSG(memcmp(got, want, count * r.width * sizeof(double)) == 0,
              "kept paths revalued and the rest simulated: the variant's own run, bit for bit");
    CHECK_MSG(memcmp(got, base_own, count * r.width * sizeof(double)) != 0, "the variant moves the NPVs");
    hp_recorded_free(&rec);
    free(got);
    free(want);
    free(base_own);
    unbuild(&var);
    unbuild(&base);
}

/* The lease rate, capex per MW and discount rate moved at once: the
 * default's paths revalued are the variant's own. */
static void check_at_once(void)
{
    const char *const def[] = {"time.horizon_years=4.0", NULL};
    const char *const moved[] = {"time.horizon_years=4.0", "ai_market.lease0_usd_per_mw_year=1.55e6",
                                 "hpc.capex_usd_per_mw=9.1e6", NULL};
    built base = build(1, def, NULL), var = build(1, moved, "valuation.discount_rate=0.11");
    const size_t size = hp_layout_path_size(md->layout(base.m));
    double *in = malloc(size * sizeof(double)), *re = malloc(size * sizeof(double));
    double *own = malloc(size * sizeof(double));
    void *rec = malloc(md->record_bytes(base.m)), *ws = malloc(md->scratch_bytes(base.m));
    if (!in || !re || !own || !rec || !ws)
        abort();
    int same = 1, differs = 0;
    for (uint64_t p = 0; p < PATHS; p++) {
        md->simulate_record(base.m, SEED, p, in, ws, rec);
        md->revalue(var.m, rec, in, re);
        md->simulate_path(var.m, SEED, p, own, ws);
        same &= memcmp(re, own, size * sizeof(double)) == 0;
        differs |= memcmp(in, own, size * sizeof(double)) != 0;
    }
    CHECK_MSG(same && differs, "lease rate, capex and discount rate at once: revalued bit for bit");
    free(in);
    free(re);
    free(own);
    free(rec);
    free(ws);
    unbuild(&var);
    unbuild(&base);
}

static const char *const variants[] = {
    "valuation.discount_rate=0.07",
    "valuation.discount_rate=0.15",
    "valuation.hpc_noi_multiple=9.0",
    "valuation.mining_noi_multiple=1.5",
    "valuation.hpc_salvage_usd_per_mw=2.0e6",
    "valuation.mining_salvage_usd_per_mw=0.0",
    "valuation.terminal=false",
    "ai_market.lease0_usd_per_mw_year=1.4e6",
    "ai_market.lease0_usd_per_mw_year=2.1e6",
    "ai_market.lease0_usd_per_mw_year=966996.662023",
    "ai_market.lease0_usd_per_mw_year=0.0",
    "hpc.capex_usd_per_mw=8e6",
    "hpc.capex_usd_per_mw=1.2e7",
    "hpc.capex_usd_per_mw=10123456.789",
};
#define N_VARIANTS ((int)(sizeof variants / sizeof variants[0]))
/* In gpu_cloud mode the lease rate moves only the market's mean lease rate
 * (no market lease is signed), not the NPVs. */
#define N_LEASE_VARIANTS 4

int main(int argc, char **argv)
{
    if (argc != 2) {
        fprintf(stderr, "usage: test_revalue SOURCE_DIR\n");
        return 2;
    }
    snprintf(cfg_path, sizeof cfg_path, "%s/configs/default.cfg", argv[1]);
    snprintf(miners_path, sizeof miners_path, "%s/configs/public_miners_2026.cfg", argv[1]);

    const char *const def[] = {"time.horizon_years=3.0", NULL};
    const char *const gpu[] = {"time.horizon_years=3.0", "hpc.mode=\"gpu_cloud\"", NULL};
    const char *const notv[] = {"time.horizon_years=3.0", "valuation.terminal=false", NULL};
    const char *const all[] = {"time.horizon_years=3.0", "valuation.discount_rate=0.12",
                               "valuation.hpc_noi_multiple=11.0", "valuation.mining_noi_multiple=3.0",
                               "valuation.hpc_salvage_usd_per_mw=3.0e5",
                               "valuation.mining_salvage_usd_per_mw=2.5e5", NULL};
    /* Every variant moves some NPV (the test could fail), except salvage
     * values that no path reaches, hence the lower bound. */
    CHECK(check_case("default.cfg", 1, def, variants, N_VARIANTS) >= N_VARIANTS - 2);
    CHECK(check_case("gpu_cloud", 1, gpu, variants, N_VARIANTS) >= N_VARIANTS - 2 - N_LEASE_VARIANTS);
    CHECK(check_case("tables' defaults", 0, def, variants, N_VARIANTS) >= N_VARIANTS - 2);
    const char *const on[] = {"valuation.terminal=true"};
    CHECK(check_case("terminal off, then on", 1, notv, on, 1) == 1);
    /* All the valuation keys at once, as one variant. */
    /* Re-equip books its capex at a month close, outside the day's flows:
     * a full horizon, so that sites retire and come back. */
    const char *const reequip[] = {"miner.reequip=true", NULL};
    CHECK(check_case("re-equip on, 13 years", 1, reequip,
                     (const char *const[]){"valuation.discount_rate=0.08"}, 1) == 1);
    CHECK(check_case("all keys", 1, all, (const char *const[]){"valuation.discount_rate=0.06"}, 1) == 1);
    /* Signed contracts (running, and starting later with their own capex)
     * that expire or default onto the market, a full horizon; and the
     * lease rate, capex and discount rate moved at once. */
    const char *const miners[] = {NULL};
    CHECK(check_case("public_miners_2026.cfg", 2, miners, variants, N_VARIANTS) >= N_VARIANTS - 2);
    check_at_once();

    check_recorded();

    /* Which keys: valuation.* only; none under the optimal policy. */
    built b = build(1, def, NULL);
    for (const char *const *k = (const char *const[]){"valuation.discount_rate", "valuation.terminal",
         "valuation.hpc_noi_multiple", "valuation.mining_noi_multiple", "valuation.hpc_salvage_usd_per_mw",
         "valuation.mining_salvage_usd_per_mw", NULL}; *k != NULL; k++)
        CHECK_MSG(md->valuation_key(b.m, *k) == 1, "%s is a valuation key", *k);
    for (const char *const *k = (const char *const[]){"ai_market.lease0_usd_per_mw_year", "hpc.capex_usd_per_mw",
         NULL}; *k != NULL; k++)
        CHECK_MSG(md->valuation_key(b.m, *k) == 1, "%s only scales cash flows: a valuation key", *k);
    for (const char *const *k = (const char *const[]){"price.mu", "hpc.contracts.capex_usd_per_mw",
         "ai_market.sigma", "ai_market.trend_growth", "gpu_cloud.capex_usd_per_mw", "miner.power_usd_mwh",
         "network.fleet.hurdle_rate", "hpc.build_months", "allocation.fractions", "valuation.nope", NULL};
         *k != NULL; k++)
        CHECK_MSG(md->valuation_key(b.m, *k) == 0, "%s is not a valuation key", *k);
    unbuild(&b);
    const char *const opt[] = {"time.horizon_years=6.0", "allocation.policy=\"optimal\"", NULL};
    b = build(1, opt, NULL);
    CHECK_MSG(md->valuation_key(b.m, "valuation.discount_rate") == 0 &&
              md->valuation_key(b.m, "valuation.mining_salvage_usd_per_mw") == 0 &&
              md->valuation_key(b.m, "ai_market.lease0_usd_per_mw_year") == 0 &&
              md->valuation_key(b.m, "hpc.capex_usd_per_mw") == 0,
              "the optimal policy reads the valuation: no valuation key");
    unbuild(&b);
    return CHECK_DONE();
}
