"""hp_analysis: read the /sensitivity and /gsa groups (docs/output.md).

`hashpivot sensitivity` and `hashpivot gsa` write them into an analysis
file; the report also looks for them in the results file. Every dataset
used is checked against the group's axes, so a damaged or foreign file
gives one ResultsError naming the file and the dataset.
"""

import h5py
import numpy as np

from hp_results import FORMAT_MAJOR, ResultsError, _READ_ERRORS, _text, open_checked

FILETYPES = ("hashpivot-analysis", "hashpivot-results")


class AnalysisFile:
    """An HDF5 file that may hold /sensitivity or /gsa."""

    def __init__(self, path):
        self.path = path
        open_checked(path, "analysis", self)

    def _check(self):
        a = self.f.attrs
        if _text(a.get("filetype", "")) not in FILETYPES:
            raise ResultsError(f"{self.path}: not a hashpivot analysis file")
        ver = a.get("format_version")
        if not (isinstance(ver, np.ndarray) and ver.shape == (2,) and ver.dtype.kind in "iu"):
            raise ResultsError(f"{self.path}: attribute format_version: expected two integers")
        if int(ver[0]) != FORMAT_MAJOR:
            raise ResultsError(f"{self.path}: format {int(ver[0])}.{int(ver[1])} is not supported "
                               f"(this script reads {FORMAT_MAJOR}.x)")
        status = _text(a.get("status", "missing"))
        if status != "complete":
            raise ResultsError(f"{self.path}: status {status}: not a complete file")

    def close(self):
        self.f.close()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()


def _fail(path, what, msg):
    raise ResultsError(f"{path}: {what}: {msg}")


def _group(f, path, name):
    try:
        g = f[name] if name in f else None
    except _READ_ERRORS as e:
        _fail(path, name, f"cannot open (damaged file?): {e}")
    if g is not None and not isinstance(g, h5py.Group):
        _fail(path, name, "expected a group")
    return g


def _read(g, path, name, shape, kind="f"):
    """g[name] as an array of the given shape (kind "f": numbers, "s": strings)."""
    where = f"{g.name}/{name}".lstrip("/")
    try:
        if name not in g or not isinstance(g[name], h5py.Dataset):
            _fail(path, where, "missing dataset")
        ds = g[name]
        if ds.shape != tuple(shape):
            _fail(path, where, f"expected shape {tuple(shape)}, got {ds.shape}")
        if kind == "f":
            if ds.dtype.kind not in "iuf":
                _fail(path, where, f"expected numbers, got {ds.dtype}")
            return np.asarray(ds[()], dtype=float)
        if ds.dtype.kind not in "SO":
            _fail(path, where, f"expected strings, got {ds.dtype}")
        return [_text(v) for v in ds[()]]
    except _READ_ERRORS as e:
        _fail(path, where, f"cannot read (damaged file?): {e}")


def _axis_len(g, path, name, kind="f"):
    where = f"{g.name}/{name}".lstrip("/")
    try:
        ok = name in g and isinstance(g[name], h5py.Dataset) and g[name].ndim == 1
        n = len(g[name]) if ok else 0
    except _READ_ERRORS as e:
        _fail(path, where, f"cannot read (damaged file?): {e}")
    if not ok or n == 0:
        _fail(path, where, "missing axis")
    return n


def _attr(g, path, key, default=None):
    v = g.attrs.get(key, default)
    if v is None:
        _fail(path, f"{g.name} attribute {key}", "missing")
    try:
        return float(v)
    except (TypeError, ValueError):
        _fail(path, f"{g.name} attribute {key}", "expected a number")


def sensitivity(f, path):
    """The /sensitivity group as a dict of arrays, or None if absent."""
    g = _group(f, path, "sensitivity")
    if g is None:
        return None
    nk, nl, na = (_axis_len(g, path, n) for n in ("key", "level", "allocation"))
    out = {"keys": _read(g, path, "key", (nk,), "s"), "levels": _read(g, path, "level", (nl,), "s"),
           "allocation": _read(g, path, "allocation", (na,)), "unit": _read(g, path, "unit", (nk,), "s"),
           "value": _read(g, path, "value", (nk, nl))}
    if out["levels"] != ["low", "base", "high"]:
        _fail(path, "sensitivity/level", f"expected low, base, high, got {out['levels']}")
    base = int(_attr(g, path, "baseline_allocation", -1))
    stem = "gain" if 0 <= base < na else "npv"
    out["stem"], out["baseline"] = stem, base
    for name in ("mean", "mean_se", "change_mean", "change_se"):
        out[name] = _read(g, path, f"{stem}_{name}", (nk, nl, na))
    out["swing"] = _read(g, path, "gain_swing_mean", (nk, na))
    out["swing_se"] = _read(g, path, "gain_swing_se", (nk, na))
    t = _attr(g, path, "tornado_allocation", float(out["allocation"][-1]))
    hit = np.flatnonzero(np.isclose(out["allocation"], t, rtol=0, atol=1e-12))
    if len(hit) == 0:
        _fail(path, "sensitivity attribute tornado_allocation", f"{t} is not an allocation of the file")
    out["a"] = int(hit[0])
    return out


def gsa(f, path):
    """The /gsa group (its morris and sobol parts, each None if absent), or None."""
    g = _group(f, path, "gsa")
    if g is None:
        return None
    k = _axis_len(g, path, "input")
    out = {"inputs": _read(g, path, "input", (k,), "s"), "unit": _read(g, path, "unit", (k,), "s"),
           "statistic": _text(g.attrs.get("statistic", "the statistic")),
           "units": _text(g.attrs.get("units", "")), "morris": None, "sobol": None}
    m = _group(f, path, "gsa/morris")
    if m is not None:
        out["morris"] = {n: _read(m, path, n, (k,)) for n in ("mu", "mu_star", "mu_star_lo", "mu_star_hi", "sigma")}
        out["morris"]["trajectories"] = _attr(m, path, "trajectories", float("nan"))
    s = _group(f, path, "gsa/sobol")
    if s is not None:
        out["sobol"] = {n: _read(s, path, n, (k,)) for n in ("S1", "S1_lo", "S1_hi", "ST", "ST_lo", "ST_hi")}
        out["sobol"]["base_samples"] = _attr(s, path, "base_samples", float("nan"))
    if out["morris"] is None and out["sobol"] is None:
        _fail(path, "gsa", "holds neither morris nor sobol")
    return out
