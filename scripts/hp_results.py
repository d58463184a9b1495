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


def _is_text(v):
    return isinstance(v, (str, bytes)) or (
        isinstance(v, np.ndarray) and v.shape == () and v.dtype.kind in "SUO")


def _is_int(v):
    return isinstance(v, (int, np.integer)) and not isinstance(v, (bool, np.bool_)) or (
        isinstance(v, np.ndarray) and v.shape == () and v.dtype.kind in "iu")


def _is_real(v):
    return _is_int(v) or isinstance(v, (float, np.floating)) or (
        isinstance(v, np.ndarray) and v.shape == () and v.dtype.kind == "f")


def _kind(v):
    """What an attribute value is, in words, for "expected X, got Y"."""
    if isinstance(v, np.ndarray) and v.shape != ():
        return f"an array of shape {v.shape}"
    if _is_text(v):
        return "a string"
    if _is_int(v):
        return "an integer"
    if _is_real(v):
        return "a number"
    return f"a {type(v).__name__}"


# Errors h5py and numpy raise on a damaged or foreign file: each becomes a
# ResultsError naming the file, so the scripts answer with one line.
_READ_ERRORS = (OSError, KeyError, ValueError, TypeError, IndexError, RuntimeError)


class Results:
    """An open results file, checked on opening: every attribute and axis the
    scripts use has the type and shape a hashpivot file gives it. Datasets
    are read on demand, one at a time, and checked against the axes then."""

    def __init__(self, path):
        self.path = path
        if not os.path.exists(path):
            raise ResultsError(f"{path}: no such file")
        if not os.path.isfile(path):
            raise ResultsError(f"{path}: not a regular file")
        try:
            is_hdf5 = h5py.is_hdf5(path)
        except _READ_ERRORS as e:
            raise ResultsError(f"{path}: cannot read: {e}")
        if not is_hdf5:
            raise ResultsError(f"{path}: not a hashpivot results file (not an HDF5 file)")
        try:
            self.f = h5py.File(path, "r")
        except _READ_ERRORS as e:
            raise ResultsError(f"{path}: cannot open as HDF5 (damaged or truncated file?): {e}")
        try:
            self._check()
        except ResultsError:
            self.f.close()
            raise
        except _READ_ERRORS as e:
            self.f.close()
            raise ResultsError(f"{path}: damaged file: {e}")

    def _fail(self, what, msg):
        raise ResultsError(f"{self.path}: {what}: {msg}")

    def _attr(self, key, test, expected, default=None):
        """Attribute `key` if test(value) holds; default when absent (None:
        required)."""
        a = self.f.attrs
        if key not in a:
            if default is None:
                self._fail(f"attribute {key}", "missing (not a complete hashpivot results file)")
            return default
        v = a[key]
        if not test(v):
            self._fail(f"attribute {key}", f"expected {expected}, got {_kind(v)}")
        return v

    def _axis(self, name, kind):
        """A 1-D axis dataset of numbers (kind "i": integers)."""
        if name not in self.f or not isinstance(self.f[name], h5py.Dataset):
            self._fail(name, "missing axis dataset (not a hashpivot results file?)")
        ds = self.f[name]
        if ds.ndim != 1 or ds.dtype.kind not in ("iu" if kind == "i" else "iuf") or len(ds) == 0:
            self._fail(name, f"expected a non-empty 1-D array of numbers, got {ds.dtype} {ds.shape}")
        x = ds[()]
        if not np.all(np.isfinite(x)):
            self._fail(name, "holds values that are not finite")
        return x

    def _check(self):
        path = self.path
        if _text(self._attr("filetype", lambda v: True, "", default="")) != FILETYPE:
            raise ResultsError(f"{path}: not a hashpivot results file")
        ver = self._attr("format_version",
                         lambda v: isinstance(v, np.ndarray) and v.shape == (2,) and v.dtype.kind in "iu",
                         "two integers")
        ver = [int(x) for x in ver]
        if ver[0] != FORMAT_MAJOR:
            raise ResultsError(f"{path}: format {ver[0]}.{ver[1]} is not supported "
                               f"(this script reads {FORMAT_MAJOR}.x)")
        self.format_version = ver
        self.seed = int(self._attr("seed", _is_int, "an integer"))
        self.n_paths = int(self._attr("n_paths", _is_int, "an integer"))
        if self.n_paths < 1:
            self._fail("attribute n_paths", f"{self.n_paths} is not a path count")
        text = lambda key, d: _text(self._attr(key, _is_text, "a string", default=d))  # noqa: E731
        self.status = text("status", "missing")
        self.start_date = text("start_date", "?")
        self.config_file = text("config_file", "?")
        self.software = text("software_version", "?")
        self.commit = text("git_commit", "?")
        self.created = text("created", "?")
        self.n_days = int(self._attr("n_days", _is_int, "an integer", default=0))
        self.horizon_years = float(self._attr("horizon_years", _is_real, "a number", default=float("nan")))
        self.alloc = self._axis("axes/allocation", "f").astype(float)
        self.years = self._axis("axes/year", "i").astype(int)
        self.days_in_year = self._axis("axes/days_in_year", "i").astype(int)
        if len(self.days_in_year) != len(self.years):
            self._fail("axes/days_in_year", f"{len(self.days_in_year)} values for {len(self.years)} years")
        self.baseline = int(self._attr("baseline_allocation", _is_int, "an integer", default=-1))
        if not -1 <= self.baseline < len(self.alloc):
            self._fail("attribute baseline_allocation",
                       f"{self.baseline} is not an allocation index (0 to {len(self.alloc) - 1}, or -1)")
        self.summary_items = []
        for line in text("summary_items", "").splitlines():
            parts = line.split("|")
            if len(parts) != 3:
                continue
            try:
                scale = float(parts[2])
            except ValueError:
                self._fail("attribute summary_items", f"'{parts[2]}' is not a number in '{line}'")
            self._check_alloc_path(parts[1])
            self.summary_items.append((parts[0], parts[1], scale))
        # Paths actually written (an incomplete file has NaN rows): a path is
        # written for every allocation at once, so NPV of allocation 0 tells.
        npv0 = self._read("valuation/npv", self._check_alloc_path("valuation/npv"), (0, slice(None)))
        self.written = np.isfinite(npv0)
        self.n = int(self.written.sum())

    def _node(self, name):
        """The object at `name`, or None; a damaged object names itself."""
        try:
            return self.f[name] if name in self.f else None
        except _READ_ERRORS as e:
            self._fail(name, f"cannot open (damaged file?): {e}")

    def _dataset(self, name):
        ds = self._node(name)
        if not isinstance(ds, h5py.Dataset):
            self._fail(name, "no such dataset")
        if ds.dtype.kind not in "iuf":
            self._fail(name, f"expected numbers, got {ds.dtype}")
        return ds

    def _check_alloc_path(self, name):
        ds = self._dataset(name)
        want = (len(self.alloc), self.n_paths)
        if ds.shape != want:
            self._fail(name, f"expected an [allocation, path] array of shape {want}, got {ds.shape}")
        return ds

    def _read(self, name, ds, sel=()):
        """ds[sel] as floats; a read error names the dataset."""
        try:
            return np.asarray(ds[sel], dtype=float)
        except _READ_ERRORS as e:
            self._fail(name, f"cannot read (damaged file?): {e}")

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
        return isinstance(self._node(name), h5py.Dataset)

    def ndim(self, name):
        return self._dataset(name).ndim

    def _text_attr(self, name, key, default):
        try:
            v = self._dataset(name).attrs.get(key, default)
        except _READ_ERRORS as e:
            self._fail(name, f"cannot read attribute {key} (damaged file?): {e}")
        return _text(v) if _is_text(v) else default

    def units(self, name):
        return self._text_attr(name, "units", "?")

    def long_name(self, name):
        return self._text_attr(name, "long_name", name)

    def alloc_path(self, name):
        """An [allocation, path] dataset, written paths only."""
        return self._read(name, self._check_alloc_path(name))[:, self.written]

    def path_year(self, name, a=None):
        """[path, year] values: a [path, year] dataset, or allocation a of an
        [allocation, path, year] one (read as one slice)."""
        ds = self._dataset(name)
        ny = len(self.years)
        if ds.shape == (self.n_paths, ny):
            x = self._read(name, ds)
        elif ds.shape == (len(self.alloc), self.n_paths, ny):
            x = self._read(name, ds, (a, slice(None), slice(None)))
        else:
            self._fail(name, f"expected a [path, year] or [allocation, path, year] array "
                       f"({self.n_paths} paths, {ny} years), got {ds.shape}")
        return x[self.written, :]

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
