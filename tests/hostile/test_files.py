"""Results are never lost and names never choose files (issue 15, rows 4, 10, 11, 14)."""

from __future__ import annotations

import os
import resource
import shutil
import signal
import subprocess
import sys
from pathlib import Path

import pytest

from detente.errors import InputError
from detente.files import check_output, write_files, write_text

CORPUS = Path(__file__).resolve().parent / "corpus"


@pytest.mark.parametrize(
    ("file", "folder"),
    [
        ("scenario-name-absolute.yaml", "tmp-detente-hostile-x"),
        ("scenario-name-dotdot.yaml", "scenario"),
    ],
)
def test_scenario_name_never_leaves_reports(file, folder, detente_main, tmp_path, monkeypatch):
    """Row 4: ``name: /tmp/x`` or ``name: ../../..`` without --out writes under reports/."""
    monkeypatch.chdir(tmp_path)
    code, _, err = detente_main("assess", str(CORPUS / file))
    assert code == 0, err
    written = sorted(p.relative_to(tmp_path).as_posix() for p in tmp_path.rglob("*.json"))
    assert written == [f"reports/{folder}/results.json"]
    assert not Path("/tmp/detente-hostile-x").exists()


def _assess_with_file_limit(out: Path, limit: int) -> subprocess.CompletedProcess[str]:
    """``detente assess`` in a process that may write files of at most ``limit`` bytes: a
    full disk as the writes see it (EFBIG), without filling a real one."""

    def limit_files() -> None:
        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
        resource.setrlimit(resource.RLIMIT_FSIZE, (limit, limit))

    code = "from detente.cli import main; main()"
    scenario = str(CORPUS / "scenario-minimal.yaml")
    return subprocess.run(
        [sys.executable, "-c", code, "assess", scenario, "--out", str(out)],
        capture_output=True,
        text=True,
        preexec_fn=limit_files,
        timeout=300,
    )


@pytest.mark.slow  # two assessments in subprocesses
def test_full_disk_keeps_the_previous_report(tmp_path):
    """Row 10: writes that fail part-way leave the previous report whole, and no stray files."""
    out = tmp_path / "report"
    first = _assess_with_file_limit(out, resource.RLIM_INFINITY)
    assert first.returncode == 0, first.stderr
    before = {p.name: p.read_bytes() for p in out.iterdir()}
    assert {"results.json", "report.html"} <= set(before)
    failed = _assess_with_file_limit(out, 200_000)  # report.html is larger than this
    assert failed.returncode == 2, failed.stderr
    lines = failed.stderr.strip().splitlines()
    assert len(lines) == 1 and "cannot write" in lines[0] and "unchanged" in lines[0]
    assert {p.name: p.read_bytes() for p in out.iterdir()} == before


def test_write_files_all_or_nothing(tmp_path):
    (tmp_path / "a.txt").write_text("old a")

    def fail(path: Path) -> None:
        raise OSError(28, "No space left on device")

    with pytest.raises(InputError, match="No space left on device"):
        write_files(tmp_path, {"a.txt": lambda p: p.write_text("new a"), "b.txt": fail})
    assert [p.name for p in tmp_path.iterdir()] == ["a.txt"]
    assert (tmp_path / "a.txt").read_text() == "old a"


def test_write_text_keeps_permissions_of_a_new_file(tmp_path):
    path = write_text(tmp_path / "r.html", "x")
    mask = os.umask(0)
    os.umask(mask)
    assert path.stat().st_mode & 0o777 == 0o666 & ~mask


def test_output_that_is_an_input_is_refused(tmp_path):
    store = tmp_path / "s.duckdb"
    store.write_bytes(b"data")
    link = tmp_path / "link.duckdb"
    link.symlink_to(store)
    for out in (store, link, tmp_path / "." / "s.duckdb"):
        with pytest.raises(InputError, match="overwrite the input"):
            check_output(out, inputs=[store])


def test_local_file_never_shadows_a_bundled_force(detente_main, tmp_path, monkeypatch):
    """Row 11: a file ``./us-2025`` in the working directory is not the bundled us-2025."""
    monkeypatch.chdir(tmp_path)
    shutil.copy(CORPUS / "count-hex.yaml", tmp_path / "us-2025")
    code, out, err = detente_main("count", "us-2025", "-t", "new-start", "--format", "json")
    assert code == 0, err
    assert '"force": "us-2025"' in out
    code, _, err = detente_main("count", "./us-2025", "-t", "new-start")
    assert code == 2 and "hexadecimal" in err  # a path is read when it looks like one


def test_force_path_is_read_from_the_scenario_folder(detente_main, tmp_path, monkeypatch):
    """Row 14: a force path without .yaml is taken from the scenario's folder, not the
    working directory."""
    folder = tmp_path / "study"
    folder.mkdir()
    shutil.copy(CORPUS / "count-true.yaml", folder / "mine")
    (folder / "s.yaml").write_text(
        "name: s\nparties:\n  - force: ./mine\n  - force: ru-2025\n", encoding="utf-8"
    )
    monkeypatch.chdir(tmp_path)
    code, _, err = detente_main("assess", str(folder / "s.yaml"), "--out", str(tmp_path / "o"))
    assert code == 2
    assert str(folder / "mine") in err and "not true or false" in err
