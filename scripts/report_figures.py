"""report_figures: the figures of scripts/report.py.

Each function takes the Report (its results file `r`, `save`, `notes`,
`colors`) and statistics already computed, draws one PNG and files it with
a caption. Distributions are drawn from a grid of quantiles (QGRID), never
from the raw paths, so a figure costs no memory in the path count.
"""
import math

import numpy as np

import matplotlib
matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
from matplotlib.scale import SymmetricalLogTransform  # noqa: E402
from matplotlib.ticker import FixedLocator, FuncFormatter, LogLocator, MaxNLocator, NullFormatter  # noqa: E402

from hp_results import fmt_share, fmt_value, is_money  # noqa: E402
from hp_stats import ALPHA, Z95  # noqa: E402

FAN_Q = [5, 25, 50, 75, 95]
QGRID = np.linspace(0.0, 1.0, 201)   # quantile levels a distribution is drawn from
DPI = 110
FIGSIZE = (8.0, 4.6)
# Symmetric-log axis when the whole range is this many times the central 98%.
SYMLOG_SPREAD = 3.0


def alloc_colors(n):
    """One colour per allocation, the same in every figure (dark: 0%)."""
    cmap = plt.get_cmap("viridis")
    return [cmap(0.9 * i / max(n - 1, 1)) for i in range(n)]


def tick_text(v, money):
    """Tick label: fmt_value, with enough digits for values below 1."""
    if v != 0 and abs(v) < 1:
        return f"{'-' if v < 0 else ''}{'$' if money else ''}{abs(v):.2g}"
    return fmt_value(v, money)


def money_axis(ax, axis="y", money=True):
    fmt = FuncFormatter(lambda v, _: tick_text(v, money))
    (ax.yaxis if axis == "y" else ax.xaxis).set_major_formatter(fmt)


def year_axis(ax):
    """Calendar years as whole numbers."""
    ax.xaxis.set_major_locator(MaxNLocator(integer=True))


def unit_label(units):
    """Axis label text for a units attribute ("USD" prints as $ on ticks)."""
    return units.replace("USD", "$") if is_money(units) else units


def share_text(est):
    """"88.8% [88.2, 89.4]": a probability and its 95% interval."""
    return f"{fmt_share(est.value)} [{100 * est.lo:.1f}, {100 * est.hi:.1f}]"


# ---- fans ------------------------------------------------------------------------

def fan(ax, x, q, color, label):
    """Draws one fan (5-95% and 25-75% bands, median line) from q[5, year]."""
    ax.fill_between(x, q[0], q[4], color=color, alpha=0.18, lw=0, label=f"{label} 5-95%")
    ax.fill_between(x, q[1], q[3], color=color, alpha=0.38, lw=0, label=f"{label} 25-75%")
    ax.plot(x, q[2], color=color, lw=2, label=f"{label} median")


def year_fan(r, var, a):
    """FAN_Q quantiles [5, year] and the mean [year], one year at a time."""
    q = np.empty((len(FAN_Q), len(r.years)))
    mean = np.empty(len(r.years))
    for k, col in r.year_columns(var, a):
        q[:, k] = np.percentile(col, FAN_Q)
        mean[k] = col.mean()
    return q, mean


def fan_chart(rep, var, name, title, log=True):
    r = rep.r
    if not r.has(var):
        rep.notes.append(f"{title}: no dataset {var} in the file (output.per_year = false?).")
        return
    base = r.baseline if r.baseline >= 0 else 0
    q, mean = year_fan(r, var, base)
    units = r.units(var)
    fig, ax = plt.subplots(figsize=FIGSIZE)
    fan(ax, r.years, q, "#1f5fa8", "paths")
    ax.plot(r.years, mean, color="#c0392b", lw=1.2, ls="--", label="mean")
    if log and np.all(q[0] > 0):
        ax.set_yscale("log")
        ax.yaxis.set_major_locator(LogLocator(base=10, subs=(1.0, 2.0, 5.0)))
        ax.yaxis.set_minor_formatter(NullFormatter())
    money_axis(ax, "y", is_money(units))
    ax.set_xlabel("calendar year")
    year_axis(ax)
    ax.set_ylabel(f"{title} ({unit_label(units)}{', log scale' if ax.get_yscale() == 'log' else ''})")
    scope = "" if r.ndim(var) == 2 else f", allocation {r.alloc_label(base)} (pure mining)"
    ax.set_title(f"{title} per year: 5/25/50/75/95% of {r.n:,} paths{scope}")
    ax.legend(loc="best", fontsize=8)
    ax.grid(alpha=0.3, which="major")
    fig.tight_layout()
    rep.save(fig, name, title,
             f"{r.long_name(var)} ({units}), `{var}`: bands hold 90% and 50% of paths, the line is "
             f"the median, dashed the mean.{rep.year_note()}")


