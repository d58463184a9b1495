#!/usr/bin/python3
"""report: figures, tables with their errors, an HTML page and a Markdown summary.

    scripts/report.py RESULTS.h5 [-o DIR] [--sensitivity FILE] [--gsa FILE] [--hashpivot BIN]

Runs on Debian's python3 (h5py, numpy, scipy, matplotlib). DIR defaults to
RESULTS_report/ beside the file. Writes into DIR:
  fan_btc_price.png, fan_hashrate.png, fan_hashprice.png
                       5/25/50/75/95% fan charts per calendar year
  revenue_by_year.png  mining and HPC revenue per year, one fan per allocation
  revenue_annual.png   average revenue per year over the horizon, per allocation
  npv_distribution.png NPV of each allocation
  npv_difference.png   paired gain NPV(f) - NPV(baseline), same path
  frontier.png         mean NPV against CVaR at 5%, with 95% intervals
  prob_beats.png       P(allocation f is ahead of pure mining), per year
  irr_payback.png      IRR and payback of converting, per allocation
  policy_boundary.png, policy_mw_converted.png
                       with allocation.policy = "optimal": the learned
                       exercise boundary and the MW converted per year
  tornado.png, gsa_sobol.png, gsa_morris.png
                       with --sensitivity / --gsa, or when the results file
                       holds a /sensitivity or /gsa group
  ID.csv, ID.json      each table at full precision (summary.csv: the NPV table)
  report.json          every table, the run's metadata, figures and omissions
  report.md            Markdown summary (links the files beside it)
  report.html          self-contained page (figures and data embedded)
Every statistic carries a standard error or a 95% interval (definitions in
scripts/hp_stats.py, the same as sim/stats.h). Per-year figures and the
IRR, payback and per-year tables need the per-year datasets
(output.per_year = true); without them they are left out and the page says
so. Memory does not grow with the number of allocations: data are read one
allocation (or one block of paths) at a time, and at most a few vectors of
8 bytes per path are held at once, besides one allocation of one per-year
dataset when it fits in 128 MiB (hp_results.py).
"""
import argparse
import base64
import html
import os
import subprocess
import sys

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import hp_analysis  # noqa: E402
import hp_cashflow as hc  # noqa: E402
import hp_config  # noqa: E402
import report_figures as rf  # noqa: E402
from hp_results import Results, ResultsError, is_money, md_table  # noqa: E402
from hp_stats import (ALPHA, NONE, PROBS, prob_est, quantiles, quantiles_among, sample_stats,  # noqa: E402
                      share_between, share_se_est)
from hp_table import Col, Table, json_text  # noqa: E402
from report_analysis import gsa_part, tornado  # noqa: E402
from report_policy import policy_part  # noqa: E402

PNG_META = {"Software": None}   # fixed PNG metadata: the same file gives the same bytes
IRR_INF = (f"< {100 * hc.RATE_MIN:g}%", f"> {100 * hc.RATE_MAX:g}%")


def put(rec, key, est, se_key=None):
    """rec[key], its se, lo and hi from an Est."""
    rec[key] = float(est.value)
    rec[se_key or f"{key}_se"] = float(est.se)
    rec[f"{key}_lo"], rec[f"{key}_hi"] = float(est.lo), float(est.hi)


def put_stats(rec, st, probs=PROBS):
    put(rec, "mean", st["mean"], "se")
    rec["sd"] = float(st["sd"])
    for p, q in zip(probs, st["q"]):
        put(rec, f"q{round(100 * p):02d}", q)


def qcols(prefix, money, probs=PROBS, inf=("-inf", "inf"), kind="ci"):
    return [Col(f"{100 * p:g}%", kind, tuple(f"{prefix}q{round(100 * p):02d}{s}" for s in ("", "_lo", "_hi")),
                money, inf) for p in probs]


