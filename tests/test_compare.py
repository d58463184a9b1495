"""scripts/compare.py: two runs with the same seed and path count are
compared path by path (and it says so); otherwise as independent samples.
Every printed number and its error (standard error, Wilson interval of
P(B > A), order-statistic intervals of the quantiles of B - A) is checked
against numbers computed here directly from the files with numpy and scipy;
--csv and --json parse, agree with each other and with the Markdown.
    test_compare.py HASHPIVOT_BINARY SOURCE_DIR"""
import csv
import json
import math
import os
import subprocess
import sys
import tempfile

import h5py
import numpy as np
from scipy.stats import norm

from pycheck import check, done  # tests/ is the script's directory, so on sys.path
from stats_ref import (agrees, check_table, csv_agrees_json, md_rows, parse_cell, ref_quantile,  # noqa: E402
                       wilson)

bin_, root = sys.argv[1], sys.argv[2]
compare = os.path.join(root, "scripts", "compare.py")


def run_sim(out, seed, n, *extra):
    subprocess.run([bin_, "run", os.path.join(root, "configs", "default.cfg"), "-n", str(n), "-s", str(seed),
                    "--quiet", "-o", out, *extra], check=True, stdout=subprocess.DEVNULL)


def npv(path):
    with h5py.File(path, "r") as f:
        return f["valuation/npv"][()]


def near(cell, kind, wants, what):
    for got, want in zip(parse_cell(kind, cell), wants):
        check(agrees(got, want), f"{what}: '{cell}' vs {want!r}")


def compare_run(a, b, *extra):
    p = subprocess.run([sys.executable, compare, a, b, *extra], capture_output=True, text=True)
    check(p.returncode == 0, f"compare.py {os.path.basename(a)} {os.path.basename(b)} exits 0 ({p.stderr.strip()})")
    return p.stdout


NPV = "NPV [USD] (valuation/npv)"

