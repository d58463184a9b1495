"""`hashpivot info`: prints a good file's metadata and summary, and refuses,
with one clear line and a non-zero exit, a foreign HDF5 file, a truncated
results file, a file of an unknown format major version, and a file that
is not HDF5 at all.
    test_info.py HASHPIVOT_BINARY SOURCE_DIR"""
import os
import shutil
import subprocess
import sys
import tempfile

import math
import re

import h5py
import numpy as np

from pycheck import check, done  # tests/ is the script's directory, so on sys.path

sys.path.insert(0, os.path.join(sys.argv[2], "scripts"))
from hp_stats import sample_stats  # noqa: E402

bin_, root = sys.argv[1], sys.argv[2]


def info(path):
    return subprocess.run([bin_, "info", path], capture_output=True, text=True)


def refused(path, want, name):
    p = info(path)
    err = p.stderr.strip().splitlines()
    check(p.returncode == 1, f"{name}: exit status 1 (got {p.returncode})")
    check(p.stdout == "", f"{name}: nothing on stdout")
    check(len(err) == 1 and err[0].startswith(f"hashpivot: {path}: ") and want in err[0],
          f"{name}: one line naming the file and '{want}' (got {err})")


def fmt_value(v, money):
    """sim/summary_print.c's fmt_value: three significant digits, k/M/B; the
    three-digit rounding only chooses the suffix and the decimals."""
    if not math.isfinite(v):
        return "-" if math.isnan(v) else ("-inf" if v < 0 else "inf")
    a, suffix, scale = float("%.3g" % abs(v)), "", 1.0
    for lim, s in ((1e9, "B"), (1e6, "M"), (1e3, "k")):
        if a >= lim:
            suffix, scale = s, lim
            break
    a /= scale
    dec = 0 if a >= 100 else 1 if a >= 10 else 2
    digits = "%.*f" % (dec, abs(v) / scale)
    return "%s%s%s%s" % ("-" if v < 0 and digits.strip("0.") else "", "$" if money else "", digits, suffix)


def fmt_share(p):
    return "-" if math.isnan(p) else "%.1f%%" % (100 * p)


def cells(ests):
    """[(estimate, "[lo, hi]")] as the summary prints them; ests: (Est, money or None)."""
    out = []
    for e, money in ests:
        f = fmt_share if money is None else (lambda v, m=money: fmt_value(v, m))
        out.append((f(e.value), f"[{f(e.lo)}, {f(e.hi)}]"))
    return out


def printed_rows(text, title):
    """{allocation label: [(estimate, interval)]} of the block headed `title`."""
    lines = text.splitlines()
    start = next(i for i, line in enumerate(lines) if line.startswith(title))
    rows, i = {}, start + 2
    while i + 1 < len(lines) and lines[i].strip():
        vals = lines[i].split()
        cis = re.findall(r"\[[^\]]*\]", lines[i + 1])
        rows[vals[0]] = list(zip(vals[1:], cis))
        i += 2
    return rows


def check_intervals(path, text):
    """Every printed estimate and 95% interval equals scripts/hp_stats.py's on
    the same file, formatted the same way."""
    with h5py.File(path, "r") as f:
        items = [line.split("|") for line in f.attrs["summary_items"].splitlines() if line]
        alloc, base = f["allocation"][:], int(f.attrs["baseline_allocation"])
        labels = ["%.4g%%" % (100 * a) for a in alloc]
        for label, var, scale, *flags in items:
            x = f[var][:, :].astype(float) * float(scale)
            money = f[var].attrs["units"].startswith("USD")
            npv = flags == ["paired"]      # paired items get CVaR and the gain block
            units = f[var].attrs["units"]
            rows = printed_rows(text, f"{label} [{units}]  ({var})")
            for a, lab in enumerate(labels):
                s = sample_stats(x[a])
                want = [(s["mean"], money)] + [(q, money) for q in s["q"]]
                want += ([(s["cvar"], money)] if npv else []) + [(s["p_neg"], None)]
                check(rows.get(lab) == cells(want), f"{label} {lab}: printed {rows.get(lab)} == hp_stats.py {cells(want)}")
            if not npv:
                continue
            rows = printed_rows(text, f"{label} gain over {labels[base]}, same path")
            for a, lab in enumerate(labels):
                if a == base:
                    check(lab not in rows, f"gain: no row for the baseline {lab}")
                    continue
                g = sample_stats(x[a] - x[base])
                want = [(g["mean"], money)] + [(q, money) for q in g["q"]] + [(g["cvar"], money), (g["p_pos"], None)]
                check(rows.get(lab) == cells(want), f"gain {lab}: printed {rows.get(lab)} == hp_stats.py {cells(want)}")


