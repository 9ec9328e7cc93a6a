#!/usr/bin/env python3
"""Writes src/testing/det-math-truth.json: arguments of det-math's functions with their true values, correctly
rounded to doubles by mpmath at 300 bits, and the side of the true value (the sign of truth - rounded). The test
(src/det-math.test.ts) holds det-math to them: the result must be the rounded value or its neighbour on the
true value's side (faithful rounding, an error below one ulp). Seeded: the same file every run.
Run: python3 packages/core-math/scripts/det-math-truth.py (needs mpmath, e.g. Debian's python3-mpmath)."""
import json
import math
import random
import struct
from pathlib import Path

import mpmath

mpmath.mp.prec = 300
rng = random.Random(20261202)
N = 250


def hexbits(x):
    return struct.pack('>d', x).hex()


def uniform(lo, hi):
    return lo + (hi - lo) * rng.random()


def log_uniform(lo, hi):
    return math.exp(uniform(math.log(lo), math.log(hi)))


def rounded(t):
    """The double nearest to the mpf t, and the sign of t - that double."""
    with mpmath.workprec(53):
        r = float(mpmath.mpf(t))
    return r, (t > r) - (t < r)


FUNCTIONS = {
    'exp': (mpmath.exp, lambda: uniform(-745, 709) if rng.random() < 0.7 else uniform(-1, 1)),
    'expm1': (mpmath.expm1, lambda: uniform(-40, 40) if rng.random() < 0.5 else uniform(-0.7, 0.7)),
    'log': (mpmath.log, lambda: log_uniform(1e-300, 1e300) if rng.random() < 0.5 else uniform(0.5, 2)),
    'log1p': (mpmath.log1p, lambda: uniform(-1, 10) if rng.random() < 0.5 else log_uniform(1e-20, 1) * rng.choice([-1, 1])),
    'log10': (mpmath.log10, lambda: log_uniform(1e-300, 1e300) if rng.random() < 0.5 else uniform(0.5, 20)),
    'cos': (mpmath.cos, lambda: uniform(-10, 10) if rng.random() < 0.5 else uniform(-1.6e6, 1.6e6)),
    'sin': (mpmath.sin, lambda: uniform(-10, 10) if rng.random() < 0.5 else uniform(-1.6e6, 1.6e6)),
    'pow': (mpmath.power, lambda: (uniform(0, 10), uniform(-30, 30)) if rng.random() < 0.7 else (uniform(-10, 0), float(rng.randint(-40, 40)))),
    'hypot': (lambda x, y: mpmath.sqrt(x * x + y * y), lambda: (uniform(-1e3, 1e3), uniform(-1e3, 1e3))),
}

out = {}
for name, (f, draw) in FUNCTIONS.items():
    rows = []
    while len(rows) < N:
        a = draw()
        args = a if isinstance(a, tuple) else (a,)
        t = f(*[mpmath.mpf(v) for v in args])
        if mpmath.im(t) != 0 or not mpmath.isfinite(t):
            continue
        t = mpmath.re(t)
        r, side = rounded(t)
        if r == 0 or math.isinf(r) or abs(r) < 2.2250738585072014e-308:
            continue
        rows.append([*(hexbits(v) for v in args), hexbits(r), side])
    out[name] = rows

path = Path(__file__).resolve().parent.parent / 'src' / 'testing' / 'det-math-truth.json'
# one row a line, as the repository's formatter (Biome) writes JSON
body = ',\n'.join(
    f'  {json.dumps(name)}: [\n' + ',\n'.join('    ' + json.dumps(row) for row in rows) + '\n  ]' for name, rows in out.items()
)
path.write_text('{\n' + body + '\n}\n')
print(f'wrote {path} ({sum(len(v) for v in out.values())} values)')
