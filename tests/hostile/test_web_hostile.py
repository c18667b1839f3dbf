"""The hostile corpus against the web app (issue 15, rows 1, 2, 6, 9, 11, 12, 14): 4xx with one
line and the security headers, the budget stops the work, queues answer at once, the server
stays up."""

from __future__ import annotations

import asyncio
import os
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from fastapi.testclient import TestClient

from detente.web.app import Settings, create_app

CORPUS = Path(__file__).resolve().parent / "corpus"
BOMB = (CORPUS / "billion-laughs.yaml").read_text()
DEEP = "a: " + "[" * 20_000 + "]" * 20_000 + "\n"
PAIR = [{"force": "us-2025"}, {"force": "ru-2025"}]
HUGE_SCENARIO = {
    "name": "x",
    "parties": [
        {
            "force": "us-2025",
            "modifications": {"holdings": {"minuteman-iii": {"launchers": {"deployed": 10**12}}}},
        },
        {"force": "ru-2025"},
    ],
}
HUGE_FORCE = {
    "name": "x",
    "party": "US",
    "as_of": "2025-01-01",
    "holdings": [{"system": "minuteman-iii", "launchers": {"deployed": 10**400}}],
}


@pytest.fixture(scope="module")
def web() -> Iterator[TestClient]:
    with TestClient(create_app()) as client:
        # wait for both worker pools (their first start imports the calculators)
        assert client.post("/api/risk", json={"samples": 10}).status_code == 200
        assert client.post("/api/scenario/parse", json={"text": "a: 1"}).status_code == 422
        yield client


def _one_line_422(r: httpx.Response, expected: str) -> None:
    assert r.status_code == 422, r.text
    detail = r.json()["detail"]
    assert isinstance(detail, str) and "\n" not in detail and expected in detail, detail
    assert r.headers["x-content-type-options"] == "nosniff"
    assert "content-security-policy" in r.headers


@pytest.mark.parametrize(
    ("path", "body", "expected"),
    [
        ("/api/scenario/parse", {"text": BOMB}, "expands to more than"),
        ("/api/assess", {"yaml": BOMB}, "expands to more than"),
        ("/api/scenario/parse", {"text": "name: &a [*a]\n"}, "refers to the collection"),
        ("/api/assess", {"yaml": "name: &a [*a]\n"}, "refers to the collection"),
        ("/api/scenario/parse", {"text": DEEP}, "nests deeper than 64"),
        ("/api/assess", {"yaml": DEEP}, "nests deeper than 64"),
        ("/api/assess", {"scenario": HUGE_SCENARIO}, "less than or equal to 100000"),
        ("/api/count", {"force": HUGE_FORCE, "treaty": "new-start"}, "less than or equal"),
        ("/api/assess", {"yaml": "name: x\nparties: [{force: us-2025, w80: .inf}]"}, "finite"),
        ("/api/assess", {"scenario": {"name": "x", "date": "9999-12-31", "parties": PAIR}}, "2200"),
        ("/api/assess", {"yaml": "name: x\nseed: 0x10\nparties: []\n"}, "hexadecimal"),
        ("/api/assess", {"scenario": {"name": "x", "seed": True, "parties": PAIR}}, "true"),
    ],
    ids=[
        "bomb-parse",
        "bomb-assess",
        "recursive-parse",
        "recursive-assess",
        "deep-parse",
        "deep-assess",
        "object-1e12",
        "count-1e400",
        "w80-inf",
        "date-9999",
        "hex-seed",
        "bool-seed",
    ],
)
def test_hostile_body_is_a_one_line_422(web, path, body, expected):
    """Rows 1, 2, 6, 14: refused fast, one line, headers on."""
    t0 = time.perf_counter()
    r = web.post(path, json=body)
    _one_line_422(r, expected)
    assert time.perf_counter() - t0 < 10


def test_values_over_the_web_caps_are_one_line(web):
    """Row 12: a scenario file over the page's caps: one line, not a pydantic dump."""
    text = (
        "name: x\nparties:\n  - force: us-2025\n    modifications:\n      holdings:\n"
        "        minuteman-iii: {launchers: {deployed: 100000}}\n  - force: ru-2025\n"
    )
    r = web.post("/api/scenario/parse", json={"text": text})
    assert r.status_code in (200, 422)
    if r.status_code == 422:
        assert "\n" not in r.json()["detail"] and "null" not in r.json()["detail"]


