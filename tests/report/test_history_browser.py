"""The history charts open offline in headless Chromium and draw: the nine-state stockpile
chart with its treaty milestones (test-artifacts/history.png) and the New START chart with the
FAS estimates dotted beside the declarations (test-artifacts/history-newstart.png)."""

from __future__ import annotations

from pathlib import Path

import pytest
from chromium import ARTIFACTS

from detente.analysis.history import history, milestones, newstart_history
from detente.cli.history import _estimates, history_html, history_page_html, newstart_limits
from detente.report.history_figures import history_figure

ROOT = Path(__file__).resolve().parents[2]

pytestmark = pytest.mark.browser  # the browser fixture skips where Chromium is absent


def _open_offline(offline_pages, page_html: str, tmp_path: Path, screenshot: str, check) -> None:
    path = tmp_path / "page.html"
    path.write_text(page_html, encoding="utf-8")
    page = offline_pages.new_page(1300, 900)
    page.goto(path.as_uri())
    page.wait_for_selector(".js-plotly-plot .main-svg", timeout=30_000)
    check(page)
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / screenshot), full_page=False)


def test_the_stockpile_chart_draws_offline_with_its_milestones(offline_pages, tmp_path) -> None:
    frame = history(quantity="stockpile")
    events = milestones()
    expected = history_figure(frame, "stockpile", events)

    def check(page) -> None:
        drawn = page.evaluate(
            "() => { const g = document.getElementById('history-stockpile');"
            " return {traces: g.data.length,"
            " lines: g.querySelectorAll('.scatterlayer .trace').length,"
            " notes: [...g.querySelectorAll('.annotation-text')].map(a => a.textContent)}; }"
        )
        assert drawn["traces"] == len(expected.data)
        assert drawn["lines"] == len(expected.data)
        labels = " / ".join(drawn["notes"])
        for r in events.itertuples():
            assert f"{r.name} {r.event}" in labels, r
        foot = [n for n in drawn["notes"] if n.startswith("detente, 20")]  # date and sources
        assert len(foot) == 1 and "Sources: " in foot[0]
        assert len(drawn["notes"]) == events.date.nunique() + 1
        page.locator("#history-stockpile .updatemenu-button").nth(1).click()  # log scale
        page.wait_for_function(
            "() => document.getElementById('history-stockpile').layout.yaxis.type === 'log'"
        )

    _open_offline(offline_pages, history_page_html(frame, events), tmp_path, "history.png", check)


def test_the_newstart_chart_shows_declared_and_estimated(offline_pages, tmp_path) -> None:
    frame = newstart_history()
    page_html = history_html(frame, newstart_limits(), _estimates(None))

    def check(page) -> None:
        names = page.evaluate(
            "() => document.querySelector('.js-plotly-plot').data"
            ".map(t => [t.name, t.line.dash || 'solid'])"
        )
        styles = dict(map(tuple, names))
        assert styles["US declared"] == "solid" and styles["US FAS estimate"] == "dot"
        assert styles["RU declared"] == "solid" and styles["RU FAS estimate"] == "dot"
        legend = page.locator(".legend").first.text_content()
        assert "US FAS estimate" in legend and "US declared" in legend

    _open_offline(offline_pages, page_html, tmp_path, "history-newstart.png", check)
