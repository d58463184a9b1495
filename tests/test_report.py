"""scripts/report.py end to end: run a small simulation, build the report,
then check every figure (a valid PNG: signature, chunk CRCs, decodes; of
sensible size; not blank), the
Markdown table against statistics computed here directly from the HDF5
file with h5py/numpy (and against `hashpivot info`), and that neither the
HTML page nor the Markdown references a missing file. Also: a run without
per-year data still gives a report, and a foreign file is refused.
Run with Debian's /usr/bin/python3 (h5py, numpy, matplotlib).
    test_report.py HASHPIVOT_BINARY SOURCE_DIR"""
import base64
import csv
import html.parser
import math
import os
import re
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

bin_, root = sys.argv[1], sys.argv[2]
report = os.path.join(root, "scripts", "report.py")

FIGURES = ["fan_btc_price.png", "fan_hashrate.png", "fan_hashprice.png", "revenue_by_year.png",
           "revenue_annual.png", "npv_distribution.png", "npv_difference.png", "frontier.png",
           "prob_beats.png"]
PER_YEAR_FIGURES = {"fan_btc_price.png", "fan_hashrate.png", "fan_hashprice.png",
                    "revenue_by_year.png", "prob_beats.png"}


def run_sim(out, *extra):
    subprocess.run([bin_, "run", os.path.join(root, "configs", "default.cfg"), "-n", "200", "-s", "5",
                    "--quiet", "-o", out, *extra], check=True, stdout=subprocess.DEVNULL)


def run_report(h5, outdir):
    return subprocess.run([sys.executable, report, h5, "-o", outdir], capture_output=True, text=True)


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
    for ref in p.refs:
        if ref.startswith("data:image/png;base64,"):
            data = base64.b64decode(ref.split(",", 1)[1], validate=True)
            check(data[:8] == b"\x89PNG\r\n\x1a\n", "embedded figure is a PNG")
        elif ref.startswith("#"):
            continue
        else:
            check(not re.match(r"^[a-z]+:", ref) and os.path.exists(os.path.join(outdir, ref)),
                  f"report.html: reference {ref[:60]} exists")
    check("url(" not in text and "@import" not in text, "report.html: no stylesheet references")


def check_markdown_links(text, outdir):
    links = re.findall(r"!?\[[^\]]*\]\(([^)]+)\)", text)
    check(len(links) > 0, "report.md links its figures")
    for ref in links:
        check(os.path.exists(os.path.join(outdir, ref)), f"report.md: {ref} exists")


# ---- the numbers ------------------------------------------------------------------

def parse_value(s):
    """"-$21.2B" -> -21.2e9; "72.0%" -> 0.72; "-" -> nan. Returns (value, kind, tolerance):
    the tolerance is half a unit of the last digit shown."""
    s = s.strip()
    if s == "-":
        return float("nan"), "none", 0.0
    m = re.fullmatch(r"(-?)(\d+(?:\.\d+)?)%", s)
    if m:
        digits = len(m.group(2).split(".")[1]) if "." in m.group(2) else 0
        return float(m.group(1) + m.group(2)) / 100, "share", 0.5 * 10 ** -digits / 100
    m = re.fullmatch(r"(-?)(\$?)(\d+(?:\.\d+)?)([kMB]?)", s)
    if not m:
        raise ValueError(f"cannot parse '{s}'")
    mult = {"": 1, "k": 1e3, "M": 1e6, "B": 1e9}[m.group(4)]
    digits = len(m.group(3).split(".")[1]) if "." in m.group(3) else 0
    v = float(m.group(3)) * mult * (-1 if m.group(1) else 1)
    return v, "money" if m.group(2) else "number", 0.5 * 10 ** -digits * mult


def md_table(text, heading):
    """Rows (lists of cells) of the Markdown table under `## heading`."""
    lines = text.splitlines()
    start = next(i for i, l in enumerate(lines) if l.startswith("## " + heading))
    rows = []
    for line in lines[start + 1:]:
        if line.startswith("|"):
            rows.append([c.strip() for c in line.strip("|").split("|")])
        elif rows:
            break
    return rows[0], rows[2:]  # header, body (without the |---| line)


def expected_shortfall(x, alpha):
    """Mean of the worst alpha share, as a weighted sum: weight 1 for the
    first floor(alpha n) sorted values, the fraction left for the next one."""
    s = np.sort(x)
    m = alpha * len(s)
    w = np.clip(m - np.arange(len(s)), 0.0, 1.0)
    return float(np.dot(w, s) / m)


def direct_stats(h5):
    """Statistics of NPV per allocation, straight from the file."""
    with h5py.File(h5, "r") as f:
        npv = f["valuation/npv"][()]
        alloc = f["axes/allocation"][()]
        base = int(f.attrs["baseline_allocation"])
    out = []
    for a in range(len(alloc)):
        x = npv[a]
        sd = np.std(x, ddof=1)
        q = np.percentile(x, [5, 50, 95])
        out.append({"allocation": f"{100 * alloc[a]:g}%", "mean": x.mean(), "se": sd / math.sqrt(len(x)),
                    "sd": sd, "q05": q[0], "q50": q[1], "q95": q[2], "p_loss": np.mean(x < 0),
                    "var05": -q[0], "cvar05": -expected_shortfall(x, 0.05),
                    "p_beats": float("nan") if a == base else np.mean(x > npv[base])})
    return out, npv, base


COLUMNS = ["allocation", "mean", "se", "sd", "q05", "q50", "q95", "p_loss", "var05", "cvar05", "p_beats"]


