"""The figures of the stability calculus, one function each, shared by the reports, the web page
(as plotly JSON from ``POST /api/chart``) and the API's ``plot()``.

Every function takes computed numbers (no I/O, no model runs) and returns a stamped
``plotly.graph_objects.Figure`` (:func:`detente.report.publish.stamp`): title, scenario, date and
sources in the image. One colour per party (``data/glossary.yaml``). Hover texts are plain with
``<br>`` only (the page's Content-Security-Policy refuses plotly's styled tags).
"""

from __future__ import annotations

import functools
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

import numpy as np
import plotly.graph_objects as go

from detente.model.glossary import party_colour, party_name
from detente.report.publish import TEMPLATE, parameter_sources, stamp

if TYPE_CHECKING:
    from detente.analysis.stability import Side, StabilityResult

INK = "#1d2327"
#: Caption of each figure: what it shows and its units (the page and the reports show it).
CAPTIONS = {
    "drawdown": "Victim's warheads destroyed [warheads] against the striker's warheads spent "
    "on counterforce [warheads]; the marker is the first strike that costs the striker least.",
    "domain": "Each axis: how likely one side thinks the other is to strike first [%]. Inside "
    "the box neither side prefers to strike first; its area is the index [0 to 1].",
    "sweep": "First-strike stability index and each side's cost ratio r [0 to 1; 1 = neither "
    "side gains by striking first] against one input, everything else as set.",
    "weapons": "Index [0 to 1] over both sides' deployed strategic warheads [warheads], each "
    "side's launchers scaled together; lines join force sizes of equal index.",
    "agreement": "Each party's warheads arriving in retaliation [warheads] under the proposals "
    "every party accepts; diamonds mark the Pareto frontier.",
}


def describe(sides: Sequence[Side], name: str | None = None) -> tuple[str, list[str]]:
    """The scenario line and the source ids of a figure about ``sides``
    (:func:`describe_forces` of their forces)."""
    return describe_forces([s.force if s.force is not None else s.label for s in sides], name)


def describe_forces(forces: Sequence[Any], name: str | None = None) -> tuple[str, list[str]]:
    """The scenario line and the source ids of a figure about ``forces``.

    The scenario line names each force and its date (``name: `` before it when the scenario
    has a name of its own); the sources are the forces' (the first of each force first, so
    that a short source line names every force) and the calculus's. A force given as a plain
    label is named as it is.
    """
    parts = [
        f"{f.name} ({f.as_of})" if getattr(f, "as_of", None) else getattr(f, "name", str(f))
        for f in forces
    ]
    lists = [list(getattr(f, "sources", ())) for f in forces]
    sources = [x[0] for x in lists if x] + [s for x in lists for s in x[1:]]
    sources = list(dict.fromkeys([*sources, *parameter_sources()]))
    line = " vs ".join(parts)
    return (f"{name}: {line}" if name else line), sources


@functools.cache
def light_template() -> go.layout.Template:
    """The parts of plotly's ``plotly_white`` template these figures use: a tenth of its JSON
    and a tenth of its cost to set (a chart of the page is built on every request)."""
    import plotly.io as pio

    white = pio.templates[TEMPLATE].layout
    axis = {
        "gridcolor": white.xaxis.gridcolor,
        "linecolor": white.xaxis.linecolor,
        "zerolinecolor": white.xaxis.zerolinecolor,
        "zerolinewidth": 2,
        "ticks": "",
        "automargin": True,
        "title": {"standoff": 15},
    }
    return go.layout.Template(
        layout={
            "paper_bgcolor": "white",
            "plot_bgcolor": "white",
            "font": white.font,
            "colorway": white.colorway,
            "hovermode": white.hovermode,
            "xaxis": axis,
            "yaxis": axis,
        }
    )


def _figure() -> go.Figure:
    return go.Figure(layout={"template": light_template()})


def _layout(fig: go.Figure, **kw: Any) -> go.Figure:
    fig.update_layout(margin={"l": 70, "r": 20, "b": 55}, **kw)
    return fig


def drawdown_figure(
    results: Mapping[str, StabilityResult],
    scenario: str,
    sources: Sequence[str],
    title: str = "Counterforce draw-down",
) -> go.Figure:
    """Draw-down curves K(x): the victim's warheads destroyed per counterforce warheads spent.

    ``results`` maps a pair tag to its result; with more than one pair the tag is added to
    each curve's name. Each striker's x* (the counterforce spend that minimises its cost) is
    marked.
    """
    fig = _figure()
    for tag, result in results.items():
        for j, (striker, curve) in enumerate(result.drawdown.items()):
            victim = next(k for k in result.labels if k != striker)
            a, b = party_name(striker), party_name(victim)
            suffix = "" if len(results) == 1 else f" ({tag})"
            colour = party_colour(striker, j)
            fig.add_scatter(
                x=curve["x"],
                y=curve["K"],
                mode="lines",
                name=f"{a} strikes {b}{suffix}",
                legendgroup=striker,
                line={"color": colour},
                hovertemplate=f"{a} spends %{{x:,.0f}} warheads on counterforce<br>"
                f"and destroys %{{y:,.0f}} of {b}'s<extra></extra>",
            )
            x_star = result.x_star[striker]
            fig.add_scatter(
                x=[x_star],
                y=[float(np.interp(x_star, curve["x"], curve["K"]))],
                mode="markers",
                marker={"size": 10, "symbol": "x", "color": colour},
                name=f"cheapest first strike of {a}{suffix}",
                legendgroup=striker,
                showlegend=False,  # named in the caption and on hover: a shorter legend
                hovertemplate=f"{a}'s cheapest first strike: %{{x:,.0f}} warheads<br>"
                f"destroys %{{y:,.0f}} of {b}'s<extra></extra>",
            )
    _layout(
        fig,
        xaxis={"title": {"text": "striker's warheads spent on counterforce, x [warheads]"}},
        yaxis={"title": {"text": "victim's warheads destroyed, K(x) [warheads]"}},
    )
    fig.update_xaxes(rangemode="tozero")
    fig.update_yaxes(rangemode="tozero")
    return stamp(fig, title, scenario, sources)


