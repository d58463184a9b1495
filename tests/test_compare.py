"""scripts/compare.py: two runs with the same seed and path count are
compared path by path (and it says so); otherwise as independent samples.
The printed differences and standard errors are checked against numbers
computed here directly from the files.
    test_compare.py HASHPIVOT_BINARY SOURCE_DIR"""
import math
import os
import re
import subprocess
import sys
import tempfile

import h5py
import numpy as np

from pycheck import check, done  # tests/ is the script's directory, so on sys.path

bin_, root = sys.argv[1], sys.argv[2]
compare = os.path.join(root, "scripts", "compare.py")


def run_sim(out, seed, n, *extra):
    subprocess.run([bin_, "run", os.path.join(root, "configs", "default.cfg"), "-n", str(n), "-s", str(seed),
                    "--quiet", "-o", out, *extra], check=True, stdout=subprocess.DEVNULL)


def parse_value(s):
    """"-$1.40B" -> (-1.40e9, half a unit of the last digit shown)."""
    m = re.fullmatch(r"(-?)\$?(\d+(?:\.\d+)?)([kMB]?)", s.strip())
    mult = {"": 1, "k": 1e3, "M": 1e6, "B": 1e9}[m.group(3)]
    digits = len(m.group(2).split(".")[1]) if "." in m.group(2) else 0
    return float(m.group(2)) * mult * (-1 if m.group(1) else 1), 0.5 * 10 ** -digits * mult


def first_table(out, title="## NPV"):
    """Body rows of the table under `title` (default: NPV) of compare.py's output."""
    lines = out.splitlines()
    start = next(i for i, l in enumerate(lines) if l.startswith(title))
    body = []
    for l in lines[start + 2:]:
        if not l.startswith("|"):
            if body:
                break
            continue
        body.append([c.strip() for c in l.strip("|").split("|")])
    return body[2:]


def npv(path):
    with h5py.File(path, "r") as f:
        return f["valuation/npv"][()]


def near(cell, want, what):
    v, tol = parse_value(cell)
    check(abs(v - want) <= tol * (1 + 1e-9), f"{what}: '{cell}' vs {want:.6g}")


def compare_run(a, b):
    p = subprocess.run([sys.executable, compare, a, b], capture_output=True, text=True)
    check(p.returncode == 0, f"compare.py {os.path.basename(a)} {os.path.basename(b)} exits 0 ({p.stderr.strip()})")
    return p.stdout


with tempfile.TemporaryDirectory() as tmp:
    a, b, c = (os.path.join(tmp, n) for n in ("a.h5", "b.h5", "c.h5"))
    run_sim(a, 5, 200)
    run_sim(b, 5, 200, "--set", "valuation.discount_rate=0.12")  # same draws, another rate
    run_sim(c, 6, 300)                                            # other draws

    # Paired: same seed and paths.
    out = compare_run(a, b)
    check("Paired comparison" in out and "Independent" not in out, "same seed and paths: paired, and says so")
    na, nb = npv(a), npv(b)
    rows = first_table(out)
    check(len(rows) == na.shape[0], "one row per allocation")
    for k, row in enumerate(rows):
        d = nb[k] - na[k]
        near(row[3], d.mean(), f"paired B - A, row {row[0]}")
        se = d.std(ddof=1) / math.sqrt(len(d))
        near(row[4], se, f"paired s.e., row {row[0]}")
        indep = math.sqrt(na[k].var(ddof=1) / len(d) + nb[k].var(ddof=1) / len(d))
        # Common random numbers: the paired error is far below the independent one.
        check(se < 0.5 * indep, f"paired s.e. {se:.3g} well below independent {indep:.3g}")
        check(row[6] == f"{100 * np.mean(d > 0):.1f}%", f"P(B > A) row {row[0]}: {row[6]}")

    # A file against itself: every difference is exactly zero.
    out = compare_run(a, a)
    check(all(r[3] == "$0.00" and r[4] == "$0.00" for r in first_table(out)), "a run against itself: zero")

    # Independent: seeds and path counts differ.
    out = compare_run(a, c)
    check("Independent comparison" in out and "Paired" not in out, "different seeds: independent, and says so")
    check("seeds differ (5 vs 6)" in out and "path counts differ" in out, "says why it is not paired")
    nc = npv(c)
    for k, row in enumerate(first_table(out)):
        near(row[3], nc[k].mean() - na[k].mean(), f"independent B - A, row {row[0]}")
        se = math.sqrt(na[k].var(ddof=1) / na.shape[1] + nc[k].var(ddof=1) / nc.shape[1])
        near(row[4], se, f"independent s.e., row {row[0]}")
        check(len(row) == 6, "no P(B > A) column without pairing")

    # Horizons differ: each file's per-year items are scaled by its own
    # horizon (B's mining revenue per year is not halved against A's).
    half = os.path.join(tmp, "half.h5")
    run_sim(half, 5, 200, "--set", "time.horizon_years=6.5")
    out = compare_run(a, half)
    for label, var in (("## Mining revenue per year", "totals/mining_revenue"),
                       ("## HPC revenue per year", "totals/hpc_revenue")):
        rows = first_table(out, label)
        with h5py.File(a, "r") as fa, h5py.File(half, "r") as fb:
            ya = fa[var][()] * 365.25 / fa.attrs["n_days"]
            yb = fb[var][()] * 365.25 / fb.attrs["n_days"]
        check(len(rows) == ya.shape[0], f"{label}: one row per allocation")
        for k, row in enumerate(rows):
            near(row[1], ya[k].mean(), f"{label} mean A, row {row[0]} (A's own horizon)")
            near(row[2], yb[k].mean(), f"{label} mean B, row {row[0]} (B's own horizon)")
            near(row[3], (yb[k] - ya[k]).mean(), f"{label} paired B - A per year, row {row[0]}")

    # A foreign file is refused.
    foreign = os.path.join(tmp, "foreign.h5")
    with h5py.File(foreign, "w") as f:
        f["x"] = np.zeros(3)
    p = subprocess.run([sys.executable, compare, a, foreign], capture_output=True, text=True)
    check(p.returncode == 1 and "not a hashpivot results file" in p.stderr, "compare.py refuses a foreign file")

done()
