"""The Ishigami evaluator against SALib's independent implementation, and the chunk task's
checks. Tolerance: 1e-12 relative against SALib (same formula, different arithmetic order)."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from SALib.test_functions import Ishigami as SALibIshigami

from detente.sweep.evaluators import Chunk, Ishigami, evaluate_chunk, ishigami
from detente.sweep.registry import EVALUATORS, register

angle = st.floats(-math.pi, math.pi)


@settings(max_examples=50, deadline=None)
@given(
    x=st.lists(st.tuples(angle, angle, angle), min_size=1, max_size=30),
    a=st.floats(0, 10),
    b=st.floats(0, 1),
)
def test_ishigami_matches_salib(x, a, b):
    X = np.array(x)
    expected = SALibIshigami.evaluate(X, A=a, B=b)
    np.testing.assert_allclose(
        ishigami(X[:, 0], X[:, 1], X[:, 2], a=a, b=b), expected, rtol=1e-12, atol=1e-12
    )


def test_chunk_uses_base_for_inputs_not_swept():
    base = Ishigami().resolve({"x2": 1.0, "x3": 2.0, "a": 5.0})
    x1 = np.array([-1.0, 0.3, 2.0])
    out = evaluate_chunk("ishigami", base, ("y",), Chunk(np.arange(10, 13), {"x1": x1}))
    X = np.column_stack([x1, np.full(3, 1.0), np.full(3, 2.0)])
    np.testing.assert_allclose(out["y"], SALibIshigami.evaluate(X, A=5.0, B=0.1), rtol=1e-12)
    assert out["point_id"].tolist() == [10, 11, 12]
    assert list(out) == ["point_id", "x1", "y"]


def test_swept_constants_vary_per_point():
    base = Ishigami().resolve(None)
    inputs = {"x2": np.array([1.0, 1.0]), "a": np.array([1.0, 2.0])}
    y = evaluate_chunk("ishigami", base, None, Chunk(np.arange(2), inputs))["y"]
    assert y.tolist() == pytest.approx([math.sin(1.0) ** 2, 2 * math.sin(1.0) ** 2], rel=1e-14)


@pytest.mark.parametrize(
    ("base", "message"),
    [([1, 2], "mapping"), ({"c": 1}, "unknown ishigami base key"), ({"a": "seven"}, "number"),
     ({"sleep_s": -1}, "sleep_s >= 0"), ({"b": float("nan")}, "finite")],
)  # fmt: skip
def test_bad_base_is_a_value_error(base, message):
    with pytest.raises(ValueError, match=message):
        Ishigami().resolve(base)


def test_resolve_is_idempotent():
    once = Ishigami().resolve({"a": 6})
    assert Ishigami().resolve(once) == once


class _Broken:
    name = "broken-shape"

    def resolve(self, base, where=None):
        return {}

    def check_input(self, parameter, base):
        return None

    def outputs(self, base):
        return ("z",)

    def evaluate(self, inputs, base):
        return {"z": np.zeros(1)}


def test_wrong_output_shape_and_unknown_model_are_clear_errors(monkeypatch):
    monkeypatch.setitem(EVALUATORS, "broken-shape", _Broken())
    chunk = Chunk(np.arange(3), {"x": np.zeros(3)})
    with pytest.raises(ValueError, match=r"output 'z' of shape \(1,\) for a chunk of 3 points"):
        evaluate_chunk("broken-shape", {}, None, chunk)
    with pytest.raises(ValueError, match="unknown model 'nope'"):
        evaluate_chunk("nope", {}, None, chunk)
    with pytest.raises(ValueError, match="already registered"):
        register(Ishigami())
