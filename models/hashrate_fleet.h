/* hashrate_fleet: the network's supply of hashrate from a fleet cost curve
 * (network.hashrate_model = "fleet"; docs/network.md has the equations).
 *
 * The others' installed machines are cohorts, each with an efficiency e
 * (J/TH) and installed TH/s. Their sites pay power prices p drawn from one
 * distribution F (piecewise linear through network.fleet.power_quantiles),
 * so a machine costs 0.024 e p USD per PH/s per day to run. On a day of
 * hashprice h (USD/PH/day at the start-of-day difficulty, subsidy, fees and
 * price), a cohort runs the share F(h / (0.024 e)) of its sites:
 *
 *     H(h) = sum_k TH_k F(h / (0.024 e_k))          TH/s online
 *
 * Capacity changes only at monthly reviews (every 30 days): deliveries of
 * orders placed lead_months earlier, at the frontier efficiency of the
 * delivery date; retirements of the idle machines of cohorts reaching
 * max_age_years, and of the machines of a cohort that ran less than
 * retire_share of its sites for retire_months reviews in a row, except
 * those at sites that still cover their power cost. So
 * H(h) is rebuilt only then, as a table in ln h on a grid of step
 * HP_FLEET_STEP, and a day costs one interpolation per chain.
 *
 * Orders follow the profitability index PI of a machine delivered after
 * the lead time: its expected operating margin over its life (hashprice
 * of the last month, scaled by the subsidy schedule the buyer
 * knows, drifting at hashprice_drift a year; sites curtail when below
 * cost) over its fixed costs (other opex, the site and the machine
 * annuitized at hurdle_rate; the machine priced by asic.h at the smoothed
 * hashprice). Orders per year are kappa (PI - 1) of the network's
 * hashrate (the month's mean, the firm's included) times exp(order_sd X), X a
 * stationary AR(1) across reviews (correlation time order_days) driven by
 * the network's shocks, at most max_growth.
 *
 * Units: TH/s for capacity, J/TH, USD/MWh, USD/PH/day, years of 365.25
 * days, a "month" of HP_FLEET_MONTH_DAYS days. */
#ifndef HP_HASHRATE_FLEET_H
#define HP_HASHRATE_FLEET_H

#include <math.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "asic.h"
#include "config.h"
#include "dist.h"
#include "hp_err.h"

#define HP_FLEET_MONTH_DAYS 30
#define HP_FLEET_STEP 0.05          /* grid step in ln(USD/PH/day) and ln(USD/MWh) */
#define HP_FLEET_MAX_INIT 16        /* start cohorts                           */
#define HP_FLEET_MAX_QUANTILES 64
#define HP_FLEET_TIGHT_DAYS 7         /* tightness is read once a week ...   */
#define HP_FLEET_TIGHT_FRAC 0.3934693402873666   /* ... as 1 - exp(-7/14) of the gap */
/* USD per PH/s per day of one J/TH at 1 USD/MWh: 1 PH/s at e J/TH draws
 * e kW, 24 e kWh a day = 0.024 e MWh. */
#define HP_FLEET_MWH_PER_PH_DAY 0.024

