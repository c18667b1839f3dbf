"""The verification section of an assessment (``verification:`` block of a scenario): what
inspections would detect of each party's over-loading (:mod:`detente.analysis.verification`).
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass
from typing import TYPE_CHECKING, Any

from detente.analysis import verification as av
from detente.analysis.caveats import text
from detente.analysis.ledger import LedgerEntry, entry, joined
from detente.model.catalog import system_table
from detente.model.provenance import Provenance

if TYPE_CHECKING:
    import pandas as pd

    from detente.analysis.scenario import ResolvedScenario
    from detente.model.scenario import VerificationPlan

#: Categories whose deployed launchers are the missiles that inspections count.
MISSILE_CATEGORIES = ("icbm", "slbm")


@dataclass(frozen=True)
class PartyVerification:
    """What inspections would detect of one party's over-loading.

    Attributes
    ----------
    party : str
    missiles : int
        Deployed ICBMs and SLBMs, N [missiles].
    overloaded : int
        Missiles assumed over-loaded, k [missiles].
    comparisons : tuple of RegimeComparison
        The regimes side by side after 1, 2, ... years of inspections.
    bound : BoundResult
        The largest violation consistent with one clean year of the clean regime.
    plan : PlanResult
        Inspections a year needed for the target detection probability in one year.
    """

    party: str
    missiles: int
    overloaded: int
    comparisons: tuple[av.RegimeComparison, ...]
    bound: av.BoundResult
    plan: av.PlanResult

    def detection(self, regime: str, years: int) -> float:
        """Detection probability under ``regime`` after ``years`` years [-]."""
        comparison = self.comparisons[years - 1]
        return next(r.detection_probability for r in comparison.rows if r.regime == regime)

    def rows(self) -> list[dict[str, Any]]:
        """One row per regime and number of years."""
        return [
            joined({"party": self.party, "years": c.years, **asdict(r)})
            for c in self.comparisons
            for r in c.rows
        ]

    def summary(self) -> dict[str, Any]:
        """N, k, the clean-inspection bound and the planning answer, flat."""
        return {
            "party": self.party,
            "missiles": self.missiles,
            "overloaded": self.overloaded,
            "clean_inspections": self.bound.clean_inspections,
            "largest_undetected_violation": self.bound.largest_undetected_violation,
            "next_detection_probability": self.bound.next_detection_probability,
            "inspections_needed": self.plan.inspections_needed,
            "achieved_probability": self.plan.achieved_probability,
        }

    def to_dict(self) -> dict[str, Any]:
        """JSON-safe dict."""
        return {
            "missiles": self.missiles,
            "overloaded": self.overloaded,
            "comparison": [c.to_dict() for c in self.comparisons],
            "clean_inspection_bound": self.bound.to_dict(),
            "plan": self.plan.to_dict(),
        }


@dataclass(frozen=True)
class VerificationSection:
    """Verification of every party with deployed missiles (``verification:`` block).

    Attributes
    ----------
    plan : VerificationPlan
        The scenario's block (defaults filled in).
    regimes : tuple of str
        Names of the regimes compared.
    clean_regime : str
        Name of the regime whose clean year bounds a violation.
    parties : tuple of PartyVerification
    skipped : tuple of str
        Parties without deployed ICBMs or SLBMs.
    parameters : tuple of LedgerEntry
        The values used and their provenance (also in the ledger).
    """

    plan: VerificationPlan
    regimes: tuple[str, ...]
    clean_regime: str
    parties: tuple[PartyVerification, ...]
    skipped: tuple[str, ...]
    parameters: tuple[LedgerEntry, ...]

    def frames(self) -> dict[str, pd.DataFrame]:
        """``verification`` (one row per party, regime and year) and ``verification_summary``
        (one row per party)."""
        import pandas as pd

        return {
            "verification": pd.DataFrame([row for p in self.parties for row in p.rows()]),
            "verification_summary": pd.DataFrame([p.summary() for p in self.parties]),
        }

    def caveats(self) -> tuple[str, ...]:
        """What the detection probabilities assume, and the parties not shown."""
        out = [text("caveats.verification")]
        if self.skipped:
            out.append(text("caveats.verification_skipped", parties=", ".join(self.skipped)))
        return tuple(out)

    @property
    def illustrative(self) -> tuple[LedgerEntry, ...]:
        """The values that are assumptions."""
        return tuple(e for e in self.parameters if e.assumption)

    def to_dict(self) -> dict[str, Any]:
        """JSON-safe dict: settings, results by party, the values used."""
        p = self.plan
        return {
            "overloaded_share": p.share,
            "overloaded": p.overloaded,
            "years": p.years,
            "recognition": p.recognition,
            "confidence": p.confidence,
            "target": p.target,
            "regimes": list(self.regimes),
            "clean_regime": self.clean_regime,
            "parties": {v.party: v.to_dict() for v in self.parties},
            "skipped": list(self.skipped),
            "parameters": [e.to_dict() for e in self.parameters],
        }


def missiles(force: Any) -> int:
    """Deployed ICBMs and SLBMs of a force, the missiles inspections count [missiles]
    (one missile per deployed launcher).

    Examples
    --------
    >>> from detente.model.catalog import load_force
    >>> missiles(load_force("us-2025"))  # 400 Minuteman III, 240 Trident II D5
    640
    """
    table = system_table(force)
    return sum(
        h.launchers.deployed
        for h in force.holdings
        if table[h.system].category in MISSILE_CATEGORIES
    )


def _setting(plan: Any, name: str, value: Any, default_note: str, scenario: str) -> LedgerEntry:
    """A value of a scenario block with its provenance: the scenario's, or an assumption."""
    given = name in plan.model_fields_set
    prov = plan.provenance.get(name) or Provenance(
        status="assumption", note=f"set by scenario '{scenario}'" if given else default_note
    )
    return entry("scenario" if given else "model", f"verification.{name}", value, prov)


