"""A reader who knows only the file: open a results file with h5py, find
its axes and datasets from attributes and dimension scales, check shapes,
units and status, then re-run the config embedded in the file and get the
same numbers. Run with Debian's /usr/bin/python3 (h5py, numpy)."""
import os
import subprocess
import sys
import tempfile

import h5py
import numpy as np

from pycheck import check, done  # tests/ is the script's directory, so on sys.path

bin_, root = sys.argv[1], sys.argv[2]


def run(cfg, out, *extra):
    subprocess.run([bin_, "run", cfg, "-o", out, "--quiet", *extra], check=True,
                   stdout=subprocess.DEVNULL)


def datasets(f):
    found = {}
    f.visititems(lambda name, obj: found.__setitem__(name, obj)
                 if isinstance(obj, h5py.Dataset) else None)
    return found


with tempfile.TemporaryDirectory() as tmp:
    a = os.path.join(tmp, "a.h5")
    run(os.path.join(root, "configs", "default.cfg"), a, "-n", "40", "-s", "11",
        "--set", "time.horizon_years=3.0")
    with h5py.File(a, "r") as f:
        attrs = f.attrs
        check(attrs["filetype"] == "hashpivot-results", "filetype attribute")
        check(list(attrs["format_version"]) [0] == 1, "format major version 1")
        check(attrs["status"] == "complete", "status complete")
        check(int(attrs["n_paths"]) == 40 and int(attrs["seed"]) == 11, "n_paths and seed")
        for key in ("software_version", "git_commit", "created", "start_date",
                    "horizon_years", "command_line"):
            check(key in attrs, f"root attribute {key}")
        n_alloc = f["axes/allocation"].shape[0]
        n_year = f["axes/year"].shape[0]
        days = f["axes/days_in_year"][()]
        check(n_year == 3 and days.sum() == round(3 * 365.25), "years and days")
        check(np.allclose(f["axes/allocation"][()], [0, 0.1, 0.2, 0.3, 0.5]), "allocations")
        for name, ds in datasets(f).items():
            if name.startswith("config") or name.startswith("axes") or "/" not in name or ds.attrs.get("CLASS") == b"DIMENSION_SCALE":
                continue
            check("units" in ds.attrs, f"{name} has units")
            dims = [d[0].name.split("/")[-1] if len(d) else None for d in ds.dims]
            expect = {"allocation": n_alloc, "path": 40, "year": n_year}
            for dim, size in zip(dims, ds.shape):
                check(dim is not None, f"{name}: every dimension has a scale")
                if dim in expect:
                    check(size == expect[dim], f"{name}: {dim} has length {size}")
            if not name.startswith("progress"):   # per block of paths: docs/output.md
                check("path" in dims, f"{name}: has a path dimension")
        npv = f["valuation/npv"]
        check(npv.shape == (n_alloc, 40), "npv shape [allocation, path]")
        check(npv.attrs["units"] == "USD", "npv in USD")
        total = f["totals/mining_revenue"][()]
        per_year = f["cashflow/mining_revenue"][()]
        check(np.allclose(total, per_year.sum(axis=2), rtol=1e-12), "totals are year sums")
        resolved = f["config/resolved"][()]
        resolved = resolved.decode() if isinstance(resolved, bytes) else resolved

    # Re-run the embedded, resolved config: same numbers, bit for bit.
    cfg = os.path.join(tmp, "embedded.cfg")
    with open(cfg, "w") as fh:
        fh.write(resolved)
    b = os.path.join(tmp, "b.h5")
    run(cfg, b)
    with h5py.File(a, "r") as fa, h5py.File(b, "r") as fb:
        for name, ds in datasets(fa).items():
            if name.startswith("config"):
                continue
            check(np.array_equal(ds[()], fb[name][()]), f"re-run reproduces {name}")

done()
