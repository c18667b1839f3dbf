"""The stability model in a sweep: each point equals the same case written as a scenario with
modifications and run through the single-scenario path (detente.analysis.stability.evaluate);
under treaty caps, each point equals the scenario with each side's force as
detente.analysis.caps restructures it (and the treaty counts its warheads as the counting
engine does); the interceptor cap reaches the missile defence; bad paths, ranges and cap rules
are located errors in the sweep file; the bundled example runs end to end with criteria on
inputs and outputs together.

Tolerance: 1e-9 relative (two routes to the same kernel, batched and single).
"""

from __future__ import annotations

import shutil
import textwrap
from pathlib import Path

import numpy as np
import pytest

from detente.analysis.caps import MIRV_RULES, cap_inputs, restructure
from detente.analysis.counting import count
from detente.analysis.scenario import resolve
from detente.analysis.stability import evaluate
from detente.analysis.uncertainty import evaluate_batch, flat_outputs
from detente.errors import InputError
from detente.model.catalog import force_path, load_force, system_table
from detente.model.scenario import parse_scenario
from detente.model.treaties import load_treaty
from detente.sweep.agreement import acceptance, agreement_zone, pareto_frontier
from detente.sweep.report import write_report
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
  - {{name: parameters.de, dist: triangular, low: 0.6, mode: 0.8, high: 0.95}}
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


def assert_parameter_error_located(parameter, message):
    """The spec's fourth parameter replaced by ``parameter`` fails with ``message`` there."""
    text = SPEC.replace(
        "  - {name: parameters.de, dist: triangular, low: 0.6, mode: 0.8, high: 0.95}",
        f"  - {parameter}",
    )
    with pytest.raises(InputError) as info:
        parse_spec(text, file="<sweep>")
    assert info.value.field == "parameters.3.name"
    assert info.value.line == 14
    assert message in info.value.message


@pytest.mark.parametrize(
    ("parameter", "message"),
    [
        (f"{{name: {US}.trident-ii-d5.loading, bounds: [1, 9]}}", "outside the valid range"),
        (f"{{name: {US}.no-such-system.loading, bounds: [1, 2]}}", "unknown holding"),
        (f"{{name: {US}.trident-ii-d5.alert.generated, bounds: [0, 1]}}", "posture day_to_day"),
        ("{name: parameters.kmax, values: [1, 2]}", "integer"),
        ("{name: parameters.de, values: [low, high]}", "takes numbers"),
        ("{name: parameters.de, dist: normal, mean: 0.8, sd: 0.1}",
         "reaches [0.0966, 1.5034], outside the valid range [0, 1]"),
    ],
)  # fmt: skip
def test_bad_stability_parameters_are_located(parameter, message):
    assert_parameter_error_located(parameter, message)


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


# ------------------------------------------------------------------------------ treaty caps

CAPS_SPEC = f"""\
model: stability
base:
  scenario:
  {BASE.replace(chr(10), chr(10) + "  ").rstrip()}
  caps: {{fill: [RU], launcher_rule: silos_first}}
sampler: grid
parameters:
  - {{name: treaty.warhead_cap, values: [900, 1500, 2600]}}
  - {{name: treaty.launcher_cap, values: [600, 800]}}
  - {{name: treaty.mirv, values: [allowed, icbm_ban, full_ban]}}
"""


def restructured(force_name, row, fill, launcher_rule="silos_first"):
    """The force under the row's caps, by detente.analysis.caps directly."""
    c = cap_inputs(load_force(force_name))
    n, m = restructure(
        c.n, c.m, c.leg, c.silo, c.capacity, c.reserve,
        warhead_cap=row["treaty.warhead_cap"], launcher_cap=row["treaty.launcher_cap"],
        mirv=MIRV_RULES.index(row["treaty.mirv"]), fill=fill, launcher_rule=launcher_rule,
    )  # fmt: skip
    return c.names, n[0], m[0]


def as_modifications(force_name, names, n, m) -> str:
    """Flow-style modifications that give every strategic holding ``n`` launchers, ``m`` each."""
    force = load_force(force_name)
    keys = {h.name: h.system for h in force.holdings}
    assert all(float(x).is_integer() for x in n)  # the cases below retire whole launchers
    items = [
        f"{keys[name]}: {{launchers: {{deployed: {int(k)}}}, loading: {float(x)!r}}}"
        for name, k, x in zip(names, n, m, strict=True)
    ]
    return "{holdings: {" + ", ".join(items) + "}}"


