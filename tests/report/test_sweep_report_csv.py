"""``detente sweep-report`` writes each figure's data as CSV beside the report and links it from
the figure's caption: the files exist and parse, their columns are named with units, the links
resolve relative to the report (a name with a space included), and the data is the figure's."""

from __future__ import annotations

import re
import subprocess
import sys
from html import unescape
from pathlib import Path
from urllib.parse import unquote

import pandas as pd
import pytest

from detente.sweep.agreement import agreement_zone
from detente.sweep.report import MAX_PLOTTED
from detente.sweep.runner import run_sweep
from detente.sweep.spec import load_spec
from detente.sweep.store import SweepStore

ROOT = Path(__file__).resolve().parents[2]
#: The ``detente`` command, run as a user runs it.
CLI = "from detente.cli import main; main()"
#: Columns named without a unit: labels of rows, not quantities.
LABELS = {"series", "point", "parameter", "MIRV rule"}


@pytest.fixture(scope="module")
def written(tmp_path_factory) -> tuple[Path, pd.DataFrame, int]:
    """The example sweep's report written by ``detente sweep-report`` into a folder of its own,
    under a name with a space; its results and the size of its zone of possible agreement."""
    out = tmp_path_factory.mktemp("sweep csv")
    spec = load_spec(ROOT / "examples" / "sweep-after-new-start.yaml")
    run_sweep(spec, out / "s.duckdb")
    report = out / "after new start.html"
    cli = subprocess.run(
        [sys.executable, "-c", CLI, "sweep-report", str(out / "s.duckdb"), "--out", str(report)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert cli.returncode == 0, cli.stderr
    with SweepStore(out / "s.duckdb", read_only=True) as store:
        results = store.results()
    return report, results, len(agreement_zone(results, spec.criteria))


def _links(report: Path) -> list[str]:
    """The data links of the figures' captions, in order."""
    page = report.read_text(encoding="utf-8")
    captions = re.findall(r"<figcaption>(.*?)</figcaption>", page, re.S)
    assert len(captions) == page.count('class="plotly-graph-div')
    links = [re.search(r'Data: <a href="([^"]+)">', c) for c in captions]
    assert all(links), "every caption links its data"
    return [unescape(m.group(1)) for m in links]


def test_every_figure_links_a_csv_beside_the_report(written):
    report, _, _ = written
    links = _links(report)
    assert len(links) > 40
    assert links[0] == "after%20new%20start-fig-1.csv"  # a relative URL, quoted
    files = [report.parent / unquote(href) for href in links]
    assert all(f.is_file() for f in files)
    assert sorted(p.name for p in report.parent.glob("*.csv")) == sorted(f.name for f in files)


def test_each_csv_parses_with_its_columns_named_with_units(written):
    report, _, _ = written
    for href in _links(report):
        path = report.parent / unquote(href)
        assert path.read_text(encoding="utf-8").startswith("# ")  # title; sweep; date; sources
        frame = pd.read_csv(path, comment="#")
        assert not frame.empty, href
        for column in frame.columns:
            assert column in LABELS or re.search(r"\[[^\]]+\]$", column), (href, column)
        assert "units of the sweep's model" not in " ".join(frame.columns), href


def test_the_csvs_hold_the_figures_data(written):
    report, results, n_zone = written
    frames = [pd.read_csv(report.parent / unquote(h), comment="#") for h in _links(report)]
    zone = frames[0]  # the example has no Sobol' section: the zone comes first
    assert list(zone.columns) == [
        "series",
        "point",
        "Arriving warheads, United States [warheads]",
        "Arriving warheads, Russia [warheads]",
    ]
    drawn = zone["series"].value_counts()
    assert drawn["accepted by every party"] == min(n_zone, MAX_PLOTTED)
    point = zone.iloc[0]
    row = results.set_index("point_id").loc[int(point["point"])]
    assert point.iloc[2] == pytest.approx(row["arriving.US"], rel=1e-12)
    histogram = next(f for f in frames if "bin from: First-strike stability index [0 to 1]" in f)
    assert histogram["points [points]"].sum() == results["fsi"].notna().sum()
    band = next(
        f for f in frames if list(f.columns[:2]) == ["Warhead cap [warheads]", "5th percentile: "
                                                     "First-strike stability index [0 to 1]"]
    )  # fmt: skip
    assert (band.iloc[:, 1] <= band.iloc[:, 2]).all() and (band.iloc[:, 2] <= band.iloc[:, 3]).all()