def revenue_by_year(rep):
    r = rep.r
    vars_ = [("cashflow/mining_revenue", "Mining revenue"), ("cashflow/hpc_revenue", "HPC revenue")]
    if not all(r.has(v) for v, _ in vars_):
        rep.notes.append("Revenue per year: no per-year cash-flow datasets in the file.")
        return
    n = len(r.alloc)
    fig, axes = plt.subplots(2, n, figsize=(max(8.0, 2.3 * n), 5.6), sharex=True, sharey="row", squeeze=False)
    for row, (var, label) in enumerate(vars_):
        for a in range(n):
            ax = axes[row][a]
            fan(ax, r.years, year_fan(r, var, a)[0], rep.colors[a], "")
            ax.grid(alpha=0.3)
            money_axis(ax, "y", is_money(r.units(var)))
            if row == 0:
                ax.set_title(f"{r.alloc_label(a)} converted", fontsize=9)
            if a == 0:
                ax.set_ylabel(f"{label}\n({unit_label(r.units(var))} per calendar year)", fontsize=9)
            if row == 1:
                ax.set_xlabel("calendar year", fontsize=8)
                ax.xaxis.set_major_locator(MaxNLocator(nbins=4, integer=True))
            ax.tick_params(labelsize=7)
    handles, _ = axes[0][0].get_legend_handles_labels()
    fig.legend(handles, ["5-95% of paths", "25-75% of paths", "median"], loc="lower center",
               ncol=3, fontsize=8, frameon=False)
    fig.suptitle(f"Mining and HPC revenue per year, by share of power converted ({r.n:,} paths)")
    fig.tight_layout(rect=(0, 0.05, 1, 1))
    rep.save(fig, "revenue_by_year.png", "Revenue per year and allocation",
             "Mining (top) and AI/HPC (bottom) revenue in each calendar year, one column per "
             f"allocation; bands hold 90% and 50% of paths.{rep.year_note()}")


def revenue_annual(rep, boxes):
    """boxes: [(label, units, [per allocation: dict q05 q25 q50 q75 q95 mean])]."""
    r = rep.r
    fig, axes = plt.subplots(1, len(boxes), figsize=FIGSIZE, squeeze=False)
    labels = [r.alloc_label(a) for a in range(len(r.alloc))]
    for ax, (label, units, stats) in zip(axes[0], boxes):
        bxp = [{"label": lab, "whislo": s["q05"], "q1": s["q25"], "med": s["q50"], "q3": s["q75"],
                "whishi": s["q95"], "fliers": []} for lab, s in zip(labels, stats)]
        bp = ax.bxp(bxp, showfliers=False, patch_artist=True, medianprops={"color": "black"})
        for patch, c in zip(bp["boxes"], rep.colors):
            patch.set_facecolor(c)
            patch.set_alpha(0.6)
        ax.plot(range(1, len(labels) + 1), [s["mean"] for s in stats], "D", color="#c0392b", ms=4, label="mean")
        money_axis(ax, "y", is_money(units))
        ax.set_xlabel("share of power converted to AI/HPC")
        ax.set_ylabel(f"{label} revenue ({unit_label(units)} per year)")
        ax.set_title(f"{label} revenue, average per year", fontsize=10)
        ax.grid(alpha=0.3, axis="y")
    fig.legend(*axes[0][0].get_legend_handles_labels(), loc="lower center", fontsize=8, frameon=False,
               title="box 25-75% of paths, line median, whiskers 5-95%", title_fontsize=8, ncol=1)
    fig.tight_layout(rect=(0, 0.1, 1, 1))
    rep.save(fig, "revenue_annual.png", "Average revenue per year",
             f"Revenue summed over the horizon and divided by its length ({r.horizon_years:g} "
             "years), per allocation: boxes 25-75%, whiskers 5-95%, line median, diamond mean.")


