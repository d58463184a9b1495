#!/usr/bin/python3
"""compare: differences between two hashpivot runs, per allocation, with errors.

    scripts/compare.py A.h5 B.h5 [--var GROUP/NAME]... [--csv FILE] [--json FILE]

Prints Markdown tables of B - A for each summary item of A (NPV, mining and
HPC revenue per year, ...) or for the [allocation, path] datasets given
with --var, one row per allocation present in both files. Every number
carries its error: means and B - A as value ± standard error, probabilities
and quantiles with their 95% intervals (definitions: scripts/hp_stats.py,
the same as sim/stats.h).

- Paired, when both runs have the same seed and the same paths: path i
  draws the same random numbers in both runs (the draws depend only on
  seed, path and component), so B - A is taken path by path: its mean, the
  standard error sd(B_i - A_i) / sqrt(n) (usually far below the
  independent one), P(B > A) = the share of paths where B is higher
  (Wilson interval), and the 5/50/95% quantiles of B_i - A_i with their
  order-statistic intervals.
- Independent otherwise: difference of the means, with standard error
  sqrt(se_A^2 + se_B^2) (se = sd / sqrt(n) for a pseudo-random file) and
  interval +-1.96 se; per-path statistics do not exist. If either file
  is a Sobol file its se rests on few scrambles, and the interval is +-t se
  with Student's t at the Welch-Satterthwaite degrees of freedom
  (diff_df in --csv/--json; hp_stats.diff_independent).
z = difference / standard error, and p the probability of a |z| at least
as large if the runs do not really differ: from the normal distribution,
or from Student's t at the degrees of freedom the interval uses (a Sobol
file's R - 1, or Welch's) - so p < 0.05 exactly when 0 is outside the
95% interval.
- Quasi-Monte Carlo files (sampler sobol, root attribute qmc_points): the
  paths of a scramble are not independent, so each such file's errors are
  taken between its whole scrambles, as `hashpivot info` does (mean and
  shares +- sd(per-scramble estimates) / sqrt(scrambles), quantiles with
  Woodruff's interval; scripts/hp_stats.py). Two files are paired only if
  they also have the same sampler and points per scramble (a pseudo and a
  sobol run of one seed draw different shocks on path i). --csv and --json write every row at full
precision (the JSON also holds both files' metadata and the columns).
Files are read one allocation at a time. Runs on Debian's python3 (h5py,
numpy, scipy).
"""
import argparse
import math
import os
import sys

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from hp_results import Results, ResultsError, is_money  # noqa: E402
from hp_stats import PROBS, diff_independent, mean_between, p_two_sided, sample_stats, t975  # noqa: E402
from hp_table import Col, Table, json_text  # noqa: E402


def describe(tag, r):
    return (f"- **{tag}**: {r.path} (config {r.config_name}, seed {r.seed}, {r.n:,} paths, "
            f"status {r.status}, hashpivot {r.software} {r.commit})")


def common_allocations(a, b):
    """Pairs (index in A, index in B) of the allocations both files hold."""
    pairs = []
    for i, x in enumerate(a.alloc):
        j = np.flatnonzero(np.isclose(b.alloc, x, rtol=0, atol=1e-12))
        if len(j):
            pairs.append((i, int(j[0])))
    return pairs


def own_scale(r, var, default):
    """The factor file r's own summary applies to var: "per year" items are
    totals times 365.25 / (r's days), so each file is scaled by its own
    horizon (a 6.5-year run against a 13-year one)."""
    for _, v, s in r.summary_items:
        if v == var:
            return s
    return default


def _put(rec, key, est):
    rec[key], rec[f"{key}_se"], rec[f"{key}_lo"], rec[f"{key}_hi"] = (float(v) for v in est)


