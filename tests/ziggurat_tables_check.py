"""The committed ziggurat tables (sim/ziggurat_tables.h) against what
sim/gen_ziggurat.c computes on this machine.

The generator works in long double with libm's expl/logl, which are not
correctly rounded: glibc updates have moved a few entries by one unit in
the last place (2.0416246105035888e-16 against 2.041624610503589e-16).
So the text must match token for token, and each number to within 4 ulp
(a relative 4 x 2^-52); an error in the construction moves entries far
more. The sampler uses the committed tables, so its draws never depend on
the machine's libm.
    ziggurat_tables_check.py GENERATED COMMITTED"""
import re
import sys

NUM = re.compile(r"[-+]?(?:\d+\.\d*|\.\d+|\d+)(?:[eE][-+]?\d+)?")
REL = 4 * 2.0 ** -52


def tokens(path):
    with open(path) as fh:
        text = fh.read()
    return NUM.split(text), [float(x) for x in NUM.findall(text)]


gen_text, gen = tokens(sys.argv[1])
com_text, com = tokens(sys.argv[2])
if gen_text != com_text or len(gen) != len(com):
    sys.exit("ziggurat tables: the generated file's text differs from the committed one "
             "(not only in numbers): regenerate sim/ziggurat_tables.h with gen_ziggurat")
worst, n_diff = 0.0, 0
for a, b in zip(gen, com):
    if a != b:
        n_diff += 1
        worst = max(worst, abs(a - b) / max(abs(a), abs(b)))
print(f"ziggurat tables: {len(com)} numbers, {n_diff} differ, largest relative difference "
      f"{worst:.3g} (allowed {REL:.3g})")
sys.exit(0 if worst <= REL else 1)
