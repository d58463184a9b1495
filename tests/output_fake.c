/* output_fake: a fake model's layout and values, and a writer that fills a
 * results file from them in shuffled blocks, shared by test_output (the
 * writer) and test_readers (summary and info). See output_fake.h. */
#include "output_fake.h"

#include <stdio.h>
#include <stdlib.h>

static const double allocs[3] = { 0.0, 0.25, 0.5 };
static const int years[3] = { 2025, 2026, 2027 };
static const int days[3] = { 200, 365, 365 };
static const int64_t heights[2] = { 1050000, 1260000 };

static const hp_var vars[] = {
    { "price/btc_usd", HP_SHAPE_PATH_YEAR, "USD", "mean BTC price in the year", 0 },
    { "hpc/revenue", HP_SHAPE_ALLOC_PATH_YEAR, "USD", "HPC revenue in the year", 1 },
    { "miner/hashrate", HP_SHAPE_ALLOC_PATH_YEAR, "PH/s", "mean hashrate in the year", 0 },
    { "valuation/npv", HP_SHAPE_ALLOC_PATH, "USD", "net present value", 0 },
    { "network/halving_day", HP_SHAPE_ALLOC_PATH_HALVING, "day", "day index of each halving", 0 },
};

static const hp_summary_item items[] = {
    { "NPV", "valuation/npv", 1.0, 1 },
    { "HPC revenue / yr", "totals/revenue", 1.0 / 3.0, 0 },
};

const hp_layout fake = {
    .n_alloc = 3, .alloc = allocs, .n_years = 3, .year = years, .days_in_year = days,
    .n_halvings = 2, .halving_height = heights, .n_days = 930,
    .n_vars = N_VARS, .vars = vars, .n_summary = 2, .summary = items, .baseline_alloc = 0,
    .start_date = "2025-01-01", .horizon_years = 3.0,
};

/* Value k of variable v of path p: distinct, signed, not float-exact. */
double fake_value(uint64_t p, int v, size_t k)
{
    if (v == V_HALVING)
        return (p + k) % 11 == 0 ? -1.0 : (double)((p * 3 + k * 17) % 930);
    double x = (double)((p * 7919 + (uint64_t)v * 104729 + k * 613) % 20011) - 10000.0;
    return x * 1234.5678901 + (double)p * 1e-3;
}

/* Offset of variable v in a path result. */
size_t var_off(const hp_layout *l, int v)
{
    size_t off = 0;
    for (int i = 0; i < v; i++)
        off += hp_var_size(l, &l->vars[i]);
    return off;
}

/* Fills count path results starting at path first. */
void fake_block(const hp_layout *l, uint64_t first, size_t count, double *out)
{
    size_t ps = hp_layout_path_size(l);
    for (size_t i = 0; i < count; i++)
        for (int v = 0; v < l->n_vars; v++) {
            size_t off = var_off(l, v), n = hp_var_size(l, &l->vars[v]);
            for (size_t k = 0; k < n; k++)
                out[i * ps + off + k] = fake_value(first + i, v, k);
        }
}

hp_output_opts opts_for(const char *path, uint64_t n_paths)
{
    hp_output_opts o = {
        .path = path, .force = 1, .per_year = 1, .float32 = 0, .seed = 12345678901234ULL,
        .n_paths = n_paths,
        .command_line = "hashpivot run -c test.cfg", .config_file = "test.cfg",
        .config_source = "price = { sigma = 0.5; };\n", .config_resolved = "price = { sigma = 0.5; };\n",
    };
    return o;
}

/* A tiny LCG: reproducible shuffles without touching the engine's RNG. */
uint64_t lcg(uint64_t *s)
{
    *s = *s * 6364136223846793005ULL + 1442695040888963407ULL;
    return *s >> 33;
}

/* Writes every path through w in blocks of `block`, in shuffled order. */
int write_all(hp_output *w, const hp_layout *l, uint64_t n_paths, size_t block,
                     uint64_t seed, hp_err *err)
{
    size_t nb = (size_t)((n_paths + block - 1) / block), ps = hp_layout_path_size(l);
    uint64_t *order = malloc(nb * sizeof *order);
    double *res = malloc(block * ps * sizeof *res);
    for (size_t i = 0; i < nb; i++)
        order[i] = i;
    for (size_t i = nb; i > 1; i--) {
        size_t j = lcg(&seed) % i;
        uint64_t t = order[i - 1];
        order[i - 1] = order[j];
        order[j] = t;
    }
    int rc = 0;
    for (size_t i = 0; rc == 0 && i < nb; i++) {
        uint64_t first = order[i] * block;
        size_t count = n_paths - first < block ? (size_t)(n_paths - first) : block;
        fake_block(l, first, count, res);
        rc = hp_output_write_block(w, first, count, res, err);
    }
    free(res);
    free(order);
    return rc;
}

/* Creates, fills and closes a file; 0 on success. */
int write_file(const hp_output_opts *o, const hp_layout *l, size_t block, uint64_t seed)
{
    hp_err err = { 0 };
    hp_output *w = hp_output_create(o, l, &err);
    if (w == NULL || write_all(w, l, o->n_paths, block, seed, &err) < 0) {
        fprintf(stderr, "write_file: %s\n", err.msg);
        hp_output_abort(w);
        return -1;
    }
    if (hp_output_close(w, &err) < 0) {
        fprintf(stderr, "write_file: %s\n", err.msg);
        return -1;
    }
    return 0;
}
