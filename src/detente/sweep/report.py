"""A self-contained HTML report of a sweep file: Sobol' indices, the zone of possible
agreement with its Pareto frontier, and the distributions of the outputs.

The smallest plotly.js bundle that draws the figures is inlined
(:func:`detente.report.plotlyjs.plotlyjs_for`), so the report works offline. Every figure is
SVG (no WebGL: a browser keeps only about 16 WebGL contexts, and a report has dozens of
figures). The zone's scatter shows a fixed random subset (seed 0) of at most
:data:`MAX_PLOTTED` points; each output against each parameter is drawn as its median with the
5th-95th percentile band over the other parameters; histograms and counts use every point.

Each figure's data is written as CSV beside the report (``<report>-fig-<n>.csv``, columns named
with their units) and linked from its caption.
"""

from __future__ import annotations

import datetime as dt
import html
from pathlib import Path
from urllib.parse import quote

import jinja2
import numpy as np
import pandas as pd
import plotly.graph_objects as go

from detente.files import check_output, write_files
from detente.model.glossary import party_name
from detente.report.plotlyjs import LAZY_LOADER, lazy_figure_html, plotlyjs_for
from detente.report.publish import csv_text, parameter_sources, stamp
from detente.sweep.agreement import (
    acceptance,
    agreement_zone,
    objectives_from_criteria,
    pareto_frontier,
)
from detente.sweep.sensitivity import analyze
from detente.sweep.spec import Criterion, Parameter, SweepSpec
from detente.sweep.store import SweepStore

MAX_PLOTTED = 2000  # points drawn in a scatter plot (SVG); keeps the report small and fast
MAX_ROWS = 50  # rows of a table shown in full
BINS = 40
MAX_LEVELS = 60  # a parameter with more distinct values is binned for its band chart
BAND_BINS = 20
#: Words for the parts of a sweep column name (``treaty.warhead_cap``, ``arriving.US``).
COLUMN_WORDS = {
    "fsi": "first-strike stability index",
    "treaty": "",
    "warhead_cap": "warhead cap",
    "launcher_cap": "launcher cap",
    "interceptor_cap": "interceptor cap",
    "mirv": "MIRV rule",
    "arriving": "arriving warheads",
    "surviving": "surviving warheads",
    "deployed_warheads": "deployed warheads",
    "r": "cost ratio r",
    "C1": "cost of striking first",
    "C2": "cost of being struck",
}
#: Units of the sweep columns, by a part of the column name (the first part that has one).
COLUMN_UNITS = {
    "fsi": "0 to 1",
    "r": "0 to 1",
    "warhead_cap": "warheads",
    "launcher_cap": "launchers",
    "interceptor_cap": "interceptors",
    "arriving": "warheads",
    "surviving": "warheads",
    "deployed_warheads": "warheads",
    "deployed_launchers": "launchers",
    "interceptors": "interceptors",
    "C1": "-",
    "C2": "-",
}
#: Column parts that name a category, not a quantity (no unit).
CATEGORIES = frozenset({"mirv"})
#: The unit said of a column of no known unit (a model of the sweep file's own).
UNKNOWN_UNIT = "units of the sweep's model"

TEMPLATE = jinja2.Template(
    """<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Sweep report: {{ spec.model }} {{ meta.run_id[:8] }}</title>
<style>
body { font-family: system-ui, sans-serif; margin: 0 auto; padding: 1rem; max-width: 70rem;
  color: #222; }
table { border-collapse: collapse; margin: 0.5rem 0 1rem; font-size: 0.9rem; }
th, td { border: 1px solid #ccc; padding: 0.2rem 0.5rem; text-align: right; }
th { background: #f3f3f3; } td:first-child, th:first-child { text-align: left; }
.table-wrap { overflow-x: auto; max-width: 100%; }
.note, figcaption { color: #555; font-size: 0.9rem; } .warn { color: #a40; }
.findings { background: #f4f7fb; border-left: 4px solid #1f5fa8; padding: 0.5rem 0.8rem; }
figure { margin: 1rem 0; break-inside: avoid; }
@media print {
  body { max-width: none; padding: 0; font-size: 10pt; }
  .modebar, .modebar-container { display: none !important; }
  h2 { break-before: auto; break-after: avoid; }
  .table-wrap { overflow: visible; }
}
</style>
<script>{{ plotlyjs }}</script>
</head><body><main>
<h1>Sweep report: {{ spec.model }}</h1>
{% if findings %}<div class="findings"><h2>Findings</h2>
{% for f in findings %}<p>{{ f | e }}</p>{% endfor %}</div>{% endif %}
<p>Run <code>{{ meta.run_id }}</code>, spec hash <code>{{ meta.spec_hash[:16] }}</code>,
created {{ meta.created_utc }} with detente {{ meta.detente_version }}{% if meta.kernel %},
every point on the {{ meta.kernel }} kernel{% endif %}.
Sampler <b>{{ spec.sampler }}</b>, {{ "{:,}".format(meta.n_points) }} points,
{{ "{:,}".format(n_stored) }} with results{% if n_stored < meta.n_points %}
<span class="warn">(incomplete: run the same sweep command again to resume)</span>{% endif %}.</p>
{{ sessions }}
<h2>Parameters</h2>
{{ parameters }}
{% for section in sections %}<h2>{{ section.title }}</h2>
{% for part in section.parts %}{{ part }}
{% endfor %}{% endfor %}
</main>
{{ loader }}
</body></html>
"""
)


