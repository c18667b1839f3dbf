"""Tests of the context measures: penalty for waiting, ARW, generation and LOW stability.

Values are checked against the worked check case T1 of models.md §2 (exact to rounding), the
counterforce strike against a plain-Python reference (1e-9), and the directions that hold
for the largest counterforce strike as properties.
"""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from detente.kernels import context as kc
from detente.kernels import stability as ks
from detente.kernels.exchange import Forces

W80 = 500.0 * ks.LN5  # w0 = 500 (models.md §2 check cases)
T1 = [[100, 50]], [[10, 10]], [[True, False]], 0.5
SLOW = settings(max_examples=40, deadline=None)


# ------------------------------------------------------------------ penalty for waiting


def test_penalty_for_waiting_of_check_case_t1():
    """T1: waiting costs A D1 = 1 − e^−2.4, striking first D2 = 1 − e^−0.6 (worked T1)."""
    out = kc.strike_outcome(*T1, *T1, W80, W80, 0.8)
    d_wait, d_strike = out.D_V, out.D_S  # symmetric sides: B's strike on A is A's on B
    p = kc.penalty_for_waiting(d_wait, d_strike)
    want = 1 - (1 - math.exp(-0.6)) / (1 - math.exp(-2.4))
    assert p[0] == pytest.approx(want, abs=1e-15)
    assert round(want, 4) == 0.5038
    assert kc.schelling_index(p, p)[0] == pytest.approx(want**2, abs=1e-15)


def test_penalty_conventions():
    p = kc.penalty_for_waiting([0.5, 0.0, 0.0, 0.2, 1.0], [0.5, 0.0, 0.3, 0.4, 0.0])
    assert p.tolist() == [0.0, 0.0, -math.inf, -1.0, 1.0]
    assert kc.schelling_index(p, 0.5).tolist() == [0.0, 0.0, 0.0, 0.0, 0.5]


@given(st.floats(0, 1), st.floats(0, 1), st.floats(0, 1), st.floats(0, 1))
def test_penalties_and_index_stay_in_range(d1a, d2a, d1b, d2b):
    pa = kc.penalty_for_waiting(d1a, d2a)
    pb = kc.penalty_for_waiting(d1b, d2b)
    assert pa <= 1 and pb <= 1
    index = kc.schelling_index(pa, pb)
    assert 0 <= index <= 1
    if index > 0:  # both sides lose less by striking first than by waiting
        assert d2a < d1a and d2b < d1b
    if d2a >= d1a or d2b >= d1b:
        assert index == 0


# ------------------------------------------------------------------ ARW ratios


def test_generation_and_low_stability_of_check_case_t1():
    """Largest counterforce strike on T1 (DE 0.8, kmax 2: 96 % of each target class).

    Day-to-day (alert 0.5): 100 silos and 25 boats lose 9.6 warheads each, 1200 of 1500:
    ARW 300. Generated (alert 1): the 50 boats cannot be targeted: ARW 540. Launch under
    attack: silo efficiency × 0.1, 96 + 240 destroyed: ARW 1164.
    """
    day = kc.strike_outcome(*T1, *T1, W80, W80, 0.8, strike="counterforce")
    gen = kc.strike_outcome(*T1, *T1[:3], 1.0, W80, W80, 0.8, strike="counterforce")
    low = kc.strike_outcome(*T1, *T1, W80, W80, 0.8, strike="counterforce", lua=True)
    assert (day.arriving[0], gen.arriving[0], low.arriving[0]) == pytest.approx((300, 540, 1164))
    assert kc.generation_stability(day.arriving, gen.arriving)[0] == pytest.approx(300 / 540)
    assert kc.low_stability(day.arriving, low.arriving)[0] == pytest.approx(300 / 1164)


def test_ratio_conventions():
    assert kc.generation_stability([0.0, 5.0, 2.0], [0.0, 0.0, 4.0]).tolist() == [
        1.0,
        math.inf,
        0.5,
    ]
    with pytest.raises(ValueError, match=r"arw_low must be finite and in \[0"):
        kc.low_stability(1.0, -1.0)
    with pytest.raises(ValueError, match=r"d_wait must be finite and in \[0, 1\]"):
        kc.penalty_for_waiting(1.5, 0.2)
    with pytest.raises(ValueError, match="penalties for waiting"):
        kc.schelling_index(float("nan"), 0.2)


# ------------------------------------------------------------------ strikes


