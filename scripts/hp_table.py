"""hp_table: a table of statistics, printed for people and written for programs.

A Table holds records (one dict per row, numbers at full precision) and
columns saying how each cell is printed from them. The same object gives
the Markdown or HTML table, the CSV file (one column per record field) and
the JSON object (columns, records), so the three always agree: a printed
cell is its record's fields rounded. Cells with errors:
  "$2.23B ±150M"            value ± one standard error        (kind "pm")
  "-$16.1B [-$16.6B, -$15.7B]"  value and its 95% interval    (kind "ci")
  "88.8% [88.2%, 89.4%]"    a probability and its 95% interval (kind "share_ci")
JSON has no infinity or NaN: NaN is written null, +-inf the strings "inf"
and "-inf" (CSV: nan, inf, -inf, as Python's float() reads them).
"""
import csv
import io
import json
import math
from typing import NamedTuple

from hp_results import fmt_share, fmt_value, md_table


class Col(NamedTuple):
    header: str
    kind: str            # text, value, pm, ci, share, share_ci, rate_ci, years_ci, z, int
    fields: tuple        # record keys: (value,), (value, se) or (value, lo, hi)
    money: bool = False
    inf_text: tuple = ("-inf", "inf")   # how -inf and +inf print


def _num(v, money, inf_text=("-inf", "inf")):
    if v is None or (isinstance(v, float) and math.isnan(v)):
        return "-"
    if math.isinf(v):
        return inf_text[v > 0]
    return fmt_value(v, money)


def _pct(v, inf_text=("-inf", "inf")):
    if v is None or math.isnan(v):
        return "-"
    if math.isinf(v):
        return inf_text[v > 0]
    return f"{100 * v:.1f}%"


def _years(v, inf_text=("-inf", "never")):
    if v is None or math.isnan(v):
        return "-"
    if math.isinf(v):
        return inf_text[v > 0]
    return f"{v:.1f}"


def fmt_pm(v, se, money):
    """"$2.23B ±150M": the se in the value's style, without the $ sign."""
    if v is None or math.isnan(v):
        return "-"
    if se is None or math.isnan(se):     # e.g. a CVaR whose tail holds no whole path
        return f"{_num(v, money)} (no se)"
    s = _num(se, money)
    return f"{_num(v, money)} ±{s[1:] if s.startswith('$') else s}"


def cell(col, rec):
    f = [rec.get(k) for k in col.fields]
    k = col.kind
    if k == "text":
        return str(f[0])
    if k == "int":
        return f"{f[0]:,}"
    if k == "value":
        return _num(f[0], col.money, col.inf_text)
    if k == "z":
        return "-" if f[0] is None or math.isnan(f[0]) else f"{f[0]:+.2f}"
    if k == "p":
        if f[0] is None or math.isnan(f[0]):
            return "-"
        return "<0.001" if f[0] < 0.001 else f"{f[0]:.3f}"
    if k == "share":
        return fmt_share(f[0])
    if k == "pm":
        return fmt_pm(f[0], f[1], col.money)
    if k == "ci":
        if f[0] is None or math.isnan(f[0]):
            return "-"
        n = lambda v: _num(v, col.money, col.inf_text)  # noqa: E731
        return f"{n(f[0])} [{n(f[1])}, {n(f[2])}]"
    if k in ("share_ci", "rate_ci"):
        if f[0] is None or math.isnan(f[0]):
            return "-"
        p = lambda v: _pct(v, col.inf_text)  # noqa: E731
        return f"{p(f[0])} [{p(f[1])}, {p(f[2])}]"
    if k == "years_ci":
        if f[0] is None or math.isnan(f[0]):
            return "-"
        y = lambda v: _years(v, col.inf_text)  # noqa: E731
        return f"{y(f[0])} [{y(f[1])}, {y(f[2])}]"
    raise ValueError(f"unknown column kind {k}")


def _json_value(v):
    if isinstance(v, float):
        if math.isnan(v):
            return None
        if math.isinf(v):
            return "inf" if v > 0 else "-inf"
    return v


def _csv_value(v):
    if isinstance(v, float):
        return repr(v)
    return "" if v is None else v


class Table:
    """id names its files (ID.csv, ID.json); note is printed under it."""

    def __init__(self, id_, title, columns, records, note=""):
        self.id, self.title, self.columns, self.records, self.note = id_, title, columns, records, note

    @property
    def header(self):
        return [c.header for c in self.columns]

    def rows(self):
        return [[cell(c, r) for c in self.columns] for r in self.records]

    def markdown(self):
        esc = lambda c: c.replace("|", "\\|")  # noqa: E731
        return md_table([esc(h) for h in self.header], [[esc(c) for c in r] for r in self.rows()])

    def fields(self):
        """Every record key, in first-seen order (the CSV columns)."""
        out = []
        for r in self.records:
            out += [k for k in r if k not in out]
        return out

    def csv_text(self):
        buf = io.StringIO()
        w = csv.writer(buf, lineterminator="\n")
        keys = self.fields()
        w.writerow(keys)
        for r in self.records:
            w.writerow([_csv_value(r.get(k)) for k in keys])
        return buf.getvalue()

    def json_obj(self):
        return {"id": self.id, "title": self.title, "note": self.note,
                "columns": [{"header": c.header, "kind": c.kind, "fields": list(c.fields), "money": c.money,
                             "inf_text": list(c.inf_text)} for c in self.columns],
                "records": [{k: _json_value(v) for k, v in r.items()} for r in self.records]}


def json_text(obj):
    """Strict JSON (no NaN or Infinity tokens)."""
    def clean(o):
        if isinstance(o, dict):
            return {k: clean(v) for k, v in o.items()}
        if isinstance(o, (list, tuple)):
            return [clean(v) for v in o]
        return _json_value(o)
    return json.dumps(clean(obj), indent=1, allow_nan=False) + "\n"
