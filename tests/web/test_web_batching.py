"""Batched stability requests: each answer equals the request evaluated alone through the
analysis layer (the reference), errors stay with their request, concurrent requests do not mix."""

from __future__ import annotations

import asyncio
import json
import time

import httpx
import pytest
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from detente.analysis.stability import StabilityParams, evaluate, make_sides
from detente.errors import InputError
from detente.model.catalog import load_force
from detente.model.notional import NotionalForce
from detente.web import batching
from detente.web.app import Settings, create_app
from detente.web.batching import evaluate_batch
from detente.web.compute import stability, stability_sides
from detente.web.schemas import StabilityRequest

element = st.fixed_dictionaries(
    {
        "kind": st.sampled_from(["fixed", "survivable"]),
        "launchers": st.integers(0, 400),
        "warheads_per_launcher": st.integers(0, 12),
        "alert": st.floats(0, 1),
    }
)


@st.composite
def notional_force(draw, party: str) -> dict:
    elements = draw(st.lists(element, min_size=1, max_size=5))
    for i, e in enumerate(elements):
        e["name"] = f"e{i}"
    return {"party": party, "w80": draw(st.floats(50, 3000)), "elements": elements}


@st.composite
def stability_request(draw) -> dict:
    params = {
        "de": draw(st.floats(0.05, 1.0)),
        "kmax": draw(st.integers(1, 3)),
        "lua": draw(st.one_of(st.booleans(), st.fixed_dictionaries({"A": st.booleans()}))),
    }
    return {"forces": [draw(notional_force("A")), draw(notional_force("B"))], "params": params}


def _alone(body: dict) -> dict:
    """The reference: the analysis layer on one request, no web code."""
    forces = [NotionalForce.model_validate(f) for f in body["forces"]]
    p = body.get("params", {})
    sides = make_sides(forces, lua=p.get("lua", False))
    params = StabilityParams(**{k: p[k] for k in ("de", "kmax") if k in p})
    return json.loads(json.dumps(evaluate(sides, params).to_dict()))


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(stability_request(), min_size=1, max_size=6))
def test_batch_equals_each_request_alone(bodies):
    answers = evaluate_batch([StabilityRequest.model_validate(b) for b in bodies])
    for body, answer in zip(bodies, answers, strict=True):
        assert json.loads(json.dumps(answer)) == _alone(body)


def test_batch_of_bundled_forces_equals_each_alone():
    bodies = [
        {"forces": ["us-2025", "ru-2025"], "params": {"de": 0.6}},
        {"forces": ["us-2025", "ru-2022-03-01"], "params": {"posture": "generated"}},
        {
            "forces": ["ru-2025", "us-2025"],
            "params": {"lua": {"US": True}, "w80": {"RU": 400}},
        },
    ]
    answers = evaluate_batch([StabilityRequest.model_validate(b) for b in bodies])
    for body, answer in zip(bodies, answers, strict=True):
        assert answer == stability(StabilityRequest.model_validate(body))


def test_a_force_with_a_null_loading_is_an_error_never_zero_warheads():
    """us-2020-09-01's bombers have no loading in the New START data (null): the exchange
    asks for it instead of counting them as 0 warheads (issue 10, item 2)."""
    body = {"forces": ["us-2020-09-01", "ru-2022-03-01"]}
    (answer,) = evaluate_batch([StabilityRequest.model_validate(body)])
    assert isinstance(answer, InputError)
    assert "us-2020-09-01, holding b-2a: loading and warheads are both null" in str(answer)


def test_an_error_stays_with_its_request():
    good = {"forces": ["us-2025", "ru-2025"]}
    bad = {"forces": ["us-2025", "ru-2025"], "params": {"w80": {"XX": 5}}}
    notional = {
        "party": "A",
        "w80": 500,
        "elements": [{"name": "s", "kind": "fixed", "launchers": 10, "warheads_per_launcher": 1}],
    }
    needs_w80 = {"forces": [notional, "ru-2025"]}
    answers = evaluate_batch([StabilityRequest.model_validate(b) for b in (good, bad, needs_w80)])
    assert isinstance(answers[0], dict)
    assert isinstance(answers[1], InputError) and answers[1].field == "params.w80"
    assert isinstance(answers[2], InputError)


def test_bundled_sides_are_shared_read_only():
    req = StabilityRequest.model_validate({"forces": ["us-2025", "ru-2025"]})
    side = stability_sides(req)[0]
    with pytest.raises(ValueError, match="read-only"):
        side.elements.n[0] = 0


def test_concurrent_requests_get_their_own_answers():
    """Many requests in flight at once (batched together) each get the answer they asked for."""
    bodies = [
        {"forces": ["us-2025", "ru-2025"], "params": {"de": round(0.3 + i / 100, 2)}}
        for i in range(40)
    ]

    async def main() -> list[dict]:
        app = create_app()
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://test") as c:
            responses = await asyncio.gather(*(c.post("/api/stability", json=b) for b in bodies))
        return [r.json() for r in responses]

    answers = asyncio.run(main())
    for body, answer in zip(bodies, answers, strict=True):
        assert answer["params"]["de"] == body["params"]["de"]
        forces = [load_force(name) for name in body["forces"]]
        alone = evaluate(make_sides(forces), StabilityParams(de=body["params"]["de"])).to_dict()
        assert answer == json.loads(json.dumps(alone))


def test_a_slow_batch_does_not_hold_up_the_next(monkeypatch):
    """A batch past the time budget answers 503 and the next request is still served."""
    real = batching.evaluate_batch
    calls: list[int] = []

    def slow_first(requests):
        calls.append(len(requests))
        if len(calls) == 1:
            time.sleep(1.0)
        return real(requests)

    monkeypatch.setattr(batching, "evaluate_batch", slow_first)
    body = {"forces": ["us-2025", "ru-2025"]}
    with TestClient(create_app(Settings(time_budget_s=0.3))) as c:
        first = c.post("/api/stability", json=body)
        second = c.post("/api/stability", json=body)
    assert first.status_code == 503
    assert second.status_code == 200
    assert len(calls) == 2
