"""Throughput of the sweep engine: points per second in-process and on a local Dask cluster.

Run from the repository root:

    .venv/bin/python benchmarks/sweep_throughput.py [--model ishigami|stability]
        [--points N] [--chunk-size N] [--workers N [N ...]] [--example REPEAT]

A Latin-hypercube sweep is sampled once into a DuckDB file; copies of that file are then
evaluated in-process and on a ``LocalCluster`` of each ``--workers`` count of processes
(default 2; e.g. ``--workers 1 2 4``), and the results are checked to be identical (row
by row, in point-id order). Times are split into sampling (our vectorised Latin hypercube,
:func:`detente.sweep.samplers.latin_hypercube`), storing the points, starting and
readying the cluster (its workers start while the points are read back; then each evaluates
one point of the sweep and loads what its chunks need, and gets the base case once) and
evaluation (chunks evaluated and written to DuckDB: what a ``detente sweep`` run does after
sampling; its points per second are what ``detente sweep`` prints). Chunks are sized as
``detente sweep`` sizes them (:func:`detente.sweep.runner.chunk_size`, from the points and
the workers) unless ``--chunk-size`` fixes them. Each line also gives the CPU seconds and
peak memory of this process (the client: DuckDB writes, or the whole in-process evaluation)
and of the Dask workers, and the load average, which on a shared machine says how far to
trust the rate (CPU seconds are steadier there than wall times).

``--example REPEAT`` times instead ``detente sweep examples/sweep-after-new-start.yaml`` as
a user runs it, in-process and with each ``--workers`` count in turn, REPEAT times each: the
whole command's wall time and the evaluation rate it prints (best and median).

* ``ishigami`` (3 parameters) costs almost nothing: the figures are the engine's overhead per
  point (chunking, transport to workers, DuckDB writes).
* ``stability`` sweeps 5 inputs of the bundled after-New-START scenario
  (``examples/new-start-expiry.yaml``; the parameters of ``examples/sweeps/after-new-start.yaml``)
  through the batched Kent-Thaler kernel.

The last line is machine-readable:

    model=<str> points=<int> sample_s=<float> inprocess_points_per_s=<float>
    dask_points_per_s=<float> workers=<int> [dask_points_per_s_<N>=<float> ...]

(one line), ``dask_points_per_s`` and ``workers`` for the first ``--workers`` count.
"""

from __future__ import annotations

import argparse
import os
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import duckdb
import numpy as np

from detente.kernels import compiled
from detente.sweep.backends import DaskBackend, InProcess
from detente.sweep.registry import sweep_kernel
from detente.sweep.runner import chunk_size, run_sweep
from detente.sweep.samplers import sample
from detente.sweep.spec import parse_spec
from detente.sweep.store import SweepStore

ROOT = Path(__file__).resolve().parents[1]
EXAMPLE = ROOT / "examples" / "sweep-after-new-start.yaml"
DETENTE = Path(sys.executable).parent / "detente"
HEAD = "sampler: lhs\npoints: {points}\nseed: 1\n{chunks}parameters:\n"
SPECS = {
    "ishigami": "model: ishigami\n"
    + HEAD
    + "".join(f"  - {{{{name: x{i}, bounds: [-3.14159, 3.14159]}}}}\n" for i in (1, 2, 3)),
    "stability": f"model: stability\nbase: {ROOT / 'examples' / 'new-start-expiry.yaml'}\n"
    + HEAD
    + """\
  - {{name: parties.US.holdings.minuteman-iii.loading, values: [1, 2, 3]}}
  - {{name: parties.RU.holdings.rs-24-yars-mobile.loading, values: [1, 2, 3, 4]}}
  - {{name: parties.US.holdings.trident-ii-d5.loading, bounds: [4, 8]}}
  - {{name: parties.RU.holdings.rs-24-yars-mobile.alert.day_to_day, bounds: [0.0, 0.3]}}
  - {{name: parameters.de, dist: triangular, low: 0.5, mode: 0.8, high: 0.95}}
""",
}


def _load() -> str:
    return ", ".join(f"{x:.1f}" for x in os.getloadavg())


