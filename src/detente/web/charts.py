"""The page's charts, computed and drawn on the server: ``POST /api/chart`` answers a figure as
plotly JSON (built by :mod:`detente.report.stability_figures`, the reports' and the API's own
builders), its caption, its data as CSV and a one-line summary.

The index against one input and the weapons domain are evaluated in one batched call each
(:func:`detente.analysis.uncertainty.evaluate_batch`): the swept input, the scaled launchers
and, where the request names uncertain inputs (``preset``: an example's ``uncertain:`` block,
or ``uncertain``), the Monte Carlo samples behind the 5th-95th percentile band are rows of the
same call.
"""

from __future__ import annotations

import json
import re
from dataclasses import replace
from typing import Annotated, Any, Literal

import numpy as np
from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from detente.analysis.scenario import ResolvedScenario, Target, UncertainInput, resolve
from detente.errors import InputError
from detente.model.distribution import Uniform
from detente.model.glossary import party_name
from detente.model.yamlio import Document, parse_yaml
from detente.report import publish
from detente.web import bundled, page
from detente.web.schemas import ExploreRequest

#: Force scale factors of the weapons domain (each side's strategic launchers) [-].
SCALES = (0.25, 0.5, 0.75, 1.0, 1.25, 1.5, 2.0)
#: Most points of the index against one input, and most Monte Carlo samples of its band.
MAX_POINTS = 51
MAX_SAMPLES = 2_000
#: The inputs the x axis can take (dotted scenario paths, as under ``uncertain:``).
INPUT_PATH = re.compile(
    r"^parameters\.(de|alpha|surcharge|avail|assured_destruction_emt)$"
    r"|^parties\.[A-Z]{2}\.(w80|defense\.interceptors)$"
    r"|^parties\.[A-Z]{2}\.holdings\.[\w .()/'-]{1,100}\.(launchers\.deployed|loading|alert\.\w+)$"
)
#: x values rounded to whole numbers (counts).
WHOLE = re.compile(r"(w80|interceptors|launchers\.deployed)$")


class ChartIn(BaseModel):
    """A chart of the page's state.

    ``sweep`` needs ``input`` (a dotted path, as under a scenario's ``uncertain:``), ``low``
    and ``high``; its band comes from the state's own uncertain inputs, ``preset`` (those of
    a bundled example) and ``uncertain`` (distributions by path, as in a scenario file).
    """

    model_config = ConfigDict(extra="forbid", allow_inf_nan=False)

    chart: Literal["drawdown", "domain", "sweep", "weapons"]
    state: ExploreRequest
    input: Annotated[str, Field(max_length=200)] | None = None
    low: float | None = Field(default=None, ge=0, le=1e7)
    high: float | None = Field(default=None, ge=0, le=1e7)
    points: int = Field(default=11, ge=2, le=MAX_POINTS)
    preset: Annotated[str, Field(min_length=1, max_length=100)] | None = None
    uncertain: dict[str, dict[str, Any]] = Field(default_factory=dict, max_length=32)
    samples: int = Field(default=400, ge=1, le=MAX_SAMPLES)
    seed: int = Field(default=0, ge=0, le=2**32 - 1)

    @field_validator("input")
    @classmethod
    def _a_path(cls, value: str | None) -> str | None:
        if value is not None and not INPUT_PATH.match(value):
            raise ValueError(
                f"{value!r} is not an input the chart can sweep; give parameters.<de|alpha|"
                "surcharge|avail|assured_destruction_emt>, parties.<PARTY>.w80, parties.<PARTY>"
                ".defense.interceptors or parties.<PARTY>.holdings.<HOLDING>.<launchers.deployed"
                "|loading|alert.<posture>>"
            )
        return value

    @model_validator(mode="after")
    def _sweep_needs_an_input(self) -> ChartIn:
        if self.chart == "sweep":
            if self.input is None or self.low is None or self.high is None:
                raise ValueError("a sweep chart needs input, low and high")
            if self.low >= self.high:
                raise ValueError(f"low ({self.low:g}) must be below high ({self.high:g})")
        return self


def _answer(kind: str, fig: Any, rows: list[list[Any]], summary: str) -> dict[str, Any]:
    meta = fig.layout.meta
    comment = (
        f"{meta['title']}; {meta['scenario']}; detente {meta['date']}; "
        f"sources: {', '.join(meta['sources'])} (see /sources)"
    )
    return {
        "chart": kind,
        "figure": json.loads(fig.to_json()),
        "caption": stability_figures().CAPTIONS[kind],
        "csv": publish.csv_text(rows, comment),
        "summary": summary,
    }


