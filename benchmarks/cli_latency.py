"""One-off latency of the command line against a bare ``import numpy``.

Run from the repository root:

    .venv/bin/python benchmarks/cli_latency.py [--repeat N] [--command ARGS ...]

Starts ``python -c "import numpy"`` and ``detente stability us-2025 ru-2025`` (or
``--command``) ``N`` times each, interleaved, and prints the median wall time and the median
CPU time (user + system, of the child) of each, the load average, and the ratios. On a shared
machine the wall clock waits for a CPU; the CPU time says what the command costs. The first
start of each is run once before timing (files in the page cache, the bundled data parsed
into the cache of :mod:`detente.model.yamlio`). The last line is machine-readable:

    cli_s=<float> numpy_s=<float> ratio=<float> cli_cpu_s=<float> numpy_cpu_s=<float>
    cpu_ratio=<float>

(one line).
"""

from __future__ import annotations

import argparse
import os
import resource
import statistics
import subprocess
import sys
import time
from pathlib import Path

PYTHON = sys.executable
DETENTE = str(Path(PYTHON).with_name("detente"))


def timed(argv):
    """Wall and CPU seconds (user + system of the child) of one run of ``argv``."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    env = {**os.environ, "NO_COLOR": "1"}
    subprocess.run(argv, check=True, stdout=subprocess.DEVNULL, env=env)
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return wall, cpu


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=7)
    parser.add_argument("--command", nargs="+", default=["stability", "us-2025", "ru-2025"])
    args = parser.parse_args(argv)
    runs = {"numpy": [PYTHON, "-c", "import numpy"], "cli": [DETENTE, *args.command]}
    for cmd in runs.values():
        timed(cmd)  # warm: page cache, parsed-data cache
    times = {name: [] for name in runs}
    for _ in range(args.repeat):
        for name, cmd in runs.items():
            times[name].append(timed(cmd))
    load = ", ".join(f"{x:.2f}" for x in os.getloadavg())
    print(f"one-off latency, median of {args.repeat}: {os.cpu_count()} CPUs, load average {load}")
    med = {}
    for name, cmd in runs.items():
        wall = statistics.median(t[0] for t in times[name])
        cpu = statistics.median(t[1] for t in times[name])
        med[name] = wall, cpu
        label = " ".join(Path(cmd[0]).name if i == 0 else c for i, c in enumerate(cmd))
        print(f"{label:<45} {wall:6.3f} s wall  {cpu:6.3f} s CPU")
    (cli, cli_cpu), (num, num_cpu) = med["cli"], med["numpy"]
    print(
        f"cli_s={cli:.3f} numpy_s={num:.3f} ratio={cli / num:.2f} "
        f"cli_cpu_s={cli_cpu:.3f} numpy_cpu_s={num_cpu:.3f} cpu_ratio={cli_cpu / num_cpu:.2f}"
    )


if __name__ == "__main__":
    main()
