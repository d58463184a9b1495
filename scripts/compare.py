#!/usr/bin/python3
"""compare: differences between two hashpivot runs, per allocation.

    scripts/compare.py A.h5 B.h5 [--var GROUP/NAME]...

Prints Markdown tables of B - A for each summary item of A (NPV, mining and
HPC revenue per year, ...) or for the [allocation, path] datasets given
with --var, one row per allocation present in both files.

- Paired, when both runs have the same seed and the same number of paths:
  path i draws the same random numbers in both runs (the draws depend only
  on seed, path and component), so B - A is taken path by path; the
  standard error is sd(B_i - A_i) / sqrt(n), usually far smaller than the
  independent one, and P(B > A) is the share of paths where B is higher.
- Independent otherwise: difference of the means, with standard error
  sqrt(sd_A^2 / n_A + sd_B^2 / n_B).
z = difference / standard error; |z| > 2 is unlikely (about 5%) when the
runs do not really differ. Runs on Debian's python3 (h5py, numpy).
"""
import argparse
import math
import os
import sys

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from hp_results import Results, ResultsError, fmt_share, fmt_value, is_money, md_table  # noqa: E402


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


def compare_var(a, b, var, scales, paired, pairs):
    """Rows of the table of one variable (strings), and the raw numbers;
    scales are A's and B's own factors for it."""
    xa, xb = a.alloc_path(var) * scales[0], b.alloc_path(var) * scales[1]
    money = is_money(a.units(var))
    rows, raw = [], []
    for i, j in pairs:
        va, vb = xa[i], xb[j]
        ma, mb = float(np.mean(va)), float(np.mean(vb))
        if paired:
            d = vb - va
            diff = float(np.mean(d))
            se = float(np.std(d, ddof=1)) / math.sqrt(len(d)) if len(d) > 1 else float("nan")
            p_more = float(np.mean(d > 0))
        else:
            diff = mb - ma
            se = math.sqrt(np.var(va, ddof=1) / len(va) + np.var(vb, ddof=1) / len(vb))
            p_more = float("nan")
        z = diff / se if se > 0 else (0.0 if diff == 0 else math.copysign(math.inf, diff))
        raw.append({"allocation": float(a.alloc[i]), "mean_a": ma, "mean_b": mb, "diff": diff,
                    "se": se, "z": z, "p_b_higher": p_more})
        row = [a.alloc_label(i), fmt_value(ma, money), fmt_value(mb, money), fmt_value(diff, money),
               fmt_value(se, money), "-" if math.isnan(z) else f"{z:+.2f}"]
        if paired:
            row.append(fmt_share(p_more))
        rows.append(row)
    return rows, raw


def main(argv):
    ap = argparse.ArgumentParser(description="Compare two hashpivot results files, per allocation.")
    ap.add_argument("a", help="results file A (the reference)")
    ap.add_argument("b", help="results file B")
    ap.add_argument("--var", action="append", default=[],
                    help="an [allocation, path] dataset to compare (repeatable; default: the summary items)")
    args = ap.parse_args(argv)
    try:
        with Results(args.a) as a, Results(args.b) as b:
            return report(a, b, args)
    except ResultsError as e:
        print(f"compare.py: {e}", file=sys.stderr)
        return 1


def report(a, b, args):
    """Prints the comparison of two open files; returns the exit status."""
    paired = a.seed == b.seed and a.n_paths == b.n_paths and np.array_equal(a.written, b.written)
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
    print("# hashpivot comparison: B - A\n")
    print(describe("A", a))
    print(describe("B", b))
    print()
    if paired:
        print(f"**Paired comparison**: both runs use seed {a.seed} and {a.n:,} paths, so path i "
              "sees the same random draws in A and B; differences are taken path by path "
              "(common random numbers) and the standard error is that of the mean paired "
              "difference. P(B > A) is the share of paths where B is higher.")
    else:
        why = []
        if a.seed != b.seed:
            why.append(f"seeds differ ({a.seed} vs {b.seed})")
        if a.n_paths != b.n_paths:
            why.append(f"path counts differ ({a.n_paths:,} vs {b.n_paths:,})")
        if not why:
            why.append("the paths written differ")
        print(f"**Independent comparison** ({'; '.join(why)}): the runs' paths are not paired, "
              "so the difference of means has standard error sqrt(sd_A²/n_A + sd_B²/n_B).")
    if len(pairs) != len(a.alloc) or len(pairs) != len(b.alloc):
        print(f"\nOnly the allocations in both files are compared: "
              f"{', '.join(a.alloc_label(i) for i, _ in pairs)}.")
    print("\nz = (B - A) / s.e.; |z| > 2 happens by chance about 5% of the time.")
    for label, var, scales in items:
        rows, _ = compare_var(a, b, var, scales, paired, pairs)
        header = ["allocation", "mean A", "mean B", "B - A", "s.e.", "z"] + (["P(B > A)"] if paired else [])
        print(f"\n## {label} [{a.units(var)}] ({var})\n")
        print("\n".join(md_table(header, rows)))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
