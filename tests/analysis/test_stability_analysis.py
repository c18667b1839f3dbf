"""The stability analysis layer and ``detente stability``: check cases T1–T3 (models.md §2)
through the Python API and the CLI, and the directions of the published findings on real forces."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from detente.analysis.elements import elements_from_force
from detente.analysis.stability import (
    StabilityParams,
    default_w80,
    evaluate,
    load_side_force,
    make_sides,
    mean_warhead_emt,
    with_lua,
)
from detente.model.catalog import load_force

ROOT = Path(__file__).resolve().parents[2]
NOTIONAL = ROOT / "examples" / "notional"

# models.md §2, check cases (α 0.75, k 0.3, w0 500, DE 0.8, kmax 2, avail 0.9, alert 0.5).
CHECK = {
    "t1": {"C1": 0.5712, "C2": 1.0660, "fsi": 0.2871, "r_uncapped": None},
    "t2": {"C1": 0.7912, "C2": 0.7343, "fsi": 1.0000, "r_uncapped": 1.0774},
    "t3": {"C1": 0.8585, "C2": 0.9798, "fsi": 0.7677, "r_uncapped": None},
}


def _notional(case: str):
    return [load_side_force(NOTIONAL / f"{case}-{x}.yaml") for x in "ab"]


@pytest.mark.parametrize("case", sorted(CHECK))
def test_check_cases_through_the_api(case):
    result = evaluate(make_sides(_notional(case)))
    want = CHECK[case]
    for side in ("A", "B"):
        assert round(result.C1[side], 4) == want["C1"]
        assert round(result.C2[side], 4) == want["C2"]
        if want["r_uncapped"] is not None:
            assert round(result.r_uncapped[side], 4) == want["r_uncapped"]
    assert round(result.fsi, 4) == want["fsi"]


@pytest.mark.parametrize("case", sorted(CHECK))
def test_check_cases_through_the_cli(detente_cli, case):
    files = [str(NOTIONAL / f"{case}-{x}.yaml") for x in "ab"]
    out = detente_cli("stability", *files, "--de", "0.8", "--kmax", "2", "--format", "json")
    assert out.returncode == 0, out.stderr
    data = json.loads(out.stdout)
    assert set(data) >= {"C1", "C2", "r", "r_uncapped", "fsi"}
    want = CHECK[case]
    assert round(data["C1"]["A"], 4) == want["C1"]
    assert round(data["C2"]["B"], 4) == want["C2"]
    assert round(data["fsi"], 4) == want["fsi"]


def test_worked_t1_surviving_and_arriving():
    """Worked T1: x* = 250 covers every segment, so the victim keeps R = 300 warheads.

    Silos: 1000 − 100·10·0.8 − 100·10·0.8·0.2 = 40; boats: the 25 in port are struck twice,
    500 − 25·10·0.8 − 25·10·0.8·0.2 = 260.
    """
    result = evaluate(make_sides(_notional("t1")))
    assert result.x_star == {"A": 250.0, "B": 250.0}
    assert result.arriving["A"] == pytest.approx(300.0)
    assert sum(result.surviving["B"].values()) == pytest.approx(300.0)
    assert result.surviving["B"]["boats"] == pytest.approx(260.0)
    assert result.surviving["B"]["silos"] == pytest.approx(40.0)


def test_real_forces_generating_raises_the_index():
    forces = [load_force("us-2025"), load_force("ru-2025")]
    day = evaluate(make_sides(forces, posture="day_to_day"))
    gen = evaluate(make_sides(forces, posture="generated"))
    assert gen.fsi >= day.fsi
    assert 0.0 <= day.fsi <= 1.0


def test_launch_under_attack_never_lowers_the_index():
    sides = make_sides([load_force("us-2025"), load_force("ru-2025")])
    assert evaluate(with_lua(sides, True)).fsi >= evaluate(sides).fsi


def test_elements_take_the_posture_alert_fractions():
    force = load_force("us-2025")
    day = elements_from_force(force, "day_to_day")
    gen = elements_from_force(force, "generated")
    assert (gen.alert >= day.alert).all()
    assert not day.alert[day.fixed].any()
    assert day.total_warheads == pytest.approx(
        sum(h.deployed_warheads for h in force.holdings if h.system != "gbi")
    )


def test_default_w80_follows_the_attackers_yields():
    """Bigger attacking warheads destroy the same value with fewer weapons."""
    w80_vs_us, _ = default_w80(load_force("ru-2025"))
    w80_vs_ru, note = default_w80(load_force("us-2025"))
    assert w80_vs_us > 0 and w80_vs_ru > 0
    assert "assumption" in note


def _two_type_force(yields_kt: list[float], warheads: float = 100):
    """One silo ICBM holding whose system carries the given warhead types."""
    from detente.model.catalog import force_from_document
    from detente.model.yamlio import parse_yaml

    types = ", ".join(f"{{name: T{i}, yield_kt: {y}}}" for i, y in enumerate(yields_kt))
    text = f"""
name: two-type
party: US
as_of: 2030-01-01
systems:
  - {{id: two-type-icbm, name: Two-type ICBM, party: US, category: icbm, basing: silo,
     delivery: ballistic, max_loading: 3, warheads: [{types}]}}
holdings:
  - {{system: two-type-icbm, warheads: {warheads}, launchers: {{deployed: {warheads}}}}}
"""
    return force_from_document(parse_yaml(text, "two-type.yaml"))


def test_mean_warhead_emt_of_a_two_type_system_is_their_mean_not_their_sum():
    """Check value: 1,000 kt and 125 kt warheads are 1 and 0.25 EMT, so one warhead is 0.625
    EMT and w80 = 400 / 0.625 = 640 (the old code summed to 1.25 EMT and w80 320)."""
    force = _two_type_force([1000.0, 125.0])
    assert mean_warhead_emt(force) == pytest.approx(0.625, abs=1e-12)
    assert default_w80(force)[0] == pytest.approx(640.0, abs=1e-9)
    assert mean_warhead_emt(_two_type_force([125.0])) == pytest.approx(0.25, abs=1e-12)


def test_default_w80_of_russia_struck_by_the_united_states():
    """us-2025 (Minuteman III 400 W87/W78, Trident 970 W76-1/W76-2/W88, bombers): mean EMT
    0.3412 per warhead, so Russia's w80 = 400 / 0.3412 = 1,172.5 warheads."""
    w80, note = default_w80(load_force("us-2025"))
    assert round(mean_warhead_emt(load_force("us-2025")), 4) == 0.3412
    assert round(w80, 1) == 1172.5
    assert "0.3412 EMT" in note


def test_higher_de_never_raises_the_index_of_the_check_cases():
    sides = make_sides(_notional("t1"))
    low = evaluate(sides, StabilityParams(de=0.5)).fsi
    high = evaluate(sides, StabilityParams(de=0.95)).fsi
    assert high <= low


def test_bad_de_is_a_one_line_error(detente_cli):
    files = [str(NOTIONAL / f"t1-{x}.yaml") for x in "ab"]
    out = detente_cli("stability", *files, "--de", "1.5")
    assert out.returncode == 2
    assert len(out.stderr.strip().splitlines()) == 1
    assert "de" in out.stderr
