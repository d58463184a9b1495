"""hp_results: read a hashpivot results file, one allocation at a time.

Shared by scripts/report.py and scripts/compare.py (Debian's python3 with
h5py, numpy and scipy). Everything is found from the file itself: the axes,
the baseline (0%) allocation, units and long names of every dataset.
The statistics and their errors are in hp_stats.py (the definitions of
sim/stats.h).

Memory is bounded whatever the path count: an [allocation, path] dataset is
read one allocation at a time (8 bytes a path: 8 MB at 10^6 paths); an
[allocation, path, year] dataset either one allocation at a time, when that
fits in READ_BUDGET_BYTES (128 MiB; 10^6 paths x 13 years = 104 MB), or else one year
at a time, or in blocks of paths (path_blocks).
"""
import math
import os

import h5py
import numpy as np

FILETYPE = "hashpivot-results"
FORMAT_MAJOR = 1
# Oldest minor read: format 1.0 files have unchecked HDF5 object headers
# (sim/resfile.h, docs/output.md), so a damaged one can mislead HDF5 itself.
FORMAT_MINOR_READ = 1
READ_BUDGET_BYTES = 128 << 20   # one read of a per-year dataset at most
BLOCK_PATHS = 8192              # paths per block in path_blocks


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


# ---- global heap collections ------------------------------------------------------
#
# Variable-length strings (every string attribute of a results file) live in
# HDF5 "global heap collections" (signature GCOL), the one part of the file
# format without a checksum. HDF5 1.10 reads an object of a collection through
# its object table without bounds checks (H5HG_read, H5HG__cache_heap_
# deserialize), so one damaged byte in a table can make a string read crash
# the process, or overrun a buffer, instead of failing. check_global_heaps()
# walks every collection's table the way HDF5 does, before HDF5 opens the
# file, and refuses a table that does not add up. It reads the whole file
# once, in 16 MiB blocks (about a second per GB from the page cache).

GCOL_HEADER = b"GCOL\x01\x00\x00\x00"   # signature, version 1, 3 reserved bytes
GCOL_MIN_SIZE = 4096                      # H5HG_MINSIZE
SCAN_BLOCK = 16 << 20