with tempfile.TemporaryDirectory() as tmp:
    a, b, c = (os.path.join(tmp, n) for n in ("a.h5", "b.h5", "c.h5"))
    run_sim(a, 5, 200)
    run_sim(b, 5, 200, "--set", "valuation.discount_rate=0.12")  # same draws, another rate
    run_sim(c, 6, 300)                                            # other draws

    # Paired: same seed and paths.
    js, cs = os.path.join(tmp, "ab.json"), os.path.join(tmp, "ab.csv")
    out = compare_run(a, b, "--json", js, "--csv", cs)
    check("Paired comparison" in out and "Independent" not in out, "same seed and paths: paired, and says so")
    na, nb = npv(a), npv(b)
    _, rows = md_rows(out, NPV)
    check(len(rows) == na.shape[0], "one row per allocation")
    for k, row in enumerate(rows):
        d = nb[k] - na[k]
        n = len(d)
        se = d.std(ddof=1) / math.sqrt(n)
        near(row[1], "pm", (na[k].mean(), na[k].std(ddof=1) / math.sqrt(n)), f"mean A ± se, row {row[0]}")
        near(row[2], "pm", (nb[k].mean(), nb[k].std(ddof=1) / math.sqrt(n)), f"mean B ± se, row {row[0]}")
        near(row[3], "pm", (d.mean(), se), f"paired B - A ± se, row {row[0]}")
        indep = math.sqrt(na[k].var(ddof=1) / n + nb[k].var(ddof=1) / n)
        # Common random numbers: the paired error is far below the independent one.
        check(se < 0.5 * indep, f"paired s.e. {se:.3g} well below independent {indep:.3g}")
        near(row[4], "z", (d.mean() / se,), f"z, row {row[0]}")
        pz = 2 * norm.sf(abs(d.mean() / se))
        check(row[5] == ("<0.001" if pz < 0.001 else f"{pz:.3f}"), f"p {row[5]} vs {pz:.4g}, row {row[0]}")
        near(row[6], "share_ci", wilson(np.count_nonzero(d > 0), n), f"P(B > A) [Wilson], row {row[0]}")
        for col, p in zip(row[7:10], (0.05, 0.5, 0.95)):
            near(col, "ci", ref_quantile(d, p), f"{p} quantile of B - A [interval], row {row[0]}")

    # The JSON and CSV: parse, hold every row, agree with each other and with the Markdown.
    with open(js) as fh:
        doc = json.load(fh)
    check(doc["paired"] is True and doc["a"]["seed"] == 5 and doc["b"]["paths"] == 200, "JSON metadata")
    records = [r for t in doc["tables"] for r in t["records"]]
    for t in doc["tables"]:
        check_table(out, t)
    with open(cs, newline="") as fh:
        csv_agrees_json(list(csv.DictReader(fh)), records, "compare --csv")
    first = doc["tables"][0]["records"][2]
    d = nb[2] - na[2]
    check(math.isclose(first["diff"], d.mean(), rel_tol=1e-12) and
          math.isclose(first["diff_se"], d.std(ddof=1) / math.sqrt(len(d)), rel_tol=1e-12),
          "JSON: paired mean and se at full precision")
    check(first["p_b_higher"] == np.count_nonzero(d > 0) / len(d), "JSON: P(B > A) exact")
    z = d.mean() / (d.std(ddof=1) / math.sqrt(len(d)))
    check(math.isclose(first["p"], 2 * norm.sf(abs(z)), rel_tol=1e-9), "JSON: p of the paired z, normal")

    # A file against itself: every difference is exactly zero.
    out = compare_run(a, a)
    check(all(r[3] == "$0.00 ±0.00" for r in md_rows(out, NPV)[1]), "a run against itself: zero")

    # Independent: seeds and path counts differ.
    out = compare_run(a, c, "--json", js)
    check("Independent comparison" in out and "Paired" not in out, "different seeds: independent, and says so")
    check("seeds differ (5 vs 6)" in out and "path counts differ" in out, "says why it is not paired")
    nc = npv(c)
    for k, row in enumerate(md_rows(out, NPV)[1]):
        se = math.sqrt(na[k].var(ddof=1) / na.shape[1] + nc[k].var(ddof=1) / nc.shape[1])
        near(row[3], "pm", (nc[k].mean() - na[k].mean(), se), f"independent B - A ± se, row {row[0]}")
        z = (nc[k].mean() - na[k].mean()) / se
        pz = 2 * norm.sf(abs(z))
        check(row[5] == ("<0.001" if pz < 0.001 else f"{pz:.3f}"), f"independent p {row[5]} vs {pz:.4g}")
        check(len(row) == 6, "no per-path columns without pairing")
    with open(js) as fh:
        doc = json.load(fh)
    check(doc["paired"] is False and doc["tables"][0]["records"][0]["p_b_higher"] is None,
          "JSON of an independent comparison: no P(B > A)")

    # Horizons differ: each file's per-year items are scaled by its own
    # horizon (B's mining revenue per year is not halved against A's).
    half = os.path.join(tmp, "half.h5")
    run_sim(half, 5, 200, "--set", "time.horizon_years=6.5")
    out = compare_run(a, half)
    for label, var in (("Mining revenue per year [USD] (totals/mining_revenue)", "totals/mining_revenue"),
                       ("HPC revenue per year [USD] (totals/hpc_revenue)", "totals/hpc_revenue")):
        _, rows = md_rows(out, label)
        with h5py.File(a, "r") as fa, h5py.File(half, "r") as fb:
            ya = fa[var][()] * 365.25 / fa.attrs["n_days"]
            yb = fb[var][()] * 365.25 / fb.attrs["n_days"]
        check(len(rows) == ya.shape[0], f"{label}: one row per allocation")
        for k, row in enumerate(rows):
            n = ya.shape[1]
            near(row[1], "pm", (ya[k].mean(), ya[k].std(ddof=1) / math.sqrt(n)), f"{var} mean A, row {row[0]}")
            near(row[2], "pm", (yb[k].mean(), yb[k].std(ddof=1) / math.sqrt(n)), f"{var} mean B, row {row[0]}")
            dd = yb[k] - ya[k]
            near(row[3], "pm", (dd.mean(), dd.std(ddof=1) / math.sqrt(n)), f"{var} paired B - A, row {row[0]}")

    # A foreign file is refused; an unwritable --json is one line.
    foreign = os.path.join(tmp, "foreign.h5")
    with h5py.File(foreign, "w") as f:
        f["x"] = np.zeros(3)
    p = subprocess.run([sys.executable, compare, a, foreign], capture_output=True, text=True)
    check(p.returncode == 1 and "not a hashpivot results file" in p.stderr, "compare.py refuses a foreign file")
    p = subprocess.run([sys.executable, compare, a, b, "--json", os.path.join(tmp, "no", "x.json")],
                       capture_output=True, text=True)
    check(p.returncode == 1 and len(p.stderr.strip().splitlines()) == 1 and "x.json" in p.stderr
          and p.stdout == "", f"an unwritable --json: one line ({p.stderr.strip()})")

done()
