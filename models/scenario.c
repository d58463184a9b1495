/* scenario: the hashpivot model as the engine sees it (an hp_model).
 *
 * It composes the price, network, fee, miner, HPC and valuation pieces into
 * one daily loop per path. The market (price, hashrate trend, fees, AI lease
 * rate) is drawn once per path and shared by every allocation (common random
 * numbers). When the miner is part of the network, each allocation has its
 * own chain, because converting capacity lowers network hashrate and so
 * moves difficulty, blocks and halving dates.
 *
 * Day d uses the state at t = d * dt (the start values on day 0), then steps
 * the processes to t + dt. Random components: each has its own
 * stream, so a change in one never moves the draws of another. */
#include "scenario.h"

#include "scenario_impl.h"

#include <omp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static size_t align16(size_t n) { return (n + 15) & ~(size_t)15; }

/* Bytes of workspace a thread needs; also lays it out when w != NULL.
 * Each array starts on a 16-byte boundary. */
size_t hp_scenario_work_layout(const scenario *s, void *base, work *w)
{
    size_t na = (size_t)s->layout.n_alloc, nn = (size_t)s->n_net, nc = (size_t)s->n_curve;
    size_t nt = na * (size_t)(s->hpc.max_tranches > 0 ? s->hpc.max_tranches : 1);
    size_t fleet_bytes = s->net.kind == HP_HASH_FLEET ? hp_fleet_state_bytes(&s->net.fleet) : 0;
    work dummy;
    if (w == NULL)
        w = &dummy;
    struct { void **at; size_t bytes; } part[] = {
        {(void **)&w->chain, nn * sizeof(hp_chain)},
        {(void **)&w->cday, nn * sizeof(hp_chain_day)},
        {(void **)&w->net_btc, nn * sizeof(double)},
        {(void **)&w->net_hs, nn * sizeof(double)},
        {(void **)&w->net_usd, nn * sizeof(double)},
        {(void **)&w->hashprice, nn * sizeof(double)},
        {(void **)&w->as, na * sizeof(hp_alloc_hpc)},
        {(void **)&w->ts, nt * sizeof(hp_tranche)},
        {(void **)&w->lh, nn * sizeof(double)},
        {(void **)&w->k_on, nn * sizeof(int)},
        {(void **)&w->hp_ema, nn * sizeof(double)},
        {(void **)&w->sub_btc, nn * sizeof(double)},
        {(void **)&w->sub_until, nn * sizeof(double)},
        {(void **)&w->era, nn * sizeof(int64_t)},
        {(void **)&w->firm_usd, nn * sizeof(double)},
        {(void **)&w->asic_usd_th, nn * sizeof(double)},
        {(void **)&w->luck, nn * sizeof(hp_pcg64)},
        {(void **)&w->noi_tv_mining, na * sizeof(double)},
        {(void **)&w->noi_tv_hpc, na * sizeof(double)},
        {(void **)&w->cum_mw, na * nc * sizeof(double)},
        {(void **)&w->cum_mwp, na * nc * sizeof(double)},
        {(void **)&w->curve_mw, na * sizeof(double)},
        {(void **)&w->fleet, nn * sizeof(hp_fleet_state *)},
        {(void **)&w->fleet_mem, nn * align16(fleet_bytes)},
        {(void **)&w->exit, nn * sizeof(hp_exit_chain)},
        {(void **)&w->refresh, nn * sizeof(hp_refresh_chain)},
        {(void **)&w->hs_mw, nn * sizeof(double)},
        {(void **)&w->n_keep, na * sizeof(int)},
        {(void **)&w->iout, s->conv.on ? hp_layout_path_size(&s->layout) * sizeof(double) : 0},
        {(void **)&w->pol, s->conv.on ? (size_t)(s->layout.n_years + 2) * sizeof(int) : 0},
        {(void **)&w->cap_mem, s->conv.on ? hp_conv_capture_layout(&s->conv, NULL, NULL) : 0},
        {(void **)&w->qz, s->qmc ? (size_t)HP_QMC_FACTORS * (size_t)s->n_days * sizeof(double) : 0},
        {(void **)&w->qwork, s->qmc ? hp_qmc_work_size(s->qmc) * sizeof(double) : 0},
        {(void **)&w->ysum, na * N_YSUM * sizeof(double)},
        {(void **)&w->book, na * sizeof(alloc_book)},
    };
    size_t total = 0;
    for (size_t i = 0; i < sizeof part / sizeof *part; i++) {
        *part[i].at = base != NULL ? (char *)base + total : NULL;
        total += align16(part[i].bytes);
    }
    if (base != NULL && s->conv.on)
        hp_conv_capture_layout(&s->conv, w->cap_mem, &w->cap);
    return total;
}

/* Starts a path: chains at the initial state, the hashrate the model
 * drives, the tranches (hpc), the block-luck generators (one copy per
 * chain, so allocations share their luck draws while their rates agree),
 * halvings unset. */
