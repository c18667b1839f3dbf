"""The multiparty and context analysis layers and ``detente stability-system``.

The kernels are tested for values in tests/kernels; here each wrapper is tested for passing
the right forces, w80 and settings through: exact agreement with the two-party analysis and
with the kernels, the check case T1 of models.md §2, errors that say what to give.
"""

from __future__ import annotations

import json
import math
from pathlib import Path

import numpy as np
import pytest
from typer.testing import CliRunner

from detente.analysis.context import ContextMeasures, context_measures
from detente.analysis.elements import elements_from_force
from detente.analysis.multiparty import (
    ReserveRule,
    evaluate_system,
    system_from_scenario,
)
from detente.analysis.scenario import resolve
from detente.analysis.stability import (
    StabilityParams,
    default_w80,
    evaluate,
    load_side_force,
    make_sides,
    mean_warhead_emt,
)
from detente.cli import app
from detente.cli.system import parse_w80
from detente.errors import InputError
from detente.jsonio import jsonable
from detente.kernels import context as kc
from detente.model.notional import NotionalForce
from detente.model.scenario import load_scenario

ROOT = Path(__file__).resolve().parents[2]
NOTIONAL = ROOT / "examples" / "notional"
T1_FSI = 0.2871  # models.md §2, check case T1
NONE = ReserveRule("w80", 0.0)


def t1(party="A"):
    return load_side_force(NOTIONAL / "t1-a.yaml").model_copy(update={"party": party})


def unarmed(party="Z"):
    return NotionalForce(
        party=party,
        w80=123.0,
        elements=({"name": "empty", "kind": "fixed", "launchers": 0, "warheads_per_launcher": 1},),
    )


@pytest.fixture(scope="module")
def real():
    return [load_side_force(x) for x in ("us-2025", "ru-2025", "cn-2025")]


@pytest.fixture(scope="module")
def china():
    return resolve(load_scenario(ROOT / "examples" / "china-1000.yaml"))


# ------------------------------------------------------------------ evaluate_system


@pytest.mark.parametrize("posture", ["day_to_day", "generated"])
def test_two_real_forces_equal_the_two_party_analysis_exactly(real, posture):
    params = StabilityParams(de=0.7)
    two = evaluate(make_sides(real[:2], posture=posture, lua={"RU": True}), params)
    system = evaluate_system(real[:2], params, posture=posture, lua={"RU": True})
    pair = system.pairs["US-RU"]
    assert (pair.fsi, system.fsi_min, system.fsi_product) == (two.fsi, two.fsi, two.fsi)
    for field in ("C1", "C2", "r", "r_uncapped", "x_star", "arriving"):
        assert getattr(pair, field) == getattr(two, field)
    assert pair.reserve == {"US": 0.0, "RU": 0.0}


def test_sides_and_forces_give_the_same_system():
    trio = [t1("A"), t1("B"), t1("C")]
    sides = make_sides(trio)
    by_forces, by_sides = evaluate_system(trio), evaluate_system(sides)
    assert by_sides.posture == {"A": None, "B": None, "C": None}
    drop = lambda d: {k: v for k, v in d.items() if k != "posture"}  # noqa: E731
    assert drop(by_forces.to_dict()) == drop(by_sides.to_dict())


def test_three_t1_forces_without_and_with_reserve():
    """Three copies of T1: without a reserve every pair is T1; one w80 (804.7) raises all."""
    trio = [t1("A"), t1("B"), t1("C")]
    plain = evaluate_system(trio, reserve=NONE)
    assert [round(p.fsi, 4) for p in plain.pairs.values()] == [T1_FSI] * 3
    assert round(plain.fsi_product, 4) == round(plain.pairs["A-B"].fsi ** 3, 4)
    held = evaluate_system(trio)
    assert held.pairs["A-B"].reserve == {"A": pytest.approx(804.719), "B": pytest.approx(804.719)}
    assert held.fsi_min > plain.fsi_min
    frame = held.to_frame()
    assert len(frame) == 6 and set(frame.index.get_level_values("striker")) == {"A", "B", "C"}
    assert frame.loc[("A", "B"), "reserve"] == pytest.approx(804.719)