class Report:
    """Computes the tables and figures, then writes the pages and data files."""

    def __init__(self, res, outdir, args):
        self.r, self.dir, self.args = res, outdir, args
        self.figs, self.notes, self.tables = [], [], []
        self.colors = rf.alloc_colors(len(res.alloc))
        self.resolved = res.text_dataset("config/resolved")
        self.config = hp_config.settings(self.resolved) if self.resolved else {}
        self.scr = res.scrambles()      # sampler sobol: errors between scrambles

    def save(self, fig, name, title, caption):
        fig.savefig(os.path.join(self.dir, name), dpi=rf.DPI, metadata=PNG_META)
        rf.plt.close(fig)
        self.figs.append((name, title, caption))

    def year_note(self):
        part = [f"{y} ({d} days)" for y, d in zip(self.r.years, self.r.days_in_year) if d < 365]
        return f" Partial years: {', '.join(part)}." if part else ""

    def label(self, a):
        return self.r.alloc_label(a)

    def share(self, event):
        """The share of paths where event holds, with its interval (between
        scrambles for a sobol file, Wilson for independent paths)."""
        if self.scr is None:
            return prob_est(int(np.count_nonzero(event)), len(event))
        return share_between(event, self.scr)

    def base_label(self):
        return self.label(self.r.baseline) if self.r.baseline >= 0 else "the baseline"

    # ---- NPV and the paired gain -----------------------------------------------------

    def npv_part(self):
        r, var = self.r, "valuation/npv"
        units = r.units(var)
        money = is_money(units)
        base = r.row(var, r.baseline) if r.baseline >= 0 else None
        st, recs, grecs, rows, drows = [], [], [], [], []
        for a in range(len(r.alloc)):
            x = r.row(var, a)
            s = sample_stats(x, scr=self.scr)
            s["p_beats"] = (self.share(x > base) if base is not None and a != r.baseline else NONE)
            st.append(s)
            rec = {"allocation": float(r.alloc[a]), "label": self.label(a), "n": s["n"]}
            put_stats(rec, s)
            put(rec, "p_loss", s["p_neg"])
            put(rec, "var05", s["var"])
            put(rec, "cvar05", s["cvar"])
            put(rec, "p_beats", s["p_beats"])
            recs.append(rec)
            rows.append({"label": self.label(a), "color": self.colors[a], "qg": np.quantile(x, rf.QGRID),
                         "mean": s["mean"].value, "q05": s["q"][0].value, "q50": s["q"][1].value,
                         "q95": s["q"][2].value})
            if base is None or a == r.baseline:
                continue
            d = x - base
            g = sample_stats(d, scr=self.scr)
            grec = {"allocation": float(r.alloc[a]), "label": self.label(a), "n": g["n"]}
            put_stats(grec, g)
            put(grec, "p_gain", g["p_pos"])
            put(grec, "cvar05", g["cvar"])
            grecs.append(grec)
            drows.append({"label": self.label(a), "color": self.colors[a], "qg": np.quantile(d, rf.QGRID),
                          "mean": g["mean"].value, "q05": g["q"][0].value, "q50": g["q"][1].value,
                          "q95": g["q"][2].value, "p": g["p_pos"]})
        p = f"{100 * ALPHA:g}%"
        cols = ([Col("allocation", "text", ("label",)), Col("mean", "pm", ("mean", "se"), money),
                 Col("std dev", "value", ("sd",), money)] + qcols("", money)
                + [Col("P(loss)", "share_ci", ("p_loss", "p_loss_lo", "p_loss_hi")),
                   Col(f"VaR {p}", "ci", ("var05", "var05_lo", "var05_hi"), money),
                   Col(f"CVaR {p}", "pm", ("cvar05", "cvar05_se"), money),
                   Col(f"P(beats {self.base_label()})", "share_ci", ("p_beats", "p_beats_lo", "p_beats_hi"))])
        self.tables.append(Table("summary", "NPV by allocation", cols, recs))
        if grecs:
            b = self.base_label()
            cols = ([Col("allocation", "text", ("label",)), Col("mean", "pm", ("mean", "se"), money),
                     Col("std dev", "value", ("sd",), money)] + qcols("", money)
                    + [Col("P(gain > 0)", "share_ci", ("p_gain", "p_gain_lo", "p_gain_hi")),
                       Col(f"CVaR {p} of the gain", "pm", ("cvar05", "cvar05_se"), money)])
            self.tables.append(Table("gain", f"Paired NPV gain: NPV(f) - NPV({b}), same path", cols, grecs,
                                     f"CVaR {p} of the gain: the mean shortfall of converting on the worst "
                                     f"{p} of paths (positive: converting loses that much there)."))
        rf.distributions(self, "npv_distribution.png", f"NPV by allocation ({r.n:,} paths)",
                         "Distribution of NPV over paths for each allocation (violin: density; bar: 5-95%; "
                         "circle: median; diamond: mean).", rows, "NPV", units)
        if drows:
            b = self.base_label()
            rf.distributions(self, "npv_difference.png",
                             f"Paired NPV gain over pure mining, same path ({r.n:,} paths)",
                             f"NPV(f) - NPV({b}) on the same path (common random numbers), so market luck "
                             "cancels and only the effect of converting remains. P(>0): the share of paths "
                             "where converting wins, with its 95% interval.", drows,
                             f"NPV(f) - NPV({b})", units, "P(>0)")
        else:
            self.notes.append("NPV difference: the file names no baseline allocation.")
        rf.frontier(self, st, units)
        return st

    # ---- revenue ------------------------------------------------------------------------

    def revenue_part(self):
        r = self.r
        vars_ = [(v, lab) for v, lab in (("totals/mining_revenue", "Mining"), ("totals/hpc_revenue", "HPC"))
                 if r.has(v)]
        if not vars_ or r.n_days <= 0:
            self.notes.append("Average revenue per year: no totals in the file.")
            return
        per_year = 365.25 / r.n_days
        probs = (0.05, 0.25, 0.5, 0.75, 0.95)
        recs = [{"allocation": float(r.alloc[a]), "label": self.label(a)} for a in range(len(r.alloc))]
        boxes, cols = [], [Col("allocation", "text", ("label",))]
        for var, lab in vars_:
            money = is_money(r.units(var))
            key = lab.lower()
            stats = []
            for a, rec in enumerate(recs):
                s = sample_stats(r.row(var, a) * per_year, probs, scr=self.scr)
                put(rec, f"{key}_mean", s["mean"])
                for p, q in zip(probs, s["q"]):
                    put(rec, f"{key}_q{round(100 * p):02d}", q)
                stats.append({"mean": s["mean"].value, **{f"q{round(100 * p):02d}": q.value
                                                           for p, q in zip(probs, s["q"])}})
            boxes.append((lab, r.units(var), stats))
            cols += [Col(f"{lab} mean", "pm", (f"{key}_mean", f"{key}_mean_se"), money)]
            cols += [Col(f"{lab} {100 * p:g}%", "ci", tuple(f"{key}_q{round(100 * p):02d}{s}" for s in ("", "_lo", "_hi")),
                         money) for p in (0.05, 0.95)]
        self.tables.append(Table("revenue", "Average revenue per year", cols, recs,
                                 f"Totals over the horizon x 365.25 / {r.n_days} days."))
        rf.revenue_annual(self, boxes)

    # ---- the conversion decision: per-year lead, IRR, payback -------------------------

    def conversion_part(self, st):
        r, var = self.r, "cashflow/net_cash_flow"
        if r.baseline < 0 or not r.has(var):
            self.notes.append("Probability of beating pure mining per year, IRR and payback: need the "
                              "per-year net cash flow (output.per_year = true) and a baseline allocation.")
            return
        tvv = "valuation/terminal_value"
        tv_base = r.row(tvv, r.baseline) if r.has(tvv) else None
        days = r.days_in_year
        beats, npv_beats, irecs, precs, frows = {}, {}, [], [], []
        for a in range(len(r.alloc)):
            if a == r.baseline:
                continue
            tv = r.row(tvv, a) - tv_base if tv_base is not None else None
            ahead = np.zeros(len(r.years), dtype=np.int64)
            scr = self.scr      # sobol: per scramble and year, the paths ahead
            g_ahead = np.zeros((len(scr.whole), len(r.years))) if scr is not None else None
            rates, classes, paybacks, off = [], [], [], 0
            for fa, fb in r.path_blocks([(var, a), (var, r.baseline)]):
                d = fa - fb
                up = np.cumsum(d, axis=1) > 0
                ahead += np.count_nonzero(up, axis=0)
                if scr is not None:
                    np.add.at(g_ahead, scr.g[off:off + len(d)], up)
                rate, cls = hc.irr(d, None if tv is None else tv[off:off + len(d)], days)
                rates.append(rate)
                classes.append(cls)
                paybacks.append(hc.payback(d, days))
                off += len(d)
            rate, cls, pb = np.concatenate(rates), np.concatenate(classes), np.concatenate(paybacks)
            n = len(rate)
            if scr is None:
                beats[a] = [prob_est(int(k), n) for k in ahead]
            else:
                sh = g_ahead[scr.whole] / scr.m
                se = (sh.std(axis=0, ddof=1) / np.sqrt(scr.r) if scr.r >= 2
                      else np.full(len(r.years), np.nan))
                beats[a] = [share_se_est(int(k), n, float(e), scr.t) for k, e in zip(ahead, se)]
            npv_beats[a] = st[a]["p_beats"]
            rec = {"allocation": float(r.alloc[a]), "label": self.label(a), "n": n}
            for c, name in enumerate(("unique", "loses", "gains", "ambiguous")):
                put(rec, f"p_{name}", self.share(cls == c))
            defined = rate[~np.isnan(rate)]
            rec["n_defined"] = len(defined)
            # Over the paths with a defined IRR: with Sobol, Woodruff's
            # interval of that conditional distribution (hp_stats.quantiles_among).
            for p, q in zip(PROBS, quantiles_among(rate, ~np.isnan(rate), scr=self.scr)):
                put(rec, f"irr_q{round(100 * p):02d}", q)
            irecs.append(rec)
            prec = {"allocation": float(r.alloc[a]), "label": self.label(a), "n": n}
            put(prec, "p_payback", self.share(np.isfinite(pb)))
            for p, q in zip(PROBS, quantiles(pb, scr=self.scr)):
                put(prec, f"payback_q{round(100 * p):02d}", q)
            precs.append(prec)
            fin, fpb = defined[np.isfinite(defined)], pb[np.isfinite(pb)]
            nd = max(len(defined), 1)
            frows.append({"a": a, "irr_qg": np.quantile(fin, rf.QGRID) if len(fin) else None,
                          "p_minus": np.count_nonzero(defined == -np.inf) / nd,
                          "p_plus": np.count_nonzero(defined == np.inf) / nd,
                          "payback_qg": np.quantile(fpb, rf.QGRID) if len(fpb) else None,
                          "p_never": 1 - len(fpb) / max(n, 1)})
        rf.prob_beats(self, beats, npv_beats)
        b = self.base_label()
        tv_text = " plus the difference of terminal values at the horizon" if tv_base is not None else ""
        cols = ([Col("allocation", "text", ("label",))]
                + [Col(f"IRR {100 * p:g}%", "rate_ci", tuple(f"irr_q{round(100 * p):02d}{s}" for s in ("", "_lo", "_hi")),
                       False, IRR_INF) for p in PROBS]
                + [Col("no IRR: loses at every rate", "share_ci", ("p_loses", "p_loses_lo", "p_loses_hi")),
                   Col("no IRR: gains at every rate", "share_ci", ("p_gains", "p_gains_lo", "p_gains_hi")),
                   Col("ambiguous IRR", "share_ci", ("p_ambiguous", "p_ambiguous_lo", "p_ambiguous_hi"))])
        self.tables.append(Table(
            "irr", f"IRR of converting: incremental cash flows over {b}", cols, irecs,
            f"Per path, the rate that zeroes the NPV of net_cash_flow[f] - net_cash_flow[{b}] per year"
            f"{tv_text}, searched over {100 * hc.RATE_MIN:g}% to {100 * hc.RATE_MAX:g}% a year. Quantiles "
            "are over the paths with a defined IRR (one root where converting turns from paying to losing, "
            "or none because it loses, or gains, at every rate); paths with several roots or a "
            "financing-type root are ambiguous and left out (scripts/hp_cashflow.py)."))
        cols = ([Col("allocation", "text", ("label",)),
                 Col("pays back within the horizon", "share_ci", ("p_payback", "p_payback_lo", "p_payback_hi"))]
                + [Col(f"payback {100 * p:g}% (years)", "years_ci",
                       tuple(f"payback_q{round(100 * p):02d}{s}" for s in ("", "_lo", "_hi")), False, ("-inf", "never"))
                   for p in PROBS])
        self.tables.append(Table(
            "payback", f"Payback of converting: cumulative incremental cash flow over {b}", cols, precs,
            "Years from the start date until the cumulative undiscounted incremental cash flow first turns "
            "positive (interpolated within the year); \"never\" if it does not within the horizon. Quantiles "
            "over all paths, never counting as the longest."))
        rate = self.config.get("valuation.discount_rate")
        rf.irr_payback(self, frows, rate.value if rate is not None and isinstance(rate.value, float) else None,
                       r.n_days / 365.25 if r.n_days > 0 else r.horizon_years)

    # ---- assumptions ----------------------------------------------------------------------

    def assumptions_part(self):
        r = self.r
        if self.resolved is None:
            self.notes.append("Assumptions: the file holds no resolved configuration (/config/resolved).")
            return
        binary = hp_config.find_binary(self.args.hashpivot)
        if binary is None:
            self.notes.append("Assumptions: no hashpivot binary found to give the defaults (--hashpivot BIN, "
                              "$HASHPIVOT, build/hashpivot or PATH).")
            return
        try:
            dflt, version = hp_config.defaults(binary)
        except (OSError, ValueError, subprocess.SubprocessError) as e:
            self.notes.append(f"Assumptions: the defaults could not be read from {binary}: {e}")
            return
        recs = hp_config.assumptions(self.resolved, r.text_dataset("config/source"), r.command_line, dflt)
        note = f"Defaults: `hashpivot validate` of an empty config, {version}."
        if r.commit not in version:
            note += (f" The file was written by commit {r.commit}: a default changed in between also shows "
                     "here as a difference.")
        cols = [Col("key", "text", ("key",)), Col("value", "text", ("value",)), Col("default", "text", ("default",)),
                Col("unit", "text", ("unit",)), Col("set in", "text", ("set_in",)),
                Col("source (comment in the config)", "text", ("source_comment",))]
        self.tables.append(Table("assumptions", "Assumptions: keys that differ from the model's defaults",
                                 cols, recs, note))

    # ---- sensitivity and global sensitivity -----------------------------------------------

    def analysis_part(self):
        r = self.r
        for flag, read, draw in (("sensitivity", hp_analysis.sensitivity, tornado),
                                 ("gsa", hp_analysis.gsa, gsa_part)):
            path = getattr(self.args, flag)
            if path:
                with hp_analysis.AnalysisFile(path) as af:
                    g = read(af.f, path)
                    if g is None:
                        raise ResultsError(f"{path}: no /{flag} group")
                    desc = f"{path} ({int(af.f.attrs.get('n_paths', 0)):,} paths per run)"
                    out = draw(self, g, desc)
            else:
                g = read(r.f, r.path)
                if g is None:
                    continue
                out = draw(self, g, r.path)
            self.tables += out if isinstance(out, list) else [out]

    # ---- pages ------------------------------------------------------------------------------

    def meta(self):
        r = self.r
        return [("results file", r.path), ("config", f"{r.config_name} ({r.config_file})"),
                ("status", r.status), ("seed", str(r.seed)),
                ("paths", f"{r.n:,}" + ("" if r.n == r.n_paths else f" of {r.n_paths:,} written")),
                ("start, horizon", f"{r.start_date}, {r.horizon_years:g} years"),
                ("allocations", ", ".join(self.label(a) for a in range(len(r.alloc)))),
                ("written by", f"hashpivot {r.software} (commit {r.commit}), {r.created}")]

    def definitions(self, units):
        b, p = self.base_label(), f"{100 * ALPHA:g}%"
        return [
            f"Amounts in {units}. \"value ±x\": x is one Monte Carlo standard error; \"value [lo, hi]\": its 95% "
            "interval. Definitions as sim/stats.h: mean ± sd/sqrt(paths); quantiles by linear interpolation, "
            "interval between two order statistics (distribution-free); probabilities with Wilson's interval; "
            "CVaR's standard error from its influence function.",
        ] + ([
            f"Sampler sobol: the paths are scrambles of {self.r.qmc_points} quasi-random points, not "
            f"independent, so every error above is taken between the {self.scr.r} whole scrambles instead "
            "(scripts/hp_stats.py, as hashpivot info): mean, CVaR and shares ± sd(the scrambles' "
            "estimates)/sqrt(scrambles), intervals ± t se (Student's t with scrambles - 1 degrees of "
            "freedom), a share the same in every scramble with Wilson's interval; "
            "quantiles with Woodruff's interval (the order statistics at p ± t se of the scrambles' "
            "CDF at the estimate). The IRR quantiles, over the paths with a defined IRR only, too: the "
            "CDF there is a ratio (paths with IRR <= x over paths with a defined IRR), its se that of the "
            "linearised ratio between scrambles.",
        ] if self.scr is not None else []) + [
            f"P(loss): share of paths with NPV < 0. VaR {p} = -(5% quantile): the loss exceeded on {p} of "
            f"paths. CVaR {p}: the mean loss over the worst {p} of paths (expected shortfall). Positive means "
            "a loss; negative, that even the bad tail is a gain.",
            f"P(beats {b}): share of paths where NPV(f) > NPV({b}) on the same path.",
            "Each table's data, full precision, is in the CSV and JSON files named under it (report.json holds "
            "them all).",
        ]

    def markdown(self, units):
        out = [f"# hashpivot report: {self.r.config_name}", ""]
        out += [f"- **{k}**: {v}" for k, v in self.meta()] + [""]
        if self.r.status != "complete":
            out += ["**WARNING: incomplete results file; only the paths written are used.**", ""]
        for t in self.tables:
            out += [f"## {t.title}", ""] + t.markdown() + [""]
            if t.note:
                out += [t.note, ""]
            out += [f"Data: [{t.id}.csv]({t.id}.csv), [{t.id}.json]({t.id}.json)", ""]
        out += ["Definitions:", ""] + [f"- {d}" for d in self.definitions(units)] + [""]
        for name, title, caption in self.figs:
            out += [f"## {title}", "", f"![{title}]({name})", "", caption, ""]
        if self.notes:
            out += ["## Left out", ""] + [f"- {n}" for n in self.notes] + [""]
        return "\n".join(out)

    def html(self, units):
        e = html.escape
        css = ("body{font-family:sans-serif;max-width:1100px;margin:2em auto;color:#222}"
               "table{border-collapse:collapse;margin:1em 0;font-size:13px}"
               "td,th{border:1px solid #ccc;padding:3px 8px;text-align:right}"
               "td:first-child,th:first-child{text-align:left}th{background:#f2f2f2}"
               "img{max-width:100%}figure{margin:2em 0}figcaption{font-size:14px;color:#444}"
               ".note,.data{font-size:13px;color:#444}"
               ".warn{color:#a00;font-weight:bold}dt{font-weight:bold;float:left;width:9em}dd{margin-left:10em}")
        out = ["<!DOCTYPE html>", '<html lang="en"><head><meta charset="utf-8">',
               f"<title>hashpivot report: {e(self.r.config_name)}</title><style>{css}</style></head><body>",
               f"<h1>hashpivot report: {e(self.r.config_name)}</h1><dl>"]
        out += [f"<dt>{e(k)}</dt><dd>{e(v)}</dd>" for k, v in self.meta()] + ["</dl>"]
        if self.r.status != "complete":
            out.append('<p class="warn">Incomplete results file: only the paths written are used.</p>')
        for t in self.tables:
            out.append(f"<h2>{e(t.title)}</h2><table><tr>" + "".join(f"<th>{e(h)}</th>" for h in t.header) + "</tr>")
            out += ["<tr>" + "".join(f"<td>{e(c)}</td>" for c in row) + "</tr>" for row in t.rows()]
            out.append("</table>")
            if t.note:
                out.append(f'<p class="note">{e(t.note)}</p>')
            links = []
            for ext, mime, text in (("csv", "text/csv", t.csv_text()), ("json", "application/json", json_text(t.json_obj()))):
                data = base64.b64encode(text.encode("utf-8")).decode("ascii")
                links.append(f'<a download="{e(t.id)}.{ext}" href="data:{mime};base64,{data}">{e(t.id)}.{ext}</a>')
            out.append(f'<p class="data">Data: {", ".join(links)}</p>')
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
        units = r.units("valuation/npv")
        rf.fan_chart(self, "market/btc_price_end", "fan_btc_price.png", "BTC price")
        rf.fan_chart(self, "network/hashrate_end", "fan_hashrate.png", "Network hashrate")
        rf.fan_chart(self, "network/hashprice_mean", "fan_hashprice.png", "Hashprice")
        rf.revenue_by_year(self)
        st = self.npv_part()
        self.revenue_part()
        self.conversion_part(st)
        self.tables += policy_part(self)
        self.analysis_part()
        self.assumptions_part()
        for t in self.tables:
            write_atomic(os.path.join(self.dir, f"{t.id}.csv"), t.csv_text())
            write_atomic(os.path.join(self.dir, f"{t.id}.json"), json_text(t.json_obj()))
        meta = dict(self.meta())
        write_atomic(os.path.join(self.dir, "report.json"), json_text({
            "meta": meta, "tables": [t.json_obj() for t in self.tables],
            "figures": [{"file": n, "title": t, "caption": c} for n, t, c in self.figs], "left_out": self.notes}))
        write_atomic(os.path.join(self.dir, "report.md"), self.markdown(units))
        write_atomic(os.path.join(self.dir, "report.html"), self.html(units))
        return self.tables