static void path_init(const scenario *s, work *w, double *out, hp_pcg64 *events,
                      const hp_pcg64 *luck)
{
    const hp_layout *l = &s->layout;
    const hp_network *nw = &s->net;
    for (int n = 0; n < s->n_net; n++) {
        hp_network_chain_start(nw, &w->chain[n]);
        w->lh[n] = s->log_hash_market0;
        w->luck[n] = *luck;
    }
    hp_hpc_path_init(&s->hpc, s->miner.capacity_mw, events, w->ts, w->as);
    for (int n = 0; n < s->n_net; n++) {
        w->k_on[n] = s->miner.n_sites;
        w->asic_usd_th[n] = s->miner.refresh_usd_th;
        w->sub_until[n] = -INFINITY;           /* computed on day 0 */
        hp_exit_start(&w->exit[n]);
        hp_refresh_start(&s->miner, &w->refresh[n]);
    }
    for (int a = 0; a < l->n_alloc; a++) {
        w->noi_tv_mining[a] = w->noi_tv_hpc[a] = 0;
        w->n_keep[a] = s->miner.n_sites;
        size_t c = (size_t)a * (size_t)s->n_curve;
        hp_miner_curve(&s->miner, w->as[a].mining_mw, &w->cum_mw[c], &w->cum_mwp[c]);
        w->curve_mw[a] = w->as[a].mining_mw;
        w->book[a].since = 0;
        book_set(s, w, a);
    }
    memset(out, 0, hp_layout_path_size(l) * sizeof(double));
    memset(w->ysum, 0, (size_t)l->n_alloc * N_YSUM * sizeof(double));
    double *hd = out + s->off[V_HALVING_DAY];
    for (int i = 0; i < l->n_alloc * N_HALVINGS; i++)
        hd[i] = -1;
}

/* Fleet model: each chain's fleet starts from the same state. */
static void fleet_path_init(const scenario *s, work *w)
{
    const hp_fleet *f = &s->net.fleet;
    size_t bytes = align16(hp_fleet_state_bytes(f));
    for (int n = 0; n < s->n_net; n++)
        w->fleet[n] = hp_fleet_copy(f, w->fleet_mem + (size_t)n * bytes, s->fleet0);
}

/* The chain's block subsidy (BTC), recomputed only when it crosses a halving. */
static inline double fleet_subsidy(hp_fleet_state *st, double height)
{
    if (height >= st->next_halving) {
        int64_t h = (int64_t)height;
        st->next_halving = (double)((h / HP_HALVING_INTERVAL + 1) * HP_HALVING_INTERVAL);
        st->sub_btc = (double)hp_subsidy_sat(h) / (double)HP_COIN_SAT;
    }
    return st->sub_btc;
}

/* Fleet model: the others' hashrate on chain n today. The hashprice is the
 * one miners see at the start of the day: the chain's difficulty and
 * subsidy, the day's fees and price; ln(subsidy + fees) is computed once a
 * day (chains share it unless a halving separates them). */
static double fleet_others(const scenario *s, const work *w, int n, const hp_fleet_path *fp,
                           double F, double S, double x, double *reward, double *ln_reward)
{
    const hp_chain *ch = &w->chain[n];
    hp_fleet_state *st = w->fleet[n];
    double r = fleet_subsidy(st, ch->height) + F;
    if (r != *reward) {
        *reward = r;
        *ln_reward = log(r);
    }
    double ln_hp = hp_fleet_ln_hashprice(&s->net.fleet, st, ch->difficulty, *ln_reward, x);
    double hp = DAY_S * 1e15 / HP_TWO32 * st->inv_d * r * S;
    return hp_fleet_hashrate(&s->net.fleet, st, fp, ln_hp, hp);
}

/* Fleet model: what the fleets report changes only at reviews, so the
 * year's sums add value x days at each review and year end: days
 * *acc_day .. d (inclusive) go to year y. */
static void fleet_account(const scenario *s, const work *w, double *out, int y, int d, int *acc_day)
{
    double days = d + 1 - *acc_day;
    if (!(days > 0))
        return;
    *acc_day = d + 1;
    for (int a = 0; a < s->layout.n_alloc; a++) {
        const hp_fleet_state *st = w->fleet[s->n_net > 1 ? a : 0];
        size_t i = (size_t)a * s->layout.n_years + y;
        out[s->off[V_FULL_COST_NEW] + i] += st->full_cost_new * days;
        out[s->off[V_CASH_COST_BEST] + i] += st->cash_cost_best * days;
    }
}

/* Fleet model, last day of year y: the year's sums, and the MW running. */
static void fleet_year_end(const scenario *s, const work *w, double *out, int y, int d, int *acc_day)
{
    fleet_account(s, w, out, y, d, acc_day);
    for (int a = 0; a < s->layout.n_alloc; a++) {
        const hp_fleet_state *st = w->fleet[s->n_net > 1 ? a : 0];
        out[s->off[V_NET_MW_ONLINE] + (size_t)a * s->layout.n_years + y] =
            hp_fleet_mw_online(&s->net.fleet, st, st->hp_last);
    }
}