def _collection_fault(data):
    """Why the collection in data (its bytes, header first) is not
    consistent, or None. Lengths are 8 bytes (checked by the caller)."""
    end, p, seen = len(data), 16, set()
    max_idx = 2 * ((end - 16) // 16 + 2)
    while p < end:
        if p + 16 > end:                  # too small for a header: free space
            return None
        idx = int.from_bytes(data[p:p + 2], "little")
        size = int.from_bytes(data[p + 8:p + 16], "little")
        if idx == 0:
            need = size                   # the free-space object counts its header
            if need < 16:
                return f"free space of {size} bytes"
        else:
            if idx in seen or idx > max_idx:
                return f"object index {idx} repeated or out of range"
            seen.add(idx)
            need = 16 + (size + 7) // 8 * 8
        if p + need > end:
            return f"object {idx} of {size} bytes runs past the end"
        p += need
    return None


def check_global_heaps(path):
    """Raises ResultsError if a global heap collection of the file at path is
    inconsistent (see above). Files whose superblock does not use 8-byte
    lengths are not hashpivot files and are left to HDF5."""
    try:
        with open(path, "rb") as fh:
            head = fh.read(32)
            if head[:8] != b"\x89HDF\r\n\x1a\n":
                return
            lengths = head[10] if head[8] in (2, 3) else head[14] if head[8] in (0, 1) else 0
            if lengths != 8:
                return
            total = os.fstat(fh.fileno()).st_size
            pos = 0
            while pos < total:
                fh.seek(pos)
                data = fh.read(SCAN_BLOCK + len(GCOL_HEADER) - 1)
                i = data.find(GCOL_HEADER)
                while 0 <= i < SCAN_BLOCK:
                    start = pos + i
                    fh.seek(start + 8)
                    size = int.from_bytes(fh.read(8), "little")
                    if size < GCOL_MIN_SIZE or start + size > total:
                        raise ResultsError(f"{path}: damaged file: global heap at byte {start}: "
                                           f"size {size} does not fit the file")
                    fh.seek(start)
                    why = _collection_fault(fh.read(size))
                    if why:
                        raise ResultsError(f"{path}: damaged file: global heap at byte {start}: {why}")
                    i = data.find(GCOL_HEADER, i + 1)
                pos += SCAN_BLOCK
    except OSError as e:
        raise ResultsError(f"{path}: cannot read: {e.strerror or e}")


def open_checked(path, kind, owner):
    """Opens path read-only as a hashpivot `kind` file ("results",
    "analysis") into owner.f: a regular HDF5 file whose global heaps add
    up, then owner._check() (its checks of attributes and axes), with the
    file closed again if that fails. Every failure is one ResultsError
    naming the file."""
    if not os.path.exists(path):
        raise ResultsError(f"{path}: no such file")
    if not os.path.isfile(path):
        raise ResultsError(f"{path}: not a regular file")
    try:
        is_hdf5 = h5py.is_hdf5(path)
    except _READ_ERRORS as e:
        raise ResultsError(f"{path}: cannot read: {e}")
    if not is_hdf5:
        raise ResultsError(f"{path}: not a hashpivot {kind} file (not an HDF5 file)")
    check_global_heaps(path)
    try:
        f = h5py.File(path, "r")
    except _READ_ERRORS as e:
        raise ResultsError(f"{path}: cannot open as HDF5 (damaged or truncated file?): {e}")
    owner.f = f
    try:
        owner._check()
    except ResultsError:
        f.close()
        raise
    except _READ_ERRORS as e:
        f.close()
        raise ResultsError(f"{path}: damaged file: {e}")


class Results:
    """An open results file, checked on opening: every attribute and axis the
    scripts use has the type and shape a hashpivot file gives it. Datasets
    are read on demand, one at a time, and checked against the axes then."""

    def __init__(self, path):
        self.path = path
        open_checked(path, "results", self)

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
        if ver[0] != FORMAT_MAJOR or ver[1] < FORMAT_MINOR_READ:
            older = " (older files lack metadata checksums: run them again)" if ver[0] == FORMAT_MAJOR else ""
            raise ResultsError(f"{path}: format {ver[0]}.{ver[1]} is not supported "
                               f"(this script reads {FORMAT_MAJOR}.{FORMAT_MINOR_READ} to {FORMAT_MAJOR}.x){older}")
        self.format_version = ver
        self.seed = int(self._attr("seed", _is_int, "an integer"))
        self.n_paths = int(self._attr("n_paths", _is_int, "an integer"))
        if self.n_paths < 1:
            self._fail("attribute n_paths", f"{self.n_paths} is not a path count")
        text = lambda key, d: _text(self._attr(key, _is_text, "a string", default=d))  # noqa: E731
        # simulation.sampler = "sobol": paths come in scrambles of this many
        # (0: independent paths); errors that assume iid paths do not hold.
        self.qmc_points = int(self._attr("qmc_points", _is_int, "an integer", default=0))
        self.status = text("status", "missing")
        self.start_date = text("start_date", "?")
        self.config_file = text("config_file", "?")
        self.software = text("software_version", "?")
        self.commit = text("git_commit", "?")
        self.created = text("created", "?")
        self.n_days = int(self._attr("n_days", _is_int, "an integer", default=0))
        self.command_line = text("command_line", "")
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
        self.summary_paired = set()     # items compared path by path with the baseline
        for line in text("summary_items", "").splitlines():
            parts = line.split("|")
            if len(parts) == 4 and parts[3] == "paired":
                self.summary_paired.add(parts[1])
                parts = parts[:3]
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

    def _finite(self, name, x):
        """x, if every value is finite: a written path holds numbers only."""
        if not np.all(np.isfinite(x)):
            self._fail(name, "holds values that are not finite on written paths (damaged file?)")
        return x

    def scrambles(self):
        """The scramble layout of a quasi-Monte Carlo file (hp_stats.Scrambles
        over the written paths, in order), None for independent paths."""
        if not self.qmc_points:
            return None
        from hp_stats import Scrambles   # noqa: E402 (scipy only when needed)
        return Scrambles(np.flatnonzero(self.written), self.qmc_points)

    def row(self, name, a):
        """Allocation a of an [allocation, path] dataset, written paths only."""
        ds = self._check_alloc_path(name)
        return self._finite(name, self._read(name, ds, (a, slice(None)))[self.written])

    def _alloc_path_year(self, name):
        """An [allocation, path, year] or [path, year] dataset (second value:
        True if it has the allocation dimension)."""
        ds = self._dataset(name)
        ny = len(self.years)
        if ds.shape == (self.n_paths, ny):
            return ds, False
        if ds.shape == (len(self.alloc), self.n_paths, ny):
            return ds, True
        self._fail(name, f"expected a [path, year] or [allocation, path, year] array "
                   f"({self.n_paths} paths, {ny} years), got {ds.shape}")

    def year_columns(self, name, a=None):
        """Yields (k, values of year k over the written paths) of a [path,
        year] dataset or of allocation a of an [allocation, path, year] one:
        read whole when it fits in READ_BUDGET_BYTES, else year by year."""
        ds, by_alloc = self._alloc_path_year(name)
        head = (a,) if by_alloc else ()
        ny = len(self.years)
        if self.n_paths * ny * 8 <= READ_BUDGET_BYTES:
            x = self._finite(name, self._read(name, ds, head + (slice(None), slice(None)))[self.written, :])
            for k in range(ny):
                yield k, x[:, k]
        else:
            for k in range(ny):
                yield k, self._finite(name, self._read(name, ds, head + (slice(None), k))[self.written])

    def path_blocks(self, items, block=BLOCK_PATHS):
        """Yields, for blocks of paths in order, a list of [paths, year]
        arrays, one per (dataset, allocation) in items (written paths only;
        the allocation is ignored for a [path, year] dataset)."""
        sets = [(n, a) + self._alloc_path_year(n) for n, a in items]
        for p0 in range(0, self.n_paths, block):
            p1 = min(p0 + block, self.n_paths)
            keep = self.written[p0:p1]
            if not keep.any():
                continue
            out = []
            for n, a, ds, by_alloc in sets:
                sel = ((a,) if by_alloc else ()) + (slice(p0, p1), slice(None))
                out.append(self._finite(n, self._read(n, ds, sel)[keep, :]))
            yield out

    def text_dataset(self, name):
        """A scalar string dataset (e.g. config/resolved), or None if absent
        or not text."""
        node = self._node(name)
        if not isinstance(node, h5py.Dataset) or node.shape != () or node.dtype.kind not in "SO":
            return None
        try:
            v = node[()]
        except _READ_ERRORS as e:
            self._fail(name, f"cannot read (damaged file?): {e}")
        return _text(v) if isinstance(v, (bytes, str)) else None

    def alloc_label(self, a):
        return f"{100 * self.alloc[a]:g}%"


def fmt_value(v, money=True):
    """Three significant digits with a k/M/B suffix: "$12.3B", "-$450k",
    "0.12" (the same rule as `hashpivot info`). The rounding to three digits
    only chooses the suffix and the decimals; the value is rounded once,
    from v (0.305025 rounded to 0.305 and then to two decimals gave 0.30)."""
    if v is None or not math.isfinite(v):
        return "-" if v is None or math.isnan(v) else ("inf" if v > 0 else "-inf")
    a = float(f"{abs(v):.3g}")
    suffix, scale = "", 1.0
    for lim, s in ((1e9, "B"), (1e6, "M"), (1e3, "k")):
        if a >= lim:
            suffix, scale = s, lim
            break
    a /= scale
    dec = 0 if a >= 100 else 1 if a >= 10 else 2
    digits = f"{abs(v) / scale:.{dec}f}"
    sign = "-" if v < 0 and digits.strip("0.") else ""    # "0.00", never "-0.00"
    return f"{sign}{'$' if money else ''}{digits}{suffix}"


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
