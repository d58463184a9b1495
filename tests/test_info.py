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

import h5py
import numpy as np

from pycheck import check, done  # tests/ is the script's directory, so on sys.path

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
        check(meta.get("format") == "hashpivot-results 1.0", f"format printed ({meta.get('format')})")
        check(a["software_version"] in meta.get("written by", ""), "software version printed")
        check(meta.get("config", "").startswith("default ("), f"config name printed ({meta.get('config')})")
    # The summary table follows, the same as `run` prints.
    check("NPV [USD]  (valuation/npv)" in p.stdout and "P(beats 0%)" in p.stdout, "summary table printed")
    check(p.stdout.count("\n    50% ") == 3, "a row per summary item for the 50% allocation")
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
