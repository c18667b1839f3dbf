"""The page's four charts fit a phone and a desktop, in Debian's Chromium against the real server:
plotly's mode bar (toolbar) never covers the title, and the title, the legend, both axis titles
and the foot (date and sources) lie inside the figure and cover none of each other
(:func:`figure_layout.check_layout`); the costs and holdings tables fit the screen.
Screenshots of the charts go to ``test-artifacts/web-charts-<width>.png``."""

from __future__ import annotations

import pytest
from chromium import ARTIFACTS, CHROMIUM
from figure_layout import BOXES, check_layout
from playwright.sync_api import expect

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not CHROMIUM.exists(), reason="/usr/bin/chromium is absent"),
]

#: The page's chart containers.
CHARTS = ("drawdown", "domain", "sweep-plot", "weapons-plot")


@pytest.mark.parametrize("width", [390, 1280])
def test_no_chart_part_is_cut_or_covered(visit, width):
    page = visit.page
    page.set_viewport_size({"width": width, "height": 900})
    page.goto(visit.base + "/")
    visit.fsi()
    page.locator("#sweep-draw").click()
    page.locator("#weapons-draw").click()
    for chart in CHARTS:
        expect(page.locator(f"#{chart} .main-svg")).not_to_have_count(0, timeout=120_000)
    assert page.evaluate("document.documentElement.scrollWidth") <= width
    # The costs and holdings tables fit too: no column hidden in a scroll box (the treaty
    # count's table of seven columns scrolls inside its box on a phone).
    hidden = page.evaluate(
        """() => [...document.querySelectorAll('#costs, table.holdings')]
            .map((t) => t.closest('.table-wrap'))
            .filter((w) => w.scrollWidth > w.clientWidth + 1).length"""
    )
    assert hidden == 0
    for chart in CHARTS:
        check_layout(page.evaluate(BOXES, chart), f"{chart} at {width} px")
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"web-charts-{width}.png"), full_page=True)
