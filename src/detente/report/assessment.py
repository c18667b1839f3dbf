"""The assessment report: one self-contained HTML file, ``results.json`` and CSV tables.

The HTML inlines the smallest plotly.js bundle that draws its figures
(:func:`detente.report.plotlyjs.plotlyjs_for`), so it opens offline and makes no network request.
Every input number shown carries its provenance status (official, estimate, derived,
assumption) with its note and sources as a tooltip; model outputs are computed from those
numbers, all of which are listed in the sources-and-caveats section.
"""

from __future__ import annotations

import functools
import html
import math
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import jinja2
import numpy as np

from detente import jsonio
from detente.analysis.elements import LEG
from detente.files import write_files
from detente.model.catalog import system_table
from detente.model.glossary import terms as glossary_terms
from detente.model.provenance import Provenance
from detente.report import figures
from detente.report.count_figures import compliance_figure
from detente.report.words import column_label, input_label

if TYPE_CHECKING:
    import pandas as pd
    import plotly.graph_objects as go

    from detente.analysis.assess import Assessment, LedgerEntry

TEMPLATES = Path(__file__).resolve().parent / "templates"
#: Report sections, in order: (element id, heading).
SECTIONS = (
    ("summary", "Summary"),
    ("forces", "Forces by leg and side"),
    ("compliance", "Treaty counts"),
    ("drawdown", "Counterforce draw-down"),
    ("postures", "Stability under every posture"),
    ("upload", "Upload timeline"),
    ("uncertainty", "Uncertainty"),
    ("tornado", "Sensitivity (tornado)"),
    ("verification", "Verification"),
    ("risk", "Inadvertent-war risk"),
    ("context", "Context measures of stability"),
    ("sources", "Sources and caveats"),
)
STATUS_MARK = {
    "official": "O",
    "estimate": "E",
    "derived": "D",
    "assumption": "A",
    "unsourced": "?",
    "sourced": "S",
}


@dataclass(frozen=True)
class Cell:
    """A number in a table with its provenance status and a tooltip."""

    text: str
    status: str
    title: str

    @property
    def mark(self) -> str:
        """One-letter status mark."""
        return STATUS_MARK.get(self.status, "?")


def _pct(value: Any) -> str:
    """A probability in per cent with three significant digits (``0.000516`` -> ``0.0516 %``)."""
    if value is None:
        return "–"
    return f"{100 * float(value):.3g} %"


def _fmt(value: Any, digits: int = 0) -> str:
    if value is None:
        return "–"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, int | float | np.floating | np.integer):
        v = float(value)
        if not math.isfinite(v):
            return "∞" if v > 0 else "–"
        return f"{v:,.{digits}f}"
    return str(value)


def cell(value: Any, prov: Provenance | None, digits: int = 0, how: str = "") -> Cell:
    """A table cell for ``value`` with the status and note of ``prov``.

    Examples
    --------
    >>> cell(400, Provenance(source="fas-us-2025", status="estimate", note="FAS 2025.")).title
    'estimate: FAS 2025. [fas-us-2025]'
    >>> cell(0.5, None, 2).status
    'unsourced'
    """
    if prov is None or not (prov.source or prov.status):
        status, title = "unsourced", "no source given: treat as an assumption"
    else:
        status = prov.status or "sourced"
        title = f"{status}: {prov.note or ''}".rstrip() + f" [{', '.join(prov.source)}]"
    if how:
        title = f"{how}; {title}"
    return Cell(_fmt(value, digits), status, title)


