"""One JSON encoder (detente.jsonio) with one rule: NaN and infinities are written as null,
never as a string; nothing else in the package calls json.dumps."""

from __future__ import annotations

import datetime as dt
import json
import re
from pathlib import Path

import numpy as np
import pytest

from detente import jsonio
from detente.analysis.multiparty import PairResult

SRC = Path(__file__).resolve().parents[2] / "src" / "detente"


def strict(text: str):
    """Parse as RFC 8259 JSON: NaN, Infinity and -Infinity are refused."""
    return json.loads(text, parse_constant=lambda c: pytest.fail(f"non-JSON constant {c}"))


def test_non_finite_numbers_are_null_everywhere_in_a_value():
    value = {
        "nan": float("nan"),
        "inf": float("inf"),
        "ninf": -np.inf,
        "array": np.array([1.0, np.nan, np.inf]),
        "nested": ({"x": np.float64("inf")}, [np.float32(2.5)]),
        "date": dt.date(2026, 2, 5),
        "ints": np.arange(3),
    }
    assert strict(jsonio.dumps(value)) == {
        "nan": None,
        "inf": None,
        "ninf": None,
        "array": [1.0, None, None],
        "nested": [{"x": None}, [2.5]],
        "date": "2026-02-05",
        "ints": [0, 1, 2],
    }


def test_finite_numbers_round_trip_exactly():
    x = [0.1, 1e-300, 0.6034283795028745, -2.5e12]
    assert strict(jsonio.dumps(x)) == x


def test_an_unbounded_ratio_stays_inf_in_python_and_is_null_in_json():
    pair = PairResult(
        pair=("A", "B"), fsi=1.0, C1={"A": 1.0, "B": 2.0}, C2={"A": 0.0, "B": 1.0},
        r={"A": 1.0, "B": 1.0}, r_uncapped={"A": np.inf, "B": 2.0},
        reserve={"A": 0.0, "B": 0.0}, x_star={"A": 0.0, "B": 0.0}, arriving={"A": 1.0, "B": 1.0},
    )  # fmt: skip
    assert pair.to_dict()["r_uncapped"]["A"] == np.inf
    assert strict(jsonio.dumps(pair.to_dict()))["r_uncapped"] == {"A": None, "B": 2.0}


def test_a_value_that_is_not_json_ready_is_a_clear_error():
    with pytest.raises(TypeError, match="object is not JSON-ready"):
        jsonio.dumps({"x": object()})


def test_only_jsonio_encodes_and_nothing_writes_inf_as_text():
    """One encoder: ``json.dumps`` appears in detente/jsonio.py only, and no module turns a
    number into the string "inf"."""
    for path in SRC.rglob("*.py"):
        text = path.read_text(encoding="utf-8")
        if path.name != "jsonio.py":
            assert "json.dumps(" not in text, path
        assert not re.search(r"else \"-?inf\"", text), path
