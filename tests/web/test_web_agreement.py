"""POST /api/agreement: the zone of possible agreement of a bounded grid of caps, as the sweep
pipeline of ``detente sweep`` finds it; bounded work; bad criteria are 422."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from detente.sweep.agreement import agreement_zone
from detente.sweep.evaluators import Chunk, evaluate_chunk
from detente.sweep.runner import run_sweep
from detente.sweep.samplers import sample
from detente.sweep.spec import load_spec, parse_spec
from detente.sweep.store import SweepStore
from detente.web.schemas import MAX_AGREEMENT_POINTS

DEFENSE = {"interceptors": 1000, "p_kill": 0.7, "shots_per_rv": 2, "availability": 0.9}
BODY = {
    "parties": [{"force": "us-2025", "defense": DEFENSE}, {"force": "ru-2025"}],
    "warhead_cap": {"low": 600, "high": 2000, "levels": 8},
    "launcher_cap": {"low": 400, "high": 800, "levels": 3},
    "mirv": ["allowed", "icbm_ban"],
    "interceptor_caps": [0, 250],
    "criteria": [
        {"party": "US", "fsi_min": 0.7, "arriving_min": 400},
        {"party": "RU", "arriving_min": 150, "interceptor_cap_max": 100, "warhead_cap_max": 1100},
    ],
}
# The same proposals as a sweep file (examples/sweep-after-new-start.yaml, smaller).
SWEEP = """
model: stability
base:
  scenario:
    name: reference
    parties:
      - force: us-2025
        defense: {interceptors: 1000, p_kill: 0.7, shots_per_rv: 2, availability: 0.9}
      - force: ru-2025
  caps: {fill: [US, RU]}
sampler: grid
parameters:
  - {name: treaty.warhead_cap, bounds: [600, 2000], levels: 8}
  - {name: treaty.launcher_cap, bounds: [400, 800], levels: 3}
  - {name: treaty.mirv, values: [allowed, icbm_ban]}
  - {name: treaty.interceptor_cap, values: [0, 250]}
criteria:
  - {party: US, output: fsi, min: 0.7}
  - {party: US, output: arriving.US, min: 400}
  - {party: RU, output: arriving.RU, min: 150}
  - {party: RU, input: treaty.interceptor_cap, max: 100}
  - {party: RU, input: treaty.warhead_cap, max: 1100}