with tempfile.TemporaryDirectory() as tmp:
    good = os.path.join(tmp, "run.h5")
    subprocess.run([bin_, "run", os.path.join(root, "configs", "default.cfg"), "-n", "200", "-s", "5",
                    "--quiet", "-o", good], check=True, stdout=subprocess.DEVNULL)

    p = info(good)
    check(p.returncode == 0 and p.stderr == "", f"good file: exit 0, quiet stderr ({p.stderr.strip()})")
    meta = {}
    for line in p.stdout.splitlines():
        if not line.strip():
            break
        key, _, value = line.partition("  ")
        meta[key.strip()] = value.strip()
    with h5py.File(good, "r") as f:
        a = f.attrs
        check(meta.get("seed") == str(int(a["seed"])), f"seed printed ({meta.get('seed')})")
        check(meta.get("paths") == "200", f"paths printed ({meta.get('paths')})")
        check(meta.get("status") == "complete", f"status printed ({meta.get('status')})")
        check(meta.get("format") == "hashpivot-results 1.1", f"format printed ({meta.get('format')})")
        check(a["software_version"] in meta.get("written by", ""), "software version printed")
        check(meta.get("config", "").startswith("default ("), f"config name printed ({meta.get('config')})")
    # The summary table follows, the same as `run` prints.
    check("NPV [USD]  (valuation/npv)" in p.stdout and "P(beats 0%)" in p.stdout, "summary table printed")
    check(p.stdout.count("\n    50% ") == 4, "a row per summary item and the gain for the 50% allocation")
    check_intervals(good, p.stdout)
    # 20 paths: too few for a finite lower end of the 5% quantile's interval
    small = os.path.join(tmp, "small.h5")
    run = subprocess.run([bin_, "run", os.path.join(root, "configs", "default.cfg"), "-n", "20", "-s", "7",
                          "-o", small], capture_output=True, text=True, check=True)
    check("[-inf, " in run.stdout, "20 paths: an open interval end printed as -inf")
    check_intervals(small, run.stdout)
    # The engine names no model dataset: what it prints comes from the file.
    check(meta.get("start date") == "2026-01-01", f"start date from the layout ({meta.get('start date')})")
    check(meta.get("per-year data") == "yes", f"per-year data found ({meta.get('per-year data')})")
    check(p.stdout.count("P(beats 0%)") == 1, "only the paired item (NPV) compares with 0% path by path")
    paired = os.path.join(tmp, "paired.h5")
    shutil.copy(good, paired)
    with h5py.File(paired, "a") as f:
        items = f.attrs["summary_items"]
        items = items.decode() if isinstance(items, bytes) else items
        f.attrs["summary_items"] = items.replace("totals/hpc_revenue|" + items.split("totals/hpc_revenue|")[1].split("\n")[0],
                                                 "totals/hpc_revenue|" + items.split("totals/hpc_revenue|")[1].split("\n")[0] + "|paired")
    q = info(paired)
    check(q.returncode == 0 and q.stdout.count("P(beats 0%)") == 2,
          f"an item marked paired in the file gets the paired column, whatever its name ({q.stderr.strip()})")
    totals = os.path.join(tmp, "totals.h5")
    subprocess.run([bin_, "run", os.path.join(root, "configs", "colocation_deal.cfg"), "-n", "20",
                    "--quiet", "--set", "output.per_year=false", "-o", totals], check=True, stdout=subprocess.DEVNULL)
    t = info(totals)
    check(t.returncode == 0 and "per-year data      no (totals only)" in t.stdout,
          "a totals-only file says so (no dataset along the year axis)")

    # Foreign HDF5 files: another program's, and one that mimics only the name.
    foreign = os.path.join(tmp, "foreign.h5")
    with h5py.File(foreign, "w") as f:
        f["temperature"] = np.linspace(0, 1, 50)
        f.attrs["title"] = "some other program's data"
    refused(foreign, "not a hashpivot results file", "foreign HDF5 file")
    lookalike = os.path.join(tmp, "lookalike.h5")
    with h5py.File(lookalike, "w") as f:
        f.attrs["filetype"] = "other-results"
    refused(lookalike, "not a hashpivot results file", "HDF5 file of another type")

    # Truncated copies: half the file, and only the first kilobyte.
    size = os.path.getsize(good)
    for frac, name in ((0.5, "half"), (1024 / size, "first 1 KiB")):
        cut = os.path.join(tmp, f"truncated_{name.replace(' ', '_')}.h5")
        shutil.copy(good, cut)
        os.truncate(cut, int(size * frac))
        refused(cut, "truncated", f"truncated file ({name})")

    # A newer format: major version 99.
    newer = os.path.join(tmp, "v99.h5")
    shutil.copy(good, newer)
    with h5py.File(newer, "a") as f:
        f.attrs.modify("format_version", np.array([99, 0], dtype="<i4"))
    refused(newer, "format 99.0 is not supported", "format version [99, 0]")

    text = os.path.join(tmp, "notes.h5")
    with open(text, "w") as fh:
        fh.write("not an HDF5 file\n")
    refused(text, "not a hashpivot results file (not an HDF5 file)", "text file")
    refused(os.path.join(tmp, "missing.h5"), "cannot open", "missing file")

    p = subprocess.run([bin_, "info"], capture_output=True, text=True)
    check(p.returncode == 2 and p.stderr.count("\n") == 1 and "hashpivot info --help" in p.stderr,
          "info without a file: one-line usage error naming info --help, exit 2")

done()