def domain_figure(result: StabilityResult, scenario: str, sources: Sequence[str]) -> go.Figure:
    """The probability domain: each side's r = min(1, C1/C2) on its axis; the box below both
    is where neither side prefers to strike first, and its area is the index."""
    a, b = result.labels
    na, nb = party_name(a), party_name(b)
    ra, rb = min(1.0, result.r[a]), min(1.0, result.r[b])
    fsi = result.fsi
    fig = _figure()
    fig.add_scatter(
        x=[0, ra, ra, 0, 0],
        y=[0, 0, rb, rb, 0],
        fill="toself",
        mode="lines",
        line={"width": 0},
        fillcolor="rgba(31,95,168,0.22)",
        name="neither strikes first",
        hoveron="fills",
        text=f"Neither side prefers to strike first while {na} puts a {nb} first strike below "
        f"{100 * ra:.0f} % and {nb} puts a {na} first strike below {100 * rb:.0f} %; "
        f"area {fsi:.2f}",
        hoverinfo="text",
        showlegend=False,
    )
    fig.add_scatter(
        x=[ra],
        y=[rb],
        mode="markers+text",
        text=[f"index {fsi:.2f}"],
        textposition="bottom left",
        marker={"size": 8, "color": INK},
        name="index",
        showlegend=False,
        hovertemplate=f"{na} r = %{{x:.2f}}, {nb} r = %{{y:.2f}}<extra></extra>",
    )
    fig.add_shape(type="line", x0=ra, x1=ra, y0=0, y1=1, line_dash="dash",
                  line_color=party_colour(a, 0))  # fmt: skip
    fig.add_shape(type="line", x0=0, x1=1, y0=rb, y1=rb, line_dash="dash",
                  line_color=party_colour(b, 1))  # fmt: skip
    _layout(
        fig,
        xaxis={"range": [0, 1], "tickformat": ".0%",
               "title": {"text": f"P({nb} strikes first) as {na} sees it"}},
        yaxis={"range": [0, 1], "tickformat": ".0%",
               "title": {"text": f"P({na} strikes first) as {nb} sees it"}},
    )  # fmt: skip
    return stamp(fig, "Probability domain", scenario, sources)


def index_against_figure(
    x: Sequence[float],
    label: str,
    fsi: Sequence[float],
    r: Mapping[str, Sequence[float]],
    scenario: str,
    sources: Sequence[str],
    band: Mapping[str, Sequence[float]] | None = None,
    band_note: str = "",
) -> go.Figure:
    """The index and each side's r = min(1, C1/C2) against one input ``label``.

    ``band`` (``p05`` and ``p95`` of the index at each x, from a Monte Carlo over the
    scenario's uncertain inputs) is drawn as a shaded band with ``band_note`` in its name.
    """
    order = np.argsort(np.asarray(x, float), kind="stable")
    xs = np.asarray(x, float)[order]
    fig = _figure()
    if band is not None:
        low, high = (np.asarray(band[k], float)[order] for k in ("p05", "p95"))
        fig.add_scatter(x=xs, y=low, mode="lines", line={"width": 0}, showlegend=False,
                        name="index p05", hoverinfo="skip")  # fmt: skip
        fig.add_scatter(
            x=xs,
            y=high,
            mode="lines",
            line={"width": 0},
            fill="tonexty",
            fillcolor="rgba(29,35,39,0.15)",
            name=f"index, 5th to 95th percentile{band_note}",
            customdata=low,
            hovertemplate=f"{label} %{{x:,.3~f}}: index %{{customdata:.2f}} to %{{y:.2f}}"
            "<extra>5th-95th percentile</extra>",
        )
    fig.add_scatter(
        x=xs,
        y=np.asarray(fsi, float)[order],
        mode="lines+markers",
        name="index",
        line={"color": INK},
        hovertemplate=f"{label} %{{x:,.3~f}}: index %{{y:.2f}}<extra></extra>",
    )
    for k, (side, values) in enumerate(r.items()):
        name = party_name(side)
        fig.add_scatter(
            x=xs,
            y=np.minimum(1.0, np.asarray(values, float)[order]),
            mode="lines",
            name=f"cost ratio r, {name} (capped at 1)",
            line={"color": party_colour(side, k), "dash": "dot"},
            hovertemplate=f"{label} %{{x:,.3~f}}: r %{{y:.2f}}<extra>{name}</extra>",
        )
    _layout(
        fig,
        xaxis={"title": {"text": label}},
        yaxis={"title": {"text": "index, r [0 to 1]"}, "range": [0, 1.05]},
    )
    return stamp(fig, f"Index against {label}", scenario, sources)


