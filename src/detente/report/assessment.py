"""The assessment report: one self-contained HTML file, ``results.json`` and CSV tables.

The HTML inlines plotly.js from the installed ``plotly`` package
(:func:`plotly.offline.get_plotlyjs`), so it opens offline and makes no network request.
Every input number shown carries its provenance status (official, estimate, derived,
assumption) with its note and sources as a tooltip; model outputs are computed from those
numbers, all of which are listed in the sources-and-caveats section.
"""

from __future__ import annotations

import functools
import json
import math
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import jinja2
import numpy as np

from detente.analysis.elements import LEG
from detente.files import write_files
from detente.model.catalog import system_table
from detente.model.provenance import Provenance
from detente.report import figures

if TYPE_CHECKING:
    import pandas as pd
    import plotly.graph_objects as go

    from detente.analysis.assess import Assessment, LedgerEntry

TEMPLATES = Path(__file__).resolve().parent / "templates"
#: Report sections, in order: (element id, heading).
SECTIONS = (
    ("summary", "Summary"),
    ("forces", "Forces by leg and side"),
    ("compliance", "Treaty compliance"),
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


def _compliance_rows(a: Assessment) -> list[dict[str, Any]]:
    rows = []
    treaty = a.resolved.treaty
    if treaty is None:
        return rows
    limits = {x.id: x for x in treaty.limits}
    for label, result in a.counts.items():
        for x in result.limits:
            prov = limits[x.id].provenance.get("max") or Provenance(source=x.sources)
            rows.append(
                {
                    "party": label,
                    "id": x.id,
                    "description": x.description or x.quantity,
                    "count": cell(
                        x.count,
                        Provenance(status="derived", note="counted from the holdings above"),
                    ),
                    "limit": cell(x.limit, prov),
                    "margin": _fmt(x.margin),
                    "ok": x.ok,
                    "undetermined": ", ".join(x.undetermined),
                }
            )
        for b in result.bans:
            rows.append(
                {
                    "party": label,
                    "id": b.id,
                    "description": b.description or "ban",
                    "count": Cell(_fmt(sum(c.count for c in b.offending)), "derived", "offending"),
                    "limit": Cell("0", "official", "ban"),
                    "margin": _fmt(-sum(c.count for c in b.offending)),
                    "ok": b.ok,
                    "undetermined": ", ".join(b.undetermined),
                }
            )
    return rows


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


def build_figures(a: Assessment) -> dict[str, go.Figure]:
    """Every figure of the report by element id."""
    out = {
        "fig-forces": figures.forces_figure(a),
        "fig-drawdown": figures.drawdown_figure(a),
    }
    if a.counts:
        out["fig-compliance"] = figures.compliance_figure(a)
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
    return fig.to_html(
        full_html=False,
        include_plotlyjs=False,
        div_id=div_id,
        config={"displaylogo": False, "responsive": True},
        default_height="460px",
    )


def render(a: Assessment) -> str:
    """The report as one self-contained HTML page."""
    from plotly.offline import get_plotlyjs

    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(TEMPLATES),
        autoescape=jinja2.select_autoescape(["html", "j2"]),
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters["num"] = _fmt
    env.filters["pct"] = _pct
    figs = {k: _figure_html(f, k) for k, f in build_figures(a).items()}
    ledger = a.ledger
    statuses = {s: sum(e.status == s for e in ledger) for s in STATUS_MARK}
    return env.get_template("report.html.j2").render(
        a=a,
        sections=SECTIONS,
        figs=figs,
        plotlyjs=get_plotlyjs(),
        force_rows=_force_rows(a),
        legs=a.legs_frame().to_dict(orient="records"),
        compliance_rows=_compliance_rows(a),
        w80=_w80_cells(a),
        defended=any(p.defense for p in a.resolved.parties),
        statuses={k: v for k, v in statuses.items() if v},
        marks=STATUS_MARK,
        pairs=[(i, p) for i, p in enumerate(a.resolved.pairs())],
        postures=a.postures_frame().to_dict(orient="records"),
        cells=entry_cell,
    )


def _json_default(v: Any) -> Any:
    if isinstance(v, np.generic):
        return v.item()
    if isinstance(v, np.ndarray):
        return v.tolist()
    if hasattr(v, "isoformat"):
        return v.isoformat()
    if isinstance(v, tuple | set):
        return list(v)
    raise TypeError(f"not JSON-serialisable: {type(v).__name__}")


def _finite(obj: Any) -> Any:
    """Non-finite floats as the strings 'inf', '-inf', 'nan' (strict JSON)."""
    if isinstance(obj, float) and not math.isfinite(obj):
        return "nan" if math.isnan(obj) else ("inf" if obj > 0 else "-inf")
    if isinstance(obj, dict):
        return {k: _finite(v) for k, v in obj.items()}
    if isinstance(obj, list | tuple):
        return [_finite(v) for v in obj]
    return obj


def results_json(a: Assessment) -> str:
    """``results.json``: :meth:`Assessment.to_dict` as strict JSON."""
    data = json.loads(json.dumps(a.to_dict(), default=_json_default))
    return json.dumps(_finite(data), indent=2, allow_nan=False)


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
    writers["report.html"] = lambda p: p.write_text(render(a), encoding="utf-8")
    return write_files(Path(out_dir), writers)


def _write_csv(frame: pd.DataFrame, path: Path) -> None:
    frame.to_csv(path, index=False)
