"""Assessment of a scenario: forces, treaty compliance, stability under every posture,
Monte Carlo uncertainty, one-at-a-time sensitivity, what inspections would detect, the
inadvertent-war risk, context measures of stability, and the ledger of sources and
assumptions.

:func:`assess` is the one entry point; the HTML report, ``results.json``, the CSV tables and
the terminal summary are all views of its :class:`Assessment`.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Callable, Mapping, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from detente.analysis import verification as av
from detente.analysis.context import ContextResult, context_measures
from detente.analysis.counting import CountResult, count
from detente.analysis.elements import LEG, STRATEGIC_CATEGORIES
from detente.analysis.risk import RiskResult, load_risk_parameters, run_risk
from detente.analysis.scenario import ResolvedScenario, resolve
from detente.analysis.stability import StabilityResult, evaluate, row_values
from detente.analysis.uncertainty import (
    Tornado,
    UncertaintyResult,
    check_samples,
    evaluate_batch,
    monte_carlo,
    output_name,
    tornado,
)
from detente.display import Display
from detente.model import parameters
from detente.model.catalog import Source, sources, system_table
from detente.model.force import POSTURES
from detente.model.provenance import Provenance, Sourced
from detente.model.scenario import RISK_DIR, Scenario, VerificationPlan, load_scenario

if TYPE_CHECKING:
    import pandas as pd

Progress = Callable[[int, int], None]
#: Model constants of the calculus and of the default w80, as (group, name) in parameters.yaml.
MODEL_CONSTANTS = (
    *(("kent_thaler", k) for k in ("de", "kmax", "alpha", "surcharge", "avail", "lua_escape")),
    ("value_damage", "assured_destruction_emt"),
)
#: Categories whose deployed launchers are the missiles that inspections count.
MISSILE_CATEGORIES = ("icbm", "slbm")
#: Source of the structure of the risk model (not of the bundled values).
RISK_STRUCTURE_SOURCE = "barrett-baum-hostetler-2013"


@dataclass(frozen=True)
class PostureCase:
    """The stability of one pair under one combination of postures and launch under attack."""

    pair: tuple[str, str]
    posture: dict[str, str]
    lua: dict[str, bool]
    fsi: float
    r: dict[str, float]

    def row(self) -> dict[str, Any]:
        """Flat dict for a table."""
        a, b = self.pair
        return {
            "pair": f"{a}-{b}",
            f"posture_{a}": self.posture[a],
            f"posture_{b}": self.posture[b],
            f"lua_{a}": self.lua[a],
            f"lua_{b}": self.lua[b],
            "fsi": self.fsi,
            f"r_{a}": self.r[a],
            f"r_{b}": self.r[b],
        }


@dataclass(frozen=True)
class LedgerEntry:
    """One number used by the assessment and where it comes from.

    Attributes
    ----------
    scope : str
        What holds the number: a force, ``system <id>``, ``treaty <id>``, ``model`` or
        ``scenario``.
    quantity : str
        Readable dotted name (``minuteman-iii launchers.deployed``).
    value : Any
    status : str
        ``official``, ``estimate``, ``derived``, ``assumption`` or ``unsourced``.
    sources : tuple of str
    note : str
    """

    scope: str
    quantity: str
    value: Any
    status: str
    sources: tuple[str, ...] = ()
    note: str = ""

    @property
    def assumption(self) -> bool:
        """Marked as an assumption (or carrying no source at all)."""
        return self.status in ("assumption", "unsourced")

    def to_dict(self) -> dict[str, Any]:
        """JSON-safe dict."""
        return {**self.__dict__, "sources": list(self.sources)}


def _joined(row: dict[str, Any]) -> dict[str, Any]:
    """Tuples of ids as space-separated text (a CSV cell)."""
    return {k: " ".join(v) if isinstance(v, tuple) else v for k, v in row.items()}


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
            _joined({"party": self.party, "years": c.years, **asdict(r)})
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


@dataclass(frozen=True)
class RiskSection:
    """The inadvertent-war risk Monte Carlo (``risk:`` block).

    Attributes
    ----------
    result : RiskResult
    file : str
        The parameter file used.
    modelled : tuple of str
        Sides with false-alarm streams in the parameter set.
    unmodelled : tuple of str
        Parties of the scenario without a stream (their risk is not modelled).
    parameters : tuple of LedgerEntry
        Every parameter with its provenance (also in the ledger).
    """

    result: RiskResult
    file: str
    modelled: tuple[str, ...]
    unmodelled: tuple[str, ...]
    parameters: tuple[LedgerEntry, ...]

    def to_dict(self) -> dict[str, Any]:
        """:meth:`RiskResult.to_dict` (``annual_probability`` p05/p50/p95/mean, ...) with the
        file and the sides modelled."""
        return {
            **self.result.to_dict(),
            "parameter_file": self.file,
            "parties_modelled": list(self.modelled),
            "parties_not_modelled": list(self.unmodelled),
        }


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
            "pair": _tag(self.pair),
            **self.result.to_dict(),
            "parameters": [e.to_dict() for e in self.parameters],
            "note": self.note,
        }


@dataclass(frozen=True, repr=False)
class Assessment(Display):
    """Everything :func:`assess` found about a scenario.

    Attributes
    ----------
    scenario : Scenario
    resolved : ResolvedScenario
    stability : dict
        :class:`StabilityResult` per pair (``"US-RU"``) in the scenario's postures, each pair
        alone (no reserve against third parties).
    fsi : float
        The scenario's first-strike stability index [-]: the pair's, or with three or more
        parties the system index (the smallest pairwise index with reserves).
    system : dict or None
        With three or more parties or a missile defence (what the two-party results leave
        out): the outputs of :func:`evaluate_batch` at the scenario's values (``fsi``,
        ``fsi.A-B``, ``r.A-B.A``, ``surviving.A-B.A``, ``arriving.A-B.A``, ...) [-, warheads].
    counts : dict
        Treaty count per party (empty without a treaty).
    postures : tuple of PostureCase
        Every pair under every combination of day-to-day / generated and launch under attack.
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
    stability: dict[str, StabilityResult]
    fsi: float
    counts: dict[str, CountResult]
    postures: tuple[PostureCase, ...]
    system: dict[str, float] | None = None
    uncertainty: UncertaintyResult | None = None
    tornado: Tornado | None = None
    upload: Any = None
    upload_note: str = ""
    verification: VerificationSection | None = None
    risk: RiskSection | None = None
    context: ContextSection | None = None
    ledger: tuple[LedgerEntry, ...] = ()
    sources: tuple[Source, ...] = ()
    caveats: tuple[str, ...] = field(default=())

    def system_rows(self) -> list[dict[str, Any]]:
        """One row per pair and side of :attr:`system`: pair FSI, r, surviving, arriving."""
        if self.system is None:
            return []
        rows = []
        for pair in self.resolved.pairs():
            for side in pair:
                row = {"pair": _tag(pair), "side": side}
                for kind in ("fsi", "r", "surviving", "arriving"):
                    row[kind] = self.system[output_name(self.resolved, kind, pair, side)]
                rows.append(row)
        return rows

    @property
    def assumptions(self) -> tuple[LedgerEntry, ...]:
        """The ledger entries that are assumptions."""
        return tuple(e for e in self.ledger if e.assumption)

    def summary(self) -> str:
        """The scenario, its index and what it rests on, in one sentence."""
        n = len(self.assumptions)
        return (
            f"{self.scenario.name}: first-strike stability index {self.fsi:.2f} (0 to 1; 1 = "
            f"neither side gains by striking first); {len(self.ledger)} input numbers, {n} of "
            "them assumptions"
        )

    def to_frame(self) -> pd.DataFrame:
        """One row per pair and side in the scenario's postures: C1, C2, r, x*, arriving."""
        import pandas as pd

        return pd.concat({tag: r.to_frame() for tag, r in self.stability.items()}, names=["pair"])

    def forces_frame(self) -> pd.DataFrame:
        """One row per holding of every party after the scenario's modifications."""
        import pandas as pd

        rows = []
        for party in self.resolved.parties:
            table = system_table(party.force)
            for h in party.force.holdings:
                system = table[h.system]
                strategic = system.category in STRATEGIC_CATEGORIES
                rows.append(
                    {
                        "party": party.label,
                        "force": party.base.name,
                        "holding": h.name,
                        "system": h.system,
                        "leg": LEG.get(system.category, system.category),
                        "basing": system.basing,
                        "deployed_launchers": h.launchers.deployed,
                        "non_deployed_launchers": h.launchers.non_deployed,
                        "test_launchers": h.launchers.test,
                        "loading": h.mean_loading,
                        "deployed_warheads": h.deployed_warheads,
                        "alert_day_to_day": None if system.fixed else h.alert.day_to_day,
                        "alert_generated": None if system.fixed else h.alert.generated,
                        "in_exchange": strategic and h.launchers.deployed > 0,
                    }
                )
        return pd.DataFrame(rows)

    def legs_frame(self) -> pd.DataFrame:
        """Deployed launchers and warheads by party and leg (strategic systems)."""
        df = self.forces_frame()
        df = df[df["leg"].isin(list(LEG.values()))]
        cols = ["deployed_launchers", "non_deployed_launchers", "deployed_warheads"]
        return df.groupby(["party", "leg"], sort=False)[cols].sum().reset_index()

    def compliance_frame(self) -> pd.DataFrame:
        """One row per party and limit or ban: count, limit, margin, ok."""
        import pandas as pd

        frames = []
        for label, result in self.counts.items():
            df = result.to_frame()
            df.insert(0, "party", label)
            df.insert(1, "treaty", result.treaty)
            frames.append(df)
        return pd.concat(frames, ignore_index=True) if frames else pd.DataFrame()

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

    def postures_frame(self) -> pd.DataFrame:
        """The FSI of every pair under every posture and launch-under-attack combination."""
        import pandas as pd

        return pd.DataFrame([c.row() for c in self.postures])

    def drawdown_frame(self) -> pd.DataFrame:
        """Breakpoints of each striker's draw-down curve K(x)."""
        import pandas as pd

        rows = [
            {"pair": tag, "striker": striker, "x": x, "K": k}
            for tag, result in self.stability.items()
            for striker, curve in result.drawdown.items()
            for x, k in zip(curve["x"], curve["K"], strict=True)
        ]
        return pd.DataFrame(rows, columns=["pair", "striker", "x", "K"])

    def ledger_frame(self) -> pd.DataFrame:
        """Every number used, its status, sources and note."""
        import pandas as pd

        rows = [{**e.to_dict(), "sources": " ".join(e.sources)} for e in self.ledger]
        return pd.DataFrame(
            rows, columns=["scope", "quantity", "value", "status", "sources", "note"]
        )

    def sources_frame(self) -> pd.DataFrame:
        """The bibliography of the assessment."""
        import pandas as pd

        cols = ["id", "publisher", "title", "date", "url", "authors", "volume", "issue", "pages"]
        cols += ["doi"]
        rows = [
            {**{c: _text(getattr(s, c)) for c in cols}, "read_via": s.via_text()}
            for s in self.sources
        ]
        return pd.DataFrame(rows, columns=[*cols, "read_via"])

    def frames(self) -> dict[str, pd.DataFrame]:
        """The CSV tables by file stem."""
        import pandas as pd

        out = {
            "forces": self.forces_frame(),
            "legs": self.legs_frame(),
            "compliance": self.compliance_frame(),
            "fsi_postures": self.postures_frame(),
            "drawdown": self.drawdown_frame(),
            "ledger": self.ledger_frame(),
            "sources": self.sources_frame(),
        }
        if self.uncertainty is not None:
            out["uncertainty"] = self.uncertainty.to_frame().reset_index()
        if self.tornado is not None:
            out["tornado"] = self.tornado.to_frame().reset_index()
        if self.upload is not None:
            out["upload"] = self.upload.to_frame().reset_index()
        if self.verification is not None:
            v = self.verification.parties
            out["verification"] = pd.DataFrame([row for p in v for row in p.rows()])
            out["verification_summary"] = pd.DataFrame([p.summary() for p in v])
        if self.risk is not None:
            r = self.risk.result
            out["risk"] = r.to_frame()
            out["risk_interventions"] = pd.DataFrame(
                [_joined(_flat(asdict(iv))) for iv in r.interventions]
            )
            out["risk_tornado"] = pd.DataFrame([{**asdict(b), "swing": b.swing} for b in r.tornado])
            out["risk_parameters"] = pd.DataFrame([_joined(asdict(p)) for p in r.parameters])
        if self.context is not None:
            out["context"] = self.context.result.to_frame().reset_index()
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


