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
import re
import textwrap
from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING, Any

import numpy as np

if TYPE_CHECKING:
    import plotly.graph_objects as go

#: Source ids named in the foot of a figure; more are counted ("and 4 more").
FOOT_SOURCES = 2
#: The title's top padding [px]: plotly's mode bar (its toolbar, at the top right of every
#: figure, 25 px high) stays above the title's first line, so that the toolbar never covers the
#: title on a narrow screen (plotly sets the first line's top about 12 px above the padding).
MODEBAR_PX = 40
#: Height of a line of the title and of an axis title [px]; space under the title [px]; height
#: of the two-line foot [px].
TITLE_LINE_PX = 17
AXIS_TITLE_LINE_PX = 15
TITLE_GAP_PX = 6
FOOT_PX = 40
#: Characters of a line of the title and of an axis title before it wraps: a figure 346 px wide
#: (a 390 px phone) fits them at the sizes below.
TITLE_CHARS = 48
AXIS_TITLE_CHARS = 38
#: Characters of a line of a category's tick label before it wraps, on a y axis (the labels of
#: a tornado) and on an x axis (bar groups).
Y_LABEL_CHARS = 26
X_LABEL_CHARS = 14
#: Height of a line of a category's label [px] and the space between two bars [px] of a chart
#: with one category per bar (a tornado); height of what surrounds the bars: title, legend,
#: axis and foot [px].
BAR_LINE_PX = 15
BAR_GAP_PX = 12
BAR_CHART_CHROME_PX = 260
#: A tick label that is a date (never wrapped).
DATE = re.compile(r"^\d{4}-\d{2}")
#: Font sizes of the title and of the axis titles [px].
TITLE_FONT_PX = 13
AXIS_TITLE_FONT_PX = 12
#: Height of a row of the legend above the plot [px]; width of a row (the page's figure on a
#: phone: a wider screen leaves some rows blank) and of a legend entry's symbol and of a
#: character [px].
LEGEND_ROW_PX = 21
LEGEND_ROW_WIDTH_PX = 250
LEGEND_SYMBOL_PX = 45
LEGEND_CHAR_PX = 6.6
#: Width of tick labels the left margin holds without growing [px].
TICK_LABEL_ROOM_PX = 50
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


def layout(fig: go.Figure, title: str, **kw: Any) -> go.Figure:
    """``fig`` with the reports' template, ``title`` and default margins [px]; ``kw`` are
    further ``update_layout`` arguments (a ``margin`` replaces the default)."""
    kw = {"margin": {"l": 60, "r": 20, "t": 50, "b": 50}, **kw}
    fig.update_layout(title=title, template=TEMPLATE, **kw)
    return fig


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


