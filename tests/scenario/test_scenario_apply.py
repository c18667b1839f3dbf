"""Scenario files made concrete: modifications to forces and the paths of uncertain inputs."""

from __future__ import annotations

from pathlib import Path

import pytest

from detente.analysis.scenario import holding_index, resolve
from detente.analysis.stability import default_w80
from detente.errors import InputError
from detente.model.catalog import load_force
from detente.model.scenario import load_scenario, parse_scenario

ROOT = Path(__file__).resolve().parents[2]
SCENARIOS = (
    "new-start-expiry",
    "upload-race",
    "deep-cuts-1000",
    "de-mirv-icbms",
    "de-mirv-icbms-removed",
    "golden-dome",
    "china-1000",
)


def scenario(body: str):
    return resolve(parse_scenario("name: t\n" + body, "t.yaml"))


def holding(resolved, party, system):
    force = resolved.party(party).force
    return force.holdings[holding_index(force, system)]


@pytest.mark.parametrize("name", SCENARIOS)
def test_every_example_scenario_loads_and_resolves(name):
    r = resolve(load_scenario(ROOT / "examples" / f"{name}.yaml"))
    assert r.scenario.name == name
    assert len(r.parties) >= 2 and r.inputs


def test_no_modifications_keep_the_bundled_force():
    r = scenario("parties: [{force: us-2025}, {force: ru-2025}]")
    assert r.party("US").force == load_force("us-2025")
    assert r.party("US").changes == ()


def test_loading_change_sets_loading_and_records_an_assumption():
    r = scenario(
        """
parties:
  - force: us-2025
    modifications:
      holdings:
        minuteman-iii: {loading: 3}
        trident-ii-d5:
          loading: {value: 8, source: fas-double-2023, status: estimate, note: full load}
  - force: ru-2025
"""
    )
    mm3 = holding(r, "US", "minuteman-iii")
    assert (mm3.loading, mm3.warheads, mm3.deployed_warheads) == (3, None, 1200)
    assert mm3.provenance["loading"].status == "assumption"
    assert "warheads" not in mm3.provenance
    d5 = holding(r, "US", "trident-ii-d5")
    assert d5.deployed_warheads == 8 * 240
    assert d5.provenance["loading"].source == ("fas-double-2023",)
    fields = {(c.holding, c.field): (c.before, c.after) for c in r.party("US").changes}
    assert fields[("minuteman-iii", "loading")] == (1.0, 3)
    # The bundled force is untouched.
    assert load_force("us-2025").holdings[0].warheads == 400


def test_fewer_launchers_keep_the_warheads_per_launcher():
    r = scenario(
        """
parties:
  - force: us-2025
    modifications:
      holdings:
        trident-ii-d5: {launchers: {deployed: 120, non_deployed: 160}}
  - force: ru-2025
"""
    )
    d5 = holding(r, "US", "trident-ii-d5")
    assert d5.launchers.deployed == 120 and d5.launchers.non_deployed == 160
    assert d5.launchers.test == 0  # not given: kept
    assert d5.loading == pytest.approx(970 / 240)
    assert d5.deployed_warheads == pytest.approx(970 / 2)
    assert d5.provenance["loading"].status == "derived"


def test_retire_add_and_alert_changes():
    r = scenario(
        """
parties:
  - force: us-2025
  - force: ru-2025
    modifications:
      retire: [r-36m2, Sineva/Layner on 5 Delta IV]
      add:
        - system: rs-28-sarmat
          launchers: {deployed: 10}
          loading: {value: 10, status: assumption, note: illustrative}
      holdings:
        rs-24-yars-mobile: {alert: {day_to_day: 0.3}}
"""
    )
    ru = r.party("RU").force
    systems = [h.system for h in ru.holdings]
    assert "r-36m2" not in systems and "r-29rmu2-sineva" not in systems
    assert systems[-1] == "rs-28-sarmat" and ru.holdings[-1].deployed_warheads == 100
    yars = holding(r, "RU", "rs-24-yars-mobile")
    assert yars.alert.day_to_day == 0.3 and yars.alert.generated == 0.9
    assert len(ru.holdings) == len(load_force("ru-2025").holdings) - 1


