"""The page in Debian's Chromium (Playwright) against the real server (``detente serve`` on a free
loopback port): a control moves the index, a preset loads, a scenario survives download and
upload, the state lives in the URL, and no request leaves 127.0.0.1. Screenshots go to
``test-artifacts/web-*.png``."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import unquote, urlparse

import httpx
import pytest
import yaml
from playwright.sync_api import expect, sync_playwright

ROOT = Path(__file__).resolve().parents[2]
ARTIFACTS = ROOT / "test-artifacts"
CHROMIUM = Path("/usr/bin/chromium")
ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
]
TIMEOUT_MS = 30_000

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(
        not CHROMIUM.exists(), reason="/usr/bin/chromium is absent (`make browser` installs it)"
    ),
]


@pytest.fixture(scope="module")
def browser() -> Iterator:
    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=str(CHROMIUM), args=ARGS, headless=True)
        yield b
        b.close()


class Visit:
    """A page with every request, console error and CSP violation recorded."""

    def __init__(self, browser, base: str, tmp_path: Path) -> None:
        self.base = base
        self.context = browser.new_context(
            accept_downloads=True, viewport={"width": 1400, "height": 1000}
        )
        self.page = self.context.new_page()
        self.page.set_default_timeout(TIMEOUT_MS)
        self.requests: list[str] = []
        self.errors: list[str] = []
        self.page.on("request", lambda r: self.requests.append(r.url))
        self.page.on("pageerror", lambda e: self.errors.append(str(e)))
        self.page.on("console", self._console)
        self.tmp_path = tmp_path

    def _console(self, message) -> None:
        """Console errors, except the 4xx answers the page shows inline (a bad upload)."""
        if message.type == "error" and not re.search(r"status of 4\d\d", message.text):
            self.errors.append(message.text)

    def fsi(self) -> str:
        expect(self.page.locator("#fsi")).to_have_text(re.compile(r"^\d\.\d{4}$"))
        expect(self.page.locator("body")).not_to_have_attribute("data-busy", "1")
        return self.page.locator("#fsi").inner_text()

    def state(self) -> dict:
        fragment = urlparse(self.page.url).fragment
        assert fragment.startswith("s="), self.page.url
        return json.loads(unquote(fragment[2:]))

    def screenshot(self, name: str) -> None:
        ARTIFACTS.mkdir(exist_ok=True)
        self.page.screenshot(path=str(ARTIFACTS / f"web-{name}.png"), full_page=True)

    def check_local_only(self) -> None:
        """Every request went to this server (blob: downloads are this page's own)."""
        assert self.requests
        for url in self.requests:
            parsed = urlparse(url)
            if parsed.scheme == "blob":
                parsed = urlparse(url[len("blob:") :])
            elif parsed.scheme == "data":
                continue
            assert parsed.scheme == "http" and parsed.hostname == "127.0.0.1", url
        assert not self.errors, self.errors


@pytest.fixture
def visit(browser, live_server, tmp_path) -> Iterator[Visit]:
    v = Visit(browser, live_server, tmp_path)
    yield v
    v.check_local_only()
    v.context.close()


def _explore(base: str, state: dict) -> dict:
    r = httpx.post(f"{base}/api/explore", json={"scenario": state}, timeout=30)
    r.raise_for_status()
    return r.json()


def test_the_count_panel_states_standing_basis_and_range(visit):
    page = visit.page
    page.goto(visit.base + "/")
    visit.fsi()
    answer = _explore(visit.base, visit.state()["scenario"])
    treaty = answer["treaty"]
    assert (treaty["id"], treaty["in_force"], treaty["expired"]) == (
        "new-start",
        False,
        "2026-02-05",
    )
    expect(page.locator("#treaty-standing")).to_contain_text(
        "New START expired on 2026-02-05; shown for comparison"
    )
    items = [x for r in answer["compliance"].values() for x in (*r["limits"], *r["bans"])]
    # every verdict in words from the engine, e.g. "within (assumption; 509–562)"
    expect(page.locator("#compliance-table td.verdict")).to_have_text(
        [x["status_text"] for x in items]
    )
    assert all(x["basis"] != "official" for x in items)  # 2025 forces: estimates
    assert page.locator("#compliance-table td.over").count() == 0  # no estimate in red
    table = page.locator("#compliance-table")
    expect(table).to_contain_text("deployed warheads")
    expect(table).not_to_contain_text("deployed_warheads")
    visit.screenshot("counts")


def test_a_control_moves_the_index_and_the_url_keeps_it(visit):
    page = visit.page
    page.goto(visit.base + "/")
    before = visit.fsi()
    expected = _explore(visit.base, visit.state()["scenario"])["stability"]["fsi"]
    assert before == f"{expected:.4f}"
    assert page.locator("#drawdown .main-svg").count() > 0
    assert page.locator("#domain .main-svg").count() > 0
    assert page.locator("#compliance-table").count() == 1
    for card in ("#index-sources", "#drawdown-sources", "#domain-sources", "#compliance-sources"):
        assert page.locator(f"{card} a[href^='/sources#src-']").count() > 0, card

    page.locator("#de").fill("0.55")
    expect(page.locator("#fsi")).not_to_have_text(before)
    after_de = visit.fsi()
    mm3 = page.locator('fieldset.side[data-side="0"] tr[data-key="minuteman-iii"] input.loading')
    mm3.fill("3")
    expect(page.locator("#fsi")).not_to_have_text(after_de)
    moved = visit.fsi()
    state = visit.state()
    assert state["scenario"]["parameters"]["de"] == 0.55
    holdings = state["scenario"]["parties"][0]["modifications"]["holdings"]
    assert holdings["minuteman-iii"]["loading"] == 3
    assert moved == f"{_explore(visit.base, state['scenario'])['stability']['fsi']:.4f}"
    visit.screenshot("controls")

    page.reload()
    assert visit.fsi() == moved
    assert visit.state() == state


def test_a_preset_loads(visit):
    presets = httpx.get(f"{visit.base}/api/presets", timeout=30).json()
    if not presets:
        pytest.skip("no example scenarios in this checkout")
    name = "golden-dome" if any(p["name"] == "golden-dome" for p in presets) else presets[0]["name"]
    preset = httpx.get(f"{visit.base}/api/presets/{name}", timeout=30).json()
    expected = _explore(visit.base, preset["scenario"])["stability"]["fsi"]
    page = visit.page
    page.goto(visit.base + "/")
    visit.fsi()
    page.locator("#preset").select_option(name)
    expect(page.locator("#description")).to_contain_text(name)
    assert visit.fsi() == f"{expected:.4f}"
    assert visit.state()["scenario"]["name"] == name
    visit.screenshot("preset")


def test_scenario_round_trip_through_download_and_upload(visit):
    page = visit.page
    page.goto(visit.base + "/")
    visit.fsi()
    page.locator('fieldset.side[data-side="1"] .lua').check()
    page.locator('fieldset.side[data-side="0"] .interceptors').fill("400")
    page.locator("#kmax").select_option("3")
    visit.fsi()
    expect(page.locator('fieldset.side[data-side="0"] .defense-note')).to_contain_text("RVs")
    shown = visit.fsi()
    state = visit.state()
    with page.expect_download() as info:
        page.locator("#download").click()
    saved = visit.tmp_path / info.value.suggested_filename
    info.value.save_as(saved)
    data = yaml.safe_load(saved.read_text())
    assert data["parties"][1]["lua"] is True
    assert data["parties"][0]["defense"] == {"interceptors": 400}
    assert data["parameters"]["kmax"] == 3

    page.goto(visit.base + "/#")  # a fresh page in its default state
    page.reload()
    default = visit.fsi()
    assert default != shown
    page.locator("#upload").set_input_files(str(saved))
    expect(page.locator("#fsi")).to_have_text(shown)
    assert visit.state()["scenario"] == state["scenario"]
    visit.screenshot("round-trip")

    broken = visit.tmp_path / "broken.yaml"
    broken.write_text("name: x\nparties:\n  - force: us-2025\n  - force: /etc/passwd\n")
    page.locator("#upload").set_input_files(str(broken))
    error = page.locator("#upload-error")
    expect(error).to_be_visible()
    expect(error).to_contain_text("parties.1.force")
    assert visit.fsi() == shown  # the view stays as it was
    visit.screenshot("upload-error")


def test_sources_page_lists_every_source(visit):
    from detente.model.catalog import sources

    page = visit.page
    page.goto(visit.base + "/sources")
    assert page.locator("dl#bibliography dt").count() == len(sources())
    assert page.locator("dt#src-kent-thaler-1989").count() == 1
    # a Notebook read in a repost: the Bulletin is cited, the repost is only "read via"
    entry = page.locator("dt#src-fas-ru-2025 + dd")
    assert "Bulletin of the Atomic Scientists 81(3):208-237" in entry.inner_text()
    assert entry.locator(".via").inner_text().startswith("read via strategicstudyindia.com")
    copies = sum(len(s.via) for s in sources().values())
    assert page.locator("dl#bibliography .via").count() == copies > 0


def test_verification_and_risk_panel(visit):
    page = visit.page
    page.goto(visit.base + "/")
    visit.fsi()
    panel = page.locator("#verify-panel")
    panel.locator("summary").click()
    form = page.locator("#verify-form")
    values = {"missiles": 300, "overloaded": 12, "inspections": 18, "years": 2, "recognition": 0.9}
    for name, value in values.items():
        form.locator(f"input[name={name}]").fill(str(value))
    form.locator("button[type=submit]").click()
    expect(page.locator("#regimes-table tbody tr")).to_have_count(3)
    expected = httpx.post(f"{visit.base}/api/verify/detect", json=values, timeout=30).json()
    shown = page.locator("#verify-detect").inner_text()
    assert shown == f"{100 * expected['detection_probability']:.1f} %"
    expect(page.locator("#verify-bound")).to_contain_text("missiles")
    expect(page.locator("#regimes-table")).to_contain_text("New START")
    assert page.locator("#regimes-table a[href^='/sources#src-']").count() > 0

    banner = panel.locator(".banner")
    expect(banner).to_contain_text("ILLUSTRATIVE")
    assert banner.locator("a[href='/sources']").count() == 1
    risk = page.locator("#risk-form")
    risk.locator("input[name=samples]").fill("2000")
    risk.locator("input[name=seed]").fill("7")
    risk.locator("button[type=submit]").click()
    expect(page.locator("#interventions-table tbody tr")).not_to_have_count(0)
    answer = httpx.post(
        f"{visit.base}/api/risk", json={"samples": 2000, "seed": 7, "years": 10}, timeout=30
    ).json()
    median = page.locator("#risk-table tbody tr").first.locator("td").nth(2).inner_text()
    assert float(median) == pytest.approx(answer["annual_probability"]["p50"], rel=5e-3)
    badges = page.locator("#risk-parameters .badge")
    assert badges.count() == len(answer["parameters"])
    illustrative = page.locator("#risk-parameters .badge.illustrative").count()
    assert illustrative == len(answer["illustrative_parameters"]) > 0
    visit.screenshot("verify")


def test_agreement_panel(visit):
    page = visit.page
    page.goto(visit.base + "/")
    visit.fsi()
    page.locator("#agreement-panel summary").click()
    form = page.locator("#agreement-form")
    expect(form.locator("select[name=force0] option")).not_to_have_count(0)
    form.locator("input[name=wlevels]").fill("200")
    expect(page.locator("#agreement-count")).to_contain_text("more than")
    form.locator("input[name=wlevels]").fill("8")
    expect(page.locator("#agreement-count")).not_to_contain_text("more than")
    form.locator("button[type=submit]").click()
    summary = page.locator("#agreement-summary")
    expect(summary).to_contain_text("accepted by every party")
    body = {
        "parties": [
            {
                "force": form.locator("select[name=force0]").input_value(),
                "defense": {"interceptors": 1000},
            },
            {"force": form.locator("select[name=force1]").input_value()},
        ],
        "warhead_cap": {"low": 600, "high": 2000, "levels": 8},
        "launcher_cap": {"low": 400, "high": 800, "levels": 5},
        "mirv": ["allowed", "icbm_ban", "full_ban"],
        "interceptor_caps": [0, 100, 250, 1000],
        "criteria": [
            {"party": "US", "fsi_min": 0.7, "arriving_min": 400},
            {"party": "RU", "fsi_min": 0.7, "arriving_min": 150},
        ],
    }
    expected = httpx.post(f"{visit.base}/api/agreement", json=body, timeout=30).json()
    assert expected["accepted_count"] > 0
    expect(summary).to_contain_text(f"{expected['accepted_count']:,} of {expected['points']:,}")
    expect(page.locator("#frontier-table tbody tr")).to_have_count(len(expected["frontier"]))
    assert page.locator("#agreement-plot .main-svg").count() > 0
    visit.screenshot("agreement")