def weapons_figure(
    warheads: Mapping[str, Sequence[float]],
    fsi: np.ndarray,
    r: Mapping[str, np.ndarray],
    current: Mapping[str, float],
    scenario: str,
    sources: Sequence[str],
) -> go.Figure:
    """The weapons domain: the index over both sides' deployed strategic warheads.

    ``warheads`` maps each side (A, then B) to its axis values; ``fsi`` and each side's
    uncapped ``r`` have shape (len(B), len(A)); ``current`` is the forces as set.
    """
    (ka, wa), (kb, wb) = warheads.items()
    na, nb = party_name(ka), party_name(kb)
    text = [
        [
            f"{na}: {wa[i]:,.0f} warheads, r {r[ka][j, i]:.2f}<br>"
            f"{nb}: {wb[j]:,.0f} warheads, r {r[kb][j, i]:.2f}<br>index {fsi[j, i]:.2f}"
            for i in range(len(wa))
        ]
        for j in range(len(wb))
    ]
    fig = _figure()
    fig.add_contour(
        x=list(wa),
        y=list(wb),
        z=fsi,
        text=text,
        hoverinfo="text",
        zmin=0,
        zmax=1,
        colorscale=[[0, "#f2f4f5"], [1, "#1f5fa8"]],
        contours={"coloring": "heatmap", "showlabels": True, "labelfont": {"color": INK},
                  "start": 0.1, "end": 1, "size": 0.1},
        showscale=False,
        name="index",
    )  # fmt: skip
    fig.add_scatter(
        x=[current[ka]],
        y=[current[kb]],
        mode="markers",
        name="the forces as set",
        marker={"symbol": "x", "size": 12, "color": INK},
        hovertemplate="the forces as set<extra></extra>",
    )
    _layout(
        fig,
        xaxis={"title": {"text": f"{na}: deployed strategic warheads"}},
        yaxis={"title": {"text": f"{nb}: deployed strategic warheads"}},
        showlegend=False,
    )
    return stamp(fig, "Weapons domain: the index over both sides' force sizes", scenario, sources)


#: Marker colours of the MIRV rules (not the parties' colours).
MIRV_COLOURS = ("#2a9d8f", "#6d597a", "#5f6b73")


def _proposal(p: Mapping[str, Any]) -> str:
    text = (
        f"warheads {p['treaty.warhead_cap']:,.0f}, launchers {p['treaty.launcher_cap']:,.0f}, "
        f"MIRV {p['treaty.mirv']}"
    )
    if p.get("treaty.interceptor_cap") is not None:
        text += f", interceptors {p['treaty.interceptor_cap']:,.0f}"
    return text + f"<br>FSI {p['fsi']:.3f}"


def agreement_figure(zone: Mapping[str, Any], scenario: str, sources: Sequence[str]) -> go.Figure:
    """The zone of possible agreement: each party's arriving warheads under every accepted
    proposal (one trace per MIRV rule), and the Pareto frontier.

    ``zone`` is the answer of :func:`detente.web.agreement.zone` (``parties``, ``accepted``,
    ``frontier``).
    """
    a, b = zone["parties"]
    fig = _figure()
    accepted = zone["accepted"]
    for j, rule in enumerate(dict.fromkeys(p["treaty.mirv"] for p in accepted)):
        pts = [p for p in accepted if p["treaty.mirv"] == rule]
        fig.add_scatter(
            x=[p[f"arriving.{a}"] for p in pts],
            y=[p[f"arriving.{b}"] for p in pts],
            mode="markers",
            name=f"accepted, MIRV {rule}",
            text=[_proposal(p) for p in pts],
            hoverinfo="text",
            marker={"size": 7, "color": MIRV_COLOURS[j % len(MIRV_COLOURS)], "opacity": 0.75},
        )
    frontier = zone["frontier"]
    fig.add_scatter(
        x=[p[f"arriving.{a}"] for p in frontier],
        y=[p[f"arriving.{b}"] for p in frontier],
        mode="markers",
        name="Pareto frontier",
        text=[_proposal(p) for p in frontier],
        hoverinfo="text",
        marker={"size": 12, "symbol": "diamond-open", "color": INK, "line": {"width": 2}},
    )
    _layout(
        fig,
        xaxis={"title": {"text": f"{party_name(a)}: warheads arriving in retaliation"}},
        yaxis={"title": {"text": f"{party_name(b)}: warheads arriving in retaliation"}},
    )
    return stamp(fig, "Zone of possible agreement", scenario, sources)
