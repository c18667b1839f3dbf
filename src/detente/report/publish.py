"""What makes a figure publishable: a title, the scenario, the date and a source line in the
image, and its data as CSV.

:func:`stamp` writes the title (with the scenario on a second line) into the layout's title and
the date and source line into an annotation at the foot, so that every export of the figure
(the report's PNG/SVG, the page's buttons, plotly's own camera button) carries them. Text is
plain with ``<br>`` only: plotly styles ``<b>``, ``<sub>``, ... with style attributes, which
the page's Content-Security-Policy refuses. :func:`figure_rows` gives any figure's data as CSV
rows, one per plotted point.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import math
from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING, Any

import numpy as np

if TYPE_CHECKING:
    import plotly.graph_objects as go

#: Source ids named in the foot of a figure; more are counted ("and 4 more").
FOOT_SOURCES = 2
#: Margins [px] that leave room for the two-line title and the two-line foot.
TOP_PX = 56
FOOT_PX = 40
#: Height of a row of the legend above the plot [px]; width of a row (the page's figure on a
#: phone: a wider screen leaves some rows blank) and of a legend entry's symbol and of a
#: character [px].
LEGEND_ROW_PX = 21
LEGEND_ROW_WIDTH_PX = 330
LEGEND_SYMBOL_PX = 45
LEGEND_CHAR_PX = 6.6
#: Model constants whose sources every stability figure cites (group, name in parameters.yaml).
CALCULUS_PARAMETERS = (
    ("kent_thaler", "de"),
    ("kent_thaler", "alpha"),
    ("kent_thaler", "kmax"),
    ("value_damage", "assured_destruction_emt"),
)
#: Where the full bibliography is, named in every figure's foot.
SOURCES_HINT = "all sources: detente's /sources page"
#: The plotly template every figure starts from.
TEMPLATE = "plotly_white"


def parameter_sources(
    names: Sequence[tuple[str, str]] = CALCULUS_PARAMETERS,
) -> tuple[str, ...]:
    """Source ids behind model constants (by default: the calculus and the w80 yardstick)."""
    from detente.model import parameters

    out: list[str] = []
    for group, name in names:
        out += [s for s in parameters.provenance(group, name).source if s not in out]
    return tuple(out)


def source_line(sources: Iterable[str]) -> str:
    """The source ids of a figure, shortened to :data:`FOOT_SOURCES`.

    Examples
    --------
    >>> source_line(["a", "b", "a"])
    'Sources: a, b'
    >>> source_line([str(i) for i in range(9)])
    'Sources: 0, 1 and 7 more'
    """
    ids = list(dict.fromkeys(sources))
    shown = ", ".join(ids[:FOOT_SOURCES])
    more = len(ids) - FOOT_SOURCES
    return f"Sources: {shown}" + (f" and {more} more" if more > 0 else "") if ids else ""


def stamp(
    fig: go.Figure,
    title: str,
    scenario: str,
    sources: Iterable[str],
    date: dt.date | None = None,
    legend_on_top: bool = True,
) -> go.Figure:
    """``fig`` with ``title`` and ``scenario`` as its title, and the date and sources at its
    foot, in the image itself (every export carries them).

    The legend goes above the plot (below the title) so that it never covers the foot, unless
    ``legend_on_top`` is false (a long legend stays where the figure put it).

    Examples
    --------
    >>> import plotly.graph_objects as go
    >>> fig = stamp(go.Figure(), "Index", "us-2025 vs ru-2025", ["fas"], dt.date(2026, 12, 3))
    >>> fig.layout.title.text
    'Index<br>us-2025 vs ru-2025'
    >>> fig.layout.annotations[-1].text
    "detente, 2026-12-03; all sources: detente's /sources page<br>Sources: fas"
    """
    from detente.version import __version__

    day = (date or dt.date.today()).isoformat()
    sources = list(dict.fromkeys(sources))
    line = source_line(sources)
    foot = f"detente, {day}; {SOURCES_HINT}" + (f"<br>{line}" if line else "")
    axis_px = fig.layout.margin.b if fig.layout.margin.b is not None else 50
    names = [t.name for t in fig.data if t.name and t.showlegend is not False]
    rows = legend_rows(names) if legend_on_top and fig.layout.showlegend is not False else 0
    legend_px = LEGEND_ROW_PX * rows
    fig.update_layout(
        title={
            "text": f"{title}<br>{scenario}",
            "x": 0.01,
            "xanchor": "left",
            "y": 1,
            "yref": "container",
            "yanchor": "top",
            "pad": {"t": 16},
            "font_size": 13,
        },
        margin={"t": TOP_PX + legend_px, "b": axis_px + FOOT_PX},
        meta={
            "detente": __version__,
            "date": day,
            "title": title,
            "scenario": scenario,
            "sources": sources,
        },
    )
    if legend_on_top:
        fig.update_layout(
            legend={"orientation": "h", "x": 0, "xanchor": "left", "y": 1.0, "yanchor": "bottom"}
        )
    fig.add_annotation(
        text=foot,
        xref="paper",
        yref="paper",
        x=0,
        y=0,
        xanchor="left",
        yanchor="top",
        yshift=-axis_px,
        showarrow=False,
        align="left",
        font={"size": 10, "color": "#444"},
    )
    return fig


def legend_rows(names: Sequence[str]) -> int:
    """Rows a horizontal legend of ``names`` takes in :data:`LEGEND_ROW_WIDTH_PX` (plotly puts
    the entries of a wrapped legend in columns as wide as its widest entry).

    Examples
    --------
    >>> legend_rows([]), legend_rows(["index"]), legend_rows(["a long name " * 4] * 3)
    (0, 1, 3)
    """
    if not names:
        return 0
    widest = LEGEND_SYMBOL_PX + LEGEND_CHAR_PX * max(len(n) for n in names)
    return math.ceil(len(names) / max(1, int(LEGEND_ROW_WIDTH_PX // widest)))


def _values(v: Any) -> list:
    if v is None:
        return []
    return np.asarray(v, dtype=object).ravel().tolist()


def figure_rows(fig: go.Figure) -> list[list[Any]]:
    """The data of ``fig`` as CSV rows: a header, then one row per plotted point
    (``series, x, y``, plus ``z`` for heatmaps and contours, one row per cell).

    Examples
    --------
    >>> import plotly.graph_objects as go
    >>> figure_rows(go.Figure(go.Bar(name="US", x=["ICBM"], y=[400])))
    [['series', 'x', 'y'], ['US', 'ICBM', 400]]
    """
    grids = any(getattr(t, "z", None) is not None for t in fig.data)
    rows: list[list[Any]] = [["series", "x", "y", *(["z"] if grids else [])]]
    for trace in fig.data:
        name = trace.name or trace.type or "series"
        z = getattr(trace, "z", None)
        if z is not None:
            zs = np.asarray(z, dtype=float)
            xs = _values(trace.x) or list(range(zs.shape[1]))
            ys = _values(trace.y) or list(range(zs.shape[0]))
            rows += [[name, x, y, zs[i, j]] for i, y in enumerate(ys) for j, x in enumerate(xs)]
            continue
        xs, ys = _values(getattr(trace, "x", None)), _values(getattr(trace, "y", None))
        if getattr(trace, "orientation", None) == "h" and getattr(trace, "base", None) is not None:
            xs = [trace.base + x for x in xs]  # a bar from `base`: the value it reaches
        for x, y in zip(xs, ys, strict=False):
            rows.append([name, x, y, *([""] if grids else [])])
    return rows


def csv_text(rows: Sequence[Sequence[Any]], comment: str = "") -> str:
    """``rows`` as CSV text, after a ``# comment`` line when given."""
    out = io.StringIO()
    if comment:
        out.write(f"# {comment}\n")
    csv.writer(out, lineterminator="\n").writerows(rows)
    return out.getvalue()
