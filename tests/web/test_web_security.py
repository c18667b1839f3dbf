"""Security: headers on every response, a CSP with no external origin, 413 for large bodies,
422 for bad input, 503 past the time budget, no interactive docs pulling scripts from a CDN."""

from __future__ import annotations

import re

import pytest
from fastapi.testclient import TestClient

from detente.web.app import Settings, create_app
from detente.web.security import content_security_policy

PATHS = ["/", "/sources", "/static/app.js", "/api/health", "/api/forces/nope", "/no/such/page"]


def _csp_sources(csp: str) -> dict[str, list[str]]:
    return {d.split()[0]: d.split()[1:] for d in (x.strip() for x in csp.split(";")) if d}


@pytest.mark.parametrize("path", PATHS)
def test_security_headers_on_every_response(client, path):
    r = client.get(path)
    assert r.headers["x-content-type-options"] == "nosniff"
    assert r.headers["referrer-policy"] == "no-referrer"
    assert r.headers["x-frame-options"] == "DENY"
    directives = _csp_sources(r.headers["content-security-policy"])
    assert directives["frame-ancestors"] == ["'none'"]
    assert directives["default-src"] == ["'none'"]


def test_csp_allows_no_external_origin_and_no_inline_script(client):
    csp = client.get("/").headers["content-security-policy"]
    for directive, allowed in _csp_sources(csp).items():
        for source in allowed:
            assert not re.match(r"^(https?:|\*|wss?:)", source), (directive, source)
            assert source not in {"'unsafe-inline'", "'unsafe-eval'"}, (directive, source)
    assert _csp_sources(csp)["script-src"] == ["'self'"]


def test_csp_default_is_strict_without_hashes():
    assert "sha256" not in _csp_sources(content_security_policy())["script-src"][0]


def test_page_loads_only_local_assets(client):
    html = client.get("/").text
    urls = re.findall(r'(?:src|href)="([^"]+)"', html)
    assert urls, "the page references its assets"
    # Assets from this server, links within the page (#terms, the skip links).
    assert all(u.startswith(("/", "#")) and not u.startswith("//") for u in urls), urls
    plotly = next(u for u in urls if "plotly" in u)
    r = client.get(plotly, headers={"accept-encoding": "gzip"})
    assert r.status_code == 200
    assert "immutable" in r.headers["cache-control"]
    assert r.headers["content-type"].startswith("text/javascript")


def test_no_interactive_docs_but_an_openapi_schema(client):
    assert client.get("/docs").status_code == 404
    assert client.get("/redoc").status_code == 404
    schema = client.get("/api/openapi.json").json()
    assert "/api/stability" in schema["paths"]


def test_oversize_body_is_413_before_reading(client):
    body = b"{" + b" " * 300_000 + b"}"
    r = client.post("/api/stability", content=body, headers={"content-type": "application/json"})
    assert r.status_code == 413
    assert r.headers["x-content-type-options"] == "nosniff"


def test_oversize_streamed_body_without_length_is_413(client):
    def chunks():
        for _ in range(40):
            yield b" " * 10_000

    r = client.post(
        "/api/stability", content=chunks(), headers={"content-type": "application/json"}
    )
    assert "content-length" not in r.request.headers
    assert r.status_code == 413


def test_small_limit_applies():
    with TestClient(create_app(Settings(max_body_bytes=50))) as small:
        body = {"forces": ["us-2025", "ru-2025"], "params": {"de": 0.8, "kmax": 2}}
        assert small.post("/api/stability", json=body).status_code == 413
        assert (
            small.post("/api/stability", json={"forces": ["us-2025", "ru-2025"]}).status_code == 200
        )


@pytest.mark.parametrize(
    ("path", "body"),
    [
        ("/api/stability", "not json"),
        ("/api/stability", "[]"),
        ("/api/count", '{"force": 1, "treaty": "new-start"}'),
        ("/api/verify/detect", '{"missiles": -1, "overloaded": 0, "inspections": 0}'),
        ("/api/verify/bound", '{"missiles": 10, "clean_inspections": 2, "confidence": 1.0}'),
        ("/api/risk", '{"samples": 1e300}'),
        ("/api/explore", '{"scenario": {"parties": []}}'),
    ],
)
def test_bad_input_is_422_with_a_message(client, path, body):
    r = client.post(path, content=body, headers={"content-type": "application/json"})
    assert r.status_code == 422
    assert isinstance(r.json()["detail"], str) and r.json()["detail"]


def test_time_budget_gives_503_with_a_message():
    """A real calculation past a tiny budget: 503 with a message, and the server answers on."""
    with TestClient(create_app(Settings(time_budget_s=0.05, processes=1))) as c:
        r = c.post("/api/risk", json={"samples": 20_000})
        assert c.get("/api/health").status_code == 200
    assert r.status_code == 503
    assert "time budget" in r.json()["detail"]


def test_requests_share_no_state(client):
    """A request that changes its forces leaves another request's answer unchanged."""
    plain = {"forces": ["us-2025", "ru-2025"]}
    before = client.post("/api/stability", json=plain).json()
    us = {"force": "us-2025", "modifications": {"holdings": {"minuteman-iii": {"loading": 3}}}}
    changed = {"scenario": {"parties": [us, {"force": "ru-2025"}], "parameters": {"de": 0.5}}}
    assert client.post("/api/explore", json=changed).status_code == 200
    assert client.post("/api/stability", json=plain).json() == before
