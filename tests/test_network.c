/* Bitcoin protocol arithmetic against Bitcoin Core's published rules. */
#include <math.h>
#include <stdint.h>

#include "check.h"
#include "network.h"
#include "rng.h"

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

/* Every coin the chain issues: 20,999,999.9769 BTC, as test_subsidy sums. */
#define ALL_COINS_BTC 20999999.9769

/* A day's hashrate around the difficulty's own rate, drawn from a fixed
 * generator: blocks come in fractional amounts, so heights accumulate in
 * doubles the way they do in a run. */
static double wobble(hp_pcg64 *r, double difficulty, double spread)
{
    double u = (double)(hp_pcg64_next(r) >> 11) * 0x1p-53;
    return own_rate(difficulty) * (1 + spread * (2 * u - 1));
}

/* Runs one chain from height h0 until every one of the 64 halvings has
 * passed; checks that each is counted exactly once, on the day the height
 * crosses it, and that the subsidy adds up to every coin from h0 on. */
static void run_to_the_end(int64_t h0, uint64_t seed, double spread, int luck)
{
    hp_chain c;
    hp_chain_day day;
    hp_pcg64 r, rl;
    hp_pcg64_seed(&r, seed, 7);
    hp_pcg64_seed(&rl, seed, 9);
    hp_chain_init(&c, h0, 1e12, own_rate(1e12));
    int counted = 0, wrong_day = 0, first_wrong = -1;
    double coins = 0;
    for (int d = 0; c.height < 64.0 * 210000 + 1000; d++) {
        int64_t before = (int64_t)c.height / 210000;
        double H = wobble(&r, c.difficulty, spread);
        if (luck)
            hp_chain_advance_luck(&c, H, 86400, &rl, &day);
        else
            hp_chain_advance(&c, H, 86400, &day);
        int64_t after = (int64_t)c.height / 210000;
        int64_t crossed = (after > 64 ? 64 : after) - (before > 64 ? 64 : before);
        if (day.halvings != crossed && wrong_day++ == 0)
            first_wrong = d;
        counted += day.halvings;
        coins += day.subsidy_btc;
    }
    int64_t due = 64 - h0 / 210000;
    CHECK_MSG(counted == due && wrong_day == 0,
              "from %lld (seed %llu, %s): %d halvings counted of %lld; %d day(s) wrong, first day %d",
              (long long)h0, (unsigned long long)seed, luck ? "luck" : "expected", counted,
              (long long)due, wrong_day, first_wrong);
    /* Issued from h0 on: all coins less the eras before h0. */
    double before_h0 = 0;
    for (int64_t h = 0; h < h0; h += 210000) {
        int64_t n = h0 - h < 210000 ? h0 - h : 210000;
        before_h0 += (double)n * (double)hp_subsidy_sat(h) / (double)HP_COIN_SAT;
    }
    CHECK_REL(coins, ALL_COINS_BTC - before_h0, 1e-9);
    CHECK(hp_subsidy_sat((int64_t)c.height) == 0);
}

/* Through every halving to the 64th, after which the subsidy is zero.
 * Every sixth halving height is also a retarget height (1,260,000 =
 * 625 x 2016 = 6 x 210,000; lcm(2016, 210000) = 1,260,000), where the
 * retarget and the halving fall on the same block: the count must not
 * depend on which of the two the floating-point arithmetic reaches first. */
static void test_every_halving(void)
{
    CHECK(1260000 % HP_RETARGET_INTERVAL == 0 && 1260000 % HP_HALVING_INTERVAL == 0);
    for (uint64_t seed = 1; seed <= 12; seed++)
        run_to_the_end(930000 + (int64_t)seed * 977, seed, 0.3, 0);
    for (uint64_t seed = 1; seed <= 3; seed++)
        run_to_the_end(930000 + (int64_t)seed * 977, seed, 0.3, 1);
    run_to_the_end(0, 99, 0.0, 0);          /* from the genesis block, 144 a day */
}

/* A day that crosses a height that is both a retarget and a halving height
 * counts the halving once and retargets; a chain whose next block is that
 * height (height0 is the next block's) is already in the new era and
 * counts nothing. */
static void test_retarget_and_halving_same_block(void)
{
    const double D = 1e14;
    for (int64_t k = 1; k <= 10; k++) {
        int64_t both = k * 1260000;
        for (int luck = 0; luck <= 1; luck++) {
            hp_chain c;
            hp_chain_day day;
            hp_pcg64 r;
            hp_pcg64_seed(&r, (uint64_t)k, 3);
            hp_chain_init(&c, both - 37, D, own_rate(D) * 1.013);
            if (luck)
                hp_chain_advance_luck(&c, own_rate(D) * 1.013, 86400, &r, &day);
            else
                hp_chain_advance(&c, own_rate(D) * 1.013, 86400, &day);
            CHECK_MSG(day.halvings == 1, "height %lld%s: %d halvings", (long long)both,
                      luck ? " (luck)" : "", day.halvings);
            CHECK(c.height > (double)both);
            CHECK(hp_subsidy_sat((int64_t)c.height) == hp_subsidy_sat(both));
            CHECK(c.difficulty != D);                      /* and it retargeted */
            hp_chain_init(&c, both, D, own_rate(D));       /* already past it */
            hp_chain_advance(&c, own_rate(D), 86400, &day);
            CHECK(day.halvings == 0);
        }
    }
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
    test_every_halving();
    test_retarget_and_halving_same_block();
    return CHECK_DONE();
}