def write_report(store: SweepStore, path: str | Path) -> Path:
    """Write the HTML report of ``store`` to ``path`` and each figure's data as CSV beside it
    (``<stem>-fig-<n>.csv``, linked from the figure's caption); return the report's path.

    All files are written to temporary files first and then renamed
    (:func:`~detente.files.write_files`). The store itself, a folder or a device as ``path``
    are refused with an :class:`~detente.errors.InputError`.
    """
    path = check_output(Path(path), inputs=[store.path])
    spec, meta, results = store.spec(), store.meta, store.results()
    figures = _Figures(
        f"sweep of {spec.model}, run {meta['run_id'][:8]}", parameter_sources(), path.stem
    )
    sections = [
        _sobol_section(spec, results, figures),
        _agreement_section(spec, results, figures),
        _outputs_section(spec, results, figures),
    ]
    page = TEMPLATE.render(
        spec=spec,
        meta=meta,
        n_stored=len(results),
        findings=_findings(spec, results),
        sessions=_table(store.sessions()),
        parameters=_table(pd.DataFrame([_describe(p) for p in spec.parameters])),
        sections=[s for s in sections if s is not None],
        plotlyjs=plotlyjs_for(figures),
        loader=LAZY_LOADER,
    )
    writers = {name: _writer(text) for name, text in figures.csvs.items()}
    writers[path.name] = _writer(page)
    write_files(path.parent, writers)
    return path


def _writer(text: str):
    return lambda target: target.write_text(text, encoding="utf-8")


def _section(title: str, *parts: str) -> dict:
    return {"title": title, "parts": parts}


def _note(text: str) -> str:
    return f'<p class="note">{html.escape(text)}</p>'


def label(column: str) -> str:
    """A reader's name for a sweep column (a column of no known words stays as it is).

    Examples
    --------
    >>> label("treaty.warhead_cap"), label("arriving.US"), label("fsi"), label("x3")
    ('Warhead cap', 'Arriving warheads, United States', 'First-strike stability index', 'x3')
    """
    parts = [p for p in column.split(".") if p]
    known = [p in COLUMN_WORDS or party_name(p) != p for p in parts]
    if not any(known):
        return column
    words = [
        COLUMN_WORDS.get(p, party_name(p) if p.isupper() else p.replace("_", " ")) for p in parts
    ]
    head = [w for w in words if w]
    text = head[0] + ("" if len(head) == 1 else ", " + ", ".join(head[1:]))
    return text[0].upper() + text[1:]


def column_title(column: str) -> str:
    """A sweep column's name with its unit, for axis titles and CSV headers.

    Examples
    --------
    >>> column_title("arriving.US"), column_title("fsi")
    ('Arriving warheads, United States [warheads]', 'First-strike stability index [0 to 1]')
    >>> column_title("treaty.mirv"), column_title("y")
    ('MIRV rule', "y [units of the sweep's model]")
    """
    parts = [p for p in column.split(".") if p]
    if any(p in CATEGORIES for p in parts):
        return label(column)
    unit = next((COLUMN_UNITS[p] for p in parts if p in COLUMN_UNITS), UNKNOWN_UNIT)
    return f"{label(column)} [{unit}]"


def _table(frame: pd.DataFrame, limit: int = MAX_ROWS) -> str:
    frame = frame.rename(columns={c: label(c) for c in frame.columns if "." in str(c)})
    shown = frame.head(limit).to_html(index=False, float_format=lambda x: f"{x:,.4g}", border=0)
    shown = f'<div class="table-wrap" tabindex="0">{shown}</div>'
    if len(frame) > limit:
        shown += _note(f"First {limit} of {len(frame):,} rows.")
    return shown


