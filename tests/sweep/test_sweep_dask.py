"""The Dask backend: identical results to in-process, a worker killed mid-sweep, warm workers
of a local cluster, and a cluster started with the ``dask`` commands as docs/sweeps.md shows.

One LocalCluster of 2 worker processes serves most of the module; the killed worker is
restarted by its nanny, so the tests do not depend on their order.
"""

from __future__ import annotations

import importlib
import json
import os
import re
import signal
import subprocess
import sys
import time
from pathlib import Path

import pandas as pd
import pytest
from processes import stop

from detente.sweep.backends import WORKER_ENV, DaskBackend
from detente.sweep.runner import run_sweep
from detente.sweep.spec import parse_spec
from detente.sweep.store import SweepStore

distributed = pytest.importorskip("distributed")

pytestmark = pytest.mark.slow  # a cluster of worker processes

SPEC = """
model: ishigami
base: {{sleep_s: {sleep_s}}}
sampler: lhs
points: {points}
seed: 7
chunk_size: {chunk_size}
parameters:
  - {{name: x1, bounds: [-3.141592653589793, 3.141592653589793]}}
  - {{name: x2, dist: normal, mean: 0.0, sd: 1.0}}
  - {{name: x3, values: [-2.0, 0.0, 1.5]}}
"""


def spec(points=2000, chunk_size=150, sleep_s=0.0):
    return parse_spec(SPEC.format(points=points, chunk_size=chunk_size, sleep_s=sleep_s))


def results(path) -> pd.DataFrame:
    with SweepStore(path, read_only=True) as store:
        return store.results()


@pytest.fixture(scope="module")
def cluster():
    with (
        distributed.LocalCluster(
            n_workers=2, processes=True, threads_per_worker=1, dashboard_address=":0"
        ) as c,
        distributed.Client(c) as client,
    ):
        client.run(importlib.import_module, "detente.sweep.evaluators")  # warm the workers
        yield c, client


def test_dask_results_identical_to_in_process(cluster, tmp_path):
    s = spec()
    local = run_sweep(s, tmp_path / "local.duckdb")
    with DaskBackend(scheduler=cluster[0].scheduler_address) as backend:
        remote = run_sweep(s, tmp_path / "dask.duckdb", backend=backend)
    assert local.complete and remote.complete
    a, b = results(tmp_path / "local.duckdb"), results(tmp_path / "dask.duckdb")
    assert len(a) == s.n_points
    pd.testing.assert_frame_equal(a, b, check_exact=True)


def test_worker_killed_mid_sweep_every_point_once(cluster, tmp_path):
    _, client = cluster
    client.wait_for_workers(2, timeout=30)
    s = spec(points=1200, chunk_size=60, sleep_s=0.15)  # 20 chunks of 0.15 s on 2 workers
    killed = []

    def kill_one_worker_after_first_chunk(stored, total):
        if stored > 0 and not killed:
            pids = client.run(os.getpid)
            pid = sorted(pids.values())[0]
            os.kill(pid, signal.SIGKILL)
            killed.append(pid)

    with DaskBackend(scheduler=cluster[0].scheduler_address) as backend:
        outcome = run_sweep(
            s,
            tmp_path / "killed.duckdb",
            backend=backend,
            progress=kill_one_worker_after_first_chunk,
        )
    assert killed, "no worker was killed"
    assert killed[0] not in client.run(os.getpid).values()
    assert outcome.complete and outcome.evaluated == s.n_points
    got = results(tmp_path / "killed.duckdb")
    assert got["point_id"].tolist() == list(range(s.n_points))  # each point exactly once
    run_sweep(s.model_copy(update={"base": {**s.base, "sleep_s": 0.0}}), tmp_path / "ref.duckdb")
    pd.testing.assert_frame_equal(got, results(tmp_path / "ref.duckdb"), check_exact=True)


def test_local_cluster_sends_chunks_to_actors_and_survives_a_killed_worker(tmp_path, monkeypatch):
    """``--workers``: chunks go straight to one actor per worker (detente.sweep.actors); when
    a worker is killed mid-sweep its chunks go to the other actor, each point stored once,
    the results those of the in-process run."""
    from detente.sweep import actors

    calls = []
    imap = actors.imap
    monkeypatch.setattr(actors, "imap", lambda *a, **k: calls.append(1) or imap(*a, **k))
    s = spec(points=1200, chunk_size=60, sleep_s=0.15)  # 20 chunks of 0.15 s on 2 workers
    killed = []
    with DaskBackend(workers=2) as backend:

        def kill_one_worker_after_first_batch(stored, total):
            if stored > 0 and not killed:
                pid = sorted(backend.client.run(os.getpid).values())[0]
                os.kill(pid, signal.SIGKILL)
                killed.append(pid)

        outcome = run_sweep(
            s, tmp_path / "killed.duckdb", backend=backend,
            progress=kill_one_worker_after_first_batch,
        )  # fmt: skip
    assert calls == [1], "the local cluster's chunks did not go to its actors"
    assert killed and outcome.complete and outcome.evaluated == s.n_points
    got = results(tmp_path / "killed.duckdb")
    assert got["point_id"].tolist() == list(range(s.n_points))  # each point exactly once
    run_sweep(s.model_copy(update={"base": {**s.base, "sleep_s": 0.0}}), tmp_path / "ref.duckdb")
    pd.testing.assert_frame_equal(got, results(tmp_path / "ref.duckdb"), check_exact=True)