@pytest.mark.parametrize(
    "content",
    [b'{"text": "\xff\xfe"}', b'{"text": ' + b"[" * 50_000 + b"]" * 50_000 + b"}"],
    ids=["invalid-utf8", "deep-json"],
)
def test_unparsable_body_is_422(web, content):
    r = web.post(
        "/api/scenario/parse", content=content, headers={"content-type": "application/json"}
    )
    _one_line_422(r, "not valid JSON")


def test_128_bit_seed_is_accepted(web):
    """Row 14: the page's 128-bit seeds are valid API seeds."""
    r = web.post("/api/risk", json={"samples": 100, "seed": 2**128 - 1})
    assert r.status_code == 200, r.text
    assert web.post("/api/risk", json={"samples": 100, "seed": 2**128}).status_code == 422


def test_unexpected_exception_is_a_500_with_headers():
    """Row 6: an exception no handler knows is a 500 JSON body with the security headers, and
    the server answers on (a route that fails added to the real app)."""

    async def broken() -> None:
        raise RuntimeError("a bug")

    app = create_app(Settings(processes=1))
    app.add_api_route("/api/broken", broken)
    with TestClient(app) as client:
        r = client.get("/api/broken")
        assert r.status_code == 500
        assert r.json()["detail"].startswith("internal error")
        assert r.headers["x-frame-options"] == "DENY"
        assert client.get("/api/health").status_code == 200


def test_served_from_a_folder_with_bundled_names(tmp_path, monkeypatch):
    """Row 11: ``ru-2025/`` in the working directory changes nothing."""
    (tmp_path / "ru-2025").mkdir()
    (tmp_path / "us-2025").write_text("not a force")
    monkeypatch.chdir(tmp_path)
    with TestClient(create_app(Settings(processes=1))) as client:
        assert client.get("/api/forces").status_code == 200
        assert client.get("/api/forces/ru-2025").status_code == 200
        r = client.post("/api/stability", json={"forces": ["us-2025", "ru-2025"]})
        assert r.status_code == 200, r.text


def _pids(client: TestClient) -> set[int]:
    return {w.process.pid for w in client.app.state.pools["heavy"]._idle}


def test_budget_starts_with_the_work_and_stops_it():
    """Row 9 and row 1: queued time does not count against the budget; past the budget the
    worker process is killed (the work really stops) and a fresh one answers the next."""
    settings = Settings(processes=1, time_budget_s=60, max_waiting=8, max_wait_s=120)
    with TestClient(create_app(settings)) as client:
        body = {"samples": 20_000}
        t0 = time.perf_counter()
        one = client.post("/api/risk", json=body)
        single = time.perf_counter() - t0
        assert one.status_code == 200

        async def four() -> list[int]:
            transport = httpx.ASGITransport(app=client.app)
            async with httpx.AsyncClient(transport=transport, base_url="http://t") as c:
                rs = await asyncio.gather(*(c.post("/api/risk", json=body) for _ in range(4)))
            return [r.status_code for r in rs]

        client.app.state.settings = Settings(
            processes=1, time_budget_s=single * 2.5 + 1, max_waiting=8, max_wait_s=120
        )
        # four in a row on one worker take about 4 x single > the budget: none is over it
        assert asyncio.run(four()) == [200] * 4

        before = _pids(client)
        client.app.state.settings = Settings(processes=1, time_budget_s=0.05)
        r = client.post("/api/risk", json=body)
        assert r.status_code == 503 and "time budget" in r.json()["detail"]
        for pid in before:
            with pytest.raises(ProcessLookupError):
                os.kill(pid, 0)
        client.app.state.settings = settings
        assert client.post("/api/risk", json={"samples": 100}).status_code == 200


def test_full_queue_answers_503_at_once():
    """Row 9: past the queue limit the answer is an immediate 503 with Retry-After."""
    with TestClient(create_app(Settings(processes=1, max_waiting=1, max_wait_s=60))) as client:

        async def burst() -> list[tuple[int, float, str]]:
            transport = httpx.ASGITransport(app=client.app)
            async with httpx.AsyncClient(transport=transport, base_url="http://t") as c:

                async def one() -> tuple[int, float, str]:
                    t0 = time.perf_counter()
                    r = await c.post("/api/risk", json={"samples": 20_000})
                    return r.status_code, time.perf_counter() - t0, r.headers.get("retry-after")

                return await asyncio.gather(*(one() for _ in range(5)))

        answers = asyncio.run(burst())
        busy = [a for a in answers if a[0] == 503]
        assert len(busy) >= 3 and all(a[2] == "5" for a in busy)
        slowest_ok = max(a[1] for a in answers if a[0] == 200)
        assert all(a[1] < slowest_ok / 2 for a in busy)  # refused at once, not after the work
