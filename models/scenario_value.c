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
 * So a path is simulated once with its record (every term its NPV sums
 * added, in order, and the terminal value's inputs), and a model built
 * with other valuation keys replays the record with its own discount
 * factors: the same multiplications and additions in the same order as
 * its own simulate(), hence the same bits (test_revalue checks them
 * against plain simulation). A record holds room for the most terms a
 * path can add; packed (hp_scenario_record_pack), it keeps the room its
 * path used, about a third on the default, for the analyses that keep
 * records between runs (sim/recorded.h). */
#include "scenario_impl.h"

static size_t align16(size_t n) { return (n + 15) & ~(size_t)15; }

/* A record: its capacity in terms per allocation (a header, so that a
 * packed record says its own), the term counts, the terminal value's
 * inputs, then each allocation's terms at ops[a * cap]. */
#define REC_HEADER 16

static size_t record_size(size_t na, size_t cap, size_t *b_nops, size_t *b_tv)
{
    *b_nops = align16(na * sizeof(int32_t));
    *b_tv = align16(na * TV_N * sizeof(double));
    return REC_HEADER + *b_nops + *b_tv + na * cap * sizeof(npv_op);
}

static void record_at(void *base, size_t na, size_t cap, val_record *r)
{
    size_t b_nops, b_tv;
    record_size(na, cap, &b_nops, &b_tv);
    char *b = (char *)base + REC_HEADER;
    *r = (val_record){.cap = cap, .n_ops = (int32_t *)b, .tv = (double *)(b + b_nops),
                      .ops = (npv_op *)(b + b_nops + b_tv)};
}

size_t hp_scenario_record_layout(const scenario *s, void *base, val_record *r)
{
    size_t na = (size_t)s->layout.n_alloc, cap = 3 * (size_t)s->n_days
                                            + (size_t)s->n_days / HP_EXIT_MONTH_DAYS + 1;
    if (r != NULL) {                   /* base != NULL: lay the record out */
        memcpy(base, &(uint64_t){cap}, sizeof(uint64_t));
        record_at(base, na, cap, r);
    }
    size_t b_nops, b_tv;
    return record_size(na, cap, &b_nops, &b_tv);
}

/* A record as written, full or packed: its capacity from its header. */
static void record_view(const scenario *s, void *base, val_record *r)
{
    uint64_t cap;
    memcpy(&cap, base, sizeof cap);
    record_at(base, (size_t)s->layout.n_alloc, (size_t)cap, r);
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
    record_at(record, na, cap, &packed);
    for (size_t a = 1; a < na; a++)
        memmove(packed.ops + a * cap, r.ops + a * r.cap, (size_t)r.n_ops[a] * sizeof(npv_op));
    memcpy(record, &(uint64_t){cap}, sizeof(uint64_t));
    size_t b_nops, b_tv;
    return record_size(na, cap, &b_nops, &b_tv);
}

int hp_scenario_valuation_key(const void *model, const char *key)
{
    const scenario *s = model;
    if (s->conv.on)
        return 0;
    for (const hp_param *p = hp_valuation_params; p->key != NULL; p++)
        if (strcmp(p->key, key) == 0)
            return 1;
    return 0;
}

size_t hp_scenario_record_bytes(const void *model)
{
    return hp_scenario_record_layout(model, NULL, NULL);
}

/* The NPV sums of allocation a from its terms, with this model's discount
 * factors: the operations simulate() did when it added them. */
static void replay(const scenario *s, const val_record *r, int a, double *npv, double *npv_hpc)
{
    const double *disc = s->disc, *cum = s->cum_disc;
    const int gpu = s->hpc.gpu;
    const npv_op *op = r->ops + (size_t)a * r->cap;
    double v = 0, h = 0;
    for (int32_t i = 0; i < r->n_ops[a]; i++, op++) {
        if (op->d1 == NPV_OP_DAY) {
            if (gpu)
                h += op->hpc * disc[op->d0];
            v += op->npv * disc[op->d0];
        } else if (op->d1 == NPV_OP_EVENT) {
            v -= op->npv * disc[op->d0];
            h -= op->hpc * disc[op->d0];
        } else {
            double f = cum[op->d1] - cum[op->d0];
            v += op->npv * f;
            h += op->hpc * f;
        }
    }
    *npv = v;
    *npv_hpc = h;
}

void hp_scenario_revalue(const void *model, const void *record, const double *in, double *out)
{
    const scenario *s = model;
    val_record r;
    record_view(s, (void *)record, &r);
    memcpy(out, in, hp_layout_path_size(&s->layout) * sizeof(double));
    for (int a = 0; a < s->layout.n_alloc; a++) {
        replay(s, &r, a, &out[s->off[V_NPV] + a], &out[s->off[V_NPV_HPC] + a]);
        if (s->val.terminal) {
            terminal_close(s, a, r.tv + (size_t)a * TV_N, out);
        } else {
            out[s->off[V_TERMINAL_MINING] + a] = 0;
            out[s->off[V_TERMINAL_HPC] + a] = 0;
            out[s->off[V_TERMINAL] + a] = 0;
        }
    }
}
