/* scenario_value: a simulated path valued again under other valuation
 * keys (hp_model.valuation_key, record_bytes, revalue; the record is
 * filled by simulate() in scenario.c and scenario_year.c).
 *
 * The valuation keys (valuation.*: the discount rate, the terminal value's
 * switch, NOI multiples and salvage values) enter a path only where its
 * cash flows are discounted and its lines valued at the horizon: no
 * process, chain, curtailment, exit or refresh rule reads them. Only the
 * optimal policy does (it trains on discounted values and terminal
 * multiples, docs/policy.md): with allocation.policy = "optimal" no key is
 * a valuation key.
 *
 * Two more keys only scale cash flows, and are valuation keys on the same
 * terms: the market lease rate on the start date
 * (ai_market.lease0_usd_per_mw_year, L0) and the conversion's capex per MW
 * (hpc.capex_usd_per_mw). What reads them (models/hpc.c):
 *   - L0 starts the lease-rate path, L = L0 x exp(trend + OU + bust cut);
 *     no draw depends on L (the AI shock, busts, searches and defaults run
 *     on their own streams and hazards). L is read where a tranche signs a
 *     market lease (its rent), for the year's mean lease rate, and by the
 *     optimal policy's state (the ratio of AI to mining revenue);
 *   - the capex per MW is the plan's capex of the conversion's tranches
 *     (not of signed contracts, which have their own), spread over each
 *     build, and a parameter of the optimal policy's payoffs (policy.c);
 *   - no exit, re-equip, refresh, curtailment or cancellation rule reads
 *     either (they read the mining margin, fixed probabilities and
 *     hazards), nor the network's fleet (it does not see the firm's HPC),
 *     and builds start on the ramp's fixed days.
 * So with static allocations they only scale amounts: simulate() keeps
 * them as factors (a market lease's rate as L / L0 at signing, escalated;
 * a tranche's capex as MW a day) and multiplies by L0 and the capex per MW
 * where an allocation's rent and capex per day are summed
 * (hp_hpc_rent_day, hp_hpc_capex_day), so the record holds the factors and
 * revalue recomputes the books, every year's net cash flow, build capex,
 * HPC revenue and opex, the mean lease rate and the terminal value's HPC
 * NOI with the same operations. Under the optimal policy they are read by
 * a decision, and no key is a valuation key.
 *
 * So a path is simulated once with its record (every term its NPV sums
 * added, in order, and the terminal value's inputs), and a model built
 * with other valuation keys replays the record with its own discount
 * factors: the same multiplications and additions in the same order as
 * its own simulate(), hence the same bits (test_revalue checks them
 * against plain simulation). A record holds room for the most terms a
 * path can add; packed (hp_scenario_record_pack), it keeps the room its
 * path used (its entries), for the analyses that keep
 * records between runs (sim/recorded.h). */
#include "scenario_impl.h"

static size_t align16(size_t n) { return (n + 15) & ~(size_t)15; }

/* A record: its capacity in terms per allocation (a header, so that a
 * packed record says its own), the term counts, the terminal value's
 * inputs and the years' lease-rate sums, then each allocation's terms at
 * ops[a * cap]. */
#define REC_HEADER 16

static size_t record_size(const scenario *s, size_t cap, size_t *b_nops, size_t *b_tv)
{
    size_t na = (size_t)s->layout.n_alloc, ny = (size_t)s->layout.n_years;
    *b_nops = align16(na * sizeof(int32_t));
    *b_tv = align16((na * TV_N + ny) * sizeof(double));
    return REC_HEADER + *b_nops + *b_tv + na * cap * sizeof(npv_op);
}

static void record_at(const scenario *s, void *base, size_t cap, val_record *r)
{
    size_t b_nops, b_tv;
    record_size(s, cap, &b_nops, &b_tv);
    char *b = (char *)base + REC_HEADER;
    double *tv = (double *)(b + b_nops);
    *r = (val_record){.cap = cap, .n_ops = (int32_t *)b, .tv = tv,
                      .lease_f = tv + (size_t)s->layout.n_alloc * TV_N,
                      .ops = (npv_op *)(b + b_nops + b_tv)};
}

size_t hp_scenario_record_layout(const scenario *s, void *base, val_record *r)
{
    size_t cap = (2 + BOOK_OPS) * (size_t)s->n_days + (size_t)s->n_days / HP_EXIT_MONTH_DAYS + 1;
    if (r != NULL) {                   /* base != NULL: lay the record out */
        memcpy(base, &(uint64_t){cap}, sizeof(uint64_t));
        record_at(s, base, cap, r);
    }
    size_t b_nops, b_tv;
    return record_size(s, cap, &b_nops, &b_tv);
}

/* A record as written, full or packed: its capacity from its header. */
static void record_view(const scenario *s, void *base, val_record *r)
{
    uint64_t cap;
    memcpy(&cap, base, sizeof cap);
    record_at(s, base, (size_t)cap, r);
}

size_t hp_scenario_record_pack(const void *model, void *record)
{
    const scenario *s = model;
    const size_t na = (size_t)s->layout.n_alloc;
    val_record r, packed;
    record_view(s, record, &r);
    size_t cap = 0;
    for (size_t a = 0; a < na; a++)
        if ((size_t)r.n_ops[a] > cap)
            cap = (size_t)r.n_ops[a];
    /* Allocation a's terms move down from a * r.cap to a * cap (cap <=
     * r.cap): in increasing a, a move never overwrites terms not yet
     * moved, and memmove handles the overlap of one allocation's own. */
    record_at(s, record, cap, &packed);
    for (size_t a = 1; a < na; a++)
        memmove(packed.ops + a * cap, r.ops + a * r.cap, (size_t)r.n_ops[a] * sizeof(npv_op));
    memcpy(record, &(uint64_t){cap}, sizeof(uint64_t));
    size_t b_nops, b_tv;
    return record_size(s, cap, &b_nops, &b_tv);
}

