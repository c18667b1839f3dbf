"""Tests of detente.kernels.verification (models.md §5).

Tolerance regimes:
* exact hypergeometric values (fractions of binomial coefficients, and scipy): 1e-12 absolute;
* the fast kernels against the slow plain-Python references below: 1e-9 absolute;
* the multi-year and recognition variants against seeded simulation: 0.02 absolute, about five
  standard errors of a 20,000-trial estimate (loose, analytic-vs-simulation).
"""

from __future__ import annotations

import math
from fractions import Fraction

import numpy as np
import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st
from scipy.stats import hypergeom

from detente.kernels import verification as kv

# ---------------------------------------------------------------- slow, obvious references


def ref_annual_miss(N, k, n, d=1.0):
    """sum_j C(k, j) C(N-k, n-j) / C(N, n) (1 - d)^j, term by term."""
    total = 0.0
    for j in range(0, min(k, n) + 1):
        total += math.comb(k, j) * math.comb(N - k, n - j) / math.comb(N, n) * (1 - d) ** j
    return total


def ref_detection(N, k, n, T=1, d=1.0):
    return 1 - ref_annual_miss(N, k, n, d) ** T


def ref_largest_undetected(N, n, c, T=1, d=1.0):
    # the kernels' documented tie rule: within a relative kv.TIE of c counts as reaching it
    return max(k for k in range(N + 1) if ref_detection(N, k, n, T, d) < c * (1 - kv.TIE))


def ref_inspections_needed(N, k, p, T=1, d=1.0):
    enough = [n for n in range(N + 1) if ref_detection(N, k, n, T, d) >= p * (1 - kv.TIE)]
    return enough[0] if enough else -1


def simulate_detection(rng, N, k, n, T, d, trials):
    """Draw n of N missiles without replacement each year; each violator seen with prob. d."""
    caught = np.zeros(trials, dtype=bool)
    for _ in range(T):
        order = rng.random((trials, N)).argsort(axis=1)[:, :n]  # a random n-subset per trial
        violators = order < k  # missiles 0..k-1 are the over-loaded ones
        seen = violators & (rng.random(violators.shape) < d)
        caught |= seen.any(axis=1)
    return caught.mean()


# ---------------------------------------------------------------- exact values

# (N, k, n): force sizes of the New START era, small forces, and edge cases.
TABLE = [
    (400, 40, 10),
    (400, 4, 10),
    (400, 1, 10),
    (700, 70, 10),
    (1550, 155, 18),
    (50, 5, 10),
    (10, 3, 5),
    (10, 10, 1),
    (10, 0, 5),
    (10, 3, 0),
    (10, 3, 8),  # n > N - k: detection is certain
    (1, 1, 1),
]


@pytest.mark.parametrize(("N", "k", "n"), TABLE)
def test_detection_equals_exact_hypergeometric(N, k, n):
    exact = 1 - Fraction(math.comb(N - k, n), math.comb(N, n))
    p = float(kv.detection_probability(N, k, n))
    assert p == pytest.approx(float(exact), abs=1e-12)
    assert p == pytest.approx(1 - hypergeom.pmf(0, N, k, n), abs=1e-12)


def test_detection_is_vectorised_over_the_table():
    N, k, n = (np.array(col) for col in zip(*TABLE, strict=True))
    expected = 1 - hypergeom.pmf(0, N, k, n)
    np.testing.assert_allclose(kv.detection_probability(N, k, n), expected, atol=1e-12)


@pytest.mark.parametrize(("N", "k", "n", "T"), [(400, 40, 10, 3), (50, 2, 5, 10), (10, 3, 2, 4)])
def test_multi_year_is_power_of_exact_miss_probability(N, k, n, T):
    miss = Fraction(math.comb(N - k, n), math.comb(N, n))
    assert float(kv.detection_probability(N, k, n, years=T)) == pytest.approx(
        float(1 - miss**T), abs=1e-12
    )


