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
 * against plain simulation). */
#include "scenario_impl.h"

static size_t align16(size_t n) { return (n + 15) & ~(size_t)15; }

size_t hp_scenario_record_layout(const scenario *s, void *base, val_record *r)
{
    size_t na = (size_t)s->layout.n_alloc, cap = 3 * (size_t)s->n_days
                                            + (size_t)s->n_days / HP_EXIT_MONTH_DAYS + 1;
    size_t b_nops = align16(na * sizeof(int32_t)), b_tv = align16(na * TV_N * sizeof(double));
    if (r != NULL) {                   /* base != NULL: lay the record out */
        char *b = base;
        *r = (val_record){.cap = cap, .n_ops = (int32_t *)b, .tv = (double *)(b + b_nops),
                          .ops = (npv_op *)(b + b_nops + b_tv)};
    }
    return b_nops + b_tv + na * cap * sizeof(npv_op);
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
    hp_scenario_record_layout(s, (void *)record, &r);
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
