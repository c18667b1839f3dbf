"""The page in Debian's Chromium (Playwright) against the real server (``detente serve`` on a free
loopback port): a control moves the index, a preset loads, a scenario survives download and
upload, the state lives in the URL, and no request leaves 127.0.0.1. Screenshots go to
``test-artifacts/web-*.png``."""

from __future__ import annotations

import httpx
import pytest
import yaml
from browser_visit import ROOT
from chromium import CHROMIUM
from playwright.sync_api import expect

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(
        not CHROMIUM.exists(), reason="/usr/bin/chromium is absent (`make browser` installs it)"
    ),
]


def _explore(base: str, state: dict, caps: dict | None = None) -> dict:
    r = httpx.post(f"{base}/api/explore", json={"scenario": state, "caps": caps or {}}, timeout=30)
    r.raise_for_status()
    return r.json()


def _default_scenario(link: dict[str, str]) -> dict:
    return {
        "name": "web",
        "parties": [{"force": link["a"]}, {"force": link["b"]}],
        "treaty": link["t"],
    }


def test_the_count_panel_states_standing_basis_and_range(visit):
    page = visit.page
    page.goto(visit.base + "/")
    visit.fsi()
    answer = _explore(visit.base, _default_scenario(visit.link()))
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
    expected = _explore(visit.base, _default_scenario(visit.link()))["stability"]["fsi"]
    assert float(before) == expected
    assert page.locator("#fsi").inner_text() == f"{expected:.2f}"
    expect(page.locator("#drawdown .main-svg")).not_to_have_count(0)  # after the number
    expect(page.locator("#domain .main-svg")).not_to_have_count(0)
    assert page.locator("#compliance-table").count() == 1
    for card in ("#index-sources", "#drawdown-sources", "#domain-sources", "#compliance-sources"):
        assert page.locator(f"{card} a[href^='/sources#src-']").count() > 0, card

    page.locator("#de").fill("0.55")
    expect(page.locator("#fsi")).not_to_have_attribute("data-value", before)
    after_de = visit.fsi()
    mm3 = page.locator('fieldset.side[data-side="0"] tr[data-key="minuteman-iii"] input.loading')
    mm3.fill("3")
    expect(page.locator("#fsi")).not_to_have_attribute("data-value", after_de)
    moved = visit.fsi()
    link = visit.link()
    assert link["de"] == "0.55"
    assert link["ha.minuteman-iii"] == "l3"
    scenario = _default_scenario(link)
    scenario["parameters"] = {"de": 0.55}
    scenario["parties"][0]["modifications"] = {"holdings": {"minuteman-iii": {"loading": 3}}}
    assert float(moved) == _explore(visit.base, scenario)["stability"]["fsi"]
    visit.screenshot("controls")

    page.reload()
    assert visit.fsi() == moved
    assert visit.link() == link


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
    expect(page.locator("#fsi")).to_have_attribute("data-value", str(expected))
    assert visit.link()["n"] == name
    visit.screenshot("preset")

    # An edit makes the scenario the user's own: the preset's label clears.
    page.locator('fieldset.side[data-side="1"] .lua').click()
    expect(page.locator("#description")).to_be_hidden()
    expect(page.locator("#preset")).to_have_value("")
    assert "n" not in visit.link()


def test_scenario_round_trip_through_download_and_upload(visit):
    page = visit.page
    page.goto(visit.base + "/")
    visit.fsi()
    page.locator('fieldset.side[data-side="1"] .lua').check()
    page.locator('fieldset.side[data-side="0"] .interceptors').fill("400")
    page.locator("#kmax").select_option("3")
    visit.fsi()
    expect(page.locator('fieldset.side[data-side="0"] .defense-note')).to_contain_text(
        "engages at most"
    )
    shown = visit.fsi()
    link = visit.link()
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
    expect(page.locator("#fsi")).to_have_attribute("data-value", shown)
    assert visit.link() == link
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
    # Illustrative parameters: one significant figure (issue 10, item 11), e.g. "5e-4".
    assert answer["significant_figures"] == 1
    assert float(median) == float(f"{answer['annual_probability']['p50']:.0e}")
    assert len(median.split("e")[0].replace(".", "")) == 1
    expect(panel).to_contain_text("not an estimate of the risk or a finding")
    badges = page.locator("#risk-parameters .badge")
    assert badges.count() == len(answer["parameters"])
    illustrative = page.locator("#risk-parameters .badge.illustrative").count()
    assert illustrative == len(answer["illustrative_parameters"]) > 0
    visit.screenshot("verify")


def test_agreement_panel_finds_what_the_sweep_file_finds(visit, tmp_path):
    """The panel's defaults express examples/sweep-after-new-start.yaml (its grid, its input
    and output criteria): the page and the file's sweep accept the same proposals."""
    from detente.sweep.agreement import agreement_zone
    from detente.sweep.runner import run_sweep
    from detente.sweep.spec import load_spec
    from detente.sweep.store import SweepStore

    spec = load_spec(ROOT / "examples" / "sweep-after-new-start.yaml")
    run_sweep(spec, tmp_path / "s.duckdb")
    with SweepStore(tmp_path / "s.duckdb", read_only=True) as store:
        results = store.results()
    zone = agreement_zone(results, spec.criteria)

    page = visit.page
    page.goto(visit.base + "/")
    visit.fsi()
    page.locator("#agreement-panel summary").click()
    form = page.locator("#agreement-form")
    expect(form.locator("select[name=force0] option")).not_to_have_count(0)
    form.locator("input[name=wlevels]").fill("200")
    expect(page.locator("#agreement-count")).to_contain_text("more than")
    assert "z.wlevels" in visit.link()  # the panels live in the permalink too
    form.locator("input[name=wlevels]").fill("29")
    expect(page.locator("#agreement-count")).not_to_contain_text("more than")
    form.locator("button[type=submit]").click()
    summary = page.locator("#agreement-summary")
    expect(summary).to_contain_text("accepted by every party", timeout=60_000)
    expect(summary).to_contain_text(f"{len(zone):,} of {len(results):,}")
    assert page.locator("#frontier-table tbody tr").count() > 0
    assert page.locator("#agreement-plot .main-svg").count() > 0
    visit.screenshot("agreement")


def test_history_panel(visit):
    page = visit.page
    page.goto(visit.base + "/")
    visit.fsi()
    page.locator("#history-panel summary").click()
    answer = httpx.get(f"{visit.base}/api/history", params={"quantity": "stockpile"}, timeout=60)
    expected = answer.json()
    plot = page.locator("#history-plot")
    expect(plot).to_have_attribute("data-drawn", str(len(expected["figure"]["data"])))
    assert plot.locator(".scatterlayer .trace").count() == len(expected["figure"]["data"])
    expect(page.locator("#history-summary")).to_contain_text("1945-2025")
    expect(page.locator("#history-sources a[href^='/sources#src-']").first).to_be_visible()
    form = page.locator("#history-form")
    form.locator("select[name=quantity]").select_option("emt")
    form.locator("button[type=submit]").click()
    expect(page.locator("#history-summary")).to_contain_text("Mt EMT")
    visit.screenshot("history")
