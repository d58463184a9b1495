"""report_analysis: the tornado and the global-sensitivity part of the report.

From a /sensitivity group (hp_analysis.sensitivity) the tornado figure and
table; from a /gsa group the Sobol and Morris figures and tables. Every
number carries its error as the C side wrote it: paired standard errors for
the tornado, bootstrap intervals for the indices.
"""
import numpy as np

import matplotlib
matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
from matplotlib.patches import Patch  # noqa: E402

from hp_results import fmt_value, is_money  # noqa: E402
from hp_stats import Z95  # noqa: E402
from hp_table import Col, Table, fmt_pm  # noqa: E402
from report_figures import money_axis, unit_label  # noqa: E402


def _label(alloc):
    return f"{100 * alloc:g}%"


def tornado(rep, s, source):
    """Figure and table of a /sensitivity group; returns the table."""
    a = s["a"]
    gain = s["stem"] == "gain"
    what = (f"gain of {_label(s['allocation'][a])} over {_label(s['allocation'][s['baseline']])}" if gain
            else f"NPV of {_label(s['allocation'][a])}")
    order = sorted(range(len(s["keys"])), key=lambda k: -abs(s["swing"][k, a]))
    recs = []
    for k in order:
        recs.append({"key": s["keys"][k], "unit": s["unit"][k], "low": float(s["value"][k, 0]),
                     "base": float(s["value"][k, 1]), "high": float(s["value"][k, 2]),
                     "at_low": float(s["mean"][k, 0, a]), "at_low_se": float(s["mean_se"][k, 0, a]),
                     "at_high": float(s["mean"][k, 2, a]), "at_high_se": float(s["mean_se"][k, 2, a]),
                     "change_low": float(s["change_mean"][k, 0, a]), "change_low_se": float(s["change_se"][k, 0, a]),
                     "change_high": float(s["change_mean"][k, 2, a]),
                     "change_high_se": float(s["change_se"][k, 2, a]),
                     "swing": float(s["swing"][k, a]), "swing_se": float(s["swing_se"][k, a])})
    base, base_se = float(s["mean"][0, 1, a]), float(s["mean_se"][0, 1, a])
    cols = [Col("key", "text", ("key",)), Col("unit", "text", ("unit",)),
            Col("low", "value", ("low",)), Col("high", "value", ("high",)),
            Col("mean at low", "pm", ("at_low", "at_low_se"), True),
            Col("mean at high", "pm", ("at_high", "at_high_se"), True),
            Col("change at low (paired)", "pm", ("change_low", "change_low_se"), True),
            Col("change at high (paired)", "pm", ("change_high", "change_high_se"), True),
            Col("swing, high - low (paired)", "pm", ("swing", "swing_se"), True)]
    note = (f"Base case: mean {what} {fmt_pm(base, base_se, True)}; from {source}. "
            "Changes and swings are taken path by path against the base case (common random numbers), "
            "so their standard errors are far below those of the means.")
    table = Table("tornado", f"Tornado: mean {what}", cols, recs, note)

    fig, ax = plt.subplots(figsize=(8.5, 0.55 * len(recs) + 1.8))
    y = np.arange(len(recs))[::-1]
    for yi, rec in zip(y, recs):
        for lvl, color in (("low", "#4a7fb5"), ("high", "#d9822b")):
            ch, se = rec[f"change_{lvl}"], rec[f"change_{lvl}_se"]
            ax.barh(yi, ch, left=base, height=0.6, color=color, alpha=0.85)
            ax.errorbar(base + ch, yi, xerr=Z95 * se, fmt="none", ecolor="black", capsize=3, lw=1)
            ax.annotate(f"{rec[lvl]:.4g}", (base + ch, yi), xytext=(4 if ch >= 0 else -4, 0),
                        textcoords="offset points", ha="left" if ch >= 0 else "right", va="center", fontsize=7)
    ax.axvline(base, color="black", lw=1)
    ax.set_yticks(y)
    ax.set_yticklabels([f"{rec['key']}\n[{rec['unit']}]" for rec in recs], fontsize=8)
    ax.margins(x=0.15)
    money_axis(ax, "x", True)
    ax.set_xlabel(f"mean {what} (USD); base case {fmt_value(base)}")
    ax.set_title(f"Tornado: mean {what}", fontsize=10)
    ax.legend(handles=[Patch(color="#4a7fb5", label="key at its low value"),
                       Patch(color="#d9822b", label="key at its high value")],
              loc="lower right", fontsize=7, title="error bars: 95% paired intervals", title_fontsize=7)
    ax.grid(alpha=0.3, axis="x")
    fig.tight_layout()
    rep.save(fig, "tornado.png", "Tornado",
             f"Each bar moves one key from the base case to its low (blue) or high (orange) value, all "
             f"other keys at their base values, on the same paths; the bar is the change of the mean {what}, "
             "with the 95% interval of that paired change. Keys are ranked by the swing between high "
             f"and low. From {source}.")
    return table