def _flat(row: dict[str, Any], prefix: str = "") -> dict[str, Any]:
    """Nested dicts as one level, keys joined by ``_``."""
    out: dict[str, Any] = {}
    for k, v in row.items():
        if isinstance(v, dict):
            out.update(_flat(v, f"{prefix}{k}_"))
        else:
            out[f"{prefix}{k}"] = v
    return out


def _text(v: Any) -> Any:
    return v.isoformat() if hasattr(v, "isoformat") else v


def _tag(pair: tuple[str, str]) -> str:
    return "-".join(pair)


def needs_batch(resolved: ResolvedScenario) -> bool:
    """Three or more parties or a missile defence: results come from :func:`evaluate_batch`
    (the two-party :func:`evaluate` models neither)."""
    return len(resolved.parties) > 2 or any(p.defense for p in resolved.parties)


def posture_cases(resolved: ResolvedScenario) -> list[PostureCase]:
    """Every pair under every combination of postures and launch under attack.

    With three or more parties the other parties keep the scenario's postures and every
    striker withholds its reserve against them; with three or more parties or a missile
    defence the cases come from :func:`evaluate_batch`. Otherwise, with one DE for every
    warhead, all cases of a pair are rows of one kernel call (:func:`row_values`). ``r``
    is capped.
    """
    batch = needs_batch(resolved)
    cases = []
    for pair in resolved.pairs():
        grid = [
            (dict(zip(pair, postures, strict=True)), dict(zip(pair, luas, strict=True)))
            for postures in itertools.product(POSTURES, repeat=2)
            for luas in itertools.product((False, True), repeat=2)
        ]
        if batch:
            for posture, lua in grid:
                out = evaluate_batch(resolved, {}, 1, posture=posture, lua=lua)
                fsi = float(out[output_name(resolved, "fsi", pair)][0])
                r = {k: float(out[output_name(resolved, "r", pair, k)][0]) for k in pair}
                cases.append(PostureCase(pair, posture, lua, fsi, r))
        elif resolved.params.weapons == "uniform":
            rows = [resolved.sides(pair, posture, lua) for posture, lua in grid]
            values = row_values(rows, resolved.params)
            for i, (posture, lua) in enumerate(grid):
                r = dict(zip(pair, map(float, values["r"][i]), strict=True))
                cases.append(PostureCase(pair, posture, lua, float(values["fsi"][i]), r))
        else:
            for posture, lua in grid:
                result = evaluate(resolved.sides(pair, posture, lua), resolved.params)
                cases.append(PostureCase(pair, posture, lua, result.fsi, result.r))
    return cases