"""
KEY = ("treaty.warhead_cap", "treaty.launcher_cap", "treaty.mirv", "treaty.interceptor_cap")


def _row_key(row: dict) -> tuple:
    return tuple(round(row[k], 6) if isinstance(row[k], float) else row[k] for k in KEY)


@pytest.fixture(scope="module")
def answer(client):
    r = client.post("/api/agreement", json=BODY)
    assert r.status_code == 200, r.text
    return r.json()


def test_accepted_proposals_are_those_of_the_sweep_pipeline(answer):
    spec = parse_spec(SWEEP)
    points = sample(spec)
    frame = evaluate_chunk(spec.model, spec.base, None, Chunk(np.arange(spec.n_points), points))
    zone = agreement_zone(pd.DataFrame(frame), spec.criteria)
    assert answer["points"] == spec.n_points == 8 * 3 * 2 * 2
    assert answer["accepted_count"] == len(zone) > 0
    expected = {_row_key(r): r for r in zone.to_dict(orient="records")}
    got = {_row_key(r): r for r in answer["accepted"]}
    assert got.keys() == expected.keys()
    for key, row in got.items():
        assert row["fsi"] == pytest.approx(expected[key]["fsi"], rel=1e-12)
        assert row["arriving.US"] >= 400 and row["arriving.RU"] >= 150 and row["fsi"] >= 0.7
        assert row["treaty.interceptor_cap"] <= 100 and row["treaty.warhead_cap"] <= 1100


def test_frontier_is_the_non_dominated_accepted_proposals(answer):
    sign = {k: (1 if v == "max" else -1) for k, v in answer["objectives"].items()}

    def better_or_equal(a, b):  # plain-Python dominance: a at least as good as b everywhere
        return all(sign[k] * a[k] >= sign[k] * b[k] for k in sign)

    def dominated(b):
        return any(
            better_or_equal(a, b) and any(a[k] != b[k] for k in sign) for a in answer["accepted"]
        )

    expected = {_row_key(r) for r in answer["accepted"] if not dominated(r)}
    assert {_row_key(r) for r in answer["frontier"]} == expected
    assert expected


def test_each_party_accepts_at_least_the_zone(answer):
    assert answer["parties"] == ["US", "RU"]
    assert min(answer["accepted_by"].values()) >= answer["accepted_count"]


def test_too_many_points_is_422(client):
    levels = MAX_AGREEMENT_POINTS // (50 * 2 * 2) + 1  # 2 MIRV rules x 2 interceptor caps
    body = {
        **BODY,
        "warhead_cap": {"low": 0, "high": 5000, "levels": levels},
        "launcher_cap": {"low": 0, "high": 1000, "levels": 50},
    }
    r = client.post("/api/agreement", json=body)
    assert r.status_code == 422
    assert r.json()["field"] == "warhead_cap.levels"
    assert f"{MAX_AGREEMENT_POINTS:,}" in r.json()["detail"]


@pytest.mark.parametrize(
    ("criteria", "field"),
    [
        ([{"party": "CN", "fsi_min": 0.5}], "criteria.0.party"),
        ([{"party": "US"}], "criteria.0"),
        ([{"party": "US", "fsi_min": 1.5}], "criteria.0.fsi_min"),
        ([{"party": "US", "arriving_min": -1}], "criteria.0.arriving_min"),
        ([{"party": "RU", "fsi_min": 0.5}, {"party": "RU", "fsi_min": 0.6}], "criteria.1.party"),
        ([], "criteria"),
        ([{"party": "US", "warhead_cap_max": -5}], "criteria.0.warhead_cap_max"),
    ],
)
def test_bad_criteria_are_422_naming_the_field(client, criteria, field):
    r = client.post("/api/agreement", json={**BODY, "criteria": criteria})
    assert r.status_code == 422
    assert r.json()["field"] == field


def test_an_interceptor_cap_criterion_needs_interceptor_caps(client):
    body = {**BODY, "interceptor_caps": [], "criteria": [{"party": "US", "interceptor_cap_max": 5}]}
    r = client.post("/api/agreement", json=body)
    assert r.status_code == 422
    assert r.json()["field"] == "criteria.0"


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"parties": [{"force": "/etc/passwd"}, {"force": "ru-2025"}]}, "parties.0.force"),
        ({"interceptor_caps": [100], "parties": [{"force": "us-2025"}, {"force": "ru-2025"}]},
         "interceptor_caps"),
        ({"warhead_cap": {"low": 900, "high": 800, "levels": 3}}, "warhead_cap"),
        ({"mirv": ["allowed", "allowed"]}, "mirv"),
    ],
)  # fmt: skip
def test_bad_sweeps_are_422(client, change, field):
    r = client.post("/api/agreement", json={**BODY, **change})
    assert r.status_code == 422
    assert r.json()["field"] == field


def test_a_force_without_yields_needs_w80(client):
    # fr-2025: no M51 yield has a point value, and the ASMPA is not in the strategic exchange
    body = {"criteria": [{"party": "FR", "fsi_min": 0.5}]}
    parties = [{"force": "fr-2025"}, {"force": "ru-2025"}]
    r = client.post("/api/agreement", json={**body, "parties": parties})
    assert r.status_code == 422 and "w80" in r.json()["detail"]
    given = [{**p, "w80": 300} for p in parties]
    r = client.post("/api/agreement", json={**body, "parties": given})
    assert r.status_code == 200, r.text
    assert r.json()["parties"] == ["FR", "RU"]


# The whole of examples/sweep-after-new-start.yaml as a panel request: its grid, its defence
# and, per party, its criteria (the file's party-less fsi bound is written for each party).
EXAMPLE_BODY = {
    "parties": [{"force": "us-2025", "defense": DEFENSE}, {"force": "ru-2025"}],
    "warhead_cap": {"low": 600, "high": 2000, "levels": 29},
    "launcher_cap": {"low": 400, "high": 800, "levels": 9},
    "interceptor_caps": [0, 50, 100, 250, 500, 1000],
    "criteria": [
        {"party": "US", "fsi_min": 0.7, "arriving_min": 400, "interceptor_cap_min": 100},
        {
            "party": "RU",
            "fsi_min": 0.7,
            "arriving_min": 150,
            "interceptor_cap_max": 250,
            "warhead_cap_max": 1550,
        },
    ],
}


def test_the_panel_and_the_example_sweep_file_accept_the_same_proposals(client, tmp_path):
    """#11 item 10: the page and ``detente sweep`` on the same inputs (the panel once found 23
    accepted proposals where the file found 13); both now evaluate through ``evaluate_spec``."""
    spec = load_spec(Path(__file__).parents[2] / "examples" / "sweep-after-new-start.yaml")
    run_sweep(spec, tmp_path / "ans.duckdb")
    with SweepStore(tmp_path / "ans.duckdb", read_only=True) as store:
        zone = agreement_zone(store.results(), spec.criteria)
    r = client.post("/api/agreement", json=EXAMPLE_BODY)
    assert r.status_code == 200, r.text
    answer = r.json()
    assert answer["points"] == spec.n_points == 4698
    assert answer["accepted_count"] == len(zone) == 56
    expected = {_row_key(row): row for row in zone.to_dict(orient="records")}
    got = {_row_key(row): row for row in answer["accepted"]}
    assert got.keys() == expected.keys()
    for key, row in got.items():
        for column in ("fsi", "arriving.US", "arriving.RU"):
            assert row[column] == pytest.approx(expected[key][column], rel=1e-12)