def check_table(text, expect):
    header, body = md_table(text, "NPV by allocation")
    check(len(header) == len(COLUMNS), f"NPV table has {len(COLUMNS)} columns ({header})")
    check(len(body) == len(expect), f"NPV table has one row per allocation ({len(body)})")
    for row, e in zip(body, expect):
        check(row[0] == e["allocation"], f"row label {row[0]} == {e['allocation']}")
        for col, cell in zip(COLUMNS[1:], row[1:]):
            v, kind, tol = parse_value(cell)
            want = e[col]
            if math.isnan(want):
                check(math.isnan(v), f"{e['allocation']} {col}: '{cell}' is '-'")
                continue
            money = col not in ("p_loss", "p_beats")
            check(kind == ("money" if money else "share"), f"{e['allocation']} {col}: '{cell}' is a "
                  f"{'dollar amount' if money else 'percentage'}")
            # The cell rounds the value to the digits shown: within half a unit.
            check(abs(v - want) <= tol * (1 + 1e-9), f"{e['allocation']} {col}: '{cell}' vs {want:.6g}")


def check_csv(path, expect):
    with open(path) as fh:
        rows = list(csv.DictReader(fh))
    check(len(rows) == len(expect), "summary.csv: one row per allocation")
    for row, e in zip(rows, expect):
        for col in COLUMNS[1:]:
            v, want = float(row[col]), e[col]
            ok = (math.isnan(v) and math.isnan(want)) or abs(v - want) <= 1e-9 * max(1.0, abs(want))
            check(ok, f"summary.csv {e['allocation']} {col}: {v!r} vs {want!r}")


def check_against_info(h5, text):
    """The report and the C summary of `hashpivot info` agree (same quantile
    definition, same P(loss) and P(beats)), to the digits both show."""
    out = subprocess.run([bin_, "info", h5], capture_output=True, text=True, check=True).stdout
    lines = out.splitlines()
    start = next(i for i, l in enumerate(lines) if l.startswith("NPV ["))
    _, body = md_table(text, "NPV by allocation")
    for row, line in zip(body, lines[start + 2:start + 2 + len(body)]):
        c = line.split()
        pairs = [(row[1], c[1]), (row[4], c[2]), (row[5], c[3]), (row[6], c[4]), (row[7], c[5])]
        if len(c) > 6:
            pairs.append((row[10], c[6]))
        for mine, theirs in pairs:
            (a, _, ta), (b, _, tb) = parse_value(mine), parse_value(theirs)
            check((math.isnan(a) and math.isnan(b)) or abs(a - b) <= (ta + tb) * (1 + 1e-9),
                  f"report '{mine}' agrees with hashpivot info '{theirs}' ({row[0]})")


with tempfile.TemporaryDirectory() as tmp:
    h5 = os.path.join(tmp, "x.h5")
    run_sim(h5)
    outdir = os.path.join(tmp, "report")
    p = run_report(h5, outdir)
    check(p.returncode == 0, f"report.py exits 0 ({p.stderr.strip()})")
    for name in FIGURES:
        path = os.path.join(outdir, name)
        check(os.path.isfile(path), f"{name} exists")
        if os.path.isfile(path):
            check_png(path, name)
    check_html(os.path.join(outdir, "report.html"), outdir, len(FIGURES))
    with open(os.path.join(outdir, "report.md"), encoding="utf-8") as fh:
        md = fh.read()
    check_markdown_links(md, outdir)
    expect, npv, base = direct_stats(h5)
    check_table(md, expect)
    check_csv(os.path.join(outdir, "summary.csv"), expect)
    check_against_info(h5, md)
    # Paired difference table: mean of NPV(f) - NPV(0) per allocation.
    _, body = md_table(md, "Paired NPV difference")
    others = [a for a in range(npv.shape[0]) if a != base]
    check(len(body) == len(others), "paired difference table: one row per converted allocation")
    for row, a in zip(body, others):
        v, _, tol = parse_value(row[1])
        want = float(np.mean(npv[a] - npv[base]))
        check(abs(v - want) <= tol * (1 + 1e-9), f"paired mean {row[0]}: '{row[1]}' vs {want:.6g}")

    # Without per-year data: the per-year figures are left out, said so.
    h5b = os.path.join(tmp, "totals.h5")
    run_sim(h5b, "--set", "output.per_year=false")
    outb = os.path.join(tmp, "report_totals")
    p = run_report(h5b, outb)
    check(p.returncode == 0, f"report.py without per-year data exits 0 ({p.stderr.strip()})")
    made = set(n for n in os.listdir(outb) if n.endswith(".png"))
    check(made == set(FIGURES) - PER_YEAR_FIGURES, f"without per-year data: figures {sorted(made)}")
    with open(os.path.join(outb, "report.md"), encoding="utf-8") as fh:
        check("## Left out" in fh.read(), "report.md says what was left out")
    check_html(os.path.join(outb, "report.html"), outb, len(made))

    # A file that is not a results file is refused, with no report written.
    foreign = os.path.join(tmp, "foreign.h5")
    with h5py.File(foreign, "w") as f:
        f["data"] = np.arange(10.0)
    outf = os.path.join(tmp, "report_foreign")
    p = run_report(foreign, outf)
    check(p.returncode != 0 and "not a hashpivot results file" in p.stderr,
          f"report.py refuses a foreign HDF5 file ({p.returncode}, {p.stderr.strip()})")
    check(not os.path.exists(outf), "no report directory for a refused file")

done()
