"""The hostile YAML and the 10^12 scenario object posted to a real ``detente serve`` (the
shared ``live_server``, tests/conftest.py); then it still answers every endpoint (issue 15,
item 7 and rows 1, 2)."""

from __future__ import annotations

import concurrent.futures
import time
from pathlib import Path

import httpx

CORPUS = Path(__file__).resolve().parent / "corpus"
PAIR = [{"force": "us-2025"}, {"force": "ru-2025"}]
HUGE = {
    "name": "x",
    "parties": [
        {
            "force": "us-2025",
            "modifications": {"holdings": {"minuteman-iii": {"launchers": {"deployed": 10**12}}}},
        },
        {"force": "ru-2025"},
    ],
}
#: One ordinary request per endpoint: (method, path, JSON body or None).
EVERY_ENDPOINT = [
    ("GET", "/api/health", None),
    ("GET", "/api/forces", None),
    ("GET", "/api/forces/us-2025", None),
    ("GET", "/api/systems", None),
    ("GET", "/api/systems/minuteman-iii", None),
    ("GET", "/api/treaties", None),
    ("GET", "/api/treaties/new-start", None),
    ("GET", "/api/sources", None),
    ("GET", "/api/presets", None),
    ("GET", "/api/presets/new-start-expiry", None),
    ("GET", "/", None),
    ("GET", "/sources", None),
    ("POST", "/api/stability", {"forces": ["us-2025", "ru-2025"]}),
    ("POST", "/api/count", {"force": "us-2025", "treaty": "new-start"}),
    ("POST", "/api/verify/detect", {"missiles": 400, "overloaded": 40, "inspections": 10}),
    ("POST", "/api/verify/bound", {"missiles": 400, "clean_inspections": 10}),
    ("POST", "/api/verify/plan", {"missiles": 400, "overloaded": 40, "target": 0.9}),
    ("POST", "/api/verify/regimes", {"missiles": 400, "overloaded": 40}),
    ("POST", "/api/verify/open-skies", {"replicates": 10}),
    ("POST", "/api/risk", {"samples": 100}),
    ("POST", "/api/upload", {"force": "us-2025", "months": 12}),
    ("POST", "/api/assess", {"scenario": {"name": "x", "parties": PAIR}}),
    ("POST", "/api/agreement", {"criteria": [{"party": "US", "fsi_min": 0.5}]}),
    ("POST", "/api/explore", {"scenario": {"parties": PAIR}}),
    ("POST", "/api/scenario/yaml", {"parties": PAIR}),
    (
        "POST",
        "/api/scenario/parse",
        {"text": "name: x\nparties: [{force: us-2025}, {force: ru-2025}]\n"},
    ),
]


def test_hostile_requests_then_every_endpoint_answers(live_server):
    bomb = (CORPUS / "billion-laughs.yaml").read_text()
    deep = "a: " + "[" * 20_000 + "]" * 20_000
    hostile = [
        ("/api/scenario/parse", {"text": bomb}),
        ("/api/assess", {"yaml": bomb}),
        ("/api/scenario/parse", {"text": "name: &a [*a]\n"}),
        ("/api/assess", {"yaml": deep}),
        *[("/api/assess", {"scenario": HUGE})] * 4,
    ]

    def post(item: tuple[str, dict]) -> int:
        return httpx.post(live_server + item[0], json=item[1], timeout=60).status_code

    t0 = time.perf_counter()
    with concurrent.futures.ThreadPoolExecutor(len(hostile)) as pool:
        statuses = list(pool.map(post, hostile))
    assert statuses == [422] * len(hostile)
    assert time.perf_counter() - t0 < 30

    with httpx.Client(base_url=live_server, timeout=60) as client:
        for method, path, body in EVERY_ENDPOINT:
            r = client.request(method, path, json=body)
            assert r.status_code == 200, (path, r.status_code, r.text[:300])
            assert r.headers["x-content-type-options"] == "nosniff"
