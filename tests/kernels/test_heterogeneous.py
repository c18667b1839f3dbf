"""DE by weapon type in the first-strike calculus (models.md §2, "Heterogeneous weapons").

The greedy spend of :func:`detente.kernels.exchange.weapon_segments` is checked for its
invariants (stocks and levels respected, K never above the victim's warheads, efficiency
non-increasing); the stability kernel with DE by weapon type reduces to the single-DE kernel
to 1e-12 when every type has the same DE (check cases T1–T3 and hypothesis forces) and equals
the plain-Python reference otherwise. The analysis layer (``StabilityParams(weapons="data")``)
and ``detente stability --weapons data`` are tested for building the DE matrix from the
systems catalogue and for the error when a needed figure is missing.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from kernels.test_stability import (
    CHECK_CASES,
    W80,
    assert_matches_reference,
    batch,
    random_rows,
    scenario,
    t1,
)

from detente.analysis.elements import element_hardness, element_warheads, elements_from_force
from detente.analysis.stability import (
    StabilityParams,
    evaluate,
    load_side_force,
    make_sides,
    weapon_de,
)
from detente.errors import InputError
from detente.kernels import exchange as ex
from detente.kernels import stability as ks
from detente.kernels.effects import damage_expectancy
from detente.kernels.exchange import Forces
from detente.model.catalog import load_force

SLOW = settings(max_examples=40, deadline=None)
ROOT = Path(__file__).resolve().parents[2]
NOTIONAL = ROOT / "examples" / "notional"
KEYS = ("C1_A", "C1_B", "C2_A", "C2_B", "fsi")


def by_type(de, striker_elements):
    """A (B, E_V) or scalar DE repeated for every striker element: shape (B, E_S, E_V)."""
    de = np.asarray(de, dtype=float)
    return np.repeat(np.atleast_2d(de)[:, None, :], striker_elements, axis=1)


# ------------------------------------------------------------------ the greedy spend


@st.composite
def spends(draw):
    n_class, n_type, kmax = (
        draw(st.integers(1, 4)),
        draw(st.integers(1, 4)),
        draw(st.integers(1, 3)),
    )
    count = st.one_of(st.integers(0, 300).map(float), st.floats(0, 500))
    n = [draw(count) for _ in range(n_class)]
    m = [draw(st.sampled_from([0.0, 1.0, 3.0, 10.0, 0.5])) for _ in range(n_class)]
    fixed = [draw(st.booleans()) for _ in range(n_class)]
    alert = [draw(st.floats(0, 1)) for _ in range(n_class)]
    prob = st.one_of(st.floats(0, 1), st.sampled_from([0.0, 0.5, 0.8, 1.0]))
    de = [[draw(prob) for _ in range(n_class)] for _ in range(n_type)]
    stock = [draw(st.one_of(count, st.floats(0, 3000))) for _ in range(n_type)]
    lua = draw(st.booleans())
    return [n], [m], [fixed], [alert], [de], [stock], kmax, lua


@SLOW
@given(spends())
def test_greedy_spend_respects_stocks_levels_and_the_victims_warheads(data):
    n, m, fixed, alert, de, stock, kmax, lua = data
    ws = ex.weapon_segments(n, m, fixed, alert, de, stock, kmax=kmax, lua=lua, lua_escape=0.9)
    cost, eff = ws.cost[0], ws.efficiency[0]
    w, j, k = ws.weapon[0], ws.target_class[0], ws.level[0]
    targets = np.where(fixed[0], n[0], np.asarray(n[0]) * (1 - np.asarray(alert[0])))
    assert np.all(cost >= 0) and np.all(eff >= 0)
    assert np.all(np.diff(eff) <= 1e-12 * np.maximum(1.0, eff[:-1]))  # concave K(x)
    for t, s in enumerate(stock[0]):
        assert cost[w == t].sum() <= s * (1 + 1e-12) + 1e-9
    for c in range(len(n[0])):
        for level in range(1, kmax + 1):
            assert cost[(j == c) & (k == level)].sum() <= targets[c] * (1 + 1e-12) + 1e-9
        killed = (cost * eff)[j == c].sum()
        assert killed <= n[0][c] * m[0][c] * (1 + 1e-12) + 1e-9
    used = cost[w >= 0].sum()
    want = min(sum(stock[0]), float(targets[np.asarray(m[0]) >= 0].sum()) * kmax)
    assert used == pytest.approx(want, rel=1e-12, abs=1e-9)  # spends all it can


def test_a_class_struck_by_one_type_gets_the_segment_efficiencies():
    """One type alone: efficiency m·DE·(1 − DE)^(k−1), the segments of the single-DE calculus."""
    ws = ex.weapon_segments(*t1(), [[[0.8, 0.8]]], [[1000.0]], kmax=3)
    cost, eff = ex.counterforce_segments(*t1(), 0.8, kmax=3)
    spent = ws.cost[0] > 0
    np.testing.assert_allclose(ws.efficiency[0][spent], eff[0], rtol=1e-15)
    np.testing.assert_allclose(ws.cost[0][spent], cost[0], rtol=0)


def test_mixed_types_on_one_class_are_credited_with_the_survival_they_leave():
    """Level 2 of the boats after 10 warheads of DE 0.9 and 15 of DE 0.5: mean survival
    (10·0.1 + 15·0.5)/25 = 0.34; one more DE-1 warhead on each destroys 10·0.34 = 3.4."""
    n, m, fixed, alert = [[50.0]], [[10.0]], [[False]], [[0.5]]
    ws = ex.weapon_segments(n, m, fixed, alert, [[[0.9], [0.5], [1.0]]], [[10.0, 15.0, 25.0]])
    assert ws.cost[0].tolist()[:3] == [25.0, 10.0, 15.0]  # DE 1 goes first, on level 1
    assert ws.efficiency[0].tolist()[:3] == [10.0, 0.0, 0.0]  # nothing left to destroy
    ws = ex.weapon_segments(n, m, fixed, alert, [[[0.9], [0.5], [1.0]]], [[10.0, 15.0, 0.0]])
    ws2 = ex.weapon_segments(
        n, m, fixed, alert, [[[0.9], [0.5], [1.0]]], [[10.0, 15.0, 25.0]], kmax=1
    )
    assert ws2.cost[0].tolist()[:2] == [25.0, 0.0]  # kmax = 1: one level only
    # The type of DE 1 comes in only at level 2 when it had no stock for level 1:
    ws = ex.weapon_segments(n, m, fixed, alert, [[[0.9], [0.5], [1.0]]], [[10.0, 40.0, 0.0]])
    assert ws.efficiency[0].round(12).tolist()[:3] == [9.0, 5.0, 1.7]


# ------------------------------------------------------------------ exact reduction


@pytest.mark.parametrize(("name", "side", "c1", "c2", "fsi", "r"), CHECK_CASES)
@pytest.mark.parametrize("kmax", [1, 2, 3])
def test_equal_de_for_every_type_reduces_to_the_check_cases(name, side, c1, c2, fsi, r, kmax):
    force = side()
    plain = ks.stability_index(force, force, W80, W80, 0.8, 0.8, kmax=kmax)
    width = len(force.n[0])
    de = by_type([[0.8] * width], width)
    typed = ks.stability_index(force, force, W80, W80, de, de, kmax=kmax)
    for key in KEYS:
        np.testing.assert_allclose(getattr(typed, key), getattr(plain, key), rtol=0, atol=1e-12)
    if kmax == 2:
        assert round(float(typed.C1_A[0]), 4) == c1 and round(float(typed.C2_A[0]), 4) == c2
        assert round(float(typed.fsi[0]), 4) == fsi


def test_splitting_an_element_into_types_of_equal_de_changes_nothing():
    """T1's silos as three holdings (40 + 35 + 25 silos) with the same DE: the same index."""
    split = ([[40, 35, 25, 50]], [[10] * 4], [[True, True, True, False]], [[0, 0, 0, 0.5]])
    plain = ks.stability_index(split, t1(), W80, W80, 0.8, 0.8)
    typed = ks.stability_index(split, t1(), W80, W80, by_type([[0.8, 0.8]], 4),
                               by_type([[0.8] * 4], 2))  # fmt: skip
    for key in KEYS:
        np.testing.assert_allclose(getattr(typed, key), getattr(plain, key), rtol=0, atol=1e-12)


