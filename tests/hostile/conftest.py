"""Fixtures of the hostile-input tests: the corpus folder, generated hostile files, a store."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

CORPUS = Path(__file__).resolve().parent / "corpus"
#: The error line of the CLI's last line of defence: no hostile input may reach it.
INTERNAL = "internal error"


@pytest.fixture(scope="session")
def generated(tmp_path_factory) -> Path:
    """Hostile files too large to keep in the repository, written once per session."""
    folder = tmp_path_factory.mktemp("hostile")
    (folder / "deep-flow.yaml").write_text("a: " + "[" * 20_000 + "]" * 20_000 + "\n")
    block = "a:\n" + "".join("  " * i + "b:\n" for i in range(1, 200))
    (folder / "deep-block.yaml").write_text(block)
    (folder / "oversize.yaml").write_text("a: " + "x" * 1_100_000 + "\n")
    return folder


@pytest.fixture(scope="session")
def small_store(tmp_path_factory) -> Path:
    """A finished sweep of ``corpus/sweep-small.yaml`` (40 points)."""
    from detente.sweep.runner import run_sweep
    from detente.sweep.spec import load_spec

    path = tmp_path_factory.mktemp("store") / "small.duckdb"
    run_sweep(load_spec(CORPUS / "sweep-small.yaml"), path)
    return path


@pytest.fixture
def one_line(detente_main) -> Callable[..., tuple[int, str]]:
    """Run ``detente ARGS`` in process; assert one line on stderr and no internal error.

    Returns ``(exit status, the stderr line)``.
    """

    def run(*args: str) -> tuple[int, str]:
        code, _, err = detente_main(*args)
        lines = err.strip().splitlines()
        assert INTERNAL not in err, err
        if code != 0:
            assert len(lines) == 1, err
        return code, lines[0] if lines else ""

    return run