def _peak_mib() -> float:
    """Peak resident memory of this process [MiB]."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _usage() -> tuple[float, float]:
    """CPU seconds and peak resident memory [MiB] of this process (run on each worker)."""
    return time.process_time(), _peak_mib()


def _differing_rows(a: Path, b: Path) -> int:
    """Rows of ``results`` not identical in the two files: column by column, each placed by
    point id (no sort, no join: DuckDB's ``EXCEPT ALL`` both ways took 5 GiB at ten million
    points, a sorted read of both files as much)."""
    with duckdb.connect(str(a), read_only=True) as ca, duckdb.connect(str(b), read_only=True) as cb:
        names = [d[0] for d in ca.execute("SELECT * FROM results LIMIT 0").description]
        if names != [d[0] for d in cb.execute("SELECT * FROM results LIMIT 0").description]:
            raise AssertionError("the two files' results have different columns")
        ids = [c.execute("SELECT point_id FROM results").fetchnumpy()["point_id"] for c in (ca, cb)]
        if len(ids[0]) != len(ids[1]):
            return abs(len(ids[0]) - len(ids[1]))
        n = int(max(ids[0].max(initial=-1), ids[1].max(initial=-1))) + 1
        differing = np.zeros(n, dtype=bool)
        for name in names[1:]:
            sql = f'SELECT "{name}" AS v FROM results'
            u, v = (c.execute(sql).fetchnumpy()["v"] for c in (ca, cb))
            x, y = np.empty(n, dtype=u.dtype), np.empty(n, dtype=v.dtype)
            x[ids[0]], y[ids[1]] = u, v
            differing |= ~((x == y) | ((x != x) & (y != y)))  # NaN equals NaN
        seen = np.zeros((2, n), dtype=bool)
        seen[0, ids[0]], seen[1, ids[1]] = True, True
        both = seen.all(axis=0)
        return int((differing & both).sum() + (seen.any(axis=0) & ~both).sum())


def example(workers: list[int], repeat: int) -> None:
    """``detente sweep`` on :data:`EXAMPLE` as a user runs it, in-process and with each
    ``--workers`` count, ``repeat`` times in turn: the whole command's wall time (imports,
    sampling, cluster start and close included) and the evaluation rate it prints."""
    runs: dict[str, list[tuple[float, float]]] = {}
    options = {"in-process": [], **{f"--workers {w}": ["--workers", str(w)] for w in workers}}
    with tempfile.TemporaryDirectory() as tmp:
        for i in range(repeat):
            for label, extra in options.items():
                out = Path(tmp) / f"{i}-{label.replace(' ', '')}.duckdb"
                cmd = [str(DETENTE), "sweep", str(EXAMPLE), "--out", str(out), *extra]
                t0 = time.perf_counter()
                done = subprocess.run(cmd, capture_output=True, text=True, check=True)
                wall = time.perf_counter() - t0
                *progress, last = done.stderr.splitlines()
                noise = [line for line in progress if not line.startswith(("stored ", "note: "))]
                assert not noise, f"{label} printed more than its progress: {done.stderr}"
                rate = float(last.rsplit(" at ", 1)[1].split()[0].replace(",", ""))
                runs.setdefault(label, []).append((wall, rate))
    print(f"{os.cpu_count()} CPUs, load average {_load()}; {EXAMPLE.name}, {repeat} runs each")
    for label, got in runs.items():
        walls, rates = sorted(w for w, _ in got), sorted(r for _, r in got)
        print(
            f"{label:12s} wall best {walls[0]:5.2f} s, median {statistics.median(walls):5.2f} s; "
            f"evaluation best {rates[-1]:9,.0f} points/s, median {statistics.median(rates):9,.0f}"
        )
    print(
        "example "
        + " ".join(
            f"{label.replace('--workers ', 'workers_')}_wall_s={min(w for w, _ in got):.2f}"
            for label, got in runs.items()
        )
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--model", choices=sorted(SPECS), default="stability")
    parser.add_argument("--points", type=int, default=1_000_000)
    parser.add_argument("--chunk-size", type=int, default=None)
    parser.add_argument("--workers", type=int, nargs="+", default=[2])
    parser.add_argument(
        "--example", type=int, metavar="REPEAT", default=0,
        help="time `detente sweep` on the 4,698-point example instead, REPEAT runs each",
    )  # fmt: skip
    args = parser.parse_args()
    if args.example:
        example(args.workers, args.example)
        return
    chunks = f"chunk_size: {args.chunk_size}\n" if args.chunk_size else ""
    spec = parse_spec(SPECS[args.model].format(points=args.points, chunks=chunks))
    if compiled.available():
        compiled.load()  # compiled once for this machine: "auto" chooses it for large sweeps

    with tempfile.TemporaryDirectory() as tmp:
        template = Path(tmp) / "template.duckdb"
        t0 = time.perf_counter()
        points = sample(spec)
        sample_s = time.perf_counter() - t0
        t0 = time.perf_counter()
        kernel = sweep_kernel(spec.model, spec.n_points)  # every backend runs it
        with SweepStore(template) as store:
            store.initialise(spec, points)
            store.record_kernel(kernel)
        del points
        init_s = time.perf_counter() - t0
        print(f"{os.cpu_count()} CPUs, load average {_load()}")
        size = args.chunk_size or chunk_size(spec.n_points)
        print(
            f"model {spec.model}: {spec.n_points:,} points, in-process chunks of {size:,}, "
            f"{kernel} kernel"
        )
        print(f"sampling (Latin hypercube): {sample_s:8.2f} s")
        print(f"storing the points:         {init_s:8.2f} s")

        local_file = Path(tmp) / "local.duckdb"
        shutil.copy(template, local_file)
        cpu = time.process_time()
        with InProcess() as backend:
            local = run_sweep(spec, local_file, backend=backend)
        cpu = time.process_time() - cpu
        print(
            f"in-process evaluation:      {local.seconds:8.2f} s {local.points_per_s:12,.0f} "
            f"points/s; CPU {cpu:.1f} s; peak memory {_peak_mib():,.0f} MiB; load {_load()}"
        )
        assert local.complete

        rates = {}
        for workers in args.workers:
            dask_file = Path(tmp) / f"dask-{workers}.duckdb"
            shutil.copy(template, dask_file)
            t0 = time.perf_counter()
            with DaskBackend(workers=workers) as backend:  # workers start in the background
                cpu = time.process_time()
                remote = run_sweep(spec, dask_file, backend=backend)
                t1, cpu = time.perf_counter(), time.process_time() - cpu
                # CPU and peak memory of each worker since it was forked (readying included)
                used = backend.client.run(_usage)
            close_s = time.perf_counter() - t1
            start_s = t1 - t0 - remote.seconds  # until the workers were ready
            rates[workers] = remote.points_per_s
            size = args.chunk_size or chunk_size(spec.n_points, workers)
            print(
                f"Dask, {workers} workers (chunks of {size:,}): cluster start and ready "
                f"{start_s:5.2f} s, evaluation {remote.seconds:8.2f} s "
                f"{remote.points_per_s:12,.0f} points/s "
                f"({remote.points_per_s / local.points_per_s:.2f}x in-process), close "
                f"{close_s:4.2f} s; CPU client {cpu:.1f} s, workers "
                f"{sum(c for c, _ in used.values()):.1f} s; peak memory client "
                f"{_peak_mib():,.0f} MiB, each worker <= {max(m for _, m in used.values()):,.0f} "
                f"MiB; load {_load()}"
            )
            assert remote.complete
            differing = _differing_rows(local_file, dask_file)
            assert differing == 0, f"{differing} rows differ from the in-process run"
            dask_file.unlink()
        print("results identical in-process and on Dask")
    first = args.workers[0]
    print(
        f"model={spec.model} points={spec.n_points} sample_s={sample_s:.3f} "
        f"inprocess_points_per_s={local.points_per_s:.0f} "
        f"dask_points_per_s={rates[first]:.0f} workers={first} "
        + " ".join(f"dask_points_per_s_{w}={r:.0f}" for w, r in rates.items())
    )


if __name__ == "__main__":
    main()