# ---- distributions on a symmetric-log axis -----------------------------------------

def value_axis(rows):
    """A transform for the value axis of rows (each with a QGRID quantile
    array "qg"): symmetric-log when the extreme paths stretch the axis to
    more than SYMLOG_SPREAD times the central 98% of the paths, else
    linear. Returns (transform or None, linthresh)."""
    lo = min(float(np.interp(0.01, QGRID, x["qg"])) for x in rows)
    hi = max(float(np.interp(0.99, QGRID, x["qg"])) for x in rows)
    full = max(x["qg"][-1] for x in rows) - min(x["qg"][0] for x in rows)
    if not hi > lo or full <= SYMLOG_SPREAD * (hi - lo):
        return None, 0.0
    # Linear within +-linthresh: a tenth of the body's width, so the body is
    # nearly linear and each decade beyond it gets the same room.
    c = (hi - lo) / 10
    return SymmetricalLogTransform(10, c, 1.0), c


def symlog_ticks(c, lo, hi):
    """0 and +-m 10^k (m = 1, 2, 5) from the linear threshold c out to the
    data's extent; only the decades when that is too many."""
    def side(extent):
        if extent < c:
            return []
        ks = range(int(math.floor(math.log10(c))), int(math.ceil(math.log10(extent))) + 1)
        vals = [m * 10.0 ** k for k in ks for m in (1, 2, 5) if c <= m * 10.0 ** k <= extent]
        return vals if len(vals) <= 6 else [v for v in vals if math.log10(v) % 1 == 0]
    return [-v for v in side(-lo)] + [0.0] + side(hi)


def violin(ax, pos, qg, tr, color, width=0.4):
    """A density drawn from quantiles: the CDF (QGRID against qg) on a
    regular grid of the axis coordinate, differentiated and smoothed."""
    t = tr.transform(qg) if tr is not None else qg
    if not t[-1] > t[0]:
        ax.hlines(qg[0], pos - width, pos + width, color=color, lw=2)
        return
    grid = np.linspace(t[0], t[-1], 240)
    tu, idx = np.unique(t, return_index=True)
    cdf = np.interp(grid, tu, QGRID[idx])
    dens = np.gradient(cdf, grid)
    k = np.exp(-0.5 * (np.arange(-12, 13) / 4.0) ** 2)
    dens = np.convolve(dens, k / k.sum(), mode="same")
    w = width * dens / dens.max() if dens.max() > 0 else np.zeros_like(dens)
    y = tr.inverted().transform(grid) if tr is not None else grid
    ax.fill_betweenx(y, pos - w, pos + w, color=color, alpha=0.55, lw=0)


def distributions(rep, name, title, caption, rows, ylabel, units, p_label=None):
    """Violins of rows (dicts: label, color, qg, mean, q05, q50, q95, and
    p (an Est of P(> 0)) when p_label is given), on a symmetric-log axis
    when the tails would squash the body."""
    money = is_money(units)
    tr, c = value_axis(rows)
    fig, ax = plt.subplots(figsize=FIGSIZE)
    if tr is not None:
        ax.set_yscale("symlog", linthresh=c, linscale=1.0)
        ax.yaxis.set_major_locator(FixedLocator(symlog_ticks(c, min(x["qg"][0] for x in rows),
                                                             max(x["qg"][-1] for x in rows))))
        ax.yaxis.set_minor_locator(FixedLocator([]))
    for i, x in enumerate(rows):
        p = i + 1
        violin(ax, p, x["qg"], tr, x["color"])
        ax.vlines(p, x["q05"], x["q95"], color="black", lw=1.2)
        ax.plot(p, x["q50"], "o", color="white", mec="black", ms=5)
        ax.plot(p, x["mean"], "D", color="#c0392b", ms=4)
        if p_label:
            ax.annotate(f"{p_label} {share_text(x['p'])}", (p, 1.0), xycoords=("data", "axes fraction"),
                        xytext=(0, -12), textcoords="offset points", ha="center", fontsize=7)
    ax.set_xticks(range(1, len(rows) + 1))
    ax.set_xticklabels([x["label"] for x in rows])
    ax.plot([], [], "o", color="white", mec="black", label="median")
    ax.plot([], [], "D", color="#c0392b", label="mean")
    ax.vlines([], 0, 0, color="black", label="5-95%")
    ax.axhline(0, color="grey", lw=0.8)
    money_axis(ax, "y", money)
    ax.set_xlabel("share of power converted to AI/HPC")
    ax.set_ylabel(f"{ylabel} ({unit_label(units)}{', symmetric log' if tr is not None else ''})")
    ax.set_title(title, pad=16 if p_label else 6)
    ax.legend(loc="lower left", fontsize=8)
    ax.grid(alpha=0.3, axis="y")
    fig.tight_layout()
    scale = (f" The axis is symmetric-logarithmic (linear within ±{fmt_value(c, money)}, logarithmic "
             "beyond), because the extreme paths would otherwise squash the body; violins and markers use "
             "all paths." if tr is not None else " Violins, bars and markers use all paths.")
    rep.save(fig, name, title.split(" (")[0], caption + scale)