#: A side's own r must fall by more than this for :func:`own_r_notes` to explain it [-].
OWN_R_TOLERANCE = 5e-5


def own_r_notes(
    cases: Sequence[PostureCase], posture: Mapping[str, str], lua: Mapping[str, bool]
) -> list[str]:
    """Why a side's own r falls when it alone generates or launches under attack.

    Starting from the scenario's ``posture`` and ``lua`` (by party), each side's unilateral
    change (day-to-day to generated; riding out to launch under attack) is looked up in
    ``cases``. Where it lowers that side's own r, the sentence says why: with fewer of its
    launchers open to attack, the other side's cost-minimising first strike moves warheads
    from counterforce to the side's value, so being struck first costs it more (its C2
    rises; its C1 does not change, since a striker's own alert does not enter its strike).
    This is a property of the Kent–Thaler calculus (docs/stability.md, "Unilateral changes"),
    not an error; the other side's r does not fall.

    Examples
    --------
    >>> from detente.model.scenario import parse_scenario
    >>> a = assess(parse_scenario("name: x\\nparties: [{force: us-2025}, {force: ru-2025}]"))
    >>> for line in own_r_notes(a.postures, {"US": "day_to_day", "RU": "day_to_day"},
    ...                         {"US": False, "RU": False}):
    ...     print(line.split(";")[0])
    US-RU: US launching under attack lowers its own r (0.687 → 0.671
    US-RU: RU generating lowers its own r (1.000 → 0.853
    US-RU: RU launching under attack lowers its own r (1.000 → 0.962
    """
    by_key = {
        (c.pair, tuple(c.posture[k] for k in c.pair), tuple(c.lua[k] for k in c.pair)): c
        for c in cases
    }
    notes = []
    for pair in dict.fromkeys(c.pair for c in cases):
        base_p = tuple(posture[k] for k in pair)
        base_l = tuple(bool(lua[k]) for k in pair)
        base = by_key[(pair, base_p, base_l)]
        for i, side in enumerate(pair):
            other = pair[1 - i]
            changes = []
            if base_p[i] == "day_to_day":
                p = tuple("generated" if j == i else v for j, v in enumerate(base_p))
                changes.append(("generating", by_key[(pair, p, base_l)]))
            if not base_l[i]:
                q = tuple(True if j == i else v for j, v in enumerate(base_l))
                changes.append(("launching under attack", by_key[(pair, base_p, q)]))
            for what, case in changes:
                before, after = base.r[side], case.r[side]
                if after < before - OWN_R_TOLERANCE:
                    theirs = f"{base.r[other]:.3f} → {case.r[other]:.3f}"
                    notes.append(
                        f"{'-'.join(pair)}: {side} {what} lowers its own r ({before:.3f} → "
                        f"{after:.3f}; {other}'s r {theirs}). {other}'s first strike then "
                        f"finds fewer {side} launchers to attack and moves warheads from "
                        f"counterforce to {side}'s value, so being struck first costs {side} "
                        "more (its C2 rises): a property of the calculus, not an error."
                    )
    return notes


