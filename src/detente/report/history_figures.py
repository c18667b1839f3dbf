"""Figures of the history tables: one quantity per chart, every state, treaty milestones.

One builder serves the ``detente data history --html`` page and the web page's History panel
(as plotly JSON). A producer's series keeps its own line style so that two producers' numbers
for the same year are never read as one series: FAS solid, Suh dotted, SIPRI dashed, official
declarations (NNSA) as open diamonds.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import plotly.graph_objects as go

from detente.model.glossary import party_colour
from detente.report.publish import TEMPLATE, stamp

if TYPE_CHECKING:
    import pandas as pd

#: Line style per producer; an unknown producer takes "longdash".
PRODUCER_DASH = {"FAS": "solid", "Suh": "dot", "SIPRI": "dash"}
#: Producers whose values are declarations: drawn as markers only.
OFFICIAL_PRODUCERS = frozenset({"NNSA"})


def _colour(party: str, k: int) -> str:
    """The state's one colour (``data/glossary.yaml``), shared with every other figure."""
    return party_colour(party, k)


def decimal_year(date: pd.Timestamp) -> float:
    """A date as a year with its fraction, for a timeline whose x axis is the year.

    Examples
    --------
    >>> import pandas as pd
    >>> round(decimal_year(pd.Timestamp("2011-02-05")), 3)
    2011.096
    """
    return date.year + (date.day_of_year - 1) / (366 if date.is_leap_year else 365)


def add_milestones(fig: go.Figure, milestones: pd.DataFrame, first_year: int) -> None:
    """Vertical dotted lines at each treaty event from ``first_year`` on, labelled at the top.

    ``milestones`` as returned by :func:`detente.analysis.history.milestones`; events on the
    same day share one line and one label (``SORT superseded / New START entered into force``).
    """
    shown = milestones[milestones["date"].dt.year >= first_year]
    for date, events in shown.groupby("date", sort=True):
        x = decimal_year(date)
        fig.add_shape(
            type="line",
            x0=x,
            x1=x,
            y0=0,
            y1=1,
            xref="x",
            yref="paper",
            line={"color": "#999999", "width": 1, "dash": "dot"},
            layer="below",
        )
        fig.add_annotation(
            x=x,
            y=1,
            xref="x",
            yref="paper",
            text=" / ".join(f"{r.name} {r.event}" for r in events.itertuples(index=False)),
            hovertext=date.strftime("%Y-%m-%d"),
            textangle=-90,
            showarrow=False,
            xanchor="right",
            yanchor="top",
            font={"size": 9, "color": "#555555"},
        )


def history_figure(
    frame: pd.DataFrame, quantity: str, milestones: pd.DataFrame | None = None
) -> go.Figure:
    """Every state's series of one quantity, one line per state and producer.

    Parameters
    ----------
    frame : pandas.DataFrame
        As returned by :func:`detente.analysis.history.history` (any selection); rows of other
        quantities are ignored.
    quantity : str
        Key of :data:`detente.model.history.QUANTITIES`.
    milestones : pandas.DataFrame, optional
        Treaty events (:func:`detente.analysis.history.milestones`) drawn on the timeline.

    Returns
    -------
    plotly.graph_objects.Figure
        Traces named ``<state> (<producer> <edition(s)>)``; x is the year, y the value.

    Examples
    --------
    >>> from detente.analysis.history import history
    >>> fig = history_figure(history(party=["US", "KP"], quantity="stockpile"), "stockpile")
    >>> for t in fig.data:
    ...     print(t.name)
    United States (FAS 2023-2025)
    United States (NNSA 2024)
    United States (Suh 2022)
    North Korea (FAS 2023-2024)
    North Korea (SIPRI 2024-2025)
    """
    from detente.model.history import PARTY_NAMES, QUANTITIES

    label, unit = QUANTITIES[quantity]
    rows = frame[frame["quantity"] == quantity]
    fig = go.Figure()
    order = {p: i for i, p in enumerate(PARTY_NAMES)}
    parties = sorted(rows["party"].unique(), key=lambda p: order.get(p, len(order)))
    for k, party in enumerate(parties):
        for producer, series in rows[rows["party"] == party].groupby("producer", sort=True):
            series = series.sort_values(["year", "edition"])
            editions = sorted(series["edition"].unique())
            span = str(editions[0]) + (f"-{editions[-1]}" if len(editions) > 1 else "")
            official = producer in OFFICIAL_PRODUCERS
            fig.add_scatter(
                x=series["year"].tolist(),
                y=series["value"].tolist(),
                name=f"{PARTY_NAMES[party]} ({producer} {span})",
                legendgroup=party,
                mode="markers" if official else "lines",
                line={"color": _colour(party, k), "dash": PRODUCER_DASH.get(producer, "longdash")},
                marker={"symbol": "diamond-open", "size": 9, "color": _colour(party, k)},
                customdata=series[["edition", "status", "source"]].values.tolist(),
                hovertemplate=(
                    "%{x}: %{y:,.4~g} "
                    + unit
                    + "<br>"
                    + producer
                    + " edition %{customdata[0]} (%{customdata[1]})<br>source: %{customdata[2]}"
                    + f"<extra>{PARTY_NAMES[party]}</extra>"
                ),
            )
    if milestones is not None and not rows.empty:
        add_milestones(fig, milestones, int(rows["year"].min()))
    fig.update_layout(
        title=label[0].upper() + label[1:],
        template=TEMPLATE,
        xaxis_title="year",
        yaxis_title=unit,
        yaxis_rangemode="tozero",
        height=560,
        margin={"l": 70, "r": 20, "t": 70, "b": 50},
        legend={"groupclick": "toggleitem"},
        updatemenus=[
            {
                "type": "buttons",
                "direction": "right",
                "x": 1,
                "y": 1.1,
                "xanchor": "right",
                "buttons": [
                    {"label": "linear", "method": "relayout", "args": [{"yaxis.type": "linear"}]},
                    {"label": "log", "method": "relayout", "args": [{"yaxis.type": "log"}]},
                ],
            }
        ],
    )
    producers = ", ".join(sorted(rows["producer"].unique()))
    scenario = f"estimates of {producers}" if producers else "no values"
    sources = sorted(rows["source"].dropna().unique())
    return stamp(fig, fig.layout.title.text, scenario, sources, legend_on_top=False)


def newstart_estimate_traces(fig: go.Figure, estimates: pd.DataFrame, row: int) -> None:
    """Add the FAS estimates of deployed strategic warheads beside the declared counts.

    Dotted lines with open circles, named ``<party> FAS estimate``, plotted on 1 January of
    the year the estimate is for. An estimate counts bomber weapons at bases; New START counts
    one warhead per deployed bomber, so the two differ by design (the hover says so).
    """
    for k, (party, series) in enumerate(estimates.groupby("party", sort=True)):
        series = series.sort_values("year")
        fig.add_scatter(
            x=[f"{y}-01-01" for y in series["year"]],
            y=series["value"].tolist(),
            name=f"{party} FAS estimate",
            legendgroup=f"{party} estimate",
            mode="lines+markers",
            line={"color": _colour(str(party), k), "dash": "dot"},
            marker={"symbol": "circle-open", "size": 8},
            customdata=series[["edition", "source"]].values.tolist(),
            hovertemplate=(
                "%{x|%Y}: %{y:,.0f} deployed strategic warheads (estimate, FAS edition "
                "%{customdata[0]})<br>counts bomber weapons at bases; New START counts one "
                "per bomber<br>source: %{customdata[1]}<extra>" + str(party) + " estimate</extra>"
            ),
            row=row,
            col=1,
        )