def chart(req: ChartIn) -> dict[str, Any]:
    """The chart ``req.chart`` of the page state ``req.state``."""
    return BUILDERS[req.chart](req)


def _name(req: ChartIn) -> str | None:
    name = req.state.scenario.name
    return None if name == "web" else name


def _drawdown(req: ChartIn) -> dict[str, Any]:
    _, sides, result, _ = page.evaluate_state(req.state.scenario)
    scenario, sources = stability_figures().describe(sides, _name(req))
    fig = stability_figures().drawdown_figure({"": result}, scenario, sources)
    rows: list[list[Any]] = [["striker", "victim", "warheads on counterforce", "destroyed"]]
    for striker, curve in result.drawdown.items():
        victim = next(k for k in result.labels if k != striker)
        rows += [[striker, victim, x, k] for x, k in zip(curve["x"], curve["K"], strict=True)]
    xs = ", ".join(f"{party_name(k)} {result.x_star[k]:,.0f}" for k in result.labels)
    return _answer("drawdown", fig, rows, f"cheapest first strikes: {xs} warheads")


def _domain(req: ChartIn) -> dict[str, Any]:
    _, sides, result, _ = page.evaluate_state(req.state.scenario)
    scenario, sources = stability_figures().describe(sides, _name(req))
    fig = stability_figures().domain_figure(result, scenario, sources)
    rows: list[list[Any]] = [["side", "r (capped)", "r (uncapped)", "C1", "C2"]]
    rows += [
        [k, result.r[k], result.r_uncapped[k], result.C1[k], result.C2[k]] for k in result.labels
    ]
    rows.append(["index", result.fsi, "", "", ""])
    return _answer("domain", fig, rows, f"index {result.fsi:.2f}")


def _preset_uncertain(name: str | None) -> dict[str, Any]:
    """The ``uncertain:`` block of the bundled example ``name`` (none without a name)."""
    if name is None:
        return {}
    texts = bundled.example_texts()
    if name not in texts:
        raise InputError(f"unknown preset {name!r}", field="preset")
    data = parse_yaml(texts[name], f"examples/{name}.yaml").data
    return dict(data.get("uncertain") or {})


def _with_defense(data: dict[str, Any], path: str) -> None:
    """A side swept over its interceptors gets a defence block (0 interceptors) if it has none."""
    m = re.match(r"^parties\.([A-Z]{2})\.defense\.interceptors$", path)
    if not m:
        return
    for party in data["parties"]:
        if bundled.force(party["force"]).party == m[1] and not party.get("defense"):
            party["defense"] = {"interceptors": 0}


def _base_value(resolved: ResolvedScenario, item: UncertainInput) -> float:
    """The scenario's own value of the quantity an uncertain input moves."""
    t = item.target
    if t.kind == "parameter":
        extra = {"reserve": resolved.reserve, "assured_destruction_emt": resolved.emt()}
        return float(extra[t.name] if t.name in extra else getattr(resolved.params, t.name))
    party = resolved.party(t.party)
    if t.kind == "w80":
        pair = resolved.labels[0], resolved.labels[1]
        return next(s.w80 for s in resolved.sides(pair) if s.label == t.party)
    if t.kind == "defense":
        return float(getattr(party.defense, t.name))
    h = party.force.holdings[t.holding]
    if t.name.startswith("alert."):
        return float(h.alert_fraction(t.name.split(".", 1)[1]))
    return float(
        {"loading": h.mean_loading, "warheads": h.deployed_warheads}.get(
            t.name, h.launchers.deployed
        )
    )