def _entries(scope: str, model: Sourced, rename: Callable[[str], str] = str):
    for path, value, prov in model.sourced_values():
        if value is None:
            continue
        yield _entry(scope, rename(path), value, prov)


def _entry(scope: str, quantity: str, value: Any, prov: Provenance | None) -> LedgerEntry:
    if prov is None or not (prov.source or prov.status):
        return LedgerEntry(scope, quantity, value, "unsourced", (), "no source given")
    return LedgerEntry(
        scope, quantity, value, prov.status or "sourced", prov.source, prov.note or ""
    )


def ledger(resolved: ResolvedScenario) -> list[LedgerEntry]:
    """Every number the assessment uses, with its provenance.

    Forces after modification (holdings and stockpile), the systems they hold, the treaty's
    limits, the model constants (the scenario's or ``data/parameters.yaml``'s), the scenario's
    ``w80`` and defences, and its uncertain inputs.
    """
    out: list[LedgerEntry] = []
    systems_seen: set[str] = set()
    for party in resolved.parties:
        force = party.force

        def rename(path: str, force=force) -> str:
            parts = path.split(".")
            if parts[0] == "holdings":
                return ".".join([force.holdings[int(parts[1])].name, *parts[2:]])
            return path

        out += _entries(force.name, force, rename)
        table = system_table(force)
        for h in force.holdings:
            if h.system not in systems_seen:
                systems_seen.add(h.system)
                out += _entries(f"system {h.system}", table[h.system])
        spec = party.spec
        if spec.w80 is not None:
            prov = spec.provenance.get("w80") or Provenance(
                status="assumption", note=f"w80 of {party.label} set by the scenario"
            )
            out.append(_entry("scenario", f"{party.label} w80", spec.w80, prov))
        if spec.defense is not None:
            for path, value, prov in spec.defense.sourced_values():
                prov = prov or Provenance(status="assumption", note="set by the scenario")
                out.append(_entry("scenario", f"{party.label} defense.{path}", value, prov))
    if resolved.treaty is not None:
        t = resolved.treaty
        out += _entries(f"treaty {t.id}", t)
    given = resolved.scenario.parameters
    for group, name in MODEL_CONSTANTS:
        if getattr(given, name) is not None:
            prov = given.provenance.get(name) or Provenance(
                status="assumption", note=f"{name} set by the scenario"
            )
            out.append(_entry("scenario", f"parameters.{name}", getattr(given, name), prov))
        else:
            prov = parameters.provenance(group, name)
            out.append(_entry("model", f"{group}.{name}", parameters.default(group, name), prov))
    if len(resolved.parties) > 2:
        given = resolved.scenario.parameters.reserve
        origin = "set by the scenario" if given is not None else "the multiparty kernel's default"
        prov = resolved.scenario.parameters.provenance.get("reserve") or Provenance(
            status="assumption",
            note=f"w80s each striker withholds against every armed third party ({origin})",
        )
        scope = "scenario" if given is not None else "model"
        out.append(_entry(scope, "parameters.reserve", resolved.reserve, prov))
    for x in resolved.inputs:
        d = x.dist
        prov = Provenance(source=d.source, status="assumption", note=d.note or "uncertain input")
        desc = ", ".join(
            f"{k}={v:g}" for k, v in d.model_dump().items() if isinstance(v, float | int)
        )
        out.append(_entry("scenario", f"uncertain {x.path}", f"{d.dist}({desc})", prov))
    return out


