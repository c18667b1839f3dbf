"""The stability model in a sweep: each point equals the same case written as a scenario with
modifications and run through the single-scenario path (detente.analysis.stability.evaluate);
bad paths and ranges are located errors in the sweep file.

Tolerance: 1e-9 relative (two routes to the same kernel, batched and single).
"""

from __future__ import annotations

import shutil

import numpy as np
import pytest

from detente.analysis.scenario import resolve
from detente.analysis.stability import evaluate
from detente.errors import InputError
from detente.model.catalog import force_path
from detente.model.scenario import parse_scenario
from detente.sweep.runner import run_sweep
from detente.sweep.spec import load_spec, parse_spec
from detente.sweep.store import SweepStore

# w80 given: the batched path keeps each side's w80 when loadings vary (see the report note).
BASE = """\
  name: sweep-test
  parties:
    - {force: us-2025, posture: day_to_day, w80: 300}
    - {force: ru-2025, posture: day_to_day, w80: 250}
"""

SPEC = f"""\
model: stability
base:
{BASE}sampler: lhs
points: 40
seed: 4
parameters:
  - {{name: parties.US.holdings.minuteman-iii.loading, values: [1, 2, 3]}}
  - {{name: parties.RU.holdings.rs-24-yars-mobile.loading, bounds: [1, 4]}}
  - {{name: parties.RU.holdings.rs-24-yars-mobile.alert.day_to_day, bounds: [0.0, 0.3]}}
  - {{name: parameters.de, dist: {{kind: triangular, low: 0.6, mode: 0.8, high: 0.95}}}}
criteria:
  - {{party: US, output: arriving.US, min: 100}}
  - {{party: RU, output: arriving.RU, min: 100}}
"""


US = "parties.US.holdings"


def single_case(row) -> dict:
    """The point as a scenario with modifications, through the single-scenario path."""
    mm3 = float(row["parties.US.holdings.minuteman-iii.loading"])
    yars = float(row["parties.RU.holdings.rs-24-yars-mobile.loading"])
    alert = float(row["parties.RU.holdings.rs-24-yars-mobile.alert.day_to_day"])
    text = f"""
name: one-point
parameters: {{de: {float(row["parameters.de"])!r}}}
parties:
  - force: us-2025
    w80: 300
    modifications:
      holdings:
        minuteman-iii: {{loading: {mm3!r}}}
  - force: ru-2025
    w80: 250
    modifications:
      holdings:
        rs-24-yars-mobile: {{loading: {yars!r}, alert: {{day_to_day: {alert!r}}}}}
"""
    r = resolve(parse_scenario(text))
    result = evaluate(r.sides(("US", "RU")), r.params)
    return {
        "fsi": result.fsi,
        "r.US": result.r["US"],
        "r.RU": result.r["RU"],
        "arriving.US": result.arriving["US"],
        "arriving.RU": result.arriving["RU"],
    }


def test_sweep_points_equal_the_single_scenario_path(tmp_path):
    spec = parse_spec(SPEC)
    assert spec.base["scenario"]["parties"][0]["w80"] == 300
    run_sweep(spec, tmp_path / "s.duckdb")
    with SweepStore(tmp_path / "s.duckdb", read_only=True) as store:
        results = store.results()
    assert len(results) == 40 and np.isfinite(results["fsi"]).all()
    assert results["fsi"].nunique() > 10  # the inputs do move the index
    for _, row in results.iloc[[0, 13, 27, 39]].iterrows():
        expected = single_case(row)
        for name, value in expected.items():
            assert row[name] == pytest.approx(value, rel=1e-9), name


@pytest.mark.parametrize(
    ("parameter", "message"),
    [
        (f"{{name: {US}.trident-ii-d5.loading, bounds: [1, 9]}}", "outside the valid range"),
        (f"{{name: {US}.no-such-system.loading, bounds: [1, 2]}}", "unknown holding"),
        (f"{{name: {US}.trident-ii-d5.alert.generated, bounds: [0, 1]}}", "posture day_to_day"),
        ("{name: parameters.kmax, values: [1, 2]}", "integer"),
        ("{name: parameters.de, values: [low, high]}", "takes numbers"),
        ("{name: parameters.de, dist: {kind: normal, mean: 0.8, sd: 0.1}}", "reaches [-inf, inf]"),
    ],
)  # fmt: skip
def test_bad_stability_parameters_are_located(parameter, message):
    text = SPEC.replace(
        "  - {name: parameters.de, dist: {kind: triangular, low: 0.6, mode: 0.8, high: 0.95}}",
        f"  - {parameter}",
    )
    with pytest.raises(InputError) as info:
        parse_spec(text, file="<sweep>")
    assert info.value.field == "parameters.3.name"
    assert info.value.line == 14
    assert message in info.value.message


def test_defence_inputs_are_refused():
    text = (
        SPEC.replace(
            "{force: ru-2025, posture: day_to_day, w80: 250}",
            "{force: ru-2025, w80: 250, defense: {interceptors: 68, p_kill: 0.5}}",
        )
        .replace("parameters.de, dist", "parties.RU.defense.interceptors, dist")
        .replace("low: 0.6, mode: 0.8, high: 0.95", "low: 0, mode: 68, high: 100")
    )
    with pytest.raises(InputError, match="missile-defence inputs are not swept yet"):
        parse_spec(text)


def test_inline_scenario_errors_point_into_the_sweep_file():
    text = SPEC.replace("force: us-2025", "force: us-2099")
    with pytest.raises(InputError) as info:
        parse_spec(text, file="<sweep>")
    assert info.value.field == "base.parties.0.force"
    assert info.value.line == 5


def test_scenario_file_and_its_force_file_decide_the_hash(tmp_path):
    shutil.copy(force_path("us-2025"), tmp_path / "us.yaml")
    (tmp_path / "scenario.yaml").write_text(
        "parties:\n  - {force: us.yaml, w80: 300}\n  - {force: ru-2025, w80: 250}\n"
    )
    (tmp_path / "sweep.yaml").write_text(
        "model: stability\nbase: scenario.yaml\nsampler: lhs\npoints: 8\n"
        "parameters:\n  - {name: parameters.de, bounds: [0.6, 0.9]}\n"
    )
    spec = load_spec(tmp_path / "sweep.yaml")
    force = str(tmp_path / "us.yaml")
    assert spec.base["scenario"]["name"] == "scenario"
    assert spec.base["scenario"]["parties"][0]["force"] == force
    assert set(spec.base["files"]) == {force}
    with (tmp_path / "us.yaml").open("a") as f:
        f.write("# edited\n")
    assert load_spec(tmp_path / "sweep.yaml").digest() != spec.digest()
    outcome = run_sweep(load_spec(tmp_path / "sweep.yaml"), tmp_path / "s.duckdb")
    assert outcome.complete and outcome.stored == 8
