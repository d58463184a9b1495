#!/usr/bin/python3
"""The repository explains itself: no file cites a document outside it, and
every citation of docs/sources.md names an entry that exists.

usage: test_sources.py SOURCE_DIR

Fails (exit 1, one line per finding, `path:line: message`) when
  (a) a tracked file cites something beside the clone: the shared
      directory next to it (its spec `MODEL.md`, section numbers of its
      `parameters.md` such as "parameters.md 4h", its data directory), or a
      config comment still uses the old "[4c]" section brackets. The one
      exception is the optional test-data location (docs/sources.md#history-data):
      files under tests/ and the entry in docs/sources.md may name it;
  (b) a `sources.md#<id>` citation anywhere (code, configs, docs, scripts)
      names an anchor docs/sources.md does not define, or docs/sources.md
      links to an in-page anchor it does not define, or defines an id twice.
Before checking the tree it checks itself on a planted fixture.
Prints what it checked when everything passes.
"""

import os
import re
import subprocess
import sys
import tempfile

SELF = "tests/test_sources.py"
UP = "../" + "shared"    # split so that a grep for the literal finds no hit here
SOURCES = "docs/sources.md"

# (pattern, message). A file may name the test-data location only where the
# set-up of the tests or its documentation lives.
OUTSIDE = [
    (re.compile(re.escape(UP) + r"\b"), "cites the shared directory beside the clone"),
    (re.compile(r"(?<![\w/.])shared/(?:data|domain|seeds)\b"),
     "names the outside shared/ directory"),
    (re.compile(r"\bMODEL\.md\b"), "cites MODEL.md (outside the repository)"),
    (re.compile(r"\bparameters\.md[ ,;]+(?:§\s*|section\s+)?\d"),
     "cites a section of the outside parameters.md"),
]
DATA_LOCATION = re.compile(r"(?:\.\./)?shared/data\b")   # matched where a finding starts
OLD_BRACKET = re.compile(r"\[\d[a-i]?(?:,\s*(?:\d[a-i]?|D|U))*\]")
CITATION = re.compile(r"sources\.md#([A-Za-z0-9_.-]+)")
ANCHOR = re.compile(r"""<a\s+(?:id|name)\s*=\s*["']([^"']+)["']""")
LOCAL_LINK = re.compile(r"\]\(#([^)\s]+)\)")
TEXT_EXT = (".c", ".h", ".in", ".cpp", ".cfg", ".md", ".py", ".sh", ".cmake",
            ".txt", ".sbatch", ".slurm", ".json", ".yml", ".yaml", ".toml")


def tracked_files(root):
    """Tracked files (git), or every file outside build trees without git."""
    try:
        out = subprocess.run(["git", "-C", root, "ls-files", "-z"], check=True,
                             capture_output=True).stdout.decode()
        files = [f for f in out.split("\0") if f]
        if files:
            return files
    except (OSError, subprocess.CalledProcessError):
        pass
    files = []
    for d, dirs, names in os.walk(root):
        dirs[:] = [x for x in dirs if not x.startswith((".", "build", "results"))]
        files += [os.path.relpath(os.path.join(d, n), root) for n in names]
    return files


def is_text(path):
    base = os.path.basename(path)
    return base.endswith(TEXT_EXT) or base in ("CMakeLists.txt", "run") \
        or path.startswith((".ci/", "scripts/"))


def slug(heading):
    """GitHub's heading anchor: lower case, punctuation dropped, spaces -> -."""
    s = re.sub(r"[^\w\- ]", "", heading.strip().lower())
    return s.replace(" ", "-")


def anchors_of(text):
    ids = ANCHOR.findall(text)
    ids += [slug(m) for m in re.findall(r"^#{1,6}\s+(.+?)\s*#*\s*$", text, re.M)]
    return ids


