"""The caveats of an assessment and the wording of its notes.

The prose lives in ``data/caveats.yaml`` (read once): each entry is a format string whose
fields the section that uses it fills in (:func:`text`). :func:`caveats` says what the
stability numbers of an assessment leave out or assume: each side's w80, holdings without a
loading, missile defences, reserves against third parties, uncertain inputs.
"""

from __future__ import annotations

import functools
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

import yaml

from detente.analysis.elements import STRATEGIC_CATEGORIES
from detente.model.catalog import DATA_DIR, system_table

if TYPE_CHECKING:
    from detente.analysis.scenario import ResolvedScenario
    from detente.analysis.stability import StabilityResult

CAVEATS_FILE = DATA_DIR / "caveats.yaml"


@functools.cache
def _texts() -> dict[str, dict[str, str]]:
    return yaml.safe_load(CAVEATS_FILE.read_text(encoding="utf-8"))


def text(key: str, **fields: Any) -> str:
    """The sentence ``key`` (``group.name`` in ``data/caveats.yaml``) with its fields filled.

    Examples
    --------
    >>> text("caveats.verification_skipped", parties="KP")
    'Verification: KP deploy no ICBMs or SLBMs and are not shown.'
    """
    group, name = key.split(".")
    return _texts()[group][name].format(**fields)


def caveats(
    resolved: ResolvedScenario,
    pairs: Mapping[str, StabilityResult],
) -> tuple[str, ...]:
    """What the stability numbers of a scenario leave out or assume, each said once (the
    verification and risk sections add theirs)."""
    out = []
    for result in pairs.values():
        for side in result.sides:
            out.append(text("caveats.w80", label=side.label, w80=side.w80, note=side.w80_note))
    for party in resolved.parties:
        table = system_table(party.force)
        for h in party.force.holdings:
            unknown = h.loading is None and h.warheads is None
            strategic = table[h.system].category in STRATEGIC_CATEGORIES
            if strategic and h.launchers.deployed and unknown:
                out.append(
                    text(
                        "caveats.no_loading",
                        party=party.label,
                        holding=h.name,
                        launchers=h.launchers.deployed,
                    )
                )
        d = party.defense
        if d is not None and len(resolved.parties) > 2:
            out.append(text("caveats.defence_multiparty", party=party.label))
        elif d is not None:
            out.append(
                text(
                    "caveats.defence",
                    party=party.label,
                    interceptors=d.interceptors,
                    shots=d.shots_per_rv,
                    availability=d.availability,
                    p_kill=d.p_kill,
                )
            )
    if len(resolved.parties) > 2:
        out.append(text("caveats.three_parties", reserve=resolved.reserve))
    if not any(p.defense for p in resolved.parties):
        out.append(text("caveats.no_defences"))
    out = list(dict.fromkeys(out))
    if resolved.inputs:
        out.append(text("caveats.uncertain_w80"))
    return tuple(out)
