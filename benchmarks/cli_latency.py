"""One-off latency of the command line and of the front door against a bare ``import numpy``.

Run from the repository root:

    .venv/bin/python benchmarks/cli_latency.py [--repeat N] [--command ARGS ...]

Starts, ``N`` times each and interleaved:

* ``python -c "import numpy"`` (the yardstick);
* ``detente stability us-2025 ru-2025`` (or ``--command``);
* a fresh ``python`` that runs ``import detente as dt`` and then the first
  ``dt.stability("us-2025", "ru-2025")``, timing each inside the process (the call includes the
  imports it triggers: ``import detente`` is light and loads the rest on first use).

It prints the median wall time and the median CPU time (user + system, of the child) of
each, the load average, and the ratios. On a shared machine the wall clock waits for a CPU;
the CPU time says what the command costs. Each is run once before timing, with bytecode
writing allowed, so the project's bytecode is written (as an installed package has it), the
files are in the page cache and the bundled data are in the cache of
:mod:`detente.model.datacache`. The last line is machine-readable (one line):

    cli_s=<float> numpy_s=<float> ratio=<float> cli_cpu_s=<float> numpy_cpu_s=<float>
    cpu_ratio=<float> import_s=<float> import_cpu_s=<float> first_call_s=<float>
    first_call_cpu_s=<float>
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
#: The front door, timed inside a fresh process: wall and CPU of the import, then of the call.
FRONT_DOOR = """
import time
w, c = time.perf_counter(), time.process_time()
import detente as dt
w1, c1 = time.perf_counter(), time.process_time()
dt.stability("us-2025", "ru-2025").fsi
w2, c2 = time.perf_counter(), time.process_time()
print(w1 - w, c1 - c, w2 - w1, c2 - c1)
"""


def timed(argv, env=None):
    """Wall and CPU seconds (user + system of the child) of one run of ``argv``, and its
    output."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    env = {**os.environ, "NO_COLOR": "1", **(env or {})}
    done = subprocess.run(argv, check=True, stdout=subprocess.PIPE, text=True, env=env)
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return wall, cpu, done.stdout


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=7)
    parser.add_argument("--command", nargs="+", default=["stability", "us-2025", "ru-2025"])
    args = parser.parse_args(argv)
    runs = {
        "numpy": [PYTHON, "-c", "import numpy"],
        "cli": [DETENTE, *args.command],
        "front": [PYTHON, "-c", FRONT_DOOR],
    }
    for cmd in runs.values():  # warm: bytecode, page cache, bundled-data cache
        timed(cmd, env={"PYTHONDONTWRITEBYTECODE": ""})
    times = {name: [] for name in runs}
    for _ in range(args.repeat):
        for name, cmd in runs.items():
            times[name].append(timed(cmd))
    load = ", ".join(f"{x:.2f}" for x in os.getloadavg())
    print(f"one-off latency, median of {args.repeat}: {os.cpu_count()} CPUs, load average {load}")
    med = {}
    for name in ("numpy", "cli"):
        med[name] = [statistics.median(t[i] for t in times[name]) for i in (0, 1)]
        cmd = runs[name]
        label = " ".join(Path(cmd[0]).name if i == 0 else c for i, c in enumerate(cmd))
        print(f"{label:<45} {med[name][0]:6.3f} s wall  {med[name][1]:6.3f} s CPU")
    inner = [[float(x) for x in t[2].split()] for t in times["front"]]
    med["import"] = [statistics.median(t[i] for t in inner) for i in (0, 1)]
    med["first"] = [statistics.median(t[i] for t in inner) for i in (2, 3)]
    print(
        f"{'import detente (in a fresh process)':<45} {med['import'][0]:6.3f} s wall  "
        f"{med['import'][1]:6.3f} s CPU"
    )
    print(
        f"{'first dt.stability(us-2025, ru-2025)':<45} {med['first'][0]:6.3f} s wall  "
        f"{med['first'][1]:6.3f} s CPU"
    )
    (cli, cli_cpu), (num, num_cpu) = med["cli"], med["numpy"]
    print(
        f"cli_s={cli:.3f} numpy_s={num:.3f} ratio={cli / num:.2f} "
        f"cli_cpu_s={cli_cpu:.3f} numpy_cpu_s={num_cpu:.3f} cpu_ratio={cli_cpu / num_cpu:.2f} "
        f"import_s={med['import'][0]:.4f} import_cpu_s={med['import'][1]:.4f} "
        f"first_call_s={med['first'][0]:.3f} first_call_cpu_s={med['first'][1]:.3f}"
    )


if __name__ == "__main__":
    main()
