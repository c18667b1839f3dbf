"""The upload section of an assessment (``upload:`` block of a scenario): the upload timeline
of the first pair with its index (:func:`detente.analysis.upload.upload_timeline`), what it
assumes, and the upload defaults it used as ledger entries.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from detente.analysis.caveats import text
from detente.analysis.ledger import LedgerEntry, entry
from detente.analysis.stability_section import needs_batch, tag
from detente.model.provenance import Provenance

if TYPE_CHECKING:
    from detente.analysis.scenario import ResolvedScenario
    from detente.analysis.upload import UploadTimeline


def upload_plan(resolved: ResolvedScenario) -> UploadTimeline:
    """The upload timeline of the scenario's first pair (``upload:`` block) with its index.

    Both sides start from their scenario forces on the scenario's date; the parties named in
    ``upload.parties`` (default: all) upload at ``rate_scale`` times the default rates of
    ``data/upload.yaml``, the others keep their forces. The index along the timeline uses the
    first party's posture for both sides and the ``w80`` of the headline result, held fixed.
    """
    from detente.analysis.upload import upload_timeline

    plan = resolved.scenario.upload
    pair = resolved.pairs()[0]
    a, b = (resolved.party(k) for k in pair)
    uploading = set(plan.parties or resolved.labels)
    sides = resolved.sides(pair)
    common = {
        "months": plan.months,
        "start": resolved.scenario.date,
        "posture": a.spec.posture,
    }
    opponent = upload_timeline(
        b.force, rate_scale=plan.rate_scale if b.label in uploading else 0.0, **common
    )
    return upload_timeline(
        a.force,
        rate_scale=plan.rate_scale if a.label in uploading else 0.0,
        opponent=opponent,
        params=resolved.params,
        lua=a.spec.lua,
        w80={s.label: s.w80 for s in sides},
        **common,
    )


def upload_note(resolved: ResolvedScenario) -> str:
    """What the timeline of :func:`upload_plan` assumes, in words."""
    plan = resolved.scenario.upload
    pair = resolved.pairs()[0]
    who = [k for k in pair if k in (plan.parties or resolved.labels)]
    notes = [
        text(
            "notes.upload",
            who=" and ".join(who) or "Nobody",
            s="s" if len(who) == 1 else "",
            rate_scale=plan.rate_scale,
            start=resolved.scenario.date.isoformat() if resolved.scenario.date else "month 0",
            months=plan.months,
            posture=resolved.party(pair[0]).spec.posture,
        )
    ]
    if len(resolved.parties) > 2:
        notes.append(text("notes.upload_first_pair", pair=tag(pair)))
    if needs_batch(resolved):
        notes.append(text("notes.upload_pair_alone"))
    return " ".join(notes)


def upload_ledger(timeline: UploadTimeline) -> list[LedgerEntry]:
    """The upload defaults a timeline used (``data/upload.yaml``), as ledger entries."""
    out = []
    for side in timeline.sides():
        for row in side.inputs.provenance:
            prov = Provenance(
                source=tuple(row.get("source") or ()),
                status=row.get("status"),
                note=row.get("note"),
            )
            out.append(entry(f"upload {side.label}", row["item"], row["value"], prov))
    return out
