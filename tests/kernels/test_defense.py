"""Missile defence in the first-strike calculus (models.md §2, "Missile defence").

The defence kernel (eqs. D1–D4 of :mod:`detente.kernels.defense`) is checked against hand
values and its invariants; the stability kernel with defences against the plain-Python
reference (``reference_kent_thaler.py``, which splits segments at the defence's kink and scans
each piece) to 1e-9; zero defences reproduce the undefended kernel bit for bit; and the
published direction (Wilkening & Watman, RAND R-3412, 1986) is tested on the check cases.
The analysis layer and ``detente stability --defense-a`` are tested for passing the defence
through.
"""

from __future__ import annotations

import json
import math
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from kernels.test_stability import (
    CHECK_CASES,
    W80,
    assert_matches_reference,
    assert_outputs_in_range,
    batch,
    random_rows,
    scenario,
    t1,
    t3,
)

from detente.analysis.stability import (
    defense_from_force,
    defense_note,
    evaluate,
    kernel_defense,
    load_side_force,
    make_defense,
    make_sides,
)
from detente.errors import InputError
from detente.kernels import defense as kd
from detente.kernels import stability as ks
from detente.model.catalog import load_force
from detente.model.scenario import Defense

SLOW = settings(max_examples=40, deadline=None)
ROOT = Path(__file__).resolve().parents[2]
NOTIONAL = ROOT / "examples" / "notional"
FIELDS = ("C1_A", "C1_B", "C2_A", "C2_B", "r_A", "r_B", "fsi", "x_star_A", "x_star_B")


def defended(side_a, side_b, de=0.8, *, A=None, B=None, **kw):
    """Stability index of two (B, E) sides at the check-case parameters; ``A`` and ``B``
    are the sides' defences as (interceptors, p_kill[, shots_per_rv[, availability]])."""
    defense = {f"defense_{k}": kd.Defense(*d) for k, d in (("A", A), ("B", B)) if d}
    return ks.stability_index(side_a, side_b, W80, W80, de, de, **defense, **kw)


# ------------------------------------------------------------------ the defence kernel


def test_intercept_probability_by_hand():
    """Eq. D1: P = K·[1 − (1 − p)^s]; 0.9·(1 − 0.3²) = 0.819, 1 − 0.5³ = 0.875."""
    got = kd.intercept_probability([0.7, 0.5, 0.0, 1.0], [2, 3, 4, 1], [0.9, 1.0, 1.0, 0.5])
    np.testing.assert_allclose(got, [0.819, 0.875, 0.0, 0.5], rtol=0, atol=1e-15)


def test_engagement_capacity_is_whole_salvos_of_shots():
    """Eq. D2: ⌊I/s⌋: 7 interceptors at 2 a shot engage 3 RVs, fewer than s engage none."""
    assert kd.engagement_capacity([7, 1, 0, 44], [2, 2, 1, 1]).tolist() == [3.0, 0.0, 0.0, 44.0]


def test_arriving_warheads_has_its_kink_at_the_capacity():
    """Eq. D3 with P = 0.5, ⌊I/s⌋ = 100: slope 0.5 up to 100 RVs, 1 beyond."""
    n = np.array([0.0, 50.0, 100.0, 150.0, 400.0])
    got = kd.arriving_warheads(n, 100, 0.5)
    np.testing.assert_allclose(got, [0.0, 25.0, 50.0, 100.0, 350.0], rtol=0, atol=1e-12)
    share = kd.penetration_share(n, 100, 0.5)
    np.testing.assert_allclose(share, [1.0, 0.5, 0.5, 2 / 3, 0.875], rtol=1e-15)