def overloaded_missiles(plan: VerificationPlan, n: int) -> int:
    """Missiles assumed over-loaded out of ``n`` [missiles]: the plan's count, or its share
    of ``n`` rounded half up (at least one).

    Examples
    --------
    >>> from detente.model.scenario import VerificationPlan
    >>> overloaded_missiles(VerificationPlan(), 498)  # the default 10 %
    50
    >>> overloaded_missiles(VerificationPlan(overloaded=7), 498)
    7
    """
    if plan.share is None:
        return int(plan.overloaded)
    return max(1, math.floor(plan.share * n + 0.5))


def verification_section(resolved: ResolvedScenario) -> VerificationSection:
    """What inspections would detect of each party's over-loading (``verification:``).

    For each party with deployed ICBMs or SLBMs (N): the regimes compared side by side after
    1 to ``years`` years for k over-loaded missiles, the largest violation consistent with
    one clean year of ``clean_regime`` at ``confidence``, and the inspections a year needed
    to catch k with probability ``target`` (:mod:`detente.analysis.verification`).

    Raises
    ------
    InputError
        An unknown regime, or more over-loaded missiles than a party deploys (located in the
        scenario file).
    """
    scenario = resolved.scenario
    plan = scenario.verification
    known = av.load_regimes()
    for i, rid in enumerate(plan.regimes or ()):
        if rid not in known:
            at = ("verification", "regimes", i)
            raise scenario.error(at, f"unknown regime {rid!r}; regimes: {', '.join(known)}")
    if plan.clean_regime not in known:
        raise scenario.error(
            ("verification", "clean_regime"),
            f"unknown regime {plan.clean_regime!r}; regimes: {', '.join(known)}",
        )
    chosen = [known[rid] for rid in plan.regimes or known]
    chosen.sort(key=lambda r: (-r.missiles_checked_per_year, r.name))  # as compare_regimes
    regimes = {r.id: r for r in chosen}
    clean = known[plan.clean_regime]
    share_note = text("ledger.overloaded_share", percent=100 * (plan.share or 0))
    entries = [
        _setting(plan, "overloaded", plan.overloaded, "", scenario.name)
        if plan.share is None
        else _setting(plan, "overloaded_share", plan.share, share_note, scenario.name),
        _setting(
            plan,
            "recognition",
            plan.recognition,
            text("ledger.recognition"),
            scenario.name,
        ),
    ]
    for regime in dict.fromkeys([*regimes.values(), clean]):
        for x in regime.inspections:
            if x.counts_reentry_vehicles:
                q = f"{x.name} inspections a year"
                entries.append(entry(f"regime {regime.id}", q, x.per_year, x))
    parties, skipped = [], []
    for party in resolved.parties:
        n = missiles(party.force)
        if n == 0:
            skipped.append(party.label)
            continue
        k = overloaded_missiles(plan, n)
        if k > n:
            raise scenario.error(
                ("verification", "overloaded"),
                f"{k} over-loaded missiles exceed the {n} deployed ICBMs and SLBMs of "
                f"{party.label}",
            )
        entries.append(
            LedgerEntry(
                "verification",
                f"{party.label} deployed missiles",
                n,
                "derived",
                (),
                text("ledger.missiles"),
            )
        )
        kw = {"recognition": plan.recognition}
        parties.append(
            PartyVerification(
                party.label,
                n,
                k,
                tuple(
                    av.compare_regimes(
                        n, k, years=y, confidence=plan.confidence, regimes=regimes, **kw
                    )
                    for y in range(1, plan.years + 1)
                ),
                av.clean_inspection_bound(
                    n, min(clean.missiles_checked_per_year, n), confidence=plan.confidence, **kw
                ),
                av.plan_inspections(n, k, plan.target, **kw),
            )
        )
    return VerificationSection(
        plan,
        tuple(r.name for r in regimes.values()),
        clean.name,
        tuple(parties),
        tuple(skipped),
        tuple(entries),
    )
