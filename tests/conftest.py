"""Shared test fixtures."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

#: The console script installed next to this interpreter.
DETENTE = Path(sys.executable).with_name("detente")


@pytest.fixture(scope="session")
def compiled_kernel():
    """The compiled stability kernel, compiled (or loaded from numba's cache) once per
    session; skips where numba is not installed."""
    from detente.kernels import compiled

    if not compiled.available():
        pytest.skip("numba is not installed")
    return compiled.load()


@pytest.fixture
def detente_cli() -> Callable[..., subprocess.CompletedProcess[str]]:
    """Run the installed ``detente`` command in a subprocess, as a user would.

    Returns ``run(*args, columns=None, timeout=120, **kwargs)``: the completed process with
    text stdout and stderr. ``NO_COLOR`` is set; ``columns`` sets the terminal width that rich
    assumes; ``kwargs`` go to :func:`subprocess.run` (``cwd``, ...).
    """

    def run(
        *args: str, columns: int | None = None, timeout: float = 120, **kwargs
    ) -> subprocess.CompletedProcess[str]:
        env = {**os.environ, "NO_COLOR": "1"}
        if columns is not None:
            env["COLUMNS"] = str(columns)
        return subprocess.run(
            [str(DETENTE), *args],
            capture_output=True,
            text=True,
            env=env,
            timeout=timeout,
            **kwargs,
        )

    return run


@pytest.fixture
def detente_main(monkeypatch, capsys) -> Callable[..., tuple[int, str, str]]:
    """Run ``detente ARGS`` in this process (:func:`detente.cli.main`, no start-up cost).

    Returns ``run(*args)``: the exit status (0 when the command ends without one), stdout and
    stderr.
    """

    from detente.cli import main

    def run(*args: str) -> tuple[int, str, str]:
        monkeypatch.setattr(sys, "argv", ["detente", *args])
        code = 0
        try:
            main()
        except SystemExit as exc:
            code = exc.code or 0
        out = capsys.readouterr()
        return code, out.out, out.err

    return run