def ends_tolerance(row):
    """The reference tests' allowance for minima at L or R = 0 (see assert_matches_reference)."""
    return sum(
        (8 * np.finfo(float).eps * sum(n * m for n, m, _, _ in row[side]) / row[w80])
        ** row["alpha"]
        for side, w80 in (("side_a", "w80_a"), ("side_b", "w80_b"))
    )


@SLOW
@given(st.lists(scenario(), min_size=1, max_size=4), st.integers(1, 3))
def test_equal_de_for_every_type_reduces_exactly_on_hypothesis_forces(rows, kmax):
    args, kwargs = batch(rows)
    plain = ks.stability_index(*args, kmax=kmax, **kwargs)
    args[4] = by_type(args[4], args[0].n.shape[1])
    args[5] = by_type(args[5], args[1].n.shape[1])
    typed = ks.stability_index(*args, kmax=kmax, **kwargs)
    for i, row in enumerate(rows):
        tol = 1e-12 + ends_tolerance(row)
        for key in ("C1_A", "C1_B", "C2_A", "C2_B"):
            want = pytest.approx(getattr(plain, key)[i], abs=tol)
            assert getattr(typed, key)[i] == want, (key, kmax, row)
        if min(plain.C2_A[i], plain.C2_B[i]) > 1e-3:
            want = pytest.approx(plain.fsi[i], rel=1e-9, abs=tol)
            assert typed.fsi[i] == want, (kmax, row)


