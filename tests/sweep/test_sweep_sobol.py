"""SALib's Ishigami function through the whole pipeline (sample, evaluate in chunks, store,
analyse) recovers its known Sobol' indices.

Loose tolerance, against analytic values: 0.05 absolute on every index, with N = 2**13 base
samples (40,960 evaluations); SALib's own regression test uses a comparable tolerance.
"""

from __future__ import annotations

import math

import numpy as np
import pytest

from detente.sweep.runner import run_sweep
from detente.sweep.samplers import sample
from detente.sweep.sensitivity import sobol_indices
from detente.sweep.spec import parse_spec
from detente.sweep.store import SweepStore

TOLERANCE = 0.05

# Saltelli et al., Global Sensitivity Analysis: The Primer (2008), for a = 7, b = 0.1; also the
# docstring of SALib.test_functions.Ishigami.
PUBLISHED_S1 = {"x1": 0.3139, "x2": 0.4424, "x3": 0.0}
PUBLISHED_ST = {"x1": 0.5576, "x2": 0.4424, "x3": 0.2437}

SPEC = """\
model: ishigami
sampler: sobol
points: {points}
seed: 2
chunk_size: 5000
parameters:
  - {{name: x1, bounds: [-3.141592653589793, 3.141592653589793]}}
  - {{name: x2, bounds: [-3.141592653589793, 3.141592653589793]}}
  - {{name: x3, bounds: [-3.141592653589793, 3.141592653589793]}}
"""


def analytic_indices(a=7.0, b=0.1):
    """Closed-form variance decomposition of the Ishigami function on [-pi, pi]^3."""
    pi4, pi8 = math.pi**4, math.pi**8
    v1 = 0.5 * (1 + b * pi4 / 5) ** 2
    v2 = a**2 / 8
    v13 = b**2 * pi8 * (1 / 18 - 1 / 50)
    v = v1 + v2 + v13
    return {"x1": v1 / v, "x2": v2 / v, "x3": 0.0}, {
        "x1": (v1 + v13) / v,
        "x2": v2 / v,
        "x3": v13 / v,
    }


def test_closed_form_reproduces_the_published_values():
    s1, st = analytic_indices()
    assert s1 == pytest.approx(PUBLISHED_S1, abs=5e-5)
    assert st == pytest.approx(PUBLISHED_ST, abs=5e-5)


def test_ishigami_sweep_recovers_known_sobol_indices(tmp_path):
    spec = parse_spec(SPEC.format(points=2**13))
    outcome = run_sweep(spec, tmp_path / "ishigami.duckdb")
    assert outcome.complete and outcome.stored == 2**13 * 5
    with SweepStore(tmp_path / "ishigami.duckdb", read_only=True) as store:
        result = sobol_indices(store)
    frame = result.to_frame().set_index("parameter")
    assert (frame["output"] == "y").all()
    assert frame["S1"].to_dict() == pytest.approx(PUBLISHED_S1, abs=TOLERANCE)
    assert frame["ST"].to_dict() == pytest.approx(PUBLISHED_ST, abs=TOLERANCE)
    assert (frame["S1_conf"] < TOLERANCE).all()
    assert result.second is None


def test_sobol_indices_refuse_other_samplers_and_incomplete_sweeps(tmp_path):
    lhs = parse_spec(SPEC.format(points=64).replace("sobol", "lhs"))
    run_sweep(lhs, tmp_path / "lhs.duckdb")
    with (
        SweepStore(tmp_path / "lhs.duckdb", read_only=True) as store,
        pytest.raises(ValueError, match="sampler: sobol"),
    ):
        sobol_indices(store)
    spec = parse_spec(SPEC.format(points=64))
    with SweepStore(tmp_path / "part.duckdb") as store:
        store.initialise(spec, sample(spec))
        with pytest.raises(ValueError, match="0 of 320 points have results"):
            sobol_indices(store)


CONSTANT = """\
model: ishigami
base: {a: 0.0}
sampler: sobol
points: 256
second_order: true
parameters:
  - {name: x1, values: [0.0]}
  - {name: x2, bounds: [-3.0, 3.0]}
  - {name: x3, bounds: [-3.0, 3.0]}
  - {name: b, bounds: [0.0, 0.1]}
"""


def test_second_order_indices_and_a_constant_output(tmp_path):
    spec = parse_spec(CONSTANT)  # x1 = 0 and a = 0: y = sin(0) (1 + b x3**4) = 0 everywhere
    run_sweep(spec, tmp_path / "c.duckdb")
    with SweepStore(tmp_path / "c.duckdb", read_only=True) as store:
        result = sobol_indices(store)
    assert np.isnan(result.first_total["S1"]).all()
    assert len(result.second) == 6  # 4 parameters: 6 pairs
