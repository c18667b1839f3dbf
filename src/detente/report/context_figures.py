"""Plotly figure of the assessment's context measures.

The function takes a :class:`~detente.analysis.context.ContextResult` and returns a
``plotly.graph_objects.Figure``; it does no I/O.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import plotly.graph_objects as go

from detente.report.publish import layout
from detente.report.upload_figures import _colour

if TYPE_CHECKING:
    from detente.analysis.context import ContextResult


def _condition(key: str) -> str:
    posture, launch = key.split("/")
    return f"{posture.replace('_', '-')}, {launch.replace('_', ' ')}"


def context_figure(c: ContextResult) -> go.Figure:
    """Arriving retaliatory warheads of each side, struck first by the other, in each posture
    and launch setting (ride out or launch on warning).

    Examples
    --------
    >>> from detente.analysis.context import context_measures
    >>> from detente.model.catalog import load_force
    >>> c = context_measures(load_force("us-2025"), load_force("ru-2025"))
    >>> fig = context_figure(c)
    >>> [t.name for t in fig.data], list(fig.data[0].x)[:2]
    (['US', 'RU'], ['day-to-day, ride out', 'day-to-day, launch on warning'])
    """
    fig = go.Figure()
    for k, side in enumerate(c.labels):
        by = (c.arw_conditions or {}).get(side, {})
        own = f"{c.posture[side]}/{'launch_on_warning' if c.lua[side] else 'ride_out'}"
        fig.add_bar(
            name=side,
            x=[_condition(key) for key in by],
            y=list(by.values()),
            marker={
                "color": _colour(side, k),
                "line": {"width": [3 if key == own else 0 for key in by], "color": "black"},
            },
            hovertemplate="%{x}: %{y:,.0f} warheads arrive<extra>" + side + "</extra>",
        )
    return layout(
        fig,
        f"Arriving retaliatory warheads after the other's first strike, {'-'.join(c.labels)} "
        "(outlined: the scenario's setting)",
        barmode="group",
        yaxis_title="warheads",
    )
