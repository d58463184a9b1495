"""hp_config: the assumptions of a run, read from its results file.

A results file holds the resolved configuration (/config/resolved: every
key, as `hashpivot validate` prints it) and the config file as given
(/config/source). The assumptions are the keys whose resolved value differs
from the model's default; the defaults are what `hashpivot validate` prints
for an empty config. For each such key, where it was set (a line of the
config file, or --set, -n, -s on the command line) and the comment written
beside it in the config file, which is where a scenario cites its source.

libconfig text is read by a small tokenizer (names, strings, numbers,
groups {}, arrays [], lists (), comments # // /* */). Values are compared
as values (1e6 equals 1000000.0, 930000L equals 930000).
"""
import os
import re
import shlex
import shutil
import subprocess
import tempfile

_TOKEN = re.compile(r'''
    (?P<comment>\#[^\n]*|//[^\n]*|/\*.*?\*/)
  | (?P<string>"(?:[^"\\]|\\.)*")
  | (?P<include>@include[^\n]*)
  | (?P<punct>[=:;,{}\[\]()])
  | (?P<atom>[^\s=:;,{}\[\]()"#/]+|/(?![/*]))
  | (?P<space>\s+)
''', re.S | re.X)


class Token:
    __slots__ = ("kind", "text", "line", "col", "end_line")

    def __init__(self, kind, text, line, col, end_line):
        self.kind, self.text, self.line, self.col, self.end_line = kind, text, line, col, end_line


def tokens(text):
    """libconfig tokens with their 1-based line and 0-based column."""
    out, line, line_start, pos = [], 1, 0, 0
    while pos < len(text):
        m = _TOKEN.match(text, pos)
        if not m:                       # a stray character: skip it
            pos += 1
            continue
        s = m.group(0)
        end_line = line + s.count("\n")
        if m.lastgroup != "space":
            out.append(Token(m.lastgroup, s, line, pos - line_start, end_line))
        if "\n" in s:
            line_start = pos + s.rindex("\n") + 1
        line = end_line
        pos = m.end()
    return out


def _scalar(t):
    if t.kind == "string":
        return re.sub(r"\\(.)", r"\1", t.text[1:-1])
    s = t.text
    low = s.lower()
    if low in ("true", "false"):
        return low == "true"
    s = s.rstrip("Ll")
    try:
        return float(int(s, 0)) if re.fullmatch(r"[-+]?(0x[0-9a-fA-F]+|\d+)", s) else float(s)
    except ValueError:
        return s


def _value(toks):
    """The comparable value of a setting's tokens (scalars, nested tuples)."""
    stack, prev_string = [[]], False
    for t in toks:
        if t.kind == "punct" and t.text in "[({":
            stack.append([])
        elif t.kind == "punct" and t.text in "])}":
            if len(stack) > 1:
                inner = tuple(stack.pop())
                stack[-1].append(inner)
        elif t.kind == "string" and prev_string:
            stack[-1][-1] += _scalar(t)          # "a" "b": adjacent strings concatenate
        elif t.kind in ("string", "atom"):
            stack[-1].append(_scalar(t))
        prev_string = t.kind == "string"
    top = stack[0]
    return top[0] if len(top) == 1 else tuple(top)


class Setting:
    __slots__ = ("key", "raw", "value", "line", "end_line", "col", "end_col", "comment")

    def __init__(self, key, raw, value, line, end_line, col, end_col):
        self.key, self.raw, self.value = key, raw, value
        self.line, self.end_line, self.col, self.end_col = line, end_line, col, end_col
        self.comment = ""


def settings(text):
    """Settings of a libconfig text: {dotted key: Setting}, each with the
    comment written beside it (trailing on its last line, with the comment
    lines aligned under it; or else the comment lines just above it)."""
    toks = tokens(text)
    out, stack, i = {}, [], 0
    code = [t for t in toks if t.kind != "comment"]
    while i < len(code):
        t = code[i]
        if t.kind == "punct" and t.text == "}":
            if stack:
                stack.pop()
            i += 1
            continue
        nxt = code[i + 1] if i + 1 < len(code) else None
        if t.kind == "atom" and nxt is not None and nxt.kind == "punct" and nxt.text in "=:":
            after = code[i + 2] if i + 2 < len(code) else None
            if after is not None and after.kind == "punct" and after.text == "{":
                stack.append(t.text)
                i += 3
                continue
            j, depth = i + 2, 0
            while j < len(code):
                c = code[j]
                if c.kind == "punct" and c.text in "[({":
                    depth += 1
                elif c.kind == "punct" and c.text in "])}":
                    if depth == 0:
                        break
                    depth -= 1
                elif c.kind == "punct" and c.text in ";," and depth == 0:
                    break
                j += 1
            vals = code[i + 2:j]
            if vals:
                last = code[j] if j < len(code) and code[j].text in ";," else vals[-1]
                raw = " ".join(v.text for v in vals)
                key = ".".join(stack + [t.text])
                out[key] = Setting(key, raw, _value(vals), t.line, last.end_line, t.col,
                                   last.col + len(last.text))
            i = j + 1 if j < len(code) and code[j].text in ";," else j
            continue
        i += 1
    _attach_comments(toks, out)
    return out


