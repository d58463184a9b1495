#!/usr/bin/python3
"""report: figures, an HTML page and a Markdown summary of a results file.

    scripts/report.py RESULTS.h5 [-o DIR]

Runs on Debian's python3 (h5py, numpy, matplotlib). DIR defaults to
RESULTS_report/ beside the file. Writes into DIR:
  fan_btc_price.png, fan_hashrate.png, fan_hashprice.png
                       5/25/50/75/95% fan charts per calendar year
  revenue_by_year.png  mining and HPC revenue per year, one fan per allocation
  revenue_annual.png   average revenue per year over the horizon, per allocation
  npv_distribution.png NPV of each allocation
  npv_difference.png   paired difference NPV(f) - NPV(baseline), same path
  frontier.png         mean NPV against CVaR at 5%, one point per allocation
  prob_beats.png       P(allocation f is ahead of pure mining), per year
  summary.csv          the NPV table at full precision
  report.md            Markdown summary (links the PNGs beside it)
  report.html          self-contained page (figures embedded as base64)
Per-year figures need the per-year datasets (output.per_year = true); without
them they are left out and the page says so. Statistics are defined in
scripts/hp_results.py. Data are read one dataset (or one allocation of a
[allocation, path, year] dataset) at a time.
"""
import argparse
import base64
import csv
import html
import os
import sys

import numpy as np

import matplotlib
matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
from matplotlib.ticker import FuncFormatter, LogLocator, MaxNLocator, NullFormatter  # noqa: E402

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from hp_results import (ALPHA, Results, ResultsError, fmt_share, fmt_value, md_table,  # noqa: E402
                        is_money, stats)

FAN_Q = [5, 25, 50, 75, 95]
VIOLIN_Q = (0.5, 99.5)  # violins show the central 99% of paths: the tails are extreme
DPI = 110
FIGSIZE = (8.0, 4.6)
# Fixed PNG metadata: the same file reproduces the same bytes.
PNG_META = {"Software": None}


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