def test_an_unarmed_party_changes_nothing():
    trio = [t1("A"), t1("B"), t1("C")]
    base = evaluate_system(trio, reserve=ReserveRule("share", 0.2))
    grown = evaluate_system([*trio, unarmed()], reserve=ReserveRule("share", 0.2))
    assert (grown.fsi_min, grown.fsi_product) == (base.fsi_min, base.fsi_product)
    for tag, pair in base.pairs.items():
        assert grown.pairs[tag] == pair
    assert all(grown.pairs[f"{k}-Z"].fsi == 1.0 for k in "ABC")


def test_w80_is_kept_per_attacker(real):
    result = evaluate_system(real, w80={"US": 595.9, "RU": 1172.5})
    assert result.w80["CN"] == {
        "US": pytest.approx(default_w80(real[0])[0]),
        "RU": pytest.approx(default_w80(real[1])[0]),
    }
    assert result.w80["US"] == {"RU": 595.9, "CN": 595.9}
    assert result.w80_notes["US"] == "given"
    assert "against US" in result.w80_notes["CN"] and "against RU" in result.w80_notes["CN"]
    # The reserve of one w80 follows the w80 of the third party against the striker.
    assert result.pairs["US-RU"].reserve["US"] == pytest.approx(default_w80(real[0])[0])
    assert result.pairs["RU-CN"].reserve["RU"] == 595.9


def test_a_force_without_yields_asks_for_w80(real):
    # fr-2025: no M51 yield has a point value (the ASMPA is not in the strategic exchange)
    no_yields = [*real[:2], load_side_force("fr-2025")]
    with pytest.raises(InputError, match=r"w80 of US against FR has no default .*--w80 US="):
        evaluate_system(no_yields)
    with pytest.raises(InputError, match="w80 given for XX, not a party here"):
        evaluate_system(real, w80={"XX": 1.0, "US": 2.0, "RU": 3.0})


def test_china_enters_with_its_land_based_warheads_and_default_w80(real):
    # cn-2025: 231 ICBM warheads (DF-5 11, new silos 58, DF-41 81, DF-31A/AG 81), 72 SLBM and
    # 20 bomber; the DF-26's 145 are non-strategic and stay out. Defaults need no --w80: the
    # DF-31-class/DF-41 warhead's 250 kt (assumed midpoint of 200-300) gives 0.25**(2/3) EMT.
    legs = {}
    e = elements_from_force(real[2])
    for leg, w in zip(e.legs, e.warheads, strict=True):
        legs[leg] = legs.get(leg, 0.0) + float(w)
    assert legs == pytest.approx({"ICBM": 231, "SLBM": 72, "bomber": 20})
    result = evaluate_system(real)
    assert set(result.pairs) == {"US-RU", "US-CN", "RU-CN"}
    assert mean_warhead_emt(real[2]) == pytest.approx(0.25 ** (2 / 3))


def test_result_is_json_safe(real):
    result = evaluate_system(real, w80={"US": 595.9, "RU": 1172.5})
    data = json.loads(json.dumps(result.to_dict(), allow_nan=False))
    assert data["fsi_min"] == min(p["fsi"] for p in data["pairs"].values())
    assert data["weakest_pair"] == min(data["pairs"], key=lambda k: data["pairs"][k]["fsi"])


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (lambda: ReserveRule("all"), "reserve mode must be one of"),
        (lambda: ReserveRule("share", 1.5), r"a share reserve must be in \[0, 1\]"),
        (lambda: ReserveRule("warheads", -1.0), "must be finite, from 0 to"),
        (lambda: evaluate_system([t1()]), "at least two parties"),
        (lambda: evaluate_system([t1(), t1()]), "share the label"),
        (lambda: evaluate_system([t1("A"), make_sides([t1("B"), t1("C")])[0]]), "not a mix"),
    ],
)
def test_bad_input_is_a_clear_input_error(call, message):
    with pytest.raises(InputError, match=message):
        call()


