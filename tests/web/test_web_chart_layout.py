"""The page's four charts fit a phone and a desktop, in Debian's Chromium against the real server:
plotly's mode bar (toolbar) never covers the title, and the title, the legend, both axis titles
and the foot (date and sources) lie inside the figure and cover none of each other. Screenshots
of the charts go to ``test-artifacts/web-charts-<width>.png``."""

from __future__ import annotations

import pytest
from chromium import ARTIFACTS, CHROMIUM
from playwright.sync_api import expect

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not CHROMIUM.exists(), reason="/usr/bin/chromium is absent"),
]

#: The page's chart containers.
CHARTS = ("drawdown", "domain", "sweep-plot", "weapons-plot")
#: The boxes [left, top, right, bottom] (CSS px) of one chart's parts, by part.
BOXES = """(id) => {
  const div = document.getElementById(id);
  const box = (e) => {
    if (!e) return null;
    const b = e.getBoundingClientRect();
    return [b.left, b.top, b.right, b.bottom];
  };
  return {
    svg: box(div.querySelector(".main-svg")),
    modebar: box(div.querySelector(".modebar")),
    title: box(div.querySelector(".gtitle")),
    xtitle: box(div.querySelector(".xtitle")),
    ytitle: box(div.querySelector(".ytitle")),
    legend: box(div.querySelector(".legend")),
    foot: box(div.querySelector(".annotation")),
  };
}"""


def _inside(inner: list[float], outer: list[float]) -> bool:
    return (
        inner[0] >= outer[0] - 0.5
        and inner[1] >= outer[1] - 0.5
        and inner[2] <= outer[2] + 0.5
        and inner[3] <= outer[3] + 0.5
    )


def _overlap(a: list[float], b: list[float]) -> bool:
    return a[0] < b[2] - 0.5 and b[0] < a[2] - 0.5 and a[1] < b[3] - 0.5 and b[1] < a[3] - 0.5


def check_layout(boxes: dict[str, list[float] | None], where: str) -> None:
    """Nothing of one chart is cut or covered (``where`` names it in a failure)."""
    svg = boxes["svg"]
    parts = {k: v for k, v in boxes.items() if v is not None and k not in ("svg", "modebar")}
    assert {"title", "xtitle", "ytitle", "foot"} <= set(parts), (where, boxes)
    for name, box in parts.items():
        assert _inside(box, svg), f"{where}: the {name} {box} is cut by the figure {svg}"
    assert boxes["modebar"] is not None, where
    assert not _overlap(boxes["modebar"], boxes["title"]), f"{where}: the toolbar covers the title"
    names = sorted(parts)
    for i, a in enumerate(names):
        for b in names[i + 1 :]:
            assert not _overlap(parts[a], parts[b]), f"{where}: the {a} and the {b} overlap"


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
    for chart in CHARTS:
        check_layout(page.evaluate(BOXES, chart), f"{chart} at {width} px")
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"web-charts-{width}.png"), full_page=True)
