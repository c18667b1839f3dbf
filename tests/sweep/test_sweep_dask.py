"""The Dask backend: identical results to in-process, and a worker killed mid-sweep.

One LocalCluster of 2 worker processes serves the whole module; the killed worker is restarted
by its nanny, so the tests do not depend on their order.
"""

from __future__ import annotations

import importlib
import os
import signal

import pandas as pd
import pytest

from detente.sweep.backends import DaskBackend
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


def test_local_cluster_from_workers_option(tmp_path):
    s = spec(points=300, chunk_size=100)
    with DaskBackend(workers=1) as backend:
        outcome = run_sweep(s, tmp_path / "one.duckdb", backend=backend)
    assert outcome.complete
    run_sweep(s, tmp_path / "ref.duckdb")
    pd.testing.assert_frame_equal(
        results(tmp_path / "one.duckdb"), results(tmp_path / "ref.duckdb")
    )


def test_cli_local_cluster_ends_without_a_traceback(tmp_path, detente_cli):
    """``detente sweep --workers 2``: the workers are retired before the cluster closes, so a
    successful run prints no heartbeat or connection errors (it used to print a traceback)."""
    sweep = tmp_path / "ishigami.yaml"
    sweep.write_text(
        "model: ishigami\nsampler: lhs\npoints: 400\nseed: 1\nchunk_size: 100\nparameters:\n"
        + "".join(f"  - {{name: x{i}, bounds: [-3.14159, 3.14159]}}\n" for i in (1, 2, 3))
    )
    out = detente_cli("sweep", str(sweep), "--out", str(tmp_path / "s.duckdb"), "--workers", "2")
    assert out.returncode == 0, out.stderr
    assert "400 of 400 points" in out.stderr
    for noise in ("Traceback", "Error", "error", "CommClosed", "heartbeat"):
        assert noise not in out.stderr, out.stderr
