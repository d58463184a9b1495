/* scenario_year: the year's sums of a path (scenario.c's daily loop adds
 * into them) and the amounts booked at events rather than every day.
 *
 * The daily sums of each allocation (Y_*: its lines for the year; Y_NPV
 * and Y_NPV_HPC: for the path) are kept in the workspace, one
 * allocation's together, and stored into the path's results at year end.
 *
 * Amounts that change only at an allocation's HPC events and exit reviews
 * (rent, build capex, MW mining, retired and leased, fixed mining opex)
 * are kept in its book as amounts per day: when they change, and at year
 * end, the days since the last booking are booked at once, amount x days
 * (discounted lines: amount x the sum of the days' discount factors).
 * That is the same sum as adding the amount every day up to rounding
 * (about 1e-15 relative a day), so the digests of the outputs changed
 * once with it (issue 11). */
#include "scenario_impl.h"

static const int ysum_var[N_YSUM] = {
    V_MINING_REV, V_ENERGY, V_MINING_OPEX, V_HPC_REV, V_HPC_OPEX, V_CAPEX_BUILD,
    V_CAPEX_REFRESH, V_NET_CF, V_BTC_MINED, V_MW_MINING, V_MW_ONLINE, V_MW_LEASED,
    V_DAYS_CURTAILED, V_HASHPRICE_MEAN, V_NET_REVENUE, V_BLOCKS, V_CAPEX_GPU, V_DEFAULTS,
    V_MW_RETIRED, V_NPV, V_NPV_HPC
};

/* The market's sums for the year (price, fees, lease rate, power, GPU
 * index, bust days), in the same way. */
static const int msum_var[N_MSUM] = {
    V_PRICE_MEAN, V_FEE_MEAN, V_LEASE_MEAN, V_POWER_MEAN, V_GPU_MEAN, V_BUST_SHARE
};

/* Allocation a's amounts per day from its HPC aggregates and kept MW, from
 * the day after the last booking. */
void book_set(const scenario *s, work *w, int a)
{
    alloc_book *b = &w->book[a];
    const hp_alloc_hpc *as = &w->as[a];
    b->mw_mining = kept_mining_mw(s, w, a);
    b->mw_retired = as->mining_mw - b->mw_mining;
    b->mw_leased = as->leased_mw + as->gpu_mw;
    b->opex = b->mw_mining * s->opex_usd_mw_day;
    b->rent_mkt = as->rent_mkt;
    b->rent_con = as->rent_con;
    b->capex_mkt = as->capex_mkt;
    b->capex_con = as->capex_con;
    book_amounts(s, b);         /* rent and capex: as->rent_day, as->capex_day */
}

/* Books allocation a's amounts for the days from the last booking to
 * upto - 1 into its year's sums. */
void book_flush(const scenario *s, work *w, int a, int upto)
{
    alloc_book *b = &w->book[a];
    if (upto <= b->since)
        return;
    double days = upto - b->since;
    double disc = s->cum_disc[upto] - s->cum_disc[b->since];
    double *ys = w->ysum + (size_t)a * N_YSUM;
    ys[Y_MW_MINING] += b->mw_mining * days;
    ys[Y_MW_RETIRED] += b->mw_retired * days;
    ys[Y_MW_LEASED] += b->mw_leased * days;
    ys[Y_CAPEX_BUILD] += b->capex * days;
    ys[Y_MINING_OPEX] += b->opex * days;
    ys[Y_HPC_REV] += b->rent * days;
    ys[Y_HPC_OPEX] += b->rent_opex * days;
    ys[Y_NET_CF] += b->net * days;
    ys[Y_NPV] += b->net * disc;
    ys[Y_NPV_HPC] += b->hpc_cf * disc;
    rec_book(w, a, b, b->since, upto);
    b->since = upto;
}

/* The one-day items allocation a's events of day d left (GPU purchases,
 * tenant defaults), booked that day. */
void book_event_items(const scenario *s, work *w, int a, int d)
{
    hp_alloc_hpc *as = &w->as[a];
    if (as->gpu_capex == 0 && as->defaults == 0)
        return;
    double *ys = w->ysum + (size_t)a * N_YSUM;
    ys[Y_CAPEX_GPU] += as->gpu_capex;
    ys[Y_DEFAULTS] += as->defaults;
    ys[Y_NET_CF] -= as->gpu_capex;
    ys[Y_NPV] -= as->gpu_capex * s->disc[d];
    ys[Y_NPV_HPC] -= as->gpu_capex * s->disc[d];
    rec_npv(w, a, as->gpu_capex, as->gpu_capex, d, NPV_OP_EVENT);
    as->gpu_capex = 0;
    as->defaults = 0;
}

