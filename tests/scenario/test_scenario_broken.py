"""Every broken scenario in tests/scenario/broken/ gives one line on stderr naming the file,
line and field, and exit status 2.

Each file says in its header how to run it and what to expect:

    # run: assess {file}
    # expect: line 9, field uncertain.parties.CN.w80
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

import pytest

from detente.cli import main

ROOT = Path(__file__).resolve().parents[2]
BROKEN = sorted((Path(__file__).parent / "broken").glob("*.yaml"))
HEADER = re.compile(
    r"^# run: (?P<run>.+)\n# expect: line (?P<line>\d+), field (?P<field>\S+)$", re.M
)


def expectation(path: Path) -> tuple[list[str], int, str]:
    match = HEADER.search(path.read_text(encoding="utf-8"))
    assert match, f"{path.name} lacks its '# run:' and '# expect:' header"
    args = [a.replace("{file}", str(path)) for a in match["run"].split()]
    return args, int(match["line"]), match["field"]


def run_cli(args: list[str], monkeypatch, capsys) -> tuple[int, str]:
    monkeypatch.setattr(sys, "argv", ["detente", *args])
    with pytest.raises(SystemExit) as exit_:
        main()
    return exit_.value.code, capsys.readouterr().err


def test_the_corpus_covers_the_required_failures():
    names = {p.stem for p in BROKEN}
    required = {
        "unknown-party",
        "unknown-holding",
        "unknown-system",
        "loading-above-maximum-after-modification",
        "negative-count",
        "distribution-low-above-high",
        "distribution-mode-outside",
        "distribution-negative-sd",
        "samples-too-many",
        "verification-unknown-regime",
        "verification-overloaded-above-missiles",
        "verification-share-and-count",
        "risk-missing-file",
        "risk-samples-too-many",
    }
    assert required <= names


@pytest.mark.parametrize("path", BROKEN, ids=[p.stem for p in BROKEN])
def test_broken_scenario_gives_one_located_line(path: Path, capsys, monkeypatch, tmp_path):
    args, line, field = expectation(path)
    monkeypatch.chdir(tmp_path)  # nothing may be written, and nothing is read from the cwd
    code, err = run_cli(args, monkeypatch, capsys)
    assert code == 2
    assert err.endswith("\n") and err.count("\n") == 1, err
    assert err.startswith(f"error: {path}:{line}: field '{field}': "), err
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize(
    ("option", "message"),
    [
        (["--samples", "10000000"], "--samples must be from 1 to 5,000,000 (got 10,000,000)"),
        (["--samples", "0"], "--samples must be from 1 to 5,000,000 (got 0)"),
        (["--seed", "-1"], "--seed must not be negative"),
    ],
)
def test_absurd_options_are_refused_before_any_work(option, message, capsys, monkeypatch, tmp_path):
    scenario = ROOT / "examples" / "new-start-expiry.yaml"
    monkeypatch.chdir(tmp_path)
    code, err = run_cli(["assess", str(scenario), *option], monkeypatch, capsys)
    assert code == 2
    assert err.count("\n") == 1 and message in err, err
    assert list(tmp_path.iterdir()) == []
