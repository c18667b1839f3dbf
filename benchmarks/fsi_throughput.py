"""Throughput of the first-strike stability index: batched kernel against the plain reference.

Run from the repository root:

    .venv/bin/python benchmarks/fsi_throughput.py [--reference-cases N] [--seed S]

One *FSI evaluation* is one scenario's index: both strike directions, both stop rules. The
kernel is timed at batch sizes 1, 1e3, 1e5 and 1e6 on random but realistic forces (2 to 4
elements a side drawn from silo ICBMs, SSBNs, bombers and road-mobile ICBMs, with DE, alert
fractions and w80 in plausible ranges; the ranges are illustrative, not sourced data). The
plain-Python reference (tests/kernels/reference_kent_thaler.py) is timed on a few thousand
of the same scenarios and extrapolated per evaluation. The last line is machine-readable:

    fsi_evals_per_s=<float> reference_evals_per_s=<float> ratio=<float>

with the kernel rate at batch 1e6.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))

from kernels import reference_kent_thaler as ref

from detente.kernels.stability import LN5, stability_index

BATCHES = (1, 1_000, 100_000, 1_000_000)
ELEMENTS = 4
# Element kinds: (fixed, launchers low/high, warhead loadings, alert low/high, DE low/high)
KINDS = (
    (True, 50, 450, (1, 3, 6, 10), 0.0, 0.0, 0.5, 0.95),  # silo ICBMs
    (False, 48, 320, (4, 6, 8), 0.3, 0.9, 0.9, 0.99),  # SSBN tubes
    (False, 20, 100, (1, 6, 12, 20), 0.0, 0.3, 0.9, 0.99),  # heavy bombers
    (False, 18, 200, (1, 3, 4), 0.2, 0.8, 0.7, 0.95),  # road-mobile ICBMs
)


def random_side(rng, batch):
    """One side's padded force elements (n, m, fixed, alert) and the DE against each."""
    table = np.array([(k[0], k[1], k[2], k[4], k[5], k[6], k[7]) for k in KINDS], dtype=float)
    kind = rng.integers(0, len(KINDS), (batch, ELEMENTS))
    present = np.arange(ELEMENTS) < rng.integers(2, ELEMENTS + 1, batch)[:, None]
    fixed, n_lo, n_hi, a_lo, a_hi, de_lo, de_hi = (table[kind, j] for j in range(7))
    loadings = [np.array(k[3], dtype=float) for k in KINDS]
    m = np.empty((batch, ELEMENTS))
    for j, load in enumerate(loadings):
        pick = kind == j
        m[pick] = rng.choice(load, pick.sum())
    n = np.where(present, np.round(rng.uniform(n_lo, n_hi)), 0.0)
    alert = rng.uniform(a_lo, a_hi)
    de = rng.uniform(de_lo, de_hi)
    return (n, m, fixed.astype(bool), alert), de


def random_scenarios(seed, batch):
    """Keyword arguments of :func:`stability_index` for ``batch`` random scenarios."""
    rng = np.random.default_rng(seed)
    side_a, de_ba = random_side(rng, batch)
    side_b, de_ab = random_side(rng, batch)
    w80_a, w80_b = rng.uniform(100.0, 1000.0, (2, batch))
    return side_a, side_b, w80_a, w80_b, de_ab, de_ba


def kernel_rate(scenarios, min_seconds=1.0):
    """FSI evaluations per second of :func:`stability_index` on the whole batch."""
    side_a, side_b, w80_a, w80_b, de_ab, de_ba = scenarios
    batch = w80_a.shape[0]
    calls = 0
    start = time.perf_counter()
    while True:
        stability_index(*side_a, *side_b, w80_a, w80_b, de_ab, de_ba)
        calls += 1
        elapsed = time.perf_counter() - start
        if elapsed >= min_seconds:
            return calls * batch / elapsed


def reference_rate(scenarios, cases):
    """FSI evaluations per second of the plain-Python reference on the first ``cases``."""
    side_a, side_b, w80_a, w80_b, de_ab, de_ba = scenarios

    def elements(side, i):
        n, m, fixed, alert = side
        return [
            (float(n[i, j]), float(m[i, j]), bool(fixed[i, j]), float(alert[i, j]))
            for j in range(n.shape[1])
        ]

    rows = [
        (elements(side_a, i), elements(side_b, i), float(w80_a[i]), float(w80_b[i]),
         de_ab[i].tolist(), de_ba[i].tolist())
        for i in range(cases)
    ]  # fmt: skip
    start = time.perf_counter()
    for row in rows:
        ref.stability_index(*row)
    return cases / (time.perf_counter() - start)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--reference-cases", type=int, default=2000)
    parser.add_argument("--seed", type=int, default=20240601)
    args = parser.parse_args(argv)
    print(f"first-strike stability index throughput (w0 = w80 / {LN5:.4f})")
    rate = {}
    for batch in BATCHES:
        rate[batch] = kernel_rate(random_scenarios(args.seed, batch))
        print(f"kernel    batch {batch:>9,d}: {rate[batch]:>14,.0f} FSI evaluations/s")
    scenarios = random_scenarios(args.seed, args.reference_cases)
    ref_rate = reference_rate(scenarios, args.reference_cases)
    print(f"reference {args.reference_cases:>6,d} cases   : {ref_rate:>14,.1f} FSI evaluations/s")
    top = rate[BATCHES[-1]]
    ratio = top / ref_rate
    print(f"fsi_evals_per_s={top:.1f} reference_evals_per_s={ref_rate:.3f} ratio={ratio:.1f}")


if __name__ == "__main__":
    main()
