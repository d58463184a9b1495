/* Bitcoin protocol arithmetic against Bitcoin Core's published rules. */
#include <math.h>
#include <stdint.h>

#include "check.h"
#include "network.h"

/* Subsidy: GetBlockSubsidy, and the 21M cap it implies. */
static void test_subsidy(void)
{
    CHECK(hp_subsidy_sat(0) == 5000000000LL);
    CHECK(hp_subsidy_sat(209999) == 5000000000LL);
    CHECK(hp_subsidy_sat(210000) == 2500000000LL);
    CHECK(hp_subsidy_sat(840000) == 312500000LL);       /* 3.125 BTC since Apr 2024 */
    CHECK(hp_subsidy_sat(1049999) == 312500000LL);
    CHECK(hp_subsidy_sat(1050000) == 156250000LL);      /* next halving: 1.5625 BTC */
    CHECK(hp_subsidy_sat(10 * 210000) == 4882812LL);    /* 4882812.5 truncated to satoshis */
    CHECK(hp_subsidy_sat(32 * 210000) == 1LL);          /* the last satoshi era */
    CHECK(hp_subsidy_sat(33 * 210000) == 0LL);
    CHECK(hp_subsidy_sat(64 * 210000) == 0LL);          /* Core's guard against shift UB */
    CHECK(hp_subsidy_sat(100 * 210000LL) == 0LL);
    /* Every coin ever issued: 20,999,999.9769 BTC (Core's MAX_MONEY check). */
    int64_t total = 0;
    for (int64_t era = 0; era < 70; era++)
        total += 210000 * hp_subsidy_sat(era * 210000);
    CHECK(total == 2099999997690000LL);
}

/* CalculateNextWorkRequired: difficulty scales by T / span, span clamped. */
static void test_retarget(void)
{
    const double D = 1e14, T = HP_TARGET_TIMESPAN_S;
    CHECK_REL(hp_retarget(D, T), D, 1e-15);
    CHECK_REL(hp_retarget(D, T / 2), 2 * D, 1e-15);
    CHECK_REL(hp_retarget(D, 2 * T), D / 2, 1e-15);
    CHECK_REL(hp_retarget(D, T / 4), 4 * D, 1e-15);
    CHECK_REL(hp_retarget(D, T / 10), 4 * D, 1e-15);    /* clamp up: at most x4 */
    CHECK_REL(hp_retarget(D, 4 * T), D / 4, 1e-15);
    CHECK_REL(hp_retarget(D, 100 * T), D / 4, 1e-15);   /* clamp down: at most /4 */
    CHECK_REL(hp_retarget(D, 0.0), 4 * D, 1e-15);
}

/* Hashrate at a difficulty's own rate: one block per 600 s. */
static double own_rate(double difficulty) { return difficulty * HP_TWO32 / HP_TARGET_SPACING_S; }

/* A day of blocks at the difficulty's own rate: 144 blocks. */
static void test_day_blocks(void)
{
    hp_chain c;
    hp_chain_day day;
    hp_chain_init(&c, 20160, 1e12, own_rate(1e12));
    hp_chain_advance(&c, own_rate(1e12), 86400, &day);
    CHECK_REL(day.blocks, 144.0, 1e-12);
    CHECK_REL(day.subsidy_btc, 144 * 50.0, 1e-12);
    CHECK(day.halvings == 0);
    CHECK_REL(c.height, 20160 + 144.0, 1e-15);
}

/* A retarget inside a day: blocks before it at the old difficulty, the rest
 * at the new one; an epoch ten times too fast is clamped to x4. */
static void test_retarget_inside_day(void)
{
    const double D = 1e12, H = 10 * own_rate(D);   /* one block per 60 s */
    hp_chain c;
    hp_chain_day day;
    /* 72 blocks before the boundary; the epoch so far ran at H. */
    hp_chain_init(&c, 2016 * 10 - 72, D, H);
    hp_chain_advance(&c, H, 86400, &day);
    /* 72 blocks x 60 s = 4320 s at D, then 82080 s at 4D: 240 s a block. */
    CHECK_REL(c.difficulty, 4 * D, 1e-12);
    CHECK_REL(day.blocks, 72 + 82080.0 / 240.0, 1e-12);
    CHECK_REL(c.height, 2016 * 10 + 82080.0 / 240.0, 1e-12);

    /* Slow epoch, ten times too slow: clamped to /4. */
    const double Hs = own_rate(D) / 10;            /* one block per 6000 s */
    hp_chain_init(&c, 2016 * 20 - 5, D, Hs);
    hp_chain_advance(&c, Hs, 86400, &day);          /* 5 blocks = 30000 s, then D/4 */
    CHECK_REL(c.difficulty, D / 4, 1e-12);
    CHECK_REL(day.blocks, 5 + (86400.0 - 30000.0) / 1500.0, 1e-12);
}

/* Core measures the epoch from its first to its last block (2015
 * intervals): a steady hashrate settles at 600 * 2016/2015 s per block. */
static void test_retarget_span_is_2015_intervals(void)
{
    const double D = 1e12, H = own_rate(D);
    hp_chain c;
    hp_chain_day day;
    hp_chain_init(&c, 2016 * 5, D, H);
    for (int d = 0; d < 15; d++)                    /* 2016 blocks = 14 days; one retarget */
        hp_chain_advance(&c, H, 86400, &day);
    CHECK_REL(c.difficulty, D * 2016.0 / 2015.0, 1e-12);
    /* At that difficulty's steady rate, difficulty no longer moves. */
    hp_chain_init(&c, 2016 * 5, D, H * 2015.0 / 2016.0);
    for (int d = 0; d < 15; d++)
        hp_chain_advance(&c, H * 2015.0 / 2016.0, 86400, &day);
    CHECK_REL(c.difficulty, D, 1e-12);
}

/* A halving inside a day: old subsidy before the height, new after. */
static void test_halving_inside_day(void)
{
    const double D = 1e14;
    hp_chain c;
    hp_chain_day day;
    hp_chain_init(&c, 1050000 - 50, D, own_rate(D));
    hp_chain_advance(&c, own_rate(D), 86400, &day);
    CHECK(day.halvings == 1);
    CHECK_REL(day.blocks, 144.0, 1e-12);
    CHECK_REL(day.subsidy_btc, 50 * 3.125 + 94 * 1.5625, 1e-12);
}

/* With hashrate held at the difficulty's own rate, 144 blocks a day, so
 * block 1,050,000 comes on day floor((1,050,000 - h0) / 144). */
static void test_halving_day_arithmetic(void)
{
    const int64_t h0 = 930000;
    hp_chain c;
    hp_chain_day day;
    double D = 141.67e12;
    hp_chain_init(&c, h0, D, own_rate(D));
    int halving_day = -1;
    for (int d = 0; d < 2000 && halving_day < 0; d++) {
        hp_chain_advance(&c, own_rate(c.difficulty), 86400, &day);
        if (day.halvings)
            halving_day = d;
    }
    CHECK(halving_day == (int)((1050000 - h0) / 144));
    CHECK(halving_day == 833);
}

int main(void)
{
    test_subsidy();
    test_retarget();
    test_day_blocks();
    test_retarget_inside_day();
    test_retarget_span_is_2015_intervals();
    test_halving_inside_day();
    test_halving_day_arithmetic();
    return CHECK_DONE();
}