def _worker_state() -> tuple[dict[str, str | None], bool]:
    """A worker's pinned environment, and whether it started with the model imported."""
    return {k: os.environ.get(k) for k in WORKER_ENV}, "detente.sweep.stability_model" in (
        sys.modules
    )


def test_local_cluster_from_workers_option(tmp_path):
    s = spec(points=300, chunk_size=100)
    with DaskBackend(workers=1) as backend:
        backend.client.wait_for_workers(1)
        state = backend.client.run(_worker_state)  # before any task of the sweep
        outcome = run_sweep(s, tmp_path / "one.duckdb", backend=backend)
    assert outcome.complete
    # one thread per worker process, and the model's imports done before the first task
    assert list(state.values()) == [(WORKER_ENV, True)]
    run_sweep(s, tmp_path / "ref.duckdb")
    pd.testing.assert_frame_equal(
        results(tmp_path / "one.duckdb"), results(tmp_path / "ref.duckdb")
    )


@pytest.mark.e2e
def test_cli_local_cluster_ends_without_a_traceback(tmp_path, detente_cli):
    """``detente sweep --workers 2``: the workers are retired before the cluster closes and
    log errors only, so a successful run prints its progress and its last line, nothing else
    (it used to print a heartbeat traceback, then workers' connection notes)."""
    sweep = tmp_path / "ishigami.yaml"
    sweep.write_text(
        "model: ishigami\nsampler: lhs\npoints: 400\nseed: 1\nparameters:\n"
        + "".join(f"  - {{name: x{i}, bounds: [-3.14159, 3.14159]}}\n" for i in (1, 2, 3))
    )
    out = detente_cli("sweep", str(sweep), "--out", str(tmp_path / "s.duckdb"), "--workers", "2")
    assert out.returncode == 0, out.stderr
    *progress, note, last = out.stderr.splitlines()
    assert progress[0] == "stored 0 of 400 points" and progress[-1] == "stored 400 of 400 points"
    assert all(line.startswith("stored ") for line in progress), out.stderr
    # 400 points take milliseconds: the cluster's start (seconds) is said to cost more
    match = re.fullmatch(
        r"note: (\d+\.\d) s went to getting ready \(Dask's import and the 2-worker cluster's "
        r"start, while the sweep was read, sampled and stored\) and (\d+\.\d\d) s to the "
        r"evaluation: a sweep this small is quicker without --workers "
        r"\(docs/sweeps.md, Throughput\)",
        note,
    )
    assert match and float(match[1]) > float(match[2]), out.stderr
    assert last.startswith("400 of 400 points in "), out.stderr


DASK = Path(sys.executable).parent / "dask"
DETENTE = Path(sys.executable).parent / "detente"


def _start(args: list[str], **kwargs) -> subprocess.Popen:
    return subprocess.Popen(
        [str(DASK), *args], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, **kwargs
    )


@pytest.mark.e2e
def test_cli_on_a_cluster_started_with_the_dask_commands(tmp_path, detente_cli):
    """docs/sweeps.md's recipe: ``dask scheduler``, ``dask worker ... --preload
    detente.sweep.worker``, then ``detente sweep --scheduler``: the same results as
    in-process, a clean end, and the cluster left running."""
    address_file = tmp_path / "scheduler.json"
    scheduler = _start(
        ["scheduler", "--scheduler-file", str(address_file), "--port", "0",
         "--dashboard-address", ":0"]
    )  # fmt: skip
    worker = None
    try:
        worker = _start(
            ["worker", "--scheduler-file", str(address_file), "--nworkers", "2",
             "--nthreads", "1", "--preload", "detente.sweep.worker", "--no-dashboard"],
            env={**os.environ, **WORKER_ENV},
        )  # fmt: skip
        with distributed.Client(scheduler_file=str(address_file), timeout=60) as client:
            client.wait_for_workers(2, timeout=120)
            warm = client.run(lambda: "detente.sweep.stability_model" in sys.modules)
            address = json.loads(address_file.read_text())["address"]
            sweep = tmp_path / "ishigami.yaml"
            sweep.write_text(SPEC.format(points=600, chunk_size=100, sleep_s=0.0))
            out = detente_cli(
                "sweep", str(sweep), "--out", str(tmp_path / "c.duckdb"), "--scheduler", address
            )
            assert out.returncode == 0, out.stderr
            *progress, last = out.stderr.splitlines()
            assert all(line.startswith("stored ") for line in progress), out.stderr
            assert last.startswith("600 of 600 points in "), out.stderr
            assert len(client.nthreads()) == 2  # detente left the cluster running
        assert list(warm.values()) == [True, True]  # preloaded before the sweep connected
        run_sweep(spec(points=600, chunk_size=100), tmp_path / "ref.duckdb")
        pd.testing.assert_frame_equal(
            results(tmp_path / "c.duckdb"), results(tmp_path / "ref.duckdb"), check_exact=True
        )
    finally:
        if worker is not None:
            stop(worker)
        stop(scheduler)


