"""Tests of detente.kernels.effects (models.md §1).

Two tolerance regimes: the models.md check table is matched to the 4 decimals it is given in;
the fast kernels are matched to the slow plain-Python references below to 1e-9 (relative for
radii, absolute for probabilities).
"""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from detente.kernels import effects as fx

# ---------------------------------------------------------------- slow, obvious references


def ref_overpressure_psi(r):
    """Brode (1987) eq. 33, typed in as written."""
    return (
        2 / r + 3 / r**1.5 + (1.6 / r**3) * (1 + 105 * (10 * r) ** 4 / (1 + 12920 * (10 * r) ** 8))
    )


def ref_scaled_range(h):
    """Plain bisection of ref_overpressure_psi(r) = h on [1e-6, 1e6] kft/kt^(1/3)."""
    lo, hi = 1e-6, 1e6
    for _ in range(200):
        mid = 0.5 * (lo + hi)
        if ref_overpressure_psi(mid) > h:
            lo = mid
        else:
            hi = mid
    return 0.5 * (lo + hi)


def ref_lethal_radius_m(y_kt, h_psi, model="brode", surface_factor=2.0):
    if model == "c262":
        return 2.62 * 1852.0 * (y_kt / 1000.0 / h_psi) ** (1 / 3)
    return ref_scaled_range(h_psi) * (surface_factor * y_kt) ** (1 / 3) * 304.8


def ref_cookie_sskp(lr, cep):
    return 1 - 0.5 ** ((lr / cep) ** 2)


def poisson_pmf(j, mean):
    return float(j == 0) if mean == 0 else math.exp(-mean + j * math.log(mean) - math.lgamma(j + 1))


def ref_offset_sskp(lr, cep, bias):
    """P(|miss| <= lr) for a circular normal offset by ``bias``: the noncentral chi-square with 2
    degrees of freedom as a Poisson mixture of Erlang distribution functions."""
    sigma = cep / math.sqrt(2 * math.log(2))
    a, t = (bias / sigma) ** 2 / 2, (lr / sigma) ** 2 / 2
    total, erlang_tail = 0.0, 0.0
    for j in range(400):
        erlang_tail += poisson_pmf(j, t)  # P(Poisson(t) <= j) = P(Erlang(j + 1) > t)
        total += poisson_pmf(j, a) * (1 - erlang_tail)
    return total


yields = st.floats(1.0, 50_000.0)
hardnesses = st.floats(0.1, 100_000.0)
ceps = st.floats(10.0, 5_000.0)
models = st.sampled_from(fx.LR_MODELS)
surface_factors = st.sampled_from([2.0, 1.8])
probabilities = st.floats(0.0, 1.0)
prop = settings(max_examples=60, deadline=None)

# ---------------------------------------------------------------- models.md §1 check table


def test_check_table_miss_probability():
    assert round(float(fx.miss_probability(2 * 200.0, 200.0)), 4) == 0.9375


@pytest.mark.parametrize(
    ("model", "lr_expected", "sskp_expected"),
    [("c262", 257.8, 0.6839), ("brode", 244.6, 0.6453)],
)
def test_check_table_lethal_radius_and_sskp(model, lr_expected, sskp_expected):
    lr = float(fx.lethal_radius_m(300.0, 2000.0, model=model))
    assert round(lr, 1) == lr_expected
    assert round(float(fx.sskp(lr, 200.0)), 4) == sskp_expected
    de = fx.damage_expectancy(300.0, 200.0, 2000.0, model=model)
    assert round(float(de), 4) == sskp_expected


def test_check_table_emt():
    assert round(float(fx.equivalent_megatons(300.0)), 5) == 0.44814


# ---------------------------------------------------------------- CEP and miss distance


@prop
@given(r=st.floats(0.0, 20_000.0), cep=ceps)
def test_miss_probability_matches_reference(r, cep):
    assert float(fx.miss_probability(r, cep)) == pytest.approx(ref_cookie_sskp(r, cep), abs=1e-12)


