"""Plotly figures of an assessment, one function per report section.

Each function takes an :class:`~detente.analysis.assess.Assessment` and returns a
``plotly.graph_objects.Figure``; none does I/O. Large samples are binned with numpy before
plotting, so the report's size does not grow with the number of Monte Carlo samples.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
import plotly.graph_objects as go

from detente.model.glossary import party_colour, party_name
from detente.report.publish import bar_chart_height, layout
from detente.report.words import input_label

if TYPE_CHECKING:
    from detente.analysis.assess import Assessment

#: Bins of the Monte Carlo histograms [-].
HISTOGRAM_BINS = 60
LUA_LABELS = ("no LUA", "{a} LUA", "{b} LUA", "both LUA")


def forces_figure(a: Assessment) -> go.Figure:
    """Deployed strategic warheads by leg, one bar group per party."""
    legs = a.legs_frame()
    fig = go.Figure()
    for k, (party, df) in enumerate(legs.groupby("party", sort=False)):
        fig.add_bar(
            name=party_name(str(party)),
            legendgroup=str(party),
            marker_color=party_colour(str(party), k),
            x=df["leg"],
            y=df["deployed_warheads"],
            customdata=np.stack([df["deployed_launchers"], df["non_deployed_launchers"]], -1),
            hovertemplate="%{x}: %{y:,.0f} warheads on %{customdata[0]:,} deployed launchers"
            " (%{customdata[1]:,} non-deployed)<extra>" + str(party) + "</extra>",
        )
    return layout(
        fig, "Deployed strategic warheads by leg", barmode="group", yaxis_title="warheads"
    )


def drawdown_figure(a: Assessment) -> go.Figure:
    """Draw-down curves K(x) of the assessment's pairs (the page's and the API's figure,
    :func:`detente.report.stability_figures.drawdown_figure`)."""
    from detente.report.stability_figures import describe_forces, drawdown_figure

    forces = [p.base for p in a.resolved.parties]
    scenario, sources = describe_forces(forces, a.scenario.name)
    return drawdown_figure(
        a.stability, scenario, sources, title="Counterforce draw-down (scenario postures)"
    )


def postures_figure(a: Assessment, pair: tuple[str, str]) -> go.Figure:
    """FSI of one pair for every posture combination (rows) and launch under attack (columns)."""
    first, second = pair
    cases = [c for c in a.postures if c.pair == pair]
    rows = list(dict.fromkeys((c.posture[first], c.posture[second]) for c in cases))
    cols = list(dict.fromkeys((c.lua[first], c.lua[second]) for c in cases))
    z = np.full((len(rows), len(cols)), np.nan)
    for c in cases:
        i = rows.index((c.posture[first], c.posture[second]))
        z[i, cols.index((c.lua[first], c.lua[second]))] = c.fsi
    labels = [lab.format(a=first, b=second) for lab in LUA_LABELS]
    ylabels = [f"{first} {p.replace('_', '-')} / {second} {q.replace('_', '-')}" for p, q in rows]
    fig = go.Figure(
        go.Heatmap(
            z=z,
            x=labels,
            y=ylabels,
            zmin=0,
            zmax=1,
            colorscale="RdYlGn",
            text=np.round(z, 3),
            texttemplate="%{text}",
            hovertemplate="%{y}, %{x}: FSI %{z:.4f}<extra></extra>",
            colorbar={"title": "FSI"},
        )
    )
    return layout(
        fig, f"First-strike stability index, {first}-{second}", yaxis_autorange="reversed"
    )


def uncertainty_figure(a: Assessment) -> go.Figure:
    """Histogram of the Monte Carlo FSI with its 5th, 50th and 95th percentiles."""
    mc = a.uncertainty
    fig = go.Figure()
    if mc is None:
        return fig
    fsi = mc.outputs["fsi_system"].values
    counts, edges = np.histogram(fsi, bins=HISTOGRAM_BINS, range=(0.0, 1.0))
    centres = 0.5 * (edges[:-1] + edges[1:])
    fig.add_bar(
        x=centres,
        y=counts / fsi.size,
        width=edges[1] - edges[0],
        name="samples",
        hovertemplate="FSI %{x:.3f}: %{y:.2%} of samples<extra></extra>",
    )
    q = mc.quantiles["fsi"].to_dict()
    # Labels on either side of their lines, top and bottom, so that close lines stay readable.
    left, right = ("bottom left", "bottom right")
    if q["p50"] > a.fsi:
        left, right = right, left
    for key, dash, where in (
        ("p05", "dot", "top left"),
        ("p50", "dash", left),
        ("p95", "dot", "top right"),
    ):
        fig.add_vline(
            x=q[key],
            line_dash=dash,
            annotation_text=f"{key} {q[key]:.3f}",
            annotation_position=where,
        )
    fig.add_vline(
        x=a.fsi,
        line_color="firebrick",
        annotation_text=f"scenario {a.fsi:.3f}",
        annotation_position=right,
    )
    return layout(
        fig,
        f"FSI over {mc.samples:,} Monte Carlo samples (seed {mc.seed})",
        xaxis_title="FSI",
        yaxis_title="share of samples",
        xaxis_range=[0, 1],
        showlegend=False,
    )


def tornado_figure(a: Assessment) -> go.Figure:
    """One-at-a-time sensitivity: FSI with each input at its 5th and 95th percentile."""
    t = a.tornado
    fig = go.Figure()
    if t is None:
        return fig
    bars = list(reversed(t.bars))  # largest swing on top
    names = [input_label(b.input) for b in bars]
    for label, values, fsi in (
        ("input at p05", [b.low for b in bars], [b.at_low for b in bars]),
        ("input at p95", [b.high for b in bars], [b.at_high for b in bars]),
    ):
        fig.add_bar(
            y=names,
            x=[f - t.base for f in fsi],
            base=t.base,
            orientation="h",
            name=label,
            customdata=np.stack([values, fsi], -1),
            hovertemplate="%{y} = %{customdata[0]:.3g}: FSI %{customdata[1]:.2f}<extra></extra>",
        )
    fig.add_vline(x=t.base, line_color="black", annotation_text=f"medians {t.base:.3f}")
    return layout(
        fig,
        "Tornado: FSI with one input at its 5th / 95th percentile, the others at their medians",
        barmode="overlay",
        xaxis_title="FSI",
        height=bar_chart_height(names),
        yaxis_automargin=True,
    )
