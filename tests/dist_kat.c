/* dist_kat: known answers of the samplers, in the style of pcg-c's
 * check-pcg64: print every draw, and the test diffs the output against the
 * committed tests/data/dist_kat.txt. Any change to a sampler, to the
 * ziggurat tables or to the generator shows here, draw by draw.
 *
 *   dist_kat > tests/data/dist_kat.txt     (regenerate, on purpose only)
 *
 * Each section starts with the generator it uses: PCG64 seeded as
 * hp_pcg64_seed(initstate, initseq). Normals and exponentials run long
 * enough to take the rare paths (wedge rejections and the tail beyond R;
 * the counts printed at the end of each section say how many draws went
 * there, so a change that loses them shows too). Values are printed with
 * 17 significant digits, which read back as the same double. */
#include <inttypes.h>
#include <math.h>
#include <stdio.h>

#include "dist.h"
#include "rng.h"

/* A fresh generator for a section, announced in the output. */
static void section(hp_pcg64 *r, const char *what, uint64_t initstate, uint64_t initseq)
{
    hp_pcg64_seed(r, initstate, initseq);
    printf("# %s: hp_pcg64_seed(%" PRIu64 ", %" PRIu64 ")\n", what, initstate, initseq);
}

int main(void)
{
    hp_pcg64 r;

    section(&r, "uniform", 42, 54);
    for (int i = 0; i < 64; i++)
        printf("uniform %d %.17g\n", i, hp_uniform(&r));

    section(&r, "normal", 20260101, 1);
    int beyond = 0;
    for (int i = 0; i < 4096; i++) {
        double x = hp_normal(&r);
        beyond += fabs(x) > HP_ZIG_NOR_R;
        printf("normal %d %.17g\n", i, x);
    }
    printf("# normals beyond R = %.17g: %d\n", HP_ZIG_NOR_R, beyond);

    section(&r, "exponential", 20260101, 2);
    beyond = 0;
    for (int i = 0; i < 2048; i++) {
        double x = hp_exponential(&r);
        beyond += x > HP_ZIG_EXP_R;
        printf("exponential %d %.17g\n", i, x);
    }
    printf("# exponentials beyond R = %.17g: %d\n", HP_ZIG_EXP_R, beyond);

    /* Poisson: both methods (multiplication below 10, PTRS from 10 on),
     * the switch, the chain's daily block counts, and large means. */
    static const double lambdas[] = {0, 0.5, 3, 9.999, 10, 37.5, 144, 2016, 1e6, 1e12};
    for (size_t k = 0; k < sizeof lambdas / sizeof lambdas[0]; k++) {
        char what[64];
        snprintf(what, sizeof what, "poisson lambda = %.17g", lambdas[k]);
        section(&r, what, 7, 3 + k);
        for (int i = 0; i < 48; i++)
            printf("poisson %.17g %d %" PRIu64 "\n", lambdas[k], i, hp_poisson(&r, lambdas[k]));
    }

    /* Gamma: below 1 (the boost), 1, the shapes the block-luck chain draws
     * (k and n - k + 1 blocks), and large. */
    static const double shapes[] = {0.25, 1, 1.5, 7, 144, 2016, 1e6};
    for (size_t k = 0; k < sizeof shapes / sizeof shapes[0]; k++) {
        char what[64];
        snprintf(what, sizeof what, "gamma shape = %.17g", shapes[k]);
        section(&r, what, 11, 5 + k);
        for (int i = 0; i < 48; i++)
            printf("gamma %.17g %d %.17g\n", shapes[k], i, hp_gamma(&r, shapes[k]));
    }
    return 0;
}
