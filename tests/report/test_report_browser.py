"""The default example's report opens offline in headless Chromium with every section and
figure rendered; a screenshot is kept in test-artifacts/report.png, and one of each section
added for verification, risk and context measures (test-artifacts/report-<section>.png)."""

from __future__ import annotations

from pathlib import Path

import pytest

from detente.analysis.assess import assess
from detente.report.assessment import SECTIONS, build_figures, write_report

#: Sections of verification, inadvertent-war risk and context measures, with their figures.
NEW_SECTIONS = {
    "verification": ("fig-verification",),
    "risk": ("fig-risk", "fig-risk-tornado"),
    "context": ("fig-context",),
}

ROOT = Path(__file__).resolve().parents[2]

pytestmark = pytest.mark.browser  # the browser fixture skips where Chromium is absent


def test_report_renders_every_section_and_figure_offline(offline_pages, tmp_path):
    assessment = assess(ROOT / "examples" / "new-start-expiry.yaml", samples=2000)
    html = write_report(assessment, tmp_path)["report.html"]
    figure_ids = set(build_figures(assessment))
    page = offline_pages.new_page(1280, 900)
    page.goto(html.as_uri(), wait_until="load")
    page.wait_for_function("document.querySelectorAll('.main-svg').length > 0")
    at_load = page.evaluate("document.querySelectorAll('.js-plotly-plot').length")
    assert 0 < at_load < len(figure_ids)  # lazy: only the figures near the screen
    for fig_id in sorted(figure_ids):  # each one drawn when scrolled into view
        page.locator(f"#{fig_id}").scroll_into_view_if_needed()
        page.wait_for_selector(f"#{fig_id} .main-svg", timeout=30_000)
    for section_id, title in SECTIONS:
        section = page.locator(f"section#{section_id}")
        assert section.count() == 1, section_id
        assert section.is_visible(), section_id
        assert title in section.locator("h2").inner_text()
    plots = page.locator(".js-plotly-plot")
    rendered = {
        plots.nth(i).get_attribute("id")
        for i in range(plots.count())
        if plots.nth(i).locator("svg.main-svg").count() > 0
    }
    assert rendered == figure_ids
    for fig_id in figure_ids:  # a figure with data has drawn traces
        drawn = page.locator(f"#{fig_id} .trace, #{fig_id} .hm")
        assert drawn.count() > 0, fig_id
        # publishable: title, scenario, date and sources in the image; its CSV linked
        svg = page.locator(f"#{fig_id}").inner_html()
        for part in (assessment.scenario.name, "detente, 20", "Sources: "):
            assert part in svg, (fig_id, part)
        link = page.locator(f'a[href="{fig_id}.csv"]').first
        assert link.count() == 1 and (html.parent / f"{fig_id}.csv").exists()
    assert page.locator("#fsi-value").inner_text() == f"{assessment.fsi:.3f}"
    artifacts = ROOT / "test-artifacts"
    artifacts.mkdir(exist_ok=True)
    for section_id, figs in NEW_SECTIONS.items():
        section = page.locator(f"section#{section_id}")
        for fig_id in figs:  # each drawn inside its own section
            assert section.locator(f"#{fig_id} .main-svg").count() > 0, fig_id
        text = section.inner_text()
        assert "sourced" in text and "ILLUSTRATIVE" in text, section_id
        section.screenshot(path=str(artifacts / f"report-{section_id}.png"))
    banner = page.locator("#risk-banner")
    assert banner.is_visible()
    r = assessment.risk.result
    assert f"{len(r.illustrative)} of {len(r.parameters)}" in banner.inner_text()
    p50 = page.locator("#risk-annual-p50").inner_text()
    assert p50 == r.percent(r.annual_probability.p50)  # one figure: illustrative
    verification = page.locator("section#verification table").first.inner_text()
    for p in assessment.verification.parties:
        assert f"{p.missiles:,}" in verification and p.party in verification
    page.screenshot(path=str(artifacts / "report.png"), full_page=True)


def test_report_is_light_fits_a_phone_and_passes_axe(offline_pages, tmp_path):
    """Under 3 MB (the smallest plotly.js build), no sideways scroll at 390 px, the findings
    first, and no serious or critical axe-core violation; screenshots at both widths."""
    import time

    from a11y import axe_violations

    assessment = assess(ROOT / "examples" / "new-start-expiry.yaml", samples=500)
    html = write_report(assessment, tmp_path)["report.html"]
    size = html.stat().st_size
    print(f"report.html: {size / 1e6:.2f} MB")
    assert size < 3_000_000
    artifacts = ROOT / "test-artifacts"
    artifacts.mkdir(exist_ok=True)
    for width in (1280, 390):
        page = offline_pages.new_page(width, 900)
        t0 = time.monotonic()
        page.goto(html.as_uri(), wait_until="load")
        print(f"width {width}: load event after {time.monotonic() - t0:.2f} s")
        findings = page.locator("#findings")
        assert findings.bounding_box()["y"] < 900  # on the first screen
        assert "index" in findings.inner_text()
        assert page.evaluate("document.documentElement.scrollWidth") <= width
        page.screenshot(path=str(artifacts / f"report-{width}.png"))
        if width == 1280:
            assert axe_violations(page) == []
        page.close()