def compare_var(a, b, label, var, scales, paired, pairs):
    """One record per allocation pair (full precision); scales are A's and
    B's own factors for var. Reads one allocation of each file at a time."""
    units = a.units(var)
    records = []
    scr_a, scr_b = a.scrambles(), b.scrambles()    # sobol: errors between scrambles
    for i, j in pairs:
        va, vb = a.row(var, i) * scales[0], b.row(var, j) * scales[1]
        ma = mean_between(va, scr_a)
        mb = mean_between(vb, scr_b)
        rec = {"item": label, "variable": var, "units": units, "allocation": float(a.alloc[i]),
               "allocation_label": a.alloc_label(i), "paired": paired, "n_a": len(va), "n_b": len(vb)}
        _put(rec, "mean_a", ma)
        _put(rec, "mean_b", mb)
        nan = float("nan")
        if paired:
            st = sample_stats(vb - va, scr=scr_a)   # paired: the same layout
            df = scr_a.r - 1 if scr_a is not None else math.inf
            _put(rec, "diff", st["mean"])
            rec["diff_sd"] = st["sd"]
            _put(rec, "p_b_higher", st["p_pos"])
            for p, q in zip(PROBS, st["q"]):
                _put(rec, f"diff_q{round(100 * p):02d}", q)
        else:
            # A pseudo-random file's se is iid (normal: df inf); a Sobol file's
            # is between its R whole scrambles (R - 1 df): Welch's t then.
            dfs = [scr.r - 1 if scr is not None else math.inf for scr in (scr_a, scr_b)]
            est, df = diff_independent(ma, dfs[0], mb, dfs[1])
            _put(rec, "diff", est)
            rec["diff_df"] = df if math.isfinite(df) else nan
            rec["diff_sd"] = nan
            _put(rec, "p_b_higher", (nan,) * 4)
            for p in PROBS:
                _put(rec, f"diff_q{round(100 * p):02d}", (nan,) * 4)
        diff, se = rec["diff"], rec["diff_se"]
        if math.isnan(se):                            # a Sobol file of fewer than 2 scrambles
            rec["z"] = nan
        else:
            rec["z"] = diff / se if se > 0 else (0.0 if diff == 0 else math.copysign(math.inf, diff))
        rec["p"] = p_two_sided(rec["z"], df)
        records.append(rec)
    return records


def var_table(a, label, var, records, paired):
    money = is_money(a.units(var))
    cols = [Col("allocation", "text", ("allocation_label",)),
            Col("mean A", "pm", ("mean_a", "mean_a_se"), money),
            Col("mean B", "pm", ("mean_b", "mean_b_se"), money),
            Col("B - A", "pm", ("diff", "diff_se"), money),
            Col("z", "z", ("z",)), Col("p", "p", ("p",))]
    if paired:
        cols.append(Col("P(B > A)", "share_ci", ("p_b_higher", "p_b_higher_lo", "p_b_higher_hi")))
        for p in PROBS:
            k = f"diff_q{round(100 * p):02d}"
            cols.append(Col(f"{100 * p:g}% of B - A", "ci", (k, f"{k}_lo", f"{k}_hi"), money))
    return Table(var.replace("/", "_"), f"{label} [{a.units(var)}] ({var})", cols, records)


def meta(r):
    return {"path": r.path, "config": r.config_name, "seed": r.seed, "paths": r.n, "status": r.status,
            "software_version": r.software, "git_commit": r.commit}


def main(argv):
    ap = argparse.ArgumentParser(description="Compare two hashpivot results files, per allocation.")
    ap.add_argument("a", help="results file A (the reference)")
    ap.add_argument("b", help="results file B")
    ap.add_argument("--var", action="append", default=[],
                    help="an [allocation, path] dataset to compare (repeatable; default: the summary items)")
    ap.add_argument("--csv", metavar="FILE", help="also write every row, full precision, as CSV")
    ap.add_argument("--json", metavar="FILE", help="also write the comparison as JSON")
    args = ap.parse_args(argv)
    try:
        with Results(args.a) as a, Results(args.b) as b:
            return report(a, b, args)
    except ResultsError as e:
        print(f"compare.py: {e}", file=sys.stderr)
        return 1


def write_atomic(path, text):
    """Written under a temporary name, renamed when complete; an error is one line."""
    tmp = f"{path}.tmp.{os.getpid()}"
    try:
        with open(tmp, "w", encoding="utf-8", newline="") as fh:
            fh.write(text)
        os.replace(tmp, path)
    except OSError as e:
        try:
            os.unlink(tmp)
        except OSError:
            pass
        raise ResultsError(f"{path}: cannot write: {e.strerror or e}")


