"""``detente risk``: json keys, reproducible output, the sample cap and one-line errors.

One case (marked ``e2e``) runs the installed console script in a subprocess; the rest run
:func:`detente.cli.main` in-process (the same code path without the start-up cost).
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest


def test_json_has_annual_probability_quantiles_and_is_reproducible(detente_cli):
    a = detente_cli("risk", "--samples", "2000", "--seed", "5", "--years", "20", "--format", "json")
    assert a.returncode == 0, a.stderr
    data = json.loads(a.stdout)
    assert set(data["annual_probability"]) == {"p05", "p50", "p95", "mean"}
    assert set(data["cumulative_probability"]) == {"p05", "p50", "p95", "mean"}
    assert data["years"] == 20.0 and data["samples"] == 2000 and data["seed"] == 5
    assert data["tornado"] and data["interventions"]
    assert {"probability_lower", "change", "sourced"} <= set(data["interventions"][0])
    assert data["sourced_parameters"] == [
        "US.icbm.stages.assessment.low_tension",
        "US.slbm.stages.assessment.low_tension",
    ]
    assert len(data["illustrative_parameters"]) == len(data["parameters"]) - 2 == 36
    b = detente_cli("risk", "--samples", "2000", "--seed", "5", "--years", "20", "--format", "json")
    assert b.stdout == a.stdout


@pytest.mark.e2e
def test_samples_above_the_cap_through_the_console_script(detente_cli):
    out = detente_cli("risk", "--samples", "100000000")
    assert out.returncode == 2
    assert out.stderr.startswith("error: ") and out.stderr.count("\n") == 1
    assert out.stderr.endswith("--samples must be from 1 to 200,000 (got 100,000,000)\n")


def test_table_says_values_are_illustrative(detente_cli):
    done = detente_cli("risk", "--samples", "500", "--parameters", columns=160)
    code, out, err = done.returncode, done.stdout, done.stderr
    assert code == 0, err
    assert "ILLUSTRATIVE" in out and "Tornado" in out and "Interventions" in out
    assert "Share of the time in crisis" in out and "Parameters" in out
    assert "United States, false ICBM-attack alarms: rate per year" in out  # words, not ids
    assert "crisis_fraction" not in out and "US.icbm.rate_per_year" not in out


def test_user_parameter_file(detente_main, tmp_path):
    bundled = (
        Path(__file__).resolve().parents[2] / "src/detente/data/risk/bbh2013_illustrative.yaml"
    )
    path = tmp_path / "mine.yaml"
    path.write_text(bundled.read_text().replace("id: bbh2013_illustrative", "id: mine"))
    code, out, err = detente_main("risk", str(path), "--samples", "300", "--format", "json")
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
def test_bad_input_is_one_line_on_stderr_and_exit_2(detente_main, args):
    code, _, err = detente_main("risk", *args)
    assert code == 2
    lines = err.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error:"), err


def test_broken_yaml_names_file_and_line(detente_main, tmp_path):
    path = tmp_path / "bad.yaml"
    path.write_text("kind: risk_parameters\ncrisis_fraction: {dist: uniform, low: 0.1\n")
    code, _, err = detente_main("risk", str(path))
    assert code == 2
    assert err.startswith(f"error: {path}:3:") and err.count("\n") == 1
