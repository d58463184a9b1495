"""The scaffold the Python tests share: check() counts a check and reports
a failure at once; done() prints the tally and exits 1 if any failed."""
import sys

_checks = 0
_failures = []


def check(cond, what):
    global _checks
    _checks += 1
    if not cond:
        _failures.append(what)
        print("FAIL:", what)


def done():
    print(f"{_checks - len(_failures)} passed, {len(_failures)} failed")
    sys.exit(1 if _failures else 0)