# ---- frontier and probabilities ------------------------------------------------------

def frontier(rep, st, units):
    r = rep.r
    mean = np.array([s["mean"].value for s in st])
    cvar = np.array([s["cvar"].value for s in st])
    mse = np.array([s["mean"].se for s in st])
    cse = np.array([s["cvar"].se for s in st])
    # Efficient: no other allocation has a higher mean and a lower CVaR.
    eff = [not any((mean[j] >= mean[i] and cvar[j] <= cvar[i]) and (mean[j] > mean[i] or cvar[j] < cvar[i])
                   for j in range(len(st))) for i in range(len(st))]
    order = [i for i in np.argsort(cvar) if eff[i]]
    fig, ax = plt.subplots(figsize=FIGSIZE)
    ax.plot(cvar[order], mean[order], "-", color="grey", lw=1, zorder=1, label="efficient frontier")
    for i in range(len(st)):
        ax.errorbar(cvar[i], mean[i], yerr=Z95 * mse[i], xerr=Z95 * cse[i], fmt="o", color=rep.colors[i], ms=8,
                    mfc=rep.colors[i] if eff[i] else "white", capsize=3, zorder=2)
        ax.annotate(r.alloc_label(i), (cvar[i], mean[i]), xytext=(7, 4), textcoords="offset points", fontsize=8)
    ax.plot([], [], "o", color="grey", ms=8, label="efficient allocation")
    ax.plot([], [], "o", color="grey", mfc="white", ms=8, label="dominated allocation")
    money_axis(ax, "x", is_money(units))
    money_axis(ax, "y", is_money(units))
    ax.set_xlabel(f"CVaR {100 * ALPHA:g}%: mean loss in the worst {100 * ALPHA:g}% of paths "
                  f"({unit_label(units)}; lower is safer)")
    ax.set_ylabel(f"mean NPV ({unit_label(units)}; higher is better)")
    ax.set_title(f"Allocation frontier: reward against tail risk ({r.n:,} paths)")
    ax.legend(loc="best", fontsize=8, title="error bars: 95% intervals", title_fontsize=7)
    ax.grid(alpha=0.3)
    fig.tight_layout()
    rep.save(fig, "frontier.png", "Allocation frontier",
             "One point per allocation: mean NPV against CVaR at "
             f"{100 * ALPHA:g}%, each with its 95% Monte Carlo interval (±1.96 standard errors; CVaR's from "
             "its influence function). Up is more value, left is less tail loss; filled points are "
             "efficient (no other allocation is both better on average and safer in the tail), hollow "
             "ones are dominated. The error bars are the uncertainty of each point alone; differences "
             "between allocations are known far better, because all allocations share the same paths "
             "(see the paired table).")