class _Figures(list):
    """The report's figures (to pick the plotly bundle), with the scenario line and the sources
    each one carries in its image, and each one's data as CSV text by file name (``csvs``;
    ``stem``: the report's file name without suffix)."""

    def __init__(self, scenario: str, sources: tuple[str, ...], stem: str) -> None:
        super().__init__()
        self.scenario, self.sources, self.stem = scenario, sources, stem
        self.csvs: dict[str, str] = {}


def _figure(fig: go.Figure, figures: _Figures, caption: str, data: pd.DataFrame) -> str:
    """A figure in SVG with its caption and a link to ``data`` (its data, columns named with
    units), stamped with its title, the sweep, the date and the sources
    (:func:`~detente.report.publish.stamp`); ``figures`` collects both."""
    fig.update_layout(template="plotly_white", margin={"l": 60, "r": 20, "t": 40, "b": 50})
    title = fig.layout.title.text or ""
    stamp(fig, title, figures.scenario, figures.sources)
    figures.append(fig)
    name = f"{figures.stem}-fig-{len(figures)}.csv"
    comment = (
        f"{title}; {figures.scenario}; detente {dt.date.today().isoformat()}; "
        f"sources: {', '.join(figures.sources)}"
    )
    figures.csvs[name] = csv_text([list(data.columns), *data.itertuples(index=False)], comment)
    div = lazy_figure_html(fig, f"fig-{len(figures)}")
    link = f'Data: <a href="{html.escape(quote(name))}">{html.escape(name)}</a>.'
    return f"<figure>{div}<figcaption>{html.escape(caption)} {link}</figcaption></figure>"


def _findings(spec: SweepSpec, results: pd.DataFrame) -> list[str]:
    """The report's findings in words (the zone of possible agreement, when there is one)."""
    if not spec.criteria or results.empty:
        return []
    accepted = acceptance(results, spec.criteria)
    zone = agreement_zone(results, spec.criteria)
    by = "; ".join(f"{party_name(p)} {n:,}" for p, n in accepted.sum().items())
    share = len(zone) / len(results)
    out = [
        f"{len(zone):,} of {len(results):,} proposals ({share:.{1 if share < 0.1 else 0}%}) meet "
        f"every party's criteria (accepted by {by}). The criteria are listed below; in the "
        "bundled examples they are illustrative assumptions, not positions of any government."
    ]
    if "fsi" in zone.columns and not zone.empty:
        out.append(
            f"Inside the zone the first-strike stability index runs from "
            f"{zone['fsi'].min():.2f} to {zone['fsi'].max():.2f} (1 = neither side gains by "
            "striking first)."
        )
    return out


def _describe(p: Parameter) -> dict:
    if p.values is not None:
        return {
            "parameter": label(p.name),
            "kind": "values",
            "definition": ", ".join(map(str, p.values)),
        }
    if p.bounds is not None:
        levels = f", {p.levels} levels" if p.levels else ""
        return {
            "parameter": label(p.name),
            "kind": "bounds",
            "definition": f"[{p.bounds[0]}, {p.bounds[1]}]{levels}",
        }
    return {
        "parameter": label(p.name),
        "kind": p.dist.dist,
        "definition": ", ".join(f"{k}={v}" for k, v in p.dist.parameters.items()),
    }


def _condition(c: Criterion) -> dict:
    if c.min is not None and c.max is not None:
        text = f"{c.min:g} ≤ {label(c.column)} ≤ {c.max:g}"
    elif c.min is not None:
        text = f"{label(c.column)} ≥ {c.min:g}"
    else:
        text = f"{label(c.column)} ≤ {c.max:g}"
    kind = "output" if c.output is not None else "input"
    party = party_name(c.party) if c.party else "every party"
    return {"party": party, "accepts when": text, "on": kind}


def _outputs(spec: SweepSpec, results: pd.DataFrame) -> list[str]:
    return [c for c in results.columns if c != "point_id" and c not in spec.names]


def _subset(frame: pd.DataFrame) -> pd.DataFrame:
    if len(frame) <= MAX_PLOTTED:
        return frame
    keep = np.sort(np.random.default_rng(0).choice(len(frame), MAX_PLOTTED, replace=False))
    return frame.iloc[keep]