# ------------------------------------------------------------------ the scenario layer


def test_scenario_system_without_reserve_is_each_pair_alone(china):
    """China-1000 with no reserve: every pair equals the two-party analysis of its sides."""
    plain = system_from_scenario(china, NONE)
    for pair in china.pairs():
        alone = evaluate(china.sides(pair), china.params)
        assert plain.pairs["-".join(pair)].fsi == alone.fsi
    assert plain.fsi_min == min(p.fsi for p in plain.pairs.values())


def test_scenario_system_uses_the_scenarios_w80(china):
    result = system_from_scenario(china)
    assert result.labels == ("US", "RU", "CN")
    assert result.w80["US"] == {"RU": 595.9, "CN": 595.9}  # given in china-1000.yaml
    assert result.w80["RU"] == {"US": 1172.5, "CN": 1172.5}
    assert result.pairs["US-CN"].reserve["US"] == 1172.5  # one w80 of RU, as US strikes it
    assert 0.0 <= result.fsi_min <= 1.0 and result.fsi_product <= result.fsi_min


def test_scenario_system_agrees_with_the_scenario_batch(china):
    """The scenario layer's batch path (one row at the scenario's values) gives the same index."""
    from detente.analysis.uncertainty import evaluate_batch

    result = system_from_scenario(china, ReserveRule("w80", china.reserve))
    out = evaluate_batch(china, {}, 1)
    assert (out["fsi_system"][0], out["fsi_product"][0]) == (result.fsi_min, result.fsi_product)


# ------------------------------------------------------------------ context measures


def test_context_of_t1_passes_the_kernel_values_through():
    a, b = t1("A"), t1("B")
    c = context_measures(a, b)
    # Worked T1 damages; the file's w80 = 804.719 is w0 = 500 rounded (1e-10 in p).
    want = pytest.approx(1 - (1 - math.exp(-0.6)) / (1 - math.exp(-2.4)), abs=1e-9)
    assert c.penalty == {"A": want, "B": want}
    assert c.schelling == pytest.approx(c.penalty["A"] ** 2, abs=1e-15)
    assert c.arw == {"A": 300.0, "B": 300.0}
    assert math.isnan(c.generation["A"])  # a notional force has one alert fraction
    assert set(c.arw_conditions["A"]) == {
        "day_to_day/ride_out",
        "day_to_day/launch_on_warning",
        "generated/ride_out",
        "generated/launch_on_warning",
    }
    assert all(math.isnan(v) for v in c.to_dict()["generation_stability"].values())
    assert jsonable(c.to_dict())["generation_stability"] == {"A": None, "B": None}  # JSON null


def test_context_of_real_forces_matches_the_kernel(real):
    """Generation stability of the US against Russia's largest counterforce strike."""
    us, ru = real[:2]
    params = StabilityParams(de=0.75)
    c = context_measures(us, ru, params, measures=ContextMeasures(strike="counterforce"))
    sides = {p: make_sides([us, ru], posture=p) for p in ("day_to_day", "generated")}
    arw = {}
    for p, (s_us, s_ru) in sides.items():
        e, f = s_ru.elements, s_us.elements
        arw[p] = kc.strike_outcome(
            e.n[None], e.m[None], e.fixed[None], e.alert[None],
            f.n[None], f.m[None], f.fixed[None], f.alert[None], s_ru.w80, s_us.w80, 0.75,
            strike="counterforce", kmax=params.kmax, avail=params.avail,
        ).arriving[0]  # fmt: skip
    assert c.arw_conditions["US"]["day_to_day/ride_out"] == arw["day_to_day"]
    assert c.generation["US"] == arw["day_to_day"] / arw["generated"]
    assert c.generation["US"] < 1 and c.low["US"] <= 1 and c.low["RU"] < 1