/* Day d of the trace: the day's price and fees; per chain the hashrate
 * (H/s) and the difficulty at the start of the day, its blocks, and the
 * hashprice earned (USD per PH/s per day). */
static void trace_day(const scenario *s, const work *w, const double *difficulty0, double S,
                      double F, double *t)
{
    t[T_PRICE] = S;
    t[T_FEE] = F;
    for (int n = 0; n < s->n_net; n++) {
        double *c = t + T_MARKET + n * T_CHAIN;
        c[T_HASHRATE] = w->net_hs[n];
        c[T_DIFFICULTY] = difficulty0[n];
        c[T_BLOCKS] = w->cday[n].blocks;
        c[T_HASHPRICE] = w->hashprice[n];
    }
}

/* Decision date t (day d) of the policy's slot: the state from its chain
 * (the hashprice its difficulty pays today) and the market. A training
 * path (cap) records it; an evaluation path starts the tranches the policy
 * says (the next ones in order: tranche k is the k-th converted, with the
 * generator of tranche k of every static allocation). */
static void policy_date(const scenario *s, work *w, int t, int d, int y, double S, double F,
                        double X, double hs_mw, const hp_ai_path *ai, hp_conv_capture *cap,
                        int *rights)
{
    const hp_conv *c = &s->conv;
    const hp_hpc *h = &s->hpc;
    const int P = s->pslot;
    const hp_chain *ch = &w->chain[s->n_net > 1 ? P : 0];
    double sub = (double)hp_subsidy_sat((int64_t)ch->height) / (double)HP_COIN_SAT;
    double hashprice = DAY_S * 1e15 / HP_TWO32 / ch->difficulty * (sub + F) * S;   /* USD/PH/day */
    double mining = hashprice * hs_mw * 1e-15 * 365.25 * (1 - s->miner.pool_fee);    /* USD/MW/yr */
    double aiv = h->gpu ? ai->gpu * h->utilization : ai->lease;
    double state[HP_PS_N];
    hp_conv_state(state, aiv, mining, hashprice, S, X);
    int g = c->n_regimes > 1 ? ai->bust : 0;
    if (cap != NULL) {
        memcpy(cap->state + (size_t)t * HP_PS_N, state, sizeof state);
        cap->regime[t] = (int8_t)g;
        return;
    }
    int m = hp_conv_decide(c, t, *rights, g, state);
    if (m <= 0)
        return;
    hp_tranche *ts = &w->ts[(size_t)P * (size_t)h->max_tranches];
    for (int j = 0; j < m; j++)
        hp_hpc_start(&ts[c->first_tranche + (c->n_rights - *rights) + j], d);
    *rights -= m;
    w->as[P].next_day = d;                 /* the slot's events run today */
    if (w->pol[1] < 0)
        w->pol[1] = d;
    w->pol[0] += m;
    w->pol[2 + y] += m;
}

/* H/s per MW of chain n's fleet on day d: its own under refresh_rule
 * frontier (the refresh depends on the chain's hashprice), else the
 * schedule's. */
static inline double chain_hs_per_mw(const scenario *s, const work *w, int n, int d)
{
    if (s->miner.refresh_frontier)
        return w->refresh[n].th_mw * 1e12 * s->miner.uptime;
    return s->hs_per_mw[d];
}

/* One path, day by day; with `trace`, its daily series too; `train`: a
 * training path of the policy, its arrays captured in the workspace. */
