"""The page's charts come from the server: ``POST /api/chart`` answers plotly JSON built by the
figure builders the reports and ``res.plot()`` use (real HTTP against ``detente serve``), bad
requests get a 422 naming the field, and the page hands the server's figure to plotly without
re-drawing it (Debian's Chromium)."""

from __future__ import annotations

import json

import httpx
import numpy as np
import pytest
from chromium import CHROMIUM
from playwright.sync_api import expect

import detente as dt
from detente.web.app import STATIC_DIR

STATE = {"scenario": {"parties": [{"force": "us-2025"}, {"force": "ru-2025"}]}}
SWEEP = {"chart": "sweep", "state": STATE, "input": "parameters.de", "low": 0.3, "high": 1}


def _values(y):
    """A trace's y as plotly JSON holds it (a list, or a typed array's base64 ``bdata``)."""
    return y["bdata"] if isinstance(y, dict) else y


def _chart(base: str, body: dict) -> httpx.Response:
    return httpx.post(f"{base}/api/chart", json=body, timeout=60)


@pytest.mark.parametrize("kind", ["drawdown", "domain", "weapons"])
def test_each_chart_is_plotly_json_with_title_scenario_date_sources_and_csv(live_server, kind):
    r = _chart(live_server, {"chart": kind, "state": STATE})
    assert r.status_code == 200, r.text
    answer = r.json()
    layout = answer["figure"]["layout"]
    assert "us-2025 (2025-01-13) vs ru-2025 (2025-05-01)" in layout["title"]["text"]
    foot = layout["annotations"][-1]["text"]
    assert foot.startswith("detente, 20") and "Sources: fas-us-2025" in foot
    assert answer["figure"]["data"] and answer["caption"] and answer["summary"]
    lines = answer["csv"].splitlines()
    assert lines[0].startswith(f"# {layout['meta']['title']}; us-2025") and len(lines) > 3


def test_the_sweep_is_one_batched_call_equal_to_single_evaluations(live_server):
    answer = _chart(live_server, {**SWEEP, "points": 8}).json()
    rows = [line.split(",") for line in answer["csv"].splitlines()[2:]]
    assert len(rows) == 8 and answer["band"] == []
    for de, fsi in ((float(r[0]), float(r[1])) for r in rows[::3]):
        body = {"scenario": {**STATE["scenario"], "parameters": {"de": de}}}
        single = httpx.post(f"{live_server}/api/explore", json=body, timeout=60).json()
        assert fsi == single["stability"]["fsi"]


def test_a_preset_with_distributions_gives_the_band(live_server):
    answer = _chart(live_server, {**SWEEP, "preset": "new-start-expiry", "samples": 200}).json()
    assert "parameters.assured_destruction_emt" in answer["band"]
    names = [t.get("name", "") for t in answer["figure"]["data"]]
    assert any("5th to 95th percentile" in n for n in names)
    rows = [[float(v) for v in line.split(",")] for line in answer["csv"].splitlines()[2:]]
    assert all(0 <= r[-2] <= r[-1] <= 1 for r in rows)
    assert any(r[-1] - r[-2] > 0.05 for r in rows)  # a band, not a line


@pytest.mark.parametrize(
    ("change", "field", "words"),
    [
        ({"input": None}, None, "needs input, low and high"),
        ({"input": "parameters.kmax"}, "input", "not an input the chart can sweep"),
        ({"low": 1, "high": 0.5}, None, "must be below high"),
        ({"high": 1.5}, "uncertain.parameters.de", "outside the valid range"),
        ({"input": "parties.XX.w80"}, "uncertain.parties.XX.w80", "unknown party"),
        ({"preset": "no-such"}, "preset", "unknown preset"),
        ({"chart": "pie"}, "chart", "Input should be"),
        ({"points": 1000}, "points", "less than or equal to 51"),
        ({"colour": "red"}, "colour", "Extra inputs"),
    ],
)
def test_a_bad_chart_request_is_a_422_naming_the_field(live_server, change, field, words):
    r = _chart(live_server, {**SWEEP, **change})
    assert r.status_code == 422, r.text
    assert words in r.json()["detail"]
    if field is not None:
        assert r.json()["field"] == field


def test_res_plot_returns_the_page_endpoints_figure(live_server):
    us, ru = dt.load_force("us-2025"), dt.load_force("ru-2025")
    page = _chart(live_server, {"chart": "drawdown", "state": STATE}).json()["figure"]
    assert json.loads(dt.stability(us, ru).plot().to_json()) == page
    xs = np.round(np.linspace(0.3, 1, 11), 6)
    sweep = _chart(live_server, SWEEP).json()["figure"]
    assert json.loads(dt.stability(us, ru, de=xs).plot().to_json()) == sweep


def test_the_page_scripts_build_no_figure():
    """Every figure of the page comes from the server: no trace or layout is written in JS."""
    for name in ("app.js", "panels.js"):
        text = (STATIC_DIR / name).read_text(encoding="utf-8")
        for builder in ("hovertemplate", 'mode: "', "xaxis:", 'type: "contour"', "shapes:"):
            assert builder not in text, (name, builder)


@pytest.mark.browser
@pytest.mark.skipif(not CHROMIUM.exists(), reason="/usr/bin/chromium is absent")
def test_each_page_chart_is_the_servers_json(visit):
    page = visit.page
    answers: dict[str, dict] = {}

    def keep(response):
        if response.url.endswith("/api/chart") and response.ok:
            body = response.json()
            answers[body["chart"]] = body["figure"]

    page.on("response", keep)
    page.goto(visit.base + "/")
    visit.fsi()
    expect(page.locator("#domain .main-svg")).not_to_have_count(0, timeout=30_000)
    page.locator("#sweep-draw").click()
    expect(page.locator("#sweep-plot .main-svg")).not_to_have_count(0, timeout=60_000)
    page.locator("#weapons-draw").click()
    expect(page.locator("#weapons-plot .main-svg")).not_to_have_count(0, timeout=60_000)
    plots = {"drawdown": "drawdown", "domain": "domain", "sweep": "sweep-plot",
             "weapons": "weapons-plot"}  # fmt: skip
    for kind, div in plots.items():
        drawn = page.evaluate(
            f"(() => {{ const d = document.getElementById('{div}');"
            " return {title: d.layout.title.text, meta: d.layout.meta,"
            " names: d.data.map(t => t.name), y: d.data.map(t => t.y || null)}; })()"
        )
        figure = answers[kind]
        assert drawn["title"] == figure["layout"]["title"]["text"], kind
        assert drawn["meta"] == figure["layout"]["meta"], kind
        assert drawn["names"] == [t.get("name") for t in figure["data"]], kind
        assert [_values(y) for y in drawn["y"]] == [_values(t.get("y")) for t in figure["data"]]
    visit.check_local_only()