def gsa_part(rep, g, source):
    """Figures and tables of a /gsa group; returns the tables."""
    tables = []
    stat, units = g["statistic"], g["units"]
    money = is_money(units)
    ins = g["inputs"]
    if g["sobol"] is not None:
        so = g["sobol"]
        recs = [{"input": ins[i], "unit": g["unit"][i], **{k: float(so[k][i]) for k in
                 ("S1", "S1_lo", "S1_hi", "ST", "ST_lo", "ST_hi")}} for i in range(len(ins))]
        tables.append(Table("sobol", f"Sobol indices of {stat}", [
            Col("input", "text", ("input",)), Col("unit", "text", ("unit",)),
            Col("first order S1", "ci", ("S1", "S1_lo", "S1_hi")),
            Col("total ST", "ci", ("ST", "ST_lo", "ST_hi"))], recs,
            f"N = {so['base_samples']:g} base samples; 95% percentile bootstrap intervals; from {source}."))
        fig, ax = plt.subplots(figsize=(8.0, 0.5 * len(ins) + 2.0))
        y = np.arange(len(ins))[::-1]
        for off, key, color, lab in ((0.18, "S1", "#4a7fb5", "first order S1"), (-0.18, "ST", "#d9822b", "total ST")):
            v = so[key]
            err = np.array([np.maximum(v - so[f"{key}_lo"], 0), np.maximum(so[f"{key}_hi"] - v, 0)])
            ax.barh(y + off, v, height=0.34, color=color, label=lab)
            ax.errorbar(v, y + off, xerr=err, fmt="none", ecolor="black", capsize=3, lw=1)
        ax.axvline(0, color="black", lw=0.8)
        ax.set_yticks(y)
        ax.set_yticklabels(ins, fontsize=8)
        ax.set_xlabel("share of the variance of the statistic")
        ax.set_title(f"Sobol indices of {stat}", fontsize=10)
        ax.legend(loc="lower right", fontsize=7, title="error bars: 95% bootstrap intervals", title_fontsize=7)
        ax.grid(alpha=0.3, axis="x")
        fig.tight_layout()
        rep.save(fig, "gsa_sobol.png", "Sobol indices",
                 f"First-order (S1: the share of the variance of {stat} due to the input alone) and total "
                 "(ST: including its interactions) Sobol indices, with 95% bootstrap intervals. Inputs "
                 f"drawn from the config's `uncertain` distributions. From {source}.")
    if g["morris"] is not None:
        mo = g["morris"]
        recs = [{"input": ins[i], "unit": g["unit"][i], **{k: float(mo[k][i]) for k in
                 ("mu", "mu_star", "mu_star_lo", "mu_star_hi", "sigma")}} for i in range(len(ins))]
        tables.append(Table("morris", f"Morris screening of {stat}", [
            Col("input", "text", ("input",)), Col("unit", "text", ("unit",)),
            Col("mu", "value", ("mu",), money), Col("mu*", "ci", ("mu_star", "mu_star_lo", "mu_star_hi"), money),
            Col("sigma", "value", ("sigma",), money)], recs,
            f"{mo['trajectories']:g} trajectories; an elementary effect is the change of the statistic "
            f"over the input's whole range; mu* with its 95% bootstrap interval; from {source}."))
        fig, ax = plt.subplots(figsize=FIG)
        for i, name in enumerate(ins):
            err = [[max(mo["mu_star"][i] - mo["mu_star_lo"][i], 0)], [max(mo["mu_star_hi"][i] - mo["mu_star"][i], 0)]]
            ax.errorbar(mo["mu_star"][i], mo["sigma"][i], xerr=err, fmt="o", ms=9, capsize=4, lw=1.5)
            ax.annotate(name, (mo["mu_star"][i], mo["sigma"][i]), xytext=(6, 4), textcoords="offset points", fontsize=7)
        # Rays sigma = c mu*: below 0.1 an input acts almost linearly and
        # alone; above 1 its effect depends on where the others are.
        xmax = 1.15 * max(float(np.max(mo["mu_star_hi"])), 1e-300)
        ymax = 1.15 * max(float(np.max(mo["sigma"])), 1e-300)
        for c, style in ((0.1, ":"), (0.5, "--"), (1.0, "-")):
            ax.plot([0, xmax], [0, c * xmax], style, color="grey", lw=0.9, label=f"sigma = {c:g} mu*")
        ax.set_xlim(0, xmax)
        ax.set_ylim(0, max(ymax, 0.12 * xmax))
        ax.legend(loc="upper left", fontsize=7)
        money_axis(ax, "x", money)
        money_axis(ax, "y", money)
        ax.set_xlabel(f"mu*: mean absolute elementary effect ({unit_label(units)})")
        ax.set_ylabel(f"sigma: sd of the effects ({unit_label(units)})")
        ax.set_title(f"Morris screening of {stat}", fontsize=10)
        ax.grid(alpha=0.3)
        fig.tight_layout()
        rep.save(fig, "gsa_morris.png", "Morris screening",
                 "Each input's mean absolute elementary effect (mu*, with its 95% bootstrap interval) "
                 "against the spread of its effects (sigma: nonlinearity and interactions); grey rays mark "
                 "sigma = 0.1, 0.5 and 1 times mu*. Inputs far right matter; inputs near the origin can be fixed. From {source}.")
    return tables


FIG = (8.0, 4.6)