static void simulate(const void *model, uint64_t seed, uint64_t path, double *out, void *scratch,
                     double *trace, int train, void *record)
{
    const scenario *s = model;
    const hp_layout *l = &s->layout;
    const int na = l->n_alloc, nnet = s->n_net;
    const hp_network *nw = &s->net;
    const hp_miner *mi = &s->miner;
    const hp_hpc *hpc = &s->hpc;
    work w;
    hp_scenario_work_layout(s, scratch, &w);
    val_record rec;
    w.rec = NULL;
    if (record != NULL) {                       /* simulate_record */
        hp_scenario_record_layout(s, record, &rec);
        memset(rec.n_ops, 0, (size_t)na * sizeof *rec.n_ops);
        w.rec = &rec;
    }

    hp_pcg64 r_price, r_net, r_fee, r_ai, r_power, r_events, r_luck, r_bust, r_shock;
    hp_rng_stream(&r_price, seed, path, RNG_PRICE);
    hp_rng_stream(&r_net, seed, path, RNG_NETWORK);
    hp_rng_stream(&r_fee, seed, path, RNG_FEES);
    hp_rng_stream(&r_ai, seed, path, RNG_AI_MARKET);
    hp_rng_stream(&r_power, seed, path, RNG_POWER);
    hp_rng_stream(&r_events, seed, path, RNG_EVENTS);
    hp_rng_stream(&r_luck, seed, path, RNG_BLOCK_LUCK);
    hp_rng_stream(&r_bust, seed, path, RNG_AI_BUST);
    hp_rng_stream(&r_shock, seed, path, RNG_SUPPLY_SHOCK);
    path_init(s, &w, out, &r_events, &r_luck);
    /* Sobol: the path's three daily shocks, point path % M of scramble
     * path / M (sim/sobol.h); NULL: drawn day by day from the streams. */
    const double *qz = NULL;
    if (s->qmc != NULL) {
        hp_qmc_normals(s->qmc, seed, (uint32_t)(path / s->qmc_points),
                       (uint32_t)(path % s->qmc_points), w.qz, w.qwork);
        qz = w.qz;
    }
    hp_ai_path ai;
    hp_ai_path_init(hpc, &ai, &r_bust);

    hp_price_path ps;                           /* ps.x = ln S     */
    hp_price_path_init(&s->price, &ps, &r_price);
    double x = ps.x;
    double lf = nw->fee0_log;                   /* ln F (fees ou)  */
    hp_power_path pw;                           /* X, on every site's price */
    hp_power_path_init(&pw);
    const double keep = 1 - mi->pool_fee;
    const double noi = hpc->noi_margin;
    const int in_net = mi->in_network, eq = nw->kind == HP_HASH_EQUILIBRIUM;
    const int hist_net = nw->kind == HP_HASH_HISTORICAL, fleet = nw->kind == HP_HASH_FLEET;
    hp_fleet_path fp;
    double reward = -1, ln_reward = 0;          /* fleet: ln(subsidy + F) cache */
    int acc_day = 0;                            /* fleet: outputs summed to here */
    hp_fleet_path_init(&fp);
    if (fleet)
        fleet_path_init(s, &w);
    const double gpu_usd_day = hpc->utilization / 365.25;   /* x G x MW */
    const double day_hs = DAY_S / HP_TWO32;     /* blocks a day per (H/s / D) */
    const int P = s->pslot;                     /* the policy's slot, or -1 */
    hp_conv_capture *cap = train ? &w.cap : NULL;
    int rights = P >= 0 ? s->conv.n_rights : 0, pt = 0;
    if (P >= 0) {
        memset(w.pol, 0, (size_t)(l->n_years + 2) * sizeof(int));
        w.pol[1] = -1;
    }

    hp_alloc_hpc due;                           /* the allocations' earliest change */
    hp_hpc_due_min(w.as, na, &due);
    double msum[N_MSUM] = {0};                  /* the market's sums for year y */
    int y = 0;
    for (int d = 0; d < s->n_days; d++) {
        const double S = exp(x);
        const double F = nw->hist_fee != NULL ? nw->hist_fee[d] : exp(lf);
        const double X = pw.factor;
        /* The others' hashrate: shared, except in equilibrium and fleet (per chain). */
        const double Hm = hist_net ? s->others_hs[d] : fleet ? 0 : exp(w.lh[0]);
        hp_ai_today(hpc, &ai, d, &r_bust);
        if (P >= 0 && pt < s->conv.n_dates && d == s->conv.day[pt]) {
            policy_date(s, &w, pt, d, y, S, F, X, chain_hs_per_mw(s, &w, nnet > 1 ? P : 0, d),
                        &ai, cap, &rights);
            pt++;
            hp_hpc_due_min(w.as, na, &due);     /* the slot may run today */
        }

        if (hp_hpc_due(&due, d, &ai)) {         /* some allocation has a change */
            for (int a = 0; a < na; a++) {
                if (!hp_hpc_due(&w.as[a], d, &ai))
                    continue;
                book_flush(s, &w, a, d);
                hp_hpc_events(hpc, a, mi->capacity_mw,
                              &w.ts[(size_t)a * (size_t)hpc->max_tranches], &w.as[a], d, &ai);
                if (w.as[a].mining_mw != w.curve_mw[a]) {   /* MW converted or back */
                    size_t c = (size_t)a * (size_t)s->n_curve;
                    hp_miner_curve_kept(mi, w.as[a].mining_mw, w.n_keep[a], &w.cum_mw[c], &w.cum_mwp[c]);
                    w.curve_mw[a] = w.as[a].mining_mw;
                }
                book_set(s, &w, a);
                book_event_items(s, &w, a, d);
            }
            hp_hpc_due_min(w.as, na, &due);
        }

        /* The network: one chain, or one per allocation. The firm's sites
         * mine unless curtailed: revenue of their hashrate at the day's
         * difficulty and subsidy against each site's power plus variable
         * cost (w.k_on: the sites that mine, cheapest first). */
        double d0[HP_TRACE_CHAINS];
        double asic_floor = NAN;                /* the day's ASIC price floor, once */
        const double refresh_cost = mi->refresh_frontier ? hp_refresh_cost(mi, X) : 0;
        const int quote_day = mi->refresh_market && d % HP_ASIC_QUOTE_DAYS == 0;
        if (trace != NULL)                      /* the start of day's difficulty */
            for (int n = 0; n < nnet && n < HP_TRACE_CHAINS; n++)
                d0[n] = w.chain[n].difficulty;
        for (int n = 0; n < nnet; n++) {
            hp_chain *ch = &w.chain[n];
            double usd_hs = 0;
            const double hs_mw = w.hs_mw[n] = chain_hs_per_mw(s, &w, n, d);
            if (ch->height >= w.sub_until[n]) {        /* day 0, or a halving passed */
                int64_t h = (int64_t)ch->height;
                w.sub_btc[n] = (double)hp_subsidy_sat(h) / (double)HP_COIN_SAT;
                w.era[n] = h / HP_HALVING_INTERVAL;
                w.sub_until[n] = (double)((w.era[n] + 1) * HP_HALVING_INTERVAL);
            }
            if (mi->curtail) {
                usd_hs = day_hs / ch->difficulty * (w.sub_btc[n] + F) * S * keep;
                if (fleet) {
                    /* The firm's sites on the others' curve: they decide on
                     * the same decision hashprice (today's blended with the
                     * one after the coming retarget) with the same switching
                     * inertia. Switched on and off at once on today's
                     * hashprice, a firm holding a third of the network came
                     * back in full on the day after a retarget cut, mined
                     * the epoch in two days, and the next retarget (x4)
                     * stopped it again: difficulty cycled between two
                     * levels and blocks ran at a third of the pace for a
                     * year (tested: liveness). */
                    double dec = usd_hs * w.fleet[n]->tight_mult;
                    w.firm_usd[n] = d == 0 ? dec
                                  : w.firm_usd[n] + nw->fleet.switch_frac * (dec - w.firm_usd[n]);
                    usd_hs = w.firm_usd[n];
                }
            }
            if (mi->exit_months > 0)
                hp_exit_day(&w.exit[n], usd_hs * hs_mw, X);
            double firm = hp_miner_online_hs(mi, &w.cum_mw[(size_t)n * (size_t)s->n_curve],
                                             usd_hs, hs_mw, X, &w.k_on[n]);
            double others = fleet ? fleet_others(s, &w, n, &fp, F, S, x, &reward, &ln_reward)
                          : eq && n > 0 ? exp(w.lh[n]) : Hm;
            double H = in_net ? others + firm : others;
            if (fleet)
                hp_fleet_settle(&nw->fleet, w.fleet[n], ch->difficulty, H);
            hp_chain_day *cd = &w.cday[n];
            if (nw->block_luck)
                hp_chain_advance_luck(ch, H, DAY_S, &w.luck[n], cd);
            else
                hp_chain_advance_era(ch, H, DAY_S, w.era[n], w.sub_until[n], cd);
            w.net_hs[n] = H;
            w.net_btc[n] = cd->subsidy_btc + cd->blocks * F;
            w.net_usd[n] = w.net_btc[n] * S;
            w.hashprice[n] = w.net_usd[n] / (H * 1e-15);
            /* The chain's year sums, in allocation n's (allocation 0's
             * when one chain serves all: copied at year end). */
            double *cys = w.ysum + (size_t)n * N_YSUM;
            cys[Y_HASHPRICE_MEAN] += w.hashprice[n];
            cys[Y_NET_REVENUE] += w.net_usd[n];
            cys[Y_BLOCKS] += cd->blocks;
            if (mi->refresh_market || mi->refresh_frontier) {
                /* ASIC price at the smoothed hashprice (an exponential mean
                 * with the centre of mass of a 90-day trailing mean),
                 * quoted weekly like a price index: a day's lag on a
                 * 90-day mean, and a log and an exp a week, not a day. */
                double hp = w.hashprice[n];
                w.hp_ema[n] = d == 0 ? hp : w.hp_ema[n] + HP_EMA_90 * (hp - w.hp_ema[n]);
                if (quote_day) {
                    /* Chains that have not diverged (no conversion yet)
                     * share a smoothed hashprice, hence the quote: a log
                     * and an exp saved for each; the floor is the day's. */
                    if (n > 0 && w.hp_ema[n] == w.hp_ema[n - 1])
                        w.asic_usd_th[n] = w.asic_usd_th[n - 1];
                    else {
                        if (isnan(asic_floor))
                            asic_floor = hp_asic_floor_usd_per_th(&s->asic, d * DT);
                        w.asic_usd_th[n] = hp_asic_usd_per_th_above(&s->asic, w.hp_ema[n], asic_floor);
                    }
                }
                if (mi->refresh_frontier)       /* tomorrow's fleet, today's purchase */
                    hp_refresh_decide(mi, &w.refresh[n], s->refresh_th_mw[d], w.hp_ema[n],
                                      w.asic_usd_th[n], refresh_cost);
            }
            if (cd->halvings > 0) {
                int64_t era = (int64_t)w.chain[n].height / HP_HALVING_INTERVAL;
                for (int k = 0; k < cd->halvings; k++) {
                    int64_t h = (era - k) * HP_HALVING_INTERVAL;
                    for (int i = 0; i < N_HALVINGS; i++)
                        if (s->halving_height[i] == h)
                            for (int a = (nnet > 1 ? n : 0); a < (nnet > 1 ? n + 1 : na); a++)
                                out[s->off[V_HALVING_DAY] + (size_t)a * N_HALVINGS + i] = d;
                }
            }
        }

        if (trace != NULL)
            trace_day(s, &w, d0, S, F, trace + (size_t)d * (size_t)s->n_trace);

        /* Cash flows of each allocation: what changes day by day (the
         * amounts fixed between events are in its book). */
        const double *disc = s->disc;
        const double burn_x = s->burn_mwh_day * X;          /* USD per MW at price 1 */
        const double refresh_th = s->refresh_th_mw != NULL ? s->refresh_th_mw[d] : 0.0;
        const int in_tv = d >= s->tv_first_day;
        const double gpu_upkeep_day = s->gpu_upkeep_day;
        /* Loop invariants in locals: the accumulators' stores could alias
         * any double the compiler cannot see is not one, so it would
         * reload these for every allocation. */
        const double disc_d = disc[d], var_mw_day = s->var_usd_mw_day;
        const int frontier = mi->refresh_frontier, gpu = hpc->gpu, curtail = mi->curtail;
        for (int a = 0; a < na; a++) {
            const hp_alloc_hpc *as = &w.as[a];
            const alloc_book *b = &w.book[a];
            double *ys = w.ysum + (size_t)a * N_YSUM;
            int n = nnet > 1 ? a : 0;
            const double *cum_mw = &w.cum_mw[(size_t)a * (size_t)s->n_curve];
            const double *cum_mwp = &w.cum_mwp[(size_t)a * (size_t)s->n_curve];
            int k = w.k_on[n];
            double mw = b->mw_mining;
            double online = cum_mw[k];
            double hm = online * w.hs_mw[n];
            double btc = hm / w.net_hs[n] * w.net_btc[n] * keep;
            double rev = btc * S;
            double energy = burn_x * cum_mwp[k];
            double opex_var = online * var_mw_day;
            double refresh = online * (frontier ? w.refresh[n].bought_th : refresh_th) *
                             w.asic_usd_th[n];
            double net = rev - energy - opex_var - refresh;
            double gpu_rev = 0, gpu_noi = 0;    /* GPU cloud: at the day's index */
            if (gpu) {
                gpu_rev = as->gpu_mw * ai.gpu * gpu_usd_day;
                gpu_noi = gpu_rev - (1 - noi) * gpu_rev;
                ys[Y_HPC_REV] += gpu_rev;
                ys[Y_HPC_OPEX] += (1 - noi) * gpu_rev;
                ys[Y_NPV_HPC] += gpu_noi * disc_d;
                net += gpu_noi;
            }
            ys[Y_MINING_REV] += rev;
            ys[Y_ENERGY] += energy;
            ys[Y_MINING_OPEX] += opex_var;
            if (refresh_th != 0)
                ys[Y_CAPEX_REFRESH] += refresh;
            ys[Y_NET_CF] += net;
            ys[Y_BTC_MINED] += btc;
            ys[Y_MW_ONLINE] += online;
            if (curtail && online < mw)
                ys[Y_DAYS_CURTAILED] += (mw - online) / mw;
            ys[Y_NPV] += net * disc_d;
            rec_npv(&w, a, net, gpu_noi, d, NPV_OP_DAY);
            if (in_tv || (cap != NULL && a == P)) {
                double opex = b->opex + opex_var;
                double noi_mining = rev - energy - opex - refresh;
                if (in_tv) {
                    double hpc_rev = as->rent_day + gpu_rev;
                    w.noi_tv_mining[a] += noi_mining;
                    w.noi_tv_hpc[a] += hpc_rev - (1 - noi) * hpc_rev - as->gpu_mw * gpu_upkeep_day;
                }
                if (cap != NULL && a == P) {
                    double held = as->mining_mw;
                    cap->margin[d] = held > 0 ? noi_mining / held * disc[d] : 0;
                    cap->ai[d] = hpc->gpu ? ai.gpu * hpc->utilization : ai.lease;
                }
            }
        }
        msum[M_PRICE] += S;
        msum[M_FEE] += F;
        msum[M_LEASE] += ai.lease_f;            /* x L0 at year end */
        msum[M_POWER] += X * mi->price_mean;
        msum[M_GPU] += ai.gpu;
        msum[M_BUST] += ai.bust;
        if (mi->exit_months > 0 && (d + 1) % HP_EXIT_MONTH_DAYS == 0)
            hp_scenario_exit_review(s, &w, d, X);
        if (fleet && d == s->year_end_day[y])
            fleet_year_end(s, &w, out, y, d, &acc_day);
        if (d == s->year_end_day[y]) {
            for (int a = nnet; a < na; a++) {   /* one chain: its sums are every allocation's */
                double *ys = w.ysum + (size_t)a * N_YSUM;
                ys[Y_HASHPRICE_MEAN] = w.ysum[Y_HASHPRICE_MEAN];
                ys[Y_NET_REVENUE] = w.ysum[Y_NET_REVENUE];
                ys[Y_BLOCKS] = w.ysum[Y_BLOCKS];
            }
            year_sums_store(s, &w, msum, out, y, d);
            year_close(s, &w, out, y, S);
            y++;
        }

        /* Step the market to the next day with correlated shocks. */
        const size_t nd = (size_t)s->n_days;
        double z1 = hp_price_step(&s->price, &ps, &r_price, qz ? qz + Q_PRICE * nd + d : NULL);
        double z2 = qz ? qz[Q_HASHRATE * nd + d] : hp_normal(&r_net);
        double z3 = qz ? qz[Q_LEASE * nd + d] : hp_normal(&r_ai);
        double e2 = s->l21 * z1 + s->l22 * z2;
        double e3 = s->l31 * z1 + s->l32 * z2 + s->l33 * z3;
        x = ps.x;
        if (eq) {
            /* Entry and exit toward H* = 144 (subsidy + F) S / c_d; chains
             * share the target unless a halving separates them. */
            double sub_prev = -1, target = 0;
            for (int n = 0; n < nnet; n++) {
                double sub = (double)hp_subsidy_sat((int64_t)w.chain[n].height) / (double)HP_COIN_SAT;
                if (sub != sub_prev) {
                    target = hp_hash_eq_log_target(nw, d, HP_BLOCKS_TARGET_DAY * (sub + F) * S);
                    sub_prev = sub;
                }
                w.lh[n] = hp_hash_eq_step(&nw->eq, w.lh[n], w.net_hs[n], target, e2);
            }
        } else if (fleet) {
            /* Monthly reviews: retirements, deliveries, orders. */
            if (nw->fleet.jump_prob > 0)
                hp_fleet_path_jump(&nw->fleet, &fp, &r_shock);
            hp_fleet_path_step(&nw->fleet, &fp, d, e2);
            if (hp_fleet_review_day(d)) {
                fleet_account(s, &w, out, y, d, &acc_day);
                for (int n = 0; n < nnet; n++)
                    hp_fleet_review(&nw->fleet, w.fleet[n], &fp, d, w.chain[n].height, F);
            }
        } else if (!hist_net) {
            w.lh[0] += nw->trend.drift_dt + nw->trend.vol_sqrt_dt * e2;
        }
        if (nw->hist_fee == NULL)
            lf = nw->fee.log_mean + (lf - nw->fee.log_mean) * nw->fee.decay +
                 nw->fee.vol * hp_normal(&r_fee);
        mi->power->step(mi, &pw, &r_power);
        hp_ai_step(hpc, &ai, e3);
    }

    for (int a = 0; a < na; a++) {
        out[s->off[V_NPV] + a] = w.ysum[(size_t)a * N_YSUM + Y_NPV];
        out[s->off[V_NPV_HPC] + a] = w.ysum[(size_t)a * N_YSUM + Y_NPV_HPC];
    }

    /* Terminal values at the horizon (terminal_close); a recording path
     * keeps what they read, whether or not this model adds them. */
    for (int a = 0; a < na; a++) {
        double tv[TV_N] = {[TV_HELD] = w.as[a].mining_mw, [TV_KEPT] = kept_mining_mw(s, &w, a),
                           [TV_NOI_MINING] = w.noi_tv_mining[a], [TV_NOI_HPC] = w.noi_tv_hpc[a]};
        if (w.rec != NULL)
            memcpy(w.rec->tv + (size_t)a * TV_N, tv, sizeof tv);
        if (s->val.terminal)
            terminal_close(s, a, tv, out);
    }
    if (cap != NULL)
        cap->noi_tv_mining_mw = w.as[P].mining_mw > 0 ? w.noi_tv_mining[P] / w.as[P].mining_mw : 0;
}

