"""Throughput of the first-strike stability index: batched kernel against the plain reference.

Run from the repository root:

    .venv/bin/python benchmarks/fsi_throughput.py [--reference-cases N] [--seed S] [--extensions]

One *FSI evaluation* is one scenario's index: both strike directions, both stop rules. The
kernel is timed on both of its paths, compiled (numba, :mod:`detente.kernels.compiled`) and
numpy (the reference kernel), at batch sizes 1, 1e3, 1e5 and 1e6 on random but realistic
forces (2 to 4 elements a side drawn from silo ICBMs, SSBNs, bombers and road-mobile ICBMs,
with DE, alert fractions and w80 in plausible ranges; the ranges are illustrative, not
sourced data). The
plain-Python reference (tests/kernels/reference_kent_thaler.py) is timed on a few thousand
of the same scenarios and extrapolated per evaluation. Rates are by the wall clock; rates
by CPU time (all threads counted) are printed beside them, as the machine may be shared.
With ``--extensions`` the kernel is also timed at batch 1e5 with missile defences on both
sides (0 to 1,500 interceptors, illustrative) and with DE by weapon type (one type per
element), the two switchable extensions of models.md §2. The last line is machine-readable:

    fsi_evals_per_s=<float> reference_evals_per_s=<float> ratio=<float>
    numpy_evals_per_s=<float> batch1_evals_per_s=<float> numpy_batch1_evals_per_s=<float>

(one line) with the kernel rate at batch 1e6: the compiled path's where numba is installed
(else numpy's), then the numpy path's and both rates at batch 1.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))

from kernels import reference_kent_thaler as ref

from detente.kernels import compiled
from detente.kernels.defense import Defense
from detente.kernels.stability import stability_index

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


def defended(seed, batch):
    """Keyword arguments of a missile defence on both sides (illustrative ranges)."""
    rng = np.random.default_rng(seed + 1)
    out = {}
    for side in "AB":
        out[f"defense_{side}"] = Defense(
            rng.uniform(0.0, 1500.0, batch),
            rng.uniform(0.3, 0.9, batch),
            rng.integers(1, 3, batch),
            np.full(batch, 0.9),
        )
    return out


def by_weapon_type(seed, scenarios):
    """The scenarios with DE by weapon type: each striker element's DE varies by ±20 %."""
    side_a, side_b, w80_a, w80_b, de_ab, de_ba = scenarios
    rng = np.random.default_rng(seed + 2)

    def typed(de, striker):
        shape = (de.shape[0], striker[0].shape[1], de.shape[1])
        return np.clip(de[:, None, :] * rng.uniform(0.8, 1.2, shape), 0.0, 1.0)

    return side_a, side_b, w80_a, w80_b, typed(de_ab, side_a), typed(de_ba, side_b)


def kernel_rate(scenarios, min_seconds=1.0, **options):
    """FSI evaluations per second of :func:`stability_index` on the whole batch.

    Returns the rate by the wall clock and by this process's CPU time (all threads).
    """
    side_a, side_b, w80_a, w80_b, de_ab, de_ba = scenarios
    batch = w80_a.shape[0]
    stability_index(side_a, side_b, w80_a, w80_b, de_ab, de_ba, **options)  # warm up
    calls = 0
    start, cpu = time.perf_counter(), time.process_time()
    while time.perf_counter() - start < min_seconds:
        stability_index(side_a, side_b, w80_a, w80_b, de_ab, de_ba, **options)
        calls += 1
    wall, cpu = time.perf_counter() - start, time.process_time() - cpu
    return calls * batch / wall, calls * batch / cpu


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
    parser.add_argument("--extensions", action="store_true", help="also time the extensions")
    args = parser.parse_args(argv)
    load = ", ".join(f"{x:.2f}" for x in os.getloadavg())
    print(f"first-strike stability index: {os.cpu_count()} CPUs, load average {load}")
    print("(rates by the wall clock; by CPU time in brackets, all threads counted)")
    paths = ("compiled", "numpy") if compiled.available() else ("numpy",)
    if "compiled" in paths:
        start = time.perf_counter()
        compiled.load()
        print(f"compiled kernel loaded in {time.perf_counter() - start:.2f} s")
    rate = {}
    top = BATCHES[-1]
    for path in paths:
        for batch in BATCHES:
            rate[path, batch], cpu = kernel_rate(random_scenarios(args.seed, batch), backend=path)
            print(
                f"{path:<9} batch {batch:>9,d}: {rate[path, batch]:>12,.0f} FSI/s  ({cpu:>12,.0f})"
            )
        single, cpu = kernel_rate(random_scenarios(args.seed, top), threads=1, backend=path)
        print(f"{path:<9} batch {top:>9,d}: {single:>12,.0f} FSI/s  ({cpu:>12,.0f}) one thread")
        if args.extensions:
            size = 100_000
            base = random_scenarios(args.seed, size)
            rate_d, cpu = kernel_rate(base, backend=path, **defended(args.seed, size))
            print(f"{path:<9} batch {size:>9,d}: {rate_d:>12,.0f} FSI/s  ({cpu:>12,.0f}) defences")
            rate_w, cpu = kernel_rate(by_weapon_type(args.seed, base), backend=path)
            print(
                f"{path:<9} batch {size:>9,d}: {rate_w:>12,.0f} FSI/s  ({cpu:>12,.0f}) weapon types"
            )
    scenarios = random_scenarios(args.seed, args.reference_cases)
    ref_rate = reference_rate(scenarios, args.reference_cases)
    cases = args.reference_cases
    print(f"reference {cases:>6,d} cases  : {ref_rate:>12,.1f} FSI/s, plain Python, one at a time")
    best = paths[0]
    ratio = rate[best, top] / ref_rate
    print(
        f"fsi_evals_per_s={rate[best, top]:.1f} reference_evals_per_s={ref_rate:.3f} "
        f"ratio={ratio:.1f} numpy_evals_per_s={rate['numpy', top]:.1f} "
        f"batch1_evals_per_s={rate[best, 1]:.1f} numpy_batch1_evals_per_s={rate['numpy', 1]:.1f}"
    )


if __name__ == "__main__":
    main()