def test_recognition_sum_matches_exact_fractions():
    N, k, n, d = 60, 9, 12, Fraction(3, 10)
    miss = sum(
        Fraction(math.comb(k, j) * math.comb(N - k, n - j), math.comb(N, n)) * (1 - d) ** j
        for j in range(0, min(k, n) + 1)
    )
    assert float(kv.detection_probability(N, k, n, recognition=0.3)) == pytest.approx(
        float(1 - miss), abs=1e-12
    )


@settings(max_examples=60, deadline=None)
@given(
    st.integers(1, 120).flatmap(
        lambda N: st.tuples(
            st.just(N),
            st.integers(0, N),
            st.integers(0, N),
            st.integers(0, 6),
            st.floats(0, 1),
        )
    )
)
def test_fast_kernel_matches_reference(args):
    N, k, n, T, d = args
    assert float(kv.detection_probability(N, k, n, years=T, recognition=d)) == pytest.approx(
        ref_detection(N, k, n, T, d), abs=1e-9
    )


# ---------------------------------------------------------------- against simulation


@pytest.mark.parametrize(
    ("N", "k", "n", "T", "d"),
    [(40, 4, 5, 1, 1.0), (40, 4, 5, 3, 1.0), (40, 4, 5, 1, 0.6), (30, 6, 4, 2, 0.5)],
)
def test_multi_year_and_recognition_agree_with_simulation(N, k, n, T, d):
    rng = np.random.default_rng(20240607)
    simulated = simulate_detection(rng, N, k, n, T, d, trials=20_000)
    assert float(kv.detection_probability(N, k, n, years=T, recognition=d)) == pytest.approx(
        simulated, abs=0.02
    )


# ---------------------------------------------------------------- properties


@settings(max_examples=40, deadline=None)
@given(
    st.integers(2, 80).flatmap(
        lambda N: st.tuples(st.just(N), st.integers(0, N - 1), st.integers(0, N - 1))
    ),
    st.integers(1, 4),
    st.floats(0.05, 1),
)
def test_detection_rises_with_violation_inspections_years_and_recognition(nkn, T, d):
    N, k, n = nkn
    p = float(kv.detection_probability(N, k, n, years=T, recognition=d))
    assert 0.0 <= p <= 1.0
    assert float(kv.detection_probability(N, k + 1, n, years=T, recognition=d)) >= p - 1e-12
    assert float(kv.detection_probability(N, k, n + 1, years=T, recognition=d)) >= p - 1e-12
    assert float(kv.detection_probability(N, k, n, years=T + 1, recognition=d)) >= p - 1e-12
    assert float(kv.detection_probability(N, k, n, years=T, recognition=d / 2)) <= p + 1e-12


def test_no_violation_no_inspection_or_blind_inspection_detects_nothing():
    assert float(kv.detection_probability(100, 0, 10)) == 0.0
    assert float(kv.detection_probability(100, 10, 0)) == 0.0
    assert float(kv.detection_probability(100, 10, 10, recognition=0.0)) == pytest.approx(0.0)
    assert float(kv.detection_probability(100, 10, 10, years=0)) == 0.0


# ---------------------------------------------------------------- bound and planning


@settings(max_examples=40, deadline=None)
@given(
    st.integers(1, 60).flatmap(lambda N: st.tuples(st.just(N), st.integers(0, N))),
    st.floats(0.5, 0.99),
    st.integers(1, 3),
    st.sampled_from([1.0, 0.7]),
)
@example((2, 1), 0.5000000000000001, 1, 1.0)  # P = 0.5 exactly, c one ulp above: a tie
def test_largest_undetected_violation_matches_brute_force(Nn, c, T, d):
    N, n = Nn
    k = int(kv.largest_undetected_violation(N, n, confidence=c, years=T, recognition=d))
    assert k == ref_largest_undetected(N, n, c, T, d)


def test_bound_is_tight_one_more_violator_would_be_caught_at_the_confidence():
    k = int(kv.largest_undetected_violation(400, 10, confidence=0.95, years=5))
    assert ref_detection(400, k, 10, 5) < 0.95 <= ref_detection(400, k + 1, 10, 5)