@prop
@given(cep=ceps)
def test_sigma_is_the_rayleigh_scale(cep):
    # For a Rayleigh miss distance, P(miss <= σ) = 1 - exp(-1/2); P(miss <= CEP) = 1/2.
    sigma = float(fx.cep_to_sigma(cep))
    assert float(fx.miss_probability(sigma, cep)) == pytest.approx(1 - math.exp(-0.5), abs=1e-12)
    assert float(fx.miss_probability(cep, cep)) == pytest.approx(0.5, abs=1e-12)


# ---------------------------------------------------------------- lethal radius


@prop
@given(r=st.floats(1e-3, 1e3))
def test_brode_overpressure_matches_equation_33(r):
    assert float(fx.brode_overpressure_psi(r)) == pytest.approx(ref_overpressure_psi(r), rel=1e-12)


@prop
@given(r=st.floats(1e-3, 1e3))
def test_newton_slope_is_the_derivative_of_equation_33(r):
    # A wrong slope would still converge through the bisection safeguard, only far slower.
    step = 1e-6 * r
    central = (ref_overpressure_psi(r + step) - ref_overpressure_psi(r - step)) / (2 * step)
    assert float(fx._brode(np.float64(r))[1]) == pytest.approx(r * central, rel=1e-6)


@prop
@given(y=yields, h=hardnesses, sf=surface_factors)
def test_brode_solution_satisfies_equation_33(y, h, sf):
    lr = float(fx.lethal_radius_m(y, h, surface_factor=sf))
    r_scaled = lr / 304.8 / (sf * y) ** (1 / 3)
    assert ref_overpressure_psi(r_scaled) == pytest.approx(h, rel=1e-9)
    assert lr == pytest.approx(ref_lethal_radius_m(y, h, "brode", sf), rel=1e-9)


@prop
@given(y=yields, h=hardnesses)
def test_c262_matches_reference(y, h):
    lr = float(fx.lethal_radius_m(y, h, model="c262"))
    assert lr == pytest.approx(ref_lethal_radius_m(y, h, "c262"), rel=1e-12)


@pytest.mark.parametrize("model", fx.LR_MODELS)
def test_lethal_radius_broadcasts_over_batch_shape(model):
    rng = np.random.default_rng(1)
    y = 10 ** rng.uniform(0, 4.5, size=(4, 1))
    h = 10 ** rng.uniform(-1, 5, size=(1, 3))
    k = rng.uniform(0.6, 1.7, size=(4, 3))
    lr = fx.lethal_radius_m(y, h, model=model, lr_factor=k)
    assert lr.shape == (4, 3)
    for i, j in np.ndindex(4, 3):
        expected = k[i, j] * ref_lethal_radius_m(y[i, 0], h[0, j], model)
        assert lr[i, j] == pytest.approx(expected, rel=1e-9)


def test_surface_factor_scales_brode_radius_by_cube_root():
    lr = fx.lethal_radius_m(300.0, 2000.0, surface_factor=np.array([2.0, 1.8]))
    assert lr[1] / lr[0] == pytest.approx((1.8 / 2.0) ** (1 / 3), rel=1e-12)


# ---------------------------------------------------------------- SSKP


@prop
@given(lr=st.floats(0.0, 5_000.0), cep=ceps)
def test_unbiased_sskp_is_cookie_cutter(lr, cep):
    assert float(fx.sskp(lr, cep)) == pytest.approx(ref_cookie_sskp(lr, cep), abs=1e-12)
    both = fx.sskp(lr, cep, aim_bias_m=np.array([0.0, 0.5 * cep]))  # the bias path, bias 0 kept
    assert abs(both[0] - ref_cookie_sskp(lr, cep)) <= 1e-12


@prop
@given(lr_over_cep=st.floats(0.01, 5.0), bias_over_cep=st.floats(0.0, 5.0), cep=ceps)
@example(lr_over_cep=2.0, bias_over_cep=1.2704745676348632e-161, cep=10.0)  # subnormal (b/σ)²
def test_biased_sskp_matches_series_reference(lr_over_cep, bias_over_cep, cep):
    lr, bias = lr_over_cep * cep, bias_over_cep * cep
    got = float(fx.sskp(lr, cep, aim_bias_m=bias))
    assert got == pytest.approx(ref_offset_sskp(lr, cep, bias), abs=1e-9)


