"""assess(): each part of the assessment against the layer that computes it, and the ledger
that traces every number to a source or an assumption."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from detente.analysis.assess import assess
from detente.analysis.counting import count
from detente.analysis.ledger import ledger
from detente.analysis.stability import evaluate, make_sides
from detente.model import parameters
from detente.model.catalog import load_force, sources, system_table
from detente.model.scenario import parse_scenario
from detente.model.treaties import load_treaty

ROOT = Path(__file__).resolve().parents[2]
DEFAULT = ROOT / "examples" / "new-start-expiry.yaml"


@pytest.fixture(scope="module")
def default():
    return assess(DEFAULT, samples=2000)


def test_headline_index_is_the_stability_layer_on_the_same_forces(default):
    forces = [load_force("us-2025"), load_force("ru-2025")]
    assert default.fsi == evaluate(make_sides(forces)).fsi
    assert default.stability["US-RU"].r == evaluate(make_sides(forces)).r


def test_every_posture_and_lua_combination_is_evaluated(default):
    forces = [load_force("us-2025"), load_force("ru-2025")]
    assert len(default.postures) == 16
    keys = {(tuple(c.posture.values()), tuple(c.lua.values())) for c in default.postures}
    assert len(keys) == 16
    case = next(
        c
        for c in default.postures
        if c.posture == {"US": "generated", "RU": "day_to_day"}
        and c.lua == {"US": False, "RU": True}
    )
    sides = make_sides(forces, posture={"US": "generated", "RU": "day_to_day"}, lua={"RU": True})
    assert case.fsi == evaluate(sides).fsi


def test_counts_are_the_counting_engine(default):
    treaty = load_treaty("new-start")
    for label, name in (("US", "us-2025"), ("RU", "ru-2025")):
        force = load_force(name)
        assert default.counts[label] == count(force, treaty, system_table(force))


def test_upload_timeline_starts_at_the_headline_index(default):
    assert default.upload is not None
    assert default.upload.stability.fsi[0] == pytest.approx(default.fsi, rel=1e-12)
    assert len(default.upload.months) == default.scenario.upload.months + 1


def test_no_samples_no_monte_carlo_but_a_tornado():
    text = DEFAULT.read_text().replace("samples: 20000\n", "")
    a = assess(parse_scenario(text, str(DEFAULT)))
    assert a.uncertainty is None and a.tornado is not None
    assert a.to_dict()["uncertainty"] is None


def test_samples_outside_the_cap_are_a_clear_error():
    with pytest.raises(ValueError, match="between 1 and 5,000,000"):
        assess(DEFAULT, samples=5_000_001)


def test_ledger_traces_every_input_number(default):
    entries = {(e.scope, e.quantity): e for e in default.ledger}
    # Every number of every force (after modification) is in the ledger with its status.
    for party in default.resolved.parties:
        force = party.force
        for path, value, prov in force.sourced_values():
            if value is None:
                continue
            parts = path.split(".")
            if parts[0] == "holdings":
                parts = [force.holdings[int(parts[1])].name, *parts[2:]]
            entry = entries[(force.name, ".".join(parts))]
            assert entry.value == value
            assert entry.status == (prov.status if prov and prov.status else entry.status)
    # Model constants carry data/parameters.yaml's provenance.
    de = entries[("model", "kent_thaler.de")]
    assert de.value == parameters.default("kent_thaler", "de")
    assert de.status == parameters.provenance("kent_thaler", "de").status == "assumption"
    # Every ledger entry is sourced or marked as an assumption, and sources exist.
    known = sources()
    for e in default.ledger:
        assert e.status in {"official", "estimate", "derived", "assumption", "unsourced", "sourced"}
        assert e.sources or e.assumption or e.status == "derived", e
        assert all(s in known for s in e.sources), e
    cited = {s for e in default.ledger for s in e.sources}
    assert cited <= {s.id for s in default.sources}


def test_scenario_changes_are_assumptions_in_the_ledger():
    a = assess(
        parse_scenario(
            "name: t\nparties:\n  - force: us-2025\n    modifications:\n      holdings:\n"
            "        minuteman-iii: {loading: 3}\n  - force: ru-2025\n",
            "t.yaml",
        )
    )
    entry = next(e for e in a.ledger if e.quantity == "minuteman-iii.loading")
    assert (entry.value, entry.status) == (3, "assumption")
    assert "set by scenario 't'" in entry.note
    assert entry in a.assumptions


def test_three_parties_give_the_system_index_with_reserves():
    a = assess(ROOT / "examples" / "china-1000.yaml", samples=500)
    assert set(a.stability) == {"US-RU", "US-CN", "RU-CN"}
    tags = ("US-RU", "US-CN", "RU-CN")
    assert a.fsi == a.system["fsi"] == min(a.system[f"fsi.{t}"] for t in tags)
    assert a.system["fsi_product"] == pytest.approx(np.prod([a.system[f"fsi.{t}"] for t in tags]))
    assert len(a.postures) == 3 * 16
    mc = a.uncertainty.outputs
    assert list(mc["pair"].values) == list(tags)
    assert (mc["fsi_system"] == mc["fsi"].min("pair")).all()
    # Reserves against the third party, both sides of a pair holding one. A striker's own
    # reserve never lowers its r (tests/kernels/test_multiparty.py), but the victim's reserve
    # changes the victim's own first strike, on which the striker's C2 depends, so r has no
    # fixed direction here: on china-1000 (RU's w80 1,172.5 as the US strikes it) Russia's r
    # against China rises from 0.9004 alone to 0.9225 with reserves (on the forces before the
    # 2025 force update it fell, 0.8972 to 0.8566).
    alone = {f"{t}.{k}": round(r.r[k], 4) for t, r in a.stability.items() for k in t.split("-")}
    held = {k: round(a.system[f"r.{k}"], 4) for k in alone}
    assert alone == {
        "US-RU.US": 0.6868, "US-RU.RU": 1.0, "US-CN.US": 0.6398,
        "US-CN.CN": 1.0, "RU-CN.RU": 0.9004, "RU-CN.CN": 0.8421,
    }  # fmt: skip
    assert held == {
        "US-RU.US": 1.0, "US-RU.RU": 1.0, "US-CN.US": 1.0,
        "US-CN.CN": 1.0, "RU-CN.RU": 0.9225, "RU-CN.CN": 1.0,
    }  # fmt: skip


def test_without_reserves_three_parties_are_three_separate_pairs():
    text = (ROOT / "examples" / "china-1000.yaml").read_text()
    text = text.replace("samples: 10000\n", "parameters: {reserve: 0}\n")
    a = assess(parse_scenario(text, str(ROOT / "examples" / "china-1000.yaml")))
    for tag, result in a.stability.items():
        assert a.system[f"fsi.{tag}"] == pytest.approx(result.fsi, rel=1e-12, abs=1e-15)
        for side in tag.split("-"):
            assert a.system[f"r.{tag}.{side}"] == pytest.approx(result.r[side], rel=1e-12)
            assert a.system[f"arriving.{tag}.{side}"] == pytest.approx(
                result.arriving[side], rel=1e-12
            )


def test_ledger_lists_distributions_and_scenario_parameters():
    s = parse_scenario(
        "name: t\nparties: [{force: us-2025}, {force: ru-2025}]\nparameters: {de: 0.7}\n"
        "uncertain:\n  parameters.avail:\n"
        "    {dist: uniform, low: 0.8, high: 1, source: kent-thaler-1989}\n",
        "t.yaml",
    )
    from detente.analysis.scenario import resolve

    entries = {e.quantity: e for e in ledger(resolve(s))}
    assert entries["parameters.de"].value == 0.7 and entries["parameters.de"].assumption
    assert entries["uncertain parameters.avail"].sources == ("kent-thaler-1989",)


def test_missile_defence_enters_the_index_through_the_kernel():
    """golden-dome: the index with the defence is the kernel's; a defence that stops a
    ragged retaliation lowers the index here (Wilkening & Watman 1986); no interceptors
    give back the two-party answer exactly."""
    from detente.kernels.defense import Defense
    from detente.kernels.stability import stability_index

    path = ROOT / "examples" / "golden-dome.yaml"
    a = assess(path)
    us, ru = a.resolved.sides(("US", "RU"))
    d = a.resolved.party("US").defense
    direct = stability_index(
        us.forces,
        ru.forces,
        us.w80,
        ru.w80,
        a.resolved.params.de,
        a.resolved.params.de,
        defense_A=Defense(d.interceptors, d.p_kill, d.shots_per_rv, d.availability),
    )
    assert a.fsi == a.system["fsi"] == float(direct.fsi[0])
    assert a.system["arriving.RU"] < a.system["surviving.RU"]
    assert a.fsi < a.stability["US-RU"].fsi
    bars = {b.input: b for b in a.tornado.bars}
    assert bars["parties.US.defense.p_kill"].swing > 0
    none = path.read_text().replace("value: 1000, status", "value: 0, status")
    b = assess(parse_scenario(none, str(path)))
    assert b.fsi == pytest.approx(b.stability["US-RU"].fsi, rel=1e-12)


def test_posture_grid_in_one_call_equals_case_by_case():
    """The 16 posture and launch-under-attack cases are rows of one kernel call; each equals
    its own :func:`evaluate` to 1e-12."""
    import itertools

    from detente.analysis.scenario import resolve
    from detente.analysis.stability import evaluate
    from detente.analysis.stability_section import posture_cases
    from detente.model.scenario import parse_scenario

    resolved = resolve(parse_scenario("name: x\nparties: [{force: us-2025}, {force: ru-2025}]"))
    cases = posture_cases(resolved)
    assert len(cases) == 16
    grid = list(
        itertools.product(
            itertools.product(("day_to_day", "generated"), repeat=2),
            itertools.product((False, True), repeat=2),
        )
    )
    for case, (postures, luas) in zip(cases, grid, strict=True):
        posture = dict(zip(case.pair, postures, strict=True))
        lua = dict(zip(case.pair, luas, strict=True))
        assert (case.posture, case.lua) == (posture, lua)
        one = evaluate(resolved.sides(case.pair, posture, lua), resolved.params)
        assert case.fsi == pytest.approx(one.fsi, abs=1e-12)
        for k in case.pair:
            assert case.r[k] == pytest.approx(one.r[k], abs=1e-12)
