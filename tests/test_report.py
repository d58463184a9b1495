"""scripts/report.py end to end: run a small simulation, a sensitivity and a
global sensitivity analysis, build the report, then check
- every figure: a valid PNG (signature, chunk CRCs, decodes), of sensible
  size, not blank;
- every table: its Markdown cells agree with its JSON records, its CSV with
  its JSON, and report.json holds them all;
- the numbers, against statistics computed here from the HDF5 file with
  numpy and scipy (tests/stats_ref.py): NPV and paired gain with their
  standard errors and intervals, CVaR of the gain, revenue, IRR (per path
  by scipy's brentq) and payback (per path by a loop), the assumptions
  (against `hashpivot validate`), the tornado and Sobol/Morris tables
  (against the analysis file), and the C side's statistics of the same
  sample (the definitions agree), and `hashpivot info`;
- the HTML page is self-contained (figures and data embedded) and neither
  page references a missing file;
- the results do not depend on how the file is read (one allocation at a
  time or one year at a time, any block of paths);
- a run without per-year data still gives a report, a foreign file and an
  analysis file without its group are refused with one line.
Run with Debian's /usr/bin/python3 (h5py, numpy, scipy, matplotlib).
    test_report.py HASHPIVOT_BINARY SOURCE_DIR"""
import base64
import contextlib
import csv
import html.parser
import io
import json
import math
import os
import re
import shutil
import struct
import subprocess
import sys
import tempfile
import zlib

import h5py
import matplotlib
matplotlib.use("Agg")
import matplotlib.image as mpimg  # noqa: E402
import numpy as np

from pycheck import check, done  # tests/ is the script's directory, so on sys.path
from stats_ref import check_table, csv_agrees_json, md_rows, parse_number, ref_stats, wilson  # noqa: E402
from scipy import optimize  # noqa: E402

bin_, root = sys.argv[1], sys.argv[2]
report = os.path.join(root, "scripts", "report.py")
sys.path.insert(0, os.path.join(root, "scripts"))
import hp_stats  # noqa: E402  (the C side's definitions, checked on one sample)

FIGURES = ["fan_btc_price.png", "fan_hashrate.png", "fan_hashprice.png", "revenue_by_year.png",
           "revenue_annual.png", "npv_distribution.png", "npv_difference.png", "frontier.png",
           "prob_beats.png", "irr_payback.png"]
ANALYSIS_FIGURES = ["tornado.png", "gsa_sobol.png", "gsa_morris.png"]
PER_YEAR_FIGURES = {"fan_btc_price.png", "fan_hashrate.png", "fan_hashprice.png",
                    "revenue_by_year.png", "prob_beats.png", "irr_payback.png"}
SETS = ["--set", "hpc.noi_margin=0.8"]


def run_sim(out, *extra):
    subprocess.run([bin_, "run", os.path.join(root, "configs", "default.cfg"), "-n", "200", "-s", "5",
                    "--quiet", "-o", out, *SETS, *extra], check=True, stdout=subprocess.DEVNULL)


def run_report(h5, outdir, *extra):
    return subprocess.run([sys.executable, report, h5, "-o", outdir, "--hashpivot", bin_, *extra],
                          capture_output=True, text=True)


# ---- PNG checks ----------------------------------------------------------------

def png_header(data):
    """Walks the PNG chunks, checking signature and every CRC; returns
    (width, height). Raises ValueError on a damaged or truncated file."""
    if data[:8] != b"\x89PNG\r\n\x1a\n":
        raise ValueError("no PNG signature")
    pos, size, seen_end = 8, None, False
    while pos + 12 <= len(data):
        n, kind = struct.unpack(">I4s", data[pos:pos + 8])
        body = data[pos + 8:pos + 8 + n]
        crc, = struct.unpack(">I", data[pos + 8 + n:pos + 12 + n])
        if zlib.crc32(kind + body) & 0xffffffff != crc:
            raise ValueError(f"bad CRC in chunk {kind}")
        if kind == b"IHDR":
            size = struct.unpack(">II", body[:8])
        pos += 12 + n
        if kind == b"IEND":
            seen_end = True
            break
    if size is None or not seen_end:
        raise ValueError("no IHDR or IEND chunk")
    return size


