"""Every file in tests/broken/ gives one line on stderr naming file, line and field; exit 2.

Each broken file says, in its header comments, how to run it and what to expect:

    # run: count {file} --treaty new-start
    # expect: line 10, field holdings.0.launchers.non_deployed
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
BROKEN = sorted((ROOT / "tests" / "broken").glob("*.yaml"))
HEADER = re.compile(
    r"^# run: (?P<run>.+)\n# expect: line (?P<line>\d+), field (?P<field>\S+)$", re.M
)


def expectation(path: Path) -> tuple[list[str], int, str]:
    match = HEADER.search(path.read_text(encoding="utf-8"))
    assert match, f"{path.name} lacks its '# run:' and '# expect:' header"
    args = [a.replace("{file}", str(path)) for a in match["run"].split()]
    return args, int(match["line"]), match["field"]


def test_the_corpus_covers_the_required_failures():
    names = {p.stem for p in BROKEN}
    required = {
        "bad-yaml-syntax",
        "unknown-system",
        "negative-count",
        "loading-above-maximum",
        "unknown-source-id",
        "treaty-unknown-quantity",
        "wrong-type",
    }
    assert required <= names


@pytest.mark.parametrize("path", BROKEN, ids=[p.stem for p in BROKEN])
def test_broken_input_gives_one_located_line(detente_main, path: Path, monkeypatch):
    args, line, field = expectation(path)
    monkeypatch.chdir(ROOT)
    code, _, err = detente_main(*args)
    assert code == 2
    assert err.endswith("\n") and err.count("\n") == 1, err
    assert err.startswith(f"error: {path}:{line}: field '{field}': "), err


@pytest.mark.e2e
def test_broken_input_from_the_installed_command(detente_cli):
    path = ROOT / "tests" / "broken" / "negative-count.yaml"
    args, line, field = expectation(path)
    done = detente_cli(*args, cwd=ROOT)
    assert done.returncode == 2
    assert done.stdout == ""
    assert done.stderr.splitlines() == [
        f"error: {path}:{line}: field '{field}': Input should be greater than or equal to 0"
    ]