def upload_ledger(timeline: Any) -> list[LedgerEntry]:
    """The upload defaults a timeline used (``data/upload.yaml``), as ledger entries."""
    out = []
    for side in timeline.sides():
        for row in side.inputs.provenance:
            prov = Provenance(
                source=tuple(row.get("source") or ()),
                status=row.get("status"),
                note=row.get("note"),
            )
            out.append(_entry(f"upload {side.label}", row["item"], row["value"], prov))
    return out


def _sources(
    resolved: ResolvedScenario, entries: list[LedgerEntry], extra: tuple[str, ...] = ()
) -> tuple[Source, ...]:
    ids: list[str] = [*extra]
    for party in resolved.parties:
        ids += party.force.sources
    if resolved.treaty is not None:
        ids += resolved.treaty.sources
    for e in entries:
        ids += e.sources
    known = sources()
    return tuple(known[i] for i in dict.fromkeys(ids) if i in known)


def _caveats(resolved: ResolvedScenario, stability: dict[str, StabilityResult]) -> list[str]:
    out = []
    for result in stability.values():
        for side in result.sides:
            out.append(f"w80 of {side.label} ({side.w80:.1f} warheads): {side.w80_note}.")
    for party in resolved.parties:
        table = system_table(party.force)
        for h in party.force.holdings:
            system = table[h.system]
            unknown = h.loading is None and h.warheads is None
            if system.category in STRATEGIC_CATEGORIES and h.launchers.deployed and unknown:
                out.append(
                    f"{party.label} {h.name}: no loading is known, so its "
                    f"{h.launchers.deployed} deployed launchers carry no warheads in the exchange."
                )
        d = party.defense
        if d is not None and len(resolved.parties) > 2:
            out.append(
                f"{party.label} missile defence: the multiparty kernel does not model defences; "
                "the indices of this three-party scenario ignore it."
            )
        elif d is not None:
            out.append(
                f"{party.label} missile defence [ours, after Wilkening & Watman 1986]: "
                f"{d.interceptors:g} interceptors, {d.shots_per_rv} per RV, kill each engaged "
                f"RV with P = {d.availability:g} x [1 - (1 - {d.p_kill:g})^{d.shots_per_rv}]; "
                "it thins the first strike on its party and the retaliation its party suffers "
                "(models.md §2). The draw-down curves and the 'without defences' table leave "
                "it out."
            )
    if len(resolved.parties) > 2:
        out.append(
            f"Three or more parties [ours, models.md §2]: striking one party, each side "
            f"withholds {resolved.reserve:g} x the w80 of every armed third party; the "
            "scenario's FSI is the smallest pairwise index with those reserves (the product "
            "is reported too). Draw-down curves and the table 'each pair alone' leave the "
            "reserves out."
        )
    if not any(p.defense for p in resolved.parties):
        out.append(
            "Without defences every surviving warhead arrives: arriving retaliation equals the "
            "surviving warheads."
        )
    out = list(dict.fromkeys(out))
    if resolved.inputs:
        out.append(
            "Default w80 values are computed once from the scenario's forces; uncertain loadings "
            "do not move them. An uncertain alert fraction acts only in the party's own posture."
        )
    return out


