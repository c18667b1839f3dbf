"""Tests of detente.analysis.risk: Monte Carlo wrapper, interventions, tornado, provenance and
located errors in broken parameter files.

Seeded runs are compared bit for bit (tight regime); the closed-form check is matched to 1e-15.
"""

from __future__ import annotations

import copy
import math

import pytest
import yaml

from detente.analysis import risk as ar
from detente.errors import InputError


def fixed(value, **extra):
    return {"dist": "fixed", "value": value, "status": "assumption", "note": "test", **extra}


def uniform(low, high):
    return {"dist": "uniform", "low": low, "high": high, "status": "assumption", "note": "test"}


def stream(side="A", alarm="icbm"):
    return {
        "side": side,
        "alarm": alarm,
        "rate_per_year": fixed(1.0),
        "stages": [
            {"name": "assessment", "crisis": fixed(0.5), "low_tension": fixed(0.9)},
            {"name": "leadership", "crisis": fixed(0.2), "low_tension": fixed(0.9)},
        ],
        "launch": {"crisis": fixed(0.1), "low_tension": fixed(0.9)},
    }


BASE = {
    "kind": "risk_parameters",
    "id": "check",
    "name": "Check set",
    "crisis_fraction": fixed(1.0),
    "streams": [stream()],
    "time_model": {
        "pass_scale_min": fixed(10.0),
        "launch_scale_min": fixed(20.0),
        "slbm_flight_min_per_km": fixed(0.003),
    },
}


def write(tmp_path, data, name="params.yaml"):
    path = tmp_path / name
    path.write_text(yaml.safe_dump(data, sort_keys=False))
    return path


def load(tmp_path, data):
    return ar.load_risk_parameters(write(tmp_path, data))


# ---------------------------------------------------------------- the must-show check


def test_single_stream_lambda_one_product_one_percent(tmp_path):
    # always in crisis: rate 1/yr, stages 0.5 and 0.2, launch 0.1 -> product 0.01
    r = ar.run_risk(load(tmp_path, BASE), samples=50, seed=0, years=10)
    expected = 1 - math.exp(-0.01)
    q = r.annual_probability
    for value in (q.p05, q.p50, q.p95, q.mean, r.probability_at_medians):
        assert value == pytest.approx(expected, abs=1e-15)
    assert r.cumulative_probability.p50 == pytest.approx(1 - math.exp(-0.1), abs=1e-14)


# ---------------------------------------------------------------- reproducibility


def test_seeded_runs_are_reproducible_bit_for_bit():
    a = ar.run_risk(samples=3000, seed=7, years=5).to_dict()
    b = ar.run_risk(samples=3000, seed=7, years=5).to_dict()
    assert a == b
    c = ar.run_risk(samples=3000, seed=8, years=5).to_dict()
    assert c["annual_probability"] != a["annual_probability"]


def test_quantiles_are_ordered_and_cumulative_exceeds_annual():
    r = ar.run_risk(samples=2000, seed=1, years=10)
    q = r.annual_probability
    assert 0 < q.p05 < q.p50 < q.p95 < 1
    assert r.cumulative_probability.p50 > q.p50
    frame = r.to_frame()
    assert list(frame.columns) == ["quantity", "p05", "p50", "p95", "mean"]
    assert len(frame) == 2 + len(r.interventions)


# ---------------------------------------------------------------- interventions


def test_bundled_interventions_move_risk_in_the_documented_direction():
    r = ar.run_risk(samples=4000, seed=3)
    by_id = {iv.id: iv for iv in r.interventions}
    # more warning or decision time can only lower pass and launch probabilities (eq. 6.2)
    for key in ("ssbn_standoff", "decision_time"):
        assert by_id[key].probability_lower == 1.0
        assert by_id[key].change.p95 < 0
        assert by_id[key].annual_probability.p50 < r.annual_probability.p50
    # uncertain-sign measures: a probability strictly between 0 and 1 of lowering risk
    for key in ("de_alerting", "third_party_warning"):
        assert 0.0 < by_id[key].probability_lower < 1.0


def with_intervention(intervention, alarm="slbm", crisis_fraction=None):
    data = copy.deepcopy(BASE)
    data["streams"] = [stream("A", "icbm"), stream("A", alarm)]
    data["streams"][1]["rate_per_year"] = uniform(0.5, 2.0)
    if crisis_fraction is not None:
        data["crisis_fraction"] = crisis_fraction
    data["interventions"] = [{"id": "iv", "label": "test", **intervention}]
    return data