# ------------------------------------------------------------------ against the reference


def typed_rows(rows, draw_de):
    for r in rows:
        r["de_ab"] = [[draw_de() for _ in r["side_b"]] for _ in r["side_a"]]
        r["de_ba"] = [[draw_de() for _ in r["side_a"]] for _ in r["side_b"]]
    return rows


@SLOW
@given(st.lists(scenario(), min_size=1, max_size=4), st.integers(1, 3), st.data())
def test_kernel_by_weapon_type_equals_reference(rows, kmax, data):
    prob = st.one_of(st.floats(0, 1), st.sampled_from([0.5, 0.8, 1.0]))
    rows = typed_rows(rows, lambda: data.draw(prob))
    args, kwargs = batch(rows)
    assert_matches_reference(ks.stability_index(*args, kmax=kmax, **kwargs), rows, kmax)


@pytest.mark.parametrize("kmax", [1, 2, 3])
def test_seeded_wide_batch_by_weapon_type_equals_reference(kmax):
    rng = np.random.default_rng(kmax)
    rows = random_rows(200 + kmax, 120)
    rows = typed_rows(rows, lambda: float(rng.choice([rng.uniform(), 0.8, 1.0, 0.5])))
    for r in rows[::3]:  # some with defences too
        r["defense_a"] = (float(rng.uniform(0, 2000)), float(rng.uniform()), 2, 0.9)
    args, kwargs = batch(rows)
    si = ks.stability_index(*args, kmax=kmax, chunk_size=31, threads=2, **kwargs)
    assert_matches_reference(si, rows, kmax)


def test_drawdown_curve_takes_de_by_weapon_type():
    """The curve's breakpoints are the greedy pieces; no grid point beats the stop rule."""
    de = [[[0.9, 0.9], [0.5, 0.5]]]
    split = ([[11, 85]], [[10, 10]], [[True, True]], [[0.0, 0.0]])
    curve = ks.drawdown_curve(split, t1(), W80, W80, de, num=300)
    ws = ex.weapon_segments(*t1(), de, [[110.0, 850.0]])
    np.testing.assert_allclose(curve.K_break[0][-1], (ws.cost * ws.efficiency).sum(), rtol=1e-12)
    fs = ks.first_strike(split, t1(), W80, W80, de)
    assert np.all(curve.C_S[0] >= fs.C_S[0] - 1e-12)


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (lambda: ex.weapon_segments(*t1(), [[0.8, 0.8]], [[10.0]]), "de must have shape"),
        (lambda: ex.weapon_segments(*t1(), [[[0.8, 1.2]]], [[10.0]]), "de must be finite"),
        (lambda: ex.weapon_segments(*t1(), [[[0.8, 0.8]]], [[10.0, 5.0]]), "stock has shape"),
        (lambda: ex.weapon_segments(*t1(), [[[0.8, 0.8]]], [[-1.0]]), "stock must be finite"),
        (
            lambda: ks.stability_index(t1(), t1(), W80, W80, by_type([[0.8] * 2], 3), 0.8),
            "de_AB has shape",
        ),
    ],
)
def test_bad_de_by_weapon_type_raises_a_clear_value_error(call, message):
    with pytest.raises(ValueError, match=message):
        call()


# ------------------------------------------------------------------ analysis layer and CLI


