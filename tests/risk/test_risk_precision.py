"""Illustrative risk is never printed as an estimate (issue 10, item 11): while any parameter
value is illustrative, every probability is shown to one significant figure under the
ILLUSTRATIVE banner, and the interventions are not worded as findings."""

from __future__ import annotations

import copy
import re

import pytest

from detente.analysis import risk as ar
from tests.risk.test_risk_analysis import BASE, load

#: A probability printed with more than one significant figure, e.g. "0.0516 %" or "1.82 %".
MANY_FIGURES = re.compile(r"(?<![\d.])(?:0\.0*[1-9]\d+|[1-9]\d*\.\d+|[1-9]\d+) %")


def sourced(spec):
    return {**spec, "status": "estimate", "source": "barrett-baum-hostetler-2013"}


def test_bundled_results_have_one_significant_figure():
    r = ar.run_risk(samples=500, seed=3)
    assert r.illustrative and r.significant_figures == 1
    assert r.to_dict()["significant_figures"] == 1
    p50 = r.annual_probability.p50
    text = r.percent(p50)
    assert text == ar.risk_percent(p50, 1)
    assert len(text.removesuffix(" %").replace("0.", "").lstrip("0")) == 1
    assert "ILLUSTRATIVE" in r.heading and "not an estimate" in r.heading
    assert "not" in r.heading and "finding" in r.heading


def test_a_fully_sourced_set_keeps_three_figures(tmp_path):
    data = copy.deepcopy(BASE)
    data["crisis_fraction"] = sourced(data["crisis_fraction"])
    for s in data["streams"]:
        s["rate_per_year"] = sourced(s["rate_per_year"])
        for stage in s["stages"]:
            stage["crisis"], stage["low_tension"] = (
                sourced(stage["crisis"]),
                sourced(stage["low_tension"]),
            )
        s["launch"] = {k: sourced(v) for k, v in s["launch"].items()}
    data["time_model"] = {k: sourced(v) for k, v in data["time_model"].items()}
    r = ar.run_risk(load(tmp_path, data), samples=20, seed=0)
    assert r.illustrative == () and r.significant_figures == 3
    assert r.percent(0.000516) == "0.0516 %"
    assert "ILLUSTRATIVE" not in r.heading


@pytest.mark.parametrize(
    ("value", "figures", "text"),
    [
        (0.00515, 1, "0.5 %"),
        (0.0182, 1, "2 %"),
        (-0.0000137, 1, "−0.001 %"),
        (0.00515, 3, "0.515 %"),
    ],
)
def test_risk_percent(value, figures, text):
    assert ar.risk_percent(value, figures) == text


def test_detente_risk_prints_one_figure_and_no_finding(detente_cli):
    done = detente_cli("risk", "--samples", "500", "--seed", "4", columns=160)
    assert done.returncode == 0, done.stderr
    out = done.stdout
    r = ar.run_risk(samples=500, seed=4)
    flat = " ".join(out.split())
    assert r.percent(r.annual_probability.p50) in flat
    assert ar.risk_percent(r.annual_probability.p50, 3) not in flat
    assert not MANY_FIGURES.search(flat.split("Tornado")[0]), flat
    assert "P(lowers risk)" not in flat and "share of samples" in flat
    assert "not findings" in flat and "ILLUSTRATIVE" in flat
