"""Plotly figure of the assessment's verification section.

The function takes a :class:`~detente.analysis.assess.VerificationSection` and returns a
``plotly.graph_objects.Figure``; it does no I/O.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import plotly.graph_objects as go
from plotly.subplots import make_subplots

from detente.report.publish import layout, wrap

if TYPE_CHECKING:
    from detente.analysis.assess import VerificationSection

#: Colour per bundled regime; other regimes take the fallback colours in turn.
REGIME_COLOURS = {"start1": "#2ca02c", "new_start": "#9467bd", "none": "#7f7f7f"}
FALLBACK_COLOURS = ("#17becf", "#8c564b", "#bcbd22", "#e377c2")
#: Line dash and marker per position, so that regimes with equal quotas stay visible.
STYLES = (
    ("solid", "circle", 8),
    ("dash", "square-open", 12),
    ("dot", "diamond-open", 12),
    ("dashdot", "x", 9),
)


def verification_figure(section: VerificationSection) -> go.Figure:
    """Probability that inspections catch the over-loading within 1 to T years: one panel per
    party, one line per regime.

    Examples
    --------
    >>> from detente.analysis.assess import assess
    >>> from detente.model.scenario import parse_scenario
    >>> a = assess(parse_scenario("name: x\\nparties: [{force: us-2025}, {force: ru-2025}]\\n"
    ...                           "verification: {years: 2}"))
    >>> fig = verification_figure(a.verification)
    >>> [(t.name, t.x) for t in fig.data][:3]
    [('New START', (1, 2)), ('START I', (1, 2)), ('No inspections', (1, 2))]
    """
    parties = section.parties
    fig = make_subplots(
        rows=1,
        cols=max(1, len(parties)),
        shared_yaxes=True,
        horizontal_spacing=0.06,
    )
    for col, p in enumerate(parties, start=1):
        years = [c.years for c in p.comparisons]
        for k, row in enumerate(p.comparisons[0].rows):
            colour = REGIME_COLOURS.get(row.regime, FALLBACK_COLOURS[k % len(FALLBACK_COLOURS)])
            dash, symbol, size = STYLES[k % len(STYLES)]
            fig.add_scatter(
                x=years,
                y=[p.detection(row.regime, y) for y in years],
                mode="lines+markers",
                name=row.name,
                legendgroup=row.regime,
                showlegend=col == 1,
                line={"color": colour, "dash": dash},
                marker={"symbol": symbol, "size": size},
                hovertemplate=f"{row.name}, %{{x}} yr: P(detect) %{{y:.3f}}"
                f"<extra>{p.party}</extra>",
                row=1,
                col=col,
            )
        # Each panel's party under its axis, not as a subplot title (which the legend, above
        # the plots, would cover); wrapped to fit a panel on a phone.
        who = wrap(f"{p.party}: {p.overloaded:,} of {p.missiles:,} over-loaded", 18)
        fig.update_xaxes(title_text=f"years of inspections<br>{who}", dtick=1, row=1, col=col)
    fig.update_yaxes(range=[0, 1.02], row=1, col=1, title_text="P(detect)")
    return layout(
        fig,
        "Probability that random inspections catch the over-loading",
        legend={"orientation": "h", "y": -0.2},
        margin={"l": 60, "r": 20, "t": 90, "b": 50},
    )