def check_png(path, name):
    with open(path, "rb") as fh:
        data = fh.read()
    try:
        w, h = png_header(data)
        px = mpimg.imread(path)  # floats in [0, 1], [height, width, channels]
    except Exception as e:  # noqa: BLE001 - any decoding failure is a failed check
        check(False, f"{name}: valid PNG ({e})")
        return
    check(px.shape[:2] == (h, w), f"{name}: decoded size matches the header")
    check(400 <= w <= 3000 and 300 <= h <= 2500, f"{name}: sensible size ({w}x{h})")
    rgb = (255 * px[:, :, :3]).round().astype(int).reshape(-1, 3)
    background = np.median(rgb, axis=0)
    ink = np.mean(np.any(np.abs(rgb - background) > 30, axis=1))
    colours = len(np.unique(rgb[:: max(1, len(rgb) // 50000)], axis=0))
    # A blank (or single-colour) figure has no ink; a real chart has axes,
    # text and filled areas: several percent of pixels and many colours.
    check(ink > 0.03, f"{name}: not blank ({100 * ink:.1f}% of pixels drawn)")
    check(colours > 20, f"{name}: more than a few colours ({colours})")


# ---- references in the pages ------------------------------------------------------

class Refs(html.parser.HTMLParser):
    def __init__(self):
        super().__init__()
        self.refs = []
        self.imgs = 0

    def handle_starttag(self, tag, attrs):
        self.imgs += tag == "img"
        for k, v in attrs:
            if k in ("src", "href", "data", "poster", "srcset") and v is not None:
                self.refs.append(v)


def check_html(path, outdir, n_figures):
    with open(path, encoding="utf-8") as fh:
        text = fh.read()
    p = Refs()
    p.feed(text)
    check(p.imgs == n_figures, f"report.html embeds {n_figures} figures (has {p.imgs})")
    data_files = 0
    for ref in p.refs:
        if ref.startswith("data:image/png;base64,"):
            data = base64.b64decode(ref.split(",", 1)[1], validate=True)
            check(data[:8] == b"\x89PNG\r\n\x1a\n", "embedded figure is a PNG")
        elif ref.startswith(("data:text/csv;base64,", "data:application/json;base64,")):
            # A table's data, embedded: equal to one of the files beside the page.
            data = base64.b64decode(ref.split(",", 1)[1], validate=True)
            ext = "csv" if ref.startswith("data:text/csv") else "json"
            same = [n for n in os.listdir(outdir) if n.endswith("." + ext)
                    and open(os.path.join(outdir, n), "rb").read() == data]
            check(len(same) >= 1, f"embedded {ext} data equals a file beside the page")
            data_files += 1
        elif ref.startswith("#"):
            continue
        else:
            check(not re.match(r"^[a-z]+:", ref) and os.path.exists(os.path.join(outdir, ref)),
                  f"report.html: reference {ref[:60]} exists")
    check("url(" not in text and "@import" not in text, "report.html: no stylesheet references")
    tables = [n for n in os.listdir(outdir) if n.endswith(".csv")]
    check(data_files == 2 * len(tables), f"report.html embeds the CSV and JSON of every table ({data_files})")


def check_markdown_links(text, outdir):
    links = re.findall(r"!?\[[^\]]*\]\(([^)]+)\)", text)
    check(len(links) > 0, "report.md links its figures")
    for ref in links:
        check(os.path.exists(os.path.join(outdir, ref)), f"report.md: {ref} exists")



# ---- the numbers ------------------------------------------------------------------

def close(got, want, what, rel=1e-9):
    if isinstance(want, float) and math.isinf(want):
        ok = got == ("inf" if want > 0 else "-inf") or got == want
    elif want is None or (isinstance(want, float) and math.isnan(want)):
        ok = got is None
    else:
        ok = got is not None and abs(got - want) <= rel * max(1.0, abs(want))
    check(ok, f"{what}: {got!r} vs {want!r}")


def by_id(doc):
    return {t["id"]: t for t in doc["tables"]}


def check_npv_and_gain(tables, npv, base):
    """NPV table and paired gain table against tests/stats_ref.py."""
    recs = tables["summary"]["records"]
    check(len(recs) == npv.shape[0], "NPV table: one row per allocation")
    for a, rec in enumerate(recs):
        x = npv[a]
        ref = ref_stats(x)
        for k in ("mean", "se", "sd", "q05", "q05_lo", "q05_hi", "q50", "q50_lo", "q50_hi", "q95", "q95_lo",
                  "q95_hi", "cvar05", "cvar05_se"):
            close(rec[k], ref[k], f"NPV {rec['label']} {k}")
        for k in ("", "_lo", "_hi"):
            close(rec["p_loss" + k], ref["p_neg" + k], f"NPV {rec['label']} P(loss){k}")
        close(rec["var05"], -ref["q05"], f"NPV {rec['label']} VaR")
        close(rec["var05_lo"], -ref["q05_hi"], f"NPV {rec['label']} VaR lo")
        close(rec["var05_hi"], -ref["q05_lo"], f"NPV {rec['label']} VaR hi")
        if a == base:
            check(rec["p_beats"] is None, "no P(beats) for the baseline itself")
        else:
            p, lo, hi = wilson(np.count_nonzero(x > npv[base]), len(x))
            close(rec["p_beats"], p, "P(beats)")
            close(rec["p_beats_lo"], lo, "P(beats) lo")
            close(rec["p_beats_hi"], hi, "P(beats) hi")
    grecs = tables["gain"]["records"]
    others = [a for a in range(npv.shape[0]) if a != base]
    check(len(grecs) == len(others), "gain table: one row per converted allocation")
    for a, rec in zip(others, grecs):
        ref = ref_stats(npv[a] - npv[base])
        for k in ("mean", "se", "sd", "q05", "q05_lo", "q05_hi", "q50", "q95", "q95_hi", "cvar05", "cvar05_se"):
            close(rec[k], ref[k], f"gain {rec['label']} {k}")
        for k in ("", "_lo", "_hi"):
            close(rec["p_gain" + k], ref["p_pos" + k], f"gain {rec['label']} P(> 0){k}")


def year_times(days):
    before = np.concatenate([[0], np.cumsum(days)[:-1]])
    return (before + (days + 1) / 2) / 365.25, days.sum() / 365.25, before


def ref_irr(f, times):
    """Class and IRR of one path: sign changes of V on a fine grid of rates
    in [-99%, 1000%], then brentq in the cell of the one change."""
    grid = np.expm1(np.linspace(math.log(0.01), math.log(11), 4001))
    v = np.array([np.sum(f * (1 + g) ** -times) for g in grid])
    pos = v > 0
    flips = np.flatnonzero(pos[1:] != pos[:-1])
    if len(flips) == 0:
        return (math.inf if pos[0] else -math.inf) if np.any(f != 0) else math.nan
    if len(flips) > 1 or not pos[0]:
        return math.nan
    k = flips[0]
    return optimize.brentq(lambda g: np.sum(f * (1 + g) ** -times), grid[k], grid[k + 1], xtol=1e-14, rtol=1e-14)


def check_conversion(tables, h5, base):
    with h5py.File(h5, "r") as f:
        ncf = f["cashflow/net_cash_flow"][()]
        tv = f["valuation/terminal_value"][()]
        days = f["axes/days_in_year"][()].astype(float)
        npv = f["valuation/npv"][()]
        rate = float(re.search(r"discount_rate = ([0-9.]+);", f["config/resolved"][()].decode()).group(1))
    ty, tend, before = year_times(days)
    times = np.append(ty, tend)
    others = [a for a in range(ncf.shape[0]) if a != base]
    agree = total = 0
    for a, irec, prec in zip(others, tables["irr"]["records"], tables["payback"]["records"]):
        d = ncf[a] - ncf[base]
        irr = np.array([ref_irr(np.append(row, t), times) for row, t in zip(d, tv[a] - tv[base])])
        n = len(irr)
        for key, mask in (("p_loses", irr == -np.inf), ("p_gains", irr == np.inf), ("p_ambiguous", np.isnan(irr))):
            close(irec[key], np.count_nonzero(mask) / n, f"IRR {irec['label']} {key}")
        defined = irr[~np.isnan(irr)]
        for p in (0.05, 0.5, 0.95):
            q = hp_quantile(defined, p)
            close(irec[f"irr_q{round(100 * p):02d}"], q, f"IRR {irec['label']} {p} quantile", rel=1e-9)
        # The IRR sits on the right side of the discount rate: converting pays
        # (NPV gain > 0) where the IRR is above the rate.
        fin = np.isfinite(irr)
        gain = npv[a] - npv[base]
        agree += np.count_nonzero((irr[fin] > rate) == (gain[fin] > 0))
        total += np.count_nonzero(fin)
        pb = np.full(n, np.inf)
        for i, row in enumerate(d):
            cum = 0.0
            for y, flow in enumerate(row):
                prev, cum = cum, cum + flow
                if cum > 0:
                    pb[i] = (before[y] + (-prev / flow) * days[y]) / 365.25
                    break
        close(prec["p_payback"], np.count_nonzero(np.isfinite(pb)) / n, f"payback {prec['label']} share")
        for p in (0.05, 0.5, 0.95):
            close(prec[f"payback_q{round(100 * p):02d}"], hp_quantile(pb, p), f"payback {prec['label']} {p}")
    check(agree >= 0.99 * total, f"IRR above the discount rate where the NPV gain is positive: {agree} of {total}")


def hp_quantile(x, p):
    """numpy's linear quantile, with infinite order statistics kept."""
    s = np.sort(x)
    h = (len(s) - 1) * p
    k = int(math.floor(h))
    if k >= len(s) - 1 or h == k or s[k] == s[k + 1]:
        return float(s[min(k, len(s) - 1)])
    return float(s[k] + (h - k) * (s[k + 1] - s[k]))


def resolved_values(text):
    """{dotted key: value text} of `hashpivot validate` output."""
    out, stack = {}, []
    for line in text.splitlines():
        m = re.match(r"\s*(\w+) = \{$", line)
        if m:
            stack.append(m.group(1))
        elif re.match(r"\s*\};$", line):
            stack.pop()
        else:
            m = re.match(r"\s*(\w+) = (.*?);(  #.*)?$", line)
            if m:
                v = m.group(2)
                out[".".join(stack + [m.group(1)])] = float(v) if re.fullmatch(r"-?[0-9.e+-]+", v) else v
    return out


def check_assumptions(tables):
    cfg = os.path.join(root, "configs", "default.cfg")
    run = subprocess.run([bin_, "validate", cfg, "-n", "200", "-s", "5", *SETS], capture_output=True, text=True,
                         check=True).stdout
    with tempfile.NamedTemporaryFile("w", suffix=".cfg") as empty:
        dflt = subprocess.run([bin_, "validate", empty.name], capture_output=True, text=True, check=True).stdout
    rv, dv = resolved_values(run), resolved_values(dflt)
    want = [k for k in rv if dv.get(k) != rv[k]]
    recs = tables["assumptions"]["records"]
    check([r["key"] for r in recs] == want, f"assumptions: the keys that differ {[r['key'] for r in recs]} vs {want}")
    rec = {r["key"]: r for r in recs}
    with open(cfg) as fh:
        lines = fh.read().splitlines()
    from_file = [r for r in recs if r["set_in"].startswith("config line ")]
    check(len(from_file) > 0, "some assumptions come from the config file")
    for r in from_file:
        n = int(r["set_in"].split()[-1])
        leaf = r["key"].split(".")[-1]
        check(re.match(rf"\s*{leaf}\s*[=:]", lines[n - 1]) is not None, f"{r['key']}: set on line {n} of the config")
        if "#" in lines[n - 1]:
            check(r["source_comment"].startswith(lines[n - 1].split("#", 1)[1].strip()),
                  f"{r['key']}: source {r['source_comment']!r}")
        check(r["default"] == dflt_raw(dflt, r["key"]), f"{r['key']}: default {r['default']!r}")
    check(rec["hpc.noi_margin"]["set_in"] == "command line: --set hpc.noi_margin=0.8", "a --set key says so")


def dflt_raw(text, key):
    """The value text of key in `hashpivot validate` output."""
    *groups, leaf = key.split(".")
    stack = []
    for line in text.splitlines():
        m = re.match(r"\s*(\w+) = \{$", line)
        if m:
            stack.append(m.group(1))
        elif re.match(r"\s*\};$", line):
            stack.pop()
        elif stack == groups:
            m = re.match(rf"\s*{leaf} = (.*?);(  #.*)?$", line)
            if m:
                return m.group(1)
    return None


def check_analysis(tables, sens, gsa):
    with h5py.File(sens, "r") as f:
        g = f["sensitivity"]
        a = list(g["allocation"][()]).index(g.attrs["tornado_allocation"])
        keys = [k.decode() for k in g["key"][()]]
        swing = g["gain_swing_mean"][:, a]
        order = [keys[k] for k in np.argsort(-np.abs(swing), kind="stable")]
        recs = tables["tornado"]["records"]
        check([r["key"] for r in recs] == order, f"tornado ranked by |swing| {order}")
        for r in recs:
            k = keys.index(r["key"])
            for field, ds, lvl in (("at_low", "gain_mean", 0), ("at_high", "gain_mean", 2),
                                   ("change_low", "gain_change_mean", 0), ("change_low_se", "gain_change_se", 0),
                                   ("change_high", "gain_change_mean", 2)):
                check(r[field] == g[ds][k, lvl, a], f"tornado {r['key']} {field}")
            check(r["swing"] == swing[k] and r["swing_se"] == g["gain_swing_se"][k, a], f"tornado {r['key']} swing")
            check(r["low"] == g["value"][k, 0] and r["high"] == g["value"][k, 2], f"tornado {r['key']} values")
        # The C side's statistics of a sample and the report's are the same
        # definitions: the base case's NPV through both.
        base_npv = g["base_npv"][()]
        for al in range(base_npv.shape[0]):
            st = hp_stats.sample_stats(base_npv[al])
            check(all(q.lo == lo and q.hi == hi for q, lo, hi in
                      zip(st["q"], g["npv_quantile_lo"][0, 1, al], g["npv_quantile_hi"][0, 1, al])),
                  f"quantile intervals: the same order statistics as the C side ({al})")
            check(math.isclose(st["cvar"].value, g["npv_cvar"][0, 1, al], rel_tol=1e-12)
                  and math.isclose(st["cvar"].se, g["npv_cvar_se"][0, 1, al], rel_tol=1e-9),
                  f"CVaR and its se as the C side ({al})")
            check(math.isclose(st["p_neg"].se, g["npv_p_negative_se"][0, 1, al], rel_tol=1e-12, abs_tol=1e-15),
                  f"P(< 0) se as the C side ({al})")
    with h5py.File(gsa, "r") as f:
        g = f["gsa"]
        ins = [k.decode() for k in g["input"][()]]
        for r in tables["sobol"]["records"]:
            i = ins.index(r["input"])
            check(all(r[k] == g["sobol"][k][i] for k in ("S1", "S1_lo", "S1_hi", "ST", "ST_lo", "ST_hi")),
                  f"Sobol {r['input']}")
        for r in tables["morris"]["records"]:
            i = ins.index(r["input"])
            check(all(r[k] == g["morris"][k][i] for k in ("mu", "mu_star", "mu_star_lo", "mu_star_hi", "sigma")),
                  f"Morris {r['input']}")


def body_of(md):
    return md_rows(md, "NPV by allocation")[1]


def check_against_info(h5, md):
    """The report and the C summary of `hashpivot info` agree (same quantile
    definition, same CVaR, P(loss) and P(beats)), to the digits both show."""
    out = subprocess.run([bin_, "info", h5], capture_output=True, text=True, check=True).stdout
    lines = out.splitlines()
    start = next(i for i, l in enumerate(lines) if l.startswith("NPV ["))
    gain = next(i for i, l in enumerate(lines) if l.startswith("NPV gain over"))
    # rows of estimates: every other line (their intervals are beneath)
    values = lines[start + 2:start + 2 + 2 * len(body_of(md)):2]
    block = lines[gain + 2:]
    block = block[:block.index("")] if "" in block else block
    beats = {line.split()[0]: line.split()[-1] for line in block[::2]}
    _, body = md_rows(md, "NPV by allocation")
    lead = lambda cell: cell.split(" ")[0]  # noqa: E731  (the value before its error)
    for row, line in zip(body, values):
        c = line.split()
        # info: mean, 5%, 50%, 95%, CVaR 5%, P(loss); the gain block: P(beats)
        pairs = [(row[1], c[1]), (row[3], c[2]), (row[4], c[3]), (row[5], c[4]), (row[8], c[5]), (row[6], c[6])]
        if c[0] in beats:
            pairs.append((row[9], beats[c[0]]))
        for mine, theirs in pairs:
            mine = lead(mine)
            if mine.endswith("%"):
                (a, ta), (b, tb) = (float(mine[:-1]) / 100, 5e-4), (float(theirs[:-1]) / 100, 5e-4)
            else:
                (a, ta), (b, tb) = parse_number(mine), parse_number(theirs)
            check((math.isnan(a) and math.isnan(b)) or abs(a - b) <= (ta + tb) * (1 + 1e-9),
                  f"report '{mine}' agrees with hashpivot info '{theirs}' ({row[0]})")


def symlog_expected(rows):
    """The report's rule, recomputed: symmetric-log when the whole range is
    more than 3 times the central 98% (pooled over the violins)."""
    lo = min(np.percentile(x, 1) for x in rows)
    hi = max(np.percentile(x, 99) for x in rows)
    full = max(x.max() for x in rows) - min(x.min() for x in rows)
    return full > 3 * (hi - lo)


def check_outputs(outdir, figures):
    for name in figures:
        path = os.path.join(outdir, name)
        check(os.path.isfile(path), f"{name} exists")
        if os.path.isfile(path):
            check_png(path, name)
    check_html(os.path.join(outdir, "report.html"), outdir, len(figures))
    with open(os.path.join(outdir, "report.md"), encoding="utf-8") as fh:
        md = fh.read()
    check_markdown_links(md, outdir)
    with open(os.path.join(outdir, "report.json"), encoding="utf-8") as fh:
        doc = json.load(fh)
    for t in doc["tables"]:
        check_table(md, t)
        with open(os.path.join(outdir, f"{t['id']}.csv"), newline="") as fh:
            csv_agrees_json(list(csv.DictReader(fh)), t["records"], f"{t['id']}.csv")
        with open(os.path.join(outdir, f"{t['id']}.json")) as fh:
            check(json.load(fh) == t, f"{t['id']}.json is report.json's table")
    return md, doc


with tempfile.TemporaryDirectory() as tmp:
    h5 = os.path.join(tmp, "x.h5")
    run_sim(h5)
    sens, gcfg, gsa = (os.path.join(tmp, n) for n in ("s.h5", "gsa.cfg", "g.h5"))
    short = ["--set", "time.horizon_years=2.0", "--quiet"]
    subprocess.run([bin_, "sensitivity", os.path.join(root, "configs", "default.cfg"), "-n", "60", "-o", sens,
                    "--vary", "hpc.capex_usd_per_mw=8e6:12e6", "--vary", "price.mu=0.05:0.25", *short],
                   check=True, stdout=subprocess.DEVNULL)
    with open(gcfg, "w") as fh:
        fh.write(f'@include "{os.path.join(root, "configs", "default.cfg")}"\n'
                 'uncertain = { hpc = { capex_usd_per_mw = ("uniform", 8.0e6, 12.0e6); };\n'
                 '  price = { mu = ("uniform", 0.0, 0.3); }; };\n')
    subprocess.run([bin_, "gsa", gcfg, "-n", "20", "-r", "3", "-N", "4", "--bootstrap", "50", "-o", gsa, *short],
                   check=True, stdout=subprocess.DEVNULL)
    outdir = os.path.join(tmp, "report")
    p = run_report(h5, outdir, "--sensitivity", sens, "--gsa", gsa)
    check(p.returncode == 0, f"report.py exits 0 ({p.stderr.strip()})")
    md, doc = check_outputs(outdir, FIGURES + ANALYSIS_FIGURES)
    tables = by_id(doc)
    check(sorted(tables) == sorted(["summary", "gain", "revenue", "irr", "payback", "tornado", "sobol", "morris",
                                    "assumptions"]), f"tables {sorted(tables)}")
    with h5py.File(h5, "r") as f:
        npv = f["valuation/npv"][()]
        base = int(f.attrs["baseline_allocation"])
        per_year = 365.25 / f.attrs["n_days"]
        rev = {k: f[f"totals/{k}_revenue"][()] * per_year for k in ("mining", "hpc")}
    check_npv_and_gain(tables, npv, base)
    for rec, a in zip(tables["revenue"]["records"], range(npv.shape[0])):
        for k in ("mining", "hpc"):
            ref = ref_stats(rev[k][a])
            for f in ("mean", "se", "q05", "q05_lo", "q95_hi"):
                close(rec[f"{k}_{f}" if f != "se" else f"{k}_mean_se"], ref[f], f"revenue {k} {f} {rec['label']}")
    check_conversion(tables, h5, base)
    check_assumptions(tables)
    check_analysis(tables, sens, gsa)
    check_against_info(h5, md)
    with open(os.path.join(outdir, "summary.csv"), newline="") as fh:
        rows = list(csv.DictReader(fh))
    check(all(k in rows[0] for k in ("mean", "se", "sd", "q05", "q50", "q95", "p_loss", "var05", "cvar05",
                                      "p_beats", "n")), "summary.csv keeps its columns")
    caps = {fig["file"]: fig["caption"] for fig in doc["figures"]}
    others = [npv[a] - npv[base] for a in range(npv.shape[0]) if a != base]
    for name, rows_ in (("npv_distribution.png", list(npv)), ("npv_difference.png", others)):
        check(("symmetric-logarithmic" in caps[name]) == symlog_expected(rows_),
              f"{name}: symmetric-log axis exactly when the tails would squash the body")

    # Reading one year at a time and in odd blocks of paths gives the same tables.
    import hp_results  # noqa: E402
    import report as report_mod  # noqa: E402
    fv = hp_results.fmt_value
    check((fv(-0.001, False), fv(-4e-4), fv(0.305025, False), fv(-4.499e9)) == ("0.00", "$0.00", "0.31", "-$4.50B"),
          "fmt_value: a value that prints as zero has no sign; rounded once")
    hp_results.READ_BUDGET_BYTES, hp_results.BLOCK_PATHS = 0, 7
    small = os.path.join(tmp, "report_small_reads")
    with contextlib.redirect_stdout(io.StringIO()):
        rc = report_mod.main([h5, "-o", small, "--hashpivot", bin_])
    with open(os.path.join(small, "report.json")) as fh:
        again = by_id(json.load(fh))
    check(rc == 0 and all(again[k] == tables[k] for k in again) and len(again) == 6,
          "one year at a time, blocks of 7 paths: the same tables")

    # The analysis groups are found in the results file itself.
    both = os.path.join(tmp, "with_groups.h5")
    shutil.copy(h5, both)
    with h5py.File(both, "r+") as f, h5py.File(sens, "r") as s:
        s.copy("sensitivity", f)
    p = run_report(both, os.path.join(tmp, "report_groups"))
    check(p.returncode == 0 and os.path.isfile(os.path.join(tmp, "report_groups", "tornado.png")),
          f"the /sensitivity group of the results file gives the tornado ({p.stderr.strip()})")

    # Without per-year data: the per-year figures and tables are left out, said so.
    h5b = os.path.join(tmp, "totals.h5")
    run_sim(h5b, "--set", "output.per_year=false")
    outb = os.path.join(tmp, "report_totals")
    p = run_report(h5b, outb)
    check(p.returncode == 0, f"report.py without per-year data exits 0 ({p.stderr.strip()})")
    made = set(n for n in os.listdir(outb) if n.endswith(".png"))
    check(made == set(FIGURES) - PER_YEAR_FIGURES, f"without per-year data: figures {sorted(made)}")
    mdb, docb = check_outputs(outb, sorted(made))
    check("## Left out" in mdb and "irr" not in by_id(docb), "report.md says what was left out")

    # A file that is not a results file is refused, with no report written;
    # an analysis file without its group is one line.
    foreign = os.path.join(tmp, "foreign.h5")
    with h5py.File(foreign, "w") as f:
        f["data"] = np.arange(10.0)
    outf = os.path.join(tmp, "report_foreign")
    p = run_report(foreign, outf)
    check(p.returncode != 0 and "not a hashpivot results file" in p.stderr,
          f"report.py refuses a foreign HDF5 file ({p.returncode}, {p.stderr.strip()})")
    check(not os.path.exists(outf), "no report directory for a refused file")
    p = run_report(h5, outf, "--gsa", sens)
    check(p.returncode == 1 and p.stderr.strip() == f"report.py: {sens}: no /gsa group" and not os.path.exists(outf),
          f"--gsa with a sensitivity file: one line ({p.stderr.strip()})")

done()