def _digits(value: Any) -> int:
    """Decimals to show: none for whole numbers, one from 100 up, else two."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        return 0
    if float(value).is_integer():
        return 0
    return 1 if abs(value) >= 100 else 2


def entry_cell(e: LedgerEntry) -> Cell:
    """A table cell of a ledger entry: its value, status mark and note with sources.

    Examples
    --------
    >>> from detente.analysis.assess import LedgerEntry
    >>> c = entry_cell(LedgerEntry("model", "x", 0.1, "assumption", (), "ours"))
    >>> c.text, c.mark, c.title
    ('0.10', 'A', 'assumption: ours []')
    >>> entry_cell(LedgerEntry("regime new_start", "type_one", 10, "official", ("s",))).text
    '10'
    """
    prov = Provenance(source=e.sources, note=e.note or None)
    if e.status in STATUS_MARK and e.status not in ("unsourced", "sourced"):
        prov = prov.model_copy(update={"status": e.status})
    return cell(e.value, prov if e.status != "unsourced" else None, _digits(e.value))


def _force_rows(a: Assessment) -> list[dict[str, Any]]:
    rows = []
    for party in a.resolved.parties:
        table = system_table(party.force)
        posture = party.spec.posture
        for h in party.force.holdings:
            system = table[h.system]
            lp = h.launchers.provenance
            if h.loading is not None:
                loading = cell(h.loading, h.provenance.get("loading"), 2)
                warheads = cell(
                    h.deployed_warheads,
                    h.provenance.get("loading"),
                    how="loading × deployed launchers",
                )
            else:
                warheads = cell(h.warheads, h.provenance.get("warheads"))
                loading = cell(
                    h.mean_loading if h.warheads is not None else None,
                    h.provenance.get("warheads"),
                    2,
                    how="warheads / deployed launchers",
                )
            alert = (
                Cell("silo", "derived", "fixed: always targetable")
                if system.fixed
                else cell(getattr(h.alert, posture), h.alert.provenance.get(posture), 2)
            )
            rows.append(
                {
                    "party": party.label,
                    "holding": h.name,
                    "leg": LEG.get(system.category, system.category),
                    "deployed": cell(h.launchers.deployed, lp.get("deployed")),
                    "non_deployed": cell(h.launchers.non_deployed, lp.get("non_deployed")),
                    "loading": loading,
                    "warheads": warheads,
                    "alert": alert,
                    "posture": posture.replace("_", "-"),
                }
            )
    return rows


def _verdict_class(verdict: str, basis: str) -> str:
    """CSS class of a verdict: ``bad`` only for a declared breach, ``doubt`` for any doubt."""
    if verdict in {"within", "respected"}:
        return "good"
    return "bad" if verdict in {"above", "violated"} and basis == "official" else "doubt"


def _compliance_rows(a: Assessment) -> list[dict[str, Any]]:
    """One row per party and limit or ban: human label, count with its basis and range,
    ceiling, margin and the verdict in words."""
    rows = []
    treaty = a.resolved.treaty
    if treaty is None:
        return rows
    limits = {x.id: x for x in treaty.limits}
    for label, result in a.counts.items():
        for x in result.limits:
            prov = limits[x.id].provenance.get("max") or Provenance(source=x.sources)
            low, high = x.bounds
            basis = None if x.basis == "unstated" else x.basis
            how = "counted from the holdings above" + (
                f"; range {_fmt(low)}–{_fmt(high)}" if low != high else ""
            )
            rows.append(
                {
                    "party": label,
                    "id": x.id,
                    "label": x.name,
                    "description": x.description or x.quantity,
                    "count": cell(x.count, Provenance(status=basis), how=how),
                    "limit": cell(x.limit, prov),
                    "margin": _fmt(x.margin),
                    "verdict": x.status_text,
                    "verdict_class": _verdict_class(x.verdict, x.basis),
                }
            )
        for b in result.bans:
            rows.append(
                {
                    "party": label,
                    "id": b.id,
                    "label": f"ban: {b.name}",
                    "description": b.description or "ban",
                    "count": Cell(_fmt(b.launchers), b.basis, "offending launchers"),
                    "limit": Cell("0", "official", "ban"),
                    "margin": _fmt(-b.launchers),
                    "verdict": b.status_text,
                    "verdict_class": _verdict_class(b.verdict, b.basis),
                }
            )
    return rows


def _standing(a: Assessment) -> str:
    """The treaty's standing, as the first count gives it (``""`` without counts)."""
    return next(iter(a.counts.values())).standing if a.counts else ""


def _w80_cells(a: Assessment) -> dict[tuple[str, str], Cell]:
    """The w80 of each side of each pair: the scenario's (with its provenance) or the default,
    an assumption (``data/parameters.yaml``)."""
    out = {}
    for tag, result in a.stability.items():
        for side in result.sides:
            spec = a.resolved.party(side.label).spec
            if spec.w80 is not None:
                prov = spec.provenance.get("w80") or Provenance(
                    status="assumption", note="set by the scenario"
                )
                out[tag, side.label] = cell(side.w80, prov, 1)
            else:
                out[tag, side.label] = Cell(f"{side.w80:,.1f}", "assumption", side.w80_note)
    return out