def write_atomic(path, text):
    """Written under a temporary name, renamed when complete."""
    tmp = f"{path}.tmp.{os.getpid()}"
    with open(tmp, "w", encoding="utf-8", newline="") as fh:
        fh.write(text)
    os.replace(tmp, path)


def main(argv):
    ap = argparse.ArgumentParser(description="Figures, tables with errors, HTML and Markdown report of a "
                                             "hashpivot results file.")
    ap.add_argument("results", help="HDF5 results file written by `hashpivot run`")
    ap.add_argument("-o", "--outdir", help="output directory (default: RESULTS_report beside the file)")
    ap.add_argument("--sensitivity", metavar="FILE", help="analysis file of `hashpivot sensitivity`: the tornado")
    ap.add_argument("--gsa", metavar="FILE", help="analysis file of `hashpivot gsa`: Sobol and Morris figures")
    ap.add_argument("--hashpivot", metavar="BIN", help="hashpivot binary that gives the defaults "
                    "(default: $HASHPIVOT, build/hashpivot of this repository, or PATH)")
    args = ap.parse_args(argv)
    outdir = args.outdir or os.path.splitext(args.results)[0] + "_report"
    try:
        with Results(args.results) as res:
            if res.n == 0:
                raise ResultsError(f"{args.results}: no path written")
            for flag in ("sensitivity", "gsa"):     # refuse a bad analysis file before any output
                path = getattr(args, flag)
                if path:
                    with hp_analysis.AnalysisFile(path) as af:
                        if getattr(hp_analysis, flag)(af.f, path) is None:
                            raise ResultsError(f"{path}: no /{flag} group")
            if res.qmc_points and res.n // res.qmc_points < 2:
                print(f"report.py: WARNING: {args.results}: sampler sobol with fewer than 2 whole scrambles "
                      f"of {res.qmc_points} paths: no standard errors", file=sys.stderr)
            if res.status != "complete":
                print(f"report.py: WARNING: {args.results}: status {res.status}: only the {res.n} paths "
                      "written are used", file=sys.stderr)
            os.makedirs(outdir, exist_ok=True)
            rep = Report(res, outdir, args)
            tables = rep.run()
    except ResultsError as e:
        print(f"report.py: {e}", file=sys.stderr)
        return 1
    except OSError as e:   # the output directory or a figure cannot be written
        print(f"report.py: {outdir}: {e.strerror or e}", file=sys.stderr)
        return 1
    print(f"report.py: wrote {len(rep.figs)} figures, {len(tables)} tables (CSV and JSON), report.json, "
          f"report.md and report.html to {outdir}")
    print("\n".join(md_table(tables[0].header, tables[0].rows())))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