/* Policy on: the engine's result array from every slot's. The static
 * allocations' rows come first in each variable, so each is a prefix; the
 * policy's slot gives the policy's lines. */
static void policy_export(const scenario *s, const work *w, double *out)
{
    const hp_layout *il = &s->layout, *xl = &s->xlayout;
    const double *in = w->iout;
    const int P = s->pslot, ny = il->n_years;
    for (int v = 0; v < N_VARS; v++)
        memcpy(out + s->xoff[v], in + s->off[v], hp_var_size(xl, &hp_scenario_vars[v]) * sizeof(double));
    const size_t *xo = s->xoff + N_VARS;
    out[xo[P_NPV]] = in[s->off[V_NPV] + P];
    out[xo[P_NPV_HPC]] = in[s->off[V_NPV_HPC] + P];
    out[xo[P_TERMINAL]] = in[s->off[V_TERMINAL] + P];
    out[xo[P_TRANCHES]] = w->pol[0];
    out[xo[P_FIRST_DAY]] = w->pol[1];
    for (int y = 0; y < ny; y++) {
        size_t i = (size_t)P * ny + y;
        out[xo[P_MW_OUT] + y] = s->miner.capacity_mw - in[s->off[V_MW_MINING] + i] -
                                in[s->off[V_MW_RETIRED] + i];
        out[xo[P_STARTED] + y] = w->pol[2 + y];
        out[xo[P_NET_CF] + y] = in[s->off[V_NET_CF] + i];
    }
}