def test_bound_without_inspections_is_the_whole_force():
    assert kv.largest_undetected_violation(
        [400, 400], [0, 10], recognition=[1.0, 0.0]
    ).tolist() == [
        400,
        400,
    ]


@settings(max_examples=40, deadline=None)
@given(
    st.integers(1, 60).flatmap(lambda N: st.tuples(st.just(N), st.integers(0, N))),
    st.floats(0.0, 1.0),
    st.integers(1, 3),
    st.sampled_from([1.0, 0.6]),
)
def test_inspections_needed_matches_brute_force(Nk, p, T, d):
    N, k = Nk
    n = int(kv.inspections_needed(N, k, p, years=T, recognition=d))
    assert n == ref_inspections_needed(N, k, p, T, d)


def test_inspections_needed_reaches_the_target_and_one_fewer_does_not():
    n = int(kv.inspections_needed(700, 35, 0.9))
    assert ref_detection(700, 35, n) >= 0.9 > ref_detection(700, 35, n - 1)


# ---------------------------------------------------------------- inspection game


@settings(max_examples=50, deadline=None)
@given(st.floats(0, 1e6), st.floats(1e-3, 1e6))
def test_deterrence_threshold_makes_violation_break_even(G, L):
    t = float(kv.deterrence_threshold(G, L))
    assert 0.0 <= t <= 1.0
    assert (1 - t) * G - t * L == pytest.approx(0.0, abs=1e-6 * (G + L))


def test_deterrence_threshold_values():
    np.testing.assert_allclose(kv.deterrence_threshold([1, 3, 0], [1, 1, 2]), [0.5, 0.75, 0.0])


# ---------------------------------------------------------------- bad input


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (lambda: kv.detection_probability(10, 11, 2), "must not exceed missiles"),
        (lambda: kv.detection_probability(10, 2, 11), "must not exceed missiles"),
        (lambda: kv.detection_probability(-1, 0, 0), "must not be negative"),
        (lambda: kv.detection_probability(0, 0, 0), "at least 1"),
        (lambda: kv.detection_probability(10, 2.5, 2), "whole number"),
        (lambda: kv.detection_probability(10, 2, 2, recognition=1.2), r"in \[0, 1\]"),
        (lambda: kv.detection_probability(10, 2, 2, years=-1), "must not be negative"),
        (lambda: kv.detection_probability(10, np.nan, 2), "finite"),
        (lambda: kv.largest_undetected_violation(10, 2, confidence=1.0), "strictly between"),
        (lambda: kv.inspections_needed(10, 2, 1.5), r"in \[0, 1\]"),
        (lambda: kv.deterrence_threshold(-1, 1), "must not be negative"),
        (lambda: kv.deterrence_threshold(0, 0), "must be positive"),
    ],
)
def test_bad_input_raises_clear_value_error(call, message):
    with pytest.raises(ValueError, match=message):
        call()


# ---------------------------------------------------------------- Open Skies coverage

AIRFIELD = np.zeros((1, 2))


def fly(sites, **kw):
    args = {
        "flights_per_year": 1,
        "flight_distance_km": 2500.0,
        "swath_km": 30.0,
        "years": 1,
        "rng": np.random.default_rng(0),
    }
    return kv.open_skies_coverage(np.asarray(sites, dtype=float), AIRFIELD, **{**args, **kw})


def test_sites_within_half_swath_of_the_track_are_seen_incidentally():
    # 2,000 km is just enough to fly out to the nearest site (1000, 0) and back. The sites at
    # (1005, 10) and (1005, 20) are then out of reach as targets; the first lies 11.2 km from
    # the track (inside half the 30-km swath), the second 20.6 km (outside).
    sites = [[[1000.0, 0.0], [1005.0, 10.0], [1005.0, 20.0]]]
    r = fly(sites, flight_distance_km=2000.0)
    assert np.isfinite(r.years_since_observation[0]).tolist() == [True, True, False]
    assert r.observed_share.tolist() == [[pytest.approx(2 / 3)]]
    r = fly(sites, flight_distance_km=2000.0, swath_km=0.0)
    assert np.isfinite(r.years_since_observation[0]).tolist() == [True, False, False]


