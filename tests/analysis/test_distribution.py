"""The one Distribution and the one uncertainty pipeline: each family's draws have the
documented quantiles and moments, a seed reproduces, the batched tornado equals the loop, and
bad distributions give one located line (file, line, field) in scenarios, sweeps and risk."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy import stats

from detente.analysis.uncertainty import Quantiles, draw, tornado
from detente.errors import InputError
from detente.model.distribution import DISTRIBUTION, FAMILIES
from detente.model.scenario import parse_scenario
from detente.sweep.spec import parse_spec


def dist(**kw):
    return DISTRIBUTION.validate_python(kw)


SEEDS = st.integers(0, 2**32 - 1)
N = 20_000


# --- each family: quantiles and moments of draw ------------------------------------------------


@settings(max_examples=15, deadline=None)
@given(st.floats(-100, 100), st.floats(0.01, 100), SEEDS)
def test_uniform_draws_have_the_documented_mean_and_range(low, width, seed):
    x = draw({"x": dist(dist="uniform", low=low, high=low + width)}, N, seed)["x"]
    assert low <= x.min() and x.max() <= low + width
    assert x.mean() == pytest.approx(low + width / 2, abs=0.03 * width)


@settings(max_examples=15, deadline=None)
@given(st.floats(0.0, 10.0), st.floats(0.0, 1.0), st.floats(0.01, 10.0), st.floats(0.001, 0.999))
def test_triangular_inverse_cdf_matches_scipy(low, frac, width, u):
    d = dist(dist="triangular", low=low, mode=low + frac * width, high=low + width)
    expected = stats.triang.ppf(u, frac, loc=low, scale=width)
    assert d.ppf(u)[0] == pytest.approx(expected, rel=1e-9, abs=1e-12)
    assert d.ppf(u)[0] == pytest.approx(d.frozen().ppf(u), rel=1e-9, abs=1e-12)


@settings(max_examples=15, deadline=None)
@given(st.floats(-5.0, 5.0), st.floats(0.05, 3.0), SEEDS)
def test_normal_draws_have_the_documented_mean_and_sd(mean, sd, seed):
    x = draw({"x": dist(dist="normal", mean=mean, sd=sd)}, N, seed)["x"]
    assert x.mean() == pytest.approx(mean, abs=0.05 * sd)
    assert x.std() == pytest.approx(sd, rel=0.05)


@settings(max_examples=15, deadline=None)
@given(st.floats(0.1, 1e4), st.floats(0.05, 2.0), SEEDS)
def test_lognormal_median_and_sigma_are_of_the_value_and_its_log(median, sigma, seed):
    """The one convention: median of X, sigma = sd of ln X (scipy lognorm s=sigma,
    scale=median)."""
    d = dist(dist="lognormal", median=median, sigma=sigma)
    x = draw({"x": d}, N, seed)["x"]
    assert np.median(x) == pytest.approx(median, rel=0.05 * sigma + 1e-9)
    assert np.log(x).std() == pytest.approx(sigma, rel=0.05)
    assert d.ppf(0.5)[0] == pytest.approx(median, rel=1e-12)
    ref = stats.lognorm(s=sigma, scale=median)
    assert d.ppf([0.05, 0.95]) == pytest.approx(ref.ppf([0.05, 0.95]), rel=1e-9)
    assert d.frozen().median() == pytest.approx(median, rel=1e-12)


@settings(max_examples=15, deadline=None)
@given(st.floats(1e-4, 1.0), st.floats(1.5, 100.0), st.floats(0.001, 0.999))
def test_loguniform_inverse_cdf_matches_scipy(low, ratio, u):
    d = dist(dist="loguniform", low=low, high=low * ratio)
    assert d.ppf(u)[0] == pytest.approx(stats.loguniform(low, low * ratio).ppf(u), rel=1e-12)
    assert d.ppf(0.5)[0] == pytest.approx(low * math.sqrt(ratio), rel=1e-9)  # geometric mean


def test_fixed_draws_its_value_exactly():
    assert np.all(draw({"x": dist(dist="fixed", value=0.7)}, 100, 3)["x"] == 0.7)


@settings(max_examples=30, deadline=None)
@given(
    st.floats(-5.0, 5.0),
    st.floats(0.05, 3.0),
    st.floats(0.0, 3.0),
    st.floats(0.0, 3.0),
    st.floats(0.001, 0.999),
)
def test_truncated_normal_cdf_inverts(mean, sd, below, above, u):
    """Reference: the truncated CDF (Φ(x) − Φ(a)) / (Φ(b) − Φ(a)) evaluated at the answer."""
    low, high = mean - below * sd - 0.01, mean + above * sd + 0.01
    x = dist(dist="normal", mean=mean, sd=sd, low=low, high=high).ppf(u)[0]
    cdf = stats.norm.cdf
    a, b = cdf((low - mean) / sd), cdf((high - mean) / sd)
    assert low <= x <= high
    assert (cdf((x - mean) / sd) - a) / (b - a) == pytest.approx(u, abs=1e-9)


def test_truncated_lognormal_stays_in_its_bounds():
    d = dist(dist="lognormal", median=400.0, sigma=0.5, low=200.0, high=800.0)
    lo, med, hi = d.ppf([0.0, 0.5, 1.0])
    assert 200.0 <= lo < 200.001 and 799.999 < hi <= 800.0
    assert med == pytest.approx(400.0, rel=1e-12)


# --- the pipeline: seed, quantiles, tornado ----------------------------------------------------

THREE = {
    "a": dist(dist="triangular", low=0.6, mode=0.8, high=0.95),
    "b": dist(dist="lognormal", median=400, sigma=0.4),
    "c": dist(dist="uniform", low=-1, high=2),
}


@settings(max_examples=10, deadline=None)
@given(SEEDS)
def test_the_same_seed_reproduces_bit_for_bit(seed):
    one, two = draw(THREE, 500, seed), draw(THREE, 500, seed)
    assert all(one[k].tobytes() == two[k].tobytes() for k in THREE)
    assert draw(THREE, 500, seed + 1)["a"].tobytes() != one["a"].tobytes()


def test_draw_regression_values():
    """Pinned: row k of default_rng(7).random((3, 4)) through the k-th inverse CDF."""
    x = draw(THREE, 4, seed=7)
    u = np.random.default_rng(7).random((3, 4))
    assert x["a"] == pytest.approx(stats.triang.ppf(u[0], 0.2 / 0.35, 0.6, 0.35), rel=1e-12)
    assert x["b"] == pytest.approx(400 * np.exp(0.4 * stats.norm.ppf(u[1])), rel=1e-12)
    assert x["c"] == pytest.approx(-1 + 3 * u[2], rel=1e-12)
    # the values themselves (numpy's PCG64 stream is stable across versions)
    assert x["a"] == pytest.approx([0.8097057, 0.8765407, 0.8414804, 0.7255568], abs=1e-7)
    assert x["b"][0] == pytest.approx(324.37350, rel=1e-7)
    assert x["c"][0] == pytest.approx(1.3912083, abs=1e-7)


def test_quantiles_of_a_sample():
    assert Quantiles.of(np.arange(101.0)) == Quantiles(5.0, 50.0, 95.0, 50.0)


def model(v, n):
    return v["a"] * np.log(v["b"]) + v["c"] ** 2


@settings(max_examples=10, deadline=None)
@given(st.floats(0.1, 0.9), st.floats(0.05, 1.0))
def test_the_batched_tornado_equals_the_one_at_a_time_loop(mode, sigma):
    ds = {
        "a": dist(dist="triangular", low=0.05, mode=mode, high=0.95),
        "b": dist(dist="lognormal", median=400, sigma=sigma),
        "c": dist(dist="normal", mean=0.3, sd=0.5, low=-1),
    }
    calls = []
    t = tornado(ds, lambda v, n: calls.append(n) or model(v, n))
    assert calls == [7]  # 2K + 1 rows, one call
    med = {k: d.ppf(0.5) for k, d in ds.items()}
    assert t.base == model(med, 1)[0]
    for b in t.bars:
        lo, hi = ds[b.input].ppf([0.05, 0.95])
        assert (b.low, b.high) == (lo, hi)
        assert b.at_low == model({**med, b.input: np.array([lo])}, 1)[0]
        assert b.at_high == model({**med, b.input: np.array([hi])}, 1)[0]
    assert [b.swing for b in t.bars] == sorted((b.swing for b in t.bars), reverse=True)


# --- bad input: one line naming file, line and field ------------------------------------------

HEAD = "name: bad\nparties: [{force: us-2025}, {force: ru-2025}]\nuncertain:\n"


@pytest.mark.parametrize(
    ("entry", "field", "words"),
    [
        ("{dist: lognormal, median: 400, sigma: 0}", "sigma", "sigma must be > 0"),
        ("{dist: lognormal, median: 400, sigma: -1}", "sigma", "sigma must be > 0"),
        ("{dist: uniform, low: 0.9, high: 0.6}", "low", "low (0.9) is above high (0.6)"),
        ("{dist: uniform, low: 0.7, high: 0.7}", "low", "dist: fixed"),
        ("{dist: lognormal, median: 400, gsd: 2}", "gsd", "sigma: 0.693147"),
        ("{dist: lognormal, mu: 6, sigma: 0.3}", "mu", "median: 403.429"),
        ("{dist: beta, a: 1}", "dist", "dist must be one of " + ", ".join(FAMILIES)),
        ("{dist: normal, mean: 0.8}", "sd", "required field is missing"),
    ],
)
def test_bad_scenario_distribution_is_one_located_line(entry, field, words):
    with pytest.raises(InputError) as err:
        parse_scenario(HEAD + f"  parameters.de: {entry}\n", "bad.yaml")
    text = str(err.value)
    assert "\n" not in text and text.startswith("bad.yaml:4: "), text
    assert f"uncertain.parameters.de.{field}" in text and words in text, text


@pytest.mark.parametrize(
    ("param", "field", "words"),
    [
        ("{name: x1, dist: uniform, low: 1, high: 0}", "parameters.0.low", "is above high"),
        ("{name: x1, dist: lognormal, median: 2, sigma: 0}", "parameters.0.sigma", "> 0"),
        (
            "{name: x1, dist: {kind: normal, mean: 0, sd: 1}}",
            "parameters.0",
            "{name: x1, dist: normal, mean: 0, sd: 1}",
        ),
    ],
)
def test_bad_sweep_distribution_is_one_located_line(param, field, words):
    text = f"model: ishigami\nsampler: lhs\npoints: 10\nparameters:\n  - {param}\n"
    with pytest.raises(InputError) as err:
        parse_spec(text, "bad-sweep.yaml")
    msg = str(err.value)
    assert "\n" not in msg and msg.startswith("bad-sweep.yaml:5: "), msg
    assert field in msg and words in msg, msg