def _children(pid: int) -> list[int]:
    return [int(c) for c in Path(f"/proc/{pid}/task/{pid}/children").read_text().split()]


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    return Path(f"/proc/{pid}/stat").read_text().split()[2] != "Z"  # not a zombie


@pytest.mark.e2e
@pytest.mark.skipif(not Path("/proc").is_dir(), reason="reads /proc")
def test_workers_exit_with_a_killed_client(tmp_path):
    """A ``detente sweep --workers 2`` killed outright (SIGKILL: no clean-up) leaves no worker
    behind: forked workers watch the process that started them."""
    sweep = tmp_path / "slow.yaml"
    sweep.write_text(SPEC.format(points=2000, chunk_size=50, sleep_s=0.2))
    cmd = [str(DETENTE), "sweep", str(sweep), "--out", str(tmp_path / "k.duckdb"), "--workers", "2"]
    proc = subprocess.Popen(cmd, stderr=subprocess.PIPE, text=True)
    try:
        for line in proc.stderr:
            if line.startswith("stored ") and int(line.split()[1]) > 0:
                break
        children = _children(proc.pid)  # the forkserver and Python's resource tracker
        server = [c for c in children if b"forkserver" in Path(f"/proc/{c}/cmdline").read_bytes()]
        workers = [w for s in server for w in _children(s)]
        assert len(workers) == 2, (children, server, workers)
        proc.kill()
        proc.wait(timeout=30)
        deadline = time.monotonic() + 30
        while any(_alive(p) for p in [*children, *workers]) and time.monotonic() < deadline:
            time.sleep(0.2)
        assert not [p for p in [*children, *workers] if _alive(p)]
    finally:
        proc.kill()


PROBE = """
import sys
import numpy as np
from detente.sweep.spec import load_spec
from detente.sweep.samplers import sample
from detente.sweep.evaluators import Chunk, evaluate_chunk
spec = load_spec(sys.argv[1])
first = {k: v[:1] for k, v in sample(spec).items()}
import importlib
from detente.sweep.backends import PRELOAD
for module in PRELOAD:
    importlib.import_module(module)
before = set(sys.modules)
evaluate_chunk(spec.model, spec.base, spec.outputs, Chunk(np.arange(1), first))
new = {m.split(".")[0] for m in set(sys.modules) - before} - {m.split(".")[0] for m in before}
print(sorted(new - set(sys.stdlib_module_names) - {"detente"}))
"""


def test_the_worker_preload_covers_a_stability_task():
    """What a forked worker starts with (:data:`~detente.sweep.backends.PRELOAD`) is every
    package a stability sweep's task imports: its first task imports no library of its own."""
    example = Path(__file__).parents[2] / "examples" / "sweep-after-new-start.yaml"
    done = subprocess.run(
        [sys.executable, "-c", PROBE, str(example)], capture_output=True, text=True, check=True
    )
    assert done.stdout.split("\n")[-2] == "[]", done.stdout


OTHER_FORKSERVER = """
import multiprocessing, os, sys
from multiprocessing import forkserver
multiprocessing.get_context("forkserver").set_forkserver_preload(["json"])
forkserver.ensure_running()  # as the web app's worker pool does, before any sweep
from detente.sweep.backends import WORKER_ENV, DaskBackend
def state():
    env = {k: os.environ.get(k) for k in WORKER_ENV}
    return env == WORKER_ENV, "detente.sweep.stability_model" in sys.modules
with DaskBackend(workers=1) as backend:
    backend.client.wait_for_workers(1)
    print(list(backend.client.run(state).values()))
"""


def test_a_process_whose_forkserver_is_taken_spawns_warm_pinned_workers():
    """Where other code started the process's one forkserver (its own imports and
    environment), a local cluster spawns its workers instead, with the same environment and
    the model imported as they start."""
    done = subprocess.run(
        [sys.executable, "-c", OTHER_FORKSERVER], capture_output=True, text=True, timeout=300
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.split("\n")[-2] == "[(True, True)]", done.stdout


@pytest.mark.skipif(not Path("/proc").is_dir(), reason="reads /proc")
def test_a_closed_cluster_leaves_the_forkserver_to_others():
    """A local cluster stops the forkserver it started when it closes: a later user of the
    process's one forkserver (the web app's pool) starts its own, with its own imports."""
    code = """
import multiprocessing
from multiprocessing import forkserver
from detente.sweep.backends import DaskBackend
with DaskBackend(workers=1) as backend:
    backend.client.wait_for_workers(1)
ctx = multiprocessing.get_context("forkserver")
ctx.set_forkserver_preload(["json"])
process = ctx.Process(target=print)
process.start()
process.join()
pid = forkserver._forkserver._forkserver_pid
print(open(f"/proc/{pid}/cmdline", "rb").read().replace(bytes(1), b" ").decode())
"""
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    server = done.stdout.split("\n")[-2]  # the command line of the server running now
    assert "['json']" in server and "detente.sweep.worker" not in server, server