def test_uncertain_paths_name_their_targets():
    r = scenario(
        """
parties:
  - force: us-2025
  - force: ru-2025
uncertain:
  parameters.de: {dist: uniform, low: 0.6, high: 0.9}
  parties.US.w80: {dist: uniform, low: 300, high: 900}
  parties.RU.holdings.Bulava on 7 Borei.alert.day_to_day: {dist: uniform, low: 0.1, high: 0.4}
  parties.US.holdings.trident-ii-d5.loading: {dist: uniform, low: 4, high: 8}
"""
    )
    targets = {x.path: x.target for x in r.inputs}
    assert targets["parameters.de"].kind == "parameter"
    assert (targets["parties.US.w80"].kind, targets["parties.US.w80"].party) == ("w80", "US")
    bulava = targets["parties.RU.holdings.Bulava on 7 Borei.alert.day_to_day"]
    assert bulava.name == "alert.day_to_day"
    assert r.party("RU").force.holdings[bulava.holding].system == "r-30-bulava"
    assert targets["parties.US.holdings.trident-ii-d5.loading"].high == 8  # max loading


@pytest.mark.parametrize(
    ("uncertain", "message"),
    [
        ("parties.US.holdings.minuteman-iii.alert.day_to_day", "silo-based"),
        ("parties.US.holdings.gbi.loading", "does not enter the strategic exchange"),
        ("parties.US.holdings.minuteman-iii.launchers.test", "field of a holding must be one of"),
        ("parties.US.defense.p_kill", "has no defense block"),
        ("parameters.gamma", "unknown parameter 'gamma'"),
        ("forces.US.w80", "must start with parameters. or parties."),
    ],
)
def test_bad_uncertain_paths_are_located_errors(uncertain, message):
    text = (
        "parties: [{force: us-2025}, {force: ru-2025}]\n"
        f"uncertain:\n  {uncertain}: {{dist: uniform, low: 0.2, high: 0.3}}\n"
    )
    with pytest.raises(InputError) as err:
        scenario(text)
    assert message in err.value.message
    assert (err.value.file, err.value.line) == ("t.yaml", 4)
    assert err.value.field == f"uncertain.{uncertain}"


def test_assured_destruction_emt_scales_the_default_w80_only():
    r = scenario(
        """
parties:
  - force: us-2025
  - force: ru-2025
    w80: 500
parameters: {assured_destruction_emt: 800}
"""
    )
    us, ru = r.sides(("US", "RU"))
    assert us.w80 == pytest.approx(2 * default_w80(load_force("ru-2025"))[0], rel=1e-12)
    assert ru.w80 == 500


def test_relative_force_paths_are_read_from_the_scenario_folder(tmp_path):
    force = (ROOT / "src" / "detente" / "data" / "forces" / "us-2025.yaml").read_text()
    (tmp_path / "forces").mkdir()
    (tmp_path / "forces" / "my-us.yaml").write_text(force.replace("name: us-2025", "name: my-us"))
    path = tmp_path / "s.yaml"
    path.write_text("name: rel\nparties: [{force: forces/my-us.yaml}, {force: ru-2025}]\n")
    assert resolve(load_scenario(path)).party("US").base.name == "my-us"


def test_defence_defaults_are_the_labelled_assumptions_of_parameters_yaml():
    from detente.model import parameters

    r = scenario("parties: [{force: us-2025, defense: {interceptors: 100}}, {force: ru-2025}]")
    d = r.party("US").defense
    for name in ("p_kill", "shots_per_rv", "availability"):
        assert getattr(d, name) == parameters.default("defense", name)
        assert d.provenance[name].status == "assumption"
    given = scenario(
        "parties: [{force: us-2025, defense: {interceptors: 100, p_kill: 0.5}}, {force: ru-2025}]"
    )
    assert given.party("US").defense.p_kill == 0.5
    assert "p_kill" not in given.party("US").defense.provenance
