"""Golden digests: every dataset of every shipped config at a fixed seed and
path count, one line per dataset (name, type, shape, SHA-256 of its values
as little-endian bytes), kept in tests/golden/<config>.digest, as OpenMC
keeps results_true.dat per test case.

    golden_digest.py HASHPIVOT SOURCE_DIR            check (the test)
    golden_digest.py HASHPIVOT SOURCE_DIR --update   rewrite the digests
                                                     (scripts/update_golden.sh)

The check runs each config four ways, 1 and 2 threads and two block sizes
(one that divides the path count, one that leaves a short last block), and
every run must give the committed digest: results depend only on the
config and the seed. The values hashed are those read back through h5py,
so chunking and compression do not enter.

Left out of the digest: config/* (the config text, whose comments and
parameter docs are not results) and progress/* (the resume record).

A config naming a history CSV that is absent (the shared data is not part
of the repository) is skipped, and says so.

When an output changes on purpose (a model change), run
scripts/update_golden.sh and commit the digests alone, saying why."""
import hashlib
import os
import re
import subprocess
import sys
import tempfile

import h5py
import numpy as np

PATHS = 40                 # block sizes 8 and 7: five full blocks, and 5 + a short one
RUNS = [("-j", "1", "simulation.block_size=8"), ("-j", "2", "simulation.block_size=8"),
        ("-j", "1", "simulation.block_size=7"), ("-j", "2", "simulation.block_size=7")]
SKIP_GROUPS = ("config/", "progress/")


def digest_lines(path):
    """One line per dataset, sorted by name."""
    lines = []
    with h5py.File(path, "r") as f:
        names = []
        f.visititems(lambda n, o: names.append(n) if isinstance(o, h5py.Dataset) else None)
        for name in sorted(names):
            if name.startswith(SKIP_GROUPS):
                continue
            ds = f[name]
            x = ds[()]
            if isinstance(x, (bytes, str)):
                data, kind = (x.encode() if isinstance(x, str) else x), "string"
            else:
                x = np.asarray(x)
                data = x.astype(x.dtype.newbyteorder("<"), copy=False).tobytes()
                kind = x.dtype.newbyteorder("<").str
            shape = "x".join(str(d) for d in ds.shape) or "scalar"
            lines.append(f"{name} {kind} {shape} {hashlib.sha256(data).hexdigest()[:32]}")
    return lines


def history_csv(hashpivot, cfg):
    """The history CSVs a config names (resolved by `hashpivot validate`)."""
    p = subprocess.run([hashpivot, "validate", cfg], capture_output=True, text=True)
    if p.returncode != 0:
        return None, p.stderr.strip()
    return re.findall(r'^\s*csv = "([^"]+)";', p.stdout, flags=re.M), None


def run(hashpivot, cfg, out, opts):
    jflag, threads, block = opts
    cmd = [hashpivot, "run", cfg, "-n", str(PATHS), jflag, threads, "--set", block,
           "--quiet", "--force", "-o", out]
    p = subprocess.run(cmd, capture_output=True, text=True)
    return p, " ".join(os.path.relpath(c) if c == cfg else c for c in cmd[:-2])


def main(argv):
    hashpivot, root = argv[0], argv[1]
    update = "--update" in argv[2:]
    golden = os.path.join(root, "tests", "golden")
    configs = sorted(os.path.join(root, "configs", c) for c in os.listdir(os.path.join(root, "configs"))
                     if c.endswith(".cfg"))
    failed = passed = skipped = 0
    with tempfile.TemporaryDirectory() as tmp:
        for cfg in configs:
            name = os.path.basename(cfg)[:-4]
            csvs, why = history_csv(hashpivot, cfg)
            if csvs is None and "cannot open history CSV" in why and "No such file" in why:
                print(f"SKIP {name}: its history CSV is absent (shared data is not part of the "
                      f"repository): {why}")
                skipped += 1
                continue
            if csvs is None:
                print(f"FAIL {name}: does not validate: {why}")
                failed += 1
                continue
            missing = [c for c in csvs if c and not os.path.exists(c)]
            if missing:
                print(f"SKIP {name}: history CSV {missing[0]} is absent (shared data is not part "
                      "of the repository)")
                skipped += 1
                continue
            want_file = os.path.join(golden, f"{name}.digest")
            want = None
            if not update:
                if not os.path.exists(want_file):
                    print(f"FAIL {name}: no {os.path.relpath(want_file, root)}; "
                          "run scripts/update_golden.sh")
                    failed += 1
                    continue
                want = [ln for ln in open(want_file).read().splitlines() if not ln.startswith("#")]
            for k, opts in enumerate(RUNS[:1] if update else RUNS):
                out = os.path.join(tmp, f"{name}_{k}.h5")
                p, shown = run(hashpivot, cfg, out, opts)
                if p.returncode != 0:
                    print(f"FAIL {name}: {shown}: exit {p.returncode}: {p.stderr.strip()}")
                    failed += 1
                    break
                got = digest_lines(out)
                os.remove(out)
                if update:
                    os.makedirs(golden, exist_ok=True)
                    with open(want_file, "w") as fh:
                        fh.write(f"# Golden digest of configs/{name}.cfg: hashpivot run -n {PATHS} "
                                 "(the config's own seed), any -j and block size.\n"
                                 "# dataset, little-endian type, shape, SHA-256 of the values "
                                 "(first 32 hex digits).\n"
                                 "# Regenerate with scripts/update_golden.sh; commit alone, saying why.\n")
                        fh.write("\n".join(got) + "\n")
                    print(f"wrote {os.path.relpath(want_file, root)} ({len(got)} datasets)")
                    continue
                if got != want:
                    failed += 1
                    gs, ws = set(got), set(want)
                    diff = [f"  - {ln}" for ln in want if ln not in gs][:8] + \
                           [f"  + {ln}" for ln in got if ln not in ws][:8]
                    print(f"FAIL {name}: {shown}: {len(ws - gs)} of {len(want)} datasets differ "
                          "from the golden digest:\n" + "\n".join(diff))
                    break
            else:
                if not update:
                    passed += 1
                    print(f"ok {name}: {len(want)} datasets, identical under {len(RUNS)} thread and "
                          "block-size settings")
    if update:
        return 1 if failed else 0
    print(f"{passed} passed, {failed} failed, {skipped} skipped")
    return 1 if failed else (77 if passed == 0 else 0)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