def _section_caveats(verification: VerificationSection, risk: RiskSection) -> list[str]:
    out = [
        "Verification (docs/verification.md): inspected missiles are a uniform random draw, "
        "so detection probabilities are upper bounds against a violator who knows where "
        "inspectors go; the missiles are deployed ICBMs and SLBMs (bomber weapons are not "
        "counted); the over-loaded share is a hypothesis to test, not an estimate."
    ]
    if verification.skipped:
        out.append(
            f"Verification: {', '.join(verification.skipped)} deploy no ICBMs or SLBMs and "
            "are not shown."
        )
    r = risk.result
    if r.illustrative:
        out.append(
            f"Inadvertent-war risk (docs/risk.md): {len(r.illustrative)} of {len(r.parameters)} "
            f"parameter values of {risk.file} are ILLUSTRATIVE assumptions; the structure is "
            "Barrett, Baum and Hostetler's (2013), the numbers demonstrate the method and are "
            "not an estimate of the risk."
        )
    if risk.unmodelled:
        out.append(
            f"Inadvertent-war risk: the parameter set has false-alarm streams of "
            f"{', '.join(risk.modelled)} only; {', '.join(risk.unmodelled)} not modelled."
        )
    return out


def _seed(seed: int | None, scenario: Scenario) -> int:
    if seed is not None:
        return int(seed)
    if scenario.seed is not None:
        return scenario.seed
    return int(np.random.SeedSequence().entropy)