def test_biased_sskp_is_continuous_at_zero_bias():
    lr, cep = 250.0, 200.0
    assert float(fx.sskp(lr, cep, aim_bias_m=1e-6)) == pytest.approx(
        ref_cookie_sskp(lr, cep), abs=1e-9
    )


def test_biased_sskp_agrees_with_seeded_monte_carlo():
    lr, cep, bias = 250.0, 200.0, 150.0
    rng = np.random.default_rng(20240601)
    sigma = cep / math.sqrt(2 * math.log(2))
    xy = rng.normal(0.0, sigma, size=(200_000, 2)) + np.array([bias, 0.0])
    hit = np.mean(np.hypot(xy[:, 0], xy[:, 1]) <= lr)  # standard error ~ 0.0011
    assert float(fx.sskp(lr, cep, aim_bias_m=bias)) == pytest.approx(hit, abs=0.006)


# ---------------------------------------------------------------- invariants


@prop
@given(
    y=yields,
    cep=ceps,
    h=hardnesses,
    factor=st.floats(1.01, 10.0),
    bias=st.floats(0.0, 1_000.0),
    model=models,
)
def test_kill_probability_rises_with_yield_and_accuracy_and_falls_with_hardness(
    y, cep, h, factor, bias, model
):
    def de(y=y, cep=cep, h=h, bias=bias):
        return float(fx.damage_expectancy(y, cep, h, model=model, aim_bias_m=bias))

    base = de()
    assert de(y=y * factor) >= base - 1e-12
    assert de(h=h * factor) <= base + 1e-12
    assert de(bias=bias * factor + 1.0) <= base + 1e-12
    # Accuracy helps only an unbiased aim: with the aim point outside the lethal circle a
    # smaller CEP keeps more impacts around that point, so the kill probability can fall.
    assert de(cep=cep / factor, bias=0.0) >= de(bias=0.0) - 1e-12


@pytest.mark.parametrize("model", fx.LR_MODELS)
def test_kill_probability_strictly_monotone_away_from_saturation(model):
    y = np.geomspace(10.0, 1000.0, 20)
    de = fx.damage_expectancy(y, 300.0, 1000.0, model=model)
    assert np.all(np.diff(de) > 0)
    assert np.all(np.diff(fx.damage_expectancy(300.0, 300.0, y * 10, model=model)) < 0)


@prop
@given(
    y=yields,
    cep=ceps,
    h=hardnesses,
    rel=probabilities,
    pen=probabilities,
    bias=st.floats(0.0, 10_000.0),
    k=st.floats(0.1, 3.0),
    n=st.integers(0, 20),
    model=models,
)
def test_every_probability_is_in_unit_interval(y, cep, h, rel, pen, bias, k, n, model):
    de = fx.damage_expectancy(
        y, cep, h, reliability=rel, penetration=pen, model=model, aim_bias_m=bias, lr_factor=k
    )
    lr = fx.lethal_radius_m(y, h, model=model, lr_factor=k)
    for p in (de, fx.sskp(lr, cep, aim_bias_m=bias), fx.salvo_kill_probability(de, n)):
        assert 0.0 <= float(p) <= 1.0
    assert float(de) <= rel * pen + 1e-15


# ---------------------------------------------------------------- DE, salvos, exchange ratio


@prop
@given(y=yields, cep=ceps, h=hardnesses, rel=probabilities, pen=probabilities, model=models)
def test_damage_expectancy_matches_reference(y, cep, h, rel, pen, model):
    expected = rel * pen * ref_cookie_sskp(ref_lethal_radius_m(y, h, model), cep)
    got = fx.damage_expectancy(y, cep, h, reliability=rel, penetration=pen, model=model)
    assert float(got) == pytest.approx(expected, abs=1e-9)


@prop
@given(de=probabilities, n=st.integers(0, 50))
def test_salvo_matches_reference_and_rises_with_n(de, n):
    got = fx.salvo_kill_probability(de, [n, n + 1])
    assert float(got[0]) == pytest.approx(1 - (1 - de) ** n, abs=1e-12)
    assert got[1] >= got[0]