def _sweep(req: ChartIn) -> dict[str, Any]:
    from detente.analysis.uncertainty import QUANTILES, draw, evaluate_batch, side_of
    from detente.report.words import input_label

    data = req.state.scenario.model_dump(exclude_none=True)
    uncertain = {**data.get("uncertain", {}), **_preset_uncertain(req.preset), **req.uncertain}
    uncertain[req.input] = {"dist": "uniform", "low": req.low, "high": req.high}
    _with_defense(data, req.input)
    scenario, _ = page.load_checked(Document({**data, "uncertain": uncertain}, "<chart>"))
    resolved = resolve(scenario)
    xs = np.linspace(req.low, req.high, req.points)
    xs = np.unique(np.round(xs) if WHOLE.search(req.input) else np.round(xs, 6))
    band = [x for x in resolved.inputs if x.path != req.input]
    n, s = xs.size, req.samples if band else 0
    values = {req.input: np.concatenate([xs, np.repeat(xs, s)])}
    drawn = draw({x.path: x.dist for x in band}, s, req.seed) if band else {}
    for x in band:
        values[x.path] = np.concatenate(
            [np.full(n, _base_value(resolved, x)), np.tile(drawn[x.path], n)]
        )
    out = evaluate_batch(resolved, values, n * (1 + s))
    labels = resolved.labels
    pair = (labels[0], labels[1])
    index = out["fsi_system"].values
    fsi = index[:n]
    r = {k: side_of(out, "r", pair, k).values[:n] for k in labels}
    quantiles = None
    if band:
        samples = index[n:].reshape(n, s)
        quantiles = {k: np.quantile(samples, QUANTILES[k], axis=1) for k in ("p05", "p95")}
    label = input_label(req.input)
    name, sources = stability_figures().describe(resolved.sides(labels[:2]), _name(req))
    note = f" over {len(band)} uncertain inputs, {s:,} samples" if band else ""
    fig = stability_figures().index_against_figure(
        xs, label, fsi, r, name, sources, band=quantiles, band_note=note
    )
    rows: list[list[Any]] = [[label, "index", *(f"r {k} (capped)" for k in labels)]]
    if quantiles:
        rows[0] += ["index p05", "index p95"]
    for i, x in enumerate(xs):
        row = [float(x), float(fsi[i]), *(float(r[k][i]) for k in labels)]
        if quantiles:
            row += [float(quantiles["p05"][i]), float(quantiles["p95"][i])]
        rows.append(row)
    summary = f"{n} points, {fsi.min():.2f} to {fsi.max():.2f}" + (
        f"; band from {len(band)} uncertain inputs ({s:,} samples)" if band else ""
    )
    answer = _answer("sweep", fig, rows, summary)
    answer["band"] = [x.path for x in band]
    return answer


def _weapons(req: ChartIn) -> dict[str, Any]:
    from detente.analysis.elements import strategic_holdings
    from detente.analysis.uncertainty import evaluate_batch, side_of

    resolved, sides, result, _ = page.evaluate_state(req.state.scenario)
    labels = resolved.labels[:2]
    k = len(SCALES)
    factor = {labels[0]: np.tile(SCALES, k), labels[1]: np.repeat(SCALES, k)}
    inputs, values = [], {}
    warheads = {lab: np.zeros(k) for lab in labels}
    for lab in labels:
        force = resolved.party(lab).force
        for i, _system in strategic_holdings(force):
            h = force.holdings[i]
            path = f"weapons.{lab}.{i}"
            deployed = float(h.launchers.deployed)
            target = Target("holding", "launchers.deployed", lab, i, 0.0, np.inf)
            dist = Uniform(dist="uniform", low=0.0, high=deployed * max(SCALES))
            inputs.append(UncertainInput(path, dist, target))
            values[path] = np.round(deployed * factor[lab])
            warheads[lab] += np.round(deployed * np.asarray(SCALES)) * h.mean_loading
    out = evaluate_batch(replace(resolved, inputs=tuple(inputs)), values, k * k)
    fsi = out["fsi_system"].values.reshape(k, k)
    r = {lab: side_of(out, "r", labels, lab).values.reshape(k, k) for lab in labels}
    current = {lab: float(warheads[lab][SCALES.index(1.0)]) for lab in labels}
    name, sources = stability_figures().describe(sides, _name(req))
    fig = stability_figures().weapons_figure(warheads, fsi, r, current, name, sources)
    a, b = labels
    rows: list[list[Any]] = [
        [f"{a} warheads", f"{b} warheads", "index", f"r {a} (capped)", f"r {b} (capped)"]
    ]
    for j in range(k):
        for i in range(k):
            cell = (warheads[a][i], warheads[b][j], fsi[j, i], r[a][j, i], r[b][j, i])
            rows.append([float(v) for v in cell])
    summary = f"{k * k} points, index {fsi.min():.2f} to {fsi.max():.2f} (as set: {result.fsi:.2f})"
    return _answer("weapons", fig, rows, summary)


def agreement_chart(req: Any) -> dict[str, Any]:
    """The zone of possible agreement (:func:`detente.web.agreement.zone`) with its figure."""
    from detente.web import agreement

    zone = agreement.zone(req)
    forces = [bundled.force(p.force) for p in req.parties]
    scenario, sources = stability_figures().describe_forces(forces)
    fig = stability_figures().agreement_figure(zone, scenario, sources)
    return {**zone, **_answer("agreement", fig, publish.figure_rows(fig), "")}


def stability_figures():
    """The figure builders (imported on first use: plotly is heavy)."""
    from detente.report import stability_figures as module

    return module


BUILDERS = {"drawdown": _drawdown, "domain": _domain, "sweep": _sweep, "weapons": _weapons}
