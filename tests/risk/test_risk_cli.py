"""``detente risk``: json keys, reproducible output, the sample cap and one-line errors.

Two cases run the installed console script in a subprocess; the rest run
:func:`detente.cli.main` in-process (the same code path without the start-up cost).
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from detente.cli import main

DETENTE = Path(sys.executable).parent / "detente"


def run(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [str(DETENTE), "risk", *args], capture_output=True, text=True, timeout=120
    )


def run_inprocess(monkeypatch, capsys, *args: str) -> tuple[int, str, str]:
    monkeypatch.setattr(sys, "argv", ["detente", "risk", *args])
    try:
        main()
        code = 0
    except SystemExit as exc:
        code = exc.code
    out = capsys.readouterr()
    return code, out.out, out.err


def test_json_has_annual_probability_quantiles_and_is_reproducible():
    a = run("--samples", "2000", "--seed", "5", "--years", "20", "--format", "json")
    assert a.returncode == 0, a.stderr
    data = json.loads(a.stdout)
    assert set(data["annual_probability"]) == {"p05", "p50", "p95", "mean"}
    assert set(data["cumulative_probability"]) == {"p05", "p50", "p95", "mean"}
    assert data["years"] == 20.0 and data["samples"] == 2000 and data["seed"] == 5
    assert data["tornado"] and data["interventions"]
    assert {"probability_lower", "change", "sourced"} <= set(data["interventions"][0])
    assert data["sourced_parameters"] == []
    assert len(data["illustrative_parameters"]) == len(data["parameters"])
    b = run("--samples", "2000", "--seed", "5", "--years", "20", "--format", "json")
    assert b.stdout == a.stdout


def test_samples_above_the_cap_through_the_console_script():
    out = run("--samples", "100000000")
    assert out.returncode == 2
    assert out.stderr.startswith("error: ") and out.stderr.count("\n") == 1
    assert out.stderr.endswith("--samples must be from 1 to 200,000 (got 100,000,000)\n")


def test_table_says_values_are_illustrative(monkeypatch, capsys):
    code, out, err = run_inprocess(monkeypatch, capsys, "--samples", "500", "--parameters")
    assert code == 0, err
    assert "ILLUSTRATIVE" in out and "Tornado" in out and "Interventions" in out
    assert "crisis_fraction" in out and "Parameters" in out


def test_user_parameter_file(monkeypatch, capsys, tmp_path):
    bundled = (
        Path(__file__).resolve().parents[2] / "src/detente/data/risk/bbh2013_illustrative.yaml"
    )
    path = tmp_path / "mine.yaml"
    path.write_text(bundled.read_text().replace("id: bbh2013_illustrative", "id: mine"))
    code, out, err = run_inprocess(
        monkeypatch, capsys, str(path), "--samples", "300", "--format", "json"
    )
    assert code == 0, err
    assert json.loads(out)["parameter_set"] == "mine"


@pytest.mark.parametrize(
    "args",
    [
        ["--samples", "0"],
        ["--samples", "200001"],
        ["--seed", "-1"],
        ["--years", "-2"],
        ["--format", "xml"],
        ["/no/such/params.yaml"],
    ],
)
def test_bad_input_is_one_line_on_stderr_and_exit_2(monkeypatch, capsys, args):
    code, _, err = run_inprocess(monkeypatch, capsys, *args)
    assert code == 2
    lines = err.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error:"), err


def test_broken_yaml_names_file_and_line(monkeypatch, capsys, tmp_path):
    path = tmp_path / "bad.yaml"
    path.write_text("kind: risk_parameters\ncrisis_fraction: {dist: uniform, low: 0.1\n")
    code, _, err = run_inprocess(monkeypatch, capsys, str(path))
    assert code == 2
    assert err.startswith(f"error: {path}:3:") and err.count("\n") == 1
