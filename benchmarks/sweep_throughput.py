"""Throughput of the sweep engine: points per second in-process and on a local Dask cluster.

Run from the repository root:

    .venv/bin/python benchmarks/sweep_throughput.py [--points N] [--chunk-size N] [--workers N]

A Latin-hypercube sweep of the Ishigami function (3 parameters) is sampled once into a DuckDB
file; copies of that file are then evaluated in-process and on a ``LocalCluster`` of
``--workers`` processes (default 2). Times are split into sampling (SALib), storing the
points, starting the cluster, and evaluation (chunks evaluated and written to DuckDB: what a
``detente sweep`` run does after sampling). The Ishigami function costs almost nothing, so the
figures measure the engine's overhead per point: chunking, transport to workers, and DuckDB
writes. The last line is machine-readable:

    sample_s=<float> inprocess_points_per_s=<float> dask_points_per_s=<float> workers=<int>
"""

from __future__ import annotations

import argparse
import shutil
import tempfile
import time
from pathlib import Path

import pandas as pd

from detente.sweep.backends import DaskBackend, InProcess
from detente.sweep.runner import run_sweep
from detente.sweep.samplers import sample
from detente.sweep.spec import parse_spec
from detente.sweep.store import SweepStore

SPEC = """\
model: ishigami
sampler: lhs
points: {points}
seed: 1
chunk_size: {chunk_size}
parameters:
  - {{name: x1, bounds: [-3.141592653589793, 3.141592653589793]}}
  - {{name: x2, bounds: [-3.141592653589793, 3.141592653589793]}}
  - {{name: x3, bounds: [-3.141592653589793, 3.141592653589793]}}
"""


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--points", type=int, default=1_000_000)
    parser.add_argument("--chunk-size", type=int, default=50_000)
    parser.add_argument("--workers", type=int, default=2)
    args = parser.parse_args()
    spec = parse_spec(SPEC.format(points=args.points, chunk_size=args.chunk_size))

    with tempfile.TemporaryDirectory() as tmp:
        template = Path(tmp) / "template.duckdb"
        t0 = time.perf_counter()
        points = sample(spec)
        sample_s = time.perf_counter() - t0
        t0 = time.perf_counter()
        with SweepStore(template) as store:
            store.initialise(spec, points)
        init_s = time.perf_counter() - t0
        print(f"{spec.n_points:,} points, chunk size {spec.chunk_size:,}")
        print(f"sampling (SALib LHS):       {sample_s:8.2f} s")
        print(f"storing the points:         {init_s:8.2f} s")

        local_file, dask_file = Path(tmp) / "local.duckdb", Path(tmp) / "dask.duckdb"
        shutil.copy(template, local_file)
        shutil.copy(template, dask_file)
        with InProcess() as backend:
            local = run_sweep(spec, local_file, backend=backend)
        rate = f"{local.points_per_s:12,.0f} points/s"
        print(f"in-process evaluation:      {local.seconds:8.2f} s  {rate}")

        t0 = time.perf_counter()
        with DaskBackend(workers=args.workers) as backend:
            start_s = time.perf_counter() - t0
            remote = run_sweep(spec, dask_file, backend=backend)
        print(f"Dask cluster start:         {start_s:8.2f} s")
        print(
            f"Dask evaluation, {args.workers} workers: {remote.seconds:8.2f} s  "
            f"{remote.points_per_s:12,.0f} points/s"
        )
        assert local.complete and remote.complete
        with SweepStore(local_file, read_only=True) as a:
            expected = a.results()
        with SweepStore(dask_file, read_only=True) as b:
            pd.testing.assert_frame_equal(b.results(), expected, check_exact=True)
        print("results identical in-process and on Dask")
    print(
        f"sample_s={sample_s:.3f} inprocess_points_per_s={local.points_per_s:.0f} "
        f"dask_points_per_s={remote.points_per_s:.0f} workers={args.workers}"
    )


if __name__ == "__main__":
    main()
