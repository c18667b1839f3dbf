"""Tests of detente.kernels.risk (models.md §6).

Tolerance regimes: the closed-form check (one stream, λ = 1/yr, probabilities multiplying to
0.01) to 1e-15; the fast kernel against the slow plain-Python reference below to 1e-12; the
Poisson-thinning structure against a seeded event simulation to 0.01 absolute (about five
standard errors of a 40,000-year estimate).
"""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from detente.kernels import risk as kr

# ---------------------------------------------------------------- slow, obvious reference


def ref_annual(rates, fractions, passes, launches):
    """1 - prod_i exp(-λ_i f_i p_i q_i), one stream at a time."""
    survive = 1.0
    for lam, f, p, q in zip(rates, fractions, passes, launches, strict=True):
        survive *= math.exp(-lam * f * p * q)
    return 1.0 - survive


# ---------------------------------------------------------------- the must-show check


def test_single_stream_one_alarm_a_year_product_one_percent():
    stages = kr.pass_probability([0.5, 0.2])  # two evaluation stages
    p = kr.annual_probability([1.0], [1.0], [stages], [0.1])  # 0.5 * 0.2 * 0.1 = 0.01
    assert float(p) == pytest.approx(1 - math.exp(-0.01), abs=1e-15)


def test_streams_and_conditions_add_their_rates():
    # US and RU, ICBM-like and SLBM-like, each in crisis (f = 0.1) and low tension (f = 0.9)
    rates = np.repeat([2.0, 1.0, 2.0, 1.0], 2)
    f = np.tile([0.1, 0.9], 4)
    passes = np.tile([0.2, 0.01], 4)
    launch = np.tile([0.05, 0.001], 4)
    expected_rate = sum(
        lam * fc * pc * qc for lam, fc, pc, qc in zip(rates, f, passes, launch, strict=True)
    )
    assert float(kr.launch_rate(rates, f, passes, launch)) == pytest.approx(expected_rate)
    assert float(kr.annual_probability(rates, f, passes, launch)) == pytest.approx(
        1 - math.exp(-expected_rate), abs=1e-15
    )


# ---------------------------------------------------------------- against the reference

probability = st.floats(0, 1)
streams = st.integers(1, 6)


@settings(max_examples=60, deadline=None)
@given(
    streams.flatmap(
        lambda s: st.tuples(
            hnp.arrays(float, s, elements=st.floats(0, 50)),
            hnp.arrays(float, s, elements=probability),
            hnp.arrays(float, s, elements=probability),
            hnp.arrays(float, s, elements=probability),
        )
    )
)
def test_kernel_matches_reference(args):
    assert float(kr.annual_probability(*args)) == pytest.approx(ref_annual(*args), abs=1e-12)


def test_batch_axis_evaluates_each_sample():
    rng = np.random.default_rng(1)
    rates = rng.uniform(0, 5, (7, 4))
    f, p, q = (rng.random((7, 4)) for _ in range(3))
    got = kr.annual_probability(rates, f, p, q)
    assert got.shape == (7,)
    np.testing.assert_allclose(
        got, [ref_annual(*(a[i] for a in (rates, f, p, q))) for i in range(7)], atol=1e-12
    )


# ---------------------------------------------------------------- structure by simulation


def test_poisson_thinning_agrees_with_event_simulation():
    """Simulate years alarm by alarm: Poisson counts, each alarm passes then meets a launch
    decision; a year is 'lost' if any alarm ends in a launch."""
    rng = np.random.default_rng(42)
    rates, passes, launch = np.array([3.0, 1.5]), np.array([0.3, 0.5]), np.array([0.1, 0.2])
    years = 40_000
    lost = np.zeros(years, dtype=bool)
    for lam, p, q in zip(rates, passes, launch, strict=True):
        counts = rng.poisson(lam, years)
        ends_in_launch = rng.binomial(counts, p * q)
        lost |= ends_in_launch > 0
    expected = float(kr.annual_probability(rates, [1.0, 1.0], passes, launch))
    assert lost.mean() == pytest.approx(expected, abs=0.01)


# ---------------------------------------------------------------- properties


@settings(max_examples=50, deadline=None)
@given(st.floats(0, 20), probability, st.floats(0, 0.99), probability, st.floats(1.01, 3))
def test_probability_rises_with_every_factor(lam, f, p, q, factor):
    base = float(kr.annual_probability([lam], [f], [p], [q]))
    assert 0.0 <= base <= 1.0
    assert float(kr.annual_probability([lam * factor], [f], [p], [q])) >= base
    assert float(kr.annual_probability([lam], [f], [min(p * factor, 1)], [q])) >= base


@settings(max_examples=50, deadline=None)
@given(probability, st.floats(0, 200), st.floats(0, 50))
def test_cumulative_probability(p, years, more):
    c = float(kr.cumulative_probability(p, years))
    assert 0.0 <= c <= 1.0
    assert float(kr.cumulative_probability(p, years + more)) >= c - 1e-15
    assert c == pytest.approx(1 - (1 - p) ** years, abs=1e-12)


def test_cumulative_of_one_year_is_the_annual_probability():
    p = np.array([0.0, 1e-6, 0.01, 0.5, 1.0])
    np.testing.assert_allclose(kr.cumulative_probability(p, 1), p, atol=1e-15)
    np.testing.assert_array_equal(kr.cumulative_probability(p, 0), 0.0)


@settings(max_examples=50, deadline=None)
@given(st.floats(0, 120), st.floats(0.1, 60), st.floats(0.1, 30))
def test_time_factor_is_one_at_zero_and_falls_with_time(dt, tau, more):
    assert float(kr.time_factor(0.0, tau)) == 1.0
    g = float(kr.time_factor(dt, tau))
    assert 0.0 <= g <= 1.0
    assert float(kr.time_factor(dt + more, tau)) <= g
    assert g == pytest.approx(math.exp(-dt / tau))


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (lambda: kr.annual_probability([-1.0], [1.0], [1.0], [1.0]), "rate_per_year"),
        (lambda: kr.annual_probability([1.0], [1.5], [1.0], [1.0]), "condition_fraction"),
        (lambda: kr.annual_probability([1.0], [1.0], [np.nan], [1.0]), "pass_probability"),
        (lambda: kr.annual_probability([1.0], [1.0], [1.0], [-0.1]), "launch_probability"),
        (lambda: kr.pass_probability([0.5, 2.0]), "stage probabilities"),
        (lambda: kr.cumulative_probability(0.1, -1), "years"),
        (lambda: kr.time_factor(-1.0, 10.0), "added_time_min"),
        (lambda: kr.time_factor(1.0, 0.0), "scale_min"),
    ],
)
def test_bad_input_raises_clear_value_error(call, message):
    with pytest.raises(ValueError, match=message):
        call()
