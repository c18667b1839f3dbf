"""``detente data history``: the chart shows exactly the bundled CSV, offline."""

from __future__ import annotations

import csv
import json
import re
from functools import partial

import pytest

from detente.analysis.history import NEWSTART_CSV, newstart_history
from detente.cli.history import newstart_limits
from detente.report.upload_figures import HISTORY_TITLES, history_figure

COLUMNS = list(HISTORY_TITLES)
#: New START Article II: 700 deployed ICBMs, SLBMs and heavy bombers; 1,550 warheads; 800
#: deployed and non-deployed launchers.
TREATY_LIMITS = {"deployed_launchers": 700, "deployed_warheads": 1550, "total_launchers": 800}


def csv_series(party: str, column: str) -> tuple[list[str], list[float]]:
    """(dates, values) of one party and count, read with the csv module; empty cells skipped."""
    with NEWSTART_CSV.open(newline="", encoding="utf-8") as f:
        rows = sorted(
            (r["date"], float(r[column]))
            for r in csv.DictReader(f)
            if r["party"] == party and r[column].strip()
        )
    return [d for d, _ in rows], [v for _, v in rows]


@pytest.fixture
def history_cli(detente_cli):
    """``detente data history ARGS``, 200 columns wide."""
    return partial(detente_cli, "data", "history", columns=200)


def test_limits_come_from_the_treaty_file() -> None:
    assert newstart_limits() == TREATY_LIMITS


def test_chart_data_equals_the_csv() -> None:
    fig = history_figure(newstart_history(), newstart_limits())
    seen = 0
    for i, column in enumerate(COLUMNS, start=1):
        axis = "y" if i == 1 else f"y{i}"
        for party in ("US", "RU"):
            (trace,) = [t for t in fig.data if t.name == f"{party} declared" and t.yaxis == axis]
            dates, values = csv_series(party, column)
            assert list(trace.x) == dates
            assert list(trace.y) == values
            seen += len(values)
        (limit,) = [t for t in fig.data if t.name == "limit" and t.yaxis == axis]
        assert set(limit.y) == {TREATY_LIMITS[column]}
    assert seen > 100


def test_html_is_self_contained_and_plots_the_csv(history_cli, tmp_path) -> None:
    out = tmp_path / "history.html"
    result = history_cli("--html", str(out), "--party", "US")
    assert result.returncode == 0, result.stderr
    text = out.read_text(encoding="utf-8")
    assert not re.search(r"<script[^>]*\bsrc\s*=\s*[\"']?https?:", text, re.I)
    assert not re.search(r"<link[^>]*\bhref\s*=\s*[\"']?https?:", text, re.I)
    assert len(text) > 1_000_000, "plotly.js is inlined"
    start = text.index("Plotly.newPlot(") + len("Plotly.newPlot(")
    start = text.index("[", start)
    traces, _ = json.JSONDecoder().raw_decode(text[start:])
    for i, column in enumerate(COLUMNS, start=1):
        axis = "y" if i == 1 else f"y{i}"
        (trace,) = [t for t in traces if t["name"] == "US declared" and t.get("yaxis", "y") == axis]
        dates, values = csv_series("US", column)
        assert trace["x"] == dates and trace["y"] == values
    assert not [t for t in traces if t["name"].startswith("RU")]


def test_terminal_shows_each_limit_and_the_last_declaration(history_cli) -> None:
    result = history_cli("--party", "US")
    assert result.returncode == 0, result.stderr
    for limit in ("700", "1,550", "800"):
        assert f"limit {limit}" in result.stdout
    dates, values = csv_series("US", "deployed_warheads")
    assert f"{values[-1]:,.0f} on {dates[-1]}" in result.stdout


@pytest.mark.parametrize("party", ["CN", "xx"])
def test_an_unknown_party_is_a_one_line_error(history_cli, party) -> None:
    result = history_cli("--party", party)
    assert result.returncode == 2
    assert len(result.stderr.strip().splitlines()) == 1 and "party" in result.stderr


def _row(stdout: str, date: str, party: str) -> list[str]:
    """The cells of one table row of the terminal output."""
    rows = [[c.strip() for c in x.split("│") if c.strip()] for x in stdout.splitlines()]
    (row,) = [r for r in rows if r[:2] == [date, party]]
    return row


def test_gaps_read_as_not_provided_or_not_found_never_as_zero(history_cli, tmp_path) -> None:
    """Russia's March 2023 column reads "Not provided" in the fact sheet: n/p, not 0; the
    September 2012 launchers were released but not found: n/f."""
    result = history_cli("--html", str(tmp_path / "h.html"))
    assert result.returncode == 0, result.stderr
    assert _row(result.stdout, "2023-03-01", "RU")[2:5] == ["n/p", "n/p", "n/p"]
    assert _row(result.stdout, "2023-03-01", "US")[2:5] == ["662", "1,419", "800"]
    assert _row(result.stdout, "2012-09-01", "US")[2:5] == ["n/f", "1,722", "n/f"]
    assert _row(result.stdout, "2025-09-01", "US")[2:5] == ["n/f", "n/f", "n/f"]
    flat = " ".join(result.stdout.split())
    assert "n/p: never published" in flat and "Neither is zero" in flat
    page = (tmp_path / "h.html").read_text(encoding="utf-8")
    assert "<td>2023-03-01</td><td>RU</td><td>n/p</td>" in page
    assert "read via" in page  # the fact sheets were read in press reports
    fig = history_figure(newstart_history(), newstart_limits())
    assert all(0 not in trace.y for trace in fig.data if trace.name in ("US", "RU"))
