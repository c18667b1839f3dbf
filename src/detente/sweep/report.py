"""A self-contained HTML report of a sweep file: Sobol' indices, the zone of possible
agreement with its Pareto frontier, and the distributions of the outputs.

plotly.js is inlined from the installed ``plotly`` package, so the report works offline. Plots
of many points show a fixed random subset (seed 0) of at most :data:`MAX_PLOTTED` points;
histograms and counts use every point.
"""

from __future__ import annotations

import html
from pathlib import Path

import jinja2
import numpy as np
import pandas as pd
import plotly.graph_objects as go
from plotly.offline import get_plotlyjs

from detente.files import check_output, write_text
from detente.sweep.agreement import (
    acceptance,
    agreement_zone,
    objectives_from_criteria,
    pareto_frontier,
)
from detente.sweep.sensitivity import analyze
from detente.sweep.spec import Criterion, Parameter, SweepSpec
from detente.sweep.store import SweepStore

MAX_PLOTTED = 5000  # points drawn in a scatter plot; keeps the report small
MAX_ROWS = 50  # rows of a table shown in full
BINS = 40

TEMPLATE = jinja2.Template(
    """<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8">
<title>Sweep report: {{ spec.model }} {{ meta.run_id[:8] }}</title>
<style>
body { font-family: system-ui, sans-serif; margin: 2rem auto; max-width: 70rem; color: #222; }
table { border-collapse: collapse; margin: 0.5rem 0 1rem; font-size: 0.9rem; }
th, td { border: 1px solid #ccc; padding: 0.2rem 0.5rem; text-align: right; }
th { background: #f3f3f3; } td:first-child, th:first-child { text-align: left; }
.note { color: #555; font-size: 0.9rem; } .warn { color: #a40; }
</style>
<script>{{ plotlyjs }}</script>
</head><body>
<h1>Sweep report: {{ spec.model }}</h1>
<p>Run <code>{{ meta.run_id }}</code>, spec hash <code>{{ meta.spec_hash[:16] }}</code>,
created {{ meta.created_utc }} with detente {{ meta.detente_version }}.
Sampler <b>{{ spec.sampler }}</b>, {{ "{:,}".format(meta.n_points) }} points,
{{ "{:,}".format(n_stored) }} with results{% if n_stored < meta.n_points %}
<span class="warn">(incomplete: run the same sweep command again to resume)</span>{% endif %}.</p>
{{ sessions }}
<h2>Parameters</h2>
{{ parameters }}
{% for section in sections %}<h2>{{ section.title }}</h2>
{% for part in section.parts %}{{ part }}
{% endfor %}{% endfor %}
</body></html>
"""
)


def write_report(store: SweepStore, path: str | Path) -> Path:
    """Write the HTML report of ``store`` to ``path`` (atomically) and return the path.

    The store itself, a folder or a device as ``path`` are refused with an
    :class:`~detente.errors.InputError`.
    """
    path = check_output(Path(path), inputs=[store.path])
    spec, meta, results = store.spec(), store.meta, store.results()
    sections = [_sobol_section(spec, results), _agreement_section(spec, results)]
    sections.append(_outputs_section(spec, results))
    page = TEMPLATE.render(
        spec=spec,
        meta=meta,
        n_stored=len(results),
        sessions=_table(store.sessions()),
        parameters=_table(pd.DataFrame([_describe(p) for p in spec.parameters])),
        sections=[s for s in sections if s is not None],
        plotlyjs=get_plotlyjs(),
    )
    return write_text(path, page)


def _section(title: str, *parts: str) -> dict:
    return {"title": title, "parts": parts}


def _note(text: str) -> str:
    return f'<p class="note">{html.escape(text)}</p>'


def _table(frame: pd.DataFrame, limit: int = MAX_ROWS) -> str:
    shown = frame.head(limit).to_html(index=False, float_format=lambda x: f"{x:.4g}", border=0)
    if len(frame) > limit:
        shown += _note(f"First {limit} of {len(frame):,} rows.")
    return shown


def _figure(fig: go.Figure) -> str:
    fig.update_layout(template="plotly_white", margin={"l": 50, "r": 20, "t": 40, "b": 40})
    return fig.to_html(full_html=False, include_plotlyjs=False, config={"responsive": True})


def _describe(p: Parameter) -> dict:
    if p.values is not None:
        return {"parameter": p.name, "kind": "values", "definition": ", ".join(map(str, p.values))}
    if p.bounds is not None:
        levels = f", {p.levels} levels" if p.levels else ""
        return {
            "parameter": p.name,
            "kind": "bounds",
            "definition": f"[{p.bounds[0]}, {p.bounds[1]}]{levels}",
        }
    d = p.dist.model_dump(exclude_none=True)
    kind = d.pop("kind")
    return {
        "parameter": p.name,
        "kind": kind,
        "definition": ", ".join(f"{k}={v}" for k, v in d.items()),
    }


