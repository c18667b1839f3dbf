"""Samplers: grid against itertools, the Latin hypercube against a plain-Python reference and
its strata (exactly, in rational arithmetic), Saltelli's scheme against SALib's own (bit for
bit) and its block structure, and the mapping from the unit interval against SALib's own
scaling and plain-Python references.

Tolerances: the mappings are matched to SALib and to the closed forms to 1e-12 (relative);
everything else is exact (both unit samples bit for bit).
"""

from __future__ import annotations

import itertools
import math
from fractions import Fraction

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from SALib.sample import latin as salib_latin
from SALib.sample import sobol as salib_sobol

from detente.sweep.runner import run_sweep
from detente.sweep.samplers import from_unit, latin_hypercube, saltelli, sample, unit_sample
from detente.sweep.spec import Parameter, parse_spec
from detente.sweep.store import SweepStore

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


def reference_latin_hypercube(n, d, seed):
    """The Latin hypercube written out point by point: the same draws as
    :func:`latin_hypercube` (column by column, the strata's permutation then the jitter's
    cells), the arithmetic in Python integers, one correctly rounded division per value."""
    rng = np.random.default_rng(seed)
    bits = 51 - (n - 1).bit_length()
    rows = [[0.0] * d for _ in range(n)]
    for j in range(d):
        strata = rng.permutation(n).tolist()
        cells = rng.integers(0, 2**bits, size=n).tolist()
        for i in range(n):
            # the middle of cell `cells[i]` of stratum `strata[i]`: (2 c + 1) / (2 n 2**bits)
            rows[i][j] = (2 * (strata[i] * 2**bits + cells[i]) + 1) / (2 * n * 2**bits)
    return np.array(rows, dtype=float).reshape(n, d)


def exact_strata(column, n):
    """The stratum ``k`` with ``k/n <= u < (k+1)/n`` of each value, in rational arithmetic."""
    return [math.floor(Fraction(u) * n) for u in column.tolist()]


LHS_SIZES = {
    "n": st.integers(1, 300),
    "d": st.integers(1, 4),
    "seed": st.integers(0, 2**64),
}


@settings(max_examples=60, deadline=None)
@given(**LHS_SIZES)
def test_lhs_equals_the_reference_bit_for_bit(n, d, seed):
    got = latin_hypercube(n, d, seed=seed)
    assert got.shape == (n, d) and got.dtype == np.float64
    assert got.tobytes() == reference_latin_hypercube(n, d, seed).tobytes()


@settings(max_examples=60, deadline=None)
@given(**LHS_SIZES)
def test_lhs_has_one_point_in_each_stratum_of_each_column(n, d, seed):
    u = latin_hypercube(n, d, seed=seed)
    assert ((u > 0) & (u < 1)).all()  # strictly: an inverse distribution function stays finite
    for column in u.T:
        strata = exact_strata(column, n)
        assert sorted(strata) == list(range(n))
        assert np.floor(column * n).astype(int).tolist() == strata  # as from_unit computes it


@settings(max_examples=30, deadline=None)
@given(**LHS_SIZES)
def test_lhs_is_set_by_its_seed(n, d, seed):
    u = latin_hypercube(n, d, seed=seed)
    assert latin_hypercube(n, d, seed=seed).tobytes() == u.tobytes()
    assert latin_hypercube(n, d, seed=seed + 1).tobytes() != u.tobytes()


@settings(max_examples=30, deadline=None)
@given(levels=st.integers(1, 7), per_level=st.integers(1, 40), seed=st.integers(0, 2**32))
def test_lhs_gives_each_level_of_a_values_parameter_its_equal_share(levels, per_level, seed):
    n = levels * per_level
    p = Parameter(name="x1", values=tuple(range(levels)))
    got = from_unit(p, latin_hypercube(n, 1, seed=seed)[:, 0])
    assert np.bincount(got, minlength=levels).tolist() == [per_level] * levels


def test_lhs_keeps_its_strata_exact_at_a_million_points():
    n = 1_000_003  # not a power of two: the division rounds
    u = latin_hypercube(n, 2, seed=13)
    assert ((u > 0) & (u < 1)).all()
    for column in u.T:
        assert (np.bincount(np.floor(column * n).astype(np.int64), minlength=n) == 1).all()


def test_lhs_draws_are_pinned():
    """The points a seed gives. numpy's ``Generator.permutation`` and ``integers`` streams are
    what a seed means: if a numpy upgrade changes them, this fails, and every lhs sweep's
    points with it (stored files keep theirs)."""
    u = latin_hypercube(3, 2, seed=5)
    assert np.floor(u * 3).astype(int).tolist() == [[1, 2], [2, 0], [0, 1]]
    assert u.tolist() == [
        [0.6026469299121647, 0.794456293595173],
        [0.8384418536807141, 0.1361577351399997],
        [0.09526712669604749, 0.34842506463414846],
    ]


def test_lhs_spec_draws_its_seed_and_maps_each_stratum_once():
    spec = parse_spec(
        spec_text("lhs", 200, ["{name: x1, bounds: [-2, 2]}", "{name: x2, bounds: [0, 1]}"])
    )
    unit = unit_sample(spec)
    assert unit.tobytes() == latin_hypercube(200, 2, seed=5).tobytes()
    got = sample(spec)
    for name, (lo, hi) in {"x1": (-2, 2), "x2": (0, 1)}.items():
        strata = np.floor((got[name] - lo) / (hi - lo) * 200).astype(int)
        assert sorted(strata.tolist()) == list(range(200))
    other = sample(spec.model_copy(update={"seed": 6}))
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


@settings(max_examples=30, deadline=None)
@given(
    log2_n=st.integers(0, 6),
    d=st.integers(1, 5),
    second_order=st.booleans(),
    seed=st.integers(0, 2**32),
)
def test_saltelli_equals_salib_bit_for_bit(log2_n, d, second_order, seed):
    problem = {"num_vars": d, "names": [f"x{i}" for i in range(d)], "bounds": [[0.0, 1.0]] * d}
    theirs = salib_sobol.sample(
        problem, 2**log2_n, calc_second_order=second_order, scramble=True, seed=seed
    )
    ours = saltelli(2**log2_n, d, second_order=second_order, seed=seed)
    assert ours.shape == theirs.shape and ours.tobytes() == theirs.tobytes()


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


def test_a_stored_sweep_keeps_the_points_an_earlier_sampler_drew(tmp_path):
    """A file begun before the vectorised Latin hypercube (here: points drawn by SALib's
    ``latin.sample``, as earlier versions did) is resumed on its stored points, not redrawn."""
    spec = parse_spec(
        spec_text("lhs", 300, ["{name: x1, bounds: [-3, 3]}", "{name: x3, values: [-1, 2]}"])
    )
    problem = {"num_vars": 2, "names": ["x1", "x3"], "bounds": [[0.0, 1.0]] * 2}
    unit = salib_latin.sample(problem, 300, seed=spec.seed)
    earlier = {p.name: from_unit(p, unit[:, j]) for j, p in enumerate(spec.parameters)}
    assert not np.array_equal(earlier["x1"], sample(spec)["x1"])  # the samplers differ
    path = tmp_path / "earlier.duckdb"
    with SweepStore(path) as store:
        store.initialise(spec, earlier)
    assert run_sweep(spec, path).complete
    with SweepStore(path, read_only=True) as store:
        results = store.results()
    assert results["x1"].tolist() == earlier["x1"].tolist()
    assert results["x3"].tolist() == earlier["x3"].tolist()
