"""Samplers: grid against itertools, LHS strata, the Saltelli block structure, and the mapping
from the unit interval against SALib's own scaling and plain-Python references.

Tolerances: the mappings are matched to SALib and to the closed forms to 1e-12 (relative);
everything else is exact.
"""

from __future__ import annotations

import itertools
import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from SALib.sample import sobol as salib_sobol

from detente.sweep.samplers import from_unit, sample, unit_sample
from detente.sweep.spec import Parameter, parse_spec

PI = math.pi


def spec_text(sampler, points, params, extra=""):
    lines = [f"model: ishigami\nsampler: {sampler}\nseed: 5\n{extra}"]
    if points is not None:
        lines.append(f"points: {points}\n")
    lines.append("parameters:\n" + "".join(f"  - {p}\n" for p in params))
    return "".join(lines)


def test_grid_is_the_cartesian_product_first_parameter_slowest():
    spec = parse_spec(
        spec_text(
            "grid",
            None,
            [
                "{name: x1, bounds: [0, 2], levels: 3}",
                "{name: x2, values: [5, 7]}",
                "{name: x3, values: [1.5]}",
            ],
        )
    )
    got = sample(spec)
    expected = list(itertools.product([0.0, 1.0, 2.0], [5, 7], [1.5]))
    assert (
        list(zip(got["x1"].tolist(), got["x2"].tolist(), got["x3"].tolist(), strict=True))
        == expected
    )


def test_lhs_puts_one_point_in_each_stratum_and_is_seeded():
    spec = parse_spec(
        spec_text("lhs", 200, ["{name: x1, bounds: [-2, 2]}", "{name: x2, bounds: [0, 1]}"])
    )
    got = sample(spec)
    for name, (lo, hi) in {"x1": (-2, 2), "x2": (0, 1)}.items():
        strata = np.floor((got[name] - lo) / (hi - lo) * 200).astype(int)
        assert sorted(strata.tolist()) == list(range(200))
    again = sample(spec)
    other = sample(spec.model_copy(update={"seed": 6}))
    assert np.array_equal(got["x1"], again["x1"])
    assert not np.array_equal(got["x1"], other["x1"])


@pytest.mark.parametrize("second_order", [False, True])
def test_sobol_rows_follow_saltelli_blocks(second_order):
    extra = "second_order: true\n" if second_order else ""
    params = [
        "{name: x1, bounds: [0, 1]}",
        "{name: x2, bounds: [0, 1]}",
        "{name: x3, bounds: [0, 1]}",
    ]
    spec = parse_spec(spec_text("sobol", 32, params, extra))
    u = unit_sample(spec)
    d, block = 3, (8 if second_order else 5)
    assert u.shape == (32 * block, d) == (spec.n_points, d)
    for b in u.reshape(32, block, d):
        a_row, b_row = b[0], b[-1]
        for k in range(d):  # AB_k: A with column k from B
            expected = a_row.copy()
            expected[k] = b_row[k]
            assert np.array_equal(b[1 + k], expected)


def test_mapping_matches_salib_scaling_of_the_same_sobol_points():
    params = [
        "{name: x1, bounds: [-3.0, 5.0]}",
        "{name: x2, dist: normal, mean: 2.0, sd: 0.5}",
        "{name: x3, dist: triangular, low: 1.0, mode: 1.5, high: 4.0}",
        "{name: a, dist: lognormal, median: 2.718281828459045, sigma: 0.3}",
    ]
    spec = parse_spec(spec_text("sobol", 64, params))
    problem = {
        "num_vars": 4,
        "names": ["x1", "x2", "x3", "a"],
        "bounds": [[-3.0, 5.0], [2.0, 0.5], [1.0, 4.0, 0.5 / 3.0], [1.0, 0.3]],
        "dists": ["unif", "norm", "triang", "lognorm"],
    }
    theirs = salib_sobol.sample(problem, 64, calc_second_order=False, scramble=True, seed=5)
    ours = sample(spec)
    for j, name in enumerate(problem["names"]):
        np.testing.assert_allclose(ours[name], theirs[:, j], rtol=1e-12)


@settings(max_examples=60, deadline=None)
@given(
    u=st.lists(st.floats(0, 1, exclude_max=True), min_size=1, max_size=20),
    values=st.lists(st.integers(-5, 5), min_size=1, max_size=6, unique=True),
)
def test_values_cut_the_unit_interval_into_equal_parts(u, values):
    p = Parameter(name="x1", values=tuple(values))
    got = from_unit(p, np.array(u)).tolist()
    assert got == [values[min(int(x * len(values)), len(values) - 1)] for x in u]


def ref_triangular_ppf(u, low, mode, high):
    """Inverse of the triangular distribution function, written out."""
    split = (mode - low) / (high - low)
    if u < split:
        return low + math.sqrt(u * (high - low) * (mode - low))
    return high - math.sqrt((1 - u) * (high - low) * (high - mode))


@settings(max_examples=60, deadline=None)
@given(
    u=st.floats(0.001, 0.999),
    low=st.floats(-100, 100),
    width=st.floats(0.1, 100),
    peak=st.floats(0, 1),
)
def test_triangular_matches_its_closed_form(u, low, width, peak):
    high, mode = low + width, low + peak * width
    p = Parameter.model_validate(
        {"name": "x1", "dist": "triangular", "low": low, "mode": mode, "high": high}
    )
    got = float(from_unit(p, np.array([u]))[0])
    assert got == pytest.approx(ref_triangular_ppf(u, low, mode, high), rel=1e-12, abs=1e-9)


def test_word_values_come_back_as_words():
    spec = parse_spec(spec_text("lhs", 50, ["{name: x1, bounds: [0, 1]}"]))
    p = Parameter(name="mirv", values=("allowed", "banned"))
    got = from_unit(p, unit_sample(spec)[:, 0])
    assert set(got.tolist()) == {"allowed", "banned"}
    assert (got == "banned").sum() == 25  # LHS: exactly half the strata in each half
