"""The runner's distribution part: chunks sized from the points and the workers, results
written in batches, and what was received written before an interrupted run ends."""

from __future__ import annotations

import duckdb
import pytest

from detente.sweep.backends import InProcess
from detente.sweep.runner import chunk_size, run_sweep
from detente.sweep.spec import parse_spec

SPEC = """
model: ishigami
sampler: lhs
points: 1000
seed: 3
{chunks}parameters:
  - {{name: x1, bounds: [-3.141592653589793, 3.141592653589793]}}
  - {{name: x2, bounds: [-3.141592653589793, 3.141592653589793]}}
"""


class Batched(InProcess):
    """In-process chunks, written as a cluster's are: in batches of up to an hour, and
    optionally stopped (KeyboardInterrupt) after ``stop_after`` chunks."""

    flush_s = 3600.0

    def __init__(self, threads: int = 1, stop_after: int | None = None) -> None:
        self.threads, self.stop_after, self.sizes = threads, stop_after, []

    def imap(self, model, base, outputs, chunks, kernel="numpy"):
        for i, result in enumerate(super().imap(model, base, outputs, chunks, kernel)):
            if i == self.stop_after:
                raise KeyboardInterrupt
            self.sizes.append(len(result["point_id"]))
            yield result


def _sessions(path):
    with duckdb.connect(str(path), read_only=True) as con:
        return con.execute("SELECT status, stored_after FROM sessions").fetchall()


@pytest.mark.parametrize(
    ("n", "threads", "size"),
    [(1, 1, 1), (3, 4, 1), (4_698, 1, 4_698), (4_698, 2, 2_349), (80_001, 1, 20_001),
     (100_000, 2, 16_667), (10**6, 4, 62_500), (10**7, 2, 100_000)],
)  # fmt: skip
def test_chunks_cover_the_points_in_whole_waves(n, threads, size):
    assert chunk_size(n, threads) == size
    tasks = -(-n // size)
    assert size <= 100_000 and (tasks % threads == 0 or n < threads)


def test_chunks_are_sized_for_the_workers_unless_the_file_fixes_them(tmp_path):
    backend = Batched(threads=2)
    run_sweep(parse_spec(SPEC.format(chunks="")), tmp_path / "auto.duckdb", backend=backend)
    assert backend.sizes == [500, 500]
    backend = Batched(threads=2)
    fixed = parse_spec(SPEC.format(chunks="chunk_size: 300\n"))
    run_sweep(fixed, tmp_path / "fixed.duckdb", backend=backend)
    assert backend.sizes == [300, 300, 300, 100]


def test_results_are_written_in_one_batch(tmp_path):
    calls = []
    spec = parse_spec(SPEC.format(chunks="chunk_size: 100\n"))
    out = run_sweep(
        spec, tmp_path / "s.duckdb", backend=Batched(), progress=lambda *a: calls.append(a)
    )
    assert out.complete
    assert calls == [(0, 1000), (1000, 1000)]  # the start, then one write of ten chunks


def test_an_interrupt_writes_what_was_received_first(tmp_path):
    spec = parse_spec(SPEC.format(chunks="chunk_size: 100\n"))
    path = tmp_path / "s.duckdb"
    with pytest.raises(KeyboardInterrupt):
        run_sweep(spec, path, backend=Batched(stop_after=3))
    assert _sessions(path) == [("interrupted", 300)]  # three chunks received, three stored
    assert run_sweep(spec, path).evaluated == 700