/* Keys that scale only a path's cash flows (models/hpc.h: rent is
 * L0 x its factor, build capex capex_usd_mw x MW a day), for the static
 * allocations: see the top of this file. */
static const char *const scale_keys[] = {"ai_market.lease0_usd_per_mw_year", "hpc.capex_usd_per_mw",
                                         NULL};

int hp_scenario_valuation_key(const void *model, const char *key)
{
    const scenario *s = model;
    if (s->conv.on)
        return 0;
    for (const hp_param *p = hp_valuation_params; p->key != NULL; p++)
        if (strcmp(p->key, key) == 0)
            return 1;
    for (const char *const *k = scale_keys; *k != NULL; k++)
        if (strcmp(*k, key) == 0)
            return 1;
    return 0;
}

size_t hp_scenario_record_bytes(const void *model)
{
    return hp_scenario_record_layout(model, NULL, NULL);
}

/* Year y's sums of allocation a into the results (colocation only: GPU
 * cloud books its HPC revenue and opex elsewhere). */
static void year_store(const scenario *s, int a, int y, double cf, double capex, double rev,
                       double opex, double *out)
{
    size_t i = (size_t)a * (size_t)s->layout.n_years + (size_t)y;
    out[s->off[V_NET_CF] + i] = cf;
    out[s->off[V_CAPEX_BUILD] + i] = capex;
    if (!s->hpc.gpu) {
        out[s->off[V_HPC_REV] + i] = rev;
        out[s->off[V_HPC_OPEX] + i] = opex;
    }
}

/* Allocation a's sums from its terms, with this model's discount factors,
 * lease rate and capex per MW: the operations simulate() did when it
 * added them (scenario.c's daily loop, scenario_year.c's books): its NPV
 * sums, each year's net cash flow, build capex and (colocation: rent is
 * booked only) HPC revenue and opex, and (colocation) the HPC NOI of the
 * terminal-value window, summed day by day at the day's book rent. */
static void replay(const scenario *s, const val_record *r, int a, double *out, double *noi_tv_hpc)
{
    const double *disc = s->disc, *cum = s->cum_disc;
    const int gpu = s->hpc.gpu, ny = s->layout.n_years;
    const double noi = s->hpc.noi_margin;
    const npv_op *op = r->ops + (size_t)a * r->cap, *end = op + r->n_ops[a];
    double v = 0, h = 0, tv_hpc = 0;
    double cf = 0, capex = 0, rev = 0, opex = 0;    /* year y's */
    int y = 0;
    for (; op < end; op++) {
        while (op->d0 > s->year_end_day[y]) {
            year_store(s, a, y++, cf, capex, rev, opex, out);
            cf = capex = rev = opex = 0;
        }
        if (op->d1 == NPV_OP_DAY) {
            if (gpu)
                h += op->hpc * disc[op->d0];
            cf += op->npv;
            v += op->npv * disc[op->d0];
        } else if (op->d1 == NPV_OP_EVENT) {
            cf -= op->npv;
            v -= op->npv * disc[op->d0];
            h -= op->hpc * disc[op->d0];
        } else {
            alloc_book b = {.opex = op[0].npv, .rent_mkt = op[0].hpc, .rent_con = op[1].npv,
                            .capex_mkt = op[1].hpc, .capex_con = op[2].npv};
            book_amounts(s, &b);
            double days = op->d1 - op->d0;
            double f = cum[op->d1] - cum[op->d0];
            capex += b.capex * days;
            rev += b.rent * days;
            opex += b.rent_opex * days;
            cf += b.net * days;
            v += b.net * f;
            h += b.hpc_cf * f;
            if (!gpu)                   /* no GPU revenue nor upkeep */
                for (int d = op->d0 > s->tv_first_day ? op->d0 : s->tv_first_day; d < op->d1; d++) {
                    /* simulate()'s expression with its GPU terms at 0,
                     * so that the sum has the same bits */
                    double hpc_rev = b.rent + 0.0;
                    tv_hpc += hpc_rev - (1 - noi) * hpc_rev - 0.0 * 0.0;
                }
            op += BOOK_OPS - 1;
        }
    }
    for (; y < ny; y++) {               /* the last year's sums */
        year_store(s, a, y, cf, capex, rev, opex, out);
        cf = capex = rev = opex = 0;
    }
    out[s->off[V_NPV] + a] = v;
    out[s->off[V_NPV_HPC] + a] = h;
    if (!gpu)
        *noi_tv_hpc = tv_hpc;
}

void hp_scenario_revalue(const void *model, const void *record, const double *in, double *out)
{
    const scenario *s = model;
    val_record r;
    record_view(s, (void *)record, &r);
    memcpy(out, in, hp_layout_path_size(&s->layout) * sizeof(double));
    for (int y = 0; y < s->layout.n_years; y++) {   /* year_sums_store, year_close */
        double lease = r.lease_f[y] * s->hpc.lease0;
        lease /= (double)s->days_in_year[y];
        out[s->off[V_LEASE_MEAN] + y] = lease;
    }
    for (int a = 0; a < s->layout.n_alloc; a++) {
        double tv[TV_N];
        memcpy(tv, r.tv + (size_t)a * TV_N, sizeof tv);
        replay(s, &r, a, out, &tv[TV_NOI_HPC]);
        if (s->val.terminal) {
            terminal_close(s, a, tv, out);
        } else {
            out[s->off[V_TERMINAL_MINING] + a] = 0;
            out[s->off[V_TERMINAL_HPC] + a] = 0;
            out[s->off[V_TERMINAL] + a] = 0;
        }
    }
}