def prob_beats(rep, beats, npv_beats):
    """beats: {a: [Est per year]}; npv_beats: {a: Est of P(NPV(a) > NPV(0))}."""
    r = rep.r
    fig, ax = plt.subplots(figsize=FIGSIZE)
    for a, ests in beats.items():
        p = np.array([e.value for e in ests])
        lo = np.array([e.lo for e in ests])
        hi = np.array([e.hi for e in ests])
        ax.fill_between(r.years, 100 * lo, 100 * hi, color=rep.colors[a], alpha=0.2, lw=0)
        ax.plot(r.years, 100 * p, "-o", ms=3, color=rep.colors[a], label=f"{r.alloc_label(a)} converted")
        e = npv_beats[a]
        ax.errorbar(r.years[-1] + 0.6, 100 * e.value, yerr=[[100 * (e.value - e.lo)], [100 * (e.hi - e.value)]],
                    fmt="*", ms=11, color=rep.colors[a], mec="black", mew=0.5, capsize=2)
    ax.plot([], [], "*", color="grey", mec="black", ms=11, label="NPV (discounted, whole horizon)")
    ax.axhline(50, color="grey", lw=0.8, ls=":")
    ax.set_ylim(-2, 102)
    ax.yaxis.set_major_formatter(FuncFormatter(lambda v, _: f"{v:.0f}%"))
    ax.set_xlabel("calendar year (end of)")
    year_axis(ax)
    ax.set_ylabel("share of paths ahead of pure mining (%)")
    ax.set_title(f"Probability that converting beats pure mining, by year ({r.n:,} paths)")
    ax.legend(loc="best", fontsize=8)
    ax.grid(alpha=0.3)
    fig.tight_layout()
    rep.save(fig, "prob_beats.png", "Probability of beating pure mining",
             "For each year: the share of paths where the cumulative net cash flow of allocation f "
             f"(undiscounted, from {r.years[0]} to the end of that year) exceeds that of "
             f"{r.alloc_label(r.baseline)} on the same path, with its 95% Wilson interval (band). Stars: "
             "the share where NPV (discounted, whole horizon) is higher, with its interval.")


def ecdf(ax, qg, p_minus, p_plus, color, label, scale=1.0):
    """The distribution function from quantiles of the finite values (qg at
    QGRID), with masses p_minus at -inf and p_plus at +inf."""
    if qg is None:
        return
    y = p_minus + (1 - p_minus - p_plus) * QGRID
    ax.plot(scale * qg, y, color=color, lw=1.6, label=label)


def irr_payback(rep, rows, rate, horizon):
    """rows: per converted allocation, dict a, irr_qg, p_minus, p_plus,
    payback_qg (finite paybacks), p_never."""
    r = rep.r
    fig, axes = plt.subplots(1, 2, figsize=(9.5, 4.4))
    finite = [x["irr_qg"] for x in rows if x["irr_qg"] is not None]
    for x in rows:
        lab = f"{r.alloc_label(x['a'])} converted"
        ecdf(axes[0], x["irr_qg"], x["p_minus"], x["p_plus"], rep.colors[x["a"]], lab, 100)
        ecdf(axes[1], x["payback_qg"], 0.0, x["p_never"], rep.colors[x["a"]], lab)
    if finite:
        lo = min(float(np.interp(0.01, QGRID, q)) for q in finite)
        hi = max(float(np.interp(0.99, QGRID, q)) for q in finite)
        if hi > lo:
            pad = 0.05 * (hi - lo)
            axes[0].set_xlim(100 * (lo - pad), 100 * (hi + pad))
    if rate is not None and math.isfinite(rate):
        axes[0].axvline(100 * rate, color="#c0392b", ls="--", lw=1, label=f"discount rate {100 * rate:g}%")
    axes[0].set_xlabel("IRR of converting (% a year)")
    axes[0].set_ylabel("share of paths with IRR at most x")
    axes[0].set_title("IRR of the incremental cash flows", fontsize=10)
    axes[1].set_xlabel("years from the start date")
    axes[1].set_ylabel("share of paths paid back by then")
    axes[1].set_title("Payback of the conversion", fontsize=10)
    axes[1].set_xlim(0, horizon)
    for ax in axes:
        ax.set_ylim(0, 1)
        ax.grid(alpha=0.3)
        if ax.get_legend_handles_labels()[0]:
            ax.legend(loc="lower right" if ax is axes[1] else "upper left", fontsize=7)
    fig.tight_layout()
    rep.save(fig, "irr_payback.png", "IRR and payback of converting",
             "Left: distribution function of the IRR of the incremental cash flows NPV(f) - NPV(0%) "
             "(per year, plus the terminal value), per allocation; paths with no IRR above 1000% or "
             "below -99% (converting gains, or loses, at every rate) are the gaps at the ends; paths "
             "with an ambiguous IRR are left out. Right: share of paths whose cumulative undiscounted "
             "incremental cash flow has turned positive, by time; the curve ends below 1 by the share "
             "that never pays back within the horizon.")
