"""Monte Carlo throughput of a scenario: the Must-show "100,000 samples in under 5 seconds".

Run from the repository root:

    .venv/bin/python benchmarks/mc_throughput.py [SCENARIO] [--samples N] [--repeat R]

Times, for the default scenario (examples/new-start-expiry.yaml) unless another is given:

* ``monte_carlo``: drawing N samples of every uncertain input, building the kernel's element
  arrays with a batch axis N and evaluating them (one batched kernel call per chunk), and the
  quantiles: the Monte Carlo itself, best of R runs after one warm-up;
* ``assess``: the whole assessment with N samples (scenario loading, treaty counts, the
  posture matrix, the tornado, the upload timeline and the Monte Carlo), one run.

The last line is machine-readable:

    mc_samples=<int> mc_seconds=<float> mc_samples_per_s=<float> assess_seconds=<float>
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

from detente.analysis.assess import assess
from detente.analysis.scenario import resolve
from detente.analysis.uncertainty import monte_carlo
from detente.model.scenario import load_scenario

DEFAULT = Path(__file__).resolve().parents[1] / "examples" / "new-start-expiry.yaml"
TARGET_SECONDS = 5.0  # issue 4: 100,000 samples of the default scenario in under 5 s


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("scenario", nargs="?", default=str(DEFAULT))
    parser.add_argument("--samples", type=int, default=100_000)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()

    scenario = load_scenario(args.scenario)
    resolved = resolve(scenario)
    monte_carlo(resolved, 1000, args.seed)  # warm-up: imports, caches
    times = []
    for _ in range(args.repeat):
        start = time.perf_counter()
        mc = monte_carlo(resolved, args.samples, args.seed)
        times.append(time.perf_counter() - start)
    best = min(times)
    start = time.perf_counter()
    assess(scenario, samples=args.samples, seed=args.seed)
    whole = time.perf_counter() - start

    inputs = len(resolved.inputs)
    print(f"scenario {scenario.name}: {inputs} uncertain inputs, {args.samples:,} samples")
    print(
        f"monte_carlo: best of {args.repeat}: {best:.3f} s ({args.samples / best:,.0f} samples/s)"
    )
    print(f"assess (everything, one run): {whole:.3f} s")
    q = mc.quantiles["fsi"]
    print(f"FSI p05 {q['p05']:.4f}  p50 {q['p50']:.4f}  p95 {q['p95']:.4f}")
    verdict = "meets" if best < TARGET_SECONDS else "MISSES"
    print(f"{verdict} the target of {TARGET_SECONDS:g} s for the Monte Carlo")
    print(
        f"mc_samples={args.samples} mc_seconds={best:.4f} "
        f"mc_samples_per_s={args.samples / best:.1f} assess_seconds={whole:.4f}"
    )


if __name__ == "__main__":
    main()
