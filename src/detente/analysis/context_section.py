"""The context section of an assessment: penalty for waiting, ARW, generation and LOW
stability of the scenario's first pair (:func:`detente.analysis.context.context_measures`).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from detente.analysis.caveats import text
from detente.analysis.context import ContextResult, context_measures
from detente.analysis.ledger import MODEL_CONSTANTS, LedgerEntry
from detente.analysis.stability_section import tag

if TYPE_CHECKING:
    import pandas as pd

    from detente.analysis.scenario import ResolvedScenario
    from detente.analysis.stability import StabilityResult


@dataclass(frozen=True)
class ContextSection:
    """Context measures of the scenario's first pair (:func:`context_measures`).

    Attributes
    ----------
    pair : tuple of str
    result : ContextResult
    parameters : tuple of LedgerEntry
        The model constants and each side's w80, with their provenance.
    note : str
        What the measures assume.
    """

    pair: tuple[str, str]
    result: ContextResult
    parameters: tuple[LedgerEntry, ...]
    note: str

    def to_dict(self) -> dict[str, Any]:
        """:meth:`ContextResult.to_dict` with the pair, the values used and the note."""
        return {
            "pair": tag(self.pair),
            **self.result.to_dict(),
            "parameters": [e.to_dict() for e in self.parameters],
            "note": self.note,
        }

    def frames(self) -> dict[str, pd.DataFrame]:
        """``context``: one row per side of the measures."""
        return {"context": self.result.to_frame().reset_index()}


def context_section(
    resolved: ResolvedScenario,
    pairs: Mapping[str, StabilityResult],
    entries: Iterable[LedgerEntry],
) -> ContextSection:
    """Penalty for waiting, ARW, generation and LOW stability of the first pair, in the
    scenario's postures and launch settings, with the headline's w80
    (:func:`context_measures`); ``entries`` is the ledger the constants are taken from."""
    entries = list(entries)
    pair = resolved.pairs()[0]
    sides = pairs[tag(pair)].sides
    specs = {k: resolved.party(k).spec for k in pair}
    result = context_measures(
        resolved.party(pair[0]).force,
        resolved.party(pair[1]).force,
        resolved.params,
        posture={k: s.posture for k, s in specs.items()},
        lua={k: s.lua for k, s in specs.items()},
        w80={s.label: s.w80 for s in sides},
    )
    names = {f"{g}.{n}" for g, n in MODEL_CONSTANTS} | {
        f"parameters.{n}" for _, n in MODEL_CONSTANTS
    }
    used = [e for e in entries if e.quantity in names]
    for side in sides:
        given = [e for e in entries if e.quantity == f"{side.label} w80"]
        used += given or [
            LedgerEntry(
                "model",
                f"{side.label} w80",
                side.w80,
                "assumption",
                (),
                side.w80_note.removeprefix("assumption: "),
            )
        ]
    notes = [text("notes.context", pair=tag(pair))]
    if any(resolved.party(k).defense for k in pair):
        notes.append(text("notes.context_defence"))
    if len(resolved.parties) > 2:
        notes.append(text("notes.context_multiparty"))
    return ContextSection(pair, result, tuple(used), " ".join(notes))