/* One path, with its daily trace when trace is not NULL. */
static void scenario_simulate_trace(const void *model, uint64_t seed, uint64_t path,
                                    double *out, void *scratch, double *trace)
{
    const scenario *s = model;
    if (!s->conv.on) {
        simulate(model, seed, path, out, scratch, trace, 0, NULL);
        return;
    }
    work w;
    hp_scenario_work_layout(s, scratch, &w);
    simulate(model, seed, path, w.iout, scratch, trace, 0, NULL);
    policy_export(s, &w, out);
}

static void scenario_simulate_path(const void *model, uint64_t seed, uint64_t path,
                                   double *out, void *scratch)
{
    scenario_simulate_trace(model, seed, path, out, scratch, NULL);
}

/* One path and its valuation record (hp_model.simulate_record). The
 * policy's model has no valuation key (hp_scenario_valuation_key), so
 * nothing revalues its paths: they are simulated without a record. */
static void scenario_simulate_record(const void *model, uint64_t seed, uint64_t path,
                                     double *out, void *scratch, void *record)
{
    const scenario *s = model;
    if (s->conv.on)
        scenario_simulate_trace(model, seed, path, out, scratch, NULL);
    else
        simulate(model, seed, path, out, scratch, NULL, 0, record);
}

/* A training path of the policy (hp_stopping.simulate): the run's model
 * with the policy's slot mining, its decision-date states, and the payoff
 * of starting a tranche on each date. */