/* Run constants of the fleet model (read-only, shared by threads). */
typedef struct hp_fleet {
    /* Site power prices: quantiles at probabilities j / (n_q - 1). */
    int n_q;
    double q[HP_FLEET_MAX_QUANTILES];
    double q_mid[HP_FLEET_MAX_QUANTILES];    /* (q[j] + q[j+1]) / 2           */
    double q_inv2w[HP_FLEET_MAX_QUANTILES];  /* 1 / (2 (q[j+1] - q[j]))      */
    double ln_p0;                   /* ln q[0]: node 0 of the power grid    */
    int n_phi;                      /* F on the ln-p grid: phi[j] = F(exp(ln_p0 + j STEP)) */
    double *phi;
    /* The supply table's grid: node g is ln h = ln_h0 + g STEP. */
    double ln_h0;
    int n_grid;
    /* Start cohorts. */
    int n_init;
    double init_e[HP_FLEET_MAX_INIT], init_share[HP_FLEET_MAX_INIT];
    double init_age_years[HP_FLEET_MAX_INIT];
    /* Deliveries: frontier efficiency e_f(t) = frontier0 exp(-gain t). */
    double frontier0, frontier_gain;
    double *front;                  /* frontier at review m (m x 30 days)    */
    int lead_months;
    /* Investment. */
    double kappa, max_growth, hurdle_rate, drift;
    double opex_usd_mwh, site_usd_mw, site_life_years;
    hp_asic asic;
    /* Retirement. */
    double retire_share, max_age_years;
    int retire_months;
    double q_retire;                /* power price at quantile retire_share */
    /* Noise: ln of an online multiplier, OU; order shocks. */
    double noise_decay, noise_vol, order_sd, order_rho;
    double walk_vol;                /* noise_model "walk": the walk's daily sd
                                       (0 for "ou")                        */
    double jump_prob;               /* supply shocks: expected shocks a day
                                       (jump_rate / 365.25; 0 = none)       */
    double jump_mean, jump_sd;      /* a shock's size in ln of the multiplier */
    double jump_decay;              /* exp(-1 / jump_days)                  */
    double anticipation;            /* weight of the post-retarget hashprice
                                       in the daily decision to run         */
    double switch_frac;             /* 1 - exp(-1 / switch_days)            */
    int max_cohorts;                /* start cohorts + one per review */
    double ln_blocks_unit;          /* ln(86400 x 1e15 / 2^32): blocks a day
                                       per (PH/s / difficulty)             */
    double q_median;                /* median site power price, USD/MWh     */
    double fixed_per_j_th;          /* USD/PH/day per J/TH: opex and site   */
    double asic_per_usd_th;         /* USD/PH/day per USD/TH of machine     */
    /* Constants of each review's order rule, computed once: the revenue
     * window [lead, lead + life] years, exp(drift x) at its two ends, and
     * the ASIC price floor at review m (m x 30 days). */
    double rev_a, rev_b, exp_rev_a, exp_rev_b;
    double *asic_floor;
} hp_fleet;

/* One cohort: th_full TH/s delivered at efficiency e, of which the
 * machines at sites below the quantile f_cut of power prices remain
 * (installed: th_full f_cut). Its TH sit on grid bins b and b + 1 with
 * weights 1 - w and w (b + w is its offset on the grid). */
typedef struct hp_fleet_cohort {
    double th_full, f_cut, e;
    double born_years;              /* delivery, years after start_date     */
    int bin;
    double w;
    int months_under;               /* reviews in a row below retire_share  */
    double h_under;                 /* month's hashprice below which it is  */
} hp_fleet_cohort;

/* The fleet of one chain (one per allocation when the firm is in the
 * network: the others respond to each chain's own hashprice). Lives in the
 * thread's scratch memory; hp_fleet_state_bytes() gives its size. */
typedef struct hp_fleet_state {
    double *supply;                 /* [n_grid] TH/s online at grid node g   */
    hp_fleet_cohort *coh;           /* [max_cohorts], oldest first           */
    double *pipe;                   /* [lead_months] TH/s ordered, ring      */
    int n_coh, first;               /* cohorts in use; first not retired     */
    int under_end;                  /* cohorts first..under_end-1 were below
                                       retire_share at the last review      */
    int aged_end;                   /* cohorts before it passed max_age     */
    int pipe_head;
    double installed_th;            /* sum of th                             */
    double ema_hp;                  /* the last month's mean hashprice after
                                       retargets, USD/PH/day                */
    double month_hp, month_net;     /* sums over the month's days: hashprice
                                       after retargets, network H/s         */
    int month_days, months;
    double d_cached, ln_d, inv_d;   /* difficulty, its log and inverse
                                       (recomputed when it moves)          */
    double next_halving;            /* the caller's subsidy cache: height of */
    double sub_btc;                 /* the next halving, subsidy until then */
    double hp_last;                 /* the last day's hashprice              */
    double online_th;               /* TH/s running (moves toward the table's) */
    double ln_tight;                /* ln((D 2^32 / 600) / H), smoothed      */
    double tight_mult;              /* exp(anticipation x ln_tight): the
                                       decision hashprice over today's      */
    double week_tight;              /* the week's sum of (D 2^32 / 600) / H  */
    int week_days;
    double full_cost_new;           /* USD/PH/day of a machine ordered now  */
    double cash_cost_best;          /* USD/PH/day of the newest cohort at
                                       the median site                      */
} hp_fleet_state;

/* Noise shared by a path's chains (the others face the same weather and
 * the same order book whatever the firm does). */