def test_weapon_de_is_damage_expectancy_of_the_catalogue_warheads():
    """Minuteman III's W78 (335 kt) and W87 (300 kt), CEP 200 m, against a silo of the
    assumed 2,000 psi, reliability the assumed 0.8: the mean of the two DEs."""
    us, ru = make_sides([load_force("us-2025"), load_force("ru-2025")])
    matrix, notes = weapon_de(us, ru, StabilityParams())
    want = damage_expectancy([335.0, 300.0], 200.0, 2000.0, reliability=0.8).mean()
    assert matrix.shape == (len(us.elements), len(ru.elements))
    assert matrix[0, 0] == pytest.approx(want, rel=1e-12)
    soft = damage_expectancy([335.0, 300.0], 200.0, 10.0, reliability=0.8).mean()
    assert matrix[0, -1] == pytest.approx(soft, rel=1e-12)
    assert any("hardness_psi 2000 (assumption)" in n for n in notes)
    assert any("reliability 0.8 (assumption)" in n for n in notes)


def test_elements_take_catalogue_figures_and_labelled_defaults():
    force = load_force("us-2025")
    elements = elements_from_force(force)
    warheads = element_warheads(force, elements)
    trident = warheads[elements.systems.index("trident-ii-d5")]
    assert trident.yield_kt == (90.0, 5.0, 455.0) and trident.cep_m == (200.0,) * 3
    assert any("cep_m 200 (assumption)" in a for a in trident.assumed)
    psi, assumed = element_hardness(force, elements)
    assert psi.tolist() == [2000.0, 10.0, 10.0, 10.0] and len(assumed) == 1


def test_a_missing_yield_is_a_clear_error():
    ru, us = make_sides([load_force("ru-2025"), load_force("us-2025")])
    with pytest.raises(InputError, match=r"r-36m2.*no default applies") as err:
        evaluate([ru, us], StabilityParams(weapons="data"))
    assert err.value.field == "weapons"


def test_notional_forces_keep_the_uniform_de():
    """Notional elements carry no weapon data: weapons='data' reproduces the check case T1."""
    sides = make_sides([load_side_force(NOTIONAL / f"t1-{x}.yaml") for x in "ab"])
    typed = evaluate(sides, StabilityParams(weapons="data"))
    plain = evaluate(sides)
    assert typed.fsi == pytest.approx(plain.fsi, abs=1e-12)
    assert round(typed.fsi, 4) == 0.2871
    assert typed.weapons["A"]["de"] == [[0.8, 0.8], [0.8, 0.8]]
    for side in "AB":
        assert typed.surviving[side] == pytest.approx(plain.surviving[side], rel=1e-12)


def test_real_forces_by_weapon_type_through_evaluate():
    sides = make_sides([load_force("us-2025"), load_force("uk-2025")])
    result = evaluate(sides, StabilityParams(weapons="data"))
    de_us = np.asarray(result.weapons["US"]["de"])[None]
    de_uk = np.asarray(result.weapons["UK"]["de"])[None]
    a, b = (Forces(*(x[None] for x in (s.elements.n, s.elements.m, s.elements.fixed,
                                       s.elements.alert))) for s in sides)  # fmt: skip
    want = ks.stability_index(a, b, sides[0].w80, sides[1].w80, de_us, de_uk)
    assert result.fsi == float(want.fsi[0])
    for label, fs in (("US", want.b_first), ("UK", want.a_first)):  # struck first
        assert sum(result.surviving[label].values()) == pytest.approx(float(fs.R[0]), rel=1e-9)
    doc = result.to_dict()
    assert (
        "weapons" not in doc["params"] and doc["weapons"]["US"]["de"] == result.weapons["US"]["de"]
    )
    assert "weapons" not in evaluate(sides).to_dict()


def test_unknown_weapons_choice_is_an_input_error():
    with pytest.raises(InputError, match="weapons must be one of uniform, data"):
        StabilityParams(weapons="mixed")


def test_cli_weapons_data(detente_cli):
    out = detente_cli("stability", "us-2025", "uk-2025", "--weapons", "data", "--format", "json")
    assert out.returncode == 0, out.stderr
    doc = json.loads(out.stdout)
    want = evaluate(
        make_sides([load_force("us-2025"), load_force("uk-2025")]), StabilityParams(weapons="data")
    )
    assert doc["fsi"] == want.fsi
    assert doc["weapons"]["US"]["de"] == want.weapons["US"]["de"]
    out = detente_cli("stability", "ru-2025", "us-2025", "--weapons", "data")
    assert out.returncode == 2 and "no default applies" in out.stderr