def test_kent_thaler_strike_is_the_index_exchange():
    rng = np.random.default_rng(5)
    n, m = rng.integers(0, 300, (2, 50, 3)).astype(float), rng.integers(0, 10, (2, 50, 3))
    fixed, alert = rng.random((2, 50, 3)) < 0.5, rng.random((2, 50, 3))
    args = (n[0], m[0], fixed[0], alert[0], n[1], m[1], fixed[1], alert[1], 700.0, 300.0, 0.7)
    out = kc.strike_outcome(*args, lua=True)
    fs = ks.first_strike(Forces(*args[:4]), Forces(*args[4:8]), *args[8:], lua=True)
    for got, want in ((out.x, fs.x_star), (out.arriving, fs.R), (out.D_S, fs.D_S)):
        np.testing.assert_array_equal(got, want)
    np.testing.assert_array_equal(out.D_V, fs.D_V)


def reference_counterforce(striker, victim, w80_s, w80_v, de, kmax, lua, avail=0.9):
    """Plain Python: spend min(W_S, Σ costs) on segments in order of efficiency."""
    w_s = sum(n * m if f else avail * n * m for n, m, f, _ in striker)
    w_v = sum(n * m for n, m, _, _ in victim)
    segments = []
    for n, m, f, a in victim:
        for k in range(kmax):
            eff = m * de * (1 - de) ** k * (0.1 if f and lua else 1.0)
            segments.append((eff, n if f else n * (1 - a)))
    left = x = min(w_s, sum(c for _, c in segments))
    killed = 0.0
    for eff, cost in sorted(segments, key=lambda s: -s[0]):
        spend = min(cost, left)
        killed += eff * spend
        left -= spend
    arriving = max(w_v - killed, 0.0)
    return (
        x,
        arriving,
        -math.expm1(-arriving * ks.LN5 / w80_s),
        -math.expm1(-(w_s - x) * ks.LN5 / w80_v),
    )


element = st.tuples(
    st.one_of(st.integers(0, 300).map(float), st.floats(0, 2000)),
    st.sampled_from([0.0, 1.0, 3.0, 10.0]),
    st.booleans(),
    st.floats(0, 1),
)
side = st.lists(element, min_size=1, max_size=3)


def as_arrays(elements):
    return [np.array([[e[j] for e in elements]]) for j in range(4)]


@SLOW
@given(side, side, st.floats(10, 1e4), st.floats(10, 1e4), st.floats(0, 1), st.integers(1, 3),
       st.booleans())  # fmt: skip
def test_counterforce_strike_equals_plain_reference(s, v, w80_s, w80_v, de, kmax, lua):
    out = kc.strike_outcome(*as_arrays(s), *as_arrays(v), w80_s, w80_v, de, strike="counterforce",
                            kmax=kmax, lua=lua)  # fmt: skip
    want = reference_counterforce(s, v, w80_s, w80_v, de, kmax, lua)
    got = (out.x[0], out.arriving[0], out.D_S[0], out.D_V[0])
    assert got == pytest.approx(want, rel=1e-9, abs=1e-9)


@SLOW
@given(side, side, st.floats(0, 1), st.floats(0, 1), st.integers(1, 3))
def test_counterforce_measures_never_exceed_one(s, v, de, extra, kmax):
    """Against the largest counterforce strike, generating or launching on warning never
    lowers ARW (fewer targets, or lower efficiencies, can only shrink K), so GS, LS <= 1."""
    kw = dict(strike="counterforce", kmax=kmax)
    sa, va = as_arrays(s), as_arrays(v)
    day = kc.strike_outcome(*sa, *va, 100.0, 100.0, de, **kw)
    generated = [*va[:3], va[3] + (1 - va[3]) * extra]
    gen = kc.strike_outcome(*sa, *generated, 100.0, 100.0, de, **kw)
    low = kc.strike_outcome(*sa, *va, 100.0, 100.0, de, lua=True, **kw)
    assert kc.generation_stability(day.arriving, gen.arriving)[0] <= 1 + 1e-12
    assert kc.low_stability(day.arriving, low.arriving)[0] <= 1 + 1e-12


def test_bad_strike_and_shapes():
    with pytest.raises(ValueError, match="strike must be one of"):
        kc.strike_outcome(*T1, *T1, W80, W80, 0.8, strike="full")
    with pytest.raises(ValueError, match="batch sizes differ"):
        kc.strike_outcome(*T1, [[1], [2]], [[1], [1]], True, 0.0, W80, W80, 0.8,
                          strike="counterforce")  # fmt: skip
    with pytest.raises(ValueError, match=r"w80_V must be finite and in \(0"):
        kc.strike_outcome(*T1, *T1, W80, 0.0, 0.8, strike="counterforce")