typedef struct hp_fleet_path {
    double ln_noise;                /* the OU part of ln of the online multiplier */
    double ln_walk;                 /* its random-walk part (noise_model "walk") */
    double ln_jump;                 /* its supply shocks' part (jump_rate > 0) */
    double mult;                    /* exp(ln_noise + ln_walk + ln_jump)    */
    double z_sum;                   /* the month's shocks so far            */
    double order_x;                 /* orders' AR(1) state, stationary N(0,1) */
    double order_mult;              /* exp(order_sd order_x): the orders' multiplier,
                                     * once a review for every chain's fleet */
} hp_fleet_path;

extern const hp_param hp_fleet_params[];

/* Reads network.fleet.* and asic.* for a run of n_days. */
int hp_fleet_init(hp_fleet *f, const hp_config *cfg, int n_days, hp_err *err);
void hp_fleet_free(hp_fleet *f);

/* Bytes of one chain's state (8-byte aligned). */
size_t hp_fleet_state_bytes(const hp_fleet *f);

/* The share of a cohort's sites that run at hashprice h: F(h / (0.024 e)),
 * exact (from the quantiles, not the grid). */
double hp_fleet_share(const hp_fleet *f, double e_j_th, double hp);

/* E[max(h - 0.024 e p, 0)] over the site distribution: the operating margin
 * per PH/s per day of a machine whose sites curtail below cost, exact. */
double hp_fleet_margin(const hp_fleet *f, double e_j_th, double hp);

/* Lays out a chain's state in `mem` and starts it: cohorts scaled so that
 * the day-0 supply (at hp0 and the network's start hashrate network_hs,
 * for the retarget it implies) is others_hs, an empty table filled, the order pipeline filled at
 * the rate the rule gives on day 0. height and fee (BTC per block) give the
 * subsidy outlook; orders are a share of the network's hashrate. Returns the state, or NULL when no site is profitable at
 * hp0 (the start state is inconsistent). */
hp_fleet_state *hp_fleet_start(const hp_fleet *f, void *mem, double others_hs, double hp0,
                               double network_hs, double height, double difficulty, double fee_btc);

/* MW of the cohorts' machines that run at hashprice hp, exact (cohort by
 * cohort, not from the table). */
double hp_fleet_mw_online(const hp_fleet *f, const hp_fleet_state *s, double hp);

/* Copies a started state into `mem` (same fleet), pointers rebased. */
hp_fleet_state *hp_fleet_copy(const hp_fleet *f, void *mem, const hp_fleet_state *src);

/* TH/s online at ln hashprice ln_hp, from the table (linear in ln h). */
static inline double hp_fleet_supply_th(const hp_fleet *f, const hp_fleet_state *s, double ln_hp)
{
    double u = (ln_hp - f->ln_h0) * (1.0 / HP_FLEET_STEP);
    if (!(u > 0))
        return s->supply[0];
    if (u >= f->n_grid - 1)
        return s->supply[f->n_grid - 1];
    int i = (int)u;
    double a = s->supply[i];
    return a + (u - i) * (s->supply[i + 1] - a);
}

/* ln of the start-of-day hashprice, USD/PH/day: ln(86400 s x 1e15 / 2^32)
 * - ln D + ln(subsidy + fees) + ln S. The caller gives ln(subsidy + fees)
 * (shared by chains with the same subsidy) and ln S; ln D is cached. */
static inline double hp_fleet_ln_hashprice(const hp_fleet *f, hp_fleet_state *s, double difficulty,
                                           double ln_reward_btc, double ln_price)
{
    if (difficulty != s->d_cached) {
        double ln_d = log(difficulty);
        /* A retarget: miners' reading of the network's pace is unchanged,
         * but the difficulty it is compared with moved, so the tightness
         * (difficulty's hashrate over the network's) moves with it. Without
         * this the lagged reading counted the retarget a second time: after
         * a cut it still said "the next retarget will cut", and a fleet on
         * the steep tail of the cost curve overshot each epoch (tested:
         * liveness). */
        if (s->d_cached > 0) {
            s->ln_tight += ln_d - s->ln_d;
            s->week_tight *= difficulty * s->inv_d;
            s->tight_mult = exp(f->anticipation * s->ln_tight);
        }
        s->d_cached = difficulty;
        s->ln_d = ln_d;
        s->inv_d = 1.0 / difficulty;
    }
    return f->ln_blocks_unit - s->ln_d + ln_reward_btc + ln_price;
}

/* ln x for x > 0 to about 1e-9, without libm: x = m 2^k with m in
 * [sqrt(1/2), sqrt(2)), ln m = 2 atanh(s), s = (m - 1)/(m + 1), |s| < 0.172.
 * Used where a log a chain a day would cost more than the rest of the day. */