def _condition(c: Criterion) -> dict:
    if c.min is not None and c.max is not None:
        text = f"{c.min:g} ≤ {c.column} ≤ {c.max:g}"
    else:
        text = f"{c.column} ≥ {c.min:g}" if c.min is not None else f"{c.column} ≤ {c.max:g}"
    kind = "output" if c.output is not None else "input"
    return {"party": c.party or "every party", "accepts when": text, "on": kind}


def _outputs(spec: SweepSpec, results: pd.DataFrame) -> list[str]:
    return [c for c in results.columns if c != "point_id" and c not in spec.names]


def _subset(frame: pd.DataFrame) -> pd.DataFrame:
    if len(frame) <= MAX_PLOTTED:
        return frame
    keep = np.sort(np.random.default_rng(0).choice(len(frame), MAX_PLOTTED, replace=False))
    return frame.iloc[keep]


def _sobol_section(spec: SweepSpec, results: pd.DataFrame) -> dict | None:
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
            title=f"Sobol' indices of {output}",
            barmode="group",
            xaxis_title="index [-]",
            yaxis={"autorange": "reversed", "automargin": True},
            height=160 + 60 * len(rows),
        )
        parts.append(_figure(fig))
    parts.append(_table(si.first_total))
    if si.second is not None:
        parts.append(_table(si.second))
    return _section("Sobol' sensitivity indices", *parts)


def _agreement_section(spec: SweepSpec, results: pd.DataFrame) -> dict | None:
    if not spec.criteria:
        return None
    if results.empty:
        return _section("Zone of possible agreement", _note("No results stored yet."))
    crit = pd.DataFrame([_condition(c) for c in spec.criteria])
    accepted = acceptance(results, spec.criteria)
    zone = agreement_zone(results, spec.criteria)
    counts = pd.DataFrame(
        {
            "party": [*accepted.columns, "every party (zone)"],
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
        f"{'maximise' if d == 'max' else 'minimise'} {c}" for c, d in objectives.items()
    )
    parts.append(
        _note(f"Pareto frontier of the zone ({goals}): {len(front):,} of {len(zone):,} points.")
    )
    cols = list(objectives)
    if len(cols) >= 2:
        x, y = cols[0], cols[1]
        shown = _subset(results)
        inside = accepted.loc[shown.index].all(axis=1)
        fig = go.Figure()
        fig.add_scattergl(
            x=shown.loc[~inside, x],
            y=shown.loc[~inside, y],
            mode="markers",
            name="rejected",
            marker={"color": "#bbb", "size": 4},
        )
        fig.add_scattergl(
            x=shown.loc[inside, x],
            y=shown.loc[inside, y],
            mode="markers",
            name="zone",
            marker={"color": "#1f77b4", "size": 5},
        )
        fig.add_scattergl(
            x=front[x],
            y=front[y],
            mode="markers",
            name="Pareto frontier",
            marker={"color": "#d62728", "size": 8},
        )
        fig.update_layout(title="Zone of possible agreement", xaxis_title=x, yaxis_title=y)
        parts.append(_figure(fig))
    parts.append(_table(front))
    return _section("Zone of possible agreement", *parts)


def _outputs_section(spec: SweepSpec, results: pd.DataFrame) -> dict:
    outputs = _outputs(spec, results)
    if results.empty:
        return _section("Outputs", _note("No results stored yet."))
    parts = []
    if len(results) > MAX_PLOTTED:
        parts.append(
            _note(
                f"Scatter plots show {MAX_PLOTTED:,} of {len(results):,} points (random, seed 0)."
            )
        )
    shown = _subset(results)
    for out in outputs:
        column = results[out]
        fig = go.Figure()
        if pd.api.types.is_numeric_dtype(column) and not pd.api.types.is_bool_dtype(column):
            values = column.to_numpy(dtype=float)
            values = values[np.isfinite(values)]
            counts, edges = np.histogram(values, bins=BINS)
            fig.add_bar(x=0.5 * (edges[:-1] + edges[1:]), y=counts, width=np.diff(edges), name=out)
        else:
            tally = column.astype(str).value_counts(sort=False)
            fig.add_bar(x=tally.index, y=tally.to_numpy(), name=out)
        fig.update_layout(title=f"Distribution of {out}", xaxis_title=out, yaxis_title="points")
        parts.append(_figure(fig))
        for name in spec.names:
            fig = go.Figure()
            fig.add_scattergl(x=shown[name], y=shown[out], mode="markers", marker={"size": 3})
            fig.update_layout(
                title=f"{out} against {name}", xaxis_title=name, yaxis_title=out, height=320
            )
            parts.append(_figure(fig))
    return _section("Outputs", *parts)