def upload_plan(resolved: ResolvedScenario) -> Any:
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


def _upload_note(resolved: ResolvedScenario) -> str:
    plan = resolved.scenario.upload
    pair = resolved.pairs()[0]
    who = [k for k in pair if k in (plan.parties or resolved.labels)]
    start = resolved.scenario.date.isoformat() if resolved.scenario.date else "month 0"
    note = (
        f"{' and '.join(who) or 'Nobody'} upload{'s' if len(who) == 1 else ''} at "
        f"{plan.rate_scale:g} x the default rates of data/upload.yaml from {start} for "
        f"{plan.months} months; the index along the way holds w80 fixed and uses "
        f"{resolved.party(pair[0]).spec.posture} postures for both sides."
    )
    if len(resolved.parties) > 2:
        note += f" Only the first pair ({pair[0]}-{pair[1]}) is shown."
    if needs_batch(resolved):
        note += (
            " The index along the timeline is that of the pair alone, without reserves "
            "against third parties or missile defences, so month 0 differs from the summary."
        )
    return note


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
    return _entry("scenario" if given else "model", f"verification.{name}", value, prov)


def overloaded_missiles(plan: VerificationPlan, n: int) -> int:
    """Missiles assumed over-loaded out of ``n`` [missiles]: the plan's count, or its share
    of ``n`` rounded half up (at least one).

    Examples
    --------
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
    share_note = (
        f"hypothesis tested, not an estimate [ours]: {100 * (plan.share or 0):g} % of each "
        "party's deployed missiles carry more warheads than declared"
    )
    entries = [
        _setting(plan, "overloaded", plan.overloaded, "", scenario.name)
        if plan.share is None
        else _setting(plan, "overloaded_share", plan.share, share_note, scenario.name),
        _setting(
            plan,
            "recognition",
            plan.recognition,
            "inspectors recognise every over-loaded missile they inspect (counting never "
            "fails; docs/verification.md)",
            scenario.name,
        ),
    ]
    for regime in dict.fromkeys([*regimes.values(), clean]):
        for x in regime.inspections:
            if x.counts_reentry_vehicles:
                q = f"{x.name} inspections a year"
                entries.append(_entry(f"regime {regime.id}", q, x.per_year, x))
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
                "deployed ICBM and SLBM launchers of the force, one missile each",
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


def risk_section(resolved: ResolvedScenario, seed: int) -> RiskSection:
    """The inadvertent-war risk Monte Carlo of the ``risk:`` block (:func:`run_risk`), seeded
    by the assessment's seed."""
    scenario = resolved.scenario
    plan = scenario.risk
    path = scenario.risk_file()
    ps = load_risk_parameters(path)
    result = run_risk(ps, samples=plan.samples, seed=seed, years=plan.years)
    modelled = tuple(dict.fromkeys(s.side for s in ps.streams))
    bundled = path.resolve().parent == RISK_DIR.resolve()
    return RiskSection(
        result,
        f"data/risk/{path.name}" if bundled else str(path),
        modelled,
        tuple(k for k in resolved.labels if k not in modelled),
        tuple(
            LedgerEntry(
                f"risk {result.parameter_set}",
                p.name,
                p.distribution,
                p.status,
                p.source,
                p.note or "",
            )
            for p in result.parameters
        ),
    )