class Report:
    """Collects figures and tables, then writes the Markdown and HTML."""

    def __init__(self, res, outdir):
        self.r = res
        self.dir = outdir
        self.figs = []      # (file, title, caption)
        self.notes = []     # things left out, with the reason
        self.colors = alloc_colors(len(res.alloc))

    # ---- figures -----------------------------------------------------------

    def save(self, fig, name, title, caption):
        path = os.path.join(self.dir, name)
        fig.savefig(path, dpi=DPI, metadata=PNG_META)
        plt.close(fig)
        self.figs.append((name, title, caption))

    def year_note(self):
        """Calendar years that hold fewer days than a full year."""
        part = [f"{y} ({d} days)" for y, d in zip(self.r.years, self.r.days_in_year) if d < 365]
        return f" Partial years: {', '.join(part)}." if part else ""

    def fan(self, ax, x, q, color, label):
        """Draws one fan (5-95% and 25-75% bands, median line) from q[5, year]."""
        ax.fill_between(x, q[0], q[4], color=color, alpha=0.18, lw=0, label=f"{label} 5-95%")
        ax.fill_between(x, q[1], q[3], color=color, alpha=0.38, lw=0, label=f"{label} 25-75%")
        ax.plot(x, q[2], color=color, lw=2, label=f"{label} median")

    def fan_chart(self, var, name, title, log=True):
        r = self.r
        if not r.has(var):
            self.notes.append(f"{title}: no dataset {var} in the file (output.per_year = false?).")
            return
        base = r.baseline if r.baseline >= 0 else 0
        x = r.path_year(var, base)
        q = np.percentile(x, FAN_Q, axis=0)
        units = r.units(var)
        fig, ax = plt.subplots(figsize=FIGSIZE)
        self.fan(ax, r.years, q, "#1f5fa8", "paths")
        ax.plot(r.years, x.mean(axis=0), color="#c0392b", lw=1.2, ls="--", label="mean")
        if log and np.all(q[0] > 0):
            ax.set_yscale("log")
            ax.yaxis.set_major_locator(LogLocator(base=10, subs=(1.0, 2.0, 5.0)))
            ax.yaxis.set_minor_formatter(NullFormatter())
        money_axis(ax, "y", is_money(units))
        ax.set_xlabel("calendar year")
        year_axis(ax)
        ax.set_ylabel(f"{title} ({unit_label(units)}{', log scale' if ax.get_yscale() == 'log' else ''})")
        scope = "" if self.r.ndim(var) == 2 else f", allocation {r.alloc_label(base)} (pure mining)"
        ax.set_title(f"{title} per year: 5/25/50/75/95% of {r.n:,} paths{scope}")
        ax.legend(loc="best", fontsize=8)
        ax.grid(alpha=0.3, which="major")
        fig.tight_layout()
        self.save(fig, name, title,
                  f"{r.long_name(var)} ({units}), `{var}`: bands hold 90% and 50% of paths, the line is "
                  f"the median, dashed the mean.{self.year_note()}")

    def revenue_by_year(self):
        r = self.r
        vars_ = [("cashflow/mining_revenue", "Mining revenue"), ("cashflow/hpc_revenue", "HPC revenue")]
        if not all(r.has(v) for v, _ in vars_):
            self.notes.append("Revenue per year: no per-year cash-flow datasets in the file.")
            return
        n = len(r.alloc)
        fig, axes = plt.subplots(2, n, figsize=(max(8.0, 2.3 * n), 5.6), sharex=True, sharey="row",
                                 squeeze=False)
        for row, (var, label) in enumerate(vars_):
            for a in range(n):
                ax = axes[row][a]
                q = np.percentile(r.path_year(var, a), FAN_Q, axis=0)
                self.fan(ax, r.years, q, self.colors[a], "")
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
        self.save(fig, "revenue_by_year.png", "Revenue per year and allocation",
                  "Mining (top) and AI/HPC (bottom) revenue in each calendar year, one column per "
                  f"allocation; bands hold 90% and 50% of paths.{self.year_note()}")

    def revenue_annual(self):
        """Average revenue per year over the horizon (totals x 365.25 / days)."""
        r = self.r
        vars_ = [("totals/mining_revenue", "Mining"), ("totals/hpc_revenue", "HPC")]
        if not all(r.has(v) for v, _ in vars_) or r.n_days <= 0:
            self.notes.append("Average revenue per year: no totals in the file.")
            return
        per_year = 365.25 / r.n_days
        fig, axes = plt.subplots(1, 2, figsize=FIGSIZE, sharey=False)
        labels = [r.alloc_label(a) for a in range(len(r.alloc))]
        for ax, (var, label) in zip(axes, vars_):
            x = r.alloc_path(var) * per_year
            bp = ax.boxplot(list(x), labels=labels, whis=(5, 95), showfliers=False, patch_artist=True,
                            medianprops={"color": "black"})
            for patch, c in zip(bp["boxes"], self.colors):
                patch.set_facecolor(c)
                patch.set_alpha(0.6)
            ax.plot(range(1, len(labels) + 1), x.mean(axis=1), "D", color="#c0392b", ms=4, label="mean")
            money_axis(ax, "y", is_money(r.units(var)))
            ax.set_xlabel("share of power converted to AI/HPC")
            ax.set_ylabel(f"{label} revenue ({unit_label(r.units(var))} per year)")
            ax.set_title(f"{label} revenue, average per year", fontsize=10)
            ax.grid(alpha=0.3, axis="y")
        fig.legend(*axes[0].get_legend_handles_labels(), loc="lower center", fontsize=8, frameon=False,
                   title="box 25-75% of paths, line median, whiskers 5-95%", title_fontsize=8, ncol=1)
        fig.tight_layout(rect=(0, 0.1, 1, 1))
        self.save(fig, "revenue_annual.png", "Average revenue per year",
                  f"Revenue summed over the horizon and divided by its length ({r.horizon_years:g} "
                  f"years), per allocation: boxes 25-75%, whiskers 5-95%, line median, diamond mean.")

    def violins(self, ax, rows, labels, colors):
        """Violins of the central VIOLIN_Q of each row, with 5/50/95% and the
        mean of all paths; the y axis spans the violins, so a few extreme
        paths do not squash the picture."""
        pos = np.arange(1, len(rows) + 1)
        lims = [np.percentile(x, VIOLIN_Q) for x in rows]
        rows_all, rows = rows, [x[(x >= lo) & (x <= hi)] for x, (lo, hi) in zip(rows, lims)]
        # A row with no spread (e.g. a zero difference) cannot get a density.
        spread = [np.ptp(x) > 0 for x in rows]
        vp = ax.violinplot([x for x, s in zip(rows, spread) if s], positions=pos[spread],
                           showextrema=False, widths=0.8) if any(spread) else {"bodies": []}
        for body, c in zip(vp["bodies"], [c for c, s in zip(colors, spread) if s]):
            body.set_facecolor(c)
            body.set_alpha(0.55)
        for p, x in zip(pos, rows_all):
            q05, q50, q95 = np.percentile(x, [5, 50, 95])
            ax.vlines(p, q05, q95, color="black", lw=1.2)
            ax.plot(p, q50, "o", color="white", mec="black", ms=5)
            ax.plot(p, np.mean(x), "D", color="#c0392b", ms=4)
        ax.set_xticks(pos)
        ax.set_xticklabels(labels)
        ax.plot([], [], "o", color="white", mec="black", label="median")
        ax.plot([], [], "D", color="#c0392b", label="mean")
        ax.vlines([], 0, 0, color="black", label="5-95%")
        lo, hi = min(lim[0] for lim in lims), max(lim[1] for lim in lims)
        pad = 0.05 * (hi - lo) if hi > lo else 1.0
        ax.set_ylim(lo - pad, hi + pad)

    def npv_figures(self, npv, units):
        r = self.r
        n = len(r.alloc)
        labels = [r.alloc_label(a) for a in range(n)]
        fig, ax = plt.subplots(figsize=FIGSIZE)
        self.violins(ax, list(npv), labels, self.colors)
        ax.axhline(0, color="grey", lw=0.8)
        money_axis(ax, "y", is_money(units))
        ax.set_xlabel("share of power converted to AI/HPC")
        ax.set_ylabel(f"NPV ({unit_label(units)})")
        ax.set_title(f"NPV by allocation ({r.n:,} paths)")
        ax.legend(loc="upper left", fontsize=8)
        ax.grid(alpha=0.3, axis="y")
        fig.tight_layout()
        self.save(fig, "npv_distribution.png", "NPV distribution",
                  "Distribution of NPV over paths for each allocation (violin: density; bar: 5-95%; "
                  "circle: median; diamond: mean). "
                  f"Violins and the axis cover the central {VIOLIN_Q[1] - VIOLIN_Q[0]:g}% of paths; "
                  "bars and markers use all paths.")
        if r.baseline < 0:
            self.notes.append("NPV difference: the file names no baseline allocation.")
            return
        others = [a for a in range(n) if a != r.baseline]
        diff = [npv[a] - npv[r.baseline] for a in others]
        fig, ax = plt.subplots(figsize=FIGSIZE)
        self.violins(ax, diff, [labels[a] for a in others], [self.colors[a] for a in others])
        ax.axhline(0, color="grey", lw=0.8)
        for i, d in enumerate(diff):
            ax.annotate(f"P(>0) {fmt_share(np.mean(d > 0))}", (i + 1, 1.0), xycoords=("data", "axes fraction"),
                        xytext=(0, -12), textcoords="offset points", ha="center", fontsize=8)
        money_axis(ax, "y", is_money(units))
        ax.set_xlabel("share of power converted to AI/HPC")
        ax.set_ylabel(f"NPV(f) - NPV({labels[r.baseline]}) ({unit_label(units)})")
        ax.set_title(f"Paired NPV gain over pure mining, same path ({r.n:,} paths)", pad=16)
        ax.legend(loc="lower left", fontsize=8)
        ax.grid(alpha=0.3, axis="y")
        fig.tight_layout()
        self.save(fig, "npv_difference.png", "Paired NPV difference",
                  f"NPV(f) - NPV({labels[r.baseline]}) on the same path (common random numbers), so "
                  "market luck cancels and only the effect of converting remains. P(>0) is the share of "
                  "paths where converting wins. "
                  f"Violins and the axis cover the central {VIOLIN_Q[1] - VIOLIN_Q[0]:g}% of paths; "
                  "bars and markers use all paths.")

    def frontier(self, st, units):
        r = self.r
        mean = np.array([s["mean"] for s in st])
        cvar = np.array([s["cvar05"] for s in st])
        se = np.array([s["se"] for s in st])
        # Efficient: no other allocation has a higher mean and a lower CVaR.
        eff = [not any((mean[j] >= mean[i] and cvar[j] <= cvar[i]) and (mean[j] > mean[i] or cvar[j] < cvar[i])
                       for j in range(len(st))) for i in range(len(st))]
        order = [i for i in np.argsort(cvar) if eff[i]]
        fig, ax = plt.subplots(figsize=FIGSIZE)
        ax.plot(cvar[order], mean[order], "-", color="grey", lw=1, zorder=1, label="efficient frontier")
        for i in range(len(st)):
            ax.errorbar(cvar[i], mean[i], yerr=2 * se[i], fmt="o", color=self.colors[i], ms=8,
                        mfc=self.colors[i] if eff[i] else "white", capsize=3, zorder=2)
            ax.annotate(r.alloc_label(i), (cvar[i], mean[i]), xytext=(7, 4), textcoords="offset points",
                        fontsize=8)
        ax.plot([], [], "o", color="grey", ms=8, label="efficient allocation")
        ax.plot([], [], "o", color="grey", mfc="white", ms=8, label="dominated allocation")
        money_axis(ax, "x", is_money(units))
        money_axis(ax, "y", is_money(units))
        ax.set_xlabel(f"CVaR {100 * ALPHA:g}%: mean loss in the worst {100 * ALPHA:g}% of paths "
                      f"({unit_label(units)}; lower is safer)")
        ax.set_ylabel(f"mean NPV ({unit_label(units)}; higher is better)")
        ax.set_title(f"Allocation frontier: reward against tail risk ({r.n:,} paths)")
        ax.legend(loc="best", fontsize=8, title="error bars: mean ± 2 s.e.", title_fontsize=7)
        ax.grid(alpha=0.3)
        fig.tight_layout()
        self.save(fig, "frontier.png", "Allocation frontier",
                  "One point per allocation: mean NPV (error bar ±2 Monte Carlo standard errors) against "
                  f"CVaR at {100 * ALPHA:g}%. Up is more value, left is less tail loss; filled points are "
                  "efficient (no other allocation is both better on average and safer in the tail), hollow "
                  "ones are dominated. The error bars are the uncertainty of each mean alone; differences "
                  "between allocations are known far better, because all allocations share the same paths "
                  "(see the paired table).")

    def prob_beats(self, npv):
        """Per year: share of paths where the cumulative undiscounted net cash
        flow of f exceeds the baseline's on the same path; the horizon's
        discounted comparison (NPV) is the marker at the end."""
        r = self.r
        var = "cashflow/net_cash_flow"
        if r.baseline < 0 or not r.has(var):
            self.notes.append("Probability of beating pure mining per year: needs the per-year "
                              "net cash flow and a baseline allocation.")
            return
        base = np.cumsum(r.path_year(var, r.baseline), axis=1)
        fig, ax = plt.subplots(figsize=FIGSIZE)
        for a in range(len(r.alloc)):
            if a == r.baseline:
                continue
            cum = np.cumsum(r.path_year(var, a), axis=1)
            p = (cum > base).mean(axis=0)
            ax.plot(r.years, 100 * p, "-o", ms=3, color=self.colors[a], label=f"{r.alloc_label(a)} converted")
            ax.plot(r.years[-1] + 0.6, 100 * np.mean(npv[a] > npv[r.baseline]), "*", ms=11,
                    color=self.colors[a], mec="black", mew=0.5)
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
        self.save(fig, "prob_beats.png", "Probability of beating pure mining",
                  "For each year: the share of paths where the cumulative net cash flow of allocation f "
                  f"(undiscounted, from {r.years[0]} to the end of that year) exceeds that of "
                  f"{r.alloc_label(r.baseline)} on the same path. Stars: the share where NPV "
                  "(discounted, whole horizon) is higher.")

    # ---- tables ------------------------------------------------------------

    def table_rows(self, st, units):
        m = is_money(units)
        rows = []
        for a, s in enumerate(st):
            rows.append([self.r.alloc_label(a), fmt_value(s["mean"], m), fmt_value(s["se"], m),
                         fmt_value(s["sd"], m), fmt_value(s["q05"], m), fmt_value(s["q50"], m),
                         fmt_value(s["q95"], m), fmt_share(s["p_loss"]), fmt_value(s["var05"], m),
                         fmt_value(s["cvar05"], m), fmt_share(s["p_beats"])])
        return rows

    def table_header(self):
        b = self.r.alloc_label(self.r.baseline) if self.r.baseline >= 0 else "baseline"
        p = f"{100 * ALPHA:g}%"
        return ["allocation", "mean", "s.e. of mean", "std dev", "5%", "50%", "95%", "P(loss)",
                f"VaR {p}", f"CVaR {p}", f"P(beats {b})"]

    def diff_rows(self, npv, units):
        r, m = self.r, is_money(units)
        rows = []
        for a in range(len(r.alloc)):
            if a == r.baseline:
                continue
            d = npv[a] - npv[r.baseline]
            s = stats(d)
            rows.append([r.alloc_label(a), fmt_value(s["mean"], m), fmt_value(s["se"], m),
                         fmt_value(s["q05"], m), fmt_value(s["q50"], m), fmt_value(s["q95"], m),
                         fmt_share(float(np.mean(d > 0)))])
        return rows

    def revenue_rows(self):
        r = self.r
        if r.n_days <= 0:
            return []
        per_year = 365.25 / r.n_days
        rows = []
        cols = [v for v in ("totals/mining_revenue", "totals/hpc_revenue") if r.has(v)]
        data = {v: r.alloc_path(v) * per_year for v in cols}
        for a in range(len(r.alloc)):
            row = [r.alloc_label(a)]
            for v in cols:
                x = data[v][a]
                m = is_money(r.units(v))
                row += [fmt_value(float(np.mean(x)), m), fmt_value(float(np.percentile(x, 5)), m),
                        fmt_value(float(np.percentile(x, 95)), m)]
            rows.append(row)
        return rows

    def write_csv(self, st):
        path = os.path.join(self.dir, "summary.csv")
        keys = ["mean", "se", "sd", "q05", "q50", "q95", "p_loss", "var05", "cvar05", "p_beats", "n"]
        with open(path, "w", newline="") as fh:
            w = csv.writer(fh)
            w.writerow(["allocation"] + keys)
            for a, s in enumerate(st):
                w.writerow([repr(float(self.r.alloc[a]))] + [repr(s[k]) for k in keys])

    # ---- pages -------------------------------------------------------------

    def meta(self):
        r = self.r
        return [("results file", r.path), ("config", f"{r.config_name} ({r.config_file})"),
                ("status", r.status), ("seed", str(r.seed)),
                ("paths", f"{r.n:,}" + ("" if r.n == r.n_paths else f" of {r.n_paths:,} written")),
                ("start, horizon", f"{r.start_date}, {r.horizon_years:g} years"),
                ("allocations", ", ".join(r.alloc_label(a) for a in range(len(r.alloc)))),
                ("written by", f"hashpivot {r.software} (commit {r.commit}), {r.created}")]

    def definitions(self, units):
        b = self.r.alloc_label(self.r.baseline) if self.r.baseline >= 0 else "the baseline"
        p = f"{100 * ALPHA:g}%"
        return [
            f"NPV in {units}; s.e. of mean = std dev / sqrt(paths), the Monte Carlo error of the mean.",
            "5%, 50%, 95%: quantiles over paths (linear interpolation). P(loss): share of paths with NPV < 0.",
            f"VaR {p} = -(5% quantile): the loss exceeded on {p} of paths. CVaR {p}: the mean loss over "
            f"the worst {p} of paths (expected shortfall). Positive means a loss; negative, that even "
            "the bad tail is a gain.",
            f"P(beats {b}): share of paths where NPV(f) > NPV({b}) on the same path.",
        ]

    def markdown(self, tables, units):
        out = [f"# hashpivot report: {self.r.config_name}", ""]
        out += [f"- **{k}**: {v}" for k, v in self.meta()] + [""]
        if self.r.status != "complete":
            out += ["**WARNING: incomplete results file; only the paths written are used.**", ""]
        for title, header, rows in tables:
            out += [f"## {title}", ""] + md_table(header, rows) + [""]
        out += ["Definitions:", ""] + [f"- {d}" for d in self.definitions(units)] + [""]
        for name, title, caption in self.figs:
            out += [f"## {title}", "", f"![{title}]({name})", "", caption, ""]
        if self.notes:
            out += ["## Left out", ""] + [f"- {n}" for n in self.notes] + [""]
        return "\n".join(out)

    def html(self, tables, units):
        e = html.escape
        css = ("body{font-family:sans-serif;max-width:1000px;margin:2em auto;color:#222}"
               "table{border-collapse:collapse;margin:1em 0;font-size:14px}"
               "td,th{border:1px solid #ccc;padding:3px 8px;text-align:right}"
               "td:first-child,th:first-child{text-align:left}th{background:#f2f2f2}"
               "img{max-width:100%}figure{margin:2em 0}figcaption{font-size:14px;color:#444}"
               ".warn{color:#a00;font-weight:bold}dt{font-weight:bold;float:left;width:9em}dd{margin-left:10em}")
        out = ["<!DOCTYPE html>", '<html lang="en"><head><meta charset="utf-8">',
               f"<title>hashpivot report: {e(self.r.config_name)}</title><style>{css}</style></head><body>",
               f"<h1>hashpivot report: {e(self.r.config_name)}</h1><dl>"]
        out += [f"<dt>{e(k)}</dt><dd>{e(v)}</dd>" for k, v in self.meta()] + ["</dl>"]
        if self.r.status != "complete":
            out.append('<p class="warn">Incomplete results file: only the paths written are used.</p>')
        for title, header, rows in tables:
            out.append(f"<h2>{e(title)}</h2><table><tr>" + "".join(f"<th>{e(h)}</th>" for h in header) + "</tr>")
            out += ["<tr>" + "".join(f"<td>{e(c)}</td>" for c in r) + "</tr>" for r in rows]
            out.append("</table>")
        out.append("<ul>" + "".join(f"<li>{e(d)}</li>" for d in self.definitions(units)) + "</ul>")
        for name, title, caption in self.figs:
            with open(os.path.join(self.dir, name), "rb") as fh:
                data = base64.b64encode(fh.read()).decode("ascii")
            out.append(f'<figure><h2>{e(title)}</h2><img alt="{e(title)}" src="data:image/png;base64,{data}">'
                       f"<figcaption>{e(caption.replace('`', ''))}</figcaption></figure>")
        if self.notes:
            out.append("<h2>Left out</h2><ul>" + "".join(f"<li>{e(n)}</li>" for n in self.notes) + "</ul>")
        out.append("</body></html>")
        return "\n".join(out)

    def run(self):
        r = self.r
        npv = r.alloc_path("valuation/npv")
        units = r.units("valuation/npv")
        base = npv[r.baseline] if r.baseline >= 0 else None
        st = [stats(npv[a], None if a == r.baseline else base) for a in range(len(r.alloc))]
        self.fan_chart("market/btc_price_end", "fan_btc_price.png", "BTC price")
        self.fan_chart("network/hashrate_end", "fan_hashrate.png", "Network hashrate")
        self.fan_chart("network/hashprice_mean", "fan_hashprice.png", "Hashprice")
        self.revenue_by_year()
        self.revenue_annual()
        self.npv_figures(npv, units)
        self.frontier(st, units)
        self.prob_beats(npv)
        tables = [("NPV by allocation", self.table_header(), self.table_rows(st, units))]
        if r.baseline >= 0:
            b = r.alloc_label(r.baseline)
            tables.append((f"Paired NPV difference: NPV(f) - NPV({b}), same path",
                           ["allocation", "mean", "s.e. of mean", "5%", "50%", "95%", "P(> 0)"],
                           self.diff_rows(npv, units)))
        rev = self.revenue_rows()
        if rev:
            hdr = ["allocation"]
            for label in ("mining", "HPC"):
                hdr += [f"{label} mean", f"{label} 5%", f"{label} 95%"]
            tables.append(("Average revenue per year", hdr[:len(rev[0])], rev))
        self.write_csv(st)
        write_atomic(os.path.join(self.dir, "report.md"), self.markdown(tables, units))
        write_atomic(os.path.join(self.dir, "report.html"), self.html(tables, units))
        return tables