def test_cap_points_equal_the_scenario_with_the_restructured_forces(tmp_path):
    spec = parse_spec(CAPS_SPEC)
    assert spec.base["caps"] == {
        "fill": ["RU"], "launcher_rule": "silos_first", "bomber_rule": "one_per_bomber"
    }  # fmt: skip
    run_sweep(spec, tmp_path / "s.duckdb")
    with SweepStore(tmp_path / "s.duckdb", read_only=True) as store:
        results = store.results()
    assert len(results) == 18 and results["fsi"].nunique() > 6
    new_start = load_treaty("new-start")
    for _, row in results.iterrows():
        us = restructured("us-2025", row, fill=False)
        ru = restructured("ru-2025", row, fill=True)
        text = f"""
name: one-proposal
parties:
  - {{force: us-2025, w80: 300, modifications: {as_modifications("us-2025", *us)}}}
  - {{force: ru-2025, w80: 250, modifications: {as_modifications("ru-2025", *ru)}}}
"""
        r = resolve(parse_scenario(text))
        result = evaluate(r.sides(("US", "RU")), r.params)
        assert row["fsi"] == pytest.approx(result.fsi, rel=1e-9)
        for label in ("US", "RU"):
            assert row[f"r.{label}"] == pytest.approx(result.r[label], rel=1e-9)
            assert row[f"arriving.{label}"] == pytest.approx(result.arriving[label], rel=1e-9)
            force = r.party(label).force
            counted = count(force, new_start, system_table(force))
            warheads = counted.limit("deployed_warheads").count
            assert row[f"deployed_warheads.{label}"] == pytest.approx(warheads, rel=1e-9)
            launchers = counted.limit("deployed_launchers").count
            assert row[f"deployed_launchers.{label}"] == pytest.approx(launchers, rel=1e-12)
            assert warheads <= row["treaty.warhead_cap"] * (1 + 1e-9)
            assert launchers <= row["treaty.launcher_cap"]


DEFENDED = """\
model: stability
base:
  name: defended
  parties:
    - {force: us-2025, w80: 300, defense: {interceptors: 1000, p_kill: 0.7, shots_per_rv: 2}}
    - {force: ru-2025, w80: 250, defense: {interceptors: 68, p_kill: 0.5}}
sampler: grid
parameters:
  - {name: treaty.interceptor_cap, values: [0, 100, 2000]}
  - {name: parties.RU.defense.interceptors, values: [20, 150]}
"""


def test_interceptor_cap_reaches_the_missile_defence(tmp_path):
    spec = parse_spec(DEFENDED)
    run_sweep(spec, tmp_path / "s.duckdb")
    with SweepStore(tmp_path / "s.duckdb", read_only=True) as store:
        results = store.results()
    for _, row in results.iterrows():
        cap = row["treaty.interceptor_cap"]
        us, ru = float(min(1000.0, cap)), float(min(row["parties.RU.defense.interceptors"], cap))
        assert (row["interceptors.US"], row["interceptors.RU"]) == (us, ru)
        text = textwrap.dedent(DEFENDED.split("base:\n")[1].split("sampler:")[0])
        text = text.replace("interceptors: 1000,", f"interceptors: {us!r},")
        text = text.replace("interceptors: 68,", f"interceptors: {ru!r},")
        scenario = resolve(parse_scenario(text))
        expected = flat_outputs(evaluate_batch(scenario, {}, 1))
        for name, value in expected.items():
            assert row[name] == pytest.approx(value[0], rel=1e-9), name
    by_cap = results.groupby("treaty.interceptor_cap")["fsi"].mean()
    assert by_cap[0] != by_cap[2000]  # the defence is in the exchange


def test_defence_inputs_and_the_interceptor_cap_need_two_parties():
    three = DEFENDED.replace(
        "    - {force: ru-2025, w80: 250,",
        "    - {force: cn-2025, w80: 100}\n    - {force: ru-2025, w80: 250,",
    )
    with pytest.raises(InputError, match="three or more parties"):
        parse_spec(three)
    nothing = SPEC.replace(
        "  - {name: parameters.de, dist: triangular, low: 0.6, mode: 0.8, high: 0.95}",
        "  - {name: treaty.interceptor_cap, values: [0, 100]}",
    )
    with pytest.raises(InputError, match="no party of the scenario has a defense block"):
        parse_spec(nothing)


@pytest.mark.parametrize(
    ("parameter", "message"),
    [
        ("{name: treaty.mirv, values: [allowed, banned]}", "unknown rule(s) banned"),
        ("{name: treaty.mirv, bounds: [0, 2]}", "takes values among allowed, icbm_ban"),
        ("{name: treaty.warhead_cap, bounds: [-10, 100]}", "outside the valid range [0, inf]"),
        ("{name: treaty.launcher_cap, dist: normal, mean: 700, sd: 9}", "[-inf, inf]"),
        ("{name: treaty.launcher_cap, values: [low, high]}", "takes numbers"),
        ("{name: treaty.warheads, values: [1000]}", "unknown treaty cap 'treaty.warheads'"),
    ],
)
def test_bad_cap_parameters_are_located(parameter, message):
    assert_parameter_error_located(parameter, message)


