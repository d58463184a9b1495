"""report_policy: the optimal conversion policy's part of scripts/report.py.

For a results file of a run with allocation.policy = "optimal" (a /policy
group, docs/policy.md): a table of the policy's NPV against the best static
allocation, paired on the same paths, with standard errors (the value of
flexibility); the exercise boundary (policy/boundary) as a figure; and the
fan of capacity out of mining per year (policy/mw_converted).
"""
import numpy as np

import report_figures as rf
from hp_results import is_money
from hp_stats import mean_between
from hp_table import Col, Table


def _put(rec, key, est):
    rec[key], rec[f"{key}_se"] = float(est.value), float(est.se)


def boundary_figure(rep, g):
    """Ratio of AI to mining revenue per MW above which the next tranche
    starts, per decision date, for a few numbers already started."""
    day = g["decision_day"][:]
    b = g["boundary"][:]                      # [decision, started, regime]
    n_started = b.shape[1]
    years = rep.r.years[0] + day / 365.25 if len(rep.r.years) else day / 365.25
    fig, ax = rf.plt.subplots(figsize=rf.FIGSIZE)
    picks = sorted({0, n_started // 4, n_started // 2, (3 * n_started) // 4, n_started - 1})
    cmap = rf.plt.get_cmap("viridis")
    for i, k in enumerate(picks):
        for reg, style in ((0, "-"), (1, ":")):
            if reg >= b.shape[2]:
                continue
            y = b[:, k, reg]
            if np.all(np.isnan(y)):
                continue
            ax.plot(years, y, style, color=cmap(i / max(len(picks) - 1, 1)),
                    label=f"{k} started" + (" (AI bust)" if reg else ""))
    ax.set_yscale("log")
    ax.set_xlabel("decision date")
    ax.set_ylabel("lease rate / mining revenue per MW")
    ax.legend(fontsize=8, ncol=2)
    ax.grid(alpha=0.3)
    rep.save(fig, "policy_boundary.png", "Optimal policy: exercise boundary",
             "At each monthly decision date, the ratio of the AI lease rate to a MW's yearly mining revenue "
             "above which the learned policy starts the next tranche, holding the hashprice, BTC price and "
             "power factor at their training means (policy/boundary; gaps: it never pays in the training "
             "range). Solid: normal AI market; dotted: in an AI bust.")


def converted_figure(rep):
    r = rep.r
    cols = [x for _, x in r.year_columns("policy/mw_converted")]
    q = np.array([np.percentile(c, rf.FAN_Q) for c in cols]).T
    fig, ax = rf.plt.subplots(figsize=rf.FIGSIZE)
    rf.fan(ax, np.asarray(r.years), q, "tab:purple", "optimal policy")
    ax.set_xlabel("year")
    ax.set_ylabel("MW out of mining")
    ax.legend(fontsize=8)
    ax.grid(alpha=0.3)
    rep.save(fig, "policy_mw_converted.png", "Optimal policy: capacity converted",
             "Average capacity out of mining each year under the learned policy (contracted, in build or "
             "converted): 5/25/50/75/95% over paths (policy/mw_converted).")


def policy_part(rep):
    """The table and figures; [] for a file without a policy."""
    r = rep.r
    if not r.has("policy/npv"):
        return []
    pol = np.asarray(r.f["policy/npv"][:], dtype=float)[r.written]
    rows = [r.row("valuation/npv", a) for a in range(len(r.alloc))]
    best = int(np.argmax([x.mean() for x in rows]))
    d = pol - rows[best]
    rec = {"label": "optimal policy", "n": len(pol)}
    scr = rep.scr       # sampler sobol: errors between scrambles
    _put(rec, "mean", mean_between(pol, scr))
    _put(rec, "best", mean_between(rows[best], scr))
    _put(rec, "flex", mean_between(d, scr))
    p = rep.share(d > 0)
    rec["p_beats"], rec["p_beats_lo"], rec["p_beats_hi"] = p.value, p.lo, p.hi
    money = is_money(r.units("valuation/npv"))
    cols = [Col("", "text", ("label",)), Col("mean NPV", "pm", ("mean", "mean_se"), money),
            Col(f"best static ({rep.label(best)})", "pm", ("best", "best_se"), money),
            Col("flexibility (paired)", "pm", ("flex", "flex_se"), money),
            Col("P(policy ahead on the path)", "share_ci", ("p_beats", "p_beats_lo", "p_beats_hi"))]
    g = r.f["policy"]
    if "boundary" in g and "decision_day" in g:
        boundary_figure(rep, g)
    if r.has("policy/mw_converted"):
        converted_figure(rep)
    else:
        rep.notes.append("Capacity converted by the policy per year: needs output.per_year = true.")
    return [Table("policy", "Optimal conversion policy against the static allocations", cols, [rec],
                  "The policy is learned by least-squares Monte Carlo on training paths of their own seed "
                  "(policy/training) and followed on this file's paths; its NPV and the best static "
                  "allocation's are paired on the same paths. The best static allocation is picked after the "
                  "fact, which favours the static side (docs/policy.md).")]