@prop
@given(m=st.integers(0, 14), pk=probabilities, k=st.integers(1, 4))
def test_exchange_ratio_matches_formula(m, pk, k):
    got = float(fx.counterforce_exchange_ratio(m, pk, k))
    assert got == pytest.approx(m * pk / k, rel=1e-12, abs=1e-15)


def test_mirved_silo_gives_exchange_ratio_above_one():
    pk = fx.salvo_kill_probability(fx.damage_expectancy(300.0, 200.0, 2000.0), 2)
    assert (
        fx.counterforce_exchange_ratio(10, pk, 2) > 1.0 > fx.counterforce_exchange_ratio(1, pk, 2)
    )


# ---------------------------------------------------------------- EMT, K, CMP


@prop
@given(
    arsenal=st.lists(st.tuples(st.floats(1.0, 25_000.0), st.integers(0, 500)), min_size=1),
    above=st.sampled_from([2 / 3, 1 / 2]),
)
def test_emt_and_cmp_match_reference_sums(arsenal, above):
    y = np.array([a[0] for a in arsenal])
    n = np.array([a[1] for a in arsenal])
    emt = sum(c * (w / 1000) ** (2 / 3 if w <= 1000 else above) for w, c in arsenal)
    got = fx.equivalent_megatons(y, n, exponent_above_1mt=above)
    assert float(got) == pytest.approx(emt, rel=1e-12, abs=1e-12)
    cep = 150.0
    cmp_ = sum(c * (w / 1000) ** (2 / 3) / (cep / 1852) ** 2 for w, c in arsenal)
    assert float(fx.counter_military_potential(y, cep, n)) == pytest.approx(cmp_, rel=1e-12)


def test_emt_sums_the_last_axis_only():
    y = np.array([[300.0, 100.0, 5000.0], [475.0, 475.0, 475.0]])
    got = fx.equivalent_megatons(y, 2)
    assert got.shape == (2,)
    assert got[1] == pytest.approx(6 * 0.475 ** (2 / 3), rel=1e-12)


@prop
@given(y=yields, cep=ceps)
def test_lethality_k_matches_reference(y, cep):
    expected = (y / 1000) ** (2 / 3) / (cep / 1852) ** 2
    assert float(fx.lethality_k(y, cep)) == pytest.approx(expected, rel=1e-12)


# ---------------------------------------------------------------- bad input


def test_unknown_model_names_the_allowed_ones():
    with pytest.raises(ValueError, match=r"'brode'.*'c262'"):
        fx.lethal_radius_m(300.0, 2000.0, model="glasstone")


@pytest.mark.parametrize(
    ("call", "name"),
    [
        (lambda: fx.lethal_radius_m(0.0, 2000.0), "yield_kt"),
        (lambda: fx.lethal_radius_m([300.0, -1.0], 2000.0), "yield_kt"),
        (lambda: fx.lethal_radius_m(300.0, 0.0, model="c262"), "hardness_psi"),
        (lambda: fx.lethal_radius_m(300.0, float("nan")), "hardness_psi"),
        (lambda: fx.lethal_radius_m(300.0, 2000.0, lr_factor=0.0), "lr_factor"),
        (lambda: fx.lethal_radius_m(300.0, 2000.0, surface_factor=-2.0), "surface_factor"),
        (lambda: fx.sskp(100.0, 0.0), "cep_m"),
        (lambda: fx.sskp(100.0, 200.0, aim_bias_m=-1.0), "aim_bias_m"),
        (lambda: fx.miss_probability(-1.0, 200.0), "r_m"),
        (lambda: fx.damage_expectancy(300.0, 200.0, 2000.0, reliability=1.2), "reliability"),
        (lambda: fx.damage_expectancy(300.0, 200.0, 2000.0, penetration=-0.1), "penetration"),
        (lambda: fx.salvo_kill_probability(0.5, 1.5), "whole number"),
        (lambda: fx.salvo_kill_probability(1.5, 1), "de"),
        (lambda: fx.equivalent_megatons(300.0, -1), "count"),
        (lambda: fx.counterforce_exchange_ratio(10, 0.8, 0), "attackers_per_silo"),
    ],
)
def test_bad_input_raises_value_error_naming_the_argument(call, name):
    with pytest.raises(ValueError, match=name):
        call()