def _clean(comment):
    s = comment.strip()
    for a, b in (("/*", "*/"), ("//", ""), ("#", "")):
        if s.startswith(a):
            s = s[len(a):]
            if b and s.endswith(b):
                s = s[:-len(b)]
            break
    return " ".join(s.split())


def _attach_comments(toks, found):
    comments = {}
    code_lines = set()
    for t in toks:
        if t.kind == "comment":
            comments.setdefault(t.line, []).append(t)
        else:
            for ln in range(t.line, t.end_line + 1):
                code_lines.add(ln)
    for s in found.values():
        trail = [c for c in comments.get(s.end_line, []) if c.col >= s.end_col]
        parts = []
        if trail:
            parts.append(_clean(trail[0].text))
            col, ln = trail[0].col, s.end_line + 1
            while ln in comments and ln not in code_lines and comments[ln][0].col == col:
                parts.append(_clean(comments[ln][0].text))
                ln += 1
        else:
            above, ln = [], s.line - 1
            while ln in comments and ln not in code_lines and comments[ln][0].col == s.col:
                above.insert(0, _clean(comments[ln][0].text))
                ln -= 1
            parts = above
        s.comment = " ".join(p for p in parts if p)


def unit_of(comment):
    """The unit in a resolved-config comment "USD/MW — meaning" ("" if none)."""
    head, sep, _ = comment.partition(" \u2014 ")
    return head if sep else ""


def command_line_sets(command_line):
    """Keys the command line sets: {key: "--set key=value"} (also -n, -s)."""
    try:
        argv = shlex.split(command_line)
    except ValueError:
        argv = command_line.split()
    out = {}
    flags = {"-n": "simulation.n_paths", "--paths": "simulation.n_paths",
             "-s": "simulation.seed", "--seed": "simulation.seed"}
    for k, a in enumerate(argv):
        nxt = argv[k + 1] if k + 1 < len(argv) else ""
        if a == "--set" and "=" in nxt:
            out[nxt.split("=", 1)[0]] = f"--set {nxt}"
        elif a.startswith("--set="):
            out[a[6:].split("=", 1)[0]] = a
        elif a in flags and nxt:
            out[flags[a]] = f"{a} {nxt}"
    return out


def find_binary(given=None):
    """The hashpivot binary: given, $HASHPIVOT, the repository's build/, PATH."""
    here = os.path.dirname(os.path.abspath(__file__))
    for cand in (given, os.environ.get("HASHPIVOT"), os.path.join(here, "..", "build", "hashpivot"),
                 shutil.which("hashpivot")):
        if cand and os.path.isfile(cand) and os.access(cand, os.X_OK):
            return os.path.abspath(cand)
    return None


def defaults(binary):
    """(resolved default settings, version line) from `hashpivot validate`
    of an empty config; raises OSError or ValueError when it cannot."""
    with tempfile.TemporaryDirectory() as tmp:
        empty = os.path.join(tmp, "empty.cfg")
        open(empty, "w").close()
        p = subprocess.run([binary, "validate", empty], capture_output=True, text=True, timeout=60)
        if p.returncode != 0:
            raise ValueError(f"{binary} validate: {p.stderr.strip() or p.returncode}")
        v = subprocess.run([binary, "--version"], capture_output=True, text=True, timeout=60)
    return settings(p.stdout), v.stdout.strip()


def assumptions(resolved, source, command_line, default_settings):
    """One record per key whose resolved value differs from its default."""
    run = settings(resolved)
    src = settings(source) if source else {}
    cli = command_line_sets(command_line)
    out = []
    for key, s in run.items():
        d = default_settings.get(key)
        if d is not None and d.value == s.value:
            continue
        if key in cli:
            where, comment = f"command line: {cli[key]}", ""
        elif key in src:
            where, comment = f"config line {src[key].line}", src[key].comment
        else:
            where, comment = "an @include'd file", ""
        out.append({"key": key, "value": s.raw, "default": d.raw if d is not None else "(no such key)",
                    "unit": unit_of(s.comment), "set_in": where, "source_comment": comment})
    return out