def report(a, b, args):
    """Prints the comparison of two open files; returns the exit status."""
    paired = (a.seed == b.seed and a.n_paths == b.n_paths and a.qmc_points == b.qmc_points
              and np.array_equal(a.written, b.written))
    pairs = common_allocations(a, b)
    if not pairs:
        print("compare.py: the files share no allocation", file=sys.stderr)
        return 1
    items = [(v, v, (1.0, 1.0)) for v in args.var]
    for label, var, s in a.summary_items if not args.var else []:
        sb = own_scale(b, var, None)
        if sb is None:
            print(f"compare.py: {b.path}: its summary has no item {var} to scale it by", file=sys.stderr)
            return 1
        items.append((label, var, (s, sb)))
    for label, var, _ in items:
        for r in (a, b):
            if not r.has(var) or r.ndim(var) != 2:
                print(f"compare.py: {r.path}: {var}: no such [allocation, path] dataset", file=sys.stderr)
                return 1
    why = []
    if not paired:
        if a.seed != b.seed:
            why.append(f"seeds differ ({a.seed} vs {b.seed})")
        if a.n_paths != b.n_paths:
            why.append(f"path counts differ ({a.n_paths:,} vs {b.n_paths:,})")
        if a.qmc_points != b.qmc_points:
            why.append("samplers differ (" + " vs ".join(
                f"sobol, {r.qmc_points} points per scramble" if r.qmc_points else "pseudo" for r in (a, b)) + ")")
        if not why:
            why.append("the paths written differ")
    tables = [var_table(a, label, var, compare_var(a, b, label, var, scales, paired, pairs), paired)
              for label, var, scales in items]
    # The machine-readable files first: a write error leaves stdout empty.
    if args.csv:
        rows = Table("comparison", "comparison", [], [r for t in tables for r in t.records])
        write_atomic(args.csv, rows.csv_text())
    if args.json:
        write_atomic(args.json, json_text({"a": meta(a), "b": meta(b), "paired": paired,
                                           "independent_because": why,
                                           "tables": [t.json_obj() for t in tables]}))
    print("# hashpivot comparison: B - A\n")
    print(describe("A", a))
    print(describe("B", b))
    print()
    if paired:
        print(f"**Paired comparison**: both runs use seed {a.seed} and {a.n:,} paths, so path i "
              "sees the same random draws in A and B; differences are taken path by path "
              "(common random numbers) and the standard error is that of the mean paired "
              "difference. P(B > A) is the share of paths where B is higher; the last columns "
              "are quantiles of B - A over paths.")
    else:
        print(f"**Independent comparison** ({'; '.join(why)}): the runs' paths are not paired, "
              "so the difference of means has standard error sqrt(se_A² + se_B²) (se = sd/sqrt(n) for a "
              "pseudo-random file)" + (", its 95% interval ± t se with Student's t at the Welch-Satterthwaite "
              "degrees of freedom (a Sobol file's se rests on few scrambles)." if a.qmc_points or b.qmc_points
              else ", its 95% interval ± 1.96 se."))
    if len(pairs) != len(a.alloc) or len(pairs) != len(b.alloc):
        print(f"\nOnly the allocations in both files are compared: "
              f"{', '.join(a.alloc_label(i) for i, _ in pairs)}.")
    for tag, r in (("A", a), ("B", b)):
        if r.qmc_points:
            whole = r.n // r.qmc_points
            print(f"\n**Sampler sobol** ({tag}: {r.qmc_points} points per scramble, {whole} whole "
                  "scrambles): its paths are not independent, so its errors are taken between scrambles "
                  "(mean and shares: ± sd of the scrambles' estimates / sqrt(scrambles), intervals ± t se "
                  f"with t = {t975(whole - 1):.3f}, Student's for {whole - 1} degrees of freedom, a share the "
                  "same in every scramble with Wilson's interval; quantiles: Woodruff's interval)."
                  + (" With fewer than 2 whole scrambles there is no error." if whole < 2 else ""))
    print("\n± is one standard error; [lo, hi] a 95% interval (Wilson for probabilities, two order "
          "statistics for quantiles). z = (B - A) / s.e.; p is the chance of a |z| at least this large if "
          "the runs do not differ (normal, or Student's t at the interval's degrees of freedom): p < 0.05 "
          "exactly when the 95% interval of B - A excludes 0.")
    for t in tables:
        print(f"\n## {t.title}\n")
        print("\n".join(t.markdown()))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
