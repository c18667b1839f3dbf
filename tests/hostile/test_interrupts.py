"""Ctrl-C, SIGTERM and SIGKILL during a sweep (issue 15, row 5): one line, exit 130/143, the
session marked, resume as before; a killed run's session is marked abandoned on the next open."""

from __future__ import annotations

import signal
import subprocess
import sys
from pathlib import Path

import duckdb
import pytest

EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "sweep-after-new-start.yaml"
pytestmark = pytest.mark.slow  # sweeps in subprocesses, signalled part-way

CODE = "from detente.cli import main; main()"
CHUNKS = ("--chunk-size", "5")


def _start(out: Path, *extra: str) -> tuple[subprocess.Popen[str], int]:
    """A slow sweep (5 points a chunk) in a subprocess; returns it and the points it said
    were stored, once some are."""
    proc = subprocess.Popen(
        [sys.executable, "-c", CODE, "sweep", str(EXAMPLE), "--out", str(out), *CHUNKS, *extra],
        stderr=subprocess.PIPE,
        stdout=subprocess.DEVNULL,
        text=True,
    )
    for line in proc.stderr:
        if line.startswith("stored ") and not line.startswith("stored 0 "):
            return proc, int(line.split()[1])
    proc.wait(timeout=60)
    raise AssertionError(f"the sweep ended before storing a chunk (exit {proc.returncode})")


def _sessions(path: Path) -> list[tuple]:
    with duckdb.connect(str(path), read_only=True) as con:
        return con.execute("SELECT session, status, pid FROM sessions ORDER BY 1").fetchall()


@pytest.mark.parametrize(
    ("sig", "code", "name", "extra"),
    [
        (signal.SIGINT, 130, "SIGINT", ()),
        (signal.SIGTERM, 143, "SIGTERM", ()),
        (signal.SIGTERM, 143, "SIGTERM", ("--workers", "2")),
    ],
    ids=["ctrl-c", "sigterm", "sigterm-dask-2-workers"],
)
def test_signal_stops_the_sweep_cleanly(sig, code, name, extra, tmp_path, detente_main):
    """Also with two Dask workers: the results received are written before the session is
    recorded, so nothing said to be stored is lost, and the run resumes."""
    out = tmp_path / "s.duckdb"
    proc, said = _start(out, *extra)
    proc.send_signal(sig)
    rest = proc.stderr.read()
    assert proc.wait(timeout=120) == code
    lines = [x for x in rest.splitlines() if not x.startswith("stored ")]
    assert len(lines) == 1 and lines[0].startswith(f"interrupted ({name}): "), rest
    assert "run the same command again to resume" in lines[0]
    stored = int(lines[0].split(": ")[1].split()[0])
    with duckdb.connect(str(out), read_only=True) as con:
        assert con.execute("SELECT count(*) FROM results").fetchall()[0][0] == stored >= said
    assert _sessions(out)[-1][1] == "interrupted"
    status, _, err = detente_main("sweep", str(EXAMPLE), "--out", str(out))
    assert status == 0, err
    assert "4698 of 4698 points" in err
    assert [s[1] for s in _sessions(out)] == ["interrupted", "complete"]


def test_killed_sweep_is_marked_abandoned_on_the_next_open(tmp_path, detente_main):
    out = tmp_path / "s.duckdb"
    proc, _ = _start(out)
    proc.kill()
    proc.wait(timeout=30)
    (_, status, pid), *_ = _sessions(out)
    assert (status, pid) == ("running", proc.pid)
    code, _, err = detente_main("sweep", str(EXAMPLE), "--out", str(out))
    assert code == 0, err
    assert [s[1] for s in _sessions(out)] == ["abandoned", "complete"]