@pytest.mark.parametrize(
    ("caps", "field", "message"),
    [
        ("{fill: [US, CN]}", "base.caps.fill.1", "unknown party 'CN'"),
        ("{launcher_rule: biggest_first}", "base.caps.launcher_rule", "proportional"),
        ("{bomber_rule: attribution}", "base.caps.bomber_rule", "one_per_bomber"),
        ("{fil: [US]}", "base.caps.fil", ""),
    ],
)
def test_bad_cap_rules_are_located(caps, field, message):
    text = CAPS_SPEC.replace("{fill: [RU], launcher_rule: silos_first}", caps)
    with pytest.raises(InputError) as info:
        parse_spec(text, file="<sweep>")
    assert (info.value.field, info.value.line) == (field, 8)
    assert message in info.value.message


def test_unknown_base_keys_and_wrapped_scenario_errors_are_located():
    with pytest.raises(InputError) as info:
        parse_spec(CAPS_SPEC.replace("  caps:", "  cap:"), file="<sweep>")
    assert info.value.field == "base" and "unknown key(s) cap" in info.value.message
    with pytest.raises(InputError) as info:
        parse_spec(CAPS_SPEC.replace("force: us-2025", "force: us-2099"), file="<sweep>")
    assert (info.value.field, info.value.line) == ("base.scenario.parties.0.force", 6)


def test_a_wrapped_base_without_caps_is_the_plain_base():
    plain = parse_spec(SPEC)
    wrapped = parse_spec(SPEC.replace(BASE, "  scenario:\n" + textwrap.indent(BASE, "  ")))
    assert wrapped.base == plain.base and wrapped.digest() == plain.digest()


# ---------------------------------------------------------------------------- the example

EXAMPLE = Path(__file__).parents[2] / "examples" / "sweep-after-new-start.yaml"


def test_the_after_new_start_example_finds_a_zone(tmp_path):
    spec = load_spec(EXAMPLE)
    assert spec.n_points == 29 * 9 * 3 * 6
    run_sweep(spec, tmp_path / "ans.duckdb")
    with SweepStore(tmp_path / "ans.duckdb", read_only=True) as store:
        results = store.results()
        report = write_report(store, tmp_path / "ans.html").read_text()
    assert len(results) == spec.n_points and results.notna().all().all()
    for label in ("US", "RU"):
        for kind, cap in (("warheads", "warhead_cap"), ("launchers", "launcher_cap")):
            assert (results[f"deployed_{kind}.{label}"] <= results[f"treaty.{cap}"] + 1e-9).all()
    assert (results["interceptors.US"] == results["treaty.interceptor_cap"].clip(upper=1000)).all()
    # the criteria of the file, written out: outputs and inputs, per party
    fsi = results["fsi"] >= 0.7
    cap = results["treaty.interceptor_cap"]
    us = fsi & (results["arriving.US"] >= 400) & (cap >= 100)
    ru = fsi & (results["arriving.RU"] >= 150) & (cap <= 250)
    ru &= results["treaty.warhead_cap"] <= 1550
    accepted = acceptance(results, spec.criteria)
    assert accepted["US"].tolist() == us.tolist() and accepted["RU"].tolist() == ru.tolist()
    zone = agreement_zone(results, spec.criteria)
    assert 0 < len(zone) < min(us.sum(), ru.sum())  # each side gives up something
    front = pareto_frontier(zone, spec.objectives)
    assert 0 < len(front) <= len(zone) and set(front.index) <= set(zone.index)
    assert f"<td>{len(zone)}</td>" in report and "Pareto frontier of the zone" in report


def test_one_plan_per_base_and_input_names_whatever_the_values():
    """The plan (``functools.lru_cache``) is found again for a chunk whose values differ, and
    every chunk's outputs equal those of its points evaluated alone."""
    from detente.sweep import stability_model
    from detente.sweep.evaluate import evaluate_spec

    spec = parse_spec(SPEC.replace("points: 40", "points: 6") + "chunk_size: 2\n")
    stability_model._plan.cache_clear()
    chunked = np.concatenate([r["fsi"] for r in evaluate_spec(spec)])
    info = stability_model._plan.cache_info()
    # the one-point probe that readies the process (InProcess.prepare) makes the plan, and
    # the three chunks find it
    assert (info.misses, info.hits, info.currsize) == (1, 3, 1)
    alone = np.concatenate(
        [r["fsi"] for r in evaluate_spec(spec.model_copy(update={"chunk_size": 1}))]
    )
    assert chunked.tolist() == alone.tolist() and len(chunked) == 6
