"""Fuzzed force, notional, scenario and sweep documents with extreme values through the CLI
(in process): every run ends with exit 0 or 2, one line on stderr when it fails, within a few
seconds, never through the last line of defence, in bounded memory (issue 15, item 7).

Each document takes values at the edges of the valid ranges, and one field (or none) a hostile
value: out of range, infinite, not a number, mistyped, or raw YAML that YAML 1.1 reads in a
surprising way. Both the refusals and the calculations at the edges are exercised.
"""

from __future__ import annotations

import math
import resource
import time

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

#: Values no field accepts: out of any range, infinite, not a number, mistyped.
HOSTILE = st.sampled_from(
    [-1, 2**63, 10**400, 1e308, -1e308, math.inf, -math.inf, math.nan, True, "12", [1], {"a": 1}]
)
#: Raw YAML scalars that YAML 1.1 reads in surprising ways, and a terminal escape.
RAW = st.sampled_from(["0x1F", "1:30", "010", "0b11", "yes", ".inf", ".nan", '"\\e[31m"', "~"])
FUZZ = settings(
    max_examples=20,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
#: Longest run of one fuzzed document [s] (the in-process CLI; assessments write reports).
SECONDS = 20
#: Peak memory of the test process after the examples [bytes].
PEAK_BYTES = 3 * 1024**3


def _values(data, valid: dict[str, list]) -> dict:
    """One value per field: from its valid edge values, except one field (or none), which
    takes a hostile value or a raw YAML scalar (returned under the key ``"raw"``)."""
    bad = data.draw(st.sampled_from([None, *valid]), label="hostile field")
    out = {name: data.draw(st.sampled_from(values), label=name) for name, values in valid.items()}
    out["raw"] = None
    if bad is not None:
        if data.draw(st.booleans(), label="raw"):
            out["raw"] = (bad, data.draw(RAW, label="raw value"))
        else:
            out[bad] = data.draw(HOSTILE, label=f"{bad} (hostile)")
    return out


def _text(doc: dict, raw: tuple[str, str] | None) -> str:
    """``doc`` as YAML; ``raw = (key, text)`` writes ``text`` as is as the value of ``key``."""
    text = yaml.safe_dump(doc, sort_keys=False, allow_unicode=True)
    if raw is not None:
        key, value = raw
        head, found, tail = text.partition(f"{key}: ")
        if found:
            text = head + f"{key}: {value}\n" + tail.partition("\n")[2]
    return text


def _check(detente_main, *args: str) -> None:
    t0 = time.perf_counter()
    code, _, err = detente_main(*args)
    seconds = time.perf_counter() - t0
    assert "internal error" not in err and "Traceback" not in err, err
    assert code in (0, 2), (code, err)
    if code == 2:
        assert len(err.strip().splitlines()) == 1, err
        assert "\x1b" not in err
    assert seconds < SECONDS, (seconds, args)
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024
    assert peak < PEAK_BYTES, peak


@FUZZ
@given(data=st.data())
def test_fuzzed_force(detente_main, tmp_path_factory, data):
    v = _values(
        data,
        {
            "deployed": [0, 1, 400, 100_000],
            "loading": [0, 1, 3],
            "warheads": [0, 10, 80],
            "total": [0, 5_000, 100_000],
            "as_of": ["1945-01-01", "2025-01-01", "2200-12-31"],
        },
    )
    doc = {
        "name": "fuzz",
        "party": "US",
        "as_of": v["as_of"],
        "holdings": [
            {
                "system": "minuteman-iii",
                "launchers": {"deployed": v["deployed"]},
                "loading": v["loading"],
            },
            {"system": "trident-ii-d5", "launchers": {"deployed": 10}, "warheads": v["warheads"]},
        ],
        "stockpile": {"total": v["total"]},
    }
    path = tmp_path_factory.mktemp("force") / "force.yaml"
    path.write_text(_text(doc, v["raw"]), encoding="utf-8")
    _check(detente_main, "count", str(path), "-t", "new-start")


@FUZZ
@given(data=st.data())
def test_fuzzed_notional_force(detente_main, tmp_path_factory, data):
    v = _values(
        data,
        {
            "launchers": [0, 1e-300, 1, 100_000],
            "warheads_per_launcher": [0, 0.5, 100],
            "alert": [0, 0.5, 1],
            "w80": [1e-300, 1, 500, 1e9],
        },
    )
    doc = {
        "party": "A",
        "w80": v["w80"],
        "elements": [
            {
                "name": "silos",
                "kind": "fixed",
                "launchers": v["launchers"],
                "warheads_per_launcher": 1,
            },
            {
                "name": "boats",
                "kind": "survivable",
                "launchers": 10,
                "warheads_per_launcher": v["warheads_per_launcher"],
                "alert": v["alert"],
            },
        ],
    }
    path = tmp_path_factory.mktemp("notional") / "a.yaml"
    path.write_text(_text(doc, v["raw"]), encoding="utf-8")
    _check(detente_main, "stability", str(path), "ru-2025", "--w80-b", "500")


@pytest.mark.slow  # a whole assessment with its report per example
@FUZZ
@given(data=st.data())
def test_fuzzed_scenario(detente_main, tmp_path_factory, data):
    v = _values(
        data,
        {
            "w80": [1e-300, 1, 1e9],
            "deployed": [0, 1, 100_000],
            "surcharge": [0, 0.3, 10],
            "interceptors": [0, 1, 100_000],
            "samples": [1, 50],
            "seed": [0, 2**128 - 1],
            "date": ["1945-01-01", "2200-12-31"],
            "uncertain": [
                {},
                {"parties.RU.w80": {"dist": "uniform", "low": 1e-300, "high": 1e9}},
                {"parties.RU.w80": {"dist": "lognormal", "median": 500, "sigma": 3, "high": 1e9}},
                {"parameters.de": {"dist": "triangular", "low": 0, "mode": 1, "high": 1}},
            ],
        },
    )
    us = {
        "force": "us-2025",
        "w80": v["w80"],
        "modifications": {
            "holdings": {"minuteman-iii": {"launchers": {"deployed": v["deployed"]}}}
        },
        "defense": {"interceptors": v["interceptors"]},
    }
    doc = {
        "name": "fuzz",
        "date": v["date"],
        "parties": [us, {"force": "ru-2025"}],
        "parameters": {"surcharge": v["surcharge"]},
        "uncertain": v["uncertain"],
        "samples": v["samples"],
        "seed": v["seed"],
    }
    folder = tmp_path_factory.mktemp("scenario")
    path = folder / "s.yaml"
    path.write_text(_text(doc, v["raw"]), encoding="utf-8")
    _check(detente_main, "assess", str(path), "--out", str(folder / "out"))


@FUZZ
@given(data=st.data())
def test_fuzzed_sweep(detente_main, tmp_path_factory, data):
    v = _values(
        data,
        {
            "points": [1, 8],
            "low": [-1e300, -3.14, 0],
            "high": [1, 3.14, 1e300],
            "min": [-1e300, 0, 1e300],
            "chunk_size": [1, 7, 10_000],
        },
    )
    doc = {
        "model": "ishigami",
        "base": {"a": 7.0, "b": 0.1},
        "sampler": "sobol",
        "points": v["points"],
        "seed": 1,
        "chunk_size": v["chunk_size"],
        "parameters": [
            {"name": "x1", "bounds": [v["low"], v["high"]]},
            {"name": "x2", "bounds": [-3.14, 3.14]},
            {"name": "x3", "bounds": [-3.14, 3.14]},
        ],
        "outputs": ["y"],
        "criteria": [{"party": "A", "output": "y", "min": v["min"]}],
    }
    folder = tmp_path_factory.mktemp("sweep")
    path = folder / "sweep.yaml"
    path.write_text(_text(doc, v["raw"]), encoding="utf-8")
    _check(detente_main, "sweep", str(path), "--out", str(folder / "s.duckdb"))
