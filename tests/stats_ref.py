"""Reference statistics and table parsing shared by the Python tests of the
report and the comparison. The references are written here from their
definitions with numpy and scipy (not with scripts/hp_stats.py), so a test
compares two independent computations.

  ref_ranks(n, p)      0-based ranks of the order statistics bounding the
                       95% distribution-free interval of the p quantile
  ref_stats(x)         mean, se, sd, quantiles with intervals, P(< 0), P(> 0)
                       with Wilson intervals (scipy), CVaR with its se
  parse_cell(...)      a printed cell back to numbers, each with the
                       tolerance of the digits shown
  check_table(...)     every cell of a printed table against its JSON record
"""
import math
import re

import numpy as np
from scipy import stats

from pycheck import check


def ref_ranks(n, p, conf=0.95):
    tail = (1 - conf) / 2
    f = stats.binom.cdf(np.arange(n), n, p)          # F(j - 1), j = 1..n
    lo = np.flatnonzero(f <= tail)
    hi = np.flatnonzero(f >= 1 - tail)
    return (int(lo[-1]) if len(lo) else -1), (int(hi[0]) if len(hi) else n)


def ref_quantile(x, p):
    """(value, lo, hi): numpy's quantile and the two order statistics."""
    s = np.sort(x)
    n = len(s)
    lo, hi = ref_ranks(n, p)
    return (float(np.percentile(x, 100 * p)), float(s[lo]) if lo >= 0 else -math.inf,
            float(s[hi]) if hi < n else math.inf)


def wilson(k, n):
    ci = stats.binomtest(int(k), int(n)).proportion_ci(confidence_level=0.95, method="wilson")
    return k / n, ci.low, ci.high


def ref_cvar(x, alpha=0.05):
    """(CVaR, se): minus the Acerbi-Tasche tail mean as a weighted sum, and
    the influence-function se."""
    s = np.sort(x)
    n = len(s)
    m = alpha * n
    w = np.clip(m - np.arange(n), 0.0, 1.0)
    q = s[min(int(math.floor(m)), n - 1)]
    y = np.minimum(s - q, 0)
    return -float(np.dot(w, s) / m), float(np.std(y, ddof=1) / math.sqrt(n) / alpha)


def ref_stats(x):
    x = np.asarray(x, dtype=float)
    n = len(x)
    sd = float(np.std(x, ddof=1))
    out = {"mean": float(np.mean(x)), "se": sd / math.sqrt(n), "sd": sd}
    for p in (0.05, 0.5, 0.95):
        k = f"q{round(100 * p):02d}"
        out[k], out[f"{k}_lo"], out[f"{k}_hi"] = ref_quantile(x, p)
    for key, k in (("p_neg", np.count_nonzero(x < 0)), ("p_pos", np.count_nonzero(x > 0))):
        out[key], out[f"{key}_lo"], out[f"{key}_hi"] = wilson(k, n)
    out["cvar05"], out["cvar05_se"] = ref_cvar(x)
    return out


# ---- printed cells ---------------------------------------------------------------------

_NUM = re.compile(r"(-?)(\$?)(\d+(?:\.\d+)?)([kMB]?)")


def parse_number(s, inf_text=("-inf", "inf")):
    """"-$21.2B" -> (-21.2e9, half a unit of the last digit shown); the
    inf_text strings -> -inf, +inf; "-" -> nan."""
    s = s.strip()
    if s == "-":
        return float("nan"), 0.0
    if s == inf_text[0]:
        return -math.inf, 0.0
    if s == inf_text[1]:
        return math.inf, 0.0
    m = _NUM.fullmatch(s)
    if not m:
        raise ValueError(f"cannot parse '{s}'")
    mult = {"": 1, "k": 1e3, "M": 1e6, "B": 1e9}[m.group(4)]
    digits = len(m.group(3).split(".")[1]) if "." in m.group(3) else 0
    return float(m.group(3)) * mult * (-1 if m.group(1) else 1), 0.5 * 10 ** -digits * mult


