"""Figures of the assessment report carry the assessment's own numbers."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from detente.analysis.assess import assess
from detente.report import figures
from detente.report.count_figures import compliance_figure
from detente.report.words import input_label

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def a():
    return assess(ROOT / "examples" / "new-start-expiry.yaml", samples=1000, seed=3)


def _compliance(a):
    """The report's count figure of ``a`` (as detente.report.assessment draws it)."""
    treaty = a.resolved.treaty
    return compliance_figure(a.compliance_frame(), treaty.name, treaty.ended)


def test_forces_figure_shows_deployed_warheads_by_leg(a):
    fig = figures.forces_figure(a)
    legs = a.legs_frame()
    for trace in fig.data:
        rows = legs[legs["party"] == trace.legendgroup]
        assert list(trace.x) == list(rows["leg"])
        assert list(trace.y) == list(rows["deployed_warheads"])


def test_compliance_figure_is_the_share_of_each_ceiling(a):
    fig = _compliance(a)
    ru = next(t for t in fig.data if t.legendgroup == "RU")
    assert ru.name == "Russia"
    i = list(ru.x).index("deployed warheads")
    limit = a.counts["RU"].limit("deployed_warheads")
    assert ru.y[i] == pytest.approx(100 * limit.count / limit.limit)
    # the error bar spans the count's low-high range
    low, high = limit.bounds
    assert ru.y[i] + ru.error_y.array[i] == pytest.approx(100 * high / limit.limit)
    assert ru.y[i] - ru.error_y.arrayminus[i] == pytest.approx(100 * low / limit.limit)
    assert "for comparison" in fig.layout.title.text


def test_a_counts_plot_is_the_reports_figure_for_its_force(a):
    """dt.count(...).plot(): the report's builder on the one force's rows, same bars."""
    result = a.counts["RU"]
    fig = result.plot()
    (trace,) = fig.data
    report = next(t for t in _compliance(a).data if t.legendgroup == "RU")
    assert list(trace.x) == list(report.x)
    assert np.allclose(trace.y, report.y)
    assert np.allclose(trace.error_y.array, report.error_y.array)
    assert "for comparison" in fig.layout.title.text and result.treaty_name in fig.layout.title.text


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
    assert low.base == t.base
    assert list(low.y) == [input_label(b.input) for b in reversed(t.bars)]
    assert not any(y.startswith("parties.") for y in low.y)
    assert [t.base + x for x in high.x] == pytest.approx([b.at_high for b in reversed(t.bars)])


def test_drawdown_curves_pass_through_x_star(a):
    fig = figures.drawdown_figure(a)
    marks = [t for t in fig.data if t.mode == "markers"]
    assert {t.legendgroup for t in marks} == {"US", "RU"}
    for t in marks:
        assert t.x[0] == a.stability["US-RU"].x_star[t.legendgroup]


def test_one_colour_per_party_across_figures(a):
    from detente.model.glossary import party_colour

    for fig in (figures.forces_figure(a), _compliance(a), figures.drawdown_figure(a)):
        for trace in fig.data:
            if trace.legendgroup in ("US", "RU"):
                colour = trace.marker.color if trace.type == "bar" else None
                colour = colour or (
                    trace.line.color if trace.mode == "lines" else trace.marker.color
                )
                assert colour == party_colour(trace.legendgroup), (
                    fig.layout.title.text,
                    trace.name,
                )


def test_verification_figure_draws_each_regime_per_party(a):
    from detente.report.verification_figures import verification_figure

    v = a.verification
    fig = verification_figure(v)
    n_regimes = len(v.parties[0].comparisons[0].rows)
    assert len(fig.data) == n_regimes * len(v.parties)
    for i, p in enumerate(v.parties):
        for trace, row in zip(
            fig.data[i * n_regimes : (i + 1) * n_regimes], p.comparisons[0].rows, strict=True
        ):
            assert trace.name == row.name
            assert list(trace.y) == [p.detection(row.regime, y) for y in trace.x]


def test_risk_figure_shows_baseline_and_interventions_in_per_cent(a):
    from detente.report.risk_figures import risk_figure

    r = a.risk.result
    p50 = risk_figure(r).data[0]
    assert len(p50.y) == 1 + len(r.interventions)
    expected = [r.annual_probability.p50] + [iv.annual_probability.p50 for iv in r.interventions]
    assert list(p50.x) == pytest.approx([100 * x for x in expected])
    assert list(p50.error_x.array) == pytest.approx(
        [100 * (q.p95 - q.p50) for q in [r.annual_probability] + [
            iv.annual_probability for iv in r.interventions]]
    )  # fmt: skip


def test_risk_tornado_bars_start_at_the_medians(a):
    from detente.report.risk_figures import TORNADO_BARS, risk_tornado_figure

    r = a.risk.result
    low, high = risk_tornado_figure(r).data
    shown = list(reversed(r.tornado.bars[:TORNADO_BARS]))
    assert low.base == pytest.approx(100 * r.probability_at_medians)
    assert [low.base + x for x in high.x] == pytest.approx([100 * b.at_high for b in shown])


def test_context_figure_holds_arw_of_every_condition(a):
    from detente.report.context_figures import context_figure

    c = a.context.result
    fig = context_figure(c)
    for trace in fig.data:
        assert list(trace.y) == list(c.arw_conditions[trace.name].values())
        outlined = [w > 0 for w in trace.marker.line.width]
        assert sum(outlined) == 1  # the scenario's own posture and launch setting
        assert trace.y[outlined.index(True)] == c.arw[trace.name]