def test_context_measures_can_be_switched_off(real):
    c = context_measures(*real[:2], measures=ContextMeasures(arw=False, low=False))
    assert c.arw is None and c.arw_conditions is None and c.low is None
    assert c.penalty is not None and c.generation is not None
    frame = c.to_frame()
    assert "arriving_retaliation" not in frame and "generation_stability" in frame
    assert context_measures(*real[:2], measures=ContextMeasures(schelling=False)).schelling is None


def test_context_posture_and_lua_are_per_side(real):
    us, ru = real[:2]
    c = context_measures(us, ru, posture={"US": "generated"}, lua={"RU": True})
    assert c.posture == {"US": "generated", "RU": "day_to_day"}
    assert c.arw["US"] == c.arw_conditions["US"]["generated/ride_out"]
    assert c.arw["RU"] == c.arw_conditions["RU"]["day_to_day/launch_on_warning"]
    with pytest.raises(InputError, match="strike must be one of"):
        ContextMeasures(strike="all-out")
    with pytest.raises(InputError, match="posture of US must be one of"):
        context_measures(us, ru, posture={"US": "alert"})


# ------------------------------------------------------------------ CLI


def test_cli_json_of_three_t1_files():
    runner = CliRunner()
    path = str(NOTIONAL / "t1-a.yaml")
    out = runner.invoke(app, ["stability-system", path, path, "--format", "json"])
    assert out.exit_code != 0  # the same file twice: two parties share a label
    files = [str(NOTIONAL / f"t1-{x}.yaml") for x in "ab"]
    out = runner.invoke(app, ["stability-system", *files, "--reserve", "0", "-f", "json"])
    assert out.exit_code == 0, out.output
    data = json.loads(out.output)
    assert round(data["fsi_min"], 4) == T1_FSI
    assert data["reserve"] == {"mode": "w80", "amount": 0.0}


def test_cli_table_of_real_forces_with_w80_and_a_share_reserve():
    args = ["stability-system", "us-2025", "ru-2025", "cn-2025", "--w80", "US=595.9"]
    args += ["--w80", "RU=1172.5", "--reserve", "0.2", "--reserve-mode", "share"]
    out = CliRunner().invoke(app, args)
    assert out.exit_code == 0, out.output
    want = evaluate_system(
        [load_side_force(x) for x in ("us-2025", "ru-2025", "cn-2025")],
        reserve=ReserveRule("share", 0.2),
        w80={"US": 595.9, "RU": 1172.5},
    )
    assert f"min {want.fsi_min:.4f}" in out.output
    assert f"product {want.fsi_product:.4f}" in out.output
    assert "20% of usable weapons" in out.output


def test_cli_errors_are_one_line_with_status_2(detente_cli):
    out = detente_cli("stability-system", "us-2025", "ru-2025", "fr-2025")
    assert out.returncode == 2
    assert out.stderr.strip().count("\n") == 0 and "--w80 US=VALUE" in out.stderr


def test_parse_w80_rejects_bad_items():
    for item in ("US", "=5", "US=x", "US=0", "US=inf"):
        with pytest.raises(InputError, match="expected PARTY=VALUE"):
            parse_w80([item])
    assert parse_w80([]) == {}


def test_pairs_table_matches_frame(real):
    result = evaluate_system(real, w80={"US": 595.9, "RU": 1172.5})
    frame = result.to_frame()
    for (striker, victim), row in frame.iterrows():
        pair = result.pairs[row["pair"]]
        assert (
            row["C1"] == pair.C1[striker] and row["arriving_retaliation"] == pair.arriving[victim]
        )
    assert np.all(frame["fsi"] >= result.fsi_min)
