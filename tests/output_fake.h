/* output_fake: a fake model for the output tests (output_fake.c). */
#ifndef HP_OUTPUT_FAKE_H
#define HP_OUTPUT_FAKE_H

#include <stddef.h>
#include <stdint.h>

#include "output.h"

/* Three allocations, three years (200, 365, 365 days), two halvings, and
 * one variable of each shape; variable V_HALVING is network/halving_day. */
#define N_VARS 5
#define V_HALVING 4
extern const hp_layout fake;

/* Value k of variable v of path p: distinct, signed, not float-exact. */
double fake_value(uint64_t p, int v, size_t k);

/* Offset of variable v in a path result. */
size_t var_off(const hp_layout *l, int v);

/* Fills count path results of layout l starting at path first. */
void fake_block(const hp_layout *l, uint64_t first, size_t count, double *out);

/* Writer options for a small test file at path. */
hp_output_opts opts_for(const char *path, uint64_t n_paths);

/* A tiny LCG: reproducible shuffles without touching the engine's RNG. */
uint64_t lcg(uint64_t *s);

/* Writes every path through w in blocks of `block`, in shuffled order. */
int write_all(hp_output *w, const hp_layout *l, uint64_t n_paths, size_t block,
              uint64_t seed, hp_err *err);

/* Creates, fills and closes a file; 0 on success. */
int write_file(const hp_output_opts *o, const hp_layout *l, size_t block, uint64_t seed);

#endif