@settings(max_examples=60, deadline=None)
@given(
    st.floats(0, 1),
    st.integers(1, 6),
    st.floats(0, 1),
    st.floats(0, 5000),
    st.floats(0, 5000),
    st.floats(0, 5000),
)
def test_defence_probabilities_stay_in_range(p, s, k, interceptors, n, more):
    big = kd.intercept_probability(p, s, k)
    assert 0.0 <= big <= k <= 1.0
    assert kd.intercept_probability(p, s + 1, k) >= big  # more shots never hurt
    share = kd.penetration_share(n, interceptors, p, s, k)
    assert 0.0 <= share <= 1.0
    arr = kd.arriving_warheads([n, n + more], interceptors, p, s, k)
    assert (1 - big) * n - 1e-9 <= arr[0] <= n
    assert arr[1] >= arr[0] - 1e-9  # a bigger salvo never delivers fewer RVs
    if n > 0:
        assert share * n == pytest.approx(arr[0], rel=1e-12, abs=1e-9)


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (lambda: kd.intercept_probability(1.5), "p_kill must be finite and in"),
        (lambda: kd.intercept_probability(0.5, 1.5), "shots_per_rv must be a whole number"),
        (lambda: kd.intercept_probability(0.5, 0), "shots_per_rv must be a whole number"),
        (lambda: kd.intercept_probability(0.5, 1, -0.1), "availability must be finite"),
        (lambda: kd.engagement_capacity(-1), "interceptors must be finite"),
        (lambda: kd.arriving_warheads(np.nan, 10, 0.5), "warheads must be finite"),
    ],
)
def test_defence_kernel_rejects_bad_input(call, message):
    with pytest.raises(ValueError, match=message):
        call()


# ------------------------------------------------------------------ zero defence


@pytest.mark.parametrize(("name", "side", "c1", "c2", "fsi", "r"), CHECK_CASES)
def test_zero_defence_reproduces_the_check_cases_bit_for_bit(name, side, c1, c2, fsi, r):
    plain = defended(side(), side())
    for kw in (
        dict(A=(0, 0.9), B=(0.0, 0.5)),
        dict(A=(1, 0.9, 2)),  # ⌊1/2⌋ = 0 RVs engaged
        dict(B=(500, 0.0)),  # P = 0
        dict(A=(500, 0.9, 1, 0.0)),  # never available
    ):
        zero = defended(side(), side(), **kw)
        for key in FIELDS:
            np.testing.assert_array_equal(getattr(zero, key), getattr(plain, key), err_msg=key)
        for first in ("a_first", "b_first"):
            for a, b in zip(getattr(zero, first), getattr(plain, first), strict=True):
                np.testing.assert_array_equal(a, b)
    assert (round(float(plain.C1_A[0]), 4), round(float(plain.C2_A[0]), 4)) == (c1, c2)
    assert round(float(plain.fsi[0]), 4) == fsi


def test_rows_without_a_defence_in_a_defended_batch_are_exactly_undefended():
    """T1, T2, T3 as a batch; only T1 has defences: T2 and T3 match the plain kernel bit for bit."""
    n = [[100, 50], [1000, 50], [150, 0]]
    m = [[10, 10], [1, 10], [10, 0]]
    fixed = [[True, False], [True, False], [False, False]]
    side = (n, m, fixed, 0.5)
    plain = ks.stability_index(side, side, W80, W80, 0.8, 0.8)
    kw = dict(defense_A=kd.Defense([200, 0, 0], 0.9))
    kw.update(defense_B=kd.Defense([300, 0, 500], [0.5, 0.5, 0.0]))
    mixed = ks.stability_index(side, side, W80, W80, 0.8, 0.8, **kw)
    for key in FIELDS:
        np.testing.assert_array_equal(getattr(mixed, key)[1:], getattr(plain, key)[1:])
    assert mixed.fsi[0] < plain.fsi[0]


def test_without_a_defence_everything_arrives():
    si = defended(t1(), t1())
    for fs in (si.a_first, si.b_first):
        np.testing.assert_array_equal(fs.R_arriving, fs.R)
        np.testing.assert_array_equal(fs.L_arriving, fs.L)


# ------------------------------------------------------------------ against the reference


def defence_tuple():
    return st.one_of(
        st.none(),
        st.tuples(
            st.one_of(st.floats(0, 3000), st.sampled_from([0.0, 1.0, 10.0, 250.0])),
            st.one_of(st.floats(0, 1), st.just(1.0)),
            st.integers(1, 3),
            st.one_of(st.floats(0, 1), st.just(1.0)),
        ),
    )


@st.composite
def defended_scenarios(draw):
    kmax = draw(st.integers(1, 3))
    rows = draw(st.lists(scenario(), min_size=1, max_size=4))
    rows = [dict(r, defense_a=draw(defence_tuple()), defense_b=draw(defence_tuple())) for r in rows]
    return kmax, rows


@SLOW
@given(defended_scenarios())
def test_kernel_with_defences_equals_reference(data):
    kmax, rows = data
    args, kwargs = batch(rows)
    assert_matches_reference(ks.stability_index(*args, kmax=kmax, **kwargs), rows, kmax)