static inline double hp_fleet_fast_log(double x)
{
    uint64_t b;
    memcpy(&b, &x, sizeof b);
    int k = (int)((b >> 52) & 0x7ff) - 1023;
    b = (b & 0x000fffffffffffffULL) | 0x3ff0000000000000ULL;   /* m in [1, 2) */
    double m;
    memcpy(&m, &b, sizeof m);
    if (m > 1.4142135623730951) {
        m *= 0.5;
        k++;
    }
    double t = (m - 1) / (m + 1), t2 = t * t;
    double atanh = t * (1 + t2 * (1.0 / 3 + t2 * (1.0 / 5 + t2 * (1.0 / 7 + t2 * (1.0 / 9)))));
    return k * 0.6931471805599453 + 2 * atanh;
}

/* exp x for |x| < 700 to about 1e-15 relative, without libm: x = k ln 2
 * + r, |r| <= ln2/2, exp r by its Taylor series to r^13 (Horner), times
 * 2^k set in the exponent bits. */
static inline double hp_fleet_fast_exp(double x)
{
    /* nearbyint without the libm call: adding and taking away 1.5 x 2^52
     * rounds to an integer in the current rounding mode, as nearbyint
     * does, for |t| < 2^51 (here |t| < 1,010); only the sign of a zero
     * result may differ, and x - (+-0) ln 2 is x either way. */
    const double round_magic = 6755399441055744.0;     /* 1.5 x 2^52 */
    double t = x * 1.4426950408889634 + round_magic;
    double kf = t - round_magic;
    double r = x - kf * 0.6931471805599453 - kf * 2.3190468138462996e-17;
    double p = 1.0 / 6227020800.0;
    static const double c[13] = {1.0 / 479001600, 1.0 / 39916800, 1.0 / 3628800, 1.0 / 362880,
                                 1.0 / 40320, 1.0 / 5040, 1.0 / 720, 1.0 / 120, 1.0 / 24,
                                 1.0 / 6, 0.5, 1.0, 1.0};
    for (int i = 0; i < 13; i++)
        p = p * r + c[i];
    int64_t k = (int64_t)kf + 1023;
    uint64_t bits = (uint64_t)k << 52;
    double scale;
    memcpy(&scale, &bits, sizeof scale);
    return p * scale;
}

/* The others' hashrate on a day (H/s). A site runs when its power cost is
 * below the decision hashprice: today's hashprice hp = exp(ln_hp), as
 * miners see it, blended in logs with the hashprice after the retarget
 * (weight `anticipation`; the last two weeks' network hashrate gives it):
 * miners on hedged or take-or-pay power, and those who look through a dip
 * they know the next retarget will end, keep running. Machines are
 * switched over days, not at once: the running TH/s move toward that
 * target by switch_frac of the gap a day. Both keep the supply's response
 * within a two-week epoch below one (else each retarget overshoots the
 * last, and blocks stall on the low side). */
static inline double hp_fleet_hashrate(const hp_fleet *f, hp_fleet_state *s,
                                       const hp_fleet_path *p, double ln_hp, double hp)
{
    s->hp_last = hp;
    double target = hp_fleet_supply_th(f, s, ln_hp + f->anticipation * s->ln_tight);
    s->online_th += f->switch_frac * (target - s->online_th);
    return s->online_th * 1e12 * p->mult;
}

/* Once the day's network hashrate H (H/s, the firm's included) is known:
 * the hashprice after the next retargets, hp x (D 2^32 / 600) / H (the
 * revenue of a PH/s at 144 blocks a day), feeds the month's mean and the
 * smoothed hashprice. Miners know the retarget is coming: they order and
 * retire machines on this, not on a hashprice a lagging difficulty
 * depresses or inflates for a few weeks. */
static inline void hp_fleet_settle(const hp_fleet *f, hp_fleet_state *s, double difficulty,
                                   double network_hs)
{
    double at_144 = difficulty * (4294967296.0 / 600.0);      /* H/s of D at 10 min a block */
    double tight = network_hs > 1e-6 * at_144 ? at_144 / network_hs : 1e6;
    double hp = s->hp_last * tight;
    /* Miners read the coming retarget from the epoch's pace, not from one
     * day (a one-day reading would make the next day's supply swing
     * against it): each week's mean tightness moves ln tight by
     * HP_FLEET_TIGHT_FRAC of the gap, a two-week average. */
    s->week_tight += tight;
    if (++s->week_days == HP_FLEET_TIGHT_DAYS) {
        s->ln_tight += HP_FLEET_TIGHT_FRAC *
                       (hp_fleet_fast_log(s->week_tight * (1.0 / HP_FLEET_TIGHT_DAYS)) - s->ln_tight);
        s->tight_mult = hp_fleet_fast_exp(f->anticipation * s->ln_tight);
        s->week_tight = 0;
        s->week_days = 0;
    }
    s->month_hp += hp;
    s->month_net += network_hs;
    s->month_days++;
}