def test_no_flights_observe_nothing_and_times_are_infinite():
    rng = np.random.default_rng(3)
    sites = kv.notional_sites(rng, 4, 10, 1000.0, 1000.0)
    r = kv.open_skies_coverage(
        sites, AIRFIELD, flights_per_year=0, flight_distance_km=3000, swath_km=30, years=2, rng=rng
    )
    assert r.observed_share.shape == (4, 2)
    assert (r.observed_share == 0).all()
    assert np.isinf(r.years_since_observation).all()


def test_more_flights_observe_more_and_more_recently():
    def run(flights):
        rng = np.random.default_rng(11)
        sites = kv.notional_sites(rng, 30, 60, 4000.0, 2000.0)
        airfields = np.array([[600.0, 1000.0], [3400.0, 1000.0]])
        return kv.open_skies_coverage(
            sites,
            airfields,
            flights_per_year=flights,
            flight_distance_km=3000,
            swath_km=20,
            years=2,
            rng=rng,
        )

    few, many = run(4), run(20)
    assert few.observed_share.mean() < many.observed_share.mean()
    assert np.median(few.years_since_observation) > np.median(many.years_since_observation)


def test_coverage_is_reproducible_for_a_seed():
    def run(seed):
        rng = np.random.default_rng(seed)
        sites = kv.notional_sites(rng, 5, 20, 2000.0, 1000.0)
        return kv.open_skies_coverage(
            sites,
            AIRFIELD,
            flights_per_year=5,
            flight_distance_km=2000,
            swath_km=20,
            years=2,
            rng=rng,
        )

    a, b = run(7), run(7)
    np.testing.assert_array_equal(a.observed_share, b.observed_share)
    np.testing.assert_array_equal(a.years_since_observation, b.years_since_observation)
    assert not np.array_equal(run(8).years_since_observation, a.years_since_observation)


def test_time_since_observation_lies_within_the_simulated_years():
    rng = np.random.default_rng(5)
    sites = kv.notional_sites(rng, 10, 15, 1500.0, 1500.0)
    r = kv.open_skies_coverage(
        sites, AIRFIELD, flights_per_year=6, flight_distance_km=3000, swath_km=20, years=3, rng=rng
    )
    finite = r.years_since_observation[np.isfinite(r.years_since_observation)]
    assert finite.size and (finite >= 0).all() and (finite <= 3).all()
    assert ((r.observed_share >= 0) & (r.observed_share <= 1)).all()


@pytest.mark.parametrize(
    ("kw", "message"),
    [
        ({"flights_per_year": -1}, "flights_per_year"),
        ({"years": 0}, "years"),
        ({"swath_km": -1.0}, "swath_km"),
        ({"flight_distance_km": np.inf}, "flight_distance_km"),
    ],
)
def test_open_skies_bad_input(kw, message):
    with pytest.raises(ValueError, match=message):
        fly([[[10.0, 0.0]]], **kw)


def test_open_skies_bad_shapes():
    with pytest.raises(ValueError, match="sites_km"):
        kv.open_skies_coverage(
            np.zeros((3, 2)),
            AIRFIELD,
            flights_per_year=1,
            flight_distance_km=1,
            swath_km=1,
            years=1,
            rng=np.random.default_rng(0),
        )
    with pytest.raises(ValueError, match="at least 1"):
        kv.notional_sites(np.random.default_rng(0), 0, 3, 1.0, 1.0)


def test_an_exact_tie_with_the_confidence_rules_the_violation_out():
    """N = 2, one clean inspection: a single over-loaded missile is caught with P = 1/2 exactly,
    which the product of ratios gives as 0.49999999999999967; at c = 0.5 it is ruled out."""
    assert int(kv.largest_undetected_violation(2, 1, confidence=0.5)) == 0
    assert int(kv.inspections_needed(2, 1, 0.5)) == 1