static void policy_train_path(const void *ctx, uint64_t seed, uint64_t path, double *state,
                              double *feature, int8_t *regime, double *control, void *scratch)
{
    (void)control;
    const scenario *s = ctx;
    work w;
    hp_scenario_work_layout(s, scratch, &w);
    simulate(s, seed, path, w.iout, scratch, NULL, 1, NULL);
    memcpy(state, w.cap.state, (size_t)s->conv.n_dates * HP_PS_N * sizeof(double));
    memcpy(regime, w.cap.regime, (size_t)s->conv.n_dates);
    hp_conv_features(&s->conv, &w.cap, feature);
}

/* Learns the policy (hp_model.prepare): training paths of their own seed,
 * backward induction by least squares (sim/lsmc.h). */
static int scenario_prepare(void *model, int threads, int quiet, hp_err *err)
{
    scenario *s = model;
    hp_conv *c = &s->conv;
    if (!c->on || c->trained)
        return 0;
    hp_stopping pb = {
        .n_dates = c->n_dates, .n_rights = c->n_rights, .max_per_date = c->max_per_date,
        .n_state = HP_PS_N, .n_regimes = c->n_regimes, .n_features = 1, .weights = NULL,
        .payoff_known = 0, .has_control = 0, .scratch_bytes = hp_scenario_work_layout(s, NULL, NULL),
        .simulate = policy_train_path, .simulate_from = NULL, .ctx = s,
    };
    hp_lsmc_opts o = { .degree = c->degree, .threads = threads, .min_obs_per_basis = 0 };
    double t0 = omp_get_wtime();
    if (hp_lsmc_train(&pb, c->train_seed, c->train_paths, &o, &c->pol, err) != 0)
        return -1;
    c->trained = 1;
    int n_tables = hp_conv_tables(c);
    if (n_tables < 0)
        return hp_fail(err, NULL, 0, NULL, "out of memory");
    s->xlayout.n_tables = n_tables;
    s->xlayout.tables = c->tables;
    if (!quiet)
        fprintf(stderr, "policy: trained on %llu paths (seed %llu), %d decision dates, %d tranches "
                "of %.0f MW, in %.1f s; in-sample value of the conversions $%.4gB\n",
                (unsigned long long)c->train_paths, (unsigned long long)c->train_seed, c->n_dates,
                c->n_rights, c->tranche_mw, omp_get_wtime() - t0, c->pol.in_sample * 1e-9);
    return 0;
}

static const hp_layout *scenario_layout(const void *model)
{
    const scenario *s = model;
    return s->conv.on ? &s->xlayout : &s->layout;
}

static size_t scenario_scratch_bytes(const void *model)
{
    return hp_scenario_work_layout(model, NULL, NULL);
}

const hp_model hp_scenario_model = {
    .name = "hashpivot-scenario",
    .params = hp_scenario_params,
    .create = hp_scenario_create,
    .layout = scenario_layout,
    .scratch_bytes = scenario_scratch_bytes,
    .simulate_path = scenario_simulate_path,
    .destroy = hp_scenario_destroy,
    .trace_vars = hp_scenario_trace_vars,
    .simulate_trace = scenario_simulate_trace,
    .prepare = scenario_prepare,
    .valuation_key = hp_scenario_valuation_key,
    .record_bytes = hp_scenario_record_bytes,
    .simulate_record = scenario_simulate_record,
    .revalue = hp_scenario_revalue,
    .record_pack = hp_scenario_record_pack,
};
