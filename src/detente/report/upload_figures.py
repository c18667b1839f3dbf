"""Plotly figures of upload timelines and of the New START data-exchange history.

Each function takes a result (or a table) and returns a ``plotly.graph_objects.Figure``; none
does I/O.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING

import plotly.graph_objects as go
from plotly.subplots import make_subplots

from detente.model.glossary import party_colour
from detente.report.publish import TEMPLATE

if TYPE_CHECKING:
    import pandas as pd

    from detente.analysis.upload import UploadTimeline

#: Line style per leg (colour comes from the side).
LEG_DASH = {"ICBM": "solid", "SLBM": "dash", "bomber": "dot", "total": "solid"}


def _colour(label: str, k: int) -> str:
    """The party's one colour (data/glossary.yaml), or fallback ``k``."""
    return party_colour(label, k)


#: Titles of the New START count columns of :func:`detente.analysis.history.newstart_history`.
HISTORY_TITLES = {
    "deployed_launchers": "Deployed ICBMs, SLBMs and heavy bombers",
    "deployed_warheads": "Deployed warheads",
    "total_launchers": "Deployed and non-deployed launchers",
}


def upload_timeline_figure(timeline: UploadTimeline) -> go.Figure:
    """Deployed warheads by leg and side per month; the stability index below when known.

    One colour per side, one dash style per leg, a thick line for each side's total. With an
    opponent, a second panel shows FSI and each side's r = min(1, C1/C2).

    Examples
    --------
    >>> from detente.analysis.upload import upload_timeline
    >>> from detente.model.catalog import load_force
    >>> fig = upload_timeline_figure(upload_timeline(load_force("us-2025"), months=3))
    >>> [trace.name for trace in fig.data]
    ['US ICBM', 'US SLBM', 'US bomber', 'US total']
    >>> fig.data[0].y.tolist()
    [400.0, 400.0, 400.0, 400.0]
    """
    st = timeline.stability
    rows = 1 if st is None else 2
    fig = make_subplots(
        rows=rows,
        cols=1,
        shared_xaxes=True,
        vertical_spacing=0.08,
        row_heights=[0.65, 0.35][:rows] if rows == 2 else None,
    )  # each panel named by its y axis: a subplot title would sit under the legend
    x = list(timeline.dates) if timeline.dates is not None else timeline.months
    for k, side in enumerate(timeline.sides()):
        colour = _colour(side.label, k)
        series = {**side.by_leg(), "total": side.total}
        for leg, y in series.items():
            fig.add_scatter(
                x=x,
                y=y,
                name=f"{side.label} {leg}",
                legendgroup=side.label,
                mode="lines",
                line={
                    "color": colour,
                    "dash": LEG_DASH[leg],
                    "width": 3 if leg == "total" else 1.5,
                },
                hovertemplate="%{y:,.0f} warheads<extra>%{fullData.name}</extra>",
                row=1,
                col=1,
            )
    if st is not None:
        fig.add_scatter(
            x=x,
            y=st.fsi,
            name="FSI",
            mode="lines",
            line={"color": "black", "width": 3},
            row=2,
            col=1,
        )
        for k, (label, r) in enumerate(st.r.items()):
            fig.add_scatter(
                x=x,
                y=r,
                name=f"r {label}",
                mode="lines",
                line={"color": _colour(label, k), "dash": "dash"},
                row=2,
                col=1,
            )
        fig.update_yaxes(
            title_text="first-strike stability<br>index, r [-]", range=[0, 1.05], row=2, col=1
        )
    fig.update_yaxes(
        title_text="deployed strategic<br>warheads [warheads]", rangemode="tozero", row=1, col=1
    )
    fig.update_xaxes(
        title_text="date" if timeline.dates is not None else "months after lapse", row=rows, col=1
    )
    fig.update_layout(
        title=f"Upload after the lapse ({timeline.posture.replace('_', '-')} posture)",
        template=TEMPLATE,
        margin={"l": 60, "r": 20, "t": 70, "b": 50},
        height=420 if rows == 1 else 620,
    )
    return fig


def history_figure(
    frame: pd.DataFrame,
    limits: Mapping[str, float] | None = None,
    estimates: pd.DataFrame | None = None,
) -> go.Figure:
    """The New START data-exchange series per party, one panel per count, with its limit.

    Declared counts are solid lines named ``<party> declared``; with ``estimates``, the FAS
    estimates of deployed strategic warheads are dotted lines beside them in the warheads panel
    (:func:`detente.report.history_figures.newstart_estimate_traces`).

    Parameters
    ----------
    frame : pandas.DataFrame
        As returned by :func:`detente.analysis.history.newstart_history` (possibly filtered).
    limits : mapping, optional
        Limit per count column [count], drawn as a dashed line.
    estimates : pandas.DataFrame, optional
        Rows of :func:`detente.analysis.history.history` for ``deployed_strategic``.

    Examples
    --------
    >>> from detente.analysis.history import history, newstart_history
    >>> est = history(party=["US", "RU"], quantity="deployed_strategic", producer="FAS")
    >>> fig = history_figure(newstart_history(), {"deployed_warheads": 1550}, est)
    >>> sorted({t.name for t in fig.data})
    ['RU FAS estimate', 'RU declared', 'US FAS estimate', 'US declared', 'limit']
    """
    from detente.report.history_figures import newstart_estimate_traces

    columns = list(HISTORY_TITLES)
    fig = make_subplots(
        rows=len(columns),
        cols=1,
        shared_xaxes=True,
        vertical_spacing=0.07,
        subplot_titles=[HISTORY_TITLES[c] for c in columns],
    )
    for k, (party, rows) in enumerate(frame.groupby("party", sort=True)):
        colour = _colour(str(party), k)
        rows = rows.sort_values("date")
        for i, column in enumerate(columns, start=1):
            known = rows[rows[column].notna()]
            fig.add_scatter(
                x=known["date"].dt.strftime("%Y-%m-%d").tolist(),
                y=known[column].astype(float).tolist(),
                name=f"{party} declared",
                legendgroup=str(party),
                showlegend=i == 1,
                mode="lines+markers",
                line={"color": colour},
                customdata=known["source"].tolist(),
                hovertemplate="%{x|%Y-%m-%d}: %{y:,.0f} (declared)<br>source: %{customdata}"
                "<extra>" + str(party) + "</extra>",
                row=i,
                col=1,
            )
    for i, column in enumerate(columns, start=1):
        if limits and column in limits:
            span = frame["date"].agg(["min", "max"]).dt.strftime("%Y-%m-%d").tolist()
            fig.add_scatter(
                x=span,
                y=[limits[column], limits[column]],
                name="limit",
                legendgroup="limit",
                showlegend=i == 1,
                mode="lines",
                line={"color": "grey", "dash": "dash"},
                hovertemplate=f"limit {limits[column]:,.0f}<extra></extra>",
                row=i,
                col=1,
            )
        fig.update_yaxes(title_text="count", rangemode="tozero", row=i, col=1)
    if estimates is not None and not estimates.empty:
        newstart_estimate_traces(fig, estimates, columns.index("deployed_warheads") + 1)
    fig.update_layout(
        title="New START aggregate data exchanges"
        + (" beside FAS estimates (dotted)" if estimates is not None else ""),
        template=TEMPLATE,
        margin={"l": 60, "r": 20, "t": 70, "b": 50},
        height=820,
    )
    return fig
