"""Every figure of an assessment report and of a sweep report fits a phone (390 px) and a desktop
(1280 px) in Debian's Chromium, offline: plotly's mode bar never covers the title, and the
title, legend, axis titles and foot lie inside the figure and cover none of each other
(:func:`figure_layout.check_layout`). Screenshots: ``test-artifacts/report-layout-<width>.png``
and ``sweep-report-layout-<width>.png``."""

from __future__ import annotations

from pathlib import Path

import pytest
from chromium import ARTIFACTS
from figure_layout import BOXES, check_layout

from detente.analysis.assess import assess
from detente.report.assessment import write_report
from detente.sweep.report import write_report as write_sweep_report
from detente.sweep.runner import run_sweep
from detente.sweep.spec import load_spec
from detente.sweep.store import SweepStore

ROOT = Path(__file__).resolve().parents[2]
#: Parts every figure has (a bar chart of categories may have no axis titles).
REQUIRED = frozenset({"title", "foot"})

pytestmark = pytest.mark.browser  # the browser fixture skips where Chromium is absent


@pytest.fixture(scope="module")
def reports(tmp_path_factory) -> dict[str, Path]:
    """The new-start-expiry assessment report and the example sweep's report."""
    out = tmp_path_factory.mktemp("layout")
    a = assess(ROOT / "examples" / "new-start-expiry.yaml", samples=2000)
    report = write_report(a, out / "assessment")["report.html"]
    spec = load_spec(ROOT / "examples" / "sweep-after-new-start.yaml")
    run_sweep(spec, out / "s.duckdb")
    with SweepStore(out / "s.duckdb", read_only=True) as store:
        sweep = write_sweep_report(store, out / "sweep-report.html")
    return {"report": report, "sweep-report": sweep}


@pytest.mark.parametrize("kind", ["report", "sweep-report"])
@pytest.mark.parametrize("width", [390, 1280])
def test_no_figure_part_is_cut_or_covered(reports, offline_pages, kind, width):
    page = offline_pages.new_page(width, 900)
    page.goto(reports[kind].as_uri(), wait_until="load")
    page.evaluate("detenteDrawAll()")
    ids = page.evaluate("[...document.querySelectorAll('.plotly-graph-div')].map((d) => d.id)")
    assert ids
    page.wait_for_function(
        "[...document.querySelectorAll('.plotly-graph-div')].every((d) => d.querySelector("
        "'.main-svg'))"
    )
    for fig_id in ids:
        check_layout(page.evaluate(BOXES, fig_id), f"{kind} {fig_id} at {width} px", REQUIRED)
    assert page.evaluate("document.documentElement.scrollWidth") <= width
    ARTIFACTS.mkdir(exist_ok=True)
    page.locator(f"#{ids[0]}").scroll_into_view_if_needed()
    page.screenshot(path=str(ARTIFACTS / f"{kind}-layout-{width}.png"))