#: What each figure shows and in which unit (its caption); sources: the tables beside it and
#: the bibliography.
CAPTIONS = {
    "fig-forces": "Deployed strategic warheads of each party by leg [warheads]; the holdings "
    "table below gives every number with its provenance mark.",
    "fig-compliance": "Each counted quantity as a share of the treaty's ceiling [%]; 100 % is "
    "the ceiling. Counts follow the treaty's counting rules (table below).",
    "fig-drawdown": "Warheads of the victim destroyed [warheads] against the striker's warheads "
    "spent on counterforce [warheads]; × marks the strike that costs the striker least.",
    "fig-postures": "The first-strike stability index [0 to 1, 1 = neither side gains by "
    "striking first] for every combination of postures and launch under attack.",
    "fig-upload": "Warheads each side could field over time by uploading [warheads] and the "
    "index along the way [0 to 1].",
    "fig-uncertainty": "Distribution of the index over the Monte Carlo samples [share of "
    "samples]; the line marks the scenario's own value.",
    "fig-tornado": "Index at each uncertain input's 5th and 95th percentile, the others at their "
    "medians [0 to 1].",
    "fig-verification": "Probability that random inspections catch at least one over-loaded "
    "missile [0 to 1] against the number of inspections.",
    "fig-risk": "Annual probability of an inadvertent war [%], ILLUSTRATIVE parameters: the "
    "model's behaviour, not an estimate.",
    "fig-risk-tornado": "Annual probability [%] with each parameter at its 5th and 95th "
    "percentile, ILLUSTRATIVE parameters.",
    "fig-context": "Each side's arriving retaliatory warheads [warheads] under each condition.",
}


def caption(fig_id: str) -> str:
    """The caption of figure ``fig_id`` (``fig-postures-0`` takes that of ``fig-postures``)."""
    key = fig_id if fig_id in CAPTIONS else fig_id.rsplit("-", 1)[0]
    return CAPTIONS.get(key, "")


def findings(a: Assessment) -> list[str]:
    """The report's findings in words, first thing a reader sees: the index read in words,
    its spread, the treaty counts, and what the numbers rest on."""
    from detente.model.glossary import party_name
    from detente.report.words import stability_sentence, two_digits

    out = []
    for tag, result in a.stability.items():
        sentence = stability_sentence(result.fsi, result.r_uncapped, list(result.labels))
        out.append(sentence if len(a.stability) == 1 else f"{tag}: {sentence}")
    if a.uncertainty:
        q = a.uncertainty.quantiles["fsi"]
        out.append(
            f"Across the uncertain inputs the index runs from {two_digits(q.p05)} to "
            f"{two_digits(q.p95)} (5th to 95th percentile of "
            f"{a.uncertainty.samples:,} samples)."
        )
    treaty = a.resolved.treaty
    if treaty is not None and a.counts:
        standing = next(iter(a.counts.values())).standing
        doubts = [
            f"{party_name(label)}, {x.name}: {x.status_text}"
            for label, result in a.counts.items()
            for x in result.limits
            if x.verdict != "within"
        ]
        words = (
            "Counts not clearly within a ceiling: " + "; ".join(doubts) + "."
            if doubts
            else f"Every count is within its ceiling under {treaty.name}'s counting rules."
        )
        out.append(f"{standing} {words}".strip())
    statuses = {s: sum(e.status == s for e in a.ledger) for s in STATUS_MARK}
    counts = ", ".join(f"{n:,} {s}" for s, n in statuses.items() if n)
    out.append(
        f"It rests on {len(a.ledger):,} numbers ({counts}); the assumptions among them are "
        "listed under Sources and caveats, and every number carries its mark in the tables."
    )
    return out


def build_figures(a: Assessment) -> dict[str, go.Figure]:
    """Every figure of the report by element id, each stamped with its title, the scenario,
    the date and its sources (:func:`detente.report.publish.stamp`)."""
    from detente.report.publish import stamp
    from detente.report.stability_figures import describe_forces

    built = _figures(a)
    scenario, sources = describe_forces([p.base for p in a.resolved.parties], a.scenario.name)
    for fig in built.values():
        if not (fig.layout.meta and "title" in fig.layout.meta):  # the shared builders stamp
            title = fig.layout.title.text or ""
            stamp(fig, title, scenario, sources)
    return built


def _figures(a: Assessment) -> dict[str, go.Figure]:
    out = {
        "fig-forces": figures.forces_figure(a),
        "fig-drawdown": figures.drawdown_figure(a),
    }
    if a.counts:
        treaty = a.resolved.treaty
        out["fig-compliance"] = compliance_figure(
            a.compliance_frame(), treaty and treaty.name, treaty and treaty.ended
        )
    for i, pair in enumerate(a.resolved.pairs()):
        out[f"fig-postures-{i}"] = figures.postures_figure(a, pair)
    if a.upload is not None:
        from detente.report.upload_figures import upload_timeline_figure

        out["fig-upload"] = upload_timeline_figure(a.upload)
    if a.uncertainty is not None:
        out["fig-uncertainty"] = figures.uncertainty_figure(a)
    if a.tornado is not None:
        out["fig-tornado"] = figures.tornado_figure(a)
    if a.verification is not None and a.verification.parties:
        from detente.report.verification_figures import verification_figure

        out["fig-verification"] = verification_figure(a.verification)
    if a.risk is not None:
        from detente.report.risk_figures import risk_figure, risk_tornado_figure

        out["fig-risk"] = risk_figure(a.risk.result)
        out["fig-risk-tornado"] = risk_tornado_figure(a.risk.result)
    if a.context is not None:
        from detente.report.context_figures import context_figure

        out["fig-context"] = context_figure(a.context.result)
    return out


