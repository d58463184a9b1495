"""hp_results: read a hashpivot results file and compute its statistics.

Shared by scripts/report.py and scripts/compare.py (Debian's python3 with
h5py and numpy). Everything is found from the file itself: the axes, the
baseline (0%) allocation, units and long names of every dataset.

Statistics of one allocation's NPV over the paths (definitions used by the
report, the comparison and the README):
  mean, sd          sample mean and standard deviation (n - 1)
  se                Monte Carlo standard error of the mean, sd / sqrt(n)
  q05, q50, q95     quantiles, numpy's linear interpolation (as `hashpivot info`)
  p_loss            share of paths with NPV < 0
  var05             value at risk at 5%: -q05, the loss exceeded on 5% of paths
  cvar05            conditional VaR (expected shortfall) at 5%: minus the mean of
                    the worst 5% of outcomes, with the fractional weight of
                    Acerbi and Tasche (2002) on the boundary path, so it is
                    exact for any n; a positive value is a loss
  p_beats           share of paths where NPV(f) > NPV(baseline) on the same path
"""
import math
import os

import h5py
import numpy as np

FILETYPE = "hashpivot-results"
FORMAT_MAJOR = 1
ALPHA = 0.05  # tail probability of VaR and CVaR


class ResultsError(Exception):
    """A file that cannot be used: the message names the file and the cause."""


def _text(v):
    """An HDF5 string attribute or dataset as str (h5py may give bytes)."""
    if isinstance(v, bytes):
        return v.decode("utf-8", "replace")
    if isinstance(v, np.ndarray) and v.shape == ():
        return _text(v[()])
    return str(v)


class Results:
    """An open results file. Datasets are read on demand, one at a time."""

    def __init__(self, path):
        self.path = path
        if not os.path.isfile(path):
            raise ResultsError(f"{path}: no such file")
        if not h5py.is_hdf5(path):
            raise ResultsError(f"{path}: not a hashpivot results file (not an HDF5 file)")
        try:
            self.f = h5py.File(path, "r")
        except OSError as e:
            raise ResultsError(f"{path}: cannot open as HDF5 (damaged or truncated file?): {e}")
        a = self.f.attrs
        if _text(a.get("filetype", "")) != FILETYPE:
            self.f.close()
            raise ResultsError(f"{path}: not a hashpivot results file")
        ver = [int(x) for x in np.atleast_1d(a.get("format_version", [-1, -1]))]
        if ver[0] != FORMAT_MAJOR:
            self.f.close()
            raise ResultsError(f"{path}: format {ver[0]}.{ver[1]} is not supported "
                               f"(this script reads {FORMAT_MAJOR}.x)")
        self.format_version = ver
        self.seed = int(a["seed"])
        self.n_paths = int(a["n_paths"])
        self.status = _text(a.get("status", "missing"))
        self.baseline = int(a.get("baseline_allocation", -1))
        self.n_days = int(a.get("n_days", 0))
        self.horizon_years = float(a.get("horizon_years", float("nan")))
        self.start_date = _text(a.get("start_date", "?"))
        self.config_file = _text(a.get("config_file", "?"))
        self.software = _text(a.get("software_version", "?"))
        self.commit = _text(a.get("git_commit", "?"))
        self.created = _text(a.get("created", "?"))
        self.alloc = self.f["axes/allocation"][()].astype(float)
        self.years = self.f["axes/year"][()].astype(int)
        self.days_in_year = self.f["axes/days_in_year"][()].astype(int)
        self.summary_items = []
        for line in _text(a.get("summary_items", "")).splitlines():
            parts = line.split("|")
            if len(parts) == 3:
                self.summary_items.append((parts[0], parts[1], float(parts[2])))
        # Paths actually written (an incomplete file has NaN rows): a path is
        # written for every allocation at once, so NPV of allocation 0 tells.
        npv0 = self.f["valuation/npv"][0, :]
        self.written = np.isfinite(npv0)
        self.n = int(self.written.sum())

    def close(self):
        self.f.close()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()

    @property
    def config_name(self):
        base = os.path.basename(self.config_file)
        return base[:-4] if base.endswith(".cfg") else base

    def has(self, name):
        return name in self.f and isinstance(self.f[name], h5py.Dataset)

    def units(self, name):
        return _text(self.f[name].attrs.get("units", "?"))

    def long_name(self, name):
        return _text(self.f[name].attrs.get("long_name", name))

    def alloc_path(self, name):
        """An [allocation, path] dataset, written paths only."""
        return self.f[name][()][:, self.written].astype(float)

    def path_year(self, name, a=None):
        """[path, year] values: a [path, year] dataset, or allocation a of an
        [allocation, path, year] one (read as one slice)."""
        ds = self.f[name]
        x = ds[()] if ds.ndim == 2 else ds[a, :, :]
        return x[self.written, :].astype(float)

    def alloc_label(self, a):
        return f"{100 * self.alloc[a]:g}%"


def tail_mean(x, alpha=ALPHA):
    """Mean of the worst alpha share of x (Acerbi-Tasche: the boundary value
    gets the fractional weight, so exactly alpha * n values count)."""
    s = np.sort(np.asarray(x, dtype=float))
    m = alpha * len(s)
    k = int(math.floor(m))
    if m == 0:
        return float("nan")
    total = s[:k].sum() + (m - k) * (s[k] if k < len(s) else 0.0)
    return float(total / m)


def stats(x, base=None):
    """Statistics of one row of values (see the module docstring)."""
    x = np.asarray(x, dtype=float)
    n = len(x)
    sd = float(np.std(x, ddof=1)) if n > 1 else 0.0
    q05, q50, q95 = (float(v) for v in np.percentile(x, [5, 50, 95]))
    out = {
        "n": n, "mean": float(np.mean(x)), "sd": sd, "se": sd / math.sqrt(n) if n else float("nan"),
        "q05": q05, "q50": q50, "q95": q95, "p_loss": float(np.mean(x < 0)),
        "var05": -q05, "cvar05": -tail_mean(x), "p_beats": float("nan"),
    }
    if base is not None:
        out["p_beats"] = float(np.mean(x > base))
    return out


def fmt_value(v, money=True):
    """Three significant digits with a k/M/B suffix: "$12.3B", "-$450k",
    "0.12" (the same rule as `hashpivot info`)."""
    if v is None or not math.isfinite(v):
        return "-" if v is None or math.isnan(v) else ("inf" if v > 0 else "-inf")
    a = float(f"{abs(v):.3g}")
    suffix = ""
    for lim, s in ((1e9, "B"), (1e6, "M"), (1e3, "k")):
        if a >= lim:
            a /= lim
            suffix = s
            break
    dec = 0 if a >= 100 else 1 if a >= 10 else 2
    sign = "-" if v < 0 and a > 0 else ""
    return f"{sign}{'$' if money else ''}{a:.{dec}f}{suffix}"


def fmt_share(p):
    """A probability as a percentage with one decimal; "-" when undefined."""
    return "-" if p is None or not math.isfinite(p) else f"{100 * p:.1f}%"


def md_table(header, rows):
    """A Markdown table, first column left-aligned and the others right, as lines."""
    return (["| " + " | ".join(header) + " |",
             "|" + "|".join(["---"] + ["---:"] * (len(header) - 1)) + "|"]
            + ["| " + " | ".join(r) + " |" for r in rows])


def is_money(units):
    return units.startswith("USD")