/* Last day d of year y: books every allocation's amounts to the end of the
 * year, stores the year's sums of every allocation and of the market into
 * year y of the results (which are still zero there) and restarts them. */
void year_sums_store(const scenario *s, work *w, double *msum, double *out, int y, int d)
{
    const hp_layout *l = &s->layout;
    for (int a = 0; a < l->n_alloc; a++) {
        book_flush(s, w, a, d + 1);
        double *ys = w->ysum + (size_t)a * N_YSUM;
        size_t i = (size_t)a * (size_t)l->n_years + (size_t)y;
        for (int q = 0; q < N_YEAR_SUMS; q++) {
            out[s->off[ysum_var[q]] + i] = ys[q];
            ys[q] = 0;
        }
    }
    if (w->rec != NULL)
        w->rec->lease_f[y] = msum[M_LEASE];
    msum[M_LEASE] *= s->hpc.lease0;         /* summed as L / L0 */
    for (int q = 0; q < N_MSUM; q++) {
        out[s->off[msum_var[q]] + (size_t)y] = msum[q];
        msum[q] = 0;
    }
}

/* Closes year y: sums become means, end-of-year states are recorded. */
void year_close(const scenario *s, const work *w, double *out, int y, double price)
{
    const hp_layout *l = &s->layout;
    int ny = l->n_years;
    double days = s->days_in_year[y];
    out[s->off[V_PRICE_MEAN] + y] /= days;
    out[s->off[V_PRICE_END] + y] = price;
    out[s->off[V_FEE_MEAN] + y] /= days;
    out[s->off[V_LEASE_MEAN] + y] /= days;
    out[s->off[V_POWER_MEAN] + y] /= days;
    out[s->off[V_GPU_MEAN] + y] /= days;
    out[s->off[V_BUST_SHARE] + y] /= days;
    for (int a = 0; a < l->n_alloc; a++) {
        size_t i = (size_t)a * ny + y;
        int n = s->n_net > 1 ? a : 0;
        out[s->off[V_HASHRATE_END] + i] = w->net_hs[n] * 1e-18;
        out[s->off[V_DIFFICULTY_END] + i] = w->chain[n].difficulty;
        out[s->off[V_HASHPRICE_MEAN] + i] /= days;
        out[s->off[V_SUBSIDY_END] + i] =
            (double)hp_subsidy_sat((int64_t)w->chain[n].height) / (double)HP_COIN_SAT;
        out[s->off[V_MW_MINING] + i] /= days;
        out[s->off[V_MW_ONLINE] + i] /= days;
        out[s->off[V_MW_RETIRED] + i] /= days;
        out[s->off[V_MW_LEASED] + i] /= days;
        out[s->off[V_FULL_COST_NEW] + i] /= days;
        out[s->off[V_CASH_COST_BEST] + i] /= days;
    }
}

/* Terminal values of allocation a at the horizon (valuation.terminal):
 * each line at a multiple of its last 365 days' NOI, or at salvage when
 * that is more; added to its NPVs with the last day's discount factor.
 * tv: held MW, mining MW kept, the window's NOI sums (TV_*). simulate()
 * and revalue (scenario_value.c) both close a path here. */
void terminal_close(const scenario *s, int a, const double *tv, double *out)
{
    const hp_valuation *vl = &s->val;
    double v = s->disc[s->n_days - 1], yr = s->tv_year_scale;
    /* Retired sites are powered land: worth salvage, added to the
     * fleet's value (which is its own NOI multiple or salvage). */
    double held = tv[TV_HELD], mw_hpc = s->miner.capacity_mw - held;
    double mw_mining = tv[TV_KEPT];
    double tvm = hp_line_value(vl->mining_multiple, yr * tv[TV_NOI_MINING],
                               vl->mining_salvage_usd_mw * mw_mining) +
                 vl->mining_salvage_usd_mw * (held - mw_mining);
    double tvh = hp_line_value(vl->hpc_multiple, yr * tv[TV_NOI_HPC],
                               vl->hpc_salvage_usd_mw * mw_hpc);
    out[s->off[V_TERMINAL_MINING] + a] = tvm;
    out[s->off[V_TERMINAL_HPC] + a] = tvh;
    out[s->off[V_TERMINAL] + a] = tvm + tvh;
    out[s->off[V_NPV] + a] += (tvm + tvh) * v;
    out[s->off[V_NPV_HPC] + a] += tvh * v;
}