def check(root):
    """Findings (list of "path:line: message") and counts for the tree at root."""
    errors = []
    src_path = os.path.join(root, SOURCES)
    if not os.path.isfile(src_path):
        return ["%s is missing" % SOURCES], (0, 0, 0)
    with open(src_path, encoding="utf-8") as f:
        src = f.read()
    declared = ANCHOR.findall(src)
    for a in sorted({a for a in declared if declared.count(a) > 1}):
        errors.append("%s: anchor #%s defined %d times" % (SOURCES, a, declared.count(a)))
    anchors = set(anchors_of(src))

    n_files = n_cites = 0
    for rel in sorted(tracked_files(root)):
        if rel == SELF or not is_text(rel):
            continue
        try:
            with open(os.path.join(root, rel), encoding="utf-8") as f:
                lines = f.read().split("\n")
        except (OSError, UnicodeDecodeError):
            continue
        n_files += 1
        may_name_data = rel.startswith("tests/") or rel == SOURCES
        for no, line in enumerate(lines, 1):
            where = "%s:%d" % (rel, no)
            for pat, msg in OUTSIDE:
                for m in pat.finditer(line):
                    if may_name_data and DATA_LOCATION.match(line, m.start()):
                        continue
                    errors.append("%s: %s: %s" % (where, msg, line.strip()))
            if rel.startswith("configs/") and "#" in line:
                comment = line[line.index("#"):]
                if OLD_BRACKET.search(comment):
                    errors.append("%s: section brackets of the outside parameters.md "
                                  "(cite docs/sources.md#<id>): %s" % (where, line.strip()))
            for cid in CITATION.findall(line):
                n_cites += 1
                cid = cid.rstrip(".")
                if cid not in anchors:
                    errors.append("%s: cites %s#%s, which %s does not define"
                                  % (where, SOURCES, cid, SOURCES))
            if rel == SOURCES:
                for lid in LOCAL_LINK.findall(line):
                    if lid not in anchors:
                        errors.append("%s: link to #%s, not defined here" % (where, lid))
    return errors, (n_files, n_cites, len(anchors))


# A small tree with one of each finding, and lines that must pass.
FIXTURE = {
    SOURCES: ('<a id="good-id"></a>\n**`good-id`** text, see [x](#good-id)\n'
              '## Some Heading\n<a id="dup"></a>\n<a id="dup"></a>\n'
              'broken [y](#missing-local); data in `' + UP + '/data/` may be named here\n'),
    "configs/x.cfg": ('a = 1;  # old style [4c]\n'
                      'b = [0.0, 0.2];  # docs/sources.md#good-id.\n'
                      'c = 2;  # [3, 4e]\n'),
    "models/m.c": ('"x (parameters.md 4h)"\n'
                   '"y (e.g. ' + UP + '/data/h.csv)"\n'
                   '"z docs/sources.md#nope"\n'
                   '/* MODEL.md 5 */\n'
                   '"fit on shared/data"\n'
                   '"ok docs/sources.md#some-heading and docs/sources.md#good-id"\n'
                   '"ok HP_SHARED_DATA, docs/parameters.md"\n'),
    "tests/t.cmake": ('set(HP_SHARED_DATA ${CMAKE_SOURCE_DIR}/' + UP + '/data)\n'
                      '# see ' + UP + '/MODEL.md\n'),
}
EXPECTED = {
    SOURCES + ": anchor #dup", SOURCES + ":6: link to #missing-local",
    "configs/x.cfg:1: section brackets", "configs/x.cfg:3: section brackets",
    "models/m.c:1: cites a section", "models/m.c:2: cites the shared",
    "models/m.c:3: cites docs/sources.md#nope", "models/m.c:4: cites MODEL.md",
    "models/m.c:5: names the outside", "tests/t.cmake:2: cites the shared",
    "tests/t.cmake:2: cites MODEL.md",
}


def selftest():
    """The checker finds every planted finding and nothing else."""
    with tempfile.TemporaryDirectory() as tmp:
        for rel, text in FIXTURE.items():
            os.makedirs(os.path.dirname(os.path.join(tmp, rel)), exist_ok=True)
            with open(os.path.join(tmp, rel), "w", encoding="utf-8") as f:
                f.write(text)
        errors, _ = check(tmp)
    bad = []
    for want in sorted(EXPECTED):
        if sum(e.startswith(want) for e in errors) != 1:
            bad.append("self-test: expected one finding starting %r" % want)
    for e in errors:
        if not any(e.startswith(w) for w in EXPECTED):
            bad.append("self-test: unexpected finding %r" % e)
    return bad


def main():
    if len(sys.argv) != 2:
        sys.exit(__doc__)
    bad = selftest()
    for b in bad:
        print("FAIL: " + b)
    if bad:
        return 1
    errors, (n_files, n_cites, n_anchors) = check(sys.argv[1])
    for e in errors:
        print("FAIL: " + e)
    if errors:
        print("%d finding(s); cite figures as docs/sources.md#<id> "
              "(add the entry there if it is missing)" % len(errors))
        return 1
    print("self-test: %d planted findings found" % len(EXPECTED))
    print("%d files checked: no citation outside the repository; %d citations of %s "
          "resolve to its %d anchors" % (n_files, n_cites, SOURCES, n_anchors))
    return 0


if __name__ == "__main__":
    sys.exit(main())