def context_section(
    resolved: ResolvedScenario,
    stability: dict[str, StabilityResult],
    entries: list[LedgerEntry],
) -> ContextSection:
    """Penalty for waiting, ARW, generation and LOW stability of the first pair, in the
    scenario's postures and launch settings, with the headline's w80
    (:func:`context_measures`); ``entries`` is the ledger the constants are taken from."""
    pair = resolved.pairs()[0]
    sides = stability[_tag(pair)].sides
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
    note = (
        f"The pair {_tag(pair)} alone, in the scenario's postures and launch settings, struck "
        "by the other's cost-minimising first strike (the exchange of the index)."
    )
    if any(resolved.party(k).defense for k in pair):
        note += " Missile defences are left out: every surviving warhead arrives."
    if len(resolved.parties) > 2:
        note += " Reserves against third parties are left out; only the first pair is shown."
    return ContextSection(pair, result, tuple(used), note)


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
    stability = {_tag(p): evaluate(resolved.sides(p), resolved.params) for p in resolved.pairs()}
    system = None
    if needs_batch(resolved):
        system = {k: float(v[0]) for k, v in evaluate_batch(resolved, {}, 1).items()}
        fsi = system["fsi"]
    else:
        fsi = stability[_tag(resolved.pairs()[0])].fsi
    counts = {}
    if resolved.treaty is not None:
        for party in resolved.parties:
            counts[party.label] = count(party.force, resolved.treaty, system_table(party.force))
    samples = samples if samples is not None else scenario.samples
    if samples is not None:
        samples = check_samples(samples)
    verification = verification_section(resolved)
    seed = _seed(seed, scenario)
    mc = None
    if samples is not None:
        mc = monte_carlo(resolved, samples, seed, progress=progress)
    sensitivity = tornado(resolved) if resolved.inputs else None
    upload = upload_plan(resolved)
    risk = risk_section(resolved, seed)
    entries = ledger(resolved) + upload_ledger(upload)
    context = context_section(resolved, stability, entries)
    entries += [*verification.parameters, *risk.parameters]
    return Assessment(
        scenario=scenario,
        resolved=resolved,
        stability=stability,
        fsi=fsi,
        counts=counts,
        postures=tuple(posture_cases(resolved)),
        system=system,
        uncertainty=mc,
        tornado=sensitivity,
        upload=upload,
        upload_note=_upload_note(resolved),
        verification=verification,
        risk=risk,
        context=context,
        ledger=tuple(entries),
        sources=_sources(resolved, entries, extra=(RISK_STRUCTURE_SOURCE,)),
        caveats=tuple(_caveats(resolved, stability) + _section_caveats(verification, risk)),
    )