def parse_share(s, inf_text=("-inf", "inf")):
    s = s.strip()
    if s in inf_text or s == "-":
        return parse_number(s, inf_text)
    m = re.fullmatch(r"(-?\d+(?:\.\d+)?)%", s)
    if not m:
        raise ValueError(f"cannot parse share '{s}'")
    digits = len(m.group(1).split(".")[1]) if "." in m.group(1) else 0
    return float(m.group(1)) / 100, 0.5 * 10 ** -digits / 100


def parse_cell(kind, text, inf_text=("-inf", "inf")):
    """A list of (value, tolerance), one per field of the column kind."""
    if kind in ("value", "int"):
        return [parse_number(text.replace(",", ""), inf_text)]
    if kind == "z":
        return [parse_number(text.lstrip("+"))]
    if kind == "p":
        if text == "<0.001":           # any value in [0, 0.001)
            return [(0.0005, 0.0005)]
        return [parse_number(text)]
    if kind == "share":
        return [parse_share(text)]
    if kind == "pm":
        if text == "-":
            return [parse_number("-")] * 2
        v, se = text.split(" ±")
        return [parse_number(v), parse_number(se)]
    if kind in ("ci", "share_ci", "rate_ci", "years_ci"):
        if text == "-":
            return [parse_number("-")] * 3
        m = re.fullmatch(r"(.+) \[(.+), (.+)\]", text)
        f = parse_share if kind in ("share_ci", "rate_ci") else parse_number
        return [f(g, inf_text) for g in m.groups()]
    raise ValueError(kind)


def agrees(got, want):
    """A parsed (value, tolerance) against a full-precision value."""
    v, tol = got
    if want is None or (isinstance(want, float) and math.isnan(want)):
        return math.isnan(v)
    if isinstance(want, str):
        want = float(want)      # "inf", "-inf" in JSON
    if math.isinf(want) or math.isinf(v):
        return v == want
    return abs(v - want) <= tol * (1 + 1e-9) + 1e-12 * abs(want)


def md_rows(text, title):
    """Rows (lists of cells) of the Markdown table under `## title`."""
    lines = text.splitlines()
    start = next(i for i, l in enumerate(lines) if l.strip() == "## " + title)
    rows = []
    for line in lines[start + 1:]:
        if line.startswith("|"):
            cells = re.split(r"(?<!\\)\|", line.strip()[1:-1])
            rows.append([c.strip().replace("\\|", "|") for c in cells])
        elif rows:
            break
    return rows[0], rows[2:]


def check_table(md, table):
    """Every printed cell of a table against its JSON record (the Markdown
    heading is the table's title)."""
    header, body = md_rows(md, table["title"])
    cols = table["columns"]
    check(header == [c["header"] for c in cols], f"{table['id']}: header {header}")
    check(len(body) == len(table["records"]), f"{table['id']}: {len(body)} rows, {len(table['records'])} records")
    for row, rec in zip(body, table["records"]):
        for c, text in zip(cols, row):
            if c["kind"] == "text":
                check(text == str(rec[c["fields"][0]]), f"{table['id']}: '{text}'")
                continue
            vals = parse_cell(c["kind"], text, tuple(c["inf_text"]))
            for field, got in zip(c["fields"], vals):
                check(agrees(got, rec[field]), f"{table['id']} {c['header']} ({field}): '{text}' vs {rec[field]!r}")


def csv_agrees_json(rows, records, what):
    """CSV rows (dicts of strings) equal the JSON records field by field."""
    check(len(rows) == len(records), f"{what}: {len(rows)} CSV rows, {len(records)} records")
    for row, rec in zip(rows, records):
        for k, v in rec.items():
            c = row.get(k)
            if isinstance(v, (int, float)) and not isinstance(v, bool):
                ok = c is not None and (float(c) == float(v))
            elif v is None:
                ok = c is not None and (c == "" or math.isnan(float(c)))
            elif v in ("inf", "-inf"):
                ok = c == v
            else:
                ok = c == str(v)
            check(ok, f"{what}: {k}: CSV {c!r} vs JSON {v!r}")