def _figure_html(fig: go.Figure, div_id: str) -> str:
    """A figure drawn when scrolled near (:data:`~detente.report.plotlyjs.LAZY_LOADER`), its
    caption with units, and a link to its data as CSV (written beside the report)."""
    from detente.report.plotlyjs import lazy_figure_html

    return (
        lazy_figure_html(fig, div_id, height_px=460)
        + f'<p class="caption">{html.escape(caption(div_id))} Data: '
        f'<a href="{div_id}.csv">{div_id}.csv</a>; sources in the figure and under Sources and '
        "caveats.</p>"
    )


def figure_csvs(figs: dict[str, go.Figure]) -> dict[str, str]:
    """The data of every figure as CSV text by file name (``fig-forces.csv``, ...)."""
    from detente.report.publish import csv_text, figure_rows

    out = {}
    for fig_id, fig in figs.items():
        meta = fig.layout.meta
        comment = f"{meta['title']}; {meta['scenario']}; detente {meta['date']}"
        out[f"{fig_id}.csv"] = csv_text(figure_rows(fig), comment)
    return out


def render(a: Assessment, built: dict[str, go.Figure] | None = None) -> str:
    """The report as one self-contained HTML page (``built``: its figures, if built already)."""
    from detente.report.plotlyjs import LAZY_LOADER, plotlyjs_for

    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(TEMPLATES),
        autoescape=jinja2.select_autoescape(["html", "j2"]),
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters["num"] = _fmt
    env.filters["pct"] = _pct
    env.filters["input_label"] = input_label
    env.filters["column_label"] = column_label
    built = build_figures(a) if built is None else built
    figs = {k: _figure_html(f, k) for k, f in built.items()}
    ledger = a.ledger
    statuses = {s: sum(e.status == s for e in ledger) for s in STATUS_MARK}
    page = env.get_template("report.html.j2").render(
        a=a,
        findings=findings(a),
        csv_files=[f"{stem}.csv" for stem in a.frames()],
        scenario_file=Path(a.scenario.document.file).name,
        glossary=glossary_terms(),
        sections=SECTIONS,
        figs=figs,
        plotlyjs=plotlyjs_for(built.values()),
        lazy_loader=LAZY_LOADER,
        force_rows=_force_rows(a),
        legs=a.legs_frame().to_dict(orient="records"),
        compliance_rows=_compliance_rows(a),
        treaty_standing=_standing(a),
        w80=_w80_cells(a),
        defended=any(p.defense for p in a.resolved.parties),
        statuses={k: v for k, v in statuses.items() if v},
        marks=STATUS_MARK,
        pairs=[(i, p) for i, p in enumerate(a.resolved.pairs())],
        postures=a.postures_frame().to_dict(orient="records"),
        cells=entry_cell,
    )
    return _wrap_tables(page)


def _wrap_tables(page: str) -> str:
    """Each table of the body in a scroll box, so that a wide table never widens the page."""
    head, body = page.split("</head>", 1)
    body = body.replace("<table", '<div class="table-wrap" tabindex="0"><table').replace(
        "</table>", "</table></div>"
    )
    return head + "</head>" + body


def results_json(a: Assessment) -> str:
    """``results.json``: :meth:`Assessment.to_dict` as strict JSON (:func:`detente.jsonio.dumps`:
    a non-finite number is ``null``)."""
    return jsonio.dumps(a.to_dict(), indent=2)


def write_report(a: Assessment, out_dir: str | Path) -> dict[str, Path]:
    """Write ``report.html``, ``results.json`` and one CSV per table into ``out_dir``.

    Returns
    -------
    dict
        Path of every file written, by name.
    """
    writers = {"results.json": lambda p: p.write_text(results_json(a) + "\n", encoding="utf-8")}
    for stem, frame in a.frames().items():
        writers[f"{stem}.csv"] = functools.partial(_write_csv, frame)
    built = build_figures(a)
    for name, text in figure_csvs(built).items():
        writers[name] = functools.partial(_write_text, text)
    writers["report.html"] = lambda p: p.write_text(render(a, built), encoding="utf-8")
    return write_files(Path(out_dir), writers)


def _write_csv(frame: pd.DataFrame, path: Path) -> None:
    frame.to_csv(path, index=False)


def _write_text(text: str, path: Path) -> None:
    path.write_text(text, encoding="utf-8")