def wrap(text: str, width: int) -> str:
    """``text`` with ``<br>`` between lines of at most ``width`` characters (plotly does not
    wrap titles; a word longer than ``width`` keeps a line of its own). Existing ``<br>``
    breaks are kept.

    Examples
    --------
    >>> wrap("striker's warheads spent on counterforce, x [warheads]", 38)
    "striker's warheads spent on<br>counterforce, x [warheads]"
    >>> wrap("short<br>lines", 38)
    'short<br>lines'
    """
    lines = [
        line
        for part in text.split("<br>")
        for line in (
            textwrap.wrap(part, width, break_long_words=False, break_on_hyphens=False) or [""]
        )
    ]
    return "<br>".join(lines)


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
    ``legend_on_top`` is false (a long legend stays where the figure put it). The title starts
    below plotly's mode bar; long titles, axis titles and category labels wrap (:func:`wrap`,
    :func:`wrap_categories`); the foot is set flush right under the plot, where a wide label
    column on the left cannot push it out of the image: nothing is covered or cut on a 390 px
    phone. The axes make room for their titles (``automargin``).

    Examples
    --------
    >>> import plotly.graph_objects as go
    >>> fig = stamp(go.Figure(), "Index", "us-2025 vs ru-2025", ["fas"], dt.date(2026, 12, 3))
    >>> fig.layout.title.text
    'Index<br>us-2025 vs ru-2025'
    >>> fig.layout.margin.t == MODEBAR_PX + 2 * TITLE_LINE_PX + TITLE_GAP_PX
    True
    >>> fig.layout.annotations[-1].text
    "detente, 2026-12-03; all sources: detente's /sources page<br>Sources: fas"
    """
    from detente.version import __version__

    day = (date or dt.date.today()).isoformat()
    sources = list(dict.fromkeys(sources))
    line = source_line(sources)
    foot = f"detente, {day}; {SOURCES_HINT}" + (f"<br>{line}" if line else "")
    axis_px = fig.layout.margin.b if fig.layout.margin.b is not None else 50
    for axis in (*fig.select_xaxes(), *fig.select_yaxes()):
        text = axis.title.text
        axis.update(
            automargin=True,
            title_font_size=AXIS_TITLE_FONT_PX,
            **({"title_text": wrap(text, AXIS_TITLE_CHARS)} if text else {}),
        )
    wrap_categories(fig)
    x_title = fig.layout.xaxis.title.text or ""
    axis_px += AXIS_TITLE_LINE_PX * x_title.count("<br>")  # the foot goes below a wrapped title
    names = [t.name for t in fig.data if t.name and t.showlegend is not False]
    # The legend wraps at the plot's width: a column of category labels left of it narrows it.
    ticks = [line for t in fig.layout.yaxis.ticktext or () for line in str(t).split("<br>")]
    label_px = LEGEND_CHAR_PX * max(map(len, ticks), default=0) - TICK_LABEL_ROOM_PX
    width = LEGEND_ROW_WIDTH_PX - max(0, label_px)
    rows = legend_rows(names, width) if legend_on_top and fig.layout.showlegend is not False else 0
    legend_px = LEGEND_ROW_PX * rows
    heading = wrap(f"{title}<br>{scenario}", TITLE_CHARS)
    top_px = MODEBAR_PX + TITLE_LINE_PX * (heading.count("<br>") + 1) + TITLE_GAP_PX
    fig.update_layout(
        title={
            "text": heading,
            "x": 0.01,
            "xanchor": "left",
            "y": 1,
            "yref": "container",
            "yanchor": "top",
            "pad": {"t": MODEBAR_PX},
            "font_size": TITLE_FONT_PX,
        },
        margin={"t": top_px + legend_px, "b": axis_px + FOOT_PX},
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
        x=1,
        y=0,
        xanchor="right",
        yanchor="top",
        yshift=-axis_px,
        showarrow=False,
        align="right",
        font={"size": 10, "color": "#444"},
    )
    return fig


def wrap_categories(fig: go.Figure) -> go.Figure:
    """Wrap the long category labels of ``fig``'s axes (:data:`Y_LABEL_CHARS`,
    :data:`X_LABEL_CHARS`) as tick texts; the data keeps its labels (hover, CSV). An axis with
    tick texts of its own has those wrapped; dates are left alone.

    Examples
    --------
    >>> import plotly.graph_objects as go
    >>> fig = wrap_categories(go.Figure(go.Bar(y=["a label longer than the limit"], x=[1])))
    >>> fig.layout.yaxis.ticktext
    ('a label longer than the<br>limit',)
    """
    for letter, width in (("x", X_LABEL_CHARS), ("y", Y_LABEL_CHARS)):
        labels: dict[str, list[str]] = {}
        for trace in fig.data:
            values = _values(getattr(trace, letter, None))
            if values and all(isinstance(v, str) for v in values):
                ref = getattr(trace, f"{letter}axis", None) or letter
                labels.setdefault(ref, [])
                labels[ref] += [v for v in values if v not in labels[ref]]
        for ref, names in labels.items():
            axis = fig.layout[f"{letter}axis{ref[1:]}"]
            if axis.ticktext is not None:
                names, texts = list(axis.tickvals), list(axis.ticktext)
            else:
                texts = names
            if any(DATE.match(str(n)) for n in names) or max(len(t) for t in texts) <= width:
                continue
            axis.update(tickmode="array", tickvals=names, ticktext=[wrap(t, width) for t in texts])
    return fig


def bar_chart_height(labels: Sequence[str]) -> int:
    """Height [px] of a chart with one bar per label, each label wrapped as on its axis
    (:data:`Y_LABEL_CHARS`): every label has room for all its lines.

    Examples
    --------
    >>> bar_chart_height(["short", "short"]), bar_chart_height(["a much longer label " * 3])
    (314, 317)
    """
    lines = max((wrap(str(x), Y_LABEL_CHARS).count("<br>") + 1 for x in labels), default=1)
    return BAR_CHART_CHROME_PX + len(labels) * (BAR_LINE_PX * lines + BAR_GAP_PX)


def legend_rows(names: Sequence[str], width: float = LEGEND_ROW_WIDTH_PX) -> int:
    """Rows a horizontal legend of ``names`` takes in ``width`` [px] (plotly puts the entries
    of a wrapped legend in columns as wide as its widest entry).

    Examples
    --------
    >>> legend_rows([]), legend_rows(["index"]), legend_rows(["a long name " * 4] * 3)
    (0, 1, 3)
    """
    if not names:
        return 0
    widest = LEGEND_SYMBOL_PX + LEGEND_CHAR_PX * max(len(n) for n in names)
    return math.ceil(len(names) / max(1, int(width // widest)))


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