def _sobol_section(spec: SweepSpec, results: pd.DataFrame, figures: list[go.Figure]) -> dict | None:
    if spec.sampler != "sobol":
        return None
    try:
        si = analyze(spec, results)
    except ValueError as exc:
        return _section("Sobol' sensitivity indices", _note(str(exc)))
    parts = [
        _note(
            f"First-order (S1) and total (ST) indices, SALib sobol.analyze; error bars: "
            f"{si.conf_level:.0%} bootstrap confidence half-widths."
        )
    ]
    for output, rows in si.first_total.groupby("output", sort=False):
        fig = go.Figure()
        for key in ("S1", "ST"):
            fig.add_bar(
                name=key,
                y=rows["parameter"],
                x=rows[key],
                orientation="h",
                error_x={"type": "data", "array": rows[f"{key}_conf"]},
            )
        fig.update_layout(
            title=f"Sobol' indices of {label(output)}",
            barmode="group",
            xaxis_title="index [-]",
            yaxis={"autorange": "reversed", "automargin": True},
            height=160 + 60 * len(rows),
        )
        caption = (
            f"Share of the variance of {label(output)} due to each parameter alone (S1) and "
            "with its interactions (ST); unit: fraction of the variance."
        )
        unit = "[fraction of the variance]"
        data = pd.DataFrame(
            {
                "parameter": rows["parameter"].map(label),
                f"S1 {unit}": rows["S1"],
                f"S1 confidence half-width {unit}": rows["S1_conf"],
                f"ST {unit}": rows["ST"],
                f"ST confidence half-width {unit}": rows["ST_conf"],
            }
        )
        parts.append(_figure(fig, figures, caption, data))
    parts.append(_table(si.first_total))
    if si.second is not None:
        parts.append(_table(si.second))
    return _section("Sobol' sensitivity indices", *parts)


def _agreement_section(
    spec: SweepSpec, results: pd.DataFrame, figures: list[go.Figure]
) -> dict | None:
    if not spec.criteria:
        return None
    if results.empty:
        return _section("Zone of possible agreement", _note("No results stored yet."))
    crit = pd.DataFrame([_condition(c) for c in spec.criteria])
    accepted = acceptance(results, spec.criteria)
    zone = agreement_zone(results, spec.criteria)
    counts = pd.DataFrame(
        {
            "party": [*map(party_name, accepted.columns), "every party (zone)"],
            "points accepted": [*accepted.sum().tolist(), len(zone)],
        }
    )
    counts["share"] = counts["points accepted"] / max(len(results), 1)
    parts = [_table(crit), _table(counts)]
    objectives = spec.objectives or objectives_from_criteria(spec.criteria)
    if zone.empty:
        parts.append(_note("No point meets every party's criteria: the zone is empty."))
        return _section("Zone of possible agreement", *parts)
    if not objectives:
        parts.append(_note("No objectives (set objectives, or criteria with one bound each)."))
        return _section("Zone of possible agreement", *parts)
    front = pareto_frontier(zone, objectives)
    goals = ", ".join(
        f"{'maximise' if d == 'max' else 'minimise'} {label(c)}" for c, d in objectives.items()
    )
    parts.append(
        _note(f"Pareto frontier of the zone ({goals}): {len(front):,} of {len(zone):,} points.")
    )
    cols = list(objectives)
    if len(cols) >= 2:
        x, y = cols[0], cols[1]
        shown = _subset(results)
        inside = accepted.loc[shown.index].all(axis=1)
        zone_shown = _subset(zone)
        fig = go.Figure()
        fig.add_scatter(
            x=shown.loc[~inside, x],
            y=shown.loc[~inside, y],
            mode="markers",
            name="rejected by a party",
            marker={"color": "#bbb", "size": 4},
        )
        fig.add_scatter(
            x=zone_shown[x],
            y=zone_shown[y],
            mode="markers",
            name="accepted by every party",
            marker={"color": "#2a9d8f", "size": 5},
        )
        fig.add_scatter(
            x=front[x],
            y=front[y],
            mode="markers",
            name="Pareto frontier",
            marker={"color": "#1d2327", "size": 9, "symbol": "diamond-open", "line": {"width": 2}},
        )
        fig.update_layout(
            title="Zone of possible agreement",
            xaxis_title=column_title(x),
            yaxis_title=column_title(y),
        )
        caption = (
            f"Each dot is one proposal: {label(x)} against {label(y)} (units as named). "
            f"Drawn: {min(len(results), MAX_PLOTTED):,} of {len(results):,} proposals and "
            f"{min(len(zone), MAX_PLOTTED):,} of {len(zone):,} in the zone (random, seed 0); "
            "every point of the frontier. The data holds the drawn points; the sweep's DuckDB "
            "file holds them all."
        )
        drawn = [
            ("rejected by a party", shown.loc[~inside]),
            ("accepted by every party", zone_shown),
            ("Pareto frontier", front),
        ]
        data = pd.concat(
            [
                pd.DataFrame(
                    {
                        "series": name,
                        "point": rows["point_id"],
                        column_title(x): rows[x],
                        column_title(y): rows[y],
                    }
                )
                for name, rows in drawn
            ],
            ignore_index=True,
        )
        parts.append(_figure(fig, figures, caption, data))
    parts.append(_table(front))
    return _section("Zone of possible agreement", *parts)