def with_defences(rows, seed):
    rng = np.random.default_rng(seed)
    for r in rows:
        for key in ("defense_a", "defense_b"):
            if rng.random() < 0.8:
                interceptors = float(rng.choice([rng.uniform(0, 3000), 0.0, 10.0]))
                p = float(rng.choice([rng.uniform(), 1.0, 0.0]))
                r[key] = (interceptors, p, int(rng.integers(1, 4)), float(rng.uniform(0.5, 1)))
    return rows


@pytest.mark.parametrize("kmax", [1, 2, 3])
def test_seeded_wide_batch_with_defences_equals_reference(kmax):
    rows = with_defences(random_rows(100 + kmax, 120), kmax)
    args, kwargs = batch(rows)
    si = ks.stability_index(*args, kmax=kmax, chunk_size=29, threads=2, **kwargs)
    assert_matches_reference(si, rows, kmax)


@SLOW
@given(scenario(), defence_tuple(), defence_tuple(), st.integers(1, 3))
def test_no_point_of_the_defended_curve_costs_the_striker_less(row, d_a, d_b, kmax):
    row = dict(row, defense_a=d_a, defense_b=d_b)
    args, kwargs = batch([row])
    si = ks.stability_index(*args, kmax=kmax, **kwargs)
    params = {k: kwargs[k] for k in ("alpha", "surcharge", "avail", "lua_escape")}
    defence = dict(defense_S=kwargs.get("defense_A"), defense_V=kwargs.get("defense_B"))
    curve = ks.drawdown_curve(*args[:5], kmax=kmax, lua=kwargs["lua_B"], num=400, **params,
                              **defence)  # fmt: skip
    assert np.all(curve.C_S[0] >= si.C1_A[0] - 1e-12)


# ------------------------------------------------------------------ invariants


@SLOW
@given(defended_scenarios())
def test_defended_outputs_stay_in_range(data):
    kmax, rows = data
    args, kwargs = batch(rows)
    si = ks.stability_index(*args, kmax=kmax, **kwargs)
    assert_outputs_in_range(si, kwargs["surcharge"])
    for fs in (si.a_first, si.b_first):
        assert np.all((fs.R_arriving >= 0) & (fs.R_arriving <= fs.R))
        assert np.all((fs.L_arriving >= 0) & (fs.L_arriving <= fs.L + 1e-9))


def test_arriving_warheads_match_the_defence_kernel():
    """The kernel's R_arriving and L_arriving are eqs. D3 and D4 at its own R and W_S."""
    rows = with_defences(random_rows(5, 60), 5)
    args, kwargs = batch(rows)
    si = ks.stability_index(*args, **kwargs)
    fs = si.a_first  # A strikes: B's defence meets A's strike, A's meets B's retaliation
    want_r = kd.arriving_warheads(fs.R, *kwargs["defense_A"])
    np.testing.assert_allclose(fs.R_arriving, want_r, rtol=1e-12, atol=1e-9)
    want_l = kd.penetration_share(fs.W_S, *kwargs["defense_B"]) * fs.L
    np.testing.assert_allclose(fs.L_arriving, want_l, rtol=1e-12, atol=1e-9)


@SLOW
@given(scenario(), defence_tuple(), st.floats(0, 2000))
def test_more_interceptors_never_raise_the_defenders_cost_of_striking_first(row, d_a, extra):
    """R_arriving falls with the defence at every x, so C1 of the defender cannot rise; its
    defence also thins the other's strike, so the other's C1 cannot fall."""
    d_a = d_a or (0.0, 0.8, 1, 1.0)
    args, kwargs = batch([row])
    before = ks.stability_index(*args, **kwargs, **_kw("A", d_a))
    after = ks.stability_index(*args, **kwargs, **_kw("A", (d_a[0] + extra, *d_a[1:])))
    assert after.C1_A[0] <= before.C1_A[0] + 1e-12
    assert after.C1_B[0] >= before.C1_B[0] - 1e-12


def _kw(suffix, defence):
    return {f"defense_{suffix}": kd.Defense(*defence)}


def test_a_perfect_defence_of_the_victim_leaves_the_striker_nothing_to_gain():
    """P = 1 engaging every RV of the first strike: no damage to the victim, D_V = 0, and
    the striker's cost is the retaliation's damage plus the whole surcharge."""
    fs = ks.first_strike(t1(), t1(), W80, W80, 0.8, defense_V=kd.Defense(2000, 1.0))
    assert (fs.D_V[0], fs.L_arriving[0], fs.K[0]) == (0.0, 0.0, 0.0)
    assert fs.R[0] == 1500.0
    assert fs.C_S[0] == pytest.approx((1 - math.exp(-3.0)) ** 0.75 + 0.3, abs=1e-15)