def write_atomic(path, text):
    """Written under a temporary name, renamed when complete."""
    tmp = f"{path}.tmp.{os.getpid()}"
    with open(tmp, "w", encoding="utf-8") as fh:
        fh.write(text)
    os.replace(tmp, path)


def main(argv):
    ap = argparse.ArgumentParser(description="Figures, HTML and Markdown report of a hashpivot results file.")
    ap.add_argument("results", help="HDF5 results file written by `hashpivot run`")
    ap.add_argument("-o", "--outdir", help="output directory (default: RESULTS_report beside the file)")
    args = ap.parse_args(argv)
    outdir = args.outdir or os.path.splitext(args.results)[0] + "_report"
    try:
        with Results(args.results) as res:
            if res.n == 0:
                raise ResultsError(f"{args.results}: no path written")
            if res.status != "complete":
                print(f"report.py: WARNING: {args.results}: status {res.status}: only the {res.n} paths "
                      "written are used", file=sys.stderr)
            os.makedirs(outdir, exist_ok=True)
            rep = Report(res, outdir)
            tables = rep.run()
    except ResultsError as e:
        print(f"report.py: {e}", file=sys.stderr)
        return 1
    except OSError as e:   # the output directory or a figure cannot be written
        print(f"report.py: {outdir}: {e.strerror or e}", file=sys.stderr)
        return 1
    print(f"report.py: wrote {len(rep.figs)} figures, report.md, report.html and summary.csv to {outdir}")
    for title, header, rows in tables[:1]:
        print("\n".join(md_table(header, rows)))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