void hp_fleet_path_init(hp_fleet_path *p);

/* 1 when day d (0-based) ends with a review. */
static inline int hp_fleet_review_day(int d) { return (d + 1) % HP_FLEET_MONTH_DAYS == 0; }

/* Ends day d (0-based) for the path: the online noise takes the day's
 * shock z; on a review day the month's shocks, standardized, move the
 * orders' AR(1) state. ln of the online multiplier after n days, from 0:
 *
 *   OU    x_n = phi x_{n-1} + b z_n       (phi = exp(-1/noise_days), b = noise_vol)
 *   walk  w_n = w_{n-1} + a z_n           (a = walk_sd sqrt(1 / 365.25))
 *
 * ln mult = x_n + w_n (+ the supply shocks' y_n, hp_fleet_path_jump), x and w from the same shocks (a shock to the hashrate
 * online partly passes, partly stays: the machines it added or removed),
 * so Var(ln mult_n) = sum_{j<n} (a + b phi^j)^2
 *   = n a^2 + 2 a b (1 - phi^n) / (1 - phi) + b^2 (1 - phi^2n) / (1 - phi^2)
 * (tests/test_fleet.c checks it; scripts/hp_fleet.py fits a and b with it). */
static inline void hp_fleet_path_step(const hp_fleet *f, hp_fleet_path *p, int d, double shock)
{
    p->z_sum += shock;
    if (f->noise_vol > 0 || f->walk_vol > 0 || f->jump_prob > 0) {
        p->ln_noise = p->ln_noise * f->noise_decay + f->noise_vol * shock;
        p->ln_walk += f->walk_vol * shock;
        p->mult = hp_fleet_fast_exp(p->ln_noise + p->ln_walk + p->ln_jump);
    }
    if (hp_fleet_review_day(d)) {
        double z = p->z_sum / sqrt((double)HP_FLEET_MONTH_DAYS);
        p->order_x = f->order_rho * p->order_x + sqrt(1 - f->order_rho * f->order_rho) * z;
        p->order_mult = f->order_sd > 0 ? exp(f->order_sd * p->order_x) : 1.0;
        p->z_sum = 0;
    }
}

/* Supply shocks, before hp_fleet_path_step on each day when jump_prob > 0
 * (from the path's own stream, so the other draws never move): the
 * shocks' part of ln mult decays, y_n = psi y_{n-1} + S_n, psi =
 * exp(-1 / jump_days), S_n the sum of K_n ~ Poisson(jump_prob) sizes
 * N(jump_mean, jump_sd^2). From y_0 = 0, with m = jump_prob jump_mean and
 * v = jump_prob (jump_mean^2 + jump_sd^2) (a compound Poisson day):
 *   E y_n = m (1 - psi^n) / (1 - psi),  Var y_n = v (1 - psi^2n) / (1 - psi^2)
 * (tests/test_fleet.c checks both; scripts/hp_fleet.py fits the shocks
 * with the continuous-time form of the same process). */
static inline void hp_fleet_path_jump(const hp_fleet *f, hp_fleet_path *p, hp_pcg64 *r)
{
    p->ln_jump *= f->jump_decay;
    /* K by inversion: P(K = 0) = exp(-jump_prob) is near 1, one uniform. */
    double u = hp_uniform(r), pk = exp(-f->jump_prob), cdf = pk;
    for (int k = 1; u > cdf && k < 64; k++) {
        pk *= f->jump_prob / k;
        cdf += pk;
        p->ln_jump += f->jump_mean + f->jump_sd * hp_normal(r);
    }
}

/* Reviews a chain's fleet at the end of day d: retirements, deliveries,
 * orders (with the path's order multiplier). height: the chain's; fee:
 * BTC per block. Call on review days only, after hp_fleet_path_step. */
void hp_fleet_review(const hp_fleet *f, hp_fleet_state *s, const hp_fleet_path *p, int d,
                     double height, double fee_btc);

#endif
