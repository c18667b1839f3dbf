"""Plotly figures of the assessment's inadvertent-war risk section.

Each function takes a :class:`~detente.analysis.risk.RiskResult` and returns a
``plotly.graph_objects.Figure``; none does I/O. Probabilities are shown in per cent.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
import plotly.graph_objects as go

from detente.report.publish import bar_chart_height, layout
from detente.report.words import risk_label

if TYPE_CHECKING:
    from detente.analysis.risk import RiskResult

#: Tornado bars shown (largest swings).
TORNADO_BARS = 12


def _tag(sourced: bool) -> str:
    return "sourced" if sourced else "ILLUSTRATIVE"


def risk_figure(r: RiskResult) -> go.Figure:
    """Annual probability of the baseline and of each intervention: p50 with its p05–p95
    band, and the mean, on a log axis.

    Examples
    --------
    >>> from detente.analysis.risk import run_risk
    >>> fig = risk_figure(run_risk(samples=200, seed=1))
    >>> list(fig.data[0].y)[:2]
    ['baseline', "SSBNs patrol 2,000 km further from the other side's coast"]
    """
    rows = [("baseline", r.annual_probability, None, all(p.sourced for p in r.parameters))]
    rows += [
        (iv.label, iv.annual_probability, iv.probability_lower, iv.sourced)
        for iv in r.interventions
    ]
    names = [name for name, *_ in rows]
    p50 = np.array([100 * q.p50 for _, q, _, _ in rows])
    p05 = np.array([100 * q.p05 for _, q, _, _ in rows])
    p95 = np.array([100 * q.p95 for _, q, _, _ in rows])
    lower = ["–" if x is None else r.share(x) for _, _, x, _ in rows]
    g = f".{r.significant_figures}g"  # d3 format: one significant figure while illustrative
    tags = [_tag(s) for *_, s in rows]
    fig = go.Figure()
    fig.add_scatter(
        x=p50,
        y=names,
        mode="markers",
        name="p50 (p05–p95)",
        marker={"size": 10, "color": ["#555555"] + ["#1f77b4"] * (len(rows) - 1)},
        error_x={"type": "data", "symmetric": False, "array": p95 - p50, "arrayminus": p50 - p05},
        customdata=list(zip(p05, p95, lower, tags, strict=True)),
        hovertemplate=f"%{{y}}: p50 %{{x:{g}}} % (p05 %{{customdata[0]:{g}}} %, p95 "
        f"%{{customdata[1]:{g}}} %); share of samples lower %{{customdata[2]}}; "
        "%{customdata[3]}<extra></extra>",
    )
    fig.add_scatter(
        x=[100 * q.mean for _, q, _, _ in rows],
        y=names,
        mode="markers",
        name="mean",
        marker={"symbol": "diamond-open", "size": 9, "color": "firebrick"},
        hovertemplate=f"%{{y}}: mean %{{x:{g}}} %<extra></extra>",
    )
    return layout(
        fig,
        f"{'ILLUSTRATIVE: ' if r.illustrative else ''}Annual probability of inadvertent war, "
        f"baseline and interventions ({r.samples:,} samples, seed {r.seed})",
        xaxis={"type": "log", "title": "annual probability [%]", "dtick": "D2"},
        yaxis={"autorange": "reversed", "automargin": True},
        height=bar_chart_height(names),
        legend={"orientation": "h", "y": -0.25},
    )


def risk_tornado_figure(r: RiskResult, bars: int = TORNADO_BARS) -> go.Figure:
    """One-at-a-time sensitivity: annual probability with each parameter at its p05 and its
    p95, the others at their medians (the ``bars`` largest swings).

    Examples
    --------
    >>> from detente.analysis.risk import run_risk
    >>> r = run_risk(samples=200, seed=1)
    >>> fig = risk_tornado_figure(r, bars=3)
    >>> list(fig.data[0].y) == [b.input for b in reversed(r.tornado.bars[:3])]
    True
    """
    shown = list(reversed(r.tornado.bars[:bars]))  # largest swing on top
    names = [b.input for b in shown]
    base = 100 * r.probability_at_medians
    g = f".{r.significant_figures}g"  # d3 format: one significant figure while illustrative
    fig = go.Figure()
    for label, values, probs in (
        ("parameter at p05", [b.low for b in shown], [b.at_low for b in shown]),
        ("parameter at p95", [b.high for b in shown], [b.at_high for b in shown]),
    ):
        fig.add_bar(
            y=names,
            x=[100 * p - base for p in probs],
            base=base,
            orientation="h",
            name=label,
            customdata=list(
                zip(
                    values,
                    [100 * p for p in probs],
                    [_tag(b.input in r.sourced) for b in shown],
                    strict=True,
                )
            ),
            hovertemplate=f"%{{y}} = %{{customdata[0]:.4g}}: %{{customdata[1]:{g}}} % a year "
            "(%{customdata[2]})<extra></extra>",
        )
    fig.add_vline(x=base, line_color="black")
    return layout(
        fig,
        f"{'ILLUSTRATIVE: ' if r.illustrative else ''}Tornado: annual probability with one "
        f"parameter at its 5th / 95th percentile (all at medians: "
        f"{r.percent(r.probability_at_medians)})",
        barmode="overlay",
        xaxis_title="annual probability [%]",
        height=bar_chart_height([risk_label(n) for n in names]),
        yaxis={
            "automargin": True,
            "tickmode": "array",
            "tickvals": names,
            "ticktext": [risk_label(n) for n in names],
        },
        legend={"orientation": "h", "y": -0.15},
    )