# ------------------------------------------------------------------ published direction
# Wilkening & Watman (RAND R-3412, 1986): a defence of fixed capacity removes the share
# P·min(1, ⌊I/s⌋/N) of a salvo of N RVs. Against the ragged retaliation of a side that has
# been struck first (N = R, a few hundred RVs in the check cases) that share is large;
# against a full first strike (N = W_S = 1,450) it is small. So the defence lowers each
# side's cost of striking first (C1: it suffers the retaliation) much more than its cost of
# being struck (C2: it suffers the full strike), and r = C1/C2 and the FSI fall. A defence
# big enough to take the same share P of both salvos (capacity above W_S) does not work
# that way: there C2 falls as much as C1 or more, and the index need not fall.

LIMITED = [
    (case, interceptors, p)
    for case in ("T1", "T3")
    for interceptors in (50, 100, 200, 400)
    for p in (0.5, 0.9)
]
SIDES = {"T1": t1, "T3": t3}


@pytest.mark.parametrize(("case", "interceptors", "p_kill"), LIMITED)
def test_a_limited_defence_on_both_sides_lowers_fsi(case, interceptors, p_kill):
    side = SIDES[case]()
    plain = defended(side, side)
    both = defended(side, side, A=(interceptors, p_kill), B=(interceptors, p_kill))
    fs = both.a_first
    # The premise: the defence takes a larger share of the retaliation than of a full strike.
    share_retaliation = 1 - fs.R_arriving[0] / fs.R[0]
    share_first_strike = 1 - fs.L_arriving[0] / fs.L[0]
    assert share_retaliation > share_first_strike
    # The finding: C1 falls by a larger share than C2 (which may even rise), so r and FSI fall.
    drop_c1 = 1 - both.C1_A[0] / plain.C1_A[0]
    drop_c2 = 1 - both.C2_A[0] / plain.C2_A[0]
    assert drop_c1 > 0 and drop_c1 > drop_c2
    assert both.r_uncapped_A[0] < plain.r_uncapped_A[0]
    assert both.r_uncapped_B[0] == both.r_uncapped_A[0]
    assert both.fsi[0] < plain.fsi[0]


@pytest.mark.parametrize(("case", "interceptors", "p_kill"), LIMITED)
def test_a_limited_defence_raises_its_owners_incentive_to_strike(case, interceptors, p_kill):
    """One side's defence lowers its own r (it is more tempted to strike first)."""
    side = SIDES[case]()
    plain = defended(side, side)
    one = defended(side, side, A=(interceptors, p_kill))
    assert one.r_uncapped_A[0] < plain.r_uncapped_A[0]


def test_a_defence_that_takes_the_same_share_of_every_salvo_need_not_lower_fsi():
    """Capacity 1,600 RVs (above W_S = 1,450), P = 0.9 on both sides of T1: every RV of either
    salvo is engaged, C2 falls more than C1 and the index rises (to 1)."""
    side = t1()
    plain = defended(side, side)
    both = defended(side, side, A=(1600, 0.9), B=(1600, 0.9))
    assert 1 - both.C2_A[0] / plain.C2_A[0] > 1 - both.C1_A[0] / plain.C1_A[0]
    assert both.fsi[0] > plain.fsi[0]


# ------------------------------------------------------------------ bad input


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (dict(A=(-1.0, 0.5)), "defense_A.interceptors must be finite"),
        (dict(B=(100.0, None)), "defense_B.p_kill must be finite"),
        (dict(A=(10, 1.2)), "defense_A.p_kill must be finite and in"),
        (dict(A=(10, 0.5, 1.5)), "defense_A.shots_per_rv must be"),
        (dict(A=(10, 0.5, 0)), "defense_A.shots_per_rv must be"),
        (dict(B=(10, 0.5, 1, 2.0)), "defense_B.availability must be"),
        (dict(A=([[1.0, 2.0]], 0.5)), "defense_A.interceptors has shape"),
    ],
)
def test_kernel_rejects_bad_defences(change, message):
    with pytest.raises(ValueError, match=message):
        defended(t1(), t1(), **change)


# ------------------------------------------------------------------ analysis layer and CLI


def _t1_sides(**defense):
    return make_sides([load_side_force(NOTIONAL / f"t1-{x}.yaml") for x in "ab"], defense=defense)


