"""One kernel per sweep: chosen once (:func:`detente.kernels.compiled.sweep_kernel`), recorded
in the file, kept by a resumed run, and the same for every chunk whatever its size, so a
sweep's numbers do not depend on how its points were split."""

from __future__ import annotations

import duckdb
import numpy as np
import pandas as pd
import pytest

from detente.kernels import compiled
from detente.sweep.backends import InProcess
from detente.sweep.registry import sweep_kernel
from detente.sweep.runner import run_sweep
from detente.sweep.spec import load_spec
from detente.sweep.store import SweepStore

EXAMPLE = "examples/sweep-after-new-start.yaml"  # 4,698 points

needs_numba = pytest.mark.skipif(not compiled.available(), reason="numba is not installed")


def results(path) -> pd.DataFrame:
    with SweepStore(path, read_only=True) as store:
        return store.results()


class Interrupted(InProcess):
    """In-process, stopped (KeyboardInterrupt) after the first chunk."""

    def imap(self, model, base, outputs, chunks, kernel="numpy"):
        for i, result in enumerate(super().imap(model, base, outputs, chunks, kernel)):
            if i == 1:
                raise KeyboardInterrupt
            yield result


@pytest.fixture
def auto_from_2000_rows(monkeypatch):
    """Kernel "auto", with the compiled kernel loaded and its threshold at 2,000 rows: under a
    per-chunk choice, the example's 4,698-point chunk would run compiled and 1,000-point
    chunks on numpy."""
    monkeypatch.delenv("DETENTE_KERNEL", raising=False)
    monkeypatch.setattr(compiled, "AUTO_ROWS", 2_000)
    compiled.load()


@needs_numba
def test_one_kernel_for_every_chunk_whatever_their_size(auto_from_2000_rows, tmp_path):
    whole = run_sweep(load_spec(EXAMPLE), tmp_path / "whole.duckdb")
    split = run_sweep(load_spec(EXAMPLE, chunk_size=1_000), tmp_path / "split.duckdb")
    assert whole.kernel == split.kernel == "compiled"
    a, b = results(tmp_path / "whole.duckdb"), results(tmp_path / "split.duckdb")
    assert len(a) == 4_698
    pd.testing.assert_frame_equal(a, b, check_exact=True)


@needs_numba
def test_a_resumed_sweep_keeps_its_kernel(auto_from_2000_rows, monkeypatch, tmp_path):
    spec = load_spec(EXAMPLE, chunk_size=1_000)
    path = tmp_path / "resumed.duckdb"
    with pytest.raises(KeyboardInterrupt):
        run_sweep(spec, path, backend=Interrupted())
    with SweepStore(path, read_only=True) as store:
        assert store.meta["kernel"] == "compiled" and store.count() == 1_000
    monkeypatch.setenv("DETENTE_KERNEL", "numpy")  # asks for numpy: the file's choice holds
    outcome = run_sweep(spec, path)
    assert outcome.complete and outcome.kernel == "compiled"
    fresh = run_sweep(load_spec(EXAMPLE), tmp_path / "fresh.duckdb")
    assert fresh.kernel == "numpy"  # a new file takes the environment's choice
    monkeypatch.setenv("DETENTE_KERNEL", "compiled")
    whole = run_sweep(load_spec(EXAMPLE), tmp_path / "whole.duckdb")
    pd.testing.assert_frame_equal(
        results(path), results(tmp_path / "whole.duckdb"), check_exact=True
    )
    numpy_frame, compiled_frame = results(tmp_path / "fresh.duckdb"), results(path)
    for name in ("fsi", "r.US", "r.RU", "arriving.US", "arriving.RU"):
        np.testing.assert_allclose(numpy_frame[name], compiled_frame[name], rtol=1e-12)
    assert whole.kernel == "compiled"


def test_a_file_of_an_earlier_detente_gets_its_kernel_recorded(monkeypatch, tmp_path):
    monkeypatch.setenv("DETENTE_KERNEL", "numpy")
    spec = load_spec(EXAMPLE, chunk_size=1_000)
    path = tmp_path / "old.duckdb"
    with pytest.raises(KeyboardInterrupt):
        run_sweep(spec, path, backend=Interrupted())
    with duckdb.connect(str(path)) as con:  # as files were written before the column
        con.execute("ALTER TABLE sweep DROP COLUMN kernel")
    with SweepStore(path, read_only=True) as store:
        assert store.meta.get("kernel") is None
    outcome = run_sweep(spec, path)
    assert outcome.complete and outcome.kernel == "numpy"
    with SweepStore(path, read_only=True) as store:
        assert store.meta["kernel"] == "numpy"


def test_the_choice_follows_the_environment_and_the_size(monkeypatch):
    monkeypatch.setenv("DETENTE_KERNEL", "numpy")
    assert compiled.sweep_kernel(10**9) == "numpy"
    monkeypatch.setenv("DETENTE_KERNEL", "compiled")
    assert compiled.sweep_kernel(1) == ("compiled" if compiled.available() else "numpy")
    monkeypatch.setenv("DETENTE_KERNEL", "fast")
    with pytest.raises(ValueError, match="DETENTE_KERNEL must be one of auto, compiled, numpy"):
        compiled.sweep_kernel(1)
    monkeypatch.delenv("DETENTE_KERNEL")
    assert compiled.sweep_kernel(compiled.AUTO_ROWS - 1) == "numpy"
    monkeypatch.setattr(compiled, "_available", False)  # no numba: numpy whatever was asked
    assert compiled.sweep_kernel(10**9, backend="compiled") == "numpy"
    assert sweep_kernel("ishigami", 10**9) == "numpy"  # a model without a choice


def test_an_uncached_kernel_is_compiled_in_the_background_and_numpy_answers(monkeypatch):
    """No sweep waits for the compiler under "auto": it runs on numpy and says so once."""
    monkeypatch.delenv("DETENTE_KERNEL", raising=False)
    monkeypatch.setattr(compiled, "_available", True)
    monkeypatch.setattr(compiled, "loaded", lambda: False)
    monkeypatch.setattr(compiled, "_cached", lambda dispatcher: False)
    started = []
    monkeypatch.setattr(compiled, "_compile_in_background", started.append)
    assert compiled.sweep_kernel(compiled.AUTO_ROWS, note="where") == "numpy"
    assert started == ["where"]
    monkeypatch.setattr(compiled, "_cached", lambda dispatcher: True)
    assert compiled.sweep_kernel(compiled.AUTO_ROWS) == "compiled"