@pytest.mark.parametrize(
    ("intervention", "lower"),
    [
        ({"streams": {"alarm": "slbm"}, "standoff_km": 1000}, 1.0),
        ({"added_time_min": fixed(5.0)}, 1.0),
        ({"factors": [{"target": "rate_per_year", "value": uniform(1.1, 2.0)}]}, 0.0),
        ({"factors": [{"target": "launch.crisis", "value": uniform(0.1, 0.9)}]}, 1.0),
        ({"factors": [{"target": "pass.crisis", "value": uniform(1.1, 1.5)}]}, 0.0),
        # less crisis means more low tension, whose probabilities are the higher ones here
        ({"factors": [{"target": "crisis_fraction", "value": uniform(0.1, 0.5)}]}, 0.0),
    ],
)
def test_interventions_direction(tmp_path, intervention, lower):
    # crisis_fraction 0.5: the low-tension terms (probabilities 0.9) dominate unless reduced
    data = with_intervention(intervention, crisis_fraction=fixed(0.5))
    r = ar.run_risk(load(tmp_path, data), samples=500, seed=0)
    assert r.interventions[0].probability_lower == lower


def test_standoff_scales_only_the_selected_streams_by_eq_6_2(tmp_path):
    data = copy.deepcopy(BASE)
    data["streams"] = [stream("A", "icbm"), stream("A", "slbm")]
    data["interventions"] = [
        {"id": "iv", "label": "t", "streams": {"alarm": "slbm"}, "standoff_km": 1000}
    ]
    r = ar.run_risk(load(tmp_path, data), samples=5, seed=0)
    # 1000 km x 0.003 min/km = 3 min: pass x exp(-3/10), launch x exp(-3/20), SLBM term only
    expected = 1 - math.exp(-(0.01 + 0.01 * math.exp(-3 / 10 - 3 / 20)))
    assert r.interventions[0].annual_probability.p50 == pytest.approx(expected, abs=1e-15)
    assert r.annual_probability.p50 == pytest.approx(1 - math.exp(-0.02), abs=1e-15)


def test_intervention_that_selects_no_stream_is_an_error(tmp_path):
    data = with_intervention({"streams": {"alarm": "slbm"}, "standoff_km": 1000}, alarm="icbm2")
    with pytest.raises(InputError, match="selects no stream"):
        load(tmp_path, data)


def test_de_alerting_in_low_tension_lowers_risk_when_there_is_no_crisis(tmp_path):
    data = with_intervention(
        {"factors": [{"target": "launch.low_tension", "value": uniform(0.1, 0.5)}]},
        crisis_fraction=fixed(0.0),
    )
    r = ar.run_risk(load(tmp_path, data), samples=500, seed=0)
    assert r.interventions[0].probability_lower == 1.0


# ---------------------------------------------------------------- tornado and provenance


def test_tornado_is_sorted_and_rates_raise_risk():
    r = ar.run_risk(samples=200, seed=0)
    bars = r.tornado.bars
    swings = [b.swing for b in bars]
    assert swings == sorted(swings, reverse=True)
    rate_bars = [b for b in bars if b.input.endswith("rate_per_year")]
    assert len(rate_bars) == 4
    assert all(b.at_high > b.at_low for b in rate_bars)
    assert not any(b.input.startswith(("time_model", "interventions")) for b in bars)
    assert r.tornado.base == r.probability_at_medians


def test_tornado_skips_fixed_parameters(tmp_path):
    data = copy.deepcopy(BASE)
    data["streams"][0]["rate_per_year"] = uniform(0.5, 1.5)
    r = ar.run_risk(load(tmp_path, data), samples=10, seed=0)
    assert [b.input for b in r.tornado.bars] == ["A.icbm.rate_per_year"]


#: The bundled values with a source (issue 10, item 11): the US low-tension pass probability
#: of the first evaluation stage, 4 of 147 false alarms in January 1979 to June 1980.
SOURCED = ("US.icbm.stages.assessment.low_tension", "US.slbm.stages.assessment.low_tension")


def test_bundled_set_is_labelled_illustrative():
    r = ar.run_risk(samples=100, seed=0)
    assert r.sourced == SOURCED
    assert set(r.illustrative) == {p.name for p in r.parameters} - set(SOURCED)
    assert len(r.illustrative) == 36
    d = r.to_dict()
    assert d["illustrative_parameters"] == list(r.illustrative)
    assert all("ILLUSTRATIVE" in p.note for p in r.parameters if p.name not in SOURCED)


