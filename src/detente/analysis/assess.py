"""Assessment of a scenario: forces, treaty compliance, stability under every posture,
Monte Carlo uncertainty, one-at-a-time sensitivity, what inspections would detect, the
inadvertent-war risk, context measures of stability, and the ledger of sources and
assumptions.

:func:`assess` is the one entry point; the HTML report, ``results.json``, the CSV tables and
the terminal summary are all views of its :class:`Assessment`. Each section is built beside
its analysis (:mod:`~detente.analysis.stability_section`,
:mod:`~detente.analysis.forces_section`, :mod:`~detente.analysis.uncertainty`,
:mod:`~detente.analysis.upload_section`, :mod:`~detente.analysis.verification_section`,
:mod:`~detente.analysis.risk_section`, :mod:`~detente.analysis.context_section`); the ledger
is :mod:`~detente.analysis.ledger` and the caveats' wording ``data/caveats.yaml``
(:mod:`~detente.analysis.caveats`).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from detente.analysis.caveats import caveats
from detente.analysis.context_section import ContextSection, context_section
from detente.analysis.counting import CountResult
from detente.analysis.forces_section import (
    compliance_frame,
    forces_frame,
    legs_frame,
    party_counts,
)
from detente.analysis.ledger import (
    LedgerEntry,
    cited_sources,
    ledger,
    ledger_frame,
    sources_frame,
)
from detente.analysis.risk_section import RISK_STRUCTURE_SOURCE, RiskSection, risk_section
from detente.analysis.scenario import ResolvedScenario, resolve
from detente.analysis.stability import StabilityResult
from detente.analysis.stability_section import (
    PostureCase,
    StabilitySection,
    own_r_notes,
    stability_section,
)
from detente.analysis.uncertainty import (
    Tornado,
    UncertaintyResult,
    check_samples,
    monte_carlo,
    scenario_tornado,
)
from detente.analysis.upload_section import upload_ledger, upload_note, upload_plan
from detente.analysis.verification_section import VerificationSection, verification_section
from detente.display import Display
from detente.model.catalog import Source
from detente.model.scenario import Scenario, load_scenario

if TYPE_CHECKING:
    import pandas as pd

    from detente.analysis.upload import UploadTimeline

__all__ = [
    "Assessment",
    "ContextSection",
    "LedgerEntry",
    "RiskSection",
    "StabilitySection",
    "VerificationSection",
    "assess",
]

Progress = Callable[[int, int], None]


@dataclass(frozen=True, repr=False)
class Assessment(Display):
    """Everything :func:`assess` found about a scenario, one typed section per question.

    Attributes
    ----------
    scenario : Scenario
    resolved : ResolvedScenario
    headline : StabilitySection
        Each pair alone, the scenario's index, the system and the posture grid (also as
        :attr:`stability`, :attr:`fsi`, :attr:`system` and :attr:`postures`).
    counts : dict
        Treaty count per party (empty without a treaty).
    uncertainty : UncertaintyResult or None
    tornado : Tornado or None
    upload : UploadTimeline or None
        The upload timeline of the first pair (:func:`upload_plan`).
    upload_note : str
        What the timeline assumes.
    verification : VerificationSection or None
        What inspections would detect of each party's over-loading.
    risk : RiskSection or None
        The inadvertent-war risk Monte Carlo.
    context : ContextSection or None
        Penalty for waiting, ARW, generation and LOW stability of the first pair.
    ledger : tuple of LedgerEntry
        Every number used and its provenance.
    sources : tuple of Source
        Every source cited by those numbers.
    caveats : tuple of str
    """

    scenario: Scenario
    resolved: ResolvedScenario
    headline: StabilitySection
    counts: dict[str, CountResult]
    uncertainty: UncertaintyResult | None = None
    tornado: Tornado | None = None
    upload: UploadTimeline | None = None
    upload_note: str = ""
    verification: VerificationSection | None = None
    risk: RiskSection | None = None
    context: ContextSection | None = None
    ledger: tuple[LedgerEntry, ...] = ()
    sources: tuple[Source, ...] = ()
    caveats: tuple[str, ...] = ()

    @property
    def stability(self) -> dict[str, StabilityResult]:
        """:class:`StabilityResult` per pair (``"US-RU"``) in the scenario's postures, each
        pair alone (no reserve against third parties)."""
        return self.headline.pairs

    @property
    def fsi(self) -> float:
        """The scenario's first-strike stability index [-]: the pair's, or with three or more
        parties the system index (the smallest pairwise index with reserves)."""
        return self.headline.fsi

    @property
    def system(self) -> dict[str, float] | None:
        """With three or more parties or a missile defence, the outputs at the scenario's
        values (:attr:`StabilitySection.system`)."""
        return self.headline.system

    @property
    def postures(self) -> tuple[PostureCase, ...]:
        """Every pair under every combination of day-to-day / generated and launch under
        attack."""
        return self.headline.postures

    def system_rows(self) -> list[dict[str, Any]]:
        """One row per pair and side of :attr:`system`: pair FSI, r, surviving, arriving."""
        return self.headline.system_rows(self.resolved)

    @property
    def assumptions(self) -> tuple[LedgerEntry, ...]:
        """The ledger entries that are assumptions."""
        return tuple(e for e in self.ledger if e.assumption)

    def summary(self) -> str:
        """The scenario, its index and what it rests on, in one sentence."""
        n = len(self.assumptions)
        return (
            f"{self.scenario.heading}: first-strike stability index {self.fsi:.2f} (0 to 1; 1 = "
            f"neither side gains by striking first); {len(self.ledger)} input numbers, {n} of "
            "them assumptions"
        )

    @property
    def posture_notes(self) -> list[str]:
        """Why a side's own r falls when it alone generates or launches under attack
        (:func:`own_r_notes`, from the scenario's postures and launch settings)."""
        specs = {p.label: p.spec for p in self.resolved.parties}
        return own_r_notes(
            self.postures,
            {k: s.posture for k, s in specs.items()},
            {k: s.lua for k, s in specs.items()},
        )

    def to_frame(self) -> pd.DataFrame:
        """One row per pair and side in the scenario's postures: C1, C2, r, x*, arriving."""
        import pandas as pd

        return pd.concat({tag: r.to_frame() for tag, r in self.stability.items()}, names=["pair"])

    def forces_frame(self) -> pd.DataFrame:
        """One row per holding of every party after the scenario's modifications."""
        return forces_frame(self.resolved)

    def legs_frame(self) -> pd.DataFrame:
        """Deployed launchers and warheads by party and leg (strategic systems)."""
        return legs_frame(self.forces_frame())

    def compliance_frame(self) -> pd.DataFrame:
        """One row per party and limit or ban: count, limit, margin, ok."""
        return compliance_frame(self.counts)

    def postures_frame(self) -> pd.DataFrame:
        """The FSI of every pair under every posture and launch-under-attack combination."""
        return self.headline.postures_frame()

    def drawdown_frame(self) -> pd.DataFrame:
        """Breakpoints of each striker's draw-down curve K(x)."""
        return self.headline.drawdown_frame()

    def ledger_frame(self) -> pd.DataFrame:
        """Every number used, its status, sources and note."""
        return ledger_frame(self.ledger)

    def sources_frame(self) -> pd.DataFrame:
        """The bibliography of the assessment."""
        return sources_frame(self.sources)

    def frames(self) -> dict[str, pd.DataFrame]:
        """The CSV tables by file stem."""
        out = {
            "forces": self.forces_frame(),
            "legs": self.legs_frame(),
            "compliance": self.compliance_frame(),
            "fsi_postures": self.postures_frame(),
            "drawdown": self.drawdown_frame(),
            "ledger": self.ledger_frame(),
            "sources": self.sources_frame(),
        }
        for name, part in (("uncertainty", self.uncertainty), ("tornado", self.tornado)):
            if part is not None:
                out[name] = part.to_frame().reset_index()
        if self.upload is not None:
            out["upload"] = self.upload.to_frame().reset_index()
        for section in (self.verification, self.risk, self.context):
            if section is not None:
                out |= section.frames()
        return out

    def to_dict(self) -> dict[str, Any]:
        """JSON-safe results: ``fsi`` first, then the rest (``results.json``)."""
        s = self.scenario
        return {
            "fsi": self.fsi,
            "scenario": {
                "name": s.name,
                "description": s.description,
                "date": None if s.date is None else s.date.isoformat(),
                "file": self.scenario.document.file,
                "parties": list(self.resolved.labels),
                "treaty": None if self.resolved.treaty is None else self.resolved.treaty.id,
            },
            "stability": {k: v.to_dict() for k, v in self.stability.items()},
            "system": self.system,
            "postures": [c.row() for c in self.postures],
            "compliance": {k: v.to_dict() for k, v in self.counts.items()},
            "forces": self.forces_frame().to_dict(orient="records"),
            "uncertainty": None if self.uncertainty is None else self.uncertainty.to_dict(),
            "tornado": None if self.tornado is None else self.tornado.to_dict(),
            "upload": None if self.upload is None else self.upload.to_dict(),
            "upload_note": self.upload_note,
            "verification": None if self.verification is None else self.verification.to_dict(),
            "risk": None if self.risk is None else self.risk.to_dict(),
            "context": None if self.context is None else self.context.to_dict(),
            "assumptions": [e.to_dict() for e in self.assumptions],
            "sources": [s.model_dump(mode="json", exclude_none=True) for s in self.sources],
            "caveats": list(self.caveats),
        }


def _seed(seed: int | None, scenario: Scenario) -> int:
    if seed is not None:
        return int(seed)
    if scenario.seed is not None:
        return scenario.seed
    return int(np.random.SeedSequence().entropy)


def assess(
    scenario: Scenario | str | Path,
    samples: int | None = None,
    seed: int | None = None,
    progress: Progress | None = None,
) -> Assessment:
    """Assess a scenario.

    Parameters
    ----------
    scenario : Scenario, str or Path
        A loaded scenario or the path of a scenario file.
    samples : int, optional
        Monte Carlo samples (default: the scenario's ``samples``; none: no Monte Carlo).
    seed : int, optional
        Seed of the Monte Carlo (default: the scenario's ``seed``, else a fresh one that is
        recorded in the result).
    progress : callable, optional
        ``progress(done, total)`` as Monte Carlo chunks finish.

    Returns
    -------
    Assessment

    Raises
    ------
    InputError
        A scenario file that does not load or does not fit its forces (file, line, field).
    ValueError
        ``samples`` outside 1 to :data:`~detente.model.scenario.MAX_SAMPLES`.

    Examples
    --------
    >>> from detente.model.scenario import parse_scenario
    >>> a = assess(parse_scenario("name: x\\nparties: [{force: us-2025}, {force: ru-2025}]"))
    >>> round(a.fsi, 4), len(a.postures)
    (0.6868, 16)
    """
    if not isinstance(scenario, Scenario):
        scenario = load_scenario(scenario)
    resolved = resolve(scenario)
    headline = stability_section(resolved)
    samples = samples if samples is not None else scenario.samples
    if samples is not None:
        samples = check_samples(samples)
    verification = verification_section(resolved)
    seed = _seed(seed, scenario)
    mc = None
    if samples is not None:
        mc = monte_carlo(resolved, samples, seed, progress=progress)
    sensitivity = scenario_tornado(resolved) if resolved.inputs else None
    upload = upload_plan(resolved)
    risk = risk_section(resolved, seed)
    entries = ledger(resolved) + upload_ledger(upload)
    context = context_section(resolved, headline.pairs, entries)
    entries += [*verification.parameters, *risk.parameters]
    return Assessment(
        scenario=scenario,
        resolved=resolved,
        headline=headline,
        counts=party_counts(resolved),
        uncertainty=mc,
        tornado=sensitivity,
        upload=upload,
        upload_note=upload_note(resolved),
        verification=verification,
        risk=risk,
        context=context,
        ledger=tuple(entries),
        sources=cited_sources(resolved, entries, extra=(RISK_STRUCTURE_SOURCE,)),
        caveats=(
            *caveats(resolved, headline.pairs),
            *verification.caveats(),
            *risk.caveats(),
        ),
    )
