/* scenario_exit: the firm's sites leaving mining and coming back, at
 * each month's close (miner.exit_months, miner.reequip): the exit rule
 * retires the sites below cash cost for months; re-equipping brings
 * retired sites back with frontier machines when they repay them. */
#include "scenario_impl.h"

/* Re-equip at the review of day d: chain n's allocations mine again the
 * sites up to k (price order) with frontier machines of the day, bought
 * at the chain's ASIC price and booked that day as refresh capex on the
 * MW that come back (a site partly converted comes back partly). The
 * chain's TH/s per MW becomes the MW-weighted mean of its old machines
 * and the new ones (its allocation's kept MW; sites' MW when allocations
 * share the chain), and its exit clock restarts. */
static void reequip(const scenario *s, work *w, int n, int d, int k)
{
    const hp_miner *mi = &s->miner;
    const double th_f = hp_miner_frontier_th_per_mw(mi, d * DT);
    double mw_old = 0, mw_new = 0;
    for (int a = 0; a < s->layout.n_alloc; a++) {
        if (s->n_net > 1 && a != n)
            continue;
        if (s->n_net == 1 && a == 0)          /* shared chain: its sites' MW */
            for (int i = 0; i < k; i++)
                *(i < w->n_keep[a] ? &mw_old : &mw_new) += mi->site_mw[i];
        double before = kept_mining_mw(s, w, a);
        book_flush(s, w, a, d + 1);
        w->n_keep[a] = k;
        size_t c = (size_t)a * (size_t)s->n_curve;
        hp_miner_curve_kept(mi, w->as[a].mining_mw, k, &w->cum_mw[c], &w->cum_mwp[c]);
        book_set(s, w, a);
        double gained = kept_mining_mw(s, w, a) - before;
        if (s->n_net > 1) {
            mw_old = before;
            mw_new = gained;
        }
        double capex = gained * th_f * w->asic_usd_th[n];
        double *ys = w->ysum + (size_t)a * N_YSUM;
        ys[Y_CAPEX_REFRESH] += capex;
        ys[Y_NET_CF] -= capex;
        ys[Y_NPV] -= capex * s->disc[d];
        rec_npv(w, a, capex, 0, d, NPV_OP_EVENT);
    }
    if (mw_old + mw_new > 0)
        w->refresh[n].th_mw = (mw_old * w->refresh[n].th_mw + mw_new * th_f) / (mw_old + mw_new);
    hp_exit_restart(&w->exit[n]);
}

/* Exit and re-equip, at the end of each 30-day month (day d), per chain.
 * With miner.reequip, if retired sites now repay frontier machines
 * (hp_reequip_threshold at the chain's smoothed hashprice and ASIC price
 * and the day's power factor),
 * they come back and nothing retires that month: the sites the exit rule
 * would retire are cheaper than those re-equipped. Else the sites that
 * stayed below cash cost for miner.exit_months months leave mining in the
 * allocations on that chain (their cost curves are rebuilt). */
void hp_scenario_exit_review(const scenario *s, work *w, int d, double power_factor)
{
    const hp_miner *mi = &s->miner;
    for (int n = 0; n < s->n_net; n++) {
        int keep = hp_exit_month(mi, &w->exit[n]);
        if (mi->reequip) {
            int k0 = w->n_keep[s->n_net > 1 ? n : 0];
            if (k0 < mi->n_sites) {
                double th_f = hp_miner_frontier_th_per_mw(mi, d * DT);
                double theta = hp_reequip_threshold(mi, th_f, w->hp_ema[n], w->asic_usd_th[n],
                                                    power_factor);
                int k = hp_miner_sites_on(mi, theta, k0);
                if (k > k0) {
                    reequip(s, w, n, d, k);
                    continue;
                }
            }
        }
        for (int a = 0; a < s->layout.n_alloc; a++) {
            if ((s->n_net > 1 && a != n) || keep >= w->n_keep[a])
                continue;
            book_flush(s, w, a, d + 1);
            w->n_keep[a] = keep;
            size_t c = (size_t)a * (size_t)s->n_curve;
            hp_miner_curve_kept(mi, w->as[a].mining_mw, keep, &w->cum_mw[c], &w->cum_mwp[c]);
            book_set(s, w, a);
        }
    }
}
