"""Schemathesis over the scenario endpoints with YAML bodies (issue 15, item 7): generated and
hostile scenario files never give a 5xx."""

from __future__ import annotations

import math
from pathlib import Path

import pytest
import schemathesis
import yaml
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from schemathesis.checks import not_a_server_error

from detente.web.app import create_app

CORPUS = Path(__file__).resolve().parent / "corpus"
HOSTILE_TEXTS = [p.read_text(encoding="utf-8") for p in sorted(CORPUS.glob("*.yaml"))]
SCALARS = st.one_of(
    st.integers(-(10**20), 10**20),
    st.sampled_from([10**400, 1e308, math.inf, -math.inf, math.nan, True, None, "0x1F", ""]),
    st.floats(allow_nan=True, allow_infinity=True),
    st.text(max_size=20),
)
PARTY = st.fixed_dictionaries(
    {"force": st.sampled_from(["us-2025", "ru-2025", "cn-2025", "./us-2025", "/etc/passwd"])},
    optional={
        "w80": SCALARS,
        "posture": st.sampled_from(["day_to_day", "generated", "x"]),
        "modifications": st.fixed_dictionaries(
            {
                "holdings": st.dictionaries(
                    st.sampled_from(["minuteman-iii", "trident-ii-d5", "sarmat"]),
                    st.fixed_dictionaries(
                        {},
                        optional={
                            "launchers": st.fixed_dictionaries({"deployed": SCALARS}),
                            "loading": SCALARS,
                        },
                    ),
                    max_size=2,
                )
            }
        ),
        "defense": st.fixed_dictionaries({"interceptors": SCALARS}),
    },
)
SCENARIO = st.fixed_dictionaries(
    {"name": st.text(max_size=30), "parties": st.lists(PARTY, min_size=0, max_size=3)},
    optional={
        "date": st.sampled_from(["2025-01-01", "9999-12-31", "1:30"]),
        "samples": SCALARS,
        "seed": SCALARS,
        "parameters": st.fixed_dictionaries({}, optional={"de": SCALARS, "surcharge": SCALARS}),
    },
)
YAML_TEXTS = st.one_of(
    st.sampled_from(HOSTILE_TEXTS),
    SCENARIO.map(lambda d: yaml.safe_dump(d, allow_unicode=True)),
    st.text(max_size=200),
)

app = create_app()
schema = schemathesis.openapi.from_asgi("/api/openapi.json", app)
scenario_endpoints = schema.include(path_regex=r"^/api/(scenario/parse|assess)$")


@pytest.fixture(scope="module", autouse=True)
def warm_workers() -> None:
    """Start both worker pools (their first start imports the calculators, which can take
    longer than schemathesis' read timeout on a busy machine)."""
    client = TestClient(app)
    assert client.post("/api/scenario/parse", json={"text": "a: 1"}).status_code == 422
    assert client.post("/api/risk", json={"samples": 10}).status_code == 200


@scenario_endpoints.parametrize()
@scenario_endpoints.given(text=YAML_TEXTS)
@settings(
    max_examples=15,
    deadline=None,
    suppress_health_check=list(HealthCheck),
    derandomize=True,
    database=None,
)
def test_scenario_endpoints_take_hostile_yaml(case, text):
    field = "text" if case.path.endswith("/parse") else "yaml"
    body = case.body if isinstance(case.body, dict) else {}
    case.body = {**{k: v for k, v in body.items() if k in ("samples", "seed")}, field: text}
    case.call_and_validate(checks=[not_a_server_error], timeout=60)