def test_sourced_first_stage_is_the_1979_80_record():
    """Mode 4/147; low and high the exact 90 % Poisson interval of 4 events over 147."""
    from scipy.stats import chi2

    r = ar.run_risk(samples=100, seed=0)
    info = {p.name: p for p in r.parameters}
    for name in SOURCED:
        p = info[name]
        assert p.status == "derived" and p.source == ("senate-asc-false-alerts-1980",)
        assert p.distribution.startswith("triangular")
    ps = ar.load_risk_parameters()
    stage = ps.streams[0].stages[0].low_tension
    assert (stage.low, stage.mode, stage.high) == (0.0093, 0.0272, 0.0623)
    assert stage.mode == round(4 / 147, 4)
    assert stage.low == round(chi2.ppf(0.05, 8) / 2 / 147, 4)
    assert stage.high == round(chi2.ppf(0.95, 10) / 2 / 147, 4)


def test_a_sourced_parameter_is_reported_as_sourced(tmp_path):
    data = copy.deepcopy(BASE)
    data["crisis_fraction"] = {
        "dist": "uniform",
        "low": 0.5,
        "high": 1.0,
        "status": "estimate",
        "source": "barrett-baum-hostetler-2013",
        "note": "test value, not the paper's",
    }
    r = ar.run_risk(load(tmp_path, data), samples=10, seed=0)
    assert r.sourced == ("crisis_fraction",)
    assert r.tornado.bars[0].input == "crisis_fraction" in r.sourced


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [({"samples": 0}, "samples"), ({"years": -1.0}, "years"), ({"seed": -1}, "seed")],
)
def test_bad_run_arguments(kwargs, message):
    with pytest.raises(InputError, match=message):
        ar.run_risk(**{"samples": 10, **kwargs})


# ---------------------------------------------------------------- broken files


def broken(edit):
    data = copy.deepcopy(BASE)
    edit(data)
    return data


CORPUS = [
    (
        lambda d: d["streams"][0]["launch"].update(
            crisis={
                "dist": "lognormal",
                "median": 0.1,
                "sigma": 0.7,
                "status": "assumption",
                "note": "x",
            }
        ),
        "must take values within",
        "crisis:",
    ),
    (
        lambda d: d.update(
            crisis_fraction={
                "dist": "lognormal",
                "median": 0.1,
                "gsd": 2,
                "status": "assumption",
                "note": "x",
            }
        ),
        r"not gsd; gsd: 2 is sigma: 0\.693147",
        "gsd:",
    ),
    (
        lambda d: d.update(crisis_fraction=uniform(0.5, 0.1)),
        "is above high",
        "low:",
    ),
    (
        lambda d: d.update(crisis_fraction={"dist": "uniform", "low": 0.1, "status": "x"}),
        "status",
        "status:",
    ),
    (
        lambda d: d["streams"][0].update(rate_per_year=fixed(1.0, source="nope")),
        "unknown source id",
        "source:",
    ),
    (
        lambda d: d["streams"][0].update(
            rate_per_year={"dist": "fixed", "value": 1.0, "status": "official"}
        ),
        "needs a source id",
        "rate_per_year:",
    ),
    (
        lambda d: d["streams"][0].update(
            rate_per_year={"dist": "fixed", "value": 1.0, "status": "assumption"}
        ),
        "needs a note",
        "rate_per_year:",
    ),
    (
        lambda d: d["streams"][0].update(rate_per_year=fixed(1.0, median=2.0)),
        "unknown field",
        "median:",
    ),
    (lambda d: d["streams"].append(stream()), "defined twice", "rate_per_year:"),
    (
        lambda d: d.update(
            interventions=[
                {"id": "x", "label": "x", "factors": [{"target": "nope", "value": fixed(1.0)}]}
            ]
        ),
        "target",
        "- target:",
    ),
    (lambda d: d.update(interventions=[{"id": "x", "label": "x"}]), "needs standoff_km", "- id:"),
    (lambda d: d.pop("time_model"), "required field is missing", "kind:"),
    (lambda d: d.update(colour="blue"), "unknown field", "colour:"),
]


@pytest.mark.parametrize(("edit", "message", "line_starts"), CORPUS)
def test_broken_parameter_files_name_file_line_and_field(tmp_path, edit, message, line_starts):
    path = write(tmp_path, broken(edit))
    with pytest.raises(InputError, match=message) as info:
        ar.load_risk_parameters(path)
    assert info.value.file == str(path)
    line = path.read_text().splitlines()[info.value.line - 1]
    assert line.strip().startswith(line_starts), (line, info.value)


def test_broken_yaml_syntax(tmp_path):
    path = tmp_path / "bad.yaml"
    path.write_text("kind: risk_parameters\nstreams: [\n")
    with pytest.raises(InputError, match="invalid YAML") as info:
        ar.load_risk_parameters(path)
    assert info.value.file == str(path) and info.value.line == 3
