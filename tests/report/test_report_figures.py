"""Figures of the assessment report carry the assessment's own numbers."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from detente.analysis.assess import assess
from detente.report import figures

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def a():
    return assess(ROOT / "examples" / "new-start-expiry.yaml", samples=1000, seed=3)


def test_forces_figure_shows_deployed_warheads_by_leg(a):
    fig = figures.forces_figure(a)
    legs = a.legs_frame()
    for trace in fig.data:
        rows = legs[legs["party"] == trace.name]
        assert list(trace.x) == list(rows["leg"])
        assert list(trace.y) == list(rows["deployed_warheads"])


def test_compliance_figure_is_the_share_of_each_ceiling(a):
    fig = figures.compliance_figure(a)
    ru = next(t for t in fig.data if t.name == "RU")
    i = list(ru.x).index("deployed_warheads")
    limit = a.counts["RU"].limit("deployed_warheads")
    assert ru.y[i] == pytest.approx(100 * limit.count / limit.limit)


def test_posture_heatmap_holds_every_case(a):
    z = np.asarray(figures.postures_figure(a, ("US", "RU")).data[0].z)
    assert z.shape == (4, 4) and not np.isnan(z).any()
    assert sorted(z.ravel()) == sorted(c.fsi for c in a.postures)
    assert z[0, 0] == a.fsi  # day-to-day both, no launch under attack: the scenario's own case


def test_uncertainty_histogram_counts_every_sample(a):
    bars = figures.uncertainty_figure(a).data[0]
    assert sum(bars.y) == pytest.approx(1.0)
    assert len(bars.x) == figures.HISTOGRAM_BINS


def test_tornado_bars_start_at_the_medians(a):
    fig = figures.tornado_figure(a)
    low, high = fig.data
    t = a.tornado
    assert low.base == t.fsi_base
    assert list(low.y) == [b.path for b in reversed(t.bars)]
    assert [t.fsi_base + x for x in high.x] == pytest.approx([b.fsi_high for b in reversed(t.bars)])


def test_drawdown_curves_pass_through_x_star(a):
    fig = figures.drawdown_figure(a)
    marks = [t for t in fig.data if t.mode == "markers"]
    assert {t.name for t in marks} == {"x* of US", "x* of RU"}
    for t in marks:
        striker = t.name.split()[-1]
        assert t.x[0] == a.stability["US-RU"].x_star[striker]
