"""The DuckDB store: spec and points recorded once, idempotent chunk writes, resume
bookkeeping, a refused foreign spec, Parquet export with provenance."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pyarrow.parquet as pq
import pytest

from detente.errors import InputError
from detente.sweep.evaluators import Chunk, evaluate_chunk
from detente.sweep.samplers import sample
from detente.sweep.spec import parse_spec
from detente.sweep.store import SweepStore

SPEC = """\
model: ishigami
sampler: grid
parameters:
  - {name: x1, bounds: [0, 3], levels: 4}
  - {name: x2, values: [0.5, 1.5, 2.5]}
"""


@pytest.fixture
def spec():
    return parse_spec(SPEC)


def chunk_result(store, spec, ids):
    pts = store.points(np.array(ids))
    chunk = Chunk(pts["point_id"].to_numpy(), {n: pts[n].to_numpy() for n in spec.names})
    return evaluate_chunk(spec.model, spec.base, None, chunk)


def test_initialise_records_spec_and_points(tmp_path, spec):
    with SweepStore(tmp_path / "s.duckdb") as store:
        assert not store.initialised
        run_id = store.initialise(spec, sample(spec))
        assert store.initialised and store.meta["run_id"] == run_id and len(run_id) == 32
        assert store.meta["n_points"] == 12 and store.meta["spec_hash"] == spec.digest()
        assert store.spec() == spec
        pts = store.points()
        assert pts["point_id"].tolist() == list(range(12))
        assert pts["x1"].tolist() == sample(spec)["x1"].tolist()
        with pytest.raises(ValueError, match="already holds a sweep"):
            store.initialise(spec, sample(spec))


def test_chunk_written_twice_is_stored_once(tmp_path, spec):
    with SweepStore(tmp_path / "s.duckdb") as store:
        store.initialise(spec, sample(spec))
        assert store.missing_point_ids().tolist() == list(range(12))
        first = chunk_result(store, spec, [3, 4, 5])
        assert store.write_results(first) == 3
        assert store.write_results(first) == 0
        assert store.write_results(chunk_result(store, spec, [5, 6])) == 1
        assert store.count() == 4
        assert store.missing_point_ids().tolist() == [0, 1, 2, *range(7, 12)]
        assert store.results()["point_id"].tolist() == [3, 4, 5, 6]


def test_a_failed_chunk_write_leaves_nothing_behind(tmp_path, spec):
    with SweepStore(tmp_path / "s.duckdb") as store:
        store.initialise(spec, sample(spec))
        store.write_results(chunk_result(store, spec, [0, 1]))
        bad = chunk_result(store, spec, [2, 3])
        bad["y"] = np.array(["not", "numbers"], dtype=object)  # cannot go into a DOUBLE column
        with pytest.raises(Exception, match=r"(?i)conver"):
            store.write_results(bad)
        assert store.count() == 2
        assert store.write_results(chunk_result(store, spec, [2, 3])) == 2


def test_a_different_spec_is_refused(tmp_path, spec):
    path = tmp_path / "s.duckdb"
    with SweepStore(path) as store:
        store.initialise(spec, sample(spec))
    other = parse_spec(SPEC.replace("levels: 4", "levels: 5"))
    with SweepStore(path) as store:
        store.check_spec(spec)  # the same spec passes
        with pytest.raises(InputError, match="holds a different sweep") as info:
            store.check_spec(other)
    assert info.value.file == str(path)


def test_parquet_export_keeps_rows_and_provenance(tmp_path, spec):
    path, parquet = tmp_path / "s.duckdb", tmp_path / "s.parquet"
    with SweepStore(path) as store:
        store.initialise(spec, sample(spec))
        with pytest.raises(ValueError, match="no results"):
            store.export_parquet(parquet)
        store.write_results(chunk_result(store, spec, list(range(12))))
        store.export_parquet(parquet)
        expected, meta = store.results(), store.meta
    pd.testing.assert_frame_equal(pd.read_parquet(parquet), expected, check_dtype=False)
    kv = pq.read_metadata(parquet).metadata
    assert kv[b"run_id"].decode() == meta["run_id"]
    assert kv[b"spec_hash"].decode() == meta["spec_hash"]


def test_sessions_are_logged(tmp_path, spec):
    with SweepStore(tmp_path / "s.duckdb") as store:
        store.initialise(spec, sample(spec))
        n = store.begin_session("in-process")
        store.write_results(chunk_result(store, spec, [0]))
        store.end_session(n, "interrupted")
        rows = store.sessions().to_dict("records")
    assert len(rows) == 1
    assert rows[0]["stored_before"] == 0 and rows[0]["stored_after"] == 1
    assert rows[0]["status"] == "interrupted" and rows[0]["backend"] == "in-process"


def test_files_that_are_not_sweeps_are_clear_errors(tmp_path):
    with pytest.raises(InputError, match="no such sweep file"):
        SweepStore(tmp_path / "missing.duckdb", read_only=True)
    text = tmp_path / "notes.duckdb"
    text.write_text("not a database")
    with pytest.raises(InputError, match="cannot open as a sweep file"):
        SweepStore(text)
    with (
        SweepStore(tmp_path / "empty.duckdb") as store,
        pytest.raises(InputError, match="no sweep"),
    ):
        store.meta  # noqa: B018


def test_a_batch_repeating_a_point_stores_it_once(tmp_path, spec):
    with SweepStore(tmp_path / "s.duckdb") as store:
        store.initialise(spec, sample(spec))
        store.write_results(chunk_result(store, spec, [1, 2]))
        a, b = chunk_result(store, spec, [2, 3, 4]), chunk_result(store, spec, [4, 5])
        batch = {k: np.concatenate([a[k], b[k]]) for k in a}  # 2 stored, 4 twice
        assert store.write_results(batch) == 3
        assert store.results()["point_id"].tolist() == [1, 2, 3, 4, 5]
    with SweepStore(tmp_path / "s.duckdb") as store:  # reopened: the stored ids are read
        assert store.write_results(chunk_result(store, spec, [5, 6])) == 1
        assert store.count() == 6


def test_a_point_id_outside_the_sweep_is_refused(tmp_path, spec):
    with SweepStore(tmp_path / "s.duckdb") as store:
        store.initialise(spec, sample(spec))
        result = chunk_result(store, spec, [10, 11])
        result["point_id"] = np.array([11, 12])
        with pytest.raises(ValueError, match="point ids must be 0 to 11"):
            store.write_results(result)
        assert store.count() == 0