def test_evaluate_passes_a_sides_defence_to_the_kernel():
    d = make_defense(200, p_kill=0.9, shots_per_rv=1, availability=1.0)
    sides = _t1_sides(A=d)
    result = evaluate(sides)
    w80 = [s.w80 for s in sides]  # the notional files' 804.719
    want = ks.stability_index(t1(), t1(), *w80, 0.8, 0.8, defense_A=kd.Defense(200, 0.9))
    assert (result.C1["A"], result.C1["B"]) == (want.C1_A[0], want.C1_B[0])
    assert result.fsi == float(want.fsi[0])
    # B strikes A first: A's retaliation (300 surviving warheads) meets no defence; A strikes
    # B first: B's 300 meet A's defence, P = 0.9 on 200 of them: 300 − 180 = 120 arrive.
    assert result.arriving["B"] == pytest.approx(120.0, abs=1e-9)
    assert result.defense["A"]["retaliation_arriving"] == pytest.approx(120.0, abs=1e-9)
    assert result.defense["A"]["first_strike_through"] == pytest.approx(1 - 0.9 * 200 / 1450)
    assert sum(result.surviving["B"].values()) == pytest.approx(300.0)
    assert "defense" in result.to_dict() and "B" not in result.defense


def test_evaluate_without_defence_keeps_its_output():
    result = evaluate(_t1_sides())
    assert result.defense == {} and "defense" not in result.to_dict()
    assert result.arriving == {"A": pytest.approx(300.0), "B": pytest.approx(300.0)}


def test_defence_from_a_scenario_block_and_from_holdings():
    spec = Defense(interceptors=1000, p_kill=0.7, shots_per_rv=2, availability=0.9)
    assert kernel_defense(spec) == kd.Defense(1000.0, 0.7, 2, 0.9)  # the one boundary
    assert kernel_defense(None) is None
    assert defense_note(spec) == "given"
    gbi = defense_from_force(load_force("us-2025"), p_kill=0.5)
    assert gbi.interceptors == 44.0 and gbi.p_kill == 0.5
    assert "shots_per_rv, availability assumed" in defense_note(gbi)
    assert defense_from_force(load_force("uk-2025")).interceptors == 0.0


@pytest.mark.parametrize(
    ("kw", "field"),
    [
        (dict(interceptors=-1.0), "defense.interceptors"),
        (dict(interceptors=math.inf), "defense.interceptors"),
        (dict(interceptors=10, p_kill=1.1), "defense.p_kill"),
        (dict(interceptors=10, shots_per_rv=0), "defense.shots_per_rv"),
        (dict(interceptors=10, shots_per_rv=1.5), "defense.shots_per_rv"),
        (dict(interceptors=10, availability=-0.1), "defense.availability"),
    ],
)
def test_missile_defense_rejects_bad_figures(kw, field):
    with pytest.raises(InputError) as err:
        make_defense(**kw)
    assert err.value.field == field


def test_make_sides_rejects_a_defence_for_an_unknown_side():
    with pytest.raises(InputError, match="unknown side"):
        _t1_sides(C=make_defense(10))


def test_cli_defence_option_reaches_the_kernel(detente_cli):
    files = [str(NOTIONAL / f"t1-{x}.yaml") for x in "ab"]
    out = detente_cli("stability", *files, "--defense-a", "200,0.9,1,1", "--format", "json")
    assert out.returncode == 0, out.stderr
    doc = json.loads(out.stdout)
    want = evaluate(_t1_sides(A=make_defense(200, p_kill=0.9, shots_per_rv=1, availability=1)))
    assert doc["fsi"] == want.fsi
    assert doc["defense"]["A"]["intercept_probability"] == pytest.approx(0.9)
    assert list(doc)[:5] == ["C1", "C2", "r", "r_uncapped", "fsi"]


@pytest.mark.parametrize(
    ("option", "message"),
    [
        ("holdings", "a notional force holds no interceptors"),
        ("200,1.5", "must be finite and in [0, 1]"),
        ("x", "expected I[,p_kill"),
    ],
)
def test_cli_bad_defence_is_a_one_line_error(detente_cli, option, message):
    files = [str(NOTIONAL / f"t1-{x}.yaml") for x in "ab"]
    out = detente_cli("stability", *files, "--defense-a", option)
    assert out.returncode == 2
    assert message in out.stderr and "--defense-a" in out.stderr
    assert len(out.stderr.strip().splitlines()) == 1