def _band(x: pd.Series, y: pd.Series) -> pd.DataFrame:
    """Median and 5th-95th percentiles of ``y`` at each value of ``x`` (binned if many)."""
    frame = pd.DataFrame({"x": x.to_numpy(), "y": y.to_numpy(dtype=float)}).dropna()
    if frame["x"].nunique() > MAX_LEVELS and pd.api.types.is_numeric_dtype(frame["x"]):
        bins = pd.qcut(frame["x"], BAND_BINS, duplicates="drop")
        frame["x"] = bins.map(lambda b: b.mid).astype(float)
    grouped = frame.groupby("x", sort=True)["y"]
    return pd.DataFrame(
        {
            "p05": grouped.quantile(0.05),
            "median": grouped.median(),
            "p95": grouped.quantile(0.95),
        }
    ).reset_index()


def _band_figure(name: str, out: str, band: pd.DataFrame) -> go.Figure:
    fig = go.Figure()
    fig.add_scatter(
        x=band["x"],
        y=band["p95"],
        mode="lines",
        line={"width": 0},
        name="95th percentile",
        showlegend=False,
        hoverinfo="skip",
    )
    fig.add_scatter(
        x=band["x"],
        y=band["p05"],
        mode="lines",
        line={"width": 0},
        fill="tonexty",
        fillcolor="rgba(42,157,143,0.25)",
        name="5th-95th percentile",
    )
    fig.add_scatter(x=band["x"], y=band["median"], mode="lines+markers",
                    line={"color": "#2a9d8f"}, name="median")  # fmt: skip
    fig.update_layout(
        title=f"{label(out)} against {label(name)}",
        xaxis_title=column_title(name),
        yaxis_title=column_title(out),
        height=320,
        legend={"orientation": "h", "y": -0.3},
    )
    return fig


def _outputs_section(spec: SweepSpec, results: pd.DataFrame, figures: list[go.Figure]) -> dict:
    outputs = _outputs(spec, results)
    if results.empty:
        return _section("Outputs", _note("No results stored yet."))
    parts = [
        _note(
            "Each output's distribution over every point, then the output against each "
            "parameter: its median and the 5th-95th percentile band over the other parameters."
        )
    ]
    for out in outputs:
        column = results[out]
        fig = go.Figure()
        title = column_title(out)
        numeric = pd.api.types.is_numeric_dtype(column) and not pd.api.types.is_bool_dtype(column)
        if numeric:
            values = column.to_numpy(dtype=float)
            values = values[np.isfinite(values)]
            counts, edges = np.histogram(values, bins=BINS)
            fig.add_bar(x=0.5 * (edges[:-1] + edges[1:]), y=counts, width=np.diff(edges), name=out)
            data = pd.DataFrame(
                {
                    f"bin from: {title}": edges[:-1],
                    f"bin to: {title}": edges[1:],
                    "points [points]": counts,
                }
            )
        else:
            tally = column.astype(str).value_counts(sort=False)
            fig.add_bar(x=tally.index, y=tally.to_numpy(), name=out)
            data = pd.DataFrame({title: tally.index, "points [points]": tally.to_numpy()})
        fig.update_layout(
            title=f"Distribution of {label(out)}", xaxis_title=title, yaxis_title="points"
        )
        caption = f"Number of points at each value of {label(out)}, over all {len(results):,}."
        parts.append(_figure(fig, figures, caption, data))
        if not numeric:
            continue
        for name in spec.names:
            band = _band(results[name], column)
            fig = _band_figure(name, out, band)
            caption = (
                f"{label(out)} against {label(name)}: median (line) and 5th-95th percentile "
                f"(band) over the other parameters, {len(results):,} points."
            )
            data = band.rename(
                columns={
                    "x": column_title(name),
                    "p05": f"5th percentile: {title}",
                    "median": f"median: {title}",
                    "p95": f"95th percentile: {title}",
                }
            )
            parts.append(_figure(fig, figures, caption, data))
    return _section("Outputs", *parts)
